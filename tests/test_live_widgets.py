"""The live explorers work for a reader in a real Jupyter front end, not only from Python.

Each chapter is served by Voilà on a free loopback port and opened in headless Chromium.
Voilà runs the notebook in a kernel and renders its widgets; the test then moves the time
slider of every explorer with the keyboard, as a reader would, and checks that the picture
the kernel sends back changes.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from book_pages import ROOT, chapter_notebooks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = chapter_notebooks()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila():
    voila_bin = Path(sys.executable).parent / "voila"
    if not voila_bin.exists():
        pytest.fail("voila is missing: it is in the test extra (pip install -e '.[test]')")
    port = _free_port()
    proc = subprocess.Popen(
        [str(voila_bin), str(ROOT / "book"), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--Voila.tornado_settings={'allow_origin': ''}",
         "--VoilaConfiguration.show_tracebacks=True"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT / "book")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base, timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"voila exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("voila did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_explorer_redraws_when_its_slider_moves(browser, voila, path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Voilà asks a font CDN for its icons; offline that fails harmlessly. Block all
    # non-loopback requests so the test never depends on the network.
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    try:
        page.goto(f"{voila}/voila/render/{path.name}", timeout=180_000)
        page.wait_for_selector("body[data-voila='voila-finished'], .jp-OutputArea",
                               timeout=180_000)
        explorers = page.locator(".wb-explorer")
        page.wait_for_function("() => document.querySelectorAll('.wb-explorer img').length"
                               " === document.querySelectorAll('.wb-explorer').length",
                               timeout=60_000)
        count = explorers.count()
        if count == 0:
            pytest.skip(f"{path.name} has no explorer")
        for k in range(count):
            ex = explorers.nth(k)
            ex.scroll_into_view_if_needed()
            img = ex.locator("img").first
            before = img.get_attribute("src")
            handle = ex.locator(".widget-slider .noUi-handle").first
            handle.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                                   arg=[img.element_handle(), before], timeout=30_000)
        assert not errors, f"JavaScript errors in Voilà: {errors}"
    finally:
        page.close()
