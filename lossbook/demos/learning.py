r"""Demos for the chapter "Learning as optimisation".

- :func:`margin_loss`: the binary margin losses (0-1, hinge, logistic,
  squared, exponential) as functions of the margin :math:`m = y f(x)`,
  :math:`y \in \{-1, +1\}`, for the surrogate-loss figure;
- :func:`conditional_risk_minimiser`: the score that minimises the conditional
  risk :math:`\pi\,\phi(f) + (1 - \pi)\,\phi(-f)` of a convex margin loss,
  found numerically (bisection on its derivative);
- :func:`population_risk_logistic` and :func:`erm_gap_simulation`: the
  population risk of the chapter's one-feature logistic model and a seeded
  simulation of empirical against population risk of the fitted model;
- :func:`minibatch_gradients`: seeded minibatch means of per-example
  gradients, for the variance of the SGD gradient estimate.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import _validation as _v

__all__ = [
    "margin_loss",
    "conditional_risk_minimiser",
    "population_risk_logistic",
    "erm_gap_simulation",
    "ErmGap",
    "minibatch_gradients",
]

_MARGIN_LOSSES = ("zero_one", "hinge", "logistic", "squared", "exponential")
_CONVEX = ("hinge", "logistic", "squared", "exponential")


def _check_loss(loss, allowed):
    return _v.check_choice(loss, "loss", allowed)


def margin_loss(margins, loss, *, base=None):
    r"""A binary margin loss :math:`\phi(m)` at each margin :math:`m = y f(x)`.

    .. math::

       \phi_{0\text{-}1}(m) = \mathbb 1[m \le 0],\quad
       \phi_{\text{hinge}}(m) = \max(0, 1 - m),

       \phi_{\text{log}}(m) = \log(1 + e^{-m}),\quad
       \phi_{\text{sq}}(m) = (1 - m)^2,\quad
       \phi_{\exp}(m) = e^{-m}.

    Parameters
    ----------
    margins : array_like
        Finite margins :math:`m = y f(x)` with labels :math:`y \in \{-1, +1\}`
        and real scores :math:`f(x)`; any shape.
    loss : {"zero_one", "hinge", "logistic", "squared", "exponential"}
        Which loss.
    base : float, optional
        Base of the logarithm of the logistic loss: ``None`` for nats, 2 for
        bits (then :math:`\phi_{\text{log}}(0) = 1`). Only for ``"logistic"``.

    Returns
    -------
    ndarray
        :math:`\phi(m)`, the shape of ``margins``.

    Notes
    -----
    The 0-1 loss counts a zero margin (a score exactly on the boundary) as an
    error. In nats the logistic loss is :math:`\log 2 < 1` at :math:`m = 0`, so
    only its base-2 version lies above the 0-1 loss everywhere. The logistic
    loss is the binary cross-entropy of :math:`\sigma(f)` written in the margin
    (labels :math:`\pm 1` instead of 0 and 1). The squared loss
    :math:`(1 - m)^2 = (y - f)^2` is the squared error against :math:`\pm 1`
    targets; it penalises margins above 1.

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.margin_loss([-1.0, 0.0, 2.0], "hinge").tolist()
    [2.0, 1.0, 0.0]
    >>> float(demos.margin_loss(0.0, "logistic", base=2))
    1.0
    """
    name = _check_loss(loss, _MARGIN_LOSSES)
    m = _v.as_float_array(margins, "margins", allow_bool=False)
    _v.check_finite(m, "margins")
    log_base = _v.check_base(base)
    if log_base is not None and name != "logistic":
        raise ValueError(f"base applies only to the logistic loss; got base={base!r} with loss={name!r}")
    if name == "zero_one":
        out = (m <= 0).astype(float)
    elif name == "hinge":
        out = np.maximum(0.0, 1.0 - m)
    elif name == "logistic":
        out = np.logaddexp(0.0, -m)
        if log_base is not None:
            out = out / log_base
    elif name == "squared":
        with np.errstate(over="ignore"):
            out = (1.0 - m) ** 2
    else:
        with np.errstate(over="ignore"):
            out = np.exp(-m)
    return out


def _dphi(name, m):
    """Derivative of a convex margin loss (the left derivative at the hinge's kink)."""
    if name == "hinge":
        return np.where(m < 1.0, -1.0, 0.0)
    if name == "logistic":
        e = np.exp(-np.abs(m))                       # sigma(-m), stably
        return -np.where(m >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
    if name == "squared":
        return -2.0 * (1.0 - m)
    return -np.exp(-m)


def conditional_risk_minimiser(loss, p_positive, *, bound=30.0):
    r"""The score :math:`f^*(\pi)` that minimises the conditional risk of a margin loss.

    .. math::

       C_\pi(f) = \pi\,\phi(f) + (1 - \pi)\,\phi(-f), \qquad
       f^*(\pi) = \arg\min_{f \in [-b, b]} C_\pi(f),

    where :math:`\pi = P(y = +1 \mid x)` (often written :math:`\eta`). Found by
    bisection on the derivative
    :math:`C_\pi'(f) = \pi\,\phi'(f) - (1-\pi)\,\phi'(-f)`, which
    is non-decreasing because :math:`\phi` is convex; no closed form is used.

    Parameters
    ----------
    loss : {"hinge", "logistic", "squared", "exponential"}
        A convex margin loss (see :func:`margin_loss`).
    p_positive : array_like
        Conditional probabilities :math:`\pi = P(y = +1 \mid x)` in the open
        interval (0, 1); any shape.
    bound : float, default 30.0
        The search interval :math:`[-b, b]`; a minimiser beyond it is returned
        as :math:`\pm b`.

    Returns
    -------
    ndarray
        :math:`f^*(\pi)`, the shape of ``p_positive``, to about 1e-13 relative.

    Notes
    -----
    For the hinge loss the minimiser is not unique: at :math:`\pi = 1/2` every
    :math:`f \in [-1, 1]` minimises :math:`C_\pi`; the bisection returns one of
    them. Otherwise it is :math:`\operatorname{sign}(2\pi - 1)`. The 0-1 loss is
    refused (not convex, no unique minimiser).

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.conditional_risk_minimiser("hinge", [0.2, 0.9]).tolist()
    [-1.0, 1.0]
    >>> round(float(demos.conditional_risk_minimiser("squared", 0.75)), 12)
    0.5
    """
    name = _check_loss(loss, _CONVEX)
    e = _v.as_float_array(p_positive, "p_positive", allow_bool=False)
    _v.check_finite(e, "p_positive")
    bad = (e <= 0) | (e >= 1)
    if np.any(bad):
        first = float(e.reshape(-1)[np.flatnonzero(bad.reshape(-1))[0]])
        raise ValueError(f"p_positive must be in the open interval (0, 1), got {first!r}")
    b = _v.check_positive_scalar(bound, "bound", upper=700.0)
    lo = np.full(e.shape, -b)
    hi = np.full(e.shape, b)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        d = e * _dphi(name, mid) - (1.0 - e) * _dphi(name, -mid)
        up = d > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
        if np.all(hi - lo <= 1e-15 * np.maximum(1.0, np.abs(mid))):
            break
    return 0.5 * (lo + hi)


def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def population_risk_logistic(theta, theta_true, *, n_nodes=160):
    r"""Population cross-entropy risk of the one-feature logistic model.

    .. math::

       R(\boldsymbol\theta) = \mathbb E_{x \sim \mathcal N(0, 1)}\Bigl[
       p^*(x)\log\bigl(1 + e^{-z}\bigr) + \bigl(1 - p^*(x)\bigr)\log\bigl(1 + e^{z}\bigr)\Bigr],

    with :math:`z = \theta_0 + \theta_1 x` and
    :math:`p^*(x) = \sigma(\theta^*_0 + \theta^*_1 x)`, the probability that
    :math:`y = 1` under the data-generating model. The expectation over
    :math:`x` is computed by Gauss-Hermite quadrature (probabilists' weight),
    not by sampling.

    Parameters
    ----------
    theta : array_like, shape (2,) or (K, 2)
        Weights (bias, slope) at which to evaluate the risk.
    theta_true : array_like, shape (2,)
        The data-generating weights :math:`\boldsymbol\theta^*`.
    n_nodes : int, default 160
        Quadrature nodes.

    Returns
    -------
    float or ndarray of shape (K,)
        The risk in nats.

    Examples
    --------
    >>> from lossbook import demos
    >>> r = demos.population_risk_logistic([0.0, 0.0], [0.0, 0.0])
    >>> abs(r - 0.6931471805599453) < 1e-14
    True
    """
    th = _v.as_float_array(theta, "theta", allow_bool=False)
    if th.ndim not in (1, 2) or th.shape[-1] != 2:
        raise ValueError(f"theta must have shape (2,) or (K, 2), got shape {_v._fmt_shape(th.shape)}")
    _v.check_finite(th, "theta")
    tt = _v.as_float_array(theta_true, "theta_true", ndim=1, allow_bool=False)
    if tt.shape != (2,):
        raise ValueError(f"theta_true must have shape (2,), got shape {_v._fmt_shape(tt.shape)}")
    _v.check_finite(tt, "theta_true")
    k = _v.check_int(n_nodes, "n_nodes", minimum=2)
    nodes, weights = np.polynomial.hermite_e.hermegauss(k)
    weights = weights / math.sqrt(2 * math.pi)
    p_star = _sigmoid(tt[0] + tt[1] * nodes)
    t2 = np.atleast_2d(th)
    z = t2[:, :1] + t2[:, 1:] * nodes
    integrand = p_star * _softplus(-z) + (1 - p_star) * _softplus(z)
    r = integrand @ weights
    return float(r[0]) if th.ndim == 1 else r


class ErmGap(NamedTuple):
    """Result of :func:`erm_gap_simulation` (one row per simulated training set)."""

    theta_hat: np.ndarray        # (R, 2) fitted weights
    empirical_risk: np.ndarray   # (R,) training risk of the fitted weights
    population_risk: np.ndarray  # (R,) population risk of the fitted weights
    empirical_risk_true: np.ndarray  # (R,) training risk of the true weights


def _fit_logistic(X, y, n_iter=100, lam=0.0):
    """Newton's method for the mean logistic loss plus (lam/2)|w|^2 (ERM if lam = 0)."""
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        z = X @ w
        if lam == 0 and np.all((z > 0) == (y == 1)):
            # every example on its side: the loss keeps falling as |w| grows
            break
        p = _sigmoid(z)
        g = X.T @ (p - y) / y.size + lam * w
        if np.linalg.norm(g) < 1e-12:
            return w
        H = (X * (p * (1 - p))[:, None]).T @ X / y.size + lam * np.eye(X.shape[1])
        w = w - np.linalg.solve(H, g)
    raise RuntimeError(
        "a training set is linearly separable (or the fit did not converge): the empirical "
        "risk has no minimiser; choose another seed or a larger n_train"
    )


def erm_gap_simulation(n_train, theta_true, *, n_repeats, seed, l2_strength=0.0):
    r"""Empirical risk minimisation on many training sets, scored on the population.

    Each repeat draws :math:`N` examples, :math:`x_i \sim \mathcal N(0, 1)` and
    :math:`y_i \sim \mathrm{Bernoulli}(\sigma(\theta^*_0 + \theta^*_1 x_i))`,
    fits :math:`\hat{\boldsymbol\theta}` by minimising the mean cross-entropy
    on them, plus :math:`\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2`
    if ``l2_strength`` :math:`= \lambda > 0` (the regularised objective
    :math:`J_\lambda`; Newton's method to a gradient norm below 1e-12), and records its
    empirical risk (on the training set) and its population risk
    (:func:`population_risk_logistic`), with the empirical risk of the true
    weights on the same training set.

    Parameters
    ----------
    n_train : int
        Training-set size :math:`N` (at least 5).
    theta_true : array_like, shape (2,)
        The data-generating weights (bias, slope).
    n_repeats : int
        Number of independent training sets.
    seed : int
        Seed of the random generator. The same seed draws the same training
        sets for every ``l2_strength``, so results for different strengths are
        paired.
    l2_strength : float, default 0.0
        The weight :math:`\lambda \ge 0` of the penalty (0: plain ERM).

    Returns
    -------
    ErmGap
        Arrays with one entry per repeat.

    Raises
    ------
    RuntimeError
        If a training set is linearly separable and ``l2_strength`` is 0
        (the fit has no minimiser);
        choose another seed or a larger ``n_train``.
    """
    n = _v.check_int(n_train, "n_train", minimum=5)
    reps = _v.check_int(n_repeats, "n_repeats", minimum=1)
    tt = _v.as_float_array(theta_true, "theta_true", ndim=1, allow_bool=False)
    if tt.shape != (2,):
        raise ValueError(f"theta_true must have shape (2,), got shape {_v._fmt_shape(tt.shape)}")
    _v.check_finite(tt, "theta_true")
    lam = _v.check_positive_scalar(l2_strength, "l2_strength", allow_zero=True)
    rng = np.random.default_rng(_v.check_seed(seed))
    th_hat = np.empty((reps, 2))
    emp = np.empty(reps)
    emp_true = np.empty(reps)
    for r in range(reps):
        x = rng.normal(size=n)
        X = np.column_stack([np.ones(n), x])
        y = (rng.random(n) < _sigmoid(X @ tt)).astype(float)
        w = _fit_logistic(X, y, lam=lam)
        z, z_true = X @ w, X @ tt
        th_hat[r] = w
        emp[r] = np.mean(y * _softplus(-z) + (1 - y) * _softplus(z))
        emp_true[r] = np.mean(y * _softplus(-z_true) + (1 - y) * _softplus(z_true))
    pop = population_risk_logistic(th_hat, tt)
    return ErmGap(th_hat, emp, pop, emp_true)


def minibatch_gradients(per_example_grads, batch_size, *, n_draws, seed, replace=False):
    r"""Means of per-example gradients over seeded random minibatches.

    .. math::

       \hat{\boldsymbol g}_B = \frac1B \sum_{i \in \mathcal B} \nabla\ell_i,
       \qquad |\mathcal B| = B,

    with :math:`\mathcal B` drawn uniformly without replacement (as SGD draws
    within an epoch) or, with ``replace=True``, with replacement.

    Parameters
    ----------
    per_example_grads : array_like, shape (N, d)
        The gradient of each example's loss, one row per example.
    batch_size : int
        :math:`B`, at most :math:`N` without replacement.
    n_draws : int
        Number of minibatches.
    seed : int
        Seed of the random generator.
    replace : bool, default False
        Draw the examples of a batch with replacement.

    Returns
    -------
    ndarray, shape (n_draws, d)
        One minibatch mean per row.
    """
    g = _v.as_float_array(per_example_grads, "per_example_grads", ndim=2, allow_bool=False)
    _v.check_finite(g, "per_example_grads")
    n = g.shape[0]
    b = _v.check_int(batch_size, "batch_size", minimum=1)
    if not isinstance(replace, (bool, np.bool_)):
        raise TypeError(f"replace must be True or False, got {_v._show(replace)}")
    if b > n and not replace:
        raise ValueError(f"batch_size must be at most N = {n} without replacement, got {b}")
    draws = _v.check_int(n_draws, "n_draws", minimum=1)
    rng = np.random.default_rng(_v.check_seed(seed))
    if replace:
        idx = rng.integers(0, n, size=(draws, b))
    else:
        idx = np.argsort(rng.random((draws, n)), axis=1)[:, :b]
    return g[idx].mean(axis=1)
