"""Score notebooks the way nbgrader's autograder does, without nbgrader: first put the
instructor's locked and grade cells back (``restore``: an edited one is replaced, a deleted one
inserted where it stood, hidden tests included), then run the notebook top to bottom with errors
allowed; a grade cell (``nbgrader.grade`` true, with ``points``) earns its points iff it has no
error output. A failed check leaves exactly such an error output (``CheckFailed``), with its one
sentence as the feedback."""

from __future__ import annotations

import copy
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


DELETED = "lstm_tutorial_restored"  # cell metadata: the submission had deleted this cell


def _id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def restore(nb, instructor) -> list[str]:
    """Put the instructor's version of every locked or grade cell that holds no answer into the
    submission ``nb`` (by grade id): its source replaces the student's, and a cell the student
    deleted is inserted after the cell that came before it. Returns the grade ids that were
    missing."""
    missing, previous = [], None
    for cell in instructor.cells:
        grader = cell.metadata.get("nbgrader", {})
        ids = [_id(c) for c in nb.cells]
        if (grader.get("locked") or grader.get("grade")) and not grader.get("solution"):
            if grader["grade_id"] in ids:
                nb.cells[ids.index(grader["grade_id"])].source = cell.source
            else:
                new = nbformat.from_dict(copy.deepcopy(dict(cell)))
                new.metadata[DELETED] = True
                at = ids.index(previous) + 1 if previous in ids else 0
                nb.cells.insert(at, new)
                missing.append(grader["grade_id"])
        if grader.get("grade_id"):
            previous = grader["grade_id"]
    return missing


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
        if cell.metadata.get(DELETED):
            feedback = f"(this cell was deleted and has been put back) {feedback}"
        points = float(grader.get("points", 0))
        cells.append(GradeCell(grader["grade_id"], points, 0.0 if errors else points, feedback))
    return Score(sum(c.score for c in cells), sum(c.points for c in cells), cells)


def execute(paths: list[Path | str], timeout: int = 120, instructors=None) -> list:
    """Run each notebook top to bottom, errors allowed (as nbgrader does); return them executed.
    ``instructors``: for each path, the instructor's version to ``restore`` from first, or None.

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
        for path, instructor in zip(map(Path, paths), instructors or [None] * len(paths)):
            nb = nbformat.read(path, as_version=4)
            if instructor is not None:
                restore(nb, instructor)
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


def autograde(paths: list[Path | str], timeout: int = 120, instructors=None) -> list[Score]:
    """Run each notebook top to bottom, errors allowed, and score it (see ``execute``)."""
    return [score(nb) for nb in execute(paths, timeout, instructors)]
