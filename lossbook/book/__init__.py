"""The book's machinery: equation verification, glue, citation and figure style.

Not part of the loss library: these are the tools the chapters use to check their
equations and claims (``verify``, ``compare``), to paste computed numbers into the prose
(``glue``), to cite the book and to style figures. Chapters import them as::

    from lossbook import book, demos
    book.verify("ce-def", lhs, rhs, rtol=1e-12, how="...")

Every public name of the modules below is re-exported here (each module's ``__all__``),
so a name added to one of them needs no edit of this file.
"""

from . import citation as _citation
from . import errors as _errors
from . import glue as _glue
from . import numbers as _numbers
from . import plotting as _plotting
from . import verify as _verify
from .citation import *  # noqa: F401,F403
from .errors import *  # noqa: F401,F403
from .glue import *  # noqa: F401,F403
from .numbers import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .verify import *  # noqa: F401,F403

__all__: list[str] = []
for _m in (_verify, _glue, _citation, _plotting, _numbers, _errors):
    __all__ += [n for n in _m.__all__ if n not in __all__]
del _m
