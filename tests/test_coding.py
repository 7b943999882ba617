"""Huffman code lengths (lossbook.demos.huffman_code_lengths): Kraft, optimality, bounds."""

import itertools
import math

import numpy as np
import pytest

import lossbook as lb
from lossbook import demos


def brute_force_best_length(p):
    """Smallest expected length over all length vectors (1..n-1 bits) meeting Kraft's inequality.

    By the Kraft-McMillan theorem these are exactly the lengths of uniquely decodable codes,
    so this is the optimum Huffman must reach, found without Huffman's algorithm.
    """
    n = len(p)
    best = math.inf
    for ls in itertools.product(range(1, n), repeat=n):
        if math.fsum(2.0 ** -l for l in ls) <= 1.0:
            best = min(best, math.fsum(pk * l for pk, l in zip(p, ls)))
    return best


def test_dyadic_distribution_gets_lengths_minus_log2_p():
    p = [0.5, 0.25, 0.125, 0.125]
    assert demos.huffman_code_lengths(p).tolist() == [1, 2, 3, 3]


@pytest.mark.parametrize("seed, n", [(s, n) for n in (2, 3, 4, 5, 6) for s in range(3)])
def test_huffman_is_optimal_against_brute_force(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(n, 0.6))
    ls = demos.huffman_code_lengths(p)
    assert math.isclose(float(np.dot(p, ls)), brute_force_best_length(p), rel_tol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 7, 20])
def test_kraft_sum_is_one_and_entropy_bounds_hold(n):
    p = np.random.default_rng(n).dirichlet(np.ones(n))
    ls = demos.huffman_code_lengths(p)
    assert math.fsum(2.0 ** -float(l) for l in ls) == 1.0
    h = float(lb.entropy(p, base=2))
    L = float(np.dot(p, ls))
    assert h <= L < h + 1


def test_single_symbol_needs_no_bits_and_zero_probabilities_get_codewords():
    assert demos.huffman_code_lengths([1.0]).tolist() == [0]
    ls = demos.huffman_code_lengths([0.5, 0.5, 0.0])
    assert ls.min() >= 1 and math.fsum(2.0 ** -float(l) for l in ls) == 1.0


def test_input_not_mutated_and_bad_input_named():
    p = np.array([0.3, 0.7])
    demos.huffman_code_lengths(p)
    assert p.tolist() == [0.3, 0.7]
    with pytest.raises(ValueError, match="p"):
        demos.huffman_code_lengths([0.5, 0.6])
    with pytest.raises(ValueError, match="p"):
        demos.huffman_code_lengths([[0.5, 0.5]])


# ---------------------------------------------------------------------------
# Shannon code, canonical prefix code, Sardinas-Patterson
# ---------------------------------------------------------------------------


def test_shannon_lengths_are_ceil_minus_log2_in_mpmath():
    import mpmath as mp

    rng = np.random.default_rng(11)
    for q in [np.array([0.5, 0.25, 0.125, 0.125]), np.array([0.5, 0.3, 0.2])] + [
        rng.dirichlet(np.full(k, 0.5)) for k in range(2, 12)
    ]:
        ls = demos.shannon_code_lengths(q)
        with mp.workdps(50):
            want = [int(mp.ceil(-mp.log(mp.mpf(float(v)), 2))) for v in q]
        assert ls.tolist() == want


def test_shannon_code_is_within_one_bit_of_the_cross_entropy():
    rng = np.random.default_rng(12)
    for _ in range(300):
        k = int(rng.integers(2, 9))
        p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.full(k, 0.5))
        ls = demos.shannon_code_lengths(q)
        assert math.fsum(2.0 ** -float(l) for l in ls) <= 1.0
        el = math.fsum(float(a) * float(b) for a, b in zip(p, ls))
        hpq = float(lb.cross_entropy(p, q, base=2))
        assert hpq - 1e-12 <= el < hpq + 1


def test_shannon_lengths_reject_zero_probability():
    with pytest.raises(ValueError, match="q must be positive"):
        demos.shannon_code_lengths([0.5, 0.5, 0.0])


def test_canonical_code_is_prefix_free_with_the_given_lengths():
    rng = np.random.default_rng(13)
    done = 0
    while done < 200:
        ls = rng.integers(1, 7, size=int(rng.integers(1, 9)))
        if math.fsum(2.0 ** -float(l) for l in ls) > 1:
            with pytest.raises(ValueError, match="Kraft"):
                demos.canonical_code(ls)
            continue
        code = demos.canonical_code(ls)
        assert [len(c) for c in code] == ls.tolist()
        assert not any(a != b and b.startswith(a) for a in code for b in code)
        assert len(set(code)) == len(code)
        done += 1
    assert demos.canonical_code([2, 2, 2, 3, 3]) == ["00", "01", "10", "110", "111"]


def test_canonical_code_bad_lengths_named():
    with pytest.raises(ValueError, match="lengths"):
        demos.canonical_code([1, 0])
    with pytest.raises(ValueError, match="lengths must be integers"):
        demos.canonical_code([1.5, 2])
    with pytest.raises(ValueError, match="lengths"):
        demos.canonical_code([[1, 2]])


def _parses(s, code, limit=3):
    """Number of ways to split s into codewords (capped at limit)."""
    ways = [0] * (len(s) + 1)
    ways[0] = 1
    for i in range(1, len(s) + 1):
        ways[i] = min(limit, sum(ways[i - len(c)] for c in code
                                 if len(c) <= i and s[i - len(c):i] == c))
    return ways[-1]


@pytest.mark.parametrize("code, ud", [
    (["0", "01", "011"], True),            # suffix code, not prefix
    (["0", "1", "01"], False),
    (["0", "01", "10"], False),
    (["1", "011", "01110", "1110", "10011"], False),
    (["00", "01", "10", "110", "111"], True),
    (["0", "10", "110", "111"], True),
    (["0", "0"], False),
])
def test_sardinas_patterson_on_known_codes(code, ud):
    assert demos.is_uniquely_decodable(code) is ud


def test_sardinas_patterson_against_parse_counting():
    # a code that is not uniquely decodable has a string with two parses;
    # for these short codes one appears among concatenations of <= 4 words
    rng = np.random.default_rng(14)
    for _ in range(150):
        n = int(rng.integers(2, 4))
        code = sorted({format(int(rng.integers(0, 2 ** l)), "b").zfill(l)
                       for l in rng.integers(1, 4, size=n)})
        ambiguous = any(
            _parses("".join(ws), code) > 1
            for m in range(1, 5)
            for ws in itertools.product(code, repeat=m)
        )
        assert demos.is_uniquely_decodable(code) is (not ambiguous)


def test_sardinas_patterson_bad_input_named():
    with pytest.raises(TypeError, match="codewords"):
        demos.is_uniquely_decodable("0101")
    with pytest.raises(ValueError, match="codewords"):
        demos.is_uniquely_decodable(["0", "2"])
    with pytest.raises(ValueError, match="codewords"):
        demos.is_uniquely_decodable([])
