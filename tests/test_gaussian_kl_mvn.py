"""lossbook.gaussian_kl_mvn: mpmath oracle, diagonal special case, Monte Carlo, errors."""

import mpmath as mp
import numpy as np
import pytest

import lossbook as lb


def kl_mvn_mp(m1, c1, m2, c2):
    """The closed form with mpmath matrices at 50 digits (explicit inverse and determinants)."""
    with mp.workdps(50):
        M1, M2 = mp.matrix(m1.tolist()), mp.matrix(m2.tolist())
        C1, C2 = mp.matrix(c1.tolist()), mp.matrix(c2.tolist())
        inv2 = mp.inverse(C2)
        d = M2 - M1
        tr = sum((inv2 * C1)[i, i] for i in range(C1.rows))
        quad = (d.T * inv2 * d)[0, 0]
        return (tr + quad - C1.rows + mp.log(mp.det(C2) / mp.det(C1))) / 2


def random_spd(rng, d, scale=1.0):
    a = rng.normal(size=(d, d))
    return scale * (a @ a.T + 0.3 * np.eye(d))


@pytest.mark.parametrize("seed", range(8))
def test_matches_mpmath_closed_form(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 6))
    m1, m2 = rng.normal(size=d), rng.normal(size=d)
    c1, c2 = random_spd(rng, d), random_spd(rng, d, scale=float(rng.choice([0.01, 1.0, 100.0])))
    assert float(lb.gaussian_kl_mvn(m1, c1, m2, c2)) == pytest.approx(float(kl_mvn_mp(m1, c1, m2, c2)), rel=1e-10)


def test_diagonal_covariances_give_gaussian_kl_diag_and_1d_gives_gaussian_kl():
    rng = np.random.default_rng(3)
    m1, m2, s1, s2 = rng.normal(size=4), rng.normal(size=4), rng.uniform(0.2, 3, 4), rng.uniform(0.2, 3, 4)
    assert lb.gaussian_kl_mvn(m1, np.diag(s1**2), m2, np.diag(s2**2)) == pytest.approx(
        lb.gaussian_kl_diag(m1, s1, m2, s2), rel=1e-12)
    assert lb.gaussian_kl_mvn([0.5], [[1.44]], [-1.0], [[4.0]]) == pytest.approx(
        lb.gaussian_kl(0.5, 1.2, -1.0, 2.0), rel=1e-13)


def test_monte_carlo_estimate_within_four_standard_errors():
    rng = np.random.default_rng(7)
    m1, m2 = np.array([0.3, -0.2, 1.0]), np.zeros(3)
    c1, c2 = random_spd(rng, 3), random_spd(rng, 3)
    x = rng.multivariate_normal(m1, c1, size=200_000)

    def logpdf(x, m, c):
        r = np.linalg.solve(np.linalg.cholesky(c), (x - m).T)
        return -0.5 * (r * r).sum(0) - 0.5 * np.linalg.slogdet(2 * np.pi * c)[1]

    lr = logpdf(x, m1, c1) - logpdf(x, m2, c2)
    exact = float(lb.gaussian_kl_mvn(m1, c1, m2, c2))
    assert abs(lr.mean() - exact) < 4 * lr.std(ddof=1) / np.sqrt(lr.size)


def test_equal_gaussians_give_zero_and_result_is_non_negative():
    c = random_spd(np.random.default_rng(1), 3)
    assert lb.gaussian_kl_mvn(np.ones(3), c, np.ones(3), c) == 0.0
    assert lb.gaussian_kl_mvn(np.ones(3), c, np.ones(3), c * (1 + 1e-12)) >= 0.0


def test_bad_input_is_named():
    eye = np.eye(2)
    with pytest.raises(ValueError, match="cov2 must be positive definite"):
        lb.gaussian_kl_mvn([0, 0], eye, [0, 0], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="cov1 must be symmetric"):
        lb.gaussian_kl_mvn([0, 0], [[1.0, 0.5], [0.0, 1.0]], [0, 0], eye)
    with pytest.raises(ValueError, match=r"cov1 must be a \(2, 2\) matrix"):
        lb.gaussian_kl_mvn([0, 0], np.eye(3), [0, 0], eye)
    with pytest.raises(ValueError, match="mu2"):
        lb.gaussian_kl_mvn([0, 0], eye, [0, 0, 0], eye)
    with pytest.raises(ValueError, match="mu1"):
        lb.gaussian_kl_mvn([np.nan, 0], eye, [0, 0], eye)


def test_nearly_equal_covariances_keep_relative_accuracy():
    # referee report on the KL chapter, MINOR-15: KL ~ 1e-13 came back with relative errors
    # up to 2e-4 when trace, -D and log det were summed separately
    rng = np.random.default_rng(5)
    for _ in range(30):
        d = int(rng.integers(1, 5))
        c2 = random_spd(rng, d)
        pert = rng.normal(size=(d, d)) * 1e-6
        c1 = c2 + 0.5 * (pert + pert.T)
        m2 = rng.normal(size=d)
        m1 = m2 + 1e-7 * rng.normal(size=d)
        ref = float(kl_mvn_mp(m1, c1, m2, c2))
        assert lb.gaussian_kl_mvn(m1, c1, m2, c2) == pytest.approx(ref, rel=1e-10, abs=0)
    # D = 1 agrees with the scalar closed form
    assert lb.gaussian_kl_mvn([0.0], [[1.0]], [1e-7], [[1.0 + 1e-6]]) == pytest.approx(
        float(lb.gaussian_kl(0.0, 1.0, 1e-7, (1.0 + 1e-6) ** 0.5)), rel=1e-9, abs=0)
