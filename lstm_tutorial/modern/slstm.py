"""The sLSTM cell of xLSTM (Beck et al. 2024): exponential gates, a normaliser and a stabiliser.

The classic cell squashes its input gate with σ, so a new input can never outweigh the memory by
more than a factor of one. The sLSTM lets the input gate be exponential, ``exp(ĩ)``, which can
*revise* a stored decision, and keeps the forget gate σ(f̃) (or exp(f̃)). Exponentials overflow,
so the cell carries two more states: a normaliser ``n`` (the sum of the gates, so that
``h = o ⊙ c / n`` is a weighted average of the candidates) and a stabiliser ``m`` (a running
maximum of the log gates, subtracted before each exp). With pre-activations
``(ĩ, f̃, z̃, õ) = W x + R h_prev + b`` and log f = log σ(f̃) (or f̃ for ``forget="exp"``):

    m = max(ĩ, m_prev + log f)          stabiliser (m = ĩ when every n_prev is 0: the first step)
    i = min(exp(ĩ − m), 1)              stabilised input gate
    f = min(exp(m_prev + log f − m), 1) stabilised forget gate
    c = f ⊙ c_prev + i ⊙ tanh(z̃)         cell state
    n = f ⊙ n_prev + i                  normaliser
    h = σ(õ) ⊙ c / n                    hidden state

The stabiliser cancels in c / n (both carry the same factor exp(−m)), so h is what the
unstabilised cell would give, without its overflow. ``min(·, 1)`` only acts on the first step,
where ``m = ĩ`` may be below m_prev + log f. These are exactly the rules of the official
implementation's pure-torch ("vanilla") backend (``xlstm`` 2.0.6, ``slstm/src/vanilla``), including
that the first-step test looks at the whole batch (``all(n_prev == 0)``).

Heads: the H units form ``num_heads`` blocks of DH = H / num_heads; a unit sees only its own head's
h_prev, so R is block-diagonal: ``R`` (NH, 4, DH, DH), one (DH, DH) matrix per head and gate.
Layout: ``W`` (4H, D) = (W_i|W_f|W_z|W_o), ``b`` (4H,) likewise; within a gate the heads follow
each other. With ``input_size=None`` the cell has no W and reads the pre-activations W x (B, 4H)
directly, as the official ``sLSTMCell`` does.

Shapes: x (B, D); every state (B, H). Letters as in ``lstm_tutorial.cells``; NH heads of DH units.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from .._validate import check_divides, check_input, check_sizes, check_state


class SLSTMState(NamedTuple):
    """The four states the sLSTM carries from step to step (the official order y, c, n, m)."""

    h: torch.Tensor  # (B, H) hidden state (the official "y")
    c: torch.Tensor  # (B, H) cell state
    n: torch.Tensor  # (B, H) normaliser
    m: torch.Tensor  # (B, H) stabiliser


class SLSTMStep(NamedTuple):
    """Every activation of one step (a trace stacks them over time)."""

    i: torch.Tensor  # (B, H) stabilised input gate
    f: torch.Tensor  # (B, H) stabilised forget gate
    z: torch.Tensor  # (B, H) candidate tanh(z̃)
    o: torch.Tensor  # (B, H) output gate
    c: torch.Tensor  # (B, H)
    n: torch.Tensor  # (B, H)
    m: torch.Tensor  # (B, H)
    h: torch.Tensor  # (B, H)


class SLSTMCell(nn.Module):
    """The sLSTM cell (see the module docstring for the equations).

    Args:
        input_size: D, or None for a cell that reads the pre-activations W x (B, 4H) itself.
        hidden_size: H.  num_heads: NH, must divide H.
        forget: "sigmoid" (log f = log σ(f̃), the official choice) or "exp" (log f = f̃).
    Parameters: ``W`` (4H, D) or None, ``R`` (NH, 4, DH, DH), ``b`` (4H,); gate order i, f, z, o.
    Shapes: ``x`` (B, D), state ``SLSTMState`` of four (B, H) or None (zeros)  ->  h (B, H).
    """

    def __init__(
        self,
        input_size: int | None,
        hidden_size: int,
        num_heads: int = 1,
        forget: str = "sigmoid",
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        check_sizes(hidden_size=hidden_size, num_heads=num_heads)
        if input_size is not None:
            check_sizes(input_size=input_size)
        check_divides(num_heads=num_heads, hidden_size=hidden_size)
        if forget not in ("sigmoid", "exp"):
            raise ValueError(f"forget must be 'sigmoid' or 'exp', got {forget!r}")
        H, NH, DH = hidden_size, num_heads, hidden_size // num_heads
        self.hidden_size, self.num_heads, self.head_size, self.forget = H, NH, DH, forget
        self.input_size = 4 * H if input_size is None else input_size
        k = 1.0 / math.sqrt(H)
        kw = dict(dtype=dtype, device=device)
        self.W = None
        if input_size is not None:
            self.W = nn.Parameter(torch.empty(4 * H, input_size, **kw).uniform_(-k, k))
        self.R = nn.Parameter(torch.empty(NH, 4, DH, DH, **kw).uniform_(-k, k))
        self.b = nn.Parameter(torch.empty(4 * H, **kw).uniform_(-k, k))

    @property
    def dtype(self) -> torch.dtype:
        return self.R.dtype

    def initial_state(self, x: torch.Tensor) -> SLSTMState:
        """Zeros (B, H) for h, c, n and m: an empty memory, so the first step takes m = ĩ."""
        zeros = x.new_zeros(x.shape[0], self.hidden_size)
        return SLSTMState(zeros, zeros, zeros, zeros)

    def check_state(self, state: object, batch: int) -> SLSTMState:
        if not isinstance(state, tuple) or len(state) != 4:
            raise TypeError(
                f"state must be a tuple (h, c, n, m) of four (B, H) tensors, got {state!r:.80}"
            )
        shape = (batch, self.hidden_size)
        return SLSTMState(*(check_state(s, shape, self.dtype, k) for s, k in zip(state, "hcnm")))

    def recurrent(self, h: torch.Tensor) -> torch.Tensor:
        """R h_prev with a block-diagonal R: h (B, H) -> (B, 4H) in the layout of W x."""
        B = h.shape[0]
        heads = h.view(B, self.num_heads, self.head_size)  # (B, NH, DH)
        r = torch.einsum("bnd,ngkd->bgnk", heads, self.R)  # (B, 4, NH, DH)
        return r.reshape(B, 4 * self.hidden_size)  # (B, 4H)

    def step(self, x: torch.Tensor, state: SLSTMState) -> tuple[SLSTMState, SLSTMStep]:
        """One unchecked step: the pre-activations, then ``stabilised_step``."""
        wx = x if self.W is None else x @ self.W.T  # (B, 4H)
        pre = (wx + self.recurrent(state.h) + self.b).chunk(4, dim=-1)  # ĩ, f̃, z̃, õ: 4 × (B, H)
        return stabilised_step(pre, state, self.forget)

    def forward(self, x: torch.Tensor, state: SLSTMState | None = None) -> SLSTMState:
        """x (B, D), state or None  ->  the new ``SLSTMState`` (its ``h`` is the output)."""
        x = check_input(x, self.input_size, self.dtype)
        state = self.initial_state(x) if state is None else self.check_state(state, x.shape[0])
        return self.step(x, state)[0]

    def extra_repr(self) -> str:
        D = "None" if self.W is None else self.input_size
        return f"{D}, {self.hidden_size}, num_heads={self.num_heads}, forget={self.forget!r}"


def stabilised_step(
    pre: tuple[torch.Tensor, ...], state: SLSTMState, forget: str = "sigmoid"
) -> tuple[SLSTMState, SLSTMStep]:
    """The sLSTM's update from its pre-activations ``pre = (ĩ, f̃, z̃, õ)``, each (B, H): the
    equations of the module docstring, one line each (``state.h`` is not read)."""
    i_, f_, z_, o_ = pre
    _, c_prev, n_prev, m_prev = state
    log_f = m_prev + (F.logsigmoid(f_) if forget == "sigmoid" else f_)  # m_prev + log f
    m = i_ if torch.all(n_prev == 0) else torch.maximum(i_, log_f)  # (B, H)
    one = torch.ones_like(i_)
    i = torch.minimum(torch.exp(i_ - m), one)  # (B, H)
    f = torch.minimum(torch.exp(log_f - m), one)  # (B, H)
    z = torch.tanh(z_)  # (B, H)
    o = torch.sigmoid(o_)  # (B, H)
    c = f * c_prev + i * z  # (B, H)
    n = f * n_prev + i  # (B, H)
    h = o * c / n  # (B, H)
    return SLSTMState(h, c, n, m), SLSTMStep(i, f, z, o, c, n, m, h)
