"""Memories wired by hand: a small LSTM and GRU that do the story task on purpose.

:func:`story_memory_lstm` and :func:`story_memory_gru` set the weights of a small cell so
that it does the story task (country -> language) by design: one unit per country, a gate
that opens when that country is read, a forget (update) gate that keeps it, and (LSTM) an
output gate that opens at "speaks".  Forcing their gates (:mod:`whiteboard.analysis.whatif`)
has effects a reader can predict, which makes them the chapters' test bench.
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.gru import GATES as GRU_GATES
from whiteboard.cells.lstm import GATES as LSTM_GATES
from whiteboard.cells.spec import by_name
from whiteboard.maths import one_hot, softmax
from whiteboard.training.story import COUNTRIES, LANGUAGES, story_vocab

__all__ = ["encode_words", "story_memory_gru", "story_memory_lstm", "story_readout"]


def _rows(gates, name, H):
    """The rows of gate ``name`` in the stacked weights, from the cell's gate spec."""
    k = by_name(gates)[name].block
    return slice(k * H, (k + 1) * H)

def encode_words(words) -> np.ndarray:
    """One-hot inputs (T, 1, V) for a story given as words of ``story_vocab()``."""
    vocab = {w: k for k, w in enumerate(story_vocab())}
    unknown = [w for w in words if w not in vocab]
    if unknown:
        raise ValueError(f"words not in the story vocabulary: {unknown}")
    tokens = np.array([[vocab[w]] for w in words])
    return one_hot(tokens, len(vocab))


def _wired(model_cls, seed, noise, **kw):
    """A model over the story vocabulary, one unit per country, small random weights."""
    V, H = len(story_vocab()), len(COUNTRIES)
    model = model_cls(V, H, seed=seed, **kw)
    for arr in model.parameters().values():
        arr *= noise  # keep a little of the random init, so the picture is not too clean
    vocab = story_vocab()
    country = np.array([vocab.index(c) for c in COUNTRIES])
    return model, model.parameters(), np.arange(H), country, vocab.index("speaks")


def story_memory_lstm(*, keep=4.0, seed=0, noise=0.3):
    """An LSTM whose weights are set by hand to carry the country to "speaks".

    Unit k belongs to country k. Its input gate opens (σ(+3)) when country k is read and
    stays nearly shut (σ(-3)) otherwise; its candidate is tanh(3) ≈ 1 there; its forget
    gate is σ(keep) at every step; its output gate opens only at "speaks".

    Args:
        keep: the forget gate's bias b_f (σ(4) ≈ 0.982 per step).
        seed: seeds the small random part of the weights.
        noise: scale of the random part relative to PyTorch's initialisation.

    Returns:
        an ``LSTM`` with D = len(story_vocab()) one-hot inputs and H = 8.
    """
    from whiteboard.models.lstm import LSTM

    model, p, units, country, speaks = _wired(LSTM, seed, noise)
    H = len(units)
    rows = {gate.name: _rows(LSTM_GATES, gate.name, H) for gate in LSTM_GATES}
    p["bias_ih_l0"][rows["i"]] = -3.0
    p["weight_ih_l0"][rows["i"].start + units, country] = 6.0
    p["bias_ih_l0"][rows["f"]] = keep
    p["weight_ih_l0"][rows["g"].start + units, country] = 3.0
    p["bias_ih_l0"][rows["o"]] = -3.0
    p["weight_ih_l0"][rows["o"], speaks] = 6.0
    p["bias_hh_l0"][:] = 0.0  # every gate's whole bias sits in bias_ih_l0
    return model


def story_memory_gru(*, keep=4.0, seed=0, noise=0.3):
    """A GRU whose weights are set by hand to carry the country along the story.

    PyTorch's form h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}: unit k's update gate is σ(keep)
    (keep the old state) at every step except when country k is read, where it drops to
    σ(keep - 8) and the candidate tanh(3) ≈ 1 comes in.

    Returns:
        a ``GRU`` with D = len(story_vocab()) one-hot inputs and H = 8.
    """
    from whiteboard.models.gru import GRU

    model, p, units, country, _ = _wired(GRU, seed, noise)
    H = len(units)
    z, n = _rows(GRU_GATES, "z", H), _rows(GRU_GATES, "n", H)
    p["bias_ih_l0"][z] = keep
    p["bias_hh_l0"][z] = 0.0
    p["weight_ih_l0"][z.start + units, country] = -8.0
    p["weight_ih_l0"][n.start + units, country] = 3.0
    return model


def story_readout(scale=8.0):
    """The read-out of the wired models: p = softmax(scale · h_t), one class per unit.

    Returns:
        a function h (H,) -> probabilities (8,) over ``whiteboard.training.story.LANGUAGES``.
    """

    def readout(h):
        h = np.asarray(h, dtype=float)
        if h.shape != (len(LANGUAGES),):
            raise ValueError(f"h must have shape ({len(LANGUAGES)},), got {h.shape}")
        return softmax(scale * h)

    return readout


# ------------------------------------------------------------------------ the cell path
