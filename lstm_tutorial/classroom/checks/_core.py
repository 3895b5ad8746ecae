"""What every check shares: the failure exception, running a student's function safely, checking
the type, dtype and shape of what it returns, and naming a known mistake from its result.

A check fails by raising ``CheckFailed`` (an ``AssertionError``, so nbgrader's autograder counts
the cell as failed and gives it zero points) with one sentence that says what to fix.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

RTOL, ATOL = 1e-10, 1e-12  # the project's parity tolerance (STYLE.md rule 7)


class CheckFailed(AssertionError):
    """A submission is wrong; the message is one sentence saying what to fix."""


def fail(message: str) -> None:
    raise CheckFailed(message)


def passed(message: str) -> None:
    print(f"✓ {message}")


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of the reference and the sentence that explains it."""

    message: str
    fn: Callable[..., object]  # same arguments as the exercise, returns the buggy result


@dataclass(frozen=True)
class Case:
    """One random input: the arguments and the sizes used in messages."""

    args: tuple
    B: int
    D: int
    H: int


# Phrases of common runtime errors, and what they usually mean in these exercises.
ERROR_HINTS = [
    (
        "mat1 and mat2 shapes cannot be multiplied",
        "weights act on row vectors here, so W x is written x @ W.T",
    ),
    (
        "must match the size of tensor",
        "two tensors of different shapes were combined; check "
        "each term's shape against the task (x (B, D), h_prev (B, H), W (H, D), U (H, H), "
        "b (H,))",
    ),
    ("is not defined", "use only the function's arguments and names it defines itself"),
    ("positional argument", "keep the signature given in the task"),
    ("'NoneType' object", "a value is None: did a helper function forget its `return`?"),
]


def _sizes(*shape: int) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def call(name: str, fn: Callable, args: Sequence, hints: Sequence = ()) -> object:
    """Call the student's ``fn(*args)``; any exception becomes a one-sentence CheckFailed."""
    try:
        return fn(*args)
    except NotImplementedError as error:
        helper = traceback.extract_tb(error.__traceback__)[-1].name
        if helper not in (name, getattr(fn, "__name__", name), "<lambda>", "<module>"):
            fail(f"{name} calls {helper}, which is not written yet: finish {helper} first.")
        fail(
            f"{name} is not written yet: replace the `raise NotImplementedError(...)` line "
            "with your code and run this cell again."
        )
    except CheckFailed:
        raise
    except Exception as error:  # any bug in a submission must become feedback, not a traceback
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        hint = next((h for key, h in [*hints, *ERROR_HINTS] if key in text), None)
        detail = f" ({text})" if text else ""
        fail(f"{name} raised {type(error).__name__}{detail}" + (f": {hint}." if hint else "."))


def as_tensor(
    name: str,
    value: object,
    what: str,
    shape: tuple[int, ...],
    shape_doc: str,
    reference: torch.Tensor,
    shape_hint: str = "",
) -> torch.Tensor:
    """Check that ``value`` is a float64 tensor of ``shape``; say precisely what is wrong if not."""
    if value is None:
        fail(f"{name} returned None: end it with `return {what}`.")
    if isinstance(value, tuple | list) and any(isinstance(v, torch.Tensor) for v in value):
        fail(
            f"{name} must return {what} alone, as a torch.Tensor of shape {shape_doc}, got a "
            f"{type(value).__name__} of {len(value)}: write `return {what}` (no comma, no "
            "second value)."
        )
    if type(value).__module__ == "numpy":
        fail(
            f"{name} must return {what} as a torch.Tensor of shape {shape_doc}, got a numpy "
            f"{type(value).__name__}: compute with torch (torch.sigmoid, torch.tanh, @), not numpy."
        )
    if not isinstance(value, torch.Tensor):
        fail(
            f"{name} must return {what} as a torch.Tensor of shape {shape_doc}, "
            f"got {type(value).__name__}."
        )
    if value.dtype != torch.float64:
        fail(
            f"{name} returned {what} with dtype {value.dtype}, expected torch.float64: do not "
            "create tensors with another dtype (or call .float()) inside the function."
        )
    if tuple(value.shape) != shape:
        got = _sizes(*value.shape)
        expected = f"expected {shape_doc} = {_sizes(*shape)}, got {got}"
        if value.shape == reference.T.shape and torch.allclose(value, reference.T):
            fail(
                f"{name} returned {what} transposed ({expected}): put one example per row, "
                "e.g. x @ W.T rather than W @ x.T."
            )
        B, H = shape
        if tuple(value.shape) == (B, 2 * H):
            shape_hint = "torch.cat put two terms side by side; add them with + instead"
        elif not shape_hint and tuple(value.shape) == (H, B):
            shape_hint = "put one example per row, e.g. x @ W.T rather than W @ x.T"
        elif not shape_hint and tuple(value.shape) in ((H,), (B,), ()):
            shape_hint = "a dimension was lost: keep one row per example and one column per unit"
        fail(
            f"{name} returned {what} with the wrong shape ({expected})"
            + (f": {shape_hint}." if shape_hint else ".")
        )
    if not torch.isfinite(value).all():
        fail(f"{name} returned {what} containing NaN or inf values.")
    return value


def close(a: torch.Tensor, b: torch.Tensor, rtol: float = RTOL, atol: float = ATOL) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, rtol=rtol, atol=atol)


def same(outputs: Sequence[torch.Tensor], expected: Sequence[torch.Tensor], **tol) -> bool:
    return len(outputs) == len(expected) and all(
        close(a, b, **tol) for a, b in zip(outputs, expected)
    )


def diagnose(
    case: Case, outputs: Sequence[torch.Tensor], mistakes: Sequence[Mistake]
) -> str | None:
    """The message of the first known mistake whose result equals the student's, if any."""
    for mistake in mistakes:
        try:
            with torch.no_grad():
                buggy = mistake.fn(*case.args)
        except Exception:  # this mistake cannot even run on these shapes
            continue
        buggy = buggy if isinstance(buggy, tuple) else (buggy,)
        if same(outputs, buggy, rtol=1e-8, atol=1e-10):
            return mistake.message
    return None


def check_close(ours: torch.Tensor, theirs: torch.Tensor, name: str = "result") -> float:
    """Assert ``ours`` equals ``theirs`` to the project's tolerance; return the max abs error.

    For notebooks' parity checks: raises CheckFailed (one sentence) on a shape mismatch or an
    error beyond ``rtol=1e-10, atol=1e-12``.
    """
    for label, t in (("ours", ours), ("theirs", theirs)):
        if not isinstance(t, torch.Tensor):
            fail(f"check_close({name}): {label} must be a torch.Tensor, got {type(t).__name__}.")
    if ours.shape != theirs.shape:
        fail(
            f"{name}: shapes differ, ours {_sizes(*ours.shape)} vs theirs {_sizes(*theirs.shape)}."
        )
    error = (ours.detach() - theirs.detach()).abs().max().item() if ours.numel() else 0.0
    if not torch.allclose(ours.detach(), theirs.detach().to(ours.dtype), rtol=RTOL, atol=ATOL):
        fail(
            f"{name}: max abs error {error:.3g} exceeds the tolerance (rtol={RTOL:g}, "
            f"atol={ATOL:g})."
        )
    return error
