"""lossbook: the loss functions of machine learning, numerically honest.

The package behind the Lossbook textbook, in three rooms, each with its own
``__all__``:

- ``lossbook`` (this level): the library a practitioner uses -- losses with their
  gradients, activations, information measures, margin losses, likelihood fits,
  metrics and calibration;
- ``lossbook.book``: the book's machinery (``verify``, ``compare``, ``glue``, citation,
  figure style);
- ``lossbook.demos``: chapter demos (simulations, toy data, small trainers, plot
  helpers).

::

    >>> import lossbook as lb
    >>> from lossbook import book, demos
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
    gaussian_kl_mvn,
    js_divergence,
    mutual_information,
    total_variation,
)
from ._calibration import fit_platt, fit_temperature  # noqa: E402
from ._scoring import (  # noqa: E402
    BrierDecomposition,
    ReliabilityCurve,
    brier_decomposition,
    reliability_curve,
    spherical_score,
)
from ._gradcheck import numerical_gradient  # noqa: E402
from ._regularisation import (  # noqa: E402
    beta_bernoulli_map,
    beta_bernoulli_mean,
    fit_lasso,
    fit_ridge,
    l1_penalty,
    l2_penalty,
    l2_penalty_grad,
    soft_threshold,
)
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
# library names from the chapter companion modules; their other public names are
# chapter demos and live in lossbook.demos (see lossbook/demos/__init__.py)
from .diagnostics import ReliabilityBins, expected_calibration_error, reliability_bins, smooth_labels  # noqa: E402
from .divergence import (  # noqa: E402
    binary_entropy,
    gaussian_mixture_logpdf,
    grid_kl_divergence,
    kl_monte_carlo,
    perplexity,
    surprisal,
)
from .logloss import binary_accuracy, categorical_accuracy  # noqa: E402
from .margins import crammer_singer_hinge, crammer_singer_hinge_grad, multi_margin  # noqa: E402
from .optimisation import classification_error  # noqa: E402

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
    "gaussian_kl_mvn",
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
    # library: scoring rules
    "spherical_score",
    "ReliabilityCurve",
    "reliability_curve",
    "BrierDecomposition",
    "brier_decomposition",
    # library: likelihood
    "bernoulli_nll",
    "fit_bernoulli",
    "categorical_nll",
    "fit_categorical",
    "fit_gaussian",
    "laplace_nll",
    "fit_laplace",
    "gaussian_kl",
    # library: margin losses
    "crammer_singer_hinge",
    "crammer_singer_hinge_grad",
    "multi_margin",
    # library: information measures from the chapter companions
    "surprisal",
    "binary_entropy",
    "perplexity",
    "gaussian_mixture_logpdf",
    "grid_kl_divergence",
    "kl_monte_carlo",
    # library: metrics and calibration
    "binary_accuracy",
    "categorical_accuracy",
    "classification_error",
    "ReliabilityBins",
    "reliability_bins",
    "expected_calibration_error",
    "smooth_labels",
    # library: priors and regularisation
    "l2_penalty",
    "l2_penalty_grad",
    "l1_penalty",
    "soft_threshold",
    "fit_ridge",
    "fit_lasso",
    "beta_bernoulli_map",
    "beta_bernoulli_mean",
]

# --- the two other rooms ---------------------------------------------------------
# lossbook.book: the book's machinery (verify, compare, glue, citation, figure style);
# lossbook.demos: chapter demos (simulations, toy data, small trainers, plot helpers).
from . import book, demos  # noqa: E402
