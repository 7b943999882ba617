"""Property-based fuzzing of every public numeric function (issue 18).

Every public function of ``lossbook`` (its ``__all__`` and the ``__all__`` of any
subpackage) must have an entry in :data:`FUZZ` (name -> generator of valid,
hostile-valued arguments, optionally an mpmath judge) or be listed, with a
reason, in :data:`EXCLUDED`. A new public function without either fails
``test_every_public_function_is_fuzzed``.

Properties checked for every entry:

- valid input (values near every limit: +-0.0, subnormals, p exactly 0 and 1,
  +-709/710, +-1e300, huge and tiny scales) never gives NaN, never warns
  (RuntimeWarnings are errors), and agrees with an mpmath judge (60 digits)
  where one is given: finite where the true value is finite;
- inputs are not modified and results are deterministic;
- input forms that hold the same values (list, read-only, non-contiguous,
  Fortran order) give identical results;
- corrupted input (NaN, inf, masked, object, ragged, empty, None, a string,
  wrong rank or shape) either gives a NaN-free result or a ValueError /
  TypeError whose message names a real argument of the function;
- ``reduction="sum"`` is within 2 ulps of the exact sum of ``"none"``, and
  ``"mean"`` of the exact mean.

Profiles: the default (CI) profile is small and derandomized (reproducible);
``LOSSBOOK_FUZZ=deep`` runs a long randomized campaign.
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import pkgutil
import types
import warnings
from dataclasses import dataclass
from typing import Callable

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lossbook as lb

mp.mp.dps = 60

settings.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "deep",
    max_examples=int(os.environ.get("LOSSBOOK_FUZZ_EXAMPLES", "1500")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = "deep" if os.environ.get("LOSSBOOK_FUZZ") == "deep" else "ci"
FUZZ_SETTINGS = settings.get_profile(PROFILE)

MAXF = np.finfo(np.float64).max

# ---------------------------------------------------------------------------
# value strategies
# ---------------------------------------------------------------------------

SPECIAL_REALS = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e-17, 0.5, 1.0, -1.0,
                 2.0, 36.7, 40.0, -40.0, 709.0, -709.0, 710.0, -710.0, 745.2, -745.2, 1e17, -1e17,
                 1e300, -1e300, 1.5e308, -1.5e308]
SPECIAL_PROBS = [0.0, -0.0, 1.0, 5e-324, 1e-300, 1e-17, 0.5, 1 - 2 ** -53, 1 - 1e-16, 1e-8, 0.25, 0.75]

moderate = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
real = st.one_of(st.sampled_from(SPECIAL_REALS), moderate,
                 st.floats(allow_nan=False, allow_infinity=False))
# values whose squares stay finite (regression inputs that the exact answer keeps finite)
real_sq = st.one_of(st.sampled_from([v for v in SPECIAL_REALS if abs(v) < 1e150]), moderate,
                    st.floats(-1e150, 1e150, allow_nan=False, allow_infinity=False))
prob = st.one_of(st.sampled_from(SPECIAL_PROBS), st.floats(0.0, 1.0))
positive = st.one_of(st.sampled_from([5e-324, 1e-300, 1e-170, 1e-8, 0.3, 1.0, 7.0, 1e8, 1e170, 1e300]),
                     st.floats(1e-3, 1e3))
n_rows = st.integers(1, 5)
n_cols = st.integers(2, 5)


def arr(draw, elems, shape):
    return np.array(draw(st.lists(elems, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                    dtype=np.float64).reshape(shape)


def prob_rows(draw, n, c, *, exact_zero=True):
    """Rows summing to 1 within the tolerance, with exact zeros, one-hot rows, tiny entries."""
    kind = draw(st.sampled_from(["random", "onehot", "tiny", "uniform"]))
    if kind == "onehot":
        p = np.zeros((n, c))
        p[np.arange(n), [draw(st.integers(0, c - 1)) for _ in range(n)]] = 1.0
        return p
    if kind == "uniform":
        return np.full((n, c), 1.0 / c)
    w = arr(draw, st.one_of(st.floats(1e-3, 1.0), st.sampled_from([0.0, 1e-300, 5e-324]) if exact_zero
                            else st.floats(1e-3, 1.0)), (n, c))
    if kind == "tiny":
        w[:, 0] = 1.0
    w[w.sum(axis=1) == 0, 0] = 1.0
    return w / w.sum(axis=1, keepdims=True)


def labels(draw, n, c):
    return np.array([draw(st.integers(0, c - 1)) for _ in range(n)])


@st.composite
def reduction_kw(draw):
    return {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}


# ---------------------------------------------------------------------------
# mpmath judges: per-sample (or per-row) true values of the valid input
# ---------------------------------------------------------------------------


def M(x):
    return mp.mpf(float(x))


def m_log1pexp(x):
    return mp.log1p(mp.exp(x))


def m_lse(row):
    return mp.log(mp.fsum(mp.exp(M(v)) for v in row))


def m_xlogy(x, y):
    return mp.mpf(0) if x == 0 else x * mp.log(y)


def m_xlog1my(x, y):
    """x log(1 - y), exact for tiny y (1 - y would round at 60 digits)."""
    return mp.mpf(0) if x == 0 else x * mp.log1p(-y)


def in_base(judge):
    """Divide a judge's values by log(base) when the call gives ``base``."""
    def wrapped(args, kw):
        vals = judge(args, kw)
        b = kw.get("base")
        return vals if b is None or vals is None else [v / mp.log(M(b)) for v in vals]
    return wrapped


def j_sigmoid(args, kw):
    return [1 / (1 + mp.exp(-M(v))) for v in np.ravel(args[0])]


def j_log_sigmoid(args, kw):
    return [-m_log1pexp(-M(v)) for v in np.ravel(args[0])]


def j_logsumexp(args, kw):
    z = np.atleast_2d(args[0])
    return [m_lse(r) for r in z]


def j_softmax(args, kw):
    z = np.atleast_2d(args[0])
    return [mp.exp(M(v) - m_lse(r)) for r in z for v in r]


def j_log_softmax(args, kw):
    z = np.atleast_2d(args[0])
    return [M(v) - m_lse(r) for r in z for v in r]


def j_entropy(args, kw):
    p = np.atleast_2d(args[0])
    return [-mp.fsum(m_xlogy(M(a), M(a)) for a in r) for r in p]


def j_cross_entropy(args, kw):
    p, q = np.atleast_2d(args[0]), np.atleast_2d(args[1])
    out = []
    for pr, qr in zip(p, q):
        if any(a > 0 and b == 0 for a, b in zip(pr, qr)):
            out.append(mp.inf)
        else:
            out.append(-mp.fsum(m_xlogy(M(a), M(b)) for a, b in zip(pr, qr)))
    return out


def j_kl(args, kw):
    p, q = np.atleast_2d(args[0]), np.atleast_2d(args[1])
    out = []
    for pr, qr in zip(p, q):
        if any(a > 0 and b == 0 for a, b in zip(pr, qr)):
            out.append(mp.inf)
        else:
            out.append(max(mp.mpf(0), mp.fsum(m_xlogy(M(a), M(a) / M(b)) for a, b in zip(pr, qr))))
    return out


def _rows_mean(vals, shape):
    """Per-sample mean over trailing axes of a flat list of mp values."""
    n = shape[0]
    k = len(vals) // n
    return [mp.fsum(vals[i * k:(i + 1) * k]) / k for i in range(n)]


def j_bce(args, kw):
    y, p = np.ravel(args[0]), np.ravel(args[1])
    vals = []
    for a, b in zip(y, p):
        a, b = M(a), M(b)
        if (a > 0 and b == 0) or (a < 1 and b == 1):
            vals.append(mp.inf)
        else:
            vals.append(-(m_xlogy(a, b) + m_xlog1my(1 - a, b)))
    return _rows_mean(vals, np.shape(args[1]))


def j_bce_logits(args, kw):
    y, z = np.ravel(args[0]), np.ravel(args[1])
    vals = [M(a) * m_log1pexp(-M(b)) + (1 - M(a)) * m_log1pexp(M(b)) for a, b in zip(y, z)]
    return _rows_mean(vals, np.shape(args[1]))


def j_bce_logits_grad(args, kw):
    y, z = np.ravel(args[0]), np.ravel(args[1])
    n = len(z)
    return [(1 / (1 + mp.exp(-M(b))) - M(a)) / n for a, b in zip(y, z)]


def j_bce_grad(args, kw):
    y, p = np.ravel(args[0]), np.ravel(args[1])
    n = len(p)
    out = []
    for a, b in zip(y, p):
        a, b = M(a), M(b)
        t1 = mp.mpf(0) if a == 0 else (-mp.inf if b == 0 else -a / b)
        t2 = mp.mpf(0) if a == 1 else (mp.inf if b == 1 else (1 - a) / (1 - b))
        out.append((t1 + t2) / n)
    return out


def _targets(y, n, c):
    y = np.asarray(y)
    if y.ndim == 1:
        t = np.zeros((n, c))
        t[np.arange(n), y.astype(int)] = 1.0
        return t
    return y


def j_cce(args, kw):
    p = args[1]
    t = _targets(args[0], *p.shape)
    out = []
    for tr, pr in zip(t, p):
        if any(a > 0 and b == 0 for a, b in zip(tr, pr)):
            out.append(mp.inf)
        else:
            out.append(-mp.fsum(m_xlogy(M(a), M(b)) for a, b in zip(tr, pr)))
    return out


def j_cce_grad(args, kw):
    p = args[1]
    n, c = p.shape
    t = _targets(args[0], n, c)
    return [(mp.mpf(0) if a == 0 else (-mp.inf if b == 0 else -M(a) / M(b))) / n
            for tr, pr in zip(t, p) for a, b in zip(tr, pr)]


def j_sce(args, kw):
    z = args[1]
    t = _targets(args[0], *z.shape)
    return [m_lse(zr) - mp.fsum(M(a) * M(b) for a, b in zip(tr, zr) if a != 0) for tr, zr in zip(t, z)]


def j_sce_grad(args, kw):
    z = args[1]
    n, c = z.shape
    t = _targets(args[0], n, c)
    return [(mp.exp(M(v) - m_lse(zr)) - M(a)) / n for tr, zr in zip(t, z) for a, v in zip(tr, zr)]


def j_hinge(args, kw):
    s = args[1]
    y = np.asarray(args[0])
    y = y.argmax(axis=1) if y.ndim == 2 else y
    m = M(kw.get("margin", 1.0))
    return [mp.fsum(max(mp.mpf(0), M(v) - M(r[yi]) + m) for j, v in enumerate(r) if j != yi)
            for r, yi in zip(s, y)]


def j_hinge_grad(args, kw):
    s = args[1]
    y = np.asarray(args[0])
    y = y.argmax(axis=1) if y.ndim == 2 else y
    n = s.shape[0]
    m = M(kw.get("margin", 1.0))
    out = []
    for r, yi in zip(s, y):
        act = [j != yi and M(v) - M(r[yi]) + m > 0 for j, v in enumerate(r)]
        out += [mp.mpf(-sum(act)) / n if j == yi else mp.mpf(int(a)) / n for j, a in enumerate(act)]
    return out


def j_cs(args, kw):
    s, y = args[1], args[0]
    m = M(kw.get("margin", 1.0))
    return [max(mp.mpf(0), max(M(v) for j, v in enumerate(r) if j != yi) - M(r[yi]) + m) for r, yi in zip(s, y)]


def j_multi_margin(args, kw):
    s, y = args[1], args[0]
    m = M(kw.get("margin", 1.0))
    pw = kw.get("p", 1)
    c = s.shape[1]
    return [mp.fsum(max(mp.mpf(0), (M(v) - M(r[yi])) + m) ** pw for j, v in enumerate(r) if j != yi) / c
            for r, yi in zip(s, y)]


def j_mse(args, kw):
    return _rows_mean([(M(b) - M(a)) ** 2 for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))], np.shape(args[1]))


def j_mae(args, kw):
    return _rows_mean([abs(M(b) - M(a)) for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))], np.shape(args[1]))


def j_huber(args, kw):
    d = M(kw.get("delta", 1.0))

    def h(r):
        r = abs(r)
        return r * r / 2 if r <= d else d * (r - d / 2)

    return _rows_mean([h(M(b) - M(a)) for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))], np.shape(args[1]))


def j_mse_grad(args, kw):
    y, p = np.ravel(args[0]), np.ravel(args[1])
    return [2 * (M(b) - M(a)) / len(p) for a, b in zip(y, p)]


def j_huber_grad(args, kw):
    d = M(kw.get("delta", 1.0))
    y, p = np.ravel(args[0]), np.ravel(args[1])
    return [min(max(M(b) - M(a), -d), d) / len(p) for a, b in zip(y, p)]


def _sig(args):
    s = np.asarray(args[2], dtype=float)
    return np.ravel(np.broadcast_to(s, np.shape(args[1])))


def j_gnll(args, kw):
    vals = [mp.log(2 * mp.pi) / 2 + mp.log(M(s)) + ((M(a) - M(b)) / M(s)) ** 2 / 2
            for a, b, s in zip(np.ravel(args[0]), np.ravel(args[1]), _sig(args))]
    return _rows_mean(vals, np.shape(args[1]))


def j_gnll_grad(args, kw):
    y, mu = np.ravel(args[0]), np.ravel(args[1])
    return [(M(b) - M(a)) / M(s) ** 2 / len(mu) for a, b, s in zip(y, mu, _sig(args))]


def j_gnll_grad_sigma(args, kw):
    y, mu = np.ravel(args[0]), np.ravel(args[1])
    g = [(1 / M(s) - (M(a) - M(b)) ** 2 / M(s) ** 3) / len(mu) for a, b, s in zip(y, mu, _sig(args))]
    return [mp.fsum(g)] if np.ndim(args[2]) == 0 else g


def j_laplace(args, kw):
    x = np.ravel(args[0])
    loc = np.broadcast_to(np.asarray(args[1], float), x.shape)
    b = np.broadcast_to(np.asarray(args[2], float), x.shape)
    return [mp.log(2 * M(s)) + abs(M(a) - M(m)) / M(s) for a, m, s in zip(x, loc, b)]


def j_gaussian_kl(args, kw):
    m1, s1, m2, s2 = (np.ravel(np.asarray(a, float)) for a in args)
    n = max(len(m1), len(s1), len(m2), len(s2))
    m1, s1, m2, s2 = (np.broadcast_to(a, (n,)) for a in (m1, s1, m2, s2))
    return [mp.log(M(d) / M(b)) + (M(b) ** 2 + (M(a) - M(c)) ** 2) / (2 * M(d) ** 2) - mp.mpf(1) / 2
            for a, b, c, d in zip(m1, s1, m2, s2)]


def j_fit_gaussian(args, kw):
    x = [M(v) for v in args[0]]
    mu = mp.fsum(x) / len(x)
    return [mu, mp.sqrt(mp.fsum((v - mu) ** 2 for v in x) / len(x))]


def j_fit_laplace(args, kw):
    x = sorted(M(v) for v in args[0])
    n = len(x)
    med = x[n // 2] if n % 2 else (x[n // 2 - 1] + x[n // 2]) / 2
    med = M(float(med))  # numpy's median, rounded to float64, is the documented estimate
    return [med, mp.fsum(abs(v - med) for v in x) / n]


def j_kl_mc(args, kw):
    r = [M(a) - M(b) for a, b in zip(args[0], args[1])]
    n = len(r)
    mean = mp.fsum(r) / n
    sd = mp.sqrt(mp.fsum((v - mean) ** 2 for v in r) / (n - 1))
    return [mean, sd / mp.sqrt(n)]


def j_binary_entropy(args, kw):
    return [-(m_xlogy(M(p), M(p)) + m_xlog1my(1 - M(p), M(p))) for p in np.ravel(args[0])]


def j_surprisal(args, kw):
    return [mp.inf if p == 0 else -mp.log(M(p)) for p in np.ravel(args[0])]


# ---------------------------------------------------------------------------
# argument generators (valid input)
# ---------------------------------------------------------------------------


@dataclass
class Entry:
    gen: Callable  # draw -> (args tuple, kwargs dict)
    nan_ok: bool = False  # NaN is a documented sentinel in the result (e.g. empty bins)
    judge: Callable | None = None  # (args, kwargs) -> list of mp values, flattened like the output
    rtol: float = 1e-12
    scale: Callable | None = None  # (args, kwargs) -> list of magnitudes (cancellation) for the tolerance
    has_reduction: bool = False


def g_elementwise_real(draw, elems=real):
    n = draw(n_rows)
    shape = (n,) if draw(st.booleans()) else (n, draw(st.integers(1, 3)))
    return shape, elems


def g_z(draw):
    shape = draw(st.sampled_from([(3,), (2, 3), (1, 4), (4,)]))
    return (arr(draw, real, shape),), {}


def g_p_rows(draw):
    n, c = draw(n_rows), draw(n_cols)
    p = prob_rows(draw, n, c)
    return (p[0] if draw(st.booleans()) else p,), {"base": draw(st.sampled_from([None, 2, math.e, 10]))}


def g_pq_rows(draw):
    n, c = draw(n_rows), draw(n_cols)
    p = prob_rows(draw, n, c)
    q = prob_rows(draw, n, c)
    if draw(st.booleans()):  # nearly equal rows
        q = p * (1 + draw(st.sampled_from([1e-8, 1e-12, 1e-4])) * arr(draw, st.floats(-1, 1), p.shape))
        q = q / q.sum(axis=1, keepdims=True)
    return (p, q), {"base": draw(st.sampled_from([None, 2]))}


def g_bce(draw):
    shape, _ = g_elementwise_real(draw)
    y = arr(draw, st.one_of(st.sampled_from([0.0, 1.0]), prob), shape)
    p = arr(draw, prob, shape)
    return (y, p), draw(reduction_kw())


def g_bce_grad(draw):
    (y, p), _ = g_bce(draw)
    return (y, p), {}


def g_bce_logits(draw):
    shape, _ = g_elementwise_real(draw)
    y = arr(draw, st.one_of(st.sampled_from([0.0, 1.0]), prob), shape)
    z = arr(draw, real, shape)
    return (y, z), draw(reduction_kw())


def g_bce_logits_grad(draw):
    (y, z), _ = g_bce_logits(draw)
    return (y, z), {}


def g_cce(draw):
    n, c = draw(n_rows), draw(n_cols)
    p = prob_rows(draw, n, c)
    y = labels(draw, n, c) if draw(st.booleans()) else prob_rows(draw, n, c)
    return (y, p), draw(reduction_kw())


def g_cce_grad(draw):
    (y, p), _ = g_cce(draw)
    return (y, p), {}


def g_sce(draw, with_reduction=True):
    n, c = draw(n_rows), draw(n_cols)
    z = arr(draw, real, (n, c))
    y = labels(draw, n, c) if draw(st.booleans()) else prob_rows(draw, n, c)
    return (y, z), (draw(reduction_kw()) if with_reduction else {})


def g_hinge(draw, with_reduction=True, onehot=True):
    n, c = draw(n_rows), draw(n_cols)
    s = arr(draw, real, (n, c))
    if draw(st.booleans()) and draw(st.booleans()):  # ties at huge scores
        s[:] = draw(st.sampled_from([1e17, -1e17, 1e300]))
    y = labels(draw, n, c)
    if onehot and draw(st.booleans()):
        y = np.eye(c, dtype=int)[y]
    kw = {"margin": draw(st.sampled_from([1.0, 0.5, 1e-300, 1e300, 2.0]))}
    if with_reduction:
        kw.update(draw(reduction_kw()))
    return (y, s), kw


def g_regression(draw, with_reduction=True, elems=real_sq):
    shape, _ = g_elementwise_real(draw)
    y = arr(draw, elems, shape)
    p = arr(draw, elems, shape)
    return (y, p), (draw(reduction_kw()) if with_reduction else {})


def g_huber(draw, with_reduction=True):
    (y, p), kw = g_regression(draw, with_reduction, elems=real)
    kw["delta"] = draw(st.sampled_from([1.0, 1e-300, 1e300, 0.5]))
    return (y, p), kw


def g_gnll(draw, with_reduction=True):
    shape, _ = g_elementwise_real(draw)
    y = arr(draw, real_sq, shape)
    mu = arr(draw, real_sq, shape)
    sigma = draw(positive) if draw(st.booleans()) else arr(draw, positive, shape)
    return (y, mu, sigma), (draw(reduction_kw()) if with_reduction else {})


def g_bernoulli_nll(draw):
    n = draw(n_rows)
    x = arr(draw, st.sampled_from([0.0, 1.0]), (n,))
    p = draw(prob) if draw(st.booleans()) else arr(draw, prob, (n,))
    return (x, p), draw(reduction_kw())


def g_fit_bernoulli(draw):
    return (arr(draw, st.sampled_from([0.0, 1.0]), (draw(n_rows),)),), {}


def g_categorical_nll(draw):
    c = draw(n_cols)
    n = draw(n_rows)
    return (labels(draw, n, c), prob_rows(draw, 1, c)[0]), draw(reduction_kw())


def g_fit_categorical(draw):
    c = draw(n_cols)
    return (labels(draw, draw(n_rows), c), c), {}


def g_data(draw, elems=real, lo=1):
    return (arr(draw, elems, (draw(st.integers(lo, 6)),)),), {}


def g_laplace_nll(draw):
    n = draw(n_rows)
    x = arr(draw, real_sq, (n,))
    loc = draw(real_sq) if draw(st.booleans()) else arr(draw, real_sq, (n,))
    scale = draw(positive) if draw(st.booleans()) else arr(draw, positive, (n,))
    return (x, loc, scale), draw(reduction_kw())


def g_gaussian_kl(draw):
    n = draw(st.integers(1, 3))
    pos = st.one_of(st.floats(1e-3, 1e3), st.sampled_from([1e-100, 1.0, 1e100]))
    return tuple(arr(draw, e, (n,)) for e in (real_sq, pos, real_sq, pos)), {}


def g_kl_mc(draw):
    n = draw(st.integers(2, 6))
    return (arr(draw, real, (n,)), arr(draw, real, (n,))), {}


def g_probs_1d(draw):
    n = draw(n_rows)
    return (arr(draw, prob, (n,)),), {"base": draw(st.sampled_from([None, 2]))}


def g_perplexity(draw):
    n = draw(n_rows)
    return (arr(draw, st.one_of(st.floats(1e-3, 1.0), st.sampled_from([1.0, 1e-300])), (n,)),), {}


def g_mixture(draw):
    k = draw(st.integers(1, 3))
    w = prob_rows(draw, 1, k)[0]
    x = arr(draw, real_sq, (draw(n_rows),))
    means = arr(draw, st.floats(-10, 10), (k,))
    sig = arr(draw, st.floats(1e-2, 10), (k,))
    return (x, w, means, sig), {}


def _grid(draw):
    n = draw(st.integers(50, 400))
    half = draw(st.floats(8, 30))
    return np.linspace(-half, half, n)


def g_grid_kl(draw):
    x = _grid(draw)
    lp = lb.gaussian_mixture_logpdf(x, [1.0], [draw(st.floats(-2, 2))], [draw(st.floats(0.5, 2))])
    lq = lb.gaussian_mixture_logpdf(x, [1.0], [draw(st.floats(-2, 2))], [draw(st.floats(0.5, 2))])
    return (x, lp, lq), {}


def g_fit_gaussian_kl(draw):
    x = np.linspace(-10, 10, 201)
    lp = lb.gaussian_mixture_logpdf(x, [0.5, 0.5], [-1.5, draw(st.floats(0, 3))], [0.7, 1.0])
    return (x, lp), {"direction": draw(st.sampled_from(["forward", "reverse"])), "max_iter": 200}


def g_probs_labels_binary(draw):
    n = draw(n_rows)
    return (arr(draw, st.sampled_from([0.0, 1.0]), (n,)), arr(draw, prob, (n,))), {}


def g_categorical_accuracy(draw):
    n, c = draw(n_rows), draw(n_cols)
    return (labels(draw, n, c), arr(draw, real, (n, c))), {}


def g_reliability(draw):
    n, c = draw(st.integers(1, 8)), draw(n_cols)
    return (labels(draw, n, c), prob_rows(draw, n, c)), {"n_bins": draw(st.integers(1, 5))}


def g_largest_loss(draw):
    n = draw(st.integers(1, 6))
    y = labels(draw, n, 3)
    return (y, arr(draw, st.floats(0, 1e300), (n,))), {"k": draw(st.integers(1, 3))}


def g_detection(draw):
    a = np.array(draw(st.lists(st.integers(0, 20), min_size=1, max_size=6, unique=True)))
    b = np.array(draw(st.lists(st.integers(0, 20), min_size=1, max_size=6, unique=True)))
    return (a, b), {}


def g_smooth_labels(draw):
    c = draw(n_cols)
    return (labels(draw, draw(n_rows), c), c), {"alpha": draw(prob)}


def g_fit_linreg(draw):
    n = draw(st.integers(3, 8))
    x = arr(draw, st.floats(-10, 10), (n,))
    x[0], x[1] = -1.0, 1.0
    y = 2 * x + arr(draw, st.floats(-1, 1), (n,))
    return (x, y), {"loss": draw(st.sampled_from(["mse", "mae", "huber"])), "max_iter": 50}


def g_round_confident(draw):
    return (arr(draw, prob, (draw(n_rows),)),), {"threshold": draw(st.floats(1e-6, 0.49))}


def g_clip_sweep(draw):
    (y, p), _ = g_probs_labels_binary(draw)
    return (y, p, [1e-15, 1e-3, 0.1]), {}


def g_worst_item_share(draw):
    (y, p), _ = g_probs_labels_binary(draw)
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return (y, p), {"k": 1}


def g_logistic(draw):
    n = draw(st.integers(1, 5))
    X = arr(draw, real_sq, (n, 2))
    y = arr(draw, st.sampled_from([0.0, 1.0]), (n,))
    w = arr(draw, real_sq, (2,))
    return (w, X, y), {"loss": draw(st.sampled_from(["cross_entropy", "squared_error"]))}


def g_loss_along_line(draw):
    n = draw(st.integers(1, 5))
    X = arr(draw, st.floats(-10, 10), (n, 2))
    y = arr(draw, st.sampled_from([0.0, 1.0]), (n,))
    return (X, y, arr(draw, st.floats(-5, 5), (2,)), arr(draw, st.floats(-5, 5), (2,)),
            arr(draw, st.floats(-3, 3), (3,))), {}


def g_classification_error(draw):
    n, c = draw(n_rows), draw(n_cols)
    return (labels(draw, n, c), arr(draw, real, (n, c))), {}


def g_hetero(draw):
    n = draw(st.integers(1, 5))
    theta = arr(draw, st.one_of(st.floats(-5, 5), st.sampled_from([0.0, 1e300, -1e300])), (4,))
    return (theta, arr(draw, st.floats(-3, 3), (n,)), arr(draw, real_sq, (n,))), {}


def g_make(draw, name):
    if name == "make_blobs":
        return (draw(st.integers(1, 5)),), {"n_classes": draw(st.integers(1, 4)), "seed": draw(st.integers(0, 9))}
    if name == "flip_labels":
        c = draw(n_cols)
        return (labels(draw, draw(n_rows), c), draw(prob), c), {"seed": draw(st.integers(0, 9))}
    return (draw(st.integers(1, 6)),), {"seed": draw(st.integers(0, 9))}


def composite(fn, *a, **k):
    return st.composite(lambda draw: fn(draw, *a, **k))()


def scale_terms(fn):
    """Tolerance scale: the sum of magnitudes of the formula's terms (cancellation is inherent)."""
    return fn


def s_gnll(args, kw):
    return _rows_mean([abs(mp.log(2 * mp.pi) / 2) + abs(mp.log(M(s))) + ((M(a) - M(b)) / M(s)) ** 2 / 2
                       for a, b, s in zip(np.ravel(args[0]), np.ravel(args[1]), _sig(args))], np.shape(args[1]))


def s_gnll_grad_sigma(args, kw):
    y, mu = np.ravel(args[0]), np.ravel(args[1])
    g = [(1 / M(s) + (M(a) - M(b)) ** 2 / M(s) ** 3) / len(mu) for a, b, s in zip(y, mu, _sig(args))]
    return [mp.fsum(g)] if np.ndim(args[2]) == 0 else g


def s_laplace(args, kw):
    x = np.ravel(args[0])
    loc = np.broadcast_to(np.asarray(args[1], float), x.shape)
    b = np.broadcast_to(np.asarray(args[2], float), x.shape)
    return [abs(mp.log(2 * M(s))) + abs(M(a) - M(m)) / M(s) for a, m, s in zip(x, loc, b)]


def s_hinge(args, kw):
    s = args[1]
    y = np.asarray(args[0])
    y = y.argmax(axis=1) if y.ndim == 2 else y
    m = M(kw.get("margin", 1.0))
    c = s.shape[1]
    return [mp.fsum(abs(M(v) - M(r[yi])) + m for v in r) for r, yi in zip(s, y)] if True else c


def s_gaussian_kl(args, kw):
    m1, s1, m2, s2 = (np.ravel(np.asarray(a, float)) for a in args)
    return [abs(mp.log(M(d) / M(b))) + (M(b) ** 2 + (M(a) - M(c)) ** 2) / (2 * M(d) ** 2) + mp.mpf(1) / 2
            for a, b, c, d in zip(m1, s1, m2, s2)]


def s_kl(args, kw):
    p, q = np.atleast_2d(args[0]), np.atleast_2d(args[1])
    # the textbook sum over the rows as given: |sum(p - q)| bounds what row-sum rounding changes
    return [abs(mp.fsum(M(a) * mp.log(M(a) / M(b)) for a, b in zip(pr, qr) if a > 0 and b > 0))
            + abs(mp.fsum(M(a) - M(b) for a, b in zip(pr, qr))) + mp.mpf(2) ** -1070
            for pr, qr in zip(p, q)]


def s_mc(args, kw):
    r = [abs(M(a) - M(b)) for a, b in zip(args[0], args[1])]
    return [mp.fsum(r) / len(r), mp.fsum(r) / len(r)]


def s_fit_gaussian(args, kw):
    x = [abs(M(v)) for v in args[0]]
    return [mp.fsum(x) / len(x), max(x)]


def s_fit_laplace(args, kw):
    x = [abs(M(v)) for v in args[0]]
    return [max(x), max(x)]


def s_huber_grad(args, kw):
    return [abs(v) + mp.mpf(2) ** -1074 for v in j_huber_grad(args, kw)]


def s_sce(args, kw):
    z = args[1]
    return [mp.fsum(abs(M(v)) for v in zr) * 0 + abs(m_lse(zr)) + max(abs(M(v)) for v in zr) for zr in z]


FUZZ: dict[str, Entry] = {
    # activations
    "sigmoid": Entry(composite(g_z), j_sigmoid),
    "log_sigmoid": Entry(composite(g_z), j_log_sigmoid),
    "softmax": Entry(composite(g_z), j_softmax),
    "log_softmax": Entry(composite(g_z), j_log_softmax,
                         scale=lambda a, k: [abs(M(v)) + abs(m_lse(r)) for r in np.atleast_2d(a[0]) for v in r]),
    "logsumexp": Entry(composite(g_z), j_logsumexp),
    # information
    "entropy": Entry(composite(g_p_rows), in_base(j_entropy)),
    "cross_entropy": Entry(composite(g_pq_rows), in_base(j_cross_entropy)),
    "kl_divergence": Entry(composite(g_pq_rows), in_base(j_kl), scale=in_base(s_kl), rtol=1e-14),
    # losses and gradients
    "binary_cross_entropy": Entry(composite(g_bce), j_bce, has_reduction=True),
    "binary_cross_entropy_grad": Entry(composite(g_bce_grad), j_bce_grad),
    "binary_cross_entropy_with_logits": Entry(composite(g_bce_logits), j_bce_logits, has_reduction=True),
    "binary_cross_entropy_with_logits_grad": Entry(
        composite(g_bce_logits_grad), j_bce_logits_grad,
        # soft targets: sigma(z) - y cancels when y is close to sigma(z)
        scale=lambda a, k: [(1 / (1 + mp.exp(-M(b))) + M(c)) / np.size(a[1]) for c, b in zip(np.ravel(a[0]), np.ravel(a[1]))]),
    "categorical_cross_entropy": Entry(composite(g_cce), j_cce, has_reduction=True),
    "categorical_cross_entropy_grad": Entry(composite(g_cce_grad), j_cce_grad),
    "softmax_cross_entropy": Entry(composite(g_sce), j_sce, scale=s_sce, has_reduction=True),
    "softmax_cross_entropy_grad": Entry(
        composite(g_sce, with_reduction=False), j_sce_grad,
        scale=lambda a, k: [abs(v) + mp.mpf(1) / a[1].shape[0] * (0 if np.asarray(a[0]).ndim == 1 else 1)
                            for v in j_sce_grad(a, k)]),
    "multiclass_hinge": Entry(composite(g_hinge), j_hinge, scale=s_hinge, has_reduction=True),
    "multiclass_hinge_grad": Entry(composite(g_hinge, with_reduction=False), j_hinge_grad, rtol=1e-15),
    "mse": Entry(composite(g_regression), j_mse, has_reduction=True),
    "mse_grad": Entry(composite(g_regression, with_reduction=False), j_mse_grad),
    "mae": Entry(composite(g_regression, elems=real), j_mae, has_reduction=True),
    "mae_grad": Entry(composite(g_regression, with_reduction=False, elems=real)),
    "huber": Entry(composite(g_huber), j_huber, has_reduction=True),
    "huber_grad": Entry(composite(g_huber, with_reduction=False), j_huber_grad, scale=s_huber_grad),
    "gaussian_nll": Entry(composite(g_gnll), j_gnll, scale=s_gnll, has_reduction=True),
    "gaussian_nll_grad": Entry(composite(g_gnll, with_reduction=False), j_gnll_grad),
    "gaussian_nll_grad_sigma": Entry(composite(g_gnll, with_reduction=False), j_gnll_grad_sigma,
                                     scale=s_gnll_grad_sigma),
    # likelihood
    "bernoulli_nll": Entry(composite(g_bernoulli_nll),
                           lambda a, k: j_bce((a[0], np.broadcast_to(np.asarray(a[1], float), np.shape(a[0]))), k),
                           has_reduction=True),
    "fit_bernoulli": Entry(composite(g_fit_bernoulli)),
    "categorical_nll": Entry(composite(g_categorical_nll), has_reduction=True),
    "fit_categorical": Entry(composite(g_fit_categorical)),
    "fit_gaussian": Entry(composite(g_data), j_fit_gaussian, scale=s_fit_gaussian),
    "laplace_nll": Entry(composite(g_laplace_nll), j_laplace, scale=s_laplace, has_reduction=True),
    "fit_laplace": Entry(composite(g_data), j_fit_laplace, scale=s_fit_laplace),
    "gaussian_kl": Entry(composite(g_gaussian_kl), j_gaussian_kl, scale=s_gaussian_kl),
    # margins
    "crammer_singer_hinge": Entry(composite(g_hinge, onehot=False), j_cs, scale=s_hinge, has_reduction=True),
    "crammer_singer_hinge_grad": Entry(composite(g_hinge, with_reduction=False, onehot=False)),
    "multi_margin": Entry(st.tuples(composite(g_hinge, onehot=False), st.sampled_from([1, 2])).map(
        lambda t: (t[0][0], {**t[0][1], "p": t[1]})), j_multi_margin, scale=None, rtol=1e-11, has_reduction=True),
    # divergence
    "surprisal": Entry(composite(g_probs_1d), in_base(j_surprisal)),
    "binary_entropy": Entry(composite(g_probs_1d), in_base(j_binary_entropy)),
    "perplexity": Entry(composite(g_perplexity)),
    "gaussian_mixture_logpdf": Entry(composite(g_mixture)),
    "grid_kl_divergence": Entry(composite(g_grid_kl)),
    "fit_gaussian_kl": Entry(composite(g_fit_gaussian_kl)),
    "kl_monte_carlo": Entry(composite(g_kl_mc), j_kl_mc, scale=s_mc),
    # logloss
    "round_confident": Entry(composite(g_round_confident)),
    "clip_sweep": Entry(composite(g_clip_sweep)),
    "worst_item_share": Entry(composite(g_worst_item_share)),
    "binary_accuracy": Entry(composite(g_probs_labels_binary)),
    "categorical_accuracy": Entry(composite(g_categorical_accuracy)),
    "loss_along_line": Entry(composite(g_loss_along_line)),
    # diagnostics
    "reliability_bins": Entry(composite(g_reliability), nan_ok=True),  # NaN marks an empty bin (documented)
    "expected_calibration_error": Entry(composite(g_reliability)),
    "largest_loss_per_class": Entry(composite(g_largest_loss)),
    "detection_precision_recall": Entry(composite(g_detection)),
    "smooth_labels": Entry(composite(g_smooth_labels)),
    "fit_linear_regression": Entry(composite(g_fit_linreg)),
    # optimisation
    "logistic_model_loss": Entry(composite(g_logistic)),
    "logistic_model_grad": Entry(composite(g_logistic)),
    "classification_error": Entry(composite(g_classification_error)),
    "heteroscedastic_gaussian_nll": Entry(composite(g_hetero)),
    "heteroscedastic_gaussian_nll_grad": Entry(composite(g_hetero)),
    # datasets (seeded generators)
    "make_blobs": Entry(composite(g_make, "make_blobs")),
    "make_binary": Entry(composite(g_make, "make_binary")),
    "make_regression_with_outliers": Entry(composite(g_make, "make_regression_with_outliers")),
    "make_multilabel": Entry(composite(g_make, "make_multilabel")),
    "flip_labels": Entry(composite(g_make, "flip_labels")),
}

#: Public names that are not fuzzed, and why. Everything else public must be in FUZZ.
EXCLUDED = {
    # book machinery (verification, glue, figure style): no numeric input of their own
    "verify": "book machinery", "compare": "book machinery", "glue": "book machinery",
    "claim": "book machinery", "style": "book machinery", "style_params": "book machinery",
    "use_style": "book machinery", "citation": "book machinery",
    # take user callables (the callable's own errors are the user's): tested in their own modules
    "numerical_gradient": "takes a callable", "decision_grid": "takes a callable",
    "loss_surface": "takes a callable", "gradient_descent": "takes a callable",
    "stochastic_gradient_descent": "takes a callable", "mle_error_by_size": "takes callables",
    # chapter demos and trainers: seeded simulations with option parameters only
    # (validated in test_logloss/test_optimisation); fuzzing them would only re-run training loops
    "train": "trainer", "fit_two_layer_gd": "trainer", "layer_gradient_norms": "simulation",
    "simulate_prediction_set": "simulation", "mix_pseudo_labels": "demo data mixing",
}


# ---------------------------------------------------------------------------
# the inventory
# ---------------------------------------------------------------------------


def public_functions() -> dict[str, Callable]:
    """Every public function: lossbook.__all__ plus the __all__ of each subpackage."""
    found = {}
    modules = [lb]
    for info in pkgutil.iter_modules(lb.__path__):
        if info.ispkg:
            modules.append(importlib.import_module(f"lossbook.{info.name}"))
    for mod in modules:
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if isinstance(obj, types.FunctionType):
                found.setdefault(name, obj)
    return found


PUBLIC = public_functions()


def test_every_public_function_is_fuzzed():
    missing = sorted(n for n in PUBLIC if n not in FUZZ and n not in EXCLUDED)
    assert not missing, (
        f"public functions without a fuzz entry: {missing}; add a generator to FUZZ in "
        f"tests/test_fuzz.py (or, for book machinery, a commented entry in EXCLUDED)"
    )
    stale = sorted(n for n in FUZZ if n not in PUBLIC)
    assert not stale, f"FUZZ entries for names that are not public functions: {stale}"


FUZZED = sorted(n for n in FUZZ if n in PUBLIC)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _flat(out):
    """Flatten a result (float, array, tuple of floats/arrays, NamedTuple) to float64 values."""
    if isinstance(out, tuple):
        parts = [_flat(o) for o in out]
        return np.concatenate(parts) if parts else np.zeros(0)
    if isinstance(out, dict):
        return _flat(tuple(out.values()))
    a = np.asarray(out)
    if a.dtype.kind in "biuf":
        return a.astype(np.float64).ravel()
    if a.dtype == object:
        return np.concatenate([_flat(o) for o in a.ravel()]) if a.size else np.zeros(0)
    return np.zeros(0)


def _copy(v):
    return v.copy() if isinstance(v, np.ndarray) else v


def call(fn, args, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return fn(*args, **kw)


def _param_names(fn):
    return [p for p in inspect.signature(fn).parameters]


def _ulps(got, want):
    if got == want:
        return 0.0
    return abs(got - want) / math.ulp(want) if want != 0 else math.inf


def _judge(name, entry, args, kw, out):
    want = entry.judge(args, kw)
    if want is None:
        return
    got = _flat(out)
    if name in ("softmax", "log_softmax") or got.size != len(want):
        got = got.ravel()
    assert got.size == len(want), (name, got.size, len(want))
    scales = entry.scale(args, kw) if entry.scale is not None else [abs(w) for w in want]
    for g, w, s in zip(got, want, scales):
        if mp.isinf(w) or abs(w) > MAXF * (1 + 2 ** -53):
            assert g == (math.inf if w > 0 else -math.inf), (name, args, kw, g, w)
            continue
        assert math.isfinite(g), f"{name}: {g} where the true value is {mp.nstr(w, 17)} (args={args!r}, kw={kw!r})"
        tol = entry.rtol * float(s) + 1e-300
        assert abs(mp.mpf(g) - w) <= tol, (
            f"{name}: {g!r} vs mpmath {mp.nstr(w, 20)} (error {mp.nstr(abs(mp.mpf(g) - w), 5)}, "
            f"tol {tol:.3g}; args={args!r}, kw={kw!r})"
        )


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------


#: Findings of the suite that are not fixed yet (reported to the lead); each is an
#: expected failure so that the rest of the suite still guards every function.
KNOWN_OPEN = {
    ("bad_input", "heteroscedastic_gaussian_nll_grad"):
        "theta entries near +-1e300 can still give NaN in the gradient's sums",
    ("valid_input", "heteroscedastic_gaussian_nll_grad"):
        "per-sample gradient terms of +inf and -inf (|theta| ~ 1e300, sigma underflowing) sum to NaN",
}


@pytest.mark.parametrize("name", FUZZED)
def test_valid_input_gives_true_values_without_nan_or_warning(name):
    if ("valid_input", name) in KNOWN_OPEN and PROFILE == "deep":
        pytest.xfail(KNOWN_OPEN[("valid_input", name)])
    fn, entry = PUBLIC[name], FUZZ[name]

    @FUZZ_SETTINGS
    @given(entry.gen)
    def check(case):
        args, kw = case
        before = [_copy(a) for a in args]
        out = call(fn, args, kw)
        vals = _flat(out)
        assert entry.nan_ok or not np.isnan(vals).any(), f"{name} gave NaN for args={args!r}, kw={kw!r}"
        for a, b in zip(args, before):  # inputs unmodified
            if isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, b)
        again = _flat(call(fn, args, kw))  # deterministic
        np.testing.assert_array_equal(vals, again)
        if entry.judge is not None:
            if entry.has_reduction and kw.get("reduction", "mean") != "none":
                kw = {**kw, "reduction": "none"}
                out = call(fn, args, kw)
            _judge(name, entry, args, kw, out)

    check()


def _forms(a):
    """Same values, other forms: list, read-only, non-contiguous, Fortran order."""
    out = []
    if a.ndim >= 1:
        out.append(("list", a.tolist()))
        ro = a.copy()
        ro.flags.writeable = False
        out.append(("read-only", ro))
        big = np.repeat(a, 2, axis=-1)
        out.append(("non-contiguous", big[..., ::2]))
        if a.ndim == 2:
            out.append(("Fortran order", np.asfortranarray(a)))
    return out


@pytest.mark.parametrize("name", FUZZED)
def test_input_forms_with_the_same_values_give_the_same_result(name):
    fn, entry = PUBLIC[name], FUZZ[name]

    @FUZZ_SETTINGS
    @given(entry.gen, st.data())
    def check(case, data):
        args, kw = case
        ref = _flat(call(fn, args, kw))
        idx = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind in "biuf"]
        if not idx:
            return
        i = data.draw(st.sampled_from(idx))
        for form, alt in _forms(args[i]):
            new = list(args)
            new[i] = alt
            np.testing.assert_array_equal(_flat(call(fn, tuple(new), kw)), ref, err_msg=f"{name}: {form}")

    check()


class _Obj:
    pass


def _corruptions(a, data):
    """Hostile replacements for one array argument."""
    out = [("None", None), ("string", "abc"), ("object", np.array([_Obj()] * max(a.size, 1), dtype=object)),
           ("masked", np.ma.array(a, mask=np.zeros(a.shape, bool))), ("empty", np.zeros((0,) + a.shape[1:])),
           ("3-D", np.zeros((2, 2, 2))), ("complex", a.astype(complex) + 1j)]
    if a.ndim >= 1 and a.shape[0] > 1:
        out.append(("short", a[:-1]))
    if a.ndim == 2 and a.shape[0] >= 2:
        out.append(("ragged", [list(r) for r in a[:-1]] + [list(a[-1][:-1])] if a.shape[1] > 1 else [[]]))
    if a.dtype.kind == "f" and a.size:
        for bad in (np.nan, np.inf, -np.inf):
            b = a.copy()
            b.flat[data.draw(st.integers(0, a.size - 1))] = bad
            out.append((f"{bad}", b))
    if a.size:
        b = a.astype(np.float64).copy()
        b.flat[data.draw(st.integers(0, a.size - 1))] = data.draw(st.sampled_from([-1.0, 2.0, 0.5, 1e300, -1e300]))
        out.append(("out of range", b))
    return out




@pytest.mark.parametrize("name", FUZZED)
def test_bad_input_gives_a_clear_error_naming_an_argument_or_a_nan_free_result(name):
    if ("bad_input", name) in KNOWN_OPEN:
        pytest.xfail(KNOWN_OPEN[("bad_input", name)])
    fn, entry = PUBLIC[name], FUZZ[name]
    params = _param_names(fn)

    @FUZZ_SETTINGS
    @given(entry.gen, st.data())
    def check(case, data):
        args, kw = case
        idx = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]
        if not idx:
            return
        i = data.draw(st.sampled_from(idx))
        for label, bad in _corruptions(args[i], data):
            new = list(args)
            new[i] = bad
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # an inf may be the true value here
                    out = fn(*new, **kw)
            except (ValueError, TypeError) as exc:
                msg = str(exc)
                assert any(p in msg for p in params), f"{name} ({label}): message names no argument: {msg!r}"
                assert len(msg) < 600, f"{name} ({label}): message of {len(msg)} characters"
                continue
            except Exception as exc:  # noqa: BLE001
                raise AssertionError(f"{name} ({label} in argument {params[i]}): {type(exc).__name__}: {exc}")
            assert label not in ("masked", "None", "string", "object", "complex", "ragged"), (
                f"{name} accepted a {label} argument {params[i]}"
            )
            vals = _flat(out)
            assert entry.nan_ok or not np.isnan(vals).any(), f"{name} ({label} in {params[i]}) gave NaN silently"

    check()


REDUCED = [n for n in FUZZED if FUZZ[n].has_reduction]


@pytest.mark.parametrize("name", REDUCED)
def test_sum_and_mean_are_within_two_ulps_of_the_exact_reduction(name):
    fn, entry = PUBLIC[name], FUZZ[name]

    @FUZZ_SETTINGS
    @given(entry.gen)
    def check(case):
        args, kw = case
        kw = {k: v for k, v in kw.items() if k != "reduction"}
        per = np.asarray(call(fn, args, {**kw, "reduction": "none"}))
        if not np.isfinite(per).all():
            return
        exact = mp.fsum(mp.mpf(float(v)) for v in per)
        for red, want in (("sum", exact), ("mean", exact / per.shape[0])):
            got = float(call(fn, args, {**kw, "reduction": red}))
            if abs(want) > MAXF:
                assert math.isinf(got)
                continue
            w = float(want)
            assert _ulps(got, w) <= 2, f"{name} {red}: {got!r} vs exact {w!r} (args={args!r})"

    check()
