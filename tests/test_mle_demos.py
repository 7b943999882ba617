"""The maximum-likelihood chapter's demos (lossbook/demos/mle.py) against mpmath and SciPy."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

import lossbook as lb
from lossbook import demos
from lossbook.demos.mle import _log_ndtr

mp.mp.dps = 50

ETAS = [-30.0, -5.0, -0.7, 0.0, 0.3, 4.0, 25.0]


# --- Fisher information -----------------------------------------------------
@pytest.mark.parametrize("family, thetas", [
    ("bernoulli", [1e-6, 0.05, 0.5, 0.93, 1 - 1e-9]),
    ("poisson", [1e-3, 0.5, 7.0, 300.0]),
    ("exponential", [1e-3, 0.5, 2.0, 50.0]),
])
def test_fisher_information_is_the_variance_of_the_score(family, thetas):
    """Closed form vs. E[score^2] by exact sums (SciPy pmf weights; an integral for the exponential)."""
    for t in thetas:
        if family == "bernoulli":
            # score y/p - (1-y)/(1-p): E = p/p^2 + (1-p)/(1-p)^2
            exact = mp.mpf(t) / mp.mpf(t) ** 2 + (1 - mp.mpf(t)) / (1 - mp.mpf(t)) ** 2
        elif family == "poisson":
            ks = np.arange(0, int(t + 40 * math.sqrt(t) + 50))
            w = stats.poisson.pmf(ks, t)
            exact = math.fsum(w * (ks / t - 1.0) ** 2)
        else:
            lam = mp.mpf(t)
            exact = mp.quad(lambda y: (1 / lam - y) ** 2 * lam * mp.exp(-lam * y), [0, 1 / lam, mp.inf])
        assert demos.fisher_information(family, t) == pytest.approx(float(exact), rel=1e-12)


def test_fisher_information_vectorises_and_refuses_bad_input():
    out = demos.fisher_information("bernoulli", [0.25, 0.5])
    assert out.shape == (2,) and out[1] == 4.0
    with pytest.raises(ValueError, match="theta must be a probability strictly between 0 and 1"):
        demos.fisher_information("bernoulli", 1.0)
    with pytest.raises(ValueError, match="theta must be a rate > 0"):
        demos.fisher_information("poisson", [1.0, 0.0])
    with pytest.raises(ValueError, match="family must be one of"):
        demos.fisher_information("gamma", 1.0)
    with pytest.raises(TypeError, match="family must be a string"):
        demos.fisher_information(3, 1.0)
    with pytest.raises(TypeError, match="theta must be a real number"):
        demos.fisher_information("poisson", True)
    with pytest.raises(ValueError, match="theta"):
        demos.fisher_information("poisson", float("nan"))


# --- exponential families -----------------------------------------------------
def test_log_partition_against_mpmath():
    e = np.array(ETAS)
    assert np.allclose(demos.log_partition("bernoulli", e), [float(mp.log1p(mp.exp(v))) for v in ETAS], rtol=1e-14, atol=0)
    assert np.allclose(demos.log_partition("gaussian", e), [v * v / 2 for v in ETAS], rtol=1e-15)
    assert np.allclose(demos.log_partition("poisson", e), np.exp(e), rtol=1e-15)
    z = np.array([[1000.0, 0.0, -3.0], [0.1, 0.2, 0.3]])
    want = [float(mp.log(mp.fsum(mp.exp(v) for v in row))) for row in z.tolist()]
    assert np.allclose(demos.log_partition("categorical", z), want, rtol=1e-14)
    assert demos.log_partition("categorical", z).shape == (2,)


@pytest.mark.parametrize("family", ["bernoulli", "gaussian", "poisson"])
def test_mean_function_is_the_derivative_of_the_log_partition(family):
    h = 1e-6
    for v in [-4.0, -0.5, 0.0, 1.2, 3.0]:
        fd = (demos.log_partition(family, v + h) - demos.log_partition(family, v - h)) / (2 * h)
        assert demos.mean_function(family, v) == pytest.approx(fd, rel=1e-7, abs=1e-9)


def test_mean_function_is_the_expected_sufficient_statistic():
    """A'(eta) = E[T(y)] with SciPy's distributions as the oracle."""
    for v in [-2.0, 0.0, 1.5]:
        assert demos.mean_function("bernoulli", v) == pytest.approx(stats.bernoulli(special.expit(v)).mean(), rel=1e-14)
        assert demos.mean_function("poisson", v) == pytest.approx(stats.poisson(math.exp(v)).mean(), rel=1e-14)
        assert demos.mean_function("gaussian", v) == pytest.approx(stats.norm(v, 1).mean(), rel=1e-15, abs=0)
    z = np.array([[2.0, -1.0, 0.5]])
    assert np.allclose(demos.mean_function("categorical", z), special.softmax(z, axis=-1), rtol=1e-14)


def test_canonical_nll_is_minus_the_log_of_the_usual_pmf_or_density():
    e = np.array(ETAS)
    y01 = np.array([0, 1, 1, 0, 1, 0, 1], dtype=float)
    want = -stats.bernoulli.logpmf(y01, special.expit(e))
    # SciPy loses the tiny probabilities in 1 - expit(eta) at eta = 25: compare in mpmath there
    want_mp = [float(-mp.log(1 / (1 + mp.exp(-mp.mpf(v)))) if y else -mp.log(1 - 1 / (1 + mp.exp(-mp.mpf(v)))))
               for y, v in zip(y01, ETAS)]
    got = demos.canonical_nll("bernoulli", y01, e)
    assert np.allclose(got, want_mp, rtol=1e-13)
    assert np.allclose(got[1:6], want[1:6], rtol=1e-12)
    counts = np.array([0, 3, 1, 0, 2, 7, 40], dtype=float)
    eta_c = np.array([-3.0, 1.0, -0.7, 0.0, 0.3, 2.0, 3.5])
    assert np.allclose(demos.canonical_nll("poisson", counts, eta_c),
                       -stats.poisson.logpmf(counts, np.exp(eta_c)), rtol=1e-12)
    yr = np.array([0.3, -2.0, 5.0])
    er = np.array([0.0, 1.0, 4.5])
    assert np.allclose(demos.canonical_nll("gaussian", yr, er), -stats.norm.logpdf(yr, er, 1.0), rtol=1e-14)
    z = np.array([[0.5, -1.0, 2.0], [300.0, 0.0, -2.0]])
    assert np.allclose(demos.canonical_nll("categorical", [2, 1], z),
                       lb.softmax_cross_entropy([2, 1], z, reduction="none"), rtol=1e-14)


@pytest.mark.parametrize("family, y", [
    ("bernoulli", [1.0, 0.0, 1.0]), ("poisson", [0.0, 4.0, 11.0]), ("gaussian", [0.2, -1.5, 3.0]),
])
def test_gradient_in_the_natural_parameter_is_prediction_minus_target(family, y):
    eta = np.array([-1.3, 0.4, 2.2])
    grad = lb.numerical_gradient(lambda v: float(np.sum(demos.canonical_nll(family, y, v))), eta)
    assert np.allclose(grad, demos.mean_function(family, eta) - np.array(y), rtol=1e-7, atol=1e-9)


def test_canonical_nll_refuses_bad_targets():
    with pytest.raises(ValueError, match="y must hold 0 or 1"):
        demos.canonical_nll("bernoulli", [0.5], [0.0])
    with pytest.raises(ValueError, match="non-negative integer counts"):
        demos.canonical_nll("poisson", [1.5], [0.0])
    with pytest.raises(ValueError, match="eta must be a 2-D array"):
        demos.canonical_nll("categorical", [0], [0.0, 1.0])
    with pytest.raises(ValueError, match="one label per row"):
        demos.canonical_nll("categorical", [0, 1], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="y and eta"):
        demos.canonical_nll("gaussian", [0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="eta must be <= 709"):
        demos.log_partition("poisson", 710.0)
    with pytest.raises(TypeError, match="eta"):
        demos.mean_function("gaussian", np.array(["a"], dtype=object))


# --- probit --------------------------------------------------------------------
def test_probit_nll_against_scipy_log_ndtr():
    eta = np.array([-1e8, -1e3, -40.0, -37.5, -37.0, -36.9, -8.0, -1.0, 0.0,
                    0.5, 6.0, 37.0, 40.0, 1e3])
    for yv in (0.0, 1.0):
        y = np.full(eta.shape, yv)
        want = -special.log_ndtr(eta if yv == 1 else -eta)
        assert np.allclose(demos.probit_nll(y, eta), want, rtol=1e-12, atol=1e-300)


def test_probit_gradient_carries_the_extra_factor():
    """Central differences match phi/(Phi(1-Phi)) (Phi - y), not Phi - y."""
    for yv in (0.0, 1.0):
        for v in (-3.0, -0.2, 1.7):
            fd = lb.numerical_gradient(lambda t: float(demos.probit_nll([yv], t)[0]), np.array([v]))[0]
            Phi, phi = stats.norm.cdf(v), stats.norm.pdf(v)
            assert fd == pytest.approx(phi / (Phi * (1 - Phi)) * (Phi - yv), rel=1e-6)
            assert abs(fd - (Phi - yv)) > 1e-3


def test_log_ndtr_series_remainder_is_below_the_first_omitted_term():
    """The docstring's bound: twelve terms of the Mills-ratio series leave a
    relative error below the first omitted term 25!!/x^26 (< 1.4e-28 at
    |x| > 37), and not far below it (the bound is the right size)."""
    with mp.workdps(60):
        for v in (-37.0, -40.0, -100.0):
            x = mp.mpf(v)
            series = mp.fsum(
                (-1) ** k * mp.fac2(2 * k - 1) / x ** (2 * k) for k in range(13)
            )
            exact = mp.ncdf(x) * (-x) / mp.npdf(x)
            bound = mp.fac2(25) / x**26
            rel = abs(series - exact) / exact
            assert rel < bound < mp.mpf("1.4e-28")
            assert rel > bound / 10
            assert _log_ndtr(np.array([v]))[0] == pytest.approx(
                float(mp.log(mp.ncdf(x))), rel=1e-15
            )


def test_probit_nll_far_tail_against_mpmath():
    """The asymptotic branch below eta = -37 against 50-digit mpmath."""
    with mp.workdps(50):
        for v in (-37.0001, -38.0, -60.0, -500.0):
            want = -float(mp.log(mp.ncdf(v)))
            assert float(demos.probit_nll([1.0], [v])[0]) == pytest.approx(want, rel=1e-14)
            assert float(demos.probit_nll([0.0], [-v])[0]) == pytest.approx(want, rel=1e-14)


def test_probit_nll_refuses_bad_input():
    with pytest.raises(ValueError, match="eta"):
        demos.probit_nll([1.0], [np.inf])
    with pytest.raises(ValueError, match="y must hold 0 or 1"):
        demos.probit_nll([2.0], [0.0])


# --- simulation ------------------------------------------------------------------
def test_simulate_estimates_is_seeded_and_matches_a_written_out_simulation():
    est = demos.simulate_estimates(lambda g, s: g.exponential(0.5, s), lambda d: 1 / d.mean(axis=1), 50,
                                   n_repeats=300, seed=3)
    rng = np.random.default_rng(3)
    assert np.array_equal(est, 1 / rng.exponential(0.5, (300, 50)).mean(axis=1))
    again = demos.simulate_estimates(lambda g, s: g.exponential(0.5, s), lambda d: 1 / d.mean(axis=1), 50,
                                     n_repeats=300, seed=3)
    assert np.array_equal(est, again)


def test_simulate_estimates_refuses_bad_input():
    ok_s, ok_e = (lambda g, s: g.random(s)), (lambda d: d.mean(axis=1))
    with pytest.raises(TypeError, match="sample must be a callable"):
        demos.simulate_estimates(3, ok_e, 5, n_repeats=2, seed=0)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        demos.simulate_estimates(ok_s, ok_e, 0, n_repeats=2, seed=0)
    with pytest.raises(ValueError, match="estimate must return one value per row"):
        demos.simulate_estimates(ok_s, lambda d: d, 5, n_repeats=2, seed=0)
    with pytest.raises(ValueError, match="sample must return an array of shape"):
        demos.simulate_estimates(lambda g, s: g.random(3), ok_e, 5, n_repeats=2, seed=0)
