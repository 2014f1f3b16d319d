"""The character text task: the corpus builder, the alphabet, the held-out text, the windows."""

from __future__ import annotations

import ast
import hashlib
import platform

import numpy as np
import pytest

from whiteboard.training import text as tx


def _library(tmp_path, files):
    for name, body in files.items():
        (tmp_path / f"{name}.py").write_text(body, encoding="utf-8")
    return tmp_path


def test_the_corpus_is_deterministic_for_this_python():
    a, b = tx.stdlib_corpus(), tx.stdlib_corpus()
    assert a.text == b.text and a.sha256 == b.sha256
    assert a.sha256 == hashlib.sha256(a.text.encode()).hexdigest()
    assert a.python == platform.python_version()
    assert a.modules == tx.STDLIB_MODULES
    assert set(a.text) <= set(tx.CHARS)
    assert len(a.text) > 1_000_000  # about 3 MB of code
    described = a.describe()
    assert described["modules"] == list(tx.STDLIB_MODULES) and "text" not in described


def test_the_corpus_joins_the_modules_in_order(tmp_path):
    root = _library(tmp_path, {"one": "x = 1\n\n\n", "two": "\ty = 'é'\r\n"})
    c = tx.stdlib_corpus(("one", "two"), root=root)
    assert c.text == "x = 1\n\n    y = '?'\n\n"
    assert c.replaced == 1
    assert tx.stdlib_corpus(("two", "one"), root=root).text.startswith("    y")


def test_a_missing_module_is_refused_by_name(tmp_path):
    root = _library(tmp_path, {"one": "x = 1\n"})
    with pytest.raises(ValueError, match=r"module\(s\) nope.*Python"):
        tx.stdlib_corpus(("one", "nope"), root=root)
    with pytest.raises(ValueError, match="non-empty"):
        tx.stdlib_corpus((), root=root)


def test_a_module_that_is_a_package_today_is_missing(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    with pytest.raises(ValueError, match="pkg"):
        tx.stdlib_corpus(("pkg",), root=tmp_path)


def test_encode_and_decode_are_inverse():
    text = "def f(x):\n    return x + 1  # ~\n"
    ids = tx.encode(text)
    assert ids.dtype == np.int64 and ids.max() < len(tx.CHARS) == 96
    assert tx.decode(ids) == text
    with pytest.raises(ValueError, match="'é' is not in the alphabet"):
        tx.encode("café")
    with pytest.raises(TypeError, match="string"):
        tx.encode(b"abc")


def test_the_heldout_text_is_frozen_python_in_the_alphabet():
    text = tx.heldout_text()
    assert set(text) <= set(tx.CHARS)
    ast.parse(text)  # Python: the features read its tokens
    assert text.startswith('"""Input validation')
    assert len(text) == 64488


def test_lanes_cut_the_text_into_contiguous_parts():
    ids = np.arange(23)
    L = tx.lanes(ids, 4)
    assert L.shape == (4, 6)
    assert L[1, 0] == L[0, -1] == 5
    np.testing.assert_array_equal(tx.lanes(ids, 2, offset=3)[0], np.arange(3, 13))
    with pytest.raises(ValueError, match="too short"):
        tx.lanes(np.arange(3), 4)


def test_each_window_continues_the_last_and_each_pass_moves_the_cuts():
    ids = np.arange(1000)
    s = tx.stream(ids, batch=4, window=10, rng=0)
    first = [next(s) for _ in range(24)]  # one pass has 24 windows at any offset below 10
    assert first[0].first and not any(w.first for w in first[1:])
    for a, b in zip(first, first[1:], strict=False):
        np.testing.assert_array_equal(a.x[1:], a.y[:-1])  # y is x one step on
        np.testing.assert_array_equal(b.x[0], a.y[-1])  # each lane goes on where it stopped
    starts = [first[0]] + [[next(s) for _ in range(24)][0] for _ in range(5)]
    assert all(w.first for w in starts)
    assert len({int(w.x[0, 0]) for w in starts}) > 1  # the passes start at other offsets
    with pytest.raises(ValueError, match="too short"):
        next(tx.stream(np.arange(30), batch=4, window=10))
