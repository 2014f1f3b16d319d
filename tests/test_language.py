"""The character language model: truncated BPTT against full BPTT and finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.models.gradcheck import numeric_gradient
from whiteboard.training.language import CharLM, State, bits_per_char, char_bits, train_text
from whiteboard.training.text import stream

KINDS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
K, D, H, T, B = 5, 3, 4, 6, 2


def small(kind, embed=True, dtype=np.float64):
    core = KINDS[kind](D if embed else K, H, seed=1, dtype=dtype)
    return CharLM(core, embed_dim=D if embed else None, vocab_size=K, seed=2)


def text(n, seed=0):
    return np.random.default_rng(seed).integers(K, size=(n + 1, B))


def norm_error(a, b):
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


def fd_grads(lm, loss):
    return {k: numeric_gradient(loss, p) for k, p in lm.parameters().items()}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("embed", [True, False])
def test_a_window_that_holds_the_text_is_full_bptt(kind, embed):
    lm, ids = small(kind, embed), text(T)
    x, y = ids[:-1], ids[1:]
    loss, grads, _ = lm.loss_and_grads(x, y)
    fd = fd_grads(lm, lambda: lm.loss_and_grads(x, y)[0])
    assert set(fd) <= set(grads)
    for k in fd:
        assert norm_error(grads[k], fd[k]) < 1e-7, k
    assert loss == pytest.approx(lm.loss_and_grads(x, y, lm.start(B))[0], abs=0)


@pytest.mark.parametrize("kind", KINDS)
def test_carrying_the_state_reads_the_text_as_one_stream(kind):
    lm, ids = small(kind), text(2 * T)
    whole, _, end = lm.loss_and_grads(ids[:-1], ids[1:])
    first, _, mid = lm.loss_and_grads(ids[:T], ids[1 : T + 1])
    second, _, end2 = lm.loss_and_grads(ids[T:-1], ids[T + 1 :], mid)
    assert (first + second) / 2 == pytest.approx(whole, rel=1e-13)
    np.testing.assert_allclose(end2.h, end.h, rtol=0, atol=1e-14)
    if kind == "lstm":
        np.testing.assert_allclose(end2.c, end.c, rtol=0, atol=1e-14)
    else:
        assert end.c is None
    # without the carried state the second window reads another text
    cold = lm.loss_and_grads(ids[T:-1], ids[T + 1 :])[0]
    assert abs(cold - second) > 1e-3


@pytest.mark.parametrize("kind", KINDS)
def test_the_gradient_is_cut_exactly_at_the_window_start(kind):
    lm, ids = small(kind), text(2 * T)
    _, _, mid = lm.loss_and_grads(ids[:T], ids[1 : T + 1])
    x2, y2 = ids[T:-1], ids[T + 1 :]
    _, grads, _ = lm.loss_and_grads(x2, y2, mid)
    # truncated: the carried state is a constant, however the parameters move
    cut = fd_grads(lm, lambda: lm.loss_and_grads(x2, y2, mid)[0])

    # full BPTT: the state at the window start is recomputed from the text's start
    def through():
        _, _, m = lm.loss_and_grads(ids[:T], ids[1 : T + 1])
        return lm.loss_and_grads(x2, y2, m)[0]

    full = fd_grads(lm, through)
    for k in cut:  # (gradients of ~1e-4: central differences resolve about 1e-7 of them)
        assert norm_error(grads[k], cut[k]) < 1e-6, k
    # and what was cut is not nothing: the recurrent weights' full gradient differs
    assert norm_error(grads["weight_hh_l0"], full["weight_hh_l0"]) > 1e-3


def test_the_carried_state_is_a_copy_cut_from_the_trace():
    lm, ids = small("lstm"), text(T)
    _, _, state = lm.loss_and_grads(ids[:-1], ids[1:])
    z, trace = lm.run(ids[:-1])
    np.testing.assert_array_equal(state.h, trace.h[-1])
    assert not np.shares_memory(state.h, trace.h) and not np.shares_memory(state.c, trace.c)
    assert isinstance(State.of(trace), State) and z.shape == (T, B, K)


@pytest.mark.parametrize("kind", KINDS)
def test_char_bits_reads_one_stream_in_chunks(kind):
    lm = small(kind)
    ids = text(40)[:, 0]
    bits, right = char_bits(lm, ids, chunk=7)
    whole, _ = char_bits(lm, ids, chunk=1000)
    np.testing.assert_allclose(bits, whole, rtol=1e-12)
    loss, _, _ = lm.loss_and_grads(ids[:-1, None], ids[1:, None])
    assert bits_per_char(lm, ids) == pytest.approx(loss / math.log(2), rel=1e-12)
    assert bits.shape == right.shape == (40,)


def test_the_model_checks_its_input_size():
    with pytest.raises(ValueError, match="input_size is 4.*embedding of size 3"):
        CharLM(LSTM(4, 2), embed_dim=3, vocab_size=K)
    with pytest.raises(ValueError, match="one-hot of size 96"):
        CharLM(LSTM(4, 2))


@pytest.mark.parametrize("kind", KINDS)
def test_training_learns_a_repeating_text_in_float32(kind):
    lm = small(kind, dtype=np.float32)
    ids = np.tile(np.array([0, 1, 2, 3, 4, 2, 1]), 60)
    before = bits_per_char(lm, ids)
    hist = train_text(lm, stream(ids, batch=4, window=8, rng=0), steps=150, lr=0.03,
                      eval_ids=ids[:50], eval_every=50)
    assert lm.parameters()["V"].dtype == np.float32
    assert hist["eval_step"] == [50, 100, 150] and hist["steps_run"] == 150
    assert bits_per_char(lm, ids) < 0.5 < before
    assert lm.history is hist
