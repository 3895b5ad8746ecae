"""Check for notebook 05: a whole LSTM step written from the cell's four gates
(Hochreiter & Schmidhuber 1997; Gers et al. 2000), and the helpers the variant checks share.

    f, i, g, o = cell.f(x, h_prev), cell.i(x, h_prev), cell.g(x, h_prev), cell.o(x, h_prev)
    c = f ⊙ c_prev + i ⊙ g
    h = o ⊙ tanh(c)
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from ._core import Case, CheckFailed, Exercise, Mistake, run
from ._layer import SHAPES, bias, uniform

σ, tanh = torch.sigmoid, torch.tanh


def randomize(module: nn.Module, g: torch.Generator) -> nn.Module:
    """Random weights in [-0.8, 0.8] and biases bounded away from 0 (a zero bias hides bugs)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            is_bias = name.endswith("b") or name.startswith("b_")
            p.copy_(bias(g, p.numel()).view(p.shape) if is_bias else 0.8 * uniform(g, *p.shape))
    return module


def hide_answer(cell: nn.Module, name: str, gates: str) -> nn.Module:
    """Make ``cell(...)`` and ``cell.step`` fail: they would hand over the answer."""

    def answer_key(*args, **kwargs):
        raise CheckFailed(
            f"{name} must compute the step itself from the gates {gates}; calling cell(...) "
            "or cell.step just returns the answer."
        )

    cell.forward = answer_key
    cell.step = answer_key
    return cell


def layer(gate, x, h, act=None, W_T=True, U_T=True, swap=False, use_b=True):
    """``act(x W^T + h U^T + b)`` from a gate's parameters, optionally with a typical mistake."""
    W, U = (gate.U, gate.W) if swap else (gate.W, gate.U)
    z = x @ (W.T if W_T else W) + h @ (U.T if U_T else U)  # (B, H)
    z = z + gate.b if use_b and gate.b is not None else z
    return (act or (σ if gate.activation == "sigmoid" else tanh))(z)


def step_cases(make_cell, gates: str, name: str):
    """x (B, D), h_prev (B, H), c_prev (B, H) and a random cell from ``make_cell(D, H)``."""

    def cases(g: torch.Generator) -> list[Case]:
        out = []
        for B, D, H in SHAPES:
            cell = hide_answer(randomize(make_cell(D, H), g), name, gates)
            x = torch.randn(B, D, generator=g, dtype=torch.float64)
            h_prev, c_prev = (
                uniform(g, B, H),
                2 * torch.randn(B, H, generator=g, dtype=torch.float64),
            )
            out.append(Case((x, h_prev, c_prev, cell), B, D, H))
        return out

    return cases


def weight_mistakes(step, letters: str) -> list[Mistake]:
    """Mistakes in the gates' layers, in every gate or in one, for a step function
    ``step(x, h, c_prev, cell, options={gate letter: layer options}, use_h=...)``."""
    kinds = [
        ("W and U are swapped{where}: W multiplies x and U multiplies h_prev", dict(swap=True)),
        (
            "forgot to transpose W and U{where}: with one example per row, W x is written x @ W.T",
            dict(W_T=False, U_T=False),
        ),
        (
            "forgot to transpose W{where}: with one example per row, W x is written x @ W.T",
            dict(W_T=False),
        ),
        (
            "forgot to transpose U{where}: with one example per row, U h_prev is written "
            "h_prev @ U.T",
            dict(U_T=False),
        ),
        ("the bias is missing{where}: every gate has its own b", dict(use_b=False)),
    ]
    mistakes = []
    for text, option in kinds:
        for group in [letters, *letters]:
            where = " in the gates" if len(group) > 1 else f" in gate {group} (cell.{group})"
            options = {k: option for k in group}
            mistakes.append(
                Mistake(text.format(where=where) + ".", lambda *a, o=options: step(*a, options=o))
            )
    mistakes.append(
        Mistake(
            "the gates ignore h_prev: each gate reads x and h_prev.",
            lambda *a: step(*a, use_h="zero"),
        )
    )
    mistakes.append(
        Mistake(
            "the gates read c_prev where they should read h_prev.", lambda *a: step(*a, use_h="c")
        )
    )
    return mistakes


# ---- the full LSTM step


def _lstm(x, h, c_prev, cell, acts=None, order="figo", use_h="h", options=None):
    """The reference step; ``acts``/``order``/``use_h``/``options`` reproduce mistakes."""
    acts, options = acts or {}, options or {}
    r = {"h": h, "zero": torch.zeros_like(h), "c": c_prev}[use_h]
    gates = [getattr(cell, letter) for letter in order]
    f, i, g, o = (
        layer(gate, x, r, acts.get(role), **options.get(role, {}))
        for gate, role in zip(gates, "figo")
    )
    c = f * c_prev + i * g  # (B, H)
    h = o * tanh(c)  # (B, H)
    return h, c


def _lstm_mistakes() -> list[Mistake]:
    def gf(x, h, c_prev, cell):
        return (layer(getattr(cell, k), x, h) for k in "figo")

    def m(message, fn):
        return Mistake(message, fn)

    def out(expr):  # a mistake in the last two lines
        def fn(x, h, c_prev, cell):
            f, i, g, o = gf(x, h, c_prev, cell)
            return expr(f, i, g, o, c_prev)

        return fn

    mistakes = [
        m("returned (c, h): return them in the order (h, c).", lambda *a: _lstm(*a)[::-1]),
        m(
            "h uses C_t without tanh: h = o ⊙ tanh(c).",
            out(lambda f, i, g, o, c: (o * (f * c + i * g), f * c + i * g)),
        ),
        m(
            "tanh must be applied to c before multiplying by o: h = o ⊙ tanh(c).",
            out(lambda f, i, g, o, c: (tanh(o * (f * c + i * g)), f * c + i * g)),
        ),
        m(
            "h must use the new cell state c, not c_prev.",
            out(lambda f, i, g, o, c: (o * tanh(c), f * c + i * g)),
        ),
        m(
            "h is not multiplied by the output gate o: h = o ⊙ tanh(c).",
            out(lambda f, i, g, o, c: (tanh(f * c + i * g), f * c + i * g)),
        ),
        m("returned o instead of h = o ⊙ tanh(c).", out(lambda f, i, g, o, c: (o, f * c + i * g))),
        m(
            "returned c_prev instead of the new cell state c.",
            out(lambda f, i, g, o, c: (o * tanh(f * c + i * g), c)),
        ),
        m(
            "the cell state was not multiplied by f: c = f ⊙ c_prev + i ⊙ g.",
            out(lambda f, i, g, o, c: (o * tanh(c + i * g), c + i * g)),
        ),
        m(
            "the candidate was not multiplied by i: c = f ⊙ c_prev + i ⊙ g.",
            out(lambda f, i, g, o, c: (o * tanh(f * c + g), f * c + g)),
        ),
        m(
            "f and i are swapped: f (from cell.f) multiplies c_prev and i (from cell.i) "
            "multiplies g.",
            out(lambda f, i, g, o, c: (o * tanh(f * g + i * c), f * g + i * c)),
        ),
        m(
            "c must not be squashed by tanh: the tanh belongs to h = o ⊙ tanh(c).",
            out(lambda f, i, g, o, c: (o * tanh(tanh(f * c + i * g)), tanh(f * c + i * g))),
        ),
        m(
            "C̃ (g) uses σ instead of tanh: the candidate must lie between −1 and 1.",
            lambda *a: _lstm(*a, acts={"g": σ}),
        ),
    ]
    for role in "fio":
        mistakes.append(
            m(
                f"{role} uses tanh instead of σ: a gate must lie between 0 and 1.",
                lambda *a, role=role: _lstm(*a, acts={role: tanh}),
            )
        )
    for order in ("".join(p) for p in itertools.permutations("figo")):
        wrong = [f"{role} from cell.{k}" for role, k in zip("figo", order) if role != k]
        if wrong:
            mistakes.append(
                m(
                    f"the gates are in the wrong order (you took {', '.join(wrong)}): f comes from "
                    "cell.f, i from cell.i, C̃ from cell.g and o from cell.o.",
                    lambda *a, order=order: _lstm(*a, order=order),
                )
            )
    return [*mistakes, *weight_mistakes(_lstm, "figo")]


def _lstm_cell(D: int, H: int) -> nn.Module:
    from ..lstm import LSTMCell

    return LSTMCell(D, H, dtype=torch.float64)


LSTM_STEP = Exercise(
    name="lstm_step",
    equation="c = f ⊙ c_prev + i ⊙ g and h = o ⊙ tanh(c)",
    outputs=("h", "c"),
    arg_names=("x", "h_prev", "c_prev", "cell"),
    reference=_lstm,
    cases=step_cases(_lstm_cell, "cell.f, cell.i, cell.g, cell.o", "lstm_step"),
    mistakes=_lstm_mistakes(),
)


def check_lstm_step(lstm_step: object, seed: int = 0) -> None:
    """Check ``lstm_step(x, h_prev, c_prev, cell) -> (h, c)`` with a random LSTMCell."""
    run(LSTM_STEP, lstm_step, seed)
