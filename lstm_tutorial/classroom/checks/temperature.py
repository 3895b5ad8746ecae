"""Check for notebook 14: the temperature softmax a sampler draws the next character from.

    p = softmax(z / τ),   p_k = exp(z_k / τ − m) / Σ_j exp(z_j / τ − m),   m = max_j z_j / τ

over the last dimension of the logits z (..., V). Subtracting m changes nothing mathematically
and keeps exp from overflowing; the cases include logits in the hundreds, where it matters.
The reference is the package's ``experiments.charlm.temperature_softmax``; the shared runner
(``runner.run``) runs the check, with no gradient comparison (nothing differentiates a sampler).
"""

from __future__ import annotations

import torch

from ...experiments.charlm import temperature_softmax as reference
from .calling import ERROR_HINTS
from .cases import Case
from .failure import close, fail
from .runner import Exercise, Mistake, run

P = "p = softmax(z / τ) over the last dimension"


def _stable(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.exp(z - z.amax(dim, keepdim=True))


m = Mistake
MISTAKES = [
    m(f"the logits are multiplied by τ; divide them: {P}.",
      lambda z, t: torch.softmax(z * t, -1)),
    m(f"the temperature is not used in the exponent: {P}, so τ divides z before exp.",
      lambda z, t: torch.softmax(z, -1)),
    m(f"τ divides the probabilities after the softmax; it divides the logits before: {P}.",
      lambda z, t: torch.softmax(z, -1) / t),
    m("p = softmax(z) ** (1 / τ) is not normalised: divide by its sum over the last dimension "
      "(or compute softmax(z / τ)).", lambda z, t: torch.softmax(z, -1) ** (1 / t)),
    m(f"the exponentials are not normalised: divide by their sum over the last dimension ({P}).",
      lambda z, t: _stable(z / t)),
    m(f"the sum is taken over the wrong dimension: normalise over the last one (dim=-1): {P}.",
      lambda z, t: _stable(z / t) / _stable(z / t).sum(0, keepdim=True)),
    m(f"the softmax runs over the wrong dimension: use dim=-1 (the vocabulary): {P}.",
      lambda z, t: torch.softmax(z / t, 0)),
    m("these are log-probabilities (log_softmax): return the probabilities, softmax(z / τ).",
      lambda z, t: torch.log_softmax(z / t, -1)),
    m(f"σ is not the softmax: the probabilities of all V characters must sum to 1 ({P}).",
      lambda z, t: torch.sigmoid(z / t)),
    m(f"τ divides the logits twice (z / τ²); once is enough: {P}.",
      lambda z, t: torch.softmax(z / t**2, -1)),
    m(f"the division is upside down: τ / z; the logits are divided by τ, {P}.",
      lambda z, t: torch.softmax(t / z, -1)),
    m("the maximum is subtracted after exp: subtract it from z / τ inside exp, "
      "exp(z / τ − max), which leaves the ratio unchanged.",
      lambda z, t: (torch.exp(z / t) - torch.exp(z / t).amax(-1, keepdim=True))
      / (torch.exp(z / t) - torch.exp(z / t).amax(-1, keepdim=True)).sum(-1, keepdim=True)),
    m("the numerator subtracts the maximum but the denominator does not: use the same "
      "exp(z / τ − max) in both.",
      lambda z, t: _stable(z / t) / torch.exp(z / t).sum(-1, keepdim=True)),
    m(f"the maximum is taken over dim 0, one per column; take each row's own, z.amax(dim=-1, "
      f"keepdim=True), so that the shift cancels within the row: {P}.",
      lambda z, t: _stable(z / t - (z / t).amax(0, keepdim=True)) / _stable(
          z / t - (z / t).amax(0, keepdim=True)).sum(-1, keepdim=True)),
    m(f"τ is rounded to an integer (int(τ)): divide by the temperature as it is, {P}.",
      lambda z, t: torch.softmax(z / int(t), -1) if int(t) else torch.full_like(z, float("nan"))),
    m(f"z // τ is floor division, which rounds the scaled logits down to whole numbers: divide "
      f"with /, {P}.", lambda z, t: torch.softmax(torch.div(z, t, rounding_mode="floor"), -1)),
    m(f"the logits are clamped instead of shifted: subtract each row's largest z / τ before exp "
      f"(it cancels in the ratio), as clamping changes the ratios: {P}.",
      lambda z, t: torch.softmax((z / t).clamp(-50, 50), -1)),
]  # fmt: skip
DEFAULT_HINT = (
    "the logits may be (V,), (B, V) or (B, T, V), and p has their shape: every reduction runs "
    "over dim=-1"
)
HINTS = [
    ("must match the size of tensor", "keep the reduced dimension for broadcasting: "
     "z.max(dim=-1, keepdim=True) and .sum(dim=-1, keepdim=True)"),
    ("'tuple' object", "z.max(dim=-1) returns (values, indices): use .values or z.amax(dim=-1)"),
    ("'torch.return_types", "z.max(dim=-1) returns (values, indices): use .values or "
     "z.amax(dim=-1)"),
    ("Dimension out of range", "the logits may be (V,), (B, V) or (B, T, V): reduce over "
     "dim=-1, the vocabulary, which every shape has"),
    *ERROR_HINTS,
    ("", DEFAULT_HINT),
]  # fmt: skip


def _cases(gen: torch.Generator) -> list[Case]:
    """Logits (V,), (B, V), (B, T, V) at several temperatures, one case in the hundreds whose rows
    spread wider than exp can take (subtracting anything but the maximum overflows)."""
    shapes = [(7,), (3, 5), (2, 4, 6), (5, 97)]
    cases = [(torch.randn(s, generator=gen, dtype=torch.float64) * 3, t)
             for s, t in zip(shapes, (1.3, 0.5, 1.7, 0.8))]  # fmt: skip
    big = 400 + 300 * torch.randn(4, 9, generator=gen, dtype=torch.float64)  # spread > 709 τ
    return [Case(args, 0, 0, 0) for args in (*cases, (big, 0.5))]


def _returned(ex, p: object, case: Case, expected: tuple) -> tuple:
    """One probability per logit, as a tensor of the logits' shape and dtype."""
    z = case.args[0]
    if not isinstance(p, torch.Tensor):
        fail(f"{ex.name} must return a torch.Tensor of probabilities, got {type(p).__name__}.")
    if p.shape != z.shape:
        fail(f"{ex.name} must return one probability per logit, shape {tuple(z.shape)}, "
             f"got {tuple(p.shape)}.")  # fmt: skip
    if p.dtype != z.dtype:
        fail(
            f"{ex.name} returned probabilities with dtype {p.dtype}, expected {z.dtype} (the "
            "logits' dtype): do not call .float() or create tensors with another dtype."
        )
    return (p,)


def _diagnose(case: Case, result: tuple, expected: tuple, student=None) -> str:
    """Overflow, probabilities that do not sum to 1, or τ in the wrong place."""
    (p,), name = result, "temperature_softmax"
    if not torch.isfinite(p).all() and case.args[0].abs().max() > 100:
        return (f"{name} gives nan or inf for logits in the hundreds: exp overflows; subtract "
                "the largest z / τ of each row before exp (it cancels in the ratio).")  # fmt: skip
    sums = p.sum(-1)
    if not close(sums, torch.ones_like(sums)):
        return f"{name}'s probabilities do not sum to 1 over the last dimension: {P}."
    return (f"{name} returns probabilities that sum to 1 but are not softmax(z / τ): check where "
            "τ enters (it divides the logits once, before exp) and that the row's maximum is "
            "subtracted inside exp, exp(z / τ − max).")  # fmt: skip


TEMPERATURE_SOFTMAX = Exercise(
    name="temperature_softmax",
    equation=P,
    outputs=("p",),
    arg_names=("logits", "temperature"),
    reference=reference,
    cases=_cases,
    mistakes=MISTAKES,
    hints=HINTS,
    returned=_returned,
    diagnose=_diagnose,
    differentiable=False,
    nan_equal=True,  # a known mistake overflows on the large logits as the student's does
)


def check_temperature_softmax(fn: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``temperature_softmax(logits, temperature) -> p`` (same shape as the logits)."""
    run(TEMPERATURE_SOFTMAX, fn, seed, quiet)
