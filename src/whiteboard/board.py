"""The whiteboard: a fixed number of slots, and three operations on them — write, read, erase.

The board is the book's picture of a recurrent state: a fixed amount of room that every step
must share. Chapter 4 evaluates ac(bd + a) + ad with a = 1, b = 3, c = 5, d = 11 on three
slots; the givens sit on the question sheet, everything else must be written down.

A *strategy* is a list of :class:`Step` objects, and :func:`run` makes a :class:`Board` execute
them one by one. No value is stored in a strategy: a ``write`` step names a formula such as
``("*", "ac", "bd + a")``, and the number is computed when the step runs, from the givens
and from what was read off the board since the last write (the values "in hand"). So a
strategy that forgets to read, or reads something already erased, fails at that step.

The three operations, and how they refuse:

- ``write(name, formula)``: compute the formula and put ``name = value`` in a free slot.
  :class:`BoardFullError` when no slot is free.
- ``read(name)``: take a statement's value into hand. :class:`NotOnBoardError` when it is
  not on the board. ``read_all()`` takes every statement (what the naive strategy does).
- ``erase(name)``: free the slot of a statement. :class:`NotOnBoardError` when absent.

Chapter 4 then makes the operations *soft* (:func:`soft_replay`): a slot keeps a fraction f
of its value, takes in a fraction i of a new value, and passes on a fraction o of its value
to the next calculation. With every fraction 0 or 1 this is the hard board again; in
between it is the LSTM's update s_r = f_r ⊙ s_{r-1} + i_r ⊙ s̃_r.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

import numpy as np

from whiteboard.checks import check_positive_int

__all__ = [
    "GIVENS", "SUM_PLAN", "Board", "BoardError", "BoardFullError", "NotOnBoardError",
    "NotInHandError", "Run", "SoftRound", "Step", "Frame", "erase", "format_slots",
    "naive_strategy", "read", "read_all", "run", "selective_strategy", "soft_replay", "write",
]

GIVENS = {"a": 1, "b": 3, "c": 5, "d": 11}

# The six calculations of ac(bd + a) + ad, in the order the worked example does them:
# (name written on the board, operator, left operand, right operand).
SUM_PLAN = (
    ("ac", "*", "a", "c"),
    ("bd", "*", "b", "d"),
    ("bd + a", "+", "bd", "a"),
    ("ac(bd + a)", "*", "ac", "bd + a"),
    ("ad", "*", "a", "d"),
    ("ac(bd + a) + ad", "+", "ac(bd + a)", "ad"),
)

_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}


class BoardError(Exception):
    """Base class of the board's refusals."""


class BoardFullError(BoardError, ValueError):
    """A write found no free slot."""


class NotOnBoardError(BoardError, KeyError):
    """A read or an erase named a statement that is not on the board."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class NotInHandError(BoardError, ValueError):
    """A write used a statement that was not read since the last write."""


@dataclass(frozen=True)
class Step:
    """One operation of a strategy.

    Attributes:
        op: ``"write"``, ``"read"`` or ``"erase"``.
        name: the statement's name (for ``read``, None means every statement on the board).
        formula: for ``write`` only, ``(operator, left, right)``; an operand is a given
            (``"a"``) or the name of a statement in hand.
        why: one line saying why the step is there (shown in captions).
    """

    op: str
    name: str | None
    formula: tuple | None = None
    why: str = ""

    def __post_init__(self):
        if self.op not in ("write", "read", "erase"):
            raise ValueError(f"op must be 'write', 'read' or 'erase', got {self.op!r}")
        if self.op == "write":
            if not (isinstance(self.formula, tuple) and len(self.formula) == 3
                    and self.formula[0] in _OPS):
                raise ValueError(f"write {self.name!r} needs formula=(operator, left, right) "
                                 f"with an operator in {sorted(_OPS)}, got {self.formula!r}")
        elif self.formula is not None:
            raise ValueError(f"only a write has a formula; {self.op} {self.name!r} got one")
        if self.name is None and self.op != "read":
            raise ValueError(f"{self.op} needs the name of a statement")

    def __str__(self) -> str:
        # A statement's name is its formula (``bd + a``), so the name says it all.
        return f"{self.op} {'everything' if self.name is None else self.name}"


def write(name: str, formula: tuple, why: str = "") -> Step:
    """A step that computes ``formula`` and writes ``name = value`` on the board."""
    return Step("write", name, tuple(formula), why)


def read(name: str, why: str = "") -> Step:
    """A step that takes the value of statement ``name`` into hand."""
    return Step("read", name, None, why)


def read_all(why: str = "") -> Step:
    """A step that reads every statement on the board."""
    return Step("read", None, None, why)


def erase(name: str, why: str = "") -> Step:
    """A step that wipes statement ``name`` off the board, freeing its slot."""
    return Step("erase", name, None, why)


def format_slots(slots) -> str:
    """The slots as one line, e.g. ``ac = 5 | · | bd + a = 34`` (``·`` is an empty slot)."""
    return " | ".join("·" if s is None else f"{s[0]} = {s[1]:g}" for s in slots)


class Board:
    """A whiteboard with ``capacity`` slots, each empty or holding one ``(name, value)``.

    Slots keep their place: erasing frees a slot and the next write takes the first free
    one, so a figure can draw every slot where it was.

    Args:
        capacity: the number of slots (≥ 1).
    """

    def __init__(self, capacity: int = 3):
        self.capacity = check_positive_int(capacity, "capacity")
        self.slots: list[tuple[str, float] | None] = [None] * self.capacity

    def __repr__(self) -> str:
        return f"Board([{format_slots(self.slots)}])"

    def __len__(self) -> int:
        return sum(s is not None for s in self.slots)

    def __contains__(self, name) -> bool:
        return any(s is not None and s[0] == name for s in self.slots)

    @property
    def names(self) -> list[str]:
        """The statements on the board, slot by slot."""
        return [s[0] for s in self.slots if s is not None]

    def slot_of(self, name: str) -> int:
        """The slot holding ``name``; :class:`NotOnBoardError` if there is none."""
        for k, s in enumerate(self.slots):
            if s is not None and s[0] == name:
                return k
        on = ", ".join(self.names) or "nothing"
        raise NotOnBoardError(f"{name!r} is not on the board (it holds: {on})")

    def write(self, name: str, value: float) -> int:
        """Write ``name = value`` into the first free slot and return that slot.

        Raises TypeError (a name that is not a non-empty string), ValueError (a name already
        on the board) or :class:`BoardFullError` (every slot taken).
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"a statement needs a non-empty string name, got {name!r}")
        if name in self:
            raise ValueError(f"{name!r} is already on the board; erase it before rewriting")
        for k, s in enumerate(self.slots):
            if s is None:
                self.slots[k] = (name, value)
                return k
        taken = f"all {self.capacity} slots are" if self.capacity > 1 else "its one slot is"
        raise BoardFullError(
            f"no room for {name} = {value:g}: {taken} taken by {', '.join(self.names)}")

    def read(self, name: str) -> float:
        """The value of statement ``name``; :class:`NotOnBoardError` if it is not there."""
        return self.slots[self.slot_of(name)][1]

    def erase(self, name: str) -> int:
        """Wipe statement ``name`` and return the slot it freed."""
        k = self.slot_of(name)
        self.slots[k] = None
        return k


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


def run(steps, *, capacity: int = 3, givens=None, strict: bool = False) -> Run:
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
                value = _OPS[op](_operand(left, givens, hand, step),
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
    steps = []
    for name, op, left, right in plan:
        steps.append(read_all("look at everything written so far"))
        steps.append(write(name, (op, left, right), "write it down, like every result"))
    return steps


def selective_strategy() -> list[Step]:
    """The worked example's strategy for ac(bd + a) + ad on three slots.

    Write only what a later step needs, read only what the next calculation uses, and
    erase a statement as soon as nothing ahead needs it.
    """
    return [
        write("ac", ("*", "a", "c"), "ac is needed twice later"),
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


# ------------------------------------------------------------------------ the soft board


@dataclass(frozen=True)
class SoftRound:
    """One round of the soft board: everything up to and including one write.

    With s the slot values (capacity,):

        h_{r-1} = o_r ⊙ s_{r-1}            what is passed on to the calculation
        s̃_r     = the formula, evaluated on h_{r-1} and the givens, in the written slot
        s_r     = f_r ⊙ s_{r-1} + i_r ⊙ s̃_r

    Attributes:
        name: the statement written this round.
        slot: the slot it is written into.
        s_prev, f, o, h_prev, s_tilde, i, s: arrays of shape (capacity,).
        names: slot -> statement name after the round ("" for an empty slot).
    """

    name: str
    slot: int
    s_prev: np.ndarray
    f: np.ndarray
    o: np.ndarray
    h_prev: np.ndarray
    s_tilde: np.ndarray
    i: np.ndarray
    s: np.ndarray
    names: tuple


def soft_replay(steps=None, *, capacity: int = 3, givens=None, keep: float = 1.0,
                take_in: float = 1.0, pass_on: float = 1.0) -> list[SoftRound]:
    """Replay a hard strategy with fractions in place of its 0/1 choices.

    The hard run fixes which slot every statement lives in. Each round (the steps up to a
    write) becomes three gate vectors: f is 0 on the slots it erases or writes and ``keep``
    elsewhere; o is ``pass_on`` on the slots it reads, else 0; i is ``take_in`` on the slot
    it writes, else 0. The values are recomputed from the soft state, so a value only partly
    passed on changes the result. With all three fractions 1 this is the hard run exactly.

    Args:
        steps: a strategy that runs without error; default :func:`selective_strategy`.
        capacity: slots of the board.
        givens: default :data:`GIVENS`.
        keep, take_in, pass_on: the fractions in [0, 1] used where the hard strategy says 1.

    Returns:
        one :class:`SoftRound` per write.

    Raises:
        ValueError: a fraction outside [0, 1], or a strategy that fails on the hard board.
    """
    for label, v in (("keep", keep), ("take_in", take_in), ("pass_on", pass_on)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) \
                or not 0.0 <= float(v) <= 1.0:
            raise ValueError(f"{label} must be a fraction between 0 and 1, got {v!r}")
    hard = run(selective_strategy() if steps is None else steps, capacity=capacity,
               givens=givens)
    if hard.error is not None:
        raise ValueError(f"the strategy fails on the hard board at step "
                         f"{hard.failed_at + 1}: {hard.error}")
    n = hard.capacity
    s = np.zeros(n)
    rounds = []
    f, o = np.full(n, float(keep)), np.zeros(n)
    slot_of_read = {}  # name -> slot, for the statements read this round
    for frame in hard.frames:
        step = frame.step
        if step.op == "erase":
            f[frame.touched[0]] = 0.0
        elif step.op == "read":
            for k in frame.touched:
                o[k] = float(pass_on)
                slot_of_read[frame.slots[k][0]] = k
        else:
            h_prev = o * s
            op, left, right = step.formula
            value = _OPS[op](*(hard.givens[x] if x in hard.givens else h_prev[slot_of_read[x]]
                               for x in (left, right)))
            k = frame.touched[0]
            f[k] = 0.0  # the written slot was empty on the hard board
            i, s_tilde = np.zeros(n), np.zeros(n)
            i[k], s_tilde[k] = float(take_in), value
            s_new = f * s + i * s_tilde
            names = tuple("" if slot is None else slot[0] for slot in frame.slots)
            rounds.append(SoftRound(step.name, k, s, f, o, h_prev, s_tilde, i, s_new, names))
            s = s_new
            f, o, slot_of_read = np.full(n, float(keep)), np.zeros(n), {}
    return rounds
