"""Forced gates, the hand-wired story memories, and the measured memory path."""

from __future__ import annotations

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.jacobians import memory_path
from whiteboard.analysis.whatif import STATE, Override, pin_gates, pin_state, run_whatif
from whiteboard.analysis.wired import (
    encode_words,
    story_memory_gru,
    story_memory_lstm,
    story_readout,
)
from whiteboard.cells.lstm import lstm_step
from whiteboard.maths import one_hot
from whiteboard.training.story import LANGUAGES, make_stories

T, D, H = 9, 3, 5


@pytest.fixture
def X():
    return np.random.default_rng(0).standard_normal((T, 2, D))


def test_no_override_is_the_forward_pass(X):
    for model in (LSTM(D, H, seed=1), GRU(D, H, seed=1)):
        a, b = model.forward(X), run_whatif(model, X, [])
        np.testing.assert_array_equal(a.h, b.h)
        for g in a.gates:
            np.testing.assert_array_equal(a.gates[g], b.gates[g])


def test_forcing_f_keeps_or_wipes_the_cell(X):
    model = LSTM(D, H, seed=1)
    plain = model.forward(X)
    k = 4
    keep = run_whatif(model, X, [Override("f", 1.0, start=k)])
    wipe = run_whatif(model, X, [Override("f", 0.0, start=k)])
    for tr in (keep, wipe):  # steps before k are untouched
        np.testing.assert_array_equal(tr.c[:k], plain.c[:k])
    assert (keep.gates["f"][k:] == 1.0).all() and (wipe.gates["f"][k:] == 0.0).all()
    for t in range(k, T):
        i, g = keep.gates["i"][t], keep.gates["g"][t]
        np.testing.assert_allclose(keep.c[t], keep.c[t - 1] + i * g, atol=1e-15)
        np.testing.assert_allclose(wipe.c[t], wipe.gates["i"][t] * wipe.gates["g"][t],
                                   atol=1e-15)


def test_forcing_i_and_o(X):
    model = LSTM(D, H, seed=1)
    shut = run_whatif(model, X, [Override("i", 0.0)])
    np.testing.assert_array_equal(shut.c, 0.0)  # c0 = 0 and nothing is ever taken in
    hidden = run_whatif(model, X, [Override("o", 0.0, start=3)])
    np.testing.assert_array_equal(hidden.h[3:], 0.0)
    np.testing.assert_array_equal(hidden.c[3], model.forward(X).c[3])


def test_a_forced_step_equals_the_core_step_with_pinned_parameters(X):
    model = LSTM(D, H, seed=2)
    tr = run_whatif(model, X, [Override("f", 0.3, start=2, stop=5)])
    pinned = pin_gates(model, {"f": 0.3}).state_dict()
    plain = model.state_dict()
    h, c = np.zeros((2, H)), np.zeros((2, H))
    for t in range(T):
        h, c, cache = lstm_step(X[t], h, c, pinned if 2 <= t < 5 else plain)
        np.testing.assert_allclose(tr.h[t], h, atol=1e-13)
        np.testing.assert_allclose(tr.c[t], c, atol=1e-13)
        np.testing.assert_allclose(tr.gates["f"][t], cache["f"], atol=1e-13)
    np.testing.assert_allclose(tr.gates["f"][2:5], 0.3, atol=1e-15)
    assert not np.allclose(tr.gates["f"][5:], 0.3)


def test_only_the_chosen_units_are_forced(X):
    model = LSTM(D, H, seed=1)
    tr = run_whatif(model, X, [Override("f", 0.0, units=(1, 3))])
    assert (tr.gates["f"][:, :, [1, 3]] == 0).all()
    assert (tr.gates["f"][:, :, [0, 2, 4]] > 0).all()


def test_gru_update_gate(X):
    model = GRU(D, H, seed=1)
    frozen = run_whatif(model, X, [Override("z", 1.0, start=3)])
    for t in range(3, T):
        np.testing.assert_allclose(frozen.h[t], frozen.h[2], atol=1e-15)
    fresh = run_whatif(model, X, [Override("z", 0.0, start=3)])
    np.testing.assert_allclose(fresh.h[3:], fresh.gates["n"][3:], atol=1e-15)


def test_pin_gates_leaves_the_model_alone():
    model = LSTM(D, H, seed=1)
    before = model.state_dict()
    pin_gates(model, {"f": 1.0, "o": 0.0})
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_bad_overrides_are_refused(X):
    with pytest.raises(TypeError, match="only an LSTM or a GRU"):
        run_whatif(RNN(D, H), X, [Override("f", 1.0)])
    with pytest.raises(ValueError, match="has gates"):
        run_whatif(GRU(D, H), X, [Override("f", 1.0)])
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        run_whatif(LSTM(D, H), X, [Override("f", 1.5)])
    with pytest.raises(TypeError, match="Override objects"):
        run_whatif(LSTM(D, H), X, [("f", 1.0)])
    with pytest.raises(ValueError, match="units must lie"):
        pin_gates(LSTM(D, H), {"f": 1.0}, units=[H])


# ------------------------------------------------------------------------- wired memories


def _stories(lag=10, n=16):
    batch = make_stories(n, lag, rng=0)
    from whiteboard.training.story import story_vocab

    return batch, one_hot(batch.x, len(story_vocab()))


@pytest.mark.parametrize("build", [story_memory_lstm, story_memory_gru])
def test_the_wired_memories_answer_the_story(build):
    batch, X = _stories()
    trace = build().forward(X)
    readout = story_readout()
    answers = [np.argmax(readout(trace.h[-1, b])) for b in range(len(batch.y))]
    np.testing.assert_array_equal(answers, batch.y)


def test_forgetting_after_the_country_loses_the_answer():
    batch, X = _stories(n=1)
    model, readout = story_memory_lstm(), story_readout()
    tr = run_whatif(model, X, [Override("f", 0.0, start=batch.country_step + 1)])
    p = readout(tr.h[-1, 0])
    assert p.max() < 0.2  # close to the 1/8 of a guess
    words = batch.words(0)
    np.testing.assert_array_equal(encode_words(words), X)
    assert LANGUAGES[batch.y[0]] == batch.target(0)


# ---------------------------------------------------------------------------- memory path


def test_memory_path_product_and_jacobian():
    x = np.random.default_rng(1).standard_normal((8, D))
    model = LSTM(D, 3, seed=0, forget_bias=1.0)
    path = memory_path(model, x)
    tr = model.forward(x)
    f = tr.gates["f"][:, 0]
    for k in path["k"]:
        assert path["product"][k - 1] == pytest.approx(np.prod(f[8 - k:], axis=0).max())
    # Finite differences: perturb c_{T-k} (and h_{T-k} = o tanh(c_{T-k}) with it), rerun.
    k, eps = 3, 1e-6
    s = 8 - k
    o, c = tr.gates["o"][s - 1, 0], tr.c[s - 1, 0]
    J = np.empty((3, 3))
    for j in range(3):
        out = []
        for sign in (1, -1):
            c0 = c.copy()
            c0[j] += sign * eps
            out.append(model.forward(x[s:], h0=o * np.tanh(c0), c0=c0).c[-1, 0])
        J[:, j] = (out[0] - out[1]) / (2 * eps)
    assert path["jacobian"][k - 1] == pytest.approx(np.linalg.norm(J, 2), rel=1e-6)
    cell = np.diag(np.prod(f[s:], axis=0))  # the cell path; the rest is every other path
    assert path["rest"][k - 1] == pytest.approx(np.linalg.norm(J - cell, 2), rel=1e-5)


def test_memory_path_rest_is_zero_without_paths_through_h():
    x = np.random.default_rng(2).standard_normal((7, D))
    model = LSTM(D, 3, seed=0, forget_bias=2.0)
    model.parameters()["weight_hh_l0"][...] = 0.0  # the gates no longer read h_{t-1}
    path = memory_path(model, x)
    np.testing.assert_allclose(path["rest"], 0.0, atol=1e-15)
    np.testing.assert_allclose(path["jacobian"], path["product"], rtol=1e-12)


def test_memory_path_gru_uses_the_update_gate():
    x = np.random.default_rng(1).standard_normal((6, D))
    model = GRU(D, 3, seed=0)
    path = memory_path(model, x, max_k=4)
    z = model.forward(x).gates["z"][:, 0]
    assert path["product"][1] == pytest.approx(np.prod(z[4:], axis=0).max())
    assert len(path["k"]) == 4
    with pytest.raises(TypeError):
        memory_path(RNN(D, 3), x)
    with pytest.raises(ValueError, match="max_k"):
        memory_path(model, x, max_k=6)


def test_whatif_plot_draws_the_unit_and_names_it():
    from whiteboard.viz.plots.gates import plot_whatif

    X = np.random.default_rng(1).standard_normal((T, 1, D))
    model = LSTM(D, H, seed=2)
    traces = {"as is": model.forward(X),
              "f = 0": run_whatif(model, X, [Override("f", 0.0, start=3)])}
    fig = plot_whatif(traces, unit=1, readout=lambda h: np.full(4, 0.25), target=0,
                      ylabel="cell state s of unit 1")
    left = {line.get_label(): line for line in fig.axes[0].get_lines()}
    np.testing.assert_allclose(left["f = 0"].get_ydata(), traces["f = 0"].c[:, 0, 1])
    assert fig.axes[0].get_ylabel() == "cell state s of unit 1"
    default = plot_whatif(traces, unit=1, readout=lambda h: np.full(4, 0.25), target=0)
    assert default.axes[0].get_ylabel() == "c of unit 1"


def test_whatif_runs_that_coincide_stay_apart():
    # Forcing a gate that changes nothing gives the same line twice: styles and marker
    # positions must still tell them apart.
    from whiteboard.viz.plots.gates import plot_whatif

    X = np.random.default_rng(1).standard_normal((T, 1, D))
    model = LSTM(D, H, seed=2)
    same = model.forward(X)
    traces = {"as is": same, "again": same, "f = 0": run_whatif(model, X, [Override("f", 0.0)])}
    fig = plot_whatif(traces, unit=1, readout=lambda h: np.full(4, 0.25), target=0,
                      tokens=[f"w{t}" for t in range(T)])
    for ax in fig.axes:
        lines = ax.get_lines()
        looks = {(str(line.get_linestyle()), line.get_marker(), line.get_color())
                 for line in lines}
        assert len(looks) == len(lines) == 3
        starts = [line.get_markevery()[0] for line in lines]
        assert len(set(starts)) == 3  # markers of coinciding lines fall on other steps
        assert all(t.get_fontsize() >= 10 for t in ax.get_xticklabels())
    # stacked for a phone's column, the two share the words, written once under the lower
    assert [a.get_xlabel() for a in fig.axes] == ["", "word of the story (time step)"]
    legend = fig.legends[0]  # above the panels, where it covers no line
    assert [t.get_text() for t in legend.get_texts()] == list(traces)


def test_memory_path_plot_says_what_it_measures():
    from whiteboard.viz.plots.gates import plot_memory_path

    x = np.random.default_rng(0).standard_normal((8, 3))
    paths = {"LSTM": memory_path(LSTM(3, 4, seed=0), x),
             "GRU": memory_path(GRU(3, 4, seed=0), x)}
    assert (paths["LSTM"]["gate"], paths["GRU"]["gate"]) == ("f", "z")
    fig = plot_memory_path(paths)
    label = fig.axes[0].get_ylabel()
    assert r"\|\partial s_T / \partial s_{T-k}\|_2" in label  # the norm, of what, over k
    assert r"\prod f" in label and r"\prod z" in label
    assert "gradient along the memory" not in label
    only_lstm = plot_memory_path({"LSTM": paths["LSTM"]}).axes[0].get_ylabel()
    assert r"\prod f" in only_lstm and r"\prod z" not in only_lstm


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_forcing_a_unit_of_the_state_holds_it_at_the_value(kind):
    model = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[kind](3, 5, seed=4)
    X = np.random.default_rng(0).standard_normal((9, 2, 3))
    plain = model.forward(X)
    forced = run_whatif(model, X, [Override(STATE, -0.6, start=4, units=(2,))])
    state = "c" if kind == "lstm" else "h"
    held = getattr(forced, state)
    np.testing.assert_allclose(held[4:, :, 2], -0.6, rtol=0, atol=1e-15)
    np.testing.assert_allclose(held[:4], getattr(plain, state)[:4], rtol=0, atol=1e-15)
    assert not np.allclose(forced.h[5:, :, [0, 1, 3, 4]], plain.h[5:, :, [0, 1, 3, 4]])
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        run_whatif(model, X, [Override(STATE, 1.5)])


def test_the_state_is_not_a_gate_to_pin():
    with pytest.raises(ValueError, match="pin_state"):
        pin_gates(LSTM(2, 3), {STATE: 0.5})
    with pytest.raises(ValueError, match="tanh RNN"):
        pin_state(RNN(2, 3, nonlinearity="relu"), 0.5)
    with pytest.raises(TypeError, match="only an LSTM or a GRU"):
        pin_gates(RNN(2, 3), {"f": 0.5})
