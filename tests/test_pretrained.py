"""whiteboard.pretrained: the stored networks are exactly their files, and the recipes work.

The chapters load these networks instead of training them, so that every machine prints the
same numbers.  What the book teaches is the recipe, so the last test re-runs every recipe and
checks that the network it trains is as good as the recorded one.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_cli import cli

from whiteboard import pretrained
from whiteboard.training.language import CharLM
from whiteboard.training.network import SequenceModel
from whiteboard.training.story import LECTURE_STORY, encode_story

NAMES = pretrained.names()
STORY = [n for n in NAMES if pretrained.recipe(n)["task"] == "story"]
TEXT = [n for n in NAMES if pretrained.recipe(n)["task"] == "python"]


def test_the_chapters_networks_are_all_stored():
    for name in ("story_rnn", "story_lstm", "story_gru", "story_lstm_lag20", "story_rnn_lag20",
                 "story_rnn_lag10", "story_rnn_mixed", "python_rnn", "python_lstm",
                 "python_gru"):
        assert name in NAMES
        assert (pretrained.DIRECTORY / f"{name}.npz").is_file()
        assert (pretrained.DIRECTORY / f"{name}.json").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_load_gives_exactly_the_stored_weights_with_the_recorded_shapes(name):
    net = pretrained.load(name)
    assert isinstance(net, CharLM if name in TEXT else SequenceModel)
    rec = pretrained.record(name)
    params = net.parameters()
    assert {k: list(v.shape) for k, v in params.items()} == rec["shapes"]
    with np.load(pretrained.DIRECTORY / f"{name}.npz") as data:
        stored = {k[len("weight."):]: data[k] for k in data.files if k.startswith("weight.")}
    assert set(stored) == set(params)
    for key, value in stored.items():
        assert params[key].dtype == np.float64
        # bit for bit: the float32 (float16) file values, widened exactly
        assert np.array_equal(params[key], value.astype(np.float64)), key
    # the core's state_dict (PyTorch's keys) holds the same arrays
    for key, value in net.core.state_dict().items():
        assert np.array_equal(value, stored[key])


@pytest.mark.parametrize("name", NAMES)
def test_the_record_matches_the_recipe_in_the_code(name):
    rec = pretrained.record(name)
    assert rec["recipe"] == pretrained.recipe(name), (
        f"{name}'s files were made by another recipe: run `python -m whiteboard pretrain {name}`")
    skill = ("bits_per_char", "accuracy", "corpus") if name in TEXT else ("test_accuracy",
                                                                           "by_lag")
    for key in ("command", "date", "versions", "steps_run", "seconds", *skill):
        assert key in rec
    assert rec["command"].startswith("python -m whiteboard pretrain")


@pytest.mark.parametrize("name", STORY)
def test_the_recorded_accuracy_is_the_loaded_networks(name):
    got = pretrained.evaluate_recipe(name, pretrained.load(name))
    assert got["test_accuracy"] == pytest.approx(pretrained.record(name)["test_accuracy"],
                                                 abs=1e-3)


@pytest.mark.parametrize("name", TEXT)
def test_the_recorded_bits_per_character_are_the_loaded_networks(name):
    got = pretrained.evaluate_recipe(name, pretrained.load(name))
    rec = pretrained.record(name)
    assert got["bits_per_char"] == pytest.approx(rec["bits_per_char"], abs=1e-4)
    assert got["accuracy"] == pytest.approx(rec["accuracy"], abs=1e-4)


def test_the_language_models_are_a_fair_fight_and_small():
    counts = [sum(v.size for v in pretrained.load(n).parameters().values()) for n in TEXT]
    assert max(counts) <= 1.01 * min(counts), counts
    size = sum((pretrained.DIRECTORY / f"{n}.{e}").stat().st_size for n in TEXT
               for e in ("npz", "json"))
    assert size <= 1_500_000


@pytest.mark.parametrize("name", TEXT)
def test_the_corpus_of_a_language_model_is_recorded(name):
    import platform

    from whiteboard.training.text import STDLIB_MODULES, stdlib_corpus

    corpus = pretrained.record(name)["corpus"]
    assert corpus["modules"] == list(STDLIB_MODULES)
    assert len(corpus["sha256"]) == 64 and corpus["chars"] > 1_000_000
    if corpus["python"] != platform.python_version():
        pytest.skip(f"trained on Python {corpus['python']}'s library, this is "
                    f"{platform.python_version()}")
    assert stdlib_corpus().sha256 == corpus["sha256"]


def test_history_comes_with_the_network():
    net = pretrained.load("story_lstm_lag20")
    hist = net.history
    assert hist["steps_run"] == pretrained.record("story_lstm_lag20")["steps_run"]
    assert len(hist["loss"]) == len(hist["step"]) == hist["steps_run"]
    assert hist["eval_step"][-1] == hist["steps_run"]
    assert len(hist["eval_accuracy"]) == len(hist["eval_step"])


def test_recipe_is_a_copy():
    r = pretrained.recipe("story_rnn")
    r["lr"] = 123.0
    r["lags"].append(99)
    assert pretrained.recipe("story_rnn")["lr"] != 123.0
    assert pretrained.recipe("story_rnn")["lags"] == [3, 12]


@pytest.mark.parametrize("fn", [pretrained.load, pretrained.recipe, pretrained.record,
                                pretrained.train, pretrained.history])
def test_unknown_names_are_named(fn):
    with pytest.raises(ValueError, match="story_rnn"):
        fn("story_rnm")
    with pytest.raises(TypeError, match="name must be one of 'story_rnn'"):
        fn(3)


def test_the_lectures_sentence_runs_through_every_story_network():
    x = encode_story(LECTURE_STORY)[:, None]
    for name in STORY:
        z, _ = pretrained.load(name).forward(x)
        assert z.shape == (1, 8) and np.all(np.isfinite(z))


def test_cli_pretrain_names_unknown_networks():
    r = cli("pretrain", "nope")
    assert r.returncode == 2
    assert "nope" in r.stderr and "story_rnn" in r.stderr
    assert "pretrain" in cli("--help").stdout


# Recipes of a few seconds are retrained here; the mixed-lag LSTM and GRU (tens of seconds
# each) and the language models of Python source (minutes each) by `make bench`
# (benchmarks/bench_pretrained.py prints retrained beside recorded).
QUICK = [n for n in STORY if n not in ("story_lstm", "story_gru")]


@pytest.mark.slow
@pytest.mark.parametrize("name", QUICK)
def test_the_recipe_trains_a_network_as_good_as_the_recorded_one(name):
    # On another CPU or BLAS the weights differ in their digits; the skill must not.
    net = pretrained.train(name)
    got = pretrained.evaluate_recipe(name, net)["test_accuracy"]
    recorded = pretrained.record(name)["test_accuracy"]
    assert abs(got - recorded) <= 0.03, f"{name}: retrained {got:.4f}, recorded {recorded:.4f}"


def test_retraining_a_stored_network_gives_its_stored_bytes():
    """The one training path trains what the stored file holds, to the last bit.

    story_rnn_lag20 is seed 0 of chapter 6's sweep (3000 steps, a few seconds): its recipe,
    re-run through :func:`whiteboard.training.experiments.train_and_test`, gives the very
    float32 bytes of its .npz and the stored loss history.
    """
    name = "story_rnn_lag20"
    net = pretrained.train(name)
    stored = np.load(pretrained.DIRECTORY / f"{name}.npz")
    for key, value in net.parameters().items():
        assert value.astype(np.float32).tobytes() == stored[f"weight.{key}"].tobytes(), key
    assert (np.asarray(net.history["loss"], np.float32).tobytes()
            == stored["history.loss"].tobytes())


@pytest.mark.parametrize("name", [n for n in STORY
                                  if len(set(pretrained.recipe(n)["lags"])) == 1])
def test_a_fixed_lag_network_is_its_cell_of_the_committed_sweep(name):
    """Chapter 6 says so: the stored run is seed N of results/story_fair_sweep.json, at the
    rate the sweep's search chose, with the same test accuracy and the same steps."""
    from whiteboard.training.experiments import load_result

    r, rec = pretrained.recipe(name), pretrained.record(name)
    sweep = load_result("story_fair_sweep.json")
    row = next(x for x in sweep["results"] if x["lag"] == r["lags"][0] and x["model"] == r["model"])
    i = row["seeds"].index(r["seed"])
    assert r["lr"] == row["lr"]
    assert rec["test_accuracy"] == pytest.approx(row["accuracy"][i], abs=1e-4)
    assert rec["steps_run"] == row["steps_run"][i]
    for key in ("hidden", "embed", "batch", "steps", "clip", "eval_every", "stop_at"):
        assert r[key] == sweep["setup"][key], key
    if r["model"] == "lstm":
        assert r["forget_bias"] == sweep["setup"]["forget_bias"]


def test_the_mixed_lag_network_is_seed_0_of_the_committed_mixed_sweep():
    """Chapter 6 opens up story_rnn_mixed as the RNN of results/story_mixed_lags.json."""
    from whiteboard.training.experiments import load_result

    r, rec = pretrained.recipe("story_rnn_mixed"), pretrained.record("story_rnn_mixed")
    mixed = load_result("story_mixed_lags.json")
    assert r["lags"] == mixed["train_range"] and r["seed"] == 0
    for row in mixed["results"]:
        if row["model"] == "rnn" and row["lag"] <= r["lags"][1]:
            assert row["lr"] == r["lr"]
            assert rec["by_lag"][str(row["lag"])] == pytest.approx(row["accuracy"][0], abs=1e-4)
