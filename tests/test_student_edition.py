"""The student edition (`make student`): no solution survives, and every chapter still runs."""

from __future__ import annotations

import importlib.util
import json

import nbformat
import pytest
from book_pages import ROOT
from nbclient import NotebookClient

_spec = importlib.util.spec_from_file_location("student_edition",
                                               ROOT / "scripts" / "student_edition.py")
student_edition = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_edition)

CHAPTERS = sorted((ROOT / "book").glob("0*.ipynb"))


END = "```{solution-end}\n```"


def _split(nb):
    """A plain reading of the chapters' markers: (solution texts, the cells outside them).

    In the chapters a start marker has a markdown cell of its own, and an end marker closes
    a markdown cell that may go on after it (chapter 6 starts the next exercise there).
    """
    parts, outside, inside = [], [], False
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "markdown" and "{solution-start}" in text:
            assert text.startswith("```{solution-start}"), text
            inside = True
        elif cell.cell_type == "markdown" and "{solution-end}" in text:
            body, after = text.split(END, 1)
            parts += [body.strip()] if body.strip() else []
            outside += [(after.strip(), None)] if after.strip() else []
            inside = False
        elif inside:
            parts += [text.strip()] if text.strip() else []
        elif cell.cell_type == "code" and "exercise" in cell.metadata.get("tags", []):
            outside.append((student_edition.stub(text), []))  # the reader's cell: a stub
        elif cell.cell_type == "code" and student_edition._CHECKER_CALL.search(text):
            outside.append((text, []))  # a checker call: its verdict on the stub goes
        else:
            outside.append((text, cell.get("outputs")))
    return parts, outside


def _first_exercise(nb) -> int:
    return next(k for k, c in enumerate(nb.cells)
                if c.cell_type == "markdown" and "{exercise}" in c.source)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    assert student_edition.main(["--out", str(out)]) == 0
    return out


def test_every_chapter_has_a_student_edition(edition):
    assert CHAPTERS
    assert sorted(p.name for p in edition.glob("*.ipynb")) == [p.name for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_solution_survives(edition, path):
    book = nbformat.read(path, as_version=4)
    student = nbformat.read(edition / path.name, as_version=4)
    parts, outside = _split(book)
    assert parts, f"{path.name} has no solutions to remove"
    text = "\n".join(c.source for c in student.cells)
    for part in parts:
        assert part not in text, f"solution text left in {path.name}: {part[:80]!r}"
    assert "{solution" not in text
    # everything outside the solutions is there, unchanged, with its outputs
    assert [(c.source, c.get("outputs")) for c in student.cells] == outside


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_each_edition_runs_up_to_its_first_exercise(edition, path):
    """Up to its first exercise an edition is the chapter itself, cell for cell.

    So strict nbval, which runs every chapter top to bottom (``make nbval``), runs those
    cells too, and their stored outputs are the ones it checks: nothing needs running twice.
    (The stub cells that follow are run by the synthetic test below.)
    """
    book = nbformat.read(path, as_version=4)
    student = nbformat.read(edition / path.name, as_version=4)
    n = _first_exercise(student)
    assert n == _first_exercise(book) > 0
    assert ([(c.cell_type, c.source, c.get("outputs")) for c in student.cells[:n]]
            == [(c.cell_type, c.source, c.get("outputs")) for c in book.cells[:n]])


# ------------------------------------------------------- the mechanism, on a synthetic book

SOLVED = '''\
# Write one step of the RNN: h = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh).
import numpy as np


@staticmethod
def my_rnn_step(x, h_prev,
                p):
    # the solution's own remark
    """Return h_t, shape (B, H)."""
    a = x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"].T
    return np.tanh(a + p["bias_hh_l0"])

WEIGHTS = 3
'''


def _synthetic():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    exercise = code(SOLVED.replace("@staticmethod\n", ""), execution_count=2,
                    outputs=[nbformat.v4.new_output("stream", text="spoiler\n")])
    exercise.metadata["tags"] = ["exercise"]
    check = code("from whiteboard.exercises import check_rnn_step\n\n"
                 "check_rnn_step(my_rnn_step)", execution_count=3,
                 outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "✓ passed"},
                                                 execution_count=3)])
    taught = code("print(6 * 7)", execution_count=1,
                  outputs=[nbformat.v4.new_output("stream", text="42\n")])
    return nbformat.v4.new_notebook(cells=[
        md("# A chapter"), taught,
        md("```{exercise} One RNN step\n:label: ex-step\n\nWrite `my_rnn_step`.\n```"),
        exercise, check,
        md("```{solution-start} ex-step\n:class: dropdown\n```"),
        code("def my_rnn_step(x, h_prev, p):\n    return 'the secret'"),
        md("The secret is the bias.\n\n```{solution-end}\n```\n\nAfter the solution."),
        md("Before a plain one.\n\n````{solution} ex-step\n```python\nsecret()\n```\n````"),
        code("print('still here')"),
    ])


def test_the_synthetic_edition_keeps_stubs_and_drops_solutions():
    nb = _synthetic()
    out = student_edition.student_edition(nb, "synthetic")
    sources = [c.source for c in out.cells]
    assert sources[:3] == [c.source for c in nb.cells[:3]]
    assert out.cells[1].outputs == nb.cells[1].outputs  # teaching outputs stay
    assert sources[3] == (
        "# Write one step of the RNN: h = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh).\n"
        "import numpy as np\n\n"
        "def my_rnn_step(x, h_prev,\n"
        "                p):\n"
        '    """Return h_t, shape (B, H)."""\n'
        "    ...")
    assert out.cells[3].outputs == [] and out.cells[3].execution_count is None
    assert out.cells[3].metadata["tags"] == ["exercise"]
    assert out.cells[4].outputs == [] and out.cells[4].execution_count is None
    assert sources[5:] == ["After the solution.", "Before a plain one.",
                           "print('still here')"]
    assert "secret" not in json.dumps(out)
    assert nb.cells[3].source.startswith("# Write")  # the book's notebook is untouched
    assert len(nb.cells[3].outputs) == 1


def test_stubs_of_other_shapes():
    assert student_edition.stub("x = 1\ny = x + 1\n") == "..."
    assert student_edition.stub("# fill in W\nW = np.eye(3)\n") == "# fill in W\n..."
    assert student_edition.stub("%timeit f()\n") == "..."
    assert student_edition.stub('"""Cell docstring."""\nx = 1') == '"""Cell docstring."""\n...'
    assert student_edition.stub("def f(x): return x\n") == "def f(x):\n    ..."
    assert student_edition.stub(SOLVED).splitlines()[3] == "@staticmethod"
    assert student_edition.stub(
        "class Cell:\n    '''A cell.'''\n    def step(self):\n        return 1\n"
    ) == "class Cell:\n    '''A cell.'''\n    ..."


@pytest.mark.parametrize("cells, message", [
    (["```{solution-start} a\n```", "text"], "never closed"),
    (["```{solution-end}\n```"], "a solution-end with no solution-start"),
    (["```{solution-start} a\n```", "```{solution-start} b\n```"], "inside a solution"),
])
def test_unbalanced_markers_are_refused(cells, message):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])
    with pytest.raises(student_edition.EditionError, match=message):
        student_edition.student_edition(nb, "broken")


@pytest.mark.slow
def test_the_synthetic_edition_runs_and_the_checker_speaks_to_the_stub(tmp_path):
    path = tmp_path / "synthetic.ipynb"
    nbformat.write(_synthetic(), path)
    assert student_edition.main(["--out", str(tmp_path / "student"), str(path)]) == 0
    nb = nbformat.read(tmp_path / "student" / "synthetic.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    said = nb.cells[4].outputs[0]["data"]["text/plain"]
    assert said.startswith("✗ check_rnn_step failed: on the probe")
    assert "is its body still the ... placeholder?" in said
