"""Sweeps: train every model at every lag with several seeds, after a learning-rate search.

A *sweep* does a small learning-rate search per model and lag (:func:`search_lr`), then
trains every (lag, model, seed) run with the chosen rate, the runs of a lag side by side
(:func:`whiteboard.training.experiments.train_and_test`), in parallel worker processes when
asked.  The CLI (``python -m
whiteboard``) is a thin layer over :func:`sweep`; :func:`summarize` prints its table.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from whiteboard import __version__
from whiteboard.checks import check_positive_int
from whiteboard.training.experiments import (
    SEARCH_SEED,
    RunSpec,
    Setup,
    as_lags,
    describe,
    model_kwargs,
    task_of,
    train_and_test,
)
from whiteboard.training.story import MAX_LAG
from whiteboard.training.variants import model_spec

__all__ = ["search_lr", "sweep", "summarize", "solved", "SOLVED"]

_COST = {"RNN": 1.0, "GRU": 2.5, "LSTM": 3.0}  # rough cost of a step, for ordering work
SOLVED = 0.95  # a seed whose test accuracy reaches this has solved the task


def _train_group(runs, track=False):
    """Runs that share a task, training lags and setup, trained side by side as one stack.

    With ``track``, the mechanism is measured as they train (:mod:`.tracking`).
    """
    if track:
        from whiteboard.training.tracking import train_and_track

        return list(zip(runs, train_and_track(runs), strict=True))
    return list(zip(runs, train_and_test(runs), strict=True))


def _groups(runs, jobs):
    """The runs, grouped into stacks that train together, costliest first.

    With one process, a group is every run of a training lag (runs of different kinds then
    step together and share their seeds' batches).  With more processes, each kind of model
    at each lag is a group of its own, so the work splits more evenly.  Costliest first
    keeps the processes busy to the end.
    """
    groups = {}
    for r in runs:
        kind = model_kwargs(r.model, r.setup)[0]
        key = (r.task, r.lags, r.setup, r.curriculum) + ((kind,) if jobs > 1 else ())
        groups.setdefault(key, []).append(r)

    def cost(group):
        return max(group[0].lags) * sum(_COST[model_kwargs(r.model, r.setup)[0]] for r in group)

    return sorted(groups.values(), key=cost, reverse=True)


def _train_all(runs, jobs, progress, desc, track=False):
    """Train every run (stacked by :func:`_groups`) in ``jobs`` processes; results in order."""
    import multiprocessing as mp
    from contextlib import nullcontext
    from functools import partial

    from tqdm.auto import tqdm

    groups = _groups(runs, jobs)
    train = partial(_train_group, track=track)
    bar = tqdm(total=len(runs), desc=desc, disable=not progress, file=sys.stderr)
    out = {}
    procs = min(jobs, len(groups))  # one process: no pool, the groups one after the other
    with mp.get_context("spawn").Pool(procs) if procs > 1 else nullcontext() as pool:
        for pairs in pool.imap_unordered(train, groups) if procs > 1 else map(train, groups):
            out.update(pairs)
            bar.update(len(pairs))
    bar.close()
    return [out[r] for r in runs]


def _lr_source(model):
    """The model whose searched learning rate ``model`` uses (an ablation borrows its parent's)."""
    return model_spec(model).lr_from or model


def _lag_key(lag) -> str:
    """A lag as a JSON key: ``"20"``, or ``"3-40"`` for mixed lags 3 to 40."""
    low, high = as_lags(lag)
    return str(low) if low == high else f"{low}-{high}"


def search_lr(task, models, lags, setup: Setup = Setup(), *, seeds=None, jobs=1,
              progress=False) -> dict:
    """Pick each model's learning rate from ``setup.lrs`` by validation accuracy, per lag.

    At every lag, each rate is scored by the mean validation accuracy over ``seeds`` (default:
    ``setup.search_seeds`` seeds from 1000, which the sweep does not use); ties go to the
    lower mean validation loss.  A lag may be a pair ``(low, high)``: training on mixed
    lags, validated at ``high``.

    Returns:
        ``{"seeds", "scores": {lag: {model: {lr: {"val_accuracy", "val_loss"}}}},
        "chosen": {lag: {model: lr}}}`` (lags as strings, as JSON keys are).
    """
    if seeds is None:
        seeds = range(SEARCH_SEED, SEARCH_SEED + setup.search_seeds)
    seeds = [int(s) for s in seeds]
    runs = {(_lag_key(lag), m, lr, s): RunSpec(task, m, lag, s, lr, setup)
            for lag in lags for m in models for lr in setup.lrs for s in seeds}
    results = dict(zip(runs, _train_all(list(runs.values()), jobs, progress, "lr search"),
                       strict=True))
    scores, chosen = {}, {}
    for lag in lags:
        key = _lag_key(lag)
        scores[key], chosen[key] = {}, {}
        for m in models:
            table = {repr(lr): {k: round(float(np.mean([results[(key, m, lr, s)][k]
                                                        for s in seeds])), 4)
                                for k in ("val_accuracy", "val_loss")} for lr in setup.lrs}
            scores[key][m] = table
            chosen[key][m] = max(setup.lrs, key=lambda lr, t=table: (
                t[repr(lr)]["val_accuracy"], -t[repr(lr)]["val_loss"]))
    return {"seeds": list(seeds), "scores": scores, "chosen": chosen}


def _check_sweep(task, lags, n_seeds, models, setup, train_range, extend, track):
    """The sweep's arguments, checked (see :func:`sweep`)."""
    t = task_of(task)
    n_seeds = check_positive_int(n_seeds, "n_seeds")
    lags = [int(lag) for lag in lags]
    if not lags or any(lag < t.min_lag or lag > MAX_LAG for lag in lags):
        raise ValueError(f"lags must be integers from {t.min_lag} to {MAX_LAG} for task "
                         f"{task!r}, got {lags}")
    if train_range is not None:
        low, high = (int(v) for v in train_range)
        if not t.min_lag <= low < high <= MAX_LAG:
            raise ValueError(f"train_range must be (low, high) with {t.min_lag} <= low < high "
                             f"<= {MAX_LAG}, got {tuple(train_range)}")
        train_range = (low, high)
    models = list(models)
    for m in models:
        model_kwargs(m, setup)
    if extend and train_range is not None:
        raise ValueError("extend adds training lags; a sweep trained on mixed lags "
                         "(train_range) has only one")
    extend = [int(lag) for lag in extend or ()]
    bad = [lag for lag in extend if lag < t.min_lag or lag > MAX_LAG or lag in lags]
    if bad:
        raise ValueError(f"extend must hold lags from {t.min_lag} to {MAX_LAG} that are not "
                         f"among the lags {lags}, got {bad}")
    if track and t.loss != "cross_entropy":
        raise ValueError(f"track measures the gradient of a classifier's loss; task {task!r} "
                         "is a regression")
    return t, n_seeds, lags, models, train_range, extend


def _learning_rates(task, models, trained, setup, lr, jobs, progress):
    """``(search or None, {lag: {model: lr}})``: searched per lag, or the given ``lr``."""
    if lr is None:
        searched = list(dict.fromkeys(_lr_source(m) for m in models))
        search = search_lr(task, searched, trained, setup, jobs=jobs, progress=progress)
        return search, {lag: {m: search["chosen"][_lag_key(lag)][_lr_source(m)]
                              for m in models} for lag in trained}
    missing = [m for m in models if m not in lr and _lr_source(m) not in lr]
    if missing:
        raise ValueError(f"no learning rate given for {missing}")
    return None, {lag: {m: lr.get(m, lr.get(_lr_source(m))) for m in models}
                  for lag in trained}


def _row(lag, model, runs, results, train_range):
    rs = [results[r] for r in runs]
    acc = [r["by_lag"][str(lag)] if train_range else r["accuracy"] for r in rs]
    row = {
        "lag": lag, "model": model, "lr": runs[0].lr, "seeds": [r.seed for r in runs],
        "accuracy": acc, "mean": round(float(np.mean(acc)), 4),
        "std": round(float(np.std(acc)), 4), "min": min(acc), "max": max(acc),
        "steps_run": [r["steps_run"] for r in rs],
        "seconds": [r["seconds"] for r in rs],
        # runs trained side by side share one clock: the row took as long as its slowest run
        "wall_seconds": round(max(r["seconds"] for r in rs), 2),
        "diverged": sum(r["diverged"] for r in rs),
    }
    for key, kept in (("per_class", not train_range), ("track", True)):
        if key in rs[0] and kept:
            row[key] = [r[key] for r in rs]
    return row


def solved(row: dict) -> int:
    """How many seeds of a sweep's row solved the task: test accuracy at least :data:`SOLVED`."""
    return sum(a >= SOLVED for a in row["accuracy"])


@dataclass(frozen=True)
class _Plan:
    """What every part of one sweep shares (see :func:`sweep` for each field)."""

    task: str
    setup: Setup
    n_seeds: int
    lr: dict | None
    jobs: int
    progress: bool
    train_range: tuple | None
    track: bool


def _measure(plan: _Plan, models, lags):
    """``(search, rows)``: the learning rates, then a row per (lag, model) over the seeds."""
    trained = [plan.train_range] if plan.train_range else lags  # what each network trains at
    search, lrs = _learning_rates(plan.task, models, trained, plan.setup, plan.lr, plan.jobs,
                                  plan.progress)
    test_lags = tuple(lags) if plan.train_range else None
    runs = {(lag, m, s): RunSpec(plan.task, m, lag, s, lrs[lag][m], plan.setup, test_lags)
            for lag in trained for m in models for s in range(plan.n_seeds)}
    trained_runs = _train_all(list(runs.values()), plan.jobs, plan.progress,
                              f"{plan.task} sweep", plan.track)
    results = dict(zip(runs.values(), trained_runs, strict=True))
    rows = [_row(lag, m, [runs[(plan.train_range or lag, m, s)] for s in range(plan.n_seeds)],
                 results, plan.train_range) for lag in lags for m in models]
    return search, rows


def _extend(plan: _Plan, models, lags, extend, search, rows):
    """Train at the lags ``extend`` every model that solves the longest of ``lags`` on more
    than half its seeds; returns ``(search, rows, record of the extension)``."""
    by = {(r["lag"], r["model"]): r for r in rows}
    longest = max(lags)
    winners = [m for m in models if 2 * solved(by[(longest, m)]) > plan.n_seeds]
    record = {"lags": list(extend), "models": winners,
              "rule": f"models that solve lag {longest} on more than half of the seeds"}
    if not winners:
        return search, rows, record
    more_search, more_rows = _measure(plan, winners, extend)
    if search is not None:
        for key in ("scores", "chosen"):
            search[key].update(more_search[key])
    return search, rows + more_rows, record


def sweep(task: str, lags, n_seeds: int, models=("rnn", "lstm"), setup: Setup = Setup(), *,
          lr=None, jobs: int = 1, progress: bool = True, command: str = "",
          train_range=None, extend=None, track: bool = False) -> dict:
    """Train every model at every lag with seeds ``0..n_seeds-1`` and collect test accuracies.

    Args:
        task: a key of :data:`TASKS`.
        lags: the lags to test (and, without ``train_range``, to train at).
        n_seeds: seeds per (lag, model), at least 1.
        models: keys of :data:`MODELS`.
        setup: training settings shared by all models.
        lr: a dict ``{model: lr}`` used at every lag, which skips the search (None: search
            each lag; an ablation such as ``lstm_fb0`` uses the rate found for ``lstm``).
        jobs: worker processes.
        progress: show progress bars on stderr.
        command: the command line, stored in the result.
        train_range: ``(low, high)``: train each model and seed once, on mixed lags
            ``low..high`` (each batch one lag), and test that one network at every lag of
            ``lags``.  None: a fresh network per lag, trained at that lag.
        extend: further lags, at which only the models that solve the longest of ``lags``
            on more than half of the seeds are trained (with their own search); the
            result's ``extend`` says which.  Not with ``train_range``.
        track: measure, before training and at every validation, the gradient reaching the
            clue and the share of ∂L/∂W from far terms (:mod:`.tracking`); each row then
            has ``track``, one record per seed.

    Returns:
        A JSON-ready dict: provenance, the setup, the search, and per (lag, model) the
        accuracy of each seed, their mean, and the wall time of the whole sweep.
    """
    t, n_seeds, lags, models, train_range, extend = _check_sweep(
        task, lags, n_seeds, models, setup, train_range, extend, track)
    start = time.perf_counter()
    plan = _Plan(task, setup, n_seeds, lr, jobs, progress, train_range, bool(track))
    search, rows = _measure(plan, models, lags)
    extension = None
    if extend:
        search, rows, extension = _extend(plan, models, lags, extend, search, rows)
    return {
        "experiment": task,
        "description": t.description,
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "whiteboard_version": __version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "jobs": jobs,
        "cpu_count": os.cpu_count(),
        "chance": t.chance,
        "models": {m: describe(m, setup, task) for m in models},
        "setup": {**asdict(setup), "lrs": list(setup.lrs)},
        "train_range": list(train_range) if train_range else None,
        "extend": extension,
        "lr_search": search,
        "results": rows,
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def summarize(result: dict, models=None, lags=None) -> str:
    """A plain-text table of a sweep: one row per lag, mean ± std and solved seeds per model
    (— where a model was not trained at that lag).

    Args:
        result: a sweep result or its JSON.
        models: the columns (default: every model of the result).
        lags: the rows (default: every lag of the result).
    """
    models = list(result["models"]) if models is None else list(models)
    lines = ["lag  " + "".join(f"{m:>24}" for m in models)]
    by = {(r["lag"], r["model"]): r for r in result["results"]}
    for lag in sorted({r["lag"] for r in result["results"]} if lags is None else lags):
        cells = []
        for m in models:
            r = by.get((lag, m))
            cells.append("—" if r is None else
                         f"{r['mean']:.3f} ± {r['std']:.3f} ({solved(r)}/{len(r['accuracy'])})")
        lines.append(f"{lag:<5}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)
