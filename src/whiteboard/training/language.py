"""A character-level language model: predict the next character at every step.

    x_t = E[char_t]                      a learned embedding (or a one-hot vector)
    h_1 .. h_T = recurrent core (RNN, LSTM or GRU) from the carried state (h_0, c_0)
    z_t = V h_t + c,   p_t = softmax(z_t),   L = −(1/TB) Σ_t Σ_b log p_t[char_{t+1}]

Many-to-many: unlike :class:`whiteboard.training.network.SequenceModel`, which reads one
answer out of the last state, every state is read out, so the loss sends a gradient into
every h_t:

    ∂L/∂z_t = (p_t − onehot(char_{t+1})) / TB,   ∂L/∂h_t = (∂L/∂z_t) V

and the core's backward (BPTT) carries them back through the window.  The read-out, the
embedding and the loss are :mod:`whiteboard.training.network`'s own functions.

**Truncated BPTT** (:meth:`CharLM.loss_and_grads`).  A text is far longer than any window
the memory can hold, so it is read in windows of T characters (:func:`whiteboard.training.
text.stream`).  The state is *carried*: window k + 1 starts from the state window k ended
in, so the network reads the text as one stream.  The gradient is *cut*: window k + 1's
loss is differentiated as if its starting state were a constant, so nothing flows back
into window k.  The step costs the same for every window however long the text, and no
dependence longer than the window is ever taught directly (one shorter than the distance
since the window began is: the state still carries the rest).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from whiteboard.checks import as_rng, check_positive_int, check_positive_number
from whiteboard.maths import log_softmax
from whiteboard.training.loop import progress
from whiteboard.training.network import (
    Embedding,
    Readout,
    SequenceModel,
    affine_backward,
    cross_entropy,
    lookup_backward,
    token_inputs,
)
from whiteboard.training.optim import clip_grad_norm, make_optimizer
from whiteboard.training.text import CHARS, decode, encode

__all__ = ["State", "CharLM", "read", "char_bits", "bits_per_char", "sample", "sample_ids",
           "train_text"]

LN2 = math.log(2.0)


@dataclass(frozen=True)
class State:
    """What a recurrent core carries from one window to the next.

    Attributes:
        h: (B, H) the hidden state.
        c: (B, H) the cell state (LSTM), else None.
    """

    h: np.ndarray
    c: np.ndarray | None = None

    @classmethod
    def of(cls, trace, t: int = -1) -> State:
        """The state a trace was in after step ``t`` (default: where it ended), copied (a
        carried state, cut from the trace)."""
        return cls(trace.h[t].copy(), None if trace.c is None else trace.c[t].copy())


class CharLM:
    """Characters -> embedding -> recurrent core -> read-out at every step.

    Args:
        core: an ``RNN``, ``LSTM`` or ``GRU`` whose input size is ``embed_dim`` (or the
            alphabet's size for one-hot inputs).
        embed_dim: size of the learned embedding (None: one-hot characters).
        vocab_size: the alphabet's size K (default: the 96 of :data:`~whiteboard.training.
            text.CHARS`).
        seed: seeds the read-out and the embedding (the core has its own seed).

    Attributes:
        history: the record of the training that made the network, or None.
    """

    def __init__(self, core, *, embed_dim: int | None = None, vocab_size: int = len(CHARS),
                 seed: int = 0):
        self.core = core
        self.vocab_size = check_positive_int(vocab_size, "vocab_size")
        want = embed_dim or self.vocab_size
        if core.input_size != want:
            raise ValueError(f"the core's input_size is {core.input_size}, but the inputs are "
                             f"{'an embedding' if embed_dim else 'one-hot'} of size {want}")
        dtype = core.dtype
        self.readout = Readout(core.hidden_size, self.vocab_size, seed=seed, dtype=dtype)
        self.embed = Embedding(self.vocab_size, embed_dim, seed=seed + 1,
                               dtype=dtype) if embed_dim else None
        self.history = None

    def __repr__(self) -> str:
        what = f"embed_dim={self.embed.E.shape[1]}" if self.embed else "one-hot"
        return f"CharLM({self.core!r}, {what}, vocab_size={self.vocab_size})"

    @property
    def kind(self) -> str:
        return self.core.kind

    # The same parts as a SequenceModel (core, read-out, embedding), so the same keys.
    parameters = SequenceModel.parameters

    def inputs(self, ids) -> np.ndarray:
        """The core's inputs (T, B, D) for character ids (T, B)."""
        E = None if self.embed is None else self.embed.E
        return token_inputs(ids, self.vocab_size, E, self.core.dtype)

    def start(self, batch: int) -> State:
        """The zero state of ``batch`` lanes: where every text starts."""
        zeros = np.zeros((batch, self.core.hidden_size), self.core.dtype)
        return State(zeros, zeros.copy() if self.core.kind == "lstm" else None)

    def run(self, ids, state: State | None = None, *, forward=None):
        """``(z, trace)``: logits (T, B, K) of the next character at every step, and the trace.

        Args:
            ids: (T, B) character ids.
            state: the state to start from (default: zeros).
            forward: ``forward(X, state) -> trace`` in place of the core's own forward pass
                (a what-if, say: :func:`whiteboard.analysis.whatif.run_whatif`).
        """
        ids = np.asarray(ids)
        state = self.start(ids.shape[1]) if state is None else state
        trace = (forward or self._forward)(self.inputs(ids), state)
        return self.readout.forward(trace.h), trace

    def _forward(self, X, state: State):
        return self.core.forward(X, state.h, state.c)  # c is None but for an LSTM

    def loss_and_grads(self, x, y, state: State | None = None):
        """One step of truncated BPTT: ``(loss, grads, state)`` for one window.

        The window starts from ``state`` (carried) and its gradient stops there (cut).

        Args:
            x: (T, B) character ids.
            y: (T, B) the next characters.
            state: where the previous window ended (None: zeros, a text's start).

        Returns:
            ``loss`` the mean cross-entropy in nats per character, ``grads`` keyed like
            :meth:`parameters`, and the state the window ended in, to carry to the next.
        """
        x, y = np.asarray(x), np.asarray(y)
        z, trace = self.run(x, state)
        T, B, K = z.shape
        loss, dz = cross_entropy(z.reshape(T * B, K), y.reshape(T * B))
        h = trace.h.reshape(T * B, -1)
        out = affine_backward(h, dz, self.readout.V)
        grads = self.core.backward(trace, out.pop("h").reshape(trace.h.shape))
        grads.update(out)
        if self.embed is not None:  # each row of E collects where its character was read
            grads["E"] = lookup_backward(self.embed.E, x, grads["x"])
        return loss, grads, State.of(trace)


def read(lm: CharLM, ids, *, state: State | None = None, chunk: int = 2048, forward=None):
    """Read a text as one stream (B = 1), ``chunk`` characters at a time, the state carried.

    Memory stays bounded however long the text.  Yields ``(a, logp, trace)`` for the chunk
    of inputs ``ids[a : a + len]``: ``logp`` (len, K) the log-probabilities (float64) of the
    character after each, and the chunk's trace (B = 1).  ``forward`` as in
    :meth:`CharLM.run`.
    """
    ids = np.asarray(ids)
    chunk = check_positive_int(chunk, "chunk")
    for a in range(0, len(ids) - 1, chunk):
        x = ids[a : min(a + chunk, len(ids) - 1)]
        z, trace = lm.run(x[:, None], state, forward=forward)
        yield a, log_softmax(z[:, 0].astype(np.float64)), trace
        state = State.of(trace)


def char_bits(lm: CharLM, ids, *, state: State | None = None, chunk: int = 2048,
              forward=None):
    """The bits −log₂ p(char_{t+1} | char_1..char_t) of every next character of a text.

    The text is read as one stream from ``state`` (zeros by default), see :func:`read`.

    Args:
        lm: a :class:`CharLM`.
        ids: (N,) character ids.

    Returns:
        ``(bits (N - 1,), right (N - 1,) bool: the most likely character was the next one)``.
    """
    ids = np.asarray(ids)
    bits, right = [], []
    for a, logp, _ in read(lm, ids, state=state, chunk=chunk, forward=forward):
        y = ids[a + 1 : a + 1 + len(logp)]
        bits.append(-logp[np.arange(len(y)), y] / LN2)
        right.append(logp.argmax(axis=-1) == y)
    return np.concatenate(bits), np.concatenate(right)


def bits_per_char(lm: CharLM, ids) -> float:
    """The mean of :func:`char_bits`: bits per character, the text read from a zero state."""
    return float(np.mean(char_bits(lm, ids)[0]))


def sample(lm: CharLM, n: int, *, prompt: str = "\n", temperature: float = 1.0,
           seed=0) -> str:
    """``n`` characters the model writes after ``prompt``, drawn at ``temperature``.

    Each character is drawn from p = softmax(z / τ), the model's next-character
    distribution sharpened (τ < 1) or flattened (τ > 1), and fed back in as the next input.
    The draws use ``n`` uniform numbers from ``np.random.default_rng(seed)``, see
    :func:`sample_ids`.

    Args:
        lm: a :class:`CharLM`.
        n: how many characters to write.
        prompt: the text read first (at least one character, in the alphabet).
        temperature: τ > 0.
        seed: an int seed or a Generator.
    """
    n = check_positive_int(n, "n")
    if not prompt:
        raise ValueError("prompt must hold at least one character (a newline, say)")
    return decode(sample_ids(lm, encode(prompt), as_rng(seed).random(n), temperature))


def sample_ids(lm: CharLM, prompt_ids, uniforms, temperature: float = 1.0) -> np.ndarray:
    """The ids drawn after ``prompt_ids``, one for each number u in ``uniforms`` ([0, 1)).

    The draw is the inverse of the cumulative distribution: the first k whose cumulative
    probability P_k = p_0 + ... + p_k exceeds u · P_{K-1}.  The in-page sampler does the
    same with its own generator's numbers.
    """
    temperature = check_positive_number(temperature, "temperature")
    z, trace = lm.run(np.asarray(prompt_ids)[:, None])
    logits, state, out = z[-1, 0].astype(np.float64), State.of(trace), []
    for u in np.asarray(uniforms, dtype=float):
        p = np.exp((logits - logits.max()) / temperature)
        cdf = np.cumsum(p)
        k = min(int(np.searchsorted(cdf, u * cdf[-1], side="right")), len(cdf) - 1)
        out.append(k)
        z, trace = lm.run(np.array([[k]]), state)
        logits, state = z[0, 0].astype(np.float64), State.of(trace)
    return np.array(out, dtype=np.int64)


def train_text(lm: CharLM, windows, *, steps: int, lr: float, optimizer: str = "adam",
               clip: float | None = 1.0, eval_ids=None, eval_every: int = 500,
               quiet: bool = True) -> dict:
    """Train ``lm`` by truncated BPTT on a stream of windows and return its history.

    Why a loop of its own: :func:`whiteboard.training.loop.train_stack` draws independent
    batches, while here each window continues the last and the state goes with it.  The
    optimiser and the clipping are the ones ``train_stack`` uses.

    Args:
        lm: the :class:`CharLM`; its parameters are updated in place.
        windows: an iterator of :class:`whiteboard.training.text.Window` (``stream``).
        steps: optimiser steps, one a window.
        lr, optimizer, clip: as in :func:`whiteboard.training.loop.train`.
        eval_ids: a held-out text (N,) measured every ``eval_every`` steps and at the end
            (None: never).

    Returns:
        dict with lists ``step``, ``loss`` (nats per character, every step), ``grad_norm``,
        ``eval_step``, ``eval_loss`` (bits per character), ``eval_accuracy`` (how often
        the most likely next character is right), and ``steps_run`` and ``seconds``.
        It is also kept as ``lm.history``.
    """
    steps = check_positive_int(steps, "steps")
    params = lm.parameters()
    keys = list(params)
    opt = make_optimizer(optimizer, params, lr)
    hist = {"step": [], "loss": [], "grad_norm": [], "eval_step": [], "eval_loss": [],
            "eval_accuracy": []}
    bar = progress(steps, quiet)
    state, start = None, time.perf_counter()
    for step in range(1, steps + 1):
        w = next(windows)
        loss, grads, state = lm.loss_and_grads(w.x, w.y, None if w.first else state)
        norm = clip_grad_norm(grads, clip, keys)
        opt.step(grads)
        hist["step"].append(step)
        hist["loss"].append(float(loss))
        hist["grad_norm"].append(float(norm))
        if eval_ids is not None and (step % eval_every == 0 or step == steps):
            bits, right = char_bits(lm, eval_ids)
            hist["eval_step"].append(step)
            hist["eval_loss"].append(float(bits.mean()))
            hist["eval_accuracy"].append(float(right.mean()))
        bar.update()
        bar.set_postfix(bpc=f"{loss / LN2:.3f}", refresh=False)
    bar.close()
    hist["steps_run"], hist["seconds"] = steps, time.perf_counter() - start
    lm.history = hist
    return hist
