"""How far back a language model's next prediction depends on the text it has read.

At a position t the model has read characters 1..t and predicts character t + 1 with loss
L_t = −log p(char_{t+1}).  How much does that loss depend on the character read k steps
before, x_{t−k}?  The gradient answers to first order: the size of

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
from whiteboard.checks import as_rng, check_positive_int
from whiteboard.training.language import CharLM, State
from whiteboard.training.network import affine_backward, cross_entropy

__all__ = ["dependence"]


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
