"""The LSTM as a whole-sequence model: its kernel for the fused loop.

:class:`LSTMMaths`, run by :mod:`whiteboard.models.engine`'s loop, computes what
:mod:`whiteboard.cells.lstm`'s readable ``lstm_step`` and its backward compute, in their names
and order (``tests/test_cells.py``).

    i, f, o = σ(...),  g = tanh(...),  c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.lstm import GATES
from whiteboard.cells.spec import by_name, names, rows
from whiteboard.maths import sigmoid
from whiteboard.models.base import RecurrentModel
from whiteboard.models.engine import CellMaths

__all__ = ["LSTM", "LSTMMaths"]

# The fused loop stores the gates' rows o, i, f, g rather than PyTorch's i, f, g, o: the
# sigmoid gates come first and together (one sigmoid call per step), and among them the gates
# that feed the cell come last, next to the candidate (one multiply by dc for i, f and g on
# the way back).  Where a row sits changes no row's value; it is derived from the spec here.
FUSED_ORDER = tuple(g.name for g in sorted(GATES, key=lambda g: (g.activation != "sigmoid",
                                                                   g.feeds == "c")))
_GATE = by_name(GATES)


class LSTMMaths(CellMaths):
    """The LSTM's part of the fused loop: four gate blocks and a cell state."""

    kind = "lstm"
    blocks = FUSED_ORDER
    # each gate's local derivative, and "c": o ⊙ (1 − tanh²(c_t)), the cell path's own factor
    local_blocks = FUSED_ORDER + ("c",)
    has_cell = True

    def __init__(self, input_size, hidden_size):
        super().__init__(input_size, hidden_size)
        H = hidden_size
        # the rows of PyTorch's stacked weights, in the fused order, and back
        every = np.arange(len(GATES) * H)
        self.fused = np.concatenate([every[rows(GATES, n, H)] for n in self.blocks])
        self.unfused = np.argsort(self.fused)
        self.sigmoids = self.span([n for n in self.blocks if _GATE[n].activation == "sigmoid"])
        self.cell_gates = self.span([n for n in self.blocks if _GATE[n].feeds == "c"])

    def weights(self, p):
        return super().weights(p)[..., self.fused, :]

    def grads(self, dW):
        return super().grads(dW[..., self.unfused, :])

    def step(self, t, bufs):
        a = bufs.A[t]
        sigmoid(a[:, self.sigmoids], out=a[:, self.sigmoids])  # i, f and o at once
        gate = self.split(a)
        i, f, g, o = gate["i"], gate["f"], gate["g"], gate["o"]
        np.tanh(g, out=g)
        c_prev, c, tanh_c = bufs.C[t], bufs.C[t + 1], bufs.tanh_C[t]
        np.multiply(f, c_prev, out=c)  # c_t = f ⊙ c_{t-1} + i ⊙ g
        c += np.multiply(i, g, out=bufs.work[0])
        np.tanh(c, out=tanh_c)
        np.multiply(o, tanh_c, out=bufs.Z[t + 1, :, self.D : self.D + self.H])  # h_t

    def local_derivatives(self, bufs):
        # With σ' = σ(1 − σ) and tanh' = 1 − g², each step's backward multiplies
        #   da_o = dh ⊙ [σ'(o) ⊙ tanh(c_t)],   dc += dh ⊙ [o − h_t ⊙ tanh(c_t)],
        #   da_i = dc ⊙ [σ'(i) ⊙ g],  da_f = dc ⊙ [σ'(f) ⊙ c_{t-1}],  da_g = dc ⊙ [tanh'(g) ⊙ i]
        # by the bracketed factors, which depend on no later step: all T steps at once here.
        A, local = bufs.A, bufs.local
        gate, factor = self.split(A), self.split(local, self.local_blocks)
        i, g, o = gate["i"], gate["g"], gate["o"]
        np.subtract(1, A[:, :, self.sigmoids], out=local[:, :, self.sigmoids])
        local[:, :, self.sigmoids] *= A[:, :, self.sigmoids]
        factor["o"] *= bufs.tanh_C
        factor["i"] *= g
        factor["f"] *= bufs.C[:-1]
        np.multiply(g, g, out=factor["g"])
        np.subtract(1, factor["g"], out=factor["g"])
        factor["g"] *= i
        # c_t reaches h_t through o ⊙ tanh(c_t): its derivative o(1 − tanh²(c_t)) is o − h ⊙ tanh
        h = bufs.Z[1:, :, self.D : self.D + self.H]
        np.multiply(h, bufs.tanh_C, out=factor["c"])
        np.subtract(o, factor["c"], out=factor["c"])

    def back_step(self, t, dh, da, bufs):
        local, dc = bufs.local[t], bufs.dc
        factor = self.split(local, self.local_blocks)
        np.multiply(factor["o"], dh, out=self.split(da)["o"])
        # The cell path adds: dc collects the h_t route on top of what came back from t+1.
        dc += np.multiply(factor["c"], dh, out=bufs.work[0])
        # i, f and g are the gates dc drives, contiguous: one multiply for the three.
        M, B = dc.shape[0], dc.shape[-1]
        np.multiply(local[:, self.cell_gates].reshape(M, -1, self.H, B), dc[:, None],
                    out=da[:, self.cell_gates].reshape(M, -1, self.H, B))
        dc *= self.split(bufs.A[t])["f"]  # c_{t-1} reaches c_t only through f_t
        return None


class LSTM(RecurrentModel):
    """A single-layer, unidirectional, time-major LSTM with PyTorch's parameter layout.

    Args:
        input_size, hidden_size, seed, dtype: as in :class:`whiteboard.models.rnn.RNN`.
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
    _torch_name = "LSTM"

    def __init__(self, input_size, hidden_size, *, seed=0, dtype=np.float64, forget_bias=0.0):
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        self.forget_bias = float(forget_bias)
        if not np.isfinite(self.forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        forget = rows(GATES, "f", self.hidden_size)
        self._params["bias_ih_l0"][forget] = self.forget_bias
        self._params["bias_hh_l0"][forget] = 0.0

    def maths(self) -> LSTMMaths:
        return LSTMMaths(self.input_size, self.hidden_size)

    def config(self):
        return {"seed": self.seed, "forget_bias": self.forget_bias}
