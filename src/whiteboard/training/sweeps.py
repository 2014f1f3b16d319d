"""Sweeps: train every model at every lag with several seeds, after a learning-rate search.

A *sweep* does a small learning-rate search per model and lag (:func:`search_lr`), then runs
every (lag, model, seed) cell with the chosen rate (:func:`whiteboard.training.experiments.
train_and_test`), in parallel worker processes when asked.  The CLI (``python -m
whiteboard``) is a thin layer over :func:`sweep`; :func:`summarize` prints its table.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from dataclasses import asdict

import numpy as np

from whiteboard import __version__
from whiteboard.checks import check_positive_int
from whiteboard.training.data import MAX_LAG
from whiteboard.training.experiments import (
    MODELS,
    SEARCH_SEEDS,
    Setup,
    describe,
    model_kwargs,
    task_of,
    train_and_test,
)

__all__ = ["search_lr", "sweep", "summarize"]

def _run_cell(args):
    task, model, lag, seed, lr, setup = args
    return args, train_and_test(task, model, lag, seed, lr, setup)

def _map(cells, jobs, progress, desc):
    """Run every cell, in parallel when ``jobs > 1``; results come back in input order."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(cells), desc=desc, disable=not progress, file=sys.stderr)
    out = {}
    if jobs > 1 and len(cells) > 1:
        import multiprocessing as mp

        with mp.get_context("spawn").Pool(min(jobs, len(cells))) as pool:
            for args, result in pool.imap_unordered(_run_cell, cells):
                out[args] = result
                bar.update()
    else:
        for args in cells:
            out[args] = _run_cell(args)[1]
            bar.update()
    bar.close()
    return [out[c] for c in cells]

def _lr_source(model):
    """The model whose searched learning rate ``model`` uses (an ablation borrows its parent's)."""
    return MODELS[model][2] or model

def search_lr(task, models, lags, setup: Setup = Setup(), *, seeds=SEARCH_SEEDS, jobs=1,
              progress=False) -> dict:
    """Pick each model's learning rate from ``setup.lrs`` by validation accuracy, per lag.

    At every lag, each rate is scored by the mean validation accuracy over ``seeds`` (which
    the sweep does not use); ties go to the lower mean validation loss.

    Returns:
        ``{"seeds", "scores": {lag: {model: {lr: {"val_accuracy", "val_loss"}}}},
        "chosen": {lag: {model: lr}}}`` (lags as strings, as JSON keys are).
    """
    cells = [(task, m, lag, s, lr, setup) for lag in lags for m in models for lr in setup.lrs
             for s in seeds]
    results = dict(zip(cells, _map(cells, jobs, progress, "lr search"), strict=True))
    scores, chosen = {}, {}
    for lag in lags:
        scores[str(lag)], chosen[str(lag)] = {}, {}
        for m in models:
            table = {}
            for lr in setup.lrs:
                rs = [results[(task, m, lag, s, lr, setup)] for s in seeds]
                table[repr(lr)] = {
                    "val_accuracy": round(float(np.mean([r["val_accuracy"] for r in rs])), 4),
                    "val_loss": round(float(np.mean([r["val_loss"] for r in rs])), 4),
                }
            scores[str(lag)][m] = table
            chosen[str(lag)][m] = max(setup.lrs, key=lambda lr, t=table: (
                t[repr(lr)]["val_accuracy"], -t[repr(lr)]["val_loss"]))
    return {"seeds": list(seeds), "scores": scores, "chosen": chosen}

def sweep(task: str, lags, n_seeds: int, models=("rnn", "lstm"), setup: Setup = Setup(), *,
          lr=None, jobs: int = 1, progress: bool = True, command: str = "") -> dict:
    """Train every model at every lag with seeds ``0..n_seeds-1`` and collect test accuracies.

    Args:
        task: a key of :data:`TASKS`.
        lags: the lags to test.
        n_seeds: seeds per (lag, model), at least 1.
        models: keys of :data:`MODELS`.
        setup: training settings shared by all models.
        lr: a dict ``{model: lr}`` used at every lag, which skips the search (None: search
            each lag; an ablation such as ``lstm_fb0`` uses the rate found for ``lstm``).
        jobs: worker processes.
        progress: show progress bars on stderr.
        command: the command line, stored in the result.

    Returns:
        A JSON-ready dict: provenance, the setup, the search, and per (lag, model) the
        accuracy of each seed, their mean, and the wall time.
    """
    t = task_of(task)
    n_seeds = check_positive_int(n_seeds, "n_seeds")
    lags = [int(lag) for lag in lags]
    if not lags or any(lag < t.min_lag or lag > MAX_LAG for lag in lags):
        raise ValueError(f"lags must be integers from {t.min_lag} to {MAX_LAG} for task "
                         f"{task!r}, got {lags}")
    models = list(models)
    for m in models:
        model_kwargs(m, setup)
    start = time.perf_counter()
    search = None
    if lr is None:
        searched = list(dict.fromkeys(_lr_source(m) for m in models))
        search = search_lr(task, searched, lags, setup, jobs=jobs, progress=progress)
        lrs = {lag: {m: search["chosen"][str(lag)][_lr_source(m)] for m in models}
               for lag in lags}
    else:
        missing = [m for m in models if m not in lr and _lr_source(m) not in lr]
        if missing:
            raise ValueError(f"no learning rate given for {missing}")
        lrs = {lag: {m: lr.get(m, lr.get(_lr_source(m))) for m in models} for lag in lags}
    cells = [(task, m, lag, s, lrs[lag][m], setup) for lag in lags for m in models
             for s in range(n_seeds)]
    results = dict(zip(cells, _map(cells, jobs, progress, f"{task} sweep"), strict=True))
    rows = []
    for lag in lags:
        for m in models:
            rs = [results[(task, m, lag, s, lrs[lag][m], setup)] for s in range(n_seeds)]
            acc = [r["accuracy"] for r in rs]
            rows.append({
                "lag": lag, "model": m, "lr": lrs[lag][m], "seeds": list(range(n_seeds)),
                "accuracy": acc, "mean": round(float(np.mean(acc)), 4),
                "std": round(float(np.std(acc)), 4), "min": min(acc), "max": max(acc),
                "steps_run": [r["steps_run"] for r in rs],
                "seconds": [r["seconds"] for r in rs],
                "wall_seconds": round(sum(r["seconds"] for r in rs), 2),
                "diverged": sum(r["diverged"] for r in rs),
            })
            if "per_class" in rs[0]:
                rows[-1]["per_class"] = [r["per_class"] for r in rs]
    setup_dict = asdict(setup)
    setup_dict["lrs"] = list(setup.lrs)
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
        "models": {m: describe(m, setup) for m in models},
        "setup": setup_dict,
        "lr_search": search,
        "results": rows,
        "wall_seconds": round(time.perf_counter() - start, 1),
    }

def summarize(result: dict) -> str:
    """A plain-text table of a sweep: one row per lag, mean ± std and solved seeds per model."""
    models = list(result["models"])
    lines = ["lag  " + "".join(f"{m:>24}" for m in models)]
    by = {(r["lag"], r["model"]): r for r in result["results"]}
    for lag in sorted({r["lag"] for r in result["results"]}):
        cells = []
        for m in models:
            r = by[(lag, m)]
            solved = sum(a >= 0.95 for a in r["accuracy"])
            cells.append(f"{r['mean']:.3f} ± {r['std']:.3f} ({solved}/{len(r['accuracy'])})")
        lines.append(f"{lag:<5}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)
