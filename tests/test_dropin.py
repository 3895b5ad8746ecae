"""Drop-in for torch.nn: PackedSequence in and out, and dropout between layers, against torch."""

import pytest
import torch
from parity import assert_close, randomize
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from lstm_tutorial import LSTM, from_torch

F64 = torch.float64
LENGTHS = [5, 2, 5, 3]  # unsorted, with a tie


def _packed(lengths, enforce_sorted, g, D=3):
    x = torch.randn(max(lengths), len(lengths), D, dtype=F64, generator=g)
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    return pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=enforce_sorted)


def _grads(layer, packed, hx):
    out, h_n = layer(packed, hx[0] if len(hx) == 1 else hx)
    finals = list(h_n) if isinstance(h_n, tuple) else [h_n]
    loss = (out.data**2).sum() + sum((h**3).sum() for h in finals)
    return out, finals, torch.autograd.grad(loss, [packed.data, *hx])


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("fast", [True, False])
def test_packed_sequence_in_and_out_as_torch(kind, enforce_sorted, fast):
    g = torch.Generator().manual_seed(0)
    theirs = getattr(nn, kind)(3, 4, 2, bidirectional=True, dtype=F64)
    randomize(theirs, 0)
    ours = from_torch(theirs)
    ours.fast = fast
    packed = _packed(LENGTHS, enforce_sorted, g)
    packed = PackedSequence(packed.data.requires_grad_(), *packed[1:])
    hx = [torch.randn(4, 4, 4, dtype=F64, generator=g, requires_grad=True)]
    if kind == "LSTM":
        hx.append(torch.randn(4, 4, 4, dtype=F64, generator=g, requires_grad=True))
    out, finals, grads = _grads(ours, packed, tuple(hx))
    t_out, t_finals, t_grads = _grads(theirs, packed, tuple(hx))
    assert isinstance(out, PackedSequence)
    assert torch.equal(out.batch_sizes, t_out.batch_sizes)
    for a, b in [(out.sorted_indices, t_out.sorted_indices)]:
        assert (a is None and b is None) or torch.equal(a, b)
    assert len(finals) == len(t_finals) and len(grads) == len(t_grads)
    assert_close(out.data, t_out.data)
    for a, b in zip([*finals, *grads], [*t_finals, *t_grads]):
        assert_close(a, b)


@pytest.mark.parametrize("variant", ["vanilla", "CIFG", "FGR"])
def test_packed_variant_equals_each_sequence_alone(variant):
    """A packed batch gives each sequence what it gives when run alone, without padding."""
    g = torch.Generator().manual_seed(1)
    layer = LSTM(3, 4, 2, bidirectional=True, dtype=F64, variant=variant)
    randomize(layer, 1)
    packed = _packed(LENGTHS, False, g)
    out, (h_n, c_n) = layer(packed)
    padded, lengths = pad_packed_sequence(out)
    x, _ = pad_packed_sequence(packed)
    for b, n in enumerate(lengths.tolist()):
        alone, (h, c) = layer(x[:n, b : b + 1])
        assert_close(padded[:n, b : b + 1], alone)
        assert_close(h_n[:, b : b + 1], h)
        assert_close(c_n[:, b : b + 1], c)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_dropout_draws_torchs_mask_between_layers_in_training_only(kind):
    theirs = getattr(nn, kind)(3, 4, 3, dropout=0.5, bidirectional=True, dtype=F64)
    randomize(theirs, 2)
    ours = from_torch(theirs)
    x = torch.randn(6, 2, 3, dtype=F64)
    for fast in (True, False):
        ours.fast = fast
        torch.manual_seed(5)
        a = theirs(x)[0]
        torch.manual_seed(5)
        b = ours(x)[0]
        assert_close(b, a)  # the same random numbers drawn on tensors of the same shape
    torch.manual_seed(6)
    assert not torch.allclose(ours(x)[0], b)  # a new mask
    ours.eval()
    theirs.eval()
    assert_close(ours(x)[0], theirs(x)[0])  # no dropout at evaluation


def test_dropout_is_not_applied_after_the_last_layer():
    """With one layer the output is deterministic even in training mode."""
    with pytest.warns(UserWarning, match="does nothing with num_layers=1"):
        layer = LSTM(3, 4, 1, dropout=0.9, peepholes="ifo", dtype=F64)
    x = torch.randn(5, 2, 3, dtype=F64)
    assert torch.equal(layer(x)[0], layer(x)[0])


def test_dropout_rate_of_a_variant_stack(monkeypatch):
    """Statistically: the second layer sees about a fraction p of the first one's outputs zeroed."""
    from lstm_tutorial.fast import stack

    torch.manual_seed(0)
    layer = LSTM(2, 50, 2, dropout=0.3, variant="CIFG")
    zeroed, original = [], stack.lstm_sequence

    def spy(cell, inputs, *args):
        if cell is layer.cells[1]:
            zeroed.append((inputs == 0).float().mean().item())
        return original(cell, inputs, *args)

    monkeypatch.setattr(stack, "lstm_sequence", spy)
    layer(torch.randn(40, 8, 2))
    assert abs(zeroed[0] - 0.3) < 0.03  # 16,000 units: the standard error is 0.004


def test_packed_sequence_with_wrong_features_or_dtype_is_refused():
    packed = _packed(LENGTHS, False, torch.Generator().manual_seed(0))  # float64, D = 3
    with pytest.raises(ValueError, match=r"data must have shape \(N, 5\), got \(15, 3\)"):
        LSTM(5, 4, dtype=F64)(packed)
    with pytest.raises(TypeError, match=r"x\.data has dtype torch\.float64 but the parameters"):
        LSTM(3, 4, peepholes="ifo", dtype=torch.float32)(packed)


@pytest.mark.parametrize("fast", [True, False])
def test_unbatched_errors_name_the_shapes_the_caller_gave(fast):
    """An unbatched x (T, D) and states (L * nd, H) are checked before the batch axis is added."""
    layer = LSTM(3, 4, 2, dtype=F64, fast=fast)
    x, h0, c0 = (
        torch.randn(5, 3, dtype=F64),
        torch.zeros(2, 4, dtype=F64),
        torch.zeros(2, 4, dtype=F64),
    )
    with pytest.raises(
        ValueError, match=r"unbatched x must have shape \(T, D\) with D = 3, got shape \(5, 4\)"
    ):
        layer(torch.randn(5, 4, dtype=F64))
    with pytest.raises(ValueError, match=r"h0 must have shape \(2, 4\), got shape \(2, 5\)"):
        layer(x, (torch.zeros(2, 5, dtype=F64), c0))
    with pytest.raises(ValueError, match=r"c0 must have shape \(2, 4\), got shape \(3, 4\)"):
        layer(x, (h0, torch.zeros(3, 4, dtype=F64)))


@pytest.mark.parametrize("batched", [True, False])
def test_lstm_takes_a_list_of_states_as_torch(batched):
    theirs = nn.LSTM(3, 4, 2, dtype=F64)
    randomize(theirs, 3)
    ours = from_torch(theirs)
    B = (2,) if batched else ()  # an unbatched x (T, D) has states (L, H)
    x = torch.randn(5, *B, 3, dtype=F64)
    hx = [torch.randn(2, *B, 4, dtype=F64), torch.randn(2, *B, 4, dtype=F64)]
    out, (h_n, c_n) = ours(x, hx)
    ref, (h_ref, c_ref) = theirs(x, hx)
    assert_close(out, ref)
    assert_close(h_n, h_ref)
    assert_close(c_n, c_ref)
