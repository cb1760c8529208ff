"""Grey relational analysis and weighted-sum scores on a normalised matrix.

TOPSIS closeness lives in :mod:`fastinno.kernels.distance` (``topsis_closeness_matrix``).

Kernels: numba + numpy only. Inputs float64, C-contiguous, already validated
(rows = objects/regions, columns = indicators, larger = better after normalisation).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .twins import parallel_twin

__all__ = [
    "grey_relational_coefficients",
    "grey_relational_grades",
    "weighted_sum",
    "cell_scores",
    "series_major",
    "M_ENTROPY",
    "M_MAX_DEVIATION",
    "M_TOPSIS",
    "M_GRA",
]


@njit(cache=True)
def _deltas(p):
    """Column maxima of p and the global min / max of |max_j - p_ij|."""
    n, m = p.shape
    ref = p[0].copy()
    for i in range(1, n):
        for j in range(m):
            if p[i, j] > ref[j]:
                ref[j] = p[i, j]
    dmin = np.inf
    dmax = -np.inf
    for i in range(n):
        for j in range(m):
            d = ref[j] - p[i, j]
            if d < dmin:
                dmin = d
            if d > dmax:
                dmax = d
    return ref, dmin, dmax


@njit(cache=True)
def grey_relational_coefficients(p, rho):
    """Grey relational coefficients against the column ideal.

    Parameters
    ----------
    p : float64 (n, m), normalised (larger = better); not all of it equal to its column maxima.
    rho : float, distinguishing coefficient in (0, 1].

    Returns
    -------
    xi : float64 (n, m)

    Notes
    -----
    Reference x0_j = max_i p_ij; D_ij = |x0_j - p_ij|; D_min, D_max global over the matrix;
    xi_ij = (D_min + rho D_max) / (D_ij + rho D_max). Deng (1982); Xia, Li, Yin (2020) sec. 3.1.1.
    """
    n, m = p.shape
    ref, dmin, dmax = _deltas(p)
    a = dmin + rho * dmax
    b = rho * dmax
    xi = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            xi[i, j] = a / ((ref[j] - p[i, j]) + b)
    return xi


@njit(cache=True)
def grey_relational_grades(p, w, rho):
    """Grey relational grades gamma_i = sum_j w_j xi_ij: p (n, m), w (m,) -> (n,).

    See :func:`grey_relational_coefficients`; w >= 0 summing to 1.
    """
    n, m = p.shape
    ref, dmin, dmax = _deltas(p)
    a = dmin + rho * dmax
    b = rho * dmax
    out = np.empty(n)
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += w[j] * (a / ((ref[j] - p[i, j]) + b))
        out[i] = acc
    return out


@njit(cache=True)
def weighted_sum(p, w):
    """Weighted sum scores s_i = sum_j w_j p_ij: p (n, m), w (m,) -> (n,)."""
    n, m = p.shape
    out = np.empty(n)
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += w[j] * p[i, j]
        out[i] = acc
    return out


#: Method codes of :func:`cell_scores`.
M_ENTROPY = 0
M_MAX_DEVIATION = 1
M_TOPSIS = 2
M_GRA = 3


@parallel_twin
def cell_scores(pt, cell_year, cell_ptr, cell_idx, w_entropy, w_maxdev, w_method, methods, rho):
    """Scores of several single evaluation methods on many (year, indicator-subset) cells.

    Parameters
    ----------
    pt : float64 (t, m, n) normalised data, year-major then indicator-major (each indicator's
        values over the n objects contiguous: ``np.ascontiguousarray(p.transpose(1, 2, 0))``).
    cell_year : int64 (c,) year index of each cell.
    cell_ptr : int64 (c + 1,); cell_idx : int64 (nnz,) indicators of cell c are
        ``cell_idx[cell_ptr[c]:cell_ptr[c + 1]]``.
    w_entropy, w_maxdev, w_method : float64 (nnz,) weights >= 0 aligned with ``cell_idx`` (each
        cell's slice sums to 1): entropy weights, max-deviation weights, and the weights TOPSIS
        and GRA use.
    methods : int64 (k,) method codes M_ENTROPY, M_MAX_DEVIATION, M_TOPSIS, M_GRA.
    rho : float, grey distinguishing coefficient.

    Returns
    -------
    scores : float64 (c, k, n)

    Notes
    -----
    Column by column over contiguous vectors (SIMD-friendly), no copy of the sub-matrix.
    entropy: sum_j we_j p_ij; max deviation: sum_j wm_j p_ij; TOPSIS on r = w p with
    r+_j = w_j max_i p_ij, r-_j = w_j min_i p_ij (exact for w >= 0: fl(w x) is monotone),
    C = d- / (d+ + d-) (NaN if both are 0); GRA with reference max_i p_ij: D_min = 0 and
    D_max = max_j (max_i p_ij - min_i p_ij), grade sum_j w_j (D_min + rho D_max) / (D_ij + rho D_max).
    Xia, Li, Yin (2020) sec. 3.1.1; same values as :func:`grey_relational_grades`,
    :func:`weighted_sum` and ``distance.topsis_closeness_matrix``.
    """
    n = pt.shape[2]
    c = cell_year.shape[0]
    k = methods.shape[0]
    out = np.empty((c, k, n))
    for q in prange(c):
        t = cell_year[q]
        a = cell_ptr[q]
        md = cell_ptr[q + 1] - a
        hi = np.empty(md)
        lo = np.empty(md)
        dmax = 0.0
        for jj in range(md):
            col = pt[t, cell_idx[a + jj]]
            h = col[0]
            l_ = col[0]
            for i in range(1, n):
                v = col[i]
                h = max(h, v)
                l_ = min(l_, v)
            hi[jj] = h
            lo[jj] = l_
            dmax = max(dmax, h - l_)
        ga = 0.0 + rho * dmax
        gb = rho * dmax
        se = np.empty(n)
        sm = np.empty(n)
        sp = np.empty(n)
        sn = np.empty(n)
        sg = np.empty(n)
        for i in range(n):
            se[i] = 0.0
            sm[i] = 0.0
            sp[i] = 0.0
            sn[i] = 0.0
            sg[i] = 0.0
        for jj in range(md):
            col = pt[t, cell_idx[a + jj]]
            we = w_entropy[a + jj]
            wm = w_maxdev[a + jj]
            wt = w_method[a + jj]
            rh = wt * hi[jj]
            rl = wt * lo[jj]
            hj = hi[jj]
            for i in range(n):
                v = col[i]
                se[i] += we * v
                sm[i] += wm * v
                r = wt * v
                x1 = r - rh
                x2 = r - rl
                sp[i] += x1 * x1
                sn[i] += x2 * x2
                sg[i] += wt * (ga / ((hj - v) + gb))
        for mi in range(k):  # element loops: slice assignments compile numba's shape-error formatting
            code = methods[mi]
            if code == M_ENTROPY:
                for i in range(n):
                    out[q, mi, i] = se[i]
            elif code == M_MAX_DEVIATION:
                for i in range(n):
                    out[q, mi, i] = sm[i]
            elif code == M_TOPSIS:
                for i in range(n):
                    dp = math.sqrt(sp[i])
                    dn = math.sqrt(sn[i])
                    den = dp + dn
                    out[q, mi, i] = dn / den if den > 0.0 else np.nan
            else:
                for i in range(n):
                    out[q, mi, i] = sg[i]
    return out


@njit(cache=True)
def series_major(p):
    """Blocked transpose (n, t, m) -> (t, m, n): each (year, indicator) series contiguous.

    About 2x faster than ``np.ascontiguousarray(p.transpose(1, 2, 0))`` on 2,800 x 20 x 30.
    """
    n, t, m = p.shape
    out = np.empty((t, m, n))
    step = 64
    for i0 in range(0, n, step):
        i1 = min(n, i0 + step)
        for k in range(t):
            for i in range(i0, i1):
                for j in range(m):
                    out[k, j, i] = p[i, k, j]
    return out
