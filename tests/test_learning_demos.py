"""Demos of the chapter "Learning as optimisation" (lossbook/demos/learning.py)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

import lossbook as lb
from lossbook import demos

mp.mp.dps = 50

THETA_TRUE = np.array([-0.5, 2.0])


# --- margin_loss -------------------------------------------------------------

MP_LOSS = {
    "zero_one": lambda m: mp.mpf(1) if m <= 0 else mp.mpf(0),
    "hinge": lambda m: max(mp.mpf(0), 1 - m),
    "logistic": lambda m: mp.log1p(mp.exp(-m)),
    "squared": lambda m: (1 - m) ** 2,
    "exponential": lambda m: mp.exp(-m),
}


@pytest.mark.parametrize("name", sorted(MP_LOSS))
def test_margin_loss_matches_mpmath(name):
    m = np.array([-700.0, -30.0, -1.0, -1e-12, 0.0, 5e-324, 0.5, 1.0, 2.0, 40.0, 700.0])
    got = demos.margin_loss(m, name)
    want = [float(MP_LOSS[name](mp.mpf(float(v)))) for v in m]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_logistic_margin_loss_in_bits_is_one_at_zero_and_bounds_zero_one():
    m = np.linspace(-5, 5, 1001)
    bits = demos.margin_loss(m, "logistic", base=2)
    assert demos.margin_loss(0.0, "logistic", base=2) == 1.0
    assert np.all(bits >= demos.margin_loss(m, "zero_one"))
    nats = demos.margin_loss(m, "logistic")
    assert np.any(nats < demos.margin_loss(m, "zero_one"))  # the base matters


def test_logistic_margin_loss_is_binary_cross_entropy_with_pm1_labels():
    rng = np.random.default_rng(0)
    f = rng.normal(scale=5, size=50)
    y = rng.choice([-1.0, 1.0], size=50)
    want = lb.binary_cross_entropy_with_logits((y + 1) / 2, f, reduction="none")
    np.testing.assert_allclose(demos.margin_loss(y * f, "logistic"), want, rtol=1e-13)


def test_margin_loss_keeps_shape_and_huge_margins_are_finite():
    m = np.zeros((2, 3))
    assert demos.margin_loss(m, "hinge").shape == (2, 3)
    assert demos.margin_loss(1e300, "logistic") == 0.0
    assert demos.margin_loss(-1e300, "logistic") == 1e300


def test_margin_loss_errors_name_the_argument():
    with pytest.raises(ValueError, match="loss must be one of"):
        demos.margin_loss([0.0], "log")
    with pytest.raises(TypeError, match="loss must be a string"):
        demos.margin_loss([0.0], 3)
    with pytest.raises(ValueError, match="margins must be finite"):
        demos.margin_loss([0.0, np.nan], "hinge")
    with pytest.raises(TypeError, match="margins"):
        demos.margin_loss([True, False], "hinge")
    with pytest.raises(ValueError, match="base applies only to the logistic loss"):
        demos.margin_loss([0.0], "hinge", base=2)
    with pytest.raises(ValueError, match="base must be"):
        demos.margin_loss([0.0], "logistic", base=1)


# --- conditional_risk_minimiser ------------------------------------------------

def test_conditional_risk_minimisers_match_their_closed_forms():
    p = np.array([0.01, 0.2, 0.3, 0.7, 0.9, 0.99])
    logit = np.log(p / (1 - p))
    np.testing.assert_allclose(demos.conditional_risk_minimiser("logistic", p), logit, rtol=1e-12)
    np.testing.assert_allclose(demos.conditional_risk_minimiser("exponential", p), logit / 2, rtol=1e-12)
    np.testing.assert_allclose(demos.conditional_risk_minimiser("squared", p), 2 * p - 1, rtol=1e-12)
    np.testing.assert_array_equal(demos.conditional_risk_minimiser("hinge", p), np.sign(2 * p - 1))


@pytest.mark.parametrize("name", ["hinge", "logistic", "squared", "exponential"])
def test_minimiser_beats_its_neighbours_on_the_conditional_risk(name):
    p = np.linspace(0.05, 0.95, 19)
    f = demos.conditional_risk_minimiser(name, p)
    C = lambda g: p * demos.margin_loss(g, name) + (1 - p) * demos.margin_loss(-g, name)
    for d in (1e-3, -1e-3, 0.5, -0.5):
        assert np.all(C(f) <= C(f + d) + 1e-15)


def test_minimiser_is_clipped_to_the_bound_and_validates():
    f = demos.conditional_risk_minimiser("logistic", 1 - 1e-15, bound=5.0)
    assert f == pytest.approx(5.0)
    with pytest.raises(ValueError, match=r"p_positive must be in the open interval \(0, 1\), got 1.0"):
        demos.conditional_risk_minimiser("logistic", [0.5, 1.0])
    with pytest.raises(ValueError, match="loss must be one of"):
        demos.conditional_risk_minimiser("zero_one", 0.3)
    with pytest.raises(ValueError, match="bound"):
        demos.conditional_risk_minimiser("hinge", 0.3, bound=-1.0)


# --- population risk and the ERM simulation ------------------------------------

def test_population_risk_matches_mpmath_quadrature():
    th = np.array([0.3, 1.0])

    def integrand(x):
        z = th[0] + th[1] * x
        ps = 1 / (1 + mp.exp(-(THETA_TRUE[0] + THETA_TRUE[1] * x)))
        return (ps * mp.log(1 + mp.exp(-z)) + (1 - ps) * mp.log(1 + mp.exp(z))) * mp.npdf(x)

    want = float(mp.quad(integrand, [-mp.inf, 0, mp.inf]))
    assert demos.population_risk_logistic(th, THETA_TRUE) == pytest.approx(want, rel=1e-12)
    batch = demos.population_risk_logistic(np.array([th, THETA_TRUE]), THETA_TRUE)
    assert batch.shape == (2,) and batch[0] == pytest.approx(want, rel=1e-12)


def test_population_risk_is_minimised_by_the_true_weights():
    r_star = demos.population_risk_logistic(THETA_TRUE, THETA_TRUE)
    rng = np.random.default_rng(1)
    others = THETA_TRUE + rng.normal(scale=0.3, size=(20, 2))
    assert np.all(demos.population_risk_logistic(others, THETA_TRUE) > r_star)


def test_erm_simulation_fits_the_empirical_risk_minimiser():
    r = demos.erm_gap_simulation(50, THETA_TRUE, n_repeats=20, seed=0)
    assert r.theta_hat.shape == (20, 2)
    assert np.all(r.empirical_risk <= r.empirical_risk_true + 1e-13)
    assert np.all(r.population_risk >= demos.population_risk_logistic(THETA_TRUE, THETA_TRUE) - 1e-13)
    # reproducible, and the first training set refitted by the chapter's gradient is stationary
    r2 = demos.erm_gap_simulation(50, THETA_TRUE, n_repeats=20, seed=0)
    np.testing.assert_array_equal(r.theta_hat, r2.theta_hat)
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    X = np.column_stack([np.ones(50), x])
    y = (rng.random(50) < lb.sigmoid(X @ THETA_TRUE)).astype(float)
    assert np.linalg.norm(demos.logistic_model_grad(r.theta_hat[0], X, y)) < 1e-10
    assert demos.logistic_model_loss(r.theta_hat[0], X, y) == pytest.approx(r.empirical_risk[0], rel=1e-13)


def test_erm_simulation_with_l2_penalty_minimises_the_regularised_objective():
    lam = 0.1
    r = demos.erm_gap_simulation(50, THETA_TRUE, n_repeats=5, seed=0, l2_strength=lam)
    r0 = demos.erm_gap_simulation(50, THETA_TRUE, n_repeats=5, seed=0)
    # same seed, same training sets: the first one rebuilt as in the fit above
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    X = np.column_stack([np.ones(50), x])
    y = (rng.random(50) < lb.sigmoid(X @ THETA_TRUE)).astype(float)
    J = lambda th: demos.logistic_model_loss(th, X, y) + lb.l2_penalty(th, lam)
    g = lb.numerical_gradient(J, r.theta_hat[0])
    assert np.linalg.norm(g) < 1e-7
    # the penalty shrinks the weights and raises the training risk
    assert np.all(np.linalg.norm(r.theta_hat, axis=1) < np.linalg.norm(r0.theta_hat, axis=1))
    assert np.all(r.empirical_risk > r0.empirical_risk)
    np.testing.assert_array_equal(r.empirical_risk_true, r0.empirical_risk_true)
    with pytest.raises(ValueError, match="l2_strength must be a finite number >= 0"):
        demos.erm_gap_simulation(50, THETA_TRUE, n_repeats=2, seed=0, l2_strength=-1.0)
    with pytest.raises(TypeError, match="l2_strength must be a real number"):
        demos.erm_gap_simulation(50, THETA_TRUE, n_repeats=2, seed=0, l2_strength=True)


def test_erm_simulation_errors():
    with pytest.raises(ValueError, match="n_train must be an int >= 5"):
        demos.erm_gap_simulation(2, THETA_TRUE, n_repeats=3, seed=0)
    with pytest.raises(ValueError, match="theta_true must have shape"):
        demos.erm_gap_simulation(10, [1.0, 2.0, 3.0], n_repeats=3, seed=0)
    with pytest.raises(RuntimeError, match="separable"):
        demos.erm_gap_simulation(5, [0.0, 50.0], n_repeats=50, seed=0)


# --- minibatch gradients ---------------------------------------------------------

def test_minibatch_gradients_variance_follows_the_finite_population_formula():
    rng = np.random.default_rng(3)
    g = rng.normal(size=(20, 3))
    gbar = g.mean(axis=0)
    s2 = math.fsum(float(v) for v in ((g - gbar) ** 2).sum(axis=1)) / 20
    for b, replace, want in ((5, False, s2 / 5 * 15 / 19), (5, True, s2 / 5)):
        G = demos.minibatch_gradients(g, b, n_draws=40_000, seed=1, replace=replace)
        dev = ((G - gbar) ** 2).sum(axis=1)
        assert abs(dev.mean() - want) < 5 * dev.std() / math.sqrt(dev.size)
    full = demos.minibatch_gradients(g, 20, n_draws=3, seed=0)
    np.testing.assert_allclose(full, np.tile(gbar, (3, 1)), rtol=1e-14)


def test_minibatch_gradients_without_replacement_use_distinct_examples():
    G = demos.minibatch_gradients(2 ** np.arange(10.0)[:, None], 3, n_draws=200, seed=0)
    sums = (3 * G[:, 0]).astype(int)
    assert all(bin(s).count("1") == 3 for s in sums)


def test_minibatch_gradients_errors():
    g = np.zeros((4, 2))
    with pytest.raises(ValueError, match="batch_size must be at most N = 4"):
        demos.minibatch_gradients(g, 5, n_draws=2, seed=0)
    with pytest.raises(TypeError, match="replace must be True or False"):
        demos.minibatch_gradients(g, 2, n_draws=2, seed=0, replace="yes")
    with pytest.raises(ValueError, match="per_example_grads must be a 2-D array"):
        demos.minibatch_gradients(np.zeros(4), 2, n_draws=2, seed=0)
