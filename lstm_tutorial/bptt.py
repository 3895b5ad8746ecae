"""Backpropagation through time (Werbos 1990) by hand: the step backwards of ``backward.py``
run from the last step to the first, accumulating the parameter gradients.

With upstream gradients dout_t = ∂L/∂h_t from the loss at each step (T, B, H):

    RNN:   dh_t = dout_t + (dh_prev from step t+1);      ∂L/∂U = Σ_t dz_tᵀ h_{t−1}
    LSTM:  dh_t = dout_t + (dh_prev from step t+1),   dc_t = (dc_prev from step t+1)

and every parameter gradient is the sum over steps of the step's gradient (the same W, U, b
serve every step). Two ways of cutting the sum short:

- ``bptt_steps=k`` (truncated BPTT, Williams & Peng 1990): the gradient carried back through
  the state is dropped once it has travelled k steps from the end, as if the state entering step
  T − k had been detached in the forward pass (the usual implementation). With a loss at the last
  step only, steps before T − k then get no gradient at all; a loss at an earlier step still
  reaches back from there.
- ``truncated_gradient=True`` (LSTM only; Hochreiter & Schmidhuber 1997): no error flows back
  through the layers' recurrent input h_{t−1}, only along the cell state, ∂c_t/∂c_{t−1} = f_t.

Shapes: x (T, B, D); outputs and dout (T, B, H); caches hold one (T, B, ·) tensor per field.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from .backward import (
    LayerGrads,
    LSTMCache,
    LSTMGrads,
    RNNCache,
    add_grads,
    check_plain_lstm,
    lstm_step_backward,
    rnn_step_backward,
)
from .cells import RNNCell
from .lstm import LSTMCell, LSTMState
from .sequence import trace


class RNNSequenceGrads(NamedTuple):
    dx: torch.Tensor  # (T, B, D)
    dh0: torch.Tensor  # (B, H) the gradient of the initial state
    params: LayerGrads


class LSTMSequenceGrads(NamedTuple):
    dx: torch.Tensor  # (T, B, D)
    dstate0: LSTMState  # (dh0, dc0), each (B, H)
    params: LSTMGrads


def _previous(first: torch.Tensor, stacked: torch.Tensor) -> torch.Tensor:
    """(state_{−1}, state_0, ..., state_{T−2}): the states each step read, (T, B, H)."""
    return torch.cat([first.unsqueeze(0), stacked[:-1]])


def rnn_forward(
    cell: RNNCell, x: torch.Tensor, h0: torch.Tensor | None = None
) -> tuple[torch.Tensor, RNNCache]:
    """Run ``cell`` over x (T, B, D) with ``sequence.trace``  ->  (outputs (T, B, H), RNNCache)."""
    h0 = cell.initial_state(x[0]) if h0 is None else h0
    h = trace(cell, x, h0).h  # (T, B, H)
    return h, RNNCache(x, _previous(h0, h), h)


def lstm_forward(
    cell: LSTMCell, x: torch.Tensor, state: tuple | None = None
) -> tuple[torch.Tensor, LSTMState, LSTMCache]:
    """Run ``cell`` over x (T, B, D)  ->  (outputs (T, B, H), final LSTMState, LSTMCache)."""
    check_plain_lstm(cell)
    h0, c0 = cell.initial_state(x[0]) if state is None else state
    r = trace(cell, x, LSTMState(h0, c0))  # LSTMStep, every field (T, B, H)
    cache = LSTMCache(x, _previous(h0, r.h), _previous(c0, r.c), r.f, r.i, r.g, r.o, r.c)
    return r.h, LSTMState(r.h[-1], r.c[-1]), cache


def _cut(T: int, bptt_steps: int | None) -> int:
    """The step whose incoming state gradient is dropped (−1: none)."""
    if bptt_steps is None:
        return -1
    if not isinstance(bptt_steps, int) or isinstance(bptt_steps, bool) or bptt_steps < 1:
        raise ValueError(f"bptt_steps must be a positive integer or None, got {bptt_steps!r}")
    return T - bptt_steps


def rnn_backward(
    cell: RNNCell,
    cache: RNNCache,
    dout: torch.Tensor,
    dh_T: torch.Tensor | None = None,
    bptt_steps: int | None = None,
) -> RNNSequenceGrads:
    """BPTT for an RNN: dout (T, B, H) = ∂L/∂h_t from the loss; dh_T (B, H) an extra gradient
    of the final state (None: 0)."""
    dh = torch.zeros_like(dout[0]) if dh_T is None else dh_T  # (B, H) from the step after
    dx, params = torch.zeros_like(cache.x), None  # (T, B, D)
    cut = _cut(dout.shape[0], bptt_steps)
    for t in range(dout.shape[0] - 1, -1, -1):
        step = rnn_step_backward(dout[t] + dh, RNNCache(*(v[t] for v in cache)), cell)
        dx[t], dh = step.dx, step.dh_prev if t != cut else torch.zeros_like(step.dh_prev)
        params = step.params if params is None else add_grads(params, step.params)
    return RNNSequenceGrads(dx, dh, params)


def lstm_backward(
    cell: LSTMCell,
    cache: LSTMCache,
    dout: torch.Tensor,
    dstate_T: tuple | None = None,
    bptt_steps: int | None = None,
    truncated_gradient: bool = False,
) -> LSTMSequenceGrads:
    """BPTT for an LSTM: dout (T, B, H) = ∂L/∂h_t from the loss; dstate_T = (dh_T, dc_T) extra
    gradients of the final state (None: 0)."""
    zeros = torch.zeros_like(dout[0])  # (B, H)
    dh, dc = (zeros, zeros) if dstate_T is None else dstate_T  # from the step after
    dx, params = torch.zeros_like(cache.x), None  # (T, B, D)
    cut = _cut(dout.shape[0], bptt_steps)
    for t in range(dout.shape[0] - 1, -1, -1):
        step_cache = LSTMCache(*(v[t] for v in cache))
        step = lstm_step_backward(dout[t] + dh, dc, step_cache, cell, truncated_gradient)
        dx[t], dh, dc = step.dx, step.dh_prev, step.dc_prev
        if t == cut:  # the state that entered step T − k counts as a constant
            dh, dc = torch.zeros_like(dh), torch.zeros_like(dc)
        params = step.params if params is None else add_grads(params, step.params)
    return LSTMSequenceGrads(dx, LSTMState(dh, dc), params)
