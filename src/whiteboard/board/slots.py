"""The board itself: a fixed number of slots, and the steps that write, read and erase them.

A :class:`Step` names one operation; :class:`Board` holds the slots and refuses what does not
fit (:class:`BoardFullError`, :class:`NotOnBoardError`, :class:`NotInHandError`).  The
package's overview of the whiteboard is in :mod:`whiteboard.board`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from whiteboard.checks import check_positive_int

__all__ = [
    "GIVENS", "SUM_PLAN", "OPS", "Board", "BoardError", "BoardFullError", "NotOnBoardError",
    "NotInHandError", "Step", "erase", "format_slots", "read", "read_all", "write",
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

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}


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
                    and self.formula[0] in OPS):
                raise ValueError(f"write {self.name!r} needs formula=(operator, left, right) "
                                 f"with an operator in {sorted(OPS)}, got {self.formula!r}")
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
