"""Checks for a whole LSTM step written from the cell's gates: notebook 05 (Hochreiter &
Schmidhuber 1997, with the forget gate of Gers et al. 2000) and notebook 09 (coupled input and
forget gates, CIFG, Greff et al. 2017; its own slips are in ``cifg_step.py``). The reference is
``LSTMCell.step``.

    f, i, g, o from the layers cell.f, cell.i, cell.g, cell.o     (CIFG: no cell.i, i = 1 − f)
    c = f ⊙ c_prev + i ⊙ g
    h = o ⊙ tanh(c)
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ...lstm import LSTMCell, LSTMState
from .cases import cell_cases
from .cell_update import UPDATE_MISTAKES, check_cell_update
from .gate_swaps import (
    WrongGate,
    in_step,
    input_mistakes,
    mixed_up_mistakes,
    slot_mistakes,
    weight_mistakes,
    wrong_layer_mistakes,
)
from .layer import check_candidate, check_forget_gate, check_input_gate, check_output_gate
from .runner import Exercise, Mistake, run

σ, tanh, relu = torch.sigmoid, torch.tanh, torch.relu
H = "h = o ⊙ tanh(c)"


def step(cell, x, h_prev, c_prev):
    """The package's step: (h, c)."""
    return tuple(cell.step(x, LSTMState(h_prev, c_prev))[0])


def reference(x, h_prev, c_prev, cell):
    return step(cell, x, h_prev, c_prev)


def quantities(x, h_prev, c_prev, cell) -> dict:
    """The values a student has at hand in the step, by name."""
    r = cell.step(x, LSTMState(h_prev, c_prev))[1]  # LSTMStep(f, i, g, o, c, h)
    values = dict(x=x, h_prev=h_prev, c_prev=c_prev, f=r.f, i=r.i, g=r.g, o=r.o, c=r.c, h=r.h)
    return values | {"tanh(c)": tanh(r.c)}


def lines(expr):
    """A mistake in the last two lines: ``expr(q) -> (h, c)`` from the values ``quantities``
    names (the gates as the package's cell computes them)."""
    return lambda *args: expr(quantities(*args))


def out(expr):
    """A wrong output line ``h = expr(o, c)`` after a right update."""
    return lines(lambda q: (expr(q["o"], q["c"]), q["c"]))


def update(expr):
    """A wrong update line ``c = expr(c_prev, f, i, g)``, then h = o ⊙ tanh(c)."""

    def wrong(q):
        c = expr(q["c_prev"], q["f"], q["i"], q["g"])  # (B, H)
        return q["o"] * tanh(c), c

    return lines(wrong)


def line_mistakes(coupled: bool) -> list[Mistake]:
    """Slips in the output line, the return, and the states the step reads."""
    m = Mistake
    mistakes = [
        m("returned (c, h): return them in the order (h, c).", lambda *a: reference(*a)[::-1]),
        m("i ⊙ g enters c with a minus: either the update subtracts it or the candidate has a sign "
          "inside (tanh(−z) = −tanh(z)); c = f ⊙ c_prev + i ⊙ g with C̃ = tanh(W_g x + U_g "
          "h_prev + b_g).", update(lambda c, f, i, g: f * c - i * g)),
        m(f"h uses C_t without tanh: {H}.", out(lambda o, c: o * c)),
        m(f"tanh must be applied to c before multiplying by o: {H}.",
          out(lambda o, c: tanh(o * c))),
        m("h must use the new cell state c, not c_prev.",
          lines(lambda q: (q["o"] * tanh(q["c_prev"]), q["c"]))),
        m(f"h is not multiplied by the output gate o: {H}.", out(lambda o, c: tanh(c))),
        m(f"returned o instead of {H}.", out(lambda o, c: o)),
        m("returned c_prev instead of the new cell state c.",
          lines(lambda q: (q["h"], q["c_prev"]))),
        m(f"h was squashed once more by σ: {H} is the output as it is.",
          out(lambda o, c: σ(o * tanh(c)))),
        m(f"tanh is applied twice: {H} has one tanh.", out(lambda o, c: o * tanh(tanh(c)))),
        m(f"h uses σ(c) instead of tanh(c): {H}.", out(lambda o, c: o * σ(c))),
        m(f"h uses ReLU(c) instead of tanh(c): {H}.", out(lambda o, c: o * relu(c))),
        m(f"the tanh is applied to o instead of c: {H}.", out(lambda o, c: tanh(o) * c)),
        m(f"o and tanh(c) are added, not multiplied: {H}.", out(lambda o, c: o + tanh(c))),
        m(f"h has the wrong sign: {H}, with no minus.", out(lambda o, c: -o * tanh(c))),
        m(f"h_prev was added to h: {H} alone (the memory is carried by c).",
          lines(lambda q: (q["h"] + q["h_prev"], q["c"]))),
        m("returned tanh(c) as the cell state: return c itself; tanh(c) is only used for h.",
          lines(lambda q: (q["h"], tanh(q["c"])))),
        m("⊙ is the element-wise product, written *, not the matrix product @.",
          lines(lambda q: (q["o"] @ tanh(q["f"] @ q["c_prev"] + q["i"] @ q["g"]),
                           q["f"] @ q["c_prev"] + q["i"] @ q["g"]))),
        m("the cell state's terms are multiplied; add them: c = f ⊙ c_prev + i ⊙ g.",
          update(lambda c, f, i, g: f * c * i * g)),
        m("the cell update must use c_prev, not h_prev: c = f ⊙ c_prev + i ⊙ g.",
          lambda x, h, c, cell: reference(x, h, h, cell)),
        m("the gates read c_prev where they should read h_prev.",
          lambda x, h, c, cell: reference(x, c, c, cell)),
        m("the gates ignore h_prev: each gate reads x and h_prev.",
          lambda x, h, c, cell: reference(x, 0 * h, c, cell)),
        m(f"c is clamped: the cell state is unbounded on purpose (it may hold values beyond ±1), "
          f"and {H} bounds the output.", update(lambda c, f, i, g: (f * c + i * g).clamp(-1, 1))),
        m(f"o scales the cell state; it belongs to the output only: c = f ⊙ c_prev + i ⊙ g and "
          f"{H}.", lines(lambda q: (tanh(q["o"] * q["c"]), q["o"] * q["c"]))),
        m("c is normalised (layer norm): the cell state is the plain sum c = f ⊙ c_prev + i ⊙ g, "
          "with nothing after it.",
          lines(lambda q: (q["o"] * tanh(_normed(q["c"])), _normed(q["c"])))),
        m("o adds c to its sum (notebook 08's peephole, without its weight): here o = σ(W_o x + "
          "U_o h_prev + b_o) reads no cell state.",
          lines(lambda q: (σ(torch.logit(q["o"]) + q["c"]) * tanh(q["c"]), q["c"]))),
    ]  # fmt: skip
    return mistakes


def _normed(c: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.layer_norm(c, c.shape[-1:])


IN_A_STEP = {  # cell_update's sentences where, in a step, the same values have another cause
    "f and i are swapped: f multiplies c_prev and i multiplies g.":
        "f and i are swapped: f multiplies c_prev and i multiplies g, so check the update line "
        "and which gate's W, U and b each gate is given (f from cell.f, i from cell.i).",
}  # fmt: skip


def update_mistakes(coupled: bool) -> list[Mistake]:
    """cell_update's slips in the step (a coupled cell has no input gate to swap or drop)."""
    uncoupled = ("was not multiplied by i", "f and i are swapped", "the coupled update")
    return [
        Mistake(IN_A_STEP.get(message, message), update(fn))
        for message, fn in UPDATE_MISTAKES
        if not (coupled and any(s in message for s in uncoupled))
    ]


def _from_c(values, q, args):
    c = values[0] * values[1] + values[2] * values[3]  # (B, H)
    return q["o"] * tanh(c), c


def slots() -> list[Mistake]:
    """One value in another's place, in the update, the output or the return."""
    inputs = ["x", "h_prev", "c_prev", "f", "i", "g", "o"]
    return [
        *slot_mistakes("c = f ⊙ c_prev + i ⊙ g", ["f", "c_prev", "i", "g"], _from_c, quantities,
                       inputs),
        *slot_mistakes(H, ["o", "c"], lambda v, q, a: (v[0] * tanh(v[1]), q["c"]), quantities,
                       [*inputs, "c"]),
        *slot_mistakes("return h, c", ["h", "c"], lambda v, q, a: tuple(v), quantities,
                       [*inputs, "c", "h"]),
    ]  # fmt: skip


OUTPUT_SLIPS = [  # (what is wrong with h, h from o, the new c and c_prev): for two slips at once
    ("h uses c without tanh", lambda o, c, c_prev: o * c),
    (f"tanh must be applied to c before multiplying by o, {H}", lambda o, c, c_prev: tanh(o * c)),
    ("h must use the new cell state c, not c_prev", lambda o, c, c_prev: o * tanh(c_prev)),
    (f"h is not multiplied by the output gate o, {H}", lambda o, c, c_prev: tanh(c)),
]


def with_output(step, slip):
    """``step`` with its last line, h = o ⊙ tanh(c), replaced by ``slip(o, c, c_prev)``."""

    def wrong(cell, x, h_prev, c_prev):
        c = step(cell, x, h_prev, c_prev)[1]
        return slip(cell.o(x, h_prev), c, c_prev), c

    return wrong


def two_slips(name: str, letters: str, update: list[tuple[str, Callable]]) -> list[Mistake]:
    """A slip in the gates or in the update (``update``: the exercise's (sentence, c from the
    values ``quantities`` names) list) together with a slip in h = o ⊙ tanh(c)."""
    out = []
    for slip, h_of in OUTPUT_SLIPS:
        wrong = with_output(step, h_of)
        for m in [*weight_mistakes(wrong, letters), *mixed_up_mistakes(wrong, letters, most=1)]:
            out.append(Mistake(f"{name} has two slips: {m.message[:-1]}, and {slip}.", m.fn))
        for message, c_of in update:

            def fn(x, h_prev, c_prev, cell, c_of=c_of, h_of=h_of):
                q = quantities(x, h_prev, c_prev, cell)
                c = c_of(q)  # (B, H)
                return h_of(q["o"], c, c_prev), c

            out.append(Mistake(f"{name} has two slips: {message[:-1]}, and {slip}.", fn))
    return out


UPDATE_SLIPS = [  # cell_update's slips, c from the values quantities names
    (message, lambda q, fn=fn: fn(q["c_prev"], q["f"], q["i"], q["g"]))
    for message, fn in UPDATE_MISTAKES
]


FORGET_BIAS = Mistake(
    "the forget gate's bias is cell.f.b as it is: a forget bias of 1 (Gers et al. 2000) is where "
    "b starts when a cell is made, not a term to add in the step.",
    in_step(step, lambda cell, *args: {"f": WrongGate(cell.f, params={"b": cell.f.b + 1})}),
)


def mistakes(letters: str) -> list[Mistake]:
    """Every known wrong step of a cell whose learned gates are ``letters``."""
    coupled = "i" not in letters
    return [
        *line_mistakes(coupled),
        FORGET_BIAS,
        *wrong_layer_mistakes(step, letters, sigmoid=letters.replace("g", "")),
        *update_mistakes(coupled),
        *mixed_up_mistakes(step, letters),
        *input_mistakes(step, letters, quantities),
        *weight_mistakes(step, letters),
        *slots(),
        *([] if coupled else two_slips("lstm_step", letters, UPDATE_SLIPS)),
    ]


def gate_hints(gates: str) -> list[tuple[str, str]]:
    """Hints for a step that reaches for weights where an LSTMCell does not keep them."""
    first, *rest = gates
    others = ", ".join(f"cell.{g}" for g in rest[:-1]) + f" and cell.{rest[-1]}"
    return [
        ("'LSTMCell' object has no attribute",
         f"the weights live in the cell's gates: cell.{first}.W, cell.{first}.U, cell.{first}.b, "
         f"and the same for {others}"),
        ("'Gate' object has no attribute", "each gate holds its weights as .W, .U and .b"),
    ]  # fmt: skip


def step_faults(update: str, gates: str) -> tuple[tuple[str, str], ...]:
    """Where the fault of a step is, from which of (h, c) are wrong."""
    return (
        ("h", f"the line {H} (or the output gate o): c is right"),
        ("c", "the c you return: return the new cell state that h was computed from"),
        (
            "h c",
            f"the new cell state, {update}, or the gates {gates} it uses; h is computed "
            "from c, so put c right first, then look at h again",
        ),
    )


LSTM_STEP = Exercise(
    name="lstm_step",
    rows=True,
    equation=f"c = f ⊙ c_prev + i ⊙ g and {H}",
    outputs=("h", "c"),
    arg_names=("x", "h_prev", "c_prev", "cell"),
    reference=reference,
    cases=cell_cases(lambda D, H: LSTMCell(D, H, dtype=torch.float64)),
    mistakes=mistakes("figo"),
    hints=gate_hints("figo"),
    guard=("figo", "use your forget_gate, input_gate, candidate and output_gate with the "
           "gates' weights (cell.f.W, cell.f.U, cell.f.b, ...)"),
    faults=step_faults("c = f ⊙ c_prev + i ⊙ g", "f, i, g"),
    gates="figo",
    helpers=dict(forget_gate=check_forget_gate, input_gate=check_input_gate,
                 candidate=check_candidate, output_gate=check_output_gate,
                 cell_update=check_cell_update),
)  # fmt: skip


def check_lstm_step(lstm_step: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``lstm_step(x, h_prev, c_prev, cell) -> (h, c)`` with a random LSTMCell."""
    run(LSTM_STEP, lstm_step, seed, quiet)
