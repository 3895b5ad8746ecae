"""Recurrent networks unrolled in time: the same module, with the same weights, at every step.

- the plain RNN of Elman (1990): one tanh layer, ``h_t = tanh(W x_t + U h_{t-1} + b)``;
- the LSTM of Hochreiter & Schmidhuber (1997): four interacting layers (``lstm_cell.py``);
- the cell state on its own: the line through the LSTM that only × and + touch.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..plots import COLORS
from .grammar import (
    LAYER_H,
    RADIUS,
    STATE,
    junction,
    label,
    layer,
    module,
    state_line,
    wire,
)
from .lstm_cell import XF, XG, YC, lstm_module
from .page import canvas, isolated

STEPS = ("t-1", "t", "t+1")
RNN_SPACING, LSTM_SPACING = 5.6, 11.6  # one module plus the gap to the next
CHAIN_BOOST = 1.55  # the LSTM chain is shown shrunk to a notebook's width: larger text and shapes
MUTED = "#666666"  # a remark, not a label
YH = 1.2  # the level h_{t-1} enters at, as in the LSTM module


def rnn_module(ax, x0: float, t: str = "t", left: bool = True, right: bool = True) -> None:
    """One RNN module with its left edge at x0: h_{t-1} and x_t merge, pass one tanh layer, and
    h_t leaves both upward (the output) and to the right (the next step)."""

    def P(*xy):
        return [(x0 + x, y) for x, y in xy]

    module(ax, x0, 0.4, x0 + 4.0, 4.4)
    wire(ax, P((-0.8, YH), (0.9, YH)), arrow=False)
    wire(ax, P((0.9, -0.6), (0.9, YH)), arrow=False)
    junction(ax, x0 + 0.9, YH)
    wire(ax, P((0.9, YH), (2.0, YH), (2.0, 2.4 - LAYER_H / 2)))
    layer(ax, x0 + 2.0, 2.4, "tanh")
    wire(ax, P((2.0, 2.4 + LAYER_H / 2), (2.0, 3.4), (3.1, 3.4)), arrow=False)
    junction(ax, x0 + 3.1, 3.4)
    wire(ax, P((3.1, 3.4), (3.1, 5.4)))
    wire(ax, P((3.1, 3.4), (3.1, YH), (4.8, YH)))
    label(ax, x0 + 0.9, -0.95, rf"$x_{{{t}}}$")
    label(ax, x0 + 3.1, 5.78, rf"$h_{{{t}}}$")
    if left:
        prev = {"t-1": "t-2", "t": "t-1", "t+1": "t"}[t]
        label(ax, x0 - 0.95, YH, rf"$h_{{{prev}}}$", ha="right")
    if right:
        label(ax, x0 + 4.95, YH, rf"$h_{{{t}}}$", ha="left")


@isolated
def draw_rnn_chain() -> Figure:
    """Three steps of a plain RNN, each module a single tanh layer."""
    fig = canvas((-2.4, 2 * RNN_SPACING + 6.3), (-1.6, 7.0))
    ax = fig.axes[0]
    for k, t in enumerate(STEPS):
        rnn_module(ax, k * RNN_SPACING, t, left=k == 0, right=k == 2)
    label(ax, -2.2, 6.55, "A plain RNN, unrolled: one tanh layer per step", ha="left", size=14,
          weight="bold")  # fmt: skip
    return fig


@isolated
def draw_lstm_chain() -> Figure:
    """Three steps of an LSTM, each module with its four interacting layers. Text and shapes are
    boosted so that the labels stay legible when a notebook shrinks the figure to its width."""
    right = 2 * LSTM_SPACING + 12.9
    fig = canvas((-3.3, right), (-1.8, 9.0), scale=0.36, boost=CHAIN_BOOST)
    ax = fig.axes[0]
    for k, t in enumerate(STEPS):
        lstm_module(ax, k * LSTM_SPACING, t=t, left=k == 0, right=k == 2, gate_labels=False,
                    state_size=17)  # fmt: skip
    label(ax, -3.1, 8.4, "An LSTM, unrolled: four interacting layers per step", ha="left",
          size=16, weight="bold")  # fmt: skip
    return fig


@isolated
def draw_cell_state() -> Figure:
    """The top of the LSTM module: the cell state runs straight through, touched only by a
    pointwise × (scale) and a pointwise + (add). The rest of the module is left out: the two
    vectors that touch the line come up from below, labelled with where they are made."""
    fig = canvas((-2.4, 12.6), (-0.2, 8.4))
    ax = fig.axes[0]
    module(ax, 0.0, 0.4, 10.0, 6.0)
    state_line(ax, YC, XF, XG, 11, STATE)
    wire(ax, [(XF, 2.2), (XF, YC - RADIUS)], color=COLORS["f"])
    wire(ax, [(XG, 2.2), (XG, YC - RADIUS)])
    label(ax, XF + 0.15, 3.6, r"$f_t$", color=COLORS["f"], ha="left")
    label(ax, XG + 0.15, 3.6, r"$i_t \odot \tilde{C}_t$", ha="left")
    label(ax, XF, 1.45, "from the\nforget gate", color=COLORS["f"], size=11, linespacing=1.3)
    label(ax, XG, 1.45, "from the input gate\n× the candidate", size=11, linespacing=1.3)
    label(ax, 8.45, 1.45, "(the layers that\nmake them: not\ndrawn here)", color=MUTED, size=10,
          linespacing=1.3)  # fmt: skip
    label(ax, -1.15, YC, r"$C_{t-1}$", ha="right")
    label(ax, 11.15, YC, r"$C_t$", ha="left")
    label(ax, -2.2, 7.9, "The cell state", ha="left", size=14, weight="bold")
    label(ax, -2.2, 7.25, "runs through every step; the cell only scales it (×) and adds to it (+)",
          ha="left", size=12)  # fmt: skip
    label(ax, 5.0, 6.45, r"$C_t = f_t \odot C_{t-1} + i_t \odot \tilde{C}_t$", size=14)
    return fig
