"""Checks for the classroom exercises: one ``check_<name>`` per exercise, and ``check_close``.

A check runs the student's function on several random inputs of different shapes, compares it
with the package's reference, prints "✓ ..." when it agrees, and otherwise raises ``CheckFailed``
(an AssertionError, so nbgrader gives the test cell zero points) with one sentence that names the
likely mistake. Importing this package inside IPython/Jupyter shows that sentence instead of a
traceback. The checks draw their random inputs from their own generator, so calling one does not
change the numbers a notebook prints afterwards.
"""

from ._ipython import install_ipython_handler
from .attention import check_attention_context
from .backward import check_lstm_step_backward, check_rnn_step_backward
from .cell_update import check_cell_update
from .cifg_step import check_cifg_step
from .failure import CheckFailed, check_close
from .gru_step import check_gru_step
from .layer import (
    check_candidate,
    check_forget_gate,
    check_input_gate,
    check_output_gate,
    check_rnn_step,
)
from .lstm_step import check_lstm_step
from .slstm_step import check_slstm_step
from .temperature import check_temperature_softmax

install_ipython_handler()

__all__ = [
    "CheckFailed",
    "check_attention_context",
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
    "check_slstm_step",
    "check_temperature_softmax",
]
