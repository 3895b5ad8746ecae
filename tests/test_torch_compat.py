"""torch_compat and notation: conversion both ways, bitwise round trips, gate orders, errors.

Configurations are drawn at random (sizes, num_layers, bidirectional, batch_first, bias,
proj_size), weights and biases are random and non-zero, and h0, c0 are random. Parity is checked
in both directions (torch -> ours and ours -> torch) on outputs, final states and the gradients
of inputs, states and every parameter, in float64 at the tolerance of STYLE.md rule 7.
Our gradients are put in torch's layout here, by hand, independently of ``torch_compat``.
"""

import inspect
import itertools
import random

import pytest
import torch
from parity import assert_close, randomize, suffixes
from torch import nn

from lstm_tutorial import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, from_torch, to_torch
from lstm_tutorial.notation import GATE_ORDERS, reorder_gates
from lstm_tutorial.torch_compat import TorchBiases

ORDER = "ifgo"  # torch's order, written out here on purpose


def lstm_config(seed, num_layers, bidirectional, batch_first, bias, project):
    rng = random.Random(seed)
    H = rng.randint(2, 6)
    return dict(
        input_size=rng.randint(1, 6),
        hidden_size=H,
        num_layers=num_layers,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        proj_size=rng.randint(1, H - 1) if project else 0,
    )


# every combination of the layer options, twice with different random sizes: 96 configurations
FLAGS = itertools.product([1, 2, 3], *[[False, True]] * 4)
LAYER_CASES = [(seed, *flags) for seed, flags in enumerate(2 * list(FLAGS))]


def assert_lstm_grads(ours: LSTM, theirs: nn.LSTM) -> None:
    nd = 2 if theirs.bidirectional else 1
    for cell, sfx in zip(ours.cells, suffixes(theirs.num_layers, nd), strict=True):
        gates = [getattr(cell, k) for k in ORDER]
        assert_close(torch.cat([g.W.grad for g in gates]), getattr(theirs, "weight_ih" + sfx).grad)
        assert_close(torch.cat([g.U.grad for g in gates]), getattr(theirs, "weight_hh" + sfx).grad)
        if theirs.bias:  # b = bias_ih + bias_hh, so each half has b's gradient
            b_grad = torch.cat([g.b.grad for g in gates])
            assert_close(b_grad, getattr(theirs, "bias_ih" + sfx).grad)
            assert_close(b_grad, getattr(theirs, "bias_hh" + sfx).grad)
        if theirs.proj_size:
            assert_close(cell.W_hr.grad, getattr(theirs, "weight_hr" + sfx).grad)


def run_both(ours: LSTM, theirs: nn.LSTM, seed: int) -> None:
    """Same input, random states: outputs, states and every gradient agree."""
    torch.manual_seed(seed)
    nd = 2 if theirs.bidirectional else 1
    L, H, P, D = theirs.num_layers, theirs.hidden_size, theirs.proj_size, theirs.input_size
    B, T = random.Random(seed).randint(1, 4), random.Random(seed + 1).randint(1, 6)
    x = torch.randn((B, T, D) if theirs.batch_first else (T, B, D), requires_grad=True)
    h0 = torch.randn(L * nd, B, P or H, requires_grad=True)
    c0 = torch.randn(L * nd, B, H, requires_grad=True)
    out_o, (hn_o, cn_o) = ours(x, (h0, c0))
    out_t, (hn_t, cn_t) = theirs(x, (h0, c0))
    for a, b in ((out_o, out_t), (hn_o, hn_t), (cn_o, cn_t)):
        assert a.shape == b.shape
        assert_close(a, b)
    w = [torch.randn(t.shape) for t in (out_o, hn_o, cn_o)]  # a random read-out of everything
    loss_o = sum((t * w_k).sum() for t, w_k in zip((out_o, hn_o, cn_o), w))
    loss_t = sum((t * w_k).sum() for t, w_k in zip((out_t, hn_t, cn_t), w))
    g_o = torch.autograd.grad(loss_o, [x, h0, c0], retain_graph=True)
    g_t = torch.autograd.grad(loss_t, [x, h0, c0], retain_graph=True)
    for a, b in zip(g_o, g_t, strict=True):
        assert_close(a, b)
    loss_o.backward()
    loss_t.backward()
    assert_lstm_grads(ours, theirs)


@pytest.mark.parametrize("case", LAYER_CASES)
def test_lstm_from_torch_and_to_torch(case):
    seed, cfg = case[0], lstm_config(*case)
    theirs = nn.LSTM(**cfg)
    randomize(theirs, seed)
    run_both(from_torch(theirs), theirs, seed)  # torch -> ours
    ours = LSTM(**cfg)
    randomize(ours, 1000 + seed)
    run_both(ours, to_torch(ours), seed)  # ours -> torch


def test_layer_cases_cover_every_option():
    cfgs = [lstm_config(*case) for case in LAYER_CASES]
    for key in ("bidirectional", "batch_first", "bias"):
        assert {c[key] for c in cfgs} == {False, True}
    assert {c["num_layers"] for c in cfgs} == {1, 2, 3}
    assert {c["proj_size"] > 0 for c in cfgs} == {False, True}
    assert len(cfgs) == 96


# ---------------------------------------------------------------------- bitwise round trips


def torch_modules(seed: int) -> list[nn.Module]:
    rng = random.Random(seed)
    D, H = rng.randint(1, 5), rng.randint(2, 5)
    kw = dict(
        num_layers=rng.randint(1, 3),
        bias=rng.random() < 0.8,
        batch_first=rng.random() < 0.5,
        bidirectional=rng.random() < 0.5,
    )
    bias = kw["bias"]
    return [
        nn.RNNCell(D, H, bias, rng.choice(["tanh", "relu"])),
        nn.LSTMCell(D, H, bias),
        nn.GRUCell(D, H, bias),
        nn.RNN(D, H, nonlinearity=rng.choice(["tanh", "relu"]), **kw),
        nn.LSTM(D, H, proj_size=rng.choice([0, 1]), **kw),
        nn.GRU(D, H, **kw),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_torch_to_ours_to_torch_is_bitwise(seed):
    for theirs in torch_modules(seed):
        randomize(theirs, seed)
        back = to_torch(from_torch(theirs))
        assert type(back) is type(theirs) and repr(back) == repr(theirs)
        before, after = theirs.state_dict(), back.state_dict()
        assert list(before) == list(after)
        for name in before:  # both biases too: from_torch remembered torch's split
            assert torch.equal(before[name], after[name]), (type(theirs).__name__, name)


@pytest.mark.parametrize("seed", range(6))
def test_ours_to_torch_to_ours_is_bitwise(seed):
    for theirs in torch_modules(seed):
        ours = from_torch(theirs)
        randomize(ours, seed)  # our own random parameters, not torch's
        back = from_torch(to_torch(ours))
        assert type(back) is type(ours) and repr(back) == repr(ours)
        names = [n for n, _ in ours.named_parameters()]
        assert names == [n for n, _ in back.named_parameters()]
        for p, q in zip(ours.parameters(), back.parameters(), strict=True):
            assert torch.equal(p, q)


def test_a_changed_bias_is_written_as_b_and_zero():
    theirs = nn.LSTM(3, 4, num_layers=2)
    randomize(theirs, 3)
    ours = from_torch(theirs)
    assert isinstance(ours.cells[0].torch_biases, TorchBiases)
    with torch.no_grad():
        ours.cells[1].f.b.add_(1.0)  # e.g. a forget-gate bias of +1 (one layer only)
    back = to_torch(ours)
    # layer 0 untouched: torch's own split restored; layer 1 changed: (b, 0)
    assert torch.equal(back.bias_ih_l0, theirs.bias_ih_l0)
    assert torch.equal(back.bias_hh_l0, theirs.bias_hh_l0)
    b = torch.cat([getattr(ours.cells[1], k).b for k in ORDER])
    assert torch.equal(back.bias_ih_l1, b)
    assert torch.equal(back.bias_hh_l1, torch.zeros(16))
    x = torch.randn(5, 2, 3)
    assert_close(back(x)[0], ours(x)[0])


def test_changed_dtype_falls_back_to_the_sum():
    theirs = nn.LSTMCell(2, 3)
    randomize(theirs, 4)
    ours = from_torch(theirs).float()
    back = to_torch(ours)
    assert back.bias_ih.dtype == torch.float32 and not back.bias_hh.any()
    expected = (theirs.bias_ih + theirs.bias_hh).float()
    assert torch.equal(back.bias_ih, expected)


def test_the_remembered_biases_are_not_parameters_or_state():
    ours = from_torch(nn.LSTM(3, 4))
    assert not any("torch_biases" in n for n in ours.state_dict())
    assert sum(p.numel() for p in ours.parameters()) == 4 * 4 * (3 + 4 + 1)


# ------------------------------------------------------------------ the layers mirror torch


def test_layer_signatures_match_torch_positionally():
    torch_names = list(inspect.signature(nn.modules.rnn.RNNBase.__init__).parameters)[2:]
    lstm = list(inspect.signature(LSTM.__init__).parameters)[1:]
    shared = [n for n in torch_names if n not in ("device", "dtype")]
    assert lstm[: len(shared)] == shared
    torch_rnn = ["input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first"]
    rnn = list(inspect.signature(RNN.__init__).parameters)[1:]
    assert rnn[:8] == [*torch_rnn, "dropout", "bidirectional"]
    gru = list(inspect.signature(GRU.__init__).parameters)[1:]
    assert gru[:7] == shared[:7]


@pytest.mark.parametrize("make", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input_as_in_torch(make, batch_first):
    theirs = make(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    randomize(theirs, 5)
    ours = from_torch(theirs)
    x, h0 = torch.randn(6, 3), torch.randn(4, 4)
    hx = (h0, torch.randn(4, 4)) if make is nn.LSTM else h0
    (out_o, hn_o), (out_t, hn_t) = ours(x, hx), theirs(x, hx)
    assert out_o.shape == out_t.shape == (6, 8)
    assert_close(out_o, out_t)
    for a, b in zip(hn_o if make is nn.LSTM else [hn_o], hn_t if make is nn.LSTM else [hn_t]):
        assert a.shape == b.shape == (4, 4)
        assert_close(a, b)


def test_unbatched_input_wants_2d_states():
    with pytest.raises(ValueError, match=r"h0 must be 2-D \(L \* nd, H\), got shape \(1, 1, 4\)"):
        LSTM(3, 4)(torch.randn(5, 3), (torch.randn(1, 1, 4), torch.randn(1, 1, 4)))


def test_dropout_is_checked_and_converted_both_ways():
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\], got 1\.5"):
        LSTM(3, 4, 2, True, False, 1.5)
    assert LSTM(3, 4, 2, True, False, 0.2).dropout == 0.2  # torch's positional order
    assert from_torch(nn.LSTM(3, 4, 2, dropout=0.5)).dropout == 0.5
    assert to_torch(GRU(3, 4, 2, dropout=0.25)).dropout == 0.25


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("module", [nn.Linear(3, 4), nn.Conv1d(3, 4, 2)])
def test_from_torch_rejects_other_modules(module):
    with pytest.raises(TypeError, match=f"nn.LSTM.*got {type(module).__name__}"):
        from_torch(module)


def test_from_torch_rejects_subclasses_it_cannot_know():
    class MyLSTM(nn.LSTM):
        pass

    with pytest.raises(TypeError, match="got MyLSTM"):
        from_torch(MyLSTM(3, 4))


@pytest.mark.parametrize(
    ("module", "error", "words"),
    [
        (nn.Linear(3, 4), TypeError, "got Linear"),
        (LSTMCell(3, 4, proj_size=2), ValueError, "no proj_size"),
        (LSTMCell(3, 4, peepholes="ifo"), ValueError, "'peepholes': 'ifo'"),
        (LSTMCell(3, 4, coupled=True), ValueError, "'coupled': True"),
        (GRUCell(3, 4, reset_after=False), ValueError, "reset_after=False"),
    ],
)
def test_to_torch_rejects_what_torch_cannot_represent(module, error, words):
    with pytest.raises(error, match=words):
        to_torch(module)


def test_to_torch_keeps_dtype():
    back = to_torch(RNNCell(2, 3, dtype=torch.float32))
    assert back.weight_ih.dtype == torch.float32


# ----------------------------------------------------------------------- gate orders


@pytest.mark.parametrize("src", ["".join(p) for p in itertools.permutations("ifgo")])
def test_reorder_round_trip_and_blocks(src):
    H, D = 3, 5
    w = torch.randn(4 * H, D)
    for dst in ("ifgo", "ifog", "oigf"):
        moved = reorder_gates(w, src, dst)
        assert torch.equal(reorder_gates(moved, dst, src), w)
        for k, gate in enumerate(dst):  # block k of the result is gate dst[k] of the input
            j = src.index(gate)
            assert torch.equal(moved[k * H : (k + 1) * H], w[j * H : (j + 1) * H])
    assert reorder_gates(w, src, src).data_ptr() != w.data_ptr()  # a copy, never a view


def test_reorder_bias_and_keras_kernel():
    b = torch.arange(8.0)  # H = 2: blocks (0,1) (2,3) (4,5) (6,7)
    assert reorder_gates(b, "ifog", "ifgo").tolist() == [0, 1, 2, 3, 6, 7, 4, 5]
    kernel = torch.randn(3, 8)  # Keras keeps (D, 4H): the gates are columns
    assert torch.equal(reorder_gates(kernel, "ifgo", "ifog", dim=1).T, reorder_gates(kernel.T))


@pytest.mark.parametrize(
    ("src", "dst", "error", "match"),
    [
        ("ifog", "ifgx", ValueError, "same gates"),
        ("ifog", "ifg", ValueError, "same gates"),
        ("iifo", "ifgo", ValueError, "each gate once"),
        ("ifog", "", TypeError, "string of gate letters"),
        (["i", "f", "o", "g"], "ifgo", TypeError, "string of gate letters"),
        ("rzn", "nzr", ValueError, r"8 rows along dim 0, not divisible into 3 gate blocks"),
    ],
)
def test_reorder_rejects_invalid_orders(src, dst, error, match):
    with pytest.raises(error, match=match):
        reorder_gates(torch.randn(8, 3), src, dst)


def test_reorder_rejects_bad_weight_and_dim():
    with pytest.raises(TypeError, match=r"torch\.Tensor, got list"):
        reorder_gates([[1.0]] * 4)
    with pytest.raises(ValueError, match=r"dim must be in \[-2, 2\), got 2"):
        reorder_gates(torch.randn(8, 3), dim=2)


def cs231n_step(x, h, c, Wx, Wh, b):
    """One LSTM step in CS231n's convention: a = x Wx + h Wh + b, blocks i, f, o, g."""
    a = x @ Wx + h @ Wh + b  # (B, 4H)
    a_i, a_f, a_o, a_g = a.chunk(4, dim=1)
    c = torch.sigmoid(a_f) * c + torch.sigmoid(a_i) * torch.tanh(a_g)
    return torch.sigmoid(a_o) * torch.tanh(c), c


def test_cs231n_weights_load_into_torch():
    D, H, B = 4, 3, 2
    Wx, Wh, b = torch.randn(D, 4 * H), torch.randn(H, 4 * H), torch.randn(4 * H)
    x, h, c = torch.randn(B, D), torch.randn(B, H), torch.randn(B, H)
    src, dst = GATE_ORDERS["cs231n"], GATE_ORDERS["pytorch"]
    cell = nn.LSTMCell(D, H)
    with torch.no_grad():
        cell.weight_ih.copy_(reorder_gates(Wx.T, src, dst))
        cell.weight_hh.copy_(reorder_gates(Wh.T, src, dst))
        cell.bias_ih.copy_(reorder_gates(b, src, dst))
        cell.bias_hh.zero_()
    h_t, c_t = cell(x, (h, c))
    h_s, c_s = cs231n_step(x, h, c, Wx, Wh, b)
    assert_close(h_t, h_s)
    assert_close(c_t, c_s)
    with torch.no_grad():  # and without reordering the numbers are wrong, not the shapes
        cell.weight_ih.copy_(Wx.T)
        cell.weight_hh.copy_(Wh.T)
        cell.bias_ih.copy_(b)
    assert (cell(x, (h, c))[0] - h_s).abs().max() > 1e-3


def test_mismatched_sizes_name_the_tensor():
    theirs = nn.LSTMCell(3, 4)
    theirs.weight_ih = nn.Parameter(torch.randn(16, 5))  # D = 5 where input_size says 3
    with pytest.raises(ValueError, match=r"weight_ih, block i: expected \(4, 3\), got \(4, 5\)"):
        from_torch(theirs)
    theirs = nn.LSTM(3, 4, 2)
    theirs.weight_hh_l1 = nn.Parameter(torch.randn(14, 4))  # not 4 equal blocks
    with pytest.raises(
        ValueError, match=r"weight_hh_l1 must stack 4 equal gate blocks .* \(14, 4\)"
    ):
        from_torch(theirs)
    ours = LSTM(3, 4, 2)
    ours.cells[1] = LSTMCell(4, 5)  # a layer-1 cell with H = 5 in an H = 4 stack
    with pytest.raises(ValueError, match=r"weight_ih_l1: expected \(16, 4\), got \(20, 4\)"):
        to_torch(ours)
