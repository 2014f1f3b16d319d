"""Check a model's backward pass against central finite differences.

For a random linear loss L = Σ R ⊙ h (plus Σ R_c ⊙ c_T for the LSTM), the exact gradient on the
hidden states is dh = R, so ``model.backward(trace, R)`` must return ∂L/∂θ for every parameter
θ and every input (X, h0, c0). Each entry is compared with the central difference

    ∂L/∂θ_j ≈ (L(θ + ε e_j) - L(θ - ε e_j)) / (2ε),

whose error is O(ε²) from truncation plus about 1e-16 / ε from rounding in L.

The relative error of an array is max_j |analytic_j - numeric_j| / max_j max(|analytic_j|,
|numeric_j|): each entry is judged against the scale of its whole array. Judging every entry
against its own size would flag entries near zero, which finite differences cannot resolve
below ~1e-10 whatever the backward pass does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["GradCheckResult", "check_gradients", "numeric_gradient"]


@dataclass
class GradCheckResult:
    """What ``check_gradients`` found.

    Attributes:
        max_rel_error: the worst relative error over all arrays.
        where: ``(name, index)`` of the entry with the largest error in the worst array.
        errors: name -> relative error of that array (parameters, then "x", "h0", "c0").
        analytic: name -> gradient from ``model.backward``.
        numeric: name -> gradient from central differences.
    """

    max_rel_error: float
    where: tuple
    errors: dict
    analytic: dict = field(repr=False)
    numeric: dict = field(repr=False)

    def passed(self, tol: float = 1e-6) -> bool:
        """True when every array's relative error is below ``tol``."""
        return self.max_rel_error < tol

    def __str__(self) -> str:
        rows = [f"{name:<14}{err:10.2e}" for name, err in self.errors.items()]
        name, index = self.where
        return "\n".join(
            [f"{'array':<14}{'rel. error':>10}", *rows, f"worst: {name}{list(index)}"]
        )


def numeric_gradient(f, arr: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to every entry of ``arr``.

    ``arr`` must be an array that ``f`` reads (a live parameter, an input): each entry is
    nudged by ±eps in place, ``f`` is evaluated, and the entry is restored.

    Returns:
        An array shaped like ``arr`` with (f(θ + ε e_j) - f(θ - ε e_j)) / (2ε) at each j.
    """
    grad = np.empty(arr.shape, dtype=np.float64)
    for j in np.ndindex(arr.shape):
        old = arr[j]
        arr[j] = old + eps
        up = f()
        arr[j] = old - eps
        down = f()
        arr[j] = old
        grad[j] = (up - down) / (2 * eps)
    return grad


def _relative_error(a: np.ndarray, n: np.ndarray) -> tuple[float, tuple]:
    diff = np.abs(a - n)
    where = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    scale = max(np.abs(a).max(), np.abs(n).max())
    return (0.0 if scale == 0.0 else float(diff.max() / scale)), where


def check_gradients(model, X, h0=None, c0=None, eps=1e-6, seed=0) -> GradCheckResult:
    """Compare ``model.backward`` with central differences on every parameter and input.

    The check runs on a float64 copy of the model, so the model itself is never touched and a
    float32 model is checked at full precision. Missing initial states are checked at zero.
    The cost is two forward passes per scalar, so keep sizes small (e.g. T ≤ 5, B ≤ 3, D ≤ 3,
    H ≤ 4 takes a fraction of a second).

    Args:
        model: an ``RNN``, ``LSTM`` or ``GRU``.
        X: (T, B, D) or (T, D) input.
        h0: optional (B, H) initial hidden state.
        c0: optional (B, H) initial cell state (LSTM only).
        eps: the finite-difference step ε.
        seed: seeds the random loss weights R (and R_c).

    Returns:
        a ``GradCheckResult``; ``result.max_rel_error`` below 1e-6 means the gradients agree.
    """
    m = model.copy(dtype=np.float64)
    X, h0, c0, _ = m._check_inputs(X, h0, c0, has_cell=m.maths().has_cell)
    has_cell = c0 is not None
    # perturbed in place below: never the caller's arrays
    X, h0, c0 = X.copy(), h0.copy(), c0.copy() if has_cell else None
    T, B, H = X.shape[0], X.shape[1], m.hidden_size

    rng = np.random.default_rng(seed)
    R = rng.standard_normal((T, B, H))
    R_c = rng.standard_normal((B, H)) if has_cell else None

    def loss() -> float:
        trace = m.forward(X, h0, c0)
        value = np.sum(R * trace.h)
        if has_cell:
            value += np.sum(R_c * trace.c[-1])
        return float(value)

    analytic = m.backward(m.forward(X, h0, c0), R, dc_last=R_c)
    # Live arrays: writing into them is what the forward pass sees on its next call.
    arrays = dict(m.parameters(), x=X, h0=h0)
    if has_cell:
        arrays["c0"] = c0

    numeric, errors, wheres = {}, {}, {}
    for name, arr in arrays.items():
        numeric[name] = grad = numeric_gradient(loss, arr, eps)
        errors[name], wheres[name] = _relative_error(analytic[name], grad)

    worst = max(errors, key=errors.get)
    return GradCheckResult(
        max_rel_error=errors[worst],
        where=(worst, wheres[worst]),
        errors=errors,
        analytic={k: analytic[k] for k in arrays},
        numeric=numeric,
    )
