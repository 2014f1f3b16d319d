"""Figures of the plain RNN: the folded and unrolled diagram, and how old inputs fade.

Diagrams are drawn with matplotlib patches and arrows (no image files), so they scale with
the text and can be redrawn with other labels.  Fading figures take numbers computed by
:mod:`whiteboard.analysis.probes` and only draw them.  :class:`DistractorStepper` steps through the
France story with 0, 1, 2, … distractor sentences.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from whiteboard.viz.plots import figure_for, freeze_layout, new_figure

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


def _box(ax, x, y, text, *, color, w=0.7, h=0.5, fontsize=11):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04",
                                facecolor=color, edgecolor=_EDGE, linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, label=None, *, offset=(0.0, 0.0), rad=0.0, color=_EDGE):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                 connectionstyle=f"arc3,rad={rad}", color=color,
                                 linewidth=1.2, shrinkA=0, shrinkB=0))
    if label:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=10, color=color)


def _finish(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def plot_folded_rnn(*, ax=None, state="$s$"):
    """The RNN as one cell with a loop: x →U→ s →V→ ŷ, and s →W→ s.

    Args:
        ax: axes to draw on; a new figure when None.
        state: the label of the state box.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (2.2, 3.0))
    _box(ax, 0, 0, "$x_t$", color=_IO)
    _box(ax, 0, 1.5, state + "$_t$" if state == "$s$" else state, color=_STATE)
    _box(ax, 0, 3, r"$\hat y_t$", color=_IO)
    _arrow(ax, (0, 0.25), (0, 1.25), "$U$", offset=(0.22, 0))
    _arrow(ax, (0, 1.75), (0, 2.75), "$V$", offset=(0.22, 0))
    # The loop leaves the right side of the state and comes back into it one step later.
    _arrow(ax, (0.36, 1.68), (0.36, 1.32), None, rad=-1.9)
    ax.text(0.95, 1.5, "$W$", ha="center", va="center", fontsize=10)
    _finish(ax, (-0.7, 1.2), (-0.45, 3.45))
    return fig


def plot_unrolled_rnn(tokens, *, ax=None, highlight=None, show_outputs=True):
    """The same RNN drawn once per time step, one column per input token.

    s_0 → s_1 → … → s_T along the top row of arrows (each labelled W), x_t → s_t (U) from
    below, and s_t → ŷ_t (V) above: ŷ_t is the predicted distribution (y_t, in the book,
    is the target).  The same U, W and V serve every column.

    Args:
        tokens: the inputs, one string per step (e.g. the words of a story).
        ax: axes to draw on; a new figure when None.
        highlight: a 1-based step whose state box is drawn emphasised, or None.
        show_outputs: draw the ŷ_t row.

    Returns:
        the Figure.
    """
    tokens = [str(w) for w in tokens]
    if not tokens:
        raise ValueError("tokens must hold at least one step")
    T = len(tokens)
    if highlight is not None and not 1 <= highlight <= T:
        raise ValueError(f"highlight must be a step in 1..{T}, got {highlight}")
    fig, ax = figure_for(ax, (1.0 + 1.15 * T, 3.0))
    gap = 1.4
    _box(ax, 0, 1.5, "$s_0$", color="white", w=0.55)
    for t in range(1, T + 1):
        x = t * gap
        color = "#f6b26b" if t == highlight else _STATE
        _box(ax, x, 1.5, f"$s_{{{t}}}$", color=color)
        _box(ax, x, 0, tokens[t - 1], color=_IO, w=1.15, fontsize=9)
        _arrow(ax, (x, 0.25), (x, 1.25), "$U$", offset=(0.2, 0))
        _arrow(ax, ((t - 1) * gap + (0.28 if t == 1 else 0.35), 1.5), (x - 0.35, 1.5), "$W$",
               offset=(0, 0.18))
        if show_outputs:
            _box(ax, x, 3, rf"$\hat y_{{{t}}}$", color=_IO)
            _arrow(ax, (x, 1.75), (x, 2.75), "$V$", offset=(0.2, 0))
    _finish(ax, (-0.5, T * gap + 0.7), (-0.45, 3.45 if show_outputs else 2.0))
    return fig


def plot_rnn_diagram(tokens, *, highlight=None):
    """The folded RNN beside its unrolling over ``tokens`` (see the two functions above)."""
    T = len(tokens)
    fig, (left, right) = new_figure(figsize=(2.4 + 1.15 * T, 3.0), ncols=2,
                                    gridspec_kw={"width_ratios": [2.4, 1.4 * T + 1.2]})
    plot_folded_rnn(ax=left)
    left.set_xlim(-0.7, 1.7)
    left.text(1.5, 1.5, "=", ha="center", va="center", fontsize=22)
    plot_unrolled_rnn(tokens, ax=right, highlight=highlight)
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
    fig, ax = figure_for(ax, (5.6, 3.2))
    lags = np.asarray(lags)
    for label, values in curves.items():
        ax.semilogy(lags, np.maximum(values, 1e-300), marker="o", markersize=3, label=label)
    ax.set_xlabel("steps back, $k$")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
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
    fig, ax = figure_for(ax, (5.6, 3.2))
    for H, r2 in r2_by_size.items():
        ax.plot(lags, r2, marker="o", markersize=3,
                label=f"H = {H}  (sum {np.sum(r2):.1f})")
    ax.set_xlabel("steps back, $k$")
    ax.set_ylabel("$R^2$ of reading $x_{t-k}$ from $s_t$")
    ax.set_ylim(-0.03, 1.03)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
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
    fig, ax = figure_for(ax, (5.6, 3.2))
    ax.semilogy(lags, at_speaks, marker="o")
    if n_distractors is not None:
        for lag, d, n in zip(lags, at_speaks, n_distractors, strict=True):
            ax.annotate(f"{n}", (lag, d), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8, color="0.35")
    ax.set_xlabel("words from the country to “speaks” (the lag)")
    ax.set_ylabel("state change at “speaks”")
    ax.grid(True, alpha=0.3)
    return fig


class DistractorStepper:
    """Steps through the France story with 0, 1, …, n_max distractor sentences.

    Frame n shows (left) how far the state at every step moves when the country is
    swapped, along the story with n distractors, against the number of words read since
    the country (so the long stories keep a readable axis: only the country and "speaks"
    are named), and (right) the value at "speaks" for every n, with the current story
    marked.

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
            figsize=(9.0, 3.4), ncols=2, gridspec_kw={"width_ratios": [2.2, 1]})
        longest = self._longest = max(s.lag for s in self.stories)

        ax = self.ax_story
        (self.profile_line,) = ax.semilogy([], [], marker="o", markersize=3)
        self.speaks_marker = ax.scatter([], [], s=60, color="C3", zorder=3)
        ax.set_xlim(-0.5, longest + 1.5)
        # Both labels sit below the curve, which falls from left to right.
        self.country_label = ax.annotate("", (0, 0), textcoords="offset points",
                                         xytext=(0, -14), va="top", fontsize=8)
        self.speaks_label = ax.annotate("“speaks”", (0, 0), textcoords="offset points",
                                        xytext=(-4, -8), ha="right", va="top", fontsize=8,
                                        color="C3")
        ax.set_xlabel("words read since the country")
        ax.set_ylabel(r"$\|\Delta s_t\|$ from swapping the country")
        ax.grid(True, alpha=0.3)

        ax = self.ax_n
        (self.curve_line,) = ax.semilogy([], [], marker="o", color="0.6")
        self.current = ax.scatter([], [], s=60, color="C3", zorder=3)
        ax.set_xlim(-0.5, max(s.n_distractors for s in self.stories) + 0.5)
        ax.set_xlabel("distractor sentences")
        ax.set_ylabel("at “speaks”")
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
