"""The RNN's initialisations, the model table (sizes, parameter counts) and the curriculum."""

import numpy as np
import pytest

from whiteboard import RNN
from whiteboard.training.experiments import (
    RunSpec,
    Setup,
    batches,
    build,
    curriculum_lag,
    describe,
    train_and_test,
)
from whiteboard.training.variants import MODELS, count_parameters, hidden_size, model_spec


@pytest.mark.parametrize("H, seed", [(1, 0), (4, 3), (16, 0), (37, 5)])
def test_orthogonal_init_gives_an_orthogonal_W_and_keeps_the_rest(H, seed):
    orth = RNN(5, H, seed=seed, init="orthogonal").parameters()
    plain = RNN(5, H, seed=seed).parameters()
    W = orth["weight_hh_l0"]
    np.testing.assert_allclose(W.T @ W, np.eye(H), atol=1e-12)
    np.testing.assert_allclose(W @ W.T, np.eye(H), atol=1e-12)
    for k in ("weight_ih_l0", "bias_ih_l0", "bias_hh_l0"):
        np.testing.assert_array_equal(orth[k], plain[k])
    assert not np.array_equal(W, plain["weight_hh_l0"])
    other = RNN(5, H, seed=seed + 1, init="orthogonal").parameters()["weight_hh_l0"]
    assert H == 1 or not np.allclose(W, other)  # the seed matters


def test_identity_init_is_le_et_al_s_irnn():
    p = RNN(16, 16, seed=2, nonlinearity="relu", init="identity").parameters()
    np.testing.assert_array_equal(p["weight_hh_l0"], np.eye(16))  # exactly
    np.testing.assert_array_equal(p["bias_ih_l0"], 0.0)
    np.testing.assert_array_equal(p["bias_hh_l0"], 0.0)
    U = p["weight_ih_l0"]
    assert 0.0005 < U.std() < 0.002 and np.abs(U).max() < 0.01


def test_default_init_is_unchanged_and_stays_out_of_the_repr():
    rnn = RNN(3, 4, seed=0)
    assert rnn.init == "uniform" and "init" not in repr(rnn)
    assert "init='orthogonal'" in repr(RNN(3, 4, init="orthogonal"))
    assert RNN(3, 4, init="identity").copy().init == "identity"
    bound = 1 / np.sqrt(4)
    assert all(np.abs(v).max() <= bound for v in rnn.parameters().values())


@pytest.mark.parametrize("init, error, message", [
    ("ortho", ValueError, "init must be one of 'uniform', 'orthogonal', 'identity', got 'ortho'"),
    (None, TypeError, "init must be one of"),
    (1, TypeError, "init must be one of"),
])
def test_bad_init_is_refused_with_the_choices(init, error, message):
    with pytest.raises(error, match=message):
        RNN(3, 4, init=init)


def _count(net, without_embedding=True):
    return sum(v.size for k, v in net.parameters().items()
               if not (without_embedding and k == "E"))


def test_rnn_wide_has_the_lstm_s_parameter_count():
    lstm, wide = build("story", "lstm", 0), build("story", "rnn_wide", 0)
    assert wide.core.hidden_size == 37 and lstm.core.hidden_size == 16
    assert _count(lstm) == count_parameters("LSTM", 16, 16, 8) == 2312
    assert _count(wide) == count_parameters("RNN", 16, 37, 8) == 2339
    for H in (36, 38):  # 37 is the closest
        assert abs(count_parameters("RNN", 16, H, 8) - 2312) > 2339 - 2312
    assert describe("rnn_wide", Setup())["hidden"] == 37
    assert hidden_size("rnn", 16, 16, 8) == 16


@pytest.mark.parametrize("hidden, embed", [(8, 8), (32, None), (16, 4)])
def test_rnn_wide_is_the_closest_match_in_any_setup(hidden, embed):
    setup = Setup(hidden=hidden, embed=embed)
    lstm, wide = build("story", "lstm", 0, setup), build("story", "rnn_wide", 0, setup)
    gap = abs(_count(wide) - _count(lstm))
    D, K, H = lstm.core.input_size, 8, wide.core.hidden_size
    for other in (H - 1, H + 1):
        assert abs(count_parameters("RNN", D, other, K) - _count(lstm)) >= gap


def test_the_variants_build_what_their_names_say():
    cores = {m: build("story", m, 0).core for m in ("rnn_orth", "irnn", "rnn_curriculum")}
    assert (cores["rnn_orth"].init, cores["rnn_orth"].nonlinearity) == ("orthogonal", "tanh")
    assert (cores["irnn"].init, cores["irnn"].nonlinearity) == ("identity", "relu")
    assert cores["rnn_curriculum"].init == "uniform"
    assert model_spec("lstm_fb0").lr_from == "lstm"
    assert {"rnn", "rnn_orth", "irnn", "rnn_wide", "rnn_curriculum", "lstm", "lstm_fb0",
            "lstm_curriculum", "gru"} == set(MODELS)
    with pytest.raises(ValueError, match=r"model must be one of \['gru', 'irnn'"):
        model_spec("transformer")


def test_curriculum_grows_from_5_to_the_lag_over_the_first_half():
    lags = [curriculum_lag(s, 3000, 40) for s in range(1, 3001)]
    assert lags[0] == 5 and lags[1499] == 40 and set(lags[1500:]) == {40}
    assert all(a <= b for a, b in zip(lags[:-1], lags[1:], strict=True))
    assert sorted(set(lags)) == list(range(5, 41))  # every gap on the way
    assert curriculum_lag(1, 100, 3) == curriculum_lag(100, 100, 3) == 3


def test_a_curriculum_stream_draws_growing_gaps_per_generator():
    make = batches("story", 9, 4, curriculum_steps=10)
    a, b = np.random.default_rng(0), np.random.default_rng(1)
    seen_a = [make(a).lag for _ in range(6)]
    seen_b = [make(b).lag for _ in range(2)]
    assert seen_a == [curriculum_lag(s, 10, 9) for s in range(1, 7)] == [5, 6, 7, 8, 9, 9]
    assert seen_b == [5, 6]


def test_a_curriculum_run_trains_apart_and_tests_at_its_lag():
    setup = Setup(hidden=4, embed=4, steps=8, eval_every=4, val_size=16, test_size=16)
    run = RunSpec("story", "rnn_curriculum", 9, 0, 0.01, setup)
    assert run.curriculum and not RunSpec("story", "rnn", 9, 0, 0.01, setup).curriculum
    (r,) = train_and_test([run])
    assert r["steps_run"] == 8
    with pytest.raises(ValueError, match="schedule"):
        train_and_test([run, RunSpec("story", "rnn", 9, 0, 0.01, setup)])
    with pytest.raises(ValueError, match="curriculum"):
        RunSpec("story", "lstm_curriculum", (3, 9), 0, 0.01, setup)
