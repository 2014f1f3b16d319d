"""Running a strategy on the board: one round per step of the sum, hard or soft.

:func:`run_strategy` executes the update of :mod:`whiteboard.board` step by step and keeps,
beside the numbers, what each slot holds by name, so that a smudge (two results added in one
slot) and a wrong result can be named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from whiteboard.board.sheet import (
    GIVENS,
    OPS,
    SUM_PLAN,
    Step,
    board_operands,
    instruction,
    true_values,
)
from whiteboard.checks import check_fraction, check_positive_int

__all__ = ["BoardError", "BoardRun", "NothingToWorkOn", "Round", "format_run", "format_slots",
           "number_text", "run_strategy", "slot_name", "slot_text"]


class BoardError(ValueError):
    """Base class of what the board cannot do."""


class NothingToWorkOn(BoardError):
    """A step whose sheet gives it no number found its board blank.

    Attributes:
        t: the step, from 1.
        rounds: the rounds run before it (what the memory held is ``rounds[-1].held``).
    """

    def __init__(self, message: str, t: int, rounds: tuple):
        super().__init__(message)
        self.t, self.rounds = t, rounds


@dataclass(frozen=True)
class Round:
    """One step of the sum on the board. Arrays have shape (slots,).

    With s the memory, o, i, f the step's write, read and keep fractions:

        h_{t-1} = o ⊙ s_{t-1}                          the board the step works from
        value   = its givens and every number on the board, joined by its operator
        s̃_t     = value in every slot                  the new line, offered to every slot
        s_t     = f ⊙ s_{t-1} + i ⊙ s̃_t

    Attributes:
        t: the step, from 1.
        name, instruction: the sheet's row (``bd + a``, ``bd + a = □ + a``).
        step: the strategy's :class:`~whiteboard.board.sheet.Step`.
        s_prev, o, h_prev, s_tilde, i, f, s: the arrays above. ``o`` is the LSTM's
            o_{t-1}, the write that prepares this step's board.
        shown: which slots are on the board (written, and holding something).
        value: the new line.
        right: the board showed exactly the results the step needs, each clean and right.
        seen: what the step saw on the board, one label per shown slot.
        held_prev, held: what each slot holds before and after, as a tuple of labels (a
            result's name, with ``?`` when it is wrong; two labels are a smudge).
    """

    t: int
    name: str
    instruction: str
    step: Step
    s_prev: np.ndarray
    o: np.ndarray
    h_prev: np.ndarray
    shown: np.ndarray
    s_tilde: np.ndarray
    i: np.ndarray
    f: np.ndarray
    s: np.ndarray
    value: float
    right: bool
    seen: tuple
    held_prev: tuple
    held: tuple

    @property
    def label(self) -> str:
        """The name of this step's result, marked ``?`` when it is wrong."""
        return self.name if self.right else f"{self.name}?"

    @property
    def board_text(self) -> str:
        """What the step saw on its board, e.g. ``ac = 5 | bd + a = 34``; ``""`` if blank."""
        on = np.flatnonzero(self.shown)
        return format_slots(self.h_prev[on], [self.held_prev[j] for j in on])


@dataclass(frozen=True)
class BoardRun:
    """A strategy run on the board: one :class:`Round` per step of the sum.

    Attributes:
        strategy: the steps that were run.
        slots: slots of the board (and of the memory behind it).
        givens: the numbers a, b, c, d.
        fractions: ``write``, ``read``, ``keep`` (1.0 each on the hard board).
        rounds: one per step.
    """

    strategy: tuple
    slots: int
    givens: dict
    fractions: dict
    rounds: tuple = field(default_factory=tuple)

    @property
    def answer(self) -> float:
        """The last step's new line."""
        return self.rounds[-1].value

    @property
    def right(self) -> bool:
        """Every step saw exactly the right results (so the answer is ac(bd + a) + ad)."""
        return all(r.right for r in self.rounds)

    @property
    def first_wrong(self) -> int | None:
        """The first step (from 1) that did not see exactly what it needs, or None."""
        return next((r.t for r in self.rounds if not r.right), None)

    def counts(self) -> dict:
        """How many slots the strategy writes onto a board, reads into, and forgets."""
        return {habit: sum(len(getattr(step, habit)) for step in self.strategy)
                for habit in ("write", "read", "forget")}


def _check_strategy(strategy, slots: int) -> tuple:
    strategy = tuple(strategy)
    for step in strategy:
        if not isinstance(step, Step):
            raise TypeError("a strategy is a list of Step objects (from whiteboard.board), "
                            f"got {type(step).__name__}")
    if len(strategy) != len(SUM_PLAN):
        raise ValueError(f"a strategy has one Step per step of the sum, {len(SUM_PLAN)}; "
                         f"got {len(strategy)}")
    for t, step in enumerate(strategy, start=1):
        for habit, verb in (("write", "writes"), ("read", "reads into"),
                            ("forget", "forgets")):
            too_far = [s for s in getattr(step, habit) if s >= slots]
            if too_far:
                have = {1: "only slot 0", 2: "slots 0 and 1"}.get(slots, f"slots 0 to {slots - 1}")
                raise ValueError(f"step {t} {verb} slot {too_far[0]}, but the board has {have}")
    return strategy


def _check_givens(givens) -> dict:
    if givens is None:
        return dict(GIVENS)
    if not isinstance(givens, dict) or set(givens) != set(GIVENS):
        raise ValueError(f"givens must be a dict with the keys a, b, c, d; got {givens!r}")
    for name, value in givens.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"given {name} must be a number, got {value!r}")
    return dict(givens)


def run_strategy(strategy, *, slots: int = 3, givens=None, write: float = 1.0,
                 read: float = 1.0, keep: float = 1.0) -> BoardRun:
    """Work out ac(bd + a) + ad with ``strategy``, one round per step.

    Each step: the slots it writes go onto the board, scaled by ``write``; its new line
    joins its givens and every number on the board with its operator; the line is read into
    the slots it reads into, scaled by ``read``; the slots it forgets are wiped, the others
    keep a fraction ``keep`` of what they held. With the three fractions at 1 this is the
    hard board; a fraction below 1 is the soft board of the chapter's second half.

    Args:
        strategy: one :class:`~whiteboard.board.sheet.Step` per row of
            :data:`~whiteboard.board.sheet.SUM_PLAN`.
        slots: slots of the board and of the memory behind it.
        givens: a, b, c, d; default :data:`~whiteboard.board.sheet.GIVENS` (1, 3, 5, 11).
        write, read, keep: the fractions in [0, 1] used where the strategy says 1.

    Returns:
        a :class:`BoardRun`.

    Raises:
        TypeError, ValueError: a strategy that is not six steps, a slot the board does not
            have, a fraction outside [0, 1], givens that are not four numbers.
        NothingToWorkOn: a step with no givens found its board blank.
    """
    slots = check_positive_int(slots, "slots")
    strategy = _check_strategy(strategy, slots)
    givens = _check_givens(givens)
    fractions = {name: check_fraction(v, name)
                 for name, v in (("write", write), ("read", read), ("keep", keep))}
    s = np.zeros(slots)
    held = tuple(() for _ in range(slots))
    rounds = []
    for t, (row, step) in enumerate(zip(SUM_PLAN, strategy, strict=True), start=1):
        name, op, left, right = row
        o, i, f = np.zeros(slots), np.zeros(slots), np.full(slots, fractions["keep"])
        o[list(step.write)] = fractions["write"]
        i[list(step.read)] = fractions["read"]
        f[list(step.forget)] = 0.0
        shown = (o > 0) & np.array([bool(h) for h in held])
        h_prev = o * s
        numbers = [givens[x] for x in (left, right) if x in GIVENS] + list(h_prev[shown])
        if not numbers:
            raise NothingToWorkOn(f"step {t} ({instruction(row)}) has nothing to work on: "
                                  "the sheet gives it no number and its board is blank",
                                  t, tuple(rounds))
        value = float(OPS[op](numbers))
        seen = tuple(" & ".join(held[j]) for j in np.flatnonzero(shown))
        is_right = sorted(seen) == sorted(board_operands(row))
        label = name if is_right else f"{name}?"
        s_tilde = np.full(slots, value)
        s_new = f * s + i * s_tilde
        held_new = tuple((held[j] if f[j] > 0 else ()) + ((label,) if i[j] > 0 else ())
                         for j in range(slots))
        rounds.append(Round(t, name, instruction(row), step, s, o, h_prev, shown, s_tilde,
                            i, f, s_new, value, is_right, seen, held, held_new))
        s, held = s_new, held_new
    return BoardRun(strategy, slots, givens, fractions, tuple(rounds))


def number_text(v: float) -> str:
    """A value as the board shows it: ``170``, ``4.05``, ``4.51e+12``."""
    if abs(v) < 1e6 and float(v).is_integer():
        return f"{int(v)}"
    return f"{v:.2f}" if abs(v) < 1e6 else f"{v:.3g}"


def slot_name(held: tuple) -> str:
    """What a slot holds, by name: ``bd + a``, ``bd & ac(bd + a)`` (a smudge of two
    results), ``3 results`` (a smudge of more), ``""`` (empty)."""
    return " & ".join(held) if len(held) <= 2 else f"{len(held)} results"


def slot_text(value: float, held: tuple) -> str:
    """One slot with its value, ``bd + a = 34``, or ``·`` when it is empty."""
    return f"{slot_name(held)} = {number_text(value)}" if held else "·"


def format_slots(values, held) -> str:
    """Slots as one line, e.g. ``ac = 5 | · | bd + a = 34`` (see :func:`slot_text`)."""
    return " | ".join(slot_text(v, h) for v, h in zip(values, held, strict=True))


def format_run(run: BoardRun) -> str:
    """The run as text, three lines a step: the sheet's instruction and the new line, the
    board the step worked from (``·``: nothing written there), and the memory after it."""
    if not isinstance(run, BoardRun):
        raise TypeError(f"expected a BoardRun, got {type(run).__name__}")
    lines, truth = [], true_values(run.givens)
    for r in run.rounds:
        mark = "" if r.right else f"   (wrong: {r.name} = {number_text(truth[r.name])})"
        board = [slot_text(v, h) if shown else "·"
                 for v, h, shown in zip(r.h_prev, r.held_prev, r.shown, strict=True)]
        lines += [f"step {r.t}  {r.instruction}  ->  {number_text(r.value)}{mark}",
                  f"  board   {' | '.join(board)}",
                  f"  memory  {format_slots(r.s, r.held)}"]
    return "\n".join(lines)
