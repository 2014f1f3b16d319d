"""Live explorers: ipywidgets controls that step a stepper through time in Jupyter.

This package is the only part of :mod:`whiteboard` that imports ipywidgets.  An explorer
is thin: it owns the controls and an image, and asks its *stepper* (see
:mod:`whiteboard.viz.players`) to update its figure in place.  The same stepper makes the
static player of the HTML book, so both show the same frames.

Example::

    stepper = SomeStepper(...)          # has .fig, .n_frames, .draw(t)
    explore(stepper)                    # slider + play button + picture
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from whiteboard.checks import check_stepper
from whiteboard.viz.players import settle

__all__ = ["Explorer", "explore"]


class Explorer(widgets.VBox):
    """A time slider with a play button, extra controls, and the stepper's picture.

    Attributes:
        stepper: the view being stepped.
        slider: the ``IntSlider`` over time steps ``0 .. n_frames - 1``.
        controls: the extra widgets, by name.
        image: the ``ipywidgets.Image`` holding the current frame as PNG.
        caption: an ``HTML`` widget with the stepper's caption for the current frame.
    """

    def __init__(
        self,
        stepper,
        *,
        label: str = "time step",
        controls: Mapping[str, widgets.ValueWidget] | None = None,
        on_control: Callable[..., None] | None = None,
        interval_ms: int = 600,
        dpi: float = 72,
    ):
        n = check_stepper(stepper)
        if controls and on_control is None:
            raise ValueError("controls were given without on_control(stepper, **values)")
        self.stepper = stepper
        self.dpi = dpi
        self._background = None
        settle(stepper.fig)
        self.controls = dict(controls or {})
        self._on_control = on_control
        self.slider = widgets.IntSlider(value=0, min=0, max=n - 1, description=label,
                                        continuous_update=True,
                                        style={"description_width": "initial"})
        self.play = widgets.Play(value=0, min=0, max=n - 1, interval=interval_ms)
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.slider.observe(self._on_time, names="value")
        for w in self.controls.values():
            w.observe(self._on_controls, names="value")
        rows = [widgets.HBox([self.play, self.slider])]
        if self.controls:
            rows.append(widgets.HBox(list(self.controls.values())))
        super().__init__(rows + [self.image, self.caption])
        # A stable class lets browser tests find every explorer on a page.
        self.add_class("wb-explorer")
        self.step(0)

    def __repr__(self) -> str:
        # A short, stable text form: notebooks store it, and nbval compares it.
        return (f"{type(self).__name__}({type(self.stepper).__name__}, "
                f"{self.stepper.n_frames} steps, controls={sorted(self.controls)})")

    @property
    def values(self) -> dict:
        """The current value of every extra control, by name."""
        return {name: w.value for name, w in self.controls.items()}

    def step(self, t: int) -> None:
        """Show frame ``t`` (what moving the slider does)."""
        self.stepper.draw(int(t))
        self.image.value = self._render()
        caption = getattr(self.stepper, "caption", None)
        self.caption.value = caption(int(t)) if caption else f"step {int(t) + 1}"

    def _render(self) -> bytes:
        """The stepper's figure as PNG bytes.

        A stepper may list the few artists its ``draw`` changes in ``animated``. Then the
        rest of the figure is rendered once and kept as a background, and each step only
        paints those artists over it (blitting): a step costs a few artists, not the
        whole figure. Anything else gets a full render.
        """
        fig = self.stepper.fig
        artists = list(getattr(self.stepper, "animated", None) or [])
        if not artists or fig.dpi != self.dpi:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=self.dpi)
            return buf.getvalue()
        canvas = fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(fig)
        if self._background is None:
            # Render everything except the changing artists (hidden only for this draw).
            shown = [a.get_visible() for a in artists]
            for artist in artists:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(fig.bbox)
            for artist, visible in zip(artists, shown, strict=True):
                artist.set_visible(visible)
        canvas.restore_region(self._background)
        for artist in artists:
            fig.draw_artist(artist)
        buf = io.BytesIO()
        # Fast zlib level: the PNG only travels to the browser, size matters less than time.
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw",
                         "RGBA", 0, 1).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def _on_time(self, change) -> None:
        self.step(change["new"])

    def _on_controls(self, _change) -> None:
        self.apply_controls()

    def apply_controls(self) -> None:
        """Hand the controls' values to ``on_control`` and redraw (what moving one does)."""
        self._on_control(self.stepper, **self.values)
        self._background = None  # the control may have changed what the background shows
        # A control may change how many steps there are (e.g. more distractor sentences).
        last = self.stepper.n_frames - 1
        self.play.max = last
        self.slider.max = last
        self.step(min(self.slider.value, last))


def explore(stepper, **kwargs) -> Explorer:
    """Build an :class:`Explorer` for ``stepper``; see its docstring for the options."""
    return Explorer(stepper, **kwargs)
