"""Rank similarity kernels: Kendall's tau-a and tau-c, Goodman-Kruskal gamma, weighted Spearman
r_w, the WS coefficient and Pearson's r; single pairs and all pairs of rows.

Kernels: numba + numpy only; inputs float64 C-contiguous, finite, already validated. Rankings are
1 = best (average ranks for ties allowed). The tau / gamma family counts concordant and
discordant pairs in O(n log n) (Knight 1966): sort by (x, y), count the inversions of y with a
merge sort. All-pairs kernels take ``r`` ``(c, k, n)`` (c cells of k rankings) and return
``(c, k, k)``, parallel over the (cell, pair) index.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import agreement as ka

__all__ = [
    "TAU_A",
    "TAU_C",
    "GAMMA",
    "sign_pair_counts",
    "sign_pair_counts_ordered",
    "tau_from_counts",
    "tau_family",
    "tau_family_pairs",
    "weighted_spearman",
    "weighted_spearman_pairs",
    "ws_coefficient",
    "ws_coefficient_pairs",
    "pearson",
    "pearson_pairs",
]

#: Length of the insertion-sorted runs the merge sort starts from.

#: Coefficients of the concordance family (int constants for kernels).
TAU_A = 0
TAU_C = 1
GAMMA = 2


@njit(cache=True)
def _runs(s):
    """(tied pairs sum t(t-1)/2, number of distinct values) of a sorted vector."""
    n = s.shape[0]
    pairs = 0
    distinct = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and s[j] == s[i]:
            j += 1
        t = j - i
        pairs += t * (t - 1) // 2
        distinct += 1
        i = j
    return pairs, distinct


@njit(cache=True)
def sign_pair_counts_ordered(x, y, order, ys, buf):
    """Concordance counts of (x, y) given ``order``, the permutation sorting x ascending.

    Parameters
    ----------
    x, y : float64 (n,).
    order : int64 (n,), ``x[order]`` ascending (any order among ties).
    ys, buf : float64 (n,) scratch.

    Returns
    -------
    counts : int64 (8,): n0 = n(n-1)/2, n1 ties in x, n2 ties in y, n3 joint ties,
        D discordant pairs, distinct x values, distinct y values, n.

    Notes
    -----
    Within each run of equal x the y values are sorted, so the data are in (x, y) order; the
    strict inversions of y are then exactly the discordant pairs (Knight 1966, JASA 61(314)
    436-439). Concordant C = n0 - n1 - n2 + n3 - D.
    """
    n = x.shape[0]
    out = np.zeros(8, dtype=np.int64)
    n1 = 0
    n3 = 0
    dx = 0
    i = 0
    while i < n:
        xi = x[order[i]]
        j = i
        while j < n and x[order[j]] == xi:
            ys[j] = y[order[j]]
            j += 1
        t = j - i
        n1 += t * (t - 1) // 2
        dx += 1
        if t > 1:
            run = np.sort(ys[i:j])
            ys[i:j] = run
            a = 0
            while a < t:
                b = a + 1
                while b < t and run[b] == run[a]:
                    b += 1
                n3 += (b - a) * (b - a - 1) // 2
                a = b
        i = j
    d = ka.inversions(ys, buf)
    n2, dy = _runs(ys)
    out[0] = n * (n - 1) // 2
    out[1] = n1
    out[2] = n2
    out[3] = n3
    out[4] = d
    out[5] = dx
    out[6] = dy
    out[7] = n
    return out


@njit(cache=True)
def sign_pair_counts(x, y):
    """:func:`sign_pair_counts_ordered` with the order of x computed here (stable sort)."""
    n = x.shape[0]
    order = np.argsort(x, kind="mergesort")
    return sign_pair_counts_ordered(x, y, order, np.empty(n), np.empty(n))


@njit(cache=True)
def tau_from_counts(counts, code):
    """tau-a, tau-c or gamma from :func:`sign_pair_counts`; NaN where undefined.

    tau-a = (C - D) / n0 (Kendall 1938); tau-c = 2 (C - D) / (n^2 (q - 1) / q), q = min(distinct
    x, distinct y) (Stuart 1953, Biometrika 40, 106-108; scipy.stats.kendalltau(variant='c'));
    gamma = (C - D) / (C + D) (Goodman & Kruskal 1954, JASA 49(268) 732-764).
    """
    n0 = counts[0]
    d = counts[4]
    cd = n0 - counts[1] - counts[2] + counts[3]  # C + D
    s = float(cd - 2 * d)  # C - D
    if code == TAU_A:
        return s / n0 if n0 > 0 else np.nan
    if code == TAU_C:
        q = min(counts[5], counts[6])
        if q < 2:
            return np.nan
        n = float(counts[7])
        return 2.0 * s / (n * n * (q - 1.0) / q)
    return s / cd if cd > 0 else np.nan


@njit(cache=True)
def tau_family(x, y, code):
    """tau-a (``TAU_A``), tau-c (``TAU_C``) or gamma (``GAMMA``) of two vectors, O(n log n)."""
    return tau_from_counts(sign_pair_counts(x, y), code)


@njit(cache=True, parallel=True)
def tau_family_pairs(r, code):
    """The (c, k, k) matrix of ``code`` between all pairs of rows of r (c, k, n); diagonal from the counts.

    Each row's sorting order is computed once; each pair (a <= b) then costs one merge sort.
    """
    c, k, n = r.shape
    orders = np.empty((c, k, n), dtype=np.int64)
    for u in prange(c * k):
        cell = u // k
        a = u - cell * k
        orders[cell, a] = np.argsort(r[cell, a], kind="mergesort")
    npairs = k * (k + 1) // 2
    out = np.empty((c, k, k))
    for u in prange(c * npairs):
        cell = u // npairs
        p = u - cell * npairs
        # p -> (a, b) with a <= b, row-major over the upper triangle
        a = 0
        rem = p
        while rem >= k - a:
            rem -= k - a
            a += 1
        b = a + rem
        ys = np.empty(n)
        buf = np.empty(n)
        v = tau_from_counts(
            sign_pair_counts_ordered(r[cell, a], r[cell, b], orders[cell, a], ys, buf), code
        )
        out[cell, a, b] = v
        out[cell, b, a] = v
    return out


@njit(cache=True)
def weighted_spearman(x, y):
    """Weighted Spearman r_w of two rankings (1 = best).

    r_w = 1 - 6 sum_i (x_i - y_i)^2 ((n - x_i + 1) + (n - y_i + 1)) / (n^4 + n^3 - n^2 - n).
    Pinto da Costa & Soares (2005) ANZ J Stat 47(4) 515-529; Dancelli, Manisera, Vezzoli
    (2013); as pymcdm 1.4.0 ``weighted_spearman``.
    """
    n = x.shape[0]
    acc = 0.0
    for i in range(n):
        d = x[i] - y[i]
        acc += d * d * ((n - x[i] + 1.0) + (n - y[i] + 1.0))
    nf = float(n)
    return 1.0 - 6.0 * acc / (nf**4 + nf**3 - nf**2 - nf)


@njit(cache=True, parallel=True)
def weighted_spearman_pairs(r):
    """(c, k, k) r_w of all pairs of rows of r (c, k, n); symmetric, diagonal 1.

    Notes
    -----
    With u, v two rows and q = 2n + 2, (u - v)^2 (q - u - v) = (q u^2 - u^3) + (q v^2 - v^3)
    + u^2 v + u v^2 - 2 q u v, so every numerator comes from per-row sums and two matrix
    products per cell, U^2 U^T and U U^T (BLAS). Exact in float64 for integer or half-integer
    ranks up to n ~ 10^5 (every term is a multiple of 1/8 below 2^53 / 8).
    """
    c, k, n = r.shape
    q = 2.0 * n + 2.0
    nf = float(n)
    den = nf**4 + nf**3 - nf**2 - nf
    t = np.empty((c, k))
    r2 = np.empty((c, k, n))
    for u in prange(c * k):
        cell = u // k
        a = u - cell * k
        acc = 0.0
        for i in range(n):
            x = r[cell, a, i]
            x2 = x * x
            r2[cell, a, i] = x2
            acc += q * x2 - x2 * x
        t[cell, a] = acc
    out = np.empty((c, k, k))
    for cell in range(c):
        rc = r[cell]
        s1 = np.dot(r2[cell], rc.T)  # s1[a, b] = sum_i u_a^2 u_b
        s2 = np.dot(rc, rc.T)
        for a in range(k):
            out[cell, a, a] = 1.0
            for b in range(a + 1, k):
                num = t[cell, a] + t[cell, b] + s1[a, b] + s1[b, a] - 2.0 * q * s2[a, b]
                v = 1.0 - 6.0 * num / den
                out[cell, a, b] = v
                out[cell, b, a] = v
    return out


@njit(cache=True)
def _ws_weights(x, out):
    """2^-x_i / max(|x_i - 1|, |x_i - n|), the WS weight of each position of the reference."""
    n = x.shape[0]
    for i in range(n):
        out[i] = math.pow(2.0, -x[i]) / max(abs(x[i] - 1.0), abs(x[i] - n))


@njit(cache=True)
def ws_coefficient(x, y):
    """WS rank similarity of ``y`` to the reference ranking ``x`` (1 = best), n >= 2.

    WS = 1 - sum_i 2^-x_i |x_i - y_i| / max(|x_i - 1|, |x_i - n|).
    Salabun & Urbaniak (2020) ICCS 2020, LNCS 12138, 632-645, eq. (5).
    """
    n = x.shape[0]
    w = np.empty(n)
    _ws_weights(x, w)
    acc = 0.0
    for i in range(n):
        acc += w[i] * abs(x[i] - y[i])
    return 1.0 - acc


@njit(cache=True, parallel=True)
def ws_coefficient_pairs(r):
    """(c, k, k) WS with row ``a`` as the reference at ``[cell, a, b]``; diagonal 1."""
    c, k, n = r.shape
    w = np.empty((c, k, n))
    for u in prange(c * k):
        cell = u // k
        a = u - cell * k
        _ws_weights(r[cell, a], w[cell, a])
    out = np.empty((c, k, k))
    for u in prange(c * k):
        cell = u // k
        a = u - cell * k
        for b in range(k):
            acc = 0.0
            for i in range(n):
                acc += w[cell, a, i] * abs(r[cell, a, i] - r[cell, b, i])
            out[cell, a, b] = 1.0 - acc
    return out


@njit(cache=True)
def _centered_unit(x, out):
    """x - mean(x) scaled to unit norm into ``out``; returns False when x is constant."""
    n = x.shape[0]
    s = 0.0
    for i in range(n):
        s += x[i]
    mu = s / n
    ss = 0.0
    for i in range(n):
        d = x[i] - mu
        out[i] = d
        ss += d * d
    if not ss > 0.0:
        return False
    f = 1.0 / math.sqrt(ss)
    for i in range(n):
        out[i] *= f
    return True


@njit(cache=True)
def pearson(x, y):
    """Pearson's r of two vectors (two-pass, centred); NaN when either is constant."""
    n = x.shape[0]
    a = np.empty(n)
    b = np.empty(n)
    if not _centered_unit(x, a) or not _centered_unit(y, b):
        return np.nan
    acc = 0.0
    for i in range(n):
        acc += a[i] * b[i]
    return min(1.0, max(-1.0, acc))


@njit(cache=True, parallel=True)
def pearson_pairs(r):
    """(c, k, k) Pearson's r of all pairs of rows of r (c, k, n); NaN rows/columns for constant rows.

    Rows are centred and scaled to unit norm once; the matrix is then one BLAS product per cell.
    """
    c, k, n = r.shape
    z = np.empty((c, k, n))
    ok = np.empty((c, k), dtype=np.bool_)
    for u in prange(c * k):
        cell = u // k
        a = u - cell * k
        ok[cell, a] = _centered_unit(r[cell, a], z[cell, a])
    out = np.empty((c, k, k))
    for cell in range(c):
        zc = z[cell]
        out[cell] = np.dot(zc, zc.T)
    for cell in range(c):  # the upper triangle, clipped, mirrored (exactly symmetric)
        for a in range(k):
            for b in range(a, k):
                v = out[cell, a, b]
                v = min(1.0, max(-1.0, v)) if ok[cell, a] and ok[cell, b] else np.nan
                out[cell, a, b] = v
                out[cell, b, a] = v
    return out
