"""Compromise ranking kernels: VIKOR, EDAS, CODAS, SPOTIS, MARCOS and CoCoSo, batched over cells.

Every kernel takes ``x3`` float64 C-contiguous ``(n_cells, n_alternatives, n_indicators)`` (one
cell = one decision matrix), weights ``w2`` ``(1 or n_cells, n_indicators)`` (row 0 for every
cell when there is one row), ``is_cost`` bool ``(n_indicators,)`` and the per-cell column
statistics of :func:`column_stats`, and returns ``(n_cells, n_alternatives)`` arrays. The row
stages run in parallel over the flattened (cell, alternative) pairs, so one big cell and many
small cells both use every thread (a small batch runs the serial twin of
:mod:`fastinno.kernels.twins`, compiled only then); the per-cell reductions that follow are
O(n) per cell and serial (waking the threads would cost more).

Degenerate cases yield documented values or NaN / inf, which the array-level wrappers turn into
errors; the formulas and their sources are in each kernel's docstring.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import normalize as kn
from . import outranking as ko
from . import weights as kw
from .twins import parallel_twin

#: VIKOR: what a constant S or R (max == min over the alternatives) adds to Q.
Q_ZERO = 0  # 0: every alternative ties on that measure, Q rests on the other one
Q_NAN = 1  # NaN: the 0 / 0 of the formula (pymcdm 1.4.0)

#: Floating-point flags of the EDAS and CODAS row kernels: the sums over an alternative's
#: indicators may be reassociated, so they vectorize (partial sums over groups of indicators,
#: added at the end: the same for any thread count, within rounding of the sequential sum). The
#: kernels that take four rows at a time (VIKOR, SPOTIS, MARCOS) sum in indicator order instead,
#: so that a row's result does not depend on which loop computed it.
_ROW_SUMS = {"reassoc"}
#: ... and maxima (no NaN reaches them: the data are checked finite first).
_ROW_MAX = {"reassoc", "nnan", "nsz"}

#: Normalizations of CoCoSo (their own constant-column rule, see :func:`cocoso_sums`).
COCOSO_MINMAX = 1
COCOSO_MAX_RATIO = 0


@parallel_twin
def _stats_cells(x3, want_sums):
    n_cells, n, m = x3.shape
    mn = np.empty((n_cells, m))
    mx = np.empty((n_cells, m))
    s1 = np.zeros((n_cells, m))
    s2 = np.zeros((n_cells, m))
    bad = np.zeros(n_cells, dtype=np.int64)
    for c in prange(n_cells):
        for j in range(m):
            mn[c, j] = np.inf
            mx[c, j] = -np.inf
        nb = 0
        for i in range(n):
            for j in range(m):
                v = x3[c, i, j]
                nb += (v - v) != 0.0  # NaN for NaN and +-inf
                mn[c, j] = min(mn[c, j], v)
                mx[c, j] = max(mx[c, j], v)
            if want_sums:
                for j in range(m):
                    v = x3[c, i, j]
                    s1[c, j] += v
                    s2[c, j] += v * v
        bad[c] = nb
    return mn, mx, s1, s2, bad.sum()




def column_stats(x3, want_sums):
    """Per-cell column minimum, maximum, sum and sum of squares, each ``(n_cells, n_indicators)``,
    and the number of NaN or infinite entries.

    A Python dispatcher: one cell goes through ``normalize.matrix_stats`` (parallel over row
    blocks), many cells through a kernel parallel over cells. The sums are 0 unless
    ``want_sums``.
    """
    if x3.shape[0] == 1:
        mn, mx, s1, s2, bad = kn.matrix_stats(x3[0], want_sums)
        return mn[None], mx[None], s1[None], s2[None], bad
    return _stats_cells(x3, want_sums)


@njit(cache=True, inline="always")
def _w(w2, c):
    return np.int64(c) if w2.shape[0] > 1 else np.int64(0)


# --- VIKOR ---


@njit(cache=True, inline="always")
def _put4(out, c, i, a0, a1, a2, a3):
    # the four rows' results of a four-row loop: out[c, i .. i + 3]
    out[c, i] = a0
    out[c, i + 1] = a1
    out[c, i + 2] = a2
    out[c, i + 3] = a3


@njit(cache=True)
def _coefficients(w2, is_cost, mn, mx, code):
    # Per (cell, indicator) reference value and factor so that a term is (x - ref) * k:
    # code 0 (VIKOR): ref = best, k = w / (worst - best), so the term is w (f* - x) / (f* - f-);
    # code 1 (SPOTIS): ref = ideal, k = w / (max - min), the term is |x - ref| * k.
    # A constant indicator: ref 0, k 0 (the term is 0).
    n_cells, m = mn.shape
    ref = np.zeros((n_cells, m))
    k = np.zeros((n_cells, m))
    for c in range(n_cells):
        wc = _w(w2, c)
        for j in range(m):
            lo = mn[c, j]
            hi = mx[c, j]
            if hi > lo:
                cost = is_cost[j]
                ref[c, j] = lo if cost else hi
                if code == 0:
                    k[c, j] = w2[wc, j] / (hi - lo) if cost else w2[wc, j] / (lo - hi)
                else:
                    k[c, j] = w2[wc, j] / (hi - lo)
    return ref, k


@parallel_twin
def vikor_sr(x3, w2, is_cost, mn, mx):
    """VIKOR group utility S and individual regret R (Opricovic & Tzeng 2004, eqs. 1-2).

    ``S_i = sum_j w_j (f*_j - f_ij) / (f*_j - f-_j)`` and ``R_i = max_j`` of the same terms, with
    ``f*_j`` the best (max for benefit, min for cost) and ``f-_j`` the worst value of indicator
    ``j`` in the cell. A constant indicator (``f* == f-``) adds 0 to S and R. Each term is
    computed as ``(f_ij - f*_j) * (w_j / (f-_j - f*_j))``.

    Returns
    -------
    S, R : float64 (n_cells, n_alternatives)
    """
    n_cells, n, m = x3.shape
    ref, k = _coefficients(w2, is_cost, mn, mx, 0)
    s_out = np.empty((n_cells, n))
    r_out = np.empty((n_cells, n))
    rows, nb = kn.block_rows(n, m)
    for u in prange(n_cells * nb):
        c = np.int64(u) // nb
        i = (np.int64(u) - c * nb) * rows
        end = min(n, i + rows)
        while i + 4 <= end:  # four rows at a time: independent sums hide the add latency
            s0 = s1 = s2 = s3 = 0.0
            r0 = r1 = r2 = r3 = 0.0
            for j in range(m):
                f = ref[c, j]
                kj = k[c, j]
                d0 = (x3[c, i, j] - f) * kj
                d1 = (x3[c, i + 1, j] - f) * kj
                d2 = (x3[c, i + 2, j] - f) * kj
                d3 = (x3[c, i + 3, j] - f) * kj
                s0 += d0
                s1 += d1
                s2 += d2
                s3 += d3
                r0 = d0 if d0 > r0 else r0
                r1 = d1 if d1 > r1 else r1
                r2 = d2 if d2 > r2 else r2
                r3 = d3 if d3 > r3 else r3
            _put4(s_out, c, i, s0, s1, s2, s3)
            _put4(r_out, c, i, r0, r1, r2, r3)
            i += 4
        while i < end:
            s = 0.0
            r = 0.0
            for j in range(m):
                d = (x3[c, i, j] - ref[c, j]) * k[c, j]
                s += d
                r = d if d > r else r
            s_out[c, i] = s
            r_out[c, i] = r
            i += 1
    return s_out, r_out


@njit(cache=True, inline="always")
def _span_term(a, lo, hi, mode):
    if hi > lo:
        return (a - lo) / (hi - lo)
    return 0.0 if mode == Q_ZERO else np.nan


@njit(cache=True)
def vikor_q(s, r, v, mode):
    """VIKOR compromise index (Opricovic & Tzeng 2004, eq. 3), smaller is better.

    ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` with ``S* = min S``,
    ``S- = max S`` (likewise R) over the cell's alternatives. When S (or R) is constant its term
    is 0 (``mode == Q_ZERO``) or NaN (``Q_NAN``, the 0 / 0 of the formula).
    """
    n_cells, n = s.shape
    q = np.empty((n_cells, n))
    for c in range(n_cells):
        s_lo = np.inf
        s_hi = -np.inf
        r_lo = np.inf
        r_hi = -np.inf
        for i in range(n):
            s_lo = min(s_lo, s[c, i])
            s_hi = max(s_hi, s[c, i])
            r_lo = min(r_lo, r[c, i])
            r_hi = max(r_hi, r[c, i])
        for i in range(n):
            a = _span_term(s[c, i], s_lo, s_hi, mode)
            b = _span_term(r[c, i], r_lo, r_hi, mode)
            q[c, i] = v * a + (1.0 - v) * b
    return q


# --- EDAS ---


@parallel_twin(fastmath=_ROW_SUMS)
def edas_sums(x3, w2, is_cost, av, mn, mx):
    """EDAS weighted sums SP and SN of the distances from the average (Keshavarz Ghorabaee et
    al. 2015, eqs. 3-6).

    ``PDA_ij = max(0, (x_ij - AV_j) / AV_j)`` and ``NDA_ij = max(0, (AV_j - x_ij) / AV_j)`` for a
    benefit indicator (swapped for a cost indicator), ``SP_i = sum_j w_j PDA_ij``,
    ``SN_i = sum_j w_j NDA_ij``. ``av`` is the column mean per cell (non-zero for non-constant
    indicators); constant indicators add 0. Each term is ``(x_ij - AV_j) * (+-w_j / AV_j)``.
    """
    n_cells, n, m = x3.shape
    k = np.zeros((n_cells, m))
    for c in range(n_cells):
        wc = _w(w2, c)
        for j in range(m):
            if mx[c, j] > mn[c, j]:
                k[c, j] = -w2[wc, j] / av[c, j] if is_cost[j] else w2[wc, j] / av[c, j]
    sp = np.empty((n_cells, n))
    sn = np.empty((n_cells, n))
    for t in prange(n_cells * n):
        c = np.int64(t) // n
        i = np.int64(t) - c * n
        p = 0.0
        q = 0.0
        for j in range(m):
            d = (x3[c, i, j] - av[c, j]) * k[c, j]
            p += d if d > 0.0 else 0.0
            q += -d if d < 0.0 else 0.0
        sp[c, i] = p
        sn[c, i] = q
    return sp, sn


@njit(cache=True)
def edas_score(sp, sn):
    """EDAS appraisal score ``AS = (NSP + NSN) / 2`` with ``NSP = SP / max SP`` and
    ``NSN = 1 - SN / max SN`` (Keshavarz Ghorabaee et al. 2015, eqs. 7-9), larger is better.

    A cell where ``max SP = 0`` (then also ``max SN = 0``: every weighted indicator is constant)
    gives NSP = 0 and NSN = 1, so every alternative scores 0.5 (a tie).
    """
    n_cells, n = sp.shape
    out = np.empty((n_cells, n))
    for c in range(n_cells):
        p_hi = 0.0
        n_hi = 0.0
        for i in range(n):
            p_hi = max(p_hi, sp[c, i])
            n_hi = max(n_hi, sn[c, i])
        for i in range(n):
            nsp = sp[c, i] / p_hi if p_hi > 0.0 else 0.0
            nsn = 1.0 - sn[c, i] / n_hi if n_hi > 0.0 else 1.0
            out[c, i] = (nsp + nsn) / 2.0
    return out


# --- CODAS ---


@parallel_twin(error_model="numpy", fastmath=_ROW_SUMS)
def codas_distances(x3, w2, is_cost, method, mn, mx, s1, s2):
    """CODAS Euclidean and taxicab distances from the negative-ideal solution (Keshavarz
    Ghorabaee et al. 2016, eqs. 2-6).

    ``n_ij`` is the normalized value (``method`` a :mod:`fastinno.kernels.normalize` code:
    MAX_RATIO, the paper's, benefit ``x / max`` and cost ``min / x``; MINMAX; VECTOR),
    ``r_ij = w_j n_ij``, ``ns_j = min_i r_ij``, ``E_i = sqrt(sum_j (r_ij - ns_j)^2)``,
    ``T_i = sum_j |r_ij - ns_j|``. Constant indicators add 0.

    Each difference ``r_ij - ns_j`` is ``(x_ij - x_worst) * k_j`` (the affine normalizations and
    max-ratio benefit) or ``a_j / x_ij + b_j`` (max-ratio cost: ``w min / x - w min / max``).
    """
    n_cells, n, m = x3.shape
    ref = np.zeros((n_cells, m))
    k = np.zeros((n_cells, m))
    a = np.zeros((n_cells, m))
    b = np.zeros((n_cells, m))
    recip = np.zeros(m, dtype=np.bool_)
    for c in range(n_cells):
        wc = _w(w2, c)
        for j in range(m):
            lo = mn[c, j]
            hi = mx[c, j]
            w = w2[wc, j]
            cost = is_cost[j]
            if hi > lo:
                ref[c, j] = hi if cost else lo
                if method == kn.MAX_RATIO:
                    if cost:
                        recip[j] = True
                        a[c, j] = w * lo
                        b[c, j] = -(w * lo / hi)
                    else:
                        k[c, j] = w / hi
                elif method == kn.MINMAX:
                    k[c, j] = -w / (hi - lo) if cost else w / (hi - lo)
                else:
                    norm = math.sqrt(s2[c, j])
                    k[c, j] = -w / norm if cost else w / norm
    e_out = np.empty((n_cells, n))
    t_out = np.empty((n_cells, n))
    for t in prange(n_cells * n):
        c = np.int64(t) // n
        i = np.int64(t) - c * n
        e = 0.0
        tt = 0.0
        for j in range(m):
            v = x3[c, i, j]
            lin = (v - ref[c, j]) * k[c, j]
            rec = a[c, j] / v + b[c, j]
            d = rec if recip[j] else lin
            e += d * d
            tt += abs(d)
        e_out[c, i] = math.sqrt(e)
        t_out[c, i] = tt
    return e_out, t_out


@njit(cache=True, nogil=True)
def codas_sweep(es, ts, order, tau, out):
    """CODAS ``H`` from the distances sorted by E: ``es``, ``ts`` are E and T in increasing order of
    E, ``order[a]`` the original position of the a-th; writes ``out[order[a]]``.

    H_i = sum_k (E_i - E_k) + sum_{k: |E_i - E_k| >= tau} (T_i - T_k): prefix sums of T, and the
    sets {k: E_i - E_k >= tau} (a prefix of the order) and {k: E_k - E_i >= tau} (a suffix) move
    monotonically with E_i (rounding is monotone, so the predicates are those of the double sum).
    """
    n = es.shape[0]
    pre = np.zeros(n + 1)
    e_total = 0.0
    for k in range(n):
        pre[k + 1] = pre[k] + ts[k]
        e_total += es[k]
    lo = 0
    hi = 0
    for a in range(n):
        ea = es[a]
        while lo < n and ea - es[lo] >= tau:
            lo += 1
        if hi < a:
            hi = a
        while hi < n and es[hi] - ea < tau:
            hi += 1
        cnt = lo + (n - hi)
        tsum = pre[lo] + (pre[n] - pre[hi])
        out[order[a]] = (n * ea - e_total) + (cnt * ts[a] - tsum)


@njit(cache=True)
def _codas_cell(e, t, tau, out):
    # H of one cell, O(n log n): radix order of E, then the sweep of :func:`codas_sweep`
    order = ko.argsort_radix(e)
    codas_sweep(e[order], t[order], order, tau, out)


@parallel_twin
def codas_score(e, t, tau):
    """CODAS assessment score ``H_i = sum_k h_ik`` with ``h_ik = (E_i - E_k) + psi(E_i - E_k)
    (T_i - T_k)``, ``psi(x) = 1`` if ``|x| >= tau`` else 0 (Keshavarz Ghorabaee et al. 2016,
    eqs. 7-9), larger is better.

    O(n log n) per cell (sort by E and prefix sums of T) instead of the paper's n x n matrix;
    ``tau > 0``. Parallel over cells.
    """
    n_cells, n = e.shape
    out = np.empty((n_cells, n))
    for c in prange(n_cells):
        _codas_cell(e[c], t[c], tau, out[c])
    return out


# --- SPOTIS ---


@parallel_twin
def spotis_distance(x3, w2, is_cost, lo, hi):
    """SPOTIS distance to the ideal solution point (Dezert et al. 2020, eqs. 3-4), smaller is
    better.

    ``d_i = sum_j w_j |x_ij - S*_j| / (max_j - min_j)`` with the bounds ``lo``, ``hi``
    ``(n_cells, n_indicators)`` and the ideal point ``S*_j = max_j`` (benefit) or ``min_j``
    (cost). An indicator with ``max_j == min_j`` adds 0. Each term is computed as
    ``|x_ij - S*_j| * (w_j / (max_j - min_j))``.
    """
    n_cells, n, m = x3.shape
    ref, k = _coefficients(w2, is_cost, lo, hi, 1)
    out = np.empty((n_cells, n))
    rows, nb = kn.block_rows(n, m)
    for u in prange(n_cells * nb):
        c = np.int64(u) // nb
        i = (np.int64(u) - c * nb) * rows
        end = min(n, i + rows)
        # four rows at a time: four independent sums hide the add latency
        while i + 4 <= end:
            s0 = s1 = s2 = s3 = 0.0
            for j in range(m):
                r = ref[c, j]
                kj = k[c, j]
                s0 += abs(x3[c, i, j] - r) * kj
                s1 += abs(x3[c, i + 1, j] - r) * kj
                s2 += abs(x3[c, i + 2, j] - r) * kj
                s3 += abs(x3[c, i + 3, j] - r) * kj
            _put4(out, c, i, s0, s1, s2, s3)
            i += 4
        while i < end:
            s = 0.0
            for j in range(m):
                s += abs(x3[c, i, j] - ref[c, j]) * k[c, j]
            out[c, i] = s
            i += 1
    return out


# --- MARCOS ---


@parallel_twin(error_model="numpy")
def marcos_utility(x3, w2, is_cost, mn, mx):
    """MARCOS utility function (Stevic et al. 2020, eqs. 5-10), larger is better.

    Normalization against the ideal solution AI (benefit ``x / max``, cost ``min / x``; a
    constant indicator normalizes to 1), ``S_i = sum_j w_j n_ij``, utility degrees
    ``K-_i = S_i / S_aai`` and ``K+_i = S_i / S_ai`` (AAI = the anti-ideal row), utility functions
    ``f(K+) = K- / (K+ + K-)``, ``f(K-) = K+ / (K+ + K-)`` and
    ``f(K_i) = (K+ + K-) / (1 + (1 - f(K+)) / f(K+) + (1 - f(K-)) / f(K-))``. Each weighted term
    is computed as ``x * (w / max)`` (benefit) or ``(w min) / x`` (cost).

    Returns
    -------
    f, k_pos, k_neg : float64 (n_cells, n_alternatives); NaN / inf when ``S_aai`` or some
    ``S_i`` is 0 (the caller reports it).
    """
    n_cells, n, m = x3.shape
    k = np.zeros((n_cells, m))  # benefit: x * k
    a = np.zeros((n_cells, m))  # cost: a / x
    const = np.zeros(n_cells)  # constant indicators: w each
    s_ai = np.zeros(n_cells)
    s_aai = np.zeros(n_cells)
    for c in range(n_cells):
        wc = _w(w2, c)
        for j in range(m):
            lo = mn[c, j]
            hi = mx[c, j]
            w = w2[wc, j]
            s_ai[c] += w
            if hi > lo:
                if is_cost[j]:
                    a[c, j] = w * lo
                    s_aai[c] += a[c, j] / hi
                else:
                    k[c, j] = w / hi
                    s_aai[c] += lo * k[c, j]
            else:
                const[c] += w
                s_aai[c] += w
    f = np.empty((n_cells, n))
    k_pos = np.empty((n_cells, n))
    k_neg = np.empty((n_cells, n))
    rows, nb = kn.block_rows(n, m)
    for u in prange(n_cells * nb):
        c = np.int64(u) // nb
        i0 = (np.int64(u) - c * nb) * rows
        end = min(n, i0 + rows)
        i = i0
        while i + 4 <= end:  # the weighted sums S, four rows at a time (independent sums)
            s0 = s1 = s2 = s3 = const[c]
            for j in range(m):
                kj = k[c, j]
                aj = a[c, j]
                cost = is_cost[j]
                v0 = x3[c, i, j]
                v1 = x3[c, i + 1, j]
                v2 = x3[c, i + 2, j]
                v3 = x3[c, i + 3, j]
                s0 += aj / v0 if cost else v0 * kj
                s1 += aj / v1 if cost else v1 * kj
                s2 += aj / v2 if cost else v2 * kj
                s3 += aj / v3 if cost else v3 * kj
            _put4(f, c, i, s0, s1, s2, s3)
            i += 4
        while i < end:
            s = const[c]
            for j in range(m):
                v = x3[c, i, j]
                s += a[c, j] / v if is_cost[j] else v * k[c, j]
            f[c, i] = s
            i += 1
        for i in range(i0, end):  # utility degrees and function from S
            s = f[c, i]
            kn_ = s / s_aai[c]
            kp = s / s_ai[c]
            fp = kn_ / (kp + kn_)
            fn = kp / (kp + kn_)
            f[c, i] = (kp + kn_) / (1.0 + (1.0 - fp) / fp + (1.0 - fn) / fn)
            k_pos[c, i] = kp
            k_neg[c, i] = kn_
    return f, k_pos, k_neg


# --- CoCoSo ---

#: Cody-Waite split of ln 2 (fdlibm's e_exp.c): ``LN2_HI`` has 32 significant bits, so
#: ``k * LN2_HI`` is exact for ``|k| < 2 ** 11``.
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
LOG2E = 1.44269504088896338700e+00
_ROUND = 6755399441055744.0  # 1.5 * 2 ** 52: adding it rounds to an integer


_ROUND_BITS = 4843621399236968448  # the bits of _ROUND: those of _ROUND + k are _ROUND_BITS + k
_OFFSET = 32768  # added to k = round(32 z / ln 2) >= -32 * 1021 so that it is >= 0


@njit(cache=True, nogil=True)
def exp2_fractions():
    """``2 ** (i / 32)`` for ``i = 0 .. 31``, the table of :func:`exp_nonpositive`."""
    tab = np.empty(32)
    for i in range(32):
        tab[i] = np.exp2(i / 32.0)
    return tab


@njit(cache=True, nogil=True)
def exp_nonpositive(z, nb, out, t, scale, tab):
    """``out[b] = exp(z[b])`` for ``b < nb`` and ``z <= 0``, without a library call (the loops
    vectorize): 0 below ``-708``, and 1 for NaN (the ``0 * -inf`` of ``0 ** 0``).

    ``z = (k / 32) ln 2 + f`` with ``k = round(32 z / ln 2)`` (adding ``1.5 * 2 ** 52``, whose
    bits then hold ``k``) and ``|f| <= ln 2 / 64`` (Cody-Waite reduction with ``ln 2`` in two
    parts), so ``exp(z) = 2 ** (k // 32) * 2 ** ((k mod 32) / 32) * exp(f)``: the power of two
    built from its bits, the second factor from ``tab`` (:func:`exp2_fractions`), ``exp(f)`` by
    its Taylor polynomial of degree 6 (truncation below 4e-18): within about two units in the
    last place of ``math.exp``. ``t`` and ``scale`` are work arrays of at least ``nb`` entries.
    """
    tb = t.view(np.uint64)  # unsigned: the shifts are logical, so they vectorize
    sb = scale.view(np.uint64)
    base = np.uint64(_ROUND_BITS - _OFFSET)
    five = np.uint64(5)
    c_hi = LN2_HI / 32.0
    c_lo = LN2_LO / 32.0
    inv = 32.0 * LOG2E
    for b in range(nb):
        zc = z[b] if z[b] > -708.0 else -708.0
        zc = zc if zc < 0.0 else 0.0
        tt = zc * inv + _ROUND
        t[b] = tt
        kf = tt - _ROUND
        f = (zc - kf * c_hi) - kf * c_lo
        p = 1.0 / 720.0
        p = p * f + 1.0 / 120.0
        p = p * f + 1.0 / 24.0
        p = p * f + 1.0 / 6.0
        p = p * f + 0.5
        p = p * f + 1.0
        out[b] = p * f + 1.0
    for b in range(nb):
        kk = tb[b] - base  # k + _OFFSET >= 0
        sb[b] = ((kk >> five) - np.uint64((_OFFSET >> 5) - 1023)) << np.uint64(52)  # 2 ** (k // 32)
        tb[b] = kk & np.uint64(31)
    for b in range(nb):
        v = out[b] * (scale[b] * tab[tb[b]])  # a power of two times the table entry: exact
        v = v if z[b] >= -708.0 else 0.0
        out[b] = v if z[b] == z[b] else 1.0


@njit(cache=True, nogil=True, error_model="numpy")
def log_nonnegative(x, nb, out):
    """``out[b] = ln(x[b])`` for ``b < nb`` and finite ``x >= 0`` (``-inf`` at 0), without a
    library call: ``weights.log_nonneg`` (fdlibm's ``log``, below one unit in the last place,
    branch-free) in a loop that vectorizes. ``x`` and ``out`` may not overlap.
    """
    for b in range(nb):
        v = x[b]
        lg = kw.log_nonneg(v)
        out[b] = lg if v > 0.0 else -np.inf



#: Rows of :func:`cocoso_sums` whose ``r ** w`` go through one logarithm and one exponential
#: loop (``COCOSO_ROWS * m`` values at a time, in the first-level cache).
COCOSO_ROWS = 16


@parallel_twin(error_model="numpy")
def cocoso_sums(x3, w2, is_cost, method, mn, mx):
    """CoCoSo weighted sum ``S_i = sum_j w_j r_ij`` and power-weighted sum
    ``P_i = sum_j r_ij ** w_j`` (Yazdani et al. 2019, eqs. 2-4; ``0 ** 0 = 1``).

    ``r`` is min-max normalized (the paper's, ``method == COCOSO_MINMAX``: ``(x - min) / (max -
    min)``, cost ``(max - x) / (max - min)``) or max-ratio normalized (``COCOSO_MAX_RATIO``:
    ``x / max``, cost ``min / x``); a constant indicator normalizes to 1. ``r ** w`` is
    ``exp(w ln r)`` through :func:`log_nonnegative` and :func:`exp_nonpositive` over
    ``COCOSO_ROWS`` alternatives at a time (both within about two units in the last place).
    Parallel over the row blocks of :func:`fastinno.kernels.normalize.block_rows` of every cell.
    """
    n_cells, n, m = x3.shape
    rows, nb = kn.block_rows(n, m)
    s_out = np.empty((n_cells, n))
    p_out = np.empty((n_cells, n))
    # r = (x - ref) * k (affine) or a / x (max-ratio cost); constant indicators r = 1
    ref = np.zeros((n_cells, m))
    k = np.zeros((n_cells, m))
    a = np.zeros((n_cells, m))
    one = np.zeros((n_cells, m))
    recip = np.zeros(m, dtype=np.bool_)
    for c in range(n_cells):
        for j in range(m):
            lo = mn[c, j]
            hi = mx[c, j]
            if hi > lo:
                if method == COCOSO_MINMAX:
                    ref[c, j] = hi if is_cost[j] else lo
                    k[c, j] = -1.0 / (hi - lo) if is_cost[j] else 1.0 / (hi - lo)
                elif is_cost[j]:
                    recip[j] = True
                    a[c, j] = lo
                else:
                    k[c, j] = 1.0 / hi
            else:
                one[c, j] = 1.0
    tab = exp2_fractions()
    size = COCOSO_ROWS * m
    for u in prange(n_cells * nb):
        uu = np.int64(u)
        c = uu // nb
        b0 = uu - c * nb
        wc = _w(w2, c)
        w = w2[wc]
        r = np.empty(size)
        z = np.empty(size)
        ez = np.empty(size)
        t = np.empty(size)
        sc = np.empty(size)
        end = min(n, (b0 + 1) * rows)
        for i0 in range(b0 * rows, end, COCOSO_ROWS):
            cnt = min(COCOSO_ROWS, end - i0)
            for ii in range(cnt):
                for j in range(m):
                    v = x3[c, i0 + ii, j]
                    lin = (v - ref[c, j]) * k[c, j]
                    rv = a[c, j] / v if recip[j] else lin
                    r[ii * m + j] = rv + one[c, j]
            log_nonnegative(r, cnt * m, z)
            for ii in range(cnt):
                for j in range(m):
                    z[ii * m + j] *= w[j]  # NaN for 0 * -inf: 0 ** 0 = 1
            exp_nonpositive(z, cnt * m, ez, t, sc, tab)
            for ii in range(cnt):
                sv = 0.0
                pv = 0.0
                for j in range(m):
                    sv += r[ii * m + j] * w[j]
                    pv += ez[ii * m + j]
                s_out[c, i0 + ii] = sv
                p_out[c, i0 + ii] = pv
    return s_out, p_out


#: Alternatives per parallel task of :func:`cocoso_score` (a power each: past 8,192 alternatives
#: the parallel twin runs).
_SCORE_BLOCK = 4096


@parallel_twin(error_model="numpy", serial_below=8192)
def cocoso_score(s, p, lam):
    """CoCoSo appraisal score (Yazdani et al. 2019, eqs. 5-8), larger is better.

    ``k_a = (P_i + S_i) / sum_i (P_i + S_i)``, ``k_b = S_i / min S + P_i / min P``,
    ``k_c = (lam S_i + (1 - lam) P_i) / (lam max S + (1 - lam) max P)`` and
    ``k_i = (k_a k_b k_c) ** (1/3) + (k_a + k_b + k_c) / 3``. ``min S = 0`` (an alternative at
    the worst value of every weighted indicator) gives inf (the caller reports it).

    Returns
    -------
    k, k_a, k_b, k_c : float64 (n_cells, n_alternatives)
    """
    n_cells, n = s.shape
    k = np.empty((n_cells, n))
    ka = np.empty((n_cells, n))
    kb = np.empty((n_cells, n))
    kc = np.empty((n_cells, n))
    total = np.zeros(n_cells)
    s_lo = np.full(n_cells, np.inf)
    p_lo = np.full(n_cells, np.inf)
    den = np.empty(n_cells)
    for c in range(n_cells):  # the cell's sum and extremes, in order
        t = 0.0
        slo = np.inf
        shi = -np.inf
        plo = np.inf
        phi = -np.inf
        for i in range(n):
            t += p[c, i] + s[c, i]
            slo = min(slo, s[c, i])
            shi = max(shi, s[c, i])
            plo = min(plo, p[c, i])
            phi = max(phi, p[c, i])
        total[c] = t
        s_lo[c] = slo
        p_lo[c] = plo
        den[c] = lam * shi + (1.0 - lam) * phi
    # the scores element by element (a power each), parallel over blocks of alternatives
    nb = (n + _SCORE_BLOCK - 1) // _SCORE_BLOCK
    for u in prange(n_cells * nb):
        c = np.int64(u) // nb
        i0 = (np.int64(u) - c * nb) * _SCORE_BLOCK
        for i in range(i0, min(n, i0 + _SCORE_BLOCK)):
            a = (p[c, i] + s[c, i]) / total[c]
            b = s[c, i] / s_lo[c] + p[c, i] / p_lo[c]
            cc = (lam * s[c, i] + (1.0 - lam) * p[c, i]) / den[c]
            ka[c, i] = a
            kb[c, i] = b
            kc[c, i] = cc
            k[c, i] = (a * b * cc) ** (1.0 / 3.0) + (a + b + cc) / 3.0
    return k, ka, kb, kc
