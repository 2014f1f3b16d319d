// The playground's controller: wires the controls to the engine and the view. One object pg
// holds the page's parts (root, data, engine, ui, panels) and its state; each function below
// does one job on it.

function wbControls(root) {
  var q = function (s) { return root.querySelector(s); };
  return {story: q(".wb-pg-story"), slider: q(".wb-pg-slider"), gate: q(".wb-pg-gate"),
          value: q(".wb-pg-value"), start: q(".wb-pg-start"), word: q(".wb-pg-word"),
          readout: q(".wb-pg-readout"), tokens: q(".wb-pg-tokens"), prev: q(".wb-pg-prev"),
          next: q(".wb-pg-next"), unknown: q(".wb-pg-unknown"), distract: q(".wb-pg-distract"),
          reset: q(".wb-pg-reset"), startWord: q(".wb-pg-start-word")};
}

// The gate menu: "none", then every gate of every model, as "<model>|<gate>".
function wbGateOptions(engine) {
  var options = "<option value=''>none (as trained)</option>";
  engine.models.forEach(function (m) {
    m.gates.forEach(function (g) {
      options += "<option value='" + m.name + "|" + g.name + "'>" + wbEsc(m.label + " " +
        g.name + " (" + (g.label || g.role) + ")") + "</option>";
    });
  });
  return options;
}

// data: the page's JSON, or given (the trainer's playground of the networks it trained).
function wbPlaygroundSetup(root, data) {
  data = data || JSON.parse(root.querySelector(".wb-pg-data").textContent);
  var pg = {root: root, data: data, engine: wbEngine(data), ui: wbControls(root), panels: {},
            state: {res: null, forced: null, sel: 0, unit: 0, added: 0, cell: null}};
  root.querySelector(".wb-pg-legend").innerHTML = wbLegend(data);
  pg.engine.models.forEach(function (m) { pg.panels[m.name] = wbPanel(root, m); });
  pg.ui.gate.innerHTML = wbGateOptions(pg.engine);
  root.wbRun = function (text, overrides) { return pg.engine.run(text, overrides); };
  root.wbRecompute = function (toEnd) { wbRecompute(pg, toEnd); };
  wbBindControls(pg);
  wbBindKeys(pg);
  wbBindPointer(pg);
  wbMeasure(pg);
  wbRecompute(pg);
  wbWatchSize(pg);
}

// ---- computing -----------------------------------------------------------------------------

// The reader's forced gate, as an override of wbRun: {model, ov: {gate, value, start}}, with
// the "from word" field (counted from 1) turned into start (counted from 0), or null.
function wbForceChoice(pg) {
  var ui = pg.ui, v = ui.gate.value;
  if (!v) { return null; }
  var parts = v.split("|"), n = Math.max(1, Math.floor(Number(ui.start.value) || 1));
  return {model: pg.engine.model(parts[0]),
          ov: {gate: parts[1], value: Number(ui.value.value), start: wbWordIndex(n)}};
}

// A start word past the story's end forces nothing: no forced run, and the field says so.
function wbForce(pg) {
  var f = wbForceChoice(pg), res = pg.state.res, T = res.ids.length;
  if (f && f.ov.start >= T) {
    pg.ui.startWord.textContent = "word " + wbWordNumber(f.ov.start) + " is past the end of " +
      "the story (" + T + (T === 1 ? " word" : " words") + "): nothing is forced";
    f = null;
  } else {
    pg.ui.startWord.textContent = f ? "\u201c" + res.tokens[f.ov.start] + "\u201d" : "";
  }
  if (f) { f.run = pg.engine.force(f.model, res.ids, [f.ov]); }
  pg.state.forced = f;
}

// A new story: run every model, the forced run, and draw it all (timed in wbLastDrawMs).
function wbRecompute(pg, toEnd) {
  var t0 = performance.now(), st = pg.state, keep = st.sel, had = st.res && st.res.ids.length;
  st.res = pg.engine.compute(pg.ui.story.value, {});
  var T = st.res.ids.length;
  wbForce(pg);
  wbDrawMaps(pg);
  wbDrawTokens(pg);
  wbShowUnknown(pg);
  wbDrawWhy(pg);
  pg.ui.slider.max = Math.max(1, T);
  pg.ui.start.max = Math.max(1, T);
  wbSelect(pg, toEnd === true || !had || keep >= had - 1 ? T - 1 : keep);  // follow the end
  pg.root.wbLastDrawMs = performance.now() - t0;
}

// ---- drawing -------------------------------------------------------------------------------

function wbDrawMaps(pg) {
  var res = pg.state.res, T = res.ids.length;
  pg.engine.models.forEach(function (m) {
    var p = pg.panels[m.name];
    p.maps.forEach(function (map, k) {
      p.trained[k].setAttribute("viewBox", "0 0 " + Math.max(T, 1) + " " + m.H);
      p.trained[k].innerHTML = wbMapSvg(res.models[m.name][map.name], T, m.H, map.act, -1, pg.state.sel);
    });
  });
  wbDrawTwins(pg);
}

// The forced run's heatmaps, under the trained ones of the model whose gate is forced.
function wbDrawTwins(pg) {
  var f = pg.state.forced, T = pg.state.res.ids.length;
  pg.engine.models.forEach(function (m) {
    var p = pg.panels[m.name], on = !!f && f.model === m;
    p.maps.forEach(function (map, k) {
      p.twins[k].hidden = !on;
      if (!on) { return; }
      p.twins[k].firstChild.textContent = "forced: " + f.ov.gate + " = " + f.ov.value +
        " from word " + wbWordNumber(f.ov.start);
      p.forced[k].setAttribute("viewBox", "0 0 " + Math.max(T, 1) + " " + m.H);
      p.forced[k].innerHTML = wbMapSvg(f.run[map.name], T, m.H, map.act, f.ov.start, pg.state.sel);
    });
  });
}

// The words under every heatmap, thinned to what the panel's width can show.
function wbDrawAxes(pg) {
  var res = pg.state.res;
  pg.engine.models.forEach(function (m) {
    var p = pg.panels[m.name], axis = wbWordAxis(res.tokens, pg.state.sel, p.width, pg.fontPx);
    p.words.forEach(function (el) { el.innerHTML = axis.html; el.style.height = axis.height; });
  });
}

// Words the task does not know are named with the nearest known ones, and left out; a story
// that then names no country leaves the networks guessing (readers took a confident wrong
// answer for a bug), and one without its name has every later word one place early.
function wbShowUnknown(pg) {
  var res = pg.state.res, unk = res.unknown.map(function (u) {
    return "\u201c" + u.word + "\u201d" + (u.nearest.length ? " (nearest: " +
      u.nearest.join(", ") + ")" : " (no close word)");
  });
  var country = res.tokens.some(function (w) { return pg.data.countries.indexOf(w) >= 0; });
  var text = unk.length ? "Not in the task's vocabulary, so left out of the run: " +
    unk.join("; ") + ". A country left out leaves the networks guessing; a name left out " +
    "moves every later word one place, which can mislead them too." : "";
  if (res.ids.length && !country) {
    text += (text ? " " : "") + "As the networks read it, this story names no country: " +
      "whatever they answer is a guess, however sure it looks.";
  }
  pg.ui.unknown.textContent = text || (res.ids.length ? "" : "Type a story: there are no words yet.");
}

// Under each answer, a bar per word: how much that word moved the answer (wbWhy).
function wbDrawWhy(pg) {
  var res = pg.state.res;
  pg.engine.models.forEach(function (m) {
    pg.panels[m.name].sec.querySelector(".wb-pg-why").innerHTML =
      wbWhyBars(m.label, res.tokens, res.why[m.name], pg.data.classes);
  });
}

function wbDrawAnswers(pg) {
  var st = pg.state, T = st.res.ids.length, f = st.forced, classes = pg.data.classes;
  var at = function (probs, t) { return probs.subarray(t * classes.length, (t + 1) * classes.length); };
  pg.engine.models.forEach(function (m) {
    var probs = st.res.models[m.name].probs, sec = pg.panels[m.name].sec, fr = f && f.model === m;
    var text = m.label + ": " + (T ? wbTop(at(probs, T - 1), classes) : "no words yet");
    if (fr && T) {
      text += " \u2014 with " + f.ov.gate + " = " + f.ov.value + " from word " +
        wbWordNumber(f.ov.start) + ": " + wbTop(at(f.run.probs, T - 1), classes);
    }
    sec.querySelector(".wb-pg-answer").textContent = text;
    sec.querySelector(".wb-pg-dist").innerHTML = T ? "<small>answer after word " +
      wbWordNumber(st.sel) + " \u201c" + wbEsc(st.res.tokens[st.sel]) + "\u201d</small>" +
      wbDist(at(probs, st.sel), fr ? at(f.run.probs, st.sel) : null, classes) : "";
  });
}

function wbDrawTokens(pg) {
  var html = "";
  pg.state.res.tokens.forEach(function (w, t) {
    html += "<span data-t='" + t + "'>" + wbEsc(w) + "</span> ";
  });
  pg.ui.tokens.innerHTML = html || "<em>no words yet: type a story</em>";
}

// Word t (counted from 0) becomes the selected one everywhere.
function wbSelect(pg, t) {
  var st = pg.state, ui = pg.ui, T = st.res.ids.length;
  st.sel = Math.max(0, Math.min(T - 1, t)) || 0;
  ui.slider.value = wbWordNumber(st.sel);
  ui.word.textContent = T ? "word " + wbWordNumber(st.sel) + " of " + T + ": \u201c" +
    st.res.tokens[st.sel] + "\u201d" : "";
  var sels = pg.root.querySelectorAll(".wb-pg-sel");
  for (var k = 0; k < sels.length; k++) { sels[k].setAttribute("x", st.sel); }
  var was = pg.ui.tokens.querySelector(".wb-pg-on"), now = pg.ui.tokens.children[st.sel];
  if (was) { was.classList.remove("wb-pg-on"); }
  if (now && T) { now.classList.add("wb-pg-on"); wbScrollTo(pg.ui.tokens, now); }
  wbDrawAnswers(pg);
  wbDrawAxes(pg);
  if (st.cell) { wbShowCell(pg, st.cell); }
}

// The word list scrolls inside its own box (a long story would push the heatmaps far down):
// keep the selected word in view, without scrolling the page.
function wbScrollTo(list, el) {
  var top = el.offsetTop, bottom = top + el.offsetHeight;
  if (top < list.scrollTop) { list.scrollTop = top; }
  else if (bottom > list.scrollTop + list.clientHeight) {
    list.scrollTop = bottom - list.clientHeight;
  }
}

// ---- reading one cell ----------------------------------------------------------------------

function wbCellOf(pg, svg) {
  var name = svg.closest(".wb-pg-panel").getAttribute("data-model"), m = pg.engine.model(name);
  var forced = svg.getAttribute("data-run") === "forced", f = pg.state.forced;
  return {m: m, map: svg.getAttribute("data-map"), forced: forced,
          run: forced ? f.run : pg.state.res.models[name]};
}

// Frame cell (selected word, state.unit) of svg and show its exact value next to it.
function wbShowCell(pg, svg) {
  var st = pg.state, T = st.res.ids.length, cur = svg.querySelector(".wb-pg-cursor");
  if (!T || !cur || (svg.getAttribute("data-run") === "forced" && !st.forced)) {
    return wbHideCell(pg);
  }
  if (st.cell && st.cell !== svg) { wbHideCell(pg); }
  var c = wbCellOf(pg, svg), v = c.run[c.map][st.sel * c.m.H + st.unit], f = st.forced;
  st.cell = svg;
  cur.setAttribute("x", st.sel); cur.setAttribute("y", st.unit);
  cur.setAttribute("visibility", "visible");
  pg.ui.readout.textContent = c.m.label + " " + c.map + (c.forced ? " (forced " + f.ov.gate +
    " = " + f.ov.value + ")" : "") + ", unit " + st.unit + ", word " +
    wbWordNumber(st.sel) + " \u201c" + st.res.tokens[st.sel] + "\u201d: " + v.toPrecision(10);
  wbPlaceReadout(pg.root, pg.ui.readout, svg, st.sel, st.unit, T, c.m.H);
}

function wbHideCell(pg) {
  var cur = pg.state.cell && pg.state.cell.querySelector(".wb-pg-cursor");
  if (cur) { cur.setAttribute("visibility", "hidden"); }
  pg.state.cell = null;
  pg.ui.readout.hidden = true;
}

// ---- events --------------------------------------------------------------------------------

function wbBindControls(pg) {
  var ui = pg.ui, st = pg.state;
  ui.story.addEventListener("input", function () { wbRecompute(pg); });
  ui.slider.addEventListener("input", function () {
    wbSelect(pg, wbWordIndex(Number(ui.slider.value)));
  });
  ui.prev.addEventListener("click", function () { wbSelect(pg, st.sel - 1); });
  ui.next.addEventListener("click", function () { wbSelect(pg, st.sel + 1); });
  [ui.gate, ui.value, ui.start].forEach(function (el) {
    ["change", "input"].forEach(function (kind) {
      el.addEventListener(kind, function () {
        wbForce(pg); wbDrawTwins(pg); wbDrawAnswers(pg);
      });
    });
  });
  ui.distract.addEventListener("click", function () {
    st.added += 1;
    ui.story.value = wbAddDistractor(ui.story.value, wbDistractor(pg.data, pg.data.seed + st.added));
    wbRecompute(pg, true);  // the answer at "speaks", as the gap grows
  });
  ui.reset.addEventListener("click", function () {
    ui.story.value = pg.data.default_story; st.added = 0; wbRecompute(pg, true);
  });
  ui.tokens.addEventListener("click", function (ev) {
    var t = ev.target.getAttribute && ev.target.getAttribute("data-t");
    if (t !== null && t !== undefined) { wbSelect(pg, Number(t)); }
  });
}

// Left/right (and Home/End) step through the words when the playground itself or any of its
// controls has focus, except those that use the arrows themselves (text, number, slider and
// menus); on a heatmap, up/down move between units.
function wbBindKeys(pg) {
  var st = pg.state;
  pg.root.addEventListener("keydown", function (ev) {
    var tag = ev.target.tagName, map = ev.target.classList &&
      ev.target.classList.contains("wb-pg-map");
    if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || ev.altKey ||
        ev.ctrlKey || ev.metaKey) { return; }
    var T = st.res.ids.length, up = {ArrowUp: -1, ArrowDown: 1}[ev.key];
    var to = {ArrowLeft: st.sel - 1, ArrowRight: st.sel + 1, Home: 0, End: T - 1}[ev.key];
    if (to !== undefined) { wbSelect(pg, to); }
    else if (up && map) {
      st.unit = Math.max(0, Math.min(wbCellOf(pg, ev.target).m.H - 1, st.unit + up));
      wbShowCell(pg, ev.target);
    } else { return; }
    ev.preventDefault();
    ev.stopPropagation();  // a notebook's own shortcuts must not act on the same key
  });
  pg.root.addEventListener("focusin", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("wb-pg-map")) {
      wbShowCell(pg, ev.target);
    }
  });
  pg.root.addEventListener("focusout", function (ev) {
    if (ev.target === st.cell) { wbHideCell(pg); }
  });
}

// Pointing at a heatmap selects the word under the pointer and reads the cell.
function wbBindPointer(pg) {
  var st = pg.state;
  pg.root.addEventListener("mousemove", function (ev) {
    var svg = ev.target.closest && ev.target.closest(".wb-pg-map");
    if (!svg) {
      if (st.cell && st.cell !== document.activeElement) { wbHideCell(pg); }
      return;
    }
    var T = st.res.ids.length, box = svg.getBoundingClientRect(), H = wbCellOf(pg, svg).m.H;
    if (!T) { return; }
    var t = Math.floor((ev.clientX - box.left) / box.width * T);
    st.unit = Math.max(0, Math.min(H - 1, Math.floor((ev.clientY - box.top) / box.height * H)));
    if (st.cell !== svg) { wbHideCell(pg); st.cell = svg; }
    if (t !== st.sel) { wbSelect(pg, t); } else { wbShowCell(pg, svg); }
  });
  pg.root.addEventListener("mouseleave", function () {
    if (st.cell && st.cell !== document.activeElement) { wbHideCell(pg); }
  });
}

// Each panel's heatmap width (for the word labels), now and whenever the page reflows.
function wbMeasure(pg) {
  pg.engine.models.forEach(function (m) {
    var p = pg.panels[m.name];
    p.width = p.trained[0].getBoundingClientRect().width;
  });
  pg.fontPx = parseFloat(getComputedStyle(pg.panels[pg.engine.models[0].name].words[0]).fontSize);
}

function wbWatchSize(pg) {
  if (!window.ResizeObserver) { return; }
  var last = "";
  new ResizeObserver(function () {
    wbMeasure(pg);
    var now = pg.engine.models.map(function (m) { return pg.panels[m.name].width; }).join();
    if (now !== last) { last = now; wbDrawAxes(pg); }
  }).observe(pg.root);
}
