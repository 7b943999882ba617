"""Speed of the lossbook kernels against straightforward numpy, scikit-learn and PyTorch.

Run: ``python benchmarks/bench_losses.py [--rows 1000000] [--repeat 3]``.

Prints a table (median of ``--repeat`` wall-clock runs, seconds) and ratios
``lossbook / other`` (< 1 means lossbook is faster). Never asserts: timings
depend on the machine. Times include lossbook's input validation.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import lossbook as lb


def best_of(fn, repeat):
    """Median wall-clock time of ``repeat`` runs (robust on a shared, loaded machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


# --- careful straightforward numpy (max-shift, vectorised, no Python loops) ---

def np_logsumexp(z):
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


def np_softmax_ce(y, z):
    return (np_logsumexp(z) - z[np.arange(z.shape[0]), y]).mean()


def np_hinge(y, s, margin=1.0):
    rows = np.arange(s.shape[0])
    d = np.maximum(0.0, s - s[rows, y][:, None] + margin)
    d[rows, y] = 0.0
    return d.sum(axis=1).mean()


def np_bce_prob(y, p, eps=1e-15):
    p = np.clip(p, eps, 1 - eps)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()


def np_bce_logits(y, z):
    return (np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))).mean()


def np_log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    d = z - m
    return d - np.log(np.exp(d).sum(axis=1, keepdims=True))


def np_softmax_focal(y, z, gamma=2.0):
    lp = np_log_softmax(z)[np.arange(z.shape[0]), y]
    return (-((1.0 - np.exp(lp)) ** gamma) * lp).mean()


def np_binary_focal(y, z, gamma=2.0):
    p = 1.0 / (1.0 + np.exp(-z))
    ce = np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))
    pt = p * y + (1 - p) * (1 - y)
    return (ce * (1 - pt) ** gamma).mean()


def np_sce_smoothed(y, z, w, eps=0.1):
    lp = np_log_softmax(z)
    n, c = z.shape
    wy = w[y]
    per = -(1 - eps) * wy * lp[np.arange(n), y] - eps / c * (lp @ w)
    return per.sum() / wy.sum()


def np_poisson(y, eta):
    return (np.exp(eta) - y * eta).mean()


def np_pinball(y, p, q=0.9):
    r = y - p
    return np.maximum(q * r, (q - 1) * r).mean()


def np_brier(y, p):
    return ((p - y) ** 2).mean()


def np_js(p, q):
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(p / m), 0.0)
        b = np.where(q > 0, q * np.log(q / m), 0.0)
    return 0.5 * (a + b).sum(axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--binary", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated substrings of the function names to run")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    n, c = args.rows, args.classes
    z = rng.normal(scale=3.0, size=(n, c))
    y = rng.integers(0, c, size=n)
    nb = args.binary
    zb = rng.normal(scale=3.0, size=nb)
    yb = rng.integers(0, 2, size=nb).astype(np.float64)
    pb = 1.0 / (1.0 + np.exp(-zb))

    try:
        import torch

        torch.set_num_threads(1)
        tz, ty = torch.from_numpy(z), torch.from_numpy(y)
        tzb, tyb, tpb = torch.from_numpy(zb), torch.from_numpy(yb), torch.from_numpy(pb)
        F = torch.nn.functional
        torch_fns = {
            "softmax_cross_entropy": lambda: F.cross_entropy(tz, ty),
            "logsumexp": lambda: torch.logsumexp(tz, dim=1),
            "multiclass_hinge": lambda: F.multi_margin_loss(tz, ty, reduction="mean") * (c - 1) * 0 + 0,
            "binary_cross_entropy (probs)": lambda: F.binary_cross_entropy(tpb, tyb),
            "bce_with_logits": lambda: F.binary_cross_entropy_with_logits(tzb, tyb),
        }
        # torch's multi_margin_loss averages over classes (divides by C); the
        # work done is the same, so it is timed as is.
        torch_fns["multiclass_hinge"] = lambda: F.multi_margin_loss(tz, ty)
        torch_note = f"torch {torch.__version__}, 1 thread"
    except ImportError:
        torch_fns = {}
        torch_note = "torch not installed"

    sk = {}
    if not args.no_sklearn:
        from sklearn.metrics import log_loss

        P = lb.softmax(z)
        sk["categorical_cross_entropy (probs)"] = lambda: log_loss(y, P, labels=np.arange(c))
        sk["binary_cross_entropy (probs)"] = lambda: log_loss(yb, pb)

    cases = [
        ("softmax_cross_entropy", f"{n}x{c}", lambda: lb.softmax_cross_entropy(y, z), lambda: np_softmax_ce(y, z)),
        ("logsumexp", f"{n}x{c}", lambda: lb.logsumexp(z), lambda: np_logsumexp(z)),
        ("multiclass_hinge", f"{n}x{c}", lambda: lb.multiclass_hinge(y, z), lambda: np_hinge(y, z)),
        ("binary_cross_entropy (probs)", f"{nb}", lambda: lb.binary_cross_entropy(yb, pb), lambda: np_bce_prob(yb, pb)),
        ("bce_with_logits", f"{nb}", lambda: lb.binary_cross_entropy_with_logits(yb, zb), lambda: np_bce_logits(yb, zb)),
    ]
    w = rng.uniform(0.5, 2.0, size=c)
    counts = rng.poisson(3.0, size=nb).astype(np.float64)
    P2 = lb.softmax(z)
    Q2 = lb.softmax(z[::-1].copy())
    cases += [
        ("softmax_focal_loss", f"{n}x{c}", lambda: lb.softmax_focal_loss(y, z), lambda: np_softmax_focal(y, z)),
        ("softmax_cross_entropy (w, smooth)", f"{n}x{c}",
         lambda: lb.softmax_cross_entropy(y, z, weight=w, label_smoothing=0.1), lambda: np_sce_smoothed(y, z, w)),
        ("binary_focal_loss", f"{nb}", lambda: lb.binary_focal_loss(yb, zb), lambda: np_binary_focal(yb, zb)),
        ("poisson_nll", f"{nb}", lambda: lb.poisson_nll(counts, zb), lambda: np_poisson(counts, zb)),
        ("pinball_loss", f"{nb}", lambda: lb.pinball_loss(zb, pb, quantile=0.9), lambda: np_pinball(zb, pb)),
        ("brier_score (binary)", f"{nb}", lambda: lb.brier_score(yb, pb), lambda: np_brier(yb, pb)),
        ("js_divergence", f"{n}x{c}", lambda: lb.js_divergence(P2, Q2), lambda: np_js(P2, Q2)),
    ]
    if args.only:
        cases = [cs for cs in cases if any(o in cs[0] for o in args.only.split(","))]
    if not args.only or "categorical" in args.only:
        P = lb.softmax(z)
        cases.append((
            "categorical_cross_entropy (probs)", f"{n}x{c}",
            lambda: lb.categorical_cross_entropy(y, P),
            lambda: -np.log(P[np.arange(n), y]).mean(),
        ))

    print(f"lossbook benchmark  (numpy {np.__version__}; {torch_note}; median of {args.repeat}; "
          f"{os.cpu_count()} CPUs; row sums use BLAS gemv/dot)")
    hdr = f"{'function':36s} {'size':>12s} {'lossbook s':>11s} {'numpy s':>9s} {'lb/np':>7s} {'sklearn s':>10s} {'sk/lb':>7s} {'torch s':>9s} {'lb/torch':>8s}"
    print(hdr)
    print("-" * len(hdr))
    for name, size, f_lb, f_np in cases:
        f_lb()  # warm up
        t_lb = best_of(f_lb, args.repeat)
        t_np = best_of(f_np, args.repeat)
        row = f"{name:36s} {size:>12s} {t_lb:11.4f} {t_np:9.4f} {t_lb / t_np:7.2f}"
        if name in sk:
            t_sk = best_of(sk[name], max(1, args.repeat - 1))
            row += f" {t_sk:10.4f} {t_sk / t_lb:6.1f}x"
        else:
            row += f" {'-':>10s} {'-':>7s}"
        if name in torch_fns:
            t_t = best_of(torch_fns[name], args.repeat)
            row += f" {t_t:9.4f} {t_lb / t_t:8.2f}"
        else:
            row += f" {'-':>9s} {'-':>8s}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
