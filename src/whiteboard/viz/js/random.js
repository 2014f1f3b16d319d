// The page's own random numbers: mulberry32, a small seeded generator whose whole state is
// one 32-bit integer (rng.a), so a training run can move between workers and go on with the
// same stream. It need not (and does not) reproduce numpy's streams: the tests that compare
// with numpy pass numpy's weights and batches in.

function wbRng(seed) { return {a: seed >>> 0}; }

// The next number of rng, uniform in [0, 1).
function wbUniform(rng) {
  rng.a = (rng.a + 0x6D2B79F5) >>> 0;
  var t = Math.imul(rng.a ^ (rng.a >>> 15), 1 | rng.a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// A function returning the stream of seed, one number a call.
function wbRandom(seed) {
  var rng = wbRng(seed);
  return function () { return wbUniform(rng); };
}

// A standard normal number (Box-Muller), for the embedding's N(0, 1) start.
function wbGaussian(rng) {
  var u = 1 - wbUniform(rng), v = wbUniform(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

// One 32-bit seed from a list of integers (a run's seed and lag, say): each is mixed in by
// multiplication with odd constants and xor-shifts, so nearby lists give unrelated streams.
function wbSeed(parts) {
  var h = 0x9E3779B9;
  for (var k = 0; k < parts.length; k++) {
    h = Math.imul(h ^ (parts[k] >>> 0), 0x85EBCA6B);
    h = Math.imul(h ^ (h >>> 13), 0xC2B2AE35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
