"""The trainer: the book's central experiment, run by the reader in the page, with no kernel.

:func:`trainer` returns a :class:`Trainer`; as the last expression of a cell it shows itself
as self-contained HTML, SVG and plain JavaScript (``viz/js/``, loaded by
:mod:`whiteboard.viz.script`), which works the same in the built HTML book, JupyterLab, Colab
and Voilà. The reader picks a lag, the models, the number of seeds, the step budget and the
learning rate, and trains: an RNN and an LSTM side by side on the story task (or any model of
:data:`whiteboard.training.variants.MODELS`: the GRU, the LSTM with forget bias 0, the RNN
from an orthogonal or identity start, wide, or on a curriculum), each seed in a Web Worker
made from the page's own script (in slices on the main thread where a worker cannot start),
with live charts of held-out accuracy, loss, the gradient reaching each word and the mean
forget gate. When training ends, the trained networks open in a playground on the same page.

The page's JavaScript mirrors the numpy code it replaces, and the tests hold it to it:

- ``network.js`` is :class:`whiteboard.training.network.SequenceModel` (embedding, RNN / LSTM /
  GRU core, read-out of the last state, cross-entropy, BPTT): its loss and every gradient
  equal ``loss_and_grads`` to 1e-9 (``tests/test_trainer_maths.py``);
- ``optim.js`` is :mod:`whiteboard.training.optim`'s global-norm clipping and Adam;
- ``stories.js`` is :func:`whiteboard.training.story.make_stories` with its own generator;
- ``init.js`` is the initialisation of :mod:`whiteboard.models` (the LSTM's forget bias a
  setting of each model; the RNN's orthogonal and identity starts of
  :class:`whiteboard.models.rnn.RNN`, from the page's own generator);
- ``train.js`` is the loop of :func:`whiteboard.training.loop.train` with the settings of
  :class:`whiteboard.training.experiments.Setup`, a curriculum's gaps those of
  :func:`whiteboard.training.experiments.curriculum_lag` (``tests/js/variants.test.js``).

Every root element (class ``wb-trainer``) has ``root.wbLossAndGrads(net, x, y)``,
``root.wbStories(lag, batch, seed)`` and ``root.wbTrain(config)`` (see ``DESIGN.md``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property

from whiteboard.checks import check_choices, check_positive_int
from whiteboard.models.rnn import INITS, IRNN_INPUT_STD
from whiteboard.training.experiments import MODELS as EXPERIMENT_MODELS
from whiteboard.training.experiments import Setup, load_result, model_kwargs, task_of
from whiteboard.training.story import (
    COUNTRIES,
    LANGUAGES,
    LECTURE_STORY,
    MOVES,
    NAMES,
    SLOTS,
    STORY_MIN_LAG,
    TAILS,
    TEMPLATES,
    story_vocab,
)
from whiteboard.training.variants import CURRICULUM_START, ModelSpec, hidden_size
from whiteboard.viz.playground import PLAYGROUND_JS, gate_spec, playground_shell
from whiteboard.viz.script import PageView, json_data, script

__all__ = ["Trainer", "trainer", "TRAINER_JS", "PURE_JS", "task_data", "model_specs",
           "sweep_lr", "setup_data", "LAGS"]

# The pure part of the page's script (no document): node --test and the workers run it.
PURE_JS = ("random.js", "cells.js", "network.js", "optim.js", "stories.js", "init.js",
           "train.js", "contract.js")
# The whole page's script: the pure part, the charts and the worker pool, the playground (for
# the trained networks) and the trainer's view and controller.
TRAINER_JS = (*PURE_JS, "chart.js", "pool.js", *PLAYGROUND_JS[PLAYGROUND_JS.index("engine.js"):],
              "trainer_view.js", "trainer_app.js")
LAGS = (5, 80)  # the lags the page offers
MAX_SEEDS = 5
MAX_STEPS = 20_000
MAX_WORKERS = 4  # at most this many workers, and no more than the machine's cores
SNAPSHOT_EVERY = 10  # steps between two rows of the gradient heatmap
# The model classes the page's JavaScript builds, and the keyword arguments it understands.
_KINDS = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
_KWARGS = {"nonlinearity", "forget_bias", "init"}
SWEEP = "story_fair_sweep.json"  # the committed sweep whose learning rates the page uses


def task_data() -> dict:
    """The story task's words and rules (``whiteboard.training.story``), as JSON-ready data."""
    return {"vocab": list(story_vocab()), "countries": list(COUNTRIES),
            "languages": list(LANGUAGES), "names": list(NAMES),
            "moves": [list(m) for m in MOVES],
            "tails": {str(k): [list(t) for t in v] for k, v in TAILS.items()},
            "templates": list(TEMPLATES), "slots": {k: list(v) for k, v in SLOTS.items()},
            "min_lag": STORY_MIN_LAG}


def setup_data(setup: Setup = Setup()) -> dict:
    """The training settings every run shares, from ``experiments.Setup``."""
    return {"hidden": setup.hidden, "embed": setup.embed, "batch": setup.batch,
            "clip": setup.clip, "eval_every": setup.eval_every, "stop_at": setup.stop_at,
            "val_size": setup.val_size, "steps": setup.steps, "record": SNAPSHOT_EVERY,
            "curriculum_start": CURRICULUM_START}


def _label(kind: str, kwargs: dict, spec: ModelSpec, hidden: int) -> str:
    """The model's name on the page, from what it is: "RNN, orthogonal start", "IRNN (ReLU,
    identity start)", "RNN, wide (37 units)", "LSTM, forget bias 3, curriculum"..."""
    act, init = kwargs.get("nonlinearity", "tanh"), kwargs.get("init", "uniform")
    if kind == "lstm":
        label = f"LSTM, forget bias {kwargs['forget_bias']:g}"
    elif kind == "rnn" and act == "relu" and init == "identity":
        label = "IRNN (ReLU, identity start)"
    elif kind == "rnn":
        label = "RNN" + ("" if act == "tanh" else f" ({act})") + (
            "" if init == "uniform" else f", {init} start")
    else:
        label = kind.upper()
    if spec.wide:
        label += f", wide ({hidden} units)"
    return label + (", curriculum" if spec.curriculum else "")


def model_specs(setup: Setup = Setup(), sweep: dict | None = None) -> dict:
    """``{model: {kind, label, hidden, init, input_std, nonlinearity, forget_bias, curriculum,
    lr, lr_from}}`` for every model of ``variants.MODELS`` that the page can build, with the
    learning rates the committed sweep (``results/story_fair_sweep.json``) chose.

    - ``hidden``: H of the model in ``setup`` (:func:`whiteboard.training.variants.hidden_size`:
      a wide RNN has the LSTM's parameter count), the H ``experiments.build`` gives it;
    - ``init`` (``"uniform"``, ``"orthogonal"`` or ``"identity"``) and ``input_std`` (the
      identity start's input-weight scale, else None): the start of
      :class:`whiteboard.models.rnn.RNN` (``init.js``);
    - ``curriculum``: train on gaps growing to the lag
      (:func:`whiteboard.training.experiments.curriculum_lag`, ``train.js``);
    - ``lr`` maps each lag at which the sweep searched a rate for ``lr_from`` to that rate, and
      ``lr_from`` is the model itself if the sweep searched it at any lag, else the model its
      spec names in ``lr_from`` (an ablation: ``lstm_fb0`` takes the LSTM's), else the LSTM.
      The sweep searched lags 60 and 80 only for the models that solved lag 40 on most seeds,
      so some models have no rate there: the page takes the rate at the nearest lag searched
      for the model (``wbSweepRate`` in ``trainer_app.js``).

    Args:
        setup: the training settings (H, the LSTM's forget bias).
        sweep: a sweep's result (default: ``load_result("story_fair_sweep.json")``).
    """
    sweep = load_result(SWEEP) if sweep is None else sweep
    chosen = sweep["lr_search"]["chosen"]
    D, K = setup.embed, task_of("story").out_size
    specs = {}
    for name, spec in EXPERIMENT_MODELS.items():
        kw = model_kwargs(name, setup)[1]
        if spec.cls not in _KINDS or not set(kw) <= _KWARGS or \
                kw.get("init", "uniform") not in INITS:
            continue
        kind, H = _KINDS[spec.cls], hidden_size(name, setup.hidden, D, K)
        source = next(m for m in (name, spec.lr_from, "lstm")
                      if m and any(m in chosen[lag] for lag in chosen))
        init = kw.get("init", "uniform")
        specs[name] = {"kind": kind, "label": _label(kind, kw, spec, H),
                       "hidden": H, "init": init,
                       "input_std": IRNN_INPUT_STD if init == "identity" else None,
                       "forget_bias": kw.get("forget_bias"),
                       "nonlinearity": kw.get("nonlinearity", "tanh" if kind == "rnn" else None),
                       "curriculum": spec.curriculum,
                       "lr": {lag: chosen[lag][source] for lag in chosen if source in chosen[lag]},
                       "lr_from": source}
    return specs


def sweep_lr(spec: dict, lag: int) -> tuple[float, int]:
    """``(rate, searched lag)``: the learning rate the page trains a model with at ``lag`` when
    the reader types none.

    It is the rate the sweep chose at the searched lag nearest ``lag`` (of two equally near,
    the shorter), as ``trainer_app.js``'s ``wbSweepRate`` picks it (tested equal).

    Args:
        spec: one model's entry of :func:`model_specs`.
        lag: the page's lag, from 5 to 80.
    """
    lag = check_positive_int(lag, "lag")
    searched = sorted(int(k) for k in spec["lr"])
    nearest = min(searched, key=lambda s: (abs(s - lag), s))
    return spec["lr"][str(nearest)], nearest


@dataclass(frozen=True)
class Trainer(PageView):
    """The in-page trainer, with its default settings. Make one with :func:`trainer`."""

    UID_PREFIX = "wbt"

    models: tuple[str, ...]
    lag: int
    seeds: int
    steps: int
    compact: bool = False

    def __repr__(self) -> str:
        return (f"Trainer(models={self.models!r}, lag={self.lag}, seeds={self.seeds}, "
                f"steps={self.steps}{', compact' if self.compact else ''})")

    @cached_property
    def data(self) -> dict:
        """Everything the page's script needs, as JSON-ready data."""
        return {"task": task_data(), "gates": gate_spec(["gru", "lstm", "rnn"]),
                "setup": setup_data(), "models": model_specs(), "lags": list(LAGS),
                "max_seeds": MAX_SEEDS, "max_steps": MAX_STEPS, "max_workers": MAX_WORKERS,
                "defaults": {"models": list(self.models), "lag": self.lag, "seeds": self.seeds,
                             "steps": self.steps},
                "compact": self.compact, "playground": {"story": LECTURE_STORY, "seed": 13}}

    def to_html(self) -> str:
        """The self-contained HTML: the settings, the panels' frame, the data and the script."""
        code = script(TRAINER_JS, root="wb-trainer", uid=self.uid, setup="wbTrainerSetup",
                      worker="wbWorkerMain")
        return _TEMPLATE.format(uid=self.uid, style=_STYLE, data=json_data(self.data),
                                settings=self._settings(), script=code,
                                shell=playground_shell(self.uid + "pg"),
                                talk="" if self.compact else _TALK)

    def _settings(self) -> str:
        number = ('<label>{text} <input type="number" class="wb-tr-{name} wb-tr-f" min="{lo}" '
                  'max="{hi}" value="{value}" style="width:{em}em"></label>')
        parts = [number.format(text="lag", name="lag", lo=LAGS[0], hi=LAGS[1], value=self.lag,
                               em=4.5),
                 number.format(text="seeds", name="seeds", lo=1, hi=MAX_SEEDS, value=self.seeds,
                               em=3.5)]
        if self.compact:
            return '<div class="wb-tr-bar">' + "".join(parts) + "</div>"
        parts.append(number.format(text="steps", name="steps", lo=1, hi=MAX_STEPS,
                                   value=self.steps, em=6))
        parts.append('<label>learning rate <input type="text" class="wb-tr-lr wb-tr-f" '
                     'inputmode="decimal" placeholder="the sweep\'s" style="width:7em"></label>')
        boxes = "".join(
            f'<label><input type="checkbox" class="wb-tr-model" value="{name}"'
            f'{" checked" if name in self.models else ""}> {html.escape(spec["label"])}</label>'
            for name, spec in model_specs().items())
        return ('<div class="wb-tr-bar">' + "".join(parts) + '</div><div class="wb-tr-bar" '
                'role="group" aria-label="models">models: ' + boxes + "</div>")


def trainer(models=("rnn", "lstm"), *, lag: int = 20, seeds: int = MAX_SEEDS,
            steps: int | None = None, compact: bool = False) -> Trainer:
    """The story task's RNN-against-LSTM experiment, for the reader to run in the page.

    Args:
        models: the models checked when the page opens, names of
            ``whiteboard.training.variants.MODELS`` that the page can build (all of them:
            ``rnn``, ``rnn_orth``, ``irnn``, ``rnn_wide``, ``rnn_curriculum``, ``lstm``,
            ``lstm_fb0``, ``lstm_curriculum``, ``gru``); the reader can check others.
        lag: the lag the page opens with, from 5 to 80.
        seeds: how many seeds (1 to 5) each model trains with.
        steps: the step budget of a run (default: the sweep's, ``Setup().steps``).
        compact: a smaller copy (lag and seeds only; accuracy and the gradient heatmap) for
            a chapter.

    Returns:
        A :class:`Trainer`; as the last expression of a cell it displays itself.

    Raises:
        TypeError: ``models`` is not a list or tuple of strings, or a number is not an int.
        ValueError: an unknown model (the message lists the choices), or a number out of range.
    """
    models = check_choices(models, tuple(model_specs()), "models")
    lag = check_positive_int(lag, "lag")
    if not LAGS[0] <= lag <= LAGS[1]:
        raise ValueError(f"lag must be from {LAGS[0]} to {LAGS[1]}, got {lag}")
    seeds = check_positive_int(seeds, "seeds")
    if seeds > MAX_SEEDS:
        raise ValueError(f"seeds must be from 1 to {MAX_SEEDS}, got {seeds}")
    steps = Setup().steps if steps is None else check_positive_int(steps, "steps")
    if steps > MAX_STEPS:
        raise ValueError(f"steps must be from 1 to {MAX_STEPS}, got {steps}")
    return Trainer(models, lag, seeds, steps, bool(compact))


_TALK = ('<button type="button" class="wb-tr-talk wb-tr-f" hidden>Talk to the networks you '
         'trained</button>')

# The page's look, scoped to the trainer. Text inherits the page's colour (currentColor), so it
# reads in light and dark mode; the charts draw in currentColor too, and the heatmaps' colours
# are data with their own legend. Panels sit side by side while each gets ~19em and stack
# below that.
_STYLE = """\
.wb-trainer{font-size:max(12px,1em);color:inherit;border:1px solid currentColor;\
border-radius:6px;padding:.6em 1em;margin:1em 0;box-sizing:border-box;max-width:100%}
.wb-trainer *{box-sizing:border-box}
.wb-trainer :focus-visible{outline:3px solid currentColor;outline-offset:2px}
.wb-tr-f{font:inherit;color:inherit;background:transparent;border:1px solid currentColor;\
border-radius:4px;padding:.15em .4em;max-width:100%;min-width:0}
button.wb-tr-f{cursor:pointer}
button.wb-tr-f:disabled{opacity:.55;cursor:default}
.wb-tr-bar{display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:center;margin:.4em 0}
.wb-tr-bar label{display:inline-flex;align-items:center;gap:.3em;max-width:100%;min-width:0}
.wb-tr-settings{border:1px solid currentColor;border-radius:4px;margin:.4em 0;\
padding:.3em .8em;min-width:0}
.wb-tr-settings legend{font:inherit;float:none;width:auto;margin:0;padding:0 .3em}
.wb-tr-p{margin:.3em 0}
.wb-tr-message{margin:.3em 0;font-weight:bold}
.wb-tr-message:empty{display:none}
.wb-tr-key{display:inline-flex;align-items:center;gap:.3em;margin-right:.4em}
.wb-tr-key svg{border:1px solid currentColor}
.wb-tr-panels{display:flex;flex-wrap:wrap;gap:1em 1.5em;align-items:flex-start}
.wb-tr-panel{flex:1 1 19em;min-width:0;max-width:100%}
.wb-tr-panel p{margin:.2em 0}
.wb-tr-block{margin:.6em 0 0}
.wb-tr-cap{margin:.2em 0}
.wb-tr-plot{display:grid;grid-template-columns:4.2em minmax(0,1fr)}
.wb-tr-y,.wb-tr-x{font-size:max(12px,.8em)}
.wb-tr-y{display:flex;flex-direction:column;justify-content:space-between;align-items:flex-end;\
padding-right:.3em;line-height:1}
.wb-tr-svg{display:block;width:100%;height:7em;border:1px solid currentColor}
[data-chart='grad'] .wb-tr-svg{height:10em}
.wb-tr-svg image{image-rendering:optimizeSpeed;image-rendering:crisp-edges;\
image-rendering:pixelated}
.wb-tr-x{position:relative;display:flex;justify-content:space-between;margin-left:4.2em;\
min-height:1.4em}
[data-chart='grad'] .wb-tr-svg{background:repeating-linear-gradient(45deg,transparent 0 5px,\
rgba(128,128,128,.3) 5px 6px)}
[data-chart='grad'] .wb-tr-x{min-height:2.8em}
.wb-tr-at{position:absolute;top:0;white-space:nowrap}
.wb-tr-end{right:0;top:1.4em}
.wb-tr-svg path{fill:none;stroke:currentColor;vector-effect:non-scaling-stroke}
path.wb-tr-seed{stroke-width:1;opacity:.55}
path.wb-tr-mean{stroke-width:3}
path.wb-tr-chance{stroke-width:1;stroke-dasharray:4 3}
.wb-tr-table{border-collapse:collapse;margin:.5em 0;max-width:100%}
.wb-tr-table caption{text-align:left}
.wb-tr-table th,.wb-tr-table td{border:1px solid currentColor;padding:.2em .5em;text-align:left}
"""

_TEMPLATE = """\
<div class="wb-trainer" data-uid="{uid}" role="group" aria-label="Trainer: train an RNN and an \
LSTM on the story task in this page">
<style>{style}</style>
<script type="application/json" class="wb-tr-data">{data}</script>
<fieldset class="wb-tr-settings"><legend>Settings</legend>
{settings}</fieldset>
<p class="wb-tr-rates wb-tr-p"></p>
<p class="wb-tr-message" role="alert"></p>
<div class="wb-tr-bar">
<button type="button" class="wb-tr-train wb-tr-f">Train</button>
<button type="button" class="wb-tr-pause wb-tr-f" disabled>Pause</button>
<button type="button" class="wb-tr-reset wb-tr-f">Reset</button>
<span class="wb-tr-status" aria-live="polite"></span></div>
<p class="wb-tr-legend wb-tr-p"></p>
<div class="wb-tr-panels"></div>
<div class="wb-tr-results" aria-live="polite"></div>
{talk}
<template class="wb-tr-pg">{shell}</template>
<div class="wb-tr-playground"></div>
{script}
</div>
"""
