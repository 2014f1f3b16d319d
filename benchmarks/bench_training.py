"""Training throughput: many networks side by side (train_stack) against one at a time.

Run:  python benchmarks/bench_training.py [--quick] [--no-sweep] [--baseline REV] [--json]

Prints three tables:

1. Training steps per second on the story task (lag 30, H = 16, a 16-wide embedding,
   B = 32) for M = 1, 4, 16 and 64 networks trained as one stack, against the same networks
   trained one at a time with ``train`` (a stack of one); one step of M stacked networks
   counts as M steps.
2. The throughput of the story command of issue 12,
   ``python -m whiteboard story --lags 30 --seeds 4 --models rnn lstm --lr rnn=0.01
   lstm=0.01 --steps 600 --jobs 1``, counted as training steps actually run (early stopping
   included) per second of wall time: this code, and the code at git revision
   ``--baseline`` (default: the commit before the fused engine), checked out into a
   temporary folder.
3. The wall time of the whole chapter-6 sweep (the command stored in
   ``results/story_fair_sweep.json``, learning-rate search included), unless ``--no-sweep``.

The targets: table 2's speed-up over the baseline >= 4x (issue 12), and table 3 <= 10 min on
two cores (issue 22, for the nine-model sweep).  Timings on a shared machine vary; every
figure is the best of the repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "4c015d5"  # main before the fused engine and the model axis
STORY_COMMAND = ["story", "--lags", "30", "--seeds", "4", "--models", "rnn", "lstm",
                 "--lr", "rnn=0.01", "lstm=0.01", "--steps", "600", "--jobs", "1",
                 "--json", "--quiet"]

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as the CLI does: one run is many tiny products


def stacked_throughput(kind, M, steps, repeats):
    """Best model-steps per second of M networks of ``kind`` trained as one stack."""
    from whiteboard.training.experiments import build, task_of
    from whiteboard.training.loop import train_stack

    make = task_of("story").make
    best = 0.0
    for _ in range(repeats):
        nets = [build("story", kind, s) for s in range(M)]
        start = time.perf_counter()
        train_stack(nets, lambda rng: make(32, 30, rng=rng), steps=steps, lrs=[0.01] * M,
                    seeds=[(s, 30) for s in range(M)])
        best = max(best, M * steps / (time.perf_counter() - start))
    return best


def alone_throughput(kind, steps, repeats):
    """Best steps per second of one network trained with ``train``."""
    from whiteboard.training.experiments import build, task_of
    from whiteboard.training.loop import train

    make = task_of("story").make
    best = 0.0
    for _ in range(repeats):
        net = build("story", kind, 0)
        start = time.perf_counter()
        train(net, lambda rng: make(32, 30, rng=rng), steps=steps, lr=0.01, seed=0, quiet=True)
        best = max(best, steps / (time.perf_counter() - start))
    return best


def run_cli(args, src):
    """``(steps run, wall seconds)`` of one CLI run with ``src`` first on the path."""
    env = dict(os.environ, PYTHONPATH=str(src))
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "whiteboard", *args], capture_output=True,
                         text=True, env=env, check=True, cwd=ROOT).stdout
    wall = time.perf_counter() - start
    result = json.loads(out)
    return sum(sum(r["steps_run"]) for r in result["results"]), wall


def baseline_src(rev, folder):
    """``src/`` of git revision ``rev`` extracted into ``folder`` (None without git)."""
    try:
        archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, capture_output=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return Path(folder) / "src"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    p.add_argument("--no-sweep", action="store_true", help="skip the full chapter-6 sweep")
    p.add_argument("--baseline", default=BASELINE, help="git revision to compare against")
    p.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = p.parse_args(argv)
    repeats = 1 if args.quick else 3
    figures = {"stack": {}, "story_command": {}, "sweep": None}

    alone_throughput("rnn", 2, 1)  # imports and first-call costs, outside every timing
    print("1. Training steps per second, story task at lag 30 (H 16, embed 16, B 32)")
    print(f"{'model':<6}{'alone':>9}" + "".join(f"{'M=' + str(m):>18}" for m in (1, 4, 16, 64)))
    for kind in ("rnn", "lstm", "gru"):
        alone = alone_throughput(kind, 20 if args.quick else 60, repeats)
        cells, figures["stack"][kind] = [], {"alone": round(alone, 1)}
        for M in (1, 4, 16, 64):
            steps = max(3, (40 if args.quick else 160) // M)
            rate = stacked_throughput(kind, M, steps, repeats)
            figures["stack"][kind][M] = round(rate, 1)
            cells.append(f"{rate:8.0f} ({rate / alone:4.1f}x)")
        print(f"{kind:<6}{alone:9.0f}" + "".join(f"{c:>18}" for c in cells))

    print("\n2. python -m whiteboard " + shlex.join(STORY_COMMAND))
    rows = [("this code", STORY_COMMAND, ROOT / "src")]
    with tempfile.TemporaryDirectory() as tmp:
        old = baseline_src(args.baseline, tmp)
        if old is not None:
            rows.append((f"baseline {args.baseline}", STORY_COMMAND, old))
        rates = {}
        for name, cmd, src in rows:
            best = None
            for _ in range(1 if args.quick else 2):
                steps, wall = run_cli(cmd, src)
                if best is None or wall < best[1]:
                    best = (steps, wall)
            rates[name] = best[0] / best[1]
            figures["story_command"][name] = {"steps": best[0], "seconds": round(best[1], 2),
                                              "steps_per_second": round(rates[name], 1)}
    base = rates.get(f"baseline {args.baseline}")
    for name, r in rates.items():
        f = figures["story_command"][name]
        ratio = f"  {r / base:4.2f}x the baseline" if base else ""
        print(f"  {name:<30}{f['steps']:6d} steps {f['seconds']:7.2f} s {r:8.0f} steps/s{ratio}")

    if not args.no_sweep:
        stored = json.loads((ROOT / "results" / "story_fair_sweep.json").read_text())
        cmd = shlex.split(stored["command"])[3:]  # after "python -m whiteboard"
        if "--out" in cmd:  # the bench must not overwrite the committed result
            i = cmd.index("--out")
            del cmd[i : i + 2]
        print("\n3. The chapter-6 sweep: python -m whiteboard " + shlex.join(cmd))
        start = time.perf_counter()
        steps, _ = run_cli(cmd, ROOT / "src")
        wall = time.perf_counter() - start
        figures["sweep"] = {"command": cmd, "seconds": round(wall, 1), "steps": steps,
                            "cpu_count": os.cpu_count()}
        print(f"  {wall:.1f} s wall on {os.cpu_count()} cores, {steps} training steps after "
              "the learning-rate search")
    if args.json:
        print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
