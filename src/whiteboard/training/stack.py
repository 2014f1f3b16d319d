"""Train many networks at once: M models side by side in one computation.

A training step of one small network is tens of tiny numpy calls per time step, so its
cost is Python overhead, not arithmetic.  :func:`train_stack` trains M networks in lockstep
and shares that overhead: networks of the same structure (kind, sizes, inputs, loss) are
stacked along a leading model axis and run by the fused loop of
:mod:`whiteboard.models.engine` with batched matmuls, one call per time step for all of
them.  They may differ in seed, learning rate and the model's own hyper-parameters (the
LSTM's forget bias).

Each network keeps what a separate :func:`whiteboard.training.train.train` run would give it:

* its own stream of training batches (``seeds[m]``; networks given equal seeds share one
  stream, which is then drawn once per step);
* its own optimiser state, learning rate, gradient clipping (by its own global norm),
  evaluation and early stopping.  A network that stops (solved, or its loss is no longer
  finite) leaves the stack: its parameters are written back and never change again.

For a few steps the result equals M separate ``train`` runs to about 1e-12 (float64);
``tests/test_stack.py`` checks it.  Over thousands of steps the last bits can differ, because
some sums are taken in another order, and training amplifies that: the conclusions of a
sweep agree, not its exact digits.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np

from whiteboard.checks import check_positive_int, check_positive_number
from whiteboard.models import engine
from whiteboard.training.train import SequenceModel, log_softmax, one_hot

__all__ = ["NetworkStack", "train_stack"]

_BETAS, _EPS = (0.9, 0.999), 1e-8  # Adam's defaults, as in whiteboard.training.optim.Adam


def _structure(net) -> tuple:
    """What networks must share to be stacked (everything but the parameters' values)."""
    core = net.core
    config = {k: v for k, v in core._config().items() if k not in ("seed", "forget_bias")}
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
        kinds = {_structure(n) for n in nets}
        if len(kinds) > 1:
            raise ValueError(f"networks in one stack must share their structure (kind, sizes, "
                             f"inputs, loss); got {len(kinds)} different ones")
        self.nets = nets
        first = nets[0]
        self.cell = first.core.maths()
        self.vocab_size, self.embedded = first.vocab_size, first.embed is not None
        self.loss_name = first.loss_name
        self.keys = list(first.parameters())
        self.params = {k: np.stack([n.parameters()[k] for n in nets]) for k in self.keys}

    def __len__(self) -> int:
        return len(self.nets)

    def keep(self, mask) -> None:
        """Keep only the networks where ``mask`` is True (write the others back first)."""
        idx = np.flatnonzero(mask)
        self.nets = [self.nets[i] for i in idx]
        self.params = {k: v[idx] for k, v in self.params.items()}

    def write_back(self, i: int | None = None) -> None:
        """Copy the stacked parameters into network ``i`` (default: every network)."""
        for j in range(len(self.nets)) if i is None else [i]:
            live = self.nets[j].parameters()
            for k in self.keys:
                live[k][...] = self.params[k][j]

    # --- the network, stacked ------------------------------------------------------------

    def _inputs(self, P, x):
        """(T, M, B, D) core inputs from ``x``: tokens (M, T, B) or reals (M, T, B, D)."""
        if self.vocab_size is None:
            return np.asarray(x, dtype=float).transpose(1, 0, 2, 3)
        x = np.asarray(x)
        if self.embedded:
            E = P["E"]
            return E[np.arange(E.shape[0])[:, None, None], x].transpose(1, 0, 2, 3)
        return one_hot(x.transpose(1, 0, 2), self.vocab_size)

    def forward(self, x, P=None):
        """``(z, run)``: readouts (M, B, K) of the last states and the core's run."""
        P = self.params if P is None else P
        X = self._inputs(P, x)
        T, M, B, _ = X.shape
        cell = self.cell
        h0 = np.zeros((M, B, cell.H))
        c0 = np.zeros((M, B, cell.H)) if cell.has_cell else None
        run = engine.forward(cell, cell.weights(P), X, h0, c0)
        h_last = run.h[-1].transpose(0, 2, 1)  # (M, B, H)
        z = np.matmul(h_last, P["V"].transpose(0, 2, 1)) + P["c"][:, None, :]
        return z, run

    def losses(self, z, y):
        """Per-network loss (M,) and ∂L/∂z (M, B, K), as :func:`cross_entropy` / :func:`mse`."""
        M, B, _ = z.shape
        if self.loss_name == "cross_entropy":
            logp = log_softmax(z)
            m, rows = np.arange(M)[:, None], np.arange(B)[None, :]
            loss = -logp[m, rows, y].mean(axis=1)
            dz = np.exp(logp)
            dz[m, rows, y] -= 1.0
            return loss, dz / B
        err = z[:, :, 0] - y
        return np.mean(err**2, axis=1), (2.0 / B) * err[:, :, None]

    def loss_and_grads(self, x, y, P=None):
        """``(loss (M,), grads {key: (M, ...)}, z)`` for a batch per network."""
        P = self.params if P is None else P
        z, run = self.forward(x, P)
        loss, dz = self.losses(z, y)
        h_last = run.h[-1].transpose(0, 2, 1)
        T, M, H, B = run.h.shape
        dh = np.zeros((T, M, H, B))
        dh[-1] = np.matmul(dz, P["V"]).transpose(0, 2, 1)  # only the last state is read out
        grads = engine.backward(run, dh)
        grads["V"] = np.matmul(dz.transpose(0, 2, 1), h_last)
        grads["c"] = dz.sum(axis=1)
        if self.embedded:
            E = P["E"]
            Mv, V, D = E.shape
            tokens = np.asarray(x)
            rows = (np.arange(Mv)[:, None, None] * V + tokens).reshape(-1, 1)
            dx = grads["x"].transpose(1, 0, 3, 2)  # (M, T, B, D), in the order of tokens
            # Each row of E collects the gradients of every place its token was read, added
            # in reading order, as np.add.at does in Embedding.backward, in one call.
            grads["E"] = np.bincount((rows * D + np.arange(D)).reshape(-1),
                                     weights=dx.reshape(-1), minlength=Mv * V * D
                                     ).reshape(Mv, V, D)
        return loss, grads, z

    def evaluate(self, batch, tolerance: float = 0.04):
        """Loss (M,) and accuracy (M,) of every network on one shared batch."""
        M = len(self)
        x = np.broadcast_to(np.asarray(batch.x), (M, *np.shape(batch.x)))
        y = np.broadcast_to(np.asarray(batch.y), (M, *np.shape(batch.y)))
        z, _ = self.forward(x)
        loss, _ = self.losses(z, y)
        if self.loss_name == "cross_entropy":
            right = z.argmax(axis=-1) == y
        else:
            right = np.abs(z[:, :, 0] - y) < tolerance
        return loss, right.mean(axis=1)


class _Optimiser:
    """Adam or SGD over stacked parameters, each network with its own learning rate."""

    def __init__(self, params, lrs, kind):
        if kind not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {kind!r}")
        self.kind, self.lrs, self.t = kind, np.asarray(lrs, float), 0
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}

    def keep(self, idx):
        self.lrs = self.lrs[idx]
        self.m = {k: v[idx] for k, v in self.m.items()}
        self.v = {k: v[idx] for k, v in self.v.items()}

    def step(self, params, grads):
        self.t += 1
        M = len(self.lrs)
        if self.kind == "sgd":
            for k, p in params.items():
                p -= self.lrs.reshape(M, *[1] * (p.ndim - 1)) * grads[k]
            return
        b1, b2 = _BETAS
        # Both bias corrections folded into one step size per network, as Adam does.
        step = self.lrs * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        eps = _EPS * math.sqrt(1 - b2**self.t)
        for k, p in params.items():
            g, m, v = grads[k], self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= step.reshape(M, *[1] * (p.ndim - 1)) * m / (np.sqrt(v) + eps)


def _norms(grads, keys, M):
    """Each network's global gradient norm over ``keys``: (M,).

    Summed exactly as :func:`whiteboard.training.optim.global_norm` sums one network's
    (the same dot products in the same order), so that clipping scales a stacked network's
    gradient by the very number a separate run would use: training amplifies any last-bit
    difference into a different network.
    """
    return np.array([math.sqrt(sum(float(np.vdot(grads[k][m], grads[k][m])) for k in keys))
                     for m in range(M)])


def _stream_key(seed):
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    if isinstance(seed, tuple) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in seed):
        return tuple(int(s) for s in seed)
    raise TypeError("each seed must be a non-negative int or a tuple of them (the key of "
                    f"np.random.default_rng), got {seed!r}")


class _Group:
    """One stack in training: its optimiser, its networks' histories and stream keys."""

    def __init__(self, members, nets, lrs, keys, optimizer):
        self.members = list(members)  # indices into the caller's list of networks
        self.stack = NetworkStack([nets[i] for i in self.members])
        self.keys = [keys[i] for i in self.members]
        self.opt = _Optimiser(self.stack.params, [lrs[i] for i in self.members], optimizer)

    def keep(self, mask):
        idx = np.flatnonzero(mask)
        self.members = [self.members[i] for i in idx]
        self.keys = [self.keys[i] for i in idx]
        self.stack.keep(mask)
        self.opt.keep(idx)


def _new_history():
    return {"step": [], "loss": [], "grad_norm": [], "eval_step": [], "eval_loss": [],
            "eval_accuracy": [], "diverged": False}


def train_stack(nets, make_batch, *, steps: int, lrs, seeds, optimizer: str = "adam",
                clip: float | None = 1.0, eval_batch=None, eval_every: int = 100,
                stop_at: float | None = None) -> list[dict]:
    """Train every network in ``nets`` as :func:`whiteboard.training.train.train` would, at once.

    Args:
        nets: :class:`SequenceModel` networks; their parameters are updated in place (each is
            written back when it stops and at the end).  Networks of different structures
            may be mixed: each structure forms its own stack, and all stacks step together.
        make_batch: ``rng -> batch`` with ``.x`` and ``.y`` (the same for every network).
        steps: the budget, at least 1.
        lrs: one learning rate per network.
        seeds: one batch-stream key per network (an int or a tuple of ints, the argument of
            ``np.random.default_rng``); networks with equal keys see the same batches, drawn
            once per step.
        optimizer, clip, eval_batch, eval_every, stop_at: as in ``train``, per network.

    Returns:
        One history per network, with the keys ``train`` returns.
    """
    nets = list(nets)
    steps = check_positive_int(steps, "steps")
    eval_every = check_positive_int(eval_every, "eval_every")
    if clip is not None:
        clip = check_positive_number("clip", clip)
    lrs, seeds = list(lrs), list(seeds)
    if not nets or len(lrs) != len(nets) or len(seeds) != len(nets):
        raise ValueError(f"need one learning rate and one seed per network: got {len(nets)} "
                         f"networks, {len(lrs)} learning rates, {len(seeds)} seeds")
    for lr in lrs:
        check_positive_number("lr", lr)
    keys = [_stream_key(s) for s in seeds]
    by_structure = defaultdict(list)
    for i, n in enumerate(nets):
        if not isinstance(n, SequenceModel):
            raise TypeError(f"nets must be SequenceModel networks, got {type(n).__name__}")
        by_structure[_structure(n)].append(i)
    groups = [_Group(m, nets, lrs, keys, optimizer) for m in by_structure.values()]
    rngs = {k: np.random.default_rng(k) for k in dict.fromkeys(keys)}
    hists = [_new_history() for _ in nets]
    start = time.perf_counter()

    def finish(group, mask_stop, step):
        """Write back and drop the networks where ``mask_stop``; record when they stopped."""
        if not np.any(mask_stop):
            return
        for j in np.flatnonzero(mask_stop):
            group.stack.write_back(j)
            h = hists[group.members[j]]
            h["steps_run"] = step
            h["seconds"] = time.perf_counter() - start
        group.keep(~mask_stop)

    def run_eval(group, step, only=None):
        loss, acc = group.stack.evaluate(eval_batch)
        for j, i in enumerate(group.members):
            if only is None or only[j]:
                hists[i]["eval_step"].append(step)
                hists[i]["eval_loss"].append(float(loss[j]))
                hists[i]["eval_accuracy"].append(float(acc[j]))
        return acc

    for step in range(1, steps + 1):
        groups = [g for g in groups if len(g.stack)]
        if not groups:
            break
        wanted = dict.fromkeys(k for g in groups for k in g.keys)
        batches = {k: make_batch(rngs[k]) for k in wanted}
        for g in groups:
            loss, grads = _group_grads(g, batches)
            bad = ~np.isfinite(loss)
            if np.any(bad):  # like train: a non-finite loss ends the run before its update
                for j in np.flatnonzero(bad):
                    hists[g.members[j]]["diverged"] = True
                if eval_batch is not None:
                    run_eval(g, step, only=bad)
                grads = {k: grads[k][~bad] for k in g.stack.keys}
                loss = loss[~bad]
                finish(g, bad, step)
                if not len(g.stack):
                    continue
            M = len(g.stack)
            norms = _norms(grads, g.stack.keys, M)
            if clip is not None:
                scale = np.where(norms > clip, clip / np.where(norms > 0, norms, 1.0), 1.0)
                for k in g.stack.keys:
                    if np.any(scale != 1.0):
                        grads[k] *= scale.reshape(M, *[1] * (grads[k].ndim - 1))
            g.opt.step(g.stack.params, grads)
            for j, i in enumerate(g.members):
                hists[i]["step"].append(step)
                hists[i]["loss"].append(float(loss[j]))
                hists[i]["grad_norm"].append(float(norms[j]))
            if (step % eval_every == 0 or step == steps) and eval_batch is not None:
                acc = run_eval(g, step)
                if stop_at is not None:
                    finish(g, acc >= stop_at, step)
    for g in groups:
        finish(g, np.ones(len(g.stack), bool), steps)
    return hists


def _group_grads(group, batches):
    """Losses (M,) and stacked gradients of a group on each network's batch.

    Networks whose batches have equal shapes run as one stack; a group whose streams give
    sequences of different lengths at this step runs one stack per length.
    """
    stack = group.stack
    xs = [np.asarray(batches[k].x) for k in group.keys]
    ys = [np.asarray(batches[k].y) for k in group.keys]
    shapes = defaultdict(list)
    for j, x in enumerate(xs):
        shapes[x.shape].append(j)
    if len(shapes) == 1:
        loss, grads, _ = stack.loss_and_grads(np.stack(xs), np.stack(ys))
        return loss, grads
    M = len(stack)
    loss = np.empty(M)
    grads = {}
    for idx in shapes.values():
        P = {k: v[idx] for k, v in stack.params.items()}
        sub_loss, sub, _ = stack.loss_and_grads(np.stack([xs[j] for j in idx]),
                                                np.stack([ys[j] for j in idx]), P)
        loss[idx] = sub_loss
        for k in stack.keys:
            if k not in grads:
                grads[k] = np.empty((M, *sub[k].shape[1:]))
            grads[k][idx] = sub[k]
    return loss, grads
