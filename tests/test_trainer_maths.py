"""The trainer's JavaScript against numpy, in Node (no browser): the network's loss and every
gradient, clipping and Adam over 20 steps, and the story generator.

Weights and batches come from numpy and go into the page's own functions (viz/js/), whose
generator is its own: equality is asked of the maths, not of the random streams.
"""

from __future__ import annotations

import numpy as np
import pytest
from js_bridge import node_eval

from whiteboard import GRU, LSTM, RNN
from whiteboard.training.network import SequenceModel
from whiteboard.training.optim import Adam, clip_grad_norm
from whiteboard.viz.playground import gate_spec
from whiteboard.viz.trainer import PURE_JS

CORES = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
GATES = gate_spec(CORES)


def make_net(kind, embed, *, D=5, H=7, vocab=11, K=4, seed=0):
    """A small SequenceModel: D != H, embedded (E of vocab x D) or one-hot (D = vocab)."""
    extra = {"forget_bias": 1.5} if kind == "lstm" else {}
    core = CORES[kind](D if embed else vocab, H, seed=seed, **extra)
    return SequenceModel(core, K, vocab_size=vocab, embed_dim=D if embed else None, seed=seed)


def as_js(net, kind):
    return {"kind": kind, "params": {k: {"shape": list(v.shape), "data": v.ravel().tolist()}
                                     for k, v in net.parameters().items()}}


def batch(T=6, B=3, vocab=11, K=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.integers(vocab, size=(T, B)), rng.integers(K, size=B)


def js_loss_and_grads(net, kind, x, y):
    return node_eval(PURE_JS, "wbApiLossAndGrads(input.gates, input.net, input.x, input.y)",
                     {"gates": GATES, "net": as_js(net, kind), "x": x.tolist(), "y": y.tolist()})


def relative_error(js, want):
    return np.abs(np.asarray(js) - want).max() / max(np.abs(want).max(), 1e-300)


@pytest.mark.parametrize("embed", [True, False], ids=["embedded", "one-hot"])
@pytest.mark.parametrize("kind", CORES)
def test_loss_and_every_gradient_equal_numpy(kind, embed):
    net = make_net(kind, embed)
    x, y = batch()
    loss, grads, _ = net.loss_and_grads(x, y)
    got = js_loss_and_grads(net, kind, x, y)
    assert abs(got["loss"] - loss) <= 1e-12 * abs(loss)
    assert set(got["grads"]) == set(net.parameters())
    for key, g in got["grads"].items():
        assert g["shape"] == list(grads[key].shape), key
        err = relative_error(np.reshape(g["data"], g["shape"]), grads[key])
        assert err <= 1e-9, f"{kind} {key}: relative error {err:.2e}"


def test_a_wrong_gradient_sign_fails_the_check():
    """The comparison above catches a page whose backward flips the sign of one term."""
    net, (x, y) = make_net("lstm", True), batch()
    _, grads, _ = net.loss_and_grads(x, y)
    flipped = node_eval(PURE_JS, """(() => { const back = WB_CELL.lstm.backward;
        WB_CELL.lstm.backward = function (m, ws, n, b, prev) { back(m, ws, n, b, prev);
          for (let j = 0; j < m.H; j++) { ws.DR[n * m.GH + m.at.f + j] *= -1; } };
        return wbApiLossAndGrads(input.gates, input.net, input.x, input.y); })()""",
                        {"gates": GATES, "net": as_js(net, "lstm"), "x": x.tolist(),
                         "y": y.tolist()})
    err = relative_error(flipped["grads"]["weight_hh_l0"]["data"], grads["weight_hh_l0"].ravel())
    assert err > 1e-3


ADAM_STEPS = 20


@pytest.mark.parametrize("kind", CORES)
def test_twenty_adam_steps_with_clipping_equal_numpy(kind):
    net = make_net(kind, True, seed=3)
    start = as_js(net, kind)
    batches = [batch(T=5 + k % 3, B=4, seed=10 + k) for k in range(ADAM_STEPS)]
    params = net.parameters()
    opt = Adam(params, lr=0.05)
    for x, y in batches:
        _, grads, _ = net.loss_and_grads(x, y)
        clip_grad_norm(grads, 1.0, keys=params)
        opt.step(grads)
    got = node_eval(PURE_JS, """(() => {
        const m = wbNetFromParams(input.net, input.gates), keys = Object.keys(m.w);
        const st = wbAdam(m.w, keys, 0.05);
        for (const [x, y] of input.batches) {
          const tok = wbTokens(x, m.vocab);
          const r = wbLossAndGrads(m, tok.x, Int32Array.from(y), tok.T, tok.B);
          wbClip(r.grads, keys, 1.0);
          wbAdamStep(st, m.w, r.grads);
        }
        return m.w; })()""", {"gates": GATES, "net": start,
                              "batches": [[x.tolist(), y.tolist()] for x, y in batches]})
    for key, p in params.items():
        err = np.abs(np.asarray(got[key]) - p.ravel()).max()
        assert err <= 1e-8, f"{kind} {key} after {ADAM_STEPS} steps: differs by {err:.2e}"
