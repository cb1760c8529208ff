"""Compromise methods for many weight rows at once: VIKOR, EDAS, CODAS, MARCOS and CoCoSo.

Every kernel reads one cell's weight-independent matrices ``(n_alternatives, n_indicators)``
(normalized values, distances from the average, ...) and a block of weight rows ``w``
``(n_draws, n_indicators)``, and writes the preference of every alternative for every row into
``out`` ``(n_draws, n_alternatives)``. The kernels are serial and release the GIL, so several
Python threads run them at once on different blocks of rows.

Layout: the rows are taken ``BLOCK`` at a time; for each alternative and indicator the matrix
entry is read once and applied to the whole block (the innermost loop runs over the rows, with
one accumulator per row), so each row's sums run over the indicators in their order, whatever
the block size: the result of a row does not depend on the rows beside it. The weight-linear
sums are the same as ``sum_j w_j a_ij`` of the batched kernels of
:mod:`fastinno.kernels.compromise` up to rounding (there the weight enters the normalization
factor first).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import compromise as kc
from . import outranking as ko
from .compromise import exp2_fractions, exp_nonpositive

#: Weight rows per pass over the matrix.
BLOCK = 32

#: VIKOR: what a constant S or R adds to Q (as :mod:`fastinno.kernels.compromise`).
Q_ZERO = 0
Q_NAN = 1


@njit(cache=True, nogil=True)
def _block(w, d0, nb, wt):
    # wt[j, b] = w[d0 + b, j]: the block's weights, indicator-major
    for j in range(w.shape[1]):
        for b in range(nb):
            wt[j, b] = w[d0 + b, j]


@njit(cache=True, nogil=True)
def _span(a, lo, hi, mode):
    if hi > lo:
        return (a - lo) / (hi - lo)
    return 0.0 if mode == Q_ZERO else np.nan


@njit(cache=True, nogil=True)
def vikor_draws(d, w, v, mode, out):
    """VIKOR Q for each weight row (Opricovic & Tzeng 2004, eqs. 1-3), smaller is better.

    ``d`` ``(n, m)`` are the normalized regrets ``(f*_j - f_ij) / (f*_j - f-_j)`` (0 for a
    constant indicator); ``S_i = sum_j w_j d_ij``, ``R_i = max_j w_j d_ij`` (at least 0) and
    ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` per row, a constant S or
    R adding 0 (``mode == Q_ZERO``) or NaN (``Q_NAN``).
    """
    nd, m = w.shape
    n = d.shape[0]
    wt = np.empty((m, BLOCK))
    s = np.empty(BLOCK)
    r = np.empty(BLOCK)
    rb = np.empty((BLOCK, n))
    for d0 in range(0, nd, BLOCK):
        nb = min(BLOCK, nd - d0)
        _block(w, d0, nb, wt)
        for i in range(n):
            s[:nb] = 0.0
            r[:nb] = 0.0
            for j in range(m):
                x = d[i, j]
                for b in range(nb):
                    t = wt[j, b] * x
                    s[b] += t
                    r[b] = t if t > r[b] else r[b]
            for b in range(nb):
                out[d0 + b, i] = s[b]
                rb[b, i] = r[b]
        for b in range(nb):
            q = out[d0 + b]
            rr = rb[b]
            s_lo = np.inf
            s_hi = -np.inf
            r_lo = np.inf
            r_hi = -np.inf
            for i in range(n):
                s_lo = min(s_lo, q[i])
                s_hi = max(s_hi, q[i])
                r_lo = min(r_lo, rr[i])
                r_hi = max(r_hi, rr[i])
            for i in range(n):
                q[i] = v * _span(q[i], s_lo, s_hi, mode) + (1.0 - v) * _span(rr[i], r_lo, r_hi, mode)


@njit(cache=True, nogil=True)
def edas_draws(pda, nda, w, out):
    """EDAS appraisal score for each weight row (Keshavarz Ghorabaee et al. 2015, eqs. 5-9).

    ``pda``, ``nda`` ``(n, m)`` the positive and negative distances from the average (0 for a
    constant indicator); ``SP = sum_j w_j PDA``, ``SN = sum_j w_j NDA``,
    ``AS = (SP / max SP + 1 - SN / max SN) / 2`` (``NSP = 0`` when ``max SP = 0``, ``NSN = 1``
    when ``max SN = 0``).
    """
    nd, m = w.shape
    n = pda.shape[0]
    wt = np.empty((m, BLOCK))
    sp = np.empty(BLOCK)
    sn = np.empty(BLOCK)
    nb_ = np.empty((BLOCK, n))
    for d0 in range(0, nd, BLOCK):
        nb = min(BLOCK, nd - d0)
        _block(w, d0, nb, wt)
        for i in range(n):
            sp[:nb] = 0.0
            sn[:nb] = 0.0
            for j in range(m):
                p = pda[i, j]
                q = nda[i, j]
                for b in range(nb):
                    sp[b] += wt[j, b] * p
                    sn[b] += wt[j, b] * q
            for b in range(nb):
                out[d0 + b, i] = sp[b]
                nb_[b, i] = sn[b]
        for b in range(nb):
            o = out[d0 + b]
            sn_row = nb_[b]
            p_hi = 0.0
            n_hi = 0.0
            for i in range(n):
                p_hi = max(p_hi, o[i])
                n_hi = max(n_hi, sn_row[i])
            for i in range(n):
                nsp = o[i] / p_hi if p_hi > 0.0 else 0.0
                nsn = 1.0 - sn_row[i] / n_hi if n_hi > 0.0 else 1.0
                o[i] = (nsp + nsn) / 2.0


@njit(cache=True, nogil=True)
def argsort_bucketed(e):
    """Stable argsort of a float64 vector without NaN: a bucket sort (buckets of equal width
    between the minimum and the maximum, filled in index order) finished by an insertion sort,
    O(n) for spread-out values; :func:`fastinno.kernels.outranking.argsort_radix` when the
    buckets are crowded (the insertion sort would cost more than ``16 n`` moves). Ties keep
    their input order, so the result is the permutation sorting by (value, index).
    """
    n = e.shape[0]
    lo = np.inf
    hi = -np.inf
    for i in range(n):
        lo = min(lo, e[i])
        hi = max(hi, e[i])
    if not hi > lo:
        return np.arange(n)
    n_buckets = n
    # (e - lo) * scale rounds monotonically in e: a larger value never lands in an earlier bucket
    scale = (n_buckets - 1) / (hi - lo)
    start = np.zeros(n_buckets + 1, dtype=np.int64)
    key = np.empty(n, dtype=np.int64)
    for i in range(n):
        k = np.int64((e[i] - lo) * scale)
        k = min(max(k, 0), n_buckets - 1)
        key[i] = k
        start[k + 1] += 1
    crowd = 0
    for k in range(n_buckets):
        crowd += start[k + 1] * start[k + 1]
        start[k + 1] += start[k]
    if crowd > 16 * n:
        return ko.argsort_radix(e)
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        order[start[key[i]]] = i
        start[key[i]] += 1
    for a in range(1, n):  # only within buckets: the buckets are already in order
        idx = order[a]
        v = e[idx]
        b = a - 1
        while b >= 0 and e[order[b]] > v:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = idx
    return order


@njit(cache=True, nogil=True)
def codas_row(e, t, tau, out):
    """CODAS ``H_i = sum_k (E_i - E_k) + psi(E_i - E_k) (T_i - T_k)``, ``psi(x) = 1`` if
    ``|x| >= tau`` else 0 (Keshavarz Ghorabaee et al. 2016, eqs. 7-9), for one row of distances.

    O(n) to O(n log n): sort by E (:func:`argsort_bucketed`), prefix sums of T; the alternatives ``k`` with
    ``E_i - E_k >= tau`` form a prefix of the order and those with ``E_k - E_i >= tau`` a suffix,
    both moving monotonically with ``E_i``. ``out`` may be ``t`` itself (read before written).
    """
    n = e.shape[0]
    order = argsort_bucketed(e)
    es = np.empty(n)
    ts = np.empty(n)
    for k in range(n):  # copies: ``out`` may be ``t``
        es[k] = e[order[k]]
        ts[k] = t[order[k]]
    kc.codas_sweep(es, ts, order, tau, out)


@njit(cache=True, nogil=True)
def codas_draws(a, a2, w, tau, out):
    """CODAS assessment score for each weight row (Keshavarz Ghorabaee et al. 2016, eqs. 2-9).

    ``a`` ``(n, m)`` the normalized values minus their column minimum (``r_ij - ns_j = w_j a_ij``
    since ``w >= 0``), ``a2 = a * a``: ``E_i = sqrt(sum_j w_j^2 a2_ij)``,
    ``T_i = sum_j w_j a_ij``, then :func:`codas_row`.
    """
    nd, m = w.shape
    n = a.shape[0]
    wt = np.empty((m, BLOCK))
    wt2 = np.empty((m, BLOCK))
    e = np.empty(BLOCK)
    t = np.empty(BLOCK)
    eb = np.empty((BLOCK, n))
    for d0 in range(0, nd, BLOCK):
        nb = min(BLOCK, nd - d0)
        _block(w, d0, nb, wt)
        for j in range(m):
            for b in range(nb):
                wt2[j, b] = wt[j, b] * wt[j, b]
        for i in range(n):
            e[:nb] = 0.0
            t[:nb] = 0.0
            for j in range(m):
                x = a[i, j]
                x2 = a2[i, j]
                for b in range(nb):
                    t[b] += wt[j, b] * x
                    e[b] += wt2[j, b] * x2
            for b in range(nb):
                out[d0 + b, i] = t[b]
                eb[b, i] = math.sqrt(e[b])
        for b in range(nb):
            codas_row(eb[b], out[d0 + b], tau, out[d0 + b])


@njit(cache=True, nogil=True, error_model="numpy")
def marcos_draws(nm, anti, w, out):
    """MARCOS utility function for each weight row (Stevic et al. 2020, eqs. 5-10).

    ``nm`` ``(n, m)`` the values normalized against the ideal (1 for a constant indicator),
    ``anti`` ``(m,)`` the anti-ideal row normalized likewise: ``S_i = sum_j w_j nm_ij``,
    ``S_ai = sum_j w_j``, ``S_aai = sum_j w_j anti_j``, ``K+ = S / S_ai``, ``K- = S / S_aai``,
    ``f(K) = (K+ + K-) / (1 + (1 - f(K+)) / f(K+) + (1 - f(K-)) / f(K-))``. NaN / inf when a
    sum is 0 (the caller reports it).
    """
    nd, m = w.shape
    n = nm.shape[0]
    wt = np.empty((m, BLOCK))
    s = np.empty(BLOCK)
    for d0 in range(0, nd, BLOCK):
        nb = min(BLOCK, nd - d0)
        _block(w, d0, nb, wt)
        for i in range(n):
            s[:nb] = 0.0
            for j in range(m):
                x = nm[i, j]
                for b in range(nb):
                    s[b] += wt[j, b] * x
            for b in range(nb):
                out[d0 + b, i] = s[b]
        for b in range(nb):
            s_ai = 0.0
            s_aai = 0.0
            for j in range(m):
                s_ai += wt[j, b]
                s_aai += wt[j, b] * anti[j]
            o = out[d0 + b]
            for i in range(n):
                kn_ = o[i] / s_aai
                kp = o[i] / s_ai
                fp = kn_ / (kp + kn_)
                fn = kp / (kp + kn_)
                o[i] = (kp + kn_) / (1.0 + (1.0 - fp) / fp + (1.0 - fn) / fn)


@njit(cache=True, nogil=True, error_model="numpy")
def cocoso_draws(r, log_r, w, lam, out):
    """CoCoSo score for each weight row (Yazdani et al. 2019, eqs. 2-8).

    ``r`` ``(n, m)`` the normalized values (``0 <= r <= 1``), ``log_r = ln r`` (``-inf`` at 0):
    ``S_i = sum_j w_j r_ij``, ``P_i = sum_j r_ij ** w_j = sum_j exp(w_j ln r_ij)`` (``0 ** 0 =
    1``; :func:`exp_nonpositive`), ``k_a = (P + S) / sum (P + S)``, ``k_b = S / min S + P / min P``,
    ``k_c = (lam S + (1 - lam) P) / (lam max S + (1 - lam) max P)``,
    ``k = (k_a k_b k_c) ** (1/3) + (k_a + k_b + k_c) / 3``. inf when ``min S = 0`` (the caller
    reports it).
    """
    nd, m = w.shape
    n = r.shape[0]
    wt = np.empty((m, BLOCK))
    s = np.empty(BLOCK)
    p = np.empty(BLOCK)
    pb = np.empty((BLOCK, n))
    z = np.empty(m * BLOCK)
    ez = np.empty(m * BLOCK)
    t = np.empty(m * BLOCK)
    sc = np.empty(m * BLOCK)
    tab = exp2_fractions()
    for d0 in range(0, nd, BLOCK):
        nb = min(BLOCK, nd - d0)
        _block(w, d0, nb, wt)
        for i in range(n):
            s[:nb] = 0.0
            p[:nb] = 0.0
            for j in range(m):
                x = r[i, j]
                lx = log_r[i, j]
                for b in range(nb):
                    s[b] += wt[j, b] * x
                    z[j * nb + b] = wt[j, b] * lx  # NaN for 0 * -inf: 0 ** 0 = 1
            exp_nonpositive(z, m * nb, ez, t, sc, tab)  # every indicator of alternative i at once
            for j in range(m):
                for b in range(nb):
                    p[b] += ez[j * nb + b]
            for b in range(nb):
                out[d0 + b, i] = s[b]
                pb[b, i] = p[b]
        for b in range(nb):
            o = out[d0 + b]
            pr = pb[b]
            total = 0.0
            s_lo = np.inf
            s_hi = -np.inf
            p_lo = np.inf
            p_hi = -np.inf
            for i in range(n):
                total += pr[i] + o[i]
                s_lo = min(s_lo, o[i])
                s_hi = max(s_hi, o[i])
                p_lo = min(p_lo, pr[i])
                p_hi = max(p_hi, pr[i])
            den = lam * s_hi + (1.0 - lam) * p_hi
            for i in range(n):
                ka = (pr[i] + o[i]) / total
                kb = o[i] / s_lo + pr[i] / p_lo
                kc = (lam * o[i] + (1.0 - lam) * pr[i]) / den
                o[i] = (ka * kb * kc) ** (1.0 / 3.0) + (ka + kb + kc) / 3.0
