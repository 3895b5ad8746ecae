"""How a check ends: "✓ ..." printed, or ``CheckFailed`` raised with one sentence.

``CheckFailed`` is an ``AssertionError``, so nbgrader's autograder counts the cell as failed and
gives it zero points. ``check_close`` is the notebooks' own parity assertion.
"""

from __future__ import annotations

import torch

RTOL, ATOL = 1e-10, 1e-12  # the project's parity tolerance (STYLE.md rule 7)


class CheckFailed(AssertionError):
    """A submission is wrong; the message is one sentence saying what to fix."""


def fail(message: str) -> None:
    raise CheckFailed(message)


def expect_function(name: str, student: object) -> None:
    """CheckFailed unless ``student`` is a function (a check was given its result, or a name)."""
    if not callable(student):
        fail(
            f"check_{name} expects your function itself, e.g. check_{name}({name}), "
            f"got {type(student).__name__}."
        )


def passed(message: str) -> None:
    print(f"✓ {message}")


def sizes(*shape: int) -> str:
    """``(3, 4)``, ``(4,)``: a shape as Python prints a tuple."""
    return str(tuple(shape))


def close(
    a: torch.Tensor,
    b: torch.Tensor,
    rtol: float = RTOL,
    atol: float = ATOL,
    equal_nan: bool = False,
) -> bool:
    """Same shape, same dtype and equal to the tolerance (False, not an error, on a mismatch)."""
    return (
        a.shape == b.shape
        and a.dtype == b.dtype
        and torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    )


def same(outputs, expected, rtol: float = RTOL, atol: float = ATOL, equal_nan=False) -> bool:
    """Two tuples of tensors equal pairwise (to the parity tolerance unless told otherwise)."""
    return len(outputs) == len(expected) and all(
        isinstance(a, torch.Tensor) and close(a, b, rtol, atol, equal_nan)
        for a, b in zip(outputs, expected)
    )


def check_close(ours: torch.Tensor, theirs: torch.Tensor, name: str = "result") -> float:
    """Assert ``ours`` equals ``theirs`` to the project's tolerance; return the max abs error.

    For notebooks' parity checks: raises CheckFailed (one sentence) on a shape mismatch or an
    error beyond ``rtol=1e-10, atol=1e-12``.
    """
    for label, t in (("ours", ours), ("theirs", theirs)):
        if not isinstance(t, torch.Tensor):
            fail(f"check_close({name}): {label} must be a torch.Tensor, got {type(t).__name__}.")
    if ours.shape != theirs.shape:
        fail(f"{name}: shapes differ, ours {sizes(*ours.shape)} vs theirs {sizes(*theirs.shape)}.")
    error = (ours.detach() - theirs.detach()).abs().max().item() if ours.numel() else 0.0
    if not torch.allclose(ours.detach(), theirs.detach().to(ours.dtype), rtol=RTOL, atol=ATOL):
        fail(
            f"{name}: max abs error {error:.3g} exceeds the tolerance (rtol={RTOL:g}, "
            f"atol={ATOL:g})."
        )
    return error
