"""Run any cell of the package over time: one loop shared by every recurrent cell.

A cell only knows one step (``cell.step(x, state) -> (state, record)``, where ``record.h`` is
the step's output); ``unroll`` repeats it,
``trace`` also keeps every step's record (all gate activations, for plots), and the layers in
``layers.py`` stack and reverse unrolled cells the way ``torch.nn.LSTM`` does.

Shapes: x (T, B, D), or (B, T, D) with ``batch_first=True``; outputs (T, B, H) likewise.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ._validate import check_sequence


def _prepare(cell: nn.Module, x: object, state: Any, batch_first: bool):
    x = check_sequence(x, cell.input_size, cell.dtype, batch_first)
    if batch_first:
        x = x.transpose(0, 1)  # (T, B, D)
    state = cell.initial_state(x[0]) if state is None else cell.check_state(state, x.shape[1])
    return x, state


def time_order(T: int, reverse: bool) -> range:
    """The steps a direction visits: 0 … T − 1, or T − 1 … 0 with ``reverse``."""
    return range(T - 1, -1, -1) if reverse else range(T)


def step_masks(mask: torch.Tensor | None) -> tuple[torch.Tensor, ...] | None:
    """A padding mask (T, B), True up to each sequence's length  ->  T tensors (B, 1), or None."""
    return None if mask is None else mask.unsqueeze(-1).unbind(0)


def _where(mask: torch.Tensor, new: Any, old: Any) -> Any:
    """``new`` where the mask is True, else ``old``: for a tensor or a NamedTuple state."""
    if isinstance(new, torch.Tensor):
        return torch.where(mask, new, old)
    return type(new)(*(torch.where(mask, n, o) for n, o in zip(new, old)))


def run_steps(
    cell: nn.Module,
    x: torch.Tensor,
    state: Any,
    reverse: bool,
    mask: torch.Tensor | None = None,
):
    """x (T, B, D) checked, a checked state  ->  (final state, the T records in time order).

    With ``mask`` (T, B) (padded sequences of different lengths) a sequence's state stops changing
    after its last step, and the reverse direction starts from its own last step.
    """
    masks = step_masks(mask)
    records = [None] * x.shape[0]
    for t in time_order(x.shape[0], reverse):
        new, records[t] = cell.step(x[t], state)
        state = new if masks is None else _where(masks[t], new, state)
    return state, records


def unroll(
    cell: nn.Module,
    x: torch.Tensor,
    state: Any = None,
    *,
    batch_first: bool = False,
    reverse: bool = False,
) -> tuple[torch.Tensor, Any]:
    """Apply ``cell`` at every time step of ``x``.

    Args:
        cell: an ``RNNCell``, ``LSTMCell`` or ``GRUCell`` of this package.
        x: (T, B, D), or (B, T, D) if ``batch_first``.
        state: the initial state (h (B, H) for an RNN or GRU, (h, c) for an LSTM); zeros if None.
        reverse: run from the last step to the first (the backward half of a bidirectional layer);
            outputs stay aligned with the inputs.
    Returns:
        ``(outputs, state)``: outputs (T, B, H) (or (B, T, H)), the h of every step, and the
        state after the last step processed.
    """
    x, state = _prepare(cell, x, state, batch_first)
    state, records = run_steps(cell, x, state, reverse)
    outputs = torch.stack([r.h for r in records])  # (T, B, H)
    return (outputs.transpose(0, 1) if batch_first else outputs), state


def trace(cell: nn.Module, x: torch.Tensor, state: Any = None, *, batch_first: bool = False):
    """Like ``unroll`` but return every activation of every step, stacked over time.

    Returns the cell's record type with each field of shape (T, B, H) (or (B, T, H)): for an
    LSTM ``LSTMStep(f, i, g, o, c, h)``, for an RNN ``RNNStep(h)``.
    """
    x, state = _prepare(cell, x, state, batch_first)
    _, records = run_steps(cell, x, state, reverse=False)
    dim = 1 if batch_first else 0
    return type(records[0])(*(torch.stack(field, dim=dim) for field in zip(*records)))
