"""Slow, obviously-correct references: loops written straight from the formulas, never optimised.

Every kernel in ``fastinno/kernels`` is tested against a function here at rtol 1e-12.
"""

from __future__ import annotations

import math  # noqa: F401

import numpy as np  # noqa: F401

# --- ideal-solution model (issue 3) ---


def _scope_cells(n_regions, n_years, scope):
    """List of (region index list, year index list) per scope cell: 0 panel, 1 region, 2 year."""
    if scope == 1:
        return [([r], list(range(n_years))) for r in range(n_regions)]
    if scope == 2:
        return [(list(range(n_regions)), [y]) for y in range(n_years)]
    return [(list(range(n_regions)), list(range(n_years)))]


def standardize_cube(cube, is_cost, method, scope):
    """Loop reference: 0 max-ratio, 1 min-max, 2 vector (cost 1 - r), 3 z-score (ddof 0).

    Constant cells (max = min within the scope cell) give 0.
    """
    cube = np.asarray(cube, dtype=float)
    n_regions, n_years, n_ind = cube.shape
    out = np.zeros_like(cube)
    for regions, years in _scope_cells(n_regions, n_years, scope):
        for j in range(n_ind):
            vals = [cube[r, y, j] for r in regions for y in years]
            mn, mx = min(vals), max(vals)
            norm = math.sqrt(sum(v * v for v in vals))
            mean = sum(vals) / len(vals)
            sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
            for r in regions:
                for y in years:
                    c = cube[r, y, j]
                    if mn == mx:
                        x = 0.0
                    elif method == 0:
                        x = mn / c if is_cost[j] else c / mx
                    elif method == 1:
                        x = (mx - c) / (mx - mn) if is_cost[j] else (c - mn) / (mx - mn)
                    elif method == 2:
                        x = 1 - c / norm if is_cost[j] else c / norm
                    else:
                        x = (mean - c) / sd if is_cost[j] else (c - mean) / sd
                    out[r, y, j] = x
    return out


def ideal_solution_distances(x, w, scope):
    """d+ and d- (regions, years): sqrt(sum_j w_j^2 (x - max)^2), min likewise, over the scope."""
    n_regions, n_years, n_ind = x.shape
    d_pos = np.zeros((n_regions, n_years))
    d_neg = np.zeros((n_regions, n_years))
    for regions, years in _scope_cells(n_regions, n_years, scope):
        ideal = [max(x[r, y, j] for r in regions for y in years) for j in range(n_ind)]
        anti = [min(x[r, y, j] for r in regions for y in years) for j in range(n_ind)]
        for r in regions:
            for y in years:
                d_pos[r, y] = math.sqrt(
                    sum(w[j] ** 2 * (x[r, y, j] - ideal[j]) ** 2 for j in range(n_ind))
                )
                d_neg[r, y] = math.sqrt(
                    sum(w[j] ** 2 * (x[r, y, j] - anti[j]) ** 2 for j in range(n_ind))
                )
    return d_pos, d_neg


def ideal_solution_index(d_pos, d_neg, form):
    """0 ratio2: 1 / (1 + (d+/d-)^2); 1 closeness: d- / (d+ + d-). d- = 0 -> 0, d+ = 0 -> 1, both NaN."""
    d_pos = np.asarray(d_pos, dtype=float)
    d_neg = np.asarray(d_neg, dtype=float)
    out = np.empty(d_pos.shape)
    for i in np.ndindex(d_pos.shape):
        p, n = d_pos[i], d_neg[i]
        if p == 0 and n == 0:
            out[i] = np.nan
        elif n == 0:
            out[i] = 0.0
        elif p == 0:
            out[i] = 1.0
        elif form == 0:
            out[i] = 1.0 / (1.0 + (p / n) ** 2)
        else:
            out[i] = n / (p + n)
    return out


def hew_topsis_cube(cube, is_cost, method, scope, w, form):
    """The whole model on the indicators where ``w`` is given: standardize, distances, index."""
    x = standardize_cube(cube, is_cost, method, scope)
    d_pos, d_neg = ideal_solution_distances(x, w, scope)
    return ideal_solution_index(d_pos, d_neg, form)


def growth_rates(f, years):
    """CAGR over the true span, year-weighted mean of annualised y-o-y rates, y-o-y table."""
    f = np.asarray(f, dtype=float)
    n, n_years = f.shape
    cagr = np.full(n, np.nan)
    mean_yoy = np.full(n, np.nan)
    yoy = np.full((n, n_years), np.nan)
    if n_years < 2:
        return cagr, mean_yoy, yoy
    span = years[-1] - years[0]
    for i in range(n):
        for t in range(1, n_years):
            if f[i, t - 1] > 0 and f[i, t] >= 0:
                yoy[i, t] = (f[i, t] / f[i, t - 1]) ** (1.0 / (years[t] - years[t - 1])) - 1
        mean_yoy[i] = sum((years[t] - years[t - 1]) * yoy[i, t] for t in range(1, n_years)) / span
        if f[i, 0] > 0 and f[i, -1] >= 0:
            cagr[i] = (f[i, -1] / f[i, 0]) ** (1.0 / span) - 1
    return cagr, mean_yoy, yoy


def topsis_matrix(p, w, form):
    """2-D TOPSIS on normalized p: v = w p, ideal = column max, anti = column min; (index, d+, d-)."""
    p = np.asarray(p, dtype=float)
    n, m = p.shape
    v = [[w[j] * p[i, j] for j in range(m)] for i in range(n)]
    hi = [max(v[i][j] for i in range(n)) for j in range(m)]
    lo = [min(v[i][j] for i in range(n)) for j in range(m)]
    d_pos = np.array([math.sqrt(sum((v[i][j] - hi[j]) ** 2 for j in range(m))) for i in range(n)])
    d_neg = np.array([math.sqrt(sum((v[i][j] - lo[j]) ** 2 for j in range(m))) for i in range(n)])
    return ideal_solution_index(d_pos, d_neg, form), d_pos, d_neg


# --- combined evaluation (issue 4) ---

# --- DEMATEL and GM(1,1) (issue 5) ---

# --- robustness (issue 6) ---
