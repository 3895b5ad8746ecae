"""The layer-normalised LSTM (Ba et al. 2016): equations, an invariance, gradcheck, fast path."""

import pytest
import torch
from parity import assert_close, randomize

from lstm_tutorial import LSTM, LSTMCell, cells, unroll
from lstm_tutorial.fast import lstm_loop
from lstm_tutorial.variants import LSTMOptions, parameter_count

F64 = torch.float64


def _ln(z, gamma, beta):
    """Written out: γ ⊙ (z − mean) / sqrt(var + ε) + β, variance with 1/H."""
    mean = z.mean(-1, keepdim=True)
    var = ((z - mean) ** 2).mean(-1, keepdim=True)
    return gamma * (z - mean) / torch.sqrt(var + 1e-5) + beta


def test_cell_follows_the_equations():
    torch.manual_seed(0)
    cell = LSTMCell(3, 5, layer_norm=True, dtype=F64)
    randomize(cell, 0)
    x, h, c = (torch.randn(4, n, dtype=F64) for n in (3, 5, 5))
    state = cell(x, (h, c))

    def pre(k):  # LN(W_k x) + LN(U_k h) + b_k
        g = getattr(cell, k)
        return _ln(x @ g.W.T, g.gamma_x, g.beta_x) + _ln(h @ g.U.T, g.gamma_h, g.beta_h) + g.b

    f, i, o = (torch.sigmoid(pre(k)) for k in "fio")
    c_new = f * c + i * torch.tanh(pre("g"))
    assert_close(state.c, c_new)
    assert_close(state.h, o * torch.tanh(_ln(c_new, cell.gamma_c, cell.beta_c)))


def test_starts_as_plain_normalisation_and_counts_its_parameters():
    cell = LSTMCell(3, 5, layer_norm=True)
    assert torch.equal(cell.f.gamma_x, torch.ones(5)) and torch.equal(cell.f.beta_h, torch.zeros(5))
    assert cell.f.gamma_x is not cell.f.gamma_h
    for options in (dict(layer_norm=True), dict(layer_norm=True, coupled=True, peepholes="fo")):
        n = sum(p.numel() for p in LSTMCell(3, 5, proj_size=2, **options).parameters())
        assert n == parameter_count(LSTMOptions(**options), 3, 5, proj_size=2)
    assert parameter_count(LSTMOptions(layer_norm=True), 3, 5) == parameter_count("NP", 3, 5) + 90


@pytest.mark.parametrize("fast", [True, False])
def test_invariant_to_rescaling_each_weight_matrix(fast, monkeypatch):
    """Ba et al. (2016, §5.1): LN(a W x) = LN(W x) for a > 0 (exactly so with ε = 0)."""
    monkeypatch.setattr(cells, "LN_EPS", 0.0)
    monkeypatch.setattr(lstm_loop, "LN_EPS", 0.0)
    layer = LSTM(3, 5, 2, layer_norm=True, peepholes="fo", dtype=F64, fast=fast)
    randomize(layer, 1)
    x = torch.randn(6, 2, 3, dtype=F64)
    hx = torch.randn(2, 2, 5, dtype=F64), torch.randn(2, 2, 5, dtype=F64)  # U h = 0 has no scale
    before = layer(x, hx)[0]
    with torch.no_grad():
        for k, (name, p) in enumerate(layer.named_parameters()):
            if name.endswith((".W", ".U")):
                p.mul_(0.5 + k)
    assert_close(layer(x, hx)[0], before)
    with torch.no_grad():
        layer.cells[0].f.b.add_(1.0)  # a bias is not normalised away
    assert not torch.allclose(layer(x, hx)[0], before)


@pytest.mark.parametrize("options", [{}, {"peepholes": "ifo"}, {"gate_recurrence": True}])
def test_gradcheck(options):
    cell = LSTMCell(2, 3, layer_norm=True, dtype=F64, **options)
    randomize(cell, 2)
    x = torch.randn(4, 2, 2, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: unroll(cell, x)[0], (x,))
    gamma = cell.g.gamma_h.detach().clone().requires_grad_()

    def through_gamma(gamma):
        c = LSTMCell(2, 3, layer_norm=True, dtype=F64, **options)
        c.load_state_dict(cell.state_dict())
        del c.g.gamma_h
        c.g.gamma_h = gamma
        return unroll(c, x.detach())[0]

    assert torch.autograd.gradcheck(through_gamma, (gamma,))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"peepholes": "ifo", "proj_size": 2},
        {"coupled": True, "peepholes": "fo"},
        {"gate_recurrence": True, "output_gate": False},
        {"input_activation": "identity", "output_activation": "identity"},
    ],
)
def test_fast_equals_readable(options):
    layer = LSTM(3, 4, 2, bidirectional=True, layer_norm=True, dtype=F64, **options)
    randomize(layer, 3)
    x = torch.randn(5, 2, 3, dtype=F64, requires_grad=True)
    results = []
    for fast in (True, False):
        layer.fast = fast
        out, (h, c) = layer(x)
        loss = (out**2).sum() + h.sum() + (c**3).sum()
        results.append([out, h, c, *torch.autograd.grad(loss, [x, *layer.parameters()])])
    for a, b in zip(*results):
        assert_close(a, b)
