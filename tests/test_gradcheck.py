"""Every gradient of every cell against central finite differences (float64)."""

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.models.gradcheck import check_gradients

TOL = 1e-6

CASES = [
    # (model, T, B, D, H, with initial states)
    (lambda: RNN(3, 4, seed=1), 5, 3, 3, 4, True),
    (lambda: RNN(3, 4, seed=2, nonlinearity="sigmoid"), 5, 2, 3, 4, True),
    (lambda: RNN(2, 3, seed=3, nonlinearity="relu"), 4, 3, 2, 3, False),
    (lambda: LSTM(3, 4, seed=1), 5, 3, 3, 4, True),
    (lambda: LSTM(3, 4, seed=2, forget_bias=2.0), 5, 2, 3, 4, False),
    (lambda: LSTM(1, 2, seed=3), 1, 1, 1, 2, True),
    (lambda: GRU(3, 4, seed=1), 5, 3, 3, 4, True),
    (lambda: GRU(2, 3, seed=2), 1, 1, 2, 3, True),
    (lambda: GRU(2, 3, seed=3), 3, 2, 2, 3, False),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_gradients_match_finite_differences(case):
    make, T, B, D, H, with_states = CASES[case]
    model = make()
    rng = np.random.default_rng(case)
    X = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H)) if with_states else None
    c0 = rng.standard_normal((B, H)) if with_states and model.kind == "lstm" else None
    result = check_gradients(model, X, h0, c0)
    expected = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "x", "h0"]
    if model.kind == "lstm":
        expected.append("c0")
    assert list(result.errors) == expected  # every parameter and every input was checked
    assert result.max_rel_error < TOL, str(result)
    assert result.passed(TOL)
    for name in expected:
        assert result.numeric[name].shape == result.analytic[name].shape
        assert np.abs(result.numeric[name]).max() > 0  # the loss really depends on it


def test_float32_model_is_checked_in_float64_and_left_untouched():
    model = LSTM(2, 3, seed=0, dtype=np.float32)
    before = model.state_dict()
    X = np.random.default_rng(0).standard_normal((3, 2, 2))
    result = check_gradients(model, X)
    assert result.max_rel_error < TOL
    assert result.analytic["x"].dtype == np.float64
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
        assert v.dtype == np.float32


class _BrokenGRU(GRU):
    """A GRU whose backward is off by 1e-3 in one entry of weight_hh_l0."""

    def backward(self, trace, dh, dc_last=None):
        grads = super().backward(trace, dh, dc_last)
        grads["weight_hh_l0"][4, 1] += 1e-3
        return grads


def test_a_wrong_gradient_is_caught_and_located():
    X = np.random.default_rng(0).standard_normal((3, 2, 2))
    result = check_gradients(_BrokenGRU(2, 3, seed=0), X)
    assert result.where == ("weight_hh_l0", (4, 1))
    assert result.max_rel_error > 1e-4 and not result.passed()
    assert "weight_hh_l0" in str(result)


def test_gradcheck_rejects_c0_for_models_without_cell():
    with pytest.raises(TypeError, match="c0 is only for the LSTM"):
        check_gradients(RNN(2, 3), np.zeros((2, 1, 2)), c0=np.zeros((1, 3)))
