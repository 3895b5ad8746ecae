"""What the character model's units track, after Karpathy, Johnson & Fei-Fei (2015).

    features   per character of Python source, the value after reading it: bracket depth,
               inside a string literal, column in the line, indentation of the line
    correlate  Pearson r between every unit's activation a_j (T,) and a feature y (T,):
               r_j = Σ_t (a_jt − ā_j)(y_t − ȳ) / (‖a_j − ā_j‖ ‖y − ȳ‖)
    saturation the fraction of steps a gate unit spends left-saturated (< 0.1) or right-saturated
               (> 0.9), the statistic of Karpathy et al.'s Figure 3
    reach      the loss on a character when the model is given only its last k characters

``states`` runs the package's own loop (``sequence.trace``) over a text and returns every
activation, ``LSTMStep(f, i, g, o, c, h)`` each (T, H).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ..lstm import LSTMStep
from ..sequence import trace
from .charlm import CharLM
from .corpus import Vocab

FEATURES = ("bracket depth", "inside string", "column", "indentation")


class Features(NamedTuple):
    """One value per character, the state after reading it (each (T,) float64)."""

    depth: torch.Tensor  # open ( [ { minus closed, outside strings and comments
    string: torch.Tensor  # 1 inside a string literal (its quotes included), else 0
    column: torch.Tensor  # characters since the last newline (0 on the newline)
    indent: torch.Tensor  # leading spaces of the character's line


def code_features(text: str) -> Features:
    """Scan ``text`` as Python: quotes (', ", triple), backslash escapes, # comments."""
    rows: list[tuple[int, int, int, int]] = []
    depth = column = indent = 0
    leading = True  # still in the line's leading spaces

    def emit(span: str, inside: bool) -> None:
        nonlocal column, indent, leading
        for ch in span:
            if ch == "\n":
                column, indent, leading = 0, 0, True
            else:
                column += 1
                leading = leading and ch == " "
                indent += leading
            rows.append((depth, int(inside), column, indent))

    quote, comment, k = "", False, 0
    while k < len(text):
        ch = text[k]
        if quote:  # inside a literal: an escape pair, the closing quote, or one character
            width = 2 if ch == "\\" else len(quote) if text.startswith(quote, k) else 1
            span = text[k : k + width]
            if (ch != "\\" and span == quote) or (ch == "\n" and len(quote) == 1):
                quote = ""  # closed (a one-line string left open ends at its line)
            emit(span, True)
        elif comment:
            comment, width = ch != "\n", 1
            emit(ch, False)
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, k) else ch
            width = len(quote)
            emit(text[k : k + width], True)
        else:
            comment, width = ch == "#", 1
            if ch in "([{":
                depth += 1
            elif ch in ")]}" and depth > 0:
                depth -= 1
            emit(ch, False)
        k += width
    t = torch.tensor(rows, dtype=torch.float64).reshape(-1, 4)  # (T, 4)
    return Features(*t.unbind(1))


@torch.no_grad()
def states(model: CharLM, vocab: Vocab, text: str) -> LSTMStep:
    """Every activation of the model's (only) LSTM cell over ``text``: fields (T, H)."""
    e = model.embed(vocab.encode(text))[:, None]  # (T, 1, De)
    steps = trace(model.lstm.cells[0], e)  # fields (T, 1, H)
    return LSTMStep(*(field[:, 0] for field in steps))


def correlate(a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Pearson r of every column of a (T, H) with y (T,) -> (H,); 0 for a constant column."""
    if a.dim() != 2 or y.shape != a.shape[:1]:
        raise ValueError(f"expected a (T, H) and y (T,), got {tuple(a.shape)} and {tuple(y.shape)}")
    a = a.double() - a.double().mean(0)  # (T, H)
    y = y.double() - y.double().mean()  # (T,)
    norm = a.norm(dim=0) * y.norm()  # (H,)
    return torch.where(norm > 0, (a * y[:, None]).sum(0) / norm.clamp_min(1e-300), 0.0)


def best_unit(a: torch.Tensor, y: torch.Tensor) -> tuple[int, float]:
    """The unit whose activation is most correlated with y (largest |r|), and its r."""
    r = correlate(a, y)  # (H,)
    j = int(r.abs().argmax())
    return j, float(r[j])


def saturation(gate: torch.Tensor, low: float = 0.1, high: float = 0.9) -> torch.Tensor:
    """gate (T, H) in [0, 1] -> (H, 2): fraction of steps below ``low`` and above ``high``."""
    return torch.stack([(gate < low).double().mean(0), (gate > high).double().mean(0)], 1)


@torch.no_grad()
def loss_against_context(
    model: CharLM, ids: torch.Tensor, positions: torch.Tensor, lengths: list[int]
) -> list[float]:
    """Bits on ids[p] for each p in ``positions`` (M,), given only ids[p − k : p], per k."""
    if int(positions.min()) < max(lengths):
        raise ValueError(f"every position needs {max(lengths)} characters before it")
    out = []
    for k in lengths:
        x = torch.stack([ids[p - k : p] for p in positions.tolist()])  # (M, k)
        logits, _ = model(x)  # (M, k, V): a fresh zero state for each
        loss = nn.functional.cross_entropy(logits[:, -1], ids[positions])
        out.append(float(loss) / math.log(2))
    return out
