"""The playground in a real notebook front end: Voilà runs the page's notebook in a kernel.

The same HTML that the built book shows must work when a Jupyter front end renders the
cell's output: the script runs, the networks answer, and typing a story changes the answer.
"""

from __future__ import annotations

import pytest
from book_pages import ROOT
from voila_server import open_notebook, serve_voila

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _answer(page, name):
    return page.inner_text(f".wb-pg-panel[data-model='{name}'] .wb-pg-answer")


def test_the_playground_runs_and_answers_in_voila(browser):
    with serve_voila(ROOT / "book") as base:
        page, errors = open_notebook(browser, base, "playground.ipynb")
        try:
            page.wait_for_selector(".wb-playground[data-ready]", timeout=60_000)
            assert _answer(page, "story_lstm").startswith("LSTM: French")
            page.fill(".wb-pg-story", "Ana lives in Spain . she likes to cook . she speaks")
            assert _answer(page, "story_lstm").startswith("LSTM: Spanish")
            assert _answer(page, "story_rnn").startswith("RNN: Spanish")
            assert not errors, f"JavaScript errors in Voilà: {errors}"
        finally:
            page.close()


def test_the_check_fails_on_a_page_without_the_playground(browser):
    # chapter 4 shows no playground: waiting for one must time out, not pass by accident
    with serve_voila(ROOT / "book") as base:
        page, _ = open_notebook(browser, base, "04_selective_read_write_forget.ipynb")
        try:
            with pytest.raises(Exception, match="Timeout"):
                page.wait_for_selector(".wb-playground[data-ready]", timeout=3_000)
        finally:
            page.close()
