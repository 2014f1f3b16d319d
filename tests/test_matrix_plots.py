"""whiteboard.viz.plots.matrices: the maths primer's figures draw the matrices they are given.

Assertions read the artists' data (lines and limits), never pixels.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from whiteboard.viz.plots import new_figure
from whiteboard.viz.plots.matrices import plot_circle_images, plot_product_norms

matplotlib.use("Agg")

W = np.array([[0.9, 1.0], [0.0, 0.7]])


def _curves(ax):
    """The lines that go through data points (axline's eigenvector lines have no data)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 2]


def test_each_ellipse_reaches_as_far_as_the_norm_of_its_power():
    fig = plot_circle_images(W, powers=(0, 1, 3, 20), n_points=3601)
    ax = fig.axes[0]
    curves = _curves(ax)
    assert [c.get_label() for c in curves] == ["$k = 0$", "$k = 1$", "$k = 3$", "$k = 20$"]
    for k, curve in zip((0, 1, 3, 20), curves, strict=True):
        reach = np.hypot(curve.get_xdata(), curve.get_ydata()).max()
        assert reach == pytest.approx(np.linalg.norm(np.linalg.matrix_power(W, k), 2),
                                      rel=1e-5)
    # both eigenvectors are drawn, and the axes hold the widest ellipse
    assert len(ax.get_lines()) - len(curves) == 2
    assert ax.get_xlim()[1] >= np.abs(curves[2].get_xdata()).max()


def test_a_rotation_has_no_real_eigenvector_to_draw():
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    fig, ax = new_figure()
    assert plot_circle_images(rotation, powers=(1,), ax=ax) is fig
    assert len(ax.get_lines()) == 1


@pytest.mark.parametrize(("W_bad", "powers", "error"), [
    (np.eye(3), (1,), ValueError),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), (1,), ValueError),
    (W, (), ValueError),
    (W, (-1,), ValueError),
    (W, (1.5,), TypeError),
    ([["a", "b"], ["c", "d"]], (1,), TypeError),
])
def test_circle_images_reject_bad_input(W_bad, powers, error):
    with pytest.raises(error):
        plot_circle_images(W_bad, powers=powers)


def test_product_norms_draw_measured_curves_solid_and_guides_grey():
    k = np.arange(5)
    measured = {"a": [1.0, 0.5, 0.25, 0.125, 0.0], "b": [1.0, 2.0, 1.0, 0.5, 0.25]}
    guides = {"bound": 10.0**k, "radius": 0.5**k}
    fig = plot_product_norms(k, measured, guides)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a", "b", "bound", "radius"]
    assert np.allclose(lines[1].get_ydata(), measured["b"])
    assert lines[0].get_ydata()[-1] > 0  # an exact zero stays on the log axis
    assert [line.get_linestyle() for line in lines] == ["-", "-", "--", ":"]
    assert lines[0].get_marker() != lines[1].get_marker()
    assert lines[2].get_color() == lines[3].get_color()
    low, high = ax.get_ylim()  # fits the measured curves (not the zero, not the bound)
    assert 1e-3 < low <= 0.125 and 2.0 <= high < 1e4
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize(("norms", "guides", "error"), [
    ({}, None, ValueError),
    ({"a": [1.0, 2.0]}, None, ValueError),  # k has three entries
    ({"a": [1.0, 2.0, 3.0]}, {"g": [1.0]}, ValueError),
    ({str(i): [1.0, 1.0, 1.0] for i in range(6)}, None, ValueError),
    ([[1.0, 2.0, 3.0]], None, TypeError),
    ({"a": ["x", "y", "z"]}, None, TypeError),
])
def test_product_norms_reject_bad_input(norms, guides, error):
    with pytest.raises(error):
        plot_product_norms(np.arange(3), norms, guides)
