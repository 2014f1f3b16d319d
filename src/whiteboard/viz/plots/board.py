"""Figures of the whiteboard: the board step by step, its occupancy, and the soft board.

Everything drawn is read from a :class:`whiteboard.board.Run` or from the rounds of
:func:`whiteboard.board.soft_replay`; nothing here computes a value of the sum.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.patches import FancyBboxPatch, Rectangle

from whiteboard.board import Run, selective_strategy, soft_replay
from whiteboard.cells.lstm import GATES as LSTM_GATES
from whiteboard.cells.spec import sigmoid_gates
from whiteboard.viz.plots import figure_for, freeze_layout, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = ["OP_COLORS", "BoardStepper", "SoftBoardStepper", "plot_occupancy"]

# One colour per operation, used by every board figure (and named in the chapter's prose).
OP_COLORS = {"write": "#a8dca8", "read": "#a9cbf0", "erase": "#f2a7a7"}
_EMPTY = "#ffffff"
_ERROR = "#c0392b"


def _value(v) -> str:
    return f"{v:g}" if float(v).is_integer() else f"{v:.2f}"


class BoardStepper:
    """Steps through a run of the board, one frame per executed step.

    Left: the board's slots after the step, the touched slots coloured by operation
    (:data:`OP_COLORS`), the values in hand below, and the refusal in red if the step
    failed. Right: the strategy, the current step marked, the steps to come in grey.

    Args:
        run: from :func:`whiteboard.board.run_strategy`.

    Attributes:
        fig, n_frames, draw(t), caption(t): the stepper protocol of :mod:`whiteboard.viz.players`.
        slot_texts, slot_patches: one text and one box per slot (tests read them).
        hand_text, error_text: the text under the board.
        step_texts: one text per step of the strategy.
    """

    def __init__(self, run: Run):
        if not isinstance(run, Run):
            raise TypeError(f"expected a whiteboard.board.Run, got {type(run).__name__}")
        if not run.frames:
            raise ValueError("the run has no steps to show")
        self.run = run
        self.n_frames = len(run.frames)
        n, m = run.capacity, len(run.steps)
        # The board above its strategy, in two columns of steps: a phone's column wide.
        rows = -(-m // 2) if m > 8 else m
        self.fig, (self.ax_board, self.ax_steps) = new_figure(
            figsize=(PHONE_WIDTH_IN, 0.5 * n + 1.3 + 0.22 * rows + 0.2), nrows=2,
            gridspec_kw={"height_ratios": [0.5 * n + 1.3, 0.22 * rows + 0.1]})

        ax = self.ax_board
        top = n + 0.1
        ax.add_patch(FancyBboxPatch((0.03, -1.25), 0.94, top + 1.3, boxstyle="round,pad=0.02",
                                    facecolor="#f7f7f2", edgecolor="#555555", linewidth=1.5))
        self.slot_patches, self.slot_texts, self.slot_labels = [], [], []
        for k in range(n):
            y = n - 1 - k  # slot 1 at the top
            patch = Rectangle((0.2, y + 0.12), 0.72, 0.76, facecolor=_EMPTY,
                              edgecolor="#777777", linewidth=1)
            ax.add_patch(patch)
            self.slot_patches.append(patch)
            self.slot_labels.append(ax.text(0.12, y + 0.5, f"{k + 1}", ha="center",
                                            va="center", fontsize=10, color="#777777"))
            self.slot_texts.append(ax.text(0.56, y + 0.5, "", ha="center", va="center",
                                           fontsize=12, family="monospace"))
        self.hand_text = ax.text(0.08, -0.35, "", ha="left", va="center", fontsize=10)
        self.error_text = ax.text(0.08, -0.95, "", ha="left", va="center", fontsize=10,
                                  color=_ERROR, fontweight="bold")
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.3, top + 0.1)
        ax.axis("off")

        ax = self.ax_steps
        self.step_texts, self._rows = [], rows
        for i, step in enumerate(run.steps):
            x, y = self._step_at(i)
            self.step_texts.append(ax.text(x, y, f"{i + 1:2d}  {step}", ha="left",
                                           va="center", fontsize=10, family="monospace"))
        self.marker = ax.scatter([], [], marker=">", s=30, color="black")
        ax.set_xlim(-0.06, 1)
        ax.set_ylim(0, rows)
        ax.axis("off")
        freeze_layout(self.fig)
        self.draw(0)

    def draw(self, t: int) -> None:
        frame = self.run.frames[t]
        color = OP_COLORS[frame.step.op] if frame.error is None else "#f5c6c0"
        for k, slot in enumerate(frame.slots):
            patch, text = self.slot_patches[k], self.slot_texts[k]
            touched = k in frame.touched
            if slot is not None:
                text.set_text(f"{slot[0]} = {_value(slot[1])}")
                text.set_color("black")
            elif touched and frame.step.op == "erase":
                text.set_text(f"({frame.step.name}: erased)")
                text.set_color("#999999")
            else:
                text.set_text("")
            patch.set_facecolor(color if touched and frame.error is None else _EMPTY)
            patch.set_edgecolor(_ERROR if frame.error is not None else "#777777")
        hand = ", ".join(f"{k} = {_value(v)}" for k, v in frame.hand.items())
        self.hand_text.set_text(f"in hand: {hand or 'nothing'}")
        self.error_text.set_text(
            textwrap.fill(f"refused: {frame.error}", 46) if frame.error is not None else "")
        for i, text in enumerate(self.step_texts):
            text.set_color("black" if i <= t else "#aaaaaa")
            text.set_fontweight("bold" if i == t else "normal")
            text.set_bbox({"facecolor": color, "edgecolor": "none", "pad": 1.5}
                          if i == t else None)
        x, y = self._step_at(t)
        self.marker.set_offsets([[x - 0.04, y]])

    def _step_at(self, i: int) -> tuple[float, float]:
        """Where step ``i`` is written: down the first column, then the second."""
        column, row = divmod(i, self._rows)
        return 0.03 + 0.5 * column, self._rows - 1 - row + 0.5

    def caption(self, t: int) -> str:
        frame = self.run.frames[t]
        ran, planned = len(self.run.frames), len(self.run.steps)
        of = f"{ran}" if ran == planned else f"{ran} run ({planned} planned)"
        head = f"step {t + 1} of {of}: {frame.step}"
        if frame.error is not None:
            return f"{head}: refused ({frame.error})"
        if frame.step.op == "write":
            head += f" = {_value(frame.value)}"
        used = sum(s is not None for s in frame.slots)
        why = f"; {frame.step.why}" if frame.step.why else ""
        return f"{head}{why} [{used} of {self.run.capacity} slots used]"


def plot_occupancy(runs, *, capacity: int | None = None, ax=None):
    """Statements on the board after every step, one line per run.

    Args:
        runs: label -> :class:`whiteboard.board.Run`.
        capacity: draw the board's limit as a dashed line (default: the first run's).
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.0))
    styles = ("-", "--", ":", "-.")
    for i, (label, r) in enumerate(runs.items()):
        used = [sum(s is not None for s in f.slots) for f in r.frames]
        steps = np.arange(1, len(used) + 1)
        # Runs often share their first steps: the first is a wide pale band and the later
        # ones thin lines drawn on top of it, so a run that coincides with it stays visible.
        ax.step(steps, used, where="post", color=f"C{i}", label=label, zorder=2 + i,
                linewidth=7.0 if i == 0 else 2.0, alpha=0.35 if i == 0 else 1.0,
                linestyle=styles[i % len(styles)])
        if r.error is not None:
            ax.plot(steps[-1], used[-1] + 0.15, marker="x", color=_ERROR, markersize=10,
                    markeredgewidth=2.5, linestyle="none", zorder=10)
            ax.annotate("refused", (steps[-1], used[-1] + 0.15), textcoords="offset points",
                        xytext=(6, 4), color=_ERROR)
    if capacity is None:
        capacity = next(iter(runs.values())).capacity
    ax.axhline(capacity, color="0.4", linestyle=(0, (1, 3)), linewidth=1, zorder=1)
    ax.text(0.99, capacity, "board full", ha="right", va="bottom",
            transform=ax.get_yaxis_transform())
    ax.set_xlabel("step of the strategy")
    ax.set_ylabel("statements on the board")
    ax.set_ylim(0, max(capacity, max(r.peak for r in runs.values())) + 0.8)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, loc="upper left")
    return fig


_SOFT_ROWS = (
    ("s_prev", "on the board before"),
    ("f", "keep  f"),
    ("o", "pass on  o"),
    ("h_prev", "passed on  o·s"),
    ("s_tilde", "new value  s̃"),
    ("i", "take in  i"),
    ("s", "on the board after"),
)
_GATES = set(sigmoid_gates(LSTM_GATES))  # the soft board's gates are the LSTM's


class SoftBoardStepper:
    """Steps through the soft replay of a strategy, one frame per round (one write).

    Each frame is a small table: one column per slot, one row per quantity of
    s_r = f ⊙ s_{r-1} + i ⊙ s̃_r with h_{r-1} = o ⊙ s_{r-1}. Gate cells are shaded by
    their value (white 0, dark 1).

    Args:
        steps: the hard strategy; default :func:`whiteboard.board.selective_strategy`.
        capacity: slots.
        keep, take_in, pass_on: see :func:`whiteboard.board.soft_replay`.

    Attributes:
        fig, n_frames, draw(t), caption(t): the stepper protocol.
        rounds: the :class:`whiteboard.board.SoftRound` list being shown.
        cell_texts, cell_patches: dict row name -> list over slots (tests read them).
    """

    def __init__(self, steps=None, *, capacity: int = 3, keep=1.0, take_in=1.0, pass_on=1.0):
        self.steps = selective_strategy() if steps is None else list(steps)
        self.capacity = capacity
        self.set_fractions(keep=keep, take_in=take_in, pass_on=pass_on, redraw=False)
        n = len(self.rounds[0].s)
        self.fig, self.ax = new_figure(figsize=(PHONE_WIDTH_IN, 3.4))
        ax = self.ax
        rows = len(_SOFT_ROWS)
        self.cell_texts, self.cell_patches = {}, {}
        # a long name takes two lines over its column (the column is a phone's third)
        self.header_texts = [ax.text(1.5 + k, rows + 0.08, "", ha="center", va="bottom",
                                     fontsize=10, family="monospace", linespacing=1.0)
                             for k in range(n)]
        for r, (key, label) in enumerate(_SOFT_ROWS):
            y = rows - 1 - r
            ax.text(0.95, y + 0.5, label, ha="right", va="center", fontsize=10)
            self.cell_patches[key], self.cell_texts[key] = [], []
            for k in range(n):
                patch = Rectangle((1 + k + 0.04, y + 0.06), 0.92, 0.88, edgecolor="#999999",
                                  facecolor=_EMPTY, linewidth=0.8)
                ax.add_patch(patch)
                self.cell_patches[key].append(patch)
                self.cell_texts[key].append(ax.text(1.5 + k, y + 0.5, "", ha="center",
                                                    va="center", fontsize=10))
        ax.set_xlim(-1.1, n + 1.05)
        ax.set_ylim(-0.05, rows + 1.0)
        ax.axis("off")
        freeze_layout(self.fig)
        self.draw(0)

    def set_fractions(self, *, keep=1.0, take_in=1.0, pass_on=1.0, redraw=True):
        """Replay with other fractions (what the live sliders do)."""
        self.fractions = {"keep": keep, "take_in": take_in, "pass_on": pass_on}
        self.rounds = soft_replay(self.steps, capacity=self.capacity, keep=keep,
                                  take_in=take_in, pass_on=pass_on)
        self.n_frames = len(self.rounds)
        if redraw:
            self.draw(0)

    def draw(self, t: int) -> None:
        rnd = self.rounds[t]
        for k, name in enumerate(rnd.names):
            self.header_texts[k].set_text(textwrap.fill(name or "(empty)", 10))
        for key, _ in _SOFT_ROWS:
            values = getattr(rnd, key)
            for k, v in enumerate(values):
                text, patch = self.cell_texts[key][k], self.cell_patches[key][k]
                text.set_text(_value(v))
                if key in _GATES:
                    shade = 1 - 0.6 * float(v)
                    patch.set_facecolor((shade, shade + 0.4 * float(v) * 0.5, shade))
                    text.set_color("white" if v > 0.7 else "black")
                else:
                    patch.set_facecolor(_EMPTY)
                    text.set_color("black" if v != 0 else "#bbbbbb")

    def caption(self, t: int) -> str:
        rnd = self.rounds[t]
        slot = rnd.slot
        fr = self.fractions
        return (f"round {t + 1} of {self.n_frames}: {rnd.name} = {_value(rnd.s[slot])} "
                f"(keep {fr['keep']:.2f}, take in {fr['take_in']:.2f}, "
                f"pass on {fr['pass_on']:.2f})")
