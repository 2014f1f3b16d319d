"""The book's own styles, and the theme's default colour mode.

* ``static/book.css`` (added to every page) makes the pages read on a phone and in dark
  mode: long inline code wraps, display equations and wide tables scroll inside themselves
  with a visible sign that they do, header buttons show a focus ring, and the book's own
  views (quiz, frame player, playground, trainer) sit on the page's own background in dark
  mode instead of the light panel the theme gives every HTML output (their text follows the
  page's colour).
* The theme reads its default mode from ``html_context["default_mode"]``; left unset, a
  first visit logs "Got invalid theme mode" and falls back to auto. The book sets auto
  (follow the reader's system setting) unless the configuration chose one.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
CSS = "book.css"


def _configure(app, config):
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.html_context = {"default_mode": "auto", **config.html_context}


def setup(app):
    app.connect("config-inited", _configure)
    app.add_css_file(CSS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
