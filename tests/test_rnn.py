"""RNNCell, unroll and the RNN layer against torch.nn.RNNCell / nn.RNN, in float64."""

import itertools
import random

import pytest
import torch
from parity import assert_close, randomize, suffixes
from torch import nn

from lstm_tutorial import RNN, RNNCell, from_torch, identity_init_, to_torch, unroll


def grads(module: nn.Module) -> list[torch.Tensor]:
    return [p.grad.clone() for p in module.parameters()]


def test_rnn_cell_equation_by_hand():
    cell = RNNCell(3, 4)
    randomize(cell, 0)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    expected = torch.tanh(x @ cell.W.T + h @ cell.U.T + cell.b)
    assert_close(cell(x, h), expected)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_matches_torch(seed, nonlinearity):
    rng = random.Random(seed)
    D, H, B = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 5)
    bias = seed % 5 != 0
    theirs = nn.RNNCell(D, H, bias=bias, nonlinearity=nonlinearity)
    randomize(theirs, seed)
    ours = from_torch(theirs)
    x, h = torch.randn(B, D, requires_grad=True), torch.randn(B, H, requires_grad=True)
    out_ours, out_theirs = ours(x, h), theirs(x, h)
    assert_close(out_ours, out_theirs)
    w = torch.randn(B, H)  # a random linear read-out, so every output element gets a gradient
    gx_o, gh_o, *gp_o = torch.autograd.grad((out_ours * w).sum(), [x, h, *ours.parameters()])
    gx_t, gh_t, *gp_t = torch.autograd.grad((out_theirs * w).sum(), [x, h, *theirs.parameters()])
    assert_close(gx_o, gx_t)
    assert_close(gh_o, gh_t)
    # ours: W, U, b; torch: weight_ih, weight_hh, bias_ih, bias_hh (b gets each bias's gradient)
    assert_close(gp_o[0], gp_t[0])
    assert_close(gp_o[1], gp_t[1])
    if bias:
        assert_close(gp_o[2], gp_t[2])
        assert_close(gp_o[2], gp_t[3])


CONFIGS = list(itertools.product([1, 2, 3], [False, True], [False, True], [False, True]))


@pytest.mark.parametrize(("num_layers", "bidirectional", "batch_first", "bias"), CONFIGS)
def test_rnn_layer_matches_torch(num_layers, bidirectional, batch_first, bias):
    seed = hash((num_layers, bidirectional, batch_first, bias)) % 1000
    rng = random.Random(seed)
    D, H, B, T = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 7)
    theirs = nn.RNN(
        D, H, num_layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional
    )
    randomize(theirs, seed)
    ours = from_torch(theirs)
    nd = 2 if bidirectional else 1
    x = torch.randn((B, T, D) if batch_first else (T, B, D), requires_grad=True)
    h0 = torch.randn(num_layers * nd, B, H, requires_grad=True)
    out_o, hn_o = ours(x, h0)
    out_t, hn_t = theirs(x, h0)
    assert out_o.shape == out_t.shape and hn_o.shape == hn_t.shape
    assert_close(out_o, out_t)
    assert_close(hn_o, hn_t)
    w = torch.randn(out_o.shape)  # random read-out weights: every output element matters
    loss_o = (out_o * w).sum() + (hn_o**2).sum()
    loss_t = (out_t * w).sum() + (hn_t**2).sum()
    g_o = torch.autograd.grad(loss_o, [x, h0], retain_graph=True)
    g_t = torch.autograd.grad(loss_t, [x, h0], retain_graph=True)
    for a, b in zip(g_o, g_t):
        assert_close(a, b)
    loss_o.backward()
    loss_t.backward()
    for cell, suffix in zip(ours.cells, suffixes(num_layers, nd)):
        assert_close(cell.W.grad, getattr(theirs, "weight_ih" + suffix).grad)
        assert_close(cell.U.grad, getattr(theirs, "weight_hh" + suffix).grad)
        if bias:
            assert_close(cell.b.grad, getattr(theirs, "bias_ih" + suffix).grad)


def test_unroll_equals_step_loop_and_layer():
    cell = RNNCell(3, 5)
    randomize(cell, 1)
    x, h0 = torch.randn(6, 2, 3), torch.randn(2, 5)
    outputs, h_T = unroll(cell, x, h0)
    h = h0
    for t in range(6):
        h = cell(x[t], h)
        assert_close(outputs[t], h)
    assert_close(h_T, h)
    out_bf, h_bf = unroll(cell, x.transpose(0, 1), h0, batch_first=True)
    assert_close(out_bf.transpose(0, 1), outputs)
    assert_close(h_bf, h_T)


def test_unroll_reverse_runs_backwards_in_time():
    cell = RNNCell(2, 3)
    x = torch.randn(4, 1, 2)
    out_rev, h_rev = unroll(cell, x, reverse=True)
    out_fwd, h_fwd = unroll(cell, x.flip(0))
    assert_close(out_rev, out_fwd.flip(0))
    assert_close(h_rev, h_fwd)


def test_round_trip_is_bitwise():
    ours = RNN(3, 4, num_layers=2, bidirectional=True)
    back = from_torch(to_torch(ours))
    for p, q in zip(ours.parameters(), back.parameters()):
        assert torch.equal(p, q)


def test_float32_works_too():
    cell = RNNCell(3, 4, dtype=torch.float32)
    out, _ = unroll(cell, torch.randn(5, 2, 3, dtype=torch.float32))
    assert out.dtype == torch.float32 and out.shape == (5, 2, 4)


@pytest.mark.parametrize("seed", range(10))
def test_irnn_matches_torch_relu_rnn(seed):
    """identity_init_ gives U = I, b = 0; the IRNN then equals nn.RNN(nonlinearity="relu")."""
    rng = random.Random(seed)
    D, H, B, T = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 7)
    ours = RNN(D, H, 2, nonlinearity="relu", dtype=torch.float64)
    randomize(ours, seed)  # non-zero U and b first, so the helper has something to overwrite
    for cell in ours.cells:
        assert identity_init_(cell) is cell
        assert torch.equal(cell.U, torch.eye(H, dtype=torch.float64))
        assert torch.equal(cell.b, torch.zeros(H, dtype=torch.float64))
    theirs = to_torch(ours)
    assert isinstance(theirs, nn.RNN) and theirs.nonlinearity == "relu"
    assert torch.equal(theirs.weight_hh_l1, torch.eye(H, dtype=torch.float64))
    x = torch.randn(T, B, D, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, B, H, dtype=torch.float64).abs().requires_grad_()
    (out_o, hn_o), (out_t, hn_t) = ours(x, h0), theirs(x, h0)
    assert_close(out_o, out_t)
    assert_close(hn_o, hn_t)
    w = torch.randn(out_o.shape, dtype=torch.float64)
    g_o = torch.autograd.grad((out_o * w).sum(), [x, h0, *ours.parameters()])
    g_t = torch.autograd.grad((out_t * w).sum(), [x, h0, *theirs.parameters()])
    for a, b in zip(g_o[:2], g_t[:2]):
        assert_close(a, b)
    # ours per layer: W, U, b; torch per layer: weight_ih, weight_hh, bias_ih, bias_hh
    for layer in range(2):
        W, U, b = g_o[2 + 3 * layer : 5 + 3 * layer]
        w_ih, w_hh, b_ih, b_hh = g_t[2 + 4 * layer : 6 + 4 * layer]
        assert_close(W, w_ih)
        assert_close(U, w_hh)
        assert_close(b, b_ih)
        assert_close(b, b_hh)


def test_identity_init_rejects_a_tanh_cell_and_non_cells():
    with pytest.raises(ValueError, match=r"nonlinearity='relu'.*'tanh'"):
        identity_init_(RNNCell(2, 3))
    with pytest.raises(TypeError, match=r"expects an RNNCell, got Linear"):
        identity_init_(nn.Linear(2, 3))
    cell = identity_init_(RNNCell(2, 3, bias=False, nonlinearity="relu"))
    assert cell.b is None and torch.equal(cell.U, torch.eye(3))
