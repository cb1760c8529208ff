"""PROMETHEE II net outranking flows (Brans & Vincke 1985), batched over cells.

For indicator ``j`` and alternatives ``a``, ``b`` let ``d = g_j(a) - g_j(b)`` (``g_j(b) - g_j(a)``
for a cost indicator) and ``P_j(d)`` the preference function (0 for ``d <= 0``):

- usual (type I): 1 for ``d > 0``;
- u_shape (type II): 1 for ``d > q``;
- v_shape (type III): ``d / p`` for ``0 < d <= p``, 1 beyond;
- level (type IV): 1/2 for ``q < d <= p``, 1 beyond;
- linear (type V): ``(d - q) / (p - q)`` for ``q < d <= p``, 1 beyond;
- gaussian (type VI): ``1 - exp(-d^2 / (2 s^2))``.

The flows are ``phi+(a) = sum_b pi(a, b) / (n - 1)``, ``phi-(a) = sum_b pi(b, a) / (n - 1)``
with ``pi(a, b) = sum_j w_j P_j(d_j(a, b))``, and the net flow ``phi(a) = phi+(a) - phi-(a)``.

Cost: the double sum is never formed. Each (cell, indicator) column is sorted once (a radix
argsort, :func:`argsort_radix`); the pairs
with ``d > p`` (counted as 1) and ``q < d <= p`` (summed through prefix sums of the sorted values)
then form contiguous runs whose bounds move monotonically along the sorted order, so types I-V
take O(n log n) per indicator. Rounding is monotone, so the run bounds use the same ``d`` and
the same comparisons as the double sum. The gaussian function has no such closed form: it
takes O(n * k) per indicator, where ``k`` is the number of alternatives within ``sqrt(80) s`` of
each other (beyond that distance ``1 - exp(-d^2 / (2 s^2))`` rounds to exactly 1 and is
counted) -- O(n^2) in the worst case (``s`` large against the spread). The columns run in
parallel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

USUAL = 0
U_SHAPE = 1
V_SHAPE = 2
LEVEL = 3
LINEAR = 4
GAUSSIAN = 5

#: ``1 - exp(-x)`` is exactly 1.0 in float64 once ``x > 40`` (``exp(-40) < 2^-54``).
GAUSS_SATURATION = 40.0


#: Bits per pass of the radix argsort (6 passes over 64-bit keys; 2,048 counters stay in L1).
RADIX_BITS = 11


@njit(cache=True)
def argsort_radix(y):
    """Stable argsort of a float64 vector (no NaN) by LSD radix sort, O(n) per pass.

    The float bits are mapped to unsigned keys that sort like the values (``-0.0`` as ``0.0``);
    passes whose digit is the same for every key are skipped. Ties keep their input order.
    """
    n = y.shape[0]
    bits = y.view(np.uint64)
    keys = np.empty(n, dtype=np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    for i in range(n):
        u = bits[i] if y[i] != 0.0 else np.uint64(0)
        keys[i] = (~u) if (u & sign) else (u | sign)
    idx = np.arange(n)
    idx2 = np.empty(n, dtype=np.int64)
    keys2 = np.empty(n, dtype=np.uint64)
    radix = 1 << RADIX_BITS
    mask = np.uint64(radix - 1)
    cnt = np.empty(radix + 1, dtype=np.int64)
    for shift in range(0, 64, RADIX_BITS):
        sh = np.uint64(shift)
        cnt[:] = 0
        for i in range(n):
            cnt[((keys[i] >> sh) & mask) + 1] += 1
        if cnt.max() == n:
            continue
        for d in range(radix):
            cnt[d + 1] += cnt[d]
        for i in range(n):
            d = (keys[i] >> sh) & mask
            pos = cnt[d]
            cnt[d] += 1
            keys2[pos] = keys[i]
            idx2[pos] = idx[i]
        keys, keys2 = keys2, keys
        idx, idx2 = idx2, idx
    return idx


@njit(cache=True)
def _thresholds(pref, q, p):
    # (q, p) of the unified piecewise form: 1 for d > p, a middle run for q < d <= p.
    if pref == USUAL:
        return 0.0, 0.0
    if pref == U_SHAPE:
        return q, q
    if pref == V_SHAPE:
        return 0.0, p
    return q, p


@njit(cache=True)
def _piecewise_column(ys, pref, q, p, pos, neg):
    # ys sorted ascending; pos[a] = sum_b P(ys[a] - ys[b]), neg[a] = sum_b P(ys[b] - ys[a]).
    n = ys.shape[0]
    qq, pp = _thresholds(pref, q, p)
    pre = np.zeros(n + 1)
    base = ys[0]
    for k in range(n):
        pre[k + 1] = pre[k] + (ys[k] - base)
    span = pp - qq
    f1 = 0  # ys[k] with ya - ys[k] > p: k < f1
    f2 = 0  # ya - ys[k] > q: k < f2
    g1 = 0  # ys[k] - ya > p: k >= g1
    g2 = 0  # ys[k] - ya > q: k >= g2
    for a in range(n):
        ya = ys[a]
        while f1 < n and ya - ys[f1] > pp:
            f1 += 1
        while f2 < n and ya - ys[f2] > qq:
            f2 += 1
        while g1 < n and ys[g1] - ya <= pp:
            g1 += 1
        while g2 < n and ys[g2] - ya <= qq:
            g2 += 1
        up = float(f1)
        down = float(n - g1)
        m_up = f2 - f1  # q < ya - ys[k] <= p
        m_down = g1 - g2  # q < ys[k] - ya <= p
        if pref == LEVEL:
            up += 0.5 * m_up
            down += 0.5 * m_down
        elif pref != USUAL and pref != U_SHAPE:
            yc = ya - base
            if m_up > 0:
                up += (m_up * (yc - qq) - (pre[f2] - pre[f1])) / span
            if m_down > 0:
                down += ((pre[g1] - pre[g2]) - m_down * (yc + qq)) / span
        pos[a] = up
        neg[a] = down


@njit(cache=True)
def _gaussian_column(ys, s, pos, neg):
    n = ys.shape[0]
    two_s2 = 2.0 * s * s
    cut = GAUSS_SATURATION * two_s2  # d^2 > cut: the term is exactly 1
    lo = 0  # k < lo: (ya - ys[k])^2 > cut
    for a in range(n):
        ya = ys[a]
        while lo < n and ya - ys[lo] > 0.0 and (ya - ys[lo]) * (ya - ys[lo]) > cut:
            lo += 1
        up = float(lo)
        k = lo
        while k < n and ya - ys[k] > 0.0:
            d = ya - ys[k]
            up += 1.0 - math.exp(-(d * d) / two_s2)
            k += 1
        pos[a] = up
    hi = n  # k >= hi: (ys[k] - ya)^2 > cut
    for a in range(n - 1, -1, -1):
        ya = ys[a]
        while hi > 0 and ys[hi - 1] - ya > 0.0 and (ys[hi - 1] - ya) * (ys[hi - 1] - ya) > cut:
            hi -= 1
        down = float(n - hi)
        k = hi - 1
        while k >= 0 and ys[k] - ya > 0.0:
            d = ys[k] - ya
            down += 1.0 - math.exp(-(d * d) / two_s2)
            k -= 1
        neg[a] = down


@njit(cache=True, parallel=True)
def column_flows(x3, is_cost, pref, q, p, s):
    """Per-indicator unweighted preference sums of every alternative.

    Parameters
    ----------
    x3 : float64 (n_cells, n_alternatives, n_indicators), C-contiguous.
    is_cost : bool (n_indicators,)
    pref : int, USUAL, U_SHAPE, V_SHAPE, LEVEL, LINEAR or GAUSSIAN.
    q, p, s : float64 (n_indicators,), thresholds in the indicator's units (those the function
        does not use are ignored).

    Returns
    -------
    pos, neg : float64 (n_cells, n_indicators, n_alternatives)
        ``pos[c, j, a] = sum_b P_j(d_j(a, b))`` and ``neg[c, j, a] = sum_b P_j(d_j(b, a))``.
        Parallel over the (cell, indicator) columns.
    """
    n_cells, n, m = x3.shape
    pos = np.empty((n_cells, m, n))
    neg = np.empty((n_cells, m, n))
    for t in prange(n_cells * m):
        c = np.int64(t) // m
        j = np.int64(t) - c * m
        y = np.empty(n)
        for i in range(n):
            y[i] = -x3[c, i, j] if is_cost[j] else x3[c, i, j]
        order = argsort_radix(y)
        ys = y[order]
        ps = np.empty(n)
        ns = np.empty(n)
        if pref == GAUSSIAN:
            _gaussian_column(ys, s[j], ps, ns)
        else:
            _piecewise_column(ys, pref, q[j], p[j], ps, ns)
        for a in range(n):
            pos[c, j, order[a]] = ps[a]
            neg[c, j, order[a]] = ns[a]
    return pos, neg


@njit(cache=True, parallel=True)
def weighted_flows(pos, neg, w2):
    """Leaving, entering and net flows ``(phi+, phi-, phi)``, each (n_cells, n_alternatives).

    ``phi+(a) = sum_j w_j pos[j, a] / (n - 1)``, likewise ``phi-`` from ``neg``; ``w2`` is
    ``(1 or n_cells, n_indicators)``. One alternative: all flows 0.
    """
    n_cells, m, n = pos.shape
    plus = np.zeros((n_cells, n))
    minus = np.zeros((n_cells, n))
    net = np.zeros((n_cells, n))
    den = float(max(n - 1, 1))
    for c in prange(n_cells):
        cc = np.int64(c)
        wc = cc if w2.shape[0] > 1 else np.int64(0)
        for j in range(m):
            w = w2[wc, j]
            for a in range(n):
                plus[cc, a] += w * pos[cc, j, a]
                minus[cc, a] += w * neg[cc, j, a]
        for a in range(n):
            plus[cc, a] /= den
            minus[cc, a] /= den
            net[cc, a] = plus[cc, a] - minus[cc, a]
    return plus, minus, net
