"""Quick questions with one right answer, checked in the page with no kernel.

:func:`ask` makes a multiple-choice question and :func:`ask_number` a question whose answer is
a number typed in a text field. Either returns a :class:`Quiz`; as the last expression of a
cell it displays itself as self-contained HTML (a ``<fieldset class="wb-quiz">`` and a small
plain-JavaScript script, ``viz/js/quiz.js``), which works the same in the built HTML book,
JupyterLab and Colab.
The reader chooses or types, presses *Check* (or Enter), and reads "Right — ..." or
"Not quite — ..." in a live region that screen readers announce.

The HTML is a function of the question alone: its ``data-uid`` is a hash of everything the
quiz says, so executing a notebook twice gives the same text (nbval compares it). The same
HTML may appear several times on one page; each copy works on its own.

The answer has to be in the page for the script to check it. It is kept out of plain sight,
not secret: the answer, the explanation and the hints are one JSON record, XOR'd with a key
stream made from the quiz's ``data-uid`` and written as base64 in ``data-key``. This is *not*
security (the script that decodes it is next to it); it only keeps a reader who opens the
HTML source from seeing the answer by accident.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real

from whiteboard.viz.script import script

__all__ = ["Quiz", "ask", "ask_number"]


@dataclass(frozen=True, repr=False)
class Quiz:
    """A question with one right answer, shown as HTML with in-page feedback.

    Make one with :func:`ask` (``kind == "choice"``) or :func:`ask_number`
    (``kind == "number"``) rather than directly: they validate the input.
    """

    kind: str
    question: str
    options: tuple[str, ...] = ()
    answer: float = 0  # the index of the right option, or the number
    explain: str = ""
    hints: tuple[str, ...] = ()  # choice: one per option ("" = the default); number: one
    tolerance: float = 0.0
    unit: str = ""

    def __repr__(self) -> str:
        # The text/plain output next to the HTML: the question and the options, no answer.
        lines = [f"Quiz: {self.question}"]
        if self.kind == "choice":
            lines += [f"  ({chr(ord('a') + k)}) {o}" for k, o in enumerate(self.options)]
        else:
            lines.append(f"  [type a number{' in ' + self.unit if self.unit else ''}]")
        return "\n".join(lines)

    @property
    def uid(self) -> str:
        """An id made from the content, so the same quiz always gives the same HTML."""
        return "wbq" + hashlib.sha1(self._record(everything=True).encode()).hexdigest()[:16]

    def _record(self, everything: bool = False) -> str:
        """The JSON the script decodes (with ``everything``, the text hashed into the uid)."""
        if self.kind == "choice":
            rec = {"a": int(self.answer), "e": self.explain, "h": list(self.hints)}
        else:
            rec = {"a": self.answer, "t": self.tolerance, "e": self.explain,
                   "h": self.hints[0], "u": self.unit}
        if everything:
            rec.update(k=self.kind, q=self.question, o=list(self.options))
        return json.dumps(rec, ensure_ascii=False, sort_keys=True)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The self-contained HTML: the question, its inputs, a Check button and the script."""
        uid = self.uid
        esc = html.escape
        if self.kind == "choice":
            body = "\n".join(
                f'<label style="display:block;margin:.2em 0;cursor:pointer">'
                f'<input type="radio" name="{uid}" value="{k}"> {esc(o)}</label>'
                for k, o in enumerate(self.options))
        else:
            unit = f" {esc(self.unit)}" if self.unit else ""
            body = ('<label style="display:inline-block;margin:.2em 0">Your answer '
                    '<input type="text" class="wb-quiz-input" inputmode="decimal" '
                    'autocomplete="off" spellcheck="false" size="10" '
                    f'style="{_FIELD_STYLE}">{unit}</label>')
        return _TEMPLATE.format(
            uid=uid, kind=self.kind, key=_hide(uid, self._record()),
            question=esc(self.question), body=body, field_style=_FIELD_STYLE,
            script=script(["quiz.js"], root="wb-quiz", uid=uid, setup="wbQuizSetup"),
        )


def ask(question: str, options: Sequence[str], answer: int | str, *, explain: str = "",
        wrong: Mapping[int | str, str] | None = None) -> Quiz:
    """A multiple-choice question with one right option.

    Args:
        question: the question, plain text (it is HTML-escaped).
        options: the choices, at least two distinct non-empty strings, shown in this order.
        answer: the index of the right option in ``options``, or the right option itself.
        explain: shown after "Right — " when the reader chooses the right option.
        wrong: optional hints for wrong options, ``{option index or option: hint}``; a
            hint is shown after "Not quite — " when that option is checked (otherwise
            "try again.").

    Returns:
        A :class:`Quiz`; as the last expression of a cell it displays itself as HTML.

    Raises:
        TypeError: ``question``/``explain``/a hint is not a string, ``options`` is not a list
            of strings, ``answer`` is neither an int nor a string, ``wrong`` is not a mapping.
        ValueError: an empty question, fewer than two options, an empty or repeated option,
            ``answer`` out of range or not among the options, a hint for a missing option or
            for the right one.
    """
    question = _text(question, "question", required=True)
    if isinstance(options, str) or not isinstance(options, Sequence):
        raise TypeError(f"options must be a list of strings, got {type(options).__name__}")
    options = tuple(options)
    if len(options) < 2:
        raise ValueError(f"options must hold at least two choices, got {len(options)}")
    for k, o in enumerate(options):
        _text(o, f"options[{k}]", required=True)
    if len(set(options)) != len(options):
        seen = sorted({o for o in options if options.count(o) > 1})
        raise ValueError(f"options must be distinct, repeated: {seen}")
    index = _option_index(answer, options, "answer")
    hints = [""] * len(options)
    if wrong is not None:
        if not isinstance(wrong, Mapping):
            raise TypeError(f"wrong must be a dict {{option index: hint}}, "
                            f"got {type(wrong).__name__}")
        for key, hint in wrong.items():
            k = _option_index(key, options, "a key of wrong")
            if k == index:
                raise ValueError(f"wrong gives a hint for the right answer {options[k]!r}")
            hints[k] = _text(hint, f"wrong[{key!r}]")
    return Quiz("choice", question, options, index, _text(explain, "explain"), tuple(hints))


def ask_number(question: str, answer: float, *, tolerance: float = 0.0, unit: str = "",
               explain: str = "", hint: str = "") -> Quiz:
    """A question whose answer is a number the reader types.

    The reader may type ``0.5``, ``.5``, ``0,5``, ``1/2``, ``5e-1`` or ``−0.5`` (a Unicode
    minus), with spaces, and with ``unit`` after the number. A value ``x`` is right when
    ``|x - answer| <= tolerance`` (plus 1e-9 relative slack, so ``0.1 + 0.2``-style rounding
    never marks an exact answer wrong).

    Args:
        question: the question, plain text (it is HTML-escaped).
        answer: the right value, a finite real number.
        tolerance: how far from ``answer`` a typed value may be, >= 0 (0: exact).
        unit: shown after the field, e.g. ``"steps"``.
        explain: shown after "Right — " when the value is right.
        hint: shown after "Not quite — " when it is wrong (otherwise "try again.").

    Raises:
        TypeError: ``answer`` or ``tolerance`` is not a real number (``bool`` and strings are
            rejected), or a text argument is not a string.
        ValueError: an empty question, a NaN or infinite ``answer``, a negative or
            non-finite ``tolerance``.
    """
    question = _text(question, "question", required=True)
    answer = _finite(answer, "answer")
    tolerance = _finite(tolerance, "tolerance")
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    return Quiz("number", question, (), answer, _text(explain, "explain"),
                (_text(hint, "hint"),), tolerance, _text(unit, "unit"))


def _text(value, name: str, required: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if required and not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


def _finite(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _option_index(value, options: tuple[str, ...], name: str) -> int:
    """``value`` as an index into ``options``: an int in range, or one of the options."""
    if isinstance(value, str):
        if value not in options:
            raise ValueError(f"{name} {value!r} is not among the options {list(options)}")
        return options.index(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an option's index (int) or the option itself (str), "
                        f"got {type(value).__name__} {value!r}")
    if not 0 <= value < len(options):
        raise ValueError(f"{name} {value} is out of range: the index of one of "
                         f"{len(options)} options, 0 to {len(options) - 1}")
    return int(value)


def _keystream(uid: str, n: int) -> bytes:
    # Mirrored in viz/js/quiz.js's wbQuizReveal; change both together.
    key = uid + ":key"
    return bytes((ord(key[i % len(key)]) + 31 * i) & 255 for i in range(n))


def _hide(uid: str, text: str) -> str:
    """``text`` XOR'd with the uid's key stream, in base64: out of sight, not secret."""
    data = text.encode("utf-8")
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _keystream(uid, len(data)),
                                                        strict=True))).decode("ascii")


_FIELD_STYLE = ("font:inherit;color:inherit;background:transparent;"
                "border:1px solid currentColor;border-radius:4px;padding:.15em .4em")

# Text inherits the page's colour (currentColor), so it reads in dark mode too; right and wrong
# are told by a word and a mark (a check or a cross, in fonts that have no emoji too), and the
# coloured border only repeats them.
_TEMPLATE = """\
<fieldset class="wb-quiz" data-uid="{uid}" data-kind="{kind}" data-key="{key}" \
style="font-size:max(12px,1em);color:inherit;border:1px solid currentColor;\
border-radius:6px;padding:.5em 1em;margin:1em 0;max-width:44em">
<legend style="font-weight:bold;padding:0 .3em">{question}</legend>
{body}
<div style="margin-top:.5em"><button type="button" class="wb-quiz-check" \
style="{field_style};cursor:pointer">Check</button></div>
<p class="wb-quiz-feedback" aria-live="polite" \
style="margin:.5em 0 0;min-height:1.4em;padding-left:.5em;border-left:.3em solid transparent">\
</p>
{script}
</fieldset>
"""
