"""The trace stepper draws the trace of any model: the data in its artists is the trace's."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text

from whiteboard import GRU, LSTM, RNN
from whiteboard.maths import softmax
from whiteboard.viz.players import play
from whiteboard.viz.plots.trace import DEFAULT_PANELS, TraceStepper, trace_panels

T, D, H = 7, 3, 4


def _x(seed=0):
    return np.random.default_rng(seed).standard_normal((T, 2, D))


@pytest.fixture(params=[RNN, LSTM, GRU], ids=["rnn", "lstm", "gru"])
def trace(request):
    return request.param(D, H, seed=1).forward(_x())


def test_default_panels_follow_the_model(trace):
    assert TraceStepper(trace).panel_names == DEFAULT_PANELS[trace.kind]


def test_heatmaps_hold_the_trace_and_bars_follow_the_cursor(trace):
    st = TraceStepper(trace, b=1, tokens=list("abcdefg"))
    assert st.n_frames == T
    for name in st.panel_names:
        expected = trace.h[:, 1] if name == "h" else (
            trace.c[:, 1] if name == "c" else trace.gates[name][:, 1])
        np.testing.assert_array_equal(st.heatmaps[name].get_array(), expected.T)
    for t in (0, 3, T - 1):
        st.draw(t)
        for name in st.panel_names:
            assert list(st.cursors[name].get_xdata()) == [t, t]
            widths = [r.get_width() for r in st.bars[name]]
            np.testing.assert_allclose(widths, st.values[name][t])
        assert st._ticklabels[t].get_fontweight() == "bold"
        assert st.caption(t).startswith(f"step {t + 1} of {T}: “{'abcdefg'[t]}”")


def test_readout_panel_shows_the_output_distribution():
    model = RNN(D, H, seed=2)
    trace = model.forward(_x()[:, :1])
    V = np.random.default_rng(3).standard_normal((3, H))

    def readout(h):
        return softmax(V @ h)

    st = TraceStepper(trace, readout=readout, classes=["x", "y", "z"])
    expected = np.array([readout(h) for h in trace.h[:, 0]])
    np.testing.assert_allclose(st.values["p"], expected)
    st.draw(4)
    np.testing.assert_allclose([r.get_width() for r in st.bars["p"]], expected[4])
    k = int(np.argmax(expected[4]))
    assert f"the read-out says {'xyz'[k]} ({expected[4, k]:.2f})" in st.caption(4)


def test_chosen_panels_and_labels():
    model = LSTM(D, H, seed=0)
    st = TraceStepper(model.forward(_x()), panels=["c", "h"], labels={"c": "cell state s"})
    assert st.panel_names == ("c", "h")
    assert st.axes["c"][0].get_title(loc="left") == "cell state s"  # above its heatmap
    rnn = RNN(D, H).forward(_x())
    np.testing.assert_array_equal(trace_panels(rnn, ["a"])["a"], rnn.a[:, 0])


def test_set_trace_redraws_with_new_data():
    model = LSTM(D, H, seed=0)
    st = TraceStepper(model.forward(_x(0)))
    other = model.forward(_x(1))
    st.set_trace(other)
    np.testing.assert_array_equal(st.heatmaps["f"].get_array(), other.gates["f"][:, 0].T)
    st.draw(2)
    np.testing.assert_allclose([r.get_width() for r in st.bars["c"]], other.c[2, 0])
    with pytest.raises(ValueError, match="same shapes"):
        st.set_trace(model.forward(_x()[:3]))


def test_player_has_one_frame_per_time_step():
    st = TraceStepper(GRU(D, H, seed=0).forward(_x()[:4]))
    player = play(st, alt="gates over time", dpi=30)
    assert player.n_frames == 4
    assert len(set(player.frames)) == 4


def test_bad_input_is_refused():
    trace = LSTM(D, H).forward(_x())
    with pytest.raises(ValueError, match="one token per step"):
        TraceStepper(trace, tokens=["a"])
    with pytest.raises(ValueError, match="has no"):
        TraceStepper(trace, panels=["z"])
    with pytest.raises(ValueError, match="b must lie"):
        TraceStepper(trace, b=5)
    with pytest.raises(ValueError, match="classes were named"):
        TraceStepper(trace, readout=lambda h: np.ones(3) / 3, classes=["a", "b"])
    with pytest.raises(TypeError, match="readout must be a function"):
        TraceStepper(trace, readout=3)
    with pytest.raises(ValueError, match="t must lie"):
        TraceStepper(trace).draw(T)


def test_every_heatmap_has_a_colour_bar_and_numbered_units():
    model = LSTM(D, 8, seed=0)
    st = TraceStepper(model.forward(np.random.default_rng(0).standard_normal((T, 1, D))),
                      readout=lambda h: softmax(h[:3]), classes=["x", "y", "z"])
    assert set(st.colorbars) == set(st.heatmaps)
    for name, cb in st.colorbars.items():
        assert cb.mappable is st.heatmaps[name]  # the scale of that very heatmap
        # a few exact shades, 0 the middle one of a signed scale, so that a palette PNG
        # keeps them and the colour bar shows each one
        assert st.heatmaps[name].get_cmap().N == (16 if name in ("i", "f", "o", "p") else 17)
        lo, hi = st.heatmaps[name].get_clim()
        ticks = [float(t) for t in cb.ax.get_xticks()]
        assert ticks[0] == lo and ticks[-1] == hi
        ax_h = st.axes[name][0]
        rows = [t.get_text() for t in ax_h.get_yticklabels()]
        if name == "p":  # the classes are written on their bars
            assert rows == []
            on_bars = [t.get_text() for t in st.axes["p"][1].texts]
            assert on_bars == ["x", "y", "z"]
        else:  # unit numbers, as the code indexes them
            assert rows[0] == "0" and all(r.isdigit() and int(r) < 8 for r in rows)
            assert len(rows) >= 4
    texts = [t for t in st.fig.findobj(Text) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= 10
    assert st.fig.get_figwidth() * st.fig.dpi <= 342  # a phone's column: never shrunk


def test_colour_bars_follow_a_new_trace():
    model = LSTM(D, H, seed=0)
    st = TraceStepper(model.forward(_x(0)), panels=["c"])
    big = model.forward(_x(0) * 40)  # a cell state beyond ±1 widens its scale
    assert np.abs(big.c).max() > 1
    st.set_trace(big)
    lo, hi = st.heatmaps["c"].get_clim()
    assert hi == -lo == np.abs(big.c[:, 0]).max() > 1
    assert [float(t) for t in st.colorbars["c"].ax.get_xticks()] == [lo, 0.0, hi]
