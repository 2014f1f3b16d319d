"""The text pad: the language models of Python source run in the reader's browser.

:func:`textpad` returns a :class:`TextPad`; as the last expression of a cell it shows itself
as self-contained HTML and plain JavaScript (no library, no network).  The reader types or
pastes code and sees, character by character, the unit of each model that tracks a chosen
feature of the code (inside a string, inside a comment, bracket depth, indentation, position
in the line) as the colour behind the character, the model's most likely next characters at
the character they point at, and the model writing on from the end of their text at a
temperature and seed they choose.

The page runs the playground's networks (``viz/js/cells.js``, ``network.js``, ``engine.js``:
the same forward pass of every cell) and its own ``viz/js/text_pad.js`` and ``text_view.js``.
What it embeds, so that its numbers equal numpy's:

- each network's weights as the little-endian bytes of their float16 values in base64 (the
  stored language models hold float16 values exactly, see :mod:`whiteboard.pretrained`);
- the alphabet (:data:`whiteboard.training.text.CHARS`) and the rule of
  :func:`whiteboard.training.text.to_alphabet` (a tab is four spaces, any other character
  outside the alphabet is ``?``, and the page says how many it replaced);
- each model's tracking units: for every feature the unit of its carried state (the LSTM's
  c_t, else h_t) with the largest correlation on the held-out text, with a colour scale.

Every root element (class ``wb-textpad``) has ``root.wbRead(text)`` returning ``{text, ids,
replaced, models: {name: {probs, state, h}}}`` (arrays ``[character][class]`` and
``[character][unit]``: the state after each character, as :func:`whiteboard.analysis.units.
read_text` keeps it) and ``root.wbSample(name, text, n, temperature, seed)`` returning
``{text, ids, u}``: the ``n`` characters drawn after ``text``, drawn as
:func:`whiteboard.training.language.sample_ids` draws them from the uniform numbers ``u``
(the page's own seeded generator, mulberry32).  ``tests/test_textpad.py`` compares them
with numpy's.
"""

from __future__ import annotations

import base64
import functools
import html
import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from whiteboard.analysis.code_features import FEATURES
from whiteboard.checks import check_choices, check_text
from whiteboard.viz.playground import PLAYGROUND_JS, gate_spec
from whiteboard.viz.script import PageView, json_data, script

__all__ = ["TextPad", "textpad", "MODELS", "DEFAULT_TEXT"]

MODELS = ("python_lstm", "python_rnn")
# The networks and the playground's engine (as the playground loads them), then the pad.
_FILES = [*PLAYGROUND_JS[: PLAYGROUND_JS.index("engine.js") + 1], "text_pad.js", "text_view.js"]
_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "V", "c", "E")
DEFAULT_TEXT = '''def greet(name, times=1):
    """Say hello (more than once, if asked)."""
    for _ in range(times):
        print(f"hello, {name}!")  # one line each
    return {"name": name, "times": [times, (times + 1)]}
'''
FEATURE_NAMES = {"string": "inside a string", "comment": "inside a comment",
                 "depth": "bracket depth", "indent": "indentation level",
                 "column": "position in the line"}


def _half(a: np.ndarray) -> dict:
    """``{"dtype": "f2", "data": base64}`` of ``a``'s float16 bytes; ``a`` must hold float16
    values exactly (the stored language models do)."""
    small = np.ascontiguousarray(a, dtype="<f2")
    if not np.array_equal(small.astype(np.float64), a):
        raise ValueError("the weights are not float16 values: the page would compute with "
                         "other numbers than numpy")
    return {"dtype": "f2", "data": base64.b64encode(small.tobytes()).decode("ascii")}


@functools.cache
def _tracking(name: str) -> str:
    """The tracking units of a stored network on the held-out text, as JSON (cached)."""
    from whiteboard import pretrained
    from whiteboard.analysis.units import tracking_units
    from whiteboard.training.text import heldout_text

    return json.dumps(tracking_units(pretrained.load(name), heldout_text()))


def _model_record(name: str, units: dict) -> dict:
    from whiteboard import pretrained

    lm = pretrained.load(name)
    core, p = lm.core, lm.parameters()
    return {"name": name, "kind": core.kind, "label": core.kind.upper(),
            "H": core.hidden_size, "D": core.input_size, "K": lm.vocab_size,
            "act": getattr(core, "nonlinearity", None), "state": "c" if core.kind == "lstm"
            else "h", "units": units, "weights": {k: _half(p[k]) for k in _KEYS}}


@dataclass(frozen=True)
class TextPad(PageView):
    """The in-page text pad for ``models`` (stored language models), starting with ``text``.

    Make one with :func:`textpad`, which validates its input.
    """

    UID_PREFIX = "wbt"

    models: tuple[str, ...]
    text: str
    units: str  # JSON {name: {feature: {unit, r, scale}}}

    def __repr__(self) -> str:
        return f"TextPad(models={self.models!r}, text={self.text[:30]!r}...)"

    @cached_property
    def data(self) -> dict:
        """Everything the page's script needs, as JSON-ready data."""
        from whiteboard.training.text import CHARS

        units = json.loads(self.units)
        records = [_model_record(n, units[n]) for n in self.models]
        return {"models": records, "gates": gate_spec(sorted({r["kind"] for r in records})),
                "chars": CHARS, "features": [[f, FEATURE_NAMES[f]] for f in FEATURES],
                "text": self.text, "temperatures": [0.5, 0.8, 1.0, 1.2], "length": 200,
                "limit": 3000}

    def to_html(self) -> str:
        """The self-contained HTML: the controls, the data and the script."""
        code = script(_FILES, root="wb-textpad", uid=self.uid, setup="wbTextSetup")
        return _TEMPLATE.format(uid=self.uid, text=html.escape(self.text),
                                data=json_data(self.data), style=_STYLE, script=code)


def textpad(models=MODELS, text: str = DEFAULT_TEXT, *, units: dict | None = None) -> TextPad:
    """The language models ``models`` running in the page, reading ``text`` to start with.

    Args:
        models: names of stored language models of Python source, shown in this order.
        text: the code in the box when the page opens; the reader can change it.
        units: ``{name: tracking_units(...)}`` when already measured (default: measured on
            the held-out text, see :func:`whiteboard.analysis.units.tracking_units`).

    Raises:
        TypeError: ``models`` is not a list or tuple of strings, or ``text`` not a string.
        ValueError: ``models`` is empty, repeats a name, or names no language model.
    """
    from whiteboard import pretrained

    choices = tuple(n for n in pretrained.names() if pretrained.recipe(n)["task"] == "python")
    models = check_choices(models, choices, "models")
    text = check_text(text, "text")
    units = {n: (units or {}).get(n) or json.loads(_tracking(n)) for n in models}
    return TextPad(models, text, json.dumps(units, sort_keys=True))


_STYLE = """\
.wb-textpad{font-size:max(12px,1em);color:inherit;border:1px solid currentColor;\
border-radius:6px;padding:.6em 1em;margin:1em 0;box-sizing:border-box;max-width:100%}
.wb-textpad *{box-sizing:border-box}
.wb-tp-f{font:inherit;color:inherit;background:transparent;border:1px solid currentColor;\
border-radius:4px;padding:.15em .4em;max-width:100%}
button.wb-tp-f{cursor:pointer}
.wb-tp-code{width:100%;display:block;font-family:monospace}
.wb-tp-bar{display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:center;margin:.4em 0}
.wb-tp-p{margin:.3em 0}
.wb-tp-text{font-family:monospace;white-space:pre;overflow-x:auto;line-height:1.35;\
margin:.2em 0 .6em;padding:.2em;border:1px solid currentColor;border-radius:4px}
.wb-tp-text span{cursor:pointer}
.wb-tp-text .wb-tp-at{outline:2px solid currentColor}
.wb-tp-next{font-family:monospace;margin:.2em 0 .6em}
.wb-tp-sample{font-family:monospace;white-space:pre-wrap;margin:.2em 0 .6em;padding:.2em;\
border-left:3px solid currentColor}
"""

_TEMPLATE = """\
<div class="wb-textpad" data-uid="{uid}" role="group" aria-label="Text pad: the trained \
language models read your code">
<style>{style}</style>
<script type="application/json" class="wb-tp-data">{data}</script>
<label>Your code (type, paste or edit)<br>
<textarea class="wb-tp-code wb-tp-f" rows="7" spellcheck="false">{text}</textarea></label>
<div class="wb-tp-bar"><label>colour by the unit that tracks <select class="wb-tp-feature \
wb-tp-f"></select></label></div>
<p class="wb-tp-note wb-tp-p" aria-live="polite"></p>
<div class="wb-tp-models"></div>
<fieldset class="wb-tp-p"><legend>Let the models write on</legend><div class="wb-tp-bar">
<label>temperature <select class="wb-tp-temp wb-tp-f"></select></label>
<label>seed <input type="number" class="wb-tp-seed wb-tp-f" min="0" value="0" \
style="width:5em"></label>
<button type="button" class="wb-tp-write wb-tp-f">write 200 characters</button></div>
<div class="wb-tp-samples" aria-live="polite"></div></fieldset>
{script}
</div>
"""
