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


# --- disparities and convergence ---


def gini(x):
    """Gini by definition: sum_i sum_r |x_i - x_r| / (2 n^2 mean), O(n^2)."""
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())


def theil_t(x):
    x = np.asarray(x, dtype=float)
    r = x / x.mean()
    return float(np.mean(r * np.log(r)))


def theil_l(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(np.log(x.mean() / x)))


def sorted_orders(vt):
    """Each row's positions in increasing order of value (numpy argsort)."""
    return np.argsort(vt, axis=1, kind="stable")


def resample_counts(gstart, draws):
    """Multiplicities from explicit draws: ``draws[b]`` lists the regions drawn in replicate b;
    a stratified draw takes gstart[j + 1] - gstart[j] of them from each group block j."""
    out = np.zeros((len(draws), gstart[-1]))
    for b, d in enumerate(draws):
        np.add.at(out[b], np.asarray(d), 1.0)
    return out


def year_stats(y, g):
    """Every measure of one sample ``y`` with group labels ``g`` (0..k-1), by definition.

    Returns (measures dict, per-group dict list, per-pair dict {(j, h): ...}); Dagum (1997)
    eqs. with O(n^2) pairwise sums and d_jh, p_jh as explicit sums over pairs.
    """
    y = np.asarray(y, dtype=float)
    g = np.asarray(g)
    n, m = len(y), y.mean()
    labels = sorted(set(g.tolist()))
    out = {
        "cv": y.std() / m,
        "gini": gini(y),
        "theil_t": theil_t(y),
        "theil_l": theil_l(y),
    }
    groups = []
    for j in labels:
        yj = y[g == j]
        groups.append({"n": len(yj), "mean": yj.mean(), "gini": gini(yj), "theil": theil_t(yj),
                       "share": yj.sum() / y.sum()})
    out["theil_within"] = sum(q["share"] * q["theil"] for q in groups)
    out["theil_between"] = sum(q["share"] * np.log(q["mean"] / m) for q in groups)
    out["dagum_within"] = sum(q["gini"] * q["n"] / n * q["share"] for q in groups)
    pairs = {}
    nb = t = 0.0
    for a, j in enumerate(labels):
        for b in range(a + 1, len(labels)):
            h = labels[b]
            yj, yh = y[g == j], y[g == h]
            if yj.mean() < yh.mean():
                rich, poor = yh, yj
            else:
                rich, poor = yj, yh
            diff = rich[:, None] - poor[None, :]
            gross = diff[diff > 0].sum() / diff.size
            trans = -diff[diff < 0].sum() / diff.size
            gjh = np.abs(diff).sum() / (len(yj) * len(yh) * (yj.mean() + yh.mean()))
            d = (gross - trans) / (gross + trans) if gross + trans > 0 else 0.0
            pairs[(a, b)] = {"gini": gjh, "gross": gross, "trans": trans, "d": d}
            wt = gjh * (groups[a]["n"] / n * groups[b]["share"] + groups[b]["n"] / n * groups[a]["share"])
            nb += wt * d
            t += wt * (1 - d)
    out["dagum_net"] = nb
    out["dagum_trans"] = t
    return out, groups, pairs


def inequality_panel(values, g):
    """year_stats of every column of ``values`` (regions x years)."""
    return [year_stats(values[:, y], g) for y in range(values.shape[1])]


def bootstrap_inequality(values, g, counts):
    """Measures of each resample given by multiplicities ``counts`` (n_rep, n_regions)."""
    keys = ("cv", "gini", "theil_t", "theil_l", "theil_within", "theil_between", "dagum_within",
            "dagum_net", "dagum_trans")
    out = np.empty((counts.shape[0], values.shape[1], len(keys)))
    for b in range(counts.shape[0]):
        idx = np.repeat(np.arange(values.shape[0]), counts[b].astype(int))
        for y in range(values.shape[1]):
            st = year_stats(values[idx, y], g[idx])[0]
            out[b, y] = [st[k] for k in keys]
    return out


def ols(x, y):
    """Slope, conventional SE and t statistic of y = a + b x (numpy.linalg.lstsq)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    X = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ coef
    s2 = e @ e / (len(y) - 2)
    cov = s2 * np.linalg.inv(X.T @ X)
    return coef[1], np.sqrt(cov[1, 1])


def twoway_fe_clustered(values):
    """Conditional beta by dummies: ln(y_{t+1}/y_t) on ln y_t with region and origin-year dummies
    (lstsq), SE clustered by region with the G/(G-1) factor only."""
    ly = np.log(np.asarray(values, dtype=float))
    r, t = ly.shape
    dep = (ly[:, 1:] - ly[:, :-1]).ravel()
    x = ly[:, :-1].ravel()
    reg = np.repeat(np.arange(r), t - 1)
    yr = np.tile(np.arange(t - 1), r)
    D = [x[:, None], np.eye(r)[reg]]
    if t - 1 > 1:
        D.append(np.eye(t - 1)[yr][:, 1:])
    X = np.column_stack(D)
    coef, *_ = np.linalg.lstsq(X, dep, rcond=None)
    e = dep - X @ coef
    XtXi = np.linalg.pinv(X.T @ X)
    meat = np.zeros((X.shape[1], X.shape[1]))
    for i in range(r):
        s = X[reg == i].T @ e[reg == i]
        meat += np.outer(s, s)
    cov = XtXi @ meat @ XtXi * r / (r - 1)
    return coef[0], np.sqrt(cov[0, 0])
# --- compromise and outranking methods ---
# One decision matrix x (n_alternatives, n_indicators) per call; the batched kernels are compared
# cell by cell.


def vikor_sr(x, w, is_cost):
    """S_i = sum_j w_j (f*_j - f_ij) / (f*_j - f-_j), R_i = max_j of the terms; constant
    indicators add 0."""
    n, m = len(x), len(x[0])
    s, r = [], []
    for i in range(n):
        terms = []
        for j in range(m):
            col = [x[k][j] for k in range(n)]
            best, worst = (min(col), max(col)) if is_cost[j] else (max(col), min(col))
            terms.append(0.0 if best == worst else w[j] * (best - x[i][j]) / (best - worst))
        s.append(sum(terms))
        r.append(max(terms))
    return np.array(s), np.array(r)


def vikor_q(s, r, v, nan_mode=False):
    """Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*); a constant S or R gives
    a 0 term (NaN when ``nan_mode``)."""
    def term(a, lo, hi):
        if hi == lo:
            return math.nan if nan_mode else 0.0
        return (a - lo) / (hi - lo)

    return np.array([v * term(s[i], min(s), max(s)) + (1 - v) * term(r[i], min(r), max(r)) for i in range(len(s))])


def edas_sums(x, w, is_cost):
    """SP, SN from PDA / NDA about the column averages (constant indicators add 0)."""
    n, m = len(x), len(x[0])
    sp, sn = [0.0] * n, [0.0] * n
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        if max(col) == min(col):
            continue
        av = sum(col) / n
        for i in range(n):
            up = (av - x[i][j]) / av if is_cost[j] else (x[i][j] - av) / av
            down = (x[i][j] - av) / av if is_cost[j] else (av - x[i][j]) / av
            sp[i] += w[j] * max(0.0, up)
            sn[i] += w[j] * max(0.0, down)
    return np.array(sp), np.array(sn)


def edas_score(sp, sn):
    """AS = (SP / max SP + 1 - SN / max SN) / 2 (0 / 0 -> NSP 0, NSN 1)."""
    nsp = [a / max(sp) if max(sp) > 0 else 0.0 for a in sp]
    nsn = [1 - a / max(sn) if max(sn) > 0 else 1.0 for a in sn]
    return np.array([(a + b) / 2 for a, b in zip(nsp, nsn)])


def codas_distances(x, w, is_cost, method=0):
    """E and T from the negative-ideal of the weighted normalized matrix (0 max-ratio, 1 min-max,
    2 vector with cost 1 - r); constant indicators add 0."""
    n, m = len(x), len(x[0])
    e, t = [0.0] * n, [0.0] * n
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        lo, hi = min(col), max(col)
        if lo == hi:
            continue
        if method == 0:
            nj = [lo / c if is_cost[j] else c / hi for c in col]
        elif method == 1:
            nj = [(hi - c) / (hi - lo) if is_cost[j] else (c - lo) / (hi - lo) for c in col]
        else:
            norm = math.sqrt(sum(c * c for c in col))
            nj = [1 - c / norm if is_cost[j] else c / norm for c in col]
        r = [w[j] * a for a in nj]
        ns = min(r)
        for i in range(n):
            e[i] += (r[i] - ns) ** 2
            t[i] += abs(r[i] - ns)
    return np.sqrt(np.array(e)), np.array(t)


def codas_score(e, t, tau=0.02):
    """H_i = sum_k (E_i - E_k) + psi(E_i - E_k) (T_i - T_k), the paper's n x n matrix."""
    n = len(e)
    return np.array([
        sum((e[i] - e[k]) + (1.0 if abs(e[i] - e[k]) >= tau else 0.0) * (t[i] - t[k]) for k in range(n))
        for i in range(n)
    ])


def spotis_distance(x, w, is_cost, bounds=None):
    """sum_j w_j |x_ij - S*_j| / (max_j - min_j), bounds default the data's (constant adds 0)."""
    n, m = len(x), len(x[0])
    out = []
    for i in range(n):
        d = 0.0
        for j in range(m):
            col = [x[k][j] for k in range(n)]
            lo, hi = (min(col), max(col)) if bounds is None else (bounds[j][0], bounds[j][1])
            if hi > lo:
                ideal = lo if is_cost[j] else hi
                d += w[j] * abs(x[i][j] - ideal) / (hi - lo)
        out.append(d)
    return np.array(out)


def marcos_utility(x, w, is_cost):
    """MARCOS f(K): the extended matrix with AI and AAI rows, normalized by AI."""
    n, m = len(x), len(x[0])
    ai, aai = [], []
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        ai.append(min(col) if is_cost[j] else max(col))
        aai.append(max(col) if is_cost[j] else min(col))
    rows = [list(x[i]) for i in range(n)] + [ai, aai]

    def norm(v, j):
        if ai[j] == aai[j]:
            return 1.0
        return ai[j] / v if is_cost[j] else v / ai[j]

    s = [sum(w[j] * norm(row[j], j) for j in range(m)) for row in rows]
    out = []
    for i in range(n):
        k_neg, k_pos = s[i] / s[n + 1], s[i] / s[n]
        f_pos, f_neg = k_neg / (k_pos + k_neg), k_pos / (k_pos + k_neg)
        out.append((k_pos + k_neg) / (1 + (1 - f_pos) / f_pos + (1 - f_neg) / f_neg))
    return np.array(out)


def cocoso_sums(x, w, is_cost, minmax=True):
    """S = sum_j w_j r_ij, P = sum_j r_ij ** w_j (r min-max or max-ratio; constant -> 1)."""
    n, m = len(x), len(x[0])
    s, p = [0.0] * n, [0.0] * n
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        lo, hi = min(col), max(col)
        for i in range(n):
            c = col[i]
            if lo == hi:
                r = 1.0
            elif minmax:
                r = (hi - c) / (hi - lo) if is_cost[j] else (c - lo) / (hi - lo)
            else:
                r = lo / c if is_cost[j] else c / hi
            s[i] += w[j] * r
            p[i] += r ** w[j]
    return np.array(s), np.array(p)


def cocoso_score(s, p, lam=0.5):
    """k = (k_a k_b k_c)^(1/3) + (k_a + k_b + k_c) / 3."""
    total = sum(a + b for a, b in zip(s, p))
    out = []
    for i in range(len(s)):
        ka = (p[i] + s[i]) / total
        kb = s[i] / min(s) + p[i] / min(p)
        kc = (lam * s[i] + (1 - lam) * p[i]) / (lam * max(s) + (1 - lam) * max(p))
        out.append((ka * kb * kc) ** (1 / 3) + (ka + kb + kc) / 3)
    return np.array(out)


def preference(d, kind, q=0.0, p=0.0, s=1.0):
    """Brans & Vincke's generalized criteria, types I-VI."""
    if d <= 0:
        return 0.0
    if kind == "usual":
        return 1.0
    if kind == "u_shape":
        return 1.0 if d > q else 0.0
    if kind == "v_shape":
        return d / p if d <= p else 1.0
    if kind == "level":
        return 0.0 if d <= q else (0.5 if d <= p else 1.0)
    if kind == "linear":
        return 0.0 if d <= q else ((d - q) / (p - q) if d <= p else 1.0)
    return 1.0 - math.exp(-d * d / (2 * s * s))


def column_flows(x, is_cost, kind, q=None, p=None, s=None):
    """pos[j, a] = sum_b P_j(d_j(a, b)), neg[j, a] = sum_b P_j(d_j(b, a)): the double loop."""
    n, m = len(x), len(x[0])
    pos = np.zeros((m, n))
    neg = np.zeros((m, n))
    for j in range(m):
        kw = {"q": 0.0 if q is None else q[j], "p": 0.0 if p is None else p[j], "s": 1.0 if s is None else s[j]}
        for a in range(n):
            for b in range(n):
                d = x[a][j] - x[b][j]
                if is_cost[j]:
                    d = -d
                pos[j, a] += preference(d, kind, **kw)
                neg[j, a] += preference(-d, kind, **kw)
    return pos, neg


def weighted_flows(pos, neg, w):
    """(phi+, phi-, phi) from the per-indicator sums: pi(a, b) weighted, divided by n - 1."""
    m, n = len(pos), len(pos[0])
    plus = np.array([sum(w[j] * pos[j][a] for j in range(m)) / (n - 1) for a in range(n)])
    minus = np.array([sum(w[j] * neg[j][a] for j in range(m)) / (n - 1) for a in range(n)])
    return plus, minus, plus - minus
# --- method comparison ---


def inversions(y):
    """Pairs i < k with y_i > y_k, by counting every pair."""
    n = len(y)
    return sum(1 for i in range(n) for k in range(i + 1, n) if y[i] > y[k])


def inversions_coded(y2):
    """Same count for integer codes."""
    return inversions(list(y2))


def pair_counts(r):
    """(discordant (k, k), jointly tied (k, k), tied (k,)) pair counts by counting every pair."""
    r = np.asarray(r, dtype=float)
    k, n = r.shape
    disc = np.zeros((k, k), dtype=np.int64)
    joint = np.zeros((k, k), dtype=np.int64)
    tied = np.zeros(k, dtype=np.int64)
    for a in range(k):
        tied[a] = sum(1 for i in range(n) for j in range(i + 1, n) if r[a, i] == r[a, j])
        for b in range(k):
            if a == b:
                continue
            for i in range(n):
                for j in range(i + 1, n):
                    da = r[a, i] - r[a, j]
                    db = r[b, i] - r[b, j]
                    if da * db < 0:
                        disc[a, b] += 1
                    elif da == 0 and db == 0:
                        joint[a, b] += 1
    return disc, joint, tied


def pair_counts_cells(r3):
    out = [pair_counts(r) for r in r3]
    return tuple(np.stack([o[i] for o in out]) for i in range(3))


def tau_b_from_counts(r):
    """Kendall's tau-b of every pair of rows of r by counting (diagonal 1)."""
    r = np.asarray(r, dtype=float)
    k = r.shape[0]
    return np.array([[1.0 if a == b else kendall_tau_b(r[a], r[b]) for b in range(k)] for a in range(k)])


def spearman_pairs_cells(r3):
    """Pearson correlation of every pair of rows, cell by cell."""
    r3 = np.asarray(r3, dtype=float)
    return np.array([[[pearson(list(ra), list(rb)) for rb in r] for ra in r] for r in r3])


def compare_reference(cube, is_cost, configs):
    """compare_methods by loops: configs = [(score_fn(matrix) -> scores, higher_is_better)].

    Per year: the scores of every configuration, average ranks (1 = best), Spearman of every
    pair, Kendall's W, reversal shares by counting pairs, and per region median / min / max rank.
    """
    cube = np.asarray(cube, dtype=float)
    n_r, n_y, _ = cube.shape
    k = len(configs)
    out = {"scores": [], "ranks": [], "spearman": [], "w": [], "reversals": [], "median": [], "range": []}
    for t in range(n_y):
        x = cube[:, t, :]
        s = [np.asarray(fn(x), dtype=float) for fn, _ in configs]
        ranks = [average_ranks(v if hib else [-e for e in v], descending=True) for v, (_, hib) in zip(s, configs)]
        out["scores"].append(s)
        out["ranks"].append(ranks)
        out["spearman"].append([[1.0 if a == b else pearson(list(ranks[a]), list(ranks[b])) for b in range(k)]
                                for a in range(k)])
        out["w"].append(kendall_w(np.array(ranks)))
        rev = [[0.0] * k for _ in range(k)]
        pairs = n_r * (n_r - 1) / 2
        for a in range(k):
            for b in range(k):
                flips = sum(1 for i in range(n_r) for j in range(i + 1, n_r)
                            if (ranks[a][i] - ranks[a][j]) * (ranks[b][i] - ranks[b][j]) < 0)
                rev[a][b] = flips / pairs
        out["reversals"].append(rev)
        out["median"].append([sorted(ranks[a][i] for a in range(k))[k // 2] if k % 2 else
                              sum(sorted(ranks[a][i] for a in range(k))[k // 2 - 1:k // 2 + 1]) / 2 for i in range(n_r)])
        out["range"].append([max(ranks[a][i] for a in range(k)) - min(ranks[a][i] for a in range(k)) for i in range(n_r)])
    return out


def rank_codes(r):
    """floor of each average rank."""
    return np.floor(np.asarray(r, dtype=float)).astype(np.int32)
# --- spatial structure and dynamics ---
# Plain loops over a dense weight matrix W (n, n) or lists of neighbours; one definition each.


def dense_weights(indptr, indices, weights):
    """The dense W of CSR weights."""
    n = len(indptr) - 1
    w = np.zeros((n, n))
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            w[i, indices[k]] = weights[k]
    return w


def spatial_lag(indptr, indices, weights, z):
    """(W z)_iy = sum_j w_ij z_jy."""
    w = dense_weights(indptr, indices, weights)
    n, m = z.shape
    return np.array([[sum(w[i, j] * z[j, y] for j in range(n)) for y in range(m)] for i in range(n)])


def moran_numerators(z, indptr, indices, weights):
    """sum_i z_i (W z)_i per column."""
    lag = spatial_lag(indptr, indices, weights, z)
    return np.array([sum(z[i, y] * lag[i, y] for i in range(z.shape[0])) for y in range(z.shape[1])])


def moran_i(x, w):
    """Moran's I by definition: n / S0 * sum_ij w_ij (x_i - xbar)(x_j - xbar) / sum_i (x_i - xbar)^2."""
    n = len(x)
    xbar = sum(x) / n
    d = [v - xbar for v in x]
    s0 = sum(w[i][j] for i in range(n) for j in range(n))
    num = sum(w[i][j] * d[i] * d[j] for i in range(n) for j in range(n))
    return n / s0 * num / sum(v * v for v in d)


def moran_i_permuted(x, w, perm):
    """Moran's I after moving value x[perm[i]] to region i."""
    return moran_i([x[p] for p in perm], w)


def moran_permutation_counts(z, w, perms, observed):
    """How many of the given permutations reach a numerator >= observed, per column."""
    n, m = z.shape
    out = np.zeros(m, dtype=np.int64)
    for perm in perms:
        for y in range(m):
            zp = [z[p, y] for p in perm]
            num = sum(zp[i] * sum(w[i][j] * zp[j] for j in range(n)) for i in range(n))
            out[y] += num >= observed[y]
    return out


def lisa_permutation_counts(z, neighbour_lists, neighbour_weights, slots):
    """Conditional permutation counts given the slot draws: permutation p gives region i the
    values of regions (slots[p, s] shifted past i) in its neighbour slots s."""
    n, m = z.shape
    counts = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        nbrs, ws = neighbour_lists[i], neighbour_weights[i]
        for y in range(m):
            obs = z[i, y] * sum(wk * z[j, y] for j, wk in zip(nbrs, ws))
            for p in range(slots.shape[0]):
                others = [int(slots[p, s]) + (1 if slots[p, s] >= i else 0) for s in range(len(nbrs))]
                sim = z[i, y] * sum(wk * z[j, y] for j, wk in zip(others, ws))
                counts[i, y] += sim >= obs
    return counts


def local_moran(x, w):
    """I_i = (n - 1) z_i sum_j w_ij z_j / sum_j z_j^2, z standardized with the population sd."""
    n = len(x)
    xbar = sum(x) / n
    sd = (sum((v - xbar) ** 2 for v in x) / n) ** 0.5
    z = [(v - xbar) / sd for v in x]
    den = sum(v * v for v in z)
    return [(n - 1) * z[i] * sum(w[i][j] * z[j] for j in range(n)) / den for i in range(n)]


def transition_counts(ids, k):
    """n_ab = number of (region, year) with class a in year t and b in t + 1."""
    out = np.zeros((k, k), dtype=np.int64)
    for row in ids:
        for t in range(len(row) - 1):
            out[row[t], row[t + 1]] += 1
    return out


def gaussian_kde(x, data, h):
    """f(x) = 1 / (n h) sum_i phi((x - x_i) / h)."""
    import math

    n = len(data)
    return [sum(math.exp(-0.5 * ((u - d) / h) ** 2) for d in data) / (n * h * math.sqrt(2 * math.pi)) for u in x]
# --- additive methods and normalizations ---


def normalize_column(col, cost, method):
    """One column by the formulas (pymcdm 1.4.0 conventions); method a name of the standardize option."""
    c = [float(v) for v in col]
    n = len(c)
    lo, hi = min(c), max(c)
    if method == "max_ratio":
        return [lo / v if cost else v / hi for v in c]
    if method == "minmax":
        return [(hi - v) / (hi - lo) if cost else (v - lo) / (hi - lo) for v in c]
    if method == "vector":
        norm = math.sqrt(sum(v * v for v in c))
        return [1 - v / norm if cost else v / norm for v in c]
    if method == "zscore":
        mean = sum(c) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in c) / n)
        return [(mean - v) / sd if cost else (v - mean) / sd for v in c]
    if method == "sum":
        if cost:
            s = sum(1 / v for v in c)
            return [(1 / v) / s for v in c]
        s = sum(c)
        return [v / s for v in c]
    if method == "max":
        return [1 - v / hi if cost else v / hi for v in c]
    if method == "log":
        lp = math.log(math.prod(c))
        return [(1 - math.log(v) / lp) / (n - 1) if cost else math.log(v) / lp for v in c]
    raise ValueError(method)


def normalize_columns(x, is_cost, method):
    """Every column of a 2-D matrix by :func:`normalize_column`."""
    x = np.asarray(x, dtype=float)
    cols = [normalize_column(x[:, j], bool(is_cost[j]), method) for j in range(x.shape[1])]
    return np.array(cols).T


def cell_stats(x3, need_sq, need_inv, need_log):
    """Per cell and column: min, max, sum, sum of squares, sum of 1/x, sum of ln x (0 unless asked;
    ``need_inv`` a bool or one per column)."""
    out = []
    inv = np.broadcast_to(np.asarray(need_inv, dtype=bool), (np.shape(x3)[2],))
    for cell in np.asarray(x3, dtype=float):
        cols = cell.T
        out.append([
            [min(c) for c in cols],
            [max(c) for c in cols],
            [math.fsum(c) for c in cols],
            [math.fsum(v * v for v in c) if need_sq else 0.0 for c in cols],
            [math.fsum(1 / v for v in c) if f else 0.0 for c, f in zip(cols, inv)],
            [math.fsum(math.log(v) for v in c) if need_log else 0.0 for c in cols],
        ])
    return np.array(out)


def cell_centered_sq(x3, mean):
    """Sum of (x - mean)^2 per cell and column."""
    return np.array([[math.fsum((v - mean[k][j]) ** 2 for v in cell[:, j]) for j in range(cell.shape[1])]
                     for k, cell in enumerate(np.asarray(x3, dtype=float))])


def apply_linear(x3, a, b, g):
    """a * g(x) + b with g 0 identity, 1 reciprocal, 2 log."""
    f = {0: lambda v: v, 1: lambda v: 1 / v, 2: math.log}
    x3 = np.asarray(x3, dtype=float)
    return np.array([[[a[k][j] * f[int(g[j])](x3[k, i, j]) + b[k][j] for j in range(x3.shape[2])]
                      for i in range(x3.shape[1])] for k in range(x3.shape[0])])


def linear_coefficients(x3, is_cost, method):
    """(a, b) per cell and column with normalize_column(c) == a g(c) + b, read off two points of
    each column (g: reciprocal for sum / max_ratio cost columns, log for log, else identity)."""
    x3 = np.asarray(x3, dtype=float)
    f = {0: lambda v: v, 1: lambda v: 1 / v, 2: math.log}
    g = [2 if method == "log" else 1 if (method in ("sum", "max_ratio") and is_cost[j]) else 0
         for j in range(x3.shape[2])]
    a = np.empty((x3.shape[0], x3.shape[2]))
    b = np.empty_like(a)
    for c in range(x3.shape[0]):
        for j in range(x3.shape[2]):
            col = x3[c, :, j]
            r = normalize_column(col, bool(is_cost[j]), method)
            i0, i1 = int(np.argmin(col)), int(np.argmax(col))
            u0, u1 = f[g[j]](col[i0]), f[g[j]](col[i1])
            a[c, j] = (r[i1] - r[i0]) / (u1 - u0)
            b[c, j] = r[i0] - a[c, j] * u0
    return a, b, np.array(g)


def linear_scores(x3, ca, cb, g):
    """P[c, k, i] = sum_j ca[c, k, j] g_j(x) + cb[c, k]."""
    f = {0: lambda v: v, 1: lambda v: 1 / v, 2: math.log}
    x3 = np.asarray(x3, dtype=float)
    n_cells, n, m = x3.shape
    return np.array([[[math.fsum(ca[c][k][j] * f[int(g[j])](x3[c, i, j]) for j in range(m)) + cb[c][k]
                       for i in range(n)] for k in range(len(ca[c]))] for c in range(n_cells)])


def power_scores(x3, a, b, g, w, want_sum):
    """(P, n_bad): P[:, 0] = sum w r (if want_sum), P[:, 1] = sum w ln r; n_bad counts r <= 0."""
    r = apply_linear(x3, a, b, g)
    p = np.zeros((r.shape[0], 2, r.shape[1]))
    bad = int((r <= 0).sum())
    for c in range(r.shape[0]):
        for i in range(r.shape[1]):
            if want_sum:
                p[c, 0, i] = math.fsum(w[c][j] * r[c, i, j] for j in range(r.shape[2]))
            if bad == 0:
                p[c, 1, i] = math.fsum(w[c][j] * math.log(r[c, i, j]) for j in range(r.shape[2]))
    return p, bad


def log_shift_sums(x3, a, b, g):
    """sum_i ln(1 + r_ij) per cell and column."""
    r = apply_linear(x3, a, b, g)
    return np.array([[math.fsum(math.log(1 + v) for v in r[c, :, j]) for j in range(r.shape[2])]
                     for c in range(r.shape[0])])


def wsm(x, w, is_cost, normalize="sum"):
    """sum_j w_j r_ij."""
    r = normalize_columns(x, is_cost, normalize)
    return np.array([math.fsum(w[j] * r[i, j] for j in range(len(w))) for i in range(len(r))])


def wpm(x, w, is_cost, normalize="sum"):
    """prod_j r_ij ** w_j."""
    r = normalize_columns(x, is_cost, normalize)
    return np.array([math.prod(r[i, j] ** w[j] for j in range(len(w))) for i in range(len(r))])


def waspas(x, w, is_cost, normalize="max_ratio", lam=0.5):
    """lam WSM + (1 - lam) WPM on the same normalization."""
    return lam * wsm(x, w, is_cost, normalize) + (1 - lam) * wpm(x, w, is_cost, normalize)


def copras(x, w, is_cost):
    """Q_i = S+_i + S-min sum S- / (S-_i sum_k S-min / S-_k) (Zavadskas et al. 1994), d = w x / sum x."""
    x = np.asarray(x, dtype=float)
    n, m = x.shape
    d = [[w[j] * x[i, j] / math.fsum(x[:, j]) for j in range(m)] for i in range(n)]
    sp = [math.fsum(d[i][j] for j in range(m) if not is_cost[j]) for i in range(n)]
    sm = [math.fsum(d[i][j] for j in range(m) if is_cost[j]) for i in range(n)]
    if not any(is_cost):
        return np.array(sp)
    smin = min(sm)
    return np.array([sp[i] + smin * math.fsum(sm) / (sm[i] * math.fsum(smin / s for s in sm)) for i in range(n)])


def aras(x, w, is_cost, normalize="sum"):
    """K_i = S_i / S_0 with the optimal row (max benefit, min cost) normalized with the matrix."""
    x = np.asarray(x, dtype=float)
    x0 = [min(x[:, j]) if is_cost[j] else max(x[:, j]) for j in range(x.shape[1])]
    ext = np.vstack([x0, x])
    s = wsm(ext, w, is_cost, normalize)
    return s[1:] / s[0]


def moora(x, w, is_cost):
    """sum_benefit w x / ||x|| - sum_cost w x / ||x||."""
    x = np.asarray(x, dtype=float)
    norms = [math.sqrt(math.fsum(v * v for v in x[:, j])) for j in range(x.shape[1])]
    return np.array([math.fsum((-1 if is_cost[j] else 1) * w[j] * x[i, j] / norms[j] for j in range(x.shape[1]))
                     for i in range(x.shape[0])])


def mabac(x, w, is_cost, normalize="minmax"):
    """S_i = sum_j (v_ij - g_j), v = w (r + 1), g_j = (prod_i v_ij)^(1/n) (Pamucar & Cirovic 2015)."""
    r = normalize_columns(x, is_cost, normalize)
    n, m = r.shape
    v = [[w[j] * (r[i, j] + 1) for j in range(m)] for i in range(n)]
    g = [math.prod(v[i][j] for i in range(n)) ** (1 / n) for j in range(m)]
    return np.array([math.fsum(v[i][j] - g[j] for j in range(m)) for i in range(n)])
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


def sign_pair_counts(x, y):
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


sign_pair_counts_ordered = sign_pair_counts


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


# --- batched draws of the compromise methods ---


def vikor_draws(d, w, v=0.5, nan_mode=False):
    """Q per weight row from the normalized regrets d: S = sum w d, R = max(0, max w d)."""
    out = []
    for row in w:
        s = [math.fsum(row[j] * d[i][j] for j in range(len(row))) for i in range(len(d))]
        r = [max([0.0] + [row[j] * d[i][j] for j in range(len(row))]) for i in range(len(d))]
        out.append(vikor_q(s, r, v, nan_mode))
    return np.array(out)


def edas_draws(pda, nda, w):
    """AS per weight row from the distances from the average PDA, NDA."""
    out = []
    for row in w:
        sp = [math.fsum(row[j] * pda[i][j] for j in range(len(row))) for i in range(len(pda))]
        sn = [math.fsum(row[j] * nda[i][j] for j in range(len(row))) for i in range(len(nda))]
        out.append(edas_score(sp, sn))
    return np.array(out)


def codas_row(e, t, tau=0.02):
    """H for one row of distances: the paper's n x n matrix (:func:`codas_score`)."""
    return codas_score(e, t, tau)


def codas_draws(a, a2, w, tau=0.02):
    """H per weight row: E = sqrt(sum (w a)^2) with a2 = a^2, T = sum w a."""
    out = []
    for row in w:
        e = [math.sqrt(math.fsum(row[j] ** 2 * a2[i][j] for j in range(len(row)))) for i in range(len(a))]
        t = [math.fsum(row[j] * a[i][j] for j in range(len(row))) for i in range(len(a))]
        out.append(codas_score(e, t, tau))
    return np.array(out)


def marcos_draws(nm, anti, w):
    """f(K) per weight row from the normalized matrix and the normalized anti-ideal row."""
    out = []
    for row in w:
        s_ai = math.fsum(row)
        s_aai = math.fsum(row[j] * anti[j] for j in range(len(row)))
        f = []
        for i in range(len(nm)):
            s = math.fsum(row[j] * nm[i][j] for j in range(len(row)))
            kp, kn = s / s_ai, s / s_aai
            fp, fn = kn / (kp + kn), kp / (kp + kn)
            f.append((kp + kn) / (1 + (1 - fp) / fp + (1 - fn) / fn))
        out.append(f)
    return np.array(out)


def cocoso_draws(r, log_r, w, lam=0.5):
    """k per weight row: S = sum w r, P = sum r ** w (``log_r`` unused: the plain power)."""
    out = []
    for row in w:
        s = [math.fsum(row[j] * r[i][j] for j in range(len(row))) for i in range(len(r))]
        p = [math.fsum(r[i][j] ** row[j] for j in range(len(row))) for i in range(len(r))]
        out.append(cocoso_score(s, p, lam))
    return np.array(out)


def argsort_bucketed(e):
    """The permutation sorting by (value, index)."""
    return np.array(sorted(range(len(e)), key=lambda i: (e[i], i)), dtype=np.int64)


def exp_nonpositive(z):
    """exp(z); 0 below -708 and 1 for NaN (0 ** 0 of CoCoSo's r ** w)."""
    return np.array([1.0 if math.isnan(v) else (0.0 if v < -708.0 else math.exp(v)) for v in z])


def exp2_fractions():
    """2 ** (i / 32), i = 0 .. 31."""
    return np.array([2.0 ** (i / 32) for i in range(32)])


# --- serial helpers of the Monte Carlo summaries ---


def sort_values(a):
    """Ascending order by plain comparison (the values hold no NaN)."""
    return np.array(sorted(a.tolist()), dtype=np.float64)
# --- compromise kernels: one-matrix column statistics, logarithm ---


def matrix_stats(x):
    """Column min, max, sum, sum of squares of a 2-D matrix, and its count of non-finite values."""
    cols = [[float(v) for v in col] for col in np.asarray(x).T]
    return (np.array([min(c) for c in cols]), np.array([max(c) for c in cols]),
            np.array([math.fsum(c) for c in cols]), np.array([math.fsum(v * v for v in c) for c in cols]),
            int(sum(not math.isfinite(v) for c in cols for v in c)))


def log_nonnegative(x):
    """ln x; -inf at 0."""
    return np.array([math.log(v) if v > 0 else -math.inf for v in x])


def copras_q(P):
    """Q = S+ + sum S- / (S- sum 1 / S-) per row of P (n_rows, 2, n); Q = S+ where S- is all 0."""
    out = []
    for sp, sm in zip(P[:, 0], P[:, 1]):
        if all(v == 0 for v in sm):
            out.append(list(sp))
        else:
            tot, inv = math.fsum(sm), math.fsum(1.0 / v for v in sm)
            out.append([a + tot / (b * inv) for a, b in zip(sp, sm)])
    return np.array(out)


# --- TOPSIS on the raw matrix (kernels.distance.topsis_raw) ---

_TOPSIS_NORMALIZATIONS = {0: "max_ratio", 1: "minmax", 2: "vector", 3: "zscore"}


def topsis_raw(x, w, is_cost, method, form):
    """TOPSIS on raw values: every column by :func:`normalize_column` (a constant column 0), then
    :func:`topsis_index_matrix`; ``(index, d_pos, d_neg)``."""
    x = np.asarray(x, dtype=float)
    cols = [[0.0] * x.shape[0] if min(x[:, j]) == max(x[:, j]) else
            normalize_column(x[:, j], bool(is_cost[j]), _TOPSIS_NORMALIZATIONS[method]) for j in range(x.shape[1])]
    return topsis_index_matrix(np.array(cols).T, w, form)
