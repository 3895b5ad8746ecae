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
Gers, Schraudolph & Schmidhuber (2002): see ``interval_task``.
"""

from __future__ import annotations

import math

import torch

from ..variants import VARIANTS
from .sweep import Settings
from .tasks import Batch, Task


def spike_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of sequences whose most spike-like step of the window is the right one.

    outputs (B, K, 2), targets (B, K) with one 1 per row.
    """
    return (outputs[..., 1].argmax(1) == targets.argmax(1)).double().mean().item()


def interval_task(d_min: int = 6, d_max: int = 10) -> Task:
    """Reproduce an interval: spikes at t = 0 and t = d; answer with a spike at t = 2d.

    Inputs (B, T, 1) with T = 2 d_max + 1; d is uniform in [d_min, d_max] (d_min > d_max / 2, so
    the answer window, the last K = d_max steps, starts after the second spike). Targets (B, K):
    class 1 at step 2d, class 0 elsewhere; outputs (B, K, 2). The cell has to count d steps, then
    count them again while its output stays silent: the case for which Gers et al. (2002) argue
    that gates should see the cell state directly. Baseline: the cross-entropy of the best
    input-blind guess (the frequency of a spike at each step of the window). Accuracy: the
    fraction of sequences whose spike is timed right (``spike_accuracy``); solved: a test loss
    below a twentieth of the baseline.
    """
    if not 0 < d_max / 2 < d_min <= d_max:
        raise ValueError(f"need d_max / 2 < d_min <= d_max, got d_min={d_min}, d_max={d_max}")
    T, K, n = 2 * d_max + 1, d_max, d_max - d_min + 1

    def generate(B: int, gen: torch.Generator) -> Batch:
        d = torch.randint(d_min, d_max + 1, (B,), generator=gen)  # (B,)
        x = torch.zeros(B, T)
        x[:, 0] = 1.0
        x[torch.arange(B), d] = 1.0
        y = torch.zeros(B, K, dtype=torch.long)
        y[torch.arange(B), 2 * d - (T - K)] = 1
        return Batch(x.unsqueeze(-1), y)

    def entropy(q: float) -> float:
        return 0.0 if q in (0.0, 1.0) else -(q * math.log(q) + (1 - q) * math.log(1 - q))

    steps = range(T - K, T)
    baseline = sum(entropy(1 / n if s % 2 == 0 and d_min <= s // 2 <= d_max else 0) for s in steps)
    return Task(
        "interval", T, 1, 2, K, False, baseline / K, baseline / K / 20, None, generate,
        score=spike_accuracy,
    )  # fmt: skip


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
