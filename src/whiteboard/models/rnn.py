"""The vanilla (Elman) RNN as a whole-sequence model: its kernel for the fused loop.

:class:`RNNMaths`, run by :mod:`whiteboard.models.engine`'s loop, computes what
:mod:`whiteboard.cells.rnn`'s readable ``rnn_step`` and its backward compute
(``tests/test_cells.py``).

    a_t = U x_t + W h_{t-1} + b,   h_t = f(a_t)
    ∂L/∂a_t = ∂L/∂h_t ⊙ f'(a_t)   (f' computed from the stored h_t)
"""

from __future__ import annotations

import numpy as np

from whiteboard.cells.rnn import GATES
from whiteboard.cells.spec import names
from whiteboard.checks import check_choice
from whiteboard.maths import ACTIVATIONS
from whiteboard.models.base import RecurrentModel
from whiteboard.models.engine import CellMaths

__all__ = ["RNN", "RNNMaths", "INITS"]


class RNNMaths(CellMaths):
    """The RNN's part of the fused loop: one block of rows, a = [U | W | b] z, h = f(a)."""

    kind = "rnn"
    blocks = ("a",)

    def __init__(self, input_size, hidden_size, nonlinearity="tanh"):
        super().__init__(input_size, hidden_size)
        self.f, self.f_prime = ACTIVATIONS[nonlinearity]

    def step(self, t, bufs):
        # A keeps the pre-activation a_t; h_t = f(a_t) goes into the next column
        self.f(bufs.A[t], out=bufs.Z[t + 1, :, self.D : self.D + self.H])

    def local_derivatives(self, bufs):
        self.f_prime(bufs.Z[1:, :, self.D : self.D + self.H], out=bufs.local)  # f'(a_t) from h_t

    def back_step(self, t, dh, da, bufs):
        np.multiply(bufs.local[t], dh, out=da)
        return None


INITS = ("uniform", "orthogonal", "identity")
IRNN_INPUT_STD = 1e-3  # Le, Jaitly & Hinton (2015): non-recurrent weights N(0, 0.001²)


class RNN(RecurrentModel):
    """A single-layer, unidirectional, time-major RNN with PyTorch's parameter layout.

    Args:
        input_size: D, features per step.
        hidden_size: H, hidden units.
        seed: seed of ``np.random.default_rng`` for the initialisation.
        dtype: np.float32 or np.float64.
        nonlinearity: "tanh" (default), "relu" or "sigmoid" (the logistic σ of the NPTEL
            lectures; PyTorch has no such option, so such a model has no torch twin).
        init: how the weights start.  Every parameter is first drawn like PyTorch's, each
            entry from U(−1/√H, 1/√H) (``"uniform"``, the default, stops there); then

            - ``"orthogonal"``: W = ``weight_hh_l0`` becomes a random orthogonal matrix,
              WᵀW = I, so every singular value and every eigenvalue magnitude is 1 (Saxe et
              al. 2014; Henaff et al. 2016);
            - ``"identity"``: W = I, both biases 0 and U = ``weight_ih_l0`` drawn from
              N(0, 0.001²), the IRNN of Le, Jaitly & Hinton (2015), meant for ReLU units:
              with small inputs the state is at first carried unchanged from step to step.

            The orthogonal matrix is drawn from its own stream (``default_rng([seed, 7])``),
            so the other parameters are those of ``"uniform"`` with the same seed.

    Example:
        >>> rnn = RNN(3, 4, seed=0)
        >>> trace = rnn.forward(np.ones((5, 2, 3)))   # T=5, B=2, D=3
        >>> trace.h.shape, trace.a.shape
        ((5, 2, 4), (5, 2, 4))
        >>> irnn = RNN(3, 4, nonlinearity="relu", init="identity")
        >>> bool((irnn.parameters()["weight_hh_l0"] == np.eye(4)).all())
        True
    """

    kind = "rnn"
    gate_names = names(GATES)
    _torch_name = "RNN"

    def __init__(self, input_size, hidden_size, *, seed=0, dtype=np.float64, nonlinearity="tanh",
                 init="uniform"):
        if nonlinearity not in ACTIVATIONS:
            raise ValueError(
                f"nonlinearity must be one of {sorted(ACTIVATIONS)}, got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        self.init = check_choice(init, INITS, "init")
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        H, p = self.hidden_size, self._params
        if init == "orthogonal":
            p["weight_hh_l0"][...] = _orthogonal(H, np.random.default_rng([seed, 7]))
        elif init == "identity":
            rng = np.random.default_rng([seed, 7])
            p["weight_hh_l0"][...] = np.eye(H)
            p["weight_ih_l0"][...] = IRNN_INPUT_STD * rng.standard_normal((H, self.input_size))
            p["bias_ih_l0"][...] = 0.0
            p["bias_hh_l0"][...] = 0.0

    def maths(self) -> RNNMaths:
        return RNNMaths(self.input_size, self.hidden_size, self.nonlinearity)

    def config(self):
        config = {"seed": self.seed, "nonlinearity": self.nonlinearity}
        if self.init != "uniform":  # the default stays out of the repr, as PyTorch's does
            config["init"] = self.init
        return config

    @classmethod
    def _config_from_torch(cls, module):
        return {"nonlinearity": module.nonlinearity}


def _orthogonal(n, rng):
    """A random orthogonal (n, n) matrix, uniform over the orthogonal group.

    Q of the QR factorisation of a standard normal matrix, each column's sign fixed by the
    sign of R's diagonal (without that fix Q would not be uniformly distributed).
    """
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)
