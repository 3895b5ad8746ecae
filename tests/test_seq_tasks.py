"""The sequence-to-sequence tasks: reversal and date formatting, drawn by code from a seed."""

import datetime

import pytest
import torch

from lstm_tutorial.attention import PAD
from lstm_tutorial.experiments.seq_tasks import (
    date_format,
    decode,
    encode,
    reversal,
    sequence_accuracy,
    token_accuracy,
)


def test_reversal_writes_each_source_backwards_and_pads_the_rest():
    src, lengths, tgt = reversal(3, 9).sample(50, torch.Generator().manual_seed(0))
    assert src.shape == tgt.shape == (50, int(lengths.max())) and lengths.min() >= 3
    assert len(set(lengths.tolist())) > 3  # lengths really vary
    for s, L, t in zip(src, lengths, tgt):
        text = decode(s)
        assert len(text) == L and text.isdigit() and decode(t) == text[::-1]
        assert (s[L:] == PAD).all() and (t[L:] == PAD).all()


def test_a_fixed_length_and_a_seed_fix_the_batch():
    task = reversal(5, 30)
    a = task.sample(8, torch.Generator().manual_seed(3), length=12)
    b = task.sample(8, torch.Generator().manual_seed(3), length=12)
    assert (a.lengths == 12).all() and a.src.shape == (8, 12)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match=r"length must lie in \[5, 30\]"):
        task.sample(8, length=31)


def test_dates_are_valid_and_rewritten():
    src, lengths, tgt = date_format().sample(300, torch.Generator().manual_seed(0))
    assert src.shape == tgt.shape == (300, 10) and (lengths == 10).all()
    for s, t in zip(src, tgt):
        day = datetime.datetime.strptime(decode(s), "%d.%m.%Y").date()  # raises if invalid
        assert decode(t) == day.isoformat() and 1900 <= day.year <= 2099
    days = {decode(s)[:2] for s in src}
    assert "31" in days and "01" in days


def test_encode_decode_round_trip_and_refuse_letters():
    assert decode(encode("02.12-2026")) == "02.12-2026"
    with pytest.raises(ValueError, match="only digits"):
        encode("2 Dec")


def test_accuracies_ignore_padding():
    tgt = torch.tensor([[3, 4, PAD], [5, 6, 7]])
    predicted = torch.tensor([[3, 4, 9], [5, 2, 7]])
    assert sequence_accuracy(predicted, tgt) == 0.5
    assert token_accuracy(predicted, tgt) == 4 / 5


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="min_length <= max_length"):
        reversal(6, 5)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        reversal().sample(0)
