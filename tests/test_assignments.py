"""The student-version builder and nbgrader-style scoring (lstm_tutorial.classroom.assignments).

Executing notebooks is slow (each in a fresh kernel), so one test runs a tiny fixture notebook
in six versions (solution, untouched student version, buggy, edited and deleted submissions)
and another the ones that hang, exit Python or patch the package.
"""

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from lstm_tutorial.classroom import assignments as A
from lstm_tutorial.classroom.grading import execute, score

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "exercises.ipynb"


def split(source: str) -> tuple[list[str], list[str]]:
    """(lines outside, non-blank lines inside) the solution and hidden-test blocks."""
    outside, inside, hidden = [], [], False
    for line in source.splitlines():
        if line.strip() in (A.BEGIN, A.BEGIN_HIDDEN, A.END, A.END_HIDDEN):
            hidden = line.strip().startswith("### BEGIN")
        elif hidden:
            inside += [line.strip()] if line.strip() else []
        else:
            outside.append(line)
    return outside, inside


def assert_student_version(full, student) -> None:
    assert len(full.cells) == len(student.cells)
    text = "\n".join(cell.source for cell in student.cells)
    assert "### BEGIN" not in text and "### END" not in text
    hidden = [line for cell in full.cells for line in split(cell.source)[1]]
    assert hidden, "the notebook has exercises, so it has solution lines"
    for line in hidden:
        assert line not in text, f"solution text left in the student version: {line!r}"
    for before, after in zip(full.cells, student.cells):
        grader = before.metadata.get("nbgrader", {})
        assert after.metadata.get("nbgrader", {}) == grader  # nbgrader can still grade it
        if after.cell_type == "code":
            assert after.outputs == [] and after.execution_count is None
        if grader.get("solution"):  # the def line and the docstring stay; the answer is a stub
            stubs = [ln for ln in after.source.splitlines() if "NotImplementedError" in ln]
            rest = [ln for ln in after.source.splitlines() if ln not in stubs]
            assert rest == (split(before.source)[0] if A.BEGIN in before.source else [])
            assert stubs and all('raise NotImplementedError("write ' in ln for ln in stubs)
        if grader.get("locked"):
            assert after.metadata["editable"] is False and after.metadata["deletable"] is False


def test_student_version_of_the_fixture(tmp_path):
    written = A.build(FIXTURE.parent, tmp_path)
    assert written == [tmp_path / FIXTURE.name]
    full, student = nbformat.read(FIXTURE, 4), nbformat.read(written[0], 4)
    assert_student_version(full, student)
    nbformat.validate(student)
    assert "seed=1" not in student.cells[7].source  # the hidden test is gone ...
    assert "checks.check_cell_update(cell_update)" in student.cells[7].source  # ... not the rest


def test_student_versions_of_the_tutorial_notebooks(tmp_path):
    """The builder on every real notebook that has exercises (no execution: fast)."""
    written = A.build(ROOT / "notebooks", tmp_path)
    assert any(p.name.startswith("01_") for p in written)  # 01 has the rnn_step exercise
    for path in written:
        assert_student_version(
            nbformat.read(ROOT / "notebooks" / path.name, 4), nbformat.read(path, 4)
        )


def test_unbalanced_markers_are_named():
    with pytest.raises(ValueError, match="nb, cell 3: ### BEGIN SOLUTION without ### END"):
        A.clear_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1", where="nb, cell 3")
    with pytest.raises(ValueError, match="### END HIDDEN TESTS without ### BEGIN HIDDEN TESTS"):
        A.clear_hidden_tests("check(f)\n### END HIDDEN TESTS")


def test_stub_keeps_indentation_and_names_the_function():
    source = 'def f(x):\n    """Doc."""\n    y = 2\n    ### BEGIN SOLUTION\n    return x\n'
    source += "    ### END SOLUTION"
    assert A.clear_solutions(source) == (
        'def f(x):\n    """Doc."""\n    y = 2\n'
        '    raise NotImplementedError("write f here, then run the check cell below")'
    )
    assert A.clear_solutions("### BEGIN SOLUTION\nanswer\n### END SOLUTION", markdown=True) == (
        A.MARKDOWN_STUB
    )


def test_figures_are_embedded(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "gate.png").write_bytes(b"\x89PNG fake")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "![a gate](figures/gate.png) and ![gone](figures/no.png)"
            ),
            nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"solution": True}}),
        ]
    )
    cell = A.student_version(nb, tmp_path).cells[0]
    assert cell.source == "![a gate](attachment:gate.png) and ![gone](figures/no.png)"
    assert cell.attachments["gate.png"]["image/png"] == "iVBORyBmYWtl"


# ---- scoring, executed


def submission(student, forget_gate: str, cell_update: str, path: Path) -> Path:
    """The student version with two answers filled in."""
    nb = nbformat.from_dict(student)
    for k, body in ((3, forget_gate), (6, cell_update)):
        header = nb.cells[k].source.splitlines()[:2]  # def line and docstring
        nb.cells[k].source = "\n".join([*header, *("    " + ln for ln in body.splitlines())])
    nbformat.write(nb, path)
    return path


def test_autograde_full_zero_and_partial_marks_with_feedback(tmp_path):
    student_path = A.build(FIXTURE.parent, tmp_path / "release")[0]
    student = nbformat.read(student_path, 4)
    tanh_gate = submission(
        student,
        "return torch.tanh(x @ W_f.T + h_prev @ U_f.T + b_f)",
        "return f * c_prev + i * g",
        tmp_path / "tanh_gate.ipynb",
    )
    no_f = submission(
        student,
        "return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)",
        "c = c_prev + i * g\nreturn c",
        tmp_path / "no_f.ipynb",
    )
    deleted = submission(student, "return torch.sigmoid(x @ W_f.T + h_prev @ U_f.T + b_f)",
                         "return f * c_prev + i * g", tmp_path / "deleted.ipynb")  # fmt: skip
    nb = nbformat.read(deleted, 4)
    nb.cells = [c for c in nb.cells if A._grader(c).get("grade_id") != "fixture-cell_update-test"]
    nbformat.write(nb, deleted)
    edited = submission(student, "return torch.tanh(x @ W_f.T + h_prev @ U_f.T + b_f)",
                        "return f * c_prev + i * g", tmp_path / "edited.ipynb")  # fmt: skip
    nb = nbformat.read(edited, 4)
    for cell in nb.cells:
        if A._grader(cell).get("grade_id") == "fixture-forget_gate-test":
            cell.source = "print('✓ trust me')"  # a locked cell edited anyway
    nbformat.write(nb, edited)
    paths = [FIXTURE, student_path, tanh_gate, no_f, deleted, edited]
    instructors = [None, *(A.instructor_for(p, FIXTURE.parent) for p in paths[1:])]
    assert all(instructors[1:])  # found by the name the student build wrote in the metadata
    full, zero, partial_1, partial_2, put_back, restored = A.autograde(
        paths, instructors=instructors
    )

    assert (full.score, full.max_score) == (3, 3)
    assert all(cell.feedback.startswith("✓ ") for cell in full.cells)
    assert (zero.score, zero.max_score) == (0, 3)
    assert all("is not written yet" in cell.feedback for cell in zero.cells)
    assert partial_1.score == 1  # the forget gate (2 points) fails, the update (1 point) passes
    assert partial_1.cells[0].feedback == (
        "CheckFailed: f uses tanh instead of σ: a gate must lie between 0 and 1, so use "
        "torch.sigmoid."
    )
    assert partial_2.score == 2
    assert "the cell state was not multiplied by f" in partial_2.cells[1].feedback
    # as nbgrader does: a deleted grade cell is put back and run, an edited one is restored
    assert (put_back.score, put_back.max_score) == (3, 3)
    assert put_back.cells[1].feedback.startswith("(this cell was deleted and has been put back) ✓")
    assert (restored.score, restored.max_score) == (1, 3)
    assert restored.cells[0].feedback.startswith("(this locked cell was edited and has been")
    assert "f uses tanh instead of σ" in restored.cells[0].feedback
    assert not any("edited" in c.feedback for r in (zero, partial_1, put_back) for c in r.cells)


def test_a_notebook_that_hangs_or_exits_stops_alone(tmp_path):
    student = nbformat.read(A.build(FIXTURE.parent, tmp_path / "release")[0], 4)
    update = "return f * c_prev + i * g"
    hangs = submission(student, "while True:\n    pass", update, tmp_path / "hangs.ipynb")
    exits = submission(student, "import os\nos._exit(0)", update, tmp_path / "exits.ipynb")
    patches = nbformat.from_dict(student)  # changes the package for whoever comes next
    patch = "import lstm_tutorial.checks as c\nc.check_forget_gate = lambda *a, **k: print('✓')"
    patches.cells.insert(0, nbformat.v4.new_code_cell(patch))
    nbformat.write(patches, tmp_path / "patches.ipynb")
    untouched = tmp_path / "release" / FIXTURE.name
    hung, died, _, after, full = A.autograde(
        [hangs, exits, tmp_path / "patches.ipynb", untouched, FIXTURE], timeout=10
    )
    assert after.score == 0  # a fresh kernel for every notebook: the patch did not reach it
    for result, why in ((hung, "a cell ran longer than 10 s"), (died, "Python stopped")):
        assert (result.score, result.max_score) == (0, 3)  # the cells it did not reach: nothing
        assert all(cell.feedback.startswith(f"not run: {why}") for cell in result.cells)
    assert (full.score, full.max_score) == (3, 3)  # and the next notebook runs as usual


def test_grading_a_missing_file_says_so(tmp_path, capsys):
    with pytest.raises(SystemExit):
        A.main(["--grade", str(tmp_path / "nosuch.ipynb")])
    assert "no such notebook" in capsys.readouterr().err


def test_a_submission_is_matched_to_its_notebook_by_file_name_too(tmp_path):
    nb = nbformat.read(A.build(FIXTURE.parent, tmp_path / "release")[0], 4)
    del nb.metadata[A.SOURCE_KEY]
    nbformat.write(nb, tmp_path / "alice_exercises.ipynb")
    nbformat.write(nb, tmp_path / "alice_homework.ipynb")
    assert A.instructor_for(tmp_path / "alice_exercises.ipynb", FIXTURE.parent) is not None
    assert A.instructor_for(tmp_path / "alice_homework.ipynb", FIXTURE.parent) is None


def test_command_line_builds(tmp_path, capsys):
    A.main([str(FIXTURE.parent), str(tmp_path)])
    assert capsys.readouterr().out == f"wrote {tmp_path / FIXTURE.name}\n"


def test_instructor_version_keeps_the_answers_and_clears_outputs(tmp_path):
    path = A.build(FIXTURE.parent, tmp_path, solutions=True)[0]
    full, source = nbformat.read(FIXTURE, 4), nbformat.read(path, 4)
    assert [c.source for c in source.cells] == [c.source for c in full.cells]
    assert any(c.get("outputs") for c in full.cells)  # the fixture is committed executed ...
    assert not any(c.get("outputs") for c in source.cells)  # ... and nbgrader gets it clean


def test_score_counts_points_of_grade_cells_without_errors():
    v4 = nbformat.v4

    def grade(gid, points, outputs):
        meta = {"nbgrader": {"grade": True, "grade_id": gid, "points": points, "locked": True}}
        return v4.new_code_cell("checks.check_x(x)", metadata=meta, outputs=outputs)

    ok = v4.new_output("stream", name="stdout", text="✓ x matches\n")
    error = v4.new_output("error", ename="CheckFailed", evalue="the bias is missing.", traceback=[])
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(
                "x = 1", outputs=[error]
            ),  # not a grade cell: errors here cost nothing
            grade("a", 2, [ok]),
            grade("b", 3, [ok, error]),
            v4.new_markdown_cell("answer", metadata={"nbgrader": {"grade": True, "points": 5}}),
        ]
    )
    result = score(nb)
    assert (result.score, result.max_score) == (2, 5)
    assert result.cells[0].feedback == "✓ x matches"
    assert result.cells[1].feedback == "CheckFailed: the bias is missing."


def test_command_line_refuses_to_overwrite_the_sources(capsys):
    with pytest.raises(SystemExit):
        A.main([str(FIXTURE.parent), str(FIXTURE.parent)])
    assert "TARGET must differ from SOURCE" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        A.main([str(FIXTURE), "build/x"])
    assert "SOURCE must be a folder of notebooks" in capsys.readouterr().err


# ---- the folder `make assignments` writes, handed out as it is


def answered(student, full):
    """The student version with the instructor's answers written into its solution cells."""
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in full.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    nb = nbformat.from_dict(student)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = "\n".join(
                ln for ln in answers[grade_id].splitlines() if ln.strip() not in (A.BEGIN, A.END)
            )
    return nb


NOT_WRITTEN = re.compile(r"(is|are) not written yet|write \w+ here, then run the check cell below")


def test_the_handed_out_folder_runs_when_answered_and_only_asks_for_answers_untouched(tmp_path):
    """`make assignments`, moved away from the clone (a zip handed out): with the answers filled
    in, every notebook runs top to bottom without an error; untouched, the only errors say that
    an exercise is not written yet (no missing file, module or figure)."""
    built = tmp_path / "built"
    A.build(ROOT / "notebooks", built)
    handout = shutil.copytree(built, tmp_path / "somewhere" / "assignments")  # nothing from ROOT
    answers = tmp_path / "answered"
    shutil.copytree(handout, answers)
    names = sorted(p.name for p in handout.glob("*.ipynb"))
    for name in names:
        full = nbformat.read(ROOT / "notebooks" / name, 4)
        nbformat.write(answered(nbformat.read(handout / name, 4), full), answers / name)
    paths = [answers / n for n in names] + [handout / n for n in names]
    executed = dict(zip(paths, execute(paths, timeout=300)))
    for path, nb in executed.items():
        errors = [(k, o) for k, c in enumerate(nb.cells) for o in c.get("outputs", [])]
        errors = [(k, o) for k, o in errors if o.output_type == "error"]
        if path.parent == answers:
            assert not errors, f"{path.name}, cell {errors[0][0]}: {errors[0][1].evalue}"
        else:
            assert errors, f"{path.name}: an untouched student version must fail its checks"
            for k, o in errors:
                assert NOT_WRITTEN.search(o.evalue) or NOT_WRITTEN.search("".join(o.traceback)), (
                    f"{path.name}, cell {k}: {o.ename}: {o.evalue}"
                )


def test_no_student_version_shows_another_notebooks_answer(tmp_path):
    """Released together, the notebooks must not hand out each other's answers in plain text."""
    written = A.build(ROOT / "notebooks", tmp_path)
    text = "\n".join(c.source for p in written for c in nbformat.read(p, 4).cells)
    for path in written:
        full = nbformat.read(ROOT / "notebooks" / path.name, 4)
        for cell in full.cells:
            for line in split(cell.source)[1]:
                if any(op in line for op in ("@", " * ", "torch.")):  # a formula, not a call
                    assert line not in text, f"{path.name}'s answer appears: {line!r}"
