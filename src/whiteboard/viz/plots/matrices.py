"""Figures of what a matrix does when it is applied again and again: the unit circle under
W^k, and the norm of a product of k matrices against k.

They draw the maths primer's picture of norms and eigenvalues: the spectral norm ‖W‖₂ is
the longest half-axis of the ellipse W maps the unit circle to (the largest stretch), and
the spectral radius ρ(W) = max |μ| over the eigenvalues μ sets how fast ‖W^k‖ changes once
k is large.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from whiteboard.checks import (
    as_numeric_array,
    check_finite,
    check_nonneg_int,
    check_positive_int,
)
from whiteboard.viz.plots import figure_for
from whiteboard.viz.plots.legible import PHONE_WIDTH_IN

__all__ = ["plot_circle_images", "plot_product_norms"]

_TINY = 1e-300  # stands in for an exact zero on a log axis
_MARKERS = "osD^v"
_GUIDE_STYLES = ("--", ":", "-.")


def _square_matrix(W):
    W = check_finite(as_numeric_array(W, "W", float), "W")
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] != 2:
        raise ValueError(f"W must be a 2 x 2 matrix (the picture is in the plane), "
                         f"got shape {W.shape}")
    return W


def plot_circle_images(W, powers=(0, 1, 2, 5, 10, 20), *, n_points=361, ax=None):
    """The unit circle and its images W^k · circle for each k in ``powers``.

    Each image is an ellipse whose longest half-axis is ‖W^k‖₂; the lines through the origin
    are the real eigenvectors of W, the directions W only scales.

    Args:
        W: (2, 2) matrix.
        powers: the exponents k ≥ 0 to draw (k = 0 is the circle itself).
        n_points: points on the circle.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.

    Raises:
        TypeError: ``W`` is not numeric, or a power or ``n_points`` is not an integer.
        ValueError: ``W`` is not a finite 2 x 2 matrix, no power or a negative one is given,
            or ``n_points`` < 1.
    """
    W = _square_matrix(W)
    powers = [check_nonneg_int(k, "each power") for k in powers]
    if not powers:
        raise ValueError("powers must name at least one exponent k")
    fig, ax = figure_for(ax, (3.4, 3.4))
    angle = np.linspace(0.0, 2 * np.pi, check_positive_int(n_points, "n_points"))
    circle = np.stack([np.cos(angle), np.sin(angle)])  # (2, N)
    reach = 1.0
    for i, k in enumerate(powers):
        image = np.linalg.matrix_power(W, k) @ circle
        reach = max(reach, np.abs(image).max())
        ax.plot(image[0], image[1], color=f"C{i}", linewidth=1.3, label=f"$k = {k}$")
    mu, vectors = np.linalg.eig(W)
    for v in vectors.T[np.isreal(mu)].real:
        ax.axline((0.0, 0.0), tuple(v), color="0.5", linewidth=0.8, linestyle=":")
    ax.set_xlim(-1.1 * reach, 1.1 * reach)
    ax.set_ylim(-1.1 * reach, 1.1 * reach)
    ax.set_aspect("equal")
    ax.set_xlabel("first entry of $W^k v$")
    ax.set_ylabel("second entry of $W^k v$")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, loc="upper left", handlelength=1.2)
    return fig


def _curves(k, given, name, most):
    """``given`` (label -> values) as float arrays the shape of ``k``, checked."""
    if not isinstance(given, Mapping):
        raise TypeError(f"{name} must be a dict {{label: values}}, got {type(given).__name__}")
    if len(given) > most:
        raise ValueError(f"{name} may hold at most {most} curves, got {len(given)}")
    curves = {}
    for label, values in given.items():
        values = check_finite(as_numeric_array(values, f"{name}[{label!r}]", float),
                              f"{name}[{label!r}]")
        if values.shape != k.shape:
            raise ValueError(f"{name}[{label!r}] has shape {values.shape}, k has {k.shape}")
        curves[label] = np.maximum(values, _TINY)
    return curves


def plot_product_norms(k, norms, guides=None, *, ax=None):
    """Norms of products of k matrices against k, on a log scale.

    The vertical axis fits the measured norms; a guide may run off it.

    Args:
        k: (K,) numbers of factors.
        norms: label -> (K,) measured norms, drawn solid and told apart by colour and marker.
        guides: label -> (K,) reference curves, such as the bound ‖W‖₂^k or ρ(W)^k, drawn in
            grey and told apart by line style; or None.
        ax: axes to draw on; a new figure when None.

    Returns:
        the Figure.

    Raises:
        TypeError: ``norms`` or ``guides`` is not a dict, or holds non-numeric values.
        ValueError: no norms, too many curves to tell apart, or a curve not shaped like k.
    """
    k = as_numeric_array(k, "k", float)
    norms = _curves(k, norms, "norms", len(_MARKERS))
    guides = _curves(k, guides or {}, "guides", len(_GUIDE_STYLES))
    if not norms:
        raise ValueError("norms must hold at least one curve")
    fig, ax = figure_for(ax, (PHONE_WIDTH_IN, 3.4))
    for i, (label, values) in enumerate(norms.items()):
        ax.semilogy(k, values, color=f"C{i}", marker=_MARKERS[i], markersize=3,
                    markevery=max(len(k) // 8, 1), linewidth=1.3, label=label)
    for style, (label, values) in zip(_GUIDE_STYLES, guides.items(), strict=False):
        ax.semilogy(k, values, color="0.35", linestyle=style, linewidth=1.0, label=label)
    # The axes fit the measured curves; a guide such as a growing bound may leave them.
    # An exact zero (drawn at _TINY) would stretch the axis over hundreds of decades.
    measured = np.concatenate(list(norms.values()))
    positive = measured[measured > _TINY]
    top = measured.max() * 100
    ax.set_ylim(positive.min() / 10 if positive.size else top * 1e-6, top)
    ax.set_xlabel("number of factors $k$ (steps back)")
    ax.set_ylabel("largest stretch of the product\n" r"$\|J_t \cdots J_{t-k+1}\|_2$")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, loc="lower left")
    return fig
