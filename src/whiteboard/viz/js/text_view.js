// The text pad's view: the code coloured by each model's tracking unit, the most likely next
// characters at the chosen character, and the models writing on. One object tp holds the
// root, the data, the engine, the controls and the last reading.

function wbTextShow(ch) {
  return ch === "\n" ? "\u21b5" : ch === " " ? "\u2423" : ch;
}

// The colour of a unit's value v: red above 0, blue below, as strong as |v| / scale.
function wbTextColour(v, scale) {
  var a = Math.min(1, Math.abs(v) / (scale || 1)) * 0.75;
  return v >= 0 ? "rgba(214,39,40," + a.toFixed(3) + ")" : "rgba(31,119,180," + a.toFixed(3) + ")";
}

function wbTextBlock(tp, m) {
  var box = document.createElement("div");
  box.innerHTML = "<p class='wb-tp-p wb-tp-head'></p><div class='wb-tp-text wb-scroll' tabindex='0'>" +
    "</div><p class='wb-tp-next wb-tp-p' aria-live='polite'></p>";
  tp.root.querySelector(".wb-tp-models").appendChild(box);
  var text = box.querySelector(".wb-tp-text");
  text.addEventListener("click", function (ev) {
    var at = ev.target.getAttribute("data-at");
    if (at !== null) { tp.sel = Number(at); wbTextDrawAll(tp); }
  });
  return {head: box.querySelector(".wb-tp-head"), text: text,
          next: box.querySelector(".wb-tp-next"), m: m};
}

function wbTextPaint(tp, block) {
  var m = block.m, f = tp.ui.feature.value, u = m.units[f], run = tp.res.runs[m.name];
  var states = run.out[m.stateName], H = m.H, chars = Array.from(tp.res.text);
  block.head.textContent = m.label + ": unit " + u.unit + " of " + (m.stateName === "c" ?
    "its cell state c" : "its state h") + " (r = " + u.r.toFixed(2) + " with " +
    tp.names[f] + " on the held-out text)";
  var frag = document.createDocumentFragment();
  chars.forEach(function (ch, t) {
    var span = document.createElement("span");
    span.textContent = ch;
    span.setAttribute("data-at", String(t));
    span.style.background = wbTextColour(states[t * H + u.unit], u.scale);
    if (t === tp.sel) { span.className = "wb-tp-at"; }
    frag.appendChild(span);
  });
  block.text.textContent = "";
  block.text.appendChild(frag);
}

function wbTextNext(tp, block) {
  var m = block.m, K = m.K, t = tp.sel, probs = tp.res.runs[m.name].probs, order = [];
  if (t < 0) { block.next.textContent = ""; return; }
  for (var k = 0; k < K; k++) { order.push(k); }
  order.sort(function (a, b) { return probs[t * K + b] - probs[t * K + a]; });
  var ch = tp.res.text.charAt(t);
  block.next.textContent = m.label + " after \u201c" + wbTextShow(ch) + "\u201d (character " +
    (t + 1) + "): " + order.slice(0, 5).map(function (k) {
      return "\u201c" + wbTextShow(tp.data.chars.charAt(k)) + "\u201d " +
        (100 * probs[t * K + k]).toFixed(0) + "%";
    }).join(", ");
}

function wbTextDrawAll(tp) {
  tp.blocks.forEach(function (b) { wbTextPaint(tp, b); wbTextNext(tp, b); });
}

function wbTextRecompute(tp) {
  var code = tp.ui.code.value, limit = tp.data.limit, note = "";
  if (Array.from(code).length > limit) {
    code = Array.from(code).slice(0, limit).join("");
    note = "Only the first " + limit + " characters are read. ";
  }
  tp.res = tp.engine.read(code);
  if (tp.res.replaced) {
    note += tp.res.replaced + " character(s) outside the models' alphabet (newline and " +
      "ASCII 32 to 126) are read as \u201c?\u201d. ";
  }
  tp.ui.note.textContent = note + "Click a character to see what each model expects next.";
  tp.sel = Math.min(tp.sel < 0 ? tp.res.ids.length - 1 : tp.sel, tp.res.ids.length - 1);
  wbTextDrawAll(tp);
}

function wbTextWrite(tp) {
  var temp = Number(tp.ui.temp.value), seed = Math.max(0, Math.floor(Number(tp.ui.seed.value)));
  var out = tp.ui.samples;
  out.textContent = "";
  tp.engine.models.forEach(function (m) {
    var s = tp.engine.sample(m.name, tp.res.text, tp.data.length, temp, seed);
    var p = document.createElement("p");
    p.className = "wb-tp-p";
    p.textContent = m.label + " at temperature " + temp + ", seed " + seed + ":";
    var pre = document.createElement("div");
    pre.className = "wb-tp-sample";
    pre.textContent = s.text;
    out.appendChild(p);
    out.appendChild(pre);
  });
}

function wbTextOption(select, value, label) {
  var o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  select.appendChild(o);
}

// Sets up one root element (whiteboard.viz.script starts it through wbBoot).
function wbTextSetup(root) {
  var data = JSON.parse(root.querySelector(".wb-tp-data").textContent);
  var q = function (s) { return root.querySelector(s); };
  var tp = {root: root, data: data, engine: wbTextEngine(data), sel: -1, names: {},
            ui: {code: q(".wb-tp-code"), feature: q(".wb-tp-feature"), note: q(".wb-tp-note"),
                 temp: q(".wb-tp-temp"), seed: q(".wb-tp-seed"), write: q(".wb-tp-write"),
                 samples: q(".wb-tp-samples")}};
  data.features.forEach(function (f) {
    tp.names[f[0]] = f[1];
    wbTextOption(tp.ui.feature, f[0], f[1]);
  });
  data.temperatures.forEach(function (t) { wbTextOption(tp.ui.temp, String(t), String(t)); });
  tp.ui.temp.value = "0.8";
  tp.blocks = tp.engine.models.map(function (m) { return wbTextBlock(tp, m); });
  root.wbRead = function (text) { return tp.engine.contract(text); };
  root.wbSample = function (name, text, n, temperature, seed) {
    return tp.engine.sample(name, text, n, temperature, seed);
  };
  var timer = null;
  tp.ui.code.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { wbTextRecompute(tp); }, 150);
  });
  tp.ui.feature.addEventListener("change", function () { wbTextDrawAll(tp); });
  tp.ui.write.addEventListener("click", function () { wbTextWrite(tp); });
  wbTextRecompute(tp);
}
