"""Every figure of the series, drawn by code in one visual grammar (see ``grammar.py``).

``make figures`` runs ``python -m lstm_tutorial.viz.diagrams figures``. In a notebook::

    from lstm_tutorial.viz.diagrams import draw_lstm_cell
    draw_lstm_cell(highlight="forget")           # a matplotlib Figure; display it or savefig it
    draw_lstm_cell(peepholes={"f"}, coupled=True)

Modules, one idea each:
    page         the canvas (data units, no frame) and fixed rcParams
    grammar      the shapes and their colours: layer, pointwise op, wire, junction, label
    lstm_cell    one LSTM module, each element tagged with the step it belongs to
    lstm_figure  the cell as a figure: any step highlighted, equations beside it
    chains       the RNN and the LSTM unrolled over three steps; the cell state alone
    primer       the notation legend; a gate alone
    gru          the GRU cell
    render       deterministic PNGs for figures/ and the contact sheet
"""

from .chains import draw_cell_state, draw_lstm_chain, draw_rnn_chain
from .gru import draw_gru_cell
from .lstm_figure import HIGHLIGHTS, draw_lstm_cell
from .primer import draw_gate, draw_notation
from .render import FIGURES, draw_overview, render_all, save

__all__ = [
    "FIGURES",
    "HIGHLIGHTS",
    "draw_cell_state",
    "draw_gate",
    "draw_gru_cell",
    "draw_lstm_cell",
    "draw_lstm_chain",
    "draw_notation",
    "draw_overview",
    "draw_rnn_chain",
    "render_all",
    "save",
]
