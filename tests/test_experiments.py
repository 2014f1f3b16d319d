"""Experiments: reproducible runs, fair sweeps, the committed sweep, and chapter 6's figures."""

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from whiteboard.analysis.probes import memory_units, readability
from whiteboard.training.experiments import MODELS, RunSpec, Setup, train_and_test
from whiteboard.training.sweeps import solved, summarize, sweep
from whiteboard.viz.plots.experiments import (
    plot_accuracy_vs_lag,
    plot_fixed_vs_mixed,
    plot_learning_curves,
    plot_mechanism,
    plot_readability,
    plot_unit_traces,
)

ROOT = Path(__file__).resolve().parent.parent
TINY = Setup(steps=20, eval_every=10, val_size=32, test_size=64, lrs=(0.01, 0.03))


def _run(*args):
    """Train and test one run: ``(task, model, lag, seed, lr, setup)``."""
    return train_and_test([RunSpec(*args)])[0]


def _strip_time(result):
    return {k: v for k, v in result.items() if k != "seconds"}


def test_run_is_reproducible():
    a = _run("story", "lstm", 4, 0, 0.01, TINY)
    b = _run("story", "lstm", 4, 0, 0.01, TINY)
    assert _strip_time(a) == _strip_time(b)
    c = _run("story", "lstm", 4, 1, 0.01, TINY)
    assert _strip_time(a) != _strip_time(c)


@pytest.mark.parametrize("task", ["story", "temporal", "adding"])
def test_every_task_runs(task):
    result = _run(task, "rnn", 3, 0, 0.01, TINY)
    assert 0.0 <= result["accuracy"] <= 1.0
    assert result["steps_run"] == 20


def test_sweep_searches_each_lag_and_the_ablation_borrows_the_lstm_rate():
    result = sweep("story", [3, 4], 2, ["rnn", "lstm", "lstm_fb0"], TINY, progress=False)
    search = result["lr_search"]
    assert set(search["chosen"]) == {"3", "4"}
    assert set(search["scores"]["3"]) == {"rnn", "lstm"}  # lstm_fb0 is not searched
    rows = {(r["lag"], r["model"]): r for r in result["results"]}
    for lag in (3, 4):
        assert rows[(lag, "lstm_fb0")]["lr"] == rows[(lag, "lstm")]["lr"]
        for m in ("rnn", "lstm"):
            assert rows[(lag, m)]["lr"] == search["chosen"][str(lag)][m] in TINY.lrs
            assert rows[(lag, m)]["seeds"] == [0, 1]
    assert result["models"]["lstm"]["forget_bias"] == TINY.forget_bias
    assert result["models"]["lstm_fb0"]["forget_bias"] == 0.0
    assert "lag" in summarize(result).splitlines()[0]


def test_extend_trains_only_the_models_that_solve_the_longest_lag():
    lr = {"rnn": 0.03, "lstm": 0.03, "irnn": 0.03}
    result = sweep("story", [3, 4], 2, ["rnn", "irnn", "lstm"], TINY, lr=lr, progress=False,
                   extend=[6])
    rows = {(r["lag"], r["model"]): r for r in result["results"]}
    winners = [m for m in ("rnn", "irnn", "lstm") if 2 * solved(rows[(4, m)]) > 2]
    assert result["extend"]["models"] == winners and result["extend"]["lags"] == [6]
    assert {m for (lag, m) in rows if lag == 6} == set(winners)
    table = summarize(result)
    assert all(line.startswith("6") for line in table.splitlines() if "—" in line)
    small = summarize(result, models=["irnn"], lags=[3]).splitlines()
    assert small[0].split() == ["lag", "irnn"] and len(small) == 2 and small[1].startswith("3")
    with pytest.raises(ValueError, match="not among the lags"):
        sweep("story", [3, 4], 1, ["rnn"], TINY, lr=lr, progress=False, extend=[4])
    with pytest.raises(ValueError, match="mixed lags"):
        sweep("story", [3, 4], 1, ["rnn"], TINY, lr=lr, progress=False, extend=[6],
              train_range=(3, 5))


def test_a_tracked_sweep_keeps_a_track_per_seed():
    result = sweep("story", [5], 2, ["rnn"], TINY, lr={"rnn": 0.01}, progress=False,
                   track=True)
    (row,) = result["results"]
    assert [t["step"] for t in row["track"]] == [[0, 10, 20]] * 2
    with pytest.raises(ValueError, match="regression"):
        sweep("adding", [5], 1, ["rnn"], TINY, lr={"rnn": 0.01}, progress=False, track=True)


def test_parallel_sweep_equals_serial():
    kwargs = dict(lr={"rnn": 0.01, "lstm": 0.01}, progress=False)
    serial = sweep("temporal", [3], 2, ["rnn", "lstm"], TINY, jobs=1, **kwargs)
    parallel = sweep("temporal", [3], 2, ["rnn", "lstm"], TINY, jobs=2, **kwargs)
    assert [r["accuracy"] for r in serial["results"]] == [
        r["accuracy"] for r in parallel["results"]]


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (("story", [2], 1), {}, ValueError, "lags must be integers from 3"),
        (("story", [], 1), {}, ValueError, "lags"),
        (("story", [5], 0), {}, ValueError, "n_seeds must be a positive integer"),
        (("story", [5], 1, ["lstm", "transformer"]), {}, ValueError, "model must be one of"),
        (("poetry", [5], 1), {}, ValueError, "task must be one of"),
        (("story", [5], 1), {"lr": {"rnn": 0.1}}, ValueError, "no learning rate given"),
    ],
)
def test_sweep_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        sweep(*args, setup=TINY, progress=False, **kwargs)


def test_models_table():
    assert {"rnn", "lstm", "lstm_fb0"} <= set(MODELS)


# ---------------------------------------------------------------------------- the committed sweep


def _committed(name):
    path = ROOT / "results" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run the command in the chapter to make it")
    return json.loads(path.read_text())


FAIR = "story_fair_sweep.json"  # chapter 6's sweep: every model, made on this code


@pytest.mark.parametrize("name, models", [
    (FAIR, {"rnn", "rnn_orth", "irnn", "rnn_wide", "rnn_curriculum", "lstm", "lstm_fb0",
            "lstm_curriculum", "gru"}),
    ("story_sweep.json", {"rnn", "lstm", "lstm_fb0"}),  # the same recipe, another BLAS
])
def test_committed_story_sweeps_have_provenance_and_enough_seeds(name, models):
    result = _committed(name)
    assert result["command"].startswith("python -m whiteboard story ")
    for key in ("date", "whiteboard_version", "numpy_version", "wall_seconds", "setup"):
        assert result[key]
    lags = sorted({r["lag"] for r in result["results"]})
    assert len(lags) >= 4 and max(lags) >= 40
    assert models == set(result["models"])
    for row in result["results"]:
        assert len(row["accuracy"]) == 10
        assert row["mean"] == pytest.approx(np.mean(row["accuracy"]), abs=1e-4)


def test_the_fair_sweep_extends_exactly_the_models_that_solve_lag_40():
    result = _committed(FAIR)
    rows = {(r["lag"], r["model"]): r for r in result["results"]}
    winners = [m for m in result["models"] if 2 * solved(rows[(40, m)]) > 10]
    assert result["extend"]["models"] == winners and result["extend"]["lags"] == [60, 80]
    assert {m for (lag, m) in rows if lag > 40} == set(winners)


@pytest.mark.parametrize("name", [FAIR, "story_sweep.json"])
def test_committed_command_gives_the_stored_setup(name):
    from whiteboard.__main__ import build_parser

    result = _committed(name)
    argv = result["command"].split()[3:]
    args = build_parser().parse_args(argv)
    setup = result["setup"]
    assert sorted(args.lags + (args.extend or [])) == sorted({r["lag"] for r in result["results"]})
    assert args.hidden == setup["hidden"] and args.steps == setup["steps"]
    assert args.forget_bias == setup["forget_bias"] and list(args.lrs) == setup["lrs"]
    assert args.models == list(result["models"])


def _setup_from(result):
    fields = dict(result["setup"])
    fields["lrs"] = tuple(fields["lrs"])
    return Setup(**fields)


@pytest.mark.parametrize("model, seed", [("lstm", 3), ("irnn", 0), ("lstm_curriculum", 2)])
def test_one_cell_of_the_committed_sweep_reproduces_exactly(model, seed):
    """Re-train one (lag, model, seed) of the committed sweep: the same test accuracy.

    Each cell is a run at lag 20 that stops after 200 to 300 steps (a few seconds).
    """
    result = _committed(FAIR)
    row = next(r for r in result["results"] if r["model"] == model and r["lag"] == 20)
    i = row["seeds"].index(seed)
    again = _run("story", model, row["lag"], seed, row["lr"], _setup_from(result))
    assert again["accuracy"] == row["accuracy"][i]
    assert again["steps_run"] == row["steps_run"][i]
    assert again["per_class"] == row["per_class"][i]


def test_the_tracked_runs_are_the_sweep_s_runs_and_one_reproduces():
    """story_mechanism.json trained the fair sweep's lag-20 runs again, measuring as they
    trained: the same accuracies; and its seed-0 LSTM (200 steps) gives the same track."""
    from whiteboard.training.tracking import train_and_track

    mech, fair = _committed("story_mechanism.json"), _committed(FAIR)
    rows = {(r["lag"], r["model"]): r for r in fair["results"]}
    for row in mech["results"]:
        again = rows[(row["lag"], row["model"])]
        assert row["lr"] == again["lr"]
        assert row["accuracy"] == again["accuracy"] and row["steps_run"] == again["steps_run"]
        assert len(row["track"]) == 10
    row = next(r for r in mech["results"] if r["model"] == "lstm")
    run = RunSpec("story", "lstm", 20, 0, row["lr"], _setup_from(mech))
    (result,) = train_and_track([run])
    assert result["track"] == row["track"][0]


def test_one_cell_of_the_mixed_lag_sweep_reproduces_exactly():
    result = _committed("story_mixed_lags.json")
    rows = [r for r in result["results"] if r["model"] == "rnn"]
    lags = tuple(r["lag"] for r in rows)
    run = RunSpec("story", "rnn", tuple(result["train_range"]), 0, rows[0]["lr"],
                  _setup_from(result), test_lags=lags)
    (again,) = train_and_test([run])
    assert [again["by_lag"][str(lag)] for lag in lags] == [r["accuracy"][0] for r in rows]


@pytest.mark.parametrize("name, task", [("story_lag40_8000_steps.json", "story"),
                                        ("story_mixed_lags.json", "story"),
                                        ("story_mechanism.json", "story"),
                                        ("temporal_order.json", "temporal")])
def test_other_committed_results_have_provenance(name, task):
    from whiteboard.__main__ import build_parser

    result = _committed(name)
    assert result["experiment"] == task
    args = build_parser().parse_args(result["command"].split()[3:])
    assert args.task == task and args.steps == result["setup"]["steps"]
    for row in result["results"]:
        assert len(row["accuracy"]) >= 5


# ---------------------------------------------------------------------------- analysis


def test_readability_of_a_perfect_and_a_blank_memory():
    rng = np.random.default_rng(0)
    labels = np.tile(np.arange(4), 50)
    T, B, H = 6, labels.size, 3
    keeps = np.zeros((T, B, H))
    keeps[:, :, 0] = labels  # unit 0 holds the class at every step
    keeps += 0.01 * rng.standard_normal((T, B, H))
    np.testing.assert_array_equal(readability(keeps, labels, 4), np.ones(T))
    blank = rng.standard_normal((T, B, H))
    assert np.all(readability(blank, labels, 4) < 0.45)
    with pytest.raises(ValueError, match="every class"):
        readability(keeps[:, :8], np.array([0, 0, 0, 0, 1, 2, 3, 3]), 4)


def test_memory_units_finds_the_unit_that_holds_the_class():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(3), 20)
    states = rng.standard_normal((60, 5))
    states[:, 3] = labels * 2.0
    order, eta2 = memory_units(states, labels, 3)
    assert order[0] == 3 and eta2[3] == pytest.approx(1.0)
    assert np.all(eta2 >= 0) and np.all(eta2 <= 1 + 1e-12)


# ---------------------------------------------------------------------------- figures


def _fake_result():
    rows = []
    for lag in (5, 20, 40):
        for m, acc in (("rnn", [1.0, 0.5, 0.1]), ("lstm", [1.0, 1.0, 0.9])):
            rows.append({"lag": lag, "model": m, "accuracy": acc, "mean": float(np.mean(acc)),
                         "min": min(acc), "max": max(acc)})
    return {"models": {"rnn": {"class": "RNN"}, "lstm": {"class": "LSTM", "forget_bias": 3.0}},
            "results": rows, "chance": 0.125}


def _labels_are_lowercase(ax):
    return ax.get_xlabel() == ax.get_xlabel().lower() and (
        ax.get_ylabel() == ax.get_ylabel().lower())


def test_plot_accuracy_vs_lag():
    fig = plot_accuracy_vs_lag(_fake_result())
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "" and _labels_are_lowercase(ax)
    means = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    np.testing.assert_allclose(means[1].get_ydata(), [0.9667, 0.9667, 0.9667], atol=1e-3)
    assert any(np.allclose(line.get_ydata(), 0.125) for line in ax.get_lines())  # chance
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "RNN (tanh)", "LSTM (forget bias 3)"]


def test_plot_fixed_vs_mixed_draws_both_trainings_of_each_model():
    mixed = _fake_result()
    mixed["train_range"] = [3, 40]
    for row in mixed["results"]:
        if row["model"] == "rnn":
            row["accuracy"] = [1.0, 1.0, 0.8]
            row["mean"] = float(np.mean(row["accuracy"]))
    fig = plot_fixed_vs_mixed(_fake_result(), mixed)
    ax = fig.axes[0]
    means = {line.get_label(): line for line in ax.get_lines()
             if not line.get_label().startswith("_")}
    assert set(means) == {"RNN (tanh), trained at that lag", "RNN (tanh), trained on mixed lags",
                          "LSTM (forget bias 3), trained at that lag",
                          "LSTM (forget bias 3), trained on mixed lags"}
    np.testing.assert_allclose(means["RNN (tanh), trained on mixed lags"].get_ydata(),
                               [0.9333] * 3, atol=1e-3)
    np.testing.assert_allclose(means["RNN (tanh), trained at that lag"].get_ydata(),
                               [0.5333] * 3, atol=1e-3)
    assert means["RNN (tanh), trained on mixed lags"].get_linestyle() == "--"
    assert _labels_are_lowercase(ax) and "lag" in ax.get_xlabel()
    with pytest.raises(ValueError, match="train_range"):
        plot_fixed_vs_mixed(_fake_result(), _fake_result())
    with pytest.raises(ValueError, match="no results for"):
        plot_fixed_vs_mixed(_fake_result(), mixed, models=("gru",))


def test_plot_accuracy_vs_lag_draws_extended_models_at_their_own_lags():
    result = _fake_result()
    result["results"].append({"lag": 80, "model": "lstm", "accuracy": [1.0, 0.9, 0.8],
                              "mean": 0.9, "min": 0.8, "max": 1.0})
    ax = plot_accuracy_vs_lag(result).axes[0]
    means = {line.get_label(): line for line in ax.get_lines()
             if not line.get_label().startswith("_")}
    assert list(means["LSTM (forget bias 3)"].get_xdata()) == [5, 20, 40, 80]
    assert list(means["RNN (tanh)"].get_xdata()) == [5, 20, 40]


def test_plot_mechanism_draws_a_line_per_seed():
    tracks = [{"step": [0, 100, 200], "input_ratio": [1e-3, 1e-2, 0.1 * s + 0.1],
               "far_share": [0.1, 0.2, 0.3]} for s in range(3)]
    result = {"models": {"rnn": {"class": "RNN"}, "irnn": {"class": "RNN"}},
              "results": [{"lag": 20, "model": m, "track": tracks} for m in ("rnn", "irnn")]}
    fig = plot_mechanism(result)
    left, right = fig.axes
    assert len(left.get_lines()) == len(right.get_lines()) == 6
    np.testing.assert_allclose(left.get_lines()[2].get_ydata(), [1e-3, 1e-2, 0.3])
    assert left.get_yscale() == "log" and all(_labels_are_lowercase(ax) for ax in fig.axes)
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["RNN (tanh)",
                                                                     "IRNN (ReLU, W = I)"]
    with pytest.raises(ValueError, match="--track"):
        plot_mechanism(result, models=["lstm"])


def test_plots_draw_on_given_axes():
    from whiteboard.viz.plots import new_figure

    fig, axes = new_figure(ncols=4)
    assert plot_accuracy_vs_lag(_fake_result(), ax=axes[0]) is fig
    values = np.cumsum(np.ones((8, 3)), axis=0)
    assert plot_unit_traces(values, labels=list("abc"), country_step=2, ax=axes[1]) is fig
    np.testing.assert_array_equal(axes[1].get_lines()[2].get_ydata(), values[:, 2])
    curves = {"lstm": (np.arange(4), np.ones(4))}
    assert plot_readability(curves, chance=0.125, ax=axes[2]) is fig
    hist = {"eval_step": [10, 20], "eval_accuracy": [0.5, 1.0]}
    assert plot_learning_curves({"lstm": hist}, chance=0.125, ax=axes[3]) is fig
    assert all(_labels_are_lowercase(ax) for ax in axes)


def test_load_result_finds_the_committed_sweeps_from_any_working_directory(tmp_path,
                                                                          monkeypatch):
    from whiteboard.training.experiments import load_result

    monkeypatch.chdir(tmp_path)  # neither the repository nor book/
    assert load_result(FAIR)["experiment"] == "story"
    with pytest.raises(FileNotFoundError, match="no nothing.json"):
        load_result("nothing.json")


def test_answer_map_finds_a_consistent_wrong_answer():
    from types import SimpleNamespace

    from whiteboard.analysis.probes import answer_map

    y = np.array([0, 0, 1, 1, 1, 2, 2, 2])
    logits = np.eye(4)[[1, 1, 2, 0, 2, 1, 1, 3]] * 5.0  # 0 -> 1; 1 -> 2 mostly; 2 -> 1 mostly

    class Fixed:
        def forward(self, x):
            return logits, None

    m = answer_map(Fixed(), SimpleNamespace(x=None, y=y))
    assert m["accuracy"] == 0.0
    np.testing.assert_array_equal(m["answers"], [1, 2, 1, -1])
    np.testing.assert_allclose(m["share"][:3], [1.0, 2 / 3, 2 / 3])
    assert np.isnan(m["share"][3]) and m["distinct"] == 2
