"""Gate orders across sources, and moving a stacked weight from one order to another.

Implementations that stack the four LSTM layers into one matrix each pick an order of the blocks.
In this package's letters (i input, f forget, g candidate C̃, o output):

    PyTorch nn.LSTM / cuDNN          i, f, g, o      weight (4H, D), acts as  x @ W.T
    Keras LSTM                        i, f, c, o      kernel (D, 4H), acts as  x @ kernel
    TensorFlow 1 LSTMCell             i, j, f, o      j is the candidate
    CS231n (assignment 3), char-rnn   i, f, o, g

The GRU has three blocks; torch stacks them r, z, n (Cho et al. 2014 name them r, z and h̃).
A wrong order does not fail loudly: the shapes agree, only the numbers are wrong. Hence
``reorder_gates``, which also insists that both orders name the same gates.
"""

from __future__ import annotations

import torch

# the order of the stacked blocks, in this package's letters (candidate = g)
GATE_ORDERS = {
    "pytorch": "ifgo",
    "cudnn": "ifgo",
    "keras": "ifgo",
    "tensorflow1": "igfo",
    "cs231n": "ifog",
    "char-rnn": "ifog",
    "pytorch-gru": "rzn",
}


def check_order(order: object, name: str) -> str:
    """Return ``order`` if it is a string naming each gate once, else raise."""
    if not isinstance(order, str) or not order:
        raise TypeError(f"{name} must be a string of gate letters such as 'ifgo', got {order!r}")
    if len(set(order)) != len(order):
        raise ValueError(f"{name} must name each gate once, got {order!r}")
    return order


def reorder_gates(
    weight: torch.Tensor, src: str = "ifog", dst: str = "ifgo", dim: int = 0
) -> torch.Tensor:
    """Return ``weight`` with its stacked gate blocks moved from order ``src`` to order ``dst``.

    Args:
        weight: a stacked weight or bias, e.g. (4H, D), (4H, H) or (4H,); the gates are
            ``len(src)`` equal blocks along ``dim`` (use ``dim=1`` for a Keras kernel (D, 4H)).
        src, dst: the block orders, one letter per gate, e.g. "ifog" (CS231n) and "ifgo"
            (torch); ``dst`` must be a rearrangement of ``src``.
    Returns a new tensor of the same shape (never a view of ``weight``).
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    src, dst = check_order(src, "src"), check_order(dst, "dst")
    if sorted(src) != sorted(dst):
        raise ValueError(f"dst must name the same gates as src, got src={src!r} and dst={dst!r}")
    if not -weight.dim() <= dim < weight.dim():
        raise ValueError(f"dim must be in [{-weight.dim()}, {weight.dim()}), got {dim}")
    n, k = weight.shape[dim], len(src)
    if n % k:
        raise ValueError(
            f"weight has {n} rows along dim {dim}, not divisible into {k} gate blocks "
            f"({src!r}); expected {k}H rows, shape {tuple(weight.shape)}"
        )
    blocks = dict(zip(src, weight.chunk(k, dim=dim)))  # each (H, ...) along dim
    return torch.cat([blocks[gate] for gate in dst], dim=dim)
