"""How the book feels: explorer step latency, chapter execution time and HTML weight.

Usage: python benchmarks/bench_book.py [--skip-build] [--json]

* **explorer step latency**: every chapter's code is run in-process; each live explorer
  it creates is stepped through ≥ 20 time steps and the time from setting the slider to
  having the new PNG is recorded (target: median ≤ 50 ms).
* **chapter execution**: each notebook executed in a fresh kernel, as `make notebooks`
  does, but on a copy (target ≤ 20 s, ≤ 60 s for the experiment chapter).
* **clean build**: `jupyter-book build --all` with every notebook executed by the build,
  into a temporary folder (target ≤ 60 s).
* **HTML weight** of each chapter page in `_build/html` (target ≤ 3 MB).

Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from book_pages import chapter_notebooks  # noqa: E402


def explorer_latencies(path: Path, steps: int = 20) -> list[tuple[str, float, int]]:
    """Run a chapter's code in-process and time every explorer it creates."""
    from IPython.core.interactiveshell import InteractiveShell

    from whiteboard.viz import explorers

    made = []
    original = explorers.Explorer.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    explorers.Explorer.__init__ = record
    shell = InteractiveShell.instance()
    try:
        nb = nbformat.read(path, as_version=4)
        cwd = Path.cwd()
        os.chdir(path.parent)
        try:
            for cell in nb.cells:
                if cell.cell_type == "code":
                    # No GUI event loop here: figures are only drawn, never shown.
                    source = "\n".join(
                        line.replace("%matplotlib inline", "pass") for line in
                        cell.source.splitlines())
                    with contextlib.redirect_stdout(io.StringIO()):
                        result = shell.run_cell(source, silent=True)
                    if not result.success:
                        raise RuntimeError(f"{path.name}: {result.error_in_exec!r}")
        finally:
            os.chdir(cwd)
    finally:
        explorers.Explorer.__init__ = original
        InteractiveShell.clear_instance()
    rows = []
    for ex in made:
        n = ex.slider.max + 1
        times = []
        for _ in range(max(steps, 20)):
            t = (ex.slider.value + 1) % n if n > 1 else 0
            start = time.perf_counter()
            ex.slider.value = t
            if n == 1:
                ex.step(t)
            times.append(time.perf_counter() - start)
        rows.append((type(ex.stepper).__name__, statistics.median(times) * 1e3, len(times)))
    return rows


def execution_seconds(path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        nb = nbformat.read(copy, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - start


def clean_build_seconds() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        # Beside the real one, so relative paths in it (e.g. _ext) still resolve.
        config = ROOT / ".bench_config.yml"
        text = (ROOT / "_config.yml").read_text()
        config.write_text(text.replace('execute_notebooks: "off"', 'execute_notebooks: "force"'))
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
                 "--all", "--config", str(config), "--path-output", tmp],
                capture_output=True, text=True)
        finally:
            config.unlink()
        if done.returncode:
            raise RuntimeError(f"clean build failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="skip the clean build")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()
    report = {"explorers": [], "chapters": []}
    for path in chapter_notebooks():
        for name, ms, n in explorer_latencies(path):
            report["explorers"].append({"chapter": path.stem, "explorer": name,
                                        "median_ms": round(ms, 1), "steps": n})
        html = ROOT / "_build" / "html" / "book" / f"{path.stem}.html"
        report["chapters"].append({
            "chapter": path.stem,
            "execute_s": round(execution_seconds(path), 1),
            "html_mb": round(html.stat().st_size / 1e6, 2) if html.exists() else None,
            "notebook_mb": round(path.stat().st_size / 1e6, 2),
        })
    if not args.skip_build:
        report["clean_build_s"] = round(clean_build_seconds(), 1)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print("explorer step latency (target: median <= 50 ms)")
    print(f"{'chapter':32} {'explorer':28} {'median ms':>9} {'steps':>5}")
    for r in report["explorers"]:
        print(f"{r['chapter']:32} {r['explorer']:28} {r['median_ms']:9.1f} {r['steps']:5d}")
    print("\nchapters (targets: execute <= 20 s, <= 60 s for chapter 6; html <= 3 MB)")
    print(f"{'chapter':32} {'execute s':>9} {'html MB':>8} {'ipynb MB':>8}")
    for r in report["chapters"]:
        html = "n/a" if r["html_mb"] is None else f"{r['html_mb']:.2f}"
        print(f"{r['chapter']:32} {r['execute_s']:9.1f} {html:>8} {r['notebook_mb']:8.2f}")
    if "clean_build_s" in report:
        print(f"\nclean build, every notebook executed: {report['clean_build_s']:.1f} s "
              "(target <= 60 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
