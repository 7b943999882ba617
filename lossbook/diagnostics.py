r"""Choosing and debugging a loss: calibration, loss-based triage, soft targets.

Companion to the chapters "Multiclass SVM versus softmax" and "Choosing and
debugging a loss":

- :func:`reliability_bins` and :func:`expected_calibration_error`: does a
  predicted confidence of 0.8 come true 80% of the time?
- :func:`largest_loss_per_class` and :func:`detection_precision_recall`:
  inspect the items with the largest loss in each class, and measure how many
  truly mislabelled items that rule finds;
- :func:`smooth_labels`: label-smoothing targets;
- :func:`mix_pseudo_labels`: a training set that mixes labelled and
  pseudo-labelled items in a chosen proportion;
- :func:`fit_linear_regression`: a straight-line fit under MSE, MAE or Huber
  loss (iteratively reweighted least squares), for the outlier comparison.

Conventions as in the rest of :mod:`lossbook`: samples on axis 0, classes on
the last axis, integer labels in ``[0, C)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from ._losses import huber_grad, mae_grad

__all__ = [
    "ReliabilityBins",
    "reliability_bins",
    "expected_calibration_error",
    "largest_loss_per_class",
    "detection_precision_recall",
    "smooth_labels",
    "mix_pseudo_labels",
    "fit_linear_regression",
]


# --------------------------------------------------------------------------
# calibration
# --------------------------------------------------------------------------


class ReliabilityBins(NamedTuple):
    """Per-bin summary of top-label confidence against accuracy.

    Attributes
    ----------
    edges : ndarray, shape (n_bins + 1,)
        Bin edges on [0, 1].
    confidence : ndarray, shape (n_bins,)
        Mean confidence of the items in each bin (NaN for an empty bin).
    accuracy : ndarray, shape (n_bins,)
        Fraction of those items predicted correctly (NaN for an empty bin).
    counts : ndarray of int, shape (n_bins,)
        Number of items in each bin.
    """

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray


def _labels_probs(y_true, y_prob):
    p = _v.check_probabilities(y_prob, "y_prob", ndim=2)
    y = _v.check_labels_for(y_true, "y_true", p.shape[0], p.shape[1], other="y_prob")
    return y, p


def reliability_bins(y_true, y_prob, *, n_bins=10):
    r"""Bin predictions by top-label confidence; compare confidence with accuracy.

    The confidence of item :math:`i` is :math:`\max_k p_{ik}`, the prediction
    is :math:`\arg\max_k p_{ik}`. Items are put in ``n_bins`` equal-width bins
    on [0, 1] (bin :math:`b` holds confidences in :math:`((b-1)/B, b/B]`, the
    first bin also holds 0).

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        True labels in ``[0, C)``.
    y_prob : array_like, shape (N, C)
        Predicted probabilities; rows sum to 1.
    n_bins : int, default 10
        Number of bins (at least 1).

    Returns
    -------
    ReliabilityBins
        ``(edges, confidence, accuracy, counts)``.

    Notes
    -----
    A calibrated model has ``accuracy ~ confidence`` in every bin
    (Guo et al., 2017). Plot ``accuracy`` against ``confidence``.

    Examples
    --------
    >>> import lossbook as lb
    >>> r = lb.reliability_bins([0, 1], [[0.9, 0.1], [0.7, 0.3]], n_bins=2)
    >>> r.counts.tolist(), r.accuracy[1].item()
    ([0, 2], 0.5)
    """
    y, p = _labels_probs(y_true, y_prob)
    n_bins = _v.check_int(n_bins, "n_bins", minimum=1)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.ceil(conf * n_bins).astype(np.intp) - 1, 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):  # intended: empty bins give NaN
        confidence = np.bincount(idx, weights=conf, minlength=n_bins) / counts
        accuracy = np.bincount(idx, weights=correct, minlength=n_bins) / counts
    return ReliabilityBins(edges, confidence, accuracy, counts)


def expected_calibration_error(y_true, y_prob, *, n_bins=10):
    r"""Expected calibration error of the top-label confidence.

    .. math::

       \mathrm{ECE} = \sum_{b=1}^{B} \frac{n_b}{N}\,
       \bigl|\mathrm{acc}_b - \mathrm{conf}_b\bigr|

    Parameters
    ----------
    y_true, y_prob, n_bins
        As in :func:`reliability_bins`.

    Returns
    -------
    float
        In [0, 1]; 0 for perfect calibration (on these bins).

    References
    ----------
    - C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
      modern neural networks", ICML 2017.

    Examples
    --------
    >>> import lossbook as lb
    >>> P = [[0.9, 0.1], [0.7, 0.3]]
    >>> round(lb.expected_calibration_error([0, 1], P, n_bins=2), 12)
    0.3
    """
    r = reliability_bins(y_true, y_prob, n_bins=n_bins)
    keep = r.counts > 0
    w = r.counts[keep] / r.counts.sum()
    return float(np.sum(w * np.abs(r.accuracy[keep] - r.confidence[keep])))


# --------------------------------------------------------------------------
# debugging with the loss
# --------------------------------------------------------------------------


def largest_loss_per_class(y_true, losses, *, k):
    """Indices of the ``k`` items with the largest loss within each (given) class.

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        The labels as recorded in the data (possibly wrong).
    losses : array_like, shape (N,)
        Per-item losses (e.g. ``reduction="none"`` of a loss), finite.
    k : int
        Items to flag per class (at least 1); a class with fewer items
        contributes all of them.

    Returns
    -------
    ndarray of int
        Flagged indices, class by class (in increasing label order), largest
        loss first within a class. Ties keep the original order.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> losses = [0.1, 2.0, 0.5, 3.0, 0.2]
    >>> demos.largest_loss_per_class([0, 0, 1, 1, 1], losses, k=1).tolist()
    [1, 3]
    """
    y = _v.check_labels(y_true, "y_true")
    loss = _v.as_float_array(losses, "losses", ndim=1)
    _v.check_finite(loss, "losses")
    if loss.shape != y.shape:
        raise ValueError(
            f"y_true and losses must have the same shape, got y_true {_v._fmt_shape(y.shape)} "
            f"and losses {_v._fmt_shape(loss.shape)}"
        )
    k = _v.check_int(k, "k", minimum=1)
    out = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        order = np.argsort(-loss[members], kind="stable")
        out.append(members[order[:k]])
    return np.concatenate(out).astype(np.intp)


def detection_precision_recall(flagged, truly_bad):
    """Precision and recall of a set of flagged items against the truly bad ones.

    Parameters
    ----------
    flagged : array_like of int
        Indices flagged for inspection (no repeats).
    truly_bad : array_like of int
        Indices that really are bad (e.g. the items whose labels were flipped).

    Returns
    -------
    precision, recall : float
        ``|flagged & bad| / |flagged|`` and ``|flagged & bad| / |bad|``
        (precision is 0 when nothing is flagged; recall is 1 when nothing is
        bad).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> demos.detection_precision_recall([1, 2, 3, 4], [2, 4, 9])
    (0.5, 0.6666666666666666)
    """
    sets = []
    for name, arr in (("flagged", flagged), ("truly_bad", truly_bad)):
        a = _v.to_array(arr, name, "an array of integer indices")
        if a.size == 0:
            sets.append(np.zeros(0, dtype=np.intp))
            continue
        a = _v.check_labels(a, name)
        if np.unique(a).size != a.size:
            raise ValueError(f"{name} must not repeat an index, got {a.size} indices of which {np.unique(a).size} are distinct")
        sets.append(a)
    f, b = sets
    hits = np.intersect1d(f, b).size
    precision = hits / f.size if f.size else 0.0
    recall = hits / b.size if b.size else 1.0
    return float(precision), float(recall)


# --------------------------------------------------------------------------
# soft targets
# --------------------------------------------------------------------------


def smooth_labels(y_true, n_classes, *, alpha):
    r"""Label-smoothing targets: mix the one-hot target with the uniform distribution.

    .. math::

       t_{ik} = (1 - \alpha)\,\mathbb{1}[k = y_i] + \frac{\alpha}{C}

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Labels in ``[0, n_classes)``.
    n_classes : int
        Number of classes ``C`` (at least 2).
    alpha : float
        Smoothing weight in [0, 1]; 0 gives one-hot rows, 1 the uniform rows.

    Returns
    -------
    ndarray, shape (N, C)
        Target rows summing to 1; pass them to
        :func:`lossbook.softmax_cross_entropy` as ``y_true``.

    References
    ----------
    - C. Szegedy et al., "Rethinking the Inception architecture for
      computer vision", CVPR 2016.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.smooth_labels([1], 4, alpha=0.2).tolist()
    [[0.05, 0.8500000000000001, 0.05, 0.05]]
    """
    c = _v.check_n_classes(n_classes)
    if c < 2:
        raise ValueError(f"n_classes must be >= 2 for label smoothing, got {c}")
    y = _v.check_labels(y_true, "y_true", c)
    a = _v.check_fraction(alpha, "alpha")
    t = np.full((y.shape[0], c), a / c)
    t[np.arange(y.shape[0]), y] += 1.0 - a
    return t


def mix_pseudo_labels(x_labelled, y_labelled, x_unlabelled, pseudo_labels, *, pseudo_fraction, seed):
    r"""A training set of all labelled items plus pseudo-labelled ones in a set proportion.

    Keeps every labelled item and adds :math:`m = \operatorname{round}\bigl(n_\ell
    f / (1 - f)\bigr)` pseudo-labelled items drawn without replacement, so that
    pseudo-labelled items make up a fraction :math:`f` of the mix (e.g.
    ``pseudo_fraction=1/3`` for a 67:33 mix of original to pseudo-labelled data).

    Parameters
    ----------
    x_labelled : array_like, shape (N, ...)
        Labelled inputs.
    y_labelled : array_like of int, shape (N,)
        Their labels.
    x_unlabelled : array_like, shape (M, ...)
        Unlabelled inputs (same trailing shape as ``x_labelled``).
    pseudo_labels : array_like of int, shape (M,)
        Labels predicted for ``x_unlabelled`` by a model trained on the
        labelled data.
    pseudo_fraction : float
        Target fraction of pseudo-labelled items in the mix, in [0, 1).
    seed : int
        Seed for choosing which pseudo-labelled items enter the mix.

    Returns
    -------
    x : ndarray, shape (N + m, ...)
    y : ndarray of int, shape (N + m,)
    is_pseudo : ndarray of bool, shape (N + m,)
        True for the pseudo-labelled rows (which follow the labelled rows).

    Raises
    ------
    ValueError
        If the requested fraction needs more pseudo-labelled items than
        ``x_unlabelled`` holds.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> x, y, is_p = demos.mix_pseudo_labels(
    ...     np.zeros((4, 2)), [0, 1, 0, 1], np.ones((10, 2)),
    ...     [1] * 10, pseudo_fraction=1/3, seed=0)
    >>> int(is_p.sum()), len(y)
    (2, 6)
    """
    xl = _v.as_float_array(x_labelled, "x_labelled", min_ndim=1)
    xu = _v.as_float_array(x_unlabelled, "x_unlabelled", min_ndim=1)
    if xl.shape[1:] != xu.shape[1:]:
        raise ValueError(
            f"x_labelled and x_unlabelled must have the same shape after the sample axis, got "
            f"{_v._fmt_shape(xl.shape)} and {_v._fmt_shape(xu.shape)}"
        )
    yl = _v.check_labels(y_labelled, "y_labelled")
    yp = _v.check_labels(pseudo_labels, "pseudo_labels")
    if yl.shape[0] != xl.shape[0]:
        raise ValueError(f"y_labelled must have one label per row of x_labelled, got {yl.shape[0]} labels for {xl.shape[0]} rows")
    if yp.shape[0] != xu.shape[0]:
        raise ValueError(f"pseudo_labels must have one label per row of x_unlabelled, got {yp.shape[0]} labels for {xu.shape[0]} rows")
    f = _v.check_fraction(pseudo_fraction, "pseudo_fraction")
    if f >= 1.0:
        raise ValueError(f"pseudo_fraction must be in [0, 1), got {pseudo_fraction!r}")
    seed = _v.check_seed(seed)
    m = int(round(xl.shape[0] * f / (1.0 - f)))
    if m > xu.shape[0]:
        raise ValueError(
            f"pseudo_fraction={pseudo_fraction!r} with {xl.shape[0]} labelled items needs {m} "
            f"pseudo-labelled items, but x_unlabelled has only {xu.shape[0]}"
        )
    pick = np.random.default_rng(seed).choice(xu.shape[0], size=m, replace=False)
    x = np.concatenate([xl, xu[pick]])
    y = np.concatenate([yl, yp[pick]])
    is_pseudo = np.concatenate([np.zeros(xl.shape[0], bool), np.ones(m, bool)])
    return x, y, is_pseudo


# --------------------------------------------------------------------------
# robust straight-line fits
# --------------------------------------------------------------------------


def fit_linear_regression(x, y, *, loss="mse", delta=1.0, max_iter=500, tol=1e-12):
    r"""Fit :math:`\hat y = a + b x` by minimising the mean MSE, MAE or Huber loss exactly.

    MSE is solved in closed form (least squares). MAE and Huber are solved by
    iteratively reweighted least squares (IRLS): each step solves a weighted
    least-squares problem with weights :math:`w_i = \psi(r_i)/r_i`, where
    :math:`\psi` is the derivative of the per-item loss, taken from
    :func:`lossbook.huber_grad` and :func:`lossbook.mae_grad` (times ``N``,
    since those return the gradient of the mean). For Huber this is 1 inside
    :math:`|r_i| \le \delta` and :math:`\delta/|r_i|` outside; for MAE it is
    :math:`1/|r_i|`, with :math:`|r_i|` floored at :math:`10^{-9}`.

    :func:`lossbook.demos.train` with ``model="linear"`` minimises the same losses by
    plain gradient descent, which for MAE and Huber converges slowly and only
    approximately (the gradient does not shrink near an MAE minimiser); this
    function returns the minimiser itself, as the outlier comparison and the
    :math:`\delta` sweep need.

    Parameters
    ----------
    x, y : array_like, shape (N,)
        Finite inputs and targets, ``N >= 2``, with at least two distinct ``x``.
    loss : {"mse", "mae", "huber"}, default "mse"
        The loss to minimise (as :func:`lossbook.mse`, :func:`lossbook.mae`,
        :func:`lossbook.huber`).
    delta : float, default 1.0
        Huber threshold (ignored otherwise).
    max_iter : int, default 500
        Maximum reweighting steps.
    tol : float, default 1e-12
        Stop when the coefficients change by less than ``tol`` (relative).

    Returns
    -------
    ndarray, shape (2,)
        ``(a, b)``: intercept and slope.

    Notes
    -----
    The MAE minimiser need not be unique; IRLS returns one minimiser (up to
    the small floor on the weights).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> demos.fit_linear_regression([0, 1, 2], [1, 3, 5]).round(12).tolist()
    [1.0, 2.0]
    """
    xv = _v.as_float_array(x, "x", ndim=1)
    yv = _v.as_float_array(y, "y", ndim=1)
    _v.check_finite(xv, "x")
    _v.check_finite(yv, "y")
    _v.check_same_shape(xv, yv, "x", "y")
    if np.unique(xv).size < 2:
        raise ValueError("x must hold at least two distinct values to fit a line")
    if loss not in ("mse", "mae", "huber"):
        raise ValueError(f"loss must be one of 'mse', 'mae' or 'huber', got {loss!r}")
    delta = _v.check_positive_scalar(delta, "delta")
    max_iter = _v.check_int(max_iter, "max_iter", minimum=1)
    tol = _v.check_positive_scalar(tol, "tol")
    A = np.column_stack([np.ones_like(xv), xv])
    coef = np.linalg.lstsq(A, yv, rcond=None)[0]
    if loss == "mse":
        return coef
    n, floor = yv.size, 1e-9
    # psi(r) / r near r = 0: the quadratic part of Huber has weight 1; MAE gets the floored 1/|r|
    w_small = 1.0 if loss == "huber" else 1.0 / floor
    for _ in range(max_iter):
        pred = A @ coef
        r = pred - yv
        psi = n * (huber_grad(yv, pred, delta=delta) if loss == "huber" else mae_grad(yv, pred))
        big = np.abs(r) > floor
        w = np.where(big, psi / np.where(big, r, 1.0), w_small)
        sw = np.sqrt(w)
        new = np.linalg.lstsq(A * sw[:, None], yv * sw, rcond=None)[0]
        done = np.max(np.abs(new - coef)) <= tol * (1.0 + np.max(np.abs(coef)))
        coef = new
        if done:
            break
    return coef
