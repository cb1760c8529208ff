"""Rank kernels: average ranks, Spearman's rho, Kendall's tau-b and W, batched forms.

Kernels: numba + numpy only; inputs float64 / int64, C-contiguous, finite, already validated.
Sorting: numpy's SIMD sorts beat numba's argsort 2-4x, so the API layer may pass
in an ``order`` computed by ``np.argsort``; each kernel that needs one also has a self-contained
variant that sorts with numba.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import agreement as ka
from .twins import parallel_twin

__all__ = [
    "average_ranks_from_order",
    "average_ranks",
    "average_ranks_rows",
    "spearman_pearson",
    "spearman_d2",
    "spearman_from_ranks",
    "spearman_rows_vs_one",
    "spearman_rows_vs_one_ordered",
    "spearman_all_pairs",
    "kendall_tau_b_lexsorted",
    "kendall_tau_b",
    "kendall_w",
    "drift_degree_cells",
    "index_bits",
    "pack_keys",
    "ranks_from_packed",
    "ranks_rows_packed",
    "spearman_rows_vs_one_fused",
    "cell_correlations",
    "competition_ranks_rows_packed",
    "PEARSON",
    "D2",
]

#: Spearman variants (int constants for kernels).
PEARSON = 0
D2 = 1


@njit(cache=True)
def average_ranks_from_order(x, order, descending, out):
    """Fill ``out`` with 1-based average ranks of ``x`` given its ascending ``order``.

    Parameters
    ----------
    x : float64 (n,)
    order : int64 (n,), a permutation sorting ``x`` ascending (any tie order).
    descending : bool, rank 1 = largest value when True.
    out : float64 (n,), written.

    Notes
    -----
    Tied values share the mean of the positions they occupy (mid-ranks), as
    ``scipy.stats.rankdata(method="average")``; descending rank = n + 1 - ascending rank.
    """
    n = x.shape[0]
    i = 0
    while i < n:
        v = x[order[i]]
        j = i + 1
        while j < n and x[order[j]] == v:
            j += 1
        # positions i..j-1 (0-based) -> ranks i+1..j, mean (i + j + 1) / 2
        r = 0.5 * (i + j + 1)
        if descending:
            r = n + 1.0 - r
        for k in range(i, j):
            out[order[k]] = r
        i = j


@njit(cache=True)
def average_ranks(x, descending):
    """Average ranks of a vector (sorts with numba): float64 (n,) -> float64 (n,)."""
    out = np.empty(x.shape[0])
    average_ranks_from_order(x, np.argsort(x), descending, out)
    return out


@njit(cache=True, parallel=True)
def average_ranks_rows(x, descending):
    """Average ranks of every row of a matrix: float64 (k, n) -> float64 (k, n)."""
    k, n = x.shape
    out = np.empty((k, n))
    for b in prange(k):
        row = x[b]
        average_ranks_from_order(row, np.argsort(row), descending, out[b])
    return out


@njit(cache=True)
def spearman_pearson(ra, rb):
    """Pearson correlation of two average-rank vectors (Spearman's rho, exact with ties).

    Notes
    -----
    Average ranks always have mean c = (n + 1) / 2 and are multiples of 1/2, so
    rho = sum (a - c)(b - c) / sqrt(sum (a - c)^2 sum (b - c)^2) is accumulated exactly in int64
    on 2(a - c) for n <= 2,000,000 (|sum| <= n^3 < 2^63), with a compensated float sum beyond.
    Returns NaN when a vector is constant. Same value as ``scipy.stats.spearmanr``.
    """
    n = ra.shape[0]
    c2 = n + 1.0
    if n <= 2_000_000:
        iab = 0
        iaa = 0
        ibb = 0
        for i in range(n):
            a = np.int64(2.0 * ra[i] - c2)
            b = np.int64(2.0 * rb[i] - c2)
            iab += a * b
            iaa += a * a
            ibb += b * b
        sab = float(iab)
        saa = float(iaa)
        sbb = float(ibb)
    else:
        sab = 0.0
        saa = 0.0
        sbb = 0.0
        cab = 0.0
        caa = 0.0
        cbb = 0.0
        for i in range(n):
            a = 2.0 * ra[i] - c2
            b = 2.0 * rb[i] - c2
            sab, cab = _neumaier(sab, cab, a * b)
            saa, caa = _neumaier(saa, caa, a * a)
            sbb, cbb = _neumaier(sbb, cbb, b * b)
        sab += cab
        saa += caa
        sbb += cbb
    den = math.sqrt(saa) * math.sqrt(sbb)
    if den == 0.0:
        return np.nan
    r = sab / den
    if r > 1.0:
        r = 1.0
    elif r < -1.0:
        r = -1.0
    return r


@njit(cache=True, inline="always")
def _neumaier(s, c, x):
    t = s + x
    if abs(s) >= abs(x):
        c += (s - t) + x
    else:
        c += (x - t) + s
    return t, c


@njit(cache=True)
def spearman_d2(ra, rb):
    """Spearman's formula rho = 1 - 6 sum d^2 / (n (n^2 - 1)) on average ranks.

    Notes
    -----
    The formula printed by Xia, Li, Yin (2020) eq. for the compatibility test; equals
    :func:`spearman_pearson` without ties, differs slightly with ties. n >= 2.
    """
    n = ra.shape[0]
    s = 0.0
    for i in range(n):
        d = ra[i] - rb[i]
        s += d * d
    nf = float(n)
    return 1.0 - 6.0 * s / (nf * (nf * nf - 1.0))


@njit(cache=True)
def spearman_from_ranks(ra, rb, method):
    """Spearman's rho of two rank vectors, ``method`` = PEARSON (0) or D2 (1)."""
    if method == 1:
        return spearman_d2(ra, rb)
    return spearman_pearson(ra, rb)


@parallel_twin
def spearman_rows_vs_one_ordered(x, orders, base_ranks, method):
    """Spearman's rho of every row of ``x`` against one base ranking.

    Parameters
    ----------
    x : float64 (k, n) scores (one ranking per row).
    orders : int64 (k, n), ascending argsort of every row (``np.argsort(x, axis=1)``).
    base_ranks : float64 (n,) average ranks of the base (ascending or descending, as long as
        both sides use ascending; ranks here are ascending).
    method : int, PEARSON or D2.

    Returns
    -------
    rho : float64 (k,)
    """
    k, n = x.shape
    out = np.empty(k)
    for b in prange(k):
        r = np.empty(n)
        average_ranks_from_order(x[b], orders[b], False, r)
        out[b] = spearman_from_ranks(r, base_ranks, method)
    return out


@njit(cache=True, parallel=True)
def spearman_rows_vs_one(x, base_ranks, method):
    """As :func:`spearman_rows_vs_one_ordered`, sorting each row with numba."""
    k, n = x.shape
    out = np.empty(k)
    for b in prange(k):
        row = x[b]
        r = np.empty(n)
        average_ranks_from_order(row, np.argsort(row), False, r)
        out[b] = spearman_from_ranks(r, base_ranks, method)
    return out


@njit(cache=True, parallel=True)
def spearman_all_pairs(ranks, method):
    """Spearman matrix of all pairs of rows: ranks float64 (k, n) -> float64 (k, k), diagonal 1.

    ``ranks`` are average ranks (same direction in every row).
    """
    k = ranks.shape[0]
    out = np.empty((k, k))
    for a in prange(k):
        for b in range(k):
            if a == b:
                out[a, b] = 1.0
            else:
                out[a, b] = spearman_from_ranks(ranks[a], ranks[b], method)
    return out


@njit(cache=True)
def _merge_sort_swaps(y):
    """Sort ``y`` in place (bottom-up, stable merge sort) and return the number of inversions
    (pairs i < k with y_i > y_k; ties are not inversions): :func:`agreement.inversions`."""
    return ka.inversions(y, np.empty(y.shape[0]))


@njit(cache=True)
def kendall_tau_b_lexsorted(xs, ys):
    """Kendall's tau-b in O(n log n) from data sorted by x, then by y (Knight 1966).

    Parameters
    ----------
    xs, ys : float64 (n,); the pairs sorted lexicographically by (x, y)
        (``o = np.lexsort((y, x)); xs, ys = x[o], y[o]``). ``ys`` is not modified.

    Returns
    -------
    tau_b : float, NaN when x or y is constant.

    Notes
    -----
    n0 = n(n-1)/2, n1 = ties in x, n2 = ties in y, n3 = joint ties, S = swaps of a merge sort
    of y: tau_b = (n0 - n1 - n2 + n3 - 2 S) / sqrt((n0 - n1)(n0 - n2)). Knight, W.R. (1966)
    JASA 61(314) 436-439; the same counting as ``scipy.stats.kendalltau``.
    """
    n = xs.shape[0]
    n0 = n * (n - 1) // 2
    n1 = ka.tied_pairs_sorted(xs)
    # joint ties: runs where both x and y are equal (adjacent after the lexsort)
    n3 = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and xs[j] == xs[i] and ys[j] == ys[i]:
            j += 1
        t = j - i
        n3 += t * (t - 1) // 2
        i = j
    y = ys.copy()
    swaps = _merge_sort_swaps(y)
    n2 = ka.tied_pairs_sorted(y)
    den = float(n0 - n1) * float(n0 - n2)
    if den <= 0.0:
        return np.nan
    num = float(n0 - n1 - n2 + n3 - 2 * swaps)
    tau = num / math.sqrt(den)
    if tau > 1.0:
        tau = 1.0
    elif tau < -1.0:
        tau = -1.0
    return tau


@njit(cache=True)
def kendall_tau_b(x, y):
    """Kendall's tau-b of two vectors (sorts with numba); see :func:`kendall_tau_b_lexsorted`."""
    oy = np.argsort(y, kind="mergesort")
    xo = x[oy]
    o = oy[np.argsort(xo, kind="mergesort")]
    return kendall_tau_b_lexsorted(x[o], y[o])


@njit(cache=True)
def kendall_w(ranks):
    """Kendall's coefficient of concordance W with tie correction.

    Parameters
    ----------
    ranks : float64 (k, n), average ranks of n objects by k raters (methods), k >= 2, n >= 2.

    Returns
    -------
    w : float in [0, 1] (NaN if every rater ties every object).

    Notes
    -----
    R_i = sum_j r_ji, S = sum_i (R_i - mean R)^2,
    W = 12 S / (k^2 (n^3 - n) - k sum_j T_j), T_j = sum over tie groups of rater j of (t^3 - t).
    Kendall & Babington Smith (1939); Siegel & Castellan (1988) sec. 9.4. For average ranks
    sum_i (r_i - (n+1)/2)^2 = (n^3 - n - T_j) / 12, so T_j comes without sorting (exactly, in
    int64 on doubled centred ranks, for n <= 2,000,000).
    """
    k, n = ranks.shape
    rs = np.zeros(n)
    for j in range(k):
        for i in range(n):
            rs[i] += ranks[j, i]
    mean = 0.0
    for i in range(n):
        mean += rs[i]
    mean /= n
    s = 0.0
    for i in range(n):
        d = rs[i] - mean
        s += d * d
    nf = float(n)
    c2 = n + 1.0
    tsum = 0.0
    for j in range(k):
        if n <= 2_000_000:
            q = 0
            for i in range(n):
                a = np.int64(2.0 * ranks[j, i] - c2)
                q += a * a
            n3 = np.int64(n) * np.int64(n) * np.int64(n) - np.int64(n)
            tsum += float(n3 - 3 * q)
        else:
            qf = 0.0
            for i in range(n):
                a = 2.0 * ranks[j, i] - c2
                qf += a * a
            tsum += nf * nf * nf - nf - 3.0 * qf
    kf = float(k)
    den = kf * kf * (nf * nf * nf - nf) - kf * tsum
    if den <= 0.0:
        return np.nan
    w = 12.0 * s / den
    if w > 1.0:
        w = 1.0
    return w


@parallel_twin
def drift_degree_cells(u, keep, ranks, ref_ranks, method, tie_tol):
    """Drift-degree combination in each of c cells over the kept methods.

    Parameters
    ----------
    u : float64 (c, k, n) scores (already min-maxed if that option is wanted).
    keep : bool (c, k), at least one True per cell.
    ranks : float64 (c, k, n) average ranks of ``u`` (one common direction).
    ref_ranks : float64 (c, n) average ranks, same direction, of the reference
        ref_i = mean over the kept methods of u_ji.
    method : int, PEARSON or D2; tie_tol : float.

    Returns
    -------
    r, drift, w : float64 (c, k), NaN / NaN / 0 for methods not kept.
    combined : float64 (c, n), sum_j w_j u_j.
    equal : bool (c,), every drift equal (within tie_tol) among >= 2 kept methods.

    Notes
    -----
    r_j = Spearman(u_j, ref), p_j = 1 - r_j,
    w_j = (min p + max p - p_j) / sum_l (min p + max p - p_l) (Xia, Li, Yin 2020, sec. 3.1.1);
    equal weights when max p - min p <= tie_tol (0/0 or rounding noise).
    """
    c, k, n = u.shape
    r_out = np.full((c, k), np.nan)
    d_out = np.full((c, k), np.nan)
    w_out = np.zeros((c, k))
    comb = np.zeros((c, n))
    equal = np.zeros(c, dtype=np.bool_)
    for q in prange(c):
        lo = np.inf
        hi = -np.inf
        kk = 0
        for j in range(k):
            if keep[q, j]:
                kk += 1
                r = spearman_from_ranks(ranks[q, j], ref_ranks[q], method)
                r_out[q, j] = r
                d = 1.0 - r
                d_out[q, j] = d
                lo = min(lo, d)
                hi = max(hi, d)
        if not (hi - lo > tie_tol):
            equal[q] = kk >= 2
            for j in range(k):
                if keep[q, j]:
                    w_out[q, j] = 1.0 / kk
        else:
            total = 0.0
            for j in range(k):
                if keep[q, j]:
                    w_out[q, j] = lo + hi - d_out[q, j]
                    total += w_out[q, j]
            for j in range(k):
                w_out[q, j] /= total
        for j in range(k):
            if keep[q, j]:
                wj = w_out[q, j]
                for i in range(n):
                    comb[q, i] += wj * u[q, j, i]
    return r_out, d_out, w_out, comb, equal


# ---- fast ranking through one sort of packed (key, index) words ------------------------------
#
# numpy's SIMD sort of uint64 is ~3x faster than its argsort. Each float64 is mapped
# to an order-preserving uint64 key; its low ``shift`` bits are replaced by the element's index,
# so one plain sort yields an argsort that is exact except inside runs of equal truncated keys
# (values within ~2^(shift-52) relative of each other), which the ranking kernel re-sorts exactly.

_SIGN = np.uint64(0x8000000000000000)


def index_bits(n):
    """Bits needed to store indices 0..n-1 (at least 1)."""
    return max(1, int(n - 1).bit_length())


@parallel_twin
def pack_keys(x, shift):
    """Order-preserving uint64 keys of float64 rows with the element index in the low bits.

    Parameters
    ----------
    x : float64 (k, n), finite, C-contiguous; shift : int, ``index_bits(n)`` (n <= 2**shift).

    Returns
    -------
    uint64 (k, n): ``(key(x) & ~(2**shift - 1)) | i``; sort each row, then use
    :func:`ranks_from_packed`.
    """
    k, n = x.shape
    u = x.view(np.uint64)
    low = (np.uint64(1) << np.uint64(shift)) - np.uint64(1)
    high = ~low
    out = np.empty((k, n), dtype=np.uint64)
    for b in prange(k):
        for i in range(n):
            v = u[b, i]
            if x[b, i] == 0.0:  # -0.0 and 0.0 are equal: give them one key
                v = np.uint64(0)
            if v & _SIGN:
                key = ~v
            else:
                key = v | _SIGN
            out[b, i] = (key & high) | np.uint64(i)
    return out


@njit(cache=True)
def _sort_run(x, idx, a, b):
    """Sort idx[a:b] by x[idx] (exactly); runs are short except for exact ties."""
    ordered = True
    for q in range(a + 1, b):
        if x[idx[q]] < x[idx[q - 1]]:
            ordered = False
            break
    if ordered:
        return
    if b - a <= 64:
        for q in range(a + 1, b):
            cur = idx[q]
            v = x[cur]
            r = q - 1
            while r >= a and x[idx[r]] > v:
                idx[r + 1] = idx[r]
                r -= 1
            idx[r + 1] = cur
        return
    # long runs: heapsort by value (O(m log m); the order within exact ties does not matter to
    # the callers, which treat a tie group as a whole)
    m = b - a
    for root in range(m // 2 - 1, -1, -1):
        _sift_down_by(x, idx, a, root, m)
    top = np.int64(0)  # not a literal 0: one specialization of _sift_down_by
    for end in range(m - 1, 0, -1):
        idx[a], idx[a + end] = idx[a + end], idx[a]
        _sift_down_by(x, idx, a, top, end)


@njit(cache=True)
def _sift_down_by(x, idx, a, root, end):
    # max-heap on x[idx[a + i]] for i < end
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and x[idx[a + child + 1]] > x[idx[a + child]]:
            child += 1
        if x[idx[a + root]] >= x[idx[a + child]]:
            return
        idx[a + root], idx[a + child] = idx[a + child], idx[a + root]
        root = child


@njit(cache=True)
def _packed_order_groups(x, s, shift, idx, gend):
    """Exact ascending order ``idx`` of ``x`` from its sorted packed words ``s``, and tie groups.

    Equal values share a truncated key, so ties can only sit inside runs of equal truncated keys:
    outside such runs (almost everywhere) no value is read at all; inside them the run is sorted
    exactly and split into groups of equal values. ``gend[i]`` = end (exclusive) of the tie group
    starting at position i (only group starts are written).
    """
    n = x.shape[0]
    low = (np.uint64(1) << np.uint64(shift)) - np.uint64(1)
    sh = np.uint64(shift)
    for i in range(n):
        idx[i] = np.int64(s[i] & low)
    i = np.int64(0)  # not a literal: a literal 0 would compile another _sort_run
    while i < n:
        h = s[i] >> sh
        j = i + 1
        while j < n and (s[j] >> sh) == h:
            j += 1
        if j - i == 1:
            gend[i] = j
        else:
            _sort_run(x, idx, i, j)
            q = i
            while q < j:
                v = x[idx[q]]
                e = q + 1
                while e < j and x[idx[e]] == v:
                    e += 1
                gend[q] = e
                q = e
        i = j


@njit(cache=True)
def ranks_from_packed(x, s, shift, descending, out):
    """Average ranks of ``x`` (n,) from its sorted packed words ``s`` (n,); writes ``out`` (n,).

    One pass: a value of its own (equal values share a truncated key, so a key unlike its
    neighbours' is unique) gets its position as rank without reading ``x``; runs of equal
    truncated keys are sorted exactly and split into tie groups.
    """
    n = x.shape[0]
    low = (np.uint64(1) << np.uint64(shift)) - np.uint64(1)
    sh = np.uint64(shift)
    top = n + 1.0
    i = np.int64(0)  # not a literal: a literal 0 would compile another _sort_run
    buf = np.empty(0, dtype=np.int64)
    while i < n:
        h = s[i] >> sh
        if i + 1 == n or (s[i + 1] >> sh) != h:
            r = i + 1.0
            out[np.int64(s[i] & low)] = top - r if descending else r
            i += 1
            continue
        j = i + 1
        while j < n and (s[j] >> sh) == h:
            j += 1
        if buf.shape[0] == 0:
            buf = np.empty(n, dtype=np.int64)
        for q in range(i, j):
            buf[q] = np.int64(s[q] & low)
        _sort_run(x, buf, i, j)
        q = i
        while q < j:
            v = x[buf[q]]
            e = q + 1
            while e < j and x[buf[e]] == v:
                e += 1
            r = 0.5 * (q + e + 1)
            if descending:
                r = top - r
            for z in range(q, e):
                out[buf[z]] = r
            q = e
        i = j


@parallel_twin
def ranks_rows_packed(x, s, shift, descending):
    """Average ranks of every row of ``x`` (k, n) from its row-sorted packed words ``s``."""
    k, n = x.shape
    out = np.empty((k, n))
    for b in prange(k):
        ranks_from_packed(x[b], s[b], shift, descending, out[b])
    return out


@njit(cache=True)
def _spearman_row_packed(row, srow, shift, bc, sbb, method, buf):
    """Spearman's rho of one row against doubled centred base ranks ``bc`` (int64), in one pass
    over the row's sorted packed words; ``buf`` int64 (n,) scratch for runs of equal keys."""
    n = row.shape[0]
    low = (np.uint64(1) << np.uint64(shift)) - np.uint64(1)
    sh = np.uint64(shift)
    sab = 0
    saa = 0
    sdd = 0
    i = np.int64(0)
    while i < n:
        h = srow[i] >> sh
        if i + 1 == n or (srow[i + 1] >> sh) != h:
            # a value of its own: rank i + 1, doubled centred 2i + 1 - n
            a2 = 2 * i + 1 - n
            bq = bc[np.int64(srow[i] & low)]
            sab += a2 * bq
            saa += a2 * a2
            if method == 1:
                d = a2 - bq
                sdd += d * d
            i += 1
            continue
        j = i + 1
        while j < n and (srow[j] >> sh) == h:
            j += 1
        for q in range(i, j):
            buf[q] = np.int64(srow[q] & low)
        _sort_run(row, buf, i, j)
        q = i
        while q < j:
            v = row[buf[q]]
            e = q + 1
            while e < j and row[buf[e]] == v:
                e += 1
            a2 = q + e - n  # 2 (r - c), r = (q + e + 1) / 2
            sb = 0
            for z in range(q, e):
                bq = bc[buf[z]]
                sb += bq
                if method == 1:
                    d = a2 - bq
                    sdd += d * d
            sab += a2 * sb
            saa += a2 * a2 * (e - q)
            q = e
        i = j
    nf = float(n)
    if method == 1:
        return 1.0 - 6.0 * (0.25 * float(sdd)) / (nf * (nf * nf - 1.0))
    den = math.sqrt(float(saa)) * math.sqrt(float(sbb))
    if den == 0.0:
        return np.nan
    return min(1.0, max(-1.0, float(sab) / den))


@parallel_twin
def spearman_rows_vs_one_fused(x, s, shift, base_ranks, method):
    """Spearman's rho of every row of ``x`` (k, n) against ascending ``base_ranks`` (n,), fused.

    Walks each row's sorted packed words ``s`` once: values of their own (almost all) are ranked
    by position without reading ``x``; runs of equal truncated keys are sorted exactly and split
    into tie groups. Cross sums are accumulated exactly in int64 on doubled centred ranks
    (n <= 2,000,000), without materialising the rank vectors. Same values as
    :func:`spearman_rows_vs_one` (average ranks, then the correlation).
    """
    k, n = x.shape
    bc = np.empty(n, dtype=np.int64)
    sbb = 0
    for i in range(n):
        bc[i] = np.int64(2.0 * base_ranks[i] - (n + 1.0))
        sbb += bc[i] * bc[i]
    out = np.empty(k)
    for b in prange(k):
        buf = np.empty(n, dtype=np.int64)
        out[b] = _spearman_row_packed(x[b], s[b], shift, bc, sbb, method, buf)
    return out


@parallel_twin
def cell_correlations(ranks, method):
    """Spearman matrices and Kendall's W of k rankings in each of c cells.

    ranks : float64 (c, k, n) average ranks (same direction everywhere) -> rho (c, k, k), w (c,).
    """
    c, k, n = ranks.shape
    rho = np.empty((c, k, k))
    w = np.empty(c)
    for q in prange(c):
        for a in range(k):
            rho[q, a, a] = 1.0
            for b in range(a + 1, k):
                v = spearman_from_ranks(ranks[q, a], ranks[q, b], method)
                rho[q, a, b] = v
                rho[q, b, a] = v
        w[q] = kendall_w(ranks[q]) if k >= 2 else np.nan
    return rho, w


@parallel_twin
def competition_ranks_rows_packed(x, s, shift):
    """Descending "min" (competition) ranks of every row: 1 = largest, ties share the best rank.

    x float64 (k, n), s its row-sorted :func:`pack_keys` words -> int64 (k, n).
    """
    k, n = x.shape
    out = np.empty((k, n), dtype=np.int64)
    for b in prange(k):
        row = x[b]
        idx = np.empty(n, dtype=np.int64)
        gend = np.empty(n, dtype=np.int64)
        _packed_order_groups(row, s[b], shift, idx, gend)
        i = 0
        while i < n:
            j = gend[i]
            r = n - j + 1
            for q in range(i, j):
                out[b, idx[q]] = r
            i = j
    return out
