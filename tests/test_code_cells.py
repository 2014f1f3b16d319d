"""The code a reader sees follows book/notation.md's conventions (helpers: tests/notebook_code.py).

Every code cell of every notebook in book/ is read with ``ast`` (the Colab install cell
aside; IPython's ``%`` and ``!`` lines are blanked), and a finding names the notebook, the
cell (its index in ``nb["cells"]``, markdown cells counted, from 0) and the line.

1. **No gate order, no gate block by hand.** The package's check (tests/test_gate_spec.py:
   ``"ifgo"``, ``("r", "z", "n")``, ``3 * H``, ``H:2H``), and a slice with bounds of a fused
   weight (``p["bias_ih_l0"][4:8]``) or of a name computed from one (``a[:, k * H:]``):
   take the gates from ``trace.gates``, ``whiteboard.notation`` or the cell's spec.
2. **A reserved letter keeps its meaning.** Each letter below may be bound (assigned, a
   loop or comprehension variable, a parameter, a lambda argument, ``with``/``except``/
   ``import ... as``) only to a value of its kind:

   ====  ======================  =====================================================
   k     steps back, the lag     an int, ``range``/``arange``, a tuple of ints, a name
                                 holding these or with "lag" in it; a ``def``
                                 parameter; never a position: a slice bound
                                 (``x[:k]``) or a ``start=``/``stop=`` argument
   f     forget gate             a gate's value: from ``trace.gates``, an entry keyed
   i     input gate              by a gate letter (``cache["i"]``, ``rnd.f``),
   o     output gate             ``σ(...)`` (``sigma``, ``sigmoid``, ``1 / (1 +
   z     GRU update gate         exp(-a))``), a fraction in [0, 1], or a name bound
   r     GRU reset gate          to one of these
   e     one-hot vector          ``one_hot(...)``, rows of ``np.eye(...)``
   q     chapter 2's probe       a probe's or ``lstsq``'s weights
   L     the loss                a loss, ``cross_entropy``, ``-log p``
   ====  ======================  =====================================================

   A loop's variables are judged by what they take: ``enumerate`` gives a position and
   ``d.items()`` a key, which no reserved letter may be; a name bound to a file, a function,
   an exception or an import is never a reserved letter (only ``k`` may be a parameter).

The two checks are parametrized per notebook; the last tests plant a violation in a
notebook of their own and show the check names it.
"""

from __future__ import annotations

import nbformat
import pytest
from book_pages import ROOT
from notebook_code import gate_orders, letter_misuses, reader_cells, violations

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_gate_order_or_block_in_code_a_reader_sees(path):
    found = violations(path, gate_orders)
    assert not found, ("gate orders or gate blocks written by hand (use trace.gates, "
                       "whiteboard.notation or the spec):\n" + "\n".join(found))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reserved_letters_keep_their_meaning(path):
    found = violations(path, letter_misuses)
    assert not found, ("letters used against book/notation.md's conventions (rename them):\n"
                       + "\n".join(found))


# ------------------------------------------------------------------ the checks bite

COLAB = ('# On Colab only\nimport sys\n\nif "google.colab" in sys.modules:\n'
         '    !git clone --quiet {REPO} /content/x\n    %cd /content/x/book\n')


def _notebook(tmp_path, *sources: str, name: str = "planted.ipynb"):
    """A notebook of the Colab cell, a title and one code cell per source."""
    nb = nbformat.v4.new_notebook()
    colab = nbformat.v4.new_code_cell(COLAB)
    colab.metadata["tags"] = ["remove-cell"]
    nb.cells = [colab, nbformat.v4.new_markdown_cell("# A planted chapter")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_a_planted_gate_loop_fails_both_checks_naming_notebook_cell_and_line(tmp_path):
    path = _notebook(tmp_path, "%matplotlib inline\nimport numpy as np",
                     'gates = {}\nfor k in "ifgo":\n    gates[k] = np.zeros(3)')
    orders = violations(path, gate_orders)
    assert orders and orders[0].startswith("planted.ipynb cell 3, line 2: 'ifgo'"), orders
    letters = violations(path, letter_misuses)
    assert len(letters) == 1, letters
    assert letters[0].startswith('planted.ipynb cell 3, line 2: for k in "ifgo": k is a '
                                 "number of steps back"), letters
    with pytest.raises(AssertionError, match=r"planted\.ipynb cell 3, line 2"):
        test_reserved_letters_keep_their_meaning(path)
    with pytest.raises(AssertionError, match=r"planted\.ipynb cell 3, line 2: 'ifgo'"):
        test_no_gate_order_or_block_in_code_a_reader_sees(path)


def test_a_planted_file_handle_named_f_fails(tmp_path):
    path = _notebook(tmp_path, 'f = open("notes.txt")\nprint(f.read())')
    found = violations(path, letter_misuses)
    assert len(found) == 1 and found[0].startswith(
        'planted.ipynb cell 2, line 1: f = open("notes.txt"): f is the forget gate'), found
    with pytest.raises(AssertionError, match=r"planted\.ipynb cell 2, line 1: f = open"):
        test_reserved_letters_keep_their_meaning(path)


@pytest.mark.parametrize("code", [
    "for k in range(1, 40):\n    pass",
    "for k in (1, 5, 10, 20):\n    pass",
    "ks = (0, 1, 2)\nprint([k for k in ks])",
    "for k in lags:\n    pass",
    "k = np.arange(T + 1)",
    "def bound(k):\n    return 0.9 ** k",
    'f = trace.gates["f"][:, 0]',
    'i, f = cache["i"], cache["f"]\nf = rnd.f',
    "f = sigmoid(a)\no = 1 / (1 + np.exp(-a))",
    "for f in (0.0, 0.5, 1.0):\n    pass",
    'f_gate = trace.gates["f"]\nf = f_gate.mean()',
    "z = run.gates['z'][t, 0, unit]",
    "e = one_hot(y, K)\nfor e in np.eye(2):\n    pass",
    "q = fit_probe(states, words)",
    "L = sum(losses)\nL = cross_entropy(z, y)",
    "E[i, j] = eps",  # an entry of E, not a binding of i
])
def test_what_the_letters_may_hold_passes(tmp_path, code):
    assert not violations(_notebook(tmp_path, code), letter_misuses)


@pytest.mark.parametrize("code, expected", [
    ('for k in "ifgo":\n    pass', ("k is a number of steps back", "here a loop variable")),
    ("for k, v in d.items():\n    pass", ("k is a number of steps back", "here a dict key")),
    ("for k, rnd in enumerate(rounds):\n    pass", ("k is", "here a position")),
    ("k = probe.country_step", ("k is a number of steps back", "here assigned")),
    ("print(words[:k])", ("[:k]: k is", "as a slice bound it counts items")),
    ("for k in range(1, 9):\n    run(Override('z', 1.0, start=k - 1))", ("start=k - 1: k is",
                                                                        "a position")),
    ("sizes = {k: v.size for k, v in p.items()}", ("k is", "here a dict key")),
    ("f = open('notes.txt')", ("f is the forget gate", "here assigned")),
    ("with open('notes.txt') as f:\n    pass", ("f is the forget gate", "here a with-target")),
    ("def f(x):\n    return x", ("f is the forget gate", "here a function or class")),
    ("g = lambda f: f", ("f is the forget gate", "here a lambda argument")),
    ("def step(i, x):\n    return x", ("i is the input gate", "here a parameter")),
    ("for i in range(3):\n    pass", ("i is the input gate", "here a loop variable")),
    ("for f in FEATURES:\n    pass", ("f is the forget gate", "here a loop variable")),
    ("z, trace = net.forward(x)", ("z is the GRU's update gate", "here assigned")),
    ("for r in sweep['results']:\n    pass", ("r is the GRU's reset gate", "loop variable")),
    ("o = [p for p in permutations(plan)]", ("o is the output gate", "here assigned")),
    ("try:\n    pass\nexcept ValueError as e:\n    pass", ("e is a one-hot", "an exception")),
    ("e = np.exp(1)", ("e is a one-hot vector", "here assigned")),
    ("q = quantile(x)", ("q is chapter 2's probe", "here assigned")),
    ("L = len(words)", ("L is the loss", "here assigned")),
    ("import functools as f", ("f is the forget gate", "here an import")),
])
def test_what_the_letters_may_not_hold_fails(tmp_path, code, expected):
    found = violations(_notebook(tmp_path, code), letter_misuses)
    assert found and all(part in found[0] for part in expected), found


@pytest.mark.parametrize("code", [
    'order = ("i", "f", "g", "o")',
    "g = np.tanh(a[:, 2 * H:3 * H])",
    'b_z = sd["bias_ih_l0"][4:8]',
    'Wi = p["weight_ih_l0"]\nz = sigma(Wi[2:4] @ x)',
    'a = x @ p["weight_ih_l0"].T\ni = sigma(a[:, k * H:(k + 1) * H])',
])
def test_gate_blocks_by_hand_fail(tmp_path, code):
    assert violations(_notebook(tmp_path, code), gate_orders)


def test_the_named_views_pass(tmp_path):
    code = ("from whiteboard.cells.lstm import GATES\nfrom whiteboard.cells.spec import rows\n"
            'a = x @ p["weight_ih_l0"].T\nf = sigmoid(a[:, rows(GATES, "f", H)])\n'
            'b_z = to_nptel(gru)["b_i"]\nz = trace.gates["z"]')
    notebook = _notebook(tmp_path, code)
    assert not violations(notebook, gate_orders) + violations(notebook, letter_misuses)


def test_a_fused_name_reused_for_something_else_may_be_sliced(tmp_path):
    code = ('a = x @ p["weight_ih_l0"].T\n', "a = word_attribution(net, x)\nprint(a[:3])")
    assert not violations(_notebook(tmp_path, *code), gate_orders)


def test_the_colab_cell_is_left_out_and_magics_parse(tmp_path):
    path = _notebook(tmp_path, "%matplotlib inline\n!ls\nx = 1")
    assert [c.index for c in reader_cells(path)] == [2]
    assert reader_cells(path)[0].source == "pass\npass\nx = 1"
