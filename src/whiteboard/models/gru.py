"""The GRU as a whole-sequence model: its kernel for the fused loop.

:class:`GRUMaths`, run by :mod:`whiteboard.models.engine`'s loop, computes what
:mod:`whiteboard.cells.gru`'s readable ``gru_step`` and its backward compute, in their names
and order (``tests/test_cells.py``).

    r, z = σ(...),  m = W_n h_{t-1} + b_hn,  n = tanh(U_n x + b_in + r ⊙ m),
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.gru import GATES
from whiteboard.cells.spec import names, rows, sigmoid_gates
from whiteboard.maths import sigmoid
from whiteboard.models.base import RecurrentModel
from whiteboard.models.engine import CellMaths

__all__ = ["GRU", "GRUMaths"]

_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


class GRUMaths(CellMaths):
    """The GRU's part of the fused loop: the gates r, z and n, and m = W_n h_{t-1} + b_hn.

    The candidate needs its input part and its recurrent part m apart, since only m is
    scaled by r_t, so it takes two row blocks: ``n`` holds U_n x + b_in (then n itself) and a
    zero block where W_n would be; ``m`` holds W_n h + b_hn and a zero block for U_n.
    """

    kind = "gru"
    blocks = names(GATES) + ("m",)
    # r's, z's and n's local derivatives, and "hn": h_{t-1} - n, what z multiplies
    local_blocks = blocks + ("hn",)

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        self.sigmoids = self.span(sigmoid_gates(GATES))

    def weights(self, p):
        H, D = self.H, self.D
        w_ih, w_hh, b_ih, b_hh = (p[k] for k in _KEYS)
        W = np.zeros((*w_ih.shape[:-2], len(self.blocks) * H, D + H + 1), w_ih.dtype)
        block = self.split(W)  # (..., H, D+H+1) views, one per block: [U | W | b]
        for name in sigmoid_gates(GATES):  # r and z: input, recurrent and both biases
            src = rows(GATES, name, H)
            block[name][..., :D] = w_ih[..., src, :]
            block[name][..., D:-1] = w_hh[..., src, :]
            block[name][..., -1] = b_ih[..., src] + b_hh[..., src]
        n = rows(GATES, "n", H)
        block["n"][..., :D] = w_ih[..., n, :]
        block["n"][..., -1] = b_ih[..., n]
        block["m"][..., D:-1] = w_hh[..., n, :]
        block["m"][..., -1] = b_hh[..., n]
        return W

    def grads(self, dW):
        D = self.D
        d = self.split(dW)  # (..., H, D+H+1) per block
        gates = names(GATES)
        recurrent = [*gates[:-1], "m"]  # the candidate's W_n and b_hn act through m
        return {
            "weight_ih_l0": np.concatenate([d[g][..., :D] for g in gates], axis=-2),
            "weight_hh_l0": np.concatenate([d[g][..., D:-1] for g in recurrent], axis=-2),
            "bias_ih_l0": np.concatenate([d[g][..., -1] for g in gates], axis=-1),
            "bias_hh_l0": np.concatenate([d[g][..., -1] for g in recurrent], axis=-1),
        }

    def step(self, t, bufs):
        a = bufs.A[t]
        sigmoid(a[:, self.sigmoids], out=a[:, self.sigmoids])  # r and z at once
        gate = self.split(a)
        r, z, n, m = gate["r"], gate["z"], gate["n"], gate["m"]
        h_prev = bufs.Z[t, :, self.D : self.D + self.H]
        n += np.multiply(r, m, out=bufs.work[0])  # the reset gate scales only m
        np.tanh(n, out=n)
        # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1} = n + z ⊙ (h_{t-1} - n): one multiply fewer.
        diff = np.subtract(h_prev, n, out=bufs.work[0])
        diff *= z
        np.add(n, diff, out=bufs.Z[t + 1, :, self.D : self.D + self.H])

    def local_derivatives(self, bufs):
        # Each step's backward, with dn = dh ⊙ (1 − z) and dz = dh ⊙ (h_{t-1} − n):
        #   da_n = dn ⊙ [1 − n²],  da_z = dz ⊙ [σ'(z)],  dm = da_n ⊙ r,  da_r = da_n ⊙ [σ'(r) ⊙ m];
        # the brackets (and 1 − z, h_{t-1} − n) depend on no later step: all steps at once.
        A, local = bufs.A, bufs.local
        gate, factor = self.split(A), self.split(local, self.local_blocks)
        r, z, n, m = gate["r"], gate["z"], gate["n"], gate["m"]
        np.subtract(1, z, out=factor["m"])  # 1 − z, kept in m's slot
        np.multiply(n, n, out=factor["n"])
        np.subtract(1, factor["n"], out=factor["n"])
        np.subtract(1, z, out=factor["z"])
        factor["z"] *= z
        np.subtract(1, r, out=factor["r"])
        factor["r"] *= r
        factor["r"] *= m
        np.subtract(bufs.Z[:-1, :, self.D : self.D + self.H], n, out=factor["hn"])

    def back_step(self, t, dh, da, bufs):
        factor = self.split(bufs.local[t], self.local_blocks)
        gate, grad = self.split(bufs.A[t]), self.split(da)
        dn = np.multiply(factor["m"], dh, out=bufs.work[0])  # dh ⊙ (1 − z)
        np.multiply(dn, factor["n"], out=grad["n"])
        dz = np.multiply(factor["hn"], dh, out=bufs.work[0])  # dh ⊙ (h_{t-1} − n)
        np.multiply(dz, factor["z"], out=grad["z"])
        np.multiply(grad["n"], gate["r"], out=grad["m"])
        np.multiply(grad["n"], factor["r"], out=grad["r"])
        # h_{t-1} also reaches h_t directly, through z_t.
        return np.multiply(dh, gate["z"], out=bufs.work[1])


class GRU(RecurrentModel):
    """A single-layer, unidirectional, time-major GRU with PyTorch's parameter layout.

    Args:
        input_size, hidden_size, seed, dtype: as in :class:`whiteboard.models.rnn.RNN`.

    Example:
        >>> gru = GRU(3, 4, seed=0)
        >>> trace = gru.forward(np.ones((5, 2, 3)))
        >>> trace.h.shape, sorted(trace.gates)
        ((5, 2, 4), ['n', 'r', 'z'])
    """

    kind = "gru"
    gate_names = names(GATES)
    _torch_name = "GRU"

    def maths(self) -> GRUMaths:
        return GRUMaths(self.input_size, self.hidden_size)
