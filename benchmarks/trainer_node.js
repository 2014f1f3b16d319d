// The in-page trainer's runs in Node, without a browser: each model at one lag, seeds 1..n,
// with the page's defaults (its learning rates, budget, held-out stories and stopping rule),
// trained by the page's own code (train.js's wbSlice) on one thread.
//
// Usage: node benchmarks/trainer_node.js [--lag 20] [--seeds 5] [--steps 3000]
//                                        [--models rnn,irnn,...] [--json]
//
// The page's data is tests/js/trainer_data.json (tests/test_trainer.py keeps it equal to
// trainer().data). Prints, per model, each seed's held-out accuracy at its end (256 stories),
// the step it ended at, how many seeds reached 0.99 (the page's stop) and 0.95, and the time.
// Figures only; no test.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const {load} = require("../tests/js/load.js");

const t = load("random.js", "cells.js", "network.js", "optim.js", "stories.js", "init.js",
               "train.js", "trainer_app.js");
const data = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tests", "js",
                                                  "trainer_data.json"), "utf8"));

function options(argv) {
  const opt = {lag: data.defaults.lag, seeds: data.defaults.seeds, steps: data.defaults.steps,
               models: Object.keys(data.models), json: false};
  for (let k = 0; k < argv.length; k++) {
    const key = argv[k].replace(/^--/, "");
    if (key === "json") { opt.json = true; continue; }
    const value = argv[++k];
    opt[key] = key === "models" ? value.split(",") : Number(value);
  }
  return opt;
}

function main() {
  const opt = options(process.argv.slice(2)), out = {lag: opt.lag, steps: opt.steps, models: {}};
  for (const model of opt.models) {
    const s = t.wbSettings(data, {models: [model], lag: opt.lag, seeds: opt.seeds,
                                  steps: opt.steps});
    if (s.problems.length) { throw new Error(s.problems.join(" ")); }
    const env = t.wbEnv(data), runs = [], t0 = Date.now();
    for (let seed = 1; seed <= opt.seeds; seed++) {
      const run = t.wbNewRun(env, model, seed, s.config);
      t.wbSlice(env, run, opt.steps, true);
      runs.push({seed: seed, accuracy: run.last.accuracy, step: run.step, solved: run.solved,
                 diverged: run.diverged});
    }
    const row = {label: data.models[model].label, lr: s.config.lr[model], runs: runs,
                 reached_099: runs.filter((r) => r.solved).length,
                 reached_095: runs.filter((r) => r.accuracy >= 0.95).length,
                 mean: runs.reduce((a, r) => a + r.accuracy, 0) / runs.length,
                 seconds: (Date.now() - t0) / 1000};
    out.models[model] = row;
    if (!opt.json) {
      console.log(`${row.label} (lr ${row.lr}): ${row.reached_099} of ${runs.length} seeds ` +
                  `reached 0.99, ${row.reached_095} reached 0.95, mean ${row.mean.toFixed(3)} ` +
                  `[${row.seconds.toFixed(0)} s]`);
      console.log("    " + runs.map((r) => `seed ${r.seed}: ${r.accuracy.toFixed(3)} at step ` +
                                     `${r.step}${r.diverged ? " (diverged)" : ""}`).join("; "));
    }
  }
  if (opt.json) { console.log(JSON.stringify(out, null, 1)); }
}

main();
