"""Weighted ideal-solution distances, the index forms, the fused panel model and growth rates.

Input already validated (float64, C-contiguous, finite, weights >= 0). Kernels trust their input.

Distances (Wu, Wang & Chen, BTH innovation levels; Hwang & Yoon 1981):

    d_pos = sqrt(sum_j w_j^2 (x_j - x_alpha_j)^2),  d_neg = sqrt(sum_j w_j^2 (x_j - x_beta_j)^2)

Index forms (int constants):

- ``RATIO2`` (the paper): F = 1 / (1 + (d_pos/d_neg)^2) = d_neg^2 / (d_pos^2 + d_neg^2)
- ``CLOSENESS`` (classical TOPSIS): C = d_neg / (d_pos + d_neg)

Edge conventions: d_neg = 0 < d_pos -> 0; d_pos = 0 < d_neg -> 1; both 0 -> NaN (the API layer
warns and names the cells).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import normalize as kn
from .twins import parallel_twin, readonly

RATIO2 = 0
CLOSENESS = 1

__all__ = [
    "RATIO2",
    "CLOSENESS",
    "index_value",
    "index_from_squared",
    "ideal_points",
    "weighted_squared_distances",
    "weighted_distances",
    "hew_index_cube",
    "hew_index_from_stats",
    "topsis_index_matrix",
    "topsis_closeness_matrix",
    "topsis_rows",
    "topsis_raw",
    "growth_rates",
]


@njit(cache=True, inline="always")
def index_value(d_pos2, d_neg2, form):
    """Index from one pair of *squared* distances (scalar; inlined into other kernels).

    ``RATIO2``: d_neg^2 / (d_pos^2 + d_neg^2); ``CLOSENESS``: d_neg / (d_pos + d_neg).
    Both squared distances 0 -> NaN; otherwise the formulas give 0 (d_neg = 0) and 1 (d_pos = 0).
    """
    if d_pos2 == 0.0 and d_neg2 == 0.0:
        return np.nan
    if form == RATIO2:
        return d_neg2 / (d_pos2 + d_neg2)
    dn = math.sqrt(d_neg2)
    return dn / (math.sqrt(d_pos2) + dn)


@njit(cache=True)
def index_from_squared(d_pos2, d_neg2, form):
    """Turn squared distances into the index, elementwise.

    Parameters
    ----------
    d_pos2, d_neg2 : float64 arrays of the same shape (any ndim), C-contiguous, >= 0.
    form : int, ``RATIO2`` or ``CLOSENESS``.

    Returns
    -------
    float64 array of the same shape; NaN where both squared distances are 0.
    """
    out = np.empty_like(d_pos2)
    fo = out.reshape(-1)
    fp = d_pos2.reshape(-1)
    fn = d_neg2.reshape(-1)
    for i in range(fo.size):
        fo[i] = index_value(fp[i], fn[i], form)
    return out


def ideal_points(cube, is_cost, method, scope):
    """Ideal and anti-ideal points of the standardized cube over a scope.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), the *raw* cube, input already validated.
    is_cost, method, scope : as in ``normalize.standardize_cube``.

    Returns
    -------
    ideal, anti_ideal : float64 (n_cells, n_indicators)
        max / min over the scope cell of the standardized values (0 and 0 in constant cells).
    """
    mn, mx, loc, scale = kn.scope_stats(cube, method, scope)
    ideal, anti = _coefficients(is_cost, method, mn, mx, loc, scale)[3:5]
    return np.ascontiguousarray(ideal.T), np.ascontiguousarray(anti.T)


def weighted_squared_distances(x, w, scope):
    """Squared weighted distances of a standardized cube to its scope ideal / anti-ideal.

    Parameters
    ----------
    x : float64 (n_regions, n_years, n_indicators), standardized (larger = better).
    w : float64 (n_indicators,), weights >= 0.
    scope : int, ``normalize.SCOPE_*``; ideal / anti-ideal = max / min of ``x`` over the cell.

    Returns
    -------
    d_pos2, d_neg2 : float64 (n_regions, n_years)
        sum_j w_j^2 (x_j - x_alpha_j)^2 and sum_j w_j^2 (x_j - x_beta_j)^2.
    """
    x = readonly(x)
    mn, mx, _, _ = kn.minmax_sums(x, scope, False)
    return _weighted_squared_distances(x, w * w, scope, mn, mx)


@parallel_twin
def _weighted_squared_distances(x, w2, scope, mn, mx):
    n_regions, n_years, n_ind = x.shape
    d_pos2 = np.empty((n_regions, n_years))
    d_neg2 = np.empty((n_regions, n_years))
    for r in prange(n_regions):
        for y in range(n_years):
            k = kn.cell(r, y, scope)
            sp = 0.0
            sn = 0.0
            for j in range(n_ind):
                v = x[r, y, j]
                dp = v - mx[k, j]
                dn = v - mn[k, j]
                sp += w2[j] * dp * dp
                sn += w2[j] * dn * dn
            d_pos2[r, y] = sp
            d_neg2[r, y] = sn
    return d_pos2, d_neg2


def weighted_distances(x, w, scope):
    """Weighted distances d_pos, d_neg (n_regions, n_years) of a standardized cube.

    ``sqrt`` of :func:`weighted_squared_distances`; same parameters.
    """
    d_pos2, d_neg2 = weighted_squared_distances(x, w, scope)
    return np.sqrt(d_pos2), np.sqrt(d_neg2)


def _standardized(c, cost, method, mn, mx, loc, scale):
    # ``normalize.standardize_value`` elementwise (the same operations, so the same bits)
    if method == kn.MAX_RATIO:
        return np.where(cost, mn / c, c / mx)
    if method == kn.MINMAX:
        return np.where(cost, (mx - c) / (mx - mn), (c - mn) / (mx - mn))
    if method == kn.VECTOR:
        return np.where(cost, 1.0 - c / scale, c / scale)
    return np.where(cost, (loc - c) / scale, (c - loc) / scale)


def _coefficients(is_cost, method, mn, mx, loc, scale):
    # Per (indicator, cell): x = (c - shift) / div + add (or x = shift / c when recip), written so
    # that the rounding is exactly that of the textbook formulas in ``normalize``; plus the ideal /
    # anti-ideal (``normalize.ideal_pair``). Constant cells: shift 0, div inf, add 0, ideal = anti
    # = 0, so x = 0 there. numpy on (indicators, cells) arrays: small, and nothing to compile.
    mn, mx, loc, scale = mn.T, mx.T, loc.T, scale.T
    cost = np.broadcast_to(np.asarray(is_cost, dtype=bool)[:, None], mn.shape)
    zero = np.zeros(mn.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == kn.MAX_RATIO:
            shift, div, add = np.where(cost, mn, 0.0), np.where(cost, 1.0, mx), zero
        elif method == kn.MINMAX:  # (mx - c)/(mx - mn) == (c - mx)/(-(mx - mn)) exactly
            shift, div, add = np.where(cost, mx, mn), np.where(cost, -(mx - mn), mx - mn), zero
        elif method == kn.VECTOR:  # 1 - c/norm == (c/(-norm)) + 1 exactly
            shift, div, add = zero, np.where(cost, -scale, scale), np.where(cost, 1.0, 0.0)
        else:
            shift, div, add = loc, np.where(cost, -scale, scale), zero
        at_mn = _standardized(mn, cost, method, mn, mx, loc, scale)
        at_mx = _standardized(mx, cost, method, mn, mx, loc, scale)
    const = mn == mx
    ideal = np.where(const, 0.0, np.where(cost, at_mn, at_mx))
    anti = np.where(const, 0.0, np.where(cost, at_mx, at_mn))
    shift = np.where(const, 0.0, shift)
    div = np.where(const, np.inf, div)
    add = np.where(const, 0.0, add)
    recip = np.asarray(is_cost, dtype=bool) & (method == kn.MAX_RATIO)
    return (np.ascontiguousarray(shift), np.ascontiguousarray(div), np.ascontiguousarray(add),
            np.ascontiguousarray(ideal), np.ascontiguousarray(anti), recip)


@parallel_twin(error_model="numpy")
def _hew_cells(cube, scope, shift, div, add, ideal, anti, recip, w2, ptr, idx, cptr, cidx, form):
    # prange over chunks of regions (scratch buffers allocated once per chunk, not per region:
    # allocation inside a prange body serialises the threads on the allocator).
    n_regions, n_years, n_ind = cube.shape
    n_models = ptr.size - 1
    out = np.empty((n_models, n_regions, n_years))
    n_chunks = min(n_regions, 64)
    for c in prange(n_chunks):
        ct = np.empty((n_ind, n_years))
        dp = np.empty((n_ind, n_years))
        dn = np.empty((n_ind, n_years))
        sp = np.empty((n_models, n_years))
        sn = np.empty((n_models, n_years))
        for r in range(c * n_regions // n_chunks, (c + 1) * n_regions // n_chunks):
            _hew_region(cube, r, scope, shift, div, add, ideal, anti, recip, w2, ptr, idx, cptr, cidx,
                        form, ct, dp, dn, sp, sn, out)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _hew_region(cube, r, scope, shift, div, add, ideal, anti, recip, w2, ptr, idx, cptr, cidx,
                form, ct, dp, dn, sp, sn, out):
    # The region's block is held as (indicator, year), so every inner loop runs over years:
    # independent lanes (SIMD without reassociation), sums in the model's indicator order.
    n_years = cube.shape[1]
    n_ind = cube.shape[2]
    n_models = ptr.size - 1
    k0 = kn.cell(r, 0, scope)
    per_year = scope == kn.SCOPE_YEAR
    for y in range(n_years):
        for j in range(n_ind):
            ct[j, y] = cube[r, y, j]
    for j in range(n_ind):
        wj = w2[j]
        if per_year:
            if recip[j]:
                for y in range(n_years):
                    v = shift[j, y] / ct[j, y] + add[j, y]
                    a = v - ideal[j, y]
                    b = v - anti[j, y]
                    dp[j, y] = wj * (a * a)
                    dn[j, y] = wj * (b * b)
            else:
                for y in range(n_years):
                    v = (ct[j, y] - shift[j, y]) / div[j, y] + add[j, y]
                    a = v - ideal[j, y]
                    b = v - anti[j, y]
                    dp[j, y] = wj * (a * a)
                    dn[j, y] = wj * (b * b)
        else:
            s0 = shift[j, k0]
            d0 = div[j, k0]
            a0 = add[j, k0]
            i0 = ideal[j, k0]
            n0 = anti[j, k0]
            if recip[j]:
                for y in range(n_years):
                    v = s0 / ct[j, y] + a0
                    a = v - i0
                    b = v - n0
                    dp[j, y] = wj * (a * a)
                    dn[j, y] = wj * (b * b)
            else:
                for y in range(n_years):
                    v = (ct[j, y] - s0) / d0 + a0
                    a = v - i0
                    b = v - n0
                    dp[j, y] = wj * (a * a)
                    dn[j, y] = wj * (b * b)
    for m in range(n_models):
        for y in range(n_years):
            sp[m, y] = 0.0
            sn[m, y] = 0.0
        for q in range(cptr[m], cptr[m + 1]):
            ch = cidx[q]
            for y in range(n_years):
                sp[m, y] += sp[ch, y]
                sn[m, y] += sn[ch, y]
        for q in range(ptr[m], ptr[m + 1]):
            j = idx[q]
            for y in range(n_years):
                sp[m, y] += dp[j, y]
                sn[m, y] += dn[j, y]
        for y in range(n_years):
            out[m, r, y] = index_value(sp[m, y], sn[m, y], form)


def hew_index_from_stats(cube, is_cost, method, scope, mn, mx, loc, scale, w,
                         model_ptr, model_idx, child_ptr, child_idx, form):
    """:func:`hew_index_cube` with the scope statistics given (``normalize.scope_stats``).

    Lets the API layer validate on the statistics (positivity, constant cells) and reuse them,
    so the cube is read once for the statistics and once for the model. Python dispatcher over
    njit kernels (call it from Python).
    """
    shift, div, add, ideal, anti, recip = _coefficients(readonly(is_cost), method, mn, mx, loc, scale)
    args = (shift, div, add, ideal, anti, recip, w * w, model_ptr, model_idx, child_ptr, child_idx, form)
    cube = readonly(cube)
    n_regions, n_years, n_ind = cube.shape
    if n_years > 1 or scope == kn.SCOPE_REGION or n_regions < 2 * CROSS_SECTION_LANES:
        return _hew_cells(cube, scope, *args)
    # One year, one scope cell: the kernel's lanes run over years, so give it blocks of regions
    # as the lanes instead (same operations per region, so the same bits; the panel scope has
    # the year scope's single cell here).
    n_models = model_ptr.shape[0] - 1
    out = np.empty((n_models, n_regions, 1))
    n_blocks = n_regions // CROSS_SECTION_LANES
    bulk = n_blocks * CROSS_SECTION_LANES
    out[:, :bulk, 0] = _hew_cells(cube[:bulk].reshape(n_blocks, CROSS_SECTION_LANES, n_ind), kn.SCOPE_PANEL,
                                  *args).reshape(n_models, bulk)
    if bulk < n_regions:
        out[:, bulk:, 0] = _hew_cells(cube[bulk:].reshape(1, n_regions - bulk, n_ind), kn.SCOPE_PANEL,
                                      *args).reshape(n_models, n_regions - bulk)
    return out


#: Regions per block of lanes of a one-year cross-section in :func:`hew_index_from_stats`.
CROSS_SECTION_LANES = 256


def hew_index_cube(cube, is_cost, method, scope, w, model_ptr, model_idx, child_ptr, child_idx, form):
    """Fused ideal-solution model: standardize, ideal points, index and sub-indices in one pass.

    One pass over the raw cube for the scope statistics, one fused pass for everything else
    (standardized values are never stored). A "model" (the whole index or a sub-index) sums the
    weighted squared deviations of its own indicators plus the sums of its child models, so a
    hierarchy costs one pass over the indicators whatever its depth.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), raw values, C-contiguous, validated
        (positive where ``MAX_RATIO`` divides by it).
    is_cost : bool (n_indicators,)
    method : int, ``normalize.MAX_RATIO | MINMAX | VECTOR | ZSCORE``.
    scope : int, ``normalize.SCOPE_PANEL | SCOPE_REGION | SCOPE_YEAR``.
    w : float64 (n_indicators,), indicator weights >= 0 (the whole index's weights).
    model_ptr, model_idx : int64 CSR (n_models + 1,), (nnz,): each model's own indicators.
    child_ptr, child_idx : int64 CSR (n_models + 1,), (n_links,): each model's child models,
        which must come before it (children have smaller model numbers).
    form : int, ``RATIO2`` or ``CLOSENESS``.

    Returns
    -------
    index : float64 (n_models, n_regions, n_years); NaN where both distances are 0.

    Notes
    -----
    For model g with indicator set J_g: S+_g = sum_{j in J_g} w_j^2 (x_ktj - x_alpha_j)^2 and
    S-_g likewise with x_beta (x standardized, x_alpha / x_beta the max / min of x over the scope
    cell), then :func:`index_value` (S+_g, S-_g). Both forms are invariant to scaling all the
    weights of a model, so this equals the model with its weights renormalised to sum 1 within
    the group (the sub-index definition). Standardized values use the same floating-point
    operations as ``normalize.standardize_cube``. Constant cells contribute 0.
    """
    mn, mx, loc, scale = kn.scope_stats(cube, method, scope)
    return hew_index_from_stats(cube, is_cost, method, scope, mn, mx, loc, scale, w,
                                model_ptr, model_idx, child_ptr, child_idx, form)


@njit(cache=True, parallel=True, error_model="numpy")
def topsis_rows(p, w, mn, mx, form):
    """2-D TOPSIS from the column minima / maxima of ``p``, parallel over blocks of rows.

    Parameters
    ----------
    p : float64 (n_objects, n_indicators), normalized (larger = better), C-contiguous.
    w : float64 (n_indicators,), weights >= 0.
    mn, mx : float64 (n_indicators,), column min / max of ``p`` (``normalize.matrix_stats``).
    form : int, ``RATIO2`` or ``CLOSENESS``.

    Returns
    -------
    index, d_pos, d_neg : float64 (n_objects,), see :func:`topsis_index_matrix`.

    Notes
    -----
    The ideal of the weighted matrix v = w * p is max_i v_ij = w_j mx_j exactly (rounding is
    monotone and w >= 0), likewise the anti-ideal. Every row is summed over the indicators in
    order, so the result does not depend on the thread count.
    """
    n, m = p.shape
    hi = np.empty(m)
    lo = np.empty(m)
    for j in range(m):
        hi[j] = w[j] * mx[j]
        lo[j] = w[j] * mn[j]
    index = np.empty(n)
    d_pos = np.empty(n)
    d_neg = np.empty(n)
    rows, nb = kn.block_rows(n, m)
    for b in prange(nb):
        bb = np.int64(b)
        for i in range(bb * rows, min(n, (bb + 1) * rows)):
            sp = 0.0
            sn = 0.0
            for j in range(m):
                v = w[j] * p[i, j]
                a = v - hi[j]
                c = v - lo[j]
                sp += a * a
                sn += c * c
            d_pos[i] = math.sqrt(sp)
            d_neg[i] = math.sqrt(sn)
            index[i] = index_value(sp, sn, form)
    return index, d_pos, d_neg


def topsis_index_matrix(p, w, form):
    """2-D TOPSIS on a normalized matrix (larger = better) with column max / min ideals.

    Parameters
    ----------
    p : float64 (n_objects, n_indicators), normalized (e.g. ``normalize.normalize_matrix``).
    w : float64 (n_indicators,), weights >= 0.
    form : int, ``RATIO2`` or ``CLOSENESS``.

    Returns
    -------
    index, d_pos, d_neg : float64 (n_objects,)
        Distances on the weighted matrix v = w * p: d_pos = sqrt(sum_j (v_ij - max_i v_ij)^2),
        d_neg = sqrt(sum_j (v_ij - min_i v_ij)^2) (equal to sqrt(sum_j w_j^2 (p - p_alpha)^2)
        for w >= 0), then the index form.

    Notes
    -----
    A Python dispatcher: the column min / max in one row-major pass
    (``normalize.matrix_stats``), then :func:`topsis_rows`.
    """
    mn, mx, _, _, _ = kn.matrix_stats(p, False)
    return topsis_rows(p, w, mn, mx, form)


def topsis_closeness_matrix(p, w):
    """Classical TOPSIS closeness d_neg / (d_pos + d_neg) of a normalized 2-D matrix.

    ``p`` float64 (n_objects, n_indicators) normalized (larger = better), ``w`` float64
    (n_indicators,) >= 0. Returns float64 (n_objects,). See :func:`topsis_index_matrix`.
    """
    index, _, _ = topsis_index_matrix(p, w, CLOSENESS)
    return index


@njit(cache=True, error_model="numpy")
def _topsis_raw_coefficients(w, is_cost, method, mn, mx, scale):
    """Per-column ``(k, best, worst, a, recip)`` of :func:`topsis_raw`.

    For the affine normalizations (every code but a MAX_RATIO cost column) ``w_j p_ij`` differs
    from the ideal ``max_i w_j p_ij`` by ``(x_ij - best_j) * k_j`` up to its sign, with ``best``
    the raw value normalized to the column's maximum (``mx`` benefit, ``mn`` cost), ``worst``
    the other bound and ``k = w / d`` with the normalization's divisor ``d`` (``mx``,
    ``mx - mn``, the norm ``scale`` or the sd ``scale``). A MAX_RATIO cost column
    (``p = mn / x``, ``recip``) reads ``u = a / x`` with ``a = mn``, ``best = mn / mn``,
    ``worst = mn / mx``, ``k = w``. A constant column has ``k = 0``.
    """
    m = mn.shape[0]
    k = np.zeros(m)
    best = np.zeros(m)
    worst = np.zeros(m)
    a = np.zeros(m)
    recip = np.zeros(m, dtype=np.bool_)
    for j in range(m):
        lo = mn[j]
        hi = mx[j]
        if hi == lo:
            continue
        cost = is_cost[j]
        best[j] = lo if cost else hi
        worst[j] = hi if cost else lo
        if method == kn.MAX_RATIO:
            if cost:
                recip[j] = True
                a[j] = lo
                best[j] = lo / lo
                worst[j] = lo / hi
                k[j] = w[j]
            else:
                k[j] = w[j] / hi
        elif method == kn.MINMAX:
            k[j] = w[j] / (hi - lo)
        else:  # VECTOR: the column norm, ZSCORE: the sd
            k[j] = w[j] / scale[j]
    return k, best, worst, a, recip


@parallel_twin(error_model="numpy", fastmath={"reassoc"})
def topsis_raw(x, w, is_cost, method, mn, mx, scale, form):
    """2-D TOPSIS on the raw matrix: normalization, weighting, both distances and the index in one
    row pass, parallel over the row blocks of :func:`fastinno.kernels.normalize.block_rows`.

    Parameters
    ----------
    x : float64 (n_objects, n_indicators), raw values, C-contiguous (in the domain of ``method``).
    w : float64 (n_indicators,), weights >= 0.
    is_cost : bool (n_indicators,)
    method : int, ``normalize.MAX_RATIO``, ``MINMAX``, ``VECTOR`` or ``ZSCORE``.
    mn, mx : float64 (n_indicators,), column min / max of ``x``.
    scale : float64 (n_indicators,), column norm (VECTOR) or population sd (ZSCORE), else unread
        (``normalize.matrix_scale``).
    form : int, ``RATIO2`` or ``CLOSENESS``.

    Returns
    -------
    index, d_pos, d_neg : float64 (n_objects,), as :func:`topsis_index_matrix` on
        ``normalize.normalize_matrix(x, is_cost, method)``, within rounding.

    Notes
    -----
    With ``v = w p`` and the normalizations of :mod:`fastinno.kernels.normalize` (monotone in
    ``x``, constant columns 0): ``d+_i^2 = sum_j ((u_ij - best_j) k_j)^2`` and
    ``d-_i^2 = sum_j ((u_ij - worst_j) k_j)^2`` (``u = x``, or ``a / x`` for a MAX_RATIO cost
    column), the coefficients of :func:`_topsis_raw_coefficients`; Hwang & Yoon (1981). The sums
    over a row's indicators may be reassociated (they vectorize); each row is computed alone, so
    the result does not depend on the blocks or the thread count.
    """
    n, m = x.shape
    k, best, worst, a, recip = _topsis_raw_coefficients(w, is_cost, method, mn, mx, scale)
    any_recip = False
    for j in range(m):
        any_recip |= recip[j]
    index = np.empty(n)
    d_pos = np.empty(n)
    d_neg = np.empty(n)
    rows, nb = kn.block_rows(n, m)
    for b in prange(nb):
        bb = np.int64(b)
        lo = bb * rows
        hi = min(n, lo + rows)
        for i in range(lo, hi):
            sp = 0.0
            sn = 0.0
            if any_recip:
                for j in range(m):
                    v = x[i, j]
                    q = a[j] / v
                    u = q if recip[j] else v
                    dp = (u - best[j]) * k[j]
                    dn = (u - worst[j]) * k[j]
                    sp += dp * dp
                    sn += dn * dn
            else:
                for j in range(m):
                    v = x[i, j]
                    dp = (v - best[j]) * k[j]
                    dn = (v - worst[j]) * k[j]
                    sp += dp * dp
                    sn += dn * dn
            d_pos[i] = sp
            d_neg[i] = sn
        # the square roots and the index over the block's rows (no branches: they vectorize; both
        # distances 0 give 0 / 0 = NaN, as index_value)
        if form == RATIO2:
            for i in range(lo, hi):
                sp = d_pos[i]
                sn = d_neg[i]
                index[i] = sn / (sp + sn)
                d_pos[i] = math.sqrt(sp)
                d_neg[i] = math.sqrt(sn)
        else:
            for i in range(lo, hi):
                dp = math.sqrt(d_pos[i])
                dn = math.sqrt(d_neg[i])
                index[i] = dn / (dp + dn)
                d_pos[i] = dp
                d_neg[i] = dn
    return index, d_pos, d_neg


@njit(cache=True, error_model="numpy")
def growth_rates(f, years):
    """Growth of index series over the true year span.

    Parameters
    ----------
    f : float64 (n_series, n_years), index values (e.g. regions x years).
    years : float64 (n_years,), strictly increasing year values (gaps allowed).

    Returns
    -------
    cagr : float64 (n_series,)
        (f_last / f_first)^(1 / (year_last - year_first)) - 1.
    mean_yoy : float64 (n_series,)
        Mean of the annual rates over the span, each calendar year counted once: an interval of
        dt years contributes its annualized rate dt times (the plain mean when there are no gaps).
    yoy : float64 (n_series, n_years)
        Annualized rate of the interval ending at each year,
        (f_t / f_prev)^(1 / (year_t - year_prev)) - 1; NaN in the first year.

    Notes
    -----
    A rate is NaN when its base value is <= 0 or NaN, or the end value is < 0 or NaN (the API
    layer warns). Fewer than two years: all NaN.
    """
    n, n_years = f.shape
    cagr = np.empty(n)
    mean_yoy = np.empty(n)
    yoy = np.empty((n, n_years))
    for i in range(n):
        cagr[i] = np.nan
        mean_yoy[i] = np.nan
        for t in range(n_years):
            yoy[i, t] = np.nan
    if n_years < 2:
        return cagr, mean_yoy, yoy
    span = years[n_years - 1] - years[0]
    for i in range(n):  # serial: ~1 ms on a county panel, not worth a parallel region
        acc = 0.0
        for t in range(1, n_years):
            prev = f[i, t - 1]
            cur = f[i, t]
            dt = years[t] - years[t - 1]
            if prev > 0.0 and cur >= 0.0:
                if dt == 1.0:
                    yoy[i, t] = cur / prev - 1.0
                else:
                    yoy[i, t] = (cur / prev) ** (1.0 / dt) - 1.0
            acc += dt * yoy[i, t]
        mean_yoy[i] = acc / span
        first = f[i, 0]
        last = f[i, n_years - 1]
        if first > 0.0 and last >= 0.0:
            if span == 1.0:
                cagr[i] = last / first - 1.0
            else:
                cagr[i] = (last / first) ** (1.0 / span) - 1.0
    return cagr, mean_yoy, yoy
