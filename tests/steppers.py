"""A minimal stepper for tests of the players, explorers and reader checks."""

from __future__ import annotations

import numpy as np

from whiteboard.viz.plots import new_figure


class Ramp:
    """A stepper whose frame t shows a line through the points 0..t."""

    def __init__(self, n=5):
        self.fig, self.ax = new_figure(figsize=(2, 1.5))
        (self.line,) = self.ax.plot([], [])
        self.ax.set_xlim(0, n)
        self.ax.set_ylim(0, n)
        self.n_frames = n
        self.drawn = []

    def draw(self, t):
        self.drawn.append(t)
        x = np.arange(t + 1)
        self.line.set_data(x, x)

    def caption(self, t):
        return f"t = {t}"
