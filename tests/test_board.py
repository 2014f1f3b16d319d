"""The whiteboard: the sheet, the strategies, each habit switched off, the soft board, its
errors, and the figures drawn from runs."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

from whiteboard.board import (
    GIVENS,
    SUM_PLAN,
    NothingToWorkOn,
    Step,
    board_operands,
    format_run,
    format_slots,
    instruction,
    naive_strategy,
    run_strategy,
    selective_strategy,
    switch_off,
    true_values,
)
from whiteboard.viz.players import play
from whiteboard.viz.plots.board import HABIT_COLORS, BoardStepper, SoftBoardStepper


def expected_sum(a, b, c, d):
    return a * c * (b * d + a) + a * d


# ------------------------------------------------------------------------------- the sheet


def test_the_sheet_shows_what_comes_from_the_board():
    assert [instruction(row) for row in SUM_PLAN] == [
        "ac = a × c", "bd = b × d", "bd + a = □ + a", "ac(bd + a) = □ × □", "ad = a × d",
        "ac(bd + a) + ad = □ + □"]
    assert [board_operands(row) for row in SUM_PLAN][2:4] == [("bd",), ("ac", "bd + a")]
    assert true_values() == {"ac": 5, "bd": 33, "bd + a": 34, "ac(bd + a)": 170, "ad": 11,
                             "ac(bd + a) + ad": 181}


def test_a_step_takes_slot_numbers():
    step = Step(write=(0, 2), read=1, forget=[1])
    assert (step.write, step.read, step.forget) == ((0, 2), (1,), (1,))
    assert str(step) == "write 0, 2 · read into 1 · forget 1"
    assert str(Step()) == "write none · read into none · forget none"
    for bad in ("0", 1.0, True, -1, (0, "1")):
        with pytest.raises(TypeError, match="write takes slot numbers"):
            Step(write=bad)
    with pytest.raises(ValueError, match="read names a slot twice"):
        Step(read=(1, 1))


# --------------------------------------------------------------------------- the strategies


def test_the_selective_strategy_reaches_181():
    run = run_strategy(selective_strategy())
    assert run.right and run.first_wrong is None and run.answer == 181 == expected_sum(**GIVENS)
    assert [r.value for r in run.rounds] == [5, 33, 34, 170, 11, 181]
    assert [r.seen for r in run.rounds] == [(), (), ("bd",), ("ac", "bd + a"), (),
                                            ("ad", "ac(bd + a)")]
    assert run.rounds[-1].held == (("ad",), ("ac(bd + a)",), ("ac(bd + a) + ad",))
    assert run.counts() == {"write": 5, "read": 6, "forget": 3}


def test_a_right_strategy_is_right_for_any_givens():
    for givens in ({"a": 2, "b": 7, "c": -1, "d": 4}, {"a": 0.5, "b": 3, "c": 2, "d": -9}):
        run = run_strategy(selective_strategy(), givens=givens)
        assert run.right and run.answer == pytest.approx(expected_sum(**givens))


@pytest.mark.parametrize("habit, answer, first_wrong", [
    ("write", 1326951450, 2), ("read", 5951, 3), ("forget", 219, 6)])
def test_each_habit_switched_off_changes_the_answer(habit, answer, first_wrong):
    run = run_strategy(switch_off(selective_strategy(), habit))
    assert run.answer == answer and run.first_wrong == first_wrong and not run.right


def test_without_write_step_2_multiplies_in_what_it_should_not_see():
    step2 = run_strategy(switch_off(selective_strategy(), "write")).rounds[1]
    assert step2.seen == ("ac",) and step2.value == 5 * 3 * 11 and step2.label == "bd?"


def test_without_forget_a_read_smudges_the_slot():
    run = run_strategy(switch_off(selective_strategy(), "forget"))
    step4 = run.rounds[3]
    assert step4.value == 170 and step4.right  # it saw the right things ...
    assert step4.held[1] == ("bd", "ac(bd + a)") and step4.s[1] == 33 + 170  # ... and smudged
    assert run.rounds[5].seen == ("ac & ad", "bd & ac(bd + a)")


def test_the_naive_strategy_is_one_smudge_in_every_slot():
    run = run_strategy(naive_strategy())
    for r in run.rounds:
        assert np.all(r.s == r.s[0]) and len(set(r.held)) == 1
    assert run.rounds[1].value == 3 * 11 * 5 ** 3 and run.first_wrong == 2
    assert run.answer > 1e39
    assert naive_strategy(2)[0] == Step(write=(0, 1), read=(0, 1))


def test_switch_off_refuses_bad_input():
    with pytest.raises(ValueError, match="habit must be one of"):
        switch_off(selective_strategy(), "erase")
    with pytest.raises(TypeError, match="list of Step"):
        switch_off(["write 0"], "write")


# --------------------------------------------------------------------------- the soft board


def test_the_update_is_the_lstms():
    run = run_strategy(selective_strategy(), write=0.8, read=0.7, keep=0.9)
    for r in run.rounds:
        np.testing.assert_allclose(r.h_prev, r.o * r.s_prev)
        np.testing.assert_allclose(r.s, r.f * r.s_prev + r.i * r.s_tilde)
        assert np.all(r.s_tilde == r.value)
    hard = run_strategy(selective_strategy())
    assert set(np.concatenate([np.r_[r.o, r.i, r.f] for r in hard.rounds])) == {0.0, 1.0}


def test_a_leaky_keep_costs_170_keep_cubed():
    for keep in (0.5, 0.9, 0.99):
        assert run_strategy(selective_strategy(), keep=keep).answer == pytest.approx(
            170 * keep ** 3 + 11)


def test_read_and_write_fractions_scale_the_same_numbers():
    # every result is read in once and written out once, so only their product counts
    one = run_strategy(selective_strategy(), read=0.9).answer
    other = run_strategy(selective_strategy(), write=0.9).answer
    both = run_strategy(selective_strategy(), read=0.6, write=0.75).answer
    assert one == pytest.approx(other) and one < 181
    assert both == pytest.approx(run_strategy(selective_strategy(), read=0.45).answer)


# ------------------------------------------------------------------------------ the errors


def test_run_strategy_refuses_bad_input():
    sel = selective_strategy()
    with pytest.raises(ValueError, match="one Step per step of the sum, 6; got 5"):
        run_strategy(sel[:5])
    with pytest.raises(TypeError, match="list of Step objects"):
        run_strategy([*sel[:5], (0, 1)])
    with pytest.raises(ValueError, match="step 3 reads into slot 2, but the board has slots "
                                         "0 and 1"):
        run_strategy(sel, slots=2)
    with pytest.raises(ValueError, match="only slot 0"):
        run_strategy(sel, slots=1)
    with pytest.raises(ValueError, match="keep must be a fraction"):
        run_strategy(sel, keep=1.5)
    with pytest.raises(TypeError, match="slots must be"):
        run_strategy(sel, slots=2.0)
    with pytest.raises(ValueError, match="keys a, b, c, d"):
        run_strategy(sel, givens={"a": 1})
    with pytest.raises(TypeError, match="given b must be a number"):
        run_strategy(sel, givens={"a": 1, "b": "3", "c": 5, "d": 11})


def test_a_step_with_a_blank_board_and_no_givens_has_nothing_to_work_on():
    blank = [*selective_strategy()[:3], Step(read=1, forget=1), *selective_strategy()[4:]]
    with pytest.raises(NothingToWorkOn, match=r"step 4 \(ac\(bd \+ a\) = □ × □\) has nothing "
                                              "to work on") as info:
        run_strategy(blank)
    assert info.value.t == 4 and len(info.value.rounds) == 3
    assert isinstance(info.value, ValueError)


def test_the_text_forms():
    run = run_strategy(switch_off(selective_strategy(), "forget"))
    text = format_run(run).splitlines()
    assert text[9:12] == ["step 4  ac(bd + a) = □ × □  ->  170",
                          "  board   ac = 5 | · | bd + a = 34",
                          "  memory  ac = 5 | bd & ac(bd + a) = 203 | bd + a = 34"]
    assert text[15] == "step 6  ac(bd + a) + ad = □ + □  ->  219   (wrong: ac(bd + a) + ad = 181)"
    assert format_slots([5, 0, 4.5], [("ac",), (), ("x", "y", "z")]) == (
        "ac = 5 | · | 3 results = 4.50")
    with pytest.raises(TypeError, match="BoardRun"):
        format_run(selective_strategy())


# ------------------------------------------------------------------------------- figures


def test_board_stepper_draws_every_step_of_the_run():
    run = run_strategy(selective_strategy())
    st = BoardStepper(run)
    assert st.n_frames == 6
    st.draw(3)
    assert [t.get_text() for t in st.board_texts] == ["ac\n= 5", "—", "bd + a\n= 34"]
    assert st.memory_texts[1].get_text() == "ac(bd + a)\n= 170"
    faces = [to_hex(p.get_facecolor()) for p in st.board_patches]
    assert faces == [HABIT_COLORS["write"], "#ffffff", HABIT_COLORS["write"]]
    assert to_hex(st.memory_patches[1].get_facecolor()) == HABIT_COLORS["read"]
    assert to_hex(st.memory_patches[1].get_edgecolor()) == HABIT_COLORS["forget"]
    assert st.line_text.get_text() == "new line:  5 × 34 = 170"
    assert st.caption(3) == ("step 4 of 6: ac(bd + a) = □ × □ makes 170; write 0, 2 · "
                             "read into 1 · forget 1")


def test_board_stepper_shows_a_wrong_line_in_red():
    st = BoardStepper(run_strategy(switch_off(selective_strategy(), "write")))
    st.draw(1)
    assert st.line_text.get_text() == "new line:  3 × 11 × 5 = 165"
    assert to_hex(st.line_text.get_color()) == "#c0392b"
    assert "wrong" in st.caption(1)
    st.set_run(run_strategy(selective_strategy()))
    st.draw(1)
    assert st.line_text.get_text() == "new line:  3 × 11 = 33"
    with pytest.raises(ValueError, match="on 3 slots"):
        st.set_run(run_strategy(selective_strategy(), slots=4))
    with pytest.raises(TypeError, match="BoardRun"):
        BoardStepper(selective_strategy())


def test_board_player_has_one_frame_per_step():
    player = play(BoardStepper(run_strategy(selective_strategy())), alt="the board", dpi=30)
    assert player.n_frames == 6 and len(set(player.frames)) == 6


def test_soft_board_stepper_shows_the_fractions():
    st = SoftBoardStepper()
    assert st.n_frames == 6
    st.draw(5)
    assert [t.get_text() for t in st.cell_texts["s"]] == ["11", "170", "181"]
    st.set_fractions(keep=0.5)
    st.draw(3)
    assert st.cell_texts["f"][0].get_text() == "0.50"
    assert st.cell_texts["s"][1].get_text() == f"{st.run.rounds[3].s[1]:.2f}"
    assert "keep 0.50" in st.caption(3)
    st.set_fractions(off=("forget",))
    assert st.run.answer == 219 and "forget off" in st.caption(0)
    with pytest.raises(ValueError, match="no choice called 'erase'"):
        st.set_fractions(off=("erase",))
