// The book's whole network (whiteboard.training.network.SequenceModel) on a batch of token ids:
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
  ws.DRt = new Float64Array(N * GH);                 // DR and h transposed, for W's gradient
  ws.hT = new Float64Array(N * H);
  ws.zeros = new Float64Array(Math.max(H, m.D));
  ws.Gt = new Float64Array(m.vocab * GH);            // G and E of the batch's ids, transposed
  ws.Et = new Float64Array(m.w.E ? m.vocab * m.D : 0);
  ws.UT = new Float64Array(m.w.E ? m.D * GH : 0);
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
    if (E) { wbRowsTimes(wih, GH, D, E, id * D, bih, 0, P, id * GH); continue; }
    for (var r = 0; r < GH; r++) { P[id * GH + r] = bih[r] + wih[r * D + id]; }
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

// out[o + r] = bias[c + r] + Σ_k x[i + k] W[r * K + k] for every row r < rows of W (K
// columns): four rows at a time, so that each x[i + k] loaded serves four products. bias may
// be out itself (c = o): each entry is read before it is written.
function wbRowsTimes(W, rows, K, x, i, bias, c, out, o) {
  var r = 0;
  for (; r + 3 < rows; r += 4) {
    var w0 = r * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (var k = 0; k < K; k++) {
      var v = x[i + k];
      s0 += W[w0 + k] * v; s1 += W[w1 + k] * v; s2 += W[w2 + k] * v; s3 += W[w3 + k] * v;
    }
    out[o + r] = bias[c + r] + s0; out[o + r + 1] = bias[c + r + 1] + s1;
    out[o + r + 2] = bias[c + r + 2] + s2; out[o + r + 3] = bias[c + r + 3] + s3;
  }
  for (; r < rows; r++) { out[o + r] = bias[c + r] + wbDot(W, r * K, x, i, K); }
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
      var n = t * B + b;
      if (t > 0) { wbRowsTimes(whh, GH, H, h, (n - B) * H, bhh, 0, R, 0); }  // W h_{t-1} + b_hh
      else { R.set(bhh); }                                                // h_0 = 0
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
      wbRowsTimes(whhT, H, GH, DR, d, dn, b * H, dn, b * H);
    }
    ws.dhNext = dh;
    ws.dh = dn;
  }
}

// The core's weight gradients from ws.DR and ws.DP, into ws.grads (E's too, if embedded).
// dW[r][k] = Σ_{n >= B} DR[n][r] h[n - B][k] (row n = t * B + b; h_0 = 0 adds nothing): with
// DR and h transposed, each entry is a dot product of two long rows.
function wbCoreGrads(m, x, T, B) {
  var ws = m.ws, g = ws.grads, H = m.H, D = m.D, GH = m.GH, N = T * B, NT = N - B, h = ws.h;
  var DR = ws.DR, DP = ws.DP, G = ws.G, DRt = ws.DRt, hT = ws.hT, dbi = g.bias_ih_l0, n, r, k;
  for (n = 0; n < NT; n++) {
    for (r = 0; r < GH; r++) { DRt[r * NT + n] = DR[(n + B) * GH + r]; }
    for (k = 0; k < H; k++) { hT[k * NT + n] = h[n * H + k]; }
  }
  for (r = 0; r < GH; r++) {
    var sum = 0;
    for (n = 0; n < B; n++) { sum += DR[n * GH + r]; }
    for (n = 0; n < NT; n++) { sum += DRt[r * NT + n]; }
    g.bias_hh_l0[r] = sum;
    wbRowsTimes(hT, H, NT, DRt, r * NT, ws.zeros, 0, g.weight_hh_l0, r * H);
  }
  var ids = ws.ids;
  for (k = 0; k < ids.length; k++) { G.fill(0, ids[k] * GH, (ids[k] + 1) * GH); }
  for (n = 0; n < N; n++) {
    var gi = x[n] * GH;
    for (r = 0; r < GH; r++) { G[gi + r] += DP[n * GH + r]; }
  }
  wbInputGrads(m, ids, G, g, D, GH);
  dbi.fill(0);
  for (k = 0; k < ids.length; k++) {
    for (r = 0; r < GH; r++) { dbi[r] += G[ids[k] * GH + r]; }
  }
}

// U's (and E's) gradient from G[id] = Σ of ws.DP over the steps that read token id:
// dU = Σ_id G[id] ⊗ x(id), dE[id] = Uᵀ G[id]. Embedded, both are products of small matrices,
// made of long dot products by gathering the ids' rows of G and E transposed (Gt, Et).
function wbInputGrads(m, ids, G, g, D, GH) {
  var ws = m.ws, dU = g.weight_ih_l0, E = m.w.E, U = m.w.weight_ih_l0, n = ids.length, k, r, d;
  if (!E) {
    dU.fill(0);
    for (k = 0; k < n; k++) { for (r = 0; r < GH; r++) { dU[r * D + ids[k]] = G[ids[k] * GH + r]; } }
    return;
  }
  var Gt = ws.Gt, Et = ws.Et, UT = ws.UT;
  for (k = 0; k < n; k++) {
    for (r = 0; r < GH; r++) { Gt[r * n + k] = G[ids[k] * GH + r]; }
    for (d = 0; d < D; d++) { Et[d * n + k] = E[ids[k] * D + d]; }
  }
  for (r = 0; r < GH; r++) { wbRowsTimes(Et, D, n, Gt, r * n, ws.zeros, 0, dU, r * D); }
  for (r = 0; r < GH; r++) { for (d = 0; d < D; d++) { UT[d * GH + r] = U[r * D + d]; } }
  g.E.fill(0);
  for (k = 0; k < n; k++) { wbRowsTimes(UT, D, GH, G, ids[k] * GH, ws.zeros, 0, g.E, ids[k] * D); }
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
