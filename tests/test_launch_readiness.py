"""Binder and Colab readiness: launch buttons, and requirements.txt alone runs every chapter."""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib import metadata

import pytest
import yaml
from book_pages import ROOT, chapter_notebooks
from conftest import BUILD

sys.path.insert(0, str(ROOT / "_ext"))
from launch_buttons import is_placeholder  # noqa: E402

NOTEBOOKS = chapter_notebooks()


def _repo():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


@pytest.mark.browser
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_launch_buttons_are_there_only_for_a_real_repository(path):
    """The built book (``make html``) as configured; test_launch_buttons builds both ways."""
    html_path = BUILD / "book" / f"{path.stem}.html"
    if not html_path.exists():
        pytest.fail(f"{html_path} is missing: run `make html` first")
    html = html_path.read_text()
    slug = _repo().removeprefix("https://github.com/")
    nb = f"book/{path.name}"
    if is_placeholder(_repo()):
        for absent in ("mybinder.org", "colab.research.google.com", _repo()):
            assert absent not in html, f"{path.name} links {absent} for a placeholder URL"
    else:
        assert f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/{nb}" in html
        assert f"https://colab.research.google.com/github/{slug}/blob/main/{nb}" in html
    assert f'href="../_sources/{nb}"' in html, "the download button should offer the .ipynb"


def _requirement_names(path):
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[=<>!~\[ ;]", line)[0])
    return names


def _closure(roots):
    """Every distribution that installing ``roots`` pulls in (as installed here)."""
    seen, todo = set(), [metadata.distribution(n).metadata["Name"] for n in roots]
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(name)
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            dep = re.split(r"[=<>!~\[ ;(]", req)[0]
            try:
                todo.append(metadata.distribution(dep).metadata["Name"])
            except metadata.PackageNotFoundError:
                pass  # a marker excluded it on this platform
    return seen


def _imports(source: str) -> set[str]:
    # Drop IPython magics and shell lines before parsing the cell as Python.
    code = "\n".join(line[: len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    mods = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            mods.add(node.module.split(".")[0])
    return mods


def test_requirements_txt_alone_provides_every_import_of_the_chapters_and_package():
    provided = _closure(_requirement_names(ROOT / "requirements.txt") + ["whiteboard"])
    owners = metadata.packages_distributions()
    needed = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                needed |= _imports("".join(cell["source"]))
    for py in (ROOT / "src" / "whiteboard").rglob("*.py"):
        tree_imports = _imports(py.read_text())
        # torch is imported lazily, only by from_torch(); it is an optional extra.
        needed |= tree_imports - {"torch"}
    missing = {}
    for mod in sorted(needed):
        if mod in sys.stdlib_module_names or mod in {"whiteboard", "google"}:
            continue
        dists = {d.lower().replace("_", "-") for d in owners.get(mod, [])}
        if not dists & provided:
            missing[mod] = sorted(dists) or ["not installed"]
    assert not missing, f"imports not covered by requirements.txt: {missing}"
