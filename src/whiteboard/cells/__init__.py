"""The three cells as the book writes them: readable step functions and their backward.

``whiteboard.cells.rnn``, ``.lstm`` and ``.gru`` each hold ``X_step(...)``,
``X_step_backward(...)`` and ``GATES``, the cell's gate spec (:mod:`whiteboard.cells.spec`);
:data:`CELL_GATES` maps each kind to its ``GATES``.
The whole-sequence models in :mod:`whiteboard.models` are tested equal to these steps.
"""

from whiteboard.cells import gru, lstm, rnn

# kind -> the cell's gate spec (its GATES), in PyTorch's block order
CELL_GATES = {"rnn": rnn.GATES, "lstm": lstm.GATES, "gru": gru.GATES}

__all__ = ["CELL_GATES"]
