"""Live explorers of the whiteboard: the hard board step by step, and the soft board's sliders.

The soft board replays the selective strategy with fractions in place of its 0/1 choices
(:func:`whiteboard.board.soft_replay`); the three sliders set how much of each value is
kept, taken in and passed on, and every round is recomputed.
"""

from __future__ import annotations

import ipywidgets as widgets

from whiteboard.board import run_strategy, selective_strategy
from whiteboard.viz.explorers import Explorer, explore
from whiteboard.viz.plots.board import BoardStepper, SoftBoardStepper

__all__ = ["explore_board", "explore_soft_board"]


def explore_board(steps=None, *, capacity: int = 3) -> Explorer:
    """Step through a strategy on the board (default: the selective one on three slots)."""
    steps = selective_strategy() if steps is None else steps
    return explore(BoardStepper(run_strategy(steps, capacity=capacity)), label="step")


def _fraction(value, description):
    return widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.05,
                               description=description, continuous_update=False,
                               readout_format=".2f", style={"description_width": "initial"})


def explore_soft_board(*, keep=1.0, take_in=1.0, pass_on=1.0, steps=None) -> Explorer:
    """The soft board, one round per frame, with sliders for keep, take in and pass on.

    Returns:
        an :class:`~whiteboard.viz.explorers.Explorer` whose ``controls`` are ``keep``,
        ``take_in`` and ``pass_on``.
    """
    stepper = SoftBoardStepper(steps, keep=keep, take_in=take_in, pass_on=pass_on)
    controls = {"keep": _fraction(keep, "keep f"), "take_in": _fraction(take_in, "take in i"),
                "pass_on": _fraction(pass_on, "pass on o")}

    def on_control(st, **fractions):
        st.set_fractions(**fractions)

    return explore(stepper, label="round", controls=controls, on_control=on_control)
