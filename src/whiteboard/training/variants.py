"""The models an experiment can train, by name: a core, its arguments, its size and schedule.

Every name is trained with the same recipe (:class:`whiteboard.training.experiments.Setup`)
and gets its own learning-rate search, except an ablation, which borrows its parent's rate:

=================== ==========================================================================
``rnn``             tanh RNN, PyTorch's uniform initialisation
``rnn_orth``        tanh RNN whose W starts orthogonal (Saxe et al. 2014; Henaff et al. 2016)
``irnn``            ReLU RNN with W = I, zero biases, small input weights (Le et al. 2015)
``rnn_wide``        tanh RNN with as many parameters as the LSTM of the same setup
``rnn_curriculum``  ``rnn`` trained on a curriculum: gaps growing from 5 to the target lag
``lstm``            LSTM whose forget-gate bias starts at ``Setup.forget_bias``
``lstm_fb0``        ablation: ``lstm`` with forget-gate bias 0 and ``lstm``'s learning rate
``lstm_curriculum`` ``lstm`` trained on the curriculum
``gru``             GRU, PyTorch's initialisation
=================== ==========================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from whiteboard.cells import CELL_GATES

__all__ = ["ModelSpec", "MODELS", "model_spec", "hidden_size", "count_parameters",
           "CURRICULUM_START"]

CURRICULUM_START = 5  # the gap a curriculum begins with (lag 5 is solved by every model)


@dataclass(frozen=True)
class ModelSpec:
    """What a model name means.

    Attributes:
        cls: ``"RNN"``, ``"LSTM"`` or ``"GRU"``, the core's class in ``whiteboard``.
        kwargs: the core's keyword arguments (an LSTM not given ``forget_bias`` starts with
            ``Setup.forget_bias``).
        about: one line for ``--help`` and the result's ``models`` table.
        lr_from: the model whose searched learning rate this one uses (an ablation), or None.
        wide: pick H so that the network has as many parameters as the LSTM with the
            setup's H (:func:`hidden_size`); else H is the setup's.
        curriculum: train on gaps growing from :data:`CURRICULUM_START` to the target lag
            (:func:`whiteboard.training.experiments.curriculum_lag`).
    """

    cls: str
    kwargs: dict = field(default_factory=dict)
    about: str = ""
    lr_from: str | None = None
    wide: bool = False
    curriculum: bool = False


_TANH = {"nonlinearity": "tanh"}
MODELS = {
    "rnn": ModelSpec("RNN", _TANH, "tanh RNN, PyTorch's uniform initialisation"),
    "rnn_orth": ModelSpec("RNN", {**_TANH, "init": "orthogonal"},
                          "tanh RNN, orthogonal recurrent weights"),
    "irnn": ModelSpec("RNN", {"nonlinearity": "relu", "init": "identity"},
                      "ReLU RNN, identity recurrent weights (Le et al. 2015)"),
    "rnn_wide": ModelSpec("RNN", _TANH, "tanh RNN with the LSTM's parameter count", wide=True),
    "rnn_curriculum": ModelSpec("RNN", _TANH, "tanh RNN, gaps growing from 5 to the lag",
                                curriculum=True),
    "lstm": ModelSpec("LSTM", {}, "LSTM, forget-gate bias Setup.forget_bias"),
    "lstm_fb0": ModelSpec("LSTM", {"forget_bias": 0.0}, "the LSTM with forget-gate bias 0",
                          lr_from="lstm"),
    "lstm_curriculum": ModelSpec("LSTM", {}, "LSTM, gaps growing from 5 to the lag",
                                 curriculum=True),
    "gru": ModelSpec("GRU", {}, "GRU, PyTorch's initialisation"),
}

def model_spec(name) -> ModelSpec:
    """The :class:`ModelSpec` of ``name``; ValueError naming every known model otherwise."""
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    return MODELS[name]


def count_parameters(cls: str, input_size: int, hidden: int, out_size: int) -> int:
    """Trained parameters of a core of class ``cls`` and its read-out (the inputs aside).

    A core with G blocks (1 RNN, 3 GRU, 4 LSTM) has G·H·(D + H + 2) (PyTorch keeps two
    biases), the read-out K·H + K.
    """
    return _blocks(cls) * hidden * (input_size + hidden + 2) + out_size * (hidden + 1)


def _blocks(cls: str) -> int:
    """G, the blocks of a core's stacked weights: one per gate of its spec (the RNN's one)."""
    return max(1, len(CELL_GATES[cls.lower()]))


def hidden_size(name: str, hidden: int, input_size: int, out_size: int) -> int:
    """H of model ``name`` in a setup whose models have ``hidden`` units.

    A ``wide`` model gets the H whose core and read-out have the count closest to the LSTM's
    with ``hidden`` units (the embedding is the same for every model, so it is left out).
    For D = 16, H = 16 and 8 classes that is H = 37: 2339 parameters against the LSTM's 2312.
    """
    spec = model_spec(name)
    if not spec.wide:
        return hidden
    target = count_parameters("LSTM", input_size, hidden, out_size)
    G = _blocks(spec.cls)
    # G·H² + (G·(D + 2) + K)·H + K = target, solved for H, then the nearest of its neighbours
    a, b = G, G * (input_size + 2) + out_size
    guess = (-b + math.sqrt(b * b + 4 * a * (target - out_size))) / (2 * a)
    candidates = {max(1, math.floor(guess)), math.ceil(guess)}
    return min(sorted(candidates), key=lambda H: abs(
        count_parameters(spec.cls, input_size, H, out_size) - target))
