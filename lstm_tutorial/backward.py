"""One step's backward pass, written by hand: the RNN cell and the plain LSTM cell.

Each forward step keeps a cache (what the backward needs), and each backward step takes the
upstream gradients and returns the gradients of the step's inputs and of the cell's parameters.
Row vectors as in ``cells.py``: a layer computes ``z = x @ W.T + h_prev @ U.T + b``, so with
``dz = ∂L/∂z`` (B, H) its backward is ``dW = dz.T @ x``, ``dU = dz.T @ h_prev``, ``db = Σ_B dz``,
``dx = dz @ W``, ``dh_prev = dz @ U``.

RNN (Elman 1990), h = tanh(z):
    dz = dh ⊙ (1 − h²)                       tanh′(z) = 1 − tanh(z)² = 1 − h²

LSTM (Hochreiter & Schmidhuber 1997, forget gate of Gers et al. 2000), upstream dh = ∂L/∂h and
dc = ∂L/∂c through the next step only (the part that does not pass through this step's h):
    do = dh ⊙ tanh(c)                        h = o ⊙ tanh(c)
    dc = dc + dh ⊙ o ⊙ (1 − tanh(c)²)        both paths into c: the next step and h
    df, di, dg = dc ⊙ c_prev, dc ⊙ g, dc ⊙ i   c = f ⊙ c_prev + i ⊙ g
    dc_prev = dc ⊙ f                         the additive path: ∂c/∂c_prev = diag(f)
    dz_f, dz_i, dz_o = df ⊙ f(1 − f), di ⊙ i(1 − i), do ⊙ o(1 − o)     σ′ = σ(1 − σ)
    dz_g = dg ⊙ (1 − g²)
then every layer as above; dx and dh_prev sum the four layers' contributions.

Shapes: x (B, D); h_prev, c_prev, h, c and every gate (B, H); W (H, D), U (H, H), b (H,).
Only the plain cells are covered (no LSTM variant, no proj_size); ``bptt.py`` runs these steps
over a sequence.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import torch

from .cells import Gate, RNNCell
from .lstm import LSTMCell, LSTMState

GATES = ("f", "i", "g", "o")  # the order of the LSTM's layers in every container here


class RNNCache(NamedTuple):
    """What one RNN step's backward needs."""

    x: torch.Tensor  # (B, D)
    h_prev: torch.Tensor  # (B, H)
    h: torch.Tensor  # (B, H)


class LSTMCache(NamedTuple):
    """What one LSTM step's backward needs: its inputs and every activation."""

    x: torch.Tensor  # (B, D)
    h_prev: torch.Tensor  # (B, H)
    c_prev: torch.Tensor  # (B, H)
    f: torch.Tensor  # (B, H)
    i: torch.Tensor  # (B, H)
    g: torch.Tensor  # (B, H) the candidate C̃
    o: torch.Tensor  # (B, H)
    c: torch.Tensor  # (B, H)


class LayerGrads(NamedTuple):
    """The gradients of one layer's parameters (an RNN cell, or one LSTM gate)."""

    W: torch.Tensor  # (H, D)
    U: torch.Tensor  # (H, H)
    b: torch.Tensor | None  # (H,), None for a cell without bias


class LSTMGrads(NamedTuple):
    """The gradients of the four layers of an LSTM cell."""

    f: LayerGrads
    i: LayerGrads
    g: LayerGrads
    o: LayerGrads


class RNNStepGrads(NamedTuple):
    dx: torch.Tensor  # (B, D)
    dh_prev: torch.Tensor  # (B, H)
    params: LayerGrads


class LSTMStepGrads(NamedTuple):
    dx: torch.Tensor  # (B, D)
    dh_prev: torch.Tensor  # (B, H)
    dc_prev: torch.Tensor  # (B, H)
    params: LSTMGrads


# ---- forward steps that keep their cache (the package's own step, so the values are its own);
# the step functions take the cell last, like the notebooks' exercises


def check_plain_lstm(cell: object) -> LSTMCell:
    """The hand-written backward covers the plain LSTMCell only: refuse anything else."""
    if not isinstance(cell, LSTMCell):
        raise TypeError(f"expected an lstm_tutorial.LSTMCell, got {type(cell).__name__}")
    changed = cell.options.changes()
    if changed or cell.proj_size:
        raise ValueError(
            "the hand-written backward covers the plain LSTM (no variant options, proj_size=0), "
            f"got options {changed} and proj_size={cell.proj_size}"
        )
    return cell


def rnn_step_forward(
    x: torch.Tensor, h_prev: torch.Tensor, cell: RNNCell
) -> tuple[torch.Tensor, RNNCache]:
    """``h = tanh(W x + U h_prev + b)`` by ``cell.step``  ->  (h (B, H), RNNCache)."""
    h, _ = cell.step(x, h_prev)
    return h, RNNCache(x, h_prev, h)


def lstm_step_forward(
    x: torch.Tensor, state: LSTMState, cell: LSTMCell
) -> tuple[LSTMState, LSTMCache]:
    """One step by ``cell.step``  ->  (LSTMState(h, c), LSTMCache)."""
    new, r = check_plain_lstm(cell).step(x, state)
    return new, LSTMCache(x, state[0], state[1], r.f, r.i, r.g, r.o, r.c)


# ---- backward steps


def layer_backward(
    layer: Gate | RNNCell, dz: torch.Tensor, x: torch.Tensor, h_prev: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, LayerGrads]:
    """z = x @ W.T + h_prev @ U.T + b  ->  (dx (B, D), dh_prev (B, H), LayerGrads)."""
    db = None if layer.b is None else dz.sum(0)  # (H,) b is added to every example's row
    grads = LayerGrads(dz.T @ x, dz.T @ h_prev, db)  # (H, D), (H, H)
    return dz @ layer.W, dz @ layer.U, grads  # (B, D), (B, H)


def rnn_step_backward(dh: torch.Tensor, cache: RNNCache, cell: RNNCell) -> RNNStepGrads:
    """Gradients of one RNN step from dh = ∂L/∂h (B, H), everything the loss sends to h."""
    if cell.nonlinearity == "tanh":
        dz = dh * (1 - cache.h**2)  # (B, H)   tanh′(z) = 1 − h²
    else:
        dz = dh * (cache.h > 0)  # (B, H)   relu′(z) = 1 where h > 0
    dx, dh_prev, grads = layer_backward(cell, dz, cache.x, cache.h_prev)
    return RNNStepGrads(dx, dh_prev, grads)


def lstm_step_backward(
    dh: torch.Tensor,
    dc: torch.Tensor,
    cache: LSTMCache,
    cell: LSTMCell,
    truncated_gradient: bool = False,
) -> LSTMStepGrads:
    """Gradients of one LSTM step (the equations of the module docstring).

    Args:
        dh: ∂L/∂h (B, H), from the loss at this step and from the next step's layers.
        dc: ∂L/∂c (B, H) through the next step's cell update only (zeros at the last step).
        truncated_gradient: Hochreiter & Schmidhuber's (1997) truncation: no error flows back
            through the layers' recurrent input h_prev (as if the layers read h_prev detached),
            so dh_prev is zero and the only path back in time is the cell state.
    """
    f, i, g, o, c = cache.f, cache.i, cache.g, cache.o, cache.c
    tanh_c = torch.tanh(c)  # (B, H)
    do = dh * tanh_c  # (B, H)
    dc = dc + dh * o * (1 - tanh_c**2)  # (B, H)
    df, di, dg = dc * cache.c_prev, dc * g, dc * i  # (B, H) each
    dc_prev = dc * f  # (B, H)
    dz = dict(
        f=df * f * (1 - f),
        i=di * i * (1 - i),
        g=dg * (1 - g**2),
        o=do * o * (1 - o),
    )  # each (B, H)
    dx, dh_prev, grads = 0, 0, {}
    for k in GATES:
        dx_k, dh_k, grads[k] = layer_backward(getattr(cell, k), dz[k], cache.x, cache.h_prev)
        dx, dh_prev = dx + dx_k, dh_prev + dh_k  # (B, D), (B, H)
    if truncated_gradient:
        dh_prev = torch.zeros_like(cache.h_prev)  # (B, H)
    return LSTMStepGrads(dx, dh_prev, dc_prev, LSTMGrads(**grads))


Grads = TypeVar("Grads")


def add_grads(a: Grads, b: Grads) -> Grads:
    """Add two gradient containers of the same type, field by field (None stays None)."""
    if a is None:
        return None
    if isinstance(a, torch.Tensor):
        return a + b
    return type(a)(*(add_grads(x, y) for x, y in zip(a, b)))
