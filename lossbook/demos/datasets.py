r"""Small seeded synthetic datasets for the chapters.

Every function takes an integer ``seed`` and returns numpy arrays; the same
seed always gives the same data (``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _v
from .._activations import sigmoid

__all__ = [
    "make_blobs",
    "make_binary",
    "make_regression_with_outliers",
    "make_multilabel",
    "flip_labels",
]


def make_blobs(n_per_class, n_classes=3, *, seed=0, spread=1.0, radius=3.0):
    r"""Gaussian blobs in 2-D, one per class, centred on a circle.

    .. math::

       x \mid y = k \sim \mathcal N\bigl(\mu_k, \text{spread}^2 I\bigr), \qquad
       \mu_k = \text{radius}\,(\cos(2\pi k/K), \sin(2\pi k/K))

    Parameters
    ----------
    n_per_class : int
        Points per class.
    n_classes : int, default 3
        Number of classes.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    spread : float, default 1.0
        Standard deviation of each blob.
    radius : float, default 3.0
        Distance of the blob centres from the origin.

    Returns
    -------
    X : ndarray, shape (n_per_class * n_classes, 2)
        Features.
    y : ndarray of int, shape (n_per_class * n_classes,)
        Labels ``0..n_classes-1``, in class order.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> X, y = demos.make_blobs(5, 3, seed=0)
    >>> X.shape, y.tolist()
    ((15, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    """
    n = _v.check_int(n_per_class, "n_per_class")
    k = _v.check_int(n_classes, "n_classes")
    rng = np.random.default_rng(_v.check_seed(seed))
    spread = _v.check_positive_scalar(spread, "spread")
    radius = _v.check_positive_scalar(radius, "radius", allow_zero=True)
    ang = 2 * np.pi * np.arange(k) / k
    centres = radius * np.column_stack([np.cos(ang), np.sin(ang)])
    y = np.repeat(np.arange(k), n)
    X = centres[y] + spread * rng.standard_normal((n * k, 2))
    return X, y


def make_binary(n, *, seed=0, n_features=2, weight=None, bias=0.0, scale=3.0):
    r"""Binary labels drawn from a logistic model (linearly separable-ish).

    .. math::

       x \sim \mathcal N(0, I), \qquad
       y \mid x \sim \operatorname{Bernoulli}\bigl(\sigma(\text{scale}\cdot(w^\top x + b))\bigr)

    Parameters
    ----------
    n : int
        Number of samples.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    n_features : int, default 2
        Number of features.
    weight : array_like of shape (n_features,), optional
        True direction ``w`` (default: a seeded random unit vector).
    bias : float, default 0.0
        Intercept of the true logistic model.
    scale : float, default 3.0
        Larger is cleaner (closer to separable).

    Returns
    -------
    X : ndarray, shape (n, n_features)
        Features.
    y : ndarray of int, shape (n,)
        Labels in {0, 1}.
    w : ndarray, shape (n_features,)
        The true weight vector used.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> X, y, w = demos.make_binary(100, seed=1)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1])
    """
    n = _v.check_int(n, "n")
    d = _v.check_int(n_features, "n_features")
    rng = np.random.default_rng(_v.check_seed(seed))
    if weight is None:
        w = rng.standard_normal(d)
        w /= np.linalg.norm(w)
    else:
        w = _v.as_float_array(weight, "weight", ndim=1)
        if w.shape != (d,):
            raise ValueError(f"weight must have shape ({d},), got {_v._fmt_shape(w.shape)}")
        _v.check_finite(w, "weight")
        w = w.copy()
    X = rng.standard_normal((n, d))
    p = sigmoid(_v.check_real(scale, "scale") * (X @ w + _v.check_real(bias, "bias")))
    y = (rng.uniform(size=n) < p).astype(np.int64)
    return X, y, w


def make_regression_with_outliers(n, outlier_frac=0.1, *, seed=0, slope=2.0, intercept=1.0,
                                  noise=0.5, outlier_scale=15.0):
    r"""1-D linear regression data with a fraction of gross outliers.

    .. math::

       y_i = \text{slope}\,x_i + \text{intercept} + \varepsilon_i, \qquad
       \varepsilon_i \sim \mathcal N(0, \text{noise}^2)

    and ``round(outlier_frac * n)`` points get an extra
    ``+outlier_scale * (1 + U(0, 1))`` (all upwards, so they bias least squares).

    Parameters
    ----------
    n : int
        Number of samples.
    outlier_frac : float in [0, 1], default 0.1
        Fraction of outliers.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    slope, intercept, noise, outlier_scale : float
        Parameters of the clean line, its noise level and the outlier size.

    Returns
    -------
    x : ndarray, shape (n,)
        Uniform on [-3, 3].
    y : ndarray, shape (n,)
        Labels.
    is_outlier : ndarray of bool, shape (n,)
        True for the outliers.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> x, y, out = demos.make_regression_with_outliers(50, 0.1, seed=0)
    >>> int(out.sum())
    5
    """
    n = _v.check_int(n, "n")
    frac = _v.check_fraction(outlier_frac, "outlier_frac")
    rng = np.random.default_rng(_v.check_seed(seed))
    slope, intercept = _v.check_real(slope, "slope"), _v.check_real(intercept, "intercept")
    noise = _v.check_positive_scalar(noise, "noise", allow_zero=True)
    outlier_scale = _v.check_real(outlier_scale, "outlier_scale")
    x = rng.uniform(-3, 3, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    is_out = np.zeros(n, dtype=bool)
    is_out[rng.choice(n, size=int(round(frac * n)), replace=False)] = True
    y[is_out] += outlier_scale * (1 + rng.uniform(size=int(is_out.sum())))
    return x, y, is_out


def make_multilabel(n, n_labels=4, *, n_features=5, seed=0, scale=3.0):
    r"""Multilabel data: each label an independent logistic model of ``x``.

    .. math::

       x \sim \mathcal N(0, I), \qquad
       Y_{ij} \sim \operatorname{Bernoulli}\bigl(\sigma(\text{scale}\cdot w_j^\top x + b_j)\bigr)

    Parameters
    ----------
    n : int
        Number of samples.
    n_labels : int, default 4
        Number of labels (columns of ``Y``).
    n_features : int, default 5
        Number of features.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    scale : float, default 3.0
        Signal strength (larger is cleaner).

    Returns
    -------
    X : ndarray, shape (n, n_features)
        Features.
    Y : ndarray of int, shape (n, n_labels)
        0/1 indicators (rows may have any number of ones).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> X, Y = demos.make_multilabel(10, 3, seed=0)
    >>> X.shape, Y.shape
    ((10, 5), (10, 3))
    """
    n = _v.check_int(n, "n")
    L = _v.check_int(n_labels, "n_labels")
    d = _v.check_int(n_features, "n_features")
    rng = np.random.default_rng(_v.check_seed(seed))
    W = rng.standard_normal((d, L)) / np.sqrt(d)
    b = rng.normal(scale=0.5, size=L)
    X = rng.standard_normal((n, d))
    P = sigmoid(_v.check_real(scale, "scale") * (X @ W) + b)
    Y = (rng.uniform(size=(n, L)) < P).astype(np.int64)
    return X, Y


def flip_labels(y, frac, n_classes, *, seed=0):
    r"""Symmetric label noise: move a fraction of labels to a different class.

    Exactly ``round(frac * N)`` samples, chosen uniformly without replacement,
    get a new label drawn uniformly from the *other* ``n_classes - 1`` classes.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Clean labels in ``[0, n_classes)``.
    frac : float in [0, 1]
        Fraction of labels to flip.
    n_classes : int (>= 2)
        Number of classes.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    y_noisy : ndarray of int, shape (N,)
        A new array; ``y`` is not modified.
    flipped : ndarray of bool, shape (N,)
        True where the label was changed.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> y = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
    >>> y_noisy, flipped = demos.flip_labels(y, 0.3, 3, seed=0)
    >>> int(flipped.sum()), bool((y_noisy != y).sum() == 3)
    (3, True)
    """
    k = _v.check_n_classes(n_classes)
    if k < 2:
        raise ValueError(f"n_classes must be >= 2 to flip labels, got {k}")
    ya = _v.check_labels(y, "y", k)
    f = _v.check_fraction(frac, "frac")
    rng = np.random.default_rng(_v.check_seed(seed))
    n = ya.size
    flipped = np.zeros(n, dtype=bool)
    idx = rng.choice(n, size=int(round(f * n)), replace=False)
    flipped[idx] = True
    y_noisy = ya.astype(np.int64, copy=True)
    shift = rng.integers(1, k, size=idx.size)  # 1..k-1: never the same class
    y_noisy[idx] = (y_noisy[idx] + shift) % k
    return y_noisy, flipped
