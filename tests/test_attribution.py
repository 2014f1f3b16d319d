"""word_attribution: the gradient of one logit with respect to each word's input vector."""

from __future__ import annotations

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.attribution import word_attribution
from whiteboard.training.network import SequenceModel

CORES = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def _net(kind, embed):
    core = CORES[kind](4 if embed else 9, 5, seed=2)
    return SequenceModel(core, 3, vocab_size=9, embed_dim=4 if embed else None, seed=2)


@pytest.mark.parametrize("embed", [True, False], ids=["embedded", "one-hot"])
@pytest.mark.parametrize("kind", CORES)
def test_it_is_the_norm_of_the_finite_difference_gradient(kind, embed):
    net, ids, k = _net(kind, embed), np.array([3, 1, 4, 1, 5, 8]), 2
    X = net.inputs(ids[:, None])

    def logit(x):
        return net.readout.forward(net.core.forward(x).h[-1])[0, k]

    grad = np.zeros_like(X)
    for idx in np.ndindex(*X.shape):
        step = np.zeros_like(X)
        step[idx] = 1e-6
        grad[idx] = (logit(X + step) - logit(X - step)) / 2e-6
    want = np.linalg.norm(grad[:, 0], axis=-1)
    np.testing.assert_allclose(word_attribution(net, ids, k), want, rtol=1e-6, atol=1e-9)


def test_a_word_after_the_last_has_no_say_and_the_last_word_has_some():
    net = _net("lstm", True)
    a = word_attribution(net, [1, 2, 3], 0)
    assert a.shape == (3,) and np.all(a >= 0) and a[-1] > 0


@pytest.mark.parametrize("call, error, match", [
    (lambda n: word_attribution(n.core, [1], 0), TypeError, "SequenceModel that reads token"),
    (lambda n: word_attribution(n, [], 0), ValueError, "at least one token id"),
    (lambda n: word_attribution(n, [1, 9], 0), ValueError, r"token ids in 0\.\.8, got 9"),
    (lambda n: word_attribution(n, [1, -1], 0), ValueError, "ids\\[1\\] must be a non-negative"),
    (lambda n: word_attribution(n, [1.5], 0), TypeError, "ids\\[0\\] must be a non-negative"),
    (lambda n: word_attribution(n, [1], 3), ValueError, "target must be a class in 0..2, got 3"),
    (lambda n: word_attribution(n, [1], -1), ValueError, "target must be a class in 0..2"),
    (lambda n: word_attribution(n, [1], "French"), TypeError, "target must be an integer"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call(_net("rnn", True))
