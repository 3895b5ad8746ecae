"""Write every figure of the series to PNG files, byte for byte the same on every run.

``render_all("figures")`` is what ``make figures`` runs. PNGs carry no timestamp and no
``Software`` banner; instead they name what made their pixels (matplotlib and FreeType: another
version may place text a pixel differently) and their bytes (Pillow's PNG encoder). The tests
read these back to know whether a fresh drawing must match figures/ pixel for pixel, or byte
for byte.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib as mpl
import matplotlib.image as mpimg
import PIL
from matplotlib import ft2font
from matplotlib.figure import Figure

from .chains import draw_cell_state, draw_lstm_chain, draw_rnn_chain
from .gru import draw_gru_cell
from .lstm_figure import draw_lstm_cell
from .page import BACKGROUND, isolated
from .primer import draw_gate, draw_notation

DPI = 160
RENDERER = f"matplotlib {mpl.__version__}, FreeType {ft2font.__freetype_version__}"
ENCODER = f"Pillow {PIL.__version__}"
METADATA = {
    "Software": None,  # no banner; matplotlib's PNGs carry no timestamp either
    "Source": "lstm_tutorial.viz.diagrams",
    "Renderer": RENDERER,
    "Encoder": ENCODER,
}
# file name (without .png) -> the function that draws it; the order of the contact sheet
FIGURES: dict[str, Callable[[], Figure]] = {
    "notation": draw_notation,
    "rnn_chain": draw_rnn_chain,
    "lstm_chain": draw_lstm_chain,
    "cell_state": draw_cell_state,
    "gate": draw_gate,
    "lstm_cell": draw_lstm_cell,
    "lstm_forget_gate": lambda: draw_lstm_cell("forget"),
    "lstm_input_gate": lambda: draw_lstm_cell("input"),
    "lstm_cell_update": lambda: draw_lstm_cell("update"),
    "lstm_output_gate": lambda: draw_lstm_cell("output"),
    "lstm_peepholes": lambda: draw_lstm_cell(peepholes=True),
    "lstm_coupled": lambda: draw_lstm_cell(coupled=True),
    "gru_cell": draw_gru_cell,
}
OVERVIEW = "overview"


@isolated
def save(fig: Figure, path: str | Path, dpi: int = DPI) -> Path:
    """Save ``fig`` as a deterministic PNG (no timestamp, fixed metadata)."""
    path = Path(path)
    fig.savefig(path, dpi=dpi, facecolor=BACKGROUND, metadata=METADATA)
    return path


@isolated
def draw_overview(paths: list[Path], columns: int = 3) -> Figure:
    """A contact sheet: every figure on one page, each titled by its file name."""
    rows = -(-len(paths) // columns)
    fig = Figure(figsize=(6.0 * columns, 3.0 * rows))
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, path in zip(axes.flat, paths):
        ax.imshow(mpimg.imread(path), interpolation="antialiased")
        ax.set_title(path.name, size=16, family="monospace")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.97, wspace=0.04, hspace=0.18)
    return fig


def render_all(outdir: str | Path = "figures") -> list[Path]:
    """Draw every figure into ``outdir`` (created if missing), then the contact sheet."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [save(draw(), outdir / f"{name}.png") for name, draw in FIGURES.items()]
    return [*paths, save(draw_overview(paths), outdir / f"{OVERVIEW}.png", dpi=110)]


def main(argv: list[str] | None = None) -> None:
    """``python -m lstm_tutorial.viz.diagrams [OUTDIR]``: redraw every figure (default figures/)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        raise SystemExit("usage: python -m lstm_tutorial.viz.diagrams [OUTDIR]  (default: figures)")
    for path in render_all(argv[0] if argv else "figures"):
        print(path)
