"""Remembering torch's own bias split, so that torch -> ours -> torch is bitwise.

Our cells keep one bias per gate, b = bias_ih + bias_hh, and the split cannot be read back from b.
``from_torch`` therefore keeps torch's pair on each cell (``cell.torch_biases``, a plain attribute:
never trained, never saved) together with the biases it made; ``to_torch`` puts the pair back only
while our biases are still bitwise those, and otherwise writes (b, 0).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn


class TorchBiases(NamedTuple):
    """torch's two biases of one cell, as ``from_torch`` found them, and the biases it made."""

    bias_ih: torch.Tensor  # (kH,) k = 1 (RNN), 4 (LSTM), 3 (GRU)
    bias_hh: torch.Tensor  # (kH,)
    ours: tuple[torch.Tensor, ...]  # our cell's bias parameters right after loading


def _cell_biases(cell: nn.Module) -> tuple[torch.Tensor, ...]:
    """Every bias parameter of one of our cells (b of each gate, and a GRU's b_hn)."""
    return tuple(p for n, p in cell.named_parameters() if n.rsplit(".", 1)[-1] in ("b", "b_hn"))


def _pairs(ours: nn.Module, theirs: nn.Module) -> list[tuple[nn.Module, str]]:
    """(our cell, torch's parameter-name suffix) for every cell of a cell or a layer."""
    return list(zip(ours.cells, suffixes(theirs))) if hasattr(ours, "cells") else [(ours, "")]


@torch.no_grad()
def remember_biases(ours: nn.Module, theirs: nn.Module) -> None:
    for cell, suffix in _pairs(ours, theirs):
        b_ih, b_hh = (
            getattr(theirs, "bias_ih" + suffix, None),
            getattr(theirs, "bias_hh" + suffix, None),
        )
        if b_ih is not None:
            made = tuple(b.clone() for b in _cell_biases(cell))
            cell.torch_biases = TorchBiases(b_ih.clone(), b_hh.clone(), made)


@torch.no_grad()
def restore_biases(ours: nn.Module, theirs: nn.Module) -> None:
    """Put back torch's own split wherever our biases are still bitwise what from_torch made."""
    for cell, suffix in _pairs(ours, theirs):
        kept, now = getattr(cell, "torch_biases", None), _cell_biases(cell)
        if kept is None or len(kept.ours) != len(now) or not now:
            continue
        same = all(
            a.dtype == b.dtype and a.device == b.device and torch.equal(a, b)
            for a, b in zip(kept.ours, now)
        )
        if same:
            getattr(theirs, "bias_ih" + suffix).copy_(kept.bias_ih)
            getattr(theirs, "bias_hh" + suffix).copy_(kept.bias_hh)


def suffixes(module: nn.Module) -> list[str]:
    """torch's parameter-name suffix of every cell of a layer, in our ``cells`` order."""
    nd = 2 if module.bidirectional else 1
    return [
        f"_l{l}" + ("_reverse" if d else "") for l in range(module.num_layers) for d in range(nd)
    ]
