"""Check for notebook 09: a step of the LSTM with coupled input and forget gates (CIFG,
Greff et al. 2017): the cell learns f, g and o only, and i = 1 − f.

    f, g, o = cell.f(x, h_prev), cell.g(x, h_prev), cell.o(x, h_prev)
    c = f ⊙ c_prev + (1 − f) ⊙ g
    h = o ⊙ tanh(c)
"""

from __future__ import annotations

import torch
from torch import nn

from ._cells import layer, step_cases
from ._core import Mistake
from ._run import Exercise, run
from .step import _lstm, gate_hints, lstm_mistakes


def _coupled(x, h, c_prev, cell, expr):
    """A mistake in the coupled update: ``expr(f, g, c_prev) -> c``, then h = o ⊙ tanh(c)."""
    f, g, o = (layer(getattr(cell, k), x, h) for k in "fgo")
    c = expr(f, g, c_prev)  # (B, H)
    return o * torch.tanh(c), c


def _mistake(message: str, expr) -> Mistake:
    return Mistake(message, lambda x, h, c, cell: _coupled(x, h, c, cell, expr))


def _one_minus_o(x, h, c_prev, cell):
    """A coupled step with i = 1 − o, a slip of the letter."""
    f, g, o = (layer(getattr(cell, k), x, h) for k in "fgo")
    c = f * c_prev + (1 - o) * g  # (B, H)
    return o * torch.tanh(c), c


CIFG_MISTAKES = [
    _mistake(
        "the coupling is reversed: f keeps the old memory (f ⊙ c_prev) and i = 1 − f "
        "admits the candidate.",
        lambda f, g, c: (1 - f) * c + f * g,
    ),
    _mistake(
        "i must be 1 − f, not f: the candidate enters as (1 − f) ⊙ g.",
        lambda f, g, c: f * c + f * g,
    ),
    _mistake(
        "the candidate was not multiplied by i = 1 − f: c = f ⊙ c_prev + (1 − f) ⊙ g.",
        lambda f, g, c: f * c + g,
    ),
    _mistake(
        "i = 1 − f is missing its parentheses: compute (1 − f) ⊙ g, not 1 − f ⊙ g.",
        lambda f, g, c: f * c + 1 - f * g,
    ),
    _mistake(
        "i = 1 − f is a gate value: do not apply σ to it again.",
        lambda f, g, c: f * c + torch.sigmoid(1 - f) * g,
    ),
    _mistake(
        "the candidate g is missing: the new memory is (1 − f) ⊙ g.",
        lambda f, g, c: f * c + (1 - f),
    ),
    _mistake(
        "i = −f is missing the 1: the candidate enters as (1 − f) ⊙ g.",
        lambda f, g, c: f * c - f * g,
    ),
    Mistake(
        "i must be 1 − f (from the forget gate), not 1 − o.",
        _one_minus_o,
    ),
]


def _coupled_cell(D: int, H: int) -> nn.Module:
    from ...lstm import LSTMCell

    return LSTMCell(D, H, dtype=torch.float64, coupled=True)


CIFG_STEP = Exercise(
    name="cifg_step",
    equation="c = f ⊙ c_prev + (1 − f) ⊙ g and h = o ⊙ tanh(c)",
    outputs=("h", "c"),
    arg_names=("x", "h_prev", "c_prev", "cell"),
    reference=_lstm,
    cases=step_cases(_coupled_cell, "cell.f, cell.g, cell.o", "cifg_step"),
    mistakes=[*CIFG_MISTAKES, *lstm_mistakes("fgo")],
    hints=[
        (
            "'NoneType' object is not callable",
            "the coupled cell has no input gate (cell.i is None): compute i = 1 − f",
        ),
        (
            "'NoneType' object has no attribute",
            "the coupled cell has no input gate (cell.i is None): compute i = 1 − f",
        ),
        *gate_hints("f, g, o"),
    ],
)


def check_cifg_step(cifg_step: object, seed: int = 0) -> None:
    """Check ``cifg_step(x, h_prev, c_prev, cell) -> (h, c)`` with a random coupled LSTMCell."""
    run(CIFG_STEP, cifg_step, seed)
