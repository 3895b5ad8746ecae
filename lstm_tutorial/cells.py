"""Recurrent cells written the way their equations read: one code line per equation line.

Shape letters, used by every docstring and shape comment in the package:
    B batch, T time steps, D input features, H hidden units.

Weights act on row vectors, as in ``torch.nn``: a layer computes ``x @ W.T + h @ U.T + b``, which
is ``W x + U h + b`` for each example. ``W`` has shape (H, D) and ``U`` shape (H, H).

- ``RNNCell``: the Elman (1990) network, ``h = tanh(W x + U h_prev + b)``.
- ``Gate``: one learned layer of an LSTM or GRU, ``σ(W x + U h + b)`` or ``tanh(...)``.
- ``identity_init_``: the IRNN of Le, Jaitly & Hinton (2015), a ReLU ``RNNCell`` started at
  ``U = I``, ``b = 0``.

The LSTM lives in ``lstm.py`` and the GRU in ``gru.py``; both are built from ``Gate``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ._validate import check_input, check_sizes, check_state

# "identity": the LSTM variants without an input or output tanh (NIAF, NOAF; Greff et al. 2017)
ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "identity": lambda z: z,
}


LN_EPS = 1e-5  # ε of layer normalisation, torch.nn.LayerNorm's default


def layer_norm(z: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    """LN(z; γ, β) = γ ⊙ (z − mean(z)) / sqrt(var(z) + ε) + β over the last dim (Ba et al. 2016)."""
    return torch.nn.functional.layer_norm(z, z.shape[-1:], gamma, beta, LN_EPS)


def layer_norm_parameters(
    size: int, dtype, device, enabled: bool = True
) -> tuple[nn.Parameter, nn.Parameter] | tuple[None, None]:
    """A gain γ = 1 and a shift β = 0 of shape (size,): LN starts as plain normalisation.

    ``enabled=False`` gives (None, None): the module has no layer normalisation there.
    """
    if not enabled:
        return None, None
    gamma = nn.Parameter(torch.ones(size, dtype=dtype, device=device))
    return gamma, nn.Parameter(torch.zeros(size, dtype=dtype, device=device))


def _uniform(shape: tuple[int, ...], bound: float, dtype, device) -> nn.Parameter:
    """torch.nn's default init for recurrent layers: U(-1/√H, 1/√H) for every weight and bias."""
    return nn.Parameter(torch.empty(shape, dtype=dtype, device=device).uniform_(-bound, bound))


class Gate(nn.Module):
    """One learned layer: ``a = act(W x + U h + b)`` with act = σ (a gate) or tanh (a candidate).

    With ``peephole=True`` the layer also looks at a cell state through a diagonal weight ``p``
    (Gers & Schmidhuber 2000): ``a = act(W x + U h + p ⊙ c + b)``.

    With ``layer_norm=True`` (Ba et al. 2016) each of the two products is normalised over its H
    units, with a learned gain γ and shift β: ``a = act(LN(W x; γ_x, β_x) + LN(U h; γ_h, β_h) + b)``
    where ``LN(z; γ, β) = γ ⊙ (z − mean(z)) / sqrt(var(z) + ε) + β``.

    Parameters: ``W`` (H, D), ``U`` (H, H), ``b`` (H,) or None, ``p`` (H,) or None, and with
    layer_norm ``gamma_x, beta_x, gamma_h, beta_h`` (H,) (initialised to 1 and 0).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        activation: str = "sigmoid",
        bias: bool = True,
        peephole: bool = False,
        recurrent_size: int | None = None,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        layer_norm: bool = False,
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        R = hidden_size if recurrent_size is None else recurrent_size
        k = 1.0 / math.sqrt(hidden_size)
        self.activation = activation
        self.W = _uniform((hidden_size, input_size), k, dtype, device)
        self.U = _uniform((hidden_size, R), k, dtype, device)
        self.b = _uniform((hidden_size,), k, dtype, device) if bias else None
        self.p = _uniform((hidden_size,), k, dtype, device) if peephole else None
        ln = (hidden_size, dtype, device, layer_norm)
        self.gamma_x, self.beta_x = layer_norm_parameters(*ln)  # LN of W x
        self.gamma_h, self.beta_h = layer_norm_parameters(*ln)  # LN of U h

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor | None = None):
        """x (B, D), h (B, H), c (B, H) if the gate has a peephole  ->  (B, H)."""
        if self.gamma_x is None:
            z = x @ self.W.T + h @ self.U.T  # (B, H)
        else:
            zx = layer_norm(x @ self.W.T, self.gamma_x, self.beta_x)  # (B, H)
            z = zx + layer_norm(h @ self.U.T, self.gamma_h, self.beta_h)  # (B, H)
        if self.p is not None:
            if c is None:
                raise ValueError("this gate has a peephole, so it needs the cell state c")
            z = z + self.p * c
        if self.b is not None:
            z = z + self.b
        return ACTIVATIONS[self.activation](z)

    def extra_repr(self) -> str:
        H, D = self.W.shape
        peep = ", peephole=True" if self.p is not None else ""
        ln = ", layer_norm=True" if self.gamma_x is not None else ""
        return f"{D} -> {H}, {self.activation}, bias={self.b is not None}{peep}{ln}"


class RNNStep(NamedTuple):
    """What an RNN cell computed at one step (for traces): the new hidden state."""

    h: torch.Tensor  # (B, H)


class RNNCell(nn.Module):
    """The plain (Elman 1990) recurrent cell: one tanh layer repeated at every step.

        h_t = tanh(W x_t + U h_{t-1} + b)

    Equals ``torch.nn.RNNCell`` with ``W = weight_ih``, ``U = weight_hh``, ``b = bias_ih + bias_hh``
    (``lstm_tutorial.torch_compat`` converts both ways).

    Args:
        input_size: D.  hidden_size: H.  bias: learn ``b`` (else no bias).
        nonlinearity: "tanh" (default) or "relu", as in torch.
    Shapes: ``x`` (B, D), ``h`` (B, H) or None (zeros)  ->  ``h`` (B, H).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        check_sizes(input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.nonlinearity = nonlinearity
        k = 1.0 / math.sqrt(hidden_size)
        self.W = _uniform((hidden_size, input_size), k, dtype, device)
        self.U = _uniform((hidden_size, hidden_size), k, dtype, device)
        self.b = _uniform((hidden_size,), k, dtype, device) if bias else None

    @property
    def dtype(self) -> torch.dtype:
        return self.W.dtype

    def initial_state(self, x: torch.Tensor) -> torch.Tensor:
        """Zeros of shape (B, H) for a batch like ``x`` (B, D)."""
        return x.new_zeros(x.shape[0], self.hidden_size)

    def check_state(self, h: object, batch: int) -> torch.Tensor:
        return check_state(h, (batch, self.hidden_size), self.dtype, "h")

    def step(self, x: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, RNNStep]:
        """One unchecked step (the sequence runner checks once per sequence)."""
        z = x @ self.W.T + h @ self.U.T  # (B, H)
        if self.b is not None:
            z = z + self.b
        h = ACTIVATIONS[self.nonlinearity](z)  # (B, H)
        return h, RNNStep(h)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, D), h (B, H) or None  ->  new h (B, H)."""
        x = check_input(x, self.input_size, self.dtype)
        h = self.initial_state(x) if h is None else self.check_state(h, x.shape[0])
        return self.step(x, h)[0]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.b is not None}"


@torch.no_grad()
def identity_init_(cell: RNNCell) -> RNNCell:
    """Start ``cell`` as an IRNN (Le, Jaitly & Hinton 2015): ``U = I`` (H, H) and ``b = 0`` (H,).

    With ``nonlinearity="relu"`` the cell then begins as ``h_t = relu(W x_t + h_{t-1})``: a unit
    that is active keeps its value from step to step and adds its input, so at initialisation
    ``∂h_t/∂h_{t-1}`` is the identity on the active units. ``W`` keeps its draw (torch's default,
    U(−1/√H, 1/√H)). Works in place and returns the cell.
    """
    if not isinstance(cell, RNNCell):
        raise TypeError(f"identity_init_ expects an RNNCell, got {type(cell).__name__}")
    if cell.nonlinearity != "relu":
        raise ValueError(f"an IRNN uses nonlinearity='relu', this cell uses {cell.nonlinearity!r}")
    cell.U.copy_(torch.eye(cell.hidden_size, dtype=cell.U.dtype, device=cell.U.device))
    if cell.b is not None:
        cell.b.zero_()
    return cell
