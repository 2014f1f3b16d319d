"""What if a gate were different? Forced gates, a memory wired by hand, and the cell path.

**Forcing a gate.** To force a gate to a value v from step k on, the model is copied, the
gate's rows of both weight matrices are set to zero and its bias to σ⁻¹(v) (a large ±
number for v = 0 or 1, where σ saturates exactly). The copy's own ``forward`` then runs
the steps from k on, starting from the state the original model reached at step k. So the
what-if uses the very same cell code as everything else; only the numbers change:

    f_t = σ(0 · x_t + 0 · h_{t-1} + σ⁻¹(v)) = v      for t ≥ k.

Gates: LSTM i, f, g, o (PyTorch's names; g is the candidate, a tanh, so v ∈ [-1, 1]);
GRU r, z, n.

**A memory wired by hand.** :func:`story_memory_lstm` and :func:`story_memory_gru` set
the weights of a small cell so that it does the story task (country → language) on
purpose: one unit per country, a gate that opens when that country is read, a forget
gate that keeps it, and (LSTM) an output gate that opens at "speaks". Forcing its gates
has effects a reader can predict, which makes it the chapters' test bench.

**The cell path.** :func:`memory_path` measures, for a trained or untrained LSTM (GRU),
how the gradient ∂c_T/∂c_{T-k} (∂h_T/∂h_{T-k}) decays with k, using the model's own
``backward``, next to the product of forget gates ∏ f (update gates ∏ z) along the way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.cell import Trace
from whiteboard.checks import as_sequence, check_nonneg_int
from whiteboard.data import COUNTRIES, LANGUAGES, story_vocab
from whiteboard.train import one_hot, softmax

__all__ = [
    "GATES",
    "Override",
    "encode_words",
    "memory_path",
    "pin_gates",
    "run_whatif",
    "story_memory_gru",
    "story_memory_lstm",
    "story_readout",
]

# Per model kind: gate -> (PyTorch block index, "sigmoid" or "tanh").
GATES = {
    "lstm": {"i": (0, "sigmoid"), "f": (1, "sigmoid"), "g": (2, "tanh"), "o": (3, "sigmoid")},
    "gru": {"r": (0, "sigmoid"), "z": (1, "sigmoid"), "n": (2, "tanh")},
}
_PIN = 1e3  # σ(±1e3) and tanh(±1e3) are exactly 1 or 0 (or ±1) in floating point


@dataclass(frozen=True)
class Override:
    """Force ``gate`` to ``value`` for the steps ``start <= t < stop`` (0-based).

    Attributes:
        gate: a gate name of the model (see :data:`GATES`).
        value: in [0, 1] for a sigmoid gate, in [-1, 1] for a tanh one.
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
    kind = getattr(model, "kind", None)
    if kind not in GATES:
        raise TypeError(f"only an LSTM or a GRU has gates to force, got {type(model).__name__}")
    if gate not in GATES[kind]:
        raise ValueError(f"a {kind.upper()} has gates {sorted(GATES[kind])}, got {gate!r}")
    return GATES[kind][gate]


def _pre_activation(value, act, gate):
    """The bias b with act(b) == value (up to rounding; exactly at the ends)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"the value of gate {gate!r} must be a number, got {value!r}")
    v = float(value)
    low = 0.0 if act == "sigmoid" else -1.0
    if not low <= v <= 1.0:
        raise ValueError(f"gate {gate!r} is a {act}: its value must lie in [{low:g}, 1], got {v}")
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
    H = model.hidden_size
    rows_in_block = np.arange(H) if units is None else np.asarray(units, dtype=int)
    if rows_in_block.size and (rows_in_block.min() < 0 or rows_in_block.max() >= H):
        raise ValueError(f"units must lie in 0..{H - 1}, got {list(rows_in_block)}")
    p = copy.parameters()  # live arrays: writing them changes the copy
    for gate, value in pins.items():
        block, act = _gate_info(model, gate)
        rows = block * H + rows_in_block
        p["weight_ih_l0"][rows] = 0.0
        p["weight_hh_l0"][rows] = 0.0
        p["bias_ih_l0"][rows] = _pre_activation(value, act, gate)
        p["bias_hh_l0"][rows] = 0.0
    return copy


def run_whatif(model, X, overrides=(), *, h0=None, c0=None) -> Trace:
    """Run ``model`` over ``X`` with some gates forced over some steps.

    The sequence is cut wherever an override starts or stops; each piece is run by the
    model's own ``forward`` (with the pinned copy of :func:`pin_gates` where gates are
    forced), starting from the state where the previous piece ended.

    Args:
        model: an ``LSTM`` or ``GRU``.
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
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        if a == b:
            continue
        active = [ov for ov in overrides
                  if ov.start <= a and (ov.stop is None or b <= ov.stop)]
        m = model
        for ov in active:  # one pin per override, so each keeps its own units
            m = pin_gates(m, {ov.gate: ov.value}, units=ov.units)
        tr = m.forward(X3[a:b], h0=h, c0=c) if has_cell else m.forward(X3[a:b], h0=h)
        pieces.append(tr)
        h, c = tr.h[-1], tr.c[-1] if has_cell else None
    first = pieces[0]
    gates = {g: np.concatenate([p.gates[g] for p in pieces]) for g in first.gates}
    return Trace(model.kind, X3, first.h0, np.concatenate([p.h for p in pieces]), gates,
                 c0=first.c0, c=np.concatenate([p.c for p in pieces]) if has_cell else None,
                 was_2d=was_2d)


# ------------------------------------------------------------------ a memory wired by hand


def encode_words(words) -> np.ndarray:
    """One-hot inputs (T, 1, V) for a story given as words of ``story_vocab()``."""
    vocab = {w: k for k, w in enumerate(story_vocab())}
    unknown = [w for w in words if w not in vocab]
    if unknown:
        raise ValueError(f"words not in the story vocabulary: {unknown}")
    tokens = np.array([[vocab[w]] for w in words])
    return one_hot(tokens, len(vocab))


def _wired(model_cls, seed, noise, **kw):
    """A model over the story vocabulary, one unit per country, small random weights."""
    V, H = len(story_vocab()), len(COUNTRIES)
    model = model_cls(V, H, seed=seed, **kw)
    for arr in model.parameters().values():
        arr *= noise  # keep a little of the random init, so the picture is not too clean
    vocab = story_vocab()
    country = np.array([vocab.index(c) for c in COUNTRIES])
    return model, model.parameters(), np.arange(H), country, vocab.index("speaks")


def story_memory_lstm(*, keep=4.0, seed=0, noise=0.3):
    """An LSTM whose weights are set by hand to carry the country to "speaks".

    Unit k belongs to country k. Its input gate opens (σ(+3)) when country k is read and
    stays nearly shut (σ(-3)) otherwise; its candidate is tanh(3) ≈ 1 there; its forget
    gate is σ(keep) at every step; its output gate opens only at "speaks".

    Args:
        keep: the forget gate's bias b_f (σ(4) ≈ 0.982 per step).
        seed: seeds the small random part of the weights.
        noise: scale of the random part relative to PyTorch's initialisation.

    Returns:
        an ``LSTM`` with D = len(story_vocab()) one-hot inputs and H = 8.
    """
    from whiteboard.lstm import LSTM

    model, p, units, country, speaks = _wired(LSTM, seed, noise)
    H = len(units)
    i, f, g, o = (slice(k * H, (k + 1) * H) for k in range(4))
    p["bias_ih_l0"][i] = -3.0
    p["weight_ih_l0"][i.start + units, country] = 6.0
    p["bias_ih_l0"][f] = keep
    p["weight_ih_l0"][g.start + units, country] = 3.0
    p["bias_ih_l0"][o] = -3.0
    p["weight_ih_l0"][o, speaks] = 6.0
    for b in (i, f, g, o):
        p["bias_hh_l0"][b] = 0.0
    return model


def story_memory_gru(*, keep=4.0, seed=0, noise=0.3):
    """A GRU whose weights are set by hand to carry the country along the story.

    PyTorch's form h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}: unit k's update gate is σ(keep)
    (keep the old state) at every step except when country k is read, where it drops to
    σ(keep - 8) and the candidate tanh(3) ≈ 1 comes in.

    Returns:
        a ``GRU`` with D = len(story_vocab()) one-hot inputs and H = 8.
    """
    from whiteboard.gru import GRU

    model, p, units, country, _ = _wired(GRU, seed, noise)
    H = len(units)
    z, n = slice(H, 2 * H), slice(2 * H, 3 * H)
    p["bias_ih_l0"][z] = keep
    p["bias_hh_l0"][z] = 0.0
    p["weight_ih_l0"][z.start + units, country] = -8.0
    p["weight_ih_l0"][n.start + units, country] = 3.0
    return model


def story_readout(scale=8.0):
    """The readout of the wired models: p = softmax(scale · h_t), one class per unit.

    Returns:
        a function h (H,) -> probabilities (8,) over ``whiteboard.data.LANGUAGES``.
    """

    def readout(h):
        h = np.asarray(h, dtype=float)
        if h.shape != (len(LANGUAGES),):
            raise ValueError(f"h must have shape ({len(LANGUAGES)},), got {h.shape}")
        return softmax(scale * h)

    return readout


# ------------------------------------------------------------------------ the cell path


def memory_path(model, X, *, max_k=None):
    """How the gradient along the memory decays with the number of steps k.

    For k = 1 .. max_k it measures, at the last step T,

    - LSTM: ‖∂c_T/∂c_{T-k}‖₂, all paths included (through f, and through h_{T-k} and the
      gates), and ``product`` = ‖diag(f_T ⊙ … ⊙ f_{T-k+1})‖₂ = max over units of ∏ f,
      the part of it that runs straight down the cell path;
    - GRU: ‖∂h_T/∂h_{T-k}‖₂ and the product of update gates ∏ z.

    The Jacobian comes from the model's own ``backward``: the last k steps are rerun from
    the stored state as a batch of H copies, and row b of the Jacobian is the gradient
    that ``backward`` sends to the initial state when the loss is unit b of the last state.

    Args:
        model: an ``LSTM`` or ``GRU``.
        X: (T, D) one sequence.
        max_k: the largest k (default T - 1).

    Returns:
        dict with ``k`` (K,), ``jacobian`` (K,) and ``product`` (K,).
    """
    if getattr(model, "kind", None) not in ("lstm", "gru"):
        raise TypeError(f"memory_path needs an LSTM or a GRU, got {type(model).__name__}")
    X3, _ = as_sequence(X, model.input_size, model.dtype)
    if X3.shape[1] != 1:
        raise ValueError(f"memory_path takes one sequence, (T, D) or (T, 1, D); got {X3.shape}")
    T, H = X3.shape[0], model.hidden_size
    max_k = T - 1 if max_k is None else int(max_k)
    if not 1 <= max_k <= T - 1:
        raise ValueError(f"max_k must lie in 1..{T - 1} for T = {T}, got {max_k}")
    trace = model.forward(X3)
    lstm = model.kind == "lstm"
    keep = trace.gates["f" if lstm else "z"][:, 0]  # (T, H)
    eye = np.eye(H, dtype=model.dtype)
    jac, prod = np.empty(max_k), np.empty(max_k)
    for k in range(1, max_k + 1):
        start = T - k  # 0-based index of the first rerun step; state index start - 1
        Xk = np.repeat(X3[start:], H, axis=1)
        h0 = np.repeat(trace.h[start - 1], H, axis=0)
        if lstm:
            c0 = np.repeat(trace.c[start - 1], H, axis=0)
            tr = model.forward(Xk, h0=h0, c0=c0)
            g = model.backward(tr, np.zeros_like(tr.h), dc_last=eye)
            # h_{T-k} = o ⊙ tanh(c_{T-k}) also depends on c_{T-k}: add that route.
            o, c = trace.gates["o"][start - 1, 0], trace.c[start - 1, 0]
            J = g["c0"] + g["h0"] * (o * (1 - np.tanh(c) ** 2))
        else:
            tr = model.forward(Xk, h0=h0)
            dh = np.zeros_like(tr.h)
            dh[-1] = eye
            J = model.backward(tr, dh)["h0"]
        jac[k - 1] = np.linalg.norm(J, 2)
        prod[k - 1] = np.prod(keep[start:], axis=0).max()
    return {"k": np.arange(1, max_k + 1), "jacobian": jac, "product": prod}
