"""The GRU: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; gate order r, z, n in every stacked weight; U_k, W_k are gate k's
slices of weight_ih_l0 and weight_hh_l0; the candidate keeps its two biases apart because the
reset gate multiplies only the recurrent part):

    r_t = σ(U_r x_t + W_r h_{t-1} + b_ir + b_hr)          reset gate
    z_t = σ(U_z x_t + W_z h_{t-1} + b_iz + b_hz)          update gate
    n_t = tanh(U_n x_t + b_in + r_t ⊙ (W_n h_{t-1} + b_hn))   candidate
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

Here z_t is the share of the *old* state that is kept. The NPTEL lectures write the same cell
as s_t = (1 - i_t) ⊙ s_{t-1} + i_t ⊙ s̃_t, where i_t is the share of the *new* candidate:
i_t = 1 - z_t. The direction of the gate flips between the two (see ``whiteboard.nptel``).

Backward, with dh_t the total gradient on h_t and m_t = W_n h_{t-1} + b_hn:

    dn_t = dh_t ⊙ (1 - z_t),   dz_t = dh_t ⊙ (h_{t-1} - n_t)
    da_n = dn_t ⊙ (1 - n_t²),  dr_t = da_n ⊙ m_t,   dm_t = da_n ⊙ r_t
    dh_{t-1} = dh_t ⊙ z_t + W_r^T da_r + W_z^T da_z + W_n^T dm_t
"""

from __future__ import annotations

import numpy as np

from whiteboard.activations import sigmoid
from whiteboard.cell import RecurrentModel, Trace, column_buffers, time_major

__all__ = ["GRU", "gru_step", "gru_step_backward"]


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
    gx = x @ p["weight_ih_l0"].T + p["bias_ih_l0"]  # (B, 3H) input parts of r, z, n
    gh = h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]  # (B, 3H) recurrent parts
    r = sigmoid(gx[:, :H] + gh[:, :H])
    z = sigmoid(gx[:, H : 2 * H] + gh[:, H : 2 * H])
    m = gh[:, 2 * H :]  # W_n h_{t-1} + b_hn, the part the reset gate scales
    n = np.tanh(gx[:, 2 * H :] + r * m)
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
    dgx = np.concatenate([da_r, da_z, da_n], axis=1)  # ∂L/∂(U x + b_i), order r, z, n
    # The reset gate sits between W_n h and the candidate, so the recurrent part of n gets
    # da_n ⊙ r, while the input part gets da_n itself.
    dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)
    return {
        "x": dgx @ p["weight_ih_l0"],
        "h_prev": dh * z + dgh @ p["weight_hh_l0"],
        "weight_ih_l0": dgx.T @ cache["x"],
        "weight_hh_l0": dgh.T @ h_prev,
        "bias_ih_l0": dgx.sum(axis=0),
        "bias_hh_l0": dgh.sum(axis=0),
    }


class GRU(RecurrentModel):
    """A single-layer, unidirectional, time-major GRU with PyTorch's parameter layout.

    Args:
        input_size: D, features per step.
        hidden_size: H, hidden units.
        seed: seed of ``np.random.default_rng`` for the PyTorch-style initialisation.
        dtype: np.float32 or np.float64.

    Example:
        >>> gru = GRU(3, 4, seed=0)
        >>> trace = gru.forward(np.ones((5, 2, 3)))
        >>> trace.h.shape, sorted(trace.gates)
        ((5, 2, 4), ['n', 'r', 'z'])
    """

    kind = "gru"
    gate_names = ("r", "z", "n")
    _num_gates = 3
    _torch_name = "GRU"

    def forward(self, X, h0=None, c0=None) -> Trace:
        """Run the GRU over a sequence.

        Args:
            X: (T, B, D), or (T, D) for a single sequence (the trace then has B = 1).
            h0: (B, H) initial hidden state (also (1, B, H)); zeros when omitted.
            c0: must be None (a GRU has no cell state).

        Returns:
            Trace with ``h`` (T, B, H), ``gates`` r, z, n each (T, B, H), ``x`` and ``h0``.
            The (T, B, H) arrays are views into the loop's unit-major (T, H, B) buffers; copy
            them before writing into them.
        """
        X, h0, _, was_2d = self._check_inputs(X, h0, c0, has_cell=False)
        T, B, D = X.shape
        H = self.hidden_size
        W = self._stacked_weights()
        # σ(a) = ½(1 + tanh(a/2)): halving the r and z rows (exact, a power of two) turns both
        # sigmoids into a single tanh call per step.
        W_half = W.copy()
        W_half[: 2 * H] *= 0.5
        # A[t] rows: r, z, n (first U_n x + b_in, then n itself), m = W_n h_{t-1} + b_hn.
        Z, (A,) = column_buffers(X, h0, [(T, 4 * H, B)], self.dtype)
        tmp = np.empty((H, B), self.dtype)
        for t in range(T):
            a = np.matmul(W_half, Z[t], out=A[t])
            rz = a[: 2 * H]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            r, z, n, m = a[:H], a[H : 2 * H], a[2 * H : 3 * H], a[3 * H :]
            n += np.multiply(r, m, out=tmp)  # the reset gate scales only the recurrent part
            np.tanh(n, out=n)
            # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1} = n + z ⊙ (h_{t-1} - n): one multiply fewer.
            np.subtract(Z[t, D:-1], n, out=tmp)
            tmp *= z
            np.add(n, tmp, out=Z[t + 1, D:-1])
        gates = {name: time_major(A[:, k * H : (k + 1) * H]) for k, name in enumerate("rzn")}
        return Trace("gru", X, h0, time_major(Z[1:, D:-1]), gates, was_2d=was_2d,
                     cache={"acts": A, "z": Z, "w": W})

    def _stacked_weights(self) -> np.ndarray:
        """(4H, D+H+1): the rows r, z, n-input and n-recurrent times [x_t; h_{t-1}; 1].

        The candidate needs its input part U_n x + b_in and its recurrent part W_n h + b_hn
        apart, since only the second is scaled by r_t; so it takes two row blocks, each with
        a zero block where the other part's weights would be.
        """
        p = self._params
        H, D = self.hidden_size, self.input_size
        w_ih, w_hh, b_ih, b_hh = (p[k] for k in ("weight_ih_l0", "weight_hh_l0",
                                                  "bias_ih_l0", "bias_hh_l0"))
        W = np.zeros((4 * H, D + H + 1), self.dtype)
        W[: 3 * H, :D] = w_ih
        W[: 2 * H, D:-1] = w_hh[: 2 * H]
        W[3 * H :, D:-1] = w_hh[2 * H :]
        W[: 2 * H, -1] = b_ih[: 2 * H] + b_hh[: 2 * H]
        W[2 * H : 3 * H, -1] = b_ih[2 * H :]
        W[3 * H :, -1] = b_hh[2 * H :]
        return W

    def backward(self, trace: Trace, dh, dc_last=None) -> dict:
        """Backpropagation through time (equations in the module docstring).

        Args:
            trace: from ``forward`` of this model.
            dh: (T, B, H) ∂L/∂h_t, the loss's direct gradient on each h_t ((T, H) is accepted
                when the forward input was (T, D)).
            dc_last: must be None (a GRU has no cell state).

        Returns:
            dict with ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (shapes
            as in ``state_dict()``), ``x`` (T, B, D) and ``h0`` (B, H).
        """
        dh, _ = self._check_backward(trace, dh, dc_last, has_cell=False)
        T, B, H = trace.h.shape
        D = trace.x.shape[2]
        A, Z, W = trace.cache["acts"], trace.cache["z"], trace.cache["w"]
        r, z, n, m = (A[:, k * H : (k + 1) * H] for k in range(4))
        W_back = W[:, :-1].T.copy()  # (D+H, 4H): sends the four row blocks back to x and h
        da = np.empty((4 * H, B), self.dtype)  # ∂L/∂ of rows r, z, n-input, n-recurrent
        da_r, da_z, da_n, da_m = da[:H], da[H : 2 * H], da[2 * H : 3 * H], da[3 * H :]
        dz = np.empty((D + H, B), self.dtype)  # [∂L/∂x_t; ∂L/∂h_{t-1}] through the gates
        dX = np.empty((T, B, D), self.dtype)
        dW = np.zeros_like(W)  # Σ_t da_t [x_t; h_{t-1}; 1]^T: all weights and biases at once
        dW_t = np.empty_like(W)
        t1, t2 = np.empty((H, B), self.dtype), np.empty((H, B), self.dtype)
        dh_t = dh[T - 1].T.copy()
        for t in range(T - 1, -1, -1):
            h_prev = Z[t, D:-1]
            # dn = dh ⊙ (1 - z), then through tanh: da_n = dn ⊙ (1 - n²)
            np.subtract(1, z[t], out=t1)
            t1 *= dh_t
            np.multiply(n[t], n[t], out=t2)
            np.subtract(1, t2, out=t2)
            np.multiply(t1, t2, out=da_n)
            # dz = dh ⊙ (h_{t-1} - n), then through σ: da_z = dz ⊙ z (1 - z)
            np.subtract(h_prev, n[t], out=t1)
            t1 *= dh_t
            np.subtract(1, z[t], out=t2)
            t2 *= z[t]
            np.multiply(t1, t2, out=da_z)
            # r_t scales m_t = W_n h + b_hn: dm = da_n ⊙ r and dr = da_n ⊙ m, then through σ.
            np.multiply(da_n, r[t], out=da_m)
            np.subtract(1, r[t], out=t1)
            t1 *= r[t]
            t1 *= m[t]
            np.multiply(da_n, t1, out=da_r)
            np.matmul(W_back, da, out=dz)
            dX[t] = dz[:D].T
            dW += np.matmul(da, Z[t].T, out=dW_t)
            # h_{t-1} reaches h_t directly through z_t, through the gates, and the loss too.
            np.multiply(dh_t, z[t], out=t1)
            np.add(dz[D:], t1, out=dh_t)
            if t:
                dh_t += dh[t - 1].T
        return {
            "weight_ih_l0": dW[: 3 * H, :D].copy(),
            "weight_hh_l0": np.concatenate([dW[: 2 * H, D:-1], dW[3 * H :, D:-1]]),
            "bias_ih_l0": dW[: 3 * H, -1].copy(),
            "bias_hh_l0": np.concatenate([dW[: 2 * H, -1], dW[3 * H :, -1]]),
            "x": dX,
            "h0": dh_t.T.copy(),
        }
