"""An interval-reproduction task for the peephole experiment (notebook 08).

Spikes at t = 0 and t = d; the network must answer with a spike at t = 2d, in the spirit of the
timing tasks of Gers, Schraudolph & Schmidhuber (2002). ``interval_task(d_min, d_max)`` builds it;
``interval_problem(T)`` is the same task sized by its length, as the sweep runner names tasks.
"""

from __future__ import annotations

import math

import torch

from .task import Batch, Task


def spike_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of sequences whose most spike-like step of the window is the right one.

    outputs (B, K, 2), targets (B, K) with one 1 per row.
    """
    return (outputs[..., 1].argmax(1) == targets.argmax(1)).double().mean().item()


def interval_task(d_min: int = 6, d_max: int = 10) -> Task:
    """Reproduce an interval: spikes at t = 0 and t = d; answer with a spike at t = 2d.

    Inputs (B, T, 1) with T = 2 d_max + 1; d is uniform in [d_min, d_max] (d_min > d_max / 2, so
    the answer window, the last K = d_max steps, starts after the second spike). Targets (B, K):
    class 1 at step 2d, class 0 elsewhere; outputs (B, K, 2). The cell has to count d steps, then
    count them again while its output stays silent: the case for which Gers et al. (2002) argue
    that gates should see the cell state directly. Baseline: the cross-entropy of the best
    input-blind guess (the frequency of a spike at each step of the window). Accuracy: the
    fraction of sequences whose spike is timed right (``spike_accuracy``); solved: a test loss
    below a twentieth of the baseline.
    """
    if not 0 < d_max / 2 < d_min <= d_max:
        raise ValueError(f"need d_max / 2 < d_min <= d_max, got d_min={d_min}, d_max={d_max}")
    T, K, n = 2 * d_max + 1, d_max, d_max - d_min + 1

    def generate(B: int, gen: torch.Generator) -> Batch:
        d = torch.randint(d_min, d_max + 1, (B,), generator=gen)  # (B,)
        x = torch.zeros(B, T)
        x[:, 0] = 1.0
        x[torch.arange(B), d] = 1.0
        y = torch.zeros(B, K, dtype=torch.long)
        y[torch.arange(B), 2 * d - (T - K)] = 1
        return Batch(x.unsqueeze(-1), y)

    def entropy(q: float) -> float:
        return 0.0 if q in (0.0, 1.0) else -(q * math.log(q) + (1 - q) * math.log(1 - q))

    steps = range(T - K, T)
    baseline = sum(entropy(1 / n if s % 2 == 0 and d_min <= s // 2 <= d_max else 0) for s in steps)
    return Task(
        "interval", T, 1, 2, K, False, baseline / K, baseline / K / 20, None, generate,
        score=spike_accuracy,
    )  # fmt: skip


def interval_problem(T: int) -> Task:
    """``interval_task`` with d_max = T // 2 and d_min = T // 4 + 1 (length 2 d_max + 1)."""
    return interval_task(d_min=T // 4 + 1, d_max=T // 2)
