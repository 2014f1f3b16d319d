"""The stored networks of whiteboard.pretrained: file sizes, and what re-running each recipe costs.

Run:  python benchmarks/bench_pretrained.py [--no-train]

Prints one row per network: the size of its weights (.npz) and record (.json), the recorded
test accuracy, and (unless --no-train) the wall time of ``pretrained.train(name)`` with the
test accuracy of the network it trains.  The last row is the total size against the target
of 300 KB for all files together.
"""

from __future__ import annotations

import argparse
import time

from whiteboard import pretrained

TARGET_KB = 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-train", action="store_true", help="sizes only, no retraining")
    args = parser.parse_args()
    print(f"{'network':<18}{'npz KB':>8}{'json KB':>9}{'recorded':>10}"
          + ("" if args.no_train else f"{'retrained':>11}{'train s':>9}"))
    total = 0
    for name in pretrained.names():
        sizes = [(pretrained.DIRECTORY / f"{name}.{ext}").stat().st_size for ext in ("npz", "json")]
        total += sum(sizes)
        row = (f"{name:<18}{sizes[0] / 1000:8.1f}{sizes[1] / 1000:9.1f}"
               f"{pretrained.record(name)['test_accuracy']:10.4f}")
        if not args.no_train:
            start = time.perf_counter()
            net = pretrained.train(name)
            seconds = time.perf_counter() - start
            acc = pretrained.evaluate_recipe(name, net)["test_accuracy"]
            row += f"{acc:11.4f}{seconds:9.1f}"
        print(row, flush=True)
    print(f"{'all files':<18}{total / 1000:8.1f} KB   (target <= {TARGET_KB} KB: "
          f"{'met' if total <= TARGET_KB * 1000 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
