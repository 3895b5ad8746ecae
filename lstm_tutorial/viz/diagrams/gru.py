"""The GRU cell of Cho et al. (2014) in the shared grammar: a reset gate r, an update gate z and
one merged state h that plays the role of both the LSTM's cell state and its output.

    r = σ(W_r x + U_r h_prev + b_r);  z = σ(W_z x + U_z h_prev + b_z)
    n = tanh(W_n x + U_n (r ⊙ h_prev) + b_n);  h = (1 − z) ⊙ n + z ⊙ h_prev

The drawing shows Cho et al.'s form, where r ⊙ h_prev enters the tanh layer; torch.nn.GRU
applies r after the matrix product, r ⊙ (U_n h_prev + b_hn), which no box-and-circle picture
can separate from the layer. The figure says so in its note.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..plots import COLORS
from .grammar import (
    LAYER_H,
    LAYER_W,
    RADIUS,
    junction,
    label,
    layer,
    module,
    pointwise,
    state_line,
    wire,
)
from .page import canvas, isolated

R, Z, N = COLORS["f"], COLORS["i"], COLORS["g"]  # reset ~ forget, update ~ input, n ~ candidate
H = COLORS["h"]
XX, XR, XZ, XN, XZM, XOM, XP, XH = 1.0, 2.2, 3.8, 6.4, 7.4, 8.3, 9.4, 10.4
YS, YB, YL, YRH, YZ, YX = 5.2, 1.2, 2.6, 3.8, 3.2, 0.75
TOP, BOTTOM = YL + LAYER_H / 2, YL - LAYER_H / 2
EQUATIONS = [
    r"$r_t = \sigma(W_r x_t + U_r h_{t-1} + b_r)$",
    r"$z_t = \sigma(W_z x_t + U_z h_{t-1} + b_z)$",
    r"$n_t = \tanh(W_n x_t + U_n (r_t \odot h_{t-1}) + b_n)$",
    r"$h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$",
]
NOTE = [
    "Drawn in the form of Cho et al. (2014);",
    "torch.nn.GRU applies the reset gate after the product:",
]
TORCH_N = r"$n_t = \tanh(W_n x_t + b_n + r_t \odot (U_n h_{t-1} + b_{hn}))$"
SIZE = 15  # labels and equations: the figure is wide, so a notebook shows it shrunk


@isolated
def draw_gru_cell() -> Figure:
    """The GRU cell: reset and update gates, the candidate n, and the merged state line on top."""
    fig = canvas((-2.3, 23.6), (-1.5, 8.5))
    ax = fig.axes[0]
    module(ax, 0, 0.4, 10.9, 6.0)
    # the state line: h_{t-1} is copied down twice, scaled by z, then receives (1 − z) ⊙ n
    state_line(ax, YS, XZM, XP, 11.8, H)
    junction(ax, XH, YS, color=H, size=9)
    wire(ax, [(XH, YS), (XH, 7.0)])
    # h_{t-1} and x_t merge at the bottom and feed both gates
    for x in (0.4, XR):
        junction(ax, x, YS, color=H, size=9)
    wire(ax, [(0.4, YS), (0.4, YB), (XX, YB)], arrow=False)
    wire(ax, [(XX, -0.6), (XX, YB)], arrow=False)
    junction(ax, XX, YB)
    wire(ax, [(XX, YB), (XR, YB), (XR, BOTTOM)])
    junction(ax, XR, YB)
    wire(ax, [(XR, YB), (XZ, YB), (XZ, BOTTOM)])
    layer(ax, XR, YL, "σ")
    layer(ax, XZ, YL, "σ")
    # reset: r ⊙ h_{t-1}, concatenated with x_t, feeds the candidate layer n
    wire(ax, [(XR, TOP), (XR, YRH - RADIUS)], color=R)
    wire(ax, [(XR, YS), (XR, YRH + RADIUS)], color=H)
    pointwise(ax, XR, YRH, "×")
    wire(ax, [(XR + RADIUS, YRH), (5.4, YRH), (5.4, 1.5), (XN, 1.5)], arrow=False)
    junction(ax, XX, YX)
    wire(ax, [(XX, YX), (XN, YX), (XN, 1.5)], arrow=False)
    junction(ax, XN, 1.5)
    wire(ax, [(XN, 1.5), (XN, BOTTOM)])
    layer(ax, XN, YL, "tanh")
    # update: z keeps old state, 1 − z lets the candidate in
    wire(ax, [(XZ, TOP), (XZ, YZ), (XZM, YZ)], color=Z, arrow=False, over=[(5.4, YZ)])
    junction(ax, XZM, YZ, color=Z)
    wire(ax, [(XZM, YZ), (XZM, YS - RADIUS)], color=Z)
    wire(ax, [(XZM, YZ), (XOM - RADIUS, YZ)], color=Z)
    pointwise(ax, XOM, YZ, "1−")
    wire(ax, [(XOM + RADIUS, YZ), (XP - RADIUS, YZ)], color=Z)
    wire(ax, [(XN + LAYER_W / 2, YL), (XP, YL), (XP, YZ - RADIUS)], color=N)
    pointwise(ax, XP, YZ, "×")
    wire(ax, [(XP, YZ + RADIUS), (XP, YS - RADIUS)])
    # labels
    label(ax, XR - 0.12, 3.22, r"$r_t$", color=R, ha="right", size=SIZE)
    label(ax, 4.6, 2.9, r"$z_t$", color=Z, size=SIZE)
    label(ax, XOM, YZ + 0.6, r"$1-z_t$", color=Z, size=SIZE)
    label(ax, 7.9, 2.2, r"$n_t$", color=N, size=SIZE)
    label(ax, 3.9, 4.2, r"$r_t \odot h_{t-1}$", size=SIZE)
    label(ax, -1.15, YS, r"$h_{t-1}$", ha="right", size=SIZE)
    label(ax, 11.95, YS, r"$h_t$", ha="left", size=SIZE)
    label(ax, XH, 7.42, r"$h_t$", size=SIZE)
    label(ax, XX, -1.0, r"$x_t$", size=SIZE)
    label(ax, -2.1, 8.05, "The GRU: a reset gate, an update gate, one merged state", ha="left",
          size=16, weight="bold")  # fmt: skip
    for k, eq in enumerate(EQUATIONS):
        label(ax, 13.3, 5.6 - 1.0 * k, eq, ha="left", size=SIZE)
    for k, line in enumerate(NOTE):
        label(ax, 13.3, 1.45 - 0.62 * k, line, ha="left", size=12.5, color="#444444")
    label(ax, 13.3, -0.05, TORCH_N, ha="left", size=SIZE, color="#444444")
    return fig
