"""Score notebooks the way nbgrader's autograder does, without nbgrader: run the notebook top to
bottom with errors allowed, then a grade cell (``nbgrader.grade`` true, with ``points``) earns
its points iff it has no error output. A failed check leaves exactly such an error output
(``CheckFailed``), with its one sentence as the feedback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import nbformat


class GradeCell(NamedTuple):
    grade_id: str
    points: float
    score: float
    feedback: str  # the check's sentence ("✓ ..." or the error), for the student


class Score(NamedTuple):
    score: float
    max_score: float
    cells: list[GradeCell]


def score(nb) -> Score:
    """Score an executed notebook: a grade cell earns its points iff it has no error output."""
    cells = []
    for cell in nb.cells:
        grader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not grader.get("grade"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        feedback = (
            f"{errors[0].ename}: {errors[0].evalue}"
            if errors
            else " ".join(text.split("\n")).strip()
        )
        points = float(grader.get("points", 0))
        cells.append(GradeCell(grader["grade_id"], points, 0.0 if errors else points, feedback))
    return Score(sum(c.score for c in cells), sum(c.points for c in cells), cells)


def execute(paths: list[Path | str], timeout: int = 120) -> list:
    """Run each notebook top to bottom, errors allowed (as nbgrader does); return them executed.

    The notebooks share one kernel, so torch is imported once for a whole class set; before each
    one the kernel's namespace is reset (``%reset -f``) and its working directory set to the
    notebook's folder, so a notebook sees nothing of the one before.
    """
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env={**os.environ, "OMP_NUM_THREADS": "1"})
    done = []
    try:
        for path in map(Path, paths):
            nb = nbformat.read(path, as_version=4)
            folder = str(path.resolve().parent)
            reset = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(f"%reset -f\nimport os\nos.chdir({folder!r})")]
            )
            for book, errors in ((reset, False), (nb, True)):
                client = NotebookClient(book, km=km, timeout=timeout, allow_errors=errors)
                client.execute()
                client.kc.stop_channels()
            done.append(nb)
    finally:
        km.shutdown_kernel(now=True)
    return done


def autograde(paths: list[Path | str], timeout: int = 120) -> list[Score]:
    """Run each notebook top to bottom, errors allowed, and score it (see ``execute``)."""
    return [score(nb) for nb in execute(paths, timeout)]
