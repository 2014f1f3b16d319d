// Loads files of src/whiteboard/viz/js/ for node --test, as the page runs them: in order, in
// one strict-mode scope (whiteboard.viz.script), here a fresh vm context whose globals are the
// files' top-level functions and variables. Only pure files belong here: none touches the
// document.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const JS = path.join(__dirname, "..", "..", "src", "whiteboard", "viz", "js");

function load(...files) {
  const context = vm.createContext({atob, btoa, TextDecoder, TextEncoder, performance,
                                    console});
  for (const file of files) {
    vm.runInContext(fs.readFileSync(path.join(JS, file), "utf8"), context, {filename: file});
  }
  return context;
}

module.exports = {load, JS};
