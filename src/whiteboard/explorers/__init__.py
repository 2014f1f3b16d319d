"""Live explorers: ipywidgets controls that step a stepper through time in Jupyter.

This package is the only part of :mod:`whiteboard` that imports ipywidgets.  An explorer
is thin: it owns the controls and an image, and asks its *stepper* (see
:mod:`whiteboard.players`) to update its figure in place.  The same stepper makes the
static player of the HTML book, so both show the same frames.

Example::

    stepper = SomeStepper(...)          # has .fig, .n_frames, .draw(t)
    explore(stepper)                    # slider + play button + picture
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets

from whiteboard.players import _check_stepper, settle

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
        n = _check_stepper(stepper)
        if controls and on_control is None:
            raise ValueError("controls were given without on_control(stepper, **values)")
        self.stepper = stepper
        self.dpi = dpi
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
        buf = io.BytesIO()
        self.stepper.fig.savefig(buf, format="png", dpi=self.dpi)
        self.image.value = buf.getvalue()
        caption = getattr(self.stepper, "caption", None)
        self.caption.value = caption(int(t)) if caption else f"step {int(t) + 1}"

    def _on_time(self, change) -> None:
        self.step(change["new"])

    def _on_controls(self, _change) -> None:
        self._on_control(self.stepper, **self.values)
        # A control may change how many steps there are (e.g. more distractor sentences).
        last = self.stepper.n_frames - 1
        self.play.max = last
        self.slider.max = last
        self.step(min(self.slider.value, last))


def explore(stepper, **kwargs) -> Explorer:
    """Build an :class:`Explorer` for ``stepper``; see its docstring for the options."""
    return Explorer(stepper, **kwargs)
