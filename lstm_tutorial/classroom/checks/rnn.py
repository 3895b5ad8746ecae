"""Check for notebook 01: one step of the plain RNN (Elman 1990), h = tanh(W x + U h_prev + b)."""

from __future__ import annotations

from ._layer import layer, layer_cases, layer_mistakes
from ._run import Exercise, run

RNN_STEP = Exercise(
    name="rnn_step",
    equation="h = tanh(W x + U h_prev + b)",
    outputs=("h",),
    arg_names=("x", "h_prev", "W", "U", "b"),
    reference=layer("tanh"),
    cases=layer_cases,
    mistakes=layer_mistakes("h", "tanh", suffix=""),
)


def check_rnn_step(rnn_step: object, seed: int = 0) -> None:
    """Check ``rnn_step(x, h_prev, W, U, b) -> h`` (B, H) against the reference on random inputs."""
    run(RNN_STEP, rnn_step, seed)
