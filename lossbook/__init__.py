"""lossbook: the loss functions of machine learning, numerically honest.

The package behind the Lossbook textbook. Every public name is importable from
``lossbook`` itself::

    >>> import lossbook as lb
    >>> round(float(lb.cross_entropy([1.0, 0.0], [0.5, 0.5])), 6)
    0.693147

Conventions: samples on axis 0, classes (or distribution outcomes) on the last
axis; natural logarithms (nats) unless ``base=2``; ``0 log 0 = 0``.
"""

__version__ = "0.1.0"

# --- library (numerics) -----------------------------------------------------
# (populated by the library modules; keep one import line per module)

# --- book support: equation verification and glue ----------------------------
from .verify import EquationMismatch, Verification, compare, verify  # noqa: E402
from .book import glue  # noqa: E402

__all__ = [
    "EquationMismatch",
    "Verification",
    "compare",
    "verify",
    "glue",
]
