"""One stepper for every model's trace: heatmaps over time with a cursor, and bars at the cursor.

:class:`TraceStepper` draws any trace of :mod:`whiteboard` (RNN, LSTM or GRU). Each panel is
one quantity of the trace: the hidden state h, the LSTM's cell state c and gates i, f, g,
o, the GRU's gates r, z, n, or the RNN's pre-activation a. A panel is a heatmap of
units × time with a cursor at the current step, and next to it a bar per unit with the
values at that step. Given a ``readout`` (h_t ↦ probabilities) and class labels, a last
panel shows the output distribution in the same way.

Frame t of the stepper is time step t (0-based), so a static player of it has one frame
per step, and a live explorer's slider walks along the sequence.

Every heatmap has a colour bar with its scale and row labels with the unit numbers (from 0,
as in ``trace.h[t, b, unit]``). The stepper is drawn for a phone's column (4.55 in at 72 dpi,
:mod:`~whiteboard.viz.plots.legible`): each panel's name stands above its heatmap, the
read-out's classes are written on their bars, and no text is under 10 pt.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

from whiteboard.cells import CELL_GATES
from whiteboard.viz.plots import freeze_layout, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = ["DEFAULT_PANELS", "PANEL_LABELS", "TraceStepper", "trace_panels"]

# Default panels: the gates that open and shut, then the candidate, then the states.
DEFAULT_PANELS = {kind: tuple(g.name for g in sorted(gates, key=lambda g: (
    g.activation != "sigmoid", g.block))) + {"lstm": ("c", "h")}.get(kind, ("h",))
    for kind, gates in CELL_GATES.items()}
PANEL_LABELS = {
    "h": "hidden state h", "c": "cell state c", "a": "pre-activation a",
    "i": "input gate i", "f": "forget gate f", "g": "candidate g", "o": "output gate o",
    "r": "reset gate r", "z": "update gate z", "n": "candidate n",
}
_GATES = {g.name for gates in CELL_GATES.values() for g in gates
          if g.activation == "sigmoid"}  # values in [0, 1]
# tanh: values in [-1, 1] (the candidates, and h of an LSTM, GRU or tanh RNN)
_SQUASHED = {g.name for gates in CELL_GATES.values() for g in gates
             if g.activation == "tanh"} | {"h"}
_POS, _NEG, _GATE = "#c0504d", "#4f81bd", "#3a8a4a"
_TEXT, _SMALL = 10, 10         # pt: panel names and words; tick numbers
# 16 shades from 0 to 1; 17 from -1 to 1, so that 0 is the middle (white) one.
_FRACTIONS, _SIGNED = colormaps["viridis"].resampled(16), colormaps["RdBu_r"].resampled(17)
_ROW, _CLASS_ROW = 0.085, 0.14  # inches per unit row, and per class row of the read-out


def _unit_ticks(n: int) -> list[int]:
    """Row ticks that stay apart at ``_ROW`` inches a row: every unit, 2nd, 4th, ..."""
    step = 1
    while step * _ROW * 72 < 1.15 * _SMALL or n / step > 8:
        step *= 2
    return list(range(0, n, step))


def trace_panels(trace, names=None, b: int = 0) -> dict:
    """The (T, H) array of each panel of sequence ``b`` of ``trace``.

    Args:
        trace: a :class:`whiteboard.models.base.Trace` (anything with ``h``, ``gates``, and
            optionally ``c`` and ``a``, each (T, B, H)).
        names: panel names; default :data:`DEFAULT_PANELS` of the trace's kind.
        b: which sequence of the batch.

    Raises:
        ValueError: a panel the trace does not have, or ``b`` out of range.
    """
    h = np.asarray(trace.h)
    if h.ndim != 3:
        raise ValueError(f"trace.h must have shape (T, B, H), got {h.shape}")
    if not 0 <= b < h.shape[1]:
        raise ValueError(f"b must lie in 0..{h.shape[1] - 1}, got {b}")
    kind = getattr(trace, "kind", "rnn")
    names = DEFAULT_PANELS.get(kind, ("h",)) if names is None else tuple(names)
    available = {"h": h, **dict(getattr(trace, "gates", {}) or {})}
    for extra in ("c", "a"):
        if getattr(trace, extra, None) is not None:
            available[extra] = getattr(trace, extra)
    missing = [n for n in names if n not in available]
    if missing:
        raise ValueError(f"this {kind} trace has no {missing}; it has {sorted(available)}")
    return {n: np.asarray(available[n])[:, b, :] for n in names}


class TraceStepper:
    """Step through a trace: per panel a units × time heatmap with a cursor, and bars.

    Args:
        trace: from ``model.forward`` (or :func:`whiteboard.analysis.whatif.run_whatif`).
        tokens: one label per time step for the time axis (default 1 .. T).
        b: which sequence of the batch.
        panels: names of the quantities to show, top to bottom (see :data:`PANEL_LABELS`);
            default every one the model has (:data:`DEFAULT_PANELS`).
        labels: panel name -> label, to override :data:`PANEL_LABELS` (e.g. the lectures'
            ``{"c": "cell state s", "g": "candidate s̃"}``).
        readout: optional function h_t (H,) -> probabilities (K,), drawn as a last panel.
        classes: the K class names of ``readout``.
        width: figure width in inches (a phone's column by default).

    Attributes:
        fig, n_frames, draw(t), caption(t): the stepper protocol of
        :mod:`whiteboard.viz.players`.
        values: panel name -> (T, H) array being shown (``"p"``: the (T, K) readout).
        heatmaps, cursors, bars: per panel, the image, the cursor line and the bar
        container that ``draw`` updates (tests read their data).
        colorbars: per panel, the colour bar of its heatmap, a strip under its value bars
        on the same scale.
    """

    def __init__(self, trace, *, tokens=None, b=0, panels=None, labels=None, readout=None,
                 classes=None, width=PHONE_WIDTH_IN):
        self.b = b
        self.panel_names = tuple(trace_panels(trace, panels, b))
        self.labels = {**PANEL_LABELS, **(labels or {})}
        self.readout, self.classes = readout, None if classes is None else list(classes)
        if readout is not None and not callable(readout):
            raise TypeError(f"readout must be a function h -> probabilities, got {readout!r}")
        T = np.asarray(trace.h).shape[0]
        self.tokens = [str(w) for w in tokens] if tokens is not None else \
            [str(t + 1) for t in range(T)]
        if len(self.tokens) != T:
            raise ValueError(f"need one token per step ({T}), got {len(self.tokens)}")
        self.n_frames = T
        self._load(trace)
        rows = list(self.panel_names) + (["p"] if readout is not None else [])
        heights = [0.12 + max(self.values[r].shape[1], 3) * (_CLASS_ROW if r == "p" else _ROW)
                   for r in rows]
        longest = max(len(w) for w in self.tokens)
        self.fig, axes = new_figure(
            figsize=(width, 0.2 + sum(heights) + 0.3 * len(rows) + 0.09 * longest + 0.2),
            nrows=len(rows), ncols=2, squeeze=False,
            gridspec_kw={"width_ratios": [3.3, 1], "height_ratios": heights})
        self.heatmaps, self.cursors, self.bars, self.axes = {}, {}, {}, {}
        self.colorbars = {}
        for r, (name, (ax_h, ax_b)) in enumerate(zip(rows, axes, strict=True)):
            self._panel(name, ax_h, ax_b, last=r == len(rows) - 1, inches=heights[r])
        freeze_layout(self.fig)  # frames change data only, never the layout
        # What draw(t) changes: a live explorer repaints only these (see explorers.Explorer).
        self.animated = [*self.cursors.values(), *(r for b in self.bars.values() for r in b),
                         *self._ticklabels]
        self.draw(0)

    # -- data ----------------------------------------------------------------------------

    def _load(self, trace):
        self.values = trace_panels(trace, self.panel_names, self.b)
        if self.readout is not None:
            hs = trace_panels(trace, ["h"], self.b)["h"]
            probs = np.array([np.asarray(self.readout(h), float) for h in hs])
            if probs.ndim != 2:
                raise ValueError("readout must return a 1-D array of probabilities")
            if self.classes is None:
                self.classes = [str(k) for k in range(probs.shape[1])]
            if len(self.classes) != probs.shape[1]:
                raise ValueError(f"readout gives {probs.shape[1]} probabilities but "
                                 f"{len(self.classes)} classes were named")
            self.values["p"] = probs

    def _limits(self, name):
        v = self.values[name]
        if name in _GATES or name == "p":
            return 0.0, 1.0
        if name in _SQUASHED:
            return -1.0, 1.0
        m = max(1.0, float(np.abs(v).max()))
        return -m, m

    def set_trace(self, trace) -> None:
        """Show another trace of the same length and size (what a what-if control does)."""
        old = {n: v.shape for n, v in self.values.items()}
        self._load(trace)
        new = {n: v.shape for n, v in self.values.items()}
        if new != old:
            raise ValueError(f"set_trace needs a trace with the same shapes, {old} != {new}")
        for name, img in self.heatmaps.items():
            img.set_data(self.values[name].T)
            img.set_clim(*self._limits(name))
            lo, hi = self._limits(name)
            self.axes[name][1].set_xlim(min(lo, 0), hi)
            self._scale_ticks(name, self.colorbars[name].ax.xaxis, self.axes[name][1].xaxis)

    # -- drawing -------------------------------------------------------------------------

    def _scale_ticks(self, name, colorbar_axis, bars_axis):
        """The ends of the scale (and 0 when it is signed) as the only ticks; the numbers
        are written once, under the colour bar, which spans the bars' axis exactly."""
        lo, hi = self._limits(name)
        ticks = [lo, 0.0, hi] if lo < 0 else [0.0, hi]
        colorbar_axis.set_ticks(ticks, [f"{v:g}" for v in ticks])
        bars_axis.set_ticks(ticks, [""] * len(ticks))

    def _panel(self, name, ax_h, ax_b, *, last, inches):
        v = self.values[name]
        T, n = v.shape
        lo, hi = self._limits(name)
        # Steps, not a continuum: an eye tells about this many shades apart anyway, and a
        # frame made of few exact colours keeps them through the players' palette PNG.
        cmap = _FRACTIONS if lo == 0 else _SIGNED
        self.heatmaps[name] = ax_h.imshow(v.T, aspect="auto", cmap=cmap, vmin=lo, vmax=hi,
                                          interpolation="nearest",
                                          extent=(-0.5, T - 0.5, n - 0.5, -0.5))
        self.cursors[name] = ax_h.axvline(0, color="black", linewidth=1.6)
        label = "output p" if name == "p" else self.labels.get(name, name)
        # Above the heatmap, not beside it: the heatmap keeps the column's width.
        ax_h.set_title(label, loc="left", fontsize=_TEXT, pad=4)
        if name == "p":  # the classes are written on their bars (below)
            ax_h.set_yticks([])
        else:  # rows are units, numbered as the code indexes them
            ax_h.set_yticks(_unit_ticks(n))
            ax_h.tick_params(axis="y", labelsize=_SMALL, length=2, pad=1)
        if last:
            ax_h.set_xticks(range(T), self.tokens, rotation=90, fontsize=_TEXT)
            self._ticklabels = ax_h.get_xticklabels()
        else:
            ax_h.set_xticks([])
        color = _GATE if lo == 0 else _POS
        self.bars[name] = ax_b.barh(np.arange(n), np.zeros(n), color=color, height=0.8,
                                    alpha=0.55 if name == "p" else 1)
        if name == "p":
            for k, cls in enumerate(self.classes):
                ax_b.text(0.03, k, cls, transform=ax_b.get_yaxis_transform(), ha="left",
                          va="center", fontsize=_SMALL, zorder=3)
        ax_b.set_ylim(n - 0.5, -0.5)
        ax_b.set_xlim(min(lo, 0), hi)
        ax_b.set_yticks([])
        # The colour bar runs under the value bars on the same scale: a bar's length and
        # the colour beneath its end are the same number, and the heatmap's colours read off
        # it. Few ticks: every tick label is text that each frame has to lay out again.
        band = ax_b.inset_axes((0, -0.1 / inches, 1, 0.07 / inches))  # 0.07 in, 0.03 below
        self.colorbars[name] = cb = self.fig.colorbar(self.heatmaps[name], cax=band,
                                                      orientation="horizontal")
        cb.ax.tick_params(labelsize=_SMALL, length=2, pad=1)
        cb.outline.set_linewidth(0.5)
        self._scale_ticks(name, cb.ax.xaxis, ax_b.xaxis)
        if lo < 0:
            ax_b.axvline(0, color="0.5", linewidth=0.8)
        self.axes[name] = (ax_h, ax_b)

    def draw(self, t: int) -> None:
        t = int(t)
        if not 0 <= t < self.n_frames:
            raise ValueError(f"t must lie in 0..{self.n_frames - 1}, got {t}")
        for name, bars in self.bars.items():
            self.cursors[name].set_xdata([t, t])
            lo, _ = self._limits(name)
            for rect, val in zip(bars, self.values[name][t], strict=True):
                rect.set_width(val)
                if lo < 0:
                    rect.set_color(_POS if val >= 0 else _NEG)
        for k, label in enumerate(self._ticklabels):
            label.set_color(_POS if k == t else "black")
            label.set_fontweight("bold" if k == t else "normal")
        self.t = t

    def caption(self, t: int) -> str:
        text = f"step {t + 1} of {self.n_frames}: “{self.tokens[t]}”"
        if "p" in self.values:
            p = self.values["p"][t]
            k = int(np.argmax(p))
            text += f"; the read-out says {self.classes[k]} ({p[k]:.2f})"
        return text
