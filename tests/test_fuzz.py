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
import re
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
    pw = 2 if kw.get("squared") else 1
    return [mp.fsum(max(mp.mpf(0), M(v) - M(r[yi]) + m) ** pw for j, v in enumerate(r) if j != yi)
            for r, yi in zip(s, y)]


def j_hinge_grad(args, kw):
    s = args[1]
    y = np.asarray(args[0])
    y = y.argmax(axis=1) if y.ndim == 2 else y
    n = s.shape[0]
    m = M(kw.get("margin", 1.0))
    out = []
    for r, yi in zip(s, y):
        if kw.get("squared"):  # 2 max(0, d_j)
            d = [mp.mpf(0) if j == yi else 2 * max(mp.mpf(0), M(v) - M(r[yi]) + m) for j, v in enumerate(r)]
            out += [-mp.fsum(d) / n if j == yi else d[j] / n for j in range(len(r))]
            continue
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


# --- judges of the library functions added in issue 11 ---------------------


def m_sig(x):
    return 1 / (1 + mp.exp(-x))


def _bfl_mp(a, b, gamma, alpha):
    """(loss, gradient of the loss, magnitude of the gradient's two terms) of one element."""
    a, b = M(a), M(b)
    s, sn = m_sig(b), m_sig(-b)
    ce = a * m_log1pexp(-b) + (1 - a) * m_log1pexp(b)
    q = a * sn + (1 - a) * s
    g_ = M(gamma)
    mod = mp.mpf(1) if gamma == 0 else q ** g_
    at = mp.mpf(1) if alpha is None else M(alpha) * a + (1 - M(alpha)) * (1 - a)
    dq = (1 - 2 * a) * s * sn
    t1 = (g_ * mod * dq / q * ce) if gamma != 0 else mp.mpf(0)
    t2 = mod * (s - a)
    return at * mod * ce, at * (t1 + t2), at * (abs(t1) + mod * (s + a))


def j_bfl(args, kw):
    g, al = kw.get("gamma", 2.0), kw.get("alpha")
    vals = [_bfl_mp(a, b, g, al)[0] for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]
    return _rows_mean(vals, np.shape(args[1]))


def s_bfl(args, kw):  # q**gamma carries gamma times the relative error of q
    return [abs(v) * (1 + kw.get("gamma", 2.0)) for v in j_bfl(args, kw)]


def j_bfl_grad(args, kw):
    g, al = kw.get("gamma", 2.0), kw.get("alpha")
    n = np.size(args[1])
    return [_bfl_mp(a, b, g, al)[1] / n for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]


def s_bfl_grad(args, kw):
    g, al = kw.get("gamma", 2.0), kw.get("alpha")
    n = np.size(args[1])
    return [_bfl_mp(a, b, g, al)[2] * (1 + g) / n + mp.mpf(2) ** -1074
            for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]


def _logp_rows(z):
    """log p = (z - m) - log1p(sum over the non-max of exp(z - m)): exact where p is within 1e-60 of 1."""
    out = []
    for r in z:
        k = int(np.argmax(r))
        m = M(r[k])
        rest = mp.fsum(mp.exp(M(v) - m) for j, v in enumerate(r) if j != k)
        out.append([(M(v) - m) - mp.log1p(rest) for v in r])
    return out


def j_sfl(args, kw):
    z = args[1]
    g = M(kw.get("gamma", 2.0))
    t = _targets(args[0], *z.shape)
    out = []
    for tr, lr in zip(t, _logp_rows(z)):
        out.append(mp.fsum(-M(a) * (-mp.expm1(lp)) ** g * lp for a, lp in zip(tr, lr) if a != 0))
    return out


def s_sfl(args, kw):
    return [abs(v) * (1 + kw.get("gamma", 2.0)) + mp.mpf(2) ** -1074 for v in j_sfl(args, kw)]


def _sfl_grad_mp(args, kw):
    z = args[1]
    n = z.shape[0]
    g = M(kw.get("gamma", 2.0))
    t = _targets(args[0], *z.shape)
    vals, scales = [], []
    for tr, lr in zip(t, _logp_rows(z)):
        p = [mp.exp(lp) for lp in lr]
        om = [-mp.expm1(lp) for lp in lr]
        B = [M(a) * om_ ** g * (g * p_ * (lp / om_ if om_ else -1) - 1) if a != 0 else mp.mpf(0)
             for a, p_, lp, om_ in zip(tr, p, lr, om)]
        sb, sab = mp.fsum(B), mp.fsum(abs(b) for b in B)
        vals += [(b - p_ * sb) / n for b, p_ in zip(B, p)]
        scales += [(abs(b) + p_ * sab) * (1 + g) / n + mp.mpf(2) ** -1074 for b, p_ in zip(B, p)]
    return vals, scales


def j_brier(args, kw):
    p = np.asarray(args[1])
    if p.ndim == 1:
        return [(M(b) - M(a)) ** 2 for a, b in zip(np.ravel(args[0]), p)]
    t = _targets(args[0], *p.shape)
    return [mp.fsum((M(b) - M(a)) ** 2 for a, b in zip(tr, pr)) for tr, pr in zip(t, p)]


def _poisson_terms(a, b, full):
    a, b = M(a), M(b)
    lf = mp.loggamma(a + 1) if full else mp.mpf(0)
    return mp.exp(b) - a * b + lf, mp.exp(b) + abs(a * b) + abs(lf)


def j_poisson(args, kw):
    vals = [_poisson_terms(a, b, kw.get("full", False))[0] for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]
    return _rows_mean(vals, np.shape(args[1]))


def s_poisson(args, kw):  # documented: a few ulps of the largest term
    vals = [_poisson_terms(a, b, kw.get("full", False))[1] for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]
    return _rows_mean(vals, np.shape(args[1]))


def j_poisson_grad(args, kw):
    n = np.size(args[1])
    return [(mp.exp(M(b)) - M(a)) / n for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]


def s_poisson_grad(args, kw):
    n = np.size(args[1])
    return [(mp.exp(M(b)) + M(a)) / n + mp.mpf(2) ** -1074 for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]


def j_pinball(args, kw):
    t = M(kw.get("quantile", 0.5))
    vals = [max(t * (M(a) - M(b)), (t - 1) * (M(a) - M(b))) for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]
    return _rows_mean(vals, np.shape(args[1]))


def j_pinball_grad(args, kw):
    t = M(kw.get("quantile", 0.5))
    n = np.size(args[1])
    return [(-t if b < a else (1 - t if b > a else mp.mpf(0))) / n for a, b in zip(np.ravel(args[0]), np.ravel(args[1]))]


def j_js(args, kw):
    p, q = np.atleast_2d(args[0]), np.atleast_2d(args[1])
    out = []
    for pr, qr in zip(p, q):
        terms = []
        for a, b in zip(pr, qr):
            a, b = M(a), M(b)
            m = (a + b) / 2
            terms += [m_xlogy(a, a / m) if a else mp.mpf(0), m_xlogy(b, b / m) if b else mp.mpf(0)]
        out.append(mp.fsum(terms) / 2)
    return out


def j_tv(args, kw):
    p, q = np.atleast_2d(args[0]), np.atleast_2d(args[1])
    return [mp.fsum(abs(M(a) - M(b)) for a, b in zip(pr, qr)) / 2 for pr, qr in zip(p, q)]


def _mi_terms(joint):
    pj = [[M(v) for v in r] for r in joint]
    px = [mp.fsum(r) for r in pj]
    py = [mp.fsum(c) for c in zip(*pj)]
    return [v * mp.log(v / (px[i] * py[j])) for i, r in enumerate(pj) for j, v in enumerate(r) if v > 0]


def j_mi(args, kw):
    return [max(mp.mpf(0), mp.fsum(_mi_terms(args[0])))]


def s_mi(args, kw):  # the marginals are rounded sums: absolute error ~ eps * sum(p)
    return [mp.fsum(abs(t) for t in _mi_terms(args[0])) + 1]


def j_gaussian_entropy(args, kw):
    return [mp.log(2 * mp.pi * mp.e) / 2 + mp.log(M(s)) for s in np.ravel(args[0])]


def s_gaussian_entropy(args, kw):
    return [mp.log(2 * mp.pi * mp.e) / 2 + abs(mp.log(M(s))) for s in np.ravel(args[0])]


def j_gaussian_kl_diag(args, kw):
    m1 = np.atleast_2d(args[0])
    m2 = np.atleast_2d(args[2])
    s1, s2 = (np.broadcast_to(np.asarray(s, float), np.shape(args[0])).reshape(m1.shape) for s in (args[1], args[3]))
    return [mp.fsum(mp.log(M(d) / M(b)) + (M(b) ** 2 + (M(a) - M(c)) ** 2) / (2 * M(d) ** 2) - mp.mpf(1) / 2
                    for a, b, c, d in zip(r1, t1, r2, t2))
            for r1, t1, r2, t2 in zip(m1, s1, m2, s2)]


def _sce_opts_mp(args, kw):
    """Per-sample losses, the mean's denominator, gradient and its scale with PyTorch's options."""
    z = args[1]
    n, c = z.shape
    y = np.asarray(args[0])
    w = [mp.mpf(1)] * c if kw.get("weight") is None else [M(v) for v in kw["weight"]]
    eps = M(kw.get("label_smoothing", 0.0))
    ign = kw.get("ignore_index")
    per, gvals, gscale, denom = [], [], [], mp.mpf(0)
    for i, zr in enumerate(z):
        lse = m_lse(zr)
        lp = [M(v) - lse for v in zr]
        p = [mp.exp(v) for v in lp]
        if y.ndim == 1:
            if ign is not None and y[i] == ign:
                per.append(mp.mpf(0))
                gvals.append([mp.mpf(0)] * c)
                gscale.append([mp.mpf(0)] * c)
                continue
            k = int(y[i])
            denom += w[k]
            per.append(-(1 - eps) * w[k] * lp[k] - eps / c * mp.fsum(wk * v for wk, v in zip(w, lp)))
            one_m = -mp.expm1(lp[k])
            lab = [(1 - eps) * w[k] * (-one_m if j == k else p[j]) for j in range(c)]
            sm = [eps / c * (p[j] * mp.fsum(w) - w[j]) for j in range(c)]
            gvals.append([a + b for a, b in zip(lab, sm)])
            gscale.append([abs(a) + eps / c * (p[j] * mp.fsum(w) + w[j]) for j, a in enumerate(lab)])
        else:
            t = [(1 - eps) * M(a) + eps / c for a in y[i]]
            tw = [a * b for a, b in zip(t, w)]
            per.append(-mp.fsum(a * v for a, v in zip(tw, lp) if a != 0))
            denom += 1
            gvals.append([p[j] * mp.fsum(tw) - tw[j] for j in range(c)])
            gscale.append([p[j] * mp.fsum(tw) + tw[j] for j in range(c)])
    return per, denom, gvals, gscale


def _has_sce_options(kw):
    return kw.get("weight") is not None or kw.get("ignore_index") is not None or kw.get("label_smoothing", 0.0) != 0


def j_sce_any(args, kw):
    return _sce_opts_mp(args, kw)[0] if _has_sce_options(kw) else j_sce(args, kw)


def s_sce_any(args, kw):
    if not _has_sce_options(kw):
        return s_sce(args, kw)
    z = args[1]
    c = z.shape[1]
    w = np.ones(c) if kw.get("weight") is None else np.asarray(kw["weight"], float)
    # the library's terms: w_y (m - z_y + l) and eps/C (W (m + l) - z . w), each non-negative or cancelling
    return [(abs(m_lse(zr)) + max(abs(M(v)) for v in zr)) * (1 + mp.fsum(M(v) for v in w)) + mp.mpf(2) ** -1074
            for zr in z]


def j_sce_grad_any(args, kw):
    if not _has_sce_options(kw):
        return j_sce_grad(args, kw)
    _, denom, g, _ = _sce_opts_mp(args, kw)
    return [v / denom for r in g for v in r]


def s_sce_grad_any(args, kw):
    if not _has_sce_options(kw):
        return [abs(v) + mp.mpf(1) / args[1].shape[0] * (0 if np.asarray(args[0]).ndim == 1 else 1)
                for v in j_sce_grad(args, kw)]
    _, denom, _, s = _sce_opts_mp(args, kw)
    return [v / denom + mp.mpf(2) ** -1074 for r in s for v in r]


def sce_mean_denominator(args, kw):
    """The weighted mean's denominator (PyTorch's): total weight of the kept labels."""
    if not _has_sce_options(kw) or np.asarray(args[0]).ndim == 2:
        return None
    return _sce_opts_mp(args, kw)[1]


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
    mean_denominator: Callable | None = None  # (args, kwargs) -> the mean's denominator if not N (weighted means)


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


def g_gaussian_kl_mvn(draw):
    d = draw(st.integers(1, 4))
    m1, m2 = arr(draw, st.floats(-100, 100), (d,)), arr(draw, st.floats(-100, 100), (d,))
    covs = []
    for _ in range(2):
        a = arr(draw, st.floats(-3, 3), (d, d))
        covs.append(a @ a.T + draw(st.sampled_from([0.1, 1.0, 10.0])) * np.eye(d))
    return (m1, covs[0], m2, covs[1]), {}


def j_gaussian_kl_mvn(args, kw):
    m1, c1, m2, c2 = args
    M1, M2 = mp.matrix([M(v) for v in m1]), mp.matrix([M(v) for v in m2])
    C1 = mp.matrix([[M(v) for v in row] for row in c1])
    C2 = mp.matrix([[M(v) for v in row] for row in c2])
    inv2 = mp.inverse(C2)
    dd = M2 - M1
    tr = mp.fsum((inv2 * C1)[i, i] for i in range(C1.rows))
    return [max(mp.mpf(0), (tr + (dd.T * inv2 * dd)[0, 0] - C1.rows + mp.log(mp.det(C2) / mp.det(C1))) / 2)]


def s_gaussian_kl_mvn(args, kw):  # trace, D and log-det cancel: scale by their magnitudes
    m1, c1, m2, c2 = args
    tr = float(np.trace(np.linalg.solve(c2, c1)))
    return [mp.mpf(abs(tr) + len(m1) + abs(np.linalg.slogdet(c2)[1]) + abs(np.linalg.slogdet(c1)[1])
                   + float((m2 - m1) @ np.linalg.solve(c2, m2 - m1))) * np.linalg.cond(c2) + 1]


def g_huffman(draw):
    n = draw(st.integers(1, 8))
    return (prob_rows(draw, 1, n)[0],), {}


def g_shannon(draw):
    n = draw(st.integers(1, 8))
    w = arr(draw, st.one_of(st.floats(1e-3, 1.0), st.sampled_from([1e-300, 1e-30])), (n,))
    w[0] = 1.0
    return (w / w.sum(),), {}


def g_canonical(draw):
    n = draw(st.integers(1, 8))
    lo = max(1, math.ceil(math.log2(n))) if n > 1 else draw(st.integers(0, 3))
    return (np.array([draw(st.integers(lo, lo + 6)) for _ in range(n)]),), {}


def g_codewords(draw):
    n = draw(st.integers(1, 5))
    return ([draw(st.text("01", min_size=1, max_size=5)) for _ in range(n)],), {}


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


def g_log_loss_in_dtype(draw):
    n = draw(n_rows)
    y = arr(draw, st.sampled_from([0.0, 1.0]), (n,))
    z = arr(draw, st.one_of(st.floats(-65504, 65504), st.sampled_from([0.0, -0.0, 5e-324, 8.3, 17.3, 37.4])), (n,))
    return (y, z), {"dtype": draw(st.sampled_from(["float16", "bfloat16", "float32", "float64", np.float32])),
                    "route": draw(st.sampled_from(["logits", "probs"]))}


def g_round_to_bfloat16(draw):
    n = draw(n_rows)
    return (arr(draw, st.one_of(st.floats(-1e30, 1e30), st.sampled_from([0.0, -0.0, 1 - 2.0**-9, 2.0**-133])),
                (n,)),), {}


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



# --- scoring rules and calibration summaries (issue 15) ---------------------


def g_spherical(draw):
    n = draw(n_rows)
    if draw(st.booleans()):  # binary forecasts
        return (labels(draw, n, 2), arr(draw, prob, (n,))), draw(reduction_kw())
    c = draw(n_cols)
    return (labels(draw, n, c), prob_rows(draw, n, c)), draw(reduction_kw())


def j_spherical(args, kw):
    y, p = np.asarray(args[0]), np.asarray(args[1], dtype=np.float64)
    if p.ndim == 1:
        rows = [[1 - M(v), M(v)] for v in p]
    else:
        rows = [[M(v) for v in r] for r in p]
    return [r[k] / mp.sqrt(mp.fsum(v * v for v in r)) for r, k in zip(rows, y.tolist())]


def g_binary_forecasts(draw):
    n = draw(st.integers(1, 8))
    f = arr(draw, prob, (n,))
    o = arr(draw, st.sampled_from([0.0, 1.0]), (n,))
    return (o, f), ({"n_bins": draw(st.integers(1, 5))} if draw(st.booleans()) else {})


def g_binary_forecasts_bins(draw):
    (o, f), _ = g_binary_forecasts(draw)
    return (o, f), {"n_bins": draw(st.integers(1, 5))}


def g_expected_score(draw):
    rule = draw(st.sampled_from(["log", "brier", "spherical", "zero_one", "hinge"]))
    q = arr(draw, st.floats(1e-6, 1 - 1e-6) if rule == "log" else prob, (draw(n_rows),))
    p_true = draw(st.floats(0, 1)) if rule != "log" else draw(st.floats(1e-3, 1 - 1e-3))
    return (rule, p_true, q), {}


def g_calib_problem(draw):
    return (draw(st.integers(3, 12)),), {"n_noise": draw(st.integers(0, 3)), "seed": draw(st.integers(0, 9))}


def g_make(draw, name):
    if name == "make_blobs":
        return (draw(st.integers(1, 5)),), {"n_classes": draw(st.integers(1, 4)), "seed": draw(st.integers(0, 9))}
    if name == "flip_labels":
        c = draw(n_cols)
        return (labels(draw, draw(n_rows), c), draw(prob), c), {"seed": draw(st.integers(0, 9))}
    return (draw(st.integers(1, 6)),), {"seed": draw(st.integers(0, 9))}


# --- demos of the chapter "Learning as optimisation" (issue 13) --------------

MARGIN_ELEMS = {
    "zero_one": real, "hinge": real, "logistic": real, "squared": real_sq,
    "exponential": st.one_of(st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1.0, -1.0, 700.0, -700.0]),
                             st.floats(-700, 700)),
}


def g_margin_loss(draw):
    name = draw(st.sampled_from(sorted(MARGIN_ELEMS)))
    shape = draw(st.sampled_from([(1,), (3,), (2, 2)]))
    kw = {"base": draw(st.sampled_from([None, 2]))} if name == "logistic" else {}
    return (arr(draw, MARGIN_ELEMS[name], shape), name), kw


def j_margin_loss(args, kw):
    m_, name = args
    f = {
        "zero_one": lambda v: mp.mpf(1) if v <= 0 else mp.mpf(0),
        "hinge": lambda v: max(mp.mpf(0), 1 - v),
        "logistic": lambda v: m_log1pexp(-v) / (mp.log(kw["base"]) if kw.get("base") else 1),
        "squared": lambda v: (1 - v) ** 2,
        "exponential": lambda v: mp.exp(-v),
    }[name]
    return [f(M(v)) for v in np.ravel(m_)]


def g_conditional_risk(draw):
    name = draw(st.sampled_from(["hinge", "logistic", "squared", "exponential"]))
    p_ = st.one_of(st.sampled_from([1e-300, 1e-17, 1e-8, 0.25, 0.5, 0.75, 1 - 1e-8, 1 - 2 ** -53]),
                   st.floats(1e-6, 1 - 1e-6))
    return (name, arr(draw, p_, (draw(n_rows),))), {"bound": draw(st.sampled_from([1.0, 30.0, 700.0]))}


# --- generators of the library functions added in issue 11 -----------------

GAMMAS = [0.0, 5e-324, 1e-300, 0.5, 1.0, 2.0, 5.0, 50.0]


def g_bfl(draw, with_reduction=True):
    (y, z), kw = g_bce_logits(draw)
    kw = {"gamma": draw(st.sampled_from(GAMMAS)), "alpha": draw(st.sampled_from([None, 0.0, 1.0, 0.25, 0.5]))}
    if with_reduction:
        kw.update(draw(reduction_kw()))
    return (y, z), kw


def g_sfl(draw, with_reduction=True):
    (y, z), _ = g_sce(draw)
    kw = {"gamma": draw(st.sampled_from(GAMMAS))}
    if with_reduction:
        kw.update(draw(reduction_kw()))
    return (y, z), kw


def g_sce_options(draw, with_reduction=True):
    """Plain softmax cross-entropy, or with weight / ignore_index / label_smoothing (and target rows)."""
    (y, z), kw = g_sce(draw, with_reduction)
    if draw(st.booleans()):
        return (y, z), kw
    n, c = z.shape
    if draw(st.booleans()):
        kw["label_smoothing"] = draw(st.sampled_from([0.0, 1.0, 5e-324, 1e-17, 0.1, 0.5, 1 - 2 ** -53]))
    if draw(st.booleans()):
        kw["weight"] = arr(draw, st.sampled_from([0.0, 0.0, 5e-324, 1e-300, 0.5, 1.0, 3.0, 1e300]), (c,))
    if y.ndim == 1 and draw(st.booleans()):
        ign = draw(st.sampled_from([-100, 0, c - 1]))
        kw["ignore_index"] = ign
        if ign == -100:
            y = np.where(arr(draw, st.booleans(), (n,)) > 0, -100, y)
            if draw(st.booleans()):
                y[:] = -100  # every sample ignored
    if y.ndim == 1 and kw.get("reduction", "mean") == "mean":
        # the weighted mean needs a kept label with positive weight (else a documented ValueError)
        w = kw.get("weight")
        kept = [i for i in range(n) if kw.get("ignore_index") is None or y[i] != kw["ignore_index"]]
        if not any(w is None or w[y[i]] > 0 for i in kept):
            kw.pop("ignore_index", None)
            y = np.where(y < 0, 0, y)
            if w is not None:
                w[y[0]] = 1.0
    return (y, z), kw


def g_hinge_sq(draw, with_reduction=True):
    (y, s), kw = g_hinge(draw, with_reduction)
    if draw(st.booleans()):
        kw["squared"] = True
        if kw["margin"] > 1e100:  # a squared margin of 1e600 overflows (true value)
            kw["margin"] = 1.0
    return (y, s), kw


def g_brier(draw):
    n = draw(n_rows)
    if draw(st.booleans()):
        return (arr(draw, st.one_of(st.sampled_from([0.0, 1.0]), prob), (n,)), arr(draw, prob, (n,))), draw(reduction_kw())
    c = draw(n_cols)
    p = prob_rows(draw, n, c)
    y = labels(draw, n, c) if draw(st.booleans()) else prob_rows(draw, n, c)
    return (y, p), draw(reduction_kw())


COUNTS = [0.0, 1.0, 2.0, 5e-324, 0.5, 7.0, 1e6, 1e17, 1e300, 1.5e308]


def g_poisson(draw, with_reduction=True):
    shape, _ = g_elementwise_real(draw)
    y = arr(draw, st.one_of(st.sampled_from(COUNTS), st.floats(0, 1e3)), shape)
    eta = arr(draw, st.one_of(st.sampled_from(SPECIAL_REALS + [709.78, 690.0, -745.0]), moderate), shape)
    kw = {"full": draw(st.booleans())}
    if with_reduction:
        kw.update(draw(reduction_kw()))
    return (y, eta), kw


def g_pinball(draw, with_reduction=True):
    (y, p), kw = g_regression(draw, with_reduction, elems=real)
    kw["quantile"] = draw(st.sampled_from([0.0, 1.0, 0.5, 0.1, 0.9, 5e-324, 1 - 2 ** -53]))
    return (y, p), kw


def g_pq_rows_any(draw):
    (p, q), kw = g_pq_rows(draw)
    if draw(st.booleans()):  # disjoint supports
        p = prob_rows(draw, p.shape[0], p.shape[1])
        q = np.roll(np.eye(p.shape[1])[[draw(st.integers(0, p.shape[1] - 1)) for _ in range(p.shape[0])]], 1, axis=1)
    return ((p[0], q[0]) if draw(st.booleans()) else (p, q)), kw


def g_tv(draw):
    (p, q), _ = g_pq_rows_any(draw)
    return (p, q), {}


def g_joint(draw):
    a, b = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["random", "independent", "diagonal", "tiny"]))
    if kind == "independent":
        j = np.outer(prob_rows(draw, 1, a)[0], prob_rows(draw, 1, b)[0])
    elif kind == "diagonal":
        k = min(a, b)
        j = np.zeros((a, b))
        j[np.arange(k), np.arange(k)] = 1.0 / k
    elif kind == "tiny":  # a cell whose marginals' product underflows
        j = np.zeros((a, b))
        t = draw(st.sampled_from([5e-324, 1e-300, 1e-200, 1e-160]))
        j[0, 0] = t
        j[-1, -1] += 1.0 - t if (a, b) != (1, 1) else 1.0 - t
        if (a, b) == (1, 1):
            j[0, 0] = 1.0
    else:
        j = prob_rows(draw, 1, a * b)[0].reshape(a, b)
    return (j,), {"base": draw(st.sampled_from([None, 2, math.e, 10]))}


def g_sigma(draw):
    vals = st.one_of(positive, st.sampled_from([MAXF, 2.2250738585072014e-308]))
    if draw(st.booleans()):
        return (draw(vals),), {}
    return (arr(draw, vals, (draw(n_rows),)),), {}


def g_gaussian_kl_diag(draw):
    shape = draw(st.sampled_from([(3,), (1,), (2, 3), (4, 1)]))
    pos = st.one_of(st.floats(1e-3, 1e3), st.sampled_from([5e-324, 1e-200, 1e-100, 1.0, 1e100, 1e200, 1e300]))
    m1, m2 = arr(draw, real_sq, shape), arr(draw, real_sq, shape)
    s1 = draw(pos) if draw(st.booleans()) else arr(draw, pos, shape)
    if draw(st.booleans()):  # nearly equal scales: the textbook form cancels
        s2 = np.asarray(s1) * (1 + draw(st.sampled_from([1e-8, 1e-12, -1e-15, 0.0])))
    else:
        s2 = draw(pos) if draw(st.booleans()) else arr(draw, pos, shape)
    return (m1, s1, m2, s2), {}


SCALES = [1e-300, 1e-8, 1.0, 40.0, 709.0, 1e17, 1e300]


def g_fit_temperature(draw):
    """Fittable logits: some label below its row's max, and labels larger than the row mean on average."""
    n, c = draw(st.integers(2, 6)), draw(n_cols)
    z = arr(draw, st.floats(-5, 5), (n, c))
    y = labels(draw, n, c)
    z[0] = 0.0
    z[0, 0], y[0] = 4.0, 0  # a confident right row
    z[1] = 0.0
    z[1, 0], y[1] = 1.0, 1  # a wrong one
    gap = z.mean(axis=1) - z[np.arange(n), y]
    if gap.mean() >= -0.5:  # make the labels larger on average
        z[np.arange(2, n), y[2:]] += 10.0
    scale = draw(st.sampled_from(SCALES))
    z = z * scale
    if draw(st.booleans()) and abs(scale) * 1e3 < 1e300:
        z = z + scale * draw(st.sampled_from([1e3, -1e3]))  # logits are shift-invariant
    binary = c == 2 and draw(st.booleans())
    return ((z[:, 1] - z[:, 0] if binary else z), y), {}


def g_fit_platt(draw):
    """Scores with both classes that do not separate them (a pair of equal scores with both labels)."""
    n = draw(st.integers(4, 8))
    t = arr(draw, st.floats(-3, 3), (n,))
    y = arr(draw, st.sampled_from([0.0, 1.0]), (n,))
    t[1], t[2], t[3] = t[0], t[0] + 1.0, t[0] + 2.0
    y[:4] = [0.0, 1.0, 0.0, 1.0]  # a tie, a negative above a positive, a positive above a negative
    if draw(st.booleans()):  # soft targets
        y = np.clip(y + arr(draw, st.floats(-0.3, 0.3), (n,)), 0.0, 1.0)
        y[:4] = [0.0, 1.0, 0.0, 1.0]
    scale = draw(st.sampled_from(SCALES))
    s = t * scale + scale * draw(st.sampled_from([0.0, 1.0, -1e3, 1e3])) * (scale < 1e300)
    return (s, y), {}



# priors and regularisation (issue 15)
def g_penalty(draw, name="w"):
    shape = draw(st.sampled_from([(), (1,), (4,), (2, 3)]))
    w = arr(draw, real, shape) if shape else draw(real)
    lam = draw(st.one_of(st.just(0.0), positive))
    return (w, lam), {}


def _penalty_parts(args):
    w, lam = args
    vals = [M(v) for v in np.ravel(np.asarray(w, dtype=float))]
    return vals, M(lam)


def j_l2_penalty(args, kw):
    vals, lam = _penalty_parts(args)
    return [lam / 2 * mp.fsum(v * v for v in vals)]


def j_l2_penalty_grad(args, kw):
    vals, lam = _penalty_parts(args)
    return [lam * v for v in vals]


def j_l1_penalty(args, kw):
    vals, lam = _penalty_parts(args)
    return [lam * mp.fsum(abs(v) for v in vals)]


def j_soft_threshold(args, kw):
    vals, t = _penalty_parts(args)
    return [mp.sign(v) * max(abs(v) - t, 0) for v in vals]


def g_fit_penalised(draw):
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    X = arr(draw, st.floats(-100, 100), (n, d))
    y = arr(draw, st.floats(-100, 100), (n,))
    return (X, y, draw(st.one_of(st.just(0.0), st.floats(1e-6, 1e6)))), {}


def g_beta_bernoulli(draw, mode=False):
    n = draw(st.sampled_from([0, 1, 2, 10, 10**6, 10**15]))
    k = draw(st.integers(0, n))
    lo = 1e-300
    ab = st.one_of(st.floats(lo, 1e3), st.sampled_from([lo, 1.0, 2.0, 1e8, 1e300]))
    a, b = draw(ab), draw(ab)
    if mode:  # the mode needs posterior parameters k + a >= 1 and n - k + b >= 1
        if n + a + b <= 2:
            n, k = 1, draw(st.integers(0, 1))
        if k == 0:
            a = max(a, 1.0)
        if n - k == 0:
            b = max(b, 1.0)
    return (k, n, a, b), {}


def j_beta_map(args, kw):
    k, n, a, b = args
    return [(k + M(a) - 1) / (n + M(a) + M(b) - 2)]


def j_beta_mean(args, kw):
    k, n, a, b = args
    return [(k + M(a)) / (n + M(a) + M(b))]


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
    return [mp.fsum(abs(M(v) - M(r[yi])) + m for v in r) ** (2 if kw.get("squared") else 1)
            for r, yi in zip(s, y)] if True else c


def s_hinge_grad(args, kw):
    """Squared hinge: d_j = (s_j - s_y) + margin cancels; its error scales with |s_j - s_y| + margin."""
    s = args[1]
    y = np.asarray(args[0])
    y = y.argmax(axis=1) if y.ndim == 2 else y
    m = M(kw.get("margin", 1.0))
    n = s.shape[0]
    if not kw.get("squared"):
        return [abs(v) for v in j_hinge_grad(args, kw)]
    out = []
    for r, yi in zip(s, y):
        d = [2 * (abs(M(v) - M(r[yi])) + m) / n for v in r]
        out += [mp.fsum(d) if j == yi else d[j] for j in range(len(r))]
    return out


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
    # with and without weight / ignore_index / label_smoothing (issue 11), labels and target rows
    "softmax_cross_entropy": Entry(composite(g_sce_options), j_sce_any, scale=s_sce_any, has_reduction=True,
                                   mean_denominator=sce_mean_denominator),
    "softmax_cross_entropy_grad": Entry(composite(g_sce_options, with_reduction=False), j_sce_grad_any,
                                        scale=s_sce_grad_any),
    "multiclass_hinge": Entry(composite(g_hinge_sq), j_hinge, scale=s_hinge, has_reduction=True),
    "multiclass_hinge_grad": Entry(composite(g_hinge_sq, with_reduction=False), j_hinge_grad, rtol=1e-15,
                                   scale=s_hinge_grad),
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
    "huffman_code_lengths": Entry(composite(g_huffman)),
    "shannon_code_lengths": Entry(composite(g_shannon)),
    "canonical_code": Entry(composite(g_canonical)),
    "is_uniquely_decodable": Entry(composite(g_codewords)),
    "gaussian_kl_mvn": Entry(composite(g_gaussian_kl_mvn), j_gaussian_kl_mvn, scale=s_gaussian_kl_mvn),
    # logloss
    "round_confident": Entry(composite(g_round_confident)),
    "clip_sweep": Entry(composite(g_clip_sweep)),
    # chapter 5 demos (tested against PyTorch in test_ce_practice.py)
    "double_softmax_loss": Entry(composite(g_sce), has_reduction=True),
    "double_softmax_grad": Entry(composite(g_sce, with_reduction=False)),
    "log_loss_in_dtype": Entry(composite(g_log_loss_in_dtype)),
    "round_to_bfloat16": Entry(composite(g_round_to_bfloat16)),
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
    # classification (issue 11): focal losses (gamma=0 is cross-entropy), Brier score
    "binary_focal_loss": Entry(composite(g_bfl), j_bfl, scale=s_bfl, has_reduction=True),
    "binary_focal_loss_grad": Entry(composite(g_bfl, with_reduction=False), j_bfl_grad, scale=s_bfl_grad),
    "softmax_focal_loss": Entry(composite(g_sfl), j_sfl, scale=s_sfl, has_reduction=True),
    "softmax_focal_loss_grad": Entry(composite(g_sfl, with_reduction=False), lambda a, k: _sfl_grad_mp(a, k)[0],
                                     scale=lambda a, k: _sfl_grad_mp(a, k)[1]),
    "brier_score": Entry(composite(g_brier), j_brier, has_reduction=True),
    # regression (issue 11): Poisson NLL (full=True adds log y!), pinball loss (quantile 0 and 1)
    "poisson_nll": Entry(composite(g_poisson), j_poisson, scale=s_poisson, has_reduction=True),
    "poisson_nll_grad": Entry(composite(g_poisson, with_reduction=False), j_poisson_grad, scale=s_poisson_grad),
    "pinball_loss": Entry(composite(g_pinball), j_pinball, has_reduction=True),
    "pinball_loss_grad": Entry(composite(g_pinball, with_reduction=False), j_pinball_grad),
    # information measures (issue 11)
    "js_divergence": Entry(composite(g_pq_rows_any), in_base(j_js)),
    "total_variation": Entry(composite(g_tv), j_tv),
    "mutual_information": Entry(composite(g_joint), in_base(j_mi), scale=in_base(s_mi)),
    "gaussian_entropy": Entry(composite(g_sigma), j_gaussian_entropy, scale=s_gaussian_entropy),
    "gaussian_kl_diag": Entry(composite(g_gaussian_kl_diag), j_gaussian_kl_diag),
    # calibration (issue 11): fittable held-out data at every scale (no closed form to judge by)
    "fit_temperature": Entry(composite(g_fit_temperature)),
    "fit_platt": Entry(composite(g_fit_platt)),
    # scoring rules and calibration summaries (issue 15)
    "spherical_score": Entry(composite(g_spherical), j_spherical, rtol=1e-13, has_reduction=True),
    "reliability_curve": Entry(composite(g_binary_forecasts_bins), nan_ok=True),  # NaN marks an empty bin
    "brier_decomposition": Entry(composite(g_binary_forecasts)),
    "expected_binary_score": Entry(composite(g_expected_score)),
    "make_calibration_problem": Entry(composite(g_calib_problem)),
    # priors and regularisation (issue 15)
    "l2_penalty": Entry(composite(g_penalty), j_l2_penalty),
    "l2_penalty_grad": Entry(composite(g_penalty), j_l2_penalty_grad),
    "l1_penalty": Entry(composite(g_penalty), j_l1_penalty),
    "soft_threshold": Entry(composite(g_penalty), j_soft_threshold,
                            scale=lambda args, kw: [abs(M(v)) for v in np.ravel(np.asarray(args[0], dtype=float))]),
    "fit_ridge": Entry(composite(g_fit_penalised)),
    "fit_lasso": Entry(composite(g_fit_penalised)),
    "beta_bernoulli_map": Entry(composite(g_beta_bernoulli, mode=True), j_beta_map),
    "beta_bernoulli_mean": Entry(composite(g_beta_bernoulli), j_beta_mean),
    # demos of the chapter "Learning as optimisation" (issue 13)
    "margin_loss": Entry(composite(g_margin_loss), j_margin_loss),
    "conditional_risk_minimiser": Entry(composite(g_conditional_risk)),
}

#: Public names that are not fuzzed, and why. Everything else public must be in FUZZ.
EXCLUDED = {
    # book machinery (verification, glue, figure style): no numeric input of their own
    "verify": "book machinery", "compare": "book machinery", "glue": "book machinery",
    "claim": "book machinery", "style": "book machinery", "style_params": "book machinery",
    "use_style": "book machinery", "citation": "book machinery",
    # citation helpers (read CITATION.cff, format references): text in, text out, no numeric input
    "load_citation": "book machinery", "author_names": "book machinery", "publisher_name": "book machinery",
    "book_url": "book machinery", "to_apa": "book machinery", "to_bibtex": "book machinery",
    # claim verification and glue formatting: they compare or render numbers the chapters computed
    "verify_bound": "book machinery", "verify_estimate": "book machinery", "to_plain": "book machinery",
    # numbers typeset for the prose, errors and warnings shown in one line (tests/test_glue.py)
    "format_number": "book machinery", "typeset_number": "book machinery",
    "expect_error": "book machinery", "show_warnings": "book machinery",
    # take user callables (the callable's own errors are the user's): tested in their own modules
    "numerical_gradient": "takes a callable", "decision_grid": "takes a callable",
    "loss_surface": "takes a callable", "gradient_descent": "takes a callable",
    "stochastic_gradient_descent": "takes a callable", "mle_error_by_size": "takes callables",
    # chapter demos and trainers: seeded simulations with option parameters only
    # (validated in test_logloss/test_optimisation); fuzzing them would only re-run training loops
    "train": "trainer", "fit_two_layer_gd": "trainer", "layer_gradient_norms": "simulation",
    "simulate_prediction_set": "simulation", "mix_pseudo_labels": "demo data mixing",
    "ece_bias_simulation": "simulation", "train_softmax_variant": "trainer",
    # chapter demos of the priors chapter (tested in test_regularisation.py)
    "make_separable_data": "demo data", "logistic_descent": "trainer", "adam_step": "trainer",
    "ridge_bias_variance": "simulation", "ridge_validation_curve": "simulation",
    # chapter demos of the maximum-likelihood chapter (tested against mpmath/SciPy in test_mle_demos.py)
    "simulate_estimates": "takes callables", "fisher_information": "closed forms, family by name",
    "log_partition": "family by name", "mean_function": "family by name",
    "canonical_nll": "family by name", "probit_nll": "demo of a non-canonical link",
    # chapter demos of "Learning as optimisation" (tested in test_learning_demos.py)
    "population_risk_logistic": "demo quadrature of the chapter's model",
    "erm_gap_simulation": "simulation", "minibatch_gradients": "simulation",
    # chapter demos of "Choosing and debugging a loss" (tested against SciPy and scikit-learn,
    # with their errors by text, in test_choosing_demos.py)
    "make_imbalanced_binary": "demo data", "make_count_data": "demo data",
    "make_heteroscedastic": "demo data", "fit_weighted_logistic": "trainer",
    "fit_log_linear": "trainer", "fit_linear_quantile": "trainer (exhaustive over pairs)",
    "binary_focal_minimiser": "demo root-finder (bisection)", "bayes_action": "demo decision rule",
    "threshold_cost_curve": "demo cost curve",
    "binary_focal_inverse": "demo closed form (tested in test_choosing_demos.py)",
    "make_misspecified_binary": "demo data",
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
KNOWN_OPEN: dict[tuple[str, str], str] = {}


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


def _exact_as(a, dtype):
    """``a`` converted to ``dtype`` if that holds exactly the same values (else None)."""
    with np.errstate(all="ignore"):
        b = a.astype(dtype)
        back = b.astype(a.dtype)
    if a.dtype.kind == "f" and np.signbit(a).any() and dtype != bool and not np.array_equal(np.signbit(back), np.signbit(a)):
        return None
    return b if np.array_equal(back, a) else None


def _dtype_forms(a):
    """Same values in other dtypes: (label, array, may_refuse). A refusal must be a TypeError naming the argument."""
    out = []
    if a.dtype.kind == "f":
        for dt in (np.float32, np.float16):
            b = _exact_as(a, dt)
            if b is not None and np.isfinite(b).all():
                out.append((np.dtype(dt).name, b, False))
        if np.isfinite(a).all() and (np.abs(a) < 2 ** 53).all():
            b = _exact_as(a, np.int64)
            if b is not None:
                out.append(("int64", b, True))
        b = _exact_as(a, bool)
        if b is not None:
            out.append(("bool", b, True))
    elif a.dtype.kind in "iu":
        out.append(("float64", a.astype(np.float64), False))
        out.append(("int32", a.astype(np.int32), False))
    if a.size:
        out.append(("object of numbers", a.astype(object), True))
    return out


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
    if ("forms", name) in KNOWN_OPEN:
        pytest.xfail(KNOWN_OPEN[("forms", name)])
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
        # the same values in another dtype (float32/16 where exact, int, bool, object)
        pname = _param_names(fn)[i]
        for form, alt, may_refuse in _dtype_forms(args[i]):
            new = list(args)
            new[i] = alt
            try:
                got = _flat(call(fn, tuple(new), kw))
            except TypeError as exc:
                assert may_refuse, f"{name}: {form} {pname} refused: {exc}"
                assert str(exc).startswith(pname) or pname in str(exc), f"{name}: {form}: {exc}"
                continue
            np.testing.assert_array_equal(got, ref, err_msg=f"{name}: {pname} as {form}")
        # Python scalars as numpy scalars and 0-d arrays (a parameter may refuse an array by name)
        for j, v in enumerate(args):
            if isinstance(v, float):
                for form, alt in (("np.float64", np.float64(v)), ("0-d array", np.array(v))):
                    new = list(args)
                    new[j] = alt
                    try:
                        got = _flat(call(fn, tuple(new), kw))
                    except TypeError as exc:
                        assert form == "0-d array" and _param_names(fn)[j] in str(exc), f"{name}: {form}: {exc}"
                        continue
                    np.testing.assert_array_equal(got, ref, err_msg=f"{name}: {form}")

    check()


#: Functions for which a column (N, 1) is a different valid input from (N,) (rows along the last axis).
ROWS_ON_LAST_AXIS = {"softmax", "log_softmax", "logsumexp"}


@pytest.mark.parametrize("name", FUZZED)
def test_a_column_is_not_silently_broadcast_against_a_flat_array(name):
    """(N, 1) in place of (N,) gives the same result or an error naming an argument, never an (N, N) broadcast."""
    fn, entry = PUBLIC[name], FUZZ[name]
    params = _param_names(fn)

    @FUZZ_SETTINGS
    @given(entry.gen, st.data())
    def check(case, data):
        args, kw = case
        idx = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.ndim == 1 and a.size >= 2]
        if not idx or name in ROWS_ON_LAST_AXIS:
            return
        ref = _flat(call(fn, args, kw))
        i = data.draw(st.sampled_from(idx))
        for form, alt in (("(N, 1)", args[i][:, None]), ("(1, N)", args[i][None, :])):
            new = list(args)
            new[i] = alt
            try:
                got = _flat(call(fn, tuple(new), kw))
            except (ValueError, TypeError) as exc:
                assert any(p in str(exc) for p in params), f"{name} ({form} {params[i]}): {exc}"
                continue
            np.testing.assert_array_equal(got, ref, err_msg=f"{name}: {params[i]} as {form}")

    check()


class _Obj:
    pass


def _corruptions(a, data):
    """Hostile replacements for one array argument."""
    out = [("None", None), ("string", "abc"), ("object", np.array([_Obj()] * max(a.size, 1), dtype=object)),
           ("masked", np.ma.array(a, mask=np.zeros(a.shape, bool))), ("empty", np.zeros((0,) + a.shape[1:])),
           ("masked", np.ma.array(a, mask=np.arange(a.size).reshape(a.shape) == a.size - 1)),
           ("3-D", np.zeros((2, 2, 2))), ("complex", a.astype(complex) + 1j)]
    if a.ndim >= 1 and a.shape[0] > 1:
        out.append(("short", a[:-1]))
    if a.ndim == 2 and a.shape[0] >= 2:
        out.append(("ragged", [list(r) for r in a[:-1]] + [list(a[-1][:-1])] if a.shape[1] > 1 else [[]]))
    if a.ndim == 1 and a.size >= 2:  # ragged labels / values: [[a0], [a1, a1]]
        out.append(("ragged", [[a[0]]] + [[v, v] for v in a[1:].tolist()]))
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
        denom = entry.mean_denominator(args, kw) if entry.mean_denominator is not None else None
        denom = per.shape[0] if denom is None else denom
        if denom == 0:  # every target ignored or of weight 0: the mean is undefined (documented)
            with pytest.raises(ValueError, match="reduction='mean'"):
                call(fn, args, {**kw, "reduction": "mean"})
            checks = (("sum", exact),)
        else:
            checks = (("sum", exact), ("mean", exact / denom))
        for red, want in checks:
            got = float(call(fn, args, {**kw, "reduction": red}))
            if abs(want) > MAXF:
                assert math.isinf(got)
                continue
            w = float(want)
            assert _ulps(got, w) <= 2, f"{name} {red}: {got!r} vs exact {w!r} (args={args!r})"

    check()



def test_every_function_with_a_reduction_is_checked_for_it():
    have = sorted(n for n, f in PUBLIC.items() if "reduction" in inspect.signature(f).parameters)
    assert have == sorted(REDUCED), f"mark has_reduction=True in FUZZ: {sorted(set(have) - set(REDUCED))}"


@pytest.mark.parametrize("name", REDUCED)
def test_sum_and_mean_of_many_samples_are_within_two_ulps(name):
    """Tens of thousands of samples (several blocks): sum within 2 ulps of math.fsum of "none"."""
    fn, entry = PUBLIC[name], FUZZ[name]
    args, kw = _first_example(entry)
    kw = {k: v for k, v in kw.items() if k != "reduction"}
    arrs = [a for a in args if isinstance(a, np.ndarray) and a.ndim >= 1]
    n0 = arrs[0].shape[0]
    rng = np.random.default_rng(len(name))
    reps = -(-30_000 // n0)
    many = [np.concatenate([a] * reps) if isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == n0 else a
            for a in args]
    for i, a in enumerate(many):  # distinct terms: jitter each real array where the input stays valid
        if isinstance(a, np.ndarray) and a.shape[0] == n0 * reps and a.dtype.kind == "f":
            trial = list(many)
            trial[i] = a * (1 + 1e-3 * rng.standard_normal(a.shape))
            try:
                call(fn, tuple(trial), {**kw, "reduction": "none"})
                many = trial
            except (ValueError, TypeError):
                pass
    per = np.asarray(call(fn, tuple(many), {**kw, "reduction": "none"}))
    if not np.isfinite(per).all():
        pytest.skip("an infinite term")
    exact = math.fsum(per.tolist())
    assert _ulps(float(call(fn, tuple(many), {**kw, "reduction": "sum"})), exact) <= 2, name
    denom = entry.mean_denominator(tuple(many), kw) if entry.mean_denominator else None
    if denom is None:
        assert _ulps(float(call(fn, tuple(many), {**kw, "reduction": "mean"})), exact / per.shape[0]) <= 2, name


# ---------------------------------------------------------------------------
# scalar parameters at and beyond their limits
# ---------------------------------------------------------------------------


def _scalar_slots(fn, args, kw):
    """(key, name) of every real scalar argument: drawn ones and numeric or None defaults."""
    params = _param_names(fn)
    slots = [(i, params[i]) for i, a in enumerate(args)
             if isinstance(a, (int, float)) and not isinstance(a, bool)]
    for k, v in kw.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            slots.append((k, k))
    sig = inspect.signature(fn).parameters
    for k, p in sig.items():
        if k in kw or p.kind is not p.KEYWORD_ONLY:
            continue
        d = p.default
        if d is None or (isinstance(d, (int, float)) and not isinstance(d, bool)):
            slots.append((k, k))
    return slots


BAD_SCALARS = [("True", True, "refuse"), ("np.True_", np.True_, "refuse"),
               ("masked", np.ma.array(1.0, mask=True), "refuse"), ("NaN", math.nan, "refuse"),
               ("string", "1", "refuse"), ("complex", 1 + 1j, "refuse"),
               ("inf", math.inf, "either"), ("-inf", -math.inf, "either"),
               ("-1", -1.0, "either"), ("1e300", 1e300, "either"), ("5e-324", 5e-324, "either"),
               ("0", 0, "either")]


@pytest.mark.parametrize("name", FUZZED)
def test_bad_scalar_parameters_give_a_clear_error_naming_them(name):
    """bool, masked, NaN, str, complex: a TypeError/ValueError naming the parameter; limits: that or a NaN-free result."""
    fn, entry = PUBLIC[name], FUZZ[name]

    @FUZZ_SETTINGS
    @given(entry.gen, st.data())
    def check(case, data):
        args, kw = case
        slots = _scalar_slots(fn, args, kw)
        if not slots:
            return
        key, pname = data.draw(st.sampled_from(slots))
        for label, bad, rule in BAD_SCALARS:
            new, nkw = list(args), dict(kw)
            if isinstance(key, int):
                new[key] = bad
            else:
                nkw[key] = bad
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # an inf may be the true value
                    out = fn(*new, **nkw)
            except (ValueError, TypeError) as exc:
                msg = str(exc)
                # a refused value names the parameter; a legal extreme may make another argument
                # invalid (a label equal to ignore_index, ...): that one is named
                named = [pname] if rule == "refuse" else _param_names(fn) + [pname]
                assert any(p in msg for p in named), f"{name}: {pname}={label}: the message names none of {named}: {msg!r}"
                assert "\n" not in msg and len(msg) < 600, f"{name}: {pname}={label}: {msg!r}"
                continue
            except Exception as exc:  # noqa: BLE001
                raise AssertionError(f"{name}: {pname}={label}: {type(exc).__name__}: {exc}")
            assert rule == "either", f"{name} accepted {pname}={label}"
            assert entry.nan_ok or not np.isnan(_flat(out)).any(), f"{name}: {pname}={label} gave NaN silently"

    check()


# ---------------------------------------------------------------------------
# long inputs: short messages (issue 18, item 15)
# ---------------------------------------------------------------------------

LONG_N = 20_000


def _first_example(entry):
    found = []

    @settings(max_examples=1, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(entry.gen)
    def grab(case):
        found.append(case)

    grab()
    return found[0]


@pytest.mark.parametrize("name", FUZZED)
def test_a_long_bad_array_gives_a_short_message_with_the_first_bad_entry_and_how_many_more(name):
    fn, entry = PUBLIC[name], FUZZ[name]
    params = _param_names(fn)
    args, kw = _first_example(entry)
    arrs = [(i, a) for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.ndim >= 1]
    if not arrs:
        pytest.skip(f"{name} takes no array")
    n0 = max(set(a.shape[0] for _, a in arrs), key=[a.shape[0] for _, a in arrs].count)
    reps = -(-LONG_N // n0)
    long = [np.concatenate([a] * reps) if isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == n0 else a
            for a in args]
    for i, a in arrs:
        if a.shape[0] != n0:
            continue
        for bad in (math.nan, 2.0, -1.0, 0.5, 99.0):
            b = np.full(long[i].shape, bad)
            new = list(long)
            new[i] = b
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    fn(*new, **kw)
            except (ValueError, TypeError) as exc:
                msg = str(exc)
                assert len(msg) < 300, f"{name} ({params[i]} all {bad}): a message of {len(msg)} characters"
                assert any(p in msg for p in params), f"{name}: {msg!r}"
                if "at index [" in msg or (b.ndim == 2 and re.search(r"\brow \d", msg)):
                    assert "more" in msg, f"{name} ({params[i]} all {bad}): no count of the other bad entries: {msg!r}"


# ---------------------------------------------------------------------------
# gradients against finite differences (including near saturation)
# ---------------------------------------------------------------------------

#: gradient -> (loss, index of the argument differentiated)
GRAD_OF = {
    "binary_cross_entropy_grad": ("binary_cross_entropy", 1),
    "binary_cross_entropy_with_logits_grad": ("binary_cross_entropy_with_logits", 1),
    "categorical_cross_entropy_grad": ("categorical_cross_entropy", 1),
    "softmax_cross_entropy_grad": ("softmax_cross_entropy", 1),
    "multiclass_hinge_grad": ("multiclass_hinge", 1),
    "crammer_singer_hinge_grad": ("crammer_singer_hinge", 1),
    "mse_grad": ("mse", 1),
    "mae_grad": ("mae", 1),
    "huber_grad": ("huber", 1),
    "gaussian_nll_grad": ("gaussian_nll", 1),
    "gaussian_nll_grad_sigma": ("gaussian_nll", 2),
    "binary_focal_loss_grad": ("binary_focal_loss", 1),
    "softmax_focal_loss_grad": ("softmax_focal_loss", 1),
    "poisson_nll_grad": ("poisson_nll", 1),
    "pinball_loss_grad": ("pinball_loss", 1),
    "logistic_model_grad": ("logistic_model_loss", 0),
    "heteroscedastic_gaussian_nll_grad": ("heteroscedastic_gaussian_nll", 0),
    "l2_penalty_grad": ("l2_penalty", 0),
    "double_softmax_grad": ("double_softmax_loss", 1),
}


def test_every_gradient_has_a_finite_difference_check():
    grads = sorted(n for n in PUBLIC if n.endswith("_grad") or n.endswith("_grad_sigma"))
    assert sorted(GRAD_OF) == grads, f"add the new gradient to GRAD_OF: {sorted(set(grads) - set(GRAD_OF))}"


@pytest.mark.parametrize("name", sorted(GRAD_OF))
def test_gradients_agree_with_finite_differences_even_near_saturation(name):
    grad = PUBLIC[name]
    loss_name, i = GRAD_OF[name]
    loss = PUBLIC[loss_name]
    entry = FUZZ[name]

    @FUZZ_SETTINGS
    @given(entry.gen, st.data())
    def check(case, data):
        args, kw = case
        x = np.asarray(args[i], dtype=float)
        g = np.asarray(call(grad, args, kw), dtype=float)
        if x.ndim == 0:  # a scalar parameter: the gradient is the total over the samples
            row = ()
        else:
            row = tuple(int(data.draw(st.integers(0, s - 1))) for s in x.shape)
        gi = float(g[row]) if g.ndim else float(g)
        v = float(x[row]) if x.ndim else float(x)
        if not math.isfinite(gi):
            return
        per_row = "reduction" in inspect.signature(loss).parameters and x.ndim >= 1
        # the mean's denominator: N (or the total weight) over the loss's per-sample mean over K
        n = 1.0
        if per_row:
            denom = FUZZ[loss_name].mean_denominator(args, kw) if FUZZ[loss_name].mean_denominator else None
            n = x.shape[0] if denom is None else float(denom)
            if not n >= 1e-290:  # a subnormal total weight: the weighted "none" values are too coarse
                return

        def value_at(step):
            xs = x.copy()
            if xs.ndim:
                xs[row] = v + step
            else:
                xs = v + step
            new = list(args)
            new[i] = xs
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if per_row:
                    return float(np.asarray(loss(*new, **kw, reduction="none"), dtype=float)[row[0]])
                return float(loss(*new, **kw))

        try:
            base = value_at(0.0)
        except ValueError:
            return
        if not math.isfinite(base) or abs(base) > 1e300:
            return
        steps = [f * max(abs(v), 1e-3) for f in (1e-6, 1e-9, 1e-12)]
        if gi != 0.0:  # a first-order change of 1e-7 of the value: the function's own scale
            steps.append(1e-7 * max(abs(base), 1e-300) / (abs(gi) * (n if per_row else 1.0)))
        failures = []
        for h in steps:  # the first step small enough for the curvature here must bracket gi
            if not (h > 0.0 and math.isfinite(h) and v + h != v and v - h != v):
                continue
            try:
                vals = {-h: value_at(-h), 0.0: base, h: value_at(h)}
            except ValueError:  # the step left the domain (a probability beyond 0 or 1, a row sum)
                continue
            if not all(math.isfinite(t) for t in vals.values()):
                continue
            scale = 1.0 / n if per_row else 1.0
            left = (vals[0.0] - vals[-h]) / h * scale
            right = (vals[h] - vals[0.0]) / h * scale
            central = (vals[h] - vals[-h]) / (2 * h) * scale
            noise = 8 * np.finfo(float).eps * max(abs(t) for t in vals.values()) / h * scale
            tol = 1e-4 * max(abs(left), abs(right), abs(gi)) + noise + 1e-300
            lo, hi = min(left, right, central), max(left, right, central)
            if lo - tol <= gi <= hi + tol:
                return
            failures.append(f"h={h:.3g}: left {left!r}, right {right!r}, central {central!r}")
        assert not failures, (f"{name}: gradient {gi!r} at {row} (value {v!r}) but finite differences give "
                              f"{'; '.join(failures)} (args={args!r}, kw={kw!r})")

    check()
