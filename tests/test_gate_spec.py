"""Each cell's gates are declared once (whiteboard.cells.*.GATES); everything else derives.

If a gate order, an activation or a block index were written out a second time, it could
drift from the cell code without any test noticing. These tests check that the derived
places agree with the spec, and that the order is written down nowhere else in the package.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN
from whiteboard.analysis.whatif import _gate_info
from whiteboard.cells import CELL_GATES
from whiteboard.cells.spec import RANGES, names, sigmoid_gates
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


def test_the_lstm_fused_order_puts_sigmoid_gates_together_and_cell_gates_last():
    order = [next(g for g in CELL_GATES["lstm"] if g.block == k) for k in LSTM._order]
    acts = [g.activation for g in order]
    assert acts == sorted(acts, key=lambda a: a != "sigmoid")  # sigmoids first, contiguous
    feeds_c = [g.feeds == "c" for g in order]
    assert feeds_c == sorted(feeds_c)  # the gates that dc drives are contiguous, at the end


def test_whatifs_plots_and_notation_agree_with_the_spec():
    for kind in ("lstm", "gru"):
        model = MODELS[kind](2, 3)
        for g in CELL_GATES[kind]:
            assert _gate_info(model, g.name) == (g.block, g.activation)
        panels = DEFAULT_PANELS[kind]
        assert set(names(CELL_GATES[kind])) <= set(panels)
        assert panels[:len(sigmoid_gates(CELL_GATES[kind]))] == sigmoid_gates(CELL_GATES[kind])
    lstm = LSTM(3, 4, seed=1)
    P, sd, H = to_nptel(lstm), lstm.state_dict(), 4
    for g in CELL_GATES["lstm"]:
        suffix = f"_{g.nptel}" if g.nptel else ""
        rows = slice(g.block * H, (g.block + 1) * H)
        assert np.array_equal(P["U" + suffix], sd["weight_ih_l0"][rows])


def test_no_module_writes_a_gate_order_out_again():
    # a literal tuple or list of the gate letters in PyTorch's order, outside cells/
    pattern = re.compile(r"""[(\[]\s*["']i["'],\s*["']f["'],\s*["']g["'],\s*["']o["']"""
                         r"""|[(\[]\s*["']r["'],\s*["']z["'],\s*["']n["']""")
    found = [f"{p.relative_to(SRC)}:{n}" for p in SRC.rglob("*.py") if p.parent.name != "cells"
             for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert not found, f"gate orders written out again (derive them from GATES): {found}"
