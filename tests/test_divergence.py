"""Tests for lossbook.divergence (companion of the entropy and KL chapters)."""

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs

import lossbook as lb
from lossbook import demos

mp.mp.dps = 50


# --- surprisal / binary entropy ------------------------------------------------------
def test_surprisal_reference_values_E4():
    # E4: -log(0.5), -log(0.9), -log(0.1), reference by mpmath at 50 digits
    for p in ("0.5", "0.9", "0.1"):
        ref = float(-mp.log(mp.mpf(p)))
        assert float(lb.surprisal(float(p))) == pytest.approx(ref, rel=1e-15)
    # the source's 2.30258 is a truncation: rounding gives 2.30259
    assert round(float(lb.surprisal(0.1)), 5) == 2.30259


def test_surprisal_bits_edges_and_shape():
    assert float(lb.surprisal(0.25, base=2)) == 2.0
    assert float(lb.surprisal(0.0)) == np.inf
    one = lb.surprisal(1.0)
    assert one == 0.0 and not np.signbit(one)
    out = lb.surprisal(np.full((2, 3), 0.5))
    assert out.shape == (2, 3)


def test_surprisal_rejects_bad_input():
    with pytest.raises(ValueError, match=r"p must be probabilities in \[0, 1\], got 1.5"):
        lb.surprisal([0.2, 1.5])
    with pytest.raises(ValueError, match="base must be"):
        lb.surprisal(0.5, base=1)


def test_binary_entropy_matches_scipy_and_entropy():
    p = np.linspace(0, 1, 101)
    ref = sp.entr(p) + sp.entr(1 - p)
    np.testing.assert_allclose(lb.binary_entropy(p), ref, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(
        lb.binary_entropy(p, base=2), lb.entropy(np.stack([p, 1 - p], axis=1), base=2), rtol=1e-13
    )
    assert float(lb.binary_entropy(0.5, base=2)) == pytest.approx(1.0, rel=1e-15)


def test_binary_entropy_accurate_for_tiny_p():
    # naive (1 - p) * log(1 - p) loses everything at p = 1e-20; mpmath reference
    p = 1e-20
    ref = float(-mp.mpf(p) * mp.log(p) - (1 - mp.mpf(p)) * mp.log(1 - mp.mpf(p)))
    assert float(lb.binary_entropy(p)) == pytest.approx(ref, rel=1e-14)


def test_binary_entropy_rejects_nan():
    with pytest.raises(ValueError, match="p must not contain NaN"):
        lb.binary_entropy([0.5, np.nan])


# --- perplexity ------------------------------------------------------------------------
def test_perplexity_is_exp_mean_nll():
    rng = np.random.default_rng(3)
    q = rng.uniform(0.05, 1.0, size=50)
    ref = float(mp.exp(-mp.fsum(mp.log(mp.mpf(float(v))) for v in q) / len(q)))
    assert lb.perplexity(q) == pytest.approx(ref, rel=1e-13)


def test_perplexity_uniform_is_branching_factor_and_zero_is_inf():
    assert lb.perplexity(np.full(7, 1 / 13)) == pytest.approx(13.0, rel=1e-14)
    assert lb.perplexity([1.0, 1.0]) == 1.0
    assert lb.perplexity([0.5, 0.0]) == np.inf


def test_perplexity_rejects_2d():
    with pytest.raises(ValueError, match="probs must be a 1-D array"):
        lb.perplexity([[0.5, 0.5]])


# --- maximum likelihood and KL ----------------------------------------------------------
def test_ml_is_min_kl_from_empirical_C3():
    # C3: the categorical NLL equals H(p_hat) + KL(p_hat || q); its minimiser is p_hat
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=500)
    p_hat = np.bincount(x, minlength=4) / x.size
    q = np.array([0.1, 0.2, 0.3, 0.4])
    nll = -np.mean(np.log(q[x]))
    assert nll == pytest.approx(float(lb.entropy(p_hat) + lb.kl_divergence(p_hat, q)), rel=1e-13)
    # the numerical minimiser of the NLL over a random search is p_hat (Gibbs)
    cands = rng.dirichlet(np.ones(4), size=2000)
    nlls = -np.log(cands[:, x]).mean(axis=1)
    assert nlls.min() > -np.mean(np.log(p_hat[x]))


# --- densities on a grid -------------------------------------------------------------------
def test_mixture_logpdf_matches_scipy():
    x = np.linspace(-6, 6, 41)
    w, m, s = [0.3, 0.7], [-1.0, 2.0], [0.5, 1.5]
    ref = np.log(w[0] * st.norm.pdf(x, m[0], s[0]) + w[1] * st.norm.pdf(x, m[1], s[1]))
    np.testing.assert_allclose(lb.gaussian_mixture_logpdf(x, w, m, s), ref, rtol=1e-13)


def test_mixture_logpdf_finite_far_in_tails():
    v = lb.gaussian_mixture_logpdf(1e3, [0.5, 0.5], [0.0, 1.0], [1.0, 1.0])
    ref = float(mp.log(0.5 * mp.npdf(1000, 0, 1) + 0.5 * mp.npdf(1000, 1, 1)))
    assert np.isfinite(v) and v == pytest.approx(ref, rel=1e-12)


def test_mixture_logpdf_zero_weight_component_is_ignored():
    # regression: the mixture is summed with the core logsumexp, which takes finite logits only
    x = np.array([-1.0, 0.0, 3.0])
    got = lb.gaussian_mixture_logpdf(x, [0.0, 1.0], [5.0, 0.0], [1.0, 2.0])
    np.testing.assert_allclose(got, st.norm.logpdf(x, 0.0, 2.0), rtol=1e-14)


def test_mixture_logpdf_is_minus_inf_where_the_density_is_zero_in_floats():
    with np.errstate(all="raise"):
        assert lb.gaussian_mixture_logpdf(1e200, [0.5, 0.5], [0.0, 1.0], [1.0, 1.0]) == -np.inf
    v = lb.gaussian_mixture_logpdf(np.array([0.0, 1e200]), [1.0], [0.0], [1.0])
    assert v[0] == pytest.approx(st.norm.logpdf(0.0), rel=1e-14) and v[1] == -np.inf


def test_mixture_logpdf_validates():
    with pytest.raises(ValueError, match="weights rows must sum to 1"):
        lb.gaussian_mixture_logpdf(0.0, [0.5, 0.6], [0, 1], [1, 1])
    with pytest.raises(ValueError, match="sigmas must be > 0, got 0.0"):
        lb.gaussian_mixture_logpdf(0.0, [0.5, 0.5], [0, 1], [1, 0])
    with pytest.raises(ValueError, match="weights and means must have the same shape"):
        lb.gaussian_mixture_logpdf(0.0, [0.5, 0.5], [0, 1, 2], [1, 1])


def _gauss_kl(m1, s1, m2, s2):
    return np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def test_grid_kl_matches_gaussian_closed_form():
    x = np.linspace(-20, 20, 4001)
    lp = st.norm.logpdf(x, 0.5, 1.2)
    lq = st.norm.logpdf(x, -1.0, 2.0)
    assert lb.grid_kl_divergence(x, lp, lq) == pytest.approx(_gauss_kl(0.5, 1.2, -1.0, 2.0), rel=1e-12)


def test_grid_kl_support_mismatch_is_inf():
    x = np.linspace(-1, 1, 5)
    lp = np.log(np.full(5, 0.4))
    lq = np.array([-np.inf, 0.0, 0.0, 0.0, 0.0])
    assert lb.grid_kl_divergence(x, lp, lq) == np.inf
    assert np.isfinite(lb.grid_kl_divergence(x, lq, lp))


def test_grid_kl_rejects_uneven_grid_and_nan():
    with pytest.raises(ValueError, match="evenly spaced grid"):
        lb.grid_kl_divergence([0.0, 1.0, 3.0], [0, 0, 0], [0, 0, 0])
    with pytest.raises(ValueError, match="log_q must hold log-densities"):
        lb.grid_kl_divergence([0.0, 1.0, 2.0], [0, 0, 0], [0, np.nan, 0])
    with pytest.raises(ValueError, match="log_p must have the same shape as x"):
        lb.grid_kl_divergence([0.0, 1.0, 2.0], [0, 0], [0, 0, 0])


# --- Gaussian fits -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bimodal():
    x = np.linspace(-10, 10, 2001)
    return x, lb.gaussian_mixture_logpdf(x, [0.3, 0.7], [-2.5, 2.5], [0.8, 0.8])


def test_forward_fit_is_moment_matching(bimodal):
    x, lp = bimodal
    p = np.exp(lp)
    dx = x[1] - x[0]
    m = (x * p).sum() * dx
    s = np.sqrt(((x - m) ** 2 * p).sum() * dx)
    mu, sigma = demos.fit_gaussian_kl(x, lp, direction="forward", mu0=-3.0, sigma0=0.5, tol=1e-10)
    assert mu == pytest.approx(m, abs=1e-8)
    assert sigma == pytest.approx(s, rel=1e-8)


def test_reverse_fit_seeks_a_mode(bimodal):
    x, lp = bimodal
    mu_r, s_r = demos.fit_gaussian_kl(x, lp, direction="reverse", mu0=1.0, sigma0=1.0)
    mu_l, s_l = demos.fit_gaussian_kl(x, lp, direction="reverse", mu0=-1.0, sigma0=1.0)
    assert mu_r == pytest.approx(2.5, abs=0.05) and s_r == pytest.approx(0.8, abs=0.05)
    assert mu_l == pytest.approx(-2.5, abs=0.05) and s_l == pytest.approx(0.8, abs=0.05)
    # the default start (highest point of p) lands on the heavier mode
    assert demos.fit_gaussian_kl(x, lp, direction="reverse")[0] == pytest.approx(mu_r, abs=1e-5)
    # and it is a local minimum: nearby Gaussians are worse
    f = lambda m, s: lb.grid_kl_divergence(x, st.norm.logpdf(x, m, s), lp)  # noqa: E731
    best = f(mu_r, s_r)
    for dm, ds in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert f(mu_r + dm, s_r + ds) > best


def test_fit_recovers_a_gaussian_both_ways():
    x = np.linspace(-10, 14, 2401)
    lp = st.norm.logpdf(x, 2.0, 1.5)
    for d in ("forward", "reverse"):
        mu, s = demos.fit_gaussian_kl(x, lp, direction=d, mu0=0.0, sigma0=1.0, tol=1e-10)
        assert mu == pytest.approx(2.0, abs=1e-7) and s == pytest.approx(1.5, rel=1e-7)


def test_fit_validates():
    x = np.linspace(-5, 5, 101)
    lp = st.norm.logpdf(x)
    with pytest.raises(ValueError, match="direction must be 'forward' or 'reverse', got 'both'"):
        demos.fit_gaussian_kl(x, lp, direction="both")
    with pytest.raises(ValueError, match="sigma0 must be a finite number > 0"):
        demos.fit_gaussian_kl(x, lp, sigma0=-1.0)


# --- Monte Carlo KL --------------------------------------------------------------------------
def test_kl_monte_carlo_agrees_with_closed_form():
    rng = np.random.default_rng(11)
    s = rng.normal(0.5, 1.2, size=200_000)
    est, se = lb.kl_monte_carlo(st.norm.logpdf(s, 0.5, 1.2), st.norm.logpdf(s, -1.0, 2.0))
    exact = _gauss_kl(0.5, 1.2, -1.0, 2.0)
    assert abs(est - exact) < 4 * se
    assert se < 0.01


def test_kl_monte_carlo_validates():
    with pytest.raises(ValueError, match="need at least 2 samples"):
        lb.kl_monte_carlo([0.0], [0.0])
    with pytest.raises(ValueError, match="log_q_at_samples must be finite"):
        lb.kl_monte_carlo([0.0, 0.0], [0.0, -np.inf])


# --- properties ------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.floats(0.0, 1.0), min_size=1, max_size=20))
def test_binary_entropy_bounded_and_symmetric(ps):
    p = np.array(ps)
    h = lb.binary_entropy(p)
    assert np.all(h >= 0) and np.all(h <= np.log(2) + 1e-15)
    # symmetry h(p) = h(1 - p), on p in [1/2, 1] where 1 - p is exact (Sterbenz);
    # elsewhere 1 - p is rounded and h(1 - p) is h of a different number
    hi = np.maximum(p, 1 - p)
    hi = hi[hi >= 0.5]
    np.testing.assert_allclose(lb.binary_entropy(hi), lb.binary_entropy(1 - hi), rtol=1e-13, atol=0)


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.floats(1e-6, 1.0), min_size=1, max_size=30))
def test_perplexity_base_free_and_at_least_one(qs):
    q = np.array(qs)
    pp = lb.perplexity(q)
    assert pp >= 1.0 - 1e-12
    assert pp == pytest.approx(2 ** float(np.mean(lb.surprisal(q, base=2))), rel=1e-12)
    assert q.tolist() == qs  # input not mutated
