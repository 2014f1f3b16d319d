"""The notebooks the download button offers (``_build/html/_sources``) keep their figures and
printed outputs, but not a second copy of the large HTML views the web page already has."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))

from offline_book import VIEW_BYTES, lighten_notebook  # noqa: E402


def _notebook(outputs):
    return {"cells": [{"cell_type": "code", "source": "x", "outputs": outputs,
                       "metadata": {}, "execution_count": 1}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_a_large_view_keeps_only_its_text_and_figures_and_tables_stay(tmp_path):
    view = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
            "data": {"text/html": "<div>" + "x" * VIEW_BYTES + "</div>",
                     "text/plain": "Player(...)"}}
    table = {"output_type": "display_data", "metadata": {},
             "data": {"text/html": "<table></table>", "text/plain": "table"}}
    figure = {"output_type": "display_data", "metadata": {},
              "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}
    only_html = {"output_type": "display_data", "metadata": {},
                 "data": {"text/html": "y" * (VIEW_BYTES + 1)}}
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps(_notebook([view, table, figure, only_html])))
    lighten_notebook(path)
    outs = json.loads(path.read_text())["cells"][0]["outputs"]
    assert outs[0]["data"] == {"text/plain": "Player(...)"}
    assert outs[1]["data"]["text/html"] == "<table></table>"
    assert outs[2]["data"]["image/png"] == "iVBORw0KGgo="
    assert "text/html" in outs[3]["data"], "an output with no text form keeps its HTML"


def test_a_notebook_without_large_views_is_unchanged_in_content(tmp_path):
    nb = _notebook([{"output_type": "stream", "name": "stdout", "text": "hello\n"}])
    path = tmp_path / "plain.ipynb"
    path.write_text(json.dumps(nb))
    lighten_notebook(path)
    assert json.loads(path.read_text()) == nb
