"""The text pad: input validation, reproducible HTML, and the page's numbers against numpy.

The browser tests run the page's own ``wbRead`` and ``wbSample`` in headless Chromium and
compare them with numpy's forward pass and sampler to 1e-9;
``test_a_wrong_weight_fails_the_check`` shows the comparison catching a page whose weights
are wrong on purpose.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
from playground_checks import broken

from whiteboard import pretrained
from whiteboard.maths import softmax
from whiteboard.training.language import sample_ids
from whiteboard.training.text import CHARS, encode, to_alphabet
from whiteboard.viz.textpad import DEFAULT_TEXT, MODELS, TextPad, _half, textpad

TOL = 1e-9
CODE = 'x = {"a": [1, (2, 3)]}  # a dict\n\tif x:\n        print(\'caf\u00e9\')\n'


@pytest.mark.parametrize("call, error, match", [
    (lambda: textpad(("python_lstm", "story_rnn")), ValueError, "no choice called 'story_rnn'"),
    (lambda: textpad(()), ValueError, "at least one of"),
    (lambda: textpad("python_lstm"), TypeError, "list or tuple of names"),
    (lambda: textpad(text=3), TypeError, "text must be a string"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_html_is_reproducible_self_contained_and_small():
    a, b = textpad().to_html(), textpad().to_html()
    assert a == b and textpad()._repr_html_() == a
    assert isinstance(textpad(), TextPad) and re.fullmatch(r"wbt[0-9a-f]{12}", textpad().uid)
    assert textpad(text="x = 1\n").uid != textpad().uid
    assert a.startswith('<div class="wb-textpad"') and "<textarea" in a
    assert "src=" not in a and "http:" not in a and "https:" not in a
    assert len(a.encode()) < 560_000, len(a.encode())


def test_the_page_embeds_exactly_the_stored_weights():
    lm = pretrained.load("python_lstm")
    assert _half(lm.readout.V)["dtype"] == "f2"
    with pytest.raises(ValueError, match="float16"):
        _half(np.array([0.1]))


# ---- the page against numpy ---------------------------------------------------------------


@functools.cache
def _html():
    return textpad(MODELS, DEFAULT_TEXT).to_html()


@pytest.fixture
def pad(browser, tmp_path):
    def open_page(html=None):
        path = tmp_path / "textpad.html"
        path.write_text(f"<!doctype html><meta charset='utf-8'><body>{html or _html()}</body>")
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".wb-textpad[data-ready]")
        return page, errors
    return open_page


def read_page(page, text):
    return page.evaluate("t => document.querySelector('.wb-textpad').wbRead(t)", text)


def numpy_read(name, text):
    lm = pretrained.load(name)
    z, trace = lm.run(encode(text)[:, None])
    state = trace.c if trace.c is not None else trace.h
    return softmax(z[:, 0]), state[:, 0], trace.h[:, 0]


def check_reading(got, text, models=MODELS):
    clean, replaced = to_alphabet(text)
    assert got["text"] == clean and got["replaced"] == replaced
    assert got["ids"] == encode(clean).tolist()
    assert set(got["models"]) == set(models)
    for name in models:
        probs, state, h = numpy_read(name, clean)
        page = got["models"][name]
        np.testing.assert_allclose(np.array(page["probs"]), probs, rtol=0, atol=TOL)
        np.testing.assert_allclose(np.array(page["state"]), state, rtol=0, atol=TOL)
        np.testing.assert_allclose(np.array(page["h"]), h, rtol=0, atol=TOL)


@pytest.mark.browser
def test_the_page_reads_code_as_numpy_does(pad):
    page, errors = pad()
    for text in (DEFAULT_TEXT, CODE, "a"):
        check_reading(read_page(page, text), text)
    assert not errors


@pytest.mark.browser
def test_the_page_samples_as_numpy_does_from_its_own_seeded_numbers(pad):
    page, errors = pad()
    for name, temperature, seed in (("python_lstm", 0.8, 0), ("python_rnn", 1.2, 7),
                                    ("python_lstm", 0.5, 3)):
        got = page.evaluate("([n, t, s]) => document.querySelector('.wb-textpad')"
                            ".wbSample(n, 'def f(x):\\n', 60, t, s)", [name, temperature, seed])
        again = page.evaluate("([n, t, s]) => document.querySelector('.wb-textpad')"
                              ".wbSample(n, 'def f(x):\\n', 60, t, s)", [name, temperature, seed])
        assert got == again  # seeded
        want = sample_ids(pretrained.load(name), encode("def f(x):\n"), got["u"], temperature)
        assert got["ids"] == want.tolist()
        assert got["text"] == "".join(CHARS[i] for i in want)
    assert not errors


@pytest.mark.browser
def test_the_reader_sees_the_units_and_the_next_characters(pad):
    page, errors = pad()
    page.fill(".wb-tp-code", "s = 'abc'  # note\n")
    page.wait_for_function("document.querySelector('.wb-tp-text').textContent === "
                           "\"s = 'abc'  # note\\n\"")
    heads = page.locator(".wb-tp-head").all_inner_texts()
    assert len(heads) == len(MODELS) and all("with inside a string" in h for h in heads)
    page.select_option(".wb-tp-feature", "depth")
    assert "bracket depth" in page.locator(".wb-tp-head").first.inner_text()
    page.locator(".wb-tp-text").first.locator("span").nth(4).click()
    assert "after \u201c'\u201d (character 5)" in page.locator(".wb-tp-next").first.inner_text()
    page.click(".wb-tp-write")
    samples = page.locator(".wb-tp-sample").all_inner_texts()
    assert len(samples) == len(MODELS) and all(len(s) >= 150 for s in samples)
    assert not errors


@pytest.mark.browser
def test_a_wrong_weight_fails_the_check(pad):
    html = _html()
    data = re.search(r'"V":\{"data":"([^"]{8})', html).group(1)
    page, _ = pad(broken(html, data, "AAAAAAAA"))
    with pytest.raises(AssertionError):
        check_reading(read_page(page, DEFAULT_TEXT), DEFAULT_TEXT)


@pytest.mark.browser
def test_the_built_chapter_runs_the_pad(browser, site):
    """In the HTML book (after `make html`): no errors offline, and numpy's numbers."""
    from reader_checks import check_no_errors_or_missing_files, open_offline

    page, problems = open_offline(browser, f"{site}/book/08_python_text.html")
    try:
        page.wait_for_selector(".wb-textpad[data-ready]")
        check_reading(read_page(page, CODE), CODE, models=("python_lstm",))
        page.click(".wb-tp-write")
        assert len(page.locator(".wb-tp-sample").first.inner_text()) >= 150
        check_no_errors_or_missing_files(problems, "book/08_python_text")
    finally:
        page.close()
