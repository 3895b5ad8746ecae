"""The modern cells against themselves: recurrent = parallel (mLSTM), scan = loop (minGRU, minLSTM),
gradcheck for what has no official counterpart (sLSTM with its own W, the exp forget gate), and
clear errors."""

import pytest
import torch
from parity import assert_close, randomize

from lstm_tutorial import trace, unroll
from lstm_tutorial.modern import (
    MinGRU,
    MinLSTM,
    MLSTMCell,
    MLSTMLayer,
    MLSTMState,
    ModernLayer,
    SLSTMCell,
    mlstm_forms,
    scan,
)

D64 = torch.float64


def gen(seed):
    return torch.Generator().manual_seed(seed)


def random_mlstm_state(B, NH, DH, g):
    return MLSTMState(
        torch.randn(B, NH, DH, DH, generator=g, dtype=D64),
        torch.randn(B, NH, DH, generator=g, dtype=D64),
        torch.randn(B, NH, generator=g, dtype=D64),
    )


@pytest.mark.parametrize("E, NH, B, T", [(8, 2, 3, 7), (6, 3, 1, 12), (4, 1, 2, 1)])
@pytest.mark.parametrize("start", ["zero", "random"])
def test_mlstm_recurrent_equals_parallel(E, NH, B, T, start):
    g = gen(E * T)
    cell = MLSTMCell(E, NH, dtype=D64)
    randomize(cell, E)
    x = (2 * torch.randn(T, B, 3 * E, generator=g, dtype=D64)).requires_grad_()
    s0 = random_mlstm_state(B, NH, E // NH, g)
    if start == "zero":
        s0 = MLSTMState(*(torch.zeros_like(s) for s in s0))
    h_rec, s_rec = unroll(cell, x, s0)
    h_par, s_par = cell.parallel(x, s0)
    assert_close(h_par, h_rec)
    for a, b in zip(s_par, s_rec):
        assert_close(a, b)
    w = torch.randn(T, B, E, generator=g, dtype=D64)
    (g_rec,) = torch.autograd.grad((h_rec * w).sum() + s_rec.C.sum(), [x])
    (g_par,) = torch.autograd.grad((h_par * w).sum() + s_par.C.sum(), [x])
    assert_close(g_par, g_rec)


def test_mlstm_parallel_gradcheck():
    g = gen(1)
    cell = MLSTMCell(4, 2, dtype=D64)
    randomize(cell, 1)
    x = torch.randn(5, 2, 12, generator=g, dtype=D64, requires_grad=True)
    s0 = random_mlstm_state(2, 2, 2, g)
    assert torch.autograd.gradcheck(lambda x: cell.parallel(x, s0)[0], (x,))
    assert torch.autograd.gradcheck(lambda x: cell.parallel(x)[0], (x,))


@pytest.mark.parametrize("forget", ["sigmoid", "exp"])
def test_slstm_with_input_weights_gradcheck(forget):
    g = gen(2)
    cell = SLSTMCell(3, 4, num_heads=2, forget=forget, dtype=D64)
    randomize(cell, 2)
    x = torch.randn(6, 2, 3, generator=g, dtype=D64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: unroll(cell, x)[0], (x,))


def test_slstm_stabiliser_cancels_in_h():
    """h equals the unstabilised cell's o ⊙ c / n (exp gates, no m) where that does not overflow."""
    g = gen(3)
    cell = SLSTMCell(3, 4, num_heads=1, dtype=D64)
    randomize(cell, 3)
    x = torch.randn(8, 2, 3, generator=g, dtype=D64)
    h_ours = unroll(cell, x)[0]
    h, c, n = (torch.zeros(2, 4, dtype=D64) for _ in range(3))
    hs = []
    for x_t in x:
        i_, f_, z_, o_ = (x_t @ cell.W.T + cell.recurrent(h) + cell.b).chunk(4, -1)
        c = torch.sigmoid(f_) * c + torch.exp(i_) * torch.tanh(z_)
        n = torch.sigmoid(f_) * n + torch.exp(i_)
        h = torch.sigmoid(o_) * c / n
        hs.append(h)
    assert_close(h_ours, torch.stack(hs))


def test_slstm_heads_are_block_diagonal():
    """A unit of head 0 does not see head 1's h_prev."""
    cell = SLSTMCell(None, 4, num_heads=2, dtype=D64)
    h = torch.zeros(1, 4, dtype=D64)
    h[0, 2:] = 1.0  # head 1 only
    r = cell.recurrent(h).view(1, 4, 2, 2)  # (B, gate, head, DH)
    assert torch.all(r[:, :, 0] == 0) and torch.all(r[:, :, 1] != 0)


def test_trace_stacks_slstm_records():
    cell = SLSTMCell(3, 4, dtype=D64)
    record = trace(cell, torch.randn(5, 2, 3, dtype=D64))
    assert record.m.shape == (5, 2, 4) and torch.all(record.n > 0)


def test_scan_equals_loop():
    g = gen(4)
    a = torch.rand(3, 200, 5, generator=g, dtype=D64) * 0.9 + 0.05
    b = torch.rand(3, 200, 5, generator=g, dtype=D64)
    h0 = torch.rand(3, 5, generator=g, dtype=D64) + 0.1
    assert_close(torch.exp(scan.log_scan(a.log(), b.log(), h0.log())), scan.loop(a, b, h0))
    assert_close(torch.exp(scan.log_scan(a.log(), b.log())), scan.loop(a, b))


@pytest.mark.parametrize("Model", [MinGRU, MinLSTM])
@pytest.mark.parametrize("with_h0", [False, True])
def test_min_rnn_scan_equals_loop(Model, with_h0):
    g = gen(5)
    model = Model(3, 6, dtype=D64)
    randomize(model, 5)
    x = (3 * torch.randn(40, 2, 3, generator=g, dtype=D64)).requires_grad_()
    h0 = torch.rand(2, 6, generator=g, dtype=D64) + 0.1 if with_h0 else None
    h_loop, _ = unroll(model, x, h0)
    h_scan = model.scan(x, h0)
    assert_close(h_scan, h_loop)
    w = torch.randn(40, 2, 6, generator=g, dtype=D64)
    (g_loop,) = torch.autograd.grad((h_loop * w).sum(), [x])
    (g_scan,) = torch.autograd.grad((h_scan * w).sum(), [x])
    assert_close(g_scan, g_loop)
    assert_close(model.scan(x.transpose(0, 1), h0, batch_first=True), h_scan.transpose(0, 1))


@pytest.mark.parametrize("Model", [MinGRU, MinLSTM])
def test_min_rnn_scan_gradcheck(Model):
    model = Model(2, 3, dtype=D64)
    x = torch.randn(7, 2, 2, dtype=D64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: model.scan(x), (x,))


def test_min_lstm_normalised_gates_sum_to_one():
    model = MinLSTM(2, 3, dtype=D64)
    u = torch.randn(4, 9, dtype=D64)
    a, b = model.coefficients(u)
    h_tilde = torch.where(u[:, 6:] >= 0, u[:, 6:] + 0.5, torch.sigmoid(u[:, 6:]))
    assert_close(a + b / h_tilde, torch.ones_like(a))


def test_mlstm_forms_shapes():
    q = k = v = torch.randn(2, 1, 3, 4, dtype=D64)
    h, s = mlstm_forms.parallel(
        q, k, v, torch.zeros(2, 1, 3, dtype=D64), torch.zeros(2, 1, 3, dtype=D64)
    )
    assert h.shape == (2, 1, 3, 4) and s.C.shape == (2, 1, 4, 4) and s.m.shape == (2, 1)


def test_errors_name_expected_and_received():
    with pytest.raises(ValueError, match="num_heads must divide hidden_size"):
        SLSTMCell(3, 6, num_heads=4)
    with pytest.raises(ValueError, match="forget must be"):
        SLSTMCell(3, 4, forget="tanh")
    with pytest.raises(ValueError, match="num_heads must divide embedding_size"):
        MLSTMCell(6, 4)
    with pytest.raises(
        ValueError, match="block_size must divide inner_size, got inner_size=6, block_size=4"
    ):
        MLSTMLayer(4, 6, num_heads=1, block_size=4)
    with pytest.raises(ValueError, match="h0 > 0"):
        MinGRU(2, 3).scan(torch.randn(4, 1, 2), torch.zeros(1, 3))
    with pytest.raises(TypeError, match=r"tuple \(h, c, n, m\)"):
        SLSTMCell(2, 3)(torch.randn(1, 2), torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"C must have shape \(1, 1, 3, 3\)"):
        MLSTMCell(3).parallel(
            torch.randn(2, 1, 9), (torch.zeros(1, 3), torch.zeros(1, 1, 3), torch.zeros(1, 1))
        )
    with pytest.raises(ValueError, match="must have 2 features"):
        unroll(MinLSTM(2, 3), torch.randn(4, 1, 5))


@pytest.mark.parametrize("kind", ["slstm", "mlstm", "mingru", "minlstm"])
def test_modern_layer_has_lstm_like_batch_first_call(kind):
    layer = ModernLayer(kind, 3, 8, dtype=D64)
    x = torch.randn(2, 5, 3, dtype=D64)
    out, _ = layer(x)
    assert out.shape == (2, 5, 8)
    assert_close(layer(x[:, :3])[0], out[:, :3])  # causal: later inputs do not change earlier h


def test_modern_layer_names_its_kinds():
    with pytest.raises(ValueError, match="kind must be one of"):
        ModernLayer("gru", 3, 8)
