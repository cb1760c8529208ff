"""Ranking of Monte Carlo draws: index from GEMM output, per-draw radix-sort ranks, rank codes.

The API layer computes, for one block of a few dozen draws and one year, the matrix products
``g1 = W2 @ A_pos.T`` and ``g2 = W2 @ A_neg.T`` (squared weights against squared deviations from
the ideal / anti-ideal points: the weighted squared distances of every region in every draw, one
BLAS GEMM each), or ``g1 = W @ X.T`` for linear models (weighted sum, grey relational grade).
:func:`rank_block` then turns each row (one draw) into the index and ranks the regions (rank 1 =
best), writing one code per region and draw; :mod:`.accumulate` folds the codes into fixed-size
accumulators whose size does not depend on the number of draws.

Ranking: an LSD radix sort on a 22-bit key (the index quantised monotonically on the row's
[min, max]), two stable 11-bit counting passes carrying the region number, then a fix-up pass
that orders runs of equal keys by the exact index value. The ranks are therefore exact (ties =
equal index values, competition ranking "min"). The sort is O(n) per row; blocks of draws run
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
import types

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
    "renamed",
]


def rank_bits_for(n_regions: int) -> int:
    """Bits of the rank field of the codes for ``n_regions`` regions: 16, or more past 65,536
    (at most ``MAX_RANK_BITS``; the caller checks the limit)."""
    return max(RANK_BITS, int(max(1, n_regions) - 1).bit_length())


def nan_bin(rank_bits: int) -> int:
    """Bin code of a NaN index in the layout with ``rank_bits`` rank bits: all ones of the bin
    field, which is also the number of usable histogram bins (bins 0 .. nan_bin - 1)."""
    return (1 << (31 - rank_bits)) - 1


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
    floating-point chain, independent of order): rho = S_xy / sqrt(S_xx S_yy). The walk over the
    sorted order only scatters each region's rank position and tie term; the codes and S_xy are
    then one sequential pass over the regions (no gathers: measured 15 % faster). The fixed-point
    carry is branch-free: ``c = v >> 62`` (arithmetic shift) moves whole units of 2^62 from the
    low word to the high word and leaves the low word in [0, 2^62).
    """
    n_draws, n = g1.shape
    keys, tk, order, to, hbuf = _scratch(n)
    bins = np.empty(n, dtype=np.int32)
    pos = np.empty(n, dtype=np.int64)  # per region: a2 * 2^32 + (rank - 1)
    nan_code = np.int32(((1 << (31 - rank_bits)) - 1) << rank_bits)
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
            bins[i] = np.int32(np.int64(u) << rank_bits) if ok else nan_code
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
            packed = (np.int64(a2) << 32) | p  # p < 2^32; a2 recovered by an arithmetic shift
            for k in range(p, q):
                pos[order[k]] = packed
            p = q
        sxy = 0
        dc = first + d
        for i in range(n):
            pk = pos[i]
            codes[i >> SLAB_BITS, dc, i & SLAB_MASK] = bins[i] | np.int32(pk & 0xFFFFFFFF)
            sxy += (pk >> 32) * base_c2[i]
        if sxx > 0 and base_ss4 > 0:
            rho[d] = sxy / math.sqrt(float(sxx) * float(base_ss4))
        else:
            rho[d] = np.nan


def renamed(fn, name):
    """A copy of the Python function ``fn`` under another qualified name.

    Compiling the copy with other numba options (a serial twin of a parallel kernel) keeps the two
    compilations apart in numba's on-disk cache.
    """
    g = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    g.__qualname__ = name
    return g
