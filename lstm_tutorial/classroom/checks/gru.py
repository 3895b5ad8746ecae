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
    w, u = x @ W, h @ U  # (B, H)
    a = w + b_n
    z = {
        "torch": a + r * (u + b_hn),
        "b_n inside reset": w + r * (u + b_n + b_hn),
        "biases swapped": w + b_hn + r * (u + b_n),
        "no b_n": w + r * (u + b_hn),
        "reset twice": a + r * ((r * h) @ U + b_hn),
        "1 - r": a + (1 - r) * (u + b_hn),
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
    x,
    h,
    cell,
    acts=None,
    swap_rz=False,
    form="torch",
    blend="torch",
    use_h="h",
    options=None,
    reset_by_z=False,
):
    """The reference step; the keyword arguments reproduce mistakes."""
    acts, options = acts or {}, options or {}
    hr = torch.zeros_like(h) if use_h == "zero" else h
    gr, gz = (cell.z, cell.r) if swap_rz else (cell.r, cell.z)
    r = layer(gr, x, hr, acts.get("r"), **options.get("r", {}))  # (B, H)
    z = layer(gz, x, hr, acts.get("z"), **options.get("z", {}))  # (B, H)
    reset = z if reset_by_z else r
    n = _candidate(cell, x, hr, reset, form, acts.get("n"), **options.get("n", {}))  # (B, H)
    return {
        "torch": (1 - z) * n + z * h,
        "1 + z": (1 + z) * n + z * h,
        "1 - z on both": (1 - z) * n + (1 - z) * h,
        "z on both": z * n + z * h,
        "no parentheses": 1 - z * n + z * h,
        "tanh": tanh((1 - z) * n + z * h),
        "σ": σ((1 - z) * n + z * h),
        "swapped": z * n + (1 - z) * h,
        "n only": n,
        "no z on h": (1 - z) * n + h,
        "no 1 - z on n": n + z * h,
        "reset h": (1 - z) * n + z * (r * h),
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
    _m("(1 + z) should be (1 − z): h = (1 − z) ⊙ n + z ⊙ h_prev.", blend="1 + z"),
    _m(
        "the old state in h = (1 − z) ⊙ n + z ⊙ h_prev is h_prev itself; r acts only inside n.",
        blend="reset h",
    ),
    _m(
        "h_prev must be scaled by z, not 1 − z: h = (1 − z) ⊙ n + z ⊙ h_prev.",
        blend="1 - z on both",
    ),
    _m("n must be scaled by 1 − z, not z: h = (1 − z) ⊙ n + z ⊙ h_prev.", blend="z on both"),
    _m(
        "1 − z needs parentheses: write (1 - z) * n, not 1 - z * n.",
        blend="no parentheses",
    ),
    _m(
        "h was squashed again by tanh: h = (1 − z) ⊙ n + z ⊙ h_prev is already bounded.",
        blend="tanh",
    ),
    _m("h was squashed by σ: h = (1 − z) ⊙ n + z ⊙ h_prev, with no activation.", blend="σ"),
    _m(
        "b_n belongs outside the reset, next to W_n x: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev "
        "+ b_hn)).",
        form="b_n inside reset",
    ),
    _m(
        "b_n and b_hn are swapped: b_n = cell.n.b goes next to W_n x, and cell.b_hn inside "
        "r ⊙ (U_n h_prev + b_hn).",
        form="biases swapped",
    ),
    _m(
        "the bias b_n (cell.n.b) is missing from n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
        form="no b_n",
    ),
    _m(
        "r is applied twice (to h_prev and to U_n h_prev); torch's form applies it once: "
        "r ⊙ (U_n h_prev + b_hn).",
        form="reset twice",
    ),
    _m(
        "n uses 1 − r where r belongs: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
        form="1 - r",
    ),
    _m(
        "n uses the update gate z where the reset gate r belongs: r ⊙ (U_n h_prev + b_hn).",
        reset_by_z=True,
    ),
    _m("n uses σ instead of tanh: the candidate must lie between −1 and 1.", acts={"n": σ}),
    _m("n uses ReLU instead of tanh: use torch.tanh.", acts={"n": torch.relu}),
    _m("r uses tanh instead of σ: a gate must lie between 0 and 1.", acts={"r": tanh}),
    _m("z uses tanh instead of σ: a gate must lie between 0 and 1.", acts={"z": tanh}),
    *weight_mistakes(_gru, "rzn", has_c=False),
]


def _gru_cell(D: int, H: int) -> nn.Module:
    from ... import gru

    return gru.GRUCell(D, H, reset_after=True, dtype=torch.float64)


GRU_STEP = Exercise(
    name="gru_step",
    equation="h = (1 − z) ⊙ n + z ⊙ h_prev with n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))",
    outputs=("h",),
    arg_names=("x", "h_prev", "cell"),
    reference=_gru,
    cases=step_cases(_gru_cell, "cell.r, cell.z, cell.n", "gru_step", with_c=False),
    mistakes=GRU_MISTAKES,
    hints=[
        (
            "'GRUCell' object has no attribute",
            "the weights live in the cell's gates cell.r, cell.z, cell.n (each .W, .U, .b), "
            "and the extra bias is cell.b_hn",
        ),
        (
            "'Gate' object has no attribute 'b_hn'",
            "b_hn belongs to the cell, not to a gate: cell.b_hn",
        ),
        ("'Gate' object has no attribute", "each gate holds its weights as .W, .U and .b"),
    ],
)


def check_gru_step(gru_step: object, seed: int = 0) -> None:
    """Check ``gru_step(x, h_prev, cell) -> h`` (B, H) with a random GRUCell (torch form)."""
    run(GRU_STEP, gru_step, seed)
