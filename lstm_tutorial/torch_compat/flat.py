"""Our layer's parameters in torch's stacked layout, differentiably, for torch's own kernel.

``blocks.store_cell`` copies (no gradient); ``flat_parameters`` builds the same tensors with
``torch.cat``, so that a loss computed by ``torch.nn.LSTM``'s kernel on them sends its gradient
back to our gates' W, U, b. Layout as in ``blocks``: weight_ih_l{l}[_reverse] (kH, D) stacks the
gates in torch's order, bias_ih holds our b and bias_hh zeros (the GRU's b_hn sits in bias_hh).
"""

from __future__ import annotations

import torch
from torch import nn

from ..cells import RNNCell
from ..gru import GRUCell
from .biases import suffixes
from .blocks import GRU_GATE_ORDER, LSTM_GATE_ORDER


def _cell_tensors(cell: nn.Module) -> dict[str, torch.Tensor]:
    """One cell's weight_ih, weight_hh, bias_ih, bias_hh (and weight_hr), torch's names."""
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
        gates = [getattr(cell, k) for k in LSTM_GATE_ORDER]
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


def flat_parameters(layer: nn.Module, template: nn.Module) -> dict[str, torch.Tensor]:
    """``{torch name: tensor}`` for every cell of our ``layer``, named as in ``template``."""
    flat = {}
    for cell, suffix in zip(layer.cells, suffixes(template)):
        for name, tensor in _cell_tensors(cell).items():
            flat[name + suffix] = tensor
    return flat
