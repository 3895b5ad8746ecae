"""The visual grammar every diagram shares: layers, pointwise operations, wires, junctions, labels.

One rule per shape, after the diagrams of Olah (2015), "Understanding LSTM Networks", drawn anew:
- a learned layer (``W x + U h + b`` then σ or tanh) is a yellow rounded rectangle;
- a pointwise operation (×, +, 1 −) is a pink circle, or a pink pill for a word (tanh);
- a vector travelling is a line ending in an arrow;
- two lines meeting at a dot are concatenated; one line splitting at a dot is copied;
- a line that crosses another without a dot does not touch it (a gap is cut around it).

Shapes are placed in data units on a ``page.canvas``, so a module drawn at an offset looks the
same wherever it is placed. ``Ink`` decides the colours: with a highlight, parts outside it are
drawn in light grey. Font sizes are in points at zoom 1; a wide figure, which a notebook shows
shrunk to its ~980 px column, draws its labels larger (tests/test_diagrams.py keeps every glyph,
subscripts included, at 11 px or more as shown).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, PathPatch
from matplotlib.path import Path

from ..plots import COLORS
from .page import boost, points_to_data, zoom

# ---------------------------------------------------------------------------------------------
# palette: the shapes' colours; the quantities (f, i, g, o, c, h) keep their plots.COLORS colours
LAYER_FILL, LAYER_EDGE = "#F6D55C", "#A68A1F"  # learned layers: yellow
POINT_FILL, POINT_EDGE = "#F4B0C4", "#B0516E"  # pointwise operations: pink
MODULE_FILL, MODULE_EDGE = "#EDF2F5", "#98A9B5"  # the repeated module's background
WIRE = "#333333"  # a vector with no colour of its own
DIM, DIM_FILL, DIM_TEXT = "#D3D3D3", "#F3F3F3", "#B4B4B4"  # everything outside the highlight
STATE = COLORS["c"]  # the cell state line

LAYER_W, LAYER_H = 1.1, 0.62  # a layer's box, in data units
RADIUS = 0.3  # a pointwise operation's circle
PILL = 1.6  # a pointwise word (tanh) sits in a pill this many radii wide on each side
POINTWISE_WORD = 11  # points: the word in a pill, as large as a layer's label (11.5)
LW, STATE_LW = 1.8, 4.5  # line widths in points: a wire, the cell-state "conveyor belt"


@dataclass(frozen=True)
class Ink:
    """Colours for one element: ``Ink(highlight)(parts)`` is bright if the highlight is among
    ``parts`` (or there is no highlight), dim otherwise."""

    highlight: str | None = None

    def __call__(self, parts: Iterable[str]) -> bool:
        return self.highlight is None or self.highlight in set(parts)


def radius(ax) -> float:
    """A pointwise operation's radius on this canvas (``RADIUS``, boosted)."""
    return RADIUS * boost(ax)


def layer_size(ax) -> tuple[float, float]:
    """A layer box's width and height on this canvas (``LAYER_W`` by ``LAYER_H``, boosted: the
    height fully, the width by half as much, so that boxes side by side keep their gaps)."""
    return LAYER_W * (1 + boost(ax)) / 2, LAYER_H * boost(ax)


# ---------------------------------------------------------------------------------------------
def layer(ax, x: float, y: float, text: str, bright: bool = True, w: float | None = None) -> None:
    """A learned layer centred at (x, y): a yellow rounded box labelled σ or tanh."""
    box_w, h = layer_size(ax)
    w = box_w if w is None else w
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.14",
            facecolor=LAYER_FILL if bright else DIM_FILL,
            edgecolor=LAYER_EDGE if bright else DIM,
            lw=1.4 * zoom(ax),
            zorder=4,
        )
    )
    _text(ax, x, y, text, bright, size=13 if text == "σ" else 11.5)


def pointwise(ax, x: float, y: float, text: str, bright: bool = True) -> None:
    """A pointwise operation centred at (x, y): a pink circle labelled ×, + or 1−, or a pink pill
    (a circle stretched sideways) labelled tanh, wide enough for the word at a legible size."""
    r, half = radius(ax), pointwise_half_width(ax, text)
    ax.add_patch(
        PathPatch(
            _stadium(x, y, r, half - r),
            facecolor=POINT_FILL if bright else DIM_FILL,
            edgecolor=POINT_EDGE if bright else DIM,
            lw=1.4 * zoom(ax),
            zorder=4,
        )
    )
    size = {"×": 15, "+": 15, "1−": 11.5}.get(text, POINTWISE_WORD)
    _text(ax, x, y + (0.01 if size > 14 else 0), text, bright, size=size)


def _stadium(x: float, y: float, r: float, reach: float) -> Path:
    """A circle of radius r centred at (x, y), its two halves pulled ``reach`` apart sideways."""
    right, left = Path.arc(-90, 90), Path.arc(90, 270)
    vertices = np.concatenate(
        [right.vertices * r + (x + reach, y), left.vertices * r + (x - reach, y)]
    )
    codes = np.concatenate([right.codes, left.codes])
    codes[len(right.codes)] = Path.LINETO  # the straight top edge joins the two halves
    return Path(np.concatenate([vertices, vertices[:1]]), [*codes, Path.CLOSEPOLY])


def pointwise_half_width(ax, text: str) -> float:
    """Half the width of a pointwise operation's shape: a circle's radius, or a pill's half
    width for a word (tanh). Wires that meet the shape from the side end here."""
    return radius(ax) * (PILL if len(text) > 2 else 1.0)


def wire(
    ax,
    points: Sequence[tuple[float, float]],
    color: str = WIRE,
    bright: bool = True,
    arrow: bool = True,
    lw: float = LW,
    over: Sequence[tuple[float, float]] = (),
) -> None:
    """A vector travelling along ``points``, ending in an arrowhead. ``over`` lists the points
    where it crosses another line without touching it: a gap is cut into that line there."""
    color = color if bright else DIM
    lw = lw * zoom(ax)
    for cx, cy in over:
        vertical = any(
            xa == xb == cx and min(ya, yb) <= cy <= max(ya, yb)
            for (xa, ya), (xb, yb) in itertools.pairwise(points)
        )
        half = points_to_data(ax, lw / 2 + 2.5 * zoom(ax))
        xs, ys = (
            ([cx - half, cx + half], [cy, cy]) if vertical else ([cx, cx], [cy - half, cy + half])
        )
        thick = (STATE_LW + 2) * zoom(ax)
        ax.plot(xs, ys, color=MODULE_FILL, lw=thick, solid_capstyle="butt", zorder=2.7)
    z = 3 if over else 2
    head_length = 0.35 * lw + 6.0 * zoom(ax)  # points
    head_width = 0.25 * lw + 3.2 * zoom(ax)
    xs, ys = [list(v) for v in zip(*points)]
    if arrow:  # stop the line inside the arrowhead so that its square end cannot show at the tip
        (xa, ya), (xb, yb) = points[-2], points[-1]
        back = min(0.6 * points_to_data(ax, head_length), 0.9 * math.hypot(xb - xa, yb - ya))
        norm = math.hypot(xb - xa, yb - ya)
        xs[-1], ys[-1] = xb - back * (xb - xa) / norm, yb - back * (yb - ya) / norm
    ax.plot(xs, ys, color=color, lw=lw, solid_joinstyle="miter", zorder=z)
    if arrow:
        head = FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle=f"-|>,head_length={head_length:.2f},head_width={head_width:.2f}",
            color=color,
            lw=0,
            shrinkA=0,
            shrinkB=0,
            mutation_scale=1,
            zorder=z + 0.5,
        )
        ax.add_patch(head)


def state_line(ax, y: float, x_times: float, x_plus: float, x_end: float, color: str) -> None:
    """A cell's thick state line: in from the left, scaled at a pointwise ×, added to at a
    pointwise +, out to the right (the LSTM's cell state; the GRU's merged state)."""
    state = {"color": color, "lw": STATE_LW}
    wire(ax, [(-1, y), (x_times - RADIUS, y)], **state)
    pointwise(ax, x_times, y, "×")
    wire(ax, [(x_times + RADIUS, y), (x_plus - RADIUS, y)], **state)
    pointwise(ax, x_plus, y, "+")
    wire(ax, [(x_plus + RADIUS, y), (x_end, y)], **state)


def junction(ax, x: float, y: float, color: str = WIRE, bright: bool = True, size=4.5) -> None:
    """The dot where lines merge (concatenate) or split (copy)."""
    ax.plot([x], [y], "o", ms=size * zoom(ax), color=color if bright else DIM, zorder=3.6)


def label(ax, x: float, y: float, text: str, bright: bool = True, color: str = "black", **kw):
    """A mathtext label, e.g. ``label(ax, 0, 0, r"$C_{t-1}$", ha="right")``."""
    kw["size"] = kw.get("size", 13) * zoom(ax) * boost(ax)
    kw.setdefault("ha", "center")
    kw.setdefault("va", "center")
    ax.text(x, y, text, color=color if bright else DIM_TEXT, zorder=6, **kw)


def module(ax, x0: float, y0: float, x1: float, y1: float, bright: bool = True) -> None:
    """The background of one repeated module (one time step)."""
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            boxstyle="round,pad=0,rounding_size=0.45",
            facecolor=MODULE_FILL,
            edgecolor=MODULE_EDGE if bright else DIM,
            lw=1.4 * zoom(ax),
            zorder=0,
        )
    )


def _text(ax, x: float, y: float, text: str, bright: bool, size: float) -> None:
    ax.text(
        x, y, text, ha="center", va="center", size=size * zoom(ax) * boost(ax),
        color="black" if bright else DIM_TEXT,
        zorder=5,
    )  # fmt: skip
