"""Cell diagrams: the inside of one step of the RNN, the LSTM and the GRU.

:func:`draw_cell` draws a cell from its gate spec (:data:`whiteboard.cells.CELL_GATES`: which gates,
in which order, with which activation) and takes every symbol from
:func:`whiteboard.notation.cell_symbols`, so a diagram cannot show a gate, a letter or an
activation that the code does not have.  The picture follows the usual convention (Olah's
blog, the lectures): the state that is carried from step to step runs along the top, the
previous output and the input x_t meet in a bus at the bottom, each gate is a box that
squashes its own U x_t + W h_{t-1} + b, and the circles are element-wise operations.

Every label is at least 10 pt; at the 72 dpi the book stores figures with, that is 10 px
on the page.
"""

from __future__ import annotations

import inspect

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from whiteboard.cells import CELL_GATES
from whiteboard.cells.rnn import rnn_step
from whiteboard.notation import cell_symbols

__all__ = ["draw_cell"]

SYMBOL_SIZE = 14  # pt: the letters of states and gates, and the activations
WORD_SIZE = 11    # pt: the words (a gate's role, "cell state")
_SCALE = 0.66     # inches per unit of the drawing, so a whole LSTM is 7 inches wide
_EDGE = "#333333"
_FACE = {"sigmoid": "#d9ead3", "tanh": "#fde9b0"}  # fractions green, values board-yellow
_ACTIVATION = {"sigmoid": r"$\sigma$", "tanh": r"$\tanh$"}
# The plain RNN has no gate spec: its one box is the update, with the step's default squashing.
_RNN_ACTIVATION = inspect.signature(rnn_step).parameters["nonlinearity"].default

# Heights: the bus at the bottom, the gate boxes, the routes above them, the products, the
# line of the carried state.
_Y_BUS, _Y_BOX, _Y_LOW, _Y_MID, _Y_TOP = 0.55, 1.55, 2.6, 3.15, 4.4
_BOX_W, _BOX_H, _NODE_R = 1.35, 0.95, 0.24
_X_IN, _X_DROP, _X_X, _X_GATE0, _DX = 0.9, 1.15, 1.6, 3.0, 1.65


def _role(gate) -> str:
    """The short name of a gate from its spec: "input gate" -> "input", "candidate (...)"."""
    return gate.role.split(" (")[0].removesuffix(" gate")


class _Drawing:
    """The primitives of a cell diagram on one equal-aspect axes."""

    def __init__(self, ax):
        self.ax = ax

    def text(self, x, y, s, *, size=SYMBOL_SIZE, gid=None, **kw):
        kw = {"ha": "center", "va": "center", **kw}
        t = self.ax.text(x, y, s, fontsize=size, zorder=6, **kw)
        t.set_gid(gid)
        return t

    def box(self, x, activation, role, gid):
        w, h = _BOX_W, _BOX_H
        patch = FancyBboxPatch((x - w / 2, _Y_BOX - h / 2), w, h, boxstyle="round,pad=0.03",
                               facecolor=_FACE[activation], edgecolor=_EDGE, linewidth=1.3,
                               zorder=4)
        patch.set_gid(gid)
        self.ax.add_patch(patch)
        self.text(x, _Y_BOX + 0.17, _ACTIVATION[activation], gid=f"{gid}:activation")
        self.text(x, _Y_BOX - 0.22, role, size=WORD_SIZE, gid=f"{gid}:role")

    def node(self, x, y, symbol, kind, r=_NODE_R):
        """An element-wise operation: a white circle with its symbol."""
        c = Circle((x, y), r, facecolor="white", edgecolor=_EDGE, linewidth=1.3, zorder=4)
        c.set_gid(f"node:{kind}")
        self.ax.add_patch(c)
        self.text(x, y, symbol, size=WORD_SIZE if kind == "one-minus" else SYMBOL_SIZE)

    def tanh_node(self, x, y):
        """The squashing of the cell state on its way out (not a gate: no weights)."""
        w, h = 0.8, 0.44
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                               facecolor="white", edgecolor=_EDGE, linewidth=1.3, zorder=4)
        patch.set_gid("node:tanh")
        self.ax.add_patch(patch)
        self.text(x, y, r"$\tanh$")

    def dot(self, x, y):
        self.ax.add_patch(Circle((x, y), 0.06, facecolor=_EDGE, edgecolor="none", zorder=5))

    def line(self, points, *, arrow=True, halo=False, width=1.3):
        """A polyline through ``points``, with an arrowhead at its end.

        ``halo`` draws a white border around it, so where it crosses a line drawn earlier
        that line shows a gap: the two do not meet.
        """
        patch = FancyArrowPatch(path=Path(points), arrowstyle="-|>" if arrow else "-",
                                mutation_scale=13, color=_EDGE, linewidth=width,
                                shrinkA=0, shrinkB=0, zorder=3 if halo else 2,
                                joinstyle="miter", capstyle="butt")
        if halo:
            patch.set_path_effects([patheffects.withStroke(linewidth=6, foreground="white"),
                                    patheffects.Normal()])
        self.ax.add_patch(patch)


def _gate_x(k: int) -> float:
    return _X_GATE0 + k * _DX


def _bus(d, gates_x, syms, *, state_from_top, branch=True):
    """The inputs: the previous state (from the left, or dropped from the top line) and x_t
    (from below) join a bus that feeds every box."""
    right = max(gates_x)
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
    for x in gates_x:
        d.line([(x, _Y_BUS), (x, _Y_BOX - _BOX_H / 2 - 0.03)])
        if x != right:
            d.dot(x, _Y_BUS)


def _top_line_in(d, symbol, role):
    d.text(_X_IN - 0.12, _Y_TOP, f"${symbol}$", ha="right", gid=f"state:{role}:in")


def _top_line_out(d, x_from, x_to, symbol, role):
    d.line([(x_from, _Y_TOP), (x_to, _Y_TOP)], width=2.2)
    d.text(x_to + 0.12, _Y_TOP, f"${symbol}$", ha="left", gid=f"state:{role}:out")


def _gate_label(d, x, symbol, gid):
    d.text(x + 0.12, _Y_BOX + _BOX_H / 2 + 0.24, f"${symbol}$", ha="left", gid=gid)


def _up_from_box(x):
    return (x, _Y_BOX + _BOX_H / 2 + 0.03)


def _draw_rnn(d, syms, gates):
    # No gates: one box computes the whole new state, and nothing runs along the top.
    before, after = syms["states"]["state"]
    x = _gate_x(0)
    _top_line_in(d, before, "state")
    _bus(d, [x], syms, state_from_top=True, branch=False)
    d.box(x, _RNN_ACTIVATION, "new state", "update")
    out = x + _DX
    d.line([_up_from_box(x), (x, _Y_TOP), (out, _Y_TOP)], width=2.2)
    d.text(out + 0.12, _Y_TOP, f"${after}$", ha="left", gid="state:state:out")
    return out + 0.9


def _draw_lstm(d, syms, gates):
    xs = {g.name: _gate_x(k) for k, g in enumerate(gates)}
    (c_in, c_out), h_out = syms["states"]["cell"], syms["states"]["hidden"][1]
    letter = syms["gates"]
    x_out = max(xs.values()) + 1.3
    # The cell line: s_{t-1} -> (⊙ f) -> (+ i ⊙ g) -> s_t.  Forgetting must come first.
    x_forget = min(xs["f"], xs["g"] - _DX / 2)
    x_add = xs["g"]
    _top_line_in(d, c_in, "cell")
    d.text(_X_IN + 0.1, _Y_TOP + 0.3, "cell state", size=WORD_SIZE, ha="left")
    d.line([(_X_IN, _Y_TOP), (x_forget - _NODE_R, _Y_TOP)], width=2.2)
    d.node(x_forget, _Y_TOP, r"$\odot$", "odot")
    d.line([(x_forget + _NODE_R, _Y_TOP), (x_add - _NODE_R, _Y_TOP)], width=2.2)
    d.node(x_add, _Y_TOP, "$+$", "plus")
    _top_line_out(d, x_add + _NODE_R, x_out + 1.1, c_out, "cell")
    _bus(d, list(xs.values()), syms, state_from_top=False)
    d.text(_X_IN + 0.1, _Y_BUS + 0.3, "hidden state", size=WORD_SIZE, ha="left")
    for g in gates:
        d.box(xs[g.name], g.activation, _role(g), f"gate:{g.name}")
        _gate_label(d, xs[g.name], letter[g.name], f"gate:{g.name}:symbol")
    # f multiplies the old cell state; the candidate, scaled by i, is added to it.
    d.line([_up_from_box(xs["f"]), (xs["f"], _Y_LOW + 0.25), (x_forget, _Y_LOW + 0.25),
            (x_forget, _Y_TOP - _NODE_R)] if xs["f"] != x_forget else
           [_up_from_box(xs["f"]), (x_forget, _Y_TOP - _NODE_R)])
    d.node(x_add, _Y_MID, r"$\odot$", "odot")
    d.line([_up_from_box(xs["g"]), (x_add, _Y_MID - _NODE_R)])
    side = _NODE_R if xs["i"] > x_add else -_NODE_R
    d.line([_up_from_box(xs["i"]), (xs["i"], _Y_MID), (x_add + side, _Y_MID)], halo=True)
    d.line([(x_add, _Y_MID + _NODE_R), (x_add, _Y_TOP - _NODE_R)])
    # h_t = o ⊙ tanh(cell): the cell state leaves through tanh and the output gate.
    d.dot(x_out, _Y_TOP)
    y_tanh = (_Y_LOW + _Y_TOP) / 2 + 0.05
    d.line([(x_out, _Y_TOP), (x_out, y_tanh + 0.25)])
    d.tanh_node(x_out, y_tanh)
    d.line([(x_out, y_tanh - 0.25), (x_out, _Y_LOW + _NODE_R)])
    d.node(x_out, _Y_LOW, r"$\odot$", "odot")
    d.line([_up_from_box(xs["o"]), (xs["o"], _Y_LOW), (x_out - _NODE_R, _Y_LOW)], halo=True)
    d.line([(x_out + _NODE_R, _Y_LOW), (x_out + 1.1, _Y_LOW)])
    d.text(x_out + 1.22, _Y_LOW, f"${h_out}$", ha="left", gid="state:hidden:out")
    return x_out + 2.1


def _draw_gru(d, syms, gates):
    xs = {g.name: _gate_x(k) for k, g in enumerate(gates)}
    before, after = syms["states"]["state"]
    letter, flipped = syms["gates"], "z" in syms["flipped"]
    x_keep = min(xs["z"], xs["n"] - _DX / 2)
    x_add = xs["n"]
    right = max(xs.values()) + 1.2
    # The state line: s_{t-1} -> (⊙ keep) -> (+ (1 - keep) ⊙ candidate) -> s_t.
    _top_line_in(d, before, "state")
    d.line([(_X_IN, _Y_TOP), (x_keep - _NODE_R, _Y_TOP)], width=2.2)
    d.node(x_keep, _Y_TOP, r"$\odot$", "odot")
    d.line([(x_keep + _NODE_R, _Y_TOP), (x_add - _NODE_R, _Y_TOP)], width=2.2)
    d.node(x_add, _Y_TOP, "$+$", "plus")
    _top_line_out(d, x_add + _NODE_R, right, after, "state")
    _bus(d, list(xs.values()), syms, state_from_top=True)
    for g in gates:
        d.box(xs[g.name], g.activation, _role(g), f"gate:{g.name}")
        _gate_label(d, xs[g.name], letter[g.name], f"gate:{g.name}:symbol")
    # The update gate's value goes two ways: to the old state, and to the candidate. The
    # "1 -" sits on the candidate's way in PyTorch (z keeps) and on the old state's way in
    # the lectures (i takes in).
    x_mix, r_flip = x_add, 0.29
    d.line([_up_from_box(xs["z"]), (xs["z"], _Y_MID)], arrow=False)
    d.dot(xs["z"], _Y_MID)

    def to_old_state(end_y):  # from the branch point up to the ⊙ on the state line
        if x_keep == xs["z"]:
            return [(xs["z"], _Y_MID), (x_keep, end_y)]
        return [(xs["z"], _Y_MID), (xs["z"], _Y_MID + 0.3), (x_keep, _Y_MID + 0.3),
                (x_keep, end_y)]

    if flipped:
        y_flip = (_Y_MID + _Y_TOP) / 2
        d.line(to_old_state(y_flip - r_flip))
        d.node(x_keep, y_flip, "$1-$", "one-minus", r=r_flip)
        d.line([(x_keep, y_flip + r_flip), (x_keep, _Y_TOP - _NODE_R)])
        d.line([(xs["z"], _Y_MID), (x_mix - _NODE_R, _Y_MID)])
    else:
        x_flip = (xs["z"] + x_mix) / 2
        d.line(to_old_state(_Y_TOP - _NODE_R))
        d.line([(xs["z"], _Y_MID), (x_flip - r_flip, _Y_MID)])
        d.node(x_flip, _Y_MID, "$1-$", "one-minus", r=r_flip)
        d.line([(x_flip + r_flip, _Y_MID), (x_mix - _NODE_R, _Y_MID)])
    d.node(x_mix, _Y_MID, r"$\odot$", "odot")
    d.line([_up_from_box(xs["n"]), (x_mix, _Y_MID - _NODE_R)])
    d.line([(x_mix, _Y_MID + _NODE_R), (x_add, _Y_TOP - _NODE_R)])
    # The reset gate scales what the candidate sees of the old state (inside its box).
    x_enter = xs["n"] - 0.4 if xs["r"] < xs["n"] else xs["n"] + 0.4
    d.line([_up_from_box(xs["r"]), (xs["r"], _Y_LOW), (x_enter, _Y_LOW),
            (x_enter, _Y_BOX + _BOX_H / 2 + 0.03)], halo=True)
    return right + 0.9


_LAYOUTS = {"rnn": _draw_rnn, "lstm": _draw_lstm, "gru": _draw_gru}


def draw_cell(kind, notation="lectures", ax=None) -> Figure:
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

    Returns:
        the Figure.  Gate boxes carry the gid ``"gate:<name>"``, their texts
        ``"gate:<name>:activation"``, ``":role"`` and ``":symbol"``.

    Raises:
        TypeError: ``kind`` or ``notation`` is not a string, or ``ax`` is not an Axes.
        ValueError: ``kind`` or ``notation`` is not one of the choices.
    """
    syms = cell_symbols(kind, notation)  # validates kind and notation
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    own = ax is None
    if own:
        ax = Figure(dpi=72).add_axes((0, 0, 1, 1))
    fig = ax.figure
    right = _LAYOUTS[kind](_Drawing(ax), syms, CELL_GATES[kind])
    left, bottom, top = -0.35, _Y_BUS - 1.1, _Y_TOP + 0.55
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    if own:  # one unit of the drawing is _SCALE inches
        fig.set_size_inches((right - left) * _SCALE, (top - bottom) * _SCALE)
    return fig
