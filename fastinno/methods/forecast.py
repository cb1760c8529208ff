"""GM(1,1) grey forecasts for short series: one series, or every region of a scores frame.

Model (Deng 1982; Liu Sifeng et al., *Grey Systems: Theory and Applications*, ch. 7; used by
Xia, Li & Yin 2020 for short provincial series): 1-AGO x1 = cumsum(x0), background values
z(k) = (x1(k) + x1(k-1)) / 2, least squares for (a, b) in x0(k) + a z(k) = b (k = 2..n),
x1hat(k+1) = (x0(1) - b/a) e^{-ak} + b/a, restored by differencing. Accuracy: residuals,
relative errors, posterior variance ratio C = S2/S1, small error probability P, grade; the
class-ratio test decides whether the series suits the model.

Numerics (see :func:`fastinno.kernels.grey.gm11_batch`): each series is scaled by a power of two
(exact), the least squares run on shifted values in double-double arithmetic, and values are
restored as x0hat(k+1) = (b - a x0(1)) e^{-a(k-1)} (1 - e^{-a})/a, which does not cancel and
tends to b - a x0(1) = b as a -> 0. A constant series is fitted exactly: a = 0, b and every
fitted and forecast value equal to the constant, residuals 0, C = 0, P = 1, grade "good".

Horizon policy: ``horizon`` is at most ``fastinno._config.FORECAST_MAX_HORIZON`` (100; larger is
an error); a horizon longer than the series warns (extrapolation far beyond the data); a fitted
or forecast value that overflows the float range is returned as NaN with a warning naming where.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import polars as pl

from .. import _config
from ..errors import DegenerateDataError, FastinnoWarning, InputError, SchemaError, format_keys
from ..kernels import grey as kg
from ..results import ForecastResult, GM11Result

__all__ = ["gm11", "forecast", "GRADES"]

#: Grade code -> name (kernel codes 1..4).
GRADES = {
    kg.GRADE_GOOD: "good",
    kg.GRADE_QUALIFIED: "qualified",
    kg.GRADE_BARELY: "barely qualified",
    kg.GRADE_UNQUALIFIED: "unqualified",
}

_MIN_LENGTH = 4

_OUT_SCHEMA = {
    "year": pl.Int64,
    "kind": pl.String,
    "observed": pl.Float64,
    "value": pl.Float64,
    "a": pl.Float64,
    "b": pl.Float64,
    "C": pl.Float64,
    "P": pl.Float64,
    "grade": pl.String,
    "mean_relative_error": pl.Float64,
    "class_ratio_ok": pl.Boolean,
}


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 0:
        raise InputError(f"horizon must be a non-negative integer; got {horizon!r}.")
    limit = _config.FORECAST_MAX_HORIZON
    if horizon > limit:
        raise InputError(
            f"horizon {int(horizon)} exceeds the limit of {limit} steps "
            "(fastinno._config.FORECAST_MAX_HORIZON): GM(1,1) forecasts that far beyond a short "
            f"series are meaningless extrapolation. Use a horizon of at most {limit}."
        )
    return int(horizon)


def _warn_long_horizon(h: int, n: int, where: str) -> None:
    if h > n:
        warnings.warn(
            f"GM(1,1) forecast horizon {h} exceeds the length of {where} ({n} observations): "
            "forecasts this far beyond the data are extrapolation; treat them with caution.",
            FastinnoWarning,
            stacklevel=3,
        )


def _no_fit_error(where: str) -> DegenerateDataError:
    return DegenerateDataError(
        f"GM(1,1) cannot be fitted to {where}: its background values z(k) coincide in floating "
        "point (the later values are negligible next to the first). Drop the outlying first "
        "value(s) or rescale the series."
    )


def _overflow_to_nan(values: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-finite entries, which are set to NaN in place."""
    bad = ~np.isfinite(values)
    values[bad] = np.nan
    return bad


def _ratio_bounds(n: int) -> tuple[float, float]:
    return math.exp(-2.0 / (n + 1)), math.exp(2.0 / (n + 1))


def gm11(series, horizon: int = 0) -> GM11Result:
    """Fit GM(1,1) to one positive series and forecast ``horizon`` steps.

    Parameters
    ----------
    series : array-like of float, length n >= 4, all values > 0
    horizon : int, default 0

    Returns
    -------
    GM11Result
        ``a``, ``b``, ``fitted`` (n values, fitted[0] = series[0]), ``forecast`` (horizon
        values), ``residuals``, ``relative_errors``, ``mean_relative_error`` (over k = 2..n),
        ``C``, ``P``, ``grade``, ``class_ratios``, ``class_ratio_ok``.

    Raises
    ------
    InputError
        ``horizon`` negative, not an integer, or above ``fastinno._config.FORECAST_MAX_HORIZON``.
    DegenerateDataError
        Fewer than 4 values, a value <= 0, or background values that coincide in floating point.

    Warns
    -----
    FastinnoWarning
        When a class ratio x0(k-1)/x0(k) falls outside (e^{-2/(n+1)}, e^{2/(n+1)}): the series
        is not smooth enough for GM(1,1) (consider a translation or a different model). When
        ``horizon`` exceeds n (extrapolation far beyond the data). When a fitted or forecast
        value overflows the float range: it is NaN, and the warning names its step.

    Notes
    -----
    See the module docstring. x0hat(k+1) = (b - a x0(1)) e^{-a(k-1)} (1 - e^{-a})/a, whose
    limit at a = 0 is b: a constant series gives a = 0 and every value equal to the constant,
    with C = 0 and P = 1 (residuals all 0). ``gm11(s * x)`` equals ``s * gm11(x)`` exactly
    (fitted, forecast, b, residuals; a, C, P unchanged) for powers of two ``s``.
    """
    h = _check_horizon(horizon)
    if isinstance(series, pl.Series):
        series = series.to_numpy()
    try:
        x = np.array(series, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("GM(1,1) needs a 1-D sequence of numbers.") from None
    if x.ndim != 1:
        raise InputError(f"GM(1,1) needs a 1-D series; got shape {x.shape}.")
    _validate_series(x, "series")
    _warn_long_horizon(h, x.shape[0], "the series")
    x = np.ascontiguousarray(x[None, :])
    params, grade, ok, fitted, residuals, rel, fc = kg.gm11_batch(x, h)
    if np.isnan(params[0, 0]):
        raise _no_fit_error("the series")
    bad_fit = np.flatnonzero(_overflow_to_nan(fitted[0]))
    bad_fc = np.flatnonzero(_overflow_to_nan(fc[0]))
    _overflow_to_nan(residuals[0])
    if bad_fit.size or bad_fc.size:
        steps = [int(k) + 1 for k in bad_fit] + [x.shape[1] + int(k) + 1 for k in bad_fc]
        warnings.warn(
            f"GM(1,1) values at step(s) {format_keys(steps)} overflow the float range and are "
            "NaN (the fitted exponential grows too fast); use a shorter horizon.",
            FastinnoWarning,
            stacklevel=2,
        )
    ratios = x[0, :-1] / x[0, 1:]
    if not ok[0]:
        lo, hi = _ratio_bounds(x.shape[1])
        bad = [k + 2 for k in range(len(ratios)) if not lo < ratios[k] < hi]
        warnings.warn(
            f"GM(1,1) class-ratio test fails at k = {format_keys(bad)} (ratios outside "
            f"({lo:.4f}, {hi:.4f})): the series is not smooth enough for a reliable GM(1,1) fit.",
            FastinnoWarning,
            stacklevel=2,
        )
    return GM11Result(
        x0=x[0].copy(),
        a=float(params[0, 0]),
        b=float(params[0, 1]),
        fitted=fitted[0],
        forecast=fc[0],
        residuals=residuals[0],
        relative_errors=rel[0],
        mean_relative_error=float(params[0, 2]),
        C=float(params[0, 3]),
        P=float(params[0, 4]),
        grade=GRADES[int(grade[0])],
        class_ratios=ratios,
        class_ratio_ok=bool(ok[0]),
    )


def _validate_series(x: np.ndarray, where: str) -> None:
    n = x.shape[-1]
    if n < _MIN_LENGTH:
        raise DegenerateDataError(
            f"GM(1,1) needs at least {_MIN_LENGTH} observations; {where} has {n}. Use a longer "
            "series."
        )
    if not np.all(np.isfinite(x)):
        raise InputError(f"GM(1,1): {where} holds NaN or infinite values; fill or drop them.")
    if np.any(x <= 0):
        raise DegenerateDataError(
            f"GM(1,1) needs positive values; {where} has minimum {x.min():g}. Shift the series "
            "(e.g. add a constant) or use scores on a positive scale."
        )


def forecast(
    scores_frame,
    *,
    column: str = "index",
    horizon: int = 3,
    by: str = "region",
    year: str = "year",
) -> ForecastResult:
    """GM(1,1) fit and forecast of ``column`` for every group (region) of a scores frame.

    Parameters
    ----------
    scores_frame : pl.DataFrame or pl.LazyFrame
        Long frame with columns ``by``, ``year`` and ``column`` (one row per region and year).
    column : str
        The score to forecast (e.g. the composite ``index``).
    horizon : int
        Number of years to forecast after each region's last year.
    by : str
        Grouping column (default ``region``).
    year : str
        Integer year column; each region's years must be equally spaced (GM(1,1) assumes it).

    Returns
    -------
    ForecastResult
        ``.forecasts``: one row per region and year, sorted by region (first-seen order) then
        year: ``<by>``, ``year``, ``kind`` ("fitted" for observed years, "forecast" after),
        ``observed`` (null for forecasts), ``value`` (fitted or forecast), then the region's
        fit repeated on each of its rows: ``a``, ``b``, ``C``, ``P``, ``grade``,
        ``mean_relative_error``, ``class_ratio_ok``. ``.fits``: one row per region with its
        first and last observed year and the same fit columns. ``.options``: ``column``,
        ``horizon``, ``by``, ``year``.

    Raises
    ------
    InputError
        ``horizon`` negative, not an integer, or above ``fastinno._config.FORECAST_MAX_HORIZON``
        (100); missing values; see also :func:`gm11`.

    Warns
    -----
    FastinnoWarning
        Naming the regions whose series fail the class-ratio test; the regions whose series are
        shorter than ``horizon`` (extrapolation); the regions with a fitted or forecast value
        that overflows the float range (NaN in ``value``).

    Notes
    -----
    Regions sharing the same years (the usual case) are fitted in one batched, parallel kernel
    call; the numbers equal :func:`gm11` on each series.
    """
    h = _check_horizon(horizon)
    if not isinstance(scores_frame, (pl.DataFrame, pl.LazyFrame)):
        raise InputError(
            f"forecast() needs a polars DataFrame or LazyFrame; got {type(scores_frame).__name__}."
        )
    names = (
        scores_frame.collect_schema().names()
        if isinstance(scores_frame, pl.LazyFrame)
        else scores_frame.columns
    )
    missing = [c for c in (by, year, column) if c not in names]
    if missing:
        raise SchemaError(
            f"Scores frame lacks column(s) {format_keys(missing)}; has {format_keys(names)}. Set "
            "column=/by=/year= accordingly."
        )
    df = scores_frame.select(by, year, column)
    if isinstance(df, pl.LazyFrame):
        df = df.collect()
    if df.height == 0:
        raise DegenerateDataError("Scores frame is empty: nothing to forecast.")
    if not df[year].dtype.is_integer():
        raise SchemaError(f"Column {year!r} must hold integer years; got {df[year].dtype}.")
    if not df[column].dtype.is_numeric():
        raise SchemaError(f"Column {column!r} must be numeric; got {df[column].dtype}.")
    dup = df.group_by(by, year).len().filter(pl.col("len") > 1)
    if dup.height:
        keys = list(zip(dup[by].to_list(), dup[year].to_list()))
        raise SchemaError(
            f"Scores frame has several rows for ({by}, {year}) {format_keys(keys)}: one value per "
            "region and year is needed (filter the frame first)."
        )
    regions = list(dict.fromkeys(df[by].to_list()))
    parts = df.sort(year).partition_by(by, as_dict=True, maintain_order=True)
    series = {}
    groups: dict[tuple, list] = {}
    for reg in regions:
        sub = parts[(reg,)]
        yrs = tuple(int(y) for y in sub[year].to_list())
        vals = sub[column].cast(pl.Float64).to_numpy()
        steps = np.diff(yrs)
        if len(yrs) > 1 and (steps.min() != steps.max() or steps.min() <= 0):
            raise SchemaError(
                f"Region {reg!r}: years {format_keys(yrs, 10)} are not equally spaced; GM(1,1) "
                "needs an equally spaced series (fill or drop the gap)."
            )
        if np.isnan(vals).any() or sub[column].null_count():
            raise InputError(
                f"Region {reg!r}: {column!r} has missing values; fill or drop them before "
                "forecasting."
            )
        _validate_series(vals, f"region {reg!r} ({column!r})")
        series[reg] = (yrs, vals)
        groups.setdefault(yrs, []).append(reg)
    short = [reg for reg in regions if h > len(series[reg][0])]
    if short:
        n_min = min(len(series[reg][0]) for reg in short)
        warnings.warn(
            f"GM(1,1) forecast horizon {h} exceeds the series length of {len(short)} region(s) "
            f"{format_keys(short)} (shortest {n_min} years): forecasts this far beyond the data "
            "are extrapolation; treat them with caution.",
            FastinnoWarning,
            stacklevel=2,
        )
    failed = []
    overflow = []
    fit_by_region = {}
    for yrs, regs in groups.items():
        x = np.ascontiguousarray(np.stack([series[r][1] for r in regs]))
        params, grade, ok, fitted, _res, _rel, fc = kg.gm11_batch(x, h)
        no_fit = [reg for q, reg in enumerate(regs) if np.isnan(params[q, 0])]
        if no_fit:
            raise _no_fit_error(f"region(s) {format_keys(no_fit)} ({column!r})")
        bad = _overflow_to_nan(fitted).any(axis=1) | _overflow_to_nan(fc).any(axis=1)
        step = yrs[1] - yrs[0]
        for q, reg in enumerate(regs):
            fit_by_region[reg] = (yrs, step, x[q], fitted[q], fc[q], params[q], grade[q], ok[q])
            if not ok[q]:
                failed.append(reg)
            if bad[q]:
                overflow.append(reg)
    if overflow:
        warnings.warn(
            f"GM(1,1) values of {len(overflow)} region(s) {format_keys(overflow)} overflow the "
            "float range and are NaN (the fitted exponential grows too fast); use a shorter "
            "horizon.",
            FastinnoWarning,
            stacklevel=2,
        )
    cols: dict[str, list] = {k: [] for k in _OUT_SCHEMA}
    cols[by] = []
    for reg in regions:
        yrs, step, x0, fit, fc, par, gr, ok = fit_by_region[reg]
        n = len(yrs)
        m = n + h
        cols[by] += [reg] * m
        cols["year"] += list(yrs) + [yrs[-1] + step * (k + 1) for k in range(h)]
        cols["kind"] += ["fitted"] * n + ["forecast"] * h
        cols["observed"] += x0.tolist() + [None] * h
        cols["value"] += fit.tolist() + fc.tolist()
        for name, v in (("a", par[0]), ("b", par[1]), ("C", par[3]), ("P", par[4])):
            cols[name] += [float(v)] * m
        cols["grade"] += [GRADES[int(gr)]] * m
        cols["mean_relative_error"] += [float(par[2])] * m
        cols["class_ratio_ok"] += [bool(ok)] * m
    if failed:
        warnings.warn(
            f"GM(1,1) class-ratio test fails for {len(failed)} region(s) {format_keys(failed)}: "
            "their series are not smooth enough for a reliable fit (see class_ratio_ok).",
            FastinnoWarning,
            stacklevel=2,
        )
    schema = {by: df[by].dtype, **_OUT_SCHEMA}
    forecasts = pl.DataFrame({k: cols[k] for k in schema}, schema=schema)
    fit_columns = ["a", "b", "C", "P", "grade", "mean_relative_error", "class_ratio_ok"]
    fits = (
        forecasts.filter(pl.col("kind") == "fitted")
        .group_by(by, maintain_order=True)
        .agg(pl.col("year").min().alias("first_year"), pl.col("year").max().alias("last_year"),
             *[pl.col(c).first() for c in fit_columns])
    )
    options = {"column": column, "horizon": h, "by": by, "year": year}
    return ForecastResult(forecasts=forecasts, fits=fits, options=options)
