// The runs of a training session, shared out to Web Workers made from the page's own script
// (whiteboard.viz.script: the same text, run in a worker, calls wbWorkerMain). A run goes to
// whichever worker is free for one slice (about SLICE_MS of steps) and comes back, weights
// and all, so every seed's line grows together and no worker idles while runs remain. Where
// no worker starts (a notebook front end may forbid them), the same slices run on the main
// thread, a short one per task, and the page stays free between them.

var WB_SLICE_MS = 60;
var WB_MAIN_SLICE_MS = 15;
var WB_WORKER_WAIT_MS = 3000;

// In a worker: answer "init" with "ready", and each slice with the run and what happened.
function wbWorkerMain() {
  var env = null;
  self.onmessage = function (ev) {
    var msg = ev.data;
    if (msg.type === "init") {
      env = wbEnv(msg.data);
      self.postMessage({type: "ready"});
      return;
    }
    var out = wbSlice(env, msg.run, msg.budget, msg.bySteps);
    self.postMessage({type: "slice", run: msg.run, out: out}, wbTransfers(msg.run));
  };
}

// Workers that answered "init" within WB_WORKER_WAIT_MS; [] where none can start.
function wbStartWorkers(source, data, count, done) {
  var ready = [], settled = 0, url;
  function settle() { settled += 1; if (settled === count) { done(ready); } }
  try {
    url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
  } catch {
    done([]);
    return;
  }
  for (var k = 0; k < count; k++) {
    (function () {
      var w, over = false, timer;
      function fail() {
        if (over) { return; }
        over = true; clearTimeout(timer);
        if (w) { w.terminate(); }
        settle();
      }
      try { w = new Worker(url); } catch { fail(); return; }
      timer = setTimeout(fail, WB_WORKER_WAIT_MS);
      w.onerror = function (ev) { if (ev.preventDefault) { ev.preventDefault(); } fail(); };
      w.onmessage = function (ev) {
        if (over || ev.data.type !== "ready") { return; }
        over = true; clearTimeout(timer);
        ready.push(w);
        settle();
      };
      w.postMessage({type: "init", data: data});
    })();
  }
}

// A pool over runs: start() hands slices out until every run is done, pause() lets the slices
// in flight finish and hands out no more, stop() ends the workers. onSlice(run, out) after
// every slice; onEnd() once all runs are done. opts: {workers: how many to try}. An executor
// is a worker, or the main thread ({main: true}); each runs one slice at a time.
function wbPool(env, source, data, runs, opts, onSlice, onEnd) {
  var pool = {runs: runs, executors: [], queue: runs.slice(), busy: 0, paused: false,
              stopped: false, mode: "starting"};
  // The executor gets its next slice before the page draws this one: it never waits on a draw.
  function finish(ex, run, out) {
    ex.busy = false;
    pool.busy -= 1;
    runs[runs.findIndex(function (r) { return r.id === run.id; })] = run;
    if (!run.done) { pool.queue.push(run); }
    next(ex);
    onSlice(run, out);
    if (!pool.busy && !pool.queue.length && !pool.stopped) { pool.stopped = true; onEnd(); }
  }
  function next(ex) {
    if (ex.busy || pool.paused || pool.stopped || !pool.queue.length) { return; }
    var run = pool.queue.shift();
    ex.busy = true;
    pool.busy += 1;
    if (ex.main) {
      setTimeout(function () {
        finish(ex, run, wbSlice(env, run, WB_MAIN_SLICE_MS, false));
      }, 0);
      return;
    }
    ex.worker.onmessage = function (ev) { finish(ex, ev.data.run, ev.data.out); };
    ex.worker.postMessage({type: "slice", run: run, budget: WB_SLICE_MS, bySteps: false},
                          wbTransfers(run));
  }
  pool.start = function () {
    pool.paused = false;
    pool.executors.forEach(next);
  };
  pool.pause = function () { pool.paused = true; };
  pool.stop = function () {
    pool.stopped = true;
    pool.executors.forEach(function (ex) { if (ex.worker) { ex.worker.terminate(); } });
  };
  wbStartWorkers(source, data, opts.workers, function (ready) {
    pool.executors = ready.length ? ready.map(function (w) { return {worker: w}; })
      : [{main: true}];
    pool.mode = ready.length ? "workers" : "main";
    if (pool.stopped) { pool.stop(); return; }
    pool.executors.forEach(next);
  });
  return pool;
}
