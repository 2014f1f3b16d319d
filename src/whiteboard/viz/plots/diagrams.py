"""Cell diagrams: the inside of one step of the RNN, the LSTM and the GRU.

:func:`draw_cell` draws a cell from its gate spec (:data:`whiteboard.cells.CELL_GATES`: which gates,
in which order, with which activation) and takes every symbol from
:func:`whiteboard.notation.cell_symbols`, so a diagram cannot show a gate, a letter or an
activation that the code does not have.  The picture follows the usual convention (Olah's
blog, the lectures): the state that is carried from step to step runs along the top, the
previous output and the input x_t meet in a bus at the bottom, each gate is a box that
squashes its own U x_t + W h_{t-1} + b, and the circles are element-wise operations.

Drawn for a phone (:mod:`~whiteboard.viz.plots.legible`): the LSTM is 410 px wide with words
of 12.5 pt, over 10 px in a phone's 342 px column; the GRU and the RNN fit it as they are.
``highlight`` colours one gate (or a few) and fades the others, to build a cell gate by gate;
it also takes the lectures' habits (``"write"``, ``"read"``, ``"forget"``,
:data:`whiteboard.notation.HABITS`), which for the GRU colour the update gate's way to the
candidate (its read, 1 − z) or to the old state (its forget, z) alone.
"""

from __future__ import annotations

import inspect

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from whiteboard.cells import CELL_GATES
from whiteboard.cells.rnn import rnn_step
from whiteboard.notation import HABITS, cell_symbols
from whiteboard.viz.plots import book_figure
from whiteboard.viz.plots.cell_drawing import BOX_H as _BOX_H
from whiteboard.viz.plots.cell_drawing import NODE_R as _NODE_R
from whiteboard.viz.plots.cell_drawing import WORD_SIZE, Drawing
from whiteboard.viz.plots.cell_drawing import Y_BOX as _Y_BOX

__all__ = ["draw_cell"]

_SCALE = 0.58      # inches per unit of the drawing, so a whole LSTM is 5.7 inches wide
_ACCENT = "#c62828"  # the highlighted gate: its box's edge, its wires and its letter
_FADED = {"shape": 0.25, "text": 0.45}  # the opacity of the gates not highlighted
# The plain RNN has no gate spec: its one box is the update, with the step's default squashing.
_RNN_ACTIVATION = inspect.signature(rnn_step).parameters["nonlinearity"].default

# Heights: the bus at the bottom, the gate boxes, the routes above them, the products, the
# line of the carried state.
_Y_BUS, _Y_LOW, _Y_MID, _Y_TOP = 0.55, 2.7, 3.25, 4.5
_X_IN, _X_DROP, _X_X, _X_GATE0, _DX = 0.85, 0.95, 1.2, 2.1, 1.7
_LEFT = -0.1        # the left edge: room for the labels of the states coming in
_STUB = 0.7         # how far the states going out run past the last node


def _role(gate) -> str:
    """The short name of a gate from its spec: "input gate" -> "input", "candidate (...)"."""
    return gate.role.split(" (")[0].removesuffix(" gate")


def _gate_x(k: int) -> float:
    return _X_GATE0 + k * _DX


def _bus(d, gates_x, syms, *, state_from_top, branch=True):
    """The inputs: the previous state (from the left, or dropped from the top line) and x_t
    (from below) join a bus that feeds every box (``gates_x``: gate name -> x)."""
    right = max(gates_x.values())
    if state_from_top:
        start = [(_X_DROP, _Y_TOP)] if branch else [(_X_IN, _Y_TOP), (_X_DROP, _Y_TOP)]
        d.line([*start, (_X_DROP, _Y_BUS), (right, _Y_BUS)], arrow=False)
        if branch:
            d.dot(_X_DROP, _Y_TOP)
    else:
        d.text(_X_IN - 0.12, _Y_BUS, f"${syms['states']['hidden'][0]}$", ha="right",
               gid="state:hidden:in")
        d.line([(_X_IN, _Y_BUS), (right, _Y_BUS)], arrow=False)
    d.line([(_X_X, _Y_BUS - 0.6), (_X_X, _Y_BUS)], arrow=False)
    d.dot(_X_X, _Y_BUS)
    d.text(_X_X, _Y_BUS - 0.82, f"${syms['x']}$", gid="input")
    for name, x in gates_x.items():
        with d.gate(name):
            d.line([(x, _Y_BUS), (x, _Y_BOX - _BOX_H / 2 - 0.03)])
        if x != right:
            d.dot(x, _Y_BUS)


def _top_line_in(d, symbol, role):
    d.text(_X_IN - 0.12, _Y_TOP, f"${symbol}$", ha="right", gid=f"state:{role}:in")


def _top_line_out(d, x_from, x_to, symbol, role):
    d.line([(x_from, _Y_TOP), (x_to, _Y_TOP)], width=2.2)
    d.text(x_to + 0.12, _Y_TOP, f"${symbol}$", ha="left", gid=f"state:{role}:out")


def _up_from_box(x):
    return (x, _Y_BOX + _BOX_H / 2 + 0.03)


def _draw_rnn(d, syms, gates):
    # No gates: one box computes the whole new state, and nothing runs along the top.
    before, after = syms["states"]["state"]
    x = _gate_x(0)
    _top_line_in(d, before, "state")
    _bus(d, {None: x}, syms, state_from_top=True, branch=False)
    d.box(x, _RNN_ACTIVATION, "new state", "update")
    out = x + _DX
    d.line([_up_from_box(x), (x, _Y_TOP), (out, _Y_TOP)], width=2.2)
    d.text(out + 0.12, _Y_TOP, f"${after}$", ha="left", gid="state:state:out")
    return out + 0.9


def _draw_lstm(d, syms, gates):
    xs = {g.name: _gate_x(k) for k, g in enumerate(gates)}
    (c_in, c_out), h_out = syms["states"]["cell"], syms["states"]["hidden"][1]
    letter = syms["gates"]
    x_out = max(xs.values()) + 1.0
    # The cell line: s_{t-1} -> (⊙ f) -> (+ i ⊙ g) -> s_t.  Forgetting must come first.
    x_forget = min(xs["f"], xs["g"] - _DX / 2)
    x_add = xs["g"]
    _top_line_in(d, c_in, "cell")
    d.text(_X_IN + 0.1, _Y_TOP + 0.3, "cell state", size=WORD_SIZE, ha="left")
    d.line([(_X_IN, _Y_TOP), (x_forget - _NODE_R, _Y_TOP)], width=2.2)
    with d.gate("f"):
        d.node(x_forget, _Y_TOP, r"$\odot$", "odot")
    d.line([(x_forget + _NODE_R, _Y_TOP), (x_add - _NODE_R, _Y_TOP)], width=2.2)
    d.node(x_add, _Y_TOP, "$+$", "plus")
    _top_line_out(d, x_add + _NODE_R, x_out + _STUB, c_out, "cell")
    _bus(d, xs, syms, state_from_top=False)
    # under the bus, right of x_t's way in: above it, it would cross the first box's arrow
    d.text(_X_X + 0.15, _Y_BUS - 0.3, "hidden state: the board", size=WORD_SIZE, ha="left")
    _boxes(d, gates, xs, letter)
    # f multiplies the old cell state; the candidate, scaled by i, is added to it.
    with d.gate("f"):
        d.line([_up_from_box(xs["f"]), (xs["f"], _Y_LOW + 0.25), (x_forget, _Y_LOW + 0.25),
                (x_forget, _Y_TOP - _NODE_R)] if xs["f"] != x_forget else
               [_up_from_box(xs["f"]), (x_forget, _Y_TOP - _NODE_R)])
    with d.gate("i", "g"):
        d.node(x_add, _Y_MID, r"$\odot$", "odot")
        d.line([(x_add, _Y_MID + _NODE_R), (x_add, _Y_TOP - _NODE_R)])
    with d.gate("g"):
        d.line([_up_from_box(xs["g"]), (x_add, _Y_MID - _NODE_R)])
    side = _NODE_R if xs["i"] > x_add else -_NODE_R
    with d.gate("i"):
        d.line([_up_from_box(xs["i"]), (xs["i"], _Y_MID), (x_add + side, _Y_MID)], halo=True)
    # h_t = o ⊙ tanh(cell): the cell state leaves through tanh and the output gate, and is
    # written onto the board (the lectures' selective write): that whole way is the o gate's.
    with d.gate("o"):
        d.dot(x_out, _Y_TOP)
        y_tanh = (_Y_LOW + _Y_TOP) / 2 + 0.05
        d.line([(x_out, _Y_TOP), (x_out, y_tanh + 0.25)])
        d.tanh_node(x_out, y_tanh)
        d.line([(x_out, y_tanh - 0.25), (x_out, _Y_LOW + _NODE_R)])
        d.node(x_out, _Y_LOW, r"$\odot$", "odot")
        d.line([_up_from_box(xs["o"]), (xs["o"], _Y_LOW), (x_out - _NODE_R, _Y_LOW)],
               halo=True)
        d.line([(x_out + _NODE_R, _Y_LOW), (x_out + _STUB, _Y_LOW)])
    d.text(x_out + _STUB + 0.12, _Y_LOW, f"${h_out}$", ha="left", gid="state:hidden:out")
    return x_out + _STUB + 0.75


def _boxes(d, gates, xs, letter, also=None):
    """Each gate's box, and the letter of its value by the arrow that leaves it (``also``:
    gate name -> the other tags its box belongs to, see :func:`_habit_tag`)."""
    for g in gates:
        with d.gate(g.name, *(also or {}).get(g.name, ())):
            d.box(xs[g.name], g.activation, _role(g), f"gate:{g.name}")
            d.text(xs[g.name] + 0.12, _Y_BOX + _BOX_H / 2 + 0.24, f"${letter[g.name]}$",
                   ha="left", gid=f"gate:{g.name}:symbol")


def _draw_gru(d, syms, gates):
    xs = {g.name: _gate_x(k) for k, g in enumerate(gates)}
    before, after = syms["states"]["state"]
    x_keep = min(xs["z"], xs["n"] - _DX / 2)
    x_add = xs["n"]
    right = max(xs.values()) + 1.15
    # The state line: s_{t-1} -> (⊙ keep) -> (+ (1 - keep) ⊙ candidate) -> s_t.
    _top_line_in(d, before, "state")
    d.text(_X_IN + 0.1, _Y_TOP + 0.3, "the board", size=WORD_SIZE, ha="left")
    d.line([(_X_IN, _Y_TOP), (x_keep - _NODE_R, _Y_TOP)], width=2.2)
    read, forget = _habit_tag("gru", "read"), _habit_tag("gru", "forget")
    with d.gate("z", forget):
        d.node(x_keep, _Y_TOP, r"$\odot$", "odot")
    d.line([(x_keep + _NODE_R, _Y_TOP), (x_add - _NODE_R, _Y_TOP)], width=2.2)
    d.node(x_add, _Y_TOP, "$+$", "plus")
    _top_line_out(d, x_add + _NODE_R, right, after, "state")
    _bus(d, xs, syms, state_from_top=True)
    _boxes(d, gates, xs, syms["gates"], also={"z": (read, forget)})
    _update_wires(d, xs, x_keep, "z" in syms["flipped"])
    with d.gate("z", "n", read):
        d.node(x_add, _Y_MID, r"$\odot$", "odot")
        d.line([(x_add, _Y_MID + _NODE_R), (x_add, _Y_TOP - _NODE_R)])
    with d.gate("n"):
        d.line([_up_from_box(xs["n"]), (x_add, _Y_MID - _NODE_R)])
    # The reset gate scales what the candidate sees of the old state (inside its box).
    x_enter = xs["n"] - 0.4 if xs["r"] < xs["n"] else xs["n"] + 0.4
    with d.gate("r"):
        d.line([_up_from_box(xs["r"]), (xs["r"], _Y_LOW), (x_enter, _Y_LOW),
                (x_enter, _Y_BOX + _BOX_H / 2 + 0.03)], halo=True)
    return right + 0.8


def _update_wires(d, xs, x_keep, flipped):
    """The update gate's value goes two ways: to the old state (the lectures' selective
    forget), and to the candidate (their selective read). The "1 -" sits on the candidate's
    way in PyTorch (z keeps) and on the old state's way in the lectures (i reads in)."""
    x_mix, r_flip = xs["n"], 0.29
    read, forget = _habit_tag("gru", "read"), _habit_tag("gru", "forget")
    with d.gate("z", read, forget):
        d.line([_up_from_box(xs["z"]), (xs["z"], _Y_MID)], arrow=False)
        d.dot(xs["z"], _Y_MID)

    def to_old_state(end_y):  # from the branch point up to the ⊙ on the state line
        if x_keep == xs["z"]:
            return [(xs["z"], _Y_MID), (x_keep, end_y)]
        return [(xs["z"], _Y_MID), (xs["z"], _Y_MID + 0.3), (x_keep, _Y_MID + 0.3),
                (x_keep, end_y)]

    if flipped:
        y_flip = (_Y_MID + _Y_TOP) / 2
        with d.gate("z", forget):
            d.line(to_old_state(y_flip - r_flip))
            d.node(x_keep, y_flip, "$1-$", "one-minus", r=r_flip)
            d.line([(x_keep, y_flip + r_flip), (x_keep, _Y_TOP - _NODE_R)])
        with d.gate("z", read):
            d.line([(xs["z"], _Y_MID), (x_mix - _NODE_R, _Y_MID)])
    else:
        x_flip = (xs["z"] + x_mix) / 2
        with d.gate("z", forget):
            d.line(to_old_state(_Y_TOP - _NODE_R))
        with d.gate("z", read):
            d.line([(xs["z"], _Y_MID), (x_flip - r_flip, _Y_MID)])
            d.node(x_flip, _Y_MID, "$1-$", "one-minus", r=r_flip)
            d.line([(x_flip + r_flip, _Y_MID), (x_mix - _NODE_R, _Y_MID)])


def _emphasise(d, kind, highlight):
    """Draw the ``highlight`` gates' parts in the accent colour and fade every other gate's."""
    chosen = _highlighted(kind, highlight)
    if not chosen:
        return
    for artist, owners in d.parts.items():
        if not chosen.intersection(owners):
            artist.set_alpha(_FADED["text" if isinstance(artist, Text) else "shape"])
        elif isinstance(artist, Text):
            if (artist.get_gid() or "").endswith(":symbol"):
                artist.set_color(_ACCENT)
        elif isinstance(artist, FancyArrowPatch):
            artist.set_color(_ACCENT)
            artist.set_linewidth(artist.get_linewidth() + 1.0)
        elif artist.get_facecolor()[:3] == artist.get_edgecolor()[:3] or (
                artist.get_edgecolor()[3] == 0):  # a dot
            artist.set_facecolor(_ACCENT)
        else:
            artist.set_edgecolor(_ACCENT)
            artist.set_linewidth(2.6)


def _habit_tag(kind, habit) -> str:
    """What a lectures' habit colours: its gate, or, for a gate that does two habits (the
    GRU's update gate), the tag ``"<gate>:<habit>"`` of that habit's own wires."""
    gates = HABITS[kind]
    gate = gates[habit]
    return gate if list(gates.values()).count(gate) == 1 else f"{gate}:{habit}"


def _highlighted(kind, highlight) -> frozenset[str]:
    """``highlight`` (None, a gate name, a habit or a list of them) as a set of tags."""
    known = [g.name for g in CELL_GATES.get(kind, ())]
    habits = list(HABITS.get(kind, {}))
    if highlight is None:
        return frozenset()
    chosen = [highlight] if isinstance(highlight, str) else highlight
    if not isinstance(chosen, (list, tuple, set, frozenset)) or not all(
            isinstance(n, str) for n in chosen):
        raise TypeError(f"highlight must be a gate name, a habit, a list of them or None, "
                        f"got {type(highlight).__name__} {highlight!r}")
    if not known:
        raise ValueError(f"the {kind.upper()} has no gates to highlight, got {highlight!r}")
    unknown = [n for n in chosen if n not in known and n not in habits]
    if unknown or not chosen:
        raise ValueError(f"highlight must name gates of the {kind.upper()}: "
                         f"{', '.join(map(repr, known))} (PyTorch's letters, whatever the "
                         f"notation shown), or the lectures' habits "
                         f"{', '.join(map(repr, habits))}, got {highlight!r}")
    return frozenset(_habit_tag(kind, n) if n in habits else n for n in chosen)


_LAYOUTS = {"rnn": _draw_rnn, "lstm": _draw_lstm, "gru": _draw_gru}


def draw_cell(kind, notation="lectures", ax=None, highlight=None) -> Figure:
    """Draw one step of an RNN, LSTM or GRU cell from its gate spec, in either notation.

    Each gate of ``whiteboard.cells.CELL_GATES[kind]`` is a box, left to right in the spec's
    order, showing its activation (σ or tanh) and its role; the letter of its value stands
    by the arrow that leaves it.  Circles are element-wise operations (⊙, +, 1 −).  The
    carried state runs along the top (thick); the previous output and x_t enter a bus at
    the bottom.  The LSTM's output h_t leaves on the right through tanh and the output gate.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        notation: ``"lectures"`` (s_t, s̃_t; the LSTM's gates o, i, f; the GRU's o and i,
            with i = 1 − z) or ``"pytorch"`` (h_t, c_t; i, f, g, o; r, z, n).
        ax: axes to draw on; a new figure when None.
        highlight: a gate's name in the spec (PyTorch's letter: ``"i"``, ``"f"``, ``"g"``,
            ``"o"``; ``"r"``, ``"z"``, ``"n"``), or one of the lectures' habits
            (``"write"``, ``"read"``, ``"forget"``), or a list of them, whatever the
            notation shown: its box, wires and letter are drawn in colour and the other
            gates faded. The LSTM's habits are its gates, ``"write"`` the output gate with
            the way from the cell state through tanh onto the board h_t, ``"read"`` the
            input gate, ``"forget"`` the forget gate; the GRU writes with its reset gate
            (the lectures' o_t), and its update gate does the other two, so ``"read"`` and
            ``"forget"`` colour that gate and only the wires of the one habit.

    Returns:
        the Figure.  Gate boxes carry the gid ``"gate:<name>"``, their texts
        ``"gate:<name>:activation"``, ``":role"`` and ``":symbol"``.

    Raises:
        TypeError: ``kind`` or ``notation`` is not a string, ``ax`` is not an Axes, or
            ``highlight`` is neither a string nor a list of strings.
        ValueError: ``kind`` or ``notation`` is not one of the choices, or ``highlight``
            names neither a gate of the cell nor a habit (the RNN has none).
    """
    syms = cell_symbols(kind, notation)  # validates kind and notation
    _highlighted(kind, highlight)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    own = ax is None
    if own:
        ax = book_figure().add_axes((0, 0, 1, 1))
    fig = ax.figure
    drawing = Drawing(ax)
    right = _LAYOUTS[kind](drawing, syms, CELL_GATES[kind])
    _emphasise(drawing, kind, highlight)
    left, bottom, top = _LEFT, _Y_BUS - 1.1, _Y_TOP + 0.55
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    if own:  # one unit of the drawing is _SCALE inches
        fig.set_size_inches((right - left) * _SCALE, (top - bottom) * _SCALE)
    return fig
