"""whiteboard.viz.explorers.rnn driven from Python: move a control, check the data drawn.

Each test changes a widget's value the way a reader would (setting ``.value`` fires the
same observers as dragging) and then reads the stepper's artists, never pixels.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from whiteboard.analysis.jacobians import gradient_flow, rnn_with_scale
from whiteboard.analysis.probes import distractor_story, swap_dependence
from whiteboard.training.story import story_vocab
from whiteboard.viz.explorers import Explorer
from whiteboard.viz.explorers.rnn import (
    distractor_stepper,
    explore_distractors,
    explore_gradient_flow,
)

matplotlib.use("Agg")
V = len(story_vocab())
FLOW = {"hidden_size": 6, "input_size": 2, "steps": 10, "seed": 0}


@pytest.fixture
def flow_explorer():
    return explore_gradient_flow(w_scale=1.0, nonlinearity="tanh", **FLOW)


def test_gradient_flow_explorer_has_the_promised_controls(flow_explorer):
    ex = flow_explorer
    assert isinstance(ex, Explorer)
    assert set(ex.controls) == {"w_scale", "nonlinearity"}
    assert ex.slider.max == FLOW["steps"] - 1
    assert ex.image.value[:4] == b"\x89PNG"
    assert repr(ex) == ("Explorer(GradientFlowStepper, 10 steps, "
                        "controls=['nonlinearity', 'w_scale'])")


def test_moving_the_time_slider_reveals_more_of_the_curve(flow_explorer):
    ex = flow_explorer
    st = ex.stepper
    before = ex.image.value
    ex.slider.value = 6
    x, y = st.measured_line.get_data()
    assert list(x) == list(range(7))
    assert np.allclose(y, gradient_flow(w_scale=1.0, **FLOW)["norms"][:7])
    assert "k = 6" in ex.caption.value
    assert ex.image.value != before


def test_the_weight_slider_recomputes_the_measured_norms(flow_explorer):
    ex = flow_explorer
    st = ex.stepper
    ex.slider.value = 4
    old = st.future_line.get_ydata().copy()
    ex.controls["w_scale"].value = 2.5
    expected = gradient_flow(w_scale=2.5, **FLOW)
    assert not np.allclose(old, st.future_line.get_ydata())
    assert np.allclose(st.future_line.get_ydata(), expected["norms"])
    assert np.allclose(st.bound_line.get_ydata()[:3], expected["bound"][:3])
    # the time step is kept: the view still shows k = 4 for the new weights
    assert len(st.measured_line.get_xdata()) == 5
    assert f"{expected['gamma_lambda']:.2f}" in ex.caption.value


def test_the_nonlinearity_menu_changes_gamma_in_the_bound(flow_explorer):
    ex = flow_explorer
    st = ex.stepper
    tanh_bound = st.bound_line.get_ydata().copy()
    ex.controls["nonlinearity"].value = "sigmoid"
    sig = gradient_flow(w_scale=1.0, nonlinearity="sigmoid", **FLOW)
    assert np.allclose(st.future_line.get_ydata(), sig["norms"])
    # same W, γ from 1 to 1/4: the bound's ratio per step drops by exactly 4
    assert np.isclose(tanh_bound[1] / st.bound_line.get_ydata()[1], 4.0)


def test_gradient_flow_explorer_rejects_an_unknown_nonlinearity():
    with pytest.raises(ValueError, match="nonlinearity"):
        explore_gradient_flow(nonlinearity="softplus")


def test_distractor_explorer_steps_through_stories_and_reacts_to_the_weights():
    ex = explore_distractors(w_scale=1.0, hidden_size=6, n_max=4, seed=0, model_seed=0)
    st = ex.stepper
    assert ex.slider.max == 4 and set(ex.controls) == {"w_scale"}
    ex.slider.value = 3
    story = distractor_story(3, seed=0, pool=4)
    assert len(st.profile_line.get_xdata()) == len(story.words)
    assert "3 distractor" in ex.caption.value
    model = rnn_with_scale(V, 6, w_scale=1.0, seed=0)
    assert np.isclose(st.profile_line.get_ydata()[-1], swap_dependence(model, story)[-1])

    old = st.curve_line.get_ydata().copy()
    ex.controls["w_scale"].value = 1.6
    model = rnn_with_scale(V, 6, w_scale=1.6, seed=0)
    expected = [swap_dependence(model, distractor_story(n, seed=0, pool=4))[-1]
                for n in range(5)]
    assert not np.allclose(old, st.curve_line.get_ydata())
    assert np.allclose(st.curve_line.get_ydata(), expected)
    assert np.isclose(st.profile_line.get_ydata()[-1], expected[3])  # still at n = 3


def test_distractor_stepper_helper_builds_nested_stories():
    model = rnn_with_scale(V, 4, seed=0)
    st = distractor_stepper(model, n_max=3, seed=1, country="Greece")
    assert st.n_frames == 4
    assert [s.n_distractors for s in st.stories] == [0, 1, 2, 3]
    assert all(s.words[s.country_step] == "Greece" for s in st.stories)


def test_chapter_1_explorer_steps_an_rnn_trace_with_its_readout():
    """Chapter 1's view: the shared TraceStepper over an RNN story, with a softmax read-out."""
    from whiteboard import RNN
    from whiteboard.maths import one_hot, softmax
    from whiteboard.training.network import Readout
    from whiteboard.training.story import LANGUAGES, make_stories
    from whiteboard.viz.explorers import explore
    from whiteboard.viz.players import play
    from whiteboard.viz.plots.trace import TraceStepper

    story = make_stories(1, lag=5, rng=0)
    rnn, readout = RNN(V, 8, seed=0), Readout(8, len(LANGUAGES), seed=0)
    trace = rnn.forward(one_hot(story.x, V))

    def read_out(h):
        return softmax(readout.forward(h))

    st = TraceStepper(trace, tokens=story.words(0), readout=read_out, classes=LANGUAGES,
                      labels={"h": "state s"})
    ex = explore(st)
    T = len(story.words(0))
    assert ex.slider.max == T - 1
    ex.slider.value = 4
    assert list(st.cursors["h"].get_xdata()) == [4, 4]
    widths = [bar.get_width() for bar in st.bars["h"]]
    assert np.allclose(widths, trace.h[4, 0])
    probs = [bar.get_width() for bar in st.bars["p"]]
    assert np.allclose(probs, read_out(trace.h[4, 0]))
    assert f"“{story.words(0)[4]}”" in ex.caption.value
    assert play(st, alt="story", dpi=30).n_frames == T
