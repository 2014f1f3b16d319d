"""The mechanism measured while networks train: how much gradient reaches the clue.

:func:`train_and_track` trains runs exactly as :func:`whiteboard.training.experiments.
train_and_test` does (the same networks to the last bit: measuring reads the parameters and
changes nothing) and, before the first step and after every validation, measures each
network on a fixed probe set with :func:`whiteboard.analysis.reach.mechanism`: the gradient
that reaches the clue (``input_ratio``) and the share of ∂L/∂W from far terms
(``far_share``), both defined in :mod:`whiteboard.analysis.reach`.
"""

from __future__ import annotations

from whiteboard.analysis.reach import FAR, mechanism
from whiteboard.training.experiments import build, probe_set, train_and_test

__all__ = ["train_and_track", "PROBE_SIZE"]

PROBE_SIZE = 256  # probe sequences the mechanism is measured on


def train_and_track(runs, *, far: int = FAR, probe_size: int = PROBE_SIZE) -> list[dict]:
    """:func:`~whiteboard.training.experiments.train_and_test`, with the mechanism tracked.

    Args:
        runs: :class:`~whiteboard.training.experiments.RunSpec` items trained together (a
            classification task: the mechanism needs a cross-entropy read-out).
        far: the reach from which a term of ∂L/∂W counts as far.
        probe_size: sequences of the probe set, at the runs' (highest) training lag.

    Returns:
        the results of ``train_and_test``, each with ``track``: lists ``step`` (0, then
        every validation step), ``input_ratio``, ``far_share`` and ``loss`` (on the probe).
    """
    runs = list(runs)
    if not runs:
        raise TypeError("runs must be a non-empty list of RunSpec")
    first = runs[0]
    lag = first.lags[1]
    probe = probe_set(first.task, lag, probe_size)
    scratch = [build(r.task, r.model, r.seed, r.setup) for r in runs]  # the fresh networks
    tracks = [{"step": [], "input_ratio": [], "far_share": [], "loss": []} for _ in runs]

    def record(i, step):
        m = mechanism(scratch[i], probe.x, probe.y, lag, far=far)
        tracks[i]["step"].append(step)
        for key in ("input_ratio", "far_share", "loss"):
            tracks[i][key].append(float(f"{m[key]:.4g}"))  # what a result file keeps

    def on_eval(i, step, params):
        live = scratch[i].parameters()
        for k, v in params.items():
            live[k][...] = v
        record(i, step)

    for i in range(len(runs)):
        record(i, 0)
    results = train_and_test(runs, on_eval=on_eval)
    for result, track in zip(results, tracks, strict=True):
        result["track"] = track
    return results
