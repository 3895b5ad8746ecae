"""The nbval settings at the repository root apply to notebooks/ as the Makefile runs them.

conftest.py (root) drops stderr from nbval's comparison. The fixture notebook prints a different
warning from the one it stored, and the same stdout: it passes with the root conftest and fails
without it, so the test shows the setting is wired, not merely present.
"""

import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = "tests/fixtures/stderr_differs.ipynb"


def _nbval_flags() -> list[str]:
    line = next(ln for ln in (ROOT / "Makefile").read_text().splitlines() if ln.startswith("NBVAL"))
    return shlex.split(line.split(":=", 1)[1])


def _run(*extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pytest", FIXTURE, *_nbval_flags(), "-p", "no:xdist", "-q", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_makefile_names_the_sanitize_file_at_the_root():
    flags = _nbval_flags()
    cfg = flags[flags.index("--nbval-sanitize-with") + 1]
    assert (ROOT / cfg).is_file()
    assert not (ROOT / "notebooks" / "conftest.py").exists()
    assert not any(p.suffix == ".cfg" for p in (ROOT / "notebooks").iterdir())


def test_stderr_is_not_compared_with_the_root_conftest_and_is_without_it():
    assert _run().returncode == 0
    without = _run("--noconftest")
    assert without.returncode == 1 and "stderr" in without.stdout
