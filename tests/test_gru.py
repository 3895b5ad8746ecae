"""GRUCell and the GRU layer against torch.nn.GRUCell / nn.GRU, in float64; the Cho et al. form by
reduction and gradcheck."""

import random

import pytest
import torch
from parity import assert_close, randomize, suffixes
from torch import nn

from lstm_tutorial import GRU, GRUCell, GRUStep, from_torch, to_torch, trace, unroll


def torch_layout_grads(cell: GRUCell) -> list[torch.Tensor]:
    """Our gradients rearranged into torch's (weight_ih, weight_hh, bias_ih, bias_hh).

    Written independently of torch_compat: b_r = b_ir + b_hr gets the gradient of each of the two,
    n.b is b_in and b_hn is b_hn.
    """
    gates = (cell.r, cell.z, cell.n)
    grads = [torch.cat([g.W.grad for g in gates]), torch.cat([g.U.grad for g in gates])]
    if cell.r.b is not None:
        grads.append(torch.cat([g.b.grad for g in gates]))
        grads.append(torch.cat([cell.r.b.grad, cell.z.b.grad, cell.b_hn.grad]))
    return grads


def test_gru_cell_equations_by_hand():
    torch_form, cho_form = GRUCell(3, 4), GRUCell(3, 4, reset_after=False)
    for cell in (torch_form, cho_form):
        randomize(cell, 0)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    for cell in (torch_form, cho_form):
        r = torch.sigmoid(x @ cell.r.W.T + h @ cell.r.U.T + cell.r.b)
        z = torch.sigmoid(x @ cell.z.W.T + h @ cell.z.U.T + cell.z.b)
        if cell.reset_after:
            n = torch.tanh(x @ cell.n.W.T + cell.n.b + r * (h @ cell.n.U.T + cell.b_hn))
        else:
            n = torch.tanh(x @ cell.n.W.T + (r * h) @ cell.n.U.T + cell.n.b)
        assert_close(cell(x, h), (1 - z) * n + z * h)
    assert cho_form.b_hn is None


@pytest.mark.parametrize("seed", range(40))
def test_gru_cell_matches_torch(seed):
    rng = random.Random(seed)
    D, H, B = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 5)
    bias = seed % 4 != 0
    theirs = nn.GRUCell(D, H, bias=bias)
    randomize(theirs, seed)
    ours = from_torch(theirs)
    x, h = torch.randn(B, D, requires_grad=True), torch.randn(B, H, requires_grad=True)
    out_ours, out_theirs = ours(x, h), theirs(x, h)
    assert_close(out_ours, out_theirs)
    w = torch.randn(B, H)  # a random linear read-out, so every output element gets a gradient
    gx_o, gh_o = torch.autograd.grad((out_ours * w).sum(), [x, h], retain_graph=True)
    gx_t, gh_t = torch.autograd.grad((out_theirs * w).sum(), [x, h], retain_graph=True)
    assert_close(gx_o, gx_t)
    assert_close(gh_o, gh_t)
    (out_ours * w).sum().backward()
    (out_theirs * w).sum().backward()
    for ours_grad, p in zip(torch_layout_grads(ours), theirs.parameters(), strict=True):
        assert_close(ours_grad, p.grad)


@pytest.mark.parametrize("seed", range(100))
def test_gru_layer_matches_torch(seed):
    rng = random.Random(1000 + seed)
    L, bidirectional = rng.randint(1, 3), rng.random() < 0.5
    batch_first, bias, give_h0 = rng.random() < 0.5, rng.random() < 0.8, rng.random() < 0.8
    D, H, B, T = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 7)
    theirs = nn.GRU(D, H, L, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
    randomize(theirs, seed)
    ours = from_torch(theirs)
    nd = 2 if bidirectional else 1
    x = torch.randn((B, T, D) if batch_first else (T, B, D), requires_grad=True)
    h0 = torch.randn(L * nd, B, H, requires_grad=True) if give_h0 else None
    out_o, hn_o = ours(x, h0)
    out_t, hn_t = theirs(x, h0)
    assert out_o.shape == out_t.shape == ((B, T, nd * H) if batch_first else (T, B, nd * H))
    assert hn_o.shape == hn_t.shape == (L * nd, B, H)
    assert_close(out_o, out_t)
    assert_close(hn_o, hn_t)
    w, v = torch.randn(out_o.shape), torch.randn(hn_o.shape)  # random read-outs
    loss_o = (out_o * w).sum() + (hn_o * v).sum()
    loss_t = (out_t * w).sum() + (hn_t * v).sum()
    leaves = [x] if h0 is None else [x, h0]
    for a, b in zip(
        torch.autograd.grad(loss_o, leaves, retain_graph=True),
        torch.autograd.grad(loss_t, leaves, retain_graph=True),
    ):
        assert_close(a, b)
    loss_o.backward()
    loss_t.backward()
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else [])
    for cell, suffix in zip(ours.cells, suffixes(L, nd), strict=True):
        for ours_grad, name in zip(torch_layout_grads(cell), names, strict=True):
            assert_close(ours_grad, getattr(theirs, name + suffix).grad)


@pytest.mark.parametrize("bias", [True, False])
def test_round_trips(bias):
    ours = GRU(3, 4, num_layers=2, bias=bias, bidirectional=True, batch_first=True)
    randomize(ours, 3)
    back = from_torch(to_torch(ours))
    for p, q in zip(ours.parameters(), back.parameters(), strict=True):
        assert torch.equal(p, q)
    cell = GRUCell(2, 5, bias=bias)
    randomize(cell, 4)
    theirs = to_torch(cell)
    assert isinstance(theirs, nn.GRUCell)
    x, h = torch.randn(3, 2), torch.randn(3, 5)
    assert_close(theirs(x, h), cell(x, h))


def test_cho_form_has_no_torch_twin():
    for module in (GRUCell(2, 3, reset_after=False), GRU(2, 3, 2, reset_after=False)):
        with pytest.raises(ValueError, match="reset_after=False"):
            to_torch(module)


def copy_into_cho_form(cell: GRUCell) -> GRUCell:
    """A reset_after=False cell with the same W, U and b (b_hn has no place in it)."""
    cho = GRUCell(cell.input_size, cell.hidden_size, reset_after=False)
    with torch.no_grad():
        for name in ("r", "z", "n"):
            for p in ("W", "U", "b"):
                getattr(getattr(cho, name), p).copy_(getattr(getattr(cell, name), p))
    return cho


@pytest.mark.parametrize("seed", range(10))
def test_forms_coincide_when_U_n_is_diagonal_and_b_hn_is_zero(seed):
    # r ⊙ (U h) = U (r ⊙ h) for every r exactly when U is diagonal: the reduction is exact
    cell = GRUCell(3, 5)
    randomize(cell, seed)
    with torch.no_grad():
        cell.n.U.copy_(torch.diag(torch.randn(5)))
        cell.b_hn.zero_()
    cho = copy_into_cho_form(cell)
    x, h0 = torch.randn(6, 2, 3), torch.randn(2, 5)
    out, h_T = unroll(cell, x, h0)
    out_cho, h_T_cho = unroll(cho, x, h0)
    assert_close(out, out_cho)
    assert_close(h_T, h_T_cho)


def test_forms_coincide_on_a_zero_state_and_differ_otherwise():
    cell = GRUCell(3, 5)
    randomize(cell, 7)
    with torch.no_grad():
        cell.b_hn.zero_()
    cho = copy_into_cho_form(cell)
    x = torch.randn(2, 3)
    assert_close(cell(x), cho(x))  # h_prev = 0: the reset gate has nothing to act on
    h = torch.randn(2, 5)
    assert (cell(x, h) - cho(x, h)).abs().max() > 1e-3  # a general U_n: the forms differ


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck(reset_after, bias):
    # the Cho form has no torch twin, so its gradients are checked against finite differences:
    # with respect to the input, the initial state and every parameter of a 2-layer bi-GRU
    layer = GRU(2, 3, num_layers=2, bias=bias, bidirectional=True, reset_after=reset_after)
    randomize(layer, 5)
    names = [name for name, _ in layer.named_parameters()]
    x = torch.randn(4, 2, 2, requires_grad=True)
    h0 = torch.randn(4, 2, 3, requires_grad=True)
    values = [p.detach().clone().requires_grad_() for p in layer.parameters()]

    def run(x, h0, *values):
        output, h_n = torch.func.functional_call(layer, dict(zip(names, values)), (x, h0))
        return output, h_n

    assert torch.autograd.gradcheck(run, (x, h0, *values))


def test_update_gate_weighs_the_old_state():
    # torch's convention: z → 1 keeps h_prev, z → 0 takes the candidate n
    cell = GRUCell(3, 4)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    with torch.no_grad():
        cell.z.b.fill_(50.0)  # σ(50) rounds to 1 in float64
    assert torch.equal(cell(x, h), h)
    with torch.no_grad():
        cell.z.b.fill_(-50.0)
    _, record = cell.step(x, h)
    assert_close(record.h, record.n)


def test_trace_records_every_gate():
    cell = GRUCell(3, 4, reset_after=False)
    x = torch.randn(2, 5, 3)
    steps = trace(cell, x, batch_first=True)
    assert isinstance(steps, GRUStep)
    assert all(field.shape == (2, 5, 4) for field in steps)
    outputs, _ = unroll(cell, x, batch_first=True)
    assert_close(steps.h, outputs)
    assert ((steps.r > 0) & (steps.r < 1) & (steps.z > 0) & (steps.z < 1)).all()


def test_float32_and_parameter_count():
    cell = GRUCell(3, 4, dtype=torch.float32)
    assert cell(torch.randn(2, 3, dtype=torch.float32)).dtype == torch.float32
    # 3 (W, U, b) blocks plus b_hn, the same count as torch's two biases
    assert (
        sum(p.numel() for p in GRUCell(3, 4).parameters())
        == sum(p.numel() for p in nn.GRUCell(3, 4).parameters()) - 2 * 4
    )
    assert sum(p.numel() for p in GRUCell(3, 4, reset_after=False).parameters()) == 3 * (
        4 * 3 + 4 * 4 + 4
    )


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda c, l: c(torch.randn(2, 4)), ValueError, ["3 features", "(2, 4)"]),
        (lambda c, l: c(torch.randn(3)), ValueError, ["(B, D)", "(3,)"]),
        (lambda c, l: c(torch.randn(2, 3), torch.randn(2, 5)), ValueError, ["(2, 4)", "(2, 5)"]),
        (
            lambda c, l: c(torch.randn(2, 3, dtype=torch.float32)),
            TypeError,
            ["float32", "float64"],
        ),
        (lambda c, l: c(torch.randn(2, 3), (torch.randn(2, 4),)), TypeError, ["tuple"]),
        (lambda c, l: l(torch.randn(5, 2, 4)), ValueError, ["3 features", "(5, 2, 4)"]),
        (lambda c, l: l(torch.randn(5, 2, 3), torch.randn(1, 2, 4)), ValueError, ["(4, 2, 4)"]),
        (
            lambda c, l: l(torch.randn(5, 2, 3), (torch.randn(4, 2, 4), torch.randn(4, 2, 4))),
            TypeError,
            ["h0", "tuple"],
        ),
        (lambda c, l: GRUCell(3, 0), ValueError, ["hidden_size", "positive", "0"]),
        (lambda c, l: GRUCell(3, 4, reset_after="torch"), TypeError, ["reset_after", "'torch'"]),
        (lambda c, l: GRU(3, 4, num_layers=0), ValueError, ["num_layers", "0"]),
    ],
)
def test_bad_inputs(call, error, words):
    cell, layer = GRUCell(3, 4), GRU(3, 4, num_layers=2, bidirectional=True)
    with pytest.raises(error) as info:
        call(cell, layer)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_unbatched_input_matches_torch(bidirectional):
    theirs = nn.GRU(3, 4, num_layers=2, bidirectional=bidirectional)
    randomize(theirs, 11)
    ours = from_torch(theirs)
    x, h0 = torch.randn(5, 3), torch.randn(2 * (2 if bidirectional else 1), 4)  # (T, D), (L*nd, H)
    for a, b in zip(ours(x, h0), theirs(x, h0), strict=True):
        assert_close(a, b)


def test_positional_arguments_mean_what_they_mean_in_torch():
    args = (3, 4, 2, False, True, 0.0, True)  # D, H, num_layers, bias, batch_first, dropout, bidir
    ours, theirs = GRU(*args), nn.GRU(*args)
    for name in ("num_layers", "batch_first", "bidirectional"):
        assert getattr(ours, name) == getattr(theirs, name)
    assert ours.cells[0].r.b is None and ours.cells[0].b_hn is None
    assert len(ours.cells) == 4
