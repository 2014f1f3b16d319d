"""Running a strategy on the board, frame by frame, and the chapter's two strategies.

:func:`run_strategy` makes a :class:`whiteboard.board.slots.Board` execute a list of steps
and records a :class:`Frame` after each; :func:`naive_strategy` writes every intermediate
result, :func:`selective_strategy` reads, writes and erases with care.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whiteboard.board.slots import (
    GIVENS,
    OPS,
    SUM_PLAN,
    Board,
    BoardError,
    NotInHandError,
    Step,
    erase,
    read,
    read_all,
    write,
)

__all__ = ["Frame", "Run", "naive_strategy", "run_strategy", "selective_strategy"]


@dataclass(frozen=True)
class Frame:
    """What the board looked like after one step (or the error that stopped it).

    Attributes:
        index: 0-based position of the step in the strategy.
        step: the step.
        slots: the board after the step, one ``(name, value)`` or None per slot.
        touched: the slots this step wrote, read or erased.
        hand: the values in hand after the step, by name.
        value: the value written or read (None for an erase or a read of everything).
        error: the refusal that stopped the run at this step, or None.
    """

    index: int
    step: Step
    slots: tuple
    touched: tuple
    hand: dict
    value: float | None = None
    error: BoardError | None = None


@dataclass
class Run:
    """The result of :func:`run`: one frame per executed step.

    Attributes:
        capacity: slots of the board.
        steps: the whole strategy.
        frames: one :class:`Frame` per step executed, the last one carrying the error if
            the run failed.
        givens: the question sheet.
    """

    capacity: int
    steps: list
    frames: list = field(default_factory=list)
    givens: dict = field(default_factory=dict)

    @property
    def error(self) -> BoardError | None:
        """The refusal that stopped the run, or None if every step ran."""
        return self.frames[-1].error if self.frames else None

    @property
    def failed_at(self) -> int | None:
        """0-based index of the step that failed, or None."""
        return self.frames[-1].index if self.error is not None else None

    @property
    def result(self) -> float | None:
        """The last value written, if the run finished; otherwise None."""
        if self.error is not None:
            return None
        writes = [f.value for f in self.frames if f.step.op == "write"]
        return writes[-1] if writes else None

    @property
    def peak(self) -> int:
        """The most statements that were on the board at once."""
        return max((sum(s is not None for s in f.slots) for f in self.frames), default=0)

    def counts(self) -> dict:
        """How many writes, reads (statements read) and erases the run performed."""
        out = {"write": 0, "read": 0, "erase": 0}
        for f in self.frames:
            if f.error is None:
                out[f.step.op] += len(f.touched) if f.step.op == "read" else 1
        return out


def run_strategy(steps, *, capacity: int = 3, givens=None, strict: bool = False) -> Run:
    """Execute a strategy on a fresh board, step by step.

    A ``write`` evaluates its formula from the givens and the values in hand, writes the
    result and empties the hand (the values were used). A ``read`` adds to the hand. An
    ``erase`` leaves the hand alone: a value read before its statement was erased can still
    be used, as on paper.

    Args:
        steps: the strategy, a list of :class:`Step`.
        capacity: slots of the board.
        givens: name -> number; default :data:`GIVENS` (a=1, b=3, c=5, d=11).
        strict: raise the first refusal instead of recording it in the run.

    Returns:
        a :class:`Run`; when a step is refused, its frame carries the error and the run
        stops there.
    """
    steps = list(steps)
    for s in steps:
        if not isinstance(s, Step):
            raise TypeError(f"a strategy is a list of Step objects, got {type(s).__name__}")
    givens = dict(GIVENS if givens is None else givens)
    board = Board(capacity)
    hand: dict = {}
    result = Run(capacity=board.capacity, steps=steps, givens=givens)
    for index, step in enumerate(steps):
        value, touched, error = None, (), None
        try:
            if step.op == "write":
                op, left, right = step.formula
                value = OPS[op](_operand(left, givens, hand, step),
                                 _operand(right, givens, hand, step))
                touched = (board.write(step.name, value),)
                hand = {}
            elif step.op == "read":
                names = board.names if step.name is None else [step.name]
                touched = tuple(board.slot_of(n) for n in names)
                for n in names:
                    hand[n] = board.read(n)
                value = None if step.name is None else hand[step.name]
            else:
                touched = (board.erase(step.name),)
        except BoardError as exc:
            if strict:
                raise
            error = exc
        result.frames.append(Frame(index, step, tuple(board.slots), touched, dict(hand),
                                   value, error))
        if error is not None:
            break
    return result


def _operand(name, givens, hand, step):
    if name in givens:
        return givens[name]
    if name in hand:
        return hand[name]
    raise NotInHandError(f"{step}: {name!r} is neither a given nor in hand; "
                         f"read it off the board first (in hand: {sorted(hand) or 'nothing'})")


def naive_strategy(plan=SUM_PLAN) -> list[Step]:
    """Write every calculation, read the whole board before each one, never erase.

    ``plan`` holds the calculations ``(name, operator, left, right)``, in order.
    """
    return [step for name, op, left, right in plan
            for step in (read_all("look at everything written so far"),
                         write(name, (op, left, right), "write it down, like every result"))]


def selective_strategy() -> list[Step]:
    """The worked example's strategy for ac(bd + a) + ad on three slots.

    Write only what a later step needs, read only what the next calculation uses, and
    erase a statement as soon as nothing ahead needs it.
    """
    return [
        write("ac", ("*", "a", "c"), "ac is needed later, for ac(bd + a)"),
        write("bd", ("*", "b", "d"), "bd is needed for bd + a"),
        read("bd", "selective read: the next line needs bd, not ac"),
        write("bd + a", ("+", "bd", "a"), "the bracket"),
        erase("bd", "selective forget: bd is inside bd + a now"),
        read("ac", "the product needs ac ..."),
        read("bd + a", "... and the bracket"),
        write("ac(bd + a)", ("*", "ac", "bd + a"), "the first term"),
        erase("ac", "forget: ac is inside the first term now"),
        erase("bd + a", "forget: the bracket is used up"),
        write("ad", ("*", "a", "d"), "the second term"),
        read("ac(bd + a)", "the sum needs the first term ..."),
        read("ad", "... and the second"),
        write("ac(bd + a) + ad", ("+", "ac(bd + a)", "ad"), "the answer"),
    ]
