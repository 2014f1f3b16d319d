"""Each cell's gates are declared once (whiteboard.cells.*.GATES); everything else derives.

If a gate order, an activation or a block index were written out a second time, it could
drift from the cell code without any test noticing. These tests check that the derived
places agree with the spec, and that the order is written down nowhere else in the package.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.whatif import _gate_info
from whiteboard.cells import CELL_GATES
from whiteboard.cells.spec import RANGES, names
from whiteboard.notation import to_nptel
from whiteboard.viz.plots.trace import DEFAULT_PANELS

SRC = Path(__file__).resolve().parent.parent / "src" / "whiteboard"
MODELS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_models_take_their_gate_names_and_count_from_the_spec(kind):
    model = MODELS[kind](3, 4)
    assert model.gate_names == names(CELL_GATES[kind])
    trace = model.forward(np.zeros((2, 1, 3)))
    assert sorted(trace.gates) == sorted(names(CELL_GATES[kind]))
    for g in CELL_GATES[kind]:  # every value lies in its activation's range
        lo, hi = RANGES[g.activation]
        assert np.all((trace.gates[g.name] >= lo) & (trace.gates[g.name] <= hi))
    blocks = sorted(g.block for g in CELL_GATES[kind])
    assert blocks == list(range(len(blocks)))


# PyTorch's documented block orders (torch.nn.LSTM, torch.nn.GRU), written here on purpose:
# the package derives its orders from the cells' specs, and these are what they must give.
TORCH_ORDER = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
TORCH_ACTIVATION = {"i": "sigmoid", "f": "sigmoid", "g": "tanh", "o": "sigmoid",
                    "r": "sigmoid", "z": "sigmoid", "n": "tanh"}


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_spec_is_pytorchs_order_and_squashing(kind):
    assert names(CELL_GATES[kind]) == TORCH_ORDER[kind]
    assert {g.name: g.activation for g in CELL_GATES[kind]} == {
        n: TORCH_ACTIVATION[n] for n in TORCH_ORDER[kind]}


def test_the_lstm_kernel_stores_sigmoid_gates_together_and_cell_gates_last():
    """The fused loop's row order, as LSTMMaths documents it (o first; i, f, g together)."""
    from whiteboard.models.lstm import LSTMMaths

    assert LSTMMaths.blocks == ("o", "i", "f", "g")


@pytest.mark.parametrize("kind, gate, block", [("lstm", "f", 1), ("lstm", "o", 3),
                                               ("gru", "z", 1), ("gru", "n", 2)])
def test_a_gates_rows_are_the_gate(kind, gate, block):
    """Pushing gate ``gate``'s bias rows (PyTorch's block ``block``) moves that gate alone."""
    model = MODELS[kind](3, 4, seed=0)
    state = model.state_dict()
    rows = slice(block * 4, (block + 1) * 4)
    state["bias_ih_l0"][rows] = 40.0
    model.load_state_dict(state)
    trace = model.forward(np.random.default_rng(0).normal(size=(3, 2, 3)))
    assert np.allclose(trace.gates[gate], 1.0)
    others = [g for g in trace.gates if g != gate and TORCH_ACTIVATION[g] == "sigmoid"]
    assert all(not np.allclose(trace.gates[g], 1.0) for g in others)


def test_whatifs_plots_and_notation_agree_with_the_spec():
    for kind in ("lstm", "gru"):
        model = MODELS[kind](2, 3)
        for k, name in enumerate(TORCH_ORDER[kind]):
            assert _gate_info(model, name) == (k, TORCH_ACTIVATION[name])
        panels = DEFAULT_PANELS[kind]
        assert set(TORCH_ORDER[kind]) <= set(panels)
    lstm = LSTM(3, 4, seed=1)
    P, sd, H = to_nptel(lstm), lstm.state_dict(), 4
    for suffix, block in (("_i", 0), ("_f", 1), ("", 2), ("_o", 3)):  # the lectures' U_o ...
        rows = slice(block * H, (block + 1) * H)
        assert np.array_equal(P["U" + suffix], sd["weight_ih_l0"][rows])


# --------------------------------------------------------- no gate order written out again

_LETTERS = {"lstm": "ifgo", "gru": "rzn"}
_PERMUTATIONS = "|".join(sorted("".join(p) for letters in _LETTERS.values()
                                for p in itertools.permutations(letters)))
# a string holding the gate letters as one word ("ifgo", 'rzn', "ogfi" ...)
_LETTER_WORD = re.compile(rf"(?<![A-Za-z_])({_PERMUTATIONS})(?![A-Za-z_])")
# a block offset written by hand: 2 * H, 3*H, H:2H, [:, H: ...]
_OFFSET = re.compile(r"\b\d+\s*\*\s*H\b|\bH\s*:\s*\d|[\[,]\s*:?\s*H\s*:(?!\s*[A-Za-z_])")


def _is_gate_tuple(node) -> bool:
    """A tuple or list of three or more distinct gate letters of one cell."""
    items = [e.value for e in getattr(node, "elts", [])
             if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return (len(items) == len(node.elts) >= 3 and len(set(items)) == len(items)
            and any(set(items) <= set(letters) for letters in _LETTERS.values()))


def gate_orders_written_out(source: str) -> list[str]:
    """Where ``source`` writes a gate order or a block offset by hand: ``["line: text"]``.

    Its code (docstrings left aside) is searched for the gate letters as a word or as a
    tuple of letters, and, outside strings and comments, for hand-written offsets such as
    ``3 * H`` or ``H:2H`` (a cell's blocks come from its spec: ``spec.rows``,
    ``CellMaths.split``).
    """
    tree = ast.parse(source)
    docstrings = {id(n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings and _LETTER_WORD.search(node.value)):
            found.append(f"{node.lineno}: {node.value[:40]!r}")
        elif isinstance(node, (ast.Tuple, ast.List)) and _is_gate_tuple(node):
            found.append(f"{node.lineno}: {ast.unparse(node)[:60]}")
    code = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            code.setdefault(tok.start[0], []).append(tok.string)
    found += [f"{line}: {' '.join(parts)[:60]}" for line, parts in code.items()
              if _OFFSET.search(" ".join(parts))]
    return found


def test_no_module_writes_a_gate_order_out_again():
    found = [f"{p.relative_to(SRC)}:{hit}" for p in SRC.rglob("*.py")
             for hit in gate_orders_written_out(p.read_text())]
    assert not found, f"gate orders or offsets written out again (use the spec): {found}"


@pytest.mark.parametrize("planted", [
    'for k in "ifgo":\n    pass\n',
    "for k, name in enumerate('rzn'):\n    pass\n",
    'order = ("i", "f", "g", "o")\n',
    "f = a[:, H : 2 * H]\n",
    "o = a[:, 3 * H :]\n",
    "g = gates[..., 2*H:3*H]\n",
])
def test_the_gate_order_check_catches_what_it_should(planted):
    assert gate_orders_written_out("import numpy as np\n" + planted)


def test_the_gate_order_check_lets_the_spec_and_words_be():
    ok = ('rows = spec.rows(GATES, "f", H)\nk * H\nmodel = "rnn"  # not a gate order\n'
          'msg = "the forget gate f"\nx = a[:, :D]\nsize = len(GATES) * H\n'
          'def rows(gates, name: str, H: int):\n    """Rows H:2H of "ifgo"."""\n')
    assert not gate_orders_written_out(ok)
