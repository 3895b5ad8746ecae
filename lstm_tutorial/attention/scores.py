"""Attention: a decoder state looks at every encoder state and takes a weighted average of them.

One query h_t (the decoder's state at output step t) against the encoder's states h̄_1 … h̄_S:

    e_ts = score(h_t, h̄_s)                  one number per source position s
    α_ts = exp(e_ts) / Σ_s' exp(e_ts')       softmax over the source positions (axis S)
    c_t  = Σ_s α_ts h̄_s                     the context vector: a weighted average of the h̄_s

Three scores, each a module with the same call ``attention(query, keys, mask) -> Attended``:

- ``DotAttention``:      e_ts = h_t · h̄_s / scale            (Luong, Pham & Manning 2015, "dot";
  ``scale=√H`` gives the scaled dot product of Vaswani et al. 2017)
- ``GeneralAttention``:  e_ts = h_t · (W_a h̄_s)              (Luong et al. 2015, "general")
- ``AdditiveAttention``: e_ts = v_a · tanh(W_a h_t + U_a h̄_s) (Bahdanau, Cho & Bengio 2015)

Padding: ``mask`` (B, S) is True at real source positions; a padded position gets e_ts = −∞, so
α_ts = 0 exactly and its h̄_s never reaches c_t.

Shapes: B batch, T query (output) steps, S source steps, H query size, K key (encoder) size.
    query (B, T, H)   keys (B, S, K)   mask (B, S) bool   weights α (B, T, S)   context c (B, T, K)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from .._validate import check_tensor


class Attended(NamedTuple):
    """What one attention call returns."""

    context: torch.Tensor  # (B, T, K): c_t = Σ_s α_ts h̄_s
    weights: torch.Tensor  # (B, T, S): α_ts, each row sums to 1 over s


def check_attention_inputs(query: object, keys: object, mask: object) -> None:
    """Raise ValueError/TypeError naming expected vs received shapes for an attention call."""
    query, keys = check_tensor(query, "query"), check_tensor(keys, "keys")
    if query.dim() != 3 or keys.dim() != 3:
        raise ValueError(
            f"query must be (B, T, H) and keys (B, S, K), "
            f"got shapes {tuple(query.shape)} and {tuple(keys.shape)}"
        )
    if query.shape[0] != keys.shape[0]:
        raise ValueError(
            f"query and keys must share the batch size B, got {query.shape[0]} and {keys.shape[0]}"
        )
    if mask is None:
        return
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise TypeError(f"mask must be a bool tensor (B, S), got {type(mask).__name__}")
    B, S = keys.shape[:2]
    if tuple(mask.shape) != (B, S):
        raise ValueError(f"mask must have shape (B, S) = ({B}, {S}), got {tuple(mask.shape)}")
    if not mask.any(dim=1).all():
        raise ValueError("every row of mask needs at least one True (a sequence of length 0)")


def masked_softmax(e: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """α_ts = exp(e_ts) / Σ_s' exp(e_ts') over real positions s; padded positions get α = 0.

    e (B, T, S), mask (B, S) True where real -> α (B, T, S).
    """
    if mask is not None:
        e = e.masked_fill(~mask[:, None, :], float("-inf"))  # (B, T, S)
    return torch.softmax(e, dim=-1)  # over the source positions s


def attend(e: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor | None) -> Attended:
    """From scores e (B, T, S) to weights α (B, T, S) and context c_t = Σ_s α_ts h̄_s (B, T, K)."""
    alpha = masked_softmax(e, mask)  # (B, T, S)
    return Attended(alpha @ keys, alpha)  # (B, T, K)


class DotAttention(nn.Module):
    """e_ts = h_t · h̄_s / scale (Luong et al. 2015; scale = √H is Vaswani et al.'s 2017).

    No parameters; needs H = K. ``scale=1`` is Luong's "dot" score.
    """

    def __init__(self, scale: float = 1.0) -> None:
        super().__init__()
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale!r}")
        self.scale = scale

    def forward(self, query, keys, mask=None) -> Attended:
        check_attention_inputs(query, keys, mask)
        if query.shape[2] != keys.shape[2]:
            raise ValueError(
                f"a dot score needs query and keys of one size, got H={query.shape[2]}, "
                f"K={keys.shape[2]}; use GeneralAttention or AdditiveAttention"
            )
        e = query @ keys.transpose(1, 2) / self.scale  # (B, T, S)
        return attend(e, keys, mask)

    def extra_repr(self) -> str:
        return f"scale={self.scale:g}"


class GeneralAttention(nn.Module):
    """e_ts = h_t · (W_a h̄_s) (Luong et al. 2015, "general"); W_a (H, K). W_a = I gives the dot."""

    def __init__(self, query_size: int, key_size: int, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        self.W_a = nn.Parameter(torch.empty(query_size, key_size, dtype=dtype))
        nn.init.uniform_(self.W_a, -1 / math.sqrt(key_size), 1 / math.sqrt(key_size))

    def forward(self, query, keys, mask=None) -> Attended:
        check_attention_inputs(query, keys, mask)
        Wh = keys @ self.W_a.T  # (B, S, H): W_a h̄_s
        e = query @ Wh.transpose(1, 2)  # (B, T, S)
        return attend(e, keys, mask)


class AdditiveAttention(nn.Module):
    """e_ts = v_a · tanh(W_a h_t + U_a h̄_s) (Bahdanau, Cho & Bengio 2015).

    W_a (A, H), U_a (A, K), v_a (A,); A is the attention size (Bahdanau et al. used A = H).
    """

    def __init__(
        self, query_size: int, key_size: int, attention_size: int, dtype: torch.dtype | None = None
    ) -> None:
        super().__init__()
        self.W_a = nn.Linear(query_size, attention_size, bias=False, dtype=dtype)
        self.U_a = nn.Linear(key_size, attention_size, bias=True, dtype=dtype)
        self.v_a = nn.Linear(attention_size, 1, bias=False, dtype=dtype)

    def forward(self, query, keys, mask=None) -> Attended:
        check_attention_inputs(query, keys, mask)
        Wq = self.W_a(query)  # (B, T, A)
        Uk = self.U_a(keys)  # (B, S, A)
        e = self.v_a(torch.tanh(Wq[:, :, None, :] + Uk[:, None, :, :])).squeeze(-1)  # (B, T, S)
        return attend(e, keys, mask)
