"use strict";
// The trainer's pure parts in Node: the charts' data, a run that diverges, the settings.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const {load} = require("./load.js");

const t = load("random.js", "cells.js", "network.js", "optim.js", "stories.js", "init.js",
               "train.js", "contract.js", "chart.js", "view.js", "trainer_view.js",
               "trainer_app.js");
const data = JSON.parse(fs.readFileSync(path.join(__dirname, "trainer_data.json"), "utf8"));
const plain = (x) => JSON.parse(JSON.stringify(x));

test("a path maps steps and values into the chart's box, log or linear", () => {
  assert.equal(t.wbPath([[0, 0], [100, 1]], 100, 0, 1), "M0.0 100.00L1000.0 0.00");
  assert.equal(t.wbPath([[0, 1e-3], [50, 3]], 100, 1e-3, 3, true), "M0.0 100.00L500.0 0.00");
  assert.equal(t.wbPath([[0, 2], [10, null], [20, 0.5]], 20, 0, 1), "M0.0 0.00M1000.0 50.00");
});

test("the mean of the seeds carries a stopped seed's last value, up to the running ones", () => {
  const solved = [[0, 0.1], [100, 1]], running = [[0, 0.2], [100, 0.4], [200, 0.6]];
  assert.deepEqual(plain(t.wbMeanCurve([solved, running], 200)),
                   [[0, 0.15000000000000002], [100, 0.7], [200, 0.8]]);
  assert.deepEqual(plain(t.wbMeanCurve([solved, running], 100)), [[0, 0.15000000000000002],
                                                                  [100, 0.7]]);
});

test("losses are averaged in blocks, and a diverged step ends the line", () => {
  assert.deepEqual(plain(t.wbBlocks([1, 3, 5, 7, 9], 2)), [[2, 2], [4, 6], [5, 9]]);
  assert.deepEqual(plain(t.wbBlocks([1, 3, null, 7], 2)), [[2, 2], [3, null]]);
});

test("a run whose loss becomes NaN says diverged and stops", () => {
  const env = t.wbEnv(data);
  const run = t.wbNewRun(env, "rnn", 1, {lag: 5, steps: 100, lr: {rnn: 0.01}});
  run.params.V.fill(NaN);
  const out = t.wbSlice(env, run, 50, true);
  assert.ok(run.done && run.diverged && !run.solved);
  assert.equal(run.step, 0);
  assert.deepEqual(plain(out.losses), [null]);
  assert.match(t.wbRunText(run), /diverged \(the loss became NaN\): stopped/);
});

test("a run stops once the held-out accuracy reaches stop_at, and not before step 1", () => {
  const env = t.wbEnv(data);
  const run = t.wbNewRun(env, "lstm", 1, {lag: 5, steps: 400, lr: {lstm: 0.03}});
  t.wbSlice(env, run, 400, true);
  assert.ok(run.done && run.solved, t.wbRunText(run));
  assert.ok(run.step % 100 === 0 && run.last.accuracy >= 0.99);
});

test("bad settings are named; the defaults fill what is left out", () => {
  const ok = t.wbSettings(data, {});
  assert.deepEqual(plain(ok.problems), []);
  assert.equal(ok.config.lag, 20);
  assert.equal(ok.config.lr.rnn, 0.001);
  for (const [given, text] of [[{lag: "0"}, "The lag must be"], [{lag: 500}, "The lag must be"],
                               [{lag: "2.5"}, "The lag must be"], [{steps: "0"}, "steps must"],
                               [{lr: "NaN"}, "learning rate"], [{lr: "fast"}, "learning rate"],
                               [{lr: -1}, "learning rate"], [{seeds: 6}, "seeds must"],
                               [{models: []}, "Choose at least one model"],
                               [{models: ["cnn"]}, "Choose at least one model"]]) {
    assert.match(t.wbSettings(data, given).problems.join(" "), new RegExp(text), JSON.stringify(given));
  }
  assert.equal(t.wbSettings(data, {lr: " 0.01 "}).config.lr.lstm, 0.01);
});

test("the sweep's rate is the one of the nearest lag, the lower of two", () => {
  const spec = {lr: {"5": 1, "10": 2, "20": 3, "40": 4}};
  assert.deepEqual([7, 8, 15, 30, 80].map((lag) => t.wbSweepRate(spec, lag)), [1, 2, 2, 3, 4]);
});

test("the gradient colours run from white (1e-8 and less) to the darkest blue (1)", () => {
  assert.deepEqual(plain(t.wbGradColour(1)), plain(t.WB_PALETTE.sigmoid[64]));
  assert.deepEqual(plain(t.wbGradColour(1e-9)), plain(t.WB_PALETTE.sigmoid[0]));
  assert.deepEqual(plain(t.wbGradColour(0)), plain(t.WB_PALETTE.sigmoid[0]));
});
