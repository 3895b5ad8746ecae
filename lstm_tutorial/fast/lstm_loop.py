"""Every LSTM variant over a whole sequence, with the gates fused into one matrix product.

The readable ``LSTMCell.step`` computes each gate as its own layer, ``σ(W_k x + U_k h + b_k)``,
eight matrix products a step. Here the learned layers are stacked (order: the cell's gates
``options.gates`` in i, f, o order, then the candidate g), as in every fast LSTM:

    Z_x = X W_allᵀ + b_all             (T, B, nH)  for all steps at once, before the loop
    z_t = Z_x[t] + r_{t-1} U_allᵀ      (B, nH)     one product a step; r = h, or [h; a] with FGR

then the six equations of ``lstm.py`` on the slices of z_t (peepholes p ⊙ c added to the
slices that have them; with layer_norm each H-slice of both products is normalised).
``Z_x`` is split with ``unbind``: reading ``Z_x[t]`` in the loop would make autograd's backward
write a full (T, B, nH) zero tensor at every step.

With ``mask`` (T, B) (padded sequences of different lengths) a sequence's state stops changing
after its last step, and the reverse direction starts from its own last step.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch.nn import functional as F

from ..cells import ACTIVATIONS, LN_EPS, layer_norm
from ..lstm import FGRState, LSTMCell, LSTMState
from ..sequence import step_masks, time_order


class FusedLSTM(NamedTuple):
    """One cell's learned layers stacked: W (nH, D), U (nH, R + A), b (nH,) or None."""

    names: str  # the order of the stacked blocks, e.g. "ifog" or "fog" for CIFG
    W: torch.Tensor  # (nH, D)
    U: torch.Tensor  # (nH, R + A) with A = G·H for FGR (the candidate's A columns are 0)
    b: torch.Tensor | None  # (nH,)
    norms: tuple | None  # layer_norm: gains and shifts γ_x, β_x, γ_h, β_h, each (n, H)


def fuse(cell: LSTMCell) -> FusedLSTM:
    """Stack the cell's layers (differentiably: the gradient reaches each gate's W, U, b)."""
    names = cell.options.gates + "g"
    layers = [getattr(cell, k) for k in names]
    U_g = cell.g.U  # (H, R): the candidate never reads a
    extra = layers[0].U.shape[1] - U_g.shape[1]  # A, the FGR columns of the gates
    if extra:
        U_g = torch.cat([U_g, U_g.new_zeros(U_g.shape[0], extra)], 1)  # (H, R + A)
    W = torch.cat([layer.W for layer in layers])  # (nH, D)
    U = torch.cat([layer.U for layer in layers[:-1]] + [U_g])  # (nH, R + A)
    b = None if cell.g.b is None else torch.cat([layer.b for layer in layers])  # (nH,)
    norms = None
    if cell.options.layer_norm:
        kinds = ("gamma_x", "beta_x", "gamma_h", "beta_h")
        norms = tuple(torch.stack([getattr(layer, k) for layer in layers]) for k in kinds)
    return FusedLSTM(names, W, U, b, norms)


def _normalise(z: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    """z (..., nH): LN over each block of H units with its own γ, β (n, H)."""
    n, H = gamma.shape
    blocks = z.unflatten(-1, (n, H))  # (..., n, H)
    return (F.layer_norm(blocks, (H,), eps=LN_EPS) * gamma + beta).flatten(-2)


def lstm_sequence(
    cell: LSTMCell,
    x: torch.Tensor,
    state: tuple,
    reverse: bool = False,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, tuple]:
    """x (T, B, D), state (h, c) or FGRState  ->  outputs h (T, B, H|P), final state."""
    opts, H = cell.options, cell.hidden_size
    fused = fuse(cell)
    Zx = x @ fused.W.T  # (T, B, nH)
    norms = fused.norms
    if norms is not None:
        Zx = _normalise(Zx, norms[0], norms[1])  # LN(W x) of every layer, all steps at once
    if fused.b is not None:
        Zx = Zx + fused.b
    Zx = Zx.unbind(0)  # T tensors (B, nH)
    masks = step_masks(mask)  # T tensors (B, 1), or None
    U_T = fused.U.T  # (R + A, nH)
    p = {k: getattr(cell, k).p for k in opts.peepholes}  # (H,) each
    g_act = ACTIVATIONS[opts.input_activation]
    c_act = ACTIVATIONS[opts.output_activation]
    fgr = opts.gate_recurrence
    h, c = state[0], state[1]  # (B, R), (B, H)
    a = state[2] if fgr else None  # (B, G·H)
    T = len(Zx)
    outputs = [None] * T
    for t in time_order(T, reverse):
        r = torch.cat([h, a], 1) if fgr else h  # (B, R + A)
        if norms is None:
            z = torch.addmm(Zx[t], r, U_T).split(H, 1)  # nH/H slices (B, H)
        else:
            z = (Zx[t] + _normalise(r @ U_T, norms[2], norms[3])).split(H, 1)
        gate = dict(zip(fused.names, z))
        for k in "if":
            if k in p:
                gate[k] = gate[k] + p[k] * c
        f = torch.sigmoid(gate["f"]) if "f" in gate else None  # NFG: f = 1
        if opts.coupled:
            i = 1 - f
        else:
            i = torch.sigmoid(gate["i"]) if "i" in gate else None  # NIG: i = 1
        g = g_act(gate["g"])  # (B, H)
        c_new = (c if f is None else f * c) + (g if i is None else i * g)  # (B, H)
        c_out = c_new if norms is None else layer_norm(c_new, cell.gamma_c, cell.beta_c)
        if "o" in gate:
            o = torch.sigmoid(gate["o"] + p["o"] * c_new if "o" in p else gate["o"])
            h_new = o * c_act(c_out)  # (B, H)
        else:
            o, h_new = None, c_act(c_out)  # NOG: o = 1
        if cell.W_hr is not None:
            h_new = h_new @ cell.W_hr.T  # (B, P)
        if fgr:
            learned = dict(i=i, f=f, o=o)
            a_new = torch.cat([learned[k] for k in opts.gates], 1)  # (B, G·H)
            a = a_new if masks is None else torch.where(masks[t], a_new, a)
        if masks is None:
            h, c = h_new, c_new
        else:
            h, c = torch.where(masks[t], h_new, h), torch.where(masks[t], c_new, c)
        outputs[t] = h_new
    final = FGRState(h, c, a) if fgr else LSTMState(h, c)
    return torch.stack(outputs), final
