"""The earlier exercises, computed by the package, for the notebooks that build on them.

Notebook 04 needs the forget gate of 03, and 05 needs the pieces of 03 and 04. Redefining them in
a plain cell would hand out those answers when the notebooks are released together, so the later
notebook imports them from here instead: each runs the package's own ``Gate`` (the reference the
checks use) on the weights it is given, so the student's next step stands on right pieces.

    from lstm_tutorial.classroom.solved import candidate, cell_update, forget_gate, input_gate
"""

from __future__ import annotations

import torch

from .checks.layer import reference

_sigmoid_layer, _tanh_layer = reference("σ"), reference("tanh")


def rnn_step(x: torch.Tensor, h_prev: torch.Tensor, W, U, b) -> torch.Tensor:
    """Notebook 01's exercise: x (B, D), h_prev (B, H), W (H, D), U (H, H), b (H,) -> h (B, H)."""
    return _tanh_layer(x, h_prev, W, U, b)


def forget_gate(x: torch.Tensor, h_prev: torch.Tensor, W_f, U_f, b_f) -> torch.Tensor:
    """Notebook 03's exercise: f (B, H) from x (B, D), h_prev (B, H) and the gate's weights."""
    return _sigmoid_layer(x, h_prev, W_f, U_f, b_f)


def input_gate(x: torch.Tensor, h_prev: torch.Tensor, W_i, U_i, b_i) -> torch.Tensor:
    """Notebook 04's exercise: i (B, H) from x (B, D), h_prev (B, H) and the gate's weights."""
    return _sigmoid_layer(x, h_prev, W_i, U_i, b_i)


def candidate(x: torch.Tensor, h_prev: torch.Tensor, W_g, U_g, b_g) -> torch.Tensor:
    """Notebook 04's exercise: the candidate C̃ = g (B, H)."""
    return _tanh_layer(x, h_prev, W_g, U_g, b_g)


def output_gate(x: torch.Tensor, h_prev: torch.Tensor, W_o, U_o, b_o) -> torch.Tensor:
    """Notebook 05's exercise: o (B, H) from x (B, D), h_prev (B, H) and the gate's weights."""
    return _sigmoid_layer(x, h_prev, W_o, U_o, b_o)


def cell_update(c_prev: torch.Tensor, f, i, g) -> torch.Tensor:
    """Notebook 04's exercise: the new cell state c (B, H), the update line of ``LSTMCell.step``."""
    return f * c_prev + i * g  # (B, H)
