"""The character language model, its training script and the committed checkpoint."""

import json
import math
import platform
from pathlib import Path

import pytest
import torch

from lstm_tutorial import LSTM
from lstm_tutorial.experiments.charlm import CharLM, bits_per_char, sample, temperature_softmax
from lstm_tutorial.experiments.charlm_train import load, main
from lstm_tutorial.experiments.corpus import Vocab, fingerprint, read

RESULTS = Path(__file__).parent.parent / "results"


def test_quick_run_trains_the_package_lstm_and_the_loss_falls(tmp_path):
    out = tmp_path / "charlm.json"
    main(["--out", str(out), "--quick", "--quiet"])
    record = json.loads(out.read_text())
    assert record["command"] == (
        f"python -m lstm_tutorial.experiments charlm --out {out.as_posix()} --quick"
    )
    (run,) = record["runs"]
    bits = run["train_bits_per_char"]
    assert run["step"] == [10, 20, 30, 40]
    assert bits[-1] < bits[0] - 1.0  # from about log2(97) = 6.6 bits towards the unigram cost
    assert run["valid_bits_per_char"] < math.log2(97)
    model, vocab, settings = load(out.with_suffix(".pt"))
    assert type(model.lstm) is LSTM and settings.hidden_size == 32
    assert all(p.dtype == torch.float32 for p in model.parameters())
    ids = vocab.encode(read(run["valid_files"]))
    assert bits_per_char(model, ids) == pytest.approx(run["valid_bits_per_char"], abs=1e-4)


def test_bits_per_char_is_the_mean_cross_entropy_in_bits():
    torch.manual_seed(0)
    model = CharLM(97, 8, 16)
    ids = torch.randint(0, 97, (301,))
    # one row, windows of 7: the state carried over equals reading the whole row at once
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])  # (1, 300, V)
    nats = torch.nn.functional.cross_entropy(logits[0], ids[1:])
    assert bits_per_char(model, ids, batch_size=1, seq_len=7) == pytest.approx(
        nats.item() / math.log(2), rel=1e-5
    )


def test_temperature_softmax_sharpens_and_flattens():
    z = torch.tensor([2.0, 1.0, 0.0])
    p1 = temperature_softmax(z, 1.0)
    torch.testing.assert_close(p1, torch.softmax(z, 0))
    cold, hot = temperature_softmax(z, 0.5), temperature_softmax(z, 2.0)
    assert cold[0] > p1[0] > hot[0] and hot[2] > p1[2] > cold[2]
    with pytest.raises(ValueError, match="temperature must be > 0"):
        temperature_softmax(z, 0.0)


def test_sampling_is_seeded_and_uses_the_temperature():
    torch.manual_seed(0)
    model, vocab = CharLM(97, 8, 16), Vocab()
    a = sample(model, vocab, "def ", 40, 1.0, seed=3)
    assert len(a) == 40 and a == sample(model, vocab, "def ", 40, 1.0, seed=3)
    assert a != sample(model, vocab, "def ", 40, 1.0, seed=4)
    with torch.no_grad():
        greedy = vocab.decode([int(model(vocab.encode("def ")[None])[0][0, -1].argmax())])
    assert [sample(model, vocab, "def ", 1, 1e-6, seed=k) for k in range(5)] == [greedy] * 5
    with pytest.raises(ValueError, match="prompt"):
        sample(model, vocab, "", 5)


def test_committed_checkpoint_reproduces_its_validation_bits_per_char():
    record = json.loads((RESULTS / "charlm.json").read_text())
    (run,) = record["runs"]
    assert record["command"] == (
        f"python -m lstm_tutorial.experiments charlm --out results/charlm.json "
        f"--steps {record['settings']['steps']}"
    )
    try:
        text = read(run["valid_files"])
    except FileNotFoundError as missing:
        pytest.skip(f"this Python ({platform.python_version()}) lacks a validation file: {missing}")
    if fingerprint(text) != run["valid_fingerprint"]:
        pytest.skip(
            f"this Python's stdlib ({platform.python_version()}) has other text in the validation "
            f"files than the one trained on ({record['environment']['python']})"
        )
    model, vocab, s = load(RESULTS / "charlm.pt")
    assert type(model.lstm) is LSTM  # the package's layer, not nn.LSTM
    assert (RESULTS / "charlm.pt").stat().st_size < 1_000_000
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the script evaluates; small matrices: one thread is fastest
    try:
        bits = bits_per_char(model, vocab.encode(text), s.eval_batch, s.eval_len)
    finally:
        torch.set_num_threads(threads)
    assert bits == pytest.approx(run["valid_bits_per_char"], abs=1e-4)  # stored to 4 decimals


def test_the_experiments_entry_point_dispatches_charlm():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lstm_tutorial.experiments", "charlm", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("usage: python -m lstm_tutorial.experiments charlm")
