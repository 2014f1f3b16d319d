"""whiteboard: the numpy package behind the book "Whiteboard to LSTM".

Models (time-major, PyTorch-compatible weights):

    >>> from whiteboard import RNN, LSTM, GRU
    >>> model = LSTM(input_size=3, hidden_size=4, seed=0)
    >>> trace = model.forward(X)            # X: (T, B, D) or (T, D)
    >>> grads = model.backward(trace, dh)   # dh: (T, B, H)

Names are imported lazily so that ``import whiteboard`` stays cheap and never pulls
in matplotlib, ipywidgets or torch.
"""

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "RNN": "whiteboard.models.rnn",
    "LSTM": "whiteboard.models.lstm",
    "GRU": "whiteboard.models.gru",
    "check_gradients": "whiteboard.models.gradcheck",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'whiteboard' has no attribute {name!r}")


def __dir__():
    return __all__
