"""Checks for the classroom exercises: one ``check_<name>`` per exercise, and ``check_close``.

A check runs the student's function on several random inputs of different shapes, compares it
with the package's reference, prints "✓ ..." when it agrees, and otherwise raises ``CheckFailed``
(an AssertionError, so nbgrader gives the test cell zero points) with one sentence that names the
likely mistake. Importing this package inside IPython/Jupyter shows that sentence instead of a
traceback. The checks draw their random inputs from their own generator, so calling one does not
change the numbers a notebook prints afterwards.
"""

from ._core import CheckFailed, check_close
from ._ipython import install_ipython_handler
from .backward import check_lstm_step_backward, check_rnn_step_backward
from .gru import check_gru_step
from .lstm import (
    check_candidate,
    check_cell_update,
    check_forget_gate,
    check_input_gate,
    check_output_gate,
)
from .rnn import check_rnn_step
from .step import check_lstm_step
from .variants import check_cifg_step

install_ipython_handler()

__all__ = [
    "CheckFailed",
    "check_candidate",
    "check_cell_update",
    "check_cifg_step",
    "check_close",
    "check_forget_gate",
    "check_gru_step",
    "check_input_gate",
    "check_lstm_step",
    "check_lstm_step_backward",
    "check_output_gate",
    "check_rnn_step",
    "check_rnn_step_backward",
]
