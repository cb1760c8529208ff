"""Bootstrap kernels: re-estimate the ideal-solution model on a resample, score every original cell.

:func:`bootstrap_index` re-estimates the standardization statistics (scope min / max / norm /
mean / sd), hence the ideal and anti-ideal points, and the objective weights on each replicate's
resample (given as multiplicities of regions and years) and applies them to every original region
and year; :func:`region_stats` precomputes the per-region sums its fast path needs and
:func:`bootstrap_growth` the growth rates of a year bootstrap's replicates.

Input already validated (float64 / int64, C-contiguous). Kernels trust their input.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import distance as kd
from . import normalize as kn
from . import weights as kw

__all__ = ["W_FIXED", "W_ENTROPY", "W_MAX_DEVIATION", "bootstrap_index", "region_stats", "bootstrap_growth"]

#: Weight modes of :func:`bootstrap_index`.
W_FIXED = 0
W_ENTROPY = 1
W_MAX_DEVIATION = 2


@njit(cache=True)
def _sample_stats(cube, scope, method, mr, my, mn, mx, loc, scale, cnt):
    # min / max over sampled cells (multiplicity irrelevant), weighted sums for vector / z-score
    n_regions, n_years, n_ind = cube.shape
    n_cells = mn.shape[0]
    for k in range(n_cells):
        for j in range(n_ind):
            mn[k, j] = np.inf
            mx[k, j] = -np.inf
            loc[k, j] = 0.0
            scale[k, j] = 0.0
        cnt[k] = 0.0
    for r in range(n_regions):
        if mr[r] == 0:
            continue
        for y in range(n_years):
            m = mr[r] * my[y]
            if m == 0:
                continue
            k = kn.cell(r, y, scope)
            cnt[k] += m
            for j in range(n_ind):
                c = cube[r, y, j]
                if c < mn[k, j]:
                    mn[k, j] = c
                if c > mx[k, j]:
                    mx[k, j] = c
                if method == kn.VECTOR:
                    scale[k, j] += m * c * c
                elif method == kn.ZSCORE:
                    loc[k, j] += m * c
    if method == kn.VECTOR:
        for k in range(n_cells):
            for j in range(n_ind):
                scale[k, j] = math.sqrt(scale[k, j])
    elif method == kn.ZSCORE:
        for k in range(n_cells):
            for j in range(n_ind):
                loc[k, j] = loc[k, j] / cnt[k] if cnt[k] > 0 else 0.0
        for r in range(n_regions):
            if mr[r] == 0:
                continue
            for y in range(n_years):
                m = mr[r] * my[y]
                if m == 0:
                    continue
                k = kn.cell(r, y, scope)
                for j in range(n_ind):
                    d = cube[r, y, j] - loc[k, j]
                    scale[k, j] += m * d * d
        for k in range(n_cells):
            for j in range(n_ind):
                scale[k, j] = math.sqrt(scale[k, j] / cnt[k]) if cnt[k] > 0 else 1.0
    else:
        for k in range(n_cells):
            for j in range(n_ind):
                scale[k, j] = 1.0


@njit(cache=True)
def region_stats(cube, u, ulogu):
    """Per-region statistics over the years: (n_regions, 5, n_indicators).

    Rows: min, max and sum of squares of ``cube``; sums of ``u`` and of ``ulogu`` (the
    max-ratio entropy sums, see :func:`bootstrap_index`; pass ``u`` = ``ulogu`` = ``cube`` when
    not needed).
    """
    n_regions, n_years, n_ind = cube.shape
    out = np.empty((n_regions, 5, n_ind))
    for r in range(n_regions):
        for j in range(n_ind):
            out[r, 0, j] = np.inf
            out[r, 1, j] = -np.inf
            out[r, 2, j] = 0.0
            out[r, 3, j] = 0.0
            out[r, 4, j] = 0.0
        for y in range(n_years):
            for j in range(n_ind):
                c = cube[r, y, j]
                out[r, 0, j] = min(out[r, 0, j], c)
                out[r, 1, j] = max(out[r, 1, j], c)
                out[r, 2, j] += c * c
                out[r, 3, j] += u[r, y, j]
                out[r, 4, j] += ulogu[r, y, j]
    return out


@njit(cache=True, inline="always")
def _all_one(m):
    for i in range(m.shape[0]):
        if m[i] != 1:
            return False
    return True


@njit(cache=True)
def _sample_stats_regions(rs, method, n_years, mr, mn, mx, loc, scale, cnt):
    # panel scope, every year once: min / max (and the vector norm) from per-region statistics
    n_regions = rs.shape[0]
    n_ind = rs.shape[2]
    for j in range(n_ind):
        mn[0, j] = np.inf
        mx[0, j] = -np.inf
        loc[0, j] = 0.0
        scale[0, j] = 0.0
    cnt[0] = 0.0
    for r in range(n_regions):
        m = mr[r]
        if m == 0:
            continue
        cnt[0] += m * n_years
        for j in range(n_ind):
            mn[0, j] = min(mn[0, j], rs[r, 0, j])
            mx[0, j] = max(mx[0, j], rs[r, 1, j])
            if method == kn.VECTOR:
                scale[0, j] += m * rs[r, 2, j]
    for j in range(n_ind):
        scale[0, j] = math.sqrt(scale[0, j]) if method == kn.VECTOR else 1.0


@njit(cache=True, inline="always")
def _std(c, cost, method, mn, mx, loc, scale):
    if not (mn < mx):  # constant (or unsampled) cell: contributes nothing
        return 0.0
    return kn.standardize_value(c, cost, method, mn, mx, loc, scale)


@njit(cache=True)
def _entropy_from_sums(x_sum, xlogx_sum, n_total, w):
    # sum f ln f = (1/X) sum x ln x - ln X, f = x / X; h = -(1/ln n) sum f ln f; w = (1-h)/sum(1-h)
    n_ind = w.shape[0]
    k = 1.0 / math.log(n_total)
    total = 0.0
    for j in range(n_ind):
        X = x_sum[j]
        if X > 0.0:
            h = -k * (xlogx_sum[j] / X - math.log(X))
        else:
            h = 1.0
        v = 1.0 - h
        w[j] = v if v > 0.0 else 0.0
        total += w[j]
    if total > 0.0:
        for j in range(n_ind):
            w[j] /= total
    else:
        for j in range(n_ind):
            w[j] = 1.0 / n_ind


@njit(cache=True, parallel=True)
def bootstrap_index(cube, is_cost, method, scope, form, mult_r, mult_y, wmode, fixed_w, u, cplogc, region_stats):
    """Ideal-solution index of every original cell under models estimated on resamples.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), raw values (validated; > 0 for max-ratio).
    is_cost : bool (n_indicators,)
    method, scope : ``normalize`` constants; form : RATIO2 or CLOSENESS.
    mult_r : int64 (n_rep, n_regions), multiplicity of each region in each resample.
    mult_y : int64 (n_rep, n_years), multiplicity of each year in each resample.
    wmode : W_FIXED (``fixed_w``), W_ENTROPY or W_MAX_DEVIATION (pooled over the resample's
        standardized cells, with multiplicity).
    fixed_w : float64 (n_indicators,)
    u, cplogc : float64 cubes: u = 1 / c for max-ratio cost indicators and c otherwise (the
        standardization is affine in u), and u ln u (the max-ratio entropy shortcut; any array
        otherwise).
    region_stats : float64 (n_regions, 5, n_indicators) per-region statistics over the years
        (from :func:`region_stats`), used for panel-scope region bootstraps; an empty
        (0, 5, n_indicators) array disables the shortcut.

    Returns
    -------
    index : float64 (n_years, n_rep, n_regions)
    weights : float64 (n_rep, n_indicators)

    Notes
    -----
    For each resample: scope statistics (min, max, norm, mean, sd) over the sampled cells,
    standardization of every original cell with them (ideal / anti-ideal = the standardized
    sample max / min, as ``normalize.ideal_pair``), objective weights on the resample, then
    d_pos^2 = sum w^2 (x - ideal)^2 etc. and the index form. Max-ratio entropy without logarithms
    of the data: with x = c' / M_k in scope cell k, sum x = sum_k S1_k / M_k and sum x ln x =
    sum_k (S2_k - ln M_k S1_k) / M_k, where S1, S2 are multiplicity-weighted sums of c' and
    c' ln c' (precomputed).
    """
    n_regions, n_years, n_ind = cube.shape
    n_rep = mult_r.shape[0]
    n_cells = kn.n_scope_cells(n_regions, n_years, scope)
    out = np.empty((n_years, n_rep, n_regions))
    wout = np.empty((n_rep, n_ind))
    for b in prange(n_rep):
        mr = mult_r[b]
        my = mult_y[b]
        mn = np.empty((n_cells, n_ind))
        mx = np.empty((n_cells, n_ind))
        loc = np.empty((n_cells, n_ind))
        scale = np.empty((n_cells, n_ind))
        cnt = np.empty(n_cells)
        # a scope cell's statistics come from its own cells in the resample; when the resampled
        # axis is the scope's own axis (region bootstrap, region scope) the cell keeps all its data
        er = mr
        ey = my
        if scope == kn.SCOPE_REGION:
            er = np.ones(n_regions, dtype=np.int64)
        elif scope == kn.SCOPE_YEAR:
            ey = np.ones(n_years, dtype=np.int64)
        fast = region_stats.shape[0] == n_regions and scope == kn.SCOPE_PANEL and _all_one(my)
        if fast and method != kn.ZSCORE:
            _sample_stats_regions(region_stats, method, n_years, mr, mn, mx, loc, scale, cnt)
        else:
            _sample_stats(cube, scope, method, er, ey, mn, mx, loc, scale, cnt)
        w = np.empty(n_ind)
        if wmode == W_FIXED:
            for j in range(n_ind):
                w[j] = fixed_w[j]
        elif wmode == W_ENTROPY:
            n_total = 0.0
            for r in range(n_regions):
                for y in range(n_years):
                    n_total += mr[r] * my[y]
            xs = np.zeros(n_ind)
            xl = np.zeros(n_ind)
            if method == kn.MAX_RATIO:
                s1 = np.zeros((n_cells, n_ind))
                s2 = np.zeros((n_cells, n_ind))
                for r in range(n_regions):
                    if mr[r] == 0:
                        continue
                    if fast:  # panel scope, all years once: per-region sums over the years
                        for j in range(n_ind):
                            s1[0, j] += mr[r] * region_stats[r, 3, j]
                            s2[0, j] += mr[r] * region_stats[r, 4, j]
                        continue
                    for y in range(n_years):
                        m = mr[r] * my[y]
                        if m == 0:
                            continue
                        k = kn.cell(r, y, scope)
                        for j in range(n_ind):
                            s1[k, j] += m * u[r, y, j]
                            s2[k, j] += m * cplogc[r, y, j]
                for k in range(n_cells):
                    for j in range(n_ind):
                        if not (mn[k, j] < mx[k, j]):
                            continue  # constant cell: standardized 0, contributes nothing
                        big_m = 1.0 / mn[k, j] if is_cost[j] else mx[k, j]
                        xs[j] += s1[k, j] / big_m
                        xl[j] += (s2[k, j] - math.log(big_m) * s1[k, j]) / big_m
            else:
                for r in range(n_regions):
                    if mr[r] == 0:
                        continue
                    for y in range(n_years):
                        m = mr[r] * my[y]
                        if m == 0:
                            continue
                        k = kn.cell(r, y, scope)
                        for j in range(n_ind):
                            x = _std(cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                            if x > 0.0:
                                xs[j] += m * x
                                xl[j] += m * x * math.log(x)
            _entropy_from_sums(xs, xl, n_total, w)
        else:
            n_total = 0
            for r in range(n_regions):
                for y in range(n_years):
                    n_total += mr[r] * my[y]
            v = np.empty((n_total, n_ind))
            i = 0
            for r in range(n_regions):
                if mr[r] == 0:
                    continue
                for y in range(n_years):
                    m = mr[r] * my[y]
                    if m == 0:
                        continue
                    k = kn.cell(r, y, scope)
                    for _ in range(m):
                        for j in range(n_ind):
                            v[i, j] = _std(cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                        i += 1
            wd = kw.max_deviation_weights(v)
            for j in range(n_ind):
                w[j] = wd[j]
        for j in range(n_ind):
            wout[b, j] = w[j]
        # ideal points of the resample; the standardization of scope cell k is affine in
        # u = c (or 1 / c for max-ratio cost indicators): x = a u + b, so every original cell
        # costs multiply-adds only: d_pos^2 = sum_j w_j^2 (a u + b - ideal)^2
        ca = np.zeros((n_cells, n_ind))
        cb_pos = np.zeros((n_cells, n_ind))
        cb_neg = np.zeros((n_cells, n_ind))
        for k in range(n_cells):
            for j in range(n_ind):
                lo_ = mn[k, j]
                hi_ = mx[k, j]
                if not (lo_ < hi_):
                    continue  # constant cell: x = 0 = ideal = anti-ideal
                cost = is_cost[j]
                ideal, anti = kn.ideal_pair(cost, method, lo_, hi_, loc[k, j], scale[k, j])
                if method == kn.MAX_RATIO:
                    aa = lo_ if cost else 1.0 / hi_
                    bb = 0.0
                elif method == kn.MINMAX:
                    aa = (-1.0 if cost else 1.0) / (hi_ - lo_)
                    bb = hi_ / (hi_ - lo_) if cost else -lo_ / (hi_ - lo_)
                elif method == kn.VECTOR:
                    aa = (-1.0 if cost else 1.0) / scale[k, j]
                    bb = 1.0 if cost else 0.0
                else:
                    aa = (-1.0 if cost else 1.0) / scale[k, j]
                    bb = (loc[k, j] if cost else -loc[k, j]) / scale[k, j]
                ca[k, j] = aa
                cb_pos[k, j] = bb - ideal
                cb_neg[k, j] = bb - anti
        w2 = np.empty(n_ind)
        for j in range(n_ind):
            w2[j] = w[j] * w[j]
        j4 = n_ind - n_ind % 4
        for r in range(n_regions):
            for y in range(n_years):
                k = kn.cell(r, y, scope)
                # four partial sums (fixed order): the additions are not one long latency chain
                p0 = p1 = p2 = p3 = 0.0
                q0 = q1 = q2 = q3 = 0.0
                for j in range(0, j4, 4):
                    t0 = ca[k, j] * u[r, y, j]
                    t1 = ca[k, j + 1] * u[r, y, j + 1]
                    t2 = ca[k, j + 2] * u[r, y, j + 2]
                    t3 = ca[k, j + 3] * u[r, y, j + 3]
                    e0 = t0 + cb_pos[k, j]
                    e1 = t1 + cb_pos[k, j + 1]
                    e2 = t2 + cb_pos[k, j + 2]
                    e3 = t3 + cb_pos[k, j + 3]
                    p0 += w2[j] * (e0 * e0)
                    p1 += w2[j + 1] * (e1 * e1)
                    p2 += w2[j + 2] * (e2 * e2)
                    p3 += w2[j + 3] * (e3 * e3)
                    f0 = t0 + cb_neg[k, j]
                    f1 = t1 + cb_neg[k, j + 1]
                    f2 = t2 + cb_neg[k, j + 2]
                    f3 = t3 + cb_neg[k, j + 3]
                    q0 += w2[j] * (f0 * f0)
                    q1 += w2[j + 1] * (f1 * f1)
                    q2 += w2[j + 2] * (f2 * f2)
                    q3 += w2[j + 3] * (f3 * f3)
                for j in range(j4, n_ind):
                    t0 = ca[k, j] * u[r, y, j]
                    e0 = t0 + cb_pos[k, j]
                    f0 = t0 + cb_neg[k, j]
                    p0 += w2[j] * (e0 * e0)
                    q0 += w2[j] * (f0 * f0)
                out[y, b, r] = kd.index_value((p0 + p1) + (p2 + p3), (q0 + q1) + (q2 + q3), form)
    return out, wout


@njit(cache=True)
def bootstrap_growth(index, years, terms):
    """Average annual growth of every region in every replicate from resampled growth terms.

    Parameters
    ----------
    index : float64 (n_years, n_rep, n_regions), the replicates' index of every original year
        (as returned by :func:`bootstrap_index`).
    years : float64 (n_years,), strictly increasing year values (gaps allowed), n_years >= 2.
    terms : int64 (n_rep, n_terms), the resampled growth terms of each replicate: term ``i`` is
        the interval from year ``i`` to year ``i + 1`` (0 <= i < n_years - 1), e.g. a moving-block
        resample from ``resample.block_bootstrap_indices(n_years - 1, ...)``. Input already
        validated.

    Returns
    -------
    growth : float64 (n_rep, n_regions, 2), ``[..., 0]`` = cagr, ``[..., 1]`` = mean_yoy.

    Notes
    -----
    Term i of region r in replicate b has the ratio q_i = F_b(t_i + 1) / F_b(t_i), the year gap
    dt_i and the annualised rate g_i = q_i^(1 / dt_i) - 1 (``distance.growth_rates``' y-o-y rate;
    g_i = q_i - 1 when dt_i = 1). Over the resampled terms i* with span S = sum dt_i*:
    cagr = (prod q_i*)^(1 / S) - 1, the dt-weighted geometric mean of (1 + g_i*) minus 1, and
    mean_yoy = sum dt_i* g_i* / S, the dt-weighted arithmetic mean (each calendar year counted
    once, as ``growth_rates``). Without gaps these are the plain geometric and arithmetic means,
    and the identity resample gives ``growth_rates``' values up to rounding (the ratios telescope).
    A term with F_b(t_i) <= 0 or F_b(t_i + 1) < 0 (or NaN) makes both values NaN. Products and
    sums run over the terms in resample order. Sources: Kuensch (1989) Ann. Statist. 17,
    1217-1241 (moving blocks); Lahiri (2003) Resampling Methods for Dependent Data, Springer,
    ch. 2-3 (block bootstrap of the mean of a time series).
    """
    n_years, n_rep, n_regions = index.shape
    n_terms = terms.shape[1]
    out = np.empty((n_rep, n_regions, 2))
    prod = np.empty(n_regions)
    acc = np.empty(n_regions)
    ok = np.empty(n_regions, dtype=np.bool_)
    for b in range(n_rep):
        span = 0.0
        for r in range(n_regions):
            prod[r] = 1.0
            acc[r] = 0.0
            ok[r] = True
        for i in range(n_terms):
            t = terms[b, i]
            dt = years[t + 1] - years[t]
            span += dt
            for r in range(n_regions):
                prev = index[t, b, r]
                cur = index[t + 1, b, r]
                if not (prev > 0.0 and cur >= 0.0):
                    ok[r] = False
                    continue
                q = cur / prev
                prod[r] *= q
                if dt == 1.0:
                    acc[r] += q - 1.0
                else:
                    acc[r] += dt * (q ** (1.0 / dt) - 1.0)
        for r in range(n_regions):
            if not ok[r]:
                out[b, r, 0] = np.nan
                out[b, r, 1] = np.nan
            elif span == 1.0:
                out[b, r, 0] = prod[r] - 1.0
                out[b, r, 1] = acc[r]
            else:
                out[b, r, 0] = prod[r] ** (1.0 / span) - 1.0
                out[b, r, 1] = acc[r] / span
    return out
