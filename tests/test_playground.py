"""The playground: input validation, reproducible HTML, and the page's numbers against numpy.

The browser tests run the page's own ``wbRun`` in headless Chromium and compare every array
it returns with numpy's forward pass (and with ``run_whatif`` for forced gates) to 1e-9.
``test_a_swapped_gate_fails_the_check`` shows the comparison catching a page whose weights
are wrong on purpose.
"""

from __future__ import annotations

import base64
import functools
import re

import numpy as np
import pytest
from playground_checks import open_playground, run, text_sizes

from whiteboard import pretrained
from whiteboard.analysis.attribution import word_attribution
from whiteboard.analysis.whatif import Override, run_whatif
from whiteboard.cells import CELL_GATES
from whiteboard.training.story import LECTURE_STORY, encode_story, make_stories, story_vocab
from whiteboard.viz.playground import MODELS, Playground, _encode, gate_spec, playable, playground

TOL = 1e-9

# ---- validation and HTML -----------------------------------------------------------------


@pytest.mark.parametrize("call, error, match", [
    (lambda: playground(("story_rnn", "nope")), ValueError,
     "no choice called 'nope'; the choices are story_rnn, story_lstm, story_gru"),
    (lambda: playground(()), ValueError, "at least one of: story_rnn"),
    (lambda: playground(("story_rnn", "story_rnn")), ValueError, "twice"),
    (lambda: playground("story_rnn"), TypeError, "list or tuple of names, got str"),
    (lambda: playground((3,)), TypeError, "must hold strings, got int"),
    (lambda: playground(story=None), TypeError, "story must be a string, got NoneType"),
    (lambda: playground(story=["Alice"]), TypeError, "story must be a string, got list"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_every_story_network_is_playable():
    assert set(MODELS) <= set(playable())
    assert set(playable()) == {n for n in pretrained.names()
                               if pretrained.recipe(n)["task"] == "story"}
    assert any(pretrained.recipe(n)["embed"] for n in playable())  # embedded ones too


def test_html_is_reproducible_and_ids_follow_the_content():
    a, b = playground().to_html(), playground().to_html()
    assert a == b
    assert playground()._repr_html_() == a
    other = playground(story="Ana lives in Spain . she speaks")
    assert other.uid != playground().uid
    assert re.fullmatch(r"wbg[0-9a-f]{12}", playground().uid)
    assert a.startswith('<div class="wb-playground"') and "<textarea" in a
    assert "src=" not in a and "http:" not in a and "https:" not in a and "import(" not in a


def test_the_story_is_escaped():
    html = playground(story="</textarea><script>alert(1)</script>").to_html()
    assert "&lt;/textarea&gt;&lt;script&gt;" in html and "alert(1)</script>" not in html


def test_embedded_weights_are_exactly_the_stored_ones():
    pg = playground()
    for rec in pg.data["models"]:
        net = pretrained.load(rec["name"])
        arrays = {**net.core.parameters(), "V": net.readout.V, "c": net.readout.c}
        assert set(rec["weights"]) == set(arrays) - {"E"}
        for key, w in rec["weights"].items():
            got = np.frombuffer(base64.b85decode(w["data"]), "<" + w["dtype"])
            assert np.array_equal(got.astype(np.float64), arrays[key].ravel()), key
        assert rec["H"] == 32 and rec["D"] == len(story_vocab())


def test_encode_falls_back_to_float64_when_float32_would_round():
    assert _encode(np.array([0.5, 1.25]))[0] == "f4"
    dtype, data = _encode(np.array([0.1]))
    assert dtype == "f8" and np.frombuffer(base64.b85decode(data), "<f8")[0] == 0.1


def test_the_gate_spec_comes_from_the_cells():
    spec = playground().data["gates"]
    for kind, gates in spec.items():
        assert [(g["name"], g["block"], g["activation"]) for g in gates] == [
            (g.name, g.block, g.activation)
            for g in sorted(CELL_GATES[kind], key=lambda g: g.block)]


def test_the_gates_are_labelled_in_the_lectures_words():
    # The lectures' habits (issue 20): the output gate writes onto the board, the input gate
    # reads the candidate in; the GRU's reset gate writes and its update gate does the rest.
    labels = {(kind, g["name"]): g["label"]
              for kind, gates in gate_spec(["lstm", "gru"]).items() for g in gates}
    assert labels[("lstm", "o")] == "output gate, selective write"
    assert labels[("lstm", "i")] == "input gate, selective read"
    assert labels[("lstm", "f")] == "forget gate, selective forget"
    assert labels[("lstm", "g")].startswith("candidate")
    assert labels[("gru", "r")] == "reset gate, selective write"
    assert labels[("gru", "z")] == "update gate, selective read (1 − z) and forget (z)"
    for kind, gate in labels:
        assert "write" not in labels[(kind, gate)] or gate in ("o", "r")


# ---- the page against numpy --------------------------------------------------------------


@functools.cache
def _net(name):
    return pretrained.load(name)


def _words_and_ids(text):
    """What the page must make of ``text``: its known tokens and ids, and its unknown words."""
    ids, unknown = [], []
    for w in re.findall(r"[^\s.]+|\.", text):
        try:
            ids.append(int(encode_story(w)[0]))
        except ValueError:
            unknown.append(w)
    return ids, unknown


def expected(name, ids, overrides=()):
    """numpy's arrays [word][unit] for ``name`` over ``ids``: h, every gate, c, probs."""
    net = _net(name)
    X = net.inputs(np.asarray(ids, dtype=np.int64)[:, None])
    trace = run_whatif(net.core, X, overrides) if overrides else net.core.forward(X)
    out = {"h": trace.h[:, 0]}
    out.update({g: v[:, 0] for g, v in trace.gates.items()})
    if trace.c is not None:
        out["c"] = trace.c[:, 0]
    z = net.readout.forward(trace.h[:, 0])
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out["probs"] = e / e.sum(axis=1, keepdims=True)
    return out


def check_equal_to_numpy(result, text, overrides=None, models=MODELS):
    """Every array ``wbRun(text, overrides)`` returned equals numpy's to 1e-9; so does each
    model's ``attribution``, ``word_attribution`` for the class it answers, as trained."""
    overrides = overrides or {}
    ids, unknown = _words_and_ids(text)
    assert result["ids"] == ids, "the page tokenises the story differently"
    assert [story_vocab()[i] for i in ids] == result["tokens"]
    assert [u["word"] for u in result["unknown"]] == unknown
    assert set(result["models"]) == set(models)
    for name, got in result["models"].items():
        if not ids:
            assert all(v == [] for v in got.values()), name
            continue
        ovs = [Override(o["gate"], o["value"], o["start"]) for o in overrides.get(name, [])]
        want = expected(name, ids, ovs)
        answer = int(np.argmax(expected(name, ids)["probs"][-1]))
        want["attribution"] = word_attribution(_net(name), ids, answer)
        assert set(got) == set(want), f"{name}: the page shows {sorted(got)}"
        for key, arr in want.items():
            js = np.array(got[key])
            assert js.shape == arr.shape, f"{name} {key}: shape {js.shape} != {arr.shape}"
            err = np.abs(js - arr).max() / max(1, np.abs(arr).max())
            assert err <= TOL, f"{name} {key}: differs from numpy by {err:.3g}"


def _story_text(lag, seed):
    batch = make_stories(1, lag, rng=seed)
    return " ".join(story_vocab()[i] for i in batch.x[:, 0])


STORIES = {
    "lecture": LECTURE_STORY,
    "generated": _story_text(20, 3),
    "unknown word": "Alice lives in Frnace . she likes zebras . She speaks",
    "empty": "",
    "300 words": _story_text(296, 7),
}
OVERRIDES = [
    {},
    {"story_lstm": [{"gate": "f", "value": 0, "start": 5}]},
    {"story_lstm": [{"gate": "g", "value": 1, "start": 0}, {"gate": "i", "value": 0,
                                                          "start": 8}],
     "story_gru": [{"gate": "z", "value": 1, "start": 3}]},
    {"story_gru": [{"gate": "r", "value": 0, "start": 2}, {"gate": "n", "value": 0,
                                                          "start": 10}]},
]


@pytest.fixture(scope="module")
def pg_page(browser, tmp_path_factory):
    page, errors, _ = open_playground(browser, playground().to_html(),
                                      tmp_path_factory.mktemp("pg"))
    yield page
    assert not errors
    page.close()


@pytest.mark.browser
def test_the_story_has_300_words():
    assert len(_words_and_ids(STORIES["300 words"])[0]) == 300


@pytest.mark.browser
@pytest.mark.parametrize("story", STORIES, ids=str)
@pytest.mark.parametrize("k", range(len(OVERRIDES)), ids=lambda k: f"overrides{k}")
def test_every_array_equals_numpy(pg_page, story, k):
    check_equal_to_numpy(run(pg_page, STORIES[story], OVERRIDES[k]), STORIES[story],
                         OVERRIDES[k])


EMBEDDED = ("story_rnn_lag20", "story_lstm_lag20")  # chapter 6's networks: learned embeddings


@pytest.mark.browser
@pytest.mark.parametrize("story", ["lecture", "generated", "unknown word"], ids=str)
def test_networks_with_an_embedding_equal_numpy_too(browser, tmp_path, story):
    page, errors, _ = open_playground(browser, playground(EMBEDDED).to_html(), tmp_path)
    try:
        for ovs in ({}, {"story_lstm_lag20": [{"gate": "f", "value": 0, "start": 6}]}):
            check_equal_to_numpy(run(page, STORIES[story], ovs), STORIES[story], ovs,
                                 models=EMBEDDED)
        assert not errors
    finally:
        page.close()


@pytest.mark.browser
def test_a_swapped_gate_fails_the_check(browser, tmp_path):
    """A page whose LSTM has its i and f weights swapped must fail the comparison."""
    pg = Playground(MODELS, LECTURE_STORY)
    rec = next(r for r in pg.data["models"] if r["kind"] == "lstm")
    blocks = {g.name: g.block for g in CELL_GATES["lstm"]}
    w = rec["weights"]["weight_hh_l0"]
    W = np.frombuffer(base64.b85decode(w["data"]), "<" + w["dtype"]).reshape(4 * 32, 32).copy()
    a, b = (slice(blocks[g] * 32, (blocks[g] + 1) * 32) for g in ("i", "f"))
    W[a], W[b] = W[b].copy(), W[a].copy()
    w["dtype"], w["data"] = _encode(W)
    page, errors, _ = open_playground(browser, pg.to_html(), tmp_path)
    try:
        result = run(page, LECTURE_STORY, {})
        with pytest.raises(AssertionError, match="story_lstm .*differs from numpy"):
            check_equal_to_numpy(result, LECTURE_STORY)
        assert not errors
    finally:
        page.close()


@pytest.mark.browser
def test_a_wrong_attribution_fails_the_check(browser, tmp_path):
    """A page whose why-this-answer reads the gradient of the wrong part must fail the
    comparison (for the GRU, whose candidate scales its recurrent part by r)."""
    html = playground().to_html()
    old = "s += U[r * D + d] * ws.DP[t * GH + r];"
    assert html.count(old) == 1
    page, errors, _ = open_playground(browser, html.replace(old, old.replace("DP", "DR")),
                                      tmp_path)
    try:
        with pytest.raises(AssertionError, match="story_gru attribution: differs"):
            check_equal_to_numpy(run(page, LECTURE_STORY, {}), LECTURE_STORY)
        assert not errors
    finally:
        page.close()


@pytest.mark.browser
def test_bad_overrides_throw_a_named_error(pg_page):
    for ov, msg in [({"story_rnn": [{"gate": "f", "value": 0, "start": 0}]}, "no gates"),
                    ({"story_lstm": [{"gate": "x", "value": 0, "start": 0}]}, "gates i, f"),
                    ({"nope": []}, "no model called nope"),
                    ({"story_lstm": [{"gate": "f", "value": 2, "start": 0}]}, "[0, 1]")]:
        with pytest.raises(Exception, match=re.escape(msg)):
            run(pg_page, LECTURE_STORY, ov)


# ---- what the reader sees and does -------------------------------------------------------


def _answer(page, name):
    return page.inner_text(f".wb-pg-panel[data-model='{name}'] .wb-pg-answer")


@pytest.mark.browser
def test_typing_a_story_changes_the_answer_and_names_unknown_words(pg_page):
    page = pg_page
    assert _answer(page, "story_lstm").startswith("LSTM: French")
    page.fill(".wb-pg-story", "Ana lives in Spain . she likes to cook . she speaks")
    assert _answer(page, "story_lstm").startswith("LSTM: Spanish")
    assert page.inner_text(".wb-pg-unknown") == ""
    page.fill(".wb-pg-story", "Ana lives in Spian . she speaks")
    note = page.inner_text(".wb-pg-unknown")
    assert "Spian" in note and "Spain" in note and "left out of the run" in note
    assert "names no country" in note and "guess" in note, note
    bars = page.locator(".wb-pg-panel[data-model='story_lstm'] .wb-pg-wy")
    assert bars.count() == 6, "not one why-this-answer bar per word read"
    assert bars.nth(2).get_attribute("aria-label").startswith("word 3 \u201cin\u201d: ")
    page.fill(".wb-pg-story", "")
    assert "no words yet" in _answer(page, "story_rnn")
    page.click(".wb-pg-reset")
    assert page.input_value(".wb-pg-story") == LECTURE_STORY


@pytest.mark.browser
def test_stepping_forcing_and_distractors(pg_page):
    page = pg_page
    page.click(".wb-pg-reset")
    T = len(_words_and_ids(LECTURE_STORY)[0])
    assert page.input_value(".wb-pg-slider") == str(T)  # words count from 1 on the page
    page.click(".wb-pg-prev")
    page.click(".wb-pg-prev")
    assert page.input_value(".wb-pg-slider") == str(T - 2)
    assert f"word {T - 2} of {T}" in page.inner_text(".wb-pg-word")
    page.focus(".wb-pg-next")
    page.keyboard.press("ArrowRight")
    assert page.input_value(".wb-pg-slider") == str(T - 1)
    page.focus(".wb-pg-panel[data-model='story_lstm'] .wb-pg-map[data-map='c']")
    page.keyboard.press("ArrowDown")
    readout = page.inner_text(".wb-pg-readout")
    # units count from 0, as in the book: one step down from the top is unit 1
    assert readout.startswith(f"LSTM c, unit 1, word {T - 1}") and ":" in readout
    page.select_option(".wb-pg-gate", "story_lstm|f")
    page.select_option(".wb-pg-value", "0")
    page.fill(".wb-pg-start", "5")
    assert "with f = 0 from word 5" in _answer(page, "story_lstm")
    assert page.inner_text(".wb-pg-start-word") == "\u201c.\u201d"
    page.select_option(".wb-pg-gate", "")
    before = len(page.input_value(".wb-pg-story").split())
    page.click(".wb-pg-distract")
    page.click(".wb-pg-distract")
    story = page.input_value(".wb-pg-story")
    assert story.endswith("she speaks") and len(story.split()) >= before + 6
    ids, unknown = _words_and_ids(story)
    assert not unknown and page.input_value(".wb-pg-slider") == str(len(ids))
    check_equal_to_numpy(run(page, story, {}), story)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_reads_in_light_and_dark_at_both_widths(browser, tmp_path, scheme, width):
    page, errors, external = open_playground(browser, playground().to_html(), tmp_path,
                                        viewport={"width": width, "height": 900},
                                        color_scheme=scheme)
    try:
        page.fill(".wb-pg-story", "Ana lives in Italy . she speaks")
        assert _answer(page, "story_gru").startswith("GRU:")
        boxes = [page.locator(f".wb-pg-panel[data-model='{n}']").bounding_box() for n in MODELS]
        if width == 390:  # stacked: one above the other, each within the screen
            assert all(b["x"] + b["width"] <= width + 1 for b in boxes)
            assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
        else:  # side by side
            assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]
        sizes = text_sizes(page)
        assert min(sizes) >= 12, f"text smaller than 12 px: {min(sizes)}"
        assert not errors and not external
    finally:
        page.close()


@pytest.mark.browser
def test_the_built_page_runs_the_networks(browser, site):
    """In the HTML book (after `make html`): no errors offline, and numpy's numbers."""
    from reader_checks import check_no_errors_or_missing_files, open_offline

    page, problems = open_offline(browser, f"{site}/book/playground.html")
    try:
        page.wait_for_selector(".wb-playground[data-ready]")
        text = "Maria moved to Poland . she reads a book every night . She speaks"
        check_equal_to_numpy(run(page, text, OVERRIDES[2]), text, OVERRIDES[2])
        page.fill(".wb-pg-story", text)
        assert _answer(page, "story_lstm").startswith("LSTM: Polish")
        check_no_errors_or_missing_files(problems, "book/playground")
    finally:
        page.close()


@pytest.mark.browser
def test_the_legend_names_only_the_gates_on_the_page(browser, tmp_path):
    page, errors, _ = open_playground(browser, playground(EMBEDDED).to_html(), tmp_path)
    try:
        legend = page.inner_text(".wb-pg-legend")
        assert "sigmoid gates (i, f, o)" in legend and "(g, c, h)" in legend, legend
        assert "r, z" not in legend and "g, n" not in legend, legend
        assert not errors
    finally:
        page.close()
    page, errors, _ = open_playground(browser, playground().to_html(), tmp_path)
    try:
        assert "sigmoid gates (i, f, o, r, z)" in page.inner_text(".wb-pg-legend")
    finally:
        page.close()
