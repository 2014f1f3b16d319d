// Each cell's step and its backward, for a batch, in the letters of whiteboard/cells/*.py
// (PyTorch's equations). The loop over time and the weights' gradients are network.js's.
//
// A step reads the input part P = U x_t + b_ih (row p of ws.P) and the recurrent part
// R = W h_{t-1} + b_hh of every stacked row, and writes row n = t * B + b of the states and
// gates in ws (flat, [n * H + j]); prev is the row of h_{t-1} (negative at t = 0: a zero
// state). Gate blocks are the named offsets m.at[name] = block * H of the gate spec.
// Backward writes ws.DR (the gradient on R, whose rows give W's gradient and h_{t-1}'s) and
// ws.DP (on P, for U and the input), the same array unless the candidate scales R (GRU).

// σ(x) = 1 / (1 + e^{-x}): e^{-x} may overflow to Infinity, which gives 0 as it should; it
// equals whiteboard.maths' (1 + tanh(x/2)) / 2 to rounding, at half the cost.
function wbSigmoid(x) { return 1 / (1 + Math.exp(-x)); }
// tanh(x) = 2 σ(2x) - 1, by the same exp: it equals Math.tanh to rounding (an absolute
// error of about 1e-16 near 0) at half the cost, and saturates to ±1 without overflow.
function wbTanh(x) { return 2 / (1 + Math.exp(-2 * x)) - 1; }
function wbRelu(x) { return x > 0 ? x : 0; }
var WB_ACT = {sigmoid: wbSigmoid, tanh: wbTanh, relu: wbRelu};
var WB_RANGE = {sigmoid: [0, 1], tanh: [-1, 1]};
// f'(a) from y = f(a), as the backward passes of whiteboard.models use it
var WB_ACT_GRAD = {
  tanh: function (y) { return 1 - y * y; },
  sigmoid: function (y) { return y * (1 - y); },
  relu: function (y) { return y > 0 ? 1 : 0; }
};

// A forced gate (the playground's what-if): gate name -> value from its start word on.
function wbPin(ws, pins, name, at, H) {
  for (var k = 0; k < pins.length; k++) {
    if (pins[k].gate === name) { ws[name].fill(pins[k].value, at, at + H); }
  }
}

var WB_CELL = {
  rnn: {
    states: ["h"],
    // h_t = φ(U x_t + W h_{t-1} + b)
    forward: function (m, ws, n, p, R) {
      var H = m.H, at = n * H, P = ws.P, h = ws.h, act = m.act;
      for (var j = 0; j < H; j++) { h[at + j] = act(P[p + j] + R[j]); }
    },
    backward: function (m, ws, n, b) {
      var H = m.H, at = n * H, h = ws.h, dh = ws.dh, DR = ws.DR, d = n * m.GH, grad = m.actGrad;
      for (var j = 0; j < H; j++) { DR[d + j] = dh[b * H + j] * grad(h[at + j]); }
    }
  },
  lstm: {
    states: ["h", "c", "tc", "i", "f", "g", "o"],
    // i, f, o = σ(...), g = tanh(...), c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t)
    forward: function (m, ws, n, p, R, prev, pins) {
      var H = m.H, at = n * H, P = ws.P, I = m.at.i, F = m.at.f, G = m.at.g, O = m.at.o;
      var i = ws.i, f = ws.f, g = ws.g, o = ws.o, c = ws.c, tc = ws.tc, h = ws.h, j;
      for (j = 0; j < H; j++) {
        i[at + j] = wbSigmoid(P[p + I + j] + R[I + j]);
        f[at + j] = wbSigmoid(P[p + F + j] + R[F + j]);
        g[at + j] = wbTanh(P[p + G + j] + R[G + j]);
        o[at + j] = wbSigmoid(P[p + O + j] + R[O + j]);
      }
      if (pins.length) { for (var k = 0; k < m.gates.length; k++) { wbPin(ws, pins, m.gates[k].name, at, H); } }
      for (j = 0; j < H; j++) {
        var cPrev = prev >= 0 ? c[prev * H + j] : 0;
        c[at + j] = f[at + j] * cPrev + i[at + j] * g[at + j];
        tc[at + j] = wbTanh(c[at + j]);
        h[at + j] = o[at + j] * tc[at + j];
      }
    },
    // The cell path adds, so dc gathers dh_t ⊙ o_t ⊙ (1 - tanh²(c_t)) on top of what came back
    // from step t+1, and c_{t-1} reaches c_t only through f_t: dc_{t-1} = dc ⊙ f.
    backward: function (m, ws, n, b, prev) {
      var H = m.H, at = n * H, d = n * m.GH, I = m.at.i, F = m.at.f, G = m.at.g, O = m.at.o;
      var i = ws.i, f = ws.f, g = ws.g, o = ws.o, c = ws.c, tc = ws.tc, dh = ws.dh, dcs = ws.dc;
      var DR = ws.DR;
      for (var j = 0; j < H; j++) {
        var x = at + j, cb = b * H + j, cPrev = prev >= 0 ? c[prev * H + j] : 0;
        var dhj = dh[cb], dc = dcs[cb] + dhj * o[x] * (1 - tc[x] * tc[x]);
        DR[d + I + j] = dc * g[x] * i[x] * (1 - i[x]);
        DR[d + F + j] = dc * cPrev * f[x] * (1 - f[x]);
        DR[d + G + j] = dc * i[x] * (1 - g[x] * g[x]);
        DR[d + O + j] = dhj * tc[x] * o[x] * (1 - o[x]);
        dcs[cb] = dc * f[x];
      }
    }
  },
  gru: {
    states: ["h", "r", "z", "n", "mn"],
    // r, z = σ(...), n = tanh(U_n x + b_in + r ⊙ (W_n h_{t-1} + b_hn)),
    // h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}; mn keeps W_n h_{t-1} + b_hn for backward
    forward: function (m, ws, n, p, R, prev, pins) {
      var H = m.H, at = n * H, P = ws.P, RB = m.at.r, Z = m.at.z, N = m.at.n;
      var r = ws.r, z = ws.z, nn = ws.n, mn = ws.mn, h = ws.h, j;
      for (j = 0; j < H; j++) {
        r[at + j] = wbSigmoid(P[p + RB + j] + R[RB + j]);
        z[at + j] = wbSigmoid(P[p + Z + j] + R[Z + j]);
      }
      if (pins.length) { wbPin(ws, pins, "r", at, H); wbPin(ws, pins, "z", at, H); }
      for (j = 0; j < H; j++) {
        mn[at + j] = R[N + j];
        nn[at + j] = wbTanh(P[p + N + j] + r[at + j] * R[N + j]);
      }
      if (pins.length) { wbPin(ws, pins, "n", at, H); }
      for (j = 0; j < H; j++) {
        var hPrev = prev >= 0 ? h[prev * H + j] : 0;
        h[at + j] = (1 - z[at + j]) * nn[at + j] + z[at + j] * hPrev;
      }
    },
    // r_t scales only the recurrent part of n, so its row of R gets da_n ⊙ r and its row of P
    // da_n; h_{t-1} also reaches h_t directly, through z_t (added to ws.dhNext here).
    backward: function (m, ws, n, b, prev) {
      var H = m.H, at = n * H, d = n * m.GH, RB = m.at.r, Z = m.at.z, N = m.at.n;
      var r = ws.r, z = ws.z, nn = ws.n, mn = ws.mn, h = ws.h, dh = ws.dh, dhNext = ws.dhNext;
      var DR = ws.DR, DP = ws.DP;
      for (var j = 0; j < H; j++) {
        var x = at + j, hPrev = prev >= 0 ? h[prev * H + j] : 0, dhj = dh[b * H + j];
        var daN = dhj * (1 - z[x]) * (1 - nn[x] * nn[x]);
        var daZ = dhj * (hPrev - nn[x]) * z[x] * (1 - z[x]);
        var daR = daN * mn[x] * r[x] * (1 - r[x]);
        DP[d + N + j] = daN;
        DR[d + N + j] = daN * r[x];
        DP[d + RB + j] = DR[d + RB + j] = daR;
        DP[d + Z + j] = DR[d + Z + j] = daZ;
        dhNext[b * H + j] += dhj * z[x];
      }
    }
  }
};
