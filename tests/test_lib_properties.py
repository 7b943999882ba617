"""Oracle (c): Hypothesis property tests, and every _grad against numerical_gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossbook as lb

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
logit_rows = hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)), elements=finite)


@st.composite
def prob_pair(draw):
    k = draw(st.integers(2, 6))
    w = st.floats(1e-3, 1.0)
    p = np.array(draw(st.lists(w, min_size=k, max_size=k)))
    q = np.array(draw(st.lists(w, min_size=k, max_size=k)))
    if draw(st.booleans()):
        p[draw(st.integers(0, k - 1))] = 0.0  # exercise 0 log 0
        if p.sum() == 0:
            p[0] = 1.0
    return p / p.sum(), q / q.sum()


@SETTINGS
@given(logit_rows, st.floats(-1e3, 1e3))
def test_softmax_shift_invariance_and_rows_sum_to_one(z, c):
    s = lb.softmax(z)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=0, atol=4e-16 * z.shape[-1])
    np.testing.assert_allclose(lb.softmax(z + c), s, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(lb.logsumexp(z + c), lb.logsumexp(z) + c, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(prob_pair())
def test_information_identities(pq):
    p, q = pq
    kl = float(lb.kl_divergence(p, q))
    # Gibbs' inequality, on an independent unclipped sum (lossbook clips round-off below 0,
    # so "lb.kl_divergence(p, q) >= 0" alone could never fail)
    from scipy.special import rel_entr

    raw = float(np.sum(rel_entr(p, q)))
    assert raw >= -1e-15
    assert kl == pytest.approx(max(raw, 0.0), rel=1e-9, abs=1e-15)
    assert float(lb.kl_divergence(p, p)) == 0.0
    assert float(lb.cross_entropy(p, q)) == pytest.approx(float(lb.entropy(p)) + kl, rel=1e-12, abs=1e-14)
    assert float(lb.entropy(p, base=2)) == pytest.approx(float(lb.entropy(p)) / np.log(2), rel=1e-14, abs=1e-300)
    assert float(lb.kl_divergence(p, q, base=2)) == pytest.approx(kl / np.log(2), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 1000])
def test_entropy_of_uniform_is_log_n(n):
    assert float(lb.entropy(np.full(n, 1.0 / n))) == pytest.approx(np.log(n), rel=1e-14, abs=0)


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e300, 1e300)),
       hnp.arrays(np.float64, 8, elements=st.floats(0, 1)))
def test_bce_symmetry(z, y):
    # snap y so that 1 - y is exact (1 - y rounds for tiny y, which would
    # change the input, not test the loss); then the symmetry is exact
    y = 1.0 - (1.0 - y[: z.size])
    a = lb.binary_cross_entropy_with_logits(y, z, reduction="none")
    b = lb.binary_cross_entropy_with_logits(1.0 - y, -z, reduction="none")
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", [1000.0, 1e300])
def test_finite_for_huge_logits(scale):
    z = np.array([[scale, -scale, 0.0], [-scale, -scale, -scale], [scale, scale, -scale]])
    for y in ([0, 1, 2], [1, 0, 2]):
        ce = lb.softmax_cross_entropy(y, z, reduction="none")
        assert np.all(np.isfinite(ce)) and np.all(ce >= 0)
    assert np.all(np.isfinite(lb.logsumexp(z)))
    assert np.all(np.isfinite(lb.log_softmax(z)))
    assert np.all(np.isfinite(lb.softmax(z)))
    assert np.all(np.isfinite(lb.softmax_cross_entropy_grad([0, 1, 2], z)))
    zz = np.array([scale, -scale, 0.0])
    for y in ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.5, 0.999, 1e-9]):
        assert np.all(np.isfinite(lb.binary_cross_entropy_with_logits(y, zz, reduction="none")))
    assert np.all(np.isfinite(lb.log_sigmoid(zz))) and np.all(np.isfinite(lb.sigmoid(zz)))
    assert np.isfinite(float(lb.multiclass_hinge([0, 1, 2], z / 2)))


def test_tiny_probabilities_finite():
    p = np.array([1e-300, 1 - 1e-16, 5e-324])
    y = np.array([1.0, 1.0, 0.0])
    got = lb.binary_cross_entropy(y, p, reduction="none")
    assert np.all(np.isfinite(got))
    assert got[0] == pytest.approx(300 * np.log(10), rel=1e-14)
    assert float(lb.categorical_cross_entropy([0], [[1e-300, 1.0]])) == pytest.approx(300 * np.log(10), rel=1e-14)
    assert np.isfinite(float(lb.kl_divergence([1.0, 0.0], [1e-300, 1.0])))
    assert np.isfinite(float(lb.kl_divergence([0.5, 0.5], [5e-324, 1.0])))


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5)), st.floats(0.1, 3))
def test_huber_continuous_at_delta(y, delta):
    for sgn in (1.0, -1.0):
        at = float(lb.huber(y, y + sgn * delta, delta=delta))
        inside = float(lb.huber(y, y + sgn * delta * (1 - 1e-12), delta=delta))
        outside = float(lb.huber(y, y + sgn * delta * (1 + 1e-12), delta=delta))
        assert at == pytest.approx(0.5 * delta**2, rel=1e-12)
        assert inside == pytest.approx(at, rel=1e-9) and outside == pytest.approx(at, rel=1e-9)


dyadic_rows = hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)),
                        elements=st.integers(-40, 40).map(lambda k: k / 4))


@SETTINGS
@given(dyadic_rows, st.sampled_from([0.25, 0.5, 1.0, 2.0]), st.data())
def test_hinge_zero_once_margins_met(s, margin, data):
    # dyadic scores and margins: every operation below is exact
    n, c = s.shape
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    s = s.copy()
    rows = np.arange(n)
    others = s.copy()
    others[rows, y] = -np.inf
    s[rows, y] = others.max(axis=1) + margin  # every margin exactly met
    assert float(lb.multiclass_hinge(y, s, margin=margin)) == 0.0
    assert not np.any(lb.multiclass_hinge_grad(y, s, margin=margin))
    s[0, y[0]] -= margin / 2  # one margin now violated by margin / 2
    assert float(lb.multiclass_hinge(y, s, margin=margin, reduction="sum")) >= margin / 2


@SETTINGS
@given(logit_rows, st.data())
def test_softmax_ce_grad_rows_sum_to_zero(z, data):
    n, c = z.shape
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    g = lb.softmax_cross_entropy_grad(y, z)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-15)


# ---- gradients vs central differences (every _grad) --------------------------

def _check_grad(loss, grad, x, rtol=1e-6, atol=1e-9, h=None):
    num = lb.numerical_gradient(lambda v: float(loss(v)), x, h=h)
    np.testing.assert_allclose(grad(x), num, rtol=rtol, atol=atol)


@SETTINGS
@given(st.integers(1, 5), st.integers(2, 5), st.integers(0, 2**31), st.booleans())
def test_every_grad_matches_numerical_gradient(n, c, seed, soft):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, c))
    labels = rng.integers(0, c, size=n)
    t = rng.dirichlet(np.ones(c), size=n) if soft else labels
    _check_grad(lambda v: lb.softmax_cross_entropy(t, v), lambda v: lb.softmax_cross_entropy_grad(t, v), z)

    p = lb.softmax(z)
    p = np.clip(p, 0.02, None)
    p /= p.sum(axis=1, keepdims=True)
    _check_grad(lambda v: lb.categorical_cross_entropy(t, v, normalize=True),
                lambda v: lb.categorical_cross_entropy_grad(t, v, normalize=True), p, rtol=1e-5)
    # without normalize the perturbed rows must stay within the 1e-6 row-sum tolerance
    _check_grad(lambda v: lb.categorical_cross_entropy(t, v), lambda v: lb.categorical_cross_entropy_grad(t, v),
                p, rtol=1e-5, atol=1e-6, h=1e-8)
    _check_grad(lambda v: lb.categorical_cross_entropy(t, v, normalize=True, eps=0.05),
                lambda v: lb.categorical_cross_entropy_grad(t, v, normalize=True, eps=0.05), p, rtol=1e-5, atol=1e-6,
                h=1e-8)

    s = rng.normal(scale=2.0, size=(n, c))  # continuous: kinks have probability 0
    _check_grad(lambda v: lb.multiclass_hinge(labels, v, margin=0.5),
                lambda v: lb.multiclass_hinge_grad(labels, v, margin=0.5), s)

    yb = rng.uniform(size=(n, c)) if soft else rng.integers(0, 2, size=(n, c)).astype(float)
    _check_grad(lambda v: lb.binary_cross_entropy_with_logits(yb, v),
                lambda v: lb.binary_cross_entropy_with_logits_grad(yb, v), z)
    pb = rng.uniform(0.05, 0.95, size=(n, c))
    _check_grad(lambda v: lb.binary_cross_entropy(yb, v), lambda v: lb.binary_cross_entropy_grad(yb, v), pb)
    pe = np.where(rng.uniform(size=(n, c)) < 0.3, 0.01, pb)  # some entries in the clipped region
    _check_grad(lambda v: lb.binary_cross_entropy(yb, v, eps=0.03),
                lambda v: lb.binary_cross_entropy_grad(yb, v, eps=0.03), pe)

    y = rng.normal(size=(n, c))
    yp = y + rng.choice([-1, 1], size=(n, c)) * rng.uniform(0.1, 3.0, size=(n, c))
    _check_grad(lambda v: lb.mse(y, v), lambda v: lb.mse_grad(y, v), yp)
    _check_grad(lambda v: lb.mae(y, v), lambda v: lb.mae_grad(y, v), yp)
    _check_grad(lambda v: lb.huber(y, v, delta=1.3), lambda v: lb.huber_grad(y, v, delta=1.3), yp)
    sig = rng.uniform(0.5, 2.0, size=(n, c))
    _check_grad(lambda v: lb.gaussian_nll(y, v, sig), lambda v: lb.gaussian_nll_grad(y, v, sig), yp)
    _check_grad(lambda v: lb.gaussian_nll(y, yp, v), lambda v: lb.gaussian_nll_grad_sigma(y, yp, v), sig)
    _check_grad(lambda v: lb.gaussian_nll(y, yp, float(v[0])),
                lambda v: np.array([lb.gaussian_nll_grad_sigma(y, yp, float(v[0]))]), np.array([1.3]))


def test_subgradient_zero_at_kinks():
    assert lb.mae_grad([1.0], [1.0]).tolist() == [0.0]
    assert lb.multiclass_hinge_grad([0], [[1.0, 0.0]]).tolist() == [[0.0, 0.0]]  # margin exactly met


def test_numerical_gradient_does_not_mutate():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    lb.numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_array_equal(x, before)


# ---- inputs are never mutated -------------------------------------------------

def test_inputs_not_mutated():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 4))
    y = rng.integers(0, 4, size=50)
    t = rng.dirichlet(np.ones(4), size=50)
    p = lb.softmax(z)
    yb = rng.integers(0, 2, size=(50, 4)).astype(float)
    pb = rng.uniform(size=(50, 4))
    sig = rng.uniform(0.5, 1.0, size=(50, 4))
    arrays = [z, y, t, p, yb, pb, sig]
    saved = [a.copy() for a in arrays]
    calls = [
        lambda: lb.softmax(z), lambda: lb.log_softmax(z), lambda: lb.logsumexp(z),
        lambda: lb.sigmoid(z), lambda: lb.log_sigmoid(z),
        lambda: lb.softmax_cross_entropy(y, z), lambda: lb.softmax_cross_entropy_grad(t, z),
        lambda: lb.softmax_cross_entropy(t, z), lambda: lb.softmax_cross_entropy_grad(y, z),
        lambda: lb.categorical_cross_entropy(y, p, eps=1e-3), lambda: lb.categorical_cross_entropy_grad(t, p, eps=1e-3, normalize=True),
        lambda: lb.multiclass_hinge(y, z), lambda: lb.multiclass_hinge_grad(y, z),
        lambda: lb.binary_cross_entropy(yb, pb, eps=1e-3), lambda: lb.binary_cross_entropy_grad(yb, pb, eps=1e-3),
        lambda: lb.binary_cross_entropy_with_logits(yb, z), lambda: lb.binary_cross_entropy_with_logits_grad(yb, z),
        lambda: lb.mse(yb, z), lambda: lb.mae_grad(yb, z), lambda: lb.huber_grad(yb, z),
        lambda: lb.gaussian_nll(yb, z, sig), lambda: lb.gaussian_nll_grad_sigma(yb, z, sig),
        lambda: lb.entropy(t), lambda: lb.kl_divergence(t, p), lambda: lb.cross_entropy(t, p),
    ]
    for call in calls:
        call()
    for a, s in zip(arrays, saved):
        np.testing.assert_array_equal(a, s)


def test_reductions_consistent():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(20, 3))
    y = rng.integers(0, 3, size=20)
    per = lb.softmax_cross_entropy(y, z, reduction="none")
    assert per.shape == (20,)
    assert float(lb.softmax_cross_entropy(y, z, reduction="sum")) == pytest.approx(per.sum(), rel=1e-15)
    assert float(lb.softmax_cross_entropy(y, z)) == pytest.approx(per.mean(), rel=1e-15)
    yy = rng.normal(size=(20, 3))
    per = lb.mse(yy, z, reduction="none")
    np.testing.assert_allclose(per, ((yy - z) ** 2).mean(axis=1), rtol=1e-15)
    assert float(lb.mse(yy, z, reduction="sum")) == pytest.approx(per.sum(), rel=1e-14)


def test_blocked_kernels_agree_across_block_boundaries():
    # more rows than one block (32768 elements): results must not depend on blocking
    rng = np.random.default_rng(8)
    z = rng.normal(size=(20000, 3))
    y = rng.integers(0, 3, size=20000)
    per = lb.softmax_cross_entropy(y, z, reduction="none")
    ref = np.concatenate([lb.softmax_cross_entropy(y[i:i + 1000], z[i:i + 1000], reduction="none")
                          for i in range(0, 20000, 1000)])
    np.testing.assert_array_equal(per, ref)
    yb = rng.uniform(size=70000)
    zb = rng.normal(size=70000)
    assert float(lb.binary_cross_entropy_with_logits(yb, zb)) == pytest.approx(
        float(lb.binary_cross_entropy_with_logits(yb, zb, reduction="none").mean()), rel=1e-14)
