"""The n-gram baseline of the text chapter, measured where the networks are measured.

:func:`ngram_baseline` fits a character n-gram model (:class:`whiteboard.training.ngram.
NGram`) of each order on the standard-library corpus, reads the held-out text with it, and
reports bits per character overall and on each kind of prediction of
:func:`whiteboard.analysis.code_features.prediction_kinds` (inside strings, closing
brackets...).  The corpus is the running Python's, so ``python -m whiteboard ngram --out
results/python_ngram.json`` stores the result with the corpus described, and the chapter
reads that file.
"""

from __future__ import annotations

import datetime
import time

from whiteboard.analysis.code_features import bits_by_kind
from whiteboard.checks import check_positive_int
from whiteboard.training.ngram import DISCOUNT, NGram
from whiteboard.training.text import heldout_text, stdlib_corpus

__all__ = ["ngram_baseline"]


def ngram_baseline(orders=(2, 3, 4, 5, 6, 7, 8), *, corpus=None, command: str = "") -> dict:
    """Fit an :class:`NGram` of each order on the corpus and measure it on the held-out text.

    Args:
        orders: the orders n to fit.
        corpus: a :class:`whiteboard.training.text.Corpus` (default: :func:`~whiteboard.
            training.text.stdlib_corpus` of the running Python).
        command: the command line that asked, for the record.

    Returns:
        ``{"experiment": "ngram", "command", "date", "corpus": {python, modules, chars,
        sha256, replaced}, "discount", "bits_per_char": {n: bits}, "by_kind": {n: {kind:
        bits}}, "best_order", "seconds": {n: fit and measure}}``, bits rounded to 4 decimals.
    """
    orders = [check_positive_int(n, "order") for n in orders]
    corpus = stdlib_corpus() if corpus is None else corpus
    held = heldout_text()
    bits, kinds, seconds = {}, {}, {}
    for n in orders:
        start = time.perf_counter()
        char_bits = NGram(n).fit(corpus.text).char_bits(held)
        seconds[str(n)] = round(time.perf_counter() - start, 1)
        bits[str(n)] = round(float(char_bits.mean()), 4)
        kinds[str(n)] = {k: round(v, 4) for k, v in bits_by_kind(char_bits, held).items()}
    return {"experiment": "ngram", "command": command,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "corpus": corpus.describe(), "discount": DISCOUNT, "bits_per_char": bits,
            "by_kind": kinds, "best_order": int(min(bits, key=bits.get)), "seconds": seconds}
