"""What a backward exercise returns, checked: the nesting of its named containers (or plain
tuples nested the same way) and each gradient's type, dtype and shape (a transposed weight
gradient or an unsummed bias gradient named as such)."""

from __future__ import annotations

from typing import NamedTuple

import torch

from .failure import fail, sizes


class Returns(NamedTuple):
    """What a backward exercise returns."""

    name: str  # the student's function
    returns: str  # the structure, as the student writes it
    states: int  # how many input gradients come first: (dx, dh_prev) or (dx, dh_prev, dc_prev)
    layers: int  # 1: the last item is one LayerGrads; 4: LSTMGrads of four
    fields: tuple[tuple[str, str], ...]  # (name, shape in letters) of every returned tensor

    def flatten(self, result: object) -> tuple:
        """The returned values in the order of ``fields``, or CheckFailed naming the nesting."""
        if result is None:
            fail(f"{self.name} returned None: end it with `return {self.returns}`.")

        def shape_of(value):
            if not isinstance(value, tuple | list):
                return type(value).__name__
            return "(" + ", ".join(shape_of(v) for v in value) + ")"

        def is_layer(value):
            return isinstance(value, tuple | list) and len(value) == 3

        ok = isinstance(result, tuple | list) and len(result) == self.states + 1
        params = result[-1] if ok else None
        if self.layers == 1:
            layers = [params] if ok and is_layer(params) else []
        else:
            ok = ok and isinstance(params, tuple | list) and len(params) == self.layers
            layers = list(params) if ok and all(is_layer(p) for p in params) else []
        if not layers:
            fail(
                f"{self.name} must return {self.returns} (or tuples nested the same way), got "
                f"{shape_of(result)}."
            )
        return (*result[:-1], *(t for layer in layers for t in layer))

    def check(self, result: object, expected: tuple) -> tuple:
        """The flattened result if every value is a float64 tensor of the expected shape."""
        values = self.flatten(result)
        for (name, letters), value, want in zip(self.fields, values, expected):
            self.check_tensor(name, value, want, letters, len(expected[0]))
        return values

    def check_tensor(
        self, name: str, value: object, want: torch.Tensor, letters: str, B: int = 0
    ) -> None:
        shape = sizes(*want.shape)
        if not isinstance(value, torch.Tensor):
            fail(
                f"{self.name} must return {name} as a torch.Tensor of shape {letters}, got "
                f"{type(value).__name__}."
            )
        if value.dtype != torch.float64:
            fail(f"{self.name} returned {name} with dtype {value.dtype}, expected torch.float64.")
        if value.shape != want.shape:
            got = sizes(*value.shape)
            if want.dim() == 2 and value.shape == want.T.shape:
                hint = (
                    ": a weight's gradient has the weight's shape, one row per unit, e.g. "
                    "dW = dz.T @ x"
                    if name.startswith(("dW", "dU"))
                    else ": one row per example, e.g. dx = dz @ W"
                )
                fail(
                    f"{self.name} returned {name} transposed ({got}, expected {letters} = "
                    f"{shape}){hint}."
                )
            if name.startswith(("dW", "dU")) and value.shape == (B, B):
                inputs = "x" if name.startswith("dW") else "h_prev"
                fail(
                    f"{self.name} returned {name} with shape {got}, expected {letters} = {shape}: "
                    f"dz @ {inputs}.T sums over the units, one value per pair of examples; the "
                    f"weight's gradient sums over the batch, dz.T @ {inputs}."
                )
            if value.shape == want.shape[1:] and not name.startswith("db"):
                fail(
                    f"{self.name} returned {name} with shape {got}, expected {letters} = {shape}: "
                    "one row per example, so do not sum it over the batch (only the parameter "
                    "gradients are sums)."
                )
            if name.startswith("db") and value.dim() < 2:
                fail(
                    f"{self.name} returned {name} with shape {got}, expected {letters} = {shape}: "
                    "one value per unit, so sum over the batch only, db = dz.sum(0)."
                )
            if name.startswith("db") and value.dim() == 2:
                fail(
                    f"{self.name} returned {name} with shape {got}, expected {letters} = {shape}: "
                    "the bias serves every example, so sum over the batch, db = dz.sum(0)."
                )
            fail(f"{self.name} returned {name} with shape {got}, expected {letters} = {shape}.")
        if not torch.isfinite(value).all():
            fail(f"{self.name} returned {name} containing NaN or inf values.")
