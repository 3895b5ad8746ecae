"""Notebook figures are stored as palette PNGs: same pixels size, a fraction of the bytes."""

import io

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from lstm_tutorial.viz.plots import PNG_COLORS, compact_png, style


def test_compact_png_is_a_small_palette_image_of_the_same_figure():
    style()
    fig, ax = plt.subplots()
    t = np.linspace(0, 10, 500)
    for k in range(5):
        ax.semilogy(t, np.exp(-k * t / 3) + 1e-9, label=f"k = {k}")
    ax.legend()
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    small = compact_png(fig)
    plt.close(fig)
    a, b = Image.open(full), Image.open(io.BytesIO(small))
    assert b.mode == "P" and len(b.getcolors()) <= PNG_COLORS
    assert b.size == a.size
    assert len(small) < 0.6 * len(full.getvalue())
    # the picture is the same up to palette rounding
    diff = np.abs(np.asarray(a.convert("RGB"), float) - np.asarray(b.convert("RGB"), float))
    assert diff.mean() < 2.0
