"""The attention scores (lstm_tutorial.attention.scores) in float64: the dot score against
torch's scaled_dot_product_attention, the softmax by hand, masks, gradcheck for the others."""

import math

import pytest
import torch
from parity import assert_close, randomize
from torch.nn import functional as F

from lstm_tutorial.attention import (
    AdditiveAttention,
    DotAttention,
    GeneralAttention,
    masked_softmax,
)

B, T, S, H = 3, 4, 6, 5


def inputs(seed=0, K=H):
    g = torch.Generator().manual_seed(seed)
    query = torch.randn(B, T, H, generator=g, requires_grad=True)
    keys = torch.randn(B, S, K, generator=g, requires_grad=True)
    lengths = torch.tensor([S, 2, 4])
    mask = torch.arange(S)[None, :] < lengths[:, None]  # (B, S)
    return query, keys, mask


@pytest.mark.parametrize("scale", [1.0, math.sqrt(H)])
@pytest.mark.parametrize("masked", [False, True])
def test_dot_matches_scaled_dot_product_attention(scale, masked):
    query, keys, mask = inputs()
    mask = mask if masked else None
    ours = DotAttention(scale)(query, keys, mask)
    # torch's attn_mask (B, T, S): True = may attend; its scale multiplies, ours divides
    attn_mask = None if mask is None else mask[:, None, :].expand(B, T, S)
    theirs = F.scaled_dot_product_attention(query, keys, keys, attn_mask, scale=1 / scale)
    assert_close(ours.context, theirs)
    g = torch.randn(B, T, H, generator=torch.Generator().manual_seed(1))
    ours_grads = torch.autograd.grad((ours.context * g).sum(), (query, keys))
    theirs_grads = torch.autograd.grad((theirs * g).sum(), (query, keys))
    for a, b in zip(ours_grads, theirs_grads):
        assert_close(a, b)


def test_weights_are_the_softmax_written_out():
    query, keys, mask = inputs()
    alpha = DotAttention()(query, keys, mask).weights.detach()
    q, k = query.detach(), keys.detach()
    for b in range(B):
        real = [s for s in range(S) if mask[b, s]]
        for t in range(T):
            e = {s: sum(q[b, t, j] * k[b, s, j] for j in range(H)) for s in real}
            total = sum(math.exp(v) for v in e.values())
            expected = [math.exp(e[s]) / total if s in e else 0.0 for s in range(S)]
            assert_close(alpha[b, t], torch.tensor(expected))


def make(kind):
    torch.manual_seed(0)
    module = {
        "dot": lambda: DotAttention(),
        "general": lambda: GeneralAttention(H, 7),
        "additive": lambda: AdditiveAttention(H, 7, 3),
    }[kind]()
    randomize(module, 1)
    return module, 7 if kind != "dot" else H


@pytest.mark.parametrize("kind", ["dot", "general", "additive"])
def test_padded_positions_get_zero_weight_and_never_reach_the_context(kind):
    module, K = make(kind)
    query, keys, mask = inputs(K=K)
    out = module(query, keys, mask)
    assert (out.weights.masked_select(~mask[:, None, :].expand(B, T, S)) == 0).all()
    assert_close(out.weights.sum(-1), torch.ones(B, T))
    other = keys.detach().clone()
    other[~mask] = 1e3 * torch.randn(int((~mask).sum()), K)  # anything at the pads
    assert_close(module(query, other, mask).context, out.context)


@pytest.mark.parametrize("kind", ["general", "additive"])
def test_gradcheck(kind):
    module, K = make(kind)
    query, keys, mask = inputs(K=K)
    names = [name for name, _ in module.named_parameters()]

    def f(query, keys, *weights):
        out = torch.func.functional_call(module, dict(zip(names, weights)), (query, keys, mask))
        return out.context, out.weights

    weights = tuple(p.detach().clone().requires_grad_() for p in module.parameters())
    assert torch.autograd.gradcheck(f, (query, keys, *weights))


@pytest.mark.parametrize("kind", ["general", "additive"])
def test_scores_are_their_equations_written_out(kind):
    """The weights and context of each score from e_ts computed one number at a time, masked."""
    module, K = make(kind)
    query, keys, mask = inputs(K=K)
    out = module(query, keys, mask)
    q, k = query.detach(), keys.detach()

    def e(b, t, s):
        if kind == "general":  # e_ts = h_t · (W_a h̄_s), W_a (H, K)
            W = module.W_a.detach()
            return sum(q[b, t, i] * W[i, j] * k[b, s, j] for i in range(H) for j in range(K))
        W, U = module.W_a.weight.detach(), module.U_a.weight.detach()  # (A, H), (A, K)
        b_a, v = module.U_a.bias.detach(), module.v_a.weight.detach()[0]  # (A,), (A,)
        return sum(  # e_ts = v_a · tanh(W_a h_t + U_a h̄_s + b_a)
            v[a] * math.tanh(sum(W[a, i] * q[b, t, i] for i in range(H))
                             + sum(U[a, j] * k[b, s, j] for j in range(K)) + b_a[a])
            for a in range(len(v))
        )  # fmt: skip

    for b in range(B):
        real = [s for s in range(S) if mask[b, s]]
        for t in range(T):
            scores = {s: float(e(b, t, s)) for s in real}
            total = sum(math.exp(x) for x in scores.values())
            alpha = [math.exp(scores[s]) / total if s in scores else 0.0 for s in range(S)]
            assert_close(out.weights[b, t], torch.tensor(alpha))
            context = sum(alpha[s] * k[b, s] for s in real)  # c_t = Σ_s α_ts h̄_s
            assert_close(out.context[b, t], context)


def test_general_with_identity_is_the_dot_score():
    query, keys, mask = inputs()
    general = GeneralAttention(H, H)
    with torch.no_grad():
        general.W_a.copy_(torch.eye(H))
    assert_close(general(query, keys, mask).context, DotAttention()(query, keys, mask).context)


def test_softmax_is_over_the_source_axis():
    e = torch.randn(B, T, S)
    alpha = masked_softmax(e, None)
    assert_close(alpha.sum(-1), torch.ones(B, T))
    assert not torch.allclose(alpha.sum(1), torch.ones(B, S))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda q, k, m: DotAttention()(q, k[..., :2], m), "a dot score needs query and keys"),
        (lambda q, k, m: DotAttention()(q[0], k, m), r"query must be \(B, T, H\)"),
        (lambda q, k, m: DotAttention()(q[:1], k, m), "share the batch size B"),
        (lambda q, k, m: DotAttention()(q, k, m[:, :2]), r"mask must have shape \(B, S\) = "),
        (lambda q, k, m: DotAttention()(q, k, m & False), "at least one True"),
        (lambda q, k, m: DotAttention(0.0), "scale must be positive"),
    ],
)
def test_bad_inputs_name_what_was_expected(call, message):
    query, keys, mask = inputs()
    with pytest.raises(ValueError, match=message):
        call(query, keys, mask)


def test_mask_must_be_bool():
    query, keys, mask = inputs()
    with pytest.raises(TypeError, match="mask must be a bool tensor"):
        DotAttention()(query, keys, mask.long())
