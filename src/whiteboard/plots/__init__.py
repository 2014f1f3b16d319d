"""Figure functions, one submodule per topic.

Every function has the form ``plot_x(..., ax=None) -> Figure``: it draws on ``ax`` when
given and otherwise makes its own ``matplotlib.figure.Figure`` (never through pyplot, so
nothing is shown twice and no global state changes).  Steppers (objects with ``fig``,
``n_frames`` and ``draw(t)``) also live here, next to the figures they animate.
"""

from matplotlib.figure import Figure

__all__ = ["new_figure"]


def new_figure(figsize=(6.4, 3.2), dpi: float = 72, **subplots_kw):
    """Return ``(fig, axes)`` from a fresh pyplot-free ``Figure`` with ``subplots``."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    axes = fig.subplots(**subplots_kw)
    return fig, axes
