"""Tests for lossbook._regularisation and lossbook.demos.priors.

Oracles: mpmath at 50 digits (penalties as negative log-priors), scikit-learn
(Ridge, Lasso: test-only), SciPy (Beta distribution, scalar minimisation), and
the closed forms of the Beta posterior.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import optimize, stats

import lossbook as lb
from lossbook import demos

mp.mp.dps = 50
sklearn_linear = pytest.importorskip("sklearn.linear_model")


def _problem(seed=0, n=50, d=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, y


# -- penalties --------------------------------------------------------------------


def test_l2_penalty_is_minus_log_gaussian_prior_up_to_its_constant():
    w = np.random.default_rng(1).normal(scale=2, size=9)
    lam = 0.37
    nlp = -mp.fsum(mp.log(mp.npdf(mp.mpf(v), 0, 1 / mp.sqrt(lam))) for v in w)
    const = w.size / 2 * math.log(2 * math.pi / lam)
    assert lb.l2_penalty(w, lam) + const == pytest.approx(float(nlp), rel=1e-14)


def test_l1_penalty_is_minus_log_laplace_prior_up_to_its_constant():
    w = np.random.default_rng(2).normal(scale=2, size=9)
    b = 0.6
    nlp = -mp.fsum(mp.log(mp.exp(-abs(mp.mpf(v)) / b) / (2 * b)) for v in w)
    assert lb.l1_penalty(w, 1 / b) + w.size * math.log(2 * b) == pytest.approx(float(nlp), rel=1e-14)


def test_l2_penalty_grad_matches_central_differences():
    w = np.array([0.3, -2.0, 5.0])
    num = lb.numerical_gradient(lambda v: lb.l2_penalty(v, 0.8), w)
    np.testing.assert_allclose(lb.l2_penalty_grad(w, 0.8), num, rtol=1e-8)


def test_penalties_of_huge_weights_overflow_to_inf_without_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lb.l2_penalty([1e200, 1e200], 1.0) == math.inf
        assert lb.l1_penalty([1e308, 1e308], 10.0) == math.inf
    assert lb.l2_penalty([1e150], 2.0) == pytest.approx(1e300, rel=1e-15)


def test_penalties_of_zero_strength_or_empty_weights_are_zero():
    assert lb.l2_penalty([1.0, 2.0], 0.0) == 0.0
    assert lb.l1_penalty([], 1.0) == 0.0
    assert lb.l2_penalty(np.zeros(3), 1.0) == 0.0


@pytest.mark.parametrize("fn", [lb.l2_penalty, lb.l2_penalty_grad, lb.l1_penalty])
def test_penalties_reject_negative_strength_and_nonfinite_weights(fn):
    with pytest.raises(ValueError, match="strength must be a finite number >= 0, got -1"):
        fn([1.0], -1.0)
    with pytest.raises(ValueError, match="w must be finite"):
        fn([1.0, np.nan], 1.0)
    with pytest.raises(TypeError, match="strength must be a real number"):
        fn([1.0], "big")


# -- soft thresholding ----------------------------------------------------------


@pytest.mark.parametrize("t", [0.0, 0.5, 2.0])
def test_soft_threshold_minimises_squared_error_plus_l1(t):
    for z in np.linspace(-4, 4, 33):
        res = optimize.minimize_scalar(lambda w: 0.5 * (w - z) ** 2 + t * abs(w), bounds=(-6, 6),
                                       method="bounded", options={"xatol": 1e-11})
        assert float(lb.soft_threshold(z, t)) == pytest.approx(res.x, abs=1e-7)


def test_soft_threshold_gives_exact_zeros_inside_the_threshold():
    out = lb.soft_threshold([-1.0, -0.3, 0.0, 0.99, 1.0], 1.0)
    assert np.all(out == 0.0)


def test_soft_threshold_rejects_negative_threshold():
    with pytest.raises(ValueError, match="threshold must be a finite number >= 0"):
        lb.soft_threshold([1.0], -0.1)


# -- ridge and lasso against scikit-learn --------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0, 100.0])
def test_fit_ridge_is_sklearn_ridge_without_intercept(alpha):
    X, y = _problem()
    ref = sklearn_linear.Ridge(alpha=alpha, fit_intercept=False, solver="svd").fit(X, y).coef_
    np.testing.assert_allclose(lb.fit_ridge(X, y, alpha), ref, rtol=1e-10, atol=1e-12)


def test_fit_ridge_alpha_is_noise_over_prior_variance():
    """alpha = sigma^2 / tau^2: the MAP of the Gaussian likelihood and prior."""
    X, y = _problem(3)
    sigma, tau = 0.7, 0.4

    def neg_log_post(w):
        return np.sum((y - X @ w) ** 2) / (2 * sigma**2) + np.sum(w**2) / (2 * tau**2)

    w_map = optimize.minimize(neg_log_post, np.zeros(X.shape[1]), method="BFGS", options={"gtol": 1e-11}).x
    ref = sklearn_linear.Ridge(alpha=sigma**2 / tau**2, fit_intercept=False).fit(X, y).coef_
    np.testing.assert_allclose(ref, w_map, rtol=1e-6)
    np.testing.assert_allclose(lb.fit_ridge(X, y, sigma**2 / tau**2), w_map, rtol=1e-6)


@pytest.mark.parametrize("alpha", [0.001, 0.05, 0.3, 2.0])
def test_fit_lasso_is_sklearn_lasso_without_intercept(alpha):
    X, y = _problem(4)
    ref = sklearn_linear.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    np.testing.assert_allclose(lb.fit_lasso(X, y, alpha), ref, rtol=1e-7, atol=1e-9)


def test_fit_lasso_alpha_is_noise_over_n_times_laplace_scale():
    """alpha = sigma^2/(n b): sklearn's Lasso objective times n/sigma^2 is the negative log-posterior."""
    X, y = _problem(5, n=40, d=4)
    n = X.shape[0]
    sigma, b = 0.8, 0.2
    alpha = sigma**2 / (n * b)
    w_hat = lb.fit_lasso(X, y, alpha)

    def neg_log_post(w):
        return np.sum((y - X @ w) ** 2) / (2 * sigma**2) + np.sum(np.abs(w)) / b

    # the lasso solution minimises the negative log-posterior: no random perturbation improves it
    rng = np.random.default_rng(0)
    best = neg_log_post(w_hat)
    for _ in range(200):
        assert neg_log_post(w_hat + 1e-3 * rng.normal(size=w_hat.size)) >= best
    ref = sklearn_linear.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    np.testing.assert_allclose(w_hat, ref, rtol=1e-7, atol=1e-9)


def test_fit_lasso_satisfies_the_optimality_conditions():
    X, y = _problem(6)
    alpha = 0.5
    w = lb.fit_lasso(X, y, alpha)
    corr = X.T @ (y - X @ w) / X.shape[0]
    on = w != 0
    assert on.any() and (~on).any()
    np.testing.assert_allclose(corr[on], alpha * np.sign(w[on]), rtol=1e-9)
    assert np.all(np.abs(corr[~on]) <= alpha * (1 + 1e-12))


def test_fit_lasso_is_all_zero_from_alpha_max():
    X, y = _problem(7)
    alpha_max = np.max(np.abs(X.T @ y)) / X.shape[0]
    assert np.all(lb.fit_lasso(X, y, alpha_max * 1.0001) == 0)
    assert np.any(lb.fit_lasso(X, y, alpha_max * 0.99) != 0)


def test_fits_reject_mismatched_rows_and_bad_strength():
    X, y = _problem()
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        lb.fit_ridge(X, y[:-1], 1.0)
    with pytest.raises(ValueError, match="strength must be a finite number >= 0"):
        lb.fit_lasso(X, y, -1.0)
    with pytest.raises(ValueError, match="X must"):
        lb.fit_ridge(X[0], y, 1.0)


def test_fit_ridge_of_a_zero_design_is_zero():
    assert np.all(lb.fit_ridge(np.zeros((3, 2)), [1.0, 2.0, 3.0], 1.0) == 0)
    assert np.all(lb.fit_lasso(np.zeros((3, 2)), [1.0, 2.0, 3.0], 1.0) == 0)


# -- Beta-Bernoulli -------------------------------------------------------------


@pytest.mark.parametrize("k,n,a,b", [(3, 10, 2.0, 2.0), (0, 5, 1.5, 3.0), (9, 9, 2.0, 1.0), (40, 100, 5.0, 2.0)])
def test_beta_bernoulli_mean_and_mode_match_scipy(k, n, a, b):
    post = stats.beta(a + k, b + n - k)
    assert lb.beta_bernoulli_mean(k, n, a, b) == pytest.approx(post.mean(), rel=1e-14)
    res = optimize.minimize_scalar(lambda p: -post.logpdf(p), bounds=(0, 1), method="bounded",
                                   options={"xatol": 1e-12})
    assert lb.beta_bernoulli_map(k, n, a, b) == pytest.approx(res.x, abs=1e-7)


def test_add_one_smoothing_is_the_beta11_mean_and_the_beta22_mode():
    for k in range(8):
        assert lb.beta_bernoulli_mean(k, 7) == pytest.approx((k + 1) / 9, rel=1e-15)
        assert lb.beta_bernoulli_map(k, 7, 2.0, 2.0) == pytest.approx((k + 1) / 9, rel=1e-15)
    assert lb.beta_bernoulli_map(0, 7) == 0.0  # a flat prior leaves the MLE on the boundary


def _mp_beta_argmax(al, be):
    """Golden-section maximiser of the Beta(al, be) density on [0, 1], mpmath at 40 digits."""
    with mp.workdps(40):
        al, be = mp.mpf(al), mp.mpf(be)
        dens = lambda p: p ** (al - 1) * (1 - p) ** (be - 1)  # noqa: E731
        lo, hi, g = mp.mpf(0), mp.mpf(1), (mp.sqrt(5) - 1) / 2
        for _ in range(200):
            c1, c2 = hi - g * (hi - lo), lo + g * (hi - lo)
            if dens(c1) > dens(c2):
                hi = c2
            else:
                lo = c1
        return float((lo + hi) / 2)


@pytest.mark.parametrize("k,n,a,b", [
    (3, 10, 0.5, 0.5),    # Jeffreys prior, interior mode 2.5 / 9
    (1, 6, 0.3, 0.2),     # both posterior parameters > 1
    (1, 6, 1e-9, 2.0),    # k + a just above 1: mode near 0
    (0, 10, 1.0, 0.5),    # k + a = 1: mode on the boundary 0
    (10, 10, 0.5, 1.0),   # n - k + b = 1: mode on the boundary 1
    (4, 4, 0.2, 1.0),     # the same with a < 1
])
def test_beta_bernoulli_map_allows_small_priors_when_the_posterior_has_a_mode(k, n, a, b):
    # regression: a < 1 or b < 1 used to be refused even when Beta(k + a, n - k + b) has a
    # unique finite maximiser
    got = lb.beta_bernoulli_map(k, n, a, b)
    assert got == pytest.approx(_mp_beta_argmax(k + a, n - k + b), abs=1e-12)
    with mp.workdps(40):  # the closed form, evaluated without cancellation
        exact = (k - 1 + mp.mpf(a)) / (n - 2 + mp.mpf(a) + mp.mpf(b))
    assert got == pytest.approx(float(exact), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("k,n,a,b,msg", [
    (0, 10, 0.5, 2.0, "a must be >= 1 when k = 0"),
    (10, 10, 2.0, 0.5, "b must be >= 1 when k = n"),
    (0, 0, 0.5, 0.5, "a must be >= 1 when k = 0"),
])
def test_beta_bernoulli_map_refuses_an_unbounded_posterior(k, n, a, b, msg):
    al, be = k + a, n - k + b
    with mp.workdps(30):  # the density really is unbounded at a boundary
        dens = lambda p: mp.mpf(p) ** (al - 1) * (1 - mp.mpf(p)) ** (be - 1)  # noqa: E731
        assert max(dens(mp.mpf(10) ** -30), dens(1 - mp.mpf(10) ** -30)) > 1e10
    with pytest.raises(ValueError, match=msg):
        lb.beta_bernoulli_map(k, n, a, b)


def test_beta_bernoulli_rejects_bad_counts_and_priors():
    with pytest.raises(ValueError, match=r"k must be in \[0, n\]"):
        lb.beta_bernoulli_mean(5, 3)
    with pytest.raises(TypeError, match="k must be an integer count"):
        lb.beta_bernoulli_mean(1.5, 3)
    with pytest.raises(ValueError, match="a must be >= 1 when k = 0"):
        lb.beta_bernoulli_map(0, 3, 0.5, 2.0)
    with pytest.raises(ValueError, match="b must be >= 1 when k = n"):
        lb.beta_bernoulli_map(3, 3, 2.0, 0.999)
    with pytest.raises(ValueError, match="n \\+ a \\+ b must exceed 2"):
        lb.beta_bernoulli_map(0, 0, 1.0, 1.0)
    with pytest.raises(ValueError, match="b must be a finite number > 0"):
        lb.beta_bernoulli_mean(1, 3, 1.0, 0.0)


# -- demos --------------------------------------------------------------------


def test_separable_data_is_separated_by_the_diagonal():
    X, y = demos.make_separable_data(60, margin=0.3, seed=2)
    s = (X[:, 1] + X[:, 2]) / math.sqrt(2)
    assert np.all((s > 0) == (y == 1)) and np.all(np.abs(s) >= 0.3 - 1e-12)
    assert 0 < y.sum() < y.size


def test_logistic_descent_uses_the_penalised_gradient():
    X, y = demos.make_separable_data(20, seed=1)
    path = demos.logistic_descent(X, y, strength=0.1, learning_rate=0.5, n_steps=1)
    obj = lambda w: lb.binary_cross_entropy_with_logits(y, X @ w) + lb.l2_penalty(w, 0.1)  # noqa: E731
    w1 = np.array([0.2, -0.1, 0.3])
    p2 = demos.logistic_descent(X, y, strength=0.1, learning_rate=0.5, n_steps=1)
    np.testing.assert_allclose(path[1], -0.5 * lb.numerical_gradient(obj, np.zeros(3)), rtol=1e-8)
    assert p2.shape == (2, 3)
    assert obj(w1) > 0


def test_adam_step_decoupled_decay_is_eta_lambda_w():
    w = np.array([1.0, -2.0])
    g = np.array([0.5, 3.0])
    plain, s1 = demos.adam_step(w, g, None, learning_rate=0.01)
    dec, _ = demos.adam_step(w, g, None, learning_rate=0.01, decoupled=0.1)
    np.testing.assert_allclose(plain - dec, 0.01 * 0.1 * w, rtol=1e-12)
    # first step of Adam: the step is eta * g / (|g| + eps)
    np.testing.assert_allclose(w - plain, 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert s1.t == 1


def test_ridge_bias_variance_simulation_matches_its_exact_values():
    sim = demos.ridge_bias_variance([0.1, 10.0], n=20, d=5, n_repeats=300, seed=1)
    total = sim.bias2_exact + sim.variance_exact
    se = sim.errors.std(axis=0, ddof=1) / math.sqrt(sim.errors.shape[0])
    assert np.all(np.abs(sim.errors.mean(axis=0) - total) < 4 * se)
    assert sim.bias2_exact[0] < sim.bias2_exact[1] and sim.variance_exact[0] > sim.variance_exact[1]


def test_ridge_validation_curve_training_error_rises_with_strength():
    X, y = _problem(8, n=30, d=10)
    Xv, yv = _problem(9, n=50, d=10)
    tr, va = demos.ridge_validation_curve(X, y, Xv, yv, [0.0, 1.0, 10.0, 100.0])
    assert np.all(np.diff(tr) > 0) and va.shape == (4,)
    w = lb.fit_ridge(X, y, 10.0)
    assert va[2] == pytest.approx(lb.mse(yv, Xv @ w), rel=1e-12)
    with pytest.raises(ValueError, match="strengths must be >= 0"):
        demos.ridge_validation_curve(X, y, Xv, yv, [-1.0])
