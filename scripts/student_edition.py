"""Write the student edition of the chapters: the same notebooks without the solutions.

Usage: python scripts/student_edition.py --out DIR [book/NN_topic.ipynb ...]
       (default: every chapter, book/0*.ipynb; `make student` writes _build/student)

What changes (the conventions are in CONTRIBUTING.md, "Exercises"):

- A solution is everything from a markdown ```{solution-start} LABEL``` block to the next
  ```{solution-end}``` block, markers included: the cells in between go, and so does the
  text of a cell that holds a marker and lies inside the solution. Text before a start
  marker or after an end marker in the same cell stays. A plain ```{solution}``` directive
  block goes as well.
- A code cell tagged ``exercise`` is where the reader writes code. Its leading comments, its
  imports, and the signature and docstring of each function or class it defines stay; the
  rest of its body becomes ``...``. Its outputs go.
- A code cell that calls a checker from ``whiteboard.exercises`` loses its stored output,
  which judged the book's code, not the reader's.

Everything else, the teaching outputs included, is copied as it is. The script stops with
the notebook and cell named if a solution is never closed or one opens inside another.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

from whiteboard.exercises import CHECKERS

ROOT = Path(__file__).resolve().parent.parent
EXERCISE_TAG = "exercise"
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\s*\{(?P<name>[\w-]+)\}")
_CHECKER_CALL = re.compile(r"\b(" + "|".join(CHECKERS) + r")\s*\(")


class EditionError(ValueError):
    """A notebook whose solutions cannot be cut out cleanly."""


def _block_end(lines, start, fence) -> int:
    """Index of the line closing the directive opened at ``start`` (the last line if none)."""
    char, size = fence[0], len(fence)
    for k in range(start + 1, len(lines)):
        bare = lines[k].strip()
        if len(bare) >= size and set(bare) == {char}:
            return k
    return len(lines) - 1


def strip_markdown(source: str, in_solution: bool, where: str = "") -> tuple[str, bool]:
    """Cut the solution parts out of one markdown cell.

    Args:
        source: the cell's text.
        in_solution: whether the cell starts inside a solution.
        where: the notebook and cell, for error messages.

    Returns:
        ``(kept text, in_solution after the cell)``.
    """
    lines = source.splitlines(keepends=True)
    kept, k, cut = [], 0, in_solution
    while k < len(lines):
        m = _FENCE.match(lines[k])
        name = m["name"] if m else None
        if name in ("solution-start", "solution-end", "solution"):
            end = _block_end(lines, k, m["fence"])
            if name == "solution-start":
                if in_solution:
                    raise EditionError(f"{where}: a solution-start inside a solution")
                in_solution = True
            elif name == "solution-end":
                if not in_solution:
                    raise EditionError(f"{where}: a solution-end with no solution-start")
                in_solution = False
            k, cut = end + 1, True
            continue
        if not in_solution:
            kept.append(lines[k])
        k += 1
    return ("".join(kept).strip("\n") if cut else source), in_solution


def _offset(lines, lineno, col) -> int:
    return sum(len(line) for line in lines[: lineno - 1]) + col


def stub(source: str) -> str:
    """An exercise cell's stub: leading comments, imports, signatures and docstrings, ``...``.

    Every top-level ``def`` or ``class`` keeps its decorators, its signature and its
    docstring, and its body becomes ``...``. Other statements go. When the cell defines
    nothing, a single ``...`` follows the leading comments.
    """
    lines = source.splitlines(keepends=True)
    head = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        head.append(line)
    out = ["".join(head).rstrip("\n")] if "".join(head).strip() else []
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax (%magic, !shell): nothing to keep but the comments
        return "\n".join([*out, "..."])
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):  # the cell's own docstring
        out.append("".join(lines[body[0].lineno - 1: body[0].end_lineno]).rstrip("\n"))
        body = body[1:]
    defined = False
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append("".join(lines[node.lineno - 1: node.end_lineno]).rstrip("\n"))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined = True
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            start = _offset(lines, first, 0)
            inner = node.body[0]
            header = source[start: _offset(lines, inner.lineno, inner.col_offset)]
            # drop comments between the signature and the body: they belong to the body
            header = re.sub(r"(\n[ \t]*(#[^\n]*)?)+\s*$", "", header.rstrip())
            indent = " " * inner.col_offset if inner.lineno > node.lineno else "    "
            piece = [header]
            if isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Constant) \
                    and isinstance(inner.value.value, str) and inner.lineno > node.lineno:
                piece.append("".join(lines[inner.lineno - 1: inner.end_lineno]).rstrip("\n"))
            piece.append(f"{indent}...")
            out.append(("\n" if out else "") + "\n".join(piece))  # a blank line before a def
    if not defined:
        out.append("...")
    return "\n".join(out)


def student_edition(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions, with exercise cells as stubs (module docstring)."""
    out = copy.deepcopy(nb)
    cells, in_solution, opened = [], False, None
    for k, cell in enumerate(out.cells):
        where = f"{name}, cell {k}"
        if cell.cell_type == "markdown":
            was = in_solution
            text, in_solution = strip_markdown(cell.source, in_solution, where)
            if in_solution and not was:
                opened = where
            if text.strip():
                cell.source = text
                cells.append(cell)
            continue
        if in_solution:
            continue
        if cell.cell_type == "code":
            tags = cell.get("metadata", {}).get("tags", [])
            if EXERCISE_TAG in tags:
                cell.source = stub(cell.source)
            if EXERCISE_TAG in tags or _CHECKER_CALL.search(cell.source):
                cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    if in_solution:
        raise EditionError(f"{opened}: a solution-start that is never closed")
    out.cells = cells
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student",
                        help="folder for the student edition (default: _build/student)")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapters to convert (default: book/0*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "book").glob("0*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            edition = student_edition(nb, path.name)
        except EditionError as err:
            raise SystemExit(str(err)) from None
        nbformat.validate(edition)
        nbformat.write(edition, args.out / path.name)
        gone = len(nb.cells) - len(edition.cells)
        print(f"{path.name}: {len(edition.cells)} cells ({gone} cells of solutions removed)")
    print(f"student edition: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
