"""The known wrong sLSTM steps of ``check_slstm_step`` (notebook 16, Beck et al. 2024): each is
the package's step with one line replaced (``step``), or one value in another's place (``SLOTS``),
and the sentence that names it.
"""

from __future__ import annotations

import itertools

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
    (``log_f_rule(f_=...)`` replaces log σ(f̃) everywhere it is used)."""

    def wrong(i_, f_, z_, o_, c_prev, n_prev, m_prev):
        log_f = log_f_rule(f_=f_) if log_f_rule else F.logsigmoid(f_)
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

PLUS = "the stabiliser is m = max(ĩ, m_prev + log f)"
mx = torch.maximum
# line -> (what is wrong, the line's wrong rule); a rule gets the step's values by name
RULES = {
    "m": [
        ("m must be the new stabiliser max(ĩ, m_prev + log f), not m_prev",
         lambda m_prev, **q: m_prev),
        ("the stabiliser takes the larger of ĩ and m_prev + log f: max, not min",
         lambda i_, m_prev, log_f, **q: torch.minimum(i_, m_prev + log_f)),
        (f"{PLUS}: it adds m_prev", lambda i_, log_f, **q: mx(i_, log_f)),
        (f"{PLUS}: log f, not f itself", lambda i_, f_, m_prev, **q: mx(i_, m_prev + σ(f_))),
        (f"{PLUS}: log f = log σ(f̃), not f̃", lambda i_, f_, m_prev, **q: mx(i_, m_prev + f_)),
        (f"{PLUS}: m_prev + log f, not m_prev − log f",
         lambda i_, m_prev, log_f, **q: mx(i_, m_prev - log_f)),
        (f"{PLUS}: m_prev + log f, not m_prev ⊙ log f",
         lambda i_, m_prev, log_f, **q: mx(i_, m_prev * log_f)),
        (f"{PLUS}: m_prev + log f, not a matrix product",
         lambda i_, m_prev, log_f, **q: mx(i_, m_prev @ log_f)),
        (f"{PLUS}: log f is missing", lambda i_, m_prev, **q: mx(i_, m_prev)),
        (f"{PLUS}: ĩ is missing", lambda m_prev, log_f, **q: m_prev + log_f),
        (f"{PLUS}: log f is added inside the max, to m_prev, not after it",
         lambda i_, m_prev, log_f, **q: mx(i_, m_prev) + log_f),
        ("m = ĩ holds only on the first step (n_prev = 0); after it, m = max(ĩ, m_prev + log f)",
         lambda i_, **q: i_),
        ("the stabiliser is the larger of ĩ and m_prev + log f, torch.maximum: logaddexp is a "
         "smooth maximum, which changes c, n and m", lambda i_, m_prev, log_f, **q:
         torch.logaddexp(i_, m_prev + log_f)),
    ],
    "log_f": [  # wrong wherever it is used, in m and in f
        ("log f is log σ(f̃), F.logsigmoid(f_), in both m and f: not f̃ itself",
         lambda f_, **q: f_),
        ("log f is log σ(f̃), F.logsigmoid(f_), in both m and f: not σ(f̃) (take its log)",
         lambda f_, **q: σ(f_)),
        ("log f is log σ(f̃), F.logsigmoid(f_), in both m and f: not log(1 − σ(f̃))",
         lambda f_, **q: F.logsigmoid(-f_)),
    ],
    "i": [
        ("the input gate is exp(ĩ − m): subtract the stabiliser m", lambda i_, **q: exp(i_)),
        ("the input gate is exponential in the sLSTM: i = exp(ĩ − m), not σ(ĩ)",
         lambda i_, **q: σ(i_)),
        ("the input gate is exp(ĩ − m) with the new m, not m_prev",
         lambda i_, m_prev, **q: exp(i_ - m_prev)),
        ("the input gate is exp(ĩ − m), not exp(m − ĩ)", lambda i_, m, **q: exp(m - i_)),
        ("the input gate is exp(ĩ − m), not exp(ĩ + m)", lambda i_, m, **q: exp(i_ + m)),
        ("the input gate is exponential: i = exp(ĩ − m), not σ(ĩ − m)",
         lambda i_, m, **q: σ(i_ - m)),
    ],
    "f": [
        ("the forget gate is stabilised too: f = exp(m_prev + log f − m), not σ(f̃)",
         lambda f_, **q: σ(f_)),
        ("the forget gate is exp(m_prev + log f − m): it adds m_prev",
         lambda log_f, m, **q: exp(log_f - m)),
        ("the forget gate is exp(m_prev + log f − m): subtract the new m",
         lambda m_prev, log_f, **q: exp(m_prev + log_f)),
        ("the forget gate is exp(m_prev + log f − m), not exp(m_prev + log f + m)",
         lambda m_prev, log_f, m, **q: exp(m_prev + log_f + m)),
        ("the forget gate is exp(m_prev + log f − m): log f is missing",
         lambda m_prev, m, **q: exp(m_prev - m)),
        ("the forget gate is exp(m_prev + log f − m) with log f = log σ(f̃), not f̃",
         lambda f_, m_prev, m, **q: exp(m_prev + f_ - m)),
        ("the forget gate is exp(m_prev + log f − m), not exp(m_prev − log f − m)",
         lambda m_prev, log_f, m, **q: exp(m_prev - log_f - m)),
        ("the forget gate is exp(m_prev + log f − m), not exp(m − m_prev − log f)",
         lambda m_prev, log_f, m, **q: exp(m - m_prev - log_f)),
        ("the forget gate is exp(m_prev + log f − m): m_prev and log f are added, not multiplied",
         lambda m_prev, log_f, m, **q: exp(m_prev * log_f - m)),
        ("the forget gate is exp(m_prev + log f − m): the exp is missing",
         lambda m_prev, log_f, m, **q: m_prev + log_f - m),
        ("the forget gate is exp(m_prev + log f − m), not σ(f̃) − m: the stabiliser is "
         "subtracted inside the exp", lambda f_, m, **q: σ(f_) - m),
    ],
    "c": [
        ("the candidate is tanh(z̃): c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev + i * z_),
        ("the candidate is tanh(z̃), not σ(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev + i * σ(z_)),
        ("the candidate is tanh(z̃), not relu(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev + i * torch.relu(z_)),
        ("the candidate is tanh(z̃), not tanh applied twice",
         lambda f, c_prev, i, z_, **q: f * c_prev + i * tanh(tanh(z_))),
        ("the candidate tanh(z̃) enters with a + sign: c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev + i * -tanh(z_)),
        ("the new memory i ⊙ tanh(z̃) is added: c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev - i * tanh(z_)),
        ("the two terms of c are added, not multiplied: c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev * i * tanh(z_)),
        ("f and c_prev are multiplied, not added: c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: f + c_prev + i * tanh(z_)),
        ("i and tanh(z̃) are multiplied, not added: c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: f * c_prev + i + tanh(z_)),
        ("i and f are swapped in c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, c_prev, i, z_, **q: i * c_prev + f * tanh(z_)),
        ("c uses n_prev where c_prev belongs: c = f ⊙ c_prev + i ⊙ tanh(z̃)",
         lambda f, n_prev, i, z_, **q: f * n_prev + i * tanh(z_)),
        ("the cell state forgets: c = f ⊙ c_prev + i ⊙ tanh(z̃), with f on c_prev",
         lambda c_prev, i, z_, **q: c_prev + i * tanh(z_)),
    ],
    "n": [
        ("the normaliser adds the input gate: n = f ⊙ n_prev + i",
         lambda f, n_prev, **q: f * n_prev),
        ("the normaliser adds the input gate i, not 1: n = f ⊙ n_prev + i",
         lambda f, n_prev, **q: f * n_prev + 1),
        ("the normaliser sums the input gates, not the candidates: n = f ⊙ n_prev + i",
         lambda f, n_prev, i, z_, **q: f * n_prev + i * tanh(z_)),
        ("the normaliser is n = f ⊙ n_prev + i: + i, not − i",
         lambda f, n_prev, i, **q: f * n_prev - i),
        ("the normaliser is n = f ⊙ n_prev + i: the two terms are added, not multiplied",
         lambda f, n_prev, i, **q: f * n_prev * i),
        ("the normaliser is n = f ⊙ n_prev + i: f and n_prev are multiplied",
         lambda f, n_prev, i, **q: f + n_prev + i),
        ("the normaliser forgets like the cell state: n = f ⊙ n_prev + i",
         lambda n_prev, i, **q: n_prev + i),
        ("i and f are swapped in n = f ⊙ n_prev + i", lambda f, n_prev, i, **q: i * n_prev + f),
        ("n uses c_prev where n_prev belongs: n = f ⊙ n_prev + i",
         lambda f, c_prev, i, **q: f * c_prev + i),
        ("the normaliser is one number per unit, n = f ⊙ n_prev + i: it is not summed over the "
         "units", lambda f, n_prev, i, **q: (f * n_prev + i).sum(-1, keepdim=True)),
    ],
    "h": [
        ("h is normalised: h = σ(õ) ⊙ c / n", lambda o_, c, **q: σ(o_) * c),
        ("the sLSTM's output is σ(õ) ⊙ c / n, with no tanh",
         lambda o_, c, n, **q: σ(o_) * tanh(c) / n),
        ("the sLSTM's output is σ(õ) ⊙ c / n, with no tanh",
         lambda o_, c, n, **q: σ(o_) * tanh(c / n)),
        ("the sLSTM's output is σ(õ) ⊙ c / n, not the LSTM's σ(õ) ⊙ tanh(c)",
         lambda o_, c, **q: σ(o_) * tanh(c)),
        ("h divides by the normaliser: h = σ(õ) ⊙ c / n, not σ(õ) ⊙ c ⊙ n",
         lambda o_, c, n, **q: σ(o_) * c * n),
        ("the output gate is σ(õ), not tanh(õ)", lambda o_, c, n, **q: tanh(o_) * c / n),
        ("the output gate is σ(õ), not relu(õ)", lambda o_, c, n, **q: torch.relu(o_) * c / n),
        ("the output gate is σ(õ): apply σ to õ", lambda o_, c, n, **q: o_ * c / n),
        ("the output gate is σ(õ), not 1 − σ(õ)", lambda o_, c, n, **q: 1 - σ(o_) * c / n),
        ("h = σ(õ) ⊙ c / n is not squashed again by σ", lambda o_, c, n, **q: σ(σ(o_) * c / n)),
        ("⊙ is the element-wise product, written *, not the matrix product @",
         lambda o_, c, n, **q: σ(o_) @ c / n),
        ("the output gate multiplies c / n: h = σ(õ) ⊙ c / n, not σ(õ) + c / n",
         lambda o_, c, n, **q: σ(o_) + c / n),
    ],
}  # fmt: skip
ELEMENTWISE = "⊙ is the element-wise product, written *, not the matrix product @."
MATMULS = [  # a product written @ in c or n
    lambda f, c_prev, i, z_, **q: f * c_prev @ i * tanh(z_),
    lambda f, c_prev, i, z_, **q: f @ c_prev + i * tanh(z_),
    lambda f, c_prev, i, z_, **q: f * c_prev + i @ tanh(z_),
]


def _one(line, rule):
    return step(**{f"{line}_rule": rule})


def _two(a, b):
    (line_a, rule_a), (line_b, rule_b) = a, b
    return step(**{f"{line_a}_rule": rule_a, f"{line_b}_rule": rule_b})


SLSTM_MISTAKES = [
    Mistake("the gates are not stabilised: i = exp(ĩ − m) and f = exp(m_prev + log f − m) with "
            "m = max(ĩ, m_prev + log f), so that c and n stay small.",
            step(m_rule=lambda m_prev, **q: m_prev, i_rule=lambda i_, **q: exp(i_),
                 f_rule=lambda f_, **q: σ(f_))),
    Mistake("the stabiliser m is computed but not used: i = exp(ĩ − m) and "
            "f = exp(m_prev + log f − m), not exp(ĩ) and σ(f̃).",
            step(i_rule=lambda i_, **q: exp(i_), f_rule=lambda f_, **q: σ(f_))),
    Mistake("i and f are swapped: i = exp(ĩ − m) and f = exp(m_prev + log f − m).",
            step(i_rule=lambda m_prev, log_f, m, **q: exp(m_prev + log_f - m),
                 f_rule=lambda i_, m, **q: exp(i_ - m))),
    *(Mistake(f"{message}.", _one(line, rule)) for line, rules in RULES.items()
      for message, rule in rules),
    *(Mistake(ELEMENTWISE, step(c_rule=rule)) for rule in MATMULS),
    Mistake(ELEMENTWISE, step(n_rule=lambda f, n_prev, i, **q: f * n_prev @ i)),
    Mistake(ELEMENTWISE, step(n_rule=lambda f, n_prev, i, **q: f @ n_prev + i)),
    Mistake("return the four values in the order h, c, n, m.",
            lambda *args: tuple(reversed(reference(*args)))),
    Mistake("return the four values in the order h, c, n, m: n before m.",
            lambda *args: tuple(reference(*args)[k] for k in (0, 1, 3, 2))),
    *SLOTS,
    *(Mistake(f"slstm_step has two slips: {ma}, and {mb}.", _two((la, ra), (lb, rb)))
      for (la, rules_a), (lb, rules_b) in itertools.combinations(RULES.items(), 2)
      for ma, ra in rules_a for mb, rb in rules_b),
]  # fmt: skip
