r"""Demos for the chapter "Cross-entropy in practice": two framework pitfalls.

- :func:`double_softmax_loss` and :func:`double_softmax_grad`: the loss, and its
  gradient with respect to the logits, of the "double softmax" bug: a softmax
  applied to the logits before a loss that applies its own softmax (PyTorch's
  ``CrossEntropyLoss`` takes logits);
- :func:`log_loss_in_dtype`: the binary log loss evaluated in float16, float32
  or float64, either from the probability stored in that format or from the
  logit, to show what a low-precision format does to the loss.

The library's losses always compute in float64; these demos exist to show the
effect of a narrower format, not to be used for training.
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _v
from .._activations import sigmoid, softmax
from .._losses import softmax_cross_entropy, softmax_cross_entropy_grad

__all__ = ["double_softmax_loss", "double_softmax_grad", "log_loss_in_dtype"]

_DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64}
_ROUTES = ("logits", "probs")


def double_softmax_loss(y_true, logits, *, reduction="mean"):
    r"""Cross-entropy of ``softmax(softmax(logits))``: the double-softmax bug.

    .. math::

       \ell_i = \operatorname{LSE}(q_i) - q_{i y_i}, \qquad
       q_i = \operatorname{softmax}(z_i)

    (soft targets: :math:`\operatorname{LSE}(q_i) - \sum_k t_{ik} q_{ik}`), which
    lies in :math:`[\log(1 + (C - 1)/e),\, \log(e + C - 1)]` for a one-hot
    target, a band one nat wide.

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``, or target rows summing to 1.
    logits : array_like, shape (N, C)
        Finite logits :math:`z`.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    Exactly ``lossbook.softmax_cross_entropy(y_true, lossbook.softmax(logits))``:
    the probabilities are passed where the loss expects logits. Nats.

    Examples
    --------
    >>> from lossbook import demos
    >>> round(float(demos.double_softmax_loss([0], [[0.0, 0.0, 0.0]])), 6)  # log 3
    1.098612
    """
    z = _v.as_float_array(logits, "logits", ndim=2)
    _v.check_finite(z, "logits")
    return softmax_cross_entropy(y_true, softmax(z), reduction=reduction)


def double_softmax_grad(y_true, logits):
    r"""Gradient of the mean cross-entropy of ``softmax(softmax(logits))``.

    The bug: probabilities :math:`q = \operatorname{softmax}(z)` are passed to
    a loss that expects logits, so the loss is
    :math:`\ell = \operatorname{LSE}(q) - q_y` (soft targets:
    :math:`\operatorname{LSE}(q) - \sum_k t_k q_k`). By the chain rule through
    the softmax Jacobian :math:`\operatorname{diag}(q) - q q^\top`,

    .. math::

       \frac{\partial \bar\ell}{\partial z_{ik}}
       = q_{ik}\Bigl(g_{ik} - \sum_j g_{ij}\, q_{ij}\Bigr), \qquad
       g_{ik} = \frac{\operatorname{softmax}(q_i)_k - t_{ik}}{N} .

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``, or target rows summing to 1.
    logits : array_like, shape (N, C)
        Finite logits :math:`z` (the softmax is applied to them *twice*).

    Returns
    -------
    ndarray, shape (N, C)
        Each row sums to 0.

    Notes
    -----
    The mean loss itself is :func:`double_softmax_loss`, that is
    ``lossbook.softmax_cross_entropy(y_true, lossbook.softmax(logits))``; only
    its gradient needs the chain rule. At
    equal logits the gradient is exactly :math:`1/C` times that of the correct
    loss; for a confidently wrong prediction (:math:`q` near a one-hot row of
    another class) it vanishes, because the Jacobian does.

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.double_softmax_grad([0], [[0.0, 0.0]]).tolist()
    [[-0.25, 0.25]]
    """
    z = _v.as_float_array(logits, "logits", ndim=2)
    _v.check_finite(z, "logits")
    q = softmax(z)
    g = softmax_cross_entropy_grad(y_true, q)
    return q * (g - (g * q).sum(axis=1, keepdims=True))


def _dtype(dtype):
    if isinstance(dtype, str) and dtype in _DTYPES:
        return _DTYPES[dtype]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or isinstance(dtype, (bool, np.bool_)) or dt.name not in _DTYPES:
        raise ValueError(f"dtype must be one of 'float16', 'float32', 'float64', got {_v._show(dtype)}")
    return _DTYPES[dt.name]


def log_loss_in_dtype(y_true, logits, *, dtype="float16", route="logits"):
    r"""Per-sample binary log loss evaluated in a narrower floating-point format.

    With :math:`\operatorname{fl}_d` rounding to the format ``dtype``:

    - ``route="probs"``: the probability is stored in the format,
      :math:`p = \operatorname{fl}_d(\sigma(z))` (the float64 sigmoid rounded to
      the format), and the loss
      :math:`-\log p` (label 1) or :math:`-\log(1 - p)` (label 0) is evaluated
      with the format's own ``log`` and subtraction;
    - ``route="logits"``: the logit is stored in the format and the loss is
      evaluated there as :math:`\max(z, 0) - y z + \log(1 + e^{-|z|})`
      (``log1p`` and ``exp`` in the format).

    Parameters
    ----------
    y_true : array_like, shape (N,)
        Labels 0 or 1.
    logits : array_like, shape (N,)
        Finite logits whose magnitude fits the format (at most
        ``np.finfo(dtype).max``).
    dtype : {"float16", "float32", "float64"}, default "float16"
        The format.
    route : {"logits", "probs"}, default "logits"
        Where the loss starts from.

    Returns
    -------
    ndarray, shape (N,)
        The per-sample losses in nats, converted exactly to float64. The
        ``"probs"`` route returns ``inf`` where the stored probability of the
        true label is 0 (the format has rounded it away).

    Notes
    -----
    The library's own losses compute in float64 whatever the input's dtype;
    this demo shows the limits of a narrower format: from probabilities a
    loss can be no larger than :math:`-\log p_{\min}` (the smallest positive
    number) unless it is infinite, and no smaller than
    :math:`-\log(1 - u)` (:math:`1 - u` the largest number below one) unless
    it is 0.

    Examples
    --------
    >>> from lossbook import demos
    >>> float(demos.log_loss_in_dtype([1], [12.0], route="probs")[0])
    0.0
    >>> float(demos.log_loss_in_dtype([1], [12.0], route="logits")[0]) > 0
    True
    """
    dt = _dtype(dtype)
    route = _v.check_choice(route, "route", _ROUTES)
    z = _v.as_float_array(logits, "logits", ndim=1)
    _v.check_finite(z, "logits")
    y = _v.as_float_array(y_true, "y_true", ndim=1)
    _v.check_same_shape(y, z, "y_true", "logits")
    if not np.all((y == 0.0) | (y == 1.0)):
        bad = ~((y == 0.0) | (y == 1.0))
        raise ValueError(f"y_true must hold labels 0 or 1, got {_v._show(y[bad][0])}")
    big = float(np.finfo(dt).max)
    if z.size and float(np.max(np.abs(z))) > big:
        raise ValueError(
            f"logits must fit in {np.dtype(dt).name} (magnitude at most {big:g}), got "
            f"{_v._show(z[np.argmax(np.abs(z))])}"
        )
    if route == "probs":
        p = sigmoid(z).astype(dt)
        one = dt(1.0)
        p_true = np.where(y == 1.0, p, one - p).astype(dt)
        with np.errstate(divide="ignore"):  # intended: log(0) = -inf where p rounded to 0
            out = -np.log(p_true) + dt(0.0)  # -log 1 = -0.0 -> +0.0
    else:
        zd = z.astype(dt)
        yd = y.astype(dt)
        zero = dt(0.0)
        with np.errstate(under="ignore"):  # exp(-|z|) may underflow to 0: the loss rounds to 0
            out = (np.maximum(zd, zero) - yd * zd) + np.log1p(np.exp(-np.abs(zd)))
    return np.asarray(out, dtype=dt).astype(np.float64)
