"""Rank kernels: average ranks, Spearman, Kendall tau-b and W, batched forms."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from refvectors import load_refvectors

import fastinno
from fastinno.errors import DegenerateDataError, InputError
from fastinno.kernels import rank as kr

SIZES = [2, 3, 10, 57, 400]


def _pair(n, seed, ties):
    rng = np.random.default_rng(seed)
    a = rng.random(n)
    b = 0.5 * a + rng.random(n)
    if ties:
        a = np.round(a * 5)
        b = np.round(b * 3)
        a[0] = 0.0
        a[-1] = 7.0  # not constant
        b[0] = 0.0
        b[-1] = 9.0
    return a, b


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("descending", [False, True])
def test_average_ranks(n, ties, descending):
    a, _ = _pair(n, 0, ties)
    expected = naive.average_ranks(a, descending)
    npt.assert_array_equal(kr.average_ranks(a, descending), expected)
    npt.assert_array_equal(fastinno.rankdata(a, descending=descending), expected)
    sign = -1.0 if descending else 1.0
    npt.assert_array_equal(expected, ss.rankdata(sign * a))
    rows = np.stack([a, a[::-1].copy()])
    got = kr.average_ranks_rows(rows, descending)
    npt.assert_array_equal(got[1], naive.average_ranks(a[::-1], descending))


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("ties", [False, True])
def test_spearman_matches_naive_and_scipy(n, ties):
    a, b = _pair(n, 1, ties)
    for method in ("pearson", "d2"):
        got = fastinno.spearman(a, b, method=method)
        npt.assert_allclose(got, naive.spearman(a, b, method), rtol=1e-12, atol=1e-15)
    ra = ss.rankdata(a)
    rb = ss.rankdata(b)
    npt.assert_allclose(kr.spearman_pearson(ra, rb), ss.spearmanr(a, b).statistic, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("ties", [False, True])
def test_kendall_matches_naive_and_scipy(n, ties):
    a, b = _pair(n, 2, ties)
    exp = naive.kendall_tau_b(a, b)
    npt.assert_allclose(fastinno.kendall(a, b), exp, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(kr.kendall_tau_b(a, b), exp, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(exp, ss.kendalltau(a, b).statistic, rtol=1e-12, atol=1e-15)


def test_merge_sort_swaps_counts_inversions():
    y = np.array([3.0, 1.0, 2.0, 2.0, 0.0])
    # inversions: (3,1) (3,2) (3,2) (3,0) (1,0) (2,0) (2,0) = 7
    assert kr._merge_sort_swaps(y) == 7
    npt.assert_array_equal(y, [0.0, 1.0, 2.0, 2.0, 3.0])


@pytest.mark.parametrize("ties", [False, True])
def test_batched_spearman(ties):
    rng = np.random.default_rng(5)
    x = rng.random((30, 40))
    base = rng.random(40)
    if ties:
        x = np.round(x * 6)
        base = np.round(base * 4)
    base_r = naive.average_ranks(base)
    exp = np.array([naive.spearman(x[b], base) for b in range(30)])
    exp_d2 = np.array([naive.spearman(x[b], base, "d2") for b in range(30)])
    npt.assert_allclose(kr.spearman_rows_vs_one(x, base_r, kr.PEARSON), exp, rtol=1e-12)
    npt.assert_allclose(kr.spearman_rows_vs_one(x, base_r, kr.D2), exp_d2, rtol=1e-12)
    orders = np.argsort(x, axis=1)
    npt.assert_allclose(kr.spearman_rows_vs_one_ordered(x, orders, base_r, kr.PEARSON), exp, rtol=1e-12)
    from fastinno.methods import combined as mc

    npt.assert_allclose(mc.spearman_many(x, base), exp, rtol=1e-12)
    npt.assert_allclose(mc.spearman_many(x, base, "d2"), exp_d2, rtol=1e-12)
    # all pairs
    ranks = np.stack([naive.average_ranks(r) for r in x[:6]])
    allp = kr.spearman_all_pairs(ranks, kr.PEARSON)
    for i in range(6):
        for k in range(6):
            npt.assert_allclose(allp[i, k], naive.spearman(x[i], x[k]) if i != k else 1.0, rtol=1e-12)


@pytest.mark.parametrize("ties", [False, True])
def test_kendall_w(ties):
    rng = np.random.default_rng(6)
    x = rng.random((4, 15))
    if ties:
        x = np.round(x * 5)
    ranks = np.stack([naive.average_ranks(r) for r in x])
    npt.assert_allclose(kr.kendall_w(ranks), naive.kendall_w(ranks), rtol=1e-12)
    # perfect agreement -> 1
    same = np.tile(naive.average_ranks(rng.random(9)), (3, 1))
    npt.assert_allclose(kr.kendall_w(same), 1.0, rtol=1e-14)


def test_kendall_w_two_raters_relates_to_spearman():
    # for k = 2 without ties, W = (rho + 1) / 2 (Kendall 1948)
    rng = np.random.default_rng(7)
    a, b = rng.random(12), rng.random(12)
    ranks = np.stack([naive.average_ranks(a), naive.average_ranks(b)])
    npt.assert_allclose(kr.kendall_w(ranks), (naive.spearman(a, b) + 1) / 2, rtol=1e-12)


@pytest.mark.parametrize("case", load_refvectors("rank_correlation"), ids=lambda c: c["id"])
def test_rank_correlation_refvectors(case):
    # source: Wikipedia Spearman example; Salabun & Urbaniak (2020); scipy kendalltau test (R)
    x = case["inputs"]["x"]
    y = case["inputs"]["y"]
    tol = case["tolerance"]
    exp = case["expected"]
    if case["method"] == "spearman":
        npt.assert_allclose(fastinno.spearman(x, y), exp["spearman_rho_average_ranks"], atol=tol, rtol=0)
        npt.assert_allclose(fastinno.spearman(x, y, method="d2"), exp["spearman_d2_formula_average_ranks"],
                            atol=tol, rtol=0)
    else:
        npt.assert_allclose(fastinno.kendall(x, y), exp["tau_b"], atol=tol, rtol=0)


def test_rank_api_errors():
    with pytest.raises(InputError, match="same length"):
        fastinno.spearman([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="missing or infinite"):
        fastinno.spearman([1, np.nan, 3], [1, 2, 3])
    with pytest.raises(DegenerateDataError, match="constant"):
        fastinno.kendall([1, 1, 1], [1, 2, 3])
    with pytest.raises(DegenerateDataError, match="constant"):
        fastinno.spearman([1, 2, 3], [4, 4, 4])
    with pytest.raises(InputError, match="Spearman method"):
        fastinno.spearman([1, 2, 3], [1, 2, 3], method="kendall")
    with pytest.raises(InputError, match="1-D"):
        fastinno.rankdata(np.ones((2, 2)))


vectors = st.integers(2, 30).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, n, elements=st.integers(-5, 5).map(float)),
        arrays(np.float64, n, elements=st.floats(-10, 10, allow_subnormal=False)),
    )
)


@settings(max_examples=80, deadline=None)
@given(vectors)
def test_correlation_properties(ab):
    a, b = ab
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return
    for fn in (fastinno.spearman, fastinno.kendall):
        r = fn(a, b)
        assert -1.0 <= r <= 1.0
        assert r == pytest.approx(fn(b, a), abs=1e-14)
        assert fn(a, a) == pytest.approx(1.0, abs=1e-14)
        assert fn(a, -a) == pytest.approx(-1.0, abs=1e-14)
    d2 = fastinno.spearman(a, b, method="d2")
    assert -1.0 - 1e-12 <= d2 <= 1.0 + 1e-12
    # ranks sum to n(n+1)/2 and permute with the data
    r = fastinno.rankdata(a)
    assert r.sum() == pytest.approx(len(a) * (len(a) + 1) / 2)
    perm = np.arange(len(a))[::-1]
    npt.assert_array_equal(fastinno.rankdata(a[perm]), r[perm])


def test_packed_ranking_edge_cases():
    # -0.0 == 0.0 must tie; values closer than the truncated key; heavy ties; negatives
    cases = [
        np.array([0.0, -0.0, 1.0, -1.0, -0.0]),
        1.0 + np.arange(300) * 1e-15,
        np.repeat([3.0, -2.0, 7.5], 100),
        np.random.default_rng(9).standard_normal(1000) * 1e-300,
    ]
    rng = np.random.default_rng(10)
    for x in cases:
        x = rng.permutation(x)
        for desc in (False, True):
            npt.assert_array_equal(fastinno.rankdata(x, descending=desc), naive.average_ranks(x, desc)
                                   if len(x) <= 300 else ss.rankdata(-x if desc else x))
