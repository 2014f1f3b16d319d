// The trainer's charts as data: SVG paths in a box of WB_BOX_W x WB_BOX_H that the chart
// stretches to its size (its lines keep their width, vector-effect: non-scaling-stroke; the
// axes' labels are HTML beside it, so text never shrinks below 12 px), the mean of the seeds,
// and the colours of the gradient heatmap.

var WB_BOX_W = 1000;
var WB_BOX_H = 100;
var WB_GRAD_DECADES = 8;  // the heatmap's colours span 1 down to 10^-8 of a step's largest

// points [[x, y], ...] as an SVG path: x over [0, xMax], y over [lo, hi] (bottom to top),
// log10(y) when log. Points outside are clamped to the box; a null y breaks the line.
function wbPath(points, xMax, lo, hi, log) {
  var f = log ? function (v) { return Math.log(Math.max(v, 1e-300)) / Math.LN10; }
    : function (v) { return v; };
  var a = f(lo), b = f(hi), d = "", pen = "M";
  points.forEach(function (p) {
    if (p[1] === null || !isFinite(p[1])) { pen = "M"; return; }
    var x = Math.min(1, Math.max(0, p[0] / xMax)) * WB_BOX_W;
    var y = (1 - Math.min(1, Math.max(0, (f(p[1]) - a) / (b - a)))) * WB_BOX_H;
    d += pen + x.toFixed(1) + " " + y.toFixed(2);
    pen = "L";
  });
  return d;
}

// The mean over seeds of curves ([[step, value], ...] each, steps rising) at every step where
// any has a point: each seed counts with its latest value at or before that step (one that
// stopped early keeps its last), up to upTo, the step every seed still running has reached.
function wbMeanCurve(curves, upTo) {
  var steps = [];
  curves.forEach(function (c) { c.forEach(function (p) { if (steps.indexOf(p[0]) < 0) { steps.push(p[0]); } }); });
  steps.sort(function (x, y) { return x - y; });
  var at = curves.map(function () { return -1; }), out = [];
  steps.forEach(function (s) {
    if (s > upTo) { return; }
    var sum = 0, n = 0;
    curves.forEach(function (c, k) {
      while (at[k] + 1 < c.length && c[at[k] + 1][0] <= s) { at[k] += 1; }
      if (at[k] >= 0) { sum += c[at[k]][1]; n += 1; }
    });
    if (n === curves.length) { out.push([s, sum / n]); }
  });
  return out;
}

// Every step's training loss (from step 1) as the mean of each block of `every` steps, at the
// block's last step: a few hundred points a line whatever the budget. A null (the step that
// diverged) ends the line there.
function wbBlocks(losses, every) {
  var out = [], sum = 0, n = 0;
  for (var k = 0; k < losses.length; k++) {
    if (losses[k] === null) { out.push([k + 1, null]); break; }
    sum += losses[k]; n += 1;
    if (n === every || k === losses.length - 1) { out.push([k + 1, sum / n]); sum = 0; n = 0; }
  }
  return out;
}

// The heatmap's colour of v = ‖∂L/∂h_t‖ / (its largest value in that step): log10 from 0
// (the largest: darkest) down to -WB_GRAD_DECADES or less (white).
function wbGradColour(v) {
  var decades = v > 0 ? Math.log(v) / Math.LN10 : -Infinity;
  return WB_PALETTE.sigmoid[wbBin(1 + Math.max(decades, -WB_GRAD_DECADES) / WB_GRAD_DECADES, 0)];
}
