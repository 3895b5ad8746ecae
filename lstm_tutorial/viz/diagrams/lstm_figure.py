"""The LSTM cell as a figure: one step highlighted, the rest greyed, the equations beside it.

The equations follow the package's notation (W acts on x_t, U on h_{t-1}, g names C̃): the cell
of Hochreiter & Schmidhuber (1997) with the forget gate of Gers et al. (2000); peepholes after
Gers & Schmidhuber (2000); coupled gates (i = 1 − f) as the CIFG of Greff et al. (2017).
"""

from __future__ import annotations

from collections.abc import Iterable

from matplotlib.figure import Figure

from .grammar import Ink
from .grammar import label as text
from .lstm_cell import lstm_module
from .page import canvas, isolated

HIGHLIGHTS = (None, "forget", "input", "update", "output")
PEEPHOLES = frozenset("ifo")


def cell_equations(peepholes: Iterable[str] = (), coupled: bool = False) -> list[tuple[str, str]]:
    """The six equations of the cell as (step, mathtext) pairs, matching the drawing's variant."""
    peep = frozenset(peepholes)

    def gate(n: str, act: str = r"\sigma", sym: str = "", look: str = "") -> str:
        p = rf" + p_{n} \odot {look}" if n in peep else ""
        return rf"${sym or n + '_t'} = {act}(W_{n} x_t + U_{n} h_{{t-1}}{p} + b_{n})$"

    i_eq = r"$i_t = 1 - f_t$" if coupled else gate("i", look="C_{t-1}")
    i_c = r"(1 - f_t)" if coupled else "i_t"
    return [
        ("forget", gate("f", look="C_{t-1}")),
        ("input", i_eq),
        ("input", gate("g", r"\tanh", r"\tilde{C}_t")),
        ("update", rf"$C_t = f_t \odot C_{{t-1}} + {i_c} \odot \tilde{{C}}_t$"),
        ("output", gate("o", look="C_t")),
        ("output", r"$h_t = o_t \odot \tanh(C_t)$"),
    ]


TITLES = {
    None: "The LSTM cell",
    "forget": r"Step 1, the forget gate: how much of $C_{t-1}$ to keep",
    "input": r"Step 2, input gate and candidate: what to write into the cell state",
    "update": r"Step 3, the update: forget old content, add new content",
    "output": r"Step 4, the output gate: which part of the cell state to show as $h_t$",
    "peepholes": "Peephole connections: the gates also look at the cell state",
    "coupled": r"Coupled forget and input gates: $i_t = 1 - f_t$",
}


@isolated
def draw_lstm_cell(
    highlight: str | None = None,
    peepholes: bool | Iterable[str] = False,
    coupled: bool = False,
    equations_beside: bool = True,
) -> Figure:
    """The LSTM cell with one step highlighted (the rest greyed) and its equations beside it.

    highlight: None, "forget", "input", "update" or "output".
    peepholes: False, True (all three gates) or a subset of {"i", "f", "o"}.
    coupled:   draw i = 1 − f (no input-gate layer).
    Returns a matplotlib Figure (save it with ``fig.savefig(...)`` or display it in a notebook).
    """
    if highlight not in HIGHLIGHTS:
        raise ValueError(f"highlight must be one of {HIGHLIGHTS}, got {highlight!r}")
    if isinstance(peepholes, bool):
        peep = PEEPHOLES if peepholes else frozenset()
    elif isinstance(peepholes, str) or not set(peepholes) <= PEEPHOLES:
        expected = "a bool or a subset of {'i', 'f', 'o'}"
        raise ValueError(f"peepholes must be {expected}, got {peepholes!r}")
    else:
        peep = frozenset(peepholes)
    if coupled and "i" in peep:
        raise ValueError("coupled=True has no input gate, so peepholes cannot include 'i'")
    right = 11.9 + ((8.2 if peep else 7.0) if equations_beside else 0)
    fig = canvas((-2.3, right), (-1.5, 8.5))
    ax = fig.axes[0]
    ink = Ink(highlight)
    lstm_module(ax, 0.0, ink, peepholes=peep, coupled=coupled)
    title = TITLES["peepholes" if peep else "coupled" if coupled else highlight]
    text(ax, -2.1, 8.05, title, ha="left", size=14, weight="bold")
    if equations_beside:
        for k, (step, eq) in enumerate(cell_equations(peep, coupled)):
            text(ax, 12.6, 5.6 - 1.0 * k, eq, bright=ink([step]), ha="left", size=14)
    return fig
