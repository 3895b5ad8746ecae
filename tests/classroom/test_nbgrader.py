"""The exercises under the real nbgrader: one course, generated, submitted, autograded, fed back.

These tests need nbgrader, which stays out of the default environment: they run in the
classroom venv (``.venv-classroom``, ``pip install -e ".[test,classroom]"``), and the main test
run ignores this folder. A module fixture builds one course in a temporary folder, as
docs/teaching.md tells a teacher to: a config, the instructor's notebooks from ``python -m
lstm_tutorial.classroom --solutions`` (the fixture notebook and 03_forget_gate, the fastest
real notebook with an exercise) as the assignment ``lstm``, then ``nbgrader generate_assignment``,
submissions under ``submitted/<student>/lstm/``, ``nbgrader autograde`` and ``nbgrader
generate_feedback``, each the real command line in a subprocess. The tests read the scores from
nbgrader's gradebook and the feedback from its HTML.

Students: ``ada`` hands in the instructor's answers; ``ben`` hands in the released notebooks
untouched; ``cy`` writes the forget gate with tanh (in both notebooks, a correct cell update) and
also edits the locked check cell of the fixture's forget gate so it always passes, which
nbgrader must undo.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lstm_tutorial.classroom import assignments

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "exercises.ipynb"
REAL = "03_forget_gate.ipynb"  # the fastest tutorial notebook with an exercise (~8 s of cells)
COURSE_ID, ASSIGNMENT = "lstm-tutorial", "lstm"
NOTEBOOKS = {"exercises": 3, "03_forget_gate": 1}  # notebook -> points
TANH = "f uses tanh instead of σ: a gate must lie between 0 and 1, so use torch.sigmoid."
MARKERS = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")

CONFIG = f"""\
c = get_config()
c.CourseDirectory.course_id = {COURSE_ID!r}
c.CourseDirectory.root = {{root!r}}
c.Exchange.root = {{exchange!r}}
c.ClearSolutions.code_stub = {{{{
    "python": 'raise NotImplementedError("write your answer here, then run the check cell below")'
}}}}
c.ExecutePreprocessor.timeout = 300
"""


def nbgrader_command() -> Path:
    """The ``nbgrader`` program of this Python's environment; a clear failure if it is missing."""
    program = Path(sys.executable).parent / "nbgrader"
    if not program.is_file():
        pytest.fail(
            f"nbgrader is not installed in {sys.prefix}. These tests run in the classroom venv: "
            "python3 -m venv .venv-classroom, then .venv-classroom/bin/python -m pip install "
            '-e ".[test,classroom]" (torch first), then .venv-classroom/bin/python -m pytest '
            "tests/classroom",
            pytrace=False,
        )
    return program


def run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(
            f"`{' '.join(map(str, args))}` failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def answer_lines(source: str) -> list[str]:
    """The non-blank lines between solution or hidden-test markers."""
    inside, lines = False, []
    for line in source.splitlines():
        match = MARKERS.match(line)
        if match:
            inside = match.group(1) == "BEGIN"
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def fill(nb, answers: dict[str, str]):
    """The released notebook ``nb`` with the bodies of some solution cells written."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            header = cell.source.splitlines()[:2]  # the def line and the docstring
            body = ["    " + line for line in answers[grade_id].splitlines()]
            cell.source = "\n".join([*header, *body])
    return nb


TANH_GATE = "return torch.tanh(x @ W_f.T + h_prev @ U_f.T + b_f)"
CY = {
    "exercises": {
        "fixture-forget_gate": TANH_GATE,
        "fixture-cell_update": "return f * c_prev + i * g",
    },
    "03_forget_gate": {"03-forget_gate": TANH_GATE},
}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    nbgrader = nbgrader_command()
    tmp = tmp_path_factory.mktemp("classroom")
    root, exchange = tmp / "course", tmp / "exchange"
    root.mkdir()
    exchange.mkdir()
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root), exchange=str(exchange)))
    env = {
        **os.environ,
        # nbgrader runs helpers (alembic) from its bin/; the kernels get one thread each
        "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "OMP_NUM_THREADS": "1",
        # no teacher's ~/.jupyter config or kernels (python3 is this venv's), no shared runtime
        "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
    }
    # `python -m lstm_tutorial.classroom --solutions SOURCE TARGET`, called in this process
    # (torch is imported already: a new interpreter for each call cost ~9 s on a busy machine)
    source = root / "source" / ASSIGNMENT
    assignments.main(["--solutions", str(FIXTURE.parent), str(source)])
    assignments.main(["--solutions", str(ROOT / "notebooks"), str(tmp / "instructor")])
    shutil.copy(tmp / "instructor" / REAL, source / REAL)

    run([str(nbgrader), "generate_assignment", ASSIGNMENT], root, env)
    release = root / "release" / ASSIGNMENT
    for name in NOTEBOOKS:
        nb = nbformat.read(release / f"{name}.ipynb", as_version=4)
        cheat = fill(nb, CY[name])
        for cell in cheat.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "fixture-forget_gate-test":
                cell.source = 'print("✓ forget_gate is right")'
        submissions = {
            "ada": nbformat.read(source / f"{name}.ipynb", as_version=4),
            "ben": nb,
            "cy": cheat,
        }
        for student, book in submissions.items():
            folder = root / "submitted" / student / ASSIGNMENT
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(book, folder / f"{name}.ipynb")

    run([str(nbgrader), "autograde", ASSIGNMENT], root, env)
    run([str(nbgrader), "generate_feedback", ASSIGNMENT], root, env)
    return root


def gradebook(root: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=COURSE_ID)


def scores(root: Path, student: str) -> tuple[float, float, dict[str, float]]:
    """(total, maximum, score per notebook) of a student's autograded submission."""
    with gradebook(root) as gb:
        total = gb.find_submission(ASSIGNMENT, student)
        per_notebook = {
            name: gb.find_submission_notebook(name, ASSIGNMENT, student).score for name in NOTEBOOKS
        }
        return total.score, total.max_score, per_notebook


def feedback(root: Path, student: str, name: str) -> str:
    """The text of a student's HTML feedback for one notebook, tags removed."""
    page = (root / "feedback" / student / ASSIGNMENT / f"{name}.html").read_text("utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def test_released_notebooks_hold_no_solution_text(course):
    for name in NOTEBOOKS:
        source = nbformat.read(course / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)
        released = nbformat.read(course / "release" / ASSIGNMENT / f"{name}.ipynb", as_version=4)
        secret = [line for cell in source.cells for line in answer_lines(cell.source)]
        assert secret, f"{name}: the instructor's version has answers"
        text = "\n".join(cell.source for cell in released.cells)
        assert "### BEGIN" not in text and "### END" not in text
        for line in secret:
            assert line not in text, f"{name}: answer left in the released notebook: {line!r}"
        assert "write your answer here, then run the check cell below" in text


def test_the_instructors_answers_get_full_marks(course):
    assert scores(course, "ada") == (4, 4, {"exercises": 3, "03_forget_gate": 1})
    assert "✓ forget_gate matches f = σ(W_f x + U_f h_prev + b_f)" in feedback(
        course, "ada", "03_forget_gate"
    )


def test_the_untouched_student_version_gets_zero(course):
    assert scores(course, "ben") == (0, 4, {"exercises": 0, "03_forget_gate": 0})
    assert "forget_gate is not written yet" in feedback(course, "ben", "03_forget_gate")


def test_a_tanh_forget_gate_gets_partial_marks_and_its_sentence(course):
    # the fixture's cell update (1 of 3 points) is right; both forget gates (2 + 1) are not,
    # even though cy's forget-gate check cell always passed: nbgrader restored the locked cell
    assert scores(course, "cy") == (1, 4, {"exercises": 1, "03_forget_gate": 0})
    for name in NOTEBOOKS:
        assert TANH in feedback(course, "cy", name)
    graded = nbformat.read(course / "autograded" / "cy" / ASSIGNMENT / "exercises.ipynb", 4)
    checks = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in graded.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }
    assert checks["fixture-forget_gate-test"] == "checks.check_forget_gate(forget_gate)"
    hidden = "checks.check_cell_update(cell_update, seed=1, quiet=True)"
    assert hidden in checks["fixture-cell_update-test"]
    with gradebook(course) as gb:
        grade = gb.find_grade("fixture-cell_update-test", "exercises", ASSIGNMENT, "cy")
        assert grade.score == 1  # with its hidden test, put back by nbgrader
        assert gb.find_grade("fixture-forget_gate-test", "exercises", ASSIGNMENT, "cy").score == 0
