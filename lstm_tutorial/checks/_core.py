"""The machinery every check shares: run a student's function safely, compare it with the
reference on several random cases, and turn a wrong answer into one sentence that names the
likely mistake.

A check fails by raising ``CheckFailed`` (an ``AssertionError``, so nbgrader's autograder counts
the cell as failed and gives it zero points). In IPython the exception is shown as that one
sentence instead of a traceback: ``set_custom_exc`` registers ``_show_failure``, which displays
the sentence itself, because IPython ignores the structured traceback a handler returns
(ipython/ipython#12378) although its docstring says otherwise.
"""

from __future__ import annotations

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
        "each term's shape against the task (x (B, D), h_prev (B, H), W (H, D), U (H, H))",
    ),
    ("is not defined", "use only the function's arguments and names it defines itself"),
    ("positional argument", "keep the signature given in the task"),
    ("'NoneType' object", "a value is None: did a helper function forget its `return`?"),
]


def _sizes(*shape: int) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def call(name: str, fn: Callable, args: Sequence, hints: Sequence = ()) -> object:
    """Call the student's ``fn(*args)``; any exception becomes a one-sentence CheckFailed."""
    try:
        return fn(*args)
    except NotImplementedError:
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
        fail(
            f"wrong output shape for {what} ({expected})"
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
        except RuntimeError:  # this mistake cannot even run on these shapes
            continue
        buggy = buggy if isinstance(buggy, tuple) else (buggy,)
        if same(outputs, buggy, rtol=1e-8, atol=1e-10):
            return mistake.message
    return None


@dataclass(frozen=True)
class Exercise:
    """What a check needs to know about one exercise."""

    name: str  # the student's function, e.g. "forget_gate"
    equation: str  # shown on success and in the generic hint
    outputs: tuple[str, ...]  # ("f",) or ("h", "c")
    arg_names: tuple[str, ...]
    reference: Callable[..., object]
    cases: Callable[[torch.Generator], list[Case]]
    mistakes: Sequence[Mistake] = ()
    hints: Sequence[tuple[str, str]] = ()  # (phrase of a runtime error, what it means)
    shape_hint: str = ""


def _outputs(ex: Exercise, result: object, case: Case, expected: tuple) -> tuple:
    """The student's result as a tuple of float64 tensors of shape (B, H), or a CheckFailed."""
    shape, doc = (case.B, case.H), "(B, H)"
    if len(ex.outputs) == 1:
        what = ex.outputs[0]
        return (as_tensor(ex.name, result, what, shape, doc, expected[0], ex.shape_hint),)
    pair = "(" + ", ".join(ex.outputs) + ")"
    if result is None:
        fail(f"{ex.name} returned None: end it with `return {', '.join(ex.outputs)}`.")
    if not isinstance(result, tuple | list) or len(result) != len(ex.outputs):
        got = f"{len(result)} values" if isinstance(result, tuple | list) else type(result).__name__
        fail(f"{ex.name} must return the pair {pair}, got {got}.")
    return tuple(
        as_tensor(ex.name, r, what, shape, doc, e, ex.shape_hint)
        for r, what, e in zip(result, ex.outputs, expected)
    )


def _tuple(value: object) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _insensitive(ex: Exercise, student: Callable, case: Case, outputs: tuple) -> str | None:
    """Name an argument the student's result ignores although the reference depends on it."""
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        expected = _tuple(ex.reference(*case.args))
    for j, (arg, arg_name) in enumerate(zip(case.args, ex.arg_names)):
        if not isinstance(arg, torch.Tensor):
            continue
        nudged = list(case.args)
        nudged[j] = arg + 0.37 * torch.randn(arg.shape, generator=g, dtype=arg.dtype)
        with torch.no_grad():
            moved = _tuple(ex.reference(*nudged))
        try:
            result = _tuple(
                student(*[a.clone() if isinstance(a, torch.Tensor) else a for a in nudged])
            )
        except Exception:  # a fallback diagnosis must never crash
            return None
        tensors = all(isinstance(r, torch.Tensor) for r in result)
        if tensors and same(result, outputs) and not same(moved, expected):
            return (
                f"{ex.name}'s result does not change when {arg_name} changes: use the "
                f"argument {arg_name} in the formula (not a global variable)."
            )
    return None


def run(ex: Exercise, student: object, seed: int = 0) -> None:
    """Compare ``student`` with ``ex.reference`` on every case; print ✓ or raise CheckFailed."""
    if not callable(student):
        fail(
            f"check_{ex.name} expects your function itself, e.g. check_{ex.name}({ex.name}), "
            f"got {type(student).__name__}."
        )
    cases = ex.cases(torch.Generator().manual_seed(seed))
    for case in cases:
        with torch.no_grad():
            expected = ex.reference(*case.args)
        expected = _tuple(expected)
        args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in case.args)
        result = call(ex.name, student, args, ex.hints)
        outputs = _outputs(ex, result, case, expected)
        for a, original, arg_name in zip(args, case.args, ex.arg_names):
            if isinstance(a, torch.Tensor) and not torch.equal(a, original):
                fail(
                    f"{ex.name} changed its argument {arg_name} in place (with +=, *= or an "
                    "indexed assignment); compute a new tensor instead."
                )
        if same(outputs, expected):
            continue
        message = diagnose(case, outputs, ex.mistakes) or _insensitive(ex, student, case, outputs)
        if message is None:
            wrong = [w for w, o, e in zip(ex.outputs, outputs, expected) if not close(o, e)]
            error = max((o - e).abs().max().item() for o, e in zip(outputs, expected))
            right = [w for w in ex.outputs if w not in wrong]
            which = " and ".join(wrong) + (
                f" (while {' and '.join(right)} is right)" if right else ""
            )
            message = (
                f"{ex.name} returns the right shape but wrong values for {which}, largest "
                f"error {error:.3g} at B={case.B}, D={case.D}, H={case.H}: compare each "
                f"term with {ex.equation}."
            )
        fail(message)
    passed(f"{ex.name} matches {ex.equation} on {len(cases)} random cases of different shapes.")


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


# ---- IPython: show a failed check as its sentence, not as a traceback


def _show_failure(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython custom-exception handler: display the one sentence as the cell's error output.

    The kernel still records an "error" output and an error status, so nbclient, nbval and
    nbgrader see a failed cell (zero points).
    """
    shell._showtraceback(etype, value, [f"\x1b[0;31m✗ {value}\x1b[0m"])


def install_ipython_handler() -> bool:
    """Register ``_show_failure`` for CheckFailed in the running IPython, if there is one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailed,), _show_failure)
    return True
