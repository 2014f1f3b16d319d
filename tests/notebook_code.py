"""The code a reader sees in book/*.ipynb, and what it may not do (tests/test_code_cells.py).

Two checks run over every code cell of a notebook but the Colab install cell:

- **gate orders** (:func:`gate_orders`): the package-level check of tests/test_gate_spec.py
  (a gate-order string such as ``"ifgo"``, a tuple of gate letters, ``3 * H``, ``H:2H``), plus
  a slice by hand of a fused weight (``p["bias_ih_l0"][4:8]``, or of a name computed from one);
- **reserved letters** (:func:`letter_misuses`): a letter of book/notation.md bound to
  something its meaning rules out, by the table :data:`RULES`.

A finding reads ``"NOTEBOOK cell N, line L: what: why"``; cell N is ``nb["cells"][N]``
(markdown cells counted, from 0) and line L the line in that cell, from 1.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from test_gate_spec import gate_orders_written_out

GATE_LETTERS = set("ifgorzn")  # PyTorch's gate letters: trace.gates and the steps' caches
_MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)  # %matplotlib, !git ...: IPython, not Python


@dataclass
class Cell:
    """One code cell a reader sees: its index in ``nb["cells"]`` and its Python source."""

    index: int
    source: str


def reader_cells(path: Path) -> list[Cell]:
    """The code cells of notebook ``path`` a reader sees: all but the Colab install cell.

    IPython's magics and shell lines (``%matplotlib inline``, ``!git``) become ``pass``, so
    the rest parses as Python and keeps its line numbers.
    """
    cells = json.loads(Path(path).read_text())["cells"]
    out = []
    for index, cell in enumerate(cells):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        colab = "remove-cell" in cell["metadata"].get("tags", []) and "google.colab" in source
        if cell["cell_type"] == "code" and not colab:
            out.append(Cell(index, _MAGIC.sub(r"\1pass", source)))
    return out


# ---------------------------------------------------------------------------- gate orders

_FUSED_KEY = re.compile(r"^(weight|bias)_(ih|hh)_l\d+$")  # PyTorch's keys of the fused blocks


def _mentions_fused(node: ast.AST, fused: set[str]) -> bool:
    """Whether ``node`` reads a fused weight: a ``"weight_ih_l0"``-like key or a name from one."""
    return any((isinstance(n, ast.Constant) and isinstance(n.value, str)
                and _FUSED_KEY.match(n.value)) or (isinstance(n, ast.Name) and n.id in fused)
               for n in ast.walk(node))


def _fused_slices(cell: Cell, fused: set[str]) -> list[str]:
    """Slices with bounds of a fused weight or of a name computed from one (``Wi[0:2]``).

    ``fused`` holds the names bound to such values in earlier cells, and gains this cell's.
    """
    tree = ast.parse(cell.source)
    for b in _bindings(tree, cell.source):
        if b.how == "assigned" and _mentions_fused(b.value, fused):
            fused.add(b.name)
        else:
            fused.discard(b.name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Subscript) or not _mentions_fused(node.value, fused):
            continue
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if any(isinstance(p, ast.Slice) and (p.lower or p.upper) for p in parts):
            found.append(f"{node.lineno}: {ast.unparse(node)[:60]}: a gate block sliced by "
                         "hand from fused weights (use whiteboard.notation or the cell's spec)")
    return found


def gate_orders(cells: list[Cell]) -> list[tuple[int, str]]:
    """``(cell index, "line: text")`` for every gate order or hand-made gate block in ``cells``."""
    found, fused = [], set()
    for cell in cells:
        hits = gate_orders_written_out(cell.source) + _fused_slices(cell, fused)
        found += [(cell.index, hit) for hit in dict.fromkeys(hits)]
    return _in_order(found)


# ---------------------------------------------------------------------- reserved letters

def _words(node: ast.AST) -> set[str]:
    """The identifiers and string keys an expression mentions, lower-cased."""
    words = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            words.add(n.id.lower())
        elif isinstance(n, ast.Attribute):
            words.add(n.attr.lower())
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            words.add(n.value.lower())
    return words


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)):
        return node.value
    return None


def _elements(node: ast.AST) -> list[ast.AST] | None:
    return node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else None


def _call_name(node: ast.AST) -> str:
    func = node.func if isinstance(node, ast.Call) else None
    return getattr(func, "id", None) or getattr(func, "attr", "") if func else ""


@dataclass
class _Context:
    """What earlier bindings in the notebook tell: names holding step counts or gate values."""

    steps: set[str] = field(default_factory=set)
    gates: set[str] = field(default_factory=set)


def _is_steps(node: ast.AST, ctx: _Context) -> bool:
    """A number of steps back, or a sequence of them: an int, range(...), (1, 5, 10), lags."""
    number = _number(node)
    if number is not None:
        return float(number).is_integer()
    if (items := _elements(node)) is not None:
        return bool(items) and all(_is_steps(e, ctx) for e in items)
    if isinstance(node, ast.Call):
        return _call_name(node) in ("range", "arange")
    if isinstance(node, ast.Name):
        return node.id in ctx.steps or "lag" in node.id.lower()
    if isinstance(node, ast.BinOp):
        return _is_steps(node.left, ctx) and _is_steps(node.right, ctx)
    return False


def _is_logistic(node: ast.AST) -> bool:
    """σ(...): a call to sigma/sigmoid/logistic/expit, or 1 / (1 + exp(-a)) written out."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and _call_name(n) in ("sigma", "sigmoid", "logistic",
                                                         "expit"):
            return True
        if (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and _number(n.left) == 1
                and any(_call_name(c) == "exp" for c in ast.walk(n.right))):
            return True
    return False


def _is_gate_value(node: ast.AST, ctx: _Context) -> bool:
    """A gate's value: read from trace.gates / a cache / a round by its letter, σ(...),
    a fraction in [0, 1] (a forced gate), or a sequence of these."""
    if (number := _number(node)) is not None:
        return 0 <= number <= 1
    if (items := _elements(node)) is not None:
        return bool(items) and all(_is_gate_value(e, ctx) for e in items)
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and (n.id == "gates" or n.id in ctx.gates):
            return True
        if isinstance(n, ast.Attribute) and (n.attr == "gates" or n.attr in GATE_LETTERS):
            return True
        if (isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant)
                and n.slice.value in GATE_LETTERS):
            return True
    return _is_logistic(node)


def _is_one_hot(node: ast.AST, ctx: _Context) -> bool:
    """One-hot vectors: one_hot(...), rows of np.eye(...), or a name saying one-hot."""
    return (any(_call_name(n) in ("one_hot", "eye") for n in ast.walk(node))
            or any("onehot" in w or "one_hot" in w for w in _words(node)))


def _is_probe(node: ast.AST, ctx: _Context) -> bool:
    """Chapter 2's probe weights: from a probe or a least-squares fit."""
    return any("probe" in w or w == "lstsq" for w in _words(node))


def _is_loss(node: ast.AST, ctx: _Context) -> bool:
    """A loss: mentions a loss or cross-entropy, or takes a log."""
    words = _words(node)
    return (any("loss" in w or "cross_entropy" in w for w in words)
            or any(_call_name(n) in ("log", "log2") for n in ast.walk(node)))


@dataclass(frozen=True)
class Rule:
    """What a reserved letter means, and which values it may be bound to."""

    meaning: str
    allows: Callable[[ast.AST, _Context], bool]
    what: str  # the values allowed, in words, for the message


_GATE = "the values of gate {} (trace.gates[...], a cache's entry, σ(...), a fraction in [0, 1])"

#: The reserved letters of book/notation.md's "Conventions", and what each may be bound to.
RULES: dict[str, Rule] = {
    "k": Rule("a number of steps back (the lag)", _is_steps,
              "a step count or lag: an int, range(...), a tuple of ints, or a name of such"),
    "f": Rule("the forget gate", _is_gate_value, _GATE.format("f")),
    "i": Rule("the input gate (the lectures' GRU: the update gate)", _is_gate_value,
              _GATE.format("i")),
    "o": Rule("the output gate (the lectures' GRU: the reset gate)", _is_gate_value,
              _GATE.format("o")),
    "z": Rule("the GRU's update gate", _is_gate_value, _GATE.format("z")),
    "r": Rule("the GRU's reset gate", _is_gate_value, _GATE.format("r")),
    "e": Rule("a one-hot vector", _is_one_hot, "a one-hot vector: one_hot(...), np.eye(...)"),
    "q": Rule("chapter 2's probe weights", _is_probe, "probe weights: a probe or lstsq fit"),
    "L": Rule("the loss", _is_loss, "a loss: a loss, cross-entropy or -log p"),
}


@dataclass(frozen=True)
class _Binding:
    name: str
    line: int
    value: ast.AST | None  # what the name holds (for a loop: an element of it); None: anything
    how: str  # "assigned", "a loop variable", "a position", "a dict key", "a parameter" ...
    shown: str  # the code that binds it, for the message


def _stored(target: ast.AST) -> list[ast.Name]:
    """The plain names a target binds: ``a, (b, c)``, not ``x.a`` or ``x[i]``'s ``x``, ``i``."""
    return [n for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _loop_targets(target: ast.AST, iterable: ast.AST) -> Iterator[tuple[ast.Name,
                                                                         ast.AST | None, str]]:
    """Each name a loop binds, with what it takes from ``iterable``.

    ``enumerate(X)`` gives a position and X's items, ``zip(A, B)`` A's and B's items,
    ``d.items()`` a dict key and d's values; otherwise every name takes the iterable's items.
    """
    parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else None
    name = _call_name(iterable)
    args = iterable.args if isinstance(iterable, ast.Call) else []
    if parts and not any(isinstance(a, ast.Starred) for a in args):
        if name == "enumerate" and len(parts) == 2 and args:
            yield from ((n, None, "a position") for n in _stored(parts[0]))
            yield from _loop_targets(parts[1], args[0])
            return
        if name == "zip" and len(parts) == len(args):
            for part, arg in zip(parts, args, strict=True):
                yield from _loop_targets(part, arg)
            return
        if name == "items" and len(parts) == 2 and isinstance(iterable.func, ast.Attribute):
            yield from ((n, None, "a dict key") for n in _stored(parts[0]))
            yield from ((n, iterable.func.value, "a loop variable") for n in _stored(parts[1]))
            return
    if name == "keys" and isinstance(iterable.func, ast.Attribute):
        yield from ((n, None, "a dict key") for n in _stored(target))
        return
    yield from ((n, iterable, "a loop variable") for n in _stored(target))


def _bindings(tree: ast.AST, source: str) -> list[_Binding]:
    """Every binding of a plain name in ``tree``, in source order.

    A binding's ``value`` is what the name gets; ``None`` when it can hold anything (a
    parameter, ``with ... as``, ``except ... as``, ``import ... as``) or is a position or
    a dict key.
    """
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            shown = ast.get_source_segment(source, node).splitlines()[0]
            found += [_Binding(n.id, n.lineno, node.value, "assigned", shown)
                      for t in targets for n in _stored(t)]
        elif isinstance(node, ast.NamedExpr):
            found.append(_Binding(node.target.id, node.lineno, node.value, "assigned",
                                  ast.get_source_segment(source, node)))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            shown = (f"for {ast.get_source_segment(source, node.target)} in "
                     f"{ast.get_source_segment(source, node.iter)}")
            found += [_Binding(n.id, n.lineno, value, how, shown)
                      for n, value, how in _loop_targets(node.target, node.iter)]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(_Binding(node.name, node.lineno, None, "a function or class",
                                  f"def {node.name}" if not isinstance(node, ast.ClassDef)
                                  else f"class {node.name}"))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            how = "a lambda argument" if isinstance(node, ast.Lambda) else "a parameter"
            head = "lambda" if isinstance(node, ast.Lambda) else f"def {node.name}"
            found += [_Binding(arg.arg, arg.lineno, None, how, f"{head}(... {arg.arg} ...)")
                      for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                      if arg is not None]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            found += [_Binding(n.id, n.lineno, None, "a with-target",
                               f"with {ast.get_source_segment(source, node)}")
                      for n in _stored(node.optional_vars)]
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.append(_Binding(node.name, node.lineno, None, "an exception",
                                  f"except ... as {node.name}"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found += [_Binding((al.asname or al.name).split(".")[0], node.lineno, None,
                               "an import",
                               ast.get_source_segment(source, node)) for al in node.names]
    return sorted(found, key=lambda b: b.line)


def _allowed(b: _Binding, ctx: _Context) -> bool:
    if b.value is None:  # it can hold anything: only k as a parameter (a count of steps)
        return b.name == "k" and b.how == "a parameter"
    return RULES[b.name].allows(b.value, ctx)


def letter_misuses(cells: list[Cell]) -> list[tuple[int, str]]:
    """``(cell index, "line: text")`` for every reserved letter bound against its meaning.

    A binding is an assignment, a loop or comprehension variable, a parameter, a lambda
    argument, a ``with``/``except``/``import`` name. Each reserved letter may only be bound
    to a value its :data:`RULES` entry allows; a name bound to a step count or a gate value
    in an earlier cell counts as one. ``k`` is also never a position (:func:`_k_as_position`).
    """
    found, ctx = [], _Context()
    for cell in cells:
        tree = ast.parse(cell.source)
        for b in _bindings(tree, cell.source):
            if b.name in RULES and not _allowed(b, ctx):
                rule = RULES[b.name]
                found.append((cell.index, f"{b.line}: {b.shown[:60]}: {b.name} is "
                              f"{rule.meaning}, here {b.how}; it may only be {rule.what}"))
            elif b.value is not None and b.how in ("assigned", "a loop variable"):
                ctx.steps.discard(b.name)
                ctx.gates.discard(b.name)
                if b.how != "assigned":
                    continue
                if _is_steps(b.value, ctx) and (_elements(b.value) is not None
                                                or isinstance(b.value, ast.Call)):
                    ctx.steps.add(b.name)
                elif _is_gate_value(b.value, ctx) and _number(b.value) is None:
                    ctx.gates.add(b.name)
        found += [(cell.index, hit) for hit in _k_as_position(tree)]
    return _in_order(found)


def _mentions_k(node: ast.AST | None) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == "k"
                                    for n in ast.walk(node))


def _k_as_position(tree: ast.AST) -> list[str]:
    """Where ``k`` is a position, not a distance: a slice bound (``x[:k]`` counts items,
    ``a[k * H:]`` picks a block) or a ``start=``/``stop=`` argument (the step a what-if starts)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Slice) and any(map(_mentions_k, (node.lower, node.upper,
                                                                 node.step))):
            found.append(f"{node.lineno}: [{ast.unparse(node)}]: k is {RULES['k'].meaning}; "
                         "as a slice bound it counts items or picks a block")
        elif isinstance(node, ast.keyword) and node.arg in ("start", "stop") and _mentions_k(
                node.value):
            found.append(f"{node.lineno}: {ast.unparse(node)}: k is {RULES['k'].meaning}; "
                         f"as {node.arg}= it is a position (a step, t0)")
    return found


def _in_order(found: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Findings sorted by cell and line."""
    return sorted(found, key=lambda hit: (hit[0], int(hit[1].split(":")[0])))


def violations(path: Path, check: Callable[[list[Cell]], list[tuple[int, str]]]) -> list[str]:
    """``check``'s findings in notebook ``path``, each ``"NAME cell N, line L: ..."``."""
    return [f"{Path(path).name} cell {index}, line {hit}" for index, hit in
            check(reader_cells(path))]
