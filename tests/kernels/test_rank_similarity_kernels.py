"""Rank similarity kernels (tau-a, tau-c, gamma, r_w, WS, Pearson) against the naive references."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastinno.kernels import rank_similarity as kr

CODES = [kr.TAU_A, kr.TAU_C, kr.GAMMA]


def _pair(n, seed, levels=None):
    rng = np.random.default_rng(seed)
    if levels:
        return rng.integers(0, levels, n).astype(float), rng.integers(0, levels, n).astype(float)
    return rng.random(n), rng.random(n)


@pytest.mark.parametrize("n", [2, 3, 10, 57])
@pytest.mark.parametrize("levels", [None, 2, 4])
def test_pair_counts_match_naive(n, levels):
    x, y = _pair(n, n, levels)
    npt.assert_array_equal(kr.sign_pair_counts(x, y), naive.sign_pair_counts(list(x), list(y)))


@pytest.mark.parametrize("n", [3, 10, 57])
@pytest.mark.parametrize("levels", [None, 3])
@pytest.mark.parametrize("code", CODES)
def test_tau_family_matches_naive(n, levels, code):
    x, y = _pair(n, 100 + n, levels)
    got = kr.tau_family(x, y, code)
    npt.assert_allclose(got, naive.tau_family(list(x), list(y), code), rtol=1e-12)
    npt.assert_allclose(
        kr.tau_from_counts(kr.sign_pair_counts(x, y), code),
        naive.tau_from_counts(naive.sign_pair_counts(list(x), list(y)), code),
        rtol=1e-12,
    )


def test_tau_family_undefined_is_nan():
    x = np.ones(5)
    y = np.arange(5.0)
    assert np.isnan(kr.tau_family(x, y, kr.TAU_C))
    assert np.isnan(kr.tau_family(x, y, kr.GAMMA))
    assert kr.tau_family(x, y, kr.TAU_A) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=40),
    st.sampled_from(CODES),
)
def test_tau_family_hypothesis(pairs, code):
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    npt.assert_allclose(
        kr.tau_family(x, y, code), naive.tau_family(list(x), list(y), code), rtol=1e-12
    )


def _ranks(c, k, n, seed, ties=False):
    rng = np.random.default_rng(seed)
    if ties:
        from scipy.stats import rankdata

        return np.stack(
            [[rankdata(rng.integers(0, 4, n)) for _ in range(k)] for _ in range(c)]
        ).astype(float)
    return np.stack([[rng.permutation(n) + 1.0 for _ in range(k)] for _ in range(c)])


@pytest.mark.parametrize("shape", [(1, 1, 4), (1, 5, 9), (3, 4, 12)])
@pytest.mark.parametrize("ties", [False, True])
def test_pairs_kernels_match_naive(shape, ties):
    r = _ranks(*shape, seed=shape[2], ties=ties)
    for code in CODES:
        npt.assert_allclose(
            kr.tau_family_pairs(r, code), naive.tau_family_pairs(r, code), rtol=1e-12
        )
    npt.assert_allclose(kr.weighted_spearman_pairs(r), naive.weighted_spearman_pairs(r), rtol=1e-12)
    npt.assert_allclose(
        kr.ws_coefficient_pairs(r), naive.ws_coefficient_pairs(r), rtol=1e-12, atol=1e-15
    )
    if not ties or shape[2] > 4:
        npt.assert_allclose(kr.pearson_pairs(r), naive.pearson_pairs(r), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n", [2, 5, 30])
def test_pair_functions_match_naive(n):
    r = _ranks(1, 2, n, seed=n)[0]
    a, b = r
    npt.assert_allclose(kr.weighted_spearman(a, b), naive.weighted_spearman(a, b), rtol=1e-12)
    npt.assert_allclose(kr.ws_coefficient(a, b), naive.ws_coefficient(a, b), rtol=1e-12)
    s = np.random.default_rng(n).random((2, n))
    npt.assert_allclose(kr.pearson(s[0], s[1]), naive.pearson(s[0], s[1]), rtol=1e-12)


def test_pearson_constant_is_nan():
    assert np.isnan(kr.pearson(np.ones(4), np.arange(4.0)))
    m = kr.pearson_pairs(np.array([[[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]]))
    assert np.isnan(m[0, 0, 1]) and m[0, 1, 1] == pytest.approx(1.0)


def test_weighted_spearman_pairs_exact_for_large_rankings():
    """The matrix-product form equals the direct sum for 3,000 regions (integer and tied ranks)."""
    r = _ranks(1, 4, 3000, seed=21)
    r[0, 3] = np.ceil(r[0, 3] / 2) * 2 - 0.5  # half-integer (tied) ranks stay in [1, n]
    m = kr.weighted_spearman_pairs(r)
    for a in range(4):
        for b in range(4):
            assert m[0, a, b] == pytest.approx(
                kr.weighted_spearman(r[0, a], r[0, b]), rel=1e-14, abs=1e-15
            )
    p = kr.pearson_pairs(r)
    npt.assert_allclose(p[0], np.corrcoef(r[0]), rtol=1e-12, atol=1e-14)
