"""What a check knows about one exercise, and the three things every part of a check does with
it: the reference's result, fresh (guarded) arguments for the student, and the student's result
if it has the right type and shape."""

from __future__ import annotations

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
    sizes: str = "BDH"  # the size letters quoted in messages
    guard: tuple[str, str] = ("", "")  # (gate modules to refuse, what to use instead)
    helpers: dict[str, Callable] = field(default_factory=dict)  # name -> its check


def as_tuple(value: object) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def reference_result(ex: Exercise, args: Sequence) -> tuple:
    with torch.no_grad():
        return as_tuple(ex.reference(*args))


def student_args(ex: Exercise, args: Sequence) -> tuple:
    """Fresh copies for the student: cloned tensors, a guarded cell (same parameters)."""
    gates, own = ex.guard
    return tuple(
        a.clone() if isinstance(a, torch.Tensor)
        else guarded(a, ex.name, own or "write the step from the gates' weights", gates)
        if isinstance(a, nn.Module) else a
        for a in args
    )  # fmt: skip


def valid(ex: Exercise, outcome: Outcome, case: Case) -> tuple | None:
    """The outcome's tensors if they have the right type, dtype and shape, else None."""
    if outcome.error is not None:
        return None
    try:
        return tensors(ex.name, outcome.result, ex.outputs, case.B, case.H)
    except CheckFailed:
        return None
