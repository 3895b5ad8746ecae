"""The variant comparisons of notebooks 08, 09 and 11, as sweeps that write results/.

    python -m lstm_tutorial.experiments variants --out results/variants.json    # 09, 11
    python -m lstm_tutorial.experiments peepholes --out results/variants_peepholes.json  # 08

A small version of Greff et al. (2017), "LSTM: A Search Space Odyssey": every variant of
``variants.VARIANTS`` is one package ``LSTM`` layer (H = 16, float32, the fast path) with a linear
read-out, trained by the one sweep runner (``sweep.run_sweep``: Adam, clipping, one thread) for a
FIXED number of steps, so that final test errors compare like for like, on the same training and
test batches for every variant; each is repeated over seeds (the seed draws the initial weights and
the training batches). Unlike Greff et al. we do not tune hyper-parameters per variant: one setting
(lr 1e-2, batch 64) serves all.

The peephole experiment uses an interval-reproduction task in the spirit of the timing tasks of
Gers, Schraudolph & Schmidhuber (2002): see ``interval.interval_task``.
"""

from __future__ import annotations

from ..variants import VARIANTS
from .interval import interval_task, spike_accuracy
from .sweep import Settings

__all__ = ["FILES", "SWEEPS", "interval_task", "spike_accuracy"]


def _lstms(*labelled: tuple[str, dict]) -> tuple[tuple[str, str, dict], ...]:
    return tuple((label, "lstm", options) for label, options in labelled)


FIXED = dict(hidden_size=16, eval_every=100, eval_size=500, stop_when_solved=False)
SWEEPS = {
    "variants": Settings(
        "the adding problem (solved: test MSE < 0.01) and the temporal-order problem "
        "(lstm_tutorial.experiments.tasks); a fixed number of training steps per task",
        _lstms(*((name, {"variant": name}) for name in VARIANTS)),
        (("adding", 30, 800), ("order", 30, 400)),
        **FIXED,
    ),
    "peepholes": Settings(
        "interval reproduction (lstm_tutorial.experiments.variant_sweep.interval_task); solved: "
        "test loss below 1/20 of the input-blind baseline; accuracy: the spike timed right",
        _lstms(("none", {}), ("o", {"peepholes": "o"}), ("ifo", {"peepholes": "ifo"})),
        (("interval", 21, 800),),
        **FIXED,
    ),
}
FILES = {"variants": "variants.json", "peepholes": "variants_peepholes.json"}
