"""The command line: help everywhere, JSON alone on stdout, one-line errors with status 2."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


def cli(*args, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "whiteboard", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_top_level_help_lists_every_experiment():
    r = cli("--help")
    assert r.returncode == 0
    for name in ("story", "temporal", "adding"):
        assert name in r.stdout


@pytest.mark.parametrize("task", ["story", "temporal", "adding"])
def test_every_subcommand_has_help(task):
    r = cli(task, "--help")
    assert r.returncode == 0
    for option in ("--lags", "--seeds", "--json", "--forget-bias", "--lrs", "--jobs",
                   "--train-lags"):
        assert option in r.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], "choose an experiment"),
        (["sing"], "invalid choice"),
        (["story", "--lags", "0"], "--lags"),
        (["story", "--lags", "-5"], "--lags"),
        (["story", "--lags", "10", "2.5"], "--lags"),
        (["story", "--lags", "ten"], "--lags"),
        (["story", "--seeds", "0"], "--seeds"),
        (["story", "--seeds", "-1"], "--seeds"),
        (["story", "--lags", "2"], "cannot make [2]"),
        (["story", "--lags", "10", "5000"], "cannot make [5000]"),
        (["temporal", "--lags", "1"], "cannot make [1]"),
        (["story", "--lr", "rnn=fast"], "--lr"),
        (["story", "--lr", "rnn=0.01"], "no learning rate given for ['lstm']"),
        (["story", "--models", "transformer"], "--models"),
        (["story", "--forget-bias", "nan"], "--forget-bias"),
        (["story", "--steps", "0"], "--steps"),
        (["story", "--train-lags", "40", "3"], "train_range must be (low, high)"),
        (["story", "--train-lags", "2", "10"], "train_range must be (low, high)"),
        (["story", "--train-lags", "5"], "--train-lags"),
        (["story", "--extend", "2"], "--extend must lie in 3..1000"),
        (["story", "--lags", "5", "--extend", "5"], "not among the lags"),
        (["adding", "--track", "--lr", "rnn=0.01", "lstm=0.01"], "regression"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, expected):
    r = cli(*args, "--quiet") if args else cli()
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert expected in lines[0]
    assert lines[0].startswith("python -m whiteboard")


def test_story_json_alone_on_stdout(tmp_path):
    out = tmp_path / "sweep.json"
    r = cli("story", "--lags", "3", "5", "--seeds", "2", "--steps", "20",
            "--lr", "rnn=0.01", "lstm=0.01", "--json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)  # nothing but JSON on stdout
    assert "story sweep" in r.stderr  # the progress bar went to stderr
    assert json.loads(out.read_text()) == result
    assert result["command"] == ("python -m whiteboard story --lags 3 5 --seeds 2 --steps 20 "
                                 "--lr rnn=0.01 lstm=0.01 --json --out " + str(out))
    for key in ("date", "whiteboard_version", "numpy_version", "setup", "wall_seconds"):
        assert key in result
    rows = {(row["lag"], row["model"]): row for row in result["results"]}
    assert set(rows) == {(lag, m) for lag in (3, 5) for m in ("rnn", "lstm")}
    for row in rows.values():
        assert len(row["accuracy"]) == 2 and len(row["seconds"]) == 2
        assert row["mean"] == pytest.approx(sum(row["accuracy"]) / 2, abs=1e-4)
        assert row["lr"] == 0.01


def test_every_model_name_and_wall_time(tmp_path):
    """The issue's command with a tiny budget: all the variants train, the wall time is said."""
    r = cli("story", "--models", "rnn", "rnn_orth", "irnn", "rnn_wide", "lstm", "gru",
            "rnn_curriculum", "lstm_curriculum", "--lags", "15", "--seeds", "2", "--steps", "4",
            "--lrs", "0.01", "--search-seeds", "1", "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert {row["model"] for row in result["results"]} == {
        "rnn", "rnn_orth", "irnn", "rnn_wide", "lstm", "gru", "rnn_curriculum",
        "lstm_curriculum"}
    assert result["models"]["rnn_wide"]["hidden"] == 37
    assert result["models"]["irnn"] == {"class": "RNN", "nonlinearity": "relu",
                                        "init": "identity"}
    assert "wall time" in r.stderr.splitlines()[-1]


def test_unknown_model_is_answered_with_the_known_ones():
    r = cli("story", "--models", "rnn", "transformer")
    assert r.returncode == 2
    for name in ("rnn_orth", "irnn", "rnn_wide", "rnn_curriculum", "lstm_fb0", "gru"):
        assert name in r.stderr


def test_temporal_table_and_quiet():
    r = cli("temporal", "--lags", "4", "--seeds", "1", "--steps", "10", "--lr", "rnn=0.01",
            "lstm=0.01", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.splitlines()[0].split() == ["lag", "rnn", "lstm"]


def test_main_in_process_with_search(capsys):
    from whiteboard.__main__ import main

    code = main(["adding", "--lags", "2", "--seeds", "1", "--steps", "5", "--lrs", "0.01",
                 "0.02", "--search-seeds", "2", "--models", "rnn", "--json", "--quiet"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["lr_search"]["chosen"]["2"]["rnn"] in (0.01, 0.02)
    assert result["lr_search"]["seeds"] == [1000, 1001]


def test_mixed_lag_training_tests_one_network_at_every_lag(capsys):
    from whiteboard.__main__ import main

    code = main(["story", "--lags", "4", "9", "--train-lags", "3", "9", "--seeds", "2",
                 "--steps", "20", "--lr", "rnn=0.01", "lstm=0.01", "--json", "--quiet"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["train_range"] == [3, 9]
    rows = {(row["lag"], row["model"]): row for row in result["results"]}
    assert set(rows) == {(lag, m) for lag in (4, 9) for m in ("rnn", "lstm")}
    # one network per (model, seed), tested at both lags: the same steps and time
    for m in ("rnn", "lstm"):
        assert rows[(4, m)]["steps_run"] == rows[(9, m)]["steps_run"] == [20, 20]
        assert rows[(4, m)]["seconds"] == rows[(9, m)]["seconds"]


def test_the_one_at_a_time_flag_is_gone():
    """One training path: runs are always trained side by side, each as if alone."""
    r = cli("story", "--one-at-a-time")
    assert r.returncode == 2 and "--one-at-a-time" in r.stderr
