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
    ``p_k > 0``. Each term uses ``log1p((p - q)/q)`` when ``p/q >= 1/2`` so
    that nearly equal distributions keep their small divergence accurately.
    The sum is clipped at 0: rounding could otherwise give values like
    ``-1e-17`` for (almost) identical rows.

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
    pos = pa > 0
    qpos = qa > 0
    both = pos & qpos
    with np.errstate(over="ignore"):
        # over: p/q can overflow for subnormal q; such entries take the
        # log p - log q branch below.
        ratio = np.divide(pa, qa, out=np.ones_like(pa), where=both)
        rel = np.divide(pa - qa, qa, out=np.zeros_like(pa), where=both)
    log_ratio = np.where(ratio >= 0.5, np.log1p(np.where(ratio >= 0.5, rel, 0.0)),
                         np.log(np.where(ratio >= 0.5, 1.0, ratio)))
    big = ~np.isfinite(ratio)
    if big.any():
        log_ratio[big] = np.log(pa[big]) - np.log(qa[big])
    terms = np.multiply(pa, log_ratio, out=np.zeros_like(pa), where=both)
    terms[pos & ~qpos] = np.inf
    d = np.maximum(terms.sum(axis=-1), 0.0)
    return _out(_in_base(d, log_base))
