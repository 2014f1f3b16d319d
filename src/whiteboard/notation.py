"""The cells in the seed's notation (NPTEL CS7015): U, W, b per gate, s_t for the cell state.

The package stores weights the way PyTorch does: every gate's U (input weights) stacked in
``weight_ih_l0``, every gate's W (recurrent weights) in ``weight_hh_l0``, and two biases. The
functions here cut those stacks into one named matrix per gate, so a chapter can print

    s_t = f_t ⊙ s_{t-1} + i_t ⊙ s̃_t

and point at the line of ``lstm_step_nptel`` that computes it. Names:

    NPTEL          here        PyTorch / package
    U_o, W_o, b_o  "U_o" ...   rows 3H:4H of weight_ih_l0, weight_hh_l0, bias_ih + bias_hh
    U_i, W_i, b_i  "U_i" ...   rows 0:H     (input gate)
    U_f, W_f, b_f  "U_f" ...   rows H:2H    (forget gate)
    U, W, b        "U" ...     rows 2H:3H   (candidate s̃_t, PyTorch's g_t)
    s_t            s           c_t, the cell state
    s̃_t            s_tilde     g_t

Shapes: U_k (H, D), W_k (H, H), b_k (H,). Inputs are rows of a batch, x (B, D), so U x_t is
written ``x @ U.T``.

The lectures use the logistic σ everywhere. PyTorch (and this package) uses tanh for the
candidate and for squashing the cell state; ``lstm_step_nptel`` follows PyTorch, so it gives
exactly what ``whiteboard.cells.lstm.lstm_step`` gives:

    o_t = σ(W_o h_{t-1} + U_o x_t + b_o)
    i_t = σ(W_i h_{t-1} + U_i x_t + b_i)
    f_t = σ(W_f h_{t-1} + U_f x_t + b_f)
    s̃_t = tanh(W h_{t-1} + U x_t + b)          NPTEL: σ
    s_t = f_t ⊙ s_{t-1} + i_t ⊙ s̃_t
    h_t = o_t ⊙ tanh(s_t)                      NPTEL: σ

**The GRU's gate flips direction.** NPTEL writes s_t = (1 - i_t) ⊙ s_{t-1} + i_t ⊙ s̃_t: i_t is
how much of the new candidate is read in. PyTorch writes h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}:
z_t is how much of the old state is kept. So i_t = 1 - z_t, and since 1 - σ(a) = σ(-a), the
NPTEL gate's weights are PyTorch's update-gate weights with their sign flipped:
U_i = -U_z, W_i = -W_z, b_i = -b_z. ``to_nptel`` returns them that way.

**The lectures' three habits.** The lectures name each gate by what it does at the whiteboard,
the board being the vector every step reads (the LSTM's h, the GRU's s):

    habit              LSTM                                GRU
    selective write    o: h_{t-1} = o_{t-1} ⊙ σ(s_{t-1})   o (PyTorch's r): o_t ⊙ s_{t-1}, what the
                       goes onto the board                 candidate sees of the old state
    selective read     i: how much of s̃_t is read in       i = 1 - z: how much of s̃_t is read in
    selective forget   f: how much of s_{t-1} is kept      1 - i = z: tied to the read

``HABITS`` holds this table by PyTorch's letters; many other texts say "write" for the input
gate and "read" for the output gate (book/notation.md, "gate names").

The GRU's reset gate (NPTEL's o_t, PyTorch's r_t) also sits in a different place: the
lectures apply it before the product with W, PyTorch after it; ``gru_step_nptel`` follows
PyTorch (its docstring writes both).
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells import CELL_GATES
from whiteboard.cells.spec import Gate
from whiteboard.checks import check_choice
from whiteboard.maths import sigmoid

__all__ = ["FLIPPED", "HABITS", "NOTATIONS", "cell_symbols", "from_nptel", "gate_habits",
           "gru_step_nptel", "lstm_step_nptel", "rnn_step_nptel", "to_nptel"]

NOTATIONS = ("lectures", "pytorch")
# The letter of each state, by notation and cell. The lectures' s is the only state of the
# RNN and the GRU but the *cell* state of the LSTM, whose output is h (book/notation.md).
_STATES = {
    "lectures": {"rnn": {"state": "s"}, "lstm": {"cell": "s", "hidden": "h"},
                 "gru": {"state": "s"}},
    "pytorch": {"rnn": {"state": "h"}, "lstm": {"cell": "c", "hidden": "h"},
                "gru": {"state": "h"}},
}
# Gates whose lectures' form is one minus PyTorch's: the GRU's i_t = 1 - z_t (its weights
# change sign in ``to_nptel``).
FLIPPED = frozenset({"z"})
# The lectures' habits, in their order, and the gate (PyTorch's letter) that does each: the
# output gate writes onto the board, the input gate reads the candidate into the cell, the
# forget gate keeps. The GRU's update gate does two: 1 - z (the lectures' i) reads, z keeps.
HABITS = {
    "lstm": {"write": "o", "read": "i", "forget": "f"},
    "gru": {"write": "r", "read": "z", "forget": "z"},
}
# How the habit reaches the state from a gate whose lectures' value is not PyTorch's.
_THROUGH = {("gru", "read"): "1 − z", ("gru", "forget"): "z"}


def cell_symbols(kind: str, notation: str = "lectures") -> dict:
    """The TeX names of a cell's inputs, states and gates in the lectures' or PyTorch's notation.

    Gate letters come from the cell's gate spec (``whiteboard.cells.CELL_GATES``): PyTorch's are the
    gate names; the lectures' are each gate's ``nptel`` suffix, and s̃ for the candidate.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        notation: ``"lectures"`` (NPTEL: s_t, s̃_t, o, i, f) or ``"pytorch"`` (c_t, h_t; i, f,
            g, o; r, z, n).

    Returns:
        dict with ``"x"`` (the input, ``"x_t"``), ``"states"`` (role -> (before, after), e.g.
        ``{"cell": ("s_{t-1}", "s_t"), "hidden": ("h_{t-1}", "h_t")}``; role ``"state"`` for
        a cell with one state), ``"gates"`` (gate name -> its value at step t, e.g.
        ``{"g": r"\tilde s_t"}``) and ``"flipped"`` (the names of the gates whose value in
        this notation is one minus PyTorch's, see :data:`FLIPPED`).

    Raises:
        TypeError, ValueError: ``kind`` or ``notation`` is not one of the choices.
    """
    kind = check_choice(kind, tuple(CELL_GATES), "kind")
    notation = check_choice(notation, NOTATIONS, "notation")
    lectures = notation == "lectures"

    def letter(g):
        if not lectures:
            return g.name
        return g.nptel or r"\tilde " + _STATES["lectures"][kind]["cell" if kind == "lstm"
                                                                  else "state"]

    return {
        "x": "x_t",
        "states": {role: (f"{s}_{{t-1}}", f"{s}_t")
                   for role, s in _STATES[notation][kind].items()},
        "gates": {g.name: f"{letter(g)}_t" for g in CELL_GATES[kind]},
        "flipped": frozenset(g.name for g in CELL_GATES[kind] if lectures and g.name in FLIPPED),
    }


def gate_habits(kind: str) -> dict[str, str]:
    """Each gate's habit in the lectures' words, for labels: ``{"o": "selective write", ...}``.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.

    Returns:
        PyTorch's gate letter -> its habit(s), in the lectures' order: for the LSTM
        ``{"o": "selective write", "i": "selective read", "f": "selective forget"}``; for the
        GRU ``{"r": "selective write", "z": "selective read (1 − z) and forget (z)"}``; the
        candidates and the RNN have none.

    Raises:
        TypeError, ValueError: ``kind`` is not one of the cells.
    """
    kind = check_choice(kind, tuple(CELL_GATES), "kind")
    by_gate: dict[str, list[str]] = {}
    for habit, gate in HABITS.get(kind, {}).items():
        through = _THROUGH.get((kind, habit))
        by_gate.setdefault(gate, []).append(habit + (f" ({through})" if through else ""))
    return {gate: "selective " + " and ".join(habits) for gate, habits in by_gate.items()}


def to_nptel(model_or_state) -> dict:
    """Cut a model's stacked weights into NPTEL's per-gate U, W and b.

    Args:
        model_or_state: an ``RNN``, ``LSTM`` or ``GRU``, or a ``state_dict`` of one (the kind
            is read from the shapes: G*H rows with G = 1, 3 or 4).

    Returns:
        dict of copies:

        - RNN: ``U`` (H, D), ``W`` (H, H), ``b`` (H,), with s_t = f(U x_t + W s_{t-1} + b).
        - LSTM: ``U_k``, ``W_k``, ``b_k`` for k in o, i, f, and ``U``, ``W``, ``b`` for the
          candidate s̃_t; every b is bias_ih + bias_hh.
        - GRU: ``U_o``, ``W_o``, ``b_o`` (reset gate r), ``U_i``, ``W_i``, ``b_i`` (the
          *negated* update gate, so i_t = 1 - z_t; see the module docstring), and ``U``,
          ``W``, ``b`` (= b_in) and ``b_W`` (= b_hn) for the candidate.

    Raises:
        TypeError: not a model or a mapping.
        ValueError: the shapes are not those of a 1-, 3- or 4-gate cell.
    """
    if hasattr(model_or_state, "state_dict"):
        sd = model_or_state.state_dict()
    elif hasattr(model_or_state, "keys"):
        sd = {k: np.asarray(v) for k, v in model_or_state.items()}
    else:
        raise TypeError("expected a whiteboard model or its state_dict, got "
                        f"{type(model_or_state).__name__}")
    try:
        w_ih, w_hh = sd["weight_ih_l0"], sd["weight_hh_l0"]
        b_ih, b_hh = sd["bias_ih_l0"], sd["bias_hh_l0"]
    except KeyError as exc:
        raise ValueError(f"state_dict is missing {exc}; expected PyTorch's keys") from exc
    H = w_hh.shape[-1]
    G = w_hh.shape[0] // H if w_hh.ndim == 2 and H else 0
    if w_hh.ndim != 2 or G * H != w_hh.shape[0] or G not in (1, 3, 4):
        raise ValueError(
            f"weight_hh_l0 must have shape (G*H, H) with G = 1 (RNN), 3 (GRU) or 4 (LSTM), "
            f"got {w_hh.shape}"
        )

    P = {}
    gates = {len(g) or 1: g for g in CELL_GATES.values()}[G]  # the RNN: one block, no gate
    for g in gates or [Gate("", 0, "", "", "")]:
        rows, suffix = slice(g.block * H, (g.block + 1) * H), f"_{g.nptel}" if g.nptel else ""
        sign = -1.0 if g.name in FLIPPED else 1.0  # the lectures' i = 1 - z
        P["U" + suffix], P["W" + suffix] = sign * w_ih[rows], sign * w_hh[rows]
        if g.name == "n":  # the GRU's candidate keeps b_hn apart, inside r ⊙ (W h + b_hn)
            P["b"], P["b_W"] = b_ih[rows].copy(), b_hh[rows].copy()
        else:
            P["b" + suffix] = sign * (b_ih[rows] + b_hh[rows])
    return P


def _lectures_order(kind) -> tuple[str, ...]:
    """The NPTEL suffixes of a cell's U, W, b ("" = the plain ones, the candidate's or the
    RNN's) in the lectures' order: the gates of the habits first (o, i, f), then the rest."""
    first = list(dict.fromkeys(HABITS.get(kind, {}).values()))
    gates = sorted(CELL_GATES[kind], key=lambda g: first.index(g.name) if g.name in first
                   else len(first))
    return tuple(g.nptel for g in gates) or ("",)


def _kind_of(P) -> str:
    if "b_W" in P:
        return "gru"
    return "lstm" if "U_f" in P else "rnn"


def from_nptel(P) -> dict:
    """Stack NPTEL's per-gate U, W and b into PyTorch's ``state_dict``: the inverse of
    :func:`to_nptel`, so ``to_nptel(from_nptel(P))`` gives ``P`` back.

    The blocks go where the cell's gate spec puts them (``whiteboard.cells.CELL_GATES``); each
    b goes into ``bias_ih_l0`` and ``bias_hh_l0`` is zero, except the GRU's ``b_W``
    (PyTorch's b_hn, inside the reset gate's product). The GRU's i = 1 - z has its signs
    flipped back.

    Args:
        P: a mapping of arrays, keyed as ``to_nptel`` returns them: ``U``, ``W``, ``b``
            (RNN); ``U_k``, ``W_k``, ``b_k`` for k in o, i, f and ``U``, ``W``, ``b`` for the
            candidate (LSTM); ``U_o``, ``W_o``, ``b_o``, ``U_i``, ``W_i``, ``b_i``, ``U``,
            ``W``, ``b`` and ``b_W`` (GRU). U_k is (H, D), W_k (H, H), b_k (H,).

    Returns:
        ``{"weight_ih_l0": (G*H, D), "weight_hh_l0": (G*H, H), "bias_ih_l0": (G*H,),
        "bias_hh_l0": (G*H,)}``, for ``load_state_dict`` of an RNN, LSTM or GRU.

    Raises:
        TypeError: ``P`` is not a mapping.
        ValueError: a key of the cell is missing, or a block has the wrong shape.
    """
    if not hasattr(P, "keys"):
        raise TypeError(f"P must map the lectures' names (U_o, W_o, b_o, ...) to arrays, got "
                        f"{type(P).__name__}")
    kind = _kind_of(P)
    names = [f"{m}_{k}" if k else m for k in _lectures_order(kind) for m in ("U", "W", "b")]
    names += ["b_W"] if kind == "gru" else []
    missing = [n for n in names if n not in P]
    if missing:
        raise ValueError(f"P of {'an' if kind != 'gru' else 'a'} {kind.upper()} needs "
                         f"{', '.join(names)}; missing {', '.join(missing)}")
    A = {n: np.asarray(P[n], dtype=float) for n in names}
    H, D = A["U"].shape if A["U"].ndim == 2 else (0, 0)
    for n, a in A.items():
        want = {"U": (H, D), "W": (H, H), "b": (H,)}[n[0]]
        if not H or a.shape != want:
            raise ValueError(f"{n} must have shape {want} (H, D from U: {A['U'].shape}), "
                             f"got {a.shape}")
    gates = CELL_GATES[kind] if kind != "rnn" else ()
    G = max(len(gates), 1)
    sd = {"weight_ih_l0": np.zeros((G * H, D)), "weight_hh_l0": np.zeros((G * H, H)),
          "bias_ih_l0": np.zeros(G * H), "bias_hh_l0": np.zeros(G * H)}
    for g in gates or (None,):
        suffix = g.nptel if g else ""
        rows = slice(g.block * H, (g.block + 1) * H) if g else slice(0, H)
        sign = -1.0 if g and kind == "gru" and g.name in FLIPPED else 1.0
        key = f"_{suffix}" if suffix else ""
        sd["weight_ih_l0"][rows] = sign * A["U" + key]
        sd["weight_hh_l0"][rows] = sign * A["W" + key]
        sd["bias_ih_l0"][rows] = sign * A["b" + key]
        if g and kind == "gru" and not suffix:
            sd["bias_hh_l0"][rows] = A["b_W"]
    return sd


def rnn_step_nptel(x, s_prev, P, sigma=np.tanh):
    """One RNN step in NPTEL's notation: s_t = σ(U x_t + W s_{t-1} + b).

    Args:
        x: (B, D) input x_t.
        s_prev: (B, H) previous state s_{t-1}.
        P: from ``to_nptel`` of an RNN.
        sigma: the nonlinearity (tanh by default; ``whiteboard.maths.sigmoid`` for the
            lectures' logistic σ).

    Returns:
        (B, H) the state s_t.
    """
    return sigma(x @ P["U"].T + s_prev @ P["W"].T + P["b"])


def lstm_step_nptel(x, h_prev, s_prev, P):
    """One LSTM step in NPTEL's notation, with PyTorch's tanh for the candidate and output.

    Equal to ``whiteboard.cells.lstm.lstm_step`` (equations in the module docstring).

    Args:
        x: (B, D) input x_t.
        h_prev: (B, H) previous output h_{t-1} = o_{t-1} ⊙ tanh(s_{t-1}).
        s_prev: (B, H) previous cell state s_{t-1}.
        P: from ``to_nptel`` of an LSTM.

    Returns:
        ``(h, s, gates)``: h_t and s_t (B, H), and a dict with o, i, f and s_tilde (B, H).
    """
    o = sigmoid(h_prev @ P["W_o"].T + x @ P["U_o"].T + P["b_o"])  # output gate: selective write
    i = sigmoid(h_prev @ P["W_i"].T + x @ P["U_i"].T + P["b_i"])  # input gate: selective read
    f = sigmoid(h_prev @ P["W_f"].T + x @ P["U_f"].T + P["b_f"])  # forget gate: selective forget
    s_tilde = np.tanh(h_prev @ P["W"].T + x @ P["U"].T + P["b"])  # candidate
    s = f * s_prev + i * s_tilde
    h = o * np.tanh(s)
    return h, s, {"o": o, "i": i, "f": f, "s_tilde": s_tilde}


def gru_step_nptel(x, s_prev, P):
    """One GRU step in NPTEL's notation, with PyTorch's placement of the reset gate.

    Equal to ``whiteboard.cells.gru.gru_step``:

        o_t = σ(W_o s_{t-1} + U_o x_t + b_o)            PyTorch's r_t
        i_t = σ(W_i s_{t-1} + U_i x_t + b_i)            = 1 - z_t (weights negated)
        s̃_t = tanh(U x_t + b + o_t ⊙ (W s_{t-1} + b_W)) lectures: σ(W(o_t ⊙ s_{t-1}) + U x_t + b)
        s_t = (1 - i_t) ⊙ s_{t-1} + i_t ⊙ s̃_t

    Args:
        x, s_prev: as in :func:`rnn_step_nptel`.
        P: from ``to_nptel`` of a GRU.

    Returns:
        ``(s, gates)``: s_t (B, H) and a dict with o, i and s_tilde (B, H).
    """
    o = sigmoid(s_prev @ P["W_o"].T + x @ P["U_o"].T + P["b_o"])
    i = sigmoid(s_prev @ P["W_i"].T + x @ P["U_i"].T + P["b_i"])
    s_tilde = np.tanh(x @ P["U"].T + P["b"] + o * (s_prev @ P["W"].T + P["b_W"]))
    s = (1 - i) * s_prev + i * s_tilde
    return s, {"o": o, "i": i, "s_tilde": s_tilde}
