"""Source text coloured by one unit's activation, character by character, as in Karpathy,
Johnson & Fei-Fei (2015, Figures 2 and 4): blue below zero, white at zero, vermilion above.

``plot_text_activation(text, values)`` lays the characters on a grid (one row per line, one
column per character) and paints each cell by its value, in the series' colours, so the figure
depends on the text and the values only.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from .plots import COLORS

# below zero: the input gate's blue; above: the forget gate's vermilion (Okabe & Ito colours)
DIVERGING = LinearSegmentedColormap.from_list("unit", [COLORS["i"], "#FFFFFF", COLORS["f"]])


def plot_text_activation(
    text: str,
    values: torch.Tensor,
    title: str = "",
    scale: float | None = None,
    width: int = 80,
) -> Figure:
    """text (T characters), values (T,): each character on a background coloured by its value.

    ``scale`` maps ±scale to the full colours (default: the largest |value|); lines longer than
    ``width`` are cut; a newline is drawn as a cell at the end of its line.
    """
    values = torch.as_tensor(values, dtype=torch.float64).flatten()
    if values.shape[0] != len(text):
        raise ValueError(f"expected one value per character ({len(text)}), got {values.shape[0]}")
    lines = text.split("\n")
    grid = np.full((len(lines), width), np.nan)  # (rows, columns), NaN: no character
    k = 0
    for row, line in enumerate(lines):
        for col, _ in enumerate(line + ("\n" if k + len(line) < len(text) else "")):
            if col < width:
                grid[row, col] = float(values[k])
            k += 1
    scale = scale or float(values.abs().max()) or 1.0
    fig, ax = plt.subplots(figsize=(0.115 * width, 0.22 * len(lines) + 0.5))
    ax.imshow(grid, cmap=DIVERGING, vmin=-scale, vmax=scale, aspect="auto", interpolation="none")
    for row, line in enumerate(lines):
        for col, ch in enumerate(line[:width]):
            if ch != " ":
                ax.text(col, row, ch, ha="center", va="center", family="monospace", fontsize=8.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return fig
