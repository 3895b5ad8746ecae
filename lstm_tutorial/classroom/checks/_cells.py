"""Helpers for the checks whose exercise receives a whole cell (LSTM, CIFG, GRU): random cells,
cases, a gate's layer with optional typical mistakes, and the mistakes in the gates' weights."""

from __future__ import annotations

import torch
from torch import nn

from ._core import Case, CheckFailed, Mistake
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

    for method in ("forward", "step", "candidate"):
        if hasattr(cell, method):
            setattr(cell, method, answer_key)
    return cell


def layer(gate, x, h, act=None, W_T=True, U_T=True, swap=False, use_b=True):
    """``act(x W^T + h U^T + b)`` from a gate's parameters, optionally with a typical mistake."""
    W, U = (gate.U, gate.W) if swap else (gate.W, gate.U)
    z = x @ (W.T if W_T else W) + h @ (U.T if U_T else U)  # (B, H)
    z = z + gate.b if use_b and gate.b is not None else z
    return (act or (σ if gate.activation == "sigmoid" else tanh))(z)


def step_cases(make_cell, gates: str, name: str, with_c: bool = True):
    """x (B, D), h_prev (B, H), c_prev (B, H) (if ``with_c``) and a random ``make_cell(D, H)``."""

    def cases(g: torch.Generator) -> list[Case]:
        out = []
        for B, D, H in SHAPES:
            cell = hide_answer(randomize(make_cell(D, H), g), name, gates)
            x = torch.randn(B, D, generator=g, dtype=torch.float64)
            h_prev, c_prev = (
                uniform(g, B, H),
                2 * torch.randn(B, H, generator=g, dtype=torch.float64),
            )
            args = (x, h_prev, c_prev, cell) if with_c else (x, h_prev, cell)
            out.append(Case(args, B, D, H))
        return out

    return cases


def weight_mistakes(step, letters: str, has_c: bool = True) -> list[Mistake]:
    """Mistakes in the gates' layers, in every gate or in one, for a step function
    ``step(x, h, c_prev, cell, options={gate letter: layer options}, use_h=..., c_gates=...)``."""
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
    if has_c:
        mistakes.append(
            Mistake(
                "the gates read c_prev where they should read h_prev.",
                lambda *a: step(*a, use_h="c"),
            )
        )
        mistakes += [
            Mistake(
                f"gate {k} (cell.{k}) reads c_prev where it should read h_prev.",
                lambda *a, k=k: step(*a, c_gates=k),
            )
            for k in letters
        ]
    return mistakes
