"""What the trainer must do, as checks on an open Playwright page.

Each ``check_*`` drives the page (its contract functions, its fields and buttons) and raises
AssertionError with a reason. ``test_trainer.py`` runs them on the real trainer and on pages
broken on purpose, where each one must fail.
"""

from __future__ import annotations

import numpy as np

from whiteboard import GRU, LSTM, RNN
from whiteboard.training.experiments import build
from whiteboard.training.network import SequenceModel
from whiteboard.training.story import (
    COUNTRIES,
    MOVES,
    NAMES,
    SLOTS,
    TAILS,
    TEMPLATES,
    story_vocab,
)

ROOT = ".wb-trainer"
CORES = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def open_trainer(browser, html, tmp_path, **kw):
    """Open ``html`` as a file page, every non-file request aborted and recorded.

    Returns ``(page, problems)``: problems holds the page's JavaScript errors, its console
    errors and the external requests it tried.
    """
    path = tmp_path / "trainer.html"
    path.write_text(f"<!doctype html><meta charset='utf-8'><body>{html}</body>")
    page = browser.new_page(**kw)
    problems = {"errors": [], "console": [], "external": []}
    page.on("pageerror", lambda e: problems["errors"].append(str(e)))
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "blob:"))
               else (problems["external"].append(r.request.url), r.abort()))
    page.goto(path.as_uri())
    page.wait_for_selector(f"{ROOT}[data-ready]")
    return page, problems


def call(page, name, *args):
    """``root[name](*args)`` of the page's first trainer (a Promise is awaited)."""
    return page.evaluate(f"(a) => document.querySelector('{ROOT}').{name}(...a)", list(args))


# ---- the network against numpy ----------------------------------------------------------


def small_net(kind, embed, seed=0):
    """A SequenceModel with D != H (5 and 7), 11 tokens, 4 classes; one-hot or embedded."""
    extra = {"forget_bias": 1.5} if kind == "lstm" else {}
    core = CORES[kind](5 if embed else 11, 7, seed=seed, **extra)
    return SequenceModel(core, 4, vocab_size=11, embed_dim=5 if embed else None, seed=seed)


def as_contract(net, kind):
    return {"kind": kind, "nonlinearity": getattr(net.core, "nonlinearity", None),
            "params": {k: {"shape": list(v.shape), "data": v.ravel().tolist()}
                       for k, v in net.parameters().items()}}


def check_loss_and_grads(page):
    """root.wbLossAndGrads equals numpy's loss_and_grads to 1e-9 (relative) for the RNN, LSTM
    and GRU, embedded and one-hot, B = 3, D != H, and for the IRNN (ReLU, W = I) and the wide
    RNN (H = 37) as experiments.build makes them: the loss and every gradient."""
    rng = np.random.default_rng(4)
    x, y = rng.integers(11, size=(6, 3)), rng.integers(4, size=3)
    nets = [(f"{kind}, {'embedded' if embed else 'one-hot'}", kind, small_net(kind, embed))
            for kind in CORES for embed in (True, False)]
    nets += [(name, "rnn", build("story", name, 0)) for name in ("irnn", "rnn_wide")]
    for what, kind, net in nets:
        loss, grads, _ = net.loss_and_grads(x, y)
        got = call(page, "wbLossAndGrads", as_contract(net, kind), x.tolist(), y.tolist())
        assert abs(got["loss"] - loss) <= 1e-9 * abs(loss), f"{what}: loss {got['loss']}"
        assert set(got["grads"]) == set(grads) - {"x", "h0", "c0"}, f"{what}: keys"
        for key, g in got["grads"].items():
            want = grads[key]
            err = np.abs(np.reshape(g["data"], g["shape"]) - want).max()
            assert err <= 1e-9 * np.abs(want).max(), f"{what}: {key} differs by {err:.2e}"


# ---- stories ----------------------------------------------------------------------------


def _fills(words, templates):
    """Whether ``words`` is a run of whole distractor sentences, each one of ``templates``."""
    if not words:
        return True
    for tpl in templates:
        parts = tpl.split()
        head = words[:len(parts)]
        if len(head) == len(parts) and all(
                w in SLOTS[p[1:-1]] if p.startswith("{") else w == p
                for w, p in zip(head, parts, strict=True)):
            if _fills(words[len(parts):], templates):
                return True
    return False


def story_problem(words, answer, lag):
    """Why ``words`` (with class ``answer``) is not a story of the task at ``lag``, or None."""
    if len(words) != 4 + lag:
        return f"{len(words)} words, not 4 + lag = {4 + lag}"
    if words[0] not in NAMES or tuple(words[1:3]) not in MOVES:
        return f"it does not open with a name and a move: {words[:3]}"
    if words[3] not in COUNTRIES or COUNTRIES.index(words[3]) != answer:
        return f"word 4 is {words[3]!r} but the answer is class {answer}"
    if words[-2:] != ["she", "speaks"]:
        return f"it ends with {words[-2:]}"
    middle = words[4:-2]
    for tails in TAILS.values():
        for tail in tails:
            n = len(tail)
            if list(middle[:n]) == list(tail) and middle[n:n + 1] == ["."] and \
                    _fills(middle[n + 1:], TEMPLATES):
                return None
    return f"the words between the country and 'she speaks' are no tail and sentences: {middle}"


def check_stories(page, lags=(3, 5, 20, 80), batch=40):
    """Every story of root.wbStories decodes to a valid story of its lag with the right answer."""
    vocab = story_vocab()
    for lag in lags:
        for seed in (0, 1):
            got = call(page, "wbStories", lag, batch, seed)
            x, y = np.array(got["x"]), got["y"]
            assert x.shape == (4 + lag, batch) and len(y) == batch, f"lag {lag}: {x.shape}"
            for b in range(batch):
                problem = story_problem([vocab[i] for i in x[:, b]], y[b], lag)
                assert problem is None, f"lag {lag}, seed {seed}, story {b}: {problem}"
        assert len(set(map(tuple, x.T.tolist()))) > batch // 2, f"lag {lag}: stories repeat"


# ---- training -----------------------------------------------------------------------------


def check_learns(page, lag=20):
    """At lag 20 with the page's defaults (5 seeds, the sweep's learning rates and budget):
    the LSTM reaches >= 0.95 held-out accuracy on >= 4 of 5 seeds, the RNN stays <= 0.5."""
    result = call(page, "wbTrain", {"models": ["rnn", "lstm"], "lag": lag})
    lstm = [r["accuracy"] for r in result["models"]["lstm"]]
    rnn = [r["accuracy"] for r in result["models"]["rnn"]]
    assert len(lstm) == len(rnn) == 5, result
    assert sum(a >= 0.95 for a in lstm) >= 4, f"the LSTM learned on too few seeds: {lstm}"
    assert max(rnn) <= 0.5, f"the RNN learned the lag-{lag} task: {rnn}"
    return result


VARIANT_LABELS = ["RNN", "RNN, orthogonal start", "IRNN (ReLU, identity start)",
                  "RNN, wide (37 units)", "RNN, curriculum", "LSTM, forget bias 3",
                  "LSTM, forget bias 0", "LSTM, forget bias 3, curriculum", "GRU"]


def check_variants_train(page):
    """The picker offers the nine models by name; the RNN variants and the LSTM on a
    curriculum train in the page's workers at lag 5 (one seed, 300 steps): none diverges, the
    orthogonal, identity and wide RNNs and the curriculum LSTM reach 0.95, and a curriculum's
    heatmap names its grey."""
    labels = page.eval_on_selector_all(".wb-tr-model", "bs => bs.map(b => b.parentElement"
                                                      ".textContent.trim())")
    assert labels == VARIANT_LABELS, f"the picker shows {labels}"
    models = ["rnn_orth", "irnn", "rnn_wide", "rnn_curriculum", "lstm_curriculum"]
    result = call(page, "wbTrain", {"models": models, "lag": 5, "seeds": 1, "steps": 300})
    runs = {m: result["models"][m][0] for m in models}
    assert not any(r["diverged"] for r in runs.values()), runs
    assert all(runs[m]["accuracy"] >= 0.95 for m in models if m != "rnn_curriculum"), runs
    caption = page.inner_text(".wb-tr-panel[data-model='rnn_curriculum'] [data-chart='grad']")
    assert "grey: past the end of the curriculum's shorter stories" in caption, caption
    return result


# ---- the page as a reader uses it --------------------------------------------------------

BAD = [("lag", "0", "The lag must be a whole number from 5 to 80"),
       ("lag", "500", "The lag must be a whole number from 5 to 80"),
       ("steps", "0", "The number of steps must be a whole number"),
       ("lr", "NaN", "The learning rate must be a number above 0"),
       ("lr", "fast", "The learning rate must be a number above 0")]


def check_bad_settings(page, problems):
    """Each bad setting (lag 0 or 500, steps 0, a learning rate of NaN or text) gets a message
    on the page when the reader presses Train, starts nothing, and logs no error."""
    for field, value, message in BAD:
        page.click(".wb-tr-reset")
        page.fill(f".wb-tr-{field}", value)
        page.click(".wb-tr-train")
        page.wait_for_timeout(300)
        shown = page.inner_text(".wb-tr-message")
        assert message in shown, f"{field} = {value!r}: the page says {shown!r}"
        assert page.inner_text(".wb-tr-panels") == "", f"{field} = {value!r} started training"
        page.fill(f".wb-tr-{field}", {"lag": "20", "steps": "3000", "lr": ""}[field])
    assert not problems["errors"] and not problems["console"], problems


def check_no_request_leaves(problems):
    assert not problems["external"], f"requests beyond the page's files: {problems['external']}"
