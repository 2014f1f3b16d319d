// How the trainer's networks start: the rules of whiteboard.models (models/base.py,
// models/rnn.py) and training.network, drawn from the page's own generator (random.js). The
// rules are numpy's; the numbers are not (the tests that compare with numpy pass its weights).

// A fresh network for model spec (kind, hidden, forget_bias, init, input_std), initialised as
// whiteboard.models and training.network do it: every core weight U(-1/√H, 1/√H) in the order
// weight_ih, weight_hh, bias_ih, bias_hh; the LSTM's forget block of bias_ih set to the forget
// bias and that of bias_hh to 0; an RNN variant's start (wbStartVariant) on top; the read-out
// U(-1/√H, 1/√H); the embedding N(0, 1). H is the spec's (a wide RNN has more units).
function wbInitNet(env, spec, rng) {
  var s = env.setup, gates = env.gates[spec.kind] || [], H = spec.hidden, D = s.embed;
  var GH = Math.max(1, gates.length) * H, K = env.task.classes.length, bound = 1 / Math.sqrt(H);
  // the variant's own stream, seeded by rng's state before any draw (numpy's default_rng([seed,
  // 7])): it draws nothing from rng, so every other weight is the "uniform" start's
  var own = wbRng(wbSeed([rng.a, 7]));
  var uniform = function (n) {
    var a = new Float64Array(n);
    for (var i = 0; i < n; i++) { a[i] = bound * (2 * wbUniform(rng) - 1); }
    return a;
  };
  var w = {weight_ih_l0: uniform(GH * D), weight_hh_l0: uniform(GH * H), bias_ih_l0: uniform(GH),
           bias_hh_l0: uniform(GH)};
  gates.forEach(function (g) {
    if (g.name === "f" && spec.kind === "lstm") {
      w.bias_ih_l0.fill(spec.forget_bias, g.block * H, (g.block + 1) * H);
      w.bias_hh_l0.fill(0, g.block * H, (g.block + 1) * H);
    }
  });
  if (spec.kind === "rnn") { wbStartVariant(w, spec, H, D, own); }
  w.V = uniform(K * H);
  w.c = uniform(K);
  w.E = new Float64Array(env.task.vocab.length * D);
  for (var i = 0; i < w.E.length; i++) { w.E[i] = wbGaussian(rng); }
  return w;
}

// An RNN's start by spec.init, as whiteboard.models.RNN(init=...) overwrites the uniform draw:
// "orthogonal": W = weight_hh_l0 a random orthogonal matrix (WᵀW = I; Saxe et al. 2014);
// "identity": W = I, both biases 0 and U = weight_ih_l0 ~ N(0, input_std²), the IRNN of Le,
// Jaitly & Hinton (2015), whose ReLU units at first carry the state unchanged; "uniform": as
// drawn. rng is the variant's own stream.
function wbStartVariant(w, spec, H, D, rng) {
  var i;
  if (spec.init === "orthogonal") {
    var G = new Float64Array(H * H);
    for (i = 0; i < G.length; i++) { G[i] = wbGaussian(rng); }
    w.weight_hh_l0.set(wbOrthogonal(G, H));
  } else if (spec.init === "identity") {
    w.weight_hh_l0.fill(0);
    for (i = 0; i < H; i++) { w.weight_hh_l0[i * H + i] = 1; }
    for (i = 0; i < H * D; i++) { w.weight_ih_l0[i] = spec.input_std * wbGaussian(rng); }
    w.bias_ih_l0.fill(0);
    w.bias_hh_l0.fill(0);
  } else if (spec.init !== "uniform" && spec.init !== undefined) {
    throw new Error("init must be uniform, orthogonal or identity, got " + spec.init);
  }
}

// Q of G = QR for an n x n G (flat, row-major) with R's diagonal positive: G's columns made
// orthonormal one after another by Gram-Schmidt, each twice, since one pass leaves rounding
// of the order of G's condition number times 1e-16 in QᵀQ and a second removes it. QR with a
// positive diagonal is unique, so Q is numpy's qr(G) with each column's sign fixed by that of
// R's diagonal, as models/rnn.py's _orthogonal does; from a Gaussian G it is uniformly
// distributed over the orthogonal matrices.
function wbOrthogonal(G, n) {
  var Q = Float64Array.from(G), c, k, i, dot, norm;
  for (c = 0; c < n; c++) {
    for (var pass = 0; pass < 2; pass++) {
      for (k = 0; k < c; k++) {
        dot = 0;
        for (i = 0; i < n; i++) { dot += Q[i * n + k] * Q[i * n + c]; }
        for (i = 0; i < n; i++) { Q[i * n + c] -= dot * Q[i * n + k]; }
      }
    }
    norm = 0;
    for (i = 0; i < n; i++) { norm += Q[i * n + c] * Q[i * n + c]; }
    norm = Math.sqrt(norm);
    for (i = 0; i < n; i++) { Q[i * n + c] /= norm; }
  }
  return Q;
}
