"""Standardization kernels against tests/naive.py and the normalization refvectors."""

from __future__ import annotations

import itertools

import naive
import numpy as np
import numpy.testing as npt
import pytest
from refvectors import load_refvectors

from fastinno.kernels import distance as kd
from fastinno.kernels import normalize as kn

METHODS = (kn.MAX_RATIO, kn.MINMAX, kn.VECTOR, kn.ZSCORE)
SCOPES = (kn.SCOPE_PANEL, kn.SCOPE_REGION, kn.SCOPE_YEAR)


def random_cube(rng, shape=(6, 5, 4)):
    cube = rng.uniform(0.2, 5.0, shape)
    is_cost = np.zeros(shape[2], dtype=np.bool_)
    is_cost[1::2] = True
    return cube, is_cost


def test_constants_are_the_contract():
    assert (kn.MAX_RATIO, kn.MINMAX, kn.VECTOR, kn.ZSCORE) == (0, 1, 2, 3)
    assert (kn.SCOPE_PANEL, kn.SCOPE_REGION, kn.SCOPE_YEAR) == (0, 1, 2)


@pytest.mark.parametrize(("method", "scope"), list(itertools.product(METHODS, SCOPES)))
@pytest.mark.parametrize("seed", [0, 1])
def test_standardize_cube_matches_naive(method, scope, seed):
    cube, is_cost = random_cube(np.random.default_rng(seed))
    before = cube.copy()
    got = kn.standardize_cube(cube, is_cost, method, scope)
    npt.assert_allclose(got, naive.standardize_cube(cube, is_cost, method, scope), rtol=1e-12, atol=1e-15)
    npt.assert_array_equal(cube, before)  # input untouched


@pytest.mark.parametrize("scope", SCOPES)
def test_standardize_one_region_one_year_edges(scope):
    rng = np.random.default_rng(3)
    for shape in [(1, 4, 3), (5, 1, 3)]:
        cube, is_cost = random_cube(rng, shape)
        for method in METHODS:
            npt.assert_allclose(
                kn.standardize_cube(cube, is_cost, method, scope),
                naive.standardize_cube(cube, is_cost, method, scope),
                rtol=1e-12,
                atol=1e-15,
            )


@pytest.mark.parametrize("scope", SCOPES)
def test_constant_cells_give_zero_and_are_detected(scope):
    cube, is_cost = random_cube(np.random.default_rng(5))
    cube[:, :, 2] = 3.0  # constant everywhere
    cube[2, :, 0] = 1.5  # constant within region 2 only
    cube[:, 3, 1] = 0.7  # constant within year 3 only
    const = kn.constant_cells(cube, scope)
    n_cells = kn.n_scope_cells(6, 5, scope)
    assert const.shape == (n_cells, 4)
    expected = np.zeros((n_cells, 4), dtype=bool)
    expected[:, 2] = True
    if scope == kn.SCOPE_REGION:
        expected[2, 0] = True
    if scope == kn.SCOPE_YEAR:
        expected[3, 1] = True
    npt.assert_array_equal(const, expected)
    for method in METHODS:
        got = kn.standardize_cube(cube, is_cost, method, scope)
        npt.assert_allclose(got, naive.standardize_cube(cube, is_cost, method, scope), rtol=1e-12, atol=1e-15)
        assert np.all(got[:, :, 2] == 0.0)


def test_max_ratio_hand_worked():
    # One indicator (benefit) and one cost, 2 regions x 2 years, panel scope.
    # benefit values 2, 4 / 5, 8: max 8 -> 0.25, 0.5, 0.625, 1.
    # cost values 4, 2 / 5, 10: min 2 -> 2/4 = 0.5, 1, 0.4, 0.2.
    cube = np.array([[[2.0, 4.0], [4.0, 2.0]], [[5.0, 5.0], [8.0, 10.0]]])
    is_cost = np.array([False, True])
    x = kn.standardize_cube(cube, is_cost, kn.MAX_RATIO, kn.SCOPE_PANEL)
    npt.assert_allclose(x[..., 0], [[0.25, 0.5], [0.625, 1.0]], rtol=1e-15)
    npt.assert_allclose(x[..., 1], [[0.5, 1.0], [0.4, 0.2]], rtol=1e-15)
    # region scope: region 0 benefit max 4 -> 0.5, 1; region 1 max 8 -> 0.625, 1
    x = kn.standardize_cube(cube, is_cost, kn.MAX_RATIO, kn.SCOPE_REGION)
    npt.assert_allclose(x[..., 0], [[0.5, 1.0], [0.625, 1.0]], rtol=1e-15)
    # year scope: year 0 benefit {2, 5} max 5 -> 0.4, 1; year 1 {4, 8} -> 0.5, 1
    x = kn.standardize_cube(cube, is_cost, kn.MAX_RATIO, kn.SCOPE_YEAR)
    npt.assert_allclose(x[..., 0], [[0.4, 0.5], [1.0, 1.0]], rtol=1e-15)


@pytest.mark.parametrize("method", METHODS)
def test_normalize_matrix_matches_naive(method):
    x, is_cost = random_cube(np.random.default_rng(7), (9, 1, 5))
    m = np.ascontiguousarray(x[:, 0, :])
    want = naive.standardize_cube(x, is_cost, method, 0)[:, 0, :]
    npt.assert_allclose(kn.normalize_matrix(m, is_cost, method), want, rtol=1e-12, atol=1e-15)


NORM_CASES = load_refvectors("normalization")


@pytest.mark.parametrize("case", NORM_CASES, ids=[c["id"] for c in NORM_CASES])
def test_normalization_refvectors(case):
    # source: see case["source"] (pymcdm test_normalizations.py at a fixed commit)
    method = {"normalization.minmax": kn.MINMAX, "normalization.maxratio": kn.MAX_RATIO}[case["method"]]
    x = np.array(case["inputs"]["matrix"], dtype=float)
    is_cost = np.array(case["inputs"]["types"]) == -1
    want = np.array(case["expected"]["normalized"])
    npt.assert_allclose(kn.normalize_matrix(x, is_cost, method), want, rtol=0, atol=case["tolerance"])
    # the same through the cube kernel, (objects, 1 year, indicators) with the year scope
    got = kn.standardize_cube(np.ascontiguousarray(x[:, None, :]), is_cost, method, kn.SCOPE_YEAR)
    npt.assert_allclose(got[:, 0, :], want, rtol=0, atol=case["tolerance"])


@pytest.mark.parametrize(("method", "scope"), list(itertools.product(METHODS, SCOPES)))
def test_ideal_points_are_max_min_of_standardized(method, scope):
    cube, is_cost = random_cube(np.random.default_rng(11))
    x = kn.standardize_cube(cube, is_cost, method, scope)
    ideal, anti = kd.ideal_points(cube, is_cost, method, scope)
    for k, (regions, years) in enumerate(naive._scope_cells(6, 5, scope)):
        block = x[np.ix_(regions, years)].reshape(-1, 4)
        npt.assert_array_equal(ideal[k], block.max(axis=0))  # exact: monotone transforms
        npt.assert_array_equal(anti[k], block.min(axis=0))


@pytest.mark.parametrize("scope", SCOPES)
def test_squared_deviations_match_naive(scope):
    cube, is_cost = random_cube(np.random.default_rng(13))
    x = kn.standardize_cube(cube, is_cost, kn.MINMAX, scope)
    a_pos, a_neg = kn.squared_deviations(x, scope)
    w = np.array([0.1, 0.2, 0.3, 0.4])
    d_pos, d_neg = naive.weighted_distances(x, w, scope)
    npt.assert_allclose(np.sqrt(a_pos @ w**2), d_pos, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(np.sqrt(a_neg @ w**2), d_neg, rtol=1e-12, atol=1e-15)
    for j in range(4):
        e = np.zeros(4)
        e[j] = 1.0
        dp, dn = naive.weighted_distances(x, e, scope)
        npt.assert_allclose(a_pos[..., j], dp**2, rtol=1e-12, atol=1e-15)
        npt.assert_allclose(a_neg[..., j], dn**2, rtol=1e-12, atol=1e-15)


# --- the blocked 2-D kernels: several row blocks, any thread count ----------------------------


def _tall(seed, n=12_000, m=5):
    # n * m > 2 * MATRIX_BLOCK_ELEMS: at least two row blocks, and a last partial one
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 10.0, size=(n, m))
    x[:, 1] = np.round(x[:, 1])  # ties
    is_cost = np.array([False, True, False, True, False])[:m]
    return x, is_cost


def test_tall_matrix_has_several_blocks():
    x, _ = _tall(0)
    rows, nb = kn.block_rows(*x.shape)
    assert nb >= 2 and x.shape[0] % rows != 0


@pytest.mark.parametrize("method", METHODS)
def test_normalize_matrix_blocks_match_naive(method):
    x, is_cost = _tall(1)
    want = naive.standardize_cube(x[:, None, :], is_cost, method, 0)[:, 0, :]
    got = kn.normalize_matrix(x, is_cost, method)
    npt.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    if method in (kn.MAX_RATIO, kn.MINMAX):  # min / max only: the same floating-point result
        npt.assert_array_equal(got, want)


@pytest.mark.parametrize("method", METHODS)
def test_normalize_matrix_same_for_any_thread_count(method):
    import numba

    x, is_cost = _tall(2)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kn.normalize_matrix(x, is_cost, method)
        stats_one = kn.matrix_stats(x, True)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = kn.normalize_matrix(x, is_cost, method)
        stats_two = kn.matrix_stats(x, True)
    finally:
        numba.set_num_threads(before)
    npt.assert_array_equal(one, two)
    for a, b in zip(stats_one, stats_two):
        npt.assert_array_equal(a, b)


def test_matrix_stats_values_and_nonfinite_count():
    x, _ = _tall(3)
    mn, mx, s1, s2, bad = kn.matrix_stats(x, True)
    npt.assert_array_equal(mn, x.min(axis=0))
    npt.assert_array_equal(mx, x.max(axis=0))
    npt.assert_allclose(s1, x.sum(axis=0), rtol=1e-13)
    npt.assert_allclose(s2, (x * x).sum(axis=0), rtol=1e-13)
    assert bad == 0
    x[5, 2] = np.nan
    x[9000, 0] = -np.inf
    x[11_999, 4] = np.inf
    assert kn.matrix_stats(x, False)[4] == 3


def test_normalize_matrix_constant_column_is_zero_every_method():
    x, is_cost = _tall(4, n=9000)
    x[:, 2] = -3.0  # constant and negative: 0, not -0 or NaN
    for method in METHODS:
        got = kn.normalize_matrix(x, is_cost, method)
        npt.assert_array_equal(got[:, 2], 0.0)
        assert not np.signbit(got[:, 2]).any()
