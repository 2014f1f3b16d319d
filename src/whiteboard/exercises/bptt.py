"""A checker for one step of backpropagation through time in the tanh RNN (chapter 3).

The step and the gradients the reader's function returns are in the docstring of
:mod:`whiteboard.exercises`. The reference is central finite differences of
L = Σ dh ⊙ s_t in float64, so the check does not trust any hand-written backward pass, the
book's included.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from whiteboard.cells.rnn import rnn_step
from whiteboard.exercises.diagnosis import (
    Mistake,
    Probe,
    as_outputs,
    check_outputs,
    error_hint,
    random_params,
    require_callable,
    shape_label,
)
from whiteboard.models.gradcheck import numeric_gradient

__all__ = ["check_rnn_step_backward"]

# The names a reader may use for each gradient: chapter 3's letters or PyTorch's, with or
# without a leading "d" (dW, dh_prev).
_NAMES = {
    "h_prev": ("h_prev", "s_prev"),
    "U": ("U", "weight_ih_l0"),
    "W": ("W", "weight_hh_l0"),
    "b": ("b", "bias", "bias_ih_l0", "bias_hh_l0"),
    "x": ("x",),
}
_CANONICAL = {alias: key for key, aliases in _NAMES.items() for alias in aliases}
_REQUIRED = ("h_prev", "U", "W", "b")
_AXES = {"h_prev": ("row", "unit"), "U": ("unit", "input"), "W": ("unit", "unit"),
         "b": ("unit",), "x": ("row", "input")}
_SHAPES = ((4, 2, 3), (2, 3, 3), (1, 2, 3), (3, 5, 2))  # (B, D, H)


def canonical(key: str) -> str | None:
    """The gradient a reader's dict key names ("dW" and "weight_hh_l0" -> "W"), or None."""
    if key.startswith("d") and key not in _CANONICAL:
        key = key[1:]
    return _CANONICAL.get(key)


def _probes() -> list[Probe]:
    rng = np.random.default_rng(3)
    probes = []
    for B, D, H in _SHAPES:
        args = {"dh": rng.normal(0.0, 1.0, (B, H)), "x": rng.normal(0.0, 1.0, (B, D)),
                "h_prev": rng.uniform(-0.9, 0.9, (B, H)), "p": random_params(rng, 1, D, H)}
        probes.append(Probe(shape_label(B, D, H), args))
    return probes


def finite_differences(dh, x, h_prev, p) -> dict:
    """Central differences of L = Σ dh ⊙ h_t for every input of one tanh RNN step."""
    x, h_prev = x.copy(), h_prev.copy()
    p = {k: v.copy() for k, v in p.items()}

    def loss():
        return float(np.sum(dh * rnn_step(x, h_prev, p)[0]))

    return {"h_prev": numeric_gradient(loss, h_prev),
            "U": numeric_gradient(loss, p["weight_ih_l0"]),
            "W": numeric_gradient(loss, p["weight_hh_l0"]),
            "b": numeric_gradient(loss, p["bias_ih_l0"]),  # the same for bias_hh_l0
            "x": numeric_gradient(loss, x)}


def backward_model(dh, x, h_prev, p, **flags) -> dict:
    """The analytic step backward, with the catalogue's mistakes switched on by ``flags``."""
    U, W = p["weight_ih_l0"], p["weight_hh_l0"]
    a = x @ U.T + h_prev @ W.T + p["bias_ih_l0"] + p["bias_hh_l0"]
    s = np.tanh(a)
    slope = {"tanh": 1 - s**2, "none": 1.0, "tanh_of_s": 1 - np.tanh(s) ** 2,
             "sigmoid": s * (1 - s), "from_a": 1 - a**2}[flags.get("slope", "tanh")]
    delta = dh * slope  # δ_t = ∂L/∂a_t
    back = dh if flags.get("prev_skips_slope") else delta
    g = {"h_prev": back @ (W.T if flags.get("prev_transposed") else W),
         "U": delta.T @ x, "W": delta.T @ (s if flags.get("W_uses_s") else h_prev),
         "b": delta.sum(axis=0), "x": delta @ U}
    if flags.get("swap_UW"):
        g["U"], g["W"] = delta.T @ h_prev, delta.T @ x
    for key in ("U", "W"):
        if flags.get(f"transpose_{key}"):
            g[key] = g[key].T
    if flags.get("outer_of_sums"):
        g["U"] = np.outer(delta.sum(axis=0), x.sum(axis=0))
        g["W"] = np.outer(delta.sum(axis=0), h_prev.sum(axis=0))
    bias = flags.get("bias", "sum")
    g["b"] = {"sum": g["b"], "none": delta, "mean": delta.mean(axis=0),
              "twice": 2 * g["b"]}[bias]
    if flags.get("batch_mean"):
        for key in ("U", "W", "b"):
            g[key] = g[key] / len(dh)
    if flags.get("sign"):
        g = {key: -value for key, value in g.items()}
    return g


BACKWARD_MISTAKES = [
    Mistake("forgot_tanh_prime", "you forgot tanh': δ_t = dh ⊙ (1 - s_t²) must replace the "
            "incoming gradient dh before it reaches U, W, b and s_{t-1}.", {"slope": "none"}),
    Mistake("tanh_prime_of_s", "tanh' is applied to s_t instead of a_t: tanh'(a_t) = "
            "1 - tanh²(a_t) = 1 - s_t², not 1 - tanh²(s_t).", {"slope": "tanh_of_s"}),
    Mistake("sigmoid_prime", "you used the logistic function's slope s (1 - s); for tanh it is "
            "1 - s_t².", {"slope": "sigmoid"}),
    Mistake("slope_from_a", "tanh' is computed as 1 - a_t² from the pre-activation; it is "
            "1 - tanh²(a_t) = 1 - s_t².", {"slope": "from_a"}),
    Mistake("prev_skips_tanh_prime", "the gradient on s_{t-1} skips tanh': it is W^T δ_t with "
            "δ_t = dh ⊙ (1 - s_t²), not W^T dh.", {"prev_skips_slope": True}),
    Mistake("prev_uses_W_T", "∂L/∂s_{t-1} uses W.T: in column form it is W^T δ_t, which for "
            "rows (one per batch element) is delta @ W, not delta @ W.T.",
            {"prev_transposed": True}),
    Mistake("sign", "every gradient has the wrong sign: return ∂L/∂θ itself (the minus belongs "
            "to the update θ ← θ - η ∂L/∂θ).", {"sign": True}),
    Mistake("W_uses_s", "∂L/∂W uses s_t where s_{t-1} belongs: ∂L/∂W = δ_t s_{t-1}^T "
            "(delta.T @ h_prev).", {"W_uses_s": True}),
    Mistake("swap_UW", "the gradients of U and W are swapped: ∂L/∂U = δ_t x_t^T (delta.T @ x, "
            "shape (H, D)) and ∂L/∂W = δ_t s_{t-1}^T (delta.T @ h_prev, shape (H, H)).",
            {"swap_UW": True}),
    Mistake("transpose_U", "∂L/∂U is transposed: it is δ_t x_t^T, delta.T @ x, with U's shape "
            "(H, D).", {"transpose_U": True}),
    Mistake("transpose_W", "∂L/∂W is transposed: it is δ_t s_{t-1}^T, delta.T @ h_prev (not "
            "h_prev.T @ delta).", {"transpose_W": True}),
    Mistake("outer_of_sums", "the batch is summed too early: ∂L/∂W sums δ s_{t-1}^T over the "
            "rows, delta.T @ h_prev, which is not (Σ δ)(Σ s_{t-1})^T; the same for U.",
            {"outer_of_sums": True}),
    Mistake("bias_not_summed", "∂L/∂b is not summed over the batch: every row uses the same b, "
            "so its gradient is delta.sum(axis=0), shape (H,).", {"bias": "none"}),
    Mistake("bias_mean", "∂L/∂b is averaged over the batch; L = Σ dh ⊙ s_t sums over the rows, "
            "so the gradient is delta.sum(axis=0).", {"bias": "mean"}),
    Mistake("bias_twice", "∂L/∂b is counted twice: b = b_ih + b_hh, and ∂L/∂b = Σ δ_t is the "
            "gradient of each of the two biases, not of both together.", {"bias": "twice"}),
    Mistake("batch_mean", "the parameter gradients are divided by the batch size; L = "
            "Σ dh ⊙ s_t sums over the rows, so they sum too.", {"batch_mean": True}),
]


def _parse(out):
    if not isinstance(out, Mapping):
        return None, f"your function returned a {type(out).__name__}, not a dict"
    keys = [k for k in out if isinstance(k, str) and canonical(k)]
    have = {canonical(k) for k in keys}
    missing = [k for k in _REQUIRED if k not in have]
    if missing:
        names = ", ".join(repr(k) for k in missing)
        other = [repr(k) for k in out if k not in keys]
        unknown = f" (keys not recognised: {', '.join(other)})" if other else ""
        return None, f"your dict has no gradient for {names}{unknown}"
    return as_outputs({key: out[key] for key in keys})


_error_hint = error_hint("fn(dh, x, h_prev, p)", shape_words=("matmul", "shapes", "broadcast"),
                         shapes="Check the shapes: dh and h_prev are (B, H), x is (B, D), "
                         "U = weight_ih_l0 is (H, D) and W = weight_hh_l0 is (H, H); with delta "
                         "(B, H), delta.T @ x is (H, D) and delta @ W is (B, H).")


def check_rnn_step_backward(fn):
    """Check ``fn(dh, x, h_prev, p) -> dict`` of one tanh RNN step's gradients.

    Keys: "h_prev", "U", "W", "b" (PyTorch's "weight_ih_l0", "weight_hh_l0", "bias_ih_l0"
    are accepted too, with or without a leading "d"), optionally "x". Details in
    ``whiteboard.exercises``.
    """
    require_callable(fn, "check_rnn_step_backward", "fn(dh, x, h_prev, p) -> dict of gradients")
    return check_outputs(
        fn, checker="check_rnn_step_backward", probes=_probes(), parse=_parse,
        expects=("check_rnn_step_backward expects a dict with the keys 'h_prev', 'U', 'W' "
                 "and 'b' (or 'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0'), optionally 'x'."),
        reference=lambda pr: finite_differences(**pr.args), model=backward_model,
        catalogue=BACKWARD_MISTAKES, subject="central finite differences in float64",
        canonical=canonical, axes=_AXES, error_hint=_error_hint)
