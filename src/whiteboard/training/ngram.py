"""A character n-gram model: the baseline a recurrent language model has to beat.

An n-gram model predicts the next character from the n − 1 characters before it and nothing
else: a window that never moves past n − 1, however the text goes on.  The probabilities are
counts, smoothed by *interpolated Kneser-Ney* (Kneser and Ney 1995, in the form of Chen and
Goodman 1999 with one discount d = 0.75).  With c(u·a) the count of context u followed by
character a, c(u) = Σ_a c(u·a), and N(u) the number of distinct characters seen after u,

    P(a | u) = max(c(u·a) − d, 0) / c(u) + d · N(u) / c(u) · P(a | u')

where u' is u without its first character.  For the longest contexts c counts the training
text; for every shorter one it counts the distinct characters seen *before* the k-gram
(Kneser and Ney's continuation counts: a character that follows many contexts is a likely
guess in a new one, one that only ever follows a single context is not).  The empty
context falls back to the uniform distribution over the alphabet, and an unseen context at
once to the shorter ones.  Every P(· | u) sums to 1, so its bits per character compare with
the networks'.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from whiteboard.checks import check_positive_int, check_text
from whiteboard.training.text import CHARS

__all__ = ["NGram"]

DISCOUNT = 0.75


class NGram:
    """A character n-gram model of ``order`` n (the next character from the n − 1 before).

    Args:
        order: n ≥ 1 (n = 1: character frequencies alone).
        discount: d in (0, 1).
    """

    def __init__(self, order: int, *, discount: float = DISCOUNT):
        self.order = check_positive_int(order, "order")
        if not 0 < discount < 1:
            raise ValueError(f"discount must lie in (0, 1), got {discount}")
        self.discount = float(discount)
        self.counts: list[Counter] = []

    def __repr__(self) -> str:
        return f"NGram(order={self.order})"

    def fit(self, text: str) -> NGram:
        """Count every k-gram of ``text`` for k = 1..n; returns the model."""
        text = check_text(text, "text")
        n = self.order
        self.counts = [Counter() for _ in range(n - 1)]
        self.counts.append(Counter(text[i : i + n] for i in range(len(text) - n + 1)))
        grams = self.counts[-1].keys()
        for k in range(n - 2, -1, -1):  # continuation counts: distinct characters before
            self.counts[k] = Counter(g[1:] for g in grams)
            grams = self.counts[k].keys()
        # per context u (k − 1 characters): C(u) as the total of its continuations, and N(u)
        self._types = [Counter(g[:-1] for g in grams) for grams in self.counts]
        self._totals = [Counter() for _ in self.counts]
        for totals, grams in zip(self._totals, self.counts, strict=True):
            for g, n in grams.items():
                totals[g[:-1]] += n
        return self

    def prob(self, context: str, char: str) -> float:
        """P(char | the last n − 1 characters of ``context``)."""
        if not self.counts:
            raise ValueError("the model has not been fitted: call fit(text) first")
        p = 1.0 / len(CHARS)
        context = context[len(context) - self.order + 1 :] if self.order > 1 else ""
        for k in range(len(context) + 1):  # from the empty context to the longest
            u = context[len(context) - k :] if k else ""
            total = self._totals[k][u]
            if not total:
                break  # a longer context containing u is unseen too
            seen = self.counts[k][u + char]
            d = self.discount
            p = max(seen - d, 0.0) / total + d * self._types[k][u] / total * p
        return p

    def char_bits(self, text: str) -> np.ndarray:
        """(N − 1,) −log₂ P of every character of ``text`` after its first, given the ones
        before (at most n − 1 of them)."""
        text = check_text(text, "text")
        n = self.order
        return np.array([-math.log2(self.prob(text[max(0, t - n + 1) : t], text[t]))
                         for t in range(1, len(text))])
