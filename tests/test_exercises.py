"""The exercise checkers: right answers pass, every catalogued wrong answer is named."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_mistakes import (
    BOARD_WRONG,
    BPTT_WRONG,
    GRU_WRONG,
    LSTM_WRONG,
    RNN_WRONG,
    TBPTT_WRONG,
    window_grads,
)

from whiteboard.board import Step, run_strategy, selective_strategy
from whiteboard.cells.gru import gru_step
from whiteboard.cells.lstm import lstm_step
from whiteboard.cells.rnn import rnn_step, rnn_step_backward
from whiteboard.exercises import (
    CHECKERS,
    CheckResult,
    bptt,
    check_board_strategy,
    check_gru_step,
    check_lstm_step,
    check_rnn_step,
    check_rnn_step_backward,
    check_tbptt_step,
    steps,
    tbptt,
)
from whiteboard.exercises.board_strategy import target
from whiteboard.training.language import State

STEP_CHECKERS = {"rnn": check_rnn_step, "lstm": check_lstm_step, "gru": check_gru_step,
                 "bptt": check_rnn_step_backward, "tbptt": check_tbptt_step}
WRONG = {"rnn": RNN_WRONG, "lstm": LSTM_WRONG, "gru": GRU_WRONG, "bptt": BPTT_WRONG,
         "tbptt": TBPTT_WRONG}


def sig(a):
    return 1 / (1 + np.exp(-a))


# ------------------------------------------------------------- right answers pass


def my_rnn_step(x, h_prev, p):
    """Written from the equations in column form, then transposed back to rows."""
    b = (p["bias_ih_l0"] + p["bias_hh_l0"])[:, None]
    return np.tanh(p["weight_ih_l0"] @ x.T + p["weight_hh_l0"] @ h_prev.T + b).T


def my_lstm_step(x, h_prev, c_prev, p):
    H = h_prev.shape[1]
    gates = {}
    for k, name in enumerate("ifgo"):
        rows = slice(k * H, (k + 1) * H)
        a = (np.einsum("bd,hd->bh", x, p["weight_ih_l0"][rows]) + p["bias_ih_l0"][rows]
             + np.einsum("bj,hj->bh", h_prev, p["weight_hh_l0"][rows]) + p["bias_hh_l0"][rows])
        gates[name] = np.tanh(a) if name == "g" else sig(a)
    c = gates["f"] * c_prev + gates["i"] * gates["g"]
    return gates["o"] * np.tanh(c), c, {"gates": gates}


def my_gru_step(x, h_prev, p):
    H = h_prev.shape[1]
    Wi, Wh = np.split(p["weight_ih_l0"], 3), np.split(p["weight_hh_l0"], 3)
    bi, bh = np.split(p["bias_ih_l0"], 3), np.split(p["bias_hh_l0"], 3)
    r = sig(x @ Wi[0].T + bi[0] + h_prev @ Wh[0].T + bh[0])
    z = sig(x @ Wi[1].T + bi[1] + h_prev @ Wh[1].T + bh[1])
    n = np.tanh(x @ Wi[2].T + bi[2] + r * (h_prev @ Wh[2].T + bh[2]))
    assert n.shape[1] == H
    return n + z * (h_prev - n)  # = (1 - z) n + z h_prev, rearranged


def my_rnn_step_backward(dh, x, h_prev, p):
    s = np.tanh(x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_ih_l0"]
                + p["bias_hh_l0"])
    delta = dh * (1 - s**2)
    return {"dh_prev": delta @ p["weight_hh_l0"], "dU": delta.T @ x, "dW": delta.T @ h_prev,
            "db": delta.sum(axis=0), "dx": delta @ p["weight_ih_l0"]}


def package_rnn_step_backward(dh, x, h_prev, p):
    """The book's own backward, adapted to the checker's signature; PyTorch's keys."""
    return rnn_step_backward(dh, rnn_step(x, h_prev, p)[1])


def my_tbptt_step(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], state)
    return loss, grads, State.of(trace)


def package_tbptt_step(lm, ids, state):
    return lm.loss_and_grads(ids[:-1], ids[1:], state)


def float32_rnn_step(x, h_prev, p):
    q = {k: v.astype(np.float32) for k, v in p.items()}
    a = (x.astype(np.float32) @ q["weight_ih_l0"].T + h_prev.astype(np.float32)
         @ q["weight_hh_l0"].T + q["bias_ih_l0"] + q["bias_hh_l0"])
    return np.tanh(a)


@pytest.mark.parametrize("checker, fn", [
    (check_rnn_step, rnn_step), (check_rnn_step, my_rnn_step),
    (check_rnn_step, float32_rnn_step),
    (check_lstm_step, lstm_step), (check_lstm_step, my_lstm_step),
    (check_gru_step, gru_step), (check_gru_step, my_gru_step),
    (check_rnn_step_backward, my_rnn_step_backward),
    (check_rnn_step_backward, package_rnn_step_backward),
    (check_tbptt_step, my_tbptt_step), (check_tbptt_step, package_tbptt_step),
], ids=lambda v: getattr(v, "__name__", ""))
def test_right_answers_pass(checker, fn):
    result = checker(fn)
    assert result.passed, result.message
    assert bool(result) and result.mistakes == ()
    assert "agrees with" in result.message


TWO_SLOTS = [Step(read=0), Step(read=1), Step(write=1, read=1, forget=1),
             Step(write=(0, 1), read=0, forget=(0, 1)), Step(read=1),
             Step(write=(0, 1), read=0, forget=(0, 1))]  # chapter 4's two slots


@pytest.mark.parametrize("strategy, slots", [
    (selective_strategy(), 3), (selective_strategy, 3), (TWO_SLOTS, 2),
    ([Step(read=2), Step(read=0), Step(write=0, read=1, forget=0),  # other slots, 4 of them
      Step(write=(1, 2), read=3), Step(read=0, forget=(1, 2)),
      Step(write=(0, 3), read=1, forget=(0, 3))], 4),
])
def test_right_strategies_pass(strategy, slots):
    result = check_board_strategy(strategy, slots=slots)
    assert result.passed, result.message
    assert "= 181" in result.message and f"on {slots} slots" in result.message


def test_a_right_strategy_is_right_for_any_givens():
    for givens in ({"a": 2, "b": 3, "c": 5, "d": 7}, {"a": -1, "b": 2, "c": 7, "d": 3}):
        run = run_strategy(TWO_SLOTS, slots=2, givens=givens)
        assert run.right and run.answer == target(givens)


# ------------------------------------------------- every wrong answer gets its diagnosis


@pytest.mark.parametrize("kind, name", [(k, n) for k, c in WRONG.items() for n in c])
def test_every_catalogued_mistake_is_named(kind, name):
    fn, diagnosis = WRONG[kind][name]
    result = STEP_CHECKERS[kind](fn)
    assert not result.passed
    assert diagnosis in result.message, result.message


@pytest.mark.parametrize("name", list(BOARD_WRONG))
def test_every_wrong_strategy_is_named(name):
    strategy, diagnosis = BOARD_WRONG[name]
    strategy, slots = strategy if isinstance(strategy, tuple) else (strategy, 3)
    result = check_board_strategy(strategy, slots=slots)
    assert not result.passed
    assert diagnosis in result.message, result.message


def test_catalogues_are_big_enough():
    for catalogue in (*WRONG.values(), BOARD_WRONG):
        assert len(catalogue) >= 8


def test_two_mistakes_are_both_named():
    result = check_rnn_step(RNN_WRONG["two mistakes"][0])
    assert result.mistakes == ("sigmoid", "drop_bias_hh"), result.message
    assert "logistic" in result.message and "bias_hh is never added" in result.message


def test_the_board_diagnoses_name_their_mistake():
    result = check_board_strategy(BOARD_WRONG["never forgets"][0])
    assert result.mistakes == ("smudge",)
    assert "ac & ad = 16" in result.message and "forget=0" in result.message
    assert check_board_strategy(BOARD_WRONG["naive"][0]).mistakes == ("write_extra",)
    assert check_board_strategy(BOARD_WRONG["forgets too early"][0]).mistakes == (
        "forgot_early",)


# ------------------------------------------------------------ the mistake models


@pytest.mark.parametrize("gates, cell, model, reference", [
    ("", False, steps.rnn_model, lambda a: {"h": rnn_step(*a)[0]}),
    ("ifgo", True, steps.lstm_model, lambda a: dict(zip("hc", lstm_step(*a)[:2], strict=True))),
    ("rzn", False, steps.gru_model, lambda a: {"h": gru_step(*a)[0]}),
])
def test_mistake_models_without_mistakes_are_the_book_s_steps(gates, cell, model, reference):
    for probe in steps.make_probes(gates, with_cell=cell):
        args = list(probe.args.values())
        got, want = model(*args), reference(args)
        for key in want:
            np.testing.assert_allclose(got[key], want[key], atol=1e-12)


def test_the_backward_model_and_the_package_agree_with_finite_differences():
    for probe in bptt._probes():
        fd = bptt.finite_differences(**probe.args)
        analytic = bptt.backward_model(**probe.args)
        package = package_rnn_step_backward(**probe.args)
        for key in fd:
            np.testing.assert_allclose(analytic[key], fd[key], atol=1e-8)
        for theirs, ours in (("weight_ih_l0", "U"), ("weight_hh_l0", "W"),
                             ("bias_hh_l0", "b"), ("h_prev", "h_prev")):
            np.testing.assert_allclose(package[theirs], fd[ours], atol=1e-8)


CATALOGUES = [
    (check_rnn_step, steps.rnn_model, steps.RNN_MISTAKES, ("",), False),
    (check_lstm_step, steps.lstm_model, steps.LSTM_MISTAKES, ("ifgo",), True),
    (check_gru_step, steps.gru_model, steps.GRU_MISTAKES, ("rzn",), False),
]


@pytest.mark.parametrize("checker, model, catalogue, gates, cell", CATALOGUES,
                         ids=["rnn", "lstm", "gru"])
def test_each_catalogued_mistake_is_diagnosed_as_itself(checker, model, catalogue, gates, cell):
    for m in catalogue:
        def fn(*args, m=m):
            out = model(*args, **m.flags)
            return (out["h"], out["c"]) if "c" in out else out["h"]
        result = checker(fn)
        assert result.mistakes == (m.key,), (m.key, result.message)
        assert result.message == m.diagnosis


def test_each_backward_mistake_is_diagnosed_as_itself():
    for m in bptt.BACKWARD_MISTAKES:
        result = check_rnn_step_backward(lambda *a, m=m: bptt.backward_model(*a, **m.flags))
        assert result.mistakes == (m.key,), (m.key, result.message)


@pytest.mark.parametrize("checker, model, catalogue, gates, cell", CATALOGUES,
                         ids=["rnn", "lstm", "gru"])
def test_the_probes_tell_every_mistake_apart(checker, model, catalogue, gates, cell):
    """No two catalogue entries (nor an entry and the right answer) agree on every probe."""
    probes = steps.make_probes(gates[0], with_cell=cell)

    def outputs(flags):
        out = []
        for probe in probes:
            try:
                out.append(model(*probe.args.values(), **flags))
            except ValueError:
                out.append(None)
        return out

    def same(a, b):
        return all((x is None) == (y is None) and (x is None or all(
            x[k].shape == y[k].shape and np.allclose(x[k], y[k], atol=1e-6) for k in x))
            for x, y in zip(a, b, strict=True))

    seen = [("right", outputs({}))]
    for m in catalogue:
        mine = outputs(m.flags)
        for key, other in seen:
            assert not same(mine, other), f"{m.key} looks like {key} on every probe"
        seen.append((m.key, mine))


def test_the_tbptt_model_without_mistakes_is_the_language_model_s_step():
    for probe in tbptt._probes():
        lm = tbptt._lm(probe.args["kind"], probe.args["params"])
        got, state = tbptt.stream_model(**probe.args), None
        for k, w in enumerate(probe.args["windows"]):
            loss, grads, state = lm.loss_and_grads(w[:-1], w[1:], state)
            assert got["loss"][k] == pytest.approx(loss, rel=1e-12)
            for key, g in grads.items():
                if key in got:
                    np.testing.assert_allclose(got[key][k], g, rtol=1e-10, atol=1e-14)


def test_each_tbptt_mistake_is_diagnosed_as_itself_and_the_probes_tell_them_apart():
    probes = tbptt._probes()
    seen = [("right", [tbptt.stream_model(**p.args) for p in probes])]
    for m in tbptt.TBPTT_MISTAKES:
        result = check_tbptt_step(STUDENT_OF[m.key])
        assert result.mistakes == (m.key,), (m.key, result.message)
        mine = [tbptt.stream_model(**p.args, **m.flags) for p in probes]
        for key, other in seen:
            assert not all(np.allclose(a[k], b[k], atol=1e-6) for a, b in zip(
                mine, other, strict=True) for k in a), f"{m.key} looks like {key}"
        seen.append((m.key, mine))


STUDENT_OF = {"no_carry": TBPTT_WRONG["restarts"][0],
              "no_cut": TBPTT_WRONG["keeps the history"][0],
              "carry_first": TBPTT_WRONG["first state"][0],
              "carry_h_only": TBPTT_WRONG["h only"][0],
              "targets_not_shifted": TBPTT_WRONG["copies"][0],
              "shift_backwards": TBPTT_WRONG["backwards"][0],
              "loss_last_only": TBPTT_WRONG["last step"][0],
              "loss_sum": TBPTT_WRONG["summed"][0],
              "loss_time_sum": TBPTT_WRONG["summed over time"][0],
              "embed_overwrite": TBPTT_WRONG["E overwrites"][0]}


# --------------------------------------------- whatever the function does, a sentence


@pytest.mark.parametrize("checker", [*STEP_CHECKERS.values(), check_board_strategy])
@pytest.mark.parametrize("thing", [3, "rnn_step", np.zeros(3)])
def test_a_non_callable_is_a_type_error(checker, thing):
    with pytest.raises(TypeError, match=checker.__name__):
        checker(thing)


def raises(*args):
    p = {}
    return p["weight_ih_l0"]


@pytest.mark.parametrize("checker", STEP_CHECKERS.values())
def test_a_function_that_raises_is_reported_not_propagated(checker):
    result = checker(raises)
    assert not result.passed
    assert "your function raised KeyError: 'weight_ih_l0'" in result.message
    assert "keyed like state_dict()" in result.message


@pytest.mark.parametrize("kind, fn, says", [
    ("rnn", lambda x, h, p: None, "returned None: did you forget the return statement"),
    ("rnn", lambda x, h, p: ..., "is its body still the ... placeholder"),
    ("rnn", lambda x, h, p: np.full_like(h, np.nan), "your h contains NaN (at row 0, unit 0)"),
    ("rnn", lambda x, h, p: rnn_step(x, h, p)[0][:, :-1], "your h has shape"),
    ("rnn", lambda x, h, p: rnn_step(x, h, p)[0].T, "h is transposed"),
    ("lstm", lambda x, h, c, p: (lstm_step(x, h, c, p)[0].T, lstm_step(x, h, c, p)[1]),
     "(it is transposed)"),
    ("rnn", lambda x, h, p: "h", "your h is a str holding"),
    ("rnn", lambda x, h, p: (1, 2, 3), "returned a tuple of 3 items. check_rnn_step expects h"),
    ("lstm", lambda x, h, c, p: lstm_step(x, h, c, p)[0], "returned a single ndarray"),
    ("lstm", lambda x, h, c, p: (*lstm_step(x, h, c, p), 0), "returned a tuple of 4 items"),
    ("lstm", lambda x, h, c, p: (h, c / 0), "your c contains inf"),
    ("gru", lambda x, h, p: np.log(h) + gru_step(x, h, p)[0], "contains NaN"),
    ("bptt", lambda dh, x, h, p: [dh], "returned a list, not a dict"),
    ("bptt", lambda dh, x, h, p: {"h_prev": dh, "U": 0, "b": 0, "Wh": 0},
     "no gradient for 'W' (keys not recognised: 'Wh')"),
    ("tbptt", lambda lm, ids, s: ..., "is its body still the ... placeholder"),
    ("tbptt", lambda lm, ids, s: (0.0, {}), "returned a tuple, not the tuple (loss, grads"),
    ("tbptt", lambda lm, ids, s: (0.0, {"V": 0}, s), "no gradient for 'weight_ih_l0'"),
    ("tbptt", lambda lm, ids, s: lm.loss_and_grads(ids[:-1], ids[1:], s.h), "raised"),
])
def test_malformed_returns_get_a_clear_message(kind, fn, says):
    result = STEP_CHECKERS[kind](fn)
    assert not result.passed
    assert says in result.message, result.message


def test_an_uncatalogued_mistake_gets_the_output_the_error_and_the_probe():
    def nearly(x, h_prev, c_prev, p):
        h, c, _ = lstm_step(x, h_prev, c_prev, p)
        return h + 0.01 * (c > 1), c  # wrong only where the cell state exceeds 1

    result = check_lstm_step(nearly)
    assert result.mistakes == ()
    assert "your h differs from PyTorch's LSTM on" in result.message
    assert "the largest error is 0.01" in result.message
    assert "Your c is right." in result.message


def test_a_function_that_writes_into_its_inputs_is_caught_and_nothing_leaks():
    def sneaky(x, h_prev, p):
        h, _ = rnn_step(x, h_prev, p)
        h_prev[...] = h  # "update the state in place"
        return h_prev

    first, second = check_rnn_step(sneaky), check_rnn_step(sneaky)
    assert first.message == second.message  # the probes were copies
    assert "changed its input h_prev in place" in first.message
    assert "Apart from that its outputs are right." in first.message
    assert first.mistakes == ("mutates_input",)
    assert check_rnn_step(rnn_step).passed


def test_the_reader_s_own_arrays_are_never_touched():
    seen = []
    check_lstm_step(lambda *args: seen.append(args) or lstm_step(*args)[:2])
    ids = {id(a) for args in seen for a in args}
    assert len(ids) == 4 * len(seen)  # fresh copies on every call


# -------------------------------------------------------------------- the result object


def test_the_result_shows_as_text_markdown_and_html():
    good, bad = check_rnn_step(rnn_step), check_rnn_step(RNN_WRONG["h @ W"][0])
    assert repr(good).startswith("✓ check_rnn_step passed: your function agrees")
    assert repr(bad).startswith("✗ check_rnn_step failed: h_prev @ W instead of")
    assert good._repr_markdown_().startswith("**✓ check_rnn_step passed.**")
    assert "#1b5e20" in good._repr_html_() and "#b71c1c" in bad._repr_html_()
    html = CheckResult(False, "a <b> & c", "check_x")._repr_html_()
    assert "a &lt;b&gt; &amp; c" in html and "<b>" not in html
    assert not bad and good


def test_checkers_are_listed():
    assert set(CHECKERS) == {"check_rnn_step", "check_lstm_step", "check_gru_step",
                             "check_rnn_step_backward", "check_board_strategy",
                             "check_tbptt_step"}
