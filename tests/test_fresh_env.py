"""Binder's view of the book: a fresh virtual environment with only requirements.txt
(pinned by constraints.txt) must run every chapter top to bottom.

Slow (it installs a venv), so it is marked `slow`; `make test` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv

import pytest
from book_pages import ROOT, chapter_notebooks

pytestmark = pytest.mark.slow

RUNNER = """
import shutil, sys, tempfile
from pathlib import Path
import nbformat
from nbclient import NotebookClient
for name in sys.argv[1:]:
    path = Path(name)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    print("ran", path.name, flush=True)
"""


def test_requirements_txt_alone_runs_every_chapter(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt",
         "-c", "constraints.txt"], cwd=ROOT, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    # Nothing from the test extra may sneak in: these are not in requirements.txt.
    for absent in ("pytest", "nbval", "torch"):
        probe = subprocess.run([str(python), "-c", f"import {absent}"], capture_output=True)
        assert probe.returncode != 0, f"{absent} is installed by requirements.txt"
    notebooks = [str(p) for p in chapter_notebooks()]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    run = subprocess.run([str(python), "-c", RUNNER, *notebooks], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, f"{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
    assert run.stdout.count("ran ") == len(notebooks)
    assert sys.prefix != str(env_dir)
