r"""Companion to the chapter "Choosing and debugging a loss": class imbalance,
decisions with costs, counts and quantiles.

- :func:`make_imbalanced_binary`: a one-feature binary problem with a rare
  positive class whose true :math:`P(y = 1 \mid x)` is known in closed form;
- :func:`fit_weighted_logistic`: logistic regression with per-class weights
  on the cross-entropy, fitted exactly by Newton's method;
- :func:`binary_focal_minimiser`: the probability :math:`q^\star(p)` that
  minimises the expected binary focal loss when the true probability is
  :math:`p`;
- :func:`binary_focal_inverse`: the closed-form inverse of that map, the
  true probability behind a focal-loss minimiser;
- :func:`make_misspecified_binary`: a two-feature binary problem with a
  quadratic true log-odds, for which a linear logistic model is misspecified;
- :func:`bayes_action` and :func:`threshold_cost_curve`: the action of least
  expected cost under a cost matrix, and the mean cost of thresholding
  probabilities;
- :func:`make_count_data` and :func:`fit_log_linear`: Poisson counts with a
  log-linear mean, fitted by the Poisson NLL or by squared error;
- :func:`make_heteroscedastic` and :func:`fit_linear_quantile`: data whose
  spread grows with :math:`x`, and an exact linear quantile regression.

Everything here is numpy only; the losses themselves are in the library
(``binary_cross_entropy_with_logits``, ``binary_focal_loss``, ``poisson_nll``,
``pinball_loss``, ``mse``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _validation as _v
from .._activations import sigmoid

__all__ = [
    "make_imbalanced_binary",
    "fit_weighted_logistic",
    "binary_focal_minimiser",
    "binary_focal_inverse",
    "make_misspecified_binary",
    "bayes_action",
    "threshold_cost_curve",
    "make_count_data",
    "fit_log_linear",
    "make_heteroscedastic",
    "fit_linear_quantile",
]


def _real(value, name, *, positive=False, allow_zero=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_v._show(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and (value < 0 or (value == 0 and not allow_zero)):
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {need}, got {value!r}")
    return value


def _open_fraction(value, name):
    value = _real(value, name)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return value


def _open_unit_array(x, name):
    """``x`` as a finite float array with every entry in (0, 1), or a ValueError."""
    x = _v.as_float_array(x, name, allow_bool=False)
    _v.check_finite(x, name)
    if x.size and (x.min() <= 0 or x.max() >= 1):
        bad = x[(x <= 0) | (x >= 1)].flat[0]
        raise ValueError(f"{name} must be strictly between 0 and 1, got {float(bad)!r}")
    return x


def make_imbalanced_binary(n, *, prior=0.1, separation=2.0, seed=0):
    r"""A binary problem with a rare positive class and a known posterior.

    :math:`y \sim \mathrm{Bernoulli}(\pi)` and :math:`x \mid y \sim
    \mathcal N(d\,y, 1)`, so that

    .. math::

       P(y = 1 \mid x) = \sigma\Bigl(\log\frac{\pi}{1 - \pi} + d\,x - \frac{d^2}{2}\Bigr),

    a logistic model in :math:`x` (the model class of
    :func:`fit_weighted_logistic` contains the truth).

    Parameters
    ----------
    n : int
        Number of samples, >= 1.
    prior : float in (0, 1), default 0.1
        :math:`\pi`, the share of positives.
    separation : float > 0, default 2.0
        :math:`d`, the distance between the class means (in standard
        deviations).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    x : ndarray, shape (n,)
    y : ndarray of int, shape (n,)
    p_true : ndarray, shape (n,)
        :math:`P(y = 1 \mid x)` at each ``x``.

    Examples
    --------
    >>> from lossbook import demos
    >>> x, y, p = demos.make_imbalanced_binary(5, seed=1)
    >>> x.shape, y.shape, bool(((p > 0) & (p < 1)).all())
    ((5,), (5,), True)
    """
    n = _v.check_int(n, "n")
    prior = _open_fraction(prior, "prior")
    d = _real(separation, "separation", positive=True)
    rng = np.random.default_rng(_v.check_seed(seed))
    y = (rng.random(n) < prior).astype(int)
    x = rng.normal(size=n) + d * y
    p_true = sigmoid(math.log(prior / (1 - prior)) + d * x - d * d / 2)
    return x, y, p_true


def _design(x, name="x"):
    x = _v.as_float_array(x, name, min_ndim=1, allow_bool=False)
    if x.ndim > 2:
        raise ValueError(f"{name} must have shape (N,) or (N, D), got shape {x.shape}")
    _v.check_finite(x, name)
    return x.reshape(len(x), -1)


def fit_weighted_logistic(x, y, *, weights=(1.0, 1.0), n_iter=50):
    r"""Logistic regression minimising the class-weighted cross-entropy.

    .. math::

       \frac1N \sum_{i=1}^N -w_{y_i} \log p_{i y_i}, \qquad
       p_{i1} = \sigma(\boldsymbol w^\top \boldsymbol x_i + b)

    fitted by Newton's method (the objective is convex). The iteration stops
    when a Newton step changes no parameter by more than :math:`10^{-10}`
    (relative); the fit is then exact to rounding.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, D)
        Features.
    y : array_like of int, shape (N,)
        Labels in {0, 1}, both present.
    weights : pair of floats > 0, default (1.0, 1.0)
        :math:`(w_0, w_1)`, the weights of the negative and the positive class.
    n_iter : int, default 50
        The most Newton steps to take.

    Returns
    -------
    coef : ndarray, shape (D,)
    intercept : float

    Raises
    ------
    ValueError
        If the classes are linearly separable (the minimiser is at
        infinity: the Hessian becomes singular, or the steps never shrink),
        or Newton's method has not converged after ``n_iter`` steps.

    Examples
    --------
    >>> from lossbook import demos
    >>> x, y, _ = demos.make_imbalanced_binary(2000, seed=0)
    >>> coef, b = demos.fit_weighted_logistic(x, y)
    >>> bool(abs(coef[0] - 2.0) < 0.3)
    True
    """
    X = _design(x)
    y = _v.check_labels(y, "y", 2)
    if len(y) != len(X):
        raise ValueError(f"x and y must have the same length, got {len(X)} and {len(y)}")
    if y.min() == y.max():
        raise ValueError("y must contain both classes 0 and 1")
    if not isinstance(weights, (tuple, list, np.ndarray)) or len(weights) != 2:
        raise ValueError(f"weights must be a pair (w0, w1), got {_v._show(weights)}")
    w0, w1 = (_real(w, "weights", positive=True) for w in weights)
    n_iter = _v.check_int(n_iter, "n_iter")
    A = np.column_stack([X, np.ones(len(X))])
    sw = np.where(y == 1, w1, w0)
    theta = np.zeros(A.shape[1])
    separable = (
        "y is linearly separable by x (or nearly so): the weighted logistic"
        " fit has no finite minimiser"
    )
    for _ in range(n_iter):
        p = sigmoid(A @ theta)
        grad = A.T @ (sw * (p - y))
        hess = (A * (sw * p * (1 - p))[:, None]).T @ A
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            raise ValueError(separable) from None
        if not np.all(np.isfinite(step)):
            raise ValueError(separable)
        theta = theta - step
        # converged: the Newton step no longer changes theta
        if np.max(np.abs(step)) <= 1e-10 * (1.0 + np.max(np.abs(theta))):
            return theta[:-1], float(theta[-1])
    raise ValueError(
        f"Newton's method did not converge in n_iter={n_iter} steps; perhaps"
        " y is linearly separable by x (then the fit has no finite minimiser)"
    )


def _focal_dloss(u, gamma):
    """d/du of f(u) = -(1 - u)^gamma log u, for u in (0, 1)."""
    out = -((1 - u) ** gamma) / u
    if gamma != 0.0:
        out = out + gamma * (1 - u) ** (gamma - 1) * np.log(u)
    return out


def binary_focal_minimiser(p, *, gamma=2.0):
    r"""The prediction that minimises the expected binary focal loss.

    With :math:`f(u) = -(1 - u)^\gamma \log u` the expected loss of
    predicting :math:`q` when the outcome is 1 with probability :math:`p` is
    :math:`R(q) = p\,f(q) + (1 - p)\,f(1 - q)`; this returns its minimiser
    :math:`q^\star(p)`, the root of

    .. math::

       p\,f'(q) = (1 - p)\,f'(1 - q),

    found by bisection in :math:`q` (60 halvings of the logit interval
    :math:`[-40, 40]`). For :math:`\gamma = 0` (cross-entropy) it is
    :math:`p`; for :math:`\gamma > 0` it is pulled towards one half.

    Parameters
    ----------
    p : array_like
        True probabilities, in (0, 1).
    gamma : float >= 0, default 2.0
        The focusing parameter.

    Returns
    -------
    ndarray, same shape as ``p``

    Examples
    --------
    >>> from lossbook import demos
    >>> float(demos.binary_focal_minimiser(0.5))
    0.5
    >>> bool(demos.binary_focal_minimiser(0.9, gamma=2.0) < 0.9)
    True
    """
    p = _open_unit_array(p, "p")
    gamma = _real(gamma, "gamma", positive=True, allow_zero=True)
    lo = np.full(p.shape, -40.0)
    hi = np.full(p.shape, 40.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        q = sigmoid(mid)
        slope = p * _focal_dloss(q, gamma) - (1 - p) * _focal_dloss(1 - q, gamma)
        up = slope < 0  # R still falling: the minimiser lies to the right
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    return sigmoid(0.5 * (lo + hi))


def binary_focal_inverse(q, *, gamma=2.0):
    r"""The true probability whose expected-focal-loss minimiser is ``q``.

    Solving the stationarity condition of :func:`binary_focal_minimiser`,
    :math:`p\,f'(q) = (1 - p)\,f'(1 - q)` with
    :math:`f(u) = -(1 - u)^\gamma \log u`, for :math:`p` gives the closed form

    .. math::

       p = \frac{f'(1 - q)}{f'(q) + f'(1 - q)}, \qquad
       f'(u) = \gamma (1 - u)^{\gamma - 1} \log u - \frac{(1 - u)^\gamma}{u},

    well defined because :math:`f'(u) < 0` on :math:`(0, 1)`
    (Charoenphakdee et al., CVPR 2021, give the same map for the multiclass
    focal loss). It inverts :func:`binary_focal_minimiser`: a model trained
    with the focal loss reports ``q``; this returns the probability it
    estimates.

    Parameters
    ----------
    q : array_like
        Minimisers (reported probabilities), in (0, 1).
    gamma : float >= 0, default 2.0
        The focusing parameter.

    Returns
    -------
    ndarray, same shape as ``q``

    Examples
    --------
    >>> from lossbook import demos
    >>> float(demos.binary_focal_inverse(0.5))
    0.5
    >>> round(float(demos.binary_focal_inverse(0.8, gamma=2.0)), 4)
    0.9765
    """
    q = _open_unit_array(q, "q")
    gamma = _real(gamma, "gamma", positive=True, allow_zero=True)
    d_pos, d_neg = _focal_dloss(q, gamma), _focal_dloss(1 - q, gamma)
    return d_neg / (d_pos + d_neg)


def make_misspecified_binary(n, *, prior=0.1, seed=0):
    r"""A two-feature binary problem on which a linear logistic model is wrong.

    :math:`y \sim \mathrm{Bernoulli}(\pi)`; negatives
    :math:`\boldsymbol x \sim \mathcal N(\boldsymbol 0, I)`, positives
    :math:`\boldsymbol x \sim \mathcal N\bigl((2, 0), \operatorname{diag}(0.5^2, 3^2)\bigr)`.
    The covariances differ, so the true log-odds

    .. math::

       \log\frac{\pi}{1 - \pi} - \log 1.5
       - \tfrac12\Bigl(\frac{(x_1 - 2)^2}{0.25} + \frac{x_2^2}{9}\Bigr)
       + \tfrac12\bigl(x_1^2 + x_2^2\bigr)

    are quadratic in :math:`\boldsymbol x`: no linear logistic model
    contains the truth (compare :func:`make_imbalanced_binary`).

    Parameters
    ----------
    n : int
        Number of samples, >= 1.
    prior : float in (0, 1), default 0.1
        :math:`\pi`, the share of positives.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    x : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,)
    p_true : ndarray, shape (n,)
        :math:`P(y = 1 \mid \boldsymbol x)` at each row of ``x``.

    Examples
    --------
    >>> from lossbook import demos
    >>> x, y, p = demos.make_misspecified_binary(4, seed=1)
    >>> x.shape, y.shape, bool(((p > 0) & (p < 1)).all())
    ((4, 2), (4,), True)
    """
    n = _v.check_int(n, "n")
    prior = _open_fraction(prior, "prior")
    rng = np.random.default_rng(_v.check_seed(seed))
    y = (rng.random(n) < prior).astype(int)
    z = rng.normal(size=(n, 2))
    scale = np.where(y[:, None] == 1, [0.5, 3.0], 1.0)
    x = z * scale + np.where(y[:, None] == 1, [2.0, 0.0], 0.0)
    logit = (
        math.log(prior / (1 - prior)) - math.log(1.5)
        - 0.5 * (((x[:, 0] - 2.0) / 0.5) ** 2 + (x[:, 1] / 3.0) ** 2)
        + 0.5 * (x[:, 0] ** 2 + x[:, 1] ** 2)
    )
    return x, y, sigmoid(logit)


def bayes_action(probs, cost):
    r"""The action of least expected cost for each row of class probabilities.

    .. math::

       a^\star(\boldsymbol p) = \operatorname*{arg\,min}_a \sum_{k=1}^{C} c_{ak}\, p_k

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Probability rows (each sums to 1).
    cost : array_like, shape (A, C)
        :math:`c_{ak}`, the cost of action ``a`` when the class is ``k``.

    Returns
    -------
    ndarray of int, shape (N,)
        The index of the cheapest action (the first, on ties).

    Examples
    --------
    >>> from lossbook import demos
    >>> P = [[0.8, 0.2], [0.95, 0.05]]
    >>> demos.bayes_action(P, [[0, 10], [1, 0]]).tolist()
    [1, 0]
    """
    P = _v.check_probabilities(probs, "probs", ndim=2)
    Cm = _v.as_float_array(cost, "cost", ndim=2, allow_bool=False)
    _v.check_finite(Cm, "cost")
    if Cm.shape[1] != P.shape[1]:
        raise ValueError(
            f"cost must have one column per class ({P.shape[1]}), got shape {Cm.shape}"
        )
    return np.argmin(P @ Cm.T, axis=1)


def threshold_cost_curve(y_true, y_prob, thresholds, *, c_fp, c_fn):
    r"""Mean cost per item of predicting positive when ``y_prob > t``.

    .. math::

       \mathrm{cost}(t) = \frac1N \sum_{i=1}^N
       \Bigl(c_{\mathrm{FP}}\,\mathbb{1}[p_i > t,\, y_i = 0]
       + c_{\mathrm{FN}}\,\mathbb{1}[p_i \le t,\, y_i = 1]\Bigr)

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Labels in {0, 1}.
    y_prob : array_like, shape (N,)
        Predicted probabilities of class 1.
    thresholds : array_like, shape (T,)
        Thresholds to evaluate.
    c_fp, c_fn : float >= 0
        Cost of a false positive and of a false negative.

    Returns
    -------
    ndarray, shape (T,)

    Examples
    --------
    >>> from lossbook import demos
    >>> curve = demos.threshold_cost_curve([0, 1], [0.3, 0.6], [0.5, 0.7],
    ...                                     c_fp=1, c_fn=4)
    >>> curve.tolist()
    [0.0, 2.0]
    """
    y = _v.check_labels(y_true, "y_true", 2)
    p = _v.check_probabilities(y_prob, "y_prob", ndim=1, rows_sum_to_one=False)
    _v.check_same_shape(y, p, "y_true", "y_prob")
    t = _v.as_float_array(thresholds, "thresholds", min_ndim=1, allow_bool=False)
    _v.check_finite(t, "thresholds")
    c_fp = _real(c_fp, "c_fp", positive=True, allow_zero=True)
    c_fn = _real(c_fn, "c_fn", positive=True, allow_zero=True)
    pos = p[None, :] > t.reshape(-1, 1)
    fp = (pos & (y == 0)).sum(axis=1)
    fn = (~pos & (y == 1)).sum(axis=1)
    return (c_fp * fp + c_fn * fn) / len(y)


def make_count_data(n, *, intercept=0.0, slope=0.8, seed=0):
    r"""Poisson counts with a log-linear mean: :math:`y \sim \mathrm{Poisson}(e^{a + b x})`.

    Parameters
    ----------
    n : int
        Number of samples, >= 1.
    intercept, slope : float, default 0.0 and 0.8
        :math:`a` and :math:`b`.
    seed : int, default 0
        Seed; ``x`` is uniform on [0, 4].

    Returns
    -------
    x : ndarray, shape (n,)
    y : ndarray, shape (n,)
        Counts (floats).

    Examples
    --------
    >>> from lossbook import demos
    >>> x, y = demos.make_count_data(4, seed=0)
    >>> bool((y >= 0).all() and (y == y.round()).all())
    True
    """
    n = _v.check_int(n, "n")
    a = _real(intercept, "intercept")
    b = _real(slope, "slope")
    rng = np.random.default_rng(_v.check_seed(seed))
    x = rng.uniform(0.0, 4.0, n)
    return x, rng.poisson(np.exp(a + b * x)).astype(float)


def fit_log_linear(x, y, *, loss="poisson", n_iter=30):
    r"""Fit the mean :math:`\mu(x) = e^{a + b x}` by the Poisson NLL or by squared error.

    ``loss="poisson"`` minimises :math:`\frac1N \sum_i (e^{\eta_i} - y_i \eta_i)`
    with :math:`\eta_i = a + b x_i` (Newton's method: the objective is convex);
    ``loss="mse"`` minimises :math:`\frac1N \sum_i (e^{\eta_i} - y_i)^2`
    (Gauss-Newton with step halving, started from the Poisson fit).

    Parameters
    ----------
    x, y : array_like, shape (N,)
        Inputs and counts (``y >= 0``).
    loss : {"poisson", "mse"}, default "poisson"
    n_iter : int, default 30
        Largest number of iterations of each method (each stops early once
        its step is below 1e-13 relative to the parameters).

    Returns
    -------
    ndarray, shape (2,)
        ``(a, b)``.

    Examples
    --------
    >>> from lossbook import demos
    >>> x, y = demos.make_count_data(4000, seed=1)
    >>> a, b = demos.fit_log_linear(x, y)
    >>> bool(abs(a) < 0.1 and abs(b - 0.8) < 0.05)
    True
    """
    x = _v.as_float_array(x, "x", ndim=1, allow_bool=False)
    y = _v.as_float_array(y, "y", ndim=1, allow_bool=False)
    _v.check_same_shape(x, y, "x", "y")
    _v.check_finite(x, "x")
    _v.check_finite(y, "y")
    if y.min() < 0:
        raise ValueError(f"y must be counts >= 0, got {float(y.min())!r}")
    if y.max() <= 0:
        raise ValueError("y must have at least one positive count")
    loss = _v.check_choice(loss, "loss", ("poisson", "mse"))
    n_iter = _v.check_int(n_iter, "n_iter")
    A = np.column_stack([np.ones_like(x), x])
    theta = np.array([math.log(y.mean()), 0.0])
    for _ in range(n_iter):  # Newton on the Poisson NLL
        mu = np.exp(A @ theta)
        step = np.linalg.solve((A * mu[:, None]).T @ A, A.T @ (mu - y))
        theta = theta - step
        if np.max(np.abs(step)) < 1e-13 * (1 + np.max(np.abs(theta))):
            break
    if loss == "mse":
        def sse(th):
            return float(np.sum((np.exp(A @ th) - y) ** 2))

        for _ in range(n_iter):  # Gauss-Newton with step halving
            mu = np.exp(A @ theta)
            J = A * mu[:, None]
            step = np.linalg.lstsq(J, y - mu, rcond=None)[0]
            old, s = sse(theta), 1.0
            while s > 1e-10 and sse(theta + s * step) > old:
                s /= 2
            theta = theta + s * step
            if np.max(np.abs(s * step)) < 1e-13 * (1 + np.max(np.abs(theta))):
                break
    return theta


def make_heteroscedastic(n, *, seed=0):
    r"""Data whose noise grows with :math:`x`: :math:`y = 1 + x + (0.2 + 0.3x)\,\varepsilon`.

    :math:`x` is uniform on [0, 4] and :math:`\varepsilon` standard normal,
    so the :math:`\tau`-quantile of :math:`y` given :math:`x` is
    :math:`1 + x + (0.2 + 0.3x)\,\Phi^{-1}(\tau)`, linear in :math:`x`.

    Parameters
    ----------
    n : int
        Number of samples, >= 1.
    seed : int, default 0

    Returns
    -------
    x, y : ndarray, shape (n,)

    Examples
    --------
    >>> from lossbook import demos
    >>> x, y = demos.make_heteroscedastic(3, seed=0)
    >>> x.shape == y.shape == (3,)
    True
    """
    n = _v.check_int(n, "n")
    rng = np.random.default_rng(_v.check_seed(seed))
    x = rng.uniform(0.0, 4.0, n)
    return x, 1.0 + x + (0.2 + 0.3 * x) * rng.normal(size=n)


def fit_linear_quantile(x, y, *, quantile=0.5):
    r"""Exact linear quantile regression: the line minimising the mean pinball loss.

    .. math::

       (\hat a, \hat b) = \operatorname*{arg\,min}_{a, b}
       \frac1N \sum_{i=1}^N \ell_\tau\bigl(y_i, a + b x_i\bigr)

    The objective is piecewise linear and convex, so a minimiser passes
    through two data points (a vertex of the linear programme of Koenker and
    Bassett): its slope is one of the pairwise slopes
    :math:`(y_j - y_i)/(x_j - x_i)`. For a fixed slope :math:`b` the best
    intercept is a :math:`\tau`-quantile of :math:`y_i - b x_i`, and the
    profile :math:`g(b) = \min_a` (mean loss) is convex (a partial minimum of
    a convex function) and linear between consecutive pairwise slopes. So
    this sorts the pairwise slopes and finds the smallest :math:`g` among
    them by bisection on the sign of its differences. Cost
    :math:`O(N^2 \log N)`.

    Parameters
    ----------
    x, y : array_like, shape (N,)
        Inputs and targets, ``N`` between 2 and 2000.
    quantile : float in (0, 1), default 0.5
        :math:`\tau`.

    Returns
    -------
    ndarray, shape (2,)
        ``(a, b)``.

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.fit_linear_quantile([0, 1, 2], [1, 3, 5], quantile=0.5).tolist()
    [1.0, 2.0]
    """
    x = _v.as_float_array(x, "x", ndim=1, allow_bool=False)
    y = _v.as_float_array(y, "y", ndim=1, allow_bool=False)
    _v.check_same_shape(x, y, "x", "y")
    _v.check_finite(x, "x")
    _v.check_finite(y, "y")
    if not 2 <= len(x) <= 2000:
        raise ValueError(f"x must have between 2 and 2000 points, got {len(x)}")
    tau = _open_fraction(quantile, "quantile")
    i, j = np.triu_indices(len(x), k=1)
    keep = x[i] != x[j]
    if not keep.any():
        raise ValueError("x must take at least two distinct values")
    i, j = i[keep], j[keep]
    slopes = np.unique((y[j] - y[i]) / (x[j] - x[i]))
    # the best intercept for a slope: an order statistic of y - b x (the
    # inverted-cdf tau-quantile minimises the mean pinball loss)
    rank = max(0, math.ceil(tau * len(x)) - 1)

    def profile(k):
        r = y - slopes[k] * x
        a = float(np.partition(r, rank)[rank])
        r = r - a
        return float(np.maximum(tau * r, (tau - 1) * r).sum()), a

    lo, hi = 0, len(slopes) - 1  # the minimum lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if profile(mid + 1)[0] < profile(mid)[0]:
            lo = mid + 1
        else:
            hi = mid
    # rounding can blur a flat stretch: look at the neighbours too
    near = range(max(0, lo - 2), min(len(slopes), lo + 3))
    k = min(near, key=lambda m: profile(m)[0])
    return np.array([profile(k)[1], float(slopes[k])])
