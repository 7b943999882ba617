r"""Demos for the chapter "Calibration and proper scoring rules".

- :func:`expected_binary_score`: the expected loss of a reported probability
  under a true one, for five rules (log, Brier, spherical, 0-1, hinge);
- :func:`ece_bias_simulation`: binned ECE of a perfectly calibrated model,
  over numbers of items and bins, with standard errors;
- :func:`make_calibration_problem`: a seeded three-class problem with many
  uninformative features, on which an unregularised linear softmax model
  becomes over-confident;
- :func:`train_softmax_variant`: full-batch gradient descent on a linear
  softmax model with weight decay, label smoothing or the focal loss.
"""

from __future__ import annotations

import numpy as np

from .. import _validation as _v
from .._classification import brier_score, softmax_focal_loss_grad
from .._losses import binary_cross_entropy, softmax_cross_entropy_grad
from .._scoring import spherical_score
from ..diagnostics import expected_calibration_error

__all__ = [
    "expected_binary_score",
    "ece_bias_simulation",
    "make_calibration_problem",
    "train_softmax_variant",
]

_RULES = ("log", "brier", "spherical", "zero_one", "hinge")


def expected_binary_score(rule, p_true, q):
    r"""Expected loss of reporting ``q`` when the event has probability ``p_true``.

    .. math::

       \bar L(q; p) = p\, L(q, 1) + (1 - p)\, L(q, 0)

    Parameters
    ----------
    rule : {"log", "brier", "spherical", "zero_one", "hinge"}
        ``log``: :math:`-\log q` or :math:`-\log(1-q)`; ``brier``:
        :math:`(q - o)^2`; ``spherical``: one minus the spherical score;
        ``zero_one``: predict 1 when :math:`q \ge 1/2`, lose 1 if wrong;
        ``hinge``: :math:`\max(0, 1 - y s)` with margin
        :math:`s = 2q - 1 \in [-1, 1]` and :math:`y = \pm 1`.
    p_true : float
        True probability of outcome 1, in [0, 1].
    q : array_like, shape (M,)
        Reported probabilities in [0, 1] (in (0, 1) for ``log`` at
        ``0 < p_true < 1``).

    Returns
    -------
    ndarray, shape (M,)
    """
    if rule not in _RULES:
        raise ValueError(f"rule must be one of {', '.join(map(repr, _RULES))}, got {rule!r}")
    p = _v.check_positive_scalar(p_true, "p_true", allow_zero=True)
    if p > 1.0:
        raise ValueError(f"p_true must be a probability in [0, 1], got {p!r}")
    q = _v.as_float_array(q, "q", ndim=1)
    _v.check_range(q, "q", 0.0, 1.0, "probabilities")
    one, zero = np.ones_like(q), np.zeros_like(q)
    if rule == "log":
        l1 = binary_cross_entropy(one, q, reduction="none")
        l0 = binary_cross_entropy(zero, q, reduction="none")
    elif rule == "brier":
        l1 = brier_score(one, q, reduction="none")
        l0 = brier_score(zero, q, reduction="none")
    elif rule == "spherical":
        l1 = 1.0 - spherical_score(np.ones(q.size, dtype=int), q, reduction="none")
        l0 = 1.0 - spherical_score(np.zeros(q.size, dtype=int), q, reduction="none")
    elif rule == "zero_one":
        l1 = (q < 0.5).astype(np.float64)
        l0 = (q >= 0.5).astype(np.float64)
    else:
        s = 2.0 * q - 1.0
        l1 = np.maximum(0.0, 1.0 - s)
        l0 = np.maximum(0.0, 1.0 + s)
    return p * l1 + (1.0 - p) * l0


def ece_bias_simulation(n_items, n_bins, *, n_reps=200, seed=0):
    r"""Binned ECE of a perfectly calibrated binary model, averaged over repetitions.

    Each repetition draws confidences :math:`f_i \sim U(0, 1)` and outcomes
    :math:`o_i \sim \mathrm{Bernoulli}(f_i)` (so the model is calibrated and
    its true calibration error is 0) and computes
    :func:`lossbook.expected_calibration_error` of the rows
    :math:`(1 - f_i, f_i)`.

    Parameters
    ----------
    n_items : sequence of int
        Numbers of items :math:`N`.
    n_bins : sequence of int
        Numbers of bins :math:`B`.
    n_reps : int, default 200
        Repetitions per pair.
    seed : int, default 0

    Returns
    -------
    mean, se : ndarray, shape (len(n_items), len(n_bins))
        Mean ECE and its standard error (``std(ddof=1) / sqrt(n_reps)``).
    """
    n_items = [_v.check_int(n, "n_items", minimum=2) for n in n_items]
    n_bins = [_v.check_int(b, "n_bins", minimum=1) for b in n_bins]
    n_reps = _v.check_int(n_reps, "n_reps", minimum=2)
    rng = np.random.default_rng(_v.check_seed(seed))
    mean = np.zeros((len(n_items), len(n_bins)))
    se = np.zeros_like(mean)
    for i, n in enumerate(n_items):
        vals = np.zeros((n_reps, len(n_bins)))
        for r in range(n_reps):
            f = rng.random(n)
            o = (rng.random(n) < f).astype(np.intp)
            rows = np.stack([1.0 - f, f], axis=1)
            for j, b in enumerate(n_bins):
                vals[r, j] = expected_calibration_error(o, rows, n_bins=b)
        mean[i] = vals.mean(axis=0)
        se[i] = vals.std(axis=0, ddof=1) / np.sqrt(n_reps)
    return mean, se


def make_calibration_problem(n, *, n_noise=30, seed=0, separation=1.5):
    r"""Three overlapping classes in 2-D plus ``n_noise`` pure-noise features.

    Class means on a circle of radius ``separation`` in the first two
    features (unit variance); the other features are standard normal noise,
    which an unregularised model can fit on a small training set.

    Returns
    -------
    X : ndarray, shape (n, 2 + n_noise)
    y : ndarray of int, shape (n,)
    """
    n = _v.check_int(n, "n", minimum=3)
    n_noise = _v.check_int(n_noise, "n_noise", minimum=0)
    sep = _v.check_positive_scalar(separation, "separation")
    rng = np.random.default_rng(_v.check_seed(seed))
    y = rng.integers(0, 3, size=n)
    ang = 2.0 * np.pi * y / 3.0
    mu = sep * np.stack([np.cos(ang), np.sin(ang)], axis=1)
    X = np.concatenate([mu + rng.standard_normal((n, 2)), rng.standard_normal((n, n_noise))], axis=1)
    return X, y


def train_softmax_variant(X, y, *, weight_decay=0.0, label_smoothing=0.0, focal_gamma=None,
                          lr=0.5, epochs=2000, n_classes=3):
    r"""Linear softmax model by full-batch gradient descent; returns ``(W, b)``.

    Minimises :math:`\frac1N\sum_i \ell(y_i, W x_i + b) + \frac{\lambda}{2}
    \lVert W\rVert^2` with :math:`\ell` the softmax cross-entropy (with
    ``label_smoothing`` :math:`\alpha`: targets :math:`(1-\alpha)e_y +
    \alpha/C`) or, when ``focal_gamma`` is given, the softmax focal loss.
    Starts from zeros; deterministic. Predict with ``X @ W + b`` (logits).
    """
    X = _v.as_float_array(X, "X", ndim=2)
    _v.check_finite(X, "X")
    c = _v.check_int(n_classes, "n_classes", minimum=2)
    yv = _v.check_labels_for(y, "y", X.shape[0], c, other="X")
    lam = _v.check_positive_scalar(weight_decay, "weight_decay", allow_zero=True)
    lr = _v.check_positive_scalar(lr, "lr")
    epochs = _v.check_int(epochs, "epochs", minimum=0)
    W = np.zeros((X.shape[1], c))
    b = np.zeros(c)
    for _ in range(epochs):
        z = X @ W + b
        if focal_gamma is None:
            g = softmax_cross_entropy_grad(yv, z, label_smoothing=label_smoothing)
        else:
            g = softmax_focal_loss_grad(yv, z, gamma=focal_gamma)
        W -= lr * (X.T @ g + lam * W)
        b -= lr * g.sum(axis=0)
    return W, b
