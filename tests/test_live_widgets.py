"""The live explorers work for a reader in a real Jupyter front end, not only from Python.

The chapters are served by Voilà on a free loopback port and opened in headless Chromium.
Voilà runs each notebook in a kernel and renders its widgets; the test then moves the time
slider of every explorer with the keyboard, as a reader would, and checks that the picture
the kernel sends back changes.
"""

from __future__ import annotations

import json
import re

import pytest
from book_pages import ROOT, chapter_notebooks
from reader_checks import check_explorers_redraw
from voila_server import open_notebook, serve_voila

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = chapter_notebooks()


def stored_explorers(path) -> int:
    """How many explorers the notebook's stored outputs show (their text form)."""
    count = 0
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("data", {}).get("text/plain", ""))
            if re.match(r"\w*Explorer\(", text):
                count += 1
    return count


@pytest.fixture(scope="module")
def voila():
    with serve_voila(ROOT / "book") as base:
        yield base


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_explorer_redraws_when_its_slider_moves(browser, voila, path):
    expected = stored_explorers(path)
    if not expected:
        pytest.skip(f"{path.name} makes no live explorer")
    page, errors = open_notebook(browser, voila, path.name)
    try:
        count = check_explorers_redraw(page, path.name, expected)
        print(f"{path.name}: {count} explorers redrew")
        assert not errors, f"JavaScript errors in Voilà: {errors}"
    finally:
        page.close()
