"""What a backward exercise returns, checked: the nesting of its named containers (or plain
tuples nested the same way), each gradient's type, dtype and shape (a transposed weight gradient
or an unsummed bias gradient named as such), and closeness to the reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from .failure import ATOL, RTOL, fail, sizes
from .failure import close as tensors_close

if TYPE_CHECKING:
    from .backward import Backward


def flatten(ex: Backward, result: object) -> list[object]:
    """The returned tensors in the order of ``ex.fields``, or a CheckFailed naming the nesting."""
    if result is None:
        fail(f"{ex.name} returned None: end it with `return {ex.returns}`.")

    def shape_of(value):
        if not isinstance(value, tuple | list):
            return type(value).__name__
        return "(" + ", ".join(shape_of(v) for v in value) + ")"

    def is_layer(value):
        return isinstance(value, tuple | list) and len(value) == 3

    ok = isinstance(result, tuple | list) and len(result) == ex.states + 1
    params = result[-1] if ok else None
    if ex.layers == 1:
        layers = [params] if ok and is_layer(params) else []
    else:
        ok = ok and isinstance(params, tuple | list) and len(params) == ex.layers
        layers = list(params) if ok and all(is_layer(p) for p in params) else []
    if not layers:
        fail(
            f"{ex.name} must return {ex.returns} (or tuples nested the same way), got "
            f"{shape_of(result)}."
        )
    return [*result[:-1], *(t for layer in layers for t in layer)]


def check_tensor(ex: Backward, name: str, value: object, want: torch.Tensor, letters: str):
    shape = sizes(*want.shape)
    if not isinstance(value, torch.Tensor):
        fail(
            f"{ex.name} must return {name} as a torch.Tensor of shape {letters}, got "
            f"{type(value).__name__}."
        )
    if value.dtype != torch.float64:
        fail(f"{ex.name} returned {name} with dtype {value.dtype}, expected torch.float64.")
    if value.shape != want.shape:
        got = sizes(*value.shape)
        if want.dim() == 2 and value.shape == want.T.shape:
            hint = (
                ": a weight's gradient has the weight's shape, one row per unit, e.g. dW = dz.T @ x"
                if name.startswith(("dW", "dU"))
                else ": one row per example, e.g. dx = dz @ W"
            )
            fail(
                f"{ex.name} returned {name} transposed ({got}, expected {letters} = {shape}){hint}."
            )
        if name.startswith("db") and value.dim() == 2:
            fail(
                f"{ex.name} returned {name} with shape {got}, expected {letters} = {shape}: the "
                "bias serves every example, so sum over the batch, db = dz.sum(0)."
            )
        fail(f"{ex.name} returned {name} with shape {got}, expected {letters} = {shape}.")
    if not torch.isfinite(value).all():
        fail(f"{ex.name} returned {name} containing NaN or inf values.")


def close(a: list, b: list, rtol: float = RTOL, atol: float = ATOL) -> list[bool]:
    return [isinstance(x, torch.Tensor) and tensors_close(x, y, rtol, atol) for x, y in zip(a, b)]


def tensors(value: object):
    """Every tensor inside nested tuples and cells (parameters), in a fixed order."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, torch.nn.Module):
        yield from value.parameters()
    elif isinstance(value, tuple | list):
        for v in value:
            yield from tensors(v)
