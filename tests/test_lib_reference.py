"""Oracle (a): per-sample values against mpmath at 50 significant digits.

References are computed inside the tests with ``mpmath.mp.dps = 50`` from the
textbook formulas (no stabilisation tricks: 50 digits make the naive formula
exact to double precision). Tolerances are explicit: ``RTOL = 8 ulp``-ish
(``4e-15``) on ordinary inputs.
"""

import mpmath
import numpy as np
import pytest

import lossbook as lb

mpmath.mp.dps = 50
RTOL = 4e-15  # ~18 ulps at 1.0; observed errors are a few ulps


def mp_lse(row):
    return mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row))


def mp_softplus(x):
    return mpmath.log1p(mpmath.exp(mpmath.mpf(float(x))))


def close(got, want, rtol=RTOL, atol=0.0):
    want = float(want)
    assert abs(float(got) - want) <= atol + rtol * abs(want), (float(got), want)


@pytest.fixture(scope="module")
def logits():
    rng = np.random.default_rng(20240501)
    z = rng.normal(scale=4.0, size=(40, 5))
    z[0] = [0.0, -40.0, -41.0, -50.0, -60.0]   # confidently right: tiny loss
    z[1] = [3.0, 3.0, 3.0, 3.0, 3.0]           # all tied
    z[2] = [700.0, 700.0, -700.0, 1.0, 2.0]     # large, tie at max
    z[3] = [1e-20, 0.0, -1e-20, 0.0, 0.0]
    return z


def test_logsumexp_matches_mpmath(logits):
    got = lb.logsumexp(logits)
    for row, g in zip(logits, got):
        close(g, mp_lse(row))


def test_log_softmax_and_softmax_match_mpmath(logits):
    ls = lb.log_softmax(logits)
    sm = lb.softmax(logits)
    for row, lrow, srow in zip(logits, ls, sm):
        lse = mp_lse(row)
        for v, lv, sv in zip(row, lrow, srow):
            exact = mpmath.mpf(float(v)) - lse
            close(lv, exact, atol=1e-300)
            close(sv, mpmath.exp(exact), rtol=RTOL, atol=1e-300)


def test_softmax_cross_entropy_matches_mpmath_every_class(logits):
    n, c = logits.shape
    for k in range(c):
        y = np.full(n, k)
        got = lb.softmax_cross_entropy(y, logits, reduction="none")
        for row, g in zip(logits, got):
            close(g, mp_lse(row) - mpmath.mpf(float(row[k])))


def test_confident_cross_entropy_keeps_tiny_value():
    got = float(lb.softmax_cross_entropy([0], [[0.0, -40.0]]))
    want = mpmath.log1p(mpmath.exp(-40))
    close(got, want)
    assert got > 0


def test_soft_target_cross_entropy_matches_mpmath(logits):
    rng = np.random.default_rng(3)
    t = rng.dirichlet(np.ones(logits.shape[1]), size=logits.shape[0])
    got = lb.softmax_cross_entropy(t, logits, reduction="none")
    for row, trow, g in zip(logits, t, got):
        want = mp_lse(row) - mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(b)) for a, b in zip(trow, row))
        # targets sum to 1 only up to rounding (~1e-16), so compare with the
        # normalised-target formula's tolerance
        close(g, want, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3, 1 - 1e-9, 0.999])
def test_bce_with_logits_matches_mpmath(y):
    zs = [-745.0, -40.0, -3.0, -1e-8, 0.0, 1e-8, 0.5, 3.0, 40.0, 700.0]
    got = lb.binary_cross_entropy_with_logits(np.full(len(zs), y), np.array(zs), reduction="none")
    for z, g in zip(zs, got):
        ym = mpmath.mpf(y)
        want = ym * mp_softplus(-z) + (1 - ym) * mp_softplus(z)
        close(g, want, atol=1e-300)


def test_bce_from_probabilities_matches_mpmath():
    ps = [1e-300, 1e-20, 1e-5, 0.3, 0.5, 0.9, 1 - 1e-10]
    for y in (0.0, 1.0, 0.25):
        got = lb.binary_cross_entropy(np.full(len(ps), y), np.array(ps), reduction="none")
        for p, g in zip(ps, got):
            pm, ym = mpmath.mpf(p), mpmath.mpf(y)
            want = -(ym * mpmath.log(pm) + (1 - ym) * mpmath.log(1 - pm))
            close(g, want, atol=1e-300)


def test_sigmoid_and_log_sigmoid_match_mpmath():
    zs = np.array([-745.0, -700.0, -40.0, -2.5, -1e-10, 0.0, 1e-10, 2.5, 40.0, 700.0])
    s = lb.sigmoid(zs)
    ls = lb.log_sigmoid(zs)
    for z, sv, lv in zip(zs, s, ls):
        zm = mpmath.mpf(float(z))
        close(sv, 1 / (1 + mpmath.exp(-zm)), atol=1e-300)
        close(lv, -mp_softplus(-z), atol=1e-300)


def test_information_measures_match_mpmath():
    rng = np.random.default_rng(11)
    p = rng.dirichlet(np.ones(6), size=10)
    q = rng.dirichlet(np.ones(6), size=10)
    q[0] = p[0] * (1 + 1e-4 * np.arange(6))  # nearly equal rows: small KL
    q[0] /= q[0].sum()
    H = lb.entropy(p)
    CE = lb.cross_entropy(p, q)
    KL = lb.kl_divergence(p, q)
    for i in range(10):
        pm = [mpmath.mpf(float(v)) for v in p[i]]
        qm = [mpmath.mpf(float(v)) for v in q[i]]
        close(H[i], -mpmath.fsum(a * mpmath.log(a) for a in pm))
        close(CE[i], -mpmath.fsum(a * mpmath.log(b) for a, b in zip(pm, qm)))
        kl = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(pm, qm))
        close(KL[i], kl, rtol=1e-7 if i == 0 else 1e-13)


def test_regression_losses_match_mpmath():
    y = np.array([0.1, -2.0, 3.5, 10.0])
    p = np.array([0.3, -1.0, 0.5, 10.0])
    s = np.array([0.5, 1.0, 2.0, 3.0])
    got = lb.gaussian_nll(y, p, s, reduction="none")
    hub = lb.huber(y, p, delta=1.5, reduction="none")
    for yi, pi, si, g, h in zip(y, p, s, got, hub):
        ym, pm, sm = (mpmath.mpf(float(v)) for v in (yi, pi, si))
        want = mpmath.log(2 * mpmath.pi) / 2 + mpmath.log(sm) + (ym - pm) ** 2 / (2 * sm**2)
        close(g, want)
        r = abs(pm - ym)
        hw = r**2 / 2 if r <= 1.5 else mpmath.mpf(1.5) * (r - mpmath.mpf(0.75))
        close(h, hw)


def test_exact_zeros():
    assert float(lb.multiclass_hinge([0], [[5.0, 1.0, 2.0]])) == 0.0
    assert float(lb.mse([1.0, 2.0], [1.0, 2.0])) == 0.0
    assert float(lb.mae([1.0, 2.0], [1.0, 2.0])) == 0.0
    assert float(lb.huber([1.0], [1.0])) == 0.0
    assert float(lb.binary_cross_entropy([1.0, 0.0], [1.0, 0.0])) == 0.0
    assert float(lb.categorical_cross_entropy([1], [[0.0, 1.0]])) == 0.0
    assert float(lb.kl_divergence([0.2, 0.8], [0.2, 0.8])) == 0.0
    assert float(lb.entropy([1.0, 0.0])) == 0.0


@pytest.mark.parametrize("scale", [1e-8, 1e-12, 1e-4, 1e-1])
def test_kl_of_nearly_equal_distributions_within_a_few_ulps_of_mpmath(scale):
    """Issue 11 item 3: q = p(1 + scale u), KL about scale**2; the per-term sum used to cancel.

    Reference: the textbook sum p log(p/q) over the float inputs as given, at 50 digits.
    """
    import math

    rng = np.random.default_rng(11)

    def exact_row(v):
        # make the float row sum to exactly 1 (checked in exact arithmetic), or None
        v = v.copy()
        j = int(np.argmax(v))
        v[j] = 1.0 - math.fsum(np.delete(v, j))
        return v if mpmath.fsum(mpmath.mpf(float(x)) for x in v) == 1 else None

    checked = 0
    while checked < 15:
        k = int(rng.integers(2, 30))
        p = exact_row(rng.dirichlet(np.ones(k)))
        if p is None:
            continue
        q = exact_row(p * (1.0 + scale * rng.uniform(-1.0, 1.0, k)))
        if q is None:
            continue
        checked += 1
        want = float(mpmath.fsum(mpmath.mpf(float(a)) * mpmath.log(mpmath.mpf(float(a)) / mpmath.mpf(float(b)))
                                 for a, b in zip(p, q)))
        got = float(lb.kl_divergence(p, q))
        assert want > 0
        assert abs(got - want) <= 4 * math.ulp(want), (k, got, want)
