"""A continual stream of problems without state resets: the case for the forget gate.

Gers, Schmidhuber & Cummins (2000) added the forget gate because the LSTM of Hochreiter &
Schmidhuber (1997), whose cell state only accumulates (c = c_prev + i ⊙ g, f fixed at 1), needs
its state reset by hand at the start of every sequence. On a continual input stream, with no
marked starts, the cell state grows without bound and the network fails. This module gives a
small stream of that kind:

    recall_stream: S segments of L steps each, concatenated. In every segment one step is marked;
    at the segment's last step (flagged) the network must output the marked value. The next
    segment begins at once, from whatever state the last one left.

    inputs   (B, S·L, 3)   [u, m, q]: a value u ~ U(0, 1), the mark m, the answer flag q
    targets  (B, S)        the marked value of each segment
    outputs  (B, S)        the read-out at each segment's last step

Training (``train_stream``) is truncated backpropagation through time on an endless stream: each
update sees ``window`` new segments and starts from the state the previous update ended with,
detached; the state is never reset. Baseline: the best input-blind answer, the mean 1/2, has a
mean squared error of Var(u) = 1/12.
"""

from __future__ import annotations

import torch
from torch import nn

from ..sequence import unroll
from .results import num_threads
from .streams import detach
from .task import Batch

BASELINE = 1 / 12  # MSE of always answering E[u] = 1/2


def recall_stream(batch_size: int, segments: int, length: int, generator: torch.Generator) -> Batch:
    """``segments`` recall problems of ``length`` steps in one stream: x (B, S·L, 3), y (B, S).

    Drawn in float32 from ``generator``, so a seed gives the same numbers under any default dtype.
    """
    if length < 2 or segments < 1 or batch_size < 1:
        raise ValueError(
            f"need length >= 2, segments >= 1, batch_size >= 1; got length={length}, "
            f"segments={segments}, batch_size={batch_size}"
        )
    B, S, L, f32 = batch_size, segments, length, torch.float32  # float32 whatever the default
    u = torch.rand(B, S, L, generator=generator, dtype=f32)  # (B, S, L)
    marked = torch.randint(0, L - 1, (B, S, 1), generator=generator)  # never the answer step
    m = torch.zeros(B, S, L, dtype=f32).scatter_(2, marked, 1.0)  # (B, S, L)
    q = torch.zeros(B, S, L, dtype=f32)
    q[..., -1] = 1.0  # the answer step
    x = torch.stack([u, m, q], dim=-1).reshape(B, S * L, 3)  # (B, S·L, 3)
    return Batch(x, u.gather(2, marked).squeeze(2))  # targets (B, S)


class StreamModel(nn.Module):
    """A recurrent cell plus a linear read-out at every segment's last step.

    Shapes: x (B, S·L, D), state (the cell's) or None  ->  (outputs (B, S), final state). x is
    converted to the cell's dtype (the streams are drawn in float32).
    """

    def __init__(self, cell: nn.Module, length: int) -> None:
        super().__init__()
        self.cell, self.length = cell, length
        self.readout = nn.Linear(cell.hidden_size, 1, dtype=cell.dtype)

    def forward(self, x: torch.Tensor, state=None):
        h, state = unroll(self.cell, x.to(self.cell.dtype), state, batch_first=True)  # (B, S·L, H)
        answers = h[:, self.length - 1 :: self.length]  # (B, S, H)
        return self.readout(answers).squeeze(-1), state  # (B, S)


def train_stream(
    model: StreamModel,
    steps: int,
    *,
    window: int = 4,
    batch_size: int = 32,
    lr: float = 1e-2,
    clip: float = 1.0,
    seed: int = 0,
) -> list[float]:
    """Adam on ``batch_size`` endless streams, ``window`` segments per update, never reset.

    Returns the training loss (MSE over the window's answers) of every update. Runs on one
    torch thread, as ``train.train`` does; the previous setting is restored afterwards.
    """
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    state, losses = None, []
    with num_threads(1):
        for _ in range(steps):
            x, y = recall_stream(batch_size, window, model.length, gen)
            outputs, state = model(x, state)
            loss = ((outputs - y.to(outputs.dtype)) ** 2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            state = detach(state)  # carried on, never reset
            losses.append(loss.item())
    return losses


@torch.no_grad()
def segment_errors(model: StreamModel, segments: int, batch_size: int = 100, seed: int = 1234):
    """Run ``batch_size`` fresh streams of ``segments`` segments from a zero state.

    Returns (the MSE at each segment position (S,), the final state).
    """
    x, y = recall_stream(batch_size, segments, model.length, torch.Generator().manual_seed(seed))
    outputs, state = model(x)
    return ((outputs - y.to(outputs.dtype)) ** 2).mean(0), state  # (S,)
