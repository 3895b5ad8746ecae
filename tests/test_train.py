"""The training loop and model builder: shapes, forget bias, determinism, learning, early stop."""

import pytest
import torch
from parity import assert_close

from lstm_tutorial import GRU, LSTM, RNN, to_torch
from lstm_tutorial.experiments.tasks import adding_problem, copy_memory, temporal_order
from lstm_tutorial.experiments.train import History, SequenceModel, make_model, train


@pytest.mark.parametrize("kind", ["rnn", "irnn", "lstm", "gru"])
@pytest.mark.parametrize("task", [adding_problem(12), temporal_order(20), copy_memory(11, K=2)])
def test_model_maps_inputs_to_task_outputs(kind, task):
    model = make_model(kind, task, 8)
    inputs, targets = task.sample(3)
    outputs = model(inputs)
    assert outputs.shape == (3, task.K, task.O) and outputs.dtype == torch.float32
    assert task.loss(outputs, targets).shape == ()


@pytest.mark.parametrize("kind", ["rnn", "irnn", "lstm", "gru"])
def test_models_are_the_package_layers_and_fast_changes_only_speed(kind):
    """Every model is this package's layer; fast=False runs its readable cells, same numbers."""
    task = adding_problem(15)
    options = {"forget_bias": 1.0} if kind == "lstm" else {}
    slow = make_model(kind, task, 6, seed=3, fast=False, **options)
    fast = make_model(kind, task, 6, seed=3, **options)
    layer = {"rnn": RNN, "irnn": RNN, "lstm": LSTM, "gru": GRU}[kind]
    assert type(fast.recurrent) is type(slow.recurrent) is layer
    assert fast.recurrent.fast and not slow.recurrent.fast
    slow, fast = slow.double(), fast.double()
    inputs = task.sample(4, dtype=torch.float64).inputs
    assert_close(slow(inputs), fast(inputs))


def test_lstm_options_build_the_variant():
    task = adding_problem(10)
    cifg = make_model("lstm", task, 5, variant="CIFG").recurrent.cells[0]
    peep = make_model("lstm", task, 5, peepholes="ifo", seed=1).recurrent.cells[0]
    plain = make_model("lstm", task, 5, seed=1).recurrent.cells[0]
    assert cifg.options.coupled and cifg.i is None
    assert set(peep.options.peepholes) == set("ifo") and not plain.options.peepholes
    assert torch.equal(peep.f.W, plain.f.W)  # the options add parameters; the seed fixes the rest
    with pytest.raises(ValueError, match=r"cell options \['peepholes'\] apply to an LSTM only"):
        make_model("gru", task, 5, peepholes="o")


def test_irnn_is_a_relu_rnn_started_at_the_identity():
    task = adding_problem(10)
    model = make_model("irnn", task, 5, seed=2)
    cell = model.recurrent.cells[0]
    assert cell.nonlinearity == "relu" and torch.equal(cell.U, torch.eye(5))
    assert torch.equal(cell.b, torch.zeros(5))
    torch_rnn = to_torch(model.recurrent)
    assert torch_rnn.nonlinearity == "relu" and torch.equal(torch_rnn.weight_hh_l0, torch.eye(5))
    tanh = make_model("rnn", task, 5, seed=2).recurrent.cells[0]
    assert torch.equal(tanh.W, cell.W)  # same input weights as the tanh RNN of the same seed


def test_forget_bias_sets_b_f_only():
    task = adding_problem(10)
    model = make_model("lstm", task, 5, forget_bias=1.0)
    cell = model.recurrent.cells[0]
    assert torch.equal(cell.f.b, torch.ones(5))
    assert not torch.equal(cell.i.b, torch.ones(5))
    with pytest.raises(ValueError, match=r"LSTM only.*'rnn'"):
        make_model("rnn", task, 5, forget_bias=1.0)
    with pytest.raises(ValueError, match=r"kind must be one of.*'transformer'"):
        make_model("transformer", task, 5)


def test_seed_fixes_the_model_and_leaves_global_rng_alone():
    task = adding_problem(10)
    state = torch.random.get_rng_state()
    a, b = make_model("rnn", task, 4, seed=1), make_model("rnn", task, 4, seed=1)
    c = make_model("rnn", task, 4, seed=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    flat = [torch.cat([p.flatten() for p in m.parameters()]) for m in (a, b, c)]
    assert torch.equal(flat[0], flat[1]) and not torch.equal(flat[0], flat[2])


def test_training_is_deterministic_and_restores_threads():
    task = adding_problem(10)
    threads = torch.get_num_threads()
    runs = [train(make_model("lstm", task, 8), task, 12, eval_every=4) for _ in range(2)]
    assert runs[0].train_loss == runs[1].train_loss and runs[0].loss == runs[1].loss
    assert runs[0].step == [4, 8, 12] and len(runs[0].train_loss) == 12
    assert torch.get_num_threads() == threads


def test_training_learns_a_short_adding_problem_and_stops_when_solved():
    task = adding_problem(10)
    history = train(make_model("lstm", task, 16), task, 600, eval_every=20, lr=1e-2)
    assert isinstance(history, History)
    assert history.solved and history.solved_at == history.step[-1]
    assert history.loss[-1] < 0.01 < history.loss[0]
    assert history.to_dict()["solved_at"] == history.solved_at


def test_training_without_early_stop_runs_every_step():
    task = temporal_order(10)
    history = train(make_model("gru", task, 8), task, 30, eval_every=10, stop_when_solved=False)
    assert history.step == [10, 20, 30] and len(history.train_loss) == 30
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_any_module_with_torchs_interface_trains():
    task = adding_problem(8)
    model = SequenceModel(LSTM(2, 4, batch_first=True, dtype=torch.float32), 4, task)
    before = [p.clone() for p in model.parameters()]
    train(model, task, 3, eval_every=3)
    assert all(not torch.equal(p, q) for p, q in zip(before, model.parameters()))


def test_bad_arguments_are_named():
    task = adding_problem(8)
    model = make_model("rnn", task, 4)
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        train(model, task, 0)
    with pytest.raises(ValueError, match="eval_every must be a positive integer, got -1"):
        train(model, task, 5, eval_every=-1)
