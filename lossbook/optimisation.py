r"""Companion to the chapters "Learning as optimisation" and "Maximum likelihood".

Small, explicit tools for looking at training as the minimisation of a loss:

- :func:`logistic_model_loss` and :func:`logistic_model_grad`: a one-neuron
  sigmoid model :math:`p = \sigma(X w)` trained with cross-entropy or with
  squared error, so the two can be compared from the same starting weights;
- :func:`loss_surface`: a loss evaluated over a grid of two weights, for
  contour plots;
- :func:`gradient_descent` and :func:`stochastic_gradient_descent`: descent
  paths recorded step by step (:class:`DescentPath`);
- :func:`classification_error`: the coarse metric that a loss is contrasted with;
- :func:`mle_error_by_size`: a seeded simulation of how an estimator's error
  shrinks as the sample grows (consistency);
- :func:`heteroscedastic_gaussian_nll` and its gradient: a Gaussian NLL whose
  mean *and* standard deviation depend linearly (log-linearly) on an input.

The losses themselves come from the library (``binary_cross_entropy_with_logits``,
``mse``, ``gaussian_nll`` and their gradients); this module only composes them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as _v
from ._activations import sigmoid

_LOG_2PI_HALF = 0.5 * float(np.log(2.0 * np.pi))
from ._losses import (
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    gaussian_nll,
    gaussian_nll_grad,
    gaussian_nll_grad_sigma,
    mse,
    mse_grad,
)

__all__ = [
    "DescentPath",
    "ConsistencyResult",
    "logistic_model_loss",
    "logistic_model_grad",
    "loss_surface",
    "gradient_descent",
    "stochastic_gradient_descent",
    "classification_error",
    "mle_error_by_size",
    "heteroscedastic_gaussian_nll",
    "heteroscedastic_gaussian_nll_grad",
]

_MODEL_LOSSES = ("cross_entropy", "squared_error")


class DescentPath(NamedTuple):
    """A recorded descent: ``weights[t]`` and ``losses[t]`` after ``t`` steps.

    Attributes
    ----------
    weights : ndarray, shape (n_steps + 1, d)
        The starting weights, then the weights after each step.
    losses : ndarray, shape (n_steps + 1,)
        The (full-data) loss at each recorded weight vector.
    """

    weights: np.ndarray
    losses: np.ndarray


class ConsistencyResult(NamedTuple):
    """Result of :func:`mle_error_by_size`.

    Attributes
    ----------
    sizes : ndarray of int, shape (K,)
        The sample sizes.
    rmse : ndarray, shape (K,)
        Root-mean-square error of the estimate about the true value, per size.
    bias : ndarray, shape (K,)
        Mean estimate minus the true value, per size.
    """

    sizes: np.ndarray
    rmse: np.ndarray
    bias: np.ndarray


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _check_model_loss(loss) -> str:
    if loss not in _MODEL_LOSSES:
        raise ValueError(f"loss must be one of {_MODEL_LOSSES}, got {loss!r}")
    return loss


def _logits_of(X, w):
    """``X @ w``, refused by name where it overflows (|x . w| > 1.8e308)."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = X @ w
    if not np.isfinite(z).all():
        bad = ~np.isfinite(z)
        i = int(np.argmax(bad))
        raise ValueError(
            f"X @ w must be finite (the logits), got {float(z[i])!r} for row {i} of X"
            f"{_v._more_rows(bad)}; rescale X or w"
        )
    return z


def _check_design(w, X, y):
    w = np.ascontiguousarray(_v.as_float_array(w, "w", ndim=1))
    _v.check_finite(w, "w")
    # C order: the matrix products then take the same BLAS path (and give the same
    # last bit) whatever the layout of the caller's array
    X = np.ascontiguousarray(_v.as_float_array(X, "X", ndim=2))
    _v.check_finite(X, "X")
    if X.shape[1] != w.shape[0]:
        raise ValueError(
            f"X must have one column per weight: X has {X.shape[1]} columns but w has "
            f"{w.shape[0]} entries"
        )
    y = _v.as_float_array(y, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one entry per row of X: X has {X.shape[0]} rows, y has {y.shape[0]}")
    _v.check_range(y, "y", 0.0, 1.0, "targets")
    return w, X, y


def _check_learning_rate(learning_rate) -> float:
    return _v.check_positive_scalar(learning_rate, "learning_rate")


def _check_callable(f, name):
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


# ---------------------------------------------------------------------------
# a one-neuron model with a selectable loss
# ---------------------------------------------------------------------------
def logistic_model_loss(w, X, y, *, loss="cross_entropy"):
    r"""Mean loss of the sigmoid model :math:`p_i = \sigma(\boldsymbol x_i^\top \boldsymbol w)`.

    .. math::

       \begin{aligned}
       L_{\mathrm{CE}}(\boldsymbol w) &= -\frac1N \sum_i \bigl[y_i \log p_i + (1 - y_i)\log(1 - p_i)\bigr], \\
       L_{\mathrm{SE}}(\boldsymbol w) &= \frac1N \sum_i (p_i - y_i)^2
       \end{aligned}

    Parameters
    ----------
    w : array_like, shape (d,)
        Weights (include a column of ones in ``X`` for a bias).
    X : array_like, shape (N, d)
        Inputs, one row per example.
    y : array_like, shape (N,)
        Targets in [0, 1].
    loss : {"cross_entropy", "squared_error"}, default "cross_entropy"
        Binary cross-entropy (computed from the logits, stably) or the mean
        squared error of the probability.

    Returns
    -------
    float
        The mean loss, in nats for cross-entropy.

    Raises
    ------
    ValueError
        For an unknown ``loss``, mismatched shapes, non-finite values or
        targets outside [0, 1].

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> round(demos.logistic_model_loss([0.0, 0.0], X, [0, 1]), 6)   # log 2
    0.693147
    >>> demos.logistic_model_loss([0.0, 0.0], X, [0, 1], loss="squared_error")
    0.25
    """
    loss = _check_model_loss(loss)
    w, X, y = _check_design(w, X, y)
    z = _logits_of(X, w)
    if loss == "cross_entropy":
        return float(binary_cross_entropy_with_logits(y, z))
    return float(mse(y, sigmoid(z)))


def logistic_model_grad(w, X, y, *, loss="cross_entropy"):
    r"""Gradient of :func:`logistic_model_loss` with respect to ``w``.

    .. math::

       \nabla L_{\mathrm{CE}} = \frac1N X^\top (\boldsymbol p - \boldsymbol y),
       \qquad
       \nabla L_{\mathrm{SE}} = \frac2N X^\top \bigl[(\boldsymbol p - \boldsymbol y)
       \odot \boldsymbol p \odot (1 - \boldsymbol p)\bigr]

    The factor :math:`p(1 - p)` of the squared-error gradient is the
    derivative of the sigmoid; cross-entropy cancels it.

    Parameters
    ----------
    w, X, y, loss
        As in :func:`logistic_model_loss`.

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> demos.logistic_model_grad([0.0, 0.0], X, [0, 1]).tolist()
    [0.0, -0.25]
    """
    loss = _check_model_loss(loss)
    w, X, y = _check_design(w, X, y)
    z = _logits_of(X, w)
    if loss == "cross_entropy":
        dz = binary_cross_entropy_with_logits_grad(y, z)
    else:
        p = sigmoid(z)
        dz = mse_grad(y, p) * p * (1.0 - p)
    return X.T @ dz


# ---------------------------------------------------------------------------
# surfaces and descent paths
# ---------------------------------------------------------------------------
def loss_surface(loss, w0, w1):
    r"""Evaluate a loss of two weights over a grid, for contour plots.

    Parameters
    ----------
    loss : callable
        ``loss(w) -> float`` for a weight vector ``w`` of shape (2,).
    w0, w1 : array_like, 1-D
        Grid values of the first and second weight.

    Returns
    -------
    ndarray, shape (len(w1), len(w0))
        ``Z[j, i] = loss([w0[i], w1[j]])``: rows follow ``w1``, matching
        ``plt.contour(w0, w1, Z)`` and ``np.meshgrid(w0, w1)``.

    Raises
    ------
    ValueError
        If a grid is not 1-D, empty or non-finite, or ``loss`` returns a
        non-finite value.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> Z = demos.loss_surface(lambda w: float(w[0] ** 2 + 2 * w[1]),
    ...                         [0.0, 1.0, 2.0], [0.0, 1.0])
    >>> Z.tolist()
    [[0.0, 1.0, 4.0], [2.0, 3.0, 6.0]]
    """
    _check_callable(loss, "loss")
    a = _v.as_float_array(w0, "w0", ndim=1)
    b = _v.as_float_array(w1, "w1", ndim=1)
    _v.check_finite(a, "w0")
    _v.check_finite(b, "w1")
    Z = np.empty((b.size, a.size))
    for j, wj in enumerate(b):
        for i, wi in enumerate(a):
            Z[j, i] = float(loss(np.array([wi, wj])))
    if not np.all(np.isfinite(Z)):
        j, i = np.argwhere(~np.isfinite(Z))[0]
        raise ValueError(f"loss must return finite values; got {Z[j, i]!r} at w = ({a[i]!r}, {b[j]!r})")
    return Z


def gradient_descent(loss, grad, w_init, *, learning_rate, n_steps):
    r"""Full-batch gradient descent, recording every step.

    .. math::

       \boldsymbol w_{t+1} = \boldsymbol w_t - \eta\, \nabla L(\boldsymbol w_t)

    Parameters
    ----------
    loss : callable
        ``loss(w) -> float``, recorded at every step.
    grad : callable
        ``grad(w) -> ndarray`` of the same shape as ``w``.
    w_init : array_like, shape (d,)
        Starting weights (not modified).
    learning_rate : float
        Step size :math:`\eta > 0`.
    n_steps : int
        Number of steps, >= 0.

    Returns
    -------
    DescentPath
        ``weights`` of shape (n_steps + 1, d) and ``losses`` of shape (n_steps + 1,).

    Raises
    ------
    ValueError
        For a non-positive learning rate, a negative ``n_steps``, a gradient of
        the wrong shape, or a step that leaves the finite numbers (divergence).

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> path = demos.gradient_descent(lambda w: float(w @ w), lambda w: 2 * w,
    ...                               [1.0, -2.0],
    ...                               learning_rate=0.25, n_steps=2)
    >>> path.weights.tolist()
    [[1.0, -2.0], [0.5, -1.0], [0.25, -0.5]]
    """
    _check_callable(loss, "loss")
    _check_callable(grad, "grad")
    eta = _check_learning_rate(learning_rate)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=0)
    w = _v.as_float_array(w_init, "w_init", ndim=1).copy()
    _v.check_finite(w, "w_init")
    W = np.empty((n_steps + 1, w.size))
    losses = np.empty(n_steps + 1)
    W[0] = w
    losses[0] = float(loss(w.copy()))
    for t in range(n_steps):
        g = _grad_value(grad(w.copy()), w, t)
        w = w - eta * g
        W[t + 1] = w
        losses[t + 1] = float(loss(w.copy()))
        _check_step(w, losses[t + 1], t, eta)
    return DescentPath(W, losses)


def stochastic_gradient_descent(loss, grad, w_init, n_samples, *, learning_rate, n_steps, batch_size, seed):
    r"""Minibatch stochastic gradient descent, recording every step.

    At each step a minibatch :math:`B_t` of ``batch_size`` distinct example
    indices is drawn uniformly at random (without replacement within the
    batch), and

    .. math::

       \boldsymbol w_{t+1} = \boldsymbol w_t - \eta\, \nabla L_{B_t}(\boldsymbol w_t).

    Parameters
    ----------
    loss : callable
        ``loss(w) -> float``: the full-data loss, recorded at every step.
    grad : callable
        ``grad(w, idx) -> ndarray``: the gradient of the mean loss over the
        examples ``idx`` (an integer array).
    w_init : array_like, shape (d,)
        Starting weights (not modified).
    n_samples : int
        Number of examples to draw from.
    learning_rate : float
        Step size, > 0.
    n_steps : int
        Number of steps, >= 0.
    batch_size : int
        Examples per step, in ``[1, n_samples]``.
    seed : int
        Seed for ``np.random.default_rng``; the same seed gives the same path.

    Returns
    -------
    DescentPath

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> path = demos.stochastic_gradient_descent(
    ...     lambda w: float(np.mean((w[0] - x) ** 2)),
    ...     lambda w, i: 2 * np.mean(w[0] - x[i], keepdims=True),
    ...     [0.0], 3, learning_rate=0.1, n_steps=200, batch_size=3, seed=0)
    >>> round(float(path.weights[-1, 0]), 6)  # full batch: the mean
    2.0
    """
    _check_callable(loss, "loss")
    _check_callable(grad, "grad")
    eta = _check_learning_rate(learning_rate)
    n_steps = _v.check_int(n_steps, "n_steps", minimum=0)
    n_samples = _v.check_int(n_samples, "n_samples", minimum=1)
    batch_size = _v.check_int(batch_size, "batch_size", minimum=1)
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be <= n_samples = {n_samples}, got {batch_size}")
    rng = np.random.default_rng(_v.check_seed(seed))
    w = _v.as_float_array(w_init, "w_init", ndim=1).copy()
    _v.check_finite(w, "w_init")
    W = np.empty((n_steps + 1, w.size))
    losses = np.empty(n_steps + 1)
    W[0] = w
    losses[0] = float(loss(w.copy()))
    for t in range(n_steps):
        idx = rng.choice(n_samples, size=batch_size, replace=False)
        g = _grad_value(grad(w.copy(), idx), w, t)
        w = w - eta * g
        W[t + 1] = w
        losses[t + 1] = float(loss(w.copy()))
        _check_step(w, losses[t + 1], t, eta)
    return DescentPath(W, losses)


def _grad_value(g, w, t):
    g = np.asarray(g, dtype=np.float64)
    if g.shape != w.shape:
        raise ValueError(f"grad must return an array of shape {w.shape} like w, got shape {g.shape} at step {t}")
    return g


def _check_step(w, value, t, eta):
    if not (np.all(np.isfinite(w)) and np.isfinite(value)):
        raise ValueError(
            f"gradient descent diverged at step {t + 1} (loss {value!r}); "
            f"learning_rate = {eta:g} is too large for this loss"
        )


# ---------------------------------------------------------------------------
# the metric
# ---------------------------------------------------------------------------
def classification_error(y_true, y_score):
    r"""Fraction of examples whose highest-scoring class is not the label.

    .. math::

       \mathrm{err} = \frac1N \sum_i \mathbb 1\bigl[\arg\max_k q_{ik} \ne y_i\bigr]

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Labels in ``[0, C)``.
    y_score : array_like, shape (N, C)
        Probabilities, logits or scores; only their order matters. Ties go to
        the lowest class index (``np.argmax``).

    Returns
    -------
    float
        The error rate in [0, 1] (one minus accuracy).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.classification_error([0, 1], [[0.6, 0.4], [0.7, 0.3]])
    0.5
    """
    s = _v.as_float_array(y_score, "y_score", ndim=2)
    _v.check_finite(s, "y_score")
    y = _v.check_labels(y_true, "y_true", s.shape[1])
    if y.shape[0] != s.shape[0]:
        raise ValueError(f"y_true must have one label per row of y_score: got {y.shape[0]} labels and {s.shape[0]} rows")
    return float(np.mean(np.argmax(s, axis=1) != y))


# ---------------------------------------------------------------------------
# consistency simulation
# ---------------------------------------------------------------------------
def mle_error_by_size(sample, estimate, true_value, sizes, *, n_repeats, seed):
    r"""Seeded simulation of an estimator's error as the sample size grows.

    For each size ``n`` the simulation draws ``n_repeats`` independent data
    sets of ``n`` observations and estimates the parameter on each, then reports

    .. math::

       \mathrm{RMSE}(n) = \Bigl(\frac1R \sum_{r=1}^R (\hat\theta_{n,r} - \theta)^2\Bigr)^{1/2},
       \qquad \mathrm{bias}(n) = \frac1R \sum_r \hat\theta_{n,r} - \theta.

    Parameters
    ----------
    sample : callable
        ``sample(rng, shape) -> ndarray`` of that shape: i.i.d. draws from
        the true distribution using the given ``numpy.random.Generator``.
    estimate : callable
        ``estimate(data) -> ndarray`` of shape (R,): the estimate for each row
        of a data array of shape (R, n) (vectorised along axis 1).
    true_value : float
        The true parameter :math:`\theta`.
    sizes : array_like of int, 1-D
        Sample sizes, each >= 1.
    n_repeats : int
        Number of simulated data sets per size, >= 2.
    seed : int
        Seed for ``np.random.default_rng``.

    Returns
    -------
    ConsistencyResult

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> res = demos.mle_error_by_size(lambda rng, s: rng.random(s) < 0.3,
    ...                               lambda d: d.mean(axis=1),
    ...                               0.3, [10, 1000], n_repeats=2000, seed=0)
    >>> bool(res.rmse[1] < res.rmse[0])
    True
    """
    _check_callable(sample, "sample")
    _check_callable(estimate, "estimate")
    if isinstance(true_value, (bool, np.bool_)) or not isinstance(true_value, (int, float, np.integer, np.floating)):
        raise TypeError(f"true_value must be a real number, got {_v._show(true_value)}")
    theta = float(true_value)
    if not np.isfinite(theta):
        raise ValueError(f"true_value must be finite, got {true_value!r}")
    n_repeats = _v.check_int(n_repeats, "n_repeats", minimum=2)
    rng = np.random.default_rng(_v.check_seed(seed))
    sz = np.asarray(sizes)
    if sz.ndim != 1 or sz.size == 0 or sz.dtype.kind not in "iu" or np.any(sz < 1):
        raise ValueError(f"sizes must be a non-empty 1-D array of integers >= 1, got {sizes!r}")
    rmse = np.empty(sz.size)
    bias = np.empty(sz.size)
    for k, n in enumerate(sz):
        data = np.asarray(sample(rng, (n_repeats, int(n))))
        if data.shape != (n_repeats, int(n)):
            raise ValueError(f"sample must return an array of shape {(n_repeats, int(n))}, got {data.shape}")
        est = np.asarray(estimate(data), dtype=np.float64)
        if est.shape != (n_repeats,):
            raise ValueError(f"estimate must return one value per row, shape {(n_repeats,)}, got {est.shape}")
        err = est - theta
        rmse[k] = np.sqrt(np.mean(err**2))
        bias[k] = np.mean(err)
    return ConsistencyResult(sz.astype(np.int64), rmse, bias)


# ---------------------------------------------------------------------------
# heteroscedastic regression
# ---------------------------------------------------------------------------
def _check_hetero(theta, x, y):
    th = _v.as_float_array(theta, "theta", ndim=1)
    if th.shape != (4,):
        raise ValueError(f"theta must have 4 entries (a, b, c, d), got shape {th.shape}")
    _v.check_finite(th, "theta")
    x = _v.as_float_array(x, "x", ndim=1)
    y = _v.as_float_array(y, "y", ndim=1)
    _v.check_same_shape(x, y, "x", "y")
    _v.check_finite(x, "x")
    _v.check_finite(y, "y")
    return th, x, y


def heteroscedastic_gaussian_nll(theta, x, y):
    r"""Mean Gaussian NLL of a model whose mean and spread both depend on ``x``.

    .. math::

       \begin{aligned}
       &\mu(x) = a + b x, \qquad \sigma(x) = \exp(c + d x), \\
       &L(\theta) = \frac1N \sum_i \Bigl[\tfrac12 \log 2\pi + \log\sigma(x_i)
       + \frac{(y_i - \mu(x_i))^2}{2\sigma(x_i)^2}\Bigr]
       \end{aligned}

    The log-linear spread keeps :math:`\sigma > 0` without constraints.

    Parameters
    ----------
    theta : array_like, shape (4,)
        ``(a, b, c, d)``.
    x, y : array_like, shape (N,)
        Inputs and observations.

    Returns
    -------
    float
        Nats per observation (can be negative: it is a density).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> nll = demos.heteroscedastic_gaussian_nll([0, 0, 0, 0], [1.0], [0.0])
    >>> round(nll, 6)
    0.918939
    """
    th, x, y = _check_hetero(theta, x, y)
    # in log space: sigma = exp(c + d x) overflows (or underflows to 0) long before
    # log sigma does, and the NLL needs only log sigma and r = (y - mu) exp(-log sigma)
    with np.errstate(over="ignore", invalid="ignore"):  # inf only where the true value overflows
        mu = th[0] + th[1] * x
        log_sigma = th[2] + th[3] * x
        r = (y - mu) * np.exp(-log_sigma)
        per = _LOG_2PI_HALF + log_sigma + (0.5 * r) * r
    if np.isnan(per).any():  # inf - inf: both log sigma and r^2 overflow with opposite signs
        per = np.where(np.isnan(per), np.inf, per)
    return _v.accurate_sum(per, per.size)


def heteroscedastic_gaussian_nll_grad(theta, x, y):
    r"""Gradient of :func:`heteroscedastic_gaussian_nll` with respect to ``theta``.

    With :math:`r_i = (y_i - \mu_i)/\sigma_i`,

    .. math::

       \frac{\partial L}{\partial (a, b)} = -\frac1N \sum_i \frac{r_i}{\sigma_i}(1, x_i),
       \qquad
       \frac{\partial L}{\partial (c, d)} = \frac1N \sum_i (1 - r_i^2)(1, x_i).

    Parameters
    ----------
    theta, x, y
        As in :func:`heteroscedastic_gaussian_nll`.

    Returns
    -------
    ndarray, shape (4,)

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> g = demos.heteroscedastic_gaussian_nll_grad([0, 0, 0, 0], [1.0], [0.0])
    >>> g.tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    th, x, y = _check_hetero(theta, x, y)
    n = x.size
    with np.errstate(over="ignore", invalid="ignore"):
        mu = th[0] + th[1] * x
        log_sigma = th[2] + th[3] * x
        inv = np.exp(-log_sigma)
        g_mu = ((mu - y) / n * inv) * inv  # d/dmu of the mean NLL, without sigma itself
        r = (y - mu) * inv
    r = np.where(y == mu, 0.0, r)  # 0 * inf where sigma underflows: the residual is exactly 0
    g_mu = np.where(y == mu, 0.0, g_mu)
    with np.errstate(over="ignore", invalid="ignore"):
        g_mu_x = g_mu * x
    if np.isfinite(g_mu).all() and np.isfinite(r).all() and np.isfinite(g_mu_x).all():
        # chain rule through exp: dL/dc_i = (1 - r_i^2) / N, r_i = (y_i - mu_i) / sigma_i
        with np.errstate(over="ignore", invalid="ignore"):
            rr = r * r
            rrx = rr * x
        if np.isfinite(rr).all() and np.isfinite(rrx).all():  # no square overflows: plain sums
            gc = _v.accurate_sum(np.ones(n), n) - _v.accurate_sum(rr, n)
            gd = _v.accurate_sum(x, n) - _v.accurate_sum(rrx, n)  # sum x is often exactly 0
            return np.array([_v.accurate_sum(g_mu), _v.accurate_sum(g_mu * x), gc, gd]) + 0.0
        with np.errstate(over="ignore"):
            s2 = _v.sum_sq_weighted(r) / n
            s2x = _v.sum_sq_weighted(r, x) / n
        if not np.isfinite(s2):  # the sum of squares overflows; the mean may not
            s2 = _v.sum_sq_weighted(r / np.sqrt(n))
        if not np.isfinite(s2x):
            s2x = _v.sum_sq_weighted(r, x / n)
        gc = _v.accurate_sum(np.ones(n), n) - s2
        gd = _v.accurate_sum(x, n) - s2x
        return np.array([_v.accurate_sum(g_mu), _v.accurate_sum(g_mu * x), gc, gd]) + 0.0
    # Some terms overflow (sigma = exp(c + d x) under- or overflows, |mu| huge): the
    # sums are formed in log space, term_i = sign_i exp(2 h_i), so that terms of
    # +inf and -inf do not meet (NaN) and the sum is inf only where it overflows.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        a = -np.clip(log_sigma, -_MAXF, _MAXF)  # log(1 / sigma), up to 1.8e308
        mu_c = np.clip(mu, -_MAXF, _MAXF)
        d = mu_c - y
        # |mu - y| > max float: from the halves (not everywhere: halving a subnormal loses it)
        d = np.where(np.isfinite(d), d, mu_c * 0.5 - y * 0.5)
        half_log_d = 0.5 * np.where(np.isfinite(mu_c - y), np.log(np.abs(d)), np.log(np.abs(d)) + np.log(2.0))
        half_log_x = 0.5 * np.log(np.abs(x))
        half_log_n = 0.5 * np.log(n)
    sd, sx = np.sign(d), np.sign(x)
    # each term is sign exp(2 (a_i + b_i)): a_i = -log sigma_i may be huge, b_i moderate
    ga = _signed_exp2_sum(a, half_log_d - half_log_n, sd)  # (mu - y) / (n sigma^2)
    gb = _signed_exp2_sum(a, half_log_d + half_log_x - half_log_n, sd * sx)
    # r^2 / n = exp(2 (a + log|mu - y| - log(n) / 2)), and times |x|
    gc = 1.0 - _signed_exp2_sum(a, 2.0 * half_log_d - half_log_n, np.ones(n))
    gd = _v.accurate_sum(x, n) - _signed_exp2_sum(a, 2.0 * half_log_d + half_log_x - half_log_n, sx)
    return np.array([ga, gb, gc, gd]) + 0.0


_MAXF = float(np.finfo(np.float64).max)


def _signed_exp2_sum(a, b, sign):
    """``sum(sign * exp(2 (a + b)))`` without overflowing terms; inf only where the sum overflows.

    ``a`` may be huge (up to 1.8e308, or -inf for an underflowing term) and ``b``
    moderate: they are kept apart so that ``b`` is not lost in the rounding of ``a``
    (terms whose ``a`` differ by less than its rounding count as equal in ``a``).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        keep = (sign != 0) & (a > -np.inf) & (b > -np.inf) & ((a + b) > -np.inf)
        if not keep.any():
            return 0.0
        a, b, sign = a[keep], b[keep], sign[keep]
        ma, mb = float(a.max()), float(b.max())
        e = (a - ma) + (b - mb)  # the exponent relative to ma + mb, without rounding b into a
        me = float(e.max())
        s = _v.accurate_sum(sign * np.exp(2.0 * (e - me)))
        if s == 0.0:
            return 0.0
        return float(np.copysign(np.exp(2.0 * ma + (2.0 * (mb + me) + np.log(abs(s)))), s))
