"""What a check knows about one exercise, and the three things every part of a check does with
it: the reference's result, fresh (guarded) arguments for the student, and the student's result
if it has the right type and shape (``Exercise.returned``; by default every output (B, H))."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from .calling import Outcome, tensors
from .cases import Case, guarded
from .failure import CheckFailed


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of the reference (same arguments) and the sentence naming it."""

    message: str
    fn: Callable[..., object]


def with_changed_arguments(name: str, slips: list, mistakes: list[Mistake]) -> list[Mistake]:
    """Two slips at once: each of ``mistakes`` run on arguments changed by one of ``slips``,
    (what is wrong, (*args) -> the arguments the mistake is given instead)."""
    return [
        Mistake(f"{name} has two slips: {slip}; and {m.message}",
                lambda *args, fn=m.fn, given=given: fn(*given(*args)))
        for slip, given in slips
        for m in mistakes
    ]  # fmt: skip


@dataclass(frozen=True)
class Exercise:
    """What a check needs to know about one exercise."""

    name: str  # the student's function, e.g. "forget_gate"
    equation: str  # shown on success and in the last-resort sentence
    outputs: tuple[str, ...]  # ("f",) or ("h", "c")
    arg_names: tuple[str, ...]
    reference: Callable[..., object]  # the package's own computation, same arguments
    cases: Callable[[torch.Generator], list[Case]]
    mistakes: Sequence[Mistake] = ()
    hints: Sequence[tuple[str, str]] = ()  # (phrase of an error's text, what it means)
    shape_hint: str = ""
    nan_hint: str = ""  # what makes a NaN or inf in this exercise
    sizes: str = "BDH"  # the size letters quoted in messages
    # (gate modules to refuse, what to use instead); None: a plain copy of the cell, no guards
    guard: tuple[str, str] | None = ("", "")
    helpers: dict[str, Callable] = field(default_factory=dict)  # name -> its check
    # what the student returned as a tuple of tensors, or CheckFailed naming what is wrong with
    # it: returned(ex, result, case, expected); None: ``len(outputs)`` tensors of shape (B, H)
    returned: Callable | None = None
    flatten: Callable | None = None  # the result in the order of outputs, unchecked; as_tuple
    advice: str = ""  # the last resort's advice; "" for "compare each term with {equation}"
    diagnose: Callable | None = None  # (case, result, expected, student) -> its own sentence
    after: Callable | None = None  # (cases, results) -> a fault seen once every value agrees
    forbidden: tuple[str, ...] = ()  # functions whose call hands over the answer
    differentiable: bool = True  # compare gradients (a later cell differentiates through it)
    nan_equal: bool = False  # NaN equals NaN when results are compared
    rows: bool = False  # each row of every output is one example, computed the same way
    # (the wrong outputs, space-separated, where that puts the fault), e.g. ("h", "h = o ⊙ tanh(c)")
    faults: tuple[tuple[str, str], ...] = ()
    gates: str = ""  # the cell's gates, each examined on its own for several slips at once


def as_tuple(value: object) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def reference_result(ex: Exercise, args: Sequence) -> tuple:
    with torch.no_grad():
        return as_tuple(ex.reference(*args))


def student_args(ex: Exercise, args: Sequence) -> tuple:
    """Fresh copies for the student: cloned tensors (inside tuples too), a guarded cell (same
    parameters), or a copy of the cell if the exercise has no guards."""
    gates, own = ex.guard or ("", "")

    def fresh(a):
        if isinstance(a, torch.Tensor):
            return a.clone()
        if isinstance(a, nn.Module) and ex.guard is None:
            return copy.deepcopy(a)
        if isinstance(a, nn.Module):
            return guarded(a, ex.name, own or "write the step from the gates' weights", gates)
        if isinstance(a, tuple):
            copied = [fresh(v) for v in a]
            return type(a)(*copied) if hasattr(a, "_fields") else tuple(copied)
        return a

    return tuple(fresh(a) for a in args)


def returned(ex: Exercise, result: object, case: Case, expected: tuple) -> tuple:
    """The student's result as a tuple of tensors, or CheckFailed saying what is wrong with it."""
    if ex.returned is not None:
        return ex.returned(ex, result, case, expected)
    return tensors(ex.name, result, ex.outputs, case.B, case.H, ex.shape_hint, ex.nan_hint)


def valid(ex: Exercise, outcome: Outcome, case: Case) -> tuple | None:
    """The outcome's tensors if they have the right type, dtype and shape, else None."""
    if outcome.error is not None:
        return None
    try:
        return returned(ex, outcome.result, case, reference_result(ex, case.args))
    except CheckFailed:
        return None
