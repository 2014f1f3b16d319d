"""Figures of the plain RNN: the folded and unrolled diagram, and how old inputs fade.

Diagrams are drawn with matplotlib patches and arrows (no image files), so they scale with
the text and can be redrawn with other labels.  Fading figures take numbers computed by
:mod:`whiteboard.analysis.probes` and only draw them.  :class:`DistractorStepper` steps through the
France story with 0, 1, 2, … distractor sentences.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from whiteboard.viz.plots import book_figure, figure_for, freeze_layout, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = [
    "DistractorStepper",
    "plot_decoding",
    "plot_folded_rnn",
    "plot_input_fading",
    "plot_rnn_diagram",
    "plot_swap_dependence",
    "plot_unrolled_rnn",
]

_STATE = "#fde9b0"   # the board: warm yellow
_IO = "#dbe8f6"      # inputs and outputs: pale blue
_EDGE = "#333333"


def _box(ax, x, y, text, *, color, w=0.5, h=0.32, fontsize=12):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                                facecolor=color, edgecolor=_EDGE, linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, label=None, *, offset=(0.0, 0.0), rad=0.0, color=_EDGE):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11,
                                 connectionstyle=f"arc3,rad={rad}", color=color,
                                 linewidth=1.2, shrinkA=0, shrinkB=0))
    if label:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=11, color=color)


def _finish(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


# The diagrams are drawn for a phone's column (legible.PHONE_WIDTH_IN), in inches: each step is a
# row, input on the left, state in the middle, prediction on the right; the state runs down.
_WIDTH, _ROW, _FOLDED = 4.55, 0.62, 1.05
_X = {"x": 0.6, "s": 2.2, "y": 3.8}    # the columns' centres
_W_WORD, _W_BOX = 1.0, 0.56


def _own_axes(ax, height):
    """The given axes, or a new figure exactly ``_WIDTH`` x ``height`` inches of drawing."""
    if ax is not None:
        return ax.figure, ax
    fig = book_figure(figsize=(_WIDTH, height))
    return fig, fig.add_axes((0, 0, 1, 1))


def _step(ax, y, x_label, s_label, y_label, *, color, show_outputs=True, x_font=12):
    """One step as a row: x_t -U-> s_t -V-> ŷ_t."""
    _box(ax, _X["x"], y, x_label, color=_IO, w=_W_WORD, fontsize=x_font)
    _box(ax, _X["s"], y, s_label, color=color, w=_W_BOX)
    _arrow(ax, (_X["x"] + _W_WORD / 2 + 0.04, y), (_X["s"] - _W_BOX / 2 - 0.04, y), "$U$",
           offset=(0, 0.13))
    if show_outputs:
        _box(ax, _X["y"], y, y_label, color=_IO, w=_W_BOX)
        _arrow(ax, (_X["s"] + _W_BOX / 2 + 0.04, y), (_X["y"] - _W_BOX / 2 - 0.04, y), "$V$",
               offset=(0, 0.13))


def plot_folded_rnn(*, ax=None, state="$s$"):
    """The RNN as one cell with a loop: x →U→ s →V→ ŷ, and s →W→ s.

    Args:
        ax: axes to draw on (in inches, ``_WIDTH`` wide); a new figure when None.
        state: the label of the state box.

    Returns:
        the Figure.
    """
    fig, ax = _own_axes(ax, _FOLDED)
    y = 0.3
    _step(ax, y, "$x_t$", state + "$_t$" if state == "$s$" else state, r"$\hat y_t$",
          color=_STATE)
    # The loop leaves the top of the state and comes back into it one step later.
    _arrow(ax, (_X["s"] + 0.12, y + 0.2), (_X["s"] - 0.12, y + 0.2), None, rad=1.9)
    ax.text(_X["s"] + 0.32, y + 0.5, "$W$", ha="center", va="center", fontsize=11)
    _finish(ax, (0, _WIDTH), (0, _FOLDED))
    return fig


def plot_unrolled_rnn(tokens, *, ax=None, highlight=None, show_outputs=True):
    """The same RNN drawn once per time step, one row per input token.

    s_0 at the top, then s_1 → … → s_T down the middle column (each arrow labelled W),
    x_t → s_t (U) from the left, and s_t → ŷ_t (V) to the right: ŷ_t is the predicted
    distribution (y_t, in the book, is the target). The same U, W and V serve every row.
    Drawn for a phone's column: the rows run down, so a long story makes it taller, not
    wider.

    Args:
        tokens: the inputs, one string per step (e.g. the words of a story).
        ax: axes to draw on (in inches, ``_WIDTH`` wide); a new figure when None.
        highlight: a 1-based step whose state box is drawn emphasised, or None.
        show_outputs: draw the ŷ_t column.

    Returns:
        the Figure.
    """
    tokens = [str(w) for w in tokens]
    if not tokens:
        raise ValueError("tokens must hold at least one step")
    T = len(tokens)
    if highlight is not None and not 1 <= highlight <= T:
        raise ValueError(f"highlight must be a step in 1..{T}, got {highlight}")
    height = (T + 1) * _ROW + 0.15
    fig, ax = _own_axes(ax, height)
    top = height - 0.3
    _box(ax, _X["s"], top, "$s_0$", color="white", w=_W_BOX)
    for t in range(1, T + 1):
        y = top - t * _ROW
        _step(ax, y, tokens[t - 1], f"$s_{{{t}}}$", rf"$\hat y_{{{t}}}$",
              color="#f6b26b" if t == highlight else _STATE, show_outputs=show_outputs,
              x_font=11)
        _arrow(ax, (_X["s"], y + _ROW - 0.19), (_X["s"], y + 0.19), "$W$", offset=(0.16, 0))
    _finish(ax, (0, _WIDTH), (0, height))
    return fig


def plot_rnn_diagram(tokens, *, highlight=None):
    """The folded RNN above its unrolling over ``tokens`` (see the two functions above)."""
    T, gap = len(tokens), 0.3
    unrolled = (T + 1) * _ROW + 0.15
    height = _FOLDED + gap + unrolled
    fig = book_figure(figsize=(_WIDTH, height))
    folded = fig.add_axes((0, (unrolled + gap) / height, 1, _FOLDED / height))
    plot_folded_rnn(ax=folded)
    below = fig.add_axes((0, 0, 1, (unrolled + gap) / height))
    below.text(0.05, unrolled + 0.12, "=  the same network, unrolled: one row per word",
               ha="left", va="center", fontsize=11)
    plot_unrolled_rnn(tokens, ax=below, highlight=highlight)
    below.set_ylim(0, unrolled + gap)
    return fig


def plot_input_fading(lags, curves, *, ax=None, ylabel=r"$\|\partial s_t / \partial x_{t-k}\|$"):
    """One line per model of a fading measure against k, on a log scale.

    Args:
        lags: (K,) the k of each point.
        curves: label -> (K,) positive values.
        ax: axes to draw on; a new figure when None.
        ylabel: the y-axis label.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax)
    lags = np.asarray(lags)
    for label, values in curves.items():
        ax.semilogy(lags, np.maximum(values, 1e-300), marker="o", markersize=3, label=label)
    ax.set_xlabel("steps back, $k$")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False)
    return fig


def plot_decoding(lags, r2_by_size, *, ax=None):
    """Held-out R² of reading x_{t-k} back from s_t, one line per board size H.

    Args:
        lags: (K,) the k of each point.
        r2_by_size: H -> (K,) R² values in [0, 1].
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax)
    for H, r2 in r2_by_size.items():
        ax.plot(lags, r2, marker="o", markersize=3,
                label=f"H = {H}  (sum {np.sum(r2):.1f})")
    ax.set_xlabel("steps back, $k$")
    ax.set_ylabel("$R^2$ of reading $x_{t-k}$ from $s_t$")
    ax.set_ylim(-0.03, 1.03)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
    return fig


def plot_swap_dependence(lags, at_speaks, *, ax=None, n_distractors=None):
    """Dependence of the state at "speaks" on the country, against the words between them.

    The x axis counts words (the lag), not sentences, so a constant factor per word is a
    straight line on the log scale.

    Args:
        lags: (N,) how many words after the country "speaks" comes, for each story.
        at_speaks: (N,) mean ‖s_T(country) − s_T(other country)‖ for each story.
        ax: axes to draw on; a new figure when None.
        n_distractors: (N,) optional numbers of distractor sentences, written above the
            points.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax)
    ax.semilogy(lags, at_speaks, marker="o")
    if n_distractors is not None:
        for lag, d, n in zip(lags, at_speaks, n_distractors, strict=True):
            ax.annotate(f"{n}", (lag, d), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=10, color="0.35")
    ax.set_xlabel("words from the country to “speaks” (the lag)")
    ax.set_ylabel("state change at “speaks”")
    ax.grid(True, alpha=0.3)
    return fig


class DistractorStepper:
    """Steps through the France story with 0, 1, …, n_max distractor sentences.

    Frame n shows (top) how far the state at every step moves when the country is
    swapped, along the story with n distractors, against the number of words read since
    the country (so the long stories keep a readable axis: only the country and "speaks"
    are named), and (below) the value at "speaks" for every n, with the current story
    marked. The two panels are stacked, to fit a phone's column.

    Args:
        stories: the :class:`whiteboard.analysis.probes.DistractorStory` for n = 0 .. n_max.
        profiles: for each story, the (T_n,) swap distances of
            :func:`whiteboard.analysis.probes.swap_dependence`.

    Attributes:
        fig, n_frames, draw(t), caption(t): the stepper protocol of
        :mod:`whiteboard.viz.players`.
        profile_line, speaks_marker, curve_line, country_label, speaks_label: the artists
        ``draw`` updates.
    """

    def __init__(self, stories, profiles):
        self.stories = list(stories)
        if not self.stories:
            raise ValueError("stories must hold at least one story")
        self.n_frames = len(self.stories)
        self.fig, (self.ax_story, self.ax_n) = new_figure(
            figsize=(PHONE_WIDTH_IN, 5.4), nrows=2, gridspec_kw={"height_ratios": [1.4, 1]})
        longest = self._longest = max(s.lag for s in self.stories)

        ax = self.ax_story
        (self.profile_line,) = ax.semilogy([], [], marker="o", markersize=3)
        self.speaks_marker = ax.scatter([], [], s=60, color="C3", zorder=3)
        ax.set_xlim(-0.5, longest + 1.5)
        # Both labels sit below the curve, which falls from left to right.
        self.country_label = ax.annotate("", (0, 0), textcoords="offset points",
                                         xytext=(0, -14), va="top", fontsize=10)
        self.speaks_label = ax.annotate("“speaks”", (0, 0), textcoords="offset points",
                                        xytext=(-4, -8), ha="right", va="top", fontsize=10,
                                        color="C3")
        ax.set_xlabel("words read since the country")
        ax.set_ylabel(r"$\|\Delta s_t\|$ from swapping the country")
        ax.grid(True, alpha=0.3)

        ax = self.ax_n
        (self.curve_line,) = ax.semilogy([], [], marker="o", color="0.6")
        self.current = ax.scatter([], [], s=60, color="C3", zorder=3)
        ax.set_xlim(-0.5, max(s.n_distractors for s in self.stories) + 0.5)
        ax.set_xlabel("distractor sentences")
        ax.set_ylabel("change at “speaks”")
        ax.grid(True, alpha=0.3)
        self.set_profiles(profiles)

    def set_profiles(self, profiles):
        """Show other measurements for the same stories (e.g. of a model with other weights).

        Args:
            profiles: for each story, its (T_n,) swap distances.
        """
        if len(profiles) != self.n_frames:
            raise ValueError(f"need one profile per story ({self.n_frames}), "
                             f"got {len(profiles)}")
        for story, prof in zip(self.stories, profiles, strict=True):
            if len(prof) != len(story.words):
                raise ValueError(f"a profile must have one value per word "
                                 f"({len(story.words)}), got {len(prof)}")
        # Before the country the two runs agree exactly, and with small weights the
        # difference can underflow to 0 later on; NaN leaves such steps off the log axis.
        self.profiles = [np.where(np.asarray(p, float) > 0, p, np.nan) for p in profiles]
        at_speaks = np.array([p[-1] for p in self.profiles])
        self.curve_line.set_data([s.n_distractors for s in self.stories], at_speaks)
        values = np.concatenate(self.profiles)
        if np.isfinite(values).any():
            lo, hi = np.nanmin(values) / 3, np.nanmax(values) * 3
            self.ax_story.set_ylim(lo, hi)
            self.ax_n.set_ylim(lo, hi)
        freeze_layout(self.fig)
        self.draw(0)

    @property
    def animated(self):
        """What ``draw`` changes: a live explorer repaints only these."""
        return [self.profile_line, self.speaks_marker, self.current, self.country_label,
                self.speaks_label]

    def draw(self, t):
        story, prof = self.stories[t], self.profiles[t]
        steps = np.arange(len(prof)) - story.country_step  # 0 at the country
        self.profile_line.set_data(steps, prof)
        self.speaks_marker.set_offsets([[steps[-1], prof[-1]]])
        self.current.set_offsets([[story.n_distractors, prof[-1]]])
        c = story.country_step
        self.country_label.set_text(f"“{story.words[c]}”")
        self.country_label.xy = (0, prof[c])
        self.speaks_label.xy = (steps[-1], prof[-1])
        # Near the right edge the label goes below-left of the point, elsewhere to its right
        # (a short story would otherwise put it on top of the country's label).
        right_half = steps[-1] > self._longest / 2
        self.speaks_label.set_position((-4, -8) if right_half else (8, 0))
        self.speaks_label.set_horizontalalignment("right" if right_half else "left")
        self.speaks_label.set_verticalalignment("top" if right_half else "center")

    def caption(self, t):
        s = self.stories[t]
        sentences = "sentence" if s.n_distractors == 1 else "sentences"
        return (f"{s.n_distractors} distractor {sentences}: “speaks” comes {s.lag} words "
                f"after the country; state change there {self.profiles[t][-1]:.2e}")
