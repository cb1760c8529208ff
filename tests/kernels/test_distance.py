"""Distance, index, fused-model and growth kernels against tests/naive.py."""

from __future__ import annotations

import itertools
import math

import naive
import numpy as np
import numpy.testing as npt
import pytest
from refvectors import load_refvectors

from fastinno.kernels import distance as kd
from fastinno.kernels import normalize as kn

METHODS = (kn.MAX_RATIO, kn.MINMAX, kn.VECTOR, kn.ZSCORE)
SCOPES = (kn.SCOPE_PANEL, kn.SCOPE_REGION, kn.SCOPE_YEAR)
FORMS = (kd.RATIO2, kd.CLOSENESS)
GRID = list(itertools.product(METHODS, SCOPES, FORMS))


def random_cube(rng, shape=(7, 5, 6)):
    cube = rng.uniform(0.2, 5.0, shape)
    is_cost = np.zeros(shape[2], dtype=np.bool_)
    is_cost[[1, 4]] = True
    return cube, is_cost


def ro(a):
    """A read-only copy: the Panel API passes read-only cubes, so tests share its specialization."""
    a = np.array(a)
    a.setflags(write=False)
    return a


def models(n_ind, groups):
    """CSR arrays: model 0 = all indicators, then each group (own indicators, no children)."""
    ptr, idx = [0], []
    for g in [np.arange(n_ind), *groups]:
        idx.extend(g)
        ptr.append(len(idx))
    n = len(ptr) - 1
    return np.array(ptr, dtype=np.int64), np.array(idx, dtype=np.int64), np.zeros(n + 1, np.int64), np.zeros(0, np.int64)


def test_form_constants():
    assert (kd.RATIO2, kd.CLOSENESS) == (0, 1)


@pytest.mark.parametrize(("method", "scope", "form"), GRID)
def test_hew_index_cube_matches_naive(method, scope, form):
    rng = np.random.default_rng(method * 10 + scope)
    cube, is_cost = random_cube(rng)
    w = rng.dirichlet(np.ones(6))
    groups = [np.array([0, 1, 2]), np.array([3, 4, 5]), np.array([3, 4])]  # two levels
    got = kd.hew_index_cube(ro(cube), is_cost, method, scope, w, *models(6, groups), form)
    assert got.shape == (4, 7, 5)
    for m, g in enumerate([np.arange(6), *groups]):
        wm = np.zeros(6)
        wm[g] = w[g] / w[g].sum()
        want = naive.hew_index_cube(cube, is_cost, method, scope, wm, form)
        npt.assert_allclose(got[m], want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("form", FORMS)
def test_hew_index_cube_child_models_equal_flat_models(form):
    # A two-level hierarchy given as child links (each indicator summed once) equals every model
    # spelled out with its own indicator list, and the naive model with renormalised weights.
    rng = np.random.default_rng(8)
    cube, is_cost = random_cube(rng)
    w = rng.dirichlet(np.ones(6))
    # models: 0 = group {3, 4}, 1 = group {3, 4, 5} = child 0 + indicator 5,
    #         2 = group {0, 1, 2}, 3 = whole = children 1 and 2
    ptr = np.array([0, 2, 3, 6, 6])
    idx = np.array([3, 4, 5, 0, 1, 2])
    cptr = np.array([0, 0, 1, 1, 3])
    cidx = np.array([0, 1, 2])
    tree = kd.hew_index_cube(ro(cube), is_cost, kn.MINMAX, kn.SCOPE_REGION, w, ptr, idx, cptr, cidx, form)
    sets = [[3, 4], [3, 4, 5], [0, 1, 2], list(range(6))]
    flat = kd.hew_index_cube(ro(cube), is_cost, kn.MINMAX, kn.SCOPE_REGION, w, *models(6, sets[:3]), form)
    npt.assert_allclose(tree[3], flat[0], rtol=1e-13)
    npt.assert_allclose(tree[:3], flat[1:], rtol=1e-13)
    for m, g in enumerate(sets):
        wm = np.zeros(6)
        wm[g] = w[g] / w[g].sum()
        npt.assert_allclose(tree[m], naive.hew_index_cube(cube, is_cost, 1, 1, wm, form), rtol=1e-12)


@pytest.mark.parametrize(("scope", "form"), list(itertools.product(SCOPES, FORMS)))
def test_composable_kernels_match_naive(scope, form):
    cube, is_cost = random_cube(np.random.default_rng(21))
    w = np.linspace(1, 2, 6)
    w /= w.sum()
    x = kn.standardize_cube(cube, is_cost, kn.MAX_RATIO, scope)
    d_pos, d_neg = kd.weighted_distances(x, w, scope)
    n_pos, n_neg = naive.weighted_distances(x, w, scope)
    npt.assert_allclose(d_pos, n_pos, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(d_neg, n_neg, rtol=1e-12, atol=1e-15)
    d_pos2, d_neg2 = kd.weighted_squared_distances(x, w, scope)
    f = kd.index_from_squared(d_pos2, d_neg2, form)
    npt.assert_allclose(f, naive.index_from_squared(n_pos**2, n_neg**2, form), rtol=1e-12)
    # the GEMM route of the robustness developer gives the same index
    a_pos, a_neg = kn.squared_deviations(x, scope)
    g = kd.index_from_squared(a_pos @ w**2, a_neg @ w**2, form)
    npt.assert_allclose(g, f, rtol=1e-12)


@pytest.mark.parametrize("form", FORMS)
def test_index_edge_conventions(form):
    d_pos2 = np.array([0.0, 0.3, 0.0, 0.2])
    d_neg2 = np.array([0.4, 0.0, 0.0, 0.2])
    got = kd.index_from_squared(d_pos2, d_neg2, form)
    npt.assert_array_equal(got[:2], [1.0, 0.0])  # d+ = 0 < d- -> 1; d- = 0 < d+ -> 0
    assert math.isnan(got[2])  # both 0 -> NaN
    assert got[3] == 0.5
    # any ndim
    assert kd.index_from_squared(d_pos2.reshape(2, 2), d_neg2.reshape(2, 2), form).shape == (2, 2)


def test_hand_worked_case():
    # Two benefit indicators a, b, w = (1/2, 1/2), regions A, B, years 0, 1, max-ratio, panel scope.
    # raw        a  b      x = c / 8 (panel max of a and of b is 8)
    #   A  y0    2  4      0.25 0.5
    #   A  y1    4  8      0.5  1
    #   B  y0    8  2      1    0.25
    #   B  y1    4  4      0.5  0.5
    # ideal = (1, 1), anti-ideal = (0.25, 0.25); d^2 = 1/4 * sum of squared gaps
    #   A0: d+^2 = (0.75^2 + 0.5^2)/4 = 0.203125, d-^2 = (0 + 0.25^2)/4  = 0.015625 -> F = 1/14
    #   A1: d+^2 = (0.5^2 + 0)/4      = 0.0625,   d-^2 = (0.25^2 + 0.75^2)/4 = 0.15625 -> F = 5/7
    #   B0: d+^2 = (0 + 0.75^2)/4     = 0.140625, d-^2 = (0.75^2 + 0)/4 = 0.140625 -> F = 1/2
    #   B1: d+^2 = (0.5^2 + 0.5^2)/4  = 0.125,    d-^2 = (0.25^2 + 0.25^2)/4 = 0.03125 -> F = 1/5
    cube = np.array([[[2.0, 4.0], [4.0, 8.0]], [[8.0, 2.0], [4.0, 4.0]]])
    is_cost = np.zeros(2, dtype=np.bool_)
    w = np.array([0.5, 0.5])
    csr = models(2, [])
    f = kd.hew_index_cube(ro(cube), is_cost, kn.MAX_RATIO, kn.SCOPE_PANEL, w, *csr, kd.RATIO2)[0]
    npt.assert_allclose(f, [[1 / 14, 5 / 7], [0.5, 0.2]], rtol=1e-14)
    c = kd.hew_index_cube(ro(cube), is_cost, kn.MAX_RATIO, kn.SCOPE_PANEL, w, *csr, kd.CLOSENESS)[0]
    dp2 = np.array([[0.203125, 0.0625], [0.140625, 0.125]])
    dn2 = np.array([[0.015625, 0.15625], [0.140625, 0.03125]])
    npt.assert_allclose(c, np.sqrt(dn2) / (np.sqrt(dp2) + np.sqrt(dn2)), rtol=1e-14)
    # growth over one year: A 1/14 -> 5/7 is x10 (+900 %); B 0.5 -> 0.2 is -60 %
    cagr, mean_yoy, yoy = kd.growth_rates(f, np.array([2015.0, 2016.0]))
    npt.assert_allclose(cagr, [9.0, -0.6], rtol=1e-13)
    npt.assert_allclose(mean_yoy, cagr, rtol=1e-13)
    assert np.isnan(yoy[:, 0]).all()


def test_growth_rates_with_gaps_match_naive():
    rng = np.random.default_rng(2)
    f = rng.uniform(0.1, 1.0, (9, 5))
    f[3, 0] = 0.0  # zero base: CAGR and first y-o-y are NaN
    f[4, 2] = 0.0  # zero in the middle: the following y-o-y is NaN, CAGR defined
    years = np.array([2010.0, 2011.0, 2013.0, 2014.0, 2018.0])
    got = kd.growth_rates(f, years)
    want = naive.growth_rates(f, years)
    for g, w in zip(got, want):
        npt.assert_allclose(g, w, rtol=1e-12)
    cagr, mean_yoy, yoy = got
    assert np.isnan(cagr[3]) and np.isfinite(cagr[4]) and np.isnan(yoy[4, 3])
    # CAGR over the true span of 8 years
    npt.assert_allclose(cagr[0], (f[0, -1] / f[0, 0]) ** (1 / 8) - 1, rtol=1e-14)
    # without zero bases, the year-weighted mean of annualised rates compounds consistently:
    # with equal rates every year CAGR == mean_yoy
    g = np.array([[1.0, 1.1, 1.1**3, 1.1**4, 1.1**8]])
    c, m, _ = kd.growth_rates(g, years)
    npt.assert_allclose([c[0], m[0]], [0.1, 0.1], rtol=1e-12)


def test_growth_one_year_is_nan():
    c, m, y = kd.growth_rates(np.ones((3, 1)), np.array([2020.0]))
    assert np.isnan(c).all() and np.isnan(m).all() and np.isnan(y).all()


TOPSIS_CASES = {c["id"]: c for c in load_refvectors("topsis")}


def test_topsis_01_vector_closeness():
    # source: Tzeng & Huang (2011) via scikit-criteria (see case["source"])
    case = TOPSIS_CASES["topsis-01"]
    x = np.array(case["inputs"]["matrix"], dtype=float)
    is_cost = np.array(case["inputs"]["types"]) == -1
    w = np.array(case["inputs"]["weights"])
    p = kn.normalize_matrix(x, is_cost, kn.VECTOR)
    got = kd.topsis_closeness_matrix(p, w)
    npt.assert_allclose(got, case["expected"]["closeness"], rtol=0, atol=case["tolerance"])
    npt.assert_allclose(got, case["expected"]["published_rounded"], rtol=0, atol=5e-5)


def test_topsis_F_01_minmax_ratio2():
    # source: computed case on Tzeng & Huang (2011) inputs (see case["source"])
    case = TOPSIS_CASES["topsis-F-01"]
    x = np.array(case["inputs"]["matrix"], dtype=float)
    is_cost = np.array(case["inputs"]["types"]) == -1
    w = np.array(case["inputs"]["weights"])
    p = kn.normalize_matrix(x, is_cost, kn.MINMAX)
    f, d_pos, d_neg = kd.topsis_index_matrix(p, w, kd.RATIO2)
    tol = case["tolerance"]
    npt.assert_allclose(f, case["expected"]["F"], rtol=0, atol=tol)
    npt.assert_allclose(d_pos, case["expected"]["d_plus"], rtol=0, atol=tol)
    npt.assert_allclose(d_neg, case["expected"]["d_minus"], rtol=0, atol=tol)
    c, _, _ = kd.topsis_index_matrix(p, w, kd.CLOSENESS)
    npt.assert_allclose(c, case["expected"]["standard_closeness_same_distances"], rtol=0, atol=tol)
    # the same case through the cube kernels: (objects, 1 year, indicators), year scope
    cube = np.ascontiguousarray(x[:, None, :])
    g = kd.hew_index_cube(ro(cube), is_cost, kn.MINMAX, kn.SCOPE_YEAR, w, *models(3, []), kd.RATIO2)
    npt.assert_allclose(g[0, :, 0], case["expected"]["F"], rtol=0, atol=tol)


@pytest.mark.parametrize("form", FORMS)
def test_topsis_matrix_matches_naive(form):
    rng = np.random.default_rng(4)
    p = rng.uniform(size=(12, 5))
    w = rng.dirichlet(np.ones(5))
    got = kd.topsis_index_matrix(p, w, form)
    want = naive.topsis_index_matrix(p, w, form)
    for g, v in zip(got, want):
        npt.assert_allclose(g, v, rtol=1e-12)


def test_thread_count_does_not_change_results():
    import numba

    cube, is_cost = random_cube(np.random.default_rng(9), (70, 6, 6))
    w = np.full(6, 1 / 6)
    csr = models(6, [np.array([0, 1, 2]), np.array([3, 4, 5])])
    default = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kd.hew_index_cube(ro(cube), is_cost, kn.ZSCORE, kn.SCOPE_PANEL, w, *csr, kd.CLOSENESS)
        s1 = kn.standardize_cube(cube, is_cost, kn.ZSCORE, kn.SCOPE_PANEL)
    finally:
        numba.set_num_threads(default)
    many = kd.hew_index_cube(ro(cube), is_cost, kn.ZSCORE, kn.SCOPE_PANEL, w, *csr, kd.CLOSENESS)
    npt.assert_array_equal(one, many)
    npt.assert_array_equal(s1, kn.standardize_cube(cube, is_cost, kn.ZSCORE, kn.SCOPE_PANEL))


@pytest.mark.parametrize("form", [kd.RATIO2, kd.CLOSENESS])
def test_topsis_matrix_blocks_match_naive_and_threads(form):
    import numba

    rng = np.random.default_rng(21)
    p = rng.random((9000, 7))
    p[:, 4] = 0.25  # constant column
    w = rng.random(7)
    w[2] = 0.0
    w /= w.sum()
    assert kn.block_rows(*p.shape)[1] >= 2
    want = naive.topsis_index_matrix(p, w, form)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kd.topsis_index_matrix(p, w, form)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = kd.topsis_index_matrix(p, w, form)
    finally:
        numba.set_num_threads(before)
    for a, b, c in zip(one, two, want):
        npt.assert_array_equal(a, b)
        npt.assert_allclose(a, c, rtol=1e-12)


def _topsis_raw(x, w, is_cost, method, form):
    mn, mx, s1, s2, _ = kn.matrix_stats(x, True)
    scale = kn.matrix_scale(x, method, mn, s1, s2)[1]
    return kd.topsis_raw(x, w, is_cost, method, mn, mx, scale, form)


@pytest.mark.parametrize(("method", "form"), list(itertools.product(METHODS, FORMS)))
@pytest.mark.parametrize("n", [1, 2, 13, 9000])
def test_topsis_raw_matches_naive(method, form, n):
    rng = np.random.default_rng(n + 10 * method + form)
    x = rng.uniform(0.5, 9.0, (n, 7))
    x[:, 4] = 2.5  # constant column
    is_cost = np.array([True, False, False, True, True, False, True])
    w = rng.random(7)
    w[2] = 0.0
    w /= w.sum()
    rows = slice(None) if n < 100 else slice(0, None, 97)  # the naive loops on a sample of rows
    got = _topsis_raw(x, w, is_cost, method, form)
    want = naive.topsis_raw(x, w, is_cost, method, form)
    for g, v in zip(got, want):
        npt.assert_allclose(g[rows], v[rows], rtol=1e-12, atol=1e-15)
    # the same as normalizing first, then TOPSIS on the normalized matrix
    old = kd.topsis_index_matrix(kn.normalize_matrix(x, is_cost, method), w, form)
    for g, v in zip(got, old):
        npt.assert_allclose(g, v, rtol=1e-12, atol=1e-15)


def test_topsis_raw_blocks_and_threads_give_the_same_bits():
    import numba

    rng = np.random.default_rng(3)
    x = rng.uniform(1.0, 5.0, (20000, 9))
    is_cost = np.arange(9) % 4 == 0
    w = rng.dirichlet(np.ones(9))
    assert kn.block_rows(*x.shape)[1] >= 2
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _topsis_raw(x, w, is_cost, kn.MAX_RATIO, kd.CLOSENESS)
    finally:
        numba.set_num_threads(before)
    two = _topsis_raw(x, w, is_cost, kn.MAX_RATIO, kd.CLOSENESS)
    for a, b in zip(one, two):
        npt.assert_array_equal(a, b)
