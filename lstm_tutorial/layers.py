"""Stacked and bidirectional recurrent layers with ``torch.nn.RNN``/``LSTM``'s interface.

``RNN(...)(x, h0) -> (output, h_n)`` and ``LSTM(...)(x, (h0, c0)) -> (output, (h_n, c_n))`` take
and return the same shapes as their torch namesakes, so one can stand in for the other:

    x       (T, B, D) or (B, T, D) with batch_first
    h0, h_n (L * nd, B, H)      L = num_layers, nd = 2 if bidirectional else 1
    output  (T, B, nd * H)      the last layer's h at every step, both directions concatenated

Layer l, direction d is ``self.cells[l * nd + d]``, the same index torch uses for h_n.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ._validate import check_sequence, check_state
from .cells import RNNCell
from .gru import GRUCell
from .lstm import LSTMCell, LSTMState
from .sequence import _steps


def _no_dropout(dropout: float) -> float:
    """``dropout`` sits where torch has it, so positional arguments mean the same in both."""
    if dropout != 0:
        raise ValueError(
            f"dropout between layers is not implemented here (torch's default is 0), "
            f"got dropout={dropout!r}"
        )
    return 0.0


class _Stacked(nn.Module):
    """The stacking and direction logic shared by RNN, LSTM and GRU layers."""

    def __init__(self, make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional):
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first, self.bidirectional = batch_first, bidirectional
        nd = 2 if bidirectional else 1
        cells = []
        for layer in range(num_layers):
            for _ in range(nd):
                cells.append(make_cell(input_size if layer == 0 else nd * self._out_size()))
        self.cells = nn.ModuleList(cells)

    def _out_size(self) -> int:
        return self.hidden_size

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    # how states are packed differs between RNN/GRU (one tensor) and LSTM (a pair)
    def _select(self, hx: Any, k: int) -> Any:
        return hx[k]

    def _pack(self, states: list) -> Any:
        return torch.stack(states)

    def _check_hx(self, hx: Any, batch: int) -> Any:
        shape = (len(self.cells), batch, self._out_size())
        return check_state(hx, shape, self.dtype, "h0")

    def forward(self, x: torch.Tensor, hx: Any = None):
        if isinstance(x, torch.Tensor) and x.dim() == 2:
            return self._unbatched(x, hx)
        x = check_sequence(x, self.input_size, self.dtype, self.batch_first)
        if self.batch_first:
            x = x.transpose(0, 1)  # (T, B, D)
        if hx is not None:
            hx = self._check_hx(hx, x.shape[1])
        nd = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for d in range(nd):
                k = layer * nd + d
                cell = self.cells[k]
                state = cell.initial_state(x[0]) if hx is None else self._select(hx, k)
                state, records = _steps(cell, x, state, reverse=d == 1)
                finals.append(state)
                outputs.append(torch.stack([r.h for r in records]))  # (T, B, H)
            x = torch.cat(outputs, dim=-1)  # (T, B, nd * H): the next layer's input
        output = x.transpose(0, 1) if self.batch_first else x
        return output, self._pack(finals)

    def _unbatched(self, x: torch.Tensor, hx: Any):
        """x (T, D) and states (L * nd, H) without a batch dimension, as torch allows: B = 1."""
        for name, h in zip(("h0", "c0"), hx if isinstance(hx, tuple) else (hx,)):
            if isinstance(h, torch.Tensor) and h.dim() != 2:
                raise ValueError(
                    f"with an unbatched 2-D x (T, D), {name} must be 2-D (L * nd, H), "
                    f"got shape {tuple(h.shape)}"
                )
        if hx is not None:
            hx = tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(1)
        output, h_n = self.forward(x.unsqueeze(0 if self.batch_first else 1), hx)
        h_n = tuple(h.squeeze(1) for h in h_n) if isinstance(h_n, tuple) else h_n.squeeze(1)
        return output.squeeze(0 if self.batch_first else 1), h_n

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
            f"batch_first={self.batch_first}, bidirectional={self.bidirectional}"
            + (f", proj_size={self.proj_size}" if getattr(self, "proj_size", 0) else "")
        )


class RNN(_Stacked):
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
    ) -> None:
        self.dropout = _no_dropout(dropout)

        def make_cell(d: int) -> RNNCell:
            return RNNCell(d, hidden_size, bias, nonlinearity, dtype=dtype, device=device)

        super().__init__(make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional)


class LSTM(_Stacked):
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
        **variant: Any,
    ) -> None:
        self.proj_size = proj_size
        self.dropout = _no_dropout(dropout)

        def make_cell(d: int) -> LSTMCell:
            return LSTMCell(d, hidden_size, bias, proj_size, dtype=dtype, device=device, **variant)

        super().__init__(make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional)

    def _out_size(self) -> int:
        return self.proj_size or self.hidden_size

    def _select(self, hx: Any, k: int) -> LSTMState:
        # a cell with gate recurrence (FGR) starts its gate memory at 0, as from a zero state
        return self.cells[k].check_state(LSTMState(hx[0][k], hx[1][k]), hx[0].shape[1])

    def _pack(self, states: list) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.stack([s.h for s in states]), torch.stack([s.c for s in states])

    def _check_hx(self, hx: Any, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not (isinstance(hx, tuple) and len(hx) == 2):
            raise TypeError(
                f"an LSTM's initial state must be a pair (h0, c0), got {type(hx).__name__}"
            )
        L = len(self.cells)
        h0 = check_state(hx[0], (L, batch, self._out_size()), self.dtype, "h0")
        c0 = check_state(hx[1], (L, batch, self.hidden_size), self.dtype, "c0")
        return h0, c0


class GRU(_Stacked):
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
    ) -> None:
        self.reset_after = reset_after
        self.dropout = _no_dropout(dropout)

        def make_cell(d: int) -> GRUCell:
            return GRUCell(d, hidden_size, bias, reset_after, dtype=dtype, device=device)

        super().__init__(make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional)
