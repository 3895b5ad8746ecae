"""An LSTM encoder–decoder (Sutskever et al. 2014; Cho et al. 2014), with or without attention.

The encoder reads the source x_1 … x_S; the decoder writes y_1 … y_T, one token at a time:

    encoder   (h̄_s, C̄_s) = LSTM(E x_s, h̄_{s−1}, C̄_{s−1})             s = 1 … S
    decoder   (h_t, C_t) = LSTM(E y_{t−1}, h_{t−1}, C_{t−1})   (h_0, C_0) = (h̄_S, C̄_S), y_0 = BOS
    plain     h̃_t = tanh(W_c h_t)
    attention c_t = Σ_s α_ts h̄_s,  α_t = attention(h_t, h̄_1…S),   h̃_t = tanh(W_c [c_t; h_t])
    output    p(y_t | y_<t, x) = softmax(W_y h̃_t + b_y)

Without attention everything the decoder knows about the source is the fixed-size (h̄_S, C̄_S):
the bottleneck Cho et al. (2014) measured. The decoder is Luong, Pham & Manning's (2015) form:
attention reads the state *after* the recurrent step, so with teacher forcing (the decoder reads
the true y_{t−1}, Williams & Zipser 1989) the recurrent layer runs over all T steps at once;
Bahdanau et al. (2015) fed c_t into the step instead. Every score of ``scores`` fits this form.

Both recurrent layers are this package's ``LSTM`` (``lstm_tutorial.layers``), batch first; any
module with ``torch.nn.LSTM``'s interface can replace them (e.g. ``to_torch`` of them).

Shapes: B batch, S source steps, T target steps, E embedding, H hidden, V vocabulary.
    src (B, S) int64, lengths (B,) int64, tgt (B, T) int64, logits (B, T, V)
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ..layers import LSTM
from .scores import AdditiveAttention, DotAttention, GeneralAttention

PAD, BOS = 0, 1  # token ids every vocabulary of this module reserves


class Decoded(NamedTuple):
    """Teacher-forced or greedy decoder output."""

    logits: torch.Tensor  # (B, T, V)
    weights: torch.Tensor | None  # (B, T, S) attention weights α, None without attention


class Encoder(nn.Module):
    """(h̄_s, C̄_s) = LSTM(E x_s, h̄_{s−1}, C̄_{s−1}); padded positions are never read."""

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, dtype=None) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD, dtype=dtype)
        self.rnn = LSTM(embed_size, hidden_size, batch_first=True, dtype=dtype)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor | None = None):
        """src (B, S), lengths (B,) -> outputs h̄ (B, S, H) (zeros at pads), state ((1, B, H) × 2).

        Sequences of one length run together, so no step reads a pad and the final state is the
        one after each sequence's own last token (what torch's ``pack_padded_sequence`` does).
        """
        x = self.embed(src)  # (B, S, E)
        if lengths is None or bool((lengths == src.shape[1]).all()):
            return self.rnn(x)
        B, S = src.shape
        H = self.rnn.hidden_size
        outputs = x.new_zeros(B, S, H)
        h, c = x.new_zeros(1, B, H), x.new_zeros(1, B, H)
        for L in lengths.unique().tolist():
            rows = (lengths == L).nonzero().squeeze(1)  # which sequences have length L
            out, (h_L, c_L) = self.rnn(x[rows, :L])  # (b, L, H), (1, b, H)
            outputs = outputs.index_copy(0, rows, nn.functional.pad(out, (0, 0, 0, S - L)))
            h, c = h.index_copy(1, rows, h_L), c.index_copy(1, rows, c_L)
        return outputs, (h, c)


class Decoder(nn.Module):
    """(h_t, C_t) = LSTM(E y_{t−1}, h_{t−1}, C_{t−1}); h̃_t = tanh(W_c [c_t; h_t]); W_y h̃_t + b_y."""

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        hidden_size: int,
        attention: nn.Module | None = None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD, dtype=dtype)
        self.rnn = LSTM(embed_size, hidden_size, batch_first=True, dtype=dtype)
        self.attention = attention
        inputs = 2 * hidden_size if attention is not None else hidden_size
        self.W_c = nn.Linear(inputs, hidden_size, bias=False, dtype=dtype)
        self.W_y = nn.Linear(hidden_size, vocab_size, dtype=dtype)

    def forward(self, y_prev, state, memory, mask=None):
        """y_prev (B, T) tokens read, state ((1, B, H) × 2), memory h̄ (B, S, H), mask (B, S).

        Returns (``Decoded``, state after the last step); T = 1 is one step of greedy decoding.
        """
        h, state = self.rnn(self.embed(y_prev), state)  # (B, T, H)
        if self.attention is None:
            return Decoded(self.W_y(torch.tanh(self.W_c(h))), None), state  # (B, T, V)
        c, alpha = self.attention(h, memory, mask)  # (B, T, H), (B, T, S)
        h_tilde = torch.tanh(self.W_c(torch.cat([c, h], dim=-1)))  # (B, T, H)
        return Decoded(self.W_y(h_tilde), alpha), state


class Seq2Seq(nn.Module):
    """Encoder + decoder. ``forward`` is teacher-forced (training), ``greedy`` decodes."""

    def __init__(self, encoder: Encoder, decoder: Decoder) -> None:
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    @staticmethod
    def source_mask(src: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor | None:
        """(B, S) True at real positions s < length; None when nothing is padded."""
        if lengths is None:
            return None
        return torch.arange(src.shape[1], device=src.device)[None, :] < lengths[:, None]

    def forward(self, src, tgt, lengths=None) -> Decoded:
        """Teacher forcing: the decoder reads (BOS, y_1, …, y_{T−1}) and predicts y_1 … y_T.

        src (B, S), tgt (B, T), lengths (B,) of src -> logits (B, T, V), weights (B, T, S).
        """
        memory, state = self.encoder(src, lengths)  # (B, S, H)
        y_prev = torch.cat([torch.full_like(tgt[:, :1], BOS), tgt[:, :-1]], dim=1)  # (B, T)
        decoded, _ = self.decoder(y_prev, state, memory, self.source_mask(src, lengths))
        return decoded

    @torch.no_grad()
    def greedy(self, src, steps: int, lengths=None) -> tuple[torch.Tensor, Decoded]:
        """Decode ``steps`` tokens, each step reading the argmax of the step before.

        Returns tokens (B, steps) and the ``Decoded`` logits (B, steps, V), weights (B, steps, S).
        """
        memory, state = self.encoder(src, lengths)
        mask = self.source_mask(src, lengths)
        y = torch.full_like(src[:, :1], BOS)  # (B, 1)
        tokens, outputs = [], []
        for _ in range(steps):
            decoded, state = self.decoder(y, state, memory, mask)
            y = decoded.logits.argmax(-1)  # (B, 1)
            tokens.append(y)
            outputs.append(decoded)
        weights = None if outputs[0].weights is None else torch.cat([o.weights for o in outputs], 1)
        return torch.cat(tokens, 1), Decoded(torch.cat([o.logits for o in outputs], 1), weights)


def make_seq2seq(
    vocab_size: int,
    attention: str | None = None,
    embed_size: int = 32,
    hidden_size: int = 128,
    dtype=None,
) -> Seq2Seq:
    """Build a model; ``attention`` is None (plain), "dot", "general" or "additive"."""
    H = hidden_size
    kinds = {
        None: lambda: None,
        "dot": lambda: DotAttention(),
        "general": lambda: GeneralAttention(H, H, dtype=dtype),
        "additive": lambda: AdditiveAttention(H, H, H, dtype=dtype),
    }
    if attention not in kinds:
        raise ValueError(f"attention must be one of {list(kinds)}, got {attention!r}")
    encoder = Encoder(vocab_size, embed_size, H, dtype)
    return Seq2Seq(encoder, Decoder(vocab_size, embed_size, H, kinds[attention](), dtype))
