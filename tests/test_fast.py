"""The fast path equals the readable cells and torch.nn: outputs, final states, every gradient.

Float64, random sizes and layouts, random non-zero weights, biases, peepholes and initial states.
"""

import copy
import random

import pytest
import torch
from parity import assert_close, randomize
from torch import nn

from lstm_tutorial import GRU, LSTM, from_torch, to_torch
from lstm_tutorial.variants import VARIANTS

F64 = torch.float64


def _states(layer, B, g):
    L = layer.num_layers * (2 if layer.bidirectional else 1)
    R = getattr(layer, "proj_size", 0) or layer.hidden_size
    h0 = torch.randn(L, B, R, dtype=F64, generator=g)
    if isinstance(layer, LSTM):
        return h0, torch.randn(L, B, layer.hidden_size, dtype=F64, generator=g)
    return h0


def _run(layer, x, hx):
    """Outputs, final states and the gradient of a random loss w.r.t. x, hx and every parameter."""
    x = x.detach().clone().requires_grad_()
    hx = tuple(h.detach().clone().requires_grad_() for h in hx) if isinstance(hx, tuple) else hx
    if isinstance(hx, torch.Tensor):
        hx = hx.detach().clone().requires_grad_()
    out, h_n = layer(x, hx)
    finals = list(h_n) if isinstance(h_n, tuple) else [h_n]
    g = torch.Generator().manual_seed(1)
    loss = sum((t * torch.randn(t.shape, dtype=F64, generator=g)).sum() for t in [out, *finals])
    inputs = [x, *(hx if isinstance(hx, tuple) else [hx]), *layer.parameters()]
    return [out, *finals, *torch.autograd.grad(loss, inputs, allow_unused=True)]


def _assert_all_close(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert (u is None) == (v is None)
        if u is not None:
            assert_close(u, v)


def _layout(seed):
    rnd = random.Random(seed)
    return dict(
        num_layers=rnd.choice([1, 2]),
        bidirectional=rnd.random() < 0.5,
        batch_first=rnd.random() < 0.5,
        bias=rnd.random() < 0.8,
    ), (rnd.randint(1, 4), rnd.randint(1, 6), rnd.randint(1, 4), rnd.randint(2, 5))  # B T D H


def _input(B, T, D, batch_first, g):
    shape = (B, T, D) if batch_first else (T, B, D)
    return torch.randn(shape, dtype=F64, generator=g)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_fast_equals_readable_equals_torch(kind, seed):
    layout, (B, T, D, H) = _layout(seed)
    extra = {"proj_size": seed % H} if kind == "LSTM" else {}
    if kind == "RNN":
        extra = {"nonlinearity": ["tanh", "relu"][seed % 2]}
    theirs = getattr(nn, kind)(D, H, dtype=F64, **layout, **extra)
    randomize(theirs, seed)
    ours = from_torch(theirs)
    g = torch.Generator().manual_seed(seed)
    x, hx = _input(B, T, D, layout["batch_first"], g), _states(ours, B, g)
    fast = _run(ours, x, hx)
    ours.fast = False
    readable = _run(ours, x, hx)
    reference = _run(theirs, x, hx)
    n = 2 + 2 * (2 if kind == "LSTM" else 1)  # output, final states, dx, d(initial states)
    _assert_all_close(fast[:n], reference[:n])
    _assert_all_close(fast, readable)
    # our parameter gradients, laid out as torch's by to_torch, equal torch's own
    grads = copy.deepcopy(ours)
    with torch.no_grad():
        for p, dp in zip(grads.parameters(), fast[n:]):
            p.copy_(dp)
    for cell in grads.cells:
        cell.__dict__.pop("torch_biases", None)  # a gradient is no bias to restore
    as_torch = dict(to_torch(grads).named_parameters())
    for (name, _), dp in zip(theirs.named_parameters(), reference[n:]):
        if not name.startswith("bias_hh"):  # torch's bias_hh gradient is bias_ih's (b = sum)
            assert_close(as_torch[name], dp)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("seed", range(2))
def test_every_variant_fast_equals_readable(variant, seed):
    layout, (B, T, D, H) = _layout(seed + 10)
    proj = seed % H if variant != "FGR" or seed else 0
    layer = LSTM(D, H, proj_size=proj, dtype=F64, variant=variant, **layout)
    randomize(layer, seed)
    g = torch.Generator().manual_seed(seed)
    x, hx = _input(B, T, D, layout["batch_first"], g), _states(layer, B, g)
    fast = _run(layer, x, hx)
    layer.fast = False
    _assert_all_close(fast, _run(layer, x, hx))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_cho_gru_fast_equals_readable(bidirectional):
    layer = GRU(3, 4, 2, bidirectional=bidirectional, reset_after=False, dtype=F64)
    randomize(layer, 3)
    g = torch.Generator().manual_seed(3)
    x, hx = _input(2, 5, 3, False, g), _states(layer, 2, g)
    fast = _run(layer, x, hx)
    layer.fast = False
    _assert_all_close(fast, _run(layer, x, hx))


def test_default_is_fast_and_parameters_are_unchanged():
    layer = LSTM(3, 4, peepholes="ifo")
    assert layer.fast and not LSTM(3, 4, fast=False).fast
    names = [n for n, _ in layer.named_parameters()]
    assert names[:4] == ["cells.0.f.W", "cells.0.f.U", "cells.0.f.b", "cells.0.f.p"]
    assert list(LSTM(3, 4).state_dict()) == list(LSTM(3, 4, fast=False).state_dict())


def test_peephole_backward_with_create_graph():
    """create_graph=True gives the first derivatives; only a second backward is refused, clearly."""
    layer = LSTM(3, 4, peepholes="ifo", dtype=F64)
    randomize(layer, 4)
    reference = copy.deepcopy(layer)
    reference.fast = False
    x = torch.randn(5, 2, 3, dtype=F64, requires_grad=True)
    (g,) = torch.autograd.grad((layer(x)[0] ** 2).sum(), x, create_graph=True)
    (g_ref,) = torch.autograd.grad((reference(x)[0] ** 2).sum(), x)
    assert_close(g, g_ref)
    with pytest.raises(RuntimeError, match="differentiate twice"):
        g.sum().backward()
