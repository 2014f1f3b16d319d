"""The vanilla (Elman) RNN: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; U = weight_ih_l0, W = weight_hh_l0, b = bias_ih_l0 + bias_hh_l0):

    a_t = U x_t + W h_{t-1} + b          pre-activation
    h_t = f(a_t)                         f = tanh (default), relu or the logistic σ

The book's NPTEL notation writes the same thing as s_t = σ(U x_t + W s_{t-1} + b).

Backward, for dh_t = ∂L/∂h_t coming from the loss at step t:

    δ_t      = (dh_t + W^T δ_{t+1}) ⊙ f'(a_t)     δ_t = ∂L/∂a_t, with δ_{T+1} = 0
    ∂L/∂U    = Σ_t δ_t x_t^T,   ∂L/∂W = Σ_t δ_t h_{t-1}^T,   ∂L/∂b = Σ_t δ_t
    ∂L/∂x_t  = U^T δ_t,         ∂L/∂h_0 = W^T δ_1

The factor f'(a_t) W on every step is why gradients vanish or explode over long spans.
Shapes: x_t (B, D), h_t (B, H), U (H, D), W (H, H); rows are batch elements, so U x_t is
written ``x @ U.T`` in code.
"""

from __future__ import annotations

import numpy as np

from whiteboard.activations import ACTIVATIONS
from whiteboard.cell import RecurrentModel, Trace, column_buffers, time_major

__all__ = ["RNN", "rnn_step", "rnn_step_backward"]


def rnn_step(x, h_prev, p, nonlinearity="tanh"):
    """One RNN step: h_t = f(U x_t + W h_{t-1} + b).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous hidden state h_{t-1}.
        p: parameters keyed like ``state_dict()``: weight_ih_l0 (H, D), weight_hh_l0 (H, H),
            bias_ih_l0 (H,), bias_hh_l0 (H,).
        nonlinearity: "tanh", "relu" or "sigmoid".

    Returns:
        ``(h, cache)``: h (B, H) is h_t; cache holds what ``rnn_step_backward`` needs.
    """
    f, _ = ACTIVATIONS[nonlinearity]
    a = x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_ih_l0"] + p["bias_hh_l0"]
    h = f(a)
    return h, {"x": x, "h_prev": h_prev, "a": a, "h": h, "p": p, "nonlinearity": nonlinearity}


def rnn_step_backward(dh, cache):
    """Backward through one RNN step.

    Args:
        dh: (B, H) the total gradient ∂L/∂h_t: the loss's own term plus what step t+1 sent back.
        cache: from ``rnn_step``.

    Returns:
        dict with ``x`` (B, D), ``h_prev`` (B, H) and the four parameter gradients (shapes as
        in ``state_dict()``) of this step alone.
    """
    _, f_prime = ACTIVATIONS[cache["nonlinearity"]]
    p = cache["p"]
    da = dh * f_prime(cache["h"])  # δ_t = ∂L/∂a_t
    return {
        "x": da @ p["weight_ih_l0"],
        "h_prev": da @ p["weight_hh_l0"],
        "weight_ih_l0": da.T @ cache["x"],
        "weight_hh_l0": da.T @ cache["h_prev"],
        "bias_ih_l0": da.sum(axis=0),
        "bias_hh_l0": da.sum(axis=0),
    }


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
    gate_names = ()
    _num_gates = 1
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
