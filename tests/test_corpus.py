"""The stdlib corpus, its vocabulary and the truncated-BPTT stream batcher."""

import pytest
import torch

from lstm_tutorial import LSTMState
from lstm_tutorial.experiments.corpus import (
    UNK,
    Vocab,
    fingerprint,
    load_corpus,
    read,
    split_files,
    stdlib_files,
    stdlib_root,
)
from lstm_tutorial.experiments.streams import Streams, detach


def test_files_are_sorted_outside_tests_and_fill_the_budget():
    files = stdlib_files(budget=300_000)
    assert files == sorted(files) and len(files) == len(set(files))
    assert all(f.endswith(".py") for f in files)
    assert not any({"test", "tests", "site-packages"} & set(f.split("/")[:-1]) for f in files)
    sizes = [(stdlib_root() / f).stat().st_size for f in files]
    assert sum(sizes) >= 300_000 > sum(sizes[:-1])  # stops at the first file past the budget
    assert stdlib_files(budget=300_000) == files  # deterministic


def test_stdlib_files_skip_test_folders(tmp_path):
    for name in ("a.py", "test/b.py", "pkg/tests/c.py", "pkg/d.py", "site-packages/e.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    assert stdlib_files(tmp_path, budget=10**6) == ["a.py", "pkg/d.py"]
    with pytest.raises(ValueError, match="budget must be a positive"):
        stdlib_files(tmp_path, budget=0)


def test_split_is_by_file_and_disjoint():
    files = [f"m{k:02d}.py" for k in range(25)]
    train, valid = split_files(files, every=10)
    assert valid == ["m09.py", "m19.py"] and len(train) == 23
    assert not set(train) & set(valid) and sorted(train + valid) == files
    with pytest.raises(ValueError, match="every must be at least 2"):
        split_files(files, every=1)


def test_corpus_text_is_its_files():
    corpus = load_corpus(budget=200_000)
    assert corpus.valid_text == read(corpus.valid_files)
    assert corpus.train_text == read(corpus.train_files)
    assert corpus.valid_text not in corpus.train_text
    assert fingerprint(corpus.valid_text) == fingerprint(read(corpus.valid_files))
    assert fingerprint(corpus.valid_text) != fingerprint(corpus.train_text)


def test_vocab_round_trips_and_maps_unknown_characters_to_unk():
    vocab = Vocab()
    assert len(vocab) == 97 and vocab.chars[0] == UNK
    text = "def f(x):\n    return x ** 2  # ok\n"
    ids = vocab.encode(text)
    assert ids.dtype == torch.int64 and ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert vocab.decode(vocab.encode("a\tb é")) == f"a{UNK}b {UNK}"
    with pytest.raises(ValueError, match="start with the unknown token"):
        Vocab("abc")


def test_streams_rows_are_contiguous_and_windows_continue_each_other():
    ids = torch.arange(103)
    batcher = Streams(ids, batch_size=4, seq_len=7)  # rows of 25: 0-24, 25-49, ...
    windows = list(batcher)
    assert len(windows) == len(batcher) == 4  # 24 predictions per row: 7 + 7 + 7 + 3
    assert [w.x.shape for w in windows] == [(4, 7)] * 3 + [(4, 3)]
    x = torch.cat([w.x for w in windows], 1)  # (4, 24)
    y = torch.cat([w.y for w in windows], 1)
    assert torch.equal(x, torch.arange(100).view(4, 25)[:, :24])
    assert torch.equal(y, x + 1)  # each target is the next character of the same row
    stream = batcher.forever()
    assert [torch.equal(next(stream).x, w.x) for w in windows + windows] == [True] * 8


def test_streams_reject_bad_input():
    with pytest.raises(TypeError, match="1-D int64"):
        Streams(torch.zeros(10), 2, 3)
    with pytest.raises(ValueError, match="too few"):
        Streams(torch.arange(5), 4, 3)
    with pytest.raises(ValueError, match="must be ≥ 1"):
        Streams(torch.arange(50), 0, 3)


def test_detach_keeps_values_and_cuts_the_graph():
    w = torch.ones(3, requires_grad=True)
    state = (w * 2, w * 3)
    cut = detach(state)
    assert all(torch.equal(a, b) for a, b in zip(cut, state))
    assert all(not s.requires_grad for s in cut) and state[0].requires_grad


def test_detach_keeps_a_named_states_type():
    w = torch.ones(3, requires_grad=True)
    cut = detach(LSTMState(w * 2, w * 3))
    assert type(cut) is LSTMState and not cut.c.requires_grad
    assert torch.equal(cut.c, w.detach() * 3)
