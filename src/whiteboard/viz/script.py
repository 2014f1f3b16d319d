"""The one way the in-page views load their JavaScript: files of ``viz/js/`` in one script.

Every view that runs in the page (the playground, the trainer, the frame player, the quiz) is
HTML with its data in the markup or in a JSON element, and one ``<script>`` element made by
:func:`script`: the view's files from ``viz/js/``, minified, run in order inside one function
in strict mode (nothing leaks into the page's globals), then ``wbBoot`` (``boot.js``) starts
every root element of the view's ``data-uid`` once. A view whose work runs in a Web Worker
names its worker's entry point: the same script, run in the worker (where there is no
``document``), calls it instead of ``wbBoot``, so the worker is built from the page's own code.

The pure functions of the same files run under ``node --test`` (``tests/js/``), which loads
them with ``tests/js/load.js``.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

__all__ = ["JS", "script", "json_data", "content_uid", "PageView"]

JS = Path(__file__).resolve().parent / "js"


def script(files, *, root: str, uid: str, setup: str, worker: str | None = None) -> str:
    """The ``<script>`` element that runs ``files`` of ``viz/js/`` and starts the view.

    Args:
        files: file names in ``viz/js/``, in the order they run (``boot.js`` is added first).
        root: the class of the view's root element, e.g. ``"wb-quiz"``.
        uid: the view's ``data-uid``; it also replaces ``__UID__`` in the code.
        setup: the name of the function that sets up one root element, ``setup(root)``.
        worker: the name of the function a Web Worker running this same script calls.
    """
    code = "\n".join(_minify((JS / f).read_text()) for f in ("boot.js", *files))
    start = f'wbBoot("{root}", "{uid}", {setup});'
    if worker:
        start = f'if (typeof document === "undefined") {{ {worker}(); }} else {{ {start} }}'
    body = f'(function () {{\n"use strict";\n{code}\n{start}\n}})();'
    return "<script>\n" + body.replace("__UID__", uid) + "\n</script>"


def json_data(data) -> str:
    """``data`` as compact JSON that can sit inside a ``<script type="application/json">``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/")  # never end the <script> element early


def content_uid(prefix: str, data) -> str:
    """An id made from ``data`` (JSON-ready): the same view always gives the same HTML, so a
    notebook executes to the same text every time."""
    blob = json.dumps(data, sort_keys=True).encode()
    return prefix + hashlib.sha1(blob).hexdigest()[:12]


def _minify(js: str) -> str:
    """``js`` without comment lines, indentation or blank lines: the same program, fewer bytes.

    Only whole-line ``//`` comments go; a comment after code stays, so that nothing inside a
    string or a regular expression is ever cut.
    """
    lines = (line.strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


class PageView:
    """What the page views (playground, trainer, text pad) share: an id made from their
    ``data`` (prefix ``UID_PREFIX``), so the same view always gives the same HTML, and a
    notebook showing itself through ``to_html``."""

    UID_PREFIX = "wb"

    @cached_property
    def uid(self) -> str:
        """An id made from the content: the same view always gives the same HTML."""
        return content_uid(self.UID_PREFIX, self.data)

    def _repr_html_(self) -> str:
        return self.to_html()
