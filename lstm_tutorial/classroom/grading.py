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
EDITED = "lstm_tutorial_edited"  # cell metadata: the submission had changed this locked cell
NOT_RUN = "lstm_tutorial_not_run"  # cell metadata: the run stopped before this cell finished
STOPPED = "lstm_tutorial_stopped"  # notebook metadata: why the run stopped before the end


def _id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def restore(nb, instructor) -> None:
    """Put the instructor's version of every locked or grade cell that holds no answer into the
    submission ``nb`` (by grade id): its source replaces the student's (marked ``EDITED`` if the
    student had changed it), and a cell the student deleted is inserted after the cell that came
    before it (marked ``DELETED``)."""
    from .assignments import clear_hidden_tests  # (assignments imports this module)

    previous = None
    for cell in instructor.cells:
        grader = cell.metadata.get("nbgrader", {})
        ids = [_id(c) for c in nb.cells]
        if (grader.get("locked") or grader.get("grade")) and not grader.get("solution"):
            if grader["grade_id"] in ids:
                theirs = nb.cells[ids.index(grader["grade_id"])]
                if theirs.source.strip() != clear_hidden_tests(cell.source).strip():
                    theirs.metadata[EDITED] = True
                theirs.source = cell.source
            else:
                new = nbformat.from_dict(copy.deepcopy(dict(cell)))
                new.metadata[DELETED] = True
                at = ids.index(previous) + 1 if previous in ids else 0
                nb.cells.insert(at, new)
        if grader.get("grade_id"):
            previous = grader["grade_id"]


def score(nb) -> Score:
    """Score an executed notebook: a grade cell earns its points iff it has no error output."""
    cells, stopped = [], nb.metadata.get(STOPPED)
    for cell in nb.cells:
        grader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not grader.get("grade"):
            continue
        if stopped and cell.metadata.get(NOT_RUN):  # the run stopped at it, or before it
            points = float(grader.get("points", 0))
            cells.append(GradeCell(grader["grade_id"], points, 0.0, f"not run: {stopped}."))
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
        elif cell.metadata.get(EDITED):
            feedback = f"(this locked cell was edited and has been restored) {feedback}"
        points = float(grader.get("points", 0))
        cells.append(GradeCell(grader["grade_id"], points, 0.0 if errors else points, feedback))
    return Score(sum(c.score for c in cells), sum(c.points for c in cells), cells)


def execute(paths: list[Path | str], timeout: int = 120, instructors=None) -> list:
    """Run each notebook top to bottom in a fresh kernel of its own, errors allowed, as nbgrader
    does; return them executed. ``instructors``: for each path, the instructor's version to
    ``restore`` from first, or None. A notebook runs in its own folder, and nothing it does (a
    module changed, a variable left behind) reaches the next one. A cell that runs longer than
    ``timeout`` seconds, or a kernel that dies, stops that notebook only: the cells it did not
    reach earn nothing (``score`` says why), and the next notebook runs as usual.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    done = []
    for path, instructor in zip(map(Path, paths), instructors or [None] * len(paths)):
        nb = nbformat.read(path, as_version=4)
        if instructor is not None:
            restore(nb, instructor)
        for cell in nb.cells:
            if cell.cell_type == "code":  # the student's own run does not count
                cell.outputs, cell.execution_count = [], None
        folder = str(path.resolve().parent)
        ran: set[int] = set()  # the cells whose execution finished (a reply came back)
        client = NotebookClient(
            nb,
            timeout=timeout,
            allow_errors=True,
            resources={"metadata": {"path": folder}},
            on_cell_executed=lambda cell, cell_index, execute_reply, ran=ran: ran.add(cell_index),
        )
        try:
            client.execute(env={**os.environ, "OMP_NUM_THREADS": "1"})
        except CellTimeoutError:
            nb.metadata[STOPPED] = f"a cell ran longer than {timeout} s (a loop that never ends?)"
        except DeadKernelError:
            nb.metadata[STOPPED] = "Python stopped (the notebook exited or crashed its kernel)"
        for k, cell in enumerate(nb.cells):
            if STOPPED in nb.metadata and cell.cell_type == "code" and k not in ran:
                cell.metadata[NOT_RUN] = True
        done.append(nb)
    return done


def autograde(paths: list[Path | str], timeout: int = 120, instructors=None) -> list[Score]:
    """Run each notebook top to bottom, errors allowed, and score it (see ``execute``)."""
    return [score(nb) for nb in execute(paths, timeout, instructors)]
