"""Every figure and player frame the book stores reads on a phone.

A figure made with ``whiteboard.viz.plots.new_figure`` records in its PNG the size of the
smallest text it draws (``whiteboard.viz.plots.legible``). Shrunk to a phone's 342 px
column, that text must still be 10 px or more; a player's frame must not be shrunk at all
(its text is not antialiased). The notebooks' stored outputs are read here, without a
browser; ``tests/test_phone.py`` measures the same in the built pages at 390 and 1280 px.
"""

from __future__ import annotations

import base64
import io
import json
import re

import nbformat
import pytest
from book_pages import ROOT
from PIL import Image

from whiteboard.viz.players import Player, play
from whiteboard.viz.plots import new_figure
from whiteboard.viz.plots.legible import (
    MIN_TEXT_PT,
    PHONE_COLUMN_PX,
    BookCanvas,
    palette_png,
    png_text_px,
)

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
_FRAME = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def stored_images(path) -> list[tuple[str, str, bytes]]:
    """(where, "figure" or "frame", PNG bytes) of every image a notebook stores."""
    found = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                found.append((f"cell {index}", "figure", base64.b64decode(data["image/png"])))
            page = "".join(data.get("text/html", ""))
            if 'class="wb-player"' in page:
                for k, frame in enumerate(dict.fromkeys(_FRAME.findall(page))):
                    found.append((f"cell {index}, frame {k}", "frame", base64.b64decode(frame)))
    return found


def legibility_problems(images) -> list[str]:
    """Why each image would not read on a phone: no record of its text, text under 10 px
    once shrunk to the column, or a frame wider than the column."""
    problems = []
    for where, kind, png in images:
        width = Image.open(io.BytesIO(png)).width
        text = png_text_px(png)
        if text is None:
            problems.append(f"{where}: the {kind} records no text size (draw it on a figure "
                            "of whiteboard.viz.plots.new_figure)")
            continue
        shown = text * min(1, PHONE_COLUMN_PX / width)
        if shown < MIN_TEXT_PT - 0.05:
            problems.append(f"{where}: the {kind}'s smallest text is {shown:.1f} px on a "
                            f"phone ({text:.1f} px in {width} px, shrunk to "
                            f"{PHONE_COLUMN_PX})")
        if kind == "frame" and width > PHONE_COLUMN_PX:
            problems.append(f"{where}: a frame {width} px wide is resampled in the phone's "
                            f"{PHONE_COLUMN_PX} px column, which blurs its text")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_figure_and_frame_reads_on_a_phone(path):
    problems = legibility_problems(stored_images(path))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# ------------------------------------------------------------------- the record, and its check


def _figure(width_in, text_pt, *, canvas=True):
    fig, ax = new_figure(figsize=(width_in, 2.0))
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=text_pt)
    ax.set_xlabel("time", fontsize=text_pt + 2)
    if not canvas:  # a plain Agg canvas, as a figure made without new_figure has
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)
    return fig


def _png(fig, **kw) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **kw)
    return buf.getvalue()


def test_a_png_records_its_smallest_drawn_text():
    fig = _figure(4.0, 11)
    assert png_text_px(_png(fig)) == 11
    assert png_text_px(_png(fig, dpi=144)) == 22  # px at the dpi it was drawn at
    fig.axes[0].set_title("a title", fontsize=8)
    assert png_text_px(_png(fig, bbox_inches="tight")) == 8
    fig.axes[0].title.set_visible(False)  # what is not drawn does not count
    assert png_text_px(_png(fig)) == 11
    assert png_text_px(palette_png(_png(fig))) == 11  # the stored palette PNG keeps it
    assert isinstance(fig.canvas, BookCanvas)


def test_the_check_passes_readable_images_and_names_each_fault():
    good = [("narrow", "figure", _png(_figure(4.6, 10))),
            ("wide, large text", "figure", _png(_figure(6.0, 13)))]
    assert legibility_problems(good) == []
    bad = [("small", "figure", _png(_figure(4.0, 8))),
           ("wide", "figure", _png(_figure(7.0, 10))),
           ("plain", "figure", _png(_figure(4.0, 10, canvas=False))),
           ("wide frame", "frame", _png(_figure(6.0, 14)))]
    problems = legibility_problems(bad)
    assert len(problems) == 4, problems
    assert problems[0].startswith("small: the figure's smallest text is 8.0 px")
    assert problems[1].startswith("wide: the figure's smallest text is 6.8 px")
    assert problems[2].startswith("plain: the figure records no text size")
    assert problems[3].startswith("wide frame: a frame 432 px wide is resampled")


class _Ramp:
    """A stepper on a figure of the given width and text size."""

    def __init__(self, width_in, text_pt):
        self.fig = _figure(width_in, text_pt)
        self.line = self.fig.axes[0].lines[0]
        self.n_frames = 3

    def draw(self, t):
        self.line.set_ydata([0, t])


def test_a_notebook_with_a_broken_figure_or_player_fails(tmp_path):
    nb = nbformat.v4.new_notebook()
    # play() keeps frames within the column (a wide figure's text then shrinks, and the
    # check says so); a player made of wide frames by hand does not
    played = play(_Ramp(6.5, 10), alt="w").frames[0]
    assert legibility_problems([("played", "frame", played)]) == [
        "played: the frame's smallest text is 7.3 px on a phone (7.3 px in 342 px, shrunk "
        "to 342)"]
    wide = Player(frames=[_png(_figure(6.5, 10))], captions=["one"], alt="too wide")
    for html, png in [(play(_Ramp(4.5, 10), alt="fine").to_html(), None),
                      (wide.to_html(), None),
                      (None, _png(_figure(4.0, 7)))]:
        data = {"text/html": html} if html else {
            "image/png": base64.b64encode(png).decode("ascii")}
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("display_data", data)]
        nb.cells.append(cell)
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    problems = legibility_problems(stored_images(path))
    assert any(p.startswith("cell 1, frame 0: a frame 468 px wide") for p in problems)
    assert any(p.startswith("cell 2: the figure's smallest text is 7.0 px") for p in problems)
    assert not any(p.startswith("cell 0") for p in problems)
