// ESLint for the book's JavaScript. The files of src/whiteboard/viz/js/ run in one scope (the
// page's one script, whiteboard.viz.script), so each may use what the others declare at top
// level (one name a "var" line): those names are its globals, read from the files themselves,
// and no-undef still catches a name that none of them declares.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const js = require("@eslint/js");

const DIR = "src/whiteboard/viz/js";
const BROWSER = ["document", "window", "navigator", "getComputedStyle", "performance",
  "ResizeObserver", "atob", "btoa", "TextDecoder", "Worker", "Blob", "URL", "self",
  "postMessage", "setTimeout", "clearTimeout", "setInterval", "clearInterval",
  "requestAnimationFrame", "MessageChannel", "console"];
const NODE = ["require", "module", "__dirname", "process", "Buffer", "console", "atob", "btoa",
  "TextDecoder", "TextEncoder", "performance"];

function declared(file) {
  const text = fs.readFileSync(path.join(__dirname, DIR, file), "utf8");
  return [...text.matchAll(/^(?:function|var)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
}

const files = fs.readdirSync(path.join(__dirname, DIR)).filter((f) => f.endsWith(".js"));
const names = Object.fromEntries(files.map((f) => [f, declared(f)]));
const globals = (list) => Object.fromEntries(list.map((n) => [n, "readonly"]));

module.exports = [
  js.configs.recommended,
  {
    files: [`${DIR}/*.js`],
    languageOptions: {ecmaVersion: 2020, sourceType: "script", globals: globals(BROWSER)},
    rules: {"no-unused-vars": ["error", {vars: "local"}], strict: "off"},
  },
  ...files.map((f) => ({
    files: [`${DIR}/${f}`],
    languageOptions: {globals: globals(files.filter((g) => g !== f).flatMap((g) => names[g])
      .filter((n) => !names[f].includes(n)))},
  })),
  {
    files: ["tests/js/*.js", "benchmarks/*.js", "eslint.config.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "commonjs", globals: globals(NODE)},
  },
];
