"""The trainer: input validation, reproducible HTML, and the page against numpy in Chromium.

The browser checks (``trainer_checks``) run the page's contract functions and its controls;
``test_each_check_fails_on_a_broken_page`` shows each of them failing on a page broken on
purpose in the one way it guards against.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from js_bridge import node_eval
from trainer_checks import (
    check_bad_settings,
    check_learns,
    check_loss_and_grads,
    check_no_request_leaves,
    check_stories,
    check_variants_train,
    open_trainer,
)

from whiteboard.models.rnn import IRNN_INPUT_STD
from whiteboard.training.experiments import MODELS, build, curriculum_lag, load_result
from whiteboard.training.variants import CURRICULUM_START, ModelSpec
from whiteboard.viz.trainer import LAGS, Trainer, model_specs, sweep_lr, trainer

# ---- validation and HTML -----------------------------------------------------------------


@pytest.mark.parametrize("call, error, match", [
    (lambda: trainer(("rnn", "nope")), ValueError, "no choice called 'nope'"),
    (lambda: trainer(()), ValueError, "at least one of: rnn"),
    (lambda: trainer("rnn"), TypeError, "list or tuple of names, got str"),
    (lambda: trainer(lag=0), ValueError, "lag must be a positive integer"),
    (lambda: trainer(lag=500), ValueError, "lag must be from 5 to 80, got 500"),
    (lambda: trainer(lag=20.0), TypeError, "lag must be a positive integer, got float"),
    (lambda: trainer(seeds=6), ValueError, "seeds must be from 1 to 5, got 6"),
    (lambda: trainer(steps=0), ValueError, "steps must be a positive integer"),
    (lambda: trainer(steps=10**6), ValueError, "steps must be from 1 to 20000"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_models_are_the_experiments_with_the_sweeps_rates():
    specs = model_specs()
    assert list(specs) == list(MODELS)  # all nine: the page builds every variant
    assert specs["lstm"]["forget_bias"] == 3.0 and specs["lstm_fb0"]["forget_bias"] == 0.0
    assert specs["rnn"]["lr"]["20"] == 0.001 and specs["lstm"]["lr"]["20"] == 0.03
    assert specs["lstm_fb0"]["lr_from"] == "lstm" and specs["gru"]["lr_from"] == "gru"
    assert [specs[m]["label"] for m in ("rnn_orth", "irnn", "rnn_wide", "rnn_curriculum")] == [
        "RNN, orthogonal start", "IRNN (ReLU, identity start)", "RNN, wide (37 units)",
        "RNN, curriculum"]
    assert trainer().models == ("rnn", "lstm")


def test_each_models_rate_is_the_fair_sweeps_choice():
    """Every lag the fair sweep searched a model at gives the page that choice; a model it
    never searched (the ablation lstm_fb0) takes its lr_from's; and nothing else is offered."""
    sweep = load_result("story_fair_sweep.json")
    chosen = sweep["lr_search"]["chosen"]
    for name, spec in model_specs().items():
        source = name if any(name in c for c in chosen.values()) else MODELS[name].lr_from
        assert spec["lr_from"] == source, name
        assert spec["lr"] == {lag: c[source] for lag, c in chosen.items() if source in c}, name
        assert {r["lr"] for r in sweep["results"] if r["model"] == name} <= set(
            spec["lr"].values()), f"{name}: the sweep trained with another rate"
    assert set(model_specs()["rnn"]["lr"]) == {"5", "10", "20", "40"}  # 60 and 80: not searched
    assert model_specs()["irnn"]["lr"]["80"] == chosen["80"]["irnn"]


def test_each_model_is_built_as_the_experiments_build_it():
    """H (37 for the wide RNN), the start, the nonlinearity and the schedule of every model
    equal those of experiments.build and the model's spec."""
    for name, spec in model_specs().items():
        core = build("story", name, 0).core
        assert spec["hidden"] == core.hidden_size, name
        assert spec["kind"] == core.kind and spec["curriculum"] == MODELS[name].curriculum
        assert spec["init"] == getattr(core, "init", "uniform"), name
        assert spec["nonlinearity"] == getattr(core, "nonlinearity", None), name
        assert spec["forget_bias"] == getattr(core, "forget_bias", None), name
        assert spec["input_std"] == (IRNN_INPUT_STD if spec["init"] == "identity" else None)
    assert model_specs()["rnn_wide"]["hidden"] == 37


def test_a_model_not_searched_borrows_and_one_the_page_cannot_build_is_left_out(monkeypatch):
    """With a sweep that searched only the RNN and the LSTM, the ablation and every variant
    take the LSTM's rate; a model whose start init.js does not know is not offered."""
    odd = {"lr_search": {"chosen": {"20": {"rnn": 0.001, "lstm": 0.03}}}}
    specs = model_specs(sweep=odd)
    assert specs["rnn"]["lr"] == {"20": 0.001}
    assert all(specs[m]["lr"] == {"20": 0.03} and specs[m]["lr_from"] == "lstm"
               for m in specs if m != "rnn")
    monkeypatch.setitem(MODELS, "rnn_zero", ModelSpec("RNN", {"init": "zeros"}))
    monkeypatch.setitem(MODELS, "rnn_deep", ModelSpec("RNN", {"layers": 2}))
    assert list(model_specs(sweep=odd)) == list(specs)


def test_the_rates_python_prints_are_the_ones_the_page_picks():
    """sweep_lr (what the page's text prints) equals trainer_app.js's wbSweepRate at every
    lag the page offers, for every model; ties go to the shorter searched lag."""
    specs, lags = model_specs(), list(range(LAGS[0], LAGS[1] + 1))
    got = node_eval(["trainer_app.js"], "input.lags.map((lag) => Object.keys(input.specs).map("
                    "(m) => wbSweepRate(input.specs[m], lag)))",
                    {"specs": specs, "lags": lags})
    assert got == [[sweep_lr(specs[m], lag)[0] for m in specs] for lag in lags]
    assert sweep_lr(specs["rnn"], 15) == (0.003, 10) and sweep_lr(specs["rnn"], 30) == (0.001, 20)


def test_html_is_reproducible_offline_and_ids_follow_the_content():
    a, b = trainer().to_html(), trainer().to_html()
    assert a == b and trainer()._repr_html_() == a
    assert trainer(lag=30).uid != trainer().uid
    assert re.fullmatch(r"wbt[0-9a-f]{12}", trainer().uid)
    assert a.startswith('<div class="wb-trainer"')
    assert "src=" not in a and "http:" not in a and "https:" not in a and "import(" not in a
    assert repr(trainer(compact=True)) == ("Trainer(models=('rnn', 'lstm'), lag=20, seeds=5, "
                                           "steps=3000, compact)")
    assert isinstance(trainer(), Trainer)


def test_the_node_tests_data_is_the_trainers():
    fixture = Path(__file__).parent / "js" / "trainer_data.json"
    assert json.loads(fixture.read_text()) == json.loads(json.dumps(trainer().data)), (
        "tests/js/trainer_data.json is stale: write trainer().data into it again")


def curriculum_cases() -> dict:
    """experiments.curriculum_lag at chosen steps of several (budget, target lag) pairs, for
    tests/js/variants.test.js: every step of a short budget, and of a long one its first
    steps, a step every 2 % of the budget and the steps around the ramp's end and the last."""
    cases = []
    for steps, target in [(3000, 20), (3000, 80), (3000, 5), (3000, 3), (1, 20), (2, 20),
                          (3, 40), (4, 7), (7, 11), (101, 80), (999, 37), (20000, 80)]:
        ramp = max(1, steps // 2)
        at = set(range(1, steps + 1)) if steps <= 60 else set(range(1, steps + 1, steps // 50))
        at |= {n for n in (2, 3, ramp - 1, ramp, ramp + 1, steps - 1, steps) if 1 <= n <= steps}
        at = sorted(at)
        cases.append({"steps": steps, "target": target, "at": at,
                      "lag": [curriculum_lag(n, steps, target) for n in at]})
    return {"start": CURRICULUM_START, "cases": cases}


def test_the_node_tests_curriculum_is_pythons():
    fixture = Path(__file__).parent / "js" / "curriculum_data.json"
    assert json.loads(fixture.read_text()) == curriculum_cases(), (
        "tests/js/curriculum_data.json is stale: write curriculum_cases() into it again")
    assert trainer().data["setup"]["curriculum_start"] == CURRICULUM_START


def test_the_page_weighs_under_400_kb():
    assert len(trainer().to_html().encode()) <= 400_000


# ---- in the browser -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def tr_page(browser, tmp_path_factory):
    page, problems = open_trainer(browser, trainer().to_html(), tmp_path_factory.mktemp("tr"))
    yield page, problems
    page.close()


@pytest.mark.browser
def test_loss_and_every_gradient_equal_numpy(tr_page):
    check_loss_and_grads(tr_page[0])


@pytest.mark.browser
def test_every_story_is_a_valid_story_of_its_lag(tr_page):
    check_stories(tr_page[0])


@pytest.mark.browser
def test_bad_settings_get_a_message_and_no_error(tr_page):
    check_bad_settings(*tr_page)


@pytest.mark.browser
def test_the_variants_are_offered_and_train(tr_page):
    page, problems = tr_page
    check_variants_train(page)
    assert not problems["errors"] and not problems["console"], problems


@pytest.mark.browser
def test_the_contract_names_bad_input(tr_page):
    page = tr_page[0]
    for expr, msg in [("r.wbStories(0, 2, 1)", "lag must be a whole number from 3 to 1000"),
                      ("r.wbStories(20, 0, 1)", "batch must be a whole number >= 1"),
                      ("r.wbLossAndGrads({kind: 'cnn', params: {}}, [[1]], [0])",
                       "net.kind must be one of"),
                      ("r.wbTrain({lag: 500})", "The lag must be a whole number from 5 to 80")]:
        with pytest.raises(Exception, match=re.escape(msg)):
            page.evaluate(f"async () => {{ const r = document.querySelector('.wb-trainer'); "
                          f"return await {expr}; }}")


@pytest.mark.browser
@pytest.mark.slow
def test_the_lstm_learns_and_the_rnn_does_not_at_lag_20(tr_page):
    page, problems = tr_page
    result = check_learns(page)
    assert all(r["step"] <= 3000 for rs in result["models"].values() for r in rs)
    table = page.inner_text(".wb-tr-results")
    assert "Held-out accuracy of each run" in table and "reached 0.99" in table
    assert page.inner_text(".wb-tr-status").startswith("Done: 10 runs in")
    check_no_request_leaves(problems)
    assert not problems["errors"] and not problems["console"], problems


# Pages broken on purpose: the check that must catch each, and what is changed.
BROKEN = [
    ("loss and grads", "DR[d + F + j] = dc * cPrev", "DR[d + F + j] = -dc * cPrev"),
    ("loss and grads", "i[at + j] = wbSigmoid(P[p + I + j] + R[I + j]);",
     "i[at + j] = wbSigmoid(P[p + F + j] + R[F + j]);"),
    ("stories", "ids.push.apply(ids, tail);\nids.push(task.stop);",
     "ids.push(task.stop);\nids.push.apply(ids, tail);"),
    ("loss and grads", "relu: function (y) { return y > 0 ? 1 : 0; }",
     "relu: function (y) { return y > 0 ? -1 : 0; }"),
    ("variants", "relu: function (y) { return y > 0 ? 1 : 0; }",
     "relu: function (y) { return y > 0 ? -1 : 0; }"),
    ("variants", '<label><input type="checkbox" class="wb-tr-model" value="irnn"> IRNN (ReLU, '
     'identity start)</label>', ""),
    ("bad settings", 'whole("lag", data.lags[0], data.lags[1], "The lag");', ""),
    ("learns", '"forget_bias":null,"hidden":16,"init":"uniform","input_std":null,"kind":"rnn",'
     '"label":"RNN","lr":{"10":0.003,"20":0.001',
     '"forget_bias":3.0,"hidden":16,"init":"uniform","input_std":null,"kind":"lstm",'
     '"label":"RNN","lr":{"10":0.003,"20":0.03'),
]
CHECKS = {"loss and grads": lambda page, problems: check_loss_and_grads(page),
          "stories": lambda page, problems: check_stories(page),
          "bad settings": check_bad_settings,
          "learns": lambda page, problems: check_learns(page),
          "variants": lambda page, problems: check_variants_train(page)}


@pytest.mark.browser
@pytest.mark.parametrize("name, old, new", BROKEN, ids=[f"{b[0]}: {b[2][:24]}" for b in BROKEN])
def test_each_check_fails_on_a_broken_page(browser, tmp_path, name, old, new):
    html = trainer().to_html()
    assert html.count(old) == 1, f"{old!r} is not in the page exactly once"
    page, problems = open_trainer(browser, html.replace(old, new), tmp_path)
    try:
        with pytest.raises(AssertionError):
            CHECKS[name](page, problems)
    finally:
        page.close()


@pytest.mark.browser
def test_the_built_page_trains_over_http(browser, site):
    """In the HTML book (after `make html`): no errors, no missing file, numpy's gradients,
    and a short session that trains."""
    from reader_checks import check_no_errors_or_missing_files, open_offline

    page, problems = open_offline(browser, f"{site}/book/train_it_yourself.html")
    try:
        page.wait_for_selector(".wb-trainer[data-ready]")
        check_loss_and_grads(page)
        result = page.evaluate("(c) => document.querySelector('.wb-trainer').wbTrain(c)",
                               {"models": ["lstm"], "lag": 5, "seeds": 1, "steps": 300})
        assert result["models"]["lstm"][0]["accuracy"] >= 0.95, result
        assert "workers." in page.inner_text(".wb-tr-status"), "no worker started over http"
        check_no_errors_or_missing_files(problems, "book/train_it_yourself")
    finally:
        page.close()
