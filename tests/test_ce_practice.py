"""The PyTorch and low-precision sections, checked against PyTorch 2.13.0 and mpmath.

Every semantic of ``torch.nn.functional.cross_entropy`` that the chapter reproduces with
``lossbook.softmax_cross_entropy`` (weighted mean, ignore_index, label smoothing with weights,
probability targets, the three reductions, the double-softmax bug) is compared here with
PyTorch itself; the demos ``double_softmax_grad`` and ``log_loss_in_dtype`` are compared with
torch autograd, torch's float16 arithmetic and mpmath. torch is always installed (test-only
oracle, requirements-oracles.txt).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossbook as lb
from lossbook import demos

mp.mp.dps = 50


def _ce(z, target, **kw):
    if kw.get("weight") is not None:
        kw["weight"] = torch.tensor(kw["weight"], dtype=torch.float64)
    t = torch.tensor(target)
    return F.cross_entropy(torch.tensor(z, dtype=torch.float64), t, **kw).numpy()


@pytest.fixture
def batch():
    rng = np.random.default_rng(42)
    z = rng.normal(scale=2.0, size=(9, 4))
    y = np.array([0, 0, 0, 1, 2, 3, 0, 1, 0])
    w = np.array([1.0, 3.0, 0.5, 4.0])
    return z, y, w


# ------------------------------------------------------------- weights and reductions


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weighted_mean_divides_by_total_weight_like_torch(batch, reduction):
    z, y, w = batch
    got = lb.softmax_cross_entropy(y, z, weight=w, reduction=reduction)
    np.testing.assert_allclose(got, _ce(z, y.astype(np.int64), weight=w, reduction=reduction), rtol=1e-13)
    if reduction == "mean":
        total = lb.softmax_cross_entropy(y, z, weight=w, reduction="sum")
        assert got == pytest.approx(total / w[y].sum(), rel=1e-14)
        assert abs(got - total / len(y)) > 0.1 * got  # not the sum over N


def test_scaling_all_weights_leaves_the_mean_unchanged_in_torch_too(batch):
    z, y, w = batch
    a = _ce(z, y.astype(np.int64), weight=w)
    b = _ce(z, y.astype(np.int64), weight=10 * w)
    assert float(a) == pytest.approx(float(b), rel=1e-14)
    assert lb.softmax_cross_entropy(y, z, weight=10 * w) == pytest.approx(float(a), rel=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_ignore_index_with_weight_and_smoothing_like_torch(batch, reduction, smoothing):
    z, y, w = batch
    y = y.copy()
    y[[1, 4]] = -100
    kw = dict(weight=w, label_smoothing=smoothing, reduction=reduction)
    got = lb.softmax_cross_entropy(y, z, ignore_index=-100, **kw)
    np.testing.assert_allclose(got, _ce(z, y.astype(np.int64), ignore_index=-100, **kw), rtol=1e-13, atol=1e-15)
    kept = y != -100
    if reduction == "mean":  # ignored rows leave numerator and denominator
        alone = lb.softmax_cross_entropy(y[kept], z[kept], weight=w, label_smoothing=smoothing)
        assert got == pytest.approx(alone, rel=1e-14)
    if reduction == "none":
        assert np.all(got[~kept] == 0.0)


def test_onehot_rows_and_labels_differ_by_the_denominator_in_torch(batch):
    z, y, w = batch
    rows = np.eye(4)[y]
    by_label = float(_ce(z, y.astype(np.int64), weight=w))
    by_rows = float(_ce(z, rows, weight=w))
    assert by_rows * len(y) == pytest.approx(by_label * w[y].sum(), rel=1e-13)
    assert lb.softmax_cross_entropy(rows, z, weight=w) == pytest.approx(by_rows, rel=1e-13)
    assert lb.softmax_cross_entropy(y, z, weight=w) == pytest.approx(by_label, rel=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_probability_targets_with_weight_like_torch(batch, reduction, smoothing):
    z, _, w = batch
    t = np.random.default_rng(1).dirichlet(np.ones(4), size=z.shape[0])
    kw = dict(weight=w, label_smoothing=smoothing, reduction=reduction)
    np.testing.assert_allclose(lb.softmax_cross_entropy(t, z, **kw), _ce(z, t, **kw), rtol=1e-13)


def test_smoothed_weighted_loss_formula_matches_torch(batch):
    """The chapter's display cep-ls-torch: (1 - a) w_y l + (a / C) sum_k w_k (LSE - z_k)."""
    z, y, w = batch
    a, c = 0.2, z.shape[1]
    lse = np.array([float(mp.log(mp.fsum(mp.exp(mp.mpf(float(v))) for v in r))) for r in z])
    formula = (1 - a) * w[y] * (lse - z[np.arange(len(y)), y]) + a / c * ((lse[:, None] - z) @ w)
    torch_none = _ce(z, y.astype(np.int64), weight=w, label_smoothing=a, reduction="none")
    np.testing.assert_allclose(torch_none, formula, rtol=1e-12)
    torch_mean = float(_ce(z, y.astype(np.int64), weight=w, label_smoothing=a))
    assert torch_mean == pytest.approx(math.fsum(formula) / w[y].sum(), rel=1e-12)


# ------------------------------------------------------------- label smoothing optimum


@pytest.mark.parametrize("alpha,c", [(0.1, 10), (0.3, 10), (0.2, 4), (0.01, 1000)])
def test_label_smoothing_minimum_and_gap_with_torch_autograd(alpha, c):
    ty, tk = 1 - alpha + alpha / c, alpha / c
    lead = math.log(ty / tk)
    z = torch.zeros(1, c, dtype=torch.float64)
    z[0, 0] = lead
    z.requires_grad_(True)
    loss = F.cross_entropy(z, torch.tensor([0]), label_smoothing=alpha)
    loss.backward()
    assert float(z.grad.abs().max()) < 1e-12  # a stationary point
    entropy = float(-mp.mpf(ty) * mp.log(ty) - (c - 1) * mp.mpf(tk) * mp.log(tk))
    assert loss.item() == pytest.approx(entropy, rel=1e-13)
    assert entropy > 0  # the minimum is no longer 0
    for d in (-0.5, 0.5):
        z2 = torch.zeros(1, c, dtype=torch.float64)
        z2[0, 0] = lead + d
        assert float(F.cross_entropy(z2, torch.tensor([0]), label_smoothing=alpha)) > loss.item()


# ------------------------------------------------------------- the double softmax


@pytest.mark.parametrize("c", [2, 3, 10, 100])
def test_double_softmax_band_matches_torch(c):
    rng = np.random.default_rng(c)
    z = np.vstack([rng.normal(scale=4.0, size=(50, c)), np.zeros((1, c))])
    y = rng.integers(0, c, size=z.shape[0])
    zt = torch.tensor(z)
    loss = F.cross_entropy(torch.softmax(zt, dim=1), torch.tensor(y), reduction="none").numpy()
    np.testing.assert_allclose(lb.softmax_cross_entropy(y, lb.softmax(z), reduction="none"), loss, rtol=1e-13)
    floor, ceil = math.log(1 + (c - 1) / math.e), math.log(math.e + c - 1)
    assert np.all(loss >= floor - 1e-15) and np.all(loss <= ceil + 1e-15)
    assert loss[-1] == pytest.approx(math.log(c), rel=1e-14)  # equal logits
    right = np.zeros((1, c))
    right[0, 0] = 60.0
    wrong = np.zeros((1, c))
    wrong[0, 1] = 60.0
    for zz, want in ((right, floor), (wrong, ceil)):
        got = float(F.cross_entropy(torch.softmax(torch.tensor(zz), 1), torch.tensor([0])))
        assert got == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("soft", [False, True])
def test_double_softmax_grad_matches_torch_autograd(soft):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=3.0, size=(7, 5))
    z[0] = [-12.0, 0, 0, 0, 0]
    y = rng.integers(0, 5, size=7)
    y[0] = 0
    target = rng.dirichlet(np.ones(5), size=7) if soft else y
    zt = torch.tensor(z, requires_grad=True)
    F.cross_entropy(torch.softmax(zt, dim=1), torch.tensor(target)).backward()
    np.testing.assert_allclose(demos.double_softmax_grad(target, z), zt.grad.numpy(), rtol=1e-10, atol=1e-17)


def test_double_softmax_grad_is_one_over_c_at_equal_logits():
    for c in (2, 5, 10):
        z = np.full((3, c), -1.3)
        y = np.array([0, c - 1, 1])
        np.testing.assert_allclose(demos.double_softmax_grad(y, z), lb.softmax_cross_entropy_grad(y, z) / c,
                                   rtol=1e-13)


def test_double_softmax_grad_errors_name_the_argument():
    with pytest.raises(ValueError, match="logits"):
        demos.double_softmax_grad([0], [[np.nan, 0.0]])
    with pytest.raises(ValueError, match="y_true"):
        demos.double_softmax_grad([3], [[0.0, 0.0]])


# ------------------------------------------------------------- low precision


def test_format_ends_match_torch_finfo_and_exact_values():
    for name, tdt, m_bits, e_min in (("float16", torch.float16, 10, 24), ("float32", torch.float32, 23, 149)):
        dt = np.dtype(name).type
        assert float(np.nextafter(dt(1), dt(0))) == 1 - 2.0 ** -(m_bits + 1)
        assert float(np.nextafter(dt(0), dt(1))) == 2.0 ** -e_min
        assert float(torch.finfo(tdt).smallest_normal) == float(np.finfo(dt).smallest_normal)
        assert float(torch.finfo(tdt).eps) == 2.0 ** -m_bits


@pytest.mark.parametrize("dtype,m_bits", [("float16", 10), ("float32", 23)])
def test_probability_route_saturates_at_log_2_over_u_minus_1(dtype, m_bits):
    u = 2.0 ** -(m_bits + 1)
    zs = float(mp.log(2 / mp.mpf(u) - 1))
    below, above = zs * (1 - 1e-9), zs * (1 + 1e-9)
    f = demos.log_loss_in_dtype
    assert f([1.0], [below], dtype=dtype, route="probs")[0] == pytest.approx(float(-mp.log1p(-mp.mpf(u))), rel=1e-3)
    assert f([1.0], [above], dtype=dtype, route="probs")[0] == 0.0
    assert np.isinf(f([0.0], [above], dtype=dtype, route="probs")[0])
    # the stored probability is torch's sigmoid rounded to the format (float64 sigmoid, then cast)
    tdt = getattr(torch, dtype)
    for z in (below, above):
        p = torch.sigmoid(torch.tensor([z], dtype=torch.float64)).to(tdt)
        assert float(-torch.log(p.double())) == pytest.approx(
            float(f([1.0], [z], dtype=dtype, route="probs")[0]), abs=2.0 ** -(m_bits + 1))


def test_float16_routes_match_torch_half_arithmetic():
    z = np.linspace(-30.0, 30.0, 241)
    ones = np.ones_like(z)
    # label 1: torch's float16 BCE-with-logits gives the same float16 values as the demo's logit route
    ref = F.binary_cross_entropy_with_logits(torch.tensor(z, dtype=torch.float16),
                                             torch.ones(z.size, dtype=torch.float16), reduction="none")
    got = demos.log_loss_in_dtype(ones, z, dtype="float16", route="logits")
    ulp = np.spacing(np.abs(got).astype(np.float16)).astype(float)
    assert np.all(np.abs(got - ref.double().numpy()) <= ulp)
    # the probability route: -log of the float16-stored sigmoid, by torch in float16
    p16 = torch.sigmoid(torch.tensor(z)).to(torch.float16)
    ref_p = (-torch.log(p16)).double().numpy()
    got_p = demos.log_loss_in_dtype(ones, z, dtype="float16", route="probs")
    finite = np.isfinite(ref_p)
    assert np.array_equal(finite, np.isfinite(got_p))
    assert np.all(np.abs(got_p[finite] - ref_p[finite]) <= np.spacing(np.abs(got_p[finite]).astype(np.float16)))


def test_float16_logit_route_against_mpmath():
    z = np.linspace(0.0, 17.0, 69)
    got = demos.log_loss_in_dtype(np.ones_like(z), z, dtype="float16", route="logits")
    for g, v in zip(got, z):
        exact = float(mp.log1p(mp.exp(-mp.mpf(float(np.float16(v))))))
        # float16 relative accuracy in the normal range, absolute 2^-24 below it
        assert abs(g - exact) <= max(2.0 ** -9 * exact, 2.0 ** -24)
    assert got[-1] > 0  # still resolved at z = 17
    assert demos.log_loss_in_dtype([0.0], [60000.0])[0] == 60000.0


def test_float16_probability_route_floor_and_cap():
    z = np.linspace(-20.0, 20.0, 4001)
    pos = demos.log_loss_in_dtype(np.ones_like(z), z, dtype="float16", route="probs")
    finite = pos[np.isfinite(pos) & (pos > 0)]
    assert finite.min() == pytest.approx(float(-mp.log1p(-mp.mpf(2) ** -11)), rel=2.0 ** -10)
    assert finite.max() <= float(24 * mp.log(2)) * (1 + 2.0 ** -10)
    assert np.isinf(pos).any() and (pos == 0).any()


def test_log_loss_in_dtype_errors():
    f = demos.log_loss_in_dtype
    with pytest.raises(ValueError, match="dtype must be one of 'float16', 'bfloat16'"):
        f([1.0], [0.0], dtype="float8")
    with pytest.raises(ValueError, match="logits must fit in bfloat16"):
        f([1.0], [3.4e38], dtype="bfloat16")
    with pytest.raises(ValueError, match="logits must fit in float16"):
        f([1.0], [1e5])
    with pytest.raises(ValueError, match="y_true"):
        f([0.5], [0.0])
    with pytest.raises(ValueError, match="route"):
        f([1.0], [0.0], route="probabilities")
    with pytest.raises(ValueError, match="y_true"):
        f([1.0, 0.0], [0.0])


def test_autocast_computes_the_losses_in_float32():
    """PyTorch's AMP documentation: cross_entropy and binary_cross_entropy_with_logits
    autocast to float32 (the chapter quotes it; checked here on the CPU)."""
    a = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    w = torch.randn(3, 3, generator=torch.Generator().manual_seed(1))
    for low in (torch.float16, torch.bfloat16):
        with torch.autocast("cpu", dtype=low):
            logits = a @ w
            assert logits.dtype == low
            assert F.cross_entropy(logits, torch.tensor([0, 1, 2, 0])).dtype == torch.float32
            assert F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits)).dtype == torch.float32
            # torch.sigmoid is in no autocast list: a model ending in a sigmoid hands the loss a
            # 16-bit probability (the chapter's probability routes)
            assert torch.sigmoid(logits).dtype == low
    # the CPU autocast's default 16-bit format is bfloat16 (the chapter says so)
    assert torch.get_autocast_dtype("cpu") == torch.bfloat16


# ------------------------------------------------------------- bfloat16 and the label-0 cap


def _torch_bf16(x32):
    """float32 numpy array -> torch bfloat16 -> float32 numpy array."""
    return torch.from_numpy(np.ascontiguousarray(x32, dtype=np.float32)).to(torch.bfloat16).float().numpy()


def _py_round_bf16(x):
    """Round a float to 8 significant bits, half to even, in plain Python (normal range)."""
    if x == 0.0:
        return 0.0
    mant, ex = math.frexp(x)  # x = mant 2^ex, 0.5 <= |mant| < 1
    return math.ldexp(round(mant * 256), ex - 8)  # round() is half-to-even


def test_round_to_bfloat16_matches_torch_bit_for_bit():
    rng = np.random.default_rng(0)
    # random finite float32 bit patterns over every exponent, subnormals included
    bits = rng.integers(0, 2**32, size=200_000, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    x = x[np.isfinite(x)]
    # ties (low 16 bits 0x8000) with even and odd kept parts, and values next to them
    tie = (rng.integers(0, 2**16, size=4000, dtype=np.uint64).astype(np.uint32) << 16) | 0x8000
    near = np.concatenate([tie, tie - 1, tie + 1]).astype(np.uint32).view(np.float32)
    x = np.concatenate([x, near[np.isfinite(near)], np.float32([0.0, -0.0, 1.0, 1 - 2.0**-9, 2.0**-133])])
    got = demos.round_to_bfloat16(x)
    ref = _torch_bf16(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    assert np.array_equal(got.view(np.uint32), ref.view(np.uint32))  # infinities included
    assert np.all(got.view(np.uint32) & 0xFFFF == 0)


def test_round_to_bfloat16_against_plain_python_and_torch_from_float64():
    rng = np.random.default_rng(1)
    x = rng.normal(size=2000) * 10.0 ** rng.integers(-30, 30, size=2000)
    got = demos.round_to_bfloat16(x).astype(float)
    # plain Python on the float32 value (the documented first rounding)
    ref = [_py_round_bf16(float(np.float32(v))) for v in x]
    assert np.array_equal(got, ref)
    # torch's float64 -> bfloat16 conversion agrees (it also goes through float32)
    t = torch.tensor(x, dtype=torch.float64).to(torch.bfloat16).double().numpy()
    assert np.array_equal(got, t)


def test_round_to_bfloat16_ends_and_errors():
    r = demos.round_to_bfloat16
    assert float(r(1 - 2.0**-8)) == 1 - 2.0**-8  # 1 - u, u = 2^-8
    assert float(r(1 - 2.0**-9)) == 1.0  # the tie goes to even
    assert float(r(2.0**-133)) == 2.0**-133 and float(r(2.0**-134)) == 0.0  # tie to even (0)
    assert float(r(1.5 * 2.0**-134)) == 2.0**-133
    big = (2 - 2.0**-7) * 2.0**127
    assert float(r(big)) == big and np.isinf(r(3.4e38))
    assert r([[1.0, 2.0]]).shape == (1, 2)
    with pytest.raises(ValueError, match="x must be finite"):
        r([1.0, np.nan])
    with pytest.raises(ValueError, match="x must fit in float32"):
        r([1e39])
    with pytest.raises(TypeError, match="x must be"):
        r(np.array(["a"], dtype=object))
    with pytest.raises(TypeError, match="x must be a real number"):
        r(True)


def test_bfloat16_ends_saturation_and_caps():
    """bfloat16: m = 7, smallest positive 2^-133. Ends against mpmath; the demo's values are
    the bfloat16 roundings of them."""
    u = mp.mpf(2) ** -8
    f = demos.log_loss_in_dtype
    zs = float(mp.log(2 / u - 1))
    assert zs == pytest.approx(6.2364, abs=1e-4)
    below, above = zs * (1 - 1e-4), zs * (1 + 1e-4)  # 1e-4: the float32 step of the emulation
    assert f([1.0], [below], dtype="bfloat16", route="probs")[0] == float(np.float32(_py_round_bf16(
        float(np.float32(-mp.log1p(-u))))))
    assert f([1.0], [above], dtype="bfloat16", route="probs")[0] == 0.0
    # label 0, confidently wrong: the largest finite loss is fl(-log u) = fl(8 log 2)
    zz = np.linspace(0.0, 12.0, 20001)
    l0 = f(np.zeros_like(zz), zz, dtype="bfloat16", route="probs")
    assert l0[np.isfinite(l0)].max() == _py_round_bf16(float(8 * mp.log(2)))
    assert np.isinf(l0[zz > above]).all() and np.isfinite(l0[zz < below]).all()
    # label 1, confidently wrong: finite down to 2^-133, i.e. up to 133 log 2 = 92.19 nats
    zneg = -np.linspace(80.0, 95.0, 3001)
    l1 = f(np.ones_like(zneg), zneg, dtype="bfloat16", route="probs")
    assert l1[np.isfinite(l1)].max() == pytest.approx(float(133 * mp.log(2)), rel=2.0**-8)


@pytest.mark.parametrize("dtype,m_bits", [("float16", 10), ("float32", 23), ("float64", 52)])
def test_label_0_cap_is_minus_log_u(dtype, m_bits):
    """A sigmoid model stores p = P(y = 1); for a label-0 item, 1 - p near 0 is a multiple of
    u = 2^-(m+1), so the largest finite loss is (m + 1) log 2 (7.62, 16.64, 36.74 nats)."""
    dt = np.dtype(dtype).type
    u = 1.0 - float(np.nextafter(dt(1), dt(0)))
    cap = float(-mp.log(u))
    assert cap == pytest.approx(float((m_bits + 1) * mp.log(2)), rel=1e-15)
    zs = float(mp.log(2 / mp.mpf(u) - 1))
    # float64's own sigmoid is not correctly rounded: its wall comes a little earlier
    zz = np.linspace(zs - 3.0, zs + 1.0, 4001)
    l0 = demos.log_loss_in_dtype(np.zeros_like(zz), zz, dtype=dtype, route="probs")
    assert np.isfinite(l0[zz < zs - 1.0]).all() and np.isinf(l0[zz > zs * (1 + 1e-9)]).all()
    top = l0[np.isfinite(l0)].max()
    if dtype == "float64":  # 1 + e^-z rounds in steps of 2^-52: one bit short of the cap
        assert cap - math.log(2) - 1e-12 <= top <= cap
    else:
        assert top == pytest.approx(cap, rel=2.0 ** -m_bits)


def test_float16_label_0_exhaustively():
    """Every float16 p in [0, 1]: -log(1 - p) computed in float16 is 0, inf or in
    [-log(1 - u), -log u]."""
    p = np.arange(0, 0x3C01, dtype=np.uint16).view(np.float16)
    one_minus = (np.float16(1) - p).astype(np.float16)
    pos = one_minus[(one_minus > 0) & (one_minus < 1)].astype(float)
    assert pos.min() == 2.0**-11 and pos.max() == 1 - 2.0**-11


def test_bfloat16_routes_match_torch_bfloat16():
    z = np.linspace(-30.0, 30.0, 601)
    for y in (0.0, 1.0):
        yy = np.full(z.size, y)
        # the probability route: torch's bfloat16 sigmoid value, -log in bfloat16
        p = torch.sigmoid(torch.tensor(z)).to(torch.bfloat16)
        p_true = p if y == 1.0 else 1 - p
        ref = (-torch.log(p_true)).double().numpy()
        got = demos.log_loss_in_dtype(yy, z, dtype="bfloat16", route="probs")
        assert np.array_equal(got, ref + 0.0)
        # the logit route: against the exact loss at the bfloat16-rounded logit (mpmath),
        # within two bfloat16 steps (one rounding per operation)
        gotl = demos.log_loss_in_dtype(yy, z, dtype="bfloat16", route="logits")
        zb = demos.round_to_bfloat16(z).astype(float)
        exact = np.array([float(mp.log1p(mp.exp(-abs(mp.mpf(v)))) + max(v, 0.0) - y * v) for v in zb])
        assert np.all(np.abs(gotl - exact) <= 2 * 2.0**-8 * exact)
        # torch's bfloat16 kernel rounds 1 + e^-|z| to bfloat16 before the log, so its small
        # losses come in steps of 2^-8; where the loss exceeds 1 it agrees within two steps
        refl = F.binary_cross_entropy_with_logits(
            torch.tensor(z, dtype=torch.bfloat16), torch.full((z.size,), y, dtype=torch.bfloat16),
            reduction="none").double().numpy()
        big = refl > 1.0
        assert big.sum() > 250
        assert np.all(np.abs(gotl - refl)[big] <= 2 * 2.0**-7 * refl[big])


# ------------------------------------------------------------- torch's other choices


def test_probability_targets_refuse_a_non_default_ignore_index_like_torch(batch):
    z, y, w = batch
    rows = np.eye(4)[y]
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        F.cross_entropy(torch.tensor(z), torch.tensor(rows), ignore_index=0)
    with pytest.raises(ValueError, match="ignore_index"):
        lb.softmax_cross_entropy(rows, z, ignore_index=0)
    # the default -100 passes silently in torch (nothing to ignore)
    assert float(F.cross_entropy(torch.tensor(z), torch.tensor(rows), ignore_index=-100)) == pytest.approx(
        lb.softmax_cross_entropy(rows, z), rel=1e-13)


def test_an_all_ignored_batch_is_nan_in_torch_and_an_error_in_lossbook(batch):
    z, y, w = batch
    y_all = np.full(len(y), -100)
    assert math.isnan(float(F.cross_entropy(torch.tensor(z), torch.tensor(y_all))))
    assert math.isnan(float(F.cross_entropy(torch.tensor(z), torch.tensor(y_all), weight=torch.tensor(w))))
    with pytest.raises(ValueError, match="ignore"):
        lb.softmax_cross_entropy(y_all, z, ignore_index=-100)
    # reduction="sum": a silent zero in both libraries
    assert float(F.cross_entropy(torch.tensor(z), torch.tensor(y_all), reduction="sum")) == 0.0
    assert float(F.cross_entropy(torch.tensor(z), torch.tensor(y_all), weight=torch.tensor(w),
                                 reduction="sum")) == 0.0
    assert lb.softmax_cross_entropy(y_all, z, ignore_index=-100, reduction="sum") == 0.0
    assert lb.softmax_cross_entropy(y_all, z, weight=w, ignore_index=-100, reduction="sum") == 0.0


def test_log_softmax_before_the_loss_is_harmless_and_logits_to_nll_are_not(batch):
    z, y, w = batch
    zt, yt = torch.tensor(z), torch.tensor(y)
    ls = F.log_softmax(zt, dim=1)
    assert float(F.cross_entropy(ls, yt)) == pytest.approx(float(F.cross_entropy(zt, yt)), rel=1e-13)
    assert lb.softmax_cross_entropy(y, ls.numpy()) == pytest.approx(lb.softmax_cross_entropy(y, z), rel=1e-13)
    # logits to NLLLoss: the mean of -z_y, which can be negative
    nll = float(F.nll_loss(zt, yt))
    assert nll == pytest.approx(-np.mean(z[np.arange(len(y)), y]), rel=1e-13)
    assert float(F.nll_loss(zt + 100.0, yt)) < 0


def test_sequence_logits_need_the_class_axis_second():
    z = torch.randn(2, 5, 7, generator=torch.Generator().manual_seed(0))  # (N, T, C)
    y = torch.randint(0, 7, (2, 5), generator=torch.Generator().manual_seed(1))
    with pytest.raises((RuntimeError, ValueError), match="Expected target size"):
        F.cross_entropy(z, y)
    good = F.cross_entropy(z.permute(0, 2, 1), y)
    ref = lb.softmax_cross_entropy(y.reshape(-1).numpy(), z.reshape(-1, 7).double().numpy())
    assert float(good) == pytest.approx(ref, rel=1e-6)


def test_sequence_logits_with_t_equal_c_run_silently_over_the_wrong_axis():
    """The chapter's emulation: unpermuted (N, T, C) logits with T == C are read as (N, C, d1)."""
    rng = np.random.default_rng(11)
    z = rng.normal(scale=2.0, size=(4, 5, 5))
    y = rng.integers(0, 5, size=(4, 5))
    silent = float(F.cross_entropy(torch.tensor(z), torch.tensor(y)))
    wrong = lb.softmax_cross_entropy(y.reshape(-1), np.swapaxes(z, 1, 2).reshape(-1, 5))
    right = lb.softmax_cross_entropy(y.reshape(-1), z.reshape(-1, 5))
    assert silent == pytest.approx(wrong, rel=1e-13)
    assert abs(silent - right) > 0.05 * right


# ------------------------------------------------------------- BCEWithLogitsLoss's pos_weight


@pytest.mark.parametrize("pw", [0.5, 5.0])
def test_pos_weight_multiplies_the_positive_term_and_keeps_a_plain_mean(pw):
    """The chapter's reading of pos_weight: the positive term of each item times pos_weight,
    per-item losses from lossbook, and reduction="mean" a plain mean over N (not a weighted
    mean, unlike CrossEntropyLoss's weight)."""
    rng = np.random.default_rng(5)
    z = rng.normal(scale=2.0, size=12)
    y = (rng.random(12) < 0.3).astype(float)
    y[:2] = [1.0, 0.0]
    zt, yt = torch.tensor(z), torch.tensor(y)
    pwt = torch.tensor([pw], dtype=torch.float64)
    per_t = F.binary_cross_entropy_with_logits(zt, yt, pos_weight=pwt, reduction="none").numpy()
    per = lb.binary_cross_entropy_with_logits(y, z, reduction="none")
    c = np.where(y == 1.0, pw, 1.0)
    np.testing.assert_allclose(per_t, c * per, rtol=1e-13)
    # the same terms at 50 digits: -pw y log sigma(z) - (1 - y) log(1 - sigma(z))
    ref = [float(-(pw * yi * mp.log(1 / (1 + mp.exp(-mp.mpf(zi))))
                   + (1 - yi) * mp.log(1 / (1 + mp.exp(mp.mpf(zi))))))
           for zi, yi in zip(z, y)]
    np.testing.assert_allclose(per_t, ref, rtol=1e-13)
    mean_t = float(F.binary_cross_entropy_with_logits(zt, yt, pos_weight=pwt))
    assert mean_t == pytest.approx(math.fsum(c * per) / len(y), rel=1e-13)
    weighted = math.fsum(c * per) / math.fsum(c)
    assert abs(mean_t - weighted) > 0.05 * mean_t
    assert float(F.binary_cross_entropy_with_logits(zt, yt, pos_weight=pwt, reduction="sum")) == pytest.approx(
        math.fsum(c * per), rel=1e-13)
    # pos_weight = 1 is the plain loss
    assert float(F.binary_cross_entropy_with_logits(zt, yt, pos_weight=torch.ones(1, dtype=torch.float64))) == \
        pytest.approx(lb.binary_cross_entropy_with_logits(y, z), rel=1e-13)
