"""One LSTM module drawn in the shared grammar, each element tagged with the step it belongs to.

The cell of Hochreiter & Schmidhuber (1997) with the forget gate of Gers et al. (2000), in the
package's notation (W acts on x_t, U on h_{t-1}; g is the candidate C̃):
    f = σ(W_f x + U_f h + b_f);  i = σ(W_i x + U_i h + b_i);  g = tanh(W_g x + U_g h + b_g)
    o = σ(W_o x + U_o h + b_o);  c = f ⊙ c_prev + i ⊙ g;     h = o ⊙ tanh(c)
Variants: peepholes (Gers & Schmidhuber 2000: i, f look at C_{t-1}, o at C_t) and coupled input
and forget gates (i = 1 − f, the CIFG of Greff et al. 2017).

Layout, in data units of one module: the module spans x 0…10; the cell state runs along the top
(y = 5.2); h_{t-1} and x_t merge at the bottom left (y = 1.2) and fork up into the four layers.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..plots import COLORS
from .grammar import (
    STATE,
    STATE_LW,
    Ink,
    junction,
    layer,
    layer_size,
    module,
    pointwise,
    radius,
    wire,
)
from .grammar import label as text

# x positions of the merge, the four layers, the tanh fork and the h fork; y of the three levels
XM, XF, XI, XG, XO, XT, XH = 0.9, 2.0, 3.6, 5.2, 7.0, 8.4, 9.5
YC, YH, YL, YIG, YT, YP = 5.2, 1.2, 2.6, 4.0, 3.9, 3.3
GATES = ("forget", "input", "output")  # steps that read h_{t-1} and x_t


def lstm_module(
    ax,
    x0: float = 0.0,
    ink: Ink | None = None,
    peepholes: Iterable[str] = (),
    coupled: bool = False,
    t: str = "t",
    left: bool = True,
    right: bool = True,
    gate_labels: bool = True,
    state_size: float = 13,
) -> None:
    """Draw one LSTM module with its left edge at x0, colours from ``ink`` (a highlight).

    ``t`` names the step ("t-1", "t", "t+1"); ``left``/``right`` label the incoming/outgoing
    states and ``gate_labels`` each gate's output (off inside a chain); ``state_size`` is the
    font size of the x, h and C labels.
    """
    peep = frozenset(peepholes)
    r, (box_w, box_h) = radius(ax), layer_size(ax)
    top, bottom = YL + box_h / 2, YL - box_h / 2  # edges of the layer boxes
    ink = ink or Ink()
    grow = state_size / 13  # labels' distance from the arrows they name grows with their size

    def P(*xy):  # local coordinates -> data coordinates
        return [(x0 + x, y) for x, y in xy]

    def w(parts, *xy, over=(), **kw):
        wire(ax, P(*xy), bright=ink(parts), over=P(*over), **kw)

    def dot(parts, x, y, **kw):
        junction(ax, x0 + x, y, bright=ink(parts), **kw)

    def lab(parts, x, y, s, gate=False, **kw):
        if gate and not gate_labels:
            return
        text(ax, x0 + x, y, s, bright=ink(parts), **kw)

    module(ax, x0, 0.4, x0 + 10, 6.0)
    # inputs: h_{t-1} from the left and x_t from below merge (concatenate), then fork into layers
    w(GATES, (-1, YH), (XM, YH), arrow=False)
    w(GATES, (XM, -0.6), (XM, YH), arrow=False)
    dot(GATES, XM, YH)
    forks = [(XF, "f", "σ", GATES), (XG, "g", "tanh", ("input", "output"))]
    if not coupled:
        forks.insert(1, (XI, "i", "σ", ("input", "output")))
    x_prev = XM
    for x, name, act, parts in forks:
        w(parts, (x_prev, YH), (x, YH), arrow=False)
        dot(parts, x, YH)
        step = {"f": "forget", "o": "output"}.get(name, "input")
        w([step], (x, YH), (x, bottom))
        layer(ax, x0 + x, YL, act, ink([step]))
        x_prev = x
    w(["output"], (x_prev, YH), (XO, YH), (XO, bottom))
    layer(ax, x0 + XO, YL, "σ", ink(["output"]))

    # the gates' outputs, each in its own colour
    w(["forget", "update"], (XF, top), (XF, YC - r), color=COLORS["f"])
    if coupled:
        dot(["input"], XF, YIG, color=COLORS["f"])
        w(["input"], (XF, YIG), (XI - r, YIG), color=COLORS["f"])
        pointwise(ax, x0 + XI, YIG, "1−", ink(["input"]))
        w(["input"], (XI + r, YIG), (XG - r, YIG), color=COLORS["i"])
        lab(["input"], XI, YIG + 0.52, r"$1-f_t$", color=COLORS["i"], gate=True)
    else:
        w(["input"], (XI, top), (XI, YIG), (XG - r, YIG), color=COLORS["i"])
        lab(["input"], XI + 0.12, 3.62, r"$i_t$", color=COLORS["i"], ha="left", gate=True)
    w(["input"], (XG, top), (XG, YIG - r), color=COLORS["g"])
    pointwise(ax, x0 + XG, YIG, "×", ink(["input", "update"]))
    w(["update"], (XG, YIG + r), (XG, YC - r))
    w(["output"], (XO + box_w / 2, YL), (XT - r, YL), color=COLORS["o"])
    lab(["forget", "update"], XF + 0.12, 3.62, r"$f_t$", color=COLORS["f"], ha="left", gate=True)
    lab(["input"], XG + 0.12, 3.5, r"$\tilde{C}_t$", color=COLORS["g"], ha="left", gate=True)
    lab(["output"], (XO + XT) / 2 + 0.05, YL + 0.36, r"$o_t$", color=COLORS["o"], gate=True)

    # the cell state: the thick line along the top, touched only by × and +
    state = {"color": STATE, "lw": STATE_LW}
    w(["forget", "update"], (-1, YC), (XF - r, YC), **state)
    pointwise(ax, x0 + XF, YC, "×", ink(["forget", "update"]))
    w(["update"], (XF + r, YC), (XG - r, YC), **state)
    pointwise(ax, x0 + XG, YC, "+", ink(["update"]))
    w(["update", "output"], (XG + r, YC), (XT, YC), arrow=False, **state)
    w(["update"], (XT, YC), (11, YC), **state)
    # h_t = o ⊙ tanh(C_t): a copy of C_t goes down through tanh and is multiplied by o
    dot(["output"], XT, YC, color=STATE, size=9)
    w(["output"], (XT, YC), (XT, YT + r), color=STATE)
    pointwise(ax, x0 + XT, YT, "tanh", ink(["output"]))
    w(["output"], (XT, YT - r), (XT, YL + r))
    pointwise(ax, x0 + XT, YL, "×", ink(["output"]))
    w(["output"], (XT + r, YL), (XH, YL), arrow=False)
    dot(["output"], XH, YL)
    w(["output"], (XH, YL), (XH, YH), (11, YH))
    w(["output"], (XH, YL), (XH, 7.0), over=[(XH, YC)])
    lab(["output"], XH, 7.0 + 0.38 * grow, rf"$h_{{{t}}}$", size=state_size)
    lab(GATES, XM, -0.25 - 0.7 * grow, rf"$x_{{{t}}}$", size=state_size)

    if peep & {"f", "i"}:  # i and f look at C_{t-1}: taken before the forget gate's ×
        parts = ["peephole"] + [s for s, g in (("forget", "f"), ("input", "i")) if g in peep]
        x_end = XI - 0.3 if "i" in peep else XF - 0.3
        dot(parts, 0.3, YC, color=STATE, size=9)
        hop = [(XF, YP)] if "i" in peep else []  # the route to i passes over f's output
        w(parts, (0.3, YC), (0.3, YP), (x_end, YP), (x_end, top), color=STATE, over=hop)
        if peep >= {"f", "i"}:
            dot(parts, XF - 0.3, YP, color=STATE)
            w(parts, (XF - 0.3, YP), (XF - 0.3, top), color=STATE)
    if "o" in peep:  # o looks at C_t: taken after the +
        dot(["peephole", "output"], XO + 0.3, YC, color=STATE, size=9)
        w(["peephole", "output"], (XO + 0.3, YC), (XO + 0.3, top), color=STATE)
    if left:
        prev = {"t-1": "t-2", "t": "t-1", "t+1": "t"}[t]
        lab(["forget", "update"], -1.15, YC, rf"$C_{{{prev}}}$", ha="right", size=state_size)
        lab(GATES, -1.15, YH, rf"$h_{{{prev}}}$", ha="right", size=state_size)
    if right:
        lab(["update"], 11.15, YC, rf"$C_{{{t}}}$", ha="left", size=state_size)
        lab(["output"], 11.15, YH, rf"$h_{{{t}}}$", ha="left", size=state_size)
