"""Gate orders across sources, moving a stacked weight from one order to another, and a picture.

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

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

from .plots import COLORS

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


def _check_order(order: object, name: str) -> str:
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
    src, dst = _check_order(src, "src"), _check_order(dst, "dst")
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


def plot_stacked_weight(
    weight: torch.Tensor,
    order: str = "ifgo",
    name: str = "weight_ih_l0",
    ax: plt.Axes | None = None,
    limit: float | None = None,
) -> plt.Axes:
    """Draw a stacked (kH, D) weight as an image with each gate's block outlined and labelled.

    The blocks are outlined in the series' gate colours (``plots.COLORS``) and labelled on the
    left; the colour of a cell is the weight's value, on a scale from -limit to +limit (default:
    the largest |weight|; pass the same limit to panels that should share one scale).
    """
    _check_order(order, "order")
    if not isinstance(weight, torch.Tensor) or weight.dim() != 2:
        raise ValueError(f"weight must be a 2-D tensor ({len(order)}H, D), got {weight!r:.60}")
    rows, cols = weight.shape
    if rows % len(order):
        raise ValueError(
            f"weight has {rows} rows, not {len(order)} equal blocks for order {order!r}"
        )
    H = rows // len(order)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.2 + 0.45 * cols, 0.8 + 0.3 * rows))
    w = weight.detach().cpu().double().numpy()
    limit = limit or float(abs(w).max()) or 1.0
    image = ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="equal")
    side = "h" if "hh" in name else "i"  # torch's names: W_ii, W_if, ... and W_hi, W_hf, ...
    for k, gate in enumerate(order):
        color = COLORS.get(gate, "black")
        box = Rectangle((-0.42, k * H - 0.42), cols - 0.16, H - 0.16, fill=False, lw=3, ec=color)
        ax.add_patch(box)
        symbol = r" ($\tilde{C}$)" if gate == "g" else ""
        label = f"{gate}{symbol}: $W_{{{side}{gate}}}$\nrows {k * H}–{k * H + H - 1}"
        ax.text(-0.8, k * H + (H - 1) / 2, label, color=color, ha="right", va="center", size=11)
    ax.set_xticks(range(cols))
    ax.set_yticks([])
    ax.grid(False)
    ax.set_xlabel("column: " + ("unit of $h_{t-1}$" if side == "h" else "feature of $x_t$"))
    ax.set_title(f"{name}: ({len(order)}H, {'H' if side == 'h' else 'D'}) = {rows}×{cols}")
    plt.colorbar(image, ax=ax, fraction=0.05, pad=0.04, label="value")
    return ax
