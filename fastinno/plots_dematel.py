"""Figures for DEMATEL and GM(1,1): the cause-effect diagram and a fitted/forecast plot.

matplotlib is imported inside the functions (``import fastinno`` stays cheap). When no ``ax`` is
given a new :class:`matplotlib.figure.Figure` is built on the Agg canvas (no pyplot global
state); every function returns the ``Axes`` it drew on (``ax.figure`` is the figure).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .errors import InputError, SchemaError, format_keys

__all__ = ["cause_effect_diagram", "gm11_plot", "save_figure"]


def _new_axes(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def cause_effect_diagram(
    result,
    ax=None,
    *,
    label: str = "code",
    errorbars: bool | None = None,
    title: str | None = "Cause-effect diagram",
    quadrant_labels: bool = True,
    figsize=(7.0, 5.5),
):
    """Cause-effect (prominence-relation) diagram of a DEMATEL result.

    Parameters
    ----------
    result : DematelResult or pl.DataFrame
        A result, or its ``factors`` frame (columns code, prominence, relation, ...).
    ax : matplotlib Axes, optional
        Draw here; a new Agg figure is made when None.
    label : "code" | "name"
        Point labels.
    errorbars : bool, optional
        Draw bootstrap percentile intervals (default: when the frame has them).
    title : str or None
    quadrant_labels : bool
        Label the four quadrants split by R - C = 0 and the mean prominence.
    figsize : tuple
        Size of a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    x = prominence R + C, y = relation R - C; causes lie above the R - C = 0 line. The vertical
    dashed line is the mean prominence: core factors (high prominence, cause) are top right
    (Xia, Li & Yin 2020, Fig. 3 style).
    """
    factors = result if isinstance(result, pl.DataFrame) else result.factors
    need = ["code", "prominence", "relation"]
    missing = [c for c in need if c not in factors.columns]
    if missing:
        raise SchemaError(f"cause_effect_diagram needs column(s) {format_keys(missing)}.")
    if label not in ("code", "name"):
        raise InputError(f"label must be 'code' or 'name'; got {label!r}.")
    if ax is None:
        ax = _new_axes(figsize)
    x = factors["prominence"].to_numpy()
    y = factors["relation"].to_numpy()
    names = factors[label if label in factors.columns else "code"].to_list()
    has_ci = {"prominence_lower", "relation_lower"} <= set(factors.columns)
    if errorbars is None:
        errorbars = has_ci
    if errorbars and not has_ci:
        raise InputError("errorbars=True needs a bootstrapped result (bootstrap > 0).")
    cause = y > 0
    if errorbars:
        xerr = np.vstack(
            [x - factors["prominence_lower"].to_numpy(), factors["prominence_upper"].to_numpy() - x]
        )
        yerr = np.vstack(
            [y - factors["relation_lower"].to_numpy(), factors["relation_upper"].to_numpy() - y]
        )
        ax.errorbar(
            x,
            y,
            xerr=np.clip(xerr, 0, None),
            yerr=np.clip(yerr, 0, None),
            fmt="none",
            ecolor="0.6",
            elinewidth=0.8,
            capsize=2,
            zorder=1,
        )
    ax.scatter(x[cause], y[cause], color="tab:red", label="cause (R - C > 0)", zorder=3)
    ax.scatter(x[~cause], y[~cause], color="tab:blue", label="effect (R - C <= 0)", zorder=3)
    for xi, yi, name in zip(x, y, names):
        ax.annotate(str(name), (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.axhline(0.0, color="0.3", linewidth=0.9)
    mean_prom = float(np.mean(x))
    ax.axvline(mean_prom, color="0.3", linewidth=0.9, linestyle="--")
    if quadrant_labels:
        opts = {"transform": ax.transAxes, "fontsize": 8, "color": "0.35", "alpha": 0.9}
        ax.text(0.99, 0.98, "core causes", ha="right", va="top", **opts)
        ax.text(0.01, 0.98, "independent causes", ha="left", va="top", **opts)
        ax.text(0.99, 0.02, "core effects", ha="right", va="bottom", **opts)
        ax.text(0.01, 0.02, "independent effects", ha="left", va="bottom", **opts)
    ax.margins(x=0.12, y=0.15)
    ax.set_xlabel("Prominence R + C")
    ax.set_ylabel("Relation R - C")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return ax


def gm11_plot(result, ax=None, *, region=None, by: str = "region", title=None, figsize=(7.0, 4.5)):
    """Observed series, GM(1,1) fit and forecast.

    Parameters
    ----------
    result : GM11Result or pl.DataFrame
        A :func:`fastinno.gm11` result (x axis = step), or the frame of
        :func:`fastinno.forecast` (x axis = year; ``region`` picks one group).
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
        ax = _new_axes(figsize)
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


def save_figure(fig_or_ax, path, *, dpi: int = 150, inputs=()) -> Path:
    """Save a figure atomically (PNG/SVG/PDF from the suffix) and return the path."""
    from .io.write import save_figure as _save

    return _save(fig_or_ax, path, dpi=dpi, inputs=inputs)
