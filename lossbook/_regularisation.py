r"""Penalties, priors and maximum a posteriori fits: ridge, lasso, Beta-Bernoulli.

Scaling conventions (the chapter :doc:`priors-and-regularisation` states them):

- ``strength`` of :func:`l2_penalty` is the **precision** :math:`\lambda` of a
  zero-mean Gaussian prior, :math:`-\log \mathcal N(\boldsymbol w \mid 0,
  \lambda^{-1} I) = \tfrac{\lambda}{2}\lVert\boldsymbol w\rVert^2 + \text{const}`;
  it pairs with a **summed** negative log-likelihood. With a mean loss use
  :math:`\lambda_{\text{mean}} = \lambda / n`.
- :func:`fit_ridge` uses scikit-learn's ``Ridge(alpha, fit_intercept=False)``
  objective :math:`\lVert\boldsymbol y - X\boldsymbol w\rVert^2 + \alpha\lVert
  \boldsymbol w\rVert^2`; for noise variance :math:`\sigma^2` and prior variance
  :math:`\tau^2`, :math:`\alpha = \sigma^2/\tau^2`.
- :func:`fit_lasso` uses scikit-learn's ``Lasso(alpha, fit_intercept=False)``
  objective :math:`\frac{1}{2n}\lVert\boldsymbol y - X\boldsymbol w\rVert^2 +
  \alpha\lVert\boldsymbol w\rVert_1`; for a Laplace prior of scale :math:`b`,
  :math:`\alpha = \sigma^2/(n b)`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import _validation as _v

__all__ = [
    "l2_penalty",
    "l2_penalty_grad",
    "l1_penalty",
    "soft_threshold",
    "fit_ridge",
    "fit_lasso",
    "beta_bernoulli_map",
    "beta_bernoulli_mean",
]


def _weights(w, name="w"):
    arr = _v.as_float_array(w, name, min_ndim=0, allow_empty=True, allow_bool=False)
    if arr.size:
        _v.check_finite(arr, name)
    return arr


def _penalty_args(w, strength):
    """(lambda, weights, max |w|) of a penalty; scale 0.0 when the penalty is exactly 0.

    The sums are taken of w / max|w| so that no square or sum overflows before the
    final product (which then overflows to inf only if the true value does).
    """
    lam = _v.check_positive_scalar(strength, "strength", allow_zero=True)
    arr = _weights(w)
    if lam == 0.0 or arr.size == 0:
        return lam, arr, 0.0
    return lam, arr, float(np.max(np.abs(arr)))

def l2_penalty(w, strength):
    r"""The L2 penalty (minus the log of a Gaussian prior, up to a constant).

    .. math::

       R(\boldsymbol w) = \frac{\lambda}{2}\sum_j w_j^2
       = -\log \mathcal N(\boldsymbol w \mid \boldsymbol 0, \lambda^{-1} I)
         - \frac{d}{2}\log\frac{\lambda}{2\pi}

    Parameters
    ----------
    w : array_like
        Weights, any shape (all entries are penalised).
    strength : float
        The prior precision :math:`\lambda \ge 0`. It pairs with a **summed**
        negative log-likelihood; with a mean loss over ``n`` examples use
        ``strength / n``.

    Returns
    -------
    float
        :math:`\frac{\lambda}{2}\lVert\boldsymbol w\rVert^2` (``inf`` if it overflows).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.l2_penalty([3.0, 4.0], 0.5)
    6.25
    """
    lam, arr, scale = _penalty_args(w, strength)
    if scale == 0.0:
        return 0.0
    ssq = math.fsum(((arr / scale) ** 2).ravel().tolist())   # in [1, size]
    # Python floats: overflow gives inf, no warning; ssq >= 1 comes last so an
    # overflow of the partial product means the true value overflows too
    return ((lam * scale) * (0.5 * scale)) * ssq


def l2_penalty_grad(w, strength):
    r"""Gradient of :func:`l2_penalty`: :math:`\nabla R(\boldsymbol w) = \lambda\,\boldsymbol w`.

    This is the step that "weight decay" subtracts in plain gradient descent:
    :math:`\boldsymbol w \leftarrow \boldsymbol w - \eta(\nabla L + \lambda\boldsymbol w)
    = (1 - \eta\lambda)\boldsymbol w - \eta\nabla L`.

    Parameters
    ----------
    w : array_like
        Weights, any shape.
    strength : float
        The prior precision :math:`\lambda \ge 0`.

    Returns
    -------
    ndarray
        :math:`\lambda\boldsymbol w`, the shape of ``w``.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.l2_penalty_grad([3.0, -4.0], 0.5).tolist()
    [1.5, -2.0]
    """
    lam = _v.check_positive_scalar(strength, "strength", allow_zero=True)
    arr = _weights(w)
    with np.errstate(over="ignore"):
        return lam * arr


def l1_penalty(w, strength):
    r"""The L1 penalty (minus the log of a Laplace prior, up to a constant).

    .. math::

       R(\boldsymbol w) = \lambda\sum_j |w_j|
       = -\sum_j \log\Bigl(\frac{1}{2b} e^{-|w_j|/b}\Bigr) - d\log\frac{1}{2b},
       \qquad \lambda = 1/b

    Parameters
    ----------
    w : array_like
        Weights, any shape.
    strength : float
        :math:`\lambda = 1/b \ge 0` for a Laplace prior of scale ``b``, paired
        with a summed negative log-likelihood.

    Returns
    -------
    float
        :math:`\lambda\lVert\boldsymbol w\rVert_1` (``inf`` if it overflows).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.l1_penalty([3.0, -4.0], 0.5)
    3.5
    """
    lam, arr, scale = _penalty_args(w, strength)
    if scale == 0.0:
        return 0.0
    total = math.fsum((np.abs(arr) / scale).ravel().tolist())   # no overflow
    return (lam * scale) * total          # Python floats: inf on overflow, no warning


def soft_threshold(z, threshold):
    r"""Soft thresholding, the minimiser of a 1-D squared error plus an L1 penalty.

    .. math::

       S_t(z) = \operatorname{sign}(z)\max(|z| - t, 0)
       = \arg\min_w \Bigl[\tfrac12 (w - z)^2 + t|w|\Bigr]

    Parameters
    ----------
    z : array_like
        Values to shrink, any shape.
    threshold : float
        :math:`t \ge 0`.

    Returns
    -------
    ndarray
        :math:`S_t(z)`, the shape of ``z``; exactly zero where :math:`|z| \le t`.

    Notes
    -----
    Cycling this update over coordinates is coordinate descent for the
    lasso (Fu 1998; Friedman, Hastie, Hoefling and Tibshirani 2007); see
    :func:`fit_lasso`.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.soft_threshold([-3.0, 0.5, 2.0], 1.0).tolist()
    [-2.0, 0.0, 1.0]
    """
    t = _v.check_positive_scalar(threshold, "threshold", allow_zero=True)
    arr = _weights(z, "z")
    return np.sign(arr) * np.maximum(np.abs(arr) - t, 0.0)


def _design(X, y):
    Xa = _v.as_float_array(X, "X", ndim=2)
    _v.check_finite(Xa, "X")
    ya = _v.as_float_array(y, "y", ndim=1)
    _v.check_finite(ya, "y")
    if Xa.shape[0] != ya.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got X with {Xa.shape[0]} "
                         f"rows and y with {ya.shape[0]}")
    # one memory layout, so that the same values give the same bits (list, Fortran, strided input)
    return np.array(Xa, dtype=np.float64, order="C"), np.array(ya, dtype=np.float64)


def _scales(Xa, ya):
    """Largest magnitudes of X and y, for rescaling that keeps every intermediate finite."""
    sx = float(np.max(np.abs(Xa))) if Xa.size else 0.0
    sy = float(np.max(np.abs(ya))) if ya.size else 0.0
    return sx, sy


def fit_ridge(X, y, strength):
    r"""Ridge regression (MAP weights under a Gaussian prior), in closed form.

    .. math::

       \hat{\boldsymbol w} = \arg\min_{\boldsymbol w}
       \lVert\boldsymbol y - X\boldsymbol w\rVert^2 + \alpha\lVert\boldsymbol w\rVert^2
       = (X^\top X + \alpha I)^{-1} X^\top\boldsymbol y

    This is scikit-learn's ``Ridge(alpha=strength, fit_intercept=False)``. For
    :math:`y_i \sim \mathcal N(\boldsymbol x_i^\top\boldsymbol w, \sigma^2)` and the
    prior :math:`\boldsymbol w \sim \mathcal N(0, \tau^2 I)`, the MAP estimate has
    :math:`\alpha = \sigma^2/\tau^2`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix (no intercept column is added; centre the data or add one).
    y : array_like, shape (n,)
        Targets.
    strength : float
        :math:`\alpha \ge 0`; ``0`` gives the least-squares solution of
        minimum norm.

    Returns
    -------
    ndarray, shape (d,)
        The weights, computed by least squares on the augmented system
        :math:`[X; \sqrt\alpha I]\boldsymbol w \approx [\boldsymbol y; 0]`
        (no explicit :math:`X^\top X`).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.fit_ridge([[1.0], [1.0]], [1.0, 1.0], 2.0).tolist()
    [0.5]
    """
    Xa, ya = _design(X, y)
    alpha = _v.check_positive_scalar(strength, "strength", allow_zero=True)
    d = Xa.shape[1]
    sx, sy = _scales(Xa, ya)
    if sx == 0.0 or sy == 0.0:
        return np.zeros(d)
    # solve for w' = w sx / sy on X / sx, y / sy with alpha / sx^2 (same minimiser)
    root_alpha = math.sqrt(alpha) / sx
    if not math.isfinite(root_alpha):
        return np.zeros(d)
    A = np.vstack([Xa / sx, root_alpha * np.eye(d)])
    b = np.concatenate([ya / sy, np.zeros(d)])
    w = np.linalg.lstsq(A, b, rcond=None)[0]
    with np.errstate(over="ignore"):
        return w * (sy / sx) if math.isfinite(sy / sx) else (w * sy) / sx


def fit_lasso(X, y, strength, *, max_iter=10_000, tol=1e-12):
    r"""Lasso regression (MAP weights under a Laplace prior) by coordinate descent.

    .. math::

       \hat{\boldsymbol w} = \arg\min_{\boldsymbol w}
       \frac{1}{2n}\lVert\boldsymbol y - X\boldsymbol w\rVert^2 + \alpha\lVert\boldsymbol w\rVert_1

    This is scikit-learn's ``Lasso(alpha=strength, fit_intercept=False)``. For
    Gaussian noise of variance :math:`\sigma^2` and independent Laplace priors
    of scale :math:`b` on the weights, the MAP estimate has
    :math:`\alpha = \sigma^2/(n b)`.

    Each sweep sets every coordinate to its exact minimiser with the others
    fixed, :math:`w_j \leftarrow S_{n\alpha}(\boldsymbol x_j^\top \boldsymbol r_j)
    / \lVert\boldsymbol x_j\rVert^2` with the partial residual
    :math:`\boldsymbol r_j = \boldsymbol y - \sum_{k\ne j}\boldsymbol x_k w_k`
    (:func:`soft_threshold`); this is coordinate descent for the lasso
    (Fu 1998; Friedman, Hastie, Hoefling and Tibshirani 2007).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix (no intercept is added).
    y : array_like, shape (n,)
        Targets.
    strength : float
        :math:`\alpha \ge 0`.
    max_iter : int, optional
        Maximum number of sweeps over the coordinates.
    tol : float, optional
        Stop when no weight moved by more than ``tol`` times the largest weight
        (or ``tol`` when all are zero) in a sweep.

    Returns
    -------
    ndarray, shape (d,)
        The weights; exactly zero for coordinates the penalty switches off.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.fit_lasso([[1.0], [1.0]], [3.0, 3.0], 1.0).tolist()
    [2.0]
    """
    Xa, ya = _design(X, y)
    alpha = _v.check_positive_scalar(strength, "strength", allow_zero=True)
    n_iter = _v.check_int(max_iter, "max_iter", minimum=1)
    tol_ = _v.check_positive_scalar(tol, "tol")
    n, d = Xa.shape
    w = np.zeros(d)
    sx, sy = _scales(Xa, ya)
    if sx == 0.0 or sy == 0.0:
        return w
    # solve on X / sx, y / sy with alpha / (sx sy), then w = w' sy / sx (same minimiser)
    alpha = alpha / sx / sy
    if not math.isfinite(alpha):
        return w
    Xa, ya = Xa / sx, ya / sy
    Xt = np.ascontiguousarray(Xa.T)         # columns as contiguous rows
    col_sq = np.einsum("ij,ij->i", Xt, Xt)
    resid = ya.copy()
    thresh = n * alpha
    for _ in range(n_iter):
        max_step = 0.0
        for j in range(d):
            if col_sq[j] == 0.0:
                continue
            old = w[j]
            rho = float(Xt[j] @ resid) + col_sq[j] * old
            new = float(np.sign(rho) * max(abs(rho) - thresh, 0.0) / col_sq[j])
            if new != old:
                resid -= Xt[j] * (new - old)
                w[j] = new
                max_step = max(max_step, abs(new - old))
        if max_step <= tol_ * max(float(np.max(np.abs(w))) if d else 0.0, 1.0):
            break
    with np.errstate(over="ignore"):
        return w * (sy / sx) if math.isfinite(sy / sx) else (w * sy) / sx


def _beta_args(k, n, a, b):
    for name, v in (("k", k), ("n", n)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an integer count, got {_v._show(v)}")
    k, n = int(k), int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, n] = [0, {n}], got {k}")
    a_ = _v.check_positive_scalar(a, "a")
    b_ = _v.check_positive_scalar(b, "b")
    return k, n, a_, b_


def beta_bernoulli_map(k, n, a=1.0, b=1.0):
    r"""Posterior mode (MAP) of a Bernoulli probability under a Beta(a, b) prior.

    After ``k`` ones in ``n`` trials the posterior is
    :math:`\mathrm{Beta}(\alpha, \beta)` with :math:`\alpha = k + a` and
    :math:`\beta = n - k + b`, with mode

    .. math::

       \hat p_{\text{MAP}} = \frac{k + a - 1}{n + a + b - 2}
       = \frac{\alpha - 1}{\alpha + \beta - 2}

    The posterior density :math:`\propto p^{\alpha - 1}(1 - p)^{\beta - 1}`
    has a unique finite maximiser on :math:`[0, 1]` exactly when
    :math:`\alpha \ge 1` and :math:`\beta \ge 1`, not both equal to 1. It
    is interior when both exceed 1, and on the boundary (0 when
    :math:`\alpha = 1`, 1 when :math:`\beta = 1`) otherwise. With
    :math:`\alpha < 1` the density is unbounded as :math:`p \to 0` (with
    :math:`\beta < 1` as :math:`p \to 1`), so there is no finite maximum;
    with :math:`\alpha = \beta = 1` it is flat and every p is a mode.

    Parameters
    ----------
    k, n : int
        Number of ones and of trials, ``0 <= k <= n``.
    a, b : float, optional
        Prior parameters, each ``> 0``. The condition above is on the
        posterior: ``a < 1`` is allowed once ``k >= 1`` and ``b < 1`` once
        ``n - k >= 1`` (the Jeffreys prior ``a = b = 0.5`` has a mode
        whenever ``0 < k < n``). ``a = b = 1`` (uniform prior) gives the MLE
        ``k / n``; ``a = b = 2`` gives add-one (Laplace) smoothing
        ``(k + 1) / (n + 2)``.

    Returns
    -------
    float
        The mode in [0, 1].

    Raises
    ------
    ValueError
        If ``k + a < 1`` or ``n - k + b < 1`` (unbounded posterior density),
        or ``n = 0`` with ``a = b = 1`` (flat posterior: every p is a mode).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.beta_bernoulli_map(0, 10, 2.0, 2.0)
    0.08333333333333333
    >>> lb.beta_bernoulli_map(3, 10, 0.5, 0.5)  # Jeffreys prior: 2.5 / 9
    0.2777777777777778
    """
    k, n, a_, b_ = _beta_args(k, n, a, b)
    # k and n - k are integers, so k + a >= 1 iff k >= 1 or a >= 1 (exact)
    if k < 1 and a_ < 1.0:
        raise ValueError(f"a must be >= 1 when k = 0 (the posterior Beta(k + a, n - k + b) needs "
                         f"k + a >= 1 for a finite mode), got {_v._show(a)}")
    if n - k < 1 and b_ < 1.0:
        raise ValueError(f"b must be >= 1 when k = n (the posterior Beta(k + a, n - k + b) needs "
                         f"n - k + b >= 1 for a finite mode), got {_v._show(b)}")
    den = (n - 2.0) + a_ + b_
    if den <= 0.0:
        raise ValueError(f"n + a + b must exceed 2 (a flat posterior has no unique mode), got n={n}, "
                         f"a={_v._show(a)}, b={_v._show(b)}")
    return ((k - 1.0) + a_) / den


def beta_bernoulli_mean(k, n, a=1.0, b=1.0):
    r"""Posterior mean of a Bernoulli probability under a Beta(a, b) prior.

    .. math::

       \mathbb E[p \mid k, n] = \frac{k + a}{n + a + b}

    ``a = b = 1`` (uniform prior) gives Laplace's rule of succession
    ``(k + 1) / (n + 2)``, add-one smoothing.

    Parameters
    ----------
    k, n : int
        Number of ones and of trials, ``0 <= k <= n``.
    a, b : float, optional
        Prior parameters, each ``> 0``.

    Returns
    -------
    float
        The mean in (0, 1).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.beta_bernoulli_mean(0, 10)
    0.08333333333333333
    """
    k, n, a_, b_ = _beta_args(k, n, a, b)
    return (k + a_) / ((n + a_) + b_)
