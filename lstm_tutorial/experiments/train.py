"""One small training loop for every experiment: Adam, gradient-norm clipping, early stop.

- ``SequenceModel`` turns any recurrent layer with ``torch.nn.LSTM``'s interface (batch first,
  ``layer(x) -> (output, state)``) into a task model: a linear read-out of the last K outputs,
  (B, T, D) -> (B, K, O), the shapes of ``lstm_tutorial.experiments.tasks``.
- ``make_model("rnn" | "irnn" | "lstm" | "gru", task, H)`` builds one from this package's layers
  (``lstm_tutorial.RNN``, ``LSTM``, ``GRU``, on their fast path by default), so a forget-gate bias
  is set on ``cell.f.b``, where the equations put it, and any LSTM variant option
  (``variant="CIFG"``, ``peepholes="ifo"``, ``layer_norm=True``, ...) trains the same way. "irnn"
  is a ReLU RNN started at U = I, b = 0 (Le, Jaitly & Hinton 2015). "slstm", "mlstm", "mingru",
  "minlstm" are ``lstm_tutorial.modern.ModernLayer`` (notebook 16).
- ``train(model, task, steps)`` fits it with Adam (Kingma & Ba 2015) and gradient-norm clipping
  (Pascanu et al. 2013) and returns a ``History``. Training runs in float32 on
  ``torch.set_num_threads(threads)`` threads (1 by default: the same numbers on every machine
  and thread count, and no fight over a shared CPU); the previous setting is restored afterwards.

A forget-gate bias of 1 follows Gers et al. (2000) and Jozefowicz et al. (2015).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn
from tqdm import tqdm

from ..cells import identity_init_
from ..layers import GRU, LSTM, RNN
from ..modern import MODERN_KINDS, ModernLayer
from .results import num_threads
from .task import Task

KINDS = ("rnn", "irnn", "lstm", "gru", *MODERN_KINDS)


class SequenceModel(nn.Module):
    """A recurrent layer plus a linear read-out of its last K outputs.

    Args:
        recurrent: any module with ``torch.nn.LSTM``'s batch-first interface, x (B, T, D) ->
            (output (B, T, H), state).
        hidden_size: H, the size of ``output``'s last dimension.  task: gives K and O.
    Shapes: x (B, T, D) -> (B, K, O).
    """

    def __init__(self, recurrent: nn.Module, hidden_size: int, task: Task) -> None:
        super().__init__()
        self.recurrent, self.K = recurrent, task.K
        dtype = next(recurrent.parameters()).dtype  # the read-out follows the recurrent layer
        self.readout = nn.Linear(hidden_size, task.O, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output, _ = self.recurrent(x)  # (B, T, H)
        return self.readout(output[:, -self.K :])  # (B, K, O)


def make_model(
    kind: str,
    task: Task,
    hidden_size: int,
    *,
    forget_bias: float | None = None,
    seed: int = 0,
    fast: bool = True,
    **options: Any,
) -> SequenceModel:
    """Build a one-layer ``kind`` network for ``task``, initialised from ``seed`` (float32).

    Args:
        kind: "rnn" (tanh Elman RNN, torch's default init), "irnn" (ReLU RNN with U = I and
            b = 0, ``cells.identity_init_``), "lstm", "gru", or a modern cell: "slstm", "mlstm",
            "mingru", "minlstm".
        forget_bias: set every forget-gate bias b_f to this value (LSTM only; None keeps torch's
            default init U(−1/√H, 1/√H)).
        fast: the layers' fast path (the default) or, with False, their readable cells; the two
            are tested equal, so this changes the speed only.
        options: ``LSTMCell`` options for an LSTM (``variant``, ``peepholes``, ``layer_norm``, ...).
    The global random state is left untouched.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if forget_bias is not None and kind != "lstm":
        raise ValueError(f"forget_bias applies to an LSTM only, got kind={kind!r}")
    if options and kind != "lstm":
        raise ValueError(f"cell options {sorted(options)} apply to an LSTM only, got kind={kind!r}")
    D, H, f32 = task.D, hidden_size, torch.float32
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if kind in MODERN_KINDS:
            return SequenceModel(ModernLayer(kind, D, H, dtype=f32), H, task)
        if kind == "lstm":
            layer = LSTM(D, H, batch_first=True, dtype=f32, fast=fast, **options)
        elif kind == "gru":
            layer = GRU(D, H, batch_first=True, dtype=f32, fast=fast)
        else:
            relu = "relu" if kind == "irnn" else "tanh"
            layer = RNN(D, H, nonlinearity=relu, batch_first=True, dtype=f32, fast=fast)
            if kind == "irnn":
                for cell in layer.cells:
                    identity_init_(cell)
        if forget_bias is not None:
            with torch.no_grad():
                for cell in layer.cells:
                    cell.f.b.fill_(forget_bias)
        return SequenceModel(layer, H, task)


@dataclass
class History:
    """What happened during training; ``asdict``-able for JSON.

    ``train_loss`` has one entry per step; ``step``, ``loss``, ``accuracy`` one per evaluation on
    the fixed test set. ``solved_at`` is the first evaluated step that met the task's criterion.
    """

    task: str
    T: int
    train_loss: list[float] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    solved_at: int | None = None
    seconds: float = 0.0

    @property
    def solved(self) -> bool:
        return self.solved_at is not None

    def to_dict(self) -> dict:
        return asdict(self)


@torch.no_grad()
def evaluate(model: nn.Module, task: Task, batch) -> tuple[float, float]:
    """Test loss and accuracy of ``model`` on one ``Batch``."""
    outputs = model(batch.inputs)  # (B, K, O)
    return task.loss(outputs, batch.targets).item(), task.accuracy(outputs, batch.targets)


def train(
    model: nn.Module,
    task: Task,
    steps: int,
    *,
    batch_size: int = 64,
    lr: float = 1e-2,
    clip: float = 1.0,
    seed: int = 0,
    eval_every: int = 25,
    eval_size: int = 1000,
    test_seed: int = 1234,
    stop_when_solved: bool = True,
    progress: bool = False,
    threads: int | None = 1,
) -> History:
    """Fit ``model`` (x (B, T, D) -> (B, K, O)) to ``task`` with Adam and gradient-norm clipping.

    Training batches come from ``torch.Generator`` seeded with ``seed``; the test set (``eval_size``
    sequences) from ``test_seed``, the same for every model. Evaluates every ``eval_every`` steps
    and, with ``stop_when_solved``, stops at the first evaluation that meets ``task.solved``.
    ``progress`` shows a plain tqdm bar on stderr. ``threads``: torch threads while training
    (None leaves the setting alone).
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(eval_every, int) or eval_every < 1:
        raise ValueError(f"eval_every must be a positive integer, got {eval_every!r}")
    dtype = next(model.parameters()).dtype
    test = task.sample(eval_size, torch.Generator().manual_seed(test_seed), dtype)
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = History(task.name, task.T)
    start = time.perf_counter()
    bar = tqdm(range(1, steps + 1), desc=f"{task.name} T={task.T}", disable=not progress)
    with num_threads(threads), bar:  # the bar closes, the thread count is restored
        for step in bar:
            batch = task.sample(batch_size, gen, dtype)
            loss = task.loss(model(batch.inputs), batch.targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            history.train_loss.append(loss.item())
            if step % eval_every and step != steps:
                continue
            test_loss, test_accuracy = evaluate(model, task, test)
            history.step.append(step)
            history.loss.append(test_loss)
            history.accuracy.append(test_accuracy)
            bar.set_postfix(loss=f"{test_loss:.4f}", acc=f"{test_accuracy:.3f}", refresh=False)
            if history.solved_at is None and task.solved(test_loss, test_accuracy):
                history.solved_at = step
                if stop_when_solved:
                    break
    history.seconds = time.perf_counter() - start
    return history
