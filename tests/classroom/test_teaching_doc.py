"""docs/teaching.md's nbgrader course, run exactly as written: its tagged shell blocks
(```bash teacher-setup, student-fetch, student-submit, teacher-grade, student-feedback), in a
temporary folder outside the clone, for a teacher and two students, each with a home folder of their
own, sharing one exchange folder (on one machine and one OS user, each student's config names
them, as their login would).

Students: ``ada`` writes every answer right; ``ben`` writes the forget gate with tanh, leaves the
input gate and the candidate unwritten, writes the cell update right, and deletes the locked
check cell of the input gate (nbgrader's ``add_missing_cells`` puts it back, with zero points).
Like test_nbgrader.py, this runs in the classroom venv (``make classroom``).
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "teaching.md"
BLOCK = re.compile(r"^```bash ([\w-]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
ASSIGNMENT, COURSE = "gates", "lstm-tutorial"
NOTEBOOKS = ("03_forget_gate", "04_input_gate_and_candidate")
TANH = "f uses tanh instead of σ: a gate must lie between 0 and 1, so use torch.sigmoid."


def blocks() -> dict[str, str]:
    found = dict(BLOCK.findall(DOC.read_text("utf-8")))
    needed = {"teacher-setup", "student-fetch", "student-submit", "teacher-grade"}
    assert needed | {"student-feedback"} <= set(found), sorted(found)
    return found


def shell(script: str, home: Path, login: str, env: dict) -> None:
    env = {**env, "HOME": str(home)}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{login}: the block failed ({done.returncode}):\n{script}\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )


def write_answers(folder: Path, instructor: Path, answers: dict) -> None:
    """In each fetched notebook, replace solution cells by ``answers[grade_id]`` (a source, or
    "instructor" for the instructor's answer); delete the cells whose answer is None."""
    for name in NOTEBOOKS:
        path = folder / f"{name}.ipynb"
        nb = nbformat.read(path, 4)
        right = {
            c.metadata["nbgrader"]["grade_id"]: c.source
            for c in nbformat.read(instructor / f"{name}.ipynb", 4).cells
            if c.metadata.get("nbgrader", {}).get("grade_id")
        }
        kept = []
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers and answers[grade_id] is None:
                continue  # the student deleted this cell
            if grade_id in answers:
                source = right[grade_id] if answers[grade_id] == "instructor" else answers[grade_id]
                cell.source = source
            kept.append(cell)
        nb.cells = kept
        nbformat.write(nb, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    program = Path(sys.executable).parent / "nbgrader"
    if not program.is_file():
        pytest.fail(f"nbgrader is not installed in {sys.prefix}: run `make classroom`.")
    tmp = tmp_path_factory.mktemp("teaching-doc")
    homes = {who: tmp / who for who in ("teacher", "ada", "ben")}
    for home in homes.values():
        home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(
        PATH=f"{program.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        OMP_NUM_THREADS="1",
        LSTM_TUTORIAL=str(ROOT),
        NBGRADER_EXCHANGE=str(tmp / "exchange"),
    )
    doc = blocks()
    shell(doc["teacher-setup"], homes["teacher"], "teacher", env)
    instructor = homes["teacher"] / "courses" / COURSE / "source" / ASSIGNMENT
    for student in ("ada", "ben"):
        # one machine and one OS user here: each student's config names them, as their own
        # login would (nbgrader takes the OS user name otherwise)
        config = homes[student] / ".jupyter" / "nbgrader_config.py"
        config.parent.mkdir()
        config.write_text(f"c.CourseDirectory.student_id = {student!r}\n")
        shell(doc["student-fetch"], homes[student], student, env)
    all_right = {f"03-{n}": "instructor" for n in ("forget_gate",)}
    all_right |= {f"04-{n}": "instructor" for n in ("input_gate", "candidate", "cell_update")}
    write_answers(homes["ada"] / ASSIGNMENT, instructor, all_right)
    tanh = (
        "def forget_gate(x, h_prev, W_f, U_f, b_f):\n"
        "    return torch.tanh(x @ W_f.T + h_prev @ U_f.T + b_f)"
    )
    ben = {"03-forget_gate": tanh, "04-cell_update": "instructor", "04-input_gate-test": None}
    write_answers(homes["ben"] / ASSIGNMENT, instructor, ben)
    for student in ("ada", "ben"):
        shell(doc["student-submit"], homes[student], student, env)
    shell(doc["teacher-grade"], homes["teacher"], "teacher", env)
    for student in ("ada", "ben"):
        shell(doc["student-feedback"], homes[student], student, env)
    return tmp


def feedback(home: Path, name: str) -> str:
    pages = sorted((home / ASSIGNMENT / "feedback").glob(f"*/{name}.html"))
    assert pages, f"no feedback for {name} in {home}"
    text = html.unescape(re.sub(r"<[^>]+>", " ", pages[-1].read_text("utf-8")))
    return " ".join(text.split())


def test_grades_come_back_as_the_checks_say(course):
    grades = (course / "teacher" / "courses" / COURSE / "grades.csv").read_text()
    rows = {line.split(",")[3]: line for line in grades.splitlines()[1:]}
    from nbgrader.api import Gradebook

    url = f"sqlite:///{course / 'teacher' / 'courses' / COURSE / 'gradebook.db'}"
    with Gradebook(url, course_id=COURSE) as gb:
        assert gb.find_submission(ASSIGNMENT, "ada").score == 4
        assert gb.find_submission(ASSIGNMENT, "ben").score == 1  # only the cell update
        assert gb.find_grade("04-input_gate-test", NOTEBOOKS[1], ASSIGNMENT, "ben").score == 0
    assert {"ada", "ben"} <= set(rows), grades


def test_each_student_fetches_feedback_with_the_sentences_and_no_hidden_test(course):
    assert "✓ forget_gate matches" in feedback(course / "ada", NOTEBOOKS[0])
    assert TANH in feedback(course / "ben", NOTEBOOKS[0])
    assert "not written yet" in feedback(course / "ben", NOTEBOOKS[1])
    for student in ("ada", "ben"):
        for name in NOTEBOOKS:
            page = feedback(course / student, name)
            assert "seed=1" not in page and "HIDDEN TESTS" not in page, (student, name)
