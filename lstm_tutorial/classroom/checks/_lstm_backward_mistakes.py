"""Plausible wrong backward steps of the LSTM (notebook 12's exercise ``lstm_step_backward``),
each with the sentence a student gets when their function computes the same thing. Each mistake
is a small function with the exercise's arguments, built from correct pieces with one piece wrong;
the reference is the package's ``lstm_tutorial.backward.lstm_step_backward``.
"""

from __future__ import annotations

import torch

from ...backward import GATES, LSTMGrads, LSTMStepGrads, layer_backward, lstm_step_backward
from .exercise import Mistake

tanh = torch.tanh

# ---- LSTM: the chain dh, dc -> do, dc -> df, di, dg, dc_prev -> dz of each layer -> layers


def _layers(dz: dict, dc_prev, cache, cell, skip: str = "") -> LSTMStepGrads:
    """The correct layer backwards from the four dz; ``skip``: layers left out of dh_prev."""
    dx, dh_prev, grads = 0, 0, {}
    for k in GATES:
        dx_k, dh_k, grads[k] = layer_backward(getattr(cell, k), dz[k], cache.x, cache.h_prev)
        dx, dh_prev = dx + dx_k, dh_prev + (0 * dh_k if k in skip else dh_k)
    return LSTMStepGrads(dx, dh_prev, dc_prev, LSTMGrads(**grads))


def _gate_dz(do, df, di, dg, cache) -> dict:
    f, i, g, o = cache.f, cache.i, cache.g, cache.o
    return dict(f=df * f * (1 - f), i=di * i * (1 - i), g=dg * (1 - g**2), o=do * o * (1 - o))


def _from_dc(do, dc, cache, cell, **dz_changes):
    """Everything after the total dc, right unless ``dz_changes`` replace a layer's dz."""
    dz = _gate_dz(do, dc * cache.c_prev, dc * cache.g, dc * cache.i, cache)
    dz.update({k: v(do, dc, cache) for k, v in dz_changes.items()})
    return _layers(dz, dc * cache.f, cache, cell)


def _do_dc(dh, dc, cache):
    """The right do and total dc."""
    tanh_c = tanh(cache.c)
    return dh * tanh_c, dc + dh * cache.o * (1 - tanh_c**2)


def _dz_wrong(**changes):
    def step(dh, dc, cache, cell):
        return _from_dc(*_do_dc(dh, dc, cache), cache, cell, **changes)

    return step


def _with(**changes):
    """The right answer with ``changes(right, dh, dc, cache, cell)`` replacing some fields."""

    def wrong(dh, dc, cache, cell):
        right = lstm_step_backward(dh, dc, cache, cell)
        return right._replace(**{k: v(right, dh, dc, cache, cell) for k, v in changes.items()})

    return wrong


def _wrong_dc(total):
    """A wrong total dc = total(dh, dc, cache); the rest of the chain right."""

    def step(dh, dc, cache, cell):
        return _from_dc(dh * tanh(cache.c), total(dh, dc, cache), cache, cell)

    return step


def _tanh_c_prime(c):
    return 1 - tanh(c) ** 2


# (sentence, wrong step (dh, dc, cache, cell) -> LSTMStepGrads)
LSTM_MISTAKES = tuple(Mistake(*m) for m in [
    ("the tanh′ of c is missing: dh reaches c as dh ⊙ o ⊙ (1 − tanh(c)²), not dh ⊙ o.",
     _wrong_dc(lambda dh, dc, c: dc + dh * c.o)),
    ("the contribution from the next step is forgotten: add the upstream dc, "
     "dc + dh ⊙ o ⊙ (1 − tanh(c)²).", _wrong_dc(lambda dh, dc, c: dh * c.o * _tanh_c_prime(c.c))),
    ("the path from h into c is missing: to the upstream dc add dh ⊙ o ⊙ (1 − tanh(c)²), "
     "since h = o ⊙ tanh(c).", _wrong_dc(lambda dh, dc, c: dc)),
    ("tanh′ was taken at c_prev: h = o ⊙ tanh(c) uses the new c, so 1 − tanh(c)².",
     _wrong_dc(lambda dh, dc, c: dc + dh * c.o * _tanh_c_prime(c.c_prev))),
    ("the forget gate's gradient goes through the wrong state: c = f ⊙ c_prev + i ⊙ g, so "
     "df = dc ⊙ c_prev, not dc ⊙ c.", _dz_wrong(f=lambda do, dc, c: dc * c.c * c.f * (1 - c.f))),
    ("di and dg are swapped: c = f ⊙ c_prev + i ⊙ g gives di = dc ⊙ g and dg = dc ⊙ i.",
     _dz_wrong(i=lambda do, dc, c: dc * c.i * c.i * (1 - c.i),
               g=lambda do, dc, c: dc * c.g * (1 - c.g**2))),
    ("o′ is missing: the output gate is σ(z_o), so dz_o = do ⊙ o(1 − o).",
     _dz_wrong(o=lambda do, dc, c: do)),
    ("σ′ of the forget gate is missing: dz_f = df ⊙ f(1 − f).",
     _dz_wrong(f=lambda do, dc, c: dc * c.c_prev)),
    ("σ′ of the input gate is missing: dz_i = di ⊙ i(1 − i).",
     _dz_wrong(i=lambda do, dc, c: dc * c.g)),
    ("tanh′ of the candidate is missing: g = tanh(z_g), so dz_g = dg ⊙ (1 − g²).",
     _dz_wrong(g=lambda do, dc, c: dc * c.i)),
    ("the sigmoid gates use tanh′ = 1 − σ²; σ′ is σ(1 − σ): e.g. dz_f = df ⊙ f(1 − f).",
     _dz_wrong(f=lambda do, dc, c: dc * c.c_prev * (1 - c.f**2),
               i=lambda do, dc, c: dc * c.g * (1 - c.i**2), o=lambda do, dc, c: do * (1 - c.o**2))),
    ("do uses c without tanh: h = o ⊙ tanh(c), so do = dh ⊙ tanh(c).",
     lambda dh, dc, cache, cell: _from_dc(dh * cache.c, _do_dc(dh, dc, cache)[1], cache, cell)),
    ("dc_prev was not multiplied by f: along the cell state ∂c/∂c_prev = f, so "
     "dc_prev = dc ⊙ f.", _with(dc_prev=lambda r, dh, dc, cache, cell: _do_dc(dh, dc, cache)[1])),
    ("dc_prev passes back only the upstream dc: it is the total dc (upstream dc plus the path "
     "through h) times f.", _with(dc_prev=lambda r, dh, dc, cache, cell: dc * cache.f)),
    ("dh_prev is zero: that is the 1997 truncated gradient; the full gradient sums dz @ U "
     "over the four layers.", _with(dh_prev=lambda r, dh, dc, cache, cell: 0 * dh)),
    *((f"dh_prev misses the term of layer {k} (cell.{k}): h_prev feeds all four layers, so "
       "dh_prev sums dz @ U over f, i, g and o.",
       lambda dh, dc, cache, cell, k=k: _layers(*_parts(dh, dc, cache, cell), cache, cell, skip=k))
      for k in GATES),
    ("the cache is unpacked in the wrong order: it holds (x, h_prev, c_prev, f, i, g, o, c), "
     "with f before i.", lambda dh, dc, cache, cell: lstm_step_backward(
         dh, dc, cache._replace(f=cache.i, i=cache.f), cell)),
    ("dh_prev and dc_prev are swapped: return (dx, dh_prev, dc_prev, grads) in that order.",
     _with(dh_prev=lambda r, *a: r.dc_prev, dc_prev=lambda r, *a: r.dh_prev)),
    ("the gate gradients are in torch's order i, f, g, o; LSTMGrads takes them as "
     "f, i, g, o (by name: LSTMGrads(f=..., i=..., g=..., o=...)).",
     _with(params=lambda r, *a: LSTMGrads(r.params.i, r.params.f, r.params.g, r.params.o))),
    ("the weight gradients are transposed: each has its weight's shape, dW_k = dz_k.T @ x and "
     "dU_k = dz_k.T @ h_prev.",
     _with(params=lambda r, *a: LSTMGrads(*(p._replace(W=p.W.T, U=p.U.T) for p in r.params)))),
    ("dx uses W.T: each layer's x @ W.T goes back as dz @ W, summed over the four layers.",
     lambda dh, dc, cache, cell: lstm_step_backward(dh, dc, cache, cell)._replace(
         dx=sum(dz @ getattr(cell, k).W.T for k, dz in _parts(dh, dc, cache, cell)[0].items()))),
    ("db averages over the batch: b is added to every example's row, so db = dz.sum(0).",
     _with(params=lambda r, dh, *a: LSTMGrads(*(p._replace(b=p.b / len(dh)) for p in r.params)))),
])  # fmt: skip


def _parts(dh, dc, cache, cell):
    """The right dz of every layer and dc_prev."""
    do, dc = _do_dc(dh, dc, cache)
    return _gate_dz(do, dc * cache.c_prev, dc * cache.g, dc * cache.i, cache), dc * cache.f
