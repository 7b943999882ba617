"""Tests for lossbook.optimisation (companion to the learning-as-optimisation and
maximum-likelihood chapters). Oracles: scikit-learn / SciPy, finite differences,
closed forms, and hand-computed values (claims A1, B1, C2 of the source audit)."""

import numpy as np
import pytest
from scipy import optimize, stats
from sklearn.metrics import log_loss

import lossbook as lb
from lossbook import demos


@pytest.fixture
def logistic_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    X = np.column_stack([np.ones_like(x), x])
    y = (rng.random(40) < 1 / (1 + np.exp(-(2 * x - 0.5)))).astype(float)
    return X, y


def test_reexported():
    # each public name of the module is either library (top level) or a chapter demo
    for name in lb.optimisation.__all__:
        room = lb if name in lb.__all__ else demos
        assert getattr(room, name) is getattr(lb.optimisation, name)
    assert "classification_error" in lb.__all__ and "gradient_descent" in demos.__all__


# --- logistic model ----------------------------------------------------------
def test_logistic_ce_matches_sklearn(logistic_data):
    X, y = logistic_data
    w = np.array([0.3, -1.2])
    p = 1 / (1 + np.exp(-(X @ w)))
    assert demos.logistic_model_loss(w, X, y) == pytest.approx(log_loss(y, p), rel=1e-12)


def test_logistic_se_literal(logistic_data):
    X, y = logistic_data
    w = np.array([0.3, -1.2])
    p = 1 / (1 + np.exp(-(X @ w)))
    assert demos.logistic_model_loss(w, X, y, loss="squared_error") == pytest.approx(np.mean((p - y) ** 2), rel=1e-13)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_logistic_grad_matches_finite_differences(logistic_data, loss):
    X, y = logistic_data
    w = np.array([1.5, -2.0])
    num = lb.numerical_gradient(lambda v: demos.logistic_model_loss(v, X, y, loss=loss), w)
    np.testing.assert_allclose(demos.logistic_model_grad(w, X, y, loss=loss), num, rtol=1e-7, atol=1e-10)


def test_losses_give_different_gradients_B1(logistic_data):
    # B1: same weights, same data, different loss function -> different update.
    X, y = logistic_data
    w = np.array([3.0, -3.0])
    g_ce = demos.logistic_model_grad(w, X, y)
    g_se = demos.logistic_model_grad(w, X, y, loss="squared_error")
    cos = g_ce @ g_se / np.linalg.norm(g_ce) / np.linalg.norm(g_se)
    assert np.linalg.norm(g_ce) > 3 * np.linalg.norm(g_se)
    assert cos < 0.99


def test_logistic_errors(logistic_data):
    X, y = logistic_data
    with pytest.raises(ValueError, match="loss must be one of"):
        demos.logistic_model_loss([0.0, 0.0], X, y, loss="hinge")
    with pytest.raises(ValueError, match="X has 2 columns but w has 3"):
        demos.logistic_model_grad([0.0, 0.0, 0.0], X, y)
    with pytest.raises(ValueError, match="one entry per row of X"):
        demos.logistic_model_loss([0.0, 0.0], X, y[:-1])
    with pytest.raises(ValueError, match="y"):
        demos.logistic_model_loss([0.0, 0.0], X, y + 2)


# --- surfaces and descent ------------------------------------------------------
def test_loss_surface_orientation():
    Z = demos.loss_surface(lambda w: 10 * w[0] + w[1], [0.0, 1.0, 2.0], [5.0, 7.0])
    W0, W1 = np.meshgrid([0.0, 1.0, 2.0], [5.0, 7.0])
    np.testing.assert_array_equal(Z, 10 * W0 + W1)


def test_loss_surface_errors():
    with pytest.raises(TypeError, match="loss must be callable"):
        demos.loss_surface(3.0, [0.0], [0.0])
    with pytest.raises(ValueError, match="w1 must be a 1-D array"):
        demos.loss_surface(lambda w: 0.0, [0.0], [[0.0]])
    with pytest.raises(ValueError, match="finite values"):
        demos.loss_surface(lambda w: np.inf, [0.0], [0.0])


def test_gradient_descent_quadratic_closed_form():
    # On L(w) = 1/2 w^T A w, GD gives w_t = (I - eta A)^t w_0 exactly.
    A = np.diag([1.0, 4.0])
    w0 = np.array([1.0, 1.0])
    path = demos.gradient_descent(lambda w: 0.5 * w @ A @ w, lambda w: A @ w, w0, learning_rate=0.1, n_steps=7)
    expected = np.array([np.linalg.matrix_power(np.eye(2) - 0.1 * A, t) @ w0 for t in range(8)])
    np.testing.assert_allclose(path.weights, expected, rtol=1e-14)
    np.testing.assert_allclose(path.losses, 0.5 * np.einsum("ti,ij,tj->t", expected, A, expected), rtol=1e-13)
    assert w0.tolist() == [1.0, 1.0]  # not mutated


def test_gradient_descent_reaches_scipy_optimum(logistic_data):
    X, y = logistic_data
    f = lambda w: demos.logistic_model_loss(w, X, y)  # noqa: E731
    g = lambda w: demos.logistic_model_grad(w, X, y)  # noqa: E731
    path = demos.gradient_descent(f, g, [0.0, 0.0], learning_rate=2.0, n_steps=2000)
    ref = optimize.minimize(f, np.zeros(2), jac=g, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(path.weights[-1], ref.x, rtol=1e-6)
    assert np.all(np.diff(path.losses) <= 1e-15)


def test_gradient_descent_errors():
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        demos.gradient_descent(lambda w: 0.0, lambda w: w, [1.0], learning_rate=0.0, n_steps=1)
    with pytest.raises(ValueError, match="n_steps must be an int >= 0"):
        demos.gradient_descent(lambda w: 0.0, lambda w: w, [1.0], learning_rate=0.1, n_steps=-1)
    with pytest.raises(ValueError, match="grad must return an array of shape"):
        demos.gradient_descent(lambda w: 0.0, lambda w: np.zeros(3), [1.0], learning_rate=0.1, n_steps=1)
    with pytest.raises(ValueError, match="diverged at step"), np.errstate(over="ignore"):
        demos.gradient_descent(lambda w: float(w @ w), lambda w: 2 * w, [1.0], learning_rate=1e200, n_steps=5)


def test_sgd_is_seeded_and_full_batch_equals_gd(logistic_data):
    X, y = logistic_data
    f = lambda w: demos.logistic_model_loss(w, X, y)  # noqa: E731
    gi = lambda w, i: demos.logistic_model_grad(w, X[i], y[i])  # noqa: E731
    a = demos.stochastic_gradient_descent(f, gi, [0.0, 0.0], 40, learning_rate=0.5, n_steps=30, batch_size=5, seed=3)
    b = demos.stochastic_gradient_descent(f, gi, [0.0, 0.0], 40, learning_rate=0.5, n_steps=30, batch_size=5, seed=3)
    c = demos.stochastic_gradient_descent(f, gi, [0.0, 0.0], 40, learning_rate=0.5, n_steps=30, batch_size=5, seed=4)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    full = demos.stochastic_gradient_descent(f, gi, [0.0, 0.0], 40, learning_rate=0.5, n_steps=10, batch_size=40, seed=0)
    gd = demos.gradient_descent(f, lambda w: demos.logistic_model_grad(w, X, y), [0.0, 0.0], learning_rate=0.5, n_steps=10)
    np.testing.assert_allclose(full.weights, gd.weights, rtol=1e-12, atol=1e-15)


def test_sgd_errors():
    with pytest.raises(ValueError, match="batch_size must be <= n_samples = 3"):
        demos.stochastic_gradient_descent(lambda w: 0.0, lambda w, i: w, [0.0], 3, learning_rate=0.1, n_steps=1, batch_size=4, seed=0)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        demos.stochastic_gradient_descent(lambda w: 0.0, lambda w, i: w, [0.0], 3, learning_rate=0.1, n_steps=1, batch_size=1, seed=-1)


# --- metric: claim A1 ----------------------------------------------------------
def test_classification_error_and_A1():
    # A1: both networks misclassify one item of three; mean cross-entropies
    # (natural log) round to 1.38 and 0.64.
    y = np.array([2, 1, 0])
    q1 = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
    q2 = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])
    assert lb.classification_error(y, q1) == lb.classification_error(y, q2) == pytest.approx(1 / 3)
    assert round(float(lb.categorical_cross_entropy(y, q1)), 2) == 1.38
    assert round(float(lb.categorical_cross_entropy(y, q2)), 2) == 0.64
    assert float(lb.categorical_cross_entropy(y, q1)) == pytest.approx(log_loss(y, q1, labels=[0, 1, 2]), rel=1e-12)


def test_classification_error_errors():
    with pytest.raises(ValueError, match="y_true labels must be in \\[0, 1\\]"):
        lb.classification_error([2], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="one label per row"):
        lb.classification_error([0, 1], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="y_score must be a 2-D array"):
        lb.classification_error([0], [0.5, 0.5])


# --- consistency: claim C2 -----------------------------------------------------
def test_mle_error_by_size_bernoulli_rate_C2():
    sizes = np.array([10, 100, 1000])
    res = demos.mle_error_by_size(
        lambda rng, s: (rng.random(s) < 0.3).astype(float), lambda d: d.mean(axis=1), 0.3, sizes, n_repeats=4000, seed=0
    )
    np.testing.assert_allclose(res.rmse, np.sqrt(0.21 / sizes), rtol=0.05)
    assert np.all(np.abs(res.bias) < 3 * np.sqrt(0.21 / sizes / 4000))
    np.testing.assert_array_equal(res.sizes, sizes)


def test_mle_error_by_size_detects_bias():
    # The MLE of a normal sd divides by n: biased low at small n, bias -> 0.
    res = demos.mle_error_by_size(
        lambda rng, s: rng.normal(0, 1, s), lambda d: d.std(axis=1), 1.0, [5, 5000], n_repeats=3000, seed=1
    )
    assert res.bias[0] < -0.1
    assert abs(res.bias[1]) < 0.01


def test_mle_error_by_size_errors():
    ok_sample = lambda rng, s: rng.random(s)  # noqa: E731
    ok_est = lambda d: d.mean(axis=1)  # noqa: E731
    with pytest.raises(ValueError, match="sizes must be a non-empty 1-D array of integers >= 1"):
        demos.mle_error_by_size(ok_sample, ok_est, 0.5, [0, 10], n_repeats=10, seed=0)
    with pytest.raises(ValueError, match="sample must return an array of shape"):
        demos.mle_error_by_size(lambda rng, s: rng.random(3), ok_est, 0.5, [10], n_repeats=10, seed=0)
    with pytest.raises(ValueError, match="estimate must return one value per row"):
        demos.mle_error_by_size(ok_sample, lambda d: d.mean(), 0.5, [10], n_repeats=10, seed=0)
    with pytest.raises(ValueError, match="true_value must be finite"):
        demos.mle_error_by_size(ok_sample, ok_est, np.nan, [10], n_repeats=10, seed=0)
    with pytest.raises(ValueError, match="n_repeats must be an int >= 2"):
        demos.mle_error_by_size(ok_sample, ok_est, 0.5, [10], n_repeats=1, seed=0)


# --- heteroscedastic Gaussian NLL --------------------------------------------------
@pytest.fixture
def hetero_data():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 2, 80)
    y = 1 + 2 * x + np.exp(-1.5 + x) * rng.normal(size=80)
    return x, y


def test_hetero_nll_matches_scipy(hetero_data):
    x, y = hetero_data
    th = np.array([0.5, 1.0, -0.3, 0.4])
    ref = -np.mean(stats.norm.logpdf(y, loc=th[0] + th[1] * x, scale=np.exp(th[2] + th[3] * x)))
    assert demos.heteroscedastic_gaussian_nll(th, x, y) == pytest.approx(ref, rel=1e-13)


def test_hetero_grad_matches_finite_differences(hetero_data):
    x, y = hetero_data
    th = np.array([0.5, 1.0, -0.3, 0.4])
    num = lb.numerical_gradient(lambda t: demos.heteroscedastic_gaussian_nll(t, x, y), th)
    np.testing.assert_allclose(demos.heteroscedastic_gaussian_nll_grad(th, x, y), num, rtol=1e-7)


def test_hetero_constant_sigma_mle_is_least_squares(hetero_data):
    # With d = 0 the optimum over (a, b, c) is ordinary least squares and
    # sigma^2 = mean squared residual: the gradient vanishes there.
    x, y = hetero_data
    A = np.column_stack([np.ones_like(x), x])
    ab = np.linalg.lstsq(A, y, rcond=None)[0]
    s = np.sqrt(np.mean((y - A @ ab) ** 2))
    g = demos.heteroscedastic_gaussian_nll_grad([ab[0], ab[1], np.log(s), 0.0], x, y)
    np.testing.assert_allclose(g[:3], 0.0, atol=1e-12)


def test_hetero_errors(hetero_data):
    x, y = hetero_data
    with pytest.raises(ValueError, match="theta must have 4 entries"):
        demos.heteroscedastic_gaussian_nll([0.0, 0.0], x, y)
    with pytest.raises(ValueError, match="x"):
        demos.heteroscedastic_gaussian_nll_grad([0.0] * 4, x[:-1], y)
    with pytest.raises(ValueError, match="theta"):
        demos.heteroscedastic_gaussian_nll([0.0, 0.0, np.inf, 0.0], x, y)
