"""The training loop: one loop for one network or many trained side by side.

:func:`train_stack` trains M networks in lockstep.  Networks of one structure (kind, sizes,
inputs, loss) are stacked along a leading model axis (:class:`NetworkStack`) and computed by
the fused loop of :mod:`whiteboard.models.engine` with batched matmuls, one call per time
step for all of them; networks of other structures form stacks of their own that step
together.  :func:`train` trains a single network: a stack of one.

Each network keeps what a run of its own would give it:

* its own stream of training batches (``seeds[m]``, the key of ``np.random.default_rng``;
  networks given equal keys share one stream, which is then drawn once per step);
* its own optimiser state, learning rate, gradient clipping (by its own global norm),
  evaluation and early stopping.  A network that stops (solved, or its loss is no longer
  finite) leaves the stack: its parameters are written back and never change again.

So a network trained in a stack is, to the last bit, the network :func:`train` gives
(``tests/test_loop.py`` checks it over hundreds of steps).
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from whiteboard.checks import check_positive_int, check_positive_number
from whiteboard.training.network import NetworkStack, SequenceModel, structure
from whiteboard.training.optim import clip_grad_norm, make_optimizer

__all__ = ["train", "train_stack", "evaluate", "progress"]


def evaluate(net: SequenceModel, batch, *, tolerance: float = 0.04) -> dict:
    """Loss and accuracy of ``net`` on ``batch`` (with ``.x`` and ``.y``).

    For regression, a prediction counts as correct when it is within ``tolerance`` of the
    target (Hochreiter & Schmidhuber's criterion for the adding problem).

    Returns:
        dict with ``loss``, ``accuracy`` and, for classification, ``per_class``: the
        accuracy on the sequences of each class (NaN for a class absent from the batch).
    """
    loss, acc, z = NetworkStack([net]).evaluate(batch, tolerance)
    result = {"loss": float(loss[0]), "accuracy": float(acc[0])}
    if net.loss_name == "cross_entropy":
        right = z[0].argmax(axis=-1) == batch.y
        result["per_class"] = [float(right[batch.y == k].mean()) if np.any(batch.y == k)
                               else float("nan") for k in range(z.shape[-1])]
    return result


def train(net: SequenceModel, make_batch, *, steps: int, lr: float, seed=0,
          optimizer: str = "adam", clip: float | None = 1.0, eval_batch=None,
          eval_every: int = 100, stop_at: float | None = None, quiet: bool = False,
          desc: str = "train") -> dict:
    """Train ``net`` on fresh batches and return its history: :func:`train_stack` of one.

    Each step draws ``batch = make_batch(rng)`` from ``rng = np.random.default_rng(seed)``,
    computes the loss and gradients, clips them by global norm, and takes one optimiser
    step.  Every ``eval_every`` steps (and at the end) it evaluates on ``eval_batch``.

    Args:
        net: a :class:`SequenceModel`; its parameters are updated in place.
        make_batch: ``rng -> batch`` with ``.x`` and ``.y``.
        steps: the budget, at least 1.
        lr: learning rate.
        seed: the stream of training batches: the key of ``np.random.default_rng`` (an int
            or a tuple of ints), or a Generator.
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
        and ``diverged`` (True if the loss became NaN or inf, which ends training).  It is
        also kept as ``net.history``.
    """
    return train_stack([net], make_batch, steps=steps, lrs=[lr], seeds=[seed],
                       optimizer=optimizer, clip=clip, eval_batch=eval_batch,
                       eval_every=eval_every, stop_at=stop_at, quiet=quiet, desc=desc)[0]


def _stream_key(seed):
    if isinstance(seed, np.random.Generator):  # a stream of the caller's own, used as it is
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    if isinstance(seed, tuple) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in seed):
        return tuple(int(s) for s in seed)
    raise TypeError("each seed must be a non-negative int or a tuple of them (the key of "
                    f"np.random.default_rng), or a Generator, got {seed!r}")


class _Group:
    """One stack in training: its networks, optimiser, stream keys and histories."""

    def __init__(self, members, nets, lrs, keys, optimizer, hists):
        self.members = list(members)  # indices into the caller's list of networks
        self.stack = NetworkStack([nets[i] for i in self.members])
        self.keys = [keys[i] for i in self.members]
        self.hists = [hists[i] for i in self.members]
        self.opt = make_optimizer(optimizer, self.stack.params,
                                  [lrs[i] for i in self.members], model_axis=True)

    def __len__(self):
        return len(self.members)

    def keep(self, mask):
        idx = np.flatnonzero(mask)
        self.members, self.keys, self.hists = ([items[i] for i in idx] for items in (
            self.members, self.keys, self.hists))
        self.stack.keep(idx)
        self.opt.keep(idx)
        self.opt.params = self.stack.params

    def grads(self, batches):
        """Losses (M,) and stacked gradients on each network's batch.

        Networks whose batches have equal shapes run as one stack; at a step where the
        streams give sequences of different lengths, each length runs as a stack of its own.
        """
        xs = [np.asarray(batches[k].x) for k in self.keys]
        ys = [np.asarray(batches[k].y) for k in self.keys]
        by_shape = defaultdict(list)
        for j, x in enumerate(xs):
            by_shape[x.shape].append(j)
        if len(by_shape) == 1:
            loss, grads, _ = self.stack.loss_and_grads(np.stack(xs), np.stack(ys))
            return loss, grads
        loss, grads = np.empty(len(self)), {}
        for idx in by_shape.values():
            P = {k: v[idx] for k, v in self.stack.params.items()}
            sub_loss, sub, _ = self.stack.loss_and_grads(np.stack([xs[j] for j in idx]),
                                                         np.stack([ys[j] for j in idx]), P)
            loss[idx] = sub_loss
            for k in self.stack.keys:
                grads.setdefault(k, np.empty((len(self), *sub[k].shape[1:])))[idx] = sub[k]
        return loss, grads

    def finish(self, mask, step, start):
        """Write back and drop the networks where ``mask``; note when they stopped."""
        if not np.any(mask):
            return
        for j in np.flatnonzero(mask):
            self.stack.write_back(j)
            self.hists[j]["steps_run"] = step
            self.hists[j]["seconds"] = time.perf_counter() - start
        self.keep(~mask)


def _check_settings(nets, steps, lrs, seeds, clip, eval_every):
    steps = check_positive_int(steps, "steps")
    check_positive_int(eval_every, "eval_every")
    if clip is not None:
        check_positive_number(clip, "clip")
    if not nets or len(lrs) != len(nets) or len(seeds) != len(nets):
        raise ValueError(f"need one learning rate and one seed per network: got {len(nets)} "
                         f"networks, {len(lrs)} learning rates, {len(seeds)} seeds")
    for n in nets:
        if not isinstance(n, SequenceModel):
            raise TypeError(f"nets must be SequenceModel networks, got {type(n).__name__}")
    return steps, [_stream_key(s) for s in seeds]


def train_stack(nets, make_batch, *, steps: int, lrs, seeds, optimizer: str = "adam",
                clip: float | None = 1.0, eval_batch=None, eval_every: int = 100,
                stop_at: float | None = None, quiet: bool = True,
                desc: str = "train", on_eval=None) -> list[dict]:
    """Train every network in ``nets`` at once, each as if it were trained alone.

    Args:
        nets: :class:`SequenceModel` networks; their parameters are updated in place (each is
            written back when it stops).  Networks of different structures may be mixed.
        make_batch: ``rng -> batch`` with ``.x`` and ``.y`` (the same for every network).
        steps: the budget, at least 1.
        lrs: one learning rate per network.
        seeds: one batch-stream key per network (an int or a tuple of ints, the argument of
            ``np.random.default_rng``); networks with equal keys see the same batches.
        optimizer, clip, eval_batch, eval_every, stop_at, quiet, desc: as in :func:`train`,
            for every network.
        on_eval: None, or ``on_eval(i, step, params)``, called after each evaluation for
            every network ``nets[i]`` evaluated, before it may stop, with its parameters at
            that step (``params[k]`` are views into the stack: read them, copy to keep).

    Returns:
        One history per network, with the keys :func:`train` gives; each is also kept as
        that network's ``history``.
    """
    nets, lrs, seeds = list(nets), list(lrs), list(seeds)
    steps, keys = _check_settings(nets, steps, lrs, seeds, clip, eval_every)
    by_structure = defaultdict(list)
    for i, n in enumerate(nets):
        by_structure[structure(n)].append(i)
    hists = [{"step": [], "loss": [], "grad_norm": [], "eval_step": [], "eval_loss": [],
              "eval_accuracy": [], "diverged": False} for _ in nets]
    groups = [_Group(m, nets, lrs, keys, optimizer, hists) for m in by_structure.values()]
    rngs = {k: k if isinstance(k, np.random.Generator) else np.random.default_rng(k)
            for k in dict.fromkeys(keys)}
    start, bar = time.perf_counter(), progress(steps, quiet, desc)
    for step in range(1, steps + 1):
        groups = [g for g in groups if len(g)]
        if not groups:
            break
        batches = {k: make_batch(rngs[k]) for k in dict.fromkeys(k for g in groups
                                                                  for k in g.keys)}
        for g in groups:
            _step(g, batches, step, steps, bar, start, clip, eval_batch, eval_every, stop_at,
                  on_eval)
        bar.update()
    for g in groups:
        g.finish(np.ones(len(g), bool), steps, start)
    bar.close()
    for net, h in zip(nets, hists, strict=True):
        net.history = h
    return hists


def _step(g, batches, step, steps, bar, start, clip, eval_batch, eval_every, stop_at,
          on_eval=None):
    """One training step of group ``g``: gradients, clipping, update, maybe evaluation."""
    loss, grads = g.grads(batches)
    bad = ~np.isfinite(loss)
    if np.any(bad):  # a non-finite loss ends that run before its update
        for j in np.flatnonzero(bad):
            g.hists[j]["diverged"] = True
        if eval_batch is not None:
            _evaluate(g, eval_batch, step, only=bad)
        grads = {k: grads[k][~bad] for k in g.stack.keys}
        loss = loss[~bad]
        g.finish(bad, step, start)
        if not len(g):
            return
    norms = clip_grad_norm(grads, clip, g.stack.keys, model_axis=True)
    g.opt.step(grads)
    for j, h in enumerate(g.hists):
        h["step"].append(step)
        h["loss"].append(float(loss[j]))
        h["grad_norm"].append(float(norms[j]))
    if (step % eval_every == 0 or step == steps) and eval_batch is not None:
        acc = _evaluate(g, eval_batch, step)
        bar.set_postfix(loss=f"{loss[0]:.3f}", acc=f"{acc[0]:.2f}", refresh=False)
        for j, i in enumerate(g.members if on_eval is not None else ()):
            on_eval(i, step, {k: v[j] for k, v in g.stack.params.items()})
        if stop_at is not None:
            g.finish(acc >= stop_at, step, start)


def _evaluate(g, batch, step, only=None):
    loss, acc, _ = g.stack.evaluate(batch)
    for j, h in enumerate(g.hists):
        if only is None or only[j]:
            h["eval_step"].append(step)
            h["eval_loss"].append(float(loss[j]))
            h["eval_accuracy"].append(float(acc[j]))
    return acc


def progress(steps: int, quiet: bool, desc: str = "train"):
    """A tqdm bar of ``steps`` steps, or for a quiet run a bar that shows nothing."""
    if quiet:  # quiet runs skip tqdm: even a disabled bar makes a multiprocessing lock
        return _Silent()
    from tqdm.auto import tqdm

    return tqdm(total=steps, desc=desc, leave=False, mininterval=0.5)


class _Silent:
    """The bar of a quiet run: takes every call of tqdm's that the loops make, shows nothing."""

    def update(self, *args, **kwargs):
        pass

    set_postfix = close = update
