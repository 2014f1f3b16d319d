"""The gradient split by reach: equal to the training gradient and to finite differences."""

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.reach import mechanism, reach_gradients
from whiteboard.cells.lstm import lstm_step
from whiteboard.cells.rnn import rnn_step
from whiteboard.training.network import SequenceModel, cross_entropy

T, B, D, H, K = 7, 3, 2, 3, 4


def _net(kind, **kwargs):
    core = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[kind](D, H, seed=1, **kwargs)
    return SequenceModel(core, K, seed=2)


def _data():
    rng = np.random.default_rng(5)
    return rng.standard_normal((T, B, D)), rng.integers(K, size=B)


@pytest.mark.parametrize("kind, kwargs", [("rnn", {}), ("rnn", {"nonlinearity": "relu",
                                                                "init": "identity"}),
                                          ("lstm", {"forget_bias": 1.0}), ("gru", {})])
def test_the_terms_add_up_to_the_training_gradient(kind, kwargs):
    net = _net(kind, **kwargs)
    x, y = _data()
    g = reach_gradients(net, x, y)
    loss, grads, _ = net.loss_and_grads(x, y)
    assert g["loss"] == pytest.approx(loss, abs=1e-12)
    np.testing.assert_allclose(g["W"].sum(axis=0), grads["weight_hh_l0"], atol=1e-12)
    trace_loss = net.core.forward(x)
    dh = np.zeros_like(trace_loss.h)
    dz = cross_entropy(net.readout.forward(trace_loss.h[-1]), y)[1]
    dh[-1] = net.readout.backward(trace_loss.h[-1], dz)["h"]
    np.testing.assert_allclose(g["x"], net.core.backward(trace_loss, dh)["x"], atol=1e-12)


def _loss_two_weights(net, x, y, W_far, W_near, far):
    """The loss when the steps whose terms reach ``far`` or more use W_far, the rest W_near."""
    p = dict(net.core.parameters())
    h = np.zeros((B, H))
    c = np.zeros((B, H))
    for t in range(T):
        p["weight_hh_l0"] = W_far if T - 1 - t >= far else W_near
        if net.core.kind == "lstm":
            h, c, _ = lstm_step(x[t], h, c, p)
        else:
            h, _ = rnn_step(x[t], h, p, net.core.nonlinearity)
    return cross_entropy(net.readout.forward(h), y)[0]


def _numeric(f, A, eps=1e-6):
    out = np.zeros_like(A)
    for idx in np.ndindex(A.shape):
        E = np.zeros_like(A)
        E[idx] = eps
        out[idx] = (f(A + E) - f(A - E)) / (2 * eps)
    return out


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_mechanism_equals_finite_differences(kind):
    net = _net(kind)
    x, y = _data()
    lag, far = 4, 3
    m = mechanism(net, x, y, lag, far=far)
    W = net.core.parameters()["weight_hh_l0"].copy()

    def loss_of_x(X):
        return cross_entropy(net.forward(X)[0], y)[0]

    def input_grad(t):
        def at(v):
            X = x.copy()
            X[t] = v
            return loss_of_x(X)
        return _numeric(at, x[t].copy())

    ratio = np.linalg.norm(input_grad(T - 1 - lag)) / np.linalg.norm(input_grad(T - 1))
    g_far = _numeric(lambda A: _loss_two_weights(net, x, y, A, W, far), W.copy())
    g_near = _numeric(lambda A: _loss_two_weights(net, x, y, W, A, far), W.copy())
    share = np.linalg.norm(g_far) / (np.linalg.norm(g_far) + np.linalg.norm(g_near))
    assert m["input_ratio"] == pytest.approx(ratio, rel=1e-6)
    assert m["far_share"] == pytest.approx(share, rel=1e-6)
    assert m["reach"].shape == (T,)


def test_mechanism_checks_its_arguments():
    net = _net("rnn")
    x, y = _data()
    with pytest.raises(ValueError, match="lag must lie in 1..6"):
        mechanism(net, x, y, 7)
    with pytest.raises(ValueError, match="far must be a positive integer"):
        mechanism(net, x, y, 3, far=0)
    with pytest.raises(TypeError, match="SequenceModel"):
        reach_gradients(net.core, x, y)


# ---------------------------------------------------------------------------- during training


def test_tracking_measures_without_changing_the_runs():
    from whiteboard.training.experiments import RunSpec, Setup, probe_set, train_and_test
    from whiteboard.training.tracking import train_and_track

    setup = Setup(hidden=6, embed=6, steps=30, eval_every=10, val_size=32, test_size=64)
    runs = [RunSpec("story", m, 12, s, 0.03, setup) for m in ("rnn", "lstm") for s in (0, 1)]
    tracked = train_and_track(runs, probe_size=16)
    plain, nets = train_and_test(runs, return_nets=True)
    probe = probe_set("story", 12, 16)
    for t, p, net in zip(tracked, plain, nets, strict=True):
        track = t.pop("track")
        assert {**t, "seconds": 0} == {**p, "seconds": 0}
        assert track["step"] == [0, 10, 20, 30]
        last = mechanism(net, probe.x, probe.y, 12)  # the trained network, at the end
        assert track["input_ratio"][-1] == pytest.approx(last["input_ratio"], rel=1e-3)
        assert track["far_share"][-1] == pytest.approx(last["far_share"], rel=1e-3)
        assert all(0 <= s <= 1 for s in track["far_share"])
