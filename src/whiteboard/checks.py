"""Input validation shared by the whole package.

Every public function of ``whiteboard`` checks what it is given before it computes, so that a
wrong shape or a stray NaN stops with a message naming what was expected instead of producing
a plausible-looking wrong plot. The helpers here raise

- ``TypeError`` when the *kind* of value is wrong (a string where a number belongs, a complex
  array, a float where an integer count belongs);
- ``ValueError`` when the kind is right but the value is not (wrong shape, NaN, a negative
  count, an empty sequence).

Each helper returns the cleaned value, so callers write ``n = check_positive_int(n, "n")``.

Symbols used in messages: T (sequence length), B (batch size), D (input size), H (hidden size).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np

__all__ = [
    "as_float_dtype",
    "as_numeric_array",
    "as_sequence",
    "check_finite",
    "check_nonneg_int",
    "check_positive_int",
    "check_shape",
    "check_state",
]


def check_positive_int(n, name: str) -> int:
    """Return ``n`` as an ``int`` if it is an integer >= 1.

    Args:
        n: the value to check. Python and numpy integers are accepted; ``bool`` and floats
            (even ``3.0``) are not, because a float count usually hides a bug.
        name: the argument's name, used in the error message.

    Raises:
        TypeError: ``n`` is not an integer.
        ValueError: ``n`` < 1.
    """
    n = _as_int(n, name, "a positive integer")
    if n < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {n}")
    return n


def check_nonneg_int(n, name: str) -> int:
    """Return ``n`` as an ``int`` if it is an integer >= 0 (a count or a lag that may be 0).

    Raises:
        TypeError: ``n`` is not an integer (``bool`` and floats are rejected).
        ValueError: ``n`` < 0.
    """
    n = _as_int(n, name, "a non-negative integer")
    if n < 0:
        raise ValueError(f"{name} must be a non-negative integer (>= 0), got {n}")
    return n


def _as_int(n, name: str, what: str) -> int:
    # bool is an Integral subclass, but True as a hidden size is always a mistake.
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {type(n).__name__} {n!r}")
    return int(n)


def as_float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, the two dtypes the models support.

    Raises:
        TypeError: anything else (float16, integers, strings that are not dtypes, ...).
    """
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dtype!r}") from exc
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dt}")
    return dt


def as_numeric_array(x, name: str, dtype=None) -> np.ndarray:
    """Convert ``x`` to a real numeric numpy array, optionally cast to ``dtype``.

    Integers and floats are accepted; booleans, complex numbers, strings and objects are not,
    since none of them is a meaningful input to a recurrent cell.

    Args:
        x: array-like.
        name: the argument's name, used in the error message.
        dtype: if given, the returned array has this dtype (a copy only when needed).

    Raises:
        TypeError: ``x`` cannot be read as a real numeric array.
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real numeric array, got {type(x).__name__}") from exc
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real numeric array (integer or float dtype), got dtype {arr.dtype}"
        )
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return arr


def check_finite(arr: np.ndarray, name: str) -> np.ndarray:
    """Return ``arr`` unchanged if it holds no NaN and no inf.

    Raises:
        ValueError: naming the first offending index and its value.
    """
    arr = np.asarray(arr)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name} must be finite (no NaN or inf), found {arr[index]} at index {index}"
        )
    return arr


def check_shape(arr: np.ndarray, shape: tuple, name: str) -> np.ndarray:
    """Return ``arr`` unchanged if ``arr.shape == shape``.

    Args:
        arr: the array to check.
        shape: the expected shape, a tuple of ints.
        name: the argument's name, used in the error message.

    Raises:
        ValueError: the shapes differ.
    """
    if tuple(arr.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(arr.shape)}")
    return arr


def as_sequence(X, input_size: int, dtype, name: str = "X") -> tuple[np.ndarray, bool]:
    """Validate a time-major input sequence and return it as a ``(T, B, D)`` array.

    Args:
        X: array-like of shape ``(T, B, D)``, or ``(T, D)`` meaning a batch of one.
        input_size: D, the number of features the model expects.
        dtype: the model's dtype; X is cast to it.
        name: the argument's name, used in error messages.

    Returns:
        ``(X3, was_2d)``: X3 has shape ``(T, B, D)`` and dtype ``dtype`` (a view of X when no
        cast is needed); ``was_2d`` tells whether X came in as ``(T, D)``.

    Raises:
        TypeError: X is not a real numeric array.
        ValueError: X has the wrong rank, the wrong feature size, T = 0, B = 0, or holds NaN/inf.
    """
    arr = as_numeric_array(X, name, dtype)
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must have shape (T, B, D) or (T, D) with D = {input_size}, "
            f"got an array of rank {arr.ndim} and shape {arr.shape}"
        )
    was_2d = arr.ndim == 2
    if was_2d:
        arr = arr[:, None, :]
    T, B, D = arr.shape
    if D != input_size:
        raise ValueError(
            f"{name} must have D = {input_size} features in its last axis, i.e. shape "
            f"(T, B, {input_size}) or (T, {input_size}); got shape {tuple(np.shape(X))}"
        )
    if T == 0:
        raise ValueError(f"{name} is an empty sequence: T must be >= 1, got shape {arr.shape}")
    if B == 0:
        raise ValueError(f"{name} is an empty batch: B must be >= 1, got shape {arr.shape}")
    check_finite(arr, name)
    return arr, was_2d


def check_state(state, shape: tuple, name: str, dtype) -> np.ndarray:
    """Validate an initial state (``h0`` or ``c0``) and return it as a ``(B, H)`` array.

    Args:
        state: array-like of shape ``(B, H)``; ``(1, B, H)`` is accepted too, as PyTorch writes
            it (num_layers * num_directions = 1), and so is ``(H,)`` when B = 1.
        shape: the expected ``(B, H)``.
        name: the argument's name, used in error messages.
        dtype: the model's dtype; the state is cast to it.

    Raises:
        TypeError: not a real numeric array.
        ValueError: wrong shape, or holds NaN/inf.
    """
    arr = as_numeric_array(state, name, dtype)
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    elif arr.ndim == 1 and shape[0] == 1:
        arr = arr[None, :]
    if tuple(arr.shape) != tuple(shape):
        B, H = shape
        raise ValueError(
            f"{name} must have shape (B, H) = ({B}, {H}) (or (1, {B}, {H})), "
            f"got {tuple(np.shape(state))}"
        )
    return check_finite(arr, name)


def check_scale(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def check_step(t, T):
    """A 1-based step t in 1..T; negative t counts from the end (-1 = T)."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"t must be an integer step, got {t!r}")
    s = int(t) + T + 1 if t < 0 else int(t)
    if not 1 <= s <= T:
        raise ValueError(f"t must be a step in 1..{T} (or -{T}..-1 from the end), got {t}")
    return s


def check_index(i, n, name):
    """Python-style index ``i`` into ``range(n)`` as a non-negative int."""
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {i!r}")
    j = int(i) + n if i < 0 else int(i)
    if not 0 <= j < n:
        raise ValueError(f"{name} must lie in -{n}..{n - 1}, got {i}")
    return j


def check_fraction(value, name: str) -> float:
    """``value`` as a float in [0, 1]; TypeError/ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a fraction between 0 and 1, got {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a fraction between 0 and 1, got {value!r}")
    return float(value)


def check_stepper(stepper) -> int:
    """``stepper.n_frames`` after checking that ``stepper`` is a stepper (``.fig``,
    ``.n_frames``, ``.draw(t)``, as in ``whiteboard.viz.players``); TypeError otherwise."""
    if not (hasattr(stepper, "fig") and hasattr(stepper, "n_frames")
            and callable(getattr(stepper, "draw", None))):
        raise TypeError(
            "expected a stepper: an object with .fig (a matplotlib Figure), "
            f".n_frames (int) and .draw(t); got {type(stepper).__name__}"
        )
    n = stepper.n_frames
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"stepper.n_frames must be a positive int, got {n!r}")
    return n


def check_params(params):
    """``params`` as a dict of floating numpy arrays (what an optimiser updates)."""
    if not isinstance(params, Mapping) or not params:
        raise TypeError("params must be a non-empty dict of name -> numpy array "
                        f"(e.g. model.parameters()), got {type(params).__name__}")
    for name, p in params.items():
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise TypeError(f"parameter {name!r} must be a floating numpy array, "
                            f"got {type(p).__name__}")
    return dict(params)


def check_positive_number(value, name: str, allow_zero=False, below=None) -> float:
    """``value`` as a finite float > 0 (>= 0 with ``allow_zero``; < ``below`` if given)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    if below is not None and value >= below:
        raise ValueError(f"{name} must be < {below}, got {value}")
    return float(value)


def as_rng(rng) -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``, else a new one seeded with it.

    Raises:
        TypeError: if ``rng`` is neither a Generator nor a non-negative int.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be a numpy.random.Generator or a non-negative int seed, got {rng!r}"
    )


def check_lag(lag, low, high):
    """``lag`` as an int in ``low..high``; TypeError/ValueError naming the valid range."""
    lag = check_nonneg_int(lag, "lag")
    if not low <= lag <= high:
        raise ValueError(f"lag must be an integer from {low} to {high} for this generator, "
                         f"got {lag}")
    return lag


def check_gate_value(value, activation: str, gate: str) -> float:
    """A value a gate can take: in [0, 1] for a sigmoid gate, in [-1, 1] for a tanh one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"the value of gate {gate!r} must be a number, got {value!r}")
    v = float(value)
    low = 0.0 if activation == "sigmoid" else -1.0
    if not low <= v <= 1.0:
        raise ValueError(f"gate {gate!r} is a {activation}: its value must lie in "
                         f"[{low:g}, 1], got {v}")
    return v


def check_text(value, name: str) -> str:
    """``value`` as a string (it may be empty); TypeError naming ``name`` otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    return value


def check_choice(value, choices, name: str) -> str:
    """``value`` if it is one of the strings ``choices``; TypeError/ValueError naming them."""
    must = f"{name} must be one of {', '.join(map(repr, choices))}, got"
    if not isinstance(value, str):
        raise TypeError(f"{must} {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"{must} {value!r}")
    return value


def check_choices(values, choices, name: str) -> tuple[str, ...]:
    """A non-empty sequence of distinct strings, each one of ``choices``."""
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple of names, got "
                        f"{type(values).__name__} {values!r}")
    if not values:
        raise ValueError(f"{name} must name at least one of: {', '.join(choices)}")
    for v in values:
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold strings, got {type(v).__name__} {v!r}")
        if v not in choices:
            raise ValueError(f"{name}: no choice called {v!r}; the choices are "
                             f"{', '.join(choices)}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} names a choice twice: {list(values)}")
    return tuple(values)
