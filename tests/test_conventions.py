"""Every chapter notebook follows the book's conventions (CONTRIBUTING.md)."""

from __future__ import annotations

import json

import pytest
import yaml
from book_pages import ROOT, chapter_notebooks, toc_files

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
MAX_BYTES = 1_200_000  # "about 1 MB": a little slack, never a heavy notebook


def _load(path):
    return json.loads(path.read_text())


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_there_are_chapters():
    assert NOTEBOOKS, "book/ has no chapter notebooks"


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    listed = set(toc_files())
    for path in NOTEBOOKS:
        assert f"book/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        assert (ROOT / f"{entry}.ipynb").exists() or (ROOT / f"{entry}.md").exists(), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_whiteboard_on_colab_and_is_hidden(path):
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first = _load(path)["cells"][0]
    src = _source(first)
    assert first["cell_type"] == "code"
    assert "remove-cell" in first["metadata"].get("tags", [])
    assert 'if "google.colab" in sys.modules:' in src
    # Colab gets the whole repository (chapter 6 reads results/), installs the package from
    # it and works in book/, as a local reader does.
    assert f'REPO = "{repo}"' in src, "the Colab cell must clone repository.url"
    assert "!git clone --quiet --depth 1 {REPO} /content/whiteboard-to-lstm" in src
    assert "%pip install --quiet /content/whiteboard-to-lstm" in src
    assert "%cd /content/whiteboard-to-lstm/book" in src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom_without_errors(path):
    nb = _load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: cells not executed in order from 1 ({counts}); run `make notebooks`")
    for i, cell in enumerate(code):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: code cell {i} stored an error"
            if out["output_type"] == "stream" and out["name"] == "stderr":
                assert "Traceback" not in "".join(out["text"]), f"{path.name}: cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_small_and_free_of_volatile_metadata(path):
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    nb = _load(path)
    assert "widgets" not in nb["metadata"], "widget state is stripped by `make notebooks`"
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"], "timings are stripped by `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_alt_text_or_caption(path):
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code" or "remove-output" in cell["metadata"].get("tags", []):
            continue
        if any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            meta = cell["metadata"].get("mystnb", {})
            assert meta.get("figure", {}).get("caption") or meta.get("image", {}).get("alt"), (
                f"{path.name}: cell {i} shows a figure with neither caption nor alt text")


def test_chapters_are_in_story_order():
    names = [p.stem for p in chapter_notebooks()]
    assert names == sorted(names), f"_toc.yml lists chapters out of order: {names}"
