"""Gradient flow through time in a plain RNN: Jacobians, the (γλ)^k bound, and a cliff.

Backpropagation through time multiplies, once per step back, by the one-step Jacobian

    J_j = ∂s_j/∂s_{j-1} = diag(σ'(a_j)) W,    so    ∂s_t/∂s_{t-k} = J_t J_{t-1} ⋯ J_{t-k+1}.

σ' is read off the stored state: tanh' = 1 − s², logistic' = s(1 − s), relu' = [s > 0].
Since ‖diag(σ'(a_j))‖ ≤ γ = max σ' (¼ for the logistic function, 1 for tanh and relu) and
‖W‖₂ = λ, the product obeys ‖∂s_t/∂s_{t-k}‖ ≤ (γλ)^k (Pascanu et al. 2013).  When γλ < 1
the gradient must vanish; when γλ > 1 the bound allows growth but does not force it.

The *cliff* (:func:`cliff_loss`, :func:`clipped_step`) is a one-unit RNN whose loss, as a
function of its recurrent weight w, has a steep wall: an exploding gradient there throws an
unclipped gradient step far away, and clipping by norm keeps the step short.

Symbols: T steps, B batch, D input size, H hidden size, k steps back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.activations import ACTIVATIONS
from whiteboard.cell import Trace
from whiteboard.optim import clip_grad_norm

__all__ = [
    "GAMMA",
    "CliffStep",
    "backprop_signal",
    "gradient_flow",
    "clipped_step",
    "cliff_loss",
    "cliff_rnn",
    "gradient_bound",
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
        a :class:`whiteboard.rnn.RNN`.
    """
    from whiteboard.rnn import RNN  # the model module; imported here to keep imports light

    w_scale = _check_scale(w_scale, "w_scale")
    model = RNN(input_size, hidden_size, seed=seed, nonlinearity=nonlinearity)
    rng = np.random.default_rng([seed, 1])
    H, D = model.hidden_size, model.input_size
    params = model.parameters()
    params["weight_hh_l0"][...] = w_scale * rng.standard_normal((H, H)) / np.sqrt(H)
    if u_scale is not None:
        u_scale = _check_scale(u_scale, "u_scale")
        params["weight_ih_l0"][...] = u_scale * rng.standard_normal((H, D)) / np.sqrt(D)
    return model


def _check_scale(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def _check_rnn_trace(model, trace):
    if getattr(model, "kind", None) != "rnn":
        raise TypeError(f"expected a whiteboard RNN, got {type(model).__name__}")
    if not isinstance(trace, Trace) or trace.kind != "rnn":
        raise TypeError("expected the trace returned by the RNN's forward, "
                        f"got {type(trace).__name__}")
    if trace.h.shape[2] != model.hidden_size:
        raise ValueError(f"trace has H = {trace.h.shape[2]}, the model has "
                         f"H = {model.hidden_size}")


def _step(t, T):
    """A 1-based step t in 1..T; negative t counts from the end (-1 = T)."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"t must be an integer step, got {t!r}")
    s = int(t) + T + 1 if t < 0 else int(t)
    if not 1 <= s <= T:
        raise ValueError(f"t must be a step in 1..{T} (or -{T}..-1 from the end), got {t}")
    return s


def _index(i, n, name):
    """Python-style index ``i`` into ``range(n)`` as a non-negative int."""
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {i!r}")
    j = int(i) + n if i < 0 else int(i)
    if not 0 <= j < n:
        raise ValueError(f"{name} must lie in -{n}..{n - 1}, got {i}")
    return j


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
    b = _index(b, trace.h.shape[1], "b")
    _, f_prime = ACTIVATIONS[model.nonlinearity]
    slope = f_prime(trace.h[:, b])  # σ'(a_j) from the stored output s_j: (T, H)
    W = model.parameters()["weight_hh_l0"]  # the trace must come from these weights
    return slope[:, :, None] * W[None]


def state_gradient_norms(model, trace, t=-1, b=0):
    """‖∂s_t/∂s_{t-k}‖₂ for k = 0, 1, …, t (steps are 1-based: s_0 is the initial state).

    The product J_t ⋯ J_{t-k+1} is built one factor at a time, going back from step t,
    exactly as backpropagation through time carries an error signal.

    Args:
        model: the RNN that made ``trace``.
        trace: its forward pass over T steps.
        t: the step of the state looked at, 1..T; negative counts from the end (-1 = T).
        b: which sequence of the batch.

    Returns:
        (t + 1,) array of spectral norms; entry k is ‖∂s_t/∂s_{t-k}‖ (entry 0 is 1).
    """
    J = step_jacobians(model, trace, b)
    T = J.shape[0]
    t = _step(t, T)
    H = J.shape[1]
    prod = np.eye(H)
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
        model: the RNN that made ``trace``.
        trace: its forward pass over T steps.
        direction: e, shape (H,); default the unit vector (1, …, 1)/√H.
        b: which sequence of the batch.

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
            "gamma_lambda": float(bound[1]) if steps > 1 else float(gradient_bound(model, 1)),
            "signal": signal, "model": model, "trace": trace}


# ------------------------------------------------------------------------------ the cliff


def cliff_rnn(w, *, b=-0.2, u=1.0):
    """A one-unit tanh RNN, s_t = tanh(w s_{t-1} + u x_t + b), with the given numbers.

    With w > 1 the state has two attractors, one near +1 and one near −1; which one a
    sequence ends in flips at a sharp value of w.  That flip is the cliff.
    """
    from whiteboard.rnn import RNN

    model = RNN(1, 1, seed=0)
    model.load_state_dict({"weight_ih_l0": [[u]], "weight_hh_l0": [[w]],
                           "bias_ih_l0": [b], "bias_hh_l0": [0.0]})
    return model


def cliff_loss(w, *, steps=30, target=-0.9, b=-0.2, u=1.0):
    """Loss and gradient of the cliff RNN: L(w) = (s_T − target)² after a single pulse.

    The input is 1 at the first step and 0 afterwards; s_0 = 0.  The gradient comes from
    the RNN's own backward pass (BPTT over ``steps`` steps).

    Args:
        w: the recurrent weight.
        steps: T.
        target: the wanted final state.
        b, u: the bias and the input weight.

    Returns:
        ``(L, dL/dw, model, trace)``.
    """
    model = cliff_rnn(float(w), b=b, u=u)
    x = np.zeros((steps, 1))
    x[0] = 1.0
    trace = model.forward(x)
    err = trace.h[-1, 0, 0] - target
    dh = np.zeros_like(trace.h)
    dh[-1] = 2 * err
    grads = model.backward(trace, dh)
    return float(err**2), float(grads["weight_hh_l0"][0, 0]), model, trace


@dataclass(frozen=True)
class CliffStep:
    """One gradient step on the cliff, with and without clipping (see :func:`clipped_step`)."""

    w0: float
    loss0: float
    grad: float
    w_plain: float
    loss_plain: float
    w_clipped: float
    loss_clipped: float
    lr: float
    max_norm: float


def clipped_step(w0, *, lr=0.01, max_norm=1.0, **cliff_kw):
    """Take one SGD step w ← w − η g from ``w0``, once as is and once with g clipped by norm.

    Clipping uses :func:`whiteboard.optim.clip_grad_norm`: if ‖g‖ > ``max_norm`` the
    gradient is rescaled to length ``max_norm``, keeping its direction.

    Args:
        w0: the starting recurrent weight.
        lr: η.
        max_norm: the clipping threshold.
        **cliff_kw: passed to :func:`cliff_loss` (``steps``, ``target``, ``b``, ``u``).

    Returns:
        a :class:`CliffStep`.
    """
    loss0, g, *_ = cliff_loss(w0, **cliff_kw)
    w_plain = w0 - lr * g
    grads = {"w": np.array([g])}
    clip_grad_norm(grads, max_norm)
    w_clipped = w0 - lr * float(grads["w"][0])
    return CliffStep(w0=float(w0), loss0=loss0, grad=g, lr=float(lr),
                     max_norm=float(max_norm),
                     w_plain=w_plain, loss_plain=cliff_loss(w_plain, **cliff_kw)[0],
                     w_clipped=w_clipped, loss_clipped=cliff_loss(w_clipped, **cliff_kw)[0])
