// The playground's engine: the stored networks run over the reader's story (network.js's core
// with a batch of one), and the story tokeniser of encode_story.
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

// A network from its record: weights in base85 (rec.weights), or as arrays already (rec.w, a
// network the page itself trained).
function wbModel(rec, spec) {
  var m = {name: rec.name, kind: rec.kind, label: rec.label, H: rec.H, D: rec.D, K: rec.K,
           nonlinearity: rec.act, gates: spec || [], w: {}};
  for (var key in rec.weights) { m.w[key] = wbDecode(rec.weights[key]); }
  for (key in rec.w) { m.w[key] = Float64Array.from(rec.w[key]); }
  m.byName = {};
  for (var g = 0; g < m.gates.length; g++) { m.byName[m.gates[g].name] = m.gates[g]; }
  return wbShape(m);
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
// gate and c, and out.probs[t * K + k]: network.js's core with a batch of one, each forced
// gate pinned from its start word on (later overrides win, as in run_whatif, where each
// override pins a copy of the model in turn).
function wbForward(m, ids, forced) {
  var T = ids.length, H = m.H, out = {probs: new Float64Array(T * m.K)};
  var ws = wbCoreForward(m, ids, T, 1, function (t) {
    return forced.filter(function (o) { return t >= o.start; });
  });
  out.h = ws.h.slice(0, T * H);
  for (var k = 0; k < m.gates.length; k++) { out[m.gates[k].name] = ws[m.gates[k].name].slice(0, T * H); }
  if (m.kind === "lstm") { out.c = ws.c.slice(0, T * H); }
  for (var t = 0; t < T; t++) { wbSoftmax(m, out.h, t, out.probs); }
  return out;
}

// Which word moved each model's answer: wbAttribution for the class it answers at the last
// word, in the run as trained (no gate forced).
function wbWhy(m, ids, probs) {
  var K = m.K, T = ids.length, best = 0;
  if (!T) { return {target: -1, attribution: []}; }
  for (var k = 1; k < K; k++) { if (probs[(T - 1) * K + k] > probs[(T - 1) * K + best]) { best = k; } }
  return {target: best, attribution: wbAttribution(m, ids, best)};
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
    var tok = wbTokenise(text, data.vocab, index), res = {}, why = {};
    for (var k = 0; k < models.length; k++) {
      var m = models[k], plain = wbForward(m, tok.ids, []);
      why[m.name] = wbWhy(m, tok.ids, plain.probs);
      var list = wbCheckOverrides(m, overrides[m.name] || []);
      res[m.name] = list.length ? wbForward(m, tok.ids, list) : plain;
    }
    return {tokens: tok.tokens, ids: tok.ids, unknown: tok.unknown, models: res, why: why};
  }
  // The contract (root.wbRun): arrays [word][unit] and [word][class].
  // attribution: one number per token, of the run as trained (wbWhy).
  function run(text, overrides) {
    var res = compute(text, overrides);
    for (var name in res.models) {
      var flat = res.models[name], m = model(name);
      for (var key in flat) { flat[key] = wbRows(flat[key], key === "probs" ? m.K : m.H); }
      flat.attribution = res.why[name].attribution;
    }
    delete res.why;
    return res;
  }
  function force(m, ids, list) { return wbForward(m, ids, wbCheckOverrides(m, list)); }
  return {models: models, model: model, compute: compute, run: run, force: force};
}

// The distractors: the seeded generator of random.js fills the task's templates.
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
