"""One line of a backward step wrong, named: once the gradients that are wrong point to a line of
the chain rule (a gate's dz, the total dc, a parameter gradient, dx, dh_prev or dc_prev), the
plausible wrong versions of that line are pushed through the rest of the (right) chain and
compared with what the student returned.

A line's versions are its factors, each right or wrong: dz_f = (df) ⊙ (σ′), with df = dc ⊙ c_prev
or a slip (dc ⊙ c, dc alone, ...) and σ′ = f ⊙ (1 − f) or a slip (1 − f², 1 − f, ...); every
combination but the right one is tried, and the sentence names the wrong factors.
"""

from __future__ import annotations

import itertools

import torch

from .diagnosis import names
from .failure import close

tanh = torch.tanh


def _slopes(a: torch.Tensor, k: str, sigmoid: bool) -> list[tuple[str, torch.Tensor]]:
    """(what is wrong, the slope) for the activation whose output is ``a``; right one first."""
    right = f"{k} ⊙ (1 − {k})" if sigmoid else f"1 − {k}²"
    wrong = [
        (f"uses tanh′ = 1 − {k}² where σ′ = {right} belongs", 1 - a**2),
        (f"uses σ′ = {k}(1 − {k}) where tanh′ = {right} belongs", a * (1 - a)),
        (f"has 1 − {k} where {right} belongs", 1 - a),
        (f"has {k} alone where {right} belongs", a),
        (f"has (1 − {k})² where {right} belongs", (1 - a) ** 2),
        (f"misses the activation's slope {right}", torch.ones_like(a)),
        (f"takes the slope of {k} itself ({k} is already the activation's output): {right}",
         torch.sigmoid(a) * (1 - torch.sigmoid(a)) if sigmoid else 1 - tanh(a) ** 2),
        (f"applies the slope {right} twice", (a * (1 - a) if sigmoid else 1 - a**2) ** 2),
    ]  # fmt: skip
    del wrong[1 if sigmoid else 0]  # the right slope of the other activation is a slip here
    return [("", a * (1 - a) if sigmoid else 1 - a**2), *wrong]


def _match(candidates, test) -> str | None:
    """The first wrong combination of factors (each a list of (slip, value), right first)
    whose product passes ``test``."""
    for combo in itertools.product(*candidates):
        slips = [s for s, _ in combo if s]
        if slips and test(torch.stack([v for _, v in combo]).prod(0)):
            return names(slips)
    return None


def _layer_params(dz, x, h_prev, got: dict, k: str) -> bool:
    s = f"_{k}" if k else ""
    return close(dz.T @ x, got[f"dW{s}"]) and close(dz.sum(0), got[f"db{s}"])


def _params(dz, x, h_prev, got: dict, want: dict, k: str, c_prev=None) -> str | None:
    """A parameter gradient of a layer whose dz is right, computed wrongly."""
    s, B = (f"_{k}" if k else ""), len(x)
    state = [] if c_prev is None else [("multiplies c_prev where h_prev belongs", dz.T @ c_prev)]
    shape = "it has the weight's shape"
    versions = {
        "dW": [("multiplies h_prev where x belongs", dz.T @ h_prev),
               ("averages over the batch: sum, dz.T @ x", dz.T @ x / B),
               ("has the wrong sign", -(dz.T @ x)),
               (f"is transposed: {shape}, dz.T @ x", (dz.T @ x).T)],
        "dU": [("multiplies x where h_prev belongs", dz.T @ x), *state,
               ("averages over the batch: sum, dz.T @ h_prev", dz.T @ h_prev / B),
               ("has the wrong sign", -(dz.T @ h_prev)),
               (f"is transposed: {shape}, dz.T @ h_prev", (dz.T @ h_prev).T)],
        "db": [("averages over the batch: sum, dz.sum(0)", dz.mean(0)),
               ("has the wrong sign", -dz.sum(0))],
    }  # fmt: skip
    slips = []
    for p, options in versions.items():
        if f"{p}{s}" in got and not close(got[f"{p}{s}"], want[f"{p}{s}"]):
            slip = next((w for w, v in options if close(v, got[f"{p}{s}"], 1e-8, 1e-10)), None)
            if slip is None:
                return None
            slips.append(f"{p}{s} {slip}")
    return names(slips) if slips else None


def lstm(name: str, case, got: dict, want: dict) -> str | None:
    """The LSTM step: a gate's dz, the total dc, dc_prev, dx, dh_prev or a parameter gradient."""
    dh, dc_next, cache, cell = case.args
    x, h_prev, c_prev, f, i, g, o, c = cache
    gates = dict(f=f, i=i, g=g, o=o)
    t = tanh(c)
    dc = dc_next + dh * o * (1 - t**2)

    def dz_of(dc):  # the right dz of f, i, g from a total dc, and of o
        up = dict(f=dc * c_prev, i=dc * g, g=dc * i, o=dh * t)
        return up, {k: up[k] * _slopes(gates[k], k, k != "g")[0][1] for k in gates}

    up, dz = dz_of(dc)
    wrong = {k for k in got if not close(got[k], want[k])}
    wrong_layers = [k for k in gates if f"db_{k}" in wrong and f"dW_{k}" in wrong]
    ups = dict(
        f=[("df = dc ⊙ c_prev, not dc ⊙ c", dc * c), ("df = dc ⊙ c_prev, not dc ⊙ h_prev",
           dc * h_prev), ("df misses its factor c_prev", dc), ("df = dc ⊙ c_prev, not dc ⊙ f",
           dc * f)],
        i=[("di = dc ⊙ g, not dc ⊙ f", dc * f), ("di = dc ⊙ g, not dc ⊙ i", dc * i),
           ("di misses its factor g", dc)],
        g=[("dg = dc ⊙ i, not dc ⊙ g", dc * g), ("dg = dc ⊙ i, not dc ⊙ f", dc * f),
           ("dg misses its factor i", dc)],
        o=[("do misses its factor tanh(c)", dh), ("do = dh ⊙ tanh(c), not dh ⊙ c", dh * c),
           ("do = dh ⊙ tanh(c), without o", dh * o * t)],
    )  # fmt: skip
    for k in wrong_layers if len(wrong_layers) <= 2 else ():
        slopes = _slopes(gates[k], k, k != "g")
        slopes = [(f"dz_{k} {s}" if s else s, v) for s, v in slopes]
        found = _match(
            [[("", up[k]), *ups[k]], slopes], lambda v, k=k: _layer_params(v, x, h_prev, got, k)
        )
        if found:
            return f"{name}: {found}."
    if set(wrong_layers) >= set("fig") and "o" not in wrong_layers:
        path = [("", dh * o * (1 - t**2)), ("the path from h into c is missing", 0 * dh),
                ("o is missing from the path through h", dh * (1 - t**2)),
                ("tanh′ of c is missing from the path through h", dh * o),
                ("tanh′ uses c where tanh(c) belongs, 1 − tanh²(c)", dh * o * (1 - c**2)),
                ("tanh′ is 1 − tanh²(c), with the square", dh * o * (1 - t)),
                ("tanh′ is taken at c_prev, not at c", dh * o * (1 - tanh(c_prev) ** 2)),
                ("the path through h has σ′ where tanh′ belongs", dh * o * t * (1 - t)),
        ]  # fmt: skip
        for (slip, p), (up_slip, u) in itertools.product(
            path, [("", dc_next), ("the upstream dc (from the next step) is forgotten", 0 * dh)]
        ):
            wrong_dz = dz_of(u + p)[1]
            if (slip or up_slip) and all(
                _layer_params(wrong_dz[k], x, h_prev, got, k) for k in "fig"
            ):
                return (
                    f"{name}: in the total dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c)), "
                    + names([s for s in (up_slip, slip) if s])
                    + "."
                )
    if not wrong_layers:
        inputs = dict(
            dx=[(f"dx misses the term of layer {k}", sum(dz[j] @ getattr(cell, j).W
                 for j in gates if j != k)) for k in gates]
            + [("dx uses U where W belongs", sum(dz[k] @ getattr(cell, k).U for k in gates))],
            dh_prev=[(f"dh_prev misses the term of layer {k}", sum(
                     dz[j] @ getattr(cell, j).U for j in gates if j != k)) for k in gates]
            + [(f"dh_prev has only the term of layer {k}: h_prev feeds all four layers, so sum "
                "dz_k @ U_k over f, i, g and o", dz[k] @ getattr(cell, k).U) for k in gates]
            + [("dh_prev uses W where U belongs", sum(dz[k] @ getattr(cell, k).W for k in gates)),
               ("dh_prev adds dh: h_prev reaches the loss only through the four layers",
                dh + sum(dz[k] @ getattr(cell, k).U for k in gates))],
            dc_prev=[("dc_prev = dc ⊙ f, not dc ⊙ i", dc * i), ("dc_prev = dc ⊙ f, not dc ⊙ c_prev",
                      dc * c_prev), ("dc_prev = dc ⊙ f, not dc ⊙ o", dc * o),
                     ("dc_prev adds dh: c_prev reaches the loss only through c", dc * f + dh)],
        )  # fmt: skip
        slips = [
            next((s for s, v in options if close(v, got[w])), None)
            for w, options in inputs.items()
            if w in wrong
        ]
        if slips and None not in slips:
            return f"{name}: {names(slips)}."
    if not {"dx", "dh_prev", "dc_prev"} & wrong:  # every dz is right
        layers = [k for k in gates if any(w.endswith(f"_{k}") for w in wrong)]
        params = [_params(dz[k], x, h_prev, got, want, k, c_prev) for k in layers]
        if params and None not in params:
            each = {p.replace(f"_{k}", "_k") for p, k in zip(params, layers)}
            if len(params) == 4 and len(each) == 1:
                return f"{name}: in every layer, {each.pop()}."
            return f"{name}: {names(params)}."
    return None


def rnn(name: str, case, got: dict, want: dict) -> str | None:
    """The RNN step: its dz, dx, dh_prev or a parameter gradient."""
    dh, (x, h_prev, h), cell = case.args
    wrong = {k for k in got if not close(got[k], want[k])}
    slopes = _slopes(h, "h", sigmoid=False)
    slopes.append(("takes tanh′ at h_prev; it is 1 − h² at the output h", 1 - h_prev**2))
    if {"dW", "db"} <= wrong:
        found = _match([[("", dh)], [(f"dz {s}" if s else s, v) for s, v in slopes]],
                       lambda v: _layer_params(v, x, h_prev, got, ""))  # fmt: skip
        return found and f"{name}: {found}."
    dz = dh * (1 - h**2)
    options = dict(
        dx=[("dx skips the slope: dx = dz @ W with dz = dh ⊙ (1 − h²)", dh @ cell.W),
            ("dx uses U where W belongs", dz @ cell.U)],
        dh_prev=[("dh_prev skips the slope: dh_prev = dz @ U with dz = dh ⊙ (1 − h²)", dh @ cell.U),
                 ("dh_prev uses W where U belongs", dz @ cell.W),
                 ("dh_prev adds dh: h_prev reaches the loss only through the layer",
                  dh + dz @ cell.U)],
        db=[("db sums dh; the bias sits inside the tanh, so db = dz.sum(0)", dh.sum(0))],
    )  # fmt: skip
    slips = [next((s for s, v in options.get(w, ()) if close(v, got[w])), None) for w in wrong]
    if slips and None not in slips:
        return f"{name}: {names(slips)}."
    params = _params(dz, x, h_prev, got, want, "") if wrong <= {"dW", "dU", "db"} else None
    return params and f"{name}: {params}."
