"""Forward + backward time of whiteboard's RNN, LSTM and GRU against torch.nn on the CPU.

Run:  python benchmarks/bench_cells.py [--json] [--repeats N] [--quick] [--threads N]

For every model, dtype and shape (T, B, D, H), one timed repeat runs our forward and backward,
then torch's forward and backward on the same weights, input and output gradient (gradients on
the parameters and on X, like ours). Pairs are interleaved so that a slow moment of a shared
machine hits both sides alike. The table gives the median of each side and the ratio
ours / torch (below 1 means we are faster). Without torch only our times are printed.

BLAS settings change numpy's speed a lot (OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE), so the
header prints them; rerun with different values to compare, e.g.
``OPENBLAS_CORETYPE=Haswell python benchmarks/bench_cells.py``. On a busy machine, threads
that spin while waiting for a core make both sides erratic; ``--threads 1`` gives numpy's BLAS
and torch one thread each and is the fairer comparison there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

SHAPES = [(50, 64, 16, 64), (100, 32, 8, 32), (20, 128, 32, 128)]
QUICK_SHAPES = [(50, 64, 16, 64)]
MODELS = ("LSTM", "GRU", "RNN")
# numpy, whiteboard and torch are imported in main(), after --threads has set the BLAS
# environment, which OpenBLAS reads only once, when it loads.
np = None


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def bench_one(name, dtype, shape, repeats, torch):
    """Median seconds of (ours, torch or None) for one configuration."""
    T, B, D, H = shape
    rng = np.random.default_rng(0)
    X = rng.standard_normal((T, B, D)).astype(dtype)
    dh = rng.standard_normal((T, B, H)).astype(dtype)
    import whiteboard

    model = getattr(whiteboard, name)(D, H, seed=0, dtype=dtype)

    def ours():
        model.backward(model.forward(X), dh)

    theirs = None
    if torch is not None:
        module = getattr(torch.nn, name)(D, H).to(torch.float32 if dtype == np.float32
                                                  else torch.float64)
        module.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
        x_t = torch.from_numpy(X).requires_grad_(True)
        dh_t = torch.from_numpy(dh)

        def theirs():
            out, _ = module(x_t)
            out.backward(dh_t)

    ours_times, theirs_times = [], []
    for i in range(repeats + 2):  # the first two rounds warm caches and thread pools
        t0 = time.perf_counter()
        ours()
        t1 = time.perf_counter()
        if theirs is not None:
            module.zero_grad(set_to_none=True)
            x_t.grad = None
            t2 = time.perf_counter()
            theirs()
            t3 = time.perf_counter()
        if i >= 2:
            ours_times.append(t1 - t0)
            if theirs is not None:
                theirs_times.append(t3 - t2)
    return (statistics.median(ours_times),
            statistics.median(theirs_times) if theirs_times else None)


def environment(torch) -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "cpu_count": os.cpu_count(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--repeats", type=int, default=30, help="timed pairs per row (30)")
    parser.add_argument("--quick", action="store_true", help="only T=50 B=64 D=16 H=64")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and torch threads (default: leave each library's own)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be >= 1")
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    global np
    import numpy

    np = numpy
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # run uninstalled
    torch = _torch()
    if torch is not None and args.threads is not None:
        torch.set_num_threads(args.threads)
    env = environment(torch)
    rows = []
    for name in args.models:
        for dtype in (np.float32, np.float64):
            for shape in QUICK_SHAPES if args.quick else SHAPES:
                ours, theirs = bench_one(name, dtype, shape, args.repeats, torch)
                rows.append({
                    "model": name, "dtype": np.dtype(dtype).name,
                    "T": shape[0], "B": shape[1], "D": shape[2], "H": shape[3],
                    "ours_ms": ours * 1e3,
                    "torch_ms": None if theirs is None else theirs * 1e3,
                    "ratio": None if theirs is None else ours / theirs,
                })
                if not args.json:
                    print(_format_row(rows[-1]) if len(rows) > 1 else
                          _header(env) + "\n" + _format_row(rows[-1]), flush=True)
    if args.json:
        print(json.dumps({"environment": env, "repeats": args.repeats, "results": rows},
                         indent=2))
    return 0


def _header(env) -> str:
    info = ", ".join(f"{k}={v}" for k, v in env.items() if v is not None)
    cols = f"{'model':<6}{'dtype':<9}{'T':>5}{'B':>5}{'D':>5}{'H':>5}"
    cols += f"{'ours ms':>10}{'torch ms':>10}{'ours/torch':>12}"
    return f"# forward+backward, median per call; {info}\n{cols}\n{'-' * len(cols)}"


def _format_row(r) -> str:
    text = f"{r['model']:<6}{r['dtype']:<9}{r['T']:>5}{r['B']:>5}{r['D']:>5}{r['H']:>5}"
    text += f"{r['ours_ms']:>10.2f}"
    if r["torch_ms"] is None:
        return text + f"{'-':>10}{'-':>12}"
    return text + f"{r['torch_ms']:>10.2f}{r['ratio']:>12.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
