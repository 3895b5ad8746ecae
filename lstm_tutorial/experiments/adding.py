"""The sweeps on the adding problem, too long for a notebook: JSON under results/ for 07 and 16.

    python -m lstm_tutorial.experiments adding --out results/adding.json
    python -m lstm_tutorial.experiments forget_bias --out results/forget_bias.json
    python -m lstm_tutorial.experiments irnn --out results/irnn.json
    python -m lstm_tutorial.experiments irnn_small_lr --out results/irnn_small_lr.json
    python -m lstm_tutorial.experiments modern --out results/modern_adding.json

``adding``: a plain RNN and an LSTM (forget-gate bias 1) on the adding problem (Hochreiter &
Schmidhuber 1997) at growing lags T, several seeds each. ``forget_bias``: the LSTM with torch's
default forget-gate bias against b_f = 1 (Gers et al. 2000; Jozefowicz et al. 2015). ``irnn``:
the identity-initialised ReLU RNN of Le, Jaitly & Hinton (2015) with the ``adding`` settings, and
(``irnn_small_lr``) with a ten times smaller learning rate. ``modern``: the LSTM against the
sLSTM, mLSTM (Beck et al. 2024), minGRU and minLSTM (Feng et al. 2024) at T = 100 (notebook 16).
Each run stops when solved (test MSE below 0.01) or after 2,000 steps (1,500 for ``modern``).
``sweep.run_sweep`` runs them; ``FILES`` names each sweep's file under results/.
"""

from __future__ import annotations

from .sweep import Settings

ABOUT = "adding problem (lstm_tutorial.experiments.tasks.adding_problem); solved = test MSE < 0.01"
LAGS = (10, 50, 100, 200)


def _adding(*lags: int, steps: int = 2000) -> tuple[tuple[str, int, int], ...]:
    return tuple(("adding", T, steps) for T in lags)


SWEEPS = {
    "adding": Settings(
        ABOUT, (("rnn", "rnn", {}), ("lstm", "lstm", {"forget_bias": 1.0})), _adding(*LAGS)
    ),
    "forget_bias": Settings(
        ABOUT,
        (("lstm", "lstm", {}), ("lstm b_f=1", "lstm", {"forget_bias": 1.0})),
        _adding(100, 200),
        seeds=(0, 1, 2, 3, 4),
    ),
    "irnn": Settings(ABOUT, (("irnn", "irnn", {}),), _adding(*LAGS)),
    "irnn_small_lr": Settings(ABOUT, (("irnn", "irnn", {}),), _adding(*LAGS), lr=1e-3),
    "modern": Settings(
        ABOUT,
        tuple((kind, kind, {}) for kind in ("lstm", "slstm", "mlstm", "mingru", "minlstm")),
        _adding(100, steps=1500),
        eval_every=50,
    ),
}
FILES = {
    "adding": "adding.json",
    "forget_bias": "forget_bias.json",
    "irnn": "irnn.json",
    "irnn_small_lr": "irnn_small_lr.json",
    "modern": "modern_adding.json",
}
