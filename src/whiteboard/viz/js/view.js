// The playground's view: the story box, the tokens, a heatmap [unit x word] per gate and
// state, each model's answer, stepping, forcing a gate and adding distractors.

// Colour scales, as 65-step palettes: sigmoid gates 0..1 (light to dark blue), tanh values
// and states -1..1 (blue, light grey, red). Values outside are drawn at the end colour.
function wbPalette(stops) {
  var out = [];
  for (var k = 0; k <= 64; k++) {
    var x = k / 64 * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2);
    var f = x - i, rgb = [0, 1, 2].map(function (c) {
      return Math.round(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
    });
    out.push("rgb(" + rgb.join(",") + ")");
  }
  return out;
}
var WB_PALETTE = {
  sigmoid: wbPalette([[247, 251, 255], [107, 174, 214], [8, 48, 107]]),
  tanh: wbPalette([[33, 102, 172], [247, 247, 247], [178, 24, 43]])
};
function wbColour(v, act) {
  var lo = WB_RANGE[act][0], x = (v - lo) / (1 - lo);
  return WB_PALETTE[act][Math.round(Math.min(1, Math.max(0, x)) * 64)];
}
function wbEsc(s) {
  return String(s).replace(/[&<>"]/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c];
  });
}

// The maps a model shows: its gates in block order, then the LSTM's c, then h.
function wbMaps(m) {
  var maps = m.gates.map(function (g) {
    return {name: g.name, act: g.activation, about: g.role};
  });
  if (m.kind === "lstm") { maps.push({name: "c", act: "tanh", about: "cell state", clamp: 1}); }
  maps.push({name: "h", act: "tanh", about: "hidden state"});
  return maps;
}

function wbLegend(data) {
  function bar(act, lo, text) {
    var cells = "";
    for (var k = 0; k < 20; k++) {
      cells += "<rect x='" + k + "' y='0' width='1.05' height='1' fill='" +
               wbColour(lo + (1 - lo) * (k + 0.5) / 20, act) + "'/>";
    }
    return "<span style='display:inline-flex;align-items:center;gap:.3em;margin-right:1.2em'>" +
      lo + " <svg width='100' height='12' viewBox='0 0 20 1' preserveAspectRatio='none' " +
      "aria-hidden='true' style='border:1px solid currentColor'>" + cells + "</svg> 1 " +
      text + "</span>";
  }
  // Name only the gates and states of the networks on this page, from their gate specs.
  var gates = {sigmoid: [], tanh: []}, states = ["h"], lstm = false;
  data.models.forEach(function (m) {
    (data.gates[m.kind] || []).forEach(function (g) {
      if (gates[g.activation].indexOf(g.name) < 0) { gates[g.activation].push(g.name); }
    });
    if (m.kind === "lstm") { lstm = true; }
  });
  if (lstm) { states.unshift("c"); }
  var tanhNames = gates.tanh.concat(states).join(", ");
  return (gates.sigmoid.length ? bar("sigmoid", 0, "sigmoid gates (" +
                                     gates.sigmoid.join(", ") + ")") : "") +
         bar("tanh", -1, (gates.tanh.length ? "candidates and states (" : "states (") +
             tanhNames + ")") +
         (lstm ? "<br><small>The LSTM's cell state c can go beyond \u00b11: its colours stop " +
                 "at the ends of the scale, and the exact value shows when you point at a " +
                 "cell.</small>" : "");
}

function wbPanel(root, m) {
  var sec = document.createElement("section");
  sec.className = "wb-pg-panel";
  sec.setAttribute("data-model", m.name);
  sec.style.cssText = "flex:1 1 22em;min-width:0;max-width:100%";
  var html = "<p style='margin:.2em 0;font-weight:bold'>" + wbEsc(m.label) +
    " <span style='font-weight:normal'>(" + wbEsc(m.name) + ")</span></p>" +
    "<p class='wb-pg-answer' aria-live='polite' style='margin:.2em 0'></p>" +
    "<div class='wb-pg-dist' style='margin:.3em 0'></div>";
  var maps = wbMaps(m);
  for (var k = 0; k < maps.length; k++) {
    html += "<div style='margin-top:.4em'>" + wbEsc(maps[k].name) + ": " +
      wbEsc(maps[k].about) + " <small>(" + (maps[k].act === "sigmoid" ? "0..1" : "\u22121..1") +
      (maps[k].clamp ? ", colours clamped" : "") + ")</small></div>" +
      "<svg class='wb-pg-map' data-map='" + maps[k].name + "' tabindex='0' role='img' " +
      "focusable='true' width='100%' height='96' preserveAspectRatio='none' " +
      "style='display:block;border:1px solid currentColor;cursor:crosshair' " +
      "aria-label='" + wbEsc(m.label + " " + maps[k].name + " heatmap: rows are units, " +
      "columns are words; focus it and use the arrow keys to read cells") + "'></svg>";
  }
  sec.innerHTML = html;
  root.querySelector(".wb-pg-panels").appendChild(sec);
  return {sec: sec, maps: maps};
}

// One <path> of unit squares per colour of the palette, not one <rect> per cell: the same
// picture with ~65 elements instead of T*H, so a redraw stays fast for long stories.
function wbDrawMap(svg, rows, map, H) {
  var T = rows.length, lo = WB_RANGE[map.act][0], byColour = {}, parts = [];
  svg.setAttribute("viewBox", "0 0 " + Math.max(T, 1) + " " + H);
  for (var t = 0; t < T; t++) {
    var col = rows[t];
    for (var j = 0; j < H; j++) {
      var k = Math.round(Math.min(1, Math.max(0, (col[j] - lo) / (1 - lo))) * 64);
      (byColour[k] = byColour[k] || []).push("M" + t + " " + j + "h1.02v1.02h-1.02z");
    }
  }
  for (var c in byColour) {
    parts.push("<path fill='" + WB_PALETTE[map.act][c] + "' d='" + byColour[c].join("") + "'/>");
  }
  parts.push("<rect class='wb-pg-sel' x='0' y='0' width='1' height='" + H + "' fill='none' " +
             "stroke='currentColor' stroke-width='2' vector-effect='non-scaling-stroke'/>");
  parts.push("<rect class='wb-pg-cursor' x='0' y='0' width='1' height='1' fill='none' " +
             "stroke='currentColor' stroke-width='3' vector-effect='non-scaling-stroke' " +
             "visibility='hidden'><title></title></rect>");
  svg.innerHTML = parts.join("");
}

function wbDist(probs, forced, classes) {
  var html = "";
  for (var k = 0; k < classes.length; k++) {
    var p = probs ? probs[k] : 0, q = forced ? forced[k] : null;
    html += "<div style='display:flex;align-items:center;gap:.4em'><span style='width:6.5em'>" +
      wbEsc(classes[k]) + "</span><span style='flex:1;position:relative;height:1em'>" +
      "<span style='position:absolute;left:0;top:0;height:" + (q === null ? "1em" : ".55em") +
      ";width:" + (100 * p).toFixed(1) + "%;background:currentColor;opacity:.65'></span>" +
      (q === null ? "" : "<span style='position:absolute;left:0;top:.6em;height:.4em;width:" +
        (100 * q).toFixed(1) + "%;border:1px dashed currentColor;box-sizing:border-box'>" +
        "</span>") + "</span><span style='width:" + (q === null ? "3em" : "7.5em") + "'>" +
      p.toFixed(2) + (q === null ? "" : " / " + q.toFixed(2) + " forced") + "</span></div>";
  }
  return html;
}

function wbTop(probs, classes) {
  var best = 0;
  for (var k = 1; k < probs.length; k++) { if (probs[k] > probs[best]) { best = k; } }
  return classes[best] + " " + probs[best].toFixed(2);
}
