r"""Demos for the chapter on priors and regularisation.

Seeded toy data and simulations: a linearly separable data set, an Adam step
with either form of weight decay, and a ridge bias-variance simulation with the
exact values it estimates.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import _validation as _v
from .._regularisation import fit_ridge

__all__ = ["make_separable_data", "logistic_descent", "adam_step", "AdamState", "RidgeSimulation", "ridge_bias_variance",
           "ridge_validation_curve"]


def make_separable_data(n=40, *, margin=0.5, seed=0):
    r"""Two linearly separable classes in 2-D, with a column of ones prepended.

    Points are drawn uniformly in the square :math:`[-2, 2]^2`; those within
    ``margin`` of the line :math:`x_1 + x_2 = 0` are pushed out to distance
    ``margin``; the label is 1 above the line.

    Parameters
    ----------
    n : int
        Number of points.
    margin : float
        Smallest distance from a point to the separating line (> 0).
    seed : int
        Seed of the random generator.

    Returns
    -------
    X : ndarray, shape (n, 3)
        ``[1, x1, x2]`` per row.
    y : ndarray, shape (n,)
        Labels in {0, 1}; both classes occur.
    """
    n_ = _v.check_int(n, "n", minimum=2)
    m = _v.check_positive_scalar(margin, "margin")
    rng = np.random.default_rng(_v.check_seed(seed))
    pts = rng.uniform(-2, 2, size=(n_, 2))
    s = (pts[:, 0] + pts[:, 1]) / math.sqrt(2)          # signed distance to the line
    s[0], s[1] = 1.0, -1.0                              # both classes present
    s = np.sign(s) * np.maximum(np.abs(s), m)
    t = (pts[:, 0] - pts[:, 1]) / math.sqrt(2)
    pts = np.column_stack([(s + t) / math.sqrt(2), (s - t) / math.sqrt(2)])
    y = (s > 0).astype(float)
    return np.column_stack([np.ones(n_), pts]), y


def logistic_descent(X, y, *, strength=0.0, learning_rate=1.0, n_steps=1000):
    r"""Gradient descent on the mean logistic loss plus an L2 penalty; the whole path.

    Minimises :math:`\frac1n\sum_i \ell_{\log}(y_i, \sigma(\boldsymbol x_i^\top
    \boldsymbol w)) + \frac{\lambda}{2}\lVert\boldsymbol w\rVert^2` from zero with
    the gradient :math:`\frac1n X^\top(\sigma(X\boldsymbol w) - \boldsymbol y) +
    \lambda\boldsymbol w` (``strength`` is :math:`\lambda`, the precision per
    example of a mean loss; the bias column is penalised too).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels in {0, 1}.
    strength, learning_rate : float
        :math:`\lambda \ge 0` and the step size :math:`\eta > 0`.
    n_steps : int

    Returns
    -------
    ndarray, shape (n_steps + 1, d)
        The weights after each step (row 0: zeros).
    """
    Xa = _v.as_float_array(X, "X", ndim=2)
    _v.check_finite(Xa, "X")
    ya = _v.as_float_array(y, "y", ndim=1)
    _v.check_range(ya, "y", 0.0, 1.0)
    if ya.shape[0] != Xa.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got {Xa.shape[0]} and {ya.shape[0]}")
    lam = _v.check_positive_scalar(strength, "strength", allow_zero=True)
    eta = _v.check_positive_scalar(learning_rate, "learning_rate")
    steps = _v.check_int(n_steps, "n_steps", minimum=0)
    n = Xa.shape[0]
    path = np.zeros((steps + 1, Xa.shape[1]))
    w = path[0].copy()
    for t in range(steps):
        p = 0.5 * (1.0 + np.tanh(0.5 * (Xa @ w)))  # sigmoid, no overflow
        w = w - eta * (Xa.T @ (p - ya) / n + lam * w)
        path[t + 1] = w
    return path


class AdamState(NamedTuple):
    """Adam's running moments: ``m`` (first), ``v`` (second), ``t`` (steps taken)."""

    m: np.ndarray
    v: np.ndarray
    t: int


def adam_step(w, grad, state, *, learning_rate, l2=0.0, decoupled=0.0, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One Adam step with an L2 term in the loss and/or decoupled weight decay.

    With :math:`\boldsymbol g' = \boldsymbol g + \lambda_2 \boldsymbol w` (``l2``: the
    gradient of :math:`\frac{\lambda_2}{2}\lVert\boldsymbol w\rVert^2` added to the loss),

    .. math::

       \begin{aligned}
       \boldsymbol m &\leftarrow \beta_1\boldsymbol m + (1-\beta_1)\boldsymbol g', \qquad
       \boldsymbol v \leftarrow \beta_2\boldsymbol v + (1-\beta_2)\boldsymbol g'^2, \\
       \boldsymbol w &\leftarrow \boldsymbol w
       - \eta\,\frac{\hat{\boldsymbol m}}{\sqrt{\hat{\boldsymbol v}} + \epsilon}
       - \eta\lambda_d\boldsymbol w
       \end{aligned}

    with bias-corrected :math:`\hat{\boldsymbol m}, \hat{\boldsymbol v}` and decoupled
    decay :math:`\lambda_d` (``decoupled``), as in AdamW (Loshchilov and Hutter
    2019, with the decay multiplied by the learning rate as in PyTorch).

    Parameters
    ----------
    w, grad : array_like, shape (d,)
        Current weights and the gradient of the data loss at ``w``.
    state : AdamState or None
        Moments from the previous step (``None``: zeros, ``t = 0``).
    learning_rate, l2, decoupled, beta1, beta2, eps : float
        :math:`\eta > 0`, :math:`\lambda_2 \ge 0`, :math:`\lambda_d \ge 0`,
        :math:`\beta_1, \beta_2 \in [0, 1)`, :math:`\epsilon > 0`.

    Returns
    -------
    w_new : ndarray, shape (d,)
    state : AdamState
    """
    wa = _v.as_float_array(w, "w", ndim=1)
    ga = _v.as_float_array(grad, "grad", ndim=1)
    _v.check_finite(wa, "w")
    _v.check_finite(ga, "grad")
    _v.check_same_shape(wa, ga, "w", "grad")
    eta = _v.check_positive_scalar(learning_rate, "learning_rate")
    lam2 = _v.check_positive_scalar(l2, "l2", allow_zero=True)
    lamd = _v.check_positive_scalar(decoupled, "decoupled", allow_zero=True)
    b1 = _v.check_positive_scalar(beta1, "beta1", allow_zero=True, upper=1.0, upper_open=True)
    b2 = _v.check_positive_scalar(beta2, "beta2", allow_zero=True, upper=1.0, upper_open=True)
    ep = _v.check_positive_scalar(eps, "eps")
    if state is None:
        state = AdamState(np.zeros_like(wa), np.zeros_like(wa), 0)
    g = ga + lam2 * wa
    m = b1 * state.m + (1 - b1) * g
    v = b2 * state.v + (1 - b2) * g * g
    t = state.t + 1
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    w_new = wa - eta * m_hat / (np.sqrt(v_hat) + ep) - eta * lamd * wa
    return w_new, AdamState(m, v, t)


class RidgeSimulation(NamedTuple):
    """Result of :func:`ridge_bias_variance`; arrays have one entry per strength.

    ``errors`` has shape (n_repeats, n_strengths): the mean squared distance of the
    fitted function from the true one on the test inputs, per simulated data set.
    ``bias2``, ``variance`` are the simulated squared bias and variance (averaged
    over test inputs); ``bias2_exact``, ``variance_exact`` are the exact values for
    the fixed design. ``X``, ``X_test`` and ``w_true`` are the design, the test
    inputs and the true weights.
    """

    strengths: np.ndarray
    errors: np.ndarray
    bias2: np.ndarray
    variance: np.ndarray
    bias2_exact: np.ndarray
    variance_exact: np.ndarray
    X: np.ndarray
    X_test: np.ndarray
    w_true: np.ndarray


def _ridge_problem(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X_test = rng.normal(size=(200, d))
    w_true = rng.normal(scale=0.5, size=d)
    return rng, X, X_test, w_true


def ridge_bias_variance(strengths, *, n=30, d=10, noise=1.0, n_repeats=400, seed=0):
    r"""Simulate ridge fits on a fixed design and estimate bias and variance.

    A fixed design ``X`` (n by d, standard normal), test inputs (200 by d) and
    true weights (normal, sd 0.5) are drawn once; then ``n_repeats`` target vectors
    :math:`\boldsymbol y = X\boldsymbol w^\star + \boldsymbol\varepsilon` with
    :math:`\varepsilon_i \sim \mathcal N(0, \text{noise}^2)` are fitted by
    :func:`lossbook.fit_ridge` at every strength. The exact values use
    :math:`A = (X^\top X + \alpha I)^{-1}`:
    :math:`\mathbb E\hat{\boldsymbol w} = A X^\top X\boldsymbol w^\star`,
    :math:`\operatorname{Cov}\hat{\boldsymbol w} = \sigma^2 A X^\top X A`.

    Parameters
    ----------
    strengths : array_like, shape (k,)
        Ridge strengths :math:`\alpha \ge 0`.
    n, d, n_repeats : int
        Data size, dimension, number of simulated data sets.
    noise : float
        Noise standard deviation :math:`\sigma > 0`.
    seed : int

    Returns
    -------
    RidgeSimulation
    """
    alphas = _v.as_float_array(strengths, "strengths", ndim=1)
    _v.check_finite(alphas, "strengths")
    if np.any(alphas < 0):
        raise ValueError(f"strengths must be >= 0, got {alphas.tolist()}")
    n_, d_ = _v.check_int(n, "n"), _v.check_int(d, "d")
    reps = _v.check_int(n_repeats, "n_repeats", minimum=2)
    sigma = _v.check_positive_scalar(noise, "noise")
    rng, X, X_test, w_true = _ridge_problem(n_, d_, _v.check_seed(seed))
    f_true = X_test @ w_true
    preds = np.empty((reps, alphas.size, X_test.shape[0]))
    for r in range(reps):
        y = X @ w_true + sigma * rng.normal(size=n_)
        for j, a in enumerate(alphas):
            preds[r, j] = X_test @ fit_ridge(X, y, float(a))
    errors = np.mean((preds - f_true) ** 2, axis=2)
    bias2 = np.mean((preds.mean(axis=0) - f_true) ** 2, axis=1)
    variance = np.mean(preds.var(axis=0, ddof=1), axis=1)
    G = X.T @ X
    b_ex, v_ex = [], []
    for a in alphas:
        A = np.linalg.inv(G + a * np.eye(d_))
        mean_w = A @ G @ w_true
        cov_w = sigma**2 * A @ G @ A
        b_ex.append(float(np.mean((X_test @ mean_w - f_true) ** 2)))
        v_ex.append(float(np.mean(np.einsum("ij,jk,ik->i", X_test, cov_w, X_test))))
    return RidgeSimulation(alphas, errors, bias2, variance, np.array(b_ex), np.array(v_ex),
                           X, X_test, w_true)


def ridge_validation_curve(X, y, X_valid, y_valid, strengths):
    r"""Training and validation mean squared error of ridge fits, one per strength.

    Fits :func:`lossbook.fit_ridge` on ``(X, y)`` at every strength and reports
    the mean squared error on the training data and on ``(X_valid, y_valid)``.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    X_valid : array_like, shape (m, d)
    y_valid : array_like, shape (m,)
    strengths : array_like, shape (k,)
        Ridge strengths :math:`\alpha \ge 0`.

    Returns
    -------
    train_mse, valid_mse : ndarray, shape (k,)
    """
    alphas = _v.as_float_array(strengths, "strengths", ndim=1)
    _v.check_finite(alphas, "strengths")
    if np.any(alphas < 0):
        raise ValueError(f"strengths must be >= 0, got {alphas.tolist()}")
    Xv = _v.as_float_array(X_valid, "X_valid", ndim=2)
    yv = _v.as_float_array(y_valid, "y_valid", ndim=1)
    if Xv.shape[0] != yv.shape[0]:
        raise ValueError(f"X_valid and y_valid must have the same number of rows, got {Xv.shape[0]} "
                         f"and {yv.shape[0]}")
    Xa = _v.as_float_array(X, "X", ndim=2)
    ya = _v.as_float_array(y, "y", ndim=1)
    tr, va = [], []
    for a in alphas:
        w = fit_ridge(Xa, ya, float(a))
        tr.append(float(np.mean((ya - Xa @ w) ** 2)))
        va.append(float(np.mean((yv - Xv @ w) ** 2)))
    return np.array(tr), np.array(va)
