"""The long-lag tasks of Hochreiter & Schmidhuber (1997), seeded like the story task.

Temporal order (experiment 6a, :func:`make_temporal_order`): the order of two relevant
symbols hidden in noise.  Adding problem (experiment 4, :func:`make_adding`): the sum of two
marked numbers.  In both the first clue comes ``lag`` steps before the end.

Every generator takes ``rng`` (a ``numpy.random.Generator`` or an int seed); sequences are
time-major, and the lag is fixed exactly for every sequence of a batch, as in
:mod:`whiteboard.training.story`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.checks import as_rng, check_lag, check_nonneg_int, check_positive_int
from whiteboard.training.story import MAX_LAG

__all__ = ["SequenceBatch", "TEMPORAL_CLASSES", "TEMPORAL_VOCAB", "make_adding",
           "make_temporal_order"]


@dataclass(frozen=True)
class SequenceBatch:
    """A batch of a synthetic sequence task with one answer at the last step.

    Attributes:
        x: (T, B) int64 tokens into ``vocab`` (temporal order) or (T, B, 2) float64 inputs
            (adding problem: value, marker).
        y: (B,) int64 class ids into ``classes``, or (B,) float64 targets (adding problem).
        lag: steps from the first clue to the last step.
        clue_steps: (2, B) int64, the steps of the two clues in each sequence.
        vocab: the symbols (empty for the adding problem).
        classes: the class names (empty for the adding problem).
    """

    x: np.ndarray
    y: np.ndarray
    lag: int
    clue_steps: np.ndarray
    vocab: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()

    def decode(self, b: int = 0) -> str:
        """Sequence ``b`` as text (token tasks only)."""
        if not self.vocab:
            raise ValueError("the adding problem has real-valued inputs, not tokens")
        return " ".join(self.vocab[i] for i in self.x[:, b])


TEMPORAL_VOCAB = ("a", "b", "c", "d", "X", "Y", "B", "E")
TEMPORAL_CLASSES = ("XX", "XY", "YX", "YY")


def make_temporal_order(batch_size: int, lag: int, *, rng, prefix: int = 3) -> SequenceBatch:
    """Temporal order: classify the order of two relevant symbols hidden in noise.

    The sequence starts with ``B``, has ``prefix - 1`` noise symbols, the first relevant
    symbol (``X`` or ``Y``) at step ``prefix``, the second one at a uniform step strictly
    between the first and the end, noise elsewhere, and the end marker ``E`` at the last
    step, exactly ``lag`` steps after the first relevant symbol.

    Args:
        batch_size: B, at least 1.
        lag: at least 2, at most ``MAX_LAG``.
        rng: a ``numpy.random.Generator`` or an int seed.
        prefix: step of the first relevant symbol, at least 1.

    Returns:
        A :class:`SequenceBatch` with ``x`` (prefix + lag + 1, B) and ``y`` in 0..3.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    lag = check_lag(lag, 2, MAX_LAG)
    prefix = check_positive_int(prefix, "prefix")
    rng = as_rng(rng)
    T = prefix + lag + 1
    x = rng.integers(4, size=(T, batch_size))  # noise a..d
    x[0] = TEMPORAL_VOCAB.index("B")
    x[-1] = TEMPORAL_VOCAB.index("E")
    first, second = rng.integers(2, size=(2, batch_size))  # 0 = X, 1 = Y
    t1 = prefix
    t2 = rng.integers(t1 + 1, T - 1, size=batch_size)  # strictly between t1 and the end
    cols = np.arange(batch_size)
    x[t1, cols] = 4 + first
    x[t2, cols] = 4 + second
    steps = np.stack([np.full(batch_size, t1), t2]).astype(np.int64)
    return SequenceBatch(x=x.astype(np.int64), y=(2 * first + second).astype(np.int64), lag=lag,
                         clue_steps=steps, vocab=TEMPORAL_VOCAB, classes=TEMPORAL_CLASSES)


def make_adding(batch_size: int, lag: int, *, rng, prefix: int = 3) -> SequenceBatch:
    """The adding problem: add the two marked numbers of a noisy sequence.

    Channel 0 holds values drawn uniformly from ``[-1, 1]``; channel 1 is 1 at the two
    marked steps and 0 elsewhere.  The first mark is at step ``prefix``, exactly ``lag``
    steps before the last step; the second is at a uniform step after it (possibly the
    last).  The target ``0.5 + (v1 + v2) / 4`` lies in ``[0, 1]``; Hochreiter & Schmidhuber
    counted a sequence as solved when the absolute error is below 0.04.

    Args:
        batch_size, rng: as in :func:`make_temporal_order`.
        lag: at least 1, at most ``MAX_LAG``.
        prefix: step of the first mark, at least 0.

    Returns:
        A :class:`SequenceBatch` with float ``x`` (prefix + lag + 1, B, 2) and float ``y`` (B,).
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    lag = check_lag(lag, 1, MAX_LAG)
    prefix = check_nonneg_int(prefix, "prefix")
    rng = as_rng(rng)
    T = prefix + lag + 1
    x = np.zeros((T, batch_size, 2))
    x[:, :, 0] = rng.uniform(-1.0, 1.0, size=(T, batch_size))
    t1 = prefix
    t2 = rng.integers(t1 + 1, T, size=batch_size)
    cols = np.arange(batch_size)
    x[t1, cols, 1] = 1.0
    x[t2, cols, 1] = 1.0
    y = 0.5 + (x[t1, cols, 0] + x[t2, cols, 0]) / 4.0
    steps = np.stack([np.full(batch_size, t1), t2]).astype(np.int64)
    return SequenceBatch(x=x, y=y, lag=lag, clue_steps=steps)
