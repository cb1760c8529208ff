"""Vectorized NumPy baselines: the fair competitor for every fastinno kernel.

Written the way a competent user would with numpy broadcasting, no Python loops over the big axis.
(`tests/naive.py` holds the slow loop references used for correctness.)
"""

from __future__ import annotations

import numpy as np  # noqa: F401

# --- panels (issue 2) ---

# --- ideal-solution model (issue 3) ---


def hew_topsis(cube, is_cost, weights, groups, *, scope=0, method=0, form=0, years=None):
    """Vectorised numpy hierarchical ideal-solution model: index + sub-indices + growth.

    Standardize once over the scope (0 panel, 1 region, 2 year), squared deviations from the
    scope ideal / anti-ideal, one matmul with the squared weights of every model (overall + each
    group, weights renormalised in the group), the index form, then CAGR / y-o-y over ``years``.
    Returns ``(index (n_models, R, Y), cagr (n_models, R), mean_yoy (n_models, R))``.
    """
    axes = {0: (0, 1), 1: (1,), 2: (0,)}[scope]
    mn = cube.min(axis=axes, keepdims=True)
    mx = cube.max(axis=axes, keepdims=True)
    const = mn == mx
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == 0:
            x = np.where(is_cost, mn / cube, cube / mx)
        elif method == 1:
            x = np.where(is_cost, (mx - cube) / (mx - mn), (cube - mn) / (mx - mn))
        elif method == 2:
            norm = np.sqrt((cube * cube).sum(axis=axes, keepdims=True))
            x = np.where(is_cost, 1.0 - cube / norm, cube / norm)
        else:
            mean = cube.mean(axis=axes, keepdims=True)
            sd = cube.std(axis=axes, keepdims=True)
            x = np.where(is_cost, (mean - cube) / sd, (cube - mean) / sd)
    x = np.where(const, 0.0, x)
    a_pos = (x - x.max(axis=axes, keepdims=True)) ** 2
    a_neg = (x - x.min(axis=axes, keepdims=True)) ** 2
    n_ind = cube.shape[2]
    w2 = np.zeros((n_ind, 1 + len(groups)))
    w2[:, 0] = weights**2
    for m, g in enumerate(groups, start=1):
        w2[g, m] = (weights[g] / weights[g].sum()) ** 2
    d_pos2 = np.moveaxis(a_pos @ w2, 2, 0)
    d_neg2 = np.moveaxis(a_neg @ w2, 2, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if form == 0:
            f = d_neg2 / (d_pos2 + d_neg2)
        else:
            dn = np.sqrt(d_neg2)
            f = dn / (np.sqrt(d_pos2) + dn)
        years = np.arange(cube.shape[1], dtype=float) if years is None else np.asarray(years, dtype=float)
        dt = np.diff(years)
        span = years[-1] - years[0]
        base = np.where(f > 0, f, np.nan)  # zero base: growth undefined (NaN), as in fastinno
        cagr = (f[..., -1] / base[..., 0]) ** (1.0 / span) - 1.0
        yoy = (f[..., 1:] / base[..., :-1]) ** (1.0 / dt) - 1.0
        mean_yoy = (yoy * dt).sum(axis=-1) / span
    return f, cagr, mean_yoy


# --- combined evaluation (issue 4) ---

# --- DEMATEL and GM(1,1) (issue 5) ---


def total_relation_matrix(n_mat):
    """T = N (I - N)^-1 = (I - N)^-1 - I with one ``numpy.linalg.solve`` (LAPACK gesv)."""
    n = n_mat.shape[0]
    eye = np.eye(n)
    t = np.linalg.solve(eye - n_mat, eye)
    t[np.diag_indices(n)] -= 1.0
    return t


def bootstrap_experts_loop(crisp, w, draws, normalization="row"):
    """Expert bootstrap as a user writes it: a Python loop over resamples, numpy inside.

    crisp (K, n, n) per-expert crisp matrices, w (K,) weights, draws (B, K) expert indices.
    Returns R, C (B, n).
    """
    b_count, _ = draws.shape
    n = crisp.shape[1]
    eye = np.eye(n)
    r = np.empty((b_count, n))
    c = np.empty((b_count, n))
    for q in range(b_count):
        idx = draws[q]
        ww = w[idx] / w[idx].sum()
        z = np.tensordot(ww, crisp[idx], axes=1)
        np.fill_diagonal(z, 0.0)
        s = z.sum(axis=1).max()
        if normalization == "max":
            s = max(s, z.sum(axis=0).max())
        t = np.linalg.solve(eye - z / s, eye) - eye
        r[q] = t.sum(axis=1)
        c[q] = t.sum(axis=0)
    return r, c


def gm11_batch(x0, horizon):
    """GM(1,1) for many equal-length series at once with numpy broadcasting.

    Returns a, b (n_series,), fitted (n_series, n), forecast (n_series, horizon).
    """
    n = x0.shape[1]
    x1 = np.cumsum(x0, axis=1)
    z = 0.5 * x1[:, 1:] + 0.5 * x1[:, :-1]
    y = x0[:, 1:]
    zc = z - z.mean(axis=1, keepdims=True)
    slope = (zc * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (zc * zc).sum(axis=1)
    a = -slope
    b = y.mean(axis=1) - slope * z.mean(axis=1)
    k = np.arange(n + horizon)
    ba = (b / a)[:, None]
    x1hat = (x0[:, :1] - ba) * np.exp(-a[:, None] * k) + ba
    x0hat = np.empty_like(x1hat)
    x0hat[:, 0] = x0[:, 0]
    x0hat[:, 1:] = np.diff(x1hat, axis=1)
    return a, b, x0hat[:, :n], x0hat[:, n:]

# --- robustness (issue 6) ---
