"""The small functions every layer shares: activations, softmax and one-hot vectors.

Activations and their derivatives are written so that no input can overflow.

The logistic function is computed through the identity

    σ(x) = 1 / (1 + e^{-x}) = ½ (1 + tanh(x / 2)),

because ``tanh`` saturates at ±1 instead of overflowing: ``np.exp(1e4)`` is inf and warns,
``np.tanh(1e4)`` is exactly 1. The result always lies in [0, 1]. Its only cost is relative
precision for very negative x (σ(-40) comes out as 0 rather than 4e-18); the absolute error
stays below 1e-16, far under anything a plot or a gradient can see.

Derivatives come in two forms:

- ``*_prime(x)``: the derivative at the pre-activation x, e.g. σ'(a) for the BPTT chapter;
- ``*_grad_from_output(y)``: the same derivative written in terms of the output y = f(x), which
  the backward passes use because the forward pass already stored y:
  σ' = y (1 - y), tanh' = 1 - y², relu' = [y > 0].
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "log_softmax",
    "one_hot",
    "softmax",
    "relu",
    "relu_grad_from_output",
    "sigmoid",
    "sigmoid_grad_from_output",
    "sigmoid_prime",
    "tanh",
    "tanh_grad_from_output",
    "tanh_prime",
]


def sigmoid(x, out=None):
    """Logistic σ(x) = 1 / (1 + e^{-x}), computed as ½(1 + tanh(x/2)) so it never overflows.

    Args:
        x: array-like of any shape.
        out: optional array of the same shape to write into (may be ``x`` itself).

    Returns:
        array of the same shape with values in [0, 1].
    """
    x = np.asarray(x)
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def tanh(x, out=None):
    """Hyperbolic tangent; numpy's ``tanh`` already saturates at ±1 without overflow."""
    return np.tanh(x, out=out)


def relu(x, out=None):
    """Rectified linear unit max(x, 0)."""
    return np.maximum(x, 0, out=out)


def sigmoid_grad_from_output(y, out=None):
    """σ'(x) written in terms of y = σ(x): y (1 - y). ``out``: optional array to write into."""
    out = np.subtract(1, y, out=out)
    out *= y
    return out


def tanh_grad_from_output(y, out=None):
    """tanh'(x) written in terms of y = tanh(x): 1 - y². ``out``: optional array to write into."""
    out = np.multiply(y, y, out=out)
    np.subtract(1, out, out=out)
    return out


def relu_grad_from_output(y, out=None):
    """relu'(x) in terms of y = relu(x): 1 where y > 0, else 0 (0 at x = 0, like PyTorch)."""
    y = np.asarray(y)
    if out is None:
        out = np.empty(y.shape, np.result_type(y, np.float32))
    return np.heaviside(y, 0, out=out)


def sigmoid_prime(x):
    """σ'(x) = σ(x)(1 - σ(x)); at most ¼, reached at x = 0 (the γ = ¼ of the BPTT bound)."""
    return sigmoid_grad_from_output(sigmoid(x))


def tanh_prime(x):
    """tanh'(x) = 1 - tanh²(x); at most 1, reached at x = 0 (the γ = 1 of the BPTT bound)."""
    return tanh_grad_from_output(np.tanh(x))


# name -> (function, derivative from the output); the RNN looks its nonlinearity up here.
ACTIVATIONS = {
    "tanh": (tanh, tanh_grad_from_output),
    "sigmoid": (sigmoid, sigmoid_grad_from_output),
    "relu": (relu, relu_grad_from_output),
}


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``log softmax(z)`` over the last axis, computed stably (the max is subtracted first)."""
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """``softmax(z)`` over the last axis: e^{z_k} / Σ_j e^{z_j}, each row sums to 1."""
    return np.exp(log_softmax(z))


def one_hot(tokens: np.ndarray, n: int, dtype=np.float64) -> np.ndarray:
    """One-hot vectors: integer ``tokens`` of any shape, values in ``0..n-1`` -> shape + (n,)."""
    tokens = np.asarray(tokens)
    if not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"tokens must be an integer array, got dtype {tokens.dtype}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= n):
        raise ValueError(f"tokens must lie in 0..{n - 1}, got values "
                         f"{tokens.min()}..{tokens.max()}")
    out = np.zeros(tokens.shape + (n,), dtype=dtype)
    np.put_along_axis(out, tokens[..., None], 1.0, axis=-1)
    return out
