"""The book's experiments as functions: RNN against LSTM on tasks with a controlled lag.

One *run* trains one model (one seed, one learning rate) on one task at one lag and reports
its accuracy on a held-out test set.  A *sweep* does a small learning-rate search per model,
then runs every (lag, model, seed) cell with the chosen rate.  The CLI (``python -m
whiteboard``) is a thin layer over :func:`sweep`.

Fairness rules, applied to every model alike:

* the same hidden size H, optimiser (Adam), clipping (global norm 1), batch size and step
  budget, and the same training-stream, validation and test seeds;
* the learning rate of each model is the best of a small grid at each lag, judged on a
  validation set (not the test set) with seeds that the sweep itself does not use;
* early stopping: a run ends once its validation accuracy reaches ``stop_at``; a model that
  never gets there spends the whole budget.

Seeds: seed ``s`` initialises the recurrent core and the readout, and the training batches
come from ``default_rng((s, lag))``.  The validation and test sets depend only on the task
and the lag, so every model and seed is judged on the same sequences.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace

import numpy as np

from whiteboard import __version__
from whiteboard.checks import check_positive_int
from whiteboard.data import (
    LANGUAGES,
    MAX_LAG,
    STORY_MIN_LAG,
    TEMPORAL_CLASSES,
    TEMPORAL_VOCAB,
    make_adding,
    make_stories,
    make_temporal_order,
    story_vocab,
)
from whiteboard.train import SequenceModel, evaluate, train

__all__ = ["Setup", "TASKS", "MODELS", "build", "run", "search_lr", "sweep", "summarize",
           "min_lag", "test_batch", "readability", "memory_units", "load_result"]

_VALIDATION, _TEST = 7_000, 9_000  # seed roots of the held-out sets
SEARCH_SEEDS = (1_000, 1_001)  # the learning-rate search never uses the sweep's seeds 0..n-1


@dataclass(frozen=True)
class Setup:
    """Everything about training that is not the model, the task or the seed.

    Attributes:
        hidden: H, hidden units of every model.
        batch: sequences per training step.
        steps: the step budget (the most a run may take).
        clip: max global gradient norm.
        forget_bias: the LSTM's initial total forget-gate bias b_f (``"lstm"`` model).
        eval_every: validation period in steps.
        stop_at: end a run once validation accuracy reaches this.
        val_size: validation sequences (learning-rate search and early stopping).
        test_size: test sequences (the reported accuracy).
        lrs: the learning-rate grid searched per model.
        embed: size D of the learned token embedding that feeds every model (None: one-hot
            vectors of the vocabulary's size); ignored for real-valued inputs.
    """

    hidden: int = 16
    batch: int = 32
    steps: int = 3000
    clip: float = 1.0
    forget_bias: float = 3.0
    eval_every: int = 100
    stop_at: float = 0.99
    val_size: int = 256
    test_size: int = 1000
    lrs: tuple = (1e-3, 3e-3, 1e-2, 3e-2)
    embed: int | None = 16


@dataclass(frozen=True)
class Task:
    name: str
    make: object  # (batch_size, lag, rng) -> batch
    min_lag: int
    vocab_size: int | None  # None: real-valued inputs
    input_size: int
    out_size: int
    loss: str
    chance: float
    description: str


TASKS = {
    "story": Task("story", make_stories, STORY_MIN_LAG, len(story_vocab()), len(story_vocab()),
                  len(LANGUAGES), "cross_entropy", 1 / len(LANGUAGES),
                  "country -> language stories; lag = steps from the country to 'speaks'"),
    "temporal": Task("temporal", make_temporal_order, 2, len(TEMPORAL_VOCAB),
                     len(TEMPORAL_VOCAB), len(TEMPORAL_CLASSES), "cross_entropy",
                     1 / len(TEMPORAL_CLASSES),
                     "temporal order (Hochreiter & Schmidhuber 1997): XX/XY/YX/YY in noise"),
    "adding": Task("adding", make_adding, 1, None, 2, 1, "mse", float("nan"),
                   "adding problem (Hochreiter & Schmidhuber 1997): |error| < 0.04 counts"),
}

# name -> (class, keyword arguments, model whose learning rate it borrows or None).
# "forget_bias": None means Setup.forget_bias.  lstm_fb0 is an ablation: the same LSTM and
# learning rate as "lstm", only the initial forget-gate bias set to 0.
MODELS = {
    "rnn": ("RNN", {"nonlinearity": "tanh"}, None),
    "lstm": ("LSTM", {"forget_bias": None}, None),
    "lstm_fb0": ("LSTM", {"forget_bias": 0.0}, "lstm"),
    "gru": ("GRU", {}, None),
}


def min_lag(task: str) -> int:
    """The shortest lag the task's generator can make."""
    return TASKS[task].min_lag


def _task(task):
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}")
    return TASKS[task]


def _model_kwargs(model, setup):
    if model not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
    cls_name, kwargs, _ = MODELS[model]
    kwargs = dict(kwargs)
    if kwargs.get("forget_bias", 0.0) is None:
        kwargs["forget_bias"] = setup.forget_bias
    return cls_name, kwargs


def build(task: str, model: str, seed: int, setup: Setup = Setup()) -> SequenceModel:
    """A fresh network for ``task``: inputs -> ``model`` core -> readout, seeded with ``seed``."""
    import whiteboard

    t = _task(task)
    cls_name, kwargs = _model_kwargs(model, setup)
    embed = setup.embed if t.vocab_size is not None else None
    D = embed or t.input_size
    core = getattr(whiteboard, cls_name)(D, setup.hidden, seed=seed, **kwargs)
    return SequenceModel(core, t.out_size, vocab_size=t.vocab_size, embed_dim=embed,
                         loss=t.loss, seed=seed)


def _held_out(task, lag, size, root):
    t = _task(task)
    return t.make(size, lag, rng=np.random.default_rng((root, lag)))


def test_batch(task: str, lag: int, setup: Setup = Setup()):
    """The test set of ``task`` at ``lag`` (the same for every model and seed)."""
    return _held_out(task, lag, setup.test_size, _TEST)


def run(task: str, model: str, lag: int, seed: int, lr: float, setup: Setup = Setup(), *,
        quiet: bool = True, return_net: bool = False):
    """Train one model once and measure it.

    Returns:
        dict with ``accuracy`` (test), ``val_accuracy``, ``steps_run``, ``seconds`` and
        ``diverged``; with ``return_net=True``, the triple ``(result, net, history)`` with
        the trained network and the history from :func:`whiteboard.train.train`.
    """
    t = _task(task)
    net = build(task, model, seed, setup)
    val = _held_out(task, lag, setup.val_size, _VALIDATION)

    def make_batch(rng):
        return t.make(setup.batch, lag, rng=rng)

    start = time.perf_counter()
    hist = train(net, make_batch, steps=setup.steps, lr=lr, seed=np.random.default_rng((seed, lag)),
                 clip=setup.clip, eval_batch=val, eval_every=setup.eval_every,
                 stop_at=setup.stop_at, quiet=quiet, desc=f"{model} lag {lag} seed {seed}")
    test = evaluate(net, test_batch(task, lag, setup))
    result = {
        "accuracy": test["accuracy"],
        "val_accuracy": hist["eval_accuracy"][-1],
        "val_loss": hist["eval_loss"][-1],
        "steps_run": hist["steps_run"],
        "seconds": round(time.perf_counter() - start, 3),
        "diverged": hist["diverged"],
    }
    if "per_class" in test:
        result["per_class"] = [round(a, 4) for a in test["per_class"]]
    return (result, net, hist) if return_net else result


def _run_cell(args):
    task, model, lag, seed, lr, setup = args
    return args, run(task, model, lag, seed, lr, setup)


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
    t = _task(task)
    n_seeds = check_positive_int(n_seeds, "n_seeds")
    lags = [int(lag) for lag in lags]
    if not lags or any(lag < t.min_lag or lag > MAX_LAG for lag in lags):
        raise ValueError(f"lags must be integers from {t.min_lag} to {MAX_LAG} for task "
                         f"{task!r}, got {lags}")
    models = list(models)
    for m in models:
        _model_kwargs(m, setup)
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
        "models": {m: _describe(m, setup) for m in models},
        "setup": setup_dict,
        "lr_search": search,
        "results": rows,
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def load_result(name: str) -> dict:
    """Load a committed sweep, e.g. ``load_result("story_sweep.json")``, from ``results/``.

    Looks in the repository's ``results/`` folder (next to ``src/``), then in ``results/``
    under the working directory and its parent (a notebook runs inside ``book/``).

    Raises:
        FileNotFoundError: naming every place looked in.
    """
    import json
    from pathlib import Path

    here = Path(__file__).resolve().parents[2]
    places = [here / "results" / name, Path.cwd() / "results" / name,
              Path.cwd().parent / "results" / name]
    for path in places:
        if path.is_file():
            return json.loads(path.read_text())
    raise FileNotFoundError(f"no {name} in {[str(p.parent) for p in places]}; the sweep's "
                            "command is in the chapter (python -m whiteboard ...)")


def _describe(model, setup):
    cls_name, kwargs = _model_kwargs(model, setup)
    return {"class": cls_name, **kwargs}


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


def with_setup(**changes) -> Setup:
    """``Setup()`` with some fields changed (the CLI uses this)."""
    return replace(Setup(), **changes)


# ---------------------------------------------------------------------------- opening a network


def readability(states: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """How well the class can be read off the state at each step, by nearest centroid.

    The sequences are split in half.  At every step, the first half gives one centroid
    (mean state) per class; each sequence of the second half is assigned the class of the
    nearest centroid.  The result is the fraction assigned correctly: 1 when the state still
    separates the classes cleanly, ``1/n_classes`` when it has forgotten them.

    Args:
        states: (T, B, H) hidden or cell states of B sequences.
        labels: (B,) class ids.
        n_classes: the number of classes.

    Returns:
        (T,) accuracy at each step.
    """
    states = np.asarray(states, dtype=float)
    labels = np.asarray(labels)
    half = states.shape[1] // 2
    fit, test = slice(0, half), slice(half, None)
    if not all(np.any(labels[fit] == k) for k in range(n_classes)):
        raise ValueError("every class needs at least one sequence in the first half")
    # centroids: (T, K, H)
    centroids = np.stack([states[:, fit][:, labels[fit] == k].mean(axis=1)
                          for k in range(n_classes)], axis=1)
    d = ((states[:, test, None, :] - centroids[:, None]) ** 2).sum(axis=-1)  # (T, B2, K)
    return (d.argmin(axis=-1) == labels[test]).mean(axis=1)


def memory_units(states: np.ndarray, labels: np.ndarray, n_classes: int):
    """Rank units by how much of their variance the class explains (η², best first).

    ``η² = Σ_k n_k (μ_k − μ)² / Σ_b (s_b − μ)²`` per unit: 1 when a unit takes one value
    per class, 0 when it ignores the class.

    Args:
        states: (B, H) states of B sequences at one step (e.g. the answer step).
        labels: (B,) class ids.

    Returns:
        ``(order, eta2)``: unit indices sorted by η², and η² of every unit (H,).
    """
    states = np.asarray(states, dtype=float)
    mu = states.mean(axis=0)
    total = ((states - mu) ** 2).sum(axis=0)
    between = sum((labels == k).sum() * (states[labels == k].mean(axis=0) - mu) ** 2
                  for k in range(n_classes) if np.any(labels == k))
    eta2 = between / np.maximum(total, 1e-300)
    return np.argsort(-eta2), eta2
