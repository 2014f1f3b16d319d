"""The cliff: a one-unit RNN whose loss has a steep wall, and what clipping does there.

:func:`cliff_loss` is the loss of a one-unit tanh RNN as a function of its recurrent weight
w.  Near the wall an exploding gradient throws an unclipped gradient step far away;
:func:`clipped_step` shows that clipping by norm keeps the step short (Pascanu et al. 2013).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.training.optim import clip_grad_norm

__all__ = ["CliffStep", "cliff_loss", "cliff_rnn", "clipped_step"]

def cliff_rnn(w, *, b=-0.2, u=1.0):
    """A one-unit tanh RNN, s_t = tanh(w s_{t-1} + u x_t + b), with the given numbers.

    With w > 1 the state has two attractors, one near +1 and one near −1; which one a
    sequence ends in flips at a sharp value of w.  That flip is the cliff.
    """
    from whiteboard.models.rnn import RNN

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

    Clipping uses :func:`whiteboard.training.optim.clip_grad_norm`: if ‖g‖ > ``max_norm`` the
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
