// The story task of whiteboard.training.story (make_stories) with the page's own generator:
// "<name> <lives in> <country> [tail] . <distractors> she speaks" -> the country's language,
// the country always word 4 (step 3 from 0) and exactly lag steps before "speaks". The
// vocabulary, names, moves, tails, templates and slot words come from Python as data.

// The task's tables as token ids: each template as a skeleton with its slots, the templates
// by length, and the shortest sentence (every lag from minLag can be filled exactly).
function wbStoryTask(data) {
  var index = {}, ids = function (words) { return words.map(function (w) { return index[w]; }); };
  data.vocab.forEach(function (w, i) { index[w] = i; });
  var task = {vocab: data.vocab, classes: data.languages, minLag: data.min_lag,
              names: ids(data.names), moves: data.moves.map(ids), countries: ids(data.countries),
              tails: {}, byLength: {}, lengths: [], stop: index["."], she: index.she,
              speaks: index.speaks};
  Object.keys(data.tails).forEach(function (k) { task.tails[k] = data.tails[k].map(ids); });
  data.templates.forEach(function (tpl) {
    var words = tpl.split(" "), skeleton = [], slots = [];
    words.forEach(function (w, i) {
      var slot = /^\{(\w+)\}$/.exec(w);
      skeleton.push(slot ? -1 : index[w]);
      if (slot) { slots.push([i, ids(data.slots[slot[1]])]); }
    });
    (task.byLength[words.length] = task.byLength[words.length] || []).push({skeleton: skeleton,
                                                                            slots: slots});
  });
  task.lengths = Object.keys(task.byLength).map(Number).sort(function (a, b) { return a - b; });
  task.tailLengths = Object.keys(task.tails).map(Number);
  task.starts = {};
  task.fits = {};
  return task;
}

// Sentence lengths that can start a filling of exactly n tokens (made once per n).
function wbStarts(task, n) {
  if (!task.starts[n]) {
    task.starts[n] = task.lengths.filter(function (k) { return k <= n && wbFillable(task, n - k); });
  }
  return task.starts[n];
}

// Tail lengths that leave a fillable number of the free tokens (made once per free).
function wbTailFits(task, free) {
  if (!task.fits[free]) {
    task.fits[free] = task.tailLengths.filter(function (k) {
      return k <= free && wbFillable(task, free - k);
    });
  }
  return task.fits[free];
}

function wbPick(options, rng) { return options[Math.floor(wbUniform(rng) * options.length)]; }

// Whether n tokens can be made of whole distractor sentences.
function wbFillable(task, n) { return n === 0 || n >= task.lengths[0]; }

// Distractor sentences with exactly n tokens in all, appended to out.
function wbDistractors(task, n, rng, out) {
  while (n > 0) {
    var k = wbPick(wbStarts(task, n), rng), tpl = wbPick(task.byLength[k], rng), at = out.length;
    for (var i = 0; i < k; i++) { out.push(tpl.skeleton[i]); }
    for (i = 0; i < tpl.slots.length; i++) { out[at + tpl.slots[i][0]] = wbPick(tpl.slots[i][1], rng); }
    n -= k;
  }
}

// One story's token ids: the country's id at word 4, speaks lag words later.
function wbStory(task, country, lag, rng) {
  var name = wbPick(task.names, rng), move = wbPick(task.moves, rng), free = lag - task.minLag;
  var tail = wbPick(task.tails[wbPick(wbTailFits(task, free), rng)], rng);
  var ids = [name, move[0], move[1], task.countries[country]];
  ids.push.apply(ids, tail);
  ids.push(task.stop);
  wbDistractors(task, free - tail.length, rng, ids);
  ids.push(task.she, task.speaks);
  return ids;
}

// A batch of B stories at lag from rng: x (T x B ids, time-major, x[t * B + b], T = 4 + lag)
// and y (B language ids), the countries drawn uniformly.
function wbStories(task, lag, B, rng) {
  var T = 4 + lag, x = new Int32Array(T * B), y = new Int32Array(B);
  for (var b = 0; b < B; b++) {
    y[b] = Math.floor(wbUniform(rng) * task.countries.length);
    var ids = wbStory(task, y[b], lag, rng);
    for (var t = 0; t < T; t++) { x[t * B + b] = ids[t]; }
  }
  return {x: x, y: y, T: T, B: B};
}
