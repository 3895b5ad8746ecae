"""Stacked and bidirectional recurrent layers with ``torch.nn.RNN``/``LSTM``/``GRU``'s interface.

``RNN(...)(x, h0) -> (output, h_n)`` and ``LSTM(...)(x, (h0, c0)) -> (output, (h_n, c_n))`` take
and return the same shapes as their torch namesakes, so one can stand in for the other:

    x       (T, B, D) or (B, T, D) with batch_first
    h0, h_n (L * nd, B, H)      L = num_layers, nd = 2 if bidirectional else 1
    output  (T, B, nd * H)      the last layer's h at every step, both directions concatenated

Layer l, direction d is ``self.cells[l * nd + d]``, the same index torch uses for h_n.

As in torch, ``x`` may also be a ``PackedSequence`` (then ``output`` is one too), and ``dropout``
drops the outputs of every layer but the last while training. By default (``fast=True``) a layer
runs the fast path of ``lstm_tutorial.fast`` (torch's own kernel for the cells torch has, fused
loops for the rest); ``fast=False`` (or setting ``layer.fast = False``) runs the readable cells
step by step, the reference the fast path is tested against.

Each layer here only names its cell and torch's arguments; the stacking, the checks and the choice
of path are shared, in ``stacked.py``.
"""

from __future__ import annotations

from typing import Any

import torch

from ._validate import check_state
from .cells import RNNCell
from .gru import GRUCell
from .lstm import LSTMCell, LSTMState
from .stacked import Stacked


class RNN(Stacked):
    """A stack of ``RNNCell`` layers; same call and return shapes as ``torch.nn.RNN``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        fast: bool = True,
    ) -> None:
        self.dropout = dropout  # checked by Stacked

        def make_cell(d: int) -> RNNCell:
            return RNNCell(d, hidden_size, bias, nonlinearity, dtype=dtype, device=device)

        super().__init__(
            make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional, fast
        )


class LSTM(Stacked):
    """A stack of ``LSTMCell`` layers; same call and return shapes as ``torch.nn.LSTM``.

    ``forward(x, (h0, c0)) -> (output, (h_n, c_n))`` with h0, h_n (L * nd, B, P or H) and
    c0, c_n (L * nd, B, H). Keyword options after ``device`` go to every ``LSTMCell`` (e.g.
    ``variant="CIFG"`` or ``peepholes="ifo"``), so a whole stack can be one of the variants.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        fast: bool = True,
        **variant: Any,
    ) -> None:
        self.proj_size = proj_size
        self.dropout = dropout  # checked by Stacked

        def make_cell(d: int) -> LSTMCell:
            return LSTMCell(d, hidden_size, bias, proj_size, dtype=dtype, device=device, **variant)

        super().__init__(
            make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional, fast
        )

    def _out_size(self) -> int:
        return self.proj_size or self.hidden_size

    def state_of(self, hx: Any, k: int) -> LSTMState:
        # a cell with gate recurrence (FGR) starts its gate memory at 0, as from a zero state
        return self.cells[k].check_state(LSTMState(hx[0][k], hx[1][k]), hx[0].shape[1])

    def stack_states(self, states: list) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.stack([s.h for s in states]), torch.stack([s.c for s in states])

    def _check_hx(self, hx: Any, batch: int | None) -> tuple[torch.Tensor, torch.Tensor]:
        # torch also takes a list [h0, c0]
        if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(
                f"an LSTM's initial state must be a pair (h0, c0), got {type(hx).__name__}"
            )
        lead = (len(self.cells), *([] if batch is None else [batch]))  # (L * nd, B) or (L * nd,)
        h0 = check_state(hx[0], (*lead, self._out_size()), self.dtype, "h0")
        c0 = check_state(hx[1], (*lead, self.hidden_size), self.dtype, "c0")
        return h0, c0


class GRU(Stacked):
    """A stack of ``GRUCell`` layers; same call and return shapes as ``torch.nn.GRU``.

    ``reset_after=False`` gives Cho et al.'s (2014) form, which ``torch.nn.GRU`` does not offer.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        reset_after: bool = True,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        fast: bool = True,
    ) -> None:
        self.reset_after = reset_after
        self.dropout = dropout  # checked by Stacked

        def make_cell(d: int) -> GRUCell:
            return GRUCell(d, hidden_size, bias, reset_after, dtype=dtype, device=device)

        super().__init__(
            make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional, fast
        )
