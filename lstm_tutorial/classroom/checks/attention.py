"""Check for notebook 15: the attention weights and the context vector, with Luong et al.'s
(2015) dot score. The reference is the package's ``lstm_tutorial.attention.attend``; each known
mistake is a small wrong function beside it (``_attention_mistakes``); the shared runner
(``runner.run``) runs them.

    e_ts = q_t · k_s                                   scores (B, T, S)
    α_ts = exp(e_ts) / Σ_s' exp(e_ts'), real s only    weights (B, T, S); α_ts = 0 at padding
    c_t  = Σ_s α_ts v_s                                context (B, T, K)

    attention_context(query (B, T, H), keys (B, S, H), values (B, S, K), mask (B, S) bool)
        -> (context, weights)

The cases cover T == S and H == K (so that a transposed score or keys for values still runs and
can be named), B == 1, T == 1, S == 1 and all sizes different; every row of a mask has at least
one real position, and every case with S > 1 but the last has a padded row. The last case has
scores in the thousands and no padding: there exp(e) alone overflows.
"""

from __future__ import annotations

import torch

from ...attention import attend
from ._attention_mistakes import ATTENTION_MISTAKES, scores
from ._attention_outputs import EQUATION, NAME, Case, diagnose, exact_zeros, returned
from .calling import ERROR_HINTS
from .runner import Exercise, run

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
    (2, 3, 4, 3, 2),  # scores in the thousands: an exp of them alone overflows
]
LARGE = 25.0  # the scale of the last case's query and keys
ANSWER_KEYS = ("scaled_dot_product_attention", "DotAttention", "attend", "masked_softmax")
HINTS = [
    ("", "keys.T reverses all three dimensions of (B, S, H), giving (H, S, B): write "
     "keys.transpose(1, 2) (or keys.mT), which is (B, H, S)", "T"),
    ("must match the size", "a sum over s drops that axis unless kept: divide the (B, T, S) "
     "exponentials by w.sum(-1, keepdim=True), and meet the scores with the mask as "
     "mask[:, None, :]", "sum"),
    ("Expected size for first two dimensions of batch2",
     "a batched product (B, T, H) @ (B, H, S) needs the keys transposed, "
     "query @ keys.transpose(1, 2), and the context is (B, T, S) @ (B, S, K)"),
    ("must match the size of tensor",
     "two tensors of different shapes were combined: the scores are (B, T, H) @ (B, H, S), "
     "query @ keys.transpose(1, 2), the mask (B, S) meets them as mask[:, None, :], and the "
     "context is alpha @ values"),
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


def _cases(g: torch.Generator) -> list[Case]:
    out = []
    for B, T, S, H, K in SHAPES:
        randn = lambda *shape: torch.randn(shape, generator=g, dtype=torch.float64)  # noqa: E731
        lengths = torch.randint(1, S + 1, (B,), generator=g)
        lengths[0] = S if B > 1 else max(1, S - 1)  # one full row; B == 1 padded when it can be
        if B > 1 and S > 1:
            lengths[1] = torch.randint(1, S, (), generator=g)  # and one padded row
        large = len(out) == len(SHAPES) - 1
        if large:  # no padding: a softmax taken before the mask is right here too
            lengths[:] = S
        mask = torch.arange(S)[None, :] < lengths[:, None]  # (B, S)
        scale = LARGE if large else 1.0
        query, keys = scale * randn(B, T, H), scale * randn(B, S, H)
        out.append(Case((query, keys, randn(B, S, K), mask), B, T, S, H, K))
    return out


def reference(query, keys, values, mask) -> tuple:
    return tuple(attend(scores(query, keys), values, mask))  # (context, weights)


ATTENTION = Exercise(
    name=NAME,
    equation=EQUATION,
    outputs=("context", "weights"),
    arg_names=ARGS,
    reference=reference,
    cases=_cases,
    mistakes=ATTENTION_MISTAKES,
    hints=HINTS,
    sizes="BTSHK",
    guard=("", "write the scores, the masked softmax and the weighted sum yourself"),
    returned=returned,
    advice=f"compare each line with {EQUATION}",
    diagnose=diagnose,
    after=exact_zeros,
    forbidden=ANSWER_KEYS,
    nan_equal=True,  # a softmax over all −∞ gives NaN, and a known mistake may too
    faults=(
        ("context", "the context c = Σ_s α v, alpha @ values: the weights are right"),
        ("weights", "the weights you return: return the α the context was computed from"),
        ("context weights", "the scores e = q·k or the masked softmax over s, which the "
         "context is computed from"),
    ),
)  # fmt: skip


def check_attention_context(attention_context: object, seed: int = 0, quiet: bool = False) -> None:
    """Check ``attention_context(query, keys, values, mask) -> (context, weights)``."""
    run(ATTENTION, attention_context, seed, quiet)
