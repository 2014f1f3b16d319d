"""Small build fixes for reading the book offline.

* Jupyter Book 1 registers sphinx-thebe's inline configuration script twice, so every page
  declared ``const THEBE_JS_URL`` twice and the browser reported a SyntaxError. Identical
  script entries are kept once.
"""

from __future__ import annotations


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


def setup(app):
    # Late priority: run after the extensions that add scripts to the page.
    app.connect("html-page-context", _dedupe_scripts, priority=100_000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
