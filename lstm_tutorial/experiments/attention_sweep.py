"""Encoder–decoder with and without attention across input lengths (notebook 15).

    python -m lstm_tutorial.experiments attention --out results/attention.json

Each run trains one model (``lstm_tutorial.attention.make_seq2seq``) on digit-string reversal with
source lengths drawn uniformly from [min_length, max_length] (one length per batch: no padding
while training), then decodes greedily a fixed test set at each of ``test_lengths`` and records
the sequence accuracy (every token right) and the token accuracy. The model is built from this
package's LSTM layers and trained as they are (on their fast path), in float32 on one thread.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
from torch import nn

from ..attention import PAD, Seq2Seq, make_seq2seq
from .results import command_line, num_threads, parser, write_record
from .seq_tasks import Seq2SeqTask, reversal, sequence_accuracy, token_accuracy


@dataclass(frozen=True)
class Settings:
    """One sweep: which models, seeds and lengths, and how each run is trained."""

    kinds: tuple[str, ...] = ("plain", "dot", "general", "additive")
    seeds: tuple[int, ...] = (0, 1, 2)
    min_length: int = 5
    max_length: int = 30
    test_lengths: tuple[int, ...] = (5, 10, 15, 20, 25, 30)
    test_size: int = 500
    embed_size: int = 32
    hidden_size: int = 128
    steps: int = 1500
    batch_size: int = 64
    lr: float = 3e-3
    clip: float = 1.0
    log_every: int = 100


@dataclass
class Run:
    """The outcome of one training run (JSON-ready)."""

    kind: str
    seed: int
    seconds: float
    test_lengths: list[int]
    sequence_accuracy: list[float]
    token_accuracy: list[float]
    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)


def build(task: Seq2SeqTask, kind: str, settings: Settings, seed: int) -> Seq2Seq:
    """A model for ``kind`` ("plain" or an attention score), drawn from ``seed`` (float32)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        attention = None if kind == "plain" else kind
        return make_seq2seq(
            task.V, attention, settings.embed_size, settings.hidden_size, torch.float32
        )


def fit(model: Seq2Seq, task: Seq2SeqTask, settings: Settings, seed: int) -> tuple[list, list]:
    """Adam with gradient-norm clipping, teacher forcing; returns (steps, mean train loss)."""
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr)
    lo, hi = settings.min_length, settings.max_length
    logged, losses, running = [], [], []
    for step in range(1, settings.steps + 1):
        length = int(torch.randint(lo, hi + 1, (), generator=gen))
        src, lengths, tgt = task.sample(settings.batch_size, gen, length)
        logits = model(src, tgt, lengths).logits  # (B, T, V)
        loss = nn.functional.cross_entropy(logits.transpose(1, 2), tgt, ignore_index=PAD)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
        optimizer.step()
        running.append(loss.item())
        if step % settings.log_every == 0 or step == settings.steps:
            logged.append(step)
            losses.append(round(sum(running) / len(running), 4))
            running = []
    return logged, losses


def evaluate(model: Seq2Seq, task: Seq2SeqTask, settings: Settings) -> tuple[list, list]:
    """Greedy decoding of a fixed test set (seed 1234 + length) at each test length."""
    sequence, token = [], []
    for length in settings.test_lengths:
        src, lengths, tgt = task.sample(
            settings.test_size, torch.Generator().manual_seed(1234 + length), length
        )
        predicted, _ = model.greedy(src, tgt.shape[1], lengths)
        sequence.append(round(sequence_accuracy(predicted, tgt), 4))
        token.append(round(token_accuracy(predicted, tgt), 4))
    return sequence, token


def run_sweep(settings: Settings, progress: bool = False, threads: int = 1) -> list[Run]:
    """Train and evaluate every (kind, seed) of ``settings`` on reversal."""
    task = reversal(settings.min_length, settings.max_length)
    runs = []
    with num_threads(threads):
        for kind in settings.kinds:
            for seed in settings.seeds:
                start = time.perf_counter()
                model = build(task, kind, settings, seed)
                steps, losses = fit(model, task, settings, seed)
                sequence, token = evaluate(model, task, settings)
                seconds = round(time.perf_counter() - start, 1)
                runs.append(
                    Run(
                        kind,
                        seed,
                        seconds,
                        list(settings.test_lengths),
                        sequence,
                        token,
                        steps,
                        losses,
                    )
                )
                if progress:
                    print(f"{kind} seed={seed} ({seconds} s): {sequence}", file=sys.stderr)
    return runs


def save(path: Path, settings: Settings, runs: list[Run], command: str) -> None:
    """Write the sweep's results, with the command that regenerates them."""
    write_record(
        path,
        experiment="attention",
        command=command,
        task="digit-string reversal (lstm_tutorial.experiments.seq_tasks.reversal); "
        "greedy decoding; sequence accuracy = every token right",
        settings=asdict(settings),
        runs=[asdict(run) for run in runs],
    )


def load(path: str | Path) -> tuple[dict, list[Run]]:
    """Read a results file back: (the whole record, its runs as ``Run``)."""
    record = json.loads(Path(path).read_text())
    return record, [Run(**run) for run in record["runs"]]


QUICK = {"seeds": (0,), "steps": 30, "test_lengths": (5, 8), "max_length": 8, "test_size": 20}


def main(argv: list[str] | None = None) -> None:
    cli = parser("attention")
    cli.add_argument("--seeds", type=int, default=5, help="seeds 0 … n−1")
    cli.add_argument("--steps", type=int, default=Settings.steps)
    args = cli.parse_args(argv)
    line = command_line("attention", args.out)
    if args.quick:
        line += " --quick"
        settings = replace(Settings(), **QUICK)
    else:
        line += f" --seeds {args.seeds} --steps {args.steps}"
        settings = Settings(seeds=tuple(range(args.seeds)), steps=args.steps)
    save(args.out, settings, run_sweep(settings, not args.quiet), line)
