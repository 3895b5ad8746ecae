"""Layers × directions over any cell: the machinery the layers of ``layers.py`` share.

``Stacked`` holds L * nd cells and runs them as ``torch.nn.RNN``/``LSTM``/``GRU`` do: layer 0
reads x, layer l > 0 reads both directions of layer l − 1 concatenated, the reverse direction
reads time backwards, and ``dropout`` drops the outputs of every layer but the last while
training. Layer l, direction d is ``self.cells[l * nd + d]``, the same index torch uses for h_n.

    x       (T, B, D) or (B, T, D) with batch_first; (T, D) unbatched, run as B = 1
    h0, h_n (L * nd, B, H)      L = num_layers, nd = 2 if bidirectional else 1
    output  (T, B, nd * H)      the last layer's h at every step, both directions concatenated

Here too are the checks of x and h0 (errors name expected vs received, ``_validate.py``), a
``PackedSequence`` in and out, and the choice of path, made once in ``_run``: with ``fast`` the
fast path of ``lstm_tutorial.fast`` (torch's own kernel for the cells torch has, fused loops for
the rest), otherwise the readable cells step by step. A subclass gives ``make_cell(d)`` and, if
its state is not one tensor (the LSTM's pair), how states are checked, split and stacked.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ._validate import check_dropout, check_dtype, check_sequence, check_state, check_tensor
from .fast import kernel_supports, repack, run_stack, torch_kernel, unpack


class Stacked(nn.Module):
    """The stacking and direction logic shared by RNN, LSTM and GRU layers."""

    def __init__(
        self, make_cell, input_size, hidden_size, num_layers, batch_first, bidirectional, fast
    ):
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        self.dropout = check_dropout(self.dropout, num_layers)
        self.fast = fast
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
    def state_of(self, hx: Any, k: int) -> Any:
        """Cell k's initial state from the layer's checked ``hx``."""
        return hx[k]

    def stack_states(self, states: list) -> Any:
        """The cells' final states as the layer returns them: (L * nd, B, H)."""
        return torch.stack(states)

    def _check_hx(self, hx: Any, batch: int | None) -> Any:
        """hx checked against (L * nd, B, H), or (L * nd, H) for an unbatched input (batch None)."""
        shape = (len(self.cells), *([] if batch is None else [batch]), self._out_size())
        return check_state(hx, shape, self.dtype, "h0")

    def forward(self, x: torch.Tensor | PackedSequence, hx: Any = None):
        if isinstance(x, PackedSequence):
            return self._packed(x, hx)
        if isinstance(x, torch.Tensor) and x.dim() == 2:
            return self._unbatched(x, hx)
        x = check_sequence(x, self.input_size, self.dtype, self.batch_first)
        if self.batch_first:
            x = x.transpose(0, 1)  # (T, B, D)
        if hx is not None:
            hx = self._check_hx(hx, x.shape[1])
        output, h_n = self._run(x, hx)  # (T, B, nd * H)
        return (output.transpose(0, 1) if self.batch_first else output), h_n

    def _run(self, x: torch.Tensor | PackedSequence, hx: Any):
        """The fast path or the readable one; x (T, B, D) or a PackedSequence, hx checked."""
        if self.fast and kernel_supports(self):
            return torch_kernel(self, x, hx)
        if not isinstance(x, PackedSequence):
            output, finals = run_stack(self, x, hx, self.fast)
            return output, self.stack_states(finals)
        padded, mask = unpack(x)  # (T, B, D), (T, B)
        output, finals = run_stack(self, padded, hx, self.fast, mask)
        return repack(output, x, mask), self.stack_states(finals)

    def _packed(self, x: PackedSequence, hx: Any):
        """A PackedSequence in, a PackedSequence out, h0 and h_n in the user's batch order."""
        data = check_tensor(x.data, "x.data")
        if data.dim() != 2 or data.shape[1] != self.input_size:
            raise ValueError(
                f"a PackedSequence's data must have shape (N, {self.input_size}), "
                f"got {tuple(data.shape)}"
            )
        check_dtype(data, "x.data", self.dtype)
        if hx is not None:
            hx = self._check_hx(hx, int(x.batch_sizes[0]))
        return self._run(x, hx)

    def _unbatched(self, x: torch.Tensor, hx: Any):
        """x (T, D) and states (L * nd, H) without a batch dimension, as torch allows: B = 1.

        x and the states are checked in the shapes the caller gave, so that an error names those.
        """
        if x.shape[1] != self.input_size:
            raise ValueError(
                f"an unbatched x must have shape (T, D) with D = {self.input_size}, "
                f"got shape {tuple(x.shape)}"
            )
        for name, h in zip(("h0", "c0"), hx if isinstance(hx, (tuple, list)) else (hx,)):
            if isinstance(h, torch.Tensor) and h.dim() != 2:
                raise ValueError(
                    f"with an unbatched 2-D x (T, D), {name} must be 2-D (L * nd, H), "
                    f"got shape {tuple(h.shape)}"
                )
        if hx is not None:
            hx = self._check_hx(hx, None)  # (L * nd, H) each
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
