"""The modern LSTM: xLSTM's sLSTM and mLSTM (Beck et al. 2024), minGRU and minLSTM (Feng et al.
2024) with a parallel scan.

Modules: ``slstm`` (SLSTMCell), ``mlstm_forms`` (the matrix memory, recurrent and parallel),
``mlstm`` (MLSTMCell), ``scan`` (linear recurrence: loop and log-space scan), ``minrnn``
(MinGRU, MinLSTM), ``mlstm_layer`` (MLSTMLayer: the official layer around the cell), ``layer``
(ModernLayer: any of them behind ``nn.LSTM``'s batch-first call).
``lstm_tutorial.torch_compat.from_xlstm`` converts the official modules.
"""

from .layer import KINDS as MODERN_KINDS
from .layer import ModernLayer
from .minrnn import MinGRU, MinLSTM, MinStep
from .mlstm import MLSTMCell, MLSTMStep
from .mlstm_forms import MLSTMState
from .mlstm_layer import MLSTMLayer
from .slstm import SLSTMCell, SLSTMState, SLSTMStep, stabilised_step

__all__ = [
    "MODERN_KINDS",
    "MLSTMCell",
    "MLSTMLayer",
    "MLSTMState",
    "MLSTMStep",
    "MinGRU",
    "MinLSTM",
    "MinStep",
    "ModernLayer",
    "SLSTMCell",
    "SLSTMState",
    "SLSTMStep",
    "stabilised_step",
]
