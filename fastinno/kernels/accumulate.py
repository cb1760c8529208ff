"""Accumulation of ranked Monte Carlo draws: rank counts, histograms, exact sums, variance sums.

:func:`accumulate_ranks` folds one chunk's rank codes (from :func:`.ranking.rank_block`) into the
rank-position counts (or rank histograms with their exact rank sums), index histograms and
outrank counts; :func:`merge_sums` adds a thread's
two-word fixed-point sums; :func:`variance_accumulate` gathers the sums of the rank-variance
decomposition of method-choice runs. Every accumulator is an integer (or a min / max), so results
do not depend on the chunking or the thread count.

Input already validated (int32 / int64 / float64, C-contiguous). Kernels trust their input.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .ranking import RANK_BITS, RANK_MASK, SLAB, SLAB_BITS, SLAB_MASK
from .twins import renamed

#: Draws per tile of :func:`accumulate_ranks`: 256 x 64 bytes of codes, a quarter of L1.
_TILE = 256

__all__ = [
    "accumulate_ranks",
    "accumulate_ranks_serial",
    "accumulate_codes",
    "accumulate_codes_serial",
    "merge_sums",
    "variance_accumulate",
]


@njit(cache=True, parallel=True)
def accumulate_ranks(codes, n_draws, rank_bits, shift, counts, hist, rank_lo, rank_hi, base_rank, top_k,
                     rank_sum, shift_sum, top_counts, pairs):
    """Fold one chunk's codes (from :func:`rank_block`) into the rank counts and index histograms.

    Parameters
    ----------
    codes : int32 (n_slabs, n_chunk, SLAB), ``(bin << rank_bits) | (rank - 1)`` of region
        ``slab * SLAB + lane`` in each draw (rows ``n_draws ..`` unused).
    n_draws : int, draws (rows) of the chunk.
    rank_bits : int, bits of the rank field (16 up to 65,536 regions).
    shift : int, rank bins of width ``2^shift`` ranks: 0 = exact rank-position counts.
    counts : int32 (n_regions, ceil(n_regions / 2^shift)), updated: ``counts[i, (r - 1) >> shift]
        += 1`` when region i has rank r.
    hist : int32 (n_regions, n_bins), updated: index histograms (NaN bin skipped).
    rank_lo, rank_hi : int32 (n_regions,), updated: the smallest / largest rank - 1 seen (so that
        the statistics read only that window of ``counts``).
    base_rank : int64 (n_regions,), base ranks (read when ``shift`` > 0).
    top_k : int64 (n_k,), the k of the top-k shares (read when ``shift`` > 0).
    rank_sum, shift_sum : int64 (n_regions,), updated when ``shift`` > 0: sums over draws of the
        rank and of |rank - base rank| (exact integers: the mean rank and the mean shift).
    top_counts : int64 (n_regions, n_k), updated when ``shift`` > 0: draws with rank <= k.
    pairs : int64 (n_pairs, 2), region pairs (a, b).

    Returns
    -------
    outranks : int64 (n_pairs,), draws in which region a has a better (smaller) rank than b.

    Notes
    -----
    Parallel over slabs of ``SLAB`` regions (disjoint rows of every accumulator: no shared
    writes). Inside a slab, tiles of draws (their codes stay in L1) are read region by region, so
    that each inner loop updates one region's rows with its window bounds in registers. Integer counts and sums: the result does not depend on the
    order. With ``shift`` > 0 the counts are rank histograms (memory regions x regions / 2^shift)
    and the statistics that must stay exact (mean rank, top-k shares, shifts) get their own O(regions)
    integer sums.
    """
    n = counts.shape[0]
    n_slabs = codes.shape[0]
    mask = np.int32((1 << rank_bits) - 1)
    nan_b = np.int32((1 << (31 - rank_bits)) - 1)
    n_k = top_k.shape[0]
    sums = shift > 0
    for sl in prange(n_slabs):
        i0 = sl * SLAB
        w = min(n, i0 + SLAB) - i0
        cs = codes[sl]
        # tiles of draws whose codes stay in L1 while each region of the slab reads its lane:
        # one region's rows of the accumulators at a time, its window bounds in registers
        for d0 in range(0, n_draws, _TILE):
            d1 = min(n_draws, d0 + _TILE)
            for k in range(w):
                i = i0 + k
                crow = counts[i]
                hrow = hist[i]
                r_lo = rank_lo[i]
                r_hi = rank_hi[i]
                if not sums:  # exact counts (shift 0)
                    for d in range(d0, d1):
                        c = cs[d, k]
                        r = c & mask
                        crow[r] += 1
                        r_lo = min(r_lo, r)
                        r_hi = max(r_hi, r)
                        b = c >> rank_bits
                        if b != nan_b:
                            hrow[b] += 1
                else:
                    br = base_rank[i]
                    r_sum = 0
                    s_sum = 0
                    for d in range(d0, d1):
                        c = cs[d, k]
                        r = c & mask
                        crow[r >> shift] += 1
                        r_lo = min(r_lo, r)
                        r_hi = max(r_hi, r)
                        b = c >> rank_bits
                        if b != nan_b:
                            hrow[b] += 1
                        r1 = np.int64(r) + 1
                        r_sum += r1
                        s_sum += abs(r1 - br)
                        for m in range(n_k):
                            if r1 <= top_k[m]:
                                top_counts[i, m] += 1
                    rank_sum[i] += r_sum
                    shift_sum[i] += s_sum
                rank_lo[i] = r_lo
                rank_hi[i] = r_hi
    n_pairs = pairs.shape[0]
    outranks = np.zeros(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        a = pairs[p, 0]
        bb = pairs[p, 1]
        cnt = 0
        for d in range(n_draws):
            ra = codes[a >> SLAB_BITS, d, a & SLAB_MASK] & mask
            rb = codes[bb >> SLAB_BITS, d, bb & SLAB_MASK] & mask
            if ra < rb:
                cnt += 1
        outranks[p] = cnt
    return outranks


#: The same kernel compiled without threads and releasing the GIL: for small chunks the cost of
#: waking threads (large on a loaded machine) exceeds the work, and the robustness engine runs it
#: on its own Python threads over contiguous ranges of slabs. Identical results (integer counts).
accumulate_ranks_serial = njit(cache=True, nogil=True)(renamed(accumulate_ranks.py_func, "accumulate_ranks_serial"))

_NO_K = np.zeros(0, dtype=np.int64)


def accumulate_codes(codes, n_draws, counts, hist, rank_lo, rank_hi, pairs):
    """:func:`accumulate_ranks` in the default layout (16-bit ranks) with exact counts."""
    return accumulate_ranks(codes, n_draws, RANK_BITS, 0, counts, hist, rank_lo, rank_hi, _NO_K, _NO_K, _NO_K,
                            _NO_K, _NO_K.reshape(0, 0), pairs)


def accumulate_codes_serial(codes, n_draws, counts, hist, rank_lo, rank_hi, pairs):
    """:func:`accumulate_codes` on the calling thread only."""
    return accumulate_ranks_serial(codes, n_draws, RANK_BITS, 0, counts, hist, rank_lo, rank_hi, _NO_K, _NO_K,
                                   _NO_K, _NO_K, _NO_K.reshape(0, 0), pairs)


@njit(cache=True)
def merge_sums(sum_hi, sum_lo, vmin, vmax, part_hi, part_lo, part_min, part_max):
    """Add one thread's fixed-point sums and min / max into the run's (exact, order-free)."""
    for i in range(sum_hi.shape[0]):
        v = sum_lo[i] + part_lo[i]  # both in [0, 2^62): no overflow
        c = v >> 62
        sum_hi[i] += part_hi[i] + c
        sum_lo[i] = v - (c << 62)
        if part_min[i] < vmin[i]:
            vmin[i] = part_min[i]
        if part_max[i] > vmax[i]:
            vmax[i] = part_max[i]


@njit(cache=True, parallel=True)
def variance_accumulate(codes, n_draws, levels, n_levels, s_k, q_k, t_f, w1, rank_mask=RANK_MASK):
    """Integer accumulators of a full-factorial method-choice run (exact, order-free).

    Parameters
    ----------
    codes : int32 (n_combos, n_slabs, n_chunk, SLAB), :func:`rank_block` codes of every
        combination (rank = (code & RANK_MASK) + 1).
    n_draws : int, draws (rows) of the chunk.
    levels : int64 (n_combos, n_factors), level of each factor in each combination; combinations
        are the full factorial in C order (the last factor varies fastest).
    n_levels : int64 (n_factors,)
    s_k, q_k : int64 (n_combos, n_regions), updated: sums of r and r^2 over draws.
    t_f : int64 (n_factors, n_regions), updated: sum over draws and over groups of combinations
        differing only in factor f of ``L_f sum r^2 - (sum r)^2`` (L_f times the within-group
        sum of squared deviations).
    w1 : int64 (n_regions,), updated: sum over draws of (sum over combinations of r)^2.
    rank_mask : int, mask of the rank field of the codes (``2^rank_bits - 1``).
    """
    n_combos = codes.shape[0]
    n = s_k.shape[1]
    n_factors = levels.shape[1]
    for i in prange(n):
        for d in range(n_draws):
            tot = 0
            for k in range(n_combos):
                r = np.int64(codes[k, i >> SLAB_BITS, d, i & SLAB_MASK] & rank_mask) + 1
                s_k[k, i] += r
                q_k[k, i] += r * r
                tot += r
            w1[i] += tot * tot
            # factor f: groups = combinations with equal levels elsewhere. With C-order
            # enumeration, stride_f = product of n_levels after f.
            stride = 1
            for f in range(n_factors - 1, -1, -1):
                lf = n_levels[f]
                for k in range(n_combos):
                    if levels[k, f] != 0:
                        continue  # k is the group's first member
                    s1 = 0
                    s2 = 0
                    for a in range(lf):
                        r = np.int64(codes[k + a * stride, i >> SLAB_BITS, d, i & SLAB_MASK] & rank_mask) + 1
                        s1 += r
                        s2 += r * r
                    t_f[f, i] += lf * s2 - s1 * s1
                stride *= lf
