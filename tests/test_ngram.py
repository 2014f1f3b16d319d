"""The character n-gram baseline: interpolated Kneser-Ney sums to one and counts what it says."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_cli import cli

from whiteboard.analysis.baseline import ngram_baseline
from whiteboard.training.ngram import NGram
from whiteboard.training.text import CHARS, stdlib_corpus

TEXT = "abracadabra, abracadabra! cadabra."


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_every_distribution_sums_to_one(order):
    m = NGram(order).fit(TEXT)
    for context in ["", "a", "ab", "zz", "bra", "xyzab"]:
        assert sum(m.prob(context, c) for c in CHARS) == pytest.approx(1.0, abs=1e-12)


def test_the_counts_are_kneser_ney_s():
    m = NGram(3).fit(TEXT)
    assert m.counts[2]["abr"] == TEXT.count("abr") == 5  # the longest: counts in the text
    # shorter ones count the distinct characters seen just before them
    assert m.counts[1]["br"] == 1  # only ever after "a"
    assert m.counts[0]["a"] == len({TEXT[i - 1] for i in range(1, len(TEXT)) if TEXT[i] == "a"})


def test_a_unigram_model_is_discounted_frequencies():
    m = NGram(1).fit("aab")
    d, u = 0.75, 1 / len(CHARS)
    assert m.prob("", "a") == pytest.approx((2 - d) / 3 + d * 2 / 3 * u)
    assert m.prob("", "z") == pytest.approx(d * 2 / 3 * u)


def test_char_bits_are_the_log_probabilities_of_the_next_characters():
    m = NGram(3).fit(TEXT)
    bits = m.char_bits("abra")
    assert bits.shape == (3,)
    assert bits[2] == pytest.approx(-math.log2(m.prob("br", "a")))
    assert bits[0] == pytest.approx(-math.log2(m.prob("a", "b")))


def test_longer_contexts_predict_a_repetitive_text_better():
    text = "def f(x):\n    return x\n" * 50
    b2, b5 = (NGram(n).fit(text).char_bits(text[:200]).mean() for n in (2, 5))
    assert b5 < b2 < math.log2(len(CHARS))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="not been fitted"):
        NGram(2).prob("a", "b")
    with pytest.raises(ValueError, match="discount"):
        NGram(2, discount=1.5)
    with pytest.raises(ValueError, match="order"):
        NGram(0)


def test_the_baseline_record(tmp_path):
    (tmp_path / "m.py").write_text("def f(x):\n    return x + 1\n" * 30)
    corpus = stdlib_corpus(("m",), root=tmp_path)
    out = ngram_baseline((1, 3), corpus=corpus, command="test")
    assert set(out["bits_per_char"]) == {"1", "3"} and out["best_order"] in (1, 3)
    assert out["corpus"]["sha256"] == corpus.sha256 and out["command"] == "test"
    assert all(np.isfinite(v) for v in out["bits_per_char"].values())


def test_the_cli_lists_the_ngram_experiment():
    assert "ngram" in cli("--help").stdout
    r = cli("ngram", "--orders", "0")
    assert r.returncode == 2 and "positive integer" in r.stderr
