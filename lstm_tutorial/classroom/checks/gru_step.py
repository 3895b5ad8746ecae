"""Check for notebook 10: a step of the GRU (Cho et al. 2014) in torch's form, where the reset
gate acts after the recurrent product (as in ``torch.nn.GRUCell`` and cuDNN). The reference is
``GRUCell.step``.

    r = σ(W_r x + U_r h_prev + b_r)
    z = σ(W_z x + U_z h_prev + b_z)
    n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))
    h = (1 − z) ⊙ n + z ⊙ h_prev
"""

from __future__ import annotations

import torch

from ...gru import GRUCell
from .cases import cell_cases
from .gate_swaps import (
    input_mistakes,
    mixed_up_mistakes,
    slot_mistakes,
    weight_mistakes,
    with_gates,
    wrong_layer_mistakes,
)
from .gru_candidate import CANDIDATE_MISTAKES
from .runner import Exercise, Mistake, run

σ, tanh = torch.sigmoid, torch.tanh


def step(cell, x, h_prev):
    return cell.step(x, h_prev)[0]  # (B, H)


def reference(x, h_prev, cell):
    return step(cell, x, h_prev)


def blend(expr):
    """A wrong last line ``expr(z, n, h_prev, r) -> h`` with the package's r, z and n."""

    def wrong(x, h_prev, cell):
        r, z, n, _ = cell.step(x, h_prev)[1]
        return expr(z, n, h_prev, r)

    wrong.expr = expr  # for two slips at once
    return wrong


def two_slips(candidates: list[Mistake], lines: list[Mistake]) -> list[Mistake]:
    """A wrong candidate n and a wrong last line at once, each from its own list."""

    def both(form, expr):
        def wrong(x, h_prev, cell):
            r, z, _, _ = cell.step(x, h_prev)[1]
            return expr(z, form(x, h_prev, r, cell.n.W, cell.n.U, cell.n.b, cell.b_hn), h_prev, r)

        return wrong

    return [
        Mistake(f"gru_step has two slips: {c.message[:-1]}; and {b.message}",
                both(c.fn.form, b.fn.expr))
        for c in candidates if hasattr(c.fn, "form")
        for b in lines if hasattr(b.fn, "expr")
    ]  # fmt: skip


def quantities(x, h_prev, cell) -> dict:
    """The values a student has at hand in the step, by name."""
    r, z, n, h = cell.step(x, h_prev)[1]
    return dict(x=x, h_prev=h_prev, r=r, z=z, n=n, h=h)


def _from_n(v, q, args):
    cell, (x, r, h_prev) = args[-1], v
    n = tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T + cell.b_hn))  # (B, H)
    return (1 - q["z"]) * n + q["z"] * q["h_prev"]


def _b_hn_in_r(x, h_prev, cell):
    r = σ(x @ cell.r.W.T + h_prev @ cell.r.U.T + cell.r.b + cell.b_hn)  # (B, H)
    z = σ(x @ cell.z.W.T + h_prev @ cell.z.U.T + cell.z.b)
    n = tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T))
    return (1 - z) * n + z * h_prev


VALUES = ["x", "h_prev", "r", "z", "n"]
SLOTS = [
    *slot_mistakes("h = (1 − z) ⊙ n + z ⊙ h_prev", ["z", "n", "z", "h_prev"],
                   lambda v, q, a: (1 - v[0]) * v[1] + v[2] * v[3], quantities, VALUES),
    *slot_mistakes("n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))", ["x", "r", "h_prev"],
                   _from_n, quantities, VALUES),
    *slot_mistakes("return h", ["h"], lambda v, q, a: v[0], quantities, VALUES),
]  # fmt: skip

m = Mistake
GRU_MISTAKES = [
    m("1 − z is missing its 1: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: -z * n + z * h)),
    m("the two terms are multiplied; add them: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 - z) * n * z * h)),
    m("z and h_prev are added, not multiplied: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 - z) * n + z + h)),
    m("(1 − z) and n are added, not multiplied: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 - z) + n + z * h)),
    m("z ⊙ h_prev is subtracted; add it: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 - z) * n - z * h)),
    m("z and 1 − z are swapped: here h = (1 − z) ⊙ n + z ⊙ h_prev, so z keeps the old state.",
      blend(lambda z, n, h, r: z * n + (1 - z) * h)),
    m("h must mix n with h_prev: h = (1 − z) ⊙ n + z ⊙ h_prev.", blend(lambda z, n, h, r: n)),
    m("the old state must be scaled by z: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 - z) * n + h)),
    m("n must be scaled by 1 − z: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: n + z * h)),
    m("(1 + z) should be (1 − z): h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 + z) * n + z * h)),
    m("the old state in h = (1 − z) ⊙ n + z ⊙ h_prev is h_prev itself; r acts only inside n.",
      blend(lambda z, n, h, r: (1 - z) * n + z * (r * h))),
    m("h_prev must be scaled by z, not 1 − z: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: (1 - z) * n + (1 - z) * h)),
    m("n must be scaled by 1 − z, not z: h = (1 − z) ⊙ n + z ⊙ h_prev.",
      blend(lambda z, n, h, r: z * n + z * h)),
    m("the signs of z are flipped: h = (1 + z) ⊙ n − z ⊙ h_prev, which is n + z ⊙ (n − h_prev), "
      "should be (1 − z) ⊙ n + z ⊙ h_prev = n + z ⊙ (h_prev − n).",
      blend(lambda z, n, h, r: (1 + z) * n - z * h)),
    m("1 − z needs parentheses: write (1 - z) * n, not 1 - z * n.",
      blend(lambda z, n, h, r: 1 - z * n + z * h)),
    m("h was squashed again by tanh: h = (1 − z) ⊙ n + z ⊙ h_prev is already bounded.",
      blend(lambda z, n, h, r: tanh((1 - z) * n + z * h))),
    m("h was squashed by σ: h = (1 − z) ⊙ n + z ⊙ h_prev, with no activation.",
      blend(lambda z, n, h, r: σ((1 - z) * n + z * h))),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      blend(lambda z, n, h, r: (1 - z) @ n + z @ h)),
    m("r and z are swapped: r (from cell.r) resets the candidate and z (from cell.z) mixes the "
      "states.", lambda x, h, cell: step(with_gates(cell, r=cell.z, z=cell.r), x, h)),
    m("n gets the update gate's values where the reset gate r belongs: either n reads z, or r is "
      "computed from cell.z's weights; r = σ(W_r x + U_r h_prev + b_r) from cell.r, and n has "
      "r ⊙ (U_n h_prev + b_hn).",
      lambda x, h, cell: blend(lambda z, n, h_, r: (1 - z) * cell.candidate(x, h, z) + z * h)(
          x, h, cell)),
    m("b_hn belongs to the candidate, inside the reset: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev "
      "+ b_hn)); r's own sum has only b_r.", _b_hn_in_r),
    *CANDIDATE_MISTAKES,
    *wrong_layer_mistakes(step, "rz", "rz"),
    *input_mistakes(step, "rz", quantities),
    *weight_mistakes(step, "rz", sources="n"),
    *SLOTS,
    *mixed_up_mistakes(step, "rz", "each gate value comes from the gate of the same name"),
]  # fmt: skip
GRU_MISTAKES += two_slips(CANDIDATE_MISTAKES, GRU_MISTAKES)

GRU_STEP = Exercise(
    name="gru_step",
    rows=True,
    equation="h = (1 − z) ⊙ n + z ⊙ h_prev with n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))",
    outputs=("h",),
    arg_names=("x", "h_prev", "cell"),
    gates="rz",
    reference=reference,
    cases=cell_cases(lambda D, H: GRUCell(D, H, dtype=torch.float64), with_c=False),
    mistakes=GRU_MISTAKES,
    hints=[
        ("'GRUCell' object has no attribute",
         "the weights live in the cell's gates cell.r, cell.z, cell.n (each .W, .U, .b), and the "
         "extra bias is cell.b_hn"),
        ("'Gate' object has no attribute 'b_hn'",
         "b_hn belongs to the cell, not to a gate: cell.b_hn"),
        ("'Gate' object has no attribute", "each gate holds its weights as .W, .U and .b"),
    ],
    guard=("", "write the four lines from the weights cell.r.W, ..., cell.b_hn"),
)  # fmt: skip


def check_gru_step(gru_step: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``gru_step(x, h_prev, cell) -> h`` (B, H) with a random GRUCell (torch form)."""
    run(GRU_STEP, gru_step, seed, quiet)
