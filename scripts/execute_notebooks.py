"""Execute chapter notebooks in place, top to bottom, and strip noisy metadata.

Usage: python scripts/execute_notebooks.py [book/NN_topic.ipynb ...]   (default: book/*.ipynb)

Each notebook runs in a fresh kernel with its own folder as the working directory.
Execution timings, widget state, widget view ids and other volatile metadata are removed,
and split stream chunks are joined, so a diff shows only changes in code, prose and
outputs. Figures are stored as palette PNGs of 256 colours, which look the same as the
full-colour PNGs matplotlib writes at about a third of their size, so notebooks and the
site stay small (nbval does not compare images). A cell that raises stops the run with the
notebook and the cell named, and the notebook on disk is left untouched.
"""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip(nb: nbformat.NotebookNode) -> None:
    """Drop metadata that changes on every run and carries no content."""
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": KERNEL}
    nb.metadata.setdefault("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        cell.metadata.pop("collapsed", None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.get("outputs", []))
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)
                # A widget view points at a model that lives only in the kernel that made it
                # (its id is random and no widget state is stored); keep its text form.
                data = out.get("data", {})
                if WIDGET_VIEW in data and "text/plain" in data:
                    del data[WIDGET_VIEW]
                if "image/png" in data:
                    data["image/png"] = shrink_png(data["image/png"])


def shrink_png(b64: str) -> str:
    """A base64 PNG as a palette PNG of the same pixels (and the same record of its text
    size), when it is opaque and that is smaller (``whiteboard.viz.plots.legible``)."""
    from whiteboard.viz.plots.legible import palette_png

    raw = base64.b64decode(b64)
    small = palette_png(raw)
    if small is None or len(small) >= len(raw):
        return b64
    return base64.b64encode(small).decode("ascii")


def _merge_streams(outputs):
    """Join consecutive chunks of the same stream: the kernel splits prints at random."""
    merged = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream"
                and merged[-1]["name"] == out["name"]):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def execute(path: Path, timeout: int = 300) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        index = next((i for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and any(
                          o.get("output_type") == "error" for o in c.get("outputs", []))),
                     None)
        raise SystemExit(f"{path}: cell {index} raised:\n{err}") from None
    seconds = time.perf_counter() - start
    strip(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "book").glob("*.ipynb"))
    for path in paths:
        seconds = execute(path)
        size = path.stat().st_size / 1e6
        print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: "
              f"executed in {seconds:.1f} s, {size:.2f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
