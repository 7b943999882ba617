"""Show an error the way the book does: its one-line message, never a traceback.

A chapter that demonstrates a refused input writes::

    with book.expect_error(ValueError):
        lb.entropy([0.5, 0.6])

and the cell prints ``ValueError: ...`` (the message the reader would get), nothing else. If
the call does *not* raise the expected error, the cell fails and so does the build: the
demonstration can fail.
"""

from __future__ import annotations

import contextlib
import warnings

__all__ = ["expect_error", "ErrorNotRaised", "show_warnings"]


class ErrorNotRaised(AssertionError):
    """An ``expect_error`` block finished without raising the error it demonstrates."""


@contextlib.contextmanager
def expect_error(*types: type[BaseException]):
    """Run a block that must raise one of ``types``; print ``Name: message`` in one line.

    Parameters
    ----------
    *types : exception classes
        The errors the block demonstrates (default: ``Exception``).

    Raises
    ------
    ErrorNotRaised
        If the block raised nothing.
    TypeError
        If a type given is not an exception class.

    Examples
    --------
    >>> from lossbook import book
    >>> with book.expect_error(ValueError):
    ...     int("x")
    ValueError: invalid literal for int() with base 10: 'x'
    """
    types = types or (Exception,)
    bad = [t for t in types if not (isinstance(t, type) and issubclass(t, BaseException))]
    if bad:
        raise TypeError(f"expect_error takes exception classes; got {bad[0]!r}")
    try:
        yield
    except types as err:
        message = " ".join(str(err).split())  # one line, whatever the message held
        print(f"{type(err).__name__}: {message}" if message else type(err).__name__)
    else:
        names = " or ".join(t.__name__ for t in types)
        raise ErrorNotRaised(f"the block was expected to raise {names} and did not")


@contextlib.contextmanager
def show_warnings():
    """Run a block that demonstrates a warning; print each as one line, ``Name: message``.

    Python prints a warning with the file and line of the code that raised it (in a notebook,
    the path of a temporary file of the kernel); the book shows what the warning says, once.

    Examples
    --------
    >>> import numpy as np
    >>> from lossbook import book
    >>> with book.show_warnings():
    ...     x = np.exp(np.float64(1000.0))
    RuntimeWarning: overflow encountered in exp
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    seen = []
    for w in caught:
        line = f"{w.category.__name__}: {' '.join(str(w.message).split())}"
        if line not in seen:
            seen.append(line)
            print(line)
