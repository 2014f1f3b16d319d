"""The LSTM as a whole-sequence model: the fused forward and backward loops.

``LSTM`` computes exactly what the readable step functions of
``whiteboard.cells.lstm`` (lstm_step, lstm_step_backward) compute, step after step,
only faster: it stacks the matrix products of all steps where it can.
``tests/test_cells.py`` proves the two equal (forward, backward and every gradient).
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.lstm import GATES
from whiteboard.cells.spec import names
from whiteboard.models.base import RecurrentModel, Trace, column_buffers, time_major

__all__ = ["LSTM"]


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

    # Inside forward and backward the gate blocks are reordered so that the sigmoid gates
    # are contiguous (one activation call per step), and among them those that feed the cell
    # come last, next to the candidate (one multiply by dc per step): o, i, f, g.
    # ``_perm`` maps internal rows to PyTorch rows.
    _order = tuple(g.block for g in sorted(
        GATES, key=lambda g: (g.activation != "sigmoid", g.feeds == "c")))

    def __init__(self, input_size, hidden_size, *, seed=0, dtype=np.float64, forget_bias=0.0):
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        self.forget_bias = float(forget_bias)
        if not np.isfinite(self.forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        H = self.hidden_size
        self._params["bias_ih_l0"][H : 2 * H] = self.forget_bias
        self._params["bias_hh_l0"][H : 2 * H] = 0.0
        self._perm = np.concatenate([np.arange(k * H, (k + 1) * H) for k in self._order])
        self._unperm = np.argsort(self._perm)

    def _config(self):
        return {"seed": self.seed, "forget_bias": self.forget_bias}

    def forward(self, X, h0=None, c0=None) -> Trace:
        """Run the LSTM over a sequence.

        Args:
            X: (T, B, D), or (T, D) for a single sequence (the trace then has B = 1).
            h0: (B, H) initial hidden state (also (1, B, H)); zeros when omitted.
            c0: (B, H) initial cell state (also (1, B, H)); zeros when omitted.

        Returns:
            Trace with ``h`` and ``c`` (T, B, H), ``gates`` i, f, g, o each (T, B, H), ``x``,
            ``h0`` and ``c0``. The (T, B, H) arrays are views into the loop's buffers, which
            are stored unit-major, (T, H, B); copy them before writing into them.
        """
        X, h0, c0, was_2d = self._check_inputs(X, h0, c0, has_cell=True)
        p = self._params
        T, B, D = X.shape
        H = self.hidden_size
        # The loop works on columns, as the maths does: a_t = [U | W | b] [x_t; h_{t-1}; 1].
        # One matmul per step gives all four gates, and every gate is a contiguous (H, B)
        # block, which numpy's elementwise loops handle several times faster than a strided
        # column slice of a (B, 4H) array.
        W = np.concatenate(
            [p["weight_ih_l0"], p["weight_hh_l0"], (p["bias_ih_l0"] + p["bias_hh_l0"])[:, None]],
            axis=1,
        )[self._perm]
        # σ(a) = ½(1 + tanh(a/2)): halving the sigmoid rows (exact, a power of two) lets one
        # tanh call serve all four gates.
        W_half = W.copy()
        W_half[: 3 * H] *= 0.5
        # A: gate activations, rows o, i, f, g; C[t] = c_t from c_0.
        Z, (A, C, tanh_C) = column_buffers(
            X, h0, [(T, 4 * H, B), (T + 1, H, B), (T, H, B)], self.dtype
        )
        C[0] = c0.T
        ig = np.empty((H, B), self.dtype)
        for t in range(T):
            a = np.matmul(W_half, Z[t], out=A[t])
            np.tanh(a, out=a)
            sig = a[: 3 * H]
            sig *= 0.5
            sig += 0.5
            o, i, f, g = a[:H], a[H : 2 * H], a[2 * H : 3 * H], a[3 * H :]
            c = np.multiply(f, C[t], out=C[t + 1])
            c += np.multiply(i, g, out=ig)
            np.tanh(c, out=tanh_C[t])
            np.multiply(o, tanh_C[t], out=Z[t + 1, D : D + H])

        gates = {name: time_major(A[:, k * H : (k + 1) * H])
                 for name, k in (("i", 1), ("f", 2), ("g", 3), ("o", 0))}
        cache = {"acts": A, "c": C, "tanh_c": tanh_C, "z": Z, "w": W}
        return Trace("lstm", X, h0, time_major(Z[1:, D : D + H]), gates, c0=c0,
                     c=time_major(C[1:]), was_2d=was_2d, cache=cache)

    def backward(self, trace: Trace, dh, dc_last=None) -> dict:
        """Backpropagation through time (equations in the module docstring).

        Args:
            trace: from ``forward`` of this model.
            dh: (T, B, H) ∂L/∂h_t, the loss's direct gradient on each h_t ((T, H) is accepted
                when the forward input was (T, D)).
            dc_last: optional (B, H) gradient on the final cell state c_T.

        Returns:
            dict with ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (shapes
            as in ``state_dict()``), ``x`` (T, B, D), ``h0`` (B, H) and ``c0`` (B, H).
        """
        dh, dc_last = self._check_backward(trace, dh, dc_last, has_cell=True)
        T, B, H = trace.h.shape
        D = trace.x.shape[2]
        A, C, tanh_C, Z, W = (trace.cache[k] for k in ("acts", "c", "tanh_c", "z", "w"))
        o, i, f, g = (A[:, k * H : (k + 1) * H] for k in range(4))

        # Only (H, B)-sized work buffers: on many machines a fresh multi-megabyte temporary
        # costs more in page faults than the arithmetic done in it.
        W_back = W[:, : D + H].T.copy()  # (D+H, 4H): sends da_t back to x_t and h_{t-1}
        da = np.empty((4 * H, B), self.dtype)  # ∂L/∂a_t, rows o, i, f, g
        da_o, da_ifg = da[:H], da[H:].reshape(3, H, B)
        da_i, da_f, da_g = da_ifg
        dz = np.empty((D + H, B), self.dtype)  # [∂L/∂x_t; ∂L/∂h_{t-1}] from step t
        dX = np.empty((T, B, D), self.dtype)
        dW = np.zeros_like(W)  # Σ_t da_t [x_t; h_{t-1}; 1]^T: all weights and biases at once
        dW_t = np.empty_like(W)
        dh_t = dh[T - 1].T.copy()
        dc = np.zeros((H, B), self.dtype) if dc_last is None else dc_last.T.copy()
        tmp = np.empty((H, B), self.dtype)
        for t in range(T - 1, -1, -1):
            # Local derivatives first: σ' = σ(1 - σ) for o, i, f and tanh' = 1 - g² for g.
            np.subtract(1, A[t, : 3 * H], out=da[: 3 * H])
            da[: 3 * H] *= A[t, : 3 * H]
            np.multiply(g[t], g[t], out=da_g)
            np.subtract(1, da_g, out=da_g)
            # do_t = dh_t ⊙ tanh(c_t)
            da_o *= tanh_C[t]
            da_o *= dh_t
            # The cell path adds, so dc accumulates the h_t route, dh_t ⊙ o_t ⊙ (1 - tanh²(c_t)),
            # on top of what came back from step t+1; o_t tanh²(c_t) is h_t tanh(c_t).
            np.multiply(Z[t + 1, D:-1], tanh_C[t], out=tmp)
            np.subtract(o[t], tmp, out=tmp)
            tmp *= dh_t
            dc += tmp
            # di = dc ⊙ g, df = dc ⊙ c_{t-1}, dg = dc ⊙ i, each times its local derivative.
            da_i *= g[t]
            da_f *= C[t]
            da_g *= i[t]
            da_ifg *= dc
            dc *= f[t]  # c_{t-1} reaches c_t only through f_t
            np.matmul(W_back, da, out=dz)
            dX[t] = dz[:D].T
            dW += np.matmul(da, Z[t].T, out=dW_t)
            if t:
                np.add(dz[D:], dh[t - 1].T, out=dh_t)  # h_{t-1} feeds the loss and step t

        dW = dW[self._unperm]
        return {
            "weight_ih_l0": np.ascontiguousarray(dW[:, :D]),
            "weight_hh_l0": np.ascontiguousarray(dW[:, D : D + H]),
            "bias_ih_l0": dW[:, D + H].copy(),
            "bias_hh_l0": dW[:, D + H].copy(),
            "x": dX,
            "h0": dz[D:].T.copy(),
            "c0": dc.T.copy(),
        }
