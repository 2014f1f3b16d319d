"""Launch buttons only for a real repository, and the Colab cell that a launch runs.

While ``repository.url`` of ``_config.yml`` is a placeholder, the build leaves the launch
(Binder, Colab) and repository buttons out and the intro does not mention them; with a
real URL they appear (``_ext/launch_buttons.py``). A small book (the intro and chapter 1,
with the book's own configuration and extensions) is built both ways.

The Colab cell, the hidden first cell of every chapter, runs in IPython with a faked
``google.colab`` module against a local clone of this repository: it must clone it, install
the package (into a folder of the test, not this environment) and change into ``book/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from book_pages import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
from launch_buttons import is_placeholder  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
PLACEHOLDER = CONFIG["repository"]["url"]
REAL = "https://github.com/whiteboard-book/whiteboard-to-lstm"
CHAPTER = "01_unrolled_rnn"
JB = Path(sys.executable).with_name("jupyter-book")


@pytest.mark.parametrize("url", ["", "  ", None, PLACEHOLDER,
                                 "https://github.com/your-org/whiteboard-to-lstm",
                                 "https://github.com/OWNER/x", "https://example.com/a/b",
                                 "https://github.com/", "git@github.com:your-org/x"])
def test_placeholders_are_recognised(url):
    assert is_placeholder(url)


@pytest.mark.parametrize("url", [REAL, "https://gitlab.com/someone/whiteboard",
                                 "http://git.example.edu/course/lstm-book"])
def test_real_repositories_are_recognised(url):
    assert not is_placeholder(url)


def test_the_configured_url_is_still_a_placeholder():
    """If this fails, the book has a real repository: the buttons now show (good), and this
    test and the README's note on the placeholder can go."""
    assert is_placeholder(PLACEHOLDER)


def _build(tmp_path: Path, url: str) -> Path:
    """Build the intro and chapter 1 with the book's configuration and ``url``."""
    config = json.loads(json.dumps(CONFIG))
    config["repository"]["url"] = url
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in config["sphinx"]["local_extensions"].items()}
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "book/intro", "chapters": [{"file": f"book/{CHAPTER}"}]}))
    out = tmp_path / "out"
    done = subprocess.run(
        [str(JB), "build", str(ROOT), "--config", str(tmp_path / "_config.yml"),
         "--toc", str(tmp_path / "_toc.yml"), "--path-output", str(out)],
        capture_output=True, text=True, cwd=ROOT)
    html = out / "_build" / "html"
    assert done.returncode == 0 and (html / "book" / f"{CHAPTER}.html").exists(), (
        done.stdout[-2000:] + done.stderr[-2000:])
    return html


@pytest.mark.slow
def test_a_placeholder_url_builds_no_launch_or_repository_buttons(tmp_path):
    html = _build(tmp_path, PLACEHOLDER)
    chapter = (html / "book" / f"{CHAPTER}.html").read_text()
    intro = (html / "book" / "intro.html").read_text()
    for page, text in {"chapter": chapter, "intro": intro}.items():
        for absent in ("mybinder.org", "colab.research.google.com", "your-org",
                       "btn-source-repository-button", "Launch interactive content"):
            assert absent not in text, f"the {page} page still has {absent!r}"
    assert "rocket" not in intro, "the intro points to a launch button the page does not have"
    assert f'href="../_sources/book/{CHAPTER}.ipynb"' in chapter, "the download button went"


@pytest.mark.slow
def test_a_real_url_builds_launch_and_repository_buttons(tmp_path):
    html = _build(tmp_path, REAL)
    chapter = (html / "book" / f"{CHAPTER}.html").read_text()
    slug, nb = REAL.removeprefix("https://github.com/"), f"book/{CHAPTER}.ipynb"
    assert f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/{nb}" in chapter
    assert f"https://colab.research.google.com/github/{slug}/blob/main/{nb}" in chapter
    assert f'href="{REAL}"' in chapter, "no repository button"
    assert "rocket icon" in (html / "book" / "intro.html").read_text()


# ------------------------------------------------------------------------- the Colab cell

# Runs one cell as IPython would in Colab: google.colab is importable, magics work.
RUN_CELL = """\
import json, os, sys, types
google = types.ModuleType("google")
google.colab = types.ModuleType("google.colab")
sys.modules.update({"google": google, "google.colab": google.colab})
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
result = shell.run_cell(open(sys.argv[1]).read())
result.raise_error()
print(json.dumps({"cwd": os.getcwd()}))
"""


def colab_cell(notebook: Path) -> str:
    cell = json.loads(notebook.read_text())["cells"][0]
    return "".join(cell["source"])


@pytest.mark.slow
def test_the_colab_cell_clones_installs_and_enters_book(tmp_path):
    origin, content, site = tmp_path / "origin", tmp_path / "content", tmp_path / "site"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(origin)], check=True)
    source = colab_cell(ROOT / "book" / f"{CHAPTER}.ipynb")
    cell = source.replace(f'REPO = "{PLACEHOLDER}"', f'REPO = "file://{origin}"')
    cell = cell.replace("/content/", f"{content}/")
    assert cell.count(str(content)) == 3 and f"file://{origin}" in cell, source
    (tmp_path / "cell.py").write_text(cell)
    (tmp_path / "run_cell.py").write_text(RUN_CELL)
    content.mkdir()
    # %pip installs into site/, not this environment; the dependencies are here already.
    env = {**os.environ, "PIP_TARGET": str(site), "PIP_NO_DEPS": "1", "PIP_QUIET": "1"}
    done = subprocess.run([sys.executable, str(tmp_path / "run_cell.py"),
                           str(tmp_path / "cell.py")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    clone = content / "whiteboard-to-lstm"
    assert json.loads(done.stdout.strip().splitlines()[-1])["cwd"] == str(clone / "book")
    assert (clone / "results").is_dir(), "chapter 6 reads results/ next to book/"
    # The installed package, not this checkout's, loads a stored network.
    check = ("import whiteboard, whiteboard.pretrained as p; print(whiteboard.__file__); "
             "print(type(p.load('story_rnn')).__name__)")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          cwd=clone / "book", env={**os.environ, "PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr[-3000:]
    where, kind = done.stdout.split()
    assert where.startswith(str(site)), where
    assert kind, done.stdout
