// Training's arithmetic outside the network, as whiteboard.training.optim does it: the global
// norm of all gradients, clipping by it (Pascanu et al. 2013), and Adam (Kingma & Ba 2015)
// with both bias corrections folded into one step size. keys lists the parameters in
// SequenceModel.parameters()' order, which is the order the norm sums them in.

// ‖g‖ = sqrt(Σ_k ‖g_k‖²) over the arrays of keys.
function wbGlobalNorm(grads, keys) {
  var total = 0;
  for (var k = 0; k < keys.length; k++) {
    var g = grads[keys[k]], s = 0;
    for (var i = 0; i < g.length; i++) { s += g[i] * g[i]; }
    total += s;
  }
  return Math.sqrt(total);
}

// If ‖g‖ > maxNorm, every gradient is scaled by maxNorm / ‖g‖ (in place): the direction is
// kept, only the step shrinks. Returns the norm before clipping.
function wbClip(grads, keys, maxNorm) {
  var norm = wbGlobalNorm(grads, keys);
  if (norm > maxNorm) {
    var scale = maxNorm / norm;
    for (var k = 0; k < keys.length; k++) {
      var g = grads[keys[k]];
      for (var i = 0; i < g.length; i++) { g[i] *= scale; }
    }
  }
  return norm;
}

// Adam's state for the parameters params (key -> Float64Array): t and the moments m, v.
function wbAdam(params, keys, lr) {
  var st = {lr: lr, b1: 0.9, b2: 0.999, eps: 1e-8, t: 0, keys: keys, m: {}, v: {}};
  keys.forEach(function (k) {
    st.m[k] = new Float64Array(params[k].length);
    st.v[k] = new Float64Array(params[k].length);
  });
  return st;
}

// m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  θ ← θ − step · m / (√v + ε'), with
// step = η √(1 − β₂ᵗ) / (1 − β₁ᵗ) and ε' = ε √(1 − β₂ᵗ): Adam's m̂ / (√v̂ + ε) exactly.
function wbAdamStep(st, params, grads) {
  st.t += 1;
  var b1 = st.b1, b2 = st.b2, root = Math.sqrt(1 - Math.pow(b2, st.t));
  var step = st.lr * root / (1 - Math.pow(b1, st.t)), eps = st.eps * root;
  for (var k = 0; k < st.keys.length; k++) {
    var key = st.keys[k], p = params[key], g = grads[key], m = st.m[key], v = st.v[key];
    for (var i = 0; i < p.length; i++) {
      m[i] = m[i] * b1 + (1 - b1) * g[i];
      v[i] = v[i] * b2 + (1 - b2) * g[i] * g[i];
      p[i] -= step * m[i] / (Math.sqrt(v[i]) + eps);
    }
  }
}
