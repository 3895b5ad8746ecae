"""lstm-tutorial: the LSTM built from a plain RNN, gate by gate, proved equal to torch.nn.

Shape letters used throughout: B batch, T time steps, D input features, H hidden units.
"""

from .cells import Gate, RNNCell, RNNStep, identity_init_
from .gru import GRUCell, GRUStep
from .layers import GRU, LSTM, RNN
from .lstm import FGRState, LSTMCell, LSTMState, LSTMStep
from .sequence import trace, unroll
from .torch_compat import from_torch, to_torch
from .utils import set_seed

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "FGRState",
    "GRUCell",
    "GRUStep",
    "Gate",
    "LSTMCell",
    "LSTMState",
    "LSTMStep",
    "RNNCell",
    "RNNStep",
    "from_torch",
    "identity_init_",
    "set_seed",
    "to_torch",
    "trace",
    "unroll",
]
__version__ = "0.1.0"
