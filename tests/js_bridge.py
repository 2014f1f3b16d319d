"""Run the page's pure JavaScript in Node from a test: files of viz/js/, one expression, JSON.

``node_eval(files, expr, data)`` loads ``files`` as the page loads them (``tests/js/load.js``),
binds ``data`` (JSON) to the global ``input`` and returns the value of ``expr`` as JSON. Typed
arrays come back as lists. No browser is needed, so these tests run with the unit tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

_RUNNER = """
const {load} = require(%s);
const vm = require("node:vm");
const ctx = load(...%s);
let text = "";
process.stdin.on("data", (c) => { text += c; });
process.stdin.on("end", () => {
  ctx.input = JSON.parse(text);
  const out = vm.runInContext(%s, ctx);
  process.stdout.write(JSON.stringify(out, (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v));
});
"""


def node_eval(files, expr: str, data=None):
    """The value of the JavaScript ``expr`` after loading ``files``, with ``input = data``."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: apt-get install nodejs")
    code = _RUNNER % (json.dumps(str(HERE / "js" / "load.js")), json.dumps(list(files)),
                      json.dumps(expr))
    run = subprocess.run([node, "-e", code], input=json.dumps(data), capture_output=True,
                         text=True, check=False)
    if run.returncode:
        raise RuntimeError(f"node failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout)
