"""Vectorized NumPy baselines: the fair competitor for every fastinno kernel.

Written the way a competent user would with numpy broadcasting, no Python loops over the big axis.
(`tests/naive.py` holds the slow loop references used for correctness.)
"""

from __future__ import annotations

import numpy as np  # noqa: F401

# --- panels ---

# --- ideal-solution model ---


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


# --- matrix toolbox (normalisation, entropy weights, TOPSIS) ---


def normalize_minmax(x, is_cost):
    """Min-max (efficacy coefficient) normalisation of every column: cost (max - v)/(max - min)."""
    mn = x.min(axis=0)
    mx = x.max(axis=0)
    return np.where(is_cost, mx - x, x - mn) / (mx - mn)


def entropy_weights(p):
    """Entropy weights of a non-negative matrix: f = p / sum, h = -sum f ln f / ln n."""
    f = p / p.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        flf = np.where(f > 0, f * np.log(f), 0.0)
    h = -flf.sum(axis=0) / np.log(p.shape[0])
    d = 1.0 - h
    return d / d.sum()


def topsis_closeness(p, w):
    """TOPSIS closeness d- / (d+ + d-) of the weighted matrix r = w p, column max / min ideals."""
    r = p * w
    dp = np.sqrt(((r - r.max(axis=0)) ** 2).sum(axis=1))
    dn = np.sqrt(((r - r.min(axis=0)) ** 2).sum(axis=1))
    return dn / (dp + dn)


def entropy_topsis(x, is_cost):
    """Min-max normalisation, entropy weights, TOPSIS closeness: ``(weights, closeness)``."""
    p = normalize_minmax(x, is_cost)
    w = entropy_weights(p)
    return w, topsis_closeness(p, w)


# --- combined evaluation ---


def max_deviation_weights(v):
    """Vectorised O(n log n): sort every column, weighted sum with (2i - n + 1)."""
    n = v.shape[0]
    s = np.sort(v, axis=0)
    d = 2.0 * ((2.0 * np.arange(n) - n + 1.0) @ s)
    return d / d.sum()


def max_deviation_weights_quadratic(v):
    """The textbook O(n^2) pairwise form, broadcasting one column at a time (memory n^2)."""
    d = np.array([np.abs(v[:, j, None] - v[None, :, j]).sum() for j in range(v.shape[1])])
    return d / d.sum()


def average_ranks(x, axis=-1):
    """Average ranks along ``axis`` in numpy (argsort + tie groups), like scipy's rankdata."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    n = x.shape[-1]
    o = np.argsort(x, axis=-1, kind="stable")
    s = np.take_along_axis(x, o, axis=-1)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    pos = np.arange(1, n + 1, dtype=np.float64)
    # group start (1-based) and end positions via running max / reversed running min
    start = np.maximum.accumulate(np.where(new, pos, 0.0), axis=-1)
    end_flag = np.ones(s.shape, dtype=bool)
    end_flag[..., :-1] = new[..., 1:]
    end = np.flip(np.minimum.accumulate(np.flip(np.where(end_flag, pos, np.inf), -1), axis=-1), -1)
    r_sorted = 0.5 * (start + end)
    out = np.empty_like(r_sorted)
    np.put_along_axis(out, o, r_sorted, axis=-1)
    return np.moveaxis(out, -1, axis)


def _tie_group_sizes(s):
    """Size of the tie group of every element of arrays sorted along the last axis."""
    n = s.shape[-1]
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    pos = np.arange(1, n + 1, dtype=np.float64)
    start = np.maximum.accumulate(np.where(new, pos, 0.0), axis=-1)
    end_flag = np.ones(s.shape, dtype=bool)
    end_flag[..., :-1] = new[..., 1:]
    end = np.flip(np.minimum.accumulate(np.flip(np.where(end_flag, pos, np.inf), -1), axis=-1), -1)
    return end - start + 1.0


def spearman(a, b):
    """Pearson correlation of numpy average ranks."""
    ra = average_ranks(a)
    rb = average_ranks(b)
    return np.corrcoef(ra, rb)[0, 1]


def spearman_many_loop(x, base):
    """A Python loop over rows: numpy ranks + np.corrcoef per row (what users write)."""
    rb = average_ranks(base)
    out = np.empty(x.shape[0])
    for k in range(x.shape[0]):
        out[k] = np.corrcoef(average_ranks(x[k]), rb)[0, 1]
    return out


def _corr_from_ranks(r):
    """(..., k, n) ranks -> (..., k, k) Pearson matrices."""
    rc = r - r.mean(axis=-1, keepdims=True)
    cov = np.einsum("...kn,...ln->...kl", rc, rc)
    d = np.sqrt(np.einsum("...kk->...k", cov))
    return cov / (d[..., :, None] * d[..., None, :])


def combined_evaluation(cube, is_cost, dims, rho=0.5, alpha=0.05):
    """Vectorised numpy combined evaluation per year (Xia, Li, Yin 2020), all cells.

    cube (n, T, m); dims: list of index arrays (the whole index first). Per dimension, every year
    at once: efficacy coefficient, entropy and max-deviation weights, the four scores, average
    ranks, Spearman matrices with p-values, Kendall's W, the compatible set (all pairs
    significant, else greedy) and the drift-degree combination.
    Returns scores (n_dims, T, 4, n) and combined (n_dims, T, n).
    """
    from scipy import stats

    n, t_, _ = cube.shape
    all_scores, all_comb = [], []
    for idx in dims:
        x = cube[:, :, idx]
        mn = x.min(axis=0)
        mx = x.max(axis=0)
        p = np.where(is_cost[idx], mx - x, x - mn) / (mx - mn)
        f = p / p.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            flf = np.where(f > 0, f * np.log(f), 0.0)
        h = -flf.sum(axis=0) / np.log(n)
        we = (1.0 - h) / (1.0 - h).sum(axis=1, keepdims=True)
        s = np.sort(p, axis=0)
        dd = 2.0 * np.einsum("i,itj->tj", 2.0 * np.arange(n) - n + 1.0, s)
        wm = dd / dd.sum(axis=1, keepdims=True)
        s_e = np.einsum("itj,tj->ti", p, we)
        s_m = np.einsum("itj,tj->ti", p, wm)
        r = p * we
        dp = np.sqrt(((r - r.max(axis=0)) ** 2).sum(axis=2))
        dn = np.sqrt(((r - r.min(axis=0)) ** 2).sum(axis=2))
        s_t = (dn / (dp + dn)).T
        delta = p.max(axis=0) - p
        dmin = delta.min(axis=(0, 2))[None, :, None]
        dmax = delta.max(axis=(0, 2))[None, :, None]
        xi = (dmin + rho * dmax) / (delta + rho * dmax)
        s_g = np.einsum("itj,tj->ti", xi, we)
        sc = np.stack([s_e, s_m, s_t, s_g], axis=1)  # (T, 4, n)
        rk = average_ranks(-sc, axis=-1)
        cm = _corr_from_ranks(rk)
        df = n - 2
        with np.errstate(divide="ignore", invalid="ignore"):
            tt = cm * np.sqrt(df / ((1.0 - cm) * (1.0 + cm)))
        pv = 2.0 * stats.t.sf(np.abs(tt), df)
        # Kendall's W with tie correction
        k = sc.shape[1]
        rs = rk.sum(axis=1)
        ssq = ((rs - rs.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        size = _tie_group_sizes(np.sort(rk, axis=-1))
        ties = (size**2 - 1.0).sum(axis=-1)  # sum over groups of t^3 - t
        w_k = 12.0 * ssq / (k * k * (n**3 - n) - k * ties.sum(axis=1))
        stats.chi2.sf(k * (n - 1) * w_k, n - 1)
        ok = (pv < alpha) & (cm > 0)
        keep = np.ones((t_, k), dtype=bool)
        for q in np.flatnonzero(~ok.all(axis=(1, 2))):  # greedy removal only where needed
            kp = np.ones(k, dtype=bool)
            o = ok[q].copy()
            np.fill_diagonal(o, True)
            while kp.sum() > 2 and (~o[np.ix_(kp, kp)]).any():
                fails = np.where(kp, (~o & kp[None, :]).sum(axis=1), -1)
                kp[np.argmax(fails)] = False
            keep[q] = kp
        ref = (sc * keep[:, :, None]).sum(axis=1) / keep.sum(axis=1)[:, None]
        rref = average_ranks(-ref, axis=-1)
        rc = rk - (n + 1) / 2.0
        rr = rref - (n + 1) / 2.0
        rj = np.einsum("tkn,tn->tk", rc, rr) / np.sqrt((rc**2).sum(-1) * (rr**2).sum(-1)[:, None])
        drift = np.where(keep, 1.0 - rj, np.nan)
        lo = np.nanmin(drift, axis=1, keepdims=True)
        hi = np.nanmax(drift, axis=1, keepdims=True)
        g = np.where(keep, lo + hi - drift, 0.0)
        tot = g.sum(axis=1, keepdims=True)
        eq = (hi - lo) <= 1e-12
        w = np.where(eq, keep / keep.sum(axis=1, keepdims=True), g / np.where(tot > 0, tot, 1.0))
        all_comb.append(np.einsum("tk,tkn->tn", w, sc))
        all_scores.append(sc)
    return np.stack(all_scores), np.stack(all_comb)

# --- DEMATEL and GM(1,1) ---


def total_relation_matrix(n_mat):
    """T = N (I - N)^-1 = (I - N)^-1 - I with one ``numpy.linalg.solve`` (LAPACK gesv)."""
    n = n_mat.shape[0]
    eye = np.eye(n)
    t = np.linalg.solve(eye - n_mat, eye)
    t[np.diag_indices(n)] -= 1.0
    return t


def dematel(z):
    """Plain DEMATEL in numpy: N = Z / max row sum, T = solve(I - N, N), R = T 1, C = 1^T T."""
    n_mat = z / z.sum(axis=1).max()
    t = np.linalg.solve(np.eye(z.shape[0]) - n_mat, n_mat)
    return t, t.sum(axis=1), t.sum(axis=0)


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

# --- robustness ---


def numpy_standardize_max_ratio(cube, is_cost):
    """Max-ratio standardization over the whole panel (benefit c / max, cost min / c)."""
    mx = cube.max(axis=(0, 1))
    mn = cube.min(axis=(0, 1))
    return np.where(is_cost, mn / cube, cube / mx)


def monte_carlo_ranks(x, w, top_k=(1, 3, 10), qs=(0.05, 0.5, 0.95), distances="matmul", chunk=32):
    """Weight Monte Carlo of the ideal-solution model (ratio2 form), per-year ranks, summary.

    ``distances="matmul"``, the best vectorised numpy version: ideal points once, squared
    distances of all draws as one matmul per year (d^2 = A @ (w^2)^T, the algebra fastinno uses),
    ratio index, ``argsort`` ranks of every draw, exact quantiles with ``np.quantile`` over the
    stored (draws, regions) matrices. ``distances="broadcast"``: what a user writes without that
    algebra, numpy broadcasting: the weighted deviations of ``chunk`` draws at a time as a (chunk, regions, indicators) array, squared and summed.

    x : standardized cube (R, Y, J); w : (N, J) weight draws. Returns a dict of (Y, R) arrays and
    (Y,) agreement arrays (rho against the base = mean weights is not needed: base given by w0).
    """
    n_regions, n_years, _ = x.shape
    ideal = x.max(axis=(0, 1))
    anti = x.min(axis=(0, 1))
    w2 = w * w
    out = {}
    for y in range(n_years):
        if distances == "matmul":
            a_pos = (x[:, y, :] - ideal) ** 2
            a_neg = (x[:, y, :] - anti) ** 2
            dp = w2 @ a_pos.T
            dn = w2 @ a_neg.T
        else:
            dp = np.empty((w.shape[0], n_regions))
            dn = np.empty((w.shape[0], n_regions))
            for c in range(0, w.shape[0], chunk):
                wc = w[c : c + chunk, None, :]
                dp[c : c + chunk] = ((wc * (x[None, :, y, :] - ideal)) ** 2).sum(axis=-1)
                dn[c : c + chunk] = ((wc * (x[None, :, y, :] - anti)) ** 2).sum(axis=-1)
        idx = dn / (dp + dn)
        order = np.argsort(-idx, axis=1)
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(1, n_regions + 1)[None, :], axis=1)
        base = ranks[0]  # the first draw serves as the base ranking here
        rc = ranks - (n_regions + 1) / 2.0
        bc = base - (n_regions + 1) / 2.0
        rho = (rc @ bc) / np.sqrt((rc * rc).sum(axis=1) * (bc * bc).sum())
        res = {
            "mean_index": idx.mean(axis=0),
            "mean_rank": ranks.mean(axis=0),
            "spearman_rho_mean": rho.mean(),
            "spearman_rho_p05": np.quantile(rho, 0.05),
            "shift": np.abs(ranks - base).mean(),
        }
        for q, v in zip(qs, np.quantile(idx, qs, axis=0)):
            res[f"index_q{q}"] = v
        for q, v in zip(qs, np.quantile(ranks, qs, axis=0)):
            res[f"rank_q{q}"] = v
        for k in top_k:
            res[f"p_top_{k}"] = (ranks <= k).mean(axis=0)
        out[y] = res
    return out


def bootstrap_regions_loop(cube, is_cost, idx):
    """Region bootstrap of the entropy-weighted ideal-solution model (max-ratio, panel scope).

    A numpy loop over replicates (each replicate vectorised): standardize with the resample's
    max / min, entropy weights on the pooled resample, index of every original cell, per-year
    ``argsort`` ranks. idx : (B, R) resampled region indices. Returns (index (B, Y, R), weights
    (B, J), ranks (B, Y, R)).
    """
    n_rep = idx.shape[0]
    n_regions, n_years, n_ind = cube.shape
    out_i = np.empty((n_rep, n_years, n_regions))
    out_w = np.empty((n_rep, n_ind))
    out_r = np.empty((n_rep, n_years, n_regions), dtype=np.int64)
    for b in range(n_rep):
        sample = cube[idx[b]]
        mx = sample.max(axis=(0, 1))
        mn = sample.min(axis=(0, 1))
        xs = np.where(is_cost, mn / sample, sample / mx).reshape(-1, n_ind)
        f = xs / xs.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.where(f > 0, f * np.log(f), 0.0).sum(axis=0) / np.log(xs.shape[0])
        d = np.maximum(1.0 - h, 0.0)
        w = d / d.sum()
        x = np.where(is_cost, mn / cube, cube / mx)
        ideal = np.where(is_cost, 1.0, 1.0)
        anti = np.where(is_cost, mn / mx, mn / mx)
        w2 = w * w
        dp = ((x - ideal) ** 2) @ w2
        dn = ((x - anti) ** 2) @ w2
        f_idx = (dn / (dp + dn)).T  # (Y, R)
        order = np.argsort(-f_idx, axis=1)
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(1, n_regions + 1)[None, :], axis=1)
        out_i[b] = f_idx
        out_w[b] = w
        out_r[b] = ranks
    return out_i, out_w, out_r


# --- regional disparities ---


def _pair_parts(a, b):
    """sum_{i,r} (a_i - b_r)^+ and (b_r - a_i)^+ for sorted a, b (searchsorted + prefix sums)."""
    cb = np.concatenate([[0.0], np.cumsum(b)])
    c = np.searchsorted(b, a, side="right")
    s = cb[c]
    pos = float((a * c - s).sum())
    neg = float(((cb[-1] - s) - a * (len(b) - c)).sum())
    return pos, neg


def inequality_year(y, codes, k):
    """The nine measures of ``fastinno.kernels.inequality.year_stats`` for one year, with numpy:
    CV, Gini, Theil T, Theil L, Theil within / between, Dagum within / net between /
    transvariation (Dagum 1997), pair sums by sorting."""
    n, m = len(y), y.mean()
    groups = [np.sort(y[codes == j]) for j in range(k)]
    nj = np.array([len(g) for g in groups], dtype=float)
    mj = np.array([g.mean() for g in groups])
    sj = nj * mj / (n * m)
    pj = nj / n
    r = y / m
    out = np.empty(9)
    out[0] = y.std() / m
    out[2] = float(np.mean(r * np.log(r)))
    out[3] = float(np.mean(-np.log(r)))
    tj = np.array([np.mean((g / mu) * np.log(g / mu)) for g, mu in zip(groups, mj)])
    out[4] = float((sj * tj).sum())
    out[5] = float((sj * np.log(mj / m)).sum())
    within = np.array([2.0 * ((2.0 * np.arange(len(g)) - len(g) + 1.0) * g).sum() for g in groups])
    gjj = within / (2.0 * nj**2 * mj)
    out[6] = float((gjj * pj * sj).sum())
    total = within.sum()
    nb = t = 0.0
    for j in range(k):
        for h in range(j + 1, k):
            pos, neg = _pair_parts(groups[j], groups[h])
            total += 2.0 * (pos + neg)
            gjh = (pos + neg) / (nj[j] * nj[h] * (mj[j] + mj[h]))
            gross, trans = (pos, neg) if mj[j] >= mj[h] else (neg, pos)
            d = (gross - trans) / (gross + trans) if gross + trans > 0 else 0.0
            wt = gjh * (pj[j] * sj[h] + pj[h] * sj[j])
            nb += wt * d
            t += wt * (1.0 - d)
    out[1] = total / (2.0 * n * n * m)
    out[7] = nb
    out[8] = t
    return out


def inequality_panel(values, codes, k):
    """``inequality_year`` of every column of ``values`` (regions x years): (years, 9)."""
    return np.array([inequality_year(values[:, t], codes, k) for t in range(values.shape[1])])


def bootstrap_inequality_loop(values, codes, k, counts):
    """``inequality_panel`` of each resample given by multiplicities (n_rep, regions)."""
    out = []
    for c in counts:
        idx = np.repeat(np.arange(values.shape[0]), c.astype(np.int64))
        out.append(inequality_panel(values[idx], codes[idx], k))
    return np.array(out)
# --- compromise and outranking methods ---


def vikor(x, w, is_cost, v=0.5):
    """VIKOR Q (constant S / R term 0), numpy broadcasting."""
    best = np.where(is_cost, x.min(axis=0), x.max(axis=0))
    worst = np.where(is_cost, x.max(axis=0), x.min(axis=0))
    span = best - worst
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(span != 0, w * ((best - x) / span), 0.0)
    s = t.sum(axis=1)
    r = t.max(axis=1)
    ds = s.max() - s.min()
    dr = r.max() - r.min()
    qs = (s - s.min()) / ds if ds > 0 else 0.0
    qr = (r - r.min()) / dr if dr > 0 else 0.0
    return v * qs + (1 - v) * qr


def promethee_ii(x, w, is_cost, preference="usual", q=None, p=None):
    """PROMETHEE II net flow for types I-V: per indicator, sort + searchsorted + prefix sums
    (the n x n tables do not fit at 60,000 alternatives)."""
    n, m = x.shape
    y = np.where(is_cost, -x, x)
    net = np.zeros(n)
    for j in range(m):
        col = y[:, j]
        ys = np.sort(col)
        pre = np.concatenate([[0.0], np.cumsum(ys - ys[0])])
        qq, pp = {"usual": (0.0, 0.0), "u_shape": (q[j] if q is not None else 0.0,) * 2, "v_shape": (0.0, p[j] if p is not None else 0.0)}.get(
            preference, (q[j] if q is not None else 0.0, p[j] if p is not None else 0.0))
        f1 = np.searchsorted(ys, col - pp, side="left")  # d > p below
        f2 = np.searchsorted(ys, col - qq, side="left")
        g1 = np.searchsorted(ys, col + pp, side="right")  # d > p above
        g2 = np.searchsorted(ys, col + qq, side="right")
        up = f1.astype(float)
        down = (n - g1).astype(float)
        if preference == "level":
            up += 0.5 * (f2 - f1)
            down += 0.5 * (g1 - g2)
        elif preference in ("v_shape", "linear"):
            yc = col - ys[0]
            up += ((f2 - f1) * (yc - qq) - (pre[f2] - pre[f1])) / (pp - qq)
            down += ((pre[g1] - pre[g2]) - (g1 - g2) * (yc + qq)) / (pp - qq)
        net += w[j] * (up - down)
    return net / (n - 1)


def edas(x, w, is_cost):
    av = x.mean(axis=0)
    d = (x - av) / av
    d = np.where(is_cost, -d, d)
    sp = (w * np.maximum(d, 0)).sum(axis=1)
    sn = (w * np.maximum(-d, 0)).sum(axis=1)
    return (sp / sp.max() + 1 - sn / sn.max()) / 2


def codas(x, w, is_cost, tau=0.02):
    """CODAS with the paper's linear normalization; H through sort + searchsorted + cumsum."""
    n = x.shape[0]
    r = w * np.where(is_cost, x.min(axis=0) / x, x / x.max(axis=0))
    d = r - r.min(axis=0)
    e = np.sqrt((d * d).sum(axis=1))
    t = d.sum(axis=1)
    order = np.argsort(e)
    es, ts = e[order], t[order]
    pre = np.concatenate([[0.0], np.cumsum(ts)])
    lo = np.searchsorted(es, es - tau, side="right")
    hi = np.searchsorted(es, es + tau, side="left")
    h = np.empty(n)
    h[order] = (n * es - es.sum()) + (lo + n - hi) * ts - (pre[lo] + pre[n] - pre[hi])
    return h


def spotis(x, w, is_cost):
    lo, hi = x.min(axis=0), x.max(axis=0)
    ideal = np.where(is_cost, lo, hi)
    return (np.abs(x - ideal) / (hi - lo) * w).sum(axis=1)


def marcos(x, w, is_cost):
    lo, hi = x.min(axis=0), x.max(axis=0)
    n_ = np.where(is_cost, lo / x, x / hi)
    s = (w * n_).sum(axis=1)
    s_aai = (w * np.where(is_cost, lo / hi, lo / hi)).sum()
    s_ai = w.sum()
    kn_, kp = s / s_aai, s / s_ai
    fp, fn = kn_ / (kp + kn_), kp / (kp + kn_)
    return (kp + kn_) / (1 + (1 - fp) / fp + (1 - fn) / fn)


def cocoso(x, w, is_cost, lam=0.5):
    lo, hi = x.min(axis=0), x.max(axis=0)
    r = np.where(is_cost, (hi - x) / (hi - lo), (x - lo) / (hi - lo))
    s = (r * w).sum(axis=1)
    p = (r**w).sum(axis=1)
    ka = (p + s) / (p + s).sum()
    kb = s / s.min() + p / p.min()
    kc = (lam * s + (1 - lam) * p) / (lam * s.max() + (1 - lam) * p.max())
    return (ka * kb * kc) ** (1 / 3) + (ka + kb + kc) / 3
# --- method comparison ---


def _minmax_cols(x, is_cost):
    mn = x.min(axis=0)
    mx = x.max(axis=0)
    return np.where(is_cost, (mx - x) / (mx - mn), (x - mn) / (mx - mn))


def _vector_cols(x, is_cost):
    r = x / np.sqrt((x * x).sum(axis=0))
    return np.where(is_cost, 1.0 - r, r)


def _entropy_w(x, is_cost):
    p = _minmax_cols(x, is_cost)
    f = p / p.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(f > 0, f * np.log(f), 0.0).sum(axis=0) / np.log(x.shape[0])
    d = np.maximum(1.0 - h, 0.0)
    return d / d.sum()


def compare_methods(cube, is_cost, configs):
    """Vectorised numpy / scipy loop of a method comparison by year.

    ``configs``: (method, weights, normalize) with method in {"topsis", "gra"}, weights in
    {"equal", "entropy"}, normalize in {"vector", "minmax"}. Returns (kendall_w (Y,),
    mean Spearman (Y,), reversal shares (Y, pairs) in the order of ``np.triu_indices(k, 1)``).
    """
    import scipy.stats as ss

    n_r, n_y, m = cube.shape
    k = len(configs)
    ia, ib = np.triu_indices(k, 1)
    w_out, s_out, rev = np.empty(n_y), np.empty(n_y), np.empty((n_y, ia.size))
    for t in range(n_y):
        x = cube[:, t, :]
        ranks = np.empty((k, n_r))
        for q, (method, weights, norm) in enumerate(configs):
            w = np.full(m, 1.0 / m) if weights == "equal" else _entropy_w(x, is_cost)
            p = _vector_cols(x, is_cost) if norm == "vector" else _minmax_cols(x, is_cost)
            if method == "topsis":
                v = p * w
                dp = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
                dn = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
                s = dn / (dp + dn)
            else:
                d = p.max(axis=0) - p
                s = ((d.min() + 0.5 * d.max()) / (d + 0.5 * d.max())) @ w
            ranks[q] = ss.rankdata(-s)
        c = np.corrcoef(ranks)
        s_out[t] = c[~np.eye(k, dtype=bool)].mean()
        rs = ranks.sum(axis=0)
        w_out[t] = 12.0 * ((rs - rs.mean()) ** 2).sum() / (k * k * (n_r**3 - n_r))
        for j, (a, b) in enumerate(zip(ia, ib)):
            tau = ss.kendalltau(ranks[a], ranks[b]).statistic  # no ties: discordant = (1 - tau) n0 / 2
            rev[t, j] = (1.0 - tau) / 2.0
    return w_out, s_out, rev
# --- spatial structure: Moran's I and local Moran ---


def csr_lag(z, indptr, indices, weights):
    """(W z) for CSR weights without islands (np.add.reduceat over each row's links); z (..., n, m)."""
    return np.add.reduceat(weights[:, None] * z[..., indices, :], indptr[:-1], axis=-2)


def moran_lisa(values, indptr, indices, weights, permutations, seed, block=64):
    """Global Moran's I and local Moran with folded permutation pseudo p-values, vectorised numpy.

    values (n, m): one column per year. Global: blocks of ``block`` permutations as one
    (block, n, m) gather and one reduceat lag. Local: esda's conditional scheme, one draw of
    ``max_card`` slot indices among the n - 1 other regions per permutation shared by all regions,
    gathered as (n, block, max_card) per year. Returns (I (m,), p (m,), local_i (n, m), p_local (n, m)).
    """
    rng = np.random.default_rng(seed)
    n, m = values.shape
    s0 = weights.sum()
    z = values - values.mean(axis=0)
    z2 = (z * z).sum(axis=0)
    num = (z * csr_lag(z, indptr, indices, weights)).sum(axis=0)
    i_glob = n / s0 * num / z2
    count = np.zeros(m, dtype=np.int64)
    for start in range(0, permutations, block):
        b = min(block, permutations - start)
        perms = rng.permuted(np.tile(np.arange(n), (b, 1)), axis=1)
        zp = z[perms]  # (b, n, m)
        count += ((zp * csr_lag(zp, indptr, indices, weights)).sum(axis=1) >= num).sum(axis=0)
    p_glob = (np.minimum(count, permutations - count) + 1.0) / (permutations + 1.0)

    zs = z / values.std(axis=0)
    lag = csr_lag(zs, indptr, indices, weights)
    local_i = (n - 1) * zs * lag / (zs * zs).sum(axis=0)
    card = np.diff(indptr)
    max_card = card.max()
    slot_w = np.zeros((n, max_card))  # weight of slot s of region i (0 past its cardinality)
    pos = np.arange(max_card)[None, :] < card[:, None]
    slot_w[pos] = weights
    obs = zs * lag
    count_l = np.zeros((n, m), dtype=np.int64)
    rows = np.arange(n)[:, None, None]
    for start in range(0, permutations, block):
        b = min(block, permutations - start)
        slots = np.argsort(rng.random((b, n - 1)), axis=1)[:, :max_card]  # distinct, per permutation
        idx = slots[None, :, :] + (slots[None, :, :] >= rows)  # (n, b, max_card), skips region i
        for y in range(m):
            sim = zs[:, y, None] * np.einsum("ibk,ik->ib", zs[idx, y], slot_w)
            count_l[:, y] += (sim >= obs[:, y, None]).sum(axis=1)
    p_loc = (np.minimum(count_l, permutations - count_l) + 1.0) / (permutations + 1.0)
    return i_glob, p_glob, local_i, p_loc
# --- additive methods and normalizations ---


def normalize_sum(x, is_cost):
    """x / sum x; cost (1/x) / sum(1/x)."""
    inv = 1.0 / x
    return np.where(is_cost, inv / inv.sum(axis=0), x / x.sum(axis=0))


def normalize_max_ratio(x, is_cost):
    """x / max; cost min / x."""
    return np.where(is_cost, x.min(axis=0) / x, x / x.max(axis=0))


def normalize_minmax_plain(x, is_cost):
    """(x - min) / (max - min); cost (max - x) / (max - min)."""
    mn, mx = x.min(axis=0), x.max(axis=0)
    return np.where(is_cost, (mx - x) / (mx - mn), (x - mn) / (mx - mn))


def wsm_numpy(x, w, is_cost):
    """WSM on the sum normalization."""
    return normalize_sum(x, is_cost) @ w


def wpm_numpy(x, w, is_cost):
    """WPM on the sum normalization: exp(log(r) @ w)."""
    return np.exp(np.log(normalize_sum(x, is_cost)) @ w)


def waspas_numpy(x, w, is_cost, lam=0.5):
    """WASPAS on the max-ratio normalization."""
    r = normalize_max_ratio(x, is_cost)
    return lam * (r @ w) + (1 - lam) * np.exp(np.log(r) @ w)


def copras_numpy(x, w, is_cost):
    """COPRAS Q (Zavadskas et al. 1994)."""
    d = x / x.sum(axis=0)
    sp = d[:, ~is_cost] @ w[~is_cost]
    sm = d[:, is_cost] @ w[is_cost]
    return sp + sm.sum() / (sm * (1.0 / sm).sum())


def aras_numpy(x, w, is_cost):
    """ARAS K = S / S0 on the sum normalization of the matrix extended by the optimal row."""
    ext = np.vstack([np.where(is_cost, x.min(axis=0), x.max(axis=0)), x])
    s = normalize_sum(ext, is_cost) @ w
    return s[1:] / s[0]


def moora_numpy(x, w, is_cost):
    """MOORA ratio system."""
    r = x / np.sqrt((x * x).sum(axis=0))
    return r @ np.where(is_cost, -w, w)


def mabac_numpy(x, w, is_cost):
    """MABAC on the min-max normalization (geometric mean via the mean of logs)."""
    v = (normalize_minmax_plain(x, is_cost) + 1.0) * w
    g = np.exp(np.log(v).mean(axis=0))
    return (v - g).sum(axis=1)
# --- weightings and rank correlations ---


def _minmax_columns(x, is_cost):
    mn = x.min(axis=0)
    mx = x.max(axis=0)
    return np.where(is_cost, mx - x, x - mn) / (mx - mn)


def critic_weights(x, is_cost):
    """CRITIC on the min-max normalised matrix: sd times sum of (1 - corrcoef)."""
    r = _minmax_columns(x, is_cost)
    c = r.std(axis=0, ddof=1) * (1.0 - np.corrcoef(r, rowvar=False)).sum(axis=0)
    return c / c.sum()


def std_weights(x, is_cost):
    """SD weights of the min-max normalised columns."""
    s = _minmax_columns(x, is_cost).std(axis=0, ddof=1)
    return s / s.sum()


def cv_weights(x):
    """Coefficient-of-variation weights of the raw columns."""
    v = x.std(axis=0, ddof=1) / x.mean(axis=0)
    return v / v.sum()


def merec_weights(x, is_cost):
    """MEREC with numpy broadcasting: all removal effects as one (n, m) array."""
    lg = np.log(x)
    el = np.where(is_cost, lg.max(axis=0) - lg, lg - lg.min(axis=0))
    m = x.shape[1]
    t = el.sum(axis=1, keepdims=True)
    e = (np.log1p(t / m) - np.log1p((t - el) / m)).sum(axis=0)
    return e / e.sum()


def gini_weights(x):
    """Gini weights from the sorted columns: G_j = 2 sum_i (2i - n + 1) x_(i) / (2 n sum x)."""
    n = x.shape[0]
    s = np.sort(x, axis=0)
    g = 2.0 * ((2.0 * np.arange(n) - n + 1.0) @ s) / (2.0 * n * x.sum(axis=0))
    return g / g.sum()


def _concordance_pairs(r, kind):
    """(k, k) tau-a / tau-c / gamma with an O(k^2 n^2) broadcast over all alternative pairs (chunked)."""
    k, n = r.shape
    sg = np.sign(r[:, :, None] - r[:, None, :]).reshape(k, n * n)
    s = (sg @ sg.T) / 2.0  # C - D
    if kind == "a":
        return s / (n * (n - 1) / 2.0)
    if kind == "gamma":
        cd = (np.abs(sg) @ np.abs(sg).T) / 2.0
        return s / cd
    q = np.array([[min(len(np.unique(a)), len(np.unique(b))) for b in r] for a in r])
    return 2.0 * s / (n * n * (q - 1.0) / q)


def kendall_tau_a_pairs(r):
    return _concordance_pairs(r, "a")


def kendall_tau_c_pairs(r):
    return _concordance_pairs(r, "c")


def gamma_pairs(r):
    return _concordance_pairs(r, "gamma")


def weighted_spearman_pairs(r):
    """(k, k) r_w by broadcasting over pairs: (k, k, n) temporaries."""
    n = r.shape[1]
    d = r[:, None, :] - r[None, :, :]
    w = (n - r[:, None, :] + 1.0) + (n - r[None, :, :] + 1.0)
    return 1.0 - 6.0 * (d * d * w).sum(axis=-1) / (n**4 + n**3 - n**2 - n)


def ws_coefficient_pairs(r):
    """(k, k) WS, row a the reference: (k, k, n) temporaries."""
    n = r.shape[1]
    w = 2.0 ** (-r) / np.maximum(np.abs(r - 1.0), np.abs(r - n))
    return 1.0 - (w[:, None, :] * np.abs(r[:, None, :] - r[None, :, :])).sum(axis=-1)


def pearson_pairs(r):
    return np.corrcoef(r)


# --- Monte Carlo of a ranking method, one numpy evaluation per weight draw ---


def method_draws(method, x, w, is_cost, sign):
    """Mean index (``sign`` x preference) and mean rank (1 = best) of every alternative over the
    weight draws ``w`` (draws, indicators): ``method(x, w[d], is_cost)`` per draw."""
    n = x.shape[0]
    index_total = np.zeros(n)
    rank_total = np.zeros(n)
    ranks = np.empty(n)
    for row in w:
        g = sign * method(x, row, is_cost)
        index_total += g
        ranks[np.argsort(-g, kind="stable")] = np.arange(1, n + 1)
        rank_total += ranks
    return index_total / len(w), rank_total / len(w)


# --- classic ranking methods on one decision matrix ---


def topsis_numpy(x, w, is_cost):
    """TOPSIS closeness on the vector normalization (cost ``1 - x / ||x||``), column max / min ideals."""
    r = x / np.sqrt((x * x).sum(axis=0))
    return topsis_closeness(np.where(is_cost, 1.0 - r, r), w)


def gra_numpy(x, w, is_cost, rho=0.5):
    """Grey relational grade on the min-max normalization: ``xi = (D_min + rho D_max) / (D + rho D_max)``."""
    d = normalize_minmax(x, is_cost)
    d = d.max(axis=0) - d
    lo, hi = d.min(), d.max()
    return ((lo + rho * hi) / (d + rho * hi)) @ w


def hew_topsis_matrix_numpy(x, w, is_cost):
    """The ideal-solution index of one matrix: max-ratio normalization, F = d-^2 / (d+^2 + d-^2)."""
    mn, mx = x.min(axis=0), x.max(axis=0)
    p = np.where(mn == mx, 0.0, np.where(is_cost, mn / x, x / mx))
    w2 = w * w
    dp2 = ((p - p.max(axis=0)) ** 2) @ w2
    dn2 = ((p - p.min(axis=0)) ** 2) @ w2
    return dn2 / (dp2 + dn2)
