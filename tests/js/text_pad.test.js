"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load} = require("./load.js");

const tp = load("random.js", "cells.js", "network.js", "engine.js", "text_pad.js");
const plain = (x) => JSON.parse(JSON.stringify(x));  // objects made in the vm, as plain data

test("float16 weights decode exactly, subnormals and signs included", () => {
  // base64.b64encode(np.array([0.5, -1.25, 3, 6.1035e-05, -0.0, 65504, 5.96e-08], "<f2"))
  const got = Array.from(tp.wbHalves({dtype: "f2", data: "ADgAvQBCAAQAgP97AQA="}));
  assert.deepEqual(got, [0.5, -1.25, 3, 6.103515625e-05, -0, 65504, 5.960464477539063e-08]);
  assert.ok(Object.is(got[4], -0));
});

test("the alphabet's rule: a tab is four spaces, anything else outside it is '?'", () => {
  const chars = "\n" + Array.from({length: 95}, (_, k) => String.fromCharCode(32 + k)).join("");
  const out = plain(tp.wbTextIds("a\tb\r\ncaf\u00e9 \u{1F600}", chars));
  assert.equal(out.text, "a    b\ncaf? ?");
  assert.equal(out.replaced, 2);  // the emoji is one character, as in Python
  assert.deepEqual(out.ids.slice(0, 3), [chars.indexOf("a"), 1, 1]);
});

test("a draw is the first class whose running sum passes u times the total", () => {
  const z = [Math.log(1), Math.log(2), Math.log(1)];  // p = 1/4, 1/2, 1/4 at temperature 1
  assert.equal(tp.wbTextDraw(z, 1, 0), 0);
  assert.equal(tp.wbTextDraw(z, 1, 0.2499), 0);
  assert.equal(tp.wbTextDraw(z, 1, 0.25), 1);  // side="right": a tie goes on
  assert.equal(tp.wbTextDraw(z, 1, 0.8), 2);
  assert.equal(tp.wbTextDraw(z, 0.01, 0.9), 1);  // cold: the most likely class
  assert.equal(tp.wbTextDraw(z, 1, 0.999999999999), 2);
});
