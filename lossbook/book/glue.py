"""Glue computed numbers into the book's prose.

A number in the text is never typed: a cell computes it and glues it, and the
prose pastes it with ``{glue:text}`name:.3f``` (or, for a pre-formatted value,
``{glue:text}`name```). This module speaks myst-nb's glue protocol itself, so
a chapter downloaded as a notebook runs without myst-nb installed.

numpy 2 scalars print as ``np.float64(0.69)``, which breaks glue's format
specs; :func:`glue` therefore turns every numeric value into a plain Python
``float`` or ``int`` (or a pre-formatted ``str`` when ``fmt`` is given) and
refuses NaN, arrays and other values that do not belong in a sentence.

Examples
--------
>>> import numpy as np, lossbook as lb
>>> from lossbook import book
>>> book.glue("half", np.float64(0.5))  # glues the Python float 0.5
>>> lb.book.to_plain("half", np.float64(0.5))
0.5
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["glue", "to_plain"]

#: myst-nb's glue protocol: a display output under this MIME prefix, with
#: ``metadata["scrapbook"]`` naming the key, is hidden and pasted by name.
_GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value, *, fmt: str | None = None, display: bool = False):
    """Glue a number (or short text) under ``name`` for the prose to paste.

    Parameters
    ----------
    name : str
        The glue key; unique within the chapter.
    value : int, float, numpy scalar, 0-d or size-1 array, or str
        The value. Numeric values become plain Python numbers.
    fmt : str, optional
        A format spec (``".3f"``, ``".2e"``, ``".1%"``). When given, the
        number is formatted by :func:`~lossbook.book.format_number`, which writes
        ``1.2 × 10⁻⁵`` for ``1.2e-05`` and a true minus sign, and that string is glued (paste with ``{glue:text}`name```); when not,
        the number is glued and the prose chooses the format
        (``{glue:text}`name:.3f```).
    display : bool, default False
        Also show the value in the cell's output.

    Returns
    -------
    None
        Like myst-nb's ``glue``, so that a trailing ``glue(...)`` in a cell
        shows nothing. Use ``lossbook.book.to_plain`` to get the converted value.

    Raises
    ------
    ValueError
        If ``value`` is NaN, an array of more than one element, or ``name`` is empty.
    TypeError
        If ``value`` is neither a number nor a string.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string; got {name!r}")
    out = to_plain(name, value)
    if fmt is not None:
        if isinstance(out, str):
            raise TypeError(f"fmt applies to numbers; glue {name!r} got a string")
        from .numbers import format_number

        out = format_number(out, fmt)
    _send(name, out, display)


def to_plain(name, value):
    """Convert ``value`` to a plain Python ``bool``, ``int``, ``float`` or ``str`` for glue.

    Raises the same errors as :func:`glue`; ``name`` is only used in messages.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) or (hasattr(value, "__array__") and not np.isscalar(value)):
        arr = np.asarray(value)
        if arr.size != 1:
            raise ValueError(
                f"glue {name!r} expects a single number; got an array of shape {arr.shape}"
            )
        value = arr.reshape(()).item()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            raise ValueError(f"glue {name!r} got NaN; a NaN in the prose is a bug upstream")
        return value
    raise TypeError(f"glue {name!r} expects a number or a string; got {type(value).__name__}")


def _send(name, value, display):
    try:
        from IPython import get_ipython
        from IPython.display import display as ipy_display
    except ImportError:  # pragma: no cover - outside Jupyter there is nothing to glue into
        return
    if get_ipython() is None:
        return
    prefix = "" if display else _GLUE_PREFIX
    ipy_display(
        {prefix + "text/plain": repr(value)},
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": prefix}},
    )
