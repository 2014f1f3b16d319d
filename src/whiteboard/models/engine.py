"""One fused forward/backward loop for every cell, over a stack of M models at once.

The RNN, the LSTM and the GRU share everything about running a sequence except their gate
maths, so that is all a cell supplies (:class:`CellMaths`); this module owns the loop.

**The loop works on columns, as the equations do.**  The step's input is the stacked column
z_t = [x_t; h_{t-1}; 1], so that one matmul [U | W | b] z_t gives every gate's pre-activation
at once, and each gate's (H, B) block is contiguous in memory.

**A model axis.**  Every array carries a leading axis of M independent models (seeds,
learning rates, forget biases...) of the same kind and size: the weights are (M, R, D+H+1),
the columns (M, D+H+1, B), and one batched ``np.matmul`` per step serves all M models.  A
training step costs tens of small numpy calls per time step whatever M is, so stacking M
models shares that overhead M ways.  A single model is the stack M = 1
(:class:`whiteboard.models.base.RecurrentModel` wraps it).

Buffers (all unit-major, so that a gate is a contiguous (H, B) block):

    Z (T+1, M, D+H+1, B)   Z[t] = [x_{t+1}; h_t; 1]; the loop writes h_t into Z[t, :, D:D+H]
    A (T, M, R, B)         the cell's activations at each step (its R = blocks * H rows)

plus whatever the cell asks for (the LSTM's cell states).
"""

from __future__ import annotations

import numpy as np

__all__ = ["CellMaths", "Run", "forward", "backward", "allocate"]


def allocate(shapes, dtype) -> list:
    """Empty arrays of the given shapes, carved out of one block of memory.

    A forward pass needs several multi-megabyte buffers. Asked for one by one, the C allocator
    tends to return such blocks to the operating system when they are freed and to fault every
    page in again on the next call, which can cost more than the arithmetic. A single block
    of the same size is reused from one call to the next.
    """
    sizes = [int(np.prod(shape)) for shape in shapes]
    block = np.empty(sum(sizes), dtype)
    arrays, start = [], 0
    for shape, size in zip(shapes, sizes, strict=True):
        arrays.append(block[start : start + size].reshape(shape))
        start += size
    return arrays


class CellMaths:
    """What a cell supplies to the fused loop: its weight rows and its gate maths.

    A subclass sets ``kind``, ``blocks`` (R = blocks * H rows of activations per step) and
    ``has_cell``, and implements the methods below.  Every array has the model axis M first;
    ``a``, ``dh`` and friends are (M, rows, B).  ``H`` and ``D`` are set by the constructor.
    """

    kind = ""
    blocks = 1
    has_cell = False

    def __init__(self, input_size: int, hidden_size: int):
        self.D, self.H = input_size, hidden_size

    # --- weights --------------------------------------------------------------------------
    def weights(self, params: dict) -> np.ndarray:
        """(M, R, D+H+1) the rows that multiply [x_t; h_{t-1}; 1], from stacked parameters."""
        raise NotImplementedError

    def scale(self) -> np.ndarray | None:
        """(R, 1) factors applied to the forward's copy of the weights, or None.

        A sigmoid row is halved, since σ(a) = ½(1 + tanh(a/2)): one tanh call then serves
        every row (halving is exact, a power of two).
        """
        return None

    def grads(self, dW: np.ndarray) -> dict:
        """The parameter gradients (keys of ``state_dict``, stacked) from ∂L/∂weights."""
        raise NotImplementedError

    # --- forward --------------------------------------------------------------------------
    def buffers(self, T: int, M: int, B: int) -> list:
        """Shapes of further buffers the cell needs (allocated with Z and A)."""
        return []

    def start(self, bufs: list, c0) -> None:
        """Fill the cell's buffers before step 1 (the LSTM stores c_0)."""

    def step(self, t: int, a: np.ndarray, h_prev: np.ndarray, h_out: np.ndarray,
             bufs: list) -> None:
        """Step t: ``a`` holds the (scaled) pre-activations; write activations into ``a``
        and h_t into ``h_out``."""
        raise NotImplementedError

    def trace_arrays(self, A: np.ndarray, bufs: list) -> dict:
        """``{"gates": {name: (T, M, H, B)}, "c": ..., "a": ...}`` for the trace."""
        raise NotImplementedError

    # --- backward -------------------------------------------------------------------------
    def back_start(self, bufs: list, dc_last) -> dict:
        """State carried backwards through the steps (the LSTM's ∂L/∂c)."""
        return {}

    def back_step(self, t: int, A: np.ndarray, Z: np.ndarray, dh: np.ndarray,
                  da: np.ndarray, carry: dict, bufs: list) -> None:
        """Write ∂L/∂(pre-activation rows) of step t into ``da`` from ∂L/∂h_t = ``dh``."""
        raise NotImplementedError

    def direct(self, t: int, A: np.ndarray, dh: np.ndarray, dh_prev: np.ndarray,
               bufs: list) -> None:
        """Add to ``dh_prev`` what h_{t-1} gets from h_t other than through the matmul."""

    def back_end(self, carry: dict) -> dict:
        """Extra results of backward, e.g. ``{"c0": ∂L/∂c_0}`` (M, H, B)."""
        return {}


class Run:
    """The buffers of one forward pass of a stack of M models, kept for ``backward``.

    Attributes:
        cell: the :class:`CellMaths` that ran.
        W: (M, R, D+H+1) the weights the forward used (unscaled).
        Z: (T+1, M, D+H+1, B) the columns [x_{t+1}; h_t; 1].
        A: (T, M, R, B) the activations.
        bufs: the cell's further buffers.
    """

    def __init__(self, cell, W, Z, A, bufs):
        self.cell, self.W, self.Z, self.A, self.bufs = cell, W, Z, A, bufs

    @property
    def h(self) -> np.ndarray:
        """(T, M, H, B) h_1 .. h_T, a view into Z."""
        D, H = self.cell.D, self.cell.H
        return self.Z[1:, :, D : D + H]


def forward(cell: CellMaths, W: np.ndarray, X: np.ndarray, h0: np.ndarray, c0=None) -> Run:
    """Run M models of one kind over their inputs.

    Args:
        cell: the cell's maths, with its sizes D and H.
        W: (M, R, D+H+1) from ``cell.weights``.
        X: (T, M, B, D) the inputs of every model.
        h0: (M, B, H) initial states.
        c0: (M, B, H) initial cell states (LSTM), or None.
    """
    T, M, B, D = X.shape
    H = cell.H
    R = W.shape[1]
    Z, A, *bufs = allocate([(T + 1, M, D + H + 1, B), (T, M, R, B), *cell.buffers(T, M, B)],
                           W.dtype)
    Z[:T, :, :D] = X.transpose(0, 1, 3, 2)
    Z[T, :, :D] = 0.0
    Z[0, :, D : D + H] = h0.transpose(0, 2, 1)
    Z[:, :, D + H] = 1.0
    cell.start(bufs, c0)
    scale = cell.scale()
    W_fwd = W if scale is None else W * scale
    for t in range(T):
        a = np.matmul(W_fwd, Z[t], out=A[t])
        cell.step(t, a, Z[t, :, D : D + H], Z[t + 1, :, D : D + H], bufs)
    return Run(cell, W, Z, A, bufs)


def backward(run: Run, dh: np.ndarray, dc_last=None) -> dict:
    """Backpropagation through time for the stack, from the loss's gradient on every h_t.

    Args:
        run: from :func:`forward`.
        dh: (T, M, H, B) ∂L/∂h_t, the loss's direct gradient on each state.
        dc_last: (M, H, B) gradient on the final cell state (LSTM), or None.

    Returns:
        The cell's parameter gradients (stacked), ``x`` (T, M, D, B) and ``h0`` (M, H, B),
        plus the cell's extras (the LSTM's ``c0``).
    """
    cell, W, Z, A, bufs = run.cell, run.W, run.Z, run.A, run.bufs
    T, M, H, B = dh.shape
    D = cell.D
    R = W.shape[1]
    dtype = W.dtype
    # Inside the loop only h_{t-1} needs its gradient at once (the next step back uses it),
    # so the loop multiplies by W alone; the gradients of the inputs and of the weights are
    # sums over all steps, taken after the loop as one large matmul each.
    W_h = np.ascontiguousarray(W[:, :, D : D + H].transpose(0, 2, 1))  # (M, H, R)
    DA = np.empty((T, M, R, B), dtype)  # ∂L/∂ of the pre-activation rows, every step
    dh_prev = np.empty((M, H, B), dtype)
    dh_t = dh[T - 1].copy()
    carry = cell.back_start(bufs, dc_last)
    for t in range(T - 1, -1, -1):
        da = DA[t]
        cell.back_step(t, A, Z, dh_t, da, carry, bufs)
        # h_{t-1} feeds step t (through W and maybe directly) and the loss.
        np.matmul(W_h, da, out=dh_prev)
        cell.direct(t, A, dh_t, dh_prev, bufs)
        if t:
            np.add(dh_prev, dh[t - 1], out=dh_t)
    # One batched call each, made of one small product per model and step: a single large
    # product would be handed to a multi-threaded BLAS, which on a busy machine is far slower.
    DA = DA.transpose(1, 0, 2, 3)  # (M, T, R, B)
    cols = Z[:T].transpose(1, 0, 3, 2)  # (M, T, B, D+H+1): the rows [x_t; h_{t-1}; 1]
    dW = np.matmul(DA, cols).sum(axis=1)  # Σ_t da_t [x_t; h_{t-1}; 1]^T: weights and biases
    W_x = np.ascontiguousarray(W[:, :, :D].transpose(0, 2, 1))[:, None]  # (M, 1, D, R)
    dX = np.matmul(W_x, DA).transpose(1, 0, 2, 3)  # (T, M, D, B)
    out = cell.grads(dW)
    out["x"] = dX
    out["h0"] = dh_prev
    out.update(cell.back_end(carry))
    return out
