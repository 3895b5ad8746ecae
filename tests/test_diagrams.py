"""The diagrams: every figure draws, `make figures` reproduces the committed PNGs byte for byte,
every figure a notebook links to exists, the highlight really greys out the rest, and every
text is readable at the width a notebook shows the figure."""

import json
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from lstm_tutorial.viz import diagrams
from lstm_tutorial.viz.diagrams import grammar, render
from lstm_tutorial.viz.plots import style

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
# the names the notebooks were told to use (plus the plain cell and the contact sheet)
AGREED = {
    "rnn_chain", "lstm_chain", "notation", "cell_state", "gate", "lstm_forget_gate",
    "lstm_input_gate", "lstm_cell_update", "lstm_output_gate", "lstm_peepholes", "lstm_coupled",
    "gru_cell", "overview", "lstm_cell",
}  # fmt: skip
LINK = re.compile(r"""\.\./figures/([^)\s"'>]+)""")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict[str, Path]:
    """Every figure, freshly drawn into a temporary directory (as `make figures` would)."""
    paths = diagrams.render_all(tmp_path_factory.mktemp("figures"))
    return {p.stem: p for p in paths}


def test_every_agreed_figure_is_drawn(drawn):
    assert set(drawn) == AGREED


def test_figures_dir_holds_exactly_the_drawn_figures(drawn):
    committed = {p.stem for p in FIGURES.glob("*.png")}
    assert committed == set(drawn), f"stale or missing in figures/: {committed ^ set(drawn)}"


def _committed(key: str) -> str | None:
    return Image.open(FIGURES / "lstm_cell.png").text.get(key)


def test_regenerating_gives_the_committed_pixels(drawn):
    if _committed("Renderer") != render.RENDERER:  # text may land a pixel apart
        pytest.skip(f"figures/ drawn with {_committed('Renderer')}, this is {render.RENDERER}")

    def pixels(path: Path) -> np.ndarray:
        return np.asarray(Image.open(path).convert("RGBA"))

    differ = [
        n for n, p in drawn.items() if not np.array_equal(pixels(p), pixels(FIGURES / p.name))
    ]
    assert not differ, f"{differ} differ from figures/: run `make figures` and commit"


def test_regenerating_gives_the_committed_files_byte_for_byte(drawn):
    """`make figures` on a clean tree leaves git clean."""
    made_by = (_committed("Renderer"), _committed("Encoder"))
    if made_by != (render.RENDERER, render.ENCODER):
        pytest.skip(f"figures/ made with {made_by}, this is {(render.RENDERER, render.ENCODER)}")
    differ = [n for n, p in drawn.items() if (FIGURES / p.name).read_bytes() != p.read_bytes()]
    assert not differ, f"{differ} differ from figures/: run `make figures` and commit"


def test_pngs_carry_no_timestamp_or_software_banner(drawn):
    for path in drawn.values():
        image = Image.open(path)
        assert image.text == {k: v for k, v in render.METADATA.items() if v is not None}
        assert b"tIME" not in path.read_bytes()
        assert 150 <= image.info["dpi"][0] <= 200 or path.stem == "overview"


def test_nothing_touches_the_edge_of_its_figure(drawn):
    for name, path in drawn.items():
        ink = np.asarray(Image.open(path).convert("RGB")).astype(int).sum(axis=-1) < 750
        rows, cols = np.nonzero(ink)
        assert rows.min() >= 5 and cols.min() >= 5, f"{name} is clipped at the top or left"
        assert ink.shape[1] - cols.max() > 5, f"{name} is clipped on the right"
        assert ink.shape[0] - rows.max() > 5, f"{name} is clipped at the bottom"


def test_every_figure_a_notebook_links_to_exists():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        for cell in cells:
            if cell["cell_type"] == "markdown":
                for name in LINK.findall("".join(cell["source"])):
                    assert (FIGURES / name).is_file(), f"{notebook.name} links ../figures/{name}"


def test_the_link_pattern_finds_markdown_images():
    text = "![the cell](../figures/lstm_cell.png) and <img src='../figures/gate.png'>"
    assert LINK.findall(text) == ["lstm_cell.png", "gate.png"]


def _pixels(fig: Figure, colour: str) -> int:
    """How many pixels of the figure are exactly ``colour`` (the inside of filled shapes)."""
    fig.set_dpi(60)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    return int((rgb == np.round(np.array(to_rgb(colour)) * 255)).all(axis=-1).sum())


@pytest.fixture(scope="module")
def one_layer() -> int:
    """Pixels of one bright layer box: the forget-gate figure shows exactly one."""
    pixels = _pixels(diagrams.draw_lstm_cell("forget"), grammar.LAYER_FILL)
    assert pixels > 100
    return pixels


@pytest.mark.parametrize(
    ("highlight", "layers"), [(None, 4), ("forget", 1), ("input", 2), ("update", 0), ("output", 1)]
)
def test_highlight_keeps_only_its_layers_in_colour(highlight, layers, one_layer):
    assert _pixels(diagrams.draw_lstm_cell(highlight), grammar.LAYER_FILL) == pytest.approx(
        layers * one_layer, rel=0.1, abs=5
    )


def test_coupled_cell_has_three_layers_and_a_one_minus_circle(one_layer):
    coupled = diagrams.draw_lstm_cell(coupled=True)
    assert _pixels(coupled, grammar.LAYER_FILL) == pytest.approx(3 * one_layer, rel=0.1)
    assert any(t.get_text() == "1−" for t in coupled.axes[0].texts)


@pytest.mark.parametrize("peepholes", [True, {"i"}, ("f", "o"), frozenset()])
def test_peephole_subsets_draw_their_equations(peepholes):
    fig = diagrams.draw_lstm_cell(peepholes=peepholes)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    wanted = {"i", "f", "o"} if peepholes is True else set(peepholes)
    assert {g for g in "ifo" if f"p_{g}" in texts} == wanted


def test_figures_ignore_the_callers_style(tmp_path):
    reference = diagrams.save(diagrams.draw_lstm_cell("forget"), tmp_path / "reference.png")
    with mpl.rc_context({"lines.linewidth": 7, "font.size": 30, "font.family": "serif"}):
        style()
        styled = diagrams.save(diagrams.draw_lstm_cell("forget"), tmp_path / "styled.png")
    assert styled.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"highlight": "forgot"}, "highlight must be one of .* got 'forgot'"),
        ({"peepholes": {"x"}}, "peepholes must be .* got \\{'x'\\}"),
        ({"peepholes": "ifo"}, "peepholes must be .* got 'ifo'"),
        ({"coupled": True, "peepholes": {"i"}}, "coupled=True has no input gate"),
    ],
)
def test_bad_options_name_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagrams.draw_lstm_cell(**kwargs)


def test_command_line_rejects_options():
    with pytest.raises(SystemExit, match="usage"):
        render.main(["--help"])


# ---------------------------------------------------------------------------------------------
# Text sizes as a reader sees them: JupyterLab's notebook column is about 980 px wide and shows a
# wider PNG shrunk to fit (a narrower one at its own size). Mathtext draws sub- and superscripts
# at 0.7 of the font size (matplotlib's SHRINK_FACTOR), so those are the smallest glyphs.
COLUMN_PX, SMALLEST_PX, SCRIPT_SHRINK = 980, 11, 0.7
# x_t, h_{t-1}, C_t: the labels every diagram shares
STATE_LABEL = re.compile(r"^\$[xhC]_(\w|\{[^}]*\})\$$")


def shown_px(points: float, dpi: float, width_px: int) -> float:
    """A font size in points as CSS pixels in the notebook column."""
    return points / 72 * dpi * min(1.0, COLUMN_PX / width_px)


def smallest_glyph_px(text: Text, dpi: float, width_px: int) -> float:
    """The smallest glyph of ``text`` as shown: its font size, or a script's if it has one."""
    maths = "".join(text.get_text().split("$")[1::2])
    shrink = SCRIPT_SHRINK if "_" in maths or "^" in maths else 1.0
    return shrink * shown_px(text.get_fontsize(), dpi, width_px)


def figure_texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_shown_px_follows_the_column():
    # a 1960 px wide PNG at 144 dpi is shown at half size: 10 pt -> 20 px in the file -> 10 px
    assert shown_px(10, 144, 1960) == pytest.approx(10.0)
    assert shown_px(10, 144, 490) == pytest.approx(20.0)  # narrower than the column: not enlarged
    fig = Figure()
    text = fig.text(0, 0, r"$h_{t-1}$", size=10)
    assert smallest_glyph_px(text, 144, 490) == pytest.approx(14.0)


@pytest.mark.parametrize("name", [*render.FIGURES, render.OVERVIEW])
def test_every_text_is_readable_in_the_notebook_column(name, drawn):
    """Every glyph, subscripts included, at least 11 px tall as JupyterLab shows the PNG."""
    if name == render.OVERVIEW:  # its thumbnails are pictures; its own text is the titles
        fig, dpi = diagrams.draw_overview([drawn[n] for n in render.FIGURES]), 110
    else:
        fig, dpi = render.FIGURES[name](), render.DPI
    width_px = Image.open(drawn[name]).size[0]
    assert width_px == round(fig.get_figwidth() * dpi)
    sizes = {t.get_text(): smallest_glyph_px(t, dpi, width_px) for t in figure_texts(fig)}
    small = {s: round(px, 1) for s, px in sizes.items() if px < SMALLEST_PX}
    assert sizes and not small, f"{name}: shown below {SMALLEST_PX} px at {COLUMN_PX} px: {small}"


def test_the_shared_labels_look_the_same_size_in_every_figure(drawn):
    """x_t, h_t and C_t are shown at 15-24 px wherever they appear, not tiny in one figure and
    huge in the next."""
    seen = {}
    for name, draw in render.FIGURES.items():
        width_px = Image.open(drawn[name]).size[0]
        for t in figure_texts(draw()):
            if STATE_LABEL.match(t.get_text()):
                seen[name, t.get_text()] = shown_px(t.get_fontsize(), render.DPI, width_px)
    assert len({name for name, _ in seen}) >= 10
    off = {k: round(px, 1) for k, px in seen.items() if not 15 <= px <= 24}
    assert not off, f"state labels outside 15-24 px: {off}"
