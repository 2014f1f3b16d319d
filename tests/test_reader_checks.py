"""Each reader check fails on a page broken on purpose (and passes on a sound one).

These tests show that the browser tests can fail: a raw-TeX page, a player whose
controls do nothing, a missing file, a broken link, an undescribed image, and a live
explorer whose control no longer redraws are each caught.
"""

from __future__ import annotations

import functools
import http.server
import threading

import nbformat
import pytest
from reader_checks import (
    check_explorers_redraw,
    check_images_described,
    check_links,
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


def test_vendored_widget_manager_renders_a_widget_offline(browser, tmp_path):
    """The widget JS the build vendors renders saved widget state with no network.

    The page is made the way myst-nb embeds widgets (require.js, then the HTML manager,
    then the state and a view), using the files from the built book's `_static/vendor`.
    """
    import json

    import ipywidgets as widgets
    from conftest import BUILD
    from ipywidgets.embed import embed_data

    static = BUILD / "_static" / "vendor"
    if not (static / "html-manager" / "embed-amd.js").exists():
        pytest.fail(f"{static} has no html-manager: run `make html` first")
    slider = widgets.IntSlider(value=3, min=0, max=9, description="step")
    label = widgets.Label(value="offline")
    data = embed_data(views=[widgets.VBox([slider, label])])
    (tmp_path / "_static").symlink_to(BUILD / "_static")
    views = "".join('<script type="application/vnd.jupyter.widget-view+json">'
                    f"{json.dumps(v)}</script>" for v in data["view_specs"])
    body = (f'<script type="application/vnd.jupyter.widget-state+json">'
            f'{json.dumps(data["manager_state"])}</script>{views}')
    head = ('<script src="_static/vendor/require.js"></script>'
            '<script src="_static/vendor/html-manager/embed-amd.js"></script>')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp_path / "widget.html").write_text(PAGE.format(head=head, body=body))
        page, problems = open_offline(
            browser, f"http://127.0.0.1:{server.server_address[1]}/widget.html")
        try:
            page.wait_for_selector(".widget-slider", timeout=20_000)
            assert "offline" in page.inner_text("body")
            check_no_errors_or_missing_files(problems, "widget")
            assert not problems["external"], f"widgets needed the network: {problems['external']}"
        finally:
            page.close()
    finally:
        server.shutdown()
        server.server_close()
