"""Each reader check fails on a page broken on purpose (and passes on a sound one).

These tests show that the browser tests can fail: a raw-TeX page, a player whose
controls do nothing, a missing file (a script of the page, or a MathJax component the
build did not vendor), a broken link, an undescribed image, and a live explorer whose
control no longer redraws are each caught.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading

import nbformat
import pytest
from reader_checks import (
    check_explorers_redraw,
    check_images_described,
    check_links,
    check_math_menu,
    check_math_typeset,
    check_no_errors_or_missing_files,
    check_players_step,
    open_offline,
)
from steppers import Ramp
from voila_server import open_notebook, serve_voila

from whiteboard.viz.players import play

pytestmark = pytest.mark.browser


PAGE = "<!doctype html><html><head>{head}</head><body><main>{body}</main></body></html>"


@pytest.fixture
def serve(tmp_path):
    """Write pages into a temporary site and serve it on loopback."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def write(name, body, head=""):
        (tmp_path / name).write_text(PAGE.format(head=head, body=body))
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield write, tmp_path
    server.shutdown()
    server.server_close()


def test_sound_player_passes_and_broken_player_fails(browser, serve):
    write, _ = serve
    html = play(Ramp(), alt="a line growing step by step").to_html()
    page, _ = open_offline(browser, write("good.html", html))
    assert check_players_step(page, "good") == 1
    page.close()
    broken = html.split("<script>")[0] + "</div>"  # the player's script is gone
    page, _ = open_offline(browser, write("broken.html", broken))
    with pytest.raises(AssertionError, match="player 0"):
        check_players_step(page, "broken")
    page.close()


def test_raw_tex_fails(browser, serve):
    write, _ = serve
    page, _ = open_offline(browser, write("tex.html", r'<span class="math">\(x^2\)</span>'))
    with pytest.raises(AssertionError, match="raw TeX"):
        check_math_typeset(page, "tex")
    page.close()


def test_missing_file_and_script_error_fail(browser, serve):
    write, _ = serve
    page, problems = open_offline(browser, write("missing.html", "<p>hi</p>",
                                                 head='<script src="gone.js"></script>'))
    page.close()
    with pytest.raises(AssertionError, match="gone.js"):
        check_no_errors_or_missing_files(problems, "missing")
    page, problems = open_offline(browser, write("err.html", "<script>nope(</script>"))
    page.close()
    with pytest.raises(AssertionError, match="JavaScript errors"):
        check_no_errors_or_missing_files(problems, "err")


def test_broken_link_and_undescribed_image_fail(browser, serve):
    write, root = serve
    url = write("links.html", '<a href="nowhere.html">x</a><img src="data:image/png;base64,">')
    page, _ = open_offline(browser, url)
    with pytest.raises(AssertionError, match="broken link"):
        check_links(page, "links", url, root)
    with pytest.raises(AssertionError, match="neither alt text nor caption"):
        check_images_described(page, "links")
    page.close()


FROZEN = '''\
from whiteboard.viz.explorers import explore
from whiteboard.viz.plots import new_figure


class Frozen:
    """A stepper whose draw() forgets to change the picture."""

    def __init__(self):
        self.fig, ax = new_figure(figsize=(2, 1.5))
        ax.plot([0, 1], [0, 1])
        self.n_frames = 5

    def draw(self, t):
        pass


explore(Frozen())
'''


@pytest.mark.slow
def test_explorer_that_does_not_redraw_fails(browser, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FROZEN)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "frozen.ipynb")
    with serve_voila(tmp_path) as base:
        page, _ = open_notebook(browser, base, "frozen.ipynb")
        try:
            with pytest.raises(AssertionError, match="did not redraw"):
                check_explorers_redraw(page, "frozen", expected=1, timeout_ms=3_000)
        finally:
            page.close()


# TeX of every kind the book's pages use: base macros, ams (\operatorname, \tfrac, \lVert,
# aligned) and ams equation numbers (the book sets tex.tags to "ams").
BOOK_TEX = r"""
<p><span class="math">\(\operatorname{tanh}(x) \odot \tilde{c}_t\)</span>
<span class="math">\(\tfrac{1}{2}\lVert h \rVert^2\)</span>
<span class="math">\(U \in \mathbb{R}^{n \times d},\ \mathcal{L}_t,\ \text{loss}\)</span></p>
<div class="math">\[\begin{aligned} f_t &= \sigma(W_f x_t + b_f) \\
  c_t &= f_t \odot c_{t-1} \end{aligned}\]</div>
<div class="math">\begin{equation}\label{eq:h} h_t = o_t \odot \tanh(c_t) \end{equation}</div>
<p><span class="math">\(\eqref{eq:h}\)</span></p>
"""


@pytest.fixture
def mathjax_page(serve):
    """Write a page that loads the built book's vendored MathJax the way the book's pages
    do, from a copy of it with the files in ``leave_out`` removed (and, if asked, without
    the ``SREfeature`` that keeps the speech rules local)."""
    from conftest import BUILD

    write, root = serve
    built = BUILD / "_static" / "vendor" / "mathjax"
    if not (built / "tex-svg.js").exists():
        pytest.fail(f"{built} has no tex-svg.js: run `make html` first")
    # The inline MathJax set-up of a built page with maths (its config, SREfeature).
    inline = re.findall(r"<script>(window\.(?:MathJax|SREfeature) = .*?)</script>",
                        (BUILD / "book" / "notation.html").read_text())
    assert len(inline) == 2, f"notation.html's MathJax set-up changed: {inline}"

    def write_page(name, body, leave_out=(), without_sre_feature=False):
        scripts = [js for js in inline if not (without_sre_feature and "SREfeature" in js)]
        head = "".join(f"<script>{js}</script>" for js in scripts) + (
            '<script defer src="_static/vendor/mathjax/tex-svg.js"></script>')
        copy = root / "_static" / "vendor" / "mathjax"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(built, copy)
        for rel in leave_out:
            (copy / rel).unlink()
        return write(name, body, head=head)

    return write_page


def test_book_tex_and_math_menu_pass_with_the_vendored_mathjax(browser, mathjax_page):
    page, problems = open_offline(browser, mathjax_page("tex.html", BOOK_TEX))
    try:
        check_math_typeset(page, "tex")
        assert check_math_menu(page, "tex") > 0
        check_no_errors_or_missing_files(problems, "tex")
    finally:
        page.close()


def test_tex_extension_not_vendored_fails(browser, mathjax_page):
    # \boldsymbol makes MathJax load its TeX extension, which the book does not ship.
    body = r'<span class="math">\(\boldsymbol{h}_t\)</span>'
    page, problems = open_offline(browser, mathjax_page("bold.html", body))
    page.close()
    assert any(url.endswith("/input/tex/extensions/boldsymbol.js")
               for url in problems["failed"]), problems
    with pytest.raises(AssertionError, match=r"boldsymbol\.js"):
        check_no_errors_or_missing_files(problems, "bold")


def test_missing_math_menu_component_fails(browser, mathjax_page):
    page, problems = open_offline(
        browser, mathjax_page("menu.html", BOOK_TEX, leave_out=["a11y/sre.js"]))
    try:
        with pytest.raises(AssertionError, match="math left as raw TeX"):
            check_math_menu(page, "menu")
    finally:
        page.close()
    with pytest.raises(AssertionError, match=r"requests that failed: .*a11y/sre\.js"):
        check_no_errors_or_missing_files(problems, "menu")


def test_speech_rules_from_the_network_fail(browser, mathjax_page):
    # Without SREfeature (set by _ext/offline_book.py) the menu's speech settings make
    # MathJax fetch its speech rules from a CDN.
    page, problems = open_offline(
        browser, mathjax_page("cdn.html", BOOK_TEX, without_sre_feature=True))
    try:
        check_math_menu(page, "cdn")
    finally:
        page.close()
    assert any(url.endswith(".json") for url in problems["external"]), problems
    with pytest.raises(AssertionError):
        check_no_errors_or_missing_files(problems, "cdn")
    problems["page_errors"].clear()
    with pytest.raises(AssertionError, match="from the network"):
        check_no_errors_or_missing_files(problems, "cdn")
