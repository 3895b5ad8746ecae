"""The long-lag tasks: shapes, determinism, labels as defined, baselines, scoring, bad input."""

import math

import pytest
import torch

from lstm_tutorial.experiments.tasks import (
    ORDER_CLASSES,
    ORDER_SYMBOLS,
    adding_problem,
    copy_memory,
    temporal_order,
)

TASKS = [adding_problem(20), temporal_order(30), copy_memory(15, K=3, A=4)]


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_shapes_and_dtypes(task):
    inputs, targets = task.sample(7, gen())
    assert inputs.shape == (7, task.T, task.D) and inputs.dtype == torch.float32
    assert targets.shape == (7, task.K)
    assert targets.dtype == (torch.float32 if task.regression else torch.int64)
    inputs64, targets64 = task.sample(7, gen(), torch.float64)
    assert inputs64.dtype == torch.float64
    assert torch.equal(inputs64.float(), inputs)  # drawn in float32, then converted
    assert torch.equal(targets64.to(targets.dtype), targets)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_same_seed_same_data_other_seed_other_data(task):
    a, b, c = task.sample(5, gen(3)), task.sample(5, gen(3)), task.sample(5, gen(4))
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets)
    assert not torch.equal(a.inputs, c.inputs)
    g = gen(3)
    first, second = task.sample(5, g), task.sample(5, g)  # a generator moves on
    assert not torch.equal(first.inputs, second.inputs)


def test_adding_labels_follow_the_definition():
    task = adding_problem(40)
    (inputs, targets) = task.sample(200, gen())
    v, m = inputs[..., 0], inputs[..., 1]
    assert ((v >= 0) & (v < 1)).all()
    assert (m.sum(1) == 2).all()
    first, second = m[:, :20].argmax(1), m[:, 20:].argmax(1) + 20
    assert (m[:, :20].sum(1) == 1).all() and (m[:, 20:].sum(1) == 1).all()
    expected = v[torch.arange(200), first] + v[torch.arange(200), second]
    torch.testing.assert_close(targets[:, 0], expected)
    assert first.min() == 0 and second.max() == 39  # both halves are covered to their ends


def test_adding_baseline_is_the_mean_predictors_mse():
    task = adding_problem(50)
    _, targets = task.sample(200_000, gen(), torch.float64)
    assert task.baseline == pytest.approx(1 / 6)
    assert targets.mean().item() == pytest.approx(1.0, abs=0.005)
    mse_of_mean = ((targets - 1.0) ** 2).mean().item()
    assert mse_of_mean == pytest.approx(1 / 6, rel=0.01)
    outputs = torch.ones(len(targets), 1, 1, dtype=torch.float64)
    assert task.loss(outputs, targets).item() == pytest.approx(1 / 6, rel=0.01)
    assert not task.solved(task.loss(outputs, targets).item(), task.accuracy(outputs, targets))


def test_temporal_order_labels_follow_the_definition():
    T = 100
    task = temporal_order(T)
    inputs, targets = task.sample(500, gen())
    assert (inputs.sum(-1) == 1).all()  # one-hot
    symbols = inputs.argmax(-1)  # (B, T)
    names = [[ORDER_SYMBOLS[s] for s in row] for row in symbols.tolist()]
    for row, label in zip(names, targets[:, 0].tolist()):
        assert row[0] == "B" and row[-1] == "E"
        relevant = [(t, s) for t, s in enumerate(row) if s in "XY"]
        assert len(relevant) == 2
        (t1, s1), (t2, s2) = relevant
        assert 10 <= t1 <= 20 and 50 <= t2 <= 60
        assert ORDER_CLASSES[label] == s1 + s2
        assert set(row[1:-1]) - {"X", "Y"} <= set("abcd")
    counts = torch.bincount(targets[:, 0], minlength=4)
    assert counts.min() > 90  # the four classes are about equally likely


def test_copy_labels_follow_the_definition():
    task = copy_memory(12, K=3, A=4)
    inputs, targets = task.sample(50, gen())
    symbols = inputs.argmax(-1)  # (B, T)
    assert torch.equal(symbols[:, :3], targets)
    assert (symbols[:, 3:9] == 4).all()  # blanks
    assert (symbols[:, 9:] == 5).all()  # recall marker on the last K steps
    assert task.D == 6 and task.O == 4 and task.K == 3


@pytest.mark.parametrize("task", TASKS[1:], ids=lambda t: t.name)
def test_classification_baseline_is_a_uniform_guess(task):
    _, targets = task.sample(1000, gen())
    uniform = torch.zeros(1000, task.K, task.O)
    assert task.loss(uniform, targets).item() == pytest.approx(task.baseline)
    assert task.baseline == pytest.approx(math.log(task.O))


def test_scoring_and_solved_criteria():
    adding = adding_problem(10)
    targets = torch.tensor([[1.0], [0.5]])
    near = targets.unsqueeze(-1) + torch.tensor([[[0.03]], [[0.05]]])
    assert adding.accuracy(near, targets) == 0.5
    assert adding.loss(near, targets).item() == pytest.approx((0.03**2 + 0.05**2) / 2)
    assert adding.solved(0.009, 0.0) and not adding.solved(0.011, 1.0)
    order = temporal_order(20)
    logits = torch.tensor([[[5.0, 0, 0, 0]], [[0, 0, 0, 5.0]]])
    assert order.accuracy(logits, torch.tensor([[0], [2]])) == 0.5
    assert order.solved(9.0, 0.99) and not order.solved(0.0, 0.98)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match=r"T >= 2.*got 1"):
        adding_problem(1)
    with pytest.raises(ValueError, match=r"T >= 10.*got 5"):
        temporal_order(5)
    with pytest.raises(ValueError, match=r"T >= 11.*got 8"):
        copy_memory(8, K=5)
    with pytest.raises(ValueError, match=r"K >= 1.*got 0"):
        copy_memory(20, K=0)
    with pytest.raises(ValueError, match=r"batch_size.*got 0"):
        adding_problem(10).sample(0)
    with pytest.raises(ValueError, match=r"\(B, K, O\) = \(2, 1, 4\).*\(2, 4\)"):
        temporal_order(20).loss(torch.zeros(2, 4), torch.zeros(2, 1, dtype=torch.long))
