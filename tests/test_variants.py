"""LSTM variants (peepholes, coupled gates, the Greff et al. 2017 ablations) in float64.

No variant has a torch.nn counterpart, so each is checked three ways: by reduction (zero peephole
weights give the plain LSTM exactly), against Greff et al.'s equations written out independently
below from the raw weights, and by ``torch.autograd.gradcheck`` on inputs, states and weights.
"""

import itertools
import random

import pytest
import torch
from parity import assert_close, randomize
from torch.func import functional_call

from lstm_tutorial import LSTMCell, LSTMState, trace, unroll
from lstm_tutorial.lstm import FGRState
from lstm_tutorial.variants import VARIANTS, LSTMOptions, parameter_count, parameter_table

NAMES = list(VARIANTS)
SUBSETS = ["".join(s) for n in range(4) for s in itertools.combinations("ifo", n)]


def sizes(seed: int) -> tuple[int, int, int, int]:
    rng = random.Random(seed)
    return rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 4), rng.randint(1, 6)  # D H B T


# ------------------------------------------------------- Greff et al. (2017), written out again


def greff_sequence(name: str, cell: LSTMCell, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor):
    """Run the variant ``name`` over x (T, B, D) straight from the paper's equations.

    Uses only the raw weights: W, U (split into the h block and, for FGR, one block R_kj per
    previous gate j), b and the peephole p of each gate. Returns the stacked h (T, B, H) and c.
    """
    H = cell.hidden_size
    σ, tanh = torch.sigmoid, torch.tanh
    has = {k: getattr(cell, k) is not None for k in "ifo"}
    prev = {k: torch.zeros_like(c) for k in "ifo"}  # FGR: last step's gate activations
    sources = [k for k in "ifo" if has[k]]  # the order of the R blocks in U

    def pre(k: str, x_t, h, c_seen):
        gate = getattr(cell, k)
        z = x_t @ gate.W.T + h @ gate.U[:, :H].T + gate.b
        if gate.p is not None:
            z = z + gate.p * c_seen
        if name == "FGR" and k != "g":
            for n, j in enumerate(sources):
                R_kj = gate.U[:, H * (n + 1) : H * (n + 2)]
                z = z + prev[j] @ R_kj.T
        return z

    hs = []
    for x_t in x:
        z = pre("g", x_t, h, c)
        z = z if name == "NIAF" else tanh(z)
        f = torch.ones_like(c) if name == "NFG" else σ(pre("f", x_t, h, c))
        if name == "CIFG":
            i = 1 - f
        elif name == "NIG":
            i = torch.ones_like(c)
        else:
            i = σ(pre("i", x_t, h, c))
        c = z * i + c * f
        o = torch.ones_like(c) if name == "NOG" else σ(pre("o", x_t, h, c))
        h = o * (c if name == "NOAF" else tanh(c))
        prev = {"i": i, "f": f, "o": o}
        hs.append(h)
    return torch.stack(hs), c


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", NAMES)
def test_variant_matches_greff_equations(name, seed):
    D, H, B, T = sizes(seed)
    cell = LSTMCell(D, H, variant=name)
    randomize(cell, seed)
    x, h0, c0 = torch.randn(T, B, D), torch.randn(B, H), torch.randn(B, H)
    ours, state = unroll(cell, x, (h0, c0))
    theirs, c_T = greff_sequence(name, cell, x, h0, c0)
    assert_close(ours, theirs)
    assert_close(state.c, c_T)


# ------------------------------------------------------------------------------ reductions


@pytest.mark.parametrize("peepholes", SUBSETS)
def test_zero_peepholes_are_the_plain_lstm(peepholes):
    seed = SUBSETS.index(peepholes)
    D, H, B, T = sizes(seed)
    plain, peep = LSTMCell(D, H), LSTMCell(D, H, peepholes=peepholes)
    randomize(plain, seed)
    randomize(peep, seed + 100)
    with torch.no_grad():
        for k in "figo":
            for w in "WUb":
                getattr(getattr(peep, k), w).copy_(getattr(getattr(plain, k), w))
        for k in peepholes:
            getattr(peep, k).p.zero_()
    x = torch.randn(T, B, D)
    state = LSTMState(torch.randn(B, H), torch.randn(B, H))
    out_plain, (_, c_plain) = unroll(plain, x, state)
    out_peep, (_, c_peep) = unroll(peep, x, state)
    assert torch.equal(out_plain, out_peep) and torch.equal(c_plain, c_peep)
    # gradients of the shared weights agree too (the zero peepholes still get their own)
    w = torch.randn(out_plain.shape)
    shared = [[getattr(getattr(m, k), w) for k in "figo" for w in "WUb"] for m in (plain, peep)]
    for g_plain, g_peep in zip(
        torch.autograd.grad((out_plain * w).sum(), shared[0]),
        torch.autograd.grad((out_peep * w).sum(), shared[1]),
    ):
        assert_close(g_plain, g_peep)


def test_peepholes_change_the_output():
    """The reduction test above would pass if peepholes were ignored; this one would not."""
    cell = LSTMCell(3, 4, peepholes="ifo")
    randomize(cell, 0)
    x, state = torch.randn(2, 3), LSTMState(torch.randn(2, 4), torch.randn(2, 4))
    before = cell(x, state)
    for k in "ifo":
        with torch.no_grad():
            getattr(cell, k).p.add_(0.5)
        after = cell(x, state)
        assert not torch.allclose(before.h, after.h)
        before = after


def test_output_peephole_reads_the_new_cell_state():
    cell = LSTMCell(3, 4, peepholes="o")
    randomize(cell, 1)
    x, h, c_prev = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    h_new, c = cell(x, (h, c_prev))
    o = torch.sigmoid(x @ cell.o.W.T + h @ cell.o.U.T + cell.o.p * c + cell.o.b)
    assert_close(h_new, o * torch.tanh(c))


def test_named_variant_equals_its_options():
    for name, options in VARIANTS.items():
        assert LSTMCell(2, 3, variant=name).options == options
        assert LSTMCell(2, 3, variant=name.lower()).variant == name
    assert LSTMCell(2, 3).variant == "NP"
    assert LSTMCell(2, 3, peepholes={"f", "i"}).options.peepholes == "if"
    assert LSTMCell(2, 3, peepholes=["o", "i"]).options == LSTMOptions(peepholes="io")


def test_coupled_cell_has_no_input_gate():
    cell = LSTMCell(3, 4, coupled=True)
    assert cell.i is None and all(getattr(cell, k) is not None for k in "fgo")
    assert "i." not in "".join(name for name, _ in cell.named_parameters())


# -------------------------------------------------------------------- gradcheck, every variant

CASES = [(name, bias, P) for name in NAMES for bias, P in ((True, 0), (False, 0), (True, 2))]


@pytest.mark.parametrize(("name", "bias", "proj_size"), CASES)
def test_gradcheck(name, bias, proj_size):
    D, H, B, T = 2, 3, 2, 3
    cell = LSTMCell(D, H, bias, proj_size, variant=name)
    randomize(cell, hash((name, bias, proj_size)) % 1000)
    names = [n for n, _ in cell.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in cell.parameters()]
    x = torch.randn(T, B, D, requires_grad=True)
    h0 = torch.randn(B, proj_size or H, requires_grad=True)
    c0 = torch.randn(B, H, requires_grad=True)

    def forward(x, h0, c0, *params):
        weights = dict(zip(names, params))
        state, outs = (h0, c0), []
        for x_t in x:
            state = functional_call(cell, weights, (x_t, state))
            outs.append(state.h)
        return torch.stack(outs), state.c

    assert torch.autograd.gradcheck(forward, (x, h0, c0, *params))


# ------------------------------------------------------------------------ sizes and traces


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("bias", "proj_size"), [(True, 0), (False, 0), (True, 3)])
def test_parameter_count_formula(name, bias, proj_size):
    cell = LSTMCell(5, 4, bias, proj_size, variant=name)
    assert sum(p.numel() for p in cell.parameters()) == parameter_count(name, 5, 4, bias, proj_size)


def test_parameter_table_by_hand():
    # D = 1, H = 2: a learned layer has 2 + 4 + 2 = 8 numbers, a peephole 2, an FGR block 4
    table = parameter_table(1, 2)
    assert table["NP"] == 4 * 8
    assert table["vanilla"] == 4 * 8 + 3 * 2
    assert table["CIFG"] == table["NIG"] == 3 * 8 + 2 * 2
    assert table["FGR"] == 4 * 8 + 3 * 2 + 9 * 4


@pytest.mark.parametrize("name", NAMES)
def test_trace_records_every_gate(name):
    D, H, B, T = 3, 4, 2, 5
    cell = LSTMCell(D, H, variant=name)
    randomize(cell, 3)
    x = torch.randn(T, B, D)
    rec = trace(cell, x)
    out, _ = unroll(cell, x)
    assert all(field.shape == (T, B, H) for field in rec)
    assert_close(rec.h, out)
    ones = torch.ones(T, B, H)
    if name == "CIFG":
        assert_close(rec.i, 1 - rec.f)
    for fixed, gate in (("NIG", "i"), ("NFG", "f"), ("NOG", "o")):
        assert torch.equal(getattr(rec, gate), ones) == (name == fixed)
    assert_close(rec.h, rec.o * (rec.c if name == "NOAF" else torch.tanh(rec.c)))


def test_fgr_state_carries_the_gates():
    cell = LSTMCell(2, 3, variant="FGR")
    x = torch.randn(4, 2)
    s = cell(x)
    assert isinstance(s, FGRState) and s.a.shape == (4, 9)
    assert_close(cell(x, (s.h, s.c)).h, cell(x, FGRState(s.h, s.c, torch.zeros(4, 9))).h)
    assert not torch.allclose(cell(x, s).h, cell(x, (s.h, s.c)).h)
    with pytest.raises(ValueError, match=r"a must have shape \(4, 9\), got shape \(4, 6\)"):
        cell(x, FGRState(s.h, s.c, torch.zeros(4, 6)))
    coupled = LSTMCell(2, 3, coupled=True, gate_recurrence=True)
    assert coupled(x).a.shape == (4, 6)  # f and o only: i = 1 − f is not a gate of its own


# ------------------------------------------------------------------------- invalid options


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        (dict(coupled=True, input_gate=False), ValueError, ["coupled=True", "NIG"]),
        (dict(coupled=True, forget_gate=False), ValueError, ["coupled=True", "NFG"]),
        (dict(peepholes="i", coupled=True), ValueError, ["'i'", "1 − f"]),
        (dict(peepholes="f", forget_gate=False), ValueError, ["'f'", "no learned f gate"]),
        (dict(peepholes="o", output_gate=False), ValueError, ["'o'", "no learned o gate"]),
        (dict(peepholes="ifg"), ValueError, ["subset of 'ifo'", "'ifg'"]),
        (dict(peepholes=("i", "x")), ValueError, ["subset of 'ifo'", "'ix'"]),
        (dict(variant="CIFG", peepholes="f"), ValueError, ["either variant='CIFG'", "peepholes"]),
        (dict(variant="GRU"), ValueError, ["variant must be one of", "'GRU'"]),
        (dict(input_activation="relu"), ValueError, ["input_activation", "'relu'"]),
        (dict(output_activation=None), ValueError, ["output_activation", "None"]),
        (dict(coupled=1), TypeError, ["coupled must be True or False", "1"]),
        (dict(peepholes=True), TypeError, ["'ifo'", "got True"]),
        (
            dict(input_gate=False, forget_gate=False, output_gate=False, gate_recurrence=True),
            ValueError,
            ["gate_recurrence=True needs"],
        ),
    ],
)
def test_invalid_options_are_rejected(options, error, words):
    with pytest.raises(error) as info:
        LSTMCell(3, 4, **options)
    for word in words:
        assert word in str(info.value)


def test_plain_state_for_a_plain_cell():
    cell = LSTMCell(2, 3, peepholes="ifo")
    with pytest.raises(TypeError, match="pair"):
        cell(torch.randn(1, 2), (torch.zeros(1, 3), torch.zeros(1, 3), torch.zeros(1, 9)))
