"""Regression tests, named after what broke."""

import numpy as np

import lossbook as lb


def test_regression_perfect_prediction_gives_positive_zero_not_negative_zero():
    """-log(1) is -0.0 in IEEE arithmetic; a loss of zero must print as 0, not -0."""
    import math

    for reduction in ("none", "mean", "sum"):
        out = np.atleast_1d(lb.binary_cross_entropy([1.0, 0.0], [1.0, 0.0], reduction=reduction))
        assert all(v == 0.0 and math.copysign(1.0, v) == 1.0 for v in out)
    assert math.copysign(1.0, lb.mse([2.0], [2.0])) == 1.0
