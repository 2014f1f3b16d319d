"""Command line: reproduce the book's experiments.

    python -m whiteboard --help
    python -m whiteboard story --lags 10 30 50 --seeds 5 --json
    python -m whiteboard story --models rnn rnn_orth irnn rnn_wide lstm gru --lags 15 --seeds 3
    python -m whiteboard temporal --lags 50 --seeds 5 --json
    python -m whiteboard pretrain [NAME ...]    # retrain the stored networks of the chapters
    python -m whiteboard ngram --out results/python_ngram.json   # the n-gram baselines

Progress goes to stderr and the result to stdout (JSON with ``--json``, else a table), so
``python -m whiteboard story --json > sweep.json`` captures the result alone.  Bad input
exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import os

# One run is many tiny matrix products; BLAS threads only fight each other (and the worker
# processes of --jobs) over them.  Set before numpy is imported; an explicit setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402

DEFAULT_LAGS = {"story": [5, 10, 20, 40], "temporal": [10, 50], "adding": [10, 50]}
HELP = {
    "story": "RNN vs LSTM on country -> language stories (chapter 6)",
    "temporal": "temporal order (Hochreiter & Schmidhuber 1997): the order of two symbols in noise",
    "adding": "the adding problem (Hochreiter & Schmidhuber 1997): add two marked numbers",
}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message):
        _fail(self.prog, f"{message} (see --help)")


def _positive(kind, what):
    """An argparse type: ``kind(text)`` if it is finite and above 0, else the error."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value < float("inf"):  # NaN too
            raise argparse.ArgumentTypeError(f"expected a positive {what}, got {text!r}")
        return value

    return parse


_positive_int, _positive_float = _positive(int, "integer"), _positive(float, "number")


def _model_lr(text):
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected MODEL=LR such as rnn=0.01, got {text!r}")
    return name, _positive_float(value)


def build_parser() -> argparse.ArgumentParser:
    from whiteboard.training.experiments import MODELS, Setup

    d = Setup()
    parser = _Parser(prog="python -m whiteboard",
                     description="Reproduce the experiments of 'Whiteboard to LSTM'.")
    sub = parser.add_subparsers(dest="task", metavar="EXPERIMENT", parser_class=_Parser)
    for task, text in HELP.items():
        p = sub.add_parser(task, help=text, description=text,
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.add_argument("--lags", type=_positive_int, nargs="+", default=DEFAULT_LAGS[task],
                       help="lags to test: steps from the clue to the answer")
        p.add_argument("--seeds", type=_positive_int, default=5,
                       help="seeds 0..N-1 per lag and model")
        p.add_argument("--models", nargs="+", choices=list(MODELS), default=["rnn", "lstm"],
                       metavar="MODEL",
                       help="models to train: " + "; ".join(f"{m}: {s.about}"
                                                             for m, s in MODELS.items()))
        p.add_argument("--hidden", type=_positive_int, default=d.hidden, help="hidden units H")
        p.add_argument("--steps", type=_positive_int, default=d.steps,
                       help="training budget in steps (runs stop early once solved)")
        p.add_argument("--batch", type=_positive_int, default=d.batch, help="batch size")
        p.add_argument("--clip", type=_positive_float, default=d.clip,
                       help="max global gradient norm")
        p.add_argument("--forget-bias", type=float, default=d.forget_bias,
                       help="initial total forget-gate bias of the 'lstm' model")
        p.add_argument("--embed", type=int, default=d.embed,
                       help="size of the learned token embedding (0: one-hot input)")
        p.add_argument("--lrs", type=_positive_float, nargs="+", default=list(d.lrs),
                       help="learning-rate grid searched per model and lag")
        p.add_argument("--search-seeds", type=_positive_int, default=d.search_seeds,
                       help="seeds per learning rate in the search (from 1000)")
        p.add_argument("--lr", type=_model_lr, nargs="+", metavar="MODEL=LR",
                       help="fixed learning rates (skips the search)")
        p.add_argument("--train-lags", type=_positive_int, nargs=2, metavar=("LOW", "HIGH"),
                       help="train each model once on mixed lags LOW..HIGH (every batch one "
                            "lag) and test it at each of --lags")
        p.add_argument("--extend", type=_positive_int, nargs="+", metavar="LAG",
                       help="further lags, trained only by the models that solve the longest "
                            "of --lags on more than half of the seeds")
        p.add_argument("--track", action="store_true",
                       help="measure, at every validation, the gradient reaching the clue's "
                            "input (relative to the answer's) and the share of dL/dW from "
                            "terms 10 or more steps back")
        p.add_argument("--jobs", type=_positive_int, default=1, help="worker processes")
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        p.add_argument("--out", metavar="FILE", help="also write the JSON result to FILE")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
    text = ("retrain the networks the chapters load (whiteboard.pretrained) from their "
            "recipes and rewrite their files")
    p = sub.add_parser("pretrain", help=text, description=text)
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="networks to retrain (default: all of them)")
    text = ("character n-gram baselines (interpolated Kneser-Ney) fitted on the standard "
            "library's source and measured on the held-out text, as JSON")
    p = sub.add_parser("ngram", help=text, description=text,
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--orders", type=_positive_int, nargs="+", default=[2, 3, 4, 5, 6, 7, 8],
                   help="the orders n to fit")
    p.add_argument("--out", metavar="FILE", help="also write the JSON result to FILE")
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    command = "python -m whiteboard " + shlex.join(argv)
    if args.task is None:
        parser.error(f"choose an experiment: {', '.join(HELP)}, pretrain or ngram")
    if args.task == "pretrain":
        return _pretrain(f"{parser.prog} pretrain", args.names, command)
    if args.task == "ngram":
        from whiteboard.analysis.baseline import ngram_baseline

        result = ngram_baseline(args.orders, command=command)
        print(_written(result, args.out))
        return 0

    from whiteboard.training.experiments import min_lag, with_setup
    from whiteboard.training.story import MAX_LAG
    from whiteboard.training.sweeps import summarize, sweep

    sub = f"{parser.prog} {args.task}"
    low = min_lag(args.task)
    for option, lags in (("--lags", args.lags), ("--extend", args.extend or [])):
        bad = [lag for lag in lags if not low <= lag <= MAX_LAG]
        if bad:
            _fail(sub, f"{option} must lie in {low}..{MAX_LAG} for {args.task} (the "
                       f"generator cannot make {bad})")
    if args.embed < 0:
        _fail(sub, f"--embed must be 0 (one-hot) or a positive size, got {args.embed}")
    if not float("-inf") < args.forget_bias < float("inf"):
        _fail(sub, f"--forget-bias must be a finite number, got {args.forget_bias}")
    setup = with_setup(hidden=args.hidden, steps=args.steps, batch=args.batch, clip=args.clip,
                       forget_bias=args.forget_bias, lrs=tuple(args.lrs),
                       search_seeds=args.search_seeds,
                       embed=args.embed or None)
    lr = dict(args.lr) if args.lr else None
    try:
        result = sweep(args.task, args.lags, args.seeds, args.models, setup, lr=lr,
                       jobs=args.jobs, progress=not args.quiet, command=command,
                       train_range=args.train_lags, extend=args.extend, track=args.track)
    except (ValueError, TypeError) as exc:  # input the checks above could not see
        _fail(sub, str(exc))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    if not args.quiet:
        sys.stderr.write(f"wall time {result['wall_seconds']:.0f} s on {result['cpu_count']} "
                         f"CPUs with {args.jobs} process(es)\n")
    text = _written(result, args.out)
    print(text if args.json else summarize(result))
    return 0


def _written(result, out) -> str:
    """``result`` as JSON text, also written to the file ``out`` unless it is None."""
    text = json.dumps(result, indent=1)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    return text


def _pretrain(prog, names, command) -> int:
    from whiteboard import pretrained

    unknown = [n for n in names if n not in pretrained.names()]
    if unknown:
        _fail(prog, f"no pretrained network called {', '.join(unknown)}; the names are "
                    f"{', '.join(pretrained.names())}")
    for name in names or pretrained.names():
        sys.stderr.write(f"training {name} ...\n")
        rec = pretrained.save(name, pretrained.train(name), command=command)
        skill = (f"bits per character {rec['bits_per_char']:.4f}" if "bits_per_char" in rec
                 else f"test accuracy {rec['test_accuracy']:.4f}")
        print(f"{name:<18} {skill} after {rec['steps_run']} steps ({rec['seconds']:.0f} s)",
              flush=True)
    return 0


def _fail(prog, message):
    sys.stderr.write(f"{prog}: error: {message}\n")
    sys.exit(2)


if __name__ == "__main__":
    sys.exit(main())
