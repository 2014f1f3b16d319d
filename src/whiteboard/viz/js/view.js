// The playground's view: markup for the panels, the heatmaps [unit x word] with their axes,
// the answer bars and the value read-out box. Functions here build strings or place elements; the
// controller (app.js) decides when.

// The page counts words from 1, as the chapters count steps; wbRun, its overrides' start and
// every array count from 0, like tokens. These two functions are the only crossing.
function wbWordNumber(t) { return t + 1; }
function wbWordIndex(n) { return n - 1; }

// Colour scales, as 65-step palettes of [r, g, b]: sigmoid gates 0..1 (light to dark blue),
// tanh values and states -1..1 (blue, light grey, red). Values outside take the end colour.
function wbPalette(stops) {
  var out = [];
  for (var k = 0; k <= 64; k++) {
    var x = k / 64 * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2);
    var f = x - i;
    out.push([0, 1, 2].map(function (c) {
      return Math.round(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
    }));
  }
  return out;
}
var WB_PALETTE = {
  sigmoid: wbPalette([[247, 251, 255], [107, 174, 214], [8, 48, 107]]),
  tanh: wbPalette([[33, 102, 172], [247, 247, 247], [178, 24, 43]])
};
function wbBin(v, lo) {
  return Math.round(Math.min(1, Math.max(0, (v - lo) / (1 - lo))) * 64);
}
function wbCss(rgb) { return "rgb(" + rgb.join(",") + ")"; }
function wbEsc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
  });
}

// The maps a model shows: its gates in block order, then the LSTM's c, then h.
function wbMaps(m) {
  var maps = m.gates.map(function (g) {
    return {name: g.name, act: g.activation, about: g.label || g.role};
  });
  if (m.kind === "lstm") { maps.push({name: "c", act: "tanh", about: "cell state", clamp: 1}); }
  maps.push({name: "h", act: "tanh", about: "hidden state"});
  return maps;
}

function wbLegendBar(act, lo, text) {
  var cells = "";
  for (var k = 0; k < 20; k++) {
    cells += "<rect x='" + k + "' y='0' width='1.05' height='1' fill='" +
             wbCss(WB_PALETTE[act][wbBin(lo + (1 - lo) * (k + 0.5) / 20, lo)]) + "'/>";
  }
  return "<span class='wb-pg-key'>" + lo + " <svg width='100' height='12' viewBox='0 0 20 1' " +
    "preserveAspectRatio='none' aria-hidden='true'>" + cells + "</svg> 1 " + text + "</span>";
}

// Name only the gates and states of the networks on this page, from their gate specs.
function wbLegend(data) {
  var gates = {sigmoid: [], tanh: []}, states = ["h"], lstm = false;
  data.models.forEach(function (m) {
    (data.gates[m.kind] || []).forEach(function (g) {
      if (gates[g.activation].indexOf(g.name) < 0) { gates[g.activation].push(g.name); }
    });
    if (m.kind === "lstm") { lstm = true; }
  });
  if (lstm) { states.unshift("c"); }
  var tanhNames = gates.tanh.concat(states).join(", ");
  return (gates.sigmoid.length ? wbLegendBar("sigmoid", 0, "sigmoid gates (" +
                                             gates.sigmoid.join(", ") + ")") : "") +
         wbLegendBar("tanh", -1, (gates.tanh.length ? "candidates and states (" : "states (") +
                     tanhNames + ")") +
         (lstm ? "<br><small>The LSTM's cell state c can go beyond \u00b11: its colours stop " +
                 "at the ends of the scale, and the exact value shows when you point at a " +
                 "cell.</small>" : "");
}

// One heatmap's row: the unit axis (unit 0 at the top, H - 1 at the bottom: units count
// from 0 in the book, as the code prints them), then the SVG.
function wbMapRow(m, map, run) {
  return "<div class='wb-pg-row'><span class='wb-pg-units' aria-hidden='true'><span>0</span>" +
    "<span>unit</span><span>" + (m.H - 1) + "</span></span><svg class='wb-pg-map' data-map='" +
    map.name + "' data-run='" + run + "' tabindex='0' role='img' focusable='true' " +
    "preserveAspectRatio='none' shape-rendering='crispEdges' style='height:" +
    Math.max(48, 3 * m.H) + "px' aria-label='" + wbEsc(m.label +
    " " + map.name + (run === "forced" ? " with the forced gate" : "") + " heatmap: rows " +
    "are units 0 to " + (m.H - 1) + ", columns are words; focus it and use the arrow keys to read " +
    "cells") + "'></svg></div>";
}

// One map: its title, the trained run's heatmap, the forced run's (hidden until a gate of
// this model is forced) and the word axis under both.
function wbMapBlock(m, map) {
  return "<div class='wb-pg-block' data-map='" + map.name + "'><div class='wb-pg-cap'>" +
    wbEsc(map.name) + ": " + wbEsc(map.about) + " <small>(" +
    (map.act === "sigmoid" ? "0..1" : "\u22121..1") + (map.clamp ? ", colours clamped" : "") +
    ")</small></div>" + wbMapRow(m, map, "trained") +
    "<div class='wb-pg-twin' hidden><div class='wb-pg-twin-label'></div>" +
    wbMapRow(m, map, "forced") + "</div><div class='wb-pg-row'><span></span>" +
    "<div class='wb-pg-words' aria-hidden='true'></div></div></div>";
}

function wbPanel(root, m) {
  var sec = document.createElement("section"), maps = wbMaps(m);
  sec.className = "wb-pg-panel";
  sec.setAttribute("data-model", m.name);
  sec.innerHTML = "<p class='wb-pg-title'><b>" + wbEsc(m.label) + "</b> (" + wbEsc(m.name) +
    ")</p><p class='wb-pg-answer' aria-live='polite'></p><div class='wb-pg-dist'></div>" +
    "<div class='wb-pg-why'></div>" +
    "<div class='wb-pg-maps'>" + maps.map(function (map) {
      return wbMapBlock(m, map);
    }).join("") + "</div>";
  root.querySelector(".wb-pg-panels").appendChild(sec);
  var q = function (s) { return Array.prototype.slice.call(sec.querySelectorAll(s)); };
  return {sec: sec, maps: maps, trained: q(".wb-pg-map[data-run='trained']"),
          forced: q(".wb-pg-map[data-run='forced']"), twins: q(".wb-pg-twin"),
          words: q(".wb-pg-words"), width: 0};
}

// A heatmap's cells as an image of T x H pixels, one per cell, that the SVG stretches with
// crisp edges: a 24-bit top-down BMP (the simplest format every browser reads) in a data
// URL. One element per heatmap instead of one per cell or colour, so that a redraw costs
// little to build, parse and lay out. rgbAt(t, j) is the colour of column t, row j.
function wbBitmapOf(T, H, rgbAt) {
  var row = (3 * T + 3) & ~3, size = 54 + row * H;
  var bytes = new Uint8Array(size), head = new DataView(bytes.buffer), bin = "";
  bytes[0] = 66; bytes[1] = 77;                               // "BM"
  [[2, size], [10, 54], [14, 40], [18, T], [22, -H], [34, row * H]].forEach(function (f) {
    head.setInt32(f[0], f[1], true);                          // negative height: top row first
  });
  head.setUint16(26, 1, true); head.setUint16(28, 24, true);  // 1 plane, 24 bits per pixel
  for (var j = 0; j < H; j++) {
    for (var t = 0, at = 54 + j * row; t < T; t++, at += 3) {
      var c = rgbAt(t, j);
      bytes[at] = c[2]; bytes[at + 1] = c[1]; bytes[at + 2] = c[0];  // stored as b, g, r
    }
  }
  for (var i = 0; i < size; i += 8192) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  return "data:image/bmp;base64," + btoa(bin);
}

// The playground's heatmap [unit x word] of vals, flat [t * H + j], in act's colours.
function wbBitmap(vals, T, H, act) {
  var lo = WB_RANGE[act][0], pal = WB_PALETTE[act];
  return wbBitmapOf(T, H, function (t, j) { return pal[wbBin(vals[t * H + j], lo)]; });
}

// A heatmap's SVG content: the cells, the start of a forced gate (start >= 0, dashed), the
// selected word's frame and the cursor of the cell being read.
function wbMapSvg(vals, T, H, act, start, sel) {
  var parts = T ? ["<image width='" + T + "' height='" + H + "' preserveAspectRatio='none' " +
                   "href='" + wbBitmap(vals, T, H, act) + "'/>"] : [];
  if (start >= 0 && start < T) {
    parts.push("<path class='wb-pg-start' d='M" + start + " 0v" + H + "' stroke='currentColor' " +
               "stroke-width='2' stroke-dasharray='4 3' vector-effect='non-scaling-stroke'/>");
  }
  parts.push("<rect class='wb-pg-sel' x='" + sel + "' y='0' width='1' height='" + H + "' fill='none' " +
             "stroke='currentColor' stroke-width='2' vector-effect='non-scaling-stroke'/>");
  parts.push("<rect class='wb-pg-cursor' x='0' y='0' width='1' height='1' fill='none' " +
             "stroke='currentColor' stroke-width='3' vector-effect='non-scaling-stroke' " +
             "visibility='hidden'/>");
  return parts.join("");
}

// The word axis: the words at a pitch their labels fit in (about 1.15 label heights on the
// screen), counted from the selected word so that it is always labelled (in bold). One
// element in vertical writing mode holds them all, a line per label, with the line height
// equal to the pitch: each line sits under its own column, with no element per label to lay
// out (a redraw lays out a dozen axes).
function wbWordAxis(tokens, sel, widthPx, fontPx) {
  var T = tokens.length, col = Math.max(widthPx, 1) / Math.max(T, 1);
  var every = Math.max(1, Math.ceil(1.15 * fontPx / col)), lines = [], longest = 0;
  for (var t = sel % every; t < T; t += every) {
    longest = Math.max(longest, tokens[t].length);
    lines.push(t === sel ? "<b class='wb-pg-on'>" + wbEsc(tokens[t]) + "</b>" : wbEsc(tokens[t]));
  }
  var pitch = every * col;
  return {html: T ? "<div style='left:calc(" + ((sel % every + 0.5) / T * 100).toFixed(3) +
                    "% - " + (pitch / 2).toFixed(2) + "px);line-height:" + pitch.toFixed(2) +
                    "px'>" + lines.join("\n") + "</div>" : "",
          height: (0.62 * longest + 0.6).toFixed(2) + "em"};
}

// The answer distribution as bars: the trained run's solid, the forced run's (if any) dashed.
function wbDist(probs, forced, classes) {
  var html = forced ? "<div><small>solid: as trained; dashed: forced</small></div>" : "";
  for (var k = 0; k < classes.length; k++) {
    var p = probs[k], q = forced ? forced[k] : null;
    html += "<div class='wb-pg-dr'><span class='wb-pg-dn'>" + wbEsc(classes[k]) + "</span>" +
      "<span class='wb-pg-db'><span style='height:" + (q === null ? "1em" : ".55em") +
      ";width:" + (100 * p).toFixed(1) + "%'></span>" + (q === null ? "" :
      "<span class='wb-pg-dq' style='width:" + (100 * q).toFixed(1) + "%'></span>") +
      "</span><span>" + p.toFixed(2) + (q === null ? "" : " / " + q.toFixed(2)) +
      "</span></div>";
  }
  return html;
}

// "Why this answer": a bar per word, its height the word's attribution (the norm of the
// gradient of the answer's logit with respect to the word's input vector) over the largest
// in the story; the exact value is the bar's label.
function wbWhyBars(label, tokens, why, classes) {
  if (!tokens.length) { return ""; }
  var top = Math.max.apply(null, why.attribution) || 1;
  return "<div class='wb-pg-why-cap'>Why " + wbEsc(label) + " says " + wbEsc(classes[why.target]) +
    ": how much each word moved that answer</div><div class='wb-pg-why-bars'>" +
    tokens.map(function (w, t) {
      var v = why.attribution[t], text = "word " + wbWordNumber(t) + " \u201c" + w + "\u201d: " +
        v.toPrecision(3);
      return "<span class='wb-pg-wy' title='" + wbEsc(text) + "' aria-label='" + wbEsc(text) +
        "' role='img'><span class='wb-pg-wbx'><span class='wb-pg-wbar' style='height:" +
        (100 * v / top).toFixed(1) + "%'></span></span><span class='wb-pg-ww' aria-hidden='true'>" +
        wbEsc(w) + "</span></span>";
    }).join("") + "</div>";
}

function wbTop(probs, classes) {
  var best = 0;
  for (var k = 1; k < probs.length; k++) { if (probs[k] > probs[best]) { best = k; } }
  return classes[best] + " " + probs[best].toFixed(2);
}

// The page's background behind root, so the value read-out box is opaque in light and dark themes.
function wbBackdrop(el) {
  for (; el && el.nodeType === 1; el = el.parentElement) {
    var bg = getComputedStyle(el).backgroundColor;
    if (bg && bg !== "transparent" && !/rgba\(.*,\s*0\)$/.test(bg)) { return bg; }
  }
  return "Canvas";
}

// Put the value read-out box just below and right of cell (t, j) of svg (left of it if it would
// leave the playground), inside root's box.
function wbPlaceReadout(root, box, svg, t, j, T, H) {
  var r = svg.getBoundingClientRect(), o = root.getBoundingClientRect();
  var x = r.left - o.left + (t + 1) * r.width / T, y = r.top - o.top + (j + 1) * r.height / H;
  box.hidden = false;
  box.style.background = wbBackdrop(root);
  var w = box.offsetWidth, left = x + 8;
  if (left + w > root.clientWidth) { left = Math.max(0, x - r.width / T - 8 - w); }
  box.style.left = left + "px";
  box.style.top = (y + 6) + "px";
}
