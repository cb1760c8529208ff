"""Rank kernels: average ranks, Spearman's rho, Kendall's tau-b and W, batched forms.

Kernels: numba + numpy only; inputs float64 / int64, C-contiguous, finite, already validated.
Sorting: numpy's SIMD sorts beat numba's argsort 2-4x (PERF-NOTES), so the API layer may pass
in an ``order`` computed by ``np.argsort``; each kernel that needs one also has a self-contained
variant that sorts with numba.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

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
    "cell_rank_stats",
    "drift_degree",
    "drift_degree_cells",
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
    Average ranks always have mean (n + 1) / 2, so
    rho = sum (a - c)(b - c) / sqrt(sum (a - c)^2 sum (b - c)^2), c = (n + 1) / 2.
    Returns NaN when a vector is constant. Same value as ``scipy.stats.spearmanr``.
    """
    n = ra.shape[0]
    c = 0.5 * (n + 1.0)
    sab = 0.0
    saa = 0.0
    sbb = 0.0
    for i in range(n):
        a = ra[i] - c
        b = rb[i] - c
        sab += a * b
        saa += a * a
        sbb += b * b
    den = math.sqrt(saa * sbb)
    if den == 0.0:
        return np.nan
    r = sab / den
    if r > 1.0:
        r = 1.0
    elif r < -1.0:
        r = -1.0
    return r


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


@njit(cache=True, parallel=True)
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
def _tie_pairs_sorted(s):
    """Sum over runs of equal values of t (t - 1) / 2, for a sorted vector."""
    n = s.shape[0]
    total = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and s[j] == s[i]:
            j += 1
        t = j - i
        total += t * (t - 1) // 2
        i = j
    return total


@njit(cache=True)
def _merge_sort_swaps(y):
    """Sort ``y`` in place (bottom-up, stable merge sort) and return the number of inversions.

    An inversion is a pair i < k with y_i > y_k (ties are not inversions).
    """
    n = y.shape[0]
    buf = np.empty(n)
    src = y
    dst = buf
    swaps = 0
    in_buf = False
    width = 1
    while width < n:
        lo = 0
        while lo < n:
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i = lo
            j = mid
            k = lo
            while i < mid and j < hi:
                if src[j] < src[i]:
                    dst[k] = src[j]
                    swaps += mid - i
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
            lo = hi
        tmp = src
        src = dst
        dst = tmp
        in_buf = not in_buf
        width *= 2
    if in_buf:
        y[:] = buf
    return swaps


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
    n1 = _tie_pairs_sorted(xs)
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
    n2 = _tie_pairs_sorted(y)
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
    Kendall & Babington Smith (1939); Siegel & Castellan (1988) sec. 9.4.
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
    tsum = 0.0
    for j in range(k):
        srt = np.sort(ranks[j])
        i = 0
        while i < n:
            e = i + 1
            while e < n and srt[e] == srt[i]:
                e += 1
            t = float(e - i)
            tsum += t * t * t - t
            i = e
    nf = float(n)
    kf = float(k)
    den = kf * kf * (nf * nf * nf - nf) - kf * tsum
    if den <= 0.0:
        return np.nan
    w = 12.0 * s / den
    if w > 1.0:
        w = 1.0
    return w


@njit(cache=True, parallel=True)
def cell_rank_stats(scores, method):
    """Rank statistics of k methods' scores in each of c cells.

    Parameters
    ----------
    scores : float64 (c, k, n), finite.
    method : int, PEARSON or D2.

    Returns
    -------
    ranks : float64 (c, k, n), descending average ranks (1 = best).
    rho : float64 (c, k, k) Spearman matrices (NaN for a constant score vector).
    w : float64 (c,) Kendall's W of the k rankings (NaN if k < 2).
    """
    c, k, n = scores.shape
    ranks = np.empty((c, k, n))
    rho = np.empty((c, k, k))
    w = np.empty(c)
    for q in prange(c):
        for a in range(k):
            row = scores[q, a]
            average_ranks_from_order(row, np.argsort(row), True, ranks[q, a])
        for a in range(k):
            for b in range(k):
                if a == b:
                    rho[q, a, b] = 1.0
                elif b < a:
                    rho[q, a, b] = rho[q, b, a]
                else:
                    rho[q, a, b] = spearman_from_ranks(ranks[q, a], ranks[q, b], method)
        w[q] = kendall_w(ranks[q]) if k >= 2 else np.nan
    return ranks, rho, w


@njit(cache=True)
def drift_degree(u, ranks, method, tie_tol):
    """Drift-degree combination of k methods' scores of n objects.

    Parameters
    ----------
    u : float64 (k, n) scores of the methods being combined (k >= 1).
    ranks : float64 (k, n) ascending average ranks of ``u``, or an empty (0, n) array to rank
        here.
    method : int, PEARSON or D2.
    tie_tol : float; drifts within ``tie_tol`` of each other count as equal.

    Returns
    -------
    r : float64 (k,) Spearman(u_j, ref), ref = mean over methods of u.
    drift : float64 (k,) p_j = 1 - r_j.
    w : float64 (k,) method weights.
    combined : float64 (n,) sum_j w_j u_j.
    equal : bool, True when every drift was equal (weights set to 1/k).

    Notes
    -----
    w_j = (min p + max p - p_j) / sum_l (min p + max p - p_l) (Xia, Li, Yin 2020, sec. 3.1.1).
    When max p - min p <= tie_tol the formula is 0/0 or decided by rounding noise: equal
    weights are used instead and ``equal`` is set (the API warns).
    """
    k, n = u.shape
    ref = np.zeros(n)
    for j in range(k):
        for i in range(n):
            ref[i] += u[j, i]
    for i in range(n):
        ref[i] /= k
    ref_r = np.empty(n)
    average_ranks_from_order(ref, np.argsort(ref), False, ref_r)
    r = np.empty(k)
    rj = np.empty(n)
    for j in range(k):
        if ranks.shape[0] == k:
            for i in range(n):
                rj[i] = ranks[j, i]
        else:
            average_ranks_from_order(u[j], np.argsort(u[j]), False, rj)
        r[j] = spearman_from_ranks(rj, ref_r, method)
    drift = np.empty(k)
    for j in range(k):
        drift[j] = 1.0 - r[j]
    lo = drift.min()
    hi = drift.max()
    w = np.empty(k)
    equal = False
    if not (hi - lo > tie_tol):
        equal = True
        for j in range(k):
            w[j] = 1.0 / k
    else:
        total = 0.0
        for j in range(k):
            w[j] = lo + hi - drift[j]
            total += w[j]
        for j in range(k):
            w[j] /= total
    combined = np.zeros(n)
    for j in range(k):
        for i in range(n):
            combined[i] += w[j] * u[j, i]
    return r, drift, w, combined, equal


@njit(cache=True, parallel=True)
def drift_degree_cells(scores, keep, minmax, method, tie_tol):
    """Drift-degree combination in each of c cells over the kept methods.

    Parameters
    ----------
    scores : float64 (c, k, n); keep : bool (c, k), at least one True per cell.
    minmax : bool, min-max each method's scores over the n objects first (constant -> 0).
    method : int, PEARSON or D2; tie_tol : float.

    Returns
    -------
    r, drift, w : float64 (c, k), NaN / NaN / 0 for methods not kept.
    combined : float64 (c, n).
    equal : bool (c,).
    """
    c, k, n = scores.shape
    r_out = np.full((c, k), np.nan)
    d_out = np.full((c, k), np.nan)
    w_out = np.zeros((c, k))
    comb = np.empty((c, n))
    equal = np.zeros(c, dtype=np.bool_)
    for q in prange(c):
        kk = 0
        for j in range(k):
            if keep[q, j]:
                kk += 1
        u = np.empty((kk, n))
        pos = np.empty(kk, dtype=np.int64)
        a = 0
        for j in range(k):
            if keep[q, j]:
                pos[a] = j
                if minmax:
                    lo = scores[q, j].min()
                    hi = scores[q, j].max()
                    for i in range(n):
                        u[a, i] = (scores[q, j, i] - lo) / (hi - lo) if hi > lo else 0.0
                else:
                    for i in range(n):
                        u[a, i] = scores[q, j, i]
                a += 1
        r, drift, w, cb, eq = drift_degree(u, np.empty((0, n)), method, tie_tol)
        for a in range(kk):
            r_out[q, pos[a]] = r[a]
            d_out[q, pos[a]] = drift[a]
            w_out[q, pos[a]] = w[a]
        comb[q] = cb
        equal[q] = eq and kk >= 2
    return r_out, d_out, w_out, comb, equal
