"""What the RNN, LSTM and GRU share: parameter storage, initialisation, PyTorch I/O and the trace.

The three models differ only in their step (the gates) and so in the number G of gate blocks
stacked in each weight matrix: G = 1 (RNN), 3 (GRU: r, z, n), 4 (LSTM: i, f, g, o). The
parameters use PyTorch's names, shapes and gate order, so that a ``state_dict`` moves between
the two libraries unchanged:

    weight_ih_l0: (G*H, D)    the U of each gate, stacked
    weight_hh_l0: (G*H, H)    the W of each gate, stacked
    bias_ih_l0:   (G*H,)
    bias_hh_l0:   (G*H,)      the effective bias of a gate is bias_ih + bias_hh

Symbols: T steps, B sequences in a batch, D input features, H hidden units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from whiteboard.checks import (
    as_float_dtype,
    as_numeric_array,
    as_sequence,
    check_finite,
    check_positive_int,
    check_shape,
    check_state,
)
from whiteboard.models import engine

__all__ = ["RecurrentModel", "Trace", "check_trace", "time_major"]


@dataclass(repr=False)
class Trace:
    """Everything a forward pass computed, kept for plotting and for ``backward``.

    All arrays are time-major. An input given as ``(T, D)`` is treated as a batch of one, so
    the arrays here still have a batch axis of size 1. ``h``, ``c``, ``a`` and the gates are
    read-only (T, B, H) views into the unit-major (T, H, B) buffers the sequence loop wrote,
    which ``backward`` reads: writing into one raises ``ValueError``, so a changed copy can
    never change a gradient. Copy an array (``trace.h.copy()``) to change it.

    Attributes:
        kind: "rnn", "lstm" or "gru"; ``backward`` refuses a trace of another kind.
        x: (T, B, D) the input, cast to the model's dtype.
        h0: (B, H) the initial hidden state (zeros when none was given).
        h: (T, B, H) the hidden states h_1 .. h_T.
        gates: gate name -> (T, B, H) activations (LSTM i, f, g, o; GRU r, z, n; RNN none).
        c0: (B, H) the initial cell state (LSTM only, else None).
        c: (T, B, H) the cell states c_1 .. c_T (LSTM only, else None).
        a: (T, B, H) the pre-activations a_t = U x_t + W h_{t-1} + b (RNN only, else None).
        was_2d: the input came as (T, D).
        tape: the fused loop's record that ``backward`` needs (:class:`whiteboard.models.
            engine.Tape`); None for a trace that no forward pass made (a gate what-if's).
    """

    kind: str
    x: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    gates: dict
    c0: np.ndarray | None = None
    c: np.ndarray | None = None
    a: np.ndarray | None = None
    was_2d: bool = False
    tape: object = None

    @property
    def h_n(self) -> np.ndarray:
        """(B, H) the final hidden state h_T (PyTorch's ``h_n`` without its layer axis)."""
        return self.h[-1]

    @property
    def c_n(self) -> np.ndarray | None:
        """(B, H) the final cell state c_T (LSTM only)."""
        return None if self.c is None else self.c[-1]

    def __repr__(self) -> str:
        T, B, H = self.h.shape
        gates = ", ".join(self.gates) or "none"
        return f"Trace(kind={self.kind!r}, T={T}, B={B}, D={self.x.shape[2]}, H={H}, gates={gates})"


class RecurrentModel:
    """Base class of the single-layer, unidirectional, time-major recurrent models.

    Subclasses set ``kind``, ``gate_names`` (G = that many blocks of weights, the RNN's one)
    and ``_torch_name`` and implement ``maths``. Weights are initialised like PyTorch: every
    entry is drawn from U(-1/√H, 1/√H) with ``np.random.default_rng(seed)``, in the order
    weight_ih, weight_hh, bias_ih, bias_hh, always in float64 and then cast, so a float32 and a
    float64 model with the same seed hold the same numbers up to rounding.
    """

    kind = ""
    gate_names: tuple = ()
    _torch_name = ""

    def __init__(self, input_size, hidden_size, *, seed=0, dtype=np.float64):
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.dtype = as_float_dtype(dtype)
        self.seed = seed
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        self._params = {
            name: rng.uniform(-bound, bound, size=shape).astype(self.dtype)
            for name, shape in self._param_shapes().items()
        }

    # --- parameters -------------------------------------------------------------------------

    def _param_shapes(self) -> dict:
        G = max(1, len(self.gate_names))  # the RNN's one block of weights has no gate
        GH, D, H = G * self.hidden_size, self.input_size, self.hidden_size
        return {
            "weight_ih_l0": (GH, D),
            "weight_hh_l0": (GH, H),
            "bias_ih_l0": (GH,),
            "bias_hh_l0": (GH,),
        }

    def parameters(self) -> dict:
        """The live parameter arrays, keyed like ``state_dict()``.

        Optimisers update these arrays in place (``p -= lr * g``); the model sees the change.
        """
        return dict(self._params)

    def state_dict(self) -> dict:
        """Copies of the parameters with PyTorch's keys, shapes and gate order (see module doc)."""
        return {name: value.copy() for name, value in self._params.items()}

    def load_state_dict(self, state: dict) -> None:
        """Copy ``state`` into the model's parameters, after checking all of it.

        The arrays are cast to the model's dtype and written into the existing parameter
        arrays, so references from ``parameters()`` stay live. Nothing is written unless every
        key passes. torch tensors are accepted (detached and moved to numpy).

        Raises:
            TypeError: ``state`` is not a mapping, or a value is not a real numeric array.
            ValueError: a key is missing or unexpected, a shape differs, or a value is NaN/inf.
        """
        if not hasattr(state, "keys"):
            raise TypeError(f"state must be a dict of arrays, got {type(state).__name__}")
        shapes = self._param_shapes()
        missing = [k for k in shapes if k not in state]
        extra = [k for k in state if k not in shapes]
        if missing:
            raise ValueError(
                f"state_dict is missing key(s) {missing}; expected keys {list(shapes)} "
                f"with shapes {list(shapes.values())}"
            )
        if extra:
            raise ValueError(f"state_dict has unexpected key(s) {extra}; expected {list(shapes)}")
        clean = {}
        for name, shape in shapes.items():
            value = state[name]
            if hasattr(value, "detach"):  # a torch tensor
                value = value.detach().cpu().numpy()
            arr = check_shape(as_numeric_array(value, f"state_dict[{name!r}]"), shape,
                              f"state_dict[{name!r}]")
            clean[name] = check_finite(arr, f"state_dict[{name!r}] (expected shape {shape})")
        for name, arr in clean.items():
            self._params[name][...] = arr

    def copy(self, dtype=None):
        """A new model with the same configuration and a copy of the parameters.

        Args:
            dtype: the copy's dtype; defaults to this model's.
        """
        dtype = self.dtype if dtype is None else dtype
        new = type(self)(self.input_size, self.hidden_size, dtype=dtype, **self.config())
        new.load_state_dict(self._params)
        return new

    def config(self) -> dict:
        """Constructor keyword arguments beyond the sizes and dtype (the seed, ...)."""
        return {"seed": self.seed}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.config().items() if k != "seed")
        return (
            f"{type(self).__name__}(input_size={self.input_size}, "
            f"hidden_size={self.hidden_size}, dtype={self.dtype.name}{extra})"
        )

    # --- PyTorch ----------------------------------------------------------------------------

    @classmethod
    def from_torch(cls, module):
        """Build a model holding the weights of a ``torch.nn.RNN`` / ``LSTM`` / ``GRU``.

        torch is imported here and nowhere else in the package. The module must have one
        layer and one direction (and, for the LSTM, no projection). Its dtype (float32 or
        float64) becomes the model's. A module built with ``bias=False`` gives zero biases.
        ``batch_first=True`` is accepted because the weights do not depend on it, but the
        whiteboard model is always time-major: feed it X of shape (T, B, D).

        Raises:
            TypeError: ``module`` is not the matching torch class, or has an unsupported dtype.
            ValueError: ``num_layers > 1``, ``bidirectional=True`` or ``proj_size > 0``.
        """
        import torch  # lazily: the package must import and run without torch

        expected = getattr(torch.nn, cls._torch_name)
        if not isinstance(module, expected):
            raise TypeError(
                f"{cls.__name__}.from_torch expects a torch.nn.{cls._torch_name}, "
                f"got {type(module).__name__}"
            )
        layers, proj = module.num_layers, getattr(module, "proj_size", 0)
        for bad, need in [(layers != 1, f"num_layers=1, got num_layers={layers}"),
                          (module.bidirectional, "a unidirectional module, got bidirectional=True"),
                          (proj, f"proj_size=0, got proj_size={proj}")]:
            if bad:
                raise ValueError(f"{cls.__name__}.from_torch needs {need}")
        weight = module.weight_ih_l0
        dtypes = {torch.float32: np.float32, torch.float64: np.float64}
        if weight.dtype not in dtypes:
            raise TypeError(
                f"{cls.__name__}.from_torch needs a float32 or float64 module, got {weight.dtype}"
            )
        model = cls(
            module.input_size,
            module.hidden_size,
            dtype=dtypes[weight.dtype],
            **cls._config_from_torch(module),
        )
        state = {k: v.detach().cpu().numpy() for k, v in module.named_parameters()}
        if not module.bias:
            zeros = np.zeros(weight.shape[0])
            state.update(bias_ih_l0=zeros, bias_hh_l0=zeros)
        model.load_state_dict(state)
        return model

    @classmethod
    def _config_from_torch(cls, module) -> dict:
        return {}

    # --- the fused loop, for a stack of one ---------------------------------------------------

    def maths(self) -> engine.CellMaths:
        """The cell's part of the fused loop (:mod:`whiteboard.models.engine`)."""
        raise NotImplementedError

    def forward(self, X, h0=None, c0=None) -> Trace:
        """Run the model over a sequence.

        Args:
            X: (T, B, D), or (T, D) for a single sequence (the trace then has B = 1).
            h0: (B, H) initial hidden state (also (1, B, H)); zeros when omitted.
            c0: (B, H) initial cell state, LSTM only (also (1, B, H)); zeros when omitted.

        Returns:
            a :class:`Trace` (``h``, the cell's ``gates``, for the LSTM ``c``, for the RNN the
            pre-activations ``a``: read-only views, see there).
        """
        cell = self.maths()
        X, h0, c0, was_2d = self._check_inputs(X, h0, c0, has_cell=cell.has_cell)
        W = cell.weights({k: v[None] for k, v in self._params.items()})
        tape = engine.forward(cell, W, X[:, None], h0[None], None if c0 is None else c0[None])
        # The tape keeps W, so backward differentiates the forward that actually ran, even if
        # an optimiser has changed the parameters since.
        bufs = tape.bufs
        blocks = cell.split(bufs.A[:, 0])
        gates = {g: time_major(blocks[g]) for g in self.gate_names}
        return Trace(self.kind, X, h0, time_major(tape.h[:, 0]), gates, c0=c0,
                     c=time_major(bufs.C[1:, 0]) if cell.has_cell else None,
                     # the RNN's A holds its pre-activations
                     a=None if self.gate_names else time_major(bufs.A[:, 0]),
                     was_2d=was_2d, tape=tape)

    def backward(self, trace: Trace, dh, dc_last=None) -> dict:
        """Backpropagation through time, from the loss's gradient on every h_t.

        Args:
            trace: from ``forward`` of this model.
            dh: (T, B, H) ∂L/∂h_t, the loss's direct gradient on each h_t ((T, H) is accepted
                when the forward input was (T, D)).
            dc_last: optional (B, H) gradient on the final cell state c_T (LSTM only).

        Returns:
            dict with ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``
            (shapes as in ``state_dict()``), ``x`` (T, B, D), ``h0`` (B, H) and, for the
            LSTM, ``c0`` (B, H).
        """
        dh, dc_last = self._check_backward(trace, dh, dc_last, has_cell=self.maths().has_cell)
        out = engine.backward(trace.tape, dh.transpose(0, 2, 1)[:, None],
                              None if dc_last is None else dc_last.T[None])
        grads = {k: v[0] for k, v in out.items() if k not in ("x", "h0", "c0")}
        grads["x"] = out["x"][:, 0].transpose(0, 2, 1)
        grads.update({k: out[k][0].T.copy() for k in ("h0", "c0") if k in out})
        return grads

    # --- validation shared by forward and backward ------------------------------------------

    def _check_inputs(self, X, h0, c0, *, has_cell: bool):
        """Validate forward's inputs; return (X3 (T,B,D), h0 (B,H), c0 (B,H) or None, was_2d)."""
        X3, was_2d = as_sequence(X, self.input_size, self.dtype)
        shape = (X3.shape[1], self.hidden_size)

        def state(s, name):  # zeros when omitted
            return np.zeros(shape, self.dtype) if s is None else check_state(s, shape, name,
                                                                              self.dtype)

        h0 = state(h0, "h0")
        if c0 is not None and not has_cell:
            raise TypeError(f"{type(self).__name__} has no cell state: c0 is only for the LSTM; "
                            "pass h0 (B, H) alone")
        return X3, h0, state(c0, "c0") if has_cell else None, was_2d

    def _check_backward(self, trace, dh, dc_last, *, has_cell: bool):
        """Validate backward's inputs; return (dh (T,B,H), dc_last (B,H) or None)."""
        check_trace(self, trace)
        if trace.tape is None:
            raise ValueError(
                f"{type(self).__name__}.backward needs a trace made by this model's forward; "
                "this one has no tape (a gate what-if's trace is made by run_whatif, which "
                "computes no gradients): run model.forward(X) and pass its trace"
            )
        T, B, H = trace.h.shape
        dh = as_numeric_array(dh, "dh", self.dtype)
        if trace.was_2d and dh.shape == (T, H):
            dh = dh[:, None, :]
        if dh.shape != (T, B, H):
            raise ValueError(
                f"dh must have shape (T, B, H) = {(T, B, H)} like trace.h, got {dh.shape}"
            )
        check_finite(dh, "dh")
        if dc_last is not None:
            if not has_cell:
                raise TypeError(
                    f"{type(self).__name__} has no cell state: dc_last is only for the LSTM"
                )
            dc_last = check_state(dc_last, (B, H), "dc_last", self.dtype)
        return dh, dc_last


def check_trace(model, trace) -> None:
    """Raise unless ``trace`` is a :class:`Trace` of ``model``'s kind and sizes.

    Raises:
        TypeError: ``trace`` is not a Trace, or a trace of another kind of model.
        ValueError: its D or H differ from the model's.
    """
    if not isinstance(trace, Trace) or trace.kind != model.kind:
        got = trace.kind if isinstance(trace, Trace) else type(trace).__name__
        raise TypeError(
            f"{type(model).__name__} needs the trace returned by its forward "
            f"(kind {model.kind!r}), got {got!r}"
        )
    if trace.h.shape[2] != model.hidden_size or trace.x.shape[2] != model.input_size:
        raise ValueError(
            f"trace has D={trace.x.shape[2]}, H={trace.h.shape[2]} but this model has "
            f"D={model.input_size}, H={model.hidden_size}"
        )


def time_major(block: np.ndarray) -> np.ndarray:
    """(T, H, B) unit-major buffer -> a read-only (T, B, H) view, the public trace's layout."""
    view = block.transpose(0, 2, 1)
    view.flags.writeable = False
    return view
