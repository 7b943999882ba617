r"""Companion to the chapter "Maximum likelihood": Fisher information, the
sampling distribution of an estimate, and the exponential-family view of the
standard losses.

- :func:`fisher_information`: closed forms of the Fisher information of one
  observation for three one-parameter families;
- :func:`simulate_estimates`: a seeded simulation of an estimator over many
  data sets of one size (its histogram is the sampling distribution);
- :func:`log_partition`, :func:`mean_function` and :func:`canonical_nll`: a
  one-parameter-per-outcome exponential family
  :math:`p(y \mid \eta) = h(y)\exp(\eta^\top T(y) - A(\eta))` in its natural
  parameter, for the Bernoulli, categorical, unit-variance Gaussian and
  Poisson families;
- :func:`probit_nll`: a Bernoulli likelihood with a *non-canonical* link,
  :math:`p = \Phi(\eta)`.

The canonical-link losses themselves are in the library
(``binary_cross_entropy_with_logits``, ``softmax_cross_entropy``, ``mse``,
``poisson_nll``); these functions exist to show the common structure.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validation as _v
from .._activations import log_sigmoid, logsumexp, sigmoid, softmax

__all__ = [
    "fisher_information",
    "simulate_estimates",
    "log_partition",
    "mean_function",
    "canonical_nll",
    "probit_nll",
]

_FISHER_FAMILIES = ("bernoulli", "poisson", "exponential")
_GLM_FAMILIES = ("bernoulli", "categorical", "gaussian", "poisson")
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _family(family, allowed):
    return _v.check_choice(family, "family", allowed)


def fisher_information(family, theta):
    r"""Fisher information of one observation, in closed form.

    .. math::

       F(\theta) = \mathbb E\Bigl[\Bigl(\frac{\partial}{\partial\theta}
       \log p(y;\theta)\Bigr)^2\Bigr]
       = -\mathbb E\Bigl[\frac{\partial^2}{\partial\theta^2}\log p(y;\theta)\Bigr]

    which is :math:`1/(p(1-p))` for a Bernoulli with success probability
    :math:`p`, :math:`1/\lambda` for a Poisson with rate :math:`\lambda`, and
    :math:`1/\lambda^2` for an exponential distribution with rate
    :math:`\lambda` (density :math:`\lambda e^{-\lambda y}`).

    Parameters
    ----------
    family : {"bernoulli", "poisson", "exponential"}
    theta : float or array_like
        The parameter: a probability in (0, 1) for ``"bernoulli"``, a rate
        > 0 otherwise.

    Returns
    -------
    float or ndarray of the shape of ``theta``
        Per observation; *n* independent observations carry *n* times as
        much.

    Examples
    --------
    >>> from lossbook import demos
    >>> float(demos.fisher_information("bernoulli", 0.5))
    4.0
    >>> float(demos.fisher_information("exponential", 2.0))
    0.25
    """
    family = _family(family, _FISHER_FAMILIES)
    t = _v.as_float_array(theta, "theta", allow_bool=False)
    _v.check_finite(t, "theta")
    if family == "bernoulli":
        if np.any((t <= 0) | (t >= 1)):
            raise ValueError(f"theta must be a probability strictly between 0 and 1, got {_v._show(theta)}")
        out = 1.0 / t + 1.0 / (1.0 - t)
    else:
        if np.any(t <= 0):
            raise ValueError(f"theta must be a rate > 0, got {_v._show(theta)}")
        out = 1.0 / t if family == "poisson" else 1.0 / t**2
    return float(out) if out.ndim == 0 else out


def simulate_estimates(sample, estimate, n, *, n_repeats, seed):
    r"""Seeded simulation of an estimator over ``n_repeats`` data sets of size ``n``.

    Draws ``n_repeats`` independent data sets of ``n`` observations with
    ``sample`` and returns the estimate :math:`\hat\theta_{n,r}` of each:
    the raw sampling distribution, for a histogram or a variance.

    Parameters
    ----------
    sample : callable
        ``sample(rng, shape) -> ndarray`` of that shape, i.i.d. draws using the
        given ``numpy.random.Generator``.
    estimate : callable
        ``estimate(data) -> ndarray`` of shape (R,): one estimate per row of a
        data array of shape (R, n).
    n : int
        Sample size, >= 1.
    n_repeats : int
        Number of data sets R, >= 2.
    seed : int
        Seed for ``np.random.default_rng``.

    Returns
    -------
    ndarray of shape (n_repeats,)

    Examples
    --------
    >>> from lossbook import demos
    >>> est = demos.simulate_estimates(lambda g, s: g.random(s) < 0.3,
    ...                                lambda d: d.mean(axis=1), 100,
    ...                                n_repeats=500, seed=0)
    >>> est.shape
    (500,)
    """
    for f, name in ((sample, "sample"), (estimate, "estimate")):
        if not callable(f):
            raise TypeError(f"{name} must be a callable, got {_v._show(f)}")
    n = _v.check_int(n, "n", minimum=1)
    n_repeats = _v.check_int(n_repeats, "n_repeats", minimum=2)
    rng = np.random.default_rng(_v.check_seed(seed))
    data = np.asarray(sample(rng, (n_repeats, n)))
    if data.shape != (n_repeats, n):
        raise ValueError(f"sample must return an array of shape {(n_repeats, n)}, got {data.shape}")
    est = np.asarray(estimate(data), dtype=np.float64)
    if est.shape != (n_repeats,):
        raise ValueError(f"estimate must return one value per row, shape {(n_repeats,)}, got {est.shape}")
    return est


def _eta(eta, family):
    e = _v.as_float_array(eta, "eta", allow_bool=False, min_ndim=1 if family == "categorical" else 0)
    _v.check_finite(e, "eta")
    if family == "poisson" and np.any(e > 709.0):
        raise ValueError(f"eta must be <= 709 for the Poisson family (exp(eta) overflows), got {_v._show(eta)}")
    return e


def log_partition(family, eta):
    r"""Log-partition function :math:`A(\eta)` of an exponential family.

    .. math::

       p(y \mid \eta) = h(y)\exp\bigl(\eta^\top T(y) - A(\eta)\bigr),
       \qquad A(\eta) = \log \sum_y h(y)\, e^{\eta^\top T(y)}

    - ``"bernoulli"``: :math:`T(y) = y \in \{0, 1\}`,
      :math:`A(\eta) = \log(1 + e^\eta)` (softplus);
    - ``"categorical"``: :math:`T(y)` the one-hot vector of the label,
      :math:`A(\boldsymbol\eta) = \log\sum_k e^{\eta_k}` (last axis);
    - ``"gaussian"`` (variance 1): :math:`T(y) = y`, :math:`A(\eta) = \eta^2/2`;
    - ``"poisson"``: :math:`T(y) = y` (a count), :math:`A(\eta) = e^\eta`.

    Parameters
    ----------
    family : {"bernoulli", "categorical", "gaussian", "poisson"}
    eta : array_like
        Natural parameters; for ``"categorical"`` the classes are on the last
        axis (logits).

    Returns
    -------
    float or ndarray
        Elementwise, or one value per row for ``"categorical"``.

    Examples
    --------
    >>> from lossbook import demos
    >>> round(float(demos.log_partition("bernoulli", 0.0)), 6)
    0.693147
    """
    family = _family(family, _GLM_FAMILIES)
    e = _eta(eta, family)
    if family == "bernoulli":
        out = -log_sigmoid(-e)
    elif family == "categorical":
        out = logsumexp(e)
    elif family == "gaussian":
        out = 0.5 * e**2
    else:
        out = np.exp(e)
    out = np.asarray(out, dtype=np.float64)
    return float(out) if out.ndim == 0 else out


def mean_function(family, eta):
    r"""The mean of the sufficient statistic, :math:`\mu = A'(\eta) = \mathbb E[T(y)]`.

    The inverse of the canonical link: the sigmoid (Bernoulli), the softmax
    (categorical), the identity (Gaussian) and the exponential (Poisson).

    Parameters
    ----------
    family : {"bernoulli", "categorical", "gaussian", "poisson"}
    eta : array_like
        Natural parameters, as in :func:`log_partition`.

    Returns
    -------
    float or ndarray of the shape of ``eta``

    Examples
    --------
    >>> from lossbook import demos
    >>> float(demos.mean_function("bernoulli", 0.0))
    0.5
    """
    family = _family(family, _GLM_FAMILIES)
    e = _eta(eta, family)
    if family == "bernoulli":
        out = sigmoid(e)
    elif family == "categorical":
        out = softmax(e)
    elif family == "gaussian":
        out = e.copy()
    else:
        out = np.exp(e)
    out = np.asarray(out, dtype=np.float64)
    return float(out) if out.ndim == 0 else out


def canonical_nll(family, y, eta):
    r"""Per-example negative log-likelihood in the natural parameter.

    .. math::

       -\log p(y \mid \eta) = A(\eta) - \eta^\top T(y) - \log h(y)

    with :math:`-\log h(y) = 0` (Bernoulli, categorical), :math:`y^2/2 +
    \tfrac12\log 2\pi` (unit-variance Gaussian) and :math:`\log y!`
    (Poisson): the full NLL, equal to minus the log of the usual pmf or
    density at the mean :math:`A'(\eta)`. Its derivative in :math:`\eta` is
    :math:`A'(\eta) - T(y)`, prediction minus target.

    Parameters
    ----------
    family : {"bernoulli", "categorical", "gaussian", "poisson"}
    y : array_like
        Targets: 0/1 (Bernoulli), integer labels of shape (N,) (categorical),
        reals (Gaussian), non-negative integer counts (Poisson).
    eta : array_like
        Natural parameters, the shape of ``y`` (or (N, C) for categorical).

    Returns
    -------
    ndarray
        One value per example, no reduction.

    Examples
    --------
    >>> from lossbook import demos
    >>> round(float(demos.canonical_nll("bernoulli", [1.0], [0.0])[0]), 6)
    0.693147
    """
    family = _family(family, _GLM_FAMILIES)
    e = _eta(eta, family)
    if family == "categorical":
        if e.ndim != 2:
            raise ValueError(f"eta must be a 2-D array (N, C) for the categorical family, got shape {e.shape}")
        lab = _v.check_labels(y, "y", e.shape[1])
        if lab.shape[0] != e.shape[0]:
            raise ValueError(f"y must have one label per row of eta: got {lab.shape[0]} labels and {e.shape[0]} rows")
        return logsumexp(e) - e[np.arange(e.shape[0]), lab]
    ya = _v.as_float_array(y, "y")
    _v.check_finite(ya, "y")
    _v.check_same_shape(ya, e, "y", "eta")
    if family == "bernoulli":
        if np.any((ya != 0) & (ya != 1)):
            raise ValueError(f"y must hold 0 or 1 for the Bernoulli family, got {_v._show(y)}")
        # A(eta) - eta y = softplus(eta) - eta y = -log sigmoid(+-eta)
        return np.asarray(-log_sigmoid(np.where(ya == 1, e, -e)), dtype=np.float64)
    if family == "gaussian":
        return 0.5 * (ya - e) ** 2 + _HALF_LOG_2PI
    if np.any((ya < 0) | (ya != np.floor(ya))):
        raise ValueError(f"y must hold non-negative integer counts for the Poisson family, got {_v._show(y)}")
    log_fact = np.array([math.lgamma(v + 1.0) for v in ya.ravel()]).reshape(ya.shape)
    return np.exp(e) - ya * e + log_fact


def _log_ndtr_one(v: float) -> float:
    # Phi(v) = erfc(-v/sqrt 2)/2; for v > 0 take log1p of minus the small upper tail
    if v > 0:
        return math.log1p(-0.5 * math.erfc(v / math.sqrt(2.0)))
    return math.log(0.5 * math.erfc(-v / math.sqrt(2.0)))


_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _log_ndtr(x):
    """log Phi(x) for every finite x.

    For x >= -37, erfc has no underflow. Below, the asymptotic series
    Phi(x) = phi(x)/(-x) (1 - 1/x^2 + 3/x^4 - 15/x^6 + ...) is used in log form,
    with twelve terms (up to 23!!/x^24). The series alternates and its
    remainder is bounded by the first omitted term, 25!!/x^26, which is below
    1.4e-28 for |x| > 37: far below double rounding, so the result is as
    accurate as the arithmetic (about 1e-16 relative).
    """
    xa = np.asarray(x, dtype=float)
    out = np.empty(xa.shape)
    far = xa < -37.0
    if np.any(far):
        xf = xa[far]
        z = 1.0 / (xf * xf)
        term, series = np.ones_like(xf), np.ones_like(xf)
        for k in range(1, 13):
            term = -term * (2 * k - 1) * z
            series = series + term
        out[far] = -0.5 * xf * xf - np.log(-xf) - _LOG_SQRT_2PI + np.log(series)
    near = ~far
    if np.any(near):
        out[near] = np.frompyfunc(_log_ndtr_one, 1, 1)(xa[near]).astype(float)
    return out


def probit_nll(y, eta):
    r"""Per-example Bernoulli NLL with the probit link :math:`p = \Phi(\eta)`.

    .. math::

       \ell(\eta) = -\bigl[y\log\Phi(\eta) + (1 - y)\log\Phi(-\eta)\bigr]

    with :math:`\Phi` the standard normal distribution function. The link is
    not canonical, so its derivative is not prediction minus target:

    .. math::

       \frac{\partial\ell}{\partial\eta}
       = \frac{\phi(\eta)}{\Phi(\eta)\,(1 - \Phi(\eta))}\,\bigl(\Phi(\eta) - y\bigr).

    Parameters
    ----------
    y : array_like
        Targets in {0, 1}.
    eta : array_like, the shape of ``y``
        Linear predictors, any finite values: :math:`\log\Phi` comes from
        ``math.erfc`` for :math:`\eta \ge -37` and from the asymptotic series
        of the Mills ratio below, so there is no underflow.

    Returns
    -------
    ndarray
        One value per example, no reduction.

    Examples
    --------
    >>> from lossbook import demos
    >>> round(float(demos.probit_nll([1.0], [0.0])[0]), 6)
    0.693147
    """
    ya = _v.as_float_array(y, "y")
    e = _v.as_float_array(eta, "eta", allow_bool=False)
    _v.check_finite(ya, "y")
    _v.check_finite(e, "eta")
    _v.check_same_shape(ya, e, "y", "eta")
    if np.any((ya != 0) & (ya != 1)):
        raise ValueError(f"y must hold 0 or 1, got {_v._show(y)}")
    return -_log_ndtr(np.where(ya == 1, e, -e))
