"""``python -m lstm_tutorial.diagrams [OUTDIR]`` redraws every figure (``make figures``)."""

from .render import main

main()
