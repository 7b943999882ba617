"""Numbers as a reader reads them: ``1.2 × 10⁻⁵`` with a true minus sign, not ``1.2e-05``.

Python's ``format`` writes ``1.2e-05`` and ``-0.25`` with the ASCII hyphen-minus; in a
sentence the book writes ``1.2 × 10⁻⁵`` and ``−0.25`` (U+2212 MINUS SIGN). :func:`glue`
formats every number it is given a ``fmt`` for through :func:`format_number`, and the site
build passes every number pasted into the prose through :func:`typeset_number`
(``_ext/lossbook_site.py``), so a spec such as ``{glue:text}`x:.1e``` reads right too.

Examples
--------
>>> from lossbook import book
>>> book.format_number(0.0000123, ".2e")
'1.23 × 10⁻⁵'
>>> book.format_number(-0.25, ".2f")
'−0.25'
>>> book.format_number(3.0e20, ".3g")
'3 × 10²⁰'
>>> book.typeset_number("-1.5e-07")
'−1.5 × 10⁻⁷'
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["format_number", "typeset_number"]

#: U+2212 MINUS SIGN, the true minus of typeset numbers.
MINUS = "\u2212"
#: U+00D7 MULTIPLICATION SIGN, between mantissa and power of ten.
TIMES = "\u00d7"
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
#: A number as ``format`` writes it: sign, digits, optional fraction, optional exponent,
#: optional percent sign; nothing else (so words and labels pass through unchanged).
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<mant>\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE](?P<exp>[-+]?\d+))?(?P<pct>%?)$")


def typeset_number(text: str) -> str:
    """Rewrite a formatted number: ``"-1.5e-07"`` → ``"−1.5 × 10⁻⁷"``; other text unchanged.

    A hyphen-minus leading the number becomes U+2212; an exponent becomes ``× 10`` with a
    superscript power (``10⁻⁷``, leading zeros and ``+`` dropped). Text that is not a single
    number (``"nan"``, ``"3 of 5"``, a word) is returned as it is.

    Parameters
    ----------
    text : str
        A number as Python's ``format`` writes it.

    Returns
    -------
    str
        The number as the book prints it.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"typeset_number expects a string; got {type(text).__name__}")
    m = _NUMBER.match(text.strip())
    if not m:
        return text
    sign = MINUS if m["sign"] == "-" else ""
    out = sign + m["mant"]
    if m["exp"] is not None:
        k = int(m["exp"])
        out = f"{out} {TIMES} 10{str(k).translate(_SUPERSCRIPT)}" if k else out
    return out + m["pct"]


def format_number(x, fmt: str = ".3g") -> str:
    """Format a number for the prose: ``format(x, fmt)`` typeset by :func:`typeset_number`.

    Parameters
    ----------
    x : int or float (numpy scalars too)
        The number.
    fmt : str, default ".3g"
        A format spec (``".2e"``, ``".3f"``, ``".1%"``).

    Returns
    -------
    str
        For example ``"1.23 × 10⁻⁵"`` for ``format_number(1.234e-5, ".2e")``.

    Raises
    ------
    TypeError
        If ``x`` is not a real number or ``fmt`` is not a string.
    ValueError
        If ``x`` is NaN (a NaN in the prose is a bug upstream).
    """
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec string such as '.3g'; got {type(fmt).__name__}")
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"format_number expects a real number; got {type(x).__name__}")
    if math.isnan(float(x)):
        raise ValueError("format_number got NaN; a NaN in the prose is a bug upstream")
    value = int(x) if isinstance(x, numbers.Integral) else float(x)
    return typeset_number(format(value, fmt))
