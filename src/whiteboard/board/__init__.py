"""The whiteboard: a board of a few slots, the memory behind it, and three habits.

The board is the book's picture of a recurrent state (chapter 2): a fixed number of slots
that everything else reads. Chapter 4 works out ac(bd + a) + ad with a = 1, b = 3, c = 5,
d = 11 on a board of three slots. The numbers a, b, c, d are on the question sheet
(:data:`GIVENS`), which gives the sum's six steps (:data:`SUM_PLAN`); a step's other
operands are the numbers on its board. A step cannot pick among them: it joins its givens
and *every* number on the board with its operator, as an RNN's step mixes every unit of
its state.

Behind the board is a memory of as many slots. A *strategy* says, for every step, in the
lectures' order:

- **selective write** (the LSTM's output gate o): which slots of the memory go onto the
  board for this step: h_{t-1} = o ⊙ s_{t-1};
- **selective read** (the input gate i): which slots the step's new line s̃_t is read into;
- **selective forget** (the forget gate f): which slots are wiped (f = 0; 1 elsewhere), so
  that s_t = f ⊙ s_{t-1} + i ⊙ s̃_t. A slot read into without being wiped holds the sum of
  the old and the new: a smudge.

:func:`selective_strategy` gets 181. :func:`naive_strategy` has no habit at all, the RNN's
way: its board is its whole memory, and every line lands in every slot. :func:`switch_off`
turns one habit off. :func:`run_strategy` runs a strategy, with fractions (``write``,
``read``, ``keep``) in place of its 1s for the soft board, which is the LSTM's update.
"""

from whiteboard.board.run import (
    BoardError,
    BoardRun,
    NothingToWorkOn,
    Round,
    format_run,
    format_slots,
    number_text,
    run_strategy,
    slot_name,
    slot_text,
)
from whiteboard.board.sheet import (
    GIVENS,
    HABITS,
    OPS,
    SUM_PLAN,
    Step,
    board_operands,
    instruction,
    naive_strategy,
    selective_strategy,
    switch_off,
    true_values,
)

__all__ = [
    "GIVENS", "HABITS", "OPS", "SUM_PLAN", "BoardError", "BoardRun", "NothingToWorkOn",
    "Round", "Step", "board_operands", "format_run", "format_slots", "instruction",
    "naive_strategy", "number_text", "run_strategy", "selective_strategy", "slot_name",
    "slot_text", "switch_off", "true_values",
]
