r"""Central-difference numerical gradients, the oracle for every ``_grad``."""

from __future__ import annotations

import numpy as np

from . import _validation as _v

__all__ = ["numerical_gradient"]

_EPS = float(np.finfo(np.float64).eps)


def numerical_gradient(f, x, *, h=None):
    r"""Gradient of a scalar function by central differences.

    .. math::

       \frac{\partial f}{\partial x_i} \approx
       \frac{f(x + h_i e_i) - f(x - h_i e_i)}{2 h_i}

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; called ``2 * x.size`` times, each time with a fresh
        float64 copy of ``x`` (so ``f`` may keep or modify its argument).
    x : array_like, any shape
        Finite point at which to differentiate.
    h : float, optional
        Relative step. Default ``eps ** (1/3) ~ 6.1e-6``, which balances
        truncation and rounding error for central differences. The step for
        entry ``i`` is ``h * max(1, |x_i|)``.

    Returns
    -------
    ndarray, same shape as ``x``
        The estimated gradient (float64). ``x`` is never modified.

    Notes
    -----
    The error is :math:`O(h^2 f''')` plus :math:`O(\epsilon |f| / h)`; expect
    about 10 correct digits for smooth ``f``. At kinks (e.g. ``|r|`` at 0) the
    estimate is the average of the one-sided slopes.

    Examples
    --------
    >>> import numpy as np
    >>> import lossbook as lb
    >>> g = lb.numerical_gradient(lambda v: float(np.sum(v ** 2)), [1.0, -2.0])
    >>> [round(float(v), 6) for v in g]
    [2.0, -4.0]
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x0 = _v.as_float_array(x, "x")
    _v.check_finite(x0, "x")
    if h is None:
        h = _EPS ** (1.0 / 3.0)
    else:
        h = _v.check_positive_scalar(h, "h")
    base = np.array(x0, dtype=np.float64, copy=True)
    flat = base.reshape(-1)
    grad = np.empty(flat.size)
    for i in range(flat.size):
        xi = flat[i]
        step = h * max(1.0, abs(xi))
        up, down = xi + step, xi - step
        flat[i] = up
        fp = f(base.copy())
        flat[i] = down
        fm = f(base.copy())
        flat[i] = xi
        try:
            fp, fm = float(fp), float(fm)
        except (TypeError, ValueError):
            raise TypeError(f"f must return a scalar, got {type(fp).__name__} of shape {np.shape(fp)}") from None
        grad[i] = (fp - fm) / (up - down)
    return grad.reshape(x0.shape)
