"""The built HTML book, read in headless Chromium with the network cut off.

Run after `make html`. Every page of `_toc.yml` is opened from a loopback server; any
request to another host is aborted (the reader may be offline) and recorded.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest
from book_pages import toc_files
from conftest import BUILD

pytestmark = pytest.mark.browser

PAGES = toc_files()
# Page errors we accept, each with the reason. Empty: none are known to be harmless.
HARMLESS_PAGE_ERRORS: dict[str, str] = {}
MAX_PAGE_BYTES = 5_000_000


def _open(browser, url):
    """Open ``url``; return the page and what went wrong while loading it."""
    problems = {"page_errors": [], "failed": [], "external": []}
    page = browser.new_page()
    local = urlparse(url).netloc

    def route(r):
        if urlparse(r.request.url).netloc in (local, "") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems["external"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: problems["page_errors"].append(str(e)))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url)
            if urlparse(r.url).netloc == local else None)
    page.on("response", lambda r: problems["failed"].append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    # MathJax 3 sets MathJax.startup.promise; wait until typesetting has finished.
    page.wait_for_function(
        "() => !document.querySelector('.math') || "
        "(window.MathJax && MathJax.startup && MathJax.startup.promise && "
        " (MathJax.startup.promise.then(() => { window.__typeset = true; }), window.__typeset))",
        timeout=30_000,
    )
    return page, problems


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_with_math_typeset(browser, site, name):
    page, problems = _open(browser, f"{site}/{name}.html")
    try:
        unrendered = page.evaluate(
            "() => Array.from(document.querySelectorAll('.math'))"
            ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))")
        assert not unrendered, f"math left as raw TeX: {unrendered[:3]}"
        text = page.inner_text("article")
        for raw in ("\\(", "\\[", "$$"):
            assert raw not in text, f"raw TeX {raw!r} is visible on {name}"
        errors = [e for e in problems["page_errors"]
                  if not any(h in e for h in HARMLESS_PAGE_ERRORS)]
        assert not errors, f"JavaScript errors on {name}: {errors}"
        assert not problems["failed"], f"requests that failed on {name}: {problems['failed']}"
        needed = [u for u in problems["external"] if u.split("?")[0].endswith((".js", ".css"))]
        assert not needed, f"{name} needs scripts or styles from the network: {needed}"
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_images_are_described_and_links_resolve(browser, site, name):
    page, _ = _open(browser, f"{site}/{name}.html")
    try:
        undescribed = page.evaluate(
            "() => Array.from(document.querySelectorAll('article img'))"
            ".filter(i => !(i.getAttribute('alt') || '').trim() && !i.closest('figure'))"
            ".map(i => i.src.slice(0, 80))")
        assert not undescribed, f"images with neither alt text nor caption: {undescribed}"
        hrefs = page.evaluate(
            "() => Array.from(document.querySelectorAll('article a[href]'))"
            ".map(a => a.getAttribute('href'))")
    finally:
        page.close()
    base = f"{site}/{name}.html"
    for href in hrefs:
        target = urlparse(urljoin(base, href))
        if target.netloc != urlparse(site).netloc:
            continue
        path = BUILD / target.path.lstrip("/")
        assert path.exists(), f"{name}: broken link {href!r}"
        if target.fragment and path.suffix == ".html":
            assert f'id="{target.fragment}"' in path.read_text(), (
                f"{name}: link {href!r} points at a missing anchor")


@pytest.mark.parametrize("name", PAGES)
def test_every_player_steps(browser, site, name):
    page, _ = _open(browser, f"{site}/{name}.html")
    try:
        players = page.locator(".wb-player")
        for k in range(players.count()):
            player = players.nth(k)
            player.scroll_into_view_if_needed()
            n = int(player.get_attribute("data-frames"))
            img = player.locator("img.wb-frame")
            first = img.get_attribute("src")
            assert player.get_attribute("data-frame") == "0"
            player.locator(".wb-next").click()
            assert player.get_attribute("data-frame") == ("1" if n > 1 else "0")
            if n > 1:
                assert img.get_attribute("src") != first, f"{name}: player {k} did not change"
                player.locator(".wb-play").click()
                page.wait_for_function(
                    "el => parseInt(el.dataset.frame) >= 2 || el.dataset.frames === '2'",
                    arg=player.element_handle(), timeout=10_000)
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_weight(name):
    html = BUILD / f"{name}.html"
    size = html.stat().st_size
    print(f"{name}.html: {size / 1e6:.2f} MB")
    assert size <= MAX_PAGE_BYTES, f"{name}.html weighs {size / 1e6:.1f} MB (limit 5 MB)"
