"""The sum on the question sheet, and the strategies that work it out on the board.

The sheet gives the six steps of ac(bd + a) + ad (:data:`SUM_PLAN`) and the numbers a, b,
c, d (:data:`GIVENS`). A step's instruction says which givens it uses; every other operand
is a number taken from the board, shown as ``□`` (:func:`instruction`): step 3, ``bd + a``,
is ``□ + a``.

A *strategy* is one :class:`Step` per step of the sum: which slots of the memory it writes
onto the board, which slots it reads the new line into, and which slots it forgets. The
package's overview is in :mod:`whiteboard.board`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from whiteboard.checks import check_choice, check_positive_int

__all__ = [
    "GIVENS", "HABITS", "OPS", "SUM_PLAN", "Step", "board_operands", "instruction",
    "naive_strategy", "selective_strategy", "switch_off", "true_values",
]

GIVENS = {"a": 1, "b": 3, "c": 5, "d": 11}

# The six steps of ac(bd + a) + ad, in the order the sheet gives them:
# (name of the result, operator, left operand, right operand). An operand is a given
# (a, b, c, d) or the name of an earlier result, which must come from the board.
SUM_PLAN = (
    ("ac", "*", "a", "c"),
    ("bd", "*", "b", "d"),
    ("bd + a", "+", "bd", "a"),
    ("ac(bd + a)", "*", "ac", "bd + a"),
    ("ad", "*", "a", "d"),
    ("ac(bd + a) + ad", "+", "ac(bd + a)", "ad"),
)

# A step combines all its numbers, its givens and everything on its board, with one operator.
OPS = {"+": math.fsum, "*": math.prod}
_SHOWN = {"+": "+", "*": "×"}

# The three habits, in the lectures' order, and the gate each becomes.
HABITS = ("write", "read", "forget")


def true_values(givens=None) -> dict:
    """Every result of the sum, by name, worked out directly from the givens."""
    values = dict(GIVENS if givens is None else givens)
    for name, op, left, right in SUM_PLAN:
        values[name] = OPS[op]([values[left], values[right]])
    return {name: values[name] for name, *_ in SUM_PLAN}


def board_operands(row) -> tuple[str, ...]:
    """The operands of a sheet row that must come from the board (the results it uses)."""
    _, _, left, right = row
    return tuple(x for x in (left, right) if x not in GIVENS)


def instruction(row) -> str:
    """The sheet's instruction for one row of :data:`SUM_PLAN`, e.g. ``bd + a = □ + a``."""
    name, op, left, right = row
    shown = [x if x in GIVENS else "□" for x in (left, right)]
    return f"{name} = {shown[0]} {_SHOWN[op]} {shown[1]}"


def _slots(value, what: str) -> tuple[int, ...]:
    """A slot number or an iterable of them, as a tuple of distinct ints >= 0."""
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        items = tuple(value)
    else:
        items = (value,)
    for s in items:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise TypeError(f"{what} takes slot numbers (0, 1, 2, ...) or a tuple of them, "
                            f"got {value!r}")
    if len(set(items)) != len(items):
        raise ValueError(f"{what} names a slot twice: {value!r}")
    return items


@dataclass(frozen=True)
class Step:
    """What a strategy does around one step of the sum, in the lectures' order.

    Attributes:
        write: the slots of the memory written onto the board for this step; the step works
            from them and from its givens, and from nothing else (selective write: the
            output gate, o).
        read: the slots the step's new line is read into (selective read: the input gate,
            i). Usually one slot; ``()`` loses the new line.
        forget: the slots whose old content is wiped before the new line lands (selective
            forget: the forget gate, f = 0 there and 1 elsewhere). A slot that is read into
            without being forgotten adds the new line to what it held: a smudge.

    Each accepts a slot number or a tuple of them; slots are counted from 0, like units.
    """

    write: tuple = ()
    read: tuple = ()
    forget: tuple = ()

    def __post_init__(self):
        for habit in HABITS:
            object.__setattr__(self, habit, _slots(getattr(self, habit), habit))

    def __str__(self) -> str:
        def say(slots):
            return ", ".join(map(str, slots)) if slots else "none"
        return (f"write {say(self.write)} · read into {say(self.read)} · "
                f"forget {say(self.forget)}")


def selective_strategy() -> list[Step]:
    """The worked example on three slots: each step sees what it needs, and nothing else.

    The results live in slots 0 (ac, later ad), 1 (bd, later ac(bd + a)) and 2 (bd + a,
    later the answer). A slot is forgotten when its slot is needed again and what it holds
    is used up.
    """
    return [
        Step(write=(), read=0),                      # ac = a × c
        Step(write=(), read=1),                      # bd = b × d
        Step(write=1, read=2),                       # bd + a = □ + a, from bd
        Step(write=(0, 2), read=1, forget=1),        # ac(bd + a) = □ × □; bd is used up
        Step(write=(), read=0, forget=(0, 2)),       # ad; ac and bd + a are used up
        Step(write=(0, 1), read=2),                  # the answer, from ad and ac(bd + a)
    ]


def naive_strategy(slots: int = 3) -> list[Step]:
    """No choice at all, the RNN's way: the whole memory is on the board for every step,
    every new line is read into every slot, and nothing is forgotten."""
    every = tuple(range(check_positive_int(slots, "slots")))
    return [Step(write=every, read=every) for _ in SUM_PLAN]


def switch_off(strategy, habit: str, *, slots: int = 3) -> list[Step]:
    """``strategy`` with one habit switched off: ``"write"`` puts the whole memory on every
    board, ``"read"`` reads every new line into every slot, ``"forget"`` forgets nothing."""
    habit = check_choice(habit, HABITS, "habit")
    every = tuple(range(check_positive_int(slots, "slots")))
    out = []
    for step in strategy:
        if not isinstance(step, Step):
            raise TypeError(f"a strategy is a list of Step objects, got {type(step).__name__}")
        parts = {"write": step.write, "read": step.read, "forget": step.forget}
        parts[habit] = () if habit == "forget" else every
        out.append(Step(**parts))
    return out

