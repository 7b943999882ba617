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


def _show(value) -> str:
    """``type value`` for a message: one line, at most about 100 characters."""
    text = " ".join(repr(value).split())
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_not_masked(x, name: str) -> None:
    """Refuse numpy masked arrays (their mask would be silently dropped)."""
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"{name} must be a plain array, got a numpy masked array (lossbook ignores no "
            f"entries silently); select the unmasked entries first, e.g. {name}[~{name}.mask] "
            f"or {name}.compressed()"
        )


def to_array(x, name: str, what: str = "a numeric array") -> np.ndarray:
    """``np.asarray(x)`` with the argument named on failure.

    TypeError for str/bytes/None, masked arrays and ragged nested sequences.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be {what}, got {_show(x)}")
    check_not_masked(x, name)
    try:
        return np.asarray(x)
    except (ValueError, TypeError):  # ragged nested lists etc.
        raise TypeError(
            f"{name} must be {what} of a regular shape, got a ragged (inhomogeneous) "
            f"nested {type(x).__name__}"
        ) from None


def as_float_array(x, name: str, *, ndim=None, min_ndim=0, allow_empty=False, allow_bool=True) -> np.ndarray:
    """Convert ``x`` to a float64 ndarray (no copy if it already is one).

    Raises TypeError for non-numeric input (and masked arrays) and ValueError
    for wrong rank or empty input. The result may share memory with ``x``:
    callers never write into it.
    """
    arr = to_array(x, name)
    if not allow_bool and arr.dtype.kind == "b":
        raise TypeError(f"{name} must be a real number or array, got {_show(x)}"[:300])
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


def _row_str(row: np.ndarray, limit: int = 8) -> str:
    """A row for an error message, abbreviated beyond ``limit`` entries."""
    vals = row.tolist()
    if len(vals) <= limit:
        return str(vals)
    return "[" + ", ".join(repr(v) for v in vals[:limit]) + f", ...] ({len(vals)} entries)"


def _first_bad(mask: np.ndarray):
    idx = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return tuple(int(i) for i in idx)


def _index_str(idx) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]"


def _where(bad: np.ndarray, idx) -> str:
    """`` at index [i, j]`` (nothing for a 0-d array) and ``(and K more)``."""
    if bad.ndim == 0:
        return ""
    more = int(np.count_nonzero(bad)) - 1
    return f" at index {_index_str(idx)}" + (f" (and {more} more)" if more > 0 else "")


def _more_rows(bad: np.ndarray) -> str:
    """`` (and K more rows)`` after the first bad row of a message (nothing if it is the only one)."""
    more = int(np.count_nonzero(bad)) - 1
    return f" (and {more} more row{'s' if more > 1 else ''})" if more > 0 else ""


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ValueError if ``arr`` holds NaN or +-inf (two streaming passes)."""
    lo = arr.min()
    hi = arr.max()
    if np.isfinite(lo) and np.isfinite(hi):
        return
    bad = ~np.isfinite(arr)
    idx = _first_bad(bad)
    raise ValueError(f"{name} must be finite, got {float(arr[idx])!r}{_where(bad, idx)}")


def check_range(arr: np.ndarray, name: str, lo: float, hi: float, what: str = "values"):
    """Raise ValueError unless every entry is in ``[lo, hi]`` (no NaN).

    Returns ``(min, max)`` of ``arr`` so callers can pick fast paths.
    """
    amin = arr.min()
    amax = arr.max()
    if np.isnan(amin) or np.isnan(amax):
        bad = np.isnan(arr)
        idx = _first_bad(bad)
        raise ValueError(f"{name} must not contain NaN, got nan{_where(bad, idx)}")
    if amin < lo or amax > hi:
        bad = (arr < lo) | (arr > hi)
        idx = _first_bad(bad)
        raise ValueError(f"{name} must be {what} in [{lo:g}, {hi:g}], got {float(arr[idx])!r}{_where(bad, idx)}")
    return float(amin), float(amax)


def row_sum_tol(x, n_cols: int) -> float:
    """Tolerance on ``|row sum - 1|`` for input ``x`` (before conversion to float64).

    ``ROW_SUM_ATOL`` for float64 (and lists, ints); for a less precise float
    dtype (float16, float32) at least ``n_cols`` times its machine epsilon, since
    rows rounded to that dtype cannot sum to 1 more closely than that.
    """
    dt = getattr(x, "dtype", None)
    if dt is not None and np.dtype(dt).kind == "f" and np.dtype(dt).itemsize < 8:
        return max(ROW_SUM_ATOL, n_cols * float(np.finfo(dt).eps))
    return ROW_SUM_ATOL


def check_rows_sum_to_one(arr: np.ndarray, name: str, *, hint: str = "", tol: float | None = None,
                          dtype=None) -> np.ndarray:
    """Raise ValueError unless every row (last axis) sums to 1 within ``tol``.

    ``tol`` defaults to ROW_SUM_ATOL; ``dtype`` (the caller's input dtype, if
    less precise than float64) is named in the message. Returns the row sums.
    """
    tol = ROW_SUM_ATOL if tol is None else tol
    # (rows, C) @ ones: a BLAS matrix-vector product, much faster than
    # arr.sum(axis=-1) for short rows.
    sums = (arr.reshape(-1, arr.shape[-1]) @ np.ones(arr.shape[-1])).reshape(arr.shape[:-1])
    dev = np.abs(sums - 1.0)
    if dev.size and not (dev.max() <= tol):
        idx = _first_bad(~(dev <= tol)) if sums.ndim else ()
        row = idx[0] if len(idx) == 1 else (idx if idx else 0)
        s = float(sums[idx]) if sums.ndim else float(sums)
        tol_s = f"tolerance {tol:g}"
        if dtype is not None and np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize < 8:
            tol_s += f", scaled to the precision of the {np.dtype(dtype)} input"
        more = _more_rows(~(dev <= tol)) if sums.ndim else ""
        raise ValueError(f"{name} rows must sum to 1 (row {row} sums to {s:.10g}{more}; {tol_s}){hint}")
    return sums


def check_probabilities(p, name: str, *, min_ndim=1, ndim=None, rows_sum_to_one=True, hint="") -> np.ndarray:
    """Probability vectors along the last axis: finite, in [0, 1], rows sum to 1."""
    arr = as_float_array(p, name, min_ndim=min_ndim, ndim=ndim)
    check_range(arr, name, 0.0, 1.0, "probabilities")
    if rows_sum_to_one:
        check_rows_sum_to_one(arr, name, hint=hint, tol=row_sum_tol(p, arr.shape[-1]),
                              dtype=getattr(p, "dtype", None))
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError unless shapes are identical (no silent broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {name_a} {_fmt_shape(a.shape)} "
            f"and {name_b} {_fmt_shape(b.shape)}"
        )


def check_choice(value, name: str, allowed) -> str:
    """A string option: TypeError for a non-string, ValueError naming the allowed values."""
    options = ", ".join(map(repr, allowed))
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {options}; got {_show(value)}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def check_reduction(reduction) -> str:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be one of 'mean', 'sum' or 'none', got {reduction!r}"
        )
    return reduction


def check_positive_scalar(value, name: str, *, allow_zero=False, upper=None, upper_open=False) -> float:
    """A real finite scalar > 0 (or >= 0); optionally below ``upper``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)}")
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


def check_real(value, name: str) -> float:
    """A real finite scalar (not a bool, not a masked or other array)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)}"[:300])
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def check_eps(eps) -> float | None:
    if eps is None:
        return None
    return check_positive_scalar(eps, "eps", upper=0.5, upper_open=True)


def check_base(base) -> float | None:
    """``None`` (nats) or a real finite base > 1. Returns log(base) or None.

    A base in (0, 1) would flip the sign of every entropy and divergence (and
    break KL >= 0); a base of 1 divides by log 1 = 0.
    """
    if base is None:
        return None
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a real number, got {_show(base)}")
    b = float(base)
    if not (np.isfinite(b) and b > 1.0):
        raise ValueError(f"base must be a finite number > 1 (e.g. 2 for bits, e for nats), got {base!r}")
    return float(np.log(b))


def check_labels(y, name: str, n_classes: int | None = None, *, ndim=1) -> np.ndarray:
    """Integer class labels in ``[0, n_classes)``; returns an intp array.

    Float arrays are accepted only if every value is integral (e.g. ``1.0``).
    """
    arr = to_array(y, name, "an array of integer labels")
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
            raise ValueError(f"{name} must hold integer class labels, got {float(arr[idx])!r}{_where(bad, idx)}")
    lo = arr.min()
    hi = arr.max()
    if lo < 0 or (n_classes is not None and hi >= n_classes):
        bad = (arr < 0) if n_classes is None else ((arr < 0) | (arr >= n_classes))
        idx = _first_bad(bad)
        rng = "non-negative" if n_classes is None else f"in [0, {n_classes - 1}] (n_classes={n_classes})"
        v = arr[idx]
        what = name if name.endswith("labels") else f"{name} labels"
        raise ValueError(f"{what} must be {rng}, got {v.item()!r}{_where(bad, idx)}")
    return arr.astype(np.intp, copy=False)


def labels_from_targets(y_true, name: str, n: int, c: int, *, other: str, one_hot: str = "strict") -> np.ndarray:
    """Class labels from integer labels (N,) or from rows (N, C) of a target matrix.

    ``one_hot="strict"`` requires exactly one 1 per row (rest 0); ``"argmax"`` takes each
    row's arg-max (soft targets allowed). ``other`` names the prediction argument in
    messages; ``n`` and ``c`` are its number of rows and classes.
    """
    arr = to_array(y_true, name, "integer labels or one-hot rows")
    if arr.ndim == 2 and arr.dtype.kind in "biuf":
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
                    f"row {row} is {_row_str(arr[row])}{_more_rows(~ok)}"
                )
        else:
            check_finite(arr.astype(float, copy=False), name)
            # the arg-max must be unambiguous: a row with two (or more) maximal
            # entries (a "two-hot" row) names no single class
            top = arr.max(axis=1)
            ties = (arr == top[:, None]).sum(axis=1) > 1
            if ties.any():
                row = int(np.argmax(ties))
                raise ValueError(
                    f"{name} given as a 2-D array must have one largest entry per row (one-hot or "
                    f"target rows), row {row} is {_row_str(arr[row])}{_more_rows(ties)}"
                )
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
        raise TypeError(f"{name} must be an integer, got {_show(n_classes)}")
    if n_classes < 1:
        raise ValueError(f"{name} must be >= 1, got {n_classes!r}")
    return int(n_classes)


def check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {_show(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return int(seed)


def check_int(value, name: str, *, minimum=1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_fraction(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)}")
    v = float(value)
    if not (0.0 <= v <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return v


#: Extended precision for sums, if the platform has it (x86: 64-bit mantissa).
_LD = np.longdouble if np.finfo(np.longdouble).nmant >= 63 else None


class Accumulator:
    """Sum of many float64 values within about 1 ulp of the exact sum.

    Blocks are added in extended precision (x86 ``long double``: 11 more bits
    and a far wider range, so a sum of huge finite terms does not overflow
    before the mean is taken). When the terms cancel too much for that to be
    enough (mixed signs), the exactly rounded ``math.fsum`` of the values is
    used instead; ``refetch`` returns the values again for that.
    """

    def __init__(self):
        self.total = _LD(0) if _LD is not None else 0.0
        self.abs_total = 0.0
        self.mixed = False
        self.n_terms = 0

    def add(self, block: np.ndarray) -> None:
        # contiguous: numpy sums a strided array in another order (the last bit would
        # depend on the caller's memory layout)
        block = np.ascontiguousarray(block).reshape(-1)
        self.n_terms += block.size
        if _LD is None:
            self.mixed = True
            return
        self.total += block.sum(dtype=_LD)
        if not self.mixed and block.size and block.min() < 0:
            self.mixed = True

    def result(self, divisor: float, refetch) -> float:
        """``sum / divisor`` rounded once to float64."""
        if _LD is not None and not np.isfinite(self.total):
            return float(self.total / _LD(divisor))  # an infinite term: nothing to round
        if self.mixed:
            import math

            if _LD is not None:
                # pairwise long-double sum: error <= (20 + log2 n) * 2**-64 * sum|x|;
                # good enough if that is below a quarter ulp of the result
                s = float(self.total)
                depth = 20.0 + float(np.log2(max(self.n_terms, 2)))
                abs_total = sum(float(np.abs(b).sum(dtype=_LD)) for b in refetch())
                if abs_total * depth * 2.0 ** -64 <= 0.25 * np.spacing(abs(s)):
                    return float(self.total / _LD(divisor)) + 0.0
            vals = np.concatenate([b.reshape(-1) for b in refetch()])
            if vals.dtype != np.float64:  # long-double terms beyond the float range: their long-double sum
                with np.errstate(over="ignore"):
                    return float(self.total / _LD(divisor)) + 0.0
            try:
                return math.fsum(vals) / divisor + 0.0
            except OverflowError:  # the exact sum exceeds the float64 range
                try:
                    return math.fsum(vals / divisor) + 0.0
                except OverflowError:  # and so does the mean: +-inf, with its sign
                    return (math.fsum(vals * 0.5) / divisor) * 2.0 + 0.0
        return float(self.total / _LD(divisor)) + 0.0


def accurate_sum(x: np.ndarray, divisor: float = 1.0) -> float:
    """``sum(x) / divisor`` within about 1 ulp of the exact value (see Accumulator)."""
    acc = Accumulator()
    acc.add(x)
    return acc.result(divisor, lambda: [x])


def reduce(per_sample: np.ndarray, reduction: str):
    """Apply an already-validated reduction over samples (axis 0).

    ``"sum"`` and ``"mean"`` are within about 1 ulp of the exact sum (mean) of
    the ``"none"`` values, and finite whenever that exact value is.
    """
    if reduction == "mean":
        return np.float64(accurate_sum(per_sample, per_sample.shape[0]))
    if reduction == "sum":
        return np.float64(accurate_sum(per_sample))
    return per_sample


def mean_and_spread(a: np.ndarray, b: np.ndarray | None = None, *, ddof: int = 0):
    """Mean of ``d = a - b`` (or of ``a``) and ``sqrt(sum((d - mean)^2) / (n - ddof))``.

    Finite whenever the exact values are: differences and squares that would
    overflow are formed from halves and scaled by the largest deviation.
    """
    scale = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        d = a if b is None else a - b
        if not np.isfinite(d).all():
            d = a * 0.5 - (0.0 if b is None else b * 0.5)
            scale = 2.0
        mu = accurate_sum(d, d.size)
        dev = d - mu
        if not np.isfinite(dev).all():
            dev = d * 0.5 - mu * 0.5
            d_scale = 2.0
        else:
            d_scale = 1.0
    m = float(np.abs(dev).max()) if dev.size else 0.0
    if m == 0.0:
        spread = 0.0
    else:
        u = dev / m
        spread = m * float(np.sqrt(accurate_sum(u * u, d.size - ddof)))
    with np.errstate(over="ignore"):
        return float(mu * scale), float(spread * d_scale * scale)


def sum_sq_weighted(r: np.ndarray, w: np.ndarray | None = None) -> float:
    """``sum(r**2 * w)`` without a spurious overflow of ``r**2`` (scaled by max |r|)."""
    if w is not None and not w.all():  # a huge r of weight 0 must not set the scale
        keep = w != 0
        r, w = r[keep], w[keep]
    m = float(np.abs(r).max()) if r.size else 0.0
    if m == 0.0:
        return 0.0
    u = r / m
    s = accurate_sum(u * u if w is None else u * u * w)
    if s == 0.0:
        return 0.0
    with np.errstate(over="ignore"):
        return float((s * m) * m)
