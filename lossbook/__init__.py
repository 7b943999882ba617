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
from ._activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax  # noqa: E402
from ._information import cross_entropy, entropy, kl_divergence  # noqa: E402
from ._losses import (  # noqa: E402
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    categorical_cross_entropy,
    categorical_cross_entropy_grad,
    gaussian_nll,
    gaussian_nll_grad,
    gaussian_nll_grad_sigma,
    huber,
    huber_grad,
    mae,
    mae_grad,
    mse,
    mse_grad,
    multiclass_hinge,
    multiclass_hinge_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from ._classification import (  # noqa: E402
    binary_focal_loss,
    binary_focal_loss_grad,
    brier_score,
    softmax_focal_loss,
    softmax_focal_loss_grad,
)
from ._regression import pinball_loss, pinball_loss_grad, poisson_nll, poisson_nll_grad  # noqa: E402
from ._measures import (  # noqa: E402
    gaussian_entropy,
    gaussian_kl_diag,
    js_divergence,
    mutual_information,
    total_variation,
)
from ._calibration import fit_platt, fit_temperature  # noqa: E402
from ._gradcheck import numerical_gradient  # noqa: E402
from .likelihood import (  # noqa: E402
    bernoulli_nll,
    categorical_nll,
    fit_bernoulli,
    fit_categorical,
    fit_gaussian,
    fit_laplace,
    gaussian_kl,
    laplace_nll,
)
from .datasets import flip_labels, make_binary, make_blobs, make_multilabel, make_regression_with_outliers  # noqa: E402
from .train import History, train  # noqa: E402
from .plotting import OKABE_ITO, style, style_params, use_style  # noqa: E402

# --- book support: equation verification and glue ----------------------------
from .verify import EquationMismatch, Verification, compare, verify  # noqa: E402
from .book import glue  # noqa: E402

__all__ = [
    # library: activations
    "sigmoid",
    "log_sigmoid",
    "softmax",
    "log_softmax",
    "logsumexp",
    # library: information theory
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "total_variation",
    "mutual_information",
    "gaussian_entropy",
    "gaussian_kl_diag",
    # library: losses and gradients
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "multiclass_hinge",
    "multiclass_hinge_grad",
    "mse",
    "mse_grad",
    "mae",
    "mae_grad",
    "huber",
    "huber_grad",
    "gaussian_nll",
    "gaussian_nll_grad",
    "gaussian_nll_grad_sigma",
    "binary_focal_loss",
    "binary_focal_loss_grad",
    "softmax_focal_loss",
    "softmax_focal_loss_grad",
    "poisson_nll",
    "poisson_nll_grad",
    "pinball_loss",
    "pinball_loss_grad",
    "brier_score",
    "numerical_gradient",
    # library: calibration
    "fit_temperature",
    "fit_platt",
    # library: likelihood
    "bernoulli_nll",
    "fit_bernoulli",
    "categorical_nll",
    "fit_categorical",
    "fit_gaussian",
    "laplace_nll",
    "fit_laplace",
    "gaussian_kl",
    # library: datasets
    "make_blobs",
    "make_binary",
    "make_regression_with_outliers",
    "make_multilabel",
    "flip_labels",
    # library: training
    "History",
    "train",
    # library: plotting
    "OKABE_ITO",
    "style_params",
    "use_style",
    "style",
    # book support
    "EquationMismatch",
    "Verification",
    "compare",
    "verify",
    "glue",
]

# --- chapter companions ---------------------------------------------------------
# Each module lists its public names in __all__; they are re-exported here, so a
# chapter author adds functions to the module and never edits this file.
from . import diagnostics, divergence, logloss, margins, optimisation  # noqa: E402
from .diagnostics import *  # noqa: E402,F401,F403
from .divergence import *  # noqa: E402,F401,F403
from .logloss import *  # noqa: E402,F401,F403
from .margins import *  # noqa: E402,F401,F403
from .optimisation import *  # noqa: E402,F401,F403

for _m in (diagnostics, divergence, logloss, margins, optimisation):
    __all__ += [n for n in _m.__all__ if n not in __all__]
del _m
