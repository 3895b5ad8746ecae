"""Audit: cases the parity suites did not reach (found by mutating the package).

- the RNN layer with relu, both directions of conversion (the layer tests only used tanh);
- unbatched input with T = 1 (a bare ``squeeze()`` would also drop the time axis);
- torch's default initialisation U(−1/√H, 1/√H), both signs, for every parameter;
- gradients that flow only through the candidate, the coupled gate or the peepholes.
"""

import math
import random

import pytest
import torch
from parity import assert_close, randomize, suffixes
from torch import nn
from torch.func import functional_call

from lstm_tutorial import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, from_torch, to_torch


def compare_rnn(ours: RNN, theirs: nn.RNN, seed: int) -> None:
    """Outputs, h_n and the gradients of x, h0 and every parameter agree."""
    rng = random.Random(seed)
    B, T = rng.randint(1, 4), rng.randint(2, 6)
    L, nd, H = theirs.num_layers, 2 if theirs.bidirectional else 1, theirs.hidden_size
    x = torch.randn((B, T, theirs.input_size) if theirs.batch_first else (T, B, theirs.input_size))
    x.requires_grad_()
    h0 = torch.randn(L * nd, B, H, requires_grad=True)
    (out_o, hn_o), (out_t, hn_t) = ours(x, h0), theirs(x, h0)
    assert_close(out_o, out_t)
    assert_close(hn_o, hn_t)
    w, v = torch.randn(out_o.shape), torch.randn(hn_o.shape)
    loss_o, loss_t = (out_o * w).sum() + (hn_o * v).sum(), (out_t * w).sum() + (hn_t * v).sum()
    for a, b in zip(
        torch.autograd.grad(loss_o, [x, h0], retain_graph=True),
        torch.autograd.grad(loss_t, [x, h0], retain_graph=True),
        strict=True,
    ):
        assert_close(a, b)
    loss_o.backward()
    loss_t.backward()
    for cell, sfx in zip(ours.cells, suffixes(L, nd), strict=True):
        assert_close(cell.W.grad, getattr(theirs, "weight_ih" + sfx).grad)
        assert_close(cell.U.grad, getattr(theirs, "weight_hh" + sfx).grad)
        assert_close(cell.b.grad, getattr(theirs, "bias_ih" + sfx).grad)
        assert_close(cell.b.grad, getattr(theirs, "bias_hh" + sfx).grad)


@pytest.mark.parametrize("seed", range(4))
def test_relu_rnn_layer_matches_torch_both_ways(seed):
    rng = random.Random(seed)
    kw = dict(
        num_layers=rng.randint(2, 3),
        nonlinearity="relu",
        batch_first=seed % 2 == 1,
        bidirectional=seed < 2,
    )
    D, H = rng.randint(1, 5), rng.randint(1, 5)
    theirs = nn.RNN(D, H, **kw)
    randomize(theirs, seed)
    ours = from_torch(theirs)
    assert all(cell.nonlinearity == "relu" for cell in ours.cells)
    compare_rnn(ours, theirs, seed)  # torch -> ours
    ours = RNN(D, H, **kw)
    randomize(ours, 100 + seed)
    back = to_torch(ours)
    assert back.nonlinearity == "relu"
    compare_rnn(ours, back, seed)  # ours -> torch


@pytest.mark.parametrize("make", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_single_step_keeps_its_time_axis(make, batch_first):
    theirs = make(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    randomize(theirs, 9)
    ours = from_torch(theirs)
    x, h0 = torch.randn(1, 3), torch.randn(4, 4)  # T = 1, unbatched (T, D)
    hx = (h0, torch.randn(4, 4)) if make is nn.LSTM else h0
    (out_o, hn_o), (out_t, hn_t) = ours(x, hx), theirs(x, hx)
    assert out_o.shape == out_t.shape == (1, 8)
    assert_close(out_o, out_t)
    for a, b in zip(hn_o if make is nn.LSTM else [hn_o], hn_t if make is nn.LSTM else [hn_t]):
        assert_close(a, b)


@pytest.mark.parametrize(
    "make",
    [
        lambda: RNNCell(5, 16),
        lambda: LSTMCell(5, 16, proj_size=3, peepholes="ifo"),
        lambda: GRUCell(5, 16),
        lambda: LSTM(5, 16, num_layers=2, bidirectional=True),
        lambda: GRU(5, 16, num_layers=2),
        lambda: RNN(5, 16, num_layers=2),
    ],
    ids=["RNNCell", "LSTMCell", "GRUCell", "LSTM", "GRU", "RNN"],
)
def test_default_init_is_torchs_uniform(make):
    # torch.nn draws every weight and bias from U(−1/√H, 1/√H): both signs, bounded by 1/√H
    torch.manual_seed(0)
    k = 1 / math.sqrt(16)
    for name, p in make().named_parameters():
        assert p.abs().max() <= k, name
        assert p.min() < -k / 4 and p.max() > k / 4, name


@pytest.mark.parametrize(
    "options",
    [dict(), dict(variant="CIFG"), dict(variant="vanilla"), dict(variant="NIAF")],
    ids=["plain", "CIFG", "vanilla", "NIAF"],
)
def test_every_parameter_gradient_matches_finite_differences(options):
    # gradients that flow only through one path (c_prev via a peephole, f via i = 1 − f, h_prev
    # via the candidate) are invisible to output checks; compare them with finite differences
    cell = LSTMCell(2, 3, **options)
    randomize(cell, 4)
    names = [n for n, _ in cell.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in cell.parameters()]
    x = torch.randn(3, 2, 2, requires_grad=True)
    h0, c0 = torch.randn(2, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True)

    def forward(x, h0, c0, *params):
        weights, state, outs = dict(zip(names, params)), (h0, c0), []
        for x_t in x:
            state = functional_call(cell, weights, (x_t, state))
            outs.append(state.h)
        return torch.stack(outs), state.c

    assert torch.autograd.gradcheck(forward, (x, h0, c0, *params))


ONE_CHANGE = [
    dict(input_gate=False),
    dict(forget_gate=False),
    dict(output_gate=False),
    dict(input_activation="identity"),
    dict(output_activation="identity"),
    dict(gate_recurrence=True),
    dict(coupled=True),
    dict(peepholes="o"),
    *(
        dict(variant=name)
        for name in ("vanilla", "NIG", "NFG", "NOG", "NIAF", "NOAF", "CIFG", "FGR")
    ),
]


@pytest.mark.parametrize("options", ONE_CHANGE, ids=lambda o: "-".join(map(str, o.values())))
def test_to_torch_refuses_every_variant(options):
    # torch has only the plain LSTM ("NP"); converting a variant would silently drop its change,
    # so each single option (without peepholes too) must be refused, for a cell and a layer
    for module in (LSTMCell(3, 4, **options), LSTM(3, 4, num_layers=2, **options)):
        with pytest.raises(ValueError, match="torch cannot represent"):
            to_torch(module)
    assert isinstance(to_torch(LSTMCell(3, 4, variant="NP")), nn.LSTMCell)


@pytest.mark.parametrize("make", [nn.RNNCell, nn.LSTMCell, nn.GRUCell, nn.RNN, nn.LSTM, nn.GRU])
def test_from_torch_keeps_the_dtype(make):
    # the tests run with float64 as default, so a float32 module is the one that can go wrong
    theirs = make(3, 4, dtype=torch.float32)
    ours = from_torch(theirs)
    assert {p.dtype for p in ours.parameters()} == {torch.float32}
    shape = (5, 2, 3) if hasattr(theirs, "num_layers") else (2, 3)
    out = ours(torch.randn(shape).float())  # runs in float32, as the torch module does
    assert (out[0] if isinstance(out, tuple) else out).dtype == torch.float32
    x = torch.randn(shape)
    out_o, out_t = ours.double()(x), theirs.double()(x)  # float32 weights, copied exactly
    out_o, out_t = (out_o[0], out_t[0]) if isinstance(out_t, tuple) else (out_o, out_t)
    assert_close(out_o, out_t)
