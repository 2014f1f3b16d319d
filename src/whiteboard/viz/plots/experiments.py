"""Figures of chapter 6: accuracy against lag, and what a trained network keeps in its state.

The functions only draw: sweeps come from :func:`whiteboard.training.sweeps.sweep` (or the JSON
it wrote), and states from a trained network's trace.  Each has the form
``plot_x(..., ax=None) -> Figure``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from whiteboard.viz.plots import figure_for, new_figure
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = [
    "model_label",
    "plot_accuracy_vs_lag",
    "plot_fixed_vs_mixed",
    "plot_unit_traces",
    "plot_readability",
    "plot_learning_curves",
    "plot_mechanism",
    "plot_word_attribution",
]

COLORS = {"rnn": "tab:orange", "lstm": "tab:blue", "lstm_fb0": "tab:gray", "gru": "tab:green",
          "rnn_orth": "tab:red", "irnn": "tab:purple", "rnn_wide": "tab:brown",
          "rnn_curriculum": "tab:pink", "lstm_curriculum": "tab:cyan"}
_LABELS = {"rnn": "RNN (tanh)", "rnn_orth": "RNN, orthogonal W", "irnn": "IRNN (ReLU, W = I)",
           "rnn_curriculum": "RNN, curriculum", "lstm_curriculum": "LSTM, curriculum"}


def model_label(model: str, info: dict | None = None) -> str:
    """A legend label such as ``'LSTM (forget bias 3)'`` from a sweep's ``models`` entry."""
    info = info or {}
    if model in _LABELS:
        return _LABELS[model]
    if "hidden" in info:
        return f"wide RNN (H = {info['hidden']})"
    if "forget_bias" in info:
        return f"LSTM (forget bias {info['forget_bias']:g})"
    return model.upper()


def _styles(labels):
    """A colour per label that keeps each model's colour across figures (RNN orange, LSTM
    blue), and a new line style for each further label of the same model."""
    used, styles = {}, {}
    for k, label in enumerate(labels):
        low = label.lower()
        color = (COLORS["rnn"] if "rnn" in low else COLORS["lstm"] if "lstm" in low
                 else COLORS["gru"] if "gru" in low else f"C{k + 4}")
        n = used.get(color, 0)
        used[color] = n + 1
        styles[label] = {"color": color, "linestyle": ("-", "--", ":", "-.")[n % 4]}
    return styles


def plot_accuracy_vs_lag(result: dict, *, models=None, lags=None, ax=None):
    """Test accuracy against lag: every seed as a dot, the mean as a line, min..max shaded.

    Args:
        result: a sweep result (``whiteboard.training.sweeps.sweep`` or its JSON).
        models: which models to draw, in this order (default: all in the result); a model
            is drawn at the lags it was trained at.
        lags: which lags to draw (default: every lag of the result).
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.  Chance level (``result["chance"]``) is a dashed line.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.4))
    models = list(result["models"]) if models is None else list(models)
    lags = sorted({r["lag"] for r in result["results"]} if lags is None else lags)
    by = {(r["lag"], r["model"]): r for r in result["results"]}
    spread = 0.012 * (max(lags) - min(lags) or 1)
    for k, m in enumerate(models):
        own = [lag for lag in lags if (lag, m) in by]  # --extend trains some models further
        rows = [by[(lag, m)] for lag in own]
        color = COLORS.get(m, f"C{k}")
        mean = [r["mean"] for r in rows]
        ax.fill_between(own, [r["min"] for r in rows], [r["max"] for r in rows],
                        color=color, alpha=0.15, linewidth=0)
        ax.plot(own, mean, "-o", color=color, markersize=4,
                label=model_label(m, result["models"][m]))
        shift = (k - (len(models) - 1) / 2) * spread
        for lag, r in zip(own, rows, strict=True):
            ax.plot(np.full(len(r["accuracy"]), lag + shift), r["accuracy"], ".", color=color,
                    alpha=0.6, markersize=5)
    chance = result.get("chance")
    if chance is not None and np.isfinite(chance):
        ax.axhline(chance, color="black", linestyle="--", linewidth=1)
        ax.annotate("chance", (lags[-1], chance), xytext=(0, 3), textcoords="offset points",
                    ha="right", va="bottom")
    ax.set_xlabel("lag (steps from the clue to the answer)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.04)
    ax.set_xticks(lags)
    # above the axes: inside, the legend would cover the chance line and the low seeds
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(len(models), 2),
              frameon=False, borderaxespad=0.2)
    return fig


def plot_fixed_vs_mixed(fixed: dict, mixed: dict, *, models=("rnn", "lstm"), ax=None):
    """Test accuracy against lag for networks trained at that lag and trained on mixed lags.

    Args:
        fixed: a sweep with a fresh network trained at each lag (``train_range`` None).
        mixed: a sweep whose networks were trained once on mixed lags (``train_range``
            ``[low, high]``) and tested at each lag; its training range is shaded.
        models: the models to draw: one colour each; trained at the lag: solid line and
            circles; trained on mixed lags: dashed line and squares.  Dots are seeds.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.

    Raises:
        ValueError: ``mixed`` has no training range, or a model is missing from a sweep.
    """
    if not mixed.get("train_range"):
        raise ValueError("mixed must be a sweep trained on mixed lags (its train_range is "
                         f"[low, high]), got train_range={mixed.get('train_range')!r}")
    for name, result in (("fixed", fixed), ("mixed", mixed)):
        missing = [m for m in models if m not in result["models"]]
        if missing:
            raise ValueError(f"{name} has no results for {missing}; it has "
                             f"{sorted(result['models'])}")
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.8))
    low, high = mixed["train_range"]
    ax.axvspan(low, high, color="0.92", zorder=0)
    ax.annotate(f"mixed training lags {low} to {high}", (low, 0.02), xytext=(3, 0),
                textcoords="offset points", color="0.35")
    all_lags = set()
    for result, style, marker, how in ((fixed, "-", "o", "trained at that lag"),
                                       (mixed, "--", "s", "trained on mixed lags")):
        by = {(r["lag"], r["model"]): r for r in result["results"]}
        lags = sorted({r["lag"] for r in result["results"]})
        all_lags |= set(lags)
        for m in models:
            color = COLORS.get(m, "black")
            own = [lag for lag in lags if (lag, m) in by]
            rows = [by[(lag, m)] for lag in own]
            label = f"{model_label(m, result['models'][m])}, {how}"
            ax.plot(own, [r["mean"] for r in rows], style, marker=marker, color=color,
                    markersize=5, label=label, markerfacecolor="white" if style == "--" else color)
            for lag, r in zip(own, rows, strict=True):
                ax.plot(np.full(len(r["accuracy"]), lag), r["accuracy"], marker, color=color,
                        alpha=0.35, markersize=3, linestyle="none")
    chance = fixed.get("chance")
    if chance is not None and np.isfinite(chance):
        ax.axhline(chance, color="black", linestyle=":", linewidth=1)
    ax.set_xlabel("lag at test (steps from the country to 'speaks'),\ndoubling per tick")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.04)
    ax.set_xscale("log", base=2)  # lags that double are evenly spaced
    ax.set_xticks(sorted(all_lags))
    ax.set_xticklabels([str(lag) for lag in sorted(all_lags)])
    ax.minorticks_off()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=1, frameon=False)
    return fig


def plot_unit_traces(values: np.ndarray, *, labels, country_step: int, answer_step=None,
                     ylabel: str = "state", words=None, legend: bool = False, ax=None):
    """One unit's state over time in several stories, one line per story.

    If the unit holds the country, the lines split at the country and stay apart until the
    answer; if the memory fades, they drift back together.

    Args:
        values: (T, n) the unit's value at each step in each of n stories.
        labels: n legend labels (e.g. the country of each story).
        country_step: the step of the country token (a vertical line).
        answer_step: the step of the answer (a vertical line; default the last).
        ylabel: the y label, e.g. ``"cell state c, unit 5"``.
        words: optional T words of one story, shown as x tick labels.
        legend: add a legend of ``labels``.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.0))
    values = np.asarray(values)
    T, n = values.shape
    answer_step = T - 1 if answer_step is None else answer_step
    for b in range(n):
        ax.plot(np.arange(T), values[:, b], color=f"C{b % 10}", linewidth=1.3, label=labels[b])
    for step in (country_step, answer_step):
        ax.axvline(step, color="black", linewidth=0.8, linestyle=":")
    if words is not None:
        ax.set_xticks(np.arange(T), words, rotation=90, fontsize=10)
    ax.set_xlabel("step" if words is None else "")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, T - 1)
    if legend:  # above the axes, where it hides no line (beside, it would narrow them)
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4,
                  borderaxespad=0.2, columnspacing=1.0, handlelength=1.2)
    return fig


def plot_readability(curves: dict, *, chance: float, ax=None):
    """How well the country can be read off the state, step by step after the country.

    Args:
        curves: label -> (steps, accuracy) arrays, e.g. from
            :func:`whiteboard.analysis.probes.readability`.  A label containing "RNN" or
            "LSTM" gets that model's colour; a second LSTM curve is dashed.
        chance: the accuracy of guessing (a dashed line).
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax)
    styles = _styles(curves)
    for label, (steps, acc) in curves.items():
        ax.plot(steps, acc, linewidth=1.5, label=label, **styles[label])
    ax.axhline(chance, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("steps since the country")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("country read off the state")
    ax.set_ylim(0, 1.04)
    ax.legend(frameon=False)
    return fig


def plot_learning_curves(histories: dict, *, chance=None, ax=None):
    """Validation accuracy during training, one line per run.

    Args:
        histories: label -> the dict returned by :func:`whiteboard.training.loop.train`.
        chance: draw the chance level when given.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax)
    styles = _styles(histories)
    for label, hist in histories.items():
        ax.plot(hist["eval_step"], hist["eval_accuracy"], label=label, **styles[label])
    if chance is not None:
        ax.axhline(chance, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("training step")
    ax.set_ylabel("validation accuracy")
    ax.set_ylim(0, 1.04)
    ax.legend(frameon=False)
    return fig


def plot_mechanism(result: dict, *, models=None, lag=None, axes=None):
    """The gradient reaching the clue, and the far share of ∂L/∂W, against training steps.

    Two stacked panels.  Top: ‖∂L/∂x‖ at the clue over ‖∂L/∂x‖ at the answer's input;
    bottom: the share of ∂L/∂W from terms reaching 10 or more steps back; both on log
    scales.  One line per seed, one colour per model; a line ends where its run stopped
    (solved, or the budget spent).
    Training steps run linearly up to 100 and logarithmically beyond.

    Args:
        result: a sweep run with ``track`` (``python -m whiteboard story --track``).
        models: which models to draw (default: every model of the result).
        lag: which lag (default: the only or the first one).
        axes: two axes to draw on; a new figure when None.

    Returns:
        the Figure.

    Raises:
        ValueError: the result has no ``track``, or not the model or lag asked for.
    """
    lag = result["results"][0]["lag"] if lag is None else lag
    by = {(r["lag"], r["model"]): r for r in result["results"]}
    models = list(result["models"]) if models is None else list(models)
    missing = [m for m in models if "track" not in by.get((lag, m), {})]
    if missing:
        raise ValueError(f"no tracked runs for {missing} at lag {lag}: run the sweep with "
                         "--track")
    if axes is None:
        fig, axes = new_figure(figsize=(PHONE_WIDTH_IN, 6.6), nrows=2, sharex=True)
    fig = axes[0].figure
    for m in models:
        color = COLORS.get(m, "black")
        for s, track in enumerate(by[(lag, m)]["track"]):
            label = model_label(m, result["models"][m]) if s == 0 else None
            axes[0].plot(track["step"], track["input_ratio"], color=color, linewidth=1,
                         alpha=0.8, label=label)
            axes[1].plot(track["step"], track["far_share"], color=color, linewidth=1,
                         alpha=0.8)
    axes[0].set_ylabel("gradient at the clue / at the answer")
    axes[1].set_ylabel("share of the recurrent-weight\ngradient from 10+ steps back")
    steps = max(t["step"][-1] for m in models for t in by[(lag, m)]["track"])
    for ax in axes:
        ax.set_yscale("log")  # the shares run from 1e-5 to 1, the gradients further
        # linear up to the first validation, then logarithmic: runs that stop after a few
        # hundred steps and runs that use the whole budget both stay readable
        ax.set_xscale("symlog", linthresh=100, linscale=0.5)
        ax.set_xlim(0, steps)
        ax.set_xticks([t for t in (0, 100, 300, 1000, 3000, 10000) if t <= steps])
        ax.xaxis.set_major_formatter("{x:.0f}")
        ax.minorticks_off()
    axes[-1].set_xlabel("training step")
    axes[1].set_ylim(top=1.0)  # a share; after the log scale, so the bottom stays automatic
    axes[0].legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=1,
                   frameon=False, borderaxespad=0.2)
    return fig


def plot_word_attribution(words, attributions: dict, *, marks=None, ax=None):
    """Which word moved each network's answer: the attribution of every word, on a log scale.

    Args:
        words: the story's T words, the x axis.
        attributions: label -> (T,) values from
            :func:`whiteboard.analysis.attribution.word_attribution` (a label containing "RNN"
            or "LSTM" gets that model's colour).
        marks: optional ``{position: text}``, words to mark with a dotted line (the country).
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.
    """
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.4))
    styles = _styles(attributions)
    T = len(words)
    for label, values in attributions.items():
        values = np.maximum(np.asarray(values, float), 1e-300)
        ax.semilogy(np.arange(T), values, marker="o", markersize=3, label=label,
                    **styles[label])
    for t, text in (marks or {}).items():
        ax.axvline(t, color="black", linestyle=":", linewidth=1)
        ax.annotate(text, (t, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points")
    ax.set_xticks(np.arange(T), words, rotation=90, fontsize=10)
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_ylabel(r"$\|\partial z_{\mathrm{answer}} / \partial x_t\|$")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    return fig
