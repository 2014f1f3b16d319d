"""The playground: the trained RNN, LSTM and GRU run in the reader's browser, with no kernel.

:func:`playground` returns a :class:`Playground`; as the last expression of a cell it shows
itself as self-contained HTML, SVG and plain JavaScript (no library, no network), which works
the same in the built HTML book, JupyterLab, Colab and Voilà. The reader types a story, steps
through it word by word, watches every gate and state as a heatmap [unit × word], forces a
gate from some word on, and adds distractor sentences to stretch the gap.

What the page embeds, so that its numbers equal numpy's (to about 1e-12):

- each network's weights, the raw little-endian bytes in base85 (Python's ``b85encode``: five
  characters for four bytes, none of them a quote or a backslash that JSON would escape),
  float32 when the float64 weights are exactly float32 values, as the stored networks are
  (half the bytes, the same numbers), float64 otherwise;
- the vocabulary and the rules of :func:`whiteboard.training.story.encode_story` (split at
  spaces and full stops, a full stop is a word, try the word, then lower case, then
  Capitalised); a word the task does not know is listed with the nearest known words and
  left out of the run instead of stopping it;
- each cell's gate spec (name, block, activation) from :data:`whiteboard.cells.CELL_GATES`,
  and each gate's label in the lectures' words (``"output gate, selective write"``, from
  :func:`whiteboard.notation.gate_habits`) for the gate menu and the heatmaps;
- the distractor templates and their slot words, for the "Add a distractor" button.

The page mirrors the models' forward pass (``whiteboard.models``) and the gate what-ifs of
:func:`whiteboard.analysis.whatif.run_whatif`: a forced gate takes its value from its start
word on, and the forced run's heatmaps show under the trained run's, on the same scales.
Each heatmap is a bitmap of one pixel per cell (drawn crisp), with the units 0..H-1 beside it
(the book counts units from 0) and the words under it. The page numbers words from 1, as the
chapters count steps; ``start`` in ``wbRun``'s overrides counts from 0, like ``tokens`` (the
"from word" field n is start n - 1). Every root element (class ``wb-playground``) has
``root.wbRun(text, overrides)`` returning
``{tokens, ids, unknown, models: {name: {h, probs, <gates>, c}}}`` with arrays ``[word][unit]``
(``probs``: ``[word][class]``); ``tests/test_playground.py`` compares every array with numpy's.
The HTML is a function of its content (``data-uid`` is a hash of the data), so a notebook
executes to the same text every time.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from whiteboard.cells import CELL_GATES
from whiteboard.checks import check_choices, check_text
from whiteboard.notation import gate_habits
from whiteboard.training.story import (
    COUNTRIES,
    LANGUAGES,
    LECTURE_STORY,
    SLOTS,
    TEMPLATES,
    story_vocab,
)
from whiteboard.viz.script import PageView, json_data, script

__all__ = ["Playground", "playground", "playground_shell", "MODELS", "PLAYGROUND_JS",
           "playable"]

MODELS = ("story_rnn", "story_lstm", "story_gru")
# The page's script: the networks (cells, network), the playground's engine, view, controller.
PLAYGROUND_JS = ("random.js", "cells.js", "network.js", "engine.js", "view.js", "app.js")
_CORE_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def playable() -> tuple[str, ...]:
    """The stored networks the playground can run: every story network (one-hot or embedded)."""
    from whiteboard import pretrained

    return tuple(n for n in pretrained.names() if pretrained.recipe(n)["task"] == "story")


def _encode(a: np.ndarray) -> tuple[str, str]:
    """``(dtype, base85)`` of ``a``'s little-endian bytes, float32 when that loses nothing."""
    a = np.ascontiguousarray(a, dtype="<f8")
    small = a.astype("<f4")
    if np.array_equal(small.astype("<f8"), a):
        return "f4", base64.b85encode(small.tobytes()).decode("ascii")
    return "f8", base64.b85encode(a.tobytes()).decode("ascii")


def _model_record(name: str) -> dict:
    from whiteboard import pretrained

    net = pretrained.load(name)
    core, p = net.core, net.core.parameters()
    arrays = {k: p[k] for k in _CORE_KEYS}
    arrays.update(V=net.readout.V, c=net.readout.c)
    if net.embed is not None:  # x_t = E[token] (D numbers) instead of a one-hot vector
        arrays["E"] = net.embed.E
    weights = {k: dict(zip(("dtype", "data"), _encode(v), strict=True)) for k, v in
               arrays.items()}
    return {"name": name, "kind": core.kind, "label": core.kind.upper(),
            "H": core.hidden_size, "D": core.input_size, "K": int(net.readout.V.shape[0]),
            "act": getattr(core, "nonlinearity", None), "weights": weights}


def _gate_label(kind: str, gate) -> str:
    """What the page calls a gate: its role, with the lectures' habit when it has one
    ("output gate, selective write"; "candidate (the lectures' s̃_t)")."""
    habit = gate_habits(kind).get(gate.name)
    return f"{gate.role.split(' (')[0]}, {habit}" if habit else gate.role


def gate_spec(kinds) -> dict:
    """``{kind: [{name, block, activation, role, feeds, label}]}`` in block order, from the
    cells; ``label`` is the role in the lectures' words (see ``notation.gate_habits``)."""
    return {kind: [{"name": g.name, "block": g.block, "activation": g.activation,
                    "role": g.role, "feeds": g.feeds, "label": _gate_label(kind, g)}
                   for g in sorted(CELL_GATES[kind], key=lambda g: g.block)]
            for kind in kinds}


@dataclass(frozen=True)
class Playground(PageView):
    """The in-page playground for ``models`` (pretrained names), starting with ``story``.

    Make one with :func:`playground`, which validates its input.
    """

    UID_PREFIX = "wbg"

    models: tuple[str, ...]
    story: str

    def __repr__(self) -> str:
        return f"Playground(models={self.models!r}, story={self.story!r})"

    @cached_property
    def data(self) -> dict:
        """Everything the page's script needs, as JSON-ready data."""
        records = [_model_record(n) for n in self.models]
        return {"models": records, "gates": gate_spec(sorted({r["kind"] for r in records})),
                "vocab": list(story_vocab()), "classes": list(LANGUAGES),
                "countries": list(COUNTRIES),
                "story": self.story, "default_story": LECTURE_STORY,
                "templates": list(TEMPLATES), "slots": {k: list(v) for k, v in SLOTS.items()},
                "seed": 13}

    def to_html(self) -> str:
        """The self-contained HTML: the controls, the panels' frame, the data and the script."""
        code = script(PLAYGROUND_JS, root="wb-playground", uid=self.uid,
                      setup="wbPlaygroundSetup")
        return _TEMPLATE.format(uid=self.uid, story=html.escape(self.story),
                                data=json_data(self.data), style=_STYLE, script=code)


def playground_shell(uid: str, story: str = LECTURE_STORY) -> str:
    """The playground's HTML with no networks and no script: a page that trains networks
    itself (the trainer) fills it with them and starts it (``wbPlaygroundSetup(root, data)``)."""
    return _TEMPLATE.format(uid=uid, story=html.escape(story), data="{}", style=_STYLE,
                            script="")


def playground(models=MODELS, story: str = LECTURE_STORY) -> Playground:
    """The trained networks ``models`` running in the page, reading ``story`` to start with.

    Args:
        models: names of stored one-hot story networks (see :func:`playable`), shown side
            by side in this order.
        story: the text in the story box when the page opens; the reader can change it.
            Words the task does not know are named on the page and skipped.

    Returns:
        A :class:`Playground`; as the last expression of a cell it displays itself.

    Raises:
        TypeError: ``models`` is not a list or tuple of strings, or ``story`` is not a
            string.
        ValueError: ``models`` is empty, repeats a name, or names a network that is not
            playable (the message lists the choices).
    """
    models = check_choices(models, playable(), "models")
    return Playground(models, check_text(story, "story"))


# The page's look, scoped to the playground. Text inherits the page's colour (currentColor),
# so it reads in light and dark mode; the heatmap colours are data and carry their own legend.
# Panels sit side by side while each gets ~19em (two in the book's column, three on a wide
# screen) and stack below that; a panel alone lays its heatmaps out in columns instead.
_STYLE = """\
.wb-playground{font-size:max(12px,1em);color:inherit;border:1px solid currentColor;\
border-radius:6px;padding:.6em 1em;margin:1em 0;box-sizing:border-box;max-width:100%;\
position:relative}
.wb-playground *{box-sizing:border-box}
.wb-playground:focus-visible,.wb-pg-map:focus-visible{outline:3px solid currentColor;\
outline-offset:2px}
.wb-pg-f{font:inherit;color:inherit;background:transparent;border:1px solid currentColor;\
border-radius:4px;padding:.15em .4em;max-width:100%;min-width:0}
button.wb-pg-f{cursor:pointer}
.wb-pg-label{display:block}
.wb-pg-story{width:100%;display:block}
.wb-pg-bar{display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:center;margin:.4em 0}
.wb-pg-bar label{display:inline-flex;align-items:center;gap:.3em;max-width:100%;min-width:0}
.wb-pg-force{border:1px solid currentColor;border-radius:4px;margin:.4em 0;padding:.3em .8em;\
min-width:0}
.wb-pg-force legend{font:inherit;float:none;width:auto;margin:0;padding:0 .3em}
.wb-pg-p{margin:.3em 0}
.wb-pg-tokens{margin:.3em 0;line-height:1.9;max-height:6em;overflow-y:auto;position:relative}
.wb-pg-tokens span{padding:0 .15em;cursor:pointer}
.wb-pg-on{outline:2px solid currentColor;font-weight:bold}
.wb-pg-words .wb-pg-on{outline:none}
.wb-pg-key{display:inline-flex;align-items:center;gap:.3em;margin-right:1.2em}
.wb-pg-key svg{border:1px solid currentColor}
.wb-pg-panels{display:flex;flex-wrap:wrap;gap:1em 1.5em;align-items:flex-start}
.wb-pg-panel{flex:1 1 19em;min-width:0;max-width:100%}
.wb-pg-panel p{margin:.2em 0}
.wb-pg-maps{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,19em),1fr));\
gap:.2em 1.5em}
.wb-pg-block{margin:.4em 0 0}
.wb-pg-cap,.wb-pg-twin-label{margin:.2em 0}
.wb-pg-row{display:grid;grid-template-columns:2.4em minmax(0,1fr)}
.wb-pg-units,.wb-pg-words,.wb-pg-twin-label,.wb-pg-readout{font-size:max(12px,.8em)}
.wb-pg-units{display:flex;flex-direction:column;justify-content:space-between;\
align-items:flex-end;padding-right:.3em;line-height:1}
.wb-pg-map{display:block;width:100%;border:1px solid currentColor;cursor:crosshair}
.wb-pg-map image{image-rendering:optimizeSpeed;image-rendering:crisp-edges;\
image-rendering:pixelated}
.wb-pg-words{position:relative;overflow:hidden}
.wb-pg-words div{position:absolute;top:.2em;writing-mode:vertical-lr;white-space:pre}
.wb-pg-dr{display:flex;align-items:center;gap:.4em}
.wb-pg-dn{width:6.5em}
.wb-pg-db{flex:1;position:relative;height:1em}
.wb-pg-db span{position:absolute;left:0;top:0;background:currentColor;opacity:.65}
.wb-pg-db .wb-pg-dq{top:.6em;height:.4em;background:none;opacity:1;\
border:1px dashed currentColor}
.wb-pg-why{margin:.4em 0}
.wb-pg-why-cap,.wb-pg-ww{font-size:max(12px,.8em)}
.wb-pg-why-bars{display:flex;flex-wrap:wrap;gap:.15em .3em;align-items:flex-end}
.wb-pg-wy{display:inline-flex;flex-direction:column;align-items:center;min-width:1.2em}
.wb-pg-wbx{display:flex;align-items:flex-end;height:2.4em;width:100%;\
border-bottom:1px solid currentColor}
.wb-pg-wbar{display:block;width:100%;min-height:1px;background:currentColor;opacity:.65}
.wb-pg-readout{position:absolute;z-index:3;pointer-events:none;max-width:min(24em,90%);\
padding:.2em .5em;border:1px solid currentColor;border-radius:4px;\
box-shadow:0 1px 4px rgba(0,0,0,.35)}
"""

_TEMPLATE = """\
<div class="wb-playground" data-uid="{uid}" tabindex="0" role="group" \
aria-label="Playground: the trained networks run your story; left and right arrows step \
through the words">
<style>{style}</style>
<script type="application/json" class="wb-pg-data">{data}</script>
<label class="wb-pg-label">Your story (type, paste or edit)<br>
<textarea class="wb-pg-story wb-pg-f" rows="3" spellcheck="false">{story}</textarea></label>
<div class="wb-pg-bar">
<button type="button" class="wb-pg-distract wb-pg-f">Add a distractor</button>
<button type="button" class="wb-pg-reset wb-pg-f">Back to the lectures' story</button></div>
<p class="wb-pg-unknown wb-pg-p" aria-live="polite"></p>
<div class="wb-pg-tokens"></div>
<div class="wb-pg-bar">
<button type="button" class="wb-pg-prev wb-pg-f" aria-label="previous word">&#9664; previous\
</button>
<label>word <input type="range" class="wb-pg-slider" min="1" max="1" value="1" \
style="max-width:10em"></label>
<button type="button" class="wb-pg-next wb-pg-f" aria-label="next word">next &#9654;</button>
<span class="wb-pg-word" aria-live="polite"></span></div>
<fieldset class="wb-pg-force"><legend>Force a gate</legend><div class="wb-pg-bar">
<label>gate <select class="wb-pg-gate wb-pg-f"></select></label>
<label>value <select class="wb-pg-value wb-pg-f">\
<option value="0">0</option><option value="1">1</option></select></label>
<label>from word <input type="number" class="wb-pg-start wb-pg-f" min="1" value="1" \
style="width:4.5em"></label>
<span class="wb-pg-start-word"></span></div></fieldset>
<p class="wb-pg-p">Under each answer, <i>why this answer</i>: a bar per word, as tall as \
that word moved the answer: the size of the gradient of the answer's score (its logit, before \
the softmax) with respect to the word's input vector, the tallest bar being the story's largest. \
Point at a bar for its value.</p>
<p class="wb-pg-p">Step with the buttons, the slider or the arrow keys. Point at a heatmap \
cell, or focus a heatmap with Tab and use the arrow keys, to read its exact value.</p>
<div class="wb-pg-legend wb-pg-p"></div>
<div class="wb-pg-panels"></div>
<div class="wb-pg-readout" role="status" aria-live="polite" hidden></div>
{script}
</div>
"""

