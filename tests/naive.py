"""Slow, obviously-correct references: loops written straight from the formulas, never optimised.

Every kernel in ``fastinno/kernels`` is tested against a function here at rtol 1e-12.
"""

from __future__ import annotations

import math  # noqa: F401

import numpy as np  # noqa: F401

# --- ideal-solution model ---


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


def weighted_distances(x, w, scope):
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


def index_from_squared(d_pos2, d_neg2, form):
    """From squared distances: 0 ratio2: 1 / (1 + (d+/d-)^2); 1 closeness: d- / (d+ + d-).

    d- = 0 -> 0, d+ = 0 -> 1, both 0 -> NaN.
    """
    d_pos = np.sqrt(np.asarray(d_pos2, dtype=float))
    d_neg = np.sqrt(np.asarray(d_neg2, dtype=float))
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


def hew_index_cube(cube, is_cost, method, scope, w, form):
    """The whole model on the indicators where ``w`` is given: standardize, distances, index."""
    x = standardize_cube(cube, is_cost, method, scope)
    d_pos, d_neg = weighted_distances(x, w, scope)
    return index_from_squared(d_pos**2, d_neg**2, form)


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


def topsis_index_matrix(p, w, form):
    """2-D TOPSIS on normalized p: v = w p, ideal = column max, anti = column min; (index, d+, d-)."""
    p = np.asarray(p, dtype=float)
    n, m = p.shape
    v = [[w[j] * p[i, j] for j in range(m)] for i in range(n)]
    hi = [max(v[i][j] for i in range(n)) for j in range(m)]
    lo = [min(v[i][j] for i in range(n)) for j in range(m)]
    d_pos = np.array([math.sqrt(sum((v[i][j] - hi[j]) ** 2 for j in range(m))) for i in range(n)])
    d_neg = np.array([math.sqrt(sum((v[i][j] - lo[j]) ** 2 for j in range(m))) for i in range(n)])
    return index_from_squared(d_pos**2, d_neg**2, form), d_pos, d_neg


# --- combined evaluation ---


def column_entropy(p):
    """h_j = -(1/ln n) sum_i f_ij ln f_ij, f = p / column sum, 0 ln 0 = 0 (zero column: h = 1)."""
    p = np.asarray(p, dtype=float)
    n, m = p.shape
    h = np.empty(m)
    for j in range(m):
        s = sum(p[i, j] for i in range(n))
        if s == 0.0:
            h[j] = 1.0
            continue
        acc = 0.0
        for i in range(n):
            f = p[i, j] / s
            if f > 0.0:
                acc += f * math.log(f)
        h[j] = -acc / math.log(n)
    return h


def entropy_weights(p):
    """w_j = (1 - h_j) / (m - sum h)."""
    h = column_entropy(p)
    m = len(h)
    return np.array([(1.0 - h[j]) / (m - sum(h)) for j in range(m)])


def max_deviation_weights(v):
    """w_j = D_j / sum D, D_j = sum_i sum_k |v_ij - v_kj| by the O(n^2) double loop."""
    v = np.asarray(v, dtype=float)
    n, m = v.shape
    d = np.zeros(m)
    for j in range(m):
        for i in range(n):
            for k in range(n):
                d[j] += abs(v[i, j] - v[k, j])
    return d / d.sum()


def average_ranks(x, descending=False):
    """Mid-ranks by counting: rank_i = #(strictly better) + (#equal + 1) / 2."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    out = np.empty(n)
    for i in range(n):
        better = 0
        equal = 0
        for k in range(n):
            if x[k] == x[i]:
                equal += 1
            elif (x[k] > x[i]) if descending else (x[k] < x[i]):
                better += 1
        out[i] = better + (equal + 1) / 2.0
    return out


def pearson(a, b):
    """Textbook Pearson correlation."""
    n = len(a)
    ma = sum(a) / n
    mb = sum(b) / n
    sab = sum((a[i] - ma) * (b[i] - mb) for i in range(n))
    saa = sum((a[i] - ma) ** 2 for i in range(n))
    sbb = sum((b[i] - mb) ** 2 for i in range(n))
    return sab / math.sqrt(saa * sbb)


def spearman(a, b, method="pearson"):
    """Spearman's rho: Pearson on average ranks, or 1 - 6 sum d^2 / (n (n^2 - 1))."""
    ra = average_ranks(a)
    rb = average_ranks(b)
    if method == "pearson":
        return pearson(ra, rb)
    n = len(ra)
    return 1.0 - 6.0 * sum((ra[i] - rb[i]) ** 2 for i in range(n)) / (n * (n * n - 1))


def kendall_tau_b(x, y):
    """tau_b = (nc - nd) / sqrt((n0 - n1)(n0 - n2)) by counting all pairs."""
    n = len(x)
    nc = nd = tx = ty = 0
    for i in range(n):
        for k in range(i + 1, n):
            dx = x[i] - x[k]
            dy = y[i] - y[k]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif (dx > 0) == (dy > 0):
                nc += 1
            else:
                nd += 1
    # n0 - n1 = pairs not tied in x = nc + nd + ty; n0 - n2 = nc + nd + tx
    return (nc - nd) / math.sqrt((nc + nd + ty) * (nc + nd + tx))


def kendall_w(ranks):
    """Kendall's W with tie correction, straight from the formula."""
    ranks = np.asarray(ranks, dtype=float)
    k, n = ranks.shape
    rs = [sum(ranks[j, i] for j in range(k)) for i in range(n)]
    mean = sum(rs) / n
    s = sum((r - mean) ** 2 for r in rs)
    tsum = 0.0
    for j in range(k):
        for v in set(ranks[j].tolist()):
            t = float(sum(1 for i in range(n) if ranks[j, i] == v))
            tsum += t**3 - t
    return 12.0 * s / (k * k * (n**3 - n) - k * tsum)


def grey_relational_coefficients(p, rho=0.5):
    """xi_ij = (Dmin + rho Dmax) / (D_ij + rho Dmax), D_ij = |max_i p_ij - p_ij|, global Dmin/Dmax."""
    p = np.asarray(p, dtype=float)
    n, m = p.shape
    ref = [max(p[i, j] for i in range(n)) for j in range(m)]
    delta = [[abs(ref[j] - p[i, j]) for j in range(m)] for i in range(n)]
    dmin = min(min(r) for r in delta)
    dmax = max(max(r) for r in delta)
    return np.array(
        [[(dmin + rho * dmax) / (delta[i][j] + rho * dmax) for j in range(m)] for i in range(n)]
    )


def grey_relational_grades(p, w, rho=0.5):
    """gamma_i = sum_j w_j xi_ij."""
    xi = grey_relational_coefficients(p, rho)
    n, m = xi.shape
    return np.array([sum(w[j] * xi[i, j] for j in range(m)) for i in range(n)])


def weighted_sum(p, w):
    """s_i = sum_j w_j p_ij."""
    p = np.asarray(p, dtype=float)
    n, m = p.shape
    return np.array([sum(w[j] * p[i, j] for j in range(m)) for i in range(n)])


def topsis_closeness_matrix(p, w):
    """r = w p; ideal = column max, anti = column min; C = d- / (d+ + d-)."""
    p = np.asarray(p, dtype=float)
    n, m = p.shape
    r = [[w[j] * p[i, j] for j in range(m)] for i in range(n)]
    hi = [max(r[i][j] for i in range(n)) for j in range(m)]
    lo = [min(r[i][j] for i in range(n)) for j in range(m)]
    out = np.empty(n)
    for i in range(n):
        dp = math.sqrt(sum((r[i][j] - hi[j]) ** 2 for j in range(m)))
        dn = math.sqrt(sum((r[i][j] - lo[j]) ** 2 for j in range(m)))
        out[i] = dn / (dp + dn)
    return out


def drift_combination(scores):
    """Drift-degree combination: reference = row mean; r_j = Spearman(u_j, ref); p_j = 1 - r_j;
    w_j = (min p + max p - p_j) / sum(...); combined = scores @ w."""
    s = np.asarray(scores, dtype=float)
    n, k = s.shape
    ref = [sum(s[i, j] for j in range(k)) / k for i in range(n)]
    r = [spearman(s[:, j], ref) for j in range(k)]
    p = [1.0 - v for v in r]
    g = [min(p) + max(p) - v for v in p]
    w = np.array([v / sum(g) for v in g])
    combined = np.array([sum(s[i, j] * w[j] for j in range(k)) for i in range(n)])
    return w, combined

# --- DEMATEL and GM(1,1) ---


def cfcs_crisp(lower, upper, scope="global"):
    """CFCS of one grey matrix (Bai & Sarkis 2013), scalar loops; scope "global" or "row"."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    n_rows, n_cols = lower.shape
    out = np.zeros((n_rows, n_cols))
    for i in range(n_rows):
        for j in range(n_cols):
            if scope == "global":
                mn = min(lower[p, q] for p in range(n_rows) for q in range(n_cols))
                mx = max(upper[p, q] for p in range(n_rows) for q in range(n_cols))
            else:
                mn = min(lower[i, q] for q in range(n_cols))
                mx = max(upper[i, q] for q in range(n_cols))
            d = mx - mn
            if d == 0:
                out[i, j] = mn
                continue
            lt = (lower[i, j] - mn) / d
            ut = (upper[i, j] - mn) / d
            y = (lt * (1 - lt) + ut * ut) / (1 - lt + ut)
            out[i, j] = mn + y * d
    return out


def dematel(z, normalization="row"):
    """Classic DEMATEL from a crisp direct-relation matrix: dict with s, N, T, R, C, prom, rel.

    T = N (I - N)^-1 computed literally with an inverse and a product (reference only).
    """
    z = np.asarray(z, dtype=float)
    n = z.shape[0]
    row = max(sum(z[i, j] for j in range(n)) for i in range(n))
    col = max(sum(z[i, j] for i in range(n)) for j in range(n))
    s = row if normalization == "row" else max(row, col)
    nm = z / s
    t = nm @ np.linalg.inv(np.eye(n) - nm)
    r = np.array([sum(t[i, j] for j in range(n)) for i in range(n)])
    c = np.array([sum(t[i, j] for i in range(n)) for j in range(n)])
    return {"s": s, "N": nm, "T": t, "R": r, "C": c, "prominence": r + c, "relation": r - c}


def grey_dematel(lower, upper, weights, scope="global", aggregation="cfcs_then_mean",
                 normalization="row"):
    """Grey-DEMATEL: per-expert grey bounds (K, n, n) and weights (K,) -> dematel() dict + Z."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    k, n, _ = lower.shape
    if aggregation == "cfcs_then_mean":
        z = np.zeros((n, n))
        for e in range(k):
            z += w[e] * cfcs_crisp(lower[e], upper[e], scope)
    else:
        lo = sum(w[e] * lower[e] for e in range(k))
        up = sum(w[e] * upper[e] for e in range(k))
        z = cfcs_crisp(lo, up, scope)
    for i in range(n):
        z[i, i] = 0.0
    out = dematel(z, normalization)
    out["Z"] = z
    return out


def gm11(x0, horizon=0):
    """GM(1,1) straight from the textbook: AGO, background values, lstsq, time response."""
    x0 = np.asarray(x0, dtype=float)
    n = len(x0)
    x1 = np.cumsum(x0)
    z = np.array([0.5 * x1[k] + 0.5 * x1[k - 1] for k in range(1, n)])
    bmat = np.column_stack([-z, np.ones(n - 1)])
    a, b = np.linalg.lstsq(bmat, x0[1:], rcond=None)[0]
    x1hat = np.array([(x0[0] - b / a) * math.exp(-a * k) + b / a for k in range(n + horizon)])
    x0hat = np.empty(n + horizon)
    x0hat[0] = x0[0]
    for k in range(1, n + horizon):
        x0hat[k] = x1hat[k] - x1hat[k - 1]
    fitted = x0hat[:n]
    res = x0 - fitted
    rel = np.abs(res) / x0
    s1 = math.sqrt(sum((v - x0.mean()) ** 2 for v in x0) / n)
    s2 = math.sqrt(sum((e - res.mean()) ** 2 for e in res) / n)
    c = s2 / s1
    p = sum(1 for e in res if abs(e - res.mean()) < 0.6745 * s1) / n
    lam = [x0[k - 1] / x0[k] for k in range(1, n)]
    ok = all(math.exp(-2 / (n + 1)) < v < math.exp(2 / (n + 1)) for v in lam)
    if c <= 0.35 and p >= 0.95:
        grade = "good"
    elif c <= 0.5 and p >= 0.8:
        grade = "qualified"
    elif c <= 0.65 and p >= 0.7:
        grade = "barely qualified"
    else:
        grade = "unqualified"
    return {"a": a, "b": b, "x1hat": x1hat, "fitted": fitted, "forecast": x0hat[n:],
            "residuals": res, "relative_errors": rel, "mean_relative_error": rel[1:].mean(),
            "C": c, "P": p, "grade": grade, "class_ratio_ok": ok}


def gm11_exact(x0, horizon=0, digits=60):
    """GM(1,1) with exact arithmetic: the reference for the kernel's rounding.

    a and b are the exact least-squares solution (Fractions of the float inputs) of
    x0(k) = -a z(k) + b, z(k) = (x1(k) + x1(k-1))/2, k = 2..n; the restored values
    x0hat(1) = x0(1), x0hat(k+1) = (b - a x0(1)) e^{-a(k-1)} (1 - e^{-a})/a (limit b - a x0(1)
    = b at a = 0) are evaluated with ``digits`` significant decimal digits. Returns Fractions
    ``a``, ``b`` and lists of Decimals ``fitted`` (n) and ``forecast`` (horizon).
    """
    from decimal import Decimal, localcontext
    from fractions import Fraction

    xs = [Fraction(float(v)) for v in x0]
    n = len(xs)
    x1 = [xs[0]]
    for v in xs[1:]:
        x1.append(x1[-1] + v)
    z = [(x1[k] + x1[k - 1]) / 2 for k in range(1, n)]
    y = xs[1:]
    m = n - 1
    zbar = sum(z) / m
    ybar = sum(y) / m
    szz = sum((zk - zbar) ** 2 for zk in z)
    szy = sum((zk - zbar) * (yk - ybar) for zk, yk in zip(z, y))
    a = -szy / szz
    b = ybar + a * zbar
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.Emin = -10**6
        ctx.Emax = 10**6

        def dec(f):
            return Decimal(f.numerator) / Decimal(f.denominator)

        ad = dec(a)
        g = dec(b - a * xs[0])
        factor = Decimal(1) if a == 0 else (1 - (-ad).exp()) / ad
        values = [dec(xs[0])] + [g * (-ad * (k - 1)).exp() * factor for k in range(1, n + horizon)]
    return {"a": a, "b": b, "fitted": values[:n], "forecast": values[n:]}


def bootstrap_experts(a, w, draws, normalization="row"):
    """R and C for given resamples ``draws`` (B, K) of crisp expert matrices ``a`` (K, n, n)."""
    out_r, out_c = [], []
    for idx in draws:
        ww = np.asarray([w[e] for e in idx])
        z = sum(ww[q] * a[e] for q, e in enumerate(idx)) / ww.sum()
        np.fill_diagonal(z, 0.0)
        d = dematel(z, normalization)
        out_r.append(d["R"])
        out_c.append(d["C"])
    return np.array(out_r), np.array(out_c)


# --- robustness ---


def rank_min(v):
    """Competition ranks, rank 1 = largest: 1 + number of strictly larger values; NaN last, tied."""
    v = [(-math.inf if x != x else x) for x in np.asarray(v, dtype=float)]
    nan = [x == -math.inf for x in v]
    n = len(v)
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        if nan[i]:
            out[i] = 1 + sum(1 for k in range(n) if not nan[k])
        else:
            out[i] = 1 + sum(1 for k in range(n) if not nan[k] and v[k] > v[i])
    return out


def rank_average(v):
    """Average ranks of ties, rank 1 = largest; NaN last, tied."""
    rmin = rank_min(v)
    n = len(rmin)
    return np.array([rmin[i] + (sum(1 for k in range(n) if rmin[k] == rmin[i]) - 1) / 2.0 for i in range(n)])


def spearman_pearson_ranks(ra, rb):
    """Pearson correlation of two rank vectors (Spearman's rho with ties); NaN if one is constant."""
    n = len(ra)
    ma = sum(ra) / n
    mb = sum(rb) / n
    sab = sum((ra[i] - ma) * (rb[i] - mb) for i in range(n))
    saa = sum((ra[i] - ma) ** 2 for i in range(n))
    sbb = sum((rb[i] - mb) ** 2 for i in range(n))
    if saa == 0 or sbb == 0:
        return math.nan
    return sab / math.sqrt(saa * sbb)


def robustness_model_index(cube, is_cost, w, model, standardize=0, scope=0, form=0, rho=0.5):
    """One draw of a weighted model, straight from the formulas: (regions, years).

    model: "hew-topsis" / "topsis" (ideal-solution, any standardize / scope / form),
    "weighted-sum" (sum_j w_j x_j), "gra" (grey relational grade per year).
    """
    if model in ("hew-topsis", "topsis"):
        return hew_index_cube(cube, is_cost, standardize, scope, w, form)
    x = standardize_cube(cube, is_cost, standardize, scope)
    n_regions, n_years, n_ind = x.shape
    out = np.empty((n_regions, n_years))
    for y in range(n_years):
        if model == "weighted-sum":
            out[:, y] = weighted_sum(x[:, y, :], w)
        else:
            out[:, y] = grey_relational_grades(x[:, y, :], w, rho)
    return out


def monte_carlo_summary(index_fn, draws, base, top_k=(1, 3, 10), pairs=()):
    """Loop over draws calling the single-draw model; every statistic from the full draw matrix.

    index_fn(d) -> (regions, years) index of draw ``d`` (``d`` = an item of ``draws``);
    ``base`` = the base (regions, years) index. Returns a dict of (years, regions) arrays
    (summary columns) and (years,) arrays (agreement columns); ``outranks`` (years, pairs);
    ``ranks`` (draws, years, regions), every draw's competition ranks.
    """
    vals = np.array([index_fn(d) for d in draws])  # (n, R, Y)
    n, n_regions, n_years = vals.shape
    out = {k: np.empty((n_years, n_regions)) for k in (
        "base_index", "base_rank", "mean_index", "median_index", "index_p05", "index_p95",
        "mean_rank", "median_rank", "rank_p05", "rank_p95")}
    for k in top_k:
        out[f"p_top_{k}"] = np.empty((n_years, n_regions))
    for k in ("spearman_rho_mean", "spearman_rho_p05", "spearman_rho_min", "mean_abs_rank_shift"):
        out[k] = np.empty(n_years)
    out["outranks"] = np.empty((n_years, len(pairs)))
    out["ranks"] = np.empty((n, n_years, n_regions), dtype=np.int64)
    for y in range(n_years):
        b_min = rank_min(base[:, y])
        b_avg = rank_average(base[:, y])
        ranks = np.array([rank_min(vals[d, :, y]) for d in range(n)])  # (n, R)
        out["ranks"][:, y] = ranks
        rhos = np.array([spearman_pearson_ranks(rank_average(vals[d, :, y]), b_avg) for d in range(n)])
        out["base_index"][y] = base[:, y]
        out["base_rank"][y] = b_min
        for i in range(n_regions):
            v = vals[:, i, y]
            v = v[~np.isnan(v)]
            out["mean_index"][y, i] = np.mean(v) if v.size else np.nan
            out["median_index"][y, i] = np.quantile(v, 0.5) if v.size else np.nan
            out["index_p05"][y, i] = np.quantile(v, 0.05) if v.size else np.nan
            out["index_p95"][y, i] = np.quantile(v, 0.95) if v.size else np.nan
            r = ranks[:, i]
            out["mean_rank"][y, i] = np.mean(r)
            out["median_rank"][y, i] = np.quantile(r, 0.5)
            out["rank_p05"][y, i] = np.quantile(r, 0.05)
            out["rank_p95"][y, i] = np.quantile(r, 0.95)
            for k in top_k:
                out[f"p_top_{k}"][y, i] = np.mean(r <= k)
        ok = rhos[~np.isnan(rhos)]
        out["spearman_rho_mean"][y] = np.mean(ok) if ok.size else np.nan
        out["spearman_rho_p05"][y] = np.quantile(ok, 0.05) if ok.size else np.nan
        out["spearman_rho_min"][y] = np.min(ok) if ok.size else np.nan
        out["mean_abs_rank_shift"][y] = np.mean(np.abs(ranks - b_min[None, :]))
        for p, (a, b) in enumerate(pairs):
            out["outranks"][y, p] = np.mean(ranks[:, a] < ranks[:, b])
    return out


def rank_histogram_shares(ranks, width):
    """Acceptability of rank bins: {(region, first rank of the bin): share of draws} of the
    (draws, regions) competition ranks, bins of ``width`` ranks starting at rank 1."""
    n, n_regions = ranks.shape
    out = {}
    for i in range(n_regions):
        for r in ranks[:, i]:
            key = (i, (int(r) - 1) // width * width + 1)
            out[key] = out.get(key, 0) + 1
    return {k: v / n for k, v in out.items()}


def bootstrap_model_index(cube, is_cost, mult_r, mult_y, method, scope, form, weights):
    """One bootstrap replicate of the ideal-solution model, from the formulas.

    The resample = region r repeated mult_r[r] times x year y repeated mult_y[y] times. Scope
    statistics (min, max, norm, mean, sd) over the resample's cells of each scope cell (a cell on
    the resampled axis keeps all its own data), objective weights (``weights`` = "entropy" /
    "max_deviation" on the pooled standardized resample, or an array), ideal / anti-ideal = max /
    min of the standardized resample; every original cell is then scored. Returns
    (index (regions, years), weights).
    """
    cube = np.asarray(cube, dtype=float)
    n_regions, n_years, n_ind = cube.shape
    rs = [r for r in range(n_regions) for _ in range(mult_r[r])]
    ys = [y for y in range(n_years) for _ in range(mult_y[y])]

    def cell_members(r, y):
        if scope == 1:  # region scope: the region's own sampled years
            return [(r, t) for t in ys]
        if scope == 2:  # year scope: the year's sampled regions
            return [(q, y) for q in rs]
        return [(q, t) for q in rs for t in ys]

    def stats(r, y, j):
        vals = [cube[q, t, j] for q, t in cell_members(r, y)]
        mn, mx = min(vals), max(vals)
        norm = math.sqrt(sum(v * v for v in vals))
        mean = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        return mn, mx, norm, mean, sd

    def std(c, j, st):
        mn, mx, norm, mean, sd = st
        if mn == mx:
            return 0.0
        if method == 0:
            return mn / c if is_cost[j] else c / mx
        if method == 1:
            return (mx - c) / (mx - mn) if is_cost[j] else (c - mn) / (mx - mn)
        if method == 2:
            return 1 - c / norm if is_cost[j] else c / norm
        return (mean - c) / sd if is_cost[j] else (c - mean) / sd

    st = {(r, y, j): stats(r, y, j) for r in range(n_regions) for y in range(n_years) for j in range(n_ind)}
    if isinstance(weights, str):
        sample = np.array([[std(cube[q, t, j], j, st[q, t, j]) for j in range(n_ind)] for q in rs for t in ys])
        w = entropy_weights(sample) if weights == "entropy" else max_deviation_weights(sample)
    else:
        w = np.asarray(weights, dtype=float)
    d_pos = np.empty((n_regions, n_years))
    d_neg = np.empty((n_regions, n_years))
    for r in range(n_regions):
        for y in range(n_years):
            sp = 0.0
            sn = 0.0
            for j in range(n_ind):
                members = cell_members(r, y)
                xs = [std(cube[q, t, j], j, st[r, y, j]) for q, t in members]
                x = std(cube[r, y, j], j, st[r, y, j])
                sp += w[j] ** 2 * (x - max(xs)) ** 2
                sn += w[j] ** 2 * (x - min(xs)) ** 2
            d_pos[r, y] = math.sqrt(sp)
            d_neg[r, y] = math.sqrt(sn)
    return index_from_squared(d_pos**2, d_neg**2, form), w


def block_bootstrap_growth(f, years, terms):
    """Average annual growth of one replicate's index from its resampled growth terms.

    ``f`` (regions, years) = the replicate's index of every original year; ``terms`` = the
    resampled growth terms (term i = the interval from year i to year i + 1). Term i has the
    ratio q_i = f[:, i + 1] / f[:, i], the gap dt_i and the annualised rate
    g_i = q_i^(1 / dt_i) - 1 (undefined when f[:, i] <= 0 or f[:, i + 1] < 0). Over the terms,
    S = sum dt_i: cagr = dt-weighted geometric mean of (1 + g_i) - 1 = (prod q_i)^(1 / S) - 1,
    mean_yoy = dt-weighted mean of g_i = sum dt_i g_i / S; NaN when a term is undefined.
    Returns (cagr (regions,), mean_yoy (regions,)).
    """
    f = np.asarray(f, dtype=float)
    n_regions = f.shape[0]
    cagr = np.full(n_regions, np.nan)
    mean_yoy = np.full(n_regions, np.nan)
    span = sum(years[i + 1] - years[i] for i in terms)
    for r in range(n_regions):
        if not all(f[r, i] > 0 and f[r, i + 1] >= 0 for i in terms):
            continue
        q = [f[r, i + 1] / f[r, i] for i in terms]
        dt = [years[i + 1] - years[i] for i in terms]
        g = [q[k] ** (1.0 / dt[k]) - 1 for k in range(len(terms))]
        prod = 1.0
        for v in q:
            prod *= v
        cagr[r] = prod ** (1.0 / span) - 1
        mean_yoy[r] = sum(dt[k] * g[k] for k in range(len(terms))) / span
    return cagr, mean_yoy


def bootstrap_growth_summary(index_fn, replicates, base, years):
    """Loop over replicates: growth of each from its resampled terms, then per-region statistics.

    ``index_fn(m)`` -> (regions, years) index of a replicate whose item of ``replicates`` is
    ``m``; ``replicates`` = a list of (m, terms); ``base`` = the (regions, years) index on the
    full panel. Returns a dict of (regions,) arrays named as ``RobustnessResult.growth``'s columns
    (mean and ``np.quantile`` 5 / 95 % over the replicates whose value is defined) and ``n_nan``,
    the number of undefined replicate values.
    """
    vals = np.array([block_bootstrap_growth(index_fn(m), years, terms) for m, terms in replicates])  # (n, 2, R)
    base_cagr, base_yoy, _ = growth_rates(base, years)
    out = {"base_cagr": base_cagr, "base_mean_yoy": base_yoy, "n_nan": int(np.isnan(vals[:, 0]).sum())}
    n_regions = vals.shape[2]
    for k, name in ((0, "cagr"), (1, "mean_yoy")):
        mean, p05, p95 = (np.full(n_regions, np.nan) for _ in range(3))
        for r in range(n_regions):
            v = vals[:, k, r]
            v = v[~np.isnan(v)]
            if v.size:
                mean[r] = np.mean(v)
                p05[r] = np.quantile(v, 0.05)
                p95[r] = np.quantile(v, 0.95)
        out[f"mean_{name}"], out[f"{name}_p05"], out[f"{name}_p95"] = mean, p05, p95
    return out


# --- robustness of the combined evaluation ---


def spearman_p_value(r, n):
    """Two-sided p-value of Spearman's rho by the t approximation, df = n - 2 (scipy.stats.spearmanr)."""
    from scipy import stats

    if r != r:
        return math.nan
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt((n - 2) / ((1.0 - r) * (1.0 + r)))
    return 2.0 * stats.t.sf(abs(t), n - 2)


def compatible_set(rho, p, alpha):
    """Greedy compatibility: drop the method with most failing pairs (then lowest mean rho, NaN = -2,
    then the later one) until every pair is positive and significant; two failing methods: keep all."""
    k = len(rho)
    ok = [[a == b or (p[a][b] < alpha and rho[a][b] > 0) for b in range(k)] for a in range(k)]
    keep = list(range(k))
    while len(keep) > 2:
        fails = {a: sum(1 for b in keep if not ok[a][b]) for a in keep}
        if not any(fails.values()):
            break
        mean = {a: (sum(-2.0 if rho[a][b] != rho[a][b] else rho[a][b] for b in keep) - 1.0) / (len(keep) - 1)
                for a in keep}
        worst = sorted(keep, key=lambda a: (-fails[a], mean[a], -a))[0]
        keep.remove(worst)
    if len(keep) == 2 and not ok[keep[0]][keep[1]]:
        keep = list(range(k))
    return [a in keep for a in range(k)]


def combined_draw(p, base_weights, f, methods, rho=0.5, alpha=0.05, spearman_method="pearson", minmax=False,
                  fixed_weights=None):
    """One draw of the combined evaluation of one year (Xia, Li, Yin 2020), from the formulas.

    p : (regions, indicators) efficacy coefficients of the year; base_weights : {method: (indicators,)}
    base indicator weights of each method; f : (indicators,) the draw's factors w / b. Method k uses
    weights b_k f / sum(b_k f). Compatibility: pairs with p-value < alpha and rho > 0
    (:func:`compatible_set`); drift weights over the kept methods (or ``fixed_weights``).
    Returns (combined (regions,), method weights (k,)).
    """
    n = p.shape[0]
    cols = []
    for m in methods:
        raw = [base_weights[m][j] * f[j] for j in range(len(f))]
        w = [v / sum(raw) for v in raw]
        if m in ("entropy", "max_deviation"):
            cols.append(weighted_sum(p, w))
        elif m == "topsis":
            cols.append(topsis_closeness_matrix(p, w))
        else:
            cols.append(grey_relational_grades(p, w, rho))
    k = len(methods)

    def rho_of(a, b):
        ra = rank_average(a)
        rb = rank_average(b)
        if spearman_method == "pearson":
            return spearman_pearson_ranks(ra, rb)
        return 1.0 - 6.0 * sum((ra[i] - rb[i]) ** 2 for i in range(n)) / (n * (n * n - 1))

    if minmax:
        u = [[(c[i] - min(c)) / (max(c) - min(c)) if max(c) > min(c) else 0.0 for i in range(n)] for c in cols]
    else:
        u = [list(c) for c in cols]
    if fixed_weights is not None:
        w = list(fixed_weights)
    else:
        r = [[1.0 if a == b else rho_of(cols[a], cols[b]) for b in range(k)] for a in range(k)]
        pv = [[0.0 if a == b else spearman_p_value(r[a][b], n) for b in range(k)] for a in range(k)]
        keep = compatible_set(r, pv, alpha)
        kept = [j for j in range(k) if keep[j]]
        ref = [sum(u[j][i] for j in kept) / len(kept) for i in range(n)]
        drift = {j: 1.0 - rho_of(u[j], ref) for j in kept}
        lo, hi = min(drift.values()), max(drift.values())
        w = [0.0] * k
        for j in kept:
            w[j] = 1.0 / len(kept) if hi - lo <= 1e-12 else (lo + hi - drift[j]) / sum(lo + hi - d for d in drift.values())
    combined = np.array([sum(w[j] * u[j][i] for j in range(k)) for i in range(n)])
    return combined, np.array(w)

# --- weightings and rank correlations ---


def _col(x, j):
    return [x[i][j] for i in range(len(x))]


def _sd(v):
    n = len(v)
    mu = sum(v) / n
    return math.sqrt(sum((a - mu) ** 2 for a in v) / (n - 1))


def _minmax_col(v, cost):
    lo, hi = min(v), max(v)
    return [((hi - a) if cost else (a - lo)) / (hi - lo) for a in v]


def column_moments_cells(x3, want_cov):
    """min, max, mean and centred cross products of every cell, by definition."""
    c, n, m = x3.shape
    mn, mx, mean = np.empty((c, m)), np.empty((c, m)), np.empty((c, m))
    s2 = np.zeros((c, m if want_cov else 1, m))
    for q in range(c):
        cols = [_col(x3[q], j) for j in range(m)]
        for j in range(m):
            mn[q, j], mx[q, j], mean[q, j] = min(cols[j]), max(cols[j]), sum(cols[j]) / n
        for j in range(m):
            for k in range(m):
                if want_cov or j == k:
                    v = sum((cols[j][i] - mean[q, j]) * (cols[k][i] - mean[q, k]) for i in range(n))
                    s2[q, j if want_cov else 0, k] = v
    return mn, mx, mean, s2


def spread_scores_cells(x3, code):
    """code 0: sd of the min-max column (0 if constant); 1: sd / mean of the raw column (NaN if mean <= 0)."""
    c, n, m = x3.shape
    out = np.empty((c, m))
    for q in range(c):
        for j in range(m):
            v = _col(x3[q], j)
            if code == 0:
                out[q, j] = 0.0 if max(v) == min(v) else _sd(_minmax_col(v, False))
            else:
                mu = sum(v) / n
                out[q, j] = _sd(v) / mu if mu > 0 else math.nan
    return out


def critic_scores_cells(x3, is_cost):
    """C_j = sd(r_j) sum_k (1 - corr(r_j, r_k)), r the direction-aware min-max matrix (Diakoulaki 1995)."""
    c, n, m = x3.shape
    out = np.empty((c, m))
    for q in range(c):
        r = [_minmax_col(_col(x3[q], j), bool(is_cost[j])) for j in range(m)]
        for j in range(m):
            out[q, j] = _sd(r[j]) * sum(1.0 - pearson(r[j], r[k]) for k in range(m))
    return out


def merec_scores_cells(x3, is_cost):
    """MEREC E_j straight from Keshavarz-Ghorabaee et al. (2021) eqs. (2)-(5)."""
    c, n, m = x3.shape
    out = np.empty((c, m))
    for q in range(c):
        x = x3[q]
        lo = [min(_col(x, j)) for j in range(m)]
        hi = [max(_col(x, j)) for j in range(m)]
        nx = [[(x[i][j] / hi[j]) if is_cost[j] else (lo[j] / x[i][j]) for j in range(m)] for i in range(n)]
        s = [math.log(1 + sum(abs(math.log(nx[i][j])) for j in range(m)) / m) for i in range(n)]
        for j in range(m):
            e = 0.0
            for i in range(n):
                sp = math.log(1 + sum(abs(math.log(nx[i][k])) for k in range(m) if k != j) / m)
                e += abs(sp - s[i])
            out[q, j] = e
    return out


def transpose_cells(x3):
    """x3 (c, n, m) -> (c, m, n) element by element."""
    c, n, m = x3.shape
    out = np.empty((c, m, n))
    for q in range(c):
        for i in range(n):
            for j in range(m):
                out[q, j, i] = x3[q, i, j]
    return out


def gini_scores_sorted(s3):
    """G = sum_i sum_k |v_i - v_k| / (2 n^2 mean) of every row (the double sum; NaN if negative or zero sum)."""
    c, m, n = s3.shape
    out = np.empty((c, m))
    for q in range(c):
        for j in range(m):
            v = list(s3[q, j])
            if min(v) < 0 or not sum(v) > 0:
                out[q, j] = math.nan
            else:
                out[q, j] = sum(abs(a - b) for a in v for b in v) / (2 * n * n * (sum(v) / n))
    return out


def _sign(a):
    return int(a > 0) - int(a < 0)


def pair_counts(x, y):
    """(n0, n1, n2, n3, D, distinct x, distinct y, n) with an O(n^2) loop over pairs."""
    n = len(x)
    n1 = n2 = n3 = d = 0
    for i in range(n):
        for k in range(i + 1, n):
            tx, ty = x[i] == x[k], y[i] == y[k]
            n1 += tx
            n2 += ty
            n3 += tx and ty
            d += _sign(x[i] - x[k]) * _sign(y[i] - y[k]) < 0
    return np.array([n * (n - 1) // 2, n1, n2, n3, d, len(set(x)), len(set(y)), n])


pair_counts_ordered = pair_counts


def tau_family(x, y, code):
    """0 tau-a, 1 tau-c, 2 gamma from the pair loop: sum of sign products."""
    n = len(x)
    s = sum(_sign(x[i] - x[k]) * _sign(y[i] - y[k]) for i in range(n) for k in range(i + 1, n))
    if code == 0:
        return s / (n * (n - 1) / 2)
    if code == 1:
        q = min(len(set(x)), len(set(y)))
        return math.nan if q < 2 else 2 * s / (n * n * (q - 1) / q)
    cd = sum(abs(_sign(x[i] - x[k]) * _sign(y[i] - y[k])) for i in range(n) for k in range(i + 1, n))
    return math.nan if cd == 0 else s / cd


def tau_from_counts(counts, code):
    """The tau / gamma formulas on counts (C - D = n0 - n1 - n2 + n3 - 2 D)."""
    n0, n1, n2, n3, d, dx, dy, n = (int(v) for v in counts)
    s = n0 - n1 - n2 + n3 - 2 * d
    if code == 0:
        return s / n0
    if code == 1:
        q = min(dx, dy)
        return 2 * s / (n * n * (q - 1) / q)
    return s / (n0 - n1 - n2 + n3)


def weighted_spearman(x, y):
    """r_w = 1 - 6 sum (x - y)^2 ((n - x + 1) + (n - y + 1)) / (n^4 + n^3 - n^2 - n)."""
    n = len(x)
    num = sum((x[i] - y[i]) ** 2 * ((n - x[i] + 1) + (n - y[i] + 1)) for i in range(n))
    return 1 - 6 * num / (n**4 + n**3 - n**2 - n)


def ws_coefficient(x, y):
    """WS = 1 - sum 2^-x_i |x_i - y_i| / max(|x_i - 1|, |x_i - n|) (Salabun & Urbaniak 2020)."""
    n = len(x)
    return 1 - sum(2.0 ** (-x[i]) * abs(x[i] - y[i]) / max(abs(x[i] - 1), abs(x[i] - n)) for i in range(n))


def _all_pairs(f, r):
    r = np.asarray(r)
    if r.ndim == 2:
        return np.array([[f(a, b) for b in r] for a in r])
    return np.stack([_all_pairs(f, cell) for cell in r])


def tau_family_pairs(r, code):
    return _all_pairs(lambda a, b: tau_family(list(a), list(b), code), r)


def weighted_spearman_pairs(r):
    return _all_pairs(weighted_spearman, r)


def ws_coefficient_pairs(r):
    return _all_pairs(ws_coefficient, r)


def pearson_pairs(r):
    return _all_pairs(pearson, r)
