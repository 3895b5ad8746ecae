"""Check for notebook 15: the attention weights and the context vector, with Luong et al.'s
(2015) dot score. The reference is the package's ``lstm_tutorial.attention.attend``; each known
mistake is a small wrong function beside it (``_attention_mistakes``).

    e_ts = q_t · k_s                                   scores (B, T, S)
    α_ts = exp(e_ts) / Σ_s' exp(e_ts'), real s only    weights (B, T, S); α_ts = 0 at padding
    c_t  = Σ_s α_ts v_s                                context (B, T, K)

    attention_context(query (B, T, H), keys (B, S, H), values (B, S, K), mask (B, S) bool)
        -> (context, weights)

The cases cover T == S and H == K (so that a transposed score or keys for values still runs and
can be named), B == 1, T == 1, S == 1 and all sizes different; every row of a mask has at least
one real position, and every case with S > 1 has a padded row.
"""

from __future__ import annotations

import torch

from ...attention import attend
from ._attention_mistakes import ATTENTION_MISTAKES, scores
from ._attention_outputs import EQUATION, NAME, Case, close, last_resort, shape_fault, valid
from .calling import ERROR_HINTS, call, explain
from .diagnosis import ignored, mistake
from .failure import expect_function, fail, passed
from .runner import Exercise, gradients

ARGS = ("query", "keys", "values", "mask")
DEFAULT_HINT = (
    "compare each line's shapes with the task: query (B, T, H), keys (B, S, H), values (B, S, K), "
    "mask (B, S)"
)
# (B, T, S, H, K)
SHAPES = [
    (2, 3, 3, 4, 4),
    (2, 3, 3, 4, 4),
    (3, 2, 5, 4, 3),
    (1, 4, 6, 3, 5),
    (3, 1, 4, 2, 2),
    (2, 3, 1, 2, 3),
    (4, 5, 3, 5, 2),
]
GRADIENT_CASE = 2
ANSWER_KEYS = ("scaled_dot_product_attention", "DotAttention", "attend", "masked_softmax")
HINTS = [
    ("Expected size for first two dimensions of batch2",
     "a batched product (B, T, H) @ (B, H, S) needs the keys transposed, "
     "query @ keys.transpose(1, 2), and the context is (B, T, S) @ (B, S, K)"),
    ("must match the size of tensor",
     "two tensors of different shapes were combined: the mask (B, S) meets the scores (B, T, S) "
     "as mask[:, None, :], and the context is a product alpha @ values"),
    ("where it is not associated with a value",
     "a variable is used before the line that computes it: scores, then weights, then context"),
    ("unexpected keyword argument 'dim'",
     "only torch.softmax takes dim: the weights are torch.softmax(e, dim=-1)"),
    ("masked_fill only supports boolean masks", "mask is already bool: use ~mask, not 1 - mask"),
    ("on a bool tensor is not supported", "invert a bool mask with ~mask"),
    ("with a bool tensor is not supported", "invert a bool mask with ~mask"),
    ("only implemented on integer and Boolean", "~ inverts the bool mask only: ~mask"),
    ("mat1 and mat2 shapes cannot be multiplied",
     "the products are batched: query @ keys.transpose(1, 2) is (B, T, H) @ (B, H, S)"),
    ("Dimension out of range",
     "the inputs have three dimensions: keys.transpose(1, 2) swaps the last two"),
    *ERROR_HINTS,
    ("", DEFAULT_HINT),
]  # fmt: skip


def _cases(seed: int) -> list[Case]:
    g = torch.Generator().manual_seed(seed)
    out = []
    for B, T, S, H, K in SHAPES:
        randn = lambda *shape: torch.randn(shape, generator=g, dtype=torch.float64)  # noqa: E731
        lengths = torch.randint(1, S + 1, (B,), generator=g)
        lengths[0] = S if B > 1 else max(1, S - 1)  # one full row; B == 1 padded when it can be
        if B > 1 and S > 1:
            lengths[1] = torch.randint(1, S, (), generator=g)  # and one padded row
        mask = torch.arange(S)[None, :] < lengths[:, None]  # (B, S)
        out.append(Case((randn(B, T, H), randn(B, S, H), randn(B, S, K), mask), B, T, S, H, K))
    return out


def reference(query, keys, values, mask) -> tuple:
    return tuple(attend(scores(query, keys), values, mask))  # (context, weights)


# what the runner's ``gradients`` and ``diagnosis.ignored`` read (the loop below is its own)
ATTENTION = Exercise(NAME, EQUATION, ("context", "weights"), ARGS, reference, _cases, hints=HINTS)


def _kept_state(student, cases, k, result) -> str | None:
    for j in range(k):
        if cases[j][1:] == cases[k][1:] and close(result, reference(*cases[j].args)):
            return (
                f"{NAME} returned the answer of an earlier call for new inputs of the same "
                "shapes: it keeps something between calls; compute from the arguments."
            )
    return None


def check_attention_context(attention_context: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``attention_context(query, keys, values, mask) -> (context, weights)``."""
    student = attention_context
    expect_function(NAME, student)
    used = set(getattr(getattr(student, "__code__", None), "co_names", ()))
    for key in ANSWER_KEYS:
        if key in used:
            fail(
                f"{NAME} calls {key}, which computes the answer for you: write the scores, "
                "the masked softmax and the weighted sum yourself."
            )
    with torch.random.fork_rng(devices=[]):
        cases = _cases(seed)
        outcomes, results = [], []
        for case in cases:
            given = [a.clone() for a in case.args]
            outcomes.append(call(student, given))
            if not all(torch.equal(a, b) for a, b in zip(given, case.args)):
                fail(
                    f"{NAME} changed one of its arguments in place (masked_fill_, +=, an "
                    "indexed assignment); compute new tensors instead."
                )
            error = outcomes[-1].error
            results.append(None if error else valid(outcomes[-1].result, case))
        for k, (case, outcome, result) in enumerate(zip(cases, outcomes, results)):
            expected = reference(*case.args)
            if result is not None and close(result, expected):
                continue
            message = mistake(NAME, ATTENTION_MISTAKES, cases, results, seed, close)
            if message is None and outcome.error is not None:
                message = explain(NAME, outcome.error, HINTS)
            if message is None and result is None:
                message = shape_fault(tuple(outcome.result), case)
            fail(
                message
                or _kept_state(student, cases, k, result)
                or ignored(ATTENTION, student, case, result)
                or last_resort(case, result, expected)
            )
        for case, (_, alpha) in zip(cases, results):
            if (alpha.masked_select(~case.args[3][:, None, :]) != 0).any():
                fail(
                    f"{NAME} is almost right, but padded positions get tiny weights instead "
                    "of exactly 0: fill their scores with float('-inf')."
                )
        gradients(ATTENTION, student, cases[GRADIENT_CASE].args)
    if not quiet:
        passed(f"{NAME} matches {EQUATION} on {len(cases)} random cases of different shapes.")
