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
from whiteboard.models.rnn import _orthogonal
from whiteboard.training.experiments import build
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
    return {"kind": kind, "nonlinearity": getattr(net.core, "nonlinearity", None),
            "params": {k: {"shape": list(v.shape), "data": v.ravel().tolist()}
                       for k, v in net.parameters().items()}}


# RNN variants of the fair fight as the experiments build them (the story task's vocabulary
# and 8 classes, D = 16): the IRNN (ReLU, W = I), the wide RNN (H = 37), the orthogonal start.
VARIANTS = ("irnn", "rnn_wide", "rnn_orth")


def variant_net(name, seed=0):
    """The network experiments.build gives model ``name``, and a batch of its task's ids."""
    net = build("story", name, seed)
    rng = np.random.default_rng(seed + 1)
    vocab, K = net.embed.E.shape[0], net.readout.V.shape[0]
    return net, (rng.integers(vocab, size=(9, 4)), rng.integers(K, size=4))


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


@pytest.mark.parametrize("name", VARIANTS)
def test_a_variants_loss_and_every_gradient_equal_numpy(name):
    """A ReLU RNN from the identity start, a 37-unit RNN and an orthogonal start: the page's
    step is numpy's, given numpy's weights."""
    net, (x, y) = variant_net(name)
    loss, grads, _ = net.loss_and_grads(x, y)
    got = js_loss_and_grads(net, "rnn", x, y)
    assert abs(got["loss"] - loss) <= 1e-12 * abs(loss)
    assert set(got["grads"]) == set(net.parameters())
    for key, g in got["grads"].items():
        err = relative_error(np.reshape(g["data"], g["shape"]), grads[key])
        assert err <= 1e-9, f"{name} {key}: relative error {err:.2e}"


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


@pytest.mark.parametrize("model", [*CORES, "irnn", "rnn_wide"])
def test_twenty_adam_steps_with_clipping_equal_numpy(model):
    kind = "rnn" if model in VARIANTS else model
    net = variant_net(model, seed=3)[0] if model in VARIANTS else make_net(kind, True, seed=3)
    vocab, K = net.embed.E.shape[0], net.readout.V.shape[0]
    start = as_js(net, kind)
    batches = [batch(T=5 + k % 3, B=4, vocab=vocab, K=K, seed=10 + k) for k in range(ADAM_STEPS)]
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
        assert err <= 1e-8, f"{model} {key} after {ADAM_STEPS} steps: differs by {err:.2e}"


@pytest.mark.parametrize("n", [4, 16, 37])
def test_the_orthogonal_start_is_numpys_sign_fixed_qr(n):
    """init.js's Gram-Schmidt of numpy's Gaussian matrix is models/rnn.py's Q (numpy's QR,
    each column's sign fixed by R's diagonal), not another orthogonal matrix."""
    G = np.random.default_rng([n, 7]).standard_normal((n, n))
    want = _orthogonal(n, np.random.default_rng([n, 7]))
    got = node_eval(PURE_JS, "wbOrthogonal(Float64Array.from(input.G), input.n)",
                    {"G": G.ravel().tolist(), "n": n})
    err = np.abs(np.reshape(got, (n, n)) - want).max()
    assert err <= 1e-12, f"n = {n}: differs from numpy's by {err:.2e}"
