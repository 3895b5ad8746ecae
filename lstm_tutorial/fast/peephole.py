"""The peephole LSTM over a sequence with a hand-written backward (notebook 12's, plus p).

Gers & Schmidhuber (2000); torch's gate order i, f, g, o in one (4H) matrix:

    z_t = Z_x[t] + h_{t-1} Uᵀ                       Z_x = X Wᵀ + b, all steps at once
    i = σ(z_i + p_i ⊙ c_{t-1})    f = σ(z_f + p_f ⊙ c_{t-1})    g = tanh(z_g)
    c_t = f ⊙ c_{t-1} + i ⊙ g     o = σ(z_o + p_o ⊙ c_t)        h_t = o ⊙ tanh(c_t)

Backward, with dh = ∂L/∂h_t (from the output and from step t + 1 through U) and dc from step t + 1:

    dz_o = dh ⊙ A_o                    A_o = tanh(c) ⊙ o(1 − o)
    dc  += dh ⊙ A_c                    A_c = o ⊙ (1 − tanh²(c)) + A_o ⊙ p_o   (h's two paths)
    dz_i, dz_f, dz_g = dc ⊙ g ⊙ i(1 − i),  dc ⊙ c_{t-1} ⊙ f(1 − f),  dc ⊙ i ⊙ (1 − g²)
    dc_{t-1} = dc ⊙ F_c                F_c = f + g i(1 − i) p_i + c_{t-1} f(1 − f) p_f
    dh_{t-1} = dz U (+ the output's gradient at step t − 1)

The factors A_o, A_c, F_c, ... do not depend on the recurrence, so they are computed for all
steps at once before the backward loop, and each step is six small operations; the weight
gradients are then three matrix products over all steps: dW = dZᵀ X, dU = dZᵀ H_prev, db = Σ dZ.
Both loops are TorchScript functions: at small sizes the cost of an LSTM in Python is the
interpreter's per-operation overhead, not arithmetic.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import torch
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

from ..lstm import LSTMCell, LSTMState


def _forward(
    Zx: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
    U_T: torch.Tensor,
    p: torch.Tensor,
    reverse: bool,
):
    H = c.shape[1]
    p_i, p_f, p_o = p[:H], p[H : 2 * H], p[2 * H :]
    T = Zx.shape[0]
    steps, B = Zx.unbind(0), c.shape[0]
    Hs = torch.empty(T, B, H, dtype=c.dtype, device=c.device)  # every step's h, c and gates,
    Cs = torch.empty(T, B, H, dtype=c.dtype, device=c.device)  # written in place
    G = torch.empty(T, B, 4 * H, dtype=c.dtype, device=c.device)
    # each step's views, cut once: slicing inside the loop would cost an operation each
    hs, cs, zs = Hs.unbind(0), Cs.unbind(0), G.unbind(0)
    i_s, f_s, if_s = G[..., :H].unbind(0), G[..., H : 2 * H].unbind(0), G[..., : 2 * H].unbind(0)
    g_s, o_s = G[..., 2 * H : 3 * H].unbind(0), G[..., 3 * H :].unbind(0)
    for k in range(T):
        t = T - 1 - k if reverse else k
        torch.addmm(steps[t], h, U_T, out=zs[t])  # (B, 4H), then the activations i, f, g, o
        i_s[t].addcmul_(p_i, c)
        f_s[t].addcmul_(p_f, c)
        if_s[t].sigmoid_()
        g = g_s[t].tanh_()
        c = torch.addcmul(f_s[t] * c, i_s[t], g, out=cs[t])  # (B, H)
        o = o_s[t].addcmul_(p_o, c).sigmoid_()
        h = torch.mul(o, torch.tanh(c), out=hs[t])  # (B, H)
    return Hs, Cs, G


def _backward(
    dHs: torch.Tensor,
    dh: torch.Tensor,
    dc: torch.Tensor,
    Hs: torch.Tensor,
    Cs: torch.Tensor,
    G: torch.Tensor,
    h0: torch.Tensor,
    c0: torch.Tensor,
    U: torch.Tensor,
    p: torch.Tensor,
    reverse: bool,
):
    T, H = Hs.shape[0], Cs.shape[2]
    p_i, p_f, p_o = p[:H], p[H : 2 * H], p[2 * H :]
    if reverse:  # the previous step in processing order is t + 1
        Hp, Cp = torch.cat([Hs[1:], h0.unsqueeze(0)]), torch.cat([Cs[1:], c0.unsqueeze(0)])
    else:
        Hp, Cp = torch.cat([h0.unsqueeze(0), Hs[:-1]]), torch.cat([c0.unsqueeze(0), Cs[:-1]])
    i, f, g, o = G[..., :H], G[..., H : 2 * H], G[..., 2 * H : 3 * H], G[..., 3 * H :]
    tc = torch.tanh(Cs)
    A_o = tc * o * (1 - o)  # (T, B, H) ∂h/∂z_o
    A_c = (o * (1 - tc * tc) + A_o * p_o).unbind(0)  # ∂h/∂c, directly and through z_o
    A_ifg = torch.stack([g * i * (1 - i), Cp * f * (1 - f), i * (1 - g * g)], 2)  # (T, B, 3, H)
    F_c = (f + A_ifg[:, :, 0] * p_i + A_ifg[:, :, 1] * p_f).unbind(0)  # ∂c/∂c_prev, all paths
    A_o, A_ifg, dHl = A_o.unbind(0), A_ifg.unbind(0), dHs.unbind(0)
    B = Hs.shape[1]
    dZs = torch.empty(T, B, 4 * H, dtype=Hs.dtype, device=Hs.device)  # every step's dz
    dzs, dz_os = dZs.unbind(0), dZs[..., 3 * H :].unbind(0)
    dz_ifgs = dZs[..., : 3 * H].unflatten(-1, (3, H)).unbind(0)  # (B, 3, H) views
    dh = dh + dHl[0 if reverse else T - 1]
    for k in range(T):
        t = k if reverse else T - 1 - k
        torch.mul(dh, A_o[t], out=dz_os[t])  # dz_o, written in place as dz_i, dz_f, dz_g
        dc = torch.addcmul(dc, dh, A_c[t])  # (B, H)
        torch.mul(dc.unsqueeze(1), A_ifg[t], out=dz_ifgs[t])
        dc = dc * F_c[t]  # dc_prev
        if k < T - 1:  # dh_prev = dz U, plus the output's gradient at the previous step
            dh = torch.addmm(dHl[t + 1 if reverse else t - 1], dzs[t], U)
        else:
            dh = dzs[t] @ U  # (B, H)
    dU = dZs.flatten(0, 1).T @ Hp.flatten(0, 1)  # (4H, H)
    dp = torch.cat(
        [
            (dZs[..., :H] * Cp).sum((0, 1)),
            (dZs[..., H : 2 * H] * Cp).sum((0, 1)),
            (dZs[..., 3 * H :] * Cs).sum((0, 1)),
        ]
    )  # (3H,)
    return dZs, dh, dc, dU, dp


@lru_cache(maxsize=1)
def _loops():
    """The two loops as TorchScript functions, compiled on first use (eager if unavailable)."""
    try:
        with warnings.catch_warnings():  # deprecated in favour of torch.compile, which takes
            warnings.simplefilter("ignore", DeprecationWarning)  # minutes to compile this loop
            return torch.jit.script(_forward), torch.jit.script(_backward)
    except Exception:  # pragma: no cover - a torch without TorchScript: the same code, eager
        return _forward, _backward


class PeepholeLSTM(torch.autograd.Function):
    """(Z_x (T, B, 4H), h0, c0 (B, H), U (4H, H), p (3H,), reverse) -> outputs (T, B, H), h, c."""

    @staticmethod
    def forward(ctx, Zx, h0, c0, U, p, reverse: bool):
        Hs, Cs, G = _loops()[0](Zx, h0, c0, U.T.contiguous(), p, reverse)
        ctx.save_for_backward(Hs, Cs, G, h0, c0, U, p)
        ctx.reverse = reverse
        last = 0 if reverse else -1
        return Hs, Hs[last].clone(), Cs[last].clone()

    @staticmethod
    @once_differentiable  # the loops write in place (out=): no graph of the backward itself
    def backward(ctx, dHs, dh_n, dc_n):
        Hs, Cs, G, h0, c0, U, p = ctx.saved_tensors
        dZ, dh0, dc0, dU, dp = _loops()[1](dHs, dh_n, dc_n, Hs, Cs, G, h0, c0, U, p, ctx.reverse)
        return dZ, dh0, dc0, dU, dp, None


def peephole_supports(cell: LSTMCell, mask: torch.Tensor | None) -> bool:
    """Whether this function computes the cell: only peepholes, no projection, no mask."""
    changes = cell.options.changes()
    return mask is None and not cell.proj_size and set(changes) <= {"peepholes"}


def peephole_sequence(
    cell: LSTMCell, x: torch.Tensor, state: tuple, reverse: bool = False
) -> tuple[torch.Tensor, LSTMState]:
    """x (T, B, D), state (h, c)  ->  outputs (T, B, H), LSTMState(h, c); autograd-ready."""
    layers = [cell.i, cell.f, cell.g, cell.o]  # torch's order
    b = None if cell.g.b is None else torch.cat([layer.b for layer in layers])  # (4H,)
    Zx = F.linear(x, torch.cat([layer.W for layer in layers]), b)  # (T, B, 4H) = X Wᵀ + b
    zeros = cell.g.W.new_zeros(cell.hidden_size)
    p = torch.cat([zeros if layer.p is None else layer.p for layer in (cell.i, cell.f, cell.o)])
    U = torch.cat([layer.U for layer in layers])  # (4H, H)
    outputs, h, c = PeepholeLSTM.apply(Zx, state[0], state[1], U, p, reverse)
    return outputs, LSTMState(h, c)
