"""Cases and known mistakes for the exercises that write one learned layer,
``a = act(W x + U h_prev + b)``: the RNN step (act = tanh), the gates f, i, o (σ) and C̃ (tanh).
"""

from __future__ import annotations

import torch

from ._core import Case, Mistake

ACT = {"σ": torch.sigmoid, "tanh": torch.tanh}
FN = {"σ": "torch.sigmoid", "tanh": "torch.tanh"}
HARD = {"σ": torch.nn.functional.hardsigmoid, "tanh": torch.nn.functional.hardtanh}

# (B, D, H): the first case has D == H, so that mistakes with W and U (swapped, not transposed)
# still run and can be named; the others have B, D, H all different, so that a transposed or
# broadcast result has a visibly wrong shape.
SHAPES = [(3, 4, 4), (2, 5, 3), (4, 3, 6), (1, 6, 2)]


def uniform(g: torch.Generator, *shape: int, low: float = -1.0, high: float = 1.0):
    return low + (high - low) * torch.rand(shape, generator=g, dtype=torch.float64)


def bias(g: torch.Generator, H: int) -> torch.Tensor:
    """Random biases bounded away from 0: a zero bias would hide a missing bias."""
    sign = torch.where(torch.rand(H, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
    return sign * uniform(g, H, low=0.3, high=1.0)


def layer_cases(g: torch.Generator) -> list[Case]:
    """x (B, D), h_prev (B, H), W (H, D), U (H, H), b (H,) for each shape of SHAPES."""
    cases = []
    for B, D, H in SHAPES:
        x = torch.randn(B, D, generator=g, dtype=torch.float64)
        h_prev = uniform(g, B, H)
        W, U = uniform(g, H, D), uniform(g, H, H)
        cases.append(Case((x, h_prev, W, U, bias(g, H)), B, D, H))
    return cases


def layer(act: str):
    """The reference ``act(x @ W.T + h_prev @ U.T + b)``."""

    def reference(x, h_prev, W, U, b):
        return ACT[act](x @ W.T + h_prev @ U.T + b)  # (B, H)

    return reference


def layer_mistakes(name: str, act: str, suffix: str) -> list[Mistake]:
    """Typical wrong versions of ``name = act(W x + U h_prev + b)``, W named "W" + suffix."""
    a = ACT[act]
    W, U, b = f"W{suffix}", f"U{suffix}", f"b{suffix}"
    other = "tanh" if act == "σ" else "σ"
    why = "a gate must lie between 0 and 1" if act == "σ" else "it must lie between −1 and 1"
    mistakes = [
        Mistake(
            f"{name} uses {other} instead of {act}: {why}, so use {FN[act]}.",
            lambda x, h, W, U, b: ACT[other](x @ W.T + h @ U.T + b),
        ),
        Mistake(
            f"{name} is missing the {act}: apply {FN[act]} to {W} x + {U} h_prev + {b}.",
            lambda x, h, W, U, b: x @ W.T + h @ U.T + b,
        ),
        Mistake(
            f"{name} uses ReLU instead of {act}: use {FN[act]}.",
            lambda x, h, W, U, b: torch.relu(x @ W.T + h @ U.T + b),
        ),
        Mistake(
            f"the bias {b} is missing: add + {b} inside the {act}.",
            lambda x, h, W, U, b: a(x @ W.T + h @ U.T),
        ),
        Mistake(
            f"the bias {b} is added after the {act}; it belongs inside: "
            f"{act}({W} x + {U} h_prev + {b}).",
            lambda x, h, W, U, b: a(x @ W.T + h @ U.T) + b,
        ),
        Mistake(
            f"{W} and {U} are swapped: {W} multiplies x and {U} multiplies h_prev.",
            lambda x, h, W, U, b: a(x @ U.T + h @ W.T + b),
        ),
        Mistake(
            f"forgot to transpose {W} and {U}: with one example per row, {W} x is written "
            f"x @ {W}.T.",
            lambda x, h, W, U, b: a(x @ W + h @ U + b),
        ),
        Mistake(
            f"forgot to transpose {W}: with one example per row, {W} x is written x @ {W}.T.",
            lambda x, h, W, U, b: a(x @ W + h @ U.T + b),
        ),
        Mistake(
            f"forgot to transpose {U}: with one example per row, {U} h_prev is written "
            f"h_prev @ {U}.T.",
            lambda x, h, W, U, b: a(x @ W.T + h @ U + b),
        ),
        Mistake(
            f"the recurrent term {U} h_prev is missing: add h_prev @ {U}.T inside the {act}.",
            lambda x, h, W, U, b: a(x @ W.T + b),
        ),
        Mistake(
            f"the input term {W} x is missing: add x @ {W}.T inside the {act}.",
            lambda x, h, W, U, b: a(h @ U.T + b),
        ),
        Mistake(
            f"{act} is applied to each term separately; apply it once to the sum "
            f"{W} x + {U} h_prev + {b}.",
            lambda x, h, W, U, b: a(x @ W.T) + a(h @ U.T) + a(b),
        ),
    ]
    mistakes += [
        Mistake(
            f"the bias {b} is added twice: {act}({W} x + {U} h_prev + {b}) has it once.",
            lambda x, h, W, U, b: a(x @ W.T + h @ U.T + 2 * b),
        ),
        Mistake(
            f"the recurrent term {U} h_prev is added after the {act}; it belongs inside: "
            f"{act}({W} x + {U} h_prev + {b}).",
            lambda x, h, W, U, b: a(x @ W.T + b) + h @ U.T,
        ),
        Mistake(
            f"the input term {W} x is added after the {act}; it belongs inside: "
            f"{act}({W} x + {U} h_prev + {b}).",
            lambda x, h, W, U, b: a(h @ U.T + b) + x @ W.T,
        ),
        Mistake(
            f"{name} uses softmax, which makes the units compete; {act} acts on each unit "
            f"separately: use {FN[act]}.",
            lambda x, h, W, U, b: torch.softmax(x @ W.T + h @ U.T + b, dim=-1),
        ),
        Mistake(
            f"{name} uses a piecewise-linear (hard) {act}: use {FN[act]}.",
            lambda x, h, W, U, b: HARD[act](x @ W.T + h @ U.T + b),
        ),
    ]
    if act == "tanh":
        mistakes.append(
            Mistake(
                f"2σ(z) − 1 is tanh(z/2), not tanh(z): use {FN[act]}.",
                lambda x, h, W, U, b: 2 * torch.sigmoid(x @ W.T + h @ U.T + b) - 1,
            )
        )
    if act == "σ":
        mistakes.append(
            Mistake(
                f"{name} is 1 − σ(…) (or σ of the negated sum): drop the minus sign.",
                lambda x, h, W, U, b: 1 - a(x @ W.T + h @ U.T + b),
            )
        )
    return mistakes
