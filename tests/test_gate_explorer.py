"""The gate explorer, driven from Python: move the time slider or a what-if control and check
the data drawn (artist arrays), not pixels."""

from __future__ import annotations

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.wired import (
    encode_words,
    story_memory_gru,
    story_memory_lstm,
    story_readout,
)
from whiteboard.board import selective_strategy
from whiteboard.training.network import SequenceModel
from whiteboard.training.story import LANGUAGES, make_stories, story_vocab
from whiteboard.viz.explorers.board import explore_board, explore_soft_board
from whiteboard.viz.explorers.gates import WHATIFS, explore_gates, whatif_overrides
from whiteboard.viz.players import play
from whiteboard.viz.plots.gates import gate_stepper


@pytest.fixture(scope="module")
def story():
    batch = make_stories(1, 8, rng=5)
    words = batch.words(0)
    return words, encode_words(words), int(batch.y[0])


def _bars(stepper, name):
    return np.array([r.get_width() for r in stepper.bars[name]])


def test_time_slider_moves_the_cursor_and_the_bars(story):
    words, X, _ = story
    model = story_memory_lstm()
    ex = explore_gates(model, X, tokens=words, readout=story_readout(), classes=LANGUAGES)
    trace = model.forward(X)
    first = ex.image.value
    ex.slider.value = 5
    st = ex.stepper
    assert list(st.cursors["f"].get_xdata()) == [5, 5]
    for g in "ifgo":
        np.testing.assert_allclose(_bars(st, g), trace.gates[g][5, 0])
    np.testing.assert_allclose(_bars(st, "c"), trace.c[5, 0])
    assert ex.image.value != first
    assert ex.caption.value.startswith(f"step 6 of {len(words)}: “{words[5]}”")


def test_whatif_control_forces_the_gate_in_the_picture(story):
    words, X, y = story
    model = story_memory_lstm()
    ex = explore_gates(model, X, tokens=words, readout=story_readout(), classes=LANGUAGES)
    st = ex.stepper
    last = len(words) - 1
    assert np.argmax(st.values["p"][last]) == y
    ex.controls["start"].value = 6
    ex.controls["whatif"].value = "f = 0 (forget all)"
    f = st.heatmaps["f"].get_array()
    assert (f[:, 5:] == 0).all() and (f[:, :5] > 0.9).all()
    ex.slider.value = last
    np.testing.assert_array_equal(_bars(st, "f"), 0.0)
    assert st.values["p"][last].max() < 0.2  # the country is gone
    ex.controls["whatif"].value = "no change"
    np.testing.assert_array_equal(st.heatmaps["c"].get_array(), model.forward(X).c[:, 0].T)


def test_o_zero_hides_the_memory_but_keeps_it(story):
    words, X, _ = story
    ex = explore_gates(story_memory_lstm(), X, whatif="o = 0 (pass nothing on)", start=2)
    st = ex.stepper
    assert (st.heatmaps["h"].get_array()[:, 1:] == 0).all()
    assert np.abs(st.values["c"][-1]).max() > 0.5


def test_the_same_explorer_takes_a_gru(story):
    words, X, _ = story
    ex = explore_gates(story_memory_gru(), X, tokens=words)
    assert list(ex.controls["whatif"].options) == list(WHATIFS["gru"])
    assert ex.stepper.panel_names == ("r", "z", "n", "h")
    ex.controls["start"].value = 3
    ex.controls["whatif"].value = "z = 1 (keep the old state)"
    h = ex.stepper.heatmaps["h"].get_array()
    for t in range(3, len(words)):
        np.testing.assert_allclose(h[:, t], h[:, 1], atol=1e-15)  # n + z(h - n) rounds


def test_an_rnn_gets_the_stepper_without_whatifs(story):
    _, X, _ = story
    ex = explore_gates(RNN(X.shape[-1], 4), X)
    assert ex.controls == {}
    assert ex.stepper.panel_names == ("h",)


def test_a_trained_sequence_model_is_unwrapped():
    V = len(story_vocab())
    net = SequenceModel(LSTM(V, 6, seed=0), len(LANGUAGES), vocab_size=V)
    tokens = make_stories(1, 5, rng=1).x[:, 0]
    ex = explore_gates(net, tokens, classes=LANGUAGES)
    st = ex.stepper
    z, trace = net.forward(tokens[:, None])
    np.testing.assert_allclose(st.values["h"], trace.h[:, 0])
    p = np.exp(z[0] - z[0].max())
    np.testing.assert_allclose(st.values["p"][-1], p / p.sum())


def test_static_player_has_one_frame_per_step(story):
    words, X, _ = story
    st = gate_stepper(GRU(X.shape[-1], 3), X, tokens=words)
    assert play(st, alt="gates", dpi=30).n_frames == len(words)


def test_whatif_labels_are_checked():
    assert whatif_overrides("lstm", "no change", 3) == []
    (ov,) = whatif_overrides("lstm", "i = 0 (take nothing in)", 3)
    assert (ov.gate, ov.value, ov.start) == ("i", 0.0, 2)
    with pytest.raises(ValueError, match="what-if must be one of"):
        whatif_overrides("gru", "f = 1 (keep all)", 1)
    with pytest.raises(TypeError):
        whatif_overrides("rnn", "no change", 1)


def test_board_explorers():
    ex = explore_board()
    assert ex.slider.max == len(selective_strategy()) - 1
    ex.slider.value = 3
    assert ex.stepper.line_text.get_text() == "new line:  5 × 34 = 170"
    ex.controls["forget"].value = False  # switch selective forget off
    assert ex.stepper.run.answer == 219
    ex.slider.value = 5
    assert ex.stepper.line_text.get_text() == "new line:  16 + 203 = 219"
    soft = explore_soft_board()
    soft.slider.value = 5
    assert soft.stepper.cell_texts["s"][2].get_text() == "181"
    soft.controls["keep"].value = 0.5
    run = soft.stepper.run
    assert soft.stepper.cell_texts["s"][2].get_text() == f"{run.rounds[soft.slider.value].s[2]:.2f}"
    assert run.answer == 170 * 0.5 ** 3 + 11
