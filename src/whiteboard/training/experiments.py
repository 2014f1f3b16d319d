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

Seeds: seed ``s`` initialises the recurrent core and the read-out, and the training batches
come from ``default_rng((s, lag))``.  The validation and test sets depend only on the task
and the lag, so every model and seed is judged on the same sequences.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from whiteboard.training.loop import evaluate, train_stack
from whiteboard.training.memory_tasks import (
    TEMPORAL_CLASSES,
    TEMPORAL_VOCAB,
    make_adding,
    make_temporal_order,
)
from whiteboard.training.network import SequenceModel
from whiteboard.training.story import LANGUAGES, STORY_MIN_LAG, make_stories, story_vocab
from whiteboard.training.variants import CURRICULUM_START, MODELS, hidden_size, model_spec

__all__ = ["Setup", "RunSpec", "TASKS", "MODELS", "SEARCH_SEED", "build", "train_and_test",
           "batches", "curriculum_lag", "as_lags", "min_lag",
           "test_set", "probe_set", "task_of", "model_kwargs", "describe", "with_setup",
           "load_result"]

_VALIDATION, _PROBE, _TEST = 7_000, 8_000, 9_000  # seed roots of the held-out sets
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
        val_size: validation sequences (learning-rate search and early stopping); 0: no
            validation, so no early stopping either.
        test_size: test sequences (the reported accuracy).
        lrs: the learning-rate grid searched per model.
        search_seeds: seeds per learning rate in the search (1000, 1001, ...).  With two,
            a rate that solves a long lag now and then can win by luck; four make that rare.
        embed: size D of the learned token embedding that feeds every model (None: one-hot
            vectors of the vocabulary's size); ignored for real-valued inputs.
        optimizer: ``"adam"`` or ``"sgd"``.
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
    optimizer: str = "adam"


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

def min_lag(task: str) -> int:
    """The shortest lag the task's generator can make."""
    return TASKS[task].min_lag


def task_of(task):
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}")
    return TASKS[task]


def model_kwargs(model, setup):
    """``(class name, keyword arguments)`` of the core of ``model`` (a key of MODELS)."""
    spec = model_spec(model)
    kwargs = dict(spec.kwargs)
    if spec.cls == "LSTM":
        kwargs.setdefault("forget_bias", setup.forget_bias)
    return spec.cls, kwargs


def _sizes(task, model, setup):
    """``(D, H)``: the core's input size and hidden size for ``model`` on ``task``."""
    t = task_of(task)
    D = (setup.embed if t.vocab_size is not None else None) or t.input_size
    return D, hidden_size(model, setup.hidden, D, t.out_size)


def build(task: str, model: str, seed: int, setup: Setup = Setup()) -> SequenceModel:
    """A fresh network for ``task``: inputs -> ``model`` core -> readout, seeded with ``seed``."""
    import whiteboard

    t = task_of(task)
    cls_name, kwargs = model_kwargs(model, setup)
    embed = setup.embed if t.vocab_size is not None else None
    D, H = _sizes(task, model, setup)
    core = getattr(whiteboard, cls_name)(D, H, seed=seed, **kwargs)
    return SequenceModel(core, t.out_size, vocab_size=t.vocab_size, embed_dim=embed,
                         loss=t.loss, seed=seed)


def _held_out(task, lag, size, root):
    t = task_of(task)
    return t.make(size, lag, rng=np.random.default_rng((root, lag)))


def test_set(task: str, lag: int, setup: Setup = Setup()):
    """The test set of ``task`` at ``lag`` (the same for every model and seed)."""
    return _held_out(task, lag, setup.test_size, _TEST)


def probe_set(task: str, lag: int, size: int = 256):
    """Sequences of ``task`` at ``lag`` for measuring a network during or after training.

    Drawn from their own seeds (root 8000): never trained, validated or tested on.
    """
    return _held_out(task, lag, size, _PROBE)


def _measure(task, net, hist, lags, setup) -> dict:
    """The result of one trained network: test accuracy at each of ``lags`` and its history."""
    tests = {lag: evaluate(net, test_set(task, lag, setup)) for lag in lags}
    first = tests[lags[0]]
    validated = bool(hist["eval_accuracy"])
    result = {
        "accuracy": first["accuracy"],
        "val_accuracy": hist["eval_accuracy"][-1] if validated else None,
        "val_loss": hist["eval_loss"][-1] if validated else None,
        "steps_run": hist["steps_run"],
        "seconds": round(hist["seconds"], 3),  # until this run stopped
        "diverged": hist["diverged"],
    }
    if "per_class" in first:
        result["per_class"] = [round(a, 4) for a in first["per_class"]]
    if len(lags) > 1:
        result["by_lag"] = {str(lag): tests[lag]["accuracy"] for lag in lags}
    return result


def as_lags(lag) -> tuple[int, int]:
    """``(low, high)`` of a training lag given as an int (fixed) or a pair (mixed)."""
    if isinstance(lag, (tuple, list)):
        low, high = (int(v) for v in lag)
        return low, high
    return int(lag), int(lag)


@dataclass(frozen=True)
class RunSpec:
    """One training run: a model, trained once on a task, then tested.

    Attributes:
        task: a key of :data:`TASKS`.
        model: a key of :data:`MODELS`.
        lags: ``(low, high)`` training lags: every training batch has one lag drawn from
            ``low..high`` by the run's stream (``low == high``: one fixed lag).  A run is
            validated at ``high``; a mixed-lag run never stops early.
        seed: initialises the network (core and read-out).
        lr: the learning rate.
        setup: everything else about training (:class:`Setup`).
        test_lags: the lags the result reports (None: ``(high,)``).
        stream: the key of the training batches' generator (None: ``(seed, lag)`` for a
            fixed lag, ``(seed, low, high)`` for mixed lags).
    """

    task: str
    model: str
    lags: tuple
    seed: int
    lr: float
    setup: Setup = Setup()
    test_lags: tuple | None = None
    stream: object = None

    def __post_init__(self):
        object.__setattr__(self, "lags", as_lags(self.lags))
        if self.test_lags is not None:
            object.__setattr__(self, "test_lags", tuple(int(v) for v in self.test_lags))
        if self.curriculum and self.mixed:
            raise ValueError(f"{self.model} trains on a curriculum towards one lag; it cannot "
                             f"also train on mixed lags {self.lags}")

    @property
    def mixed(self) -> bool:
        return self.lags[0] != self.lags[1]

    @property
    def curriculum(self) -> bool:
        """The model trains on gaps growing towards its lag (:func:`curriculum_lag`)."""
        return model_spec(self.model).curriculum

    @property
    def stream_key(self):
        if self.stream is not None:
            return self.stream
        return (self.seed, *self.lags) if self.mixed else (self.seed, self.lags[0])


def curriculum_lag(step: int, steps: int, target: int, start: int = CURRICULUM_START) -> int:
    """The gap of a curriculum's batch at ``step`` (1-based) of a ``steps``-step budget.

    It grows linearly from ``start`` at step 1 to ``target`` halfway through the budget and
    stays at ``target`` for the second half, where the run is validated and stops once solved.
    A target below ``start`` is used from the first step.
    """
    start = min(start, target)
    ramp = max(1, steps // 2)
    return start + (target - start) * min(step - 1, ramp - 1) // max(1, ramp - 1)


def batches(task: str, lags, batch: int, *, curriculum_steps: int | None = None):
    """``rng -> batch``: training batches of ``task``; with mixed lags each batch draws its own.

    The one definition of a training stream: a fixed lag, or mixed lags ``(low, high)`` where
    the stream's generator draws the batch's lag uniformly from ``low..high`` first, or, with
    ``curriculum_steps`` (the budget), the fixed lag reached by a curriculum: the n-th batch
    drawn from a generator has the gap :func:`curriculum_lag` gives step n.  (The training
    loop draws exactly one batch per step from each stream it uses.)
    """
    t = task_of(task)
    low, high = as_lags(lags)
    if curriculum_steps is not None:
        drawn = {}  # id of a stream's generator -> batches drawn from it so far

        def grow(rng):
            n = drawn[id(rng)] = drawn.get(id(rng), 0) + 1
            return t.make(batch, curriculum_lag(n, curriculum_steps, high), rng=rng)

        return grow
    if low == high:
        return lambda rng: t.make(batch, low, rng=rng)
    return lambda rng: t.make(batch, int(rng.integers(low, high + 1)), rng=rng)


def train_and_test(runs, *, return_nets: bool = False, quiet: bool = True, on_eval=None):
    """Train the runs side by side (:func:`whiteboard.training.loop.train_stack`), test each.

    The runs must share their task, training lags and setup (a sweep groups them so); they
    may differ in model, seed and learning rate.  Runs with equal stream keys share one
    stream of batches, drawn once per step.

    Args:
        runs: :class:`RunSpec` items.
        return_nets: also return the trained networks (each with its ``history``).
        quiet: no progress bar.
        on_eval: passed to :func:`~whiteboard.training.loop.train_stack`: called as
            ``on_eval(i, step, params)`` after every validation of run ``runs[i]``.

    Returns:
        one result dict per run: ``accuracy`` (test, at the first test lag), ``val_accuracy``,
        ``val_loss``, ``steps_run``, ``seconds``, ``diverged``, ``per_class`` for
        classification, and ``by_lag`` with more than one test lag; with ``return_nets``,
        the pair ``(results, nets)``.
    """
    runs = list(runs)
    if not runs or any(not isinstance(r, RunSpec) for r in runs):
        raise TypeError("runs must be a non-empty list of RunSpec")
    first = runs[0]
    if any((r.task, r.lags, r.setup, r.curriculum) != (first.task, first.lags, first.setup,
                                                        first.curriculum) for r in runs):
        raise ValueError("runs trained together must share their task, lags and setup, and "
                         "their schedule (a curriculum or none)")
    task, setup, (low, high) = first.task, first.setup, first.lags
    nets = [build(task, r.model, r.seed, setup) for r in runs]
    val = _held_out(task, high, setup.val_size, _VALIDATION) if setup.val_size else None
    stream = batches(task, first.lags, setup.batch,
                     curriculum_steps=setup.steps if first.curriculum else None)
    hists = train_stack(nets, stream, steps=setup.steps,
                        lrs=[r.lr for r in runs], seeds=[r.stream_key for r in runs],
                        optimizer=setup.optimizer, clip=setup.clip, eval_batch=val,
                        eval_every=setup.eval_every,
                        stop_at=None if first.mixed else setup.stop_at, quiet=quiet,
                        desc=f"{task} lag {low}" + (f"-{high}" if first.mixed else ""),
                        on_eval=on_eval)
    results = [_measure(task, net, h, list(r.test_lags or (high,)), setup)
               for r, net, h in zip(runs, nets, hists, strict=True)]
    return (results, nets) if return_nets else results


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


def describe(model, setup, task="story"):
    """The core of ``model`` as the result's ``models`` table records it."""
    cls_name, kwargs = model_kwargs(model, setup)
    spec = model_spec(model)
    out = {"class": cls_name, **kwargs}
    if spec.wide:
        out["hidden"] = _sizes(task, model, setup)[1]
    if spec.curriculum:
        out["curriculum"] = True
    return out


def with_setup(**changes) -> Setup:
    """``Setup()`` with some fields changed (the CLI uses this)."""
    return replace(Setup(), **changes)
