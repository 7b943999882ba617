"""Regression tests for the defects a hostile-input campaign found (issue 18), named after them.

Reference values were computed with mpmath at 50+ digits (the expressions are in
each test). Every test here failed before its fix.
"""

import math
import warnings

import mpmath as mp
import numpy as np
import pytest

import lossbook as lb
from lossbook import demos

mp.mp.dps = 60


def ulps(a, b):
    """Distance in units in the last place of ``b`` (b the reference)."""
    a, b = float(a), float(b)
    if a == b:
        return 0.0
    return abs(a - b) / math.ulp(b) if b != 0 else float("inf")


# --- 1 -------------------------------------------------------------------------
def test_item01_masked_arrays_are_refused_with_the_argument_named():
    yt = np.ma.array([0.0, 0.0, 0.0], mask=[0, 0, 1])
    yp = np.ma.array([1.0, 1.0, 100.0], mask=[0, 0, 1])
    with pytest.raises(TypeError, match=r"y_pred must be a plain array, got a numpy masked array"):
        lb.mse([0.0, 0.0, 0.0], yp)
    with pytest.raises(TypeError, match=r"y_true must be a plain array, got a numpy masked array"):
        lb.mse(yt, [1.0, 1.0, 100.0])
    with pytest.raises(TypeError, match=r"y_true must be a plain array"):
        lb.softmax_cross_entropy(np.ma.array([0, 5], mask=[0, 1]), [[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(TypeError, match=r"p must be a plain array"):
        lb.entropy(np.ma.array([0.5, 0.5]))


# --- 2 -------------------------------------------------------------------------
@pytest.mark.parametrize("s", [1e17, -1e17, 1e300])
def test_item02_margin_does_not_vanish_at_large_scores(s):
    scores = [[s, s]]
    assert float(lb.multiclass_hinge([0], scores)) == 1.0
    assert lb.multiclass_hinge_grad([0], scores).tolist() == [[-1.0, 1.0]]
    assert float(lb.crammer_singer_hinge([0], scores)) == 1.0
    assert lb.crammer_singer_hinge_grad([0], scores).tolist() == [[-1.0, 1.0]]
    assert float(lb.multi_margin([0], scores)) == 0.5


# --- 3 -------------------------------------------------------------------------
def test_item03_gradient_sign_does_not_flip_at_negative_zero_probability():
    assert lb.binary_cross_entropy_grad([1.0], [-0.0]).tolist() == [-math.inf]
    assert lb.binary_cross_entropy_grad([1.0], [0.0]).tolist() == [-math.inf]
    g = lb.categorical_cross_entropy_grad([0], [[-0.0, 1.0]])
    assert g.tolist() == [[-math.inf, 0.0]]


# --- 4 -------------------------------------------------------------------------
@pytest.mark.parametrize("base", [0.5, 1.0, 1 - 1e-12, -2.0, math.inf])
def test_item04_base_at_or_below_one_is_refused(base):
    with pytest.raises(ValueError, match=r"base must be a finite number > 1"):
        lb.entropy([0.5, 0.5], base=base)
    with pytest.raises(ValueError, match=r"base must be a finite number > 1"):
        lb.kl_divergence([0.5, 0.5], [0.9, 0.1], base=base)
    with pytest.raises(ValueError, match=r"base must be a finite number > 1"):
        lb.surprisal(0.5, base=base)


def test_item04_base_must_be_a_real_number():
    with pytest.raises(TypeError, match=r"base must be a real number"):
        lb.entropy([0.5, 0.5], base=True)


# --- 5 -------------------------------------------------------------------------
def test_item05_two_hot_rows_are_refused_by_categorical_accuracy_like_the_hinge():
    two_hot = [[1, 1, 0]]
    with pytest.raises(ValueError, match=r"y_true .* row 0 is \[1, 1, 0\]"):
        lb.categorical_accuracy(two_hot, [[0.2, 0.5, 0.3]])
    with pytest.raises(ValueError, match=r"y_true .* row 0 is \[1, 1, 0\]"):
        lb.multiclass_hinge(two_hot, [[0.2, 0.5, 0.3]])
    # one-hot rows still work
    assert lb.categorical_accuracy([[0, 1, 0]], [[0.2, 0.5, 0.3]]) == 1.0


# --- 6 -------------------------------------------------------------------------
def test_item06_saturated_logit_gradients_keep_their_value():
    ref = -float(1 / (1 + mp.exp(mp.mpf(40))))  # sigma(40) - 1 = -sigma(-40)
    g = lb.binary_cross_entropy_with_logits_grad([1.0], [40.0])
    assert ulps(g[0], ref) <= 2
    g = lb.binary_cross_entropy_with_logits_grad([0.0], [-40.0])
    assert ulps(g[0], -ref) <= 2
    gs = lb.softmax_cross_entropy_grad([0], [[40.0, 0.0]])
    assert gs.sum() == 0.0
    assert ulps(gs[0, 0], ref) <= 2 and ulps(gs[0, 1], -ref) <= 2
    # soft (one-hot) target rows too
    gs = lb.softmax_cross_entropy_grad([[1.0, 0.0]], [[40.0, 0.0]])
    assert gs.sum() == 0.0 and ulps(gs[0, 0], ref) <= 2


# --- 7 (and issue 11, item 3) ----------------------------------------------------
def _kl_mp(p, q):
    return float(mp.fsum(mp.mpf(a) * mp.log(mp.mpf(a) / mp.mpf(b)) for a, b in zip(p, q) if a > 0))


def test_item07_nearly_equal_distributions_keep_their_small_divergence():
    p = [0.5 + 1e-12, 0.5 - 1e-12]
    q = [0.5, 0.5]
    assert ulps(lb.kl_divergence(p, q), _kl_mp(p, q)) <= 4


# --- 8 -------------------------------------------------------------------------
def test_item08_gaussian_nll_grad_does_not_underflow_sigma_squared():
    g = lb.gaussian_nll_grad([0.0], [1e-200], 1e-170)
    ref = float(mp.mpf(1e-200) / mp.mpf(1e-170) ** 2)
    assert ulps(g[0], ref) <= 2
    assert lb.gaussian_nll_grad([0.0], [0.0], 1e-170).tolist() == [0.0]


# --- 9 -------------------------------------------------------------------------
def test_item09_normalized_categorical_grad_is_minus_inf_not_nan_at_zero_probability():
    g = lb.categorical_cross_entropy_grad([0], [[0.0, 1.0]], normalize=True)
    assert g[0, 0] == -math.inf
    assert g[0, 1] == 1.0  # (0 + sum t / S) / N


# --- 10 ------------------------------------------------------------------------
def test_item10_fits_and_monte_carlo_kl_do_not_overflow_for_finite_answers():
    assert lb.fit_gaussian([1e200, -1e200]) == (0.0, 1e200)
    mean, se = lb.kl_monte_carlo([1e200, -1e200], [0.0, 0.0])
    assert mean == 0.0 and ulps(se, 1e200) <= 2
    med, b = lb.fit_laplace([1.7e308, -1.7e308, 1.7e308])
    assert med == 1.7e308
    assert ulps(b, float(2 * mp.mpf(1.7e308) * 2 / 3 / 2)) <= 2


# --- 11 ------------------------------------------------------------------------
def test_item11_heteroscedastic_grad_has_no_nan_when_a_residual_squared_overflows():
    g = demos.heteroscedastic_gaussian_nll_grad([1e300, 0, 0, 0], [1.0, -1.0], [0.0, 0.0])
    assert not np.isnan(g).any()
    assert g[0] == 1e300 and g[1] == 0.0 and g[2] == -math.inf and g[3] == 0.0


# --- 12 ------------------------------------------------------------------------
def test_item12_soft_target_zero_times_infinite_logit_gap_is_not_nan():
    assert float(lb.softmax_cross_entropy([[1.0, 0.0]], [[1e308, -1e308]])) == 0.0
    assert float(lb.softmax_cross_entropy([0], [[1e308, -1e308]])) == 0.0


def test_item12_mean_of_huge_finite_losses_does_not_overflow():
    out = lb.softmax_cross_entropy([0, 0], [[0.0, 1.5e308]] * 2)
    assert out == 1.5e308
    assert lb.softmax_cross_entropy([0, 0], [[0.0, 1.5e308]] * 2, reduction="sum") == math.inf
    assert lb.mae([0.0, 0.0], [1.5e308, 1.5e308]) == 1.5e308


# --- 13 ------------------------------------------------------------------------
def test_item13_grid_kl_refuses_log_densities_that_are_not_densities_on_the_grid():
    x = np.linspace(-5, 5, 101)
    with pytest.raises(ValueError, match=r"log_p must be a log-density whose mass"):
        lb.grid_kl_divergence(x, np.full(101, 800.0), np.zeros(101))
    with pytest.raises(ValueError, match=r"log_p must be a log-density whose mass"):
        lb.grid_kl_divergence(x, np.full(101, -np.inf), np.zeros(101))
    lp = lb.gaussian_mixture_logpdf(x, [1.0], [0.0], [1.0])
    assert lb.grid_kl_divergence(x, lp, lp) == 0.0


# --- 14 ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: lb.softmax_cross_entropy([[0], [1, 2]], [[0.0, 1.0, 2.0]] * 2),
        lambda: lb.multiclass_hinge([[0], [1, 2]], [[0.0, 1.0, 2.0]] * 2),
        lambda: lb.categorical_accuracy([[0], [1, 2]], [[0.0, 1.0, 2.0]] * 2),
        lambda: lb.crammer_singer_hinge([[0], [1, 2]], [[0.0, 1.0, 2.0]] * 2),
        lambda: lb.categorical_nll([[0], [1, 2]], [0.2, 0.3, 0.5]),
        lambda: lb.mse([[0.0], [1.0, 2.0]], [[0.0, 1.0]] * 2),
    ],
)
def test_item14_ragged_labels_name_the_argument(call):
    with pytest.raises(TypeError, match=r"^(y_true|labels) must be .*ragged"):
        call()


# --- 15 ------------------------------------------------------------------------
def test_item15_a_large_bad_array_gives_a_short_message():
    bad = np.full(200_000, np.nan)
    for call in (
        lambda: lb.mse(np.zeros(200_000), bad),
        lambda: lb.laplace_nll(np.zeros(200_000), 0.0, -np.ones(200_000)),
        lambda: lb.binary_cross_entropy(np.zeros(200_000), np.full(200_000, 2.0)),
        lambda: lb.gaussian_nll(np.zeros(200_000), np.zeros(200_000), -np.ones(200_000)),
    ):
        with pytest.raises(ValueError) as info:
            call()
        msg = str(info.value)
        assert len(msg) < 300 and "(and 199999 more)" in msg
    with pytest.raises(ValueError) as info:
        lb.multiclass_hinge([[2] * 100_000], [[0.0] * 100_000])
    assert len(str(info.value)) < 300


# --- 16 ------------------------------------------------------------------------
def test_item16_float16_probability_rows_can_pass_the_sum_check():
    p16 = np.array([[0.1, 0.2, 0.7]], dtype=np.float16)
    assert float(p16.astype(float).sum()) != 1.0
    ref = -math.log(float(p16[0, 2]))
    assert ulps(lb.categorical_cross_entropy([2], p16), ref) <= 1
    assert np.isfinite(lb.entropy(p16[0]))
    with pytest.raises(ValueError, match=r"scaled to the precision of the float16 input"):
        lb.entropy(np.array([0.5, 0.6], dtype=np.float16))


# --- 17 ------------------------------------------------------------------------
def test_item17_messages_without_stutter_empty_index_or_bool_parameters():
    with pytest.raises(ValueError) as info:
        lb.categorical_nll([0, 5], [[0.5, 0.5]] * 2)
    assert "labels labels" not in str(info.value)
    with pytest.raises(ValueError) as info:
        lb.gaussian_nll([0.0], [0.0], np.float64("nan"))
    assert "index []" not in str(info.value)
    with pytest.raises(TypeError, match=r"sigma must be a real number or array"):
        lb.gaussian_nll([0.0], [0.0], True)
    with pytest.raises(TypeError, match=r"scale must be a real number or array"):
        lb.laplace_nll([0.0], 0.0, True)


# --- 18 ------------------------------------------------------------------------
def test_item18_huber_far_residual_does_not_warn_overflow():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(lb.huber([0.0], [1e200])) == 1e200 - 0.5
        lb.huber([0.0], [1e200], reduction="none")


# --- 19 ------------------------------------------------------------------------
@pytest.mark.parametrize("n", [25, 1000, 40_000])
def test_item19_sum_reduction_is_within_two_ulps_of_the_exact_sum(n):
    rng = np.random.default_rng(n)
    z = rng.normal(size=(n, 5)) * 3
    y = rng.integers(0, 5, size=n)
    x = rng.normal(size=n)
    cases = [
        (lb.softmax_cross_entropy, (y, z)),
        (lb.mse, (x, x + rng.normal(size=n))),
        (lb.binary_cross_entropy_with_logits, ((x > 0).astype(float), z[:, 0])),
        (lb.gaussian_nll, (x, np.zeros(n), 0.3)),  # terms of both signs
        (lb.huber, (x, 3 * x)),
    ]
    for f, args in cases:
        per = f(*args, reduction="none")
        assert ulps(f(*args, reduction="sum"), math.fsum(per)) <= 2, f.__name__
        assert ulps(f(*args, reduction="mean"), math.fsum(per) / n) <= 2, f.__name__


# --- fuzz findings in the library functions of issue 11 -------------------------
def test_gaussian_kl_diag_tiny_or_far_apart_scales_stay_finite():
    # b * b underflowed (0 / 0 = NaN) and 1 + x rounded to 0 (log 0 = -inf)
    assert lb.gaussian_kl_diag([0.0], [1e-200], [0.0], [1e-200]) == 0.0
    got = lb.gaussian_kl_diag([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1e100])
    want = mp.log(mp.mpf(1e100)) + 1 / (2 * mp.mpf(1e100) ** 2) - mp.mpf(1) / 2
    assert ulps(got, want) <= 4
    got = lb.gaussian_kl_diag([0.0], [5e-324], [0.0], [1.0])
    want = -mp.log(mp.mpf(5e-324)) + mp.mpf(5e-324) ** 2 / 2 - mp.mpf(1) / 2
    assert ulps(got, want) <= 4
    with np.errstate(all="raise"):
        assert lb.gaussian_kl_diag([0.0], [1e300], [0.0], [1.0]) == math.inf  # true 5e599, not NaN


def test_mutual_information_of_a_cell_below_1e_154_is_finite():
    # p_i. p_.j underflowed to 0: the ratio was inf and the result inf
    joint = [[1e-200, 0.0], [0.0, 1.0]]
    want = mp.mpf(1e-200) * mp.log(1 / mp.mpf(1e-200))
    assert ulps(lb.mutual_information(joint), want) <= 4
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        got = lb.mutual_information([[1.0, 0.0], [0.0, 5e-324]])
    assert got == pytest.approx(float(mp.mpf(5e-324) * mp.log(1 / mp.mpf(5e-324))), rel=0.5)  # subnormal


def test_poisson_nll_overflowing_terms_give_the_true_value_not_nan():
    # e^eta = inf and y eta = inf gave inf - inf = NaN; lgamma(y + 1) raised OverflowError
    y, eta = 1.5e308, 709.0
    for full in (False, True):
        got = lb.poisson_nll([y], [eta], full=full, reduction="none")[0]
        want = mp.exp(eta) - mp.mpf(y) * eta + (mp.loggamma(mp.mpf(y) + 1) if full else 0)
        big = mp.mpf(y) * eta
        if abs(want) > np.finfo(float).max:
            assert got == (math.inf if want > 0 else -math.inf)
        else:
            assert abs(got - want) <= 1e-13 * big
    assert lb.poisson_nll([1e306], [710.0], reduction="none")[0] == -math.inf  # true -7.1e308
    assert lb.poisson_nll([1.0], [720.0], reduction="none")[0] == math.inf


def test_poisson_nll_grad_finite_where_exp_overflows_but_the_mean_does_not():
    g = lb.poisson_nll_grad([0.0, 0.0], [710.0, 0.0])
    assert ulps(g[0], mp.exp(710) / 2) <= 4
    assert g[1] == 0.5


def test_pinball_loss_with_an_overflowing_residual():
    # quantile 0: 0 * inf = NaN; quantile 0.25: tau * inf where the loss is 5e307
    assert lb.pinball_loss([1e308], [-1e308], quantile=0.0) == 0.0
    assert lb.pinball_loss([-1e308], [1e308], quantile=0.0) == math.inf  # true 2e308
    assert ulps(lb.pinball_loss([1e308], [-1e308], quantile=0.25), mp.mpf(1e308) / 2) <= 2
    assert ulps(lb.pinball_loss([-1e308], [1e308], quantile=0.75), mp.mpf(1e308) / 2) <= 2


def test_fit_temperature_is_scale_equivariant_at_tiny_and_huge_logits():
    # logits of 1e-300 hit the bracket's 2**60 limit and were reported "separated"; 1e300 overflowed
    z = np.array([[4.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    t = lb.fit_temperature(z, [0, 1, 1])
    for s in (1e-300, 1e300, 1e-8):
        with np.errstate(all="raise"):
            assert lb.fit_temperature(z * s, [0, 1, 1]) == pytest.approx(t * s, rel=1e-9)
    with pytest.raises(ValueError, match="y_true"):  # the message names the argument
        lb.fit_temperature(z, [0, 0, 1])


def test_fit_platt_scores_of_1e_minus_300_are_not_constant():
    # the standard deviation underflowed to 0 ("scores are constant") or overflowed at 1e300
    s = np.array([0.0, 0.0, 1.0, 2.0, -1.0])
    y = [0, 1, 0, 1, 0]
    a, b = lb.fit_platt(s, y)
    for c in (1e-300, 1e300):
        with np.errstate(over="raise", invalid="raise"):
            ac, bc = lb.fit_platt(s * c, y)
        assert ac == pytest.approx(a / c, rel=1e-9)
        assert bc == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_softmax_cross_entropy_label_smoothing_at_huge_logits_is_finite():
    # W (m + l) - z . w overflowed (inf) where each term is finite: 0.5 (1.5e308 + 0)
    z = [[0.0, 1.5e308]]
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        got = lb.softmax_cross_entropy([0], z, label_smoothing=1.0)
    assert ulps(got, mp.mpf(1.5e308) / 2) <= 2


def test_softmax_cross_entropy_weighted_mean_finite_with_huge_weights():
    # w_y loss_i overflows but the weighted mean sum(w_y loss) / sum(w_y) is 1e17
    z = np.zeros((2, 2))
    z[0, 1] = 1e17
    w = [1e300, 1e300]
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        got = lb.softmax_cross_entropy([0, 0], z, weight=w)
    want = (mp.mpf(1e17) + mp.log(2)) / 2
    assert ulps(got, want) <= 2


def test_softmax_cross_entropy_grad_with_options_keeps_saturated_values():
    # p_y - 1 computed by subtraction lost 4.25e-18 (issue 18 item 6, on the options path)
    g = lb.softmax_cross_entropy_grad([0], [[40.0, 0.0]], weight=[1.0, 1.0])
    want = 1 / (1 + mp.exp(40))
    assert ulps(-g[0, 0], want) <= 4 and ulps(g[0, 1], want) <= 4


def test_squared_multiclass_hinge_overflow_is_silent_and_the_gradient_finite():
    with np.errstate(all="raise"):
        assert lb.multiclass_hinge([0], [[0.0, 1e300]], squared=True) == math.inf  # true 1e600
        g = lb.multiclass_hinge_grad([0, 0], [[0.0, 1e308], [0.0, 0.0]], squared=True, margin=1e-300)
    assert ulps(g[0, 1], mp.mpf(1e308)) <= 2  # 2 d / n with n = 2, not (2 d) / n = inf


def test_softmax_focal_loss_with_a_log_probability_below_minus_max_float():
    # z - lse overflowed to -inf (a RuntimeWarning) and the gradient took 0 * -inf = NaN
    z = [[0.0, 0.0, 1e300, -np.finfo(float).max]]
    for y in ([[1.0, 0.0, 0.0, 0.0]], [0]):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            assert lb.softmax_focal_loss(y, z, gamma=0.0) == 1e300
            g = lb.softmax_focal_loss_grad(y, z, gamma=2.0)
        assert g.tolist() == [[-1.0, 0.0, 1.0, 0.0]]


def test_softmax_cross_entropy_target_rows_with_options_and_a_log_probability_below_minus_max_float():
    # log p = -inf (z - lse overflowed) gave a warning, 0 * -inf = NaN with weight 0, inf for 1.26e308
    z = np.zeros((1, 5))
    z[0, 3], z[0, 4] = 1.5e308, -2.97693135e307
    t = np.full((1, 5), 0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert lb.softmax_cross_entropy(t, z, weight=np.zeros(5), reduction="none")[0] == 0.0
        got = lb.softmax_cross_entropy(t, z, weight=np.ones(5), reduction="none")[0]
    want = mp.fsum(mp.mpf("0.2") * (mp.mpf(1.5e308) - M) for M in map(mp.mpf, z[0]))
    assert abs(got - want) <= 1e-15 * abs(want)


# --- issue 18, items checked over every public function (this session) ---------
def test_item01_masked_scalar_parameters_are_refused_in_every_function():
    # a masked 0-d label_smoothing was read as "no smoothing" (masked != 0 is masked, falsy)
    hidden = np.ma.array(0.1, mask=True)
    for call in (
        lambda: lb.softmax_cross_entropy([0], [[0.0, 1.0]], label_smoothing=hidden),
        lambda: lb.softmax_cross_entropy_grad([0], [[0.0, 1.0]], label_smoothing=hidden),
    ):
        with pytest.raises(TypeError, match=r"^label_smoothing must be a real number, got MaskedArray"):
            call()
    # the demo generators multiplied by a masked scalar (its hidden value) silently
    for kw in ("slope", "intercept", "noise", "outlier_scale"):
        with pytest.raises(TypeError, match=rf"^{kw} must be a real number"):
            demos.make_regression_with_outliers(5, **{kw: np.ma.array(1.0, mask=True)})
    with pytest.raises(TypeError, match=r"^tol must be a real number"):
        demos.fit_linear_regression([0, 1, 2], [1, 3, 5], tol=np.ma.array(1e-9, mask=True))
    x = np.linspace(-10, 10, 201)
    with pytest.raises(TypeError, match=r"^mu0 must be a real number"):
        demos.fit_gaussian_kl(x, lb.gaussian_mixture_logpdf(x, [1.0], [0.0], [1.0]), mu0=np.ma.array(0.0, mask=True))
    # one line, not numpy's multi-line masked-array repr
    with pytest.raises(TypeError) as info:
        lb.multi_margin([0], [[0.0, 1.0]], p=np.ma.array(1, mask=True))
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_item15_how_many_more_bad_entries_in_every_message():
    # 0/1 labels, counts, scales and eps grids named only the first bad entry
    n = 50_000
    cases = [
        (lambda: lb.binary_accuracy(np.full(n, 0.5), np.full(n, 0.5)), "y_true", n - 1),
        (lambda: demos.clip_sweep(np.full(n, 2.0), np.full(n, 0.5), [0.1]), "y_true", n - 1),
        (lambda: lb.poisson_nll(-np.ones(n), np.zeros(n)), "y_true", n - 1),
        (lambda: lb.gaussian_entropy(-np.ones(n)), "sigma", n - 1),
        (lambda: lb.gaussian_kl_diag(np.zeros(n), np.ones(n), np.zeros(n), np.zeros(n)), "s2", n - 1),
        (lambda: demos.clip_sweep([0.0], [0.5], np.full(n, 0.7)), "eps_values", n - 1),
    ]
    for call, name, more in cases:
        with pytest.raises(ValueError) as info:
            call()
        msg = str(info.value)
        assert msg.startswith(name) and len(msg) < 200, msg
        assert f"at index [0] (and {more} more)" in msg or f"at index 0 (and {more} more)" in msg, msg


def test_item17_bool_scale_and_option_parameters_are_refused():
    # sigma=True was read as 1 (the scale arrays accepted bools), p=True as "not 1 or 2"
    with pytest.raises(TypeError, match=r"^sigma must be a real number or array, got bool True"):
        lb.gaussian_entropy(True)
    with pytest.raises(TypeError, match=r"^s2 must be a real number or array"):
        lb.gaussian_kl_diag([0.0], [1.0], [0.0], np.array([True]))
    with pytest.raises(TypeError, match=r"^p must be the integer 1 or 2"):
        lb.multi_margin([0], [[0.0, 1.0]], p=True)
    with pytest.raises(TypeError, match=r"^label_smoothing must be a real number, got bool False"):
        lb.softmax_cross_entropy([0], [[0.0, 1.0]], label_smoothing=False)
    with pytest.raises(TypeError, match=r"^bias must be a real number"):
        demos.make_binary(5, bias=True)
    with pytest.raises(TypeError, match=r"^scale must be a real number"):
        demos.make_multilabel(5, scale=True)
    with pytest.raises(TypeError, match=r"^tol must be a real number"):
        demos.fit_linear_regression([0, 1, 2], [1, 3, 5], tol=True)
    with pytest.raises(ValueError, match=r"^weight must be finite"):
        demos.make_binary(5, weight=[np.nan, 1.0])


def test_item17_loss_along_line_names_its_own_label_argument():
    # the message said "y_true", which loss_along_line does not have
    with pytest.raises(ValueError, match=r"^y must hold 0/1 labels, got 2.0 at index \[0\]"):
        demos.loss_along_line([[1.0, 1.0]], [2.0], [0.0, 0.0], [1.0, 0.0], [0.0])


def test_huber_quadratic_part_that_overflows_is_plus_inf_not_minus_inf():
    # fuzz finding: |r| <= delta = 1e300 but 0.5 r^2 overflows; the far-residual repair
    # was applied to it too, giving delta (|r| - delta / 2) = -inf (and NaN in sums)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert lb.huber([0.0], [3e243], delta=1e300, reduction="none").tolist() == [math.inf]
        assert lb.huber([0.0, 0.0], [3e243, -1e308], delta=1e300) == math.inf
        assert lb.huber([[0.0, 0.0]], [[3e243, 1.0]], delta=1e300, reduction="none").tolist() == [math.inf]


def test_item11_heteroscedastic_grad_with_sigma_out_of_range_has_no_nan():
    # fuzz finding (was KNOWN_OPEN): terms of +inf and -inf where sigma = exp(c + d x)
    # underflows, and inf * 0 in g_mu * x, summed to NaN with a RuntimeWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        g = demos.heteroscedastic_gaussian_nll_grad([1.0, 0.0, -1e300, 0.0], [1.0, 2.0], [0.0, 1.0])
        assert g.tolist() == [math.inf, math.inf, -math.inf, -math.inf]  # true: +-1e(8.7e299)
        g = demos.heteroscedastic_gaussian_nll_grad([1.0, 0.0, -800.0, 0.0], [1.0, -1.0], [0.0, 2.0])
        # (mu - y) / sigma^2 = (1, -1) e^1600: the terms cancel exactly in a, add up in b
        assert g[0] == 0.0 and g[1] == math.inf and g[2] == -math.inf and not np.isnan(g).any()
        g = demos.heteroscedastic_gaussian_nll_grad([-2.18, -1e300, -1e300, -4.79],
                                                    [0.93, -1.35, -2.86, 1.45], [-709.0, -1.0, 1.1e16, 745.2])
        assert not np.isnan(g).any()
    # a large finite gradient (the direct sums) is still right
    theta, x, y = [0.5, -0.2, -300.0, 0.1], [1.0, 2.0, -1.0], [0.0, 1.0, 3.0]
    g = demos.heteroscedastic_gaussian_nll_grad(theta, x, y)
    mu = [theta[0] + theta[1] * v for v in x]
    ls = [mp.mpf(theta[2]) + theta[3] * mp.mpf(v) for v in x]
    want_a = mp.fsum((m - t) * mp.exp(-2 * s) for m, t, s in zip(mu, y, ls)) / 3
    assert abs(g[0] - want_a) <= 1e-12 * abs(want_a)  # exp(600): the rounding of c + d x, x 600


# --- deep fuzz campaign findings (this session), near the float range ---------
M = np.finfo(float).max


def _no_warning(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return fn(*args, **kw)


def test_row_mean_is_finite_when_one_element_is_beyond_the_float_range():
    # |p - y| = 1.8e308 + 1e292 overflows, but the row's mean 9e307 does not (and warned)
    y, p = [[0.0, M]] + [[0.0, 0.0]] * 3, [[0.0, -9.97920155e291]] + [[0.0, 0.0]] * 3
    want = (mp.mpf(M) + mp.mpf(-9.97920155e291) * -1) / 2
    got = _no_warning(lb.mae, y, p, reduction="none")
    assert ulps(got[0], want) <= 1 and got[1:].tolist() == [0.0] * 3
    assert ulps(_no_warning(lb.mae, y, p), want / 4) <= 2
    g = _no_warning(lb.mse_grad, [[0.0, M]] * 2, [[0.0, -1e292]] * 2)
    assert ulps(g[0, 1], -2 * (mp.mpf(M) + mp.mpf(1e292)) / 4) <= 2
    assert _no_warning(lb.mae_grad, [[0.0, M]], [[0.0, -1e292]]).tolist() == [[0.0, -0.5]]
    assert _no_warning(lb.huber_grad, [[0.0, M]], [[0.0, -1e292]]).tolist() == [[0.0, -0.5]]


def test_poisson_nll_row_with_plus_and_minus_overflowing_terms_is_finite_not_nan():
    # e^710 = inf and -1.5e308 * 2 = -inf in one row: NaN (and a warning) for a finite mean
    y, eta = [[0.0, 1.5e308], [0.0, 0.0]], [[710.0, 2.0], [0.0, 0.0]]
    want = (mp.exp(710) - mp.mpf(1.5e308) * 2) / 2
    got = _no_warning(lb.poisson_nll, y, eta, reduction="none")
    assert abs(got[0] - want) <= 1e-15 * abs(want) and got[1] == 1.0
    # samples of +inf and -inf whose sum overflows: -inf, not fsum's OverflowError or NaN
    assert _no_warning(lb.poisson_nll, [1.5e308, 1.5e308, 0.0], [0.5, 1.0, 0.0], reduction="sum") == -math.inf


def test_gaussian_nll_grad_sigma_shared_tiny_sigma_is_minus_inf_not_nan():
    # 1 / sigma = +inf and r^2 / sigma = -inf terms summed to NaN for the shared sigma
    g = _no_warning(lb.gaussian_nll_grad_sigma, [[0.0, 0.0]], [[0.0, 2.2250738585072014e-308]], 5e-324)
    assert g == -math.inf
    # and where (y - mu) / sigma itself overflows (inf / inf in the scaled sum of squares)
    assert _no_warning(lb.gaussian_nll_grad_sigma, [0.0] * 5, [0.0, 0.0, 0.0, 0.0, 0.5], 5e-324) == -math.inf


def test_sum_of_per_sample_means_matches_none_where_the_terms_cancel():
    # (N, K) input: the sum was formed from the elements, 3.5 ulps from the sum of the "none" values
    s = np.array([[5e-324, 5e-324, 1e-8], [1e-8, 1e-8, 5e-324], [1e-170, 1e-8, 1e-8], [1.0, 7.0, 1e8]])
    y = np.zeros((4, 3))
    per = lb.gaussian_nll(y, y, s, reduction="none")
    assert ulps(lb.gaussian_nll(y, y, s, reduction="sum"), math.fsum(per)) <= 2
    assert ulps(lb.gaussian_nll(y, y, s), math.fsum(per) / 4) <= 2


def test_median_of_two_values_near_max_float_does_not_overflow():
    assert _no_warning(lb.fit_laplace, [1.5e308, 1.5e308]) == (1.5e308, 0.0)


def test_log_softmax_below_minus_max_float_is_minus_inf_without_a_warning():
    z = [0.0, -1.5e308, 2.97693135e307]
    assert _no_warning(lb.log_softmax, z)[1] == -math.inf
    assert _no_warning(lb.softmax_cross_entropy, [0], [[-M, 0.0, 1e300]]) == math.inf
    assert _no_warning(lb.softmax_focal_loss, [0], [[-M, 0.0, 1e300]], gamma=0.0) == math.inf


def test_softmax_cross_entropy_grad_over_a_subnormal_total_weight_is_silent():
    # label smoothing 1, weights 0 and 5e-324: g / denom overflows (the true value does) with a warning
    g = _no_warning(lb.softmax_cross_entropy_grad, [3, 0], np.zeros((2, 4)), label_smoothing=1.0,
                    weight=np.array([0.0, 0.0, 0.5, 5e-324]))
    assert not np.isnan(g).any()


def test_logits_that_overflow_are_refused_by_name():
    # X @ w = inf reached binary_cross_entropy_with_logits, whose message named "logits"
    for call in (lambda: demos.logistic_model_loss([1.8e8, 0.0], [[1e300, 0.0]], [1.0]),
                 lambda: demos.logistic_model_grad([1.8e8, 0.0], [[1e300, 0.0]], [1.0])):
        with pytest.raises(ValueError, match=r"^X @ w must be finite \(the logits\), got inf for row 0 of X"):
            call()
    with pytest.raises(ValueError, match=r"^X @ \(w \+ t direction\) \+ b must be finite"):
        demos.loss_along_line([[1e300, 0.0]], [1.0], [1.8e8, 0.0], [0.0, 1.0], [0.0])


def test_fit_gaussian_kl_refuses_a_log_p_whose_mass_overflows_by_name():
    # exp(1e300) overflowed; the NaN reached gaussian_nll, whose message named "mean"
    x = np.linspace(-10, 10, 201)
    lp = lb.gaussian_mixture_logpdf(x, [1.0], [0.0], [1.0])
    lp[5] = 1e300
    with pytest.raises(ValueError, match=r"^log_p must be a log-density whose mass"):
        demos.fit_gaussian_kl(x, lp)


def test_the_logistic_model_does_not_depend_on_the_memory_layout():
    X = np.array([[0.0, 0.5], [0.0, 0.0], [0.0, 1.0], [0.0, 9.00719925e15]])
    y = np.zeros(4)
    ref = demos.logistic_model_grad([0.0, 0.0], X, y)
    wide = np.repeat(X, 2, axis=1)[:, ::2]
    assert demos.logistic_model_grad([0.0, 0.0], wide, y).tolist() == ref.tolist()
    assert demos.logistic_model_grad([0.0, 0.0], np.asfortranarray(X), y).tolist() == ref.tolist()


def test_heteroscedastic_grad_log_space_sums_keep_each_term():
    # the log-space sums (a) squared the residual twice for r^2 (2 a instead of a), NaN
    # from 2 a = inf; (b) lost every term when the largest -log sigma and the largest
    # |mu - y| belonged to different samples (0 or 1 instead of +-inf); (c) halved a
    # subnormal residual to 0; and a huge residual of x = 0 set the scale of sum r^2 x,
    # underflowing the others (gd = -1/3 instead of 5.5e21)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        g = demos.heteroscedastic_gaussian_nll_grad([-400.0, 1.0, -400.0, -1e10], [0.5, 1.0, 1.0],
                                                    [-1e300, -710.0, -1e10])
        assert g.tolist() == [math.inf, math.inf, -math.inf, -math.inf]
        g = demos.heteroscedastic_gaussian_nll_grad([5e-324, 1e-300, -1e300, 2.0], [0.0], [0.0])
        assert g[0] == math.inf and g[2] == -math.inf
        g = demos.heteroscedastic_gaussian_nll_grad([-3.0, 710.0, 1.0, 1.0], [0.0, -3.0, 2.0], [1e300, -1e10, 400.0])
    mu = [mp.mpf(-3) + 710 * v for v in (0, -3, 2)]
    r2 = [((mp.mpf(t) - m) * mp.exp(-(1 + mp.mpf(v)))) ** 2 for t, m, v in zip((1e300, -1e10, 400.0), mu, (0, -3, 2))]
    want_d = mp.fsum((1 - q) * v for q, v in zip(r2, (0, -3, 2))) / 3
    assert abs(g[3] - want_d) <= 1e-12 * abs(want_d)


def test_softmax_focal_loss_grad_keeps_its_saturated_value():
    # b - p sum(b) with p_y = 1 - 9.4e-14 lost 1.7e-4 of -(1 - p_y) (gamma 0 is cross-entropy)
    z = np.array([[14.0, -16.0]])
    want = -1 / (1 + mp.exp(30))
    g = lb.softmax_focal_loss_grad([0], z, gamma=0.0)
    assert ulps(g[0, 0], want) <= 4
    assert abs(g[0, 1] + want) <= 1e-14 * abs(want)  # p = exp(log p): log p's rounding, times 30
    assert ulps(lb.softmax_cross_entropy_grad([0], z)[0, 0], want) <= 4


def test_weighted_target_rows_keep_a_tiny_loss_exact():
    # log(sum exp(z - m)) = log(1 + 2e-9) kept 7 digits of the loss; log1p of the rest keeps 16
    z = np.array([[-20.0, -37.0, 0.0, -40.0]])
    want = mp.mpf("0.125") * mp.log(mp.fsum(mp.exp(mp.mpf(v)) for v in z[0]))
    got = lb.softmax_cross_entropy(np.full((1, 4), 0.25), z, weight=np.array([0.0, 0.0, 0.5, 0.0]), reduction="none")
    assert ulps(got[0], want) <= 4


def test_brier_score_refuses_a_column_of_binary_probabilities():
    # y_prob of shape (N, 1) was read as one-class rows: a Brier score of 0 for any input
    with pytest.raises(ValueError, match=r"^y_prob rows must have at least 2 classes, got shape \(2, 1\)"):
        lb.brier_score([0.0, 0.0], [[1.0], [1.0]])
    assert lb.brier_score([0.0, 0.0], [1.0, 1.0]) == 1.0


def test_undefined_mean_gradient_names_its_arguments():
    with pytest.raises(ValueError, match=r"y_true .*ignore_index.*weight"):
        lb.softmax_cross_entropy_grad([0, 0], np.zeros((2, 2)), ignore_index=0)


def test_mean_of_samples_that_overflow_with_opposite_signs_follows_the_elements():
    # per-sample values -inf (true -3.5e310) and +inf (true 3e323) reduced to NaN with a warning;
    # the elements' extended-precision sum gives the true +inf
    y = np.array([[0.0, 1.5e308, 0.0], [0.0, 0.0, 0.0]])
    eta = np.array([[0.0, 709.78, 0.0], [0.0, 0.0, 745.2]])
    assert _no_warning(lb.poisson_nll, y, eta) == math.inf
    assert _no_warning(lb.poisson_nll, y, eta, reduction="sum") == math.inf
    assert _no_warning(lb.poisson_nll, y, eta, reduction="none").tolist() == [-math.inf, math.inf]


def test_binary_focal_loss_grad_keeps_its_saturated_value():
    # sigma(29) - 1 by subtraction lost 3.8e-4 of -sigma(-29) (gamma 0 is cross-entropy)
    want = -1 / (1 + mp.exp(29))
    assert ulps(lb.binary_focal_loss_grad([1.0], [29.0], gamma=0.0)[0], want) <= 4
    assert ulps(lb.binary_focal_loss_grad([0.0], [-29.0], gamma=0.0)[0], -want) <= 4
    y = 1 - 2**-53  # a soft target next to 1: sigma(z) - y = (1 - y) - sigma(-z), 1 - y exact
    want = 1 / (1 + mp.exp(-29)) - mp.mpf(y)
    assert ulps(lb.binary_focal_loss_grad([y], [29.0], gamma=0.0)[0], want) <= 4


def test_undefined_weighted_mean_names_ignore_index():
    with pytest.raises(ValueError, match=r"not ignored \(ignore_index\) and has a positive weight"):
        lb.softmax_cross_entropy([0], [[0.0, 0.0]], ignore_index=0)
    with warnings.catch_warnings():  # and the heteroscedastic gradient's check of g_mu x is silent
        warnings.simplefilter("error", RuntimeWarning)
        g = demos.heteroscedastic_gaussian_nll_grad([1e300, 0.0, 1.0, 3.625], [0.0, 0.0, -3.0], [0.0, 0.0, 0.0])
    assert not np.isnan(g).any()
