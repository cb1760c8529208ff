"""Inequality kernels: Gini, CV, Theil T / L and their group decompositions (Theil, Dagum).

Every measure of a year comes from one pass over its values sorted increasingly, so the same pass
serves the plain sample (all weights 1) and a bootstrap resample (weights = multiplicities of the
regions drawn), without sorting the resample again.

Pair sums by sorting (O(n log n)): for y sorted increasingly, sum_i sum_r |y_i - y_r| =
2 sum_i y_(i) (2 i - n + 1) (0-based i). Between groups, the pass keeps for each group h the
count c_h and sum s_h of the values already passed, so a value a adds a c_h - s_h =
sum_{b in h, b <= a} (a - b): every within- and between-group double sum, and the positive and
negative parts Dagum's gross affluence and transvariation need, in O(n k) after the sort.

Sources: Gini mean difference form (Kendall & Stuart 1977; Yitzhaki & Schechtman 2013, ch. 2);
Theil (1967) T and L (mean log deviation) with the additive decomposition of T (Shorrocks 1980,
Econometrica 48, 613-625); Gini decomposition by subpopulations into within, net between and
transvariation parts (Dagum 1997, Empirical Economics 22, 515-531).

Inputs already validated (float64 C-contiguous, int64 codes). Kernels trust their input.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = [
    "CV", "GINI", "THEIL_T", "THEIL_L", "THEIL_WITHIN", "THEIL_BETWEEN",
    "DAGUM_WITHIN", "DAGUM_NET", "DAGUM_TRANS", "N_MEASURES",
    "G_N", "G_MEAN", "G_GINI", "G_THEIL", "G_SHARE", "N_GROUP_STATS",
    "P_GINI", "P_GROSS", "P_TRANS", "P_D", "N_PAIR_STATS",
    "gini", "sorted_orders", "year_stats", "inequality_panel", "resample_counts",
    "bootstrap_inequality",
]

#: Columns of the per-year measure rows.
CV = 0
GINI = 1
THEIL_T = 2
THEIL_L = 3
THEIL_WITHIN = 4
THEIL_BETWEEN = 5
DAGUM_WITHIN = 6
DAGUM_NET = 7
DAGUM_TRANS = 8
N_MEASURES = 9

#: Columns of the per-group statistics.
G_N = 0
G_MEAN = 1
G_GINI = 2
G_THEIL = 3
G_SHARE = 4
N_GROUP_STATS = 5

#: Columns of the per-pair statistics (pair j < h).
P_GINI = 0
P_GROSS = 1
P_TRANS = 2
P_D = 3
N_PAIR_STATS = 4


@njit(cache=True)
def gini(x):
    """Gini coefficient of a 1-D sample (population form), by sorting.

    G = sum_i sum_r |x_i - x_r| / (2 n^2 mean) = 2 sum_i (i + 1) x_(i) / (n sum x) - (n + 1) / n
    with x_(i) the sorted sample (0-based i). NaN when the sum is 0.
    """
    n = x.shape[0]
    s = np.sort(x)
    total = 0.0
    acc = 0.0
    for i in range(n):
        total += s[i]
        acc += (2.0 * i - n + 1.0) * s[i]
    if total == 0.0:
        return np.nan
    return acc / (n * total)


@njit(cache=True)
def sorted_orders(vt):
    """Per year, the regions in increasing order of their values: int64 (n_years, n_regions)."""
    n_years, n_regions = vt.shape
    order = np.empty((n_years, n_regions), dtype=np.int64)
    for y in range(n_years):
        order[y] = np.argsort(vt[y])
    return order


@njit(cache=True)
def year_stats(v, w, gc, k, out, gout, pout):
    """All measures of one year from values sorted increasingly, their weights and groups.

    Parameters
    ----------
    v : float64 (n,), values in increasing order.
    w : float64 (n,), weight (multiplicity) of each value; 0 leaves it out.
    gc : int64 (n,), group of each value, in 0 .. k - 1 (every group present).
    k : int, number of groups.
    out : float64 (N_MEASURES,), filled: CV (population sd / mean), Gini, Theil T, Theil L (mean
        log deviation), Theil T within and between groups, Dagum within, net between and
        transvariation parts.
    gout : float64 (k, N_GROUP_STATS): n, mean, Gini G_jj, Theil T_j, income share s_j.
    pout : float64 (k, k, N_PAIR_STATS): for j < h, G_jh, gross affluence d_jh, transvariation
        p_jh and relative affluence D_jh = (d_jh - p_jh) / (d_jh + p_jh), taken with the richer
        group first (so D_jh >= 0; 0 when every member of both groups is equal).

    Notes
    -----
    One pass in increasing order keeps, per group h, the weight c_h and weighted sum s_h of the
    values already passed; a value a of group j adds w (a c_h - s_h) = sum over passed r in h of
    w w_r (a - y_r) to P[j, h] (ties differ by 0, so their order does not matter). P[j, j] is
    half the within-group sum of |y_i - y_r|; P[j, h] + P[h, j] the between-group sum; P[j, h]
    and P[h, j] are the gross affluence and transvariation sums (Dagum 1997). O(n k) after the
    sort.

    With p_j = n_j / n, s_j = n_j m_j / (n m) (Dagum 1997):
    G_jj = sum |y_i - y_r| / (2 n_j^2 m_j) over pairs in j; G_jh = sum |y_i - y_r| /
    (n_j n_h (m_j + m_h)) over i in j, r in h; G_w = sum_j G_jj p_j s_j; G_gb = sum_{j<h} G_jh
    (p_j s_h + p_h s_j); G_nb = sum G_jh (p_j s_h + p_h s_j) D_jh; G_t = G_gb - G_nb; G = G_w +
    G_nb + G_t. Theil: T = (1/n) sum (y/m) ln(y/m) (y ln y = 0 at y = 0), L = (1/n) sum ln(m/y),
    T = sum_j s_j T_j + sum_j s_j ln(m_j / m).
    """
    nv = v.shape[0]
    nj = np.zeros(k)
    sj = np.zeros(k)
    for i in range(nv):
        nj[gc[i]] += w[i]
        sj[gc[i]] += w[i] * v[i]
    n = 0.0
    sy = 0.0
    for j in range(k):
        n += nj[j]
        sy += sj[j]
    m = sy / n
    lm = math.log(m)
    mj = np.empty(k)
    lmj = np.empty(k)
    for j in range(k):
        mj[j] = sj[j] / nj[j]
        lmj[j] = math.log(mj[j]) if mj[j] > 0.0 else 0.0
    c = np.zeros(k)
    s = np.zeros(k)
    tj = np.zeros(k)
    pp = np.zeros((k, k))
    ssq = 0.0
    tsum = 0.0
    lsum = 0.0
    for i in range(nv):
        wi = w[i]
        if wi == 0.0:
            continue
        a = v[i]
        j = gc[i]
        d = a - m
        ssq += wi * d * d
        if a > 0.0:
            lv = math.log(a)
            tsum += wi * a * (lv - lm)
            lsum += wi * (lm - lv)
            tj[j] += wi * a * (lv - lmj[j])
        else:
            lsum = np.inf
        for h in range(k):
            pp[j, h] += wi * (a * c[h] - s[h])
        c[j] += wi
        s[j] += wi * a
    out[CV] = math.sqrt(ssq / n) / m
    out[THEIL_T] = tsum / (m * n)
    out[THEIL_L] = lsum / n
    abs_total = 0.0
    theil_w = 0.0
    theil_b = 0.0
    dagum_w = 0.0
    for j in range(k):
        within = 2.0 * pp[j, j]
        abs_total += within
        share = sj[j] / sy
        gout[j, G_N] = nj[j]
        gout[j, G_MEAN] = mj[j]
        gout[j, G_GINI] = within / (2.0 * nj[j] * nj[j] * mj[j])
        gout[j, G_THEIL] = tj[j] / (mj[j] * nj[j])
        gout[j, G_SHARE] = share
        theil_w += share * gout[j, G_THEIL]
        theil_b += share * (lmj[j] - lm)
        dagum_w += gout[j, G_GINI] * (nj[j] / n) * share
    dagum_nb = 0.0
    dagum_t = 0.0
    for j in range(k):
        for h in range(j + 1, k):
            pos = pp[j, h]
            neg = pp[h, j]
            total = pos + neg
            abs_total += 2.0 * total
            nn = nj[j] * nj[h]
            gjh = total / (nn * (mj[j] + mj[h]))
            if mj[j] >= mj[h]:
                gross = pos / nn
                trans = neg / nn
            else:
                gross = neg / nn
                trans = pos / nn
            dd = (gross - trans) / (gross + trans) if gross + trans > 0.0 else 0.0
            pout[j, h, P_GINI] = gjh
            pout[j, h, P_GROSS] = gross
            pout[j, h, P_TRANS] = trans
            pout[j, h, P_D] = dd
            wt = gjh * ((nj[j] / n) * gout[h, G_SHARE] + (nj[h] / n) * gout[j, G_SHARE])
            dagum_nb += wt * dd
            dagum_t += wt * (1.0 - dd)
    out[GINI] = abs_total / (2.0 * n * n * m)
    out[THEIL_WITHIN] = theil_w
    out[THEIL_BETWEEN] = theil_b
    out[DAGUM_WITHIN] = dagum_w
    out[DAGUM_NET] = dagum_nb
    out[DAGUM_TRANS] = dagum_t


@njit(cache=True)
def inequality_panel(vt, codes, k):
    """Every measure, per-group and per-pair statistic of every year (all weights 1).

    Parameters
    ----------
    vt : float64 (n_years, n_regions)
    codes : int64 (n_regions,), group of each region in 0 .. k - 1 (every group present).
    k : int, number of groups.

    Returns
    -------
    stats : float64 (n_years, N_MEASURES)
    groups : float64 (n_years, k, N_GROUP_STATS)
    pairs : float64 (n_years, k, k, N_PAIR_STATS), filled for j < h (NaN elsewhere).
    """
    n_years, n_regions = vt.shape
    stats = np.empty((n_years, N_MEASURES))
    groups = np.empty((n_years, k, N_GROUP_STATS))
    pairs = np.full((n_years, k, k, N_PAIR_STATS), np.nan)
    v = np.empty(n_regions)
    gc = np.empty(n_regions, dtype=np.int64)
    w = np.ones(n_regions)
    for y in range(n_years):
        order = np.argsort(vt[y])
        for i in range(n_regions):
            v[i] = vt[y, order[i]]
            gc[i] = codes[order[i]]
        year_stats(v, w, gc, k, stats[y], groups[y], pairs[y])
    return stats, groups, pairs


@njit(cache=True)
def _draw_counts(seed, gstart, counts):
    np.random.seed(seed)
    for j in range(gstart.shape[0] - 1):
        a = gstart[j]
        nj = gstart[j + 1] - a
        for _ in range(nj):
            counts[a + np.random.randint(0, nj)] += 1.0


@njit(cache=True)
def resample_counts(seeds, gstart):
    """The multiplicities :func:`bootstrap_inequality` draws: float64 (n_rep, n_regions).

    Replicate b: reseed with ``seeds[b]``, then n_j draws with replacement within each group j.
    """
    n_regions = gstart[gstart.shape[0] - 1]
    out = np.zeros((seeds.shape[0], n_regions))
    for b in range(seeds.shape[0]):
        _draw_counts(seeds[b], gstart, out[b])
    return out


@njit(cache=True, parallel=True)
def bootstrap_inequality(vt, order, codes, gstart, seeds):
    """Every measure of every year on stratified bootstrap resamples of the regions.

    Parameters
    ----------
    vt : float64 (n_years, n_regions), regions ordered by group (blocks ``gstart``).
    order : int64 (n_years, n_regions), from :func:`sorted_orders`.
    codes : int64 (n_regions,), group of each region (block j holds code j).
    gstart : int64 (n_groups + 1,), group j holds regions gstart[j] .. gstart[j + 1] - 1.
    seeds : int64 (n_rep,), one seed per replicate.

    Returns
    -------
    stats : float64 (n_rep, n_years, N_MEASURES)

    Notes
    -----
    Replicate b reseeds numba's generator with ``seeds[b]`` and draws, in each group j, n_j
    regions of the group with replacement (group sizes kept); the same regions serve every year.
    The resample enters as multiplicities over the sorted values, so no resample is sorted again.
    Replicates are independent (prange): the numbers do not depend on the thread count. Working
    memory is O(n_regions) per thread; no resample is stored.
    """
    n_years, n_regions = vt.shape
    k = gstart.shape[0] - 1
    n_rep = seeds.shape[0]
    stats = np.empty((n_rep, n_years, N_MEASURES))
    for b in prange(n_rep):
        counts = np.zeros(n_regions)
        _draw_counts(seeds[b], gstart, counts)
        v = np.empty(n_regions)
        w = np.empty(n_regions)
        gc = np.empty(n_regions, dtype=np.int64)
        gout = np.empty((k, N_GROUP_STATS))
        pout = np.empty((k, k, N_PAIR_STATS))
        for y in range(n_years):
            q = 0  # the drawn regions only, in increasing order
            for i in range(n_regions):
                r = order[y, i]
                if counts[r] > 0.0:
                    v[q] = vt[y, r]
                    w[q] = counts[r]
                    gc[q] = codes[r]
                    q += 1
            year_stats(v[:q], w[:q], gc[:q], k, stats[b, y], gout, pout)
    return stats
