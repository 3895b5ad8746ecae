"""What ``attention_context`` returned, checked: a pair of float64 tensors of the shapes
(B, T, K) and (B, T, S), a swapped or transposed pair named as such; closeness with NaN allowed
(a softmax over all −∞ gives NaN, and a known mistake may too); and, when nothing else names the
fault, which output is wrong and by how much (a float32 or rounding slip said as such)."""

from __future__ import annotations

from typing import NamedTuple

import torch

from .diagnosis import precision_slip
from .failure import ATOL, RTOL, fail, same

NAME = "attention_context"
EQUATION = "e = q·k, α = softmax over s (padding at −∞), c = Σ_s α v"


class Case(NamedTuple):
    args: tuple  # query, keys, values, mask
    B: int
    T: int
    S: int
    H: int
    K: int


def close(a, b, rtol=RTOL, atol=ATOL) -> bool:
    """``failure.same`` with NaN equal to NaN (a mistake that fills padding with NaN)."""
    return same(a, b, rtol, atol, equal_nan=True)


def valid(result: object, case: Case) -> tuple | None:
    """The pair if both are float64 tensors of the right shapes; CheckFailed on a wrong type,
    None on a wrong shape (said by ``shape_fault``, after the known mistakes are tried)."""
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
    return tuple(result) if ok else None


def shape_fault(result: tuple, case: Case) -> str:
    B, T, S, H, K = case[1:]
    c, a = (tuple(t.shape) for t in result)
    if c == (B, T, S) and a == (B, T, K):
        return "return (context, weights) in this order."
    if a == (B, S, T):
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
    return f"{NAME} returned {which} with shape {got}, expected {letters} = {want}."


def last_resort(case: Case, result: tuple, expected: tuple) -> str:
    if not all(torch.isfinite(t).all() for t in result):
        return (
            f"{NAME} returned NaN or inf: a softmax over positions that are all −∞ gives "
            "NaN, so mask the source positions s (mask[:, None, :]) and softmax over s."
        )
    padding = ~case.args[3][:, None, :].expand_as(result[1])  # (B, T, S)
    if (result[1][padding] != 0).any() and close([result[1][~padding]], [expected[1][~padding]]):
        pass  # the real positions are right: the fault is elsewhere (e.g. the values)
    elif (result[1][padding] != 0).any():
        return (
            f"{NAME} gives padded positions weight: set their scores to −∞ (float('-inf')) "
            "before the softmax, so that exp gives them exactly 0."
        )
    wrong = [w for w, o, e in zip(("context", "weights"), result, expected) if not close([o], [e])]
    error = max((o - e).abs().max().item() for o, e in zip(result, expected))
    slip = precision_slip(NAME, result, error)
    where = ", ".join(f"{s}={getattr(case, s)}" for s in "BTSHK")
    return slip or (
        f"{NAME} returns the right shape but wrong values for {' and '.join(wrong)}, "
        f"largest error {error:.3g} at {where}: compare each line with {EQUATION}."
    )
