"""Tests for lossbook.diagnostics (calibration, loss triage, soft targets, robust line fits)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lossbook as lb
from lossbook import demos


def _probs(seed, n=200, c=3):
    rng = np.random.default_rng(seed)
    return lb.softmax(rng.normal(scale=2.0, size=(n, c))), rng.integers(0, c, size=n)


def test_reliability_bins_by_hand():
    p = [[0.9, 0.1], [0.7, 0.3], [0.4, 0.6], [0.5, 0.5]]
    y = [0, 1, 1, 0]
    r = lb.reliability_bins(y, p, n_bins=2)
    # confidences 0.9, 0.7, 0.6, 0.5 -> bins (0, .5]: {0.5}; (.5, 1]: {0.9, 0.7, 0.6}
    assert r.counts.tolist() == [1, 3]
    np.testing.assert_allclose(r.confidence, [0.5, (0.9 + 0.7 + 0.6) / 3], rtol=1e-15)
    np.testing.assert_allclose(r.accuracy, [1.0, 2 / 3], rtol=1e-15)
    np.testing.assert_allclose(r.edges, [0, 0.5, 1])


def test_ece_matches_independent_loop():
    p, y = _probs(0)
    n_bins = 7
    conf, pred = p.max(1), p.argmax(1)
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(np.mean(pred[m] == y[m]) - conf[m].mean())
    assert lb.expected_calibration_error(y, p, n_bins=n_bins) == pytest.approx(total, rel=1e-12)


def test_ece_near_zero_for_calibrated_simulation():
    # Labels drawn from the predicted probabilities: calibrated by construction.
    rng = np.random.default_rng(5)
    p = lb.softmax(rng.normal(scale=1.5, size=(20000, 3)))
    y = (rng.random(20000)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    assert lb.expected_calibration_error(y, p) < 0.02
    # an overconfident model (sharpened probabilities) is not
    sharp = lb.softmax(3 * np.log(p))
    assert lb.expected_calibration_error(y, sharp) > 0.05


def test_reliability_errors():
    with pytest.raises(ValueError, match="y_prob rows must sum to 1"):
        lb.reliability_bins([0], [[0.5, 0.6]])
    with pytest.raises(ValueError, match="same number of samples"):
        lb.reliability_bins([0, 1], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="n_bins must be an int >= 1"):
        lb.expected_calibration_error([0], [[0.5, 0.5]], n_bins=0)


def test_largest_loss_per_class():
    y = [0, 0, 0, 1, 1, 2]
    loss = [0.1, 5.0, 3.0, 0.2, 0.4, 1.0]
    assert demos.largest_loss_per_class(y, loss, k=2).tolist() == [1, 2, 4, 3, 5]
    assert demos.largest_loss_per_class(y, loss, k=1).tolist() == [1, 4, 5]


def test_largest_loss_errors():
    with pytest.raises(ValueError, match="same shape"):
        demos.largest_loss_per_class([0, 1], [0.1], k=1)
    with pytest.raises(ValueError, match="k must be an int >= 1"):
        demos.largest_loss_per_class([0, 1], [0.1, 0.2], k=0)
    with pytest.raises(ValueError, match="losses must be finite"):
        demos.largest_loss_per_class([0, 1], [0.1, np.nan], k=1)


def test_detection_precision_recall():
    assert demos.detection_precision_recall([1, 2, 3, 4], [2, 4, 9]) == (0.5, pytest.approx(2 / 3))
    assert demos.detection_precision_recall([], [1]) == (0.0, 0.0)
    assert demos.detection_precision_recall([1], []) == (0.0, 1.0)
    with pytest.raises(ValueError, match="flagged must not repeat an index"):
        demos.detection_precision_recall([1, 1], [1])


def test_triage_finds_flipped_labels():  # claim A3
    rng = np.random.default_rng(0)
    n = 600
    y = np.arange(n) % 3
    centers = np.array([[0, 3.0], [-3, -1.5], [3, -1.5]])
    X = centers[y] + rng.normal(size=(n, 2))
    bad = rng.choice(n, size=30, replace=False)
    noisy = y.copy()
    noisy[bad] = (noisy[bad] + rng.integers(1, 3, size=30)) % 3
    fit = demos.train(X, noisy, model="softmax", lr=0.1, epochs=300, weight_decay=0.01)
    loss = lb.softmax_cross_entropy(noisy, fit.decision_function(X), reduction="none")
    flagged = demos.largest_loss_per_class(noisy, loss, k=10)
    precision, recall = demos.detection_precision_recall(flagged, bad)
    assert precision > 0.8 and recall > 0.8


def test_smooth_labels():
    t = lb.smooth_labels([0, 2], 3, alpha=0.3)
    np.testing.assert_allclose(t, [[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]], rtol=1e-15)
    np.testing.assert_array_equal(lb.smooth_labels([1], 3, alpha=0.0), [[0, 1, 0]])
    np.testing.assert_allclose(lb.smooth_labels([1], 4, alpha=1.0), [[0.25] * 4])
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\]"):
        lb.smooth_labels([0], 3, alpha=1.5)
    with pytest.raises(ValueError, match=r"y_true labels must be in \[0, 2\]"):
        lb.smooth_labels([3], 3, alpha=0.1)


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1), st.integers(2, 8), st.integers(0, 1000))
def test_smoothed_cross_entropy_decomposes(alpha, c, seed):
    # CE with smoothed targets = (1 - alpha) CE(onehot) + alpha * CE(uniform): linear in the target.
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3, size=(4, c))
    y = rng.integers(0, c, size=4)
    lhs = lb.softmax_cross_entropy(lb.smooth_labels(y, c, alpha=alpha), z)
    rhs = (1 - alpha) * lb.softmax_cross_entropy(y, z) + alpha * lb.softmax_cross_entropy(np.full((4, c), 1 / c), z)
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_mix_pseudo_labels_ratio_and_content():
    xl = np.arange(20.0).reshape(10, 2)
    xu = -np.arange(100.0).reshape(50, 2)
    x, y, is_p = demos.mix_pseudo_labels(xl, np.zeros(10, int), xu, np.ones(50, int), pseudo_fraction=1 / 3, seed=0)
    assert is_p.sum() == 5 and len(y) == 15  # 10 : 5 = 67 : 33
    assert np.array_equal(x[:10], xl) and np.all(y[is_p] == 1)
    assert len({tuple(r) for r in x[is_p]}) == 5  # without replacement
    x0, _, p0 = demos.mix_pseudo_labels(xl, np.zeros(10, int), xu, np.ones(50, int), pseudo_fraction=0, seed=0)
    assert p0.sum() == 0 and np.array_equal(x0, xl)
    a = demos.mix_pseudo_labels(xl, np.zeros(10, int), xu, np.ones(50, int), pseudo_fraction=0.5, seed=3)[0]
    b = demos.mix_pseudo_labels(xl, np.zeros(10, int), xu, np.ones(50, int), pseudo_fraction=0.5, seed=3)[0]
    assert np.array_equal(a, b)


def test_mix_pseudo_labels_errors():
    xl, yl = np.zeros((10, 2)), np.zeros(10, int)
    with pytest.raises(ValueError, match="needs 90 pseudo-labelled items, but x_unlabelled has only 5"):
        demos.mix_pseudo_labels(xl, yl, np.zeros((5, 2)), np.zeros(5, int), pseudo_fraction=0.9, seed=0)
    with pytest.raises(ValueError, match=r"pseudo_fraction must be in \[0, 1\)"):
        demos.mix_pseudo_labels(xl, yl, np.zeros((5, 2)), np.zeros(5, int), pseudo_fraction=1.0, seed=0)
    with pytest.raises(ValueError, match="same shape after the sample axis"):
        demos.mix_pseudo_labels(xl, yl, np.zeros((5, 3)), np.zeros(5, int), pseudo_fraction=0.1, seed=0)
    with pytest.raises(ValueError, match="one label per row of x_unlabelled"):
        demos.mix_pseudo_labels(xl, yl, np.zeros((5, 2)), np.zeros(4, int), pseudo_fraction=0.1, seed=0)


@pytest.mark.parametrize("loss, delta", [("mse", 1.0), ("huber", 1.0), ("huber", 0.3), ("mae", 1.0)])
def test_fit_linear_regression_minimises_the_loss(loss, delta):
    from scipy.optimize import minimize

    rng = np.random.default_rng(4)
    x = rng.uniform(-2, 2, size=60)
    y = 1.5 + 0.7 * x + rng.normal(scale=0.3, size=60)
    y[:6] += 8.0  # outliers
    f = {"mse": lambda p: float(lb.mse(y, p[0] + p[1] * x)),
         "mae": lambda p: float(lb.mae(y, p[0] + p[1] * x)),
         "huber": lambda p: float(lb.huber(y, p[0] + p[1] * x, delta=delta))}[loss]
    coef = demos.fit_linear_regression(x, y, loss=loss, delta=delta)
    ref = minimize(f, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
    assert f(coef) <= ref.fun + 1e-9


def test_fit_linear_regression_robustness_order():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 50)
    y = 2 * x + rng.normal(scale=0.05, size=50)
    y[-5:] += 10
    slopes = {k: demos.fit_linear_regression(x, y, loss=k)[1] for k in ("mse", "huber", "mae")}
    assert abs(slopes["mae"] - 2) < abs(slopes["huber"] - 2) < abs(slopes["mse"] - 2)


def test_fit_linear_regression_errors():
    with pytest.raises(ValueError, match="loss must be one of"):
        demos.fit_linear_regression([0, 1], [0, 1], loss="l3")
    with pytest.raises(ValueError, match="two distinct values"):
        demos.fit_linear_regression([1, 1], [0, 1])
    with pytest.raises(ValueError, match="x and y must have the same shape"):
        demos.fit_linear_regression([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="delta must be a finite number > 0"):
        demos.fit_linear_regression([0, 1], [0, 1], loss="huber", delta=0)
