"""The GRU: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; gate order r, z, n in every stacked weight; U_k, W_k are gate k's
slices of weight_ih_l0 and weight_hh_l0; the candidate keeps its two biases apart because the
reset gate multiplies only the recurrent part):

    r_t = σ(U_r x_t + W_r h_{t-1} + b_ir + b_hr)          reset gate
    z_t = σ(U_z x_t + W_z h_{t-1} + b_iz + b_hz)          update gate
    n_t = tanh(U_n x_t + b_in + r_t ⊙ (W_n h_{t-1} + b_hn))   candidate
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

Here z_t is the share of the *old* state that is kept; the lectures' i_t = 1 - z_t is the
share of the new candidate (see ``whiteboard.notation``).

Backward, with dh_t the total gradient on h_t and m_t = W_n h_{t-1} + b_hn:

    dn_t = dh_t ⊙ (1 - z_t),   dz_t = dh_t ⊙ (h_{t-1} - n_t)
    da_n = dn_t ⊙ (1 - n_t²),  dr_t = da_n ⊙ m_t,   dm_t = da_n ⊙ r_t
    dh_{t-1} = dh_t ⊙ z_t + W_r^T da_r + W_z^T da_z + W_n^T dm_t
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.spec import Gate, rows
from whiteboard.maths import sigmoid

# PyTorch's stacked order (each gate's role names the lectures' letter for it).
GATES = (
    Gate("r", 0, "sigmoid", "reset gate (the lectures' o_t)", "o"),
    Gate("z", 1, "sigmoid", "update gate (the lectures' 1 - i_t)", "i"),
    Gate("n", 2, "tanh", "candidate (the lectures' s̃_t)", ""),
)

__all__ = ["GATES", "gru_step", "gru_step_backward"]


def gru_step(x, h_prev, p):
    """One GRU step (equations in the module docstring).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous hidden state h_{t-1}.
        p: parameters keyed like ``state_dict()``: weight_ih_l0 (3H, D), weight_hh_l0 (3H, H),
            bias_ih_l0 (3H,), bias_hh_l0 (3H,), gate order r, z, n.

    Returns:
        ``(h, cache)``: h (B, H) is h_t; cache holds what ``gru_step_backward`` needs.
    """
    H = h_prev.shape[1]
    gx = x @ p["weight_ih_l0"].T + p["bias_ih_l0"]  # (B, 3H) input parts of every gate
    gh = h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]  # (B, 3H) recurrent parts
    R, Z, N = rows(GATES, "r", H), rows(GATES, "z", H), rows(GATES, "n", H)
    r = sigmoid(gx[:, R] + gh[:, R])
    z = sigmoid(gx[:, Z] + gh[:, Z])
    m = gh[:, N]  # W_n h_{t-1} + b_hn, the part the reset gate scales
    n = np.tanh(gx[:, N] + r * m)
    h = (1 - z) * n + z * h_prev
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "n": n, "m": m, "p": p}
    return h, cache


def gru_step_backward(dh, cache):
    """Backward through one GRU step.

    Args:
        dh: (B, H) total gradient on h_t (the loss's term plus what step t+1 sent back).
        cache: from ``gru_step``.

    Returns:
        dict with ``x`` (B, D), ``h_prev`` (B, H) and the four parameter gradients (shapes as
        in ``state_dict()``) of this step alone.
    """
    r, z, n, m, h_prev, p = (cache[k] for k in ("r", "z", "n", "m", "h_prev", "p"))
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    da_n = dn * (1 - n**2)
    dr = da_n * m
    da_r = dr * r * (1 - r)
    da_z = dz * z * (1 - z)
    # ∂L/∂(U x + b_i) and ∂L/∂(W h + b_h), stacked in PyTorch's block order.  The reset gate
    # sits between W_n h and the candidate, so the recurrent part of n gets da_n ⊙ r, while
    # the input part gets da_n itself.
    dgx = np.concatenate([{"r": da_r, "z": da_z, "n": da_n}[g.name] for g in GATES], axis=1)
    dgh = np.concatenate([{"r": da_r, "z": da_z, "n": da_n * r}[g.name] for g in GATES], axis=1)
    return {
        "x": dgx @ p["weight_ih_l0"],
        "h_prev": dh * z + dgh @ p["weight_hh_l0"],
        "weight_ih_l0": dgx.T @ cache["x"],
        "weight_hh_l0": dgh.T @ h_prev,
        "bias_ih_l0": dgx.sum(axis=0),
        "bias_hh_l0": dgh.sum(axis=0),
    }
