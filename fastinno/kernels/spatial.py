"""Spatial lag and permutation inference for Moran's I and local Moran (LISA).

Weights arrive as CSR arrays: ``indptr`` (int64, n + 1), ``indices`` (int64, column of each
link) and ``weights`` (float64, the weight of each link, row-standardized by the API layer).
Values arrive as ``z`` (float64, C-contiguous, (n_regions, n_years)): one column per year, so
one permutation of the regions serves every year at once and the inner loops run over years.

Global Moran's I (Moran 1950; Cliff & Ord 1981) of one column:

    I = n / S0 * sum_i z_i (W z)_i / sum_i z_i^2,   (W z)_i = sum_j w_ij z_j

The kernels return the numerator ``sum_i z_i (W z)_i``; the API layer scales it. Its permutation
reference distribution reshuffles the values among all regions (Fisher-Yates).

Local Moran (Anselin 1995, Geographical Analysis 27, 93-115) of region i is
``I_i = (n - 1) z_i (W z)_i / sum_j z_j^2``; its conditional permutation keeps z_i at i and fills
i's neighbour slots with values drawn without replacement from the other n - 1 regions. As in
esda (``esda.crand``) one draw of slot indices per permutation serves every region (region i maps
index j >= i to j + 1 so it never draws itself).

Seeding: permutations come in blocks of ``block``; block b starts by reseeding numba's generator
with ``seeds[b]``, so counts do not depend on the thread count. Counts are kept per block (global)
or per region (local): memory does not grow with the number of permutations beyond one int per
block.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "spatial_lag",
    "moran_numerators",
    "shuffle",
    "moran_permutation_counts",
    "draw_slot_indices",
    "lisa_permutation_counts",
]


@njit(cache=True)
def spatial_lag(indptr, indices, weights, z):
    """(W z) for every column of ``z``: float64 (n, m)."""
    n, m = z.shape
    out = np.zeros((n, m))
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            c = indices[k]
            w = weights[k]
            for y in range(m):
                out[i, y] += w * z[c, y]
    return out


@njit(cache=True)
def shuffle(perm):
    """Fisher-Yates shuffle in place with numba's current generator (uniform from any order)."""
    for i in range(perm.shape[0] - 1, 0, -1):
        j = np.random.randint(0, i + 1)
        t = perm[i]
        perm[i] = perm[j]
        perm[j] = t


@njit(cache=True, inline="always")
def _numerator(z, perm, indptr, indices, weights, lag, num):
    """num[y] = sum_i z[perm[i], y] * sum_k w_k z[perm[indices[k]], y]."""
    n, m = z.shape
    for y in range(m):
        num[y] = 0.0
    for i in range(n):
        for y in range(m):
            lag[y] = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            c = perm[indices[k]]
            w = weights[k]
            for y in range(m):
                lag[y] += w * z[c, y]
        a = perm[i]
        for y in range(m):
            num[y] += z[a, y] * lag[y]


@njit(cache=True)
def moran_numerators(z, indptr, indices, weights):
    """sum_i z_i (W z)_i per column: float64 (m,). Same arithmetic as the permutation kernel."""
    n, m = z.shape
    perm = np.arange(n)
    lag = np.zeros(m)
    num = np.zeros(m)
    _numerator(z, perm, indptr, indices, weights, lag, num)
    return num


@njit(cache=True, parallel=True)
def moran_permutation_counts(z, indptr, indices, weights, observed, seeds, block, n_perm):
    """How many permutations give a numerator >= the observed one, per block and column.

    Parameters
    ----------
    z : float64 (n, m), centred values.
    indptr, indices, weights : the CSR weights.
    observed : float64 (m,), from :func:`moran_numerators`.
    seeds : int64 (n_blocks,), one per block of ``block`` permutations.
    block : int, permutations per block (the last block is cut at ``n_perm``).
    n_perm : int, the number of permutations.

    Returns
    -------
    counts : int64 (n_blocks, m); sum over axis 0 for the total.
    """
    n, m = z.shape
    n_blocks = seeds.shape[0]
    counts = np.zeros((n_blocks, m), dtype=np.int64)
    for b in prange(n_blocks):
        np.random.seed(seeds[b])
        perm = np.arange(n)
        lag = np.zeros(m)
        num = np.zeros(m)
        stop = min((b + 1) * block, n_perm)
        for _ in range(b * block, stop):
            shuffle(perm)
            _numerator(z, perm, indptr, indices, weights, lag, num)
            for y in range(m):
                if num[y] >= observed[y]:
                    counts[b, y] += 1
    return counts


@njit(cache=True)
def draw_slot_indices(n_others, n_slots, n_rows, out):
    """Fill ``out[:n_rows, :n_slots]`` with rows of distinct ints in [0, n_others) (partial
    Fisher-Yates on a pool that is restored after each row). Uses numba's current generator."""
    pool = np.arange(n_others)
    picked = np.empty(n_slots, dtype=np.int64)
    for p in range(n_rows):
        for s in range(n_slots):
            j = np.random.randint(s, n_others)
            picked[s] = j
            t = pool[s]
            pool[s] = pool[j]
            pool[j] = t
            out[p, s] = pool[s]
        for s in range(n_slots - 1, -1, -1):  # undo the swaps: the pool is 0..n_others-1 again
            j = picked[s]
            t = pool[s]
            pool[s] = pool[j]
            pool[j] = t


@njit(cache=True, parallel=True)
def _lisa_block(z, indptr, indices, weights, slots, n_rows, counts, chunk):
    n, m = z.shape
    n_chunks = (n + chunk - 1) // chunk
    for c in prange(n_chunks):
        lag = np.empty(m)
        obs = np.empty(m)
        for i in range(c * chunk, min((c + 1) * chunk, n)):
            start = indptr[i]
            k_i = indptr[i + 1] - start
            for y in range(m):
                obs[y] = 0.0
            for k in range(k_i):
                col = indices[start + k]
                w = weights[start + k]
                for y in range(m):
                    obs[y] += w * z[col, y]
            for y in range(m):
                obs[y] *= z[i, y]
            for p in range(n_rows):
                for y in range(m):
                    lag[y] = 0.0
                for k in range(k_i):
                    j = slots[p, k]
                    if j >= i:
                        j += 1
                    w = weights[start + k]
                    for y in range(m):
                        lag[y] += w * z[j, y]
                for y in range(m):
                    if z[i, y] * lag[y] >= obs[y]:
                        counts[i, y] += 1


@njit(cache=True)
def lisa_permutation_counts(z, indptr, indices, weights, seeds, block, n_perm, chunk):
    """How many conditional permutations give z_i (W z)_i >= the observed value, per region and
    column.

    Parameters
    ----------
    z : float64 (n, m), standardized values.
    indptr, indices, weights : the CSR weights (no self links).
    seeds : int64 (n_blocks,), one per block of ``block`` permutations.
    block, n_perm : permutations per block, and in all.
    chunk : int, regions per parallel task.

    Returns
    -------
    counts : int64 (n, m).

    Notes
    -----
    Block b reseeds the generator with ``seeds[b]`` and draws its permutations' slot indices
    (``max_card`` distinct indices among n - 1 per permutation); regions then run in parallel.
    """
    n, m = z.shape
    counts = np.zeros((n, m), dtype=np.int64)
    max_card = 0
    for i in range(n):
        max_card = max(max_card, indptr[i + 1] - indptr[i])
    if max_card == 0 or n < 2:
        return counts
    slots = np.empty((block, max_card), dtype=np.int64)
    for b in range(seeds.shape[0]):
        np.random.seed(seeds[b])
        n_rows = min((b + 1) * block, n_perm) - b * block
        draw_slot_indices(n - 1, max_card, n_rows, slots)
        _lisa_block(z, indptr, indices, weights, slots, n_rows, counts, chunk)
    return counts
