"""A stacked recurrent weight drawn as an image, each gate's block outlined in its colour."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

from ..notation import check_order
from .plots import COLORS


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
    check_order(order, "order")
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
