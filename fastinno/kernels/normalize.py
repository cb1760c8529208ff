"""Standardization kernels for (regions, years, indicators) cubes and 2-D decision matrices.

Input already validated (float64, C-contiguous, finite; positivity for ``MAX_RATIO`` checked by
the API layer). Kernels trust their input: they use ``error_model="numpy"``, so a division by
zero the API should have prevented (a zero cost value under ``MAX_RATIO``) gives inf / NaN
instead of raising ``ZeroDivisionError`` (and the loops can vectorise).

Methods (int constants, chosen in the API layer), for a value ``c`` of indicator ``j`` with
``mn``/``mx`` the minimum/maximum of ``j`` over the scope cell:

========== ============================== ==============================
method     benefit indicator              cost indicator
========== ============================== ==============================
MAX_RATIO  c / mx                         mn / c
MINMAX     (c - mn) / (mx - mn)           (mx - c) / (mx - mn)
VECTOR     c / sqrt(sum c^2)              1 - c / sqrt(sum c^2)
ZSCORE     (c - mean) / sd                (mean - c) / sd
SUM        c / sum c                      (1 / c) / sum (1 / c)
MAX        c / mx                         1 - c / mx
LOG        ln c / ln prod c               (1 - ln c / ln prod c) / (n - 1)
========== ============================== ==============================

``SUM``, ``MAX`` and ``LOG`` (the conventions of pymcdm 1.4.0, ``pymcdm/normalizations.py``;
Jahan & Edwards 2015, "A state-of-the-art survey on the influence of normalization techniques in
ranking", Materials & Design 65) are 2-D / batched only (:func:`normalize_matrix`,
:func:`cell_stats`, :func:`linear_coefficients`, :func:`apply_linear`); the cube and scope kernels
take the first four codes. ``ln prod c`` is computed as ``sum ln c``.

``sd`` is the population standard deviation (ddof = 0). Every transform is monotone, so after
standardization larger is always better and the ideal / anti-ideal points are the max / min of the
standardized values over the scope. For ``VECTOR`` cost indicators ``1 - r`` gives exactly the
classical TOPSIS distances (ideal = min of ``r``), see Hwang & Yoon (1981).

Scopes: ``SCOPE_PANEL`` (one cell: all regions and years), ``SCOPE_REGION`` (one cell per region,
over its years), ``SCOPE_YEAR`` (one cell per year, across regions).

Convention for constant cells (max = min of an indicator within a scope cell): the standardized
value is 0 and the ideal and anti-ideal are 0, so the indicator contributes nothing to either
distance in that cell. The API raises on constant cells unless ``constant="zero"`` is asked for.

Source: Wu, Wang & Chen, "Comparative Evaluation of Scientific and Technological Innovation Levels
in the Beijing-Tianjin-Hebei Region" (max-ratio standardization and scope of the ideal points);
Hwang & Yoon (1981) *Multiple Attribute Decision Making*, Springer (TOPSIS, vector normalization).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .twins import parallel_twin, readonly, running_extreme

MAX_RATIO = 0
MINMAX = 1
VECTOR = 2
ZSCORE = 3
SUM = 4
MAX = 5
LOG = 6

#: Per-column transform of the batched normalizations: ``p = a * g(c) + b``.
G_IDENTITY = 0
G_RECIPROCAL = 1
G_LOG = 2

#: Rows of :func:`cell_stats`: min, max, sum, sum of squares, sum of 1/c, sum of ln c.
ST_MIN, ST_MAX, ST_SUM, ST_SQ, ST_INV, ST_LOG = 0, 1, 2, 3, 4, 5
N_STATS = 6

SCOPE_PANEL = 0
SCOPE_REGION = 1
SCOPE_YEAR = 2

__all__ = [
    "MAX_RATIO", "MINMAX", "VECTOR", "ZSCORE", "SUM", "MAX", "LOG", "G_IDENTITY", "G_RECIPROCAL",
    "G_LOG", "N_STATS", "cell_stats", "cell_centered_sq", "stats_needs", "linear_coefficients",
    "apply_linear", "batched_coefficients", "transform", "SCOPE_PANEL", "SCOPE_REGION",
    "SCOPE_YEAR", "n_scope_cells", "count_nonfinite", "scope_stats", "constant_cells",
    "standardize_cube", "normalize_matrix", "normalize_from_stats", "matrix_stats", "matrix_scale",
    "matrix_coefficients", "apply_coefficients", "block_rows", "MATRIX_BLOCK_ELEMS",
    "squared_deviations", "cell", "minmax_sums", "standardize_value", "ideal_pair",
]


@njit(cache=True)
def n_scope_cells(n_regions, n_years, scope):
    """Number of scope cells: 1 (panel), ``n_regions`` (region) or ``n_years`` (year)."""
    if scope == SCOPE_REGION:
        return n_regions
    if scope == SCOPE_YEAR:
        return n_years
    return 1


@njit(cache=True)
def count_nonfinite(cube):
    """Number of NaN or infinite values in a (regions, years, indicators) cube.

    Serial on purpose: memory-bound and ~0.5 ms on a county panel, so a parallel region would
    cost more than it saves on a busy machine.
    """
    flat = cube.reshape(-1)
    k = 0
    for i in range(flat.size):
        v = flat[i]
        k += (v - v) != 0.0  # NaN for NaN and +-inf, 0 otherwise: branch-free, SIMD
    return k


@njit(cache=True, inline="always")
def cell(r, y, scope):
    # int64 casts: a prange index may be typed uint64, and uint64/int64 unify to float64.
    if scope == SCOPE_REGION:
        return np.int64(r)
    if scope == SCOPE_YEAR:
        return np.int64(y)
    return np.int64(0)


def minmax_sums(cube, scope, want_sq):
    """Min, max, sum and sum of squares (0 unless ``want_sq``) per (scope cell, indicator). The
    panel scope reads the cube as one (regions x years, indicators) matrix (:func:`matrix_stats`),
    the other scopes make one pass per scope cell. ``cube`` read-only, C-contiguous."""
    if scope == SCOPE_PANEL:
        n_regions, n_years, n_ind = cube.shape
        mn, mx, s1, s2, _ = matrix_stats(cube.reshape(n_regions * n_years, n_ind), True)
        if not want_sq:
            s2 = np.zeros(n_ind)
        return mn[None], mx[None], s1[None], s2[None]
    return _minmax_sums(cube, scope, want_sq)


@parallel_twin
def _minmax_sums(cube, scope, want_sq):
    # min, max, sum and sum of squares per (unit, indicator); one parallel loop (one parfor
    # compiles much faster than two). Units: years for the year scope, else regions; the panel
    # scope then reduces the region partials in region order (thread-count independent).
    # Called from Python only (a twin), with a read-only cube: one specialization.
    n_regions, n_years, n_ind = cube.shape
    per_year = scope == SCOPE_YEAR
    n_units = n_years if per_year else n_regions
    n_inner = n_regions if per_year else n_years
    mn = np.empty((n_units, n_ind))
    mx = np.empty((n_units, n_ind))
    s1 = np.empty((n_units, n_ind))
    s2 = np.empty((n_units, n_ind))
    for u in prange(n_units):
        uu = np.int64(u)
        for j in range(n_ind):
            mn[uu, j] = np.inf
            mx[uu, j] = -np.inf
            s1[uu, j] = 0.0
            s2[uu, j] = 0.0
        for i in range(n_inner):
            r = i if per_year else uu
            y = uu if per_year else i
            for j in range(n_ind):
                c = cube[r, y, j]
                if c < mn[uu, j]:
                    mn[uu, j] = c
                if c > mx[uu, j]:
                    mx[uu, j] = c
                s1[uu, j] += c
                if want_sq:
                    s2[uu, j] += c * c
    if scope != SCOPE_PANEL:
        return mn, mx, s1, s2
    pmn = np.empty((1, n_ind))
    pmx = np.empty((1, n_ind))
    ps1 = np.empty((1, n_ind))
    ps2 = np.empty((1, n_ind))
    for j in range(n_ind):
        pmn[0, j] = np.inf
        pmx[0, j] = -np.inf
        ps1[0, j] = 0.0
        ps2[0, j] = 0.0
    for r in range(n_regions):
        for j in range(n_ind):
            if mn[r, j] < pmn[0, j]:
                pmn[0, j] = mn[r, j]
            if mx[r, j] > pmx[0, j]:
                pmx[0, j] = mx[r, j]
            ps1[0, j] += s1[r, j]
            ps2[0, j] += s2[r, j]
    return pmn, pmx, ps1, ps2


@parallel_twin
def _centered_sq(cube, scope, mean):
    # Sum of (c - mean)^2 per (scope cell, indicator): the second pass of a two-pass variance.
    n_regions, n_years, n_ind = cube.shape
    per_year = scope == SCOPE_YEAR
    n_units = n_years if per_year else n_regions
    n_inner = n_regions if per_year else n_years
    part = np.empty((n_units, n_ind))
    for u in prange(n_units):
        uu = np.int64(u)
        k = uu if scope != SCOPE_PANEL else np.int64(0)
        for j in range(n_ind):
            part[uu, j] = 0.0
        for i in range(n_inner):
            r = i if per_year else uu
            y = uu if per_year else i
            for j in range(n_ind):
                d = cube[r, y, j] - mean[k, j]
                part[uu, j] += d * d
    if scope != SCOPE_PANEL:
        return part
    out = np.empty((1, n_ind))
    for j in range(n_ind):
        out[0, j] = 0.0
    for r in range(n_regions):
        for j in range(n_ind):
            out[0, j] += part[r, j]
    return out


def _finish_stats(mn, s1, s2, n, method):
    # mean and the method's scale per (cell, indicator): tiny arrays, numpy (nothing to compile)
    loc = s1 / n
    scale = np.sqrt(s2) if method == VECTOR else np.ones(mn.shape)
    return loc, scale


def scope_stats(cube, method, scope):
    """Per-scope statistics used by the standardization.

    A thin Python dispatcher over njit kernels (so the z-score second pass is compiled only
    when it is used); call it from Python, not from inside njit code.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), C-contiguous, input already validated.
    method : int, one of MAX_RATIO, MINMAX, VECTOR, ZSCORE.
    scope : int, one of SCOPE_PANEL, SCOPE_REGION, SCOPE_YEAR.

    Returns
    -------
    mn, mx, loc, scale : float64 (n_cells, n_indicators)
        Minimum and maximum over the cell; ``loc`` = mean over the cell (every method; NaN or
        infinite if the cell holds a NaN or infinite value, so it doubles as a finiteness check);
        ``scale`` = population standard deviation (ZSCORE), Euclidean norm sqrt(sum c^2)
        (VECTOR), else 1.
    """
    n_regions, n_years, _ = cube.shape
    cube = readonly(cube)
    mn, mx, s1, s2 = minmax_sums(cube, scope, bool(method == VECTOR))
    n = {SCOPE_REGION: n_years, SCOPE_YEAR: n_regions}.get(scope, n_regions * n_years)
    loc, scale = _finish_stats(mn, s1, s2, float(n), method)
    if method == ZSCORE:
        scale = np.sqrt(_centered_sq(cube, scope, loc) / n)
    return mn, mx, loc, scale


def constant_cells(cube, scope):
    """Scope-aware constant detector: which indicators are constant within which scope cell.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), input already validated.
    scope : int, one of SCOPE_PANEL, SCOPE_REGION, SCOPE_YEAR.

    Returns
    -------
    bool (n_cells, n_indicators)
        True where max == min of the indicator over the cell (cell = 0 for the panel scope, the
        region index for the region scope, the year index for the year scope).
    """
    mn, mx, _, _ = minmax_sums(readonly(cube), scope, False)
    return mn == mx


@njit(cache=True)
def standardize_value(c, cost, method, mn, mx, loc, scale):
    # One standardized value; the caller handles constant cells (mn == mx).
    if method == MAX_RATIO:
        if cost:
            return mn / c
        return c / mx
    if method == MINMAX:
        if cost:
            return (mx - c) / (mx - mn)
        return (c - mn) / (mx - mn)
    if method == VECTOR:
        if cost:
            return 1.0 - c / scale
        return c / scale
    # ZSCORE
    if cost:
        return (loc - c) / scale
    return (c - loc) / scale


@njit(cache=True)
def ideal_pair(cost, method, mn, mx, loc, scale):
    # (ideal, anti-ideal) = (max, min) of the standardized values over the cell. Each transform is
    # monotone and IEEE rounding is monotone, so these equal the max / min of the standardized
    # values exactly. Constant cells: (0, 0).
    if mn == mx:
        return 0.0, 0.0
    if cost:
        return (
            standardize_value(mn, cost, method, mn, mx, loc, scale),
            standardize_value(mx, cost, method, mn, mx, loc, scale),
        )
    return (
        standardize_value(mx, cost, method, mn, mx, loc, scale),
        standardize_value(mn, cost, method, mn, mx, loc, scale),
    )


@parallel_twin(error_model="numpy")
def _apply_standardize(cube, is_cost, method, scope, mn, mx, loc, scale):
    n_regions, n_years, n_ind = cube.shape
    out = np.empty_like(cube)
    for r in prange(n_regions):
        for y in range(n_years):
            k = cell(r, y, scope)
            for j in range(n_ind):
                if mn[k, j] == mx[k, j]:
                    out[r, y, j] = 0.0
                else:
                    out[r, y, j] = standardize_value(
                        cube[r, y, j], is_cost[j], method, mn[k, j], mx[k, j], loc[k, j], scale[k, j]
                    )
    return out


def standardize_cube(cube, is_cost, method, scope):
    """Standardize a (regions, years, indicators) cube over a scope.

    Parameters
    ----------
    cube : float64 (n_regions, n_years, n_indicators), C-contiguous, input already validated.
    is_cost : bool (n_indicators,)
    method : int, MAX_RATIO, MINMAX, VECTOR or ZSCORE.
    scope : int, SCOPE_PANEL, SCOPE_REGION or SCOPE_YEAR.

    Returns
    -------
    x : float64 (n_regions, n_years, n_indicators), a new array.

    Notes
    -----
    See the module docstring for the formulas. Values in constant cells are 0. A Python
    dispatcher over njit kernels (:func:`scope_stats`, then one parallel pass).
    """
    cube = readonly(cube)
    mn, mx, loc, scale = scope_stats(cube, method, scope)
    return _apply_standardize(cube, readonly(is_cost), method, scope, mn, mx, loc, scale)


#: Rows per block of the 2-D kernels are ``max(1, MATRIX_BLOCK_ELEMS // n_columns)``: a block
#: (256 KiB) stays in cache, and partial sums are taken per block and combined in block order, so
#: results never depend on the thread count.
MATRIX_BLOCK_ELEMS = 32768


@njit(cache=True, inline="always")
def block_rows(n, m):
    """(rows per block, number of blocks) of an (n, m) matrix; see ``MATRIX_BLOCK_ELEMS``."""
    rows = max(1, MATRIX_BLOCK_ELEMS // max(1, m))
    return rows, max(1, (n + rows - 1) // rows)


#: Rows read together by :func:`matrix_stats`: each column's running min / max / sums stay in
#: registers over ``GROUP`` rows (one load and store of the partials per group, not per row).
GROUP = 8


def _matrix_stats_numpy(x, want_sums):
    # matrix_stats of a one-block matrix in numpy, the same operations in the same order: min /
    # max keep the first of equal values in row order (signed zeros), NaN skipped; the sums
    # sequential (cumsum) from 0.0 over the groups' sums, then over the leftover rows
    n, m = x.shape
    with np.errstate(invalid="ignore"):
        n_bad = int(np.count_nonzero(~np.isfinite(x)))
    ext = [running_extreme(x, False), running_extreme(x, True)]
    if not want_sums:
        return ext[0], ext[1], np.zeros(m), np.zeros(m), n_bad
    g = n // GROUP * GROUP
    sums = []
    with np.errstate(invalid="ignore", over="ignore"):
        for y in (x, x * x):
            t = np.zeros((g // GROUP, m))
            for k in range(GROUP):
                t += y[k:g:GROUP]
            sums.append(np.cumsum(np.concatenate((np.zeros((1, m)), t, y[g:])), axis=0)[-1])
    return ext[0], ext[1], sums[0], sums[1], n_bad


@parallel_twin(numpy=_matrix_stats_numpy, numpy_below=MATRIX_BLOCK_ELEMS, numpy_calls=16)
def matrix_stats(x, want_sums):
    """Column minimum, maximum, sum and sum of squares of a 2-D matrix, and its non-finite count.

    One row-major pass, parallel over blocks of rows (see ``MATRIX_BLOCK_ELEMS``); within a block
    the rows are read ``GROUP`` at a time, column by column, each column's running min / max / sums
    in registers; the per-block partials are combined in block order, so the sums do not depend
    on the thread count.

    Parameters
    ----------
    x : float64 (n, m), C-contiguous.
    want_sums : bool, also accumulate the sums (else ``s1`` and ``s2`` are 0).

    Returns
    -------
    mn, mx, s1, s2 : float64 (m,)
        Column min, max, sum and sum of squares (meaningless when ``n_bad > 0``).
    n_bad : int, number of NaN or infinite entries.
    """
    n, m = x.shape
    rows, nb = block_rows(n, m)
    pmn = np.empty((nb, m))
    pmx = np.empty((nb, m))
    ps1 = np.zeros((nb, m))
    ps2 = np.zeros((nb, m))
    pbad = np.zeros(nb, dtype=np.int64)
    for b in prange(nb):
        bb = np.int64(b)
        lo = pmn[bb]
        hi = pmx[bb]
        s1 = ps1[bb]
        s2 = ps2[bb]
        lo[:] = np.inf
        hi[:] = -np.inf
        bad = 0
        i = bb * rows
        end = min(n, i + rows)
        while i < end:
            g = min(GROUP, end - i)
            if g == GROUP:  # constant trip count: unrolled, the partials in registers
                for j in range(m):
                    a = lo[j]
                    z = hi[j]
                    for k in range(GROUP):
                        v = x[i + k, j]
                        bad += (v - v) != 0.0  # NaN for NaN and +-inf
                        a = v if v < a else a
                        z = v if v > z else z
                    lo[j] = a
                    hi[j] = z
                if want_sums:
                    for j in range(m):
                        t = 0.0
                        q = 0.0
                        for k in range(GROUP):
                            v = x[i + k, j]
                            t += v
                            q += v * v
                        s1[j] += t
                        s2[j] += q
            else:
                for k in range(g):
                    for j in range(m):
                        v = x[i + k, j]
                        bad += (v - v) != 0.0
                        lo[j] = v if v < lo[j] else lo[j]
                        hi[j] = v if v > hi[j] else hi[j]
                        if want_sums:
                            s1[j] += v
                            s2[j] += v * v
            i += g
        pbad[bb] = bad
    mn = pmn[0].copy()
    mx = pmx[0].copy()
    t1 = ps1[0].copy()
    t2 = ps2[0].copy()
    for b in range(1, nb):
        for j in range(m):
            mn[j] = min(mn[j], pmn[b, j])
            mx[j] = max(mx[j], pmx[b, j])
            t1[j] += ps1[b, j]
            t2[j] += ps2[b, j]
    return mn, mx, t1, t2, pbad.sum()


@njit(cache=True, parallel=True)
def _centered_sq_matrix(x, loc):
    # Column sums of (x - loc)^2 (second pass of a two-pass variance), per block, block order.
    n, m = x.shape
    rows, nb = block_rows(n, m)
    part = np.zeros((nb, m))
    for b in prange(nb):
        bb = np.int64(b)
        for i in range(bb * rows, min(n, (bb + 1) * rows)):
            for j in range(m):
                d = x[i, j] - loc[j]
                part[bb, j] += d * d
    out = part[0].copy()
    for b in range(1, nb):
        for j in range(m):
            out[j] += part[b, j]
    return out


@njit(cache=True)
def matrix_coefficients(is_cost, method, mn, mx, loc, scale):
    """Per-column coefficients of the normalization ``p = (c - shift) / div + add``.

    For a max-ratio cost column ``recip`` is True and ``p = shift / c``. The forms round exactly
    like the formulas of :func:`standardize_value` (negating a difference or a divisor is exact,
    ``1 - a == -a + 1``). Constant columns: shift 0, div inf, add 0, so p = 0.
    """
    m = mn.shape[0]
    shift = np.zeros(m)
    div = np.ones(m)
    add = np.zeros(m)
    recip = np.zeros(m, dtype=np.bool_)
    for j in range(m):
        lo = mn[j]
        hi = mx[j]
        cost = is_cost[j]
        if lo == hi:
            div[j] = np.inf
        elif method == MAX_RATIO:
            if cost:
                shift[j] = lo
                recip[j] = True
            else:
                div[j] = hi
        elif method == MINMAX:
            shift[j] = hi if cost else lo
            div[j] = -(hi - lo) if cost else hi - lo
        elif method == VECTOR:
            div[j] = -scale[j] if cost else scale[j]
            add[j] = 1.0 if cost else 0.0
        else:
            shift[j] = loc[j]
            div[j] = -scale[j] if cost else scale[j]
    return shift, div, add, recip


@njit(cache=True, parallel=True, error_model="numpy")
def apply_coefficients(x, shift, div, add, recip):
    """``p = (x - shift) / div + add`` per column (``shift / x`` where ``recip``), parallel over
    row blocks, into a new array; see :func:`matrix_coefficients`."""
    n, m = x.shape
    rows, nb = block_rows(n, m)
    p = np.empty((n, m))
    any_recip = False
    for j in range(m):
        any_recip |= recip[j]
    for b in prange(nb):
        bb = np.int64(b)
        if any_recip:
            for i in range(bb * rows, min(n, (bb + 1) * rows)):
                for j in range(m):
                    c = x[i, j]
                    r = shift[j] / c
                    v = (c - shift[j]) / div[j] + add[j]
                    p[i, j] = r if recip[j] else v
        else:
            for i in range(bb * rows, min(n, (bb + 1) * rows)):
                for j in range(m):
                    p[i, j] = (x[i, j] - shift[j]) / div[j] + add[j]
    return p


def matrix_scale(x, method, mn, s1, s2):
    """``(loc, scale)`` per column: mean and population sd (ZSCORE), 0 and the Euclidean norm
    (VECTOR), else 0 and 1. ``mn``, ``s1``, ``s2`` from :func:`matrix_stats` (sums asked for
    VECTOR and ZSCORE)."""
    n, m = x.shape
    loc = np.zeros(m)
    scale = np.ones(m)
    if method == VECTOR:
        scale = np.sqrt(s2)
    elif method == ZSCORE:
        loc = s1 / n
        scale = np.sqrt(_centered_sq_matrix(x, loc) / n)
    return loc, scale


def normalize_from_stats(x, is_cost, method, mn, mx, s1, s2):
    """:func:`normalize_matrix` with the column statistics of :func:`matrix_stats` given."""
    loc, scale = matrix_scale(x, method, mn, s1, s2)
    return apply_coefficients(x, *matrix_coefficients(is_cost, method, mn, mx, loc, scale))


def normalize_matrix(x, is_cost, method):
    """Column-wise normalization of a 2-D decision matrix.

    Parameters
    ----------
    x : float64 (n_objects, n_indicators), C-contiguous, input already validated.
    is_cost : bool (n_indicators,)
    method : int, MAX_RATIO, MINMAX (the efficacy coefficient), VECTOR, ZSCORE, SUM, MAX or LOG.

    Returns
    -------
    p : float64 (n_objects, n_indicators), a new array; min/max/norm/mean/sd per column over the
        objects. Constant columns give 0 (the first four codes). SUM, MAX and LOG go through the
        batched path (:func:`batched_coefficients`, :func:`apply_linear`); their domain (values
        > 0 where they divide or take logs) is checked by the API layer.

    Notes
    -----
    A Python dispatcher over njit kernels: one row-major pass for the column statistics
    (:func:`matrix_stats`, parallel over row blocks, partials combined in block order), a second
    pass for the z-score sd, one pass writing ``p``. Values equal those of the formulas in the
    module docstring (MAX_RATIO and MINMAX bit for bit; the sums of VECTOR and ZSCORE are
    accumulated per block of rows). The result does not depend on the thread count.
    """
    if method >= SUM:
        x3 = x.reshape(1, x.shape[0], x.shape[1])
        a, b, g = batched_coefficients(x3, is_cost, method)
        return apply_linear(x3, a, b, g)[0]
    want = method in (VECTOR, ZSCORE)
    mn, mx, s1, s2, _ = matrix_stats(x, want)
    return normalize_from_stats(x, is_cost, method, mn, mx, s1, s2)


def squared_deviations(x, scope):
    """Squared deviations of a standardized cube from its ideal and anti-ideal points.

    Parameters
    ----------
    x : float64 (n_regions, n_years, n_indicators), *standardized* values (larger = better),
        C-contiguous, input already validated.
    scope : int, SCOPE_PANEL, SCOPE_REGION or SCOPE_YEAR.

    Returns
    -------
    a_pos, a_neg : float64 (n_regions, n_years, n_indicators)
        ``(x - x_alpha)^2`` and ``(x - x_beta)^2`` with ``x_alpha`` / ``x_beta`` the max / min of
        ``x`` over the scope cell. Weighted squared distances are then
        ``d_pos^2 = a_pos @ w^2`` (one GEMM for many weight vectors).
    """
    x = readonly(x)
    mn, mx, _, _ = minmax_sums(x, scope, False)
    return _squared_deviations(x, scope, mn, mx)


@parallel_twin
def _squared_deviations(x, scope, mn, mx):
    n_regions, n_years, n_ind = x.shape
    a_pos = np.empty_like(x)
    a_neg = np.empty_like(x)
    for r in prange(n_regions):
        for y in range(n_years):
            k = cell(r, y, scope)
            for j in range(n_ind):
                v = x[r, y, j]
                dp = v - mx[k, j]
                dn = v - mn[k, j]
                a_pos[r, y, j] = dp * dp
                a_neg[r, y, j] = dn * dn
    return a_pos, a_neg


# --- batched normalizations: x3 (n_cells, n_rows, n_indicators), p = a * g(c) + b per column ---


def stats_needs(method, is_cost):
    """``(need_sq, need_inv, need_log)``: which sums :func:`cell_stats` must take for ``method``
    (``need_inv`` per column: the sums of ``1 / c`` of the cost columns of ``SUM``)."""
    any_cost = bool(np.any(is_cost))
    return method == VECTOR, np.asarray(is_cost, dtype=np.bool_) & (method == SUM and any_cost), method == LOG


#: Rows of a block that :func:`cell_stats` reads together: per column, the group's running min,
#: max and sums stay in registers (one load and store of the partials per group, not per row;
#: four rows beat eight here, whose min, max and three sums run out of vector registers).
STATS_GROUP = 4


@parallel_twin(error_model="numpy")
def cell_stats(x3, need_sq, need_inv, need_log):
    """Column statistics of every cell of a batch, parallel over (cell, block of rows) units.

    Parameters
    ----------
    x3 : float64 (n_cells, n_rows, n_indicators), C-contiguous.
    need_sq, need_log : bool, also take the sums of c^2, ln c (else 0).
    need_inv : bool (n_indicators,), the columns whose sums of 1/c are taken (else 0).

    Returns
    -------
    stats : float64 (n_cells, N_STATS, n_indicators)
        Rows ST_MIN, ST_MAX, ST_SUM, ST_SQ, ST_INV, ST_LOG. Within a block the rows are read
        ``STATS_GROUP`` at a time, column by column, each group's sums added to the block's;
        blocks are combined per cell in block order, so the sums do not depend on the thread
        count. A NaN or infinite value makes the sum non-finite (the API's finiteness check
        reads it).
    """
    n_cells, n, m = x3.shape
    rows, nb = block_rows(n, m)
    part = np.zeros((n_cells * nb, N_STATS, m))
    n_inv = 0
    for j in range(m):
        n_inv += need_inv[j]
    invs = np.empty(n_inv, dtype=np.int64)  # columns of the 1/c sums (divisions only there)
    q = 0
    for j in range(m):
        if need_inv[j]:
            invs[q] = j
            q += 1
    for u in prange(n_cells * nb):
        uu = np.int64(u)
        c = uu // nb
        i = (uu - c * nb) * rows
        end = min(n, i + rows)
        lo, hi, s1 = part[uu, ST_MIN], part[uu, ST_MAX], part[uu, ST_SUM]
        s2, si, sl = part[uu, ST_SQ], part[uu, ST_INV], part[uu, ST_LOG]
        for j in range(m):
            lo[j] = np.inf
            hi[j] = -np.inf
        if need_log:
            for r in range(i, end):
                for j in range(m):
                    v = x3[c, r, j]
                    sl[j] += math.log(v) if v > 0 else -np.inf
        while i < end:
            g = min(STATS_GROUP, end - i)
            if g == STATS_GROUP:  # constant trip count: unrolled, the partials in registers
                for j in range(m):
                    a = lo[j]
                    z = hi[j]
                    t = 0.0
                    for k in range(STATS_GROUP):
                        v = x3[c, i + k, j]
                        a = v if v < a else a
                        z = v if v > z else z
                        t += v
                    lo[j] = a
                    hi[j] = z
                    s1[j] += t
                if need_sq:
                    for j in range(m):
                        t = 0.0
                        for k in range(STATS_GROUP):
                            t += x3[c, i + k, j] * x3[c, i + k, j]
                        s2[j] += t
                for q in range(n_inv):
                    j = invs[q]
                    t = 0.0
                    for k in range(STATS_GROUP):
                        t += 1.0 / x3[c, i + k, j]
                    si[j] += t
            else:
                for k in range(i, i + g):
                    for j in range(m):
                        v = x3[c, k, j]
                        lo[j] = v if v < lo[j] else lo[j]
                        hi[j] = v if v > hi[j] else hi[j]
                        s1[j] += v
                        if need_sq:
                            s2[j] += v * v
                        if need_inv[j]:
                            si[j] += 1.0 / v
            i += g
    out = np.zeros((n_cells, N_STATS, m))
    for c in range(n_cells):
        for b in range(nb):
            q = part[c * nb + b]
            for j in range(m):
                out[c, ST_MIN, j] = q[ST_MIN, j] if b == 0 else min(out[c, ST_MIN, j], q[ST_MIN, j])
                out[c, ST_MAX, j] = q[ST_MAX, j] if b == 0 else max(out[c, ST_MAX, j], q[ST_MAX, j])
            for k in range(ST_SUM, N_STATS):
                for j in range(m):
                    out[c, k, j] += q[k, j]
    return out


@parallel_twin
def cell_centered_sq(x3, mean):
    """Sum of ``(c - mean)^2`` per (cell, column), ``mean`` (n_cells, m): the two-pass variance."""
    n_cells, n, m = x3.shape
    rows, nb = block_rows(n, m)
    nu = n_cells * nb
    part = np.zeros((nu, m))
    for u in prange(nu):
        uu = np.int64(u)
        c = uu // nb
        b = uu - c * nb
        for i in range(b * rows, min(n, (b + 1) * rows)):
            for j in range(m):
                d = x3[c, i, j] - mean[c, j]
                part[uu, j] += d * d
    out = np.zeros((n_cells, m))
    for c in range(n_cells):
        for b in range(nb):
            for j in range(m):
                out[c, j] += part[c * nb + b, j]
    return out


@njit(cache=True, error_model="numpy")
def linear_coefficients(stats, sd, is_cost, method, n_rows):
    """``(a, b, g)`` with ``p = a * g(c) + b`` for every column of every cell.

    Parameters
    ----------
    stats : float64 (n_cells, N_STATS, m), from :func:`cell_stats`.
    sd : float64 (n_cells, m), population sd (read for ZSCORE only).
    is_cost : bool (m,)
    method : int, any normalization code.
    n_rows : int, rows per cell (LOG cost divides by ``n_rows - 1``).

    Returns
    -------
    a, b : float64 (n_cells, m)
    g : int64 (m,), G_IDENTITY, G_RECIPROCAL (``1 / c``) or G_LOG (``ln c``).

    Notes
    -----
    Unlike :func:`matrix_coefficients`, constant columns are not special-cased (MINMAX / ZSCORE
    divide by 0 there; the API rejects them) and divisions become multiplications by a
    reciprocal, so values may differ from the formulas in the last bit.
    """
    n_cells, _, m = stats.shape
    a = np.ones((n_cells, m))
    b = np.zeros((n_cells, m))
    g = np.zeros(m, dtype=np.int64)
    for j in range(m):
        cost = is_cost[j]
        if (method == MAX_RATIO and cost) or (method == SUM and cost):
            g[j] = G_RECIPROCAL
        elif method == LOG:
            g[j] = G_LOG
        for c in range(n_cells):
            lo = stats[c, ST_MIN, j]
            hi = stats[c, ST_MAX, j]
            if method == MAX_RATIO:
                a[c, j] = lo if cost else 1.0 / hi
            elif method == MINMAX:
                d = 1.0 / (hi - lo)
                a[c, j] = -d if cost else d
                b[c, j] = hi * d if cost else -lo * d
            elif method == VECTOR:
                d = 1.0 / math.sqrt(stats[c, ST_SQ, j])
                a[c, j] = -d if cost else d
                b[c, j] = 1.0 if cost else 0.0
            elif method == ZSCORE:
                d = 1.0 / sd[c, j]
                mean = stats[c, ST_SUM, j] / n_rows
                a[c, j] = -d if cost else d
                b[c, j] = mean * d if cost else -mean * d
            elif method == SUM:
                a[c, j] = 1.0 / (stats[c, ST_INV, j] if cost else stats[c, ST_SUM, j])
            elif method == MAX:
                a[c, j] = -1.0 / hi if cost else 1.0 / hi
                b[c, j] = 1.0 if cost else 0.0
            else:  # LOG
                d = 1.0 / stats[c, ST_LOG, j]
                if cost:
                    e = 1.0 / (n_rows - 1)
                    a[c, j] = -d * e
                    b[c, j] = e
                else:
                    a[c, j] = d
    return a, b, g


def batched_coefficients(x3, is_cost, method):
    """:func:`cell_stats` then :func:`linear_coefficients` (the sd pass only for ZSCORE);
    returns ``(a, b, g)``. A Python dispatcher over njit kernels."""
    n = x3.shape[1]
    stats = cell_stats(x3, *stats_needs(method, is_cost))
    sd = np.ones((x3.shape[0], x3.shape[2]))
    if method == ZSCORE:
        sd = np.sqrt(cell_centered_sq(x3, stats[:, ST_SUM] / n) / n)
    return linear_coefficients(stats, sd, is_cost, method, n)


@njit(cache=True, inline="always")
def transform(v, g):
    """``g(v)``: v, 1 / v or ln v (-inf for v <= 0)."""
    if g == G_RECIPROCAL:
        return 1.0 / v
    if g == G_LOG:
        return math.log(v) if v > 0 else -np.inf
    return v


@parallel_twin(error_model="numpy")
def apply_linear(x3, a, b, g):
    """``p = a * g(c) + b`` per (cell, column) into a new (n_cells, n_rows, m) array, parallel
    over (cell, block of rows) units."""
    n_cells, n, m = x3.shape
    rows, nb = block_rows(n, m)
    p = np.empty_like(x3)
    plain = True
    for j in range(m):
        plain &= g[j] == G_IDENTITY
    for u in prange(n_cells * nb):
        uu = np.int64(u)
        c = uu // nb
        b0 = uu - c * nb
        for i in range(b0 * rows, min(n, (b0 + 1) * rows)):
            if plain:
                for j in range(m):
                    p[c, i, j] = a[c, j] * x3[c, i, j] + b[c, j]
            else:
                for j in range(m):
                    p[c, i, j] = a[c, j] * transform(x3[c, i, j], g[j]) + b[c, j]
    return p
