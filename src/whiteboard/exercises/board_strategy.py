"""A checker for chapter 4's whiteboard: a strategy that works out ac(bd + a) + ad.

A strategy is one ``Step(write=..., read=..., forget=...)`` per step of the sum (from
``whiteboard.board``). The checker runs it on a board of ``slots`` slots and passes it when
every step saw on its board exactly the results it needs, each clean; then the answer is
ac(bd + a) + ad for any a, b, c, d, and 181 for a = 1, b = 3, c = 5, d = 11. Otherwise it
names the first step that went wrong and why, in the habits' words: a result on the board
that the step does not use (write), a needed result left off the board (write), a smudge
(a read into a slot that was not forgotten), a result forgotten too early (forget) or read
into no slot (read).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from whiteboard.board import (
    SUM_PLAN,
    BoardRun,
    NothingToWorkOn,
    Step,
    board_operands,
    run_strategy,
    slot_text,
    true_values,
)
from whiteboard.checks import check_positive_int
from whiteboard.exercises.result import CheckResult

__all__ = ["check_board_strategy", "target"]

CHECKER = "check_board_strategy"
TARGET = "ac(bd + a) + ad"
_STEP_OF = {name: t for t, (name, *_) in enumerate(SUM_PLAN, start=1)}


def target(g) -> float:
    """ac(bd + a) + ad for the givens ``g``."""
    a, b, c, d = (g[name] for name in "abcd")
    return a * c * (b * d + a) + a * d


def _fail(message, mistake) -> CheckResult:
    return CheckResult(False, message, CHECKER, (mistake,))


def _steps_of(strategy):
    """The list of steps, or a failed CheckResult; raises TypeError for a wrong kind."""
    if isinstance(strategy, BoardRun):
        raise TypeError(f"{CHECKER} needs the strategy itself, the list of steps, not the "
                        "result of run_strategy(...): pass my_strategy, not "
                        "run_strategy(my_strategy)")
    if callable(strategy):
        try:
            strategy = strategy()
        except Exception as exc:  # the reader's bug, reported in words
            return _fail(f"your function raised {type(exc).__name__}: {exc}.", "raised")
        if isinstance(strategy, BoardRun):
            return _fail("your function returned the result of run_strategy(...); it should "
                         "return the list of steps.", "returned_run")
    elif not isinstance(strategy, Sequence) or isinstance(strategy, str):
        raise TypeError(f"{CHECKER} needs a list of steps (Step from whiteboard.board), or a "
                        f"function with no arguments that returns one; got "
                        f"{type(strategy).__name__}")
    if not isinstance(strategy, Sequence) or isinstance(strategy, str):
        return _fail(f"your function returned {type(strategy).__name__}, not a list of steps.",
                     "not_a_list")
    for n, step in enumerate(strategy, start=1):
        if not isinstance(step, Step):
            return _fail(f"item {n} of your strategy is a {type(step).__name__}, not a Step: "
                         "build each with Step(write=..., read=..., forget=...) from "
                         "whiteboard.board.", "not_a_step")
    if not strategy:
        return _fail("your strategy has no steps.", "empty")
    if len(strategy) != len(SUM_PLAN):
        return _fail(f"your strategy has {len(strategy)} steps, but the sum has "
                     f"{len(SUM_PLAN)}: give one Step per step of the sum, in the sheet's "
                     "order.", "wrong_length")
    return list(strategy)


def _and(items) -> str:
    """``0``, ``0 and 1``, ``0, 1 and 2``."""
    items = [str(x) for x in items]
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def _where(held, name) -> list[int]:
    return [j for j, h in enumerate(held) if name in h]


def _smudge(rounds, t, slot, held, needs=None) -> CheckResult:
    """Slot ``slot`` holds a smudge that step ``t`` needed clean: say which step made it."""
    maker = max(r.t for r in rounds[: t - 1] if slot in r.step.read and r.held_prev[slot]
                and slot not in r.step.forget)
    before = rounds[maker - 1].held_prev[slot]
    later = [u for u in range(maker + 1, len(SUM_PLAN) + 1)
             if set(board_operands(SUM_PLAN[u - 1])) & set(before)]
    fix = (f"{' & '.join(before)} is still needed at step {later[0]}, so read "
           f"{rounds[maker - 1].label} into another slot." if later else
           f"{' & '.join(before)} is used up by then: forget slot {slot} at step {maker} "
           f"(forget={slot}).")
    where = (f"step {t} works from slot {slot}, which" if needs is None
             else f"step {t} needs {needs}, but slot {slot}, where it is,")
    return _fail(f"{where} holds a smudge, {slot_text(rounds[t - 2].s[slot], held[slot])}: "
                 f"step {maker} read {rounds[maker - 1].label} into slot {slot} while "
                 f"{' & '.join(before)} was still there. {fix}", "smudge")


def _missing(rounds, t, name) -> CheckResult:
    """Step ``t`` needed ``name`` and its board did not show it: say where it went."""
    held = rounds[t - 2].held
    clean = [j for j in _where(held, name) if held[j] == (name,)]
    if clean:
        return _fail(f"step {t} needs {name}, which is in slot {clean[0]} of the memory but "
                     f"not on its board: add slot {clean[0]} to its write.", "write_missing")
    smudged = _where(held, name)
    if smudged:
        return _smudge(rounds, t, smudged[0], held, needs=name)
    made = rounds[_STEP_OF[name] - 1]
    if not made.step.read:
        return _fail(f"step {t} needs {name}, but step {made.t} read it into no slot, so it "
                     f"was lost: give step {made.t} a slot to read into.", "not_read")
    gone = next(r for r in rounds[made.t: t - 1]
                if any(name in r.held_prev[j] for j in r.step.forget))
    slot = next(j for j in gone.step.forget if name in gone.held_prev[j])
    return _fail(f"step {t} needs {name}, but step {gone.t} forgot slot {slot}, which held "
                 f"it: forget a result only once every step that uses it is done.",
                 "forgot_early")


def _diagnose(run) -> CheckResult:
    """The first step that did not see exactly what it needs, in words."""
    rounds, r = run.rounds, run.rounds[run.first_wrong - 1]
    needed, seen = Counter(board_operands(SUM_PLAN[r.t - 1])), Counter(r.seen)
    truth = true_values(run.givens)
    for j in r.shown.nonzero()[0]:
        if len(r.held_prev[j]) > 1:
            return _smudge(rounds, r.t, int(j), r.held_prev)
    extra = seen - needed
    if extra:
        on = [int(j) for j in r.shown.nonzero()[0] if r.held_prev[j][0] in extra]
        what = _and([f"{name} (slot{'s' if len(at) > 1 else ''} {_and(at)})"
                     for name in extra for at in [[j for j in on if r.held_prev[j][0] == name]]])
        uses = _and(board_operands(SUM_PLAN[r.t - 1])) or "nothing from the board"
        return _fail(f"step {r.t} ({r.instruction}) also sees {what} on its board and joins "
                     f"{'it' if len(on) == 1 else 'them'} in: it makes {r.value:g}, not "
                     f"{r.name} = {truth[r.name]:g}. It uses {uses}: take slot"
                     f"{'s' if len(on) > 1 else ''} {_and(on)} off its write.", "write_extra")
    return _missing(rounds, r.t, next(iter(needed - seen)))


def check_board_strategy(strategy, *, slots: int = 3) -> CheckResult:
    """Check that ``strategy`` works out ac(bd + a) + ad on a board of ``slots`` slots.

    Args:
        strategy: one ``Step`` per step of the sum (``whiteboard.board.Step``), or a
            function with no arguments that returns that list.
        slots: the board's slots (3 in the chapter; 2 in its exercise).

    Returns:
        a :class:`CheckResult`: passed when every step sees on its board exactly the
        results it needs, each clean, so that the answer is ac(bd + a) + ad for any a, b,
        c, d (181 for a = 1, b = 3, c = 5, d = 11); otherwise the first step that went
        wrong, and why.

    Raises:
        TypeError: ``strategy`` is neither a list nor a function; ``slots`` is not an int.
        ValueError: ``slots`` < 1.
    """
    slots = check_positive_int(slots, "slots")  # a wrong slots is the caller's error
    steps = _steps_of(strategy)
    if isinstance(steps, CheckResult):
        return steps
    try:
        run = run_strategy(steps, slots=slots)
    except NothingToWorkOn as exc:
        # only steps 4 and 6 have no givens, so rounds before them exist
        return _missing(exc.rounds, exc.t, board_operands(SUM_PLAN[exc.t - 1])[0])
    except ValueError as exc:  # a slot the board does not have
        return _fail(f"{exc}.", "no_such_slot")
    if not run.right:
        return _diagnose(run)
    counts = run.counts()
    return CheckResult(True, f"your strategy works out {TARGET} = {run.answer:g} on {slots} "
                       f"slots: every step saw exactly the results it needs ({counts['write']} "
                       f"slots written onto boards, {counts['read']} read into, "
                       f"{counts['forget']} forgotten), so it is right for any a, b, c, d.",
                       CHECKER)
