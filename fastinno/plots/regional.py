"""Figures of the regional analyses: disparity decompositions, sigma convergence, score
densities, the Moran scatter and Markov transition matrices.

Every function takes the tidy table a regional result exposes (``DisparityResult.dagum``,
``ConvergenceResult.sigma``, :func:`fastinno.density`, ``MarkovResult.transitions``) or the
table the main job saved, and returns a matplotlib Figure (drawn into ``ax`` when given).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..errors import InputError, format_keys
from .style import check_frame, column_label, figure_axes, new_figure, region_colors, style

__all__ = ["disparity_trends", "dagum_contributions", "theil_decomposition", "sigma_convergence", "density_curves",
           "moran_scatter", "markov_matrix"]

#: Colours of the three Dagum parts and the two Theil parts.
_PART_COLORS = {"within": "#1f77b4", "net_between": "#ff7f0e", "transvariation": "#2ca02c",
                "between": "#d62728"}
_DAGUM_PARTS = (("within", "Within groups"), ("net_between", "Net between groups"),
                ("transvariation", "Transvariation"))
#: Regions are labelled in the Moran scatter up to this many points.
_LABEL_POINTS = 30


def _years_axis(ax, years) -> None:
    ax.set_xlabel("Year")
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 10 else 0)


def disparity_trends(overall: pl.DataFrame, *, measures=None, title: str | None = None, ax=None):
    """Inequality measures per year, with their bootstrap intervals as bands when present.

    Parameters
    ----------
    overall : polars.DataFrame
        ``year``, ``measure``, ``value`` and optionally ``lower``, ``upper``
        (``DisparityResult.overall``).
    measures : sequence of str, optional
        Measures drawn (default: those of the table in its order, without the decomposition
        parts ``theil_within`` ... ``dagum_transvariation``).

    Returns
    -------
    matplotlib.figure.Figure
        One line per measure (and one band per measure with intervals).
    """
    d = check_frame(overall, "overall", ("year", "measure", "value"))
    have = d["measure"].unique(maintain_order=True).to_list()
    if measures is None:
        measures = [m for m in have if not m.startswith(("theil_within", "theil_between", "dagum_"))] or have
    bad = [m for m in measures if m not in have]
    if bad:
        raise InputError(f"measure(s) {format_keys(bad)} not in the table; it has {format_keys(have)}.")
    years = d["year"].unique().sort().to_list()
    with style():
        fig, ax = figure_axes(ax, (max(5.0, 0.45 * len(years) + 3.0), 3.8))
        for k, m in enumerate(measures):
            s = d.filter(pl.col("measure") == m).sort("year")
            color = f"C{k}"
            ax.plot(s["year"].to_numpy(), s["value"].to_numpy(), "o-", ms=3.5, color=color, label=m)
            if {"lower", "upper"} <= set(s.columns) and s["lower"].null_count() == 0:
                ax.fill_between(s["year"].to_numpy(), s["lower"].to_numpy(), s["upper"].to_numpy(),
                                color=color, alpha=0.18, lw=0)
        ax.set_ylabel("Value")
        ax.set_title(title or "Regional disparities")
        _years_axis(ax, years)
        ax.legend(frameon=False, fontsize=8)
    return fig


def dagum_contributions(dagum: pl.DataFrame, *, share: bool = False, title: str | None = None, ax=None):
    """Dagum's Gini decomposition per year as stacked bars: within, net between, transvariation.

    Parameters
    ----------
    dagum : polars.DataFrame
        ``year``, ``gini``, ``within``, ``net_between``, ``transvariation``
        (``DisparityResult.dagum``; the ``*_share`` columns too when ``share=True``).
    share : bool
        Draw each part's share of G (the bars then reach 1) instead of its value.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Three bar containers (one per part, ``n_years`` bars each, stacked in that order) and,
        with values, the Gini coefficient G = G_w + G_nb + G_t as a line with markers.
    """
    cols = [f"{p}_share" if share else p for p, _ in _DAGUM_PARTS]
    d = check_frame(dagum, "dagum", ("year", "gini", *cols)).sort("year")
    years = d["year"].to_list()
    with style():
        fig, ax = figure_axes(ax, (max(5.0, 0.55 * len(years) + 2.5), 3.8))
        bottom = np.zeros(len(years))
        for (part, label), col in zip(_DAGUM_PARTS, cols):
            v = d[col].to_numpy().astype(float)
            ax.bar(years, v, bottom=bottom, width=0.7, color=_PART_COLORS[part], label=label)
            bottom = bottom + v
        if not share:
            ax.plot(years, d["gini"].to_numpy(), "o-", color="0.15", ms=4, lw=1.2, label="Gini G")
        ax.set_ylabel("Share of the Gini coefficient" if share else "Contribution to the Gini coefficient")
        ax.set_title(title or "Dagum decomposition of the Gini coefficient")
        _years_axis(ax, years)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=4, frameon=False)
    return fig


def theil_decomposition(theil: pl.DataFrame, *, title: str | None = None, ax=None):
    """Theil T and its within- and between-group parts per year.

    Parameters
    ----------
    theil : polars.DataFrame
        ``year``, ``total``, ``within``, ``between`` (``DisparityResult.theil``).

    Returns
    -------
    matplotlib.figure.Figure
        Three lines, in order: total, within, between (total = within + between).
    """
    d = check_frame(theil, "theil", ("year", "total", "within", "between")).sort("year")
    years = d["year"].to_list()
    with style():
        fig, ax = figure_axes(ax, (max(5.0, 0.45 * len(years) + 2.5), 3.8))
        ax.plot(years, d["total"].to_numpy(), "o-", color="0.15", lw=1.6, ms=4, label="Theil T (total)")
        ax.plot(years, d["within"].to_numpy(), "s--", color=_PART_COLORS["within"], ms=4, label="Within groups")
        ax.plot(years, d["between"].to_numpy(), "^--", color=_PART_COLORS["between"], ms=4, label="Between groups")
        ax.set_ylabel("Theil T")
        ax.set_ylim(bottom=0)
        ax.set_title(title or "Theil T: within- and between-group parts")
        _years_axis(ax, years)
        ax.legend(frameon=False)
    return fig


def sigma_convergence(sigma: pl.DataFrame, *, measure: str = "cv", title: str | None = None, ax=None):
    """The sigma curve: dispersion per year, over all regions and within each group.

    Parameters
    ----------
    sigma : polars.DataFrame
        ``year``, ``group``, ``cv``, ``sd_log`` (``ConvergenceResult.sigma``).
    measure : {"cv", "sd_log"}
        Coefficient of variation or the sd of the log scores.

    Returns
    -------
    matplotlib.figure.Figure
        One line per group, ``"all"`` first (black, thicker), then the groups in table order.
    """
    if measure not in ("cv", "sd_log"):
        raise InputError(f"measure must be 'cv' or 'sd_log'; got {measure!r}.")
    d = check_frame(sigma, "sigma", ("year", "group", measure)).sort("year", maintain_order=True)
    groups = d["group"].cast(pl.String).unique(maintain_order=True).to_list()
    if "all" in groups:
        groups = ["all", *(g for g in groups if g != "all")]
    colors = region_colors([g for g in groups if g != "all"])
    years = d["year"].unique().sort().to_list()
    with style(groups):
        fig, ax = figure_axes(ax, (max(5.0, 0.45 * len(years) + 3.0), 3.8))
        for g in groups:
            s = d.filter(pl.col("group") == g)
            if g == "all":
                ax.plot(s["year"].to_numpy(), s[measure].to_numpy(), "o-", color="0.1", lw=2.2, ms=4,
                        label="All regions")
            else:
                ax.plot(s["year"].to_numpy(), s[measure].to_numpy(), ".-", color=colors[g], lw=1.2, label=g)
        ax.set_ylabel("Coefficient of variation" if measure == "cv" else "Standard deviation of ln score")
        ax.set_title(title or "Sigma convergence")
        _years_axis(ax, years)
        ax.legend(fontsize=7.5, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def density_curves(density: pl.DataFrame, *, column: str = "index", cmap: str = "viridis",
                   title: str | None = None, ax=None):
    """Kernel densities of a score, one curve per year coloured by year.

    Parameters
    ----------
    density : polars.DataFrame
        ``year``, ``x``, ``density`` (:func:`fastinno.density`).
    column : str
        The score the densities are of (axis label).
    cmap : str
        matplotlib colormap running from the first to the last year.

    Returns
    -------
    matplotlib.figure.Figure
        One line per year, in year order, with a colour bar of the years.
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    d = check_frame(density, "density", ("year", "x", "density"))
    years = d["year"].unique().sort().to_list()
    norm = Normalize(min(years), max(years) if max(years) > min(years) else min(years) + 1)
    cm = colormaps[cmap]
    with style():
        fig, ax = figure_axes(ax, (6.0, 3.8))
        for y in years:
            s = d.filter(pl.col("year") == y).sort("x")
            ax.plot(s["x"].to_numpy(), s["density"].to_numpy(), color=cm(norm(y)), lw=1.4, label=str(y))
        sm = ScalarMappable(norm=norm, cmap=cm)
        bar = fig.colorbar(sm, ax=ax, shrink=0.85)
        bar.set_label("Year")
        bar.ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(column_label(column))
        ax.set_ylabel("Density")
        ax.set_ylim(bottom=0)
        ax.set_title(title or "Distribution of the scores over the years")
    return fig


def moran_scatter(points: pl.DataFrame, *, year: int | None = None, moran_i: float | None = None,
                  column: str = "index", title: str | None = None, ax=None):
    """Moran scatter of one year: standardized score against its spatial lag.

    Parameters
    ----------
    points : polars.DataFrame
        ``region``, ``year``, ``z`` (standardized score), ``lag`` (its row-standardized spatial
        lag sum_j w_ij z_j); optionally ``cluster`` (HH, LL, HL, LH, ns) to colour the points.
    year : int, optional
        The year drawn (default the last).
    moran_i : float, optional
        Slope of the drawn line (Moran's I of that year, e.g. from ``MoranResult.global_``).
        Default: sum z_i lag_i / sum z_i^2 over the year's points, which is Moran's I when every
        region has a neighbour (Anselin 1996).
    column : str
        The score (axis labels).

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection of the regions, the line lag = I z through the origin and the
        quadrant axes at 0.
    """
    d = check_frame(points, "points", ("region", "year", "z", "lag"))
    years = d["year"].unique().sort().to_list()
    if year is None:
        year = years[-1]
    elif year not in years:
        raise InputError(f"year {year!r} is not in the points; they have {format_keys(years)}.")
    s = d.filter(pl.col("year") == year)
    z = s["z"].to_numpy().astype(float)
    lag = s["lag"].to_numpy().astype(float)
    if moran_i is None:
        moran_i = float(np.sum(z * lag) / np.sum(z * z))
    regions = s["region"].cast(pl.String).to_list()
    quad = {"HH": "#d62728", "LL": "#1f77b4", "HL": "#ff9896", "LH": "#aec7e8", "ns": "0.6"}
    colors = ([quad.get(c, "0.6") for c in s["cluster"].to_list()] if "cluster" in s.columns
              else ["#1f77b4"] * len(z))
    with style(regions):
        fig, ax = figure_axes(ax, (5.2, 4.6))
        ax.scatter(z, lag, c=colors, s=26, edgecolors="0.2", linewidths=0.4, zorder=3)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(0, color="0.5", lw=0.8)
        lim = float(max(np.abs(z).max(), 1.0)) * 1.1
        xs = np.array([-lim, lim])
        ax.plot(xs, moran_i * xs, "-", color="0.15", lw=1.4, label=f"slope = Moran's I = {moran_i:.3f}")
        if len(regions) <= _LABEL_POINTS:
            for r, a, b in zip(regions, z, lag):
                ax.annotate(r, (a, b), xytext=(3, 3), textcoords="offset points", fontsize=7)
        label = column_label(column)
        ax.set_xlabel(f"{label} (standardized)")
        ax.set_ylabel("Spatial lag")
        ax.set_title(title or f"Moran scatter, {year}")
        if "cluster" in s.columns:
            from matplotlib.lines import Line2D

            handles = [Line2D([], [], ls="", marker="o", color=quad[q], label=q) for q in quad]
            ax.legend(handles=[ax.lines[-1], *handles], fontsize=7.5, frameon=False, loc="upper left")
        else:
            ax.legend(fontsize=7.5, frameon=False, loc="upper left")
    return fig


def markov_matrix(transitions: pl.DataFrame, *, lag_class: int | None = None, title: str | None = None, fig=None):
    """Heatmap of a Markov transition probability matrix (one panel per lag class of a spatial chain).

    Parameters
    ----------
    transitions : polars.DataFrame
        [``lag_class``], ``from_class``, ``to_class``, ``probability`` (``MarkovResult.transitions``).
    lag_class : int, optional
        Draw only this lag class of a spatial chain.

    Returns
    -------
    matplotlib.figure.Figure
        One image per panel (k x k, row = origin class, column = destination class), each cell
        annotated with its probability.
    """
    t = check_frame(transitions, "transitions", ("from_class", "to_class", "probability"))
    spatial = "lag_class" in t.columns
    lags: list = [None]
    if spatial:
        lags = t["lag_class"].unique().sort().to_list()
        if lag_class is not None:
            if lag_class not in lags:
                raise InputError(f"lag_class {lag_class!r} is not in the transitions; they have {format_keys(lags)}.")
            lags = [lag_class]
    k = int(max(t["from_class"].max(), t["to_class"].max()))
    n = len(lags)
    with style():
        if fig is None:
            fig = new_figure((min(3.6 * n + 1.0, 18.0), 3.8))
        axes = np.atleast_1d(fig.subplots(1, n, squeeze=False)).ravel()
        im = None
        for ax, lag in zip(axes, lags):
            s = t if lag is None else t.filter(pl.col("lag_class") == lag)
            mat = np.full((k, k), np.nan)
            mat[s["from_class"].to_numpy() - 1, s["to_class"].to_numpy() - 1] = s["probability"].to_numpy()
            im = ax.imshow(mat, vmin=0.0, vmax=1.0, cmap="Blues")
            for i in range(k):
                for j in range(k):
                    if np.isfinite(mat[i, j]):
                        ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=7.5,
                                color="white" if mat[i, j] > 0.6 else "0.1")
            ax.set_xticks(range(k), [str(c) for c in range(1, k + 1)])
            ax.set_yticks(range(k), [str(c) for c in range(1, k + 1)])
            ax.set_xlabel("Class at t + 1")
            ax.set_ylabel("Class at t")
            ax.grid(False)
            ax.set_title(f"Neighbours' lag class {lag}" if lag is not None else (title or "Transition probabilities"))
        fig.colorbar(im, ax=list(axes), shrink=0.8, label="Probability")
        if spatial and title:
            fig.suptitle(title)
    return fig
