"""Units that hold something: which state unit of a language model tracks a feature of the text.

A character model reading code is never told where a string starts or how deep the brackets
are, yet predicting the next character well needs both.  If a unit of its state keeps such
a fact, that unit is a slot of the whiteboard, and we can find it by correlation
(Karpathy, Johnson and Fei-Fei 2015): read a text, keep every unit's value after every
character, and compute for each unit u and feature f the Pearson correlation

    r(u, f) = Σ_t (s_t[u] − mean s[u]) (f_t − mean f) / (N · std s[u] · std f)

over the N characters (:func:`correlations`).  The state read is the one the model carries
from step to step and alone: the LSTM's cell state c_t, the RNN's and the GRU's h_t.  The
best unit of a feature is the one with the largest |r| (:func:`best_units`).

A correlation says that a unit goes with a feature, not that the model uses it.  Forcing the
unit to one value (:func:`forced_reading`, the what-if machinery of
:mod:`whiteboard.analysis.whatif`) and measuring what the model then predicts worse says
that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.analysis.code_features import code_features
from whiteboard.analysis.whatif import STATE, Override, run_whatif
from whiteboard.training.language import LN2, CharLM, read
from whiteboard.training.text import encode

__all__ = ["Reading", "read_text", "correlations", "best_units", "forced_reading",
           "tracking_units"]


@dataclass(frozen=True, repr=False)
class Reading:
    """What a model did while reading a text once (B = 1, from a zero state).

    Attributes:
        bits: (N - 1,) −log₂ p of each next character.
        probs: (N - 1, K) the predicted distribution of each next character (float32), or
            None when not kept.
        state: (N, H) the carried state after each character, float32: the LSTM's c_t, the
            RNN's or the GRU's h_t.
        h: (N, H) the hidden state after each character, float32.
    """

    bits: np.ndarray
    probs: np.ndarray | None
    state: np.ndarray
    h: np.ndarray

    def __repr__(self) -> str:
        return (f"Reading({len(self.state)} characters, H={self.state.shape[1]}, "
                f"{self.bits.mean():.4f} bits per character)")


def read_text(lm: CharLM, ids, *, overrides=(), keep_probs: bool = False,
              chunk: int = 2048) -> Reading:
    """Read ``ids`` (N,) once with ``lm``, keeping every state; maybe with ``overrides``.

    Args:
        lm: a :class:`whiteboard.training.language.CharLM`.
        ids: (N,) character ids.
        overrides: :class:`whiteboard.analysis.whatif.Override` objects applied to every
            chunk's steps (an override with ``start=0`` and no ``stop`` holds throughout).
        keep_probs: also keep the predicted distributions (N - 1, K).
    """
    ids = np.asarray(ids)
    overrides = list(overrides)
    forward = None
    if overrides:
        def forward(X, state):
            return run_whatif(lm.core, X, overrides, h0=state.h, c0=state.c)
    bits, probs, states, hs = [], [], [], []
    # One placeholder character after the text, so that the last character is read too (its
    # state counts); the prediction of the placeholder is dropped.
    padded = np.append(ids, 0)
    for a, logp, trace in read(lm, padded, chunk=chunk, forward=forward):
        y = padded[a + 1 : a + 1 + len(logp)]
        bits.append(-logp[np.arange(len(y)), y] / LN2)
        if keep_probs:
            probs.append(np.exp(logp).astype(np.float32))
        carried = trace.c if trace.c is not None else trace.h
        states.append(carried[:, 0].astype(np.float32))
        hs.append(trace.h[:, 0].astype(np.float32))
    return Reading(np.concatenate(bits)[:-1],
                   np.concatenate(probs)[:-1] if keep_probs else None,
                   np.concatenate(states), np.concatenate(hs))


def correlations(state: np.ndarray, features: dict) -> dict[str, np.ndarray]:
    """Pearson's r of every unit with every feature: ``{feature: (H,) r}``.

    Args:
        state: (N, H) the units' values after each character.
        features: ``{name: (N,) values}`` (see :func:`whiteboard.analysis.code_features.
            code_features`).  A unit or a feature that never varies correlates 0.
    """
    s = np.asarray(state, dtype=np.float64)
    s = s - s.mean(axis=0)
    s_norm = np.sqrt(np.einsum("nh,nh->h", s, s))
    out = {}
    for name, f in features.items():
        f = np.asarray(f, dtype=np.float64)
        if f.shape != (len(s),):
            raise ValueError(f"feature {name!r} has shape {f.shape}, expected ({len(s)},)")
        f = f - f.mean()
        denom = s_norm * np.sqrt(f @ f)
        out[name] = np.divide(f @ s, denom, out=np.zeros(s.shape[1]), where=denom > 0)
    return out


def best_units(state: np.ndarray, features: dict) -> dict[str, tuple[int, float]]:
    """``{feature: (unit, r)}``: the unit with the largest |r| for each feature."""
    out = {}
    for name, r in correlations(state, features).items():
        u = int(np.argmax(np.abs(r)))
        out[name] = (u, float(r[u]))
    return out


def forced_reading(lm: CharLM, ids, unit: int, value: float, **kwargs) -> Reading:
    """:func:`read_text` with state unit ``unit`` held at ``value`` at every character."""
    return read_text(lm, ids, overrides=[Override(STATE, value, units=(int(unit),))],
                     **kwargs)


def tracking_units(lm: CharLM, text: str, *, reading: Reading | None = None) -> dict:
    """For each feature of :func:`~whiteboard.analysis.code_features.code_features`, the unit
    of ``lm``'s state that tracks it best on ``text``.

    Returns:
        ``{feature: {"unit": u, "r": Pearson's r, "scale": the 99th percentile of |s[u]|}}``
        (the scale colours the unit's values on a page).
    """
    reading = read_text(lm, encode(text)) if reading is None else reading
    out = {}
    for name, (u, r) in best_units(reading.state, code_features(text)).items():
        scale = float(np.quantile(np.abs(reading.state[:, u]), 0.99))
        out[name] = {"unit": u, "r": round(r, 4), "scale": round(scale, 4)}
    return out
