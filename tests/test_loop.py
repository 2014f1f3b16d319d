"""The one training loop: a network trained in a stack is the network trained alone.

:func:`whiteboard.training.loop.train_stack` trains M networks side by side through the fused
loop (:mod:`whiteboard.models.engine`); :func:`train` is a stack of one.  A network trained
alone must be the textbook loop written out by hand (draw a batch, gradients, clip, Adam),
and a network trained in a stack must be the one trained alone, to the last bit; a network
that stops must not change afterwards.
"""

import numpy as np
import pytest

from whiteboard.models import engine
from whiteboard.models.gru import GRUMaths
from whiteboard.models.lstm import LSTMMaths
from whiteboard.models.rnn import RNNMaths
from whiteboard.training.experiments import (
    RunSpec,
    Setup,
    _held_out,
    build,
    task_of,
    train_and_test,
)
from whiteboard.training.loop import train, train_stack
from whiteboard.training.network import NetworkStack
from whiteboard.training.optim import SGD, Adam, clip_grad_norm

LAG = 6


def _batches(task, lag=LAG, batch=16):
    t = task_of(task)
    return lambda rng: t.make(batch, lag, rng=rng)


def _max_diff(a, b):
    pa, pb = a.parameters(), b.parameters()
    assert pa.keys() == pb.keys()
    return max(float(np.max(np.abs(pa[k] - pb[k]))) for k in pa)


# (task, model, seed, lr, setup): one-hot and embedded tokens, real-valued inputs (the adding
# problem, a regression), every cell, two forget biases and several learning rates
ONE_HOT = Setup(hidden=8, embed=None)
EMBED = Setup(hidden=8, embed=6)
RUNS = [
    ("story", "rnn", 0, 0.01, EMBED),
    ("story", "rnn", 1, 0.003, EMBED),
    ("story", "lstm", 0, 0.01, EMBED),
    ("story", "lstm_fb0", 1, 0.03, EMBED),
    ("story", "gru", 2, 0.01, EMBED),
    ("story", "lstm", 3, 0.001, ONE_HOT),
    ("story", "rnn", 3, 0.01, ONE_HOT),
]


def _separate_and_stacked(runs, steps, **kw):
    task = runs[0][0]
    val = _held_out(task, LAG, 64, 7000)
    sep = []
    for task_, m, s, lr, setup in runs:
        net = build(task_, m, s, setup)
        h = train(net, _batches(task_), steps=steps, lr=lr, seed=np.random.default_rng((s, LAG)),
                  eval_batch=val, quiet=True, **kw)
        sep.append((net, h))
    nets = [build(task_, m, s, setup) for task_, m, s, _, setup in runs]
    hists = train_stack(nets, _batches(task), steps=steps, lrs=[r[3] for r in runs],
                        seeds=[(r[2], LAG) for r in runs], eval_batch=val, **kw)
    return sep, nets, hists


def test_stacked_runs_equal_separate_runs():
    sep, nets, hists = _separate_and_stacked(RUNS, steps=6, eval_every=2)
    for (net1, h1), net2, h2 in zip(sep, nets, hists, strict=True):
        assert _max_diff(net1, net2) < 1e-12
        assert np.allclose(h1["loss"], h2["loss"], rtol=0, atol=1e-12)
        assert np.allclose(h1["grad_norm"], h2["grad_norm"], rtol=0, atol=1e-12)
        assert h1["eval_step"] == h2["eval_step"] and h1["steps_run"] == h2["steps_run"]
        assert np.allclose(h1["eval_accuracy"], h2["eval_accuracy"], atol=0)
        # and the networks really trained: they moved away from their initial weights
        fresh = build("story", "rnn", 0, EMBED) if net1.core.kind == "rnn" else None
        if fresh is not None and net1.core.seed == 0 and net1.embed is not None:
            assert _max_diff(net1, fresh) > 1e-4


def test_stacked_regression_equals_separate_runs():
    runs = [("adding", "rnn", s, lr, Setup(hidden=8)) for s, lr in ((0, 0.01), (1, 0.03))]
    runs += [("adding", "lstm", 0, 0.01, Setup(hidden=8))]
    sep, nets, _ = _separate_and_stacked(runs, steps=5, eval_every=5)
    for (net1, _), net2 in zip(sep, nets, strict=True):
        assert _max_diff(net1, net2) < 1e-12


def test_the_equality_check_sees_a_wrong_learning_rate():
    """The comparison above is sharp: a stack given one learning rate wrong differs."""
    runs = RUNS[:3]
    val = _held_out("story", LAG, 64, 7000)
    net1 = build("story", "rnn", 0, EMBED)
    train(net1, _batches("story"), steps=4, lr=0.01, seed=np.random.default_rng((0, LAG)),
          eval_batch=val, quiet=True)
    nets = [build(t, m, s, st) for t, m, s, _, st in runs]
    train_stack(nets, _batches("story"), steps=4, lrs=[0.011, 0.003, 0.01],
                seeds=[(r[2], LAG) for r in runs], eval_batch=val)
    assert _max_diff(net1, nets[0]) > 1e-6


def test_a_stopped_network_does_not_change_after_its_stop():
    runs = [("story", "lstm", s, 0.03, EMBED) for s in range(4)]
    runs += [("story", "rnn", s, 0.001, EMBED) for s in range(2)]
    val = _held_out("story", LAG, 64, 7000)
    nets = [build(t, m, s, st) for t, m, s, _, st in runs]
    hists = train_stack(nets, _batches("story"), steps=60, lrs=[r[3] for r in runs],
                        seeds=[(r[2], LAG) for r in runs], eval_batch=val, eval_every=10,
                        stop_at=0.5)
    stopped = [i for i, h in enumerate(hists) if h["steps_run"] < 60]
    going = [i for i, h in enumerate(hists) if h["steps_run"] == 60]
    assert stopped and going, [h["steps_run"] for h in hists]
    for i in stopped:
        t, m, s, lr, st = runs[i]
        h = hists[i]
        assert h["eval_accuracy"][-1] >= 0.5 and h["eval_step"][-1] == h["steps_run"]
        # the same network trained alone for exactly steps_run steps, without early stopping
        alone = build(t, m, s, st)
        train(alone, _batches(t), steps=h["steps_run"], lr=lr,
              seed=np.random.default_rng((s, LAG)), quiet=True)
        assert _max_diff(alone, nets[i]) < 1e-12
        # while ten more steps would have moved it
        longer = build(t, m, s, st)
        train(longer, _batches(t), steps=h["steps_run"] + 10, lr=lr,
              seed=np.random.default_rng((s, LAG)), quiet=True)
        assert _max_diff(longer, nets[i]) > 1e-6
        assert len(h["loss"]) == h["steps_run"]


def test_a_diverged_network_leaves_the_stack_and_the_others_go_on():
    runs = [("story", "rnn", s, 0.01, EMBED) for s in range(3)]
    nets = [build(t, m, s, st) for t, m, s, _, st in runs]
    nets[1].readout.c[0] = np.nan  # its loss is NaN from the first step
    before = nets[1].parameters()["V"].copy()
    hists = train_stack(nets, _batches("story"), steps=5, lrs=[0.01] * 3,
                        seeds=[(s, LAG) for s in range(3)])
    assert hists[1]["diverged"] and hists[1]["steps_run"] == 1 and hists[1]["loss"] == []
    assert np.array_equal(nets[1].parameters()["V"], before)
    assert not hists[0]["diverged"] and hists[0]["steps_run"] == 5
    assert len(hists[2]["loss"]) == 5
    # train() says the same of the same network
    lone = build("story", "rnn", 1, EMBED)
    lone.readout.c[0] = np.nan
    h = train(lone, _batches("story"), steps=5, lr=0.01, seed=np.random.default_rng((1, LAG)),
              quiet=True)
    assert h["diverged"] and h["steps_run"] == 1


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("model", ["rnn", "lstm", "gru"])
def test_train_is_the_textbook_loop_written_out(model, optimizer):
    """Draw a batch, take the gradients, clip by global norm, step: nothing else, in order."""
    setup = Setup(hidden=6, embed=5)
    make = _batches("story")
    net = build("story", model, 3, setup)
    hist = train(net, make, steps=25, lr=0.02, seed=(3, LAG), optimizer=optimizer, clip=0.5,
                 quiet=True)
    by_hand = build("story", model, 3, setup)
    params = by_hand.parameters()
    opt = Adam(params, lr=0.02) if optimizer == "adam" else SGD(params, lr=0.02)
    rng = np.random.default_rng((3, LAG))
    losses = []
    for _ in range(25):
        batch = make(rng)
        loss, grads, _ = by_hand.loss_and_grads(batch.x, batch.y)
        clip_grad_norm(grads, 0.5, keys=params)
        opt.step(grads)
        losses.append(loss)
    assert _max_diff(net, by_hand) == 0.0
    assert hist["loss"] == losses and net.history is hist


@pytest.mark.parametrize("maths", [RNNMaths, LSTMMaths, GRUMaths])
def test_the_fused_loop_on_a_stack_equals_one_model_at_a_time(maths):
    rng = np.random.default_rng(0)
    T, M, B, D, H = 7, 3, 4, 5, 6
    cell = maths(D, H)
    W = rng.normal(scale=0.4, size=(M, len(cell.blocks) * H, D + H + 1))
    X = rng.normal(size=(T, M, B, D))
    h0 = rng.normal(size=(M, B, H))
    c0 = rng.normal(size=(M, B, H)) if cell.has_cell else None
    dh = rng.normal(size=(T, M, H, B))
    run = engine.forward(cell, W, X, h0, c0)
    grads = engine.backward(run, dh)
    for m in range(M):
        one = engine.forward(cell, W[m : m + 1], X[:, m : m + 1], h0[m : m + 1],
                             None if c0 is None else c0[m : m + 1])
        g1 = engine.backward(one, dh[:, m : m + 1])
        assert np.allclose(run.h[:, m], one.h[:, 0], rtol=0, atol=1e-13)
        for k in g1:
            assert np.allclose(grads[k][:, m] if k == "x" else grads[k][m],
                               g1[k][:, 0] if k == "x" else g1[k][0], rtol=0, atol=1e-12), k


def test_train_and_test_stacks_runs_that_equal_runs_alone():
    setup = Setup(hidden=8, embed=8, steps=60, eval_every=20)
    runs = [RunSpec("story", "lstm", 8, 0, 0.03, setup), RunSpec("story", "rnn", 8, 1, 0.01, setup)]
    together = train_and_test(runs)
    for run, result in zip(runs, together, strict=True):
        alone = train_and_test([run])[0]
        assert {**alone, "seconds": 0} == {**result, "seconds": 0}


def test_mixed_lags_test_every_lag():
    setup = Setup(hidden=8, embed=8, steps=30, eval_every=10)
    (r,) = train_and_test([RunSpec("story", "lstm", (3, 9), 0, 0.03, setup, test_lags=[4, 9])])
    assert set(r["by_lag"]) == {"4", "9"} and r["steps_run"] == 30


def test_runs_trained_together_must_share_task_lags_and_setup():
    a = RunSpec("story", "rnn", 8, 0, 0.01, Setup(hidden=8))
    with pytest.raises(ValueError, match="share their task, lags and setup"):
        train_and_test([a, RunSpec("story", "rnn", 9, 0, 0.01, Setup(hidden=8))])
    with pytest.raises(TypeError, match="RunSpec"):
        train_and_test([("story", "rnn", 8, 0, 0.01)])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lrs=[0.01], seeds=[0, 1]), ValueError, "one learning rate and one seed per network"),
    (dict(lrs=[0.01, -1.0], seeds=[0, 1]), ValueError, "lr"),
    (dict(lrs=[0.01, 0.01], seeds=[0, "one"]), TypeError, "seed must be a non-negative int"),
    (dict(lrs=[0.01, 0.01], seeds=[0, 1], clip=0.0), ValueError, "clip"),
    (dict(lrs=[0.01, 0.01], seeds=[0, 1], steps=0), ValueError, "steps"),
    (dict(lrs=[0.01, 0.01], seeds=[0, 1], optimizer="lion"), ValueError, "optimizer"),
])
def test_train_stack_bad_input(kwargs, error, message):
    nets = [build("story", "rnn", s, EMBED) for s in range(2)]
    kwargs = {"steps": 2, **kwargs}
    with pytest.raises(error, match=message):
        train_stack(nets, _batches("story"), **kwargs)


def test_a_stack_refuses_networks_of_different_structures():
    with pytest.raises(ValueError, match="share their structure"):
        NetworkStack([build("story", "rnn", 0, EMBED), build("story", "lstm", 0, EMBED)])
    with pytest.raises(TypeError, match="SequenceModel"):
        NetworkStack([object()])
    with pytest.raises(ValueError, match="at least one"):
        NetworkStack([])


def test_a_long_stacked_run_is_the_separate_run_to_the_last_bit():
    """Clipping uses each network's own norm, summed as one network's is, so even 300 steps
    (where training amplifies any last-bit difference) give the separate run's network."""
    setup = Setup(hidden=12, embed=12, steps=300, eval_every=100)
    _, (alone,) = train_and_test([RunSpec("story", "lstm", 12, 0, 0.03, setup)],
                                 return_nets=True)
    runs = [RunSpec("story", m, 12, s, lr, setup)
            for m, s, lr in (("lstm", 0, 0.03), ("lstm_fb0", 1, 0.01), ("lstm", 2, 0.003))]
    _, nets = train_and_test(runs, return_nets=True)
    assert _max_diff(alone, nets[0]) == 0.0


@pytest.mark.parametrize("maths", [RNNMaths, LSTMMaths, GRUMaths])
def test_a_large_networks_one_product_gives_the_per_step_gradients(maths, monkeypatch):
    """Above engine.ONE_PRODUCT_ABOVE the weight and input gradients are one product over
    all steps: the same sums in another order, so equal to the per-step ones to rounding."""
    rng = np.random.default_rng(1)
    T, M, B, D, H = 6, 2, 3, 4, 5
    cell = maths(D, H)
    W = rng.normal(scale=0.4, size=(M, len(cell.blocks) * H, D + H + 1))
    X = rng.normal(size=(T, M, B, D))
    h0 = rng.normal(size=(M, B, H))
    c0 = rng.normal(size=(M, B, H)) if cell.has_cell else None
    dh = rng.normal(size=(T, M, H, B))
    small = engine.backward(engine.forward(cell, W, X, h0, c0), dh)
    monkeypatch.setattr(engine, "ONE_PRODUCT_ABOVE", 0)
    large = engine.backward(engine.forward(cell, W, X, h0, c0), dh)
    assert small.keys() == large.keys()
    for k in small:
        assert small[k].shape == large[k].shape, k
        assert np.allclose(small[k], large[k], rtol=0, atol=1e-12), k
