// The text pad: the language models of Python source read the reader's code in the page.
// The forward pass is the playground's (cells.js's steps, network.js's input rows and
// recurrent products, engine.js's softmax), run one character at a time so that a model can
// write on from where the text ends.

// float16 weights: little-endian bytes in base64, read as float64 numbers (exactly).
function wbHalves(w) {
  var bin = atob(w.data), out = new Float64Array(bin.length / 2);
  for (var n = 0; n < out.length; n++) {
    var b = bin.charCodeAt(2 * n) | (bin.charCodeAt(2 * n + 1) << 8);
    var e = (b >> 10) & 31, f = b & 1023;
    var v = e === 31 ? (f ? NaN : Infinity) :
      (e ? (1024 + f) * Math.pow(2, e - 25) : f * Math.pow(2, -24));
    out[n] = b & 32768 ? -v : v;
  }
  return out;
}

// A model as engine.js makes one, from float16 weights (given to wbModel as arrays).
function wbTextModel(rec, spec) {
  var w = {};
  for (var key in rec.weights) { w[key] = wbHalves(rec.weights[key]); }
  var m = wbModel({name: rec.name, kind: rec.kind, label: rec.label, H: rec.H, D: rec.D,
                   K: rec.K, act: rec.act, w: w}, spec);
  m.units = rec.units;
  m.stateName = rec.state;
  return m;
}

// to_alphabet's rule: a tab is four spaces, any other character outside the alphabet is "?".
function wbTextIds(text, chars) {
  var index = {}, ids = [], replaced = 0, clean = [];
  for (var i = 0; i < chars.length; i++) { index[chars.charAt(i)] = i; }
  var points = Array.from(String(text).replace(/\r\n/g, "\n").replace(/\t/g, "    "));
  for (var k = 0; k < points.length; k++) {
    var ch = points[k];
    if (!Object.prototype.hasOwnProperty.call(index, ch)) { replaced++; ch = "?"; }
    ids.push(index[ch]);
    clean.push(ch);
  }
  return {text: clean.join(""), ids: ids, replaced: replaced};
}

// A run that grows one character at a time: room for cap steps, from the zero state. It
// keeps only what a cell's forward step writes (network.js's workspace, without the
// training buffers) and the input rows U x + b_ih of every character, made once.
function wbTextRun(m, cap) {
  var ws = {R: new Float64Array(m.GH), P: new Float64Array(m.vocab * m.GH),
            mark: new Int32Array(m.vocab).fill(-1), ids: []}, all = [];
  WB_CELL[m.kind].states.forEach(function (s) { ws[s] = new Float64Array(cap * m.H); });
  for (var id = 0; id < m.vocab; id++) { all.push(id); }
  wbProject(m, all, ws);
  return {m: m, out: ws, t: 0, probs: new Float64Array(cap * m.K)};
}

// Step t of wbCoreForward with a batch of one: R = W h_{t-1} + b_hh, then the cell's step.
function wbTextStep(run, id) {
  var m = run.m, ws = run.out, t = run.t, H = m.H, GH = m.GH;
  if (t > 0) { wbRowsTimes(m.w.weight_hh_l0, GH, H, ws.h, (t - 1) * H, m.w.bias_hh_l0, 0, ws.R, 0); }
  else { ws.R.set(m.w.bias_hh_l0); }
  WB_CELL[m.kind].forward(m, ws, t, id * GH, ws.R, t - 1, []);
  wbSoftmax(m, ws.h, t, run.probs);
  run.t = t + 1;
}

// The logits z = V h_t + c after the last character read.
function wbTextLogits(run) {
  var m = run.m, K = m.K, H = m.H, V = m.w.V, at = (run.t - 1) * H, z = new Float64Array(K);
  for (var k = 0; k < K; k++) {
    var s = 0;
    for (var j = 0; j < H; j++) { s += V[k * H + j] * run.out.h[at + j]; }
    z[k] = s + m.w.c[k];
  }
  return z;
}

// sample_ids' draw: p ∝ exp((z − max z) / τ), the first k whose running sum exceeds u · Σ p.
function wbTextDraw(z, temperature, u) {
  var top = -Infinity, k, cdf = new Float64Array(z.length), sum = 0;
  for (k = 0; k < z.length; k++) { top = Math.max(top, z[k]); }
  for (k = 0; k < z.length; k++) { sum += Math.exp((z[k] - top) / temperature); cdf[k] = sum; }
  var target = u * sum;
  for (k = 0; k < z.length; k++) { if (cdf[k] > target) { return k; } }
  return z.length - 1;
}

function wbTextRows(flat, n, T) {
  var rows = [];
  for (var t = 0; t < T; t++) { rows.push(Array.from(flat.subarray(t * n, (t + 1) * n))); }
  return rows;
}

function wbTextEngine(data) {
  var models = data.models.map(function (r) { return wbTextModel(r, data.gates[r.kind]); });
  function model(name) {
    var m = models.filter(function (x) { return x.name === name; })[0];
    if (!m) { throw new Error("no model called " + name + " here"); }
    return m;
  }
  function read(text) {
    var tok = wbTextIds(text, data.chars), res = {};
    models.forEach(function (m) {
      var run = wbTextRun(m, Math.max(1, tok.ids.length));
      tok.ids.forEach(function (id) { wbTextStep(run, id); });
      res[m.name] = run;
    });
    return {text: tok.text, ids: tok.ids, replaced: tok.replaced, runs: res};
  }
  function sample(name, text, n, temperature, seed) {
    var m = model(name), tok = wbTextIds(text || "\n", data.chars);
    var run = wbTextRun(m, tok.ids.length + n), rand = wbRandom(seed), ids = [], u = [];
    tok.ids.forEach(function (id) { wbTextStep(run, id); });
    for (var k = 0; k < n; k++) {
      u.push(rand());
      ids.push(wbTextDraw(wbTextLogits(run), temperature, u[k]));
      wbTextStep(run, ids[k]);
    }
    return {text: ids.map(function (id) { return data.chars.charAt(id); }).join(""), ids: ids,
            u: u};
  }
  // The contract (root.wbRead): arrays [character][class] and [character][unit].
  function contract(text) {
    var r = read(text), out = {text: r.text, ids: r.ids, replaced: r.replaced, models: {}};
    models.forEach(function (m) {
      var run = r.runs[m.name], T = r.ids.length;
      out.models[m.name] = {probs: wbTextRows(run.probs, m.K, T),
                            state: wbTextRows(run.out[m.stateName], m.H, T),
                            h: wbTextRows(run.out.h, m.H, T)};
    });
    return out;
  }
  return {models: models, read: read, sample: sample, contract: contract};
}
