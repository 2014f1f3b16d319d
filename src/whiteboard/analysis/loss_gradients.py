"""How much of the loss's gradient reaches the state at each word: the trainer's heatmap rows.

For a batch of B stories of T words and the mean cross-entropy L of the answers at the last
word, backpropagation through time gives the gradient on every state. At word t,

    g_h(t) = ‖∂L/∂h_t‖        (over the whole batch: the norm of a (B, H) array)

is what one row of the gradient heatmap of the page "Train it yourself" draws, divided by the
row's largest value (``viz/js/network.js``'s ``ws.gradNorm``, tested equal to this). ∂L/∂h_t
is the whole gradient on h_t, every path from h_t to the loss included; for the RNN and the
GRU, h_t is the state s_t. The LSTM has a second state, the cell state s_t (PyTorch's c_t),
and a gradient of its own on it,

    g_s(t) = ‖∂L/∂s_t‖,    ∂L/∂s_t = (∂L/∂s_{t+1}) ⊙ f_{t+1} + (∂L/∂h_t) ⊙ o_t ⊙ (1 − tanh²(s_t)),

whose first term is the path the forget gate keeps open: the heatmap does not draw it. Each
∂L/∂h_t (and ∂L/∂s_t) is read off the model's own ``backward``: the words after t are run
again from the stored states at t, and ``backward`` returns the gradient on those starting
states.
"""

from __future__ import annotations

import numpy as np

from whiteboard.training.network import affine_backward, cross_entropy

__all__ = ["loss_gradient_norms"]


def _check(net, x, y):
    vocab = getattr(net, "vocab_size", None)
    if vocab is None or not hasattr(net, "core") or getattr(net, "loss_name", "") != \
            "cross_entropy":
        raise TypeError("net must be a SequenceModel that reads token ids and answers a class "
                        f"(cross-entropy), got {type(net).__name__}")
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.shape != x.shape[1:] or not x.size:
        raise ValueError(f"x must be (T, B) token ids and y (B,) classes, got shapes {x.shape} "
                         f"and {y.shape}")
    if not (np.issubdtype(x.dtype, np.integer) and np.issubdtype(y.dtype, np.integer)):
        raise TypeError(f"x and y must hold integers, got {x.dtype} and {y.dtype}")
    if x.min() < 0 or x.max() >= vocab:
        raise ValueError(f"x must hold token ids in 0..{vocab - 1}")
    return x, y


def loss_gradient_norms(net, x, y) -> dict:
    """``‖∂L/∂h_t‖`` at every word t of a batch, and the LSTM's ``‖∂L/∂s_t‖``.

    L = −(1/B) Σ_b log softmax(V h_T + c)[y_b], the mean cross-entropy of the answers at the
    last word, as in training.

    Args:
        net: a :class:`whiteboard.training.network.SequenceModel` that reads token ids and
            answers a class (e.g. ``experiments.build("story", "rnn", seed)`` or
            ``pretrained.load("story_lstm_lag20")``).
        x: (T, B) token ids, time-major (``make_stories(...).x``).
        y: (B,) the right classes.

    Returns:
        dict with ``h``: (T,) ‖∂L/∂h_t‖ for t = 1..T (entry t - 1), the norm over the whole
        batch; and ``s``: (T,) ‖∂L/∂s_t‖ of the LSTM's cell state, or None for a model with
        one state.

    Raises:
        TypeError: ``net`` is not such a model, or ``x``, ``y`` are not integers.
        ValueError: shapes that do not match, or token ids outside the vocabulary.
    """
    x, y = _check(net, x, y)
    core, V = net.core, net.readout.V
    X = net.inputs(x)
    T = X.shape[0]
    trace = core.forward(X)
    lstm = core.kind == "lstm"

    def on_last_state(h_last):
        _, dz = cross_entropy(net.readout.forward(h_last), y)
        return affine_backward(h_last, dz, V)["h"]

    dh = np.empty((T,) + trace.h.shape[1:])
    ds = np.zeros_like(dh) if lstm else None
    dh[-1] = on_last_state(trace.h[-1])
    for t in range(T - 1):  # 0-based: the state after word t + 1
        start = {"h0": trace.h[t].copy()}
        if lstm:
            start["c0"] = trace.c[t].copy()
        rest = core.forward(X[t + 1:], **start)
        d = np.zeros(rest.h.shape)
        d[-1] = on_last_state(rest.h[-1])
        back = core.backward(rest, d)
        dh[t] = back["h0"]
        if lstm:
            ds[t] = back["c0"]
    if lstm:
        # s_t also reaches the loss through h_t = o_t ⊙ tanh(s_t): add that route.
        ds += dh * trace.gates["o"] * (1 - np.tanh(trace.c) ** 2)
    return {"h": _norms(dh), "s": _norms(ds) if lstm else None}


def _norms(a):
    """(T,) the norm of each step's (B, H) slice of ``a`` (T, B, H)."""
    return np.sqrt((a.reshape(a.shape[0], -1) ** 2).sum(axis=1))
