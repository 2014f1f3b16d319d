"""whiteboard.viz.plots.diagrams: cell diagrams drawn from the gate spec, in the book's symbols.

Assertions read the artists (patch gids, texts, their rendered extents), never pixels.
"""

from __future__ import annotations

import itertools
import re

import matplotlib
import matplotlib.colors
import matplotlib.patches
import pytest
from book_pages import ROOT
from matplotlib.figure import Figure

from whiteboard.cells import CELL_GATES
from whiteboard.notation import HABITS, NOTATIONS, cell_symbols, gate_habits
from whiteboard.viz.plots import new_figure
from whiteboard.viz.plots.diagrams import _ACCENT, draw_cell
from whiteboard.viz.plots.legible import MIN_TEXT_PT, PHONE_COLUMN_PX

matplotlib.use("Agg")
NOTATION_MD = ROOT / "book" / "notation.md"
CASES = list(itertools.product(CELL_GATES, NOTATIONS))
ACTIVATION_TEXT = {"sigmoid": r"$\sigma$", "tanh": r"$\tanh$"}

# Maths in markdown: $$...$$ blocks and $...$ inline.
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
# One symbol: an optional \tilde, a letter or a command (\sigma, \odot), an optional subscript.
SYMBOL = re.compile(r"(\\tilde\s*)?(\\[A-Za-z]+|[A-Za-z])(?:_(\{[^{}]*\}|[A-Za-z0-9]))?")


def _canonical(match) -> str:
    tilde, base, sub = match.groups()
    sub = "" if sub is None else "_" + re.sub(r"[{}\s]", "", sub)
    return (r"\tilde " if tilde else "") + base + sub


def _symbols(tex: str) -> set[str]:
    return {_canonical(m) for m in SYMBOL.finditer(tex)}


def _maths(text: str) -> list[str]:
    return [a or b for a, b in MATH.findall(text)]


def defined_symbols(markdown: str) -> set[str]:
    """Every symbol written in the maths of a markdown page (tables and equations)."""
    return set().union(*map(_symbols, _maths(markdown)))


def diagram_symbols(fig) -> set[str]:
    """Every symbol in the maths labels of a figure (its words are not symbols)."""
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    return set().union(*(_symbols(m) for t in texts for m in _maths(t)))


def undefined_symbols(fig, markdown: str) -> set[str]:
    return diagram_symbols(fig) - defined_symbols(markdown)


def _without(markdown: str, symbol: str) -> str:
    """``markdown`` with every occurrence of ``symbol`` cut out of its maths."""
    def cut(math_match):
        # a thin space, not nothing: "$h_t$" must not become "$$", which opens a display
        return SYMBOL.sub(lambda m: r"\," if _canonical(m) == symbol else m.group(0),
                          math_match.group(0))
    return MATH.sub(cut, markdown)


def _gate_boxes(fig):
    """The gate boxes, left to right: (name, patch)."""
    patches = [p for ax in fig.axes for p in ax.patches
               if (p.get_gid() or "").startswith("gate:")]
    patches.sort(key=lambda p: p.get_x())
    return [(p.get_gid().split(":")[1], p) for p in patches]


def _text(fig, gid):
    found = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == gid]
    assert len(found) == 1, f"expected one text with gid {gid!r}, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def notation_md():
    return NOTATION_MD.read_text()


# ------------------------------------------------------------------------- the notation


@pytest.mark.parametrize("kind, notation", CASES)
def test_every_symbol_on_a_diagram_is_in_notation_md(kind, notation, notation_md):
    fig = draw_cell(kind, notation)
    shown = diagram_symbols(fig)
    syms = cell_symbols(kind, notation)
    expected = {syms["x"], *syms["gates"].values(), *itertools.chain(*syms["states"].values())}
    assert set().union(*map(_symbols, expected)) <= shown  # the states and gates are drawn
    assert not undefined_symbols(fig, notation_md), (
        f"{kind}/{notation}: symbols not defined in book/notation.md")


def test_the_two_notations_differ_where_the_book_says_they_do():
    for kind in CELL_GATES:
        lectures = diagram_symbols(draw_cell(kind, "lectures"))
        pytorch = diagram_symbols(draw_cell(kind, "pytorch"))
        assert ("s_t" in lectures) and ("s_t" not in pytorch)
    assert {"c_t", "c_t-1", "g_t"} <= diagram_symbols(draw_cell("lstm", "pytorch"))
    assert {r"\tilde s_t", "h_t"} <= diagram_symbols(draw_cell("lstm", "lectures"))
    assert {"r_t", "z_t", "n_t"} <= diagram_symbols(draw_cell("gru", "pytorch"))
    assert {"o_t", "i_t", r"\tilde s_t"} <= diagram_symbols(draw_cell("gru", "lectures"))


SHOWN = {case: diagram_symbols(draw_cell(*case)) for case in CASES}


@pytest.mark.parametrize("symbol", sorted(set().union(*SHOWN.values())))
def test_the_check_fails_when_notation_md_loses_a_symbol(symbol, notation_md, tmp_path):
    # The negative check: a copy of notation.md without the symbol must be caught, on every
    # diagram that shows it, and nothing else may go missing with it.
    copy = tmp_path / "notation.md"
    copy.write_text(_without(notation_md, symbol))
    broken = copy.read_text()
    assert broken != notation_md and symbol not in defined_symbols(broken)
    showing = [case for case, shown in SHOWN.items() if symbol in shown]
    assert showing
    for case in showing:
        assert undefined_symbols(draw_cell(*case), broken) == {symbol}, case


# -------------------------------------------------------------------------- the gate spec


@pytest.mark.parametrize("kind, notation", CASES)
def test_gate_boxes_are_the_spec_in_spec_order(kind, notation):
    fig = draw_cell(kind, notation)
    boxes = _gate_boxes(fig)
    assert [name for name, _ in boxes] == [g.name for g in CELL_GATES[kind]]
    letters = cell_symbols(kind, notation)["gates"]
    for g in CELL_GATES[kind]:
        assert _text(fig, f"gate:{g.name}:activation") == ACTIVATION_TEXT[g.activation]
        assert _text(fig, f"gate:{g.name}:symbol") == f"${letters[g.name]}$"
        assert _text(fig, f"gate:{g.name}:role") in g.role


def test_the_rnn_has_one_box_and_no_gate():
    fig = draw_cell("rnn")
    assert not _gate_boxes(fig)
    assert [p.get_gid() for p in fig.axes[0].patches if p.get_gid() == "update"] == ["update"]
    assert _text(fig, "update:activation") == r"$\tanh$"  # the book's RNN squashes with tanh


def test_the_lstm_and_gru_nodes_follow_their_equations():
    def nodes(fig):
        return sorted(p.get_gid() for p in fig.axes[0].patches
                      if (p.get_gid() or "").startswith("node:"))

    # c_t = f ⊙ c_{t-1} + i ⊙ g and h_t = o ⊙ tanh(c_t): three products, one sum, one tanh
    assert nodes(draw_cell("lstm")) == ["node:odot"] * 3 + ["node:plus", "node:tanh"]
    # h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n: two products, one sum, one "1 -"
    for notation in NOTATIONS:
        assert nodes(draw_cell("gru", notation)) == (
            ["node:odot"] * 2 + ["node:one-minus", "node:plus"])


def _one_minus_height(fig):
    return next(p.center[1] for p in fig.axes[0].patches if p.get_gid() == "node:one-minus")


def test_the_gru_flip_moves_the_one_minus():
    # PyTorch: 1 - z scales the candidate (beside the products); lectures: 1 - i scales the
    # old state (on the way up to the state line).
    top = max(p.center[1] for p in draw_cell("gru").axes[0].patches
              if p.get_gid() == "node:plus")
    lectures, pytorch = (_one_minus_height(draw_cell("gru", n)) for n in NOTATIONS)
    assert pytorch < lectures < top


def test_a_changed_spec_changes_the_diagram(monkeypatch):
    lstm = {g.name: g for g in CELL_GATES["lstm"]}
    reordered = tuple(lstm[n] for n in ("o", "g", "f", "i"))
    monkeypatch.setitem(CELL_GATES, "lstm", reordered)
    fig = draw_cell("lstm", "pytorch")
    assert [name for name, _ in _gate_boxes(fig)] == ["o", "g", "f", "i"]
    gru = CELL_GATES["gru"]
    changed = tuple(g if g.name != "r" else type(g)(**{**g.__dict__, "activation": "tanh"})
                    for g in gru)
    monkeypatch.setitem(CELL_GATES, "gru", changed)
    assert _text(draw_cell("gru"), "gate:r:activation") == r"$\tanh$"


# --------------------------------------------------------------------------- legibility


@pytest.mark.parametrize("kind, notation", CASES)
def test_labels_are_legible_and_do_not_overlap(kind, notation):
    fig = draw_cell(kind, notation)
    fig.draw_without_rendering()
    width_px = fig.get_figwidth() * fig.dpi
    assert fig.dpi == 72  # 1 pt is 1 px at the figure's own size
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    smallest = min(t.get_fontsize() for t in texts)
    # shrunk to a phone's column if wider, its smallest text still reads
    assert smallest * min(1, PHONE_COLUMN_PX / width_px) >= MIN_TEXT_PT, (
        f"{kind}: {smallest} pt text in a {width_px:.0f} px figure")
    extent = {t: t.get_window_extent() for t in texts}
    for a, b in itertools.combinations(texts, 2):
        assert not extent[a].overlaps(extent[b]), f"{a.get_text()!r} overlaps {b.get_text()!r}"
    # labels outside the boxes and circles stay clear of every box and circle
    shapes = [p for p in fig.axes[0].patches
              if (p.get_gid() or "").startswith(("gate:", "node:", "update"))]
    outside = [t for t in texts if (t.get_gid() or "").startswith(("state:", "input"))
               or (t.get_gid() or "").endswith(":symbol") or t.get_gid() is None
               and not t.get_text().startswith("$")]
    assert outside
    for t in outside:
        for p in shapes:
            assert not extent[t].overlaps(p.get_window_extent()), (
                f"{t.get_text()!r} on {p.get_gid()}")


# ------------------------------------------------------------------------------ arguments


def test_draws_on_given_axes():
    fig, ax = new_figure(figsize=(7, 3.5))
    assert draw_cell("gru", "pytorch", ax=ax) is fig
    assert isinstance(draw_cell("lstm"), Figure)
    assert [name for name, _ in _gate_boxes(fig)] == ["r", "z", "n"]


@pytest.mark.parametrize("args, error, message", [
    (("transformer",), ValueError, r"kind must be one of 'rnn', 'lstm', 'gru', got 'transformer'"),
    (("LSTM",), ValueError, r"kind must be one of"),
    ((3,), TypeError, r"kind must be one of .*got int 3"),
    (("lstm", "colah"), ValueError, r"notation must be one of 'lectures', 'pytorch', got 'colah'"),
    (("lstm", None), TypeError, r"notation must be one of .*got NoneType"),
])
def test_bad_arguments_raise(args, error, message):
    with pytest.raises(error, match=message):
        draw_cell(*args)


def test_ax_must_be_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got str"):
        draw_cell("rnn", ax="left")


# ----------------------------------------------------------------------- one gate at a time


def _owned(fig, gate):
    """The patches of gate ``gate``'s box, and the texts that name it."""
    ax = fig.axes[0]
    box = next(p for p in ax.patches if p.get_gid() == f"gate:{gate}")
    symbol = next(t for t in ax.texts if t.get_gid() == f"gate:{gate}:symbol")
    return box, symbol


@pytest.mark.parametrize("kind, order", [("lstm", ["o", "i", "f", "g"]),
                                         ("gru", ["r", "z", "n"])])
def test_each_gate_can_be_highlighted_in_turn(kind, order):
    plain = draw_cell(kind)
    for gate in order:
        fig = draw_cell(kind, highlight=gate)
        box, symbol = _owned(fig, gate)
        assert matplotlib.colors.same_color(box.get_edgecolor(), _ACCENT)
        assert box.get_linewidth() > _owned(plain, gate)[0].get_linewidth()
        assert matplotlib.colors.same_color(symbol.get_color(), _ACCENT)
        for other in set(order) - {gate}:
            faded, label = _owned(fig, other)
            assert faded.get_alpha() < 0.5 and label.get_alpha() < 0.5, (gate, other)
        accented = [p for p in fig.axes[0].patches if isinstance(
            p, matplotlib.patches.FancyArrowPatch) and matplotlib.colors.same_color(
            p.get_edgecolor(), _ACCENT)]
        assert accented, f"{kind} {gate}: no wire of the gate is coloured"
        # the layout does not move: the same patches in the same places
        assert [p.get_gid() for p in fig.axes[0].patches] == [
            p.get_gid() for p in plain.axes[0].patches]


def test_a_list_highlights_several_gates_and_none_highlights_nothing():
    fig = draw_cell("lstm", "pytorch", highlight=["i", "g"])
    for gate in ("i", "g"):
        assert matplotlib.colors.same_color(_owned(fig, gate)[0].get_edgecolor(), _ACCENT)
    for gate in ("f", "o"):
        assert _owned(fig, gate)[0].get_alpha() < 0.5
    plain = draw_cell("lstm")
    assert all(p.get_alpha() is None for p in plain.axes[0].patches)


@pytest.mark.parametrize("kind, highlight, error, message", [
    ("rnn", "f", ValueError, "the RNN has no gates to highlight"),
    ("lstm", "x", ValueError, r"highlight must name gates of the LSTM: 'i', 'f', 'g', 'o'"),
    ("lstm", ["f", "s"], ValueError, r"got \['f', 's'\]"),
    ("lstm", [], ValueError, "highlight must name gates"),
    ("gru", "o", ValueError, r"'r', 'z', 'n' \(PyTorch's letters"),
    ("gru", 1, TypeError,
     "highlight must be a gate name, a habit, a list of them or None, got int"),
    ("gru", "remember", ValueError, r"or the lectures' habits 'write', 'read', 'forget'"),
])
def test_a_bad_highlight_is_named(kind, highlight, error, message):
    with pytest.raises(error, match=message):
        draw_cell(kind, highlight=highlight)


@pytest.mark.parametrize("kind, gate", [("lstm", "o"), ("lstm", "f"), ("gru", "z")])
def test_highlighted_diagrams_stay_legible_and_in_the_notation(kind, gate, notation_md):
    fig = draw_cell(kind, highlight=gate)
    assert not undefined_symbols(fig, notation_md)
    fig.draw_without_rendering()
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    extent = {t: t.get_window_extent() for t in texts}
    for a, b in itertools.combinations(texts, 2):
        assert not extent[a].overlaps(extent[b])


# ------------------------------------------------------------------ the lectures' habits


def _node(fig, gid, x_order=0):
    """The ``x_order``-th node with gid ``gid``, counted from the left."""
    nodes = sorted((p for p in fig.axes[0].patches if p.get_gid() == gid),
                   key=lambda p: p.center[0] if hasattr(p, "center") else p.get_x())
    return nodes[x_order]


def _accented(patch):
    return (matplotlib.colors.same_color(patch.get_edgecolor(), _ACCENT)
            and (patch.get_alpha() is None or patch.get_alpha() > 0.5))


@pytest.mark.parametrize("habit, gate", [("write", "o"), ("read", "i"), ("forget", "f")])
def test_the_lstm_habits_are_its_output_input_and_forget_gates(habit, gate):
    # notation.HABITS: the lectures' selective write is the output gate, read the input gate
    assert HABITS["lstm"][habit] == gate
    by_habit, by_gate = draw_cell("lstm", highlight=habit), draw_cell("lstm", highlight=gate)
    for a, b in zip(by_habit.axes[0].patches, by_gate.axes[0].patches, strict=True):
        assert a.get_alpha() == b.get_alpha() and matplotlib.colors.same_color(
            a.get_edgecolor(), b.get_edgecolor())


def test_the_lstm_write_colours_the_whole_way_onto_the_board():
    # h_t = o_t ⊙ tanh(s_t): the tanh on the way out is part of the write, not of the others
    write, read = draw_cell("lstm", highlight="write"), draw_cell("lstm", highlight="read")
    assert _accented(_node(write, "node:tanh"))
    assert _node(read, "node:tanh").get_alpha() < 0.5


@pytest.mark.parametrize("notation", NOTATIONS)
def test_the_gru_read_and_forget_colour_one_way_of_the_update_gate(notation):
    # One gate does both: its box is coloured for either habit, but the read colours only the
    # way to the candidate's product and the forget only the way to the old state's.
    read, forget = (draw_cell("gru", notation, highlight=h) for h in ("read", "forget"))
    for fig in (read, forget):
        assert _accented(_owned(fig, "z")[0])
        assert _owned(fig, "r")[0].get_alpha() < 0.5 and _owned(fig, "n")[0].get_alpha() < 0.5
    keep = max((p for p in read.axes[0].patches if p.get_gid() == "node:odot"),
               key=lambda p: p.center[1])     # the product on the state line
    mix = min((p for p in read.axes[0].patches if p.get_gid() == "node:odot"),
              key=lambda p: p.center[1])      # the product with the candidate
    assert _accented(mix) and keep.get_alpha() < 0.5
    keep_f = max((p for p in forget.axes[0].patches if p.get_gid() == "node:odot"),
                 key=lambda p: p.center[1])
    mix_f = min((p for p in forget.axes[0].patches if p.get_gid() == "node:odot"),
                key=lambda p: p.center[1])
    assert _accented(keep_f) and mix_f.get_alpha() < 0.5
    # the "1 −" goes with the lectures' i on the old state's way, with PyTorch's z on the
    # candidate's
    one_minus = {h: _node(fig, "node:one-minus") for h, fig in (("read", read),
                                                                ("forget", forget))}
    owner = "forget" if notation == "lectures" else "read"
    assert _accented(one_minus[owner])
    assert one_minus[{"read": "forget", "forget": "read"}[owner]].get_alpha() < 0.5


def test_the_gru_writes_with_its_reset_gate():
    assert HABITS["gru"] == {"write": "r", "read": "z", "forget": "z"}
    fig = draw_cell("gru", highlight="write")
    assert _accented(_owned(fig, "r")[0]) and _owned(fig, "z")[0].get_alpha() < 0.5


@pytest.mark.parametrize("kind, habit", [(k, h) for k in ("lstm", "gru")
                                         for h in ("write", "read", "forget")])
def test_every_habit_figure_is_legible_and_in_the_notation(kind, habit, notation_md):
    fig = draw_cell(kind, highlight=habit)
    assert not undefined_symbols(fig, notation_md)
    fig.draw_without_rendering()
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    extent = {t: t.get_window_extent() for t in texts}
    for a, b in itertools.combinations(texts, 2):
        assert not extent[a].overlaps(extent[b])


def test_gate_habits_name_each_gate_in_the_lectures_words():
    assert gate_habits("lstm") == {"o": "selective write", "i": "selective read",
                                   "f": "selective forget"}
    assert gate_habits("gru") == {"r": "selective write",
                                  "z": "selective read (1 − z) and forget (z)"}
    assert gate_habits("rnn") == {}
    with pytest.raises(ValueError, match="kind must be one of"):
        gate_habits("transformer")
