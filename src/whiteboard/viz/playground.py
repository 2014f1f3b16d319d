"""The playground: the trained RNN, LSTM and GRU run in the reader's browser, with no kernel.

:func:`playground` returns a :class:`Playground`; as the last expression of a cell it shows
itself as self-contained HTML, SVG and plain JavaScript (no library, no network), which works
the same in the built HTML book, JupyterLab, Colab and Voilà. The reader types a story, steps
through it word by word, watches every gate and state as a heatmap [unit × word], forces a
gate from some word on, and adds distractor sentences to stretch the gap.

What the page embeds, so that its numbers equal numpy's (to about 1e-12):

- each network's weights, the raw little-endian bytes in base64 (float32 when the float64
  weights are exactly float32 values, as the stored networks are: half the bytes, the same
  numbers; float64 otherwise);
- the vocabulary and the rules of :func:`whiteboard.training.data.encode_story` (split at
  spaces and full stops, a full stop is a word, try the word, then lower case, then
  Capitalised); a word the task does not know is listed with the nearest known words and
  left out of the run instead of stopping it;
- each cell's gate spec (name, block, activation) from :data:`whiteboard.cells.GATES`;
- the distractor templates and their slot words, for the "Add a distractor" button.

The page mirrors the models' forward pass (``whiteboard.models``) and the gate what-ifs of
:func:`whiteboard.analysis.whatif.run_whatif`: a forced gate takes its value from its start
word on. Every root element (class ``wb-playground``) has ``root.wbRun(text, overrides)``
returning ``{tokens, ids, unknown, models: {name: {h, probs, <gates>, c}}}`` with arrays
``[word][unit]`` (``probs``: ``[word][class]``); ``tests/test_playground.py`` compares every
array with numpy's. The HTML is a function of its content (``data-uid`` is a hash of the
data), so a notebook executes to the same text every time.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from whiteboard.cells import GATES as CELL_GATES
from whiteboard.checks import check_choices, check_text
from whiteboard.training.data import (
    _SLOTS,
    _TEMPLATES,
    LANGUAGES,
    LECTURE_STORY,
    story_vocab,
)

__all__ = ["Playground", "playground", "MODELS", "playable"]

MODELS = ("story_rnn", "story_lstm", "story_gru")
_CORE_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
_JS = Path(__file__).resolve().parent / "js"


def playable() -> tuple[str, ...]:
    """The stored networks the playground can run: every story network (one-hot or embedded)."""
    from whiteboard import pretrained

    return tuple(n for n in pretrained.names() if pretrained.recipe(n)["task"] == "story")


def _encode(a: np.ndarray) -> tuple[str, str]:
    """``(dtype, base64)`` of ``a``'s little-endian bytes, float32 when that loses nothing."""
    a = np.ascontiguousarray(a, dtype="<f8")
    small = a.astype("<f4")
    if np.array_equal(small.astype("<f8"), a):
        return "f4", base64.b64encode(small.tobytes()).decode("ascii")
    return "f8", base64.b64encode(a.tobytes()).decode("ascii")


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


def _gate_spec(kinds) -> dict:
    """``{kind: [{name, block, activation, role, feeds}]}`` in block order, from the cells."""
    return {kind: [{"name": g.name, "block": g.block, "activation": g.activation,
                    "role": g.role, "feeds": g.feeds}
                   for g in sorted(CELL_GATES[kind], key=lambda g: g.block)]
            for kind in kinds}


@dataclass(frozen=True)
class Playground:
    """The in-page playground for ``models`` (pretrained names), starting with ``story``.

    Make one with :func:`playground`, which validates its input.
    """

    models: tuple[str, ...]
    story: str

    def __repr__(self) -> str:
        return f"Playground(models={self.models!r}, story={self.story!r})"

    @cached_property
    def data(self) -> dict:
        """Everything the page's script needs, as JSON-ready data."""
        records = [_model_record(n) for n in self.models]
        return {"models": records, "gates": _gate_spec(sorted({r["kind"] for r in records})),
                "vocab": list(story_vocab()), "classes": list(LANGUAGES),
                "story": self.story, "default_story": LECTURE_STORY,
                "templates": list(_TEMPLATES), "slots": {k: list(v) for k, v in _SLOTS.items()},
                "seed": 13}

    @cached_property
    def uid(self) -> str:
        """An id made from the content: the same playground always gives the same HTML."""
        blob = json.dumps(self.data, sort_keys=True).encode()
        return "wbg" + hashlib.sha1(blob).hexdigest()[:12]

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The self-contained HTML: the controls, the panels' frame, the data and the script."""
        payload = json.dumps(self.data, sort_keys=True, separators=(",", ":"))
        payload = payload.replace("</", "<\\/")  # never end the <script> element early
        script = "\n".join((_JS / f).read_text() for f in ("engine.js", "view.js", "app.js"))
        return _TEMPLATE.format(uid=self.uid, story=html.escape(self.story), data=payload,
                                field=_FIELD, script=script.replace("__UID__", self.uid))


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


_FIELD = ("font:inherit;color:inherit;background:transparent;border:1px solid currentColor;"
          "border-radius:4px;padding:.15em .4em")

# Text inherits the page's colour (currentColor), so it reads in light and dark mode; the
# heatmap colours are data and carry their own legend.
_TEMPLATE = """\
<div class="wb-playground" data-uid="{uid}" \
style="font-size:max(12px,1em);color:inherit;border:1px solid currentColor;\
border-radius:6px;padding:.6em 1em;margin:1em 0;box-sizing:border-box;max-width:100%">
<script type="application/json" class="wb-pg-data">{data}</script>
<label style="display:block">Your story (type, paste or edit)<br>
<textarea class="wb-pg-story" rows="3" spellcheck="false" \
style="{field};width:100%;box-sizing:border-box;font-size:max(12px,1em)">{story}</textarea>\
</label>
<div style="margin:.4em 0;display:flex;flex-wrap:wrap;gap:.5em">
<button type="button" class="wb-pg-distract" style="{field};cursor:pointer">\
Add a distractor</button>
<button type="button" class="wb-pg-reset" style="{field};cursor:pointer">\
Back to the lectures' story</button></div>
<p class="wb-pg-unknown" aria-live="polite" style="margin:.3em 0"></p>
<div class="wb-pg-tokens" style="margin:.3em 0;line-height:1.9"></div>
<div style="display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:.3em 0">
<button type="button" class="wb-pg-prev" aria-label="previous word" \
style="{field};cursor:pointer">&#9664; previous</button>
<label>word <input type="range" class="wb-pg-slider" min="0" max="0" value="0" \
style="vertical-align:middle;max-width:12em"></label>
<button type="button" class="wb-pg-next" aria-label="next word" \
style="{field};cursor:pointer">next &#9654;</button>
<span class="wb-pg-word" aria-live="polite"></span></div>
<fieldset class="wb-pg-force" style="border:1px solid currentColor;border-radius:4px;\
margin:.4em 0;padding:.3em .8em">
<legend>Force a gate</legend>
<label>gate <select class="wb-pg-gate" style="{field}"></select></label>
<label>value <select class="wb-pg-value" style="{field}">\
<option value="0">0</option><option value="1">1</option></select></label>
<label>from word <input type="number" class="wb-pg-start" min="0" value="0" \
style="{field};width:5em"></label>
<span class="wb-pg-start-word"></span></fieldset>
<p class="wb-pg-readout" aria-live="polite" style="margin:.3em 0;min-height:1.4em">\
Point at a cell of a heatmap, or focus one with Tab and move with the arrow keys, \
to read its exact value.</p>
<div class="wb-pg-legend" style="margin:.3em 0"></div>
<div class="wb-pg-panels" style="display:flex;flex-wrap:wrap;gap:1em"></div>
<script>
(function () {{
"use strict";
{script}
}})();
</script>
</div>
"""
