"""Input checks shared by every cell and layer, so that a wrong shape or dtype fails with a
sentence that names what was expected and what came, instead of a matmul traceback."""

from __future__ import annotations

import warnings

import torch


def _shape(t: torch.Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ("," if t.dim() == 1 else "") + ")"


def check_tensor(x: object, name: str) -> torch.Tensor:
    """Raise TypeError unless ``x`` is a floating-point tensor."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor (float32 or float64), got dtype {x.dtype}"
        )
    return x


def check_dtype(x: torch.Tensor, name: str, dtype: torch.dtype) -> None:
    """Raise TypeError if ``x`` does not have the dtype of the parameters."""
    if x.dtype != dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype} but the parameters are {dtype}; "
            f"convert one of them, e.g. {name}.to({dtype}) or module.to({x.dtype})"
        )


def check_input(x: object, input_size: int, dtype: torch.dtype, name: str = "x") -> torch.Tensor:
    """Check a cell input of shape (B, D)."""
    x = check_tensor(x, name)
    if x.dim() != 2:
        raise ValueError(
            f"{name} must have shape (B, D) = (batch, {input_size}), "
            f"got {x.dim()}-D shape {_shape(x)}"
        )
    if x.shape[1] != input_size:
        raise ValueError(
            f"{name} must have {input_size} features (shape (B, {input_size})), "
            f"got shape {_shape(x)}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"{name} has an empty batch: shape {_shape(x)}")
    check_dtype(x, name, dtype)
    return x


def check_sequence(
    x: object, input_size: int, dtype: torch.dtype, batch_first: bool, name: str = "x"
) -> torch.Tensor:
    """Check a sequence input of shape (T, B, D), or (B, T, D) when ``batch_first``."""
    layout = "(B, T, D)" if batch_first else "(T, B, D)"
    x = check_tensor(x, name)
    if x.dim() != 3:
        raise ValueError(
            f"{name} must be a 3-D sequence of shape {layout} with D = {input_size}, "
            f"got {x.dim()}-D shape {_shape(x)}"
        )
    if x.shape[2] != input_size:
        raise ValueError(
            f"{name} must have {input_size} features in its last dimension {layout}, "
            f"got shape {_shape(x)}"
        )
    t_dim = 1 if batch_first else 0
    if x.shape[t_dim] == 0:
        raise ValueError(f"{name} is an empty sequence (T = 0) of shape {_shape(x)}")
    if x.shape[1 - t_dim] == 0:
        raise ValueError(f"{name} has an empty batch (B = 0): shape {_shape(x)}")
    check_dtype(x, name, dtype)
    return x


def check_state(
    h: object, expected: tuple[int, ...], dtype: torch.dtype, name: str
) -> torch.Tensor:
    """Check a state tensor against its expected shape, e.g. (B, H)."""
    h = check_tensor(h, name)
    if tuple(h.shape) != tuple(expected):
        want = "(" + ", ".join(str(s) for s in expected) + ")"
        raise ValueError(f"{name} must have shape {want}, got shape {_shape(h)}")
    check_dtype(h, name, dtype)
    return h


def check_sizes(**sizes: object) -> None:
    """Raise ValueError unless every size (input_size=..., hidden_size=...) is a positive int."""
    for name, size in sizes.items():
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")


def check_divides(**sizes: int) -> None:
    """Raise ValueError unless the first size divides the second: ``check_divides(num_heads=NH,
    hidden_size=H)``; the message names both."""
    (part, d), (whole, n) = sizes.items()
    if n % d:
        raise ValueError(f"{part} must divide {whole}, got {whole}={n}, {part}={d}")


def check_dropout(dropout: object, num_layers: int) -> float:
    """The probability of dropping a unit between layers, checked as torch checks it."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
        raise ValueError(f"dropout must be a number in [0, 1], got {dropout!r}")
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            f"dropout={dropout} acts between layers, so it does nothing with num_layers=1",
            stacklevel=4,
        )
    return float(dropout)
