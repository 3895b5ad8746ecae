"""Check for notebook 14: the temperature softmax a sampler draws the next character from.

    p = softmax(z / τ),   p_k = exp(z_k / τ − m) / Σ_j exp(z_j / τ − m),   m = max_j z_j / τ

over the last dimension of the logits z (..., V). Subtracting m changes nothing mathematically
and keeps exp from overflowing; the cases include logits in the hundreds, where it matters.
The reference is the package's ``experiments.charlm.temperature_softmax``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ...experiments.charlm import temperature_softmax as reference
from .calling import call, explain
from .failure import close, expect_function, fail, passed

P = "p = softmax(z / τ) over the last dimension"


def _stable(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.exp(z - z.amax(dim, keepdim=True))


MISTAKES: list[tuple[str, Callable]] = [
    (f"the logits are multiplied by τ; divide them: {P}.",
     lambda z, t: torch.softmax(z * t, -1)),
    (f"the temperature is not used in the exponent: {P}, so τ divides z before exp.",
     lambda z, t: torch.softmax(z, -1)),
    (f"τ divides the probabilities after the softmax; it divides the logits before: {P}.",
     lambda z, t: torch.softmax(z, -1) / t),
    ("p = softmax(z) ** (1 / τ) is not normalised: divide by its sum over the last dimension "
     "(or compute softmax(z / τ)).", lambda z, t: torch.softmax(z, -1) ** (1 / t)),
    (f"the exponentials are not normalised: divide by their sum over the last dimension ({P}).",
     lambda z, t: _stable(z / t)),
    (f"the sum is taken over the wrong dimension: normalise over the last one (dim=-1): {P}.",
     lambda z, t: _stable(z / t) / _stable(z / t).sum(0, keepdim=True)),
    (f"the softmax runs over the wrong dimension: use dim=-1 (the vocabulary): {P}.",
     lambda z, t: torch.softmax(z / t, 0)),
    ("these are log-probabilities (log_softmax): return the probabilities, softmax(z / τ).",
     lambda z, t: torch.log_softmax(z / t, -1)),
    (f"σ is not the softmax: the probabilities of all V characters must sum to 1 ({P}).",
     lambda z, t: torch.sigmoid(z / t)),
]  # fmt: skip
HINTS = [
    ("must match the size of tensor", "keep the reduced dimension for broadcasting: "
     "z.max(dim=-1, keepdim=True) and .sum(dim=-1, keepdim=True)"),
    ("'tuple' object", "z.max(dim=-1) returns (values, indices): use .values or z.amax(dim=-1)"),
    ("'torch.return_types", "z.max(dim=-1) returns (values, indices): use .values or "
     "z.amax(dim=-1)"),
]  # fmt: skip


def _cases(gen: torch.Generator) -> list[tuple[torch.Tensor, float]]:
    """Logits (V,), (B, V), (B, T, V) at several temperatures, one case in the hundreds."""
    shapes = [(7,), (3, 5), (2, 4, 6), (5, 97)]
    cases = [(torch.randn(s, generator=gen, dtype=torch.float64) * 3, t)
             for s, t in zip(shapes, (1.0, 0.5, 1.7, 0.8))]  # fmt: skip
    big = 400 + 50 * torch.randn(4, 9, generator=gen, dtype=torch.float64)
    return [*cases, (big, 0.5)]


def check_temperature_softmax(fn: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``temperature_softmax(logits, temperature) -> p`` (same shape as the logits)."""
    name = "temperature_softmax"
    expect_function(name, fn)
    cases = _cases(torch.Generator().manual_seed(seed))
    results = []
    for z, t in cases:
        before = z.clone()
        outcome = call(fn, (z, t))
        if outcome.error is not None:
            fail(explain(name, outcome.error, HINTS))
        if not torch.equal(z, before):
            fail(f"{name} changed the logits in place (/=, -=); compute a new tensor instead.")
        p = outcome.result
        if not isinstance(p, torch.Tensor):
            fail(f"{name} must return a torch.Tensor of probabilities, got {type(p).__name__}.")
        if p.shape != z.shape:
            fail(f"{name} must return one probability per logit, shape {tuple(z.shape)}, "
                 f"got {tuple(p.shape)}.")  # fmt: skip
        if p.dtype != z.dtype:
            fail(
                f"{name} returned probabilities with dtype {p.dtype}, expected {z.dtype} (the "
                "logits' dtype): do not call .float() or create tensors with another dtype."
            )
        results.append(p)
    expected = [reference(z, t) for z, t in cases]
    if all(close(p, e) for p, e in zip(results, expected)):
        if not quiet:
            passed(f"{name} matches {P} on {len(cases)} random cases of different shapes.")
        return
    for message, wrong in MISTAKES:
        if all(close(p, wrong(z, t)) for p, (z, t) in zip(results, cases)):
            fail(message)
    if not torch.isfinite(results[-1]).all() and all(map(close, results[:-1], expected[:-1])):
        fail(f"{name} gives nan or inf for logits in the hundreds: exp overflows; subtract the "
             "largest z / τ of each row before exp (it cancels in the ratio).")  # fmt: skip
    sums = [p.sum(-1) for p in results]
    if not all(close(s, torch.ones_like(s)) for s in sums):
        fail(f"{name}'s probabilities do not sum to 1 over the last dimension: {P}.")
    fail(f"{name} returns probabilities that sum to 1 but are not softmax(z / τ): check where τ "
         "enters (it divides the logits once, before exp).")  # fmt: skip
