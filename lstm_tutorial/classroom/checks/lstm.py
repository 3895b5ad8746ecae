"""Checks for notebooks 03-05: the LSTM's gates, its cell update and a whole step
(Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    f = σ(W_f x + U_f h_prev + b_f)      i = σ(W_i x + U_i h_prev + b_i)
    g = tanh(W_g x + U_g h_prev + b_g)   o = σ(W_o x + U_o h_prev + b_o)
    c = f ⊙ c_prev + i ⊙ g               h = o ⊙ tanh(c)
"""

from __future__ import annotations

import torch

from ._core import Case, Mistake
from ._layer import layer, layer_cases, layer_mistakes, uniform
from ._run import Exercise, run


def _gate(name: str, letter: str, act: str, symbol: str) -> Exercise:
    s = f"_{letter}"
    return Exercise(
        name=name,
        equation=f"{symbol} = {act}(W{s} x + U{s} h_prev + b{s})",
        outputs=(letter,),
        arg_names=("x", "h_prev", f"W{s}", f"U{s}", f"b{s}"),
        reference=layer(act),
        cases=layer_cases,
        mistakes=layer_mistakes(symbol, act, suffix=s),
    )


FORGET_GATE = _gate("forget_gate", "f", "σ", "f")
INPUT_GATE = _gate("input_gate", "i", "σ", "i")
CANDIDATE = _gate("candidate", "g", "tanh", "C̃")
OUTPUT_GATE = _gate("output_gate", "o", "σ", "o")


def check_forget_gate(forget_gate: object, seed: int = 0) -> None:
    """Check ``forget_gate(x, h_prev, W_f, U_f, b_f) -> f`` (B, H) on random inputs."""
    run(FORGET_GATE, forget_gate, seed)


def check_input_gate(input_gate: object, seed: int = 0) -> None:
    """Check ``input_gate(x, h_prev, W_i, U_i, b_i) -> i`` (B, H) on random inputs."""
    run(INPUT_GATE, input_gate, seed)


def check_candidate(candidate: object, seed: int = 0) -> None:
    """Check ``candidate(x, h_prev, W_g, U_g, b_g) -> g`` (the C̃ of the essay) on random inputs."""
    run(CANDIDATE, candidate, seed)


def check_output_gate(output_gate: object, seed: int = 0) -> None:
    """Check ``output_gate(x, h_prev, W_o, U_o, b_o) -> o`` (B, H) on random inputs."""
    run(OUTPUT_GATE, output_gate, seed)


# ---- the cell update: c = f ⊙ c_prev + i ⊙ g


def _update_cases(g: torch.Generator) -> list[Case]:
    """c_prev (B, H) unbounded, f and i in (0, 1), g in (−1, 1); B ≠ H so @ fails visibly."""
    cases = []
    for B, H in [(3, 4), (2, 5), (5, 3), (1, 6)]:
        c_prev = 2 * torch.randn(B, H, generator=g, dtype=torch.float64)
        f, i = uniform(g, B, H, low=0.05, high=0.95), uniform(g, B, H, low=0.05, high=0.95)
        cases.append(Case((c_prev, f, i, uniform(g, B, H, low=-0.95, high=0.95)), B, 0, H))
    return cases


def _update(c_prev, f, i, g):
    return f * c_prev + i * g  # (B, H)


CELL_UPDATE = Exercise(
    name="cell_update",
    equation="c = f ⊙ c_prev + i ⊙ g",
    outputs=("c",),
    arg_names=("c_prev", "f", "i", "g"),
    reference=_update,
    cases=_update_cases,
    hints=[
        ("mat1 and mat2", "⊙ is the element-wise product, written *, not the matrix product @"),
        (
            "must match the size",
            "all four inputs have shape (B, H), and ⊙ is the element-wise "
            "product, written *, not the matrix product @",
        ),
    ],
    shape_hint="⊙ is the element-wise product, written *, not the matrix product @",
    mistakes=[
        Mistake(
            "the cell state was not multiplied by f: the kept memory is f ⊙ c_prev.",
            lambda c, f, i, g: c + i * g,
        ),
        Mistake(
            "the candidate was not multiplied by i: the new memory is i ⊙ g.",
            lambda c, f, i, g: f * c + g,
        ),
        Mistake(
            "f and i are swapped: f multiplies c_prev and i multiplies g.",
            lambda c, f, i, g: f * g + i * c,
        ),
        Mistake(
            "the new memory i ⊙ g is missing: c = f ⊙ c_prev + i ⊙ g.", lambda c, f, i, g: f * c
        ),
        Mistake(
            "the kept memory f ⊙ c_prev is missing: c = f ⊙ c_prev + i ⊙ g.",
            lambda c, f, i, g: i * g,
        ),
        Mistake(
            "the candidate g is missing from the new memory i ⊙ g.", lambda c, f, i, g: f * c + i
        ),
        Mistake(
            "the terms are paired wrongly: f goes with c_prev and i with g.",
            lambda c, f, i, g: f * i + c * g,
        ),
        Mistake(
            "the two terms are added, not multiplied: c = f ⊙ c_prev + i ⊙ g.",
            lambda c, f, i, g: f * c * i * g,
        ),
        Mistake(
            "c uses 1 − f: f ⊙ c_prev already keeps memory where f is close to 1.",
            lambda c, f, i, g: (1 - f) * c + i * g,
        ),
        Mistake(
            "this is the coupled update with i = 1 − f; here use the input gate i.",
            lambda c, f, i, g: f * c + (1 - f) * g,
        ),
        Mistake(
            "c must not be squashed by tanh: the tanh belongs to h = o ⊙ tanh(c).",
            lambda c, f, i, g: torch.tanh(f * c + i * g),
        ),
        Mistake(
            "c must not be squashed by σ: c = f ⊙ c_prev + i ⊙ g is a plain sum.",
            lambda c, f, i, g: torch.sigmoid(f * c + i * g),
        ),
        Mistake(
            "c uses 1 − i: the input gate i itself scales the candidate, i ⊙ g.",
            lambda c, f, i, g: f * c + (1 - i) * g,
        ),
        Mistake(
            "the new memory i ⊙ g is subtracted; add it: c = f ⊙ c_prev + i ⊙ g.",
            lambda c, f, i, g: f * c - i * g,
        ),
        Mistake(
            "c_prev is counted twice: the only old memory kept is f ⊙ c_prev.",
            lambda c, f, i, g: f * c + i * g + c,
        ),
        Mistake(
            "f and c_prev are added, not multiplied: the kept memory is f ⊙ c_prev.",
            lambda c, f, i, g: f + c + i * g,
        ),
        Mistake(
            "g is already a tanh output: do not apply tanh to it again.",
            lambda c, f, i, g: f * c + i * torch.tanh(g),
        ),
        Mistake(
            "f and i are already gate values: do not apply σ to them again.",
            lambda c, f, i, g: torch.sigmoid(f) * c + torch.sigmoid(i) * g,
        ),
    ],
)


def check_cell_update(cell_update: object, seed: int = 0) -> None:
    """Check ``cell_update(c_prev, f, i, g) -> c`` (B, H) on random inputs."""
    run(CELL_UPDATE, cell_update, seed)
