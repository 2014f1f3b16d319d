"""Live explorers of the whiteboard: the board step by step with its habits switched on and
off, and the soft board's sliders.

Both run :func:`whiteboard.board.run_strategy` again whenever a control moves: a habit
switched off is :func:`whiteboard.board.switch_off`, and the sliders set the fractions that
replace the strategy's 1s.
"""

from __future__ import annotations

import ipywidgets as widgets

from whiteboard.board import HABITS, run_strategy, selective_strategy, switch_off
from whiteboard.viz.explorers import Explorer, explore
from whiteboard.viz.plots.board import BoardStepper, SoftBoardStepper

__all__ = ["explore_board", "explore_soft_board"]


def explore_board(strategy=None, *, slots: int = 3) -> Explorer:
    """Step through a strategy on the board (default: the selective one on three slots),
    with one switch per habit: untick one to see the sum go wrong without it.

    Returns:
        an :class:`~whiteboard.viz.explorers.Explorer` whose ``controls`` are ``write``,
        ``read`` and ``forget`` (True: the habit is on).
    """
    strategy = selective_strategy() if strategy is None else list(strategy)
    controls = {habit: widgets.Checkbox(value=True, description=f"selective {habit}",
                                        indent=False) for habit in HABITS}

    def on_control(stepper, **on):
        steps = strategy
        for habit in HABITS:
            if not on[habit]:
                steps = switch_off(steps, habit, slots=slots)
        stepper.set_run(run_strategy(steps, slots=slots))

    return explore(BoardStepper(run_strategy(strategy, slots=slots)), label="step",
                   controls=controls, on_control=on_control)


def _fraction(value, description):
    return widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.05,
                               description=description, continuous_update=False,
                               readout_format=".2f", style={"description_width": "initial"})


def explore_soft_board(*, write=1.0, read=1.0, keep=1.0, strategy=None) -> Explorer:
    """The soft board, one step per frame, with sliders for the write, read and keep
    fractions.

    Returns:
        an :class:`~whiteboard.viz.explorers.Explorer` whose ``controls`` are ``write``,
        ``read`` and ``keep``.
    """
    stepper = SoftBoardStepper(strategy, write=write, read=read, keep=keep)
    controls = {"write": _fraction(write, "write o"), "read": _fraction(read, "read i"),
                "keep": _fraction(keep, "keep f")}

    def on_control(st, **fractions):
        st.set_fractions(**fractions)

    return explore(stepper, label="step", controls=controls, on_control=on_control)
