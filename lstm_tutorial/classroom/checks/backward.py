"""Checks for notebook 12's exercises: one backward step of the RNN and of the LSTM, written by
hand. The reference is the package's own ``lstm_tutorial.backward``; each known mistake is a
small wrong backward function beside it (``_rnn_backward_mistakes``, ``_lstm_backward_mistakes``),
and a submission that matches one gets that mistake's sentence. The shared runner
(``runner.run``) runs them, without guards (a right answer may recompute the step by autograd)
and without a gradient comparison (the backward is the gradient).

    rnn_step_backward(dh, cache, cell) -> RNNStepGrads(dx, dh_prev, LayerGrads(dW, dU, db))
    lstm_step_backward(dh, dc, cache, cell)
        -> LSTMStepGrads(dx, dh_prev, dc_prev, LSTMGrads(f=LayerGrads(...), i=..., g=..., o=...))

Plain tuples with the same nesting are accepted too. The cases cover B == D, B == H, H == 1,
B == 1, and the first shape again with new numbers (a function that keeps state between calls).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ...backward import (
    GATES,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from ...cells import RNNCell
from ...lstm import LSTMCell, LSTMState
from . import _backward_lines
from ._backward_outputs import Returns
from ._lstm_backward_mistakes import LSTM_MISTAKES
from ._rnn_backward_mistakes import RNN_MISTAKES
from .cases import Case
from .diagnosis import names
from .exercise import Exercise, Mistake
from .failure import close
from .runner import run

# (B, D, H): the first has D == H so that every mistake that bends a shape still runs and can be
# named; then B == D, B == H, H == 1, B == 1, and the first shape once more
SHAPES = [(3, 4, 4), (4, 4, 3), (2, 5, 2), (3, 2, 1), (1, 3, 5), (3, 4, 4)]
HINTS = [
    ("does not require grad", "autograd is off here: write the backward by hand"),
    ("'RNNCache' object has no attribute", "the cache holds x, h_prev and h (cache.x, ...)"),
    ("'LSTMCache' object has no attribute",
     "the cache holds x, h_prev, c_prev, f, i, g, o and c (cache.x, ...)"),
    ("'RNNCell' object has no attribute", "the RNN cell's weights are cell.W, cell.U and cell.b"),
    ("'LSTMCell' object has no attribute",
     "the LSTM cell's weights live in its layers: cell.f.W, cell.f.U, cell.f.b, and the same "
     "for cell.i, cell.g and cell.o"),
    ("mat1 and mat2 shapes cannot be multiplied",
     "check each product's shapes: dW = dz.T @ x is (H, B) @ (B, D), dx = dz @ W is "
     "(B, H) @ (H, D), dh_prev = dz @ U is (B, H) @ (H, H)"),
]  # fmt: skip


def _randn(g: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.randn(shape, generator=g, dtype=torch.float64)


def _rnn_forward(x, h_prev, c_prev, cell, g):
    return rnn_step_forward(x, h_prev, cell)[1], (_randn(g, *h_prev.shape),)


def _lstm_forward(x, h_prev, c_prev, cell, g):
    cache = lstm_step_forward(x, LSTMState(h_prev, c_prev), cell)[1]
    return cache, (_randn(g, *h_prev.shape), _randn(g, *h_prev.shape))


def _cases(make_cell: Callable, forward: Callable) -> Callable[[torch.Generator], list[Case]]:
    """(upstream gradients, cache, cell) for every shape: a random cell (biases away from 0)."""

    def cases(g: torch.Generator) -> list[Case]:
        out = []
        for B, D, H in SHAPES:
            cell = make_cell(D, H)
            with torch.no_grad():
                for p in cell.parameters():
                    sign = torch.where(torch.rand(p.shape, generator=g) < 0.5, -1.0, 1.0)
                    p.copy_(sign * (0.2 + 0.6 * torch.rand(p.shape, generator=g, dtype=p.dtype)))
                x, h_prev, c_prev = _randn(g, B, D), torch.tanh(_randn(g, B, H)), _randn(g, B, H)
                cache, upstream = forward(x, h_prev, c_prev, cell, g)
            cell.requires_grad_(False)  # the backward is by hand: autograd has nothing to record
            out.append(Case((*upstream, cache, cell), B, D, H))
        return out

    return cases


LOCAL = {  # what each gate's dz is made of
    "": "dz = dh ⊙ (1 − h²), the derivative of tanh at the output h",
    "o": "do = dh ⊙ tanh(c) and dz_o = do ⊙ o ⊙ (1 − o)",
    "f": "df = dc ⊙ c_prev and dz_f = df ⊙ f ⊙ (1 − f)",
    "i": "di = dc ⊙ g and dz_i = di ⊙ i ⊙ (1 − i)",
    "g": "dg = dc ⊙ i and dz_g = dg ⊙ (1 − g²)",
}
PARAMS = {"dW": "dz.T @ x", "dU": "dz.T @ h_prev", "db": "dz.sum(0)"}


def chain(name: str, fields: tuple[str, ...], result: tuple, expected: tuple, split=None):
    """Where the chain rule broke, read from which gradients are wrong: a parameter gradient
    alone, dx or dh_prev alone, one gate's dz, or the cell state's gradient dc (``split``, when
    given, may say which of its two terms)."""
    wrong = [k for k, o, e in zip(fields, result, expected) if not close(o, e)]
    params = [w for w in wrong if w[:2] in PARAMS]
    gates = sorted({w[3:] for w in params}, key="figo".find)  # "" for the RNN's one layer
    inputs = [w for w in wrong if w in ("dx", "dh_prev")]
    k = "_k" if "dc_prev" in fields else ""  # the LSTM sums over its four gates
    sums = {
        "dx": f"dx = {'Σ_k ' * bool(k)}dz{k} @ W{k}",
        "dh_prev": f"dh_prev = {'Σ_k ' * bool(k)}dz{k} @ U{k}",
    }
    if params and not inputs and "dc_prev" not in wrong:
        dz = {k: f"dz_{k}" if k else "dz" for k in gates}
        what = ", ".join(f"{w} = {PARAMS[w[:2]].replace('dz', dz[w[3:]])}" for w in params)
        right = names(list(dz.values())) + (" is" if len(dz) == 1 else " are")
        return f"{name}: {right} right (dx and dh_prev are), so the fault is in {what}."
    if inputs and not params and "dc_prev" not in wrong:
        return (
            f"{name}: every dz is right (the weight gradients are), so the fault is in "
            f"{names([sums[w] for w in inputs])}."
        )
    if wrong == ["dc_prev"]:
        return (
            f"{name}: only dc_prev is wrong: dc_prev = dc ⊙ f, with dc = dc_next + dh ⊙ o ⊙ "
            "(1 − tanh²(c))."
        )
    if gates and all(len([w for w in params if w[3:] == k]) == 3 for k in gates):
        if set(gates) >= set("fig") and "o" not in gates:
            return (split and split()) or (
                f"{name}: dz_f, dz_i and dz_g are wrong and dz_o is right, so the fault is in "
                "the cell state's gradient, dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c))."
            )
        if len(gates) <= 2:
            which = " and ".join(f"dz_{k}" if k else "dz" for k in gates)
            return f"{name}: {which} is wrong: check {'; '.join(LOCAL[k] for k in gates)}."
    return split and split()


def missed_rows(name: str, fields, result: tuple, expected: tuple) -> str | None:
    """Rows of dx, dh_prev (and dc_prev) left at zero: a loop over the batch that misses them."""
    rows = [
        (k, (r == 0).all(1) & (e != 0).any(1))
        for k, r, e in zip(fields, result, expected)
        if k in ("dx", "dh_prev", "dc_prev")
    ]
    zero = [k for k, z in rows if z.any()]
    if not zero:
        return None
    which = sorted({int(b) for _, z in rows for b in torch.nonzero(z).flatten()})
    return (
        f"{name} leaves row{'s' * (len(which) > 1)} {names([str(b) for b in which])} of "
        f"{names(zero)} at zero: a loop over the batch misses "
        f"{'them' if len(which) > 1 else 'it'}; it must cover every example, "
        "range(dh.shape[0]), and add each one's terms to the parameter gradients."
    )


def upstream(returns: Returns, case: Case, student: Callable) -> str | None:
    """The LSTM step is linear in its two upstream gradients, so the student's step is run with
    one of them at zero: if it is right with dc_next = 0 and wrong with dh = 0 (or the other way
    round), the slip is on the path of the other one."""
    dh, dc, cache, cell = case.args
    right, fields = [], [name for name, _ in returns.fields]
    for args in ((dh, torch.zeros_like(dc)), (torch.zeros_like(dh), dc)):
        try:
            got = returns.flatten(student(*(a.clone() for a in args), cache, cell))
        except Exception:  # any failure: this split says nothing
            return None
        want = returns.flatten(lstm_step_backward(*args, cache, cell))
        right.append({k for k, g, w in zip(fields, got, want) if close(g, w)})
    right = [len(r) == len(fields) for r in right] + [right[0]]
    if right[:2] == [True, False]:
        return (
            f"{returns.name} is right when the incoming dc (from the next step) is zero, so the "
            "slip is in how that dc enters: it is added unchanged, dc + dh ⊙ o ⊙ (1 − tanh²(c)), "
            "and this total then gives df, di, dg and dc_prev = total ⊙ f."
        )
    if right[:2] == [False, True] and {"dW_o", "dU_o", "db_o"} <= right[2]:
        return (
            f"{returns.name} is right when dh is zero and its output gate's gradients are right, "
            "so the slip is in the term that h adds to dc: dh ⊙ o ⊙ (1 − tanh²(c))."
        )
    if right[:2] == [False, True]:
        return (
            f"{returns.name} is right when dh is zero, so the slip is on the path from dh: "
            "do = dh ⊙ tanh(c) for the output gate, and dh ⊙ o ⊙ (1 − tanh²(c)) added to dc."
        )
    return None


def exercise(returns: Returns, args, reference, make_cell, forward, mistakes, lines) -> Exercise:
    """A backward exercise whose results (and mistakes' results) are compared flattened."""
    fields = tuple(name for name, _ in returns.fields)
    return Exercise(
        name=returns.name,
        equation="the hand-written reference (every gradient)",
        outputs=fields,
        arg_names=args,
        reference=lambda *a: returns.flatten(reference(*a)),
        cases=_cases(make_cell, forward),
        mistakes=[Mistake(m.message, lambda *a, m=m: returns.flatten(m.fn(*a))) for m in mistakes],
        hints=HINTS,
        guard=None,
        returned=lambda ex, result, case, expected: returns.check(result, expected),
        flatten=returns.flatten,
        advice="follow the chain rule from dh back to those gradients one equation at a time",
        diagnose=lambda case, result, expected, student: (
            missed_rows(returns.name, fields, result, expected)
            or lines(returns.name, case, dict(zip(fields, result)), dict(zip(fields, expected)))
            or chain(
                returns.name,
                fields,
                result,
                expected,
                len(args) == 4 and (lambda: upstream(returns, case, student)),
            )
        ),
        differentiable=False,
    )


LAYER = (("dW", "(H, D)"), ("dU", "(H, H)"), ("db", "(H,)"))
RNN = exercise(
    Returns("rnn_step_backward", "RNNStepGrads(dx, dh_prev, LayerGrads(dW, dU, db))", 2, 1,
            (("dx", "(B, D)"), ("dh_prev", "(B, H)"), *LAYER)),
    ("dh", "cache", "cell"),
    rnn_step_backward,
    lambda D, H: RNNCell(D, H, dtype=torch.float64),
    _rnn_forward,
    RNN_MISTAKES,
    _backward_lines.rnn,
)  # fmt: skip
LSTM = exercise(
    Returns("lstm_step_backward",
            "LSTMStepGrads(dx, dh_prev, dc_prev, LSTMGrads(f=LayerGrads(dW_f, dU_f, db_f), i=..., "
            "g=..., o=...))", 3, 4,
            (("dx", "(B, D)"), ("dh_prev", "(B, H)"), ("dc_prev", "(B, H)"),
             *((f"{n}_{k}", s) for k in GATES for n, s in LAYER))),
    ("dh", "dc", "cache", "cell"),
    lstm_step_backward,
    lambda D, H: LSTMCell(D, H, dtype=torch.float64),
    _lstm_forward,
    LSTM_MISTAKES,
    _backward_lines.lstm,
)  # fmt: skip


def check_rnn_step_backward(rnn_step_backward: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``rnn_step_backward(dh, cache, cell)`` against ``lstm_tutorial.backward``."""
    run(RNN, rnn_step_backward, seed, quiet)


def check_lstm_step_backward(
    lstm_step_backward: object, seed: int = 0, quiet: bool = False
) -> None:
    """Check ``lstm_step_backward(dh, dc, cache, cell)`` against ``lstm_tutorial.backward``."""
    run(LSTM, lstm_step_backward, seed, quiet)
