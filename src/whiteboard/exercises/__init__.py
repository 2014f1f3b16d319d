"""Exercises that check themselves: checkers for the reader's own code, with diagnoses.

Each checker takes the reader's function, runs it on probe inputs, and returns a
:class:`CheckResult`: ``.passed`` (also its truth value), ``.message`` (the mistake, named),
``.mistakes`` (catalogue keys, for tests and teachers). In Jupyter the result shows as a
green tick or a red cross with the message::

    >>> from whiteboard.exercises import check_lstm_step
    >>> check_lstm_step(my_lstm_step)
    ✗ check_lstm_step failed: your gate blocks are in the order i, f, o, g; PyTorch's is ...

Arrays are time-step slices with one row per batch element: x (B, D), states (B, H). ``p`` is
keyed like ``state_dict()``: ``weight_ih_l0`` (kH, D), ``weight_hh_l0`` (kH, H),
``bias_ih_l0`` (kH,), ``bias_hh_l0`` (kH,), with k gate blocks stacked in PyTorch's order.
Passing a checker something that is not callable raises ``TypeError``; anything the reader's
function does (raise, return None or the wrong shape, write into its inputs, return NaN)
becomes a failed result with a message, never a traceback from inside the checker.

``check_rnn_step(fn)``, ``fn(x, h_prev, p) -> h`` or ``(h, cache)``; PyTorch's tanh RNN (k = 1)::

    h = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)
    (in chapter 3's letters: s_t = tanh(U x_t + W s_{t-1} + b))

``check_lstm_step(fn)``, ``fn(x, h_prev, c_prev, p) -> (h, c)`` or ``(h, c, cache)``; blocks
i, f, g, o (k = 4), each a = x W_i*^T + b_i* + h_prev W_h*^T + b_h* for its block::

    i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
    c = f ⊙ c_prev + i ⊙ g     h = o ⊙ tanh(c)

``check_gru_step(fn)``, ``fn(x, h_prev, p) -> h`` or ``(h, cache)``; blocks r, z, n (k = 3)::

    r = σ(W_ir x + b_ir + W_hr h_prev + b_hr)    z = σ(W_iz x + b_iz + W_hz h_prev + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h_prev + b_hn))
    h = (1 - z) ⊙ n + z ⊙ h_prev

``check_rnn_step_backward(fn)``, one step of BPTT in the tanh RNN, in chapter 3's letters
(U = weight_ih_l0, W = weight_hh_l0, b = bias_ih_l0 + bias_hh_l0, s = h)::

    fn(dh, x, h_prev, p) -> {"h_prev": ∂L/∂s_{t-1}, "U": ∂L/∂U, "W": ∂L/∂W, "b": ∂L/∂b}

where ``dh`` (B, H) is ∂L/∂s_t, the gradient arriving on the step's output. With
a_t = U x_t + W s_{t-1} + b, s_t = tanh(a_t) and δ_t = dh ⊙ (1 - s_t²)::

    ∂L/∂s_{t-1} = δ_t W  (B, H)      ∂L/∂U = δ_t^T x_t  (H, D)
    ∂L/∂W = δ_t^T s_{t-1}  (H, H)    ∂L/∂b = Σ_rows δ_t  (H,)

PyTorch's key names are accepted as well ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0" or
"bias_hh_l0", whose gradients are both ∂L/∂b), so are "s_prev" for "h_prev" and a leading
"d" ("dW"); an optional "x" (∂L/∂x_t = δ_t U, (B, D)) is checked when present. The
reference is central finite differences in float64, and the message says which gradient is
off.

``check_tbptt_step(fn)``, ``fn(lm, ids, state) -> (loss, grads, new_state)``: one step of
truncated BPTT for a character language model (:class:`whiteboard.training.language.CharLM`).
``ids`` (T + 1, B) is a window of every lane and the character after it (inputs ``ids[:-1]``,
targets ``ids[1:]``); ``state`` is None at a text's start, else what the previous call
returned. ``loss`` is the mean cross-entropy per character, ``grads`` is keyed like
``lm.parameters()``, computed through this window only (the carried state is a constant),
and ``new_state`` the state the window ended in. The checker runs the step over streams of
three windows (LSTM, GRU, RNN), passing on whatever state it returns, and compares every
window with ``CharLM.loss_and_grads``.

``check_board_strategy(strategy, slots=3)``: chapter 4's whiteboard. ``strategy`` is one
``Step(write=..., read=..., forget=...)`` from ``whiteboard.board`` per step of
ac(bd + a) + ad (or a function with no arguments returning that list). It passes when every
step sees on its board exactly the results it uses, each clean (not smudged), which makes
the answer ac(bd + a) + ad for any a, b, c, d; otherwise the message names the first step
that went wrong and the habit that failed it.

How the array checkers diagnose (:mod:`whiteboard.exercises.diagnosis`): the probes use
D ≠ H, B > 1, non-symmetric weights, both biases non-zero, and push one gate block at a time
to 0 and to 1 (its biases set to ±15); the reader's numbers are compared with a catalogue of
known mistakes, ``steps.RNN_MISTAKES``, ``LSTM_MISTAKES``, ``GRU_MISTAKES``,
``bptt.BACKWARD_MISTAKES`` and ``tbptt.TBPTT_MISTAKES``.
"""

from whiteboard.exercises.board_strategy import check_board_strategy
from whiteboard.exercises.bptt import check_rnn_step_backward
from whiteboard.exercises.result import CheckResult
from whiteboard.exercises.steps import check_gru_step, check_lstm_step, check_rnn_step
from whiteboard.exercises.tbptt import check_tbptt_step

__all__ = ["CHECKERS", "CheckResult", "check_board_strategy", "check_gru_step",
           "check_lstm_step", "check_rnn_step", "check_rnn_step_backward", "check_tbptt_step"]

# The checkers' names: the student edition clears the stored output of a cell that calls one.
CHECKERS = tuple(name for name in __all__ if name.startswith("check_"))
