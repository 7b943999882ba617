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
    # separable data: no finite minimiser (the Hessian becomes singular)
    with pytest.raises(ValueError, match="linearly separable by x"):
        demos.fit_weighted_logistic([0.0, 1.0, 2.0, 3.0], [0, 0, 1, 1])
    # separable with a wide gap and many items: the steps never shrink
    xs = np.r_[np.linspace(-3, -1, 40), np.linspace(1, 3, 40)]
    with pytest.raises(ValueError, match="separable"):
        demos.fit_weighted_logistic(xs, (xs > 0).astype(int))
    # too few Newton steps on ordinary data: a clear error, not a wrong fit
    with pytest.raises(ValueError, match="did not converge in n_iter=1 steps"):
        demos.fit_weighted_logistic(x, y, n_iter=1)


def test_weighted_logistic_stops_when_converged():
    x, y, _ = demos.make_imbalanced_binary(3000, seed=2)
    a = demos.fit_weighted_logistic(x, y, weights=(1.0, 9.0))
    b = demos.fit_weighted_logistic(x, y, weights=(1.0, 9.0), n_iter=500)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]


# --- binary_focal_inverse ----------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
def test_focal_inverse_undoes_the_minimiser(gamma):
    p = np.linspace(0.01, 0.99, 99)
    q = demos.binary_focal_minimiser(p, gamma=gamma)
    np.testing.assert_allclose(demos.binary_focal_inverse(q, gamma=gamma), p, rtol=1e-9)


@pytest.mark.parametrize("gamma", [0.5, 2.0, 5.0])
def test_focal_inverse_against_scipy_minimisation(gamma):
    # an independent route: for the p the closed form returns, SciPy's bounded
    # scalar minimiser of the expected focal loss (library loss) lands on q
    for q in (0.1, 0.35, 0.5, 0.8, 0.93):
        p = float(demos.binary_focal_inverse(q, gamma=gamma))

        def R(z):
            return float(p * lb.binary_focal_loss([1.0], [z], gamma=gamma)
                         + (1 - p) * lb.binary_focal_loss([0.0], [z], gamma=gamma))

        z = optimize.minimize_scalar(R, bounds=(-15, 15), method="bounded",
                                     options={"xatol": 1e-10}).x
        assert abs(float(lb.sigmoid(z)) - q) < 1e-6


def test_focal_inverse_values_and_errors():
    assert float(demos.binary_focal_inverse(0.5, gamma=3.0)) == 0.5
    # gamma 2, q 0.8: the closed form by hand
    d08, d02 = 0.4 * math.log(0.8) - 0.05, 1.6 * math.log(0.2) - 3.2
    assert abs(float(demos.binary_focal_inverse(0.8)) - d02 / (d08 + d02)) < 1e-15
    assert demos.binary_focal_inverse(np.full((3, 2), 0.3)).shape == (3, 2)
    for bad, kw, err, msg in [
        (0.0, {}, ValueError, "q must be strictly between 0 and 1"),
        (1.0, {}, ValueError, "q must be strictly between 0 and 1"),
        (np.nan, {}, ValueError, "q"),
        (0.5, {"gamma": -1.0}, ValueError, "gamma must be >= 0"),
        (0.5, {"gamma": True}, TypeError, "gamma must be a real number"),
        (np.array(["a"], dtype=object), {}, TypeError, "q"),
    ]:
        with pytest.raises(err, match=msg):
            demos.binary_focal_inverse(bad, **kw)


# --- make_misspecified_binary ------------------------------------------------


def test_misspecified_posterior_against_scipy_densities():
    from scipy.stats import multivariate_normal

    x, y, p = demos.make_misspecified_binary(2000, prior=0.2, seed=3)
    f1 = multivariate_normal([2.0, 0.0], np.diag([0.25, 9.0])).pdf(x)
    f0 = multivariate_normal([0.0, 0.0], np.eye(2)).pdf(x)
    np.testing.assert_allclose(p, 0.2 * f1 / (0.2 * f1 + 0.8 * f0), rtol=1e-10, atol=1e-300)
    # the class-conditional moments
    big_x, big_y, _ = demos.make_misspecified_binary(200000, prior=0.3, seed=4)
    pos = big_x[big_y == 1]
    assert abs(big_y.mean() - 0.3) < 4 * math.sqrt(0.21 / 200000)
    np.testing.assert_allclose(pos.mean(axis=0), [2.0, 0.0], atol=0.05)
    np.testing.assert_allclose(pos.std(axis=0), [0.5, 3.0], rtol=0.02)
    np.testing.assert_allclose(big_x[big_y == 0].std(axis=0), [1.0, 1.0], rtol=0.02)


def test_misspecified_errors():
    with pytest.raises(ValueError, match="prior must be strictly between 0 and 1"):
        demos.make_misspecified_binary(10, prior=1.0)
    with pytest.raises(TypeError, match="prior must be a real number"):
        demos.make_misspecified_binary(10, prior=True)


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


def _linprog_quantile(x, y, tau):
    n = len(x)
    c = np.r_[0.0, 0.0, np.full(n, tau), np.full(n, 1 - tau)]
    A_eq = np.column_stack([np.ones(n), x, np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * n)
    res = optimize.linprog(c, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs")
    assert res.status == 0
    return res.fun


def _tied_data(kind, rng):
    n = int(rng.integers(4, 50))
    if kind == "integer":
        # integer x in 0..3 (both ends present) and integer y: many ties
        x = np.r_[0.0, 3.0, rng.integers(0, 4, n - 2)]
        y = rng.integers(0, 5, n).astype(float)
    elif kind == "one-apart":
        # n - 1 points at x = 0 and one at x = 1
        x = np.r_[np.zeros(n - 1), 1.0]
        y = rng.normal(size=n)
    elif kind == "rounded":
        # y rounded to 0.1, so residuals tie
        x = rng.uniform(0, 1, n)
        y = np.round(3 * x + rng.normal(size=n), 1)
    else:
        # repeated (x, y) pairs
        x0 = rng.integers(0, 3, n // 2 + 2).astype(float)
        x0[:2] = [0.0, 2.0]
        y0 = rng.integers(-2, 3, len(x0)).astype(float)
        x, y = np.r_[x0, x0], np.r_[y0, y0]
    return x, y


@pytest.mark.parametrize("kind", ["integer", "one-apart", "rounded", "duplicates"])
@pytest.mark.parametrize("seed", range(6))
def test_linear_quantile_matches_linprog_on_tied_data(kind, seed):
    # ties and discrete x: the cases where the search leans on its fallback
    rng = np.random.default_rng(100 + seed)
    x, y = _tied_data(kind, rng)
    for tau in (0.05, 0.25, 0.5, 0.9, float(rng.uniform(0.01, 0.99))):
        best = _linprog_quantile(x, y, tau)
        ab = demos.fit_linear_quantile(x, y, quantile=tau)
        got = float(lb.pinball_loss(y, ab[0] + ab[1] * x, quantile=tau, reduction="sum"))
        assert got <= best + 1e-9 * (1 + best)


@pytest.mark.parametrize("seed", range(8))
def test_linear_quantile_matches_exhaustive_search(seed):
    # an independent route: the best of every line through two points
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    x = rng.uniform(0, 4, n)
    y = 1 + x + rng.standard_t(3, n)
    for tau in (0.05, 0.3, 0.5, 0.95):
        i, j = np.triu_indices(n, k=1)
        b = (y[j] - y[i]) / (x[j] - x[i])
        a = y[i] - b * x[i]
        r = y[None, :] - a[:, None] - b[:, None] * x[None, :]
        best = np.maximum(tau * r, (tau - 1) * r).sum(axis=1).min()
        ab = demos.fit_linear_quantile(x, y, quantile=tau)
        got = float(lb.pinball_loss(y, ab[0] + ab[1] * x, quantile=tau, reduction="sum"))
        assert got <= best + 1e-12 * (1 + best)


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
