"""The plain RNN, LSTM and GRU through torch's own kernel, with our layer's parameters.

``torch.nn.LSTM`` runs one compiled loop (oneDNN's ``mkldnn_rnn_layer`` on CPU for float32,
cuDNN on a GPU, ATen's C++ loop otherwise) that Python cannot match. For the cells torch has — the
plain LSTM (with ``proj_size``), the GRU in torch's ``reset_after`` form and the Elman RNN — we
call that kernel on our own parameters: ``torch.func.functional_call`` runs a parameterless
``torch.nn`` module (built once on the "meta" device) with the tensors of
``torch_compat.flat_parameters``, which are differentiable views of our gates' W, U, b. So the
gradient reaches our parameters, and the layer's parameters and state_dict stay ours.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch
from torch import nn
from torch.func import functional_call

from ..cells import RNNCell
from ..gru import GRUCell
from ..variants import LSTMOptions


def kernel_supports(layer: nn.Module) -> bool:
    """Whether torch has this layer's cell: plain LSTM, reset_after GRU, or RNN."""
    cell = layer.cells[0]
    if isinstance(cell, RNNCell):
        return True
    if isinstance(cell, GRUCell):
        return cell.reset_after
    return cell.options == LSTMOptions()


@lru_cache(maxsize=64)
def _template(kind: str, dtype: torch.dtype, *config: Any) -> nn.Module:
    """A torch module without real parameters: functional_call supplies them."""
    cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind]
    D, H, L, bias, bidirectional, extra = config
    return cls(
        D, H, L, bias=bias, bidirectional=bidirectional, dtype=dtype, device="meta", **dict(extra)
    )


def template_for(layer: nn.Module) -> nn.Module:
    """The cached torch module with this layer's sizes and options."""
    from ..layers import GRU, LSTM  # layers imports this module, through stacked

    cell = layer.cells[0]
    has_bias = any(n.rsplit(".", 1)[-1] == "b" for n, _ in cell.named_parameters())
    if isinstance(layer, LSTM):
        kind, extra = "LSTM", (("proj_size", layer.proj_size),)
    elif isinstance(layer, GRU):
        kind, extra = "GRU", ()
    else:
        kind, extra = "RNN", (("nonlinearity", cell.nonlinearity),)
    config = (layer.input_size, layer.hidden_size, layer.num_layers, has_bias)
    return _template(kind, layer.dtype, *config, layer.bidirectional, extra)


def torch_kernel(layer: nn.Module, x: Any, hx: Any) -> tuple[Any, Any]:
    """``layer(x, hx)`` computed by torch's kernel; x (T, B, D) or a PackedSequence.

    Returns what ``torch.nn`` returns: ``(output, h_n)`` or ``(output, (h_n, c_n))``, with
    ``output`` (T, B, nd * H|P) or a PackedSequence; dropout between layers as torch applies it.
    """
    from ..torch_compat.flat import flat_parameters  # torch_compat imports layers

    template = template_for(layer)
    template.dropout = float(layer.dropout)
    template.train(layer.training)
    return functional_call(template, flat_parameters(layer, template), (x, hx))
