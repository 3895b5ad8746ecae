"""The random inputs every check runs on, and the guards that keep the answer out of reach.

Shapes: the first case has D == H (so that swapped or untransposed weights still run and can be
named) and comes twice with new numbers (a function that keeps something between calls gives
itself away); then B == D, B == H, B == 1, H == 1 (shape-sniffing code breaks on those), and
sizes all different (a transposed or broadcast result has a visibly wrong shape).
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import torch
from torch import nn

from .failure import CheckFailed

# (B, D, H)
SHAPES = [(3, 4, 4), (3, 4, 4), (2, 5, 3), (4, 4, 3), (3, 5, 3), (1, 3, 2), (2, 3, 1), (5, 2, 6)]
GRADIENT_CASE = 2  # the case on which gradients are compared: B, D, H all different


class Case(NamedTuple):
    """One random input: the arguments and the sizes that messages quote."""

    args: tuple
    B: int
    D: int
    H: int


def uniform(g: torch.Generator, *shape: int, low: float = -1.0, high: float = 1.0):
    return low + (high - low) * torch.rand(shape, generator=g, dtype=torch.float64)


def bias(g: torch.Generator, H: int) -> torch.Tensor:
    """Random biases bounded away from 0: a zero bias would hide a missing bias."""
    sign = torch.where(torch.rand(H, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
    return sign * uniform(g, H, low=0.3, high=1.0)


def layer_cases(g: torch.Generator) -> list[Case]:
    """x (B, D), h_prev (B, H), W (H, D), U (H, H), b (H,) for each of SHAPES."""
    cases = []
    for B, D, H in SHAPES:
        x, h_prev = torch.randn(B, D, generator=g, dtype=torch.float64), uniform(g, B, H)
        cases.append(Case((x, h_prev, uniform(g, H, D), uniform(g, H, H), bias(g, H)), B, D, H))
    return cases


def randomize(module: nn.Module, g: torch.Generator) -> nn.Module:
    """Weights in [-0.8, 0.8], biases bounded away from 0 (``b``, ``b_hn``)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            is_bias = name.split(".")[-1].startswith("b")
            p.copy_(bias(g, p.numel()).view(p.shape) if is_bias else 0.8 * uniform(g, *p.shape))
    return module


def cell_cases(make_cell, with_c: bool = True):
    """Cases ``(x, h_prev, c_prev, cell)`` (or without c_prev) with a random ``make_cell(D, H)``."""

    def cases(g: torch.Generator) -> list[Case]:
        out = []
        for B, D, H in SHAPES:
            cell = randomize(make_cell(D, H), g)
            x, h_prev = torch.randn(B, D, generator=g, dtype=torch.float64), uniform(g, B, H)
            c_prev = 2 * torch.randn(B, H, generator=g, dtype=torch.float64)
            out.append(Case((x, h_prev, c_prev, cell) if with_c else (x, h_prev, cell), B, D, H))
        return out

    return cases


def shares_parameters(cell: nn.Module) -> nn.Module:
    """A copy of ``cell`` whose modules are new objects but whose parameters, buffers and other
    attributes are the same (a deep copy would cost a millisecond, and the checks make many)."""
    new = copy.copy(cell)
    new._parameters, new._buffers = dict(cell._parameters), dict(cell._buffers)
    new._modules = {k: m if m is None else shares_parameters(m) for k, m in cell._modules.items()}
    return new


def guarded(cell: nn.Module, name: str, own: str, gates: str = "") -> nn.Module:
    """A copy of ``cell`` (same parameters) whose ``cell(...)``, ``.step`` and ``.candidate``,
    and the gate modules named in ``gates``, stop the check with a sentence: they would hand over
    the answer. ``own`` says what to use instead."""
    cell = shares_parameters(cell)

    def refuse(what: str):
        def answer_key(*args, **kwargs):
            raise CheckFailed(f"{name} calls {what}, which computes the answer for you: {own}.")

        return answer_key

    for method in ("forward", "step", "candidate"):
        if hasattr(cell, method):
            setattr(cell, method, refuse(f"cell.{method}" if method != "forward" else "cell(...)"))
    for letter in gates:
        gate = getattr(cell, letter)
        if gate is not None:
            gate.forward = refuse(f"the gate module cell.{letter}(...)")
    return cell
