"""The trainer in a real notebook front end: Voilà runs the page's notebook in a kernel.

The same HTML that the built book shows must work when a Jupyter front end renders the
cell's output: the script runs, a worker (or, where none starts, the page itself) trains,
and the results table appears.
"""

from __future__ import annotations

import pytest
from book_pages import ROOT
from voila_server import open_notebook, serve_voila

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHORT = {"models": ["lstm"], "lag": 5, "seeds": 1, "steps": 300}


def test_the_trainer_trains_in_voila(browser):
    with serve_voila(ROOT / "book") as base:
        page, errors = open_notebook(browser, base, "train_it_yourself.ipynb")
        try:
            page.wait_for_selector(".wb-trainer[data-ready]", timeout=60_000)
            result = page.evaluate("(c) => document.querySelector('.wb-trainer').wbTrain(c)",
                                   SHORT)
            assert result["models"]["lstm"][0]["accuracy"] >= 0.95, result
            assert page.inner_text(".wb-tr-status").startswith("Done: 1 runs in")
            assert "Held-out accuracy of each run" in page.inner_text(".wb-tr-results")
            assert not errors, f"JavaScript errors in Voilà: {errors}"
        finally:
            page.close()


def test_the_check_fails_on_a_page_without_the_trainer(browser):
    # the playground page shows no trainer: waiting for one must time out, not pass by accident
    with serve_voila(ROOT / "book") as base:
        page, _ = open_notebook(browser, base, "playground.ipynb")
        try:
            with pytest.raises(Exception, match="Timeout"):
                page.wait_for_selector(".wb-trainer[data-ready]", timeout=3_000)
        finally:
            page.close()
