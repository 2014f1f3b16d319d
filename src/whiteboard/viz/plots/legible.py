"""Figures that read on a phone: the sizes the book draws for, and a record of them in a PNG.

On a phone 390 CSS px wide the book's column is :data:`PHONE_COLUMN_PX` (342) px wide, and
an image wider than that is shrunk to fit. A figure stored at :data:`DPI` (72) has a text of
``s`` points ``s`` px high at its natural size, so what a reader sees is

    shown text (px) = smallest text (px) x min(1, shown width / natural width).

The book draws for the phone: a figure :data:`PHONE_WIDTH_IN` (4.55 in, which a notebook
saves with its margins as at most 342 px) wide with text of at least :data:`MIN_TEXT_PT`
(10 pt) is shown at its own size on every screen, never resampled, with text of 10 px or
more; a wider figure needs proportionally larger text (:func:`shown_text_px`). A frame
player's frames are never wider than the column (their text is not antialiased, and a shrunk
frame blurs).

A figure made by :func:`whiteboard.viz.plots.new_figure` carries a :class:`BookCanvas`: every
PNG it prints (in a notebook, a player's frames, ``savefig``) records, in a ``tEXt`` chunk
named :data:`TEXT_PX_KEY`, the size in px of the smallest text that was drawn. The book's
tests read it from the stored notebooks and from the images of the built pages, and
measure what a reader sees (``tests/test_legible_figures.py``, ``tests/test_phone.py``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["DPI", "PHONE_COLUMN_PX", "PHONE_WIDTH_IN", "MIN_TEXT_PT", "TEXT_PX_KEY",
           "BookCanvas", "palette_png", "png_text_px", "shown_text_px"]

DPI = 72                # the book stores figures at 72 dpi: 1 pt of text is 1 px
PHONE_COLUMN_PX = 342   # the book's column on a 390 px screen
# The width to draw a figure at: the notebook's inline backend saves it with 0.1 in of
# margin on each side (bbox_inches="tight"), so its PNG is then at most the column's 342 px.
PHONE_WIDTH_IN = 4.55
MIN_TEXT_PT = 10        # the smallest text a figure may draw at the phone's width
TEXT_PX_KEY = "whiteboard:text-px"


class BookCanvas(FigureCanvasAgg):
    """An Agg canvas whose PNGs record the size of the smallest text they show.

    Every text drawn (titles, labels, tick labels, legends, annotations; mathtext by its
    font size) is measured as it is drawn, so hidden and empty texts do not count.
    ``text_px`` is the smallest size of the last drawing, in px at the dpi it was drawn at.
    """

    text_px: float | None = None

    def get_renderer(self):
        renderer = super().get_renderer()
        if "draw_text" not in vars(renderer):
            _measure_text(renderer, self)
        return renderer

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_ignored):
        # matplotlib passes a canvas from outside its own modules every printing option
        # (dpi, facecolor, orientation ...), which Agg's print_png takes from the figure.
        return super().print_png(filename_or_obj, metadata=_TextRecord(self, metadata or {}),
                                 pil_kwargs=pil_kwargs)


def _measure_text(renderer, canvas: BookCanvas) -> None:
    """Make ``renderer`` keep ``canvas.text_px``: the smallest text drawn since its last
    ``clear()`` (with which every drawing starts)."""
    draw_text, clear = renderer.draw_text, renderer.clear

    def measured_clear():
        canvas.text_px = None
        clear()

    def measured(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            px = prop.get_size_in_points() * renderer.dpi / 72
            canvas.text_px = px if canvas.text_px is None else min(canvas.text_px, px)
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text, renderer.clear = measured, measured_clear


class _TextRecord(Mapping):
    """The metadata of a PNG being printed, its text record read when the file is written:
    Agg draws the figure first, then writes the image with its metadata."""

    def __init__(self, canvas: BookCanvas, given: Mapping):
        self.canvas, self.given = canvas, given

    def _items(self) -> dict:
        record = {} if self.canvas.text_px is None else {
            TEXT_PX_KEY: f"{self.canvas.text_px:.2f}"}
        return {**self.given, **record}

    def __getitem__(self, key):
        return self._items()[key]

    def __iter__(self):
        return iter(self._items())

    def __len__(self):
        return len(self._items())


def palette_png(png: bytes) -> bytes | None:
    """``png`` as a palette PNG of 256 colours with its text record kept, or None when the
    image has transparency (which a palette would lose).

    Plots use few colours besides the shades of their antialiased edges, so 256 show them as
    before, at about a third of the bytes. The notebooks store figures so
    (``scripts/execute_notebooks.py``), and the players their frames.
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    image = Image.open(io.BytesIO(png))
    if image.mode not in ("RGB", "RGBA") or (
            image.mode == "RGBA" and image.getextrema()[3][0] < 255):
        return None
    info = PngInfo()
    for key, value in getattr(image, "text", {}).items():
        if key == TEXT_PX_KEY:
            info.add_text(key, value)
    palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True, pnginfo=info)
    return out.getvalue()


def png_text_px(png: bytes) -> float | None:
    """The smallest text size (px) a PNG of a :class:`BookCanvas` records, or None."""
    from PIL import Image

    value = Image.open(io.BytesIO(png)).info.get(TEXT_PX_KEY)
    return float(value) if value is not None else None


def shown_text_px(text_px: float, natural_width: float, shown_width: float) -> float:
    """How large text of ``text_px`` px (at the image's natural size) is when the image is
    shown ``shown_width`` px wide instead of ``natural_width``."""
    return text_px * shown_width / natural_width
