r"""Information-theory companions for the chapters on entropy and KL divergence.

The library core provides ``entropy``,
``cross_entropy`` and ``kl_divergence`` of discrete distributions. This module
adds what the two Part II chapters need on top of them:

- :func:`surprisal`, :func:`binary_entropy` and :func:`perplexity`;
- densities on a grid: :func:`gaussian_mixture_logpdf` and
  :func:`grid_kl_divergence` (KL between two densities by quadrature);
- :func:`fit_gaussian_kl`: the Gaussian closest to a density in forward
  (:math:`D(p \,\|\, q)`) or reverse (:math:`D(q \,\|\, p)`) KL;
- :func:`kl_monte_carlo`: the sample-average estimate of a KL divergence and
  its standard error;
- :func:`huffman_code_lengths`: the codeword lengths of a binary Huffman code
  (the entropy chapter's worked coding example), :func:`shannon_code_lengths`
  (the lengths :math:`\lceil -\log_2 q_k \rceil` of the Shannon code),
  :func:`canonical_code` (a prefix code with given lengths) and
  :func:`is_uniquely_decodable` (the Sardinas-Patterson test).

Units are nats unless ``base`` is given (``base=2`` gives bits); ``0 log 0 = 0``.
Gaussian log-densities come from the core ``gaussian_nll`` and the mixture's
sum over components from the core ``logsumexp``; :func:`binary_entropy` keeps
its own ``log1p`` kernel (more accurate than ``entropy`` of the rows
``(p, 1 - p)`` for tiny ``p``, and an independent route that the book checks
against ``entropy``).
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v
from ._activations import logsumexp
from ._losses import gaussian_nll

__all__ = [
    "surprisal",
    "binary_entropy",
    "perplexity",
    "gaussian_mixture_logpdf",
    "grid_kl_divergence",
    "fit_gaussian_kl",
    "kl_monte_carlo",
    "huffman_code_lengths",
    "shannon_code_lengths",
    "canonical_code",
    "is_uniquely_decodable",
]



def _out(x):
    return x[()] if np.ndim(x) == 0 else x


def _scale(x, log_base):
    return x if log_base is None else x / log_base


def surprisal(p, *, base=None):
    r"""Surprisal (self-information) :math:`-\log p` of events with probability ``p``.

    .. math::

       I(p) = -\log p

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1], any shape (element-wise; rows need not sum to 1).
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    ndarray or float
        ``-log p`` element-wise (``+inf`` where ``p == 0``, ``0`` where ``p == 1``);
        a float for scalar input.

    Raises
    ------
    ValueError
        If ``p`` is empty, not finite or outside [0, 1], or ``base`` is invalid.

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.surprisal(0.5, base=2))
    1.0
    >>> float(lb.surprisal(0.0))
    inf
    """
    log_base = _v.check_base(base)
    pa = _v.as_float_array(p, "p")
    _v.check_range(pa, "p", 0.0, 1.0, "probabilities")
    with np.errstate(divide="ignore"):  # intended: -log 0 = inf
        s = -np.log(pa)
    s = s + 0.0  # -0.0 -> 0.0 at p == 1
    return _out(_scale(s, log_base))


def binary_entropy(p, *, base=None):
    r"""Entropy of a Bernoulli(``p``) variable, element-wise.

    .. math::

       h(p) = -p \log p - (1 - p) \log (1 - p)

    Parameters
    ----------
    p : array_like
        Success probabilities in [0, 1], any shape.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    ndarray or float
        :math:`h(p)`, with ``0 log 0 = 0`` (so ``h(0) = h(1) = 0``); a float for
        scalar input. The maximum is ``log 2`` (one bit) at ``p = 1/2``.

    Notes
    -----
    Computed with ``log1p`` for the ``1 - p`` term, so ``h`` stays accurate for
    tiny ``p`` (where ``h(p) ~ p log(1/p) + p``).

    Examples
    --------
    >>> import lossbook as lb
    >>> float(lb.binary_entropy(0.5, base=2))
    1.0
    >>> float(lb.binary_entropy(1.0))
    0.0
    """
    log_base = _v.check_base(base)
    pa = _v.as_float_array(p, "p")
    _v.check_range(pa, "p", 0.0, 1.0, "probabilities")
    a = np.multiply(pa, np.log(pa, out=np.zeros_like(pa), where=pa > 0), out=np.zeros_like(pa), where=pa > 0)
    qa = 1.0 - pa
    b = np.multiply(qa, np.log1p(-pa, out=np.zeros_like(pa), where=pa < 1), out=np.zeros_like(pa), where=pa < 1)
    h = np.maximum(-(a + b), 0.0)
    return _out(_scale(h, log_base))


def perplexity(probs):
    r"""Perplexity of a model from the probabilities it gave the observed outcomes.

    .. math::

       \mathrm{PP} = \exp\Bigl(-\frac{1}{N}\sum_{i=1}^{N} \log q_i\Bigr)

    the exponential of the average cross-entropy (in nats); equivalently
    ``2 ** (average cross-entropy in bits)``. Perplexity does not depend on the
    logarithm base.

    Parameters
    ----------
    probs : array_like, shape (N,)
        The probability :math:`q_i \in [0, 1]` the model assigned to each
        observed outcome (token, label), e.g. ``y_prob[np.arange(N), y_true]``.

    Returns
    -------
    float
        The perplexity, in ``[1, inf]``: ``1`` for a model certain and right
        every time, ``K`` for a uniform guess among ``K`` outcomes, ``inf`` if
        some observed outcome had probability 0.

    Raises
    ------
    ValueError
        If ``probs`` is not a non-empty 1-D array of probabilities in [0, 1].

    Examples
    --------
    >>> import lossbook as lb
    >>> round(lb.perplexity([0.25, 0.25, 0.25]), 12)
    4.0
    """
    qa = _v.as_float_array(probs, "probs", ndim=1)
    _v.check_range(qa, "probs", 0.0, 1.0, "probabilities")
    with np.errstate(divide="ignore"):  # intended: log 0 = -inf gives inf perplexity
        mean_nll = -np.mean(np.log(qa))
    return float(np.exp(mean_nll))


def _check_same_len(a, b, name_a, name_b):
    _v.check_same_shape(a, b, name_a, name_b)


def gaussian_mixture_logpdf(x, weights, means, sigmas):
    r"""Log-density of a one-dimensional Gaussian mixture, computed stably.

    .. math::

       \log p(x) = \log \sum_{j=1}^{J} w_j\,
       \frac{1}{\sqrt{2\pi}\,\sigma_j}
       \exp\Bigl(-\frac{(x - \mu_j)^2}{2\sigma_j^2}\Bigr)

    Parameters
    ----------
    x : array_like
        Points, any shape.
    weights : array_like, shape (J,)
        Mixture weights, in [0, 1] and summing to 1.
    means : array_like, shape (J,)
        Component means.
    sigmas : array_like, shape (J,)
        Component standard deviations (> 0).

    Returns
    -------
    ndarray or float
        :math:`\log p(x)`, same shape as ``x``. Computed with a log-sum-exp
        over components, so it stays finite far in the tails where the density
        itself underflows to 0.

    Raises
    ------
    ValueError
        If the parameters have different lengths, weights are not a probability
        vector, or a sigma is not positive.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> v = lb.gaussian_mixture_logpdf(0.0, [1.0], [0.0], [1.0])
    >>> bool(np.isclose(v, -0.5 * np.log(2 * np.pi)))
    True
    """
    xa = _v.as_float_array(x, "x")
    _v.check_finite(xa, "x")
    w = _v.check_probabilities(weights, "weights", ndim=1)
    mu = _v.as_float_array(means, "means", ndim=1)
    _v.check_finite(mu, "means")
    sg = _v.as_float_array(sigmas, "sigmas", ndim=1)
    _v.check_finite(sg, "sigmas")
    _check_same_len(w, mu, "weights", "means")
    _check_same_len(w, sg, "weights", "sigmas")
    if sg.min() <= 0:
        raise ValueError(f"sigmas must be > 0, got {float(sg.min())!r}")
    keep = w > 0  # a zero-weight component contributes nothing (and log 0 is not a logit)
    w, mu, sg = w[keep], mu[keep], sg[keep]
    shape = xa.shape + (w.size,)
    with np.errstate(over="ignore"):  # (x - mu)^2 can overflow for |x| ~ 1e155+: log-density -inf
        log_comp = -gaussian_nll(
            np.broadcast_to(xa[..., None], shape).ravel(),
            np.broadcast_to(mu, shape).ravel(),
            np.broadcast_to(sg, shape).ravel(),
            reduction="none",
        ).reshape(shape)
    a = np.log(w) + log_comp
    dead = np.isneginf(a)
    # logsumexp takes finite logits: a -inf term contributes exp(-inf) = 0, and -1e300 does too
    out = logsumexp(np.where(dead, -1e300, a))
    out = np.where(dead.all(axis=-1), -np.inf, out)
    return _out(np.asarray(out, dtype=np.float64))


def _check_grid(x):
    xa = _v.as_float_array(x, "x", ndim=1)
    _v.check_finite(xa, "x")
    if xa.size < 3:
        raise ValueError(f"x must hold at least 3 grid points, got {xa.size}")
    dx = np.diff(xa)
    step = dx[0]
    if step <= 0 or not np.allclose(dx, step, rtol=1e-9, atol=0.0):
        raise ValueError("x must be an increasing, evenly spaced grid (e.g. np.linspace(a, b, n))")
    return xa, float(step)


def _check_logdens(log_p, name, xa):
    la = _v.as_float_array(log_p, name, ndim=1)
    if la.shape != xa.shape:
        raise ValueError(
            f"{name} must have the same shape as x, got {name} ({la.size},) and x ({xa.size},)"
        )
    if np.isnan(la).any() or (la == np.inf).any():
        raise ValueError(f"{name} must hold log-densities (finite or -inf), got nan or +inf")
    return la


def _grid_kl(lp, lq, dx):
    # the mass p(x_i) dx of each cell, formed in log space (exp(800) alone overflows)
    with np.errstate(over="ignore"):
        w = np.exp(lp + np.log(dx))
    pos = w > 0
    if np.any(pos & (lq == -np.inf)):
        return np.inf
    same = lp == lq  # also keeps a huge w times a zero log-ratio from giving NaN
    terms = np.zeros_like(w)
    sel = pos & ~same
    terms[sel] = w[sel] * (lp[sel] - lq[sel])
    return _v.accurate_sum(terms)


def grid_kl_divergence(x, log_p, log_q):
    r"""KL divergence between two densities tabulated on an even grid.

    .. math::

       D_{\mathrm{KL}}(p \,\|\, q) = \int p(x) \log\frac{p(x)}{q(x)}\,dx
       \approx \Delta x \sum_i p(x_i)\bigl(\log p(x_i) - \log q(x_i)\bigr)

    Parameters
    ----------
    x : array_like, shape (n,)
        An increasing, evenly spaced grid that covers the mass of ``p``.
    log_p, log_q : array_like, shape (n,)
        Log-densities at ``x`` (``-inf`` allowed where a density is 0).

    Returns
    -------
    float
        The divergence in nats; ``inf`` where ``q = 0`` on a point where
        ``p > 0``.

    Notes
    -----
    The rectangle rule on an even grid is spectrally accurate for smooth
    densities that vanish at both ends of the grid, so a few thousand points
    give many correct digits for Gaussians and their mixtures. Mass outside the
    grid is ignored.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> x = np.linspace(-12, 12, 2001)
    >>> lp = lb.gaussian_mixture_logpdf(x, [1.0], [0.0], [1.0])
    >>> round(lb.grid_kl_divergence(x, lp, lp), 12)
    0.0
    """
    xa, dx = _check_grid(x)
    lp = _check_logdens(log_p, "log_p", xa)
    lq = _check_logdens(log_q, "log_q", xa)
    _check_mass(lp, dx)
    return _grid_kl(lp, lq, dx)


def _check_mass(lp, dx):
    """Refuse a log_p whose mass on the grid is not about 1 (formed in log space)."""
    fin = lp > -np.inf
    log_mass = float(logsumexp(lp[fin]) + np.log(dx)) if fin.any() else -np.inf
    if not (abs(log_mass) <= np.log(2.0)):
        mass = float(np.exp(log_mass)) if log_mass < 709.0 else float("inf")
        raise ValueError(
            f"log_p must be a log-density whose mass on the grid, dx * sum(exp(log_p)), is about 1 "
            f"(between 0.5 and 2), got {mass:.6g}; the grid must cover the mass of p"
        )


def _gauss_logpdf(x, mu, sigma):
    return -gaussian_nll(x, np.full_like(x, mu), sigma, reduction="none")


def fit_gaussian_kl(x, log_p, *, direction="forward", mu0=None, sigma0=None, tol=1e-7, max_iter=5000):
    r"""The Gaussian :math:`q = \mathcal N(\mu, \sigma^2)` closest to a density in KL.

    ``direction="forward"`` minimises :math:`D_{\mathrm{KL}}(p \,\|\, q)` (the
    fit must cover all of ``p``'s mass); ``direction="reverse"`` minimises
    :math:`D_{\mathrm{KL}}(q \,\|\, p)` (the fit avoids regions where ``p`` is
    small and tends to sit on one mode). Both divergences are computed by
    :func:`lossbook.grid_kl_divergence` on the grid ``x``.

    Parameters
    ----------
    x : array_like, shape (n,)
        An increasing, evenly spaced grid covering the mass of ``p`` and of the
        fitted Gaussian.
    log_p : array_like, shape (n,)
        Log-density of the target at ``x``.
    direction : {"forward", "reverse"}
        Which divergence to minimise.
    mu0, sigma0 : float, optional
        Starting point of the search. Default ``sigma0``: the standard
        deviation of ``p`` on the grid. Default ``mu0``: the mean of ``p``
        (forward) or its highest grid point (reverse; the first one if there
        are ties). The reverse divergence of a multimodal ``p`` has one local
        minimum per mode, and the search returns the one it reaches from this
        start; for a symmetric ``p`` started exactly at the centre it stays on
        the symmetric stationary point, which is not a minimum.
    tol : float, default 1e-7
        The search stops when its step in :math:`\mu` (relative to the grid
        width) and in :math:`\log\sigma` is below ``tol``.
    max_iter : int, default 5000
        Maximum number of search steps.

    Returns
    -------
    mu, sigma : float
        The fitted mean and standard deviation (a local minimiser).

    Notes
    -----
    A deterministic compass (pattern) search over :math:`(\mu, \log\sigma)`:
    from the current point, try a step up and down in each coordinate, move if
    the divergence falls, halve the steps otherwise. The forward minimiser is
    known in closed form (moment matching: :math:`\mu = \mathbb E_p[X]`,
    :math:`\sigma^2 = \operatorname{Var}_p X`), which the book uses to check
    this search.

    Raises
    ------
    ValueError
        For a bad grid, mismatched ``log_p``, an unknown ``direction`` or a
        non-positive ``sigma0``.

    Examples
    --------
    >>> import numpy as np, lossbook as lb
    >>> from lossbook import demos
    >>> x = np.linspace(-10, 14, 2401)
    >>> lp = lb.gaussian_mixture_logpdf(x, [1.0], [2.0], [1.5])
    >>> mu, sigma = demos.fit_gaussian_kl(x, lp, direction="reverse",
    ...                                   mu0=0.0, sigma0=1.0)
    >>> round(mu, 4), round(sigma, 4)
    (2.0, 1.5)
    """
    xa, dx = _check_grid(x)
    lp = _check_logdens(log_p, "log_p", xa)
    if direction not in ("forward", "reverse"):
        raise ValueError(f"direction must be 'forward' or 'reverse', got {direction!r}")
    tol = _v.check_positive_scalar(tol, "tol")
    max_iter = _v.check_int(max_iter, "max_iter")
    _check_mass(lp, dx)  # the objective is grid_kl_divergence's (exp(800) would overflow)
    p = np.exp(lp)
    mass = p.sum() * dx
    if not mass > 0:
        raise ValueError("log_p puts no mass on the grid x")
    m_p = float((xa * p).sum() * dx / mass)
    s_p = float(np.sqrt(((xa - m_p) ** 2 * p).sum() * dx / mass))
    if mu0 is None:
        mu = m_p if direction == "forward" else float(xa[int(np.argmax(lp))])
    else:
        mu = _v.check_real(mu0, "mu0")
    ls = np.log(s_p if sigma0 is None else _v.check_positive_scalar(sigma0, "sigma0"))

    def objective(m, log_s):
        lq = _gauss_logpdf(xa, m, np.exp(log_s))
        if direction == "forward":
            return _grid_kl(lp, lq, dx)
        return _grid_kl(lq, lp, dx)

    width = float(xa[-1] - xa[0])
    step = np.array([width / 20.0, 0.5])
    best = objective(mu, ls)
    for _ in range(max_iter):
        if step[0] < tol * width and step[1] < tol:
            break
        moved = False
        for j in range(2):
            for sign in (1.0, -1.0):
                cand = [mu, ls]
                cand[j] += sign * step[j]
                val = objective(*cand)
                if val < best:
                    mu, ls = cand
                    best = val
                    moved = True
                    break
        if not moved:
            step = step / 2.0
    return float(mu), float(np.exp(ls))


def kl_monte_carlo(log_p_at_samples, log_q_at_samples):
    r"""Monte Carlo estimate of :math:`D_{\mathrm{KL}}(p \,\|\, q)` and its standard error.

    .. math::

       \widehat{D} = \frac{1}{N}\sum_{i=1}^{N}\bigl(\log p(x_i) - \log q(x_i)\bigr),
       \qquad x_i \sim p

    Parameters
    ----------
    log_p_at_samples, log_q_at_samples : array_like, shape (N,)
        :math:`\log p(x_i)` and :math:`\log q(x_i)` at ``N >= 2`` samples
        **drawn from p**.

    Returns
    -------
    estimate, stderr : float
        The sample mean of the log-ratios (unbiased, but it can be negative for
        a single draw) and its standard error ``std(ddof=1) / sqrt(N)``.

    Raises
    ------
    ValueError
        If the inputs differ in shape, hold fewer than 2 samples, or are not
        finite (a sample where ``q = 0`` makes the divergence infinite).

    Examples
    --------
    >>> import lossbook as lb
    >>> lb.kl_monte_carlo([0.0, -1.0], [0.0, -1.0])
    (0.0, 0.0)
    """
    a = _v.as_float_array(log_p_at_samples, "log_p_at_samples", ndim=1)
    b = _v.as_float_array(log_q_at_samples, "log_q_at_samples", ndim=1)
    _v.check_same_shape(a, b, "log_p_at_samples", "log_q_at_samples")
    if a.size < 2:
        raise ValueError(f"need at least 2 samples for a standard error, got {a.size}")
    _v.check_finite(a, "log_p_at_samples")
    _v.check_finite(b, "log_q_at_samples")
    # no intermediate overflow: ([1e200, -1e200], [0, 0]) gives (0.0, 1e200)
    mean, sd = _v.mean_and_spread(a, b, ddof=1)
    return mean, sd / float(np.sqrt(a.size))


def huffman_code_lengths(p):
    r"""Codeword lengths of a binary Huffman code for a discrete distribution.

    Huffman's algorithm repeatedly merges the two least probable groups of
    symbols; every merge adds one bit to the codeword of each symbol in the two
    groups. The result is a prefix code with the smallest expected length

    .. math::

       L = \sum_k p_k \ell_k

    among all uniquely decodable binary codes that give each symbol its own
    codeword, and its lengths satisfy the Kraft inequality with equality,
    :math:`\sum_k 2^{-\ell_k} = 1` (for two or more symbols), and
    :math:`H_2(p) \le L < H_2(p) + 1`.

    Parameters
    ----------
    p : array_like, shape (n,)
        Probabilities of the ``n`` symbols: entries in [0, 1] summing to 1.

    Returns
    -------
    ndarray of int, shape (n,)
        Codeword length ``l_k`` in bits of each symbol (symbols of probability 0
        get a codeword too). A single symbol gets length 0: nothing needs sending.

    Raises
    ------
    ValueError
        If ``p`` is not a 1-D probability vector.

    Notes
    -----
    Ties are broken by the order in which groups were formed (earliest first),
    so the lengths are deterministic; other tie-breaks give other lengths with
    the same expected length. A demo: to compress data, use arithmetic coding
    or a library codec.

    References
    ----------
    D. A. Huffman, "A method for the construction of minimum-redundancy
    codes", Proc. IRE 40 (1952). Cover and Thomas, *Elements of Information
    Theory*, 2nd ed., sec. 5.6.

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.huffman_code_lengths([0.5, 0.25, 0.125, 0.125]).tolist()
    [1, 2, 3, 3]
    """
    import heapq

    pa = _v.check_probabilities(p, "p", ndim=1)
    n = pa.size
    lengths = np.zeros(n, dtype=np.int64)
    if n == 1:
        return lengths
    heap = [(float(v), k, [k]) for k, v in enumerate(pa)]
    heapq.heapify(heap)
    counter = n
    while len(heap) > 1:
        w1, _, g1 = heapq.heappop(heap)
        w2, _, g2 = heapq.heappop(heap)
        members = g1 + g2
        lengths[members] += 1
        heapq.heappush(heap, (w1 + w2, counter, members))
        counter += 1
    return lengths


def shannon_code_lengths(q):
    r"""Codeword lengths of the Shannon code for a distribution ``q``.

    .. math::

       \ell_k = \lceil -\log_2 q_k \rceil ,

    the smallest integer with :math:`2^{-\ell_k} \le q_k`. Then
    :math:`\sum_k 2^{-\ell_k} \le \sum_k q_k = 1` (Kraft), and on data from a
    distribution ``p`` the expected length satisfies
    :math:`H_2(p, q) \le \sum_k p_k \ell_k < H_2(p, q) + 1`; with ``p = q`` this
    is the upper bound :math:`L < H_2(q) + 1` of the source coding theorem.

    Parameters
    ----------
    q : array_like, shape (n,)
        Probabilities of the ``n`` symbols: entries in (0, 1] summing to 1 (a
        symbol of probability 0 would need an infinitely long codeword).

    Returns
    -------
    ndarray of int, shape (n,)
        Codeword length ``l_k`` in bits of each symbol.

    Raises
    ------
    ValueError
        If ``q`` is not a 1-D probability vector, or has a zero entry.

    Notes
    -----
    The lengths are exact: the rounding of ``log2`` is corrected by comparing
    ``q_k`` with exact powers of two, so a dyadic ``q_k = 2**-j`` gets length
    ``j``. The Shannon code is not optimal (Huffman's is), but it is within one
    bit of the entropy, which is how the upper bound is proved.

    References
    ----------
    Cover and Thomas, *Elements of Information Theory*, 2nd ed., sec. 5.4
    (theorems 5.4.1 and 5.4.3).

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.shannon_code_lengths([0.5, 0.3, 0.2]).tolist()
    [1, 2, 3]
    """
    qa = _v.check_probabilities(q, "q", ndim=1)
    if np.any(qa == 0):
        k = int(np.flatnonzero(qa == 0)[0])
        raise ValueError(
            f"q must be positive: a symbol of probability 0 needs an infinitely "
            f"long codeword (q[{k}] is 0); drop the symbol"
        )
    lengths = np.ceil(-np.log2(qa)).astype(np.int64)
    for k, v in enumerate(qa):
        # exact: ldexp(1, -l) is a power of two
        while np.ldexp(1.0, -int(lengths[k])) > v:
            lengths[k] += 1
        while lengths[k] > 0 and np.ldexp(1.0, -int(lengths[k]) + 1) <= v:
            lengths[k] -= 1
    return lengths


def canonical_code(lengths):
    r"""A binary prefix code with the given codeword lengths (the canonical code).

    Symbols are taken in order of increasing length (ties in index order); each
    gets the next binary number of its length, so no codeword begins another.
    Such a code exists exactly when the lengths satisfy Kraft's inequality

    .. math::

       \sum_k 2^{-\ell_k} \le 1 .

    Parameters
    ----------
    lengths : array_like of int, shape (n,)
        Codeword lengths in bits, each at least 1 (or a single length 0 for a
        one-symbol alphabet).

    Returns
    -------
    list of str, length n
        The codeword of each symbol, as a string of ``'0'`` and ``'1'``.

    Raises
    ------
    ValueError
        If ``lengths`` is not a 1-D array of non-negative integers, or breaks
        Kraft's inequality (then no prefix code, and by McMillan's theorem no
        uniquely decodable code, has these lengths).

    References
    ----------
    Cover and Thomas, *Elements of Information Theory*, 2nd ed., sec. 5.2.

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.canonical_code([2, 2, 2, 3, 3])
    ['00', '01', '10', '110', '111']
    """
    from fractions import Fraction

    arr = _v.to_array(lengths, "lengths", "an array of integer lengths")
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"lengths must be an array of integer lengths, got dtype {arr.dtype}"
        )
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"lengths must be a non-empty 1-D array, got shape {arr.shape}"
        )
    if arr.dtype.kind not in "iu" and not (
        arr.dtype.kind == "f" and np.all(np.isfinite(arr))
        and np.all(arr == np.round(arr))
    ):
        raise ValueError(
            f"lengths must be integers, got {_v._show(arr)}"
        )
    if np.any(arr < 0) or np.any(arr > 1024) or (
        np.any(arr == 0) and arr.size > 1
    ):
        raise ValueError(
            "lengths must be between 1 and 1024 (0 only for a single symbol),"
            f" got {_v._show(arr)}"
        )
    ls = [int(v) for v in arr]
    kraft = sum(Fraction(1, 2 ** v) for v in ls)
    if kraft > 1:
        raise ValueError(
            f"lengths break Kraft's inequality: sum of 2**-l is {float(kraft)}"
            f" > 1, so no uniquely decodable code has these lengths ({len(ls)} of them)"
        )
    codes = [""] * len(ls)
    value, prev = 0, 0
    for k in sorted(range(len(ls)), key=lambda i: (ls[i], i)):
        value <<= ls[k] - prev
        prev = ls[k]
        codes[k] = format(value, "b").zfill(ls[k]) if ls[k] else ""
        value += 1
    return codes


def is_uniquely_decodable(codewords):
    r"""Whether a binary code is uniquely decodable (Sardinas-Patterson test).

    A code is uniquely decodable when every concatenation of codewords splits
    back into codewords in only one way. The test builds the sets of dangling
    suffixes: :math:`S_1` holds the suffixes left when one codeword is a prefix
    of another, and :math:`S_{i+1}` those left when a codeword and an element
    of :math:`S_i` are prefixes of each other. The code is uniquely decodable
    exactly when no :math:`S_i` contains a codeword; since the suffixes are
    finitely many, the sets repeat after finitely many steps.

    Parameters
    ----------
    codewords : sequence of str
        Codewords made of the characters ``'0'`` and ``'1'``, non-empty.

    Returns
    -------
    bool
        True if the code is uniquely decodable. Every prefix code is; a code
        with a repeated codeword is not.

    Raises
    ------
    ValueError
        If ``codewords`` is empty or a codeword is empty or not binary.
    TypeError
        If a codeword is not a string.

    References
    ----------
    A. A. Sardinas and G. W. Patterson, "A necessary and sufficient
    condition for the unique decomposition of coded messages", IRE Convention
    Record 8 (1953). Cover and Thomas, *Elements of Information Theory*,
    2nd ed., problem 5.27.

    Examples
    --------
    >>> from lossbook import demos
    >>> demos.is_uniquely_decodable(["0", "01", "011"])
    True
    >>> demos.is_uniquely_decodable(["0", "1", "01"])
    False
    """
    if isinstance(codewords, str):
        raise TypeError(
            "codewords must be a sequence of strings, got one string "
            f"{codewords!r}"
        )
    words = list(codewords)
    if not words:
        raise ValueError("codewords must not be empty, got an empty sequence")
    for k, w in enumerate(words):
        if not isinstance(w, str):
            raise TypeError(
                f"codewords must be strings, got {type(w).__name__} "
                f"{w!r} at position {k}"
            )
        if not w or set(w) - {"0", "1"}:
            raise ValueError(
                f"codewords must be non-empty strings of 0 and 1, got {w!r}"
                f" at position {k}"
            )
    code = set(words)
    if len(code) < len(words):
        return False

    def dangling(a_set, b_set):
        return {b[len(a):] for a in a_set for b in b_set
                if b != a and b.startswith(a)}

    current = dangling(code, code)
    seen = set()
    while current:
        if current & code:
            return False
        key = frozenset(current)
        if key in seen:
            return True
        seen.add(key)
        current = dangling(code, current) | dangling(current, code)
    return True
