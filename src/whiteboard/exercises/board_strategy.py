"""A checker for chapter 4's whiteboard: a strategy that evaluates ac(bd + a) + ad.

A strategy is a list of ``write``, ``read`` and ``erase`` steps from ``whiteboard.board``
(no numbers in it: a write names a formula, evaluated when the step runs). The checker runs
it on a board of ``capacity`` slots with a = 1, b = 3, c = 5, d = 11, where the answer is
181, and then with other values of a, b, c and d: a strategy whose formulas only happen to
give 181 (one that drops a factor a, since a = 1) fails there. Every refusal of the board is
turned into a sentence naming the step: an overflow, a read of something erased or never
written, a formula using a value that is not in hand.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from whiteboard.board import (
    GIVENS,
    BoardFullError,
    NotInHandError,
    NotOnBoardError,
    Run,
    Step,
    run_strategy,
)
from whiteboard.exercises.result import CheckResult

__all__ = ["check_board_strategy", "target"]

CHECKER = "check_board_strategy"
TARGET = "ac(bd + a) + ad"
# Other questions the same strategy must answer: two keep a = 1, to tell "drops a" apart.
OTHER_GIVENS = ({"a": 2, "b": 3, "c": 5, "d": 7}, {"a": 1, "b": 4, "c": 2, "d": 9},
                {"a": 3, "b": -2, "c": 4, "d": 5}, {"a": -1, "b": 2, "c": 7, "d": 3})


def target(g) -> float:
    """ac(bd + a) + ad for the givens ``g``."""
    a, b, c, d = (g[k] for k in "abcd")
    return a * c * (b * d + a) + a * d


def _show(g) -> str:
    return ", ".join(f"{k} = {g[k]}" for k in "abcd")


def _fail(message, mistake) -> CheckResult:
    return CheckResult(False, message, CHECKER, (mistake,))


def _steps_of(strategy):
    """The list of steps, or a failed CheckResult; raises TypeError for a wrong kind."""
    if isinstance(strategy, Run):
        raise TypeError(f"{CHECKER} needs the strategy itself, the list of steps, not the "
                        "result of run_strategy(...): pass my_strategy, not "
                        "run_strategy(my_strategy)")
    if callable(strategy):
        try:
            strategy = strategy()
        except Exception as exc:  # the reader's bug, reported in words
            return _fail(f"your function raised {type(exc).__name__}: {exc}.", "raised")
        if isinstance(strategy, Run):
            return _fail("your function returned the result of run_strategy(...); it should return "
                         "the list of steps.", "returned_run")
    elif not isinstance(strategy, Sequence) or isinstance(strategy, str):
        raise TypeError(f"{CHECKER} needs a list of steps (write, read, erase from "
                        "whiteboard.board), or a function with no arguments that returns one; "
                        f"got {type(strategy).__name__}")
    if strategy is None or not isinstance(strategy, Sequence) or isinstance(strategy, str):
        return _fail(f"your function returned {type(strategy).__name__}, not a list of steps.",
                     "not_a_list")
    for k, step in enumerate(strategy, start=1):
        if not isinstance(step, Step):
            return _fail(f"item {k} of your strategy is a {type(step).__name__}, not a step: "
                         "build steps with write(name, (op, left, right)), read(name) and "
                         "erase(name) from whiteboard.board.", "not_a_step")
    if not strategy:
        return _fail("your strategy has no steps.", "empty")
    return list(strategy)


def _run(steps, capacity, givens):
    """(Run, None), or (None, (1-based step, exception)) when the board raised outright."""
    try:
        return run_strategy(steps, capacity=capacity, givens=givens), None
    except (ValueError, TypeError, KeyError) as exc:  # a rewrite, a name that is not a string
        for k in range(1, len(steps) + 1):
            try:
                run_strategy(steps[:k], capacity=capacity, givens=givens)
            except (ValueError, TypeError, KeyError) as first:
                return None, (k, first)
        return None, (len(steps), exc)


def _history(steps, upto):
    """For each name: the steps (1-based) before ``upto`` that wrote and erased it."""
    steps_of = {"write": {}, "read": {}, "erase": {}}
    for k, step in enumerate(steps[: upto - 1], start=1):
        steps_of[step.op].setdefault(step.name, []).append(k)
    return steps_of["write"], steps_of["erase"]


def _similar(name, names) -> str:
    close = difflib.get_close_matches(str(name), [str(n) for n in names], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _refusal(steps, result: Run) -> CheckResult:
    k = result.failed_at + 1
    step, err = steps[k - 1], result.error
    where = f"step {k} ({step})"
    board = [s[0] for s in result.frames[-1].slots if s is not None]
    if isinstance(err, BoardFullError):
        return _fail(f"{where} overflows the {result.capacity}-slot board: it holds "
                     f"{', '.join(board)} and has no room for {step.name}. Erase a statement "
                     "that no later step needs before this write.", "overflow")
    written, erased = _history(steps, k)
    if isinstance(err, NotOnBoardError):
        name = step.name
        if name in erased and max(erased[name]) > max(written.get(name, [0])):
            verb = "reads" if step.op == "read" else "erases"
            return _fail(f"{where} {verb} {name!r}, but step {max(erased[name])} erased it. "
                         "Read a statement before you erase it (a value read stays in hand "
                         "until the next write).", "read_erased" if step.op == "read"
                         else "erase_twice")
        return _fail(f"{where} names {name!r}, which was never written on the board"
                     f"{_similar(name, written)}.", "not_written")
    if isinstance(err, NotInHandError):
        hand = result.frames[-1].hand  # the refused write left the hand as it was
        name = next(x for x in step.formula[1:] if x not in result.givens and x not in hand)
        if name not in written:
            return _fail(f"{where} uses {name!r}, which is neither a given (a, b, c, d) nor "
                         f"a statement written before{_similar(name, written)}.",
                         "not_written")
        return _fail(f"{where} uses {name!r}, which is not in hand: read it off the board "
                     "after the last write and before this one (every write empties the "
                     f"hand; in hand now: {', '.join(sorted(hand)) or 'nothing'}).",
                     "not_in_hand")
    return _fail(f"{where} was refused: {err}.", "refused")


def _expressions(result: Run) -> dict:
    """Statement name -> the formula, in a, b, c, d, that its value was computed by."""
    exprs, hand = {}, {}
    for f in result.frames:
        if f.step.op == "read":
            for slot in f.touched:
                name = f.slots[slot][0]
                hand[name] = exprs[name]
        elif f.step.op == "write":
            op, left, right = f.step.formula
            exprs[f.step.name] = (op, *(x if x in result.givens else hand[x]
                                        for x in (left, right)))
            hand = {}
    return exprs


def _render(e, inside=None) -> str:
    """A formula in the book's style: ac(bd + a) + ad."""
    if isinstance(e, str):
        return e
    op, left, right = e
    if op == "*":
        return _render(left, "*") + _render(right, "*")
    text = f"{_render(left, '+')} {op} {_render(right, op)}"
    return f"({text})" if inside == "*" or (inside == "-" and op in "+-") else text


def check_board_strategy(strategy, *, capacity: int = 3) -> CheckResult:
    """Check that ``strategy`` computes ac(bd + a) + ad on a board of ``capacity`` slots.

    Args:
        strategy: a list of steps (``write``, ``read``, ``erase`` from ``whiteboard.board``),
            or a function with no arguments that returns one.
        capacity: the number of slots (3 in the chapter; 2 in its exercise).

    Returns:
        a :class:`CheckResult`: passed when the last write is 181 for a = 1, b = 3, c = 5,
        d = 11 without the board refusing any step, and the same strategy gives
        ac(bd + a) + ad for other values of a, b, c, d too.

    Raises:
        TypeError: ``strategy`` is neither a list of steps nor a function.
    """
    run_strategy([], capacity=capacity)  # a wrong capacity is the caller's error: raise it now
    steps = _steps_of(strategy)
    if isinstance(steps, CheckResult):
        return steps
    result, raised = _run(steps, capacity, GIVENS)
    if raised:
        k, exc = raised
        step = steps[k - 1]
        if step.op == "write" and "already on the board" in str(exc):
            return _fail(f"step {k} ({step}) writes {step.name!r} while {step.name!r} is still "
                         "on the board: erase it first, or give the new statement another "
                         "name.", "rewrite")
        return _fail(f"step {k} ({step}) was refused: {exc}.", "refused")
    if result.error is not None:
        return _refusal(steps, result)
    if result.result is None:
        return _fail("your strategy never writes anything, so it has no answer.", "no_write")
    answer = [f for f in result.frames if f.step.op == "write"][-1].step
    exprs = _expressions(result)
    formula = _render(exprs[answer.name])
    if result.result != target(GIVENS):
        return _fail(f"your strategy ends by writing {answer.name} = {result.result:g}, but "
                     f"{TARGET} = {target(GIVENS):g} for {_show(GIVENS)}. Its last write "
                     f"computes {formula}.", "wrong_value")
    for givens in OTHER_GIVENS:
        other, _ = _run(steps, capacity, givens)
        if other is not None and other.result == target(givens):
            continue
        only_a1 = all(_run(steps, capacity, g)[0].result == target(g)
                      for g in OTHER_GIVENS if g["a"] == 1)
        why = (" It leaves out a factor a, which changes nothing only while a = 1."
               if only_a1 else "")
        value = "nothing" if other is None or other.result is None else f"{other.result:g}"
        return _fail(f"your strategy gives {target(GIVENS):g} for {_show(GIVENS)}, but "
                     f"{value} for {_show(givens)}, where {TARGET} = {target(givens):g}: its "
                     f"last write computes {formula}, which is not {TARGET}.{why}",
                     "only_these_values")
    counts = result.counts()
    return CheckResult(True, f"your strategy computes {TARGET} = {result.result:g} on "
                       f"{result.capacity} slots (at most {result.peak} statements at once; "
                       f"{counts['write']} writes, {counts['read']} reads, {counts['erase']} "
                       "erases), and gives the right answer for other values of a, b, c, d "
                       "too.", CHECKER)
