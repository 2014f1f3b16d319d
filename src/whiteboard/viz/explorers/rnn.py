"""Live explorers for the plain RNN (chapters 2 and 3).

* :func:`explore_gradient_flow`: step back through time from the last state; sliders set
  the recurrent weight scale and the nonlinearity, and the measured ‖∂s_T/∂s_{T-k}‖ and the
  bound (γλ)^k are recomputed.
* :func:`explore_distractors`: step through the France story with more and more distractor
  sentences; a slider sets the recurrent weight scale of the (untrained) RNN.

Each is a thin layer over a stepper from :mod:`whiteboard.viz.plots` (the same stepper makes the
static player of the HTML book) and the numbers of :mod:`whiteboard.analysis.jacobians` and
:mod:`whiteboard.analysis.probes`.
"""

from __future__ import annotations

import ipywidgets as widgets

from whiteboard.analysis.jacobians import gradient_flow, rnn_with_scale
from whiteboard.analysis.probes import distractor_story, swap_dependence
from whiteboard.training.story import story_vocab
from whiteboard.viz.explorers import explore
from whiteboard.viz.plots.gradients import GradientFlowStepper
from whiteboard.viz.plots.rnn import DistractorStepper

__all__ = ["distractor_stepper", "explore_distractors", "explore_gradient_flow"]

NONLINEARITIES = ("tanh", "sigmoid", "relu")


def _scale_slider(value, description, high):
    return widgets.FloatSlider(value=value, min=0.1, max=high, step=0.05,
                               description=description, continuous_update=False,
                               readout_format=".2f", style={"description_width": "initial"})


def explore_gradient_flow(*, w_scale=1.0, nonlinearity="tanh", **flow_kw):
    """Gradient flow back through time, with the weight scale and nonlinearity as controls.

    Args:
        w_scale: initial scale of W (see :func:`whiteboard.analysis.jacobians.rnn_with_scale`).
        nonlinearity: initial "tanh", "sigmoid" or "relu".
        **flow_kw: passed to :func:`whiteboard.analysis.jacobians.gradient_flow` (``hidden_size``,
            ``input_size``, ``steps``, ``seed``).

    Returns:
        an :class:`whiteboard.viz.explorers.Explorer` whose ``controls`` are ``w_scale`` and
        ``nonlinearity``; its time slider is k, the steps back.
    """
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
    stepper = GradientFlowStepper(gradient_flow(w_scale=w_scale, nonlinearity=nonlinearity,
                                                **flow_kw))
    controls = {
        "w_scale": _scale_slider(w_scale, "scale of W", 4.0),
        "nonlinearity": widgets.Dropdown(options=NONLINEARITIES, value=nonlinearity,
                                         description="σ"),
    }

    def on_control(st, *, w_scale, nonlinearity):
        st.set_flow(gradient_flow(w_scale=w_scale, nonlinearity=nonlinearity, **flow_kw))

    return explore(stepper, label="steps back k", controls=controls, on_control=on_control)


def distractor_stepper(model, *, n_max=8, seed=0, country="France"):
    """The :class:`~whiteboard.viz.plots.rnn.DistractorStepper` of ``model`` on one story.

    Args:
        model: an RNN (or LSTM/GRU) reading one-hot words, ``input_size == len(story_vocab())``.
        n_max: the largest number of distractor sentences.
        seed: picks the story (see :func:`whiteboard.analysis.probes.distractor_story`).
        country: the country the story names.
    """
    stories = [distractor_story(n, seed=seed, pool=max(n_max, 1), country=country)
               for n in range(n_max + 1)]
    return DistractorStepper(stories, [swap_dependence(model, s) for s in stories])


def explore_distractors(*, w_scale=1.0, hidden_size=32, n_max=8, seed=0, model_seed=0):
    """Step through the France story with 0 .. ``n_max`` distractor sentences.

    The RNN is untrained (:func:`whiteboard.analysis.jacobians.rnn_with_scale` over one-hot words);
    the slider sets the scale of its recurrent weights.

    Returns:
        an :class:`whiteboard.viz.explorers.Explorer` with the control ``w_scale``; its time
        slider is the number of distractor sentences.
    """
    V = len(story_vocab())

    def make(scale):
        return rnn_with_scale(V, hidden_size, w_scale=scale, seed=model_seed)

    stepper = distractor_stepper(make(w_scale), n_max=n_max, seed=seed)

    def on_control(st, *, w_scale):
        model = make(w_scale)
        st.set_profiles([swap_dependence(model, s) for s in st.stories])

    return explore(stepper, label="distractor sentences",
                   controls={"w_scale": _scale_slider(w_scale, "scale of W", 2.0)},
                   on_control=on_control)
