"""The gated recurrent unit (Cho et al. 2014), in both of its published forms.

The GRU keeps one state ``h`` (no separate cell state) and two gates:

    r = σ(W_r x + U_r h_prev + b_r)                   reset gate
    z = σ(W_z x + U_z h_prev + b_z)                   update gate
    n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))   candidate, reset_after=True (torch, cuDNN)
    n = tanh(W_n x + U_n (r ⊙ h_prev) + b_n)          candidate, reset_after=False
    h = (1 − z) ⊙ n + z ⊙ h_prev                      new state

The two candidates differ in where the reset gate acts: after the recurrent product (the first
arXiv version of Cho et al. 2014, 1406.1078v1; the form of ``torch.nn.GRU``, cuDNN and Keras's
``reset_after=True``, where one product ``h_prev @ [U_r|U_z|U_n]ᵀ`` serves all three layers) or
on ``h_prev`` before it (their third version, 1406.1078v3, which Olah's essay links). They agree
when U_n is diagonal and b_hn = 0, since a diagonal matrix commutes with the elementwise product;
in general they do not.

``z`` weighs the OLD state here, as in torch; Cho et al. (2014) write
``h = z ⊙ h_prev + (1 − z) ⊙ h̃`` too, while Chung et al. (2014) and others swap z and 1 − z. The
two conventions are the same model with ``z`` replaced by ``1 − z`` (negate W_z, U_z, b_z).

Shapes: x (B, D); h (B, H). Letters as in ``cells.py``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ._validate import check_input, check_sizes, check_state
from .cells import Gate, _uniform


class GRUStep(NamedTuple):
    """Every activation the cell computed at one step (a trace stacks them over time)."""

    r: torch.Tensor  # (B, H) reset gate
    z: torch.Tensor  # (B, H) update gate
    n: torch.Tensor  # (B, H) candidate state
    h: torch.Tensor  # (B, H) new state


class GRUCell(nn.Module):
    """A GRU cell; with ``reset_after=True`` (default) it equals ``torch.nn.GRUCell``.

    Args:
        input_size: D.  hidden_size: H.  bias: learn b_r, b_z, b_n (and b_hn in the torch form).
        reset_after: True for torch's form ``r ⊙ (U_n h + b_hn)``, False for Cho et al.'s
            ``U_n (r ⊙ h)``; see the module docstring.
    Parameters: gates ``r, z`` (sigmoid) and ``n`` (tanh), each a ``Gate`` with W (H, D),
        U (H, H), b (H,) (``n.b`` is torch's b_in); ``b_hn`` (H,) or None (Cho form or no bias).
    Shapes: ``x`` (B, D), ``h`` (B, H) or None (zeros)  ->  ``h`` (B, H).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        reset_after: bool = True,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        check_sizes(input_size=input_size, hidden_size=hidden_size)
        if not isinstance(reset_after, bool):
            raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
        self.input_size, self.hidden_size, self.reset_after = input_size, hidden_size, reset_after
        kw = dict(bias=bias, dtype=dtype, device=device)
        self.r = Gate(input_size, hidden_size, "sigmoid", **kw)
        self.z = Gate(input_size, hidden_size, "sigmoid", **kw)
        self.n = Gate(input_size, hidden_size, "tanh", **kw)
        if bias and reset_after:
            self.b_hn = _uniform((hidden_size,), 1.0 / math.sqrt(hidden_size), dtype, device)
        else:
            self.b_hn = None

    @property
    def dtype(self) -> torch.dtype:
        return self.r.W.dtype

    def initial_state(self, x: torch.Tensor) -> torch.Tensor:
        """Zeros of shape (B, H) for a batch like ``x`` (B, D)."""
        return x.new_zeros(x.shape[0], self.hidden_size)

    def check_state(self, h: object, batch: int) -> torch.Tensor:
        return check_state(h, (batch, self.hidden_size), self.dtype, "h")

    def candidate(self, x: torch.Tensor, h_prev: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """The candidate n (B, H) in this cell's form (the only place the two forms differ)."""
        if not self.reset_after:
            return self.n(x, r * h_prev)  # tanh(W_n x + U_n (r ⊙ h_prev) + b_n)
        a = x @ self.n.W.T  # (B, H)  W_n x
        u = h_prev @ self.n.U.T  # (B, H)  U_n h_prev
        if self.n.b is not None:
            a, u = a + self.n.b, u + self.b_hn
        return torch.tanh(a + r * u)  # tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))

    def step(self, x: torch.Tensor, h_prev: torch.Tensor) -> tuple[torch.Tensor, GRUStep]:
        """One unchecked step: the equations of the module docstring."""
        r = self.r(x, h_prev)  # (B, H)
        z = self.z(x, h_prev)  # (B, H)
        n = self.candidate(x, h_prev, r)  # (B, H)
        h = (1 - z) * n + z * h_prev  # (B, H)
        return h, GRUStep(r, z, n, h)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, D), h (B, H) or None  ->  new h (B, H)."""
        x = check_input(x, self.input_size, self.dtype)
        h = self.initial_state(x) if h is None else self.check_state(h, x.shape[0])
        return self.step(x, h)[0]

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, bias={self.r.b is not None}, "
            f"reset_after={self.reset_after}"
        )
