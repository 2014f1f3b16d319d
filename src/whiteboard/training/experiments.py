"""The book's experiments as functions: RNN against LSTM on tasks with a controlled lag.

One *run* (:func:`train_and_test`) trains one model (one seed, one learning rate) on one
task at one lag and reports its accuracy on a held-out test set.  Sweeps of many runs are in
:mod:`whiteboard.training.sweeps`.

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

import time
from dataclasses import dataclass, replace

import numpy as np

from whiteboard.training.data import LANGUAGES, STORY_MIN_LAG, make_stories, story_vocab
from whiteboard.training.synthetic import (
    TEMPORAL_CLASSES,
    TEMPORAL_VOCAB,
    make_adding,
    make_temporal_order,
)
from whiteboard.training.train import SequenceModel, evaluate, train

__all__ = ["Setup", "TASKS", "MODELS", "SEARCH_SEED", "build", "train_and_test",
           "train_and_test_many", "train_lags", "min_lag",
           "test_set", "task_of", "model_kwargs", "describe", "with_setup", "load_result"]

_VALIDATION, _TEST = 7_000, 9_000  # seed roots of the held-out sets
SEARCH_SEED = 1_000  # the learning-rate search uses seeds 1000, 1001, ...: never the sweep's 0..n-1


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
        search_seeds: seeds per learning rate in the search (1000, 1001, ...).  With two,
            a rate that solves a long lag now and then can win by luck; four make that rare.
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
    search_seeds: int = 4
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


def task_of(task):
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}")
    return TASKS[task]


def model_kwargs(model, setup):
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

    t = task_of(task)
    cls_name, kwargs = model_kwargs(model, setup)
    embed = setup.embed if t.vocab_size is not None else None
    D = embed or t.input_size
    core = getattr(whiteboard, cls_name)(D, setup.hidden, seed=seed, **kwargs)
    return SequenceModel(core, t.out_size, vocab_size=t.vocab_size, embed_dim=embed,
                         loss=t.loss, seed=seed)


def _held_out(task, lag, size, root):
    t = task_of(task)
    return t.make(size, lag, rng=np.random.default_rng((root, lag)))


def test_set(task: str, lag: int, setup: Setup = Setup()):
    """The test set of ``task`` at ``lag`` (the same for every model and seed)."""
    return _held_out(task, lag, setup.test_size, _TEST)


def _measure(task, net, hist, lags, setup, seconds) -> dict:
    """The result of one trained network: test accuracy at each of ``lags`` and its history."""
    tests = {lag: evaluate(net, test_set(task, lag, setup)) for lag in lags}
    first = tests[lags[0]]
    result = {
        "accuracy": first["accuracy"],
        "val_accuracy": hist["eval_accuracy"][-1],
        "val_loss": hist["eval_loss"][-1],
        "steps_run": hist["steps_run"],
        "seconds": round(seconds, 3),
        "diverged": hist["diverged"],
    }
    if "per_class" in first:
        result["per_class"] = [round(a, 4) for a in first["per_class"]]
    if len(lags) > 1:
        result["by_lag"] = {str(lag): tests[lag]["accuracy"] for lag in lags}
    return result


def train_and_test(task: str, model: str, lag: int, seed: int, lr: float, setup: Setup = Setup(), *,
        quiet: bool = True, return_net: bool = False):
    """Train one model once and measure it (the simple path: :func:`train`, one network).

    Returns:
        dict with ``accuracy`` (test), ``val_accuracy``, ``steps_run``, ``seconds`` and
        ``diverged``; with ``return_net=True``, the triple ``(result, net, history)`` with
        the trained network and the history from :func:`whiteboard.training.train.train`.
    """
    t = task_of(task)
    net = build(task, model, seed, setup)
    val = _held_out(task, lag, setup.val_size, _VALIDATION)

    def make_batch(rng):
        return t.make(setup.batch, lag, rng=rng)

    start = time.perf_counter()
    hist = train(net, make_batch, steps=setup.steps, lr=lr, seed=np.random.default_rng((seed, lag)),
                 clip=setup.clip, eval_batch=val, eval_every=setup.eval_every,
                 stop_at=setup.stop_at, quiet=quiet, desc=f"{model} lag {lag} seed {seed}")
    result = _measure(task, net, hist, [lag], setup, time.perf_counter() - start)
    return (result, net, hist) if return_net else result


def train_lags(lag) -> tuple[int, int]:
    """``(low, high)`` of a training lag given as an int (fixed) or a pair (mixed)."""
    if isinstance(lag, (tuple, list)):
        low, high = (int(v) for v in lag)
        return low, high
    return int(lag), int(lag)


def train_and_test_many(task: str, lag, runs, setup: Setup = Setup(), *, test_lags=None,
                        return_nets: bool = False):
    """Train several runs side by side (:func:`whiteboard.training.stack.train_stack`).

    Each run ``(model, seed, lr)`` is trained as :func:`train_and_test` trains it: seed
    ``s`` initialises the network and its training batches come from
    ``default_rng((s, lag))``; its own learning rate, clipping and early stopping.  Runs
    with the same seed share that stream of batches, drawn once per step.

    Args:
        task: a key of :data:`TASKS`.
        lag: the training lag; or ``(low, high)`` for *mixed* lags, where every training
            batch has one lag drawn from ``low..high`` (by the run's stream, whose seed is
            then ``(s, low, high)``).  A mixed run never stops early and is validated at
            ``high``.
        runs: ``(model, seed, lr)`` triples.
        setup: shared training settings.
        test_lags: the lags to test at (default: ``[lag]``, or ``[high]`` for mixed lags);
            with more than one, each result has ``by_lag``.
        return_nets: also return the trained networks and their histories.

    Returns:
        one result dict per run, as :func:`train_and_test` returns (and with
        ``return_nets``, the pair ``(results, [(net, history), ...])``).
    """
    from whiteboard.training.stack import train_stack

    t = task_of(task)
    low, high = train_lags(lag)
    mixed = low != high
    test_lags = [high] if test_lags is None else [int(v) for v in test_lags]
    runs = list(runs)
    nets = [build(task, m, s, setup) for m, s, _ in runs]
    val = _held_out(task, high, setup.val_size, _VALIDATION)

    def make_batch(rng):
        return t.make(setup.batch, int(rng.integers(low, high + 1)) if mixed else low, rng=rng)

    keys = [(s, low, high) if mixed else (s, low) for _, s, _ in runs]
    hists = train_stack(nets, make_batch, steps=setup.steps, lrs=[lr for *_, lr in runs],
                        seeds=keys, clip=setup.clip, eval_batch=val,
                        eval_every=setup.eval_every, stop_at=None if mixed else setup.stop_at)
    # each history has its own "seconds": the time until that run stopped
    results = [_measure(task, net, h, test_lags, setup, h["seconds"])
               for net, h in zip(nets, hists, strict=True)]
    return (results, list(zip(nets, hists, strict=True))) if return_nets else results


def load_result(name: str) -> dict:
    """Load a committed sweep, e.g. ``load_result("story_sweep.json")``, from ``results/``.

    Looks in the repository's ``results/`` folder (next to ``src/``), then in ``results/``
    under the working directory and its parent (a notebook runs inside ``book/``).

    Raises:
        FileNotFoundError: naming every place looked in.
    """
    import json
    from pathlib import Path

    here = Path(__file__).resolve().parents[3]  # src/whiteboard/training/ -> the repository
    places = [here / "results" / name, Path.cwd() / "results" / name,
              Path.cwd().parent / "results" / name]
    for path in places:
        if path.is_file():
            return json.loads(path.read_text())
    raise FileNotFoundError(f"no {name} in {[str(p.parent) for p in places]}; the sweep's "
                            "command is in the chapter (python -m whiteboard ...)")


def describe(model, setup):
    cls_name, kwargs = model_kwargs(model, setup)
    return {"class": cls_name, **kwargs}


def with_setup(**changes) -> Setup:
    """``Setup()`` with some fields changed (the CLI uses this)."""
    return replace(Setup(), **changes)
