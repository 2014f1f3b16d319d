"""Small build fixes for reading the book offline.

* Jupyter Book 1 registers sphinx-thebe's inline configuration script twice, so every page
  declared ``const THEBE_JS_URL`` twice and the browser reported a SyntaxError. Identical
  script entries are kept once.
* MathJax's speech rule engine is inside ``tex-svg.js``; until the ``a11y/sre`` component
  is loaded it fetches its rules from a CDN (the context menu's Language item does that).
  ``SREfeature`` points it at the vendored rules instead.
* The theme ships, in its static folder, files that no page requests: source maps
  (``*.map``, read only by a browser's developer tools), its gettext catalogues
  (``_static/locales``, used at build time) and TrueType copies of its icon fonts (the
  CSS lists the WOFF2 file beside each first, and every current browser reads WOFF2).
  They are removed from the build: 4.7 MB of the site.
* The download button offers each chapter's notebook from ``_sources``. There the large
  HTML views (players with their frames, the playground, the trainer, the text pad: each a
  page with its own script and data, over :data:`VIEW_BYTES`) keep only their text form;
  running the cell in Jupyter draws the view again, and the web page has it. Figures and
  printed outputs stay. That saves about 1.6 MB of the site.
"""

from __future__ import annotations

import json
import posixpath
import shutil
from pathlib import Path

VIEW_BYTES = 50_000  # an HTML output larger than this is a view, not a table

# new URL(...) resolves against the page's content root, so every folder depth works.
_SRE_FEATURE = ("window.SREfeature = {{json: new URL('_static/{path}', new URL("
                "document.documentElement.dataset.content_root || './', document.baseURI)).href}};")


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # Same file (or same inline body) and attributes: a repeat, whatever its priority.
        # An inline script's filename is None in one registration and '' in the other.
        key = (str(getattr(script, "filename", script) or ""),
               repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _point_sre_at_vendored_rules(app):
    path = app.config.mathjax_path
    if "://" in path or not path:
        return
    rules = posixpath.join(posixpath.dirname(path), "sre", "mathmaps")
    app.add_js_file(None, body=_SRE_FEATURE.format(path=rules))


def _remove_files_no_page_requests(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    for truetype in static.rglob("*.ttf"):
        if truetype.with_suffix(".woff2").exists():
            truetype.unlink()
    shutil.rmtree(static / "locales", ignore_errors=True)


def lighten_notebook(path: Path) -> None:
    """Drop from the notebook at ``path`` every HTML output over VIEW_BYTES that has a text
    form, so the downloadable copy carries no second copy of the page's views."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html")
            if html is not None and "text/plain" in data and len("".join(html)) > VIEW_BYTES:
                del data["text/html"]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _lighten_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for notebook in (Path(app.outdir) / "_sources").rglob("*.ipynb"):
        lighten_notebook(notebook)


def setup(app):
    # Late priority: run after the extensions that add scripts to the page.
    app.connect("html-page-context", _dedupe_scripts, priority=100_000)
    app.connect("builder-inited", _point_sre_at_vendored_rules)
    app.connect("build-finished", _remove_files_no_page_requests)
    app.connect("build-finished", _lighten_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
