r"""Margin losses beside the Weston-Watkins hinge, and decision-region grids.

Companion to the chapter "Multiclass SVM versus softmax". The library's
:func:`lossbook.multiclass_hinge` is the Weston-Watkins (CS231n) sum over wrong
classes. This module adds

- :func:`crammer_singer_hinge` and its gradient: only the largest wrong score
  counts (what ``sklearn.metrics.hinge_loss`` computes for multiclass input);
- :func:`multi_margin`: the formula documented for PyTorch's
  ``torch.nn.functional.multi_margin_loss``, which is the Weston-Watkins sum
  divided by the number of classes;
- :func:`decision_grid`: the predicted class on a grid of 2-D points, for
  drawing decision regions.

Conventions as in the rest of :mod:`lossbook`: samples on axis 0, classes on
the last axis, integer labels in ``[0, C)``, ``reduction="mean" | "sum" |
"none"``, gradients of the **mean** loss.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validation as _v

__all__ = [
    "crammer_singer_hinge",
    "crammer_singer_hinge_grad",
    "multi_margin",
    "decision_grid",
]


def _setup(y_true, scores, margin):
    s = _v.as_float_array(scores, "scores", ndim=2)
    _v.check_finite(s, "scores")
    n, c = s.shape
    if c < 2:
        raise ValueError(f"scores must have at least 2 classes (columns), got shape {_v._fmt_shape(s.shape)}")
    y = _v.check_labels_for(y_true, "y_true", n, c, other="scores")
    margin = _v.check_positive_scalar(margin, "margin")
    return y, s, margin


def _largest_wrong(y, s):
    """Index and value of the largest score among the wrong classes of each row."""
    rows = np.arange(s.shape[0])
    masked = s.copy()
    masked[rows, y] = -np.inf
    j = np.argmax(masked, axis=1)
    return j, masked[rows, j]


def crammer_singer_hinge(y_true, scores, *, margin=1.0, reduction="mean"):
    r"""Crammer-Singer multiclass hinge loss: only the strongest rival counts.

    .. math::

       \ell_i = \max\Bigl(0,\; \Delta + \max_{j \ne y_i} s_{ij} - s_{i y_i}\Bigr)

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Class labels in ``[0, C)``.
    scores : array_like, shape (N, C)
        Finite class scores, ``C >= 2``.
    margin : float, default 1.0
        The margin :math:`\Delta > 0`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    For every row, ``crammer_singer_hinge <= multiclass_hinge <= (C - 1) *
    crammer_singer_hinge`` (the Weston-Watkins loss sums the violations that
    this loss takes the maximum of). With ``margin=1`` and ``reduction="mean"``
    this is what ``sklearn.metrics.hinge_loss`` returns for multiclass input.

    References
    ----------
    - K. Crammer and Y. Singer, "On the algorithmic implementation of
      multiclass kernel-based vector machines", JMLR 2, 2001.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.crammer_singer_hinge([2], [[2.2, 2.5, -3.1]])), 12)
    6.6
    >>> float(lb.crammer_singer_hinge([0], [[10.0, 9.0, 9.0]]))
    0.0
    """
    reduction = _v.check_reduction(reduction)
    y, s, margin = _setup(y_true, scores, margin)
    _, rival = _largest_wrong(y, s)
    # (rival - s_y) + margin: margin + rival first would lose the margin at |s| ~ 1e17
    with np.errstate(over="ignore"):  # inf only where the true value overflows
        out = np.maximum(0.0, (rival - s[np.arange(s.shape[0]), y]) + margin)
    return _v.reduce(out, reduction)


def crammer_singer_hinge_grad(y_true, scores, *, margin=1.0):
    r"""Gradient (subgradient) of the mean Crammer-Singer hinge w.r.t. the scores.

    .. math::

       \frac{\partial \bar\ell}{\partial s_{ij}}
       = \frac{1}{N}\,\mathbb{1}[\ell_i > 0]\,
         \bigl(\mathbb{1}[j = r_i] - \mathbb{1}[j = y_i]\bigr),
       \qquad r_i = \arg\max_{j \ne y_i} s_{ij}

    Parameters
    ----------
    y_true, scores, margin
        As in :func:`crammer_singer_hinge`.

    Returns
    -------
    ndarray, shape (N, C)

    Notes
    -----
    Subgradient 0 where the margin is met exactly (``\ell_i = 0``); where two
    wrong classes tie for the largest score, the first one gets the gradient.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.crammer_singer_hinge_grad([2], [[2.2, 2.5, -3.1]]).tolist()
    [[0.0, 1.0, -1.0]]
    """
    y, s, margin = _setup(y_true, scores, margin)
    n = s.shape[0]
    rows = np.arange(n)
    j, rival = _largest_wrong(y, s)
    with np.errstate(over="ignore"):
        active = ((rival - s[rows, y]) + margin) > 0
    g = np.zeros_like(s)
    g[rows[active], j[active]] = 1.0
    g[rows[active], y[active]] = -1.0
    return g / n


def multi_margin(y_true, scores, *, margin=1.0, p=1, reduction="mean"):
    r"""The multiclass margin loss as documented for PyTorch's ``multi_margin_loss``.

    .. math::

       \ell_i = \frac{1}{C} \sum_{j \ne y_i} \max\bigl(0,\; \Delta - s_{i y_i} + s_{ij}\bigr)^{p}

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Class labels in ``[0, C)``.
    scores : array_like, shape (N, C)
        Finite class scores.
    margin : float, default 1.0
        The margin :math:`\Delta > 0`.
    p : {1, 2}, default 1
        Power of each violation (PyTorch allows only 1 and 2).
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    With ``p=1`` this is :func:`lossbook.multiclass_hinge` divided by the
    number of classes ``C`` (not by ``C - 1``, the number of terms). The
    division rescales the loss and its gradient, which changes the
    effective learning rate. Without a weight penalty it does not move the
    minimiser; with a penalty :math:`\lambda R(W)` it is the same as
    multiplying :math:`\lambda` by ``C``, so the minimiser moves. PyTorch's optional per-class ``weight`` is not
    implemented.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.multi_margin([0], [[3.2, 5.1, -1.7]])), 12)
    0.966666666667
    """
    reduction = _v.check_reduction(reduction)
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Integral):
        raise TypeError(f"p must be the integer 1 or 2 (as in PyTorch), got {_v._show(p)}"[:300])
    if p not in (1, 2):
        raise ValueError(f"p must be 1 or 2 (as in PyTorch), got {p!r}")
    y, s, margin = _setup(y_true, scores, margin)
    n, c = s.shape
    rows = np.arange(n)
    with np.errstate(over="ignore"):  # inf only where the true value overflows
        d = np.maximum(0.0, (s - s[rows, y][:, None]) + margin)
    d[rows, y] = 0.0
    if p == 2:
        with np.errstate(over="ignore"):  # inf only where the true value overflows
            d = d * d
    with np.errstate(over="ignore"):
        return _v.reduce(d.sum(axis=1) / c, reduction)


def decision_grid(predict, xlim, ylim, *, resolution=200):
    """Evaluate a classifier on a regular grid of 2-D points.

    Parameters
    ----------
    predict : callable
        ``predict(X) -> labels`` for ``X`` of shape ``(M, 2)``; may also
        return scores of shape ``(M, C)``, in which case the arg-max is used.
    xlim, ylim : pair of float
        ``(low, high)`` ranges of the two coordinates, ``low < high``.
    resolution : int, default 200
        Grid points along each axis (at least 2).

    Returns
    -------
    xx, yy : ndarray, shape (resolution, resolution)
        Grid coordinates (as from ``numpy.meshgrid``).
    labels : ndarray of int, shape (resolution, resolution)
        Predicted class at each grid point, ready for ``contourf``.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> sign = lambda X: (X[:, 0] > 0).astype(int)
    >>> xx, yy, lab = demos.decision_grid(sign, (-1, 1), (-1, 1), resolution=3)
    >>> lab.tolist()
    [[0, 0, 1], [0, 0, 1], [0, 0, 1]]
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable, got {type(predict).__name__}")
    lims = []
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        arr = _v.as_float_array(lim, name, ndim=1)
        _v.check_finite(arr, name)
        if arr.shape != (2,) or not arr[0] < arr[1]:
            raise ValueError(f"{name} must be a pair (low, high) with low < high, got {list(np.ravel(arr))}")
        lims.append(arr)
    resolution = _v.check_int(resolution, "resolution", minimum=2)
    xs = np.linspace(lims[0][0], lims[0][1], resolution)
    ys = np.linspace(lims[1][0], lims[1][1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    out = np.asarray(predict(np.column_stack([xx.ravel(), yy.ravel()])))
    if out.ndim == 2:
        out = np.argmax(out, axis=1)
    if out.shape != (xx.size,):
        raise ValueError(
            f"predict must return labels of shape ({xx.size},) or scores of shape ({xx.size}, C), "
            f"got shape {_v._fmt_shape(out.shape)}"
        )
    return xx, yy, out.astype(np.intp).reshape(xx.shape)

