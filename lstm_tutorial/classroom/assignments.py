"""Student versions of the tutorial notebooks, from cells in nbgrader's format (schema v3).

A solution cell holds its answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; a
grade cell with ``points`` runs a check; ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``
marks tests students do not see. The student version keeps every line outside the markers (the
``def`` line, the docstring), replaces each answer with ``raise NotImplementedError(...)``, drops
hidden tests, clears outputs, locks the locked cells and embeds the figures; the frozen results a
notebook reads (``../results/NAME.json`` or ``.pt``) are copied to ``results/`` beside it and the
path changed to match, so the folder can be handed out as it is. Scoring is ``grading.py``; with
nbgrader installed, ``nbgrader generate_assignment`` does the same from a course folder
(docs/teaching.md).

    python -m lstm_tutorial.classroom notebooks build/assignments     # build student versions
    python -m lstm_tutorial.classroom --grade build/submitted/*.ipynb  # score submissions
    python -m lstm_tutorial.classroom --solutions notebooks course/source/lstm  # for nbgrader
"""

from __future__ import annotations

import argparse
import base64
import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat

from .grading import autograde

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKDOWN_STUB = "YOUR ANSWER HERE"
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.png)\)")
SOURCE_KEY = "lstm_tutorial"  # notebook metadata: the tutorial notebook a version was built from
TUTORIAL = Path(__file__).resolve().parents[2] / "notebooks"  # in a clone of the repository
RESULTS = re.compile(r"""(["'])\.\./results/([\w.-]+\.(?:json|pt))\1""")  # a frozen result


def _grader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def has_exercises(nb) -> bool:
    return any(_grader(cell).get("solution") or _grader(cell).get("grade") for cell in nb.cells)


def _stub(indent: str, name: str | None) -> str:
    what = f"write {name} here" if name else "write your code here"
    return f'{indent}raise NotImplementedError("{what}, then run the check cell below")'


def _replace_blocks(source: str, begin: str, end: str, where: str, stub: Callable) -> str:
    """``source`` with each block from a ``begin`` line to an ``end`` line replaced by
    ``stub(lines, start)`` (a line, or None to drop the block)."""
    lines, out, start = source.splitlines(), [], None
    for k, line in enumerate(lines):
        if line.strip() == begin:
            if start is not None:
                raise ValueError(f"{where}: {begin} inside another block")
            start = k
        elif line.strip() == end:
            if start is None:
                raise ValueError(f"{where}: {end} without {begin}")
            out += [s for s in [stub(lines, start)] if s is not None]
            start = None
        elif start is None:
            out.append(line)
    if start is not None:
        raise ValueError(f"{where}: {begin} without {end}")
    return "\n".join(out)


def clear_solutions(source: str, markdown: bool = False, where: str = "a cell") -> str:
    """Replace every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block by a stub that names
    the enclosing function (same indentation), or by ``MARKDOWN_STUB``."""

    def stub(lines: list[str], start: int) -> str:
        if markdown:
            return MARKDOWN_STUB
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        defs = (re.match(r"(\s*)def (\w+)\(", line) for line in reversed(lines[:start]))
        name = next((m.group(2) for m in defs if m and len(m.group(1)) < len(indent)), None)
        return _stub(indent, name)

    return _replace_blocks(source, BEGIN, END, where, stub)


def clear_hidden_tests(source: str, where: str = "a cell") -> str:
    """Drop the lines from ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS``."""
    return _replace_blocks(source, BEGIN_HIDDEN, END_HIDDEN, where, lambda lines, start: None)


def _embed_images(cell, folder: Path) -> None:
    """Turn links to PNG files next to the notebook into cell attachments."""

    def attach(match: re.Match) -> str:
        path = folder / match.group(2)
        if not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        cell.setdefault("attachments", {})[path.name] = {"image/png": data}
        return f"![{match.group(1)}](attachment:{path.name})"

    cell.source = IMAGE.sub(attach, cell.source)


def student_version(nb, folder: Path | str = ".", name: str = "notebook", solutions: bool = False):
    """A copy of ``nb`` for students (figures are looked up relative to ``folder``); with
    ``solutions=True`` the instructor's version: answers and hidden tests kept, outputs cleared
    and figures embedded, a self-contained source for ``nbgrader``."""
    nb = copy.deepcopy(nb)
    nb.metadata[SOURCE_KEY] = {"notebook": name}  # how --grade finds the instructor's version
    for k, cell in enumerate(nb.cells):
        where, grader, markdown = f"{name}, cell {k}", _grader(cell), cell.cell_type == "markdown"
        if not solutions:
            cell.source = clear_hidden_tests(cell.source, where)
            if grader.get("solution") and BEGIN in cell.source:
                cell.source = clear_solutions(cell.source, markdown, where)
            elif grader.get("solution"):  # a whole-cell answer, as nbgrader does without markers
                cell.source = MARKDOWN_STUB if markdown else _stub("", None)
            if grader.get("locked"):
                cell.metadata["editable"], cell.metadata["deletable"] = False, False
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.source = RESULTS.sub(r"\1results/\2\1", cell.source)
        elif markdown:
            _embed_images(cell, Path(folder))
    return nb


def results_used(nb) -> list[str]:
    """The result files (``../results/NAME.json`` or ``.pt``) that a notebook's code cells read."""
    return sorted(
        {m.group(2) for c in nb.cells if c.cell_type == "code" for m in RESULTS.finditer(c.source)}
    )


def build(source: Path | str, target: Path | str, solutions: bool = False) -> list[Path]:
    """Write the student (or instructor) version of every notebook in ``source`` that has
    exercises, with the result files they read in ``target/results/``."""
    source, target = Path(source), Path(target)
    if not source.is_dir():
        raise ValueError(f"SOURCE must be a folder of notebooks, got {str(source)!r}")
    if target.resolve() == source.resolve():
        raise ValueError(f"TARGET must differ from SOURCE ({str(source)!r}): it would overwrite")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if has_exercises(nb):
            for name in results_used(nb):
                (target / "results").mkdir(exist_ok=True)
                shutil.copyfile(
                    source.resolve().parent / "results" / name, target / "results" / name
                )
            nbformat.write(
                student_version(nb, path.parent, path.name, solutions), target / path.name
            )
            written.append(target / path.name)
    return written


def instructor_for(path: Path | str, source: Path | str):
    """The instructor's version of the tutorial notebook a submission was made from: named in
    its metadata by the student build, or else the notebook of ``source`` whose name the
    submission's file name contains (``alice_03_forget_gate.ipynb``); None if there is none."""
    path, source = Path(path), Path(source)
    try:
        name = nbformat.read(path, as_version=4).metadata.get(SOURCE_KEY, {}).get("notebook")
    except Exception:  # an unreadable submission: grading will say so
        return None
    if not name or not (source / name).is_file():
        stems = [p.stem for p in source.glob("*.ipynb") if p.stem in path.stem]
        name = max(stems, key=len) + ".ipynb" if stems else None
    if name is None:
        return None
    nb = nbformat.read(source / name, as_version=4)
    return student_version(nb, source, name, solutions=True) if has_exercises(nb) else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lstm_tutorial.classroom")
    parser.add_argument("paths", nargs="+", help="SOURCE TARGET, or notebooks with --grade")
    parser.add_argument("--grade", action="store_true", help="execute and score notebooks")
    parser.add_argument(
        "--solutions", action="store_true", help="build instructor versions (a source for nbgrader)"
    )
    parser.add_argument(
        "--source",
        default=str(TUTORIAL),
        help="with --grade: the tutorial's notebooks, whose locked and grade cells (hidden tests "
        "included) replace the submitted ones, as nbgrader does (default: this clone's notebooks)",
    )
    parser.add_argument(
        "--timeout", type=int, default=120, help="with --grade: seconds a cell may run (120)"
    )
    args = parser.parse_args(argv)
    if args.grade:
        missing = [p for p in args.paths if not Path(p).is_file()]
        if missing:
            parser.error(f"no such notebook: {missing[0]}")
        instructors = [instructor_for(p, args.source) for p in args.paths]
        for path, found in zip(args.paths, instructors):
            if found is None:
                print(f"{path}: no tutorial notebook in {args.source} matches it, so its locked "
                      "cells are graded as submitted and its hidden tests do not run")  # fmt: skip
        scores = autograde(args.paths, args.timeout, instructors=instructors)
        for path, result in zip(args.paths, scores):
            print(f"{path}: {result.score:g} / {result.max_score:g}")
            for cell in result.cells:
                print(f"  {cell.grade_id}: {cell.score:g} / {cell.points:g}  {cell.feedback}")
        return
    if len(args.paths) != 2:
        parser.error(f"expected SOURCE TARGET, got {len(args.paths)} paths")
    try:
        written = build(*args.paths, solutions=args.solutions)
    except ValueError as error:
        parser.error(str(error))
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"no notebook in {args.paths[0]} has nbgrader exercises; nothing written")
