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
"""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path

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


def setup(app):
    # Late priority: run after the extensions that add scripts to the page.
    app.connect("html-page-context", _dedupe_scripts, priority=100_000)
    app.connect("builder-inited", _point_sre_at_vendored_rules)
    app.connect("build-finished", _remove_files_no_page_requests)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
