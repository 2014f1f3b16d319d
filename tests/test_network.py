"""The network and its training: read-out, losses and embedding by central differences, the
optimisers (one network or a stack along a model axis), and the loop."""

import math

import numpy as np
import pytest

from whiteboard.maths import log_softmax, one_hot, softmax
from whiteboard.models.gradcheck import numeric_gradient
from whiteboard.training.loop import evaluate, train
from whiteboard.training.network import Embedding, Readout, SequenceModel, cross_entropy, mse
from whiteboard.training.optim import SGD, Adam, clip_grad_norm, global_norm


def rel_error(a, b):
    """Worst entry-wise relative error (for small, well-scaled problems)."""
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def norm_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖): robust to entries that are tiny next to the rest."""
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


# ---------------------------------------------------------------------------- losses


def test_softmax_is_stable_and_normalised():
    z = np.array([[1000.0, 0.0, -1000.0], [1e-3, 2e-3, 3e-3]])
    p = softmax(z)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(log_softmax(z)[0, 0], 0.0)


def test_cross_entropy_value():
    z = np.zeros((2, 4))
    loss, _ = cross_entropy(z, np.array([0, 3]))
    assert loss == pytest.approx(math.log(4))


def test_cross_entropy_gradient():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 7))
    y = rng.integers(7, size=5)
    _, dz = cross_entropy(z, y)
    assert rel_error(dz, numeric_gradient(lambda: cross_entropy(z, y)[0], z)) < 1e-7


def test_mse_gradient():
    rng = np.random.default_rng(1)
    pred = rng.standard_normal((6, 1))
    y = rng.standard_normal(6)
    _, dp = mse(pred, y)
    assert rel_error(dp, numeric_gradient(lambda: mse(pred, y)[0], pred)) < 1e-7


@pytest.mark.parametrize("loss_fn", [cross_entropy, mse])
def test_readout_and_loss_gradients(loss_fn):
    rng = np.random.default_rng(2)
    B, H = 4, 5
    K = 3 if loss_fn is cross_entropy else 1
    readout = Readout(H, K, seed=3)
    h = rng.standard_normal((B, H))
    y = rng.integers(K, size=B) if loss_fn is cross_entropy else rng.standard_normal(B)

    def f():
        return loss_fn(readout.forward(h), y)[0]

    _, dz = loss_fn(readout.forward(h), y)
    grads = readout.backward(h, dz)
    for name, arr in [("V", readout.V), ("c", readout.c), ("h", h)]:
        assert rel_error(grads[name], numeric_gradient(f, arr)) < 1e-7, name


def test_embedding_gradient_with_repeated_tokens():
    emb = Embedding(6, 3, seed=0)
    tokens = np.array([[1, 1], [2, 1], [5, 1]])  # token 1 appears four times
    w = np.random.default_rng(0).standard_normal((3, 2, 3))

    def f():
        return float(np.sum(emb.forward(tokens) * w))

    grad = emb.backward(tokens, w)["E"]
    assert rel_error(grad, numeric_gradient(f, emb.E)) < 1e-7


def test_one_hot():
    out = one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.argmax(-1), [[0, 2], [1, 1]])
    np.testing.assert_array_equal(out.sum(-1), 1)
    with pytest.raises(ValueError, match="0..2"):
        one_hot(np.array([[3]]), 3)
    with pytest.raises(TypeError, match="integer"):
        one_hot(np.array([[0.5]]), 3)


def test_loss_bad_targets():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="0..2"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(TypeError, match="integers"):
        cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


# ---------------------------------------------------------------------------- optimisers


def test_sgd_step():
    p = {"w": np.array([1.0, -2.0])}
    SGD(p, lr=0.5).step({"w": np.array([2.0, 2.0])})
    np.testing.assert_allclose(p["w"], [0.0, -3.0])


def test_sgd_momentum():
    p = {"w": np.array([0.0])}
    opt = SGD(p, lr=1.0, momentum=0.5)
    opt.step({"w": np.array([1.0])})
    opt.step({"w": np.array([1.0])})
    np.testing.assert_allclose(p["w"], [-(1.0 + 1.5)])


def test_adam_matches_textbook_formula():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(4)
    p = {"w": w.copy()}
    opt = Adam(p, lr=0.01, betas=(0.8, 0.9), eps=1e-3)
    m = v = np.zeros(4)
    for t in range(1, 6):
        g = rng.standard_normal(4)
        opt.step({"w": g.copy(), "x": np.zeros(1)})  # extra keys are ignored
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        w = w - 0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-3)
    np.testing.assert_allclose(p["w"], w, rtol=1e-12)


def test_optimiser_updates_live_arrays():
    w = np.ones(3)
    Adam({"w": w}, lr=0.1).step({"w": np.ones(3)})
    assert (w < 1).all()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"lr": 0.0}, ValueError, "lr must be > 0"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"lr": float("nan")}, TypeError, "lr must be a finite"),
        ({"lr": "0.1"}, TypeError, "lr"),
        ({"betas": (0.9, 1.0)}, ValueError, r"betas\[1\] must be < 1"),
    ],
)
def test_adam_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        Adam({"w": np.zeros(2)}, **kwargs)


def test_optimiser_bad_grads():
    opt = SGD({"w": np.zeros(2)}, lr=0.1)
    with pytest.raises(ValueError, match="missing"):
        opt.step({})
    with pytest.raises(ValueError, match=r"expected \(2,\)"):
        opt.step({"w": np.zeros(3)})
    with pytest.raises(TypeError, match="non-empty dict"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="floating"):
        SGD({"w": np.zeros(2, dtype=int)}, lr=0.1)


def test_clip_grad_norm_global():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]]), "x": np.array([100.0])}
    norm = clip_grad_norm(g, 1.0, keys=["a", "b"])
    assert norm == pytest.approx(5.0)
    assert global_norm(g, ["a", "b"]) == pytest.approx(1.0)
    np.testing.assert_allclose(g["a"], [0.6, 0.0])  # direction kept
    np.testing.assert_allclose(g["x"], [100.0])  # keys not listed are left alone
    small = {"a": np.array([0.1])}
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.1)
    np.testing.assert_allclose(small["a"], [0.1])
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm(small, 0.0)


# ---------------------------------------------------------------------------- the whole network


def _network(kind, loss, embed_dim=None):
    from whiteboard import LSTM, RNN

    V, H = 5, 3
    D = embed_dim or V
    if loss == "mse":
        D = 2
    core = RNN(D, H, seed=1) if kind == "rnn" else LSTM(D, H, seed=1, forget_bias=1.0)
    if loss == "mse":
        return SequenceModel(core, 1, loss="mse", seed=2)
    return SequenceModel(core, 4, vocab_size=V, embed_dim=embed_dim, seed=2)


@pytest.mark.parametrize(
    "kind, loss, embed_dim",
    [("rnn", "cross_entropy", None), ("lstm", "cross_entropy", None),
     ("lstm", "cross_entropy", 2), ("rnn", "mse", None), ("lstm", "mse", None)],
)
def test_network_gradients_by_central_differences(kind, loss, embed_dim):
    """Readout, loss, embedding and the core's BPTT together match finite differences."""
    rng = np.random.default_rng(0)
    net = _network(kind, loss, embed_dim)
    T, B = 4, 3
    if loss == "mse":
        x, y = rng.uniform(-1, 1, (T, B, 2)), rng.uniform(0, 1, B)
    else:
        x, y = rng.integers(5, size=(T, B)), rng.integers(4, size=B)
    _, grads, _ = net.loss_and_grads(x, y)
    params = net.parameters()
    assert set(grads) >= set(params)
    for name, p in params.items():
        num = numeric_gradient(lambda: net.loss_and_grads(x, y)[0], p, eps=1e-5)
        assert norm_error(grads[name], num) < 1e-7, name


def test_train_learns_a_short_story_lag_and_is_seeded():
    from whiteboard import LSTM
    from whiteboard.training.story import LANGUAGES, make_stories, story_vocab

    V = len(story_vocab())

    def fit():
        net = SequenceModel(LSTM(V, 8, seed=0, forget_bias=1.0), len(LANGUAGES),
                            vocab_size=V, seed=0)
        val = make_stories(128, 3, rng=99)
        hist = train(net, lambda rng: make_stories(16, 3, rng=rng), steps=150, lr=0.03,
                     seed=5, eval_batch=val, eval_every=50, quiet=True)
        return net, hist

    net, hist = fit()
    assert hist["steps_run"] == 150 and len(hist["loss"]) == 150
    assert hist["eval_step"] == [50, 100, 150]
    assert hist["loss"][-1] < hist["loss"][0]
    assert evaluate(net, make_stories(200, 3, rng=7))["accuracy"] > 0.9
    _, again = fit()
    assert again["loss"] == hist["loss"]  # same seed, same numbers


def test_train_stops_early_and_clips():
    from whiteboard import RNN

    net = SequenceModel(RNN(2, 4, seed=0), 1, loss="mse", seed=0)
    from whiteboard.training.memory_tasks import make_adding

    val = make_adding(16, 2, rng=1)
    hist = train(net, lambda rng: make_adding(8, 2, rng=rng), steps=50, lr=1e-3, clip=1e-3,
                 eval_batch=val, eval_every=10, stop_at=0.0, quiet=True)
    assert hist["steps_run"] == 10  # accuracy >= 0 at the first evaluation
    assert max(hist["grad_norm"]) > 1e-3  # norms are logged before clipping


def test_train_progress_bar_is_silent_when_quiet(capsys):
    from whiteboard import RNN

    net = SequenceModel(RNN(2, 3, seed=0), 1, loss="mse", seed=0)
    from whiteboard.training.memory_tasks import make_adding

    train(net, lambda rng: make_adding(4, 2, rng=rng), steps=3, lr=1e-3, quiet=True)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    train(net, lambda rng: make_adding(4, 2, rng=rng), steps=3, lr=1e-3, quiet=False)
    assert capsys.readouterr().out == ""  # the bar never writes to stdout


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"steps": 0}, ValueError, "steps must be a positive integer"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be"),
        ({"lr": -1.0}, ValueError, "lr must be > 0"),
        ({"seed": -3}, TypeError, "each seed must be"),
    ],
)
def test_train_bad_settings(kwargs, error, message):
    from whiteboard import RNN

    net = SequenceModel(RNN(2, 3, seed=0), 1, loss="mse", seed=0)
    from whiteboard.training.memory_tasks import make_adding

    settings = {"steps": 2, "lr": 1e-3, **kwargs}
    with pytest.raises(error, match=message):
        train(net, lambda rng: make_adding(4, 2, rng=rng), quiet=True, **settings)


def test_sequence_model_bad_settings():
    from whiteboard import RNN

    with pytest.raises(ValueError, match="loss must be"):
        SequenceModel(RNN(2, 3), 1, loss="hinge")
    with pytest.raises(ValueError, match="embed_dim needs vocab_size"):
        SequenceModel(RNN(2, 3), 1, embed_dim=2)
