r"""More information measures: Jensen-Shannon divergence, total variation,
mutual information, the Gaussian entropy, and the Gaussian KL (diagonal and full
covariance).

Discrete distributions run along the last axis (leading axes are batch axes),
with the same validation as :mod:`lossbook._information`: entries in [0, 1],
rows summing to 1 within ``ROW_SUM_ATOL``; nothing is renormalised. Results
are in nats unless ``base`` is given. ``0 log 0 = 0``.
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v

__all__ = [
    "js_divergence",
    "total_variation",
    "mutual_information",
    "gaussian_entropy",
    "gaussian_kl_diag",
    "gaussian_kl_mvn",
]

_HALF_LOG_2PI_E = 0.5 * float(np.log(2.0 * np.pi * np.e))


def _out(x):
    return x[()] if np.ndim(x) == 0 else x


def _pair(p, q):
    pa = _v.check_probabilities(p, "p")
    qa = _v.check_probabilities(q, "q")
    _v.check_same_shape(pa, qa, "p", "q")
    return pa, qa


def _x_minus_log1p(x):
    """``x - log1p(x)`` for ``x > -1``, accurate also for small ``|x|`` (series)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) < 0.1
    xs = x[small]
    # x - log1p(x) = sum_{k>=2} (-1)^k x^k / k ; 18 terms reach 1e-18 relative at |x| = 0.1
    acc = np.zeros_like(xs)
    for k in range(19, 1, -1):
        acc = acc * xs + (1.0 if k % 2 == 0 else -1.0) / k
    out[small] = acc * xs * xs
    xl = x[~small]
    with np.errstate(invalid="ignore"):
        out[~small] = np.where(np.isinf(xl), xl, xl - np.log1p(xl))  # x = inf: inf - inf
    return out


def _scale_term(x, a, b):
    """``x - log(1 + x)`` with ``1 + x = (a / b)^2``: the series for small ``|x|``, else
    ``x - 2 log(a / b)`` (``log a - log b`` where ``a / b`` underflows or overflows), so that
    ``1 + x`` rounding to 0 (``a << b``) does not give ``log(0)``."""
    x = np.asarray(x, dtype=np.float64)
    out = _x_minus_log1p(np.where(np.abs(x) < 0.1, x, 0.0))
    far = np.abs(x) >= 0.1
    if far.any():
        af, bf, xf = a[far], b[far], x[far]
        with np.errstate(over="ignore", under="ignore"):
            r = af / bf
        normal = (r > 1e-300) & np.isfinite(r)
        lr = np.where(normal, np.log(np.where(normal, r, 1.0)), np.log(af) - np.log(bf))
        out[far] = np.where(np.isinf(xf), xf, xf - 2.0 * lr)
    return out


def _js_term(d):
    """``g(d) = (1 + d) log1p(d) + (1 - d) log1p(-d)`` for ``|d| <= 1`` (>= 0)."""
    with np.errstate(divide="ignore"):  # intended: log1p(-1) = -inf where a side is 0 (0 log 0 = 0)
        la = np.log1p(d)
        lb = np.log1p(-d)
    out = np.multiply(1.0 + d, la, out=np.zeros_like(d), where=d > -1.0)
    out += np.multiply(1.0 - d, lb, out=np.zeros_like(d), where=d < 1.0)
    small = np.flatnonzero(np.abs(d) < 0.1)
    if small.size:
        # g(d) = sum_{k>=1} d^(2k) / (k (2k - 1)); 12 terms reach 1e-25 at |d| = 0.1
        ds2 = d.reshape(-1)[small] ** 2
        acc = np.zeros_like(ds2)
        for k in range(12, 0, -1):
            acc = acc * ds2 + 1.0 / (k * (2 * k - 1))
        out.reshape(-1)[small] = acc * ds2
    return out


def js_divergence(p, q, *, base=None):
    r"""Jensen-Shannon divergence of probability vectors along the last axis.

    .. math::

       \mathrm{JS}(p, q) = \tfrac12 D_{\mathrm{KL}}(p \,\|\, m) + \tfrac12 D_{\mathrm{KL}}(q \,\|\, m),
       \qquad m = \tfrac12 (p + q)

    Parameters
    ----------
    p, q : array_like, shape (..., K)
        Probability vectors (entries in [0, 1], rows summing to 1), same shape.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits (then
        :math:`0 \le \mathrm{JS} \le 1`).

    Returns
    -------
    ndarray of shape (...,) or float

    Shape
    -----
    ``p`` and ``q`` ``(..., K)``; one value per row; a float for 1-D input.

    Notes
    -----
    The divergence, not SciPy's ``scipy.spatial.distance.jensenshannon``,
    which returns its square root (a metric); ``jensenshannon(p, q) ** 2``
    equals this function. Symmetric, bounded by :math:`\log 2`, finite even
    where the supports differ. Evaluated term by term as
    :math:`\tfrac14 (p_k + q_k)\,[(1 + d)\log(1 + d) + (1 - d)\log(1 - d)]`
    with :math:`d = (p_k - q_k)/(p_k + q_k)` (a series for small ``|d|``):
    each term is non-negative, so nearly equal rows keep full relative
    accuracy instead of cancelling.

    References
    ----------
    - J. Lin, "Divergence measures based on the Shannon entropy", IEEE
      Trans. Inf. Theory 37 (1991).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.js_divergence([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
    >>> float(lb.js_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    log_base = _v.check_base(base)
    pa, qa = _pair(p, q)
    s = pa + qa
    d = np.divide(pa - qa, s, out=np.zeros_like(s), where=s > 0)
    js = (0.25 * s * _js_term(d)).sum(axis=-1)
    if log_base is not None:
        js = js / log_base
    return _out(js)


def total_variation(p, q):
    r"""Total variation distance of probability vectors along the last axis.

    .. math::

       \mathrm{TV}(p, q) = \tfrac12 \sum_k \lvert p_k - q_k \rvert
       = \max_{A} \lvert p(A) - q(A) \rvert

    Parameters
    ----------
    p, q : array_like, shape (..., K)
        Probability vectors, same shape.

    Returns
    -------
    ndarray of shape (...,) or float
        Values in [0, 1]; a float for 1-D input.

    Shape
    -----
    ``p`` and ``q`` ``(..., K)``; one value per row.

    Notes
    -----
    A metric; bounds the KL divergence through Pinsker's inequality
    :math:`\mathrm{TV} \le \sqrt{D_{\mathrm{KL}}/2}` (nats). Unitless (a probability).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.total_variation([0.5, 0.5], [0.9, 0.1]))
    0.4
    """
    pa, qa = _pair(p, q)
    return _out(0.5 * np.abs(pa - qa).sum(axis=-1))


def mutual_information(joint, *, base=None):
    r"""Mutual information of two discrete variables from their joint probability table.

    .. math::

       I(X; Y) = \sum_{i, j} p_{ij} \log \frac{p_{ij}}{p_{i\cdot}\, p_{\cdot j}},
       \qquad p_{i\cdot} = \sum_j p_{ij},\ p_{\cdot j} = \sum_i p_{ij}

    Parameters
    ----------
    joint : array_like, shape (A, B)
        Joint probabilities :math:`p_{ij} = P(X = i, Y = j)`: entries in
        [0, 1] whose total is 1 within ``1e-6``.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    float

    Shape
    -----
    ``joint`` is 2-D: rows are the values of X, columns those of Y.

    Notes
    -----
    ``0 log 0 = 0``. Equals ``sklearn.metrics.mutual_info_score`` given the
    table of counts as ``contingency`` (scikit-learn normalises the counts;
    here a table of counts raises ``ValueError``: divide by the total first).
    :math:`I = D_{\mathrm{KL}}(p_{XY} \,\|\, p_X p_Y) \ge 0`, with equality
    exactly when X and Y are independent.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2))
    1.0
    >>> float(lb.mutual_information([[0.25, 0.25], [0.25, 0.25]]))
    0.0
    """
    log_base = _v.check_base(base)
    pj = _v.as_float_array(joint, "joint", ndim=2)
    _v.check_range(pj, "joint", 0.0, 1.0, "probabilities")
    total = float(pj.sum())
    if not abs(total - 1.0) <= _v.ROW_SUM_ATOL:
        raise ValueError(
            f"joint must sum to 1 over all cells (it sums to {total:.10g}; tolerance "
            f"{_v.ROW_SUM_ATOL:g}); divide a table of counts by its total"
        )
    px = pj.sum(axis=1)
    py = pj.sum(axis=0)
    pos = pj > 0
    # p_ij / (p_i. p_.j) as (p_ij / p_i.) / p_.j: the product of the marginals underflows
    # (and the ratio overflows) for cells below about 1e-154
    with np.errstate(over="ignore"):
        ratio = np.divide(np.divide(pj, px[:, None], out=np.ones_like(pj), where=pos), py[None, :],
                          out=np.ones_like(pj), where=pos)
    logr = np.log(ratio)
    big = np.isinf(logr)
    if big.any():
        rows, cols = np.nonzero(big)
        logr[big] = np.log(pj[big] / px[rows]) - np.log(py[cols])
    mi = float(_v.accurate_sum((pj * logr).ravel()))
    mi = max(mi, 0.0)  # -0.0 and rounding below zero -> 0.0 (I >= 0)
    if log_base is not None:
        mi /= log_base
    return np.float64(mi)


def gaussian_entropy(sigma):
    r"""Differential entropy of a normal distribution with standard deviation ``sigma``.

    .. math::

       h(\mathcal N(\mu, \sigma^2)) = \tfrac12 \log(2\pi e\,\sigma^2)
       = \tfrac12 \log(2\pi e) + \log \sigma

    Parameters
    ----------
    sigma : float or array_like
        Standard deviations, finite and > 0.

    Returns
    -------
    float or ndarray, same shape as ``sigma``
        Entropy in nats (independent of the mean).

    Shape
    -----
    Elementwise: any shape; a scalar gives a float.

    Notes
    -----
    A differential entropy: negative when ``sigma < 1/sqrt(2 pi e)``
    (about 0.242). Equals ``scipy.stats.norm(scale=sigma).entropy()``. Nats.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.gaussian_entropy(1.0)), 6)
    1.418939
    """
    s = _v.as_float_array(sigma, "sigma", allow_bool=False)
    _check_sigma(s, "sigma")
    return _out(_HALF_LOG_2PI_E + np.log(s))


def _check_sigma(s, name):
    if not (s.min() > 0 and np.isfinite(s.max())):
        bad = ~(np.isfinite(s) & (s > 0))
        idx = _v._first_bad(bad) if s.ndim else ()
        raise ValueError(f"{name} must be positive and finite, got {float(s[idx])!r}{_v._where(bad, idx)}")


def gaussian_kl_diag(mu1, s1, mu2, s2):
    r"""KL divergence between Gaussians with diagonal covariance, summed over the last axis.

    .. math::

       \begin{aligned}
       &D_{\mathrm{KL}}\bigl(\mathcal N(\mu_1, \operatorname{diag} s_1^2) \,\|\,
       \mathcal N(\mu_2, \operatorname{diag} s_2^2)\bigr) \\
       &\qquad = \sum_{d} \Bigl[\log\frac{s_{2d}}{s_{1d}}
       + \frac{s_{1d}^2 + (\mu_{1d} - \mu_{2d})^2}{2 s_{2d}^2} - \frac12\Bigr]
       \end{aligned}

    Parameters
    ----------
    mu1, mu2 : array_like, shape (..., D)
        Means, finite, same shape.
    s1, s2 : float or array_like, shape (..., D)
        Standard deviations (not variances), finite and > 0; each a scalar or
        the same shape as the means.

    Returns
    -------
    ndarray of shape (...,) or float
        One KL per leading index (a float for 1-D means), in nats.

    Shape
    -----
    Means ``(..., D)``: ``D`` dimensions on the last axis, batch axes before
    (a VAE's ``(N, D)`` posterior against a prior gives ``(N,)``).

    Notes
    -----
    Each dimension is evaluated as
    :math:`\tfrac12\bigl[x - \log(1 + x)\bigr] + \tfrac12 (\mu_1 - \mu_2)^2/s_2^2`
    with :math:`x = (s_1 - s_2)(s_1 + s_2)/s_2^2` (a series for small ``|x|``):
    both parts are non-negative, so nearly equal Gaussians keep full relative
    accuracy where the textbook form cancels. For ``D = 1`` it is
    :func:`lossbook.gaussian_kl`; PyTorch's
    ``kl_divergence(Normal(mu1, s1), Normal(mu2, s2)).sum(-1)`` is the same
    quantity.

    Examples
    --------
    >>> import lossbook as lb
    >>> zero, one = [0.0, 0.0], [1.0, 1.0]
    >>> float(lb.gaussian_kl_diag(zero, one, zero, one))
    0.0
    >>> round(float(lb.gaussian_kl_diag([1.0, 0.0], 1.0, [0.0, 0.0], 1.0)), 6)
    0.5
    """
    m1 = _v.as_float_array(mu1, "mu1", min_ndim=1)
    m2 = _v.as_float_array(mu2, "mu2", min_ndim=1)
    _v.check_same_shape(m1, m2, "mu1", "mu2")
    _v.check_finite(m1, "mu1")
    _v.check_finite(m2, "mu2")
    sd = []
    for val, name in ((s1, "s1"), (s2, "s2")):
        s = _v.as_float_array(val, name, allow_bool=False)
        if s.ndim and s.shape != m1.shape:
            raise ValueError(
                f"{name} must be a scalar or have the same shape as mu1, got {name} "
                f"{_v._fmt_shape(s.shape)} and mu1 {_v._fmt_shape(m1.shape)}"
            )
        _check_sigma(s, name)
        sd.append(s)
    a, b = sd
    with np.errstate(over="ignore"):  # inf only where the KL itself overflows
        # ((a - b) / b) ((a + b) / b), not (a - b)(a + b) / b^2: b * b underflows
        # for b < 1e-154 and (a - b)(a + b) overflows for a > 1e154
        x = ((a - b) / b) * (a / b + 1.0)
        dm = (m1 - m2) / b
        if not np.isfinite(dm).all():  # m1 - m2 overflowed: halves
            dm = np.where(np.isfinite(dm), dm, (0.5 * m1 - 0.5 * m2) / b * 2.0)
        terms = 0.5 * _scale_term(np.broadcast_to(x, m1.shape), np.broadcast_to(a, m1.shape),
                                  np.broadcast_to(b, m1.shape)) + 0.5 * dm * dm
    return _out(terms.sum(axis=-1))


def _cholesky(cov, name, d):
    c = _v.as_float_array(cov, name, ndim=2)
    if c.shape != (d, d):
        raise ValueError(
            f"{name} must be a ({d}, {d}) matrix to match the means, got shape {_v._fmt_shape(c.shape)}"
        )
    _v.check_finite(c, name)
    scale = float(np.abs(c).max())
    if not np.allclose(c, c.T, rtol=1e-10, atol=1e-12 * scale):
        raise ValueError(f"{name} must be symmetric (max |{name} - {name}.T| = "
                         f"{float(np.abs(c - c.T).max()):.3g})")
    try:
        return np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite (its Cholesky factorisation failed)") from None


def gaussian_kl_mvn(mu1, cov1, mu2, cov2):
    r"""KL divergence between two multivariate Gaussians with full covariance matrices.

    .. math::

       \begin{aligned}
       &D_{\mathrm{KL}}\bigl(\mathcal N(\mu_1, \Sigma_1) \,\|\, \mathcal N(\mu_2, \Sigma_2)\bigr) \\
       &\quad= \tfrac12\Bigl[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1)
       + (\mu_2 - \mu_1)^\top \Sigma_2^{-1} (\mu_2 - \mu_1) \\
       &\qquad - D + \log\frac{\det \Sigma_2}{\det \Sigma_1}\Bigr]
       \end{aligned}

    Parameters
    ----------
    mu1, mu2 : array_like, shape (D,)
        Means, finite.
    cov1, cov2 : array_like, shape (D, D)
        Covariance matrices, symmetric positive definite.

    Returns
    -------
    float
        The divergence in nats.

    Shape
    -----
    One pair of ``D``-dimensional Gaussians (no batch axis); for diagonal
    covariances with a batch axis use :func:`gaussian_kl_diag`.

    Notes
    -----
    Computed with Cholesky factors :math:`\Sigma_i = L_i L_i^\top`: the trace is
    :math:`\|L_2^{-1} L_1\|_F^2`, the quadratic form :math:`\|L_2^{-1}(\mu_2 - \mu_1)\|^2`
    and the log-determinants :math:`2 \sum \log \operatorname{diag} L_i`; no matrix
    is inverted. The trace, :math:`-D` and log-determinant terms cancel when the
    covariances are nearly equal, so there (all eigenvalues :math:`e_i` of
    :math:`L_2^{-1}(\Sigma_1 - \Sigma_2)L_2^{-\top}` above :math:`-1/2`) the three
    are computed together as :math:`\sum_i \bigl(e_i - \log(1 + e_i)\bigr)`, with a
    series where the two terms cancel, which keeps the relative accuracy for
    nearly equal Gaussians. Negative rounding results are returned as 0. Equals PyTorch's ``kl_divergence`` of two
    ``MultivariateNormal`` distributions. Raises ``ValueError`` for a
    covariance that is not symmetric or not positive definite.

    Examples
    --------
    >>> import numpy as np
    >>> import lossbook as lb
    >>> float(lb.gaussian_kl_mvn([0.0, 0.0], np.eye(2), [0.0, 0.0], np.eye(2)))
    0.0
    >>> kl = lb.gaussian_kl_mvn([1.0, 0.0], np.eye(2), [0.0, 0.0], np.eye(2))
    >>> round(float(kl), 6)
    0.5
    """
    m1 = _v.as_float_array(mu1, "mu1", ndim=1)
    m2 = _v.as_float_array(mu2, "mu2", ndim=1)
    _v.check_same_shape(m1, m2, "mu1", "mu2")
    _v.check_finite(m1, "mu1")
    _v.check_finite(m2, "mu2")
    d = m1.size
    l1 = _cholesky(cov1, "cov1", d)
    l2 = _cholesky(cov2, "cov2", d)
    r = np.linalg.solve(l2, m2 - m1)
    maha = float(_v.accurate_sum(r * r))
    # eigenvalues e of L2^{-1} (S1 - S2) L2^{-T}: the eigenvalues of
    # L2^{-1} S1 L2^{-T} minus 1, from the difference of the covariances, so
    # trace - D - log det = sum(e - log1p(e)) keeps its relative accuracy
    # when the covariances are nearly equal
    diff = np.asarray(cov1, dtype=float) - np.asarray(cov2, dtype=float)
    b = np.linalg.solve(l2, np.linalg.solve(l2, diff).T)
    e = np.linalg.eigvalsh(0.5 * (b + b.T))
    if e.min() > -0.5:
        cov_part = float(_v.accurate_sum(_x_minus_log1p(e)))
    else:                                # far apart: trace and log-determinants
        a = np.linalg.solve(l2, l1)      # L2^{-1} L1
        trace = float(_v.accurate_sum((a * a).ravel()))
        logdet = 2.0 * float(_v.accurate_sum(np.log(np.diag(l2)) - np.log(np.diag(l1))))
        cov_part = trace - d + logdet
    kl = 0.5 * (cov_part + maha)
    return np.float64(max(kl, 0.0))

