"""Fused Monte Carlo chunk kernels: index from GEMM output, per-draw ranking, accumulation.

The API layer computes, for one chunk of draws and one year, the matrix products
``g1 = W2 @ A_pos.T`` and ``g2 = W2 @ A_neg.T`` (squared weights against squared deviations from
the ideal / anti-ideal points: the weighted squared distances of every region in every draw, one
BLAS GEMM each), or ``g1 = W @ X.T`` for linear models (weighted sum, grey relational grade).
:func:`rank_chunk` then turns each row (one draw) into the index, ranks the regions (rank 1 = best)
and folds the result into fixed-size accumulators whose size does not depend on the number of
draws.

Ranking: an LSD radix sort on a 24-bit key (the index quantised monotonically on the row's
[min, max]), carrying the region number, then a fix-up pass that orders runs of equal keys by the
exact index value. The ranks are therefore exact (ties = equal index values, competition ranking
"min"); the sort costs 3 passes of 8-bit digits, which beats both numba's ``argsort`` and numpy's
SIMD ``argsort`` on rows of a few thousand (see ``benches/bench_robustness.py``).

Input already validated (float64 / int64, C-contiguous). Kernels trust their input.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import distance as kd

#: Index forms: the two ideal-solution forms of ``distance`` plus a linear score (g1 is the index).
RATIO2 = kd.RATIO2
CLOSENESS = kd.CLOSENESS
LINEAR = 2

_KEY_BITS = 24
_KEY_MAX = (1 << _KEY_BITS) - 1

__all__ = [
    "RATIO2",
    "CLOSENESS",
    "LINEAR",
    "ranks_of_row",
    "rank_rows",
    "rank_chunk",
    "block_sums",
]


@njit(cache=True, inline="always")
def _index(a, b, form):
    if form == LINEAR:
        return a
    return kd.index_value(a, b, form)


@njit(cache=True)
def _radix_order(v, keys, tmp_keys, order, tmp_order, hist):
    """Order of ``v`` descending (NaN last), exact: radix on a quantised key + fix-up."""
    n = v.shape[0]
    vmin = np.inf
    vmax = -np.inf
    for i in range(n):
        x = v[i]
        if x < vmin:
            vmin = x
        if x > vmax:
            vmax = x
    if not vmax > vmin:  # all equal (or all NaN): any order, ties handled by the caller
        for i in range(n):
            order[i] = i
        return
    scale = (_KEY_MAX - 1) / (vmax - vmin)
    for i in range(n):
        x = v[i]
        if x == x:
            q = np.int64((vmax - x) * scale)  # monotone: larger value -> smaller key
            if q > _KEY_MAX - 1:
                q = _KEY_MAX - 1
            keys[i] = q
        else:
            keys[i] = _KEY_MAX
        order[i] = i
    # one counting pass for the three 8-bit digits
    for k in range(3 * 256):
        hist[k] = 0
    for i in range(n):
        q = keys[i]
        hist[q & 255] += 1
        hist[256 + ((q >> 8) & 255)] += 1
        hist[512 + (q >> 16)] += 1
    src_k = keys
    src_o = order
    dst_k = tmp_keys
    dst_o = tmp_order
    swapped = False
    for p in range(3):
        off = 256 * p
        shift = 8 * p
        if hist[off + ((src_k[0] >> shift) & 255)] == n:  # one bucket: pass is a no-op
            continue
        total = 0
        for k in range(256):
            c = hist[off + k]
            hist[off + k] = total
            total += c
        for i in range(n):
            q = src_k[i]
            d = (q >> shift) & 255
            pos = hist[off + d]
            hist[off + d] = pos + 1
            dst_k[pos] = q
            dst_o[pos] = src_o[i]
        src_k, dst_k = dst_k, src_k
        src_o, dst_o = dst_o, src_o
        swapped = not swapped
    if swapped:
        for i in range(n):
            order[i] = src_o[i]
            keys[i] = src_k[i]
    # fix-up: runs of equal keys ordered by exact value, descending (insertion sort, runs are short)
    i = 0
    while i < n:
        j = i + 1
        while j < n and keys[j] == keys[i]:
            j += 1
        if j - i > 1 and keys[i] != _KEY_MAX:
            for a in range(i + 1, j):
                o = order[a]
                x = v[o]
                b = a - 1
                while b >= i and v[order[b]] < x:
                    order[b + 1] = order[b]
                    b -= 1
                order[b + 1] = o
        i = j


@njit(cache=True, inline="always")
def _same(a, b):
    return a == b or (a != a and b != b)


@njit(cache=True)
def _ranks_from_order(v, order, rank_min, rank_avg):
    """Competition ("min") ranks and average ranks, rank 1 = largest; NaN ranked last (tied)."""
    n = v.shape[0]
    i = 0
    while i < n:
        x = v[order[i]]
        j = i + 1
        while j < n and _same(v[order[j]], x):
            j += 1
        ravg = 0.5 * (i + j + 1)
        for k in range(i, j):
            rank_min[order[k]] = i + 1
            rank_avg[order[k]] = ravg
        i = j


@njit(cache=True)
def ranks_of_row(v):
    """Ranks of one vector, rank 1 = largest (the single-draw reference path).

    Parameters
    ----------
    v : float64 (n,)

    Returns
    -------
    rank_min : int64 (n,), competition ranks (1 + number of strictly larger values); NaN last.
    rank_avg : float64 (n,), average ranks of ties (for Spearman's rho).
    """
    n = v.shape[0]
    keys = np.empty(n, dtype=np.int64)
    tk = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    to = np.empty(n, dtype=np.int64)
    hist = np.empty(3 * 256, dtype=np.int64)
    _radix_order(v, keys, tk, order, to, hist)
    rank_min = np.empty(n, dtype=np.int64)
    rank_avg = np.empty(n)
    _ranks_from_order(v, order, rank_min, rank_avg)
    return rank_min, rank_avg


@njit(cache=True, parallel=True)
def rank_rows(v):
    """Competition ranks (rank 1 = largest) of every row: float64 (k, n) -> int32 (k, n)."""
    k, n = v.shape
    out = np.empty((k, n), dtype=np.int32)
    n_tasks = min(k, 64)
    for t in prange(n_tasks):
        keys = np.empty(n, dtype=np.int64)
        tk = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        to = np.empty(n, dtype=np.int64)
        hist = np.empty(3 * 256, dtype=np.int64)
        rmin = np.empty(n, dtype=np.int64)
        ravg = np.empty(n)
        for d in range(t * k // n_tasks, (t + 1) * k // n_tasks):
            _radix_order(v[d], keys, tk, order, to, hist)
            _ranks_from_order(v[d], order, rmin, ravg)
            for i in range(n):
                out[d, i] = rmin[i]
    return out


@njit(cache=True)
def block_sums(x, block):
    """Sums over consecutive blocks of ``block`` rows, summed in row order (deterministic).

    float64 (n, ...) flattened to (n, m) -> float64 (ceil(n / block), m).
    """
    n = x.shape[0]
    m = x.size // n if n > 0 else 0
    f = x.reshape(n, m)
    nb = (n + block - 1) // block
    out = np.zeros((nb, m))
    for b in range(nb):
        for d in range(b * block, min(n, (b + 1) * block)):
            for i in range(m):
                out[b, i] += f[d, i]
    return out


@njit(cache=True, parallel=True)
def rank_chunk(
    g1,
    g2,
    form,
    base_cavg,
    base_ss,
    base_min,
    lo,
    inv_width,
    pairs,
    block,
    counts,
    hist,
    vmin,
    vmax,
):
    """Index, ranks and accumulation for one chunk of draws of one year.

    Parameters
    ----------
    g1, g2 : float64 (n_draws, n_regions). Squared distances d_pos^2 and d_neg^2 of every region
        in every draw (``form`` RATIO2 / CLOSENESS), or the index itself in ``g1`` (``LINEAR``;
        ``g2`` unused). ``g1`` is overwritten with the index.
    form : int, RATIO2, CLOSENESS or LINEAR.
    base_cavg : float64 (n_regions,), base average ranks minus (n + 1) / 2.
    base_ss : float64, sum of squares of ``base_cavg``.
    base_min : int64 (n_regions,), base competition ranks.
    lo, inv_width : float64 (n_regions,), histogram origin and 1 / bin width of each region
        (``inv_width`` 0 puts everything in bin 0).
    pairs : int64 (n_pairs, 2), region pairs (a, b) for outrank counts.
    block : int, draws per seeding block (for the float block sums).
    counts : int32 (n_regions, n_regions), rank-position counts, updated in place:
        ``counts[i, r - 1] += 1`` when region i has rank r.
    hist : int32 (n_regions, n_bins), index histograms, updated in place.
    vmin, vmax : float64 (n_regions,), running exact min / max of the index, updated in place.

    Returns
    -------
    index_sums : float64 (n_blocks, n_regions), sum of the index over each block's draws, in
        draw order.
    rho : float64 (n_draws,), Spearman's rho (Pearson on average ranks) against the base ranking;
        NaN when either ranking is constant.
    shift : int64 (n_draws,), sum over regions of |rank - base rank| (competition ranks).
    outranks : int64 (n_pairs,), draws in which region a has a better (smaller) rank than b.

    Notes
    -----
    Index: RATIO2 d_neg^2 / (d_pos^2 + d_neg^2), CLOSENESS d_neg / (d_pos + d_neg) (edge conventions
    of ``distance.index_value``), LINEAR g1. NaN indices (both distances 0) are ranked last and
    tied; they are skipped by the histogram and min / max. Spearman's rho with ties: Pearson
    correlation of average ranks (Kendall & Gibbons 1990, ch. 3); the sums of products of
    half-integers are exact in float64, so rho is independent of summation order.
    """
    n_draws, n = g1.shape
    n_bins = hist.shape[1]
    rank_buf = np.empty((n_draws, n), dtype=np.int32)
    rho = np.empty(n_draws)
    shift = np.empty(n_draws, dtype=np.int64)
    n_tasks = min(n_draws, 256)
    # phase A: per draw (independent rows) index, sort, ranks, rho, shift
    for t in prange(n_tasks):
        keys = np.empty(n, dtype=np.int64)
        tk = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        to = np.empty(n, dtype=np.int64)
        hbuf = np.empty(3 * 256, dtype=np.int64)
        rmin = np.empty(n, dtype=np.int64)
        ravg = np.empty(n)
        for d in range(t * n_draws // n_tasks, (t + 1) * n_draws // n_tasks):
            row = g1[d]
            if form != LINEAR:
                for i in range(n):
                    row[i] = kd.index_value(row[i], g2[d, i], form)
            _radix_order(row, keys, tk, order, to, hbuf)
            _ranks_from_order(row, order, rmin, ravg)
            c = 0.5 * (n + 1)
            sxy = 0.0
            sxx = 0.0
            s = 0
            for i in range(n):
                a = ravg[i] - c
                sxy += a * base_cavg[i]
                sxx += a * a
                rank_buf[d, i] = rmin[i]
                s += abs(rmin[i] - base_min[i])
            shift[d] = s
            if sxx > 0.0 and base_ss > 0.0:
                rho[d] = sxy / math.sqrt(sxx * base_ss)
            else:
                rho[d] = np.nan
    # phase B: per slab of regions (disjoint accumulator rows), all draws
    n_blocks = (n_draws + block - 1) // block
    sums = np.zeros((n_blocks, n))
    slab = 16
    n_slabs = (n + slab - 1) // slab
    for sl in prange(n_slabs):
        i0 = sl * slab
        i1 = min(n, i0 + slab)
        for d in range(n_draws):
            b = d // block
            for i in range(i0, i1):
                counts[i, rank_buf[d, i] - 1] += 1
                x = g1[d, i]
                if x == x:
                    sums[b, i] += x
                    if x < vmin[i]:
                        vmin[i] = x
                    if x > vmax[i]:
                        vmax[i] = x
                    k = np.int64((x - lo[i]) * inv_width[i])
                    if k < 0:
                        k = 0
                    elif k >= n_bins:
                        k = n_bins - 1
                    hist[i, k] += 1
    n_pairs = pairs.shape[0]
    outranks = np.zeros(n_pairs, dtype=np.int64)
    for p in prange(n_pairs):
        a = pairs[p, 0]
        bb = pairs[p, 1]
        c = 0
        for d in range(n_draws):
            if rank_buf[d, a] < rank_buf[d, bb]:
                c += 1
        outranks[p] = c
    return sums, rho, shift, outranks
