"""Wrong shapes, dtypes and sizes raise ValueError/TypeError naming expected vs received."""

import pytest
import torch

from lstm_tutorial import RNN, LSTMCell, RNNCell, unroll


@pytest.fixture
def cell():
    return RNNCell(3, 4)


@pytest.mark.parametrize(
    ("x", "error", "words"),
    [
        (torch.randn(3), ValueError, ["(B, D)", "1-D", "(3,)"]),
        (torch.randn(2, 5, 3), ValueError, ["(B, D)", "3-D", "(2, 5, 3)"]),
        (torch.randn(2, 5), ValueError, ["3 features", "(2, 5)"]),
        (torch.randn(0, 3), ValueError, ["empty batch"]),
        (torch.randn(2, 3, dtype=torch.float32), TypeError, ["float32", "float64"]),
        ([[1.0, 2.0, 3.0]], TypeError, ["torch.Tensor", "list"]),
        (torch.ones(2, 3, dtype=torch.long), TypeError, ["floating-point", "int64"]),
    ],
)
def test_cell_rejects_bad_x(cell, x, error, words):
    with pytest.raises(error) as info:
        cell(x)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("h", "error", "words"),
    [
        (torch.randn(2, 5), ValueError, ["(2, 4)", "(2, 5)"]),
        (torch.randn(4, 2), ValueError, ["(2, 4)", "(4, 2)"]),
        (torch.randn(4), ValueError, ["(2, 4)", "(4,)"]),
        (torch.randn(2, 4, dtype=torch.float32), TypeError, ["h", "float32", "float64"]),
    ],
)
def test_cell_rejects_bad_state(cell, h, error, words):
    with pytest.raises(error) as info:
        cell(torch.randn(2, 3), h)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("x", "batch_first", "error", "words"),
    [
        (torch.randn(0, 2, 3), False, ValueError, ["empty sequence", "T = 0"]),
        (torch.randn(2, 0, 3), True, ValueError, ["empty sequence", "T = 0"]),
        (torch.randn(5, 3), False, ValueError, ["(T, B, D)", "2-D"]),
        (torch.randn(5, 2, 3), True, ValueError, ["(B, T, D)", "4 features"]),
        (torch.randn(5, 2, 4), False, ValueError, ["3 features", "(5, 2, 4)"]),
        (torch.randn(5, 2, 3, dtype=torch.float32), False, TypeError, ["float32"]),
    ],
)
def test_unroll_rejects_bad_sequences(cell, x, batch_first, error, words):
    if batch_first and x.shape == (5, 2, 3):
        cell = RNNCell(4, 4)  # (B, T, D) = (5, 2, 3) has D = 3, but this cell wants 4
    with pytest.raises(error) as info:
        unroll(cell, x, batch_first=batch_first)
    for word in words:
        assert word in str(info.value)


def test_unroll_rejects_bad_initial_state(cell):
    with pytest.raises(ValueError, match=r"must have shape \(2, 4\), got shape \(3, 4\)"):
        unroll(cell, torch.randn(5, 2, 3), torch.randn(3, 4))


def test_layer_rejects_bad_h0():
    rnn = RNN(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"h0 must have shape \(2, 5, 4\), got shape \(1, 5, 4\)"):
        rnn(torch.randn(7, 5, 3), torch.randn(1, 5, 4))


def test_constructor_rejects_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size must be a positive integer, got 0"):
        RNNCell(3, 0)
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="num_layers must be a positive integer"):
        RNN(3, 4, num_layers=0)


def test_lstm_cell_state_errors():
    lstm = LSTMCell(3, 4)
    with pytest.raises(TypeError, match=r"pair \(h, c\)"):
        lstm(torch.randn(2, 3), torch.randn(2, 4))
    with pytest.raises(ValueError, match=r"c must have shape \(2, 4\), got shape \(2, 3\)"):
        lstm(torch.randn(2, 3), (torch.randn(2, 4), torch.randn(2, 3)))
