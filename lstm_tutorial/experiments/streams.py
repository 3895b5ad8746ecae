"""Minibatches of one long stream for truncated backpropagation through time (Williams & Peng
1990).

The stream ids (N,) is cut into B equal rows, each read left to right in windows of T steps:

    rows        (B, L)      L = N // B; row b is ids[b L : (b + 1) L]
    window k    x = rows[:, kT : kT + T],  y = rows[:, kT + 1 : kT + T + 1]   (B, T) each

Window k + 1 continues window k in every row, so the state the model reached at the end of one
window is the right initial state for the next: carry it over, but ``detach`` it, so gradients
flow back at most T steps (the truncation) while the state itself remembers further back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import torch


class Window(NamedTuple):
    """One minibatch: inputs and the next characters to predict."""

    x: torch.Tensor  # (B, T) ids
    y: torch.Tensor  # (B, T) ids, y[:, t] = the character after x[:, t]


class Streams:
    """``B`` parallel contiguous rows of ``ids``, read in windows of ``T`` steps."""

    def __init__(self, ids: torch.Tensor, batch_size: int, seq_len: int) -> None:
        if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.dtype != torch.int64:
            raise TypeError(f"ids must be a 1-D int64 tensor, got {ids!r:.60}")
        if batch_size < 1 or seq_len < 1:
            raise ValueError(f"batch_size and seq_len must be ≥ 1, got {batch_size}, {seq_len}")
        L = ids.shape[0] // batch_size
        if L < 2:
            raise ValueError(
                f"{ids.shape[0]} ids are too few for {batch_size} rows of at least 2 characters"
            )
        self.rows = ids[: batch_size * L].view(batch_size, L)  # (B, L)
        self.seq_len = seq_len

    def __len__(self) -> int:
        """Windows per pass over the rows."""
        return -(-(self.rows.shape[1] - 1) // self.seq_len)

    def __iter__(self) -> Iterator[Window]:
        """One pass: windows in order (the last one may be shorter)."""
        L, T = self.rows.shape[1], self.seq_len
        for start in range(0, L - 1, T):
            stop = min(start + T, L - 1)
            yield Window(self.rows[:, start:stop], self.rows[:, start + 1 : stop + 1])

    def forever(self) -> Iterator[Window]:
        """Pass after pass; a new pass is a new start, so the caller resets its state there."""
        while True:
            yield from self


def detach(state: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    """The same state values with no history: backpropagation stops here. A named state
    (``LSTMState``) keeps its type."""
    detached = [s.detach() for s in state]
    return type(state)(*detached) if hasattr(state, "_fields") else tuple(detached)
