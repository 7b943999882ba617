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


@pytest.mark.parametrize("seed", range(6))
def test_huffman_is_optimal_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(5, 0.6))
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
