"""Convergence of regional scores: sigma convergence (dispersion over time) and beta convergence.

:func:`convergence` tells whether regions' scores draw together: sigma convergence when their
dispersion (CV, sd of logs) falls over the years, beta convergence when regions that start low
grow faster (Barro & Sala-i-Martin 1992, J. Political Economy 100, 223-251; Sala-i-Martin 1996,
Economic Journal 106, 1019-1036). Absolute beta is the cross-section regression of the average
log growth on the initial log level; conditional beta the annual log growth on the previous
year's log level with region and year fixed effects (Islam 1995, QJE 110, 1127-1170).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import polars as pl

from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..results import Result
from .inputs import group_labels, score_table

__all__ = ["convergence", "ConvergenceResult", "ALL"]

#: The group label of the estimates over every region.
ALL = "all"


@dataclass(frozen=True, repr=False)
class ConvergenceResult(Result):
    """Result of :func:`fastinno.convergence`.

    Attributes
    ----------
    beta : pl.DataFrame
        ``group`` (``"all"`` first, then each group), ``kind`` (``"absolute"`` | ``"conditional"``),
        ``beta``, ``se``, ``p_value`` (two-sided, t distribution), ``speed`` = -ln(1 + beta T) / T,
        ``half_life`` = ln 2 / speed (years), ``n_regions``, ``n_obs``, ``df`` (the t
        distribution's degrees of freedom).
    sigma : pl.DataFrame
        ``year``, ``group``, ``cv`` (population sd / mean), ``sd_log`` (population sd of ln y).
    sigma_trend : pl.DataFrame
        ``group``, ``slope`` (OLS slope of ``cv`` on ``year``; < 0 = sigma convergence), ``se``,
        ``p_value`` (two-sided, t with n_years - 2 df), ``n_years``.
    options : dict
        ``column``, ``groups`` (labels or None), ``first_year``, ``last_year``, ``seed`` (None).
    """

    beta: pl.DataFrame
    sigma: pl.DataFrame
    sigma_trend: pl.DataFrame
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("beta", "sigma", "sigma_trend")

    def __post_init__(self) -> None:
        self.options.setdefault("seed", None)

    def headline(self) -> str:
        groups = self.options.get("groups")
        grp = f"{len(groups)} groups" if groups else "all regions"
        return (f"{self.options.get('column')!r}: {self.options.get('first_year')}-"
                f"{self.options.get('last_year')}, {grp}")


def _t_p(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic with ``df`` degrees of freedom (0 for |t| = inf)."""
    if math.isnan(t) or df <= 0:
        return math.nan
    if math.isinf(t):
        return 0.0
    from scipy import stats  # on first use: importing scipy.stats costs ~1 s

    return float(2.0 * stats.t.sf(abs(t), df))


def _t_stat(b: float, se: float) -> float:
    if se > 0.0:
        return b / se
    return math.copysign(math.inf, b) if b != 0.0 else math.nan


def ols_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, int]:
    """Slope, conventional SE, two-sided p-value and df of the OLS line y = a + b x.

    se^2 = s^2 / sum (x - xbar)^2 with s^2 = sum e^2 / (n - 2); NaN se and p for n <= 2.
    """
    n = len(x)
    xc = x - x.mean()
    sxx = float(xc @ xc)
    if n < 2 or sxx <= 0.0:
        return math.nan, math.nan, math.nan, n - 2
    b = float(xc @ (y - y.mean())) / sxx
    if n <= 2:
        return b, math.nan, math.nan, n - 2
    e = (y - y.mean()) - b * xc
    se = math.sqrt(float(e @ e) / (n - 2) / sxx)
    return b, se, _t_p(_t_stat(b, se), n - 2), n - 2


def twoway_within(ly: np.ndarray) -> tuple[float, float, float, int]:
    """Conditional beta on a balanced log panel ``ly`` (regions x years).

    ln(y_{i,t+1} / y_{i,t}) = beta ln y_{i,t} + a_i + c_t + e: the two-way within estimator
    (double demeaning, exact on a balanced panel) with SE clustered by region,
    V = G/(G-1) sum_i (sum_t x~_it e_it)^2 / (sum x~^2)^2, and t with G - 1 df.
    """
    g = ly.shape[0]
    dep = ly[:, 1:] - ly[:, :-1]
    x = ly[:, :-1]

    def demean(a: np.ndarray) -> np.ndarray:
        return a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean()

    xt = demean(x)
    yt = demean(dep)
    sxx = float((xt * xt).sum())
    if sxx <= 0.0:
        return math.nan, math.nan, math.nan, g - 1
    b = float((xt * yt).sum()) / sxx
    if g < 2:
        return b, math.nan, math.nan, g - 1
    e = yt - b * xt
    score = (xt * e).sum(axis=1)
    se = math.sqrt(g / (g - 1) * float(score @ score)) / sxx
    return b, se, _t_p(_t_stat(b, se), g - 1), g - 1


def speed_of(beta: float, span: float, label: str) -> tuple[float, float]:
    """speed = -ln(1 + beta T) / T and half-life = ln 2 / speed; NaN (with a warning) when
    beta >= 0 (no convergence) or 1 + beta T <= 0."""
    if not np.isfinite(beta):
        return math.nan, math.nan
    if beta >= 0.0 or 1.0 + beta * span <= 0.0:
        why = "beta >= 0 (no convergence)" if beta >= 0.0 else "1 + beta T <= 0 (beta out of range)"
        warnings.warn(f"{label}: speed and half-life undefined, {why}; beta = {beta:.4g}.",
                      FastinnoWarning, stacklevel=3)
        return math.nan, math.nan
    speed = -math.log1p(beta * span) / span
    return speed, math.log(2.0) / speed


def _sigma_rows(values: np.ndarray, years: np.ndarray, group: str) -> dict[str, list]:
    mean = values.mean(axis=0)
    cv = values.std(axis=0) / mean
    sdl = np.log(values).std(axis=0)
    return {"year": years.tolist(), "group": [group] * len(years), "cv": cv.tolist(), "sd_log": sdl.tolist()}


def convergence(scores: object, *, column: str = "index", groups: object = None) -> ConvergenceResult:
    """Sigma and beta convergence of ``column``, over all regions and within each group.

    Parameters
    ----------
    scores : polars DataFrame (``region``, ``year``, ``column``) or a fastinno result with
        ``.scores``; a balanced panel of values > 0 (logarithms).
    column : str
        The score to analyse.
    groups : mapping region -> group, or a frame (``region`` and one group column), optional.
        Every estimate is repeated within each group (group ``"all"`` = every region).

    Returns
    -------
    ConvergenceResult

    Notes
    -----
    Sigma: CV_t = sd_t / mean_t (population sd) and sd of ln y per year, with the OLS trend of
    CV on year. Absolute beta: (ln y_iT - ln y_i0) / T = a + beta ln y_i0 + e_i over regions
    (T = last - first year), conventional OLS SE, t with n - 2 df. Conditional beta:
    ln(y_{i,t+1}/y_{i,t}) = beta ln y_{i,t} + a_i + c_t + e_it, two-way within estimator, SE
    clustered by region with the small-sample factor G/(G-1) only (G regions), t with G - 1 df.
    This is linearmodels' PanelOLS with entity and time effects fitted with
    ``cov_type="clustered", cluster_entity=True, group_debias=True, auto_df=False,
    count_effects=False``; its default fit (absorbed effects counted in the degrees of freedom)
    gives a variance larger by (n - 1) / (n - d), n observations and d absorbed effects. Implied convergence
    speed lambda = -ln(1 + beta T) / T (T = 1 for the annual conditional model) and half-life
    ln 2 / lambda (Barro & Sala-i-Martin 1992).

    Raises
    ------
    InputError
        Bad scores or groups, fewer than 2 years, a group named ``"all"``.
    DegenerateDataError
        A value <= 0.
    """
    table = score_table(scores, column)
    values, years, regions = table.values, table.years, table.regions
    if len(years) < 2:
        raise InputError(f"convergence needs at least 2 years; scores has {len(years)}.")
    bad = values <= 0.0
    if bad.any():
        r, t = np.nonzero(bad)
        keys = [(regions[i], int(years[j])) for i, j in zip(r, t)]
        raise DegenerateDataError(
            f"column {column!r} must be > 0 for convergence (logarithms); {len(keys)} value(s) are "
            f"not, at {format_keys(keys)}. Shift or rescale the scores to positive values."
        )
    sets: list[tuple[str, np.ndarray]] = [(ALL, np.arange(len(regions)))]
    names: list[str] = []
    if groups is not None:
        labels = group_labels(groups, regions)
        names = sorted(set(labels.values()))
        if ALL in names:
            raise InputError(f"a group is named {ALL!r}, the label of the estimates over every region: rename it.")
        lab = np.array([labels[r] for r in regions])
        sets += [(g, np.nonzero(lab == g)[0]) for g in names]
    span = float(years[-1] - years[0])
    sig: dict[str, list] = {"year": [], "group": [], "cv": [], "sd_log": []}
    trend_rows, beta_rows = [], []
    yf = years.astype(np.float64)
    for g, idx in sets:
        v = values[idx]
        rows = _sigma_rows(v, years, g)
        for k in sig:
            sig[k].extend(rows[k])
        slope, se, p, _df = ols_slope(yf, np.asarray(rows["cv"]))
        trend_rows.append((g, slope, se, p, len(years)))
        ly = np.log(v)
        growth = (ly[:, -1] - ly[:, 0]) / span
        b, se, p, df = ols_slope(ly[:, 0], growth)
        if len(idx) < 3:
            warnings.warn(f"group {g!r}: {len(idx)} region(s), too few for the absolute beta's standard error.",
                          FastinnoWarning, stacklevel=2)
        speed, half = speed_of(b, span, f"group {g!r}, absolute beta")
        beta_rows.append((g, "absolute", b, se, p, speed, half, len(idx), len(idx), df))
        if len(years) >= 3 and len(idx) >= 2:
            b, se, p, df = twoway_within(ly)
        else:
            warnings.warn(f"group {g!r}: the conditional beta needs 3 years and 2 regions; left NaN.",
                          FastinnoWarning, stacklevel=2)
            b = se = p = math.nan
            df = len(idx) - 1
        speed, half = speed_of(b, 1.0, f"group {g!r}, conditional beta")
        beta_rows.append((g, "conditional", b, se, p, speed, half, len(idx), len(idx) * (len(years) - 1), df))
    beta = pl.DataFrame(beta_rows, orient="row", schema={
        "group": pl.String, "kind": pl.String, "beta": pl.Float64, "se": pl.Float64, "p_value": pl.Float64,
        "speed": pl.Float64, "half_life": pl.Float64, "n_regions": pl.Int64, "n_obs": pl.Int64, "df": pl.Int64,
    })
    sigma = pl.DataFrame(sig, schema={"year": pl.Int64, "group": pl.String, "cv": pl.Float64, "sd_log": pl.Float64})
    sigma_trend = pl.DataFrame(trend_rows, orient="row", schema={
        "group": pl.String, "slope": pl.Float64, "se": pl.Float64, "p_value": pl.Float64, "n_years": pl.Int64,
    })
    options = {"column": column, "groups": tuple(names) or None, "first_year": int(years[0]),
               "last_year": int(years[-1])}
    return ConvergenceResult(beta=beta, sigma=sigma, sigma_trend=sigma_trend, options=options)
