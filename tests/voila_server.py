"""Start Voilà on a free loopback port for the live-widget tests, and stop it after."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_voila(directory: Path):
    """Serve ``directory`` with Voilà on 127.0.0.1; yields the base URL."""
    voila_bin = Path(sys.executable).parent / "voila"
    if not voila_bin.exists():
        raise RuntimeError("voila is missing: it is in the test extra (pip install -e '.[test]')")
    port = _free_port()
    proc = subprocess.Popen(
        [str(voila_bin), str(directory), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--VoilaConfiguration.show_tracebacks=True"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=directory)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base, timeout=1)
                break
            except OSError as err:
                if proc.poll() is not None:
                    stderr = proc.stderr.read().decode()[-2000:]
                    raise RuntimeError(f"voila exited: {stderr}") from err
                if time.monotonic() > deadline:
                    raise RuntimeError("voila did not start within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def open_notebook(browser, base: str, name: str):
    """Open one notebook rendered by Voilà, loopback only; return (page, page errors)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Voilà asks a font CDN for icons; offline that fails harmlessly, so only loopback
    # requests go through and the test never depends on the network.
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
               else r.abort())
    page.goto(f"{base}/voila/render/{name}", timeout=180_000)
    # Voilà removes its "Running …" spinner once every cell has executed.
    page.wait_for_function("() => document.body && !document.getElementById('loading')",
                           timeout=180_000)
    return page, errors
