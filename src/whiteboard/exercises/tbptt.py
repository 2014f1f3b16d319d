"""A checker for one step of truncated BPTT: the state carried, the gradient cut.

What the reader's ``fn(lm, ids, state) -> (loss, grads, new_state)`` computes, and how the
checker runs it over streams of windows (passing on whatever state it returns) against
:meth:`whiteboard.training.language.CharLM.loss_and_grads`, is in the docstring of
:mod:`whiteboard.exercises`.  A catalogue of wrong steps (the state not carried, or carried
but not cut, the targets not shifted...) names what went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from whiteboard.exercises.diagnosis import (
    Mistake,
    Probe,
    as_outputs,
    check_outputs,
    error_hint,
    nothing_returned,
    require_callable,
)
from whiteboard.training.language import CharLM, State
from whiteboard.training.network import affine_backward, cross_entropy, lookup_backward

__all__ = ["check_tbptt_step"]

_SPECS = (("lstm", 5, 2, 3, 4), ("gru", 4, 3, 3, 3), ("rnn", 6, 1, 2, 5))  # kind, T, B, D, H
_K, _WINDOWS = 6, 3  # alphabet size, windows a stream


def _lm(kind, params=None, sizes=None):
    """A CharLM of ``kind`` holding ``params``, or (sizes (K, D, H)) a fresh one."""
    import whiteboard

    if params is not None:
        sizes = (*params["E"].shape, params["weight_hh_l0"].shape[1])
    K, D, H = sizes
    lm = CharLM(getattr(whiteboard, kind.upper())(D, H), embed_dim=D, vocab_size=K)
    for k, v in lm.parameters().items() if params is not None else ():
        v[...] = params[k]
    return lm


def _probes() -> list[Probe]:
    rng = np.random.default_rng(21)
    probes = []
    for kind, T, B, D, H in _SPECS:
        lm = _lm(kind, sizes=(_K, D, H))
        params = {k: rng.normal(0.0, 0.7, v.shape) for k, v in lm.parameters().items()}
        text = rng.integers(_K, size=(_WINDOWS * T + 1, B))
        text[:2] = text[2:4]  # a repeated character in a window: E's rows must add up
        windows = np.stack([text[k * T : (k + 1) * T + 1] for k in range(_WINDOWS)])
        probes.append(Probe(f"{kind.upper()}, {_WINDOWS} windows of T={T}, B={B}",
                            {"kind": kind, "params": params, "windows": windows}))
    return probes


def _window_grads(lm, x, y, state, flags, history=None):
    """Loss and gradients of one window, the mistakes of ``flags`` committed."""
    if flags.get("shift") == "none":
        y = x
    elif flags.get("shift") == "back":
        x, y = y, x
    # not cut (a history): the forward runs from the text's start
    x_read = x if history is None else np.concatenate([*history, x])
    z, trace = lm.run(x_read, state if history is None else None)
    first = len(x_read) - len(x)
    z = z[first:]
    T, B, K = z.shape
    loss_kind = flags.get("loss", "mean")
    read = slice(-1, None) if loss_kind == "last" else slice(None)  # the steps in the loss
    loss, dz = cross_entropy(z[read].reshape(-1, K), y[read].reshape(-1))
    scale = {"mean": 1.0, "last": 1.0, "sum": T * B, "time_sum": T}[loss_kind]
    h = trace.h[first:][read]
    out = affine_backward(h.reshape(-1, h.shape[-1]), dz * scale, lm.readout.V)
    dh = np.zeros_like(trace.h)
    dh[len(dh) - len(h):] = out["h"].reshape(h.shape)
    grads = lm.core.backward(trace, dh)
    grads.update(V=out["V"], c=out["c"])
    if flags.get("embed_overwrite"):  # dE[x] += dx with repeats keeps one of them
        dE = np.zeros_like(lm.embed.E)
        dE[x_read.reshape(-1)] += grads["x"].reshape(-1, dE.shape[1])
        grads["E"] = dE
    else:
        grads["E"] = lookup_backward(lm.embed.E, x_read, grads["x"])
    return loss * scale, grads, trace


def _carried(trace, carry):
    if carry == "none":
        return None
    if carry == "first":
        return State.of(trace, 0)
    state = State.of(trace)
    if carry == "h_only" and state.c is not None:
        return State(state.h, np.zeros_like(state.c))
    return state


def stream_model(kind, params, windows, **flags) -> dict:
    """Every window's loss and gradients over the stream, with the mistakes of ``flags``."""
    lm = _lm(kind, params)
    keys = list(lm.parameters())
    out = {"loss": []} | {k: [] for k in keys}
    state, history = None, []
    for w in windows:
        x, y = w[:-1], w[1:]
        cut = not flags.get("no_cut")
        loss, grads, trace = _window_grads(lm, x, y, state, flags,
                                           None if cut else history)
        if not cut:  # the whole stream so far: its trace ends where this window does
            history.append(x)
        out["loss"].append(loss)
        for k in keys:
            out[k].append(grads[k])
        state = _carried(trace, flags.get("carry", "last"))
    return {k: np.asarray(v) for k, v in out.items()}


TBPTT_MISTAKES = [
    Mistake("no_carry", "every window starts from the zero state: the state is not carried. "
            "Return the state the window ended in (trace.h[-1], and for the LSTM trace.c[-1]) "
            "and start the next window's forward pass from the state you are given.",
            {"carry": "none"}),
    Mistake("no_cut", "the gradient is not cut: your loss of each window is differentiated "
            "back through every earlier window (the forward runs from the text's start). "
            "Truncated BPTT treats the carried state as a constant: run the window from it "
            "and backpropagate through this window only.", {"no_cut": True}),
    Mistake("carry_first", "you carry the state after the window's first character "
            "(trace.h[0]); the next window continues after its last one: trace.h[-1].",
            {"carry": "first"}),
    Mistake("carry_h_only", "the LSTM's cell state is not carried: the next window gets h "
            "but starts c from zeros. Carry both (trace.h[-1] and trace.c[-1]).",
            {"carry": "h_only"}),
    Mistake("targets_not_shifted", "your targets are the inputs themselves, so the model "
            "learns to copy the character it has just read. Predict the next one: inputs "
            "ids[:-1], targets ids[1:].", {"shift": "none"}),
    Mistake("shift_backwards", "inputs and targets are swapped (inputs ids[1:], targets "
            "ids[:-1]): the model predicts the character before. Inputs ids[:-1], targets "
            "ids[1:].", {"shift": "back"}),
    Mistake("loss_last_only", "only the last step's prediction is in your loss, as in a "
            "many-to-one model; a language model predicts at every step, so the loss is the "
            "mean over all T x B predictions.", {"loss": "last"}),
    Mistake("loss_sum", "your loss (and so every gradient) is summed over the T x B "
            "characters; the step's loss is their mean (cross_entropy of all of them at "
            "once).", {"loss": "sum"}),
    Mistake("loss_time_sum", "your loss sums over the T steps and averages over the B lanes; "
            "the step's loss is the mean over all T x B characters.", {"loss": "time_sum"}),
    Mistake("embed_overwrite", "the gradient of E loses repeats: dE[x] += dx keeps only one "
            "of the gradients of a character read twice (numpy's fancy indexing does not "
            "add up). Use lookup_backward(E, x, dx) or np.add.at.",
            {"embed_overwrite": True}),
]


class _Problem(str):
    """A return value of the wrong kind, in words (the stream wrapper's way to say so)."""


def _over_stream(fn):
    """The reader's step run over a probe's windows, as one function of the probe."""

    def run(kind, params, windows):
        lm = _lm(kind, params)
        keys = list(lm.parameters())
        before = {k: v.copy() for k, v in lm.parameters().items()}
        out = {"loss": []} | {k: [] for k in keys}
        state = None
        for k, w in enumerate(windows):
            got = fn(lm, w.copy(), state)
            if nothing_returned(got):
                return _Problem(nothing_returned(got))
            if not isinstance(got, tuple) or len(got) != 3:
                return _Problem(f"on window {k + 1}, your function returned a "
                                f"{type(got).__name__}, not the tuple (loss, grads, new_state)")
            loss, grads, state = got
            missing = [key for key in keys if not isinstance(grads, Mapping) or key not in grads]
            if missing:
                return _Problem(f"on window {k + 1}, your grads has no gradient for "
                                f"{', '.join(map(repr, missing))} (keys of lm.parameters())")
            if any(not np.array_equal(before[key], v) for key, v in lm.parameters().items()):
                return _Problem("your function changed lm's parameters: a step returns the "
                                "gradients and leaves the update to the optimiser")
            out["loss"].append(loss)
            for key in keys:
                out[key].append(grads[key])
        return out

    return run


def _parse(out):
    if isinstance(out, _Problem):
        return None, str(out)
    return as_outputs(out, "your {} over the windows")


_error_hint = error_hint(
    "fn(lm, ids, state) with ids (T + 1, B)",
    none="The first window of a text gets state=None: lm.run(x, None) starts it from zeros.",
    keys=("lm.parameters() and grads are keyed like state_dict() ('weight_ih_l0', ...) plus "
          "'V', 'c' and 'E'."))


def check_tbptt_step(fn):
    """Check ``fn(lm, ids, state) -> (loss, grads, new_state)``, one truncated-BPTT step.

    Details in the module docstring and in ``whiteboard.exercises``.
    """
    require_callable(fn, "check_tbptt_step", "fn(lm, ids, state) -> (loss, grads, new_state)")
    axes = {"loss": ("window",)}
    return check_outputs(
        _over_stream(fn), checker="check_tbptt_step", probes=_probes(), parse=_parse,
        expects=("check_tbptt_step expects (loss, grads, new_state): the window's mean "
                 "cross-entropy, a dict keyed like lm.parameters(), and the state to carry."),
        reference=lambda pr: stream_model(**pr.args), model=stream_model,
        catalogue=TBPTT_MISTAKES, subject="truncated BPTT (state carried, gradient cut)",
        axes=axes, error_hint=_error_hint)
