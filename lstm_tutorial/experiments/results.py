"""The one results format: what every experiment script writes under results/.

A record is a JSON object: ``experiment`` (its name), ``command`` (the command line that
regenerates it), ``task`` (one sentence), any fields of its own, ``settings``, ``environment``
(torch and Python versions) and ``runs`` (one dict per run). ``num_threads`` pins torch's thread
count while an experiment trains, so its numbers do not depend on the machine.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch


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
