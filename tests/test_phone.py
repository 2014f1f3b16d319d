"""Every page of the built book on a phone (390 px, dark) and a desktop (1280 px, light).

Run after `make html`. What a reader at each width must get (``page_checks``): no error in
the console, nothing past the screen's edges except inside a box that shows it scrolls,
figures and player frames whose smallest text is at least 10 px on the phone and 9 px on
the desktop as shown (frames never resampled), and the book's own views in the page's mode.
Each check fails on a page broken on purpose in ``test_page_checks.py``.
"""

from __future__ import annotations

import pytest
from book_pages import toc_files
from page_checks import (
    check_figure_text,
    check_fits_the_screen,
    check_focus_rings,
    check_no_console_errors,
    check_views_follow_the_theme,
    open_reading,
)

pytestmark = pytest.mark.browser

PAGES = toc_files()
READERS = {"phone, dark": (390, "dark", 10), "desktop, light": (1280, "light", 9)}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_on_a_phone_and_a_desktop(browser, site, name, reader):
    width, scheme, minimum = READERS[reader]
    page, errors = open_reading(browser, f"{site}/{name}.html", width=width, scheme=scheme)
    try:
        check_fits_the_screen(page, f"{name} ({reader})")
        smallest = check_figure_text(page, f"{name} ({reader})", minimum)
        check_views_follow_the_theme(page, f"{name} ({reader})")
        check_no_console_errors(errors, f"{name} ({reader})")
        if smallest is not None:
            print(f"{name} ({reader}): smallest figure text {smallest:.1f} px as shown")
    finally:
        page.context.close()


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", ["book/intro", "book/05_lstm_math"])
def test_header_buttons_show_where_the_keyboard_is(browser, site, name, reader):
    width, scheme, _ = READERS[reader]
    page, _ = open_reading(browser, f"{site}/{name}.html", width=width, scheme=scheme)
    try:
        check_focus_rings(page, f"{name} ({reader})")
    finally:
        page.context.close()
