"""Known wrong versions of notebook 15's ``attention_context`` (query, keys, values, mask) ->
(context, weights), each a small function beside the reference and the sentence naming it.

The reference: e = q kᵀ (B, T, S); padded positions get e = −∞; α = softmax over s; c = α v.
"""

from __future__ import annotations

import math

import torch

from ...attention import attend, masked_softmax
from ._attention_outputs import NAME
from .exercise import Mistake, with_changed_arguments

NEG = float("-inf")


def scores(query, keys):
    return query @ keys.transpose(1, 2)  # (B, T, S)


def padded(mask):
    return ~mask[:, None, :]  # (B, 1, S): True where the source position is padding


def from_weights(alpha, values):
    return alpha @ values, alpha


def with_scores(e_of):
    """The right softmax and context from wrong scores ``e_of(query, keys, values, mask)``."""
    return lambda q, k, v, m: tuple(attend(e_of(q, k, v, m), v, m))


def with_weights(alpha_of):
    """The right context from wrong weights ``alpha_of(e, mask)`` of the right scores."""
    return lambda q, k, v, m: from_weights(alpha_of(scores(q, k), m), v)


def _transposed(q, k, v, m):
    e = scores(q, k).transpose(1, 2)  # (B, S, T): one row per source position
    return from_weights(torch.softmax(e.masked_fill(padded(m), NEG), dim=-1), v)


m = Mistake
SOFTMAX = "α_ts = softmax over the source positions s of e_ts, torch.softmax(e, dim=-1)"
ATTENTION_MISTAKES = [
    m("the softmax normalises over the query steps t, not the source positions s: each query's "
      "weights must sum to 1 over s, which in the scores e = query @ keys.transpose(1, 2), "
      "(B, T, S), is torch.softmax(e, dim=-1).",
      with_weights(lambda e, mask: torch.softmax(e.masked_fill(padded(mask), NEG), dim=1))),
    m("the softmax runs over the batch (dim=0); each query's weights must sum to 1 over the "
      "source positions s: torch.softmax(e, dim=-1).",
      with_weights(lambda e, mask: torch.softmax(e.masked_fill(padded(mask), NEG), dim=0))),
    m("the mask is ignored: padded positions get weight; set their scores to −∞ before the "
      "softmax, e = e.masked_fill(~mask[:, None, :], float('-inf')) (masked_fill returns a new "
      "tensor: keep it).",
      with_weights(lambda e, mask: torch.softmax(e, dim=-1))),
    m("the mask is applied after the softmax, whose sum still counts the padded positions, so "
      "the weights no longer sum to 1: mask the scores (to −∞) before the softmax.",
      with_weights(lambda e, mask: torch.softmax(e, dim=-1) * mask[:, None, :])),
    m("padded scores were set to +∞, not −∞: exp(+∞) swamps the row and the softmax gives NaN; "
      "fill them with float('-inf').",
      with_weights(lambda e, mask: torch.softmax(e.masked_fill(padded(mask), float("inf")), -1))),
    m("padded scores were set to 0, not −∞: exp(0) = 1 still gives them weight; fill them with "
      "float('-inf').",
      with_weights(lambda e, mask: torch.softmax(e.masked_fill(padded(mask), 0.0), dim=-1))),
    m("the mask is inverted: True marks the real positions, so fill the scores where ~mask is "
      "True.",
      with_weights(lambda e, mask: torch.softmax(e.masked_fill(mask[:, None, :], NEG), dim=-1))),
    m("the context averages the keys; it is a weighted average of the values, c_t = Σ_s α_ts v_s "
      "(alpha @ values).",
      lambda q, k, v, mask: from_weights(masked_softmax(scores(q, k), mask), k)),
    m("the scores compare the query with the values; they compare it with the keys, e_ts = "
      "q_t · k_s, and the values only enter the average.",
      lambda q, k, v, mask: from_weights(masked_softmax(scores(q, v), mask), v)),
    m("keys and values are swapped: the scores compare the query with the keys, and the "
      "context averages the values.",
      lambda q, k, v, mask: from_weights(masked_softmax(scores(q, v), mask), k)),
    m("the scores were divided by √H: this is Luong's dot score e_ts = q_t · k_s, without the "
      "Transformer's scaling.",
      with_scores(lambda q, k, v, mask: scores(q, k) / math.sqrt(q.shape[-1]))),
    m("the scores were divided by H: this is Luong's dot score e_ts = q_t · k_s, without scaling.",
      with_scores(lambda q, k, v, mask: scores(q, k) / q.shape[-1])),
    m("the scores were multiplied by √H: this is Luong's dot score e_ts = q_t · k_s, without "
      "scaling.",
      with_scores(lambda q, k, v, mask: scores(q, k) * math.sqrt(q.shape[-1]))),
    m("the scores are transposed: e = query @ keys.transpose(1, 2) is (B, T, S), one row per "
      "query step t, and the softmax runs along each row.",
      _transposed),
    m("the weights are transposed: return α as (B, T, S), one row per query step t.",
      lambda q, k, v, mask: (attend(scores(q, k), v, mask)[0],
                             masked_softmax(scores(q, k), mask).transpose(1, 2))),
    m("return (context, weights) in this order.",
      lambda q, k, v, mask: tuple(reversed(attend(scores(q, k), v, mask)))),
    m("the exponentials were not normalised: divide by their sum over s, which is what "
      f"the softmax does: {SOFTMAX}.",
      with_weights(lambda e, mask: e.masked_fill(padded(mask), NEG).exp())),
    m(f"the softmax is missing: the masked scores are not weights yet; {SOFTMAX}.",
      with_weights(lambda e, mask: e.masked_fill(padded(mask), 0.0))),
    m(f"σ squashes each score on its own, so the weights do not sum to 1; {SOFTMAX}.",
      with_weights(lambda e, mask: torch.sigmoid(e.masked_fill(padded(mask), NEG)))),
    m(f"log_softmax gives the logarithms of the weights; {SOFTMAX}.",
      with_weights(lambda e, mask: torch.log_softmax(e.masked_fill(padded(mask), NEG), -1))),
    m("the context is the values themselves; it is their weighted average, c = alpha @ values.",
      lambda q, k, v, mask: (v, masked_softmax(scores(q, k), mask))),
    m("the context uses the raw scores e; it is the weighted average with the weights α, "
      "c = alpha @ values.",
      lambda q, k, v, mask: (scores(q, k).masked_fill(padded(mask), 0.0) @ v,
                             masked_softmax(scores(q, k), mask))),
    m("the context is the weighted sum Σ_s α_ts v_s, not a mean over s: the weights already sum "
      "to 1.",
      lambda q, k, v, mask: (attend(scores(q, k), v, mask)[0] / k.shape[1],
                             masked_softmax(scores(q, k), mask))),
    m("the mask marks source positions s: broadcast it over the query steps as mask[:, None, :], "
      "not mask[:, :, None].",
      with_weights(lambda e, mask: torch.softmax(e.masked_fill(~mask[:, :, None], NEG), -1))),
    m("the scores are divided by S: Luong's dot score is e_ts = q_t · k_s, without scaling.",
      with_scores(lambda q, k, v, mask: scores(q, k) / k.shape[1])),
    m("the scores are divided by √S: Luong's dot score is e_ts = q_t · k_s, without scaling (and "
      "a scaled score divides by √H, the vector size, not by the length).",
      with_scores(lambda q, k, v, mask: scores(q, k) / math.sqrt(k.shape[1]))),
    m("the scores have the wrong sign: e_ts = q_t · k_s, so that similar vectors get large "
      "weights.",
      with_scores(lambda q, k, v, mask: -scores(q, k))),
    m("the weights are transposed before the context: c = alpha @ values with alpha (B, T, S), "
      "one row per query step.",
      lambda q, k, v, mask: (masked_softmax(scores(q, k), mask).transpose(1, 2) @ v,
                             masked_softmax(scores(q, k), mask))),
    m("the context sums over the query steps t; it sums over the source positions s: "
      "c_t = Σ_s α_ts v_s, alpha @ values.",
      lambda q, k, v, mask: ((masked_softmax(scores(q, k), mask)[..., None] * v[:, None]).sum(1),
                             masked_softmax(scores(q, k), mask))),
    m("the context is computed from the softmax of the unmasked scores: average the values with "
      "the masked weights you return, c = alpha @ values.",
      lambda q, k, v, mask: (torch.softmax(scores(q, k), -1) @ v,
                             masked_softmax(scores(q, k), mask))),
]  # fmt: skip
INPUT_SLIPS = [  # a second slip in what a mistake is given: (what is wrong, new arguments)
    (
        "the scores are divided by √H (Luong's dot score e_ts = q_t · k_s has no scaling)",
        lambda q, k, v, mask: (q / math.sqrt(q.shape[-1]), k, v, mask),
    ),
    (
        "the mask is ignored (padded positions must get weight 0)",
        lambda q, k, v, mask: (q, k, v, torch.ones_like(mask)),
    ),
]
MASK_WORDS = ("mask", "padd", "−∞")
UNMASKED = [m for m in ATTENTION_MISTAKES if not any(w in m.message for w in MASK_WORDS)]
ATTENTION_MISTAKES += [  # the mask ignored is paired only with mistakes that leave it alone
    *with_changed_arguments(NAME, INPUT_SLIPS[:1], ATTENTION_MISTAKES),
    *with_changed_arguments(NAME, INPUT_SLIPS[1:], UNMASKED),
]
