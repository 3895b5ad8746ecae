"""Plausible wrong backward steps of the RNN (notebook 12's exercise ``rnn_step_backward``),
each with the sentence a student gets when their function computes the same thing. Each mistake
is a small function with the exercise's arguments, built from correct pieces with one piece wrong;
the reference is the package's ``lstm_tutorial.backward.rnn_step_backward``.
"""

from __future__ import annotations

import torch

from ...backward import RNNStepGrads, layer_backward, rnn_step_backward
from .exercise import Mistake

tanh = torch.tanh

# ---- RNN: h = tanh(z), z = x @ W.T + h_prev @ U.T + b


def _rnn(dz, cache, cell) -> RNNStepGrads:
    """The correct layer backward from a given dz."""
    return RNNStepGrads(*layer_backward(cell, dz, cache.x, cache.h_prev))


def _dz(dh, cache):
    return dh * (1 - cache.h**2)  # (B, H)


def _rnn_params(dh, cache, cell, **changes) -> RNNStepGrads:
    """The right answer with some parameter gradients replaced (computed from the right dz)."""
    right = rnn_step_backward(dh, cache, cell)
    dz, x, h_prev = _dz(dh, cache), cache.x, cache.h_prev
    values = {k: v(dz, x, h_prev, cell) for k, v in changes.items()}
    params = right.params._replace(**{k: v for k, v in values.items() if k in "WUb"})
    rest = {k: v for k, v in values.items() if k in ("dx", "dh_prev")}
    return right._replace(params=params, **rest)


# (sentence, wrong step (dh, cache, cell) -> RNNStepGrads); a change function of _rnn_params
# takes (dz, x, h_prev, cell)
RNN_MISTAKES = tuple(Mistake(*m) for m in [
    ("the tanh′ is missing: dh reaches z as dz = dh ⊙ (1 − h²), not dz = dh.",
     lambda dh, cache, cell: _rnn(dh, cache, cell)),
    ("tanh′ was taken at h: since h = tanh(z), tanh′(z) = 1 − tanh(z)² = 1 − h², not "
     "1 − tanh(h)².", lambda dh, cache, cell: _rnn(dh * (1 - tanh(cache.h) ** 2), cache, cell)),
    ("tanh′ is 1 − h², with h squared, not 1 − h.",
     lambda dh, cache, cell: _rnn(dh * (1 - cache.h), cache, cell)),
    ("h(1 − h) is σ′, the sigmoid's derivative; the RNN's tanh has tanh′ = 1 − h².",
     lambda dh, cache, cell: _rnn(dh * cache.h * (1 - cache.h), cache, cell)),
    ("dW is transposed: a weight's gradient has the weight's shape (H, D), dW = dz.T @ x.",
     lambda *a: _rnn_params(*a, W=lambda dz, x, h, cell: x.T @ dz)),
    ("dU is transposed: a weight's gradient has the weight's shape (H, H), dU = dz.T @ h_prev.",
     lambda *a: _rnn_params(*a, U=lambda dz, x, h, cell: h.T @ dz)),
    ("dW and dU are swapped: dW pairs dz with x, dU pairs dz with h_prev.",
     lambda *a: _rnn_params(*a, W=lambda dz, x, h, cell: dz.T @ h,
                            U=lambda dz, x, h, cell: dz.T @ x)),
    ("dU uses the new h instead of h_prev: U multiplied h_prev in the forward, so "
     "dU = dz.T @ h_prev.",
     lambda dh, cache, cell: _rnn_params(dh, cache, cell, U=lambda dz, x, h, c: dz.T @ cache.h)),
    ("dx uses W.T: the forward's x @ W.T goes back as dx = dz @ W.",
     lambda *a: _rnn_params(*a, dx=lambda dz, x, h, cell: dz @ cell.W.T)),
    ("dh_prev uses U.T: the forward's h_prev @ U.T goes back as dh_prev = dz @ U.",
     lambda *a: _rnn_params(*a, dh_prev=lambda dz, x, h, cell: dz @ cell.U.T)),
    ("dh_prev skips the tanh′: it is dz @ U with dz = dh ⊙ (1 − h²), not dh @ U.",
     lambda dh, cache, cell: rnn_step_backward(dh, cache, cell)._replace(dh_prev=dh @ cell.U)),
    ("dh_prev is dh passed on unchanged: the gradient reaches h_prev through the tanh and U, "
     "dh_prev = dz @ U.",
     lambda dh, cache, cell: rnn_step_backward(dh, cache, cell)._replace(dh_prev=dh)),
    ("dx and dh_prev are swapped: dx = dz @ W and dh_prev = dz @ U.",
     lambda *a: _rnn_params(*a, dx=lambda dz, x, h, cell: dz @ cell.U,
                            dh_prev=lambda dz, x, h, cell: dz @ cell.W)),
    ("db averages over the batch: b is added to every example's row, so db = dz.sum(0).",
     lambda *a: _rnn_params(*a, b=lambda dz, x, h, cell: dz.mean(0))),
    ("the parameter gradients are averaged over the batch: each example adds its own term, "
     "so sum (dW = dz.T @ x, db = dz.sum(0)) without dividing by B.",
     lambda *a: _rnn_params(*a, W=lambda dz, x, h, cell: dz.T @ x / len(x),
                            U=lambda dz, x, h, cell: dz.T @ h / len(x),
                            b=lambda dz, x, h, cell: dz.mean(0))),
])  # fmt: skip
