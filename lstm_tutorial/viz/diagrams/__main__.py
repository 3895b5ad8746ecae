"""``python -m lstm_tutorial.viz.diagrams [OUTDIR]`` redraws every figure (``make figures``)."""

from .render import main

main()
