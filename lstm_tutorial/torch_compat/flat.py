"""Our layer's parameters in torch's stacked layout, differentiably, for torch's own kernel.

``blocks.store_cell`` copies ``blocks.cell_tensors`` into a torch module (no gradient);
``flat_parameters`` hands the same tensors, named for a whole layer, to
``torch.func.functional_call``, so that a loss computed by ``torch.nn.LSTM``'s kernel on them
sends its gradient back to our gates' W, U, b.
"""

from __future__ import annotations

import torch
from torch import nn

from .biases import suffixes
from .blocks import cell_tensors


def flat_parameters(layer: nn.Module, template: nn.Module) -> dict[str, torch.Tensor]:
    """``{torch name: tensor}`` for every cell of our ``layer``, named as in ``template``."""
    flat = {}
    for cell, suffix in zip(layer.cells, suffixes(template)):
        for name, tensor in cell_tensors(cell).items():
            flat[name + suffix] = tensor
    return flat
