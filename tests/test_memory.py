"""whiteboard.analysis.probes and .jacobians: the fading measures against independent checks.

Every quantity is compared with something computed another way: Jacobians with finite
differences, products with the model's own backward pass, norms with their bound, and
models with W = 0 (no memory at all) where the answers are known exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from whiteboard import RNN
from whiteboard.analysis.cliff import cliff_loss, clipped_step
from whiteboard.analysis.jacobians import (
    GAMMA,
    backprop_signal,
    gradient_bound,
    gradient_flow,
    input_jacobian_norms,
    rnn_with_scale,
    state_gradient_norms,
    step_jacobians,
)
from whiteboard.analysis.probes import (
    DistractorStory,
    decoding_r2,
    distractor_story,
    swap_dependence,
)
from whiteboard.cells.rnn import rnn_step
from whiteboard.training.story import COUNTRIES, story_vocab

V = len(story_vocab())


def _model_and_trace(nonlinearity="tanh", H=5, D=3, T=7, w_scale=1.0, seed=0):
    model = rnn_with_scale(D, H, w_scale=w_scale, seed=seed, nonlinearity=nonlinearity)
    x = np.random.default_rng(seed).standard_normal((T, 2, D))
    return model, model.forward(x)


def _jacobian_fd(f, v, eps=1e-6):
    """Central-difference Jacobian of f at v (both 1-D)."""
    cols = []
    for i in range(v.size):
        e = np.zeros_like(v)
        e[i] = eps
        cols.append((f(v + e) - f(v - e)) / (2 * eps))
    return np.stack(cols, axis=1)


def _full_state_jacobian(model, trace, b=0):
    """∂s_T/∂s_0 from the model's backward pass: row i comes from dh_T = e_i."""
    T, _, H = trace.h.shape
    rows = []
    for i in range(H):
        dh = np.zeros_like(trace.h)
        dh[T - 1, b, i] = 1.0
        rows.append(model.backward(trace, dh)["h0"][b])
    return np.array(rows)


# --------------------------------------------------------------------- rnn_with_scale


def test_rnn_with_scale_sets_w_and_keeps_the_rest_seeded():
    a = rnn_with_scale(3, 200, w_scale=0.7, seed=1)
    b = rnn_with_scale(3, 200, w_scale=0.7, seed=1)
    W = a.parameters()["weight_hh_l0"]
    assert np.array_equal(W, b.parameters()["weight_hh_l0"])
    # circular law: the eigenvalues fill a disc of radius about the scale
    assert abs(np.abs(np.linalg.eigvals(W)).max() - 0.7) < 0.1
    plain = RNN(3, 200, seed=1)
    assert np.array_equal(a.parameters()["weight_ih_l0"], plain.parameters()["weight_ih_l0"])
    c = rnn_with_scale(4, 6, w_scale=0.0, u_scale=2.0, seed=1)
    assert np.all(c.parameters()["weight_hh_l0"] == 0)
    assert not np.array_equal(c.parameters()["weight_ih_l0"],
                              RNN(4, 6, seed=1).parameters()["weight_ih_l0"])


@pytest.mark.parametrize("bad, err", [(-1.0, ValueError), (float("nan"), ValueError),
                                      (True, TypeError), ("1", TypeError)])
def test_rnn_with_scale_rejects_bad_scales(bad, err):
    with pytest.raises(err, match="w_scale"):
        rnn_with_scale(2, 3, w_scale=bad)


# --------------------------------------------------------------------- state Jacobians


@pytest.mark.parametrize("nonlinearity", ["tanh", "sigmoid", "relu"])
def test_step_jacobians_match_finite_differences_of_one_step(nonlinearity):
    model, trace = _model_and_trace(nonlinearity)
    J = step_jacobians(model, trace, b=1)
    p = model.parameters()
    for j in (1, 4, 7):  # 1-based steps
        x = trace.x[j - 1, 1:2]
        s_prev = (trace.h0 if j == 1 else trace.h[j - 2])[1]

        def step(s, x=x):
            return rnn_step(x, s[None], p, nonlinearity)[0][0]

        assert np.allclose(J[j - 1], _jacobian_fd(step, s_prev), atol=1e-8)


@pytest.mark.parametrize("nonlinearity", ["tanh", "sigmoid", "relu"])
def test_state_gradient_norms_match_the_backward_pass_and_obey_the_bound(nonlinearity):
    model, trace = _model_and_trace(nonlinearity, w_scale=1.3)
    norms = state_gradient_norms(model, trace, t=-1, b=0)
    T = trace.h.shape[0]
    assert norms.shape == (T + 1,) and norms[0] == 1.0
    full = _full_state_jacobian(model, trace)  # ∂s_T/∂s_0, built by BPTT
    assert np.isclose(norms[T], np.linalg.norm(full, 2), rtol=1e-10)
    bound = gradient_bound(model, np.arange(T + 1))
    assert np.all(norms <= bound * (1 + 1e-12))


def test_state_gradient_norms_at_an_earlier_step_and_bad_steps():
    model, trace = _model_and_trace()
    J = step_jacobians(model, trace)
    norms = state_gradient_norms(model, trace, t=3)
    assert norms.shape == (4,)
    assert np.isclose(norms[2], np.linalg.norm(J[2] @ J[1], 2))
    with pytest.raises(ValueError, match="1..7"):
        state_gradient_norms(model, trace, t=0)
    with pytest.raises(ValueError, match="1..7"):
        state_gradient_norms(model, trace, t=8)
    with pytest.raises(TypeError):
        state_gradient_norms(model, trace, t=1.5)


def test_gradient_bound_uses_gamma_and_the_spectral_norm():
    assert GAMMA == {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}
    model = rnn_with_scale(2, 4, w_scale=1.0, nonlinearity="sigmoid")
    lam = np.linalg.norm(model.parameters()["weight_hh_l0"], 2)
    assert np.allclose(gradient_bound(model, [0, 1, 3]), [1, lam / 4, (lam / 4) ** 3])


def test_backprop_signal_ends_in_the_backward_passs_h0_gradient():
    model, trace = _model_and_trace(T=6)
    e = np.random.default_rng(3).standard_normal(5)
    v = backprop_signal(model, trace, direction=e, b=1)
    assert v.shape == (7, 5) and np.array_equal(v[-1], e)
    dh = np.zeros_like(trace.h)
    dh[-1, 1] = e
    assert np.allclose(v[0], model.backward(trace, dh)["h0"][1], atol=1e-12)
    with pytest.raises(ValueError, match="direction"):
        backprop_signal(model, trace, direction=np.ones(3))


def test_gradient_flow_is_seeded_and_consistent():
    a = gradient_flow(w_scale=1.5, hidden_size=6, input_size=2, steps=9, seed=4)
    b = gradient_flow(w_scale=1.5, hidden_size=6, input_size=2, steps=9, seed=4)
    assert np.array_equal(a["norms"], b["norms"])
    assert a["k"].tolist() == list(range(9))
    assert a["signal"].shape == (9, 6)
    assert np.isclose(a["gamma_lambda"], a["bound"][1])
    assert np.allclose(a["norms"], state_gradient_norms(a["model"], a["trace"])[:9])


def test_errors_name_what_was_expected():
    model, trace = _model_and_trace()
    with pytest.raises(TypeError, match="RNN"):
        step_jacobians(object(), trace)
    with pytest.raises(TypeError, match="trace"):
        step_jacobians(model, "not a trace")
    with pytest.raises(ValueError, match="b must lie"):
        step_jacobians(model, trace, b=5)
    other = rnn_with_scale(3, 4)
    with pytest.raises(ValueError, match="H=5"):
        step_jacobians(other, trace)


# --------------------------------------------------------------------- input Jacobians


def test_input_jacobian_norms_match_finite_differences():
    model = rnn_with_scale(1, 6, w_scale=0.9, u_scale=0.5, seed=2)
    x = np.random.default_rng(2).uniform(-1, 1, (9, 1, 1))
    norms = input_jacobian_norms(model, model.forward(x))
    assert norms.shape == (9,)
    eps = 1e-6
    for k in (0, 3, 8):
        up, down = x.copy(), x.copy()
        up[8 - k] += eps
        down[8 - k] -= eps
        col = (model.forward(up).h[-1, 0] - model.forward(down).h[-1, 0]) / (2 * eps)
        assert np.isclose(norms[k], np.linalg.norm(col), rtol=1e-6)


def test_input_jacobian_with_no_recurrence_is_zero_for_old_inputs():
    model = rnn_with_scale(2, 3, w_scale=0.0, seed=0)
    x = np.random.default_rng(0).standard_normal((5, 2))
    norms = input_jacobian_norms(model, model.forward(x), t=4)
    assert norms.shape == (4,) and norms[0] > 0
    assert np.all(norms[1:] == 0)


# --------------------------------------------------------------------- decoding


def test_decoding_without_recurrence_reads_only_the_current_input():
    model = rnn_with_scale(1, 8, w_scale=0.0, u_scale=0.5, seed=0)
    r2 = decoding_r2(model, [0, 1, 2, 5], steps=120, batch=8)
    assert r2[0] > 0.99
    assert np.all(r2[1:] < 0.05)


def test_decoding_r2_is_in_range_seeded_and_below_the_board_size():
    model = rnn_with_scale(1, 4, w_scale=0.9, u_scale=0.5, seed=0)
    lags = np.arange(15)
    r2 = decoding_r2(model, lags, steps=200, batch=8, seed=3)
    assert np.array_equal(r2, decoding_r2(model, lags, steps=200, batch=8, seed=3))
    assert np.all((r2 >= 0) & (r2 <= 1))
    assert r2.sum() < 4


def test_decoding_r2_checks_its_arguments():
    model = rnn_with_scale(1, 3)
    with pytest.raises(ValueError, match="lag"):
        decoding_r2(model, [-1])
    with pytest.raises(ValueError, match="too few"):
        decoding_r2(model, [10], steps=15)


# --------------------------------------------------------------------- the story


def test_distractor_stories_are_nested_and_name_the_country():
    stories = [distractor_story(n, seed=5, pool=6, country="Spain") for n in range(7)]
    for n, s in enumerate(stories):
        assert isinstance(s, DistractorStory)
        assert s.n_distractors == n
        assert s.words[s.country_step] == "Spain"
        assert s.words[-2:] == ("she", "speaks")
        assert s.words.count(".") == n + 1
        assert [story_vocab()[i] for i in s.tokens] == list(s.words)
        assert s.lag == len(s.words) - 1 - s.country_step
    for short, long in zip(stories, stories[1:], strict=False):
        assert long.words[:len(short.words) - 2] == short.words[:-2]
        assert long.lag > short.lag


def test_distractor_story_checks_its_arguments():
    with pytest.raises(ValueError, match="pool"):
        distractor_story(4, pool=3)
    with pytest.raises(ValueError, match="country"):
        distractor_story(1, country="Atlantis")
    with pytest.raises(TypeError):
        distractor_story(1.0)


def test_swap_dependence_is_zero_before_the_country_and_fades_after_it():
    model = rnn_with_scale(V, 8, w_scale=0.8, seed=0)
    story = distractor_story(3, seed=1)
    d = swap_dependence(model, story)
    assert d.shape == (len(story.words),)
    assert np.all(d[:story.country_step] == 0)
    assert d[story.country_step] > 0
    assert d[-1] < d[story.country_step]


def test_swap_dependence_without_recurrence_forgets_at_once():
    model = rnn_with_scale(V, 8, w_scale=0.0, seed=0)
    story = distractor_story(1, seed=1)
    d = swap_dependence(model, story)
    assert d[story.country_step] > 0
    assert np.all(d[story.country_step + 1:] == 0)


def test_swap_dependence_averages_over_every_other_country():
    model = rnn_with_scale(V, 4, w_scale=0.8, seed=0)
    story = distractor_story(0, seed=2)
    onehot = np.eye(V)
    base = model.forward(onehot[story.tokens]).h[-1, 0]
    dists = []
    for c in COUNTRIES[1:]:  # the story names France, the first country
        tokens = story.tokens.copy()
        tokens[story.country_step] = story_vocab().index(c)
        dists.append(np.linalg.norm(model.forward(onehot[tokens]).h[-1, 0] - base))
    assert np.isclose(swap_dependence(model, story)[-1], np.mean(dists))
    with pytest.raises(TypeError, match="DistractorStory"):
        swap_dependence(model, story.tokens)


# --------------------------------------------------------------------- the cliff


def test_cliff_gradient_matches_finite_differences():
    for w in (0.5, 1.2, 1.47):
        eps = 1e-6
        numeric = (cliff_loss(w + eps)[0] - cliff_loss(w - eps)[0]) / (2 * eps)
        assert np.isclose(cliff_loss(w)[1], numeric, rtol=1e-5, atol=1e-8)


def test_clipped_step_caps_the_step_length_and_keeps_its_direction():
    step = clipped_step(1.47, lr=0.01, max_norm=1.0)
    assert abs(step.grad) > 100  # the wall of the cliff: an exploding gradient
    assert np.isclose(step.w_plain, 1.47 - 0.01 * step.grad)
    assert np.isclose(abs(step.w_clipped - 1.47), 0.01)
    assert np.sign(step.w_clipped - 1.47) == np.sign(step.w_plain - 1.47)
    assert step.loss_clipped < step.loss0
    assert np.isclose(step.loss_plain, cliff_loss(step.w_plain)[0])
    # below the threshold clipping changes nothing
    calm = clipped_step(0.0, lr=0.01, max_norm=1e6)
    assert calm.w_clipped == calm.w_plain
