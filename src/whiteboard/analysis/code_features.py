"""Features of Python source, one value per character: what a reader of code keeps track of.

:func:`code_features` reads a text once, left to right, as a language model does, and gives
for every character:

* ``string``: 1 inside a string literal, from its opening quote to its closing one (both
  included; a prefix such as ``f`` or ``rb`` is outside), else 0;
* ``comment``: 1 from a ``#`` outside a string to the end of its line, else 0;
* ``depth``: how many brackets ``( [ {`` are open once this character is read (brackets
  inside strings and comments do not count);
* ``indent``: the spaces at the start of the current line read so far, in levels of four
  (0 on a top-level line, 2 in the body of a method);
* ``column``: the position in the current line, 0 for its first character.

:func:`docstrings` marks which of those strings are docstrings, the text in quotes that
documents a module, class or function: a string literal that stands as a statement of its own.

The scanner is written out here rather than taken from :mod:`tokenize`, whose tokens for
f-strings changed in Python 3.12: the features, and the chapter's numbers, must not depend on
the reader's Python.  It knows the quotes ``'`` ``"`` ``'''`` ``\"\"\"``, backslash escapes
and comments; an f-string's replacement fields count as string.
"""

from __future__ import annotations

import re

import numpy as np

from whiteboard.checks import check_text

__all__ = ["FEATURES", "KINDS", "code_features", "docstrings", "prediction_kinds",
           "bits_by_kind"]

FEATURES = ("string", "comment", "depth", "indent", "column")
KINDS = ("all", "inside strings", "elsewhere", "closing brackets", "closing quotes",
         "after indentation")
_OPEN, _CLOSE = "([{", ")]}"
_STATEMENT_START = re.compile(r" *[rRuUbBfF]{0,2}\Z")  # before a string that opens a statement


def _scan(text: str):
    """Yield (string, comment, depth) for every character, one pass of a small state machine."""
    quote, comment, depth, i, n = "", False, 0, 0, len(text)
    while i < n:
        ch, width = text[i], 1  # width: the characters this step reads, all marked alike
        if quote:  # inside a string: look for its end, step over escapes
            if ch == "\\" and i + 1 < n:
                width, marks = 2, (1, 0)
            elif text.startswith(quote, i):
                width, marks, quote = len(quote), (1, 0), ""
            elif ch == "\n" and len(quote) == 1:  # an unclosed one-line string ends here
                marks, quote = (0, 0), ""
            else:
                marks = (1, 0)
        elif comment:
            comment = ch != "\n"
            marks = (0, int(comment))
        elif ch == "#":
            comment, marks = True, (0, 1)
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            width, marks = len(quote), (1, 0)
        else:
            depth = max(depth + (ch in _OPEN) - (ch in _CLOSE), 0)
            marks = (0, 0)
        yield from ((*marks, depth),) * width
        i += width


def code_features(text: str) -> dict[str, np.ndarray]:
    """The features of :data:`FEATURES` at every character of ``text``, each an (N,) array.

    ``string`` and ``comment`` are 0/1 floats, ``depth`` and ``column`` counts, ``indent``
    levels of four spaces (so 0.5 for two spaces).

    Raises:
        TypeError: ``text`` is not a string.
    """
    text = check_text(text, "text")
    scanned = np.array(list(_scan(text)), dtype=float).reshape(-1, 3)
    column = np.empty(len(text))
    indent = np.empty(len(text))
    col = lead = 0
    at_start = True
    for k, ch in enumerate(text):
        column[k] = col
        if at_start and ch == " ":
            lead += 1
        elif ch != "\n":
            at_start = False
        indent[k] = lead / 4
        col = 0 if ch == "\n" else col + 1
        if ch == "\n":
            lead, at_start = 0, True
    return {"string": scanned[:, 0], "comment": scanned[:, 1], "depth": scanned[:, 2],
            "indent": indent, "column": column}


def docstrings(text: str) -> np.ndarray:
    """1 at every character of a docstring in ``text``, else 0: an (N,) float array.

    A docstring here is a string literal that is a statement of its own: only spaces and a
    prefix such as ``r`` stand before its opening quote on its line, and no bracket is open.
    Python keeps such a string as the documentation of a module, class or function when it
    comes first in their body; a string standing alone anywhere else documents too, as it
    does nothing else.  Its quotes are part of it, as in the ``string`` feature.

    Raises:
        TypeError: ``text`` is not a string.
    """
    f = code_features(text)
    inside = f["string"] > 0
    starts = np.flatnonzero(inside & ~np.r_[False, inside[:-1]])
    ends = np.flatnonzero(inside & ~np.r_[inside[1:], False]) + 1
    out = np.zeros(len(text))
    for a, b in zip(starts, ends, strict=True):
        line_start = text.rfind("\n", 0, a) + 1
        if f["depth"][a] == 0 and _STATEMENT_START.match(text, line_start, a):
            out[a:b] = 1.0
    return out


def prediction_kinds(text: str) -> dict[str, np.ndarray]:
    """Which predictions of a language model reading ``text`` are of each kind of
    :data:`KINDS`: ``{kind: (N − 1,) bool}`` over the characters 2..N it predicts.

    * ``inside strings`` / ``elsewhere``: the predicted character is in a string or not;
    * ``closing brackets``: it is ``)``, ``]`` or ``}`` outside a string (it needs the
      bracket that opened, however far back);
    * ``closing quotes``: it is a quote character that ends a string (it needs the quote
      that opened it);
    * ``after indentation``: it is the first character of a line after its leading spaces
      (outside a string): what begins a statement.
    """
    f = code_features(text)
    chars = np.array(list(text))
    nxt, s = chars[1:], f["string"][1:] > 0
    prev_space = chars[:-1] == " "
    leading = f["indent"][1:] * 4 == f["column"][1:]  # only spaces before it on its line
    ends = s & ~(np.r_[f["string"][2:], 0.0] > 0)  # the character after it is not in one
    return {"all": np.ones(len(nxt), bool), "inside strings": s, "elsewhere": ~s,
            "closing brackets": np.isin(nxt, list(_CLOSE)) & ~s,
            "closing quotes": np.isin(nxt, ["'", '"']) & ends,
            "after indentation": prev_space & leading & (nxt != " ") & (nxt != "\n") & ~s}


def bits_by_kind(bits, text: str) -> dict[str, float]:
    """The mean of ``bits`` (N − 1,) over the predictions of each kind of
    :func:`prediction_kinds`."""
    bits = np.asarray(bits, dtype=float)
    return {k: float(bits[m].mean()) if m.any() else float("nan")
            for k, m in prediction_kinds(text).items()}
