// Training runs, as whiteboard.training.loop.train and experiments.train_and_test do them:
// fresh story batches from the run's own stream (their gap growing to the lag on a
// curriculum), the loss and gradients (network.js), clipping by global norm, one Adam step;
// every eval_every steps the held-out accuracy, and the run stops once it reaches stop_at. A
// run is plain data (its weights, Adam's moments, its generator's state, its step), so a
// slice of it can run in any worker and come back.
//
// env holds what every run shares: the task (stories.js), the gate spec, the setup (H, D,
// batch, clip, eval_every, stop_at, val_size, record, curriculum_start), the model specs (a
// model's own H, start and schedule; init.js) and caches of networks and held-out sets.

function wbEnv(data) {
  return {task: wbStoryTask(data.task), gates: data.gates, setup: data.setup, models: data.models,
          nets: {}, held: {}};
}

// The network of a run: one shell per kind and model, its weights the run's own arrays, so
// that its buffers (network.js's workspace) serve every run of that shape.
function wbNetOf(env, run) {
  var spec = env.models[run.model], net = env.nets[run.model];
  if (!net) {
    net = env.nets[run.model] = wbShape({name: run.model, kind: spec.kind, label: spec.label,
      H: spec.hidden, D: env.setup.embed, K: env.task.classes.length,
      nonlinearity: spec.nonlinearity, gates: env.gates[spec.kind] || [], w: run.params});
  }
  net.w = run.params;
  return net;
}

// The held-out stories of a lag: the same for every model and seed.
function wbHeldOut(env, lag) {
  if (!env.held[lag]) {
    env.held[lag] = wbStories(env.task, lag, env.setup.val_size, wbRng(wbSeed([7000, lag])));
  }
  return env.held[lag];
}

// A new run of model with seed: its network, its Adam, its stream of batches (seeded by seed
// and lag, so that runs with the same seed see the same batches, as in experiments.py).
function wbNewRun(env, model, seed, cfg) {
  var spec = env.models[model], params = wbInitNet(env, spec, wbRng(wbSeed([seed, 1])));
  var keys = WB_KEYS.filter(function (k) { return k in params; });
  return {id: model + ":" + seed, model: model, seed: seed, lag: cfg.lag, steps: cfg.steps,
          lr: cfg.lr[model], keys: keys, params: params, adam: wbAdam(params, keys, cfg.lr[model]),
          rng: wbRng(wbSeed([seed, cfg.lag, 2])), step: 0, done: false, solved: false,
          diverged: false, last: null};
}

// The gap of a curriculum's batch at step (1-based) of a steps-step budget, as
// experiments.curriculum_lag: from start at step 1 up to target halfway through the budget
// (rounded down to a whole gap), then target; a target below start from the first step.
function wbCurriculumLag(step, steps, target, start) {
  start = Math.min(start, target);
  var ramp = Math.max(1, Math.floor(steps / 2)), q = Math.max(1, ramp - 1);
  var p = (target - start) * Math.min(step - 1, ramp - 1);
  return start + (p - p % q) / q;  // Python's p // q, exactly
}

// The gap of run's next batch: its lag, or on a curriculum the gap of its next step in its
// budget (the held-out stories keep the lag, so a run stops once it is solved at the lag).
function wbBatchLag(env, run) {
  return env.models[run.model].curriculum ?
    wbCurriculumLag(run.step + 1, run.steps, run.lag, env.setup.curriculum_start) : run.lag;
}

// Held-out loss and accuracy of net.
function wbEvaluate(net, held) {
  var ws = wbCoreForward(net, held.x, held.T, held.B);
  var loss = wbReadoutLoss(net, held.T, held.B, held.y);
  return {loss: loss, accuracy: ws.correct / held.B};
}

// What a step shows of the network as it trains: ‖∂L/∂h_t‖ at every word of the batch's T
// (fewer than lag + 4 early on a curriculum) divided by its largest value (the vanishing
// gradient, word by word), and the mean of the gate that keeps the past (the LSTM's forget
// gate f, the GRU's update gate z: h = (1 - z) n + z h_prev).
function wbSnapshot(net, step, T) {
  var ws = net.ws, top = 0, row = new Float64Array(T), keep = {lstm: "f", gru: "z"}[net.kind];
  for (var t = 0; t < T; t++) { top = Math.max(top, ws.gradNorm[t]); }
  for (t = 0; t < T; t++) { row[t] = top > 0 ? ws.gradNorm[t] / top : 0; }
  var snap = {step: step, grad: row, gate: null};
  if (keep) {
    var g = ws[keep], n = T * ws.B * net.H, sum = 0;
    for (var i = 0; i < n; i++) { sum += g[i]; }
    snap.gate = sum / n;
  }
  return snap;
}

// Steps of run until it ends or budget (ms, or steps when bySteps) is spent. Returns what
// happened in the slice: every step's training loss, the held-out evaluations, snapshots.
function wbSlice(env, run, budget, bySteps) {
  var s = env.setup, net = wbNetOf(env, run), held = wbHeldOut(env, run.lag);
  var out = {id: run.id, from: run.step, losses: [], evals: [], snaps: []};
  var t0 = Date.now(), done = 0;
  if (run.step === 0 && !run.last) { wbRecordEval(run, out, wbEvaluate(net, held), 0, s); }
  while (!run.done && (bySteps ? done < budget : Date.now() - t0 < budget)) {
    var batch = wbStories(env.task, wbBatchLag(env, run), s.batch, run.rng);
    var res = wbLossAndGrads(net, batch.x, batch.y, batch.T, batch.B);
    done += 1;
    if (!isFinite(res.loss)) { run.done = run.diverged = true; out.losses.push(null); break; }
    run.step += 1;
    out.losses.push(res.loss);
    if (run.step === 1 || run.step % s.record === 0) { out.snaps.push(wbSnapshot(net, run.step, batch.T)); }
    wbClip(res.grads, run.keys, s.clip);
    wbAdamStep(run.adam, run.params, res.grads);
    if (run.step % s.eval_every === 0 || run.step === run.steps) {
      wbRecordEval(run, out, wbEvaluate(net, held), run.step, s);
    }
    if (run.step >= run.steps) { run.done = true; }
  }
  return out;
}

function wbRecordEval(run, out, ev, step, s) {
  run.last = {step: step, loss: ev.loss, accuracy: ev.accuracy};
  out.evals.push(run.last);
  if (step > 0 && ev.accuracy >= s.stop_at) { run.done = run.solved = true; }
}

// The arrays of a run that a worker can take over without copying.
function wbTransfers(run) {
  var list = [];
  run.keys.forEach(function (k) {
    list.push(run.params[k].buffer, run.adam.m[k].buffer, run.adam.v[k].buffer);
  });
  return list;
}
