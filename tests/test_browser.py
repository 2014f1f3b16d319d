"""The built HTML book, read in headless Chromium with the network cut off.

Run after `make html`. Every page of `_toc.yml` is opened from a loopback server; any
request to another host is aborted (the reader may be offline) and recorded, and so is
every local request that fails: a file the build does not ship (say, a MathJax component
left out of scripts/vendor_js.py) fails the page. Each page is read a second time with
every setting of MathJax's context menu that loads code switched on.
"""

from __future__ import annotations

import pytest
from book_pages import toc_files
from conftest import BUILD
from reader_checks import (
    check_images_described,
    check_links,
    check_math_menu,
    check_math_typeset,
    check_no_errors_or_missing_files,
    check_players_step,
    open_offline,
)

pytestmark = pytest.mark.browser

PAGES = toc_files()
MAX_PAGE_BYTES = 5_000_000


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_offline(browser, site, name):
    url = f"{site}/{name}.html"
    page, problems = open_offline(browser, url)
    try:
        check_math_typeset(page, name)
        check_images_described(page, name)
        check_links(page, name, url, BUILD)
        check_players_step(page, name)
        try:
            check_math_menu(page, name)
        finally:  # maths left untypeset there is most likely a missing file: name it
            check_no_errors_or_missing_files(problems, name)
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_weight(name):
    html = BUILD / f"{name}.html"
    size = html.stat().st_size
    print(f"{name}.html: {size / 1e6:.2f} MB")
    assert size <= MAX_PAGE_BYTES, f"{name}.html weighs {size / 1e6:.1f} MB (limit 5 MB)"


@pytest.mark.parametrize("name", PAGES)
def test_page_embeds_no_widget_state(name):
    """The build ships no widget manager (see _config.yml), so no page may need one."""
    html = (BUILD / f"{name}.html").read_text()
    assert "application/vnd.jupyter.widget-state+json" not in html, (
        f"{name}.html embeds widget state, which needs a widget manager the build does not "
        "ship: tag the cell remove-output (as the live explorers are), or vendor "
        "@jupyter-widgets/html-manager again and set nb_ipywidgets_js")
