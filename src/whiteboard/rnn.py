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
from whiteboard.cell import RecurrentModel, Trace, stack_previous

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
            empty ``gates`` dict.
        """
        X, h0, _, was_2d = self._check_inputs(X, h0, c0, has_cell=False)
        p = self._params
        T, B, D = X.shape
        H = self.hidden_size
        f, _ = ACTIVATIONS[self.nonlinearity]
        # The input projections do not depend on h, so all T of them are one matmul.
        A = (X.reshape(T * B, D) @ p["weight_ih_l0"].T).reshape(T, B, H)
        A += p["bias_ih_l0"] + p["bias_hh_l0"]
        W_hh_T = p["weight_hh_l0"].T.copy()
        Hs = np.empty_like(A)
        h = h0
        for t in range(T):
            A[t] += h @ W_hh_T
            h = f(A[t], out=Hs[t])
        # Snapshot the weights so backward differentiates the forward that actually ran.
        cache = {"weight_ih": p["weight_ih_l0"].copy(), "weight_hh": p["weight_hh_l0"].copy()}
        return Trace("rnn", X, h0, Hs, {}, a=A, was_2d=was_2d, cache=cache)

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
        W_ih, W_hh = trace.cache["weight_ih"], trace.cache["weight_hh"]
        T, B, H = trace.h.shape
        D = trace.x.shape[2]
        dA = f_prime(trace.h)  # f'(a_t) for every t at once; overwritten by δ_t below
        dh_next = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            # h_t feeds the loss and step t+1, so both gradients add before going through f'.
            dh_next += dh[t]
            dA[t] *= dh_next
            dh_next = dA[t] @ W_hh
        dA2 = dA.reshape(T * B, H)
        db = dA2.sum(axis=0)
        # Weight gradients summed over all steps are single matmuls over the stacked T*B rows.
        return {
            "weight_ih_l0": dA2.T @ trace.x.reshape(T * B, D),
            "weight_hh_l0": dA2.T @ stack_previous(trace.h0, trace.h).reshape(T * B, H),
            "bias_ih_l0": db,
            "bias_hh_l0": db.copy(),
            "x": (dA2 @ W_ih).reshape(T, B, D),
            "h0": dh_next,
        }
