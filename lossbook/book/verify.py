"""Verified equations: check a labelled equation numerically, in an executed cell.

Every displayed equation in the book carries a label (``:label: ce-def``) and at
least one executed cell that evaluates its two sides by independent routes and
calls :func:`verify`. The book's Sphinx extension (``_ext/lossbook_sphinx.py``)
then

* fails the build for a displayed equation with no label, or with no passing
  verification in an executed cell;
* fails the build when a verification disagrees (the cell raises
  :class:`EquationMismatch`, naming the label, both values and the tolerance);
* shows the reader a "verified" mark beside the equation, with the values that
  were checked and a link to the cell that checked them.

Two sides agree when, element by element,

.. math::

    |a - b| \\le \\mathrm{atol} + \\mathrm{rtol}\\,\\max(|a|, |b|),

with infinities equal only to infinities of the same sign and NaN never equal
to anything (a NaN is a failed check, not a pass).

Examples
--------
>>> import numpy as np
>>> import lossbook as lb
>>> from lossbook import book
>>> p = np.array([0.2, 0.8])
>>> v = book.compare(-np.sum(p * np.log(p)), lb.entropy(p), rtol=1e-14)
>>> v.passed
True
>>> book.compare(1.0, 1.1, rtol=1e-3).passed
False
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["EquationMismatch", "Verification", "compare", "verify"]

#: The directive name that the book's Sphinx extension registers.
DIRECTIVE = "lossbook-verification"

_LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
_MAX_RTOL = 0.25
_SHOWN = 6


class EquationMismatch(AssertionError):
    """The two sides of a labelled equation disagree beyond the stated tolerance."""


@dataclass
class Verification:
    """The outcome of comparing the two sides of an equation.

    Attributes
    ----------
    label : str or None
        The equation label (``None`` for a bare :func:`compare`).
    lhs, rhs : numpy.ndarray
        The two sides, as float arrays of the same shape.
    rtol, atol : float
        The tolerance used.
    passed : bool
        Whether every element agrees.
    max_abs_diff, max_rel_diff : float
        The largest absolute and relative differences over the finite elements.
    how : str
        A short description of the two routes, for the reader.
    """

    label: str | None
    lhs: np.ndarray
    rhs: np.ndarray
    rtol: float
    atol: float
    passed: bool
    max_abs_diff: float
    max_rel_diff: float
    how: str = ""
    _displayed: bool = field(default=False, repr=False, compare=False)

    # -- what the reader sees ------------------------------------------------
    def summary(self) -> str:
        """One line: the label, both sides, the largest difference, the tolerance."""
        mark = "verified" if self.passed else "FAILED"
        return (
            f"{mark} [{self.label}]: lhs = {_fmt_values(self.lhs)}, "
            f"rhs = {_fmt_values(self.rhs)}; max |lhs - rhs| = {self.max_abs_diff:.3g} "
            f"(rtol = {self.rtol:g}, atol = {self.atol:g})"
        )

    def record(self) -> dict:
        """A JSON-serialisable record, read by the book's Sphinx extension."""
        return {
            "label": self.label,
            "passed": bool(self.passed),
            "shape": list(self.lhs.shape),
            "n": int(self.lhs.size),
            "lhs": _fmt_values(self.lhs),
            "rhs": _fmt_values(self.rhs),
            "max_abs_diff": _json_float(self.max_abs_diff),
            "max_rel_diff": _json_float(self.max_rel_diff),
            "rtol": self.rtol,
            "atol": self.atol,
            "how": self.how,
        }

    def _repr_html_(self) -> str:
        rec = self.record()
        status = "&#10003; verified" if self.passed else "&#10007; failed"
        how = f"<br><em>{html.escape(self.how)}</em>" if self.how else ""
        return (
            f'<div class="lossbook-verification" style="border-left:4px solid '
            f'{"#2e7d32" if self.passed else "#c62828"};padding:0.3em 0.8em;">'
            f"<strong>{status}</strong> equation <code>{html.escape(str(self.label))}</code>"
            f" ({rec['n']} value{'s' if rec['n'] != 1 else ''}){how}<br>"
            f"lhs = <code>{html.escape(rec['lhs'])}</code><br>"
            f"rhs = <code>{html.escape(rec['rhs'])}</code><br>"
            f"max |lhs &minus; rhs| = {self.max_abs_diff:.3g}; "
            f"tolerance rtol = {self.rtol:g}, atol = {self.atol:g}</div>"
        )

    def _repr_markdown_(self) -> str:
        return f"```{{{DIRECTIVE}}} {self.label}\n{json.dumps(self.record())}\n```\n"

    def _ipython_display_(self) -> None:
        # Displayed once: ``verify`` shows itself, so a trailing expression
        # ``book.verify(...)`` in a cell must not show the card a second time.
        if self._displayed:
            return
        self._displayed = True
        from IPython.display import display

        display(
            {
                "text/plain": self.summary(),
                "text/html": self._repr_html_(),
                "text/markdown": self._repr_markdown_(),
            },
            raw=True,
        )

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"<Verification {self.summary()}>"


def compare(lhs, rhs, *, rtol: float = 1e-12, atol: float = 0.0, label=None, how="") -> Verification:
    """Compare two sides of an equation element by element; never raises on a mismatch.

    Parameters
    ----------
    lhs, rhs : array_like
        The two sides, evaluated by independent routes. Same shape (no broadcasting).
    rtol : float, default 1e-12
        Relative tolerance, in ``[0, 0.25]``.
    atol : float, default 0.0
        Absolute tolerance, finite and non-negative.
    label : str, optional
        The equation label, carried into the result.
    how : str, optional
        What the two routes are, for the reader.

    Returns
    -------
    Verification
        ``passed`` is True when every element satisfies
        ``|a - b| <= atol + rtol * max(|a|, |b|)``; NaN never passes.

    Raises
    ------
    ValueError
        If the shapes differ, a side is empty, or a tolerance is out of range.
    TypeError
        If a side is not numeric.
    """
    rtol = _check_tol("rtol", rtol, upper=_MAX_RTOL)
    atol = _check_tol("atol", atol, upper=math.inf)
    a = _as_float_array("lhs", lhs)
    b = _as_float_array("rhs", rhs)
    if a.shape != b.shape:
        raise ValueError(
            f"lhs and rhs must have the same shape (no broadcasting); got lhs {a.shape} "
            f"and rhs {b.shape}"
        )
    if a.size == 0:
        raise ValueError("lhs must not be empty; got an array of shape " f"{a.shape}")
    with np.errstate(invalid="ignore", over="ignore"):
        both_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
        finite = np.isfinite(a) & np.isfinite(b)
        diff = np.where(finite, np.abs(a - b), np.inf)
        scale = np.maximum(np.abs(a), np.abs(b))
        ok = both_inf | (finite & (diff <= atol + rtol * scale))
        fin_diff = diff[finite]
        max_abs = float(fin_diff.max()) if fin_diff.size else 0.0
        rel = fin_diff / np.where(scale[finite] > 0, scale[finite], 1.0)
        max_rel = float(rel.max()) if rel.size else 0.0
    if not np.all(finite | both_inf):
        max_abs = math.inf if not np.all(ok) else max_abs
    return Verification(
        label=label,
        lhs=a,
        rhs=b,
        rtol=rtol,
        atol=atol,
        passed=bool(np.all(ok)),
        max_abs_diff=max_abs,
        max_rel_diff=max_rel,
        how=str(how),
    )


def verify(label: str, lhs, rhs, *, rtol: float = 1e-12, atol: float = 0.0, how: str = "") -> Verification:
    """Verify the labelled equation ``label`` by comparing its two sides.

    Call this in an executed cell after the equation. In the book, the output is
    a "verified" card that the build links to the equation; in a plain notebook
    it is shown as a small HTML card.

    Parameters
    ----------
    label : str
        The equation's label, exactly as in ``:label:`` (letters, digits, ``-_.:``).
    lhs, rhs : array_like
        The two sides, computed by independent routes (for example the
        ``lossbook`` implementation and the literal formula in numpy), same shape.
    rtol : float, default 1e-12
        Relative tolerance, in ``[0, 0.25]``; state a looser one for Monte Carlo
        or finite-difference checks.
    atol : float, default 0.0
        Absolute tolerance (useful where a side is exactly 0).
    how : str, optional
        A short description of the two routes, shown to the reader.

    Returns
    -------
    Verification
        The passing result (also displayed once in a notebook).

    Raises
    ------
    EquationMismatch
        If the sides disagree; the message names the label, both values and
        the tolerance, so the cell fails and so does the build.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import book
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> book.verify("lse-def", np.log(np.sum(np.exp(z))), lb.logsumexp(z), rtol=1e-14).passed
    True
    """
    if not isinstance(label, str) or not _LABEL_RE.match(label):
        raise ValueError(
            f"label must be an equation label such as 'ce-def' (a letter, then letters, "
            f"digits or '-_.:'); got {label!r}"
        )
    result = compare(lhs, rhs, rtol=rtol, atol=atol, label=label, how=how)
    if not result.passed:
        raise EquationMismatch(
            f"equation {label!r} failed verification: lhs = {_fmt_values(result.lhs)}, "
            f"rhs = {_fmt_values(result.rhs)}; max |lhs - rhs| = {result.max_abs_diff:.6g} "
            f"exceeds the tolerance atol + rtol * max(|lhs|, |rhs|) with rtol = {rtol:g}, "
            f"atol = {atol:g}"
        )
    if _in_ipython_kernel():
        result._ipython_display_()
    return result


# -- helpers ------------------------------------------------------------------
def _check_tol(name, value, *, upper):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    value = float(value)
    if not (0.0 <= value <= upper) or math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be finite and in [0, {upper:g}]; got {value!r}")
    return value


def _as_float_array(name, x):
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be numeric; got {type(x).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric (bool, int or float); got dtype {arr.dtype}")
    return np.array(arr, dtype=float, copy=True)


def _fmt_values(a: np.ndarray) -> str:
    flat = np.ravel(a)
    shown = ", ".join(f"{float(v):.12g}" for v in flat[:_SHOWN])
    if flat.size == 1 and a.ndim == 0:
        return shown
    more = f", ... ({flat.size} values)" if flat.size > _SHOWN else ""
    return f"[{shown}{more}]"


def _json_float(x: float):
    return x if math.isfinite(x) else str(x)


def _in_ipython_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in a kernel
        return False
    ip = get_ipython()
    return ip is not None and hasattr(ip, "kernel")
