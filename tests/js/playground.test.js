"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load} = require("./load.js");

const pg = load("random.js", "cells.js", "network.js", "engine.js", "view.js");
const plain = (x) => JSON.parse(JSON.stringify(x));  // objects made in the vm, as plain data

test("weights decode from Python's base85, float32 and float64", () => {
  // base64.b85encode(np.array([0.5, -1.25, 3.0], "<f4").tobytes()), and [0.1, -2.0] in f8
  assert.deepEqual(Array.from(pg.wbDecode({dtype: "f4", data: "0000#005xB002Nh"})),
                   [0.5, -1.25, 3]);
  assert.deepEqual(Array.from(pg.wbDecode({dtype: "f8", data: "nwgoInVGpi000000002M"})),
                   [0.1, -2]);
});

test("the tokeniser follows encode_story: full stops are words, case falls back", () => {
  const vocab = ["Alice", "lives", "in", "France", ".", "she", "speaks"];
  const index = Object.fromEntries(vocab.map((w, i) => [w, i]));
  const out = plain(pg.wbTokenise("ALICE lives in Frnace. She speaks", vocab, index));
  assert.deepEqual(out.tokens, ["Alice", "lives", "in", ".", "she", "speaks"]);
  assert.deepEqual(out.ids, [0, 1, 2, 4, 5, 6]);
  assert.deepEqual(out.unknown, [{word: "Frnace", position: 3, nearest: ["France"]}]);
  assert.deepEqual(plain(pg.wbTokenise("", vocab, index)), {tokens: [], ids: [], unknown: []});
});

test("a distractor goes before the closing 'she speaks'", () => {
  assert.equal(pg.wbAddDistractor("Ana lives in Spain . she speaks", "it rained ."),
               "Ana lives in Spain . it rained . she speaks");
  assert.equal(pg.wbAddDistractor("Ana lives in Spain .", "it rained ."),
               "Ana lives in Spain . it rained .");
  const data = {templates: ["it {weather} ."], slots: {weather: ["rained", "snowed"]}};
  assert.match(pg.wbDistractor(data, 3), /^it (rained|snowed) \.$/);
  assert.equal(pg.wbDistractor(data, 3), pg.wbDistractor(data, 3));
});

test("the seeded generator is uniform in [0, 1) and repeats its stream", () => {
  const a = pg.wbRandom(7), b = pg.wbRandom(7), xs = [];
  for (let k = 0; k < 4000; k++) { xs.push(a()); assert.equal(xs[k], b()); }
  assert.ok(Math.min(...xs) >= 0 && Math.max(...xs) < 1);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

test("words count from 1 on the page and from 0 in wbRun", () => {
  assert.equal(pg.wbWordNumber(0), 1);
  assert.equal(pg.wbWordIndex(1), 0);
});

test("the colour scales run from their low end to 1 and clamp outside", () => {
  assert.equal(pg.wbBin(0, 0), 0);
  assert.equal(pg.wbBin(1, 0), 64);
  assert.equal(pg.wbBin(-1, -1), 0);
  assert.equal(pg.wbBin(0, -1), 32);
  assert.equal(pg.wbBin(7, -1), 64);
  assert.equal(pg.WB_PALETTE.sigmoid.length, 65);
});

test("the word axis labels the selected word, in bold, at a pitch labels fit in", () => {
  const tokens = Array.from({length: 40}, (_, t) => "w" + t);
  const wide = pg.wbWordAxis(tokens, 39, 800, 12), narrow = pg.wbWordAxis(tokens, 39, 120, 12);
  assert.equal((wide.html.match(/\n/g) || []).length, 39);     // every word: 40 lines
  assert.ok((narrow.html.match(/\n/g) || []).length < 39);
  assert.match(narrow.html, /<b class='wb-pg-on'>w39<\/b>/);
});

test("the answer bars name the top class with its probability", () => {
  assert.equal(pg.wbTop([0.1, 0.7, 0.2], ["French", "Spanish", "German"]), "Spanish 0.70");
  assert.equal(pg.wbEsc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
});
