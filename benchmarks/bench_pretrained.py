"""The stored networks of whiteboard.pretrained: file sizes, and what re-running each recipe costs.

Run:  python benchmarks/bench_pretrained.py [--no-train] [--only NAME ...]

Prints one row per network: the size of its weights (.npz) and record (.json), its recorded
skill (a story network's test accuracy, a language model's bits per character on the
held-out text), and (unless --no-train) the wall time of ``pretrained.train(name)`` with the
skill of the network it trains.  Retraining the three language models of Python source takes
tens of minutes each (their recipes' records say how long on the machine that made them).
The last rows are the total sizes against the targets: 300 KB for the story networks, 1.5 MB
for the language models.
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as the CLI does: one run is many tiny products

from whiteboard import pretrained  # noqa: E402  (after the thread settings)

TARGET_KB = {"story": 300, "python": 1500}


def skill(rec: dict) -> str:
    """A record's measure, as a table cell: accuracy, or bits per character."""
    if "bits_per_char" in rec:
        return f"{rec['bits_per_char']:7.4f} bpc"
    return f"{rec['test_accuracy']:7.4f} acc"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-train", action="store_true", help="sizes only, no retraining")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these networks alone")
    args = parser.parse_args()
    print(f"{'network':<18}{'npz KB':>8}{'json KB':>9}{'recorded':>13}"
          + ("" if args.no_train else f"{'retrained':>14}{'train s':>9}"))
    totals = dict.fromkeys(TARGET_KB, 0)
    for name in args.only or pretrained.names():
        sizes = [(pretrained.DIRECTORY / f"{name}.{ext}").stat().st_size for ext in ("npz", "json")]
        totals[pretrained.recipe(name)["task"]] += sum(sizes)
        recorded = skill(pretrained.record(name))
        row = f"{name:<18}{sizes[0] / 1000:8.1f}{sizes[1] / 1000:9.1f}{recorded:>13}"
        if not args.no_train:
            start = time.perf_counter()
            net = pretrained.train(name)
            seconds = time.perf_counter() - start
            row += f"{skill(pretrained.evaluate_recipe(name, net)):>14}{seconds:9.1f}"
        print(row, flush=True)
    for task, total in totals.items():
        met = "met" if total <= TARGET_KB[task] * 1000 else "NOT met"
        print(f"{task + ' files':<18}{total / 1000:8.1f} KB   "
              f"(target <= {TARGET_KB[task]} KB: {met})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
