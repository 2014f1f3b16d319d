// The trainer's view: a panel per model with its charts (held-out accuracy, training loss,
// the gradient reaching each word, the mean forget gate), the colour legend and the results
// table. Functions here build markup or draw one chart from the runs' histories; the
// controller (trainer_app.js) decides when.

// One chart: its caption, the y axis labels, the SVG and the x axis labels.
function wbChartBlock(name, caption, note, yLabels, label) {
  return "<div class='wb-tr-block' data-chart='" + name + "'><div class='wb-tr-cap'>" +
    caption + " <small>" + note + "</small></div><div class='wb-tr-plot'>" +
    "<div class='wb-tr-y' aria-hidden='true'>" + yLabels.map(function (t) {
      return "<span>" + t + "</span>";
    }).join("") + "</div><svg class='wb-tr-svg' viewBox='0 0 " + WB_BOX_W + " " + WB_BOX_H +
    "' preserveAspectRatio='none' role='img' aria-label='" + wbEsc(label) + "'></svg></div>" +
    "<div class='wb-tr-x' aria-hidden='true'></div></div>";
}

// record: the steps between two rows of the gradient heatmap.
function wbTrainerPanel(root, name, spec, compact, record) {
  var sec = document.createElement("section"), keep = {lstm: "forget gate f", gru:
    "update gate z (1 keeps the old state)"}[spec.kind];
  sec.className = "wb-tr-panel";
  sec.setAttribute("data-model", name);
  var html = "<p class='wb-tr-title'><b>" + wbEsc(spec.label) + "</b> <span class='wb-tr-rate'>" +
    "</span></p>" +
    wbChartBlock("accuracy", "held-out accuracy", "(a thin line per seed, thick: their mean, " +
                 "dashed: chance, 1/8)", ["1", "0.5", "0"], spec.label + " held-out accuracy " +
                 "against training step, one line per seed and their mean");
  if (!compact) {
    html += wbChartBlock("loss", "training loss", "(log scale; a line per seed)",
                         ["3", "0.05", "0.001"], spec.label + " training loss against step");
  }
  html += wbChartBlock("grad", "gradient reaching each word", "(seed 1: a row every " +
                       record + " training steps, the first at the top; hatched: not " +
                       "trained" + (spec.curriculum ? "; grey: past the end of the " +
                       "curriculum's shorter stories" : "") + ")",
                       ["step 1", "", ""], spec.label + " heatmap of the gradient reaching " +
                       "each word, rows are training steps, columns are word positions");
  if (keep && !compact) {
    html += wbChartBlock("gate", "mean " + keep, "(over words, stories and units; a line " +
                         "per seed)", ["1", "0.5", "0"], spec.label + " mean " + keep +
                         " against training step");
  }
  sec.innerHTML = html + "<p class='wb-tr-now'></p>";  // each run's state, under the charts
  root.querySelector(".wb-tr-panels").appendChild(sec);
  return sec;
}

// The x axis of a line chart: 0, the middle's caption, the budget.
function wbStepAxis(steps) {
  return "<span>0</span><span>training step</span><span>" + steps + "</span>";
}

// The heatmap's x axis: the country (word 4) from its column on, and speaks (word T) at the
// right end.
function wbWordPositions(T) {
  return "<span class='wb-tr-at' style='left:" + (3 / T * 100).toFixed(2) + "%'>\u2191 word 4: " +
    "country</span><span class='wb-tr-at wb-tr-end'>word " + T + ": speaks \u2191</span>";
}

function wbLines(svg, series) {
  svg.innerHTML = series.map(function (s) {
    return s.d ? "<path class='wb-tr-" + s.cls + "' d='" + s.d + "'/>" : "";
  }).join("");
}

// The accuracy, loss and gate charts of one model from its runs' histories (hist by run id).
function wbDrawModel(sec, runs, hist, cfg, setup) {
  var curves = runs.map(function (r) {
    return hist[r.id].evals.map(function (e) { return [e.step, e.accuracy]; });
  });
  var upTo = Math.min.apply(null, runs.map(function (r) {
    return r.done ? Infinity : r.step;
  }));
  var acc = curves.map(function (c) { return {cls: "seed", d: wbPath(c, cfg.steps, 0, 1)}; });
  acc.push({cls: "mean", d: wbPath(wbMeanCurve(curves, upTo), cfg.steps, 0, 1)});
  acc.push({cls: "chance", d: wbPath([[0, 0.125], [cfg.steps, 0.125]], cfg.steps, 0, 1)});
  wbLines(sec.querySelector("[data-chart='accuracy'] svg"), acc);
  var every = Math.max(1, Math.round(cfg.steps / 300)), loss = sec.querySelector("[data-chart='loss'] svg");
  if (loss) {
    wbLines(loss, runs.map(function (r) {
      return {cls: "seed", d: wbPath(wbBlocks(hist[r.id].losses, every), cfg.steps, 1e-3, 3, true)};
    }));
  }
  var gate = sec.querySelector("[data-chart='gate'] svg");
  if (gate) {
    wbLines(gate, runs.map(function (r) {
      return {cls: "seed", d: wbPath(hist[r.id].snaps.map(function (s) {
        return [s.step, s.gate];
      }), cfg.steps, 0, 1)};
    }));
  }
  wbDrawGradient(sec, hist[runs[0].id].snaps, cfg, setup);
}

// The heatmap [training step x word position] of the first seed, as far as it has trained:
// one row per snapshot, the rows still to come left empty.
function wbDrawGradient(sec, snaps, cfg, setup) {
  var svg = sec.querySelector("[data-chart='grad'] svg"), T = cfg.lag + 4;
  var rows = Math.floor(cfg.steps / setup.record) + 1;
  svg.setAttribute("viewBox", "0 0 " + T + " " + rows);
  if (!snaps.length) { svg.innerHTML = ""; return; }
  var href = wbBitmapOf(T, snaps.length, function (t, j) {  // grey: past a curriculum's story
    return t < snaps[j].grad.length ? wbGradColour(snaps[j].grad[t]) : [128, 128, 128];
  });
  svg.innerHTML = "<image width='" + T + "' height='" + snaps.length + "' preserveAspectRatio='none' " +
    "href='" + href + "'/>";
}

// The gradient heatmap's colour legend, once per page.
function wbGradLegend() {
  var cells = "";
  for (var k = 0; k < 20; k++) {
    cells += "<rect x='" + k + "' y='0' width='1.05' height='1' fill='" +
      wbCss(wbGradColour(Math.pow(10, -WB_GRAD_DECADES * (1 - (k + 0.5) / 20)))) + "'/>";
  }
  return "<span class='wb-tr-key'><span>10<sup>\u2212" + WB_GRAD_DECADES + "</sup> or less" +
    "</span><svg width='100' height='12' viewBox='0 0 20 1' preserveAspectRatio='none' " +
    "aria-hidden='true'>" + cells + "</svg><span>1</span></span> gradient heatmaps: \u2016\u2202L/\u2202h" +
    "<sub>t</sub>\u2016 at each word divided by its largest value in that training step, " +
    "on a log scale (white: a hundred-millionth of the largest or less)";
}

// One line of a run's state: "seed 2: step 300, held-out accuracy 1.00, solved".
function wbRunText(run) {
  var last = run.last, text = "seed " + run.seed + ": step " + run.step;
  if (last) { text += ", held-out accuracy " + last.accuracy.toFixed(2); }
  if (run.diverged) { text += ", diverged (the loss became NaN): stopped"; }
  else if (run.solved) { text += ", reached " + "0.99: stopped"; }
  return text;
}

// The results as a table: a row per seed, a column per model.
function wbResultsTable(models, specs, runs, stopAt) {
  var seeds = [];
  runs.forEach(function (r) { if (seeds.indexOf(r.seed) < 0) { seeds.push(r.seed); } });
  var cell = function (r) {
    if (r.diverged) { return "diverged at step " + r.step; }
    return r.last.accuracy.toFixed(3) + " after " + r.step + " steps" +
      (r.solved ? " (reached " + stopAt + ")" : "");
  };
  return "<table class='wb-tr-table'><caption>Held-out accuracy of each run at its end" +
    "</caption><thead><tr><th scope='col'>seed</th>" + models.map(function (m) {
      return "<th scope='col'>" + wbEsc(specs[m].label) + "</th>";
    }).join("") + "</tr></thead><tbody>" + seeds.map(function (s) {
      return "<tr><th scope='row'>" + s + "</th>" + models.map(function (m) {
        return "<td>" + cell(runs.filter(function (r) { return r.model === m && r.seed === s; })[0]) +
          "</td>";
      }).join("") + "</tr>";
    }).join("") + "</tbody></table>";
}
