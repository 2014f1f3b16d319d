"""Figures of the gates at work: a what-if comparison, the memory path's gradient, and the
stepper of a model's gates (with optional forced gates).

The numbers come from :mod:`whiteboard.analysis.whatif` and the models' own forward and backward
passes; these functions only run them and draw.
"""

from __future__ import annotations

import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine

from whiteboard.analysis.whatif import run_whatif
from whiteboard.viz.plots import figure_for, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN
from whiteboard.viz.plots.trace import TraceStepper

__all__ = ["gate_stepper", "plot_memory_path", "plot_whatif", "unwrap_model"]


def unwrap_model(model, x, readout=None):
    """``(core, X, readout)`` for a bare model or a trained ``SequenceModel``.

    A ``SequenceModel`` carries its own input encoding and read-out: ``x`` is then its input
    (tokens (T,) or (T, 1)), and the read-out becomes p = softmax(V h_t + c).

    Args:
        model: an RNN, LSTM or GRU, or a ``SequenceModel`` wrapping one.
        x: the model's input for one sequence.
        readout: a function h (H,) -> probabilities, or None (kept for a bare model).
    """
    if hasattr(model, "core") and hasattr(model, "inputs") and hasattr(model, "readout"):
        from whiteboard.maths import softmax

        x = np.asarray(x)
        if getattr(model, "vocab_size", None) is not None and x.ndim == 1:
            x = x[:, None]
        net = model

        def seq_readout(h):
            return softmax(net.readout.forward(np.asarray(h)[None]))[0]

        return model.core, net.inputs(x), seq_readout if readout is None else readout
    return model, x, readout


def gate_stepper(model, X, *, overrides=(), tokens=None, readout=None, classes=None,
                 labels=None, panels=None, width=PHONE_WIDTH_IN) -> TraceStepper:
    """A :class:`~whiteboard.viz.plots.trace.TraceStepper` of ``model`` over one sequence.

    Args:
        model: an RNN, LSTM or GRU (or a ``SequenceModel``, see :func:`unwrap_model`).
        X: its input for one sequence, (T, D) or (T, 1, D) (tokens for a SequenceModel).
        overrides: :class:`whiteboard.analysis.whatif.Override` objects (LSTM and GRU only).
        tokens, readout, classes, labels, panels, width: as for ``TraceStepper``.

    Returns:
        the stepper, with ``model`` (the core) and ``X`` (its input) attached, so an
        explorer can rerun it.
    """
    core, X, readout = unwrap_model(model, X, readout)
    trace = run_whatif(core, X, overrides) if overrides else core.forward(X)
    stepper = TraceStepper(trace, tokens=tokens, readout=readout, classes=classes,
                           labels=labels, panels=panels, width=width)
    stepper.model, stepper.X = core, X
    return stepper


def plot_whatif(traces, *, unit, readout, target, tokens=None, state="c", ylabel=None,
                ax=None):
    """One unit's memory and the probability of the right answer, for several what-ifs.

    Runs that coincide (a forced gate that changes nothing) stay apart: each line has its
    own colour, dash pattern and marker shape, and the markers of line k sit on every n-th
    step from step k (n lines), so a line hidden under another still shows its markers.

    Args:
        traces: label -> trace (e.g. from :func:`whiteboard.analysis.whatif.run_whatif`).
        unit: the hidden unit whose state is drawn.
        readout: h (H,) -> probabilities.
        target: index of the right class.
        tokens: labels of the time steps.
        state: ``"c"`` (LSTM cell state) or ``"h"``.
        ylabel: the top panel's axis label, e.g. in the chapter's own letters
            (``"cell state s of unit 6"``); default ``"<state> of unit <unit>"``.
        ax: a pair of axes to draw on; a new figure when None (the two panels stacked, to
            fit a phone's column).

    Returns:
        the Figure.
    """
    if ax is None:
        fig, ax = new_figure(figsize=(PHONE_WIDTH_IN, 6.6), nrows=2, sharex=True)
    fig = ax[0].figure
    styles = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)))
    markers = ("o", "s", "^", "v", "D")
    T = None
    every = min(len(traces), len(markers))
    for k, (label, tr) in enumerate(traces.items()):
        s = np.asarray(getattr(tr, state))[:, 0, unit]
        p = np.array([readout(h)[target] for h in tr.h[:, 0]])
        T = len(s)
        kw = {"color": f"C{k}", "linestyle": styles[k % len(styles)], "label": label,
              "linewidth": 2.4 - 0.35 * (k % len(styles)), "marker": markers[k % len(markers)],
              "markersize": 6, "markevery": (k % every, every), "markeredgecolor": "white",
              "markeredgewidth": 0.6}
        ax[0].plot(np.arange(T), s, **kw)
        ax[1].plot(np.arange(T), p, **kw)
    ax[0].set_ylabel(f"{state} of unit {unit}" if ylabel is None else ylabel)
    ax[1].set_ylabel("probability of the right answer")
    ax[1].set_ylim(0, 1.02)
    for a in ax:
        a.grid(True, alpha=0.3)
        if tokens is not None:
            a.set_xticks(range(T), tokens, rotation=90, fontsize=10)
    # the words (or steps) once, under the lower panel, when the two share their axis
    for a in ax[-1:] if ax[0].get_shared_x_axes().joined(*ax) else ax:
        a.set_xlabel("word of the story (time step)" if tokens is not None else "time step")
    # Above both panels, where no line runs (inside, the legend would cover some run).
    handles, labels = ax[0].get_legend_handles_labels()
    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.legend(handles, labels, loc="outside upper center", ncols=min(len(labels), 2),
                   frameon=False, fontsize=10)
    else:
        ax[1].legend(frameon=False, fontsize=10, loc="best")
    return fig


def plot_memory_path(paths, *, rnn=None, ax=None):
    """The measured gradient along the memory against k, on a log scale.

    What is drawn, at the last step T of one sequence: solid, the spectral norm
    ‖∂s_T/∂s_{T-k}‖₂ of the whole Jacobian of the memory (the LSTM's cell state, the GRU's
    state), all paths included; dashed, the part that runs straight along the memory, the
    largest product over units of the keep gates (f for an LSTM, z for a GRU). Both are
    pure numbers (no unit).

    Args:
        paths: label -> the dict of :func:`whiteboard.analysis.jacobians.memory_path`; its Jacobian
            norm is drawn solid and the product of gates dashed, in one colour.
        rnn: optional ``(k, norms)`` of a plain RNN (chapter 3's curve), drawn in black.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.8))
    tiny = 1e-30  # stands in for an exact zero on the log axis
    for i, (label, path) in enumerate(paths.items()):
        k = path["k"]
        ax.semilogy(k, np.maximum(path["jacobian"], tiny), color=f"C{i}", label=label)
        ax.semilogy(k, np.maximum(path["product"], tiny), color=f"C{i}", linestyle="--",
                    linewidth=1.2)
    if rnn is not None:
        k, norms = rnn
        ax.semilogy(k, np.maximum(norms, tiny), color="black", linewidth=1.5,
                    label="tanh RNN (chapter 3)")
    gates = sorted({p.get("gate", "f") for p in paths.values()})
    products = " or ".join(rf"$\prod {g}$" for g in gates)
    ax.set_ylim(1e-16, 1e3)
    ax.set_xlabel("steps back, $k$")
    ax.set_ylabel(r"solid: $\|\partial s_T / \partial s_{T-k}\|_2$" "\n"
                  f"dashed: largest {products} over the $k$ steps")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=10, loc="lower left")
    return fig
