"""The sequence models: a whole sequence at once, forward and backward, PyTorch-compatible.

``RNN``, ``LSTM`` and ``GRU`` (one module each) share :mod:`whiteboard.models.base`: the
``Trace`` a forward pass returns, the weight layout and ``state_dict`` checks, and the
``from_torch`` import.  :mod:`whiteboard.models.gradcheck` compares their backward with
finite differences.
"""

from whiteboard.models.gru import GRU
from whiteboard.models.lstm import LSTM
from whiteboard.models.rnn import RNN

__all__ = ["GRU", "LSTM", "RNN"]
