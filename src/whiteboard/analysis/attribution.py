"""Which word moved the answer: the gradient of the chosen class's logit with respect to each word.

For one story of token ids and a class y (say the language the network answers),
word t's attribution is the size of the gradient of the answer's logit z_y,

    z = V h_T + c,    attribution_t = ‖∂z_y / ∂x_t‖₂   for every word t = 1..T,

where x_t is the word's input vector: its embedding row E[token_t] for a network that learned
one, its one-hot vector otherwise. A word the answer does not depend on gets 0; the country of
a story that a network remembers gets a large value, and one that it has forgotten a value
that vanishes with the distance to the end. This is the "Why this answer" view of the
playground (``viz/js/network.js``'s ``wbAttribution``, tested equal to this to 1e-9).
"""

from __future__ import annotations

import numpy as np

from whiteboard.checks import check_index, check_nonneg_int

__all__ = ["word_attribution"]


def word_attribution(net, ids, target: int) -> np.ndarray:
    """``‖∂z_target/∂x_t‖`` for every word t of one story: how much each word moved the answer.

    Args:
        net: a :class:`whiteboard.training.network.SequenceModel` that reads tokens (made
            with ``vocab_size``, one-hot or embedded), e.g. ``pretrained.load("story_lstm")``.
        ids: (T,) token ids of the story, T >= 1 (``encode_story`` makes them from text).
        target: the class y whose logit z_y is differentiated, in 0..K-1 (e.g. the index of
            the language in ``LANGUAGES``).

    Returns:
        (T,) float64: attribution_t = ‖∂z_y/∂x_t‖₂, x_t the word's input vector (D numbers).

    Raises:
        TypeError: ``net`` does not read tokens, an id or ``target`` is not an integer.
        ValueError: no ids, an id outside the vocabulary, ``target`` outside 0..K-1.
    """
    vocab = getattr(net, "vocab_size", None)
    if vocab is None or not hasattr(net, "core") or not hasattr(net, "readout"):
        raise TypeError("net must be a SequenceModel that reads token ids (made with "
                        f"vocab_size), got {type(net).__name__}")
    ids = [check_nonneg_int(i, f"ids[{k}]") for k, i in enumerate(np.asarray(ids).tolist())]
    if not ids:
        raise ValueError("ids must hold at least one token id")
    if max(ids) >= vocab:
        raise ValueError(f"ids must be token ids in 0..{vocab - 1}, got {max(ids)}")
    V = net.readout.V
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool) and \
            not 0 <= target < V.shape[0]:
        raise ValueError(f"target must be a class in 0..{V.shape[0] - 1}, got {target}")
    target = check_index(target, V.shape[0], "target")
    trace = net.core.forward(net.inputs(np.asarray(ids, dtype=np.int64)[:, None]))
    dh = np.zeros(trace.h.shape)
    dh[-1, 0] = V[target]  # ∂z_y/∂h_T; nothing else reads the states
    return np.linalg.norm(net.core.backward(trace, dh)["x"][:, 0], axis=-1)
