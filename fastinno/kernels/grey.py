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
  Compensated sums and dot products: Ogita, T., Rump, S. M. & Oishi, S. (2005) Accurate sum and
  dot product, SIAM J. Sci. Comput. 26(6):1955-1988 (Sum2, Dot2).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .twins import running_extreme

#: CFCS min/max scope codes (API strings "global" and "row").
SCOPE_GLOBAL = 0
SCOPE_ROW = 1

#: GM(1,1) series whose maximum lies in [2^-E, 2^E] for this E are fitted unscaled (their squares,
#: double-double error terms and sums stay far inside the normal range); others are scaled by a
#: power of two first.
SCALE_FREE_EXPONENT = 256
_SCALE_FREE_LOW = 2.0 ** -SCALE_FREE_EXPONENT
_SCALE_FREE_HIGH = 2.0 ** SCALE_FREE_EXPONENT

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
    k, n_rows, n_cols = lower.shape
    out = np.empty(lower.shape)
    for e in range(k):
        z = cfcs_crisp(lower[e], upper[e], scope)
        for i in range(n_rows):  # element loop: a slice assignment compiles numba's shape-error formatting
            for j in range(n_cols):
                out[e, i, j] = z[i, j]
    return out


def cfcs_crisp_numpy(lower, upper, scope):
    """:func:`cfcs_crisp` in numpy (the same operations, so the same bits; nothing to compile):
    for small matrices, where numba's compile time is the whole cost."""
    if scope == SCOPE_GLOBAL:
        mn = running_extreme(lower.ravel(), False)
        mx = running_extreme(upper.ravel(), True)
    else:  # per row
        mn = running_extreme(lower.T, False)[:, None]
        mx = running_extreme(upper.T, True)[:, None]
    d = mx - mn
    with np.errstate(invalid="ignore", divide="ignore"):
        lt = (lower - mn) / d
        ut = (upper - mn) / d
        y = (lt * (1.0 - lt) + ut * ut) / (1.0 - lt + ut)
        return np.where(d == 0.0, mn, mn + y * d)


def cfcs_experts_numpy(lower, upper, scope):
    """:func:`cfcs_experts` in numpy."""
    return np.stack([cfcs_crisp_numpy(lo, up, scope) for lo, up in zip(lower, upper, strict=True)])


@njit(cache=True)
def gm11_growth_factor(a):
    """-expm1(-a) / a = (1 - e^{-a}) / a, with its limit 1 at a = 0 (accurate for tiny |a|)."""
    if a == 0.0:
        return 1.0
    return -math.expm1(-a) / a


# --- double-double arithmetic (Dekker 1971; Hida, Li & Bailey 2001): value = hi + lo, |lo| <=
# ulp(hi)/2. GM(1,1)'s intercept g = b - a x0(1) is an extrapolation of the regression line to
# z = x0(1); for a growing series it is a small difference of large sums (plain double sums
# lose 8e-12 relative at a = -1, n = 12), so the least squares are carried with about 106 bits
# and rounded once.


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
    # the cheap ("sloppy") sum: error <= ~4 eps^2 (|a| + |b|), an absolute bound, which is all the
    # least squares need (their cancellation is bounded by the magnitudes of the sums)
    s, e = _two_sum(ah, bh)
    e += al + bl
    return _quick_two_sum(s, e)


@njit(cache=True)
def _dd_add_d(ah, al, b):
    s, e = _two_sum(ah, b)
    e += al
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
    return _quick_two_sum(q1, rh / bh)


@njit(cache=True)
def _dd_sqr(ah, al):
    p = ah * ah
    h, lo = _split(ah)
    e = ((h * h - p) + 2.0 * h * lo) + lo * lo
    e += 2.0 * ah * al
    return _quick_two_sum(p, e)


@njit(cache=True)
def _gm11_scaled(x, horizon, fitted, forecast, residuals, rel_err):
    """GM(1,1) of one series ``x`` (max within [2^-256, 2^256], scaled there if need be).

    Returns (a, b, mre, c, p, grade, ok).

    ``x`` may be the ``residuals`` row itself (the caller's scratch): each x[k] is read before
    residuals[k] is written, and never after.
    """
    n = x.shape[0]
    m = float(n - 1)
    # Regression of y(k) = x0(k) on z(k) = x1(k-1) + x0(k)/2, k = 2..n, on shifted copies:
    # u(k) = y(k) - y(2) and w(k) = z(k) - z(2) = sum_{j=3..k} (x0(j-1) + x0(j))/2, so a
    # constant series gives u = 0 exactly (a = 0, b = x0 exactly) and small values are never
    # absorbed into the large cumulative sum x1. One pass of compensated sums; the centred
    # sums Szz = Sww - Sw^2/m, Szy = Swu - Sw Su/m lose a few of their ~106 bits at most.
    y_ref = x[1]
    # Each sum is a pair (s, c): s the float sum, c the running sum of every rounding error
    # (two_sum / two_prod), as in Ogita, Rump & Oishi's Sum2 / Dot2 -- as accurate as twice the
    # working precision, and cheaper than renormalising a double-double at every step.
    w_h, w_l = 0.0, 0.0
    sw_h, sw_l = 0.0, 0.0
    su_h, su_l = 0.0, 0.0
    sww_h, sww_l = 0.0, 0.0
    swu_h, swu_l = 0.0, 0.0
    for k in range(1, n):
        if k > 1:
            w_h, t = _two_sum(w_h, 0.5 * x[k - 1])
            w_l += t
            w_h, t = _two_sum(w_h, 0.5 * x[k])
            w_l += t
        u_h, u_l = _two_sum(x[k], -y_ref)
        sw_h, t = _two_sum(sw_h, w_h)
        sw_l += t + w_l
        su_h, t = _two_sum(su_h, u_h)
        su_l += t + u_l
        wh_hi, wh_lo = _split(w_h)
        uh_hi, uh_lo = _split(u_h)
        p = w_h * w_h
        e = ((wh_hi * wh_hi - p) + 2.0 * wh_hi * wh_lo) + wh_lo * wh_lo
        sww_h, t = _two_sum(sww_h, p)
        sww_l += t + e + 2.0 * w_h * w_l
        p = w_h * u_h
        e = ((wh_hi * uh_hi - p) + wh_hi * uh_lo + wh_lo * uh_hi) + wh_lo * uh_lo
        swu_h, t = _two_sum(swu_h, p)
        swu_l += t + e + w_h * u_l + w_l * u_h
    sw_h, sw_l = _two_sum(sw_h, sw_l)
    su_h, su_l = _two_sum(su_h, su_l)
    sww_h, sww_l = _two_sum(sww_h, sww_l)
    swu_h, swu_l = _two_sum(swu_h, swu_l)
    # m Szz = m Sww - Sw^2, m Szy = m Swu - Sw Su (no division until the slope)
    t_h, t_l = _dd_sqr(sw_h, sw_l)
    q_h, q_l = _dd_mul(sww_h, sww_l, m, 0.0)
    szz_h, szz_l = _dd_add(q_h, q_l, -t_h, -t_l)
    t_h, t_l = _dd_mul(sw_h, sw_l, su_h, su_l)
    q_h, q_l = _dd_mul(swu_h, swu_l, m, 0.0)
    szy_h, szy_l = _dd_add(q_h, q_l, -t_h, -t_l)
    if not szz_h > 0.0:
        # the background values coincide in floating point: no fit (the API layer raises)
        for k in range(n):
            fitted[k] = np.nan
            residuals[k] = np.nan
            rel_err[k] = np.nan
        for k in range(horizon):
            forecast[k] = np.nan
        return np.nan, np.nan, np.nan, np.nan, np.nan, GRADE_UNQUALIFIED, False
    sl_h, sl_l = _dd_div(szy_h, szy_l, szz_h, szz_l)
    a = 0.0 - sl_h  # +0.0 when the slope is 0
    # b = ybar - slope zbar, zbar = z(2) + wbar = x0(1) + x0(2)/2 + wbar; the restoration needs
    # g = b - a x0(1) = ybar - slope (x0(2)/2 + wbar)
    #   = y(2) - slope x0(2)/2 + (Su - slope Sw)/m, computed without forming b first.
    t_h, t_l = _dd_mul(sl_h, sl_l, sw_h, sw_l)
    t_h, t_l = _dd_add(su_h, su_l, -t_h, -t_l)
    t_h, t_l = _dd_div(t_h, t_l, m, 0.0)
    q_h, q_l = _dd_mul(sl_h, sl_l, -0.5 * x[1], 0.0)
    q_h, q_l = _dd_add_d(q_h, q_l, y_ref)
    g_h, g_l = _dd_add(q_h, q_l, t_h, t_l)
    t_h, t_l = _dd_mul(sl_h, sl_l, x[0], 0.0)
    b = _dd_add(g_h, g_l, -t_h, -t_l)[0]
    g = g_h
    # x0hat(k+1) = g e^{-a(k-1)} (1 - e^{-a})/a; for a < 0 as g e^{-ak} (e^a - 1)/a, whose factor
    # lies in (0, 1), so nothing overflows before the value itself does
    if a < 0.0:
        shift = 0.0
        factor = g * (math.expm1(a) / a)
    else:
        shift = 1.0
        factor = g * gm11_growth_factor(a)
    fitted[0] = x[0]
    for k in range(1, n + horizon):
        v = factor * math.exp(-a * (k - shift))
        if k < n:
            fitted[k] = v
        else:
            forecast[k - n] = v
    # class ratios and S1 first: x may be the residuals row
    lo = math.exp(-2.0 / (n + 1))
    hi = math.exp(2.0 / (n + 1))
    ok = True
    xbar = 0.0
    for k in range(n):
        xbar += x[k]
        if k > 0:
            lam = x[k - 1] / x[k]
            if not (lo < lam < hi):
                ok = False
    xbar /= n
    s1 = 0.0
    for k in range(n):
        s1 += (x[k] - xbar) ** 2
    s1 = math.sqrt(s1 / n)
    # residuals and relative errors (k = 1..n, the first is 0 by construction)
    ebar = 0.0
    mre = 0.0
    for k in range(n):
        xk = x[k]
        r = xk - fitted[k]
        residuals[k] = r
        rel_err[k] = abs(r) / xk
        ebar += r
        if k > 0:
            mre += rel_err[k]
    ebar /= n
    mre /= n - 1
    s2 = 0.0
    for k in range(n):
        s2 += (residuals[k] - ebar) ** 2
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
    return a, b, mre, c, p, grade, ok


@njit(cache=True)
def _gm11_one(x0, horizon, fitted, forecast, residuals, rel_err):
    """Fit one series; fill the output rows; return (a, b, mre, c, p, grade, class_ratio_ok).

    The series is divided by 2^e with e from frexp(max x0) (exact: a power of two) into the
    ``residuals`` row, fitted, and b, the fitted values, forecasts and residuals are multiplied
    back by 2^e (exact unless a value overflows); a, the relative errors, C, P and the tests do
    not depend on the scale.
    """
    n = x0.shape[0]
    mx = x0[0]
    for k in range(1, n):
        if x0[k] > mx:
            mx = x0[k]
    e = 0
    if not _SCALE_FREE_LOW <= mx < _SCALE_FREE_HIGH:
        e = math.frexp(mx)[1]
    # else: every operation of the fit is exact under power-of-two scaling as long as nothing
    # under- or overflows, which this band guarantees: scaling would change no bit
    for k in range(n):
        residuals[k] = math.ldexp(x0[k], -e) if e != 0 else x0[k]
    a, b, mre, c, p, grade, ok = _gm11_scaled(residuals, horizon, fitted, forecast, residuals, rel_err)
    if e != 0:
        for k in range(n):
            fitted[k] = math.ldexp(fitted[k], e)
            residuals[k] = math.ldexp(residuals[k], e)
        for k in range(horizon):
            forecast[k] = math.ldexp(forecast[k], e)
        b = math.ldexp(b, e)
    return a, b, mre, c, p, grade, ok


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


#: Serial below this many cells (series x length): a parallel region costs more than it saves
#: (measured with the compensated fit, n = 10, 2 threads: about even at 2,000 series, parallel
#: 1.3x faster at 5,000 and 2x at 10,000).
PARALLEL_MIN_CELLS = 50_000


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

    Numerics: a series whose maximum lies outside [2^-256, 2^256] is divided by 2^e,
    e = frexp(max x0), and b, fitted, forecast and residuals are multiplied back (exact: values
    from 1e-300 to 1e300 neither underflow nor overflow); every operation is exact under
    power-of-two scaling, so s x gives exactly s times the values for powers of two s. The
    regression runs on y(k) - y(2) and z(k) - z(2) (sums of the pairs (x0(j-1) + x0(j))/2)
    with compensated sums and products (Ogita, Rump & Oishi 2005), the post-processing in
    double-double arithmetic (Dekker 1971), and g = b - a x0(1) = ybar - slope (zbar - x0(1))
    is formed without b. Against the exact least-squares GM(1,1) of the float inputs the values
    are within 5e-15 relative (measured over |a| <= 2, n <= 24, normal-range values). A
    constant series gives u = 0, so a = 0, b = x0 and every value equals the constant exactly;
    its residuals are 0 and C = 0 (S1 = 0 is defined as C = 0 for a perfect fit), P = 1. If the
    background values coincide in floating point (later values negligible next to the first)
    the row's a, b, values and figures are NaN. A value beyond the float range is inf (the API
    layer reports it).

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
