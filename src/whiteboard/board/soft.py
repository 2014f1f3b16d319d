"""The soft board: the hard strategy replayed with fractions, which is the LSTM's update
(see :mod:`whiteboard.board`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.board.runs import run_strategy, selective_strategy
from whiteboard.board.slots import OPS
from whiteboard.checks import check_fraction

__all__ = ["SoftRound", "soft_replay"]


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
        capacity, givens: as in :func:`whiteboard.board.run_strategy`.
        keep, take_in, pass_on: the fractions in [0, 1] used where the hard strategy says 1.

    Returns:
        one :class:`SoftRound` per write.

    Raises:
        ValueError: a fraction outside [0, 1], or a strategy that fails on the hard board.
    """
    keep, take_in, pass_on = (check_fraction(v, label) for label, v in (
        ("keep", keep), ("take_in", take_in), ("pass_on", pass_on)))
    hard = run_strategy(selective_strategy() if steps is None else steps, capacity=capacity,
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
            value = OPS[op](*(hard.givens[x] if x in hard.givens else h_prev[slot_of_read[x]]
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
