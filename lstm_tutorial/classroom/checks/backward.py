"""Checks for notebook 12's exercises: one backward step of the RNN and of the LSTM, written by
hand. The reference is the package's own ``lstm_tutorial.backward``; each known mistake is a
small wrong backward function beside it (``_rnn_backward_mistakes``, ``_lstm_backward_mistakes``),
and a submission that matches one gets that mistake's sentence.

    rnn_step_backward(dh, cache, cell) -> RNNStepGrads(dx, dh_prev, LayerGrads(dW, dU, db))
    lstm_step_backward(dh, dc, cache, cell)
        -> LSTMStepGrads(dx, dh_prev, dc_prev, LSTMGrads(f=LayerGrads(...), i=..., g=..., o=...))

Plain tuples with the same nesting are accepted too. The cases cover B == D, B == H, H == 1,
B == 1, and the first shape again with new numbers (a function that keeps state between calls).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

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
from ._backward_outputs import check_tensor, close, flatten, tensors
from ._lstm_backward_mistakes import LSTM_MISTAKES
from ._rnn_backward_mistakes import RNN_MISTAKES
from .calling import call_or_fail as call
from .exercise import Mistake
from .failure import expect_function, fail, passed

# (B, D, H): the first has D == H so that every mistake that bends a shape still runs and can be
# named; then B == D, B == H, H == 1, B == 1, and the first shape once more
SHAPES = [(3, 4, 4), (4, 4, 3), (2, 5, 2), (3, 2, 1), (1, 3, 5), (3, 4, 4)]


@dataclass(frozen=True)
class Backward:
    name: str
    returns: str  # the structure, as the student writes it
    states: int  # how many input gradients come first: (dx, dh_prev) or (dx, dh_prev, dc_prev)
    layers: int  # 1: the last item is one LayerGrads; 4: LSTMGrads of four
    fields: tuple[tuple[str, str], ...]  # (name, shape in letters) of every returned tensor
    reference: Callable
    make_cell: Callable[[int, int], torch.nn.Module]
    forward: Callable  # (x, h_prev, c_prev, cell) -> (cache, upstream gradients)
    mistakes: tuple[Mistake, ...]


def _rnn_forward(x, h_prev, c_prev, cell, g):
    return rnn_step_forward(x, h_prev, cell)[1], (_randn(g, *h_prev.shape),)


def _lstm_forward(x, h_prev, c_prev, cell, g):
    cache = lstm_step_forward(x, LSTMState(h_prev, c_prev), cell)[1]
    return cache, (_randn(g, *h_prev.shape), _randn(g, *h_prev.shape))


LAYER = (("dW", "(H, D)"), ("dU", "(H, H)"), ("db", "(H,)"))
RNN = Backward(
    "rnn_step_backward",
    "RNNStepGrads(dx, dh_prev, LayerGrads(dW, dU, db))",
    2,
    1,
    (("dx", "(B, D)"), ("dh_prev", "(B, H)"), *LAYER),
    lambda dh, cache, cell: rnn_step_backward(dh, cache, cell),
    lambda D, H: RNNCell(D, H, dtype=torch.float64),
    _rnn_forward,
    RNN_MISTAKES,
)
LSTM = Backward(
    "lstm_step_backward",
    "LSTMStepGrads(dx, dh_prev, dc_prev, LSTMGrads(f=LayerGrads(dW_f, dU_f, db_f), i=..., g=..., "
    "o=...))",
    3,
    4,
    (
        ("dx", "(B, D)"),
        ("dh_prev", "(B, H)"),
        ("dc_prev", "(B, H)"),
        *((f"{n}_{k}", s) for k in GATES for n, s in LAYER),
    ),
    lambda dh, dc, cache, cell: lstm_step_backward(dh, dc, cache, cell),
    lambda D, H: LSTMCell(D, H, dtype=torch.float64),
    _lstm_forward,
    LSTM_MISTAKES,
)


def _randn(g: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.randn(shape, generator=g, dtype=torch.float64)


def _cases(ex: Backward, seed: int) -> list[tuple[tuple, dict[str, int]]]:
    """(arguments, sizes) for every shape: random cell (biases away from 0), states, upstream."""
    g = torch.Generator().manual_seed(seed)
    cases = []
    for B, D, H in SHAPES:
        cell = ex.make_cell(D, H)
        with torch.no_grad():
            for p in cell.parameters():
                sign = torch.where(torch.rand(p.shape, generator=g) < 0.5, -1.0, 1.0)
                p.copy_(sign * (0.2 + 0.6 * torch.rand(p.shape, generator=g, dtype=p.dtype)))
            x, h_prev, c_prev = _randn(g, B, D), torch.tanh(_randn(g, B, H)), _randn(g, B, H)
            cache, upstream = ex.forward(x, h_prev, c_prev, cell, g)
        cell.requires_grad_(False)  # the backward is by hand: autograd has nothing to record
        cases.append(((*upstream, cache, cell), dict(B=B, D=D, H=H)))
    return cases


def _diagnose(ex: Backward, args: tuple, outputs: list) -> str | None:
    for mistake in ex.mistakes:
        try:
            buggy = flatten(ex, mistake.fn(*args))
        except Exception:  # this mistake cannot run on these shapes
            continue
        if all(close(outputs, buggy, rtol=1e-8, atol=1e-10)):
            return mistake.message
    return None


def _run(ex: Backward, student: object, seed: int) -> None:
    expect_function(ex.name, student)
    hints = [
        ("does not require grad", "autograd is off here: write the backward by hand"),
        (
            "mat1 and mat2 shapes cannot be multiplied",
            "check each product's shapes: dW = dz.T @ x is (H, B) @ (B, D), dx = dz @ W is "
            "(B, H) @ (H, D), dh_prev = dz @ U is (B, H) @ (H, H)",
        ),
    ]
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        cases, earlier = _cases(ex, seed), []
        for args, sizes in cases:
            expected = flatten(ex, ex.reference(*args))
            given = copy.deepcopy(args)
            outputs = flatten(ex, call(ex.name, student, given, hints))
            for (name, letters), value, want in zip(ex.fields, outputs, expected):
                check_tensor(ex, name, value, want, letters)
            for a, b in zip(tensors(given), tensors(args)):
                if not torch.equal(a, b):
                    fail(
                        f"{ex.name} changed one of its arguments in place (+=, *= or an "
                        "indexed assignment); compute new tensors instead."
                    )
            right = close(outputs, expected)
            if all(right):
                earlier.append(outputs)
                continue
            message = _diagnose(ex, args, outputs)
            if message is None and any(all(close(outputs, e)) for e in earlier):
                message = (
                    f"{ex.name} returned an earlier call's result: compute from this call's "
                    "arguments, not from values kept between calls."
                )
            if message is None:
                wrong = [n for (n, _), ok in zip(ex.fields, right) if not ok]
                error = max(
                    (o - e).abs().max().item()
                    for o, e, ok in zip(outputs, expected, right)
                    if not ok
                )
                message = (
                    f"{ex.name} returns the right shapes but wrong values for "
                    f"{', '.join(wrong)} (largest error {error:.3g} at B={sizes['B']}, "
                    f"D={sizes['D']}, H={sizes['H']}): follow the chain rule from dh "
                    "back to those gradients one equation at a time."
                )
            fail(message)
    passed(
        f"{ex.name} matches the hand-written reference (every gradient) on {len(cases)} "
        "random cases of different shapes."
    )


def check_rnn_step_backward(rnn_step_backward: object, seed: int = 0) -> None:
    """Check ``rnn_step_backward(dh, cache, cell)`` against ``lstm_tutorial.backward``."""
    _run(RNN, rnn_step_backward, seed)


def check_lstm_step_backward(lstm_step_backward: object, seed: int = 0) -> None:
    """Check ``lstm_step_backward(dh, dc, cache, cell)`` against ``lstm_tutorial.backward``."""
    _run(LSTM, lstm_step_backward, seed)
