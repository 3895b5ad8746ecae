"""torch's stacked layout of one cell: cut it into our gates, and stack our gates back.

nn.RNNCell   weight_ih (H, D)    weight_hh (H, H)    bias_ih, bias_hh (H,)
nn.LSTMCell  weight_ih (4H, D) = (W_i|W_f|W_g|W_o), weight_hh (4H, H|P), biases (4H,)
nn.GRUCell   weight_ih (3H, D) = (W_r|W_z|W_n),     weight_hh (3H, H),   biases (3H,)
layers       the same per layer and direction, named with a suffix: weight_ih_l1_reverse
"""

from __future__ import annotations

import torch
from torch import nn

from ..cells import Gate, RNNCell
from ..gru import GRUCell
from ..lstm import LSTMCell

LSTM_GATE_ORDER = ("i", "f", "g", "o")  # torch's order of the stacked LSTM blocks
GRU_GATE_ORDER = ("r", "z", "n")  # and of the GRU blocks


def _copy(dst: torch.Tensor | None, src: torch.Tensor | None, name: str = "") -> None:
    if (dst is None) != (src is None):
        raise ValueError("one module has a bias and the other has not (bias=True vs bias=False)")
    if dst is not None:
        if dst.shape != src.shape:
            where = f" in {name}" if name else ""
            raise ValueError(
                f"size mismatch{where}: expected {tuple(dst.shape)}, got {tuple(src.shape)}"
            )
        dst.copy_(src)


def _blocks(stacked: torch.Tensor, names: tuple[str, ...], what: str) -> list[torch.Tensor]:
    """Cut a stacked (kH, ...) tensor into its k gate blocks, refusing a ragged last block."""
    k = len(names)
    if stacked.shape[0] % k:
        raise ValueError(
            f"{what} must stack {k} equal gate blocks ({', '.join(names)}), "
            f"got shape {tuple(stacked.shape)}"
        )
    return list(stacked.chunk(k))


def _bias_sum(module: nn.Module, suffix: str) -> torch.Tensor | None:
    b_ih = getattr(module, "bias_ih" + suffix, None)
    return None if b_ih is None else b_ih + getattr(module, "bias_hh" + suffix)


def _gates(cell: LSTMCell) -> list[Gate]:
    return [getattr(cell, name) for name in LSTM_GATE_ORDER]


# ---- GRU: three stacked blocks r, z, n; b_hn kept apart (see the module docstring)


def _load_gru(cell: GRUCell, src: nn.Module, suffix: str) -> None:
    W, U = getattr(src, "weight_ih" + suffix), getattr(src, "weight_hh" + suffix)
    b_ih, b_hh = getattr(src, "bias_ih" + suffix, None), getattr(src, "bias_hh" + suffix, None)
    names = GRU_GATE_ORDER
    W_blocks = _blocks(W, names, "weight_ih" + suffix)  # each (H, D)
    U_blocks = _blocks(U, names, "weight_hh" + suffix)  # each (H, H)
    for gate, k, W_k, U_k in zip((cell.r, cell.z, cell.n), names, W_blocks, U_blocks):
        _copy(gate.W, W_k, f"weight_ih{suffix}, block {k}")
        _copy(gate.U, U_k, f"weight_hh{suffix}, block {k}")
    if b_ih is None:
        _copy(cell.r.b, None)
        return
    b_ir, b_iz, b_in = _blocks(b_ih, names, "bias_ih" + suffix)
    b_hr, b_hz, b_hn = _blocks(b_hh, names, "bias_hh" + suffix)
    _copy(cell.r.b, b_ir + b_hr), _copy(cell.z.b, b_iz + b_hz)
    _copy(cell.n.b, b_in), _copy(cell.b_hn, b_hn)


def check_reset_after(cell: GRUCell) -> None:
    if not cell.reset_after:
        raise ValueError(
            "torch.nn.GRU computes only the reset_after=True form r ⊙ (U_n h + b_hn); "
            "this GRU has reset_after=False (Cho et al. 2014, arXiv v3), "
            "which torch cannot represent"
        )


@torch.no_grad()
def load_cell(cell: nn.Module, src: nn.Module, suffix: str) -> None:
    """Copy torch's parameters named ``weight_ih{suffix}`` etc. into one of our cells."""
    if isinstance(cell, GRUCell):
        return _load_gru(cell, src, suffix)
    W, U, b = (
        getattr(src, "weight_ih" + suffix),
        getattr(src, "weight_hh" + suffix),
        _bias_sum(src, suffix),
    )
    if isinstance(cell, RNNCell):
        _copy(cell.W, W), _copy(cell.U, U), _copy(cell.b, b)
        return
    gates, names = _gates(cell), LSTM_GATE_ORDER
    W_blocks = _blocks(W, names, "weight_ih" + suffix)  # each (H, D)
    U_blocks = _blocks(U, names, "weight_hh" + suffix)  # each (H, H) or (H, P)
    b_blocks = [None] * 4 if b is None else _blocks(b, names, "bias_ih" + suffix)
    for gate, k, W_k, U_k, b_k in zip(gates, names, W_blocks, U_blocks, b_blocks):
        _copy(gate.W, W_k, f"weight_ih{suffix}, block {k}")
        _copy(gate.U, U_k, f"weight_hh{suffix}, block {k}")
        _copy(gate.b, b_k, f"bias_ih{suffix} + bias_hh{suffix}, block {k}")
    if cell.W_hr is not None:
        _copy(cell.W_hr, getattr(src, "weight_hr" + suffix), "weight_hr" + suffix)


def cell_tensors(cell: nn.Module) -> dict[str, torch.Tensor]:
    """One cell's weight_ih, weight_hh, bias_ih, bias_hh (and weight_hr), torch's names.

    Built with ``torch.cat``, so differentiable: a gradient reaches our gates' W, U, b. bias_ih
    holds our b and bias_hh zeros, except the GRU's b_hn, which sits in bias_hh inside r ⊙ (...).
    """
    if isinstance(cell, RNNCell):
        W, U, b = cell.W, cell.U, cell.b  # (H, D), (H, H), (H,)
        b_hh = None if b is None else torch.zeros_like(b)
    elif isinstance(cell, GRUCell):
        gates = [getattr(cell, k) for k in GRU_GATE_ORDER]
        W = torch.cat([gate.W for gate in gates])  # (3H, D)
        U = torch.cat([gate.U for gate in gates])  # (3H, H)
        b = None if cell.r.b is None else torch.cat([gate.b for gate in gates])  # (3H,)
        if b is not None:
            zeros = torch.zeros_like(cell.b_hn)
            b_hh = torch.cat([zeros, zeros, cell.b_hn])  # (3H,) b_hn stays inside r ⊙ (...)
    else:
        gates = _gates(cell)
        W = torch.cat([gate.W for gate in gates])  # (4H, D)
        U = torch.cat([gate.U for gate in gates])  # (4H, H|P)
        b = None if gates[0].b is None else torch.cat([gate.b for gate in gates])  # (4H,)
        b_hh = None if b is None else torch.zeros_like(b)
    tensors = {"weight_ih": W, "weight_hh": U}
    if b is not None:
        tensors.update(bias_ih=b, bias_hh=b_hh)
    if getattr(cell, "W_hr", None) is not None:
        tensors["weight_hr"] = cell.W_hr  # (P, H)
    return tensors


@torch.no_grad()
def store_cell(cell: nn.Module, dst: nn.Module, suffix: str) -> None:
    """Copy one of our cells into torch's parameters named ``weight_ih{suffix}`` etc."""
    for name, tensor in cell_tensors(cell).items():
        _copy(getattr(dst, name + suffix), tensor, name + suffix)
