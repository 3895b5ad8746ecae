"""Plotting helpers with one palette for the whole series (diagrams use the same colours).

Colours are from the Okabe & Ito (2008) colour-blind-safe set, so a gate keeps its colour in
every plot and every diagram: f, i, C̃ (g), o, the cell state c and the hidden state h.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image  # a dependency of matplotlib

# one colour per quantity, the same in every notebook and figure
COLORS = {
    "f": "#D55E00",  # forget gate: vermilion
    "i": "#0072B2",  # input gate: blue
    "g": "#009E73",  # candidate C̃: green
    "o": "#CC79A7",  # output gate: purple
    "c": "#E69F00",  # cell state: orange
    "h": "#56B4E9",  # hidden state: sky blue
    "rnn": "#555555",  # the plain RNN: grey
    "irnn": "#CC79A7",  # the identity-initialised ReLU RNN (Le et al. 2015)
    "lstm": "#0072B2",
    "gru": "#009E73",
}
# a sequence for plots with several lines of the same kind (e.g. weight scales)
CYCLE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def style() -> None:
    """Apply the series' plot style: readable fonts, light grid, the colour cycle."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.8),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=CYCLE),
            "legend.frameon": False,
            "svg.hashsalt": "lstm-tutorial",
        }
    )
    _show_compact_pngs()


PNG_COLORS = 64  # plots are flat colours and anti-aliased edges: 64 are indistinguishable


def compact_png(fig: Figure) -> bytes:
    """The figure as a PNG with a palette of ``PNG_COLORS`` colours: about 4x smaller than
    matplotlib's RGBA PNG, so that notebooks stored with their outputs stay small."""
    rgba = io.BytesIO()
    fig.savefig(rgba, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    image = Image.open(rgba).convert("RGB").quantize(colors=PNG_COLORS)
    png = io.BytesIO()
    image.save(png, format="png", optimize=True)
    return png.getvalue()


def _show_compact_pngs() -> None:
    """In IPython, display every matplotlib figure as a ``compact_png``."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing is displayed
        return
    shell = get_ipython()
    if shell is None:
        return
    if "inline" in mpl.get_backend():
        # importing the inline backend registers its own PNG formatter once; replace it after
        import matplotlib_inline.backend_inline  # noqa: F401
    shell.display_formatter.formatters["image/png"].for_type(Figure, compact_png)


def plot_gradient_vs_lag(
    lags: np.ndarray,
    norms: dict[str, np.ndarray],
    title: str = "How much h_T depends on h_t",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Plot ‖∂h_T/∂h_t‖ against the lag T − t on a log scale, one line per label."""
    if ax is None:
        _, ax = plt.subplots()
    for label, values in norms.items():
        ax.semilogy(lags, values, label=label, lw=2)
    ax.set_xlabel("lag  T − t  (steps)")
    ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|$")
    ax.set_title(title)
    ax.legend(loc="best")
    return ax


def plot_traces(
    steps: np.ndarray,
    series: dict[str, np.ndarray],
    labels: Sequence[str] | None = None,
    ncols: int = 2,
) -> plt.Figure:
    """One small panel per quantity (e.g. f, i, C̃, o, c, h) over time, in the series colours.

    The panels fill ``ncols`` columns row by row; with six quantities and two columns the figure
    is 9.8 × 7 inches, about 980 × 700 pixels at the notebooks' 100 dpi: one screen.
    """
    names = list(series)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.9 * ncols, 2.1 * nrows + 0.7), sharex=True, squeeze=False
    )
    for ax, name, label in zip(axes.flat, names, labels or names):
        ax.plot(steps, series[name], color=COLORS.get(name, "black"), lw=1.5)
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("time step t")
    fig.tight_layout()
    return fig
