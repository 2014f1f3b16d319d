"""The trained networks the chapters analyse: committed weights, and the recipe that made them.

Two machines whose CPUs or BLAS libraries round a matrix product differently in the last bit
train two different networks from the same seed: a few hundred optimiser steps amplify the
difference.  A chapter that printed numbers from a network it had just trained would print
other numbers on the reader's machine.  So the networks are data: each is stored here as
weights (``NAME.npz``) with a record (``NAME.json``: the recipe, the command, the date, the
versions and the measured test accuracy), and the recipe stays code that anyone can re-run.

    >>> from whiteboard import pretrained
    >>> pretrained.names()                   # every stored network
    >>> net = pretrained.load("story_rnn")   # a SequenceModel, ready to use
    >>> pretrained.recipe("story_rnn")       # how it was trained, as a dict
    >>> again = pretrained.train("story_rnn")   # re-run the recipe (other digits, same skill)

``python -m whiteboard pretrain [NAME ...]`` regenerates the files.  The weights are stored
as float32 to keep the files small (the language models of Python source as float16, their
recipe's ``stored``, so that the page that runs two of them stays small); :func:`load`
returns a float64 network holding exactly those values, so every machine computes with the
same weights.

Two kinds of recipe share this one interface (see :func:`recipe` and
:func:`evaluate_recipe`): the story networks (``task`` ``"story"``) and the character
language models of Python source (``task`` ``"python"``).
"""

from __future__ import annotations

import copy
import datetime
import json
import platform
from pathlib import Path

import numpy as np

__all__ = ["names", "recipe", "record", "load", "history", "train", "evaluate_recipe", "save",
           "DIRECTORY"]

DIRECTORY = Path(__file__).resolve().parent

_MIXED = {"task": "story", "hidden": 32, "embed": None, "lags": [3, 12], "batch": 32,
          "steps": 3000, "optimizer": "adam", "lr": 0.01, "clip": 1.0, "seed": 0,
          "stop_at": None, "eval_every": 100, "stream": 0}
# Chapter 6's fixed-lag runs: exactly seed 0 of the committed sweep (results/story_fair_sweep.json)
# at the learning rate its search chose, with early stopping on the validation set.
_FIXED = {"task": "story", "hidden": 16, "embed": 16, "batch": 32, "steps": 3000,
          "optimizer": "adam", "clip": 1.0, "seed": 0, "stop_at": 0.99, "eval_every": 100}

# The character language models of Python source: one embedding, window, batch and budget,
# and sizes chosen so that the three have (nearly) the same number of parameters.
_TEXT = {"task": "python", "embed": 32, "batch": 32, "window": 100, "steps": 8000,
         "optimizer": "adam", "lr": 0.003, "clip": 1.0, "seed": 0, "dtype": "float32",
         "eval_every": 1000, "stream": 0, "stored": "float16"}

_RECIPES = {
    "story_rnn": {
        "about": "chapter 1's tanh RNN: one-hot words, H = 32, stories with lags 3 to 12",
        "model": "rnn", **_MIXED},
    "story_lstm": {
        "about": "an LSTM trained like story_rnn (forget-gate bias 3 at the start)",
        "model": "lstm", "forget_bias": 3.0, **_MIXED},
    "story_gru": {
        "about": "a GRU trained like story_rnn",
        "model": "gru", **_MIXED},
    "story_lstm_lag20": {
        "about": "chapter 6's LSTM (forget-gate bias 3), trained at lag 20",
        "model": "lstm", "forget_bias": 3.0, "lags": [20, 20], "lr": 0.03, **_FIXED},
    "story_rnn_lag20": {
        "about": "chapter 6's tanh RNN, trained at lag 20",
        "model": "rnn", "lags": [20, 20], "lr": 0.001, **_FIXED},
    "story_rnn_lag10": {
        "about": "exercise 6.2's tanh RNN, trained at lag 10 (seed 2, one that solved it)",
        "model": "rnn", "lags": [10, 10], "lr": 0.003,
        **{**_FIXED, "seed": 2}},
    # seed 0 of results/story_mixed_lags.json, at the rate its search chose; not validated
    "story_rnn_mixed": {
        "about": "chapter 6's tanh RNN trained once on mixed lags 3 to 40",
        "model": "rnn", "lags": [3, 40], "lr": 0.003, **{**_FIXED, "stop_at": None}},
    "python_lstm": {
        "about": "a character-level LSTM language model of Python source (forget-gate bias 1)",
        "model": "lstm", "hidden": 128, "forget_bias": 1.0, **_TEXT},
    "python_gru": {
        "about": "a character-level GRU language model of Python source, as many parameters",
        "model": "gru", "hidden": 148, **_TEXT},
    "python_rnn": {
        "about": "a character-level tanh RNN language model of Python source, as many "
                 "parameters",
        "model": "rnn", "hidden": 250, **_TEXT},
}
# "step" is not stored: it is 1, 2, ..., steps_run
_HISTORY_KEYS = ("loss", "eval_step", "eval_loss", "eval_accuracy")


def names() -> tuple[str, ...]:
    """The names of every stored network, e.g. ``("story_rnn", ...)``."""
    return tuple(_RECIPES)


def _check_name(name) -> str:
    from whiteboard.checks import check_choice

    return check_choice(name, names(), "a pretrained network's name")


def recipe(name: str) -> dict:
    """How network ``name`` was trained, as data (a fresh copy; changing it changes nothing).

    Keys: ``about``; ``task`` and ``lags`` ``[low, high]`` (each training batch has one lag
    drawn uniformly from that range; ``low == high`` is one fixed lag); the model (``model``,
    ``hidden`` H, ``embed`` D of a learned embedding or None for one-hot words, and for an
    LSTM ``forget_bias``); and the training (``seed``, ``steps``, ``batch``, ``optimizer``,
    ``lr``, ``clip`` the global gradient norm, ``stop_at`` the validation accuracy that ends
    a run early, or None for a run that is not validated, ``eval_every``, and ``stream``, the
    key of the training batches' generator when it is not the sweep's, see
    :class:`whiteboard.training.experiments.RunSpec`).

    A language model of Python source (``task`` ``"python"``) has no lags and no early
    stopping; instead ``window``, the T characters of one truncated-BPTT window, ``batch``
    the B lanes read side by side, ``dtype`` the precision it is trained in, and ``stream``
    the seed of the windows' offsets (see :func:`whiteboard.training.text.stream`), and
    ``stored``, the precision of the weights' file (float16: the record's bits per character
    are those of the rounded weights, which :func:`load` returns).
    """
    return copy.deepcopy(_RECIPES[_check_name(name)])


def _is_text(r) -> bool:
    return r["task"] == "python"


def _setup(r):
    from whiteboard.training.experiments import Setup

    # A model without a forget gate has no forget_bias; a run that is not validated (the
    # mixed-lag networks, stop_at None) never stops early either.
    extra = {k: r[k] for k in ("forget_bias", "stop_at") if r.get(k) is not None}
    if "stop_at" not in extra:
        extra["val_size"] = 0
    return Setup(hidden=r["hidden"], batch=r["batch"], steps=r["steps"], clip=r["clip"],
                 eval_every=r["eval_every"], embed=r["embed"], optimizer=r["optimizer"],
                 **extra)


def _build(r, dtype=np.float64):
    if not _is_text(r):
        from whiteboard.training.experiments import build

        return build(r["task"], r["model"], r["seed"], _setup(r))
    import whiteboard
    from whiteboard.training.language import CharLM
    from whiteboard.training.variants import model_spec

    spec = model_spec(r["model"])
    kwargs = {**spec.kwargs, **{k: r[k] for k in ("forget_bias",) if k in r}}
    core = getattr(whiteboard, spec.cls)(r["embed"], r["hidden"], seed=r["seed"], dtype=dtype,
                                         **kwargs)
    return CharLM(core, embed_dim=r["embed"], seed=r["seed"])


def _train_text(r, quiet):
    """The text recipe: truncated BPTT over the standard library, measured on held-out text."""
    from whiteboard.training.language import train_text
    from whiteboard.training.text import encode, heldout_text, stdlib_corpus, stream

    corpus = stdlib_corpus()
    lm = _build(r, np.dtype(r["dtype"]))
    windows = stream(encode(corpus.text), batch=r["batch"], window=r["window"],
                     rng=r["stream"])
    train_text(lm, windows, steps=r["steps"], lr=r["lr"], optimizer=r["optimizer"],
               clip=r["clip"], eval_ids=encode(heldout_text()), eval_every=r["eval_every"],
               quiet=quiet)
    lm.history["corpus"] = corpus.describe()
    return lm


def evaluate_recipe(name: str, net) -> dict:
    """The skill of ``net`` as ``name``'s record measures it.

    A story network: every lag of the recipe's range is tested on the book's held-out test
    stories of that lag (1000 per lag, the same for every model; see
    :func:`whiteboard.training.experiments.test_set`).  A language model of Python source:
    the held-out text (:func:`whiteboard.training.text.heldout_text`) is read once from a
    zero state.

    Returns:
        ``{"test_accuracy": mean over the lags, "by_lag": {lag: accuracy}}``, or for a
        language model ``{"bits_per_char": ..., "accuracy": how often its most likely next
        character is the right one}``.
    """
    from whiteboard.training.experiments import test_set
    from whiteboard.training.loop import evaluate

    r = recipe(name)
    if _is_text(r):
        from whiteboard.training.language import char_bits
        from whiteboard.training.text import encode, heldout_text

        bits, right = char_bits(net, encode(heldout_text()))
        return {"bits_per_char": round(float(bits.mean()), 4),
                "accuracy": round(float(right.mean()), 4)}
    low, high = r["lags"]
    by_lag = {str(lag): round(evaluate(net, test_set(r["task"], lag, _setup(r)))["accuracy"], 4)
              for lag in range(low, high + 1)}
    return {"test_accuracy": round(float(np.mean(list(by_lag.values()))), 4), "by_lag": by_lag}


def train(name: str, *, quiet: bool = True):
    """Re-run ``name``'s recipe and return the freshly trained network.

    On the machine that made the stored files this gives the same network, to the last bit;
    elsewhere the digits of the weights differ, while the test accuracy stays close to the
    recorded one (``tests/test_pretrained.py`` checks that it is within 0.03).  The history
    of the run is the network's ``history``.  A language model comes back in its recipe's
    ``dtype`` (float32); retraining one takes tens of minutes (``make bench`` does it).
    """
    r = recipe(name)
    if _is_text(r):
        return _train_text(r, quiet)
    from whiteboard.training.experiments import RunSpec, train_and_test

    # the recipe as a run of the book's experiments (the sweep's own code path)
    run = RunSpec(r["task"], r["model"], tuple(r["lags"]), r["seed"], r["lr"], _setup(r),
                  stream=r.get("stream"))
    _, (net,) = train_and_test([run], return_nets=True, quiet=quiet)
    return net


def _stored(name, suffix):
    """The path of ``name``'s stored file ``.npz`` or ``.json``, which must be there."""
    path = DIRECTORY / f"{_check_name(name)}{suffix}"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `python -m whiteboard pretrain {name}`")
    return path


def record(name: str) -> dict:
    """The stored record of ``name``: recipe, command, date, versions, shapes, test accuracy."""
    return json.loads(_stored(name, ".json").read_text())


def _arrays(name):
    with np.load(_stored(name, ".npz")) as data:
        return {k: data[k] for k in data.files}


def load(name: str):
    """The stored network ``name``, float64: a :class:`whiteboard.training.network.SequenceModel`
    (a story network) or a :class:`whiteboard.training.language.CharLM` (Python source).

    Its parameters hold exactly the stored values.  ``net.history`` is the training history
    of the run that made it (lists ``step``, ``loss``, ``eval_step``, ``eval_loss`` and
    ``eval_accuracy``, and ``steps_run``).
    """
    arrays = _arrays(name)
    net = _build(recipe(name))
    params = net.parameters()
    weights = {k[len("weight."):]: v for k, v in arrays.items() if k.startswith("weight.")}
    if set(weights) != set(params):
        raise ValueError(f"{name}.npz holds {sorted(weights)}, the recipe's network needs "
                         f"{sorted(params)}: regenerate it with `python -m whiteboard pretrain`")
    for key, value in weights.items():
        if value.shape != params[key].shape:
            raise ValueError(f"{name}.npz: {key} has shape {value.shape}, expected "
                             f"{params[key].shape}")
        params[key][...] = value  # in place: the model's arrays stay the live ones
    net.history = history(name)
    return net


def history(name: str) -> dict:
    """The training history stored with ``name`` (see :func:`load`)."""
    arrays = _arrays(name)
    hist = {k: arrays[f"history.{k}"].tolist() for k in _HISTORY_KEYS}
    hist["steps_run"] = record(name)["steps_run"]
    hist["step"] = list(range(1, len(hist["loss"]) + 1))
    return hist


def save(name: str, net, *, command: str = "") -> dict:
    """Store ``net`` (trained by ``name``'s recipe, with ``net.history``) and its record.

    The weights are rounded to float32 (or the recipe's ``stored``); the record's skill is
    measured on the network :func:`load` will return, with exactly those values.
    """
    from whiteboard import __version__

    npz, meta = (DIRECTORY / f"{_check_name(name)}{ext}" for ext in (".npz", ".json"))
    hist = net.history
    stored = recipe(name).get("stored", "float32")
    arrays = {f"weight.{k}": v.astype(stored) for k, v in net.parameters().items()}
    for key in _HISTORY_KEYS:
        dtype = np.int32 if key.endswith("step") else np.float32
        arrays[f"history.{key}"] = np.asarray(hist[key], dtype=dtype)
    np.savez_compressed(npz, **arrays)
    rec = {
        "name": name,
        "recipe": recipe(name),
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": {"whiteboard": __version__, "numpy": np.__version__,
                     "python": platform.python_version(), "machine": platform.machine()},
        "steps_run": int(hist["steps_run"]),
        "seconds": round(float(hist["seconds"]), 1),
        "shapes": {k: list(v.shape) for k, v in net.parameters().items()},
        "dtype": stored,
    }
    if "corpus" in hist:  # a language model: the text it was trained on, by version and hash
        rec["corpus"] = hist["corpus"]
    meta.write_text(json.dumps(rec, indent=1) + "\n")
    rec.update(evaluate_recipe(name, load(name)))
    meta.write_text(json.dumps(rec, indent=1) + "\n")
    return rec
