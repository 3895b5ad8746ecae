"""Check for notebook 09: a step of the LSTM with coupled input and forget gates (CIFG,
Greff et al. 2017): the cell learns f, g and o only, and i = 1 − f. Its mistakes are the LSTM
step's (``lstm_step.py``) and the coupling's own slips below.

    c = f ⊙ c_prev + (1 − f) ⊙ g
    h = o ⊙ tanh(c)
"""

from __future__ import annotations

import torch

from ...lstm import LSTMCell, LSTMState
from .cases import cell_cases
from .gate_swaps import slot_mistakes
from .lstm_step import gate_hints, mistakes, quantities, reference, step_faults, two_slips
from .runner import Exercise, Mistake, run

σ, tanh = torch.sigmoid, torch.tanh


def coupled(expr):
    """A mistake in the coupled update ``expr(f, g, o, c_prev) -> c``, then h = o ⊙ tanh(c)."""

    def wrong(x, h_prev, c_prev, cell):
        r = cell.step(x, LSTMState(h_prev, c_prev))[1]
        c = expr(r.f, r.g, r.o, c_prev)  # (B, H)
        return r.o * tanh(c), c

    return wrong


COUPLED_SLIPS = [  # (sentence, c from (f, g, o, c_prev))
    ("the coupling is reversed: f keeps the old memory (f ⊙ c_prev) and i = 1 − f admits "
     "the candidate.", lambda f, g, o, c: (1 - f) * c + f * g),
    ("i must be 1 − f, not f: the candidate enters as (1 − f) ⊙ g.",
     lambda f, g, o, c: f * c + f * g),
    ("the candidate was not multiplied by i = 1 − f: c = f ⊙ c_prev + (1 − f) ⊙ g.",
     lambda f, g, o, c: f * c + g),
    ("i = 1 − f is missing its parentheses: compute (1 − f) ⊙ g, not 1 − f ⊙ g.",
     lambda f, g, o, c: f * c + 1 - f * g),
    ("i = 1 − f is a gate value: do not apply σ to it again.",
     lambda f, g, o, c: f * c + σ(1 - f) * g),
    ("the candidate g is missing: the new memory is (1 − f) ⊙ g.",
     lambda f, g, o, c: f * c + (1 - f)),
    ("i = −f is missing the 1: the candidate enters as (1 − f) ⊙ g.",
     lambda f, g, o, c: f * c - f * g),
    ("i = 1 − f, not 1 + f: the two gates share one budget.",
     lambda f, g, o, c: f * c + (1 + f) * g),
    ("i must be 1 − f (from the forget gate), not 1 − o.",
     lambda f, g, o, c: f * c + (1 - o) * g),
    ("the kept memory must be f ⊙ c_prev, not (1 − f) ⊙ c_prev with 1 − f again: "
     "c = f ⊙ c_prev + (1 − f) ⊙ g.", lambda f, g, o, c: (1 - f) * c + (1 - f) * g),
    ("i = 1 − f, not f − 1: f − 1 is negative, and a gate lies between 0 and 1.",
     lambda f, g, o, c: f * c + (f - 1) * g),
    ("i = 1 − f, not 1 / f: the two gates share one budget, f + i = 1.",
     lambda f, g, o, c: f * c + g / f),
    ("c = f ⊙ c_prev + (1 − f) ⊙ g is not halved: the coupling already keeps it a mix.",
     lambda f, g, o, c: (f * c + (1 - f) * g) / 2),
    ("i = σ(1 − z_f) is not 1 − σ(z_f): the coupling takes 1 − f after the σ, i = 1 − f.",
     lambda f, g, o, c: f * c + σ(1 - torch.logit(f)) * g),
    ("the candidate is multiplied by i = 1 − f twice: c = f ⊙ c_prev + (1 − f) ⊙ g.",
     lambda f, g, o, c: f * c + (1 - f) ** 2 * g),
]  # fmt: skip


def _i_without_bias(x, h_prev, c_prev, cell):
    r = cell.step(x, LSTMState(h_prev, c_prev))[1]
    i = 1 - σ(x @ cell.f.W.T + h_prev @ cell.f.U.T)  # (B, H)
    c = r.f * c_prev + i * r.g
    return r.o * tanh(c), c


CIFG_MISTAKES = [Mistake(message, coupled(expr)) for message, expr in COUPLED_SLIPS] + [
    Mistake("i is computed again from the forget gate's weights but without cell.f.b: use the "
            "very f of the forget gate, i = 1 − f.", _i_without_bias),
]  # fmt: skip
COUPLED = [(m, lambda q, e=e: e(q["f"], q["g"], q["o"], q["c_prev"])) for m, e in COUPLED_SLIPS]


def _from_i(values, q, args):
    c = q["f"] * q["c_prev"] + (1 - values[0]) * q["g"]  # (B, H)   coupled: i = 1 − f
    return q["o"] * tanh(c), c


I_SLOTS = slot_mistakes(
    "i = 1 − f", ["f"], _from_i, quantities, ["x", "h_prev", "c_prev", "i", "g", "o"]
)

CIFG_STEP = Exercise(
    name="cifg_step",
    rows=True,
    equation="c = f ⊙ c_prev + (1 − f) ⊙ g and h = o ⊙ tanh(c)",
    outputs=("h", "c"),
    arg_names=("x", "h_prev", "c_prev", "cell"),
    reference=reference,
    cases=cell_cases(lambda D, H: LSTMCell(D, H, dtype=torch.float64, coupled=True)),
    mistakes=[*CIFG_MISTAKES, *mistakes("fgo"), *I_SLOTS, *two_slips("cifg_step", "fgo", COUPLED)],
    hints=[
        ("'NoneType' object is not callable",
         "the coupled cell has no input gate (cell.i is None): compute i = 1 − f"),
        ("'NoneType' object has no attribute",
         "the coupled cell has no input gate (cell.i is None): compute i = 1 − f"),
        *gate_hints("fgo"),
    ],
    guard=("fgo", "write each gate from its weights (cell.f.W, cell.f.U, cell.f.b, ...)"),
    faults=step_faults("c = f ⊙ c_prev + (1 − f) ⊙ g", "f, g"),
    gates="fgo",
)  # fmt: skip


def check_cifg_step(cifg_step: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``cifg_step(x, h_prev, c_prev, cell) -> (h, c)`` with a random coupled LSTMCell."""
    run(CIFG_STEP, cifg_step, seed, quiet)
