"""The primitives of a cell diagram (:func:`whiteboard.viz.plots.diagrams.draw_cell`): boxes,
nodes, wires and text on one equal-aspect axes, each remembered with the gates it belongs to.
"""

from __future__ import annotations

import contextlib

from matplotlib import patheffects
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

__all__ = ["Drawing", "SYMBOL_SIZE", "WORD_SIZE", "EDGE", "FACE", "ACTIVATION", "BOX_W",
           "BOX_H", "NODE_R", "Y_BOX"]

SYMBOL_SIZE = 14   # pt: the letters of states and gates, and the activations
WORD_SIZE = 12.5   # pt: the words (a gate's role, "cell state")
EDGE = "#333333"
FACE = {"sigmoid": "#d9ead3", "tanh": "#fde9b0"}  # fractions green, values board-yellow
ACTIVATION = {"sigmoid": r"$\sigma$", "tanh": r"$\tanh$"}
BOX_W, BOX_H, NODE_R = 1.55, 1.05, 0.26  # a gate's box and an operation's circle
Y_BOX = 1.6  # the height of the gate boxes


class Drawing:
    """The primitives of a cell diagram on one equal-aspect axes.

    What is drawn inside ``with drawing.gate(name):`` belongs to that gate (its box, its
    wires, the nodes it feeds): ``parts`` maps each artist to the gates it belongs to.
    """

    def __init__(self, ax):
        self.ax = ax
        self.parts: dict[object, tuple[str, ...]] = {}
        self._owners: tuple[str, ...] = ()

    @contextlib.contextmanager
    def gate(self, *names):
        before, self._owners = self._owners, tuple(n for n in names if n)
        try:
            yield
        finally:
            self._owners = before

    def _own(self, artist):
        if self._owners:
            self.parts[artist] = self._owners
        return artist

    def text(self, x, y, s, *, size=SYMBOL_SIZE, gid=None, **kw):
        kw = {"ha": "center", "va": "center", **kw}
        t = self.ax.text(x, y, s, fontsize=size, zorder=6, **kw)
        t.set_gid(gid)
        return self._own(t)

    def box(self, x, activation, role, gid):
        w, h = BOX_W, BOX_H
        patch = FancyBboxPatch((x - w / 2, Y_BOX - h / 2), w, h, boxstyle="round,pad=0.03",
                               facecolor=FACE[activation], edgecolor=EDGE, linewidth=1.3,
                               zorder=4)
        patch.set_gid(gid)
        self.ax.add_patch(self._own(patch))
        self.text(x, Y_BOX + 0.2, ACTIVATION[activation], gid=f"{gid}:activation")
        self.text(x, Y_BOX - 0.24, role, size=WORD_SIZE, gid=f"{gid}:role")

    def node(self, x, y, symbol, kind, r=NODE_R):
        """An element-wise operation: a white circle with its symbol."""
        c = Circle((x, y), r, facecolor="white", edgecolor=EDGE, linewidth=1.3, zorder=4)
        c.set_gid(f"node:{kind}")
        self.ax.add_patch(self._own(c))
        self.text(x, y, symbol, size=WORD_SIZE if kind == "one-minus" else SYMBOL_SIZE)

    def tanh_node(self, x, y):
        """The squashing of the cell state on its way out (not a gate: no weights)."""
        w, h = 0.8, 0.44
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                               facecolor="white", edgecolor=EDGE, linewidth=1.3, zorder=4)
        patch.set_gid("node:tanh")
        self.ax.add_patch(self._own(patch))
        self.text(x, y, r"$\tanh$")

    def dot(self, x, y):
        self.ax.add_patch(self._own(Circle((x, y), 0.06, facecolor=EDGE, edgecolor="none",
                                           zorder=5)))

    def line(self, points, *, arrow=True, halo=False, width=1.3):
        """A polyline through ``points``, with an arrowhead at its end.

        ``halo`` draws a white border around it, so where it crosses a line drawn earlier
        that line shows a gap: the two do not meet.
        """
        patch = FancyArrowPatch(path=Path(points), arrowstyle="-|>" if arrow else "-",
                                mutation_scale=13, color=EDGE, linewidth=width,
                                shrinkA=0, shrinkB=0, zorder=3 if halo else 2,
                                joinstyle="miter", capstyle="butt")
        if halo:
            patch.set_path_effects([patheffects.withStroke(linewidth=6, foreground="white"),
                                    patheffects.Normal()])
        self.ax.add_patch(self._own(patch))
