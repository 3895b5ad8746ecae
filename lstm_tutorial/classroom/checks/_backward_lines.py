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


def _sign(what: str, like: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """A factor of a line: right (+1) or a minus sign too many (−1)."""
    one = torch.ones_like(like)
    return [("", one), (f"{what} has the wrong sign (a minus too many)", -one)]


def _layer_params(dz, x, h_prev, got: dict, k: str) -> bool:
    s = f"_{k}" if k else ""
    return close(dz.T @ x, got[f"dW{s}"]) and close(dz.sum(0), got[f"db{s}"])


def _param_versions(dz, x, h_prev, k: str, others=()) -> dict:
    """A layer's parameter gradients computed wrongly from its right dz: field -> [(slip,
    value)]; ``others``: (name, value) a slip may read in h_prev's place (c_prev, the new h)."""
    s, B = (f"_{k}" if k else ""), len(x)
    state = [(f"multiplies {name} where h_prev belongs", dz.T @ value) for name, value in others]
    loops = [("misses the batch's last example", slice(None, -1)),
             ("misses the batch's first example", slice(1, None)),
             ("keeps only the last example (the loop overwrites instead of adding)",
              slice(-1, None))]  # fmt: skip
    shape = "it has the weight's shape"
    return {
        f"dW{s}": [("multiplies h_prev where x belongs", dz.T @ h_prev),
                   ("averages over the batch: sum, dz.T @ x", dz.T @ x / B),
                   ("has the wrong sign", -(dz.T @ x)),
                   (f"is transposed: {shape}, dz.T @ x", (dz.T @ x).T),
                   *((w, dz[r].T @ x[r]) for w, r in loops)],
        f"dU{s}": [("multiplies x where h_prev belongs", dz.T @ x), *state,
                   ("averages over the batch: sum, dz.T @ h_prev", dz.T @ h_prev / B),
                   ("has the wrong sign", -(dz.T @ h_prev)),
                   (f"is transposed: {shape}, dz.T @ h_prev", (dz.T @ h_prev).T),
                   *((w, dz[r].T @ h_prev[r]) for w, r in loops)],
        f"db{s}": [("averages over the batch: sum, dz.sum(0)", dz.mean(0)),
                   ("has the wrong sign", -dz.sum(0)),
                   *((w, dz[r].sum(0)) for w, r in loops)],
    }  # fmt: skip


def _right_params(dz, x, h_prev, k: str) -> dict:
    """A layer's parameter gradients from ``dz`` (right or not), by field name."""
    s = f"_{k}" if k else ""
    return {f"dW{s}": dz.T @ x, f"dU{s}": dz.T @ h_prev, f"db{s}": dz.sum(0)}


def _fields(name: str, versions: dict, got: dict, wrong: set) -> str | None:
    """Every wrong field named by one of its versions (``versions``: field -> [(slip, value)]);
    a slip that every wrong field (or every layer) shares is said once."""
    found = {}
    for field in sorted(wrong, key=list(got).index):
        found[field] = next((w for w, v in versions.get(field, ()) if _same(v, got[field])), None)
        if found[field] is None:
            return None
    if not found:
        return None
    if len(found) > 1 and len(set(found.values())) == 1:
        return f"{name}: each of {names(list(found))} {found.popitem()[1]}."
    slips = [slip if slip.startswith(field) else f"{field} {slip}" for field, slip in found.items()]
    layers = [[s.replace(f"_{k}", "_k") for s in slips if f"_{k}" in s] for k in "figo"]
    if len(slips) == sum(map(len, layers)) and all(ls == layers[0] for ls in layers):
        return f"{name}: in every layer, {names(layers[0])}."
    return f"{name}: {names(slips)}."


def _same(a, b) -> bool:
    return a.shape == b.shape and close(a, b, 1e-8, 1e-10)


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
    if not {"dx", "dh_prev"} & wrong:  # dx = Σ dz_k @ W_k is right, so every dz is right
        wrong_layers = []
    ups = dict(
        f=[("df = dc ⊙ c_prev, not dc ⊙ c", dc * c), ("df = dc ⊙ c_prev, not dc ⊙ h_prev",
           dc * h_prev), ("df misses its factor c_prev", dc), ("df = dc ⊙ c_prev, not dc ⊙ f",
           dc * f)],
        i=[("di = dc ⊙ g, not dc ⊙ f", dc * f), ("di = dc ⊙ g, not dc ⊙ i", dc * i),
           ("di misses its factor g", dc)],
        g=[("dg = dc ⊙ i, not dc ⊙ g", dc * g), ("dg = dc ⊙ i, not dc ⊙ f", dc * f),
           ("dg misses its factor i", dc)],
        o=[("do misses its factor tanh(c)", dh), ("do = dh ⊙ tanh(c), not dh ⊙ c", dh * c),
           ("do = dh ⊙ tanh(c), without o", dh * o * t),
           ("do = dh ⊙ tanh(c), not dh ⊙ tanh(c_prev)", dh * tanh(c_prev))],
    )  # fmt: skip
    layer_slips = {}
    for k in wrong_layers:
        slopes = _slopes(gates[k], k, k != "g")
        slopes = [(f"dz_{k} {s}" if s else s, v) for s, v in slopes] + [
            (f"dz_{k} uses the slope of gate {j} where its own belongs", v)
            for j, (_, v) in ((j, _slopes(gates[j], j, j != "g")[0]) for j in gates if j != k)
        ]
        found = _match(
            [[("", up[k]), *ups[k]], slopes, _sign(f"dz_{k}", up[k])],
            lambda v, k=k: _layer_params(v, x, h_prev, got, k),
        )
        if found and len(wrong_layers) <= 2:
            return f"{name}: {found}."
        layer_slips[k] = found
    if layer_slips and all(layer_slips.values()):  # three or four layers, each slip named
        shared = {s.replace(f"_{k}", "_k") for k, s in layer_slips.items()}
        if len(shared) == 1:
            return f"{name}: in each of the gates {names(list(layer_slips))}, {shared.pop()}."
        return f"{name}: {names(list(layer_slips.values()))}."
    o_slip = layer_slips.get("o") if "o" in wrong_layers else ""  # a slip in do as well
    if set(wrong_layers) >= set("fig") and o_slip is not None:
        path = [("", dh * o * (1 - t**2)), ("the path from h into c is missing", 0 * dh),
                ("o is missing from the path through h", dh * (1 - t**2)),
                ("tanh′ of c is missing from the path through h", dh * o),
                ("tanh′ uses c where tanh(c) belongs, 1 − tanh²(c)", dh * o * (1 - c**2)),
                ("tanh′ is 1 − tanh²(c), with the square", dh * o * (1 - t)),
                ("tanh′ is taken at c_prev, not at c", dh * o * (1 - tanh(c_prev) ** 2)),
                ("the path through h has σ′ where tanh′ belongs", dh * o * t * (1 - t)),
                ("tanh′ is taken at h = o ⊙ tanh(c); it is 1 − tanh²(c)",
                 dh * o * (1 - (o * t) ** 2)),
                ("the path through h has the wrong sign", -dh * o * (1 - t**2)),
        ]  # fmt: skip
        nexts = [("", dc_next), ("the upstream dc (from the next step) is forgotten", 0 * dh),
                 ("the upstream dc is multiplied by f; it adds as it is", dc_next * f),
                 ("the upstream dc is multiplied by o; it adds as it is", dc_next * o),
                 ("the upstream dc is multiplied by tanh′(c); it adds as it is",
                  dc_next * (1 - t**2)),
                 ("the upstream dc has the wrong sign", -dc_next)]  # fmt: skip
        for (slip, p), (up_slip, u) in itertools.product(path, nexts):
            wrong_dz = dz_of(u + p)[1]
            if (slip or up_slip) and all(
                _layer_params(wrong_dz[k], x, h_prev, got, k) for k in "fig"
            ):
                also = f"; and {o_slip}" if o_slip else ""
                return (
                    f"{name}: in the total dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c)), "
                    + names([s for s in (up_slip, slip) if s])
                    + also
                    + "."
                )
    if wrong_layers and {"dx", "dh_prev", "dc_prev"} & wrong:  # a dz is wrong, not found
        return None
    U = {k: getattr(cell, k).U for k in gates}
    versions = dict(
        dx=[(f"dx misses the term of layer {k}", sum(dz[j] @ getattr(cell, j).W
             for j in gates if j != k)) for k in gates]
        + [(f"dx has only the term of layer {k}: x feeds all four layers, so sum dz_k @ W_k over "
            "f, i, g and o (add each term, +=, in a loop)", dz[k] @ getattr(cell, k).W)
           for k in gates]
        + [("dx uses U where W belongs", sum(dz[k] @ U[k] for k in gates))],
        dh_prev=[(f"dh_prev misses the term of layer {k}", sum(
                 dz[j] @ U[j] for j in gates if j != k)) for k in gates]
        + [(f"dh_prev has only the term of layer {k}: h_prev feeds all four layers, so sum "
            "dz_k @ U_k over f, i, g and o (add each term, +=, in a loop)", dz[k] @ U[k])
           for k in gates]
        + [("dh_prev has an extra slope (1 − h_prev²): that belongs to the previous step's own "
            "backward", sum(dz[k] @ U[k] for k in gates) * (1 - h_prev**2))]
        + [("dh_prev uses W where U belongs", sum(dz[k] @ getattr(cell, k).W for k in gates)),
           ("dh_prev uses U.T: h_prev @ U.T goes back as dz @ U", sum(dz[k] @ U[k].T
            for k in gates)),
           ("dh_prev adds dh: h_prev reaches the loss only through the four layers",
            dh + sum(dz[k] @ U[k] for k in gates))],
        dc_prev=[("dc_prev = dc ⊙ f, not dc ⊙ i", dc * i), ("dc_prev = dc ⊙ f, not dc ⊙ c_prev",
                  dc * c_prev), ("dc_prev = dc ⊙ f, not dc ⊙ o", dc * o),
                 ("dc_prev = dc ⊙ f, not dc ⊙ (1 − f)", dc * (1 - f)),
                 ("dc_prev = dc ⊙ f, without σ′: the additive path has no slope",
                  dc * f * (1 - f)),
                 ("dc_prev adds dh: c_prev reaches the loss only through c", dc * f + dh)],
    )  # fmt: skip
    for k in gates:
        versions |= _param_versions(
            dz[k], x, h_prev, k, [("c_prev", c_prev), ("the new h = o ⊙ tanh(c)", o * t)]
        )
        for j in gates if len(x) > 1 else ():  # a layer's gradients from another layer's dz
            for field, value in _right_params(dz[j], x, h_prev, k).items():
                if j != k:
                    versions[field].append((f"uses dz_{j} where dz_{k} belongs", value))
        before = dict(f="df", i="di", g="dg", o="do")[k]
        for field, value in _right_params(up[k], x, h_prev, k).items():
            versions[field].append(
                (f"uses {before}, before the slope, where dz_{k} belongs", value)
            )
    return _fields(name, versions, got, wrong)


def rnn(name: str, case, got: dict, want: dict) -> str | None:
    """The RNN step: its dz, dx, dh_prev or a parameter gradient."""
    dh, (x, h_prev, h), cell = case.args
    wrong = {k for k in got if not close(got[k], want[k])}
    slopes = _slopes(h, "h", sigmoid=False)
    slopes.append(("takes tanh′ at h_prev; it is 1 − h² at the output h", 1 - h_prev**2))
    if {"dW", "db"} <= wrong and {"dx", "dh_prev"} & wrong:  # dz itself is wrong
        slopes = [(f"dz {s}" if s else s, v) for s, v in slopes]
        found = _match([[("", dh)], slopes, _sign("dz", dh)],
                       lambda v: _layer_params(v, x, h_prev, got, ""))  # fmt: skip
        if found:
            return f"{name}: {found}."
    dz = dh * (1 - h**2)
    versions = dict(
        dx=[("dx skips the slope: dx = dz @ W with dz = dh ⊙ (1 − h²)", dh @ cell.W),
            ("dx uses U where W belongs", dz @ cell.U),
            ("dx sums over the batch: one row per example, dz @ W", (dz @ cell.W).sum(0))],
        dh_prev=[("dh_prev skips the slope: dh_prev = dz @ U with dz = dh ⊙ (1 − h²)", dh @ cell.U),
                 ("dh_prev uses W where U belongs", dz @ cell.W),
                 ("dh_prev uses U.T: h_prev @ U.T goes back as dz @ U", dz @ cell.U.T),
                 ("dh_prev adds dh: h_prev reaches the loss only through the layer",
                  dh + dz @ cell.U),
                 ("dh_prev has an extra slope (1 − h_prev²): that belongs to the previous step's "
                  "own backward", (dz @ cell.U) * (1 - h_prev**2))],
    )  # fmt: skip
    versions |= _param_versions(dz, x, h_prev, "", [("h, the output,", h)])
    for field, value in _right_params(dh, x, h_prev, "").items():
        versions[field].append(
            ("uses dh, before the slope, where dz = dh ⊙ (1 − h²) belongs", value)
        )
    versions["db"].append(("db sums dh; the bias sits inside the tanh, so db = dz.sum(0)",
                           dh.sum(0)))  # fmt: skip
    return _fields(name, versions, got, wrong)
