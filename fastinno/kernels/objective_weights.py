"""Objective weighting kernels: CRITIC, standard deviation, coefficient of variation, MEREC, Gini.

Kernels: numba + numpy only. Every kernel is batched over cells: ``x3`` is float64
C-contiguous ``(n_cells, n_alternatives, n_indicators)``, already finite and checked by the API
layer. Each returns the *unnormalised* criterion scores ``(n_cells, n_indicators)``; a column on
which the score is undefined (a constant column where the method divides by its range, a
non-positive mean, a non-positive value under a logarithm) is NaN, so the API layer can name it.
Parallel over cells when there are several, over row blocks (``normalize.block_rows``) when
there is one; block partial sums are added in block order, so results do not depend on the
thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import normalize as kn
from . import weights as kw

__all__ = [
    "STD",
    "CV",
    "column_moments_cells",
    "spread_scores_cells",
    "critic_scores_cells",
    "merec_scores_cells",
    "transpose_cells",
    "gini_scores_sorted",
]

#: Values per logarithm loop (a 16 KiB scratch per block).
_LOG_CHUNK = 2048

#: Spread scores (int constants for kernels).
STD = 0
CV = 1


@njit(cache=True, inline="always")
def _units(c, n, m):
    """(rows per unit, units per cell): row blocks for one cell, the whole cell otherwise."""
    if c == 1:
        return kn.block_rows(n, m)
    return n, 1


@njit(cache=True)
def _block_sums(x, i0, i1, lo, hi, s):
    """Column min, max and sum of rows i0..i1 of x (n, m) into lo, hi, s (row-wise, vectorised over columns)."""
    m = x.shape[1]
    for j in range(m):
        lo[j] = x[i0, j]
        hi[j] = x[i0, j]
        s[j] = 0.0
    for i in range(i0, i1):
        row = x[i]
        for j in range(m):
            v = row[j]
            s[j] += v
            lo[j] = v if v < lo[j] else lo[j]
            hi[j] = v if v > hi[j] else hi[j]


@njit(cache=True)
def _block_products(x, i0, i1, mean, want_cov, acc):
    """Centred sums of squares (acc[0]) or cross products (acc (m, m)) of rows i0..i1."""
    m = x.shape[1]
    d = np.empty(m)
    for i in range(i0, i1):
        row = x[i]
        for j in range(m):
            d[j] = row[j] - mean[j]
        if want_cov:
            for j in range(m):
                dj = d[j]
                a = acc[j]
                for k in range(m):
                    a[k] += dj * d[k]
        else:
            a = acc[0]
            for j in range(m):
                a[j] += d[j] * d[j]


@njit(cache=True, parallel=True)
def column_moments_cells(x3, want_cov):
    """Per cell and column: min, max, mean and centred second moments.

    Parameters
    ----------
    x3 : float64 (c, n, m), n >= 2.
    want_cov : bool; True: the full centred cross-product matrix, False: its diagonal only.

    Returns
    -------
    mn, mx, mean : float64 (c, m)
    s2 : float64 (c, m, m) when ``want_cov`` (s2[c, j, k] = sum_i (x_ij - mean_j)(x_ik - mean_k)),
        else (c, 1, m) holding the diagonal.

    Notes
    -----
    Two passes (mean first, then centred products), so no cancellation for data far from 0.
    """
    c, n, m = x3.shape
    rows, nb = _units(c, n, m)
    units = c * nb
    pmn = np.empty((units, m))
    pmx = np.empty((units, m))
    psum = np.empty((units, m))
    for u in prange(units):
        cell = u // nb
        b = u - cell * nb
        i0 = b * rows
        _block_sums(x3[cell], i0, min(n, i0 + rows), pmn[u], pmx[u], psum[u])
    mn = np.empty((c, m))
    mx = np.empty((c, m))
    mean = np.empty((c, m))
    for cell in range(c):
        for j in range(m):
            lo = pmn[cell * nb, j]
            hi = pmx[cell * nb, j]
            s = 0.0
            for b in range(nb):
                u = cell * nb + b
                lo = min(lo, pmn[u, j])
                hi = max(hi, pmx[u, j])
                s += psum[u, j]
            mn[cell, j] = lo
            mx[cell, j] = hi
            mean[cell, j] = s / n
    mm = m if want_cov else 1
    part = np.zeros((units, mm, m))
    for u in prange(units):
        cell = u // nb
        b = u - cell * nb
        i0 = b * rows
        _block_products(x3[cell], i0, min(n, i0 + rows), mean[cell], want_cov, part[u])
    s2 = np.zeros((c, mm, m))
    for cell in range(c):
        for b in range(nb):
            u = cell * nb + b
            for j in range(mm):
                for k in range(m):
                    s2[cell, j, k] += part[u, j, k]
    return mn, mx, mean, s2


@njit(cache=True)
def spread_scores_cells(x3, code):
    """Standard-deviation or coefficient-of-variation scores per cell and column.

    Parameters
    ----------
    x3 : float64 (c, n, m), n >= 2.
    code : ``STD`` or ``CV``.

    Returns
    -------
    s : float64 (c, m).
        ``STD``: sigma_j / (max_j - min_j), the standard deviation of the min-max normalised
        column (benefit and cost alike); 0 for a constant column.
        ``CV``: sigma_j / mean_j of the raw column; NaN when mean_j <= 0.

    Notes
    -----
    sigma with n - 1 in the denominator (the factor cancels in the weights).
    """
    c, n, m = x3.shape
    mn, mx, mean, s2 = column_moments_cells(x3, False)
    out = np.empty((c, m))
    for cell in range(c):
        for j in range(m):
            sd = math.sqrt(s2[cell, 0, j] / (n - 1))
            if code == STD:
                rng = mx[cell, j] - mn[cell, j]
                out[cell, j] = sd / rng if rng > 0.0 else 0.0
            else:
                mu = mean[cell, j]
                out[cell, j] = sd / mu if mu > 0.0 else np.nan
    return out


@njit(cache=True)
def critic_scores_cells(x3, is_cost):
    """CRITIC information C_j = sigma_j sum_k (1 - r_jk) per cell (Diakoulaki et al. 1995).

    Parameters
    ----------
    x3 : float64 (c, n, m), n >= 2.
    is_cost : bool (m,).

    Returns
    -------
    C : float64 (c, m); NaN for a constant column (its correlations are undefined).

    Notes
    -----
    On the min-max normalised columns r_ij = (x_ij - min_j) / (max_j - min_j) (benefit),
    (max_j - x_ij) / (max_j - min_j) (cost): sigma_j = sd(x_j) / (max_j - min_j) and
    r_jk = +-corr(x_j, x_k), negative when exactly one of j, k is a cost column. Both computed
    from the raw column moments, without forming the normalised matrix.
    """
    c, n, m = x3.shape
    mn, mx, mean, s2 = column_moments_cells(x3, True)
    out = np.empty((c, m))
    sd = np.empty(m)
    for cell in range(c):
        for j in range(m):
            sd[j] = math.sqrt(s2[cell, j, j])
        for j in range(m):
            rng = mx[cell, j] - mn[cell, j]
            if not rng > 0.0 or not sd[j] > 0.0:
                out[cell, j] = np.nan
                continue
            conflict = 0.0
            bad = False
            for k in range(m):
                if k == j:
                    continue
                if not sd[k] > 0.0:
                    bad = True
                    break
                r = s2[cell, j, k] / (sd[j] * sd[k])
                r = min(1.0, max(-1.0, r))
                if is_cost[j] != is_cost[k]:
                    r = -r
                conflict += 1.0 - r
            out[cell, j] = np.nan if bad else (sd[j] / math.sqrt(n - 1.0)) / rng * conflict
    return out


@njit(cache=True, parallel=True, error_model="numpy")
def merec_scores_cells(x3, is_cost):
    """MEREC removal effects E_j per cell (Keshavarz-Ghorabaee et al. 2021).

    Parameters
    ----------
    x3 : float64 (c, n, m), every value > 0.
    is_cost : bool (m,).

    Returns
    -------
    E : float64 (c, m); NaN in a column whose minimum is <= 0.

    Notes
    -----
    n_ij = min_k x_kj / x_ij (benefit), x_ij / max_k x_kj (cost), so L_ij = |ln n_ij| =
    ln x_ij - ln min_j (benefit), ln max_j - ln x_ij (cost). With T_i = sum_j L_ij:
    S_i = ln(1 + T_i / m), S'_ij = ln(1 + (T_i - L_ij) / m), E_j = sum_i |S'_ij - S_i|
    = sum_i ln(m + T_i) - ln(m + T_i - L_ij). Logarithms by ``weights.log_nonneg``.
    """
    c, n, m = x3.shape
    rows, nb = _units(c, n, m)
    units = c * nb
    lo = np.empty((c, m))
    hi = np.empty((c, m))
    for cell in prange(c):
        for j in range(m):
            lo[cell, j] = x3[cell, 0, j]
            hi[cell, j] = x3[cell, 0, j]
        for i in range(n):
            for j in range(m):
                v = x3[cell, i, j]
                lo[cell, j] = min(lo[cell, j], v)
                hi[cell, j] = max(hi[cell, j], v)
    part = np.zeros((units, m))
    for u in prange(units):
        cell = u // nb
        b = u - cell * nb
        i0 = b * rows
        i1 = min(n, i0 + rows)
        ref = np.empty(m)
        sgn = np.empty(m)
        for j in range(m):
            if is_cost[j]:
                ref[j] = math.log(hi[cell, j]) if hi[cell, j] > 0.0 else 0.0
                sgn[j] = -1.0
            else:
                ref[j] = math.log(lo[cell, j]) if lo[cell, j] > 0.0 else 0.0
                sgn[j] = 1.0
        sub = max(1, _LOG_CHUNK // m)
        lg = np.empty(sub * m)
        lt = np.empty(sub)
        flat = x3[cell].reshape(-1)
        for r0 in range(i0, i1, sub):
            r1 = min(i1, r0 + sub)
            base = r0 * m
            cnt = (r1 - r0) * m
            for q in range(cnt):  # one long loop: vectorised logarithms
                lg[q] = kw.log_nonneg(flat[base + q])
            for i in range(r1 - r0):
                t = 0.0
                o = i * m
                for j in range(m):
                    e = sgn[j] * (lg[o + j] - ref[j])
                    e = e if e > 0.0 else 0.0
                    lg[o + j] = e
                    t += e
                lt[i] = m + t
                for j in range(m):
                    lg[o + j] = lt[i] - lg[o + j]
            for q in range(cnt):
                lg[q] = kw.log_nonneg(lg[q])
            for i in range(r1 - r0):
                li = math.log(lt[i])
                o = i * m
                for j in range(m):
                    part[u, j] += li - lg[o + j]
    out = np.zeros((c, m))
    for cell in range(c):
        for b in range(nb):
            for j in range(m):
                out[cell, j] += part[cell * nb + b, j]
        for j in range(m):
            if not lo[cell, j] > 0.0:
                out[cell, j] = np.nan
            elif out[cell, j] < 0.0:
                out[cell, j] = 0.0
    return out


@njit(cache=True, parallel=True)
def transpose_cells(x3):
    """(c, n, m) -> C-contiguous (c, m, n), in tiles of 64 rows (columns become contiguous rows)."""
    c, n, m = x3.shape
    out = np.empty((c, m, n))
    step = 64
    nt = (n + step - 1) // step
    for u in prange(c * nt):
        cell = u // nt
        i0 = (u - cell * nt) * step
        i1 = min(n, i0 + step)
        for j in range(m):
            for i in range(i0, i1):
                out[cell, j, i] = x3[cell, i, j]
    return out


@njit(cache=True, parallel=True)
def gini_scores_sorted(s3):
    """Gini coefficient of every sorted row: s3 (c, m, n), each row ascending -> G (c, m).

    Returns
    -------
    G : float64 (c, m), G_j = sum_i sum_k |v_i - v_k| / (2 n^2 mean) = 2 sum_i (2i - n + 1) v_(i)
        / (2 n sum v) (0-based i); NaN when a row has a negative value or sums to 0.

    Notes
    -----
    The sorting is numpy's (SIMD) in the API layer; with the column sorted ascending the double
    sum of absolute differences is O(n). Gini weighting as in pymcdm 1.4.0 ``gini_weights``.
    """
    c, m, n = s3.shape
    out = np.empty((c, m))
    for u in prange(c * m):
        cell = u // m
        j = u - cell * m
        row = s3[cell, j]
        acc = 0.0
        s = 0.0
        for i in range(n):
            v = row[i]
            acc += (2.0 * i - n + 1.0) * v
            s += v
        if row[0] < 0.0 or not s > 0.0:
            out[cell, j] = np.nan
        else:
            out[cell, j] = 2.0 * acc / (2.0 * n * s)
    return out
