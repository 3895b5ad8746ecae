"""What a task is: the one contract every generated task meets, so one model and one loop serve all.

A ``Task`` states its sizes, draws a ``Batch`` with ``sample(B, generator)`` (everything comes from
the ``torch.Generator`` passed in, so a seed fixes it), scores a model's outputs (``loss``,
``accuracy``) and says when it counts as solved. The long-lag tasks of ``tasks.py`` and the interval
task of ``interval.py`` are ``Task``s; ``train.train`` and the sweep runner take any of them.

Every task uses the same shapes:
    inputs   (B, T, D)   float, batch first
    targets  (B, K)      the answers the model gives at its last K steps: float for a regression
                         task (K = 1), int64 class indices for a classification task
    outputs  (B, K, O)   what a model must predict: O = 1 for regression, O classes otherwise
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch.nn import functional as F


class Batch(NamedTuple):
    """One batch of a task: what the model reads and what it must answer."""

    inputs: torch.Tensor  # (B, T, D)
    targets: torch.Tensor  # (B, K) float (regression) or int64 (classes)


@dataclass(frozen=True)
class Task:
    """A long-lag task: its sizes, how to sample it, how to score it and when it is solved.

    Attributes:
        name: short label, e.g. "adding".  T: sequence length.  D: input features.
        O: outputs per answer step (1 for regression, else the number of classes).
        K: how many final steps carry an answer.
        regression: MSE loss on float targets if True, else cross-entropy on class indices.
        baseline: the loss of the best input-blind predictor (the mean, or uniform classes).
        solved_loss / solved_accuracy: the task is solved when the test loss is below
            ``solved_loss`` or the test accuracy is at least ``solved_accuracy`` (None: unused).
        tolerance: a regression answer counts as correct when ``|prediction − target| < tolerance``.
        score: if given, ``score(outputs, targets) -> float`` is the task's accuracy instead (a
            task whose answer is one event in a window, say, scores whole sequences).
    """

    name: str
    T: int
    D: int
    O: int
    K: int
    regression: bool
    baseline: float
    solved_loss: float | None
    solved_accuracy: float | None
    generate: Callable[[int, torch.Generator], Batch] = field(repr=False)
    tolerance: float = 0.04
    score: Callable[[torch.Tensor, torch.Tensor], float] | None = field(default=None, repr=False)

    def sample(
        self,
        batch_size: int,
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> Batch:
        """Draw ``batch_size`` sequences from ``generator`` (seed 0 if None).

        Returns inputs (B, T, D) and targets (B, K), both in ``dtype`` except class indices (int64).
        The numbers are drawn in float32 and then converted, so they do not depend on ``dtype``.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        inputs, targets = self.generate(batch_size, generator or torch.Generator().manual_seed(0))
        return Batch(inputs.to(dtype), targets.to(dtype) if self.regression else targets)

    def _check(self, outputs: torch.Tensor, targets: torch.Tensor) -> None:
        B, K = targets.shape
        if tuple(outputs.shape) != (B, K, self.O):
            raise ValueError(
                f"outputs for {self.name} must have shape (B, K, O) = ({B}, {K}, {self.O}), "
                f"got {tuple(outputs.shape)}"
            )

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean loss: MSE for regression, cross-entropy (nats) for classes. outputs (B, K, O)."""
        self._check(outputs, targets)
        if self.regression:
            return F.mse_loss(outputs.squeeze(-1), targets)
        return F.cross_entropy(outputs.reshape(-1, self.O), targets.reshape(-1))

    def accuracy(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        """Fraction of answers right: within ``tolerance`` (regression) or the arg-max class.

        A task with its own ``score`` returns that instead.
        """
        self._check(outputs, targets)
        if self.score is not None:
            return self.score(outputs, targets)
        if self.regression:
            right = (outputs.squeeze(-1) - targets).abs() < self.tolerance
        else:
            right = outputs.argmax(-1) == targets
        return right.double().mean().item()

    def solved(self, loss: float, accuracy: float) -> bool:
        """The task's success criterion, applied to test-set loss and accuracy."""
        by_loss = self.solved_loss is not None and loss < self.solved_loss
        by_accuracy = self.solved_accuracy is not None and accuracy >= self.solved_accuracy
        return by_loss or by_accuracy
