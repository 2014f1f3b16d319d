"""The built HTML book, read in headless Chromium with the network cut off.

Run after `make html`. Every page of `_toc.yml` is opened from a loopback server; any
request to another host is aborted (the reader may be offline) and recorded.
"""

from __future__ import annotations

import pytest
from book_pages import toc_files
from conftest import BUILD
from reader_checks import (
    check_images_described,
    check_links,
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
        check_no_errors_or_missing_files(problems, name)
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_weight(name):
    html = BUILD / f"{name}.html"
    size = html.stat().st_size
    print(f"{name}.html: {size / 1e6:.2f} MB")
    assert size <= MAX_PAGE_BYTES, f"{name}.html weighs {size / 1e6:.1f} MB (limit 5 MB)"
