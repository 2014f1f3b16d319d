"""What a reader of the HTML book must get, as checks on an open Playwright page.

Each check raises AssertionError with a reason. `test_browser.py` runs them on every
page of the built book; `test_reader_checks.py` shows that each one fails on a page
that is broken on purpose.
"""

from __future__ import annotations

import contextlib
import time
from urllib.parse import urljoin, urlparse

# Page errors we accept, each with the reason. Empty: none are known to be harmless.
HARMLESS_PAGE_ERRORS: dict[str, str] = {}


def open_offline(browser, url):
    """Open ``url`` with every non-loopback request aborted; return (page, problems)."""
    problems = {"page_errors": [], "failed": [], "external": []}
    page = browser.new_page()
    local = urlparse(url).netloc

    def route(r):
        if urlparse(r.request.url).netloc == local or r.request.url.startswith("data:"):
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
    _wait_for_math(page)
    return page, problems


def _wait_for_math(page, timeout_ms=15_000):
    """Wait until MathJax has typeset the page (at most ``timeout_ms``)."""
    # MathJax 3 resolves MathJax.startup.promise once the page is typeset; it may also
    # never settle when a file it loads is missing, hence the deadline.
    page.evaluate("""timeout => new Promise(done => {
        const start = Date.now();
        setTimeout(done, timeout);
        (function wait() {
            const mj = window.MathJax;
            if (mj && mj.startup && mj.startup.promise) { mj.startup.promise.then(done, done); }
            else if (Date.now() - start > timeout || !document.querySelector('.math')) { done(); }
            else { setTimeout(wait, 50); }
        })();
    })""", timeout_ms)


def check_math_typeset(page, name):
    unrendered = page.evaluate(
        "() => Array.from(document.querySelectorAll('.math'))"
        ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))")
    assert not unrendered, f"{name}: math left as raw TeX: {unrendered[:3]}"
    text = page.inner_text("body")
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in text, f"{name}: raw TeX {raw!r} is visible"


# Settings of MathJax's context menu that make it load more of itself (the files are listed
# in scripts/vendor_js.py): speech language, Accessibility > Collapsible Math and
# Activate, Math Settings > Math Renderer.
MATH_MENU_SETTINGS = [("locale", "en"), ("collapsible", True), ("explorer", True),
                      ("renderer", "CHTML")]


def check_math_menu(page, name) -> int:
    """Open MathJax's context menu, then read the page again with every setting that loads
    code switched on; the maths must still be typeset.

    A reader's choice in that menu is stored and applies to every page, and MathJax
    typesets nothing when a file it then loads is missing. The requests are recorded in
    ``open_offline``'s problems (check them with ``check_no_errors_or_missing_files``).
    Returns how many settings were switched (0 on a page without maths).
    """
    maths = page.locator("mjx-container")
    if not maths.count():
        return 0
    maths.first.scroll_into_view_if_needed()
    maths.first.click(button="right")
    assert page.locator(".CtxtMenu_Menu").count(), f"{name}: MathJax's menu did not open"
    page.keyboard.press("Escape")
    with _requests_settled(page):
        for variable, value in MATH_MENU_SETTINGS:
            page.evaluate("([variable, value]) => MathJax.startup.document.menu.menu.pool"
                          ".lookup(variable).setValue(value)", [variable, value])
    page.reload(wait_until="load")
    _wait_for_math(page)
    check_math_typeset(page, f"{name} (with the menu's settings)")
    return len(MATH_MENU_SETTINGS)


@contextlib.contextmanager
def _requests_settled(page, quiet_ms=1_000, timeout_ms=20_000):
    """On leaving, wait until no request of the page has been in flight for ``quiet_ms``
    (so that a reload does not abort, and hide, what the block made the page load)."""
    inflight = set()

    def started(request):
        inflight.add(request)

    def ended(request):
        inflight.discard(request)

    events = {"request": started, "requestfinished": ended, "requestfailed": ended}
    for event, handler in events.items():
        page.on(event, handler)
    try:
        yield
        start = quiet_since = time.monotonic()
        while time.monotonic() - start < timeout_ms / 1000:
            page.wait_for_timeout(100)
            if inflight:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                break
    finally:
        for event, handler in events.items():
            page.remove_listener(event, handler)


def check_no_errors_or_missing_files(problems, name):
    errors = [e for e in problems["page_errors"]
              if not any(h in e for h in HARMLESS_PAGE_ERRORS)]
    assert not errors, f"{name}: JavaScript errors: {errors}"
    assert not problems["failed"], f"{name}: requests that failed: {problems['failed']}"
    needed = [u for u in problems["external"]
              if u.split("?")[0].endswith((".js", ".css", ".json"))]
    assert not needed, f"{name}: needs scripts, styles or data from the network: {needed}"


def check_images_described(page, name):
    undescribed = page.evaluate(
        "() => Array.from(document.querySelectorAll('main img, article img'))"
        ".filter(i => !(i.getAttribute('alt') || '').trim() && !i.closest('figure'))"
        ".map(i => i.src.slice(0, 80))")
    assert not undescribed, f"{name}: images with neither alt text nor caption: {undescribed}"


def check_links(page, name, base_url, root_dir):
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'))"
                          ".map(a => a.getAttribute('href'))")
    site = urlparse(base_url).netloc
    for href in hrefs:
        target = urlparse(urljoin(base_url, href))
        if target.netloc != site:
            continue
        path = root_dir / target.path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        assert path.exists(), f"{name}: broken link {href!r}"
        if target.fragment and path.suffix == ".html":
            assert f'id="{target.fragment}"' in path.read_text(), (
                f"{name}: link {href!r} points at a missing anchor")


def check_players_step(page, name) -> int:
    """Press next and play on every frame player; return how many players there are."""
    players = page.locator(".wb-player")
    for k in range(players.count()):
        player = players.nth(k)
        player.scroll_into_view_if_needed()
        n = int(player.get_attribute("data-frames"))
        img = player.locator("img.wb-frame")
        first = img.get_attribute("src")
        assert player.get_attribute("data-frame") == "0", f"{name}: player {k} did not start"
        player.locator(".wb-next").click()
        if n > 1:
            assert player.get_attribute("data-frame") == "1", f"{name}: player {k}: next"
            assert img.get_attribute("src") != first, f"{name}: player {k}: frame unchanged"
            player.locator(".wb-play").click()
            advanced = page.evaluate("""([el, n]) => new Promise(done => {
                const start = Date.now();
                (function poll() {
                    if (parseInt(el.dataset.frame) >= Math.min(2, n - 1)
                        && parseInt(el.dataset.frame) !== 1 || n === 2) { done(true); }
                    else if (Date.now() - start > 10000) { done(false); }
                    else { setTimeout(poll, 50); }
                })();
            })""", [player.element_handle(), n])
            assert advanced, f"{name}: player {k} did not advance when played"
    return players.count()


_IMAGE_SIGNATURE = """async (img) => {
    if (!img.getAttribute('src')) { return ''; }
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 0;
    for (let i = 0; i < bytes.length; i++) { h = (h * 31 + bytes[i]) | 0; }
    return bytes.length + ':' + h;
}"""


def _signature(img) -> str:
    """A hash of the picture's bytes (blob URLs change even when the picture does not)."""
    return img.evaluate(_IMAGE_SIGNATURE)


def check_explorers_redraw(page, name, expected: int, timeout_ms=30_000) -> int:
    """Move every live explorer's time slider one step; its picture must change.

    ``expected`` is how many explorers the notebook makes; fewer on the page (a cell that
    raised, a widget that never rendered) is a failure too.
    """
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('.wb-explorer img[src]').length >= n",
            arg=expected, timeout=60_000)
    except Exception as err:  # Playwright's TimeoutError
        found = page.locator(".wb-explorer img[src]").count()
        raise AssertionError(f"{name}: {found} of {expected} explorers rendered") from err
    explorers = page.locator(".wb-explorer")
    assert explorers.count() == expected, f"{name}: {explorers.count()} explorers, not {expected}"
    for k in range(explorers.count()):
        ex = explorers.nth(k)
        ex.scroll_into_view_if_needed()
        img = ex.locator("img").first
        before = _signature(img)
        ex.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        deadline = page.evaluate("Date.now()") + timeout_ms
        while _signature(img) == before:
            assert page.evaluate("Date.now()") < deadline, (
                f"{name}: explorer {k} did not redraw when its slider moved")
            page.wait_for_timeout(100)
    return explorers.count()
