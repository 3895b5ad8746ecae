"""Conversion to and from ``torch.nn``: the only module that knows torch's weight layout.

torch stacks the gates' weights into one matrix per layer and keeps two biases:

    nn.RNNCell   weight_ih (H, D)        weight_hh (H, H)        bias_ih, bias_hh (H,)
    nn.LSTMCell  weight_ih (4H, D) = (W_i|W_f|W_g|W_o)   weight_hh (4H, H) = (U_i|U_f|U_g|U_o)
                 bias_ih, bias_hh (4H,)                   gate order i, f, g, o
    nn.GRUCell   weight_ih (3H, D) = (W_r|W_z|W_n)   weight_hh (3H, H) = (U_r|U_z|U_n)
                 bias_ih (3H,) = (b_ir|b_iz|b_in)    bias_hh (3H,) = (b_hr|b_hz|b_hn) gates r, z, n
    nn.RNN/LSTM/GRU  the same per layer and direction: weight_ih_l{l}[_reverse], ...,
                 and with proj_size > 0 also weight_hr_l{l}[_reverse] (P, H)

Our cells keep one bias per gate (the essay's b), so ``from_torch`` adds torch's two:
``b = bias_ih + bias_hh``, and ``to_torch`` puts b in ``bias_ih`` and zeros in ``bias_hh``.
The GRU's candidate is the exception: b_hn sits inside ``r ⊙ (U_n h + b_hn)``, so it stays apart
(``GRUCell.b_hn``) and ``n.b = b_in``.

Only the sum enters the function (torch keeps two biases for cuDNN), so the split cannot be read
back from b. What is exact (bitwise, tested):

- ours -> torch -> ours: every parameter, since b + 0 is b.
- torch -> ours -> torch: every weight, and both biases as long as our biases are bitwise what
  ``from_torch`` made: it keeps torch's pair on each cell as ``cell.torch_biases``
  (``TorchBiases``; a plain attribute, not a parameter or buffer: never trained, never saved).
  Once a bias changes (a training step, ``.to(dtype)``, ``load_state_dict``), ``to_torch``
  writes (b, 0) instead: the same function, a different split of the same sum.

Modules: ``blocks`` (one cell's stacked layout), ``biases`` (the bias split kept for round trips),
``xlstm`` (``from_xlstm``: the official xLSTM's sLSTM and mLSTM cells).

``to_torch`` refuses what torch cannot represent (LSTM variants, an ``LSTMCell`` with proj_size,
a Cho-form GRU with ``reset_after=False``) instead of silently dropping it.
"""

from __future__ import annotations

from torch import nn

from ..cells import RNNCell
from ..gru import GRUCell
from ..layers import GRU, LSTM, RNN
from ..lstm import LSTMCell
from .biases import TorchBiases, remember_biases, restore_biases, suffixes
from .blocks import GRU_GATE_ORDER, LSTM_GATE_ORDER, check_reset_after, load_cell, store_cell
from .xlstm import (
    from_xlstm,
    mlstm_state_from_xlstm,
    mlstm_state_to_xlstm,
    slstm_state_from_xlstm,
    slstm_state_to_xlstm,
)

__all__ = [
    "GRU_GATE_ORDER",
    "LSTM_GATE_ORDER",
    "TorchBiases",
    "from_torch",
    "from_xlstm",
    "mlstm_state_from_xlstm",
    "mlstm_state_to_xlstm",
    "slstm_state_from_xlstm",
    "slstm_state_to_xlstm",
    "to_torch",
]


def _check_plain_lstm(module: nn.Module) -> None:
    """torch has only the plain LSTM: refuse a variant instead of dropping what it adds."""
    for cell in getattr(module, "cells", [module]):
        options = getattr(cell, "options", None)
        if isinstance(cell, LSTMCell) and options is not None and options != type(options)():
            plain = type(options)()
            changed = {k: v for k, v in vars(options).items() if v != getattr(plain, k)}
            raise ValueError(
                "torch.nn.LSTM/LSTMCell are the plain LSTM, without variants; "
                f"this cell sets {changed}, which torch cannot represent"
            )


def _factory(module: nn.Module) -> dict:
    p = next(module.parameters())
    return dict(dtype=p.dtype, device=p.device)


def _has_bias(cell: nn.Module) -> bool:
    """Whether one of our cells learns biases (every gate's ``b``, or the RNN's ``b``)."""
    return any(name.rsplit(".", 1)[-1] == "b" for name, _ in cell.named_parameters())


def _stack_options(module: nn.Module, bias: bool, factory: dict) -> dict:
    """The constructor options a stacked layer has on both sides, ours and torch's."""
    return dict(
        num_layers=module.num_layers,
        bias=bias,
        batch_first=module.batch_first,
        bidirectional=module.bidirectional,
        dropout=module.dropout,
        **factory,
    )


def from_torch(module: nn.Module) -> nn.Module:
    """Return this package's equivalent of a ``torch.nn`` recurrent module, weights copied.

    Supports ``nn.RNNCell``, ``nn.RNN`` (tanh or relu), ``nn.LSTMCell``, ``nn.LSTM``,
    ``nn.GRUCell`` and ``nn.GRU`` (any ``num_layers``, ``bidirectional``, ``batch_first``,
    ``bias``, ``proj_size``, ``dropout``).
    """
    kw = _factory(module) if any(True for _ in module.parameters()) else {}
    if isinstance(module, nn.RNNCell):
        ours = RNNCell(
            module.input_size, module.hidden_size, module.bias, module.nonlinearity, **kw
        )
        load_cell(ours, module, "")
    elif isinstance(module, nn.LSTMCell):
        ours = LSTMCell(module.input_size, module.hidden_size, module.bias, **kw)
        load_cell(ours, module, "")
    elif isinstance(module, nn.GRUCell):
        ours = GRUCell(module.input_size, module.hidden_size, module.bias, **kw)
        load_cell(ours, module, "")
    elif type(module) in (nn.RNN, nn.LSTM, nn.GRU):
        common = _stack_options(module, module.bias, kw)
        if isinstance(module, nn.LSTM):
            ours = LSTM(module.input_size, module.hidden_size, proj_size=module.proj_size, **common)
        elif isinstance(module, nn.GRU):
            ours = GRU(module.input_size, module.hidden_size, **common)
        else:
            ours = RNN(
                module.input_size, module.hidden_size, nonlinearity=module.nonlinearity, **common
            )
        for cell, suffix in zip(ours.cells, suffixes(module)):
            load_cell(cell, module, suffix)
    else:
        raise TypeError(
            "from_torch supports nn.RNNCell, nn.RNN, nn.LSTMCell, nn.LSTM, nn.GRUCell and nn.GRU, "
            f"got {type(module).__name__}"
        )
    remember_biases(ours, module)
    return ours


def to_torch(module: nn.Module) -> nn.Module:
    """Return the ``torch.nn`` module equivalent to one of ours, weights copied."""
    _check_plain_lstm(module)
    kw = _factory(module)
    if isinstance(module, RNNCell):
        theirs = nn.RNNCell(
            module.input_size, module.hidden_size, _has_bias(module), module.nonlinearity, **kw
        )
        store_cell(module, theirs, "")
    elif isinstance(module, LSTMCell):
        if module.proj_size:
            raise ValueError("torch.nn.LSTMCell has no proj_size; wrap the cell in an LSTM layer")
        theirs = nn.LSTMCell(module.input_size, module.hidden_size, _has_bias(module), **kw)
        store_cell(module, theirs, "")
    elif isinstance(module, GRUCell):
        check_reset_after(module)
        theirs = nn.GRUCell(module.input_size, module.hidden_size, _has_bias(module), **kw)
        store_cell(module, theirs, "")
    elif isinstance(module, (RNN, LSTM, GRU)):
        first = module.cells[0]
        if isinstance(first, GRUCell):
            check_reset_after(first)
        common = _stack_options(module, _has_bias(first), kw)
        if isinstance(module, GRU):
            theirs = nn.GRU(module.input_size, module.hidden_size, **common)
        elif isinstance(module, LSTM):
            theirs = nn.LSTM(
                module.input_size, module.hidden_size, proj_size=module.proj_size, **common
            )
        else:
            theirs = nn.RNN(
                module.input_size, module.hidden_size, nonlinearity=first.nonlinearity, **common
            )
        for cell, suffix in zip(module.cells, suffixes(theirs)):
            store_cell(cell, theirs, suffix)
    else:
        raise TypeError(
            "to_torch supports this package's RNNCell, RNN, LSTMCell, LSTM, GRUCell and GRU, "
            f"got {type(module).__name__}"
        )
    restore_biases(module, theirs)
    return theirs
