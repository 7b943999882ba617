"""Checks for the book: verified equations and checked prose claims, in executed cells.

Every displayed equation in the book carries a label (``:label: ce-def``) and at
least one executed cell that checks it, and every computable statement in the
prose (a sign, a comparison, "within N steps", a caption) is backed by a
:func:`claim`. The book's Sphinx extension (``_ext/lossbook_sphinx.py``) then

* fails the build for a displayed equation with no label, or with no passing
  check in an executed cell;
* fails the build when a check or a claim fails (the cell raises
  :class:`EquationMismatch` or :class:`ClaimFailed`, naming the label, the values
  and the tolerance, or the claim's text);
* shows the reader a "verified" mark beside the equation, naming the kind of
  each check, with the values that were checked and a link to the cell;
* lists every check (label, kind, how) and every claim on the build report.

Every check states its **kind**, which says what kind of evidence it is:

``definition``
    the library against an *independent* implementation of the displayed
    formula: mpmath at 50 digits, or plain Python with ``math.fsum``; never
    numpy code that mirrors the library's kernel.
``identity``
    two different mathematical routes to the same value (for example
    ``H(p, q)`` against ``H(p) + KL(p || q)``).
``derivative``
    an analytic gradient against finite or complex-step differences, never
    against the library's own closed form alone.
``inequality`` (alias ``bound``)
    a stated inequality, checked by :func:`verify_bound` over a grid that
    includes the edge cases; the tightest margin is reported.
``estimate``
    a Monte Carlo or simulation result, checked by :func:`verify_estimate`
    within a stated number of standard errors.
``limit`` (alias ``regime``)
    a claim checked where it is about: large logits, tiny probabilities, the
    trend as ``n`` grows.

Two sides of an equality agree when, element by element,

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

__all__ = [
    "KINDS",
    "Claim",
    "ClaimFailed",
    "EquationMismatch",
    "Verification",
    "claim",
    "compare",
    "verify",
    "verify_bound",
    "verify_estimate",
]

#: The directive names that the book's Sphinx extension registers.
DIRECTIVE = "lossbook-verification"
CLAIM_DIRECTIVE = "lossbook-claim"

#: The kinds of check, in the order the build report lists them.
KINDS = ("definition", "identity", "derivative", "inequality", "estimate", "limit")
_ALIASES = {"bound": "inequality", "regime": "limit"}
#: What each kind must be, for messages and the report.
KIND_MEANING = {
    "definition": "the library against an independent implementation (mpmath, or plain Python with math.fsum)",
    "identity": "two different mathematical routes to the same value",
    "derivative": "an analytic gradient against finite or complex-step differences",
    "inequality": "a stated inequality over a grid that includes the edge cases (verify_bound)",
    "estimate": "a Monte Carlo or simulation result within a stated number of standard errors (verify_estimate)",
    "limit": "the claim checked in the regime it is about (large logits, tiny p, the trend as n grows)",
}

_LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
_MAX_RTOL = 0.25
_SHOWN = 6


class EquationMismatch(AssertionError):
    """A check of a labelled equation failed (sides disagree, inequality violated, estimate off)."""


class ClaimFailed(AssertionError):
    """A checked prose claim is false."""


@dataclass
class Verification:
    """The outcome of one check of a labelled equation.

    Attributes
    ----------
    label : str or None
        The equation label (``None`` for a bare :func:`compare`).
    lhs, rhs : numpy.ndarray
        The two sides, as float arrays of the same shape (for an inequality,
        the smaller and the larger side; for an estimate, the estimate and the
        exact value).
    rtol, atol : float
        The tolerance used (for an inequality, ``atol`` is the allowed slack).
    passed : bool
        Whether every element passes.
    max_abs_diff, max_rel_diff : float
        The largest absolute and relative differences over the finite elements.
    how : str
        A short description of the two routes, for the reader.
    kind : str or None
        One of ``KINDS`` (``None`` for a bare :func:`compare`).
    extra : dict
        Kind-specific results: for an inequality ``margin`` (the smallest
        ``upper - lower``), ``at`` (where it is), ``strict``; for an estimate
        ``se``, ``n_se`` and ``max_z`` (the largest ``|estimate - exact| / se``).
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
    kind: str | None = None
    extra: dict = field(default_factory=dict)
    _displayed: bool = field(default=False, repr=False, compare=False)

    # -- what the reader sees ------------------------------------------------
    def detail(self) -> str:
        """The kind-specific part of the summary: difference and tolerance, margin, or z."""
        if self.kind == "inequality":
            op = "<" if self.extra.get("strict") else "<="
            return (
                f"lower {op} upper on {self.lhs.size} point(s); tightest margin upper - lower = "
                f"{_fmt_num(self.extra.get('margin'))} at {self.extra.get('at')}"
                + (f" (slack atol = {self.atol:g})" if self.atol else "")
            )
        if self.kind == "estimate" and "max_z" in self.extra:
            return (
                f"max |estimate - exact| / se = {_fmt_num(self.extra['max_z'])} "
                f"(allowed n_se = {self.extra['n_se']:g}; se = {self.extra['se']})"
            )
        return (
            f"max |lhs - rhs| = {self.max_abs_diff:.3g} (rtol = {self.rtol:g}, atol = {self.atol:g})"
        )

    def summary(self) -> str:
        """One line: the label, the kind, both sides and the margin of the check."""
        mark = "verified" if self.passed else "FAILED"
        kind = f" ({self.kind})" if self.kind else ""
        names = ("lower", "upper") if self.kind == "inequality" else (
            ("estimate", "exact") if self.kind == "estimate" else ("lhs", "rhs"))
        return (
            f"{mark} [{self.label}]{kind}: {names[0]} = {_fmt_values(self.lhs)}, "
            f"{names[1]} = {_fmt_values(self.rhs)}; {self.detail()}"
        )

    def record(self) -> dict:
        """A JSON-serialisable record, read by the book's Sphinx extension."""
        rec = {
            "label": self.label,
            "kind": self.kind,
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
            "detail": self.detail(),
        }
        rec.update({k: _json_value(v) for k, v in self.extra.items()})
        return rec

    def _repr_html_(self) -> str:
        rec = self.record()
        status = "&#10003; verified" if self.passed else "&#10007; failed"
        kind = f" &middot; {html.escape(self.kind)}" if self.kind else ""
        how = f"<br><em>{html.escape(self.how)}</em>" if self.how else ""
        names = self.summary().split(":", 1)[1]
        return (
            f'<div class="lossbook-verification" style="border-left:4px solid '
            f'{"#2e7d32" if self.passed else "#c62828"};padding:0.3em 0.8em;">'
            f"<strong>{status}{kind}</strong> equation <code>{html.escape(str(self.label))}</code>"
            f" ({rec['n']} value{'s' if rec['n'] != 1 else ''}){how}<br>"
            f"{html.escape(names.strip())}</div>"
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


@dataclass
class Claim:
    """A prose claim that was checked and held.

    Attributes
    ----------
    label : str
        The claim's label (letters, digits, ``-_.:``).
    text : str
        What the prose says, in words.
    """

    label: str
    text: str
    _displayed: bool = field(default=False, repr=False, compare=False)

    def summary(self) -> str:
        return f"claim holds [{self.label}]: {self.text}"

    def record(self) -> dict:
        return {"label": self.label, "text": self.text, "passed": True}

    def _repr_html_(self) -> str:
        return (
            f'<div class="lossbook-claim" style="font-size:80%;color:#555;">&#10003; claim '
            f"<code>{html.escape(self.label)}</code> holds: {html.escape(self.text)}</div>"
        )

    def _repr_markdown_(self) -> str:
        return f"```{{{CLAIM_DIRECTIVE}}} {self.label}\n{json.dumps(self.record())}\n```\n"

    def _ipython_display_(self) -> None:
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
        return f"<Claim {self.summary()}>"


def compare(lhs, rhs, *, rtol: float = 1e-12, atol: float = 0.0, label=None, how="", kind=None) -> Verification:
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
    kind : str, optional
        The kind of check, carried into the result (see ``KINDS``).

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
    a, b = _two_sides(lhs, rhs, ("lhs", "rhs"))
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
        kind=kind,
    )


def verify(label: str, lhs, rhs, *, kind: str | None = None, how: str | None = None,
           rtol: float = 1e-12, atol: float = 0.0) -> Verification:
    """Verify the labelled equation ``label`` by comparing two sides computed by different routes.

    Call this in an executed cell after the equation. In the book, the output is
    a "verified" card that the build links to the equation; in a plain notebook
    it is shown as a small HTML card. Several checks of one label are allowed
    (each equality of a chain, each case of a display); each is a card.

    Parameters
    ----------
    label : str
        The equation's label, exactly as in ``:label:`` (letters, digits, ``-_.:``).
    lhs, rhs : array_like
        The two sides, computed by independent routes, same shape.
    kind : {'definition', 'identity', 'derivative', 'estimate', 'limit'}
        Required: what kind of evidence the check is (see the module docstring;
        ``'regime'`` is an alias of ``'limit'``). An inequality is checked with
        :func:`verify_bound`, and an estimate with a standard error with
        :func:`verify_estimate` (``kind='estimate'`` here is a plain relative
        tolerance, for a deterministic simulation).
    how : str
        Required, non-empty: the two routes, in a few words, for the reader.
    rtol : float, default 1e-12
        Relative tolerance, in ``[0, 0.25]``; state a looser one for
        finite-difference checks.
    atol : float, default 0.0
        Absolute tolerance (useful where a side is exactly 0).

    Returns
    -------
    Verification
        The passing result (also displayed once in a notebook).

    Raises
    ------
    EquationMismatch
        If the sides disagree; the message names the label, the kind, both
        values and the tolerance, so the cell fails and so does the build.
    TypeError
        If ``kind`` or ``how`` is missing.
    ValueError
        If ``kind`` is not a known kind, or is ``'inequality'``.

    Examples
    --------
    >>> import math, numpy as np, lossbook as lb
    >>> from lossbook import book
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> exact = math.log(math.fsum(math.exp(v) for v in z))
    >>> book.verify("lse-def", exact, lb.logsumexp(z),
    ...             kind="definition", rtol=1e-14,
    ...             how="math.fsum of exp, against the library").passed
    True
    """
    _check_label(label)
    kind = _check_kind(kind)
    if kind == "inequality":
        raise ValueError(
            "kind='inequality' is checked with lossbook.book.verify_bound(label, lower, upper, how=...), "
            "which checks lower <= upper over a grid and reports the tightest margin; verify "
            "compares two sides for equality"
        )
    how = _check_how(how)
    result = compare(lhs, rhs, rtol=rtol, atol=atol, label=label, how=how, kind=kind)
    if not result.passed:
        raise EquationMismatch(
            f"equation {label!r} failed verification ({kind}): lhs = {_fmt_values(result.lhs)}, "
            f"rhs = {_fmt_values(result.rhs)}; max |lhs - rhs| = {result.max_abs_diff:.6g} "
            f"exceeds the tolerance atol + rtol * max(|lhs|, |rhs|) with rtol = {rtol:g}, "
            f"atol = {atol:g}"
        )
    _show(result)
    return result


def verify_bound(label: str, lower, upper, *, how: str | None = None, strict: bool = False,
                 atol: float = 0.0, at=None, kind: str = "inequality") -> Verification:
    """Check the inequality of ``label``: ``lower <= upper`` (or ``<``) at every point of a grid.

    The caller evaluates both sides over a grid that includes the edge cases
    (the ends of the domain, zero, ties, the largest and smallest magnitudes
    that occur); the check reports the tightest margin ``min(upper - lower)``
    and where it is, so the reader sees how close the inequality comes to
    failing. A chain ``a <= b <= c`` is two calls with the same label.

    Parameters
    ----------
    label : str
        The equation's label.
    lower, upper : array_like
        The two sides over the grid, same shape; a scalar side is broadcast to
        the other side's shape (for a constant bound such as ``0 <= loss``).
    how : str
        Required, non-empty: what the grid is and how each side is computed.
    strict : bool, default False
        Check ``lower < upper`` instead of ``lower <= upper``.
    atol : float, default 0.0
        Slack for rounding: pass when ``lower <= upper + atol`` (or ``<``).
        Keep it at the rounding level (for example ``1e-15`` times the scale);
        never use it to paper over a violation.
    at : array_like, optional
        The grid coordinates, same shape as the sides (or one row per element
        along the first axis): the report says where the tightest margin is in
        these coordinates, not only its index.
    kind : {'inequality', 'bound', 'limit', 'regime'}, default 'inequality'
        Use ``'limit'`` for an ordering claimed only in a regime (large
        logits, tiny p).

    Returns
    -------
    Verification
        With ``extra['margin']`` (the smallest ``upper - lower``) and
        ``extra['at']`` (where), displayed once in a notebook.

    Raises
    ------
    EquationMismatch
        If the inequality fails anywhere (or a side is NaN); the message names
        the label, the worst point, both values there and the margin.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import book
    >>> p = np.array([1e-300, 0.5, 1.0])
    >>> v = book.verify_bound("surprisal-nonneg", 0.0, -np.log(p), at=p,
    ...                       atol=0.0, how="-log p on a grid including p = 1")
    >>> v.extra["margin"]
    0.0
    """
    _check_label(label)
    kind = _check_kind(kind)
    if kind not in ("inequality", "limit"):
        raise ValueError(f"verify_bound checks an inequality: kind must be 'inequality' or 'limit'; got {kind!r}")
    how = _check_how(how)
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"strict must be True or False; got {strict!r}")
    atol = _check_tol("atol", atol, upper=math.inf)
    lo = _as_float_array("lower", lower)
    up = _as_float_array("upper", upper)
    if lo.ndim == 0 and up.ndim > 0:
        lo = np.broadcast_to(lo, up.shape).copy()
    elif up.ndim == 0 and lo.ndim > 0:
        up = np.broadcast_to(up, lo.shape).copy()
    lo, up = _two_sides(lo, up, ("lower", "upper"))
    with np.errstate(invalid="ignore", over="ignore"):
        margin = (up - lo) + 0.0  # no negative zero
        margin = np.where(np.isnan(margin) & (lo == up), 0.0, margin)  # inf <= inf
        ok = (lo < up + atol) if strict else (lo <= up + atol)
        ok &= ~(np.isnan(lo) | np.isnan(up))
        key = np.where(np.isnan(margin), -np.inf, margin)
    flat = int(np.argmin(key))
    idx = np.unravel_index(flat, lo.shape) if lo.ndim else ()
    where = _where(at, lo.shape, idx, flat)
    tight = float(key.reshape(-1)[flat])
    result = Verification(
        label=label, lhs=lo, rhs=up, rtol=0.0, atol=atol, passed=bool(np.all(ok)),
        max_abs_diff=_finite_or_inf(-tight) if tight < 0 else 0.0, max_rel_diff=0.0, how=how,
        kind=kind, extra={"margin": tight, "at": where, "strict": bool(strict),
                          "violations": int(np.size(ok) - np.count_nonzero(ok))},
    )
    if not result.passed:
        op = "<" if strict else "<="
        raise EquationMismatch(
            f"inequality {label!r} failed ({kind}): lower {op} upper is violated at "
            f"{result.extra['violations']} of {lo.size} point(s); worst at {where}: lower = "
            f"{float(lo.reshape(-1)[flat]):.12g}, upper = {float(up.reshape(-1)[flat]):.12g}, "
            f"margin upper - lower = {tight:.6g}" + (f" (slack atol = {atol:g})" if atol else "")
        )
    _show(result)
    return result


def verify_estimate(label: str, estimate, exact, *, se=None, n_se: float = 4.0,
                    how: str | None = None) -> Verification:
    """Check a Monte Carlo or simulation estimate against the exact value within ``n_se`` standard errors.

    Passes when ``|estimate - exact| <= n_se * se`` for every element. Either
    give the raw samples (``se=None``: samples along axis 0, the estimate is
    their mean and ``se`` is ``std(ddof=1) / sqrt(n)``), or give the estimate
    and its standard error. The record shows both values and the largest
    z-score ``|estimate - exact| / se``.

    Parameters
    ----------
    label : str
        The equation's label.
    estimate : array_like
        The samples (``se=None``, at least 2 along axis 0) or the estimate.
    exact : array_like
        The exact value (same shape as the estimate).
    se : array_like, optional
        The estimate's standard error, positive and finite (broadcast to the
        estimate's shape).
    n_se : float, default 4.0
        How many standard errors are allowed, in ``(0, 10]``. Four keeps a
        correct seeded check from failing by chance (two-sided p about 6e-5 per
        element); for many elements in one call, use about 5.
    how : str
        Required, non-empty: what was simulated, how many samples.

    Returns
    -------
    Verification
        ``kind='estimate'``, with ``extra['se']``, ``extra['n_se']`` and
        ``extra['max_z']``.

    Raises
    ------
    EquationMismatch
        If an element lies more than ``n_se`` standard errors from the exact
        value (or is NaN); the message names the label, the values and the z-score.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import book
    >>> rng = np.random.default_rng(0)
    >>> v = book.verify_estimate("mean-half", rng.random(10_000), 0.5,
    ...                          how="uniform samples")
    >>> v.passed and v.extra["max_z"] < 4
    True
    """
    _check_label(label)
    how = _check_how(how)
    if isinstance(n_se, bool) or not isinstance(n_se, (int, float, np.integer, np.floating)) \
            or not (0 < float(n_se) <= 10):
        raise ValueError(f"n_se must be a number in (0, 10]; got {n_se!r}")
    n_se = float(n_se)
    est = _as_float_array("estimate", estimate)
    if se is None:
        if est.ndim == 0 or est.shape[0] < 2:
            raise ValueError(
                "with se=None, estimate must be the samples (at least 2 along axis 0); got shape "
                f"{est.shape}; pass se= with an estimate instead"
            )
        n = est.shape[0]
        se_arr = est.std(axis=0, ddof=1) / math.sqrt(n)
        est = est.mean(axis=0)
    else:
        se_arr = _as_float_array("se", se)
    ex = _as_float_array("exact", exact)
    if ex.ndim == 0 and est.ndim > 0:
        ex = np.broadcast_to(ex, est.shape).copy()
    est, ex = _two_sides(est, ex, ("estimate", "exact"))
    try:
        se_arr = np.broadcast_to(se_arr, est.shape).astype(float)
    except ValueError:
        raise ValueError(f"se must broadcast to the estimate's shape {est.shape}; got {se_arr.shape}") from None
    if not np.all(np.isfinite(se_arr) & (se_arr > 0)):
        raise ValueError(
            f"se must be positive and finite (a zero standard error makes this an equality: use "
            f"verify); got {_fmt_values(se_arr)}"
        )
    with np.errstate(invalid="ignore"):
        z = np.abs(est - ex) / se_arr
    ok = z <= n_se  # NaN fails
    zkey = np.where(np.isnan(z), np.inf, z)
    max_z = float(zkey.max())
    diff = np.abs(est - ex)
    result = Verification(
        label=label, lhs=est, rhs=ex, rtol=0.0, atol=0.0, passed=bool(np.all(ok)),
        max_abs_diff=_finite_or_inf(float(np.nanmax(diff)) if not np.all(np.isnan(diff)) else math.inf),
        max_rel_diff=0.0, how=how, kind="estimate",
        extra={"se": _fmt_values(se_arr if se_arr.ndim else se_arr.reshape(())), "n_se": n_se, "max_z": max_z},
    )
    if not result.passed:
        raise EquationMismatch(
            f"estimate {label!r} failed verification: estimate = {_fmt_values(est)}, exact = "
            f"{_fmt_values(ex)}, se = {_fmt_values(se_arr)}; max |estimate - exact| / se = "
            f"{max_z:.3g} exceeds n_se = {n_se:g}"
        )
    _show(result)
    return result


def claim(label: str, condition, text: str) -> Claim:
    """Check a statement the prose makes: the build fails when ``condition`` is False.

    Any sentence, caption or alt text that states a computable fact (a
    comparison, a sign, "within N steps", "only if", "always", "never") is
    backed by a claim in a hidden cell (tag ``remove-input``) computed from the
    chapter's own values.

    Parameters
    ----------
    label : str
        A label for the claim (letters, digits, ``-_.:``), for example
        ``'cep-rounding-hurts'``; listed with ``text`` on the build report.
    condition : bool or numpy.bool_
        The computed truth of the statement. An array is refused: reduce it
        with ``np.all`` or ``np.any`` so that the quantifier is explicit.
    text : str
        Required, non-empty: what the prose says, in words.

    Returns
    -------
    Claim
        Displayed once: a small line in a notebook, and in the book a record
        that the build report lists (nothing shows on the page).

    Raises
    ------
    ClaimFailed
        If ``condition`` is False; the message names the label and the text.
    TypeError
        If ``condition`` is not a bool (a number, an array, None).

    Examples
    --------
    >>> import lossbook as lb
    >>> from lossbook import book
    >>> book.claim("two-gt-one", 2 > 1, "two is more than one").label
    'two-gt-one'
    """
    _check_label(label, what="claim label")
    if not isinstance(text, str) or not text.strip():
        raise TypeError(f"text must be a non-empty string stating the claim; got {text!r}")
    if isinstance(condition, np.ndarray) and condition.shape == () and condition.dtype == bool:
        condition = condition.item()
    if not isinstance(condition, (bool, np.bool_)):
        hint = " (reduce an array with np.all or np.any)" if isinstance(condition, np.ndarray) else ""
        raise TypeError(
            f"claim {label!r}: condition must be a bool (True or False){hint}; got "
            f"{type(condition).__name__} {condition!r:.80}"
        )
    if not bool(condition):
        raise ClaimFailed(f"claim {label!r} is false: {text}")
    result = Claim(label=label, text=text.strip())
    _show(result)
    return result


# -- helpers ------------------------------------------------------------------
def _check_label(label, what="label"):
    if not isinstance(label, str) or not _LABEL_RE.match(label):
        raise ValueError(
            f"{what} must be an equation label such as 'ce-def' (a letter, then letters, "
            f"digits or '-_.:'); got {label!r}"
        )


def _check_kind(kind):
    allowed = ", ".join(repr(k) for k in KINDS) + " (aliases 'bound', 'regime')"
    if kind is None:
        raise TypeError(f"kind is required: say what kind of check this is, one of {allowed}")
    if not isinstance(kind, str) or (kind not in KINDS and kind not in _ALIASES):
        raise ValueError(f"kind must be one of {allowed}; got {kind!r}")
    return _ALIASES.get(kind, kind)


def _check_how(how):
    if how is None:
        raise TypeError("how is required: say in a few words what the two routes are")
    if not isinstance(how, str) or not how.strip():
        raise ValueError(f"how must be a non-empty string describing the two routes; got {how!r}")
    return how.strip()


def _two_sides(a, b, names):
    a = _as_float_array(names[0], a)
    b = _as_float_array(names[1], b)
    if a.shape != b.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape (no broadcasting); got "
            f"{names[0]} {a.shape} and {names[1]} {b.shape}"
        )
    if a.size == 0:
        raise ValueError(f"{names[0]} must not be empty; got an array of shape {a.shape}")
    return a, b


def _where(at, shape, idx, flat):
    if at is None:
        return f"index {tuple(int(i) for i in idx)}" if idx else "the single point"
    grid = np.asarray(at)
    try:
        if grid.shape == shape:
            val = grid[idx] if idx else grid.reshape(())
        elif idx and grid.shape[: 1] == shape[:1]:
            val = grid[idx[0]]
        else:
            raise IndexError
    except (IndexError, TypeError):
        raise ValueError(f"at must have the sides' shape {shape} (or one row per first index); got {grid.shape}") from None
    val = np.asarray(val)
    if val.dtype.kind in "biuf":
        return ("x = " + _fmt_values(val.astype(float))) if val.ndim else f"x = {float(val):.6g}"
    return f"x = {val!s}"


def _show(result):
    if _in_ipython_kernel():
        result._ipython_display_()


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


def _fmt_num(x) -> str:
    return f"{x:.6g}" if isinstance(x, (int, float)) else str(x)


def _finite_or_inf(x: float) -> float:
    return x if math.isfinite(x) else math.inf


def _json_float(x: float):
    return x if math.isfinite(x) else str(x)


def _json_value(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return _json_float(float(v))
    return v


def _in_ipython_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in a kernel
        return False
    ip = get_ipython()
    return ip is not None and hasattr(ip, "kernel")
