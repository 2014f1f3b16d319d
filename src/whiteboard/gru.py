"""The GRU: one step, the unrolled sequence, and backpropagation through time.

Equations (PyTorch's form; gate order r, z, n in every stacked weight; U_k, W_k are gate k's
slices of weight_ih_l0 and weight_hh_l0; the candidate keeps its two biases apart because the
reset gate multiplies only the recurrent part):

    r_t = σ(U_r x_t + W_r h_{t-1} + b_ir + b_hr)          reset gate
    z_t = σ(U_z x_t + W_z h_{t-1} + b_iz + b_hz)          update gate
    n_t = tanh(U_n x_t + b_in + r_t ⊙ (W_n h_{t-1} + b_hn))   candidate
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

Here z_t is the share of the *old* state that is kept. The NPTEL lectures write the same cell
as s_t = (1 - i_t) ⊙ s_{t-1} + i_t ⊙ s̃_t, where i_t is the share of the *new* candidate:
i_t = 1 - z_t. The direction of the gate flips between the two (see ``whiteboard.nptel``).

Backward, with dh_t the total gradient on h_t and m_t = W_n h_{t-1} + b_hn:

    dn_t = dh_t ⊙ (1 - z_t),   dz_t = dh_t ⊙ (h_{t-1} - n_t)
    da_n = dn_t ⊙ (1 - n_t²),  dr_t = da_n ⊙ m_t,   dm_t = da_n ⊙ r_t
    dh_{t-1} = dh_t ⊙ z_t + W_r^T da_r + W_z^T da_z + W_n^T dm_t
"""

from __future__ import annotations

import numpy as np

from whiteboard.activations import sigmoid
from whiteboard.cell import RecurrentModel, Trace, stack_previous

__all__ = ["GRU", "gru_step", "gru_step_backward"]


def gru_step(x, h_prev, p):
    """One GRU step (equations in the module docstring).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous hidden state h_{t-1}.
        p: parameters keyed like ``state_dict()``: weight_ih_l0 (3H, D), weight_hh_l0 (3H, H),
            bias_ih_l0 (3H,), bias_hh_l0 (3H,), gate order r, z, n.

    Returns:
        ``(h, cache)``: h (B, H) is h_t; cache holds what ``gru_step_backward`` needs.
    """
    H = h_prev.shape[1]
    gx = x @ p["weight_ih_l0"].T + p["bias_ih_l0"]  # (B, 3H) input parts of r, z, n
    gh = h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]  # (B, 3H) recurrent parts
    r = sigmoid(gx[:, :H] + gh[:, :H])
    z = sigmoid(gx[:, H : 2 * H] + gh[:, H : 2 * H])
    m = gh[:, 2 * H :]  # W_n h_{t-1} + b_hn, the part the reset gate scales
    n = np.tanh(gx[:, 2 * H :] + r * m)
    h = (1 - z) * n + z * h_prev
    cache = {"x": x, "h_prev": h_prev, "r": r, "z": z, "n": n, "m": m, "p": p}
    return h, cache


def gru_step_backward(dh, cache):
    """Backward through one GRU step.

    Args:
        dh: (B, H) total gradient on h_t (the loss's term plus what step t+1 sent back).
        cache: from ``gru_step``.

    Returns:
        dict with ``x`` (B, D), ``h_prev`` (B, H) and the four parameter gradients (shapes as
        in ``state_dict()``) of this step alone.
    """
    r, z, n, m, h_prev, p = (cache[k] for k in ("r", "z", "n", "m", "h_prev", "p"))
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    da_n = dn * (1 - n**2)
    dr = da_n * m
    da_r = dr * r * (1 - r)
    da_z = dz * z * (1 - z)
    dgx = np.concatenate([da_r, da_z, da_n], axis=1)  # ∂L/∂(U x + b_i), order r, z, n
    # The reset gate sits between W_n h and the candidate, so the recurrent part of n gets
    # da_n ⊙ r, while the input part gets da_n itself.
    dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)
    return {
        "x": dgx @ p["weight_ih_l0"],
        "h_prev": dh * z + dgh @ p["weight_hh_l0"],
        "weight_ih_l0": dgx.T @ cache["x"],
        "weight_hh_l0": dgh.T @ h_prev,
        "bias_ih_l0": dgx.sum(axis=0),
        "bias_hh_l0": dgh.sum(axis=0),
    }


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
    gate_names = ("r", "z", "n")
    _num_gates = 3
    _torch_name = "GRU"

    def forward(self, X, h0=None, c0=None) -> Trace:
        """Run the GRU over a sequence.

        Args:
            X: (T, B, D), or (T, D) for a single sequence (the trace then has B = 1).
            h0: (B, H) initial hidden state (also (1, B, H)); zeros when omitted.
            c0: must be None (a GRU has no cell state).

        Returns:
            Trace with ``h`` (T, B, H), ``gates`` r, z, n each (T, B, H) (views into one
            buffer), ``x`` and ``h0``.
        """
        X, h0, _, was_2d = self._check_inputs(X, h0, c0, has_cell=False)
        p = self._params
        T, B, D = X.shape
        H = self.hidden_size
        # σ(a) = ½(1 + tanh(a/2)): halving the r and z rows (exact, a power of two) turns
        # both sigmoids into a single tanh call per step.
        scale = np.ones((3 * H, 1), self.dtype)
        scale[: 2 * H] = 0.5
        # All T input projections at once; b_hr and b_hz join the input side, b_hn cannot
        # because the reset gate multiplies it.
        b_x = p["bias_ih_l0"].copy()
        b_x[: 2 * H] += p["bias_hh_l0"][: 2 * H]
        G = (X.reshape(T * B, D) @ (p["weight_ih_l0"] * scale).T).reshape(T, B, 3 * H)
        G += b_x * scale[:, 0]
        W_hh_T = (p["weight_hh_l0"] * scale).T.copy()
        b_hn = p["bias_hh_l0"][2 * H :]
        M = np.empty((T, B, H), self.dtype)  # m_t = W_n h_{t-1} + b_hn, needed by backward
        Hs = np.empty((T, B, H), self.dtype)
        gh = np.empty((B, 3 * H), self.dtype)
        h = h0
        for t in range(T):
            g = G[t]
            np.matmul(h, W_hh_T, out=gh)
            rz = g[:, : 2 * H]
            rz += gh[:, : 2 * H]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            r, z, n = g[:, :H], g[:, H : 2 * H], g[:, 2 * H :]
            m = np.add(gh[:, 2 * H :], b_hn, out=M[t])
            n += r * m
            np.tanh(n, out=n)
            # h_t = n + z ⊙ (h_{t-1} - n): the same convex mix with one multiply fewer.
            h_new = np.subtract(h, n, out=Hs[t])
            h_new *= z
            h_new += n
            h = h_new
        gates = {"r": G[..., :H], "z": G[..., H : 2 * H], "n": G[..., 2 * H :]}
        cache = {"acts": G, "m": M, "weight_ih": p["weight_ih_l0"].copy(),
                 "weight_hh": p["weight_hh_l0"].copy()}
        return Trace("gru", X, h0, Hs, gates, was_2d=was_2d, cache=cache)

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
        acts, M = trace.cache["acts"], trace.cache["m"]
        r, z, n = acts[..., :H], acts[..., H : 2 * H], acts[..., 2 * H :]
        h_prev = stack_previous(trace.h0, trace.h)

        # Factors independent of the incoming gradient, for all steps at once:
        # ∂h/∂a_r = (1 - z)(1 - n²) m σ'(a_r), ∂h/∂a_z = (h_{t-1} - n) σ'(a_z),
        # ∂h/∂a_n = (1 - z)(1 - n²).
        fac = np.empty_like(acts)
        np.multiply(1 - z, 1 - n * n, out=fac[..., 2 * H :])
        fac[..., :H] = fac[..., 2 * H :] * M * r * (1 - r)
        fac[..., H : 2 * H] = (h_prev - n) * z * (1 - z)

        dGx = np.empty_like(acts)  # ∂L/∂(U x + b_i) per gate
        dGh = np.empty_like(acts)  # ∂L/∂(W h + b_h) per gate
        W_hh = trace.cache["weight_hh"]
        dh_t = np.zeros((B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            dh_t += dh[t]  # h_t feeds both the loss and step t+1
            np.multiply(dh_t[:, None, :], fac[t].reshape(B, 3, H), out=dGx[t].reshape(B, 3, H))
            dGh[t, :, : 2 * H] = dGx[t, :, : 2 * H]
            np.multiply(dGx[t, :, 2 * H :], r[t], out=dGh[t, :, 2 * H :])
            # h_{t-1} reaches h_t directly through z_t and through every gate via W_hh.
            dh_prev = dGh[t] @ W_hh
            dh_prev += dh_t * z[t]
            dh_t = dh_prev

        dGx2, dGh2 = dGx.reshape(T * B, 3 * H), dGh.reshape(T * B, 3 * H)
        return {
            "weight_ih_l0": dGx2.T @ trace.x.reshape(T * B, D),
            "weight_hh_l0": dGh2.T @ h_prev.reshape(T * B, H),
            "bias_ih_l0": dGx2.sum(axis=0),
            "bias_hh_l0": dGh2.sum(axis=0),
            "x": (dGx2 @ trace.cache["weight_ih"]).reshape(T, B, D),
            "h0": dh_t,
        }
