"""Reading code with a language model: features of the text, tracking units, forcing them,
how far back a prediction depends, and sampling."""

from __future__ import annotations

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.code_features import FEATURES, code_features, docstrings
from whiteboard.analysis.reach import dependence
from whiteboard.analysis.units import best_units, correlations, forced_reading, read_text
from whiteboard.models.gradcheck import numeric_gradient
from whiteboard.training.language import CharLM, State, char_bits, sample, sample_ids
from whiteboard.training.network import cross_entropy
from whiteboard.training.text import encode

KINDS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
CODE = '''def f(x, y=[1, (2, 3)]):
    # a comment with a "quote" (and a bracket
    s = 'it\\'s' + """two
lines""" + f"{x}"
    return {"k": s}  # done
'''


def lm_of(kind, H=6, dtype=np.float64):
    return CharLM(KINDS[kind](4, H, seed=3, dtype=dtype), embed_dim=4, seed=5)


def marks(values):
    return "".join("^" if v else "." for v in values)


def test_the_features_of_a_small_program():
    f = code_features(CODE)
    assert tuple(f) == FEATURES and all(v.shape == (len(CODE),) for v in f.values())
    line2 = CODE.index("    # a")
    assert marks(f["comment"])[line2 : line2 + 6] == "....^^"
    assert f["string"][CODE.index('"quote"')] == 0  # quotes in a comment are comment
    assert f["depth"][CODE.index("(and")] == 0  # and so are its brackets
    s = CODE.index("'it")
    assert marks(f["string"])[s - 1 : s + 8] == ".^^^^^^^."  # the escaped quote inside
    assert f["string"][CODE.index("lines")] == 1  # a triple-quoted string spans lines
    assert f["string"][CODE.index('f"') ] == 0 and f["string"][CODE.index('{x}')] == 1
    depth = f["depth"][: CODE.index(":")]
    assert depth.max() == 3 and depth[-1] == 0
    assert f["indent"][CODE.index("return")] == 1 and f["indent"][CODE.index("lines")] == 0
    assert f["indent"][2] == 0 and f["indent"][CODE.index("    s") + 2] == 0.75
    assert f["column"][CODE.index("return")] == 4 and f["column"][0] == 0


def test_a_docstring_is_a_string_that_stands_as_a_statement_of_its_own():
    text = ('"""Module."""\nx = "a"\ndef f(y=\'b\'):\n    r"""Doc,\n    two lines."""\n'
            '    g(\n        "an argument on its own line",\n    )\n    return """not one"""\n')
    doc = docstrings(text)
    assert doc.shape == (len(text),) and set(np.unique(doc)) <= {0.0, 1.0}
    marked = "".join(ch for ch, d in zip(text, doc, strict=True) if d)
    assert marked == '"""Module."""' + '"""Doc,\n    two lines."""'  # the prefix r is outside
    assert not (doc > code_features(text)["string"]).any()  # only ever inside a string
    assert docstrings(CODE).sum() == 0  # its strings are assigned, returned or in a comment
    with pytest.raises(TypeError, match="text"):
        docstrings(b"def f(): pass")


def test_correlations_are_pearsons_r_and_the_best_unit_has_the_largest_size():
    rng = np.random.default_rng(0)
    feature = rng.standard_normal(200)
    state = rng.standard_normal((200, 4))
    state[:, 2] = -3 * feature + 0.1 * state[:, 2]
    state[:, 3] = 1.0  # never varies
    r = correlations(state, {"f": feature})["f"]
    for u in range(3):
        assert r[u] == pytest.approx(np.corrcoef(state[:, u], feature)[0, 1], abs=1e-12)
    assert r[3] == 0
    unit, best = best_units(state, {"f": feature})["f"]
    assert unit == 2 and best < -0.99
    with pytest.raises(ValueError, match="shape"):
        correlations(state, {"f": feature[:10]})


@pytest.mark.parametrize("kind", KINDS)
def test_a_reading_keeps_every_state_and_the_bits_of_char_bits(kind):
    lm, ids = lm_of(kind), encode(CODE)
    reading = read_text(lm, ids, chunk=17, keep_probs=True)
    np.testing.assert_allclose(reading.bits, char_bits(lm, ids)[0], rtol=1e-12)
    assert reading.state.shape == reading.h.shape == (len(ids), 6)
    _, trace = lm.run(ids[:, None])
    carried = trace.c if kind == "lstm" else trace.h
    np.testing.assert_allclose(reading.state, carried[:, 0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(reading.probs.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_a_forced_unit_is_held_at_its_value_and_changes_the_predictions(kind):
    lm, ids = lm_of(kind), encode(CODE)
    forced = forced_reading(lm, ids, 4, -0.5, chunk=20)
    np.testing.assert_allclose(forced.state[:, 4], -0.5, atol=1e-7)
    plain = read_text(lm, ids)
    assert np.abs(forced.bits - plain.bits).max() > 1e-3


@pytest.mark.parametrize("kind", KINDS)
def test_dependence_is_the_gradient_of_the_next_loss_on_each_earlier_input(kind):
    lm, ids = lm_of(kind), encode(CODE)
    back, seed = 12, 1
    got = dependence(lm, ids, back=back, positions=3, seed=seed)
    assert got.shape == (back,)
    # one position by finite differences on the inputs, from the carried state
    t = np.sort(np.random.default_rng(seed).choice(np.arange(back, len(ids) - 1), 3,
                                                   replace=False))
    reading = read_text(lm, ids)
    norms = []
    for p in t:
        X = lm.inputs(ids[p - back + 1 : p + 1, None]).copy()
        start = State(reading.h[p - back : p - back + 1].astype(float),
                      reading.state[p - back : p - back + 1].astype(float)
                      if kind == "lstm" else None)

        def loss(X=X, start=start, p=p):
            trace = lm._forward(X, start)
            return cross_entropy(lm.readout.forward(trace.h[-1]), ids[p + 1 : p + 2])[0]

        norms.append(np.linalg.norm(numeric_gradient(loss, X)[::-1, 0], axis=-1))
    np.testing.assert_allclose(got, np.mean(norms, axis=0), rtol=2e-4, atol=1e-9)


def test_sampling_is_seeded_and_temperature_sharpens():
    lm = lm_of("lstm")
    a = sample(lm, 40, prompt="def ", temperature=1.0, seed=7)
    assert a == sample(lm, 40, prompt="def ", temperature=1.0, seed=7) and len(a) == 40
    assert a != sample(lm, 40, prompt="def ", temperature=1.0, seed=8)
    cold = sample_ids(lm, encode("def "), np.full(30, 0.5), temperature=0.01)
    # at a low temperature a draw is the most likely character
    z, trace = lm.run(encode("def ")[:, None])
    assert cold[0] == int(np.argmax(z[-1, 0]))
    with pytest.raises(ValueError, match="prompt"):
        sample(lm, 5, prompt="")
    with pytest.raises(ValueError, match="temperature"):
        sample(lm, 5, temperature=0)


def test_the_text_coloured_by_a_unit_puts_each_value_under_its_character():
    from whiteboard.viz.plots.text import plot_unit_text

    text = "ab\ncd"
    fig = plot_unit_text(text, np.array([1.0, -1.0, 0.5, 0.25, 2.0]), width=4)
    ax = fig.axes[0]
    grid = ax.images[0].get_array()
    np.testing.assert_array_equal(grid[0, :3], [1.0, -1.0, 0.5])  # the newline ends row 0
    np.testing.assert_array_equal(grid[1, :2], [0.25, 2.0])
    assert [t.get_text() for t in ax.texts] == list("abcd")
    with pytest.raises(ValueError, match="2 entries for 5 characters"):
        plot_unit_text(text, [1.0, 2.0])


def test_the_curves_of_the_chapter_draw_one_line_per_model():
    from whiteboard.viz.plots.text import plot_dependence, plot_text_curves

    fig = plot_dependence({"RNN": np.array([2.0, 1.0, 0.1]), "LSTM": np.array([1.0, 0.9, 0.8])})
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), [1.0, 0.5, 0.05])
    hist = {"eval_step": [1, 2], "eval_loss": [3.0, 2.5]}
    fig = plot_text_curves({"RNN": hist, "GRU": hist}, baseline=2.7)
    assert len(fig.axes[0].get_lines()) == 3


def test_the_kinds_of_prediction_in_a_small_program():
    from whiteboard.analysis.code_features import KINDS, bits_by_kind, prediction_kinds

    text = 'f(x, "ab")\n    y = [1]\n'
    kinds = prediction_kinds(text)
    assert tuple(kinds) == KINDS and all(m.shape == (len(text) - 1,) for m in kinds.values())

    def predicted(kind):  # the characters predicted, as text
        return "".join(text[i + 1] for i in np.flatnonzero(kinds[kind]))

    assert predicted("closing brackets") == ")]"
    assert predicted("closing quotes") == '"'  # the one that ends "ab", not the one opening it
    assert predicted("inside strings") == '"ab"'
    assert predicted("after indentation") == "y"
    bits = np.arange(len(text) - 1, dtype=float)
    by = bits_by_kind(bits, text)
    assert by["all"] == pytest.approx(bits.mean())
    assert by["closing brackets"] == pytest.approx(bits[kinds["closing brackets"]].mean())
