"""What if a gate were different? Forced gates, and forced units of the state.

**Forcing a gate.** To force a gate to a value v from step k on, the model is copied, the
gate's rows of both weight matrices are set to zero and its bias to σ⁻¹(v) (a large ±
number for v = 0 or 1, where σ saturates exactly). The copy's own ``forward`` then runs
the steps from k on, starting from the state the original model reached at step k. So the
what-if uses the very same cell code as everything else; only the numbers change:

    f_t = σ(0 · x_t + 0 · h_{t-1} + σ⁻¹(v)) = v      for t ≥ k.

Gates: LSTM i, f, g, o (PyTorch's names; g is the candidate, a tanh, so v ∈ [-1, 1]);
GRU r, z, n.

**Forcing a unit of the state** (``Override(STATE, v, units=...)``, any of the three cells).
The same pins hold a state unit at v ∈ [-1, 1], whatever the input: the LSTM's cell state
through c_t = 0 · c_{t-1} + 1 · v (f = 0, i = 1, g = v; its h_t = o_t tanh(v) still follows
the output gate), the GRU's h_t = (1 - 0) · v + 0 · h_{t-1} (z = 0, n = v), and the tanh
RNN's h_t = tanh(0 · x_t + 0 · h_{t-1} + tanh⁻¹(v)) = v (its rows pinned like a gate's).

Cells wired by hand to force are in :mod:`whiteboard.analysis.wired`; how the gradient
decays along the cell path, in :func:`whiteboard.analysis.jacobians.memory_path`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.cells import CELL_GATES
from whiteboard.cells.spec import RANGES, by_name
from whiteboard.checks import as_sequence, check_gate_value, check_nonneg_int
from whiteboard.models.base import Trace

__all__ = [
    "Override",
    "STATE",
    "pin_gates",
    "pin_state",
    "run_whatif",
]

STATE = "state"  # Override.gate that forces units of the state itself rather than a gate

_PIN = 1e3  # σ(±1e3) and tanh(±1e3) are exactly 1 or 0 (or ±1) in floating point


@dataclass(frozen=True)
class Override:
    """Force ``gate`` to ``value`` for the steps ``start <= t < stop`` (0-based).

    Attributes:
        gate: a gate name of the model (see the cell's ``GATES``), or :data:`STATE`.
        value: in [0, 1] for a sigmoid gate, in [-1, 1] for a tanh one or the state.
        start: first step forced (0-based).
        stop: first step no longer forced, or None for "until the end".
        units: the hidden units forced, or None for all of them.
    """

    gate: str
    value: float
    start: int = 0
    stop: int | None = None
    units: tuple | None = None

    def __str__(self) -> str:
        span = f"from step {self.start + 1}"
        if self.stop is not None:
            span += f" to {self.stop}"
        who = "" if self.units is None else f" on units {list(self.units)}"
        return f"{self.gate} = {self.value:g} {span}{who}"


def _gate_info(model, gate):
    """``(block, activation)`` of ``gate`` in ``model``'s gate spec (None for the state)."""
    kind = getattr(model, "kind", None)
    if gate == STATE and kind in CELL_GATES:
        if kind == "rnn" and getattr(model, "nonlinearity", "tanh") != "tanh":
            raise ValueError("only a tanh RNN's state can be forced (a value in [-1, 1])")
        return None, "tanh"
    if not CELL_GATES.get(kind):
        raise TypeError(f"only an LSTM or a GRU has gates to force, got {type(model).__name__}")
    gates = by_name(CELL_GATES[kind])
    if gate not in gates:
        raise ValueError(f"a {kind.upper()} has gates {sorted(gates)}, got {gate!r}")
    return gates[gate].block, gates[gate].activation


def _pre_activation(value, act, gate):
    """The bias b with act(b) == value (up to rounding; exactly at the ends)."""
    v = check_gate_value(value, act, gate)
    low = RANGES[act][0]
    if v in (low, 1.0):
        return _PIN if v == 1.0 else -_PIN
    return float(np.log(v / (1 - v))) if act == "sigmoid" else float(np.arctanh(v))


def pin_gates(model, pins, units=None):
    """A copy of ``model`` whose gates in ``pins`` output fixed values at every step.

    Args:
        model: an ``LSTM`` or ``GRU``.
        pins: gate name -> value.
        units: indices of the hidden units to pin (default all).

    Returns:
        the copy (the original is unchanged).
    """
    copy = model.copy()
    rows_in_block = _units(model, units)
    for gate, value in pins.items():
        block, act = _gate_info(model, gate)
        if block is None:
            raise ValueError(f"{gate!r} is not a gate: force the state with pin_state")
        _pin_rows(copy, block * model.hidden_size + rows_in_block,
                  _pre_activation(value, act, gate))
    return copy


def _units(model, units) -> np.ndarray:
    H = model.hidden_size
    rows = np.arange(H) if units is None else np.asarray(units, dtype=int)
    if rows.size and (rows.min() < 0 or rows.max() >= H):
        raise ValueError(f"units must lie in 0..{H - 1}, got {list(rows)}")
    return rows


def _pin_rows(model, rows, bias) -> None:
    """Rows of every weight zero and their bias ``bias``: their pre-activation is constant."""
    p = model.parameters()  # live arrays: writing them changes the model
    p["weight_ih_l0"][rows] = 0.0
    p["weight_hh_l0"][rows] = 0.0
    p["bias_ih_l0"][rows] = bias
    p["bias_hh_l0"][rows] = 0.0


def pin_state(model, value, units=None):
    """A copy of ``model`` whose state units ``units`` equal ``value`` at every step.

    The LSTM's cell state (f = 0, i = 1, g = value), the GRU's h (z = 0, n = value), the tanh
    RNN's h (its rows pinned); see the module docstring.

    Args:
        model: an ``RNN`` (tanh), ``LSTM`` or ``GRU``.
        value: in [-1, 1].
        units: indices of the units to pin (default all).
    """
    _gate_info(model, STATE)
    if model.kind == "lstm":
        return pin_gates(model, {"f": 0.0, "i": 1.0, "g": value}, units)
    if model.kind == "gru":
        return pin_gates(model, {"z": 0.0, "n": value}, units)
    copy = model.copy()
    _pin_rows(copy, _units(model, units), _pre_activation(value, "tanh", STATE))
    return copy


def run_whatif(model, X, overrides=(), *, h0=None, c0=None) -> Trace:
    """Run ``model`` over ``X`` with some gates forced over some steps.

    The sequence is cut wherever an override starts or stops; each piece is run by the
    model's own ``forward`` (with the pinned copy of :func:`pin_gates` where gates are
    forced), starting from the state where the previous piece ended.

    Args:
        model: an ``LSTM`` or ``GRU`` (or a tanh ``RNN``, whose only override is the state).
        X: (T, B, D) or (T, D) inputs.
        overrides: :class:`Override` objects (an empty list gives the plain forward pass).
        h0, c0: initial states as for ``model.forward``.

    Returns:
        a Trace with ``h``, ``gates`` (and ``c``), like ``forward``'s. It is for looking
        at: it has no cache, so ``backward`` cannot use it.
    """
    overrides = list(overrides)
    for ov in overrides:
        if not isinstance(ov, Override):
            raise TypeError(f"overrides must be Override objects, got {type(ov).__name__}")
        _gate_info(model, ov.gate)
    X3, was_2d = as_sequence(X, model.input_size, model.dtype)
    T = X3.shape[0]
    cuts = {0, T}
    for ov in overrides:
        start = check_nonneg_int(ov.start, "Override.start")
        stop = T if ov.stop is None else check_nonneg_int(ov.stop, "Override.stop")
        cuts.update(min(v, T) for v in (start, stop))
    cuts = sorted(cuts)
    has_cell = model.kind == "lstm"
    pieces, h, c = [], h0, c0
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):  # distinct: a < b
        active = [ov for ov in overrides
                  if ov.start <= a and (ov.stop is None or b <= ov.stop)]
        m = model
        for ov in active:  # one pin per override, so each keeps its own units
            m = (pin_state(m, ov.value, ov.units) if ov.gate == STATE
                 else pin_gates(m, {ov.gate: ov.value}, units=ov.units))
        tr = m.forward(X3[a:b], h0=h, c0=c) if has_cell else m.forward(X3[a:b], h0=h)
        pieces.append(tr)
        h, c = tr.h[-1], tr.c[-1] if has_cell else None
    first = pieces[0]
    gates = {g: np.concatenate([p.gates[g] for p in pieces]) for g in first.gates}
    return Trace(model.kind, X3, first.h0, np.concatenate([p.h for p in pieces]), gates,
                 c0=first.c0, c=np.concatenate([p.c for p in pieces]) if has_cell else None,
                 was_2d=was_2d)
