"""Checkers for one forward step of the RNN, the LSTM and the GRU, in PyTorch's form.

Each cell is written twice here: the book's own step function is the reference, and a
*mistake model* recomputes the step with keyword flags that commit one mistake each (the
candidate through σ, the gate blocks in another order, a bias left out, ...). The catalogue
of each checker lists the flags with the sentence a reader sees; ``diagnosis.check_outputs``
finds the entry, or pair of entries, that reproduces the reader's numbers.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from whiteboard.cells.gru import GATES as GRU_GATES
from whiteboard.cells.gru import gru_step
from whiteboard.cells.lstm import GATES as LSTM_GATES
from whiteboard.cells.lstm import lstm_step
from whiteboard.cells.rnn import rnn_step
from whiteboard.cells.spec import names
from whiteboard.exercises.diagnosis import (
    Mistake,
    Probe,
    as_outputs,
    check_outputs,
    error_hint,
    random_params,
    require_callable,
    shape_label,
)
from whiteboard.maths import ACTIVATIONS

__all__ = ["check_gru_step", "check_lstm_step", "check_rnn_step"]

_ACT = {name: f for name, (f, _) in ACTIVATIONS.items()} | {"none": lambda a: a}
_AXES = {"h": ("row", "unit"), "c": ("row", "unit")}
_SEED = 15
PUSH = 15.0  # each of a gate block's two biases: σ(±30) is 1 or 0 to 1e-13
_SHAPES = ((4, 2, 3), (2, 3, 3), (3, 5, 2))  # (B, D, H): D < H, D = H, D > H; never B = H
# each cell's gate letters in PyTorch's block order, from its spec ("" for the RNN)
LSTM_ORDER, GRU_ORDER = "".join(names(LSTM_GATES)), "".join(names(GRU_GATES))
_SQUASHED = {g.name for g in LSTM_GATES + GRU_GATES if g.activation == "tanh"}


def make_probes(gates: str, with_cell: bool) -> list[Probe]:
    """Random probes of three shapes, then one gate at a time pushed to 0 and to 1.

    ``gates`` is PyTorch's block order (``LSTM_ORDER``, ``GRU_ORDER``, "" for the RNN); a
    gate is pushed by setting its block of both biases to ±PUSH (a tanh block is pushed to
    -1 and +1). The GRU's candidate is pushed through bias_ih only, since r multiplies its
    bias_hh.
    """
    rng = np.random.default_rng(_SEED)
    probes = []
    for B, D, H in _SHAPES:
        args = {"x": rng.normal(0.0, 1.0, (B, D)), "h_prev": rng.uniform(-0.9, 0.9, (B, H))}
        if with_cell:
            args["c_prev"] = rng.uniform(-2.0, 2.0, (B, H))  # beyond ±1, unlike h
        args["p"] = random_params(rng, max(len(gates), 1), D, H)
        probes.append(Probe(shape_label(B, D, H), args))
    base = probes[0]
    H = base.args["h_prev"].shape[1]
    for k, gate in enumerate(gates):
        squashed = gate in _SQUASHED
        for sign in (-1.0, 1.0):
            p = {name: value.copy() for name, value in base.args["p"].items()}
            rows = slice(k * H, (k + 1) * H)
            keys = ("bias_ih_l0",) if gate == "n" else ("bias_ih_l0", "bias_hh_l0")
            for key in keys:
                p[key][rows] = sign * PUSH * (2 if gate == "n" else 1)
            to = ("-1" if sign < 0 else "+1") if squashed else ("0" if sign < 0 else "1")
            probes.append(Probe(f"{base.label}, {gate} pushed to {to}", {**base.args, "p": p}))
    return probes


def _pre(x, h_prev, p, rows, flags, *, ih=True, hh=True):
    """U_k x + W_k h_prev + biases of one block, with the weight and bias mistakes applied."""
    W_ih, W_hh = p["weight_ih_l0"][rows], p["weight_hh_l0"][rows]
    if flags.get("swap_weights"):
        W_ih, W_hh = W_hh, W_ih
    a = 0.0
    for part, on, v, W, left_out in (("ih", ih, x, W_ih, "no_input"),
                                     ("hh", hh, h_prev, W_hh, "no_recurrence")):
        if on and not flags.get(left_out):
            a = a + (v @ W if flags.get(f"transpose_{part}") else v @ W.T)
        if on and not flags.get(f"drop_bias_{part}"):
            a = a + p[f"bias_{part}_l0"][rows]
    return a


def _shared(cell: str, rows_k: str) -> list[Mistake]:
    """The weight and bias mistakes every cell can make."""
    return [
        Mistake("transpose_ih", "x @ W instead of x @ W.T: weight_ih_l0 has one row per unit, "
                f"shape ({rows_k}, D), so U x_t is written x @ W_ih.T (your function only runs "
                "when D = H).", {"transpose_ih": True}),
        Mistake("transpose_hh", "h_prev @ W instead of h_prev @ W.T: weight_hh_l0 has one row "
                "per unit, so W h_{t-1} is written h_prev @ W_hh.T (the two differ because the "
                "weights are not symmetric).", {"transpose_hh": True}),
        Mistake("swap_weights", "weight_ih_l0 and weight_hh_l0 are swapped: weight_ih_l0 "
                "multiplies the input x, weight_hh_l0 the previous state h_prev (your function "
                "only runs when D = H).", {"swap_weights": True}),
        Mistake("no_bias", f"neither bias is added: PyTorch's {cell} adds both bias_ih_l0 and "
                "bias_hh_l0.", {"drop_bias_ih": True, "drop_bias_hh": True}),
        Mistake("drop_bias_hh", f"bias_hh is never added: PyTorch's {cell} adds both "
                "bias_ih_l0 and bias_hh_l0.", {"drop_bias_hh": True}),
        Mistake("drop_bias_ih", f"bias_ih is never added: PyTorch's {cell} adds both "
                "bias_ih_l0 and bias_hh_l0.", {"drop_bias_ih": True}),
    ]


def _orders(gates: str) -> list[Mistake]:
    want = ", ".join(gates)
    return [Mistake(f"order_{''.join(o)}", f"your gate blocks are in the order {', '.join(o)}; "
                    f"PyTorch's is {want} (block k is rows k·H to (k+1)·H of every stacked weight "
                    "and bias).",
                    {"order": "".join(o)})
            for o in permutations(gates) if "".join(o) != gates]


def _parser(names: tuple):
    """Turn the step's return value into {name: array}, or a problem in words."""
    n = len(names)

    def parse(out):
        is_tuple = isinstance(out, tuple) or (
            n > 1 and isinstance(out, list) and all(isinstance(o, np.ndarray) for o in out))
        if is_tuple:
            if len(out) not in (n, n + 1):
                return None, f"your function returned a tuple of {len(out)} items"
            items = out[:n]
        elif n > 1:
            return None, f"your function returned a single {type(out).__name__}"
        else:
            items = (out,)
        return as_outputs(dict(zip(names, items, strict=True)))

    return parse


def _check(fn, checker: str, order: str, outputs: tuple, step, model, catalogue, cell: str):
    """The verdict on the reader's step ``fn``: probes, reference ``step`` and ``model`` of the
    cell whose gate blocks are ``order``, returning ``outputs`` (and maybe a cache)."""
    args = "x, h_prev, c_prev, p" if len(outputs) > 1 else "x, h_prev, p"
    returns = f"({', '.join(outputs)})" if len(outputs) > 1 else outputs[0]
    require_callable(fn, checker, f"fn({args}) -> {returns}")
    k = f"{len(order)}H" if order else "H"
    return check_outputs(
        fn, checker=checker, probes=make_probes(order, with_cell=len(outputs) > 1),
        parse=_parser(outputs), expects=f"{checker} expects {returns}, or "
                                        f"({', '.join(outputs)}, cache).",
        reference=lambda pr: dict(zip(outputs, step(**pr.args)[:len(outputs)], strict=True)),
        model=model, catalogue=catalogue, subject=f"PyTorch's {cell}", axes=_AXES,
        error_hint=error_hint(f"fn({args})", shapes=(
            f"Check the shapes: x is (B, D), h_prev is (B, H), weight_ih_l0 is ({k}, D) and "
            f"weight_hh_l0 is ({k}, H), one row per unit, so U x_t is written x @ W_ih.T. The "
            "probes use D ≠ H and B > 1, so a missing .T shows here even when the function "
            "runs with D = H.")))


# ------------------------------------------------------------------------------------ RNN


def rnn_model(x, h_prev, p, **flags) -> dict:
    """The tanh RNN step with the catalogue's mistakes switched on by ``flags``."""
    rows = slice(None)
    if flags.get("bias_outside_tanh"):
        a = _pre(x, h_prev, p, rows, {**flags, "drop_bias_ih": True, "drop_bias_hh": True})
        h = np.tanh(a) + p["bias_ih_l0"] + p["bias_hh_l0"]
    else:
        a = _pre(x, h_prev, p, rows, flags)
        h = _ACT[flags.get("act", "tanh")](a)
    return {"h": h.T if flags.get("transpose_out") else h}


RNN_MISTAKES = [
    Mistake("sigmoid", "the step uses the logistic function σ; PyTorch's RNN (nonlinearity="
            "'tanh') uses tanh: h_t = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).",
            {"act": "sigmoid"}),
    Mistake("relu", "the step uses ReLU; PyTorch's default RNN uses tanh.", {"act": "relu"}),
    Mistake("no_tanh", "the pre-activation is never squashed: h_t = tanh(a_t), and you return "
            "a_t itself.", {"act": "none"}),
    Mistake("no_recurrence", "h_prev is never used: the recurrent term h_prev @ W_hh.T is "
            "missing, so the step has no memory.", {"no_recurrence": True}),
    Mistake("no_input", "x is never used: the input term x @ W_ih.T is missing.",
            {"no_input": True}),
    Mistake("bias_outside_tanh", "the biases are added after tanh; they belong inside it: "
            "h_t = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).", {"bias_outside_tanh": True}),
    Mistake("transpose_out", "h is transposed: it must have shape (B, H), one row per batch "
            "element (W @ x.T gives (H, B); write x @ W.T).", {"transpose_out": True}),
    *_shared("RNN", "H"),
]


def check_rnn_step(fn):
    """Check ``fn(x, h_prev, p) -> h`` (or ``(h, cache)``) against PyTorch's tanh RNN.

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh); see ``whiteboard.exercises``.
    """
    return _check(fn, "check_rnn_step", "", ("h",), rnn_step, rnn_model, RNN_MISTAKES, "RNN")


# ----------------------------------------------------------------------------------- LSTM


def lstm_model(x, h_prev, c_prev, p, **flags) -> dict:
    """The LSTM step with the catalogue's mistakes switched on by ``flags``."""
    H = h_prev.shape[1]
    order = flags.get("order", LSTM_ORDER)
    gate_act = _ACT[flags.get("gate_act", "sigmoid")]

    def block(name):
        k = order.index(name)  # the block the reader reads as this gate
        return _pre(x, h_prev, p, slice(k * H, (k + 1) * H), flags)

    i, f, o = gate_act(block("i")), gate_act(block("f")), gate_act(block("o"))
    g = _ACT[flags.get("cand_act", "tanh")](block("g"))
    old = h_prev if flags.get("forget_h_prev") else c_prev
    kept = (1 - f) * old if flags.get("forget_flipped") else f * old
    c = kept + (g if flags.get("no_input_gate") else i * g)
    h = o * _ACT[flags.get("cell_act", "tanh")](c_prev if flags.get("h_from_c_prev") else c)
    returns = flags.get("returns", "hc")
    return {"h": {"h": h, "c": c}[returns[0]], "c": {"h": h, "c": c}[returns[1]]}


LSTM_MISTAKES = [
    Mistake("returns_h_for_c", "h is returned where c was expected: return h, c, where c is "
            "the new cell state c_t = f ⊙ c_{t-1} + i ⊙ g.", {"returns": "hh"}),
    Mistake("returns_c_h", "h and c are swapped: return h, c in that order (h first, as "
            "PyTorch's output, (h_n, c_n)).", {"returns": "ch"}),
    Mistake("candidate_sigmoid", "the candidate uses the logistic function; it should be tanh: "
            "g_t = tanh(...). (The lectures' s̃_t uses σ; PyTorch's g_t uses tanh.)",
            {"cand_act": "sigmoid"}),
    Mistake("gates_tanh", "the gates i, f and o use tanh; they must use the logistic function "
            "σ, so that each is a fraction between 0 and 1.", {"gate_act": "tanh"}),
    Mistake("cell_sigmoid", "h = o ⊙ σ(c): PyTorch squashes the cell state with tanh, "
            "h_t = o_t ⊙ tanh(c_t) (σ there is the lectures' form).", {"cell_act": "sigmoid"}),
    Mistake("cell_no_tanh", "h = o ⊙ c: the cell state must go through tanh before the output "
            "gate, h_t = o_t ⊙ tanh(c_t).", {"cell_act": "none"}),
    Mistake("forget_h_prev", "the forget gate multiplies h_prev; it must multiply the previous "
            "cell state: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t.", {"forget_h_prev": True}),
    Mistake("h_from_c_prev", "h is computed from c_prev; it must use the new cell state: "
            "h_t = o_t ⊙ tanh(c_t).", {"h_from_c_prev": True}),
    Mistake("forget_flipped", "the forget gate is flipped: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, so "
            "f = 1 keeps the old cell state (you wrote (1 - f) ⊙ c_{t-1}).",
            {"forget_flipped": True}),
    Mistake("no_input_gate", "the input gate never multiplies the candidate: "
            "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t.", {"no_input_gate": True}),
    *_shared("LSTM", "4H"),
    *_orders(LSTM_ORDER),
]


def check_lstm_step(fn):
    """Check ``fn(x, h_prev, c_prev, p) -> (h, c)`` (or ``(h, c, cache)``) against PyTorch.

    The equations are in ``whiteboard.exercises``; gate blocks i, f, g, o.
    """
    return _check(fn, "check_lstm_step", LSTM_ORDER, ("h", "c"), lstm_step, lstm_model,
                  LSTM_MISTAKES, "LSTM")


# ------------------------------------------------------------------------------------ GRU


def gru_model(x, h_prev, p, **flags) -> dict:
    """The GRU step with the catalogue's mistakes switched on by ``flags``."""
    H = h_prev.shape[1]
    order = flags.get("order", GRU_ORDER)
    gate_act = _ACT[flags.get("gate_act", "sigmoid")]

    def rows(name):
        k = order.index(name)
        return slice(k * H, (k + 1) * H)

    r = gate_act(_pre(x, h_prev, p, rows("r"), flags))
    z = gate_act(_pre(x, h_prev, p, rows("z"), flags))
    n_in = _pre(x, h_prev, p, rows("n"), flags, hh=False)  # W_in x + b_in
    n_hh = _pre(x, h_prev, p, rows("n"), flags, ih=False)  # W_hn h_{t-1} + b_hn
    reset = flags.get("reset", "pytorch")
    if reset == "before":  # W_hn (r ⊙ h_{t-1}) + b_hn: the lectures' and Cho et al.'s place
        a = n_in + _pre(x, r * h_prev, p, rows("n"), flags, ih=False)
    elif reset == "bias_outside":
        b_hn = _pre(x, h_prev, p, rows("n"), {**flags, "no_recurrence": True}, ih=False)
        a = n_in + r * (n_hh - b_hn) + b_hn
    elif reset == "none":
        a = n_in + n_hh
    elif reset == "all":
        a = r * (n_in + n_hh)
    else:
        a = n_in + r * n_hh
    n = _ACT[flags.get("cand_act", "tanh")](a)
    if flags.get("no_update"):
        return {"h": n}
    h = z * n + (1 - z) * h_prev if flags.get("update_flipped") else (1 - z) * n + z * h_prev
    return {"h": h}


GRU_MISTAKES = [
    Mistake("update_flipped", "the GRU's update gate is flipped: PyTorch's step is "
            "h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}, so z = 1 keeps the old state. (The "
            "lectures' i_t = 1 - z_t points the other way.)", {"update_flipped": True}),
    Mistake("reset_before_matmul", "the reset gate is applied to h_{t-1} before W_hn; PyTorch "
            "applies it after: n_t = tanh(W_in x + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)). "
            "(W_hn (r_t ⊙ h_{t-1}) is the lectures' and Cho et al.'s placement.)",
            {"reset": "before"}),
    Mistake("reset_bias_outside", "b_hn is added outside the reset gate; it belongs inside: "
            "r_t ⊙ (W_hn h_{t-1} + b_hn).", {"reset": "bias_outside"}),
    Mistake("no_reset", "the reset gate is never used: the candidate is "
            "n_t = tanh(W_in x + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)).", {"reset": "none"}),
    Mistake("reset_everything", "the reset gate scales the input part too: only the recurrent "
            "part W_hn h_{t-1} + b_hn is multiplied by r_t.", {"reset": "all"}),
    Mistake("no_update", "the update gate is never used: you return the candidate n_t, but "
            "h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}.", {"no_update": True}),
    Mistake("candidate_sigmoid", "the candidate uses the logistic function; it should be tanh: "
            "n_t = tanh(...).", {"cand_act": "sigmoid"}),
    Mistake("gates_tanh", "the gates r and z use tanh; they must use the logistic function σ, "
            "so that each is a fraction between 0 and 1.", {"gate_act": "tanh"}),
    *_shared("GRU", "3H"),
    *_orders(GRU_ORDER),
]


def check_gru_step(fn):
    """Check ``fn(x, h_prev, p) -> h`` (or ``(h, cache)``) against PyTorch's GRU.

    The equations are in ``whiteboard.exercises``; gate blocks r, z, n.
    """
    return _check(fn, "check_gru_step", GRU_ORDER, ("h",), gru_step, gru_model, GRU_MISTAKES,
                  "GRU")
