"""Gradient flow through time in a plain RNN: Jacobians, the (γλ)^k bound, and a cliff.

Backpropagation through time multiplies, once per step back, by the one-step Jacobian

    J_j = ∂s_j/∂s_{j-1} = diag(σ'(a_j)) W,    so    ∂s_t/∂s_{t-k} = J_t J_{t-1} ⋯ J_{t-k+1}.

σ' is read off the stored state: tanh' = 1 − s², logistic' = s(1 − s), relu' = [s > 0].
Since ‖diag(σ'(a_j))‖ ≤ γ = max σ' (¼ for the logistic function, 1 for tanh and relu) and
‖W‖₂ = λ, the product obeys ‖∂s_t/∂s_{t-k}‖ ≤ (γλ)^k (Pascanu et al. 2013).  When γλ < 1
the gradient must vanish; when γλ > 1 the bound allows growth but does not force it.

The cliff of an exploding gradient is in :mod:`whiteboard.analysis.cliff`; how an input's
influence and the LSTM's cell path decay, in :func:`input_jacobian_norms` and
:func:`memory_path`.

Symbols: T steps, B batch, D input size, H hidden size, k steps back.
"""

from __future__ import annotations

import numpy as np

from whiteboard.checks import (
    as_sequence,
    check_index,
    check_scale,
    check_step,
)
from whiteboard.maths import ACTIVATIONS
from whiteboard.models.base import check_trace


def _check_rnn_trace(model, trace):
    if getattr(model, "kind", None) != "rnn":
        raise TypeError(f"expected a whiteboard RNN, got {type(model).__name__}")
    check_trace(model, trace)


__all__ = [
    "GAMMA",
    "backprop_signal",
    "gradient_flow",
    "gradient_bound",
    "input_jacobian_norms",
    "memory_path",
    "rnn_with_scale",
    "state_gradient_norms",
    "step_jacobians",
]

# γ = max over a of σ'(a): the best case of the per-step factor in the BPTT bound.
GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}


def rnn_with_scale(input_size, hidden_size, *, w_scale=1.0, u_scale=None, seed=0,
                   nonlinearity="tanh"):
    """An RNN whose recurrent weights have a chosen scale: W = w_scale · G / √H.

    G has independent standard normal entries, so the eigenvalues of W fill a disc of
    radius about ``w_scale`` (the circular law); its spectral norm ‖W‖₂ is about twice that.
    The other parameters keep the model's seeded PyTorch-style initialisation, unless
    ``u_scale`` is given, which makes U = u_scale · G' / √D.

    Args:
        input_size: D.
        hidden_size: H.
        w_scale: the scale of W, ≥ 0.
        u_scale: the scale of U, or None to keep the default initialisation.
        seed: seeds both the model and G, G'.
        nonlinearity: "tanh", "sigmoid" or "relu".

    Returns:
        a :class:`whiteboard.models.rnn.RNN`.
    """
    from whiteboard.models.rnn import RNN  # the model module; imported here to keep imports light

    w_scale = check_scale(w_scale, "w_scale")
    model = RNN(input_size, hidden_size, seed=seed, nonlinearity=nonlinearity)
    rng = np.random.default_rng([seed, 1])
    H, D = model.hidden_size, model.input_size
    params = model.parameters()
    params["weight_hh_l0"][...] = w_scale * rng.standard_normal((H, H)) / np.sqrt(H)
    if u_scale is not None:
        u_scale = check_scale(u_scale, "u_scale")
        params["weight_ih_l0"][...] = u_scale * rng.standard_normal((H, D)) / np.sqrt(D)
    return model


def step_jacobians(model, trace, b=0):
    """The one-step Jacobians J_j = ∂s_j/∂s_{j-1} = diag(σ'(a_j)) W of a forward pass.

    Args:
        model: the RNN that made ``trace``.
        trace: from ``model.forward``; ``trace.h`` (T, B, H).
        b: which sequence of the batch.

    Returns:
        (T, H, H) array; entry j-1 (0-based) is J_j, the Jacobian of step j.
    """
    _check_rnn_trace(model, trace)
    b = check_index(b, trace.h.shape[1], "b")
    _, f_prime = ACTIVATIONS[model.nonlinearity]
    slope = f_prime(trace.h[:, b])  # σ'(a_j) from the stored output s_j: (T, H)
    W = model.parameters()["weight_hh_l0"]  # the trace must come from these weights
    return slope[:, :, None] * W[None]


def state_gradient_norms(model, trace, t=-1, b=0):
    """‖∂s_t/∂s_{t-k}‖₂ for k = 0, 1, …, t (steps are 1-based: s_0 is the initial state).

    The product J_t ⋯ J_{t-k+1} is built one factor at a time, going back from step t,
    exactly as backpropagation through time carries an error signal.

    Args:
        model, trace, b: as in :func:`step_jacobians`.
        t: the step of the state looked at, 1..T; negative counts from the end (-1 = T).

    Returns:
        (t + 1,) array of spectral norms; entry k is ‖∂s_t/∂s_{t-k}‖ (entry 0 is 1).
    """
    J = step_jacobians(model, trace, b)
    t = check_step(t, J.shape[0])
    prod = np.eye(J.shape[1])
    norms = np.empty(t + 1)
    norms[0] = 1.0
    for k in range(1, t + 1):
        prod = prod @ J[t - k]  # J_{t-k+1} sits at 0-based index t-k
        norms[k] = np.linalg.norm(prod, 2)
    return norms


def gradient_bound(model, k):
    """The bound (γλ)^k on ‖∂s_t/∂s_{t-k}‖, with λ = ‖W‖₂ and γ = max σ'.

    Each factor diag(σ'(a_j)) W has norm at most ‖diag(σ'(a_j))‖·‖W‖ ≤ γλ.

    Args:
        model: an RNN.
        k: int or array of steps back.

    Returns:
        array like ``k``.
    """
    lam = np.linalg.norm(model.parameters()["weight_hh_l0"], 2)
    return (GAMMA[model.nonlinearity] * lam) ** np.asarray(k, dtype=float)


def backprop_signal(model, trace, direction=None, b=0):
    """The error signal BPTT carries back from the last state: v_j = ∂(e · s_T)/∂s_j.

    v_T = e and v_{j-1} = J_jᵀ v_j: the gradient a loss e · s_T at the last step sends to
    every earlier state.

    Args:
        model, trace, b: as in :func:`step_jacobians`.
        direction: e, shape (H,); default the unit vector (1, …, 1)/√H.

    Returns:
        (T + 1, H) array; row j is v_j for j = 0 .. T (row 0 is ∂(e · s_T)/∂s_0).
    """
    J = step_jacobians(model, trace, b)
    T, H = J.shape[:2]
    e = np.full(H, 1 / np.sqrt(H)) if direction is None else np.asarray(direction, float)
    if e.shape != (H,):
        raise ValueError(f"direction must have shape (H,) = ({H},), got {e.shape}")
    v = np.empty((T + 1, H))
    v[T] = e
    for j in range(T, 0, -1):
        v[j - 1] = J[j - 1].T @ v[j]
    return v


def gradient_flow(*, w_scale=1.0, nonlinearity="tanh", hidden_size=32, input_size=8,
                  steps=40, seed=0):
    """Everything the gradient-flow figure draws, for one RNN at one weight scale.

    The RNN (see :func:`rnn_with_scale`) reads ``steps`` inputs drawn from N(0, 1).

    Returns:
        dict with ``k`` (0 .. steps − 1), ``norms`` ‖∂s_T/∂s_{T-k}‖, ``bound`` (γλ)^k,
        ``gamma_lambda`` γλ, ``signal`` the (steps, H) |v_j| for j = T, T − 1, …, 1 (row k
        is step T − k), and the ``model`` and ``trace``.
    """
    model = rnn_with_scale(input_size, hidden_size, w_scale=w_scale, seed=seed,
                           nonlinearity=nonlinearity)
    x = np.random.default_rng([seed, 2]).standard_normal((steps, 1, input_size))
    trace = model.forward(x)
    k = np.arange(steps)
    signal = np.abs(backprop_signal(model, trace))[:0:-1]  # rows: steps T, T-1, …, 1
    bound = gradient_bound(model, k)
    return {"k": k, "norms": state_gradient_norms(model, trace)[:steps], "bound": bound,
            "gamma_lambda": float(gradient_bound(model, 1)),
            "signal": signal, "model": model, "trace": trace}


def input_jacobian_norms(model, trace, t=-1, b=0):
    """‖∂s_t/∂x_{t-k}‖₂ for k = 0 .. t-1, from the model's own backward pass.

    Backward with ∂L/∂s_t = e_i (and zero elsewhere) returns row i of ∂s_t/∂x_τ for every τ.
    All H rows come from one backward pass over H copies of the sequence.

    Args:
        model, trace, t, b: as in :func:`state_gradient_norms`.

    Returns:
        (t,) array; entry k is the spectral norm of the (H, D) matrix ∂s_t/∂x_{t-k}.
    """
    _check_rnn_trace(model, trace)
    T, B, _ = trace.h.shape
    b = check_index(b, B, "b")
    t = check_step(t, T)
    dx = _unit_rows(model, trace.x[:t, b:b + 1], trace.h0[b:b + 1])["x"]
    return np.array([np.linalg.norm(dx[t - 1 - k], 2) for k in range(t)])  # row i: unit i's


def _unit_rows(model, X, h0, c0=None) -> dict:
    """``model.backward`` over H copies of one sequence X (T, 1, D) run from h0 (1, H) (and
    c0): copy i's loss is unit i of the last h (of the last c, given c0), so row i of each
    gradient is unit i's, e.g. ``["x"][τ]`` is ∂h_T/∂x_{τ+1}, ``["h0"]`` is ∂h_T/∂h_0."""
    H = model.hidden_size
    states = [np.repeat(s, H, axis=0) for s in (h0, c0) if s is not None]
    tr = model.forward(np.repeat(X, H, axis=1), *states)
    eye, dh = np.eye(H, dtype=model.dtype), np.zeros_like(tr.h)
    if c0 is None:
        dh[-1] = eye
    return model.backward(tr, dh, dc_last=None if c0 is None else eye)


def memory_path(model, X, *, max_k=None):
    """How the gradient along the memory decays with the number of steps k.

    For k = 1 .. max_k it measures, at the last step T,

    - LSTM: ‖∂c_T/∂c_{T-k}‖₂, all paths included (through f, and through h_{T-k} and the
      gates), and ``product`` = ‖diag(f_T ⊙ … ⊙ f_{T-k+1})‖₂ = max over units of ∏ f,
      the part of it that runs straight down the cell path; ``rest`` =
      ‖∂c_T/∂c_{T-k} − diag(∏ f)‖₂, every other path together (each path through h);
    - GRU: ‖∂h_T/∂h_{T-k}‖₂, the product of update gates ∏ z, and the rest likewise.

    The Jacobian comes from the model's own ``backward``: the last k steps are rerun from
    the stored state as a batch of H copies, and row b of the Jacobian is the gradient
    that ``backward`` sends to the initial state when the loss is unit b of the last state.

    Args:
        model: an ``LSTM`` or ``GRU``.
        X: (T, D) one sequence.
        max_k: the largest k (default T - 1).

    Returns:
        dict with ``k`` (K,), ``jacobian`` (K,), ``product`` (K,), ``rest`` (K,) and
        ``gate``, the letter of the gates in the product (``"f"`` or ``"z"``).
    """
    if getattr(model, "kind", None) not in ("lstm", "gru"):
        raise TypeError(f"memory_path needs an LSTM or a GRU, got {type(model).__name__}")
    X3, _ = as_sequence(X, model.input_size, model.dtype)
    if X3.shape[1] != 1:
        raise ValueError(f"memory_path takes one sequence, (T, D) or (T, 1, D); got {X3.shape}")
    T = X3.shape[0]
    max_k = T - 1 if max_k is None else int(max_k)
    if not 1 <= max_k <= T - 1:
        raise ValueError(f"max_k must lie in 1..{T - 1} for T = {T}, got {max_k}")
    trace = model.forward(X3)
    lstm = model.kind == "lstm"
    keep = trace.gates["f" if lstm else "z"][:, 0]  # (T, H)
    jac, prod, rest = np.empty(max_k), np.empty(max_k), np.empty(max_k)
    for k in range(1, max_k + 1):
        start = T - k  # 0-based index of the first rerun step; state index start - 1
        g = _unit_rows(model, X3[start:], trace.h[start - 1],
                       trace.c[start - 1] if lstm else None)
        J = g["h0"]
        if lstm:  # h_{T-k} = o ⊙ tanh(c_{T-k}) also depends on c_{T-k}: add that route.
            o, c = trace.gates["o"][start - 1, 0], trace.c[start - 1, 0]
            J = g["c0"] + g["h0"] * (o * (1 - np.tanh(c) ** 2))
        path = np.prod(keep[start:], axis=0)  # the cell path, unit by unit: diag(∏ f)
        jac[k - 1] = np.linalg.norm(J, 2)
        prod[k - 1] = path.max()
        # J holds ∂(unit b at T)/∂(units at T-k) in row b, so its diagonal is where ∏ f sits
        rest[k - 1] = np.linalg.norm(J - np.diag(path), 2)
    return {"k": np.arange(1, max_k + 1), "jacobian": jac, "product": prod, "rest": rest,
            "gate": "f" if lstm else "z"}
