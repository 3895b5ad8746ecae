"""Two or more slips in one step, each found on its own. A step with slips in two gates (or in a
gate and a line) matches no single mistake of the catalogue, and trying every pair would cost
tens of thousands of runs. Instead each gate is examined alone, on a copy of the cell whose other
gates are switched to constants (W = U = 0 and a fixed bias), where the student's step is compared
with each of that gate's known mistakes; a line slip (the update, the output, the return) is
looked for first, on a copy with every gate constant. The slips found are then put together in
the real cell and named only if together they give what the student's step gives on every case.

A gate whose copy still shows another gate's slip (a missing bias gives σ(0) = 1/2 where the
constant is 1) is examined again once that slip is known; the constants are tried at four
levels (every gate 1; the σ gates at unequal values; every bias 0; the σ gates where σ and tanh
meet), since a slip can hide at any one of them, and where a line slip and a gate slip explain
the same values, the line's is named.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch

from .calling import call
from .cases import Case
from .exercise import Exercise, Mistake, student_args, valid
from .gate_swaps import WrongGate, act_of, in_step, with_gates
from .wrong_layers import with_second_slip, words

COUNT = {2: "two", 3: "three", 4: "four"}
MOST = 8  # line slips tried with the gates, at one level of the constants
CROSSING = math.asinh(1.0)  # σ(a) = tanh(a) = 1/√2 at a = asinh(1) = ln(1 + √2)
LEVELS = [  # the constant bias of a gate switched off, by its place and letter and activation
    lambda k, letter, activation: 40.0,  # every gate 1.0 in float64: σ(40) = tanh(40)
    lambda k, letter, activation: 40.0 if activation == "tanh" else (0.5, -0.5, 1.0, -1.0)[k],
    lambda k, letter, activation: 0.0,  # σ gates 1/2, tanh 0: a ReLU or a missing bias cannot show
    # σ gates at 1/√2, where σ(a) = tanh(a) (a gate's σ/tanh slip hides, and the GRU's z lets the
    # candidate show), except LSTM's i at 1 (f and i unequal, so that swapping them shows)
    lambda k, letter, activation: 40.0 if activation == "tanh" or letter == "i" else CROSSING,
]


def _constant(cell, keep: str, letters: str, level: Callable):
    """A copy of ``cell`` whose gates in ``letters`` other than ``keep`` ignore their input."""
    cell = copy.deepcopy(cell)
    with torch.no_grad():
        for place, k in enumerate(letters):
            gate = getattr(cell, k)
            if k != keep:
                gate.W.zero_(), gate.U.zero_(), gate.b.fill_(level(place, k, gate.activation))
    return cell


def _sorted(ex: Exercise, case: Case) -> tuple[dict[str, list[Mistake]], list[Mistake]]:
    """The exercise's single slips: by the one gate they replace, and the others (lines)."""
    by_gate: dict[str, list[Mistake]] = {k: [] for k in ex.gates}
    lines: list[Mistake] = []
    for m in ex.mistakes:
        gates = getattr(m.fn, "gates", None)
        if " has two slips" in m.message:
            continue
        if gates is None:
            lines.append(m)
            continue
        try:
            letters = set(gates(case.args[-1], *case.args))
        except Exception:  # a slip that does not exist for this gate
            continue
        if len(letters) == 1 and letters <= set(ex.gates):
            by_gate[letters.pop()].append(m)
    return by_gate, lines


def _pairs(ex: Exercise, cell, k: str) -> list[Mistake]:
    """Two slips in gate ``k`` at once (``wrong_layers.with_second_slip``), tried in a gate none
    of the single slips explains."""
    act = act_of(getattr(cell, k))
    where, name = ("the candidate C̃", "C̃") if k == "g" else (f"gate {k}", k)
    slots = words(act, name, weights=f"cell.{k}")
    out = []
    for message, fn in with_second_slip(act):
        fn = in_step(ex.reference, lambda cell, *args, fn=fn: {k: WrongGate(getattr(cell, k), fn)})
        fn.slips = 2
        out.append(Mistake(f"in {where} (cell.{k}), {message.format(**slots)}", fn))
    return out


def part_by_part(ex: Exercise, student: Callable, cases: list[Case], equal) -> str | None:
    """The slips of a step in different gates (and one line), named together, or None."""
    if not ex.gates:
        return None

    def students(case: Case):
        return valid(ex, call(student, student_args(ex, case.args)), case)

    def composed(slips: dict, args: tuple, line: Mistake | None):
        *xs, cell = args
        try:
            with torch.no_grad():  # (the gates' own tensors too: a copy of the cell copies them)
                for m in slips.values():
                    if m is not None:
                        cell = with_gates(cell, **m.fn.gates(cell, *xs, cell))
                out = (line.fn if line else ex.reference)(*xs, cell)
        except Exception:  # this combination cannot run on these shapes
            return None
        return out if isinstance(out, tuple) else (out,)

    def agree(got, want) -> bool:
        return got is not None and want is not None and equal(got, want, 1e-8, 1e-10)

    results = [students(c) for c in cases]
    ran = [(c, r) for c, r in zip(cases, results) if r is not None]
    if not ran:
        return None
    base = ran[0][0]
    by_gate, lines = _sorted(ex, base)
    *inputs, cell = base.args

    known_pairs: dict[str, list[Mistake]] = {}

    def pairs(k: str):  # made only for a gate that no single slip explains
        if k not in known_pairs:
            known_pairs[k] = _pairs(ex, cell, k)
        yield from known_pairs[k]

    def probe(keep, level):
        args = (*inputs, _constant(cell, keep, ex.gates, level))
        return args, students(base._replace(args=args))

    for level in LEVELS:
        args, got = probe(None, level)  # every gate constant: only the lines show
        # no line slip is tried first: a gate's slip may show here too (a missing bias), and a
        # line slip may hide (z and 1 − z swapped, at z = 1/2)
        seen = [m for m in lines if agree(got, composed({}, args, m))][: MOST - 1]
        line_slips = [*seen, None]  # where a line slip and a gate slip give the same, the line's
        probes = {k: probe(k, level) for k in ex.gates}
        for line in line_slips:
            slips: dict[str, Mistake | None] = {}
            fitted = {}  # (gate, the other gates' slips) -> its slip: found once
            for last in (False, True):  # a second round sees the slips the first one found
                for k in ex.gates:
                    args, got = probes[k]
                    known = {j: m for j, m in slips.items() if j != k and m != "unknown"}
                    key = (k, *((j, id(m)) for j, m in known.items()))
                    if key not in fitted:
                        fits = (m for m in [None, *by_gate[k], *pairs(k)]
                                if agree(got, composed({**known, k: m}, args, line)))  # fmt: skip
                        fitted[key] = next(fits, "unknown")
                    slips[k] = fitted[key]
                    if last and slips[k] == "unknown":
                        break  # this line cannot be completed
            if "unknown" in slips.values():
                continue
            found = [m for m in (*slips.values(), line) if m is not None]
            n = sum(getattr(m.fn, "slips", 1) for m in found)  # a pair in one gate counts two
            if n >= 2 and all(agree(r, composed(slips, c.args, line)) for c, r in ran):
                said = [(f"i{m.message[1:]}" if m.message.startswith("In ") else m.message)
                        .rstrip(".") for m in found]  # fmt: skip
                listed = f"{'; '.join(said[:-1])}; and {said[-1]}" if len(said) > 1 else said[0]
                return f"{ex.name} has {COUNT.get(n, str(n))} slips: {listed}."
    return None
