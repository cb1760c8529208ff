"""Fused Monte Carlo chunk kernels: index from GEMM output, per-draw ranking, accumulation.

The API layer computes, for one chunk of draws and one year, the matrix products
``g1 = W2 @ A_pos.T`` and ``g2 = W2 @ A_neg.T`` (squared weights against squared deviations from
the ideal / anti-ideal points: the weighted squared distances of every region in every draw, one
BLAS GEMM each), or ``g1 = W @ X.T`` for linear models (weighted sum, grey relational grade).
:func:`rank_chunk` then turns each row (one draw) into the index, ranks the regions (rank 1 = best)
and folds the result into fixed-size accumulators whose size does not depend on the number of
draws.

Ranking: an LSD radix sort on a 24-bit key (the index quantised monotonically on the row's
[min, max]), carrying the region number, then a fix-up pass that orders runs of equal keys by the
exact index value. The ranks are therefore exact (ties = equal index values, competition ranking
"min"); the sort costs 3 passes of 8-bit digits, which beats both numba's ``argsort`` and numpy's
SIMD ``argsort`` on rows of a few thousand (see ``benches/bench_robustness.py``).

Input already validated (float64 / int64, C-contiguous). Kernels trust their input.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import distance as kd
from . import normalize as kn
from . import weights as kw

#: Index forms: the two ideal-solution forms of ``distance`` plus a linear score (g1 is the index).
RATIO2 = kd.RATIO2
CLOSENESS = kd.CLOSENESS
LINEAR = 2

_KEY_BITS = 24
_KEY_MAX = (1 << _KEY_BITS) - 1

__all__ = [
    "RATIO2",
    "CLOSENESS",
    "LINEAR",
    "ranks_of_row",
    "rank_rows",
    "rank_chunk",
    "block_sums",
    "bootstrap_index",
    "W_FIXED",
    "W_ENTROPY",
    "W_MAX_DEVIATION",
]


@njit(cache=True, inline="always")
def _index(a, b, form):
    if form == LINEAR:
        return a
    return kd.index_value(a, b, form)


@njit(cache=True)
def _radix_order(v, keys, tmp_keys, order, tmp_order, hist):
    """Order of ``v`` descending (NaN last), exact: radix on a quantised key + fix-up."""
    n = v.shape[0]
    vmin = np.inf
    vmax = -np.inf
    for i in range(n):
        x = v[i]
        if x < vmin:
            vmin = x
        if x > vmax:
            vmax = x
    if not vmax > vmin:  # all equal (or NaN): the values first, then the NaNs
        k = 0
        for i in range(n):
            if v[i] == v[i]:
                order[k] = i
                k += 1
        for i in range(n):
            if v[i] != v[i]:
                order[k] = i
                k += 1
        return
    scale = (_KEY_MAX - 1) / (vmax - vmin)
    for i in range(n):
        x = v[i]
        if x == x:
            q = np.int64((vmax - x) * scale)  # monotone: larger value -> smaller key
            if q > _KEY_MAX - 1:
                q = _KEY_MAX - 1
            keys[i] = q
        else:
            keys[i] = _KEY_MAX
        order[i] = i
    # one counting pass for the three 8-bit digits
    for k in range(3 * 256):
        hist[k] = 0
    for i in range(n):
        q = keys[i]
        hist[q & 255] += 1
        hist[256 + ((q >> 8) & 255)] += 1
        hist[512 + (q >> 16)] += 1
    src_k = keys
    src_o = order
    dst_k = tmp_keys
    dst_o = tmp_order
    swapped = False
    for p in range(3):
        off = 256 * p
        shift = 8 * p
        if hist[off + ((src_k[0] >> shift) & 255)] == n:  # one bucket: pass is a no-op
            continue
        total = 0
        for k in range(256):
            c = hist[off + k]
            hist[off + k] = total
            total += c
        for i in range(n):
            q = src_k[i]
            d = (q >> shift) & 255
            pos = hist[off + d]
            hist[off + d] = pos + 1
            dst_k[pos] = q
            dst_o[pos] = src_o[i]
        src_k, dst_k = dst_k, src_k
        src_o, dst_o = dst_o, src_o
        swapped = not swapped
    if swapped:
        for i in range(n):
            order[i] = src_o[i]
            keys[i] = src_k[i]
    # fix-up: runs of equal keys ordered by exact value, descending (insertion sort, runs are short)
    i = 0
    while i < n:
        j = i + 1
        while j < n and keys[j] == keys[i]:
            j += 1
        if j - i > 1 and keys[i] != _KEY_MAX:
            for a in range(i + 1, j):
                o = order[a]
                x = v[o]
                b = a - 1
                while b >= i and v[order[b]] < x:
                    order[b + 1] = order[b]
                    b -= 1
                order[b + 1] = o
        i = j


@njit(cache=True, inline="always")
def _same(a, b):
    return a == b or (a != a and b != b)


@njit(cache=True)
def _ranks_from_order(v, order, rank_min, rank_avg):
    """Competition ("min") ranks and average ranks, rank 1 = largest; NaN ranked last (tied)."""
    n = v.shape[0]
    i = 0
    while i < n:
        x = v[order[i]]
        j = i + 1
        while j < n and _same(v[order[j]], x):
            j += 1
        ravg = 0.5 * (i + j + 1)
        for k in range(i, j):
            rank_min[order[k]] = i + 1
            rank_avg[order[k]] = ravg
        i = j


@njit(cache=True)
def ranks_of_row(v):
    """Ranks of one vector, rank 1 = largest (the single-draw reference path).

    Parameters
    ----------
    v : float64 (n,)

    Returns
    -------
    rank_min : int64 (n,), competition ranks (1 + number of strictly larger values); NaN last.
    rank_avg : float64 (n,), average ranks of ties (for Spearman's rho).
    """
    n = v.shape[0]
    keys = np.empty(n, dtype=np.int64)
    tk = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    to = np.empty(n, dtype=np.int64)
    hist = np.empty(3 * 256, dtype=np.int64)
    _radix_order(v, keys, tk, order, to, hist)
    rank_min = np.empty(n, dtype=np.int64)
    rank_avg = np.empty(n)
    _ranks_from_order(v, order, rank_min, rank_avg)
    return rank_min, rank_avg


@njit(cache=True, parallel=True)
def rank_rows(v):
    """Competition ranks (rank 1 = largest) of every row: float64 (k, n) -> int32 (k, n)."""
    k, n = v.shape
    out = np.empty((k, n), dtype=np.int32)
    n_tasks = min(k, 64)
    for t in prange(n_tasks):
        keys = np.empty(n, dtype=np.int64)
        tk = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        to = np.empty(n, dtype=np.int64)
        hist = np.empty(3 * 256, dtype=np.int64)
        rmin = np.empty(n, dtype=np.int64)
        ravg = np.empty(n)
        for d in range(t * k // n_tasks, (t + 1) * k // n_tasks):
            _radix_order(v[d], keys, tk, order, to, hist)
            _ranks_from_order(v[d], order, rmin, ravg)
            for i in range(n):
                out[d, i] = rmin[i]
    return out


@njit(cache=True)
def block_sums(x, block):
    """Sums over consecutive blocks of ``block`` rows, summed in row order (deterministic).

    float64 (n, ...) flattened to (n, m) -> float64 (ceil(n / block), m).
    """
    n = x.shape[0]
    m = x.size // n if n > 0 else 0
    f = x.reshape(n, m)
    nb = (n + block - 1) // block
    out = np.zeros((nb, m))
    for b in range(nb):
        for d in range(b * block, min(n, (b + 1) * block)):
            for i in range(m):
                out[b, i] += f[d, i]
    return out


@njit(cache=True, parallel=True)
def rank_chunk(
    g1,
    g2,
    form,
    base_cavg,
    base_ss,
    base_min,
    lo,
    inv_width,
    pairs,
    block,
    counts,
    hist,
    vmin,
    vmax,
):
    """Index, ranks and accumulation for one chunk of draws of one year.

    Parameters
    ----------
    g1, g2 : float64 (n_draws, n_regions). Squared distances d_pos^2 and d_neg^2 of every region
        in every draw (``form`` RATIO2 / CLOSENESS), or the index itself in ``g1`` (``LINEAR``;
        ``g2`` unused). ``g1`` is overwritten with the index.
    form : int, RATIO2, CLOSENESS or LINEAR.
    base_cavg : float64 (n_regions,), base average ranks minus (n + 1) / 2.
    base_ss : float64, sum of squares of ``base_cavg``.
    base_min : int64 (n_regions,), base competition ranks.
    lo, inv_width : float64 (n_regions,), histogram origin and 1 / bin width of each region
        (``inv_width`` 0 puts everything in bin 0).
    pairs : int64 (n_pairs, 2), region pairs (a, b) for outrank counts.
    block : int, draws per seeding block (for the float block sums).
    counts : int32 (n_regions, n_regions), rank-position counts, updated in place:
        ``counts[i, r - 1] += 1`` when region i has rank r.
    hist : int32 (n_regions, n_bins), index histograms, updated in place.
    vmin, vmax : float64 (n_regions,), running exact min / max of the index, updated in place.

    Returns
    -------
    index_sums : float64 (n_blocks, n_regions), sum of the index over each block's draws, in
        draw order.
    rho : float64 (n_draws,), Spearman's rho (Pearson on average ranks) against the base ranking;
        NaN when either ranking is constant.
    shift : int64 (n_draws,), sum over regions of |rank - base rank| (competition ranks).
    outranks : int64 (n_pairs,), draws in which region a has a better (smaller) rank than b.

    Notes
    -----
    Index: RATIO2 d_neg^2 / (d_pos^2 + d_neg^2), CLOSENESS d_neg / (d_pos + d_neg) (edge conventions
    of ``distance.index_value``), LINEAR g1. NaN indices (both distances 0) are ranked last and
    tied; they are skipped by the histogram and min / max. Spearman's rho with ties: Pearson
    correlation of average ranks (Kendall & Gibbons 1990, ch. 3); the sums of products of
    half-integers are exact in float64, so rho is independent of summation order.
    """
    n_draws, n = g1.shape
    n_bins = hist.shape[1]
    rank_buf = np.empty((n_draws, n), dtype=np.int32)
    rho = np.empty(n_draws)
    shift = np.empty(n_draws, dtype=np.int64)
    n_tasks = min(n_draws, 256)
    # phase A: per draw (independent rows) index, sort, ranks, rho, shift
    for t in prange(n_tasks):
        keys = np.empty(n, dtype=np.int64)
        tk = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        to = np.empty(n, dtype=np.int64)
        hbuf = np.empty(3 * 256, dtype=np.int64)
        rmin = np.empty(n, dtype=np.int64)
        ravg = np.empty(n)
        for d in range(t * n_draws // n_tasks, (t + 1) * n_draws // n_tasks):
            row = g1[d]
            if form != LINEAR:
                for i in range(n):
                    row[i] = kd.index_value(row[i], g2[d, i], form)
            _radix_order(row, keys, tk, order, to, hbuf)
            _ranks_from_order(row, order, rmin, ravg)
            c = 0.5 * (n + 1)
            sxy = 0.0
            sxx = 0.0
            s = 0
            for i in range(n):
                a = ravg[i] - c
                sxy += a * base_cavg[i]
                sxx += a * a
                rank_buf[d, i] = rmin[i]
                s += abs(rmin[i] - base_min[i])
            shift[d] = s
            if sxx > 0.0 and base_ss > 0.0:
                rho[d] = sxy / math.sqrt(sxx * base_ss)
            else:
                rho[d] = np.nan
    # phase B: per slab of regions (disjoint accumulator rows), all draws
    n_blocks = (n_draws + block - 1) // block
    sums = np.zeros((n_blocks, n))
    slab = 16
    n_slabs = (n + slab - 1) // slab
    for sl in prange(n_slabs):
        i0 = sl * slab
        i1 = min(n, i0 + slab)
        for d in range(n_draws):
            b = d // block
            for i in range(i0, i1):
                counts[i, rank_buf[d, i] - 1] += 1
                x = g1[d, i]
                if x == x:
                    sums[b, i] += x
                    if x < vmin[i]:
                        vmin[i] = x
                    if x > vmax[i]:
                        vmax[i] = x
                    k = np.int64((x - lo[i]) * inv_width[i])
                    if k < 0:
                        k = 0
                    elif k >= n_bins:
                        k = n_bins - 1
                    hist[i, k] += 1
    n_pairs = pairs.shape[0]
    outranks = np.zeros(n_pairs, dtype=np.int64)
    for p in prange(n_pairs):
        a = pairs[p, 0]
        bb = pairs[p, 1]
        c = 0
        for d in range(n_draws):
            if rank_buf[d, a] < rank_buf[d, bb]:
                c += 1
        outranks[p] = c
    return sums, rho, shift, outranks


# ----------------------------------------------------------------------------------------------
# bootstrap: re-estimate the ideal-solution model on a resample, score every original cell
# ----------------------------------------------------------------------------------------------

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
            k = kn._cell(r, y, scope)
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
                k = kn._cell(r, y, scope)
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
def _std(c, cost, method, mn, mx, loc, scale):
    if not (mn < mx):  # constant (or unsampled) cell: contributes nothing
        return 0.0
    return kn._standardize_value(c, cost, method, mn, mx, loc, scale)


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
def bootstrap_index(cube, is_cost, method, scope, form, mult_r, mult_y, wmode, fixed_w, cprime, cplogc):
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
    cprime, cplogc : float64 cubes c' (c for benefit, 1 / c for cost) and c' ln c' (used by the
        max-ratio entropy shortcut; any array of the right shape otherwise).

    Returns
    -------
    index : float64 (n_years, n_rep, n_regions)
    weights : float64 (n_rep, n_indicators)

    Notes
    -----
    For each resample: scope statistics (min, max, norm, mean, sd) over the sampled cells,
    standardization of every original cell with them (ideal / anti-ideal = the standardized
    sample max / min, as ``normalize._ideal_pair``), objective weights on the resample, then
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
                    for y in range(n_years):
                        m = mr[r] * my[y]
                        if m == 0:
                            continue
                        k = kn._cell(r, y, scope)
                        for j in range(n_ind):
                            s1[k, j] += m * cprime[r, y, j]
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
                        k = kn._cell(r, y, scope)
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
                    k = kn._cell(r, y, scope)
                    for _ in range(m):
                        for j in range(n_ind):
                            v[i, j] = _std(cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                        i += 1
            wd = kw.max_deviation_weights(v)
            for j in range(n_ind):
                w[j] = wd[j]
        for j in range(n_ind):
            wout[b, j] = w[j]
        # ideal points of the resample, then every original cell
        ideal = np.empty((n_cells, n_ind))
        anti = np.empty((n_cells, n_ind))
        for k in range(n_cells):
            for j in range(n_ind):
                if mn[k, j] < mx[k, j]:
                    a, c = kn._ideal_pair(is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                    ideal[k, j] = a
                    anti[k, j] = c
                else:
                    ideal[k, j] = 0.0
                    anti[k, j] = 0.0
        for r in range(n_regions):
            for y in range(n_years):
                k = kn._cell(r, y, scope)
                sp = 0.0
                sn = 0.0
                for j in range(n_ind):
                    x = _std(cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j])
                    ww = w[j] * w[j]
                    dp = x - ideal[k, j]
                    dn = x - anti[k, j]
                    sp += ww * dp * dp
                    sn += ww * dn * dn
                out[y, b, r] = kd.index_value(sp, sn, form)
    return out, wout
