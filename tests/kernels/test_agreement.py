"""Agreement kernels against the loop references of tests/naive.py."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastinno.kernels import agreement as ka
from fastinno.methods import mcda


def _ranks(x):
    return mcda.packed_ranks(np.ascontiguousarray(x, dtype=np.float64), True)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_inversions_match_counting(v):
    y = np.array(v, dtype=np.float64)
    want = naive.inversions(list(v))
    assert ka.inversions(y.copy(), np.empty_like(y)) == want
    codes = np.array(v, dtype=np.int64) + 1
    assert ka.inversions_coded(codes, np.zeros(codes.max() + 1, dtype=np.int32)) == want


@pytest.mark.parametrize("ties", [False, True])
def test_pair_counts_and_tau_b_match_counting(ties):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, (5, 23)).astype(float) if ties else rng.normal(size=(5, 23))
    r = _ranks(x)
    disc, joint, tied = ka.pair_counts(r)
    nd, nj, nt = naive.pair_counts(r)
    npt.assert_array_equal(disc, nd)
    npt.assert_array_equal(joint, nj)
    npt.assert_array_equal(tied, nt)
    npt.assert_allclose(ka.tau_b_from_counts(disc, joint, tied, r.shape[1]), naive.tau_b_from_counts(r),
                        rtol=1e-12, atol=1e-15)
    d3, j3, t3 = ka.pair_counts_cells(np.stack([r, r[::-1].copy()]))
    npt.assert_array_equal(d3[0], nd)
    npt.assert_array_equal(d3[1], naive.pair_counts(r[::-1])[0])
    npt.assert_array_equal(t3[1], nt[::-1])


def test_rank_codes_keep_order_and_ties():
    rng = np.random.default_rng(5)
    r = _ranks(rng.integers(0, 4, (3, 30)).astype(float))
    codes = ka.rank_codes(r)
    npt.assert_array_equal(codes, naive.rank_codes(r))
    for row, c in zip(r, codes):
        assert np.array_equal(np.sign(row[:, None] - row[None, :]), np.sign(c[:, None] - c[None, :]))


def test_spearman_pairs_cells_match_pearson_of_ranks():
    rng = np.random.default_rng(4)
    r3 = np.stack([_ranks(rng.integers(0, 5, (4, 17)).astype(float)) for _ in range(3)])
    npt.assert_allclose(ka.spearman_pairs_cells(r3), naive.spearman_pairs_cells(r3), rtol=1e-12, atol=1e-14)


def test_tau_b_matches_scipy_literal():
    # scipy.stats.kendalltau([1, 2, 2, 3, 4], [2, 1, 3, 3, 5]).statistic == 0.6666666666666666
    # (scipy 1.17.1, tau-b; the literal so the test stands without scipy)
    r = _ranks(np.array([[1, 2, 2, 3, 4], [2, 1, 3, 3, 5]], dtype=float))
    disc, joint, tied = ka.pair_counts(r)
    npt.assert_allclose(ka.tau_b_from_counts(disc, joint, tied, 5)[0, 1], 0.6666666666666666, rtol=1e-12)
