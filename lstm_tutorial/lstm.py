"""The LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    f = σ(W_f x + U_f h_prev + b_f)          forget gate
    i = σ(W_i x + U_i h_prev + b_i)          input gate
    g = tanh(W_g x + U_g h_prev + b_g)       candidate C̃
    o = σ(W_o x + U_o h_prev + b_o)          output gate
    c = f ⊙ c_prev + i ⊙ g                   cell state C_t
    h = o ⊙ tanh(c)                          hidden state h_t

With ``proj_size = P > 0`` (Sak et al. 2014, as in ``torch.nn.LSTM``) the hidden state is projected,
``h = W_hr (o ⊙ tanh(c))`` with ``W_hr`` of shape (P, H), and the gates read that (B, P) ``h``.

Shapes: x (B, D); h (B, H) or (B, P); c (B, H). Letters as in ``cells.py``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ._validate import check_input, check_state
from .cells import Gate


class LSTMState(NamedTuple):
    """The two states an LSTM carries from step to step."""

    h: torch.Tensor  # (B, H) hidden state / output, (B, P) with a projection
    c: torch.Tensor  # (B, H) cell state


class LSTMStep(NamedTuple):
    """Every activation the cell computed at one step (a trace stacks them over time)."""

    f: torch.Tensor  # (B, H)
    i: torch.Tensor  # (B, H)
    g: torch.Tensor  # (B, H) the candidate C̃
    o: torch.Tensor  # (B, H)
    c: torch.Tensor  # (B, H)
    h: torch.Tensor  # (B, H) or (B, P)


class LSTMCell(nn.Module):
    """An LSTM cell; equals ``torch.nn.LSTMCell`` (and one step of ``torch.nn.LSTM``).

    Args:
        input_size: D.  hidden_size: H.  bias: learn b_f, b_i, b_g, b_o.
        proj_size: P > 0 adds the output projection W_hr (P, H), as in ``torch.nn.LSTM``.
    Parameters: gates ``f, i, g, o`` (each a ``Gate`` with W (H, D), U (H, H|P), b (H,)).
    Shapes: ``x`` (B, D), ``state`` LSTMState(h (B, H|P), c (B, H)) or None  ->  LSTMState.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        proj_size: int = 0,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(size, int) or size < 1:
                raise ValueError(f"{name} must be a positive integer, got {size!r}")
        if not isinstance(proj_size, int) or not 0 <= proj_size < hidden_size:
            raise ValueError(
                f"proj_size must be an integer in [0, hidden_size) = [0, {hidden_size}), "
                f"got {proj_size!r}"
            )
        self.input_size, self.hidden_size, self.proj_size = input_size, hidden_size, proj_size
        R = proj_size or hidden_size  # size of the h the gates read
        kw = dict(bias=bias, recurrent_size=R, dtype=dtype, device=device)
        self.f = Gate(input_size, hidden_size, "sigmoid", **kw)
        self.i = Gate(input_size, hidden_size, "sigmoid", **kw)
        self.g = Gate(input_size, hidden_size, "tanh", **kw)
        self.o = Gate(input_size, hidden_size, "sigmoid", **kw)
        if proj_size:
            k = 1.0 / math.sqrt(hidden_size)
            W_hr = torch.empty(proj_size, hidden_size, dtype=dtype, device=device)
            self.W_hr = nn.Parameter(W_hr.uniform_(-k, k))
        else:
            self.W_hr = None

    @property
    def dtype(self) -> torch.dtype:
        return self.f.W.dtype

    @property
    def output_size(self) -> int:
        """Size of h: P with a projection, else H."""
        return self.proj_size or self.hidden_size

    def initial_state(self, x: torch.Tensor) -> LSTMState:
        """Zeros for a batch like ``x`` (B, D)."""
        B = x.shape[0]
        return LSTMState(x.new_zeros(B, self.output_size), x.new_zeros(B, self.hidden_size))

    def check_state(self, state: object, batch: int) -> LSTMState:
        if not (isinstance(state, tuple) and len(state) == 2):
            raise TypeError(
                "an LSTM state must be a pair (h, c), e.g. LSTMState(h, c), "
                f"got {type(state).__name__}"
            )
        h = check_state(state[0], (batch, self.output_size), self.dtype, "h")
        c = check_state(state[1], (batch, self.hidden_size), self.dtype, "c")
        return LSTMState(h, c)

    def step(self, x: torch.Tensor, state: LSTMState) -> tuple[LSTMState, LSTMStep]:
        """One unchecked step: the six equations of the module docstring."""
        h_prev, c_prev = state
        f = self.f(x, h_prev)  # (B, H)
        i = self.i(x, h_prev)  # (B, H)
        g = self.g(x, h_prev)  # (B, H)
        o = self.o(x, h_prev)  # (B, H)
        c = f * c_prev + i * g  # (B, H)
        h = o * torch.tanh(c)  # (B, H)
        if self.W_hr is not None:
            h = h @ self.W_hr.T  # (B, P)
        return LSTMState(h, c), LSTMStep(f, i, g, o, c, h)

    def forward(self, x: torch.Tensor, state: tuple | None = None) -> LSTMState:
        """x (B, D), state (h, c) or None  ->  LSTMState(h, c)."""
        x = check_input(x, self.input_size, self.dtype)
        state = self.initial_state(x) if state is None else self.check_state(state, x.shape[0])
        return self.step(x, state)[0]

    def extra_repr(self) -> str:
        proj = f", proj_size={self.proj_size}" if self.proj_size else ""
        return f"{self.input_size}, {self.hidden_size}, bias={self.f.b is not None}{proj}"
