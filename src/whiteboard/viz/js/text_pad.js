// The text pad: the language models of Python source read the reader's code in the page.
// The forward pass is the playground's (engine.js: wbPre, WB_STEP, wbSoftmax), run one
// character at a time so that a model can write on from where the text ends.

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

function wbTextModel(rec, spec) {
  var m = wbModel({name: rec.name, kind: rec.kind, label: rec.label, H: rec.H, D: rec.D,
                   K: rec.K, act: rec.act, weights: {}}, spec);
  for (var key in rec.weights) { m.w[key] = wbHalves(rec.weights[key]); }
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

// A run that grows one character at a time: room for cap steps, from the zero state.
function wbTextRun(m, cap) {
  var H = m.H, rows = H * Math.max(1, m.gates.length), out = {h: new Float64Array(cap * H)};
  for (var k = 0; k < m.gates.length; k++) { out[m.gates[k].name] = new Float64Array(cap * H); }
  if (m.kind === "lstm") { out.c = new Float64Array(cap * H); }
  return {m: m, out: out, t: 0, probs: new Float64Array(cap * m.K),
          pre: {pi: new Float64Array(rows), ph: new Float64Array(rows)}};
}

function wbTextStep(run, id) {
  var m = run.m, t = run.t;
  wbPre(m, id, run.out.h, (t - 1) * m.H, run.pre.pi, run.pre.ph);
  WB_STEP[m.kind](m, run.pre, run.out, t, []);
  wbSoftmax(m, run.out.h, t, run.probs);
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
