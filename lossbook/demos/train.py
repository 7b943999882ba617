r"""A tiny, deterministic numpy trainer for the chapters' experiments.

:func:`train` fits one of five small models by (full-batch or seeded
mini-batch) gradient descent with a selectable loss, and returns a
:class:`History` holding the per-epoch loss and accuracy and the fitted
parameters (with ``predict`` / ``predict_proba``).

Models (``X`` has shape (N, d)):

- ``"linear"``: regression, :math:`f = Xw + b`; losses ``"mse"`` (default),
  ``"mae"``, ``"huber"``.
- ``"logistic"``: binary, :math:`p = \sigma(Xw + b)`; ``"cross_entropy"``
  (default, from logits) or ``"mse"``/``"mae"``/``"huber"`` on ``p``.
- ``"softmax"``: linear multiclass, :math:`P = \operatorname{softmax}(XW + b)`;
  ``"cross_entropy"`` (default), ``"hinge"`` on the scores, or
  ``"mse"``/``"mae"``/``"huber"`` between ``P`` and one-hot targets.
- ``"hinge"``: the linear multiclass SVM, same as ``"softmax"`` with
  ``loss="hinge"`` (the default for this model).
- ``"two_layer"``: :math:`Z = \phi(XW_1 + b_1)W_2 + b_2` with
  :math:`\phi` = ``tanh`` or ``sigmoid``; same losses as ``"softmax"``.

All gradients come from the library's ``*_grad`` functions, chained through
``sigmoid``/``softmax`` for losses on probabilities. The recorded loss is the
data loss (mean over samples, without the weight-decay term).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _losses as L
from .. import _validation as _v
from .._activations import sigmoid, softmax

__all__ = ["History", "train"]

_MODELS = ("linear", "logistic", "softmax", "hinge", "two_layer")
_DEFAULT_LOSS = {"linear": "mse", "logistic": "cross_entropy", "softmax": "cross_entropy",
                 "hinge": "hinge", "two_layer": "cross_entropy"}
_ALLOWED = {
    "linear": ("mse", "mae", "huber"),
    "logistic": ("cross_entropy", "mse", "mae", "huber"),
    "softmax": ("cross_entropy", "hinge", "mse", "mae", "huber"),
    "hinge": ("hinge",),
    "two_layer": ("cross_entropy", "hinge", "mse", "mae", "huber"),
}
_REG = {"mse": (L.mse, L.mse_grad), "mae": (L.mae, L.mae_grad), "huber": (L.huber, L.huber_grad)}


@dataclass
class History:
    """Result of :func:`train`.

    Attributes
    ----------
    loss : ndarray, shape (epochs + 1,)
        Mean data loss on the full training set before training (index 0)
        and after each epoch.
    accuracy : ndarray, shape (epochs + 1,)
        Training accuracy at the same points (NaN for ``model="linear"``).
    params : dict of str to ndarray
        Final parameters: ``w, b`` (linear, logistic), ``W, b`` (softmax,
        hinge) or ``W1, b1, W2, b2`` (two_layer).
    model, loss_name, activation : str
        The configuration used.
    n_classes : int or None
        Number of classes.
    """

    loss: np.ndarray
    accuracy: np.ndarray
    params: dict
    model: str
    loss_name: str
    activation: str = "tanh"
    n_classes: int | None = None
    options: dict = field(default_factory=dict)

    def decision_function(self, X):
        """Raw outputs: predictions (linear), logits (logistic) or scores (N, C)."""
        Xa = _v.as_float_array(X, "X", ndim=2)
        return _forward(self.model, self.params, Xa, self.activation)[0]

    def predict_proba(self, X):
        """Probabilities: ``sigma(z)`` (logistic, shape (N,)) or softmax rows (N, C).

        Raises ValueError for ``linear`` and for hinge-trained models (a
        margin classifier has no calibrated probabilities).
        """
        if self.model == "linear" or self.loss_name == "hinge":
            raise ValueError(f"predict_proba is not defined for model={self.model!r} with loss={self.loss_name!r}")
        out = self.decision_function(X)
        return sigmoid(out) if self.model == "logistic" else softmax(out)

    def predict(self, X):
        """Predictions: real values (linear), 0/1 (logistic) or class indices."""
        out = self.decision_function(X)
        if self.model == "linear":
            return out
        if self.model == "logistic":
            return (out >= 0).astype(np.int64)
        return out.argmax(axis=1)


def _act(name, a):
    return np.tanh(a) if name == "tanh" else sigmoid(a)


def _forward(model, params, X, activation):
    if model in ("linear", "logistic"):
        return X @ params["w"] + params["b"], None
    if model in ("softmax", "hinge"):
        return X @ params["W"] + params["b"], None
    H = _act(activation, X @ params["W1"] + params["b1"])
    return H @ params["W2"] + params["b2"], H


def _loss_and_grad(model, loss, out, y, T, opts):
    """Mean data loss and its gradient w.r.t. the model output ``out``."""
    delta, margin = opts["delta"], opts["margin"]
    kw = {"delta": delta} if loss == "huber" else {}
    if model == "linear":
        f, g = _REG[loss]
        return float(f(y, out, **kw)), g(y, out, **kw)
    if model == "logistic":
        if loss == "cross_entropy":
            return (float(L.binary_cross_entropy_with_logits(y, out)),
                    L.binary_cross_entropy_with_logits_grad(y, out))
        p = sigmoid(out)
        f, g = _REG[loss]
        return float(f(y, p, **kw)), g(y, p, **kw) * p * (1.0 - p)
    if loss == "cross_entropy":
        return float(L.softmax_cross_entropy(y, out)), L.softmax_cross_entropy_grad(y, out)
    if loss == "hinge":
        return (float(L.multiclass_hinge(y, out, margin=margin)),
                L.multiclass_hinge_grad(y, out, margin=margin))
    P = softmax(out)
    f, g = _REG[loss]
    gP = g(T, P, **kw)
    return float(f(T, P, **kw)), P * (gP - (gP * P).sum(axis=1, keepdims=True))


def _accuracy(model, out, y):
    if model == "linear":
        return np.nan
    if model == "logistic":
        return float(np.mean((out >= 0) == (y >= 0.5)))
    return float(np.mean(out.argmax(axis=1) == y))


def _init_params(model, d, c, hidden, rng, init):
    if model in ("linear", "logistic"):
        p = {"w": np.zeros(d), "b": np.zeros(())}
    elif model in ("softmax", "hinge"):
        p = {"W": np.zeros((d, c)), "b": np.zeros(c)}
    else:
        p = {"W1": rng.standard_normal((d, hidden)) / np.sqrt(d), "b1": np.zeros(hidden),
             "W2": rng.standard_normal((hidden, c)) / np.sqrt(hidden), "b2": np.zeros(c)}
    if init is not None:
        if not isinstance(init, dict):
            raise TypeError(f"init must be a dict of parameter arrays, got {type(init).__name__}")
        for key, val in init.items():
            if key not in p:
                raise ValueError(f"init has unknown parameter {key!r}; expected keys {sorted(p)}")
            arr = _v.as_float_array(val, f"init[{key!r}]", allow_empty=True)
            if arr.shape != p[key].shape:
                raise ValueError(
                    f"init[{key!r}] must have shape {_v._fmt_shape(p[key].shape)}, got {_v._fmt_shape(arr.shape)}"
                )
            _v.check_finite(arr, f"init[{key!r}]")
            p[key] = arr.copy()
    return p


def train(X, y, *, model="logistic", loss=None, lr=0.1, epochs=100, weight_decay=0.0,
          batch_size=None, seed=0, init=None, hidden=16, activation="tanh", n_classes=None,
          delta=1.0, margin=1.0):
    r"""Fit a small model by gradient descent and record the training curve.

    Each step moves the parameters against the gradient of

    .. math::

       J(\theta) = \frac1N \sum_i \ell\bigl(y_i, f_\theta(x_i)\bigr)
       + \frac{\lambda}{2} \lVert W \rVert^2

    (``lambda`` = ``weight_decay``, applied to weights, not biases):
    :math:`\theta \leftarrow \theta - \eta \nabla J`.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Finite features.
    y : array_like, shape (N,)
        Real targets (linear), 0/1 labels or soft targets in [0, 1]
        (logistic), or integer labels in ``[0, C)`` (other models).
    model : {"linear", "logistic", "softmax", "hinge", "two_layer"}
        Which model to fit.
    loss : {"cross_entropy", "mse", "mae", "huber", "hinge"}, optional
        Default depends on the model (see the module docstring).
    lr : float, default 0.1
        Learning rate :math:`\eta`.
    epochs : int, default 100
        Number of passes over the data.
    weight_decay : float, default 0.0
        L2 penalty coefficient on the weights.
    batch_size : int, optional
        ``None``: full batch. Otherwise mini-batches from a seeded permutation
        per epoch.
    seed : int, default 0
        Seeds the initial weights (two_layer) and the mini-batch order.
    init : dict, optional
        Initial parameters (any subset of the keys; copied, never modified),
        e.g. large weights to start from saturation.
    hidden : int, default 16
        Hidden units (two_layer).
    activation : {"tanh", "sigmoid"}, default "tanh"
        Hidden activation (two_layer).
    n_classes : int, optional
        Default ``max(y) + 1`` (at least 2).
    delta, margin : float
        Huber threshold and hinge margin.

    Returns
    -------
    History
        ``.loss`` and ``.accuracy`` of shape (epochs + 1,), ``.params``, and
        ``predict`` / ``predict_proba`` / ``decision_function``.

    Notes
    -----
    Deterministic: the same arguments give bit-identical histories. Default
    initial weights are zeros for the linear models and scaled Gaussians
    (:math:`\mathcal N(0, 1/\text{fan-in})`) for two_layer.

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import demos
    >>> X, y = demos.make_blobs(30, 3, seed=0)
    >>> h = demos.train(X, y, model="softmax", lr=0.5, epochs=50)
    >>> h.loss.shape, bool(h.loss[-1] < h.loss[0]), bool(h.accuracy[-1] > 0.9)
    ((51,), True, True)
    """
    if model not in _MODELS:
        raise ValueError(f"model must be one of {', '.join(map(repr, _MODELS))}, got {model!r}")
    loss = _DEFAULT_LOSS[model] if loss is None else loss
    if loss not in _ALLOWED[model]:
        raise ValueError(f"loss for model={model!r} must be one of {', '.join(map(repr, _ALLOWED[model]))}, got {loss!r}")
    if activation not in ("tanh", "sigmoid"):
        raise ValueError(f"activation must be 'tanh' or 'sigmoid', got {activation!r}")
    lr = _v.check_positive_scalar(lr, "lr")
    wd = _v.check_positive_scalar(weight_decay, "weight_decay", allow_zero=True)
    epochs = _v.check_int(epochs, "epochs", minimum=0)
    hidden = _v.check_int(hidden, "hidden")
    delta = _v.check_positive_scalar(delta, "delta")
    margin = _v.check_positive_scalar(margin, "margin")
    rng = np.random.default_rng(_v.check_seed(seed))

    Xa = _v.as_float_array(X, "X", ndim=2)
    _v.check_finite(Xa, "X")
    n, d = Xa.shape
    T = None
    c = None
    if model == "linear":
        ya = _v.as_float_array(y, "y", ndim=1)
        _v.check_finite(ya, "y")
    elif model == "logistic":
        ya = _v.as_float_array(y, "y", ndim=1)
        _v.check_range(ya, "y", 0.0, 1.0, "targets")
    else:
        ya = _v.check_labels(y, "y", None if n_classes is None else _v.check_n_classes(n_classes))
        c = max(int(ya.max()) + 1, 2) if n_classes is None else int(n_classes)
        T = np.eye(c)[ya]
    if ya.shape[0] != n:
        raise ValueError(f"X and y must have the same number of samples, got {n} rows in X and {ya.shape[0]} in y")
    if batch_size is not None:
        batch_size = _v.check_int(batch_size, "batch_size")

    params = _init_params(model, d, c, hidden, rng, init)
    opts = {"delta": delta, "margin": margin}
    weights = [k for k in params if k in ("w", "W", "W1", "W2")]

    def evaluate():
        out, _ = _forward(model, params, Xa, activation)
        return _loss_and_grad(model, loss, out, ya, T, opts)[0], _accuracy(model, out, ya)

    losses = np.empty(epochs + 1)
    accs = np.empty(epochs + 1)
    losses[0], accs[0] = evaluate()
    for epoch in range(1, epochs + 1):
        if batch_size is None or batch_size >= n:
            batches = [slice(None)]
        else:
            perm = rng.permutation(n)
            batches = [perm[i:i + batch_size] for i in range(0, n, batch_size)]
        for idx in batches:
            Xb, yb = Xa[idx], ya[idx]
            Tb = None if T is None else T[idx]
            out, H = _forward(model, params, Xb, activation)
            _, g = _loss_and_grad(model, loss, out, yb, Tb, opts)
            grads = {}
            if model in ("linear", "logistic"):
                grads["w"], grads["b"] = Xb.T @ g, np.asarray(g.sum())
            elif model in ("softmax", "hinge"):
                grads["W"], grads["b"] = Xb.T @ g, g.sum(axis=0)
            else:
                grads["W2"], grads["b2"] = H.T @ g, g.sum(axis=0)
                gH = g @ params["W2"].T
                gA = gH * (1.0 - H * H) if activation == "tanh" else gH * H * (1.0 - H)
                grads["W1"], grads["b1"] = Xb.T @ gA, gA.sum(axis=0)
            for k in params:
                step = grads[k] + wd * params[k] if (wd and k in weights) else grads[k]
                params[k] = params[k] - lr * step
        losses[epoch], accs[epoch] = evaluate()
    return History(loss=losses, accuracy=accs, params=params, model=model, loss_name=loss,
                   activation=activation, n_classes=c,
                   options={"lr": lr, "epochs": epochs, "weight_decay": wd, "batch_size": batch_size,
                            "seed": seed, "delta": delta, "margin": margin, "hidden": hidden})
