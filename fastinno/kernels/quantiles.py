"""Quantiles and rank statistics of Monte Carlo runs, from counts, histograms or kept draws.

:func:`rank_stats` reads exact rank statistics off the rank-position counts,
:func:`rank_hist_quantiles` rank quantiles off rank histograms (within a bin); :func:`hist_quantiles`
gives numpy's linear quantiles from histogram order statistics (accurate to one bin) and
:func:`exact_quantiles` those of every kept draw. Interpolation follows ``np.quantile``
operation for operation.

Input already validated (int32 / int64 / float64, C-contiguous). Kernels trust their input.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .twins import SUMMARY_NUMPY_BELOW, SUMMARY_SERIAL_BELOW, parallel_twin

__all__ = ["rank_stats", "rank_hist_quantiles", "hist_quantiles", "exact_quantiles", "sort_values"]


@njit(cache=True, inline="always")
def _lerp(a, b, t):
    # numpy's quantile interpolation, operation for operation (results match np.quantile)
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@njit(cache=True)
def _walk_order(ks, walk):
    # walk = the order of ks ascending (stable insertion sort: a handful of entries)
    for m in range(ks.shape[0]):
        walk[m] = m
        p = m
        while p > 0 and ks[walk[p - 1]] > ks[walk[p]]:
            walk[p - 1], walk[p] = walk[p], walk[p - 1]
            p -= 1


@njit(cache=True)
def quantile_positions(n, qs):
    """The order statistics numpy's linear quantiles ``qs`` of ``n`` values need.

    Returns ``want`` (int64, 2 per quantile: floor(h) and min(floor(h) + 1, n - 1), 0-based, with
    h = (n - 1) q), ``frac`` (h - floor(h), the interpolation weight) and ``walk`` (the order in
    which a walk over increasing positions meets them).
    """
    n_q = qs.shape[0]
    want = np.empty(2 * n_q, dtype=np.int64)
    frac = np.empty(n_q)
    for qi in range(n_q):
        h = (n - 1) * qs[qi]
        want[2 * qi] = np.int64(math.floor(h))
        frac[qi] = h - want[2 * qi]
        want[2 * qi + 1] = min(want[2 * qi] + 1, n - 1)
    walk = np.empty(2 * n_q, dtype=np.int64)
    _walk_order(want, walk)
    return want, frac, walk


# numpy versions of the summary kernels for small runs (``parallel_twin(numpy=...)``): the same
# operations on the same values, so the same bits, and nothing to compile on a first run.


def _lerp_numpy(a, b, t):
    # _lerp on arrays: both branches computed, the one _lerp takes is kept
    d = b - a
    with np.errstate(invalid="ignore"):
        return np.where(t >= 0.5, b - d * (1.0 - t), a + d * t)


def _positions_numpy(n, q):
    # h = (n - 1) q, its floor j, the weight h - j and min(j + 1, n - 1), as quantile_positions
    h = (n - 1) * q
    j = np.floor(h).astype(np.int64)
    return j, h - j, np.minimum(j + 1, n - 1)


def _first_exceeding(cum, m):
    # 0-based index of the first column of each row of ``cum`` greater than ``m`` (per row)
    return np.argmax(cum > m[:, None], axis=1)


def _rank_stats_numpy(counts, n, qs, top_k, base_rank, rank_lo, rank_hi):
    c = counts.astype(np.int64)
    n_rows, n_ranks = c.shape
    r = np.arange(1, n_ranks + 1, dtype=np.int64)
    mean = (c * r).sum(axis=1) / n
    shift = (c * np.abs(r - base_rank[:, None])).sum(axis=1)
    cum = np.cumsum(c, axis=1)
    top = np.empty((n_rows, top_k.shape[0]))
    for k in range(top_k.shape[0]):
        kk = min(int(top_k[k]), n_ranks)
        top[:, k] = (cum[:, kk - 1] if kk > 0 else np.zeros(n_rows, np.int64)) / n
    quant = np.empty((n_rows, qs.shape[0]))
    for qi in range(qs.shape[0]):
        j, g, j1 = _positions_numpy(n, qs[qi])
        lo_r = _first_exceeding(cum, np.full(n_rows, j)) + 1
        hi_r = _first_exceeding(cum, np.full(n_rows, j1)) + 1
        quant[:, qi] = _lerp_numpy(lo_r.astype(np.float64), hi_r.astype(np.float64), g)
    return mean, quant, top, shift


def _bin_window(hist, bin_lo, bin_hi):
    # the first and one-past-last column of the union of the rows' bin windows
    if hist.shape[0] == 0:
        return 0, 0
    return max(0, int(bin_lo.min())), max(0, min(hist.shape[1], int(bin_hi.max()) + 1))


def _hist_work(hist, lo, width, vmin, vmax, qs, bin_lo, bin_hi):
    # the size of a hist_quantiles call: its rows times the union of their bin windows
    b0, b1 = _bin_window(hist, bin_lo, bin_hi)
    return hist.shape[0] * max(0, b1 - b0)


def _hist_quantiles_numpy(hist, lo, width, vmin, vmax, qs, bin_lo, bin_hi):
    n_rows = hist.shape[0]
    b0, b1 = _bin_window(hist, bin_lo, bin_hi)
    b = np.arange(b0, max(b0, b1))
    inside = (b >= bin_lo[:, None]) & (b <= bin_hi[:, None])
    h = np.where(inside, hist[:, b0:max(b0, b1)], 0).astype(np.int64)
    cum = np.cumsum(h, axis=1)
    total = cum[:, -1].copy() if b.size else np.zeros(n_rows, np.int64)
    rows = np.arange(n_rows)
    out = np.empty((n_rows, qs.shape[0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for qi in range(qs.shape[0]):
            vals = []
            j, g, j1 = _positions_numpy(total, qs[qi])
            for k in (j, j1):
                col = _first_exceeding(cum, k) if b.size else np.zeros(n_rows, np.int64)
                c = h[rows, col] if b.size else np.zeros(n_rows, np.int64)
                before = (cum[rows, col] if b.size else c) - c
                vals.append(lo + ((col + b0) + (k - before + 0.5) / c) * width)
            v = _lerp_numpy(vals[0], vals[1], g)
            v = np.where(v < vmin, vmin, v)
            v = np.where(v > vmax, vmax, v)
            out[:, qi] = np.where(total > 0, v, np.nan)
    return out, total


def _exact_quantiles_numpy(values, qs):
    s = np.sort(values, axis=1)  # NaN last
    m = values.shape[1] - np.isnan(values).sum(axis=1)
    out = np.empty((values.shape[0], values.shape[2], qs.shape[0]))
    for qi in range(qs.shape[0]):
        j, g, j1 = _positions_numpy(m, qs[qi])
        a = np.take_along_axis(s, np.maximum(j, 0)[:, None, :], axis=1)[:, 0, :]
        b = np.take_along_axis(s, np.maximum(j1, 0)[:, None, :], axis=1)[:, 0, :]
        out[:, :, qi] = np.where(m > 0, _lerp_numpy(a, b, g), np.nan)
    return out


@parallel_twin(serial_below=SUMMARY_SERIAL_BELOW, numpy=_rank_stats_numpy, numpy_below=SUMMARY_NUMPY_BELOW)
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
    want, frac, walk = quantile_positions(n, qs)
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


@parallel_twin(serial_below=SUMMARY_SERIAL_BELOW)
def rank_hist_quantiles(hist, shift, n, qs, rank_lo, rank_hi):
    """Rank quantiles from rank histograms (bins of ``2^shift`` ranks), within a bin of the exact ones.

    Parameters
    ----------
    hist : int32 (n_rows, n_rank_bins), ``hist[i, b]`` = draws whose rank - 1 lies in
        ``[b 2^shift, (b + 1) 2^shift)``; each row sums to ``n``.
    shift : int, log2 of the bin width w (0: exact counts, then the result equals
        :func:`rank_stats`' quantiles).
    n : int, number of draws.
    qs : float64 (n_q,), probabilities; numpy's default ("linear") quantile definition.
    rank_lo, rank_hi : int32 (n_rows,), the exact smallest / largest rank - 1 of each row.

    Returns
    -------
    quant : float64 (n_rows, n_q)

    Notes
    -----
    Order statistic m (0-based, h = (n - 1) q as in numpy) lies in the first bin b whose cumulative
    count exceeds m: its exact value is an integer rank in that bin's range [b w, b w + w - 1]
    intersected with the exact [rank_lo, rank_hi] (the first and last bins hold the extremes).
    The c values of the bin are spread evenly over the a ranks of that range: the j-th of them
    (j = m - draws in earlier bins) is placed at ``start + floor(j a / c)``, then numpy's linear
    interpolation. Both order statistics stay within w - 1 ranks of the exact ones, so does the
    quantile (up to the rounding of the interpolation, ~1e-16 relative); with w = 1 the placement
    is the exact rank.
    """
    n_rows, n_bins = hist.shape
    n_q = qs.shape[0]
    want, frac, walk = quantile_positions(n, qs)
    quant = np.empty((n_rows, n_q))
    n_tasks = min(n_rows, 256)
    for t in prange(n_tasks):
        found = np.empty(2 * n_q, dtype=np.int64)
        for i in range(t * n_rows // n_tasks, (t + 1) * n_rows // n_tasks):
            row = hist[i]
            lo_r = np.int64(rank_lo[i])
            hi_r = np.int64(rank_hi[i])
            b0 = max(0, lo_r >> shift)
            b1 = min(n_bins, (hi_r >> shift) + 1)
            j = 0
            cum = 0
            for b in range(b0, b1):
                c = np.int64(row[b])
                if c == 0:
                    continue
                start = max(np.int64(b) << shift, lo_r)
                span = min(((np.int64(b) + 1) << shift) - 1, hi_r) - start + 1
                while j < 2 * n_q and want[walk[j]] < cum + c:
                    found[walk[j]] = start + ((want[walk[j]] - cum) * span) // c + 1
                    j += 1
                cum += c
                if j == 2 * n_q:
                    break
            for qi in range(n_q):
                quant[i, qi] = _lerp(float(found[2 * qi]), float(found[2 * qi + 1]), frac[qi])
    return quant


@parallel_twin(serial_below=SUMMARY_SERIAL_BELOW, work=_hist_work, numpy=_hist_quantiles_numpy,
               numpy_below=SUMMARY_NUMPY_BELOW)
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
    total = np.empty(n_rows, dtype=np.int64)
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
            _walk_order(ks, walk)  # targets in increasing order
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
def _sift_down(a, root, end):
    # restore the max-heap below ``root`` within a[:end]
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and a[child + 1] > a[child]:
            child += 1
        if a[root] >= a[child]:
            return
        a[root], a[child] = a[child], a[root]
        root = child


@njit(cache=True)
def sort_values(a):
    """Sort a float64 vector without NaN in place: insertion sort up to 16 values, else heapsort
    (O(n log n) worst case; compiles in a fraction of the time of numba's ``np.sort``)."""
    n = a.shape[0]
    if n <= 16:
        for i in range(1, n):
            x = a[i]
            k = i - 1
            while k >= 0 and a[k] > x:
                a[k + 1] = a[k]
                k -= 1
            a[k + 1] = x
        return
    for root in range(n // 2 - 1, -1, -1):
        _sift_down(a, root, n)
    top = np.int64(0)  # not a literal 0: one specialization of _sift_down
    for end in range(n - 1, 0, -1):
        a[0], a[end] = a[end], a[0]
        _sift_down(a, top, end)


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
        sort_values(a)  # range too small or too large to bucket: sort the whole cell
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
            sort_values(g)
            for r in range(cnt[bk]):
                a[start[bk] + r] = g[r]


@parallel_twin(serial_below=SUMMARY_SERIAL_BELOW, numpy=_exact_quantiles_numpy, numpy_below=SUMMARY_NUMPY_BELOW)
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
        cnt = np.empty(group, dtype=np.int64)
        for k in range(group):
            cnt[k] = 0
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
