"""whiteboard.viz.plots.rnn and .gradients: figures draw the data they are given.

Assertions read the artists' data (lines, offsets, image arrays, texts), never pixels.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from whiteboard.analysis.cliff import clipped_step
from whiteboard.analysis.jacobians import gradient_flow, rnn_with_scale
from whiteboard.analysis.probes import distractor_story, swap_dependence
from whiteboard.training.story import story_vocab
from whiteboard.viz.players import play
from whiteboard.viz.plots import new_figure
from whiteboard.viz.plots.gradients import GradientFlowStepper, plot_cliff, plot_gradient_norms
from whiteboard.viz.plots.legible import PHONE_COLUMN_PX
from whiteboard.viz.plots.rnn import (
    DistractorStepper,
    plot_decoding,
    plot_folded_rnn,
    plot_input_fading,
    plot_rnn_diagram,
    plot_swap_dependence,
    plot_unrolled_rnn,
)

matplotlib.use("Agg")
V = len(story_vocab())


def _texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.fixture(scope="module")
def stories_and_profiles():
    model = rnn_with_scale(V, 6, w_scale=1.0, seed=0)
    stories = [distractor_story(n, seed=0, pool=4) for n in range(5)]
    return stories, [swap_dependence(model, s) for s in stories]


@pytest.fixture(scope="module")
def flow():
    return gradient_flow(w_scale=1.5, hidden_size=6, input_size=2, steps=8, seed=0)


# --------------------------------------------------------------------- diagrams


def test_unrolled_rnn_draws_one_column_per_token():
    words = ["Ana", "lives", "in", "France"]
    fig = plot_unrolled_rnn(words, highlight=4)
    assert isinstance(fig, Figure)
    texts = _texts(fig.axes[0])
    for t, w in enumerate(words, start=1):
        assert f"$s_{{{t}}}$" in texts and rf"$\hat y_{{{t}}}$" in texts and w in texts
    assert "$s_0$" in texts
    assert texts.count("$W$") == 4 and texts.count("$U$") == 4 and texts.count("$V$") == 4
    assert "$s_{5}$" not in texts


def test_unrolled_rnn_without_outputs_and_on_given_axes():
    fig, ax = new_figure()
    assert plot_unrolled_rnn(["a", "b"], ax=ax, show_outputs=False) is fig
    assert not any("y" in t for t in _texts(ax))


@pytest.mark.parametrize("tokens, highlight", [([], None), (["a"], 2), (["a"], 0)])
def test_unrolled_rnn_rejects_bad_input(tokens, highlight):
    with pytest.raises(ValueError):
        plot_unrolled_rnn(tokens, highlight=highlight)


def test_folded_and_combined_diagrams():
    assert "$W$" in _texts(plot_folded_rnn().axes[0])
    fig = plot_rnn_diagram(["x", "y", "z"])
    folded, unrolled = fig.axes
    assert "$W$" in _texts(folded) and "$s_{3}$" not in _texts(folded)
    assert any(t.startswith("=") for t in _texts(unrolled))
    assert "$s_{3}$" in _texts(unrolled)
    assert fig.get_figwidth() * fig.dpi <= PHONE_COLUMN_PX  # drawn for a phone's column


# --------------------------------------------------------------------- fading figures


def test_fading_figures_draw_their_data():
    k = np.arange(5)
    curves = {"a": np.array([1, 0.5, 0.25, 0.1, 0.0]), "b": np.ones(5)}
    ax = plot_input_fading(k, curves).axes[0]
    assert [ln.get_label() for ln in ax.get_lines()] == ["a", "b"]
    assert np.allclose(ax.get_lines()[0].get_xdata(), k)
    assert ax.get_lines()[0].get_ydata()[-1] > 0  # zero is kept drawable on a log axis
    r2 = {4: np.linspace(1, 0, 5), 16: np.ones(5)}
    ax = plot_decoding(k, r2).axes[0]
    assert np.allclose(ax.get_lines()[1].get_ydata(), 1)
    assert "sum 2.5" in ax.get_lines()[0].get_label()
    ax = plot_swap_dependence([3, 9, 15], [1, 0.1, 0.01], n_distractors=[0, 1, 2]).axes[0]
    assert np.allclose(ax.get_lines()[0].get_xdata(), [3, 9, 15])  # words, not sentences
    assert np.allclose(ax.get_lines()[0].get_ydata(), [1, 0.1, 0.01])
    assert _texts(ax) == ["0", "1", "2"]


# --------------------------------------------------------------------- distractor stepper


def test_distractor_stepper_draws_the_story_of_each_frame(stories_and_profiles):
    stories, profiles = stories_and_profiles
    st = DistractorStepper(stories, profiles)
    assert st.n_frames == len(stories)
    for t in (0, 3, 4):
        st.draw(t)
        x, y = st.profile_line.get_data()
        assert len(x) == len(stories[t].words)
        c = stories[t].country_step
        assert x[c] == 0 and x[-1] == stories[t].lag  # counted in words from the country
        assert np.all(np.isnan(y[:c]))  # nothing differs before the country is read
        assert np.allclose(y[c:], profiles[t][c:])
        assert np.allclose(st.current.get_offsets()[0], [t, profiles[t][-1]])
        assert np.allclose(st.speaks_label.xy, (stories[t].lag, profiles[t][-1]))
        assert st.country_label.get_text() == f"“{stories[t].words[c]}”"
        assert f"{stories[t].lag} words" in st.caption(t)
    assert np.allclose(st.curve_line.get_ydata(), [p[-1] for p in profiles])


def test_distractor_stepper_set_profiles_replaces_the_data(stories_and_profiles):
    stories, profiles = stories_and_profiles
    st = DistractorStepper(stories, profiles)
    other = rnn_with_scale(V, 6, w_scale=0.3, seed=0)
    new = [swap_dependence(other, s) for s in stories]
    new[-1] = new[-1].copy()
    new[-1][-1] = 0.0  # small weights: a difference can underflow to exactly 0 ...
    st.set_profiles(new)
    at_speaks = np.array([p[-1] for p in new])
    expected = np.where(at_speaks > 0, at_speaks, np.nan)  # ... which a log axis cannot show
    assert np.allclose(st.curve_line.get_ydata(), expected, equal_nan=True)
    with pytest.raises(ValueError, match="one profile per story"):
        st.set_profiles(new[:-1])
    with pytest.raises(ValueError, match="one value per word"):
        st.set_profiles([p[:-1] for p in new])
    with pytest.raises(ValueError):
        DistractorStepper([], [])


def test_distractor_player_has_one_frame_per_story(stories_and_profiles):
    stories, profiles = stories_and_profiles
    player = play(DistractorStepper(stories, profiles), alt="stories", dpi=30)
    assert player.n_frames == len(stories)
    assert player.captions[2].startswith("2 distractor sentences")
    assert player.captions[1].startswith("1 distractor sentence:")


# --------------------------------------------------------------------- gradient figures


def test_plot_gradient_norms_draws_measured_and_bound():
    k = np.arange(4)
    fig = plot_gradient_norms(k, {"m": np.array([1, 0.5, 0.2, 0.0])},
                              {"m": np.array([1, 2, 4, 8])})
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    assert np.allclose(lines[1].get_ydata(), [1, 2, 4, 8])
    assert lines[1].get_linestyle() == "--"


def test_gradient_flow_stepper_reveals_one_step_per_frame(flow):
    st = GradientFlowStepper(flow)
    assert st.n_frames == 8
    assert np.allclose(st.future_line.get_ydata(), flow["norms"])
    for k in (0, 3, 7):
        st.draw(k)
        x, y = st.measured_line.get_data()
        assert list(x) == list(range(k + 1))
        assert np.allclose(y, flow["norms"][:k + 1])
        assert list(st.cursor.get_xdata()) == [k, k]
        shown = st.heatmap.get_array()
        assert shown.shape == (6, 8)
        reached = ~np.ma.getmaskarray(shown).all(axis=0)
        assert reached.sum() == k + 1 and reached[-1]  # filled from the last step back
        assert f"k = {k}" in st.caption(k)


def test_gradient_flow_stepper_set_flow_changes_what_is_drawn(flow):
    st = GradientFlowStepper(flow)
    other = gradient_flow(w_scale=0.3, hidden_size=6, input_size=2, steps=5, seed=0)
    st.set_flow(other)
    assert st.n_frames == 5
    assert np.allclose(st.future_line.get_ydata(), other["norms"])
    assert np.allclose(st.bound_line.get_ydata()[:2], other["bound"][:2])


def test_gradient_flow_player_has_one_frame_per_time_step(flow):
    player = play(GradientFlowStepper(flow), alt="gradient", dpi=30)
    assert player.n_frames == len(flow["k"])
    assert player.captions[-1].startswith("k = 7")


def test_plot_cliff_marks_the_start_and_both_landings():
    step = clipped_step(1.47)
    ws = np.linspace(-1, 2, 7)
    ax = plot_cliff(ws, np.ones(7), step).axes[0]
    points = {ln.get_label(): (ln.get_xdata()[0], ln.get_ydata()[0])
              for ln in ax.get_lines()[1:]}
    xs = sorted(x for x, _ in points.values())
    assert np.allclose(xs, sorted([step.w0, step.w_plain, step.w_clipped]))
