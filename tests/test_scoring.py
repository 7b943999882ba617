"""Scoring rules and calibration summaries (lossbook._scoring, lossbook.demos.calibration)."""

import math

import mpmath as mp
import numpy as np
import pytest

import lossbook as lb
from lossbook import demos

mp.mp.dps = 50


# --- spherical score -----------------------------------------------------------------


def test_spherical_score_against_mpmath():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=20)
    p[0] = [1.0, 0.0, 0.0, 0.0]
    p[1] = [1e-300, 1e-300, 0.5, 0.5 - 2e-300]
    y = rng.integers(0, 4, size=20)
    got = lb.spherical_score(y, p, reduction="none")
    want = [float(mp.mpf(r[k]) / mp.sqrt(mp.fsum(mp.mpf(v) ** 2 for v in r))) for r, k in zip(p.tolist(), y.tolist())]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    assert lb.spherical_score(y, p) == pytest.approx(math.fsum(want) / 20, rel=1e-14)
    assert lb.spherical_score(y, p, reduction="sum") == pytest.approx(math.fsum(want), rel=1e-14)


def test_spherical_score_binary_is_the_two_column_form():
    f = np.array([0.0, 0.2, 0.5, 0.9, 1.0])
    y = np.array([0, 1, 1, 0, 1])
    np.testing.assert_array_equal(lb.spherical_score(y, f, reduction="none"),
                                  lb.spherical_score(y, np.stack([1 - f, f], 1), reduction="none"))


def test_spherical_score_is_strictly_proper():
    p = np.array([0.5, 0.3, 0.2])
    honest = sum(pk * lb.spherical_score([k], [p]) for k, pk in enumerate(p))
    rng = np.random.default_rng(1)
    for q in rng.dirichlet(np.ones(3), size=200):
        assert sum(pk * lb.spherical_score([k], [q]) for k, pk in enumerate(p)) < honest


@pytest.mark.parametrize("bad, match", [
    (dict(y_true=[0], y_prob=[[0.6, 0.6]]), "y_prob"),
    (dict(y_true=[2], y_prob=[[0.6, 0.4]]), "y_true"),
    (dict(y_true=[0], y_prob=[1.5]), "y_prob"),
    (dict(y_true=[0], y_prob=[[[0.5, 0.5]]]), "y_prob"),
])
def test_spherical_score_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        lb.spherical_score(**bad)


# --- reliability curve -----------------------------------------------------------------


def test_reliability_curve_matches_sklearn_calibration_curve():
    calibration_curve = pytest.importorskip("sklearn.calibration").calibration_curve
    rng = np.random.default_rng(2)
    f = rng.random(500)
    f[:5] = [0.0, 0.1, 0.5, 0.7, 1.0]  # values on bin edges
    o = (rng.random(500) < f).astype(int)
    for n_bins in (1, 3, 10, 15):
        r = lb.reliability_curve(o, f, n_bins=n_bins)
        prob_true, prob_pred = calibration_curve(o, f, n_bins=n_bins, strategy="uniform")
        keep = r.counts > 0
        np.testing.assert_allclose(r.observed[keep], prob_true, rtol=1e-13)
        np.testing.assert_allclose(r.mean_predicted[keep], prob_pred, rtol=1e-13)
        assert r.counts.sum() == 500


def test_reliability_curve_plain_python():
    f = [0.05, 0.15, 0.2, 0.8, 0.95, 0.95]
    o = [0, 0, 1, 1, 1, 0]
    r = lb.reliability_curve(o, f, n_bins=2)
    assert r.counts.tolist() == [3, 3]
    assert r.mean_predicted[0] == pytest.approx(math.fsum(f[:3]) / 3, rel=1e-15)
    assert r.observed.tolist() == [1 / 3, 2 / 3]
    r5 = lb.reliability_curve(o, f, n_bins=5)
    assert np.isnan(r5.observed[2]) and r5.counts[2] == 0


@pytest.mark.parametrize("bad, match", [
    (dict(y_true=[0, 1], y_prob=[0.2]), "y_true"),
    (dict(y_true=[0.5], y_prob=[0.2]), "y_true"),
    (dict(y_true=[1], y_prob=[1.2]), "y_prob"),
    (dict(y_true=[1], y_prob=[0.2], n_bins=0), "n_bins"),
    (dict(y_true=[], y_prob=[]), "y_prob"),
])
def test_reliability_curve_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        lb.reliability_curve(**bad)


# --- Brier decomposition ---------------------------------------------------------------


def _decomposition_by_hand(o, f, groups):
    n = len(o)
    obar = math.fsum(o) / n
    rel, res, wbv, wbc = [], [], [], []
    for idx in groups.values():
        fb = math.fsum(f[i] for i in idx) / len(idx)
        ob = math.fsum(o[i] for i in idx) / len(idx)
        rel.append(len(idx) * (fb - ob) ** 2)
        res.append(len(idx) * (ob - obar) ** 2)
        wbv += [(f[i] - fb) ** 2 for i in idx]
        wbc += [(f[i] - fb) * (o[i] - ob) for i in idx]
    return [math.fsum(rel) / n, math.fsum(res) / n, obar * (1 - obar), math.fsum(wbv) / n, math.fsum(wbc) / n]


def test_brier_decomposition_exact_for_discrete_forecasts():
    brier_score_loss = pytest.importorskip("sklearn.metrics").brier_score_loss
    rng = np.random.default_rng(3)
    f = rng.integers(0, 11, size=300) / 10
    o = (rng.random(300) < f).astype(int)
    d = lb.brier_decomposition(o, f)
    assert d.brier == pytest.approx(brier_score_loss(o, f), rel=1e-13)
    assert d.brier == pytest.approx(float(lb.brier_score(o, f)), rel=1e-13)
    # Brier's class form sums over both classes: twice the binary form
    assert float(lb.brier_score(o, np.stack([1 - f, f], 1))) == pytest.approx(2 * d.brier, rel=1e-13)
    assert d.within_variance == 0.0 and d.within_covariance == 0.0
    assert d.reliability - d.resolution + d.uncertainty == pytest.approx(d.brier, rel=1e-12)
    groups = {}
    for i, v in enumerate(f.tolist()):
        groups.setdefault(v, []).append(i)
    want = _decomposition_by_hand(o.tolist(), f.tolist(), groups)
    np.testing.assert_allclose(d[1:], want, rtol=1e-12, atol=1e-16)


def test_brier_decomposition_binned_has_within_bin_terms():
    rng = np.random.default_rng(4)
    f = rng.random(400)
    o = (rng.random(400) < f ** 2).astype(int)
    d = lb.brier_decomposition(o, f, n_bins=7)
    lhs = math.fsum((a - b) ** 2 for a, b in zip(f.tolist(), o.tolist())) / 400
    assert d.reliability - d.resolution + d.uncertainty + d.within_variance - 2 * d.within_covariance == \
        pytest.approx(lhs, rel=1e-12)
    groups = {}
    for i, v in enumerate(f.tolist()):
        groups.setdefault(max(math.ceil(v * 7) - 1, 0), []).append(i)
    np.testing.assert_allclose(d[1:], _decomposition_by_hand(o.tolist(), f.tolist(), groups), rtol=1e-11)
    assert d.within_variance > 0


def test_brier_decomposition_climatology():
    o = np.array([0, 1, 1, 0, 1])
    d = lb.brier_decomposition(o, np.full(5, 0.6))
    assert d.reliability == 0 and d.resolution == 0
    assert d.brier == pytest.approx(d.uncertainty, rel=1e-15)


@pytest.mark.parametrize("bad, match", [
    (dict(y_true=[0, 1], y_prob=[0.2, 0.3], n_bins=-1), "n_bins"),
    (dict(y_true=[0, 2], y_prob=[0.2, 0.3]), "y_true"),
    (dict(y_true=[0, 1], y_prob=[[0.2, 0.8]]), "y_prob"),
])
def test_brier_decomposition_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        lb.brier_decomposition(**bad)


# --- demos -----------------------------------------------------------------------------


def test_expected_binary_score_closed_forms():
    q = np.linspace(0.01, 0.99, 99)
    p = 0.3
    np.testing.assert_allclose(demos.expected_binary_score("brier", p, q), (q - p) ** 2 + p * (1 - p), rtol=1e-13)
    np.testing.assert_allclose(demos.expected_binary_score("hinge", p, q), 1 + (2 * q - 1) * (1 - 2 * p), rtol=1e-13)
    np.testing.assert_allclose(demos.expected_binary_score("log", p, q),
                               -p * np.log(q) - (1 - p) * np.log1p(-q), rtol=1e-13)
    for rule in ("log", "brier", "spherical"):
        assert q[np.argmin(demos.expected_binary_score(rule, p, q))] == pytest.approx(p)
    with pytest.raises(ValueError, match="rule"):
        demos.expected_binary_score("absolute", p, q)
    with pytest.raises(ValueError, match="p_true"):
        demos.expected_binary_score("brier", 1.5, q)


def test_ece_bias_simulation_is_seeded_and_positive():
    m1, s1 = demos.ece_bias_simulation([50, 500], [5, 20], n_reps=20, seed=1)
    m2, s2 = demos.ece_bias_simulation([50, 500], [5, 20], n_reps=20, seed=1)
    np.testing.assert_array_equal(m1, m2)
    assert np.all(m1 > 0) and np.all(s1 > 0)
    assert m1[0, 1] > m1[0, 0] and m1[1, 0] < m1[0, 0]


def test_ece_bias_simulation_matches_the_normal_approximation():
    # A calibrated model, N = 2000 items, B = 10 bins: the mean binned ECE is within
    # 4 SE of sqrt(2/(pi N)) sum_b sqrt(int_{I_b} c(1-c) dF), F uniform on [1/2, 1]
    # (density 2, antiderivative of 2c(1-c): c^2 - 2c^3/3), here ~400 items per bin.
    n, n_bins = 2000, 10
    mean, se = demos.ece_bias_simulation([n], [n_bins], n_reps=200, seed=5)
    prim = lambda c: c * c - 2 * c**3 / 3
    edges = [0.5 + 0.1 * k for k in range(6)]
    approx = math.sqrt(2 / (math.pi * n)) * math.fsum(
        math.sqrt(prim(hi) - prim(lo)) for lo, hi in zip(edges[:-1], edges[1:])
    )
    assert abs(mean[0, 0] - approx) < 4 * se[0, 0]
    # 4 SE is about a tenth of the value; drawing outcomes at rate f**1.5 instead of f
    # (miscalibrated) raises the mean ECE several-fold, far outside it
    assert se[0, 0] < 0.03 * approx


def test_ece_bias_simulation_draws_calibrated_outcomes():
    # Rebuild the demo's draws with the same seed: the outcomes come true at the rate of
    # the forecasts, and the demo's ECE is lossbook's ECE of those rows.
    mean, _ = demos.ece_bias_simulation([400], [5, 20], n_reps=3, seed=9)
    rng = np.random.default_rng(9)
    vals = []
    for _ in range(3):
        f = rng.random(400)
        o = (rng.random(400) < f).astype(int)
        rows = np.stack([1 - f, f], axis=1)
        vals.append([lb.expected_calibration_error(o, rows, n_bins=b) for b in (5, 20)])
    np.testing.assert_allclose(mean[0], np.mean(vals, axis=0), rtol=1e-13)


def _focal_steps_plain(X, y, n_steps, gamma, lam, lr, c=3):
    """Gradient steps on mean -(1 - q_y)^gamma log q_y + lam/2 ||W||^2, plain Python.

    d loss_i / d z_k = [gamma (1 - q_y)^(gamma - 1) q_y log q_y - (1 - q_y)^gamma]
    (1[k = y] - q_k), divided by N for the mean.
    """
    Xl, d, n = X.tolist(), X.shape[1], len(y)
    W, b = [[0.0] * c for _ in range(d)], [0.0] * c
    for _ in range(n_steps):
        G, gb = [[0.0] * c for _ in range(d)], [0.0] * c
        for x, yy in zip(Xl, y.tolist()):
            z = [math.fsum(x[j] * W[j][k] for j in range(d)) + b[k] for k in range(c)]
            m = max(z)
            e = [math.exp(v - m) for v in z]
            tot = math.fsum(e)
            q = [v / tot for v in e]
            qy = q[yy]
            coef = gamma * (1 - qy) ** (gamma - 1) * qy * math.log(qy) - (1 - qy) ** gamma
            for k in range(c):
                g = coef * ((k == yy) - q[k]) / n
                gb[k] += g
                for j in range(d):
                    G[j][k] += x[j] * g
        W = [[W[j][k] - lr * (G[j][k] + lam * W[j][k]) for k in range(c)] for j in range(d)]
        b = [b[k] - lr * gb[k] for k in range(c)]
    return np.array(W), np.array(b)


@pytest.mark.parametrize("gamma, lam", [(3.0, 0.0), (1.5, 0.05)])
def test_train_softmax_variant_focal_steps_match_plain_python(gamma, lam):
    X, y = demos.make_calibration_problem(25, n_noise=3, seed=4)
    W, b = demos.train_softmax_variant(X, y, epochs=3, focal_gamma=gamma, weight_decay=lam)
    W_p, b_p = _focal_steps_plain(X, y, 3, gamma, lam, lr=0.5)
    np.testing.assert_allclose(W, W_p, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(b, b_p, rtol=1e-11, atol=1e-14)
    assert np.abs(W).max() > 1e-3  # the steps moved


def test_train_softmax_variant_reduces_confidence():
    X, y = demos.make_calibration_problem(150, seed=0)
    W0, b0 = demos.train_softmax_variant(X, y, epochs=300)
    W1, b1 = demos.train_softmax_variant(X, y, epochs=300, weight_decay=0.1)
    assert np.linalg.norm(W1) < np.linalg.norm(W0)
    W2, b2 = demos.train_softmax_variant(X, y, epochs=300, focal_gamma=2.0)
    assert np.all(np.isfinite(W2))
