"""Figures of GM(1,1) forecasts: fitted and forecast series per region, and one fitted model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from ..errors import InputError, SchemaError, format_keys
from ..results import ForecastResult
from .style import INDEX_LABEL, check_frame, colors_for, new_axes, new_figure, style

__all__ = ["forecast_fits", "gm11_plot"]


def forecast_fits(
    forecast: pl.DataFrame,
    fit: pl.DataFrame | None = None,
    *,
    regions: Sequence[str] | None = None,
    max_regions: int = 6,
    colors: Mapping[str, str] | None = None,
    ncols: int = 3,
    fig=None,
):
    """GM(1,1) fit and forecast per selected region, with the accuracy grade in the legend.

    Parameters
    ----------
    forecast : polars.DataFrame
        ``region, year, observed, fitted, forecast`` (nulls where a value does not apply), as
        saved by the pipeline's forecast step.
    fit : polars.DataFrame, optional
        ``region, grade`` (and optionally ``C``, ``P``, ``mean_rel_error``) for the legend.
    regions : sequence of str, optional
        Regions to draw; default the ``max_regions`` with the highest last observed value.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per region with x label ``Year`` and y label ``Index``, each holding three lines
        (observed, fitted, forecast).
    """
    f = check_frame(forecast, "forecast", ("region", "year", "observed", "fitted", "forecast"))
    all_regions = list(dict.fromkeys(f["region"].to_list()))
    if regions is None:
        last = (
            f.filter(pl.col("observed").is_not_null())
            .sort("year")
            .group_by("region", maintain_order=True)
            .agg(pl.col("observed").last())
            .sort(["observed", "region"], descending=[True, False])
        )
        regions = last["region"].head(max_regions).to_list()
    bad = [r for r in regions if r not in all_regions]
    if bad:
        raise InputError(f"region(s) {format_keys(bad)} not in the forecast table.")
    grades: dict[str, str] = {}
    if fit is not None and "grade" in fit.columns:
        for row in fit.iter_rows(named=True):
            extra = ""
            if row.get("C") is not None and row.get("P") is not None:
                extra = f", C={row['C']:.2f}, P={row['P']:.2f}"
            grades[row["region"]] = f"{row['grade']}{extra}"
    cmap = colors_for(all_regions, colors)
    n = len(regions)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    with style(regions):
        if fig is None:
            fig = new_figure((3.4 * ncols, 3.3 * nrows + 0.2))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, r in zip(axes, regions):
            d = f.filter(pl.col("region") == r).sort("year")
            yrs = d["year"].to_numpy()
            c = cmap[r]
            obs = d["observed"].to_numpy().astype(float)
            fitted = d["fitted"].to_numpy().astype(float)
            fc = d["forecast"].to_numpy().astype(float)
            ax.plot(yrs, obs, "o", color=c, ms=4.5, label="observed")
            grade = grades.get(r)
            ax.plot(yrs, fitted, "-", color="0.25", lw=1.3,
                    label="GM(1,1) fit" + (f" ({grade})" if grade else ""))
            # connect the forecast to the last fitted point
            has_fc = np.isfinite(fc)
            if has_fc.any():
                last_fit = np.flatnonzero(np.isfinite(fitted))
                xs, ys = yrs[has_fc], fc[has_fc]
                if last_fit.size:
                    k = last_fit[-1]
                    xs = np.r_[yrs[k], xs]
                    ys = np.r_[fitted[k], ys]
                ax.plot(xs, ys, "--", color=c, lw=1.8, label="forecast")
            ax.set_title(r)
            ax.set_xlabel("Year")
            ax.set_ylabel(INDEX_LABEL)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False,
                      fontsize=7.5, ncols=1, handlelength=1.6, borderaxespad=0)
            ax.xaxis.get_major_locator().set_params(integer=True)
        for ax in axes[n:]:
            ax.set_visible(False)
    return fig



def gm11_plot(result, ax=None, *, region=None, by: str = "region", title=None, figsize=(7.0, 4.5)):
    """Observed series, GM(1,1) fit and forecast.

    Parameters
    ----------
    result : GM11Result, ForecastResult or pl.DataFrame
        A :func:`fastinno.gm11` result (x axis = step), or a :func:`fastinno.forecast` result or
        its ``.forecasts`` frame (x axis = year; ``region`` picks one group).
    ax : matplotlib Axes, optional
    region : optional
        Group to plot when ``result`` is a forecast frame with several groups.
    by : str
        Group column of the forecast frame.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(result, ForecastResult):
        by = result.options.get("by", by)
        result = result.forecasts
    if isinstance(result, pl.DataFrame):
        df = result
        if by in df.columns:
            groups = df[by].unique(maintain_order=True).to_list()
            if region is None:
                if len(groups) > 1:
                    raise InputError(
                        f"The forecast frame has {len(groups)} groups; pass region= (one of "
                        f"{format_keys(groups)})."
                    )
                region = groups[0]
            elif region not in groups:
                raise SchemaError(f"Region {region!r} is not in the forecast frame.")
            df = df.filter(pl.col(by) == region)
        fit = df.filter(pl.col("kind") == "fitted")
        fc = df.filter(pl.col("kind") == "forecast")
        t_obs = fit["year"].to_numpy()
        obs = fit["observed"].to_numpy()
        fitted = fit["value"].to_numpy()
        t_fc = fc["year"].to_numpy()
        fcv = fc["value"].to_numpy()
        grade = fit["grade"][0] if "grade" in fit.columns and fit.height else None
        xlabel = "Year"
    else:
        obs = np.asarray(result.x0)
        n = len(obs)
        t_obs = np.arange(1, n + 1)
        fitted = np.asarray(result.fitted)
        fcv = np.asarray(result.forecast)
        t_fc = np.arange(n + 1, n + 1 + len(fcv))
        grade = result.grade
        xlabel = "Step k"
    if ax is None:
        ax = new_axes(figsize)
    ax.plot(t_obs, obs, "o", color="0.2", label="observed")
    ax.plot(t_obs, fitted, "-", color="tab:blue", label="GM(1,1) fit")
    if len(fcv):
        ax.plot(
            np.r_[t_obs[-1:], t_fc],
            np.r_[fitted[-1:], fcv],
            "--",
            color="tab:orange",
            marker=".",
            label="forecast",
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("value")
    label = title or ("GM(1,1)" + (f" - {region}" if region is not None else ""))
    if grade:
        label += f" (grade: {grade})"
    ax.set_title(label)
    ax.legend(fontsize=8, frameon=False)
    return ax

