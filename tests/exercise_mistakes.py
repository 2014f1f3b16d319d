"""Wrong solutions to the book's coding exercises, written the way students get them wrong.

Each catalogue maps a name to ``(function, what the checker must say)``; the function is
written out in full, as a student would, and never uses the checkers' own mistake models.
``tests/test_exercises.py`` asserts that every one fails with its diagnosis.
"""

from __future__ import annotations

import numpy as np

from whiteboard.board import Step, naive_strategy, selective_strategy
from whiteboard.training.language import State
from whiteboard.training.network import affine_backward, cross_entropy, lookup_backward


def sig(a):
    return 1 / (1 + np.exp(-a))


def W(p, name, k=None, H=None):
    """A weight or bias, or its gate block k of H rows."""
    return p[name] if k is None else p[name][k * H:(k + 1) * H]


# ------------------------------------------------------------------------------------ RNN


def rnn_logistic(x, h_prev, p):
    return sig(x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"].T
               + p["bias_hh_l0"])


def rnn_relu(x, h_prev, p):
    a = x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]
    return np.maximum(a, 0)


def rnn_x_times_W(x, h_prev, p):
    return np.tanh(x @ p["weight_ih_l0"] + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"].T
                   + p["bias_hh_l0"])


def rnn_h_times_W(x, h_prev, p):
    return np.tanh(x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"]
                   + p["bias_hh_l0"])


def rnn_one_bias(x, h_prev, p):
    return np.tanh(x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_ih_l0"])


def rnn_only_hh_bias(x, h_prev, p):
    return np.tanh(x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"])


def rnn_no_bias(x, h_prev, p):
    return np.tanh(x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T)


def rnn_bias_after_tanh(x, h_prev, p):
    b = p["bias_ih_l0"] + p["bias_hh_l0"]
    return np.tanh(x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T) + b


def rnn_forgets_h(x, h_prev, p):
    return np.tanh(x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + p["bias_hh_l0"])


def rnn_swapped_weights(x, h_prev, p):
    U, Wh = p["weight_hh_l0"], p["weight_ih_l0"]  # mixed up which is which
    return np.tanh(x @ U.T + h_prev @ Wh.T + p["bias_ih_l0"] + p["bias_hh_l0"])


def rnn_column_form(x, h_prev, p):
    # the maths' column vectors, with the batch in columns, returned as it comes out
    b = (p["bias_ih_l0"] + p["bias_hh_l0"])[:, None]
    return np.tanh(p["weight_ih_l0"] @ x.T + p["weight_hh_l0"] @ h_prev.T + b)


def rnn_returns_preactivation(x, h_prev, p):
    a = x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]
    return a, {"a": a}


def rnn_logistic_and_one_bias(x, h_prev, p):
    return sig(x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_ih_l0"])


RNN_WRONG = {
    "logistic": (rnn_logistic, "uses the logistic function σ"),
    "relu": (rnn_relu, "uses ReLU"),
    "x @ W": (rnn_x_times_W, "x @ W instead of x @ W.T"),
    "h @ W": (rnn_h_times_W, "h_prev @ W instead of h_prev @ W.T"),
    "no bias_hh": (rnn_one_bias, "bias_hh is never added"),
    "no bias_ih": (rnn_only_hh_bias, "bias_ih is never added"),
    "no bias": (rnn_no_bias, "neither bias is added"),
    "bias after tanh": (rnn_bias_after_tanh, "the biases are added after tanh"),
    "no recurrence": (rnn_forgets_h, "h_prev is never used"),
    "swapped weights": (rnn_swapped_weights, "weight_ih_l0 and weight_hh_l0 are swapped"),
    "column form": (rnn_column_form, "h is transposed"),
    "no tanh": (rnn_returns_preactivation, "the pre-activation is never squashed"),
    "two mistakes": (rnn_logistic_and_one_bias, "two mistakes"),
}


# ----------------------------------------------------------------------------------- LSTM


def _lstm(x, h_prev, c_prev, p, order="ifgo", cand=np.tanh, gate=sig):
    """A student's LSTM: four gate blocks read in ``order``."""
    H = h_prev.shape[1]
    a = x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]
    blocks = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    return gate(blocks["i"]), gate(blocks["f"]), cand(blocks["g"]), gate(blocks["o"])


def lstm_ifog(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p, order="ifog")
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_tensorflow_order(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p, order="igfo")  # TF's LSTMCell: i, j, f, o
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_logistic_candidate(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p, cand=sig)
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_tanh_gates(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p, gate=np.tanh)
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_returns_h_twice(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, h


def lstm_returns_c_h(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * c_prev + i * g
    return c, o * np.tanh(c)


def lstm_forgets_h(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * h_prev + i * g
    return o * np.tanh(c), c


def lstm_h_from_old_c(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * c_prev + i * g
    return o * np.tanh(c_prev), c


def lstm_no_tanh_on_c(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * c_prev + i * g
    return o * c, c


def lstm_lectures_sigma(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * c_prev + i * g
    return o * sig(c), c


def lstm_no_input_gate(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = f * c_prev + g
    return o * np.tanh(c), c


def lstm_flipped_forget(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c = (1 - f) * c_prev + i * g
    return o * np.tanh(c), c


def lstm_one_bias(x, h_prev, c_prev, p):
    H = h_prev.shape[1]
    gates = []
    for k in range(4):
        a = x @ W(p, "weight_ih_l0", k, H).T + h_prev @ W(p, "weight_hh_l0", k, H).T
        gates.append(a + W(p, "bias_ih_l0", k, H))
    i, f, o = sig(gates[0]), sig(gates[1]), sig(gates[3])
    c = f * c_prev + i * np.tanh(gates[2])
    return o * np.tanh(c), c


def lstm_gate_slices_untransposed(x, h_prev, c_prev, p):
    H = h_prev.shape[1]
    a = [x @ W(p, "weight_ih_l0", k, H) + h_prev @ W(p, "weight_hh_l0", k, H).T
         + W(p, "bias_ih_l0", k, H) + W(p, "bias_hh_l0", k, H) for k in range(4)]
    c = sig(a[1]) * c_prev + sig(a[0]) * np.tanh(a[2])
    return sig(a[3]) * np.tanh(c), c


def lstm_in_place(x, h_prev, c_prev, p):
    i, f, g, o = _lstm(x, h_prev, c_prev, p)
    c_prev *= f  # saves an array, and changes the caller's state
    c_prev += i * g
    return o * np.tanh(c_prev), c_prev.copy()


LSTM_WRONG = {
    "order i f o g": (lstm_ifog, "your gate blocks are in the order i, f, o, g; PyTorch's is "
                                 "i, f, g, o"),
    "TensorFlow's order": (lstm_tensorflow_order, "in the order i, g, f, o"),
    "logistic candidate": (lstm_logistic_candidate,
                           "the candidate uses the logistic function; it should be tanh"),
    "tanh gates": (lstm_tanh_gates, "the gates i, f and o use tanh"),
    "h for c": (lstm_returns_h_twice, "h is returned where c was expected"),
    "c, h": (lstm_returns_c_h, "h and c are swapped"),
    "f times h_prev": (lstm_forgets_h, "the forget gate multiplies h_prev"),
    "h from c_prev": (lstm_h_from_old_c, "h is computed from c_prev"),
    "o * c": (lstm_no_tanh_on_c, "h = o ⊙ c"),
    "lectures' sigma": (lstm_lectures_sigma, "h = o ⊙ σ(c)"),
    "no input gate": (lstm_no_input_gate, "the input gate never multiplies the candidate"),
    "flipped forget": (lstm_flipped_forget, "the forget gate is flipped"),
    "no bias_hh": (lstm_one_bias, "bias_hh is never added"),
    "x @ W_k": (lstm_gate_slices_untransposed, "x @ W instead of x @ W.T"),
    "in place": (lstm_in_place, "changed its input c_prev in place"),
}


# ------------------------------------------------------------------------------------ GRU


def _gru_parts(x, h_prev, p):
    H = h_prev.shape[1]
    gx = x @ p["weight_ih_l0"].T + p["bias_ih_l0"]
    gh = h_prev @ p["weight_hh_l0"].T + p["bias_hh_l0"]
    r = sig(gx[:, :H] + gh[:, :H])
    z = sig(gx[:, H:2 * H] + gh[:, H:2 * H])
    return H, gx, gh, r, z


def gru_flipped_update(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return z * n + (1 - z) * h_prev


def gru_lectures_update(x, h_prev, p):
    H, gx, gh, r, i = _gru_parts(x, h_prev, p)  # "i is the update gate", as in the lectures
    s_tilde = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - i) * h_prev + i * s_tilde


def gru_cho_reset(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    W_hn, b_hn = p["weight_hh_l0"][2 * H:], p["bias_hh_l0"][2 * H:]
    n = np.tanh(gx[:, 2 * H:] + (r * h_prev) @ W_hn.T + b_hn)
    return (1 - z) * n + z * h_prev


def gru_reset_without_bias(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    W_hn, b_hn = p["weight_hh_l0"][2 * H:], p["bias_hh_l0"][2 * H:]
    n = np.tanh(gx[:, 2 * H:] + r * (h_prev @ W_hn.T) + b_hn)
    return (1 - z) * n + z * h_prev


def gru_no_reset(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    n = np.tanh(gx[:, 2 * H:] + gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def gru_reset_everything(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    n = np.tanh(r * (gx[:, 2 * H:] + gh[:, 2 * H:]))
    return (1 - z) * n + z * h_prev


def gru_zrn(x, h_prev, p):
    H, gx, gh, z, r = _gru_parts(x, h_prev, p)  # reads block 0 as z and block 1 as r
    n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def gru_logistic_candidate(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    n = sig(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def gru_one_bias(x, h_prev, p):
    H = h_prev.shape[1]
    gx = x @ p["weight_ih_l0"].T + p["bias_ih_l0"]
    gh = h_prev @ p["weight_hh_l0"].T
    r, z = sig(gx[:, :H] + gh[:, :H]), sig(gx[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def gru_returns_candidate(x, h_prev, p):
    H, gx, gh, r, z = _gru_parts(x, h_prev, p)
    return np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])


def gru_untransposed_input(x, h_prev, p):
    H = h_prev.shape[1]
    Wi = [p["weight_ih_l0"][k * H:(k + 1) * H] for k in range(3)]
    Wh = [p["weight_hh_l0"][k * H:(k + 1) * H] for k in range(3)]
    bi = [p["bias_ih_l0"][k * H:(k + 1) * H] for k in range(3)]
    bh = [p["bias_hh_l0"][k * H:(k + 1) * H] for k in range(3)]
    r = sig(x @ Wi[0] + bi[0] + h_prev @ Wh[0].T + bh[0])
    z = sig(x @ Wi[1] + bi[1] + h_prev @ Wh[1].T + bh[1])
    n = np.tanh(x @ Wi[2] + bi[2] + r * (h_prev @ Wh[2].T + bh[2]))
    return (1 - z) * n + z * h_prev


GRU_WRONG = {
    "flipped update": (gru_flipped_update, "the GRU's update gate is flipped"),
    "lectures' update": (gru_lectures_update, "the GRU's update gate is flipped"),
    "Cho's reset": (gru_cho_reset, "the reset gate is applied to h_{t-1} before W_hn"),
    "b_hn outside": (gru_reset_without_bias, "b_hn is added outside the reset gate"),
    "no reset": (gru_no_reset, "the reset gate is never used"),
    "reset everything": (gru_reset_everything, "the reset gate scales the input part too"),
    "z r n": (gru_zrn, "in the order z, r, n; PyTorch's is r, z, n"),
    "logistic candidate": (gru_logistic_candidate,
                           "the candidate uses the logistic function; it should be tanh"),
    "no bias_hh": (gru_one_bias, "bias_hh is never added"),
    "no update": (gru_returns_candidate, "the update gate is never used"),
    "x @ W_k": (gru_untransposed_input, "x @ W instead of x @ W.T"),
}


# -------------------------------------------------------------------------- BPTT, one step


def _forward(x, h_prev, p):
    a = x @ p["weight_ih_l0"].T + h_prev @ p["weight_hh_l0"].T + p["bias_ih_l0"] + p["bias_hh_l0"]
    return a, np.tanh(a)


def _grads(delta, x, h_prev, p, back=None):
    back = delta if back is None else back
    return {"h_prev": back @ p["weight_hh_l0"], "U": delta.T @ x, "W": delta.T @ h_prev,
            "b": delta.sum(axis=0)}


def bptt_forgets_tanh_prime(dh, x, h_prev, p):
    return _grads(dh, x, h_prev, p)


def bptt_tanh_prime_of_s(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    return _grads(dh * (1 - np.tanh(s) ** 2), x, h_prev, p)


def bptt_sigmoid_prime(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    return _grads(dh * s * (1 - s), x, h_prev, p)


def bptt_prime_from_a(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    return _grads(dh * (1 - a**2), x, h_prev, p)


def bptt_descent_sign(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    return {k: -v for k, v in _grads(dh * (1 - s**2), x, h_prev, p).items()}


def bptt_W_transposed_back(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    return {**_grads(delta, x, h_prev, p), "h_prev": delta @ p["weight_hh_l0"].T}


def bptt_skips_prime_backwards(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    return _grads(dh * (1 - s**2), x, h_prev, p, back=dh)


def bptt_W_with_new_state(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    return {**_grads(delta, x, h_prev, p), "W": delta.T @ s}


def bptt_bias_per_row(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    return {**_grads(delta, x, h_prev, p), "b": delta}


def bptt_bias_mean(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    return {**_grads(delta, x, h_prev, p), "b": delta.mean(axis=0)}


def bptt_sums_first(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    d = delta.sum(axis=0)
    return {**_grads(delta, x, h_prev, p), "U": np.outer(d, x.sum(axis=0)),
            "W": np.outer(d, h_prev.sum(axis=0))}


def bptt_W_grad_transposed(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    return {**_grads(delta, x, h_prev, p), "W": h_prev.T @ delta}


def bptt_U_W_swapped(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    return {**_grads(delta, x, h_prev, p), "U": delta.T @ h_prev, "W": delta.T @ x}


def bptt_batch_average(dh, x, h_prev, p):
    a, s = _forward(x, h_prev, p)
    delta = dh * (1 - s**2)
    B = len(x)
    g = _grads(delta, x, h_prev, p)
    return {"h_prev": g["h_prev"], "U": g["U"] / B, "W": g["W"] / B, "b": g["b"] / B}


BPTT_WRONG = {
    "no tanh'": (bptt_forgets_tanh_prime, "you forgot tanh'"),
    "tanh' of s": (bptt_tanh_prime_of_s, "tanh' is applied to s_t instead of a_t"),
    "sigmoid'": (bptt_sigmoid_prime, "the logistic function's slope"),
    "1 - a²": (bptt_prime_from_a, "from the pre-activation"),
    "sign": (bptt_descent_sign, "every gradient has the wrong sign"),
    "delta @ W.T": (bptt_W_transposed_back, "∂L/∂s_{t-1} uses W.T"),
    "back without tanh'": (bptt_skips_prime_backwards, "the gradient on s_{t-1} skips tanh'"),
    "W with s_t": (bptt_W_with_new_state, "∂L/∂W uses s_t where s_{t-1} belongs"),
    "b per row": (bptt_bias_per_row, "∂L/∂b is not summed over the batch"),
    "b mean": (bptt_bias_mean, "∂L/∂b is averaged over the batch"),
    "sums first": (bptt_sums_first, "the batch is summed too early"),
    "dW transposed": (bptt_W_grad_transposed, "∂L/∂W is transposed"),
    "U and W swapped": (bptt_U_W_swapped, "the gradients of U and W are swapped"),
    "batch average": (bptt_batch_average, "divided by the batch size"),
}


# ---------------------------------------------------------------------------- the board

_sel = selective_strategy()


def _with(t, **habits):
    """The selective strategy with step t (from 1) changed."""
    steps = list(_sel)
    old = steps[t - 1]
    steps[t - 1] = Step(**{"write": old.write, "read": old.read, "forget": old.forget,
                           **habits})
    return steps


BOARD_WRONG = {
    "naive": (naive_strategy(), "step 2 (bd = b × d) also sees ac (slots 0, 1 and 2) on "
              "its board"),
    "writes too much": (_with(3, write=(0, 1)), "step 3 (bd + a = □ + a) also sees ac (slot 0)"),
    "forgets to write": (_with(4, write=2), "step 4 needs ac, which is in slot 0 of the "
                         "memory but not on its board"),
    "never forgets": ([Step(write=s.write, read=s.read) for s in _sel],
                      "step 5 read ad into slot 0 while ac was still there. ac is "
                      "used up by then: forget slot 0 at step 5"),
    "forgets too early": (_with(3, forget=0), "step 4 needs ac, but step 3 forgot slot 0"),
    "reads into a full slot": (_with(2, read=0), "while ac was still there. ac is still "
                               "needed at step 4, so read bd into another slot"),
    "reads nowhere": (_with(2, read=()), "step 3 needs bd, but step 2 read it into no slot"),
    "writes the wrong slot": (_with(6, write=(0, 2)), "step 6 needs ac(bd + a), which is in "
                              "slot 1"),
    "blank board": (_with(4, write=()), "step 4 needs ac, which is in slot 0"),
    "too short": (_sel[:5], "your strategy has 5 steps, but the sum has 6"),
    "two slots": ((_sel, 2), "step 3 reads into slot 2, but the board has slots 0 and 1"),
    "a tuple": ([("write", 0)], "item 1 of your strategy is a tuple"),
    "nothing": ([], "your strategy has no steps"),
    "raises": (lambda: [Step(write="0")], "your function raised TypeError"),
}


# --------------------------------------------------------------- a truncated-BPTT step


def window_grads(lm, x, y, state):
    """A student's forward and backward of one window (right: the mistakes are around it)."""
    z, trace = lm.run(x, state)
    T, B, K = z.shape
    loss, dz = cross_entropy(z.reshape(T * B, K), y.reshape(-1))
    out = affine_backward(trace.h.reshape(T * B, -1), dz, lm.readout.V)
    grads = lm.core.backward(trace, out.pop("h").reshape(trace.h.shape))
    grads.update(out)
    grads["E"] = lookup_backward(lm.embed.E, x, grads["x"])
    return loss, grads, trace


def tbptt_restarts(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], None)  # "state" never used
    return loss, grads, State.of(trace)


def tbptt_hands_back_its_state(lm, ids, state):
    loss, grads, _ = window_grads(lm, ids[:-1], ids[1:], state)
    return loss, grads, state


def tbptt_keeps_the_history(lm, ids, state):
    # the state is the whole text so far, re-read each time: nothing is ever cut
    seen = ids[:-1] if state is None else np.concatenate([state, ids[:-1]])
    z, trace = lm.run(seen)
    T = len(ids) - 1
    B, K = z.shape[1:]
    loss, dz = cross_entropy(z[-T:].reshape(T * B, K), ids[1:].reshape(-1))
    out = affine_backward(trace.h[-T:].reshape(T * B, -1), dz, lm.readout.V)
    dh = np.zeros_like(trace.h)
    dh[-T:] = out.pop("h").reshape(T, B, -1)
    grads = lm.core.backward(trace, dh)
    grads.update(out)
    grads["E"] = lookup_backward(lm.embed.E, seen, grads["x"])
    return loss, grads, seen


def tbptt_first_state(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], state)
    c = None if trace.c is None else trace.c[0]
    return loss, grads, State(trace.h[0], c)


def tbptt_h_only(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], state)
    return loss, grads, State(trace.h[-1])


def tbptt_copies(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[:-1], state)
    return loss, grads, State.of(trace)


def tbptt_backwards(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[1:], ids[:-1], state)
    return loss, grads, State.of(trace)


def tbptt_last_step(lm, ids, state):
    x, y = ids[:-1], ids[1:]
    z, trace = lm.run(x, state)
    loss, dz = cross_entropy(z[-1], y[-1])  # as for the story: one answer at the end
    out = affine_backward(trace.h[-1], dz, lm.readout.V)
    dh = np.zeros_like(trace.h)
    dh[-1] = out.pop("h")
    grads = lm.core.backward(trace, dh)
    grads.update(out)
    grads["E"] = lookup_backward(lm.embed.E, x, grads["x"])
    return loss, grads, State.of(trace)


def tbptt_summed(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], state)
    n = ids[1:].size
    return loss * n, {k: g * n for k, g in grads.items()}, State.of(trace)


def tbptt_summed_over_time(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], state)
    T = len(ids) - 1
    return loss * T, {k: g * T for k, g in grads.items()}, State.of(trace)


def tbptt_embedding_overwrites(lm, ids, state):
    x = ids[:-1]
    loss, grads, trace = window_grads(lm, x, ids[1:], state)
    dE = np.zeros_like(lm.embed.E)
    dE[x.ravel()] += grads["x"].reshape(-1, dE.shape[1])
    grads["E"] = dE
    return loss, grads, State.of(trace)


def tbptt_updates_too(lm, ids, state):
    loss, grads, trace = window_grads(lm, ids[:-1], ids[1:], state)
    for k, p in lm.parameters().items():
        p -= 0.1 * grads[k]
    return loss, grads, State.of(trace)


TBPTT_WRONG = {
    "restarts": (tbptt_restarts, "every window starts from the zero state"),
    "hands back its state": (tbptt_hands_back_its_state, "every window starts from the zero"),
    "keeps the history": (tbptt_keeps_the_history, "the gradient is not cut"),
    "first state": (tbptt_first_state, "the state after the window's first character"),
    "h only": (tbptt_h_only, "the LSTM's cell state is not carried"),
    "copies": (tbptt_copies, "your targets are the inputs themselves"),
    "backwards": (tbptt_backwards, "inputs and targets are swapped"),
    "last step": (tbptt_last_step, "only the last step's prediction is in your loss"),
    "summed": (tbptt_summed, "summed over the T x B characters"),
    "summed over time": (tbptt_summed_over_time, "sums over the T steps and averages"),
    "E overwrites": (tbptt_embedding_overwrites, "the gradient of E loses repeats"),
    "updates": (tbptt_updates_too, "changed lm's parameters"),
}
