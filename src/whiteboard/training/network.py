"""The book's network: inputs, a recurrent core, a read-out of the last state, and its loss.

    x_t = onehot(token_t)  (or a learned embedding E[token_t], or real-valued inputs)
    h_1 .. h_T = recurrent core (RNN, LSTM or GRU) over x_1 .. x_T
    z = V h_T + c,   ŷ = softmax(z),   L = −(1/B) Σ_b log ŷ_b[y_b]

with one answer per sequence, read from the last hidden state.  For a regression task (the
adding problem) the read-out is linear and the loss is the mean squared error.  Gradients of
the read-out and the losses, which the core's own BPTT does not cover:

    ∂L/∂z = (softmax(z) − onehot(y)) / B
    ∂L/∂V = (∂L/∂z)ᵀ h_T,   ∂L/∂c = Σ_b ∂L/∂z_b,   ∂L/∂h_T = (∂L/∂z) V

and ``∂L/∂h_t = 0`` for ``t < T`` because nothing else reads those states.

**One computation, any number of networks.**  :class:`NetworkStack` holds M networks of one
structure with their parameters stacked along a leading model axis, and computes the loss
and gradients of all of them at once through the fused loop of
:mod:`whiteboard.models.engine`.  A single :class:`SequenceModel` computes its loss and
gradients as a stack of one; the functions below (read-out, losses, embedding) take any
leading axes, so the same lines serve one network and many.
"""

from __future__ import annotations

import math

import numpy as np

from whiteboard.checks import check_shape
from whiteboard.maths import log_softmax, one_hot
from whiteboard.models import engine

__all__ = ["cross_entropy", "mse", "Readout", "Embedding", "SequenceModel", "NetworkStack"]

def _check_targets(y, z, classes: bool):
    y = check_shape(np.asarray(y), z.shape[:-1], "targets")
    if classes:
        K = z.shape[-1]
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"class targets must be integers, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= K:
            raise ValueError(f"class targets must lie in 0..{K - 1}")
    return y


def cross_entropy(z: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of ``softmax(z)`` against class ids, and its gradient.

    Args:
        z: logits (..., B, K): any leading axes (one per network of a stack).
        y: class ids (..., B), ints in ``0..K-1``.

    Returns:
        ``(L, dL/dz)``: ``L = −mean_b log softmax(z_b)[y_b]``, a float for one network and
        an array (...) for a stack, and ``dL/dz = (softmax(z) − onehot(y)) / B``.
    """
    y = _check_targets(y, z, classes=True)
    B = z.shape[-2]
    logp = log_softmax(z)
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
    loss = -picked.mean(axis=-1)
    dz = np.exp(logp)
    np.put_along_axis(dz, y[..., None], np.take_along_axis(dz, y[..., None], -1) - 1.0, -1)
    return (float(loss) if loss.ndim == 0 else loss), dz / B


def mse(pred: np.ndarray, y: np.ndarray):
    """Mean squared error of ``pred`` (..., B, 1) against ``y`` (..., B), and ``dL/dpred``."""
    y = _check_targets(y, pred[..., 0:1], classes=False)
    B = pred.shape[-2]
    err = pred[..., 0] - y
    loss = np.mean(err**2, axis=-1)
    return (float(loss) if loss.ndim == 0 else loss), (2.0 / B) * err[..., None]


LOSSES = {"cross_entropy": cross_entropy, "mse": mse}


def affine(h, V, c):
    """The read-out ``z = V h + c``: ``h`` (..., B, H) or (H,), V (..., K, H), c (..., K)."""
    return np.matmul(h, np.swapaxes(V, -1, -2)) + (c[..., None, :] if c.ndim > 1 else c)


def affine_backward(h, dz, V) -> dict[str, np.ndarray]:
    """Gradients ``V``, ``c`` and ``h`` of the read-out from ``dz = ∂L/∂z`` (..., B, K)."""
    return {"V": np.matmul(np.swapaxes(dz, -1, -2), h), "c": dz.sum(axis=-2),
            "h": np.matmul(dz, V)}


def lookup(E, tokens):
    """``E[tokens]``: tokens (..., T, B) -> (..., T, B, D); E may carry model axes (...)."""
    if E.ndim == 2:
        return E[tokens]
    lead = E.shape[:-2]
    m = np.arange(int(np.prod(lead))).reshape(lead + (1,) * (tokens.ndim - len(lead)))
    return E.reshape(-1, *E.shape[-2:])[m, tokens]


def lookup_backward(E, tokens, dx) -> np.ndarray:
    """∂L/∂E from ``dx`` (..., T, B, D), the gradient on every looked-up row of ``E``."""
    V, D = E.shape[-2:]
    n = int(np.prod(E.shape[:-2]))
    m = np.arange(n).reshape((n,) + (1,) * (np.ndim(tokens) - E.ndim + 2))
    # A token read twice collects both gradients, added in reading order (what
    # np.add.at(dE, tokens, dx) does), in one fast bincount over (row, column) pairs.
    rows = ((m * V + np.asarray(tokens)).reshape(-1, 1) * D + np.arange(D)).reshape(-1)
    dE = np.bincount(rows, weights=np.asarray(dx).reshape(-1), minlength=n * V * D)
    return dE.reshape(E.shape)


def token_inputs(x, vocab_size: int | None, E=None, dtype=np.float64) -> np.ndarray:
    """The core's inputs (..., T, B, D) for a batch ``x``: real inputs (..., T, B, D) as they
    are (float64), or tokens (..., T, B) looked up in ``E`` (see :func:`lookup`), or one-hot
    vectors of ``vocab_size`` in ``dtype`` when there is no ``E``."""
    if vocab_size is None:
        return np.asarray(x, dtype=float)
    return one_hot(np.asarray(x), vocab_size, dtype) if E is None else lookup(E, np.asarray(x))


class Readout:
    """The affine read-out ``z = V h + c`` (its softmax lives in the loss).

    Initialised like PyTorch's ``nn.Linear``: every entry uniform in ``±1/√H``.

    Args:
        hidden_size: H.
        out_size: K, the number of classes (1 for regression).
        seed: seeds the initialisation.
    """

    def __init__(self, hidden_size: int, out_size: int, *, seed: int = 0, dtype=np.float64):
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(hidden_size)
        self.V = rng.uniform(-bound, bound, size=(out_size, hidden_size)).astype(dtype)
        self.c = rng.uniform(-bound, bound, size=out_size).astype(dtype)

    def parameters(self) -> dict[str, np.ndarray]:
        return {"V": self.V, "c": self.c}

    def forward(self, h: np.ndarray) -> np.ndarray:
        """``h`` (B, H) -> ``z`` (B, K)."""
        return affine(h, self.V, self.c)

    def backward(self, h: np.ndarray, dz: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients ``V``, ``c`` and ``h`` from ``dz = ∂L/∂z`` (B, K)."""
        return affine_backward(h, dz, self.V)


class Embedding:
    """A learned lookup table ``x_t = E[token_t]``, E of shape (vocab_size, D), N(0, 1) init."""

    def __init__(self, vocab_size: int, dim: int, *, seed: int = 0, dtype=np.float64):
        self.E = np.random.default_rng(seed).standard_normal((vocab_size, dim)).astype(dtype)

    def parameters(self) -> dict[str, np.ndarray]:
        return {"E": self.E}

    def forward(self, tokens: np.ndarray) -> np.ndarray:
        """Tokens (T, B) -> inputs (T, B, D)."""
        return lookup(self.E, tokens)

    def backward(self, tokens: np.ndarray, dx: np.ndarray) -> dict[str, np.ndarray]:
        """``{"E": ∂L/∂E}`` from ``dx`` (T, B, D)."""
        return {"E": lookup_backward(self.E, tokens, dx)}


class SequenceModel:
    """Inputs -> recurrent core -> read-out of the last hidden state -> loss.

    Args:
        core: an ``RNN``, ``LSTM`` or ``GRU``.
        out_size: K classes, or 1 with ``loss="mse"``.
        vocab_size: if given, inputs are integer tokens (T, B); they are one-hot encoded,
            or embedded when ``embed_dim`` is given.  If None, inputs are real (T, B, D).
        embed_dim: size of a learned embedding (None: one-hot, which has no parameters).
        loss: ``"cross_entropy"`` (classification) or ``"mse"`` (regression).
        seed: seeds the read-out and the embedding (the core has its own seed).

    Attributes:
        history: the record of the training that made the network (the dict
            :func:`whiteboard.training.loop.train` returns), or None for a fresh one.
    """

    def __init__(self, core, out_size: int, *, vocab_size: int | None = None,
                 embed_dim: int | None = None, loss: str = "cross_entropy", seed: int = 0):
        if loss not in LOSSES:
            raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
        if embed_dim is not None and vocab_size is None:
            raise ValueError("embed_dim needs vocab_size (embeddings look up integer tokens)")
        self.core = core
        self.vocab_size = vocab_size
        self.loss_name = loss
        self.readout = Readout(core.hidden_size, out_size, seed=seed)
        self.embed = Embedding(vocab_size, embed_dim, seed=seed + 1) if embed_dim else None
        self.history = None

    def parameters(self) -> dict[str, np.ndarray]:
        """Every live parameter: the core's (PyTorch keys), ``V``, ``c`` and maybe ``E``."""
        params = dict(self.core.parameters())
        params.update(self.readout.parameters())
        if self.embed is not None:
            params.update(self.embed.parameters())
        return params

    def inputs(self, x: np.ndarray) -> np.ndarray:
        """The core's input (T, B, D) for a batch ``x``."""
        return token_inputs(x, self.vocab_size, None if self.embed is None else self.embed.E)

    def forward(self, x: np.ndarray):
        """``(z, trace)``: the read-out ``z`` (B, K) of the last state, and the core's trace."""
        trace = self.core.forward(self.inputs(x))
        return self.readout.forward(trace.h[-1]), trace

    def loss_and_grads(self, x, y):
        """``(loss, grads, z)`` for one batch; ``grads`` has the keys of :meth:`parameters`.

        Computed as a stack of one (:class:`NetworkStack`), the very code that trains.  A
        loss that is NaN or infinite has no gradient to follow: ``grads`` is then None.
        """
        loss, grads, z = NetworkStack([self]).loss_and_grads(np.asarray(x)[None],
                                                             np.asarray(y)[None])
        loss = float(loss[0])
        return loss, {k: v[0] for k, v in grads.items()} if math.isfinite(loss) else None, z[0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class ids (B,) for classification, or predictions (B,) for regression."""
        z, _ = self.forward(x)
        return z.argmax(axis=-1) if self.loss_name == "cross_entropy" else z[:, 0]


def structure(net: SequenceModel) -> tuple:
    """What networks must share to be stacked (everything but their parameters' values)."""
    core = net.core
    config = {k: v for k, v in core.config().items() if k not in ("seed", "forget_bias")}
    embed = None if net.embed is None else net.embed.E.shape
    return (core.kind, core.input_size, core.hidden_size, core.dtype.str,
            tuple(sorted(config.items())), net.vocab_size, embed, net.readout.V.shape,
            net.loss_name)


class NetworkStack:
    """M :class:`SequenceModel` networks of one structure, their parameters stacked.

    ``params[k]`` has shape ``(M, *shape of k)``.  The networks themselves are untouched
    until :meth:`write_back`.

    Raises:
        TypeError: an item is not a SequenceModel.
        ValueError: the list is empty or the networks differ in structure.
    """

    def __init__(self, nets):
        nets = list(nets)
        if not nets:
            raise ValueError("a stack needs at least one network")
        for n in nets:
            if not isinstance(n, SequenceModel):
                raise TypeError(f"a stack holds SequenceModel networks, got {type(n).__name__}")
        if len({structure(n) for n in nets}) > 1:
            raise ValueError("networks in one stack must share their structure (kind, sizes, "
                             "inputs, loss)")
        self.nets = nets
        first = nets[0]
        self.cell = first.core.maths()
        self.vocab_size, self.embedded = first.vocab_size, first.embed is not None
        self.loss_name = first.loss_name
        self.keys = list(first.parameters())
        self.params = {k: np.stack([n.parameters()[k] for n in nets]) for k in self.keys}

    def __len__(self) -> int:
        return len(self.nets)

    def keep(self, idx) -> None:
        """Keep only the networks at the indices ``idx`` (write the others back first)."""
        self.nets = [self.nets[i] for i in idx]
        self.params = {k: v[idx] for k, v in self.params.items()}

    def write_back(self, i: int) -> None:
        """Copy the stacked parameters into network ``i``."""
        live = self.nets[i].parameters()
        for k in self.keys:
            live[k][...] = self.params[k][i]

    def forward(self, x, P=None):
        """``(z, tape)``: read-outs (M, B, K) of the last states and the core's tape, from
        ``x``: tokens (M, T, B) or reals (M, T, B, D)."""
        P = self.params if P is None else P
        X = token_inputs(x, self.vocab_size, P["E"] if self.embedded else None)
        X = X.transpose(1, 0, 2, 3)  # (T, M, B, D)
        _, M, B, _ = X.shape
        cell = self.cell
        h0 = np.zeros((M, B, cell.H))
        c0 = np.zeros((M, B, cell.H)) if cell.has_cell else None
        tape = engine.forward(cell, cell.weights(P), X, h0, c0)
        return affine(tape.h[-1].transpose(0, 2, 1), P["V"], P["c"]), tape

    def loss_and_grads(self, x, y, P=None):
        """``(loss (M,), grads {key: (M, ...)}, z)`` for a batch per network."""
        P = self.params if P is None else P
        z, tape = self.forward(x, P)
        loss, dz = LOSSES[self.loss_name](z, y)  # (M,) and ∂L/∂z (M, B, K)
        h_last = tape.h[-1].transpose(0, 2, 1)
        out = affine_backward(h_last, dz, P["V"])
        dh = np.zeros(tape.h.shape)
        dh[-1] = out.pop("h").transpose(0, 2, 1)  # only the last state is read out
        grads = engine.backward(tape, dh)
        grads.update(out)
        if self.embedded:  # x_t = E[token]: each row of E collects where its token was read
            grads["E"] = lookup_backward(P["E"], x, grads["x"].transpose(1, 0, 3, 2))
        return loss, grads, z

    def evaluate(self, batch, tolerance: float = 0.04):
        """Loss (M,), accuracy (M,) and read-outs (M, B, K) of every network on one batch.

        For regression a prediction is right within ``tolerance`` of the target (Hochreiter
        & Schmidhuber's criterion for the adding problem).
        """
        M = len(self)
        x = np.broadcast_to(np.asarray(batch.x), (M, *np.shape(batch.x)))
        y = np.broadcast_to(np.asarray(batch.y), (M, *np.shape(batch.y)))
        z, _ = self.forward(x)
        loss, _ = LOSSES[self.loss_name](z, y)
        if self.loss_name == "cross_entropy":
            right = z.argmax(axis=-1) == y
        else:
            right = np.abs(z[:, :, 0] - y) < tolerance
        return loss, right.mean(axis=1), z
