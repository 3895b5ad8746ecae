"""Layers × directions for the cells torch's kernel cannot run (LSTM variants, the Cho GRU).

As ``torch.nn.LSTM`` stacks them: layer l reads the concatenated outputs of both directions of
layer l − 1, with dropout on them (training only, never after the last layer). Sequences of
different lengths arrive padded with a mask (T, B): see ``packed.py``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from ..gru import GRUCell
from ..lstm import LSTMCell
from ..sequence import run_steps
from .gru_loop import gru_sequence
from .lstm_loop import lstm_sequence
from .peephole import peephole_sequence, peephole_supports


def readable_sequence(
    cell: nn.Module,
    x: torch.Tensor,
    state: Any,
    reverse: bool = False,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, Any]:
    """The reference: the cell's own ``step`` at every time step (``sequence.run_steps``).

    x (T, B, D), the cell's state, mask (T, B) or None  ->  outputs h (T, B, H), final state.
    """
    state, records = run_steps(cell, x, state, reverse, mask)
    return torch.stack([r.h for r in records]), state


def fast_sequence(cell: nn.Module, *args: Any) -> tuple[torch.Tensor, Any]:
    """``readable_sequence(cell, x, state, reverse, mask)`` by the cell's fused loop.

    The peephole LSTM without padding gets the hand-written backward; other LSTM variants and the
    Cho GRU the fused autograd loops; RNN cells (whose layers run on torch's kernel) the step.
    """
    x, state, reverse, mask = args
    if isinstance(cell, LSTMCell):
        if peephole_supports(cell, mask):
            return peephole_sequence(cell, x, state, reverse)
        return lstm_sequence(cell, *args)
    if isinstance(cell, GRUCell):
        return gru_sequence(cell, *args)
    return readable_sequence(cell, *args)


def run_stack(
    layer: nn.Module,
    x: torch.Tensor,
    hx: Any,
    fast: bool = True,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, list]:
    """x (T, B, D), checked hx or None  ->  output (T, B, nd * H|P), each cell's final state."""
    run = fast_sequence if fast else readable_sequence
    nd = 2 if layer.bidirectional else 1
    finals = []
    for l in range(layer.num_layers):
        if l and layer.dropout and layer.training:
            x = F.dropout(x, layer.dropout, training=True)  # between layers, as torch
        outputs = []
        for d in range(nd):
            k = l * nd + d
            cell = layer.cells[k]
            state = cell.initial_state(x[0]) if hx is None else layer.state_of(hx, k)
            out, state = run(cell, x, state, d == 1, mask)  # (T, B, H|P)
            finals.append(state)
            outputs.append(out)
        x = torch.cat(outputs, dim=-1) if nd == 2 else outputs[0]  # (T, B, nd * H|P)
    return x, finals
