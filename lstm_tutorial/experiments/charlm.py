"""A character-level language model: embedding, this package's LSTM, a linear read-out
(Graves 2013; Karpathy, Johnson & Fei-Fei 2015).

    e_t = E[x_t]                       (B, T, De)   a learned vector per character
    h_t, C_t = LSTM(e_t, h_{t-1}, C_{t-1})   (B, T, H)
    z_t = W h_t + b                    (B, T, V)    logits of the next character
    p(x_{t+1} | x_{≤t}) = softmax(z_t)

Trained by cross-entropy, −log p of the character that came next, averaged over characters;
in bits (divided by ln 2) it is the number of bits per character an arithmetic coder driven by the
model would need (Shannon 1951 estimated about one bit per character for printed English).

``bits_per_char`` reads a stream the way training does (``Streams``: B rows, state carried across
windows), so the number is the model's cost on that text. ``sample`` draws characters one at a
time from softmax(z / τ) (temperature τ), in float64 with its own generator, so the same seed
gives the same text on any machine and thread count.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..layers import LSTM
from .corpus import Vocab
from .streams import Streams, detach


class CharLM(nn.Module):
    """Embedding -> ``lstm_tutorial.LSTM`` (one layer, batch_first) -> linear logits."""

    def __init__(
        self,
        vocab_size: int,
        embed_size: int = 32,
        hidden_size: int = 192,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, dtype=dtype)
        self.lstm = LSTM(embed_size, hidden_size, batch_first=True, dtype=dtype)
        self.head = nn.Linear(hidden_size, vocab_size, dtype=dtype)

    def forward(self, ids: torch.Tensor, state: tuple | None = None):
        """ids (B, T) -> logits (B, T, V), state (h, c) each (1, B, H)."""
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.int64:
            raise TypeError(f"ids must be a 2-D (B, T) int64 tensor, got {ids!r:.60}")
        e = self.embed(ids)  # (B, T, De)
        h, state = self.lstm(e, state)  # (B, T, H)
        return self.head(h), state  # (B, T, V)


def temperature_softmax(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """p = softmax(z / τ) over the last dimension: τ < 1 sharpens, τ > 1 flattens, τ = 1 is p."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    return torch.softmax(logits / temperature, dim=-1)


@torch.no_grad()
def bits_per_char(model: CharLM, ids: torch.Tensor, batch_size: int = 32, seq_len: int = 250):
    """Mean −log₂ p(next character) over ``ids`` (N,), read as ``Streams(ids, B, T)``."""
    state, total, count = None, 0.0, 0
    for x, y in Streams(ids, batch_size, seq_len):
        logits, state = model(x, state)  # (B, T, V)
        state = detach(state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum")
        total += float(loss)
        count += y.numel()
    return total / count / math.log(2)


@torch.no_grad()
def sample(
    model: CharLM, vocab: Vocab, prompt: str, n: int, temperature: float = 1.0, seed: int = 0
) -> str:
    """``n`` characters drawn after ``prompt``, each from softmax(z / τ) given all before it."""
    if not prompt:
        raise ValueError("prompt must hold at least one character")
    model = _float64_copy(model)
    gen = torch.Generator().manual_seed(seed)
    logits, state = model(vocab.encode(prompt)[None])  # (1, T, V)
    out = []
    for _ in range(n):
        p = temperature_softmax(logits[0, -1], temperature)  # (V,)
        u = torch.rand((), generator=gen, dtype=torch.float64)
        k = min(int(torch.searchsorted(p.cumsum(0), u)), len(vocab) - 1)  # inverse CDF
        out.append(k)
        logits, state = model(torch.tensor([[k]]), state)
    return vocab.decode(out)


def _float64_copy(model: CharLM) -> CharLM:
    sizes = model.embed.num_embeddings, model.embed.embedding_dim, model.lstm.hidden_size
    copy = CharLM(*sizes, dtype=torch.float64)
    copy.load_state_dict(model.state_dict())
    return copy
