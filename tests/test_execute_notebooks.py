"""scripts/execute_notebooks.py stores figures as palette PNGs that look the same."""

from __future__ import annotations

import base64
import importlib.util
import io

import matplotlib
import nbformat
import numpy as np
from book_pages import ROOT
from PIL import Image

from whiteboard.viz.plots.gates import plot_memory_path

matplotlib.use("Agg")
_spec = importlib.util.spec_from_file_location(
    "execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


def _figure_png() -> str:
    k = np.arange(1, 30)
    path = {"k": k, "jacobian": 0.9 ** k, "product": 0.8 ** k, "gate": "f"}
    buf = io.BytesIO()
    plot_memory_path({"a": path, "b": {**path, "jacobian": 1.05 ** k}}).savefig(
        buf, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _pixels(b64: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB"), float)


def test_a_figure_becomes_a_smaller_palette_png_that_looks_the_same():
    before = _figure_png()
    after = execute_notebooks.shrink_png(before)
    assert Image.open(io.BytesIO(base64.b64decode(after))).mode == "P"
    assert len(after) < 0.6 * len(before)
    a, b = _pixels(before), _pixels(after)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 1.0  # out of 255: no visible change


def test_a_transparent_png_is_left_alone():
    image = Image.new("RGBA", (40, 20), (255, 0, 0, 0))
    buf = io.BytesIO()
    image.save(buf, format="png")
    b64 = base64.b64encode(buf.getvalue()).decode()
    assert execute_notebooks.shrink_png(b64) == b64


def test_strip_shrinks_the_figures_of_a_notebook():
    png = _figure_png()
    cell = nbformat.v4.new_code_cell("plot()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png,
                                                                 "text/plain": "<Figure>"})]
    nb = nbformat.v4.new_notebook(cells=[cell])
    execute_notebooks.strip(nb)
    data = nb.cells[0].outputs[0]["data"]
    assert data["text/plain"] == "<Figure>"
    assert len(data["image/png"]) < len(png)
