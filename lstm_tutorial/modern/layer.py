"""The modern cells behind ``torch.nn.LSTM``'s batch-first call, for the experiments' task models.

    "slstm"    SLSTMCell(D, H), run step by step by ``unroll`` (its gates look at h_prev)
    "mlstm"    q, k, v = Linear(D, 3H)(x), then MLSTMCell(H).parallel: the whole sequence at once
    "mingru"   MinGRU(D, H).scan        "minlstm"   MinLSTM(D, H).scan

One head each. The mLSTM layer is the smallest that gives the cell its q, k, v; the official
xLSTM block (Beck et al. 2024) adds an up-projection, a causal convolution, a skip connection
and an output gate around it. Feng et al. (2024) stack minGRU/minLSTM layers; here one layer,
so that every model of notebook 16's comparison has one recurrent layer of H units.

Shapes: x (B, T, D) -> (output (B, T, H), last state or None).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..sequence import unroll
from .minrnn import MinGRU, MinLSTM
from .mlstm import MLSTMCell
from .slstm import SLSTMCell

KINDS = ("slstm", "mlstm", "mingru", "minlstm")


class ModernLayer(nn.Module):
    """One recurrent layer of ``kind`` (see the module docstring): x (B, T, D) -> (B, T, H)."""

    def __init__(
        self, kind: str, input_size: int, hidden_size: int, dtype: torch.dtype | None = None
    ) -> None:
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind, D, H = kind, input_size, hidden_size
        self.qkv = nn.Linear(D, 3 * H, dtype=dtype) if kind == "mlstm" else None
        if kind == "slstm":
            self.cell = SLSTMCell(D, H, dtype=dtype)
        elif kind == "mlstm":
            self.cell = MLSTMCell(H, dtype=dtype)
        else:
            self.cell = (MinGRU if kind == "mingru" else MinLSTM)(D, H, dtype=dtype)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, Any]:
        if self.kind == "slstm":
            return unroll(self.cell, x, batch_first=True)  # (B, T, H), SLSTMState
        if self.kind == "mlstm":
            return self.cell.parallel(self.qkv(x), batch_first=True)  # (B, T, H), MLSTMState
        return self.cell.scan(x, batch_first=True), None  # (B, T, H)
