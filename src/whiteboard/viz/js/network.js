// The book's whole network (whiteboard.training.train.SequenceModel) on a batch of token ids:
// x_t = E[token] (or one-hot), the recurrent core of cells.js over t = 1..T, z = V h_T + c,
// L = -(1/B) Σ_b log softmax(z_b)[y_b], and its gradient by BPTT. Tokens are time-major,
// x[t * B + b]. A model m (engine.js's wbModel) holds its weights in m.w under the keys of
// SequenceModel.parameters(), flat and row-major; wbShape adds the sizes the loops need.

var WB_KEYS = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "V", "c", "E"];

function wbShape(m) {
  m.G = Math.max(1, m.gates.length);
  m.GH = m.G * m.H;
  m.at = {};
  for (var k = 0; k < m.gates.length; k++) { m.at[m.gates[k].name] = m.gates[k].block * m.H; }
  m.act = WB_ACT[m.nonlinearity || "tanh"];
  m.actGrad = WB_ACT_GRAD[m.nonlinearity || "tanh"];
  m.vocab = m.w.E ? m.w.E.length / m.D : m.D;
  m.ws = null;
  m.spaces = null;
  return m;
}

// The buffers of one batch shape (T x B), made once and reused by every step of training;
// a model keeps a few shapes (its training batch and its held-out set, say).
function wbWorkspace(m, T, B) {
  var key = T + "x" + B, spaces = m.spaces || (m.spaces = {});
  if (!spaces[key]) {
    if (Object.keys(spaces).length >= 8) { spaces = m.spaces = {}; }
    spaces[key] = wbBuffers(m, T, B);
  }
  m.ws = spaces[key];
  return m.ws;
}

function wbBuffers(m, T, B) {
  var N = T * B, H = m.H, GH = m.GH, ws = {T: T, B: B, R: new Float64Array(GH)};
  WB_CELL[m.kind].states.forEach(function (s) { ws[s] = new Float64Array(N * H); });
  ws.P = new Float64Array(m.vocab * GH);            // U x + b_ih, one row per token id
  ws.G = new Float64Array(m.vocab * GH);            // the gradient on those rows
  ws.mark = new Int32Array(m.vocab).fill(-1);
  ws.ids = [];
  ws.DR = new Float64Array(N * GH);
  ws.DP = m.kind === "gru" ? new Float64Array(N * GH) : ws.DR;
  ws.dh = new Float64Array(B * H);
  ws.dhNext = new Float64Array(B * H);
  ws.dc = new Float64Array(B * H);
  ws.whhT = new Float64Array(GH * H);
  ws.gradNorm = new Float64Array(T);                // ‖∂L/∂h_t‖ over the batch
  ws.logits = new Float64Array(B * m.K);             // z, then ∂L/∂z
  ws.grads = {};
  for (var key in m.w) { ws.grads[key] = new Float64Array(m.w[key].length); }
  return ws;
}

// Row id of ws.P = U x + b_ih for every token id in x, computed once per distinct id: a
// batch holds far fewer distinct words than tokens. One-hot: U x is column id of U.
function wbProject(m, x, ws) {
  var D = m.D, GH = m.GH, w = m.w, wih = w.weight_ih_l0, bih = w.bias_ih_l0, E = w.E;
  var P = ws.P, mark = ws.mark, stamp = (ws.stamp = (ws.stamp || 0) + 1);
  ws.ids.length = 0;
  for (var n = 0; n < x.length; n++) {
    var id = x[n];
    if (mark[id] === stamp) { continue; }
    mark[id] = stamp;
    ws.ids.push(id);
    for (var r = 0, p = id * GH; r < GH; r++) {
      P[p + r] = bih[r] + (E ? wbDot(wih, r * D, E, id * D, D) : wih[r * D + id]);
    }
  }
}

// Σ_k a[i + k] b[j + k] for k < n, in four running sums (fewer dependent additions).
function wbDot(a, i, b, j, n) {
  var s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[i + k] * b[j + k];
    s1 += a[i + k + 1] * b[j + k + 1];
    s2 += a[i + k + 2] * b[j + k + 2];
    s3 += a[i + k + 3] * b[j + k + 3];
  }
  for (; k < n; k++) { s0 += a[i + k] * b[j + k]; }
  return (s0 + s1) + (s2 + s3);
}

// The core over x (T x B ids), keeping every state and gate in m.ws. pins(t) lists the gates
// forced at step t (the playground's what-if; none in training).
function wbCoreForward(m, x, T, B, pins) {
  var ws = wbWorkspace(m, T, B), H = m.H, GH = m.GH, R = ws.R, h = ws.h;
  var whh = m.w.weight_hh_l0, bhh = m.w.bias_hh_l0, step = WB_CELL[m.kind].forward;
  wbProject(m, x, ws);
  for (var t = 0; t < T; t++) {
    var on = pins ? pins(t) : [];
    for (var b = 0; b < B; b++) {
      var n = t * B + b, hp = (n - B) * H;
      for (var r = 0; r < GH; r++) {                // R = W h_{t-1} + b_hh, h_0 = 0
        R[r] = t > 0 ? bhh[r] + wbDot(whh, r * H, h, hp, H) : bhh[r];
      }
      step(m, ws, n, x[n] * GH, R, n - B, on);
    }
  }
  return ws;
}

// BPTT from dhT = ∂L/∂h_T (B x H): ws.DR, ws.DP for every step, and ‖∂L/∂h_t‖ in
// ws.gradNorm. dh_{t-1} = Wᵀ DR_t (plus the GRU's direct path, which its cell adds).
function wbCoreBackward(m, T, B, dhT) {
  var ws = m.ws, H = m.H, GH = m.GH, whh = m.w.weight_hh_l0, whhT = ws.whhT, DR = ws.DR;
  var back = WB_CELL[m.kind].backward, r, k;
  for (r = 0; r < GH; r++) { for (k = 0; k < H; k++) { whhT[k * GH + r] = whh[r * H + k]; } }
  ws.dh.set(dhT);
  ws.dc.fill(0);
  for (var t = T - 1; t >= 0; t--) {
    var dh = ws.dh, dn = ws.dhNext, norm = 0;
    for (k = 0; k < B * H; k++) { norm += dh[k] * dh[k]; }
    ws.gradNorm[t] = Math.sqrt(norm);
    dn.fill(0);
    for (var b = 0; b < B; b++) {
      var n = t * B + b, d = n * GH;
      back(m, ws, n, b, n - B);
      if (t === 0) { continue; }
      for (k = 0; k < H; k++) { dn[b * H + k] += wbDot(whhT, k * GH, DR, d, GH); }
    }
    ws.dhNext = dh;
    ws.dh = dn;
  }
}

// The core's weight gradients from ws.DR and ws.DP, into ws.grads (E's too, if embedded).
function wbCoreGrads(m, x, T, B) {
  var ws = m.ws, g = ws.grads, H = m.H, D = m.D, GH = m.GH, N = T * B, h = ws.h;
  var DR = ws.DR, DP = ws.DP, G = ws.G, dW = g.weight_hh_l0, dbh = g.bias_hh_l0, dbi = g.bias_ih_l0;
  var n, r, k, v;
  dW.fill(0); dbh.fill(0); dbi.fill(0);
  for (n = 0; n < N; n++) {
    var d = n * GH, hp = (n - B) * H;
    for (r = 0; r < GH; r++) {
      v = DR[d + r];
      dbh[r] += v;
      if (n < B || v === 0) { continue; }
      for (k = 0; k < H; k++) { dW[r * H + k] += v * h[hp + k]; }
    }
  }
  var ids = ws.ids;
  for (k = 0; k < ids.length; k++) { G.fill(0, ids[k] * GH, (ids[k] + 1) * GH); }
  for (n = 0; n < N; n++) {
    var gi = x[n] * GH;
    for (r = 0; r < GH; r++) { G[gi + r] += DP[n * GH + r]; }
  }
  wbInputGrads(m, ids, G, g, D, GH);
  for (k = 0; k < ids.length; k++) {
    for (r = 0; r < GH; r++) { dbi[r] += G[ids[k] * GH + r]; }
  }
}

// U's (and E's) gradient from G[id] = Σ of ws.DP over the steps that read token id:
// dU = Σ_id G[id] ⊗ x(id), dE[id] = Uᵀ G[id].
function wbInputGrads(m, ids, G, g, D, GH) {
  var dU = g.weight_ih_l0, E = m.w.E, U = m.w.weight_ih_l0, k, r, d;
  dU.fill(0);
  if (E) { g.E.fill(0); }
  for (k = 0; k < ids.length; k++) {
    var id = ids[k], gi = id * GH;
    for (r = 0; r < GH; r++) {
      var v = G[gi + r];
      if (!E) { dU[r * D + id] = v; continue; }
      for (d = 0; d < D; d++) {
        dU[r * D + d] += v * E[id * D + d];
        g.E[id * D + d] += v * U[r * D + d];
      }
    }
  }
}

// z = V h_T + c for each story, the mean cross-entropy, and ∂L/∂z = (softmax(z) - onehot(y)) / B
// written back into ws.logits. Returns the loss; ws.correct counts the stories whose largest z
// is their y.
function wbReadoutLoss(m, T, B, y) {
  var ws = m.ws, H = m.H, K = m.K, V = m.w.V, c = m.w.c, z = ws.logits, h = ws.h, sum = 0;
  ws.correct = 0;
  for (var b = 0; b < B; b++) {
    var hT = ((T - 1) * B + b) * H, at = b * K, top = -Infinity, best = 0, k, tot = 0;
    for (k = 0; k < K; k++) {
      var s = c[k];
      for (var j = 0; j < H; j++) { s += V[k * H + j] * h[hT + j]; }
      z[at + k] = s;
      if (s > top) { top = s; best = k; }
    }
    if (best === y[b]) { ws.correct += 1; }
    for (k = 0; k < K; k++) { tot += Math.exp(z[at + k] - top); }
    var logTot = Math.log(tot);
    sum += z[at + y[b]] - top - logTot;
    for (k = 0; k < K; k++) { z[at + k] = Math.exp(z[at + k] - top - logTot) / B; }
    z[at + y[b]] -= 1 / B;
  }
  return -sum / B;
}

// One batch: the loss, and every parameter's gradient in m.ws.grads (keys of m.w). A loss
// that is not finite has no gradient to follow (as in SequenceModel.loss_and_grads).
function wbLossAndGrads(m, x, y, T, B) {
  wbCoreForward(m, x, T, B);
  var ws = m.ws, H = m.H, K = m.K, V = m.w.V, h = ws.h, dz = ws.logits, g = ws.grads;
  var loss = wbReadoutLoss(m, T, B, y);
  if (!isFinite(loss)) { return {loss: loss, grads: null}; }
  var dV = g.V, dc = g.c, dhT = ws.dhNext, b, k, j;
  dV.fill(0); dc.fill(0); dhT.fill(0);
  for (b = 0; b < B; b++) {
    var hT = ((T - 1) * B + b) * H;
    for (k = 0; k < K; k++) {
      var v = dz[b * K + k];
      dc[k] += v;
      for (j = 0; j < H; j++) { dV[k * H + j] += v * h[hT + j]; dhT[b * H + j] += v * V[k * H + j]; }
    }
  }
  wbCoreBackward(m, T, B, dhT.slice());
  wbCoreGrads(m, x, T, B);
  return {loss: loss, grads: g};
}

// Which word moved the answer (whiteboard.analysis.attribution.word_attribution): the norm of
// ∂z[target]/∂x_t, the gradient of the logit of class target with respect to each word's input
// vector (its embedding row, or its one-hot vector), for one story of ids.
function wbAttribution(m, ids, target) {
  var T = ids.length, H = m.H, D = m.D, GH = m.GH, U = m.w.weight_ih_l0, out = [];
  if (!T) { return out; }
  var ws = wbCoreForward(m, ids, T, 1);
  wbCoreBackward(m, T, 1, m.w.V.subarray(target * H, (target + 1) * H));
  for (var t = 0; t < T; t++) {
    var norm = 0;
    for (var d = 0; d < D; d++) {
      var s = 0;
      for (var r = 0; r < GH; r++) { s += U[r * D + d] * ws.DP[t * GH + r]; }
      norm += s * s;
    }
    out.push(Math.sqrt(norm));
  }
  return out;
}
