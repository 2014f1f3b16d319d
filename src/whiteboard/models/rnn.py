"""The vanilla (Elman) RNN as a whole-sequence model: the fused forward and backward loops.

``RNN`` computes exactly what the readable step functions of
``whiteboard.cells.rnn`` (rnn_step, rnn_step_backward) compute, step after step,
only faster: it stacks the matrix products of all steps where it can.
``tests/test_cells.py`` proves the two equal (forward, backward and every gradient).
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.activations import ACTIVATIONS
from whiteboard.cells.rnn import GATES
from whiteboard.cells.spec import names
from whiteboard.models.base import RecurrentModel, Trace, column_buffers, time_major

__all__ = ["RNN"]


class RNN(RecurrentModel):
    """A single-layer, unidirectional, time-major RNN with PyTorch's parameter layout.

    Args:
        input_size: D, features per step.
        hidden_size: H, hidden units.
        seed: seed of ``np.random.default_rng`` for the PyTorch-style initialisation.
        dtype: np.float32 or np.float64.
        nonlinearity: "tanh" (default), "relu" or "sigmoid" (the logistic σ of the NPTEL
            lectures; PyTorch has no such option, so such a model has no torch twin).

    Example:
        >>> rnn = RNN(3, 4, seed=0)
        >>> trace = rnn.forward(np.ones((5, 2, 3)))   # T=5, B=2, D=3
        >>> trace.h.shape, trace.a.shape
        ((5, 2, 4), (5, 2, 4))
    """

    kind = "rnn"
    gate_names = names(GATES)
    _num_gates = 1  # one block of weights, though no gate
    _torch_name = "RNN"

    def __init__(self, input_size, hidden_size, *, seed=0, dtype=np.float64, nonlinearity="tanh"):
        if nonlinearity not in ACTIVATIONS:
            raise ValueError(
                f"nonlinearity must be one of {sorted(ACTIVATIONS)}, got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)

    def _config(self):
        return {"seed": self.seed, "nonlinearity": self.nonlinearity}

    @classmethod
    def _config_from_torch(cls, module):
        return {"nonlinearity": module.nonlinearity}

    def forward(self, X, h0=None, c0=None) -> Trace:
        """Run the RNN over a sequence.

        Args:
            X: (T, B, D), or (T, D) for a single sequence (the trace then has B = 1).
            h0: (B, H) initial hidden state (also (1, B, H)); zeros when omitted.
            c0: must be None (an RNN has no cell state).

        Returns:
            Trace with ``h`` (T, B, H), pre-activations ``a`` (T, B, H), ``x``, ``h0`` and an
            empty ``gates`` dict. ``h`` and ``a`` are views into the loop's unit-major
            (T, H, B) buffers; copy them before writing into them.
        """
        X, h0, _, was_2d = self._check_inputs(X, h0, c0, has_cell=False)
        T, B, D = X.shape
        H = self.hidden_size
        f, _ = ACTIVATIONS[self.nonlinearity]
        W = self._stacked_weights()
        Z, (A,) = column_buffers(X, h0, [(T, H, B)], self.dtype)
        for t in range(T):
            a = np.matmul(W, Z[t], out=A[t])  # a_t = [U | W | b] [x_t; h_{t-1}; 1]
            f(a, out=Z[t + 1, D:-1])  # h_t, which is also part of the next step's input column
        # W is kept so that backward differentiates the forward that actually ran, even if an
        # optimiser has changed the parameters since.
        return Trace("rnn", X, h0, time_major(Z[1:, D:-1]), {}, a=time_major(A),
                     was_2d=was_2d, cache={"z": Z, "w": W})

    def _stacked_weights(self) -> np.ndarray:
        """(H, D+H+1) the matrix [U | W | b] that multiplies the column [x_t; h_{t-1}; 1]."""
        p = self._params
        b = (p["bias_ih_l0"] + p["bias_hh_l0"])[:, None]
        return np.concatenate([p["weight_ih_l0"], p["weight_hh_l0"], b], axis=1)

    def backward(self, trace: Trace, dh, dc_last=None) -> dict:
        """Backpropagation through time (equations in the module docstring).

        Args:
            trace: from ``forward`` of this model.
            dh: (T, B, H) ∂L/∂h_t, the loss's direct gradient on each h_t ((T, H) is accepted
                when the forward input was (T, D)).
            dc_last: must be None (an RNN has no cell state).

        Returns:
            dict with ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (shapes
            as in ``state_dict()``), ``x`` (T, B, D) and ``h0`` (B, H).
        """
        dh, _ = self._check_backward(trace, dh, dc_last, has_cell=False)
        _, f_prime = ACTIVATIONS[self.nonlinearity]
        T, B, H = trace.h.shape
        D = trace.x.shape[2]
        Z, W = trace.cache["z"], trace.cache["w"]
        W_back = W[:, :-1].T.copy()  # (D+H, H): sends δ_t back to x_t and h_{t-1}
        da = np.empty((H, B), self.dtype)  # δ_t = ∂L/∂a_t
        dz = np.empty((D + H, B), self.dtype)  # [∂L/∂x_t; ∂L/∂h_{t-1}] from step t
        dX = np.empty((T, B, D), self.dtype)
        dW = np.zeros_like(W)  # Σ_t δ_t [x_t; h_{t-1}; 1]^T: all weights and the bias at once
        dW_t = np.empty_like(W)
        dh_t = dh[T - 1].T.copy()
        for t in range(T - 1, -1, -1):
            f_prime(Z[t + 1, D:-1], out=da)  # f'(a_t) from the stored h_t
            da *= dh_t
            np.matmul(W_back, da, out=dz)
            dX[t] = dz[:D].T
            dW += np.matmul(da, Z[t].T, out=dW_t)
            if t:
                # h_{t-1} feeds both the loss and step t, so both gradients add.
                np.add(dz[D:], dh[t - 1].T, out=dh_t)
        return {
            "weight_ih_l0": np.ascontiguousarray(dW[:, :D]),
            "weight_hh_l0": np.ascontiguousarray(dW[:, D:-1]),
            "bias_ih_l0": dW[:, -1].copy(),
            "bias_hh_l0": dW[:, -1].copy(),
            "x": dX,
            "h0": dz[D:].T.copy(),
        }
