"""The whiteboard: a fixed number of slots, and three operations on them — write, read, erase.

The board is the book's picture of a recurrent state: a fixed amount of room that every step
must share. Chapter 4 evaluates ac(bd + a) + ad with a = 1, b = 3, c = 5, d = 11 on three
slots; the givens sit on the question sheet, everything else must be written down.

A *strategy* is a list of :class:`Step` objects, and :func:`run_strategy` makes a
:class:`Board` execute them one by one. No value is stored in a strategy: a ``write`` step
names a formula such as
``("*", "ac", "bd + a")``, and the number is computed when the step runs, from the givens
and from what was read off the board since the last write (the values "in hand"). So a
strategy that forgets to read, or reads something already erased, fails at that step.

The three operations (:func:`write`, :func:`read` or :func:`read_all`, :func:`erase`) refuse
what the board cannot do: :class:`BoardFullError` (no free slot), :class:`NotOnBoardError`.

Chapter 4 then makes the operations *soft* (:func:`soft_replay`): a slot keeps a fraction f
of its value, takes in a fraction i of a new value, and passes on a fraction o of its value
to the next calculation. With every fraction 0 or 1 this is the hard board again; in
between it is the LSTM's update s_r = f_r ⊙ s_{r-1} + i_r ⊙ s̃_r.
"""

from whiteboard.board.runs import Frame, Run, naive_strategy, run_strategy, selective_strategy
from whiteboard.board.slots import (
    GIVENS,
    SUM_PLAN,
    Board,
    BoardError,
    BoardFullError,
    NotInHandError,
    NotOnBoardError,
    Step,
    erase,
    format_slots,
    read,
    read_all,
    write,
)
from whiteboard.board.soft import SoftRound, soft_replay

__all__ = [
    "GIVENS", "SUM_PLAN", "Board", "BoardError", "BoardFullError", "NotOnBoardError",
    "NotInHandError", "Run", "SoftRound", "Step", "Frame", "erase", "format_slots",
    "naive_strategy", "read", "read_all", "run_strategy", "selective_strategy", "soft_replay",
    "write",
]
