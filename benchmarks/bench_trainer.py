"""How fast the in-page trainer trains, against numpy, and how heavy its page is.

Usage: python benchmarks/bench_trainer.py [--repeat N] [--no-sweep] [--json]

With Playwright and Chromium (skipped with a note when either is missing), prints:

- one training step of the LSTM (H 16, embedding 16, B 32) at lag 20 (a fresh batch, the loss
  and every gradient, clipping, one Adam step) in the page's JavaScript on the main thread of
  headless Chromium, against numpy's single-network step on the same machine (the same work
  with ``SequenceModel.loss_and_grads``, ``clip_grad_norm`` and ``Adam``; target: JS <= 4x);
  the RNN and the GRU too;
- the page's default session, five seeds each of the RNN and the LSTM at lag 20, in the page's
  workers: its wall time (target <= 30 s on two cores), how many seeds of each reached 0.95
  (targets: the LSTM on >= 4 of 5, the RNN on none, every RNN seed <= 0.5), and how long the
  page took to answer while it trained (the longest wait of a task queued on the page, and the
  longest redraw; target <= 50 ms);
- the weight of the trainer's HTML and of the built page (target <= 400 KB).

Timings are the best of ``--repeat`` runs (the machine is shared). Figures only; no test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "_build" / "html" / "book" / "train_it_yourself.html"
CHROMIUM = os.environ.get("WHITEBOARD_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MODELS = ("lstm", "rnn", "gru")
LAG, STEPS = 20, 200

_LATENCY = """async () => { let worst = 0;
  while (!document.querySelector('.wb-tr-results table')) { const t0 = performance.now();
    await new Promise(r => setTimeout(r, 0)); worst = Math.max(worst, performance.now() - t0);
    await new Promise(r => setTimeout(r, 20)); }
  return worst; }"""


def numpy_step_ms(model: str, repeat: int) -> float:
    """Best time of one numpy training step of ``model`` at lag 20, B 32 (batches made first)."""
    import numpy as np

    from whiteboard.training.experiments import build
    from whiteboard.training.optim import Adam, clip_grad_norm
    from whiteboard.training.story import make_stories

    net = build("story", model, 1)
    params = net.parameters()
    opt = Adam(params, lr=0.03)
    rng = np.random.default_rng(0)
    batches = [make_stories(32, LAG, rng=rng) for _ in range(STEPS)]

    def step(b):
        _, grads, _ = net.loss_and_grads(b.x, b.y)
        clip_grad_norm(grads, 1.0, keys=params)
        opt.step(grads)

    for b in batches[:50]:
        step(b)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for b in batches:
            step(b)
        best = min(best, (time.perf_counter() - start) / len(batches))
    return 1000 * best


def browser_figures(repeat: int, sweep: bool) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("note: playwright is not installed; no browser figures", file=sys.stderr)
        return None
    if not Path(CHROMIUM).exists():
        print(f"note: no Chromium at {CHROMIUM}; no browser figures", file=sys.stderr)
        return None
    from whiteboard.viz.trainer import trainer

    out = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "trainer.html"
        path.write_text(f"<!doctype html><meta charset='utf-8'><body>{trainer().to_html()}")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector(".wb-trainer[data-ready]")
        for model in MODELS:
            out[f"js_{model}"] = min(page.evaluate(
                "([m, l, n]) => document.querySelector('.wb-trainer').wbTimeSteps(m, l, n)",
                [model, LAG, STEPS]) for _ in range(repeat))
        if sweep:
            start = time.perf_counter()
            page.evaluate("() => { window.wbDone = document.querySelector('.wb-trainer')"
                          ".wbTrain({models: ['rnn', 'lstm'], lag: 20, seeds: 5}); }")
            out["latency_ms"] = page.evaluate(_LATENCY)
            result = page.evaluate("() => window.wbDone")
            out["wall_s"] = time.perf_counter() - start
            out["draw_ms"] = page.evaluate("() => document.querySelector('.wb-trainer')"
                                           ".wbLastDrawMs")
            out["status"] = page.inner_text(".wb-tr-status")
            out["result"] = {m: [round(r["accuracy"], 3) for r in rs]
                             for m, rs in result["models"].items()}
        browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best counts")
    parser.add_argument("--no-sweep", action="store_true", help="skip the 10-run session")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()
    from whiteboard.viz.trainer import trainer

    figures = {"html_kb": len(trainer().to_html().encode()) / 1000,
               "page_kb": PAGE.stat().st_size / 1000 if PAGE.exists() else None,
               **{f"numpy_{m}": numpy_step_ms(m, args.repeat) for m in MODELS}}
    figures.update(browser_figures(args.repeat, not args.no_sweep) or {})
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0
    print(f"one training step at lag {LAG}, H 16, embedding 16, B 32 (best of {args.repeat})")
    print(f"{'model':<6} {'numpy ms':>9} {'page JS ms':>11} {'JS / numpy':>11}")
    for m in MODELS:
        js = figures.get(f"js_{m}")
        row = f"{m:<6} {figures[f'numpy_{m}']:>9.2f}"
        row += f" {js:>11.2f} {js / figures[f'numpy_{m}']:>10.2f}x" if js else "          -"
        print(row + ("   (target <= 4x)" if m == "lstm" else ""))
    if "wall_s" in figures:
        solved = {m: sum(a >= 0.95 for a in accs) for m, accs in figures["result"].items()}
        print(f"\nthe default session, 5 seeds of rnn and lstm at lag 20, in the page's workers "
              f"({os.cpu_count()} cores):")
        print(f"  wall time {figures['wall_s']:.1f} s (target <= 30 s); {figures['status']}")
        print(f"  lstm: {solved['lstm']} of 5 seeds >= 0.95 (target >= 4): "
              f"{figures['result']['lstm']}")
        print(f"  rnn:  {solved['rnn']} of 5 seeds >= 0.95, highest "
              f"{max(figures['result']['rnn']):.3f} (target <= 0.5): {figures['result']['rnn']}")
        print(f"  while it trained: longest wait of a queued task {figures['latency_ms']:.0f} ms,"
              f" last redraw {figures['draw_ms']:.1f} ms (target <= 50 ms)")
    page = f"{figures['page_kb']:.0f} KB" if figures["page_kb"] else "not built (make html)"
    print(f"\nweight: the trainer's HTML {figures['html_kb']:.0f} KB; the built page {page} "
          "(target <= 400 KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
