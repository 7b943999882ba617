r"""Log loss in practice: clipping, rounding, accuracy metrics and tiny trainers.

Companion module of the chapters *Cross-entropy in practice* and *Why not MSE
for classification*. It holds what those chapters need beyond the core losses:

- a seeded synthetic prediction set for a strong binary classifier with a few
  confidently wrong items (:func:`simulate_prediction_set`), the transforms a
  Kaggle competitor might apply to it (:func:`round_confident`), a sweep of
  clip values (:func:`clip_sweep`, clipping through the ``eps`` of
  :func:`lossbook.binary_cross_entropy`)
  and the share of the loss carried by the worst items
  (:func:`worst_item_share`);
- the two accuracy metrics that a binary loss on one-hot targets mixes up
  (:func:`binary_accuracy`, Keras's element-wise metric, and
  :func:`categorical_accuracy`);
- a minimal two-layer sigmoid network whose backward pass starts from a
  chosen output error, including a caller-supplied (possibly wrong) one, to
  study update rules that are not the gradient of the printed loss
  (:func:`fit_two_layer_gd`; for ordinary training use :func:`lossbook.demos.train`),
  and a one-dimensional slice of a logistic model's loss surface
  (:func:`loss_along_line`);
- how large the back-propagated gradient stays, layer by layer, in a deep
  random network with sigmoid, tanh or ReLU hidden units
  (:func:`layer_gradient_norms`), for the saturation discussion.

The losses and their gradients themselves come from :mod:`lossbook`
(``binary_cross_entropy``, ``binary_cross_entropy_with_logits`` and its
``_grad``, ``mse`` and ``mse_grad``); nothing here re-implements them.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validation as _v
from ._activations import sigmoid
from ._losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    mse,
    mse_grad,
)

__all__ = [
    "simulate_prediction_set",
    "round_confident",
    "clip_sweep",
    "worst_item_share",
    "binary_accuracy",
    "categorical_accuracy",
    "fit_two_layer_gd",
    "loss_along_line",
    "layer_gradient_norms",
]

_LOSSES = ("cross_entropy", "mse")


# --------------------------------------------------------------------------
# validation helpers (module-private)
# --------------------------------------------------------------------------


def _probs(y_prob, name="y_prob", *, min_ndim=1):
    p = _v.as_float_array(y_prob, name, min_ndim=min_ndim)
    _v.check_range(p, name, 0.0, 1.0, "probabilities")
    return p


def _binary_labels(y_true, shape, other="y_prob", name="y_true"):
    y = _v.as_float_array(y_true, name, min_ndim=1)
    if y.shape != shape:
        raise ValueError(
            f"{name} and {other} must have the same shape, got {name} {_v._fmt_shape(y.shape)} "
            f"and {other} {_v._fmt_shape(shape)}"
        )
    bad = (y != 0.0) & (y != 1.0)
    if bad.any():
        idx = _v._first_bad(bad)
        raise ValueError(f"{name} must hold 0/1 labels, got {float(y[idx])!r}{_v._where(bad, idx)}")
    return y


def _real(value, name, *, lo=None, hi=None, lo_open=False, hi_open=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_v._show(value)}")
    v = float(value)
    ok = np.isfinite(v)
    if ok and lo is not None:
        ok = v > lo if lo_open else v >= lo
    if ok and hi is not None:
        ok = v < hi if hi_open else v <= hi
    if not ok:
        parts = []
        if lo is not None:
            parts.append(f"{'>' if lo_open else '>='} {lo:g}")
        if hi is not None:
            parts.append(f"{'<' if hi_open else '<='} {hi:g}")
        bounds = (" " + " and ".join(parts)) if parts else ""
        raise ValueError(f"{name} must be a finite number{bounds}, got {value!r}")
    return v


def _loss_name(loss):
    if not isinstance(loss, str) or loss not in _LOSSES:
        raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
    return loss


# --------------------------------------------------------------------------
# a Kaggle-style prediction set and what competitors do to it
# --------------------------------------------------------------------------


def simulate_prediction_set(n=2000, *, confident_wrong=3, margin_mean=6.0, margin_sd=2.0,
                            wrong_margin=(2.5, 4.0), seed=0):
    r"""A seeded synthetic prediction set of a strong binary classifier.

    Each item gets a label :math:`y_i \in \{0, 1\}` (fair coin) and a signed
    margin :math:`m_i`, the logit of the probability given to the *true*
    class. Most items draw :math:`m_i \sim \mathcal N(\mu, s^2)` (confident
    and mostly right, with a thin tail of honest mistakes);
    ``confident_wrong`` items instead draw
    :math:`m_i \sim -\mathcal U(a, b)`, i.e. a probability between
    :math:`\sigma(-b)` and :math:`\sigma(-a)` for the true class. The
    predicted probability of class 1 is

    .. math::

       p_i = \sigma\bigl((2 y_i - 1)\, m_i\bigr).

    Parameters
    ----------
    n : int, default 2000
        Number of items, ``>= 1``.
    confident_wrong : int, default 3
        Number of confidently wrong items, in ``[0, n]``; they are placed at
        random positions.
    margin_mean, margin_sd : float, default 6.0 and 2.0
        Mean and standard deviation (``> 0``) of the margin of the ordinary
        items.
    wrong_margin : tuple of two floats, default (2.5, 4.0)
        ``(a, b)`` with ``0 <= a < b``: the confidently wrong items give the
        true class a probability in ``[sigma(-b), sigma(-a)]`` (by default
        about 0.018 to 0.076).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    y_true : ndarray of int64, shape (n,)
        Labels.
    y_prob : ndarray of float64, shape (n,)
        Predicted probabilities of class 1, strictly inside (0, 1).
    wrong : ndarray of bool, shape (n,)
        Mask of the planted confidently wrong items.

    Notes
    -----
    The set is synthetic: it stands in for the predictions of a competition
    entry, whose real predictions are not available.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> y, p, wrong = demos.simulate_prediction_set(10, confident_wrong=1,
    ...                                             seed=1)
    >>> y.shape, p.shape, int(wrong.sum())
    ((10,), (10,), 1)
    """
    n = _v.check_int(n, "n", minimum=1)
    k = _v.check_int(confident_wrong, "confident_wrong", minimum=0)
    if k > n:
        raise ValueError(f"confident_wrong must be <= n={n}, got {k}")
    mu = _real(margin_mean, "margin_mean")
    sd = _real(margin_sd, "margin_sd", lo=0.0, lo_open=True)
    try:
        a, b = (float(v) for v in wrong_margin)
    except (TypeError, ValueError):
        raise ValueError(f"wrong_margin must be a pair (a, b) of numbers, got {wrong_margin!r}") from None
    if not (np.isfinite(a) and np.isfinite(b) and 0.0 <= a < b):
        raise ValueError(f"wrong_margin must be a pair (a, b) with 0 <= a < b, got {wrong_margin!r}")
    seed = _v.check_seed(seed)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n).astype(np.int64)
    margin = rng.normal(mu, sd, size=n)
    wrong = np.zeros(n, dtype=bool)
    if k:
        idx = rng.choice(n, size=k, replace=False)
        wrong[idx] = True
        margin[idx] = -rng.uniform(a, b, size=k)
    p = sigmoid((2.0 * y - 1.0) * margin)
    return y, np.asarray(p, dtype=np.float64), wrong


def round_confident(y_prob, *, threshold=0.1, to=0.0):
    r"""Round confident probabilities to the extremes, as some competitors do.

    .. math::

       r(p) = \begin{cases} 1 - t & p > 1 - \tau \\ t & p < \tau \\ p & \text{otherwise} \end{cases}

    with :math:`\tau` = ``threshold`` and :math:`t` = ``to``.

    Parameters
    ----------
    y_prob : array_like, any shape with at least one axis
        Probabilities in [0, 1].
    threshold : float, default 0.1
        :math:`\tau \in (0, 0.5)`: probabilities below it (above ``1 - tau``)
        are rounded down (up).
    to : float, default 0.0
        :math:`t \in [0, \tau)`: where the rounded values land; ``0`` rounds to
        exactly 0 and 1, a positive ``to`` rounds to ``to`` and ``1 - to``.

    Returns
    -------
    ndarray, same shape as ``y_prob``
        A new array; the input is not modified.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> demos.round_confident([0.05, 0.5, 0.97]).tolist()
    [0.0, 0.5, 1.0]
    >>> demos.round_confident([0.05, 0.97], to=1e-5).tolist()
    [1e-05, 0.99999]
    """
    p = _probs(y_prob)
    tau = _real(threshold, "threshold", lo=0.0, hi=0.5, lo_open=True, hi_open=True)
    t = _real(to, "to", lo=0.0, hi=tau, hi_open=True)
    out = p.copy()
    out[p > 1.0 - tau] = 1.0 - t
    out[p < tau] = t
    return out


def clip_sweep(y_true, y_prob, eps_values):
    r"""Binary log loss of ``y_prob`` clipped at each value of ``eps_values``.

    .. math::

       L(\varepsilon) = \frac{1}{n}\sum_i
       \ell\bigl(y_i, \operatorname{clip}(p_i, \varepsilon, 1 - \varepsilon)\bigr)

    Parameters
    ----------
    y_true : array_like, shape (n,)
        0/1 labels.
    y_prob : array_like, shape (n,)
        Predicted probabilities of class 1.
    eps_values : array_like, shape (k,)
        Clip values, each in (0, 0.5).

    Returns
    -------
    ndarray, shape (k,)
        Mean binary cross-entropy (nats) for each clip value, computed with
        :func:`lossbook.binary_cross_entropy`.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> sweep = demos.clip_sweep([1, 0], [0.0, 0.0], [0.1, 0.01])
    >>> [round(float(v), 4) for v in sweep]
    [1.204, 2.3076]
    """
    p = _probs(y_prob)
    y = _binary_labels(y_true, p.shape)
    e = _v.as_float_array(eps_values, "eps_values", min_ndim=1)
    if e.ndim != 1:
        raise ValueError(f"eps_values must be a 1-D array, got shape {_v._fmt_shape(e.shape)}")
    bad = ~((e > 0.0) & (e < 0.5))
    if bad.any():
        i = int(np.argmax(bad))
        more = int(np.count_nonzero(bad)) - 1
        raise ValueError(
            f"eps_values must lie in (0, 0.5), got {float(e[i])!r} at index {i}" + (f" (and {more} more)" if more else "")
        )
    return np.array([float(binary_cross_entropy(y, p, eps=float(v))) for v in e])


def worst_item_share(y_true, y_prob, *, k=1, eps=None):
    r"""Share of the total binary log loss carried by the ``k`` worst items.

    .. math::

       s_k = \frac{\sum_{i \in \text{top-}k} \ell_i}{\sum_{i=1}^{n} \ell_i}

    Parameters
    ----------
    y_true : array_like, shape (n,)
        0/1 labels.
    y_prob : array_like, shape (n,)
        Predicted probabilities of class 1.
    k : int, default 1
        Number of worst items, ``1 <= k <= n``.
    eps : float, optional
        Clip value passed to :func:`lossbook.binary_cross_entropy`.

    Returns
    -------
    float
        A number in [0, 1]; ``nan`` is never returned (a total loss of 0 gives
        0, an infinite item gives 1).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> round(demos.worst_item_share([1, 1, 1], [0.5, 0.99, 0.99]), 4)
    0.9719
    """
    p = _probs(y_prob)
    y = _binary_labels(y_true, p.shape)
    k = _v.check_int(k, "k", minimum=1)
    if k > p.shape[0]:
        raise ValueError(f"k must be <= the number of items ({p.shape[0]}), got {k}")
    per = binary_cross_entropy(y, p, eps=eps, reduction="none")
    total = float(per.sum())
    if total == 0.0:
        return 0.0
    top = np.sort(per)[::-1][:k]
    if np.isinf(total):
        return 1.0 if np.isinf(top).any() else 0.0
    return float(top.sum() / total)


# --------------------------------------------------------------------------
# accuracy metrics
# --------------------------------------------------------------------------


def binary_accuracy(y_true, y_prob, *, threshold=0.5):
    r"""Element-wise binary accuracy: the metric Keras reports with a binary loss.

    .. math::

       \mathrm{acc}_{\text{bin}} = \frac{1}{N C}\sum_{i, k}
       \mathbb 1\bigl[\mathbb 1[p_{ik} > \tau] = t_{ik}\bigr]

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        0/1 targets (for a multiclass problem, one-hot rows).
    y_prob : array_like, same shape
        Probabilities in [0, 1].
    threshold : float, default 0.5
        :math:`\tau \in (0, 1)`.

    Returns
    -------
    float

    Notes
    -----
    On one-hot targets with ``C`` classes every row has ``C - 1`` zeros, so a
    model that predicts "no" for every class scores ``(C - 1) / C`` without
    ever naming the right class. Compare :func:`categorical_accuracy`.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.binary_accuracy([[1, 0, 0, 0]], [[0.1, 0.1, 0.1, 0.1]])
    0.75
    """
    p = _probs(y_prob)
    y = _binary_labels(y_true, p.shape)
    tau = _real(threshold, "threshold", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    return float(np.mean((p > tau) == (y == 1.0)))


def categorical_accuracy(y_true, y_prob):
    r"""Fraction of rows whose most probable class is the true class.

    .. math::

       \mathrm{acc} = \frac{1}{N}\sum_i \mathbb 1\bigl[\arg\max_k p_{ik} = y_i\bigr]

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)`` or one-hot rows (the argmax is taken).
    y_prob : array_like, shape (N, C)
        Scores or probabilities; only their order within a row matters.

    Returns
    -------
    float

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.categorical_accuracy([0, 2], [[0.6, 0.3, 0.1], [0.5, 0.1, 0.4]])
    0.5
    """
    s = _v.as_float_array(y_prob, "y_prob", ndim=2)
    _v.check_finite(s, "y_prob")
    n, c = s.shape
    labels = _v.labels_from_targets(y_true, "y_true", n, c, other="y_prob", one_hot="argmax")
    return float(np.mean(s.argmax(axis=1) == labels))


# --------------------------------------------------------------------------
# minimal trainers with a sigmoid output
# --------------------------------------------------------------------------


def _design(X, name="X"):
    # C order: matrix products take the same BLAS path (same last bit) for any caller layout
    X = np.ascontiguousarray(_v.as_float_array(X, name, ndim=2))
    _v.check_finite(X, name)
    return X


def _output_error_dz(loss, y, z):
    """Gradient of the mean loss w.r.t. the logits ``z`` of a sigmoid output."""
    if loss == "cross_entropy":
        return binary_cross_entropy_with_logits_grad(y, z)
    p = sigmoid(z)
    return mse_grad(y, p) * p * (1.0 - p)


def _history_row(y, z):
    p = sigmoid(z)
    return (
        float(binary_cross_entropy_with_logits(y, z)),
        float(mse(y, p)),
        float(np.mean((z > 0) == (y == 1.0))),
    )


def fit_two_layer_gd(X, Y, *, output_error="cross_entropy", hidden=4, lr=1.0, epochs=500,
                     init_scale=1.0, W2_scale=None, b2_init=0.0, seed=0):
    r"""A two-layer sigmoid network trained by full-batch gradient descent.

    .. math::

       H = \sigma(X W_1 + b_1), \qquad A = \sigma(H W_2 + b_2)

    Back-propagation starts from the output error
    :math:`\Delta = \partial L / \partial Z_2` (with :math:`Z_2 = H W_2 + b_2`):

    - ``"cross_entropy"``: :math:`\Delta = (A - Y)/(nK)`, the gradient of the
      mean binary cross-entropy (from
      :func:`lossbook.binary_cross_entropy_with_logits_grad`);
    - ``"mse"``: :math:`\Delta = 2(A - Y) \odot A \odot (1 - A)/(nK)`, the
      gradient of the mean squared error;
    - a callable ``f(A, X, Y)`` returning an ``(n, K)`` array
      :math:`\delta`: then :math:`\Delta = \delta / (nK)` (to study an update
      rule that is not the gradient of any printed loss).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs.
    Y : array_like, shape (n, K)
        0/1 targets (one column per sigmoid output unit).
    output_error : {"cross_entropy", "mse"} or callable, default "cross_entropy"
        See above.
    hidden : int, default 4
        Hidden units.
    lr : float, default 1.0
        Step size, ``> 0``.
    epochs : int, default 500
        Number of updates.
    init_scale : float, default 1.0
        Standard deviation of the initial weights (``> 0``).
    W2_scale : float, optional
        Standard deviation of the initial output weights, default
        ``init_scale``.
    b2_init : float, default 0.0
        Initial bias of every output unit; a large negative (positive) value
        starts the outputs saturated near 0 (1).
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for the initial weights.

    Returns
    -------
    dict
        ``"params"`` (``W1, b1, W2, b2``) and histories of length
        ``epochs + 1``: ``"cross_entropy"`` (mean binary cross-entropy of
        ``A`` against ``Y``), ``"mse"`` and ``"accuracy"`` (element-wise,
        threshold 0.5).

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    >>> Y = np.array([[0.], [1.], [1.], [1.]])
    >>> h = demos.fit_two_layer_gd(X, Y, epochs=300, seed=0)
    >>> bool(h["cross_entropy"][-1] < h["cross_entropy"][0])
    True
    """
    X = _design(X)
    n, d = X.shape
    Y = _v.as_float_array(Y, "Y", ndim=2)
    if Y.shape[0] != n:
        raise ValueError(f"Y must have {n} rows to match X, got shape {_v._fmt_shape(Y.shape)}")
    Y = _binary_labels(Y, Y.shape, other="Y", name="Y")
    k = Y.shape[1]
    if not (callable(output_error) or (isinstance(output_error, str) and output_error in _LOSSES)):
        raise ValueError(
            f"output_error must be 'cross_entropy', 'mse' or a callable f(A, X, Y), got {output_error!r}"
        )
    rule = output_error
    hidden = _v.check_int(hidden, "hidden", minimum=1)
    lr = _real(lr, "lr", lo=0.0, lo_open=True)
    epochs = _v.check_int(epochs, "epochs", minimum=1)
    s1 = _real(init_scale, "init_scale", lo=0.0, lo_open=True)
    s2 = s1 if W2_scale is None else _real(W2_scale, "W2_scale", lo=0.0, lo_open=True)
    b2_0 = _real(b2_init, "b2_init")
    rng = np.random.default_rng(_v.check_seed(seed))
    W1 = rng.normal(0.0, s1, size=(d, hidden))
    b1 = np.zeros(hidden)
    W2 = rng.normal(0.0, s2, size=(hidden, k))
    b2 = np.full(k, b2_0)
    hist = np.empty((epochs + 1, 3))
    for t in range(epochs + 1):
        H = sigmoid(X @ W1 + b1)
        Z2 = H @ W2 + b2
        hist[t] = _history_row(Y, Z2)
        if t == epochs:
            break
        if callable(rule):
            A = sigmoid(Z2)
            delta = np.asarray(rule(A, X, Y), dtype=np.float64)
            if delta.shape != Y.shape:
                raise ValueError(
                    f"output_error must return an array of shape {_v._fmt_shape(Y.shape)}, got "
                    f"{_v._fmt_shape(delta.shape)}"
                )
            D2 = delta / Y.size
        else:
            D2 = _output_error_dz(rule, Y, Z2)
        D1 = (D2 @ W2.T) * H * (1.0 - H)
        W2 -= lr * (H.T @ D2)
        b2 -= lr * D2.sum(axis=0)
        W1 -= lr * (X.T @ D1)
        b1 -= lr * D1.sum(axis=0)
    return {
        "params": {"W1": W1, "b1": b1, "W2": W2, "b2": b2},
        "cross_entropy": hist[:, 0],
        "mse": hist[:, 1],
        "accuracy": hist[:, 2],
    }


def loss_along_line(X, y, w, direction, t, *, b=0.0, loss="cross_entropy"):
    r"""A logistic model's mean loss along a line in weight space.

    .. math::

       f(t) = L\bigl(w + t\,u\bigr), \qquad
       L(w) = \frac{1}{n}\sum_i \ell\bigl(y_i, \sigma(x_i^\top w + b)\bigr)

    Parameters
    ----------
    X : array_like, shape (n, d)
        Features.
    y : array_like, shape (n,)
        0/1 labels.
    w, direction : array_like, shape (d,)
        Base point :math:`w` and direction :math:`u`.
    t : array_like, shape (m,)
        Positions along the line.
    b : float, default 0.0
        Bias, held fixed.
    loss : {"cross_entropy", "mse"}, default "cross_entropy"
        Mean binary cross-entropy from the logits, or mean squared error of
        the probabilities.

    Returns
    -------
    ndarray, shape (m,)

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> f = demos.loss_along_line([[1.0]], [1], [0.0], [1.0], [0.0])
    >>> round(float(f[0]), 6)
    0.693147
    """
    X = _design(X)
    n, d = X.shape
    y = _binary_labels(y, (n,), other="the rows of X", name="y")
    w = np.ascontiguousarray(_v.as_float_array(w, "w", ndim=1))
    u = np.ascontiguousarray(_v.as_float_array(direction, "direction", ndim=1))
    for arr, name in ((w, "w"), (u, "direction")):
        if arr.shape != (d,):
            raise ValueError(f"{name} must have shape ({d},) to match X, got {_v._fmt_shape(arr.shape)}")
        _v.check_finite(arr, name)
    t = _v.as_float_array(t, "t", ndim=1)
    _v.check_finite(t, "t")
    b = _real(b, "b")
    loss = _loss_name(loss)
    out = np.empty(t.shape[0])
    for j, tj in enumerate(t):
        with np.errstate(over="ignore", invalid="ignore"):
            z = X @ (w + tj * u) + b
        if not np.isfinite(z).all():
            raise ValueError(
                f"X @ (w + t direction) + b must be finite (the logits), got {float(z[~np.isfinite(z)][0])!r} "
                f"at t[{j}] = {float(tj)!r}; rescale X, w, direction or t"
            )
        if loss == "cross_entropy":
            out[j] = float(binary_cross_entropy_with_logits(y, z))
        else:
            out[j] = float(mse(y, sigmoid(z)))
    return out


_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def _act_and_deriv(name, a):
    """Hidden activation and its derivative at the pre-activations ``a``."""
    if name == "sigmoid":
        h = sigmoid(a)
        return h, h * (1.0 - h)
    if name == "tanh":
        h = np.tanh(a)
        return h, 1.0 - h * h
    return np.maximum(a, 0.0), (a > 0).astype(np.float64)


def layer_gradient_norms(activation, *, depth=20, width=64, n_samples=128, weight_gain=None, seed=0):
    r"""Size of the back-propagated gradient at every layer of a deep random network.

    The network has ``depth`` fully connected hidden layers of ``width``
    units, :math:`h_l = \phi(a_l)`, :math:`a_l = h_{l-1} W_l` with
    :math:`h_0 = x \sim \mathcal N(0, I)` and weights
    :math:`W_l \sim \mathcal N(0, g^2/\text{width})`. A seeded random
    gradient :math:`\partial L/\partial h_{\text{depth}} \sim \mathcal N(0, I)`
    is sent back by the chain rule,

    .. math::

       \frac{\partial L}{\partial h_{l-1}}
       = \Bigl(\frac{\partial L}{\partial h_l} \odot \phi'(a_l)\Bigr) W_l^\top ,

    and the root-mean-square entry of :math:`\partial L/\partial h_l` is
    recorded for every layer. The factor :math:`\phi'(a_l)` is where
    saturation enters: at most 1/4 for the sigmoid, at most 1 for tanh, and
    exactly 0 or 1 for ReLU.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu"}
        Hidden activation :math:`\phi`.
    depth : int, default 20
        Number of hidden layers (at least 1).
    width : int, default 64
        Units per layer (at least 1).
    n_samples : int, default 128
        Inputs in the batch (at least 1).
    weight_gain : float, optional
        The gain :math:`g > 0`; default 1 for sigmoid and tanh, :math:`\sqrt 2`
        for ReLU (He initialisation).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, shape (depth + 1,)
        RMS gradient at :math:`h_0, h_1, \dots, h_{\text{depth}}` (the last
        entry is that of the injected gradient, about 1).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> g = demos.layer_gradient_norms("sigmoid", depth=10, seed=0)
    >>> g.shape, bool(g[0] < 1e-5 * g[-1])
    ((11,), True)
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of 'sigmoid', 'tanh' or 'relu', got {activation!r}")
    depth = _v.check_int(depth, "depth", minimum=1)
    width = _v.check_int(width, "width", minimum=1)
    n_samples = _v.check_int(n_samples, "n_samples", minimum=1)
    gain = (np.sqrt(2.0) if activation == "relu" else 1.0) if weight_gain is None else _real(
        weight_gain, "weight_gain", lo=0.0, lo_open=True)
    rng = np.random.default_rng(_v.check_seed(seed))
    h = rng.standard_normal((n_samples, width))
    weights, derivs = [], []
    for _ in range(depth):
        W = rng.normal(0.0, gain / np.sqrt(width), size=(width, width))
        h, d = _act_and_deriv(activation, h @ W)
        weights.append(W)
        derivs.append(d)
    g = rng.standard_normal((n_samples, width))
    out = np.empty(depth + 1)
    out[depth] = np.sqrt(np.mean(g * g))
    for layer in range(depth - 1, -1, -1):
        g = (g * derivs[layer]) @ weights[layer].T
        out[layer] = np.sqrt(np.mean(g * g))
    return out
