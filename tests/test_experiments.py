"""The experiment script, in its seconds-long --quick form, and the committed results files."""

import json
from pathlib import Path

import pytest

from lstm_tutorial.experiments.adding import FILES, SWEEPS, Run, load, main
from lstm_tutorial.experiments.tasks import adding_problem
from lstm_tutorial.experiments.train import make_model, train

RESULTS = Path(__file__).parent.parent / "results"


def test_quick_sweep_writes_a_loadable_record(tmp_path):
    out = tmp_path / "fb.json"
    main(["forget_bias", "--out", str(out), "--quick", "--quiet"])
    record, runs = load(out)
    assert record["command"] == (
        f"python -m lstm_tutorial.experiments forget_bias --out {out.as_posix()} --quick"
    )
    assert record["settings"]["lags"] == [10] and record["settings"]["steps"] == 100
    assert [(r.kind, r.T, r.seed, r.forget_bias) for r in runs] == [
        ("lstm", 10, 0, None),
        ("lstm", 10, 0, 1.0),
    ]
    for run in runs:
        assert isinstance(run, Run) and run.step == [50, 100] and len(run.loss) == 2
        assert run.final_loss == run.loss[-1] and run.best_loss == min(run.loss)
    assert runs[0].loss != runs[1].loss  # the forget bias changed the model


def test_quick_modern_sweep_trains_every_modern_cell(tmp_path):
    """The reduced `modern` sweep (notebook 16): the LSTM and the four modern cells, a run each."""
    out = tmp_path / "modern.json"
    main(["modern", "--out", str(out), "--quick", "--quiet"])
    record, runs = load(out)
    assert record["experiment"] == "modern" and record["settings"]["steps"] == 100
    assert [r.kind for r in runs] == ["lstm", "slstm", "mlstm", "mingru", "minlstm"]
    for run in runs:
        assert run.T == 10 and run.step == [50, 100] and run.final_loss == run.loss[-1]
    assert len({r.loss[0] for r in runs}) == 5  # five different models


def test_every_sweep_has_a_results_file_name():
    assert set(FILES) == set(SWEEPS) and len(set(FILES.values())) == len(FILES)


def test_unknown_sweep_is_rejected(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["nonsense", "--out", str(tmp_path / "x.json")])
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_committed_results_match_their_sweep(name):
    path = RESULTS / FILES[name]
    if not path.exists():
        pytest.fail(
            f"{path} is missing: run python -m lstm_tutorial.experiments {name} --out {path}"
        )
    record, runs = load(path)
    assert record["command"] == (
        f"python -m lstm_tutorial.experiments {name} --out results/{FILES[name]}"
    )
    settings = SWEEPS[name]
    assert json.loads(json.dumps(record["settings"])) == json.loads(json.dumps(settings.__dict__))
    expected = len(settings.lags) * len(settings.kinds) * len(settings.forget_biases)
    assert len(runs) == expected * len(settings.seeds)
    for run in runs:
        assert (run.solved_at is not None) == (min(run.loss) < 0.01)


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_committed_results_reproduce_their_first_evaluation(name):
    """Rerun each file's first and last run up to its first evaluation: same test loss."""
    _, runs = load(RESULTS / FILES[name])
    settings = SWEEPS[name]
    for run in (runs[0], runs[-1]):
        task = adding_problem(run.T)
        model = make_model(
            run.kind, task, settings.hidden_size, forget_bias=run.forget_bias, seed=run.seed
        )
        history = train(
            model,
            task,
            run.step[0],
            batch_size=settings.batch_size,
            lr=settings.lr,
            seed=run.seed,
            eval_every=settings.eval_every,
        )
        assert history.step == run.step[:1]
        # nan_ok: a run that diverged (an IRNN at the larger learning rate) must diverge again
        assert history.loss[0] == pytest.approx(run.loss[0], rel=1e-5, nan_ok=True)


def test_quick_attention_sweep_writes_a_loadable_record(tmp_path):
    from lstm_tutorial.experiments import attention_sweep

    out = tmp_path / "attention.json"
    attention_sweep.main(["--out", str(out), "--quick", "--quiet"])
    record, runs = attention_sweep.load(out)
    assert record["command"] == (
        f"python -m lstm_tutorial.experiments attention --out {out.as_posix()} --quick"
    )
    assert [(r.kind, r.seed) for r in runs] == [
        ("plain", 0),
        ("dot", 0),
        ("general", 0),
        ("additive", 0),
    ]
    for run in runs:
        assert run.test_lengths == [5, 8] and len(run.sequence_accuracy) == 2
        assert all(0 <= a <= t <= 1 for a, t in zip(run.sequence_accuracy, run.token_accuracy))
        assert run.step == [30] and run.train_loss[0] > 0


def test_committed_attention_results_hold_the_claim():
    """Attention keeps sequence accuracy >= 0.9 at lengths where the plain model is below 0.2."""
    from lstm_tutorial.experiments import attention_sweep

    record, runs = attention_sweep.load(RESULTS / "attention.json")
    settings = attention_sweep.Settings(seeds=tuple(range(5)))
    assert record["settings"] == json.loads(json.dumps(attention_sweep.asdict(settings)))
    assert record["command"].startswith("python -m lstm_tutorial.experiments attention")

    def mean(kind):
        rows = [r.sequence_accuracy for r in runs if r.kind == kind]
        assert len(rows) == 5
        return [sum(col) / len(col) for col in zip(*rows)]

    plain, dot = mean("plain"), mean("dot")
    bottleneck = [i for i, p in enumerate(plain) if p < 0.2]
    assert len(bottleneck) >= 2
    assert sum(dot[i] >= 0.9 for i in bottleneck) >= 2
