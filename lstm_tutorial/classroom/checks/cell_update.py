"""Check for notebook 04: the cell update of the LSTM, c = f ⊙ c_prev + i ⊙ g (Hochreiter &
Schmidhuber 1997, with the forget gate of Gers et al. 2000). All four arguments are (B, H)."""

from __future__ import annotations

import torch

from .calling import ERROR_HINTS
from .cases import SHAPES, Case, uniform
from .exercise import with_changed_arguments
from .runner import Exercise, Mistake, run

ELEMENTWISE = "⊙ is the element-wise product, written *, not the matrix product @"
DEFAULT_HINT = f"all four inputs have shape (B, H), and {ELEMENTWISE}"
C = "c = f ⊙ c_prev + i ⊙ g"


def _update_cases(g: torch.Generator) -> list[Case]:
    """c_prev unbounded, f and i in (0, 1), g in (−1, 1), for the (B, H) of every shape."""
    cases = []
    for B, _, H in SHAPES:
        c_prev = 2 * torch.randn(B, H, generator=g, dtype=torch.float64)
        f, i = uniform(g, B, H, low=0.05, high=0.95), uniform(g, B, H, low=0.05, high=0.95)
        cases.append(Case((c_prev, f, i, uniform(g, B, H, low=-0.95, high=0.95)), B, 0, H))
    return cases


def _update(c_prev, f, i, g):
    return f * c_prev + i * g  # (B, H), the line of LSTMCell.step


# (sentence, wrong update (c_prev, f, i, g) -> c); lstm_step.py puts each in the LSTM step
UPDATE_MISTAKES = [
    ("the cell state was not multiplied by f: the kept memory is f ⊙ c_prev.",
     lambda c, f, i, g: c + i * g),
    ("the candidate was not multiplied by i: the new memory is i ⊙ g.",
     lambda c, f, i, g: f * c + g),
    ("f and i are swapped: f multiplies c_prev and i multiplies g.",
     lambda c, f, i, g: f * g + i * c),
    (f"the new memory i ⊙ g is missing: {C}.", lambda c, f, i, g: f * c),
    (f"the kept memory f ⊙ c_prev is missing: {C}.", lambda c, f, i, g: i * g),
    ("the candidate g is missing from the new memory i ⊙ g.", lambda c, f, i, g: f * c + i),
    ("the terms are paired wrongly: f goes with c_prev and i with g.",
     lambda c, f, i, g: f * i + c * g),
    (f"the two terms are added, not multiplied: {C}.", lambda c, f, i, g: f * c * i * g),
    ("c uses 1 − f: f ⊙ c_prev already keeps memory where f is close to 1.",
     lambda c, f, i, g: (1 - f) * c + i * g),
    ("this is the coupled update with i = 1 − f; here use the input gate i.",
     lambda c, f, i, g: f * c + (1 - f) * g),
    ("c must not be squashed by tanh: the tanh belongs to h = o ⊙ tanh(c).",
     lambda c, f, i, g: torch.tanh(f * c + i * g)),
    (f"c must not be squashed by σ: {C} is a plain sum.",
     lambda c, f, i, g: torch.sigmoid(f * c + i * g)),
    ("c uses 1 − i: the input gate i itself scales the candidate, i ⊙ g.",
     lambda c, f, i, g: f * c + (1 - i) * g),
    (f"the new memory i ⊙ g is subtracted; add it: {C}.", lambda c, f, i, g: f * c - i * g),
    ("c_prev is counted twice: the only old memory kept is f ⊙ c_prev.",
     lambda c, f, i, g: f * c + i * g + c),
    ("f and c_prev are added, not multiplied: the kept memory is f ⊙ c_prev.",
     lambda c, f, i, g: f + c + i * g),
    ("g is already a tanh output: do not apply tanh to it again.",
     lambda c, f, i, g: f * c + i * torch.tanh(g)),
    ("f and i are already gate values: do not apply σ to them again.",
     lambda c, f, i, g: torch.sigmoid(f) * c + torch.sigmoid(i) * g),
    (f"{ELEMENTWISE}.", lambda c, f, i, g: f @ c + i @ g),
    (f"f multiplies only c_prev: {C}, not f ⊙ (c_prev + i ⊙ g).",
     lambda c, f, i, g: f * (c + i * g)),
    (f"g multiplies only i: {C}, not (f ⊙ c_prev + i) ⊙ g.", lambda c, f, i, g: (f * c + i) * g),
    ("i and g are added, not multiplied: the new memory is i ⊙ g.",
     lambda c, f, i, g: f * c + i + g),
    (f"c is halved: {C} is the plain sum of the two terms, not their mean.",
     lambda c, f, i, g: (f * c + i * g) / 2),
    ("f, i and g are already activations: do not apply σ to f and i or tanh to g again.",
     lambda c, f, i, g: torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)),
    (f"c is divided by f + i: {C} is the plain sum, not a weighted average.",
     lambda c, f, i, g: (f * c + i * g) / (f + i)),
    (f"c takes the larger of the two terms: {C} adds them.",
     lambda c, f, i, g: torch.maximum(f * c, i * g)),
]  # fmt: skip
SQUASHED = [  # a second slip under a squashing tanh or σ
    (f"cell_update has two slips: c must not be squashed by {name}, and {message}",
     lambda c, f, i, g, fn=fn, act=act: act(fn(c, f, i, g)))
    for name, act in (("tanh", torch.tanh), ("σ", torch.sigmoid))
    for message, fn in UPDATE_MISTAKES
    if "squashed" not in message
]  # fmt: skip
INPUT_SLIPS = [  # a second slip in what the update is given: (what is wrong, new (c, f, i, g))
    ("f and i are swapped", lambda c, f, i, g: (c, i, f, g)),
    ("tanh is applied to g again", lambda c, f, i, g: (c, f, i, torch.tanh(g))),
    ("σ is applied to f and i again", lambda c, f, i, g: (c, *map(torch.sigmoid, (f, i)), g)),
    ("1 − f stands where f belongs", lambda c, f, i, g: (c, 1 - f, i, g)),
]
UPDATES = [Mistake(*m) for m in UPDATE_MISTAKES]

CELL_UPDATE = Exercise(
    name="cell_update",
    rows=True,
    equation=C,
    outputs=("c",),
    arg_names=("c_prev", "f", "i", "g"),
    reference=_update,
    cases=_update_cases,
    sizes="BH",
    hints=[
        ("mat1 and mat2", ELEMENTWISE),
        ("must match the size", f"all four inputs have shape (B, H), and {ELEMENTWISE}"),
        *ERROR_HINTS,
        ("", DEFAULT_HINT),
    ],
    shape_hint=ELEMENTWISE,
    mistakes=[
        *UPDATES,
        *(Mistake(*m) for m in SQUASHED),
        *with_changed_arguments("cell_update", INPUT_SLIPS, UPDATES),
    ],
)


def check_cell_update(cell_update: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``cell_update(c_prev, f, i, g) -> c`` (B, H) on random inputs."""
    run(CELL_UPDATE, cell_update, seed, quiet)
