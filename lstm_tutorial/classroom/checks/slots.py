"""Step mistakes of one kind: a value written in another value's place. In an equation of the
step, one slot holds the wrong name (``c = f ⊙ c_prev + g ⊙ g``, ``return h, o``); everything
else is the package's own step. ``quantities(*args)`` names the values a student has at hand
(the arguments and the step's own activations, from the cell's record)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .runner import Mistake


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
