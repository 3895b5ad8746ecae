"""Check for notebook 10: a step of the GRU (Cho et al. 2014) in torch's form, where the reset
gate acts after the recurrent product (as in ``torch.nn.GRUCell`` and cuDNN).

    r = σ(W_r x + U_r h_prev + b_r)
    z = σ(W_z x + U_z h_prev + b_z)
    n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))
    h = (1 − z) ⊙ n + z ⊙ h_prev
"""

from __future__ import annotations

import torch
from torch import nn

from ._cells import layer, step_cases, weight_mistakes
from ._core import Mistake
from ._run import Exercise, run

σ, tanh = torch.sigmoid, torch.tanh


def _candidate(cell, x, h, r, form, act=None, W_T=True, U_T=True, swap=False, use_b=True):
    """n in torch's form, or in a typical wrong ``form``."""
    W, U = (cell.n.U, cell.n.W) if swap else (cell.n.W, cell.n.U)
    W, U = (W.T if W_T else W), (U.T if U_T else U)
    b_n, b_hn = (cell.n.b, cell.b_hn) if use_b else (0.0, 0.0)
    a, u = x @ W + b_n, h @ U  # (B, H)
    z = {
        "torch": a + r * (u + b_hn),
        "cho": a + (r * h) @ U + b_hn,  # reset before the product, Cho et al. (2014)
        "cho without b_hn": a + (r * h) @ U,  # what cell.n(x, r * h_prev) computes
        "b_hn outside": a + r * u + b_hn,
        "no b_hn": a + r * u,
        "no reset": a + u + b_hn,
        "gate alone": a + u,  # what cell.n(x, h_prev) computes
        "reset all": r * (a + u + b_hn),
    }[form]
    return (act or tanh)(z)


def _gru(
    x, h, cell, acts=None, swap_rz=False, form="torch", blend="torch", use_h="h", options=None
):
    """The reference step; the keyword arguments reproduce mistakes."""
    acts, options = acts or {}, options or {}
    hr = torch.zeros_like(h) if use_h == "zero" else h
    gr, gz = (cell.z, cell.r) if swap_rz else (cell.r, cell.z)
    r = layer(gr, x, hr, acts.get("r"), **options.get("r", {}))  # (B, H)
    z = layer(gz, x, hr, acts.get("z"), **options.get("z", {}))  # (B, H)
    n = _candidate(cell, x, hr, r, form, acts.get("n"), **options.get("n", {}))  # (B, H)
    return {
        "torch": (1 - z) * n + z * h,
        "swapped": z * n + (1 - z) * h,
        "n only": n,
        "no z on h": (1 - z) * n + h,
        "no 1 - z on n": n + z * h,
    }[blend]


def _m(message: str, **options) -> Mistake:
    return Mistake(message, lambda *a: _gru(*a, **options))


GRU_MISTAKES = [
    _m(
        "z and 1 − z are swapped: here h = (1 − z) ⊙ n + z ⊙ h_prev, so z keeps the old state.",
        blend="swapped",
    ),
    _m("h must mix n with h_prev: h = (1 − z) ⊙ n + z ⊙ h_prev.", blend="n only"),
    _m("the old state must be scaled by z: h = (1 − z) ⊙ n + z ⊙ h_prev.", blend="no z on h"),
    _m("n must be scaled by 1 − z: h = (1 − z) ⊙ n + z ⊙ h_prev.", blend="no 1 - z on n"),
    _m(
        "r and z are swapped: r (from cell.r) resets the candidate and z (from cell.z) mixes "
        "the states.",
        swap_rz=True,
    ),
    _m(
        "r is applied to h_prev before U_n (the form of Cho et al. 2014); torch's form applies "
        "it after: r ⊙ (U_n h_prev + b_hn).",
        form="cho",
    ),
    _m(
        "cell.n(x, r ⊙ h_prev) is the form of Cho et al. (2014) without b_hn; write "
        "n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
        form="cho without b_hn",
    ),
    _m("b_hn belongs inside the reset: r ⊙ (U_n h_prev + b_hn).", form="b_hn outside"),
    _m(
        "the bias b_hn is missing from n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
        form="no b_hn",
    ),
    _m(
        "the reset gate r is not used in n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
        form="no reset",
    ),
    _m(
        "cell.n(x, h_prev) ignores r and b_hn: write n = tanh(W_n x + b_n + r ⊙ (U_n h_prev "
        "+ b_hn)).",
        form="gate alone",
    ),
    _m(
        "r must scale only the recurrent part: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
        form="reset all",
    ),
    _m("n uses σ instead of tanh: the candidate must lie between −1 and 1.", acts={"n": σ}),
    _m("r uses tanh instead of σ: a gate must lie between 0 and 1.", acts={"r": tanh}),
    _m("z uses tanh instead of σ: a gate must lie between 0 and 1.", acts={"z": tanh}),
    *weight_mistakes(_gru, "rzn", has_c=False),
]


def _gru_cell(D: int, H: int) -> nn.Module:
    from .. import gru

    return gru.GRUCell(D, H, reset_after=True, dtype=torch.float64)


GRU_STEP = Exercise(
    name="gru_step",
    equation="h = (1 − z) ⊙ n + z ⊙ h_prev with n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))",
    outputs=("h",),
    arg_names=("x", "h_prev", "cell"),
    reference=_gru,
    cases=step_cases(_gru_cell, "cell.r, cell.z, cell.n", "gru_step", with_c=False),
    mistakes=GRU_MISTAKES,
)


def check_gru_step(gru_step: object, seed: int = 0) -> None:
    """Check ``gru_step(x, h_prev, cell) -> h`` (B, H) with a random GRUCell (torch form)."""
    run(GRU_STEP, gru_step, seed)
