"""likelihood, datasets, train and plotting."""

import numpy as np
import pytest
import scipy.stats as st

import lossbook as lb
from lossbook import book, demos
from lossbook.demos.train import _forward, _loss_and_grad


# ---- likelihood ------------------------------------------------------------

def test_fits_are_minimisers_of_their_nll():
    rng = np.random.default_rng(0)
    x = rng.normal(1.5, 2.0, size=200)
    mu, s = lb.fit_gaussian(x)
    assert (mu, s) == pytest.approx(st.norm.fit(x), rel=1e-12)
    g = lb.numerical_gradient(lambda v: float(lb.gaussian_nll(x, np.full_like(x, v[0]), v[1])), [mu, s])
    np.testing.assert_allclose(g, 0.0, atol=1e-7)

    loc, b = lb.fit_laplace(x)
    assert (loc, b) == pytest.approx(st.laplace.fit(x), rel=1e-6)
    for dl in (-1e-3, 1e-3):
        assert float(lb.laplace_nll(x, loc + dl, b)) >= float(lb.laplace_nll(x, loc, b))
    np.testing.assert_allclose(lb.laplace_nll(x, loc, b, reduction="none"), -st.laplace.logpdf(x, loc, b), rtol=1e-13)

    xb = (rng.uniform(size=100) < 0.3).astype(float)
    p = lb.fit_bernoulli(xb)
    assert p == xb.mean()
    assert float(lb.bernoulli_nll(xb, p, reduction="sum")) == pytest.approx(-st.bernoulli.logpmf(xb, p).sum(), rel=1e-13)
    for dp in (-0.01, 0.01):
        assert float(lb.bernoulli_nll(xb, p + dp)) > float(lb.bernoulli_nll(xb, p))

    y = rng.integers(0, 4, size=300)
    pi = lb.fit_categorical(y, 4)
    assert pi.sum() == pytest.approx(1.0)
    alt = np.array([0.25, 0.25, 0.25, 0.25])
    assert float(lb.categorical_nll(y, pi)) < float(lb.categorical_nll(y, alt))
    counts = np.bincount(y, minlength=4)
    assert float(lb.categorical_nll(y, pi, reduction="sum")) == pytest.approx(-np.sum(counts * np.log(pi)), rel=1e-13)


def test_gaussian_kl_closed_form():
    import mpmath

    mpmath.mp.dps = 50
    for m1, s1, m2, s2 in [(0, 1, 1, 2), (0.3, 1.7, -2, 0.4), (1, 1, 1, 1 + 1e-8)]:
        got = float(lb.gaussian_kl(m1, s1, m2, s2))
        M1, S1, M2, S2 = (mpmath.mpf(v) for v in (m1, s1, m2, s2))
        want = mpmath.log(S2 / S1) + (S1**2 + (M1 - M2) ** 2) / (2 * S2**2) - mpmath.mpf(1) / 2
        assert got == pytest.approx(float(want), rel=1e-12)
    assert float(lb.gaussian_kl(0.0, 1.0, 0.0, 1.0)) == 0.0
    # Monte Carlo check of the direction of the divergence (KL(p||q) with p the first)
    rng = np.random.default_rng(1)
    x = rng.normal(0.3, 1.7, size=200_000)
    mc = np.mean(st.norm.logpdf(x, 0.3, 1.7) - st.norm.logpdf(x, -2, 0.4))
    assert float(lb.gaussian_kl(0.3, 1.7, -2, 0.4)) == pytest.approx(mc, rel=0.02)


def test_likelihood_errors():
    with pytest.raises(ValueError, match=r"p must be probabilities in \[0, 1\], got 1.5"):
        lb.bernoulli_nll([1, 0], 1.5)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        lb.fit_categorical([0, 3], 3)
    with pytest.raises(ValueError, match=r"scale must be positive"):
        lb.laplace_nll([0.0], 0.0, -1.0)
    with pytest.raises(ValueError, match=r"s2 must be positive"):
        lb.gaussian_kl(0, 1, 0, 0)
    with pytest.raises(ValueError, match=r"x must be non-empty"):
        lb.fit_gaussian([])


# ---- datasets --------------------------------------------------------------

def test_datasets_are_seeded_and_shaped():
    a = demos.make_blobs(20, 4, seed=3)
    b = demos.make_blobs(20, 4, seed=3)
    c = demos.make_blobs(20, 4, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (80, 2) and np.bincount(a[1]).tolist() == [20] * 4

    X, y, w = demos.make_binary(500, seed=0)
    assert X.shape == (500, 2) and set(np.unique(y)) == {0, 1}
    assert np.mean((X @ w > 0) == (y == 1)) > 0.7  # signal is there

    x, yr, out = demos.make_regression_with_outliers(100, 0.2, seed=0)
    assert out.sum() == 20 and np.all(yr[out] > 2 * x[out] + 1 + 5)

    Xm, Y = demos.make_multilabel(50, 3, seed=0)
    assert Xm.shape == (50, 5) and Y.shape == (50, 3) and set(np.unique(Y)) <= {0, 1}


def test_flip_labels():
    y = np.repeat(np.arange(3), 10)
    before = y.copy()
    yn, flipped = demos.flip_labels(y, 0.4, 3, seed=1)
    np.testing.assert_array_equal(y, before)
    assert flipped.sum() == 12
    assert np.all(yn[flipped] != y[flipped]) and np.all(yn[~flipped] == y[~flipped])
    assert np.array_equal(yn, demos.flip_labels(y, 0.4, 3, seed=1)[0])
    with pytest.raises(ValueError, match=r"frac must be in \[0, 1\], got 1.5"):
        demos.flip_labels(y, 1.5, 3)
    with pytest.raises(TypeError, match=r"seed must be an int"):
        demos.make_blobs(5, seed=1.5)


# ---- train -----------------------------------------------------------------

CONFIGS = [
    ("linear", "mse"), ("linear", "mae"), ("linear", "huber"),
    ("logistic", "cross_entropy"), ("logistic", "mse"), ("logistic", "huber"),
    ("softmax", "cross_entropy"), ("softmax", "mse"), ("softmax", "hinge"), ("hinge", "hinge"),
    ("two_layer", "cross_entropy"), ("two_layer", "mse"), ("two_layer", "hinge"),
]


def _data_for(model):
    if model == "linear":
        x, y, _ = demos.make_regression_with_outliers(40, 0.0, seed=0)
        return x[:, None], y
    if model == "logistic":
        X, y, _ = demos.make_binary(40, seed=0)
        return X, y
    return demos.make_blobs(12, 3, seed=0)


@pytest.mark.parametrize("model, loss", CONFIGS)
def test_trainer_step_is_gradient_of_recorded_loss(model, loss):
    """One full-batch step with weight_decay must equal theta - lr * numerical grad."""
    X, y = _data_for(model)
    act = "sigmoid" if loss == "mse" else "tanh"
    h0 = demos.train(X, y, model=model, loss=loss, epochs=0, seed=2, hidden=4, activation=act)
    lr, wd = 1e-3, 0.1
    h1 = demos.train(X, y, model=model, loss=loss, epochs=1, lr=lr, seed=2, hidden=4, activation=act,
                     weight_decay=wd, init=h0.params)
    T = None if model in ("linear", "logistic") else np.eye(3)[y]
    keys = list(h0.params)
    shapes = [h0.params[k].shape for k in keys]
    sizes = [int(np.prod(s)) for s in shapes]
    flat0 = np.concatenate([h0.params[k].ravel() for k in keys])

    def objective(v):
        parts = np.split(v, np.cumsum(sizes)[:-1])
        p = {k: part.reshape(s) for k, part, s in zip(keys, parts, shapes)}
        out, _ = _forward(model, p, X, act)
        data, _ = _loss_and_grad(model, loss, out, y, T, {"delta": 1.0, "margin": 1.0})
        reg = sum(np.sum(p[k] ** 2) for k in keys if k in ("w", "W", "W1", "W2"))
        return data + 0.5 * wd * reg

    g = lb.numerical_gradient(objective, flat0)
    flat1 = np.concatenate([h1.params[k].ravel() for k in keys])
    np.testing.assert_allclose((flat0 - flat1) / lr, g, rtol=1e-5, atol=1e-7)
    assert h1.loss[0] == pytest.approx(objective(flat0) - 0.5 * wd * sum(
        np.sum(h0.params[k] ** 2) for k in keys if k in ("w", "W", "W1", "W2")))


def test_trainer_learns_and_is_deterministic():
    X, y = demos.make_blobs(30, 3, seed=0)
    h = demos.train(X, y, model="two_layer", lr=0.3, epochs=60, batch_size=16, seed=5)
    h2 = demos.train(X, y, model="two_layer", lr=0.3, epochs=60, batch_size=16, seed=5)
    np.testing.assert_array_equal(h.loss, h2.loss)
    assert h.loss[-1] < 0.5 * h.loss[0] and h.accuracy[-1] > 0.9
    assert h.predict(X).shape == (90,)
    np.testing.assert_allclose(h.predict_proba(X).sum(axis=1), 1.0)
    Xb, yb, _ = demos.make_binary(200, seed=0)
    hl = demos.train(Xb, yb, model="logistic", lr=1.0, epochs=100)
    assert hl.accuracy[-1] > 0.8 and set(np.unique(hl.predict(Xb))) <= {0, 1}
    hs = demos.train(X, y, model="hinge", epochs=30)
    with pytest.raises(ValueError, match="predict_proba is not defined"):
        hs.predict_proba(X)


def test_saturated_start_mse_vs_cross_entropy():
    # the classic: from saturated wrong weights, sigmoid+MSE barely moves, CE recovers
    X, y, w = demos.make_binary(200, seed=0)
    init = {"w": -10.0 * w, "b": np.array(0.0)}
    ce = demos.train(X, y, model="logistic", loss="cross_entropy", lr=1.0, epochs=50, init=init)
    ms = demos.train(X, y, model="logistic", loss="mse", lr=1.0, epochs=50, init=init)
    assert ce.accuracy[0] < 0.5 and ce.accuracy[-1] > 0.8 and ms.accuracy[-1] < 0.5
    np.testing.assert_array_equal(init["w"], -10.0 * w)  # init not mutated


def test_train_errors():
    X, y = demos.make_blobs(5, 2, seed=0)
    with pytest.raises(ValueError, match=r"loss for model='linear' must be one of 'mse', 'mae', 'huber', got 'hinge'"):
        demos.train(X, y.astype(float), model="linear", loss="hinge")
    with pytest.raises(ValueError, match=r"model must be one of"):
        demos.train(X, y, model="cnn")
    with pytest.raises(ValueError, match=r"init\['W'\] must have shape \(2, 2\), got \(3, 2\)"):
        demos.train(X, y, model="softmax", init={"W": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"X and y must have the same number of samples"):
        demos.train(X, y[:-1], model="softmax")


# ---- plotting ----------------------------------------------------------------

def test_style_white_background():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    with book.style():
        fig, ax = plt.subplots()
        assert mpl.colors.to_hex(fig.get_facecolor()) == "#ffffff"
        assert mpl.colors.to_hex(ax.get_facecolor()) == "#ffffff"
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == book.OKABE_ITO[0]
        plt.close(fig)


def test_style_cycles_a_line_style_with_each_colour():
    """Colour is never the only carrier of meaning: curves differ in dash pattern too."""
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    with book.style():
        fig, ax = plt.subplots()
        x = np.linspace(0, 1, 50)
        lines = [ax.plot(x, k * x)[0] for k in range(len(book.OKABE_ITO))]
        colours = [mpl.colors.to_hex(ln.get_color()) for ln in lines]
        dashes = [(ln.get_linestyle(), tuple(ln._unscaled_dash_pattern[1] or ())) for ln in lines]
        assert colours == [c.lower() for c in book.OKABE_ITO]
        assert len(set(dashes)) == len(lines), dashes  # every curve has its own dash pattern
        # an explicit format string still wins, and a marker-only plot keeps every point
        (pts,) = ax.plot(x, x, "o")
        assert pts.get_linestyle() == "None" and pts.get_markevery() is None
        plt.close(fig)
