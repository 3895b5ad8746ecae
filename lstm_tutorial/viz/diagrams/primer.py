"""The figures that teach the grammar before any cell: the notation legend and a gate alone.

A gate (Hochreiter & Schmidhuber 1997; Gers et al. 2000) is a sigmoid layer followed by a
pointwise multiply: ``a = σ(W x + U h + b)`` lies in (0, 1) entrywise, and ``a ⊙ v`` lets each
entry of v through in proportion.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .grammar import (
    LAYER_H,
    LAYER_W,
    RADIUS,
    junction,
    label,
    layer,
    module,
    pointwise,
    wire,
)
from .page import canvas, isolated

PANEL, ROW = 5.2, 3.6  # size of one legend entry


@isolated
def draw_notation() -> Figure:
    """The legend: layer, pointwise operation, vector transfer, concatenate, copy, crossing."""
    fig = canvas((0, 3 * PANEL), (0, 2 * ROW + 0.2))
    ax = fig.axes[0]
    entries = [
        ("learned layer", r"σ or tanh of $W x + U h + b$"),
        ("pointwise operation", "×, +, tanh: entry by entry"),
        ("vector transfer", "a vector moves along it"),
        ("concatenate", "two lines join at a dot"),
        ("copy", "one line splits at a dot"),
        ("crossing", "a gap: the lines do not touch"),
    ]
    centres = []
    for k, (name, note) in enumerate(entries):
        x, y = (k % 3 + 0.5) * PANEL, (1 - k // 3) * ROW + 0.2
        module(ax, x - PANEL / 2 + 0.15, y, x + PANEL / 2 - 0.15, y + ROW - 0.2)
        label(ax, x, y + 1.05, name, size=13, weight="bold")
        label(ax, x, y + 0.45, note, size=10.5)
        centres.append((x, y + 2.45))
    (x, y), *_ = centres
    layer(ax, x - 0.8, y, "σ")
    layer(ax, x + 0.8, y, "tanh")
    x, y = centres[1]
    pointwise(ax, x - 1.05, y, "×")
    pointwise(ax, x - 0.25, y, "+")
    pointwise(ax, x + 0.85, y, "tanh")
    x, y = centres[2]
    wire(ax, [(x - 1.3, y), (x + 1.3, y)])
    x, y = centres[3]
    wire(ax, [(x - 1.3, y + 0.6), (x - 0.3, y + 0.6), (x - 0.3, y)], arrow=False)
    wire(ax, [(x - 1.3, y - 0.6), (x - 0.3, y - 0.6), (x - 0.3, y)], arrow=False)
    wire(ax, [(x - 0.3, y), (x + 1.3, y)])
    junction(ax, x - 0.3, y)
    x, y = centres[4]
    wire(ax, [(x - 1.3, y), (x + 0.3, y)], arrow=False)
    wire(ax, [(x + 0.3, y), (x + 0.3, y + 0.6), (x + 1.3, y + 0.6)])
    wire(ax, [(x + 0.3, y), (x + 0.3, y - 0.6), (x + 1.3, y - 0.6)])
    junction(ax, x + 0.3, y)
    x, y = centres[5]
    wire(ax, [(x - 1.3, y), (x + 1.3, y)])
    wire(ax, [(x, y - 0.7), (x, y + 0.7)], over=[(x, y)])
    return fig


@isolated
def draw_gate() -> Figure:
    """A gate alone: a sigmoid layer reads h_{t-1} and x_t, and its output multiplies a vector v
    passing through, entry by entry."""
    fig = canvas((-2.1, 15.9), (-1.6, 5.2))
    ax = fig.axes[0]
    xg, yv, yl = 3.0, 3.4, 1.8
    wire(ax, [(-0.6, yv), (xg - RADIUS, yv)])
    pointwise(ax, xg, yv, "×")
    wire(ax, [(xg + RADIUS, yv), (6.2, yv)])
    label(ax, -0.75, yv, r"$v$", ha="right", size=15)
    label(ax, 6.35, yv, r"$a \odot v$", ha="left", size=15)
    wire(ax, [(-0.6, 0.6), (1.4, 0.6)], arrow=False)
    wire(ax, [(1.4, -0.6), (1.4, 0.6)], arrow=False)
    junction(ax, 1.4, 0.6)
    wire(ax, [(1.4, 0.6), (xg, 0.6), (xg, yl - LAYER_H / 2)])
    layer(ax, xg, yl, "σ")
    wire(ax, [(xg, yl + LAYER_H / 2), (xg, yv - RADIUS)])
    label(ax, xg + 0.15, 2.6, r"$a$", ha="left", size=15)
    label(ax, -0.75, 0.6, r"$h_{t-1}$", ha="right")
    label(ax, 1.4, -0.95, r"$x_t$")
    label(ax, xg + LAYER_W / 2 + 0.2, yl - 0.05, "sigmoid layer", ha="left", size=11)
    label(ax, xg + RADIUS + 0.2, yv + 0.45, "pointwise multiply", ha="left", size=11)
    label(ax, -1.9, 4.75, "A gate: a sigmoid layer and a pointwise multiply", ha="left", size=14,
          weight="bold")  # fmt: skip
    notes = [
        r"$a = \sigma(W x_t + U h_{t-1} + b)$",
        "every entry of $a$ lies between 0 and 1:",
        "0 blocks that entry of $v$,",
        "1 lets it through unchanged,",
        "in between lets a fraction through.",
    ]
    for k, note in enumerate(notes):
        label(ax, 8.6, 3.5 - 0.75 * k, note, ha="left", size=14 if k == 0 else 12)
    return fig
