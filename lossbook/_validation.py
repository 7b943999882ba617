"""Input validation shared by every public function (private module).

Every public function of :mod:`lossbook` validates its arguments once, at the
boundary, through the helpers below, and then works on float64 arrays it never
writes into. Checks are vectorised and streaming (``min``/``max``/row sums), so
they cost a few passes over the data and no large temporaries.

Errors name the argument, what was received and what was expected:

- :class:`TypeError` for non-numeric input (strings, objects, complex, None);
- :class:`ValueError` for everything else (shape, rank, range, NaN/inf,
  normalisation, labels, options).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []  # private module

#: Absolute tolerance on ``|row sum - 1|`` for probability rows (and soft
#: target rows). Rows outside it raise ``ValueError`` unless the function
#: offers ``normalize=True``.
ROW_SUM_ATOL = 1e-6

_REDUCTIONS = ("mean", "sum", "none")


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def as_float_array(x, name: str, *, ndim=None, min_ndim=0, allow_empty=False) -> np.ndarray:
    """Convert ``x`` to a float64 ndarray (no copy if it already is one).

    Raises TypeError for non-numeric input and ValueError for wrong rank or
    empty input. The result may share memory with ``x``: callers never write
    into it.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__} {x!r}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists etc.
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__} ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a numeric (bool, integer or real float) array, "
            f"got dtype {arr.dtype}"
        )
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array, got a {arr.ndim}-D array of shape {_fmt_shape(arr.shape)}"
        )
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimension(s), got a {arr.ndim}-D array "
            f"of shape {_fmt_shape(arr.shape)}"
        )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must be non-empty, got an empty array of shape {_fmt_shape(arr.shape)}")
    if arr.ndim >= 1 and 0 in arr.shape and not allow_empty:
        raise ValueError(f"{name} must be non-empty, got shape {_fmt_shape(arr.shape)}")
    return np.asarray(arr, dtype=np.float64)


def _first_bad(mask: np.ndarray):
    idx = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return tuple(int(i) for i in idx)


def _index_str(idx) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]"


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ValueError if ``arr`` holds NaN or +-inf (two streaming passes)."""
    lo = arr.min()
    hi = arr.max()
    if np.isfinite(lo) and np.isfinite(hi):
        return
    bad = ~np.isfinite(arr)
    idx = _first_bad(bad)
    raise ValueError(
        f"{name} must be finite, got {float(arr[idx])!r} at index {_index_str(idx)}"
    )


def check_range(arr: np.ndarray, name: str, lo: float, hi: float, what: str = "values"):
    """Raise ValueError unless every entry is in ``[lo, hi]`` (no NaN).

    Returns ``(min, max)`` of ``arr`` so callers can pick fast paths.
    """
    amin = arr.min()
    amax = arr.max()
    if np.isnan(amin) or np.isnan(amax):
        idx = _first_bad(np.isnan(arr))
        raise ValueError(f"{name} must not contain NaN, got nan at index {_index_str(idx)}")
    if amin < lo or amax > hi:
        bad = (arr < lo) | (arr > hi)
        idx = _first_bad(bad)
        raise ValueError(
            f"{name} must be {what} in [{lo:g}, {hi:g}], got {float(arr[idx])!r} at index {_index_str(idx)}"
        )
    return float(amin), float(amax)


def check_rows_sum_to_one(arr: np.ndarray, name: str, *, hint: str = "") -> np.ndarray:
    """Raise ValueError unless every row (last axis) sums to 1 within ROW_SUM_ATOL.

    Returns the row sums.
    """
    # (rows, C) @ ones: a BLAS matrix-vector product, much faster than
    # arr.sum(axis=-1) for short rows.
    sums = (arr.reshape(-1, arr.shape[-1]) @ np.ones(arr.shape[-1])).reshape(arr.shape[:-1])
    dev = np.abs(sums - 1.0)
    if dev.size and not (dev.max() <= ROW_SUM_ATOL):
        idx = _first_bad(~(dev <= ROW_SUM_ATOL)) if sums.ndim else ()
        row = idx[0] if len(idx) == 1 else (idx if idx else 0)
        s = float(sums[idx]) if sums.ndim else float(sums)
        raise ValueError(
            f"{name} rows must sum to 1 (row {row} sums to {s:.10g}; tolerance {ROW_SUM_ATOL:g}){hint}"
        )
    return sums


def check_probabilities(p, name: str, *, min_ndim=1, ndim=None, rows_sum_to_one=True, hint="") -> np.ndarray:
    """Probability vectors along the last axis: finite, in [0, 1], rows sum to 1."""
    arr = as_float_array(p, name, min_ndim=min_ndim, ndim=ndim)
    check_range(arr, name, 0.0, 1.0, "probabilities")
    if rows_sum_to_one:
        check_rows_sum_to_one(arr, name, hint=hint)
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError unless shapes are identical (no silent broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {name_a} {_fmt_shape(a.shape)} "
            f"and {name_b} {_fmt_shape(b.shape)}"
        )


def check_reduction(reduction) -> str:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be one of 'mean', 'sum' or 'none', got {reduction!r}"
        )
    return reduction


def check_positive_scalar(value, name: str, *, allow_zero=False, upper=None, upper_open=False) -> float:
    """A real finite scalar > 0 (or >= 0); optionally below ``upper``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    ok = np.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    if ok and upper is not None:
        ok = v < upper if upper_open else v <= upper
    if not ok:
        rng = ">= 0" if allow_zero else "> 0"
        if upper is not None:
            rng += f" and {'<' if upper_open else '<='} {upper:g}"
        raise ValueError(f"{name} must be a finite number {rng}, got {value!r}")
    return v


def check_eps(eps) -> float | None:
    if eps is None:
        return None
    return check_positive_scalar(eps, "eps", upper=0.5, upper_open=True)


def check_base(base) -> float | None:
    """``None`` (nats) or a real base > 0, != 1. Returns log(base) or None."""
    if base is None:
        return None
    b = check_positive_scalar(base, "base")
    if b == 1.0:
        raise ValueError("base must be a positive number other than 1 (e.g. 2 for bits), got 1")
    return float(np.log(b))


def check_labels(y, name: str, n_classes: int | None = None, *, ndim=1) -> np.ndarray:
    """Integer class labels in ``[0, n_classes)``; returns an intp array.

    Float arrays are accepted only if every value is integral (e.g. ``1.0``).
    """
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name} must be an array of integer labels, got {type(y).__name__} {y!r}")
    arr = np.asarray(y)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of integer labels, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array of integer labels, got a {arr.ndim}-D array "
            f"of shape {_fmt_shape(arr.shape)}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {_fmt_shape(arr.shape)}")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            idx = _first_bad(bad)
            raise ValueError(
                f"{name} must hold integer class labels, got {float(arr[idx])!r} at index {_index_str(idx)}"
            )
    lo = arr.min()
    hi = arr.max()
    if lo < 0 or (n_classes is not None and hi >= n_classes):
        bad = (arr < 0) if n_classes is None else ((arr < 0) | (arr >= n_classes))
        idx = _first_bad(bad)
        rng = "non-negative" if n_classes is None else f"in [0, {n_classes - 1}] (n_classes={n_classes})"
        v = arr[idx]
        raise ValueError(f"{name} labels must be {rng}, got {v.item()!r} at index {_index_str(idx)}")
    return arr.astype(np.intp, copy=False)


def labels_from_targets(y_true, name: str, n: int, c: int, *, other: str, one_hot: str = "strict") -> np.ndarray:
    """Class labels from integer labels (N,) or from rows (N, C) of a target matrix.

    ``one_hot="strict"`` requires exactly one 1 per row (rest 0); ``"argmax"`` takes each
    row's arg-max (soft targets allowed). ``other`` names the prediction argument in
    messages; ``n`` and ``c`` are its number of rows and classes.
    """
    arr = np.asarray(y_true) if not isinstance(y_true, (str, bytes)) and y_true is not None else None
    if arr is not None and arr.ndim == 2 and arr.dtype.kind in "biuf":
        if arr.shape != (n, c):
            raise ValueError(
                f"{name} (one-hot rows) must have the same shape as {other}, got {name} "
                f"{_fmt_shape(arr.shape)} and {other} {_fmt_shape((n, c))}"
            )
        if one_hot == "strict":
            ok = ((arr == 0) | (arr == 1)).all(axis=1) & (arr.sum(axis=1) == 1)
            if not ok.all():
                row = int(np.argmax(~ok))
                raise ValueError(
                    f"{name} given as a 2-D array must be one-hot rows (exactly one 1, rest 0), "
                    f"row {row} is {arr[row].tolist()}"
                )
        else:
            check_finite(arr.astype(float, copy=False), name)
        return arr.argmax(axis=1).astype(np.intp)
    return check_labels_for(y_true, name, n, c, other=other)


def check_labels_for(y_true, name: str, n: int, c: int, *, other: str) -> np.ndarray:
    """Integer labels in ``[0, c)``, one for each of the ``n`` rows of ``other``."""
    labels = check_labels(y_true, name, c)
    if labels.shape[0] != n:
        raise ValueError(
            f"{name} and {other} must have the same number of samples, got {labels.shape[0]} "
            f"labels and {n} rows in {other}"
        )
    return labels


def check_n_classes(n_classes, name="n_classes") -> int:
    if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(n_classes).__name__} {n_classes!r}")
    if n_classes < 1:
        raise ValueError(f"{name} must be >= 1, got {n_classes!r}")
    return int(n_classes)


def check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return int(seed)


def check_int(value, name: str, *, minimum=1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_fraction(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not (0.0 <= v <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return v


def reduce(per_sample: np.ndarray, reduction: str):
    """Apply an already-validated reduction over samples (axis 0)."""
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    return per_sample
