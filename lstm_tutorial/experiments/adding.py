"""Sweeps on the adding problem, too long for a notebook: JSON under results/ for notebooks 07, 16.

    python -m lstm_tutorial.experiments adding --out results/adding.json
    python -m lstm_tutorial.experiments forget_bias --out results/forget_bias.json
    python -m lstm_tutorial.experiments modern --out results/modern_adding.json
    python -m lstm_tutorial.experiments irnn --out results/irnn.json
    python -m lstm_tutorial.experiments irnn_small_lr --out results/irnn_small_lr.json

``adding``: a plain RNN and an LSTM on the adding problem (Hochreiter & Schmidhuber 1997) at growing
lags T, several seeds each. ``forget_bias``: the LSTM with torch's default forget-gate bias against
b_f = 1 (Gers et al. 2000; Jozefowicz et al. 2015). ``irnn``: the identity-initialised ReLU RNN
of Le, Jaitly & Hinton (2015) with the ``adding`` settings, and (``irnn_small_lr``) with a ten times
smaller learning rate. ``modern``: the LSTM against the sLSTM, mLSTM
(Beck et al. 2024), minGRU and minLSTM (Feng et al. 2024) at T = 100 (notebook 16); ``FILES``
names each sweep's file under results/. Every run uses ``train.train`` on
one thread, so the numbers do not depend on the machine's thread count. Each JSON file records
the command that regenerates it, the settings, and one record per run (with its test-loss curve).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .results import command_line, parser, write_record
from .tasks import adding_problem
from .train import make_model, train


@dataclass(frozen=True)
class Settings:
    """One sweep: which models, lags and seeds, and how each run is trained."""

    kinds: tuple[str, ...] = ("rnn", "lstm")
    lags: tuple[int, ...] = (10, 50, 100, 200)
    seeds: tuple[int, ...] = (0, 1, 2)
    forget_biases: tuple[float | None, ...] = (None,)
    hidden_size: int = 32
    steps: int = 2000
    batch_size: int = 64
    lr: float = 1e-2
    eval_every: int = 25


@dataclass
class Run:
    """The outcome of one training run (JSON-ready)."""

    kind: str
    T: int
    seed: int
    forget_bias: float | None
    solved_at: int | None
    final_loss: float
    best_loss: float
    final_accuracy: float
    seconds: float
    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)


SWEEPS = {
    "adding": Settings(),
    "forget_bias": Settings(
        kinds=("lstm",), lags=(100, 200), seeds=(0, 1, 2, 3, 4), forget_biases=(None, 1.0)
    ),
    "modern": Settings(
        kinds=("lstm", "slstm", "mlstm", "mingru", "minlstm"),
        lags=(100,),
        seeds=(0, 1, 2),
        steps=1500,
        eval_every=50,
    ),
    "irnn": Settings(kinds=("irnn",)),
    "irnn_small_lr": Settings(kinds=("irnn",), lr=1e-3),
}
FILES = {
    "adding": "adding.json",
    "forget_bias": "forget_bias.json",
    "modern": "modern_adding.json",
    "irnn": "irnn.json",
    "irnn_small_lr": "irnn_small_lr.json",
}


def run_sweep(settings: Settings, progress: bool = False) -> list[Run]:
    """Train every (kind, forget bias, T, seed) of ``settings`` on the adding problem."""
    runs = []
    for T in settings.lags:
        task = adding_problem(T)
        for kind in settings.kinds:
            for forget_bias in settings.forget_biases:
                for seed in settings.seeds:
                    model = make_model(
                        kind, task, settings.hidden_size, forget_bias=forget_bias, seed=seed
                    )
                    h = train(
                        model,
                        task,
                        settings.steps,
                        batch_size=settings.batch_size,
                        lr=settings.lr,
                        seed=seed,
                        eval_every=settings.eval_every,
                        progress=progress,
                    )
                    scores = (h.solved_at, h.loss[-1], min(h.loss), h.accuracy[-1])
                    runs.append(
                        Run(
                            kind, T, seed, forget_bias, *scores, round(h.seconds, 2), h.step, h.loss
                        )
                    )
                    if progress:
                        print(
                            f"{kind} b_f={forget_bias} T={T} seed={seed}: solved at "
                            f"{h.solved_at}, loss {h.loss[-1]:.4f}",
                            file=sys.stderr,
                        )
    return runs


def save(path: Path, name: str, settings: Settings, runs: list[Run], command: str) -> None:
    """Write one sweep's results, with the command that regenerates them."""
    write_record(
        path,
        experiment=name,
        command=command,
        task=(
            "adding problem (lstm_tutorial.experiments.tasks.adding_problem); "
            "solved = test MSE < 0.01"
        ),
        baseline_mse=1 / 6,
        settings=asdict(settings),
        runs=[asdict(run) for run in runs],
    )


def load(path: str | Path) -> tuple[dict, list[Run]]:
    """Read a results file back: (the whole record, its runs as ``Run``)."""
    record = json.loads(Path(path).read_text())
    return record, [Run(**run) for run in record["runs"]]


def main(argv: list[str] | None = None) -> None:
    cli = parser(None)
    cli.add_argument("sweep", choices=sorted(SWEEPS))
    args = cli.parse_args(argv)
    line = command_line(args.sweep, args.out)
    settings = SWEEPS[args.sweep]
    if args.quick:
        line += " --quick"
        settings = replace(settings, lags=(10,), seeds=(0,), steps=100, eval_every=50)
    save(args.out, args.sweep, settings, run_sweep(settings, not args.quiet), line)


if __name__ == "__main__":
    main()
