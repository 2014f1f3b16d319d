"""Bad input gets a clear error naming what was expected, never garbage. One test per case."""

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.checks import (
    as_float_dtype,
    as_sequence,
    check_finite,
    check_nonneg_int,
    check_positive_int,
    check_shape,
)

T, B, D, H = 4, 2, 3, 5
MODELS = [RNN, LSTM, GRU]


def X_ok():
    return np.zeros((T, B, D))


# --- the input sequence X --------------------------------------------------------------------

@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("shape", [(D,), (T, B, D, 1)])
def test_x_of_wrong_rank(cls, shape):
    with pytest.raises(ValueError, match=r"X must have shape \(T, B, D\) or \(T, D\) with D = 3"):
        cls(D, H).forward(np.zeros(shape))


@pytest.mark.parametrize("cls", MODELS)
def test_x_with_wrong_feature_size(cls):
    expected = r"D = 3 features.*\(T, B, 3\) or \(T, 3\); got shape \(4, 2, 7\)"
    with pytest.raises(ValueError, match=expected):
        cls(D, H).forward(np.zeros((T, B, 7)))


@pytest.mark.parametrize("cls", MODELS)
def test_empty_sequence(cls):
    with pytest.raises(ValueError, match=r"empty sequence: T must be >= 1"):
        cls(D, H).forward(np.zeros((0, B, D)))


@pytest.mark.parametrize("cls", MODELS)
def test_empty_batch(cls):
    with pytest.raises(ValueError, match=r"empty batch: B must be >= 1"):
        cls(D, H).forward(np.zeros((T, 0, D)))


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("bad", [
    np.full((T, B, D), "a"),
    np.zeros((T, B, D), dtype=object),
    np.zeros((T, B, D), dtype=complex),
    np.zeros((T, B, D), dtype=bool),
], ids=["str", "object", "complex", "bool"])
def test_x_with_non_numeric_dtype(cls, bad):
    with pytest.raises(TypeError, match=r"X must be a real numeric array \(integer or float"):
        cls(D, H).forward(bad)


def test_x_that_is_not_an_array_at_all():
    with pytest.raises(TypeError, match="X must be a real numeric array"):
        RNN(D, H).forward([[1, 2], [3]])  # ragged


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_x_with_nan_or_inf(cls, value):
    X = X_ok()
    X[2, 1, 0] = value
    with pytest.raises(ValueError, match=r"X must be finite \(no NaN or inf\).*index \(2, 1, 0\)"):
        cls(D, H).forward(X)


def test_integer_x_is_accepted_and_cast():
    trace = LSTM(D, H, dtype=np.float32).forward(np.ones((T, B, D), dtype=np.int64))
    assert trace.x.dtype == np.float32


# --- initial states --------------------------------------------------------------------------

@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("shape", [(B, H + 1), (B + 1, H), (2, B, H), (H,)])
def test_h0_of_wrong_shape(cls, shape):
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\) = \(2, 5\)"):
        cls(D, H).forward(X_ok(), np.zeros(shape))


@pytest.mark.parametrize("shape", [(B, H + 1), (1, B, H - 1), (B * H,)])
def test_c0_of_wrong_shape(shape):
    with pytest.raises(ValueError, match=r"c0 must have shape \(B, H\) = \(2, 5\)"):
        LSTM(D, H).forward(X_ok(), None, np.zeros(shape))


@pytest.mark.parametrize("cls", [RNN, GRU])
def test_c0_given_to_a_model_without_cell_state(cls):
    with pytest.raises(TypeError, match=r"has no cell state: c0 is only for the LSTM"):
        cls(D, H).forward(X_ok(), np.zeros((B, H)), np.zeros((B, H)))


def test_h0_with_nan():
    h0 = np.zeros((B, H))
    h0[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"h0 must be finite"):
        GRU(D, H).forward(X_ok(), h0)


# --- backward --------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("shape", [(T, B, H + 1), (T - 1, B, H), (B, H), (T, B * H)])
def test_dh_whose_shape_does_not_match_the_trace(cls, shape):
    model = cls(D, H)
    trace = model.forward(X_ok())
    with pytest.raises(ValueError, match=r"dh must have shape \(T, B, H\) = \(4, 2, 5\) like"):
        model.backward(trace, np.zeros(shape))


def test_dh_with_nan():
    model = RNN(D, H)
    dh = np.zeros((T, B, H))
    dh[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"dh must be finite"):
        model.backward(model.forward(X_ok()), dh)


def test_trace_from_another_kind_of_model():
    trace = LSTM(D, H).forward(X_ok())
    with pytest.raises(TypeError, match=r"needs the trace returned by its forward"):
        GRU(D, H).backward(trace, np.zeros((T, B, H)))


def test_trace_from_a_model_of_another_size():
    trace = LSTM(D, H + 1).forward(X_ok())
    with pytest.raises(ValueError, match=r"trace has D=3, H=6 but this model has D=3, H=5"):
        LSTM(D, H).backward(trace, np.zeros((T, B, H + 1)))


@pytest.mark.parametrize("cls", [RNN, GRU])
def test_dc_last_given_to_a_model_without_cell_state(cls):
    model = cls(D, H)
    with pytest.raises(TypeError, match=r"dc_last is only for the LSTM"):
        model.backward(model.forward(X_ok()), np.zeros((T, B, H)), np.zeros((B, H)))


def test_dc_last_of_wrong_shape():
    model = LSTM(D, H)
    with pytest.raises(ValueError, match=r"dc_last must have shape \(B, H\) = \(2, 5\)"):
        model.backward(model.forward(X_ok()), np.zeros((T, B, H)), np.zeros((B, H + 1)))


# --- load_state_dict -------------------------------------------------------------------------

@pytest.mark.parametrize("cls", MODELS)
def test_load_state_dict_with_a_missing_key(cls):
    model = cls(D, H)
    state = model.state_dict()
    del state["bias_hh_l0"]
    with pytest.raises(ValueError, match=r"missing key\(s\) \['bias_hh_l0'\]; expected keys"):
        model.load_state_dict(state)


@pytest.mark.parametrize("cls", MODELS)
def test_load_state_dict_with_an_extra_key(cls):
    model = cls(D, H)
    state = dict(model.state_dict(), weight_ih_l1=np.zeros((H, H)))
    with pytest.raises(ValueError, match=r"unexpected key\(s\) \['weight_ih_l1'\]"):
        model.load_state_dict(state)


@pytest.mark.parametrize("cls, G", [(RNN, 1), (LSTM, 4), (GRU, 3)])
def test_load_state_dict_with_a_mis_shaped_key(cls, G):
    model = cls(D, H)
    state = dict(model.state_dict(), weight_hh_l0=np.zeros((G * H, H + 1)))
    expected = rf"state_dict\['weight_hh_l0'\] must have shape \({G * H}, {H}\), got \({G * H}, 6\)"
    with pytest.raises(ValueError, match=expected):
        model.load_state_dict(state)


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_load_state_dict_with_nan_or_inf(cls, value):
    model = cls(D, H)
    before = model.state_dict()
    state = model.state_dict()
    state["bias_ih_l0"][1] = 7.0
    state["weight_ih_l0"][0, 2] = value
    with pytest.raises(ValueError, match=r"state_dict\['weight_ih_l0'\].*must be finite"):
        model.load_state_dict(state)
    # Nothing was written: the check runs on every key before any copy.
    np.testing.assert_array_equal(model.state_dict()["bias_ih_l0"], before["bias_ih_l0"])


def test_load_state_dict_with_something_that_is_not_a_dict():
    with pytest.raises(TypeError, match="state must be a dict of arrays"):
        RNN(D, H).load_state_dict([1, 2, 3])


# --- constructor -----------------------------------------------------------------------------

@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("size, error, message", [
    (0, ValueError, r"input_size must be a positive integer \(>= 1\), got 0"),
    (-3, ValueError, r"input_size must be a positive integer \(>= 1\), got -3"),
    (2.0, TypeError, r"input_size must be a positive integer, got float"),
    (True, TypeError, r"input_size must be a positive integer, got bool"),
])
def test_sizes_must_be_positive_integers(cls, size, error, message):
    with pytest.raises(error, match=message):
        cls(size, H)


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("dtype", [np.float16, np.int32, "complex128"])
def test_unsupported_model_dtype(cls, dtype):
    with pytest.raises(TypeError, match=r"dtype must be np.float32 or np.float64"):
        cls(D, H, dtype=dtype)


def test_unknown_rnn_nonlinearity():
    with pytest.raises(ValueError, match=r"must be one of \['relu', 'sigmoid', 'tanh'\]"):
        RNN(D, H, nonlinearity="softplus")


def test_non_finite_forget_bias():
    with pytest.raises(ValueError, match="forget_bias must be a finite number"):
        LSTM(D, H, forget_bias=float("nan"))


# --- the shared helpers, as the data generators use them for lags ------------------------------

@pytest.mark.parametrize("lag", [-1, -10])
def test_negative_lag(lag):
    expected = rf"lag must be a non-negative integer \(>= 0\), got {lag}$"
    with pytest.raises(ValueError, match=expected):
        check_nonneg_int(lag, "lag")


@pytest.mark.parametrize("lag", [2.5, 3.0, "3", None, False])
def test_non_integer_lag(lag):
    with pytest.raises(TypeError, match=r"lag must be a non-negative integer, got"):
        check_nonneg_int(lag, "lag")


def test_helpers_return_clean_values():
    assert check_nonneg_int(np.int64(0), "lag") == 0
    assert check_positive_int(np.uint8(3), "n") == 3
    assert as_float_dtype("float32") == np.float32
    X3, was_2d = as_sequence(np.ones((T, D), dtype=int), D, np.float64)
    assert X3.shape == (T, 1, D) and was_2d and X3.dtype == np.float64
    with pytest.raises(ValueError, match=r"w must have shape \(2, 2\), got \(3,\)"):
        check_shape(np.zeros(3), (2, 2), "w")
    with pytest.raises(ValueError, match=r"v must be finite .* index \(1,\)"):
        check_finite(np.array([0.0, np.nan]), "v")


# --- from_torch ------------------------------------------------------------------------------

def _torch():
    return pytest.importorskip(
        "torch", reason="torch is not installed; from_torch errors need torch==2.13.0 (CPU)"
    )


@pytest.mark.torch
@pytest.mark.parametrize("cls", MODELS)
def test_from_torch_with_more_than_one_layer(cls):
    torch = _torch()
    module = getattr(torch.nn, cls.__name__)(D, H, num_layers=2)
    with pytest.raises(ValueError, match=r"needs num_layers=1, got num_layers=2"):
        cls.from_torch(module)


@pytest.mark.torch
@pytest.mark.parametrize("cls", MODELS)
def test_from_torch_bidirectional(cls):
    torch = _torch()
    module = getattr(torch.nn, cls.__name__)(D, H, bidirectional=True)
    with pytest.raises(ValueError, match=r"needs a unidirectional module, got bidirectional=True"):
        cls.from_torch(module)


@pytest.mark.torch
def test_from_torch_with_projection():
    torch = _torch()
    with pytest.raises(ValueError, match=r"needs proj_size=0, got proj_size=2"):
        LSTM.from_torch(torch.nn.LSTM(D, H, proj_size=2))


@pytest.mark.torch
@pytest.mark.parametrize("cls", MODELS)
def test_from_torch_with_a_non_recurrent_module(cls):
    torch = _torch()
    with pytest.raises(TypeError, match=rf"expects a torch.nn.{cls.__name__}, got Linear"):
        cls.from_torch(torch.nn.Linear(D, H))


@pytest.mark.torch
def test_from_torch_with_the_wrong_recurrent_class():
    torch = _torch()
    with pytest.raises(TypeError, match=r"LSTM.from_torch expects a torch.nn.LSTM, got GRU"):
        LSTM.from_torch(torch.nn.GRU(D, H))


@pytest.mark.torch
def test_from_torch_with_an_unsupported_dtype():
    torch = _torch()
    with pytest.raises(TypeError, match=r"needs a float32 or float64 module, got torch.float16"):
        RNN.from_torch(torch.nn.RNN(D, H).half())


def test_a_traces_arrays_cannot_be_written_into():
    """A trace's arrays are views of what backward reads: writing one would change a gradient."""
    from whiteboard import LSTM

    lstm = LSTM(3, 4, seed=0)
    trace = lstm.forward(np.ones((5, 2, 3)))
    before = lstm.backward(trace, np.ones((5, 2, 4)))["weight_hh_l0"]
    for name, arr in [("h", trace.h), ("c", trace.c), ("f", trace.gates["f"])]:
        with pytest.raises(ValueError, match="read-only"):
            arr[2] += 1.0
        assert np.isfinite(arr).all(), name
    copy = trace.h.copy()
    copy[2] += 1.0  # a copy is the reader's own
    assert np.array_equal(lstm.backward(trace, np.ones((5, 2, 4)))["weight_hh_l0"], before)


def test_backward_of_a_whatif_trace_names_the_problem():
    from whiteboard import LSTM
    from whiteboard.analysis.whatif import Override, run_whatif

    lstm = LSTM(3, 4, seed=0)
    trace = run_whatif(lstm, np.ones((5, 2, 3)), [Override("f", 0.0, start=2)])
    with pytest.raises(ValueError, match="run_whatif"):
        lstm.backward(trace, np.ones((5, 2, 4)))
