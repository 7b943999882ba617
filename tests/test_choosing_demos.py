"""Demos of the chapter "Choosing and debugging a loss" (lossbook/demos/choosing.py).

Oracles: SciPy (linprog for quantile regression, brentq for the focal minimiser, optimize for
the log-linear fits), scikit-learn (weighted logistic regression), and closed forms.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

import lossbook as lb
from lossbook import demos


# --- make_imbalanced_binary -------------------------------------------------


def test_imbalanced_posterior_is_bayes_rule_of_the_two_normals():
    x, y, p = demos.make_imbalanced_binary(50, prior=0.2, separation=1.5, seed=3)
    from scipy.stats import norm

    num = 0.2 * norm.pdf(x, 1.5, 1)
    np.testing.assert_allclose(p, num / (num + 0.8 * norm.pdf(x, 0, 1)), rtol=1e-12)
    assert set(np.unique(y)) <= {0, 1}


def test_imbalanced_prior_and_seed():
    _, y, _ = demos.make_imbalanced_binary(40000, prior=0.1, seed=0)
    assert abs(y.mean() - 0.1) < 4 * math.sqrt(0.09 / 40000)
    a = demos.make_imbalanced_binary(10, seed=4)
    b = demos.make_imbalanced_binary(10, seed=4)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("kw, match", [
    (dict(prior=0.0), "prior must be strictly between 0 and 1"),
    (dict(prior=True), "prior must be a real number"),
    (dict(separation=-1.0), "separation must be > 0"),
    (dict(seed=-1), "seed"),
])
def test_imbalanced_errors(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        demos.make_imbalanced_binary(10, **kw)


# --- fit_weighted_logistic ---------------------------------------------------


def test_weighted_logistic_matches_sklearn():
    sk = pytest.importorskip("sklearn.linear_model")
    x, y, _ = demos.make_imbalanced_binary(3000, seed=2)
    for w in [(1.0, 1.0), (1.0, 9.0), (2.0, 0.5)]:
        coef, b = demos.fit_weighted_logistic(x, y, weights=w)
        ref = sk.LogisticRegression(C=1e12, tol=1e-12, max_iter=10000,
                                    class_weight={0: w[0], 1: w[1]})
        ref.fit(x[:, None], y)
        np.testing.assert_allclose(coef, ref.coef_[0], rtol=1e-5)
        assert abs(b - ref.intercept_[0]) < 1e-5 * (1 + abs(b))


def test_weighted_logistic_gradient_is_zero_at_the_fit():
    x, y, _ = demos.make_imbalanced_binary(500, seed=8)
    X = np.column_stack([x, x ** 2 / 4])
    coef, b = demos.fit_weighted_logistic(X, y, weights=(1.0, 4.0))
    sw = np.where(y == 1, 4.0, 1.0)
    r = sw * (lb.sigmoid(X @ coef + b) - y)
    assert np.max(np.abs(np.r_[X.T @ r, r.sum()])) < 1e-8


def test_weighted_logistic_errors():
    x, y, _ = demos.make_imbalanced_binary(50, seed=1)
    with pytest.raises(ValueError, match="weights must be a pair"):
        demos.fit_weighted_logistic(x, y, weights=(1.0,))
    with pytest.raises(ValueError, match="weights must be > 0"):
        demos.fit_weighted_logistic(x, y, weights=(1.0, 0.0))
    with pytest.raises(ValueError, match="both classes"):
        demos.fit_weighted_logistic(x, np.zeros(50, dtype=int))
    with pytest.raises(ValueError, match="same length"):
        demos.fit_weighted_logistic(x[:-1], y)
    with pytest.raises(TypeError, match="x"):
        demos.fit_weighted_logistic(np.array(["a"] * 50, dtype=object), y)


# --- binary_focal_minimiser --------------------------------------------------


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 5.0])
def test_focal_minimiser_against_brentq_and_scalar_minimisation(gamma):
    def dR(q, p):
        f1 = lambda u: gamma * (1 - u) ** (gamma - 1) * math.log(u) - (1 - u) ** gamma / u
        return p * f1(q) - (1 - p) * f1(1 - q)

    def R(z, p):
        return float(p * lb.binary_focal_loss([1.0], [z], gamma=gamma)
                     + (1 - p) * lb.binary_focal_loss([0.0], [z], gamma=gamma))

    for p in [0.02, 0.2, 0.45, 0.7, 0.97]:
        q = float(demos.binary_focal_minimiser(p, gamma=gamma))
        ref = optimize.brentq(dR, 1e-9, 1 - 1e-9, args=(p,), xtol=1e-15)
        assert abs(q - ref) < 1e-10
        zmin = optimize.minimize_scalar(R, bounds=(-15, 15), method="bounded", args=(p,),
                                        options={"xatol": 1e-9}).x
        assert abs(q - float(lb.sigmoid(zmin))) < 1e-5


def test_focal_minimiser_properties():
    p = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(demos.binary_focal_minimiser(p, gamma=0.0), p, rtol=1e-13)
    q = demos.binary_focal_minimiser(p, gamma=2.0)
    assert np.all(np.diff(q) > 0)
    np.testing.assert_allclose(q + q[::-1], 1.0, atol=1e-13)  # symmetry q*(1-p) = 1 - q*(p)
    assert demos.binary_focal_minimiser(p.reshape(9, 11), gamma=1.0).shape == (9, 11)


@pytest.mark.parametrize("p, kw, match", [
    (1.0, {}, "p must be strictly between 0 and 1"),
    (0.5, dict(gamma=-1.0), "gamma must be >= 0"),
    (0.5, dict(gamma=True), "gamma must be a real number"),
    (np.nan, {}, "p"),
])
def test_focal_minimiser_errors(p, kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        demos.binary_focal_minimiser(p, **kw)


# --- bayes_action and threshold_cost_curve -----------------------------------


def test_bayes_action_brute_force_and_threshold():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(4), size=300)
    Cm = rng.uniform(0, 5, size=(3, 4))
    ref = [min(range(3), key=lambda a: sum(Cm[a, k] * row[k] for k in range(4))) for row in P]
    assert demos.bayes_action(P, Cm).tolist() == ref
    p = np.linspace(0.001, 0.999, 999)
    act = demos.bayes_action(np.column_stack([1 - p, p]), [[0, 3.0], [1.0, 0]])
    assert np.array_equal(act, (p > 0.25).astype(int))


def test_bayes_action_errors():
    with pytest.raises(ValueError, match="cost must have one column per class"):
        demos.bayes_action([[0.5, 0.5]], [[0, 1, 2]])
    with pytest.raises(ValueError, match="probs"):
        demos.bayes_action([[0.5, 0.6]], [[0, 1], [1, 0]])


def test_threshold_cost_curve_by_hand():
    y = np.array([0, 0, 1, 1, 0])
    p = np.array([0.1, 0.6, 0.4, 0.9, 0.3])
    got = demos.threshold_cost_curve(y, p, [0.0, 0.35, 0.5, 0.95], c_fp=2.0, c_fn=5.0)
    # t = 0: all positive -> 3 false positives; t = 0.35: FP at 0.6 (2), no FN;
    # t = 0.5: FP 0.6, FN 0.4; t = 0.95: FN 0.4 and 0.9
    np.testing.assert_allclose(got, np.array([6.0, 2.0, 7.0, 10.0]) / 5)
    with pytest.raises(ValueError, match="c_fp must be >= 0"):
        demos.threshold_cost_curve(y, p, [0.5], c_fp=-1.0, c_fn=1.0)
    with pytest.raises(ValueError, match="y_prob"):
        demos.threshold_cost_curve(y, p + 1, [0.5], c_fp=1.0, c_fn=1.0)


# --- counts -------------------------------------------------------------------


def test_log_linear_fits_against_scipy():
    x, y = demos.make_count_data(300, seed=3)
    A = np.column_stack([np.ones_like(x), x])
    pois = optimize.minimize(lambda t: float(lb.poisson_nll(y, A @ t)), [0.0, 0.0],
                             jac=lambda t: A.T @ lb.poisson_nll_grad(y, A @ t),
                             method="BFGS", options={"gtol": 1e-12})
    np.testing.assert_allclose(demos.fit_log_linear(x, y), pois.x, rtol=1e-6)
    ls = optimize.least_squares(lambda t: np.exp(A @ t) - y, pois.x, xtol=1e-15, ftol=1e-15)
    np.testing.assert_allclose(demos.fit_log_linear(x, y, loss="mse"), ls.x, rtol=1e-6)


def test_count_data_and_fit_errors():
    x, y = demos.make_count_data(100, seed=0)
    assert np.all(y == np.round(y)) and np.all(y >= 0)
    with pytest.raises(ValueError, match="y must be counts >= 0"):
        demos.fit_log_linear(x, -y - 1)
    with pytest.raises(ValueError, match="at least one positive count"):
        demos.fit_log_linear(x, np.zeros_like(y))
    with pytest.raises(ValueError, match="loss"):
        demos.fit_log_linear(x, y, loss="huber")
    with pytest.raises(ValueError, match="same shape"):
        demos.fit_log_linear(x[:-1], y)


# --- quantiles ----------------------------------------------------------------


@pytest.mark.parametrize("tau", [0.05, 0.5, 0.9])
def test_linear_quantile_matches_linprog(tau):
    x, y = demos.make_heteroscedastic(80, seed=5)
    n = len(x)
    # min tau 1'u + (1 - tau) 1'v  s.t.  a + b x + u - v = y, u, v >= 0
    c = np.r_[0.0, 0.0, np.full(n, tau), np.full(n, 1 - tau)]
    A_eq = np.column_stack([np.ones(n), x, np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * n)
    res = optimize.linprog(c, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs")
    ab = demos.fit_linear_quantile(x, y, quantile=tau)
    got = float(lb.pinball_loss(y, ab[0] + ab[1] * x, quantile=tau, reduction="sum"))
    assert abs(got - res.fun) < 1e-9 * (1 + res.fun)


def test_linear_quantile_errors_and_exact_line():
    np.testing.assert_allclose(demos.fit_linear_quantile([0, 1, 2, 3], [1, 3, 5, 7]), [1.0, 2.0])
    with pytest.raises(ValueError, match="two distinct values"):
        demos.fit_linear_quantile([1, 1, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="quantile must be strictly between 0 and 1"):
        demos.fit_linear_quantile([0, 1], [0, 1], quantile=1.0)
    with pytest.raises(ValueError, match="between 2 and 2000"):
        demos.fit_linear_quantile([0.0], [1.0])


def test_heteroscedastic_quantiles():
    x, y = demos.make_heteroscedastic(40000, seed=2)
    from scipy.stats import norm

    q90 = 1 + x + (0.2 + 0.3 * x) * norm.ppf(0.9)
    assert abs(np.mean(y <= q90) - 0.9) < 4 * math.sqrt(0.09 / 40000)
