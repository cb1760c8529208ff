"""Kendall's tau-a and tau-c, Goodman-Kruskal gamma, weighted Spearman r_w, WS and Pearson:
published and peer cases, the all-pairs matrices, invariants and errors."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastinno.array as fa
from fastinno.errors import InputError
from fastinno.kernels import rank as krank
from fastinno.methods import correlation as mc
from fastinno.methods import registry

# Salabun & Urbaniak (2020) ICCS 2020, LNCS 12138, 632-645: reference R = (1..5), Q swaps
# positions 2 and 3: r_w = 0.8833, WS = 0.8542 (as in pyrepo-mcda@b3ac297 tests/test_correlations.py).
R5 = [1, 2, 3, 4, 5]
Q5 = [1, 3, 2, 4, 5]

# Ties in both: x, y below; scipy 1.x stats.kendalltau(x, y, variant='c') = 0.675 and
# pymcdm 1.4.0 (pymcdm/correlations.py) kendall_tau = 0.6 (tau-a),
# goodman_kruskal_gamma = 0.7714285714285715 (= 27/35).
TX = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
TY = [1, 2, 1, 3, 2, 4, 5, 3, 5, 4]

# Adjacent swaps of 8 alternatives: pymcdm 1.4.0 weighted_spearman = 0.9047619047619048,
# rank_similarity_coef = 0.8334821428571428 (both directions).
R8 = [1, 2, 3, 4, 5, 6, 7, 8]
S8 = [2, 1, 4, 3, 6, 5, 8, 7]


def test_salabun_urbaniak_example():
    assert fa.weighted_spearman(R5, Q5) == pytest.approx(0.8833, abs=5e-5)
    assert fa.ws_coefficient(R5, Q5) == pytest.approx(0.8542, abs=5e-5)
    # exact: WS = 1 - (2^-2 * 1/3 + 2^-3 * 1/2) = 1 - 1/12 - 1/16
    assert fa.ws_coefficient(R5, Q5) == pytest.approx(1 - 1 / 12 - 1 / 16, rel=1e-15)


def test_ws_top_swap_weighs_more():
    """Salabun & Urbaniak (2020): the same swap costs more near the top of the reference."""
    top = fa.ws_coefficient(R5, [2, 1, 3, 4, 5])
    bottom = fa.ws_coefficient(R5, [1, 2, 3, 5, 4])
    assert top == pytest.approx(1 - 0.5 * 1 / 4 - 0.25 * 1 / 3, rel=1e-15)
    assert bottom == pytest.approx(1 - 2**-4 * 1 / 3 - 2**-5 * 1 / 4, rel=1e-15)
    assert top < bottom


def test_tied_literal_fixtures():
    assert fa.kendall_tau_c(TX, TY) == pytest.approx(0.675, rel=1e-14)
    assert fa.kendall_tau_a(TX, TY) == pytest.approx(0.6, rel=1e-14)
    assert fa.goodman_kruskal_gamma(TX, TY) == pytest.approx(27 / 35, rel=1e-14)
    assert fa.weighted_spearman(R8, S8) == pytest.approx(0.9047619047619048, rel=1e-14)
    assert fa.ws_coefficient(R8, S8) == pytest.approx(0.8334821428571428, rel=1e-14)
    assert fa.pearson(TX, TY) == pytest.approx(np.corrcoef(TX, TY)[0, 1], rel=1e-14)


def test_against_scipy_and_pymcdm_live():
    ss = pytest.importorskip("scipy.stats")
    pc = pytest.importorskip("pymcdm.correlations")
    rng = np.random.default_rng(3)
    for n in (7, 40):
        x = rng.integers(0, 5, n).astype(float)
        y = rng.integers(0, 7, n).astype(float)
        assert fa.kendall_tau_c(x, y) == pytest.approx(
            ss.kendalltau(x, y, variant="c").statistic, rel=1e-12
        )
        assert fa.kendall_tau_a(x, y) == pytest.approx(pc.kendall_tau(x, y), rel=1e-12)
        assert fa.goodman_kruskal_gamma(x, y) == pytest.approx(
            pc.goodman_kruskal_gamma(x, y), rel=1e-12
        )
        a = rng.permutation(n) + 1.0
        b = rng.permutation(n) + 1.0
        assert fa.weighted_spearman(a, b) == pytest.approx(pc.weighted_spearman(a, b), rel=1e-12)
        assert fa.ws_coefficient(a, b) == pytest.approx(pc.rank_similarity_coef(a, b), rel=1e-12)
        assert fa.pearson(x, y) == pytest.approx(pc.pearson(x, y), rel=1e-12)


# --- invariants ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(0, 10_000))
def test_permutation_invariants(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.permutation(n) + 1.0
    b = rng.permutation(n) + 1.0
    # without ties tau-a = tau-b = gamma, and tau-c = tau-a (q = n distinct values)
    tau_b = krank.kendall_tau_b(a, b)
    assert fa.kendall_tau_a(a, b) == pytest.approx(tau_b, abs=1e-12)
    assert fa.goodman_kruskal_gamma(a, b) == pytest.approx(tau_b, abs=1e-12)
    assert fa.kendall_tau_c(a, b) == pytest.approx(tau_b, abs=1e-12)
    ws = fa.ws_coefficient(a, b)
    assert -1e-12 <= ws <= 1.0 + 1e-12
    assert fa.ws_coefficient(a, a) == 1.0 and fa.weighted_spearman(a, a) == 1.0
    assert fa.weighted_spearman(a, b) == pytest.approx(fa.weighted_spearman(b, a), rel=1e-12)
    assert fa.kendall_tau_a(a, b) == pytest.approx(fa.kendall_tau_a(b, a), abs=1e-12)
    assert fa.kendall_tau_a(a, n + 1 - a) == pytest.approx(-1.0)
    p = rng.permutation(n)  # relabelling the alternatives changes nothing
    assert fa.goodman_kruskal_gamma(a[p], b[p]) == pytest.approx(
        fa.goodman_kruskal_gamma(a, b), abs=1e-12
    )
    assert fa.ws_coefficient(a[p], b[p]) == pytest.approx(ws, abs=1e-12)


# --- all pairs -------------------------------------------------------------------------------

PAIRS = {
    "kendall_tau_a": mc.kendall_tau_a,
    "kendall_tau_c": mc.kendall_tau_c,
    "rw": mc.weighted_spearman,
    "ws": mc.ws_coefficient,
    "gamma": mc.goodman_kruskal_gamma,
    "pearson": mc.pearson,
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pairs_equal_the_single_coefficient(name):
    spec = registry.correlation(name)
    rng = np.random.default_rng(5)
    r = np.stack([rng.permutation(9) + 1.0 for _ in range(4)])
    r[3] = np.minimum(r[3], 6.0)  # a tied ranking (still within [1, n])
    m = spec.pairs(r)
    assert m.shape == (4, 4)
    for a in range(4):
        for b in range(4):
            assert m[a, b] == pytest.approx(PAIRS[name](r[a], r[b]), rel=1e-12, abs=1e-15)
    if spec.symmetric:
        npt.assert_allclose(m, m.T, rtol=0, atol=0)
    cube = np.stack([r, r[::-1]])
    m3 = spec.pairs(cube)
    assert m3.shape == (2, 4, 4)
    npt.assert_allclose(m3[0], m, rtol=1e-15)
    npt.assert_allclose(m3[1], spec.pairs(r[::-1]), rtol=1e-15)


def test_registry_entries():
    assert not registry.correlation("ws").symmetric
    assert registry.correlation("pearson").on_scores
    assert registry.correlation("weighted-spearman").name == "rw"
    for name in PAIRS:
        assert registry.correlation(name).source


# --- errors ----------------------------------------------------------------------------------


def test_errors():
    with pytest.raises(InputError, match="same length"):
        fa.kendall_tau_a([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="at least 2"):
        fa.pearson([1.0], [2.0])
    with pytest.raises(InputError, match=r"ranking with values in \[1, 3\]"):
        fa.ws_coefficient([0.1, 0.5, 0.9], [1, 2, 3])
    with pytest.raises(InputError, match="ranking"):
        mc.weighted_spearman_pairs(np.array([[1.0, 2.0, 7.0]]))
    with pytest.raises(InputError, match="missing or infinite"):
        fa.goodman_kruskal_gamma([1.0, np.nan, 2.0], [1, 2, 3])
    with pytest.raises(InputError, match=r"\(k, n\)"):
        mc.pearson_pairs(np.ones(4))
    assert np.isnan(fa.kendall_tau_c([1, 1, 1], [1, 2, 3]))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 50), st.booleans())
def test_small_rank_matrices_rank_in_numpy_with_the_kernels_bits(seed, k, n, coarse):
    """Rows below ``_config.NUMPY_RANKS_BELOW`` values are ranked by a numpy argsort: the same
    average and competition ranks as the packed-key kernels (ties, signed zeros, near ties)."""
    from fastinno import _config
    from fastinno.methods import mcda

    rng = np.random.default_rng(seed)
    if coarse:
        x = rng.choice(np.array([0.0, -0.0, 1.0, 2.0, 0.5, -3.0]), size=(k, n))
    else:
        x = rng.normal(size=(k, n))
        x[:, 1::3] = x[:, : x.shape[1] - 1 : 3][:, : x[:, 1::3].shape[1]]  # exact ties
        x[:, ::4] *= 1 + 1e-16  # near ties
    x = np.ascontiguousarray(x)
    assert x.size < _config.NUMPY_RANKS_BELOW
    small = [mcda.packed_ranks(x, True), mcda.packed_ranks(x, False), mcda.competition_ranks(x)]
    before = _config.NUMPY_RANKS_BELOW
    _config.NUMPY_RANKS_BELOW = 0
    try:
        packed = [mcda.packed_ranks(x, True), mcda.packed_ranks(x, False), mcda.competition_ranks(x)]
    finally:
        _config.NUMPY_RANKS_BELOW = before
    for a, b in zip(small, packed, strict=True):
        assert a.dtype == b.dtype
        npt.assert_array_equal(a.view(np.uint8), b.view(np.uint8))
    for row, avg, comp in zip(x, small[0], small[2], strict=True):
        npt.assert_array_equal(comp, naive.rank_min(row))
        npt.assert_array_equal(avg, naive.rank_average(row))
