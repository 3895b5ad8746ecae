"""The modern LSTM: xLSTM's sLSTM and mLSTM (Beck et al. 2024), minGRU and minLSTM (Feng et al.
2024) with a parallel scan.

Modules: ``slstm`` (SLSTMCell), ``mlstm_forms`` (the matrix memory, recurrent and parallel),
``mlstm`` (MLSTMCell), ``scan`` (linear recurrence: loop and log-space scan), ``minrnn``
(MinGRU, MinLSTM). ``lstm_tutorial.torch_compat.from_xlstm`` converts the official modules.
"""

from .minrnn import MinGRU, MinLSTM, MinStep
from .mlstm import MLSTMCell, MLSTMStep
from .mlstm_forms import MLSTMState
from .slstm import SLSTMCell, SLSTMState, SLSTMStep

__all__ = [
    "MLSTMCell",
    "MLSTMState",
    "MLSTMStep",
    "MinGRU",
    "MinLSTM",
    "MinStep",
    "SLSTMCell",
    "SLSTMState",
    "SLSTMStep",
]
