"""Copy the JavaScript the HTML book needs offline from npm packages into ``_vendor/``.

``vendor/package.json`` pins MathJax 3, require.js and ``@jupyter-widgets/html-manager``;
``npm ci`` installs exactly the locked versions into ``vendor/node_modules``.  The files
the book loads are then copied to ``_vendor/vendor/…``; Sphinx serves ``_vendor`` through
``html_static_path`` (so they appear under ``_static/vendor/`` in the build).  Nothing is
fetched from a CDN when a page is read.

Usage: python scripts/vendor_js.py   (idempotent; re-copies when the lock file changes)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / "vendor"
MODULES = NPM_DIR / "node_modules"
OUT = ROOT / "_vendor" / "vendor"
STAMP = ROOT / "_vendor" / ".stamp"

# (source inside node_modules, destination inside _vendor/vendor)
COPIES = [
    ("mathjax/es5", "mathjax"),
    ("requirejs/require.js", "require.js"),
    ("@jupyter-widgets/html-manager/dist", "html-manager"),
]
# Expected entry points: the build config points at these paths.
ENTRY_POINTS = ["mathjax/tex-svg.js", "require.js", "html-manager/embed-amd.js"]


def installed_versions() -> dict[str, str]:
    lock = json.loads((NPM_DIR / "package-lock.json").read_text())
    return {name: lock["packages"][f"node_modules/{name}"]["version"]
            for name in json.loads((NPM_DIR / "package.json").read_text())["dependencies"]}


def main() -> int:
    lock_text = (NPM_DIR / "package-lock.json").read_text()
    if STAMP.exists() and STAMP.read_text() == lock_text and all(
            (OUT / e).exists() for e in ENTRY_POINTS):
        return 0
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm was not found: install Node.js and npm (e.g. apt-get install npm), "
                 "which the book needs to vendor MathJax and the widget manager.")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                    "--loglevel=error"], cwd=NPM_DIR, check=True)
    if OUT.exists():
        shutil.rmtree(OUT)
    for src, dst in COPIES:
        source, target = MODULES / src, OUT / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.map"))
        else:
            shutil.copy2(source, target)
    missing = [e for e in ENTRY_POINTS if not (OUT / e).exists()]
    if missing:
        sys.exit(f"vendoring failed: {missing} not found after npm ci")
    STAMP.write_text(lock_text)
    versions = ", ".join(f"{k} {v}" for k, v in installed_versions().items())
    print(f"vendored {versions} into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
