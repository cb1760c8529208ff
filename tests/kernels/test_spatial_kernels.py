"""Spatial kernels: CSR lag, Moran numerators, seeded permutation counts (global and LISA)."""

from __future__ import annotations

import naive
import numba
import numpy as np
import numpy.testing as npt
import pytest
from numba import njit

from fastinno.kernels import spatial as ks


def _random_csr(n, rng, p=0.3):
    """Row-standardized weights of a random symmetric graph (some rows may be empty)."""
    a = rng.random((n, n)) < p
    a = np.triu(a, 1)
    a = a | a.T
    indptr = np.concatenate([[0], np.cumsum(a.sum(axis=1))]).astype(np.int64)
    indices = np.concatenate([np.flatnonzero(r) for r in a]).astype(np.int64)
    card = np.diff(indptr)
    weights = np.repeat(1.0 / np.maximum(card, 1), card)
    return indptr, indices, weights


@njit
def _seeded_shuffles(seed, n, count):
    np.random.seed(seed)
    perm = np.arange(n)
    out = np.empty((count, n), dtype=np.int64)
    for p in range(count):
        ks.shuffle(perm)
        out[p] = perm
    return out


@njit
def _seeded_slots(seed, n_others, n_slots, n_rows):
    np.random.seed(seed)
    out = np.empty((n_rows, n_slots), dtype=np.int64)
    ks.draw_slot_indices(n_others, n_slots, n_rows, out)
    return out


@pytest.mark.parametrize("n", [3, 9, 25])
def test_spatial_lag_and_numerators_match_dense(n):
    rng = np.random.default_rng(n)
    indptr, indices, weights = _random_csr(n, rng)
    z = rng.normal(size=(n, 3))
    npt.assert_allclose(ks.spatial_lag(indptr, indices, weights, z), naive.spatial_lag(indptr, indices, weights, z),
                        rtol=1e-13, atol=1e-14)
    npt.assert_allclose(ks.moran_numerators(z, indptr, indices, weights),
                        naive.moran_numerators(z, indptr, indices, weights), rtol=1e-12, atol=1e-14)


def test_global_counts_equal_naive_under_the_same_permutations():
    rng = np.random.default_rng(7)
    n, m, block, n_perm = 12, 3, 8, 19
    indptr, indices, weights = _random_csr(n, rng, 0.4)
    z = rng.normal(size=(n, m))
    z -= z.mean(axis=0)
    obs = ks.moran_numerators(z, indptr, indices, weights)
    seeds = np.array([11, 12, 13], dtype=np.int64)
    counts = ks.moran_permutation_counts(z, indptr, indices, weights, obs, seeds, block, n_perm)
    assert counts.shape == (3, m)
    w = naive.dense_weights(indptr, indices, weights)
    want = np.zeros(m, dtype=np.int64)
    for b, s in enumerate(seeds):
        rows = min((b + 1) * block, n_perm) - b * block
        want += naive.moran_permutation_counts(z, w, _seeded_shuffles(s, n, rows), obs)
    npt.assert_array_equal(counts.sum(axis=0), want)
    assert counts[-1].max() <= n_perm - 2 * block


def test_shuffles_are_permutations_and_spread():
    perms = _seeded_shuffles(3, 5, 4000)
    assert all(sorted(p) == list(range(5)) for p in perms[:50])
    # each value lands in each place about 1/5 of the time
    freq = np.array([[np.mean(perms[:, i] == v) for v in range(5)] for i in range(5)])
    assert np.abs(freq - 0.2).max() < 0.03


def test_slot_indices_distinct_in_range_and_uniform():
    slots = _seeded_slots(5, 6, 4, 3000)
    assert slots.min() >= 0 and slots.max() <= 5
    assert all(len(set(r)) == 4 for r in slots)
    freq = np.bincount(slots.ravel(), minlength=6) / slots.size
    assert np.abs(freq - 1 / 6).max() < 0.02


def test_lisa_counts_equal_naive_given_the_slots():
    rng = np.random.default_rng(3)
    n, m, n_perm = 10, 2, 30
    indptr, indices, weights = _random_csr(n, rng, 0.35)
    z = rng.normal(size=(n, m))
    seeds = np.array([99], dtype=np.int64)
    counts = ks.lisa_permutation_counts(z, indptr, indices, weights, seeds, 64, n_perm, 3)
    max_card = int(np.diff(indptr).max())
    slots = _seeded_slots(99, n - 1, max_card, n_perm)
    lists = [indices[indptr[i]:indptr[i + 1]].tolist() for i in range(n)]
    wts = [weights[indptr[i]:indptr[i + 1]].tolist() for i in range(n)]
    npt.assert_array_equal(counts, naive.lisa_permutation_counts(z, lists, wts, slots))


def test_counts_do_not_depend_on_thread_count_or_chunk():
    rng = np.random.default_rng(11)
    n, m = 40, 4
    indptr, indices, weights = _random_csr(n, rng, 0.15)
    z = rng.normal(size=(n, m))
    obs = ks.moran_numerators(z, indptr, indices, weights)
    seeds = np.arange(5, dtype=np.int64) + 1000
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        g1 = ks.moran_permutation_counts(z, indptr, indices, weights, obs, seeds, 16, 70)
        l1 = ks.lisa_permutation_counts(z, indptr, indices, weights, seeds, 16, 70, 7)
        numba.set_num_threads(before)
        g2 = ks.moran_permutation_counts(z, indptr, indices, weights, obs, seeds, 16, 70)
        l2 = ks.lisa_permutation_counts(z, indptr, indices, weights, seeds, 16, 70, 40)
    finally:
        numba.set_num_threads(before)
    npt.assert_array_equal(g1, g2)
    npt.assert_array_equal(l1, l2)


def test_islands_get_every_permutation_as_a_tie():
    z = np.array([[1.0], [-1.0], [0.5], [2.0]])
    indptr = np.array([0, 1, 2, 2, 2], dtype=np.int64)  # 0 <-> 1; 2 and 3 are islands
    indices = np.array([1, 0], dtype=np.int64)
    weights = np.ones(2)
    counts = ks.lisa_permutation_counts(z, indptr, indices, weights, np.array([1], dtype=np.int64), 64, 20, 2)
    assert counts[2, 0] == 20 and counts[3, 0] == 20
