"""Checks for a whole LSTM step written from the cell's gates: notebook 05 (the LSTM of
Hochreiter & Schmidhuber 1997 with the forget gate of Gers et al. 2000) and notebook 09 (coupled
input and forget gates, CIFG, Greff et al. 2017).

    f, i, g, o = cell.f(x, h_prev), cell.i(x, h_prev), cell.g(x, h_prev), cell.o(x, h_prev)
    i = 1 − f                      (CIFG: the coupled cell has no gate i)
    c = f ⊙ c_prev + i ⊙ g
    h = o ⊙ tanh(c)
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from ._cells import layer, step_cases, weight_mistakes
from ._core import Mistake
from ._run import Exercise, run

σ, tanh, relu = torch.sigmoid, torch.tanh, torch.relu


def _lstm(x, h, c_prev, cell, acts=None, order=None, use_h="h", options=None, c_gates=""):
    """The reference step; the keyword arguments reproduce mistakes (``c_gates``: the gates
    that read c_prev in place of h_prev)."""
    acts, options = acts or {}, options or {}
    letters = "fgo" if cell.i is None else "figo"
    r = {"h": h, "zero": torch.zeros_like(h), "c": c_prev}[use_h]
    a = {
        role: layer(
            getattr(cell, k),
            x,
            c_prev if role in c_gates else r,
            acts.get(role),
            **options.get(role, {}),
        )
        for role, k in zip(letters, order or letters)
    }
    f, g, o = a["f"], a["g"], a["o"]
    i = a["i"] if "i" in a else 1 - f  # (B, H)
    c = f * c_prev + i * g  # (B, H)
    h = o * tanh(c)  # (B, H)
    return h, c


def _out(expr):
    """A mistake in the last two lines: ``expr(f, i, g, o, c_prev) -> (h, c)``."""

    def step(x, h, c_prev, cell):
        f, g, o = (layer(getattr(cell, k), x, h) for k in "fgo")
        i = 1 - f if cell.i is None else layer(cell.i, x, h)
        return expr(f, i, g, o, c_prev)

    return step


def lstm_mistakes(letters: str) -> list[Mistake]:
    """Mistakes in a step of a cell whose learned gates are ``letters`` ("figo" or "fgo")."""
    m = Mistake
    mistakes = [
        m("returned (c, h): return them in the order (h, c).", lambda *a: _lstm(*a)[::-1]),
        m(
            "h uses C_t without tanh: h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (o * (f * c + i * g), f * c + i * g)),
        ),
        m(
            "tanh must be applied to c before multiplying by o: h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (tanh(o * (f * c + i * g)), f * c + i * g)),
        ),
        m(
            "h must use the new cell state c, not c_prev.",
            _out(lambda f, i, g, o, c: (o * tanh(c), f * c + i * g)),
        ),
        m(
            "h is not multiplied by the output gate o: h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (tanh(f * c + i * g), f * c + i * g)),
        ),
        m("returned o instead of h = o ⊙ tanh(c).", _out(lambda f, i, g, o, c: (o, f * c + i * g))),
        m(
            "returned c_prev instead of the new cell state c.",
            _out(lambda f, i, g, o, c: (o * tanh(f * c + i * g), c)),
        ),
        m(
            "the cell state was not multiplied by f: c = f ⊙ c_prev + i ⊙ g.",
            _out(lambda f, i, g, o, c: (o * tanh(c + i * g), c + i * g)),
        ),
        m(
            "the cell update must use c_prev, not h_prev: c = f ⊙ c_prev + i ⊙ g.",
            lambda x, h, c_prev, cell: _lstm(x, h, h, cell),  # h_prev where c_prev belongs
        ),
        m(
            "c must not be squashed by tanh: the tanh belongs to h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (o * tanh(tanh(f * c + i * g)), tanh(f * c + i * g))),
        ),
        m(
            "C̃ (g) uses σ instead of tanh: the candidate must lie between −1 and 1.",
            lambda *a: _lstm(*a, acts={"g": σ}),
        ),
        m(
            "C̃ (g) uses ReLU instead of tanh: use torch.tanh.",
            lambda *a: _lstm(*a, acts={"g": relu}),
        ),
        m(
            "h was squashed once more by σ: h = o ⊙ tanh(c) is the output as it is.",
            _out(lambda f, i, g, o, c: (σ(o * tanh(f * c + i * g)), f * c + i * g)),
        ),
        m(
            "h uses σ(c) instead of tanh(c): h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (o * σ(f * c + i * g), f * c + i * g)),
        ),
        m(
            "h uses ReLU(c) instead of tanh(c): h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (o * relu(f * c + i * g), f * c + i * g)),
        ),
        m(
            "the tanh is applied to o instead of c: h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (tanh(o) * (f * c + i * g), f * c + i * g)),
        ),
        m(
            "o and tanh(c) are added, not multiplied: h = o ⊙ tanh(c).",
            _out(lambda f, i, g, o, c: (o + tanh(f * c + i * g), f * c + i * g)),
        ),
        m(
            "h_prev was added to h: h = o ⊙ tanh(c) alone (the memory is carried by c).",
            lambda x, h, c_prev, cell: (
                _lstm(x, h, c_prev, cell)[0] + h,
                _lstm(x, h, c_prev, cell)[1],
            ),
        ),
        m(
            "returned tanh(c) as the cell state: return c itself; tanh(c) is only used for h.",
            _out(lambda f, i, g, o, c: (o * tanh(f * c + i * g), tanh(f * c + i * g))),
        ),
    ]
    if "i" in letters:
        mistakes += [
            m(
                "the candidate was not multiplied by i: c = f ⊙ c_prev + i ⊙ g.",
                _out(lambda f, i, g, o, c: (o * tanh(f * c + g), f * c + g)),
            ),
            m(
                "f and i are swapped: f (from cell.f) multiplies c_prev and i (from cell.i) "
                "multiplies g.",
                _out(lambda f, i, g, o, c: (o * tanh(f * g + i * c), f * g + i * c)),
            ),
        ]
    for role in letters.replace("g", ""):
        mistakes.append(
            m(
                f"{role} uses tanh instead of σ: a gate must lie between 0 and 1.",
                lambda *a, role=role: _lstm(*a, acts={role: tanh}),
            )
        )
    # a gate computed from another gate's parameters, with that gate's activation (cell.i(x, h)
    # for f) or with its own (forget_gate(x, h, cell.i.W, cell.i.U, cell.i.b))
    for order in ("".join(p) for p in itertools.product(letters, repeat=len(letters))):
        wrong = [f"{role} from cell.{k}" for role, k in zip(letters, order) if role != k]
        for own in (False, True) if wrong else ():
            acts = {role: σ if role != "g" else tanh for role in letters} if own else None
            mistakes.append(
                m(
                    f"the gates are mixed up (you took {', '.join(wrong)}): each value comes from "
                    "the gate of the same name (C̃ from cell.g).",
                    lambda *a, order=order, acts=acts: _lstm(*a, order=order, acts=acts),
                )
            )
    return [*mistakes, *weight_mistakes(_lstm, letters)]


def _lstm_cell(D: int, H: int) -> nn.Module:
    from ...lstm import LSTMCell

    return LSTMCell(D, H, dtype=torch.float64)


def gate_hints(gates: str) -> list[tuple[str, str]]:
    """Hints for a step that reaches for weights where an LSTMCell does not keep them."""
    first, *rest = gates.split(", ")
    others = ", ".join(f"cell.{g}" for g in rest[:-1]) + f" and cell.{rest[-1]}"
    return [
        (
            "'LSTMCell' object has no attribute",
            f"the weights live in the cell's gates: cell.{first}.W, cell.{first}.U, "
            f"cell.{first}.b, and the same for {others}",
        ),
        ("'Gate' object has no attribute", "each gate holds its weights as .W, .U and .b"),
    ]


LSTM_STEP = Exercise(
    name="lstm_step",
    equation="c = f ⊙ c_prev + i ⊙ g and h = o ⊙ tanh(c)",
    outputs=("h", "c"),
    arg_names=("x", "h_prev", "c_prev", "cell"),
    reference=_lstm,
    cases=step_cases(_lstm_cell, "cell.f, cell.i, cell.g, cell.o", "lstm_step"),
    mistakes=lstm_mistakes("figo"),
    hints=gate_hints("f, i, g, o"),
)


def check_lstm_step(lstm_step: object, seed: int = 0) -> None:
    """Check ``lstm_step(x, h_prev, c_prev, cell) -> (h, c)`` with a random LSTMCell."""
    run(LSTM_STEP, lstm_step, seed)
