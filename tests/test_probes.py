"""Probing the character model: features of code, correlations, gate saturation, context reach,
and the text colouring."""

import math

import matplotlib
import numpy as np
import pytest
import torch

from lstm_tutorial.experiments.charlm import CharLM
from lstm_tutorial.experiments.corpus import Vocab
from lstm_tutorial.experiments.probes import (
    best_unit,
    code_features,
    correlate,
    loss_against_context,
    saturation,
    states,
)
from lstm_tutorial.viz.text import plot_text_activation

matplotlib.use("Agg")


def test_code_features_follow_brackets_strings_columns_and_indentation():
    text = 'def f(a="(", b=\'\\\'\'):  # (\n    return [a, """x\n)"""]\n'
    F = code_features(text)
    assert all(len(v) == len(text) for v in F)
    at = {k: tuple(int(v[k]) for v in F) for k in range(len(text))}
    assert at[text.index("(")] == (1, 0, 6, 0)  # depth after reading "(", column 6
    assert at[text.index('"(')] == (1, 1, 9, 0)  # the opening quote is inside the string
    assert at[text.index('"(') + 1][:2] == (1, 1)  # a "(" in a string does not count
    assert at[text.index("):")][:2] == (0, 0)  # the escaped quote did not end b's string early
    assert at[text.index("# (") + 2][:2] == (0, 0)  # nor does a "(" in a comment
    assert at[text.index("\n")][2:] == (0, 0)  # a newline is column 0, indentation 0
    assert at[text.index("return")] == (0, 0, 5, 4)
    inner = text.index('"""x') + 4  # the newline inside the triple-quoted string
    assert at[inner][:2] == (1, 1) and at[inner + 1] == (1, 1, 1, 0)  # ")" inside, not closing
    assert at[text.index("]")][:2] == (0, 0)


def test_correlate_is_pearson_r_per_unit():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(200, 5, generator=gen)
    y = a[:, 2] * 3 - 1 + 0.5 * torch.randn(200, generator=gen)
    r = correlate(a, y)
    expected = [np.corrcoef(a[:, j].numpy(), y.numpy())[0, 1] for j in range(5)]
    np.testing.assert_allclose(r.numpy(), expected, rtol=1e-10, atol=1e-12)
    assert best_unit(-a, y) == (2, pytest.approx(-expected[2]))  # |r| counts, sign kept
    assert correlate(torch.ones(10, 2), torch.arange(10.0)).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="expected a"):
        correlate(a, y[:-1])


def test_saturation_counts_steps_near_zero_and_one():
    gate = torch.tensor([[0.05, 0.5], [0.95, 0.5], [0.02, 0.99], [0.5, 0.5]])
    assert saturation(gate).tolist() == [[0.5, 0.25], [0.0, 0.25]]


def test_states_are_the_models_own_activations():
    torch.manual_seed(0)
    model, vocab = CharLM(97, 8, 12), Vocab()
    text = "for k in range(3):\n    print(k)\n"
    st = states(model, vocab, text)
    with torch.no_grad():
        e = model.embed(vocab.encode(text))[None]
        model.lstm.fast = False  # the readable cells, step by step: bitwise the traced states
        h, (_, c_n) = model.lstm(e)
        model.lstm.fast = True  # torch's kernel (the default): the same function, float32 rounding
        h_fast, _ = model.lstm(e)
    assert st.h.shape == st.c.shape == st.f.shape == (len(text), 12)
    torch.testing.assert_close(st.h, h[0], rtol=0, atol=0)
    torch.testing.assert_close(st.c[-1], c_n[0, 0], rtol=0, atol=0)
    torch.testing.assert_close(st.h, h_fast[0])  # float32's default tolerance


def test_loss_against_context_reads_only_the_last_k_characters():
    torch.manual_seed(0)
    model, vocab = CharLM(97, 8, 12), Vocab()
    ids = vocab.encode("x = [1, 2, 3]\nprint(x)\n" * 4)
    positions = torch.tensor([20, 30, 41])
    (bits,) = loss_against_context(model, ids, positions, [5])
    with torch.no_grad():
        nats = [
            -torch.log_softmax(model(ids[None, p - 5 : p])[0][0, -1], -1)[ids[p]]
            for p in positions.tolist()
        ]
    assert bits == pytest.approx(float(sum(nats)) / 3 / math.log(2), rel=1e-6)
    with pytest.raises(ValueError, match="characters before it"):
        loss_against_context(model, ids, positions, [25])


def test_text_colouring_places_one_value_per_character():
    text = "ab\ncd"
    fig = plot_text_activation(text, torch.tensor([0.1, -0.2, 0.0, 0.4, 1.0]), width=4)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (2, 4)
    assert image[0, :3].tolist() == [0.1, -0.2, 0.0] and image[1, :2].tolist() == [0.4, 1.0]
    assert np.ma.is_masked(image[1, 2])  # NaN (no character): no newline after the last line
    assert [t.get_text() for t in fig.axes[0].texts] == list("abcd")
    with pytest.raises(ValueError, match="one value per character"):
        plot_text_activation(text, torch.zeros(4))
