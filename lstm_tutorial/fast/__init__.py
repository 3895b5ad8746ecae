"""The fast path of the layers in ``layers.py``: the same functions, tested equal to the cells.

- ``kernel``: the plain LSTM, torch's GRU and the RNN through torch's own compiled kernel,
  with our parameters (``torch.func.functional_call``).
- ``lstm_loop``: every LSTM variant, its gates fused into one matrix product a step.
- ``peephole``: the peephole LSTM with a hand-written backward and TorchScript loops.
- ``gru_loop``: the Cho et al. (2014) GRU, fused likewise.
- ``stack``: layers, directions and dropout for the loops; ``packed``: PackedSequence in and out.

The readable cells (``LSTMCell.step``, ``sequence.unroll``/``trace``) stay the reference: a layer
built with ``fast=False`` runs them, and ``tests/test_fast.py`` proves both paths equal.
"""

from .gru_loop import gru_sequence
from .kernel import kernel_supports, torch_kernel
from .lstm_loop import FusedLSTM, fuse, lstm_sequence
from .packed import repack, unpack
from .peephole import PeepholeLSTM, peephole_sequence
from .stack import fast_sequence, readable_sequence, run_stack

__all__ = [
    "FusedLSTM",
    "PeepholeLSTM",
    "fast_sequence",
    "fuse",
    "gru_sequence",
    "kernel_supports",
    "lstm_sequence",
    "peephole_sequence",
    "readable_sequence",
    "repack",
    "run_stack",
    "torch_kernel",
    "unpack",
]
