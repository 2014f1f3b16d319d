"""The GRU as a whole-sequence model: its gate maths for the fused loop.

``GRU`` computes exactly what the readable step functions of
``whiteboard.cells.gru`` (gru_step, gru_step_backward) compute, step after step, only
faster: the loop of :mod:`whiteboard.models.engine` runs it, and this module supplies the
cell's part, :class:`GRUMaths`.  ``tests/test_cells.py`` proves the two equal (forward,
backward and every gradient).

    r, z = σ(...),  n = tanh(U_n x + b_in + r ⊙ (W_n h_{t-1} + b_hn)),
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.gru import GATES
from whiteboard.cells.spec import names
from whiteboard.models.base import RecurrentModel
from whiteboard.models.engine import CellMaths

__all__ = ["GRU", "GRUMaths"]


class GRUMaths(CellMaths):
    """The GRU's part of the fused loop.

    Rows r, z, n-input (U_n x + b_in, then n itself) and m = W_n h_{t-1} + b_hn: the
    candidate needs its input and recurrent parts apart, since only the second is scaled by
    r_t, so it takes two row blocks, each with a zero block where the other's weights would be.
    """

    kind = "gru"
    blocks = 4

    def weights(self, p):
        H, D = self.H, self.D
        w_ih, w_hh, b_ih, b_hh = (p[k] for k in ("weight_ih_l0", "weight_hh_l0",
                                                  "bias_ih_l0", "bias_hh_l0"))
        lead = w_ih.shape[:-2]
        W = np.zeros((*lead, 4 * H, D + H + 1), w_ih.dtype)
        W[..., : 3 * H, :D] = w_ih
        W[..., : 2 * H, D:-1] = w_hh[..., : 2 * H, :]
        W[..., 3 * H :, D:-1] = w_hh[..., 2 * H :, :]
        W[..., : 2 * H, -1] = b_ih[..., : 2 * H] + b_hh[..., : 2 * H]
        W[..., 2 * H : 3 * H, -1] = b_ih[..., 2 * H :]
        W[..., 3 * H :, -1] = b_hh[..., 2 * H :]
        return W

    def scale(self):
        s = np.ones((4 * self.H, 1))
        s[: 2 * self.H] = 0.5  # r and z are sigmoids
        return s

    def grads(self, dW):
        H, D = self.H, self.D
        return {
            "weight_ih_l0": dW[..., : 3 * H, :D].copy(),
            "weight_hh_l0": np.concatenate([dW[..., : 2 * H, D:-1], dW[..., 3 * H :, D:-1]],
                                           axis=-2),
            "bias_ih_l0": dW[..., : 3 * H, -1].copy(),
            "bias_hh_l0": np.concatenate([dW[..., : 2 * H, -1], dW[..., 3 * H :, -1]], axis=-1),
        }

    def buffers(self, T, M, B):
        return [(M, self.H, B), (M, self.H, B)]  # two work blocks

    def step(self, t, a, h_prev, h_out, bufs):
        H = self.H
        tmp = bufs[0]
        rz = a[:, : 2 * H]
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        r, z, n, m = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        n += np.multiply(r, m, out=tmp)  # the reset gate scales only the recurrent part
        np.tanh(n, out=n)
        # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1} = n + z ⊙ (h_{t-1} - n): one multiply fewer.
        np.subtract(h_prev, n, out=tmp)
        tmp *= z
        np.add(n, tmp, out=h_out)

    def trace_arrays(self, A, bufs):
        H = self.H
        return {"gates": {name: A[:, :, k * H : (k + 1) * H] for k, name in enumerate("rzn")}}

    def back_step(self, t, A, Z, dh, da, carry, bufs):
        D, H = self.D, self.H
        t1, t2 = bufs
        a = A[t]
        r, z, n, m = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        da_r, da_z, da_n, da_m = da[:, :H], da[:, H : 2 * H], da[:, 2 * H : 3 * H], da[:, 3 * H :]
        h_prev = Z[t, :, D : D + H]
        # dn = dh ⊙ (1 - z), then through tanh: da_n = dn ⊙ (1 - n²)
        np.subtract(1, z, out=t1)
        t1 *= dh
        np.multiply(n, n, out=t2)
        np.subtract(1, t2, out=t2)
        np.multiply(t1, t2, out=da_n)
        # dz = dh ⊙ (h_{t-1} - n), then through σ: da_z = dz ⊙ z (1 - z)
        np.subtract(h_prev, n, out=t1)
        t1 *= dh
        np.subtract(1, z, out=t2)
        t2 *= z
        np.multiply(t1, t2, out=da_z)
        # r_t scales m_t = W_n h + b_hn: dm = da_n ⊙ r and dr = da_n ⊙ m, then through σ.
        np.multiply(da_n, r, out=da_m)
        np.subtract(1, r, out=t1)
        t1 *= r
        t1 *= m
        np.multiply(da_n, t1, out=da_r)

    def direct(self, t, A, dh, dh_prev, bufs):
        # h_{t-1} also reaches h_t directly, through z_t.
        H = self.H
        dh_prev += np.multiply(dh, A[t, :, H : 2 * H], out=bufs[0])


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

    def maths(self) -> GRUMaths:
        return GRUMaths(self.input_size, self.hidden_size)
