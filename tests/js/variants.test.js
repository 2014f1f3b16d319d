"use strict";
// The RNN variants of the fair fight in the trainer (init.js, train.js): their starts by the
// rules of whiteboard.models.rnn, the wide RNN's H from Python, and a curriculum's gaps equal
// to experiments.curriculum_lag (curriculum_data.json, written by tests/test_trainer.py).
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const {load} = require("./load.js");

const t = load("random.js", "cells.js", "network.js", "optim.js", "stories.js", "init.js",
               "train.js");
const data = JSON.parse(fs.readFileSync(path.join(__dirname, "trainer_data.json"), "utf8"));
const curriculum = JSON.parse(fs.readFileSync(path.join(__dirname, "curriculum_data.json"),
                                              "utf8"));
const KEYS = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "V", "c", "E"];

// The weights of model (a key of data.models, its spec changed by `change`) from seed's stream.
function start(model, seed, change) {
  const env = t.wbEnv(data);
  return t.wbInitNet(env, {...data.models[model], ...change}, t.wbRng(t.wbSeed([seed, 1])));
}

// The largest |(WᵀW)_ij − δ_ij| and |(WWᵀ)_ij − δ_ij| of an n x n W (flat, row-major).
function orthogonalityError(W, n) {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let cols = 0, rows = 0;
      for (let k = 0; k < n; k++) {
        cols += W[k * n + i] * W[k * n + j];
        rows += W[i * n + k] * W[j * n + k];
      }
      const one = i === j ? 1 : 0;
      worst = Math.max(worst, Math.abs(cols - one), Math.abs(rows - one));
    }
  }
  return worst;
}

test("the orthogonal start: WᵀW = I to 1e-12, every other weight the uniform start's", () => {
  for (const H of [4, 16, 37, 64]) {
    for (const seed of [1, 2, 3]) {
      const orth = start("rnn_orth", seed, {hidden: H}), plain = start("rnn", seed, {hidden: H});
      const err = orthogonalityError(orth.weight_hh_l0, H);
      assert.ok(err <= 1e-12, `H = ${H}, seed ${seed}: WᵀW - I is ${err}`);
      for (const key of KEYS.filter((k) => k !== "weight_hh_l0")) {
        assert.deepEqual(orth[key], plain[key], `H = ${H}, seed ${seed}: ${key}`);
      }
      assert.notDeepEqual(orth.weight_hh_l0, start("rnn_orth", seed + 10, {hidden: H}).weight_hh_l0);
    }
  }
});

test("Gram-Schmidt's Q keeps R's diagonal positive: each column leans towards G's", () => {
  // Q = G R⁻¹ with R upper triangular: column c of Q is column c of G over R_cc, less the
  // earlier columns, so q_cᵀ g_c = R_cc > 0 (numpy's qr with the sign fix of models/rnn.py)
  const n = 9, rng = t.wbRng(5), G = new Float64Array(n * n).map(() => t.wbGaussian(rng));
  const Q = t.wbOrthogonal(G, n);
  for (let c = 0; c < n; c++) {
    let lean = 0;
    for (let i = 0; i < n; i++) { lean += Q[i * n + c] * G[i * n + c]; }
    assert.ok(lean > 0, `column ${c}: q·g = ${lean}`);
  }
  assert.ok(orthogonalityError(t.wbOrthogonal(Float64Array.from([1, 1, 1, 1 + 1e-9]), 2), 2) <= 1e-12,
            "a nearly singular G still gives an orthogonal Q");
});

test("the identity start: W = I, biases 0, U ~ N(0, input_std²), the rest the uniform's", () => {
  const spec = data.models.irnn, H = spec.hidden, D = data.setup.embed;
  assert.equal(spec.nonlinearity, "relu");
  for (const seed of [1, 2, 3]) {
    const irnn = start("irnn", seed), plain = start("rnn", seed);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < H; j++) { assert.equal(irnn.weight_hh_l0[i * H + j], i === j ? 1 : 0); }
    }
    assert.ok(irnn.bias_ih_l0.every((v) => v === 0) && irnn.bias_hh_l0.every((v) => v === 0));
    const U = Array.from(irnn.weight_ih_l0), mean = U.reduce((a, b) => a + b) / U.length;
    const std = Math.sqrt(U.reduce((a, b) => a + (b - mean) ** 2, 0) / (U.length - 1));
    assert.equal(U.length, H * D);
    assert.ok(Math.abs(std / spec.input_std - 1) < 0.15, `seed ${seed}: U's std is ${std}`);
    assert.ok(Math.abs(mean) < 3 * spec.input_std / Math.sqrt(U.length), `U's mean is ${mean}`);
    for (const key of ["V", "c", "E"]) { assert.deepEqual(irnn[key], plain[key], key); }
  }
  assert.equal(data.models.irnn.input_std, 1e-3);
});

test("the wide RNN has Python's H, its weights drawn within ±1/√H of that H", () => {
  const H = data.models.rnn_wide.hidden, D = data.setup.embed, K = data.task.languages.length;
  assert.equal(H, 37);
  const w = start("rnn_wide", 1), bound = 1 / Math.sqrt(H);
  assert.deepEqual([w.weight_ih_l0.length, w.weight_hh_l0.length, w.bias_hh_l0.length,
                    w.V.length, w.c.length], [H * D, H * H, H, K * H, K]);
  for (const key of ["weight_ih_l0", "weight_hh_l0", "V"]) {
    const top = Math.max(...w[key].map(Math.abs));
    assert.ok(top <= bound && top > 0.9 * bound, `${key}: largest |w| ${top}, bound ${bound}`);
  }
  const env = t.wbEnv(data), run = t.wbNewRun(env, "rnn_wide", 1, {lag: 5, steps: 3,
                                                                  lr: {rnn_wide: 0.03}});
  t.wbSlice(env, run, 3, true);
  assert.equal(t.wbNetOf(env, run).H, 37);
  assert.equal(run.step, 3);
});

test("the plain starts are unchanged: the RNN uniform, the LSTM's forget bias set", () => {
  const rnn = start("rnn", 1), bound = 1 / Math.sqrt(data.models.rnn.hidden);
  assert.ok(KEYS.slice(0, 4).every((k) => rnn[k].every((v) => v !== 0 && Math.abs(v) <= bound)));
  const lstm = start("lstm", 1), H = data.models.lstm.hidden, f = data.gates.lstm[1];
  assert.equal(f.name, "f");
  assert.ok(lstm.bias_ih_l0.subarray(f.block * H, (f.block + 1) * H).every((v) => v === 3));
  assert.throws(() => start("rnn", 1, {init: "zeros"}), /init must be uniform, orthogonal or identity/);
});

test("a curriculum's gap at every step is experiments.curriculum_lag's", () => {
  assert.equal(data.setup.curriculum_start, curriculum.start);
  for (const c of curriculum.cases) {
    const got = c.at.map((n) => t.wbCurriculumLag(n, c.steps, c.target, curriculum.start));
    assert.deepEqual(got, c.lag, `budget ${c.steps}, target ${c.target}`);
  }
});

test("a curriculum run's batches grow to the lag; the held-out stories keep it", () => {
  const env = t.wbEnv(data), steps = 40, lag = 20;
  for (const model of ["rnn_curriculum", "lstm_curriculum", "rnn"]) {
    const run = t.wbNewRun(env, model, 1, {lag: lag, steps: steps, lr: {[model]: 1e-4}});
    const out = t.wbSlice(env, run, steps, true);
    const snaps = Array.from(out.snaps), want = snaps.map((s) => 4 + (
      data.models[model].curriculum ? t.wbCurriculumLag(s.step, steps, lag,
                                                        data.setup.curriculum_start) : lag));
    assert.deepEqual(snaps.map((s) => s.step), [1, 10, 20, 30, 40]);
    assert.deepEqual(snaps.map((s) => s.grad.length), want, model);
    if (data.models[model].curriculum) { assert.deepEqual(want, [9, 16, 24, 24, 24]); }
    assert.equal(t.wbHeldOut(env, lag).T, lag + 4);
  }
});

test("an IRNN trains: its ReLU state stays finite and its loss falls at lag 5", () => {
  const env = t.wbEnv(data);
  const run = t.wbNewRun(env, "irnn", 1, {lag: 5, steps: 300, lr: {irnn: data.models.irnn.lr["5"]}});
  const out = t.wbSlice(env, run, 300, true);
  assert.ok(!run.diverged && out.losses.every(Number.isFinite));
  assert.equal(t.wbNetOf(env, run).nonlinearity, "relu");
  assert.ok(run.last.accuracy > 0.9, `held-out accuracy ${run.last.accuracy}`);
});
