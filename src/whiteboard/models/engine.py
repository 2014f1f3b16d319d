"""One fused forward/backward loop for every cell, over a stack of M models at once.

The RNN, the LSTM and the GRU share everything about running a sequence except their gate
maths, so that is all a cell supplies (:class:`CellMaths`, in ``models/rnn.py``, ``lstm.py``
and ``gru.py``); this module owns the loop.  Each cell's kernel computes what its readable
step in :mod:`whiteboard.cells` computes (``tests/test_cells.py`` proves them equal).

**Columns, as the equations are written.**  The step's input is the stacked column
z_t = [x_t; h_{t-1}; 1], so one matmul [U | W | b] z_t gives every gate's pre-activation at
once.  The rows of that product come in named blocks of H (a cell lists them in ``blocks``),
and a kernel reaches a block only through :meth:`CellMaths.split`, by name.  Arrays are
unit-major, (H, B) per model, so that each block is contiguous in memory.

**A model axis.**  Every array carries a leading axis of M independent models of one kind and
size (seeds, learning rates, forget biases...): the weights are (M, R, D+H+1) and one batched
``np.matmul`` per step serves all M.  A single model is the stack M = 1
(:class:`whiteboard.models.base.RecurrentModel` wraps it).

**Backward in two parts.**  The local derivatives of a step (σ' = σ(1 − σ), tanh' = 1 − y²,
and their products with stored activations) depend on nothing that comes back from later
steps, so :meth:`CellMaths.local_derivatives` computes them for all T steps at once; the loop
over steps then only chains them with the gradient flowing back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CellMaths", "Buffers", "Tape", "forward", "backward"]

# Above this many numbers per model in Σ_t da_t z_t^T's per-step products (T·R·(D+H+1)), the
# weight and input gradients are taken as one product over all steps instead (see backward).
ONE_PRODUCT_ABOVE = 1_000_000


@dataclass
class Buffers:
    """What a forward pass writes and what backward adds, one block of memory for all.

    Attributes:
        Z: (T+1, M, D+H+1, B) the columns: Z[t] = [x_{t+1}; h_t; 1].
        A: (T, M, R, B) every block's activation at every step.
        C: (T+1, M, H, B) the cell states c_0 .. c_T (LSTM), else None.
        tanh_C: (T, M, H, B) tanh(c_1) .. tanh(c_T) (LSTM), else None.
        work: (2, M, H, B) scratch blocks for a step.
        local: (T, M, R', B) the local derivatives (backward; blocks ``cell.local_blocks``),
            else None.
        dc: (M, H, B) ∂L/∂c carried back along the cell path (LSTM, backward), else None.
    """

    Z: np.ndarray
    A: np.ndarray
    C: np.ndarray | None
    tanh_C: np.ndarray | None
    work: np.ndarray
    local: np.ndarray | None = None
    dc: np.ndarray | None = None

    @classmethod
    def allocate(cls, cell, T: int, M: int, B: int, dtype) -> Buffers:
        """Buffers for T steps, carved out of one block of memory.

        A forward pass needs several multi-megabyte buffers.  Asked for one by one, the C
        allocator tends to hand such blocks back to the operating system when they are freed
        and to fault every page in again on the next call, which can cost more than the
        arithmetic; one block of the same size is reused from call to call.
        """
        D, H, R = cell.D, cell.H, len(cell.blocks) * cell.H
        shapes = [(T + 1, M, D + H + 1, B), (T, M, R, B), (2, M, H, B)]
        if cell.has_cell:
            shapes += [(T + 1, M, H, B), (T, M, H, B)]
        sizes = [int(np.prod(s)) for s in shapes]
        block = np.empty(sum(sizes), dtype)
        arrays = np.split(block, np.cumsum(sizes)[:-1])
        Z, A, work, *cell_state = (a.reshape(s) for a, s in zip(arrays, shapes, strict=True))
        C, tanh_C = cell_state if cell.has_cell else (None, None)
        return cls(Z, A, C, tanh_C, work)


class CellMaths:
    """A cell's part of the fused loop: its rows of weights and its gate maths.

    A subclass sets ``kind``, ``blocks`` (the names of its row blocks, in storage order:
    R = len(blocks) * H rows of activations per step), ``local_blocks`` (the blocks of its
    local derivatives, if not the same) and ``has_cell``, and implements ``step``,
    ``local_derivatives`` and ``back_step`` (``weights`` and ``grads`` too if its rows are
    not PyTorch's blocks as they stand).  Arrays have the model axis M first; a step's ``a``
    is (M, R, B).
    """

    kind = ""
    blocks: tuple[str, ...] = ()
    local_blocks: tuple[str, ...] | None = None
    has_cell = False

    def __init__(self, input_size: int, hidden_size: int):
        self.D, self.H = input_size, hidden_size

    def split(self, a: np.ndarray, blocks=None) -> dict[str, np.ndarray]:
        """``{name: view}``: the (..., H, B) block of each named row block of ``a`` (..., R, B).

        ``blocks``: the names of ``a``'s blocks in order (default: the cell's ``blocks``).
        """
        H = self.H
        return {name: a[..., k * H : (k + 1) * H, :]
                for k, name in enumerate(blocks or self.blocks)}

    def span(self, names) -> slice:
        """The rows of the contiguous blocks ``names`` (in storage order), as one slice."""
        first = self.blocks.index(names[0])
        if tuple(self.blocks[first : first + len(names)]) != tuple(names):
            raise ValueError(f"blocks {names} are not contiguous in {self.blocks}")
        return slice(first * self.H, (first + len(names)) * self.H)

    def weights(self, params: dict) -> np.ndarray:
        """(M, R, D+H+1): the rows that multiply [x_t; h_{t-1}; 1], from stacked parameters.

        Here PyTorch's stacked blocks as they stand, with the two biases summed; a cell that
        stores other rows overrides this and :meth:`grads`.
        """
        b = (params["bias_ih_l0"] + params["bias_hh_l0"])[..., None]
        return np.concatenate([params["weight_ih_l0"], params["weight_hh_l0"], b], axis=-1)

    def grads(self, dW: np.ndarray) -> dict:
        """The parameter gradients (keys of ``state_dict``, stacked) from ∂L/∂weights."""
        D, H = self.D, self.H
        return {
            "weight_ih_l0": np.ascontiguousarray(dW[..., :D]),
            "weight_hh_l0": np.ascontiguousarray(dW[..., D : D + H]),
            "bias_ih_l0": dW[..., D + H].copy(),
            "bias_hh_l0": dW[..., D + H].copy(),
        }

    def step(self, t: int, bufs: Buffers) -> None:
        """Step t: ``bufs.A[t]`` holds the pre-activations; turn them into the activations in
        place and write h_t into ``bufs.Z[t + 1]``."""
        raise NotImplementedError

    def local_derivatives(self, bufs: Buffers) -> None:
        """Fill ``bufs.local`` (T, M, R, B): what each step's backward multiplies by."""
        raise NotImplementedError

    def back_step(self, t: int, dh: np.ndarray, da: np.ndarray, bufs: Buffers):
        """Write ∂L/∂(pre-activations) of step t into ``da`` from ∂L/∂h_t = ``dh``.

        Returns what h_{t-1} receives from h_t other than through W (the GRU's z_t ⊙ dh),
        or None.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class Tape:
    """One forward pass of a stack of M models, kept for :func:`backward`.

    Attributes:
        cell: the :class:`CellMaths` that ran.
        W: (M, R, D+H+1) the weights the forward used.
        bufs: its :class:`Buffers`.
    """

    cell: CellMaths
    W: np.ndarray
    bufs: Buffers

    @property
    def h(self) -> np.ndarray:
        """(T, M, H, B) h_1 .. h_T, a view into the columns."""
        D, H = self.cell.D, self.cell.H
        return self.bufs.Z[1:, :, D : D + H]


def forward(cell: CellMaths, W: np.ndarray, X: np.ndarray, h0: np.ndarray, c0=None) -> Tape:
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
    bufs = Buffers.allocate(cell, T, M, B, W.dtype)
    Z = bufs.Z
    Z[:T, :, :D] = X.transpose(0, 1, 3, 2)
    Z[T, :, :D] = 0.0
    Z[0, :, D : D + H] = h0.transpose(0, 2, 1)
    Z[:, :, D + H] = 1.0
    if cell.has_cell:
        bufs.C[0] = c0.transpose(0, 2, 1)
    for t in range(T):
        np.matmul(W, Z[t], out=bufs.A[t])
        cell.step(t, bufs)
    return Tape(cell, W, bufs)


def backward(tape: Tape, dh: np.ndarray, dc_last=None) -> dict:
    """Backpropagation through time for the stack, from the loss's gradient on every h_t.

    Args:
        tape: from :func:`forward`.
        dh: (T, M, H, B) ∂L/∂h_t, the loss's direct gradient on each state.
        dc_last: (M, H, B) gradient on the final cell state (LSTM), or None.

    Returns:
        The cell's parameter gradients (stacked), ``x`` (T, M, D, B) and ``h0`` (M, H, B),
        and the LSTM's ``c0`` (M, H, B).
    """
    cell, W, bufs = tape.cell, tape.W, tape.bufs
    T, M, H, B = dh.shape
    D = cell.D
    local_rows = len(cell.local_blocks or cell.blocks) * H
    bufs.local = np.empty((T, M, local_rows, B), W.dtype)
    cell.local_derivatives(bufs)
    if cell.has_cell:
        bufs.dc = np.zeros((M, H, B), W.dtype) if dc_last is None else dc_last.copy()
    # Inside the loop only h_{t-1} needs its gradient at once (the next step back uses it),
    # so the loop multiplies by W alone; the gradients of the inputs and of the weights are
    # sums over all steps, taken after the loop.
    W_h = np.ascontiguousarray(W[:, :, D : D + H].transpose(0, 2, 1))  # (M, H, R)
    DA = np.empty_like(bufs.A)  # ∂L/∂ of the pre-activation rows, every step
    dh_prev = np.empty((M, H, B), W.dtype)
    dh_t = dh[T - 1].copy()
    for t in range(T - 1, -1, -1):
        direct = cell.back_step(t, dh_t, DA[t], bufs)
        np.matmul(W_h, DA[t], out=dh_prev)  # h_{t-1} feeds step t through W ...
        if direct is not None:
            dh_prev += direct  # ... and maybe directly
        if t:
            np.add(dh_prev, dh[t - 1], out=dh_t)  # ... and the loss
    W_x = np.ascontiguousarray(W[:, :, :D].transpose(0, 2, 1))  # (M, D, R)
    cols = bufs.Z[:T].transpose(1, 0, 3, 2)  # (M, T, B, D+H+1): the rows [x_t; h_{t-1}; 1]
    R, C = DA.shape[2], cols.shape[3]
    if T * R * C <= ONE_PRODUCT_ABOVE:
        # One batched call each, made of one small product per model and step (the stored
        # networks and the committed sweeps were trained so): a single large product would
        # be handed to a multi-threaded BLAS, which on a busy machine is far slower.
        DA = DA.transpose(1, 0, 2, 3)  # (M, T, R, B)
        dW = np.matmul(DA, cols).sum(axis=1)  # Σ_t da_t [x_t; h_{t-1}; 1]^T: weights, biases
        dX = np.matmul(W_x[:, None], DA).transpose(1, 0, 2, 3)  # (T, M, D, B)
    else:
        # A large network (the language models): the per-step products would fill a
        # (T, R, D+H+1) array per model; one product over all T·B columns is several times
        # faster.  It sums the same terms in another order.
        DA = DA.transpose(1, 2, 0, 3).reshape(M, R, T * B)  # (M, R, T·B)
        dW = np.matmul(DA, cols.reshape(M, T * B, C))
        dX = np.matmul(W_x, DA).reshape(M, D, T, B).transpose(2, 0, 1, 3)
    out = {**cell.grads(dW), "x": dX, "h0": dh_prev}
    if cell.has_cell:
        out["c0"] = bufs.dc
    return out
