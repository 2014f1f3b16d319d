"""The cells: shapes, layout, step-by-step vs whole sequence, float32, stability, NPTEL view."""

import warnings

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.cells.gru import gru_step, gru_step_backward
from whiteboard.cells.lstm import lstm_step, lstm_step_backward
from whiteboard.cells.rnn import rnn_step, rnn_step_backward
from whiteboard.maths import sigmoid, sigmoid_prime, tanh_prime
from whiteboard.notation import gru_step_nptel, lstm_step_nptel, rnn_step_nptel, to_nptel

T, B, D, H = 6, 3, 4, 5
KEYS = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]


def make(kind, **kw):
    return {"rnn": RNN, "lstm": LSTM, "gru": GRU}[kind](D, H, **kw)


def data(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((T, B, D)).astype(dtype),
            rng.standard_normal((B, H)).astype(dtype),
            rng.standard_normal((B, H)).astype(dtype),
            rng.standard_normal((T, B, H)).astype(dtype))


def run(model, X, h0=None, c0=None):
    if model.kind == "lstm":
        return model.forward(X, h0, c0)
    return model.forward(X, h0)


@pytest.mark.parametrize("kind, G, gates", [("rnn", 1, ()), ("lstm", 4, ("i", "f", "g", "o")),
                                            ("gru", 3, ("r", "z", "n"))])
def test_layout_and_trace_shapes(kind, G, gates):
    model = make(kind)
    assert (model.input_size, model.hidden_size, model.dtype) == (D, H, np.float64)
    assert model.gate_names == gates
    sd = model.state_dict()
    assert list(sd) == KEYS
    assert [v.shape for v in sd.values()] == [(G * H, D), (G * H, H), (G * H,), (G * H,)]
    X, h0, c0, dh = data()
    trace = run(model, X, h0, c0)
    assert trace.h.shape == (T, B, H) and trace.x.shape == (T, B, D) and trace.h0.shape == (B, H)
    assert tuple(trace.gates) == gates
    assert all(g.shape == (T, B, H) for g in trace.gates.values())
    assert (trace.c is not None) == (kind == "lstm")
    assert (trace.a is not None) == (kind == "rnn")
    grads = model.backward(trace, dh)
    expected = {**{k: v.shape for k, v in sd.items()}, "x": (T, B, D), "h0": (B, H)}
    if kind == "lstm":
        expected["c0"] = (B, H)
    assert {k: v.shape for k, v in grads.items()} == expected


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_init_is_pytorch_style_and_seeded(kind):
    a, b, c = make(kind, seed=3), make(kind, seed=3), make(kind, seed=4)
    for k in KEYS:
        np.testing.assert_array_equal(a.state_dict()[k], b.state_dict()[k])
        assert np.abs(a.state_dict()[k]).max() <= 1 / np.sqrt(H)
    assert not np.array_equal(a.state_dict()["weight_hh_l0"], c.state_dict()["weight_hh_l0"])
    # No global RNG: building a model leaves numpy's legacy global state alone.
    state = np.random.get_state()[1].copy()
    make(kind, seed=1)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_lstm_forget_bias_sets_the_total_forget_bias():
    model = LSTM(D, H, forget_bias=2.5)
    sd = model.state_dict()
    np.testing.assert_array_equal(sd["bias_ih_l0"][H:2 * H], 2.5)
    np.testing.assert_array_equal(sd["bias_hh_l0"][H:2 * H], 0.0)
    np.testing.assert_array_equal(to_nptel(model)["b_f"], 2.5)
    # The other gates keep the seeded draw of the default model.
    np.testing.assert_array_equal(sd["bias_ih_l0"][:H], LSTM(D, H).state_dict()["bias_ih_l0"][:H])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_parameters_are_live_and_state_dict_copies(kind):
    model = make(kind)
    X = data()[0]
    before = run(model, X).h.copy()
    model.state_dict()["weight_hh_l0"][:] = 0.0  # a copy: no effect
    np.testing.assert_array_equal(run(model, X).h, before)
    model.parameters()["weight_hh_l0"][:] = 0.0  # live: the model changes
    assert not np.allclose(run(model, X).h, before)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_load_state_dict_round_trip_keeps_live_arrays(kind):
    src, dst = make(kind, seed=1), make(kind, seed=2)
    live = dst.parameters()
    dst.load_state_dict({k: v.astype(np.float32) for k, v in src.state_dict().items()})
    for k in KEYS:
        assert dst.parameters()[k] is live[k] and live[k].dtype == np.float64
        np.testing.assert_allclose(live[k], src.state_dict()[k], rtol=1e-7)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_step_by_step_equals_sequence(kind):
    model = make(kind, seed=5)
    p = model.parameters()
    X, h0, c0, dh = data(1)
    trace = run(model, X, h0, c0)
    grads = model.backward(trace, dh, dc_last=c0 if kind == "lstm" else None)
    h, c, caches = h0, c0, []
    for t in range(T):
        if kind == "rnn":
            h, cache = rnn_step(X[t], h, p)
            np.testing.assert_allclose(cache["a"], trace.a[t], atol=1e-14)
        elif kind == "lstm":
            h, c, cache = lstm_step(X[t], h, c, p)
            np.testing.assert_allclose(c, trace.c[t], atol=1e-14)
            for g in "ifgo":
                np.testing.assert_allclose(cache[g], trace.gates[g][t], atol=1e-14)
        else:
            h, cache = gru_step(X[t], h, p)
            for g in "rzn":
                np.testing.assert_allclose(cache[g], trace.gates[g][t], atol=1e-14)
        np.testing.assert_allclose(h, trace.h[t], atol=1e-14)
        caches.append(cache)
    # Backward, step by step: parameter gradients sum over steps, dh and dc flow back.
    total = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next, dc_next = np.zeros((B, H)), c0.copy()
    for t in range(T - 1, -1, -1):
        if kind == "lstm":
            g = lstm_step_backward(dh[t] + dh_next, dc_next, caches[t])
            dc_next = g["c_prev"]
        elif kind == "rnn":
            g = rnn_step_backward(dh[t] + dh_next, caches[t])
        else:
            g = gru_step_backward(dh[t] + dh_next, caches[t])
        dh_next = g["h_prev"]
        np.testing.assert_allclose(g["x"], grads["x"][t], atol=1e-12)
        for k in KEYS:
            total[k] += g[k]
    for k in KEYS:
        np.testing.assert_allclose(total[k], grads[k], atol=1e-12)
    np.testing.assert_allclose(dh_next, grads["h0"], atol=1e-12)
    if kind == "lstm":
        np.testing.assert_allclose(dc_next, grads["c0"], atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_two_dimensional_input_is_a_batch_of_one(kind):
    model = make(kind)
    X, h0, c0, dh = data()
    t2 = run(model, X[:, 0], h0[0], c0[0] if kind == "lstm" else None)
    t3 = run(model, X[:, :1], h0[:1], c0[:1] if kind == "lstm" else None)
    assert t2.h.shape == (T, 1, H) and t2.was_2d
    np.testing.assert_array_equal(t2.h, t3.h)
    g2, g3 = model.backward(t2, dh[:, 0]), model.backward(t3, dh[:, :1])
    for k in g3:
        np.testing.assert_array_equal(g2[k], g3[k])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_states_accept_pytorch_layer_axis(kind):
    model = make(kind)
    X, h0, c0, _ = data()
    a = run(model, X, h0, c0)
    b = run(model, X, h0[None], c0[None] if kind == "lstm" else None)
    np.testing.assert_array_equal(a.h, b.h)
    np.testing.assert_array_equal(a.h_n, a.h[-1])


def test_default_states_are_zero():
    X = data()[0]
    for model in (make("rnn"), make("gru")):
        np.testing.assert_array_equal(model.forward(X).h, model.forward(X, np.zeros((B, H))).h)
    lstm = make("lstm")
    z = np.zeros((B, H))
    np.testing.assert_array_equal(lstm.forward(X).h, lstm.forward(X, z, z).h)
    np.testing.assert_array_equal(lstm.forward(X).c_n, lstm.forward(X, z, z).c[-1])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_end_to_end(kind):
    m64 = make(kind, seed=2)
    m32 = make(kind, seed=2, dtype=np.float32)
    X, h0, c0, dh = data(3)
    t32 = run(m32, X, h0, c0)  # float64 inputs are cast to the model's dtype
    assert t32.h.dtype == np.float32 and t32.x.dtype == np.float32
    assert all(g.dtype == np.float32 for g in t32.gates.values())
    g32 = m32.backward(t32, dh)
    assert all(v.dtype == np.float32 for v in g32.values())
    assert all(v.dtype == np.float32 for v in m32.parameters().values())
    t64 = run(m64, X, h0, c0)
    g64 = m64.backward(t64, dh)
    np.testing.assert_allclose(t32.h, t64.h, atol=1e-5)
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("nonlinearity, f", [
    ("tanh", np.tanh),
    ("relu", lambda a: np.maximum(a, 0)),
    ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
])
def test_rnn_nonlinearities(nonlinearity, f):
    model = RNN(D, H, nonlinearity=nonlinearity)
    trace = model.forward(data()[0])
    np.testing.assert_allclose(trace.h, f(trace.a), atol=1e-15)
    assert repr(model).startswith("RNN(") and nonlinearity in repr(model)


def test_copy_changes_dtype_and_keeps_config():
    lstm = LSTM(D, H, seed=7, forget_bias=1.5)
    twin = lstm.copy(dtype=np.float32)
    assert twin.dtype == np.float32 and twin.forget_bias == 1.5
    np.testing.assert_allclose(twin.state_dict()["weight_hh_l0"],
                               lstm.state_dict()["weight_hh_l0"], rtol=1e-6)
    rnn = RNN(D, H, nonlinearity="relu").copy()
    assert rnn.nonlinearity == "relu"


def test_backward_uses_the_weights_of_its_forward():
    model = make("lstm")
    X, _, _, dh = data()
    trace = model.forward(X)
    before = model.backward(trace, dh)
    model.parameters()["weight_hh_l0"][:] += 1.0  # e.g. an optimiser step in between
    after = model.backward(trace, dh)
    np.testing.assert_array_equal(before["x"], after["x"])


# --- stability -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["rnn", "rnn-relu", "rnn-sigmoid", "lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_long_sequence_and_huge_inputs_stay_finite(kind, dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10_000, 2, 3)) * 1e4
    X[::7] = 1e4  # runs of saturating inputs of both signs
    X[3::7] = -1e4
    if kind.startswith("rnn"):
        model = RNN(3, 4, dtype=dtype, nonlinearity=(kind.split("-") + ["tanh"])[1])
    else:
        model = {"lstm": LSTM, "gru": GRU}[kind](3, 4, dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        trace = model.forward(X)
        grads = model.backward(trace, np.ones_like(trace.h))
    assert np.isfinite(trace.h).all()
    assert all(np.isfinite(g).all() for g in grads.values())


def test_activations_do_not_overflow():
    x = np.array([-1e6, -1e4, -50.0, 0.0, 50.0, 1e4, 1e6])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        s = sigmoid(x)
        ds, dt = sigmoid_prime(x), tanh_prime(x)
        s32 = sigmoid(x.astype(np.float32))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert ((s >= 0) & (s <= 1)).all() and s32.dtype == np.float32
    np.testing.assert_allclose(sigmoid(np.linspace(-30, 30, 61)),
                               1 / (1 + np.exp(-np.linspace(-30, 30, 61))), atol=1e-16)
    assert ds[3] == 0.25 and dt[3] == 1.0 and ds[0] == 0.0 and dt[-1] == 0.0


# --- the NPTEL view --------------------------------------------------------------------------

def test_lstm_step_nptel_equals_lstm_step():
    model = LSTM(D, H, seed=4, forget_bias=1.0)
    X, h, s, _ = data(2)
    P = to_nptel(model)
    assert P["U_o"].shape == (H, D) and P["W_f"].shape == (H, H) and P["b"].shape == (H,)
    for t in range(T):
        h_ref, s_ref, cache = lstm_step(X[t], h, s, model.parameters())
        h, s, gates = lstm_step_nptel(X[t], h, s, P)
        np.testing.assert_allclose(h, h_ref, atol=1e-15)
        np.testing.assert_allclose(s, s_ref, atol=1e-15)
        np.testing.assert_allclose(gates["s_tilde"], cache["g"], atol=1e-15)
        np.testing.assert_allclose(gates["o"], cache["o"], atol=1e-15)


def test_gru_step_nptel_equals_gru_step_with_flipped_gate():
    model = GRU(D, H, seed=4)
    X, s, _, _ = data(2)
    P = to_nptel(model.state_dict())  # a state_dict works as well as a model
    for t in range(T):
        h_ref, cache = gru_step(X[t], s, model.parameters())
        s, gates = gru_step_nptel(X[t], s, P)
        np.testing.assert_allclose(s, h_ref, atol=1e-14)
        np.testing.assert_allclose(gates["i"], 1 - cache["z"], atol=1e-14)  # i_t = 1 - z_t
        np.testing.assert_allclose(gates["o"], cache["r"], atol=1e-15)


def test_rnn_step_nptel_equals_rnn_step():
    model = RNN(D, H, nonlinearity="sigmoid")
    X, s, _, _ = data()
    P = to_nptel(model)
    h_ref, _ = rnn_step(X[0], s, model.parameters(), nonlinearity="sigmoid")
    np.testing.assert_allclose(rnn_step_nptel(X[0], s, P, sigma=sigmoid), h_ref, atol=1e-15)


def test_to_nptel_rejects_what_is_not_a_cell():
    with pytest.raises(TypeError, match="whiteboard model or its state_dict"):
        to_nptel([1, 2, 3])
    with pytest.raises(ValueError, match=r"G = 1 \(RNN\), 3 \(GRU\) or 4 \(LSTM\)"):
        to_nptel({k: np.zeros((2 * H, H)) for k in KEYS})


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_backward_is_repeatable_and_leaves_inputs_alone(kind):
    model = make(kind)
    X, h0, c0, dh = data(4)
    copies = [a.copy() for a in (X, h0, c0, dh)]
    trace = run(model, X, h0, c0)
    h_before = trace.h.copy()
    first = model.backward(trace, dh)
    second = model.backward(trace, dh)
    for k in first:
        np.testing.assert_array_equal(first[k], second[k])
    np.testing.assert_array_equal(trace.h, h_before)
    for original, now in zip(copies, (X, h0, c0, dh), strict=True):
        np.testing.assert_array_equal(original, now)
