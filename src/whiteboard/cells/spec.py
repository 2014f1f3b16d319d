"""A cell's gates, declared once: what each is called, where its weights sit, how it squashes.

Each cell module (``whiteboard.cells.rnn``, ``.lstm``, ``.gru``) declares its ``GATES`` as a
tuple of :class:`Gate`.  Everything else that needs the gates derives from those tuples: the
models' gate names and the order of their fused loops (``whiteboard.models``), the lectures'
notation (``whiteboard.notation``), the gate what-ifs (``whiteboard.analysis.whatif``), the
colour ranges of the plots and the gate labels of the whiteboard (``whiteboard.viz``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Gate", "RANGES", "names", "by_name", "rows", "sigmoid_gates"]

# The values an activation can take: a sigmoid gate is a fraction, a tanh a signed amount.
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Gate:
    """One gate (or the candidate) of a cell.

    Attributes:
        name: PyTorch's letter, also the key of ``Trace.gates`` (``"i"``, ``"f"``, ...).
        block: its block k in PyTorch's stacked weights: rows ``k*H:(k+1)*H`` of
            ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0`` and ``bias_hh_l0``.
        activation: ``"sigmoid"`` or ``"tanh"``.
        role: what it does, in words.
        nptel: the suffix of its U, W, b in the lectures' notation (``"o"`` for U_o; ``""``
            for the candidate's plain U, W, b).
        feeds: what its value multiplies into: ``"c"`` (the LSTM's cell state) or ``"h"``.
    """

    name: str
    block: int
    activation: str
    role: str
    nptel: str
    feeds: str = "h"


def names(gates) -> tuple[str, ...]:
    """The gate names in PyTorch's block order."""
    return tuple(g.name for g in sorted(gates, key=lambda g: g.block))


def by_name(gates) -> dict[str, Gate]:
    """``{name: Gate}``."""
    return {g.name: g for g in gates}


def rows(gates, name: str, H: int) -> slice:
    """Gate ``name``'s rows ``k*H:(k+1)*H`` of PyTorch's stacked weights (k its block)."""
    k = by_name(gates)[name].block
    return slice(k * H, (k + 1) * H)


def sigmoid_gates(gates) -> tuple[str, ...]:
    """The names of the gates whose values are fractions (the ones that open and shut)."""
    return tuple(g.name for g in gates if g.activation == "sigmoid")
