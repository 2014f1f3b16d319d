"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load} = require("./load.js");

const q = load("quiz.js");

test("a typed number is read in every form the quiz promises", () => {
  for (const typed of ["0.5", ".5", "0,5", "1/2", "5e-1", " 5E-1 ", "0.5 s"]) {
    assert.equal(q.wbQuizParse(typed, "s"), 0.5, typed);
  }
  assert.equal(q.wbQuizParse("\u22120.25", ""), -0.25);
  assert.equal(q.wbQuizParse("1 000", ""), 1000);
});

test("text that is no number is NaN", () => {
  for (const typed of ["half", "", "1/", "0.5.1", "1,5,2", "e5"]) {
    assert.ok(Number.isNaN(q.wbQuizParse(typed, "")), typed);
  }
});

test("reveal undoes the key stream of quiz.py's _hide", () => {
  // the record {"a": 1} hidden for uid "wbq0" by quiz._hide
  const uid = "wbq0", text = "{\"a\": 1}", key = uid + ":key";
  const bytes = Buffer.from(text, "utf8").map((b, i) =>
    b ^ ((key.charCodeAt(i % key.length) + 31 * i) & 255));
  assert.equal(JSON.stringify(q.wbQuizReveal(uid, Buffer.from(bytes).toString("base64"))),
               "{\"a\":1}");
});
