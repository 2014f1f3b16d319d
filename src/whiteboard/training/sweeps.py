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
    SEARCH_SEED,
    Setup,
    describe,
    model_kwargs,
    task_of,
    train_and_test,
    train_and_test_many,
    train_lags,
)

__all__ = ["search_lr", "sweep", "summarize"]

_COST = {"RNN": 1.0, "GRU": 2.5, "LSTM": 3.0}  # rough cost of a step, for ordering work


def _run_cell(args):
    """One run on its own: the one-at-a-time path (a stack of one for mixed lags)."""
    task, model, lag, seed, lr, setup, test_lags = args
    if isinstance(lag, tuple):
        return _run_unit((task, lag, [(model, seed, lr)], setup, test_lags))
    return [(args, train_and_test(task, model, lag, seed, lr, setup))]


def _run_unit(unit):
    """Runs that share a task and a training lag, trained side by side as one stack."""
    task, lag, cells, setup, test_lags = unit
    results = train_and_test_many(task, lag, [(m, s, lr) for m, s, lr in cells], setup,
                                  test_lags=test_lags)
    return [((task, m, lag, s, lr, setup, test_lags), r)
            for (m, s, lr), r in zip(cells, results, strict=True)]


def _units(cells, jobs, stacked):
    """Work units: one per cell, or stacks of the cells that can train together.

    With one process, a unit is every cell of a training lag (runs of different kinds then
    step together and share their seeds' batches).  With more processes, each kind of model
    at each lag is a unit of its own, so the work splits more evenly.  Units come costliest
    first, which keeps the processes busy to the end.
    """
    if not stacked:
        return _run_cell, list(cells)
    groups = {}
    for task, m, lag, s, lr, setup, test_lags in cells:
        kind = model_kwargs(m, setup)[0]
        key = (task, lag, setup, test_lags) + ((kind,) if jobs > 1 else ())
        groups.setdefault(key, []).append((m, s, lr))
    units = [(k[0], k[1], v, k[2], k[3]) for k, v in groups.items()]

    def cost(u):
        return max(train_lags(u[1])) * sum(_COST[model_kwargs(m, u[3])[0]] for m, _, _ in u[2])

    return _run_unit, sorted(units, key=cost, reverse=True)


def _map(cells, jobs, progress, desc, stacked=True):
    """Run every cell (stacked when ``stacked``), in ``jobs`` processes; results in order."""
    from tqdm.auto import tqdm

    work, units = _units(cells, jobs, stacked)
    bar = tqdm(total=len(cells), desc=desc, disable=not progress, file=sys.stderr)
    out = {}
    if jobs > 1 and len(units) > 1:
        import multiprocessing as mp

        with mp.get_context("spawn").Pool(min(jobs, len(units))) as pool:
            for pairs in pool.imap_unordered(work, units):
                out.update(pairs)
                bar.update(len(pairs))
    else:
        for unit in units:
            pairs = work(unit)
            out.update(pairs)
            bar.update(len(pairs))
    bar.close()
    return [out[c] for c in cells]


def _lr_source(model):
    """The model whose searched learning rate ``model`` uses (an ablation borrows its parent's)."""
    return MODELS[model][2] or model

def _lag_key(lag) -> str:
    """A lag as a JSON key: ``"20"``, or ``"3-40"`` for mixed lags 3 to 40."""
    low, high = train_lags(lag)
    return str(low) if low == high else f"{low}-{high}"


def search_lr(task, models, lags, setup: Setup = Setup(), *, seeds=None, jobs=1,
              progress=False, stacked=True) -> dict:
    """Pick each model's learning rate from ``setup.lrs`` by validation accuracy, per lag.

    At every lag, each rate is scored by the mean validation accuracy over ``seeds`` (default:
    ``setup.search_seeds`` seeds from 1000, which the sweep does not use); ties go to the
    lower mean validation loss.  A lag may be a pair
    ``(low, high)``: training on mixed lags, validated at ``high``.

    Returns:
        ``{"seeds", "scores": {lag: {model: {lr: {"val_accuracy", "val_loss"}}}},
        "chosen": {lag: {model: lr}}}`` (lags as strings, as JSON keys are).
    """
    if seeds is None:
        seeds = range(SEARCH_SEED, SEARCH_SEED + setup.search_seeds)
    seeds = [int(s) for s in seeds]
    cells = [(task, m, lag, s, lr, setup, None) for lag in lags for m in models
             for lr in setup.lrs for s in seeds]
    results = dict(zip(cells, _map(cells, jobs, progress, "lr search", stacked), strict=True))
    scores, chosen = {}, {}
    for lag in lags:
        key = _lag_key(lag)
        scores[key], chosen[key] = {}, {}
        for m in models:
            table = {}
            for lr in setup.lrs:
                rs = [results[(task, m, lag, s, lr, setup, None)] for s in seeds]
                table[repr(lr)] = {
                    "val_accuracy": round(float(np.mean([r["val_accuracy"] for r in rs])), 4),
                    "val_loss": round(float(np.mean([r["val_loss"] for r in rs])), 4),
                }
            scores[key][m] = table
            chosen[key][m] = max(setup.lrs, key=lambda lr, t=table: (
                t[repr(lr)]["val_accuracy"], -t[repr(lr)]["val_loss"]))
    return {"seeds": list(seeds), "scores": scores, "chosen": chosen}


def sweep(task: str, lags, n_seeds: int, models=("rnn", "lstm"), setup: Setup = Setup(), *,
          lr=None, jobs: int = 1, progress: bool = True, command: str = "",
          train_range=None, stacked: bool = True) -> dict:
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
        stacked: train the runs side by side (:func:`whiteboard.training.stack.train_stack`);
            False runs them one at a time, as :func:`train_and_test` does.

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
    if train_range is not None:
        low, high = (int(v) for v in train_range)
        if not t.min_lag <= low < high <= MAX_LAG:
            raise ValueError(f"train_range must be (low, high) with {t.min_lag} <= low < high "
                             f"<= {MAX_LAG}, got {tuple(train_range)}")
        train_range = (low, high)
    models = list(models)
    for m in models:
        model_kwargs(m, setup)
    start = time.perf_counter()
    trained = [train_range] if train_range else lags  # what each network is trained at
    search = None
    if lr is None:
        searched = list(dict.fromkeys(_lr_source(m) for m in models))
        search = search_lr(task, searched, trained, setup, jobs=jobs, progress=progress,
                           stacked=stacked)
        lrs = {lag: {m: search["chosen"][_lag_key(lag)][_lr_source(m)] for m in models}
               for lag in trained}
    else:
        missing = [m for m in models if m not in lr and _lr_source(m) not in lr]
        if missing:
            raise ValueError(f"no learning rate given for {missing}")
        lrs = {lag: {m: lr.get(m, lr.get(_lr_source(m))) for m in models} for lag in trained}
    test_lags = tuple(lags) if train_range else None
    cells = [(task, m, lag, s, lrs[lag][m], setup, test_lags) for lag in trained
             for m in models for s in range(n_seeds)]
    results = dict(zip(cells, _map(cells, jobs, progress, f"{task} sweep", stacked),
                       strict=True))
    rows = []
    for lag in lags:
        at = train_range or lag
        for m in models:
            rs = [results[(task, m, at, s, lrs[at][m], setup, test_lags)]
                  for s in range(n_seeds)]
            acc = [r["by_lag"][str(lag)] if train_range else r["accuracy"] for r in rs]
            rows.append({
                "lag": lag, "model": m, "lr": lrs[at][m], "seeds": list(range(n_seeds)),
                "accuracy": acc, "mean": round(float(np.mean(acc)), 4),
                "std": round(float(np.std(acc)), 4), "min": min(acc), "max": max(acc),
                "steps_run": [r["steps_run"] for r in rs],
                "seconds": [r["seconds"] for r in rs],
                # stacked runs share one clock: the row took as long as its slowest run
                "wall_seconds": round((max if stacked else sum)(r["seconds"] for r in rs), 2),
                "diverged": sum(r["diverged"] for r in rs),
            })
            if "per_class" in rs[0] and not train_range:
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
        "train_range": list(train_range) if train_range else None,
        "stacked": stacked,
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
