"""The GRU in Cho et al.'s (2014) form over a whole sequence, r and z fused (torch has no kernel).

    [Z_r | Z_z | Z_n] = X [W_r | W_z | W_n]ᵀ + b      (T, B, 3H) for all steps, before the loop
    r, z = σ(Z_r[t] + h U_rᵀ), σ(Z_z[t] + h U_zᵀ)      one (B, 2H) product a step
    n = tanh(Z_n[t] + (r ⊙ h) U_nᵀ)                    the reset gate acts before U_n
    h = (1 − z) ⊙ n + z ⊙ h

(``reset_after=True`` layers, torch's form, run on torch's kernel instead: ``kernel.py``.)
"""

from __future__ import annotations

import torch

from ..gru import GRUCell
from ..sequence import step_masks, time_order


def gru_sequence(
    cell: GRUCell,
    x: torch.Tensor,
    h: torch.Tensor,
    reverse: bool = False,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """x (T, B, D), h (B, H)  ->  outputs (T, B, H), final h (B, H); ``mask`` as in lstm_loop."""
    H = cell.hidden_size
    gates = (cell.r, cell.z, cell.n)
    Zx = x @ torch.cat([gate.W for gate in gates]).T  # (T, B, 3H)
    if cell.r.b is not None:
        Zx = Zx + torch.cat([gate.b for gate in gates])
    Zx = Zx.unbind(0)  # T tensors (B, 3H)
    masks = step_masks(mask)  # T tensors (B, 1), or None
    U_rz = torch.cat([cell.r.U, cell.z.U]).T  # (H, 2H)
    U_n = cell.n.U.T  # (H, H)
    T = len(Zx)
    outputs = [None] * T
    for t in time_order(T, reverse):
        rz = torch.sigmoid(torch.addmm(Zx[t][:, : 2 * H], h, U_rz))  # (B, 2H)
        r, z = rz.split(H, 1)
        n = torch.tanh(torch.addmm(Zx[t][:, 2 * H :], r * h, U_n))  # (B, H)
        h_new = (1 - z) * n + z * h  # (B, H)
        h = h_new if masks is None else torch.where(masks[t], h_new, h)
        outputs[t] = h_new
    return torch.stack(outputs), h
