"""Optimisers and gradient clipping, for one network or a stack of M along a model axis.

An optimiser holds a dict of *live* parameter arrays and updates them in place from a dict of
gradients with the same keys.  The learning rate is one number, or one per network when the
arrays carry a leading model axis of M networks (:class:`whiteboard.training.network.
NetworkStack`): every formula below then holds for each network on its own.

* SGD with momentum ``μ``:  ``v ← μ v + g``,  ``θ ← θ − η v``.
* Adam (Kingma & Ba 2015): ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``,
  ``θ ← θ − η m̂ / (√v̂ + ε)`` with the bias corrections ``m̂ = m / (1 − β₁ᵗ)`` and
  ``v̂ = v / (1 − β₂ᵗ)``.
* Clipping by global norm (Pascanu et al. 2013): if ``‖g‖ > c`` over *all* of a network's
  gradients together, scale every one of them by ``c / ‖g‖``.  The direction is kept; only
  the step shrinks, which is what tames an exploding gradient without biasing it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from whiteboard.checks import check_params, check_positive_number

__all__ = ["SGD", "Adam", "OPTIMIZERS", "make_optimizer", "clip_grad_norm", "global_norm"]


class _Optimizer:
    def __init__(self, params, lr, model_axis):
        self.params = check_params(params)
        self.model_axis = bool(model_axis)
        # the learning rate: a float, or (M,) floats for M networks along the model axis
        self.lr = (np.array([check_positive_number(r, "lr") for r in np.ravel(lr)])
                   if self.model_axis else check_positive_number(lr, "lr"))
        if self.model_axis:
            for name, p in self.params.items():
                if p.ndim < 1 or p.shape[0] != len(self.lr):
                    raise ValueError(f"parameter {name!r} has shape {p.shape}: with "
                                     f"{len(self.lr)} learning rates it needs a leading "
                                     f"model axis of {len(self.lr)}")
        self.t = 0

    def _per_model(self, value, p):
        """``value`` (a float, or (M,) per network) shaped to multiply a parameter ``p``."""
        if not self.model_axis:
            return value
        return value.reshape(len(value), *[1] * (p.ndim - 1))

    def keep(self, idx) -> None:
        """Keep the state of the networks at indices ``idx`` only (the others left the stack).

        ``params`` must be given again by the caller: the stacked arrays are new ones.
        """
        self.lr = self.lr[idx]
        for state in self._states():
            for k in state:
                state[k] = state[k][idx]

    def _states(self):
        return ()

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter in place from ``grads`` (extra keys such as ``x`` are ignored)."""
        self.t += 1
        missing = [k for k in self.params if k not in grads]
        if missing:
            raise ValueError(f"gradients are missing for parameters {missing}")
        for k, p in self.params.items():
            if np.shape(grads[k]) != p.shape:
                raise ValueError(f"gradient {k!r} has shape {np.shape(grads[k])}, "
                                 f"expected {p.shape} like the parameter")
        self._update(grads)


class SGD(_Optimizer):
    """Stochastic gradient descent with optional (heavy-ball) momentum.

    Args:
        params: dict of live parameter arrays, updated in place.
        lr: the learning rate η > 0; with ``model_axis``, one per network.
        momentum: μ in [0, 1).
        model_axis: the arrays carry a leading axis of M networks.
    """

    def __init__(self, params, lr: float = 0.1, momentum: float = 0.0, *,
                 model_axis: bool = False):
        super().__init__(params, lr, model_axis)
        self.momentum = check_positive_number(momentum, "momentum", allow_zero=True, below=1)
        self.velocity = {k: np.zeros_like(p) for k, p in self.params.items()}

    def _states(self):
        return (self.velocity,)

    def _update(self, grads):
        for k, p in self.params.items():
            lr = self._per_model(self.lr, p)
            if self.momentum:
                v = self.velocity[k]
                v *= self.momentum
                v += grads[k]
                p -= lr * v
            else:
                p -= lr * grads[k]


class Adam(_Optimizer):
    """Adam: a per-coordinate step size from running moments of the gradient.

    Args:
        params: dict of live parameter arrays, updated in place.
        lr: the step size η > 0; with ``model_axis``, one per network.
        betas: (β₁, β₂), decay rates of the first and second moments, each in [0, 1).
        eps: ε > 0 added to √v̂, so a coordinate that never moved gets a finite step.
        model_axis: the arrays carry a leading axis of M networks.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, *,
                 model_axis: bool = False):
        super().__init__(params, lr, model_axis)
        self.b1, self.b2 = (check_positive_number(b, f"betas[{k}]", allow_zero=True, below=1)
                            for k, b in enumerate(betas))
        self.eps = check_positive_number(eps, "eps")
        self.m = {k: np.zeros_like(p) for k, p in self.params.items()}
        self.v = {k: np.zeros_like(p) for k, p in self.params.items()}

    def _states(self):
        return (self.m, self.v)

    def _update(self, grads):
        # Fold both bias corrections into one step size (per network) and one ε.
        step = self.lr * math.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t)
        eps = self.eps * math.sqrt(1 - self.b2**self.t)
        for k, p in self.params.items():
            g, m, v = grads[k], self.m[k], self.v[k]
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= self._per_model(step, p) * m / (np.sqrt(v) + eps)


OPTIMIZERS = {"adam": Adam, "sgd": SGD}


def make_optimizer(name: str, params, lr, *, model_axis: bool = False):
    """``OPTIMIZERS[name](params, lr, model_axis=...)`` with a named error for a bad name."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](params, lr, model_axis=model_axis)


def global_norm(grads: Mapping[str, np.ndarray], keys=None, *, model_axis: bool = False):
    """The 2-norm of the gradients ``keys`` (default: all) taken as one long vector.

    With ``model_axis``, each array's first axis runs over M networks and the result is the
    (M,) norms, one per network, each summed exactly as one network's would be (the same dot
    products in the same order): clipping then scales a stacked network by the very number a
    network trained alone would use.
    """
    keys = list(grads.keys() if keys is None else keys)
    if not model_axis:
        return math.sqrt(sum(float(np.vdot(grads[k], grads[k])) for k in keys))
    M = len(grads[keys[0]])
    return np.array([math.sqrt(sum(float(np.vdot(grads[k][m], grads[k][m])) for k in keys))
                     for m in range(M)])


def clip_grad_norm(grads: Mapping[str, np.ndarray], max_norm: float, keys=None, *,
                   model_axis: bool = False):
    """Scale the gradients in place so that their global norm is at most ``max_norm``.

    ``‖g‖ = sqrt(Σ_k ‖g_k‖²)`` over every array (or only ``keys``, e.g. the parameters and
    not the input gradient ``x``).  If ``‖g‖ > max_norm``, each ``g_k`` becomes
    ``g_k · max_norm / ‖g‖``.  With ``model_axis``, each network is clipped by its own norm.
    ``max_norm=None`` clips nothing (a training run without clipping still logs the norm).

    Returns:
        the norm *before* clipping (a float, or (M,) norms), to log how often clipping fires.
    """
    keys = list(grads.keys() if keys is None else keys)
    norm = global_norm(grads, keys, model_axis=model_axis)
    if max_norm is None:
        return norm
    max_norm = check_positive_number(max_norm, "max_norm")
    over = np.asarray(norm) > max_norm
    if np.any(over):
        scale = np.where(over, max_norm / np.where(over, norm, 1.0), 1.0)
        for k in keys:
            grads[k] *= scale.reshape(np.shape(scale) + (1,) * (grads[k].ndim - np.ndim(scale)))
    return norm
