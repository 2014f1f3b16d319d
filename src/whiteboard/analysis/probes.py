"""How much of the past is still in the state: input Jacobians, decoding, the France story.

Ways to measure how the trace of an old input fades from an RNN's state s_t, each computed
from a real forward pass (the input Jacobian ‖∂s_t/∂x_{t-k}‖ is
:func:`whiteboard.analysis.jacobians.input_jacobian_norms`):

* **Decoding** (:func:`decoding_r2`).  How well a linear read-out recovers x_{t-k} from s_t
  (held-out R²).  This one depends on the size H of the board: more slots keep more of the
  past readable, but not for ever.
* **Swapping the country** (:func:`swap_dependence`).  In the book's story, replace the
  country by each other country and measure how far the state moves at every later step.

The same measures apply to a trained network, such as chapter 1's RNN
(``whiteboard.pretrained.load("story_rnn")``), whose weights were learned rather than drawn.

Symbols: T steps, B batch, D input size, H hidden size, k steps back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.checks import as_rng, check_nonneg_int, check_positive_int
from whiteboard.maths import one_hot
from whiteboard.training.story import COUNTRIES, encode_story, make_stories, story_vocab

__all__ = [
    "answer_map",
    "memory_units",
    "readability",
    "DistractorStory",
    "decoding_r2",
    "distractor_story",
    "swap_dependence",
]


def decoding_r2(model, lags, *, steps=400, batch=16, burn_in=None, seed=0):
    """How well x_{t-k} can be read back from s_t by a linear read-out: held-out R² per lag.

    The model reads ``batch`` streams of ``steps`` random inputs, each entry uniform in
    [-1, 1].  For every lag k a least-squares read-out x̂_{t-k} = A s_t + β is fitted on the
    first half of the (state, old input) pairs and scored on the second half:
    R² = 1 − mean squared error / variance, clipped at 0 (a held-out R² can be negative
    when the read-out does worse than the mean; 1 means perfectly readable).  The sum of
    R² over all lags is the linear memory capacity: roughly how many past inputs the
    state holds, at most H for a linear read-out.

    Args:
        model: an RNN (or any model with ``forward`` returning ``trace.h``).
        lags: non-negative ints k.
        steps: T of each stream.
        batch: B streams.
        burn_in: steps dropped at the start so the state forgets s_0 (default: max lag).
        seed: seeds the input streams.

    Returns:
        (len(lags),) array of R² in [0, 1], averaged over the D input features.
    """
    lags = np.asarray([check_nonneg_int(int(k), "lag") for k in lags], dtype=int)
    steps = check_positive_int(steps, "steps")
    batch = check_positive_int(batch, "batch")
    kmax = int(lags.max())
    burn_in = max(kmax, 0 if burn_in is None else check_nonneg_int(burn_in, "burn_in"))
    if steps - burn_in < 8:
        raise ValueError(f"steps = {steps} leaves too few states after a burn-in of "
                         f"{burn_in}; use steps >= burn_in + 8")
    x = np.random.default_rng(seed).uniform(-1, 1, (steps, batch, model.input_size))
    h = model.forward(x).h
    S = h[burn_in:].reshape(-1, h.shape[2])
    A = np.c_[S, np.ones(len(S))]
    # Columns: the D features of x_{t-k} for every lag, all fitted in one least squares.
    Y = np.concatenate([x[burn_in - k:steps - k].reshape(len(S), -1) for k in lags], axis=1)
    half = len(S) // 2
    coef, *_ = np.linalg.lstsq(A[:half], Y[:half], rcond=None)
    err = ((A[half:] @ coef - Y[half:]) ** 2).mean(axis=0)
    r2 = np.clip(1 - err / Y[half:].var(axis=0), 0, 1)
    return r2.reshape(len(lags), -1).mean(axis=1)


@dataclass(frozen=True)
class DistractorStory:
    """One story with n distractor sentences between the country and ``she speaks``.

    Attributes:
        words: the story, one word per step.
        tokens: (T,) ids into ``story_vocab()``.
        country_step: 0-based step of the country word.
        n_distractors: how many distractor sentences the story has.
    """

    words: tuple
    tokens: np.ndarray
    country_step: int
    n_distractors: int

    @property
    def lag(self):
        """Steps from the country to ``speaks``."""
        return len(self.words) - 1 - self.country_step


def distractor_story(n_distractors, *, seed=0, pool=12, country="France"):
    """The same story with its first ``n_distractors`` distractor sentences kept.

    The stories for n = 0, 1, 2, … share their opening and their distractors, so that
    comparing them isolates the effect of adding one more sentence.  The sentences come
    from :func:`whiteboard.training.story.make_stories` (one long story, cut at its full stops).

    Args:
        n_distractors: 0 ≤ n ≤ ``pool``.
        seed: picks the story.
        pool: how many distractor sentences the long story is cut from.
        country: the country the story names (one of ``whiteboard.training.story.COUNTRIES``).

    Returns:
        a :class:`DistractorStory`.
    """
    n = check_nonneg_int(n_distractors, "n_distractors")
    pool = check_positive_int(pool, "pool")
    if country not in COUNTRIES:
        raise ValueError(f"country must be one of {COUNTRIES}, got {country!r}")
    if n > pool:
        raise ValueError(f"n_distractors must be at most pool = {pool}, got {n}")
    rng = as_rng(seed)
    # 6 tokens per sentence on average is plenty: the long story is cut, never padded.
    long = make_stories(1, 3 + 8 * pool, rng=rng)
    words = long.words(0)
    stops = [i for i, w in enumerate(words) if w == "."]
    if len(stops) < pool + 1:
        raise ValueError(f"the generated story has only {len(stops) - 1} distractor "
                         f"sentences; lower pool")
    kept = words[:stops[n] + 1] + ["she", "speaks"]
    kept[long.country_step] = country
    return DistractorStory(words=tuple(kept), tokens=encode_story(" ".join(kept)),
                           country_step=long.country_step, n_distractors=n)


def swap_dependence(model, story, *, encode=None):
    """How far the state at every step moves when the country is swapped for another.

    For each other country c, the story is run with c in place of its own country, and
    d_t = ‖s_t(original) − s_t(c)‖ is recorded; the result is the mean over c.  Before the
    country step d_t = 0; at "speaks" it says how much the state still depends on it.

    Args:
        model: a recurrent model with ``forward`` and ``input_size == len(story_vocab())``.
        story: a :class:`DistractorStory`.
        encode: tokens (T, B) -> inputs (T, B, D); default one-hot.

    Returns:
        (T,) array of mean state distances, one per step.
    """
    if not isinstance(story, DistractorStory):
        raise TypeError(f"story must be a DistractorStory, got {type(story).__name__}")
    vocab = story_vocab()
    own = story.words[story.country_step]
    others = [c for c in COUNTRIES if c != own]
    tokens = np.repeat(story.tokens[:, None], len(others) + 1, axis=1)  # (T, 1 + others)
    tokens[story.country_step, 1:] = [vocab.index(c) for c in others]
    X = one_hot(tokens, len(vocab)) if encode is None else encode(tokens)
    h = model.forward(X).h
    return np.linalg.norm(h[:, 1:] - h[:, :1], axis=2).mean(axis=1)


def readability(states: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """How well the class can be read off the state at each step, by nearest centroid.

    The sequences are split in half.  At every step, the first half gives one centroid
    (mean state) per class; each sequence of the second half is assigned the class of the
    nearest centroid.  The result is the fraction assigned correctly: 1 when the state still
    separates the classes cleanly, ``1/n_classes`` when it has forgotten them.

    Args:
        states: (T, B, H) hidden or cell states of B sequences.
        labels: (B,) class ids.
        n_classes: the number of classes.

    Returns:
        (T,) accuracy at each step.
    """
    states = np.asarray(states, dtype=float)
    labels = np.asarray(labels)
    half = states.shape[1] // 2
    fit, test = slice(0, half), slice(half, None)
    if not all(np.any(labels[fit] == k) for k in range(n_classes)):
        raise ValueError("every class needs at least one sequence in the first half")
    # centroids: (T, K, H)
    centroids = np.stack([states[:, fit][:, labels[fit] == k].mean(axis=1)
                          for k in range(n_classes)], axis=1)
    d = ((states[:, test, None, :] - centroids[:, None]) ** 2).sum(axis=-1)  # (T, B2, K)
    return (d.argmin(axis=-1) == labels[test]).mean(axis=1)


def memory_units(states: np.ndarray, labels: np.ndarray, n_classes: int):
    """Rank units by how much of their variance the class explains (η², best first).

    ``η² = Σ_k n_k (μ_k − μ)² / Σ_b (s_b − μ)²`` per unit: 1 when a unit takes one value
    per class, 0 when it ignores the class.

    Args:
        states: (B, H) states of B sequences at one step (e.g. the answer step).
        labels: (B,) class ids.

    Returns:
        ``(order, eta2)``: unit indices sorted by η², and η² of every unit (H,).
    """
    states = np.asarray(states, dtype=float)
    mu = states.mean(axis=0)
    total = ((states - mu) ** 2).sum(axis=0)
    between = sum((labels == k).sum() * (states[labels == k].mean(axis=0) - mu) ** 2
                  for k in range(n_classes) if np.any(labels == k))
    eta2 = between / np.maximum(total, 1e-300)
    return np.argsort(-eta2), eta2


def answer_map(net, batch) -> dict:
    """Which answer a trained classifier gives for each class, on a batch with ``.x`` and ``.y``.

    A network that keeps the clue but reads it wrongly gives a *consistent* wrong answer
    per class (its accuracy can then fall below chance); one that has lost the clue
    spreads its answers, or gives one answer to every class.

    Returns:
        dict with ``accuracy``; ``answers`` (K,): for each true class the class it is most
        often given (−1 for a class absent from the batch); ``share`` (K,): how often that
        answer is given to that class (NaN when absent); ``distinct``: how many different
        classes appear in ``answers``.
    """
    z, _ = net.forward(batch.x)
    pred, y = z.argmax(axis=-1), np.asarray(batch.y)
    K = z.shape[-1]
    counts = np.zeros((K, K), dtype=int)
    np.add.at(counts, (y, pred), 1)
    seen = counts.sum(axis=1) > 0
    answers = np.where(seen, counts.argmax(axis=1), -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(seen, counts.max(axis=1) / counts.sum(axis=1), np.nan)
    return {"accuracy": float(np.mean(pred == y)), "answers": answers, "share": share,
            "distinct": len(set(answers[seen].tolist()))}
