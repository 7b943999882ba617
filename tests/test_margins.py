"""Tests for lossbook.margins (Crammer-Singer hinge, PyTorch-style multi-margin, grids, trainer)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lossbook as lb
from lossbook import demos

# CS231n score table (rows: images of cat, car, frog; columns: cat, car, frog).
S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
Y = np.array([0, 1, 2])


def test_crammer_singer_hand_values():
    # Row by row: 1 + 5.1 - 3.2 = 2.9; 1 + 2.0 - 4.9 < 0 -> 0; 1 + 2.5 + 3.1 = 6.6.
    np.testing.assert_allclose(lb.crammer_singer_hinge(Y, S, reduction="none"), [2.9, 0.0, 6.6], rtol=1e-14)


def test_crammer_singer_matches_sklearn_hinge_loss():
    from sklearn.metrics import hinge_loss

    rng = np.random.default_rng(1)
    s = rng.normal(size=(40, 4)) * 2
    y = np.arange(40) % 4
    assert lb.crammer_singer_hinge(y, s) == pytest.approx(hinge_loss(y, s), rel=1e-13)
    assert lb.crammer_singer_hinge(Y, S) == pytest.approx(hinge_loss(Y, S), rel=1e-13)


def test_sklearn_hinge_is_not_weston_watkins():
    from sklearn.metrics import hinge_loss

    assert abs(hinge_loss(Y, S) - float(lb.multiclass_hinge(Y, S))) > 1.0


def test_d4_margin_met_exactly_gives_zero():  # claim D4
    s = [[10.0, 9.0, 9.0]]
    assert float(lb.crammer_singer_hinge([0], s)) == 0.0
    assert float(lb.multi_margin([0], s)) == 0.0


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (5, 4), elements=st.floats(-50, 50)), st.floats(0.1, 5))
def test_bounds_between_cs_and_ww(s, margin):
    y = np.arange(5) % 4
    cs = lb.crammer_singer_hinge(y, s, margin=margin, reduction="none")
    ww = lb.multiclass_hinge(y, s, margin=margin, reduction="none")
    assert np.all(cs <= ww + 1e-9)
    assert np.all(ww <= 3 * cs + 1e-9)
    np.testing.assert_allclose(lb.multi_margin(y, s, margin=margin, reduction="none"), ww / 4, rtol=1e-12, atol=1e-12)


def test_crammer_singer_grad_matches_finite_differences():
    rng = np.random.default_rng(3)
    s = rng.normal(size=(6, 4)) * 3
    y = np.array([0, 1, 2, 3, 0, 1])
    num = lb.numerical_gradient(lambda v: float(lb.crammer_singer_hinge(y, v)), s)
    np.testing.assert_allclose(lb.crammer_singer_hinge_grad(y, s), num, atol=1e-8)


def test_crammer_singer_grad_zero_when_margin_met():
    assert np.all(lb.crammer_singer_hinge_grad([0], [[10.0, 9.0, 9.0]]) == 0.0)
    assert lb.crammer_singer_hinge_grad([0], [[10.0, 9.5, 9.0]]).tolist() == [[-1.0, 1.0, 0.0]]


def test_multi_margin_value_and_p2():
    # (2.9 / 3) and ((5.1 - 3.2 + 1)^2 / 3)
    assert float(lb.multi_margin([0], S[:1])) == pytest.approx(2.9 / 3, rel=1e-14)
    assert float(lb.multi_margin([0], S[:1], p=2)) == pytest.approx(2.9**2 / 3, rel=1e-14)


def test_multi_margin_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    s = rng.normal(size=(30, 5)) * 2
    y = rng.integers(0, 5, size=30)
    for p in (1, 2):
        for margin in (1.0, 0.5):
            ref = torch.nn.functional.multi_margin_loss(
                torch.tensor(s), torch.tensor(y), p=p, margin=margin
            ).item()
            assert float(lb.multi_margin(y, s, p=p, margin=margin)) == pytest.approx(ref, rel=1e-12)


def test_inputs_not_mutated():
    s = S.copy()
    lb.crammer_singer_hinge(Y, s)
    lb.crammer_singer_hinge_grad(Y, s)
    lb.multi_margin(Y, s)
    assert np.array_equal(s, S)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: lb.crammer_singer_hinge([0, 3], S[:2]), r"y_true labels must be in \[0, 2\]"),
        (lambda: lb.crammer_singer_hinge([0, 1], S), "same number of samples"),
        (lambda: lb.crammer_singer_hinge([0], [[1.0]]), "at least 2 classes"),
        (lambda: lb.crammer_singer_hinge([0], [[1.0, np.nan]]), "scores must be finite"),
        (lambda: lb.crammer_singer_hinge([0], [[1.0, 2.0]], margin=0), "margin must be a finite number > 0"),
        (lambda: lb.crammer_singer_hinge([0], [[1.0, 2.0]], reduction="avg"), "reduction must be one of"),
        (lambda: lb.multi_margin([0], [[1.0, 2.0]], p=3), "p must be 1 or 2"),
        (lambda: lb.crammer_singer_hinge([0], [1.0, 2.0]), "scores must be a 2-D array"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_decision_grid_scores_and_labels():
    xx, yy, lab = demos.decision_grid(lambda X: np.column_stack([X[:, 0], -X[:, 0]]), (-1, 1), (0, 2), resolution=5)
    assert xx.shape == yy.shape == lab.shape == (5, 5)
    assert lab[:, 0].tolist() == [1] * 5 and lab[:, -1].tolist() == [0] * 5
    assert yy[0, 0] == 0 and yy[-1, 0] == 2


def test_decision_grid_errors():
    with pytest.raises(ValueError, match=r"xlim must be a pair \(low, high\) with low < high"):
        demos.decision_grid(lambda X: X[:, 0], (1, -1), (0, 1))
    with pytest.raises(ValueError, match="predict must return labels of shape"):
        demos.decision_grid(lambda X: X[:3, 0], (0, 1), (0, 1))
    with pytest.raises(TypeError, match="predict must be callable"):
        demos.decision_grid(3, (0, 1), (0, 1))



def test_sklearn_hinge_loss_needs_labels_when_a_class_is_missing():
    # The chapter's pitfall box: with a batch that lacks a class, sklearn's hinge_loss stops with a
    # shape error instead of returning the loss; labels= restores the Crammer-Singer value.
    from sklearn.metrics import hinge_loss

    with pytest.raises(ValueError, match="shape"):
        hinge_loss(Y[:2], S[:2])
    with pytest.raises(ValueError, match="shape"):
        hinge_loss(Y[:1], S[:1])
    assert hinge_loss(Y[:2], S[:2], labels=[0, 1, 2]) == pytest.approx(
        float(lb.crammer_singer_hinge(Y[:2], S[:2])), rel=1e-13)


def test_sklearn_hinge_loss_asks_for_labels_when_three_of_four_classes_are_present():
    # The pitfall's second case: with three of four classes in y_true the multiclass path runs
    # but stops and asks for all labels (scikit-learn 1.9.1); labels= again gives Crammer-Singer.
    from sklearn.metrics import hinge_loss

    rng = np.random.default_rng(3)
    s4 = rng.normal(size=(6, 4))
    y3 = np.array([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="Please include all labels in y_true"):
        hinge_loss(y3, s4)
    assert hinge_loss(y3, s4, labels=[0, 1, 2, 3]) == pytest.approx(
        float(lb.crammer_singer_hinge(y3, s4)), rel=1e-13)


def test_what_sklearn_svms_train_matches_the_chapter_table():
    # book/svm-versus-softmax.md, table tab-svm-libraries: LinearSVC defaults to the squared
    # binary hinge, one-versus-rest (one binary problem per class, the same as fitting each
    # class against the rest); Crammer-Singer is an option; SVC trains one-versus-one.
    import inspect

    from sklearn.svm import SVC, LinearSVC

    sig = inspect.signature(LinearSVC).parameters
    assert sig["loss"].default == "squared_hinge"
    assert sig["multi_class"].default == "ovr"
    assert sig["C"].default == 1.0
    X, y = demos.make_blobs(30, 3, seed=0, radius=2.0)
    ovr = LinearSVC(dual=False, tol=1e-10, max_iter=100_000).fit(X, y)
    assert ovr.coef_.shape == (3, 2)
    for k in range(3):
        one = LinearSVC(dual=False, tol=1e-10, max_iter=100_000).fit(X, (y == k).astype(int))
        np.testing.assert_allclose(ovr.coef_[k], one.coef_[0], atol=1e-9)
        np.testing.assert_allclose(ovr.intercept_[k], one.intercept_[0], atol=1e-9)
    cs = LinearSVC(multi_class="crammer_singer").fit(X, y)
    assert cs.coef_.shape == (3, 2)
    assert not np.allclose(cs.coef_, ovr.coef_, atol=1e-3)
    X4, y4 = demos.make_blobs(20, 4, seed=1, radius=2.0)
    ovo = SVC(kernel="linear", decision_function_shape="ovo").fit(X4, y4)
    assert ovo.decision_function(X4).shape == (len(y4), 4 * 3 // 2)
    assert "one-vs-one" in SVC.__doc__


def test_squared_multiclass_hinge_is_C_times_torch_multi_margin_p2():
    # The chapter's consistency section: lb.multiclass_hinge(..., squared=True) is C times
    # torch.nn.functional.multi_margin_loss(p=2) (PyTorch divides the sum over j != y by C).
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    for c in (3, 5):
        s = rng.normal(scale=2.0, size=(40, c))
        y = rng.integers(0, c, size=40)
        for margin in (1.0, 0.7):
            ref = torch.nn.functional.multi_margin_loss(
                torch.tensor(s), torch.tensor(y), p=2, margin=margin, reduction="none"
            ).numpy()
            ours = lb.multiclass_hinge(y, s, margin=margin, squared=True, reduction="none")
            np.testing.assert_allclose(ours, c * ref, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(
                lb.multi_margin(y, s, margin=margin, p=2, reduction="none"), ref, rtol=1e-12,
                atol=1e-14)
