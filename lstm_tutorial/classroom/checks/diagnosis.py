"""Naming what is wrong with a submission whose result differs from the reference's: the fault
of a helper it calls, a known mistake, state kept between calls, an ignored argument, or, as a
last resort, which output is wrong and by how much (a float32 or rounding slip said as such)."""

from __future__ import annotations

import copy
import dis
from collections.abc import Callable

import torch
from torch import nn

from .calling import call
from .cases import Case
from .exercise import Exercise, as_tuple, reference_result, student_args, valid
from .failure import CheckFailed, close, same

SIZES = {"B", "D", "H", "T", "S", "K", "V"}  # a notebook's sizes, never a function's
SHAPE_OF = {  # where a function finds each size in its own arguments
    "B": [("x", "x.shape[0]"), ("h_prev", "h_prev.shape[0]"), ("c_prev", "c_prev.shape[0]")],
    "D": [("x", "x.shape[1]")],
    "H": [("h_prev", "h_prev.shape[1]"), ("c_prev", "c_prev.shape[1]"), ("f", "f.shape[1]")],
}
# The mistakes' results on the cases of a seed, computed once per process: a class set checked
# in one kernel, or a test of many submissions, pays for the catalogue only once.
_BUGGY: dict[tuple[str, int, int, int], tuple | None] = {}


def _buggy(name: str, fn: Callable, seed: int, k: int, case, j: int) -> tuple | None:
    if (name, seed, k, j) not in _BUGGY:
        try:
            with torch.no_grad():
                _BUGGY[name, seed, k, j] = as_tuple(fn(*case.args))
        except Exception:  # this mistake cannot run on these shapes
            _BUGGY[name, seed, k, j] = None
    return _BUGGY[name, seed, k, j]


def mistake(name: str, mistakes, cases, results, seed, equal=same, expected=()) -> str | None:
    """The first of ``mistakes`` (of the exercise ``name``) equal to the student on every case
    where the student ran (a mistake that cannot run where the student's function ran is not the
    student's), and unequal to the reference (``expected``, per case) on at least one of them;
    ``equal(a, b, rtol, atol)`` compares two results."""
    ran = [(k, c, r) for k, (c, r) in enumerate(zip(cases, results)) if r is not None]
    for j, known in enumerate(mistakes if ran else ()):
        buggy = []
        for k, c, r in ran:  # stop at the first case the mistake does not explain
            buggy.append(_buggy(name, known.fn, seed, k, c, j))
            if buggy[-1] is None or not equal(r, buggy[-1], 1e-8, 1e-10):
                break
        else:
            if not expected or not all(equal(b, expected[k]) for b, (k, _, _) in zip(buggy, ran)):
                return known.message
    return None


def helper(ex: Exercise, student: Callable) -> str | None:
    """The fault of a helper of the student's that the function calls, if that helper fails."""
    names = getattr(getattr(student, "__code__", None), "co_names", ())
    scope = getattr(student, "__globals__", {})
    for helper, check in ex.helpers.items():
        if helper in names and callable(scope.get(helper)):
            try:
                check(scope[helper], quiet=True)
            except CheckFailed as error:
                return f"{ex.name} calls your {helper}, which is wrong: {error}"
    return None


def _holds_tensors(value: object) -> bool:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return any(map(_holds_tensors, value))
    return isinstance(value, torch.Tensor | nn.Module)


def reads_global(ex: Exercise, student: Callable) -> str | None:
    """Name a global the function writes or keeps tensors in (state kept between calls), or a
    tensor, module or size it reads from the notebook instead of its arguments (``h_prev`` inside
    ``def forget_gate(x, h, ...)``, the notebook's ``B = 2``)."""
    code = getattr(student, "__code__", None)
    if code is None:
        return None
    ops = _instructions(student)
    scope, loads = student.__globals__, [n for op, n in ops if op == "LOAD_GLOBAL"]
    kept = [n for op, n in ops if op == "STORE_GLOBAL"] + [
        n for n in loads if isinstance(scope.get(n), list | dict) and _holds_tensors(scope[n])
    ]
    sizes = [n for n in loads if n in SIZES and isinstance(scope.get(n), int)]
    read = [n for n in loads if isinstance(scope.get(n), torch.Tensor | nn.Module)]
    params, task = code.co_varnames[: code.co_argcount], ", ".join(ex.arg_names)
    if kept:
        return (
            f"{ex.name} keeps something between calls in the global {kept[0]}: compute the "
            "result from the arguments alone, in local variables."
        )
    if sizes:
        size = sizes[0]
        where = next((w for n, w in SHAPE_OF.get(size, ()) if n in ex.arg_names), None)
        shown = f" ({size} is {where})" if where else ""
        return (
            f"{ex.name} reads {size} = {scope[size]} from the notebook: take every size from the "
            f"arguments' shapes{shown}, which change from call to call."
        )
    if read and tuple(params) == ex.arg_names:
        return f"{ex.name} reads {read[0]} from the notebook: use only its arguments ({task})."
    if read:
        return (
            f"{ex.name} reads {read[0]} from the notebook, not from its arguments (called "
            f"{', '.join(params)}): name them as in the task, {ex.name}({task}), and use only them."
        )
    return None


def nudge(arg: object, g: torch.Generator) -> object:
    """A randomly moved copy of a float tensor or of a module's parameters; None for anything
    else (a bool mask, a number)."""
    if isinstance(arg, torch.Tensor) and arg.is_floating_point():
        return arg + 0.37 * torch.randn(arg.shape, generator=g, dtype=arg.dtype)
    if isinstance(arg, nn.Module):
        moved = copy.deepcopy(arg)
        with torch.no_grad():
            for p in moved.parameters():
                p.add_(0.37 * torch.randn(p.shape, generator=g, dtype=p.dtype))
        return moved
    return None


def returns_argument(ex: Exercise, case: Case, result: tuple) -> str | None:
    """Name an output that is one of the arguments, unchanged (``return h_prev``)."""
    for what, r in zip(ex.outputs, result):
        for name, a in zip(ex.arg_names, case.args):
            if isinstance(a, torch.Tensor) and close(r, a):
                return f"{ex.name} returns its argument {name} unchanged as {what}: compute {what}."
    return None


def ignored(ex: Exercise, student: Callable, case: Case, result: tuple) -> str | None:
    """Name an argument the student's result ignores although the reference depends on it."""
    g = torch.Generator().manual_seed(1234)
    for j, arg_name in enumerate(ex.arg_names):
        nudged = list(case.args)
        nudged[j] = nudge(case.args[j], g)
        if nudged[j] is None or same(reference_result(ex, nudged), reference_result(ex, case.args)):
            continue
        moved = as_tuple(call(student, student_args(ex, nudged)).result)
        if not same(moved, result):
            continue
        if arg_name in _reads(student):  # read, but its effect is lost on the way
            constant = all(torch.all(r == r.flatten()[0]) for r in result if r.numel())
            return (
                f"{ex.name}'s result does not change when {arg_name} changes, although it reads "
                f"{arg_name}: "
                + ("every value is the same, as from a softmax or a normalisation over a "
                   "dimension of size 1 (or over each entry on its own)"
                   if constant else "its effect is lost on the way (a value overwritten, or a "
                   "reduction over a dimension of size 1)")
                + f"; {arg_name} must reach the result as in {ex.equation}."
            )  # fmt: skip
        also = _besides(ex, case, j, result)
        return (
            f"{ex.name}'s result does not change when {arg_name} changes, although the "
            f"equation depends on it: use the argument {arg_name}" + (also or ".")
        )
    return None


def _instructions(student: Callable) -> list[tuple[str, object]]:
    """(operation, argument) of each bytecode instruction of the function, [] if it has none."""
    code = getattr(student, "__code__", None)
    return [(i.opname, i.argval) for i in dis.get_instructions(code)] if code is not None else []


def _reads(student: Callable) -> set[str]:
    """The local names (arguments among them) the function's code loads."""
    loads = ("LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "LOAD_DEREF")
    return {arg for op, arg in _instructions(student) if op in loads}


def _besides(ex: Exercise, case: Case, j: int, result: tuple) -> str | None:
    """A second slip beside an ignored argument: a known mistake that, given that argument at
    zero, gives what the student gave."""
    if not isinstance(case.args[j], torch.Tensor):
        return None
    zeroed = list(case.args)
    zeroed[j] = torch.zeros_like(case.args[j])
    right = reference_result(ex, zeroed)
    for known in ex.mistakes:
        try:
            with torch.no_grad():
                got = as_tuple(known.fn(*zeroed))
        except Exception:  # this mistake cannot run on these shapes
            continue
        if same(got, result) and not same(got, right):
            message = known.message[0].lower() + known.message[1:]
            return f"; and besides, {message}"
    return None


def _shapes(case: Case) -> list[tuple]:
    return [tuple(a.shape) for a in case.args if isinstance(a, torch.Tensor)]


def kept_state(ex, student, cases, k, result) -> str | None:
    """Name a function that remembers something between calls (a cache, a global)."""
    if any(
        _shapes(cases[j]) == _shapes(cases[k]) and same(result, reference_result(ex, cases[j].args))
        for j in range(k)
    ):
        return (
            f"{ex.name} returned the answer of an earlier call for new inputs of the same "
            "shapes: it keeps something between calls (a cache or a global); compute the "
            "result from the arguments every time."
        )
    again = valid(ex, call(student, student_args(ex, cases[k].args)), cases[k])
    if again is not None and not same(again, result, equal_nan=True):  # NaN twice is the same
        return (
            f"{ex.name} gives different results when called twice with the same inputs: it "
            "keeps something between calls (a global or a counter); use only the arguments."
        )
    return None


def fitted(ex: Exercise, cases, results, expected, equal, one=True, fixed=True) -> str | None:
    """Name a function written for one size: right on every case where a size (B, H, ...) has
    one value, and on no case where it has another: B = 1 (``one``: it handles one example) or
    any value above 1 (``fixed``: a number in place of a .shape). Right only where another size
    is 1 says nothing (a transpose or a mixed-up axis hides there)."""
    right = [equal(r, e) if r is not None else False for r, e in zip(results, expected)]
    if not any(right) or all(right):
        return None
    for size in (s for s in cases[0]._fields[1:] if fixed or s == "B"):
        held = {getattr(c, size) for c, ok in zip(cases, right) if ok}
        other = [getattr(c, size) for c, ok in zip(cases, right) if not ok]
        if len(held) != 1 or held & set(other) or (not fixed and held != {1}):
            continue
        (v,) = held
        if all(any(getattr(c, s) == 1 for s in c._fields[1:] if s != size)
               for c, ok in zip(cases, right) if ok):  # fmt: skip
            continue
        if size == "B" and v == 1 and one:
            return (
                f"{ex.name} is right when the batch holds one example (B = 1) but not at "
                f"B = {other[0]}: some line drops the batch dimension or mixes the examples "
                "([0], a squeeze, a flatten, a sum over dim 0, a None axis missing or misplaced); "
                "every row is an example of its own, so keep the batch dimension throughout."
            )
        if v > 1 and fixed:
            return (
                f"{ex.name} is right where {size} = {v} but not at {size} = {other[0]}: a size "
                "is written into the code as a number (fitted to the example); read every size "
                "from the arguments' .shape."
            )
    return None


INDEXES = [  # (how a loop over the batch reads row b of an argument, the rows it reads)
    ("{a}[0] for every row", lambda B: [0] * B),
    ("{a}[b − 1] (an index off by one)", lambda B: [(b - 1) % B for b in range(B)]),
    ("{a}[b + 1] (an index off by one)", lambda B: [(b + 1) % B for b in range(B)]),
    ("{a}[-1] for every row", lambda B: [B - 1] * B),
    ("the rows of {a} in reverse order", lambda B: list(range(B))[::-1]),
]


def _batched(ex: Exercise, case: Case) -> list[str]:
    """The arguments with one row per example (not the weights W, U, b)."""
    return [
        a for a, v in zip(ex.arg_names, case.args)
        if isinstance(v, torch.Tensor) and v.dim() == 2 and not a.startswith(("W", "U", "b"))
    ]  # fmt: skip


def _read_rows(ex: Exercise, case: Case, result: tuple, wrong: list[int]) -> str | None:
    """Which argument's rows the wrong rows were computed from, if one re-indexing explains
    them: row b from x[0], from h_prev[b − 1], ..."""
    B, batched = len(result[0]), _batched(ex, case)
    for k, (a, arg) in enumerate(zip(ex.arg_names, case.args)):
        if a not in batched or len(arg) != B:
            continue
        for words, index in INDEXES:
            args = list(case.args)
            args[k] = arg[index(B)]
            try:
                with torch.no_grad():
                    moved = as_tuple(ex.reference(*args))
            except Exception:  # the reference cannot run on these arguments
                continue
            if all(close(r[b], m[b]) for b in wrong for r, m in zip(result, moved)):
                return f"row b is computed from {words.format(a=a)}; row b uses {a}[b]"
    return None


def _indexes(student: Callable) -> bool:
    """Whether the function's code loops or indexes (where rows can get mixed up)."""
    ops = {op for op, _ in _instructions(student)}
    return bool(ops & {"FOR_ITER", "BINARY_SUBSCR", "BINARY_SLICE"})


def rows(ex: Exercise, case: Case, result: tuple, expected: tuple, student=None) -> str | None:
    """Name a batch some of whose rows (examples) are right and others wrong: a loop over the
    examples that misses one, or rows read from another example (x[0] for all, b − 1)."""
    B = len(expected[0])
    right = [all(close(r[b], e[b]) for r, e in zip(result, expected)) for b in range(B)]
    if not ex.rows or all(right):
        return None
    H = expected[0].shape[-1]
    units = [all(close(r[:, u], e[:, u]) for r, e in zip(result, expected)) for u in range(H)]
    missed = [u for u in range(H) if not units[u]]
    if any(units) and all((r[:, u] == 0).all() for r in result for u in missed):
        which = f"unit{'s' * (len(missed) > 1)} {names([str(u) for u in missed])} of 0 to {H - 1}"
        them = "them" if len(missed) > 1 else "it"
        return (
            f"{ex.name} leaves some units at zero ({which}): a loop over the hidden units misses "
            f"{them}; it must cover every column, range(H) (or, simpler, no loop at all: the "
            "operations work on whole tensors)."
        )
    if B < 2:
        return None
    wrong = [b for b in range(B) if not right[b]]
    read = _read_rows(ex, case, result, wrong)
    if not any(right):
        return read and f"{ex.name}: {read}."
    which = f"row{'s' * (len(wrong) > 1)} {names([str(b) for b in wrong])} of 0 to {B - 1}"
    if all((r[b] == 0).all() for r in result for b in wrong):
        return (
            f"{ex.name} leaves some examples at zero ({which}): a loop over the batch misses "
            "them; it must cover every row, range(x.shape[0])."
        )
    if read:
        return f"{ex.name} gets some examples right and others wrong ({which}): {read}."
    if student is not None and not _indexes(student):
        return None  # no loop and no index: the rows differ for another reason
    batch = _batched(ex, case)
    return (
        f"{ex.name} gets some examples right and others wrong ({which}): those rows are computed "
        f"from another example's values ({batch[0]}[0] for every row, or an index off by one); "
        f"row b uses {names([f'{a}[b]' for a in batch])}."
    )


def precision_slip(name: str, outputs: list[torch.Tensor], error: float) -> str | None:
    """A float32 or rounding slip in ``outputs`` (largest error ``error``), said as such."""
    if error >= 1e-3:
        return None
    if all(torch.equal(o, o.float().double()) for o in outputs):
        return (
            f"{name} is almost right but not exact (largest error {error:.1e}): a step "
            "ran in float32, so keep every tensor float64 (no .float(), no torch.float32)."
        )
    for d in range(1, 9):
        if all(((o * 10**d).round() - o * 10**d).abs().max() < 1e-6 for o in outputs):
            return (
                f"{name} rounds its result to {d} decimals (largest error {error:.1e}): "
                "return the exact values and round only when printing."
            )
    return None


def names(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


def order(ex: Exercise, result: tuple, expected: tuple, others=()) -> str | None:
    """Name an output returned in another output's place (the rest may be wrong as well), if
    it is in that place on every other case too (``others``: (what the student returned, or
    None if it raised; the reference's result) per case)."""

    def holds(i, j, got, want) -> bool:
        got = got or ()
        return len(got) > max(i, j) and isinstance(got[i], torch.Tensor) and close(got[i], want[j])

    moved = [  # output i holds the value of output j, and j is not right either
        (ex.outputs[j], ex.outputs[i])
        for i, r in enumerate(result)
        if not close(r, expected[i])
        for j, e in enumerate(expected)
        if j != i
        and close(r, e)
        and not close(result[j], e)
        and all(holds(i, j, got, want) for got, want in others)
    ]
    if not moved or len(ex.outputs) < 2:
        return None
    where = names([f"{got} where {want} belongs" for got, want in moved[:2]])
    where += ", and more," if len(moved) > 2 else ""
    order = f"({', '.join(ex.outputs)})" if len(ex.outputs) <= 4 else "of the task"
    return f"{ex.name} returns {where}: return the values in the order {order}."


def last_resort(ex: Exercise, case: Case, result: tuple, expected: tuple) -> str:
    """Which output is wrong and by how much, and where that puts the fault (``ex.faults``); a
    precision or rounding slip said as such."""
    wrong = [w for w, o, e in zip(ex.outputs, result, expected) if not close(o, e)]
    error = max((o - e).abs().max().item() for o, e in zip(result, expected))
    slip = precision_slip(ex.name, [o for w, o in zip(ex.outputs, result) if w in wrong], error)
    right = [w for w in ex.outputs if w not in wrong]
    fault = dict(ex.faults).get(" ".join(wrong))
    if slip or fault:
        but = f" but {names(right)} right" if right else ""
        return slip or f"{ex.name} gets {names(wrong)} wrong{but}, so the fault is in {fault}."
    which = names(wrong)
    if right and len(ex.outputs) <= 4:
        which += f" (while {names(right)} {'is' if len(right) == 1 else 'are'} right)"
    where = ", ".join(f"{s}={getattr(case, s)}" for s in ex.sizes)
    return (
        f"{ex.name} returns the right shape but wrong values for {which}, largest error "
        f"{error:.3g} at {where}: {ex.advice or 'compare each term with ' + ex.equation}."
    )
