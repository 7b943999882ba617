r"""Regression losses for counts and quantiles: Poisson NLL and the pinball loss.

Conventions as in :mod:`lossbook._losses`: elementwise losses accept ``(N,)`` or
``(N, ...)`` input, the per-sample loss of a row is the mean over its trailing
axes, and each ``*_grad`` is the gradient of the **mean** loss.
"""

from __future__ import annotations

import math

import numpy as np

from . import _validation as _v
from ._losses import _dot, _elementwise, _pred


class _InvalidBlock(Exception):
    """A block failed the fused checks; the full checks then raise the detailed message."""


def _checked_elementwise(kernel, plain_kernel, arrays, reduction, full_checks):
    """``_elementwise`` with validation fused into the kernel (one pass over cached blocks).

    ``kernel`` raises :class:`_InvalidBlock` when a block fails its min/max checks;
    ``full_checks()`` then raises the element-wise ``ValueError``. Should it not
    (a disagreement at the tolerance edge), the loss is computed with ``plain_kernel``.
    """
    try:
        return _elementwise(kernel, arrays, reduction)
    except _InvalidBlock:
        full_checks()
        return _elementwise(plain_kernel, arrays, reduction)

__all__ = ["poisson_nll", "poisson_nll_grad", "pinball_loss", "pinball_loss_grad"]


def _log_factorial(y: np.ndarray) -> np.ndarray:
    """Exact ``log(y!) = lgamma(y + 1)`` elementwise (one ``math.lgamma`` per distinct value)."""
    u, inv = np.unique(y, return_inverse=True)
    lg = np.array([_lgamma1(float(v)) for v in u])
    return lg[inv].reshape(y.shape)


def _lgamma1(v: float) -> float:
    """``lgamma(v + 1)``; ``inf`` where it exceeds the float range (v > 2.5e305)."""
    try:
        return math.lgamma(v + 1.0)
    except OverflowError:
        return math.inf


_POISSON_SCALE = 2.0**-11


def _poisson_scaled(y, eta, full):
    """``e^eta - y eta [+ log y!]`` for elements where a term overflows but the sum may not.

    Each term is scaled by ``2^-11`` (``e^eta`` as ``e^(eta/2) (e^(eta/2) 2^-11)``, ``log y!``
    by Stirling's series, exact to rounding for ``y > 1e300``) and the sum scaled back; for
    ``eta > 717.4`` the rate term exceeds every possible ``y eta`` and the loss is ``+inf``.
    """
    out = np.full(y.shape, np.inf)
    ok = eta <= 717.4
    yk, ek = y[ok], eta[ok]
    with np.errstate(over="ignore"):
        h = np.exp(0.5 * ek)
        val = h * (h * _POISSON_SCALE) - (yk * _POISSON_SCALE) * ek
        if full:
            ly = np.log(np.maximum(yk, 1.0))
            lf = np.array([_lgamma1(float(v)) for v in yk])
            lf_s = np.where(np.isfinite(lf), lf * _POISSON_SCALE,
                            (yk * _POISSON_SCALE) * (ly - 1.0) + 0.5 * (np.log(2.0 * np.pi) + ly) * _POISSON_SCALE)
            val = val + lf_s
        out[ok] = val / _POISSON_SCALE
    return out


def _poisson_arrays(y_true, log_rate):
    eta = _v.as_float_array(log_rate, "log_rate", min_ndim=1)
    y = _v.as_float_array(y_true, "y_true", min_ndim=1)
    _v.check_same_shape(y, eta, "y_true", "log_rate")
    return y, eta


def _poisson_full_checks(y, eta):
    _v.check_finite(eta, "log_rate")
    _v.check_finite(y, "y_true")
    if y.min() < 0:
        bad = y < 0
        idx = _v._first_bad(bad)
        raise ValueError(f"y_true must be non-negative counts, got {float(y[idx])!r}{_v._where(bad, idx)}")


def _poisson_setup(y_true, log_rate):
    y, eta = _poisson_arrays(y_true, log_rate)
    _poisson_full_checks(y, eta)
    return y, eta


def poisson_nll(y_true, log_rate, *, full=False, reduction="mean"):
    r"""Poisson negative log-likelihood with a log-rate (log-link) prediction.

    .. math::

       \ell_i = e^{\eta_i} - y_i\,\eta_i \;\bigl[+ \log y_i!\bigr],
       \qquad \eta_i = \log \lambda_i

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Observed counts, finite and >= 0 (non-integer values are accepted:
        the quasi-likelihood of the same form).
    log_rate : array_like, same shape as ``y_true``
        Predicted log-rates :math:`\eta`, finite.
    full : bool, default False
        Add :math:`\log y!` (computed exactly as ``lgamma(y + 1)``), so that
        the loss is the full negative log-likelihood,
        ``-scipy.stats.poisson.logpmf(y, exp(eta))``. Without it the loss
        omits a term that does not depend on the prediction.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Shape
    -----
    ``(N,)`` or ``(N, ...)``; the per-sample loss of ``(N, K)`` input is the
    mean over its ``K`` elements.

    Notes
    -----
    With ``full=False`` equals ``torch.nn.functional.poisson_nll_loss`` with
    ``log_input=True``. With ``full=True`` PyTorch adds Stirling's
    approximation :math:`y\log y - y + \tfrac12\log(2\pi y)` for ``y > 1``
    and nothing for ``y <= 1``; that differs from the exact ``log y!`` by
    about :math:`1/(12y)` (0.041 at ``y = 2``), and for non-integer
    ``0 < y < 1`` (where ``lgamma(y + 1) < 0``). The three terms are summed
    as they stand, so where the rate fits a large count the error is a few
    ulps of the largest term rather than of the result. A rate ``exp(eta)`` above the
    float range (``eta > 709.78``) gives ``+inf``. Nats.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.poisson_nll([0.0, 2.0], [0.0, 0.0]))
    1.0
    >>> round(float(lb.poisson_nll([3.0], [1.0], full=True)), 6)
    1.510041
    """
    reduction = _v.check_reduction(reduction)
    if not isinstance(full, (bool, np.bool_)):
        raise TypeError(f"full must be True or False, got {full!r}")
    y, eta = _poisson_arrays(y_true, log_rate)
    if full:
        _poisson_full_checks(y, eta)
        arrays = [y, eta, _log_factorial(y)]
    else:
        arrays = [y, eta]

    def elems(yb, eb, *lf):
        with np.errstate(over="ignore", invalid="ignore"):  # exp(eta) -> inf beyond the float range
            e = np.exp(eb)
            e -= yb * eb
            if lf:
                e += lf[0]
        bad = ~np.isfinite(e)
        if bad.any():  # a term overflowed (inf - inf is NaN): the scaled form decides
            e[bad] = _poisson_scaled(yb[bad], eb[bad], bool(lf))
        return e

    def plain(yb, eb, *lf, total):
        if total:
            with np.errstate(over="ignore", invalid="ignore"):
                e = np.exp(eb)
                t = float(e.sum()) - _dot(yb, eb) + (float(lf[0].sum()) if lf else 0.0)
            if math.isfinite(t):
                return t
            return _v.accurate_sum(elems(yb, eb, *lf))
        return elems(yb, eb, *lf)

    def kernel(yb, eb, *lf, total):
        lo, hi = eb.min(), eb.max()
        ylo, yhi = yb.min(), yb.max()
        if not (np.isfinite(lo) and np.isfinite(hi) and ylo >= 0 and np.isfinite(yhi)):
            raise _InvalidBlock
        return plain(yb, eb, *lf, total=total)

    return _checked_elementwise(kernel, plain, arrays, reduction, lambda: _poisson_full_checks(y, eta))


def poisson_nll_grad(y_true, log_rate, *, full=False):
    r"""Gradient of the mean Poisson NLL with respect to the log-rates.

    .. math::

       \frac{\partial \bar\ell}{\partial \eta_i} = \frac{e^{\eta_i} - y_i}{n}

    with ``n`` the total number of elements (``full`` adds a constant and does
    not change it).

    Parameters
    ----------
    y_true, log_rate, full
        As in :func:`poisson_nll`.

    Returns
    -------
    ndarray, same shape as ``log_rate``

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.poisson_nll_grad([0.0, 2.0], [0.0, 0.0]).tolist()
    [0.5, -0.5]
    """
    if not isinstance(full, (bool, np.bool_)):
        raise TypeError(f"full must be True or False, got {full!r}")
    y, eta = _poisson_setup(y_true, log_rate)
    n = eta.size
    with np.errstate(over="ignore"):
        e = np.exp(eta)
        g = (e - y) / n
        big = np.isinf(e)
        if big.any():  # e^eta / n can be finite where e^eta is not: e^(eta/2) (e^(eta/2) / n)
            h = np.exp(0.5 * eta[big])
            g[big] = h * (h / n) - y[big] / n
    return g


def _pinball_setup(y_true, y_pred, quantile):
    tau = _v.check_fraction(quantile, "quantile")
    p = _pred(y_pred, "y_pred")
    y = _v.as_float_array(y_true, "y_true", min_ndim=1)
    _v.check_same_shape(y, p, "y_true", "y_pred")
    _v.check_finite(y, "y_true")
    return y, p, tau


def pinball_loss(y_true, y_pred, *, quantile=0.5, reduction="mean"):
    r"""Pinball (quantile) loss: its minimiser is the ``quantile`` of ``y``.

    .. math::

       \ell_\tau(y, \hat y) = \max\bigl(\tau\,(y - \hat y),\; (\tau - 1)(y - \hat y)\bigr)

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Finite targets.
    y_pred : array_like, same shape as ``y_true``
        Finite predicted quantiles.
    quantile : float in [0, 1], default 0.5
        :math:`\tau`; ``0.5`` gives half the absolute error.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Shape
    -----
    ``(N,)`` or ``(N, ...)``; the per-sample loss of ``(N, K)`` input is the
    mean over its ``K`` outputs, so the default equals
    ``sklearn.metrics.mean_pinball_loss(y_true, y_pred, alpha=quantile)``.

    Notes
    -----
    Under-prediction (:math:`\hat y < y`) costs :math:`\tau` per unit,
    over-prediction :math:`1 - \tau`. Same units as ``y``.

    References
    ----------
    - R. Koenker and G. Bassett, "Regression quantiles", Econometrica 46
      (1978).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.pinball_loss([1.0, 1.0], [0.0, 2.0], quantile=0.9,
    ...                reduction="none").tolist()
    [0.9, 0.09999999999999998]
    """
    reduction = _v.check_reduction(reduction)
    y, p, tau = _pinball_setup(y_true, y_pred, quantile)

    def kernel(yb, pb, total):
        with np.errstate(over="ignore"):
            r = yb - pb
        val = np.maximum(tau * r, (tau - 1.0) * r) if tau not in (0.0, 1.0) else (
            np.maximum(r, 0.0) if tau == 1.0 else np.maximum(-r, 0.0))  # no 0 * inf
        bad = ~np.isfinite(val)
        if bad.any():  # y - y_pred overflowed: halves (the loss itself may be finite)
            rh = 0.5 * yb[bad] - 0.5 * pb[bad]
            with np.errstate(over="ignore"):
                val[bad] = 2.0 * np.maximum(tau * rh, (tau - 1.0) * rh)
        return _v.accurate_sum(val) if total else val

    return _elementwise(kernel, [y, p], reduction)


def pinball_loss_grad(y_true, y_pred, *, quantile=0.5):
    r"""Gradient (subgradient) of the mean pinball loss with respect to ``y_pred``.

    .. math::

       \frac{\partial \bar\ell}{\partial \hat y_i} =
       \frac{1}{n}\begin{cases} -\tau & \hat y_i < y_i \\ 1 - \tau & \hat y_i > y_i \\
       0 & \hat y_i = y_i \end{cases}

    with ``n`` the total number of elements (subgradient 0 at the kink).

    Parameters
    ----------
    y_true, y_pred, quantile
        As in :func:`pinball_loss`.

    Returns
    -------
    ndarray, same shape as ``y_pred``

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.pinball_loss_grad([1.0, 1.0], [0.0, 2.0], quantile=0.75).tolist()
    [-0.375, 0.125]
    """
    y, p, tau = _pinball_setup(y_true, y_pred, quantile)
    g = np.where(p < y, -tau, np.where(p > y, 1.0 - tau, 0.0))
    return g / p.size
