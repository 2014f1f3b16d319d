// The playground's controller: wires the controls to the engine and the view.

function wbForceChoice(ui, engine) {
  var v = ui.gate.value;
  if (!v) { return null; }
  var parts = v.split("|"), start = Math.max(0, Math.floor(Number(ui.start.value) || 0));
  var m = engine.models.filter(function (x) { return x.name === parts[0]; })[0];
  return {model: m, ov: {gate: parts[1], value: Number(ui.value.value), start: start}};
}

function wbSetup(root) {
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector(".wb-pg-data").textContent);
  var engine = wbEngine(data), q = function (s) { return root.querySelector(s); };
  var ui = {story: q(".wb-pg-story"), slider: q(".wb-pg-slider"), gate: q(".wb-pg-gate"),
            value: q(".wb-pg-value"), start: q(".wb-pg-start"), word: q(".wb-pg-word"),
            readout: q(".wb-pg-readout"), tokens: q(".wb-pg-tokens"),
            unknown: q(".wb-pg-unknown"), startWord: q(".wb-pg-start-word")};
  var panels = {}, state = {res: null, forced: null, sel: 0, unit: 0, added: 0};
  q(".wb-pg-legend").innerHTML = wbLegend(data);
  var options = "<option value=''>none (the trained networks as they are)</option>";
  engine.models.forEach(function (m) {
    panels[m.name] = wbPanel(root, m);
    m.gates.forEach(function (g) {
      options += "<option value='" + m.name + "|" + g.name + "'>" + wbEsc(m.label + " " +
        g.name + " (" + g.role + ")") + "</option>";
    });
  });
  ui.gate.innerHTML = options;
  root.wbRun = function (text, overrides) { return engine.run(text, overrides); };

  function word(t) { return state.res.tokens[t]; }
  function answers() {
    var T = state.res.ids.length, f = state.forced;
    engine.models.forEach(function (m) {
      var r = state.res.models[m.name], p = panels[m.name], fr = f && f.model === m;
      var text = m.label + ": " + (T ? wbTop(r.probs[T - 1], data.classes) : "no words yet");
      if (fr && T) {
        text += " \u2014 with " + f.ov.gate + " = " + f.ov.value + " from word " + f.ov.start +
          ": " + wbTop(f.run.probs[T - 1], data.classes);
      }
      p.sec.querySelector(".wb-pg-answer").textContent = text;
      p.sec.querySelector(".wb-pg-dist").innerHTML = T ? "<small>answer after word " +
        state.sel + " \u201c" + wbEsc(word(state.sel)) + "\u201d</small>" +
        wbDist(r.probs[state.sel], fr ? f.run.probs[state.sel] : null, data.classes) : "";
    });
  }
  function tokensLine() {
    var html = "";
    state.res.tokens.forEach(function (w, t) {
      html += "<span data-t='" + t + "' style='padding:0 .15em;cursor:pointer;" +
        (t === state.sel ? "outline:2px solid currentColor;font-weight:bold" : "") + "'>" +
        wbEsc(w) + "</span> ";
    });
    ui.tokens.innerHTML = html || "<em>no words yet: type a story</em>";
  }
  function cursor(svg) {
    var name = svg.getAttribute("data-map"), m = panelModel(svg), T = state.res.ids.length;
    var cur = svg.querySelector(".wb-pg-cursor");
    if (!T || !cur) { return; }
    var v = state.res.models[m.name][name][state.sel][state.unit];
    var text = m.label + " " + name + ", unit " + state.unit + ", word " + state.sel +
      " \u201c" + word(state.sel) + "\u201d: " + v.toPrecision(10);
    cur.setAttribute("x", state.sel); cur.setAttribute("y", state.unit);
    cur.setAttribute("visibility", "visible");
    cur.querySelector("title").textContent = text;
    ui.readout.textContent = text;
  }
  function panelModel(svg) {
    var name = svg.closest(".wb-pg-panel").getAttribute("data-model");
    return engine.models.filter(function (m) { return m.name === name; })[0];
  }
  function select(t) {
    var T = state.res.ids.length;
    state.sel = Math.max(0, Math.min(T - 1, t)) || 0;
    ui.slider.value = state.sel;
    ui.word.textContent = T ? "word " + state.sel + " of " + (T - 1) + ": \u201c" +
      word(state.sel) + "\u201d" : "";
    var sels = root.querySelectorAll(".wb-pg-sel");
    for (var k = 0; k < sels.length; k++) { sels[k].setAttribute("x", state.sel); }
    tokensLine();
    answers();
    if (root.contains(document.activeElement) &&
        document.activeElement.classList.contains("wb-pg-map")) { cursor(document.activeElement); }
  }
  function draw() {
    var T = state.res.ids.length;
    engine.models.forEach(function (m) {
      var svgs = panels[m.name].sec.querySelectorAll(".wb-pg-map");
      panels[m.name].maps.forEach(function (map, k) {
        wbDrawMap(svgs[k], state.res.models[m.name][map.name], map, m.H);
      });
    });
    ui.slider.max = Math.max(0, T - 1);
    ui.start.max = Math.max(0, T - 1);
    var unk = state.res.unknown.map(function (u) {
      return "\u201c" + u.word + "\u201d" + (u.nearest.length ? " (nearest: " +
        u.nearest.join(", ") + ")" : " (no close word)");
    });
    ui.unknown.textContent = unk.length ? "Not in the task's vocabulary, so left out of the " +
      "run: " + unk.join("; ") + "." : (T ? "" : "Type a story: there are no words yet.");
  }
  function startWord() {
    var f = state.forced;
    ui.startWord.textContent = f ? (f.ov.start < state.res.ids.length ? "\u201c" +
      word(f.ov.start) + "\u201d" : "(after the last word: nothing is forced)") : "";
  }
  function recompute(toEnd) {
    var t0 = performance.now(), keep = state.sel, had = state.res && state.res.ids.length;
    state.res = engine.run(ui.story.value, {});
    force();
    draw();
    var T = state.res.ids.length;
    select(toEnd === true || !had || keep >= had - 1 ? T - 1 : keep);  // follow the end
    root.wbLastDrawMs = performance.now() - t0;
  }
  function force() {
    var f = wbForceChoice(ui, engine);
    if (f) {
      var ov = {}; ov[f.model.name] = [f.ov];
      f.run = engine.run(ui.story.value, ov).models[f.model.name];
    }
    state.forced = f;
    startWord();
  }
  root.wbRecompute = recompute;

  ui.story.addEventListener("input", recompute);
  ui.slider.addEventListener("input", function () { select(Number(ui.slider.value)); });
  q(".wb-pg-prev").addEventListener("click", function () { select(state.sel - 1); });
  q(".wb-pg-next").addEventListener("click", function () { select(state.sel + 1); });
  [ui.gate, ui.value, ui.start].forEach(function (el) {
    el.addEventListener("change", function () { force(); answers(); });
    el.addEventListener("input", function () { force(); answers(); });
  });
  q(".wb-pg-distract").addEventListener("click", function () {
    state.added += 1;
    ui.story.value = wbAddDistractor(ui.story.value, wbDistractor(data, data.seed + state.added));
    recompute(true);  // the answer at "speaks", as the gap grows
  });
  q(".wb-pg-reset").addEventListener("click", function () {
    ui.story.value = data.default_story; state.added = 0; recompute(true);
  });
  ui.tokens.addEventListener("click", function (ev) {
    var t = ev.target.getAttribute && ev.target.getAttribute("data-t");
    if (t !== null && t !== undefined) { select(Number(t)); }
  });
  wbMapEvents(root, state, select, cursor);
  recompute();
}

function wbMapEvents(root, state, select, cursor) {
  root.addEventListener("keydown", function (ev) {
    var tag = ev.target.tagName, map = ev.target.classList &&
      ev.target.classList.contains("wb-pg-map");
    if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT") { return; }
    var step = {ArrowLeft: -1, ArrowRight: 1}[ev.key], up = {ArrowUp: -1, ArrowDown: 1}[ev.key];
    if (step) { select(state.sel + step); ev.preventDefault(); }
    else if (up && map) {
      state.unit = Math.max(0, Math.min(Number(ev.target.getAttribute("viewBox").split(" ")[3]) -
        1, state.unit + up));
      cursor(ev.target); ev.preventDefault();
    }
  });
  root.addEventListener("focusin", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("wb-pg-map")) { cursor(ev.target); }
  });
  root.addEventListener("mousemove", function (ev) {
    var svg = ev.target.closest && ev.target.closest(".wb-pg-map");
    if (!svg || !state.res.ids.length) { return; }
    var box = svg.getBoundingClientRect(), vb = svg.getAttribute("viewBox").split(" ");
    var t = Math.floor((ev.clientX - box.left) / box.width * Number(vb[2]));
    state.unit = Math.max(0, Math.min(Number(vb[3]) - 1,
      Math.floor((ev.clientY - box.top) / box.height * Number(vb[3]))));
    if (t !== state.sel) { select(t); }
    cursor(svg);
  });
}

function wbStart(root) {
  if (!root || root.hasAttribute("data-ready")) { return; }
  wbSetup(root);
}
var wbMe = document.currentScript;
wbStart(wbMe && wbMe.closest ? wbMe.closest(".wb-playground") : null);
var wbRoots = document.querySelectorAll('.wb-playground[data-uid="__UID__"]');
for (var wbR = 0; wbR < wbRoots.length; wbR++) { wbStart(wbRoots[wbR]); }
