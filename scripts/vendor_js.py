"""Copy the MathJax files the HTML book's pages can load from npm into ``_vendor/``.

``vendor/package.json`` pins MathJax 3; ``npm ci`` installs exactly the locked version into
``vendor/node_modules``. Only the files listed in ``MATHJAX_FILES`` are copied to
``_vendor/vendor/mathjax``; Sphinx serves ``_vendor`` through ``html_static_path`` (so they
appear under ``_static/vendor/`` in the build). Nothing is fetched from a CDN when a page
is read.

The list is what the built pages request when opened in Chromium, with every setting of
MathJax's context menu that loads code switched on (``tests/test_browser.py`` does this on
every page and fails on any request for a missing file). The rest of MathJax's ``es5/``
tree (24 MB: other combined components, TeX extensions the book does not use, speech
rules for other languages) is left out.

Usage: python scripts/vendor_js.py   (idempotent; re-copies when the lock file or the list
changes)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / "vendor"
MATHJAX = NPM_DIR / "node_modules" / "mathjax"
OUT = ROOT / "_vendor" / "vendor"
STAMP = ROOT / "_vendor" / ".stamp"
# The build's copies: Sphinx adds static files but never removes one that is gone.
BUILT = ROOT / "_build" / "html" / "_static" / "vendor"
# What this script copies, or used to copy, into the build's _static/vendor (the theme
# puts its own "fontawesome" there too, which is not ours to remove).
OWNED = ["mathjax", "require.js", "html-manager"]

# Paths inside the npm package's es5/, each with why a page loads it.
#
# Beyond tex-svg.js, MathJax loads code when a reader changes a setting in its context menu.
# The choice is stored in the browser and applies to every page, and with a file missing
# MathJax typesets nothing on those pages: so what those settings load is shipped too.
# Not shipped: the speech rules of languages other than English (menu > Language: speech
# stays English and MathJax logs "Unable to load locale"), and the TeX extensions the
# book does not use (a page that uses one requests it, and the browser tests name it).
MATHJAX_FILES = {
    # Every page with maths (mathjax_path): TeX input with ams, SVG output with its fonts,
    # the context menu and assistive MathML for screen readers.
    "tex-svg.js": "every page with maths",
    # Menu > Math Settings > Math Renderer > CommonHTML, with the fonts the book's TeX uses.
    "output/chtml.js": "menu: CommonHTML renderer",
    "output/chtml/fonts/tex.js": "menu: CommonHTML renderer",
    **{f"output/chtml/fonts/woff-v2/MathJax_{font}.woff": "menu: CommonHTML renderer"
       for font in ["AMS-Regular", "Calligraphic-Regular", "Main-Regular", "Math-Italic",
                    "Size1-Regular", "Size2-Regular", "Size3-Regular", "Zero"]},
    # Menu > Accessibility (Activate, Collapsible Math...): the speech rule engine and its
    # English rules.
    "input/mml.js": "menu: accessibility",
    "a11y/semantic-enrich.js": "menu: accessibility",
    "a11y/sre.js": "menu: accessibility",
    "a11y/explorer.js": "menu: accessibility, explorer",
    "a11y/complexity.js": "menu: accessibility, collapsible math",
    "sre/mathmaps/base.json": "menu: accessibility, speech rules",
    "sre/mathmaps/en.json": "menu: accessibility, English speech rules",
}
# MathJax is Apache-2.0 licensed: its licence goes with the copy.
LICENSE = "LICENSE"
ENTRY_POINT = OUT / "mathjax" / "tex-svg.js"  # the build config's mathjax_path


def stamp_text() -> str:
    """What the vendored copy was made from: the lock file and the list of files."""
    return (NPM_DIR / "package-lock.json").read_text() + "\n".join(sorted(MATHJAX_FILES))


def copy_mathjax(source: Path, target: Path) -> list[str]:
    """Copy the listed files from ``source`` (MathJax's es5/) into ``target``; return the
    listed files that ``source`` lacks."""
    missing = []
    for rel in MATHJAX_FILES:
        src, dst = source / rel, target / rel
        if not src.is_file():
            missing.append(rel)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    return missing


def main() -> int:
    if STAMP.exists() and STAMP.read_text() == stamp_text() and ENTRY_POINT.exists():
        return 0
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm was not found: install Node.js and npm (e.g. apt-get install npm), "
                 "which the book needs to vendor MathJax.")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                    "--loglevel=error"], cwd=NPM_DIR, check=True)
    if OUT.exists():
        shutil.rmtree(OUT)
    missing = copy_mathjax(MATHJAX / "es5", OUT / "mathjax")
    if missing:
        sys.exit(f"vendoring failed: {missing} not found in {MATHJAX / 'es5'} after npm ci")
    shutil.copy2(MATHJAX / LICENSE, OUT / "mathjax" / LICENSE)
    for name in OWNED:
        stale = BUILT / name
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    STAMP.write_text(stamp_text())
    version = json.loads((MATHJAX / "package.json").read_text())["version"]
    size = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"vendored MathJax {version} ({size / 1e6:.1f} MB) into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
