"""The vanilla (Elman) RNN: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; U = weight_ih_l0, W = weight_hh_l0, b = bias_ih_l0 + bias_hh_l0):

    a_t = U x_t + W h_{t-1} + b          pre-activation
    h_t = f(a_t)                         f = tanh (default), relu or the logistic σ

The book's NPTEL notation writes the same thing as s_t = σ(U x_t + W s_{t-1} + b).

Backward, for dh_t = ∂L/∂h_t coming from the loss at step t:

    δ_t      = (dh_t + W^T δ_{t+1}) ⊙ f'(a_t)     δ_t = ∂L/∂a_t, with δ_{T+1} = 0
    ∂L/∂U    = Σ_t δ_t x_t^T,   ∂L/∂W = Σ_t δ_t h_{t-1}^T,   ∂L/∂b = Σ_t δ_t
    ∂L/∂x_t  = U^T δ_t,         ∂L/∂h_0 = W^T δ_1

The factor f'(a_t) W on every step is why gradients vanish or explode over long spans.
Shapes: x_t (B, D), h_t (B, H), U (H, D), W (H, H); rows are batch elements, so U x_t is
written ``x @ U.T`` in code.
"""

from __future__ import annotations

from whiteboard.maths import ACTIVATIONS

# No gates: the stacked weights hold one block, the whole update s_t = f(a_t).
GATES = ()

__all__ = ["GATES", "rnn_step", "rnn_step_backward"]


def rnn_step(x, h_prev, p, nonlinearity="tanh"):
    """One RNN step: h_t = f(U x_t + W h_{t-1} + b).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous hidden state h_{t-1}.
        p: parameters keyed like ``state_dict()``: weight_ih_l0 (H, D), weight_hh_l0 (H, H),
            bias_ih_l0 (H,), bias_hh_l0 (H,).
        nonlinearity: "tanh", "relu" or "sigmoid".

    Returns:
        ``(h, cache)``: h (B, H) is h_t; cache holds what ``rnn_step_backward`` needs.
    """
    f, _ = ACTIVATIONS[nonlinearity]
    a = x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_ih_l0"] + p["bias_hh_l0"]
    h = f(a)
    return h, {"x": x, "h_prev": h_prev, "a": a, "h": h, "p": p, "nonlinearity": nonlinearity}


def rnn_step_backward(dh, cache):
    """Backward through one RNN step.

    Args:
        dh: (B, H) the total gradient ∂L/∂h_t: the loss's own term plus what step t+1 sent back.
        cache: from ``rnn_step``.

    Returns:
        dict with ``x`` (B, D), ``h_prev`` (B, H) and the four parameter gradients (shapes as
        in ``state_dict()``) of this step alone.
    """
    _, f_prime = ACTIVATIONS[cache["nonlinearity"]]
    p = cache["p"]
    da = dh * f_prime(cache["h"])  # δ_t = ∂L/∂a_t
    return {
        "x": da @ p["weight_ih_l0"],
        "h_prev": da @ p["weight_hh_l0"],
        "weight_ih_l0": da.T @ cache["x"],
        "weight_hh_l0": da.T @ cache["h_prev"],
        "bias_ih_l0": da.sum(axis=0),
        "bias_hh_l0": da.sum(axis=0),
    }
