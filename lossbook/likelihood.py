r"""Negative log-likelihoods and closed-form maximum-likelihood fits.

The chapter on "losses are negative log-likelihoods" uses these: each NLL is
the loss the corresponding model induces, and each ``fit_*`` returns the
parameters that minimise it. The Gaussian NLL is :func:`lossbook.gaussian_nll`
(shared with the losses). All results are in nats.
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v
from ._losses import binary_cross_entropy, gaussian_nll

__all__ = [
    "bernoulli_nll",
    "fit_bernoulli",
    "categorical_nll",
    "fit_categorical",
    "fit_gaussian",
    "laplace_nll",
    "fit_laplace",
    "gaussian_kl",
]

_ = gaussian_nll  # re-used, exported from lossbook._losses


def _data(x, name="x") -> np.ndarray:
    arr = _v.as_float_array(x, name, ndim=1)
    _v.check_finite(arr, name)
    return arr


def bernoulli_nll(x, p, *, reduction="mean"):
    r"""Negative log-likelihood of 0/1 data under a Bernoulli(p) model.

    .. math::

       -\log L(p) = -\sum_i \bigl[x_i \log p + (1 - x_i)\log(1 - p)\bigr]

    Parameters
    ----------
    x : array_like, shape (N,)
        Observations in {0, 1} (values in [0, 1] are accepted as soft data).
    p : float or array_like of shape (N,)
        Success probability, in [0, 1].
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"sum"`` is the full negative log-likelihood.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    The same function as :func:`lossbook.binary_cross_entropy`, with a
    scalar ``p`` shared by all observations.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.bernoulli_nll([1, 0, 1, 1], 0.75, reduction="sum")), 6)
    2.249341
    """
    xa = _data(x)
    pa = _v.as_float_array(p, "p", allow_bool=False)
    if pa.ndim == 0:
        _v.check_range(pa, "p", 0.0, 1.0, "probabilities")
        pa = np.full(xa.shape, float(pa))
    return binary_cross_entropy(xa, pa, reduction=reduction)


def fit_bernoulli(x):
    r"""Maximum-likelihood Bernoulli parameter: the sample mean.

    .. math::

       \hat p = \frac{1}{N}\sum_i x_i

    Parameters
    ----------
    x : array_like, shape (N,)
        Observations in {0, 1}.

    Returns
    -------
    float

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.fit_bernoulli([1, 0, 1, 1])
    0.75
    """
    xa = _data(x)
    _v.check_range(xa, "x", 0.0, 1.0, "observations")
    return float(xa.mean())


def categorical_nll(labels, probs, *, reduction="mean"):
    r"""Negative log-likelihood of class labels under one categorical distribution.

    .. math::

       -\log L(\pi) = -\sum_i \log \pi_{y_i}

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Observed classes in ``[0, K)``.
    probs : array_like, shape (K,)
        The distribution :math:`\pi` (sums to 1).
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples (``"sum"`` is the full negative log-likelihood).

    Returns
    -------
    float or ndarray of shape (N,)
        ``+inf`` for an observed class of probability 0.

    Examples
    --------
    >>> import lossbook as lb
    >>> nll = lb.categorical_nll([0, 0, 1], [0.5, 0.25, 0.25], reduction="sum")
    >>> round(float(nll), 6)
    2.772589
    """
    reduction = _v.check_reduction(reduction)
    pi = _v.check_probabilities(probs, "probs", ndim=1)
    y = _v.check_labels(labels, "labels", pi.size)
    py = pi[y]
    per = -np.log(py, out=np.full(py.shape, -np.inf), where=py > 0)
    return _v.reduce(per, reduction)


def fit_categorical(labels, n_classes):
    r"""Maximum-likelihood categorical distribution: the class frequencies.

    .. math::

       \hat\pi_k = \frac{\#\{i : y_i = k\}}{N}

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Observed classes in ``[0, n_classes)``.
    n_classes : int
        Number of classes ``K``.

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.fit_categorical([0, 0, 2, 1], 3).tolist()
    [0.5, 0.25, 0.25]
    """
    k = _v.check_n_classes(n_classes)
    y = _v.check_labels(labels, "labels", k)
    return np.bincount(y, minlength=k) / y.size


def fit_gaussian(x):
    r"""Maximum-likelihood Gaussian: sample mean and (biased) standard deviation.

    .. math::

       \hat\mu = \frac1N \sum_i x_i, \qquad
       \hat\sigma = \sqrt{\frac1N \sum_i (x_i - \hat\mu)^2}

    Parameters
    ----------
    x : array_like, shape (N,)
        Observations.

    Returns
    -------
    (float, float)
        ``(mu, sigma)``; ``sigma`` divides by ``N`` (not ``N - 1``).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.fit_gaussian([1.0, 3.0])
    (2.0, 1.0)
    """
    xa = _data(x)
    # no intermediate overflow: fit_gaussian([1e200, -1e200]) is (0.0, 1e200)
    return _v.mean_and_spread(xa)


def laplace_nll(x, loc, scale, *, reduction="mean"):
    r"""Negative log-likelihood under a Laplace distribution.

    .. math::

       -\log p(x \mid \mu, b) = \log(2b) + \frac{|x - \mu|}{b}

    Parameters
    ----------
    x : array_like, shape (N,)
        Observations.
    loc : float or array_like of shape (N,)
        Location :math:`\mu`.
    scale : float or array_like of shape (N,)
        Scale :math:`b > 0`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples (``"sum"`` is the full negative log-likelihood).

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    For fixed ``b`` minimising it over ``mu`` is minimising the MAE: the
    Laplace model is to MAE what the Gaussian is to MSE.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.laplace_nll([0.0], 0.0, 0.5)), 6)
    0.0
    """
    reduction = _v.check_reduction(reduction)
    xa = _data(x)
    mu = _v.as_float_array(loc, "loc", allow_bool=False)
    b = _v.as_float_array(scale, "scale", allow_bool=False)
    for arr, name in ((mu, "loc"), (b, "scale")):
        if arr.ndim and arr.shape != xa.shape:
            raise ValueError(
                f"{name} must be a scalar or have the same shape as x, got {name} "
                f"{_v._fmt_shape(arr.shape)} and x {_v._fmt_shape(xa.shape)}"
            )
    _v.check_finite(mu, "loc")
    bad = ~((b > 0) & np.isfinite(b))
    if bad.any():
        idx = _v._first_bad(bad) if b.ndim else ()
        raise ValueError(f"scale must be positive and finite, got {float(b[idx])!r}{_v._where(bad, idx)}")
    with np.errstate(over="ignore"):  # inf only where the true value overflows
        per = np.log(2.0 * b) + np.abs(xa - mu) / b
    return _v.reduce(np.broadcast_to(per, xa.shape).copy(), reduction)


def fit_laplace(x):
    r"""Maximum-likelihood Laplace fit: median and mean absolute deviation from it.

    .. math::

       \hat\mu = \operatorname{median}(x), \qquad
       \hat b = \frac1N \sum_i |x_i - \hat\mu|

    Parameters
    ----------
    x : array_like, shape (N,)
        Observations.

    Returns
    -------
    (float, float)
        ``(median, mean absolute deviation)``. For even ``N`` any point
        between the middle two values maximises the likelihood; numpy's
        median (their midpoint) is returned.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.fit_laplace([1.0, 2.0, 10.0])
    (2.0, 3.0)
    """
    xa = _data(x)
    with np.errstate(over="ignore"):
        med = float(np.median(xa))
    if not np.isfinite(med):  # the two middle values' sum overflows: average their halves
        mid = np.partition(xa, [(xa.size - 1) // 2, xa.size // 2])
        med = float(mid[(xa.size - 1) // 2] * 0.5 + mid[xa.size // 2] * 0.5)
    with np.errstate(over="ignore"):
        dev = np.abs(xa - med)
    if np.isfinite(dev).all():
        return med, _v.accurate_sum(dev, dev.size)
    # |x - median| overflows (values near +-1.8e308): halves, then double
    return med, 2.0 * _v.accurate_sum(np.abs(xa * 0.5 - med * 0.5), xa.size)


def gaussian_kl(mu1, s1, mu2, s2):
    r"""KL divergence between two univariate Gaussians, in closed form.

    .. math::

       D_{\mathrm{KL}}\bigl(\mathcal N(\mu_1, \sigma_1^2) \,\|\, \mathcal N(\mu_2, \sigma_2^2)\bigr)
       = \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12

    Parameters
    ----------
    mu1, s1 : float or array_like
        Mean and standard deviation (> 0) of the first distribution.
    mu2, s2 : float or array_like
        Mean and standard deviation (> 0) of the second; arrays must share
        one shape (or be scalars).

    Returns
    -------
    float or ndarray
        Nats, >= 0.

    Notes
    -----
    The ``sigma`` part is evaluated as ``(x - log1p(x)) + x**2/2`` with
    ``x = s1/s2 - 1``, which avoids the ``log(s2/s1) + s1**2/(2 s2**2) - 1/2``
    cancellation when ``s1`` is close to ``s2``.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.gaussian_kl(0.0, 1.0, 0.0, 1.0))
    0.0
    >>> round(float(lb.gaussian_kl(0.0, 1.0, 1.0, 2.0)), 6)
    0.443147
    """
    arrs = []
    for v, name in ((mu1, "mu1"), (s1, "s1"), (mu2, "mu2"), (s2, "s2")):
        a = _v.as_float_array(v, name)
        _v.check_finite(a, name)
        arrs.append(a)
    shapes = {a.shape for a in arrs if a.ndim}
    if len(shapes) > 1:
        raise ValueError(f"mu1, s1, mu2, s2 must be scalars or share one shape, got shapes {sorted(shapes)}")
    m1, a1, m2, a2 = arrs
    for a, name in ((a1, "s1"), (a2, "s2")):
        bad = ~(a > 0)
        if bad.any():
            idx = _v._first_bad(bad) if a.ndim else ()
            raise ValueError(f"{name} must be positive, got {float(a[idx])!r}{_v._where(bad, idx)}")
    with np.errstate(over="ignore"):  # inf only where the true value overflows
        x = (a1 - a2) / a2
        r = (m1 - m2) / a2
        # log(s1/s2) = log1p(x); where s1 << s2, x rounds to -1 and log1p(x) to
        # -inf: take log s1 - log s2 there instead
        near = x > -0.5
        log_ratio = np.where(near, np.log1p(np.where(near, x, 0.0)), np.log(a1) - np.log(a2))
        out = (x - log_ratio) + (0.5 * x) * x + (0.5 * r) * r
    out = np.maximum(out, 0.0)
    return out[()] if out.ndim == 0 else out
