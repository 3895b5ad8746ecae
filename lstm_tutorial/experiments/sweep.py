"""The one sweep runner: models × tasks × seeds, each trained by ``train.train``, one record each.

A ``Settings`` names the models (label, ``make_model`` kind, options), the tasks (name, T, training
steps) and the seeds, and how every run is trained; ``run_sweep`` trains each (task, model, seed)
on one thread and returns one ``Run`` per training run; ``save`` writes them in the one results
format (``results.write_record``) and ``load`` reads them back; ``summarize`` groups the runs of a
sweep by (task, model) for a table. The named sweeps live beside their tasks: ``adding.SWEEPS``
(notebooks 07 and 16) and ``variant_sweep.SWEEPS`` (notebooks 08, 09, 11); ``main`` runs any of
them from the command line:

    python -m lstm_tutorial.experiments <sweep> --out results/<file>.json [--quick] [--quiet]
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .interval import interval_problem
from .results import command_line, parser, write_record
from .task import Task
from .tasks import TASKS
from .train import make_model, train


@dataclass(frozen=True)
class Settings:
    """One sweep: which models, tasks and seeds, and how each run is trained.

    ``models``: (label, kind, options) with kind and options as ``make_model`` takes them.
    ``tasks``: (task name, T, steps); a run trains for ``steps`` steps, or until the task counts
    as solved if ``stop_when_solved``. The seed draws the initial weights and the training batches;
    the test set (``eval_size`` sequences) is the same for every run.
    """

    about: str
    models: tuple[tuple[str, str, dict], ...]
    tasks: tuple[tuple[str, int, int], ...]
    seeds: tuple[int, ...] = (0, 1, 2)
    hidden_size: int = 32
    batch_size: int = 64
    lr: float = 1e-2
    eval_every: int = 25
    eval_size: int = 1000
    stop_when_solved: bool = True

    def quick(self) -> Settings:
        """A seconds-long version: every model, one seed, short tasks, 20 steps."""
        tasks = tuple(dict.fromkeys((name, min(T, 10), 20) for name, T, _ in self.tasks))
        return replace(self, tasks=tasks, seeds=(0,), eval_every=10, eval_size=100)


@dataclass
class Run:
    """The outcome of one training run (JSON-ready). ``step``/``loss``: the test-loss curve."""

    label: str
    kind: str
    options: dict
    task: str
    T: int
    seed: int
    steps: int
    params: int
    baseline: float
    solved_at: int | None
    final_loss: float
    best_loss: float
    final_accuracy: float
    seconds: float
    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)

    @property
    def forget_bias(self) -> float | None:
        return self.options.get("forget_bias")


MAKERS = {**TASKS, "interval": interval_problem}  # task name -> its constructor from T


def make_task(name: str, T: int) -> Task:
    """The task ``name`` at length T: one of ``tasks.TASKS``, or "interval" (notebook 08)."""
    return MAKERS[name](T)


def run_one(
    settings: Settings,
    label: str,
    kind: str,
    options: dict,
    task: Task,
    steps: int,
    seed: int,
    progress: bool = False,
) -> Run:
    """Train one model of ``settings`` on ``task`` from ``seed``."""
    model = make_model(kind, task, settings.hidden_size, seed=seed, **options)
    h = train(
        model,
        task,
        steps,
        batch_size=settings.batch_size,
        lr=settings.lr,
        seed=seed,
        eval_every=settings.eval_every,
        eval_size=settings.eval_size,
        stop_when_solved=settings.stop_when_solved,
        progress=progress,
    )
    params = sum(p.numel() for p in model.recurrent.parameters())
    return Run(
        label,
        kind,
        dict(options),
        task.name,
        task.T,
        seed,
        steps,
        params,
        task.baseline,
        h.solved_at,
        h.loss[-1],
        min(h.loss),
        h.accuracy[-1],
        round(h.seconds, 2),
        h.step,
        h.loss,
    )


def run_sweep(settings: Settings, progress: bool = False) -> list[Run]:
    """Train every (task, model, seed) of ``settings``, in that order."""
    runs = []
    for name, T, steps in settings.tasks:
        task = make_task(name, T)
        for label, kind, options in settings.models:
            for seed in settings.seeds:
                run = run_one(settings, label, kind, options, task, steps, seed, progress)
                runs.append(run)
                if progress:
                    print(
                        f"{name} T={T} {label} seed {seed}: solved at {run.solved_at}, "
                        f"loss {run.final_loss:.4f} ({run.seconds:.0f} s)",
                        file=sys.stderr,
                    )
    return runs


def save(path: Path, name: str, settings: Settings, runs: list[Run], command: str) -> None:
    """Write one sweep's results, with the command that regenerates them."""
    write_record(
        path,
        experiment=name,
        command=command,
        task=settings.about,
        settings={k: v for k, v in asdict(settings).items() if k != "about"},
        runs=[asdict(run) for run in runs],
    )


def load(path: str | Path) -> tuple[dict, list[Run]]:
    """Read a results file back: (the whole record, its runs as ``Run``)."""
    record = json.loads(Path(path).read_text())
    return record, [Run(**run) for run in record["runs"]]


@dataclass
class Row:
    """One line of a comparison table: a model on a task, summarised over seeds."""

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


def summarize(runs: list[Run]) -> list[Row]:
    """Group runs by (task, model): mean ± population sd of the final test loss, and so on."""
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.task, run.label), []).append(run)
    table = []
    for (task, label), group in groups.items():
        losses = [r.final_loss for r in group]
        table.append(
            Row(
                task,
                label,
                group[0].params,
                statistics.fmean(losses),
                statistics.pstdev(losses),
                statistics.fmean(r.final_accuracy for r in group),
                sum(r.solved_at is not None for r in group),
                len(group),
                statistics.fmean(r.seconds for r in group),
                losses,
            )
        )
    return table


def main(sweeps: dict[str, Settings], argv: list[str] | None = None) -> None:
    """The command line: ``<sweep> --out FILE [--quick] [--quiet]``, one of ``sweeps``."""
    cli = parser(None)
    cli.add_argument("sweep", choices=sorted(sweeps))
    args = cli.parse_args(argv)
    line = command_line(args.sweep, args.out)
    settings = sweeps[args.sweep]
    if args.quick:
        line += " --quick"
        settings = settings.quick()
    save(args.out, args.sweep, settings, run_sweep(settings, not args.quiet), line)
