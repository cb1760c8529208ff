"""Figures of the indices: trajectories, rank heatmaps, rank stability, ranking agreement and
method weights.

Every function takes the tidy polars frame a result exposes (or the table the main job saved), an
optional matplotlib ``ax`` (or ``fig`` for multi-panel figures), and returns the
:class:`matplotlib.figure.Figure`, so notebook users can restyle or save it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from .. import _config
from ..errors import InputError, SchemaError, format_keys
from .style import (
    INDEX_LABEL,
    PALETTE,
    RANK_LABEL,
    check_frame,
    colors_for,
    column_label,
    figure_axes,
    line_style,
    new_figure,
    style,
)

__all__ = ["index_trajectories", "rank_heatmap", "rank_bands", "rank_stability",
           "rho_distribution", "method_agreement", "method_weights"]


def index_trajectories(
    scores: pl.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    top_n: int | None = None,
    colors: Mapping[str, str] | None = None,
    ncols: int = 2,
    fig=None,
):
    """Index trajectories per region over the years, one panel per index level.

    Parameters
    ----------
    scores : polars.DataFrame
        ``region, year, index`` and one column per dimension (``IndexResult.scores``).
    columns : sequence of str, optional
        Index columns to draw, one panel each; default ``index`` then every other numeric column.
    top_n : int, optional
        Draw only the ``top_n`` regions by each panel's last-year value, plus a grey band (5-95 %
        of all regions) and a dashed median line. Default: every region when there are at most 20,
        else the top 10. Use it for county panels with thousands of regions.
    colors : mapping, optional
        Region -> colour; default :func:`region_colors`.
    ncols : int
        Panels per row.
    fig : matplotlib.figure.Figure, optional
        Figure to draw on (must be empty).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per column with x label ``Year`` and y label ``Index``; each holds one line per
        drawn region (plus one median line in top-N mode).
    """
    scores = check_frame(scores, "scores", ("region", "year"))
    if columns is None:
        numeric = [
            c for c in scores.columns
            if c not in ("region", "year", "rank") and scores.schema[c].is_numeric()
        ]
        columns = (["index"] if "index" in numeric else []) + [c for c in numeric if c != "index"]
    columns = list(columns)
    bad = [c for c in columns if c not in scores.columns]
    if bad or not columns:
        raise SchemaError(f"scores has no column(s) {format_keys(bad or ['<any index column>'])}.")
    regions = list(dict.fromkeys(scores["region"].to_list()))
    if top_n is None and len(regions) > 20:
        top_n = 10
    if top_n is not None and top_n < 1:
        raise InputError(f"top_n must be a positive integer; got {top_n}.")
    cmap = colors_for(regions, colors)
    if top_n is not None and colors is None and len(regions) > len(PALETTE):
        cmap = None  # thousands of regions: distinct colours by position among the drawn ones
    years = np.array(sorted(set(scores["year"].to_list())))
    n_panels = len(columns)
    ncols = max(1, min(ncols, n_panels))
    nrows = -(-n_panels // ncols)
    with style(regions):
        if fig is None:
            fig = new_figure((3.6 * ncols + 1.6, 2.8 * nrows + 0.4))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
        wide = {
            col: scores.pivot(on="year", index="region", values=col, aggregate_function="first")
            .select(["region", *[str(y) for y in years]])
            for col in columns
        }
        legend_regions: list[str] = []
        local: dict[str, str] = {}
        for ax, col in zip(axes, columns):
            w = wide[col]
            names = w["region"].to_list()
            vals = w.drop("region").to_numpy().astype(float)
            order = np.argsort(-np.nan_to_num(vals[:, -1], nan=-np.inf), kind="stable")
            chosen = order if top_n is None else order[:top_n]
            if top_n is not None:
                lo, med, hi = np.nanpercentile(vals, [5, 50, 95], axis=0)
                ax.fill_between(years, lo, hi, color="0.85", lw=0, label="5-95 % of all regions")
                ax.plot(years, med, color="0.45", ls="--", lw=1.2, label="median of all regions")
            for i in chosen:
                if cmap is None:
                    pos = len(legend_regions) if names[i] not in legend_regions else legend_regions.index(names[i])
                    local[names[i]] = PALETTE[pos % len(PALETTE)]
                col_r = (cmap or local)[names[i]]
                ax.plot(years, vals[i], color=col_r, lw=1.5, ms=2.5, label=names[i],
                        **line_style(col_r))
                if names[i] not in legend_regions:
                    legend_regions.append(names[i])
            ax.set_title(column_label(col))
            ax.set_xlabel("Year")
            ax.set_ylabel(INDEX_LABEL)
            ax.tick_params(axis="x", labelbottom=True)
            if len(years) <= 12:
                ax.set_xticks(years)
                ax.set_xticklabels([str(y) for y in years], rotation=45)
        for ax in axes[n_panels:]:
            ax.set_visible(False)
        # one shared legend, ordered as in the first panel (best last-year value first)
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=(cmap or local)[r], lw=1.5, ms=3,
                          **line_style((cmap or local)[r])) for r in legend_regions]
        labels = list(legend_regions)
        if top_n is not None:
            from matplotlib.patches import Patch

            handles += [Line2D([], [], color="0.45", ls="--"), Patch(color="0.85")]
            labels += ["median of all regions", "5-95 % of all regions"]
        fig.legend(handles, labels, loc="outside right upper", frameon=False,
                   ncols=1 if len(labels) <= 24 else 2)
    return fig


def _ranks_within_year(scores: pl.DataFrame, column: str) -> pl.DataFrame:
    return scores.with_columns(
        pl.col(column).rank(method="min", descending=True).over("year").cast(pl.Int64).alias("_rank")
    )


def _rank_table(scores: pl.DataFrame, column: str, rank: str | None
                ) -> tuple[list[int], list[str], np.ndarray]:
    """``(years, regions, ranks)``: regions sorted by last-year rank (then mean rank)."""
    need = ("region", "year", rank) if rank else ("region", "year", column)
    scores = check_frame(scores, "scores", need)
    df = scores.rename({rank: "_rank"}) if rank else _ranks_within_year(scores, column)
    years = sorted(set(df["year"].to_list()))
    w = df.pivot(on="year", index="region", values="_rank", aggregate_function="first").select(
        ["region", *[str(y) for y in years]]
    )
    vals = w.drop("region").to_numpy().astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no mean
        mean = np.nanmean(vals, axis=1)
    order = np.lexsort((mean, np.nan_to_num(vals[:, -1], nan=np.inf)))
    return years, [w["region"][int(i)] for i in order], vals[order]


def _what(column: str) -> str:
    return column_label(column).lower() if column != "combined" else "combined score"


def rank_heatmap(
    scores: pl.DataFrame,
    *,
    column: str = "index",
    rank: str | None = None,
    annotate: bool | None = None,
    top_bottom: int | None = None,
    ax=None,
):
    """Rank heatmap region x year (rank 1 = best within its year).

    Parameters
    ----------
    scores : polars.DataFrame
        ``region, year`` and ``column`` (ranks computed within each year, highest value = 1), or a
        ready ``rank`` column named by ``rank``.
    column : str
        Score column to rank when ``rank`` is not given.
    rank : str, optional
        Name of a rank column to use as is (e.g. ``"rank"`` of ``CombinedResult.scores``).
    annotate : bool, optional
        Print the rank in each cell; default when at most 40 rows are drawn.
    top_bottom : int, optional
        Draw only the ``top_bottom`` best and the ``top_bottom`` worst regions by last-year rank
        (a white line between them). Default: every region up to
        ``_config.REPORT_ALL_REGIONS_MAX`` (60) regions, else ``_config.REPORT_TOP_BOTTOM`` (20)
        at each end; 0 draws every region (one unlabelled row each beyond 120). For the
        distribution of all regions' ranks see :func:`rank_bands`.

    Returns
    -------
    matplotlib.figure.Figure
        Rows = regions sorted by last-year rank, columns = years; x label ``Year``, y label
        ``Region``, a colour bar labelled ``Rank (1 = best)``; the title names the selection.
    """
    years, names, vals = _rank_table(scores, column, rank)
    total = len(names)
    if top_bottom is None:
        top_bottom = 0 if total <= _config.REPORT_ALL_REGIONS_MAX else _config.REPORT_TOP_BOTTOM
    if top_bottom < 0:
        raise InputError(f"top_bottom must be >= 0; got {top_bottom}.")
    split = None
    if top_bottom and total > 2 * top_bottom:
        keep = np.r_[np.arange(top_bottom), np.arange(total - top_bottom, total)]
        vals_all_max = np.nanmax(vals)
        vals, names = vals[keep], [names[i] for i in keep]
        split = top_bottom - 0.5
    else:
        vals_all_max = np.nanmax(vals)
    n = len(names)
    if annotate is None:
        annotate = n <= 40
    with style(names):
        fig, ax = figure_axes(ax, (1.2 + 0.55 * len(years) + 1.4, 1.2 + 0.28 * min(n, 120)))
        im = ax.imshow(vals, aspect="auto", cmap="viridis_r", interpolation="nearest",
                       vmin=1, vmax=max(vals_all_max, 2))
        ax.grid(False)
        ax.set_xticks(range(len(years)))
        ax.set_xticklabels([str(y) for y in years], rotation=45)
        if n <= 120:
            ax.set_yticks(range(n))
            ax.set_yticklabels(names)
        if split is not None:
            ax.axhline(split, color="white", lw=3)
        ax.set_xlabel("Year")
        ax.set_ylabel("Region")
        sel = (f"top {top_bottom} and bottom {top_bottom} of {total:,} regions" if split is not None
               else f"all {total:,} regions")
        ax.set_title(f"Rank by {_what(column)} ({sel})")
        if annotate:
            for i in range(n):
                for j in range(len(years)):
                    v = vals[i, j]
                    if np.isfinite(v):
                        ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=7.5,
                                color="white" if v > 0.55 * vals_all_max else "black")
        cb = fig.colorbar(im, ax=ax, shrink=0.8)
        cb.set_label(RANK_LABEL)
        cb.ax.invert_yaxis()
    return fig


def rank_bands(
    scores: pl.DataFrame,
    *,
    column: str = "index",
    rank: str | None = None,
    bands: int = 10,
    fig=None,
):
    """The ranks of every region at once: rank bands over the years and the rank changes.

    For panels with too many regions for a :func:`rank_heatmap` row each.

    Parameters
    ----------
    scores : polars.DataFrame
        As in :func:`rank_heatmap`.
    column, rank : str
        As in :func:`rank_heatmap`.
    bands : int
        Groups of regions by last-year rank (10 = deciles: band 1 = the best tenth).

    Returns
    -------
    matplotlib.figure.Figure
        Left: a band x year heatmap of the median rank of each band's regions in each year
        (annotated; a band whose regions kept their ranks keeps its colour). Right: a histogram
        of each region's rank change from the first to the last year (positive = moved up).
    """
    years, names, vals = _rank_table(scores, column, rank)
    total = len(names)
    if bands < 1:
        raise InputError(f"bands must be a positive integer; got {bands}.")
    bands = min(bands, total)
    groups = np.array_split(np.arange(total), bands)
    med = np.full((bands, len(years)), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a band with no rank in a year: NaN
        for b, g in enumerate(groups):
            med[b] = np.nanmedian(vals[g], axis=0)
    change = vals[:, 0] - vals[:, -1]
    change = change[np.isfinite(change)]
    labels = [f"{int(g[0]) + 1:,}-{int(g[-1]) + 1:,}" for g in groups]
    with style():
        if fig is None:
            fig = new_figure((1.6 + 0.5 * len(years) + 4.6, 1.4 + 0.32 * bands + 0.6))
        ax, ax2 = fig.subplots(1, 2, width_ratios=[max(len(years), 3) * 0.5 + 1.2, 3.6])
        im = ax.imshow(med, aspect="auto", cmap="viridis_r", interpolation="nearest", vmin=1,
                       vmax=max(np.nanmax(vals), 2))
        ax.grid(False)
        ax.set_xticks(range(len(years)))
        ax.set_xticklabels([str(y) for y in years], rotation=45)
        ax.set_yticks(range(bands))
        ax.set_yticklabels(labels)
        if len(years) <= 15 and bands <= 20:
            top = np.nanmax(vals)
            for i in range(bands):
                for j in range(len(years)):
                    v = med[i, j]
                    if np.isfinite(v):
                        ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=6.5,
                                color="white" if v > 0.55 * top else "black")
        ax.set_xlabel("Year")
        ax.set_ylabel(f"Last-year rank band ({bands} bands)")
        ax.set_title(f"Median rank by {_what(column)}, all {total:,} regions")
        cb = fig.colorbar(im, ax=ax, shrink=0.8)
        cb.set_label("Median rank (1 = best)")
        cb.ax.invert_yaxis()
        ax2.hist(change, bins=min(40, max(5, int(np.sqrt(max(len(change), 1))))),
                 color=PALETTE[0], alpha=0.85)
        ax2.axvline(0, color="0.3", lw=0.9)
        ax2.set_xlabel(f"Rank change {years[0]}-{years[-1]} (+ = up)")
        ax2.set_ylabel("Regions")
        ax2.set_title("Rank changes")
    return fig


def rank_stability(
    summary: pl.DataFrame,
    *,
    year: int | None = None,
    top_n: int | None = None,
    colors: Mapping[str, str] | None = None,
    ax=None,
):
    """Median rank with its 5-95 % interval per region under perturbation, sorted.

    Parameters
    ----------
    summary : polars.DataFrame
        ``RobustnessResult.summary``: ``region, year, base_rank, median_rank, rank_p05, rank_p95``.
    year : int, optional
        Year to show; default the last year.
    top_n : int, optional
        Show only the best ``top_n`` regions by median rank (default all up to
        ``_config.REPORT_ALL_REGIONS_MAX`` (60), else ``_config.REPORT_STABILITY_MAX`` (40)).

    Returns
    -------
    matplotlib.figure.Figure
        Regions on y (best at the top), rank on x (label ``Rank (1 = best)``); one interval line
        and one median marker per region, base ranks as open diamonds; the title names the
        selection (``top 40 of 2,800 by median rank``).
    """
    summary = check_frame(summary, "summary", ("region", "year", "median_rank", "rank_p05", "rank_p95"))
    years = sorted(set(summary["year"].to_list()))
    year = years[-1] if year is None else year
    if year not in years:
        raise InputError(f"year {year} is not in the summary; years are {format_keys(years)}.")
    s = summary.filter(pl.col("year") == year)
    sort_cols = ["median_rank"] + (["base_rank"] if "base_rank" in s.columns else []) + ["region"]
    s = s.sort(sort_cols)
    total = s.height
    if top_n is None and s.height > _config.REPORT_ALL_REGIONS_MAX:
        top_n = _config.REPORT_STABILITY_MAX
    if top_n is not None:
        s = s.head(top_n)
    cmap = colors_for(summary["region"].unique().to_list(), colors)
    n = s.height
    own = ax is None
    sel = f"top {n:,} of {total:,} by median rank" if n < total else f"all {total:,} regions"
    with style(s["region"].to_list()):
        fig, ax = figure_axes(ax, (6.4, 1.4 + 0.3 * n))
        y = np.arange(n)
        for i, row in enumerate(s.iter_rows(named=True)):
            c = cmap[row["region"]]
            ax.plot([row["rank_p05"], row["rank_p95"]], [i, i], color=c, lw=3.5, alpha=0.8,
                    solid_capstyle="round")
            ax.plot([row["median_rank"]], [i], marker="o", color=c, ms=6, ls="none")
        if "base_rank" in s.columns:
            ax.plot(s["base_rank"].to_numpy(), y, marker="D", mfc="none", mec="black", ms=5,
                    ls="none", label="base rank", zorder=3)
        ax.set_yticks(y)
        ax.set_yticklabels(s["region"].to_list())
        ax.invert_yaxis()
        ax.set_xlabel(RANK_LABEL)
        ax.set_ylabel("Region")
        ax.set_title(f"Rank stability, {year}: median and 5-95 % interval ({sel})")
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color="0.3", lw=3.5, alpha=0.8), Line2D([], [], color="0.3",
                   marker="o", ls="none")]
        labels = ["5-95 % interval", "median rank"]
        if "base_rank" in s.columns:
            handles.append(Line2D([], [], marker="D", mfc="none", mec="black", ls="none"))
            labels.append("base rank")
        if own:
            fig.legend(handles, labels, loc="outside lower center", ncols=len(labels),
                       frameon=False)
        else:
            ax.legend(handles, labels, loc="best", frameon=True, framealpha=0.9)
        ax.grid(axis="y", visible=False)
        ax.xaxis.get_major_locator().set_params(integer=True)
    return fig


def rho_distribution(agreement: pl.DataFrame, *, rho: pl.DataFrame | None = None, ax=None):
    """Spearman rho between each perturbed ranking and the base ranking, per year.

    Parameters
    ----------
    agreement : polars.DataFrame
        ``RobustnessResult.agreement``: ``year, spearman_rho_mean, spearman_rho_p05, spearman_rho_min`` (and optionally
        ``mean_abs_rank_shift``).
    rho : polars.DataFrame, optional
        Per-draw values ``year, spearman_rho`` when available: drawn as one box per year.

    Returns
    -------
    matplotlib.figure.Figure
        x label ``Year``, y label ``Spearman rho with base ranking``; three lines (mean, 5th
        percentile, minimum), or the boxes when ``rho`` is given.
    """
    agreement = check_frame(agreement, "agreement", ("year", "spearman_rho_mean", "spearman_rho_p05", "spearman_rho_min"))
    a = agreement.sort("year")
    years = a["year"].to_numpy()
    with style():
        fig, ax = figure_axes(ax, (6.4, 3.4))
        if rho is not None:
            rho = check_frame(rho, "rho", ("year", "spearman_rho"))
            data = [rho.filter(pl.col("year") == y)["spearman_rho"].to_numpy() for y in years]
            ax.boxplot(data, positions=years, widths=0.6, showfliers=False)
        else:
            ax.fill_between(years, a["spearman_rho_min"].to_numpy(), a["spearman_rho_p05"].to_numpy(),
                            color="#d62728", alpha=0.12, lw=0)
            ax.plot(years, a["spearman_rho_mean"].to_numpy(), "-o", color="#1f77b4", label="mean")
            ax.plot(years, a["spearman_rho_p05"].to_numpy(), "--s", color="#ff7f0e", ms=4,
                    label="5th percentile")
            ax.plot(years, a["spearman_rho_min"].to_numpy(), ":v", color="#d62728", ms=4, label="minimum")
            ax.legend(loc="lower left", frameon=True, framealpha=0.9)
        lo = float(np.nanmin(a["spearman_rho_min"].to_numpy()))
        ax.set_ylim(min(lo - 0.05, 0.8), 1.01)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=45)
        ax.set_xlabel("Year")
        ax.set_ylabel("Spearman rho with base ranking")
        ax.set_title("Agreement of perturbed rankings with the base ranking")
    return fig


def method_agreement(
    compatibility: pl.DataFrame,
    *,
    year: int | None = None,
    dimension: str = "index",
    ax=None,
):
    """Spearman correlation matrix between the single methods' rankings.

    Parameters
    ----------
    compatibility : polars.DataFrame
        ``CombinedResult.compatibility``: ``year, dimension, method_a, method_b, spearman_rho`` (each pair
        once or both ways).
    year : int, optional
        One year; default the mean rho over all years.
    dimension : str
        Which index level (``"index"`` = the whole system).

    Returns
    -------
    matplotlib.figure.Figure
        A methods x methods heatmap with x label ``Method`` and y label ``Method``, cells
        annotated with rho, a colour bar labelled ``Spearman rho``.
    """
    c = check_frame(compatibility, "compatibility", ("year", "method_a", "method_b", "spearman_rho"))
    if "dimension" in c.columns:
        dims = c["dimension"].unique().to_list()
        if dimension not in dims:
            raise InputError(f"dimension {dimension!r} not in compatibility; have {format_keys(dims)}.")
        c = c.filter(pl.col("dimension") == dimension)
    if year is not None:
        c = c.filter(pl.col("year") == year)
        if c.height == 0:
            raise InputError(f"year {year} is not in compatibility.")
    methods = list(dict.fromkeys(c["method_a"].to_list() + c["method_b"].to_list()))
    k = len(methods)
    idx = {m: i for i, m in enumerate(methods)}
    acc = np.zeros((k, k))
    cnt = np.zeros((k, k))
    for a, b, r in c.select("method_a", "method_b", "spearman_rho").iter_rows():
        if r is None or not np.isfinite(r):
            continue
        i, j = idx[a], idx[b]
        acc[i, j] += r
        cnt[i, j] += 1
        if i != j:
            acc[j, i] += r
            cnt[j, i] += 1
    with np.errstate(invalid="ignore"):
        mat = acc / cnt
    np.fill_diagonal(mat, 1.0)
    with style():
        fig, ax = figure_axes(ax, (1.8 + 0.9 * k, 1.2 + 0.8 * k))
        im = ax.imshow(mat, cmap="RdYlBu", vmin=-1, vmax=1)
        ax.grid(False)
        labels = [m.replace("_", " ") for m in methods]
        ax.set_xticks(range(k))
        ax.set_xticklabels(labels, rotation=30, ha="right")
        ax.set_yticks(range(k))
        ax.set_yticklabels(labels)
        for i in range(k):
            for j in range(k):
                if np.isfinite(mat[i, j]):
                    ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=9,
                            color="white" if abs(mat[i, j]) > 0.75 else "black")
        ax.set_xlabel("Method")
        ax.set_ylabel("Method")
        what = f"{year}" if year is not None else "mean over years"
        ax.set_title(f"Agreement of method rankings ({what})")
        cb = fig.colorbar(im, ax=ax, shrink=0.85)
        cb.set_label("Spearman rho")
    return fig


_METHOD_COLORS = {"entropy": "#1f77b4", "max_deviation": "#ff7f0e", "topsis": "#2ca02c",
                  "gra": "#9467bd"}


def method_weights(method_weights: pl.DataFrame, *, dimension: str = "index", ax=None):
    """Drift-degree weight of each method per year.

    Parameters
    ----------
    method_weights : polars.DataFrame
        ``CombinedResult.method_weights``: ``year, dimension, method, weight``.
    dimension : str
        Which index level (``"index"`` = the whole system).

    Returns
    -------
    matplotlib.figure.Figure
        x label ``Year``, y label ``Method weight``; one line per method.
    """
    mw = check_frame(method_weights, "method_weights", ("year", "method", "weight"))
    if "dimension" in mw.columns:
        mw = mw.filter(pl.col("dimension") == dimension)
        if mw.height == 0:
            raise InputError(f"dimension {dimension!r} not in method_weights.")
    methods = list(dict.fromkeys(mw["method"].to_list()))
    years = sorted(set(mw["year"].to_list()))
    fallback = iter(PALETTE[4:])
    with style():
        fig, ax = figure_axes(ax, (6.4, 3.4))
        for m in methods:
            d = mw.filter(pl.col("method") == m).sort("year")
            ax.plot(d["year"].to_numpy(), d["weight"].to_numpy(), "-o", ms=4,
                    color=_METHOD_COLORS.get(m) or next(fallback), label=m.replace("_", " "))
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=45)
        ax.set_xlabel("Year")
        ax.set_ylabel("Method weight")
        ax.set_title("Drift-degree weights of the single methods")
        ax.legend(loc="best", frameon=True, framealpha=0.9)
    return fig


