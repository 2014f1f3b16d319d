"""The trainer: the book's central experiment, run by the reader in the page, with no kernel.

:func:`trainer` returns a :class:`Trainer`; as the last expression of a cell it shows itself
as self-contained HTML, SVG and plain JavaScript (``viz/js/``, loaded by
:mod:`whiteboard.viz.script`), which works the same in the built HTML book, JupyterLab, Colab
and Voilà. The reader picks a lag, the models, the number of seeds, the step budget and the
learning rate, and trains: an RNN and an LSTM side by side on the story task, each seed in a
Web Worker made from the page's own script (in slices on the main thread where a worker
cannot start), with live charts of held-out accuracy, loss, the gradient reaching each word
and the mean forget gate. When training ends, the trained networks open in a playground on
the same page.

The page's JavaScript mirrors the numpy code it replaces, and the tests hold it to it:

- ``network.js`` is :class:`whiteboard.training.train.SequenceModel` (embedding, RNN / LSTM /
  GRU core, read-out of the last state, cross-entropy, BPTT): its loss and every gradient
  equal ``loss_and_grads`` to 1e-9 (``tests/test_trainer_maths.py``);
- ``optim.js`` is :mod:`whiteboard.training.optim`'s global-norm clipping and Adam;
- ``stories.js`` is :func:`whiteboard.training.data.make_stories` with its own generator;
- ``train.js`` is the loop of :func:`whiteboard.training.train.train` with the settings of
  :class:`whiteboard.training.experiments.Setup`, and the initialisation of
  :mod:`whiteboard.models` (the LSTM's forget bias a setting of each model).

Every root element (class ``wb-trainer``) has ``root.wbLossAndGrads(net, x, y)``,
``root.wbStories(lag, batch, seed)`` and ``root.wbTrain(config)`` (see ``DESIGN.md``).
"""

from __future__ import annotations

from whiteboard.training.data import (
    _MOVES,
    _NAMES,
    _SLOTS,
    _TAILS,
    _TEMPLATES,
    COUNTRIES,
    LANGUAGES,
    STORY_MIN_LAG,
    story_vocab,
)
from whiteboard.training.experiments import MODELS as EXPERIMENT_MODELS
from whiteboard.training.experiments import Setup, load_result

__all__ = ["PURE_JS", "task_data", "model_specs", "setup_data", "LAGS"]

# The pure part of the page's script (no document): node --test and the workers run it.
PURE_JS = ("random.js", "cells.js", "network.js", "optim.js", "stories.js", "train.js",
           "contract.js")
LAGS = (5, 80)  # the lags the page offers
SNAPSHOT_EVERY = 10  # steps between two rows of the gradient heatmap
# The model classes the page's JavaScript builds, and the keyword arguments it understands.
_KINDS = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
_KWARGS = {"nonlinearity", "forget_bias"}


def task_data() -> dict:
    """The story task's words and rules (``whiteboard.training.data``), as JSON-ready data."""
    return {"vocab": list(story_vocab()), "countries": list(COUNTRIES),
            "languages": list(LANGUAGES), "names": list(_NAMES),
            "moves": [list(m) for m in _MOVES],
            "tails": {str(k): [list(t) for t in v] for k, v in _TAILS.items()},
            "templates": list(_TEMPLATES), "slots": {k: list(v) for k, v in _SLOTS.items()},
            "min_lag": STORY_MIN_LAG}


def setup_data(setup: Setup = Setup()) -> dict:
    """The training settings every run shares, from ``experiments.Setup``."""
    return {"hidden": setup.hidden, "embed": setup.embed, "batch": setup.batch,
            "clip": setup.clip, "eval_every": setup.eval_every, "stop_at": setup.stop_at,
            "val_size": setup.val_size, "steps": setup.steps, "record": SNAPSHOT_EVERY}


def _label(name: str, kind: str, kwargs: dict) -> str:
    if kind == "lstm":
        return f"LSTM, forget bias {kwargs['forget_bias']:g}"
    if kind == "rnn" and kwargs.get("nonlinearity", "tanh") != "tanh":
        return f"RNN ({kwargs['nonlinearity']})"
    return kind.upper() if name == kind else name


def model_specs(setup: Setup = Setup(), sweep: dict | None = None) -> dict:
    """``{model: {kind, label, forget_bias, nonlinearity, lr}}`` for every model of the
    experiments that the page can build, with the learning rates the committed sweep chose.

    ``lr`` maps each lag of the sweep to its rate; a model the sweep did not search borrows
    the rate of the model it names in ``experiments.MODELS``, else the LSTM's.
    """
    from whiteboard.training.experiments import model_kwargs

    sweep = load_result("story_sweep.json") if sweep is None else sweep
    chosen = sweep["lr_search"]["chosen"]
    specs = {}
    for name, (cls, kwargs, borrows) in EXPERIMENT_MODELS.items():
        if cls not in _KINDS or not set(kwargs) <= _KWARGS:
            continue
        kind, kw = _KINDS[cls], model_kwargs(name, setup)[1]
        source = next((m for m in (name, borrows, "lstm") if m and
                       all(m in chosen[lag] for lag in chosen)), None)
        specs[name] = {"kind": kind, "label": _label(name, kind, kw),
                       "forget_bias": kw.get("forget_bias"),
                       "nonlinearity": kw.get("nonlinearity", "tanh" if kind == "rnn" else None),
                       "lr": {lag: chosen[lag][source] for lag in chosen}, "lr_from": source}
    return specs
