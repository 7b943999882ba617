r"""Post-hoc calibration by maximum likelihood: temperature scaling and Platt scaling.

Both fit a model's held-out outputs by minimising the negative log-likelihood
(the mean cross-entropy) with a safeguarded Newton method written here in
numpy (no SciPy at run time). Both objectives are convex in the fitted
parameters, so the minimiser is unique when it exists; when it does not (the
scores separate the classes, or carry no signal in the right direction) a
``ValueError`` says so rather than returning a runaway value.
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v
from ._activations import _logsumexp_rows, _softmax_rows
from ._losses import _binary_targets, _pred

__all__ = ["fit_temperature", "fit_platt"]

_MAX_ITER = 200
_SEPARATED = (
    "the NLL keeps decreasing as T -> 0: every label is the arg-max of its row (each y_true "
    "label has the largest of its logits: held-out data separated perfectly), so no finite "
    "temperature minimises it"
)


def _temp_objective(beta, z, zy):
    """Mean NLL at inverse temperature ``beta``, its first and second derivative."""
    zb = beta * z
    nll = float(np.mean(_logsumexp_rows(zb) - beta * zy))
    p = _softmax_rows(zb)
    ez = (p * z).sum(axis=1)
    ez2 = (p * z * z).sum(axis=1)
    d1 = float(np.mean(ez - zy))
    d2 = float(np.mean(np.maximum(ez2 - ez * ez, 0.0)))
    return nll, d1, d2


def fit_temperature(logits, y_true):
    r"""Temperature scaling: the temperature ``T`` that minimises held-out NLL.

    .. math::

       T^\star = \arg\min_{T > 0}\; \frac1N \sum_{i=1}^{N}
       \Bigl[\operatorname{LSE}(z_i / T) - z_{i y_i} / T\Bigr]

    Parameters
    ----------
    logits : array_like, shape (N, C) or (N,)
        Held-out logits, finite. A 1-D array holds binary logits
        (:math:`p = \sigma(z / T)`, the same as the two columns ``[0, z]``).
    y_true : array_like, shape (N,)
        Integer labels in ``[0, C)`` (0/1 for binary logits).

    Returns
    -------
    float
        The fitted temperature :math:`T^\star > 0`; divide the logits by it.

    Shape
    -----
    ``logits`` (N, C) with one label per row, or (N,) binary.

    Notes
    -----
    Minimised over :math:`\beta = 1/T`, where the NLL is convex
    (:math:`f''(\beta)` is the mean variance of the logits under
    :math:`\operatorname{softmax}(\beta z_i)`): a bracket on :math:`f'` is
    found by doubling, then Newton steps are kept inside it (bisection when a
    step leaves it) until the step is below ``1e-12`` relative. Raises
    ``ValueError`` if :math:`f'(\beta) < 0` for every :math:`\beta` (the
    labels are the arg-max of every row: ``T -> 0``) or :math:`f'(0) \ge 0`
    (logits uninformative or anti-correlated: no positive temperature helps).

    References
    ----------
    - C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
      modern neural networks", ICML 2017.

    Examples
    --------
    >>> import lossbook as lb
    >>> z = [[2.0, 0.0], [2.0, 0.0], [2.0, 0.0], [0.0, 2.0]]
    >>> round(lb.fit_temperature(z, [0, 0, 1, 1]), 4)
    1.8205
    """
    z = _pred(logits, "logits")
    if z.ndim == 1:
        z = np.stack([np.zeros_like(z), z], axis=1)
    elif z.ndim != 2:
        raise ValueError(
            f"logits must be a 2-D array (N, C) or 1-D binary logits, got a {z.ndim}-D array "
            f"of shape {_v._fmt_shape(z.shape)}"
        )
    n, c = z.shape
    labels = _v.check_labels_for(y_true, "y_true", n, c, other="logits")
    if np.all(z[np.arange(n), labels] >= z.max(axis=1)):
        raise ValueError(_SEPARATED)
    # the NLL depends on beta * (z - max_k z): shift each row to its maximum and scale by a
    # power of two so that the largest |logit| is in [0.5, 1) (exact), then scale T back;
    # logits of 1e-300 or 1e300 then fit like logits of 1
    with np.errstate(over="ignore"):
        zc = z - z.max(axis=1, keepdims=True)
    k = 0
    if not np.isfinite(zc).all():
        zc, k = 0.5 * z - 0.5 * z.max(axis=1, keepdims=True), 1
    top = float(np.max(np.abs(zc)))
    e = int(np.frexp(top)[1])
    z = np.ldexp(zc, -e)
    k += e
    zy = z[np.arange(n), labels]
    d0 = float(np.mean(z.mean(axis=1) - zy))
    if not d0 < 0:
        raise ValueError(
            "logits carry no usable signal for temperature scaling: at T = inf the NLL is "
            "not decreasing (the y_true labels are not, on average, among the larger logits)"
        )
    lo, hi = 0.0, 1.0
    while _temp_objective(hi, z, zy)[1] < 0:
        lo = hi
        hi *= 2.0
        if hi > 2.0**60:
            raise ValueError(_SEPARATED)
    beta = 0.5 * (lo + hi)
    for _ in range(_MAX_ITER):
        _, d1, d2 = _temp_objective(beta, z, zy)
        if d1 < 0:
            lo = beta
        else:
            hi = beta
        new = beta - d1 / d2 if d2 > 0 else 0.5 * (lo + hi)
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        done = abs(new - beta) <= 1e-12 * beta or hi - lo <= 1e-15 * hi
        beta = new
        if done:
            break
    return float(np.ldexp(1.0 / beta, k))


def _platt_objective(a, b, s, y):
    u = a * s + b
    soft = np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u)))
    nll = float(np.mean(soft - y * u))
    e = np.exp(-np.abs(u))
    p = np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    r = p - y
    g = np.array([np.mean(r * s), np.mean(r)])
    w = p * (1.0 - p)
    h = np.array([[np.mean(w * s * s), np.mean(w * s)], [np.mean(w * s), np.mean(w)]])
    return nll, g, h


def fit_platt(scores, y_true):
    r"""Platt scaling: the logistic map of scores that minimises held-out NLL.

    .. math::

       (a^\star, b^\star) = \arg\min_{a, b}\; \frac1N \sum_{i=1}^{N}
       \mathrm{BCE}\bigl(y_i,\ \sigma(a m_i + b)\bigr)

    Parameters
    ----------
    scores : array_like, shape (N,)
        Held-out real-valued scores :math:`m_i` (a margin, a logit, a decision
        value).
    y_true : array_like, shape (N,)
        Binary targets in [0, 1] (0/1 labels, or soft targets).

    Returns
    -------
    tuple of float
        ``(a, b)``: the calibrated probability is ``sigmoid(a * m + b)``.

    Shape
    -----
    ``scores`` and ``y_true`` both ``(N,)``.

    Notes
    -----
    Plain maximum likelihood on the given targets: Platt's (1999) smoothed
    targets :math:`(N_+ + 1)/(N_+ + 2)` and :math:`1/(N_- + 2)` are **not**
    applied (pass them as soft targets to get his variant); equal to an
    unpenalised logistic regression on the one feature ``m`` (scikit-learn's
    ``LogisticRegression(C=np.inf)``). Note the sign: Platt and
    scikit-learn's ``CalibratedClassifierCV`` write ``1 / (1 + exp(A m + B))``,
    so ``A = -a``. Newton's method from ``a = 0``, ``b = logit(mean y)``
    with a backtracking line search (the NLL is convex), until the gradient
    is below ``1e-12`` in a scale-free norm. Raises ``ValueError`` when the
    scores separate the classes (no finite minimiser), when ``y_true`` is all
    0 or all 1, or when the scores are constant.

    References
    ----------
    - J. Platt, "Probabilistic outputs for support vector machines and
      comparisons to regularized likelihood methods", Advances in Large
      Margin Classifiers, MIT Press, 2000, pp. 61-74 (often cited as
      1999, the date of the preprint).

    Examples
    --------
    >>> import lossbook as lb
    >>> s = [-2.0, -1.0, 1.0, 2.0, -0.5, 0.5]
    >>> a, b = lb.fit_platt(s, [0, 1, 0, 1, 0, 1])
    >>> round(a, 4), round(b, 4)
    (0.6304, 0.0)
    """
    s = _pred(scores, "scores", ndim=1)
    y = _binary_targets(y_true, s.shape, "scores")
    ybar = float(y.mean())
    if not 0.0 < ybar < 1.0:
        raise ValueError(f"y_true must contain both classes (mean of y_true is {ybar:g}, expected in (0, 1))")
    m, sd = _v.mean_and_spread(s)  # no underflow (scores of 1e-300) or overflow (1e300)
    if not sd > 0:
        raise ValueError("scores are constant: the slope a is not identifiable")
    hard = bool(np.all((y == 0) | (y == 1)))
    if hard:
        pos, neg = s[y == 1], s[y == 0]
        if pos.min() >= neg.max() or pos.max() <= neg.min():
            raise ValueError(
                "the scores separate the classes (every positive scores on one side of every "
                "negative): the NLL keeps decreasing as the slope grows, so Platt scaling has no "
                "finite maximum-likelihood fit"
            )
    # work on standardised scores, map back at the end
    with np.errstate(over="ignore"):
        t = (s - m) / sd
    if not np.isfinite(t).all():  # s - m overflowed
        t = (0.5 * s - 0.5 * m) / sd * 2.0
    a, b = 0.0, float(np.log(ybar) - np.log1p(-ybar))
    nll, g, h = _platt_objective(a, b, t, y)
    for _ in range(_MAX_ITER):
        if np.max(np.abs(g)) <= 1e-12:
            break
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = g
        lam = 1.0
        while True:
            na, nb = a - lam * step[0], b - lam * step[1]
            nnll, ng, nh = _platt_objective(na, nb, t, y)
            if nnll <= nll - 1e-4 * lam * float(g @ step) or lam < 1e-10:
                break
            lam *= 0.5
        if nnll > nll:  # no further decrease possible: at the minimum to rounding
            break
        a, b, nll, g, h = na, nb, nnll, ng, nh
        if abs(a) * float(np.max(np.abs(t))) > 700.0:
            break
    if abs(a) * float(np.max(np.abs(t))) > 700.0 or np.max(np.abs(g)) > 1e-8:
        raise ValueError(
            "the scores separate the classes (or nearly so): the NLL keeps decreasing as the "
            "slope grows, so Platt scaling has no finite maximum-likelihood fit"
        )
    return float(a / sd), float(b - a * m / sd)
