"""The check runner: compare a student's function with the reference on several random cases
of different shapes, print "✓ ..." when they agree, else raise CheckFailed with one sentence that
names the likely mistake (a known wrong version that gives the same result, an argument the
student ignores, or at least which output is wrong and by how much)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from ._core import Case, Mistake, as_tensor, call, close, diagnose, fail, passed, same


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
    if isinstance(result, torch.Tensor):
        fail(f"{ex.name} must return the pair {pair}, got a single tensor.")
    if not isinstance(result, tuple | list) or len(result) != len(ex.outputs):
        n = len(result) if isinstance(result, tuple | list) else 0
        got = f"{n} value" + "s" * (n != 1) if n else type(result).__name__
        fail(f"{ex.name} must return the pair {pair}, got {got}.")
    for r, what in zip(result, ex.outputs):
        if r is None:
            fail(f"{ex.name} returned None as {what}: return the pair {pair} of tensors.")
    return tuple(
        as_tensor(ex.name, r, what, shape, doc, e, ex.shape_hint)
        for r, what, e in zip(result, ex.outputs, expected)
    )


def _tuple(value: object) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _nudge(arg: object, g: torch.Generator) -> object:
    """A randomly moved copy of a tensor, or of a module's parameters; None for anything else."""
    if isinstance(arg, torch.Tensor):
        return arg + 0.37 * torch.randn(arg.shape, generator=g, dtype=arg.dtype)
    if isinstance(arg, nn.Module):
        moved = copy.deepcopy(arg)
        with torch.no_grad():
            for p in moved.parameters():
                p.add_(0.37 * torch.randn(p.shape, generator=g, dtype=p.dtype))
        return moved
    return None


def _insensitive(ex: Exercise, student: Callable, case: Case, outputs: tuple) -> str | None:
    """Name an argument the student's result ignores although the reference depends on it."""
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        expected = _tuple(ex.reference(*case.args))
    for j, (arg, arg_name) in enumerate(zip(case.args, ex.arg_names)):
        nudged = list(case.args)
        nudged[j] = _nudge(arg, g)
        if nudged[j] is None:
            continue
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
                f"argument {arg_name} (not a global variable of the notebook)."
            )
    return None


def run(ex: Exercise, student: object, seed: int = 0) -> None:
    """Compare ``student`` with ``ex.reference`` on every case; print ✓ or raise CheckFailed."""
    if not callable(student):
        fail(
            f"check_{ex.name} expects your function itself, e.g. check_{ex.name}({ex.name}), "
            f"got {type(student).__name__}."
        )
    # fork_rng: building the random cells draws from torch's global generator, and a notebook
    # must print the same numbers after a check as without it
    with torch.random.fork_rng(devices=[]):
        n_cases = _compare(ex, student, seed)
    passed(f"{ex.name} matches {ex.equation} on {n_cases} random cases of different shapes.")


def _compare(ex: Exercise, student: Callable, seed: int) -> int:
    """Raise CheckFailed at the first case where ``student`` differs; return the case count."""
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
            if error < 1e-4:  # right formula, lost precision (float32 has ~7 digits)
                message = (
                    f"{ex.name} is almost right but not exact (largest error {error:.1e}): some "
                    "step ran in float32, so keep every tensor float64 (no .float(), no "
                    "dtype=torch.float32)."
                )
        fail(message)
    return len(cases)
