"""The variant comparisons of notebooks 08 and 11, as a script that writes results/.

    python -m lstm_tutorial.experiments.variant_sweep sweep      # 11: results/variants.json
    python -m lstm_tutorial.experiments.variant_sweep peepholes  # 08: variants_peepholes.json
    python -m lstm_tutorial.experiments.variant_sweep tiny       # seconds; what tests run

A small version of Greff et al. (2017), "LSTM: A Search Space Odyssey": every variant of
``variants.VARIANTS`` is one ``LSTMCell`` (H = 16, float32) with a linear read-out, trained by
``train.train`` (Adam, clipping, one thread) for a FIXED number of steps, so that final test
errors compare like for like, on the same training and test batches for every variant; each is
repeated over seeds (the seed draws the initial weights and the training batches). Unlike Greff
et al. we do not tune hyper-parameters per variant: one setting (lr 1e-2, batch 64) serves all.

The peephole experiment uses an interval-reproduction task in the spirit of the timing tasks of
Gers, Schraudolph & Schmidhuber (2002): see ``interval_task``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from ..lstm import LSTMCell
from ..sequence import unroll
from ..variants import VARIANTS
from .tasks import TASKS, Batch, Task
from .train import SequenceModel, train

RESULTS = Path(__file__).resolve().parents[2] / "results"


class VariantLayer(nn.Module):
    """An ``LSTMCell`` with ``torch.nn.LSTM``'s batch-first call: x (B, T, D) -> (output, state)."""

    def __init__(self, cell: LSTMCell) -> None:
        super().__init__()
        self.cell = cell

    def forward(self, x: torch.Tensor):
        return unroll(self.cell, x, batch_first=True)  # ((B, T, H), state)


def interval_task(d_min: int = 6, d_max: int = 10) -> Task:
    """Reproduce an interval: spikes at t = 0 and t = d; answer with a spike at t = 2d.

    Inputs (B, T, 1) with T = 2 d_max + 1; d is uniform in [d_min, d_max] (d_min > d_max / 2, so
    the answer window, the last K = d_max steps, starts after the second spike). Targets (B, K):
    class 1 at step 2d, class 0 elsewhere; outputs (B, K, 2). The cell has to count d steps, then
    count them again while its output stays silent: the case for which Gers et al. (2002) argue
    that gates should see the cell state directly. Baseline: the cross-entropy of the best
    input-blind guess (the frequency of a spike at each step of the window).
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
    return Task("interval", T, 1, 2, K, False, baseline / K, baseline / K / 20, None, generate)


def spike_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of sequences whose most spike-like step of the window is the right one."""
    return (outputs[..., 1].argmax(1) == targets.argmax(1)).double().mean().item()


@dataclass(frozen=True)
class Config:
    """One experiment: which models, on which tasks (name, T, steps), over which seeds."""

    name: str
    models: tuple[tuple[str, dict], ...]  # (label, LSTMCell options)
    tasks: tuple[tuple[str, int, int], ...]  # (task name, T, training steps)
    seeds: tuple[int, ...] = (0, 1, 2)
    hidden_size: int = 16
    batch_size: int = 64
    lr: float = 1e-2
    eval_every: int = 100
    eval_size: int = 500


def make_task(name: str, T: int) -> Task:
    return interval_task(d_max=T // 2, d_min=T // 4 + 1) if name == "interval" else TASKS[name](T)


def run_one(config: Config, label: str, options: dict, task: Task, steps: int, seed: int):
    """Train one model; returns a JSON-able record of its result."""
    H = config.hidden_size
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        cell = LSTMCell(task.D, H, dtype=torch.float32, **options)
        model = SequenceModel(VariantLayer(cell), H, task)
    history = train(
        model,
        task,
        steps,
        batch_size=config.batch_size,
        lr=config.lr,
        seed=seed,
        eval_every=config.eval_every,
        eval_size=config.eval_size,
        stop_when_solved=False,
    )
    record = dict(label=label, task=task.name, T=task.T, seed=seed, steps=steps)
    record["params"] = sum(p.numel() for p in cell.parameters())
    record.update(history.to_dict())
    del record["train_loss"]  # one number per step: too long to keep for every run
    record["final_loss"] = history.loss[-1]
    record["final_accuracy"] = history.accuracy[-1]
    if task.name == "interval":
        test = task.sample(config.eval_size, torch.Generator().manual_seed(1234))
        with torch.no_grad():
            record["final_accuracy"] = spike_accuracy(model(test.inputs), test.targets)
    record["baseline"] = task.baseline
    return record


def run(config: Config, out: Path | None = None, log=sys.stderr) -> dict:
    """Run every (task, model, seed) of ``config``; write JSON to ``out`` if given."""
    runs = []
    for task_name, T, steps in config.tasks:
        task = make_task(task_name, T)
        for label, options in config.models:
            for seed in config.seeds:
                record = run_one(config, label, options, task, steps, seed)
                runs.append(record)
                print(
                    f"{task.name:>8} T={T:<3} {label:>12} seed {seed}: loss "
                    f"{record['final_loss']:.4f} acc {record['final_accuracy']:.3f} "
                    f"({record['seconds']:.0f} s)",
                    file=log,
                    flush=True,
                )
    result = dict(
        command=f"python -m lstm_tutorial.experiments.variant_sweep {config.name}",
        config=asdict(config),
        torch=torch.__version__,
        runs=runs,
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
    return result


@dataclass
class Row:
    """One line of the comparison table: a model on a task, summarised over seeds."""

    task: str
    label: str
    params: int
    loss_mean: float
    loss_std: float
    accuracy_mean: float
    solved: int
    runs: int
    seconds: float
    losses: list[float] = field(default_factory=list)


def summarize(result: dict) -> list[Row]:
    """Group the runs of a result by (task, model): mean ± std of the final test loss, etc."""
    rows: dict[tuple[str, str], list[dict]] = {}
    for r in result["runs"]:
        rows.setdefault((r["task"], r["label"]), []).append(r)
    table = []
    for (task, label), runs in rows.items():
        losses = [r["final_loss"] for r in runs]
        table.append(
            Row(
                task=task,
                label=label,
                params=runs[0]["params"],
                loss_mean=statistics.fmean(losses),
                loss_std=statistics.pstdev(losses),
                accuracy_mean=statistics.fmean(r["final_accuracy"] for r in runs),
                solved=sum(r["solved_at"] is not None for r in runs),
                runs=len(runs),
                seconds=statistics.fmean(r["seconds"] for r in runs),
                losses=losses,
            )
        )
    return table


SWEEP = Config(
    name="sweep",
    models=tuple((name, {"variant": name}) for name in VARIANTS),
    tasks=(("adding", 30, 800), ("order", 30, 400)),
)
PEEPHOLES = Config(
    name="peepholes",
    models=(("none", {}), ("o", {"peepholes": "o"}), ("ifo", {"peepholes": "ifo"})),
    tasks=(("interval", 21, 800),),
)
TINY = Config(
    name="tiny",
    models=(("NP", {"variant": "NP"}), ("CIFG", {"variant": "CIFG"}), ("FGR", {"variant": "FGR"})),
    tasks=(("adding", 6, 4), ("interval", 9, 4)),
    seeds=(0,),
    hidden_size=4,
    batch_size=8,
    eval_every=2,
    eval_size=16,
)
CONFIGS = {c.name: c for c in (SWEEP, PEEPHOLES, TINY)}
OUTPUTS = {"sweep": "variants.json", "peepholes": "variants_peepholes.json"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=list(CONFIGS))
    parser.add_argument("--out", type=Path, help="JSON file (default: results/<name>.json)")
    args = parser.parse_args(argv)
    default = RESULTS / OUTPUTS[args.experiment] if args.experiment in OUTPUTS else None
    run(CONFIGS[args.experiment], args.out or default)


if __name__ == "__main__":
    main()
