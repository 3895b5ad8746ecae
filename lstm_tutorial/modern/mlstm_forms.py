"""The mLSTM's matrix memory (Beck et al. 2024) in its two forms: recurrent and parallel.

The cell state is a matrix ``C`` (DH, DH) per head that stores value vectors under key vectors,
like a fast-weight memory or linear attention (Katharopoulos et al. 2020): writing is the
covariance update ``C += i · k vᵀ``, reading is ``qᵀ C``. With scalar gates per head and time step,
pre-activations ĩ, f̃, log f = log σ(f̃), keys scaled ``k ← k / √DH``:

    m = max(m_prev + log f, ĩ)                      stabiliser
    f' = exp(m_prev + log f − m),  i' = exp(ĩ − m)   stabilised gates
    C = f' C_prev + i' k vᵀ                         matrix memory (DH, DH)
    n = f' n_prev + i' k                            normaliser (DH,)
    h̃ = qᵀ C / (max(|qᵀ n|, exp(−m)) + eps)         retrieval (DH,)

No gate depends on h_prev, so the whole sequence can be computed at once. With the cumulative
log forget gates ``F_t = Σ_{l≤t} log f_l``, the weight of the write at step j on the read at
step t ≥ j is ``D_tj = exp(F_t − F_j + ĩ_j − m_t)``, that of the initial state
``d_t = exp(F_t + m_0 − m_t)``,
and the stabiliser is the largest log weight, ``m_t = max(max_{j≤t} (F_t − F_j + ĩ_j), F_t + m_0)``,
which is what the recurrence computes step by step. Then (S = (q kᵀ) ⊙ D, a masked (T, T) matrix)

    h̃_t = (S_t v + d_t qᵀ C_0) / (max(|Σ_j S_tj + d_t qᵀ n_0|, exp(−m_t)) + eps).

So the two forms are equal, eps included, when both start from the same state (tested to
rounding error). The official code (xlstm 2.0.6, ``blocks/mlstm/backends.py``) starts its
recurrent step from m_0 = 0 and its parallel form without an initial state, i.e. with the term
``F_t + m_0`` left out of the maximum (as m_0 = −∞). Both describe an empty memory; the stabiliser
cancels everywhere except in eps, since h̃ = qᵀC* / (max(|qᵀn*|, 1) + eps·exp(m)) in unstabilised
terms. So the official forms differ by O(eps) wherever their m differ; with eps = 0 they agree.
``parallel(..., state=None)`` is the official parallel form, ``recurrent_step`` the official step.

Shapes: q, k, v (B, NH, T, DH); ĩ, f̃ (B, NH, T); state C (B, NH, DH, DH), n (B, NH, DH),
m (B, NH).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch.nn import functional as F

EPS = 1e-6  # the official default


class MLSTMState(NamedTuple):
    """The mLSTM's state per head: the matrix memory, its normaliser and its stabiliser."""

    C: torch.Tensor  # (B, NH, DH, DH)
    n: torch.Tensor  # (B, NH, DH)
    m: torch.Tensor  # (B, NH)


def recurrent_step(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    i_: torch.Tensor,
    f_: torch.Tensor,
    state: MLSTMState,
    eps: float = EPS,
) -> tuple[torch.Tensor, MLSTMState]:
    """One step: q, k, v (B, NH, DH), ĩ, f̃ (B, NH)  ->  h̃ (B, NH, DH) and the new state."""
    C_prev, n_prev, m_prev = state
    k = k / math.sqrt(k.shape[-1])  # (B, NH, DH)
    log_f = F.logsigmoid(f_)  # (B, NH)
    m = torch.maximum(log_f + m_prev, i_)  # (B, NH)
    f = torch.exp(log_f + m_prev - m)[..., None]  # (B, NH, 1)
    i = torch.exp(i_ - m)[..., None]  # (B, NH, 1)
    C = f[..., None] * C_prev + i[..., None] * (k[..., :, None] * v[..., None, :])  # (B,NH,DH,DH)
    n = f * n_prev + i * k  # (B, NH, DH)
    num = (q[..., None, :] @ C).squeeze(-2)  # (B, NH, DH)  qᵀ C
    qn = (q * n).sum(-1, keepdim=True)  # (B, NH, 1)
    h = num / (torch.maximum(qn.abs(), torch.exp(-m)[..., None]) + eps)  # (B, NH, DH)
    return h, MLSTMState(C, n, m)


def recurrent(q, k, v, i_, f_, state: MLSTMState, eps: float = EPS):
    """The recurrent form over a sequence: -> h̃ (B, NH, T, DH) and the last state."""
    hs = []
    for t in range(q.shape[2]):
        h, state = recurrent_step(
            q[:, :, t], k[:, :, t], v[:, :, t], i_[..., t], f_[..., t], state, eps
        )
        hs.append(h)
    return torch.stack(hs, dim=2), state


def parallel(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    i_: torch.Tensor,
    f_: torch.Tensor,
    state: MLSTMState | None = None,
    eps: float = EPS,
) -> tuple[torch.Tensor, MLSTMState]:
    """The parallel form: every step at once (see the module docstring).

    ``state=None`` is an empty memory without a stabiliser term (the official parallel form).
    Returns h̃ (B, NH, T, DH) and the state after the last step, in this form's stabiliser.
    """
    T, DH = q.shape[-2:]
    k = k / math.sqrt(DH)  # (B, NH, T, DH)
    F_ = torch.cumsum(F.logsigmoid(f_), dim=-1)  # (B, NH, T)  F_t
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool, device=q.device))  # (T, T)
    log_D = F_[..., :, None] - F_[..., None, :] + i_[..., None, :]  # (B, NH, T, T)
    log_D = torch.where(causal, log_D, -math.inf)
    m = log_D.max(dim=-1).values  # (B, NH, T)
    if state is not None:
        log_d = F_ + state.m[..., None]  # (B, NH, T)  the initial state's log weight
        m = torch.maximum(m, log_d)
    D = torch.exp(log_D - m[..., None])  # (B, NH, T, T)
    S = (q @ k.transpose(-1, -2)) * D  # (B, NH, T, T)
    den = S.sum(-1, keepdim=True)  # (B, NH, T, 1)
    if state is not None:
        d = torch.exp(log_d - m)[..., None]  # (B, NH, T, 1)
        den = den + d * (q @ state.n[..., None])  # + d_t qᵀ n_0
    den = torch.maximum(den.abs(), torch.exp(-m)[..., None]) + eps  # (B, NH, T, 1)
    h = (S / den) @ v  # (B, NH, T, DH)
    if state is not None:
        h = h + d * (q @ state.C) / den  # + d_t qᵀ C_0
    w = D[..., -1, :, None]  # (B, NH, T, 1)  the last step's weights of every write
    C = (w * k).transpose(-1, -2) @ v  # (B, NH, DH, DH)
    n = (w * k).sum(-2)  # (B, NH, DH)
    if state is not None:
        C = C + d[..., -1, :, None] * state.C
        n = n + d[..., -1, :] * state.n
    return h, MLSTMState(C, n, m[..., -1])
