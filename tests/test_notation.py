"""whiteboard.notation: the lectures' names for the weights, back and forth, and their habits."""

from __future__ import annotations

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.notation import HABITS, from_nptel, gate_habits, to_nptel

D, H = 3, 4


@pytest.mark.parametrize("make", [lambda: RNN(D, H, seed=1), lambda: LSTM(D, H, seed=1),
                                  lambda: GRU(D, H, seed=1)])
def test_from_nptel_is_the_inverse_of_to_nptel(make):
    model = make()
    P = to_nptel(model)
    back = to_nptel(from_nptel(P))
    assert back.keys() == P.keys()
    for name in P:
        np.testing.assert_allclose(back[name], P[name], atol=1e-15)
    # the stacked weights run the same cell (the biases are summed into one of the two)
    twin = make()
    twin.load_state_dict(from_nptel(P))
    X = np.random.default_rng(0).standard_normal((5, 2, D))
    np.testing.assert_allclose(twin.forward(X).h, model.forward(X).h, atol=1e-14)


def test_from_nptel_puts_each_lstm_gate_in_its_block():
    P = {f"{m}_{k}" if k else m: np.full(shape, float(n + 1))
         for n, k in enumerate(("o", "i", "f", ""))
         for m, shape in (("U", (H, D)), ("W", (H, H)), ("b", (H,)))}
    sd = from_nptel(P)
    # PyTorch stacks i, f, g, o: the lectures' o (4) is the last block, the candidate (""
    # suffix, 4th in P) the third
    blocks = sd["weight_ih_l0"].reshape(4, H, D)[:, 0, 0]
    assert blocks.tolist() == [2.0, 3.0, 4.0, 1.0]
    assert not sd["bias_hh_l0"].any()


def test_from_nptel_flips_the_gru_update_gate_back():
    model = GRU(D, H, seed=2)
    sd = from_nptel(to_nptel(model))
    for key, value in model.state_dict().items():
        if key.startswith("weight"):
            np.testing.assert_allclose(sd[key], value, atol=1e-15)


@pytest.mark.parametrize("P, error, message", [
    ([1, 2], TypeError, "P must map the lectures' names"),
    ({"U_o": np.zeros((H, D)), "U_i": np.zeros((H, D)), "U_f": np.zeros((H, D))}, ValueError,
     r"P of an LSTM needs U_o, W_o, b_o, U_i, .*missing W_o"),
    ({"U": np.zeros((H, D)), "W": np.zeros((H, H + 1)), "b": np.zeros(H)}, ValueError,
     r"W must have shape \(4, 4\)"),
])
def test_from_nptel_names_what_is_wrong(P, error, message):
    with pytest.raises(error, match=message):
        from_nptel(P)


def test_the_habits_are_the_lectures():
    # selective write = output gate, read = input gate, forget = forget gate (issue 20)
    assert HABITS["lstm"] == {"write": "o", "read": "i", "forget": "f"}
    assert list(HABITS["lstm"]) == ["write", "read", "forget"]  # the lectures' order
    assert gate_habits("lstm")["o"] == "selective write"
