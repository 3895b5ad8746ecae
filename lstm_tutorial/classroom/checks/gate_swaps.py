"""Step mistakes derived from the package's own step: the cell run with one of its gates (or
several) replaced by a wrong layer of the catalogue, a gate of another name, or a gate that reads
the wrong value; or one slot of an equation holding the wrong value (``c = f ⊙ c_prev + g ⊙ g``,
``return h, o``). Shared by the LSTM, CIFG, GRU and sLSTM step checks.

``step(cell, *args)`` runs the package's step on a (modified) cell and the case's other
arguments; ``quantities(*args)`` names the values a student has at hand (the arguments and the
step's own activations)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from torch import nn

from .cases import shares_parameters
from .exercise import Mistake
from .wrong_layers import ACT, CATALOGUE, for_activation, words


def act_of(gate: nn.Module) -> str:
    return "σ" if gate.activation == "sigmoid" else "tanh"


def right_layer(x, h, W, U, b, act):
    return ACT[act](x @ W.T + h @ U.T + b)  # (B, H)


class WrongGate(nn.Module):
    """Stands in for ``gate``: computes ``wrong(x, h, W, U, b, act)`` from its parameters,
    reading ``reads_x`` / ``reads`` (tensors) in place of the x / h it is given if set, and with
    some parameters taken from elsewhere (``params``, e.g. {"W": another gate's W})."""

    def __init__(self, gate, wrong=right_layer, act=None, reads=None, reads_x=None, params=None):
        super().__init__()
        self.gate, self.wrong, self.act = gate, wrong, act or act_of(gate)
        self.reads, self.reads_x, self.params = reads, reads_x, params or {}

    def __getattr__(self, name: str):  # W, U, b, activation: those of the gate it replaces
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(super().__getattr__("gate"), name)

    def forward(self, x, h, c=None):
        x = x if self.reads_x is None else self.reads_x
        h = h if self.reads is None else self.reads
        W, U, b = (self.params.get(k, getattr(self.gate, k)) for k in "WUb")
        return self.wrong(x, h, W, U, b, self.act)


def with_gates(cell: nn.Module, **gates: nn.Module) -> nn.Module:
    """A copy of ``cell`` (same parameters) with some gate modules replaced."""
    cell = shares_parameters(cell)
    for letter, gate in gates.items():
        setattr(cell, letter, gate)
    return cell


def in_step(step, gates: Callable[..., dict]) -> Callable:
    """A wrong step: the package's ``step`` with the gates ``gates(cell, *args)`` replaced."""

    def fn(*args):
        cell = args[-1]
        return step(with_gates(cell, **gates(cell, *args)), *args[:-1])

    fn.gates = gates  # for slips in several gates at once (part_by_part)
    return fn


def wrong_layer_mistakes(step, letters: str, sigmoid: str) -> list[Mistake]:
    """Every wrong layer of the catalogue in each gate of ``letters``, in all the σ gates
    ``sigmoid`` at once, and (the weight slips) in every gate at once."""
    mistakes = []
    for letter in letters:
        where = "the candidate C̃" if letter == "g" else f"gate {letter}"
        for w in CATALOGUE:
            mistakes.append(_in_gates(step, w, letter, f"In {where} (cell.{letter}), "))
    for w in for_activation("σ"):
        mistakes.append(_in_gates(step, w, sigmoid, f"In each of the gates {', '.join(sigmoid)}, "))
    for w in CATALOGUE if len(letters) > len(sigmoid) else ():
        if not w.only and not any(s in w.message for s in ("{other}", "{name}", "{fn}", "{why}")):
            mistakes.append(_in_gates(step, w, letters, "In every gate, "))
    return mistakes


def _in_gates(step, wrong, letters: str, where: str) -> Mistake:
    """``wrong`` in each gate of ``letters``, worded for that one gate (σ for the gates, tanh for
    the candidates g and n) or, for several gates, for "the gate"."""

    def gates(cell, *args):
        if len(letters) == 1 and wrong.only and wrong.only != act_of(getattr(cell, letters)):
            raise ValueError("this slip does not exist for this gate's activation")
        return {k: WrongGate(getattr(cell, k), wrong.fn) for k in letters}

    if len(letters) == 1:
        name = "C̃" if letters == "g" else letters
        slots = words("tanh" if letters in "gn" else "σ", name, weights=f"cell.{letters}")
    else:  # several gates: σ for the gates alone, "the activation" if the candidate is one too
        slots = words("σ", "the gate") | ({"act": "activation"} if set(letters) & set("gn") else {})
    return Mistake(where + (wrong.in_step or wrong.message).format(**slots), in_step(step, gates))


def mixed_up_mistakes(
    step,
    letters: str,
    rule: str = "each value comes from the gate of the same name (C̃ from cell.g)",
    most: int = 0,
) -> list[Mistake]:
    """Gates computed from another gate's parameters, with that gate's activation (cell.i(x, h)
    for f) or with their own (forget_gate(x, h, cell.i.W, cell.i.U, cell.i.b)); at most ``most``
    gates mixed up, if given."""
    mistakes = []
    for order in itertools.product(letters, repeat=len(letters)):
        wrong = [f"{role} from cell.{k}" for role, k in zip(letters, order) if role != k]
        for own in (False, True) if wrong and len(wrong) <= (most or len(letters)) else ():

            def gates(cell, *args, order=order, own=own):
                act = {role: ("tanh" if role in "gn" else "σ") if own else None for role in letters}
                return {
                    role: WrongGate(getattr(cell, k), act=act[role])
                    for role, k in zip(letters, order)
                }

            message = f"the gates are mixed up (you took {', '.join(wrong)}): {rule}."
            mistakes.append(Mistake(message, in_step(step, gates)))
    return mistakes


def input_mistakes(step, letters: str, quantities) -> list[Mistake]:
    """Each gate reading another value (an argument, another gate's value) in place of x or of
    h_prev."""

    def reading(k, slot, other):
        def gates(cell, *args):
            value = quantities(*args)[other]  # KeyError: not in this cell
            return {
                k: WrongGate(getattr(cell, k), **{"reads_x" if slot == "x" else "reads": value})
            }

        return in_step(step, gates)

    return [
        Mistake(f"gate {k} (cell.{k}) reads {other} where {slot} belongs.", reading(k, slot, other))
        for k in letters
        for slot in ("x", "h_prev")
        for other in ("x", "h_prev", "c_prev", "f", "i", "g", "o", "c", "tanh(c)", "r", "z", "n")
        if other not in (slot, k)
    ]


def weight_mistakes(step, letters: str, sources: str = "") -> list[Mistake]:
    """Each gate using one parameter of another layer of ``letters + sources`` (cell.f.W in the
    input gate)."""

    def borrowing(k, name, j):
        def gates(cell, *args):
            return {k: WrongGate(getattr(cell, k), params={name: getattr(getattr(cell, j), name)})}

        return in_step(step, gates)

    def all_borrowing(j, name):
        def gates(cell, *args):
            own = getattr(getattr(cell, j), name)
            return {k: WrongGate(getattr(cell, k), params={name: own}) for k in letters if k != j}

        return in_step(step, gates)

    return [
        Mistake(
            f"gate {k} (cell.{k}) uses cell.{j}.{name} where cell.{k}.{name} belongs.",
            borrowing(k, name, j),
        )
        for k in letters
        for j in letters + sources
        if j != k
        for name in "WUb"
    ] + [
        Mistake(
            f"every gate uses cell.{j}.{name}: each gate has its own, cell.{k0}.{name} in gate "
            f"{k0}, and so on.",
            all_borrowing(j, name),
        )
        for j in letters
        for k0 in [next(k for k in letters if k != j)]
        for name in "WUb"
    ]


def slot_mistakes(
    equation: str,
    right: Sequence[str],
    compute: Callable,
    quantities: Callable,
    candidates: Sequence[str],
) -> list[Mistake]:
    """``equation`` with slot k holding ``other`` in place of ``right[k]``, for every other
    candidate; ``compute(values, q, args)`` finishes the step from the slots' values."""

    def wrong(k: int, other: str):
        def fn(*args):
            q = quantities(*args)
            values = [q[name] for name in right]
            values[k] = q[other]
            return compute(values, q, args)

        return fn

    return [
        Mistake(f"in {equation}, {other} is used where {name} belongs.", wrong(k, other))
        for k, name in enumerate(right)
        for other in candidates
        if other != name
    ]
