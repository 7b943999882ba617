"""The functions added for the new chapters (issue 11): all three oracles and the errors.

(a) mpmath at 50 digits from the textbook formulas; (b) SciPy, scikit-learn and,
when installed, PyTorch (``pytest.importorskip``); (c) Hypothesis properties;
every ``*_grad`` against central differences; errors by their text.
"""

import math

import mpmath
import numpy as np
import pytest
import scipy.optimize as so
import scipy.special as sp
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst
from scipy.spatial.distance import jensenshannon
from sklearn import metrics

import lossbook as lb

mpmath.mp.dps = 50
RTOL = 4e-15
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)
M = mpmath.mpf


def close(got, want, rtol=RTOL, atol=0.0):
    want = float(want)
    assert abs(float(got) - want) <= atol + rtol * abs(want), (float(got), want)


def mp_sig(x):
    return 1 / (1 + mpmath.exp(-M(float(x))))


def mp_log_softmax(row):
    lse = mpmath.log(mpmath.fsum(mpmath.exp(M(float(v))) for v in row))
    return [M(float(v)) - lse for v in row]


@pytest.fixture(scope="module")
def cls():
    rng = np.random.default_rng(11)
    z = rng.normal(scale=3.0, size=(30, 5))
    z[0] = [30.0, -10.0, 0.0, 1.0, 2.0]  # confidently right
    z[1] = [-30.0, 10.0, 0.0, 1.0, 2.0]  # confidently wrong
    y = rng.integers(0, 5, size=30)
    y[:2] = 0
    t = rng.dirichlet(np.ones(5), size=30)
    w = rng.uniform(0.2, 3.0, size=5)
    return z, y, t, w


def _check_grad(loss, grad, x, rtol=1e-6, atol=1e-9, h=None):
    num = lb.numerical_gradient(lambda v: float(loss(v)), x, h=h)
    np.testing.assert_allclose(grad(x), num, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- focal losses


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.7])
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_binary_focal_matches_mpmath(gamma, alpha):
    z = np.array([-40.0, -5.0, -0.3, 0.0, 1e-9, 0.7, 4.0, 25.0])
    for yv in (0.0, 1.0, 0.3):
        y = np.full_like(z, yv)
        got = lb.binary_focal_loss(y, z, gamma=gamma, alpha=alpha, reduction="none")
        for zi, gi in zip(z, got):
            p = mp_sig(zi)
            y_ = M(yv)
            pt = y_ * p + (1 - y_) * (1 - p)
            ce = -(y_ * mpmath.log(p) + (1 - y_) * mpmath.log(1 - p))
            at = 1 if alpha is None else M(alpha) * y_ + (1 - M(alpha)) * (1 - y_)
            close(gi, at * (1 - pt) ** gamma * ce, rtol=2e-14)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_softmax_focal_matches_mpmath(cls, gamma):
    z, y, t, _ = cls
    got = lb.softmax_focal_loss(y, z, gamma=gamma, reduction="none")
    got_soft = lb.softmax_focal_loss(t, z, gamma=gamma, reduction="none")
    for row, yi, ti, g, gs in zip(z, y, t, got, got_soft):
        lp = mp_log_softmax(row)
        f = [-(1 - mpmath.exp(v)) ** gamma * v for v in lp]
        close(g, f[yi], rtol=1e-14)
        close(gs, mpmath.fsum(M(float(a)) * b for a, b in zip(ti, f)), rtol=1e-14)


def test_focal_gamma_zero_is_cross_entropy(cls):
    z, y, t, _ = cls
    np.testing.assert_allclose(lb.softmax_focal_loss(y, z, gamma=0.0), lb.softmax_cross_entropy(y, z), rtol=1e-14)
    np.testing.assert_allclose(lb.softmax_focal_loss(t, z, gamma=0.0), lb.softmax_cross_entropy(t, z), rtol=1e-14)
    yb = (z > 0).astype(float)
    np.testing.assert_allclose(
        lb.binary_focal_loss(yb, z, gamma=0.0), lb.binary_cross_entropy_with_logits(yb, z), rtol=1e-14
    )


def test_binary_focal_matches_torchvision_definition():
    """torchvision.ops.sigmoid_focal_loss, written out in torch (torchvision itself is not installed)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=(50, 4))
    y = rng.integers(0, 2, size=(50, 4)).astype(float)
    zt, yt = torch.tensor(z), torch.tensor(y)
    p = torch.sigmoid(zt)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(zt, yt, reduction="none")
    pt = p * yt + (1 - p) * (1 - yt)
    for gamma, alpha in [(2.0, 0.25), (1.5, None), (0.0, 0.6)]:
        loss = ce * (1 - pt) ** gamma
        if alpha is not None:
            loss = (alpha * yt + (1 - alpha) * (1 - yt)) * loss
        np.testing.assert_allclose(
            lb.binary_focal_loss(y, z, gamma=gamma, alpha=alpha), float(loss.mean()), rtol=1e-12
        )
        np.testing.assert_allclose(
            lb.binary_focal_loss(y[:, 0], z[:, 0], gamma=gamma, alpha=alpha, reduction="sum"),
            float(loss[:, 0].sum()), rtol=1e-12
        )
        # (N, K) input: the per-sample loss is the mean over K (torchvision's "sum" sums all N K elements)
        np.testing.assert_allclose(
            lb.binary_focal_loss(y, z, gamma=gamma, alpha=alpha, reduction="sum"), float(loss.mean(1).sum()),
            rtol=1e-12)


def test_focal_finite_for_huge_logits():
    z = np.array([[1e300, -1e300], [-1e300, 1e300]])
    assert np.isfinite(lb.softmax_focal_loss([0, 0], z, reduction="none")).all()
    assert np.isfinite(lb.binary_focal_loss([1.0, 0.0], [-1e300, 1e300])).all()
    assert np.isfinite(lb.softmax_focal_loss_grad([0, 0], z)).all()


# ---------------------------------------------- softmax cross-entropy options


def _torch_ce(torch, z, y, **kw):
    target = torch.tensor(y)
    if "weight" in kw and kw["weight"] is not None:
        kw["weight"] = torch.tensor(kw["weight"])
    return torch.nn.functional.cross_entropy(torch.tensor(z), target, **kw)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.35])
@pytest.mark.parametrize("use_weight", [False, True])
@pytest.mark.parametrize("ignore", [None, -100, 2])
def test_softmax_ce_options_match_torch(cls, reduction, smoothing, use_weight, ignore):
    torch = pytest.importorskip("torch")
    z, y, t, w = cls
    weight = w if use_weight else None
    y = y.copy()
    if ignore == -100:
        y[[3, 7, 11]] = -100
    kw = dict(weight=weight, label_smoothing=smoothing, reduction=reduction)
    ref = _torch_ce(torch, z, y.astype(np.int64), ignore_index=-100 if ignore is None else ignore, **kw)
    got = lb.softmax_cross_entropy(y, z, ignore_index=ignore, **kw)
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-15)
    if ignore is None:  # probability targets (ignore_index is for labels only)
        ref = _torch_ce(torch, z, t, **kw)
        got = lb.softmax_cross_entropy(t, z, **kw)
        np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("use_weight", [False, True])
def test_softmax_ce_options_grad_matches_torch_autograd(cls, smoothing, use_weight):
    torch = pytest.importorskip("torch")
    z, y, t, w = cls
    weight = w if use_weight else None
    y = y.copy()
    y[[4, 9]] = -100
    for target in (y, t):
        zt = torch.tensor(z, requires_grad=True)
        tt = torch.tensor(target.astype(np.int64) if target.ndim == 1 else target)
        loss = torch.nn.functional.cross_entropy(
            zt, tt, weight=None if weight is None else torch.tensor(weight), label_smoothing=smoothing
        )
        loss.backward()
        kw = dict(weight=weight, label_smoothing=smoothing)
        if target.ndim == 1:
            kw["ignore_index"] = -100
        np.testing.assert_allclose(lb.softmax_cross_entropy_grad(target, z, **kw), zt.grad.numpy(), rtol=1e-11,
                                   atol=1e-16)


def test_softmax_ce_options_match_mpmath(cls):
    z, y, t, w = cls
    eps = 0.15
    c = z.shape[1]
    got = lb.softmax_cross_entropy(y, z, weight=w, label_smoothing=eps, reduction="none")
    got_rows = lb.softmax_cross_entropy(t, z, weight=w, label_smoothing=eps, reduction="none")
    num = M(0)
    den = M(0)
    for row, yi, ti, g, gr in zip(z, y, t, got, got_rows):
        lp = mp_log_softmax(row)
        want = -(1 - M(eps)) * M(w[yi]) * lp[yi] - M(eps) / c * mpmath.fsum(M(wk) * v for wk, v in zip(w, lp))
        close(g, want, rtol=1e-14)
        tt = [(1 - M(eps)) * M(float(a)) + M(eps) / c for a in ti]
        close(gr, -mpmath.fsum(M(wk) * a * v for wk, a, v in zip(w, tt, lp)), rtol=1e-14)
        num += want
        den += M(w[yi])
    close(lb.softmax_cross_entropy(y, z, weight=w, label_smoothing=eps), num / den, rtol=1e-14)


def test_softmax_ce_defaults_unchanged_by_neutral_options(cls):
    z, y, t, _ = cls
    ones = np.ones(z.shape[1])
    base = lb.softmax_cross_entropy(y, z, reduction="none")
    np.testing.assert_allclose(lb.softmax_cross_entropy(y, z, weight=ones, reduction="none"), base, rtol=1e-14)
    np.testing.assert_allclose(lb.softmax_cross_entropy(y, z, ignore_index=-100, reduction="none"), base, rtol=1e-14)
    np.testing.assert_allclose(lb.softmax_cross_entropy_grad(t, z, weight=ones), lb.softmax_cross_entropy_grad(t, z),
                               rtol=1e-13, atol=1e-17)


def test_softmax_ce_options_errors(cls):
    z, y, t, w = cls
    with pytest.raises(ValueError, match=r"weight must hold one weight per class \(5 .*got 3"):
        lb.softmax_cross_entropy(y, z, weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"weight must be non-negative, got -1.0 at index \[1\]"):
        lb.softmax_cross_entropy(y, z, weight=[1.0, -1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\], got 1.5"):
        lb.softmax_cross_entropy(y, z, label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index applies to integer labels only"):
        lb.softmax_cross_entropy(t, z, ignore_index=-100)
    with pytest.raises(TypeError, match="ignore_index must be an int or None, got float 1.5"):
        lb.softmax_cross_entropy(y, z, ignore_index=1.5)
    with pytest.raises(ValueError, match=r"y_true labels must be in \[0, 4\].*got -100"):
        lb.softmax_cross_entropy(np.full(30, -100), z)  # without ignore_index -100 is a bad label
    with pytest.raises(ValueError, match="reduction='mean' needs at least one target that is not ignored"):
        lb.softmax_cross_entropy(np.full(30, -100), z, ignore_index=-100)
    np.testing.assert_array_equal(lb.softmax_cross_entropy(np.full(30, -100), z, ignore_index=-100,
                                                           reduction="none"), 0.0)


# ---------------------------------------------------------- squared hinge


def test_squared_hinge_matches_mpmath(cls):
    z, y, _, _ = cls
    got = lb.multiclass_hinge(y, z, margin=0.7, squared=True, reduction="none")
    for row, yi, g in zip(z, y, got):
        want = mpmath.fsum(max(M(0), M(float(s)) - M(float(row[yi])) + M("0.7")) ** 2
                           for j, s in enumerate(row) if j != yi)
        close(g, want, rtol=1e-14, atol=1e-300)


def test_squared_hinge_zero_once_margins_met():
    assert float(lb.multiclass_hinge([0], [[3.0, 1.0, 0.0]], squared=True)) == 0.0
    assert lb.multiclass_hinge_grad([0], [[3.0, 1.0, 0.0]], squared=True).tolist() == [[0.0, 0.0, 0.0]]
    with pytest.raises(TypeError, match="squared must be True or False, got 'yes'"):
        lb.multiclass_hinge([0], [[1.0, 0.0]], squared="yes")


# ------------------------------------------------------------ Poisson, pinball


def test_poisson_nll_matches_mpmath_and_scipy():
    y = np.array([0.0, 1.0, 2.0, 3.0, 7.0, 40.0, 1000.0, 0.5])
    eta = np.array([-3.0, 0.0, 0.7, 1.1, 2.0, 3.7, 6.9, -0.2])
    got = lb.poisson_nll(y, eta, reduction="none")
    got_full = lb.poisson_nll(y, eta, full=True, reduction="none")
    for yi, ei, g, gf in zip(y, eta, got, got_full):
        base = mpmath.exp(M(float(ei))) - M(float(yi)) * M(float(ei))
        close(g, base, rtol=1e-14)
        lg = mpmath.loggamma(M(float(yi)) + 1)
        # the terms cancel where the rate fits the count: a few ulps of the largest term
        scale = float(abs(mpmath.exp(M(float(ei)))) + abs(M(float(yi)) * M(float(ei))) + abs(lg))
        close(gf, base + lg, rtol=1e-14, atol=4e-16 * scale)
    ints = y[:-1]
    np.testing.assert_allclose(got_full[:-1], -st.poisson.logpmf(ints, np.exp(eta[:-1])), rtol=1e-12)


def test_poisson_nll_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    y = rng.poisson(3.0, size=(40, 3)).astype(float)
    y[0, 0] = 1.0
    eta = rng.normal(size=(40, 3))
    f = torch.nn.functional.poisson_nll_loss
    ref = f(torch.tensor(eta), torch.tensor(y), log_input=True, full=False)
    np.testing.assert_allclose(lb.poisson_nll(y, eta), float(ref), rtol=1e-13)
    # full=True: torch adds Stirling's y log y - y + log(2 pi y)/2 for y > 1 only; we add the exact log y!
    ref_full = f(torch.tensor(eta), torch.tensor(y), log_input=True, full=True, reduction="none").numpy()
    ours = lb.poisson_nll(y.reshape(-1), eta.reshape(-1), full=True, reduction="none")
    stirling = np.where(y > 1, y * np.log(np.where(y > 1, y, 1)) - y + 0.5 * np.log(2 * np.pi * np.where(y > 1, y, 1)),
                        0.0).reshape(-1)
    exact = sp.gammaln(y + 1).reshape(-1)
    np.testing.assert_allclose(ours - exact + stirling, ref_full.reshape(-1), rtol=1e-12, atol=1e-13)
    big = y.reshape(-1) > 1
    assert np.all(np.abs(exact - stirling)[big] < 1.0 / (12 * y.reshape(-1)[big]))  # the Stirling error


@pytest.mark.parametrize("q", [0.05, 0.5, 0.9, 1.0])
def test_pinball_matches_sklearn_and_mpmath(q):
    rng = np.random.default_rng(8)
    y = rng.normal(size=(60, 2))
    p = rng.normal(size=(60, 2))
    np.testing.assert_allclose(lb.pinball_loss(y, p, quantile=q), metrics.mean_pinball_loss(y, p, alpha=q), rtol=1e-13)
    got = lb.pinball_loss(y[:, 0], p[:, 0], quantile=q, reduction="none")
    for yi, pi, g in zip(y[:, 0], p[:, 0], got):
        r = M(float(yi)) - M(float(pi))
        close(g, max(M(q) * r, (M(q) - 1) * r), rtol=1e-15)


def test_pinball_minimiser_is_the_quantile():
    rng = np.random.default_rng(2)
    y = rng.exponential(size=2001)
    grid = np.linspace(0, 4, 4001)
    losses = [lb.pinball_loss(y, np.full_like(y, c), quantile=0.8) for c in grid]
    assert abs(grid[int(np.argmin(losses))] - np.quantile(y, 0.8, method="inverted_cdf")) <= 1e-3


# ------------------------------------------------------------------------ Brier


def test_brier_binary_matches_sklearn_and_multiclass_is_twice():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, size=100)
    p = rng.uniform(size=100)
    np.testing.assert_allclose(lb.brier_score(y, p), metrics.brier_score_loss(y, p), rtol=1e-14)
    rows = np.stack([1 - p, p], axis=1)
    np.testing.assert_allclose(lb.brier_score(y, rows), 2 * lb.brier_score(y, p), rtol=1e-14)
    onehot = np.eye(2)[y]
    np.testing.assert_allclose(lb.brier_score(onehot, rows), lb.brier_score(y, rows), rtol=1e-15)


def test_brier_multiclass_matches_mpmath(cls):
    z, y, t, _ = cls
    p = lb.softmax(z)
    got = lb.brier_score(y, p, reduction="none")
    for row, yi, g in zip(p, y, got):
        close(g, mpmath.fsum((M(float(v)) - (1 if k == yi else 0)) ** 2 for k, v in enumerate(row)), rtol=1e-14)


def test_brier_errors():
    with pytest.raises(ValueError, match=r"y_prob rows must sum to 1 \(row 0 sums to 1.1"):
        lb.brier_score([0], [[0.5, 0.6]])
    with pytest.raises(ValueError, match=r"y_prob must be probabilities in \[0, 1\], got 1.5"):
        lb.brier_score([1], [1.5])
    with pytest.raises(ValueError, match="y_prob must be a 1-D array of binary probabilities or a 2-D"):
        lb.brier_score([1], np.full((1, 1, 2), 0.5))


# ------------------------------------------------------------------ calibration


def test_fit_temperature_matches_scipy():
    rng = np.random.default_rng(9)
    n, c = 400, 4
    y = rng.integers(0, c, size=n)
    z = rng.normal(size=(n, c))
    z[np.arange(n), y] += 1.5
    z *= 3.0  # overconfident: T > 1 expected
    T = lb.fit_temperature(z, y)
    ref = so.minimize_scalar(lambda tt: lb.softmax_cross_entropy(y, z / tt), bounds=(0.05, 50), method="bounded",
                             options={"xatol": 1e-10})
    assert T > 1.0
    assert abs(T - ref.x) <= 1e-6 * T
    # binary logits: the same as the two columns [0, z]
    zb = z[:, 1] - z[:, 0]
    yb = (y == 1).astype(int)
    assert lb.fit_temperature(zb, yb) == pytest.approx(
        lb.fit_temperature(np.stack([np.zeros(n), zb], axis=1), yb), rel=1e-12)


def test_fit_temperature_errors():
    z = np.array([[2.0, 0.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="every label is the arg-max of its row"):
        lb.fit_temperature(z, [0, 1])
    with pytest.raises(ValueError, match="logits carry no usable signal"):
        lb.fit_temperature(z, [1, 0])


def test_fit_platt_matches_scipy_and_sklearn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(10)
    s = rng.normal(size=500) * 4.0 + 1.0
    y = (rng.uniform(size=500) < sp.expit(0.4 * s - 0.3)).astype(float)
    a, b = lb.fit_platt(s, y)
    ref = so.minimize(lambda w: lb.binary_cross_entropy_with_logits(y, w[0] * s + w[1]), [0.0, 0.0],
                      jac=lambda w: np.array([np.mean((sp.expit(w[0] * s + w[1]) - y) * s),
                                              np.mean(sp.expit(w[0] * s + w[1]) - y)]),
                      method="BFGS", options={"gtol": 1e-12})
    np.testing.assert_allclose([a, b], ref.x, rtol=1e-6)
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(s[:, None], y)  # unpenalised
    np.testing.assert_allclose([a, b], [lr.coef_[0, 0], lr.intercept_[0]], rtol=1e-5)


def test_fit_platt_errors():
    with pytest.raises(ValueError, match="the scores separate the classes"):
        lb.fit_platt([0.0, 1.0, 2.0, 3.0], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="y_true must contain both classes"):
        lb.fit_platt([0.0, 1.0], [1, 1])
    with pytest.raises(ValueError, match="scores are constant"):
        lb.fit_platt([1.0, 1.0, 1.0], [0, 1, 0])


# ------------------------------------------------------- information measures


@pytest.fixture(scope="module")
def dists():
    rng = np.random.default_rng(12)
    p = rng.dirichlet(np.ones(6), size=20)
    q = rng.dirichlet(np.ones(6), size=20)
    p[0, 2] = 0.0
    p[0] /= p[0].sum()
    q[1, [0, 1]] = 0.0
    q[1] /= q[1].sum()
    return p, q


def test_js_matches_scipy_and_mpmath(dists):
    p, q = dists
    np.testing.assert_allclose(lb.js_divergence(p, q), jensenshannon(p, q, axis=1) ** 2, rtol=1e-12)
    np.testing.assert_allclose(lb.js_divergence(p, q, base=2), jensenshannon(p, q, axis=1, base=2) ** 2, rtol=1e-12)
    got = lb.js_divergence(p, q)
    for pr, qr, g in zip(p, q, got):
        tot = M(0)
        for a, b in zip(pr, qr):
            a, b = M(float(a)), M(float(b))
            m = (a + b) / 2
            if a > 0:
                tot += a / 2 * mpmath.log(a / m)
            if b > 0:
                tot += b / 2 * mpmath.log(b / m)
        close(g, tot, rtol=1e-14)


def test_js_of_nearly_equal_rows_keeps_relative_accuracy():
    rng = np.random.default_rng(13)
    p = rng.dirichlet(np.ones(8))
    u = rng.normal(size=8)
    u -= (p * u).sum()
    q = p * (1 + 1e-7 * u)
    tot = M(0)
    for a, b in zip(p, q):
        a, b = M(float(a)), M(float(b))
        m = (a + b) / 2
        tot += a / 2 * mpmath.log(a / m) + b / 2 * mpmath.log(b / m)
    close(lb.js_divergence(p, q), tot, rtol=1e-13)


def test_total_variation_and_pinsker(dists):
    p, q = dists
    tv = lb.total_variation(p, q)
    np.testing.assert_allclose(tv, 0.5 * np.abs(p - q).sum(axis=1), rtol=1e-15)
    kl = lb.kl_divergence(p, q)
    assert np.all(tv <= np.sqrt(kl / 2) + 1e-15)
    assert np.all(lb.js_divergence(p, q) <= np.log(2))


def test_mutual_information_matches_sklearn_and_mpmath():
    rng = np.random.default_rng(14)
    counts = rng.integers(0, 20, size=(4, 5))
    counts[1, 2] = 0
    joint = counts / counts.sum()
    assert float(lb.mutual_information(joint)) == pytest.approx(metrics.mutual_info_score(None, None,
                                                                                           contingency=counts),
                                                                 rel=1e-12)
    jm = [[M(int(c)) / int(counts.sum()) for c in row] for row in counts]
    px = [mpmath.fsum(r) for r in jm]
    py = [mpmath.fsum(jm[i][j] for i in range(4)) for j in range(5)]
    want = mpmath.fsum(jm[i][j] * mpmath.log(jm[i][j] / (px[i] * py[j])) for i in range(4) for j in range(5)
                       if jm[i][j] > 0)
    close(lb.mutual_information(joint), want, rtol=1e-13)
    close(lb.mutual_information(joint, base=2), want / mpmath.log(2), rtol=1e-13)
    # MI = H(X) + H(Y) - H(X, Y)
    h = lb.entropy
    assert float(lb.mutual_information(joint)) == pytest.approx(
        float(h(joint.sum(1)) + h(joint.sum(0)) - h(joint.reshape(-1))), rel=1e-12)
    assert float(lb.mutual_information(np.outer([0.3, 0.7], [0.2, 0.5, 0.3]))) == pytest.approx(0.0, abs=1e-16)


def test_mutual_information_errors():
    with pytest.raises(ValueError, match=r"joint must be probabilities in \[0, 1\], got 10.0"):
        lb.mutual_information([[10.0, 0.0], [0.0, 10.0]])
    with pytest.raises(ValueError, match=r"joint must sum to 1 over all cells \(it sums to 2;"):
        lb.mutual_information([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="joint must be a 2-D array"):
        lb.mutual_information([0.5, 0.5])


def test_gaussian_entropy_matches_scipy_and_mpmath():
    s = np.array([1e-3, 0.2, 1.0, 3.5, 1e4])
    np.testing.assert_allclose(lb.gaussian_entropy(s), st.norm(scale=s).entropy(), rtol=1e-14)
    for si, g in zip(s, lb.gaussian_entropy(s)):
        close(g, mpmath.log(2 * mpmath.pi * mpmath.e * M(float(si)) ** 2) / 2, rtol=1e-15)
    assert isinstance(lb.gaussian_entropy(2.0), float)
    with pytest.raises(ValueError, match=r"sigma must be positive and finite, got 0.0 at index \[1\]"):
        lb.gaussian_entropy([1.0, 0.0])


def test_gaussian_kl_diag_matches_mpmath_and_univariate():
    rng = np.random.default_rng(15)
    m1, m2 = rng.normal(size=(2, 10, 3))
    s1, s2 = rng.uniform(0.3, 3.0, size=(2, 10, 3))
    s1[0] = s2[0] * (1 + 1e-9)  # nearly equal: the textbook form cancels
    m1[0] = m2[0]
    got = lb.gaussian_kl_diag(m1, s1, m2, s2)
    for i in range(10):
        want = mpmath.fsum(
            mpmath.log(M(float(b)) / M(float(a))) + (M(float(a)) ** 2 + (M(float(u)) - M(float(v))) ** 2)
            / (2 * M(float(b)) ** 2) - M(1) / 2
            for u, a, v, b in zip(m1[i], s1[i], m2[i], s2[i]))
        close(got[i], want, rtol=1e-13)
    one = lb.gaussian_kl_diag(m1[1:, :1], s1[1:, :1], m2[1:, :1], s2[1:, :1])
    np.testing.assert_allclose(one, [lb.gaussian_kl(a, b, c, d) for a, b, c, d in
                                     zip(m1[1:, 0], s1[1:, 0], m2[1:, 0], s2[1:, 0])], rtol=1e-12)


def test_gaussian_kl_diag_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(16)
    m1, m2 = rng.normal(size=(2, 8, 4))
    s1, s2 = rng.uniform(0.3, 3.0, size=(2, 8, 4))
    D = torch.distributions
    ref = D.kl_divergence(D.Normal(torch.tensor(m1), torch.tensor(s1)), D.Normal(torch.tensor(m2), torch.tensor(s2)))
    np.testing.assert_allclose(lb.gaussian_kl_diag(m1, s1, m2, s2), ref.sum(-1).numpy(), rtol=1e-12)


def test_gaussian_kl_diag_errors():
    with pytest.raises(ValueError, match=r"mu1 and mu2 must have the same shape"):
        lb.gaussian_kl_diag([0.0, 0.0], 1.0, [0.0], 1.0)
    with pytest.raises(ValueError, match=r"s2 must be positive and finite, got -1.0"):
        lb.gaussian_kl_diag([0.0], 1.0, [0.0], -1.0)
    with pytest.raises(ValueError, match=r"s1 must be a scalar or have the same shape as mu1"):
        lb.gaussian_kl_diag([0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0], 1.0)


# --------------------------------------------------------------- properties


@hst.composite
def prob_pair(draw):
    k = draw(hst.integers(2, 6))
    w = hst.floats(1e-3, 1.0)
    p = np.array(draw(hst.lists(w, min_size=k, max_size=k)))
    q = np.array(draw(hst.lists(w, min_size=k, max_size=k)))
    if draw(hst.booleans()):
        p[draw(hst.integers(0, k - 1))] = 0.0
    return p / p.sum(), q / q.sum()


@SETTINGS
@given(prob_pair())
def test_js_tv_properties(pq):
    p, q = pq
    js = float(lb.js_divergence(p, q))
    assert 0.0 <= js <= math.log(2) + 1e-15
    assert js == pytest.approx(float(lb.js_divergence(q, p)), rel=1e-14, abs=1e-300)
    assert float(lb.js_divergence(p, p)) == 0.0
    tv = float(lb.total_variation(p, q))
    assert 0.0 <= tv <= 1.0
    assert float(lb.total_variation(p, p)) == 0.0
    # JS <= TV log 2 (Lin 1991)
    assert js <= tv * math.log(2) + 1e-15


@SETTINGS
@given(hst.integers(0, 2**31), hst.floats(0.0, 4.0))
def test_focal_is_bounded_by_cross_entropy(seed, gamma):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=5.0, size=(6, 4))
    y = rng.integers(0, 4, size=6)
    assert np.all(lb.softmax_focal_loss(y, z, gamma=gamma, reduction="none")
                  <= lb.softmax_cross_entropy(y, z, reduction="none") * (1 + 1e-14))
    yb = rng.integers(0, 2, size=(6, 4)).astype(float)
    assert np.all(lb.binary_focal_loss(yb, z, gamma=gamma, reduction="none")
                  <= lb.binary_cross_entropy_with_logits(yb, z, reduction="none") * (1 + 1e-14))


@SETTINGS
@given(hst.integers(0, 2**31))
def test_new_functions_do_not_mutate_inputs(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(5, 3))
    y = rng.integers(0, 3, size=5)
    w = rng.uniform(0.5, 2.0, size=3)
    zc, yc, wc = z.copy(), y.copy(), w.copy()
    lb.softmax_cross_entropy(y, z, weight=w, label_smoothing=0.1)
    lb.softmax_cross_entropy_grad(y, z, weight=w, label_smoothing=0.1)
    lb.softmax_focal_loss_grad(y, z)
    lb.binary_focal_loss_grad((z > 0).astype(float), z)
    lb.poisson_nll(np.abs(z), z, full=True)
    lb.gaussian_kl_diag(z, np.abs(z) + 0.1, z[::-1], 1.0)
    np.testing.assert_array_equal(z, zc)
    np.testing.assert_array_equal(y, yc)
    np.testing.assert_array_equal(w, wc)


# ------------------------------------------------------------------ gradients


@SETTINGS
@given(hst.integers(1, 5), hst.integers(2, 5), hst.integers(0, 2**31), hst.booleans())
def test_new_grads_match_numerical_gradient(n, c, seed, soft):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, c))
    labels = rng.integers(0, c, size=n)
    t = rng.dirichlet(np.ones(c), size=n) if soft else labels
    w = rng.uniform(0.2, 2.0, size=c)
    for gamma in (0.0, 0.5, 2.0):
        _check_grad(lambda v: lb.softmax_focal_loss(t, v, gamma=gamma),
                    lambda v: lb.softmax_focal_loss_grad(t, v, gamma=gamma), z)
    kw = dict(weight=w, label_smoothing=0.2)
    if not soft and not np.all(labels == labels[0]):
        kw["ignore_index"] = int(labels[0])
    _check_grad(lambda v: lb.softmax_cross_entropy(t, v, **kw), lambda v: lb.softmax_cross_entropy_grad(t, v, **kw), z)
    s = rng.normal(scale=2.0, size=(n, c))
    _check_grad(lambda v: lb.multiclass_hinge(labels, v, margin=0.5, squared=True),
                lambda v: lb.multiclass_hinge_grad(labels, v, margin=0.5, squared=True), s)
    yb = rng.uniform(size=(n, c)) if soft else rng.integers(0, 2, size=(n, c)).astype(float)
    for gamma, alpha in ((2.0, None), (0.5, 0.3), (0.0, 0.8)):
        _check_grad(lambda v: lb.binary_focal_loss(yb, v, gamma=gamma, alpha=alpha),
                    lambda v: lb.binary_focal_loss_grad(yb, v, gamma=gamma, alpha=alpha), z)
    counts = rng.poisson(2.0, size=(n, c)).astype(float)
    _check_grad(lambda v: lb.poisson_nll(counts, v, full=True), lambda v: lb.poisson_nll_grad(counts, v), z)
    y = rng.normal(size=(n, c))
    yp = y + rng.choice([-1, 1], size=(n, c)) * rng.uniform(0.1, 3.0, size=(n, c))
    _check_grad(lambda v: lb.pinball_loss(y, v, quantile=0.3), lambda v: lb.pinball_loss_grad(y, v, quantile=0.3), yp)


def test_new_function_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"gamma must be a finite number >= 0, got -1"):
        lb.binary_focal_loss([1.0], [0.0], gamma=-1)
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\], got 2"):
        lb.binary_focal_loss([1.0], [0.0], alpha=2)
    with pytest.raises(ValueError, match=r"logits must be finite, got nan at index \[0\]"):
        lb.binary_focal_loss([1.0], [np.nan])
    with pytest.raises(ValueError, match=r"y_true rows must sum to 1"):
        lb.softmax_focal_loss([[0.5, 0.6]], [[0.0, 0.0]])
    with pytest.raises(ValueError, match=r"y_true must be non-negative counts, got -1.0 at index \[1\]"):
        lb.poisson_nll([1.0, -1.0], [0.0, 0.0])
    with pytest.raises(TypeError, match="full must be True or False, got 1"):
        lb.poisson_nll([1.0], [0.0], full=1)
    with pytest.raises(ValueError, match=r"quantile must be in \[0, 1\], got 1.2"):
        lb.pinball_loss([1.0], [0.0], quantile=1.2)
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape"):
        lb.pinball_loss([1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match=r"q rows must sum to 1"):
        lb.js_divergence([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match=r"p and q must have the same shape"):
        lb.total_variation([0.5, 0.5], [0.2, 0.3, 0.5])
