"""The mLSTM layer of xLSTM (Beck et al. 2024): the projections, convolution and gates around the
mLSTM cell, as the official ``mLSTMLayer`` computes them (``xlstm`` 2.0.6, blocks/mlstm/layer.py).

    x_m, z = split(W_up x)                   (B, T, I) each; I = the inner size (≈ proj_factor · E)
    x_c = SiLU(conv(x_m))                     causal depthwise convolution over time, kernel K
    q = Q x_c,  k = K x_c,  v = V x_m         block-diagonal ("headwise") maps, blocks of P units
    h̃ = MLSTMCell([q | k | v])                the cell's parallel form (``mlstm.MLSTMCell``)
    h = (h̃ + s ⊙ x_c) ⊙ SiLU(z)               learnable skip s, output gate SiLU(z)
    y = W_down h                              (B, T, E)

Parameters: ``up`` Linear(E, 2I), ``conv_weight`` (I, K) and ``conv_bias`` (I,) (none for K = 0),
``q``, ``k``, ``v`` (I/P, P, P) with optional biases ``q_bias``... (I,), ``cell`` MLSTMCell(I, NH),
``skip`` (I,), ``down`` Linear(I, E). Shapes: x (B, T, E) -> y (B, T, E) (batch first, like the
official layer). ``from_xlstm`` converts an official layer.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .._validate import check_divides, check_sequence, check_sizes
from .mlstm import MLSTMCell


def headwise(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """A block-diagonal map: x (..., I), weight (I/P, P_out, P_in) -> (..., I)."""
    blocks = x.unflatten(-1, (weight.shape[0], -1))  # (..., I/P, P)
    y = torch.einsum("...hd,hod->...ho", blocks, weight).flatten(-2)  # (..., I)
    return y if bias is None else y + bias


def causal_conv(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """Depthwise causal convolution over time: x (B, T, I), weight (I, K) -> (B, T, I)."""
    K = weight.shape[1]
    padded = F.pad(x.transpose(1, 2), (K - 1, 0))  # (B, I, K − 1 + T)
    return F.conv1d(padded, weight[:, None], bias, groups=x.shape[-1]).transpose(1, 2)


class MLSTMLayer(nn.Module):
    """The official mLSTM layer (see the module docstring): x (B, T, E) -> y (B, T, E)."""

    def __init__(
        self,
        embedding_size: int,
        inner_size: int,
        num_heads: int = 4,
        conv_kernel_size: int = 4,
        block_size: int = 4,
        bias: bool = False,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        check_sizes(embedding_size=embedding_size, inner_size=inner_size, block_size=block_size)
        check_divides(block_size=block_size, inner_size=inner_size)
        E, I, P, K = embedding_size, inner_size, block_size, conv_kernel_size
        kw = dict(dtype=dtype, device=device)
        self.input_size, self.inner_size, self.conv_kernel_size = E, I, K
        self.up = nn.Linear(E, 2 * I, bias=bias, **kw)
        self.conv_weight = nn.Parameter(torch.randn(I, K, **kw) / K**0.5) if K else None
        self.conv_bias = nn.Parameter(torch.zeros(I, **kw)) if K else None
        for name in "qkv":
            setattr(self, name, nn.Parameter(torch.randn(I // P, P, P, **kw) / P**0.5))
            setattr(self, f"{name}_bias", nn.Parameter(torch.zeros(I, **kw)) if bias else None)
        self.cell = MLSTMCell(I, num_heads, **kw)
        self.skip = nn.Parameter(torch.ones(I, **kw))
        self.down = nn.Linear(I, E, bias=bias, **kw)

    @property
    def dtype(self) -> torch.dtype:
        return self.skip.dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_sequence(x, self.input_size, self.dtype, batch_first=True)  # (B, T, E)
        x_m, z = self.up(x).chunk(2, dim=-1)  # (B, T, I) each
        if self.conv_weight is not None:  # x_c = SiLU(conv(x_m)), or SiLU(x_m) for K = 0
            x_m_conv = causal_conv(x_m, self.conv_weight, self.conv_bias)  # (B, T, I)
        else:
            x_m_conv = x_m
        x_c = F.silu(x_m_conv)  # (B, T, I)
        q = headwise(x_c, self.q, self.q_bias)  # (B, T, I)
        k = headwise(x_c, self.k, self.k_bias)
        v = headwise(x_m, self.v, self.v_bias)
        h_tilde, _ = self.cell.parallel(torch.cat([q, k, v], -1), batch_first=True)  # (B, T, I)
        h = (h_tilde + self.skip * x_c) * F.silu(z)  # (B, T, I)
        return self.down(h)  # (B, T, E)

    def extra_repr(self) -> str:
        return f"{self.input_size}, inner_size={self.inner_size}, K={self.conv_kernel_size}"
