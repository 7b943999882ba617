r"""Entropy, cross-entropy and Kullback-Leibler divergence of discrete distributions.

Distributions run along the last axis; leading axes are batch axes. Results are
in nats unless ``base`` is given (``base=2`` gives bits). ``0 log 0 = 0``.
Every row must be a probability vector: entries in ``[0, 1]`` summing to 1
within ``ROW_SUM_ATOL = 1e-6`` (otherwise ``ValueError``; nothing is silently
renormalised).
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v

__all__ = ["entropy", "cross_entropy", "kl_divergence"]


def _pair(p, q):
    pa = _v.check_probabilities(p, "p")
    qa = _v.check_probabilities(q, "q")
    _v.check_same_shape(pa, qa, "p", "q")
    return pa, qa


def _in_base(x, log_base):
    if log_base is None:
        return x
    return x / log_base


def _out(x):
    return x[()] if np.ndim(x) == 0 else x


#: Number of terms of the series of (1+r) log(1+r) - r in u = r/(2+r) for |r| <= 1/2.
_KL_SERIES_PAIRS = 18


def _kl_series(u: np.ndarray) -> np.ndarray:
    """``S(u) = sum_k u^{2k} (1/(2k-1) + u/(2k+1))`` for ``|u| <= 1/3``.

    ``(p + q) S(u)`` with ``u = (p - q)/(p + q)`` equals
    ``q((1 + r) log1p(r) - r)``, ``r = (p - q)/q``: since
    ``log1p(r) = 2 atanh(u)``, ``(1 + r) log1p(r) - r = (2 + r)((1 + u) atanh(u) - u)``.
    """
    w = u * u
    acc = np.zeros_like(u)
    for k in range(_KL_SERIES_PAIRS, 0, -1):
        acc = acc * w + (1.0 / (2 * k - 1) + u / (2 * k + 1))
    return acc * w


def _kl_rows(pa: np.ndarray, qa: np.ndarray) -> np.ndarray:
    """Row-wise textbook KL, summed from non-negative parts (see kl_divergence)."""
    pos = pa > 0
    both = pos & (qa > 0)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        diff = np.where(both, pa - qa, 0.0)  # exact where q/2 <= p <= 2q (Sterbenz)
        r = np.divide(diff, qa, out=np.zeros_like(pa), where=both)
    near = both & (np.abs(r) <= 0.5)
    far = both & ~near
    nonneg = np.zeros_like(pa)
    if near.any():
        pn, qn = pa[near], qa[near]
        s = pn + qn
        nonneg[near] = s * _kl_series((pn - qn) / s)
    if far.any():
        pf, qf, rf = pa[far], qa[far], r[far]
        with np.errstate(over="ignore", divide="ignore"):
            log_ratio = np.where(np.isfinite(rf), np.log1p(np.where(np.isfinite(rf), rf, 0.0)),
                                 np.log(pf) - np.log(qf))
        nonneg[far] = np.maximum(pf * log_ratio - (pf - qf), 0.0)
    ld = _v._LD or np.float64
    d = nonneg.sum(axis=-1, dtype=ld) + diff.sum(axis=-1, dtype=ld)
    d = np.maximum(np.asarray(d, dtype=np.float64), 0.0)
    infinite = (pos & ~(qa > 0)).any(axis=-1)
    return np.where(infinite, np.inf, d)


def entropy(p, *, base=None):
    r"""Shannon entropy of probability vectors along the last axis.

    .. math::

       H(p) = -\sum_k p_k \log p_k

    Parameters
    ----------
    p : array_like, shape (..., K)
        Probability vectors (entries in [0, 1], rows summing to 1).
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    ndarray of shape (...,) or float
        Entropy of each row; a float for 1-D input.

    Notes
    -----
    Units are nats unless ``base`` is given; ``0 log 0 = 0``. Equals
    ``scipy.stats.entropy(p)`` for normalised ``p`` (SciPy silently
    renormalises; this function raises ``ValueError`` instead).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.entropy([0.5, 0.5], base=2))
    1.0
    >>> round(float(lb.entropy([0.25] * 4)), 6)
    1.386294
    """
    log_base = _v.check_base(base)
    pa = _v.check_probabilities(p, "p")
    logp = np.log(pa, out=np.zeros_like(pa), where=pa > 0)
    h = -(pa * logp).sum(axis=-1)
    h = np.maximum(h, 0.0)  # -0.0 -> 0.0
    return _out(_in_base(h, log_base))


def cross_entropy(p, q, *, base=None):
    r"""Cross-entropy of ``q`` relative to ``p`` along the last axis.

    .. math::

       H(p, q) = -\sum_k p_k \log q_k = H(p) + D_{\mathrm{KL}}(p \,\|\, q)

    Parameters
    ----------
    p : array_like, shape (..., K)
        The "true" distribution (rows summing to 1).
    q : array_like, shape (..., K)
        The model distribution, same shape as ``p``.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    ndarray of shape (...,) or float
        Cross-entropy of each row; a float for 1-D input.

    Notes
    -----
    Terms with ``p_k = 0`` contribute 0 whatever ``q_k`` is. The result is
    ``+inf`` where some ``q_k = 0`` while ``p_k > 0`` (no warning is raised).

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.cross_entropy([1.0, 0.0], [0.5, 0.5])), 6)
    0.693147
    >>> float(lb.cross_entropy([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    log_base = _v.check_base(base)
    pa, qa = _pair(p, q)
    logq = np.log(qa, out=np.full_like(qa, -np.inf), where=qa > 0)
    terms = np.multiply(pa, logq, out=np.zeros_like(pa), where=pa > 0)
    h = -terms.sum(axis=-1)
    h = np.maximum(h, 0.0)
    return _out(_in_base(h, log_base))


def kl_divergence(p, q, *, base=None):
    r"""Kullback-Leibler divergence :math:`D_{\mathrm{KL}}(p \,\|\, q)` along the last axis.

    .. math::

       D_{\mathrm{KL}}(p \,\|\, q) = \sum_k p_k \log \frac{p_k}{q_k}

    Parameters
    ----------
    p : array_like, shape (..., K)
        The "true" distribution (rows summing to 1).
    q : array_like, shape (..., K)
        The model distribution, same shape as ``p``.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    ndarray of shape (...,) or float
        Divergence of each row (>= 0); a float for 1-D input.

    Notes
    -----
    This is the textbook divergence, ``scipy.special.rel_entr(p, q).sum(-1)``,
    not ``scipy.special.kl_div`` (which adds ``q - p`` to every term).
    ``0 log(0/q) = 0``; the result is ``+inf`` where ``q_k = 0`` and
    ``p_k > 0``. Nearly equal distributions keep their small divergence to a
    few ulps: with :math:`r_k = (p_k - q_k)/q_k`, each term is evaluated as

    .. math::

       p_k \log\frac{p_k}{q_k} = q_k\bigl((1 + r_k)\log(1 + r_k) - r_k\bigr) + (p_k - q_k),

    where the first part is non-negative (computed by its series in
    :math:`u_k = (p_k - q_k)/(p_k + q_k)` when :math:`|r_k| \le 1/2`) and the
    second sums to 0 when both rows sum to 1 (it is added exactly, so the result
    is the textbook sum for the rows as given). The sum is clipped at 0: rows
    that sum to 1 only within the tolerance could otherwise give values like
    ``-1e-17``.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    >>> round(float(lb.kl_divergence([0.5, 0.5], [0.9, 0.1], base=2)), 6)
    0.736966
    """
    log_base = _v.check_base(base)
    pa, qa = _pair(p, q)
    return _out(_in_base(_kl_rows(pa, qa), log_base))
