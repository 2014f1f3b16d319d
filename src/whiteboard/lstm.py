"""The LSTM: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; gate order i, f, g, o in every stacked weight; for each gate k,
U_k is its (H, D) slice of weight_ih_l0, W_k its (H, H) slice of weight_hh_l0 and b_k the sum
of its slices of bias_ih_l0 and bias_hh_l0):

    i_t = σ(U_i x_t + W_i h_{t-1} + b_i)        input gate
    f_t = σ(U_f x_t + W_f h_{t-1} + b_f)        forget gate
    g_t = tanh(U_g x_t + W_g h_{t-1} + b_g)     candidate (NPTEL's s̃_t)
    o_t = σ(U_o x_t + W_o h_{t-1} + b_o)        output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t             cell state (NPTEL's s_t)
    h_t = o_t ⊙ tanh(c_t)

Backward, with dh_t the total gradient on h_t and dc_t the total gradient on c_t:

    do_t = dh_t ⊙ tanh(c_t)
    dc_t = dc_t(from step t+1) + dh_t ⊙ o_t ⊙ (1 - tanh²(c_t))
    di_t = dc_t ⊙ g_t,   dg_t = dc_t ⊙ i_t,   df_t = dc_t ⊙ c_{t-1}
    dc_{t-1} (sent back) = dc_t ⊙ f_t
    dh_{t-1} (sent back) = Σ_k W_k^T (dk_t ⊙ k'(a_k,t))

The cell path only multiplies by f_t on the way back, so when the forget gates stay near 1
the gradient survives many steps; that is the LSTM's answer to vanishing gradients.
"""

from __future__ import annotations

import numpy as np

from whiteboard.activations import sigmoid
from whiteboard.cell import RecurrentModel, Trace, stack_previous

__all__ = ["LSTM", "lstm_step", "lstm_step_backward"]


def _gate(x, h_prev, p, k, H):
    """Pre-activation U_k x + W_k h_prev + b_k of gate block k (0..3 = i, f, g, o)."""
    rows = slice(k * H, (k + 1) * H)
    return (
        x @ p["weight_ih_l0"][rows].T
        + h_prev @ p["weight_hh_l0"][rows].T
        + p["bias_ih_l0"][rows]
        + p["bias_hh_l0"][rows]
    )


def lstm_step(x, h_prev, c_prev, p):
    """One LSTM step (equations in the module docstring).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous hidden state h_{t-1}.
        c_prev: (B, H) previous cell state c_{t-1}.
        p: parameters keyed like ``state_dict()``: weight_ih_l0 (4H, D), weight_hh_l0 (4H, H),
            bias_ih_l0 (4H,), bias_hh_l0 (4H,), gate order i, f, g, o.

    Returns:
        ``(h, c, cache)``: h and c are (B, H); cache holds what ``lstm_step_backward`` needs.
    """
    H = h_prev.shape[1]
    i = sigmoid(_gate(x, h_prev, p, 0, H))
    f = sigmoid(_gate(x, h_prev, p, 1, H))
    g = np.tanh(_gate(x, h_prev, p, 2, H))
    o = sigmoid(_gate(x, h_prev, p, 3, H))
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "o": o,
             "tanh_c": tanh_c, "p": p}
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Backward through one LSTM step.

    Args:
        dh: (B, H) total gradient on h_t (the loss's term plus what step t+1 sent back).
        dc: (B, H) gradient on c_t arriving from step t+1 (zeros at the last step).
        cache: from ``lstm_step``.

    Returns:
        dict with ``x`` (B, D), ``h_prev`` (B, H), ``c_prev`` (B, H) and the four parameter
        gradients (shapes as in ``state_dict()``) of this step alone.
    """
    i, f, g, o, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    p = cache["p"]
    do = dh * tanh_c
    # c_t reaches the loss twice: directly along the cell path and through h_t = o ⊙ tanh(c_t).
    dc = dc + dh * o * (1 - tanh_c**2)
    di = dc * g
    df = dc * cache["c_prev"]
    dg = dc * i
    # Gradients on the pre-activations, in the stacked order i, f, g, o.
    da = np.concatenate(
        [di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1
    )
    db = da.sum(axis=0)
    return {
        "x": da @ p["weight_ih_l0"],
        "h_prev": da @ p["weight_hh_l0"],
        "c_prev": dc * f,  # the cell path: c_{t-1} reaches c_t only through f_t
        "weight_ih_l0": da.T @ cache["x"],
        "weight_hh_l0": da.T @ cache["h_prev"],
        "bias_ih_l0": db,
        "bias_hh_l0": db.copy(),
    }


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
    gate_names = ("i", "f", "g", "o")
    _num_gates = 4
    _torch_name = "LSTM"

    # Internally the gate blocks are reordered to o, i, f, g: then the three sigmoid gates are
    # contiguous (one activation call in the forward loop) and so are the three gates driven by
    # dc (one multiply in the backward loop). ``_perm`` maps internal rows to PyTorch rows.
    _order = (3, 0, 1, 2)

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
            Trace with ``h`` and ``c`` (T, B, H), ``gates`` i, f, g, o each (T, B, H) (views
            into one buffer), ``x``, ``h0`` and ``c0``.
        """
        X, h0, c0, was_2d = self._check_inputs(X, h0, c0, has_cell=True)
        p = self._params
        T, B, D = X.shape
        H = self.hidden_size
        W_ih, W_hh = p["weight_ih_l0"][self._perm], p["weight_hh_l0"][self._perm]
        bias = (p["bias_ih_l0"] + p["bias_hh_l0"])[self._perm]
        # σ(a) = ½(1 + tanh(a/2)): halving the sigmoid rows of the weights (exact, a power of
        # two) lets one tanh call over all 4H columns serve every gate.
        scale = np.ones((4 * H, 1), self.dtype)
        scale[: 3 * H] = 0.5
        A = (X.reshape(T * B, D) @ (W_ih * scale).T).reshape(T, B, 4 * H)
        A += bias * scale[:, 0]
        W_hh_T = (W_hh * scale).T.copy()
        C = np.empty((T, B, H), self.dtype)
        tanh_C = np.empty_like(C)
        Hs = np.empty_like(C)
        ig = np.empty((B, H), self.dtype)
        h, c = h0, c0
        for t in range(T):
            a = A[t]
            a += h @ W_hh_T
            np.tanh(a, out=a)
            sig = a[:, : 3 * H]
            sig *= 0.5
            sig += 0.5
            o, i, f, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            c = np.multiply(f, c, out=C[t])
            c += np.multiply(i, g, out=ig)
            np.tanh(c, out=tanh_C[t])
            h = np.multiply(o, tanh_C[t], out=Hs[t])
        gates = {"i": A[..., H : 2 * H], "f": A[..., 2 * H : 3 * H], "g": A[..., 3 * H :],
                 "o": A[..., :H]}
        cache = {"acts": A, "tanh_c": tanh_C, "weight_ih": W_ih, "weight_hh": W_hh}
        return Trace("lstm", X, h0, Hs, gates, c0=c0, c=C, was_2d=was_2d, cache=cache)

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
        acts, tanh_C = trace.cache["acts"], trace.cache["tanh_c"]
        o, i, f, g = (acts[..., k * H : (k + 1) * H] for k in range(4))
        c_prev = stack_previous(trace.c0, trace.c)

        # Every factor that does not depend on the incoming gradient is computed for all steps
        # at once, leaving the loop a handful of (B, H) operations.
        dact = acts * (1 - acts)  # σ' for o, i, f (from the outputs)
        dact[..., 3 * H :] = 1 - g * g  # tanh' for g
        dact[..., :H] *= tanh_C  # ∂h/∂a_o = tanh(c) σ'(a_o)
        dact[..., H : 2 * H] *= g  # ∂c/∂a_i = g σ'(a_i)
        dact[..., 2 * H : 3 * H] *= c_prev  # ∂c/∂a_f = c_{t-1} σ'(a_f)
        dact[..., 3 * H :] *= i  # ∂c/∂a_g = i tanh'(a_g)
        dc_dh = o * (1 - tanh_C * tanh_C)  # ∂h_t/∂c_t
        dact4 = dact.reshape(T, B, 4, H)

        dA = np.empty_like(acts)  # ∂L/∂a_t, internal gate order o, i, f, g
        dA4 = dA.reshape(T, B, 4, H)
        W_hh = trace.cache["weight_hh"]
        dh_t = np.zeros((B, H), self.dtype)
        dc = np.zeros((B, H), self.dtype) if dc_last is None else dc_last.copy()
        tmp = np.empty((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            dh_t += dh[t]  # h_t feeds both the loss and step t+1
            np.multiply(dh_t, dact[t, :, :H], out=dA[t, :, :H])
            # The cell path adds, so dc accumulates the h_t route on top of what came from t+1.
            dc += np.multiply(dh_t, dc_dh[t], out=tmp)
            np.multiply(dc[:, None, :], dact4[t, :, 1:], out=dA4[t, :, 1:])
            dc *= f[t]  # c_{t-1} reaches c_t only through f_t
            dh_t = dA[t] @ W_hh

        dA2 = dA.reshape(T * B, 4 * H)
        h_prev = stack_previous(trace.h0, trace.h)
        db = dA2.sum(axis=0)[self._unperm]
        return {
            "weight_ih_l0": (dA2.T @ trace.x.reshape(T * B, D))[self._unperm],
            "weight_hh_l0": (dA2.T @ h_prev.reshape(T * B, H))[self._unperm],
            "bias_ih_l0": db,
            "bias_hh_l0": db.copy(),
            "x": (dA2 @ trace.cache["weight_ih"]).reshape(T, B, D),
            "h0": dh_t,
            "c0": dc,
        }
