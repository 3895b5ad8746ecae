"""The check runner, for every exercise: a student's function against the package's reference,
on every case of ``Exercise.cases``, then (if later cells differentiate through it) its
gradients. It prints "✓ ..." or raises CheckFailed with one sentence.

The sentence, in order of preference: a global it writes, or a tensor or size it reads from the
notebook instead of an argument; what is wrong with the type or shape of what it returned; the
fault in the student's own helper that the function calls (``Exercise.helpers``: lstm_step uses the
student's output_gate); a known mistake whose result equals the student's on every case the
student's function ran, and differs from the reference on one (``Exercise.mistakes``); a size
written as a number (right at one size only); outputs in each other's places (on every case); an
argument returned unchanged; state kept between calls; an argument it ignores; some rows (examples)
right and others wrong; the exercise's own diagnosis (``Exercise.diagnose``); the line a wrong
subset of the outputs points to (``Exercise.faults``), a float32 or rounding slip, or which output
is wrong and by how much; or, if it raised, the error with a hint that says what to change (where
it was raised inside a right helper: the call's arguments)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import torch
from torch import nn

from . import diagnosis
from .calling import call, explain
from .cases import GRADIENT_CASE, Case
from .exercise import Exercise, Mistake, as_tuple, reference_result, returned, student_args, valid
from .failure import CheckFailed, close, expect_function, fail, passed, same
from .part_by_part import part_by_part

__all__ = ["Exercise", "Mistake", "gradients", "run"]


LAST: dict[str, tuple[weakref.ref, bool]] = {}  # exercise -> (the function checked last, passed)


def _leaves(args: Sequence, names: Sequence[str]) -> list[tuple[str, torch.Tensor]]:
    """Every float tensor argument and every parameter of a module argument, by name."""
    out = []
    for a, name in zip(args, names):
        if isinstance(a, torch.Tensor) and a.is_floating_point():
            out.append((name, a))
        elif isinstance(a, nn.Module):
            out += [(f"{name}.{n}", p) for n, p in a.named_parameters()]
    return out


def gradients(ex: Exercise, student: Callable, args: Sequence, fresh: Callable = list) -> None:
    """Fail unless the student's result is differentiable, with the reference's gradients with
    respect to every leaf of ``args``; ``fresh(args)`` gives the student their arguments."""
    args = tuple(
        a.clone().requires_grad_() if isinstance(a, torch.Tensor) and a.is_floating_point() else a
        for a in args
    )
    leaves = _leaves(args, ex.arg_names)
    g = torch.Generator().manual_seed(99)
    expected = as_tuple(ex.reference(*args))
    weights = [torch.randn(e.shape, generator=g, dtype=torch.float64) for e in expected]

    def grads(outputs: tuple) -> list:
        loss = sum((o * w).sum() for o, w in zip(outputs, weights))
        found = torch.autograd.grad(loss, [p for _, p in leaves], allow_unused=True)
        return [torch.zeros_like(p) if d is None else d for (_, p), d in zip(leaves, found)]

    with torch.enable_grad():
        theirs = grads(expected)
        outcome = call(student, fresh(args))
        if outcome.error is not None:  # e.g. an in-place change of an argument autograd needs
            fail(explain(ex.name, outcome.error, ex.hints, _code(student), list(ex.helpers)))
        result = as_tuple(outcome.result)
        for what, r in zip(ex.outputs, result):
            if not (isinstance(r, torch.Tensor) and r.requires_grad):
                fail(
                    f"{ex.name} returns the right values, but {what} carries no gradient: later "
                    "cells differentiate through it, so compute with torch operations only (no "
                    ".detach(), .item(), .numpy(), torch.tensor(...) or torch.no_grad())."
                )
        ours = grads(result)
    for (leaf, _), a, b in zip(leaves, ours, theirs):
        if not close(a, b, rtol=1e-8, atol=1e-10):
            fail(
                f"{ex.name} returns the right values but the wrong gradient with respect to "
                f"{leaf}: a piece is cut from autograd (torch.no_grad(), .detach(), .data, numpy, "
                "or a copy of the weights); compute every piece with torch operations on the "
                "arguments."
            )


def run(ex: Exercise, student: object, seed: int = 0, quiet: bool = False) -> None:
    """Compare ``student`` with ``ex.reference``; print ✓ (unless quiet) or raise CheckFailed.
    The outcome is remembered (``LAST``) so that a later cell's error can be traced back to it."""
    passed_check = False
    try:
        _run(ex, student, seed, quiet)
        passed_check = True
    finally:
        try:
            LAST[ex.name] = (weakref.ref(student), passed_check)
        except TypeError:  # not a function: there is nothing a later cell could call
            LAST.pop(ex.name, None)


def _run(ex: Exercise, student: object, seed: int, quiet: bool) -> None:
    expect_function(ex.name, student)
    for key in (key for key in ex.forbidden if key in _code(student)):
        fail(f"{ex.name} calls {key}, which computes the answer for you: {ex.guard[1]}.")
    # fork_rng: building the random cells draws from torch's global generator, and a notebook
    # must print the same numbers after a check as without it
    with torch.random.fork_rng(devices=[]):
        cases = ex.cases(torch.Generator().manual_seed(seed))
        _compare(ex, student, cases, seed)
        if ex.differentiable:
            gradients(ex, student, cases[GRADIENT_CASE].args, lambda a: student_args(ex, a))
    if not quiet:
        passed(f"{ex.name} matches {ex.equation} on {len(cases)} random cases of different shapes.")


def _equal(ex: Exercise):
    return lambda a, b, rtol=1e-10, atol=1e-12: same(a, b, rtol, atol, equal_nan=ex.nan_equal)


def _compare(ex: Exercise, student: Callable, cases: list[Case], seed: int) -> None:
    outcomes, results = [], []
    for case in cases:
        args = student_args(ex, case.args)
        weights = [p.detach().clone() for p in _parameters(case.args)]
        outcome = call(student, args)
        for a, original, arg_name in zip(args, case.args, ex.arg_names):
            if not all(map(torch.equal, _tensors(a), _tensors(original))):
                fail(
                    f"{ex.name} changed its argument {arg_name} in place (with +=, *= or an "
                    "indexed assignment); compute a new tensor instead."
                )
        if not all(torch.equal(w, p) for w, p in zip(weights, _parameters(case.args))):
            fail(
                f"{ex.name} changed the cell's weights in place (e.g. .t_(), .data, += on "
                "cell.f.W): read them, and compute new tensors from them."
            )
        outcomes.append(outcome)
        results.append(valid(ex, outcome, case))
    equal = _equal(ex)
    references = [reference_result(ex, c.args) for c in cases]
    for k, (case, outcome, result, expected) in enumerate(
        zip(cases, outcomes, results, references)
    ):
        if result is not None and equal(result, expected):
            continue
        message = diagnosis.reads_global(ex, student)
        if message is None and outcome.error is None and result is None:
            values = sum(t.numel() for t in _tensors(outcome.result))
            if values != sum(e.numel() for e in expected):  # values missing: one example only?
                message = diagnosis.fitted(ex, cases, results, references, equal, fixed=False)
            if message is None:
                returned(ex, outcome.result, case, expected)  # the wrong type or shape: say which
        message = (
            message
            or diagnosis.helper(ex, student)
            or diagnosis.mistake(ex.name, ex.mistakes, cases, results, seed, equal, references)
            or (result is not None and _quietly(part_by_part, ex, student, cases, equal))
            or diagnosis.fitted(ex, cases, results, references, equal, one=result is None)
        )  # (wrong values right at B = 1 only are a row's slip, named below)
        if message is None and result is not None:
            raw = [(_unchecked(ex, o), e) for o, e in zip(outcomes, references)]
            message = (
                diagnosis.order(ex, result, expected, raw)
                or diagnosis.returns_argument(ex, case, result)
                or diagnosis.kept_state(ex, student, cases, k, result)
                or diagnosis.ignored(ex, student, case, result)
                or diagnosis.rows(ex, case, result, expected, student)
                or (ex.diagnose and ex.diagnose(case, result, expected, student))
                or diagnosis.last_resort(ex, case, result, expected)
            )
        weights = any(a.startswith(("W", "cell")) for a in ex.arg_names)
        sizes = (case.B, case.H) if ex.rows and weights else None  # a layer's (B, H) result
        fail(
            message
            or explain(ex.name, outcome.error, ex.hints, _code(student), list(ex.helpers), sizes)
        )
    message = ex.after and ex.after(cases, results)
    if message:
        fail(message)


def _quietly(diagnose: Callable, *args) -> str | None:
    """A diagnosis that runs the student's code in new ways: if it fails, it has nothing to say
    (the check goes on to the next one), rather than crash the check."""
    try:
        return diagnose(*args)
    except CheckFailed:
        raise
    except Exception:
        return None


def _code(student: Callable) -> tuple[str, ...]:
    """The names (globals and attributes) the student's function uses."""
    return getattr(getattr(student, "__code__", None), "co_names", ())


def _unchecked(ex: Exercise, outcome) -> tuple | None:
    """What the call returned, in the order of ``ex.outputs``, shapes unchecked (None if it
    raised or its nesting is wrong)."""
    try:
        return None if outcome.error else (ex.flatten or as_tuple)(outcome.result)
    except CheckFailed:
        return None


def _tensors(value: object):
    """Every tensor in ``value``: itself, inside tuples, or a module's parameters."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, nn.Module):
        yield from value.parameters()
    elif isinstance(value, tuple | list):
        for v in value:
            yield from _tensors(v)


def _parameters(args: Sequence) -> list[torch.Tensor]:
    return [p for a in args if isinstance(a, nn.Module) for p in a.parameters()]
