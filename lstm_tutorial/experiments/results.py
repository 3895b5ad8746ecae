"""The one results format: what every experiment script writes under results/.

A record is a JSON object: ``experiment`` (its name), ``command`` (the command line that
regenerates it), ``task`` (one sentence), any fields of its own, ``settings``, ``environment``
(torch and Python versions) and ``runs`` (one dict per run). ``parser`` and ``command_line`` give
every script the same flags (--out, --quiet, --quick) and the command line it records.
``num_threads`` pins torch's thread
count while an experiment trains, so its numbers do not depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

PROG = "python -m lstm_tutorial.experiments"


def parser(name: str | None, out_help: str = "JSON file to write") -> argparse.ArgumentParser:
    """An experiment's command line (``name`` None: the name is a positional of its own)."""
    p = argparse.ArgumentParser(prog=PROG if name is None else f"{PROG} {name}")
    p.add_argument("--out", type=Path, required=True, help=out_help)
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--quick", action="store_true", help="a seconds-long smoke version")
    return p


def command_line(name: str, out: Path) -> str:
    """The command that writes ``out``, as its record quotes it (the caller appends flags)."""
    return f"{PROG} {name} --out {out.as_posix()}"


@contextmanager
def num_threads(threads: int | None) -> Iterator[None]:
    """Run the block on ``threads`` torch threads (None leaves the setting alone), then restore."""
    old_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(old_threads)


def write_record(
    path: Path,
    *,
    experiment: str,
    command: str,
    task: str,
    settings: dict,
    runs: list[dict],
    **extra: object,
) -> None:
    """Write one experiment's record to ``path`` (parents created), fields in the order above."""
    record = {
        "experiment": experiment,
        "command": command,
        "task": task,
        **extra,
        "settings": settings,
        "environment": {"torch": torch.__version__, "python": platform.python_version()},
        "runs": runs,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
