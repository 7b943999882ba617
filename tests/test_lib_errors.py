"""Bad input raises ValueError/TypeError naming the argument (tested by text)."""

import numpy as np
import pytest

import lossbook as lb

Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
P = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])


@pytest.mark.parametrize(
    "call, exc, pattern",
    [
        # shapes / lengths: no silent broadcasting
        (lambda: lb.mse([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, r"y_true and y_pred must have the same shape, got y_true \(2,\) and y_pred \(3,\)"),
        (lambda: lb.mse(np.ones((3, 1)), np.ones(3)), ValueError, r"same shape"),
        (lambda: lb.softmax_cross_entropy([0, 1, 2], Z), ValueError, r"3 labels and 2 rows in logits"),
        (lambda: lb.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]), ValueError, r"p and q must have the same shape"),
        (lambda: lb.binary_cross_entropy([1, 0, 1], [0.5, 0.5]), ValueError, r"y_true and y_prob must have the same shape"),
        (lambda: lb.softmax_cross_entropy(np.eye(3), Z), ValueError, r"y_true \(soft or one-hot targets\) must have the same shape as logits"),
        # NaN / inf
        (lambda: lb.softmax_cross_entropy([0, 1], [[1.0, np.nan, 0.0], [0, 0, 0]]), ValueError, r"logits must be finite, got nan at index \[0, 1\]"),
        (lambda: lb.logsumexp([1.0, np.inf]), ValueError, r"z must be finite, got inf at index \[1\]"),
        (lambda: lb.mse([np.nan], [1.0]), ValueError, r"y_true must be finite"),
        (lambda: lb.binary_cross_entropy([1.0], [np.nan]), ValueError, r"y_prob must not contain NaN"),
        # probabilities / targets out of range
        (lambda: lb.binary_cross_entropy([1.0], [1.5]), ValueError, r"y_prob must be probabilities in \[0, 1\], got 1.5 at index \[0\]"),
        (lambda: lb.binary_cross_entropy_with_logits([2.0], [0.5]), ValueError, r"y_true must be targets in \[0, 1\], got 2.0"),
        (lambda: lb.entropy([-0.1, 1.1]), ValueError, r"p must be probabilities in \[0, 1\], got -0.1"),
        # rows not summing to 1
        (lambda: lb.categorical_cross_entropy([0, 1], [[0.5, 0.5], [0.6, 0.5]]), ValueError, r"y_prob rows must sum to 1 \(row 1 sums to 1.1; tolerance 1e-06\); pass normalize=True to rescale"),
        (lambda: lb.entropy([0.5, 0.4]), ValueError, r"p rows must sum to 1 \(row 0 sums to 0.9"),
        (lambda: lb.softmax_cross_entropy([[0.5, 0.6, 0.0], [1, 0, 0]], Z), ValueError, r"y_true rows must sum to 1 \(row 0 sums to 1.1"),
        # labels
        (lambda: lb.softmax_cross_entropy([0, 3], Z), ValueError, r"y_true labels must be in \[0, 2\] \(n_classes=3\), got 3 at index \[1\]"),
        (lambda: lb.softmax_cross_entropy([0, -1], Z), ValueError, r"got -1 at index \[1\]"),
        (lambda: lb.multiclass_hinge([0.5, 1.0], Z), ValueError, r"y_true must hold integer class labels, got 0.5 at index \[0\]"),
        (lambda: lb.multiclass_hinge([[0, 1, 1], [1, 0, 0]], Z), ValueError, r"must be one-hot rows"),
        # empty
        (lambda: lb.mse([], []), ValueError, r"y_pred must be non-empty"),
        (lambda: lb.softmax_cross_entropy([], np.zeros((0, 3))), ValueError, r"logits must be non-empty"),
        (lambda: lb.entropy([]), ValueError, r"p must be non-empty"),
        # wrong rank
        (lambda: lb.softmax_cross_entropy([0], [1.0, 2.0]), ValueError, r"logits must be a 2-D array, got a 1-D array of shape \(2,\)"),
        (lambda: lb.categorical_cross_entropy([0], np.ones((1, 1, 1))), ValueError, r"y_prob must be a 2-D array"),
        (lambda: lb.mse(1.0, 1.0), ValueError, r"y_pred must have at least 1 dimension"),
        (lambda: lb.softmax_cross_entropy(np.zeros((2, 3, 1)), Z), ValueError, r"y_true must be integer labels of shape \(N,\) or target rows"),
        # parameters out of range
        (lambda: lb.huber([0.0], [1.0], delta=0.0), ValueError, r"delta must be a finite number > 0, got 0.0"),
        (lambda: lb.huber([0.0], [1.0], delta=-1), ValueError, r"delta must be a finite number > 0, got -1"),
        (lambda: lb.multiclass_hinge([0, 1], Z, margin=-1.0), ValueError, r"margin must be a finite number > 0, got -1.0"),
        (lambda: lb.gaussian_nll([0.0, 1.0], [0.0, 0.0], [1.0, 0.0]), ValueError, r"sigma must be positive and finite, got 0.0 at index \[1\]"),
        (lambda: lb.gaussian_nll([0.0], [0.0], -2.0), ValueError, r"sigma must be positive and finite, got -2.0"),
        (lambda: lb.gaussian_nll([0.0, 1.0], [0.0, 0.0], [1.0, 1.0, 1.0]), ValueError, r"sigma must be a scalar or have the same shape as mean"),
        (lambda: lb.binary_cross_entropy([1.0], [0.5], eps=0.7), ValueError, r"eps must be a finite number > 0 and < 0.5, got 0.7"),
        (lambda: lb.entropy([0.5, 0.5], base=1), ValueError, r"base must be a finite number > 1"),
        (lambda: lb.entropy([0.5, 0.5], base=-2), ValueError, r"base must be a finite number > 1"),
        # reduction
        (lambda: lb.mse([1.0], [1.0], reduction="avg"), ValueError, r"reduction must be one of 'mean', 'sum' or 'none', got 'avg'"),
        (lambda: lb.softmax_cross_entropy([0], [[1.0, 2.0]], reduction=None), ValueError, r"reduction must be one of"),
        # non-numeric
        (lambda: lb.mse(["a", "b"], [1.0, 2.0]), TypeError, r"y_true must be a numeric .* array, got dtype <U1"),
        (lambda: lb.softmax("abc"), TypeError, r"z must be a numeric array, got str"),
        (lambda: lb.logsumexp([object(), 1]), TypeError, r"z must be a numeric .*got dtype object"),
        (lambda: lb.mse(None, [1.0]), TypeError, r"y_true must be a numeric array, got NoneType"),
        (lambda: lb.sigmoid([1 + 2j]), TypeError, r"z must be a numeric .*got dtype complex128"),
        (lambda: lb.softmax_cross_entropy(["a", "b"], Z), TypeError, r"y_true must be an array of integer labels, got dtype <U1"),
        (lambda: lb.huber([0.0], [1.0], delta="1"), TypeError, r"delta must be a real number, got str"),
        (lambda: lb.categorical_cross_entropy([0, 1], P, normalize="yes"), TypeError, r"normalize must be True or False"),
        (lambda: lb.numerical_gradient(3, [1.0]), TypeError, r"f must be callable"),
        (lambda: lb.numerical_gradient(lambda v: v, [1.0, 2.0]), TypeError, r"f must return a scalar"),
    ],
)
def test_bad_input_message(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_normalize_true_rescales_instead_of_raising():
    p = np.array([[0.5, 0.5], [0.3, 0.1]])  # rows sum to 1 and 0.4
    got = lb.categorical_cross_entropy([0, 0], p, normalize=True, reduction="none")
    np.testing.assert_allclose(got, [np.log(2), -np.log(0.75)], rtol=1e-15)


def test_row_sum_tolerance_is_documented_1e_6():
    lb.categorical_cross_entropy([0], [[0.5, 0.5 + 9e-7]])  # inside tolerance
    with pytest.raises(ValueError, match="tolerance 1e-06"):
        lb.categorical_cross_entropy([0], [[0.5, 0.5 + 2e-6]])


def test_integral_float_labels_accepted():
    assert float(lb.softmax_cross_entropy(np.array([0.0, 2.0]), Z)) == float(
        lb.softmax_cross_entropy([0, 2], Z)
    )
