"""Audit: definitions the other tests took from the package itself (found by mutating it).

- the Greff et al. (2017) table, written out here instead of read from ``VARIANTS``;
- both ends of every position range of the long-lag tasks, and every symbol of the copy task;
- error messages for empty batches and non-3-D sequences name the received shape.
"""

import pytest
import torch

from lstm_tutorial import LSTMCell, RNNCell, unroll
from lstm_tutorial.experiments.tasks import copy_memory, temporal_order

# Greff et al. (2017), Table/Section 3: each ablation is the vanilla LSTM (all three peepholes)
# with one change; a gate that is fixed at 1 or coupled has no peephole of its own.
GREFF = {
    "vanilla": ("ifo", {}),
    "NIG": ("fo", {"input_gate": False}),
    "NFG": ("io", {"forget_gate": False}),
    "NOG": ("if", {"output_gate": False}),
    "NIAF": ("ifo", {"input_activation": "identity"}),
    "NOAF": ("ifo", {"output_activation": "identity"}),
    "NP": ("", {}),
    "CIFG": ("fo", {"coupled": True}),
    "FGR": ("ifo", {"gate_recurrence": True}),
}


@pytest.mark.parametrize("name", list(GREFF))
def test_named_variants_follow_greff_2017(name):
    peepholes, changes = GREFF[name]
    cell = LSTMCell(2, 3, variant=name)
    assert cell.options.peepholes == peepholes
    assert {k: v for k, v in cell.options.changes().items() if k != "peepholes"} == changes
    for k in "ifo":
        gate = getattr(cell, k)
        assert (gate is not None and gate.p is not None) == (k in peepholes)


def test_temporal_order_positions_cover_both_ends():
    inputs, _ = temporal_order(100).sample(3000, torch.Generator().manual_seed(1))
    symbols = inputs.argmax(-1)  # (B, T); X = 4, Y = 5
    t = torch.nonzero((symbols == 4) | (symbols == 5))[:, 1].view(-1, 2)  # (B, 2): t1, t2
    assert (t[:, 0].min().item(), t[:, 0].max().item()) == (10, 20)  # both ends included
    assert (t[:, 1].min().item(), t[:, 1].max().item()) == (50, 60)


def test_copy_task_shows_every_symbol():
    task = copy_memory(12, K=3, A=4)
    _, targets = task.sample(200, torch.Generator().manual_seed(2))
    assert set(targets.unique().tolist()) == {0, 1, 2, 3}


def test_empty_batches_are_refused_with_their_shape():
    cell = RNNCell(3, 4)
    with pytest.raises(ValueError, match=r"empty batch.*\(0, 3\)"):
        cell(torch.randn(0, 3))
    with pytest.raises(ValueError, match=r"empty batch \(B = 0\).*\(5, 0, 3\)"):
        unroll(cell, torch.randn(5, 0, 3))
    with pytest.raises(ValueError, match=r"empty batch \(B = 0\).*\(0, 5, 3\)"):
        unroll(cell, torch.randn(0, 5, 3), batch_first=True)


@pytest.mark.parametrize("shape", [(5, 3), (5, 2, 1, 3)])
def test_sequence_of_wrong_rank_names_its_shape(shape):
    x = torch.randn(shape)
    received = "(" + ", ".join(map(str, shape)) + ")"
    with pytest.raises(ValueError) as info:
        unroll(RNNCell(3, 4), x)
    assert "(T, B, D)" in str(info.value) and received in str(info.value)
