"""Chapter demos: simulations, toy data sets, small trainers and plot helpers.

These exist to make a chapter's point (a seeded prediction set, a two-layer network
trained by hand, a descent path to draw), not to be used in practice; the library is
the top level of ``lossbook``. Chapters import them as::

    from lossbook import book, demos
    y, p = demos.simulate_prediction_set(seed=0)

``__all__`` holds every public name of ``lossbook/demos/datasets.py`` and
``lossbook/demos/train.py`` and ``lossbook/demos/calibration.py``, and every public name of the chapter companion modules
(``diagnostics``, ``divergence``, ``logloss``, ``margins``, ``optimisation``) that is not
part of the library at the top level: a demo added to one of those modules' ``__all__``
appears here with no edit of this file.
"""

from .. import __all__ as _library
from .. import diagnostics, divergence, logloss, margins, optimisation
from . import calibration as _calibration
from . import datasets as _datasets
from . import mle as _mle
from . import priors as _priors
from . import train as _train
from .calibration import *  # noqa: F401,F403
from .priors import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .mle import *  # noqa: F401,F403
from .train import *  # noqa: F401,F403

__all__: list[str] = list(_datasets.__all__) + [n for n in _train.__all__ if n not in _datasets.__all__]
__all__ += [n for n in _calibration.__all__ if n not in __all__]
__all__ += [n for n in _priors.__all__ if n not in __all__]
__all__ += [n for n in _mle.__all__ if n not in __all__]
for _m in (diagnostics, divergence, logloss, margins, optimisation):
    for _n in _m.__all__:
        if _n not in _library and _n not in __all__:
            globals()[_n] = getattr(_m, _n)
            __all__.append(_n)
del _m, _n
from . import learning as _learning  # noqa: E402
from .learning import *  # noqa: E402,F401,F403

__all__ += [n for n in _learning.__all__ if n not in __all__]
from . import practice as _practice  # noqa: E402
from .practice import *  # noqa: E402,F401,F403

__all__ += [n for n in _practice.__all__ if n not in __all__]
from . import choosing as _choosing  # noqa: E402
from .choosing import *  # noqa: E402,F401,F403

__all__ += [n for n in _choosing.__all__ if n not in __all__]
