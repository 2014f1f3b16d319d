"""Figures of the whiteboard: the board and its memory step by step, and the soft board.

Everything drawn is read from a :class:`whiteboard.board.BoardRun`; nothing here computes
a value of the sum. Both steppers are drawn a phone's column wide, with text of 10 pt or
more (:mod:`whiteboard.viz.plots.legible`).
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.patches import Rectangle

from whiteboard.board import (
    GIVENS,
    HABITS,
    SUM_PLAN,
    BoardRun,
    number_text,
    run_strategy,
    selective_strategy,
    slot_name,
    switch_off,
)
from whiteboard.cells.lstm import GATES as LSTM_GATES
from whiteboard.cells.spec import sigmoid_gates
from whiteboard.checks import check_choices
from whiteboard.viz.plots import figure_for, freeze_layout, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = ["HABIT_COLORS", "BoardStepper", "SoftBoardStepper", "plot_answer_vs_fractions"]

# One colour per habit, used by every board figure (and named in the chapter's prose).
HABIT_COLORS = {"write": "#a8dca8", "read": "#a9cbf0", "forget": "#f2a7a7"}
_EMPTY = "#ffffff"
_WRONG = "#c0392b"
_OPS = {"+": " + ", "*": " × "}


def _wrap(text: str, width: int = 15) -> str:
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def _slot_lines(value, held) -> str:
    """A slot's text on two lines, name over value, narrow enough for a phone's third."""
    if not held:
        return "—"
    return f"{_wrap(slot_name(held))}\n= {number_text(value)}"


class BoardStepper:
    """Steps through a run of the board, one frame per step of the sum.

    Top: the step's instruction. Then the board the step works from (slots written onto it
    in the write colour, :data:`HABIT_COLORS`), the new line it makes from its givens and
    the board, and the memory after the step (the slots read into in the read colour, the
    slots forgotten edged in the forget colour). A wrong new line is printed in red.

    Args:
        run: from :func:`whiteboard.board.run_strategy`.

    Attributes:
        fig, n_frames, draw(t), caption(t), animated: the stepper protocol of
            :mod:`whiteboard.viz.players` and :mod:`whiteboard.viz.explorers`.
        board_texts, board_patches, memory_texts, memory_patches: one per slot (tests
            read them).
        title_text, line_text: the instruction and the new line.
    """

    def __init__(self, run: BoardRun):
        if not isinstance(run, BoardRun):
            raise TypeError(f"expected a whiteboard.board.BoardRun, got {type(run).__name__}")
        self.run = run
        self.n_frames = len(run.rounds)
        n = run.slots
        self.fig, self.ax = new_figure(figsize=(PHONE_WIDTH_IN, 3.4))
        ax = self.ax
        ax.set_xlim(0, n)
        ax.set_ylim(0, 7.0)
        ax.axis("off")
        self.title_text = ax.text(0.02, 6.7, "", fontsize=11, fontweight="bold", va="center")
        self.board_patches, self.board_texts = self._row(n, 4.3, "the board: what the step sees")
        self.line_text = ax.text(0.02, 3.65, "", fontsize=11, va="center")
        self.memory_patches, self.memory_texts = self._row(n, 1.0, "the memory after the step")
        for k in range(n):
            ax.text(k + 0.5, 0.45, f"slot {k}", ha="center", va="center", fontsize=10,
                    color="#666666")
        freeze_layout(self.fig)
        self.animated = [self.title_text, self.line_text, *self.board_patches,
                         *self.board_texts, *self.memory_patches, *self.memory_texts]
        self.draw(0)

    def _row(self, n: int, y: float, label: str):
        self.ax.text(0.02, y + 1.45, label, fontsize=10, va="center", color="#444444")
        patches, texts = [], []
        for k in range(n):
            patch = Rectangle((k + 0.04, y), 0.92, 1.2, facecolor=_EMPTY, edgecolor="#777777",
                              linewidth=1)
            self.ax.add_patch(patch)
            patches.append(patch)
            texts.append(self.ax.text(k + 0.5, y + 0.6, "", ha="center", va="center",
                                      fontsize=10, linespacing=1.1))
        return patches, texts

    def set_run(self, run: BoardRun) -> None:
        """Show another run on as many slots (what the live habit switches do)."""
        if not isinstance(run, BoardRun) or run.slots != self.run.slots:
            raise ValueError(f"expected a BoardRun on {self.run.slots} slots, got {run!r}")
        self.run = run
        self.draw(0)

    def draw(self, t: int) -> None:
        r = self.run.rounds[t]
        self.title_text.set_text(f"step {r.t} of {self.n_frames}:  {r.instruction}")
        for k in range(self.run.slots):
            shown = bool(r.shown[k])
            self.board_texts[k].set_text(_slot_lines(r.h_prev[k], r.held_prev[k]) if shown
                                         else "—")
            self.board_patches[k].set_facecolor(HABIT_COLORS["write"] if shown else _EMPTY)
            self.memory_texts[k].set_text(_slot_lines(r.s[k], r.held[k]))
            read, forgot = k in r.step.read, k in r.step.forget
            self.memory_patches[k].set_facecolor(HABIT_COLORS["read"] if read else _EMPTY)
            self.memory_patches[k].set_edgecolor(HABIT_COLORS["forget"] if forgot else "#777777")
            self.memory_patches[k].set_linewidth(4 if forgot else 1)
        self.line_text.set_text(self._new_line(r))
        self.line_text.set_color("black" if r.right else _WRONG)

    def _new_line(self, r) -> str:
        """The new line written out: its givens and the board's numbers, joined."""
        _, op, left, right = SUM_PLAN[r.t - 1]
        givens = self.run.givens
        numbers = [f"{givens[x]:g}" for x in (left, right) if x in GIVENS]
        numbers += [number_text(v) for v in r.h_prev[r.shown]]
        text = f"new line:  {_OPS[op].join(numbers)} = {number_text(r.value)}"
        return text if len(text) <= 44 else f"new line:  {number_text(r.value)}"

    def caption(self, t: int) -> str:
        r = self.run.rounds[t]
        wrong = "" if r.right else f" (wrong: {r.name} is something else)"
        return (f"step {r.t} of {self.n_frames}: {r.instruction} makes "
                f"{number_text(r.value)}{wrong}; {r.step}")


# The soft board's rows, in the order a step uses them (the lectures' write, read, forget).
_SOFT_ROWS = (
    ("s_prev", "memory before"),
    ("o", "write  o"),
    ("h_prev", "board  o·s"),
    ("s_tilde", "new line  s̃"),
    ("i", "read  i"),
    ("f", "keep  f"),
    ("s", "memory after"),
)
_GATES = set(sigmoid_gates(LSTM_GATES))  # the board's gates are the LSTM's: o, i, f


class SoftBoardStepper:
    """Steps through a strategy run with fractions, one frame per step of the sum.

    Each frame is a small table, one column per slot and one row per quantity of
    h_{t-1} = o ⊙ s_{t-1}, s_t = f ⊙ s_{t-1} + i ⊙ s̃_t. Gate cells are shaded by their
    value (white 0, green 1).

    Args:
        strategy: default :func:`whiteboard.board.selective_strategy`.
        slots: slots of the board.
        write, read, keep: the fractions of :func:`whiteboard.board.run_strategy`.
        off: habits to switch off (:func:`whiteboard.board.switch_off`), e.g. ``("forget",)``.

    Attributes:
        fig, n_frames, draw(t), caption(t), animated: the stepper protocol.
        run: the :class:`whiteboard.board.BoardRun` being shown.
        cell_texts, cell_patches: dict row name -> list over slots (tests read them).
    """

    def __init__(self, strategy=None, *, slots: int = 3, write=1.0, read=1.0, keep=1.0,
                 off=()):
        self.strategy = selective_strategy() if strategy is None else list(strategy)
        self.slots = slots
        self.set_fractions(write=write, read=read, keep=keep, off=off, redraw=False)
        n = self.run.slots
        self.fig, self.ax = new_figure(figsize=(PHONE_WIDTH_IN, 3.5))
        ax = self.ax
        rows = len(_SOFT_ROWS)
        self.header_texts = [ax.text(1.5 + k, rows + 0.08, "", ha="center", va="bottom",
                                     fontsize=10, linespacing=1.0) for k in range(n)]
        self.cell_texts, self.cell_patches = {}, {}
        for row, (key, label) in enumerate(_SOFT_ROWS):
            y = rows - 1 - row
            ax.text(0.95, y + 0.5, label, ha="right", va="center", fontsize=10)
            self.cell_patches[key], self.cell_texts[key] = [], []
            for k in range(n):
                patch = Rectangle((1 + k + 0.04, y + 0.06), 0.92, 0.88, edgecolor="#999999",
                                  facecolor=_EMPTY, linewidth=0.8)
                ax.add_patch(patch)
                self.cell_patches[key].append(patch)
                self.cell_texts[key].append(ax.text(1.5 + k, y + 0.5, "", ha="center",
                                                    va="center", fontsize=10))
        ax.set_xlim(-1.0, n + 1.05)
        ax.set_ylim(-0.05, rows + 1.0)
        ax.axis("off")
        freeze_layout(self.fig)
        self.animated = [*self.header_texts, *(a for key, _ in _SOFT_ROWS
                                              for a in (*self.cell_patches[key],
                                                        *self.cell_texts[key]))]
        self.draw(0)

    def set_fractions(self, *, write=1.0, read=1.0, keep=1.0, off=(), redraw=True):
        """Run again with other fractions, or other habits off (what the live controls do)."""
        empty = isinstance(off, (list, tuple)) and not off
        off = () if empty else check_choices(off, HABITS, "off")
        strategy = self.strategy
        for habit in off:
            strategy = switch_off(strategy, habit, slots=self.slots)
        self.fractions = {"write": write, "read": read, "keep": keep}
        self.off = off
        self.run = run_strategy(strategy, slots=self.slots, write=write, read=read, keep=keep)
        self.n_frames = len(self.run.rounds)
        if redraw:
            self.draw(0)

    def draw(self, t: int) -> None:
        r = self.run.rounds[t]
        for k, held in enumerate(r.held):
            self.header_texts[k].set_text(_wrap(slot_name(held) or "(empty)", 12))
        for key, _ in _SOFT_ROWS:
            for k, v in enumerate(getattr(r, key)):
                text, patch = self.cell_texts[key][k], self.cell_patches[key][k]
                text.set_text(number_text(v))
                if key in _GATES:
                    level = float(np.clip(v, 0.0, 1.0))
                    patch.set_facecolor((1 - 0.6 * level, 1 - 0.4 * level, 1 - 0.6 * level))
                    text.set_color("white" if level > 0.7 else "black")
                else:
                    patch.set_facecolor(_EMPTY)
                    text.set_color("black" if v != 0 else "#bbbbbb")

    def caption(self, t: int) -> str:
        r = self.run.rounds[t]
        fr = self.fractions
        off = f"; {' and '.join(self.off)} off" if self.off else ""
        return (f"step {r.t} of {self.n_frames}: {r.name} = {number_text(r.value)} "
                f"(write {fr['write']:.2f}, read {fr['read']:.2f}, keep {fr['keep']:.2f}"
                f"{off})")


def plot_answer_vs_fractions(strategy=None, *, fractions=None, ax=None):
    """The answer of a strategy as one fraction (write, read or keep) goes below 1 and the
    other two stay at 1, with the right answer as a dotted line.

    Args:
        strategy: default :func:`whiteboard.board.selective_strategy`.
        fractions: the values to try, in (0, 1]; default 0.5 to 1 in steps of 0.01.
        ax: axes to draw on; a new phone-wide figure when None.

    Returns:
        the ``Figure``.
    """
    strategy = selective_strategy() if strategy is None else list(strategy)
    fractions = np.linspace(0.5, 1.0, 51) if fractions is None else np.asarray(fractions, float)
    if fractions.ndim != 1 or fractions.size < 2 or np.any(fractions <= 0) or np.any(fractions > 1):
        raise ValueError("fractions must be a 1-d array of at least two values in (0, 1]")
    fig, ax = figure_for(ax)
    styles = {"keep": ("C0", "-", 2.0), "read": ("C1", "-", 4.0), "write": ("C2", "--", 2.0)}
    for name, (color, style, width) in styles.items():
        answers = [run_strategy(strategy, **{name: float(v)}).answer for v in fractions]
        ax.plot(fractions, answers, color=color, linestyle=style, linewidth=width,
                label=f"{name} fraction")
    right = run_strategy(strategy).answer
    ax.axhline(right, color="0.4", linestyle=(0, (1, 3)), linewidth=1)
    ax.text(fractions[0], right, f"right answer, {number_text(right)}", va="bottom")
    ax.set_xlabel("the fraction (the other two at 1)")
    ax.set_ylabel("the answer")
    ax.set_ylim(0, right * 1.12)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    return fig
