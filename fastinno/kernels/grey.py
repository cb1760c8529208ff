"""Grey-system kernels: CFCS whitening of grey matrices and batched GM(1,1).

Arrays in, arrays out; inputs already validated by the API layer (float64, C-contiguous).

Sources
-------
- CFCS (Converting Fuzzy data into Crisp Scores) for grey numbers: Bai, C. & Sarkis, J. (2013)
  A grey-based DEMATEL model for evaluating business process management critical success
  factors, Int. J. Production Economics 146(1):281-292, steps 3a-3d; used by Xia, Li & Yin
  (2020) Sustainability 12(7):2739, section 3.1.2.
- GM(1,1): Deng Julong (1982); Liu Sifeng et al., *Grey Systems: Theory and Applications*
  (Springer), ch. 7 (model, posterior-variance test C = S2/S1, small error probability P,
  class-ratio test).
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
def _x1hat(x0_first, a, b, k):
    """Time response x1hat(k+1) = (x0(1) - b/a) e^{-ak} + b/a (limit x0(1) + b k when a = 0)."""
    if a == 0.0:
        return x0_first + b * k
    return (x0_first - b / a) * math.exp(-a * k) + b / a


@njit(cache=True)
def _gm11_one(x0, horizon, fitted, forecast, residuals, rel_err):
    """Fit one series; fill the output rows; return (a, b, mre, c, p, grade, class_ratio_ok)."""
    n = x0.shape[0]
    m = n - 1
    # 1-AGO and background values z(k) = (x1(k) + x1(k-1)) / 2, k = 2..n (two passes)
    x1 = x0[0]
    zbar = 0.0
    ybar = 0.0
    for k in range(1, n):
        x1_prev = x1
        x1 = x1 + x0[k]
        zbar += 0.5 * x1 + 0.5 * x1_prev
        ybar += x0[k]
    zbar /= m
    ybar /= m
    # OLS of x0(k) = -a z(k) + b (centred normal equations)
    szz = 0.0
    szy = 0.0
    x1 = x0[0]
    for k in range(1, n):
        x1_prev = x1
        x1 = x1 + x0[k]
        dz = 0.5 * x1 + 0.5 * x1_prev - zbar
        szz += dz * dz
        szy += dz * (x0[k] - ybar)
    slope = szy / szz
    a = -slope
    b = ybar - slope * zbar
    # restore by differencing x1hat
    fitted[0] = x0[0]
    prev = _x1hat(x0[0], a, b, 0)
    for k in range(1, n + horizon):
        cur = _x1hat(x0[0], a, b, k)
        if k < n:
            fitted[k] = cur - prev
        else:
            forecast[k - n] = cur - prev
        prev = cur
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
    if s1 > 0.0:
        c = s2 / s1
    elif s2 == 0.0:
        c = 0.0
    else:
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
    x1 = cumsum(x0); z(k) = (x1(k) + x1(k-1))/2; (a, b) by least squares of
    x0(k) = -a z(k) + b, k = 2..n; x1hat(k+1) = (x0(1) - b/a) e^{-ak} + b/a; x0hat(1) = x0(1),
    x0hat(k+1) = x1hat(k+1) - x1hat(k). S1, S2: population standard deviations of x0 and of the
    residuals (k = 1..n); P = share of |e(k) - mean e| < 0.6745 S1. Class ratio
    x0(k-1)/x0(k) must lie in (e^{-2/(n+1)}, e^{2/(n+1)}). Liu Sifeng et al., ch. 7.
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
