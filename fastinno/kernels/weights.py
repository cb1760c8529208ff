"""Objective indicator weights: entropy weight method and maximum deviation method.

Kernels: numba + numpy only. Inputs are float64, C-contiguous, already validated by the API
layer (rows = objects/regions, columns = indicators).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import normalize as kn

__all__ = [
    "column_entropy",
    "entropy_weights",
    "pairwise_abs_sums",
    "pairwise_abs_sums_sorted",
    "max_deviation_weights",
    "column_entropy_logs",
    "row_entropy_logs",
    "transpose_blocked",
    "log_nonneg",
    "column_entropy_sums",
]


@njit(cache=True)
def column_entropy(p):
    """Normalised Shannon entropy of every column.

    Parameters
    ----------
    p : float64 (n, m), non-negative, n >= 2; input already validated.

    Returns
    -------
    h : float64 (m,)

    Notes
    -----
    f_ij = p_ij / sum_i p_ij, h_j = -(1/ln n) sum_i f_ij ln f_ij with 0 ln 0 = 0.
    A column summing to zero (a constant indicator after min-max) carries no information and gets
    h_j = 1 by definition. Source: Xia, Li, Yin (2020) Sustainability 12(7) 2739, sec. 3.1.1.
    """
    n, m = p.shape
    s = np.zeros(m)
    for i in range(n):
        for j in range(m):
            s[j] += p[i, j]
    acc = np.zeros(m)
    for i in range(n):
        for j in range(m):
            v = p[i, j]
            if v > 0.0:
                f = v / s[j]
                acc[j] += f * math.log(f)
    k = 1.0 / math.log(n)
    h = np.empty(m)
    for j in range(m):
        h[j] = 1.0 if s[j] == 0.0 else -k * acc[j]
    return h


@njit(cache=True)
def entropy_weights(p):
    """Entropy weights w_j = (1 - h_j) / (m - sum_j h_j).

    Parameters
    ----------
    p : float64 (n, m), non-negative, n >= 2, not every column uniform; input already validated.

    Returns
    -------
    w : float64 (m,), w >= 0, sum 1.

    Notes
    -----
    h_j from :func:`column_entropy`. Source: Xia, Li, Yin (2020) sec. 3.1.1; Zavadskas &
    Podvezko (2016) IJITDM 15(2) 267-283.
    """
    h = column_entropy(p)
    m = h.shape[0]
    d = np.empty(m)
    total = 0.0
    for j in range(m):
        v = 1.0 - h[j]
        # rounding can leave -1e-16 for a perfectly uniform column
        d[j] = v if v > 0.0 else 0.0
        total += d[j]
    for j in range(m):
        d[j] /= total
    return d


@njit(cache=True)
def pairwise_abs_sums_sorted(s):
    """Sum over ordered pairs of absolute differences, from sorted rows.

    Parameters
    ----------
    s : float64 (m, n); every row sorted ascending; input already validated.

    Returns
    -------
    d : float64 (m,), d_j = sum_i sum_k |s_ji - s_jk|.

    Notes
    -----
    With v_(0) <= ... <= v_(n-1): sum_i sum_k |v_i - v_k| = 2 sum_i (2i - n + 1) v_(i)
    (0-based i), O(n) after the O(n log n) sort.
    """
    m, n = s.shape
    d = np.empty(m)
    for j in range(m):
        acc = 0.0
        for i in range(n):
            acc += (2.0 * i - n + 1.0) * s[j, i]
        d[j] = 2.0 * acc
    return d


@njit(cache=True)
def pairwise_abs_sums(v):
    """Sum over ordered pairs of absolute differences per column: (n, m) -> (m,).

    Sorts each column (O(n log n)) then applies :func:`pairwise_abs_sums_sorted`.
    """
    n, m = v.shape
    s = np.empty((m, n))
    for j in range(m):
        col = np.empty(n)
        for i in range(n):
            col[i] = v[i, j]
        s[j] = np.sort(col)
    return pairwise_abs_sums_sorted(s)


@njit(cache=True)
def _normalise_sums(d):
    total = 0.0
    for j in range(d.shape[0]):
        total += d[j]
    out = np.empty_like(d)
    for j in range(d.shape[0]):
        out[j] = d[j] / total
    return out


@njit(cache=True)
def max_deviation_weights(v):
    """Maximum deviation weights w_j = D_j / sum_j D_j, D_j = sum_i sum_k |v_ij - v_kj|.

    Parameters
    ----------
    v : float64 (n, m); not every column constant; input already validated.

    Returns
    -------
    w : float64 (m,), w >= 0, sum 1.

    Notes
    -----
    Wang Yingming (1998) maximising-deviation method, as used by Xia, Li, Yin (2020) sec. 3.1.1.
    D_j in O(n log n) by the sorted prefix formula (:func:`pairwise_abs_sums_sorted`).
    """
    return _normalise_sums(pairwise_abs_sums(v))


@njit(cache=True)
def column_entropy_logs(p, logp):
    """:func:`column_entropy` with the logarithms precomputed: ``logp = log(p)`` where p > 0.

    numba from PyPI has no SVML, so ``np.log`` on the whole array (SIMD) is several times faster
    than scalar logs in the loop. Uses f ln f = f (ln p - ln s), s = column sum;
    entries with p = 0 are skipped (0 ln 0 = 0), so ``logp`` there may hold anything.
    """
    n, m = p.shape
    s = np.zeros(m)
    for i in range(n):
        for j in range(m):
            s[j] += p[i, j]
    ls = np.empty(m)
    for j in range(m):
        ls[j] = math.log(s[j]) if s[j] > 0.0 else 0.0
    acc = np.zeros(m)
    for i in range(n):
        for j in range(m):
            v = p[i, j]
            if v > 0.0:
                acc[j] += (v / s[j]) * (logp[i, j] - ls[j])
    k = 1.0 / math.log(n)
    h = np.empty(m)
    for j in range(m):
        h[j] = 1.0 if s[j] == 0.0 else -k * acc[j]
    return h


@njit(cache=True)
def row_entropy_logs(x, logx):
    """Normalised entropy of every row: x (r, n) >= 0, logx = log(x) where x > 0 -> h (r,).

    The row form of :func:`column_entropy_logs` (rows = (year, indicator) series of n objects,
    contiguous). h = -(1/ln n) sum_i f_i (ln x_i - ln s), f = x / s, s = row sum; s = 0 -> h = 1.
    """
    r, n = x.shape
    h = np.empty(r)
    c = 1.0 / math.log(n)
    for q in range(r):
        s = 0.0
        for i in range(n):
            s += x[q, i]
        if s == 0.0:
            h[q] = 1.0
            continue
        ls = math.log(s)
        acc = 0.0
        for i in range(n):
            v = x[q, i]
            if v > 0.0:
                acc += (v / s) * (logx[q, i] - ls)
        h[q] = -c * acc
    return h


@njit(cache=True)
def transpose_blocked(v):
    """Blocked transpose of a C-contiguous (n, m) matrix -> C-contiguous (m, n).

    numpy's strided copy of a tall, narrow matrix is slow; tiles of 64 rows keep both sides in
    cache. Used to sort every column of ``v`` as a contiguous row.
    """
    n, m = v.shape
    out = np.empty((m, n))
    step = 64
    for i0 in range(0, n, step):
        i1 = min(n, i0 + step)
        for j in range(m):
            for i in range(i0, i1):
                out[j, i] = v[i, j]
    return out


# log(x) for finite x >= 0 as in fdlibm's e_log.c (Sun Microsystems, 1993): x = 2^k (1 + f) with
# sqrt(2)/2 <= 1 + f < sqrt(2), log(1 + f) = f - s (f - R(s^2)), s = f / (2 + f), R a degree-14
# minimax polynomial; k ln 2 in two parts. Error < 1 ulp. Branch-free (subnormals are scaled by
# 2^54 with a select), so loops calling it vectorise: numba from PyPI has no vector log (SVML).
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_TINY = 2.2250738585072014e-308  # smallest normal double
_TWO54 = 18014398509481984.0
_HIGH_MANT = np.uint64(0x000FFFFF00000000)
_LOW_WORD = np.uint64(0x00000000FFFFFFFF)
_SQRT2_ROUND = np.uint64(0x00095F6400000000)  # moves 1 + f into [sqrt(2)/2, sqrt(2))
_EXP_ONE = np.uint64(0x0010000000000000)
_ONE_BITS = np.uint64(0x3FF0000000000000)
_MAGIC = np.uint64(0x4330000000000000)  # 2^52: integer -> double without a (scalar) conversion
_S52 = np.uint64(52)
_EXP_MASK = np.uint64(0x7FF)
#: Values per logarithm loop in :func:`column_entropy_sums` (a 16 KiB scratch per block).
_LOG_CHUNK = 2048


@njit(cache=True, inline="always")
def log_nonneg(x):
    """Natural logarithm of a finite x >= 0 (x = 0 gives a finite garbage value, not -inf).

    fdlibm's algorithm (< 1 ulp from the true value), written without branches so that a loop
    calling it vectorises. Callers must mask the x = 0 case (0 ln 0 = 0 in the entropy).
    """
    small = x < _TINY
    xs = x * _TWO54 if small else x
    u = np.float64(xs).view(np.uint64)
    e = (u >> _S52) & _EXP_MASK
    hx = u & _HIGH_MANT
    j = (hx + _SQRT2_ROUND) & _EXP_ONE
    mant = np.uint64((hx | (j ^ _ONE_BITS)) | (u & _LOW_WORD)).view(np.float64)
    # k = e - 1023 + (j >> 52), as a double via the 2^52 trick
    k = np.uint64(_MAGIC | (e + (j >> _S52))).view(np.float64) - 4503599627371519.0
    k = k - 54.0 if small else k
    f = mant - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    r = t2 + t1
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)


@njit(cache=True, parallel=True, error_model="numpy")
def column_entropy_sums(p, s):
    """:func:`column_entropy` from the column sums ``s`` of ``p``, in one parallel pass.

    Parameters
    ----------
    p : float64 (n, m), >= 0, n >= 2; input already validated.
    s : float64 (m,), column sums of ``p`` (e.g. from ``normalize.matrix_stats``).

    Returns
    -------
    h : float64 (m,), h_j = -(1/ln n) sum_i f_ij (ln p_ij - ln s_j), f = p / s; 1 where s_j = 0.

    Notes
    -----
    Row blocks (``normalize.block_rows``) in parallel; each block sums its terms per column and
    the block sums are added in block order, so h does not depend on the thread count. The
    logarithm is :func:`log_nonneg` (vectorised); entries with p = 0 add 0 (0 ln 0 = 0).
    Source: Xia, Li, Yin (2020) Sustainability 12(7) 2739, sec. 3.1.1.
    """
    n, m = p.shape
    rows, nb = kn.block_rows(n, m)
    ls = np.empty(m)
    for j in range(m):
        ls[j] = math.log(s[j]) if s[j] > 0.0 else 0.0
    part = np.zeros((nb, m))
    flat = p.reshape(-1)
    sub = max(1, _LOG_CHUNK // m)  # rows whose logs are taken in one long (vectorised) loop
    for b in prange(nb):
        bb = np.int64(b)
        lg = np.empty(sub * m)
        for i0 in range(bb * rows, min(n, (bb + 1) * rows), sub):
            i1 = min(n, (bb + 1) * rows, i0 + sub)
            base = i0 * m
            for k in range((i1 - i0) * m):
                lg[k] = log_nonneg(flat[base + k])
            for i in range(i0, i1):
                o = (i - i0) * m
                for j in range(m):
                    v = p[i, j]
                    term = (v / s[j]) * (lg[o + j] - ls[j])
                    part[bb, j] += term if v > 0.0 else 0.0
    k = 1.0 / math.log(n)
    h = np.empty(m)
    for j in range(m):
        acc = 0.0
        for b in range(nb):
            acc += part[b, j]
        h[j] = 1.0 if s[j] == 0.0 else -k * acc
    return h
