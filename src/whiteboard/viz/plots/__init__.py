"""Figure functions, one submodule per topic.

Every function has the form ``plot_x(..., ax=None) -> Figure``: it draws on ``ax`` when
given and otherwise makes its own ``matplotlib.figure.Figure`` (never through pyplot, so
nothing is shown twice and no global state changes).  Steppers (objects with ``fig``,
``n_frames`` and ``draw(t)``) also live here, next to the figures they animate.
:func:`whiteboard.viz.plots.diagrams.draw_cell` draws the RNN, LSTM and GRU cells from
their gate specs, in the lectures' notation or PyTorch's.
"""

from matplotlib.figure import Figure

from whiteboard.viz.plots.legible import DPI, PHONE_WIDTH_IN, BookCanvas

# The size a figure has unless its function says otherwise: a phone's column wide
# (whiteboard.viz.plots.legible), so it is never shrunk and its 10 pt text stays 10 px.
PHONE_SIZE = (PHONE_WIDTH_IN, 3.0)

__all__ = ["PHONE_SIZE", "book_figure", "figure_for", "freeze_layout", "new_figure"]


def new_figure(figsize=PHONE_SIZE, dpi: float = DPI, **subplots_kw):
    """Return ``(fig, axes)`` from a fresh pyplot-free ``Figure`` with ``subplots``.

    The figure prints through a :class:`~whiteboard.viz.plots.legible.BookCanvas`, so its
    PNGs record the size of their smallest text.
    """
    fig = book_figure(figsize=figsize, dpi=dpi, layout="constrained")
    return fig, fig.subplots(**subplots_kw)


def book_figure(**figure_kw) -> Figure:
    """A ``Figure`` (no axes yet) whose PNGs record their smallest text (``BookCanvas``)."""
    fig = Figure(**{"dpi": DPI, **figure_kw})
    BookCanvas(fig)
    return fig


def figure_for(ax, figsize=PHONE_SIZE):
    """``(fig, ax)``: the given axes and their figure, or a new figure when ``ax`` is None.

    What every ``plot_x(..., ax=None)`` starts with: draw where the caller asks, and make
    a figure only when it asks for none.
    """
    if ax is None:
        return new_figure(figsize=figsize)
    return ax.figure, ax


def freeze_layout(fig) -> None:
    """Lay ``fig`` out once, then keep that layout for every frame a stepper draws.

    Frames change data, not the figure's structure, so running the constrained layout again
    for each of them only costs time (and can make frames jitter).  Call it again after a
    change of limits, ticks or labels.
    """
    fig.set_layout_engine("constrained")
    fig.draw_without_rendering()
    # None, not "none": a placeholder engine would make every savefig draw twice.
    fig.set_layout_engine(None)
