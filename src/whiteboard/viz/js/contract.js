// The trainer's contract (DESIGN.md, "Trainer"), in plain data: what root.wbLossAndGrads and
// root.wbStories take and return. Arrays are {shape, data} with data flat and row-major, keyed
// like SequenceModel.parameters(); token ids are T x B lists (time-major), classes B ids.

function wbFail(text) { throw new Error(text); }

// x as T lists of B token ids, each an integer in 0..vocab-1: the flat Int32Array of the loops.
function wbTokens(x, vocab) {
  if (!Array.isArray(x) || !x.length || !Array.isArray(x[0]) || !x[0].length) {
    wbFail("x must be T lists of B token ids (T, B >= 1), got " + JSON.stringify(x));
  }
  var T = x.length, B = x[0].length, flat = new Int32Array(T * B);
  for (var t = 0; t < T; t++) {
    if (!Array.isArray(x[t]) || x[t].length !== B) { wbFail("x[" + t + "] must hold B = " + B + " ids"); }
    for (var b = 0; b < B; b++) {
      var id = x[t][b];
      if (!(Number.isInteger(id) && id >= 0 && id < vocab)) {
        wbFail("x[" + t + "][" + b + "] must be a token id in 0.." + (vocab - 1) + ", got " + id);
      }
      flat[t * B + b] = id;
    }
  }
  return {x: flat, T: T, B: B};
}

// A network {kind, params, nonlinearity?} as network.js's model, its sizes read from the
// shapes: weight_hh_l0 is (G*H, H), weight_ih_l0 (G*H, D), V (K, H), E (vocab, D) if any.
function wbNetFromParams(net, gates) {
  var p = net && net.params, spec = gates[net && net.kind];
  if (!spec) { wbFail("net.kind must be one of " + Object.keys(gates).join(", ") + ", got " + (net && net.kind)); }
  ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "V", "c"].forEach(function (k) {
    if (!p || !p[k] || !Array.isArray(p[k].shape)) { wbFail("net.params needs " + k + " as {shape, data}"); }
  });
  var H = p.weight_hh_l0.shape[1], G = Math.max(1, spec.length), w = {};
  var want = {weight_ih_l0: [G * H, p.weight_ih_l0.shape[1]], weight_hh_l0: [G * H, H],
              bias_ih_l0: [G * H], bias_hh_l0: [G * H], V: [p.V.shape[0], H], c: [p.V.shape[0]]};
  if (p.E) { want.E = [p.E.shape[0], p.weight_ih_l0.shape[1]]; }
  Object.keys(want).forEach(function (k) {
    var size = want[k].reduce(function (a, b) { return a * b; }, 1);
    if (String(p[k].shape) !== String(want[k]) || p[k].data.length !== size) {
      wbFail(k + " of a " + net.kind + " must have shape [" + want[k] + "], got [" + p[k].shape + "]");
    }
    w[k] = Float64Array.from(p[k].data);
  });
  return wbShape({name: net.kind, kind: net.kind, label: net.kind.toUpperCase(), H: H,
                  D: p.weight_ih_l0.shape[1], K: p.V.shape[0], nonlinearity: net.nonlinearity,
                  gates: spec, w: w});
}

// root.wbLossAndGrads(net, x, y) -> {loss, grads}, grads keyed like net.params.
function wbApiLossAndGrads(gates, net, x, y) {
  var m = wbNetFromParams(net, gates), tok = wbTokens(x, m.vocab);
  if (!Array.isArray(y) || y.length !== tok.B || !y.every(function (k) {
    return Number.isInteger(k) && k >= 0 && k < m.K;
  })) {
    wbFail("y must be B = " + tok.B + " class ids in 0.." + (m.K - 1) + ", got " + JSON.stringify(y));
  }
  var res = wbLossAndGrads(m, tok.x, Int32Array.from(y), tok.T, tok.B), grads = {};
  if (res.grads) {
    Object.keys(m.w).forEach(function (k) {
      grads[k] = {shape: net.params[k].shape.slice(), data: Array.from(res.grads[k])};
    });
  }
  return {loss: res.loss, grads: res.grads ? grads : null};
}

// root.wbStories(lag, batch, seed) -> {x (T x B ids), y (B ids)}: stories of the task at lag.
function wbApiStories(task, lag, batch, seed) {
  if (!(Number.isInteger(lag) && lag >= task.minLag && lag <= 1000)) {
    wbFail("lag must be a whole number from " + task.minLag + " to 1000, got " + lag);
  }
  if (!(Number.isInteger(batch) && batch >= 1)) { wbFail("batch must be a whole number >= 1, got " + batch); }
  if (!Number.isInteger(seed)) { wbFail("seed must be a whole number, got " + seed); }
  var s = wbStories(task, lag, batch, wbRng(wbSeed([seed, lag, 3]))), x = [];
  for (var t = 0; t < s.T; t++) { x.push(Array.from(s.x.subarray(t * batch, (t + 1) * batch))); }
  return {x: x, y: Array.from(s.y)};
}
