"""Oracle (b): SciPy and scikit-learn as independent implementations."""

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st
from sklearn import metrics

import lossbook as lb

RTOL = 1e-13


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    z = rng.normal(scale=3.0, size=(200, 6))
    y = rng.integers(0, 6, size=200)
    p = sp.softmax(z, axis=1)
    return z, y, p


def test_activations_match_scipy(data):
    z, _, _ = data
    np.testing.assert_allclose(lb.logsumexp(z), sp.logsumexp(z, axis=-1), rtol=RTOL)
    np.testing.assert_allclose(lb.softmax(z), sp.softmax(z, axis=-1), rtol=RTOL)
    np.testing.assert_allclose(lb.log_softmax(z), sp.log_softmax(z, axis=-1), rtol=RTOL)
    x = np.linspace(-50, 50, 1001)
    np.testing.assert_allclose(lb.sigmoid(x), sp.expit(x), rtol=RTOL)
    np.testing.assert_allclose(lb.log_sigmoid(x), sp.log_expit(x), rtol=RTOL)


def test_information_matches_scipy(data):
    _, _, p = data
    q = p[::-1]
    np.testing.assert_allclose(lb.entropy(p), st.entropy(p, axis=1), rtol=RTOL)
    np.testing.assert_allclose(lb.entropy(p), sp.entr(p).sum(axis=1), rtol=RTOL)
    np.testing.assert_allclose(lb.entropy(p, base=2), st.entropy(p, base=2, axis=1), rtol=RTOL)
    np.testing.assert_allclose(lb.kl_divergence(p, q), sp.rel_entr(p, q).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(lb.kl_divergence(p, q), st.entropy(p, q, axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        lb.cross_entropy(p, q), st.entropy(p, axis=1) + st.entropy(p, q, axis=1), rtol=1e-12
    )


def test_kl_is_rel_entr_not_kl_div():
    p = np.array([0.2, 0.8])
    q = np.array([0.5, 0.5])
    # for normalised inputs the two agree in total, but per-term they differ;
    # with sub-normalised q they differ in total too: we follow rel_entr.
    assert float(lb.kl_divergence(p, q)) == pytest.approx(float(sp.rel_entr(p, q).sum()), rel=1e-15)


def test_zero_conventions_match_scipy():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.0, 0.5])
    assert float(lb.kl_divergence(p, q)) == np.inf == float(sp.rel_entr(p, q).sum())
    assert float(lb.cross_entropy(p, q)) == np.inf
    q2 = np.array([0.25, 0.5, 0.25])  # p = 0 where q > 0: term is 0, finite
    assert float(lb.kl_divergence(p, q2)) == pytest.approx(float(sp.rel_entr(p, q2).sum()), rel=1e-15)
    assert np.isfinite(float(lb.cross_entropy(p, q2)))


def test_categorical_cross_entropy_matches_sklearn(data):
    _, y, p = data
    assert float(lb.categorical_cross_entropy(y, p)) == pytest.approx(
        metrics.log_loss(y, p, labels=np.arange(6)), rel=1e-13
    )
    onehot = np.eye(6)[y]
    assert float(lb.categorical_cross_entropy(onehot, p)) == pytest.approx(
        metrics.log_loss(y, p, labels=np.arange(6)), rel=1e-13
    )


def test_softmax_cross_entropy_matches_scipy(data):
    z, y, _ = data
    ref = sp.logsumexp(z, axis=1) - z[np.arange(len(y)), y]
    np.testing.assert_allclose(lb.softmax_cross_entropy(y, z, reduction="none"), ref, rtol=1e-12)
    assert float(lb.softmax_cross_entropy(y, z, reduction="sum")) == pytest.approx(ref.sum(), rel=1e-13)


def test_binary_cross_entropy_matches_sklearn():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.99, size=300)
    y = rng.integers(0, 2, size=300)
    assert float(lb.binary_cross_entropy(y, p)) == pytest.approx(metrics.log_loss(y, p), rel=1e-13)
    z = sp.logit(p)
    assert float(lb.binary_cross_entropy_with_logits(y, z)) == pytest.approx(metrics.log_loss(y, p), rel=1e-12)


def test_binary_hinge_matches_sklearn_via_two_class_scores():
    # sklearn's binary hinge: mean max(0, 1 - t f), t in {-1, 1}. With scores
    # [0, f] and our Weston-Watkins loss: max(0, 0 - f + 1) for y = 1 and
    # max(0, f - 0 + 1) for y = 0: identical.
    rng = np.random.default_rng(2)
    f = rng.normal(size=100)
    y = rng.integers(0, 2, size=100)
    scores = np.column_stack([np.zeros(100), f])
    assert float(lb.multiclass_hinge(y, scores)) == pytest.approx(metrics.hinge_loss(2 * y - 1, f), rel=1e-13)


def test_regression_losses_match_sklearn():
    rng = np.random.default_rng(5)
    y = rng.normal(size=(50, 3))
    p = rng.normal(size=(50, 3))
    assert float(lb.mse(y, p)) == pytest.approx(metrics.mean_squared_error(y, p), rel=1e-13)
    assert float(lb.mae(y, p)) == pytest.approx(metrics.mean_absolute_error(y, p), rel=1e-13)
    np.testing.assert_allclose(lb.mse(y, p, reduction="none"), ((y - p) ** 2).mean(axis=1), rtol=1e-13)


def test_gaussian_nll_matches_scipy_norm():
    rng = np.random.default_rng(9)
    y, mu = rng.normal(size=40), rng.normal(size=40)
    s = rng.uniform(0.1, 3.0, size=40)
    np.testing.assert_allclose(
        lb.gaussian_nll(y, mu, s, reduction="none"), -st.norm.logpdf(y, mu, s), rtol=1e-13
    )


def test_multiclass_hinge_is_weston_watkins_not_sklearns_crammer_singer():
    s = np.array([[0.0, 1.0, 1.0]])
    assert float(lb.multiclass_hinge([0], s)) == 4.0  # (1 - 0 + 1) + (1 - 0 + 1)
    assert metrics.hinge_loss([0], s, labels=[0, 1, 2]) == 2.0  # only the largest wrong score


def test_where_libraries_lose_the_tiny_value():
    # [0, -40] with label 0: exact loss log1p(e^-40) = 4.2483542552915889e-18
    z = np.array([[0.0, -40.0]])
    assert float(lb.softmax_cross_entropy([0], z)) == 4.248354255291589e-18
    assert -sp.log_softmax(z[0])[0] == 0.0  # SciPy's log_softmax rounds to -0.0
    assert float(lb.log_softmax(z)[0, 0]) == -4.248354255291589e-18
