"""`make site`: the series builds into a static HTML book from its committed outputs, every
numbered notebook a page in file-name order, the start page as index, every image in place."""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIGURE_LINK = re.compile(r"""\.\./figures/([^)\s"'>]+)""")
# the same command as the Makefile's `site` target, beside this interpreter
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


class Page(HTMLParser):
    """What the test reads from one built page: image sources, prev/next links, output blocks."""

    def __init__(self, path: Path):
        super().__init__()
        self.images: list[str] = []
        self.next: str | None = None
        self.outputs = 0
        self.scripts: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "a" and "right-next" in classes:
            self.next = attrs["href"]
        elif tag == "div" and "cell_output" in classes:
            self.outputs += 1
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The book, built once as `make site` builds it (nothing executed), into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT / "notebooks"), "--all",
         "--config", str(ROOT / "site" / "_config.yml"), "--toc", str(ROOT / "site" / "_toc.yml"),
         "--path-output", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-3000:]
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "the build warned:\n" + "\n".join(warnings)
    return out / "_build" / "html"


def test_the_series_has_its_notebooks():
    assert NOTEBOOKS[0].name == "00_start_here.ipynb" and len(NOTEBOOKS) >= 13


def test_every_notebook_is_a_page_in_order_from_the_start_page(book):
    index = (book / "index.html").read_text(encoding="utf-8")
    assert 'url=00_start_here.html"' in index  # the index redirects to the start page
    order, page = [], "00_start_here.html"
    while page is not None and page not in order:
        assert (book / page).is_file(), f"{order[-1]} links to a missing next page {page}"
        order.append(page)
        page = Page(book / page).next
    assert order == [f"{nb.stem}.html" for nb in NOTEBOOKS]


def test_every_image_is_in_the_build(book):
    for notebook in NOTEBOOKS:
        page = Page(book / f"{notebook.stem}.html")
        missing = [src for src in page.images if not (book / src).is_file()]
        assert not missing, f"{notebook.stem}.html shows missing images {missing}"
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        linked = {
            name
            for cell in cells
            if cell["cell_type"] == "markdown"
            for name in FIGURE_LINK.findall("".join(cell["source"]))
        }
        shown = {Path(src).name for src in page.images}
        assert linked <= shown, f"{notebook.stem}.html lacks the figures {linked - shown}"


def test_pages_show_the_committed_outputs(book):
    """One output block per code cell with outputs: the notebooks' stored results, unexecuted."""
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        stored = sum(1 for c in cells if c["cell_type"] == "code" and c["outputs"])
        assert Page(book / f"{notebook.stem}.html").outputs == stored, notebook.name


def test_maths_is_typeset_by_mathjax(book):
    page = Page(book / "05_output_gate.html")
    assert any("mathjax" in src.lower() for src in page.scripts)
