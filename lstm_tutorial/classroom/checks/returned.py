"""What a student's function returned: the right number of float64 tensors of shape (B, H), or
one sentence that says what is wrong with it (None, numpy, a tuple, float32, a transposed or
concatenated shape, NaN)."""

from __future__ import annotations

import torch

from .failure import fail, sizes


def tensor(name: str, value: object, what: str, B: int, H: int, hint: str = "") -> torch.Tensor:
    """``value`` if it is a float64 tensor of shape (B, H); else CheckFailed naming the fault."""
    if value is None:
        fail(f"{name} returned None: end it with `return {what}`.")
    if isinstance(value, tuple | list) and any(isinstance(v, torch.Tensor) for v in value):
        fail(
            f"{name} must return {what} alone, as a torch.Tensor of shape (B, H), got a "
            f"{type(value).__name__} of {len(value)}: write `return {what}` (no comma, no "
            "second value)."
        )
    if type(value).__module__ == "numpy":
        fail(
            f"{name} must return {what} as a torch.Tensor of shape (B, H), got a numpy "
            f"{type(value).__name__}: compute with torch (torch.sigmoid, torch.tanh, @), not numpy."
        )
    if not isinstance(value, torch.Tensor):
        fail(
            f"{name} must return {what} as a torch.Tensor of shape (B, H), "
            f"got {type(value).__name__}."
        )
    if value.dtype != torch.float64:
        fail(
            f"{name} returned {what} with dtype {value.dtype}, expected torch.float64: do not "
            "create tensors with another dtype (or call .float()) inside the function."
        )
    shape = tuple(value.shape)
    if shape != (B, H):
        expected = f"expected (B, H) = {sizes(B, H)}, got {sizes(*shape)}"
        if shape == (H, B):
            hint = "put one example per row: x @ W.T rather than W @ x.T"
        elif shape == (B, 2 * H):
            hint = "torch.cat put two terms side by side; add them with + instead"
        elif shape in ((H,), (B,), ()):
            hint = "a dimension was lost: keep one row per example and one column per unit"
        elif len(shape) == 3 or shape in ((B, B), (H, H)):
            hint = hint or "⊙ is the element-wise product *, and only weights are multiplied with @"
        elif len(shape) == 2 and 1 in shape:
            hint = "a sum or reduction collapsed a dimension: keep every unit's value separate"
        hint = hint or "keep one row per example (B) and one column per hidden unit (H)"
        fail(f"{name} returned {what} with the wrong shape ({expected}): {hint}.")
    if not torch.isfinite(value).all():
        fail(f"{name} returned {what} containing NaN or inf values.")
    return value


def tensors(name: str, result: object, outputs: tuple[str, ...], B: int, H: int, hint=""):
    """The result as a tuple of ``len(outputs)`` tensors of shape (B, H), or CheckFailed."""
    if len(outputs) == 1:
        return (tensor(name, result, outputs[0], B, H, hint),)
    pair = "(" + ", ".join(outputs) + ")"
    if result is None:
        fail(f"{name} returned None: end it with `return {', '.join(outputs)}`.")
    if isinstance(result, torch.Tensor):
        fail(f"{name} must return the pair {pair}, got a single tensor.")
    if not isinstance(result, tuple | list) or len(result) != len(outputs):
        n = len(result) if isinstance(result, tuple | list) else 0
        got = f"{n} value" + "s" * (n != 1) if n else type(result).__name__
        fail(f"{name} must return the pair {pair}, got {got}.")
    for value, what in zip(result, outputs):
        if value is None:
            fail(f"{name} returned None as {what}: return the pair {pair} of tensors.")
    return tuple(tensor(name, v, what, B, H, hint) for v, what in zip(result, outputs))
