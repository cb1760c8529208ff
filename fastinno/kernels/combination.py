"""Per-draw combined evaluation for the Monte Carlo engine (``simulate(model="combined")``).

The API layer computes, for one chunk of weight draws and one year, the single methods' scores as
matrix products (weighted sums and grey relational grades are linear in the weights; TOPSIS's
squared distances are linear in the squared weights). :func:`combined_index_chunk` then, for
every draw, ranks each method's scores, runs the Spearman compatibility test, derives the
drift-degree method weights and writes the combined score, as
:func:`fastinno.combined_evaluation` does for one period (Xia, Li, Yin 2020, sec. 3.1.1,
doi:10.3390/su12072739).

Kernels: numba + numpy only. Inputs float64 / int64, C-contiguous, already validated.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import rank as kr
from . import ranking as krk
from .twins import renamed

__all__ = [
    "RADIX_MIN_N",
    "RECOMBINE_DRIFT",
    "RECOMBINE_FIXED",
    "combined_index_chunk",
    "combined_index_chunk_serial",
    "compatible_methods",
]

#: ``recombine`` codes: drift weights recomputed in every draw, or the base run's weights kept.
RECOMBINE_DRIFT = 0
RECOMBINE_FIXED = 1


@njit(cache=True)
def compatible_methods(rho, r_alpha, keep):
    """Methods whose pairwise Spearman correlations all pass the compatibility test.

    Parameters
    ----------
    rho : float64 (k, k) Spearman matrix (diagonal 1, NaN for a constant score vector).
    r_alpha : float, the smallest rho that passes (positive and significant at alpha).
    keep : bool (k,), written: the compatible set.

    Notes
    -----
    The greedy rule of ``combined.compatible_set``: while some pair of the kept methods fails,
    drop the method with the most failing pairs (ties: the smallest mean rho over the kept methods,
    NaN counted as -2, then the later method); with two methods left that still fail, all
    methods are combined.
    """
    k = rho.shape[0]
    for a in range(k):
        keep[a] = True
    if k < 2:
        return
    n_keep = k
    while n_keep > 2:
        best = -1
        best_fails = -1
        best_mean = 0.0
        any_fail = False
        for a in range(k):
            if not keep[a]:
                continue
            fails = 0
            s = 0.0
            for b in range(k):
                if not keep[b]:
                    continue
                r = rho[a, b]
                if a != b and not (r >= r_alpha):
                    fails += 1
                s += -2.0 if r != r else r
            mean = (s - 1.0) / (n_keep - 1)
            if fails > 0:
                any_fail = True
            if fails > best_fails or (fails == best_fails and mean <= best_mean):
                best = a
                best_fails = fails
                best_mean = mean
        if not any_fail:
            return
        keep[best] = False
        n_keep -= 1
    if n_keep == 2:
        a = -1
        b = -1
        for j in range(k):
            if keep[j]:
                if a < 0:
                    a = j
                else:
                    b = j
        if not (rho[a, b] >= r_alpha):
            for j in range(k):
                keep[j] = True


#: From this many regions on, ranks come from the O(n) radix sort of ``ranking.ranks_of_row``
#: (measured 5x faster than ``np.argsort`` at 3,000; slower below ~200: it clears 4,096 counters).
RADIX_MIN_N = 256


@njit(cache=True)
def _desc_ranks(x, out):
    """Average ranks, rank 1 = largest (ties = equal values share the mean position), into ``out``."""
    n = x.shape[0]
    if n >= RADIX_MIN_N:
        ravg = krk.ranks_of_row(x)[1]
        for i in range(n):
            out[i] = ravg[i]
    else:
        kr.average_ranks_from_order(x, np.argsort(x), True, out)


@njit(cache=True)
def _combine_draw(s, recombine, r_alpha, minmax, method, tie_tol, fixed_w, out, mw,
                  u, ranks_s, ranks_u, rho, keep, ref, ref_r, w):
    """One draw: method scores ``s`` (k, n) -> combined score ``out`` (n,), weights ``mw`` (k,)."""
    k, n = s.shape
    if minmax:
        for j in range(k):
            lo = s[j, 0]
            hi = s[j, 0]
            for i in range(1, n):
                lo = min(lo, s[j, i])
                hi = max(hi, s[j, i])
            span = hi - lo
            for i in range(n):
                u[j, i] = (s[j, i] - lo) / span if span > 0.0 else 0.0
    else:
        for j in range(k):
            for i in range(n):
                u[j, i] = s[j, i]
    if recombine == RECOMBINE_FIXED:
        for j in range(k):
            w[j] = fixed_w[j]
    else:
        # compatibility test on the ranks of the raw scores
        for j in range(k):
            _desc_ranks(s[j], ranks_s[j])
        for a in range(k):
            rho[a, a] = 1.0
            for b in range(a + 1, k):
                v = kr.spearman_from_ranks(ranks_s[a], ranks_s[b], method)
                rho[a, b] = v
                rho[b, a] = v
        compatible_methods(rho, r_alpha, keep)
        # drift degrees of the (rescaled) scores against their mean over the kept methods
        if minmax:
            for j in range(k):
                _desc_ranks(u[j], ranks_u[j])
        else:
            for j in range(k):
                for i in range(n):
                    ranks_u[j, i] = ranks_s[j, i]
        kk = 0
        for j in range(k):
            if keep[j]:
                kk += 1
        for i in range(n):
            ref[i] = 0.0
        for j in range(k):
            kf = 1.0 if keep[j] else 0.0
            for i in range(n):
                ref[i] += kf * u[j, i]
        for i in range(n):
            ref[i] /= kk
        _desc_ranks(ref, ref_r)
        lo = np.inf
        hi = -np.inf
        for j in range(k):
            w[j] = 0.0
            if keep[j]:
                d = 1.0 - kr.spearman_from_ranks(ranks_u[j], ref_r, method)
                mw[j] = d  # drift, overwritten by the weight below
                lo = min(lo, d)
                hi = max(hi, d)
        if not (hi - lo > tie_tol):
            for j in range(k):
                if keep[j]:
                    w[j] = 1.0 / kk
        else:
            total = 0.0
            for j in range(k):
                if keep[j]:
                    w[j] = lo + hi - mw[j]
                    total += w[j]
            for j in range(k):
                w[j] /= total
    for i in range(n):
        out[i] = 0.0
    for j in range(k):
        wj = w[j]
        mw[j] = wj
        if wj != 0.0:
            for i in range(n):
                out[i] += wj * u[j, i]


@njit(cache=True, parallel=True)
def combined_index_chunk(g_lin, g_sq, slots, recombine, r_alpha, minmax, method, tie_tol, fixed_w, out, mw):
    """Combined scores of every draw of a chunk in one year.

    Parameters
    ----------
    g_lin : float64 (n_draws, n_lin * (n + 1)). Block b holds, for one linear method (entropy,
        maximum deviation, grey relational grade), sum_j f_j b_j a_ij for the n regions followed
        by the weight total sum_j f_j b_j (f = the draw's weight factors, b = the method's base
        weights, a = efficacy coefficients or grey relational coefficients).
    g_sq : float64 (n_draws, 2 n): TOPSIS's squared distances sum_j (f_j b_j)^2 (a_ij - a+_j)^2
        and sum_j (f_j b_j)^2 (a_ij - a-_j)^2 (the first n and the last n columns); (n_draws, 0)
        without TOPSIS.
    slots : int64 (k,), block of each method in ``g_lin``, -1 = TOPSIS (from ``g_sq``).
    recombine : int, RECOMBINE_DRIFT or RECOMBINE_FIXED.
    r_alpha : float, smallest Spearman rho passing the compatibility test.
    minmax : bool, min-max each method's scores before combining.
    method : int, ``rank.PEARSON`` or ``rank.D2``.
    tie_tol : float, drifts within it count as equal (equal weights).
    fixed_w : float64 (k,), method weights used with RECOMBINE_FIXED.
    out : float64 (n_draws, n), written: the combined scores (a row of NaN when a method's score
        is undefined in that draw: a weight total of 0, or a TOPSIS closeness 0/0).
    mw : float64 (n_draws, k), written: the method weights of every draw (NaN rows likewise).

    Notes
    -----
    Scores: linear methods numerator / total (the weights normalise(f b)); TOPSIS
    d- / (d+ + d-) with d = sqrt(g_sq) (closeness does not change when all weights are scaled, so
    the unnormalised f b serve). Per draw, as ``combined_evaluation`` per period: descending
    average ranks; rho_ab = Spearman(ranks_a, ranks_b); compatible set by
    :func:`compatible_methods`; u = scores (min-maxed if ``minmax``); reference = mean of the kept
    u; r_j = Spearman(u_j, reference), p_j = 1 - r_j;
    w_j = (min p + max p - p_j) / sum_l (min p + max p - p_l) over the kept methods (1 / k' when
    max p - min p <= tie_tol); combined = sum_j w_j u_j. Xia, Li, Yin (2020) sec. 3.1.1.
    Draws are independent (prange over groups of draws): results do not depend on the thread count.
    """
    n_draws, n = out.shape
    k = slots.shape[0]
    group = 8
    n_tasks = (n_draws + group - 1) // group
    for t in prange(n_tasks):
        s = np.empty((k, n))
        u = np.empty((k, n))
        ranks_s = np.empty((k, n))
        ranks_u = np.empty((k, n))
        rho = np.empty((k, k))
        keep = np.empty(k, dtype=np.bool_)
        ref = np.empty(n)
        ref_r = np.empty(n)
        w = np.empty(k)
        for d in range(t * group, min(n_draws, (t + 1) * group)):
            bad = False
            for j in range(k):
                b = slots[j]
                if b >= 0:
                    o = b * (n + 1)
                    tot = g_lin[d, o + n]
                    if not (tot > 0.0):
                        bad = True
                        break
                    for i in range(n):
                        s[j, i] = g_lin[d, o + i] / tot
                else:
                    for i in range(n):
                        dp = math.sqrt(g_sq[d, i])
                        dn = math.sqrt(g_sq[d, n + i])
                        den = dp + dn
                        if not (den > 0.0):
                            bad = True
                            break
                        s[j, i] = dn / den
                    if bad:
                        break
            if bad:
                for i in range(n):
                    out[d, i] = np.nan
                for j in range(k):
                    mw[d, j] = np.nan
                continue
            _combine_draw(s, recombine, r_alpha, minmax, method, tie_tol, fixed_w, out[d], mw[d],
                          u, ranks_s, ranks_u, rho, keep, ref, ref_r, w)


#: :func:`combined_index_chunk` compiled without threads and ``nogil``: for small calls and for the
#: engine's blocks, which run on several Python threads at once (identical results).
combined_index_chunk_serial = njit(cache=True, nogil=True)(
    renamed(combined_index_chunk.py_func, "combined_index_chunk_serial")
)
