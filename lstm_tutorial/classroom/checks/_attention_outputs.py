"""What ``attention_context`` returned, checked: a pair of float64 tensors of the shapes
(B, T, K) and (B, T, S), a swapped or transposed pair named as such; and the faults only
attention has: NaN from a row of −∞, weight on padding, padding near 0 but not exactly 0."""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from .failure import fail, same

NAME = "attention_context"
EQUATION = "e = q·k, α = softmax over s (padding at −∞), c = Σ_s α v"


class Case(NamedTuple):
    args: tuple  # query, keys, values, mask
    B: int
    T: int
    S: int
    H: int
    K: int


def returned(ex, result: object, case: Case, expected: tuple) -> tuple:
    """The pair if both are float64 tensors of the right shapes, else CheckFailed naming it."""
    if result is None:
        fail(f"{NAME} returned None: end it with `return context, alpha`.")
    if isinstance(result, torch.Tensor):
        fail(f"{NAME} must return the pair (context, weights), got a single tensor.")
    if not isinstance(result, tuple | list) or len(result) != 2:
        n = len(result) if isinstance(result, tuple | list) else type(result).__name__
        fail(f"{NAME} must return the pair (context, weights), got {n} values.")
    for value, what in zip(result, ("context", "weights")):
        if type(value).__module__ == "numpy":
            fail(f"{NAME} returned {what} as a numpy array: compute with torch, not numpy.")
        if not isinstance(value, torch.Tensor):
            fail(f"{NAME} must return {what} as a torch.Tensor, got {type(value).__name__}.")
        if value.dtype != torch.float64:
            fail(f"{NAME} returned {what} with dtype {value.dtype}, expected torch.float64.")
    c, a = result
    ok = tuple(c.shape) == (case.B, case.T, case.K) and tuple(a.shape) == (case.B, case.T, case.S)
    if not ok:
        fail(shape_fault(tuple(result), case))
    return tuple(result)


def shape_fault(result: tuple, case: Case) -> str:
    B, T, S, H, K = case[1:]
    c, a = (tuple(t.shape) for t in result)
    if c == (B, T, S) and a == (B, T, K):
        return "return (context, weights) in this order."
    if c == (B, K, T) != (B, T, K):
        return (
            "the context is (B, K, T), transposed: c = alpha @ values is (B, T, S) @ (B, S, K) "
            "= (B, T, K), one row per query step."
        )
    if a == (B, S, T) != (B, T, S):
        return (
            "the weights are (B, S, T), transposed: e = query @ keys.transpose(1, 2) is "
            "(B, T, S), one row per query step."
        )
    if a == (B, T, S) and c == (B, T, H):
        return (
            "the context has the keys' size H: it averages the values, c = alpha @ values, "
            "(B, T, K)."
        )
    which, got, want = ("weights", a, (B, T, S)) if a != (B, T, S) else ("context", c, (B, T, K))
    letters = "(B, T, S)" if which == "weights" else "(B, T, K)"
    squeezed = len(got) < 3 and math.prod(got) == math.prod(want)
    hint = (
        ": a dimension of size 1 was dropped (.squeeze() drops every one, B = 1 or T = 1 "
        "included), so keep all three"
        if squeezed
        else ""
    )
    return f"{NAME} returned {which} with shape {got}, expected {letters} = {want}{hint}."


def diagnose(case: Case, result: tuple, expected: tuple, student=None) -> str | None:
    """Log-weights, NaN from a row of −∞, or weight given to padding while the rest is wrong."""
    if same([result[1].exp()], [expected[1]]):
        return (
            f"{NAME} returns the log of the weights (log_softmax): the weights are "
            "torch.softmax(e, dim=-1), and the context averages the values with them."
        )
    query, keys, _, mask = case.args
    e = (query @ keys.transpose(1, 2)).masked_fill(~mask[:, None, :], float("-inf"))
    if result[1].shape == e.shape and torch.equal(result[1], e):
        return (
            f"{NAME} returns the masked scores e as the weights: return alpha = "
            "torch.softmax(e, dim=-1), the weights the context averages the values with."
        )
    if torch.isnan(result[1]).all() and mask.any():
        return (
            f"{NAME} returns NaN at every position, the real ones too: 0 · (−∞) is NaN, so a mask "
            "made by multiplying with −inf poisons the real positions; fill the padded scores "
            "instead, e.masked_fill(~mask[:, None, :], float('-inf'))."
        )
    if not all(torch.isfinite(t).all() for t in result) and case.args[0].abs().max() > 10:
        return (
            f"{NAME} returns NaN for scores in the thousands: exp(e) overflows, so subtract each "
            "row's largest score before exp (it cancels in the ratio), or use "
            "torch.softmax(e, dim=-1), which does."
        )
    padding = ~case.args[3][:, None, :].expand_as(result[1])  # (B, T, S)
    if padding.any() and torch.equal(torch.isnan(result[1]), padding):
        return (
            f"{NAME} returns NaN at exactly the padded positions: there every query's score is "
            "−∞, so a softmax or sum over the query steps t (dim=1) is 0/0; normalise each "
            "query's weights over the source positions s instead, dim=-1."
        )
    if not all(torch.isfinite(t).all() for t in result):
        return (
            f"{NAME} returned NaN or inf: a softmax over positions that are all −∞ gives "
            "NaN, so fill the padded positions, where mask is False (~mask[:, None, :]), and "
            "softmax over the source positions s."
        )
    wrong_zeros = ((result[1] == 0) & ~padding).any() and (result[1][padding] != 0).any()
    if wrong_zeros:
        return (
            f"{NAME} masks positions, but not the padded ones: mask (B, S) marks the source "
            "positions s, so it meets the (B, T, S) scores as ~mask[:, None, :] (not "
            "mask[:, :, None]), and the softmax runs over s, dim=-1."
        )
    if (result[1][padding] != 0).any() and not same([result[1][~padding]], [expected[1][~padding]]):
        return (
            f"{NAME} gives padded positions weight: set their scores to −∞ (float('-inf')) "
            "before the softmax, so that exp gives them exactly 0."
        )
    return None


def exact_zeros(cases: list[Case], results: list[tuple]) -> str | None:
    """Right to the tolerance, but padded positions with tiny weights instead of exactly 0."""
    for case, (_, alpha) in zip(cases, results):
        if (alpha.masked_select(~case.args[3][:, None, :]) != 0).any():
            return (
                f"{NAME} is almost right, but padded positions get tiny weights instead "
                "of exactly 0: fill their scores with float('-inf')."
            )
    return None
