"""Static frame players: step through time in the HTML book, with no kernel.

A *stepper* is any object with

* ``fig``: a matplotlib ``Figure``;
* ``n_frames``: how many time steps (frames) it has;
* ``draw(t)``: update the figure's artists in place so that it shows frame ``t``;
* optionally ``caption(t) -> str``: one line of text shown under frame ``t``.

The live explorers in :mod:`whiteboard.viz.explorers` and the players here are made from the
same stepper, so the picture a reader steps through in the book is the one a Jupyter
reader drags a slider over.

:func:`play` renders every frame to PNG once and wraps them in a small HTML/JavaScript
player (previous, play/pause, next, a range slider).  The ids in the HTML are derived
from the frames themselves, so executing a notebook twice gives the same text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from whiteboard.checks import check_stepper
from whiteboard.viz.script import json_data, script

__all__ = ["Stepper", "Player", "play", "render_frames", "settle"]


@runtime_checkable
class Stepper(Protocol):
    """What :func:`play` and :func:`whiteboard.viz.explorers.explore` need from a view."""

    fig: object
    n_frames: int

    def draw(self, t: int) -> None: ...



def settle(fig) -> None:
    """Lay the figure out once, so every saved frame uses the same layout.

    Constrained layout adjusts itself on the first draw; without this, the first PNG
    of a figure differs slightly from every later one of the same content.
    """
    fig.draw_without_rendering()


def render_frames(stepper, *, dpi: float = 72) -> list[bytes]:
    """Draw every frame of ``stepper`` and return the PNG bytes of each, in order."""
    n = check_stepper(stepper)
    settle(stepper.fig)
    frames = []
    for t in range(n):
        stepper.draw(t)
        frames.append(_png(stepper.fig, dpi))
    return frames


def _png(fig, dpi: float) -> bytes:
    """The figure as a palette PNG: plots use few colours, and a frame shrinks about 4x.

    Text is drawn without antialiasing. At a player's 72 dpi the glyphs are hinted to the
    pixel grid and read as crisply, and text, the same in every frame, is otherwise most of
    a frame's bytes: a frame of the gate stepper halves. The figure itself keeps its
    antialiased text (a live explorer draws it too).
    """
    from matplotlib.text import Text
    from PIL import Image

    texts = [t for t in fig.findobj(Text) if t.get_antialiased()]
    buf = io.BytesIO()
    try:
        for t in texts:
            t.set_antialiased(False)
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        for t in texts:
            t.set_antialiased(True)
    image = Image.open(buf).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return out.getvalue()


@dataclass
class Player:
    """A self-contained HTML frame player (see :func:`play`)."""

    frames: list[bytes]
    captions: list[str]
    alt: str
    interval_ms: int = 700

    def __repr__(self) -> str:
        # Short on purpose: notebooks store this text next to the HTML, and nbval compares it.
        return f"Player({self.n_frames} frames: {self.alt!r})"

    @property
    def n_frames(self) -> int:
        return len(self.frames)

    @property
    def uid(self) -> str:
        digest = hashlib.sha1()
        for f in self.frames:
            digest.update(f)
        digest.update("\x00".join(self.captions).encode())
        return "wbp" + digest.hexdigest()[:12]

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        frames = ["data:image/png;base64," + base64.b64encode(f).decode("ascii")
                  for f in self.frames]
        data = {"frames": frames, "captions": self.captions, "interval": int(self.interval_ms)}
        return _TEMPLATE.format(
            uid=self.uid, n=self.n_frames, last=self.n_frames - 1, first_src=frames[0],
            alt=html.escape(self.alt, quote=True),
            first_cap=html.escape(self.captions[0]) if self.captions else "",
            data=json_data(data),
            script=script(["player.js"], root="wb-player", uid=self.uid, setup="wbPlayerSetup"),
        )


def play(stepper, *, alt: str, dpi: float = 72, interval_ms: int = 700) -> Player:
    """Make a static player from ``stepper``: one PNG frame per time step.

    Args:
        stepper: an object with ``fig``, ``n_frames`` and ``draw(t)`` (see module docs).
        alt: alternative text describing what the frames show (for screen readers).
        dpi: resolution of the frames; keep it modest so notebooks stay small.
        interval_ms: delay between frames when the reader presses play.

    Returns:
        A :class:`Player`; as the last expression of a cell it displays itself as HTML.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("play() needs alt: a non-empty description of the frames")
    frames = render_frames(stepper, dpi=dpi)
    caption = getattr(stepper, "caption", None)
    captions = [caption(t) if caption else f"step {t + 1} of {len(frames)}"
                for t in range(len(frames))]
    stepper.draw(0)
    return Player(frames=frames, captions=captions, alt=alt, interval_ms=interval_ms)


# Plain JavaScript, no libraries (viz/js/player.js): the page must work offline and with no
# kernel.
_TEMPLATE = """\
<div class="wb-player" data-uid="{uid}" data-frames="{n}">
<img class="wb-frame" src="{first_src}" alt="{alt}" style="max-width:100%">
<div class="wb-controls" style="display:flex;gap:.4em;align-items:center;flex-wrap:wrap">
<button type="button" class="wb-prev" aria-label="previous step">&#9664;</button>
<button type="button" class="wb-play" aria-label="play or pause">&#9654; play</button>
<button type="button" class="wb-next" aria-label="next step">&#9654;</button>
<input type="range" class="wb-slider" min="0" max="{last}" value="0" step="1"
 aria-label="time step" style="flex:1;min-width:8em">
<span class="wb-caption" aria-live="polite">{first_cap}</span>
</div>
<script type="application/json" class="wb-player-data">{data}</script>
{script}
</div>
"""
