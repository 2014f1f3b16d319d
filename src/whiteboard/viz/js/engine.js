// The playground's engine: the stored networks' forward pass, mirrored from whiteboard.models
// (equations in whiteboard/cells/*.py), and the story tokeniser of encode_story.
// Plain JavaScript, no library: it runs offline, in the book, JupyterLab, Colab and Voila.

// The weights: little-endian float32 or float64 bytes in base85 (the alphabet of Python's
// b85encode; each 5 characters are 4 bytes, big-endian base 85), read as float64 numbers.
var WB_B85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
function wbDecode(w) {
  var s = w.data, digit = new Uint8Array(128), bytes = new Uint8Array(s.length / 5 * 4);
  for (var d = 0; d < 85; d++) { digit[WB_B85.charCodeAt(d)] = d; }
  for (var i = 0, at = 0; i < s.length; i += 5, at += 4) {
    var v = 0;
    for (var k = 0; k < 5; k++) { v = v * 85 + digit[s.charCodeAt(i + k)]; }
    bytes[at] = v / 16777216; bytes[at + 1] = v >>> 16; bytes[at + 2] = v >>> 8; bytes[at + 3] = v;
  }
  var view = new DataView(bytes.buffer), size = w.dtype === "f4" ? 4 : 8;
  var out = new Float64Array(bytes.length / size);
  for (var n = 0; n < out.length; n++) {
    out[n] = size === 4 ? view.getFloat32(4 * n, true) : view.getFloat64(8 * n, true);
  }
  return out;
}

// sigmoid as whiteboard.cells.activations computes it: (1 + tanh(x/2)) / 2 never overflows
var WB_ACT = {
  sigmoid: function (x) { return 0.5 * (1 + Math.tanh(0.5 * x)); },
  tanh: Math.tanh,
  relu: function (x) { return x > 0 ? x : 0; }
};
var WB_RANGE = {sigmoid: [0, 1], tanh: [-1, 1]};

function wbModel(rec, spec) {
  var m = {name: rec.name, kind: rec.kind, label: rec.label, H: rec.H, D: rec.D, K: rec.K,
           act: WB_ACT[rec.act || "tanh"], gates: spec || [], w: {}};
  for (var key in rec.weights) { m.w[key] = wbDecode(rec.weights[key]); }
  m.byName = {};
  for (var g = 0; g < m.gates.length; g++) { m.byName[m.gates[g].name] = m.gates[g]; }
  return m;
}

// Levenshtein distance, for naming the known words nearest to an unknown one.
function wbDistance(a, b) {
  var prev = [], cur, i, j;
  for (j = 0; j <= b.length; j++) { prev[j] = j; }
  for (i = 1; i <= a.length; i++) {
    cur = [i];
    for (j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1,
                        prev[j - 1] + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function wbNearest(word, vocab) {
  var w = word.toLowerCase(), limit = Math.max(1, Math.floor(w.length / 2)), found = [];
  for (var k = 0; k < vocab.length; k++) {
    var d = wbDistance(w, vocab[k].toLowerCase());
    if (d <= limit) { found.push([d, k]); }
  }
  found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  return found.slice(0, 3).map(function (f) { return vocab[f[1]]; });
}

// encode_story's rules: split at spaces and full stops (a full stop is a word), then try the
// word, its lower case and its Capitalised form. Unknown words are listed, not fatal.
function wbTokenise(text, vocab, index) {
  var words = String(text).match(/[^\s.]+|\./g) || [];
  var tokens = [], ids = [], unknown = [];
  for (var p = 0; p < words.length; p++) {
    var w = words[p];
    var forms = [w, w.toLowerCase(), w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()];
    var id = -1;
    for (var f = 0; f < forms.length && id < 0; f++) {
      if (Object.prototype.hasOwnProperty.call(index, forms[f])) { id = index[forms[f]]; }
    }
    if (id < 0) { unknown.push({word: w, position: p, nearest: wbNearest(w, vocab)}); }
    else { tokens.push(vocab[id]); ids.push(id); }
  }
  return {tokens: tokens, ids: ids, unknown: unknown};
}

// The pre-activations of every stacked row, written into pi and ph: input part (U x_t + b_ih;
// x_t one-hot, or the embedding row E[id] when the network learned one) and recurrent part
// (W h_{t-1} + b_hh), kept apart because the GRU's candidate needs that.
function wbPre(m, id, h, hAt, pi, ph) {
  var H = m.H, D = m.D, w = m.w, wih = w.weight_ih_l0, whh = w.weight_hh_l0;
  var bih = w.bias_ih_l0, bhh = w.bias_hh_l0, E = w.E, rows = pi.length;
  for (var r = 0; r < rows; r++) {
    if (E) {  // a learned embedding: x_t = E[id], D numbers
      var u = 0;
      for (var d = 0; d < D; d++) { u += wih[r * D + d] * E[id * D + d]; }
      pi[r] = u + bih[r];
    } else {  // one-hot: U x_t is column id of U
      pi[r] = wih[r * D + id] + bih[r];
    }
    var s = 0, base = r * H;
    if (hAt >= 0) {
      for (var k = 0; k < H; k++) { s += whh[base + k] * h[hAt + k]; }
    }
    ph[r] = s + bhh[r];
  }
}

// Gate g at step t, written into out[g.name] at [t][*]: act(pre) unless an override forces it
// (later overrides win, as in run_whatif, where each override pins a copy of the model in turn).
function wbGate(m, g, pre, t, forced, out, rPart) {
  var H = m.H, dst = out[g.name], at = t * H, act = WB_ACT[g.activation], b = g.block * H;
  var pi = pre.pi, ph = pre.ph;
  for (var j = 0; j < H; j++) {
    dst[at + j] = act(rPart ? pi[b + j] + rPart[at + j] * ph[b + j] : pi[b + j] + ph[b + j]);
  }
  for (var o = 0; o < forced.length; o++) {
    if (forced[o].gate === g.name && t >= forced[o].start) { dst.fill(forced[o].value, at, at + H); }
  }
}

// One step of each cell (PyTorch's equations, as in whiteboard/cells), writing row t of the
// flat arrays in out; row t - 1 holds the previous state (zero before the first word).
var WB_STEP = {
  rnn: function (m, pre, out, t) {
    var H = m.H, h = out.h, at = t * H;
    for (var j = 0; j < H; j++) { h[at + j] = m.act(pre.pi[j] + pre.ph[j]); }
  },
  lstm: function (m, pre, out, t, forced) {
    for (var k = 0; k < m.gates.length; k++) { wbGate(m, m.gates[k], pre, t, forced, out); }
    var H = m.H, at = t * H, c = out.c, h = out.h;
    var i = out.i, f = out.f, g = out.g, o = out.o;
    for (var j = 0; j < H; j++) {
      var prev = t ? c[at - H + j] : 0;
      c[at + j] = f[at + j] * prev + i[at + j] * g[at + j];   // c_t = f ⊙ c_{t-1} + i ⊙ g
      h[at + j] = o[at + j] * Math.tanh(c[at + j]);           // h_t = o ⊙ tanh(c_t)
    }
  },
  gru: function (m, pre, out, t, forced) {
    var B = m.byName, H = m.H, at = t * H, h = out.h, z = out.z, n = out.n;
    wbGate(m, B.r, pre, t, forced, out);
    wbGate(m, B.z, pre, t, forced, out);
    wbGate(m, B.n, pre, t, forced, out, out.r);  // n = tanh(U_n x + b_in + r ⊙ (W_n h + b_hn))
    for (var j = 0; j < H; j++) {
      var prev = t ? h[at - H + j] : 0;
      h[at + j] = (1 - z[at + j]) * n[at + j] + z[at + j] * prev;
    }
  }
};

// softmax(V h_t + c), written into probs at [t][*].
function wbSoftmax(m, h, t, probs) {
  var K = m.K, H = m.H, V = m.w.V, at = t * K, top = -Infinity, sum = 0, k;
  for (k = 0; k < K; k++) {
    var s = 0;
    for (var j = 0; j < H; j++) { s += V[k * H + j] * h[t * H + j]; }
    probs[at + k] = s + m.w.c[k];
    top = Math.max(top, probs[at + k]);
  }
  for (k = 0; k < K; k++) { probs[at + k] = Math.exp(probs[at + k] - top); sum += probs[at + k]; }
  for (k = 0; k < K; k++) { probs[at + k] /= sum; }
}

function wbCheckOverrides(m, list) {
  if (!Array.isArray(list)) { throw new Error("overrides of " + m.name + " must be a list"); }
  return list.map(function (ov) {
    var g = m.byName[ov && ov.gate];
    if (!g) {
      throw new Error(m.name + " has " + (m.gates.length ? "gates " + m.gates.map(
        function (x) { return x.name; }).join(", ") : "no gates") + ", got " + (ov && ov.gate));
    }
    var v = Number(ov.value), lo = WB_RANGE[g.activation][0], start = Number(ov.start || 0);
    if (!(v >= lo && v <= 1)) { throw new Error("gate " + g.name + " must lie in [" + lo + ", 1]"); }
    if (!(start >= 0) || Math.floor(start) !== start) {
      throw new Error("start must be a word index >= 0, got " + ov.start);
    }
    return {gate: g.name, value: v, start: start};
  });
}

// The whole run of one model over the ids, as flat arrays: out[name][t * H + j] for h, every
// gate and c, and out.probs[t * K + k]. One buffer per array and none per step keeps a
// recompute cheap; wbEngine's run() turns them into the [word][unit] lists of the contract.
function wbForward(m, ids, forced) {
  var T = ids.length, H = m.H, rows = H * Math.max(1, m.gates.length);
  var out = {h: new Float64Array(T * H), probs: new Float64Array(T * m.K)};
  for (var k = 0; k < m.gates.length; k++) { out[m.gates[k].name] = new Float64Array(T * H); }
  if (m.kind === "lstm") { out.c = new Float64Array(T * H); }
  var pre = {pi: new Float64Array(rows), ph: new Float64Array(rows)};
  for (var t = 0; t < T; t++) {
    wbPre(m, ids[t], out.h, (t - 1) * H, pre.pi, pre.ph);
    WB_STEP[m.kind](m, pre, out, t, forced);
    wbSoftmax(m, out.h, t, out.probs);
  }
  return out;
}

// A flat array [T * n] as a list of T lists of n numbers.
function wbRows(flat, n) {
  var rows = [];
  for (var at = 0; at < flat.length; at += n) { rows.push(Array.from(flat.subarray(at, at + n))); }
  return rows;
}

function wbEngine(data) {
  var models = [], index = {};
  for (var i = 0; i < data.vocab.length; i++) { index[data.vocab[i]] = i; }
  for (i = 0; i < data.models.length; i++) {
    models.push(wbModel(data.models[i], data.gates[data.models[i].kind]));
  }
  function model(name) {
    return models.filter(function (m) { return m.name === name; })[0];
  }
  // The page's own runs: the same numbers as run(), kept as flat arrays.
  function compute(text, overrides) {
    overrides = overrides || {};
    for (var name in overrides) {
      if (!model(name)) {
        throw new Error("no model called " + name + " here; the models are " +
                        models.map(function (m) { return m.name; }).join(", "));
      }
    }
    var tok = wbTokenise(text, data.vocab, index), res = {};
    for (var k = 0; k < models.length; k++) {
      var m = models[k];
      res[m.name] = wbForward(m, tok.ids, wbCheckOverrides(m, overrides[m.name] || []));
    }
    return {tokens: tok.tokens, ids: tok.ids, unknown: tok.unknown, models: res};
  }
  // The contract (root.wbRun): arrays [word][unit] and [word][class].
  function run(text, overrides) {
    var res = compute(text, overrides);
    for (var name in res.models) {
      var flat = res.models[name], m = model(name);
      for (var key in flat) { flat[key] = wbRows(flat[key], key === "probs" ? m.K : m.H); }
    }
    return res;
  }
  function force(m, ids, list) { return wbForward(m, ids, wbCheckOverrides(m, list)); }
  return {models: models, model: model, compute: compute, run: run, force: force};
}

// The distractors: a small seeded generator (mulberry32) fills the task's templates.
function wbRandom(seed) {
  var a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    var t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wbDistractor(data, seed) {
  var rand = wbRandom(seed), tpl = data.templates[Math.floor(rand() * data.templates.length)];
  return tpl.replace(/\{(\w+)\}/g, function (_, slot) {
    var words = data.slots[slot];
    return words[Math.floor(rand() * words.length)];
  });
}

// Put a distractor sentence before the closing "she speaks" (or at the end, if none).
function wbAddDistractor(text, sentence) {
  var m = /\bshe\s+speaks\s*\.?\s*$/i.exec(text);
  if (!m) { return text.replace(/\s*$/, "") + " " + sentence; }
  var head = text.slice(0, m.index).replace(/\s*$/, "");
  return (head ? head + " " : "") + sentence + " " + text.slice(m.index);
}
