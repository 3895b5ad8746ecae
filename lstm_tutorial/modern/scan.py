"""A linear recurrence ``h_t = a_t ⊙ h_{t−1} + b_t`` computed for all t at once, in log space.

Unrolled, the recurrence is a sum of products: with ``A_t = Σ_{l≤t} log a_l``,

    h_t = exp(A_t) ⊙ (h_0 + Σ_{j≤t} b_j exp(−A_j)),
    log h_t = A_t + logcumsumexp_j (log b_j − A_j)      (h_0 joins the sum as j = 0, A_0 = 0)

``cumsum`` and ``logcumsumexp`` are parallel prefix scans (Blelloch 1990), so no Python loop over
time remains; working with logs keeps the products of many gates < 1 from underflowing (Heinsen
2023, the form Feng et al. 2024 use for minGRU and minLSTM). It needs a > 0, b > 0 and h_0 > 0.

Shapes: a, b (B, T, H); h_0 (B, H) or None (zeros); result (B, T, H).
"""

from __future__ import annotations

import torch


def loop(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
    """The recurrence one step at a time (the reference): a, b (B, T, H) -> h (B, T, H)."""
    h = torch.zeros_like(b[:, 0]) if h0 is None else h0  # (B, H)
    hs = []
    for a_t, b_t in zip(a.unbind(1), b.unbind(1)):
        h = a_t * h + b_t  # (B, H)
        hs.append(h)
    return torch.stack(hs, dim=1)  # (B, T, H)


def log_scan(
    log_a: torch.Tensor, log_b: torch.Tensor, log_h0: torch.Tensor | None = None
) -> torch.Tensor:
    """The same recurrence from logs: log a, log b (B, T, H), log h_0 (B, H) -> log h (B, T, H)."""
    A = torch.cumsum(log_a, dim=1)  # (B, T, H)  A_t
    terms = log_b - A  # (B, T, H)  log b_j − A_j
    if log_h0 is not None:
        terms = torch.cat([log_h0[:, None], terms], dim=1)  # (B, 1 + T, H)
        return A + torch.logcumsumexp(terms, dim=1)[:, 1:]
    return A + torch.logcumsumexp(terms, dim=1)  # (B, T, H)
