"""The catalogue of wrong layers: plausible ways to get ``a = act(W x + U h_prev + b)`` wrong.

Every exercise is built from such layers: the RNN step and the four gates are one layer each,
and the LSTM, CIFG and GRU steps put one wrong layer in place of one gate (or of every gate) of
the package's own cell (``lstm_step.py``, ``gru_step.py``). A wrong layer is a function
``(x, h, W, U, b, act) -> (B, H)`` and a sentence with the slots {name} (the layer's symbol),
{W}, {U}, {b}, {act} (σ or tanh), {other}, {fn} (torch.sigmoid or torch.tanh) and {why}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F

exp = torch.exp


class Activations(dict):
    """σ and tanh by their symbol; a function given instead of a symbol is itself (so that a
    wrong layer can be run with another activation, for two slips at once)."""

    def __missing__(self, key):
        return key


ACT = Activations({"σ": torch.sigmoid, "tanh": torch.tanh})
FN = {"σ": "torch.sigmoid", "tanh": "torch.tanh"}
HARD = {"σ": F.hardsigmoid, "tanh": F.hardtanh}
WHY = {"σ": "a gate must lie between 0 and 1", "tanh": "it must lie between −1 and 1"}


class WrongLayer(NamedTuple):
    message: str  # a sentence with the slots of the module docstring
    fn: Callable[..., torch.Tensor]  # (x, h, W, U, b, act) -> (B, H), act is "σ" or "tanh"
    only: str = ""  # "σ" or "tanh" if the mistake only exists for that activation
    in_step: str = ""  # the sentence inside a step, where the gate's code may be the student's


def words(act: str, name: str, suffix: str = "", weights: str = "") -> dict[str, str]:
    """The slot values for a layer ``name`` with activation ``act`` and weights W{suffix}
    (or ``{weights}.W``, e.g. cell.f.W, when ``weights`` is given)."""
    other = "tanh" if act == "σ" else "σ"
    W, U, b = (f"{weights}.{k}" for k in "WUb") if weights else (f"{k}{suffix}" for k in "WUb")
    return dict(name=name, act=act, other=other, fn=FN[act], why=WHY[act], W=W, U=U, b=b)


def z(x, h, W, U, b):
    return x @ W.T + h @ U.T + b  # (B, H)


L = WrongLayer
CATALOGUE = [
    # the activation
    L("{name} uses {other} instead of {act}: {why}, so use {fn}.",
      lambda x, h, W, U, b, a: ACT["tanh" if a == "σ" else "σ"](z(x, h, W, U, b))),
    L("{name} is missing the {act}: apply {fn} to {W} x + {U} h_prev + {b}.",
      lambda x, h, W, U, b, a: z(x, h, W, U, b)),
    L("{name} uses ReLU instead of {act}: use {fn}.",
      lambda x, h, W, U, b, a: torch.relu(z(x, h, W, U, b))),
    L("{name} uses a piecewise-linear (hard) {act}: use {fn}.",
      lambda x, h, W, U, b, a: HARD[a](z(x, h, W, U, b))),
    L("{name} uses softmax, which makes the units compete; {act} acts on each unit separately: "
      "use {fn}.", lambda x, h, W, U, b, a: torch.softmax(z(x, h, W, U, b), dim=-1)),
    L("{name} uses softmax (over the batch), which makes the numbers compete; {act} acts on each "
      "number separately: use {fn}.",
      lambda x, h, W, U, b, a: torch.softmax(z(x, h, W, U, b), dim=0)),
    L("{act} is applied twice: {name} = {act}({W} x + {U} h_prev + {b}) has one {act}.",
      lambda x, h, W, U, b, a: ACT[a](ACT[a](z(x, h, W, U, b)))),
    L("{name} is σ(−z) = 1 − σ(z): the sign is wrong, σ(z) = 1 / (1 + exp(−z)).",
      lambda x, h, W, U, b, a: torch.sigmoid(-z(x, h, W, U, b)), only="σ"),
    L("the parentheses are missing: 1 / 1 + exp(−z) is 1 + exp(−z); write 1 / (1 + exp(−z)), or "
      "use torch.sigmoid.", lambda x, h, W, U, b, a: 1 + exp(-z(x, h, W, U, b)), only="σ"),
    L("the parentheses are missing: 1 / 1 + exp(z) is 1 + exp(z); write 1 / (1 + exp(−z)), or "
      "use torch.sigmoid.", lambda x, h, W, U, b, a: 1 + exp(z(x, h, W, U, b)), only="σ"),
    L("(1 + tanh(z)) / 2 is σ(2z), not σ(z): use torch.sigmoid.",
      lambda x, h, W, U, b, a: (1 + torch.tanh(z(x, h, W, U, b))) / 2, only="σ"),
    L("2σ(z) − 1 is tanh(z/2), not tanh(z): use torch.tanh.",
      lambda x, h, W, U, b, a: 2 * torch.sigmoid(z(x, h, W, U, b)) - 1, only="tanh"),
    L("{name} has the wrong sign: tanh(−z) = −tanh(z); use torch.tanh(z).",
      lambda x, h, W, U, b, a: -torch.tanh(z(x, h, W, U, b)), only="tanh"),
    L("the denominator needs parentheses: tanh(z) = (exp(z) − exp(−z)) / (exp(z) + exp(−z)); "
      "or use torch.tanh.", lambda x, h, W, U, b, a: (
          (exp(z(x, h, W, U, b)) - exp(-z(x, h, W, U, b))) / exp(z(x, h, W, U, b))
          + exp(-z(x, h, W, U, b))), only="tanh"),
    L("{name} uses log σ (F.logsigmoid), which is negative: use torch.sigmoid.",
      lambda x, h, W, U, b, a: F.logsigmoid(z(x, h, W, U, b)), only="σ"),
    L("{name} uses exp: exp(z) grows without bound, and {why}: use {fn}.",
      lambda x, h, W, U, b, a: exp(z(x, h, W, U, b))),
    L("{name} is 1 − tanh(z): use torch.tanh(z) itself.",
      lambda x, h, W, U, b, a: 1 - torch.tanh(z(x, h, W, U, b)), only="tanh"),
    L("{name} uses tan, the trigonometric function: the hyperbolic tangent is torch.tanh.",
      lambda x, h, W, U, b, a: torch.tan(z(x, h, W, U, b)), only="tanh"),
    L("(exp(z) − exp(−z)) / 2 is sinh(z), which is unbounded: tanh(z) divides by "
      "exp(z) + exp(−z); or use torch.tanh.",
      lambda x, h, W, U, b, a: (exp(z(x, h, W, U, b)) - exp(-z(x, h, W, U, b))) / 2,
      only="tanh"),
    L("σ(z) = 1 / (1 + exp(−z)), with a + in the denominator, not 1 / (1 − exp(−z)).",
      lambda x, h, W, U, b, a: 1 / (1 - exp(-z(x, h, W, U, b))), only="σ"),
    L("σ(z) is 1 / (1 + exp(−z)) or exp(z) / (1 + exp(z)): the two exponents have the same sign.",
      lambda x, h, W, U, b, a: exp(z(x, h, W, U, b)) / (1 + exp(-z(x, h, W, U, b))), only="σ"),
    L("σ(z) = 1 / (1 + exp(−z)): the 1 + in the denominator is missing.",
      lambda x, h, W, U, b, a: 1 / exp(-z(x, h, W, U, b)), only="σ"),
    L("{name} is σ(z) ⊙ tanh(z): use {fn} alone.",
      lambda x, h, W, U, b, a: torch.sigmoid(z(x, h, W, U, b)) * torch.tanh(z(x, h, W, U, b))),
]  # fmt: skip
FIRST_BEYOND_ACTIVATION = len(CATALOGUE)
CATALOGUE += [
    # the bias
    L("the bias {b} is averaged into one number: add the vector {b} itself.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T + b.mean())),
    L("the bias {b} is missing: add + {b} inside the {act}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T)),
    L("the bias {b} is added after the {act}; it belongs inside: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T) + b),
    L("the bias {b} is added twice: {act}({W} x + {U} h_prev + {b}) has it once.",
      lambda x, h, W, U, b, a: ACT[a](z(x, h, W, U, b) + b)),
    L("the bias {b} is subtracted; add it: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T - b)),
    L("the bias {b} is halved: add {b} itself, once.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T + b / 2)),
    L("the bias {b} is added to h_prev before {U} multiplies it: add it after the product, "
      "{act}({W} x + {U} h_prev + {b}).", lambda x, h, W, U, b, a: ACT[a](x @ W.T + (h + b) @ U.T)),
    L("the bias {b} is added to x before {W} multiplies it: add it after the product, "
      "{act}({W} x + {U} h_prev + {b}).", lambda x, h, W, U, b, a: ACT[a]((x + b) @ W.T + h @ U.T)),
    L("the {act} is applied to the bias alone; it applies to the whole sum: "
      "{act}({W} x + {U} h_prev + {b}).", lambda x, h, W, U, b, a: x @ W.T + h @ U.T + ACT[a](b)),
    # the two products
    L("the recurrent term {U} h_prev is added twice: {act}({W} x + {U} h_prev + {b}) has it once.",
      lambda x, h, W, U, b, a: ACT[a](z(x, h, W, U, b) + h @ U.T)),
    L("the input term {W} x is added twice: {act}({W} x + {U} h_prev + {b}) has it once.",
      lambda x, h, W, U, b, a: ACT[a](z(x, h, W, U, b) + x @ W.T)),
    L("h_prev ⊙ diag({U}) keeps only {U}'s diagonal: {U} h_prev is the matrix product "
      "h_prev @ {U}.T.", lambda x, h, W, U, b, a: ACT[a](x @ W.T + h * torch.diagonal(U) + b)),
    L("h_prev is squared: the recurrent term is {U} h_prev, h_prev @ {U}.T.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h**2 @ U.T + b)),
    L("the products are summed over the batch: every example (row) has its own {name}, so no "
      "sum over dim 0.",
      lambda x, h, W, U, b, a: ACT[a]((x @ W.T + h @ U.T).sum(0) + b).expand(len(x), -1)),
    L("the recurrent term is subtracted; add it: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T - h @ U.T + b)),
    L("the input term is subtracted; add it: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](-(x @ W.T) + h @ U.T + b)),
    L("{W} and {U} are swapped: {W} multiplies x and {U} multiplies h_prev.",
      lambda x, h, W, U, b, a: ACT[a](x @ U.T + h @ W.T + b)),
    L("{W} and {U} act untransposed (a .T is missing, or there is one too many): with one "
      "example per row, {W} x is written x @ {W}.T (F.linear(x, {W}) transposes {W} itself).",
      lambda x, h, W, U, b, a: ACT[a](x @ W + h @ U + b)),
    L("forgot to transpose {W}: with one example per row, {W} x is written x @ {W}.T.",
      lambda x, h, W, U, b, a: ACT[a](x @ W + h @ U.T + b),
      in_step="{W} acts untransposed (a .T is missing, or one too many where your function "
      "transposes it again): with one example per row, {W} x is written x @ {W}.T."),
    L("forgot to transpose {U}: with one example per row, {U} h_prev is written h_prev @ {U}.T.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U + b),
      in_step="{U} acts untransposed (a .T is missing, or one too many where your function "
      "transposes it again): with one example per row, {U} h_prev is written h_prev @ {U}.T."),
    L("{name} is computed with one example per column ({W} @ x.T): examples are rows here, so "
      "write x @ {W}.T + h_prev @ {U}.T + {b}.",
      lambda x, h, W, U, b, a: ACT[a](W @ x.T + U @ h.T + b)),
    L("{name} is returned transposed: with one example per row, write x @ {W}.T rather than "
      "{W} @ x.T.", lambda x, h, W, U, b, a: ACT[a](z(x, h, W, U, b)).T),
    L("{U} h_prev is summed over the wrong axis (h_prev[b, k] · Σ_j {U}[j, k] is not a matrix "
      "product): write h_prev @ {U}.T.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h * U.sum(0) + b)),
    L("{W} x is summed over the wrong axis (x[b, k] · Σ_j {W}[j, k] is not a matrix product): "
      "write x @ {W}.T.",
      lambda x, h, W, U, b, a: ACT[a](x * W.sum(0) + h @ U.T + b)),
    L("{name} is summed over the batch, so every row is the same: keep one row per example, "
      "x @ {W}.T + h_prev @ {U}.T + {b}.",
      lambda x, h, W, U, b, a: ACT[a](z(x, h, W, U, b).sum(0, keepdim=True)).expand(len(x), -1)),
    L("the recurrent term {U} h_prev is missing: add h_prev @ {U}.T inside the {act}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + b)),
    L("the input term {W} x is missing: add x @ {W}.T inside the {act}.",
      lambda x, h, W, U, b, a: ACT[a](h @ U.T + b)),
    L("h_prev must be multiplied by {U}, not {W}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ W.T + b)),
    L("x must be multiplied by {W}, not {U}.",
      lambda x, h, W, U, b, a: ACT[a](x @ U.T + h @ U.T + b)),
    L("{U} multiplies h_prev, not x: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + x @ U.T + b)),
    L("{W} multiplies x, not h_prev: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](h @ W.T + h @ U.T + b)),
    L("the products are multiplied where they should be added: {act}({W} x + {U} h_prev + {b}) "
      "(mind the precedence: @ and * bind equally, left to right).",
      lambda x, h, W, U, b, a: ACT[a]((x @ W.T * h) @ U.T + b)),
    L("the bias {b} is multiplied where it should be added: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T * b)),
    L("the bias {b} is multiplied where it should be added: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a]((x @ W.T + h @ U.T) * b)),
    L("the two products are multiplied; add them: {act}({W} x + {U} h_prev + {b}).",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T * (h @ U.T) + b)),
    # where the activation goes
    L("{act} is applied to each term separately; apply it once to the sum "
      "{W} x + {U} h_prev + {b}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T) + ACT[a](h @ U.T) + ACT[a](b)),
    L("{act} is applied to each product separately; apply it once to the sum "
      "{W} x + {U} h_prev + {b}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T) + ACT[a](h @ U.T) + b),
    L("the recurrent term {U} h_prev is added after the {act}; it belongs inside: "
      "{act}({W} x + {U} h_prev + {b}).", lambda x, h, W, U, b, a: ACT[a](x @ W.T + b) + h @ U.T),
    L("the input term {W} x is added after the {act}; it belongs inside: "
      "{act}({W} x + {U} h_prev + {b}).", lambda x, h, W, U, b, a: ACT[a](h @ U.T + b) + x @ W.T),
    L("the {act} wraps only the input term; apply it to the whole sum {W} x + {U} h_prev + {b}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T) + h @ U.T + b),
    L("the {act} wraps only the recurrent term; apply it to the whole sum "
      "{W} x + {U} h_prev + {b}.", lambda x, h, W, U, b, a: x @ W.T + ACT[a](h @ U.T) + b),
    L("{act} is applied to two parts separately; apply it once to the whole sum "
      "{W} x + {U} h_prev + {b}.", lambda x, h, W, U, b, a: ACT[a](x @ W.T + b) + ACT[a](h @ U.T)),
    L("{act} is applied to two parts separately; apply it once to the whole sum "
      "{W} x + {U} h_prev + {b}.", lambda x, h, W, U, b, a: ACT[a](x @ W.T) + ACT[a](h @ U.T + b)),
    L("{act} is applied to two parts separately and the results multiplied; apply it once to the "
      "whole sum {W} x + {U} h_prev + {b}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T) * ACT[a](h @ U.T + b)),
    L("{act} is applied to two parts separately and the results multiplied; apply it once to the "
      "whole sum {W} x + {U} h_prev + {b}.",
      lambda x, h, W, U, b, a: ACT[a](x @ W.T + b) * ACT[a](h @ U.T)),
    L("h_prev is added to the result: {name} = {act}({W} x + {U} h_prev + {b}) alone.",
      lambda x, h, W, U, b, a: h + ACT[a](z(x, h, W, U, b))),
    L("{name} multiplies the result by tanh(h_prev): {name} = {act}({W} x + {U} h_prev + {b}) "
      "alone.", lambda x, h, W, U, b, a: ACT[a](z(x, h, W, U, b)) * torch.tanh(h)),
    L("{act} is applied to {W} x alone and then again to the sum: {name} = "
      "{act}({W} x + {U} h_prev + {b}) has one {act}.",
      lambda x, h, W, U, b, a: ACT[a](ACT[a](x @ W.T) + h @ U.T + b)),
    L("{act} is applied to the bias separately; apply it once to the whole sum "
      "{W} x + {U} h_prev + {b}.", lambda x, h, W, U, b, a: ACT[a](x @ W.T + h @ U.T) + ACT[a](b)),
    L("the weights [{U}, {W}] do not match the concatenation [x, h_prev]: put {W} first, "
      "torch.cat([{W}, {U}], 1), as the inputs are.",
      lambda x, h, W, U, b, a: ACT[a](torch.cat([x, h], 1) @ torch.cat([U, W], 1).T + b)),
    L("the concatenation [h_prev, x] does not match the weights [{W}, {U}]: put x first, "
      "torch.cat([x, h_prev], 1), as the weights are.",
      lambda x, h, W, U, b, a: ACT[a](torch.cat([h, x], 1) @ torch.cat([W, U], 1).T + b)),
]  # fmt: skip


def for_activation(act: str) -> list[WrongLayer]:
    """The wrong layers that exist for a layer with activation ``act``."""
    return [w for w in CATALOGUE if w.only in ("", act)]


def with_other_activation(act: str) -> list[tuple[str, Callable[..., torch.Tensor]]]:
    """Two slips at once: every wrong layer past the activation's own, with the other
    activation, none or ReLU: (what the activation slip is, the wrong layer's fn and slots)."""
    other = "tanh" if act == "σ" else "σ"
    slips = [(f"it uses {other} instead of {act}", ACT[other]), (f"it has no {act}", lambda z: z),
             (f"it uses ReLU instead of {act}", torch.relu)]  # fmt: skip
    return [
        (f"{slip}, and {w.message}", lambda x, h, W, U, b, a, w=w, f=f: w.fn(x, h, W, U, b, f))
        for w in CATALOGUE[FIRST_BEYOND_ACTIVATION:]
        if w.only in ("", act)
        for slip, f in slips
    ]


# A second slip in one term of the sum, made by changing what a wrong layer is given: with the
# bias negated, the layer computes ... - b; with U transposed, h_prev @ U. So every wrong layer of
# the catalogue can be paired with any of these (tried after every single slip: a pair that
# equals one slip is named as that slip).
SECOND = [  # (what is wrong, (x, h, W, U, b) -> what the layer is given instead)
    ("the bias {b} is missing", lambda x, h, W, U, b: (x, h, W, U, 0 * b)),
    ("the bias {b} is subtracted", lambda x, h, W, U, b: (x, h, W, U, -b)),
    ("the bias {b} is added twice", lambda x, h, W, U, b: (x, h, W, U, 2 * b)),
    ("the bias {b} is halved", lambda x, h, W, U, b: (x, h, W, U, b / 2)),
    ("the bias {b} is averaged into one number",
     lambda x, h, W, U, b: (x, h, W, U, b.mean().expand_as(b))),
    ("{U} is not transposed ({U} h_prev is h_prev @ {U}.T)",
     lambda x, h, W, U, b: (x, h, W, U.T, b)),
    ("the recurrent term {U} h_prev is subtracted", lambda x, h, W, U, b: (x, h, W, -U, b)),
    ("the recurrent term {U} h_prev is added twice", lambda x, h, W, U, b: (x, h, W, 2 * U, b)),
    ("the recurrent term {U} h_prev is missing", lambda x, h, W, U, b: (x, h, W, 0 * U, b)),
    ("h_prev is multiplied by {W} instead of {U}", lambda x, h, W, U, b: (x, h, W, W, b)),
    ("h_prev is squared", lambda x, h, W, U, b: (x, h**2, W, U, b)),
    ("{W} is not transposed ({W} x is x @ {W}.T)", lambda x, h, W, U, b: (x, h, W.T, U, b)),
    ("the input term {W} x is subtracted", lambda x, h, W, U, b: (x, h, -W, U, b)),
    ("the input term {W} x is added twice", lambda x, h, W, U, b: (x, h, 2 * W, U, b)),
    ("the input term {W} x is missing", lambda x, h, W, U, b: (x, h, 0 * W, U, b)),
    ("x is multiplied by {U} instead of {W}", lambda x, h, W, U, b: (x, h, U, U, b)),
]  # fmt: skip


def with_second_slip(act: str) -> list[tuple[str, Callable[..., torch.Tensor]]]:
    """Two slips at once: every wrong layer for ``act`` with one term of its sum wrong as well
    (``SECOND``): (both slips, in the slots of the module docstring; the wrong layer)."""
    return [
        (f"{w.message.rstrip('.')}; and {said}",
         lambda x, h, W, U, b, a, w=w, t=t: w.fn(*t(x, h, W, U, b), a))
        for w in for_activation(act)
        for said, t in SECOND
    ]  # fmt: skip
