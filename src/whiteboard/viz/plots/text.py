"""Figures of the chapter on real text: learning curves, a text coloured by one unit, and how
far back a prediction depends on the text.

The functions only draw: readings come from :func:`whiteboard.analysis.units.read_text`,
dependence curves from :func:`whiteboard.analysis.reach.dependence`.  Each has the form
``plot_x(..., ax=None) -> Figure``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm

from whiteboard.viz.plots import figure_for, new_figure
from whiteboard.viz.plots.experiments import COLORS
from whiteboard.viz.plots.legible import MIN_TEXT_PT, PHONE_WIDTH_IN

__all__ = ["plot_text_curves", "plot_unit_text", "plot_dependence"]

# A character's cell: 10 pt monospace is about 6 pt wide; 45 of them fit the phone's column,
# also inside a solution's narrower box.
_CELL_IN = 0.088
TEXT_COLUMNS = 45
# Light enough at both ends that black characters stay readable on them.
UNIT_CMAP = LinearSegmentedColormap.from_list("wb_unit", ["#5b8fd0", "#ffffff", "#e0605a"])


def plot_text_curves(histories: dict, *, baseline: float | None = None, ax=None):
    """Bits per character on the held-out text during training, one line per model.

    Args:
        histories: ``{label: history}`` with ``eval_step`` and ``eval_loss`` (bits per
            character), as :func:`whiteboard.training.language.train_text` records them.
        baseline: a level to mark (the n-gram's bits per character), or None.
    """
    fig, ax = figure_for(ax, figsize=(PHONE_WIDTH_IN, 3.2))
    for label, h in histories.items():
        ax.plot(h["eval_step"], h["eval_loss"], marker="o", ms=3, label=label,
                color=COLORS.get(label.split()[0].lower(), None))
    if baseline is not None:
        ax.axhline(baseline, color="0.4", ls="--", lw=1, label="best n-gram")
    ax.set_xlabel("training step\n(one window of 100 characters in each of 32 lanes)")
    ax.set_ylabel("bits per character")
    ax.legend(frameon=False)
    return fig


def _grid(text: str, values: np.ndarray, width: int):
    """Rows of at most ``width`` characters (a longer line wraps), and the values on them."""
    rows, vals, row, val = [], [], [], []
    for ch, v in zip(text, values, strict=True):
        if ch != "\n":
            row.append(ch)
            val.append(v)
        if ch == "\n" or len(row) == width:
            if ch == "\n":  # the newline itself shows as a coloured cell at the line's end
                row.append(" ")
                val.append(v)
            rows.append(row)
            vals.append(val)
            row, val = [], []
    if row:
        rows.append(row)
        vals.append(val)
    grid = np.full((len(rows), width + 1), np.nan)
    for r, val in enumerate(vals):
        grid[r, : len(val)] = val
    return rows, grid


def plot_unit_text(text: str, values, *, scale: float | None = None, width: int = TEXT_COLUMNS,
                   ax=None):
    """``text`` with each character on a background coloured by one unit's value after it.

    Red above zero, blue below, white at zero, saturating at ±``scale`` (default: the
    largest |value|).  Lines longer than ``width`` wrap (the default fills a phone's column
    with 10 pt characters); a newline shows as a cell at the end of its line.

    Args:
        text: N characters.
        values: (N,) the unit's value after each character.
    """
    values = np.asarray(values, dtype=float)
    if len(values) != len(text):
        raise ValueError(f"values has {len(values)} entries for {len(text)} characters")
    rows, grid = _grid(text, values, width)
    scale = float(np.nanmax(np.abs(values))) if scale is None else float(scale)
    if ax is None:
        fig, ax = new_figure(figsize=(_CELL_IN * (width + 1) + 0.2, 0.2 * len(rows) + 0.2))
    else:
        fig = ax.figure
    ax.imshow(grid, cmap=UNIT_CMAP, norm=TwoSlopeNorm(0.0, -scale, scale), aspect="auto",
              interpolation="nearest")
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            if ch.strip():
                ax.text(c, r, ch, ha="center", va="center", family="monospace",
                        fontsize=MIN_TEXT_PT)
    ax.set_axis_off()
    return fig


def plot_dependence(curves: dict, *, ax=None):
    """How much the next character's loss depends on the character read k steps before.

    Args:
        curves: ``{label: (K,) mean ‖∂L_t/∂x_{t−k}‖ for k = 0..K−1}``, drawn relative to
            k = 0 on a log scale.
    """
    fig, ax = figure_for(ax, figsize=(PHONE_WIDTH_IN, 3.2))
    for label, g in curves.items():
        g = np.asarray(g, dtype=float)
        ax.semilogy(np.arange(len(g)), g / g[0], label=label,
                    color=COLORS.get(label.split()[0].lower(), None))
    ax.set_xlabel("k, characters back")
    ax.set_ylabel("gradient size, relative to k = 0")
    ax.legend(frameon=False)
    return fig
