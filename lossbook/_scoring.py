r"""Scoring rules and calibration summaries for probability forecasts.

Companion to the chapter "Calibration and proper scoring rules":

- :func:`spherical_score`: the spherical scoring rule (a strictly proper
  score, higher is better), beside the log score
  (:func:`lossbook.categorical_cross_entropy`) and the Brier score
  (:func:`lossbook.brier_score`);
- :func:`reliability_curve`: observed frequency against mean forecast in
  equal-width bins, for binary forecasts;
- :func:`brier_decomposition`: Murphy's split of the binary Brier score into
  reliability, resolution and uncertainty, with the two within-bin terms that
  appear when continuous forecasts are binned.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from ._losses import _binary_targets

__all__ = [
    "spherical_score",
    "ReliabilityCurve",
    "reliability_curve",
    "BrierDecomposition",
    "brier_decomposition",
]


def spherical_score(y_true, y_prob, *, reduction="mean"):
    r"""Spherical score of probability forecasts (higher is better).

    .. math::

       S(\mathbf p, y) = \frac{p_y}{\lVert \mathbf p \rVert_2}
       = \frac{p_y}{\sqrt{\sum_{k=1}^{C} p_k^2}}

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Outcomes: integer labels in ``[0, C)`` (0/1 for binary forecasts).
    y_prob : array_like, shape (N,) or (N, C)
        Binary: probability of outcome 1, in [0, 1], shape (N,) (the row
        :math:`(1 - p, p)`). Classes: rows of probabilities summing to 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)
        Scores in [0, 1]; a positively oriented rule (a reward, not a loss).

    Notes
    -----
    Strictly proper: for a true distribution :math:`\mathbf q` the expected
    score :math:`\sum_y q_y p_y / \lVert \mathbf p\rVert = \mathbf q \cdot
    \mathbf p / \lVert \mathbf p \rVert` is, by the Cauchy-Schwarz
    inequality, largest exactly at :math:`\mathbf p = \mathbf q`
    (Gneiting and Raftery, 2007). Use ``1 - spherical_score`` as a loss.

    References
    ----------
    - T. Gneiting and A. E. Raftery, "Strictly proper scoring rules,
      prediction, and estimation", JASA 102 (2007).

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.spherical_score([0], [[0.6, 0.4]])), 6)
    0.83205
    >>> round(float(lb.spherical_score([1], [0.5])), 6)
    0.707107
    """
    reduction = _v.check_reduction(reduction)
    p = _v.as_float_array(y_prob, "y_prob", min_ndim=1)
    if p.ndim == 1:
        _v.check_range(p, "y_prob", 0.0, 1.0, "probabilities")
        p = np.stack([1.0 - p, p], axis=1)
    elif p.ndim == 2:
        _v.check_range(p, "y_prob", 0.0, 1.0, "probabilities")
        _v.check_rows_sum_to_one(p, "y_prob")
    else:
        raise ValueError(
            f"y_prob must be a 1-D array of binary probabilities or a 2-D array of class "
            f"probability rows, got a {p.ndim}-D array of shape {_v._fmt_shape(p.shape)}"
        )
    n, c = p.shape
    y = _v.check_labels_for(y_true, "y_true", n, c, other="y_prob")
    # scale each row by its largest entry (>= 1/C) before the norm: no underflow
    top = p.max(axis=1)
    norm = top * np.sqrt(np.sum((p / top[:, None]) ** 2, axis=1))
    s = p[np.arange(n), y] / norm
    if reduction == "none":
        return s
    return float(np.sum(s)) if reduction == "sum" else float(np.mean(s))


class ReliabilityCurve(NamedTuple):
    """Binned binary forecasts: mean forecast against observed frequency.

    Attributes
    ----------
    edges : ndarray, shape (n_bins + 1,)
        Bin edges on [0, 1].
    mean_predicted : ndarray, shape (n_bins,)
        Mean forecast :math:`\\bar f_b` in each bin (NaN for an empty bin).
    observed : ndarray, shape (n_bins,)
        Fraction of outcomes equal to 1, :math:`\\bar o_b` (NaN if empty).
    counts : ndarray of int, shape (n_bins,)
        Number of forecasts :math:`n_b` in each bin.
    """

    edges: np.ndarray
    mean_predicted: np.ndarray
    observed: np.ndarray
    counts: np.ndarray


def _binary_forecasts(y_true, y_prob):
    f = _v.as_float_array(y_prob, "y_prob", ndim=1)
    _v.check_range(f, "y_prob", 0.0, 1.0, "probabilities")
    o = _binary_targets(y_true, f.shape, "y_prob")
    if not np.all((o == 0.0) | (o == 1.0)):
        raise ValueError("y_true must hold binary outcomes 0 or 1 (got a value strictly between)")
    if f.size == 0:
        raise ValueError("y_prob must hold at least one forecast, got an empty array")
    return o, f


def _bin_index(f, n_bins):
    return np.clip(np.ceil(f * n_bins).astype(np.intp) - 1, 0, n_bins - 1)


def reliability_curve(y_true, y_prob, *, n_bins=10):
    r"""Reliability curve of binary forecasts in equal-width bins.

    Bin :math:`b` holds the forecasts in :math:`((b-1)/B,\ b/B]` (the first
    bin also holds 0). For each bin

    .. math::

       \bar f_b = \frac{1}{n_b} \sum_{i \in b} f_i,
       \qquad
       \bar o_b = \frac{1}{n_b} \sum_{i \in b} o_i .

    Parameters
    ----------
    y_true : array_like, shape (N,)
        Outcomes, 0 or 1.
    y_prob : array_like, shape (N,)
        Forecast probabilities of outcome 1, in [0, 1].
    n_bins : int, default 10
        Number of equal-width bins :math:`B` (at least 1).

    Returns
    -------
    ReliabilityCurve
        ``(edges, mean_predicted, observed, counts)``; empty bins hold NaN.

    Notes
    -----
    On the non-empty bins this is ``sklearn.calibration.calibration_curve``
    with ``strategy="uniform"`` (which returns ``(observed,
    mean_predicted)`` in that order and drops empty bins). For the top-label
    confidence of a multiclass model use :func:`lossbook.reliability_bins`.

    Examples
    --------
    >>> import lossbook as lb
    >>> r = lb.reliability_curve([0, 1, 1, 1], [0.2, 0.3, 0.9, 0.7], n_bins=2)
    >>> r.counts.tolist(), r.observed.tolist()
    ([2, 2], [0.5, 1.0])
    """
    o, f = _binary_forecasts(y_true, y_prob)
    n_bins = _v.check_int(n_bins, "n_bins", minimum=1)
    idx = _bin_index(f, n_bins)
    counts = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):  # intended: empty bins give NaN
        mean_f = np.bincount(idx, weights=f, minlength=n_bins) / counts
        obs = np.bincount(idx, weights=o, minlength=n_bins) / counts
    return ReliabilityCurve(np.linspace(0.0, 1.0, n_bins + 1), mean_f, obs, counts)


class BrierDecomposition(NamedTuple):
    """Murphy's decomposition of the binary Brier score.

    ``brier = reliability - resolution + uncertainty
    + within_variance - 2 * within_covariance``; the last two are 0 when
    every bin holds a single forecast value.

    Attributes
    ----------
    brier : float
        Mean squared error :math:`\\frac1N \\sum_i (f_i - o_i)^2`.
    reliability : float
        :math:`\\frac1N \\sum_b n_b (\\bar f_b - \\bar o_b)^2` (lower is better).
    resolution : float
        :math:`\\frac1N \\sum_b n_b (\\bar o_b - \\bar o)^2` (higher is better).
    uncertainty : float
        :math:`\\bar o (1 - \\bar o)`.
    within_variance : float
        :math:`\\frac1N \\sum_b \\sum_{i\\in b} (f_i - \\bar f_b)^2`.
    within_covariance : float
        :math:`\\frac1N \\sum_b \\sum_{i\\in b} (f_i - \\bar f_b)(o_i - \\bar o_b)`.
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_variance: float
    within_covariance: float


def brier_decomposition(y_true, y_prob, *, n_bins=None):
    r"""Murphy's decomposition of the binary Brier score.

    With forecasts grouped into bins :math:`b` (:math:`n_b` items, mean
    forecast :math:`\bar f_b`, observed frequency :math:`\bar o_b`, overall
    frequency :math:`\bar o`),

    .. math::

       \begin{aligned}
       \frac1N \sum_i (f_i - o_i)^2
       ={}& \underbrace{\tfrac1N \textstyle\sum_b n_b (\bar f_b - \bar o_b)^2}_{\text{reliability}}
       - \underbrace{\tfrac1N \textstyle\sum_b n_b (\bar o_b - \bar o)^2}_{\text{resolution}} \\
       &+ \underbrace{\bar o (1 - \bar o)}_{\text{uncertainty}}
       + \mathrm{WBV} - 2\,\mathrm{WBC}
       \end{aligned}

    where :math:`\mathrm{WBV} = \frac1N\sum_b\sum_{i\in b}(f_i - \bar f_b)^2`
    and :math:`\mathrm{WBC} = \frac1N\sum_b\sum_{i\in b}(f_i - \bar f_b)(o_i -
    \bar o_b)` vanish when each bin holds one forecast value.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        Outcomes, 0 or 1.
    y_prob : array_like, shape (N,)
        Forecast probabilities of outcome 1, in [0, 1].
    n_bins : int, optional
        ``None`` (default): one group per distinct forecast value (Murphy's
        setting; the three-term identity is exact). An integer: the
        equal-width bins of :func:`reliability_curve`.

    Returns
    -------
    BrierDecomposition
        ``(brier, reliability, resolution, uncertainty, within_variance,
        within_covariance)``.

    Notes
    -----
    ``brier`` is the binary Brier score, ``sklearn.metrics.brier_score_loss``
    and ``lossbook.brier_score`` of a 1-D forecast; Brier's (1950) class form
    sums over both classes and is twice as large. Murphy (1973) states the
    three-term identity for forecasts that take finitely many values;
    Stephenson, Coelho and Jolliffe (2008) give the two within-bin terms.

    References
    ----------
    - A. H. Murphy, "A new vector partition of the probability score",
      Journal of Applied Meteorology 12 (1973).
    - D. B. Stephenson, C. A. S. Coelho and I. T. Jolliffe, "Two extra
      components in the Brier score decomposition", Weather and Forecasting
      23 (2008).

    Examples
    --------
    >>> import lossbook as lb
    >>> d = lb.brier_decomposition([0, 1, 1, 1], [0.5, 0.5, 1.0, 1.0])
    >>> d.brier, d.reliability, d.resolution, d.uncertainty
    (0.125, 0.0, 0.0625, 0.1875)
    """
    o, f = _binary_forecasts(y_true, y_prob)
    n = f.size
    if n_bins is None:
        values, idx = np.unique(f, return_inverse=True)
        idx = idx.reshape(-1)
        k = values.size
    else:
        k = _v.check_int(n_bins, "n_bins", minimum=1)
        idx = _bin_index(f, k)
    counts = np.bincount(idx, minlength=k)
    keep = counts > 0
    nb = counts[keep].astype(np.float64)
    if n_bins is None:
        fb = values  # every group holds one value: its mean is that value, exactly
    else:
        fb = np.bincount(idx, weights=f, minlength=k)[keep] / nb
    ob = np.bincount(idx, weights=o, minlength=k)[keep] / nb
    obar = float(np.mean(o))
    brier = float(np.mean((f - o) ** 2))
    rel = float(np.sum(nb * (fb - ob) ** 2) / n)
    res = float(np.sum(nb * (ob - obar) ** 2) / n)
    unc = obar * (1.0 - obar)
    pos = np.cumsum(keep) - 1  # map bin index -> index among non-empty bins
    df = f - fb[pos[idx]]
    do = o - ob[pos[idx]]
    wbv = float(np.mean(df * df))
    wbc = float(np.mean(df * do))
    return BrierDecomposition(brier, rel, res, unc, wbv, wbc)
