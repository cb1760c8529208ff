"""Agreement between rankings: pair counts (discordant, tied) for every pair of rankings at once.

One count serves Kendall's tau-b, the share of order reversals between two rankings and the
all-pairs Spearman matrix of many cells.

Kernels: numba + numpy only; inputs float64 C-contiguous, finite, already validated.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

#: Length of the insertion-sorted runs that :func:`inversions` merges.
_RUN = 16

__all__ = ["inversions", "tied_pairs_sorted", "inversions_coded", "rank_codes", "pair_counts", "pair_counts_cells", "tau_b_from_counts", "spearman_pairs_cells"]


@njit(cache=True)
def inversions(y, buf):
    """Sort ``y`` in place and return its number of strict inversions (pairs i < k with y_i > y_k;
    equal values are not inversions); ``buf`` is scratch of the same length. O(n log n):
    insertion-sorted runs of ``_RUN``, then a bottom-up stable merge sort with a branch-free merge."""
    n = y.shape[0]
    inv = 0
    # runs of _RUN sorted by insertion (each shift past a strictly greater value is one inversion)
    for lo in range(0, n, _RUN):
        hi = min(n, lo + _RUN)
        for i in range(lo + 1, hi):
            v = y[i]
            k = i - 1
            while k >= lo and y[k] > v:
                y[k + 1] = y[k]
                k -= 1
            y[k + 1] = v
            inv += i - 1 - k
    src = y
    dst = buf
    in_buf = False
    width = _RUN
    while width < n:
        lo = 0
        while lo < n:
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i = lo
            j = mid
            k = lo
            while i < mid and j < hi:  # branch-free merge step (selects, not jumps)
                a = src[i]
                b = src[j]
                take = np.int64(b < a)
                dst[k] = b if take else a
                inv += take * (mid - i)
                j += take
                i += 1 - take
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
    return inv


@njit(cache=True)
def inversions_coded(y2, tree):
    """Strict inversions (i < k, y_i > y_k) of positive integer codes ``y2`` with a Fenwick tree.

    ``tree`` int32 scratch of length > max(y2) (zeroed here). O(n log n), few branches.
    """
    size = tree.shape[0]
    for i in range(size):
        tree[i] = 0
    count = 0
    for i in range(y2.shape[0]):
        v = y2[i]
        s = 0
        j = v
        while j > 0:
            s += tree[j]
            j -= j & (-j)
        count += i - s
        j = v
        while j < size:
            tree[j] += 1
            j += j & (-j)
    return count


@njit(cache=True)
def tied_pairs_sorted(s):
    """Sum over runs of equal values of t (t - 1) / 2: the tied pairs of a sorted vector."""
    n = s.shape[0]
    total = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and s[j] == s[i]:
            j += 1
        total += (j - i) * (j - i - 1) // 2
        i = j
    return total


@njit(cache=True)
def _row_counts(codes, a, out_disc, out_joint, y, tree):
    """Discordant and jointly tied pair counts of row ``a`` of ``codes`` (k, n) against rows b > a.

    ``codes`` are int32 rank codes 1..n (equal for ties, order preserving).
    """
    k, n = codes.shape
    order = np.argsort(codes[a], kind="mergesort")
    xs = codes[a][order]
    # runs tied on row a (usually none)
    run_end = np.empty(n, dtype=np.int64)
    has_runs = False
    i = 0
    while i < n:
        j = i + 1
        while j < n and xs[j] == xs[i]:
            j += 1
        run_end[i] = j
        if j - i > 1:
            has_runs = True
        i = j
    for b in range(a + 1, k):
        cb = codes[b]
        for i in range(n):
            y[i] = cb[order[i]]
        joint = 0
        if has_runs:
            # within runs tied on row a, order by row b: only pairs strictly ordered by a and
            # strictly reversed by b count as inversions; count the joint ties
            i = 0
            while i < n:
                j = run_end[i]
                if j - i > 1:
                    y[i:j] = np.sort(y[i:j])
                    joint += tied_pairs_sorted(y[i:j])
                i = j
        out_joint[a, b] = joint
        out_joint[b, a] = joint
        d = inversions_coded(y, tree)
        out_disc[a, b] = d
        out_disc[b, a] = d


@njit(cache=True)
def rank_codes(r):
    """Integer codes 1..n of average ranks: floor(r) (order preserving, equal exactly for ties:
    a tie group over positions p..q has r = (p + q) / 2 in [p, q])."""
    out = np.empty(r.shape, dtype=np.int32)
    flat_r = r.ravel()
    flat_o = out.ravel()
    for i in range(flat_r.shape[0]):
        flat_o[i] = np.int32(math.floor(flat_r[i]))
    return out


@njit(cache=True)
def pair_counts(r):
    """Pair counts of every pair of rows of ``r`` (k, n) average ranks (one cell).

    Returns
    -------
    discordant : int64 (k, k)
        Pairs of objects ordered strictly one way by row a and strictly the other way by row b.
    joint : int64 (k, k)
        Pairs tied in both rows.
    tied : int64 (k,)
        Pairs tied in each row.

    Notes
    -----
    Per reference row: one sort, then for each other row a gather, a sort of each tied run and
    an inversion count (Fenwick tree on integer rank codes), O(n log n) per pair; the counting
    of Knight (1966) for Kendall's tau.
    """
    k, n = r.shape
    codes = rank_codes(r)
    disc = np.zeros((k, k), dtype=np.int64)
    joint = np.zeros((k, k), dtype=np.int64)
    tied = np.zeros(k, dtype=np.int64)
    y = np.empty(n, dtype=np.int32)
    tree = np.zeros(n + 2, dtype=np.int32)
    for a in range(k):
        tied[a] = tied_pairs_sorted(np.sort(codes[a]))
        _row_counts(codes, a, disc, joint, y, tree)
    return disc, joint, tied


@njit(cache=True, parallel=True)
def pair_counts_cells(r3):
    """:func:`pair_counts` of every cell of ``r3`` (c, k, n) average ranks: parallel over (cell,
    reference row).

    Returns discordant (c, k, k), joint (c, k, k), tied (c, k), all int64.
    """
    c, k, n = r3.shape
    codes = rank_codes(r3)
    disc = np.zeros((c, k, k), dtype=np.int64)
    joint = np.zeros((c, k, k), dtype=np.int64)
    tied = np.zeros((c, k), dtype=np.int64)
    for q in prange(c * k):
        cell = q // k
        a = q % k
        y = np.empty(n, dtype=np.int32)
        tree = np.zeros(n + 2, dtype=np.int32)
        tied[cell, a] = tied_pairs_sorted(np.sort(codes[cell, a]))
        _row_counts(codes[cell], a, disc[cell], joint[cell], y, tree)
    return disc, joint, tied


@njit(cache=True)
def tau_b_from_counts(disc, joint, tied, n):
    """Kendall's tau-b matrix from :func:`pair_counts` (diagonal 1; NaN for a constant row).

    tau_b = (n0 - n1 - n2 + n3 - 2 n_d) / sqrt((n0 - n1)(n0 - n2)), n0 = n(n-1)/2, n1 / n2 pairs
    tied in a / b, n3 tied in both, n_d discordant (Knight 1966; ``scipy.stats.kendalltau``).
    """
    k = tied.shape[0]
    n0 = n * (n - 1) // 2
    out = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            if a == b:
                out[a, b] = 1.0 if n0 - tied[a] > 0 else np.nan
                continue
            den = float(n0 - tied[a]) * float(n0 - tied[b])
            if den <= 0.0:
                out[a, b] = np.nan
                continue
            t = float(n0 - tied[a] - tied[b] + joint[a, b] - 2 * disc[a, b]) / math.sqrt(den)
            out[a, b] = min(1.0, max(-1.0, t))
    return out


@njit(cache=True, parallel=True)
def spearman_pairs_cells(r3):
    """Spearman's rho (Pearson correlation of the ranks) of every pair of rows in every cell.

    r3 float64 (c, k, n) average ranks -> (c, k, k); NaN where a row is constant. Each row is
    centred once; entry a, b = sum (r_a - mean)(r_b - mean) / sqrt(ss_a ss_b).
    """
    c, k, n = r3.shape
    out = np.empty((c, k, k))
    for q in prange(c):
        z = np.empty((k, n))
        ss = np.empty(k)
        for a in range(k):
            m = 0.0
            for i in range(n):
                m += r3[q, a, i]
            m /= n
            s = 0.0
            for i in range(n):
                d = r3[q, a, i] - m
                z[a, i] = d
                s += d * d
            ss[a] = s
        for a in range(k):
            for b in range(a, k):
                s = 0.0
                for i in range(n):
                    s += z[a, i] * z[b, i]
                den = math.sqrt(ss[a] * ss[b])
                v = s / den if den > 0.0 else np.nan
                if v > 1.0:
                    v = 1.0
                elif v < -1.0:
                    v = -1.0
                out[q, a, b] = v
                out[q, b, a] = v
    return out
