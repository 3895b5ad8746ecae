"""Wrong candidates of the torch-form GRU step (Cho et al. 2014; torch's reset_after form):
``n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))`` with a slip, inside the package's own
``GRUCell.step`` (r and z as the cell computes them), or the cell run with some of its parameters
replaced (swapped, untransposed, zeroed), or in the other published form (Cho et al.'s
U_n (r ⊙ h_prev), without b_hn)."""

from __future__ import annotations

import torch
from torch.func import functional_call

from .runner import Mistake

σ, tanh = torch.sigmoid, torch.tanh
N = "n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn))"


def candidate(form):
    """A wrong candidate ``form(x, h_prev, r, W_n, U_n, b_n, b_hn) -> n`` in the package's step."""

    def wrong(x, h_prev, cell):
        r, z, _, _ = cell.step(x, h_prev)[1]
        n = form(x, h_prev, r, cell.n.W, cell.n.U, cell.n.b, cell.b_hn)  # (B, H)
        return (1 - z) * n + z * h_prev

    wrong.form = form  # for two slips at once (gru_step.two_slips)
    return wrong


def with_parameters(changes: dict):
    """The package's step with some parameters replaced, ``changes[name](cell) -> tensor``."""

    def wrong(x, h_prev, cell):
        params = {name: new(cell) for name, new in changes.items()}
        return functional_call(cell, params, (x, h_prev))

    return wrong


def _z_reads_reset(x, h_prev, cell):
    r = cell.r(x, h_prev)  # (B, H)
    z = cell.z(x, r * h_prev)  # (B, H)   r ⊙ h_prev where h_prev belongs
    n = tanh(x @ cell.n.W.T + cell.n.b + r * (h_prev @ cell.n.U.T + cell.b_hn))
    return (1 - z) * n + z * h_prev


m = Mistake
CANDIDATE_MISTAKES = [
    m(f"b_n is subtracted; add it: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T - b + r * (h @ U.T + b_hn)))),
    m(f"b_hn is subtracted; add it: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r * (h @ U.T - b_hn)))),
    m(f"the reset term is subtracted; add it: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b - r * (h @ U.T + b_hn)))),
    m(f"r must multiply the recurrent part, not be added to it: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r + (h @ U.T + b_hn)))),
    m(f"the bias b_n is multiplied where it should be added: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T * b + r * (h @ U.T + b_hn)))),
    m(f"the bias b_n is multiplied where it should be added: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b * r * (h @ U.T + b_hn)))),
    m(f"the bias b_hn is multiplied where it should be added: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r * (h @ U.T * b_hn)))),
    m(f"tanh is applied twice: {N} has one tanh.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(tanh(x @ W.T + b + r * (h @ U.T + b_hn))))),
    m(f"n has the wrong sign: {N}, with no minus.",
      candidate(lambda x, h, r, W, U, b, b_hn: -tanh(x @ W.T + b + r * (h @ U.T + b_hn)))),
    *[m(f"n uses cell.{j}.{w} where cell.n.{w} belongs.",
        with_parameters({f"n.{w}": lambda c, j=j, w=w: getattr(getattr(c, j), w)}))
      for j in "rz" for w in "WUb"],
    m("r is applied to h_prev before U_n (the form of Cho et al. 2014); torch's form applies it "
      "after: r ⊙ (U_n h_prev + b_hn).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + (r * h) @ U.T + b_hn))),
    m("cell.n(x, r ⊙ h_prev) is the form of Cho et al. (2014) without b_hn; write "
      "n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + (r * h) @ U.T))),
    m("b_hn belongs inside the reset: r ⊙ (U_n h_prev + b_hn).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r * (h @ U.T) + b_hn))),
    m("the bias b_hn is missing from n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r * (h @ U.T)))),
    m("the reset gate r is not used in n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + h @ U.T + b_hn))),
    m("cell.n(x, h_prev) ignores r and b_hn: write n = tanh(W_n x + b_n + r ⊙ (U_n h_prev "
      "+ b_hn)).", candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + h @ U.T))),
    m("r must scale only the recurrent part: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(r * (x @ W.T + b + h @ U.T + b_hn)))),
    m("b_n belongs outside the reset, next to W_n x: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev "
      "+ b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + r * (h @ U.T + b + b_hn)))),
    m("b_n and b_hn are swapped: b_n = cell.n.b goes next to W_n x, and cell.b_hn inside "
      "r ⊙ (U_n h_prev + b_hn).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b_hn + r * (h @ U.T + b)))),
    m("the bias b_n (cell.n.b) is missing from n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + r * (h @ U.T + b_hn)))),
    m("r is applied twice (to h_prev and to U_n h_prev); torch's form applies it once: "
      "r ⊙ (U_n h_prev + b_hn).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r * ((r * h) @ U.T + b_hn)))),
    m("n uses 1 − r where r belongs: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + (1 - r) * (h @ U.T + b_hn)))),
    m("r multiplies h_prev before U_n and b_hn as well (neither torch's form nor Cho et al.'s): "
      f"{N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + (r * h) @ U.T + r * b_hn))),
    m("n uses b_n where b_hn belongs, inside the reset: r ⊙ (U_n h_prev + b_hn), with "
      "cell.b_hn.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + r * (h @ U.T + b)))),
    m(f"the tanh closes too early: it covers the whole sum, {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b) + r * (h @ U.T + b_hn))),
    m(f"r is applied after the tanh: it scales only the recurrent part inside it, {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: r * tanh(x @ W.T + b + h @ U.T + b_hn))),
    m(f"r scales the input part; it scales the recurrent part: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(r * (x @ W.T + b) + h @ U.T + b_hn))),
    m(f"r scales only b_hn; it scales the whole recurrent part: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(x @ W.T + b + h @ U.T + r * b_hn))),
    m(f"r multiplies cell.n(x, h_prev) after its tanh; it scales the recurrent part inside: {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: r * tanh(x @ W.T + b + h @ U.T))),
    m(f"x and h_prev are swapped in n: W_n multiplies x and U_n multiplies h_prev, {N}.",
      candidate(lambda x, h, r, W, U, b, b_hn: tanh(h @ W.T + b + r * (x @ U.T + b_hn)))),
    m("z reads r ⊙ h_prev; the update gate reads h_prev itself, z = σ(W_z x + U_z h_prev + b_z) "
      "(r acts only inside n).", _z_reads_reset),
    m("forgot to transpose U in every layer: with one example per row, U h_prev is written "
      "h_prev @ U.T.", with_parameters({f"{k}.U": (lambda c, k=k: getattr(c, k).U.T)
                                         for k in "rzn"})),
    m("forgot to transpose W in every layer: with one example per row, W x is written x @ W.T.",
      with_parameters({f"{k}.W": (lambda c, k=k: getattr(c, k).W.T) for k in "rzn"})),
    m("n uses σ instead of tanh: the candidate must lie between −1 and 1.",
      candidate(lambda x, h, r, W, U, b, b_hn: σ(x @ W.T + b + r * (h @ U.T + b_hn)))),
    m("n uses ReLU instead of tanh: use torch.tanh.",
      candidate(lambda x, h, r, W, U, b, b_hn: torch.relu(x @ W.T + b + r * (h @ U.T + b_hn)))),
    m("n is missing its tanh: n = tanh(W_n x + b_n + r ⊙ (U_n h_prev + b_hn)).",
      candidate(lambda x, h, r, W, U, b, b_hn: x @ W.T + b + r * (h @ U.T + b_hn))),
    m("W_n and U_n are swapped in n: W_n multiplies x and U_n multiplies h_prev.",
      with_parameters({"n.W": lambda c: c.n.U, "n.U": lambda c: c.n.W})),
    m("in n, cell.n.W multiplies h_prev where cell.n.U belongs: r ⊙ (U_n h_prev + b_hn).",
      with_parameters({"n.U": lambda c: c.n.W})),
    m("forgot to transpose W_n in n: with one example per row, W_n x is written x @ W_n.T.",
      with_parameters({"n.W": lambda c: c.n.W.T})),
    m("forgot to transpose U_n in n: with one example per row, U_n h_prev is written "
      "h_prev @ U_n.T.", with_parameters({"n.U": lambda c: c.n.U.T})),
    m("in n, the input term W_n x is missing.", with_parameters({"n.W": lambda c: 0 * c.n.W})),
    m("in n, the recurrent term U_n h_prev is missing.",
      with_parameters({"n.U": lambda c: 0 * c.n.U})),
    m("the weights act untransposed in every layer (a .T is missing, or there is one too many): "
      "with one example per row, W x is written x @ W.T, or F.linear(x, W), which transposes W "
      "itself.",
      with_parameters({f"{k}.{w}": (lambda c, k=k, w=w: getattr(getattr(c, k), w).T)
                         for k in "rzn" for w in "WU"})),
    m("W and U are swapped in every layer: W multiplies x and U multiplies h_prev.",
      with_parameters({f"{k}.{w}": (lambda c, k=k, w=w: getattr(getattr(c, k), "UW"[w == "U"]))
                         for k in "rzn" for w in "WU"})),
    m("the biases are missing: every layer has its b, and n also b_hn.",
      with_parameters({"b_hn": lambda c: 0 * c.b_hn,
                      **{f"{k}.b": (lambda c, k=k: 0 * getattr(c, k).b) for k in "rzn"}})),
    m("the layers ignore h_prev: r, z and n read x and h_prev.",
      with_parameters({f"{k}.U": (lambda c, k=k: 0 * getattr(c, k).U) for k in "rzn"})),
]  # fmt: skip
