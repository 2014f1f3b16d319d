"""How heavy and how fast the playground page is.

Usage: python benchmarks/bench_playground.py [--repeat N] [--json]

Prints the weight of the playground's HTML (and of the built page, after `make html`),
then, with Playwright and Chromium (skipped with a note when either is missing):

- one recompute + redraw after the story changes, for a 60-word story (target <= 16 ms):
  the textarea's input handler (tokenise, three forward passes, every heatmap redrawn) plus
  the layout it forces, timed inside the page;
- ``wbRun`` alone on a 300-word story (target <= 50 ms).

Each figure is the median of ``--repeat`` runs after one warm-up. Figures only; no test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "_build" / "html" / "book" / "playground.html"
CHROMIUM = os.environ.get("WHITEBOARD_CHROMIUM", "/usr/bin/chromium")
LIMIT_KB, DRAW_MS, RUN_MS = 400, 16, 50


def _story(lag: int, seed: int) -> str:
    from whiteboard.training.story import make_stories, story_vocab

    x = make_stories(1, lag, rng=seed).x[:, 0]
    return " ".join(story_vocab()[i] for i in x)


_DRAW = """([a, b, n]) => {
  const root = document.querySelector('.wb-playground'), box = root.querySelector('textarea');
  const times = [];
  for (let k = 0; k <= n; k++) {
    box.value = k % 2 ? a : b;
    const t0 = performance.now();
    box.dispatchEvent(new Event('input'));
    root.getBoundingClientRect(); document.body.offsetHeight;  // the layout it forces
    if (k) { times.push(performance.now() - t0); }
  }
  return times;
}"""
_RUN = """([text, n]) => {
  const root = document.querySelector('.wb-playground'), times = [];
  for (let k = 0; k <= n; k++) {
    const t0 = performance.now();
    root.wbRun(text, {});
    if (k) { times.push(performance.now() - t0); }
  }
  return times;
}"""


def timings(html: str, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "playground.html"
        path.write_text(f"<!doctype html><meta charset='utf-8'><body>{html}</body>")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_selector(".wb-playground[data-ready]")
        s60a, s60b, s300 = _story(56, 1), _story(56, 2), _story(296, 7)
        draw = page.evaluate(_DRAW, [s60a, s60b, repeat])
        run = page.evaluate(_RUN, [s300, repeat])
        browser.close()
    return {"draw_60_words_ms": statistics.median(draw), "wbrun_300_words_ms":
            statistics.median(run), "words": [len(s60a.split()), len(s300.split())]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from whiteboard.viz.playground import playground

    html = playground().to_html()
    out = {"fragment_kb": len(html.encode()) / 1024,
           "page_kb": PAGE.stat().st_size / 1024 if PAGE.exists() else None}
    try:
        import playwright  # noqa: F401

        if not Path(CHROMIUM).exists():
            raise ImportError(f"no Chromium at {CHROMIUM}")
        out.update(timings(html, args.repeat))
    except ImportError as e:
        out["timings"] = f"skipped: {e}"
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    page = "not built (run `make html`)" if out["page_kb"] is None else f"{out['page_kb']:.0f} KB"
    print(f"playground HTML output     {out['fragment_kb']:7.0f} KB")
    print(f"book/playground.html       {page:>10}   (target <= {LIMIT_KB} KB)")
    if "timings" in out:
        print(f"timings                    {out['timings']}")
    else:
        print(f"recompute + redraw, {out['words'][0]} words {out['draw_60_words_ms']:7.1f} ms"
              f"   (target <= {DRAW_MS} ms)")
        print(f"wbRun, {out['words'][1]} words            {out['wbrun_300_words_ms']:7.1f} ms"
              f"   (target <= {RUN_MS} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
