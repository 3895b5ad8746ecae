"""The encoder–decoder (lstm_tutorial.attention.seq2seq) in float64: padding never read, teacher
forcing equal to stepping, greedy decoding feeding back its argmax, torch's LSTM a drop-in."""

import pytest
import torch
from parity import assert_close, randomize

from lstm_tutorial import to_torch
from lstm_tutorial.attention import BOS, PAD, Seq2Seq, make_seq2seq

V, E, H = 9, 4, 6
KINDS = [None, "dot", "general", "additive"]


def model(kind, seed=0) -> Seq2Seq:
    torch.manual_seed(seed)
    m = make_seq2seq(V, kind, E, H)
    randomize(m, seed + 1)
    return m


def batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([5, 2, 5, 3])
    src = torch.randint(2, V, (4, 5), generator=g)
    src[torch.arange(5)[None, :] >= lengths[:, None]] = PAD
    tgt = torch.randint(2, V, (4, 4), generator=g)
    return src, lengths, tgt


@pytest.mark.parametrize("kind", KINDS)
def test_each_sequence_decodes_as_if_alone(kind):
    """Padding changes nothing: a padded batch gives each row what it gives unpadded, alone."""
    m = model(kind)
    src, lengths, tgt = batch()
    together = m(src, tgt, lengths)
    for b in range(len(src)):
        alone = m(src[b : b + 1, : lengths[b]], tgt[b : b + 1])
        assert_close(together.logits[b], alone.logits[0])
        if kind is not None:
            assert_close(together.weights[b, :, : lengths[b]], alone.weights[0])
            assert (together.weights[b, :, lengths[b] :] == 0).all()


@pytest.mark.parametrize("kind", KINDS)
def test_teacher_forcing_equals_one_step_at_a_time(kind):
    m = model(kind)
    src, lengths, tgt = batch()
    forced = m(src, tgt, lengths)
    memory, state = m.encoder(src, lengths)
    mask = m.source_mask(src, lengths)
    y_prev = torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], 1)
    for t in range(tgt.shape[1]):
        step, state = m.decoder(y_prev[:, t : t + 1], state, memory, mask)
        assert_close(step.logits[:, 0], forced.logits[:, t])


@pytest.mark.parametrize("kind", KINDS)
def test_greedy_reads_its_own_argmax(kind):
    m = model(kind)
    src, lengths, _ = batch()
    tokens, decoded = m.greedy(src, 4, lengths)
    assert tokens.shape == (4, 4) and decoded.logits.shape == (4, 4, V)
    assert torch.equal(tokens, decoded.logits.argmax(-1))
    # teacher-forcing the greedy output reproduces the greedy logits
    assert_close(m(src, tokens, lengths).logits, decoded.logits)
    if kind is not None:
        assert decoded.weights.shape == (4, 4, 5)


@pytest.mark.parametrize("kind", [None, "dot"])
def test_torch_lstm_is_a_drop_in(kind):
    m = model(kind)
    src, lengths, tgt = batch()
    ours = m(src, tgt, lengths).logits
    m.encoder.rnn, m.decoder.rnn = to_torch(m.encoder.rnn), to_torch(m.decoder.rnn)
    assert_close(m(src, tgt, lengths).logits, ours)


def test_gradients_reach_every_parameter():
    m = model("additive")
    src, lengths, tgt = batch()
    m(src, tgt, lengths).logits.square().sum().backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_unknown_attention_is_rejected():
    with pytest.raises(ValueError, match="attention must be one of"):
        make_seq2seq(V, "cosine")
