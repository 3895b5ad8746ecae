"""The known wrong sLSTM steps of ``check_slstm_step`` (notebook 16, Beck et al. 2024): each is
the package's step with one line replaced (``step``), or one value in another's place (``SLOTS``),
and the sentence that names it.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ...modern import SLSTMState, stabilised_step
from .gate_swaps import slot_mistakes
from .runner import Mistake

σ, tanh, exp = torch.sigmoid, torch.tanh, torch.exp
ARGS = ("i_", "f_", "z_", "o_", "c_prev", "n_prev", "m_prev")


def _trace(i_, f_, z_, o_, c_prev, n_prev, m_prev):
    """The package's step: (its new state, every activation)."""
    state = SLSTMState(torch.zeros_like(c_prev), c_prev, n_prev, m_prev)
    return stabilised_step((i_, f_, z_, o_), state)


def reference(*args) -> tuple:
    """(h, c, n, m) of the package's step."""
    return tuple(_trace(*args)[0])


def step(
    m_rule=None, i_rule=None, f_rule=None, c_rule=None, n_rule=None, h_rule=None, log_f_rule=None
):
    """The step with some of its lines replaced; each rule gets the values it needs by name
    (``log_f_rule(f_)`` replaces log σ(f̃) everywhere it is used)."""

    def wrong(i_, f_, z_, o_, c_prev, n_prev, m_prev):
        log_f = log_f_rule(f_) if log_f_rule else F.logsigmoid(f_)
        q = dict(i_=i_, f_=f_, z_=z_, o_=o_, c_prev=c_prev, n_prev=n_prev, m_prev=m_prev)
        q.update(log_f=log_f)
        m = m_rule(**q) if m_rule else torch.maximum(i_, m_prev + log_f)
        q.update(m=m)
        i = i_rule(**q) if i_rule else exp(i_ - m)
        f = f_rule(**q) if f_rule else exp(m_prev + log_f - m)
        q.update(i=i, f=f)
        c = c_rule(**q) if c_rule else f * c_prev + i * tanh(z_)
        n = n_rule(**q) if n_rule else f * n_prev + i
        q.update(c=c, n=n)
        h = h_rule(**q) if h_rule else σ(o_) * c / n
        return h, c, n, m

    return wrong


def quantities(i_, f_, z_, o_, c_prev, n_prev, m_prev) -> dict:
    """The values a student has at hand in the step, by name."""
    t = _trace(i_, f_, z_, o_, c_prev, n_prev, m_prev)[1]  # SLSTMStep(i, f, z, o, c, n, m, h)
    return dict(i_=i_, f_=f_, z_=z_, o_=o_, c_prev=c_prev, n_prev=n_prev, m_prev=m_prev,
                i=t.i, f=t.f, c=t.c, n=t.n, h=t.h, m=t.m)  # fmt: skip


def _finish(c, n, q):
    return σ(q["o_"]) * c / n, c, n, q["m"]


VALUES = ["c_prev", "n_prev", "i", "f", "c", "n", "h", "m"]
SLOTS = [
    *slot_mistakes("c = f ⊙ c_prev + i ⊙ tanh(z̃)", ["f", "c_prev", "i"],
                   lambda v, q, a: _finish(v[0] * v[1] + v[2] * tanh(q["z_"]), q["n"], q),
                   quantities, VALUES),
    *slot_mistakes("n = f ⊙ n_prev + i", ["f", "n_prev", "i"],
                   lambda v, q, a: _finish(q["c"], v[0] * v[1] + v[2], q), quantities, VALUES),
    *slot_mistakes("h = σ(õ) ⊙ c / n", ["c", "n"],
                   lambda v, q, a: (σ(q["o_"]) * v[0] / v[1], q["c"], q["n"], q["m"]),
                   quantities, VALUES),
    *slot_mistakes("return h, c, n, m", ["h", "c", "n", "m"], lambda v, q, a: tuple(v),
                   quantities, VALUES),
]  # fmt: skip

m = Mistake
PLUS = "the stabiliser is m = max(ĩ, m_prev + log f)"
SLSTM_MISTAKES = [
    # the stabiliser
    m("the gates are not stabilised: i = exp(ĩ − m) and f = exp(m_prev + log f − m) with "
      "m = max(ĩ, m_prev + log f), so that c and n stay small.",
      step(m_rule=lambda m_prev, **q: m_prev, i_rule=lambda i_, **q: exp(i_),
           f_rule=lambda f_, **q: σ(f_))),
    m("m must be the new stabiliser max(ĩ, m_prev + log f), not m_prev.",
      step(m_rule=lambda m_prev, **q: m_prev)),
    m("the stabiliser takes the larger of ĩ and m_prev + log f: max, not min.",
      step(m_rule=lambda i_, m_prev, log_f, **q: torch.minimum(i_, m_prev + log_f))),
    m(f"{PLUS}: it adds m_prev.",
      step(m_rule=lambda i_, log_f, **q: torch.maximum(i_, log_f))),
    m(f"{PLUS}: log f, not f itself.",
      step(m_rule=lambda i_, f_, m_prev, **q: torch.maximum(i_, m_prev + σ(f_)))),
    m(f"{PLUS}: log f = log σ(f̃), not f̃.",
      step(m_rule=lambda i_, f_, m_prev, **q: torch.maximum(i_, m_prev + f_))),
    m(f"{PLUS}: m_prev + log f, not m_prev − log f.",
      step(m_rule=lambda i_, m_prev, log_f, **q: torch.maximum(i_, m_prev - log_f))),
    m(f"{PLUS}: m_prev + log f, not m_prev ⊙ log f.",
      step(m_rule=lambda i_, m_prev, log_f, **q: torch.maximum(i_, m_prev * log_f))),
    m(f"{PLUS}: m_prev + log f, not a matrix product.",
      step(m_rule=lambda i_, m_prev, log_f, **q: torch.maximum(i_, m_prev @ log_f))),
    m(f"{PLUS}: log f is missing.", step(m_rule=lambda i_, m_prev, **q: torch.maximum(i_, m_prev))),
    m(f"{PLUS}: ĩ is missing.", step(m_rule=lambda m_prev, log_f, **q: m_prev + log_f)),
    m(f"{PLUS}: log f is added inside the max, to m_prev, not after it.",
      step(m_rule=lambda i_, m_prev, log_f, **q: torch.maximum(i_, m_prev) + log_f)),
    m("m = ĩ holds only on the first step (n_prev = 0); after it, m = max(ĩ, m_prev + log f).",
      step(m_rule=lambda i_, **q: i_)),
    # log f, wrong wherever it is used (in m and in f)
    m("log f is log σ(f̃), F.logsigmoid(f_), in both m and f: not f̃ itself.",
      step(log_f_rule=lambda f_: f_)),
    m("log f is log σ(f̃), F.logsigmoid(f_), in both m and f: not σ(f̃) (take its log).",
      step(log_f_rule=σ)),
    m("log f is log σ(f̃), F.logsigmoid(f_), in both m and f: not log(1 − σ(f̃)).",
      step(log_f_rule=lambda f_: F.logsigmoid(-f_))),
    # the input gate
    m("the input gate is exp(ĩ − m): subtract the stabiliser m.",
      step(i_rule=lambda i_, **q: exp(i_))),
    m("the input gate is exponential in the sLSTM: i = exp(ĩ − m), not σ(ĩ).",
      step(i_rule=lambda i_, **q: σ(i_))),
    m("the input gate is exp(ĩ − m) with the new m, not m_prev.",
      step(i_rule=lambda i_, m_prev, **q: exp(i_ - m_prev))),
    m("the input gate is exp(ĩ − m), not exp(m − ĩ).", step(i_rule=lambda i_, m, **q: exp(m - i_))),
    m("i and f are swapped: i = exp(ĩ − m) and f = exp(m_prev + log f − m).",
      step(i_rule=lambda m_prev, log_f, m, **q: exp(m_prev + log_f - m),
           f_rule=lambda i_, m, **q: exp(i_ - m))),
    # the forget gate
    m("the forget gate is stabilised too: f = exp(m_prev + log f − m), not σ(f̃).",
      step(f_rule=lambda f_, **q: σ(f_))),
    m("the forget gate is exp(m_prev + log f − m): it adds m_prev.",
      step(f_rule=lambda log_f, m, **q: exp(log_f - m))),
    m("the forget gate is exp(m_prev + log f − m): subtract the new m.",
      step(f_rule=lambda m_prev, log_f, **q: exp(m_prev + log_f))),
    m("the forget gate is exp(m_prev + log f − m): log f is missing.",
      step(f_rule=lambda m_prev, m, **q: exp(m_prev - m))),
    m("the forget gate is exp(m_prev + log f − m) with log f = log σ(f̃), not f̃.",
      step(f_rule=lambda f_, m_prev, m, **q: exp(m_prev + f_ - m))),
    m("the forget gate is exp(m_prev + log f − m), not exp(m_prev − log f − m).",
      step(f_rule=lambda m_prev, log_f, m, **q: exp(m_prev - log_f - m))),
    m("the forget gate is exp(m_prev + log f − m), not exp(m − m_prev − log f).",
      step(f_rule=lambda m_prev, log_f, m, **q: exp(m - m_prev - log_f))),
    m("the forget gate is exp(m_prev + log f − m): m_prev and log f are added, not multiplied.",
      step(f_rule=lambda m_prev, log_f, m, **q: exp(m_prev * log_f - m))),
    m("the forget gate is exp(m_prev + log f − m): m_prev and log f are added, not multiplied.",
      step(f_rule=lambda m_prev, log_f, m, **q: exp(m_prev @ log_f - m))),
    m("the forget gate is exp(m_prev + log f − m): the exp is missing.",
      step(f_rule=lambda m_prev, log_f, m, **q: m_prev + log_f - m)),
    # the cell state
    m("the candidate is tanh(z̃): c = f ⊙ c_prev + i ⊙ tanh(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i * z_)),
    m("the candidate is tanh(z̃), not σ(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i * σ(z_))),
    m("the candidate is tanh(z̃), not relu(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i * torch.relu(z_))),
    m("the candidate is tanh(z̃), not tanh applied twice.",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i * tanh(tanh(z_)))),
    m("the candidate tanh(z̃) enters with a + sign: c = f ⊙ c_prev + i ⊙ tanh(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i * -tanh(z_))),
    m("the new memory i ⊙ tanh(z̃) is added: c = f ⊙ c_prev + i ⊙ tanh(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev - i * tanh(z_))),
    m("the two terms of c are added, not multiplied: c = f ⊙ c_prev + i ⊙ tanh(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev * i * tanh(z_))),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev @ i * tanh(z_))),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      step(c_rule=lambda f, c_prev, i, z_, **q: f @ c_prev + i * tanh(z_))),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i @ tanh(z_))),
    m("f and c_prev are multiplied, not added: c = f ⊙ c_prev + i ⊙ tanh(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f + c_prev + i * tanh(z_))),
    m("i and tanh(z̃) are multiplied, not added: c = f ⊙ c_prev + i ⊙ tanh(z̃).",
      step(c_rule=lambda f, c_prev, i, z_, **q: f * c_prev + i + tanh(z_))),
    # the normaliser
    m("the normaliser adds the input gate: n = f ⊙ n_prev + i.",
      step(n_rule=lambda f, n_prev, **q: f * n_prev)),
    m("the normaliser sums the input gates, not the candidates: n = f ⊙ n_prev + i.",
      step(n_rule=lambda f, n_prev, i, z_, **q: f * n_prev + i * tanh(z_))),
    m("the normaliser is n = f ⊙ n_prev + i: + i, not − i.",
      step(n_rule=lambda f, n_prev, i, **q: f * n_prev - i)),
    m("the normaliser is n = f ⊙ n_prev + i: the two terms are added, not multiplied.",
      step(n_rule=lambda f, n_prev, i, **q: f * n_prev * i)),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      step(n_rule=lambda f, n_prev, i, **q: f * n_prev @ i)),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      step(n_rule=lambda f, n_prev, i, **q: f @ n_prev + i)),
    m("the normaliser is n = f ⊙ n_prev + i: f and n_prev are multiplied.",
      step(n_rule=lambda f, n_prev, i, **q: f + n_prev + i)),
    m("the normaliser forgets like the cell state: n = f ⊙ n_prev + i.",
      step(n_rule=lambda n_prev, i, **q: n_prev + i)),
    # the output
    m("h is normalised: h = σ(õ) ⊙ c / n.", step(h_rule=lambda o_, c, **q: σ(o_) * c)),
    m("the sLSTM's output is σ(õ) ⊙ c / n, with no tanh.",
      step(h_rule=lambda o_, c, n, **q: σ(o_) * tanh(c) / n)),
    m("the sLSTM's output is σ(õ) ⊙ c / n, with no tanh.",
      step(h_rule=lambda o_, c, n, **q: σ(o_) * tanh(c / n))),
    m("the output gate is σ(õ), not tanh(õ).", step(h_rule=lambda o_, c, n, **q: tanh(o_) * c / n)),
    m("the output gate is σ(õ), not relu(õ).",
      step(h_rule=lambda o_, c, n, **q: torch.relu(o_) * c / n)),
    m("the output gate is σ(õ): apply σ to õ.", step(h_rule=lambda o_, c, n, **q: o_ * c / n)),
    m("the output gate is σ(õ), not 1 − σ(õ).",
      step(h_rule=lambda o_, c, n, **q: 1 - σ(o_) * c / n)),
    m("h = σ(õ) ⊙ c / n is not squashed again by σ.",
      step(h_rule=lambda o_, c, n, **q: σ(σ(o_) * c / n))),
    m("⊙ is the element-wise product, written *, not the matrix product @.",
      step(h_rule=lambda o_, c, n, **q: σ(o_) @ c / n)),
    m("the output gate multiplies c / n: h = σ(õ) ⊙ c / n, not σ(õ) + c / n.",
      step(h_rule=lambda o_, c, n, **q: σ(o_) + c / n)),
    m("return the four values in the order h, c, n, m.",
      lambda *args: tuple(reversed(reference(*args)))),
    m("return the four values in the order h, c, n, m: n before m.",
      lambda *args: tuple(reference(*args)[k] for k in (0, 1, 3, 2))),
    *SLOTS,
]  # fmt: skip
