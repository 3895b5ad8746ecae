"""The continual recall stream of notebook 11 (lstm_tutorial.experiments.continual)."""

import pytest
import torch

from lstm_tutorial import LSTMCell
from lstm_tutorial.experiments.continual import (
    BASELINE,
    StreamModel,
    recall_stream,
    segment_errors,
    train_stream,
)
from lstm_tutorial.sequence import unroll


def test_recall_stream_marks_one_step_per_problem_and_asks_at_its_end():
    B, S, L = 5, 7, 6
    x, y = recall_stream(B, S, L, torch.Generator().manual_seed(3))
    assert x.shape == (B, S * L, 3) and y.shape == (B, S) and x.dtype == torch.float32
    u, m, q = x.reshape(B, S, L, 3).unbind(-1)  # (B, S, L) each
    assert torch.equal(m.sum(-1), torch.ones(B, S))  # one mark per problem
    assert (m[..., -1] == 0).all()  # never on the answer step
    assert torch.equal(q, torch.zeros(B, S, L).index_fill_(2, torch.tensor([L - 1]), 1.0))
    assert torch.equal(y, (u * m).sum(-1))  # the answer is the marked value
    assert ((u >= 0) & (u < 1)).all()


def test_recall_stream_is_seeded_and_independent_of_the_default_dtype():
    first = recall_stream(3, 4, 5, torch.Generator().manual_seed(0))
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        second = recall_stream(3, 4, 5, torch.Generator().manual_seed(0))
    finally:
        torch.set_default_dtype(old)
    assert torch.equal(first.inputs, second.inputs) and torch.equal(first.targets, second.targets)


@pytest.mark.parametrize("args", [(0, 2, 4), (2, 0, 4), (2, 2, 1)])
def test_recall_stream_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="length >= 2"):
        recall_stream(*args, torch.Generator())


def test_stream_model_reads_out_at_every_problem_end():
    torch.manual_seed(0)
    cell = LSTMCell(3, 4)
    model = StreamModel(cell, length=5)
    x, _ = recall_stream(2, 3, 5, torch.Generator().manual_seed(1))
    outputs, state = model(x)
    h, reference_state = unroll(cell, x.to(cell.dtype), batch_first=True)  # (2, 15, 4)
    expected = model.readout(h[:, [4, 9, 14]]).squeeze(-1)  # (2, 3)
    torch.testing.assert_close(outputs, expected, rtol=0, atol=0)
    torch.testing.assert_close(state.c, reference_state.c, rtol=0, atol=0)


def test_train_stream_carries_the_state_and_never_resets_it():
    """A window of S problems after k updates equals the (k+1)-th window of one long stream."""
    torch.manual_seed(0)
    model = StreamModel(LSTMCell(3, 4, dtype=torch.float32), length=4)
    losses = train_stream(model, 3, window=2, batch_size=8, seed=5)
    assert len(losses) == 3 and all(0 < loss < 1 for loss in losses)
    # with lr = 0 the weights stay put, so the losses are those of one unbroken stream of 6 problems
    frozen = StreamModel(LSTMCell(3, 4, dtype=torch.float32), length=4)
    before = [p.detach().clone() for p in frozen.parameters()]
    carried = train_stream(frozen, 3, window=2, batch_size=8, seed=5, lr=0.0)
    assert all(torch.equal(a, b) for a, b in zip(before, frozen.parameters()))
    gen = torch.Generator().manual_seed(5)
    batches = [recall_stream(8, 2, 4, gen) for _ in range(3)]
    x = torch.cat([b.inputs for b in batches], dim=1)  # (8, 24, 3): the three windows in a row
    y = torch.cat([b.targets for b in batches], dim=1)  # (8, 6)
    with torch.no_grad():
        outputs, _ = frozen(x)
    unbroken = ((outputs - y) ** 2).reshape(8, 3, 2).mean(dim=(0, 2))
    torch.testing.assert_close(
        torch.tensor(carried, dtype=torch.float32), unbroken, rtol=1e-5, atol=1e-7
    )


def test_segment_errors_of_the_mean_answer_is_the_baseline():
    model = StreamModel(LSTMCell(3, 2, dtype=torch.float32), length=4)
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.fill_(0.5)  # always answer 1/2
    errors, state = segment_errors(model, 30, batch_size=2000)
    assert errors.shape == (30,) and state.c.shape == (2000, 2)
    assert abs(errors.mean().item() - BASELINE) < 0.05 * BASELINE  # 60,000 answers
