"""Kernels of the additive and ratio ranking methods (WSM, WPM, WASPAS, COPRAS, ARAS, MOORA, MABAC).

Every method normalizes each column as ``r = a * g(c) + b`` (:func:`fastinno.kernels.normalize.
linear_coefficients`: ``g`` is the identity, ``1 / c`` or ``ln c``) and then takes weighted sums
of ``r`` (or of ``ln r``) per alternative, so one row pass after the column statistics gives the
scores. Inputs are batches ``x3`` of shape ``(n_cells, n_alternatives, n_indicators)``; the loops
run in parallel over (cell, block of rows) units and partial sums are combined in block order, so
results do not depend on the thread count.

Input already validated (float64, C-contiguous, finite, in the domain of the normalization). The
kernels use ``error_model="numpy"``: a division by zero gives inf / NaN, the API checks results.

Sources: Fishburn (1967) (WSM); Bridgman (1922), Miller & Starr (1969) (WPM); Zavadskas, Turskis,
Antucheviciene & Zakarevicius (2012), Elektronika ir Elektrotechnika 122(6) (WASPAS); Zavadskas,
Kaklauskas & Sarka (1994), Technological and Economic Development of Economy 1(3) (COPRAS);
Zavadskas & Turskis (2010), Technological and Economic Development of Economy 16(2) (ARAS);
Brauers & Zavadskas (2006), Control and Cybernetics 35(2) (MOORA); Pamucar & Cirovic (2015),
Expert Systems with Applications 42(6) (MABAC).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import normalize as kn
from .compromise import log_nonnegative
from .twins import parallel_twin

__all__ = ["linear_scores", "power_scores", "log_shift_sums", "PRODUCT_CHUNK", "POWER_ROWS", "copras_q"]

#: Rows multiplied before the running product of :func:`log_shift_sums` is renormalized with
#: ``frexp`` (factors in (0, 2] cannot overflow in 64 steps).
PRODUCT_CHUNK = 64


@parallel_twin(error_model="numpy")
def linear_scores(x3, ca, cb, g):
    """``P[c, k, i] = sum_j ca[c, k, j] * g_j(x3[c, i, j]) + cb[c, k]``.

    Parameters
    ----------
    x3 : float64 (n_cells, n, m), C-contiguous.
    ca : float64 (n_cells, k, m), coefficients (weights times the normalization's ``a``).
    cb : float64 (n_cells, k), constants (``sum_j w_j b_j``).
    g : int64 (m,), G_IDENTITY, G_RECIPROCAL or G_LOG per column.

    Returns
    -------
    P : float64 (n_cells, k, n)
    """
    n_cells, n, m = x3.shape
    nk = ca.shape[1]
    rows, nb = kn.block_rows(n, m)
    out = np.empty((n_cells, nk, n))
    # identity columns in one dense pass (the others' coefficients zeroed in cl), then the
    # reciprocal and the log columns from their lists: no division or logarithm where g is the
    # identity
    cl = np.zeros_like(ca)
    n_inv = 0
    n_log = 0
    for j in range(m):
        n_inv += g[j] == kn.G_RECIPROCAL
        n_log += g[j] == kn.G_LOG
        if g[j] == kn.G_IDENTITY:
            for c in range(n_cells):
                for k in range(nk):
                    cl[c, k, j] = ca[c, k, j]
    invs = np.empty(n_inv, dtype=np.int64)
    logs = np.empty(n_log, dtype=np.int64)
    qi = 0
    ql = 0
    for j in range(m):
        if g[j] == kn.G_RECIPROCAL:
            invs[qi] = j
            qi += 1
        elif g[j] == kn.G_LOG:
            logs[ql] = j
            ql += 1
    for u in prange(n_cells * nb):
        uu = np.int64(u)
        c = uu // nb
        b = uu - c * nb
        lo = b * rows
        hi = min(n, (b + 1) * rows)
        # four rows at a time: four independent sums (each in the one-row order) hide the add
        # latency; the remainder rows go one by one
        i = lo
        while i < hi:
            four = i + 4 <= hi
            for k in range(nk):
                s0 = s1 = s2 = s3 = cb[c, k]
                if four:
                    for j in range(m):
                        cj = cl[c, k, j]
                        s0 += cj * x3[c, i, j]
                        s1 += cj * x3[c, i + 1, j]
                        s2 += cj * x3[c, i + 2, j]
                        s3 += cj * x3[c, i + 3, j]
                    for q in range(n_inv):
                        j = invs[q]
                        cj = ca[c, k, j]
                        s0 += cj / x3[c, i, j]
                        s1 += cj / x3[c, i + 1, j]
                        s2 += cj / x3[c, i + 2, j]
                        s3 += cj / x3[c, i + 3, j]
                else:
                    for j in range(m):
                        s0 += cl[c, k, j] * x3[c, i, j]
                    for q in range(n_inv):
                        j = invs[q]
                        s0 += ca[c, k, j] / x3[c, i, j]
                for q in range(n_log):
                    j = logs[q]
                    s0 += ca[c, k, j] * kn.transform(x3[c, i, j], kn.G_LOG)
                    if four:
                        s1 += ca[c, k, j] * kn.transform(x3[c, i + 1, j], kn.G_LOG)
                        s2 += ca[c, k, j] * kn.transform(x3[c, i + 2, j], kn.G_LOG)
                        s3 += ca[c, k, j] * kn.transform(x3[c, i + 3, j], kn.G_LOG)
                out[c, k, i] = s0
                if four:
                    out[c, k, i + 1] = s1
                    out[c, k, i + 2] = s2
                    out[c, k, i + 3] = s3
            i += 4 if four else 1
    return out


#: Rows of :func:`power_scores` whose normalized values go through one logarithm loop
#: (``POWER_ROWS * m`` values at a time, in the first-level cache).
POWER_ROWS = 16


@parallel_twin(error_model="numpy")
def power_scores(x3, a, b, g, w, want_sum):
    """Weighted sums of ``r`` and of ``ln r`` per alternative (WPM and WASPAS).

    Parameters
    ----------
    x3 : float64 (n_cells, n, m), C-contiguous.
    a, b : float64 (n_cells, m), the normalization ``r = a * g(c) + b``.
    g : int64 (m,)
    w : float64 (n_cells, m), weights.
    want_sum : bool, also take ``sum_j w_j r_ij`` (else row 0 is 0).

    Returns
    -------
    P : float64 (n_cells, 2, n)
        ``P[:, 0]`` = sum_j w_j r_ij (WSM), ``P[:, 1]`` = sum_j w_j ln r_ij (log of WPM).
    n_bad : int
        Number of normalized values <= 0 (their logarithm is undefined; the API raises).

    Notes
    -----
    The logarithms are taken ``POWER_ROWS`` alternatives at a time by
    :func:`fastinno.kernels.compromise.log_nonnegative` (within one unit in the last place);
    where ``r <= 0`` the value is meaningless and counted in ``n_bad``.
    """
    n_cells, n, m = x3.shape
    rows, nb = kn.block_rows(n, m)
    out = np.zeros((n_cells, 2, n))
    bad = np.zeros(n_cells * nb, dtype=np.int64)
    inv = np.zeros(m, dtype=np.bool_)
    any_log = False
    for j in range(m):
        inv[j] = g[j] == kn.G_RECIPROCAL
        any_log |= g[j] == kn.G_LOG
    size = POWER_ROWS * m
    for u in prange(n_cells * nb):
        uu = np.int64(u)
        c = uu // nb
        b0 = uu - c * nb
        r = np.empty(size)
        lr = np.empty(size)
        nbad = 0
        end = min(n, (b0 + 1) * rows)
        for i0 in range(b0 * rows, end, POWER_ROWS):
            cnt = min(POWER_ROWS, end - i0)
            for ii in range(cnt):
                if any_log:
                    for j in range(m):
                        r[ii * m + j] = a[c, j] * kn.transform(x3[c, i0 + ii, j], g[j]) + b[c, j]
                else:  # selects, no branches
                    for j in range(m):
                        v = x3[c, i0 + ii, j]
                        q = 1.0 / v
                        r[ii * m + j] = a[c, j] * (q if inv[j] else v) + b[c, j]
            for q in range(cnt * m):
                nbad += r[q] <= 0.0
            log_nonnegative(r, cnt * m, lr)
            for ii in range(cnt):
                if want_sum:
                    s = 0.0
                    for j in range(m):
                        s += w[c, j] * r[ii * m + j]
                    out[c, 0, i0 + ii] = s
                s = 0.0
                for j in range(m):
                    s += w[c, j] * lr[ii * m + j]
                out[c, 1, i0 + ii] = s
        bad[uu] = nbad
    return out, bad.sum()


@parallel_twin(error_model="numpy")
def log_shift_sums(x3, a, b, g):
    """``sum_i ln(1 + r_ij)`` per (cell, column), with ``r = a * g(c) + b`` (MABAC's border area).

    Products of ``PRODUCT_CHUNK`` factors are renormalized with ``frexp`` (so no overflow and one
    logarithm per chunk instead of one per value); block partials are added in block order.

    Returns
    -------
    float64 (n_cells, m); ``-inf`` where a factor ``1 + r`` is 0, NaN where one is negative.
    """
    n_cells, n, m = x3.shape
    rows, nb = kn.block_rows(n, m)
    part = np.zeros((n_cells * nb, m))
    linear = True  # every column r = a c + b (minmax, max, ...): a branch-free loop that vectorizes
    for j in range(m):
        linear &= g[j] == kn.G_IDENTITY
    for u in prange(n_cells * nb):
        uu = np.int64(u)
        c = uu // nb
        b0 = uu - c * nb
        mant = np.ones(m)
        expo = np.zeros(m, dtype=np.int64)
        ac = a[c]
        bc = b[c]
        lo = b0 * rows
        hi = min(n, (b0 + 1) * rows)
        for i0 in range(lo, hi, PRODUCT_CHUNK):
            for i in range(i0, min(hi, i0 + PRODUCT_CHUNK)):
                if linear:
                    xr = x3[c, i]
                    for j in range(m):
                        mant[j] *= 1.0 + ac[j] * xr[j] + bc[j]
                else:
                    for j in range(m):
                        mant[j] *= 1.0 + ac[j] * kn.transform(x3[c, i, j], g[j]) + bc[j]
            for j in range(m):
                f, e = math.frexp(mant[j])
                mant[j] = f
                expo[j] += e
        for j in range(m):
            if mant[j] > 0.0:
                part[uu, j] = math.log(mant[j]) + expo[j] * math.log(2.0)
            elif mant[j] == 0.0:
                part[uu, j] = -np.inf
            else:
                part[uu, j] = np.nan
    out = np.zeros((n_cells, m))
    for c in range(n_cells):
        for b0 in range(nb):
            for j in range(m):
                out[c, j] += part[c * nb + b0, j]
    return out


@njit(cache=True, error_model="numpy")
def copras_q(P):
    """COPRAS relative significance ``Q_i = S+_i + sum_k S-_k / (S-_i sum_k 1 / S-_k)``.

    ``P`` float64 (n_rows, 2, n): ``P[:, 0] = S+``, ``P[:, 1] = S-`` (Zavadskas, Kaklauskas &
    Sarka 1994). A row whose ``S-`` are all 0 (no cost indicator) gets ``Q = S+``. Serial: O(n)
    per row, without the temporaries of the array expression.
    """
    n_rows, _, n = P.shape
    out = np.empty((n_rows, n))
    for c in range(n_rows):
        total = 0.0
        inv = 0.0
        none = True
        for i in range(n):
            sm = P[c, 1, i]
            total += sm
            inv += 1.0 / sm
            none &= sm == 0.0
        for i in range(n):
            out[c, i] = P[c, 0, i] if none else P[c, 0, i] + total / (P[c, 1, i] * inv)
    return out
