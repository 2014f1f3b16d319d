"""The trainer's gradient heatmap against numpy: ``loss_gradient_norms`` is the row the page
draws (``ws.gradNorm`` of viz/js/network.js, in Node), and its LSTM cell-state gradient is the
derivative that central differences measure."""

from __future__ import annotations

import numpy as np
import pytest
from js_bridge import node_eval

from whiteboard.analysis.loss_gradients import loss_gradient_norms
from whiteboard.training.experiments import build
from whiteboard.training.network import cross_entropy
from whiteboard.training.story import make_stories
from whiteboard.viz.playground import gate_spec
from whiteboard.viz.trainer import PURE_JS

KINDS = ("rnn", "lstm", "gru")


def stories(lag=6, batch=5, seed=2):
    b = make_stories(batch, lag, rng=np.random.default_rng(seed))
    return b.x, b.y


@pytest.mark.parametrize("kind", KINDS)
def test_the_heatmap_row_is_the_norm_of_the_gradient_on_each_state(kind):
    net, (x, y) = build("story", kind, seed=3), stories()
    want = loss_gradient_norms(net, x, y)["h"]
    params = {k: {"shape": list(v.shape), "data": v.ravel().tolist()}
              for k, v in net.parameters().items()}
    got = node_eval(PURE_JS, """(() => {
        const m = wbNetFromParams(input.net, input.gates), tok = wbTokens(input.x, m.vocab);
        wbLossAndGrads(m, tok.x, Int32Array.from(input.y), tok.T, tok.B);
        return m.ws.gradNorm; })()""", {"gates": gate_spec(KINDS), "net":
                                        {"kind": kind, "params": params},
                                        "x": x.tolist(), "y": y.tolist()})
    assert np.abs(np.asarray(got) - want).max() <= 1e-9 * want.max()


def _loss_from(net, x, y, t, h, s):
    """The loss with the LSTM's states after word t + 1 (0-based t) replaced by h and s."""
    rest = net.core.forward(net.inputs(x)[t + 1:], h0=h, c0=s)
    return cross_entropy(net.readout.forward(rest.h[-1]), y)[0]


def test_the_cell_state_gradient_equals_central_differences():
    net, (x, y) = build("story", "lstm", seed=4), stories()
    trace = net.core.forward(net.inputs(x))
    got = loss_gradient_norms(net, x, y)["s"]
    eps = 1e-6
    for t in (0, 3, len(x) - 2):
        o, s = trace.gates["o"][t].copy(), trace.c[t].copy()
        grad = np.zeros_like(s)
        for b in range(s.shape[0]):
            for j in range(s.shape[1]):
                e = np.zeros_like(s)
                e[b, j] = eps
                # h_t = o_t ⊙ tanh(s_t) follows s_t; o_t does not (it reads h_{t-1}, x_t)
                up = _loss_from(net, x, y, t, o * np.tanh(s + e), s + e)
                down = _loss_from(net, x, y, t, o * np.tanh(s - e), s - e)
                grad[b, j] = (up - down) / (2 * eps)
        assert np.linalg.norm(grad) == pytest.approx(got[t], rel=1e-6), f"word {t + 1}"


def test_one_state_models_have_no_cell_gradient_and_bad_input_is_named():
    net, (x, y) = build("story", "rnn", seed=0), stories()
    out = loss_gradient_norms(net, x, y)
    assert out["s"] is None and out["h"].shape == (len(x),) and np.all(out["h"] > 0)
    with pytest.raises(ValueError, match="token ids in 0.."):
        loss_gradient_norms(net, x + 10_000, y)
    with pytest.raises(ValueError, match=r"x must be \(T, B\)"):
        loss_gradient_norms(net, x[:, 0], y)
    with pytest.raises(TypeError, match="SequenceModel"):
        loss_gradient_norms(net.core, x, y)
