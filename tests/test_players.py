"""The static player and the live explorer are made from one stepper."""

from __future__ import annotations

import numpy as np
import pytest
from steppers import Ramp

from whiteboard.viz.explorers import explore
from whiteboard.viz.players import play, render_frames


def test_player_has_one_distinct_frame_per_step():
    stepper = Ramp(4)
    player = play(stepper, alt="a growing line")
    assert player.n_frames == 4
    assert len(set(player.frames)) == 4
    html = player.to_html()
    assert html.count("data:image/png;base64,") == 4 + 1  # every frame, plus the first shown
    assert 'alt="a growing line"' in html
    assert player.captions == ["t = 0", "t = 1", "t = 2", "t = 3"]


def test_player_html_is_reproducible():
    a, b = play(Ramp(3), alt="x"), play(Ramp(3), alt="x")
    assert a.to_html() == b.to_html()
    assert render_frames(Ramp(3)) == render_frames(Ramp(3))


def test_player_rejects_bad_input():
    with pytest.raises(TypeError, match="expected a stepper"):
        play(object(), alt="x")
    with pytest.raises(ValueError, match="alt"):
        play(Ramp(2), alt="")
    stepper = Ramp(2)
    stepper.n_frames = 0
    with pytest.raises(ValueError, match="positive int"):
        play(stepper, alt="x")


def test_explorer_slider_redraws_the_stepper():
    stepper = Ramp(5)
    ex = explore(stepper)
    first = ex.image.value
    ex.slider.value = 3
    assert stepper.drawn[-1] == 3
    np.testing.assert_array_equal(stepper.line.get_xdata(), np.arange(4))
    assert ex.image.value != first
    assert ex.caption.value == "t = 3"
    assert ex.slider.max == ex.play.max == 4
    assert repr(ex) == "Explorer(Ramp, 5 steps, controls=[])"


def test_explorer_controls_change_the_stepper():
    import ipywidgets as widgets

    stepper = Ramp(5)
    frames = widgets.IntSlider(value=5, min=2, max=8)

    def resize(s, frames):
        s.n_frames = frames

    ex = explore(stepper, controls={"frames": frames}, on_control=resize)
    ex.slider.value = 4
    frames.value = 3
    assert ex.slider.max == 2 and ex.slider.value == 2
    assert stepper.drawn[-1] == 2
    with pytest.raises(ValueError, match="on_control"):
        explore(Ramp(2), controls={"frames": widgets.IntSlider()})


def _pixels(png):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_blitted_explorer_frames_match_full_renders():
    import io

    stepper = Ramp(6)
    stepper.animated = [stepper.line]  # only the line changes between frames
    ex = explore(stepper)
    for t in (3, 1, 5):
        ex.slider.value = t
        blit = _pixels(ex.image.value)
        buf = io.BytesIO()
        stepper.fig.savefig(buf, format="png", dpi=ex.dpi)
        full = _pixels(buf.getvalue())
        assert blit.shape == full.shape
        # The same picture up to antialiasing where the line crosses the axes' frame.
        assert (np.abs(blit - full).sum(axis=2) > 30).mean() < 0.01, t
    ex.slider.value = 0
    first = _pixels(ex.image.value)
    ex.slider.value = 5
    assert (np.abs(_pixels(ex.image.value) - first).sum(axis=2) > 30).mean() > 0.001


def test_frames_draw_text_crisp_and_leave_the_figure_as_it_was():
    # Text without antialiasing: black on white and nothing between, which is what makes
    # a frame small. The figure itself keeps its antialiased text for a live explorer.
    from io import BytesIO

    from matplotlib.figure import Figure
    from PIL import Image

    from whiteboard.viz.players import _png

    fig = Figure(figsize=(2, 1), dpi=72)
    text = fig.text(0.1, 0.4, "Hello, gates", fontsize=12)
    colours = Image.open(BytesIO(_png(fig, 72))).convert("L").getcolors()
    assert {c for _, c in colours} <= {0, 255}
    assert len(colours) == 2
    assert text.get_antialiased()
