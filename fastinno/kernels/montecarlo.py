"""Fused Monte Carlo chunk kernels: index from GEMM output, per-draw ranking, accumulation.

The API layer computes, for one block of a few dozen draws and one year, the matrix products
``g1 = W2 @ A_pos.T`` and ``g2 = W2 @ A_neg.T`` (squared weights against squared deviations from
the ideal / anti-ideal points: the weighted squared distances of every region in every draw, one
BLAS GEMM each), or ``g1 = W @ X.T`` for linear models (weighted sum, grey relational grade).
:func:`rank_block` then turns each row (one draw) into the index and ranks the regions (rank 1 =
best), and :func:`accumulate_codes` folds the ranks and histogram bins into fixed-size
accumulators whose size does not depend on the number of draws.

Ranking: an LSD radix sort on a 22-bit key (the index quantised monotonically on the row's
[min, max]), two stable 11-bit counting passes carrying the region number, then a fix-up pass
that orders runs of equal keys by the exact index value. The ranks are therefore exact (ties =
equal index values, competition ranking "min"). The sort is O(n) per row; blocks of draws run
in parallel on Python threads (the kernel releases the GIL). Measured against numba's
``argsort`` and numpy's SIMD sorts in ``benches/bench_robustness.py``.

Input already validated (float64 / int64, C-contiguous). Kernels trust their input.
"""

from __future__ import annotations

import math
import types

import numpy as np
from numba import njit, prange

from . import distance as kd
from . import normalize as kn
from . import weights as kw

#: Index forms: the two ideal-solution forms of ``distance`` plus a linear score (g1 is the index).
RATIO2 = kd.RATIO2
CLOSENESS = kd.CLOSENESS
LINEAR = 2

_RADIX_BITS = 11
_RADIX = 1 << _RADIX_BITS
_RADIX_MASK = _RADIX - 1
_KEY_BITS = 2 * _RADIX_BITS
_KEY_MAX = (1 << _KEY_BITS) - 1
#: Carry unit of the two-word fixed-point sums (values are below 2^61 in magnitude).
FIXED_BASE = 1 << 62
#: ``codes`` of :func:`rank_block`: rank - 1 in the low 16 bits, the histogram bin above.
RANK_MASK = 0xFFFF
#: Bin code of a NaN index (not counted in the histograms).
NAN_BIN = 0x7FFF
#: Regions per slab of the codes layout (n_slabs, n_draws, SLAB): 16 int32 = one cache line.
SLAB_BITS = 4
SLAB = 1 << SLAB_BITS
SLAB_MASK = SLAB - 1
#: Largest number of regions / histogram bins the 16-bit fields of ``codes`` hold.
MAX_REGIONS = 1 << 16
MAX_BINS = NAN_BIN

__all__ = [
    "RATIO2",
    "CLOSENESS",
    "LINEAR",
    "ranks_of_row",
    "rank_rows",
    "rank_block",
    "accumulate_codes",
    "accumulate_codes_serial",
    "merge_sums",
    "FIXED_BASE",
    "RANK_MASK",
    "NAN_BIN",
    "SLAB",
    "MAX_REGIONS",
    "MAX_BINS",
    "rank_stats",
    "variance_accumulate",
    "hist_quantiles",
    "exact_quantiles",
    "bootstrap_index",
    "region_stats",
    "W_FIXED",
    "W_ENTROPY",
    "W_MAX_DEVIATION",
    "bootstrap_growth",
]


@njit(cache=True, inline="always")
def _same(a, b):
    return a == b or (a != a and b != b)


@njit(cache=True)
def _sort_row(v, vmin, vmax, keys, tmp_keys, order, tmp_order, hist):
    """Order of ``v`` descending (NaN last), exact, into ``order``; sorted keys into ``keys``.

    ``vmin`` / ``vmax``: min / max of the non-NaN values. Keys: the value quantised monotonically
    to 22 bits on [vmin, vmax] (larger value -> smaller key; NaN -> the largest key). Two stable
    11-bit LSD counting passes carry the region number; runs of equal keys are then put in exact
    descending order by insertion sort (values closer than the key resolution; rare and short).
    """
    n = v.shape[0]
    scale = 0.0
    if vmax > vmin:
        scale = (_KEY_MAX - 1) / (vmax - vmin)
    for k in range(2 * _RADIX):
        hist[k] = 0
    for i in range(n):
        x = v[i]
        if x == x:
            q = np.int32((vmax - x) * scale)  # monotone non-increasing in x
            if q > _KEY_MAX - 1:
                q = _KEY_MAX - 1
        else:
            q = _KEY_MAX
        keys[i] = q
        hist[q & _RADIX_MASK] += 1
        hist[_RADIX + (q >> _RADIX_BITS)] += 1
    # prefix sums of both digit histograms
    t0 = 0
    t1 = 0
    for k in range(_RADIX):
        c0 = hist[k]
        hist[k] = t0
        t0 += c0
        c1 = hist[_RADIX + k]
        hist[_RADIX + k] = t1
        t1 += c1
    # pass 1: low digit, (keys, identity) -> (tmp_keys, tmp_order)
    for i in range(n):
        q = keys[i]
        d = q & _RADIX_MASK
        pos = hist[d]
        hist[d] = pos + 1
        tmp_keys[pos] = q
        tmp_order[pos] = i
    # pass 2: high digit, (tmp_keys, tmp_order) -> (keys, order): sorted keys end in ``keys``
    for i in range(n):
        q = tmp_keys[i]
        d = _RADIX + (q >> _RADIX_BITS)
        pos = hist[d]
        hist[d] = pos + 1
        keys[pos] = q
        order[pos] = tmp_order[i]
    # fix-up: runs of equal keys ordered by exact value, descending
    i = 0
    while i < n - 1:
        if keys[i + 1] != keys[i] or keys[i] == _KEY_MAX:
            i += 1
            continue
        j = i + 1
        while j < n and keys[j] == keys[i]:
            j += 1
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
def _minmax(v):
    vmin = np.inf
    vmax = -np.inf
    for i in range(v.shape[0]):
        x = v[i]
        if x < vmin:
            vmin = x
        if x > vmax:
            vmax = x
    return vmin, vmax


@njit(cache=True)
def _scratch(n):
    return (
        np.empty(n, dtype=np.int32),
        np.empty(n, dtype=np.int32),
        np.empty(n, dtype=np.int32),
        np.empty(n, dtype=np.int32),
        np.empty(2 * _RADIX, dtype=np.int32),
    )


@njit(cache=True)
def _ranks_from_order(v, keys, order, rank_min, rank_avg):
    """Competition ("min") ranks and average ranks, rank 1 = largest; NaN ranked last (tied)."""
    n = v.shape[0]
    p = 0
    while p < n:
        i0 = order[p]
        q = p + 1
        while q < n and keys[q] == keys[p] and _same(v[order[q]], v[i0]):
            q += 1
        ravg = 0.5 * (p + q + 1)
        for t in range(p, q):
            rank_min[order[t]] = p + 1
            rank_avg[order[t]] = ravg
        p = q


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
    keys, tk, order, to, hist = _scratch(n)
    vmin, vmax = _minmax(v)
    _sort_row(v, vmin, vmax, keys, tk, order, to, hist)
    rank_min = np.empty(n, dtype=np.int64)
    rank_avg = np.empty(n)
    _ranks_from_order(v, keys, order, rank_min, rank_avg)
    return rank_min, rank_avg


@njit(cache=True, parallel=True)
def rank_rows(v):
    """Competition ranks (rank 1 = largest) of every row: float64 (k, n) -> int32 (k, n)."""
    k, n = v.shape
    out = np.empty((k, n), dtype=np.int32)
    n_tasks = min(k, 64)
    for t in prange(n_tasks):
        keys, tk, order, to, hist = _scratch(n)
        rmin = np.empty(n, dtype=np.int64)
        ravg = np.empty(n)
        for d in range(t * k // n_tasks, (t + 1) * k // n_tasks):
            row = v[d]
            vmin, vmax = _minmax(row)
            _sort_row(row, vmin, vmax, keys, tk, order, to, hist)
            _ranks_from_order(row, keys, order, rmin, ravg)
            for i in range(n):
                out[d, i] = rmin[i]
    return out


@njit(cache=True, nogil=True)
def rank_block(
    g1,
    g2,
    form,
    base_c2,
    base_ss4,
    lo,
    inv_width,
    n_bins,
    sum_scale,
    sum_hi,
    sum_lo,
    vmin,
    vmax,
    codes,
    first,
    rho,
):
    """Index, ranks, agreement and the per-region sums of one block of draws of one year.

    Serial and ``nogil``: the API runs one block per thread (Python threads; each thread owns
    its ``sum_*`` / ``vmin`` / ``vmax`` arrays), on blocks small enough that the two GEMM outputs
    stay in the core's cache between the product and this kernel.

    Parameters
    ----------
    g1, g2 : float64 (n_draws, n_regions). Squared distances d_pos^2 and d_neg^2 of every region
        in every draw (``form`` RATIO2 / CLOSENESS), or the index itself in ``g1`` (``LINEAR``;
        ``g2`` unused). ``g1`` is overwritten with the index.
    form : int, RATIO2, CLOSENESS or LINEAR.
    base_c2 : int64 (n_regions,), twice the base average ranks minus (n + 1): 2 r_avg - (n + 1),
        an integer.
    base_ss4 : int64, sum of squares of ``base_c2``.
    lo, inv_width : float64 (n_regions,), histogram origin and 1 / bin width of each region
        (``inv_width`` 0 puts everything in bin 0).
    n_bins : int, histogram bins (at most ``MAX_BINS``).
    sum_scale : float64 (n_regions,), a power of two with |index| * scale <= 2^61 (from the
        a-priori bounds of the index).
    sum_hi, sum_lo : int64 (n_regions,), the fixed-point sum of the index, updated in place:
        sum = (sum_hi * FIXED_BASE + sum_lo) / sum_scale with 0 <= sum_lo < FIXED_BASE; exact
        integers (order-free, so any blocking, thread count or backend gives the same bits).
    vmin, vmax : float64 (n_regions,), running exact min / max of the index, updated in place.
    codes : int32 (n_slabs, n_chunk, SLAB), output for the chunk's draws ``first ..
        first + n_draws``: ``codes[i // SLAB, first + d, i % SLAB] = (bin << 16) | (rank - 1)`` of
        region i in draw d (competition rank; ``bin`` = ``NAN_BIN`` for a NaN index), the input of
        :func:`accumulate_codes`. Slab-major, so that the accumulation reads each slab of regions
        as one contiguous stream.
    first : int, the block's first row in ``codes``.
    rho : float64 (n_draws,), output: Spearman's rho (Pearson on average ranks) against the base
        ranking; NaN when either ranking is constant.

    Notes
    -----
    Index: RATIO2 d_neg^2 / (d_pos^2 + d_neg^2), CLOSENESS d_neg / (d_pos + d_neg) (edge
    conventions of ``distance.index_value``), LINEAR g1. NaN indices (both distances 0) are ranked
    last and tied; they are skipped by the sums, the histogram and min / max. Spearman's rho with
    ties: Pearson correlation of average ranks (Kendall & Gibbons 1990, ch. 3). Doubled centred
    average ranks are integers, so the cross and square sums are exact int64 sums (no
    floating-point chain, independent of order): rho = S_xy / sqrt(S_xx S_yy). The walk over the
    sorted order only scatters each region's rank position and tie term; the codes and S_xy are
    then one sequential pass over the regions (no gathers: measured 15 % faster). The fixed-point
    carry is branch-free: ``c = v >> 62`` (arithmetic shift) moves whole units of 2^62 from the
    low word to the high word and leaves the low word in [0, 2^62).
    """
    n_draws, n = g1.shape
    keys, tk, order, to, hbuf = _scratch(n)
    bins = np.empty(n, dtype=np.int32)
    pos = np.empty(n, dtype=np.int64)  # per region: a2 * 2^16 + (rank - 1)
    for d in range(n_draws):
        row = g1[d]
        lo_v = np.inf
        hi_v = -np.inf
        for i in range(n):
            x = row[i]
            if form != LINEAR:
                x = kd.index_value(x, g2[d, i], form)
                row[i] = x
            if x < lo_v:  # NaN compares false: skipped
                lo_v = x
            if x > hi_v:
                hi_v = x
        # per-region accumulators in a second loop without a reduction across regions, written
        # with selects instead of branches so that it can be vectorised (measured 8-10 % faster)
        for i in range(n):
            x = row[i]
            ok = x == x
            # fixed-point sum: x * scale is exact (power of two), truncation deterministic
            v = sum_lo[i] + np.int64(x * sum_scale[i] if ok else 0.0)
            c = v >> 62
            sum_hi[i] += c
            sum_lo[i] = v - (c << 62)
            vmin[i] = x if x < vmin[i] else vmin[i]
            vmax[i] = x if x > vmax[i] else vmax[i]
            u = min(max((x - lo[i]) * inv_width[i] if ok else 0.0, 0.0), n_bins - 1.0)
            bins[i] = np.int32(np.int64(u) << 16) if ok else np.int32(NAN_BIN << 16)
        _sort_row(row, lo_v, hi_v, keys, tk, order, to, hbuf)
        sxx = 0
        p = 0
        while p < n:
            i0 = order[p]
            q = p + 1
            while q < n and keys[q] == keys[p] and _same(row[order[q]], row[i0]):
                q += 1
            a2 = p + q - n  # 2 * (average rank of the tie group) - (n + 1), an integer
            sxx += (q - p) * a2 * a2
            packed = (np.int64(a2) << 16) | p  # p < 2^16; a2 recovered by an arithmetic shift
            for k in range(p, q):
                pos[order[k]] = packed
            p = q
        sxy = 0
        dc = first + d
        for i in range(n):
            pk = pos[i]
            codes[i >> SLAB_BITS, dc, i & SLAB_MASK] = bins[i] | np.int32(pk & RANK_MASK)
            sxy += (pk >> 16) * base_c2[i]
        if sxx > 0 and base_ss4 > 0:
            rho[d] = sxy / math.sqrt(float(sxx) * float(base_ss4))
        else:
            rho[d] = np.nan


@njit(cache=True, parallel=True)
def accumulate_codes(codes, n_draws, counts, hist, rank_lo, rank_hi, pairs):
    """Fold one chunk's codes (from :func:`rank_block`) into the rank counts and index histograms.

    Parameters
    ----------
    codes : int32 (n_slabs, n_chunk, SLAB), ``(bin << 16) | (rank - 1)`` of region
        ``slab * SLAB + lane`` in each draw (rows ``n_draws ..`` unused).
    n_draws : int, draws (rows) of the chunk.
    counts : int32 (n_regions, n_regions), updated: ``counts[i, r - 1] += 1`` when region i has
        rank r.
    hist : int32 (n_regions, n_bins), updated: index histograms (``NAN_BIN`` skipped).
    rank_lo, rank_hi : int32 (n_regions,), updated: the smallest / largest rank - 1 seen (so that
        the statistics read only that window of ``counts``).
    pairs : int64 (n_pairs, 2), region pairs (a, b).

    Returns
    -------
    outranks : int64 (n_pairs,), draws in which region a has a better (smaller) rank than b.

    Notes
    -----
    Parallel over slabs of ``SLAB`` regions (disjoint rows of ``counts`` and ``hist``: no shared
    writes), draws in order inside a slab: the slab's codes are one contiguous stream and its rows
    of both accumulators stay in cache. Integer counts: the result does not depend on the order.
    """
    n = counts.shape[0]
    n_slabs = codes.shape[0]
    for sl in prange(n_slabs):
        i0 = sl * SLAB
        w = min(n, i0 + SLAB) - i0
        cs = codes[sl]
        r_lo = np.empty(SLAB, dtype=np.int32)
        r_hi = np.empty(SLAB, dtype=np.int32)
        for k in range(w):
            r_lo[k] = rank_lo[i0 + k]
            r_hi[k] = rank_hi[i0 + k]
        for d in range(n_draws):
            cd = cs[d]
            for k in range(w):
                c = cd[k]
                i = i0 + k
                r = c & RANK_MASK
                counts[i, r] += 1
                r_lo[k] = min(r_lo[k], r)
                r_hi[k] = max(r_hi[k], r)
                b = c >> 16
                if b != NAN_BIN:
                    hist[i, b] += 1
        for k in range(w):
            rank_lo[i0 + k] = r_lo[k]
            rank_hi[i0 + k] = r_hi[k]
    n_pairs = pairs.shape[0]
    outranks = np.zeros(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        a = pairs[p, 0]
        bb = pairs[p, 1]
        cnt = 0
        for d in range(n_draws):
            ra = codes[a >> SLAB_BITS, d, a & SLAB_MASK] & RANK_MASK
            rb = codes[bb >> SLAB_BITS, d, bb & SLAB_MASK] & RANK_MASK
            if ra < rb:
                cnt += 1
        outranks[p] = cnt
    return outranks


#: The same kernel compiled without threads: for small chunks the cost of waking threads (large
#: on a loaded machine) exceeds the work. Identical results (integer counts).
def _renamed(fn, name):
    # a copy of a Python function under another qualified name, so that numba's on-disk cache
    # keeps the serial and the parallel compilations apart
    g = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    g.__qualname__ = name
    return g


accumulate_codes_serial = njit(cache=True)(_renamed(accumulate_codes.py_func, "accumulate_codes_serial"))


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
def variance_accumulate(codes, n_draws, levels, n_levels, s_k, q_k, t_f, w1):
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
    """
    n_combos = codes.shape[0]
    n = s_k.shape[1]
    n_factors = levels.shape[1]
    for i in prange(n):
        for d in range(n_draws):
            tot = 0
            for k in range(n_combos):
                r = np.int64(codes[k, i >> SLAB_BITS, d, i & SLAB_MASK] & RANK_MASK) + 1
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
                        r = np.int64(codes[k + a * stride, i >> SLAB_BITS, d, i & SLAB_MASK] & RANK_MASK) + 1
                        s1 += r
                        s2 += r * r
                    t_f[f, i] += lf * s2 - s1 * s1
                stride *= lf


@njit(cache=True, inline="always")
def _lerp(a, b, t):
    # numpy's quantile interpolation, operation for operation (results match np.quantile)
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@njit(cache=True, parallel=True)
def rank_stats(counts, n, qs, top_k, base_rank, rank_lo, rank_hi):
    """Mean, quantiles, top-k shares and absolute shifts of ranks from rank-position counts, exactly.

    Parameters
    ----------
    counts : int32 (n_rows, n_ranks), ``counts[i, r - 1]`` = draws with rank r; each row sums
        to ``n``.
    n : int, number of draws.
    qs : float64 (n_q,), probabilities; numpy's default ("linear") quantile definition.
    top_k : int64 (n_k,)
    base_rank : int64 (n_rows,), the base rank of each row (for the shifts).
    rank_lo, rank_hi : int32 (n_rows,), the window of ``counts`` holding every non-zero count
        (rank - 1, inclusive): only it is read (untouched parts of a large counts matrix are then
        not even paged in).

    Returns
    -------
    mean : float64 (n_rows,); quant : float64 (n_rows, n_q); top : float64 (n_rows, n_k)
        (share of draws with rank <= k); shift : int64 (n_rows,), sum over draws of
        |rank - base rank| (the same as summing it draw by draw).

    Notes
    -----
    One pass over each row's window, skipping empty rank positions; the quantile's two order statistics
    are the first ranks whose cumulative count exceeds floor(h) and floor(h) + 1,
    h = (n - 1) q, then numpy's linear interpolation.
    """
    n_rows, n_ranks = counts.shape
    n_q = qs.shape[0]
    n_k = top_k.shape[0]
    # the order statistics the quantiles need (0-based positions), walked in increasing order
    want = np.empty(2 * n_q, dtype=np.int64)
    frac = np.empty(n_q)
    for qi in range(n_q):
        h = (n - 1) * qs[qi]
        want[2 * qi] = np.int64(math.floor(h))
        frac[qi] = h - want[2 * qi]
        want[2 * qi + 1] = min(want[2 * qi] + 1, n - 1)
    walk = np.argsort(want)
    mean = np.empty(n_rows)
    quant = np.empty((n_rows, n_q))
    top = np.empty((n_rows, n_k))
    shift = np.empty(n_rows, dtype=np.int64)
    n_tasks = min(n_rows, 256)  # scratch per task, not per row (allocations cost more than a row)
    for t in prange(n_tasks):
        found = np.empty(2 * n_q, dtype=np.int64)
        for i in range(t * n_rows // n_tasks, (t + 1) * n_rows // n_tasks):
            row = counts[i]
            r0 = max(0, rank_lo[i])
            r1 = min(n_ranks, rank_hi[i] + 1)
            base = base_rank[i]
            s = 0
            sh = 0
            for r in range(r0, r1):
                c = np.int64(row[r])
                s += (r + 1) * c
                sh += c * abs(r + 1 - base)
            mean[i] = s / n
            shift[i] = sh
            for k in range(n_k):
                c = 0
                for r in range(r0, min(r1, top_k[k])):
                    c += row[r]
                top[i, k] = c / n
            # rank of order statistic m: the first rank whose cumulative count exceeds m
            j = 0
            cum = 0
            for r in range(r0, r1):
                cum += row[r]
                while j < 2 * n_q and cum > want[walk[j]]:
                    found[walk[j]] = r + 1
                    j += 1
                if j == 2 * n_q:
                    break
            for qi in range(n_q):
                quant[i, qi] = _lerp(float(found[2 * qi]), float(found[2 * qi + 1]), frac[qi])
    return mean, quant, top, shift


@njit(cache=True, parallel=True)
def hist_quantiles(hist, lo, width, vmin, vmax, qs, bin_lo, bin_hi):
    """Quantiles from fixed histograms, within one bin width of numpy's linear quantile.

    Parameters
    ----------
    hist : int32 or int64 (n_rows, n_bins); bin k covers [lo + k width, lo + (k + 1) width).
    lo, width : float64 (n_rows,)
    vmin, vmax : float64 (n_rows,), exact min / max of the values (results are clamped to them).
    qs : float64 (n_q,)
    bin_lo, bin_hi : int64 (n_rows,), the window of bins holding every non-zero count
        (inclusive; only it is read).

    Returns
    -------
    quant : float64 (n_rows, n_q), NaN for empty rows.
    total : int64 (n_rows,), the number of values counted in each row.

    Notes
    -----
    The k-th order statistic is placed at ``lo + (b + (k - before + 0.5) / count_b) width`` in
    its bin b (values spread evenly inside the bin), then numpy's linear interpolation between
    order statistics. Both order statistics lie in their bins, so the error is below one bin.
    Two passes per row: the total, then every wanted order statistic in one walk.
    """
    n_rows, n_bins = hist.shape
    n_q = qs.shape[0]
    out = np.empty((n_rows, n_q))
    total = np.zeros(n_rows, dtype=np.int64)
    n_tasks = min(n_rows, 256)  # scratch per task, not per row
    for t in prange(n_tasks):
        ks = np.empty(2 * n_q, dtype=np.int64)
        frac = np.empty(n_q)
        vals = np.empty(2 * n_q)
        walk = np.empty(2 * n_q, dtype=np.int64)
        for i in range(t * n_rows // n_tasks, (t + 1) * n_rows // n_tasks):
            row = hist[i]
            b0 = max(0, bin_lo[i])
            b1 = min(n_bins, bin_hi[i] + 1)
            n = 0
            for k in range(b0, b1):
                n += np.int64(row[k])
            total[i] = n
            if n == 0:
                for qi in range(n_q):
                    out[i, qi] = np.nan
                continue
            for qi in range(n_q):
                h = (n - 1) * qs[qi]
                ks[2 * qi] = np.int64(math.floor(h))
                frac[qi] = h - ks[2 * qi]
                ks[2 * qi + 1] = min(ks[2 * qi] + 1, n - 1)
            for m in range(2 * n_q):  # targets in increasing order (insertion sort, a handful)
                walk[m] = m
                p = m
                while p > 0 and ks[walk[p - 1]] > ks[walk[p]]:
                    walk[p - 1], walk[p] = walk[p], walk[p - 1]
                    p -= 1
            j = 0
            cum = 0
            for b in range(b0, b1):
                c = np.int64(row[b])
                # order statistics in this bin: cum <= k < cum + c
                while j < 2 * n_q and ks[walk[j]] < cum + c:
                    kk = ks[walk[j]]
                    vals[walk[j]] = lo[i] + (b + (kk - cum + 0.5) / c) * width[i]
                    j += 1
                cum += c
                if j == 2 * n_q:
                    break
            for qi in range(n_q):
                v = _lerp(vals[2 * qi], vals[2 * qi + 1], frac[qi])
                if v < vmin[i]:
                    v = vmin[i]
                if v > vmax[i]:
                    v = vmax[i]
                out[i, qi] = v
    return out, total


@njit(cache=True)
def _order_statistics(a, positions):
    """Put the order statistics at ``positions`` of ``a`` in place: afterwards ``a[p]`` is the
    p-th smallest value for every p in ``positions`` (other entries are left in any order).

    Bucket selection: the values are bucketed monotonically on [min, max] (about four per bucket),
    a prefix sum over the bucket counts finds the bucket holding each wanted rank, and only those
    buckets' values are gathered and sorted. Two passes over ``a`` plus small sorts; a bucket
    holds exactly the ranks [start, start + count) because the bucket map is monotone (equal
    values share a bucket), so the result is exact for any distribution (a crowded bucket only
    costs a larger sort).
    """
    m = a.shape[0]
    mn = a[0]
    mx = a[0]
    for x in a:
        if x < mn:
            mn = x
        if x > mx:
            mx = x
    if mn == mx:
        return  # every order statistic is mn
    n_b = min(4096, max(1, m // 4))
    scale = n_b / (mx - mn)
    if not math.isfinite(scale):
        a.sort()  # range too small or too large to bucket: sort the whole cell
        return
    cnt = np.zeros(n_b + 1, dtype=np.int64)
    for x in a:
        bk = min(np.int64((x - mn) * scale), n_b - 1)
        cnt[bk] += 1
    # start rank of every bucket
    start = np.empty(n_b + 1, dtype=np.int64)
    t = 0
    for bk in range(n_b):
        start[bk] = t
        t += cnt[bk]
    start[n_b] = t
    # buckets holding a wanted rank, and where their values go in a compact buffer
    slot = np.full(n_b, -1, dtype=np.int64)
    n_want = 0
    for p in positions:
        lo = 0
        hi = n_b  # largest bucket with start <= p
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if start[mid] <= p:
                lo = mid
            else:
                hi = mid
        if slot[lo] < 0:
            slot[lo] = n_want
            n_want += cnt[lo]
    got = np.empty(n_want)
    fill = np.zeros(n_b, dtype=np.int64)
    for bk in range(n_b):
        if slot[bk] >= 0:
            fill[bk] = slot[bk]
    for x in a:
        bk = min(np.int64((x - mn) * scale), n_b - 1)
        if slot[bk] >= 0:
            got[fill[bk]] = x
            fill[bk] += 1
    for bk in range(n_b):
        if slot[bk] >= 0:
            g = got[slot[bk] : slot[bk] + cnt[bk]]
            g.sort()
            for r in range(cnt[bk]):
                a[start[bk] + r] = g[r]


@njit(cache=True, parallel=True)
def exact_quantiles(values, qs):
    """Exact quantiles of every (year, region) cell of a stored draw matrix, NaN skipped.

    Parameters
    ----------
    values : float64 (n_years, n_values, n_regions), every draw's index (input already
        validated, C-contiguous).
    qs : float64 (n_q,), probabilities in [0, 1].

    Returns
    -------
    quant : float64 (n_years, n_regions, n_q), NaN for cells without a non-NaN value.

    Notes
    -----
    numpy's default ``np.quantile(..., method="linear")`` (Hyndman & Fan 1996, type 7; DOI
    10.1080/00031305.1996.10473566) of the m non-NaN values, operation for operation: with the
    sorted values x_0 <= ... <= x_(m-1), h = (m - 1) p, j = floor(h), g = h - j, the quantile is
    numpy's lerp of x_j and x_min(j+1, m-1) with weight g. The same definition
    :func:`hist_quantiles` approximates (and :func:`rank_stats` computes for ranks). The two order
    statistics come from :func:`_order_statistics` (bucket selection: two passes per cell, no full
    sort); cells run in
    parallel in groups of 8 regions, so that each draw contributes one 64-byte line of
    ``values``.
    """
    n_years, n_values, n_regions = values.shape
    n_q = qs.shape[0]
    out = np.empty((n_years, n_regions, n_q))
    group = 8
    n_groups = (n_regions + group - 1) // group
    for t in prange(n_years * n_groups):
        y = t // n_groups
        i0 = (t % n_groups) * group
        w = min(n_regions, i0 + group) - i0
        buf = np.empty((group, n_values))
        cnt = np.zeros(group, dtype=np.int64)
        for d in range(n_values):
            for k in range(w):
                x = values[y, d, i0 + k]
                if x == x:
                    buf[k, cnt[k]] = x
                    cnt[k] += 1
        pos = np.empty(2 * n_q, dtype=np.int64)
        for k in range(w):
            m = cnt[k]
            i = i0 + k
            if m == 0:
                for qi in range(n_q):
                    out[y, i, qi] = np.nan
                continue
            a = buf[k, :m]
            n_pos = 0
            for qi in range(n_q):
                j = np.int64(math.floor((m - 1) * qs[qi]))
                pos[n_pos] = j
                pos[n_pos + 1] = min(j + 1, m - 1)
                n_pos += 2
            _order_statistics(a, pos[:n_pos])
            for qi in range(n_q):
                h = (m - 1) * qs[qi]
                j = np.int64(math.floor(h))
                g = h - j
                j1 = min(j + 1, m - 1)
                out[y, i, qi] = _lerp(a[j], a[j1], g)
    return out


# ----------------------------------------------------------------------------------------------
# bootstrap: re-estimate the ideal-solution model on a resample, score every original cell
# ----------------------------------------------------------------------------------------------

#: Weight modes of :func:`bootstrap_index`.
W_FIXED = 0
W_ENTROPY = 1
W_MAX_DEVIATION = 2


@njit(cache=True)
def _sample_stats(cube, scope, method, mr, my, mn, mx, loc, scale, cnt):
    # min / max over sampled cells (multiplicity irrelevant), weighted sums for vector / z-score
    n_regions, n_years, n_ind = cube.shape
    n_cells = mn.shape[0]
    for k in range(n_cells):
        for j in range(n_ind):
            mn[k, j] = np.inf
            mx[k, j] = -np.inf
            loc[k, j] = 0.0
            scale[k, j] = 0.0
        cnt[k] = 0.0
    for r in range(n_regions):
        if mr[r] == 0:
            continue
        for y in range(n_years):
            m = mr[r] * my[y]
            if m == 0:
                continue
            k = kn._cell(r, y, scope)
            cnt[k] += m
            for j in range(n_ind):
                c = cube[r, y, j]
                if c < mn[k, j]:
                    mn[k, j] = c
                if c > mx[k, j]:
                    mx[k, j] = c
                if method == kn.VECTOR:
                    scale[k, j] += m * c * c
                elif method == kn.ZSCORE:
                    loc[k, j] += m * c
    if method == kn.VECTOR:
        for k in range(n_cells):
            for j in range(n_ind):
                scale[k, j] = math.sqrt(scale[k, j])
    elif method == kn.ZSCORE:
        for k in range(n_cells):
            for j in range(n_ind):
                loc[k, j] = loc[k, j] / cnt[k] if cnt[k] > 0 else 0.0
        for r in range(n_regions):
            if mr[r] == 0:
                continue
            for y in range(n_years):
                m = mr[r] * my[y]
                if m == 0:
                    continue
                k = kn._cell(r, y, scope)
                for j in range(n_ind):
                    d = cube[r, y, j] - loc[k, j]
                    scale[k, j] += m * d * d
        for k in range(n_cells):
            for j in range(n_ind):
                scale[k, j] = math.sqrt(scale[k, j] / cnt[k]) if cnt[k] > 0 else 1.0
    else:
        for k in range(n_cells):
            for j in range(n_ind):
                scale[k, j] = 1.0


@njit(cache=True)
def region_stats(cube, u, ulogu):
    """Per-region statistics over the years: (n_regions, 5, n_indicators).

    Rows: min, max and sum of squares of ``cube``; sums of ``u`` and of ``ulogu`` (the
    max-ratio entropy sums, see :func:`bootstrap_index`; pass ``u`` = ``ulogu`` = ``cube`` when
    not needed).
    """
    n_regions, n_years, n_ind = cube.shape
    out = np.empty((n_regions, 5, n_ind))
    for r in range(n_regions):
        for j in range(n_ind):
            out[r, 0, j] = np.inf
            out[r, 1, j] = -np.inf
            out[r, 2, j] = 0.0
            out[r, 3, j] = 0.0
            out[r, 4, j] = 0.0
        for y in range(n_years):
            for j in range(n_ind):
                c = cube[r, y, j]
                out[r, 0, j] = min(out[r, 0, j], c)
                out[r, 1, j] = max(out[r, 1, j], c)
                out[r, 2, j] += c * c
                out[r, 3, j] += u[r, y, j]
                out[r, 4, j] += ulogu[r, y, j]
    return out


@njit(cache=True, inline="always")
def _all_one(m):
    for i in range(m.shape[0]):
        if m[i] != 1:
            return False
    return True


@njit(cache=True)
def _sample_stats_regions(rs, method, n_years, mr, mn, mx, loc, scale, cnt):
    # panel scope, every year once: min / max (and the vector norm) from per-region statistics
    n_regions = rs.shape[0]
    n_ind = rs.shape[2]
    for j in range(n_ind):
        mn[0, j] = np.inf
        mx[0, j] = -np.inf
        loc[0, j] = 0.0
        scale[0, j] = 0.0
    cnt[0] = 0.0
    for r in range(n_regions):
        m = mr[r]
        if m == 0:
            continue
        cnt[0] += m * n_years
        for j in range(n_ind):
            mn[0, j] = min(mn[0, j], rs[r, 0, j])
            mx[0, j] = max(mx[0, j], rs[r, 1, j])
            if method == kn.VECTOR:
                scale[0, j] += m * rs[r, 2, j]
    for j in range(n_ind):
        scale[0, j] = math.sqrt(scale[0, j]) if method == kn.VECTOR else 1.0


@njit(cache=True, inline="always")
def _std(c, cost, method, mn, mx, loc, scale):
    if not (mn < mx):  # constant (or unsampled) cell: contributes nothing
        return 0.0
    return kn._standardize_value(c, cost, method, mn, mx, loc, scale)


@njit(cache=True)
def _entropy_from_sums(x_sum, xlogx_sum, n_total, w):
    # sum f ln f = (1/X) sum x ln x - ln X, f = x / X; h = -(1/ln n) sum f ln f; w = (1-h)/sum(1-h)
    n_ind = w.shape[0]
    k = 1.0 / math.log(n_total)
    total = 0.0
    for j in range(n_ind):
        X = x_sum[j]
        if X > 0.0:
            h = -k * (xlogx_sum[j] / X - math.log(X))
        else:
            h = 1.0
        v = 1.0 - h
        w[j] = v if v > 0.0 else 0.0
        total += w[j]
    if total > 0.0:
        for j in range(n_ind):
            w[j] /= total
    else:
        for j in range(n_ind):
            w[j] = 1.0 / n_ind


@njit(cache=True, parallel=True)
def bootstrap_index(cube, is_cost, method, scope, form, mult_r, mult_y, wmode, fixed_w, u, cplogc, region_stats):
    """Ideal-solution index of every original cell under models estimated on resamples.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), raw values (validated; > 0 for max-ratio).
    is_cost : bool (n_indicators,)
    method, scope : ``normalize`` constants; form : RATIO2 or CLOSENESS.
    mult_r : int64 (n_rep, n_regions), multiplicity of each region in each resample.
    mult_y : int64 (n_rep, n_years), multiplicity of each year in each resample.
    wmode : W_FIXED (``fixed_w``), W_ENTROPY or W_MAX_DEVIATION (pooled over the resample's
        standardized cells, with multiplicity).
    fixed_w : float64 (n_indicators,)
    u, cplogc : float64 cubes: u = 1 / c for max-ratio cost indicators and c otherwise (the
        standardization is affine in u), and u ln u (the max-ratio entropy shortcut; any array
        otherwise).
    region_stats : float64 (n_regions, 5, n_indicators) per-region statistics over the years
        (from :func:`region_stats`), used for panel-scope region bootstraps; an empty
        (0, 5, n_indicators) array disables the shortcut.

    Returns
    -------
    index : float64 (n_years, n_rep, n_regions)
    weights : float64 (n_rep, n_indicators)

    Notes
    -----
    For each resample: scope statistics (min, max, norm, mean, sd) over the sampled cells,
    standardization of every original cell with them (ideal / anti-ideal = the standardized
    sample max / min, as ``normalize._ideal_pair``), objective weights on the resample, then
    d_pos^2 = sum w^2 (x - ideal)^2 etc. and the index form. Max-ratio entropy without logarithms
    of the data: with x = c' / M_k in scope cell k, sum x = sum_k S1_k / M_k and sum x ln x =
    sum_k (S2_k - ln M_k S1_k) / M_k, where S1, S2 are multiplicity-weighted sums of c' and
    c' ln c' (precomputed).
    """
    n_regions, n_years, n_ind = cube.shape
    n_rep = mult_r.shape[0]
    n_cells = kn.n_scope_cells(n_regions, n_years, scope)
    out = np.empty((n_years, n_rep, n_regions))
    wout = np.empty((n_rep, n_ind))
    for b in prange(n_rep):
        mr = mult_r[b]
        my = mult_y[b]
        mn = np.empty((n_cells, n_ind))
        mx = np.empty((n_cells, n_ind))
        loc = np.empty((n_cells, n_ind))
        scale = np.empty((n_cells, n_ind))
        cnt = np.empty(n_cells)
        # a scope cell's statistics come from its own cells in the resample; when the resampled
        # axis is the scope's own axis (region bootstrap, region scope) the cell keeps all its data
        er = mr
        ey = my
        if scope == kn.SCOPE_REGION:
            er = np.ones(n_regions, dtype=np.int64)
        elif scope == kn.SCOPE_YEAR:
            ey = np.ones(n_years, dtype=np.int64)
        fast = region_stats.shape[0] == n_regions and scope == kn.SCOPE_PANEL and _all_one(my)
        if fast and method != kn.ZSCORE:
            _sample_stats_regions(region_stats, method, n_years, mr, mn, mx, loc, scale, cnt)
        else:
            _sample_stats(cube, scope, method, er, ey, mn, mx, loc, scale, cnt)
        w = np.empty(n_ind)
        if wmode == W_FIXED:
            for j in range(n_ind):
                w[j] = fixed_w[j]
        elif wmode == W_ENTROPY:
            n_total = 0.0
            for r in range(n_regions):
                for y in range(n_years):
                    n_total += mr[r] * my[y]
            xs = np.zeros(n_ind)
            xl = np.zeros(n_ind)
            if method == kn.MAX_RATIO:
                s1 = np.zeros((n_cells, n_ind))
                s2 = np.zeros((n_cells, n_ind))
                for r in range(n_regions):
                    if mr[r] == 0:
                        continue
                    if fast:  # panel scope, all years once: per-region sums over the years
                        for j in range(n_ind):
                            s1[0, j] += mr[r] * region_stats[r, 3, j]
                            s2[0, j] += mr[r] * region_stats[r, 4, j]
                        continue
                    for y in range(n_years):
                        m = mr[r] * my[y]
                        if m == 0:
                            continue
                        k = kn._cell(r, y, scope)
                        for j in range(n_ind):
                            s1[k, j] += m * u[r, y, j]
                            s2[k, j] += m * cplogc[r, y, j]
                for k in range(n_cells):
                    for j in range(n_ind):
                        if not (mn[k, j] < mx[k, j]):
                            continue  # constant cell: standardized 0, contributes nothing
                        big_m = 1.0 / mn[k, j] if is_cost[j] else mx[k, j]
                        xs[j] += s1[k, j] / big_m
                        xl[j] += (s2[k, j] - math.log(big_m) * s1[k, j]) / big_m
            else:
                for r in range(n_regions):
                    if mr[r] == 0:
                        continue
                    for y in range(n_years):
                        m = mr[r] * my[y]
                        if m == 0:
                            continue
                        k = kn._cell(r, y, scope)
                        for j in range(n_ind):
                            x = _std(cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                            if x > 0.0:
                                xs[j] += m * x
                                xl[j] += m * x * math.log(x)
            _entropy_from_sums(xs, xl, n_total, w)
        else:
            n_total = 0
            for r in range(n_regions):
                for y in range(n_years):
                    n_total += mr[r] * my[y]
            v = np.empty((n_total, n_ind))
            i = 0
            for r in range(n_regions):
                if mr[r] == 0:
                    continue
                for y in range(n_years):
                    m = mr[r] * my[y]
                    if m == 0:
                        continue
                    k = kn._cell(r, y, scope)
                    for _ in range(m):
                        for j in range(n_ind):
                            v[i, j] = _std(cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                        i += 1
            wd = kw.max_deviation_weights(v)
            for j in range(n_ind):
                w[j] = wd[j]
        for j in range(n_ind):
            wout[b, j] = w[j]
        # ideal points of the resample; the standardization of scope cell k is affine in
        # u = c (or 1 / c for max-ratio cost indicators): x = a u + b, so every original cell
        # costs multiply-adds only: d_pos^2 = sum_j w_j^2 (a u + b - ideal)^2
        ca = np.zeros((n_cells, n_ind))
        cb_pos = np.zeros((n_cells, n_ind))
        cb_neg = np.zeros((n_cells, n_ind))
        for k in range(n_cells):
            for j in range(n_ind):
                lo_ = mn[k, j]
                hi_ = mx[k, j]
                if not (lo_ < hi_):
                    continue  # constant cell: x = 0 = ideal = anti-ideal
                cost = is_cost[j]
                ideal, anti = kn._ideal_pair(cost, method, lo_, hi_, loc[k, j], scale[k, j])
                if method == kn.MAX_RATIO:
                    aa = lo_ if cost else 1.0 / hi_
                    bb = 0.0
                elif method == kn.MINMAX:
                    aa = (-1.0 if cost else 1.0) / (hi_ - lo_)
                    bb = hi_ / (hi_ - lo_) if cost else -lo_ / (hi_ - lo_)
                elif method == kn.VECTOR:
                    aa = (-1.0 if cost else 1.0) / scale[k, j]
                    bb = 1.0 if cost else 0.0
                else:
                    aa = (-1.0 if cost else 1.0) / scale[k, j]
                    bb = (loc[k, j] if cost else -loc[k, j]) / scale[k, j]
                ca[k, j] = aa
                cb_pos[k, j] = bb - ideal
                cb_neg[k, j] = bb - anti
        w2 = np.empty(n_ind)
        for j in range(n_ind):
            w2[j] = w[j] * w[j]
        j4 = n_ind - n_ind % 4
        for r in range(n_regions):
            for y in range(n_years):
                k = kn._cell(r, y, scope)
                # four partial sums (fixed order): the additions are not one long latency chain
                p0 = p1 = p2 = p3 = 0.0
                q0 = q1 = q2 = q3 = 0.0
                for j in range(0, j4, 4):
                    t0 = ca[k, j] * u[r, y, j]
                    t1 = ca[k, j + 1] * u[r, y, j + 1]
                    t2 = ca[k, j + 2] * u[r, y, j + 2]
                    t3 = ca[k, j + 3] * u[r, y, j + 3]
                    e0 = t0 + cb_pos[k, j]
                    e1 = t1 + cb_pos[k, j + 1]
                    e2 = t2 + cb_pos[k, j + 2]
                    e3 = t3 + cb_pos[k, j + 3]
                    p0 += w2[j] * (e0 * e0)
                    p1 += w2[j + 1] * (e1 * e1)
                    p2 += w2[j + 2] * (e2 * e2)
                    p3 += w2[j + 3] * (e3 * e3)
                    f0 = t0 + cb_neg[k, j]
                    f1 = t1 + cb_neg[k, j + 1]
                    f2 = t2 + cb_neg[k, j + 2]
                    f3 = t3 + cb_neg[k, j + 3]
                    q0 += w2[j] * (f0 * f0)
                    q1 += w2[j + 1] * (f1 * f1)
                    q2 += w2[j + 2] * (f2 * f2)
                    q3 += w2[j + 3] * (f3 * f3)
                for j in range(j4, n_ind):
                    t0 = ca[k, j] * u[r, y, j]
                    e0 = t0 + cb_pos[k, j]
                    f0 = t0 + cb_neg[k, j]
                    p0 += w2[j] * (e0 * e0)
                    q0 += w2[j] * (f0 * f0)
                out[y, b, r] = kd.index_value((p0 + p1) + (p2 + p3), (q0 + q1) + (q2 + q3), form)
    return out, wout


@njit(cache=True)
def bootstrap_growth(index, years, terms):
    """Average annual growth of every region in every replicate from resampled growth terms.

    Parameters
    ----------
    index : float64 (n_years, n_rep, n_regions), the replicates' index of every original year
        (as returned by :func:`bootstrap_index`).
    years : float64 (n_years,), strictly increasing year values (gaps allowed), n_years >= 2.
    terms : int64 (n_rep, n_terms), the resampled growth terms of each replicate: term ``i`` is
        the interval from year ``i`` to year ``i + 1`` (0 <= i < n_years - 1), e.g. a moving-block
        resample from ``resample.block_bootstrap_indices(n_years - 1, ...)``. Input already
        validated.

    Returns
    -------
    growth : float64 (n_rep, n_regions, 2), ``[..., 0]`` = cagr, ``[..., 1]`` = mean_yoy.

    Notes
    -----
    Term i of region r in replicate b has the ratio q_i = F_b(t_i + 1) / F_b(t_i), the year gap
    dt_i and the annualised rate g_i = q_i^(1 / dt_i) - 1 (``distance.growth_rates``' y-o-y rate;
    g_i = q_i - 1 when dt_i = 1). Over the resampled terms i* with span S = sum dt_i*:
    cagr = (prod q_i*)^(1 / S) - 1, the dt-weighted geometric mean of (1 + g_i*) minus 1, and
    mean_yoy = sum dt_i* g_i* / S, the dt-weighted arithmetic mean (each calendar year counted
    once, as ``growth_rates``). Without gaps these are the plain geometric and arithmetic means,
    and the identity resample gives ``growth_rates``' values up to rounding (the ratios telescope).
    A term with F_b(t_i) <= 0 or F_b(t_i + 1) < 0 (or NaN) makes both values NaN. Products and
    sums run over the terms in resample order. Sources: Kuensch (1989) Ann. Statist. 17,
    1217-1241 (moving blocks); Lahiri (2003) Resampling Methods for Dependent Data, Springer,
    ch. 2-3 (block bootstrap of the mean of a time series).
    """
    n_years, n_rep, n_regions = index.shape
    n_terms = terms.shape[1]
    out = np.empty((n_rep, n_regions, 2))
    prod = np.empty(n_regions)
    acc = np.empty(n_regions)
    ok = np.empty(n_regions, dtype=np.bool_)
    for b in range(n_rep):
        span = 0.0
        for r in range(n_regions):
            prod[r] = 1.0
            acc[r] = 0.0
            ok[r] = True
        for i in range(n_terms):
            t = terms[b, i]
            dt = years[t + 1] - years[t]
            span += dt
            for r in range(n_regions):
                prev = index[t, b, r]
                cur = index[t + 1, b, r]
                if not (prev > 0.0 and cur >= 0.0):
                    ok[r] = False
                    continue
                q = cur / prev
                prod[r] *= q
                if dt == 1.0:
                    acc[r] += q - 1.0
                else:
                    acc[r] += dt * (q ** (1.0 / dt) - 1.0)
        for r in range(n_regions):
            if not ok[r]:
                out[b, r, 0] = np.nan
                out[b, r, 1] = np.nan
            elif span == 1.0:
                out[b, r, 0] = prod[r] - 1.0
                out[b, r, 1] = acc[r]
            else:
                out[b, r, 0] = prod[r] ** (1.0 / span) - 1.0
                out[b, r, 1] = acc[r] / span
    return out
