"""The mLSTM cell of xLSTM (Beck et al. 2024): a matrix memory read and written by attention-like
vectors, with scalar exponential gates per head, computed step by step or in parallel.

The cell reads x = [q | k | v] (B, 3E): query, key and value vectors of E = NH·DH units, as the
official ``mLSTMCell`` does (its layer computes q, k, v from the input). Per head:

    ĩ = w_i x + b_i,   f̃ = w_f x + b_f              gate pre-activations, one scalar per head
    h̃ = mLSTM memory(q, k, v, ĩ, f̃)                  see ``mlstm_forms`` (recurrent or parallel)
    h = γ ⊙ (h̃ − mean(h̃)) / √(var(h̃) + 1e-5)      per-head layer norm (the official "outnorm")

Parameters: ``w_i``, ``w_f`` (NH, 3E), ``b_i``, ``b_f`` (NH,), ``gamma`` (E,).
The official layer norm stores γ − 1 (it adds 1 in its forward); ``from_xlstm`` converts.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from .._validate import check_divides, check_input, check_sequence, check_sizes, check_state
from . import mlstm_forms
from .mlstm_forms import EPS, MLSTMState

NORM_EPS = 1e-5  # the official layer norm's eps


class MLSTMStep(NamedTuple):
    """One step of the cell (a trace stacks them over time)."""

    i: torch.Tensor  # (B, NH) input-gate pre-activation ĩ
    f: torch.Tensor  # (B, NH) forget-gate pre-activation f̃
    h_tilde: torch.Tensor  # (B, E) retrieved value before the norm
    h: torch.Tensor  # (B, E) output


class MLSTMCell(nn.Module):
    """The official mLSTM cell: gates from [q|k|v], matrix memory, per-head norm.

    Args:
        embedding_size: E (q, k, v each have E units).  num_heads: NH, must divide E.
        eps: the retrieval's eps (official default 1e-6).
    Shapes: ``step`` x (B, 3E), ``MLSTMState`` -> h (B, E); ``parallel`` x (T, B, 3E) or
        (B, T, 3E) with ``batch_first``.
    """

    def __init__(
        self,
        embedding_size: int,
        num_heads: int = 1,
        eps: float = EPS,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        check_sizes(embedding_size=embedding_size, num_heads=num_heads)
        check_divides(num_heads=num_heads, embedding_size=embedding_size)
        E, NH = embedding_size, num_heads
        self.embedding_size, self.num_heads, self.head_size, self.eps = E, NH, E // NH, eps
        self.input_size = 3 * E
        kw = dict(dtype=dtype, device=device)
        self.w_i = nn.Parameter(torch.randn(NH, 3 * E, **kw) / (3 * E) ** 0.5)
        self.w_f = nn.Parameter(torch.randn(NH, 3 * E, **kw) / (3 * E) ** 0.5)
        self.b_i = nn.Parameter(torch.zeros(NH, **kw))
        self.b_f = nn.Parameter(torch.linspace(3.0, 6.0, NH, **kw))  # remember at the start
        self.gamma = nn.Parameter(torch.ones(E, **kw))

    @property
    def dtype(self) -> torch.dtype:
        return self.gamma.dtype

    def initial_state(self, x: torch.Tensor) -> MLSTMState:
        """The official empty state: C, n and m all zero."""
        B, NH, DH = x.shape[0], self.num_heads, self.head_size
        return MLSTMState(x.new_zeros(B, NH, DH, DH), x.new_zeros(B, NH, DH), x.new_zeros(B, NH))

    def check_state(self, state: object, batch: int) -> MLSTMState:
        if not isinstance(state, tuple) or len(state) != 3:
            raise TypeError(f"state must be a tuple (C, n, m) of tensors, got {state!r:.80}")
        B, NH, DH = batch, self.num_heads, self.head_size
        shapes = ((B, NH, DH, DH), (B, NH, DH), (B, NH))
        return MLSTMState(
            *(check_state(s, e, self.dtype, k) for s, e, k in zip(state, shapes, "Cnm"))
        )

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """x (..., 3E) -> q, k, v (..., NH, DH) and ĩ, f̃ (..., NH)."""
        q, k, v = (t.unflatten(-1, (self.num_heads, self.head_size)) for t in x.chunk(3, -1))
        return q, k, v, x @ self.w_i.T + self.b_i, x @ self.w_f.T + self.b_f

    def norm(self, h_tilde: torch.Tensor) -> torch.Tensor:
        """Per-head layer norm: (..., NH, DH) -> (..., E)."""
        h = F.layer_norm(h_tilde, (self.head_size,), eps=NORM_EPS)  # (..., NH, DH)
        return h.flatten(-2) * self.gamma  # (..., E)

    def step(self, x: torch.Tensor, state: MLSTMState) -> tuple[MLSTMState, MLSTMStep]:
        """One unchecked step of the recurrent form."""
        q, k, v, i_, f_ = self.heads(x)  # (B, NH, DH) × 3, (B, NH) × 2
        h_tilde, state = mlstm_forms.recurrent_step(q, k, v, i_, f_, state, self.eps)
        return state, MLSTMStep(i_, f_, h_tilde.flatten(-2), self.norm(h_tilde))

    def forward(self, x: torch.Tensor, state: MLSTMState | None = None) -> MLSTMState:
        """x (B, 3E), state or None -> (h (B, E), the new state)."""
        x = check_input(x, self.input_size, self.dtype)
        state = self.initial_state(x) if state is None else self.check_state(state, x.shape[0])
        state, record = self.step(x, state)
        return record.h, state

    def parallel(
        self, x: torch.Tensor, state: MLSTMState | None = None, *, batch_first: bool = False
    ) -> tuple[torch.Tensor, MLSTMState]:
        """The whole sequence at once. ``state=None``: the official parallel form (no m_0 term).

        Returns h (T, B, E) (or (B, T, E)) and the last state (in this form's stabiliser).
        """
        x = check_sequence(x, self.input_size, self.dtype, batch_first)
        x = x if batch_first else x.transpose(0, 1)  # (B, T, 3E)
        if state is not None:
            state = self.check_state(state, x.shape[0])
        q, k, v, i_, f_ = (t.transpose(1, 2) for t in self.heads(x))  # (B, NH, T, ...)
        h_tilde, state = mlstm_forms.parallel(q, k, v, i_, f_, state, self.eps)
        h = self.norm(h_tilde.transpose(1, 2))  # (B, T, E)
        return (h if batch_first else h.transpose(0, 1)), state

    def extra_repr(self) -> str:
        return f"{self.embedding_size}, num_heads={self.num_heads}, eps={self.eps}"
