r"""Classification losses beyond plain cross-entropy: focal losses, the Brier
score, and the PyTorch options of softmax cross-entropy (class weights,
``ignore_index``, label smoothing).

Conventions as in :mod:`lossbook._losses`: samples on axis 0, classes on the
last axis, per-sample loss first and then ``reduction``; every ``*_grad``
returns the gradient of the **mean** loss with respect to the logits.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validation as _v
from ._activations import _BLOCK_ELEMS, _log_softmax_rows, _lse_block, _row_blocks
from ._losses import _binary_targets, _class_targets, _dot, _elementwise, _pred
from ._regression import _checked_elementwise, _InvalidBlock

__all__ = [
    "binary_focal_loss",
    "binary_focal_loss_grad",
    "softmax_focal_loss",
    "softmax_focal_loss_grad",
    "brier_score",
]


# --------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------


def _sigmoid_pair(z):
    """``(sigmoid(z), sigmoid(-z))``, each accurate to a few ulps."""
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    big = 1.0 / d  # sigmoid(|z|)
    small = e / d  # sigmoid(-|z|)
    pos = z >= 0
    return np.where(pos, big, small), np.where(pos, small, big)


def _softplus_pair(z):
    """``(softplus(z), softplus(-z))`` without overflow."""
    soft = np.log1p(np.exp(-np.abs(z)))
    return np.maximum(z, 0.0) + soft, np.maximum(-z, 0.0) + soft


def _check_gamma(gamma) -> float:
    return _v.check_positive_scalar(gamma, "gamma", allow_zero=True)


def _check_alpha(alpha):
    if alpha is None:
        return None
    return _v.check_fraction(alpha, "alpha")


# --------------------------------------------------------------------------
# binary focal loss
# --------------------------------------------------------------------------


def _bfl_parts(y, z, gamma, alpha):
    s, sn = _sigmoid_pair(z)
    sp_pos, sp_neg = _softplus_pair(z)
    ce = y * sp_neg + (1.0 - y) * sp_pos  # binary cross-entropy from logits
    q = y * sn + (1.0 - y) * s  # 1 - p_t
    mod = q**gamma if gamma != 0.0 else np.ones_like(q)
    at = 1.0 if alpha is None else alpha * y + (1.0 - alpha) * (1.0 - y)
    return s, sn, ce, q, mod, at


def binary_focal_loss(y_true, logits, *, gamma=2.0, alpha=None, reduction="mean"):
    r"""Binary focal loss from logits (Lin et al. 2017).

    .. math::

       \begin{aligned}
       \ell(y, z) &= -\alpha_t\,(1 - p_t)^{\gamma} \log p_t, \\
       p_t &= y\,\sigma(z) + (1 - y)\,(1 - \sigma(z)), \qquad \alpha_t = \alpha y + (1 - \alpha)(1 - y)
       \end{aligned}

    For soft targets the loss is torchvision's generalisation
    :math:`\alpha_t (1 - p_t)^\gamma\, \mathrm{BCE}(y, z)` with the same
    :math:`p_t` (equal to the formula above for hard 0/1 targets).

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, ...)
        Targets in [0, 1], same shape as ``logits``.
    logits : array_like, shape (N,) or (N, ...)
        Finite logits.
    gamma : float, default 2.0
        Focusing parameter :math:`\gamma \ge 0`; ``gamma=0`` gives binary
        cross-entropy (times :math:`\alpha_t`).
    alpha : float in [0, 1], optional
        Weight of the positive class; ``None`` (default) weights both classes
        by 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Shape
    -----
    ``(N,)`` or ``(N, ...)``; the per-sample loss of ``(N, K)`` input is the
    mean over its ``K`` elements, so ``reduction="mean"`` is the mean over all
    elements (as in ``torchvision.ops.sigmoid_focal_loss``).

    Notes
    -----
    Same definition as ``torchvision.ops.sigmoid_focal_loss`` except the
    default of ``alpha``: torchvision defaults to ``alpha=0.25`` and disables
    the weighting with ``alpha=-1``; here ``alpha=None`` disables it and there
    is no default weighting. For ``(N, K)`` input ``reduction="sum"`` sums the
    per-sample means over ``K`` (torchvision sums all ``N K`` elements). :math:`1 - p_t` is computed as
    ``y sigmoid(-z) + (1 - y) sigmoid(z)`` (no ``1 - p`` cancellation) and the
    cross-entropy through ``softplus``, so logits of any finite size give a
    finite loss. Nats.

    References
    ----------
    - T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal loss for
      dense object detection", ICCV 2017.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.binary_focal_loss([1, 0], [2.0, -1.0], gamma=0.0)), 6)
    0.220095
    >>> round(float(lb.binary_focal_loss([1], [0.0])), 6)
    0.173287
    """
    reduction = _v.check_reduction(reduction)
    gamma = _check_gamma(gamma)
    alpha = _check_alpha(alpha)
    z = _pred(logits, "logits")
    y = _binary_targets(y_true, z.shape, "logits")

    def kernel(yb, zb, total):
        _, _, ce, _, mod, at = _bfl_parts(yb, zb, gamma, alpha)
        val = at * mod * ce
        return float(val.sum()) if total else val

    return _elementwise(kernel, [y, z], reduction)


def binary_focal_loss_grad(y_true, logits, *, gamma=2.0, alpha=None):
    r"""Gradient of the mean binary focal loss with respect to the logits.

    With :math:`q = 1 - p_t = y\,\sigma(-z) + (1 - y)\,\sigma(z)` and
    :math:`c = \mathrm{BCE}(y, z)`:

    .. math::

       \frac{\partial \bar\ell}{\partial z_i} = \frac{\alpha_t}{n}
       \Bigl[\gamma\, q^{\gamma - 1}\,(1 - 2y)\,\sigma(z)\sigma(-z)\; c
       + q^{\gamma}\,\bigl(\sigma(z) - y\bigr)\Bigr]

    with ``n`` the total number of elements.

    Parameters
    ----------
    y_true, logits, gamma, alpha
        As in :func:`binary_focal_loss`.

    Returns
    -------
    ndarray, same shape as ``logits``

    Examples
    --------
    >>> import lossbook as lb
    >>> g = lb.binary_focal_loss_grad([1, 0], [0.0, 0.0], gamma=0.0)
    >>> [round(float(v), 6) for v in g]
    [-0.25, 0.25]
    """
    gamma = _check_gamma(gamma)
    alpha = _check_alpha(alpha)
    z = _pred(logits, "logits")
    y = _binary_targets(y_true, z.shape, "logits")
    s, sn, ce, q, mod, at = _bfl_parts(y, z, gamma, alpha)
    # z >= 0: sigma(z) - y = (1 - y) - sigma(-z) (as binary_cross_entropy_with_logits_grad):
    # never sigma(z) - y with sigma(z) rounded near 1 (lost 3.8e-4 of -sigma(-29))
    g = mod * np.where(z >= 0, (1.0 - y) - sn, s - y)
    if gamma != 0.0:
        dq = (1.0 - 2.0 * y) * s * sn
        # gamma q^(gamma-1) dq = gamma q^gamma (dq / q); dq / q is bounded
        ratio = np.divide(dq, q, out=np.zeros_like(q), where=q > 0)
        g = g + gamma * mod * ratio * ce
    return at * g / z.size


# --------------------------------------------------------------------------
# softmax focal loss
# --------------------------------------------------------------------------


def _sfl_setup(y_true, logits, gamma):
    gamma = _check_gamma(gamma)
    z = _pred(logits, "logits", ndim=2)
    n, c = z.shape
    labels, soft = _class_targets(y_true, n, c, "logits")
    with np.errstate(over="ignore"):  # log p = -inf only where it is below -max float
        logp = _log_softmax_rows(np.ascontiguousarray(z))
    if labels is not None:
        t = np.zeros((n, c))
        t[np.arange(n), labels] = 1.0
    else:
        t = soft
    return t, logp, gamma


def _focal_terms(logp, gamma):
    """``(1 - p)^gamma`` and ``-(1 - p)^gamma log p`` for ``p = exp(logp)``."""
    one_m_p = -np.expm1(logp)
    mod = one_m_p**gamma if gamma != 0.0 else np.ones_like(logp)
    return one_m_p, mod, -mod * logp


def softmax_focal_loss(y_true, logits, *, gamma=2.0, reduction="mean"):
    r"""Multiclass focal loss from logits: cross-entropy down-weighted where confident.

    .. math::

       \begin{aligned}
       &\ell_i = -\sum_{k=1}^{C} t_{ik}\,(1 - p_{ik})^{\gamma} \log p_{ik},
       \qquad p_i = \operatorname{softmax}(z_i) \\
       &(\text{labels: } \ell_i = -(1 - p_{i y_i})^{\gamma} \log p_{i y_i})
       \end{aligned}

    Parameters
    ----------
    y_true : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``, or one-hot / soft target rows summing
        to 1.
    logits : array_like, shape (N, C)
        Finite logits.
    gamma : float, default 2.0
        Focusing parameter :math:`\gamma \ge 0`; ``gamma=0`` gives
        :func:`softmax_cross_entropy`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Shape
    -----
    ``logits`` is ``(N, C)`` (samples, classes); ``y_true`` is ``(N,)`` or
    ``(N, C)``; ``reduction="none"`` returns ``(N,)``.

    Notes
    -----
    ``log p`` comes from the stable log-softmax and ``1 - p`` from
    ``-expm1(log p)``, so a confidently right prediction keeps its tiny loss.
    Neither PyTorch nor torchvision has a softmax focal loss; the soft-target
    form (the sum over classes) is one common generalisation. Nats.

    References
    ----------
    - T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal loss for
      dense object detection", ICCV 2017.

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.softmax_focal_loss([0], [[0.0, 0.0]], gamma=1.0)), 6)
    0.346574
    """
    reduction = _v.check_reduction(reduction)
    gamma = _check_gamma(gamma)
    z = np.ascontiguousarray(_pred(logits, "logits", ndim=2))
    n, c = z.shape
    labels, soft = _class_targets(y_true, n, c, "logits")
    if labels is not None:
        # log p_y = z_y - max - log1p(sum of the other exp): blocked, one value per row
        logpy = np.empty(n)
        buf = np.empty((max(1, _BLOCK_ELEMS // c), c))
        for a, b in _row_blocks(n, c):
            zb = z[a:b]
            _, m, l, _ = _lse_block(zb, buf)
            with np.errstate(over="ignore"):  # log p_y = -inf only where it is below -max float
                o = np.subtract(zb[np.arange(b - a), labels[a:b]], m, out=logpy[a:b])
            o -= l
        _, _, f = _focal_terms(logpy, gamma)
        return _v.reduce(f + 0.0, reduction)
    with np.errstate(over="ignore"):  # log p = -inf only where it is below -max float
        logp = _log_softmax_rows(z)
    t = soft
    with np.errstate(invalid="ignore"):  # -mod * log p where p = 0: used only where t > 0
        _, _, f = _focal_terms(logp, gamma)
    per = np.multiply(t, f, out=np.zeros_like(f), where=t > 0).sum(axis=1)
    return _v.reduce(per + 0.0, reduction)


def softmax_focal_loss_grad(y_true, logits, *, gamma=2.0):
    r"""Gradient of the mean softmax focal loss with respect to the logits.

    With :math:`f(p) = -(1 - p)^\gamma \log p` and
    :math:`B_{ik} = t_{ik}\, p_{ik} f'(p_{ik}) = t_{ik}\,(1 - p_{ik})^{\gamma}
    \bigl[\gamma\, p_{ik} \log p_{ik} / (1 - p_{ik}) - 1\bigr]`:

    .. math::

       \frac{\partial \bar\ell}{\partial z_{ij}}
       = \frac{1}{N}\Bigl(B_{ij} - p_{ij} \sum_k B_{ik}\Bigr)

    Parameters
    ----------
    y_true, logits, gamma
        As in :func:`softmax_focal_loss`.

    Returns
    -------
    ndarray, shape (N, C)

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.softmax_focal_loss_grad([0], [[0.0, 0.0]], gamma=0.0).tolist()
    [[-0.5, 0.5]]
    """
    t, logp, gamma = _sfl_setup(y_true, logits, gamma)
    n = logp.shape[0]
    p = np.exp(logp)
    one_m_p, mod, _ = _focal_terms(logp, gamma)
    # log p / (1 - p) -> -1 as p -> 1
    ratio = np.divide(logp, one_m_p, out=np.full_like(logp, -1.0), where=one_m_p > 0)
    # p log p / (1 - p) -> 0 as p -> 0 (log p = -inf where p underflows); B = 0 where t = 0
    p_ratio = np.multiply(p, ratio, out=np.zeros_like(p), where=p > 0)
    b = np.multiply(t * mod, gamma * p_ratio - 1.0, out=np.zeros_like(p), where=t > 0)
    # b - p sum(b) = b (1 - p) - p (sum(b) - b): 1 - p from expm1 (no cancellation where
    # p is close to 1; for one-hot targets sum(b) - b is exactly 0 in the label's column)
    g = b * one_m_p - p * (b.sum(axis=1, keepdims=True) - b)
    return g / n


# --------------------------------------------------------------------------
# Brier score
# --------------------------------------------------------------------------


def brier_score(y_true, y_prob, *, reduction="mean"):
    r"""Brier score: squared error of predicted probabilities (lower is better).

    .. math::

       \text{binary: } \ell_i = (p_i - y_i)^2,
       \qquad
       \text{classes: } \ell_i = \sum_{k=1}^{C} (p_{ik} - t_{ik})^2

    Parameters
    ----------
    y_true : array_like
        Binary: targets in [0, 1], shape (N,). Classes: integer labels in
        ``[0, C)`` of shape (N,), or one-hot / soft target rows (N, C).
    y_prob : array_like, shape (N,) or (N, C)
        Binary: probability of the positive class, in [0, 1], shape (N,).
        Classes: rows of class probabilities summing to 1, shape (N, C).
    reduction : {"mean", "sum", "none"}, default "mean"
        Reduction over samples.

    Returns
    -------
    float or ndarray of shape (N,)

    Shape
    -----
    A 1-D ``y_prob`` is the binary case; a 2-D ``y_prob`` holds one row of
    class probabilities per sample.

    Notes
    -----
    The class form is Brier's original definition, the sum over classes,
    with values in [0, 2]. For two classes it is **twice** the binary form
    (the errors on the two classes are equal), which is what
    ``sklearn.metrics.brier_score_loss`` returns for binary input. A strictly
    proper scoring rule: its expectation is minimised by the true
    probabilities.

    References
    ----------
    - G. W. Brier, "Verification of forecasts expressed in terms of
      probability", Monthly Weather Review 78 (1950).

    Examples
    --------
    >>> import lossbook as lb
    >>> round(float(lb.brier_score([1, 0], [0.9, 0.2])), 6)
    0.025
    >>> round(float(lb.brier_score([0], [[0.9, 0.1]])), 6)
    0.02
    """
    reduction = _v.check_reduction(reduction)
    p = _v.as_float_array(y_prob, "y_prob", min_ndim=1)
    if p.ndim == 1:
        y = _v.as_float_array(y_true, "y_true", min_ndim=1)
        if y.shape != p.shape:
            _binary_targets(y_true, p.shape, "y_prob")  # raises the shape message

        def plain(yb, pb, total):
            r = pb - yb
            return _dot(r, r) if total else np.multiply(r, r, out=r)

        def kernel(yb, pb, total):
            if not (pb.min() >= 0.0 and pb.max() <= 1.0 and yb.min() >= 0.0 and yb.max() <= 1.0):
                raise _InvalidBlock
            return plain(yb, pb, total)

        def full_checks():
            _v.check_range(p, "y_prob", 0.0, 1.0, "probabilities")
            _binary_targets(y_true, p.shape, "y_prob")

        return _checked_elementwise(kernel, plain, [y, p], reduction, full_checks)
    if p.ndim != 2:
        raise ValueError(
            f"y_prob must be a 1-D array of binary probabilities or a 2-D array of class "
            f"probability rows, got a {p.ndim}-D array of shape {_v._fmt_shape(p.shape)}"
        )
    if p.shape[1] < 2:  # a column of binary probabilities would be read as one class (score 0)
        raise ValueError(
            f"y_prob rows must have at least 2 classes, got shape {_v._fmt_shape(p.shape)}; pass binary "
            f"probabilities as a 1-D array of shape ({p.shape[0]},)"
        )
    _v.check_range(p, "y_prob", 0.0, 1.0, "probabilities")
    _v.check_rows_sum_to_one(p, "y_prob")
    n, c = p.shape
    labels, soft = _class_targets(y_true, n, c, "y_prob")
    if labels is not None:
        r = p.copy()
        r[np.arange(n), labels] -= 1.0
    else:
        r = p - soft
    return _v.reduce((r * r).sum(axis=1), reduction)


# --------------------------------------------------------------------------
# softmax cross-entropy with PyTorch's options
# --------------------------------------------------------------------------


def _check_ignore_index(ignore_index):
    if ignore_index is None:
        return None
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(ignore_index, numbers.Integral):
        raise TypeError(
            f"ignore_index must be an int or None, got {_v._show(ignore_index)}"
        )
    return int(ignore_index)


def _check_weight(weight, c):
    w = _v.as_float_array(weight, "weight", ndim=1)
    if w.shape[0] != c:
        raise ValueError(
            f"weight must hold one weight per class ({c} for logits with {c} columns), "
            f"got {w.shape[0]}"
        )
    _v.check_finite(w, "weight")
    if w.min() < 0:
        idx = int(np.argmax(w < 0))
        raise ValueError(f"weight must be non-negative, got {float(w[idx])!r} at index [{idx}]")
    return w


def _sce_options_setup(y_true, logits, weight, ignore_index, label_smoothing):
    ignore_index = _check_ignore_index(ignore_index)
    eps = _v.check_fraction(label_smoothing, "label_smoothing")
    z = _pred(logits, "logits", ndim=2)
    n, c = z.shape
    w = None if weight is None else _check_weight(weight, c)
    arr = np.asarray(y_true) if not isinstance(y_true, (str, bytes)) and y_true is not None else None
    keep = None
    if arr is not None and arr.ndim == 2:
        if ignore_index is not None:
            raise ValueError(
                "ignore_index applies to integer labels only, got y_true as probability target rows of "
                f"shape {_v._fmt_shape(arr.shape)}"
            )
        labels, soft = _class_targets(y_true, n, c, "logits")
    else:
        if ignore_index is not None and arr is not None and arr.dtype.kind in "biuf" and arr.ndim == 1:
            keep = arr != ignore_index
            arr = np.where(keep, arr, 0)
            y_true = arr
        labels, soft = _class_targets(y_true, n, c, "logits")
    return z, labels, soft, w, keep, eps


def _sce_options_parts(z, labels, soft, w, keep, eps):
    """Per-sample weighted losses, the mean's denominator and the pieces for the gradient."""
    n, c = z.shape
    with np.errstate(over="ignore", invalid="ignore"):  # inf only where the loss overflows
        logp = _log_softmax_rows(np.ascontiguousarray(z))
        wv = np.ones(c) if w is None else w
        out = _sce_options_parts_(n, c, logp, wv, labels, soft, keep, eps)
        if labels is None:  # rows: sum_k t_k w_k ((m - z_k) + l), no log p = -inf times 0
            t = out[3]
            am = z.argmax(axis=1)
            m = z[np.arange(n), am]
            # l = log1p(sum of the others' exp(z - m)): exact for a tiny l (log of 1 + 2e-9 is not)
            e = np.exp(z - m[:, None])
            e[np.arange(n), am] = 0.0
            l = np.log1p(e.sum(axis=1))
            d = np.subtract(m[:, None], z)
            d += l[:, None]
            tw = t * wv
            per = np.multiply(tw, d, out=np.zeros_like(d), where=tw > 0).sum(axis=1)
            if not np.isfinite(per).all():  # m - z_k overflowed: halves
                h = np.subtract(0.5 * m[:, None], 0.5 * z)
                h += 0.5 * l[:, None]
                per2 = np.multiply(tw, h, out=np.zeros_like(h), where=tw > 0).sum(axis=1) * 2.0
                per = np.where(np.isfinite(per), per, per2)
            out = (per,) + tuple(out[1:])
    return out


def _sce_options_parts_(n, c, logp, wv, labels, soft, keep, eps):
    if labels is not None:
        rows = np.arange(n)
        wy = wv[labels]
        if keep is not None:
            wy = np.where(keep, wy, 0.0)
        per = -(1.0 - eps) * wy * logp[rows, labels]
        if eps:
            smooth = -(logp @ wv) * (eps / c)
            if keep is not None:
                smooth = np.where(keep, smooth, 0.0)
            per = per + smooth
        denom = float(wy.sum())
        if denom == 0.0 or (keep is not None and not keep.any()):
            denom = None
        return per, denom, logp, wy
    t = soft if not eps else soft * (1.0 - eps) + eps / c
    per = -((t * wv) * logp).sum(axis=1)
    return per, float(n), logp, t


def _smoothing_term(zb, m, l, wv, coef):
    """``coef * sum_k w_k ((m - z_k) + l)``: non-negative terms (no ``W (m + l) - z . w``
    cancellation), formed from halves where ``m - z_k`` or the weighted sum would overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.subtract(m[:, None], zb)
        d += l[:, None]
        sm = (d @ wv) * coef
        if np.isfinite(sm).all():
            return sm
        wmax = float(wv.max())
        h = np.subtract(0.5 * m[:, None], 0.5 * zb)
        h += 0.5 * l[:, None]
        sm = h @ (wv / wmax)
        sm *= coef
        sm *= wmax
        sm *= 2.0
    return sm


def _label_term(zb, m, l, lab, coef, out):
    """``coef * ((m - z_y) + l)``: both parts >= 0, which keeps a tiny loss accurate."""
    o = np.subtract(m, zb[np.arange(zb.shape[0]), lab], out=out)
    o += l
    o *= coef
    o[coef == 0] = 0.0  # weight 0 (or an ignored sample) times an overflowed term
    return o


def _sce_options_labels(z, labels, w, keep, eps):
    """Per-sample losses and the mean's denominator for labels, in row blocks.

    With ``lse_i = LSE(z_i)``: ``-log p_iy = lse_i - z_iy`` and
    ``-sum_k w_k log p_ik = W lse_i - z_i . w`` (no log-softmax matrix).
    """
    n, c = z.shape
    z = np.ascontiguousarray(z)
    wv = np.ones(c) if w is None else w
    wy = wv[labels]
    if keep is not None:
        wy = np.where(keep, wy, 0.0)
    per = np.empty(n)
    buf = np.empty((max(1, _BLOCK_ELEMS // c), c))
    for a, b in _row_blocks(n, c):
        zb = z[a:b]
        _, m, l, _ = _lse_block(zb, buf)
        with np.errstate(over="ignore", invalid="ignore"):  # inf where the weighted loss overflows
            o = _label_term(zb, m, l, labels[a:b], (1.0 - eps) * wy[a:b], per[a:b])
        if eps:
            o += _smoothing_term(zb, m, l, wv, eps / c)
            if keep is not None:
                o[~keep[a:b]] = 0.0
    denom = float(wy.sum())
    if denom == 0.0 or (keep is not None and not keep.any()):
        denom = None
    return per, denom


def _sce_options(y_true, logits, weight, ignore_index, label_smoothing, reduction):
    z, labels, soft, w, keep, eps = _sce_options_setup(y_true, logits, weight, ignore_index, label_smoothing)
    if labels is not None:
        per, denom = _sce_options_labels(z, labels, w, keep, eps)
        if reduction != "none" and w is not None and not np.isfinite(per).all() and w.max() > 0:
            # huge weights: w_y loss_i overflows while the weighted mean (or the sum) may not;
            # reduce with the weights scaled by a power of two and scale back
            e = int(np.frexp(w.max())[1])
            per_s, denom_s = _sce_options_labels(z, labels, np.ldexp(w, -e), keep, eps)
            if reduction == "sum":
                with np.errstate(over="ignore"):
                    return np.float64(np.ldexp(_v.accurate_sum(per_s), e))
            if denom_s is None:
                denom = None
            else:
                return np.float64(_v.accurate_sum(per_s, denom_s))
    else:
        per, denom, _, _ = _sce_options_parts(z, labels, soft, w, keep, eps)
    per = per + 0.0
    if reduction == "none":
        return per
    if reduction == "sum":
        return np.float64(_v.accurate_sum(per))
    if denom is None:
        raise ValueError(
            "reduction='mean' needs at least one target that is not ignored (ignore_index) and has "
            "a positive weight (the weighted mean divides by their total weight, here 0)"
        )
    return np.float64(_v.accurate_sum(per, denom))


def _sce_options_grad(y_true, logits, weight, ignore_index, label_smoothing):
    z, labels, soft, w, keep, eps = _sce_options_setup(y_true, logits, weight, ignore_index, label_smoothing)
    per, denom, logp, extra = _sce_options_parts(z, labels, soft, w, keep, eps)
    n, c = z.shape
    p = np.exp(logp)
    wv = np.ones(c) if w is None else w
    if labels is not None:
        if denom is None:
            raise ValueError(
                "the mean loss is undefined: every label of y_true is ignore_index or has weight 0"
            )
        wy = extra
        rows = np.arange(n)
        g = p * ((1.0 - eps) * wy)[:, None]
        # p_y - 1 = -(1 - p_y) = expm1(log p_y): no cancellation where p_y is close to 1
        g[rows, labels] = ((1.0 - eps) * wy) * np.expm1(logp[rows, labels])
        if eps:
            sm = (eps / c) * (p * wv.sum() - wv)
            if keep is not None:
                sm[~keep] = 0.0
            g += sm
        with np.errstate(over="ignore"):  # inf only where the true value overflows (a tiny denom)
            return g / denom
    tw = extra * wv
    g = p * tw.sum(axis=1, keepdims=True) - tw
    with np.errstate(over="ignore"):  # inf only where the true value overflows
        return g / denom
