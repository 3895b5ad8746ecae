"""Attention, the essay's next step: an LSTM encoder–decoder whose decoder looks back at every
encoder state (Bahdanau, Cho & Bengio 2015; Luong, Pham & Manning 2015).

    scores   the three scores (dot, general, additive), the masked softmax, ``Attended``
    seq2seq  ``Encoder``, ``Decoder``, ``Seq2Seq`` (teacher forcing, greedy), ``make_seq2seq``
"""

from .scores import (
    AdditiveAttention,
    Attended,
    DotAttention,
    GeneralAttention,
    attend,
    masked_softmax,
)
from .seq2seq import BOS, PAD, Decoded, Decoder, Encoder, Seq2Seq, make_seq2seq

__all__ = [
    "BOS",
    "PAD",
    "AdditiveAttention",
    "Attended",
    "Decoded",
    "Decoder",
    "DotAttention",
    "Encoder",
    "GeneralAttention",
    "Seq2Seq",
    "attend",
    "make_seq2seq",
    "masked_softmax",
]
