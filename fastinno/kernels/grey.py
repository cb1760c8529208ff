"""Grey-system kernels: CFCS whitening of grey matrices and batched GM(1,1).

Arrays in, arrays out; inputs already validated by the API layer (float64, C-contiguous).

Sources
-------
- CFCS (Converting Fuzzy data into Crisp Scores) for grey numbers: Bai, C. & Sarkis, J. (2013)
  A grey-based DEMATEL model for evaluating business process management critical success
  factors, Int. J. Production Economics 146(1):281-292, steps 3a-3d; used by Xia, Li & Yin
  (2020) Sustainability 12(7):2739, section 3.1.2.
- GM(1,1): Deng Julong (1982) Control problems of grey systems, Systems & Control Letters
  1(5):288-294; Liu Sifeng & Lin Yi, *Grey Systems: Theory and Applications* (Springer), ch. 7
  (model, posterior-variance test C = S2/S1, small error probability P, class-ratio test).
- Double-double arithmetic: Dekker, T. J. (1971) A floating-point technique for extending the
  available precision, Numer. Math. 18:224-242; Hida, Li & Bailey (2001) QD library.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

#: CFCS min/max scope codes (API strings "global" and "row").
SCOPE_GLOBAL = 0
SCOPE_ROW = 1

#: GM(1,1) grade codes (API strings in ``fastinno.methods.forecast.GRADES``).
GRADE_GOOD = 1
GRADE_QUALIFIED = 2
GRADE_BARELY = 3
GRADE_UNQUALIFIED = 4


@njit(cache=True)
def _cfcs_block(lower, upper, out, r0, r1, c0, c1, mn, mx):
    """CFCS of ``lower/upper[r0:r1, c0:c1]`` with the given min/max, written into ``out``."""
    d = mx - mn
    for i in range(r0, r1):
        for j in range(c0, c1):
            if d == 0.0:
                # every grey number in scope is the same white number [mn, mn]
                out[i, j] = mn
                continue
            lt = (lower[i, j] - mn) / d
            ut = (upper[i, j] - mn) / d
            y = (lt * (1.0 - lt) + ut * ut) / (1.0 - lt + ut)
            out[i, j] = mn + y * d


@njit(cache=True)
def cfcs_crisp(lower, upper, scope):
    """Crisp values of one grey matrix by CFCS.

    Parameters
    ----------
    lower, upper : float64 (n, n)
        Grey bounds, ``lower <= upper`` (input already validated).
    scope : int
        ``SCOPE_GLOBAL`` (min lower / max upper over the whole matrix) or ``SCOPE_ROW``
        (within each row).

    Returns
    -------
    float64 (n, n)

    Notes
    -----
    With mn = min l, mx = max u, D = mx - mn: l~ = (l - mn)/D, u~ = (u - mn)/D,
    Y = (l~(1 - l~) + u~ u~) / (1 - l~ + u~), z = mn + Y D. When D = 0 every grey number in scope
    is [mn, mn] and z = mn. Bai & Sarkis (2013), steps 3a-3d.
    """
    n_rows, n_cols = lower.shape
    out = np.empty((n_rows, n_cols))
    if scope == SCOPE_GLOBAL:
        mn = lower[0, 0]
        mx = upper[0, 0]
        for i in range(n_rows):
            for j in range(n_cols):
                if lower[i, j] < mn:
                    mn = lower[i, j]
                if upper[i, j] > mx:
                    mx = upper[i, j]
        _cfcs_block(lower, upper, out, 0, n_rows, 0, n_cols, mn, mx)
    else:
        for i in range(n_rows):
            mn = lower[i, 0]
            mx = upper[i, 0]
            for j in range(n_cols):
                if lower[i, j] < mn:
                    mn = lower[i, j]
                if upper[i, j] > mx:
                    mx = upper[i, j]
            _cfcs_block(lower, upper, out, i, i + 1, 0, n_cols, mn, mx)
    return out


@njit(cache=True)
def cfcs_experts(lower, upper, scope):
    """CFCS per expert: float64 (n_experts, n, n) bounds -> (n_experts, n, n) crisp values."""
    k = lower.shape[0]
    out = np.empty(lower.shape)
    for e in range(k):
        out[e] = cfcs_crisp(lower[e], upper[e], scope)
    return out


@njit(cache=True)
def gm11_growth_factor(a):
    """-expm1(-a) / a = (1 - e^{-a}) / a, with its limit 1 at a = 0 (accurate for tiny |a|)."""
    if a == 0.0:
        return 1.0
    return -math.expm1(-a) / a


@njit(cache=True)
def gm11_restored(g, a, k):
    """x0hat(k+1) = g e^{-a(k-1)} (1 - e^{-a}) / a for k >= 1, g = b - a x0(1).

    For a < 0 the same value is computed as g e^{-ak} (e^{a} - 1) / a, whose factor lies in
    (0, 1), so no intermediate overflows before the value itself does.
    """
    if a < 0.0:
        return g * math.exp(-a * k) * (math.expm1(a) / a)
    return g * math.exp(-a * (k - 1)) * gm11_growth_factor(a)


# --- double-double arithmetic (Dekker 1971; Hida, Li & Bailey 2001): value = hi + lo, |lo| <=
# ulp(hi)/2. GM(1,1)'s intercept g = b - a x0(1) is an extrapolation of the regression line to
# z = x0(1); for a growing series it is a small difference of large sums, so the least squares
# are accumulated with about 106 bits and rounded once.


@njit(cache=True)
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(cache=True)
def _quick_two_sum(a, b):
    s = a + b
    return s, b - (s - a)


@njit(cache=True)
def _split(a):
    c = 134217729.0 * a  # 2^27 + 1
    hi = c - (c - a)
    return hi, a - hi


@njit(cache=True)
def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


@njit(cache=True)
def _dd_add(ah, al, bh, bl):
    s, e = _two_sum(ah, bh)
    t, f = _two_sum(al, bl)
    e += t
    s, e = _quick_two_sum(s, e)
    e += f
    return _quick_two_sum(s, e)


@njit(cache=True)
def _dd_mul(ah, al, bh, bl):
    p, e = _two_prod(ah, bh)
    e += ah * bl + al * bh
    return _quick_two_sum(p, e)


@njit(cache=True)
def _dd_div(ah, al, bh, bl):
    q1 = ah / bh
    ph, pl = _dd_mul(q1, 0.0, bh, bl)
    rh, rl = _dd_add(ah, al, -ph, -pl)
    q2 = rh / bh
    ph, pl = _dd_mul(q2, 0.0, bh, bl)
    rh, rl = _dd_add(rh, rl, -ph, -pl)
    q3 = rh / bh
    q1, q2 = _quick_two_sum(q1, q2)
    return _dd_add(q1, q2, q3, 0.0)


@njit(cache=True)
def _gm11_scaled(x0, horizon, fitted, forecast, residuals, rel_err):
    """GM(1,1) of one series scaled into [0.5, 1): returns (a, b, g, mre, c, p, grade, ok)."""
    n = x0.shape[0]
    m = float(n - 1)
    # Regression of y(k) = x0(k) on z(k) = x1(k-1) + x0(k)/2, k = 2..n, on shifted copies:
    # u(k) = y(k) - y(2) and w(k) = z(k) - z(2) = sum_{j=3..k} (x0(j-1) + x0(j))/2, so a
    # constant series gives u = 0 exactly (a = 0, b = x0 exactly) and small values are never
    # absorbed into the large cumulative sum x1. Sums in double-double.
    y_ref = x0[1]
    su_h, su_l = 0.0, 0.0
    sw_h, sw_l = 0.0, 0.0
    w_h, w_l = 0.0, 0.0
    for k in range(1, n):
        if k > 1:
            w_h, w_l = _dd_add(w_h, w_l, 0.5 * x0[k - 1], 0.0)
            w_h, w_l = _dd_add(w_h, w_l, 0.5 * x0[k], 0.0)
        sw_h, sw_l = _dd_add(sw_h, sw_l, w_h, w_l)
        u_h, u_l = _two_sum(x0[k], -y_ref)
        su_h, su_l = _dd_add(su_h, su_l, u_h, u_l)
    ub_h, ub_l = _dd_div(su_h, su_l, m, 0.0)
    wb_h, wb_l = _dd_div(sw_h, sw_l, m, 0.0)
    szz_h, szz_l = 0.0, 0.0
    szy_h, szy_l = 0.0, 0.0
    w_h, w_l = 0.0, 0.0
    for k in range(1, n):
        if k > 1:
            w_h, w_l = _dd_add(w_h, w_l, 0.5 * x0[k - 1], 0.0)
            w_h, w_l = _dd_add(w_h, w_l, 0.5 * x0[k], 0.0)
        dz_h, dz_l = _dd_add(w_h, w_l, -wb_h, -wb_l)
        u_h, u_l = _two_sum(x0[k], -y_ref)
        du_h, du_l = _dd_add(u_h, u_l, -ub_h, -ub_l)
        t_h, t_l = _dd_mul(dz_h, dz_l, dz_h, dz_l)
        szz_h, szz_l = _dd_add(szz_h, szz_l, t_h, t_l)
        t_h, t_l = _dd_mul(dz_h, dz_l, du_h, du_l)
        szy_h, szy_l = _dd_add(szy_h, szy_l, t_h, t_l)
    if not szz_h > 0.0:
        # the background values coincide in floating point: no fit (the API layer raises)
        for k in range(n):
            fitted[k] = np.nan
            residuals[k] = np.nan
            rel_err[k] = np.nan
        for k in range(horizon):
            forecast[k] = np.nan
        return np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, GRADE_UNQUALIFIED, False
    sl_h, sl_l = _dd_div(szy_h, szy_l, szz_h, szz_l)
    a = 0.0 - sl_h  # +0.0 when the slope is 0
    # b = ybar - slope zbar, zbar = z(2) + wbar = x0(1) + x0(2)/2 + wbar; the restoration needs
    # g = b - a x0(1) = ybar - slope (x0(2)/2 + wbar), computed without forming b first.
    yb_h, yb_l = _dd_add(y_ref, 0.0, ub_h, ub_l)
    t_h, t_l = _dd_add(wb_h, wb_l, 0.5 * x0[1], 0.0)
    t_h, t_l = _dd_mul(sl_h, sl_l, t_h, t_l)
    g_h, g_l = _dd_add(yb_h, yb_l, -t_h, -t_l)
    t_h, t_l = _dd_mul(sl_h, sl_l, x0[0], 0.0)
    b = _dd_add(g_h, g_l, -t_h, -t_l)[0]
    g = g_h
    fitted[0] = x0[0]
    for k in range(1, n + horizon):
        v = gm11_restored(g, a, k)
        if k < n:
            fitted[k] = v
        else:
            forecast[k - n] = v
    # accuracy: residuals, relative errors (k = 1..n, the first is 0 by construction)
    ebar = 0.0
    xbar = 0.0
    mre = 0.0
    for k in range(n):
        residuals[k] = x0[k] - fitted[k]
        rel_err[k] = abs(residuals[k]) / x0[k]
        ebar += residuals[k]
        xbar += x0[k]
        if k > 0:
            mre += rel_err[k]
    ebar /= n
    xbar /= n
    mre /= n - 1
    s1 = 0.0
    s2 = 0.0
    for k in range(n):
        s1 += (x0[k] - xbar) ** 2
        s2 += (residuals[k] - ebar) ** 2
    s1 = math.sqrt(s1 / n)
    s2 = math.sqrt(s2 / n)
    if s2 == 0.0:
        # a perfect fit (every constant series is one): C = 0, P = 1
        c = 0.0
    elif s1 > 0.0:
        c = s2 / s1
    else:  # pragma: no cover - S1 = 0 means a constant series, which is fitted exactly
        c = np.inf
    limit = 0.6745 * s1
    hits = 0
    for k in range(n):
        d = abs(residuals[k] - ebar)
        if d < limit or (s2 == 0.0 and d == 0.0):
            hits += 1
    p = hits / n
    if c <= 0.35 and p >= 0.95:
        grade = GRADE_GOOD
    elif c <= 0.5 and p >= 0.8:
        grade = GRADE_QUALIFIED
    elif c <= 0.65 and p >= 0.7:
        grade = GRADE_BARELY
    else:
        grade = GRADE_UNQUALIFIED
    lo = math.exp(-2.0 / (n + 1))
    hi = math.exp(2.0 / (n + 1))
    ok = True
    for k in range(1, n):
        lam = x0[k - 1] / x0[k]
        if not (lo < lam < hi):
            ok = False
    return a, b, g, mre, c, p, grade, ok


@njit(cache=True)
def _gm11_one(x0, horizon, fitted, forecast, residuals, rel_err):
    """Fit one series; fill the output rows; return (a, b, mre, c, p, grade, class_ratio_ok).

    The series is divided by 2^e with e from frexp(max x0) (exact: a power of two), fitted, and
    b, the fitted values, forecasts and residuals are multiplied back by 2^e (exact unless a
    value overflows); a, the relative errors, C, P and the tests do not depend on the scale.
    """
    n = x0.shape[0]
    mx = x0[0]
    for k in range(1, n):
        if x0[k] > mx:
            mx = x0[k]
    e = math.frexp(mx)[1]
    xs = np.empty(n)
    for k in range(n):
        xs[k] = math.ldexp(x0[k], -e)
    a, b, _g, mre, c, p, grade, ok = _gm11_scaled(xs, horizon, fitted, forecast, residuals, rel_err)
    for k in range(n):
        fitted[k] = math.ldexp(fitted[k], e)
        residuals[k] = math.ldexp(residuals[k], e)
    for k in range(horizon):
        forecast[k] = math.ldexp(forecast[k], e)
    return a, math.ldexp(b, e), mre, c, p, grade, ok


@njit(cache=True)
def _gm11_row(x0, horizon, s, params, grade, ok, fitted, residuals, rel_err, forecast):
    a, b, mre, c, p, g, r_ok = _gm11_one(
        x0[s], horizon, fitted[s], forecast[s], residuals[s], rel_err[s]
    )
    params[s, 0] = a
    params[s, 1] = b
    params[s, 2] = mre
    params[s, 3] = c
    params[s, 4] = p
    grade[s] = g
    ok[s] = r_ok


@njit(cache=True, parallel=True)
def _gm11_rows_parallel(x0, horizon, params, grade, ok, fitted, residuals, rel_err, forecast):
    for s in prange(x0.shape[0]):
        _gm11_row(x0, horizon, s, params, grade, ok, fitted, residuals, rel_err, forecast)


@njit(cache=True)
def _gm11_rows_serial(x0, horizon, params, grade, ok, fitted, residuals, rel_err, forecast):
    for s in range(x0.shape[0]):
        _gm11_row(x0, horizon, s, params, grade, ok, fitted, residuals, rel_err, forecast)


#: Serial below this many cells (series x length): a parallel region costs more than it saves.
PARALLEL_MIN_CELLS = 200_000


def gm11_batch(x0, horizon):
    """Fit GM(1,1) to many series of equal length at once.

    Parameters
    ----------
    x0 : float64 (n_series, n), n >= 4, all values > 0 (input already validated)
    horizon : int >= 0

    Returns
    -------
    params : float64 (n_series, 5)
        columns a, b, mean relative error (k = 2..n), C = S2/S1, P
    grade : int64 (n_series,)
        1 good, 2 qualified, 3 barely qualified, 4 unqualified
    class_ratio_ok : bool (n_series,)
    fitted, residuals, relative_errors : float64 (n_series, n)
    forecast : float64 (n_series, horizon)

    Notes
    -----
    Model (Deng 1982; Liu Sifeng et al., *Grey Systems: Theory and Applications*, ch. 7):
    x1 = cumsum(x0); z(k) = (x1(k) + x1(k-1))/2; (a, b) by least squares of x0(k) = -a z(k) + b,
    k = 2..n; x1hat(k+1) = (x0(1) - b/a) e^{-ak} + b/a. Differencing x1hat cancels, so the values
    are restored in the equivalent closed form

        x0hat(1) = x0(1),  x0hat(k+1) = (b - a x0(1)) e^{-a(k-1)} (1 - e^{-a})/a,  k >= 1,

    with (1 - e^{-a})/a = -expm1(-a)/a -> 1 as a -> 0 (for a < 0 evaluated as
    e^{-ak} expm1(a)/a, so no factor overflows before the value does).

    Numerics: each series is divided by 2^e, e = frexp(max x0), and b, fitted, forecast and
    residuals are multiplied back (exact: values from 1e-300 to 1e300 neither underflow nor
    overflow, and s x gives exactly s times the values for powers of two s). The regression
    runs on y(k) - y(2) and z(k) - z(2) (sums of the pairs (x0(j-1) + x0(j))/2), centred, in
    double-double arithmetic (Dekker 1971), and g = b - a x0(1) = ybar - slope (zbar - x0(1))
    is formed without b: the values are within a few ulps of the exact least-squares GM(1,1)
    of the float inputs (|a| <= 2, n <= 24 measured). A constant series gives u = 0, so a = 0,
    b = x0 and every value equals the constant exactly; its residuals are 0 and C = 0 (S1 = 0 is
    defined as C = 0 for a perfect fit), P = 1. If the background values coincide in floating
    point (later values negligible next to the first) the row's a, b, values and figures are
    NaN. A value beyond the float range is inf (the API layer reports it).

    Accuracy: S1, S2 are population standard deviations of x0 and of the residuals (k = 1..n);
    C = S2/S1; P = share of |e(k) - mean e| < 0.6745 S1 (all k when every residual is 0). Class
    ratio x0(k-1)/x0(k) must lie in (e^{-2/(n+1)}, e^{2/(n+1)}). Liu Sifeng et al., ch. 7.
    Series run in parallel (prange) when n_series * n >= PARALLEL_MIN_CELLS, else serially;
    each series' numbers are the same either way.
    """
    n_series, n = x0.shape
    params = np.empty((n_series, 5))
    grade = np.empty(n_series, dtype=np.int64)
    ok = np.empty(n_series, dtype=np.bool_)
    fitted = np.empty((n_series, n))
    residuals = np.empty((n_series, n))
    rel_err = np.empty((n_series, n))
    forecast = np.empty((n_series, horizon))
    run = _gm11_rows_parallel if n_series * n >= PARALLEL_MIN_CELLS else _gm11_rows_serial
    run(x0, int(horizon), params, grade, ok, fitted, residuals, rel_err, forecast)
    return params, grade, ok, fitted, residuals, rel_err, forecast
