"""Tests of lossbook.logloss (companion of the cross-entropy-in-practice and
mse-versus-cross-entropy chapters).

Claim IDs from shared/source-claims.md appear in comments only.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn import metrics

import lossbook as lb
from lossbook import demos


# ---------------------------------------------------------------- prediction set
def test_simulate_prediction_set_is_seeded_and_plants_wrong_items():
    y1, p1, w1 = demos.simulate_prediction_set(500, confident_wrong=4, seed=3)
    y2, p2, w2 = demos.simulate_prediction_set(500, confident_wrong=4, seed=3)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(p1, p2)
    assert int(w1.sum()) == 4
    # planted items give the true class a probability in [sigma(-4), sigma(-2.5)]
    p_true = np.where(y1 == 1, p1, 1 - p1)
    lo, hi = lb.sigmoid(-4.0), lb.sigmoid(-2.5)
    assert np.all((p_true[w1] >= lo) & (p_true[w1] <= hi))
    assert np.all((p1 > 0) & (p1 < 1))
    y3, p3, _ = demos.simulate_prediction_set(500, confident_wrong=4, seed=4)
    assert not np.array_equal(p1, p3)


def test_simulate_prediction_set_errors():
    with pytest.raises(ValueError, match=r"confident_wrong must be <= n=5, got 6"):
        demos.simulate_prediction_set(5, confident_wrong=6)
    with pytest.raises(ValueError, match=r"margin_sd must be a finite number > 0, got 0"):
        demos.simulate_prediction_set(5, margin_sd=0)
    with pytest.raises(ValueError, match=r"wrong_margin must be a pair \(a, b\) with 0 <= a < b"):
        demos.simulate_prediction_set(5, wrong_margin=(3.0, 2.0))
    with pytest.raises(TypeError, match="seed must be an int"):
        demos.simulate_prediction_set(5, seed=1.5)


# ---------------------------------------------------------------- transforms
def test_round_confident_rounds_only_the_confident():
    p = np.array([0.02, 0.1, 0.5, 0.9, 0.95])
    out = demos.round_confident(p)
    np.testing.assert_array_equal(out, [0.0, 0.1, 0.5, 0.9, 1.0])
    np.testing.assert_array_equal(demos.round_confident(p, to=1e-5), [1e-5, 0.1, 0.5, 0.9, 1 - 1e-5])
    np.testing.assert_array_equal(p, [0.02, 0.1, 0.5, 0.9, 0.95])  # not mutated


def test_round_confident_errors():
    with pytest.raises(ValueError, match=r"threshold must be a finite number > 0 and < 0.5, got 0.6"):
        demos.round_confident([0.5], threshold=0.6)
    with pytest.raises(ValueError, match=r"to must be a finite number >= 0 and < 0.1, got 0.2"):
        demos.round_confident([0.5], to=0.2)
    with pytest.raises(ValueError, match=r"y_prob must be probabilities in \[0, 1\], got 1.5"):
        demos.round_confident([1.5])


def test_clip_sweep_matches_sklearn_log_loss_on_clipped_input():
    # oracle (b): scikit-learn's log_loss on the clipped probabilities
    y, p, _ = demos.simulate_prediction_set(300, confident_wrong=2, wrong_margin=(8, 12), seed=5)
    eps = np.array([1e-12, 1e-6, 1e-3, 0.05])
    got = demos.clip_sweep(y, p, eps)
    want = [metrics.log_loss(y, np.clip(p, e, 1 - e), labels=[0, 1]) for e in eps]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_clip_sweep_helps_an_overconfident_set():
    # E2 in spirit: clipping less extreme lowers the loss when some items are confidently wrong
    y, p, _ = demos.simulate_prediction_set(2000, confident_wrong=3, margin_mean=7, margin_sd=2.5,
                                            wrong_margin=(8, 12), seed=0)
    L = demos.clip_sweep(y, p, np.logspace(-15, -1, 29))
    assert L.min() < L[0]
    assert L[-1] > L[0]  # clipping at 0.1 costs more than it saves


def test_clip_sweep_errors():
    with pytest.raises(ValueError, match=r"eps_values must lie in \(0, 0.5\), got 0.0 at index 1"):
        demos.clip_sweep([1], [0.5], [0.1, 0.0])
    with pytest.raises(ValueError, match=r"y_true must hold 0/1 labels, got 0.5"):
        demos.clip_sweep([0.5], [0.5], [0.1])


def test_rounding_a_confidently_wrong_item_to_zero_costs_minus_log_eps():
    # E2/E3: an item rounded to the wrong extreme costs -log(1e-15) under a 1e-15 clip
    y = np.array([1, 1])
    p = np.array([0.05, 0.99])
    r = demos.round_confident(p)
    per = lb.binary_cross_entropy(y, r, eps=1e-15, reduction="none")
    np.testing.assert_allclose(per[0], -np.log(1e-15), rtol=1e-12)


def test_worst_item_share():
    y = np.array([1, 1, 1])
    p = np.array([0.5, 0.99, 0.99])
    per = -np.log(p)
    assert demos.worst_item_share(y, p) == pytest.approx(per[0] / per.sum(), rel=1e-14)
    assert demos.worst_item_share(y, p, k=3) == pytest.approx(1.0, rel=1e-14)
    assert demos.worst_item_share([1, 0], [1.0, 0.0]) == 0.0
    assert demos.worst_item_share([1, 0], [0.0, 0.0]) == 1.0
    with pytest.raises(ValueError, match=r"k must be <= the number of items \(3\), got 4"):
        demos.worst_item_share(y, p, k=4)


# ---------------------------------------------------------------- accuracies (B3)
def test_binary_accuracy_on_one_hot_rewards_predicting_nothing():
    C = 10
    Y = np.eye(C)[np.arange(50) % C]
    P = np.full((50, C), 0.05)
    assert lb.binary_accuracy(Y, P) == pytest.approx((C - 1) / C, rel=1e-15)
    assert lb.categorical_accuracy(Y, P) == pytest.approx(0.1)  # argmax ties -> class 0


def test_binary_accuracy_matches_sklearn_elementwise():
    rng = np.random.default_rng(2)
    Y = rng.integers(0, 2, size=(40, 3))
    P = rng.uniform(size=(40, 3))
    want = metrics.accuracy_score(Y.ravel(), (P > 0.5).astype(int).ravel())
    assert lb.binary_accuracy(Y, P) == pytest.approx(want, rel=1e-15)


def test_categorical_accuracy_labels_and_one_hot_agree():
    rng = np.random.default_rng(3)
    P = rng.dirichlet(np.ones(4), size=30)
    y = rng.integers(0, 4, size=30)
    assert lb.categorical_accuracy(y, P) == lb.categorical_accuracy(np.eye(4)[y], P)
    assert lb.categorical_accuracy(y, P) == pytest.approx(metrics.accuracy_score(y, P.argmax(1)))


def test_accuracy_errors():
    with pytest.raises(ValueError, match=r"y_true and y_prob must have the same shape"):
        lb.binary_accuracy([[1, 0]], [[0.5, 0.5, 0.0]])
    with pytest.raises(ValueError, match=r"threshold must be a finite number > 0 and < 1, got 1"):
        lb.binary_accuracy([1], [0.5], threshold=1)
    with pytest.raises(ValueError, match=r"y_true labels must be in \[0, 1\]"):
        lb.categorical_accuracy([2], [[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"same number of samples, got 2 labels and 1 rows"):
        lb.categorical_accuracy([0, 1], [[0.5, 0.5]])


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, (6, 3), elements=st.floats(0, 1)))
def test_binary_accuracy_is_a_fraction_and_complement_under_flip(P):
    Y = (np.arange(18).reshape(6, 3) % 2).astype(float)
    a = lb.binary_accuracy(Y, P)
    assert 0.0 <= a <= 1.0
    # flipping all targets flips every element's verdict where p != threshold
    if not np.any(P == 0.5):
        assert lb.binary_accuracy(1 - Y, P) == pytest.approx(1 - a)


# ---------------------------------------------------------------- trainers
def _mean_loss(loss, X, y, wb):
    z = X @ wb[:-1] + wb[-1]
    if loss == "cross_entropy":
        return float(lb.binary_cross_entropy_with_logits(y, z))
    return float(lb.mse(y, lb.sigmoid(z)))


def _two_layer_loss(loss, X, Y, theta, shapes):
    d, h, k = shapes
    W1 = theta[: d * h].reshape(d, h)
    b1 = theta[d * h: d * h + h]
    W2 = theta[d * h + h: d * h + h + h * k].reshape(h, k)
    b2 = theta[d * h + h + h * k:]
    Z2 = lb.sigmoid(X @ W1 + b1) @ W2 + b2
    if loss == "cross_entropy":
        return float(lb.binary_cross_entropy_with_logits(Y, Z2))
    return float(lb.mse(Y, lb.sigmoid(Z2)))


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_fit_two_layer_gd_one_step_is_a_gradient_step(loss):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 2))
    Y = (rng.uniform(size=(12, 2)) < 0.5).astype(float)
    h0 = demos.fit_two_layer_gd(X, Y, output_error=loss, hidden=3, lr=0.5, epochs=1, seed=4)
    # reconstruct the initial weights from the same seed
    r = np.random.default_rng(4)
    W1 = r.normal(0, 1.0, (2, 3)); W2 = r.normal(0, 1.0, (3, 2))
    theta0 = np.r_[W1.ravel(), np.zeros(3), W2.ravel(), np.zeros(2)]
    g = lb.numerical_gradient(lambda t: _two_layer_loss(loss, X, Y, t, (2, 3, 2)), theta0)
    P = h0["params"]
    theta1 = np.r_[P["W1"].ravel(), P["b1"], P["W2"].ravel(), P["b2"]]
    np.testing.assert_allclose(theta1, theta0 - 0.5 * g, rtol=1e-7, atol=1e-10)


def test_fit_two_layer_gd_callable_rule_and_errors():
    # B2: an output error built from the inputs trains the net to copy its inputs
    rng = np.random.default_rng(0)
    X = (rng.uniform(size=(30, 2)) < 0.5).astype(float)
    Y = 1.0 - X
    bug = demos.fit_two_layer_gd(X, Y, output_error=lambda A, X_, Y_: A - X_, epochs=400, seed=0)
    ok = demos.fit_two_layer_gd(X, Y, output_error="cross_entropy", epochs=400, seed=0)
    assert ok["cross_entropy"][-1] < ok["cross_entropy"][0]
    assert bug["cross_entropy"][-1] > bug["cross_entropy"][0]
    with pytest.raises(ValueError, match=r"output_error must return an array of shape \(30, 2\)"):
        demos.fit_two_layer_gd(X, Y, output_error=lambda A, X_, Y_: A[:, :1], epochs=1)
    with pytest.raises(ValueError, match=r"output_error must be 'cross_entropy', 'mse' or a callable"):
        demos.fit_two_layer_gd(X, Y, output_error="hinge")
    with pytest.raises(ValueError, match=r"Y must have 30 rows to match X, got shape \(3, 2\)"):
        demos.fit_two_layer_gd(X, Y[:3])


def test_loss_along_line():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(float)
    w, u = np.array([0.5, 0.0]), np.array([1.0, -1.0])
    t = np.linspace(-3, 3, 7)
    for loss in ("cross_entropy", "mse"):
        got = demos.loss_along_line(X, y, w, u, t, b=0.2, loss=loss)
        want = [_mean_loss(loss, X, y, np.r_[w + tj * u, 0.2]) for tj in t]
        np.testing.assert_allclose(got, want, rtol=1e-14)
    with pytest.raises(ValueError, match=r"direction must have shape \(2,\) to match X, got \(3,\)"):
        demos.loss_along_line(X, y, w, [1, 2, 3], t)


def test_fit_two_layer_gd_saturated_start_mse_stalls():
    # C10/A2 for a hidden layer: outputs saturated near 0 (b2_init=-8) on XOR-like data
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (120, 2))
    Y = ((X[:, 0] * X[:, 1]) > 0).astype(float)[:, None]
    kw = dict(hidden=8, lr=2.0, epochs=200, init_scale=2.0, b2_init=-8.0, seed=1)
    ce = demos.fit_two_layer_gd(X, Y, output_error="cross_entropy", **kw)
    ms = demos.fit_two_layer_gd(X, Y, output_error="mse", **kw)
    np.testing.assert_allclose(ce["cross_entropy"][0], ms["cross_entropy"][0], rtol=1e-15)
    assert ce["cross_entropy"][-1] < 0.5 * ms["cross_entropy"][-1]
    with pytest.raises(ValueError, match=r"b2_init must be a finite number, got inf"):
        demos.fit_two_layer_gd(X, Y, b2_init=np.inf)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_layer_gradient_norms_match_finite_differences_of_the_forward_pass(activation):
    # Rebuild the same random network from the same seed, write the forward pass out, and
    # differentiate L = sum(g * h_depth) w.r.t. h_0 by central differences (claim D1 support).
    depth, width, n, seed = 3, 4, 2, 5
    gain = np.sqrt(2.0) if activation == "relu" else 1.0
    rng = np.random.default_rng(seed)
    h0 = rng.standard_normal((n, width))
    Ws = [rng.normal(0.0, gain / np.sqrt(width), size=(width, width)) for _ in range(depth)]
    g = rng.standard_normal((n, width))
    phi = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0)}[activation]

    def L(h):
        for W in Ws:
            h = phi(h @ W)
        return float(np.sum(g * h))

    num = lb.numerical_gradient(L, h0)
    got = demos.layer_gradient_norms(activation, depth=depth, width=width, n_samples=n, seed=seed)
    assert got[0] == pytest.approx(np.sqrt(np.mean(num**2)), rel=1e-6)
    assert got[-1] == pytest.approx(np.sqrt(np.mean(g**2)), rel=1e-15)


@pytest.mark.parametrize(
    "activation, gain", [("sigmoid", 1.0), ("tanh", 1.0), ("relu", np.sqrt(2.0)), ("sigmoid", 4.0)]
)
def test_layer_gradient_norms_match_torch_autograd_at_every_layer(activation, gain):
    # The chapter's configuration (20 layers of 64 units, 128 inputs), rebuilt from the same
    # seeded draws, differentiated by PyTorch's autograd: a second oracle that shares
    # no code with the back-propagation recursion, down to the sigmoid case's ~1e-13.
    import torch

    depth, width, n, seed = 20, 64, 128, 0
    rng = np.random.default_rng(seed)
    h0 = rng.standard_normal((n, width))
    Ws = [rng.normal(0.0, gain / np.sqrt(width), size=(width, width)) for _ in range(depth)]
    g = rng.standard_normal((n, width))
    phi = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    hs = [torch.tensor(h0, dtype=torch.float64, requires_grad=True)]
    for W in Ws:
        hs.append(phi(hs[-1] @ torch.from_numpy(W)))
        hs[-1].retain_grad()
    torch.sum(torch.from_numpy(g) * hs[-1]).backward()
    want = np.array([float(torch.sqrt(torch.mean(h.grad**2))) for h in hs])
    got = demos.layer_gradient_norms(activation, depth=depth, width=width, n_samples=n,
                                     weight_gain=gain, seed=seed)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=0)
    if activation == "sigmoid" and gain == 1.0:
        assert got[0] < 1e-10 * got[-1]  # the vanishing case is really covered


def test_layer_gradient_norms_saturation_order():  # claim D1
    sig, tanh, relu = (demos.layer_gradient_norms(a, depth=15, seed=2) for a in ("sigmoid", "tanh", "relu"))
    assert sig[0] / sig[-1] < 1e-6            # each sigmoid layer multiplies by at most 1/4
    assert 1e-3 < tanh[0] / tanh[-1] < 1      # tanh shrinks it, far more slowly
    assert 0.5 < relu[0] / relu[-1] < 2       # ReLU with He initialisation keeps its size


def test_layer_gradient_norms_errors():
    with pytest.raises(ValueError, match="activation must be one of 'sigmoid', 'tanh' or 'relu', got 'elu'"):
        demos.layer_gradient_norms("elu")
    with pytest.raises(ValueError, match="depth must be an int >= 1"):
        demos.layer_gradient_norms("tanh", depth=0)
    with pytest.raises(ValueError, match="weight_gain must be a finite number > 0"):
        demos.layer_gradient_norms("tanh", weight_gain=-1.0)
