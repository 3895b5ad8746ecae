"""Checks for the classroom exercises: one ``check_<name>`` per exercise, and ``check_close``.

A check runs the student's function on several random inputs of different shapes, compares it
with the package's reference, prints "✓ ..." when it agrees, and otherwise raises ``CheckFailed``
(an AssertionError, so nbgrader gives the test cell zero points) with one sentence that names the
likely mistake. Importing this package inside IPython/Jupyter shows that sentence instead of a
traceback.
"""

from ._core import CheckFailed, check_close, install_ipython_handler
from .lstm import (
    check_candidate,
    check_cell_update,
    check_forget_gate,
    check_input_gate,
    check_output_gate,
)
from .rnn import check_rnn_step
from .step import check_lstm_step

install_ipython_handler()

__all__ = [
    "CheckFailed",
    "check_candidate",
    "check_cell_update",
    "check_close",
    "check_forget_gate",
    "check_input_gate",
    "check_lstm_step",
    "check_output_gate",
    "check_rnn_step",
]
