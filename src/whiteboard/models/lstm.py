"""The LSTM as a whole-sequence model: its gate maths for the fused loop.

``LSTM`` computes exactly what the readable step functions of
``whiteboard.cells.lstm`` (lstm_step, lstm_step_backward) compute, step after step, only
faster: the loop of :mod:`whiteboard.models.engine` runs it, and this module supplies the
cell's part, :class:`LSTMMaths`.  ``tests/test_cells.py`` proves the two equal (forward,
backward and every gradient).

    i, f, o = σ(...),  g = tanh(...),  c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.lstm import GATES
from whiteboard.cells.spec import names
from whiteboard.models.base import RecurrentModel
from whiteboard.models.engine import CellMaths

__all__ = ["LSTM", "LSTMMaths"]

# Inside the loop the gate blocks are reordered so that the sigmoid gates are contiguous
# (one activation call per step), and among them those that feed the cell come last, next
# to the candidate (one multiply by dc per step): o, i, f, g.  ORDER[k] is the PyTorch block
# of internal block k.
ORDER = tuple(g.block for g in sorted(GATES, key=lambda g: (g.activation != "sigmoid",
                                                             g.feeds == "c")))
_INTERNAL = {g.name: ORDER.index(g.block) for g in GATES}  # gate name -> internal block


class LSTMMaths(CellMaths):
    """The LSTM's part of the fused loop: four blocks of rows (o, i, f, g) and a cell state."""

    kind = "lstm"
    blocks = len(GATES)
    has_cell = True

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        H = hidden_size
        self.perm = np.concatenate([np.arange(k * H, (k + 1) * H) for k in ORDER])
        self.unperm = np.argsort(self.perm)
        self.n_sigmoid = sum(g.activation == "sigmoid" for g in GATES)

    def weights(self, p):
        b = (p["bias_ih_l0"] + p["bias_hh_l0"])[..., None]
        W = np.concatenate([p["weight_ih_l0"], p["weight_hh_l0"], b], axis=-1)
        return W[..., self.perm, :]

    def scale(self):
        s = np.ones((self.blocks * self.H, 1))
        s[: self.n_sigmoid * self.H] = 0.5
        return s

    def grads(self, dW):
        D, H = self.D, self.H
        dW = dW[..., self.unperm, :]
        return {
            "weight_ih_l0": np.ascontiguousarray(dW[..., :D]),
            "weight_hh_l0": np.ascontiguousarray(dW[..., D : D + H]),
            "bias_ih_l0": dW[..., D + H].copy(),
            "bias_hh_l0": dW[..., D + H].copy(),
        }

    def buffers(self, T, M, B):
        H = self.H
        # C[t] = c_t from c_0; tanh(c_t); a work block for i ⊙ g
        return [(T + 1, M, H, B), (T, M, H, B), (M, H, B)]

    def start(self, bufs, c0):
        bufs[0][0] = c0.transpose(0, 2, 1)

    def step(self, t, a, h_prev, h_out, bufs):
        C, tanh_C, ig = bufs
        H = self.H
        np.tanh(a, out=a)
        sig = a[:, : 3 * H]
        sig *= 0.5
        sig += 0.5
        o, i, f, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        c = np.multiply(f, C[t], out=C[t + 1])
        c += np.multiply(i, g, out=ig)
        np.tanh(c, out=tanh_C[t])
        np.multiply(o, tanh_C[t], out=h_out)

    def trace_arrays(self, A, bufs):
        H = self.H
        gates = {g.name: A[:, :, _INTERNAL[g.name] * H : (_INTERNAL[g.name] + 1) * H]
                 for g in sorted(GATES, key=lambda g: g.block)}
        return {"gates": gates, "c": bufs[0][1:]}

    def back_start(self, bufs, dc_last):
        M, H, B = bufs[2].shape
        dc = np.zeros((M, H, B), bufs[2].dtype) if dc_last is None else dc_last.copy()
        return {"dc": dc, "tmp": np.empty_like(dc)}

    def back_step(self, t, A, Z, dh, da, carry, bufs):
        C, tanh_C, _ = bufs
        D, H = self.D, self.H
        dc, tmp = carry["dc"], carry["tmp"]
        a = A[t]
        o, i, f, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        da_o, da_i, da_f, da_g = da[:, :H], da[:, H : 2 * H], da[:, 2 * H : 3 * H], da[:, 3 * H :]
        # Local derivatives first: σ' = σ(1 - σ) for o, i, f and tanh' = 1 - g² for g.
        np.subtract(1, a[:, : 3 * H], out=da[:, : 3 * H])
        da[:, : 3 * H] *= a[:, : 3 * H]
        np.multiply(g, g, out=da_g)
        np.subtract(1, da_g, out=da_g)
        # do_t = dh_t ⊙ tanh(c_t)
        da_o *= tanh_C[t]
        da_o *= dh
        # The cell path adds, so dc accumulates the h_t route, dh_t ⊙ o_t ⊙ (1 - tanh²(c_t)),
        # on top of what came back from step t+1; o_t tanh²(c_t) is h_t tanh(c_t).
        np.multiply(Z[t + 1, :, D : D + H], tanh_C[t], out=tmp)
        np.subtract(o, tmp, out=tmp)
        tmp *= dh
        dc += tmp
        # di = dc ⊙ g, df = dc ⊙ c_{t-1}, dg = dc ⊙ i, each times its local derivative.
        da_i *= g
        da_f *= C[t]
        da_g *= i
        blocks = da.reshape(da.shape[0], 4, H, -1)  # a view: da is contiguous
        blocks[:, 1:] *= dc[:, None]
        dc *= f  # c_{t-1} reaches c_t only through f_t

    def back_end(self, carry):
        return {"c0": carry["dc"].copy()}


class LSTM(RecurrentModel):
    """A single-layer, unidirectional, time-major LSTM with PyTorch's parameter layout.

    Args:
        input_size: D, features per step.
        hidden_size: H, hidden units.
        seed: seed of ``np.random.default_rng`` for the PyTorch-style initialisation.
        dtype: np.float32 or np.float64.
        forget_bias: after the PyTorch-style draw, the forget-gate slice of bias_ih_l0 is set
            to this value and that of bias_hh_l0 to 0, so the total forget bias b_f equals it.
            A high value (1 to 3) keeps f_t near 1 at first, so memories survive training's
            early steps.

    Example:
        >>> lstm = LSTM(3, 4, seed=0, forget_bias=1.0)
        >>> trace = lstm.forward(np.ones((5, 2, 3)))
        >>> trace.c.shape, sorted(trace.gates)
        ((5, 2, 4), ['f', 'g', 'i', 'o'])
    """

    kind = "lstm"
    gate_names = names(GATES)
    _num_gates = len(GATES)
    _torch_name = "LSTM"
    _order = ORDER

    def __init__(self, input_size, hidden_size, *, seed=0, dtype=np.float64, forget_bias=0.0):
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        self.forget_bias = float(forget_bias)
        if not np.isfinite(self.forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        H = self.hidden_size
        self._params["bias_ih_l0"][H : 2 * H] = self.forget_bias
        self._params["bias_hh_l0"][H : 2 * H] = 0.0

    def maths(self) -> LSTMMaths:
        return LSTMMaths(self.input_size, self.hidden_size)

    def _config(self):
        return {"seed": self.seed, "forget_bias": self.forget_bias}
