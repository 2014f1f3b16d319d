"""How far back a trained network's gradient reaches: the story task's loss split by reach,
and a language model's dependence on the text it has read.

**Scored at the last step** (:func:`reach_gradients`, :func:`mechanism`).

The network reads a sequence x_1 .. x_T and is scored at the last step only (the story
task's "speaks").  Backpropagation through time gives, for the recurrent weights,

    ∂L/∂W = Σ_t δ_t s_{t-1}ᵀ = Σ_k G_k,      G_k = δ_{T-k} s_{T-k-1}ᵀ,

where δ_t = ∂L/∂a_t is the error at step t's pre-activation (for an LSTM or a GRU: at all
its gate blocks) and k = T − t is the term's *reach*, the number of steps between the step
whose weights it changes and the loss.  A term of reach k carries the error back through k
Jacobians, so when those shrink, the terms that could link the answer to a clue k steps
earlier are swamped by the short-reach ones.  The same error reaches each input as
∂L/∂x_t = Uᵀ δ_t.

Two numbers say how much of the gradient a clue ``lag`` steps before the answer gets
(:func:`mechanism`):

- ``input_ratio`` = ‖∂L/∂x_{T−lag}‖ / ‖∂L/∂x_T‖: the gradient that reaches the clue's input
  (the country) relative to the one that reaches the last input ("speaks"), each a
  Frobenius norm over the batch;
- ``far_share`` = ‖G_far‖ / (‖G_near‖ + ‖G_far‖), with G_far = Σ_{k ≥ far} G_k and
  G_near = Σ_{k < far} G_k (Frobenius norms): how much of ∂L/∂W comes from terms ``far``
  or more steps back, between 0 (none) and 1 (all).

Everything is computed with the readable steps of :mod:`whiteboard.cells` (the reference
the fused loop is tested against); ``tests/test_reach.py`` checks both numbers against
finite differences and the sum of the G_k against the training code's gradient.

Symbols: T steps, B batch, D input size, H hidden size, G gate blocks (1 RNN, 4 LSTM, 3 GRU).

**A language model** (:func:`dependence`).  At a position t the model has read characters
1..t and predicts character t + 1 with loss L_t = −log p(char_{t+1}).  How much does that
loss depend on the character read k steps before, x_{t−k}?  The gradient answers to first
order: the size of

    g_k(t) = ‖∂L_t / ∂x_{t−k}‖        (x the input vector: the embedding of that character)

which BPTT computes for every k at once (the input gradient of the core's backward, with
the loss's gradient on the last state only).  :func:`dependence` averages g_k(t) over many
positions t of a text, read with the model's own carried state, for k = 0, 1, ..., back − 1.
It is chapter 3's vanishing gradient, measured on a trained network and real text: a
gradient that shrinks by a factor each step back is a prediction that forgets.
"""

from __future__ import annotations

import numpy as np

from whiteboard.analysis.units import read_text
from whiteboard.cells.gru import gru_step, gru_step_backward
from whiteboard.cells.lstm import lstm_step, lstm_step_backward
from whiteboard.cells.rnn import rnn_step, rnn_step_backward
from whiteboard.checks import as_rng, check_positive_int
from whiteboard.training.language import CharLM, State
from whiteboard.training.network import SequenceModel, affine_backward, cross_entropy

__all__ = ["reach_gradients", "mechanism", "dependence", "FAR"]

FAR = 10  # "far" terms reach 10 or more steps back


def _forward(core, X):
    """Run the readable step over X (T, B, D); the caches, in order."""
    p = core.parameters()
    T, B, _ = X.shape
    h = np.zeros((B, core.hidden_size))
    c = np.zeros_like(h)
    caches = []
    for t in range(T):
        if core.kind == "lstm":
            h, c, cache = lstm_step(X[t], h, c, p)
        elif core.kind == "gru":
            h, cache = gru_step(X[t], h, p)
        else:
            h, cache = rnn_step(X[t], h, p, core.nonlinearity)
        caches.append(cache)
    return h, caches


def reach_gradients(net: SequenceModel, x, y) -> dict:
    """∂L/∂W split by reach, and ∂L/∂x_t, for a network scored at the last step.

    Args:
        net: a :class:`SequenceModel` with a classification read-out (cross-entropy).
        x: its batch of inputs (tokens (T, B), or (T, B, D) real-valued).
        y: (B,) class ids.

    Returns:
        dict with ``loss``; ``W`` (T, G·H, H): entry k is G_k, the term of ∂L/∂W of reach
        k (k = 0 is the last step's own term), so ``W.sum(0)`` is ∂L/∂``weight_hh_l0``;
        and ``x`` (T, B, D): entry t−1 is ∂L/∂x_t, the gradient on the core's input at step t.
    """
    if not isinstance(net, SequenceModel) or net.loss_name != "cross_entropy":
        raise TypeError("reach_gradients needs a SequenceModel with a cross-entropy read-out, "
                        f"got {type(net).__name__}")
    X = net.inputs(np.asarray(x))
    h, caches = _forward(net.core, X)
    z = net.readout.forward(h)
    loss, dz = cross_entropy(z, np.asarray(y))
    dh = net.readout.backward(h, dz)["h"]
    dc = np.zeros_like(dh)
    T = X.shape[0]
    W = np.empty((T, *net.core.parameters()["weight_hh_l0"].shape))
    dx = np.empty(X.shape)
    for t in range(T - 1, -1, -1):  # back from the last step: reach k = T - 1 - t
        if net.core.kind == "lstm":
            g = lstm_step_backward(dh, dc, caches[t])
            dc = g["c_prev"]
        else:
            g = (gru_step_backward if net.core.kind == "gru" else rnn_step_backward)(dh, caches[t])
        W[T - 1 - t] = g["weight_hh_l0"]
        dx[t] = g["x"]
        dh = g["h_prev"]
    return {"loss": loss, "W": W, "x": dx}


def mechanism(net: SequenceModel, x, y, lag: int, *, far: int = FAR) -> dict:
    """How much of the gradient reaches a clue ``lag`` steps before the answer.

    Args:
        net, x, y: as in :func:`reach_gradients` (the answer due at the last step of x).
        lag: steps from the clue to the answer, 1 .. T − 1.
        far: the reach from which a term of ∂L/∂W counts as far, at least 1 (with T ≤ far no
            term is far and ``far_share`` is 0).

    Returns:
        dict with ``input_ratio`` and ``far_share`` (see the module docstring), ``loss``, and
        ``reach`` (T,): ‖G_k‖ for every reach k.
    """
    g = reach_gradients(net, x, y)
    T = g["W"].shape[0]
    lag, far = check_positive_int(lag, "lag"), check_positive_int(far, "far")
    if lag > T - 1:
        raise ValueError(f"lag must lie in 1..{T - 1} for sequences of {T} steps, got {lag}")
    near_norm = np.linalg.norm(g["W"][:far].sum(axis=0))
    far_norm = np.linalg.norm(g["W"][far:].sum(axis=0))
    total = near_norm + far_norm
    return {
        "input_ratio": float(np.linalg.norm(g["x"][T - 1 - lag]) / np.linalg.norm(g["x"][-1])),
        "far_share": float(far_norm / total) if total > 0 else 0.0,
        "loss": float(g["loss"]),
        "reach": np.linalg.norm(g["W"], axis=(1, 2)),
    }


def dependence(lm: CharLM, ids, *, back: int = 200, positions: int = 256, seed=0,
               reading=None) -> np.ndarray:
    """(back,) the mean over positions t of ‖∂L_t/∂x_{t−k}‖, for k = 0 .. back − 1.

    Args:
        lm: a :class:`whiteboard.training.language.CharLM`.
        ids: (N,) the text's character ids.
        back: the farthest distance k measured, plus one.
        positions: how many positions t, drawn uniformly (without repeats) from those with
            ``back`` characters before them and one after.
        seed: draws the positions (an int or a Generator).
        reading: ``read_text(lm, ids)`` if already at hand (it supplies the carried state
            at each window's start).
    """
    ids = np.asarray(ids)
    back = check_positive_int(back, "back")
    positions = check_positive_int(positions, "positions")
    if len(ids) < back + 2 + positions:
        raise ValueError(f"a text of {len(ids)} characters is too short for {positions} "
                         f"positions with {back} characters before each")
    reading = read_text(lm, ids) if reading is None else reading
    t = np.sort(as_rng(seed).choice(np.arange(back, len(ids) - 1), positions, replace=False))
    # window p reads characters t_p − back + 1 .. t_p, from the state after t_p − back
    x = ids[t[None, :] + np.arange(1 - back, 1)[:, None]]  # (back, P)
    dtype = lm.core.dtype
    before = t - back
    start = State(reading.h[before].astype(dtype),
                  reading.state[before].astype(dtype) if lm.kind == "lstm" else None)
    z, trace = lm.run(x, start)
    _, dz = cross_entropy(z[-1], ids[t + 1])
    dh = np.zeros_like(trace.h)
    dh[-1] = affine_backward(trace.h[-1], dz, lm.readout.V)["h"]
    dx = lm.core.backward(trace, dh)["x"] * positions  # undo the mean over the positions
    norms = np.linalg.norm(dx, axis=-1)  # (back, P): the last row is k = 0
    return norms[::-1].mean(axis=1)
