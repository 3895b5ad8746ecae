"""LSTMCell, trace, unroll and the LSTM layer against torch.nn.LSTMCell / nn.LSTM, in float64.

Every comparison copies torch's weights into ours (``from_torch``), draws everything at random
(weights, non-zero biases, h0, c0, inputs) and compares outputs and the gradient of every
parameter. Our gradients are mapped to torch's layout here, by concatenating the gate blocks in
torch's order i, f, g, o, independently of ``torch_compat``.
"""

import random

import pytest
import torch
from parity import assert_close, randomize
from torch import nn

from lstm_tutorial import LSTM, LSTMCell, LSTMState, LSTMStep, from_torch, to_torch, trace, unroll

ORDER = ("i", "f", "g", "o")  # torch's order of the stacked gate blocks


def stacked_grads(cell: LSTMCell) -> dict[str, torch.Tensor]:
    """Our cell's gradients in torch's layout: names without the layer suffix."""
    gates = [getattr(cell, name) for name in ORDER]
    out = {
        "weight_ih": torch.cat([gate.W.grad for gate in gates]),  # (4H, D)
        "weight_hh": torch.cat([gate.U.grad for gate in gates]),  # (4H, H or P)
    }
    if gates[0].b is not None:
        out["bias"] = torch.cat([gate.b.grad for gate in gates])  # (4H,)
    if cell.W_hr is not None:
        out["weight_hr"] = cell.W_hr.grad  # (P, H)
    return out


def assert_same_grads(cell: LSTMCell, theirs: nn.Module, suffix: str) -> None:
    """Compare every parameter gradient of ``cell`` with torch's ``*{suffix}`` parameters."""
    ours = stacked_grads(cell)
    n_theirs = sum(1 for name, _ in theirs.named_parameters() if name.endswith(suffix))
    n_ours = len(ours) + ("bias" in ours)  # our one bias stands for torch's two
    assert n_ours == n_theirs
    for name, grad in ours.items():
        if name == "bias":
            # b = bias_ih + bias_hh, so each of torch's biases gets b's gradient
            assert_close(grad, getattr(theirs, "bias_ih" + suffix).grad)
            assert_close(grad, getattr(theirs, "bias_hh" + suffix).grad)
        else:
            assert_close(grad, getattr(theirs, name + suffix).grad)


# ---------------------------------------------------------------------------- the cell


def test_cell_is_the_six_equations():
    cell = LSTMCell(3, 4)
    randomize(cell, 0)
    x, h_prev, c_prev = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)

    def layer(gate, act):
        return act(x @ gate.W.T + h_prev @ gate.U.T + gate.b)

    f = layer(cell.f, torch.sigmoid)
    i = layer(cell.i, torch.sigmoid)
    g = layer(cell.g, torch.tanh)
    o = layer(cell.o, torch.sigmoid)
    c = f * c_prev + i * g
    h = o * torch.tanh(c)
    state = cell(x, (h_prev, c_prev))
    assert isinstance(state, LSTMState)
    assert_close(state.h, h)
    assert_close(state.c, c)


@pytest.mark.parametrize("seed", range(40))
def test_cell_matches_torch(seed):
    rng = random.Random(seed)
    D, H, B = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 5)
    bias, with_state = seed % 7 != 3, seed % 4 != 0
    theirs = nn.LSTMCell(D, H, bias=bias)
    randomize(theirs, seed)
    ours = from_torch(theirs)
    x = torch.randn(B, D, requires_grad=True)
    h0, c0 = torch.randn(B, H, requires_grad=True), torch.randn(B, H, requires_grad=True)
    state = (h0, c0) if with_state else None
    h_o, c_o = ours(x, state)
    h_t, c_t = theirs(x, state)
    assert_close(h_o, h_t)
    assert_close(c_o, c_t)
    wh, wc = torch.randn(B, H), torch.randn(B, H)  # random read-outs: every element matters
    inputs = [x, h0, c0] if with_state else [x]
    loss_o, loss_t = (h_o * wh + c_o * wc).sum(), (h_t * wh + c_t * wc).sum()
    for a, b in zip(
        torch.autograd.grad(loss_o, inputs, retain_graph=True),
        torch.autograd.grad(loss_t, inputs, retain_graph=True),
    ):
        assert_close(a, b)
    loss_o.backward()
    loss_t.backward()
    assert_same_grads(ours, theirs, "")


def test_cell_gradcheck():
    cell = LSTMCell(3, 2, proj_size=1)
    randomize(cell, 5)
    x, h0, c0 = (torch.randn(2, n, requires_grad=True) for n in (3, 1, 2))
    assert torch.autograd.gradcheck(lambda *a: tuple(cell(a[0], a[1:])), (x, h0, c0))


# ---------------------------------------------------------------------------- the layer


def layer_config(seed: int) -> dict:
    """A random nn.LSTM configuration; the seed makes the list reproducible."""
    rng = random.Random(1000 + seed)
    H = rng.randint(1, 6)
    return dict(
        seed=seed,
        D=rng.randint(1, 6),
        H=H,
        B=rng.randint(1, 4),
        T=rng.randint(1, 5),
        num_layers=rng.randint(1, 3),
        bidirectional=rng.random() < 0.5,
        batch_first=rng.random() < 0.5,
        bias=rng.random() < 0.85,
        proj_size=rng.randint(1, H - 1) if H > 1 and rng.random() < 0.4 else 0,
        with_state=rng.random() < 0.7,
    )


LAYER_CASES = [layer_config(seed) for seed in range(100)]


def _case_id(c: dict) -> str:
    flags = [
        tag
        for tag, key in (
            ("bi", "bidirectional"),
            ("bf", "batch_first"),
            ("b", "bias"),
            ("h0", "with_state"),
        )
        if c[key]
    ]
    sizes = f"D{c['D']}H{c['H']}P{c['proj_size']}L{c['num_layers']}B{c['B']}T{c['T']}"
    return "-".join([sizes, *flags])


def test_layer_cases_cover_every_option():
    for key in ("bidirectional", "batch_first", "bias", "with_state"):
        assert {c[key] for c in LAYER_CASES} == {False, True}
    assert {c["num_layers"] for c in LAYER_CASES} == {1, 2, 3}
    assert sum(c["proj_size"] > 0 for c in LAYER_CASES) >= 20


@pytest.mark.parametrize("case", LAYER_CASES, ids=_case_id)
def test_layer_matches_torch(case):
    D, H, B, T, P = case["D"], case["H"], case["B"], case["T"], case["proj_size"]
    L, bf = case["num_layers"], case["batch_first"]
    nd = 2 if case["bidirectional"] else 1
    theirs = nn.LSTM(
        D,
        H,
        L,
        bias=case["bias"],
        batch_first=bf,
        bidirectional=case["bidirectional"],
        proj_size=P,
    )
    randomize(theirs, case["seed"])
    ours = from_torch(theirs)
    x = torch.randn((B, T, D) if bf else (T, B, D), requires_grad=True)
    h0 = torch.randn(L * nd, B, P or H, requires_grad=True)
    c0 = torch.randn(L * nd, B, H, requires_grad=True)
    hx = (h0, c0) if case["with_state"] else None
    out_o, (hn_o, cn_o) = ours(x, hx)
    out_t, (hn_t, cn_t) = theirs(x, hx)
    assert out_o.shape == out_t.shape == ((B, T, nd * (P or H)) if bf else (T, B, nd * (P or H)))
    assert hn_o.shape == hn_t.shape and cn_o.shape == cn_t.shape
    assert_close(out_o, out_t)
    assert_close(hn_o, hn_t)
    assert_close(cn_o, cn_t)
    w_out, w_h, w_c = torch.randn(out_o.shape), torch.randn(hn_o.shape), torch.randn(cn_o.shape)
    loss_o = (out_o * w_out).sum() + (hn_o * w_h).sum() + (cn_o * w_c).sum()
    loss_t = (out_t * w_out).sum() + (hn_t * w_h).sum() + (cn_t * w_c).sum()
    inputs = [x, h0, c0] if hx else [x]
    for a, b in zip(
        torch.autograd.grad(loss_o, inputs, retain_graph=True),
        torch.autograd.grad(loss_t, inputs, retain_graph=True),
    ):
        assert_close(a, b)
    loss_o.backward()
    loss_t.backward()
    suffixes = [f"_l{l}" + ("_reverse" if d else "") for l in range(L) for d in range(nd)]
    for cell, suffix in zip(ours.cells, suffixes, strict=True):
        assert_same_grads(cell, theirs, suffix)


@pytest.mark.parametrize("batch_first", [False, True])
def test_unroll_cell_equals_one_layer_lstm(batch_first):
    theirs = nn.LSTM(3, 5, batch_first=batch_first)
    randomize(theirs, 7)
    cell = from_torch(theirs).cells[0]
    x = torch.randn((2, 6, 3) if batch_first else (6, 2, 3))
    h0, c0 = torch.randn(1, 2, 5), torch.randn(1, 2, 5)
    outputs, (h_T, c_T) = unroll(cell, x, LSTMState(h0[0], c0[0]), batch_first=batch_first)
    out_t, (hn_t, cn_t) = theirs(x, (h0, c0))
    assert_close(outputs, out_t)
    assert_close(h_T, hn_t[0])
    assert_close(c_T, cn_t[0])


def test_round_trips_are_bitwise():
    for ours in (LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2), LSTMCell(2, 3)):
        back = from_torch(to_torch(ours))
        names = [n for n, _ in ours.named_parameters()]
        assert names == [n for n, _ in back.named_parameters()]
        for p, q in zip(ours.parameters(), back.parameters(), strict=True):
            assert torch.equal(p, q)


# ---------------------------------------------------------------------------- the trace


@pytest.mark.parametrize("proj_size", [0, 2])
@pytest.mark.parametrize("batch_first", [False, True])
def test_trace_records_every_gate(batch_first, proj_size):
    cell = LSTMCell(3, 4, proj_size=proj_size)
    randomize(cell, 11)
    T, B = 5, 2
    x = torch.randn((B, T, 3) if batch_first else (T, B, 3))
    state = LSTMState(torch.randn(B, proj_size or 4), torch.randn(B, 4))
    rec = trace(cell, x, state, batch_first=batch_first)
    outputs, (_, c_T) = unroll(cell, x, state, batch_first=batch_first)
    assert isinstance(rec, LSTMStep)
    P = proj_size or 4
    assert rec.h.shape == outputs.shape == ((B, T, P) if batch_first else (T, B, P))
    assert_close(rec.h, outputs)
    if batch_first:  # from here on, time first
        x, rec = x.transpose(0, 1), LSTMStep(*(field.transpose(0, 1) for field in rec))
    for field in rec[:5]:
        assert field.shape == (T, B, 4)
    assert_close(rec.c[-1], c_T)
    # each gate is its own layer applied to x_t and h_{t-1}, and c, h follow the update equations
    h_prev, c_prev = state
    for t in range(T):
        for name in ("f", "i", "g", "o"):
            assert_close(getattr(rec, name)[t], getattr(cell, name)(x[t], h_prev))
        assert_close(rec.c[t], rec.f[t] * c_prev + rec.i[t] * rec.g[t])
        h = rec.o[t] * torch.tanh(rec.c[t])
        assert_close(rec.h[t], h @ cell.W_hr.T if proj_size else h)
        h_prev, c_prev = rec.h[t], rec.c[t]
    assert ((rec.f > 0) & (rec.f < 1) & (rec.g.abs() < 1)).all()


def test_trace_default_state_is_zeros():
    cell = LSTMCell(2, 3)
    x = torch.randn(4, 1, 2)
    rec = trace(cell, x)
    assert_close(rec.c[0], rec.i[0] * rec.g[0])  # c_0 = f ⊙ 0 + i ⊙ g
    assert_close(rec.f[0], cell.f(x[0], torch.zeros(1, 3)))


# ---------------------------------------------------------------------------- bad inputs


@pytest.fixture
def cell():
    return LSTMCell(3, 4)


# states are built inside the test (parameters are collected before the float64 fixture runs)
F32 = torch.float32
BAD_STATES = [
    (lambda: torch.randn(2, 4), TypeError, ["pair (h, c)", "Tensor"]),
    (lambda: [torch.randn(2, 4), torch.randn(2, 4)], TypeError, ["pair (h, c)", "list"]),
    (lambda: (torch.randn(2, 4),), TypeError, ["pair (h, c)", "tuple"]),
    (
        lambda: (torch.randn(2, 5), torch.randn(2, 4)),
        ValueError,
        ["h must have shape (2, 4)", "(2, 5)"],
    ),
    (
        lambda: (torch.randn(2, 4), torch.randn(3, 4)),
        ValueError,
        ["c must have shape (2, 4)", "(3, 4)"],
    ),
    (lambda: (torch.randn(2, 4), torch.randn(4)), ValueError, ["c must have shape (2, 4)", "(4,)"]),
    (
        lambda: (torch.randn(2, 4, dtype=F32), torch.randn(2, 4)),
        TypeError,
        ["h has dtype", "float32"],
    ),
    (
        lambda: (torch.randn(2, 4), torch.randn(2, 4, dtype=F32)),
        TypeError,
        ["c has dtype", "float32"],
    ),
    (lambda: (torch.randn(2, 4), [[0.0] * 4] * 2), TypeError, ["c must be a torch.Tensor", "list"]),
]


@pytest.mark.parametrize(("make_state", "error", "words"), BAD_STATES)
def test_cell_rejects_bad_state(cell, make_state, error, words):
    with pytest.raises(error) as info:
        cell(torch.randn(2, 3), make_state())
    for word in words:
        assert word in str(info.value)
    with pytest.raises(error):  # the sequence runner checks the same way
        unroll(cell, torch.randn(5, 2, 3), make_state())


def test_cell_rejects_bad_x(cell):
    with pytest.raises(ValueError, match=r"3 features .*got shape \(2, 4\)"):
        cell(torch.randn(2, 4))
    with pytest.raises(TypeError, match=r"x has dtype torch\.float32 but the parameters are"):
        cell(torch.randn(2, 3, dtype=torch.float32))


def test_projected_cell_wants_h_of_size_p():
    cell = LSTMCell(3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"h must have shape \(2, 2\), got shape \(2, 4\)"):
        cell(torch.randn(2, 3), (torch.randn(2, 4), torch.randn(2, 4)))
    h, c = cell(torch.randn(2, 3), (torch.randn(2, 2), torch.randn(2, 4)))
    assert h.shape == (2, 2) and c.shape == (2, 4)


@pytest.mark.parametrize(("proj_size", "got"), [(4, "4"), (7, "7"), (-1, "-1"), (1.5, "1.5")])
def test_constructor_rejects_bad_proj_size(proj_size, got):
    with pytest.raises(ValueError, match=rf"proj_size must be .*\[0, 4\), got {got}"):
        LSTMCell(3, 4, proj_size=proj_size)
    with pytest.raises(ValueError, match=r"proj_size"):
        LSTM(3, 4, proj_size=proj_size)


def test_to_torch_cell_with_projection_is_refused():
    with pytest.raises(ValueError, match=r"nn\.LSTMCell has no proj_size"):
        to_torch(LSTMCell(3, 4, proj_size=2))


BAD_HX = [
    (lambda: torch.randn(2, 5, 4), TypeError, r"pair \(h0, c0\), got Tensor"),
    (lambda: (torch.randn(2, 5, 4),), TypeError, r"pair \(h0, c0\), got tuple"),
    (
        lambda: (torch.randn(2, 5, 4), torch.randn(2, 5, 4)),
        ValueError,
        r"h0 must have shape \(2, 5, 3\)",
    ),
    (
        lambda: (torch.randn(2, 5, 3), torch.randn(1, 5, 4)),
        ValueError,
        r"c0 must have shape \(2, 5, 4\)",
    ),
    (lambda: (torch.randn(2, 5, 3), torch.randn(2, 5, 4, dtype=F32)), TypeError, "c0 has dtype"),
]


@pytest.mark.parametrize(("make_hx", "error", "match"), BAD_HX)
def test_layer_rejects_bad_initial_state(make_hx, error, match):
    lstm = LSTM(2, 4, num_layers=2, proj_size=3)  # h0 (2, B, 3), c0 (2, B, 4)
    with pytest.raises(error, match=match):
        lstm(torch.randn(7, 5, 2), make_hx())
