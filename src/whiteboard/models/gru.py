"""The GRU as a whole-sequence model: the fused forward and backward loops.

``GRU`` computes exactly what the readable step functions of
``whiteboard.cells.gru`` (gru_step, gru_step_backward) compute, step after step,
only faster: it stacks the matrix products of all steps where it can.
``tests/test_cells.py`` proves the two equal (forward, backward and every gradient).
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.gru import GATES
from whiteboard.cells.spec import names
from whiteboard.models.base import RecurrentModel, Trace, column_buffers, time_major

__all__ = ["GRU"]


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
    gate_names = names(GATES)
    _num_gates = len(GATES)
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
