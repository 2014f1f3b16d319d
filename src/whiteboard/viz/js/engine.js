// The playground's engine: the stored networks' forward pass, mirrored from whiteboard.models
// (equations in whiteboard/cells/*.py), and the story tokeniser of encode_story.
// Plain JavaScript, no library: it runs offline, in the book, JupyterLab, Colab and Voila.

// The weights: base64 of little-endian float32 or float64 bytes, read as float64 numbers.
function wbDecode(w) {
  var bin = atob(w.data), n = bin.length, bytes = new Uint8Array(n);
  for (var i = 0; i < n; i++) { bytes[i] = bin.charCodeAt(i); }
  var view = new DataView(bytes.buffer), size = w.dtype === "f4" ? 4 : 8;
  var out = new Float64Array(n / size);
  for (var k = 0; k < out.length; k++) {
    out[k] = size === 4 ? view.getFloat32(4 * k, true) : view.getFloat64(8 * k, true);
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

// The pre-activations of every stacked row: input part (U x_t + b_ih; x_t one-hot, or the
// embedding row E[id] when the network learned one) and
// recurrent part (W h_{t-1} + b_hh), kept apart because the GRU's candidate needs that.
function wbPre(m, id, h, rows) {
  var H = m.H, D = m.D, w = m.w, wih = w.weight_ih_l0, whh = w.weight_hh_l0;
  var bih = w.bias_ih_l0, bhh = w.bias_hh_l0, E = w.E;
  var pi = new Float64Array(rows), ph = new Float64Array(rows);
  for (var r = 0; r < rows; r++) {
    if (E) {  // a learned embedding: x_t = E[id], D numbers
      var u = 0;
      for (var d = 0; d < D; d++) { u += wih[r * D + d] * E[id * D + d]; }
      pi[r] = u + bih[r];
    } else {  // one-hot: U x_t is column id of U
      pi[r] = wih[r * D + id] + bih[r];
    }
    var s = 0, base = r * H;
    for (var k = 0; k < H; k++) { s += whh[base + k] * h[k]; }
    ph[r] = s + bhh[r];
  }
  return {pi: pi, ph: ph};
}

// Gate g at step t: act(pre) unless an override forces it (later overrides win, as in
// run_whatif, where each override pins a copy of the model in turn).
function wbGate(m, g, pre, t, forced, rPart) {
  var H = m.H, out = new Float64Array(H), act = WB_ACT[g.activation], b = g.block * H;
  for (var j = 0; j < H; j++) {
    out[j] = act(rPart ? pre.pi[b + j] + rPart[j] * pre.ph[b + j]
                       : pre.pi[b + j] + pre.ph[b + j]);
  }
  for (var o = 0; o < forced.length; o++) {
    if (forced[o].gate === g.name && t >= forced[o].start) { out.fill(forced[o].value); }
  }
  return out;
}

// One step of each cell (PyTorch's equations, as in whiteboard/cells).
var WB_STEP = {
  rnn: function (m, pre, st) {
    var h = new Float64Array(m.H);
    for (var j = 0; j < m.H; j++) { h[j] = m.act(pre.pi[j] + pre.ph[j]); }
    return {h: h};
  },
  lstm: function (m, pre, st, t, forced) {
    var G = {};
    for (var k = 0; k < m.gates.length; k++) {
      G[m.gates[k].name] = wbGate(m, m.gates[k], pre, t, forced);
    }
    var c = new Float64Array(m.H), h = new Float64Array(m.H);
    for (var j = 0; j < m.H; j++) {
      c[j] = G.f[j] * st.c[j] + G.i[j] * G.g[j];      // c_t = f ⊙ c_{t-1} + i ⊙ g
      h[j] = G.o[j] * Math.tanh(c[j]);                // h_t = o ⊙ tanh(c_t)
    }
    G.c = c; G.h = h;
    return G;
  },
  gru: function (m, pre, st, t, forced) {
    var G = {}, B = m.byName;
    G.r = wbGate(m, B.r, pre, t, forced);
    G.z = wbGate(m, B.z, pre, t, forced);
    G.n = wbGate(m, B.n, pre, t, forced, G.r);        // n = tanh(U_n x + b_in + r ⊙ (W_n h + b_hn))
    var h = new Float64Array(m.H);
    for (var j = 0; j < m.H; j++) { h[j] = (1 - G.z[j]) * G.n[j] + G.z[j] * st.h[j]; }
    G.h = h;
    return G;
  }
};

function wbSoftmax(m, h) {
  var K = m.K, H = m.H, z = new Float64Array(K), top = -Infinity, sum = 0;
  for (var k = 0; k < K; k++) {
    var s = 0;
    for (var j = 0; j < H; j++) { s += m.w.V[k * H + j] * h[j]; }
    z[k] = s + m.w.c[k];
    top = Math.max(top, z[k]);
  }
  for (k = 0; k < K; k++) { z[k] = Math.exp(z[k] - top); sum += z[k]; }
  for (k = 0; k < K; k++) { z[k] /= sum; }
  return Array.from(z);
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

// The whole run of one model over the ids: arrays [word][unit] of h, every gate, and c.
function wbForward(m, ids, forced) {
  var rows = m.H * Math.max(1, m.gates.length), names = ["h", "probs"];
  for (var k = 0; k < m.gates.length; k++) { names.push(m.gates[k].name); }
  if (m.kind === "lstm") { names.push("c"); }
  var out = {};
  for (k = 0; k < names.length; k++) { out[names[k]] = []; }
  var st = {h: new Float64Array(m.H), c: new Float64Array(m.H)};
  for (var t = 0; t < ids.length; t++) {
    var pre = wbPre(m, ids[t], st.h, rows);
    var s = WB_STEP[m.kind](m, pre, st, t, forced);
    for (var key in s) { out[key].push(Array.from(s[key])); }
    out.probs.push(wbSoftmax(m, s.h));
    st = {h: s.h, c: s.c || st.c};
  }
  return out;
}

function wbEngine(data) {
  var models = [], index = {};
  for (var i = 0; i < data.vocab.length; i++) { index[data.vocab[i]] = i; }
  for (i = 0; i < data.models.length; i++) {
    models.push(wbModel(data.models[i], data.gates[data.models[i].kind]));
  }
  function run(text, overrides) {
    overrides = overrides || {};
    for (var name in overrides) {
      if (!models.some(function (m) { return m.name === name; })) {
        throw new Error("no model called " + name + " here; the models are " +
                        models.map(function (m) { return m.name; }).join(", "));
      }
    }
    var tok = wbTokenise(text, data.vocab, index), res = {};
    for (var k = 0; k < models.length; k++) {
      var m = models[k], forced = wbCheckOverrides(m, overrides[m.name] || []);
      res[m.name] = wbForward(m, tok.ids, forced);
    }
    return {tokens: tok.tokens, ids: tok.ids, unknown: tok.unknown, models: res};
  }
  return {models: models, run: run};
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
