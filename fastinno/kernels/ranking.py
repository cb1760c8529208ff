"""Ranking of Monte Carlo draws: index from GEMM output, per-draw radix-sort ranks, rank codes.

The API layer computes, for one block of a few dozen draws and one year, the matrix products
``g1 = W2 @ A_pos.T`` and ``g2 = W2 @ A_neg.T`` (squared weights against squared deviations from
the ideal / anti-ideal points: the weighted squared distances of every region in every draw, one
BLAS GEMM each), or ``g1 = W @ X.T`` for linear models (weighted sum, grey relational grade).
:func:`rank_block` then turns each row (one draw) into the index and ranks the regions (rank 1 =
best), writing one code per region and draw; :mod:`.accumulate` folds the codes into fixed-size
accumulators whose size does not depend on the number of draws.

Ranking: an LSD radix sort on a 22-bit key packed with the region number in one 64-bit word
(the index quantised monotonically: from the float's bits for rows of positive values, a
log-like scale that spreads skewed rows evenly, else linearly on the row's [min, max]), two
stable 11-bit counting passes that also record each region's sorted position, then a fix-up
pass that orders runs of equal keys by the exact index value. The ranks are therefore exact
(ties = equal index values, competition ranking "min"). The sort is O(n) per row; blocks of draws run
in parallel on Python threads (the kernel releases the GIL). Measured against numba's
``argsort`` and numpy's SIMD sorts by the ``rank_rows`` bench (``benches/families/robustness.py``).

Codes are int32: rank - 1 in the low ``rank_bits`` bits (16 up to 65,536 regions, more beyond:
:func:`rank_bits_for`), the index histogram bin above (up to bit 30). This module also holds the
constants of the codes layout and of the fixed-point sums, shared by
the other Monte Carlo kernel modules (:mod:`.accumulate`, :mod:`.quantiles`, :mod:`.bootstrap`).

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

_RADIX_BITS = 11
_RADIX = 1 << _RADIX_BITS
_RADIX_MASK = _RADIX - 1
_KEY_BITS = 2 * _RADIX_BITS
_KEY_MAX = (1 << _KEY_BITS) - 1
#: Carry unit of the two-word fixed-point sums (values are below 2^61 in magnitude).
FIXED_BASE = 1 << 62
#: ``codes`` of :func:`rank_block`: rank - 1 in the low ``rank_bits`` bits (16 by default: the
#: mask below), the histogram bin above, up to bit 30 (codes are non-negative int32).
RANK_BITS = 16
RANK_MASK = 0xFFFF
#: Bin code of a NaN index in the default 16-bit layout (not counted in the histograms).
NAN_BIN = 0x7FFF
#: Widest rank field: 2^23 regions per year, leaving 8 bits (255 index bins) for the histogram bin.
MAX_RANK_BITS = 23
#: Regions per slab of the codes layout (n_slabs, n_draws, SLAB): 16 int32 = one cache line.
SLAB_BITS = 4
SLAB = 1 << SLAB_BITS
SLAB_MASK = SLAB - 1
#: Largest number of regions / histogram bins the default 16-bit fields of ``codes`` hold.
MAX_REGIONS = 1 << 16
MAX_BINS = NAN_BIN
#: Largest number of regions per year of any layout.
MAX_REGIONS_ANY = 1 << MAX_RANK_BITS

__all__ = [
    "RATIO2",
    "CLOSENESS",
    "LINEAR",
    "FIXED_BASE",
    "RANK_BITS",
    "RANK_MASK",
    "NAN_BIN",
    "MAX_RANK_BITS",
    "MAX_REGIONS_ANY",
    "rank_bits_for",
    "nan_bin",
    "SLAB_BITS",
    "SLAB",
    "SLAB_MASK",
    "MAX_REGIONS",
    "MAX_BINS",
    "ranks_of_row",
    "rank_rows",
    "rank_block",
]


def rank_bits_for(n_regions: int) -> int:
    """Bits of the rank field of the codes for ``n_regions`` regions: 16, or more past 65,536
    (at most ``MAX_RANK_BITS``; the caller checks the limit)."""
    return max(RANK_BITS, int(max(1, n_regions) - 1).bit_length())


def nan_bin(rank_bits: int) -> int:
    """Bin code of a NaN index in the layout with ``rank_bits`` rank bits: all ones of the bin
    field, which is also the number of usable histogram bins (bins 0 .. nan_bin - 1)."""
    return (1 << (31 - rank_bits)) - 1


@njit(cache=True)
def _pack_keys(v, vmin, vmax, packed, hist):
    """Sort keys of ``v`` packed with the element number, and both digit histograms of the keys.

    ``packed[i] = key << 32 | i``; ``hist``: counts of the low and the high 11-bit digit (2 x
    2,048). Keys descend with the value, equal values get equal keys and NaN the largest key.
    Rows of positive values (``vmin`` > 0) take the key from the float's bits: for positive
    doubles the IEEE-754 bit pattern read as an integer is monotone in the value and close to
    ``2^52 log2`` of it, so ``(bits(vmax) - bits(x)) >> s``, with the smallest ``s`` that fits 22
    bits, spreads skewed rows (an index spanning several orders of magnitude) as evenly as
    their logarithms. Other rows take ``(vmax - x)`` scaled linearly onto the 22 bits.
    """
    for k in range(2 * _RADIX):
        hist[k] = 0
    n = v.shape[0]
    if vmin > 0.0:
        bits = v.view(np.int64)
        top = np.float64(vmax).view(np.int64)
        span = top - np.float64(vmin).view(np.int64)
        s = 0
        while (span >> s) > _KEY_MAX - 1:
            s += 1
        for i in range(n):
            q = (top - bits[i]) >> s if v[i] == v[i] else np.int64(_KEY_MAX)
            packed[i] = (q << 32) | i
            hist[q & _RADIX_MASK] += 1
            hist[_RADIX + (q >> _RADIX_BITS)] += 1
    else:
        scale = (_KEY_MAX - 1) / (vmax - vmin) if vmax > vmin else 0.0
        for i in range(n):
            x = v[i]
            q = np.int64(min((vmax - x) * scale, _KEY_MAX - 1.0)) if x == x else np.int64(_KEY_MAX)
            packed[i] = (q << 32) | i
            hist[q & _RADIX_MASK] += 1
            hist[_RADIX + (q >> _RADIX_BITS)] += 1


@njit(cache=True)
def _rank_keys(v, packed, tmp, hist, rp, tadj, touched):
    """Exact descending ranks of ``v`` from its packed keys (:func:`_pack_keys`).

    Two stable LSD counting passes on the key's 11-bit digits move the packed words (key and
    element number in one load and one store); the second also records each element's sorted
    position in ``rp``. Runs of equal keys (values closer than the key resolution: rare and
    short) are then put in exact descending order by insertion sort, and their exact ties, like
    the NaN run at the end, get the position of the tie group's first member.

    Out: ``rp[i]`` = p, the competition rank of element i minus 1 (strictly larger values; NaN
    last and tied); for the elements of runs of equal keys, listed in ``touched``, ``tadj[i]`` =
    q - p - 1 for their tie group of sorted positions p .. q - 1 (elsewhere ``tadj`` is not
    written, its value there is 0 by convention: the average rank is p + 1 + tadj / 2);
    ``packed`` in sorted order. Returns ``(n_touched, d_ss)``: ``d_ss`` is the change of the sum
    of squared doubled centred average ranks (2 * average rank - (n + 1)) from ties, against
    that sum without ties, n (n^2 - 1) / 3.
    """
    n = v.shape[0]
    # exclusive prefix sums of both digit histograms
    t0 = 0
    t1 = 0
    for k in range(_RADIX):
        c0 = hist[k]
        hist[k] = t0
        t0 += c0
        c1 = hist[_RADIX + k]
        hist[_RADIX + k] = t1
        t1 += c1
    lo_shift = 32
    hi_shift = 32 + _RADIX_BITS
    for i in range(n):  # low digit
        e = packed[i]
        d = (e >> lo_shift) & _RADIX_MASK
        pos = hist[d]
        hist[d] = pos + 1
        tmp[pos] = e
    for j in range(n):  # high digit, and every element's position
        e = tmp[j]
        d = _RADIX + (e >> hi_shift)
        pos = hist[d]
        hist[d] = pos + 1
        packed[pos] = e
        rp[e & 0xFFFFFFFF] = pos
    # fix-up: runs of equal keys in exact descending order, exact ties share the first position
    n_touched = 0
    d_ss = 0
    i = 0
    while i < n - 1:
        kq = packed[i] >> 32
        if (packed[i + 1] >> 32) != kq:
            i += 1
            continue
        j = i + 1
        while j < n and (packed[j] >> 32) == kq:
            j += 1
        nan_run = kq == _KEY_MAX  # NaN: one tie group, no order inside
        if not nan_run:
            for a in range(i + 1, j):
                e = packed[a]
                x = v[e & 0xFFFFFFFF]
                b = a - 1
                while b >= i and v[packed[b] & 0xFFFFFFFF] < x:
                    packed[b + 1] = packed[b]
                    b -= 1
                packed[b + 1] = e
        p = i
        while p < j:
            q = j
            if not nan_run:
                q = p + 1
                while q < j and v[packed[q] & 0xFFFFFFFF] == v[packed[p] & 0xFFFFFFFF]:
                    q += 1
            a2 = np.int64(p + q - n)
            for t in range(p, q):
                o = packed[t] & 0xFFFFFFFF
                rp[o] = p
                tadj[o] = q - p - 1
                touched[n_touched] = o
                n_touched += 1
                u = np.int64(2 * t + 1 - n)
                d_ss += a2 * a2 - u * u
            p = q
        i = j
    return n_touched, d_ss


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
    # packed keys, their second buffer, digit histograms, positions, tie terms, touched elements
    return (
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(2 * _RADIX, dtype=np.int32),
        np.empty(n, dtype=np.int32),
        np.zeros(n, dtype=np.int32),
        np.empty(n, dtype=np.int32),
    )


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
    packed, tmp, hist, rp, tadj, touched = _scratch(n)
    vmin, vmax = _minmax(v)
    _pack_keys(v, vmin, vmax, packed, hist)
    _rank_keys(v, packed, tmp, hist, rp, tadj, touched)
    rank_min = np.empty(n, dtype=np.int64)
    rank_avg = np.empty(n)
    for i in range(n):
        rank_min[i] = rp[i] + 1
        rank_avg[i] = rp[i] + 1 + 0.5 * tadj[i]
    return rank_min, rank_avg


@njit(cache=True, parallel=True)
def rank_rows(v):
    """Competition ranks (rank 1 = largest) of every row: float64 (k, n) -> int32 (k, n)."""
    k, n = v.shape
    out = np.empty((k, n), dtype=np.int32)
    n_tasks = min(k, 64)
    for t in prange(n_tasks):
        packed, tmp, hist, rp, tadj, touched = _scratch(n)
        for d in range(t * k // n_tasks, (t + 1) * k // n_tasks):
            row = v[d]
            vmin, vmax = _minmax(row)
            _pack_keys(row, vmin, vmax, packed, hist)
            _rank_keys(row, packed, tmp, hist, rp, tadj, touched)
            for i in range(n):
                out[d, i] = rp[i] + 1
    return out


@njit(cache=True, inline="always", error_model="numpy")
def _index_row(row, g2, form):
    # row <- the index of the squared distances (row = d_pos^2, g2 = d_neg^2), the values of
    # distance.index_value: one loop per form without branches, so that it vectorizes (0 / 0
    # is NaN under the numpy error model; the select then stores the canonical NaN)
    if form == RATIO2:
        for i in range(row.shape[0]):
            dn = g2[i]
            x = dn / (row[i] + dn)
            row[i] = x if x == x else np.nan
    else:
        for i in range(row.shape[0]):
            dn = math.sqrt(g2[i])
            x = dn / (math.sqrt(row[i]) + dn)
            row[i] = x if x == x else np.nan


@njit(cache=True, nogil=True, error_model="numpy")
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
    rank_bits=RANK_BITS,
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
    n_bins : int, histogram bins (at most ``nan_bin(rank_bits)``).
    sum_scale : float64 (n_regions,), a power of two with |index| * scale <= 2^61 (from the
        a-priori bounds of the index).
    sum_hi, sum_lo : int64 (n_regions,), the fixed-point sum of the index, updated in place:
        sum = (sum_hi * FIXED_BASE + sum_lo) / sum_scale with 0 <= sum_lo < FIXED_BASE; exact
        integers (order-free, so any blocking, thread count or backend gives the same bits).
    vmin, vmax : float64 (n_regions,), running exact min / max of the index, updated in place.
    codes : int32 (n_slabs, n_chunk, SLAB), output for the chunk's draws ``first ..
        first + n_draws``: ``codes[i // SLAB, first + d, i % SLAB] = (bin << rank_bits) | (rank -
        1)`` of region i in draw d (competition rank; ``bin`` = ``nan_bin(rank_bits)`` for a NaN
        index), the input of
        :func:`accumulate_codes`. Slab-major, so that the accumulation reads each slab of regions
        as one contiguous stream.
    first : int, the block's first row in ``codes``.
    rho : float64 (n_draws,), output: Spearman's rho (Pearson on average ranks) against the base
        ranking; NaN when either ranking is constant.
    rank_bits : int, bits of the rank field (default 16: up to 65,536 regions; see
        :func:`rank_bits_for`).

    Notes
    -----
    Index: RATIO2 d_neg^2 / (d_pos^2 + d_neg^2), CLOSENESS d_neg / (d_pos + d_neg) (edge
    conventions of ``distance.index_value``), LINEAR g1. NaN indices (both distances 0) are ranked
    last and tied; they are skipped by the sums, the histogram and min / max. Spearman's rho with
    ties: Pearson correlation of average ranks (Kendall & Gibbons 1990, ch. 3). Doubled centred
    average ranks are integers, so the cross and square sums are exact int64 sums (no
    floating-point chain, independent of order): rho = S_xy / sqrt(S_xx S_yy). The sort leaves
    each region's rank position in region order, so the codes and S_xy are one sequential pass
    over the regions as if there were no ties (S_xx = n (n^2 - 1) / 3 then); the few regions in
    runs of equal keys add their tie terms afterwards. The fixed-point
    carry is branch-free: ``c = v >> 62`` (arithmetic shift) moves whole units of 2^62 from the
    low word to the high word and leaves the low word in [0, 2^62).
    """
    n_draws, n = g1.shape
    packed, tmp, hbuf, rp, tadj, touched = _scratch(n)
    ss_untied = np.int64(n) * (np.int64(n) * n - 1) // 3  # sum of (2 p + 1 - n)^2 over p
    nan_code = np.int32(((1 << (31 - rank_bits)) - 1) << rank_bits)
    row_lo = np.empty(n_draws)
    row_hi = np.empty(n_draws)
    block_bins = np.empty((n_draws, n), dtype=np.int32)
    for d in range(n_draws):
        row = g1[d]
        if form != LINEAR:
            _index_row(row, g2[d], form)
        lo_v = np.inf
        hi_v = -np.inf
        for i in range(n):
            x = row[i]
            if x < lo_v:  # NaN compares false: skipped
                lo_v = x
            if x > hi_v:
                hi_v = x
        row_lo[d] = lo_v
        row_hi[d] = hi_v
    # per-region accumulators region by region over the block's draws: each region's sums,
    # extremes and histogram map stay in registers (measured ~10 % faster than draw by draw)
    top = n_bins - 1.0
    for i in range(n):
        s_lo = sum_lo[i]
        s_hi = sum_hi[i]
        mn = vmin[i]
        mx = vmax[i]
        scale = sum_scale[i]
        origin = lo[i]
        inv = inv_width[i]
        for d in range(n_draws):
            x = g1[d, i]
            ok = x == x
            # fixed-point sum: x * scale is exact (power of two), truncation deterministic
            v = s_lo + np.int64(x * scale if ok else 0.0)
            c = v >> 62
            s_hi += c
            s_lo = v - (c << 62)
            mn = x if x < mn else mn
            mx = x if x > mx else mx
            u = min(max((x - origin) * inv if ok else 0.0, 0.0), top)
            block_bins[d, i] = np.int32(np.int64(u) << rank_bits) if ok else nan_code
        sum_lo[i] = s_lo
        sum_hi[i] = s_hi
        vmin[i] = mn
        vmax[i] = mx
    for d in range(n_draws):
        row = g1[d]
        lo_v = row_lo[d]
        hi_v = row_hi[d]
        bins = block_bins[d]
        _pack_keys(row, lo_v, hi_v, packed, hbuf)
        n_touched, d_ss = _rank_keys(row, packed, tmp, hbuf, rp, tadj, touched)
        # codes and the rank correlation in region order, as if untied (a2 = 2 p + 1 - n, p the
        # competition rank - 1); then the tie terms of the elements in runs of equal keys
        sxy = 0
        dc = first + d
        for sl in range(n >> SLAB_BITS):
            out = codes[sl, dc]
            i0 = sl << SLAB_BITS
            for k in range(SLAB):
                p = rp[i0 + k]
                sxy += np.int64(2 * p + 1 - n) * base_c2[i0 + k]
                out[k] = bins[i0 + k] | p
        for i in range(n & ~SLAB_MASK, n):
            p = rp[i]
            sxy += np.int64(2 * p + 1 - n) * base_c2[i]
            codes[i >> SLAB_BITS, dc, i & SLAB_MASK] = bins[i] | p
        for t in range(n_touched):
            o = touched[t]
            sxy += np.int64(tadj[o]) * base_c2[o]
            tadj[o] = 0
        sxx = ss_untied + d_ss
        if sxx > 0 and base_ss4 > 0:
            rho[d] = sxy / math.sqrt(float(sxx) * float(base_ss4))
        else:
            rho[d] = np.nan
