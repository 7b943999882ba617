r"""Loss functions and their gradients.

Conventions shared by every loss:

- Samples run along axis 0; classes along the last axis.
- Each loss first computes one value per sample, then reduces over samples
  with ``reduction="mean"`` (default), ``"sum"`` or ``"none"`` (the per-sample
  vector, shape ``(N,)``).
- Elementwise losses (binary cross-entropy, MSE, MAE, Huber, Gaussian NLL)
  accept ``(N,)`` or ``(N, ...)`` input; the per-sample loss of a row is the
  **mean over its trailing axes** (e.g. over the labels of a multilabel row),
  so ``reduction="mean"`` is the mean over all elements, as in scikit-learn
  and PyTorch.
- Each ``<loss>_grad`` takes the same arguments (no ``reduction``) and returns
  the gradient of the **mean** loss with respect to the prediction argument
  (probabilities, logits, scores or predictions), with the same shape.
  Subgradient 0 is used at kinks.
- Everything from logits goes through the log-sum-exp kernel of
  :mod:`lossbook._activations`; there is no ``log(softmax(z))``.
- Inputs are validated once (see :mod:`lossbook._validation`) and never
  written into. Results are float64.
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v
from ._activations import (
    _BLOCK_ELEMS,
    _lse_block,
    _log1pexp_neg_abs,
    _row_blocks,
    _rowsum,
    _softmax_rows,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "multiclass_hinge",
    "multiclass_hinge_grad",
    "mse",
    "mse_grad",
    "mae",
    "mae_grad",
    "huber",
    "huber_grad",
    "gaussian_nll",
    "gaussian_nll_grad",
    "gaussian_nll_grad_sigma",
]

_LOG_2PI_HALF = 0.5 * float(np.log(2.0 * np.pi))

#: Elements per block in the elementwise driver: 64 KiB temporaries stay below
#: glibc's mmap threshold (128 KiB), so they are recycled instead of being
#: page-faulted fresh on every block.
_ELEM_BLOCK = 1 << 13


# --------------------------------------------------------------------------
# validation helpers specific to losses
# --------------------------------------------------------------------------


def _pred(x, name, *, ndim=None) -> np.ndarray:
    """Finite float prediction array with a sample axis."""
    arr = _v.as_float_array(x, name, min_ndim=1, ndim=ndim)
    _v.check_finite(arr, name)
    return arr


def _binary_targets(y_true, shape, other: str) -> np.ndarray:
    y = _v.as_float_array(y_true, "y_true", min_ndim=1)
    if y.shape != shape:
        raise ValueError(
            f"y_true and {other} must have the same shape, got y_true {_v._fmt_shape(y.shape)} "
            f"and {other} {_v._fmt_shape(shape)}"
        )
    _v.check_range(y, "y_true", 0.0, 1.0, "targets")
    return y


def _class_targets(y_true, n: int, c: int, other: str):
    """Integer labels (N,) or probability rows (N, C). Returns (labels, soft)."""
    arr = _v.to_array(y_true, "y_true", "integer labels or target rows")
    if arr.ndim == 2:
        t = _v.as_float_array(arr, "y_true", ndim=2)
        if t.shape != (n, c):
            raise ValueError(
                f"y_true (soft or one-hot targets) must have the same shape as {other}, got y_true "
                f"{_v._fmt_shape(t.shape)} and {other} {_v._fmt_shape((n, c))}"
            )
        _v.check_range(t, "y_true", 0.0, 1.0, "target probabilities")
        _v.check_rows_sum_to_one(t, "y_true", tol=_v.row_sum_tol(arr, c), dtype=arr.dtype)
        return None, t
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"y_true must be integer labels of shape (N,) or target rows of shape (N, C), got a "
            f"{arr.ndim}-D array of shape {_v._fmt_shape(arr.shape)}"
        )
    return _v.check_labels_for(y_true, "y_true", n, c, other=other), None


def _elementwise(kernel, arrays, reduction):
    """Blocked driver: ``kernel(*blocks, total=False)`` returns elementwise
    losses; with ``total=True`` it returns their sum as a float.

    ``arrays`` all share shape (N, ...) except 0-d scalars. The per-sample
    loss is the mean over trailing axes.
    """
    shape = next(a.shape for a in arrays if a.ndim)
    n = shape[0]
    k = int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1
    if k > 1 and reduction != "none":
        # "sum" and "mean" reduce the per-sample values that "none" returns (each a rounded
        # mean over the trailing axes), so that they agree with them within 2 ulps even
        # where the terms cancel (per-sample values of +-inf: the elements' extended sum below)
        per = _elementwise(kernel, arrays, "none")
        if np.isfinite(per).all():
            return _v.reduce(per, reduction)
    flat = [a.reshape(n, k) if a.ndim else a for a in arrays]
    step = max(1, _ELEM_BLOCK // k)
    if reduction == "none":
        out = np.empty(n)
    acc = _v.Accumulator()

    def blocks():
        for s in range(0, n, step):
            e = s + step
            yield [f[s:e] if f.ndim else f for f in flat]

    def values(bl):
        with np.errstate(over="ignore"):  # an element beyond the float range: see below
            val = kernel(*bl, total=False)
        if (k > 1 or reduction != "none") and _v._LD is not None and not np.isfinite(val).all():
            # an element beyond the float64 range (|p - y| > 1.8e308, e^710) in a row whose
            # mean may be finite, or +inf and -inf in one row: redo the block in extended
            # precision (x86 long double reaches 1e4932); its mean is rounded once
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                wide = kernel(*[b.astype(_v._LD) if isinstance(b, np.ndarray) else b for b in bl], total=False)
            if not np.isnan(wide).any():
                return wide
        return val

    for s, bl in zip(range(0, n, step), blocks()):
        val = values(bl)
        if reduction == "none":
            if k == 1:
                out[s:s + step] = val[:, 0]
            else:
                with np.errstate(over="ignore"):
                    m = val.mean(axis=1)
                big = ~np.isfinite(m)
                if big.any():  # the row's sum overflows but its mean may not: divide first
                    with np.errstate(over="ignore"):
                        m[big] = (val[big] / k).sum(axis=1)
                with np.errstate(over="ignore"):  # a long-double mean beyond float64: inf
                    out[s:s + step] = m
        else:
            # the block's values are summed in extended precision: "sum" is
            # within about 1 ulp of the exact sum (math.fsum of the values),
            # and a mean of huge finite terms does not overflow
            acc.add(val)
    # "+ 0.0" turns -0.0 (from -log(1) and friends) into 0.0: a zero loss prints as 0
    if reduction == "none":
        return out + 0.0

    def refetch():
        return (values(bl) for bl in blocks())

    return np.float64(acc.result(n * k if reduction == "mean" else k, refetch))


# --------------------------------------------------------------------------
# binary cross-entropy from probabilities
# --------------------------------------------------------------------------


def _bce_setup(y_true, y_prob, eps):
    eps = _v.check_eps(eps)
    p = _v.as_float_array(y_prob, "y_prob", min_ndim=1)
    lo, hi = _v.check_range(p, "y_prob", 0.0, 1.0, "probabilities")
    y = _binary_targets(y_true, p.shape, "y_prob")
    if eps is not None:
        p = np.clip(p, eps, 1.0 - eps)
        lo, hi = max(lo, eps), min(hi, 1.0 - eps)
    return y, p, eps, (lo > 0.0 and hi < 1.0)


def _dot(a, b) -> float:
    return float(np.dot(a.reshape(-1), b.reshape(-1)))


def _bce_kernel_open(y, p, total):
    # 0 < p < 1: both logs finite; -(y log p + (1 - y) log1p(-p)), two
    # non-positive terms (no cancellation).
    a = np.log(p)
    b = np.negative(p)
    np.log1p(b, out=b)
    w = np.subtract(1.0, y)
    if total:
        return -(_dot(y, a) + _dot(w, b))
    a *= y
    b *= w
    a += b
    return np.negative(a, out=a)


def _bce_kernel_closed(y, p, total=False):
    # p may be exactly 0 or 1: 0 log 0 = 0, y > 0 with p = 0 gives +inf.
    logp = np.log(p, out=np.full(p.shape, -np.inf), where=p > 0)
    log1mp = np.log1p(-p, out=np.full(p.shape, -np.inf), where=p < 1)
    a = np.multiply(y, logp, out=np.zeros(p.shape), where=y > 0)
    b = np.multiply(1.0 - y, log1mp, out=np.zeros(p.shape), where=y < 1)
    val = -(a + b)
    return float(val.sum()) if total else val


def binary_cross_entropy(y_true, y_prob, *, eps=None, reduction="mean"):
    r"""Binary cross-entropy (log loss) from predicted probabilities.

    .. math::

       \ell(y, p) = -\bigl[y \log p + (1 - y) \log(1 - p)\bigr]

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Targets in [0, 1] (hard 0/1 labels or soft targets), same shape as
        ``y_prob``.
    y_prob : array_like, shape (N,) or (N, ...)
        Predicted probabilities of the positive class, in [0, 1].
    eps : float, optional
        ``None`` (default): no clipping; a probability of exactly 0 for a
        true label gives ``+inf`` (never NaN). A float in (0, 0.5) clips
        ``y_prob`` to ``[eps, 1 - eps]`` first.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)
        The reduced loss, or per-sample losses for ``reduction="none"``.

    Notes
    -----
    Nats. ``0 log 0 = 0``: a target of exactly 0 (1) ignores ``log p``
    (``log(1 - p)``). ``log(1 - p)`` is computed as ``log1p(-p)``. For
    ``(N, K)`` input the per-sample loss is the mean over the ``K`` labels.
    Prefer :func:`binary_cross_entropy_with_logits` when logits are available.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.binary_cross_entropy([1, 0], [0.9, 0.2])), 6)
    0.164252
    >>> float(lb.binary_cross_entropy([1], [0.0]))
    inf
    """
    reduction = _v.check_reduction(reduction)
    y, p, _, open_ = _bce_setup(y_true, y_prob, eps)
    return _elementwise(_bce_kernel_open if open_ else _bce_kernel_closed, [y, p], reduction)


def binary_cross_entropy_grad(y_true, y_prob, *, eps=None):
    r"""Gradient of the mean binary cross-entropy with respect to ``y_prob``.

    .. math::

       \frac{\partial \bar\ell}{\partial p_i}
       = \frac{1}{n}\left(\frac{1 - y_i}{1 - p_i} - \frac{y_i}{p_i}\right)
       = \frac{1}{n}\,\frac{p_i - y_i}{p_i (1 - p_i)}

    where ``n`` is the total number of elements.

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Targets in [0, 1].
    y_prob : array_like, shape (N,) or (N, ...)
        Predicted probabilities in [0, 1].
    eps : float, optional
        As in :func:`binary_cross_entropy`. Where clipping is active
        (``p < eps`` or ``p > 1 - eps``) the gradient is 0.

    Returns
    -------
    ndarray, same shape as ``y_prob``
        Gradient; ``-inf``/``+inf`` where the loss itself is infinite.

    Examples
    --------
    >>> import lossbook as lb
    >>> g = lb.binary_cross_entropy_grad([1, 0], [0.5, 0.5])
    >>> [round(float(v), 6) for v in g]
    [-1.0, 1.0]
    """
    y, pc, eps, _ = _bce_setup(y_true, y_prob, eps)
    n = pc.size
    pc = pc + 0.0  # -0.0 -> +0.0: y / -0.0 would flip the infinite gradient's sign
    # (y / n) / p: dividing by n first keeps (y/p)/n finite for subnormal p where it is
    with np.errstate(divide="ignore", over="ignore"):  # intended: y / 0 -> inf where the loss is inf
        a = np.divide(y / n, pc, out=np.full(pc.shape, np.inf), where=(y > 0) & (pc > 0))
        b = np.divide((1.0 - y) / n, 1.0 - pc, out=np.full(pc.shape, np.inf), where=(y < 1) & (pc < 1))
    a[y <= 0] = 0.0  # 0 log 0 = 0: no gradient from a zero target (and y / n may underflow to 0)
    b[y >= 1] = 0.0
    g = b - a
    if eps is not None:
        p = np.asarray(y_prob, dtype=np.float64)
        g[(p < eps) | (p > 1.0 - eps)] = 0.0
    return g


# --------------------------------------------------------------------------
# binary cross-entropy from logits
# --------------------------------------------------------------------------


def _bce_logits_setup(y_true, logits):
    z = _pred(logits, "logits")
    y = _binary_targets(y_true, z.shape, "logits")
    return y, z


def _bce_logits_kernel(y, z, total):
    # y * softplus(-z) + (1 - y) * softplus(z)
    #   = ([z >= 0] - y) * z + log1p(exp(-|z|)): for z >= 0 the first term is
    #   (1 - y) z, for z < 0 it is -y z; both terms are >= 0 (no cancellation).
    t = np.subtract(z >= 0, y)
    soft = _log1pexp_neg_abs(z)
    if total:
        return _dot(t, z) + float(soft.sum())
    t *= z
    t += soft
    return t


def binary_cross_entropy_with_logits(y_true, logits, *, reduction="mean"):
    r"""Binary cross-entropy from logits, :math:`p = \sigma(z)`, computed stably.

    .. math::

       \begin{aligned}
       \ell(y, z) &= y \operatorname{softplus}(-z) + (1 - y)\operatorname{softplus}(z) \\
       &= -\bigl[y \log \sigma(z) + (1 - y) \log \sigma(-z)\bigr]
       \end{aligned}

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Targets in [0, 1] (hard or soft), same shape as ``logits``.
    logits : array_like, shape (N,) or (N, ...)
        Finite real logits.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)
        The reduced loss, or per-sample losses for ``reduction="none"``.

    Notes
    -----
    Evaluated as ``where(z >= 0, (1 - y) z, -y z) + log1p(exp(-|z|))``: both
    terms are non-negative, so soft targets near 1 do not cancel and logits
    of any finite magnitude (e.g. ``1e300``) give finite results. Symmetric:
    ``ell(y, z) = ell(1 - y, -z)``. Nats; per-sample loss of ``(N, K)``
    input is the mean over ``K``.

    Examples
    --------
    >>> import lossbook as lb
    >>> loss = lb.binary_cross_entropy_with_logits([1, 0], [2.0, -1.0])
    >>> round(float(loss), 6)
    0.220095
    >>> float(lb.binary_cross_entropy_with_logits([1.0], [40.0]))
    4.248354255291589e-18
    """
    reduction = _v.check_reduction(reduction)
    y, z = _bce_logits_setup(y_true, logits)
    return _elementwise(_bce_logits_kernel, [y, z], reduction)


def binary_cross_entropy_with_logits_grad(y_true, logits):
    r"""Gradient of the mean binary cross-entropy with respect to the logits.

    .. math::

       \frac{\partial \bar\ell}{\partial z_i} = \frac{\sigma(z_i) - y_i}{n}

    where ``n`` is the total number of elements.

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Targets in [0, 1].
    logits : array_like, shape (N,) or (N, ...)
        Finite logits.

    Returns
    -------
    ndarray, same shape as ``logits``

    Examples
    --------
    >>> import lossbook as lb
    >>> g = lb.binary_cross_entropy_with_logits_grad([1, 0], [0.0, 0.0])
    >>> [float(v) for v in g]
    [-0.25, 0.25]
    """
    y, z = _bce_logits_setup(y_true, logits)
    e = np.exp(-np.abs(z))
    small = e / (1.0 + e)  # sigma(-|z|), exact even where sigma(|z|) rounds to 1
    # z >= 0: sigma(z) - y = (1 - y) - sigma(-z); z < 0: sigma(z) - y = sigma(-|z|) - y.
    # Never sigma(z) - 1, which loses sigma(-z) < 1.1e-16 entirely.
    g = np.where(z >= 0, (1.0 - y) - small, small - y)
    return g / z.size + 0.0


# --------------------------------------------------------------------------
# categorical cross-entropy from probabilities
# --------------------------------------------------------------------------


#: Elements per row block of the one-pass probability check (512 KiB of float64,
#: half of a 1 MiB L2): the block is read once from memory and stays in cache
#: for the minimum, the row sums and the gather.
_PROB_BLOCK = 1 << 16


def _prob_rows_one_pass(p, labels):
    """Validate probability rows in one pass over cache-sized row blocks.

    Checks the minimum (>= 0; NaN fails it) and the row sums (``p @ ones`` within
    ``ROW_SUM_ATOL`` of 1; +inf fails it): non-negative entries whose row sums to
    one cannot exceed one by more than the tolerance. With ``labels`` the
    probabilities of the labelled classes are gathered from the same cached block
    and must not exceed 1 (so the loss is never negative). Returns
    ``(ok, gathered)``; on ``ok=False`` the caller runs the element-wise checks,
    which raise the detailed message.
    """
    n, c = p.shape
    step = max(1, _PROB_BLOCK // c)
    ones = np.ones(c)
    lo, hi = 1.0 - _v.ROW_SUM_ATOL, 1.0 + _v.ROW_SUM_ATOL
    py = None
    if labels is not None:
        py = np.empty(n)
        flat = p.reshape(-1)
        offs = np.arange(0, step * c, c)
    for a in range(0, n, step):
        e = min(a + step, n)
        b = p[a:e]
        s = b @ ones
        if not (b.min() >= 0.0 and s.max() <= hi and s.min() >= lo):
            return False, None
        if py is not None:
            np.take(flat[a * c : e * c], labels[a:e] + offs[: e - a], out=py[a:e])
    if py is not None and not py.max() <= 1.0:
        return False, None
    return True, py


def _cce_setup(y_true, y_prob, eps, normalize, *, gather=False):
    eps = _v.check_eps(eps)
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")
    p = _v.as_float_array(y_prob, "y_prob", ndim=2)
    if not normalize and p.flags.c_contiguous:
        # fast path: labels first (cheap), then one pass over p; any failure
        # falls through to the element-wise checks for the message
        try:
            labels, soft = _class_targets(y_true, p.shape[0], p.shape[1], "y_prob")
        except (TypeError, ValueError):
            labels = soft = None
        if labels is not None or soft is not None:
            ok, py = _prob_rows_one_pass(p, labels if gather else None)
            if ok:
                return labels, soft, p, None, eps, py
    _v.check_range(p, "y_prob", 0.0, 1.0, "probabilities")
    sums = None
    if normalize:
        sums = p.sum(axis=1)
        if not np.all(sums > 0):
            row = int(np.argmax(~(sums > 0)))
            raise ValueError(
                f"y_prob rows must have a positive sum to be normalized (row {row} sums to 0"
                f"{_v._more_rows(~(sums > 0))})"
            )
    else:
        _v.check_rows_sum_to_one(p, "y_prob", hint="; pass normalize=True to rescale",
                                 tol=_v.row_sum_tol(y_prob, p.shape[1]), dtype=getattr(y_prob, "dtype", None))
    labels, soft = _class_targets(y_true, p.shape[0], p.shape[1], "y_prob")
    return labels, soft, p, sums, eps, None


def categorical_cross_entropy(y_true, y_prob, *, eps=None, normalize=False, reduction="mean"):
    r"""Categorical cross-entropy (multiclass log loss) from probabilities.

    .. math::

       \ell_i = -\sum_{k=1}^{C} t_{ik} \log p_{ik}
       \quad(\text{labels: } \ell_i = -\log p_{i, y_i})

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer class labels in ``[0, C)``, or one-hot / soft target rows in
        [0, 1] summing to 1.
    y_prob : array_like, shape (N, C)
        Predicted probabilities; each row must sum to 1 within ``1e-6``
        (absolute) unless ``normalize=True``.
    eps : float, optional
        ``None`` (default): no clipping (a zero probability for the true class
        gives ``+inf``). A float in (0, 0.5) clips to ``[eps, 1 - eps]``
        (after normalisation).
    normalize : bool, default False
        Divide each row by its sum first (scikit-learn's convention up to
        1.4). Otherwise rows not summing to 1 raise ``ValueError``.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    Nats; ``0 log 0 = 0`` (classes with zero target mass are ignored, even
    with zero probability). Equals ``sklearn.metrics.log_loss`` when rows
    sum to 1.

    Examples
    --------
    >>> import lossbook as lb
    >>> P = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]
    >>> round(float(lb.categorical_cross_entropy([0, 1], P)), 6)
    0.289909
    >>> from lossbook import book
    >>> with book.expect_error(ValueError):
    ...     lb.categorical_cross_entropy([0], [[0.5, 0.6]])
    ValueError: y_prob rows must sum to 1 (row 0 sums to 1.1; tolerance 1e-06);
    pass normalize=True to rescale
    """
    reduction = _v.check_reduction(reduction)
    labels, soft, p, sums, eps, py = _cce_setup(y_true, y_prob, eps, normalize, gather=True)
    if labels is not None:
        if py is None:
            py = p[np.arange(p.shape[0]), labels]
        if sums is not None:
            py = py / sums
        if eps is not None:
            py = np.clip(py, eps, 1.0 - eps)
        if py.min() > 0:  # py is a fresh array here: log in place
            per = np.log(py, out=py)
            np.negative(per, out=per)
        else:
            per = -np.log(py, out=np.full(py.shape, -np.inf), where=py > 0)
    else:
        q = p / sums[:, None] if sums is not None else p
        if eps is not None:
            q = np.clip(q, eps, 1.0 - eps)
        logq = np.log(q, out=np.full(q.shape, -np.inf), where=q > 0)
        terms = np.multiply(soft, logq, out=np.zeros(q.shape), where=soft > 0)
        per = -terms.sum(axis=1)
    return _v.reduce(per, reduction)


def categorical_cross_entropy_grad(y_true, y_prob, *, eps=None, normalize=False):
    r"""Gradient of the mean categorical cross-entropy with respect to ``y_prob``.

    .. math::

       \frac{\partial \bar\ell}{\partial p_{ik}} = -\frac{1}{N}\,\frac{t_{ik}}{p_{ik}}

    With ``normalize=True`` (:math:`u = p / S_i`, :math:`S_i = \sum_k p_{ik}`) the
    gradient passes through the normalisation:

    .. math::

       \frac{\partial \bar\ell}{\partial p_{ij}}
       = \frac{1}{N}\left(-\frac{t_{ij}}{p_{ij}} + \frac{\sum_k t_{ik}}{S_i}\right)

    Parameters
    ----------
    y_true, y_prob, eps, normalize
        As in :func:`categorical_cross_entropy`.

    Returns
    -------
    ndarray, shape (N, C)
        The unconstrained gradient (not projected onto the simplex). Entries
        with zero target are 0; ``-inf`` where the loss is infinite. Where
        ``eps`` clipping is active the gradient through that entry is 0.

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.categorical_cross_entropy_grad([0], [[0.5, 0.5]]).tolist()
    [[-2.0, 0.0]]
    """
    labels, soft, p, sums, eps, _ = _cce_setup(y_true, y_prob, eps, normalize)
    n, c = p.shape
    if soft is None:
        t = np.zeros((n, c))
        t[np.arange(n), labels] = 1.0
    else:
        t = soft
    u = p / sums[:, None] if sums is not None else p
    u = u + 0.0  # -0.0 -> +0.0: t / -0.0 would flip the infinite gradient's sign
    v = np.clip(u, eps, 1.0 - eps) if eps is not None else u
    # intended: t / 0 -> inf where the loss is inf; t / subnormal p overflows to inf
    with np.errstate(divide="ignore", over="ignore"):
        g = -np.divide(t, v, out=np.zeros((n, c)), where=t > 0)
    if eps is not None:
        g[(u < eps) | (u > 1.0 - eps)] = 0.0
    if sums is not None:
        # corr_i = sum_k g_ik u_ik; where u = 0 (and g = -inf) the term is its
        # limit -t_ik (g u = -t u / u), not -inf * 0 = NaN
        gu = np.multiply(g, u, out=np.zeros((n, c)), where=(g != 0) & (u > 0))
        gu = np.where((g != 0) & (u == 0), -t, gu)
        corr = gu.sum(axis=1)
        g = (g - corr[:, None]) / sums[:, None]
    return g / n


# --------------------------------------------------------------------------
# softmax cross-entropy from logits
# --------------------------------------------------------------------------


def _sce_setup(y_true, logits):
    z = _pred(logits, "logits", ndim=2)
    labels, soft = _class_targets(y_true, z.shape[0], z.shape[1], "logits")
    return labels, soft, np.ascontiguousarray(z)


def _smoothing_given(label_smoothing) -> bool:
    """True unless ``label_smoothing`` is exactly the real number 0 (anything else is validated)."""
    plain = isinstance(label_smoothing, (int, float, np.floating, np.integer)) and not isinstance(
        label_smoothing, (bool, np.bool_))
    return not (plain and label_smoothing == 0.0)


def softmax_cross_entropy(y_true, logits, *, weight=None, ignore_index=None, label_smoothing=0.0, reduction="mean"):
    r"""Cross-entropy of softmax probabilities, computed from logits.

    .. math::

       \ell_i = \operatorname{LSE}(z_i) - z_{i, y_i}
       \qquad\text{(soft targets: } \ell_i = \operatorname{LSE}(z_i) - \textstyle\sum_k t_{ik} z_{ik})

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``, or one-hot / soft target rows summing
        to 1.
    logits : array_like, shape (N, C)
        Finite logits.
    weight : array_like, shape (C,), optional
        Non-negative class weights :math:`w_k` (PyTorch's ``weight``): the
        per-sample loss is multiplied by :math:`w_{y_i}` (labels) or the terms
        by :math:`w_k` (target rows), as in the formulas below.
    ignore_index : int, optional
        A label value (e.g. ``-100``) whose samples contribute 0 and are left
        out of the mean. Integer labels only.
    label_smoothing : float in [0, 1], default 0.0
        :math:`\varepsilon`: the target becomes
        :math:`(1 - \varepsilon)\,t + \varepsilon / C`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples. With ``weight`` or ``ignore_index`` and integer
        labels, ``"mean"`` is the **weighted** mean
        :math:`\sum_i \ell_i / \sum_{i \text{ kept}} w_{y_i}`; with target
        rows it divides by ``N``.

    Returns
    -------
    float or ndarray of shape (N,)

    Shape
    -----
    ``logits`` (N, C); ``y_true`` (N,) labels or (N, C) target rows;
    ``weight`` (C,); ``reduction="none"`` returns (N,).

    Notes
    -----
    With the options, for labels (PyTorch's definition, ignored samples 0):

    .. math::

       \begin{aligned}
       \ell_i &= -(1 - \varepsilon)\, w_{y_i} \log p_{i y_i}
       - \frac{\varepsilon}{C} \sum_k w_k \log p_{ik}, \\
       \ell_i^{\text{rows}} &= -\sum_k w_k \bigl((1 - \varepsilon) t_{ik} + \varepsilon / C\bigr) \log p_{ik}
       \end{aligned}

    with :math:`\log p_i` the stable log-softmax of :math:`z_i`. This matches
    ``torch.nn.functional.cross_entropy`` (weight, ignore_index,
    label_smoothing and probability targets) for every reduction, except that
    a mean over no kept weight raises ``ValueError`` (PyTorch returns NaN) and
    ``ignore_index`` with target rows raises (PyTorch ignores it).

    Without options the loss is evaluated as ``(m - z_y) + log1p(sum_{k != k*} exp(z_k - m))`` with
    ``m = max_k z_k``: a sum of non-negative terms, so confidently right
    predictions keep their tiny loss (``[0, -40]`` with label 0 gives
    ``4.25e-18``, where ``scipy.special.logsumexp`` differences give 0) and
    logits up to ``1e300`` in magnitude stay finite. Soft targets use
    ``sum_k t_k (m - z_k) + log1p(...)``, which equals the formula above when
    the targets sum to 1. Nats.

    Examples
    --------
    >>> import lossbook as lb
    >>> logits = [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]
    >>> round(float(lb.softmax_cross_entropy([0, 1], logits)), 6)
    0.31854
    >>> float(lb.softmax_cross_entropy([0], [[0.0, -40.0]]))
    4.248354255291589e-18
    """
    reduction = _v.check_reduction(reduction)
    if weight is not None or ignore_index is not None or _smoothing_given(label_smoothing):
        from ._classification import _sce_options

        # ragged input is refused by name before the options path converts it
        y_true, logits = _v.to_array(y_true, "y_true"), _v.to_array(logits, "logits")
        return _sce_options(y_true, logits, weight, ignore_index, label_smoothing, reduction)
    labels, soft, z = _sce_setup(y_true, logits)
    n, c = z.shape
    out = np.empty(n)
    buf = np.empty((max(1, _BLOCK_ELEMS // c), c))
    for a, b in _row_blocks(n, c):
        zb = z[a:b]
        am, m, l, _ = _lse_block(zb, buf)
        if labels is not None:
            with np.errstate(over="ignore"):  # inf only where m - z_y (the true loss) exceeds max float
                o = np.subtract(m, zb[np.arange(b - a), labels[a:b]], out=out[a:b])
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                d = np.subtract(m[:, None], zb, out=buf[: b - a])
                d *= soft[a:b]
            o = out[a:b]
            o[...] = _rowsum(d)
            if not np.isfinite(o).all():
                # m - z overflowed (logits of opposite sign near 1e308): redo
                # those rows as 2 t (m/2 - z/2), with 0 where the target is 0
                bad = ~np.isfinite(o)
                tb, zz = soft[a:b][bad], zb[bad]
                with np.errstate(over="ignore"):
                    half = (m[bad, None] * 0.5 - zz * 0.5) * tb
                    o[bad] = 2.0 * np.where(tb > 0, half, 0.0).sum(axis=1)
        o += l
    return _v.reduce(out, reduction)


def softmax_cross_entropy_grad(y_true, logits, *, weight=None, ignore_index=None, label_smoothing=0.0):
    r"""Gradient of the mean softmax cross-entropy with respect to the logits.

    .. math::

       \frac{\partial \bar\ell}{\partial z_{ik}}
       = \frac{\operatorname{softmax}(z_i)_k - t_{ik}}{N}

    (``t`` the one-hot rows of integer labels). Each row sums to 0 when the
    targets sum to 1. With ``weight``, ``ignore_index`` or ``label_smoothing``
    it is the gradient of the (weighted) mean defined in
    :func:`softmax_cross_entropy`; for labels

    .. math::

       \frac{\partial \bar\ell}{\partial z_{ik}} = \frac{1}{D}\Bigl[(1 - \varepsilon)\, w_{y_i}
       (p_{ik} - [k = y_i]) + \frac{\varepsilon}{C}\bigl(p_{ik} \textstyle\sum_j w_j - w_k\bigr)\Bigr]

    with :math:`D = \sum_{i \text{ kept}} w_{y_i}` and ignored rows 0.

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels or target rows.
    logits : array_like, shape (N, C)
        Finite logits.
    weight, ignore_index, label_smoothing
        As in :func:`softmax_cross_entropy`.

    Returns
    -------
    ndarray, shape (N, C)

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.softmax_cross_entropy_grad([0], [[0.0, 0.0]]).tolist()
    [[-0.5, 0.5]]
    """
    if weight is not None or ignore_index is not None or _smoothing_given(label_smoothing):
        from ._classification import _sce_options_grad

        y_true, logits = _v.to_array(y_true, "y_true"), _v.to_array(logits, "logits")
        return _sce_options_grad(y_true, logits, weight, ignore_index, label_smoothing)
    labels, soft, z = _sce_setup(y_true, logits)
    n = z.shape[0]
    p = _softmax_rows(z)
    rows = np.arange(n)
    am = p.argmax(axis=1)
    # p_j - t_j at the largest probability j loses everything below 1e-16 if
    # evaluated as is (p_j rounds to 1): use p_j = 1 - sum_{k != j} p_k instead
    rest = p.copy()
    rest[rows, am] = 0.0
    rest = rest.sum(axis=1)
    if labels is not None:
        t_am = (labels == am).astype(np.float64)
        g = p
        g[rows, labels] -= 1.0
    else:
        t_am = soft[rows, am]
        g = p - soft
    g[rows, am] = (1.0 - t_am) - rest
    g /= n
    return g + 0.0


# --------------------------------------------------------------------------
# multiclass hinge
# --------------------------------------------------------------------------


def _check_squared(squared) -> bool:
    if not isinstance(squared, (bool, np.bool_)):
        raise TypeError(f"squared must be True or False, got {squared!r}")
    return bool(squared)


def _hinge_setup(y_true, scores, margin):
    margin = _v.check_positive_scalar(margin, "margin")
    s = _pred(scores, "scores", ndim=2)
    n, c = s.shape
    labels = _v.labels_from_targets(y_true, "y_true", n, c, other="scores", one_hot="strict")
    return labels, np.ascontiguousarray(s), margin


def multiclass_hinge(y_true, scores, *, margin=1.0, squared=False, reduction="mean"):
    r"""Multiclass hinge loss (Weston-Watkins; the CS231n SVM loss).

    .. math::

       \ell_i = \sum_{j \ne y_i} \max\bigl(0,\; s_{ij} - s_{i y_i} + \Delta\bigr)

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``; one-hot rows (exactly one 1) are also
        accepted.
    scores : array_like, shape (N, C)
        Finite class scores.
    margin : float, default 1.0
        The margin :math:`\Delta > 0`.
    squared : bool, default False
        Square each term (the squared hinge, L2-SVM):
        :math:`\ell_i = \sum_{j \ne y_i} \max(0, s_{ij} - s_{iy_i} + \Delta)^2`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    Exactly 0 once every wrong class scores at least ``margin`` below the
    true class. This is not scikit-learn's ``hinge_loss`` for multiclass
    input, which uses only the largest wrong score (Crammer-Singer).

    References
    ----------
    - J. Weston and C. Watkins, "Support vector machines for multi-class
      pattern recognition", ESANN 1999.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.multiclass_hinge([0], [[3.2, 5.1, -1.7]]))
    2.9
    >>> float(lb.multiclass_hinge([0], [[3.0, 1.0, 0.0]]))
    0.0
    """
    reduction = _v.check_reduction(reduction)
    squared = _check_squared(squared)
    labels, s, margin = _hinge_setup(y_true, scores, margin)
    n, c = s.shape
    out = np.empty(n)
    buf = np.empty((max(1, _BLOCK_ELEMS // c), c))
    for a, b in _row_blocks(n, c):
        sb = s[a:b]
        rows = np.arange(b - a)
        yb = labels[a:b]
        sy = sb[rows, yb]
        # (s_j - s_y) + margin, not s_j - (s_y - margin): at |s| ~ 1e17 the
        # margin is lost in s_y - margin
        with np.errstate(over="ignore"):  # inf only where the true value overflows
            d = np.subtract(sb, sy[:, None], out=buf[: b - a])
            d += margin
        d[rows, yb] = 0.0
        np.maximum(d, 0.0, out=d)
        if squared:
            with np.errstate(over="ignore"):  # d^2 > max float: the per-sample loss overflows too
                d *= d
        out[a:b] = _rowsum(d)
    return _v.reduce(out, reduction)


def multiclass_hinge_grad(y_true, scores, *, margin=1.0, squared=False):
    r"""Gradient (subgradient) of the mean multiclass hinge loss w.r.t. the scores.

    .. math::

       \begin{aligned}
       \frac{\partial \bar\ell}{\partial s_{ij}}
       &= \frac{1}{N}\,\mathbb{1}\bigl[s_{ij} - s_{iy_i} + \Delta > 0\bigr]\ (j \ne y_i), \\
       \frac{\partial \bar\ell}{\partial s_{iy_i}}
       &= -\frac{1}{N}\sum_{j \ne y_i} \mathbb{1}\bigl[s_{ij} - s_{iy_i} + \Delta > 0\bigr]
       \end{aligned}

    Subgradient 0 at the kinks (margin exactly met). With ``squared=True``
    each indicator becomes :math:`2\max(0, s_{ij} - s_{iy_i} + \Delta)`
    (differentiable everywhere).

    Parameters
    ----------
    y_true, scores, margin, squared
        As in :func:`multiclass_hinge`.

    Returns
    -------
    ndarray, shape (N, C)

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.multiclass_hinge_grad([0], [[3.2, 5.1, -1.7]]).tolist()
    [[-1.0, 1.0, 0.0]]
    """
    squared = _check_squared(squared)
    labels, s, margin = _hinge_setup(y_true, scores, margin)
    n = s.shape[0]
    rows = np.arange(n)
    with np.errstate(over="ignore"):
        d = (s - s[rows, labels][:, None]) + margin
    active = d > 0
    active[rows, labels] = False
    if not squared:
        g = active.astype(np.float64)
        g[rows, labels] = -g.sum(axis=1)
        return g / n
    # 2 d / n, not (2 d) / n: 2 d overflows for d > max float / 2 where the gradient is finite
    with np.errstate(over="ignore"):
        g = np.where(active, d, 0.0)
        g[rows, labels] = -g.sum(axis=1)
        g *= 2.0 / n if n > 1 else 2.0
    return g


# --------------------------------------------------------------------------
# regression losses
# --------------------------------------------------------------------------


def _reg_setup(y_true, y_pred):
    p = _pred(y_pred, "y_pred")
    y = _v.as_float_array(y_true, "y_true", min_ndim=1)
    _v.check_same_shape(y, p, "y_true", "y_pred")
    _v.check_finite(y, "y_true")
    return y, p


def _mse_kernel(y, p, total):
    r = np.subtract(p, y)
    if total:
        return _dot(r, r)
    return np.multiply(r, r, out=r)


def _mae_kernel(y, p, total):
    r = np.subtract(p, y)
    np.abs(r, out=r)
    return float(r.sum()) if total else r


def mse(y_true, y_pred, *, reduction="mean"):
    r"""Mean squared error.

    .. math::

       \ell_i = \frac{1}{K}\sum_{k} (\hat y_{ik} - y_{ik})^2

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Finite targets.
    y_pred : array_like, same shape as ``y_true``
        Finite predictions.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    For ``(N, ...)`` input the per-sample loss is the mean over the trailing
    axes (``K`` elements), so the default equals
    ``sklearn.metrics.mean_squared_error`` (uniform average over outputs).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.mse([1.0, 2.0], [1.5, 1.0]))
    0.625
    """
    reduction = _v.check_reduction(reduction)
    y, p = _reg_setup(y_true, y_pred)
    return _elementwise(_mse_kernel, [y, p], reduction)


def mse_grad(y_true, y_pred):
    r"""Gradient of the mean squared error with respect to ``y_pred``.

    .. math::

       \frac{\partial \bar\ell}{\partial \hat y_i} = \frac{2(\hat y_i - y_i)}{n}

    with ``n`` the total number of elements.

    Parameters
    ----------
    y_true, y_pred
        As in :func:`mse`.

    Returns
    -------
    ndarray, same shape as ``y_pred``

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.mse_grad([1.0, 2.0], [1.5, 1.0]).tolist()
    [0.5, -1.0]
    """
    y, p = _reg_setup(y_true, y_pred)
    with np.errstate(over="ignore"):
        g = 2.0 * (p - y) / p.size
        if not np.isfinite(g).all():  # p - y beyond the float range; 2 (p - y) / n may not be
            g = np.where(np.isfinite(g), g, ((p * 0.5 - y * 0.5) / p.size) * 4.0)
    return g


def mae(y_true, y_pred, *, reduction="mean"):
    r"""Mean absolute error.

    .. math::

       \ell_i = \frac{1}{K}\sum_{k} \lvert \hat y_{ik} - y_{ik} \rvert

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Finite targets.
    y_pred : array_like, same shape as ``y_true``
        Finite predictions.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    Per-sample loss of ``(N, ...)`` input is the mean over trailing axes;
    the default equals ``sklearn.metrics.mean_absolute_error``.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.mae([1.0, 2.0], [1.5, 1.0]))
    0.75
    """
    reduction = _v.check_reduction(reduction)
    y, p = _reg_setup(y_true, y_pred)
    return _elementwise(_mae_kernel, [y, p], reduction)


def mae_grad(y_true, y_pred):
    r"""Gradient (subgradient) of the mean absolute error w.r.t. ``y_pred``.

    .. math::

       \frac{\partial \bar\ell}{\partial \hat y_i} = \frac{\operatorname{sign}(\hat y_i - y_i)}{n}

    with ``n`` the total number of elements; 0 where ``y_pred == y_true``.

    Parameters
    ----------
    y_true, y_pred
        As in :func:`mae`.

    Returns
    -------
    ndarray, same shape as ``y_pred``

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.mae_grad([1.0, 2.0, 3.0], [1.5, 1.0, 3.0]).tolist()
    [0.3333333333333333, -0.3333333333333333, 0.0]
    """
    y, p = _reg_setup(y_true, y_pred)
    with np.errstate(over="ignore"):  # p - y = +-inf keeps its sign
        return np.sign(p - y) / p.size


def huber(y_true, y_pred, *, delta=1.0, reduction="mean"):
    r"""Huber loss: quadratic near zero, linear in the tails.

    .. math::

       \ell_\delta(r) =
       \begin{cases}
         \tfrac12 r^2 & |r| \le \delta \\
         \delta\bigl(|r| - \tfrac12\delta\bigr) & |r| > \delta
       \end{cases},
       \qquad r = \hat y - y

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Finite targets.
    y_pred : array_like, same shape as ``y_true``
        Finite predictions.
    delta : float, default 1.0
        Threshold :math:`\delta > 0` between the two regimes.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    Continuous with continuous first derivative at ``|r| = delta``. Matches
    PyTorch's ``HuberLoss`` (not ``SmoothL1Loss``, which divides by delta).
    Per-sample loss of ``(N, ...)`` input is the mean over trailing axes.

    References
    ----------
    - P. J. Huber, "Robust estimation of a location parameter", Ann.
      Math. Statist. 35 (1964).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.huber([0.0, 0.0], [0.5, 3.0], reduction="none").tolist()
    [0.125, 2.5]
    """
    reduction = _v.check_reduction(reduction)
    delta = _v.check_positive_scalar(delta, "delta")
    y, p = _reg_setup(y_true, y_pred)

    def kernel(yb, pb, total):
        with np.errstate(over="ignore"):
            a = np.abs(pb - yb)
            quad = a <= delta
            # the square only where it is used: 0.5 a^2 of a far residual (1e200)
            # would overflow (and warn) before np.where discards it
            val = np.multiply(delta, a - 0.5 * delta)
            np.multiply(0.5 * a, a, out=val, where=quad)
            if not np.isfinite(val).all():
                # |r| > 1.8e308: delta (|r| - delta/2) from the half residual
                # (finite for delta < 1); otherwise the true value overflows
                # (a quadratic-part value that overflows is the true value: |r| <= delta)
                big = ~np.isfinite(val) & ~quad
                ah = np.abs(pb * 0.5 - yb * 0.5)
                ah = np.broadcast_to(ah, val.shape)[big]
                val[big] = delta * (2.0 * ah - 0.5 * delta)
        return float(val.sum()) if total else val

    return _elementwise(kernel, [y, p], reduction)


def huber_grad(y_true, y_pred, *, delta=1.0):
    r"""Gradient of the mean Huber loss with respect to ``y_pred``.

    .. math::

       \frac{\partial \bar\ell}{\partial \hat y_i}
       = \frac{\operatorname{clip}(\hat y_i - y_i, -\delta, \delta)}{n}

    with ``n`` the total number of elements.

    Parameters
    ----------
    y_true, y_pred, delta
        As in :func:`huber`.

    Returns
    -------
    ndarray, same shape as ``y_pred``

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.huber_grad([0.0, 0.0], [0.5, 3.0]).tolist()
    [0.25, 0.5]
    """
    delta = _v.check_positive_scalar(delta, "delta")
    y, p = _reg_setup(y_true, y_pred)
    with np.errstate(over="ignore"):  # p - y = +-inf clips to +-delta
        return np.clip(p - y, -delta, delta) / p.size


def _gnll_setup(y_true, mean, sigma):
    mu = _pred(mean, "mean")
    y = _v.as_float_array(y_true, "y_true", min_ndim=1)
    _v.check_same_shape(y, mu, "y_true", "mean")
    _v.check_finite(y, "y_true")
    s = _v.as_float_array(sigma, "sigma", allow_bool=False)
    if s.ndim and s.shape != mu.shape:
        raise ValueError(
            f"sigma must be a scalar or have the same shape as mean, got sigma "
            f"{_v._fmt_shape(s.shape)} and mean {_v._fmt_shape(mu.shape)}"
        )
    smin, smax = s.min(), s.max()
    if not (smin > 0 and np.isfinite(smax)):
        bad = ~(np.isfinite(s) & (s > 0))
        idx = _v._first_bad(bad) if s.ndim else ()
        raise ValueError(f"sigma must be positive and finite, got {float(s[idx])!r}{_v._where(bad, idx)}")
    return y, mu, s


def gaussian_nll(y_true, mean, sigma, *, reduction="mean"):
    r"""Gaussian negative log-likelihood (full density, including the constant).

    .. math::

       \ell_i = \tfrac12 \log(2\pi) + \log\sigma_i
       + \frac{(y_i - \mu_i)^2}{2\sigma_i^2}

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Finite observations.
    mean : array_like, same shape as ``y_true``
        Predicted means :math:`\mu`.
    sigma : float or array_like, same shape as ``mean``
        Standard deviations, > 0 (a scalar applies to every element).
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Notes
    -----
    Nats. A negative log *density*: it can be negative (when ``sigma`` is
    small). Takes the standard deviation, not the variance (PyTorch's
    ``GaussianNLLLoss`` takes the variance and drops the constant by default).
    Per-sample loss of ``(N, ...)`` input is the mean over trailing axes.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.gaussian_nll([0.0], [0.0], 1.0)), 6)
    0.918939
    """
    reduction = _v.check_reduction(reduction)
    y, mu, s = _gnll_setup(y_true, mean, sigma)

    def kernel(yb, mb, sb, total):
        with np.errstate(over="ignore"):  # inf only where the true value overflows
            r = (yb - mb) / sb
            val = _LOG_2PI_HALF + np.log(sb) + (0.5 * r) * r
        return float(val.sum()) if total else val

    return _elementwise(kernel, [y, mu, s], reduction)


def gaussian_nll_grad(y_true, mean, sigma):
    r"""Gradient of the mean Gaussian NLL with respect to ``mean``.

    .. math::

       \frac{\partial \bar\ell}{\partial \mu_i} = \frac{\mu_i - y_i}{n\,\sigma_i^2}

    with ``n`` the total number of elements. See
    :func:`gaussian_nll_grad_sigma` for the gradient with respect to sigma.

    Parameters
    ----------
    y_true, mean, sigma
        As in :func:`gaussian_nll`.

    Returns
    -------
    ndarray, same shape as ``mean``

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.gaussian_nll_grad([0.0, 0.0], [1.0, -2.0], 2.0).tolist()
    [0.125, -0.25]
    """
    y, mu, s = _gnll_setup(y_true, mean, sigma)
    # ((mu - y) / n / s) / s: s * s underflows to 0 for s < 1e-162 (inf or 0/0 = NaN)
    with np.errstate(over="ignore"):  # inf only where the true value overflows
        return ((mu - y) / mu.size / s) / s + 0.0


def gaussian_nll_grad_sigma(y_true, mean, sigma):
    r"""Gradient of the mean Gaussian NLL with respect to ``sigma``.

    .. math::

       \frac{\partial \bar\ell}{\partial \sigma_i}
       = \frac{1}{n}\left(\frac{1}{\sigma_i} - \frac{(y_i - \mu_i)^2}{\sigma_i^3}\right)

    Parameters
    ----------
    y_true, mean, sigma
        As in :func:`gaussian_nll`.

    Returns
    -------
    float or ndarray
        Same shape as ``sigma``: for a scalar sigma, the sum over all elements
        (the derivative with respect to the shared parameter).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.gaussian_nll_grad_sigma([1.0, -1.0], [0.0, 0.0], 1.0))
    0.0
    """
    y, mu, s = _gnll_setup(y_true, mean, sigma)
    with np.errstate(over="ignore"):
        r = (y - mu) / s
    with np.errstate(over="ignore"):  # -inf only where the true value overflows
        g = (1.0 - r * r) / s / mu.size
    if s.ndim == 0:
        if np.isfinite(g).all():
            return np.float64(_v.accurate_sum(g))
        # terms of +inf (1 / s overflows) and -inf (r^2 / s overflows) would sum to NaN:
        # (n - sum r^2) / n / s, with sum r^2 scaled (inf only where it overflows)
        sum_r2 = _v.sum_sq_weighted(r) if np.isfinite(r).all() else np.inf  # (y - mu) / s overflowed
        with np.errstate(over="ignore"):
            return np.float64((1.0 - sum_r2 / mu.size) / s)
    return g
