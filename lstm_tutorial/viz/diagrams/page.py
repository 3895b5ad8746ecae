"""The page every diagram is drawn on: a frameless, equal-aspect canvas in data units, and fixed
rcParams so that a figure comes out byte for byte the same whatever style the caller has set."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib.figure import Figure

P, R = ParamSpec("P"), TypeVar("R")
SCALE = 0.5  # inches per data unit
BACKGROUND = "white"
RC = {  # rcParams fixed here so that a notebook's style() cannot change the committed figures
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 12,
    "figure.dpi": 100,
    "savefig.facecolor": BACKGROUND,
}
_BOOST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # axes -> its canvas's boost


def isolated(draw: Callable[P, R]) -> Callable[P, R]:
    """Run a drawing function under matplotlib's defaults plus ``RC``, whatever style the caller
    has set (e.g. ``plots.style()`` in a notebook), so every figure comes out the same."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context():
            mpl.rcdefaults()
            mpl.rcParams.update(RC)
            return draw(*args, **kwargs)

    return wrapper


def canvas(
    xlim: tuple[float, float], ylim: tuple[float, float], scale: float = SCALE, boost: float = 1.0
) -> Figure:
    """A figure whose single axes spans it exactly, ``scale`` inches per data unit, no frame.

    ``boost`` draws text, layer boxes and pointwise circles that much larger in data units: for a
    wide figure (three modules in a row) that a notebook shows shrunk to its column's width.
    """
    width, height = (xlim[1] - xlim[0]) * scale, (ylim[1] - ylim[0]) * scale
    fig = Figure(figsize=(width, height), facecolor=BACKGROUND)  # not pyplot's: shown once
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _BOOST[ax] = boost
    return fig


def boost(ax) -> float:
    """How much larger than usual the canvas draws text and the shapes that hold text."""
    return _BOOST.get(ax, 1.0)


def points_to_data(ax, points: float) -> float:
    """A length in points as a length in data units (the canvas has equal aspect)."""
    return points / 72 / (SCALE * zoom(ax))


def zoom(ax) -> float:
    """Inches per data unit relative to the default ``SCALE``: text and lines shrink with it, so a
    module drawn smaller (in a chain of three) keeps its proportions."""
    inches = ax.figure.get_figwidth() * ax.get_position().width
    return inches / (ax.get_xlim()[1] - ax.get_xlim()[0]) / SCALE
