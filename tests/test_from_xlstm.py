"""from_xlstm: the official xLSTM (xlstm 2.0.6) reproduced in float64, outputs and gradients.

sLSTM: the official cell with backend="vanilla" (its pure-torch step), to rounding error (≤ 1e-12).
mLSTM: the official mLSTMCell's parallel forward and its recurrent step, and the mlstm_kernels
chunkwise kernel with initial states, to ≤ 1e-10.
"""

import pytest
import torch
from mlstm_kernels.torch import get_mlstm_kernel
from parity import assert_close, randomize
from xlstm.blocks.mlstm.cell import mLSTMCell, mLSTMCellConfig
from xlstm.blocks.slstm.cell import sLSTMCell, sLSTMCellConfig

from lstm_tutorial import unroll
from lstm_tutorial.modern import MLSTMState, mlstm_forms
from lstm_tutorial.torch_compat import (
    from_xlstm,
    mlstm_state_from_xlstm,
    mlstm_state_to_xlstm,
    slstm_state_from_xlstm,
    slstm_state_to_xlstm,
)

D64 = torch.float64


def close(ours, theirs, tol):
    torch.testing.assert_close(ours, theirs, rtol=tol, atol=tol)


def official_slstm(H, NH, seed):
    cell = sLSTMCell(
        sLSTMCellConfig(hidden_size=H, num_heads=NH, backend="vanilla", dtype="float32")
    )
    cell = cell.to(D64)
    randomize(cell, seed)
    return cell


def slstm_state(B, H, g, kind):
    """An initial state: "zero", "random" (n > 0) or "empty" (c, h random but n = 0: first step)."""
    if kind == "zero":
        return torch.zeros(4, B, H, dtype=D64)
    s = torch.randn(4, B, H, generator=g, dtype=D64)
    s[2] = 0.0 if kind == "empty" else s[2].abs() + 0.1
    return s


@pytest.mark.parametrize("H, NH, B, S", [(8, 1, 3, 5), (12, 3, 2, 9), (16, 4, 1, 6), (6, 2, 4, 1)])
@pytest.mark.parametrize("kind", ["zero", "random", "empty"])
def test_slstm_matches_official_vanilla(H, NH, B, S, kind):
    g = torch.Generator().manual_seed(H * 100 + S)
    theirs = official_slstm(H, NH, seed=H + NH)
    ours = from_xlstm(theirs)
    x = (3 * torch.randn(B, S, 4 * H, generator=g, dtype=D64)).requires_grad_()
    s0 = slstm_state(B, H, g, kind).requires_grad_()
    y, s_last = theirs(x, s0)  # (B, NH, S, DH), (4, B, H)
    y = y.transpose(1, 2).reshape(B, S, H)
    out, state = unroll(ours, x, slstm_state_from_xlstm(s0), batch_first=True)
    close(out, y, 1e-12)
    close(slstm_state_to_xlstm(state), s_last, 1e-12)
    w = torch.randn(B, S, H, generator=g, dtype=D64)
    wanted = [x, s0, theirs._recurrent_kernel_, theirs._bias_]
    g_theirs = torch.autograd.grad((y * w).sum() + s_last.sum(), wanted)
    g_ours = torch.autograd.grad(
        (out * w).sum() + slstm_state_to_xlstm(state).sum(), [*wanted[:2], ours.R, ours.b]
    )
    for a, b in zip(g_ours[:2], g_theirs[:2]):
        close(a, b, 1e-12)
    close(g_ours[2], g_theirs[2].reshape(NH, 4, H // NH, H // NH), 1e-12)
    close(g_ours[3], g_theirs[3], 1e-12)


def official_mlstm(E, NH, S, seed):
    cell = mLSTMCell(mLSTMCellConfig(context_length=S, embedding_dim=E, num_heads=NH)).to(D64)
    randomize(cell, seed)
    return cell


@pytest.mark.parametrize("E, NH, B, S", [(8, 2, 3, 7), (12, 3, 2, 5), (4, 1, 1, 10), (16, 4, 2, 1)])
def test_mlstm_parallel_matches_official_forward(E, NH, B, S):
    g = torch.Generator().manual_seed(E + S)
    theirs = official_mlstm(E, NH, S, seed=E)
    ours = from_xlstm(theirs)
    q, k, v = (torch.randn(B, S, E, generator=g, dtype=D64).requires_grad_() for _ in range(3))
    h_theirs = theirs(q, k, v)  # (B, S, E)
    h_ours, _ = ours.parallel(torch.cat([q, k, v], -1), batch_first=True)
    assert_close(h_ours, h_theirs)
    w = torch.randn(B, S, E, generator=g, dtype=D64)
    wanted = [q, k, v, *theirs.parameters()]
    g_theirs = torch.autograd.grad((h_theirs * w).sum(), wanted)
    mine = [q, k, v, ours.w_i, ours.b_i, ours.w_f, ours.b_f, ours.gamma]
    g_ours = torch.autograd.grad((h_ours * w).sum(), mine)
    names = [n for n, _ in theirs.named_parameters()]
    assert names == ["igate.weight", "igate.bias", "fgate.weight", "fgate.bias", "outnorm.weight"]
    for a, b in zip(g_ours, g_theirs):
        assert_close(a, b)


@pytest.mark.parametrize("E, NH, B, S", [(8, 2, 3, 6), (12, 3, 1, 4)])
def test_mlstm_recurrent_matches_official_step_from_a_random_state(E, NH, B, S):
    g = torch.Generator().manual_seed(E * S)
    theirs = official_mlstm(E, NH, S, seed=E + 1)
    ours = from_xlstm(theirs)
    DH = E // NH
    C0 = torch.randn(B, NH, DH, DH, generator=g, dtype=D64)
    n0 = torch.randn(B, NH, DH, 1, generator=g, dtype=D64)
    m0 = torch.randn(B, NH, 1, 1, generator=g, dtype=D64)
    x = torch.randn(B, S, 3 * E, generator=g, dtype=D64).requires_grad_()
    state, hs = (C0, n0, m0), []
    for t in range(S):
        q, k, v = (c.clone() for c in x[:, t : t + 1].chunk(3, -1))  # its step squeezes in place
        h, state = theirs.step(q, k, v, mlstm_state=state)
        hs.append(h)
    h_theirs = torch.cat(hs, 1)  # (B, S, E)
    h_ours, s_ours = unroll(ours, x, mlstm_state_from_xlstm((C0, n0, m0)), batch_first=True)
    assert_close(h_ours, h_theirs)
    for a, b in zip(mlstm_state_to_xlstm(s_ours), state):
        assert_close(a, b)
    w = torch.randn(B, S, E, generator=g, dtype=D64)
    (g_theirs,) = torch.autograd.grad((h_theirs * w).sum() + state[0].sum(), [x])
    (g_ours,) = torch.autograd.grad((h_ours * w).sum() + s_ours.C.sum(), [x])
    assert_close(g_ours, g_theirs)


def test_official_forms_differ_only_through_eps():
    """The official parallel form (no m_0 term) and step (m_0 = 0) differ by O(eps), not 0."""
    g = torch.Generator().manual_seed(5)
    B, NH, T, DH = 2, 2, 8, 4
    q, k, v = (torch.randn(B, NH, T, DH, generator=g, dtype=D64) for _ in range(3))
    i_, f_ = (3 * torch.randn(B, NH, T, generator=g, dtype=D64) for _ in range(2))
    zero = MLSTMState(
        torch.zeros(B, NH, DH, DH, dtype=D64),
        torch.zeros(B, NH, DH, dtype=D64),
        torch.zeros(B, NH, dtype=D64),
    )
    for eps, differ in [(1e-6, True), (0.0, False)]:
        h_rec, _ = mlstm_forms.recurrent(q, k, v, i_, f_, zero, eps)
        h_par, _ = mlstm_forms.parallel(q, k, v, i_, f_, None, eps)
        gap = (h_rec - h_par).abs().max().item()
        assert (gap > 1e-9) if differ else (gap < 1e-10), (eps, gap)
        assert gap < 1e-4


@pytest.mark.parametrize("chunk", [4, 8])
def test_mlstm_matches_the_chunkwise_kernel_with_initial_states(chunk):
    """mlstm_kernels scales q instead of k, so its C and n are √DH times ours."""
    g = torch.Generator().manual_seed(chunk)
    B, NH, T, DH = 2, 3, 16, 4
    q, k, v = (torch.randn(B, NH, T, DH, generator=g, dtype=D64).requires_grad_() for _ in range(3))
    i_, f_ = (2 * torch.randn(B, NH, T, generator=g, dtype=D64) for _ in range(2))
    s0 = MLSTMState(
        torch.randn(B, NH, DH, DH, generator=g, dtype=D64),
        torch.randn(B, NH, DH, generator=g, dtype=D64),
        torch.randn(B, NH, generator=g, dtype=D64),
    )
    r = DH**0.5
    kernel = get_mlstm_kernel("chunkwise--native_autograd")
    h_k, (C, n, m) = kernel(
        q=q,
        k=k,
        v=v,
        i=i_,
        f=f_,
        c_initial=s0.C * r,
        n_initial=s0.n * r,
        m_initial=s0.m[..., None],
        return_last_states=True,
        chunk_size=chunk,
    )
    for form in (mlstm_forms.recurrent, mlstm_forms.parallel):
        h, s = form(q, k, v, i_, f_, s0)
        assert_close(h, h_k)
        assert_close(s.C, C / r)
        assert_close(s.n, n / r)
        assert_close(s.m, m[..., 0])
        gk = torch.autograd.grad(h_k.sum(), [q, k, v], retain_graph=True)
        go = torch.autograd.grad(h.sum(), [q, k, v])
        for a, b in zip(go, gk):
            assert_close(a, b)


def test_from_xlstm_refuses_other_modules():
    with pytest.raises(TypeError, match="sLSTMCell"):
        from_xlstm(torch.nn.LSTM(2, 3))


@pytest.mark.parametrize(
    "E, NH, K, P, bias, B, S",
    [(8, 2, 4, 4, False, 2, 7), (16, 4, 2, 2, True, 1, 5), (6, 1, 3, 8, False, 3, 4)],
)
def test_mlstm_layer_matches_official(E, NH, K, P, bias, B, S):
    from xlstm.blocks.mlstm.layer import mLSTMLayer, mLSTMLayerConfig

    config = mLSTMLayerConfig(
        embedding_dim=E,
        num_heads=NH,
        context_length=S,
        conv1d_kernel_size=K,
        qkv_proj_blocksize=P,
        bias=bias,
    )
    theirs = mLSTMLayer(config).to(D64)
    randomize(theirs, E + K)
    ours = from_xlstm(theirs)
    g = torch.Generator().manual_seed(E * K)
    x = torch.randn(B, S, E, generator=g, dtype=D64).requires_grad_()
    y_theirs, y_ours = theirs(x), ours(x)
    assert_close(y_ours, y_theirs)
    w = torch.randn(B, S, E, generator=g, dtype=D64)
    mine = dict(ours.named_parameters())
    names = {
        "proj_up.weight": "up.weight",
        "proj_up.bias": "up.bias",
        "proj_down.weight": "down.weight",
        "proj_down.bias": "down.bias",
        "conv1d.conv.bias": "conv_bias",
        "learnable_skip": "skip",
        "mlstm_cell.igate.weight": "cell.w_i",
        "mlstm_cell.igate.bias": "cell.b_i",
        "mlstm_cell.fgate.weight": "cell.w_f",
        "mlstm_cell.fgate.bias": "cell.b_f",
        "mlstm_cell.outnorm.weight": "cell.gamma",
        **{f"{n}_proj.weight": n for n in "qkv"},
        **{f"{n}_proj.bias": f"{n}_bias" for n in "qkv"},
    }
    pairs = [(p, mine[names[n]]) for n, p in theirs.named_parameters() if n != "conv1d.conv.weight"]
    pairs.append((theirs.conv1d.conv.weight, ours.conv_weight))
    g_theirs = torch.autograd.grad((y_theirs * w).sum(), [x, *(a for a, _ in pairs)])
    g_ours = torch.autograd.grad((y_ours * w).sum(), [x, *(b for _, b in pairs)])
    for a, b in zip(g_ours, g_theirs):
        assert_close(a, b.reshape(a.shape))
    assert len(pairs) == len(list(ours.parameters()))  # every parameter compared
