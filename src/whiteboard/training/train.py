"""Training kit: inputs, a readout at the last step, the losses, and a seeded training loop.

The whole network of the book's experiments is

    x_t = onehot(token_t)  (or a learned embedding E[token_t], or real-valued inputs)
    h_1 .. h_T = recurrent core (RNN, LSTM or GRU) over x_1 .. x_T
    z = V h_T + c,   ŷ = softmax(z),   L = −(1/B) Σ_b log ŷ_b[y_b]

with one answer per sequence, read from the last hidden state.  For a regression task
(the adding problem) the readout is linear and the loss is the mean squared error.
Only the readout and the losses are written here; the recurrent core does its own BPTT.

Gradients of the readout and the losses, which the core does not cover:

    ∂L/∂z = (softmax(z) − onehot(y)) / B
    ∂L/∂V = (∂L/∂z)ᵀ h_T,   ∂L/∂c = Σ_b ∂L/∂z_b,   ∂L/∂h_T = (∂L/∂z) V

and ``∂L/∂h_t = 0`` for ``t < T`` because nothing else reads those states.
"""

from __future__ import annotations

import math
import time

import numpy as np

from whiteboard.checks import as_rng, check_positive_int
from whiteboard.training.optim import SGD, Adam, clip_grad_norm, global_norm

__all__ = [
    "one_hot",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "mse",
    "Readout",
    "Embedding",
    "SequenceModel",
    "train",
    "evaluate",
]


def one_hot(tokens: np.ndarray, n: int, dtype=np.float64) -> np.ndarray:
    """One-hot vectors: ``tokens`` (T, B) of ints in ``0..n-1`` -> (T, B, n)."""
    tokens = np.asarray(tokens)
    if not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"tokens must be an integer array, got dtype {tokens.dtype}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= n):
        raise ValueError(f"tokens must lie in 0..{n - 1}, got values "
                         f"{tokens.min()}..{tokens.max()}")
    out = np.zeros(tokens.shape + (n,), dtype=dtype)
    np.put_along_axis(out, tokens[..., None], 1.0, axis=-1)
    return out


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``log softmax(z)`` over the last axis, computed stably (the max is subtracted first)."""
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """``softmax(z)`` over the last axis."""
    return np.exp(log_softmax(z))


def _check_targets(y, n_rows, n_classes=None):
    y = np.asarray(y)
    if y.shape != (n_rows,):
        raise ValueError(f"targets must have shape ({n_rows},), got {y.shape}")
    if n_classes is not None:
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"class targets must be integers, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= n_classes:
            raise ValueError(f"class targets must lie in 0..{n_classes - 1}")
    return y


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of ``softmax(logits)`` against class ids, and its gradient.

    Args:
        logits: z, (B, K).
        y: (B,) ints in ``0..K-1``.

    Returns:
        ``(L, dL/dz)`` with ``L = −mean_b log softmax(z_b)[y_b]`` and
        ``dL/dz = (softmax(z) − onehot(y)) / B`` of shape (B, K).
    """
    B, K = logits.shape
    y = _check_targets(y, B, K)
    logp = log_softmax(logits)
    rows = np.arange(B)
    loss = -float(logp[rows, y].mean())
    dz = np.exp(logp)
    dz[rows, y] -= 1.0
    return loss, dz / B


def mse(pred: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of ``pred`` (B, 1) against ``y`` (B,), and ``dL/dpred``."""
    B = pred.shape[0]
    y = _check_targets(y, B)
    err = pred[:, 0] - y
    return float(np.mean(err**2)), (2.0 / B) * err[:, None]


class Readout:
    """The affine readout ``z = V h + c`` (its softmax lives in the loss).

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
        return h @ self.V.T + self.c

    def backward(self, h: np.ndarray, dz: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients ``V``, ``c`` and ``h`` from ``dz = ∂L/∂z`` (B, K)."""
        return {"V": dz.T @ h, "c": dz.sum(axis=0), "h": dz @ self.V}


class Embedding:
    """A learned lookup table ``x_t = E[token_t]``, E of shape (vocab_size, D), N(0, 1) init."""

    def __init__(self, vocab_size: int, dim: int, *, seed: int = 0, dtype=np.float64):
        self.E = np.random.default_rng(seed).standard_normal((vocab_size, dim)).astype(dtype)

    def parameters(self) -> dict[str, np.ndarray]:
        return {"E": self.E}

    def forward(self, tokens: np.ndarray) -> np.ndarray:
        return self.E[tokens]

    def backward(self, tokens: np.ndarray, dx: np.ndarray) -> dict[str, np.ndarray]:
        V, D = self.E.shape
        # A token that appears twice collects both gradients, added in reading order (what
        # np.add.at(dE, tokens, dx) does, but in one fast bincount over (token, column) pairs).
        rows = np.asarray(tokens).reshape(-1, 1) * D + np.arange(D)
        dE = np.bincount(rows.reshape(-1), weights=np.asarray(dx).reshape(-1), minlength=V * D)
        return {"E": dE.reshape(V, D)}


class SequenceModel:
    """Inputs -> recurrent core -> readout of the last hidden state -> loss.

    Args:
        core: an ``RNN``, ``LSTM`` or ``GRU`` (anything with ``forward``/``backward``/
            ``parameters`` as in the models' contract).
        out_size: K classes, or 1 with ``loss="mse"``.
        vocab_size: if given, inputs are integer tokens (T, B); they are one-hot encoded,
            or embedded when ``embed_dim`` is given.  If None, inputs are real (T, B, D).
        embed_dim: size of a learned embedding (None: one-hot, which has no parameters).
        loss: ``"cross_entropy"`` (classification) or ``"mse"`` (regression).
        seed: seeds the readout and the embedding (the core has its own seed).
    """

    def __init__(self, core, out_size: int, *, vocab_size: int | None = None,
                 embed_dim: int | None = None, loss: str = "cross_entropy", seed: int = 0):
        if loss not in ("cross_entropy", "mse"):
            raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
        if embed_dim is not None and vocab_size is None:
            raise ValueError("embed_dim needs vocab_size (embeddings look up integer tokens)")
        self.core = core
        self.vocab_size = vocab_size
        self.loss_name = loss
        hidden = core.hidden_size
        self.readout = Readout(hidden, out_size, seed=seed)
        self.embed = Embedding(vocab_size, embed_dim, seed=seed + 1) if embed_dim else None

    def parameters(self) -> dict[str, np.ndarray]:
        """Every live parameter: the core's (PyTorch keys), ``V``, ``c`` and maybe ``E``."""
        params = dict(self.core.parameters())
        params.update(self.readout.parameters())
        if self.embed is not None:
            params.update(self.embed.parameters())
        return params

    def inputs(self, x: np.ndarray) -> np.ndarray:
        """The core's input (T, B, D) for a batch ``x``."""
        if self.vocab_size is None:
            return np.asarray(x, dtype=float)
        if self.embed is not None:
            return self.embed.forward(x)
        return one_hot(x, self.vocab_size)

    def forward(self, x: np.ndarray):
        """``(z, trace)``: the readout ``z`` (B, K) of the last state, and the core's trace."""
        trace = self.core.forward(self.inputs(x))
        return self.readout.forward(trace.h[-1]), trace

    def loss(self, z, y):
        return cross_entropy(z, y) if self.loss_name == "cross_entropy" else mse(z, y)

    def loss_and_grads(self, x, y):
        """``(loss, grads, z)`` for one batch; ``grads`` has the keys of :meth:`parameters`.

        A loss that is NaN or infinite has no gradient to follow: ``grads`` is then None
        (``train`` reports such a run as diverged).
        """
        z, trace = self.forward(x)
        loss, dz = self.loss(z, y)
        if not math.isfinite(loss):
            return loss, None, z
        g_out = self.readout.backward(trace.h[-1], dz)
        dh = np.zeros_like(trace.h)
        dh[-1] = g_out.pop("h")  # only the last state is read out
        grads = self.core.backward(trace, dh)
        grads.update(g_out)
        if self.embed is not None:
            grads.update(self.embed.backward(x, grads["x"]))
        return loss, grads, z

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class ids (B,) for classification, or predictions (B,) for regression."""
        z, _ = self.forward(x)
        return z.argmax(axis=-1) if self.loss_name == "cross_entropy" else z[:, 0]


def evaluate(net: SequenceModel, batch, *, tolerance: float = 0.04) -> dict:
    """Loss and accuracy of ``net`` on ``batch`` (with ``.x`` and ``.y``).

    For regression, a prediction counts as correct when it is within ``tolerance`` of the
    target (Hochreiter & Schmidhuber's criterion for the adding problem).

    Returns:
        dict with ``loss``, ``accuracy`` and, for classification, ``per_class``: the
        accuracy on the sequences of each class (NaN for a class absent from the batch).
    """
    z, _ = net.forward(batch.x)
    loss, _ = net.loss(z, batch.y)
    if net.loss_name != "cross_entropy":
        return {"loss": loss, "accuracy": float(np.mean(np.abs(z[:, 0] - batch.y) < tolerance))}
    right = z.argmax(axis=-1) == batch.y
    per_class = [float(right[batch.y == k].mean()) if np.any(batch.y == k) else float("nan")
                 for k in range(z.shape[1])]
    return {"loss": loss, "accuracy": float(right.mean()), "per_class": per_class}


def train(net: SequenceModel, make_batch, *, steps: int, lr: float, seed: int = 0,
          optimizer: str = "adam", clip: float | None = 1.0, eval_batch=None,
          eval_every: int = 100, stop_at: float | None = None, quiet: bool = False,
          desc: str = "train") -> dict:
    """Train ``net`` on fresh batches and return the history.

    Each step draws ``batch = make_batch(rng)`` from a generator seeded with ``seed``,
    computes the loss and gradients, clips them by global norm, and takes one optimiser
    step.  Every ``eval_every`` steps (and at the end) it evaluates on ``eval_batch``.

    Args:
        net: a :class:`SequenceModel`; its parameters are updated in place.
        make_batch: ``rng -> batch`` with ``.x`` and ``.y``.
        steps: the budget, at least 1.
        lr: learning rate.
        seed: seeds the stream of training batches.
        optimizer: ``"adam"`` or ``"sgd"``.
        clip: max global gradient norm (None: no clipping).
        eval_batch: a held-out batch (None: no evaluation).
        eval_every: evaluation period in steps.
        stop_at: stop early once the held-out accuracy reaches this value (None: never).
        quiet: no progress bar.
        desc: the progress bar's label.

    Returns:
        dict with lists ``step``, ``loss``, ``grad_norm`` (every step, before clipping),
        ``eval_step``, ``eval_loss``, ``eval_accuracy``, plus ``steps_run``, ``seconds``
        and ``diverged`` (True if the loss became NaN or inf, which ends training).
    """
    # imported here so that `import whiteboard.training.train` stays light
    from tqdm.auto import tqdm

    steps = check_positive_int(steps, "steps")
    eval_every = check_positive_int(eval_every, "eval_every")
    params = net.parameters()
    if optimizer == "adam":
        opt = Adam(params, lr=lr)
    elif optimizer == "sgd":
        opt = SGD(params, lr=lr)
    else:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    rng = as_rng(seed)
    hist = {"step": [], "loss": [], "grad_norm": [], "eval_step": [], "eval_loss": [],
            "eval_accuracy": [], "diverged": False}
    start = time.perf_counter()

    def run_eval(step):
        if eval_batch is None:
            return None
        result = evaluate(net, eval_batch)
        hist["eval_step"].append(step)
        hist["eval_loss"].append(result["loss"])
        hist["eval_accuracy"].append(result["accuracy"])
        return result["accuracy"]

    # quiet runs skip tqdm entirely: even a disabled bar allocates a multiprocessing lock,
    # which worker processes then "leak" at exit with a warning
    bar = None if quiet else tqdm(total=steps, desc=desc, leave=False, mininterval=0.5)
    step = 0
    for step in range(1, steps + 1):
        batch = make_batch(rng)
        loss, grads, _ = net.loss_and_grads(batch.x, batch.y)
        if not math.isfinite(loss):
            hist["diverged"] = True
            break
        norm = clip_grad_norm(grads, clip, keys=params) if clip else global_norm(grads, params)
        opt.step(grads)
        if bar is not None:
            bar.update()
        hist["step"].append(step)
        hist["loss"].append(loss)
        hist["grad_norm"].append(norm)
        if step % eval_every == 0 or step == steps:
            acc = run_eval(step)
            if acc is not None:
                if bar is not None:
                    bar.set_postfix(loss=f"{loss:.3f}", acc=f"{acc:.2f}", refresh=False)
                if stop_at is not None and acc >= stop_at:
                    break
    if bar is not None:
        bar.close()
    if eval_batch is not None and (not hist["eval_step"] or hist["eval_step"][-1] != step):
        run_eval(step)
    hist["steps_run"] = step
    hist["seconds"] = time.perf_counter() - start
    return hist
