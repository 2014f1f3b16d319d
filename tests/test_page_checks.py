"""Each check of ``page_checks`` passes on a sound page and fails on one broken on purpose.

The pages here are small: an article with the book's own stylesheet (``_ext/static/book.css``)
and the theme's variables and rules that matter (a dark background, Bootstrap's buttons that
turn their focus ring off), so a check that passes here and on the built book measures the
book's styles, not the test page's.
"""

from __future__ import annotations

import functools
import http.server
import io
import threading

import pytest
from book_pages import ROOT
from page_checks import (
    check_figure_text,
    check_fits_the_screen,
    check_focus_rings,
    check_no_console_errors,
    check_views_follow_the_theme,
    open_reading,
)

from whiteboard.viz.plots import new_figure

pytestmark = pytest.mark.browser

THEME = """<style>
:root{--pst-color-accent:#ff9800;--pst-color-background:#121212;--pst-color-surface:#29313d;
--pst-color-text-base:#ced6dd}
body{margin:0;background:#121212;color:#ced6dd;font:16px sans-serif}
.bd-article{padding:0 24px}
.btn{border:1px solid;padding:4px}
.btn:focus-visible{outline:0}
</style>"""
PAGE = ('<!doctype html><html data-theme="dark"><head><meta charset="utf-8">{theme}'
        '<link rel="stylesheet" href="book.css">{head}</head><body>'
        '<div class="bd-header-article"><button class="btn">menu</button>'
        '<button class="btn">search</button></div>'
        '<article class="bd-article">{body}<p><a href="#">a link</a></p></article>'
        '</body></html>')


def _png(width_in, text_pt, record=True) -> bytes:
    fig, ax = new_figure(figsize=(width_in, 2.0))
    ax.plot([0, 1])
    ax.tick_params(labelsize=text_pt)
    if not record:  # a plain Agg canvas: no record of the text
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    (root / "book.css").write_text((ROOT / "_ext" / "static" / "book.css").read_text())
    for name, png in {"narrow.png": _png(4.5, 10), "wide.png": _png(8.0, 10),
                      "plain.png": _png(4.5, 10, record=False)}.items():
        (root / name).write_bytes(png)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def write(name, body, head="", theme=THEME):
        (root / name).write_text(PAGE.format(theme=theme, head=head, body=body))
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield write
    server.shutdown()
    server.server_close()


SOUND = """<p>Some prose.</p>
<img src="narrow.png" alt="a figure">
<div class="wb-scroll"><div style="width:700px">a wide table that scrolls</div></div>
<fieldset class="wb-quiz" style="color:inherit">a quiz</fieldset>"""


def _open(browser, url, width=390):
    return open_reading(browser, url, width=width, scheme="dark")


def test_a_sound_page_passes_every_check(browser, serve):
    page, errors = _open(browser, serve("sound.html", SOUND))
    try:
        check_no_console_errors(errors, "sound")
        check_fits_the_screen(page, "sound")
        assert check_figure_text(page, "sound", 10) >= 10
        assert check_views_follow_the_theme(page, "sound") == 1
        assert check_focus_rings(page, "sound") == 2
    finally:
        page.context.close()


@pytest.mark.parametrize("what, body, message", [
    ("a wide block", '<div style="width:600px">wide</div>', "wider than the screen"),
    ("a long word", "<p>" + "x" * 90 + "</p>", "876 px wide on a 390 px screen"),
    ("a silent scroll box",
     '<div style="overflow-x:auto"><div style="width:700px">wide</div></div>',
     "scrolls with no sign of it"),
    ("a cut equation", '<div style="overflow:hidden"><div style="width:700px">eq</div></div>',
     "cut off"),
])
def test_a_page_wider_than_the_screen_fails(browser, serve, what, body, message):
    page, _ = _open(browser, serve("wide.html", body))
    try:
        with pytest.raises(AssertionError, match=message):
            check_fits_the_screen(page, what)
    finally:
        page.context.close()


@pytest.mark.parametrize("what, body, width, message", [
    ("a wide figure, shrunk", '<img src="wide.png" style="max-width:100%">', 390,
     r"smallest text is 5\.\d px as shown"),
    ("a figure drawn small", '<img src="narrow.png" style="width:200px">', 1280,
     "less than 9"),
    ("a figure without a record", '<img src="plain.png">', 390, "records no text size"),
    ("a resampled frame", '<img class="wb-frame" src="narrow.png" style="width:300px">', 1280,
     "resampled"),
])
def test_an_illegible_figure_fails(browser, serve, what, body, width, message):
    page, _ = _open(browser, serve("figure.html", body), width=width)
    try:
        with pytest.raises(AssertionError, match=message):
            check_figure_text(page, what, 10 if width == 390 else 9)
    finally:
        page.context.close()


def test_a_console_error_fails(browser, serve):
    url = serve("console.html", "<p>x</p>", head='<script>console.error("Got invalid theme '
                                               'mode: . Resetting to auto.")</script>')
    page, errors = _open(browser, url)
    page.context.close()
    with pytest.raises(AssertionError, match="invalid theme mode"):
        check_no_console_errors(errors, "console")


def test_a_header_button_without_a_ring_fails(browser, serve):
    url = serve("norings.html", "<p>x</p>", head="<style>.bd-header-article .btn:focus-visible"
                                                "{outline:0!important}</style>")
    page, _ = _open(browser, url)
    try:
        with pytest.raises(AssertionError, match="shows no focus ring"):
            check_focus_rings(page, "norings")
    finally:
        page.context.close()


def test_a_view_on_a_light_panel_in_dark_mode_fails(browser, serve):
    body = ('<div style="background:#ced6dd;color:#121212">'
            '<fieldset class="wb-quiz" style="color:inherit">a quiz</fieldset></div>')
    page, _ = _open(browser, serve("panel.html", body))
    try:
        with pytest.raises(AssertionError, match="wb-quiz in dark mode sits on a background"):
            check_views_follow_the_theme(page, "panel")
    finally:
        page.context.close()
