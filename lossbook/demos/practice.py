r"""Demos for the chapter "Cross-entropy in practice": two framework pitfalls.

- :func:`double_softmax_loss` and :func:`double_softmax_grad`: the loss, and its
  gradient with respect to the logits, of the "double softmax" bug: a softmax
  applied to the logits before a loss that applies its own softmax (PyTorch's
  ``CrossEntropyLoss`` takes logits);
- :func:`log_loss_in_dtype`: the binary log loss evaluated in float16,
  bfloat16, float32 or float64, either from the probability stored in that
  format or from the logit, to show what a low-precision format does to the
  loss;
- :func:`round_to_bfloat16`: rounding to bfloat16, emulated on float32 (numpy
  has no bfloat16 type).

The library's losses always compute in float64; these demos exist to show the
effect of a narrower format, not to be used for training.
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _v
from .._activations import sigmoid, softmax
from .._losses import softmax_cross_entropy, softmax_cross_entropy_grad

__all__ = [
    "double_softmax_loss",
    "double_softmax_grad",
    "log_loss_in_dtype",
    "round_to_bfloat16",
]

_DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64}
_NAMES = ("float16", "bfloat16", "float32", "float64")
# the largest finite bfloat16 number, (2 - 2^-7) 2^127 (bit pattern 0x7F7F)
_BF16_MAX = float(np.array(0x7F7F0000, dtype=np.uint32).view(np.float32))
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
    >>> loss = demos.double_softmax_loss([0], [[0.0, 0.0, 0.0]])
    >>> round(float(loss), 6)  # log 3
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


def round_to_bfloat16(x):
    r"""Round to the nearest bfloat16 number (ties to even), emulated on float32.

    bfloat16 keeps the sign, the 8 exponent bits and the top 7 fraction bits of
    a float32 number: :math:`m = 7` fraction bits, so the spacing just below 1
    is :math:`u = 2^{-8}`, the smallest positive (subnormal) number is
    :math:`2^{-133}` and the largest is :math:`(2 - 2^{-7})\, 2^{127}`. numpy
    has no bfloat16 type; this function rounds the float32 bit pattern
    :math:`b` to its top 16 bits, round-to-nearest-even:

    .. math::

       b' = \bigl(b + \mathtt{0x7FFF} + (\lfloor b / 2^{16} \rfloor \bmod 2)\bigr)
       \;\&\; \mathtt{0xFFFF0000} .

    Parameters
    ----------
    x : array_like, any shape
        Finite real numbers of magnitude at most the float32 maximum. float64
        input is first rounded to float32 (as PyTorch's conversion does), so
        in rare near-ties the result can differ from a single rounding of the
        float64 value by one bfloat16 step.

    Returns
    -------
    ndarray of float32, the shape of ``x``
        Each entry a bfloat16 number (its low 16 bits are zero); magnitudes
        that round beyond the largest bfloat16 number become ``inf``, as in
        IEEE rounding.

    Notes
    -----
    The tests compare this emulation with ``torch.bfloat16`` on every float32
    exponent, on ties and on random bit patterns.

    Examples
    --------
    >>> from lossbook import demos
    >>> float(demos.round_to_bfloat16(1 - 2.0**-9))  # a tie: to even, 1
    1.0
    >>> float(demos.round_to_bfloat16(1 - 2.0**-8))  # 1 - u is stored
    0.99609375
    """
    a = _v.as_float_array(x, "x", allow_bool=False)
    _v.check_finite(a, "x")
    big = float(np.finfo(np.float32).max)
    if a.size and float(np.max(np.abs(a))) > big:
        raise ValueError(
            f"x must fit in float32 (magnitude at most {big:g}), got "
            f"{_v._show(a.ravel()[np.argmax(np.abs(a))])}"
        )
    return _round_bf16(a)


def _round_bf16(a):
    """The rounding of :func:`round_to_bfloat16`, without validation (inf and
    nan are not special-cased: callers pass finite values or infinities)."""
    f = np.array(a, dtype=np.float32, ndmin=1)  # a copy, C order
    bits = f.view(np.uint32).astype(np.uint64)  # room for the carry
    odd = (bits >> np.uint64(16)) & np.uint64(1)
    bits = (bits + np.uint64(0x7FFF) + odd) & np.uint64(0xFFFF0000)
    out = bits.astype(np.uint32).view(np.float32)
    return np.where(np.isinf(f), f, out).reshape(np.shape(a))


def _dtype(dtype):
    if isinstance(dtype, str) and dtype in _NAMES:
        return dtype
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or isinstance(dtype, (bool, np.bool_)) or dt.name not in _DTYPES:
        raise ValueError(
            "dtype must be one of 'float16', 'bfloat16', 'float32', 'float64', "
            f"got {_v._show(dtype)}"
        )
    return dt.name


def log_loss_in_dtype(y_true, logits, *, dtype="float16", route="logits"):
    r"""Per-sample binary log loss evaluated in a narrower floating-point format.

    With :math:`\operatorname{fl}_d` rounding to the format ``dtype``:

    - ``route="probs"``: the probability is stored in the format,
      :math:`p = \operatorname{fl}_d(\sigma(z))` (the float64 sigmoid rounded to
      the format; for bfloat16 through float32, see :func:`round_to_bfloat16`),
      and the loss
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
    dtype : {"float16", "bfloat16", "float32", "float64"}, default "float16"
        The format. numpy has no bfloat16: there each operation is done in
        float32 and its result rounded with :func:`round_to_bfloat16`, which is
        what a bfloat16 kernel that computes in float32 returns.
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
    number, label 1) or :math:`-\log u` (label 0: the smallest positive
    :math:`1 - p`) unless it is infinite, and no smaller than
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
    name = _dtype(dtype)
    route = _v.check_choice(route, "route", _ROUTES)
    z = _v.as_float_array(logits, "logits", ndim=1)
    _v.check_finite(z, "logits")
    y = _v.as_float_array(y_true, "y_true", ndim=1)
    _v.check_same_shape(y, z, "y_true", "logits")
    if not np.all((y == 0.0) | (y == 1.0)):
        bad = ~((y == 0.0) | (y == 1.0))
        raise ValueError(f"y_true must hold labels 0 or 1, got {_v._show(y[bad][0])}")
    if name == "bfloat16":
        # every operation in float32, its result rounded to bfloat16
        dt, big = np.float32, _BF16_MAX

        def fl(a):
            return _round_bf16(np.asarray(a, dtype=np.float32))

    else:
        dt = _DTYPES[name]
        big = float(np.finfo(dt).max)

        def fl(a):
            return np.asarray(a, dtype=dt)

    if z.size and float(np.max(np.abs(z))) > big:
        raise ValueError(
            f"logits must fit in {name} (magnitude at most {big:g}), got "
            f"{_v._show(z[np.argmax(np.abs(z))])}"
        )
    if route == "probs":
        p = fl(sigmoid(z))
        p_true = fl(np.where(y == 1.0, p, dt(1.0) - p))
        with np.errstate(divide="ignore"):  # intended: log(0) = -inf where p rounded to 0
            out = fl(-np.log(p_true)) + dt(0.0)  # -log 1 = -0.0 -> +0.0
    else:
        zd = fl(z)
        yd = y.astype(dt)
        zero = dt(0.0)
        with np.errstate(under="ignore"):  # exp(-|z|) may underflow to 0: the loss rounds to 0
            lead = fl(np.maximum(zd, zero) - yd * zd)
            out = fl(lead + fl(np.log1p(fl(np.exp(-np.abs(zd))))))
    return np.asarray(out, dtype=dt).astype(np.float64)
