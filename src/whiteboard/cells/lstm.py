"""The LSTM: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; gate order i, f, g, o in every stacked weight; for each gate k,
U_k is its (H, D) slice of weight_ih_l0, W_k its (H, H) slice of weight_hh_l0 and b_k the sum
of its slices of bias_ih_l0 and bias_hh_l0):

    i_t = σ(U_i x_t + W_i h_{t-1} + b_i)        input gate
    f_t = σ(U_f x_t + W_f h_{t-1} + b_f)        forget gate
    g_t = tanh(U_g x_t + W_g h_{t-1} + b_g)     candidate (NPTEL's s̃_t)
    o_t = σ(U_o x_t + W_o h_{t-1} + b_o)        output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t             cell state (NPTEL's s_t)
    h_t = o_t ⊙ tanh(c_t)

Backward, with dh_t the total gradient on h_t and dc_t the total gradient on c_t:

    do_t = dh_t ⊙ tanh(c_t)
    dc_t = dc_t(from step t+1) + dh_t ⊙ o_t ⊙ (1 - tanh²(c_t))
    di_t = dc_t ⊙ g_t,   dg_t = dc_t ⊙ i_t,   df_t = dc_t ⊙ c_{t-1}
    dc_{t-1} (sent back) = dc_t ⊙ f_t
    dh_{t-1} (sent back) = Σ_k W_k^T (dk_t ⊙ k'(a_k,t))

The cell path only multiplies by f_t on the way back, so when the forget gates stay near 1
the gradient survives many steps; that is the LSTM's answer to vanishing gradients.
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.spec import Gate, rows
from whiteboard.maths import sigmoid

# PyTorch's stacked order.  The lectures call the output gate "selective write", the input
# gate "selective read" and the forget gate "selective forget" (see chapter 4).
GATES = (
    Gate("i", 0, "sigmoid", "input gate", "i", feeds="c"),
    Gate("f", 1, "sigmoid", "forget gate", "f", feeds="c"),
    Gate("g", 2, "tanh", "candidate (the lectures' s̃_t)", "", feeds="c"),
    Gate("o", 3, "sigmoid", "output gate", "o", feeds="h"),
)

__all__ = ["GATES", "lstm_step", "lstm_step_backward"]


def _gate(x, h_prev, p, name, H):
    """Pre-activation U_k x + W_k h_prev + b_k of gate ``name`` (its block k in GATES)."""
    k = rows(GATES, name, H)
    return (
        x @ p["weight_ih_l0"][k].T
        + h_prev @ p["weight_hh_l0"][k].T
        + p["bias_ih_l0"][k]
        + p["bias_hh_l0"][k]
    )


def lstm_step(x, h_prev, c_prev, p):
    """One LSTM step (equations in the module docstring).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous hidden state h_{t-1}.
        c_prev: (B, H) previous cell state c_{t-1}.
        p: parameters keyed like ``state_dict()``: weight_ih_l0 (4H, D), weight_hh_l0 (4H, H),
            bias_ih_l0 (4H,), bias_hh_l0 (4H,), gate order i, f, g, o.

    Returns:
        ``(h, c, cache)``: h and c are (B, H); cache holds what ``lstm_step_backward`` needs.
    """
    H = h_prev.shape[1]
    i = sigmoid(_gate(x, h_prev, p, "i", H))
    f = sigmoid(_gate(x, h_prev, p, "f", H))
    g = np.tanh(_gate(x, h_prev, p, "g", H))
    o = sigmoid(_gate(x, h_prev, p, "o", H))
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "o": o,
             "tanh_c": tanh_c, "p": p}
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Backward through one LSTM step.

    Args:
        dh: (B, H) total gradient on h_t (the loss's term plus what step t+1 sent back).
        dc: (B, H) gradient on c_t arriving from step t+1 (zeros at the last step).
        cache: from ``lstm_step``.

    Returns:
        dict with ``x`` (B, D), ``h_prev`` (B, H), ``c_prev`` (B, H) and the four parameter
        gradients (shapes as in ``state_dict()``) of this step alone.
    """
    i, f, g, o, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    p = cache["p"]
    do = dh * tanh_c
    # c_t reaches the loss twice: directly along the cell path and through h_t = o ⊙ tanh(c_t).
    dc = dc + dh * o * (1 - tanh_c**2)
    di = dc * g
    df = dc * cache["c_prev"]
    dg = dc * i
    # Gradients on the pre-activations, stacked in PyTorch's block order.
    pre = {"i": di * i * (1 - i), "f": df * f * (1 - f), "g": dg * (1 - g**2),
           "o": do * o * (1 - o)}
    da = np.concatenate([pre[g.name] for g in GATES], axis=1)
    db = da.sum(axis=0)
    return {
        "x": da @ p["weight_ih_l0"],
        "h_prev": da @ p["weight_hh_l0"],
        "c_prev": dc * f,  # the cell path: c_{t-1} reaches c_t only through f_t
        "weight_ih_l0": da.T @ cache["x"],
        "weight_hh_l0": da.T @ cache["h_prev"],
        "bias_ih_l0": db,
        "bias_hh_l0": db.copy(),
    }
