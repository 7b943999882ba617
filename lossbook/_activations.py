r"""Numerically stable activations: sigmoid, softmax and the log-sum-exp.

All the stable numerics of :mod:`lossbook` live here. The losses from logits
call the private block kernels below, so there is exactly one log-sum-exp in
the package.

The log-sum-exp is evaluated in its ``log1p`` form

.. math::

   \operatorname{LSE}(z) = m + \log\Bigl(1 + \sum_{k \ne k^*} e^{z_k - m}\Bigr),
   \qquad m = z_{k^*} = \max_k z_k,

where the sum skips exactly one maximal entry (ties keep their ``e^0 = 1``).
Unlike ``m + log(sum(exp(z - m)))`` it keeps tiny sums: ``LSE([0, -40])``
is ``4.248e-18`` rather than ``0``. Because every ``z_k - m <= 0`` and the
inputs are required to be finite, no ``inf - inf`` can occur even for logits
of magnitude ``1e300``.

Large inputs are processed in row blocks of about 16 384 elements (128 KiB of
float64 in a reused scratch buffer) so that the temporaries stay in cache and
are not page-faulted fresh for every call.
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v

__all__ = ["sigmoid", "log_sigmoid", "softmax", "log_softmax", "logsumexp"]

#: Elements per row block in the blocked kernels (128 KiB of float64).
_BLOCK_ELEMS = 1 << 14


def _row_blocks(n_rows: int, n_cols: int):
    step = max(1, _BLOCK_ELEMS // max(n_cols, 1))
    for start in range(0, n_rows, step):
        yield start, min(start + step, n_rows)


def _as_rows(z: np.ndarray) -> np.ndarray:
    """View (or contiguous copy) of ``z`` as a 2-D (rows, last axis) array."""
    return np.ascontiguousarray(z).reshape(-1, z.shape[-1])


def _rowsum(a: np.ndarray) -> np.ndarray:
    """Row sums of a small C-contiguous 2-D block.

    ``a @ ones`` (a BLAS matrix-vector product) is several times faster than
    ``a.sum(axis=1)`` for short rows (numpy reduces each 10-element row
    separately); accuracy is the same order (a plain sum of C terms).
    """
    with np.errstate(over="ignore"):  # a sum beyond 1.8e308 is inf, as with np.sum
        return a @ np.ones(a.shape[1])


def _lse_block(zb: np.ndarray, buf: np.ndarray):
    """Kernel on one row block ``zb`` (b, C) of finite logits.

    Returns ``(am, m, l, d)`` with ``am`` the argmax per row, ``m`` the max,
    ``l = log1p(sum_{k != am} exp(z_k - m))`` and ``d`` (a view of ``buf``)
    holding ``exp(z - m)`` with the argmax entry zeroed.
    """
    b = zb.shape[0]
    rows = np.arange(b)
    am = zb.argmax(axis=1)
    m = zb[rows, am]
    with np.errstate(over="ignore"):  # z - m < -1.8e308 is -inf: exp gives its 0 exactly
        d = np.subtract(zb, m[:, None], out=buf[:b])
    d[rows, am] = -np.inf
    np.exp(d, out=d)
    s = _rowsum(d)
    np.log1p(s, out=s)
    return am, m, s, d


def _logsumexp_rows(z2: np.ndarray) -> np.ndarray:
    n, c = z2.shape
    out = np.empty(n)
    buf = np.empty((max(1, _BLOCK_ELEMS // max(c, 1)), c))
    for a, b in _row_blocks(n, c):
        _, m, l, _ = _lse_block(z2[a:b], buf)
        np.add(m, l, out=out[a:b])
    return out


def _softmax_rows(z2: np.ndarray) -> np.ndarray:
    n, c = z2.shape
    out = np.empty((n, c))
    for a, b in _row_blocks(n, c):
        zb = z2[a:b]
        with np.errstate(over="ignore"):  # -inf where z - max < -1.8e308; exp gives 0
            o = np.subtract(zb, zb.max(axis=1, keepdims=True), out=out[a:b])
        np.exp(o, out=o)
        o /= _rowsum(o)[:, None]
    return out


def _log_softmax_rows(z2: np.ndarray) -> np.ndarray:
    n, c = z2.shape
    out = np.empty((n, c))
    buf = np.empty((max(1, _BLOCK_ELEMS // max(c, 1)), c))
    for a, b in _row_blocks(n, c):
        zb = z2[a:b]
        _, m, l, _ = _lse_block(zb, buf)
        with np.errstate(over="ignore"):  # log p = -inf only where it is below -max float
            o = np.subtract(zb, m[:, None], out=out[a:b])
        o -= l[:, None]
    return out


def _log1pexp_neg_abs(z: np.ndarray) -> np.ndarray:
    """``log1p(exp(-|z|))`` (the shared part of both softplus branches)."""
    t = np.abs(np.atleast_1d(z))
    np.negative(t, out=t)
    np.exp(t, out=t)
    return np.log1p(t, out=t).reshape(z.shape)


def _logits(z, name="z", *, min_ndim=1) -> np.ndarray:
    arr = _v.as_float_array(z, name, min_ndim=min_ndim)
    _v.check_finite(arr, name)
    return arr


def _scalar_or_array(out: np.ndarray):
    return out[()] if out.ndim == 0 else out


def sigmoid(z):
    r"""Logistic sigmoid, evaluated without overflow.

    .. math::

       \sigma(z) = \frac{1}{1 + e^{-z}}

    Parameters
    ----------
    z : array_like, any shape
        Finite real logits.

    Returns
    -------
    ndarray or float
        ``sigma(z)`` elementwise, same shape as ``z``, float64.

    Notes
    -----
    Uses ``1/(1+exp(-z))`` for ``z >= 0`` and ``exp(z)/(1+exp(z))`` for
    ``z < 0`` so that no ``exp`` overflows. Non-finite input raises
    ``ValueError``.

    Examples
    --------
    >>> import lossbook as lb
    >>> [float(v) for v in lb.sigmoid([0.0, 1000.0, -1000.0])]
    [0.5, 1.0, 0.0]
    """
    x = _logits(z, min_ndim=0)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return _scalar_or_array(out)


def log_sigmoid(z):
    r"""Logarithm of the sigmoid, :math:`\log \sigma(z) = -\operatorname{softplus}(-z)`.

    .. math::

       \log \sigma(z) = \min(z, 0) - \log\bigl(1 + e^{-|z|}\bigr)

    Parameters
    ----------
    z : array_like, any shape
        Finite real logits.

    Returns
    -------
    ndarray or float
        ``log(sigma(z))`` elementwise, same shape as ``z`` (nats, <= 0).

    Notes
    -----
    Accurate for any finite ``z``: ``log_sigmoid(-1000) = -1000`` and
    ``log_sigmoid(40) = -4.248e-18`` (not 0).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.log_sigmoid(-1000.0)), float(lb.log_sigmoid(0.0))
    (-1000.0, -0.6931471805599453)
    """
    x = _logits(z, min_ndim=0)
    out = np.minimum(x, 0.0) - _log1pexp_neg_abs(x)
    return _scalar_or_array(out)


def softmax(z):
    r"""Softmax along the last axis.

    .. math::

       \operatorname{softmax}(z)_k = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}},
       \qquad m = \max_j z_j

    Parameters
    ----------
    z : array_like, shape (..., C)
        Finite logits; classes on the last axis.

    Returns
    -------
    ndarray, shape (..., C)
        Probabilities; each row sums to 1 up to rounding.

    Notes
    -----
    Shift invariant: ``softmax(z + c) == softmax(z)``. Non-finite logits raise
    ``ValueError``.

    Examples
    --------
    >>> import lossbook as lb
    >>> [round(float(p), 6) for p in lb.softmax([1.0, 2.0, 3.0])]
    [0.090031, 0.244728, 0.665241]
    """
    x = _logits(z)
    return _softmax_rows(_as_rows(x)).reshape(x.shape)


def log_softmax(z):
    r"""Log-softmax along the last axis, via the log1p log-sum-exp.

    .. math::

       \log \operatorname{softmax}(z)_k = z_k - \operatorname{LSE}(z)
       = (z_k - m) - \log\Bigl(1 + \sum_{j \ne k^*} e^{z_j - m}\Bigr)

    Parameters
    ----------
    z : array_like, shape (..., C)
        Finite logits; classes on the last axis.

    Returns
    -------
    ndarray, shape (..., C)
        Log-probabilities (nats), all <= 0.

    Notes
    -----
    Never computed as ``log(softmax(z))``; the largest entry is
    ``-log1p(...)`` and keeps tiny values such as ``-4.248e-18`` for
    ``z = [0, -40]``.

    Examples
    --------
    >>> import lossbook as lb
    >>> [float(v) for v in lb.log_softmax([0.0, -40.0])]
    [-4.248354255291589e-18, -40.0]
    """
    x = _logits(z)
    return _log_softmax_rows(_as_rows(x)).reshape(x.shape)


def logsumexp(z):
    r"""Log-sum-exp along the last axis, in the accurate log1p form.

    .. math::

       \operatorname{LSE}(z) = \log \sum_k e^{z_k}
       = m + \log\Bigl(1 + \sum_{k \ne k^*} e^{z_k - m}\Bigr)

    Parameters
    ----------
    z : array_like, shape (..., C)
        Finite logits; reduced over the last axis.

    Returns
    -------
    ndarray of shape (...,) or float
        ``LSE`` of each row; a float for 1-D input.

    Notes
    -----
    ``k*`` is one index of the maximum; other maximal entries (ties) stay in
    the sum. Works for logits of magnitude up to ``1e300``; non-finite input
    raises ``ValueError``.

    References
    ----------
    - P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the
      log-sum-exp and softmax functions", IMA J. Numer. Anal. 41 (2021).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.logsumexp([0.0, -40.0]))
    4.248354255291589e-18
    >>> float(lb.logsumexp([1e300, 1e300])) == 1e300
    True
    """
    x = _logits(z)
    out = _logsumexp_rows(_as_rows(x)).reshape(x.shape[:-1])
    return _scalar_or_array(out)
