"""Vectorized NumPy baselines: the fair competitor for every fastinno kernel.

Written the way a competent user would with numpy broadcasting, no Python loops over the big axis.
(`tests/naive.py` holds the slow loop references used for correctness.)
"""

from __future__ import annotations

import numpy as np  # noqa: F401

# --- panels (issue 2) ---

# --- ideal-solution model (issue 3) ---

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
