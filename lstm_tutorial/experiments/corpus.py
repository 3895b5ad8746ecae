"""A corpus of Python source that every machine has: the running interpreter's standard library.

    files   sorted relative paths of the stdlib's ``.py`` files (no test/ or site-packages),
            the first ones whose sizes add up to ``budget`` bytes
    split   by file, so the validation text is code the model never saw: every ``every``-th file
    vocab   a fixed character set (newline and printable ASCII) and an unknown token at index 0,
            so text from another Python version, or with a non-ASCII character, still encodes

``Vocab.encode`` maps a string to ids (N,), ``Vocab.decode`` back; characters outside the set
become ``UNK`` and decode as ``"\\ufffd"``. The batcher that cuts the id stream into minibatches
for truncated backpropagation through time is in ``streams``.
"""

from __future__ import annotations

import hashlib
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import torch

SKIP = {"test", "tests", "idle_test", "site-packages", "__pycache__"}
UNK = "\ufffd"  # the replacement character stands for every character outside the set
CHARS = UNK + "\n" + "".join(chr(k) for k in range(32, 127))  # index 0 is UNK


def stdlib_root() -> Path:
    """The running interpreter's standard-library folder."""
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_files(root: Path | None = None, budget: int = 2_000_000) -> list[str]:
    """Sorted relative paths of the stdlib's ``.py`` files outside test folders, taken in order
    until their sizes reach ``budget`` bytes."""
    root = stdlib_root() if root is None else Path(root)
    if budget <= 0:
        raise ValueError(f"budget must be a positive number of bytes, got {budget!r}")
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    chosen, total = [], 0
    for path in paths:
        if SKIP.intersection(path.split("/")[:-1]):
            continue
        chosen.append(path)
        total += (root / path).stat().st_size
        if total >= budget:
            break
    return chosen


def read(files: list[str], root: Path | None = None) -> str:
    """The files' text, concatenated in order (undecodable bytes become ``UNK``)."""
    root = stdlib_root() if root is None else Path(root)
    return "".join((root / f).read_bytes().decode("utf-8", errors="replace") for f in files)


def fingerprint(text: str) -> str:
    """A short hash of ``text``: tells whether another interpreter's stdlib is the same text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Vocab:
    """Characters <-> ids; ids outside the set are ``UNK`` (index 0)."""

    chars: str = CHARS

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or self.chars[:1] != UNK:
            raise ValueError("chars must be distinct and start with the unknown token UNK")

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """text (N characters) -> ids (N,) int64."""
        index = {ch: k for k, ch in enumerate(self.chars)}
        return torch.tensor([index.get(ch, 0) for ch in text], dtype=torch.int64)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        """ids (N,) -> text of N characters."""
        return "".join(self.chars[int(k)] for k in ids)


@dataclass(frozen=True)
class Corpus:
    """Training and validation text, split by file."""

    train_files: list[str]
    valid_files: list[str]
    train_text: str
    valid_text: str


def split_files(files: list[str], every: int = 10) -> tuple[list[str], list[str]]:
    """(train, validation): every ``every``-th file (the last of each group) is for validation."""
    if every < 2:
        raise ValueError(f"every must be at least 2 (one file in every), got {every!r}")
    valid = [f for k, f in enumerate(files) if k % every == every - 1]
    train = [f for k, f in enumerate(files) if k % every != every - 1]
    return train, valid


def load_corpus(budget: int = 2_000_000, every: int = 10, root: Path | None = None) -> Corpus:
    """The stdlib corpus: ``stdlib_files`` split by file into training and validation text."""
    train, valid = split_files(stdlib_files(root, budget), every)
    return Corpus(train, valid, read(train, root), read(valid, root))
