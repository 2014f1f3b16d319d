"""Figures of gradient flow through time: measured norms against the (γλ)^k bound, the
error signal travelling back, and one clipped step on a loss cliff.

The numbers come from :mod:`whiteboard.analysis.jacobians`; these functions only draw them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogLocator, NullLocator

from whiteboard.viz.plots import figure_for, freeze_layout, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = ["GradientFlowStepper", "plot_cliff", "plot_gradient_norms"]

_TINY = 1e-300  # stands in for an exact zero on a log axis


def _few_log_ticks(axis):
    # A log axis over many decades otherwise gets dozens of ticks, each a mathtext label;
    # drawing them dominates the time of a frame.
    axis.set_major_locator(LogLocator(numticks=6))
    axis.set_minor_locator(NullLocator())


def plot_gradient_norms(k, norms, bounds=None, *, ax=None):
    """Measured ‖∂s_t/∂s_{t-k}‖ against k on a log scale, each with its bound dashed.

    Args:
        k: (K,) steps back.
        norms: label -> (K,) measured norms.
        bounds: label -> (K,) the bound (γλ)^k for the same model, or None.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.6))
    k = np.asarray(k)
    top = 1.0
    for i, (label, values) in enumerate(norms.items()):
        values = np.maximum(np.asarray(values, float), _TINY)
        ax.semilogy(k, values, color=f"C{i}", marker="o", markersize=3, label=label)
        top = max(top, values.max())
        if bounds is not None and label in bounds:
            ax.semilogy(k, bounds[label], color=f"C{i}", linestyle="--", linewidth=1)
    low = min(np.maximum(np.asarray(v, float), _TINY).min() for v in norms.values())
    ax.set_ylim(max(low / 10, 1e-40), top * 1e3)
    ax.set_xlabel("steps back, $k$")
    ax.set_ylabel(r"$\|\partial s_t / \partial s_{t-k}\|$")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, title="solid: measured, dashed: bound", title_fontsize=10)
    return fig


class GradientFlowStepper:
    """Follows the gradient back from the last state, one step per frame.

    Frame k shows (top) the measured ‖∂s_T/∂s_{T-k}‖ for every k' ≤ k, the rest of the
    curve in grey and the bound (γλ)^k dashed; and (below) the size of the error signal
    |v_j| on every unit for the steps it has reached so far (a heatmap over time).
    v_j = ∂L/∂s_j is the gradient that a loss L = e · s_T on the last state (e a fixed unit
    vector) sends back to step j; see :func:`whiteboard.analysis.jacobians.backprop_signal`.

    Args:
        flow: the dict of :func:`whiteboard.analysis.jacobians.gradient_flow`.

    Attributes:
        fig, n_frames, draw(k), caption(k): the stepper protocol of :mod:`whiteboard.viz.players`.
        measured_line, future_line, bound_line, cursor, heatmap: the artists ``draw``
        updates (tests read their data).
    """

    def __init__(self, flow):
        self.fig, (self.ax_norm, self.ax_sig) = new_figure(
            figsize=(PHONE_WIDTH_IN, 5.8), nrows=2)  # stacked: a phone's column wide
        ax = self.ax_norm
        (self.future_line,) = ax.semilogy([], [], color="0.75", marker="o", markersize=2)
        (self.measured_line,) = ax.semilogy([], [], color="C0", marker="o", markersize=3,
                                            label="measured")
        (self.bound_line,) = ax.semilogy([], [], color="C3", linestyle="--",
                                         label=r"bound $(\gamma\lambda)^k$")
        self.cursor = ax.axvline(0, color="0.4", linewidth=0.8)
        ax.set_xlabel("steps back, $k$")
        ax.set_ylabel(r"$\|\partial s_T / \partial s_{T-k}\|$")
        ax.grid(True, alpha=0.3)
        ax.legend(frameon=False, loc="upper left")

        ax = self.ax_sig
        self.heatmap = ax.imshow(np.ones((2, 2)), aspect="auto", origin="lower",
                                 cmap="magma", norm=LogNorm(1e-6, 1), interpolation="nearest")
        self.colorbar = self.fig.colorbar(self.heatmap, ax=ax,
                                          label=r"$|v_j| = |\partial L / \partial s_j|$")
        ax.set_ylabel("state unit")
        ax.set_xlabel("step $j$ (the gradient travels right to left)")
        self.set_flow(flow)

    def set_flow(self, flow):
        """Show another model's numbers (what the explorer's controls call)."""
        self.flow = flow
        k, norms, bound = flow["k"], np.maximum(flow["norms"], _TINY), flow["bound"]
        self.n_frames = len(k)
        self.future_line.set_data(k, norms)
        ax = self.ax_norm
        ax.set_xlim(-0.5, len(k) - 0.5)
        low = max(norms.min() / 10, 1e-40)
        ax.set_ylim(low, max(norms.max(), 1.0) * 1e3)
        self.bound_line.set_data(k, np.clip(bound, low / 10, 1e300))
        signal = np.maximum(flow["signal"][::-1].T, _TINY)  # (H, T): columns are steps 1..T
        positive = signal[signal > _TINY]
        lo = max(positive.min(), signal.max() * 1e-12) if positive.size else 1e-6
        self._signal = signal
        self.heatmap.set_norm(LogNorm(lo, max(signal.max(), lo * 10)))
        _few_log_ticks(self.ax_norm.yaxis)
        _few_log_ticks(self.colorbar.ax.yaxis)
        freeze_layout(self.fig)
        T = signal.shape[1]
        self.heatmap.set_extent((0.5, T + 0.5, -0.5, signal.shape[0] - 0.5))
        self.draw(0)

    @property
    def animated(self):
        """What ``draw`` changes: a live explorer repaints only these."""
        return [self.heatmap, self.measured_line, self.cursor]

    def draw(self, k):
        k = int(k)
        flow = self.flow
        norms = np.maximum(flow["norms"], _TINY)
        self.measured_line.set_data(flow["k"][:k + 1], norms[:k + 1])
        self.cursor.set_xdata([k, k])
        T = self._signal.shape[1]
        shown = np.ma.masked_all(self._signal.shape)
        shown[:, T - 1 - k:] = self._signal[:, T - 1 - k:]  # steps T-k .. T reached so far
        self.heatmap.set_data(shown)

    def caption(self, k):
        flow = self.flow
        T = len(flow["k"])
        return (f"k = {k}: the gradient has reached step {T - k}; "
                f"measured {flow['norms'][k]:.2e}, bound {flow['bound'][k]:.2e} "
                f"(H = {self._signal.shape[0]}, γλ = {flow['gamma_lambda']:.2f})")


def plot_cliff(ws, losses, step, *, ax=None):
    """The loss of the one-unit RNN against its recurrent weight, with one step drawn twice.

    Args:
        ws: (N,) weights w.
        losses: (N,) L(w).
        step: a :class:`whiteboard.analysis.cliff.CliffStep`: the start, the plain step's landing
            point and the clipped step's landing point.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.4))
    ax.plot(ws, losses, color="0.3", linewidth=1.5)
    ax.plot([step.w0], [step.loss0], "ko", label=f"start, w = {step.w0:.2f}")
    ax.plot([step.w_plain], [step.loss_plain], "o", color="C3",
            label=f"plain step → w = {step.w_plain:.2f}")
    ax.plot([step.w_clipped], [step.loss_clipped], "o", color="C2",
            label=f"clipped step → w = {step.w_clipped:.2f}")
    top = max(losses) * 1.1
    for w_end, color in ((step.w_plain, "C3"), (step.w_clipped, "C2")):
        ax.annotate("", xy=(w_end, top * 0.92), xytext=(step.w0, top * 0.92),
                    arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 1.5})
    ax.set_ylim(-0.05 * top, top)
    ax.set_xlabel("recurrent weight $w$")
    ax.set_ylabel("loss $L(w)$")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, loc="center left")
    return fig
