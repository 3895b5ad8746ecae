"""The hand-written backward (lstm_tutorial.backward, lstm_tutorial.bptt) against autograd,
torch.nn.LSTM / nn.RNN and central finite differences, in float64 with everything random
(weights, non-zero biases, h0, c0, upstream gradients)."""

import random

import pytest
import torch
from parity import assert_close, randomize
from torch import nn

from lstm_tutorial import LSTMCell, LSTMState, RNNCell, from_torch
from lstm_tutorial.backward import (
    GATES,
    LSTMCache,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from lstm_tutorial.bptt import lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_tutorial.torch_compat import LSTM_GATE_ORDER


def sizes(seed: int) -> tuple[int, int, int, int]:
    rng = random.Random(seed)
    return rng.randint(1, 5), rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 7)  # B D H T


def leaf(*shape: int) -> torch.Tensor:
    return torch.randn(*shape).requires_grad_()


def lstm_grads_of(cell: LSTMCell):
    """Autograd's gradients of the cell, in the order of lstm_tutorial.backward.GATES."""
    return [(g.W.grad, g.U.grad, g.b.grad if g.b is not None else None) for g in _gates(cell)]


def _gates(cell):
    return [getattr(cell, k) for k in GATES]


def assert_params(ours, theirs) -> None:
    for a, b in zip(ours, theirs, strict=True):
        if a is None or b is None:
            assert a is None and b is None
        elif isinstance(a, torch.Tensor):
            assert_close(a, b)
        else:
            assert_params(a, b)


# ---- one step


@pytest.mark.parametrize("seed", range(12))
def test_rnn_step_backward_equals_autograd(seed):
    B, D, H, _ = sizes(seed)
    cell = RNNCell(D, H, bias=seed % 4 != 3, nonlinearity="relu" if seed % 3 == 2 else "tanh")
    randomize(cell, seed)
    x, h_prev, dh = leaf(B, D), leaf(B, H), torch.randn(B, H)
    h, cache = rnn_step_forward(x, h_prev, cell)
    (h * dh).sum().backward()
    with torch.no_grad():
        ours = rnn_step_backward(dh, cache, cell)
    assert_close(ours.dx, x.grad)
    assert_close(ours.dh_prev, h_prev.grad)
    assert_params(ours.params, (cell.W.grad, cell.U.grad, None if cell.b is None else cell.b.grad))


@pytest.mark.parametrize("truncated", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_lstm_step_backward_equals_autograd(seed, truncated):
    B, D, H, _ = sizes(seed)
    cell = LSTMCell(D, H, bias=seed % 4 != 3)
    randomize(cell, seed)
    x, h_prev, c_prev = leaf(B, D), leaf(B, H), leaf(B, H)
    dh, dc = torch.randn(B, H), torch.randn(B, H)
    read = h_prev.detach() if truncated else h_prev  # 1997: the layers read h_prev detached
    state, r = cell.step(x, LSTMState(read, c_prev))
    ((state.h * dh).sum() + (state.c * dc).sum()).backward()
    cache = LSTMCache(x, h_prev, c_prev, r.f, r.i, r.g, r.o, r.c)
    with torch.no_grad():
        ours = lstm_step_backward(dh, dc, cache, cell, truncated_gradient=truncated)
    assert_close(ours.dx, x.grad)
    assert_close(ours.dh_prev, torch.zeros(B, H) if truncated else h_prev.grad)
    assert_close(ours.dc_prev, c_prev.grad)
    assert_params(ours.params, lstm_grads_of(cell))


def test_step_forward_is_the_cells_own_step():
    cell = LSTMCell(3, 4)
    randomize(cell, 0)
    x, state = torch.randn(2, 3), LSTMState(torch.randn(2, 4), torch.randn(2, 4))
    new, cache = lstm_step_forward(x, state, cell)
    assert torch.equal(new.h, cell(x, state).h) and torch.equal(cache.c, new.c)
    assert cache.x is x and cache.h_prev is state.h and cache.c_prev is state.c


# ---- the whole sequence


def lstm_autograd(cell, x, h0, c0, dout, dh_T, dc_T, cut=None, truncated=False):
    """Autograd's BPTT of L = Σ_t dout_t·h_t + dh_T·h_T + dc_T·c_T, cut where bptt.py cuts."""
    state, outputs = LSTMState(h0, c0), []
    for t, x_t in enumerate(x):
        if t == cut:
            state = LSTMState(state.h.detach(), state.c.detach())
        read = LSTMState(state.h.detach(), state.c) if truncated else state
        state, _ = cell.step(x_t, read)
        outputs.append(state.h)
    loss = (torch.stack(outputs) * dout).sum() + (state.h * dh_T).sum() + (state.c * dc_T).sum()
    loss.backward()


@pytest.mark.parametrize("seed", range(10))
def test_lstm_backward_equals_autograd(seed):
    B, D, H, T = sizes(seed)
    cell = LSTMCell(D, H, bias=seed % 5 != 4)
    randomize(cell, seed)
    x, h0, c0 = leaf(T, B, D), leaf(B, H), leaf(B, H)
    dout, dh_T, dc_T = torch.randn(T, B, H), torch.randn(B, H), torch.randn(B, H)
    lstm_autograd(cell, x, h0, c0, dout, dh_T, dc_T)
    with torch.no_grad():
        out, final, cache = lstm_forward(cell, x, (h0, c0))
        ours = lstm_backward(cell, cache, dout, (dh_T, dc_T))
    assert_close(out[-1], final.h)
    assert_close(ours.dx, x.grad)
    assert_close(ours.dstate0.h, h0.grad)
    assert_close(ours.dstate0.c, c0.grad)
    assert_params(ours.params, lstm_grads_of(cell))


@pytest.mark.parametrize("seed", range(8))
def test_lstm_backward_cut_after_k_steps_equals_detached_autograd(seed):
    B, D, H, T = sizes(seed)
    T, k = T + 2, 1 + seed % (T + 1)  # k from 1 to T
    cell = LSTMCell(D, H)
    randomize(cell, seed)
    x, h0, c0 = leaf(T, B, D), leaf(B, H), leaf(B, H)
    dout, dh_T, dc_T = torch.randn(T, B, H), torch.randn(B, H), torch.randn(B, H)
    lstm_autograd(cell, x, h0, c0, dout, dh_T, dc_T, cut=T - k)
    with torch.no_grad():
        _, _, cache = lstm_forward(cell, x, (h0, c0))
        ours = lstm_backward(cell, cache, dout, (dh_T, dc_T), bptt_steps=k)
        only_last = lstm_backward(cell, cache, 0 * dout, (dh_T, dc_T), bptt_steps=k)
    assert_close(ours.dx, x.grad)
    zero = torch.zeros(B, H)
    assert_close(ours.dstate0.h, zero if k == T else h0.grad)
    assert_close(ours.dstate0.c, zero if k == T else c0.grad)
    assert_params(ours.params, lstm_grads_of(cell))
    assert not only_last.dx[: T - k].any() and only_last.dx[T - k :].abs().sum() > 0


@pytest.mark.parametrize("seed", range(8))
def test_lstm_truncated_gradient_equals_autograd_with_h_detached_at_the_gates(seed):
    B, D, H, T = sizes(seed)
    cell = LSTMCell(D, H)
    randomize(cell, seed)
    x, h0, c0 = leaf(T, B, D), leaf(B, H), leaf(B, H)
    dout, dh_T, dc_T = torch.randn(T, B, H), torch.randn(B, H), torch.randn(B, H)
    lstm_autograd(cell, x, h0, c0, dout, dh_T, dc_T, truncated=True)
    with torch.no_grad():
        _, _, cache = lstm_forward(cell, x, (h0, c0))
        ours = lstm_backward(cell, cache, dout, (dh_T, dc_T), truncated_gradient=True)
    assert h0.grad is None and not ours.dstate0.h.any()
    assert_close(ours.dx, x.grad)
    assert_close(ours.dstate0.c, c0.grad)
    assert_params(ours.params, lstm_grads_of(cell))


@pytest.mark.parametrize("k", [None, 1, 3])
@pytest.mark.parametrize("seed", range(6))
def test_rnn_backward_equals_autograd(seed, k):
    B, D, H, T = sizes(seed)
    T = T + 3
    cell = RNNCell(D, H, bias=seed % 3 != 2)
    randomize(cell, seed)
    x, h0, dout, dh_T = leaf(T, B, D), leaf(B, H), torch.randn(T, B, H), torch.randn(B, H)
    h, outputs = h0, []
    for t, x_t in enumerate(x):
        if k is not None and t == T - k:
            h = h.detach()
        h, _ = cell.step(x_t, h)
        outputs.append(h)
    ((torch.stack(outputs) * dout).sum() + (h * dh_T).sum()).backward()
    with torch.no_grad():
        _, cache = rnn_forward(cell, x, h0)
        ours = rnn_backward(cell, cache, dout, dh_T, bptt_steps=k)
    assert_close(ours.dx, x.grad)
    assert_close(ours.dh0, torch.zeros(B, H) if h0.grad is None else h0.grad)
    assert_params(ours.params, (cell.W.grad, cell.U.grad, None if cell.b is None else cell.b.grad))


# ---- against torch.nn's own gradients, weights converted by torch_compat


@pytest.mark.parametrize("seed", range(6))
def test_lstm_backward_equals_nn_lstm_gradients(seed):
    B, D, H, T = sizes(seed)
    theirs = nn.LSTM(D, H)
    randomize(theirs, seed)
    cell = from_torch(theirs).cells[0]
    x, h0, c0, dout = leaf(T, B, D), leaf(1, B, H), leaf(1, B, H), torch.randn(T, B, H)
    out, _ = theirs(x, (h0, c0))
    (out * dout).sum().backward()
    with torch.no_grad():
        _, _, cache = lstm_forward(cell, x, (h0[0], c0[0]))
        ours = lstm_backward(cell, cache, dout)
    grads = dict(zip(GATES, ours.params))
    stack = [grads[k] for k in LSTM_GATE_ORDER]  # torch's block order i, f, g, o
    assert_close(torch.cat([p.W for p in stack]), theirs.weight_ih_l0.grad)
    assert_close(torch.cat([p.U for p in stack]), theirs.weight_hh_l0.grad)
    db = torch.cat([p.b for p in stack])  # b = bias_ih + bias_hh: both get db
    assert_close(db, theirs.bias_ih_l0.grad)
    assert_close(db, theirs.bias_hh_l0.grad)
    assert_close(ours.dx, x.grad)
    assert_close(ours.dstate0.h, h0.grad[0])
    assert_close(ours.dstate0.c, c0.grad[0])


def test_rnn_backward_equals_nn_rnn_gradients():
    B, D, H, T = 3, 4, 5, 6
    theirs = nn.RNN(D, H)
    randomize(theirs, 1)
    cell = from_torch(theirs).cells[0]
    x, h0, dout = leaf(T, B, D), leaf(1, B, H), torch.randn(T, B, H)
    (theirs(x, h0)[0] * dout).sum().backward()
    with torch.no_grad():
        ours = rnn_backward(cell, rnn_forward(cell, x, h0[0])[1], dout)
    assert_close(ours.params.W, theirs.weight_ih_l0.grad)
    assert_close(ours.params.U, theirs.weight_hh_l0.grad)
    assert_close(ours.params.b, theirs.bias_hh_l0.grad)
    assert_close(ours.dx, x.grad)
    assert_close(ours.dh0, h0.grad[0])


# ---- central finite differences


def central_differences(loss, tensor: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    grad = torch.zeros_like(tensor)
    flat, g = tensor.view(-1), grad.view(-1)
    for j in range(flat.numel()):
        old = flat[j].item()
        flat[j] = old + eps
        up = loss()
        flat[j] = old - eps
        down = loss()
        flat[j] = old
        g[j] = (up - down) / (2 * eps)
    return grad


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).norm() / b.norm()).item()


def test_lstm_backward_equals_central_finite_differences():
    B, D, H, T = 2, 3, 4, 5
    cell = LSTMCell(D, H)
    randomize(cell, 3)
    x, h0, c0 = torch.randn(T, B, D), torch.randn(B, H), torch.randn(B, H)
    dout = torch.randn(T, B, H)

    @torch.no_grad()
    def loss():
        return (lstm_forward(cell, x, (h0, c0))[0] * dout).sum().item()

    with torch.no_grad():
        ours = lstm_backward(cell, lstm_forward(cell, x, (h0, c0))[2], dout)
    pairs = [(ours.dx, x), (ours.dstate0.h, h0), (ours.dstate0.c, c0)]
    for gate, grads in zip(_gates(cell), ours.params):
        pairs += [(grads.W, gate.W.data), (grads.U, gate.U.data), (grads.b, gate.b.data)]
    for grad, tensor in pairs:
        assert relative_error(grad, central_differences(loss, tensor)) < 1e-8


def test_rnn_backward_equals_central_finite_differences():
    B, D, H, T = 2, 3, 4, 6
    cell = RNNCell(D, H)
    randomize(cell, 4)
    x, h0, dout = torch.randn(T, B, D), torch.randn(B, H), torch.randn(T, B, H)

    @torch.no_grad()
    def loss():
        return (rnn_forward(cell, x, h0)[0] * dout).sum().item()

    with torch.no_grad():
        ours = rnn_backward(cell, rnn_forward(cell, x, h0)[1], dout)
    for grad, tensor in [
        (ours.dx, x),
        (ours.dh0, h0),
        (ours.params.W, cell.W.data),
        (ours.params.U, cell.U.data),
        (ours.params.b, cell.b.data),
    ]:
        assert relative_error(grad, central_differences(loss, tensor)) < 1e-8


# ---- what the backward refuses


def test_variants_and_bad_window_are_refused():
    with pytest.raises(ValueError, match=r"plain LSTM .* got options \{'coupled': True\}"):
        lstm_forward(LSTMCell(2, 3, coupled=True), torch.randn(4, 1, 2))
    with pytest.raises(TypeError, match=r"expected an lstm_tutorial\.LSTMCell, got RNNCell"):
        lstm_step_forward(torch.randn(1, 2), None, RNNCell(2, 3))
    cell = LSTMCell(2, 3)
    _, _, cache = lstm_forward(cell, torch.randn(4, 1, 2))
    with pytest.raises(ValueError, match="bptt_steps must be a positive integer or None, got 0"):
        lstm_backward(cell, cache, torch.zeros(4, 1, 3), bptt_steps=0)
