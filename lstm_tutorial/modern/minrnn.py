"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs All We Needed?"): gates that do not look at
h_prev, so the recurrence is linear in h and the whole sequence is one parallel scan.

Drop h_prev from the GRU's and the LSTM's gates, drop the tanh and the reset gate:

    minGRU:   z = σ(W_z x + b_z)      h̃ = g(W_h x + b_h)      h = (1 − z) ⊙ h_prev + z ⊙ h̃
    minLSTM:  f = σ(W_f x + b_f)      i = σ(W_i x + b_i)      h̃ = g(W_h x + b_h)
              f' = f / (f + i)        i' = i / (f + i)         h = f' ⊙ h_prev + i' ⊙ h̃

``g(a) = a + ½`` for a ≥ 0 and ``σ(a)`` below keeps h̃ > 0, so that h has a logarithm (Feng et al.'s
log-space version, used here in both forms). Each is ``h_t = a_t ⊙ h_{t−1} + b_t`` with
a = 1 − z, b = z ⊙ h̃ (minGRU) or a = f', b = i' ⊙ h̃ (minLSTM), which ``scan.log_scan``
computes at once from the logs (log σ(k) = −softplus(−k); for minLSTM, with
δ = softplus(−k_f) − softplus(−k_i) = log(i / f): log f' = −softplus(δ), log i' = −softplus(−δ)).

``step`` is the sequential form (any h_prev; the package's ``unroll`` runs it); ``scan`` the
parallel one (needs h_0 > 0, or None for zeros). Shapes: x (B, D), h (B, H); sequences as in
``lstm_tutorial.sequence``. Parameters: ``W`` (nH, D), ``b`` (nH,), gates stacked in the order
(z | h) for minGRU and (f | i | h) for minLSTM.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from .._validate import check_input, check_sequence, check_sizes, check_state
from .scan import log_scan


def g(a: torch.Tensor) -> torch.Tensor:
    """The positive activation of Feng et al. (2024): a + ½ for a ≥ 0, σ(a) below."""
    return torch.where(a >= 0, F.relu(a) + 0.5, torch.sigmoid(a))


def log_g(a: torch.Tensor) -> torch.Tensor:
    """log g(a), computed without forming g(a) for very negative a."""
    return torch.where(a >= 0, torch.log(F.relu(a) + 0.5), -F.softplus(-a))


class MinStep(NamedTuple):
    """One step of a minGRU/minLSTM: the coefficients of h = a ⊙ h_prev + b, and h."""

    a: torch.Tensor  # (B, H) weight of h_prev: 1 − z, or f'
    b: torch.Tensor  # (B, H) new content: z ⊙ h̃, or i' ⊙ h̃
    h: torch.Tensor  # (B, H)


class _MinRNN(nn.Module):
    """What minGRU and minLSTM share: one input layer, the state, the two forms."""

    n_layers = 0  # 2 for minGRU (z, h), 3 for minLSTM (f, i, h)

    def __init__(self, input_size: int, hidden_size: int, dtype=None, device=None) -> None:
        super().__init__()
        check_sizes(input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        k, n = 1.0 / math.sqrt(input_size), self.n_layers * hidden_size
        self.W = nn.Parameter(
            torch.empty(n, input_size, dtype=dtype, device=device).uniform_(-k, k)
        )
        self.b = nn.Parameter(torch.empty(n, dtype=dtype, device=device).uniform_(-k, k))

    @property
    def dtype(self) -> torch.dtype:
        return self.W.dtype

    def initial_state(self, x: torch.Tensor) -> torch.Tensor:
        return x.new_zeros(x.shape[0], self.hidden_size)

    def check_state(self, h: object, batch: int) -> torch.Tensor:
        return check_state(h, (batch, self.hidden_size), self.dtype, "h")

    def step(self, x: torch.Tensor, h_prev: torch.Tensor) -> tuple[torch.Tensor, MinStep]:
        """The sequential form: x (B, D), h_prev (B, H) -> h (B, H)."""
        a, b = self.coefficients(x @ self.W.T + self.b)  # (B, H) each
        h = a * h_prev + b  # (B, H)
        return h, MinStep(a, b, h)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        x = check_input(x, self.input_size, self.dtype)
        h = self.initial_state(x) if h is None else self.check_state(h, x.shape[0])
        return self.step(x, h)[0]

    def scan(
        self, x: torch.Tensor, h0: torch.Tensor | None = None, *, batch_first: bool = False
    ) -> torch.Tensor:
        """The parallel form: x (T, B, D) (or (B, T, D)) -> h (T, B, H) (or (B, T, H))."""
        x = check_sequence(x, self.input_size, self.dtype, batch_first)
        x = x if batch_first else x.transpose(0, 1)  # (B, T, D)
        log_h0 = None
        if h0 is not None:
            h0 = self.check_state(h0, x.shape[0])
            if not bool((h0 > 0).all()):
                raise ValueError("the log-space scan needs h0 > 0 everywhere (or h0=None)")
            log_h0 = torch.log(h0)
        log_a, log_b = self.log_coefficients(x @ self.W.T + self.b)  # (B, T, H) each
        h = torch.exp(log_scan(log_a, log_b, log_h0))  # (B, T, H)
        return h if batch_first else h.transpose(0, 1)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class MinGRU(_MinRNN):
    """minGRU: a = 1 − z, b = z ⊙ g(W_h x + b_h), z = σ(W_z x + b_z)."""

    n_layers = 2

    def coefficients(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k_z, k_h = u.chunk(2, dim=-1)
        z = torch.sigmoid(k_z)
        return 1 - z, z * g(k_h)

    def log_coefficients(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k_z, k_h = u.chunk(2, dim=-1)
        return -F.softplus(k_z), -F.softplus(-k_z) + log_g(k_h)  # log(1 − z), log z + log h̃


class MinLSTM(_MinRNN):
    """minLSTM: a = f', b = i' ⊙ g(W_h x + b_h) with the normalised gates f', i'."""

    n_layers = 3

    def coefficients(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k_f, k_i, k_h = u.chunk(3, dim=-1)
        f, i = torch.sigmoid(k_f), torch.sigmoid(k_i)
        return f / (f + i), i / (f + i) * g(k_h)

    def log_coefficients(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k_f, k_i, k_h = u.chunk(3, dim=-1)
        delta = F.softplus(-k_f) - F.softplus(-k_i)  # log(i / f)
        return -F.softplus(delta), -F.softplus(-delta) + log_g(k_h)  # log f', log i' + log h̃
