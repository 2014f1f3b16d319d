// The trainer's controller: reads and checks the settings, starts a session of runs in a pool
// of workers (pool.js), gathers what each slice reports, redraws at most once a frame while
// the page is visible, and shows the results and the playground of the trained networks.
// One object tr holds the page's parts (root, data, env, ui) and its session.

// The settings as the reader typed them: {config, problems}; config has the page's defaults
// for what is left out, problems names each setting that cannot be used.
function wbSettings(data, given) {
  var d = data.defaults, problems = [], cfg = {};
  var whole = function (key, lo, hi, text) {
    var raw = given[key] === undefined || given[key] === "" ? d[key] : given[key];
    var v = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
      problems.push(text + " must be a whole number from " + lo + " to " + hi + " (got " +
                    JSON.stringify(raw) + ").");
    }
    cfg[key] = v;
  };
  whole("lag", data.lags[0], data.lags[1], "The lag");
  whole("seeds", 1, data.max_seeds, "The number of seeds");
  whole("steps", 1, data.max_steps, "The number of steps");
  var models = given.models === undefined ? d.models : given.models;
  if (!Array.isArray(models) || !models.length || models.some(function (m) {
    return !Object.prototype.hasOwnProperty.call(data.models, m);
  })) {
    problems.push("Choose at least one model among " + Object.keys(data.models).join(", ") +
                  " (got " + JSON.stringify(models) + ").");
  }
  cfg.models = models;
  cfg.lr = {};
  var lr = given.lr === undefined || given.lr === null || String(given.lr).trim() === "" ?
    null : Number(typeof given.lr === "string" ? given.lr.trim() : given.lr);
  if (lr !== null && !(typeof lr === "number" && isFinite(lr) && lr > 0 && lr <= 1)) {
    problems.push("The learning rate must be a number above 0 and at most 1, or empty for " +
                  "the sweep's choice (got " + JSON.stringify(given.lr) + ").");
  }
  if (!problems.length) {
    models.forEach(function (m) { cfg.lr[m] = lr === null ? wbSweepRate(data.models[m], cfg.lag) : lr; });
  }
  cfg.chosenLr = lr === null;
  return {config: cfg, problems: problems};
}

// The rate the committed sweep chose for a model at the lag nearest to lag among those it
// searched for the model (the lower of two).
function wbSweepRate(spec, lag) {
  var lags = Object.keys(spec.lr).map(Number).sort(function (a, b) { return a - b; }), best = lags[0];
  lags.forEach(function (l) { if (Math.abs(l - lag) < Math.abs(best - lag)) { best = l; } });
  return spec.lr[String(best)];
}

function wbTrainerUi(root) {
  var q = function (s) { return root.querySelector(s); };
  return {lag: q(".wb-tr-lag"), seeds: q(".wb-tr-seeds"), steps: q(".wb-tr-steps"),
          lr: q(".wb-tr-lr"), train: q(".wb-tr-train"), pause: q(".wb-tr-pause"),
          reset: q(".wb-tr-reset"), status: q(".wb-tr-status"), message: q(".wb-tr-message"),
          rates: q(".wb-tr-rates"), panels: q(".wb-tr-panels"), results: q(".wb-tr-results"),
          talk: q(".wb-tr-talk"), playground: q(".wb-tr-playground"),
          boxes: Array.prototype.slice.call(root.querySelectorAll(".wb-tr-model"))};
}

function wbTrainerSetup(root) {
  var data = JSON.parse(root.querySelector(".wb-tr-data").textContent);
  var tr = {root: root, data: data, env: wbEnv(data), ui: wbTrainerUi(root), session: null,
            source: root.querySelector("script:not([type])").textContent};
  root.querySelector(".wb-tr-legend").innerHTML = wbGradLegend();
  root.wbLossAndGrads = function (net, x, y) { return wbApiLossAndGrads(data.gates, net, x, y); };
  root.wbStories = function (lag, batch, seed) { return wbApiStories(tr.env.task, lag, batch, seed); };
  root.wbTrain = function (config) { return wbStartSession(tr, config || {}); };
  root.wbTimeSteps = function (model, lag, steps) { return wbTimeSteps(tr, model, lag, steps); };
  wbBindTrainer(tr);
}

// For benchmarks/bench_trainer.py: milliseconds per training step of a fresh run of model at
// lag (fresh batch, loss and gradients, clipping, Adam), on this thread, after a warm-up.
function wbTimeSteps(tr, model, lag, steps) {
  var s = wbSettings(tr.data, {models: [model], lag: lag, steps: 2 * steps + 100});
  if (s.problems.length) { throw new Error(s.problems.join(" ")); }
  var env = tr.env, run = wbNewRun(env, model, 1, s.config), net = wbNetOf(env, run);
  var step = function () {
    var batch = wbStories(env.task, lag, env.setup.batch, run.rng);
    var res = wbLossAndGrads(net, batch.x, batch.y, batch.T, batch.B);
    wbClip(res.grads, run.keys, env.setup.clip);
    wbAdamStep(run.adam, run.params, res.grads);
  };
  for (var k = 0; k < steps; k++) { step(); }
  var t0 = performance.now();
  for (k = 0; k < steps; k++) { step(); }
  return (performance.now() - t0) / steps;
}

// The form's settings; a compact trainer has no fields for some (their defaults hold).
function wbFormSettings(tr) {
  var ui = tr.ui, value = function (el) { return el ? el.value : undefined; };
  return {lag: value(ui.lag), seeds: value(ui.seeds), steps: value(ui.steps), lr: value(ui.lr),
          models: ui.boxes.length ? ui.boxes.filter(function (b) { return b.checked; }).map(
            function (b) { return b.value; }) : undefined};
}

function wbBindTrainer(tr) {
  var ui = tr.ui;
  ui.train.addEventListener("click", function () {
    wbStartSession(tr, wbFormSettings(tr)).catch(function () { return null; });
  });
  ui.pause.addEventListener("click", function () {
    var s = tr.session;
    if (!s || s.over) { return; }
    s.paused = !s.paused;
    if (s.paused) { s.pool.pause(); } else { s.pool.start(); }
    ui.pause.textContent = s.paused ? "Resume" : "Pause";
    wbShowStatus(tr);
  });
  ui.reset.addEventListener("click", function () { wbEndSession(tr, "reset"); wbClear(tr); });
  if (ui.talk) { ui.talk.addEventListener("click", function () { wbOpenPlayground(tr); }); }
  [ui.lag, ui.lr].concat(ui.boxes).filter(Boolean).forEach(function (el) {
    el.addEventListener("input", function () { wbShowRates(tr, wbSettings(tr.data, wbFormSettings(tr))); });
  });
  wbShowRates(tr, wbSettings(tr.data, wbFormSettings(tr)));
}

// The learning rates the settings would use, or what is wrong with the settings.
function wbShowRates(tr, s) {
  tr.ui.message.textContent = s.problems.join(" ");
  tr.ui.rates.textContent = s.problems.length ? "" : "Learning rates: " + s.config.models.map(function (m) {
    return tr.data.models[m].label + ": " + s.config.lr[m];
  }).join("; ") + (s.config.chosenLr ? " (the sweep's choices, each at the lag nearest " + s.config.lag +
    " that the sweep searched for that model)" : "") + ".";
}

// A new session of runs (any session before it ends); a Promise of the contract's results.
function wbStartSession(tr, given) {
  var s = wbSettings(tr.data, given), ui = tr.ui;
  wbShowRates(tr, s);
  if (s.problems.length) { return Promise.reject(new Error(s.problems.join(" "))); }
  wbEndSession(tr, "replaced");
  wbClear(tr);
  var cfg = s.config, runs = [], hist = {};
  cfg.models.forEach(function (m) {
    for (var seed = 1; seed <= cfg.seeds; seed++) {
      var run = wbNewRun(tr.env, m, seed, cfg);
      runs.push(run);
      hist[run.id] = {losses: [], evals: [], snaps: []};
    }
  });
  var session = tr.session = {cfg: cfg, runs: runs, hist: hist, panels: {}, start: Date.now(),
                              paused: false, over: false, frame: 0};
  cfg.models.forEach(function (m) {
    session.panels[m] = wbTrainerPanel(tr.root, m, tr.data.models[m], tr.data.compact,
                                       tr.data.setup.record);
    wbAxes(session.panels[m], cfg);
  });
  ui.pause.disabled = false;
  ui.pause.textContent = "Pause";
  return new Promise(function (resolve) {
    session.resolve = resolve;
    var workers = Math.max(1, Math.min(tr.data.max_workers, navigator.hardwareConcurrency || 2,
                                       runs.length));
    session.pool = wbPool(tr.env, tr.source, tr.data, runs, {workers: workers},
      function (run, out) { wbGather(session, run, out); wbSchedule(tr, session); },
      function () { wbFinish(tr, session); });
    wbShowStatus(tr);
  });
}

function wbAxes(sec, cfg) {
  Array.prototype.forEach.call(sec.querySelectorAll("[data-chart] .wb-tr-x"), function (x) {
    x.innerHTML = x.closest("[data-chart='grad']") ? wbWordPositions(cfg.lag + 4) : wbStepAxis(cfg.steps);
  });
  var y = sec.querySelector("[data-chart='grad'] .wb-tr-y");
  y.innerHTML = "<span>step 1</span><span>\u2193</span><span>" + cfg.steps + "</span>";
}

function wbGather(session, run, out) {
  var h = session.hist[run.id];
  h.losses.push.apply(h.losses, out.losses);
  h.evals.push.apply(h.evals, out.evals);
  h.snaps.push.apply(h.snaps, out.snaps);
  session.runs[session.runs.findIndex(function (r) { return r.id === run.id; })] = run;
}

// Redraw at a frame at most every WB_DRAW_MS, once however many slices arrive before it: the
// charts stay live and the drawing leaves the cores to the workers. A hidden page (no frames)
// draws when it is shown again.
var WB_DRAW_MS = 250;
function wbSchedule(tr, session) {
  if (session.frame) { return; }
  var wait = Math.max(0, (session.drawn || 0) + WB_DRAW_MS - Date.now());
  session.frame = setTimeout(function () {
    requestAnimationFrame(function () {
      session.frame = 0;
      session.drawn = Date.now();
      if (tr.session === session && !session.over) { wbDraw(tr, session); }
    });
  }, wait);
}

function wbDraw(tr, session) {
  var t0 = performance.now();
  session.cfg.models.forEach(function (m) {
    var runs = session.runs.filter(function (r) { return r.model === m; }), sec = session.panels[m];
    wbDrawModel(sec, runs, session.hist, session.cfg, tr.data.setup);
    sec.querySelector(".wb-tr-rate").textContent = "(learning rate " + session.cfg.lr[m] + ")";
    sec.querySelector(".wb-tr-now").textContent = runs.map(wbRunText).join("; ");
  });
  wbShowStatus(tr);
  tr.root.wbLastDrawMs = performance.now() - t0;
}

function wbShowStatus(tr) {
  var s = tr.session, ui = tr.ui;
  if (!s) { ui.status.textContent = ""; return; }
  var done = s.runs.filter(function (r) { return r.done; }).length, secs = ((s.end || Date.now()) - s.start) / 1000;
  var where = s.pool && s.pool.mode === "main" ? " on this page's own thread (no worker could start)" :
    s.pool && s.pool.mode === "workers" ? " in " + s.pool.executors.length + " workers" : "";
  ui.status.textContent = s.over ? "Done: " + s.runs.length + " runs in " + secs.toFixed(1) + " s" + where + "." :
    (s.paused ? "Paused: " : "Training: ") + done + " of " + s.runs.length + " runs done, " +
    secs.toFixed(0) + " s" + where + ".";
}

function wbFinish(tr, session) {
  session.over = true;
  session.end = Date.now();
  wbDraw(tr, session);
  tr.ui.pause.disabled = true;
  tr.ui.results.innerHTML = wbResultsTable(session.cfg.models, tr.data.models, session.runs,
                                           tr.data.setup.stop_at);
  if (tr.ui.talk) { tr.ui.talk.hidden = false; }
  var out = {models: {}};
  session.cfg.models.forEach(function (m) {
    out.models[m] = session.runs.filter(function (r) { return r.model === m; }).map(function (r) {
      return {seed: r.seed, step: r.step, loss: r.last.loss, accuracy: r.last.accuracy,
              solved: r.solved, diverged: r.diverged};
    });
  });
  session.resolve(out);
}

function wbEndSession(tr, why) {
  var s = tr.session;
  if (s && !s.over) {
    s.over = true;
    s.pool.stop();
    s.resolve({models: {}, stopped: why});
  }
}

function wbClear(tr) {
  var ui = tr.ui;
  tr.session = null;
  ui.panels.innerHTML = "";
  ui.results.innerHTML = "";
  ui.playground.innerHTML = "";
  if (ui.talk) { ui.talk.hidden = true; }
  ui.pause.disabled = true;
  ui.pause.textContent = "Pause";
  ui.status.textContent = "";
}

// The trained networks in a playground on this page: each model's best seed (the highest
// held-out accuracy, the first of equals), so the reader types a story to what they trained.
function wbOpenPlayground(tr) {
  var s = tr.session, d = tr.data, task = d.task;
  if (!s || !s.over) { return; }
  var records = s.cfg.models.map(function (m) {
    var runs = s.runs.filter(function (r) { return r.model === m && !r.diverged; });
    var best = runs.reduce(function (a, r) { return !a || r.last.accuracy > a.last.accuracy ? r : a; }, null);
    var spec = d.models[m];
    return best && {name: m, kind: spec.kind, label: spec.label + ", seed " + best.seed,
                    H: spec.hidden, D: d.setup.embed, K: task.languages.length,
                    act: spec.nonlinearity, w: best.params};
  }).filter(Boolean);
  if (!records.length) { tr.ui.playground.textContent = "Every run diverged: there is no network to talk to."; return; }
  tr.ui.playground.innerHTML = tr.root.querySelector(".wb-tr-pg").innerHTML;
  var pg = tr.ui.playground.querySelector(".wb-playground");
  pg.setAttribute("data-ready", "1");
  wbPlaygroundSetup(pg, {models: records, gates: d.gates, vocab: task.vocab, classes: task.languages,
                         countries: task.countries, story: d.playground.story,
                         default_story: d.playground.story, templates: task.templates,
                         slots: task.slots, seed: d.playground.seed});
  pg.focus();
}
