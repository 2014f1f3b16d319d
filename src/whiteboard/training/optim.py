"""Optimisers and gradient clipping for dicts of numpy parameters.

An optimiser holds a dict of *live* parameter arrays (``model.parameters()``) and updates
them in place from a dict of gradients with the same keys, so the model sees the change
without being told.

* SGD with momentum ``μ``:  ``v ← μ v + g``,  ``θ ← θ − η v``.
* Adam (Kingma & Ba 2015): ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``,
  ``θ ← θ − η m̂ / (√v̂ + ε)`` with the bias corrections ``m̂ = m / (1 − β₁ᵗ)`` and
  ``v̂ = v / (1 − β₂ᵗ)``.
* Clipping by global norm (Pascanu et al. 2013): if ``‖g‖ > c`` over *all* gradients
  together, scale every gradient by ``c / ‖g‖``.  The direction is kept; only the step
  shrinks, which is what tames an exploding gradient without biasing it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from whiteboard.checks import check_params, check_positive_number

__all__ = ["SGD", "Adam", "clip_grad_norm", "global_norm"]


class _Optimizer:
    def __init__(self, params, lr):
        self.params = check_params(params)
        self.lr = check_positive_number("lr", lr)
        self.t = 0

    def _grads(self, grads):
        missing = [k for k in self.params if k not in grads]
        if missing:
            raise ValueError(f"gradients are missing for parameters {missing}")
        for k, p in self.params.items():
            if np.shape(grads[k]) != p.shape:
                raise ValueError(f"gradient {k!r} has shape {np.shape(grads[k])}, "
                                 f"expected {p.shape} like the parameter")
        return grads

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter in place from ``grads`` (extra keys such as ``x`` are ignored)."""
        self.t += 1
        self._update(self._grads(grads))


class SGD(_Optimizer):
    """Stochastic gradient descent with optional (heavy-ball) momentum.

    Args:
        params: dict of live parameter arrays, updated in place.
        lr: the learning rate η > 0.
        momentum: μ in [0, 1).
    """

    def __init__(self, params, lr: float = 0.1, momentum: float = 0.0):
        super().__init__(params, lr)
        self.momentum = check_positive_number("momentum", momentum, allow_zero=True)
        if self.momentum >= 1:
            raise ValueError(f"momentum must be < 1, got {momentum}")
        self.velocity = {k: np.zeros_like(p) for k, p in self.params.items()}

    def _update(self, grads):
        for k, p in self.params.items():
            if self.momentum:
                v = self.velocity[k]
                v *= self.momentum
                v += grads[k]
                p -= self.lr * v
            else:
                p -= self.lr * grads[k]


class Adam(_Optimizer):
    """Adam: a per-coordinate step size from running moments of the gradient.

    Args:
        params: dict of live parameter arrays, updated in place.
        lr: the step size η > 0.
        betas: (β₁, β₂), decay rates of the first and second moments, each in [0, 1).
        eps: ε > 0 added to √v̂, so a coordinate that never moved gets a finite step.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        b1, b2 = betas
        for name, b in (("betas[0]", b1), ("betas[1]", b2)):
            if check_positive_number(name, b, allow_zero=True) >= 1:
                raise ValueError(f"{name} must be < 1, got {b}")
        self.b1, self.b2 = float(b1), float(b2)
        self.eps = check_positive_number("eps", eps)
        self.m = {k: np.zeros_like(p) for k, p in self.params.items()}
        self.v = {k: np.zeros_like(p) for k, p in self.params.items()}

    def _update(self, grads):
        # Fold both bias corrections into one scalar step size.
        step = self.lr * math.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t)
        eps = self.eps * math.sqrt(1 - self.b2**self.t)
        for k, p in self.params.items():
            g, m, v = grads[k], self.m[k], self.v[k]
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= step * m / (np.sqrt(v) + eps)


def global_norm(grads: Mapping[str, np.ndarray], keys=None) -> float:
    """The 2-norm of all gradients in ``grads`` (or only ``keys``) taken as one long vector."""
    keys = grads.keys() if keys is None else keys
    return math.sqrt(sum(float(np.vdot(grads[k], grads[k])) for k in keys))


def clip_grad_norm(grads: Mapping[str, np.ndarray], max_norm: float, keys=None) -> float:
    """Scale the gradients in place so that their global norm is at most ``max_norm``.

    ``‖g‖ = sqrt(Σ_k ‖g_k‖²)`` over every array (or only ``keys``, e.g. the parameters and
    not the input gradient ``x``).  If ``‖g‖ > max_norm``, each ``g_k`` becomes
    ``g_k · max_norm / ‖g‖``.

    Returns:
        the norm *before* clipping (useful to log how often clipping fires).
    """
    max_norm = check_positive_number("max_norm", max_norm)
    keys = list(grads.keys() if keys is None else keys)
    norm = global_norm(grads, keys)
    if norm > max_norm:
        scale = max_norm / norm
        for k in keys:
            grads[k] *= scale
    return norm
