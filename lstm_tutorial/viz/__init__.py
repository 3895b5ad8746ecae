"""The pictures: one palette for every plot and diagram of the series.

plots     the series' style, its colours, compact PNGs, and the plots notebooks share
weights   a stacked weight (kH, D) drawn with each gate's block outlined
diagrams  every figure in figures/ (``make figures``), in one visual grammar
"""

from .plots import COLORS, CYCLE, style

__all__ = ["COLORS", "CYCLE", "style"]
