"""Figure of a method comparison: correlation heatmap of the configurations, and the ranks each
configuration gives the leading regions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from ..errors import InputError
from .style import RANK_LABEL, check_frame, colors_for, new_figure, style

__all__ = ["method_comparison"]


def method_comparison(
    correlation: pl.DataFrame,
    scores: pl.DataFrame,
    *,
    coefficient: str | None = None,
    year: int | None = None,
    top: int = 10,
    colors: Mapping[str, str] | None = None,
    fig=None,
):
    """Correlation heatmap of the configurations and the ranks of the top regions by configuration.

    Parameters
    ----------
    correlation : polars.DataFrame
        ``year, config_a, config_b, coefficient, value`` (``ComparisonResult.correlation``).
    scores : polars.DataFrame
        ``config, region, year, rank`` (``ComparisonResult.scores``).
    coefficient : str, optional
        The coefficient drawn (default: the first in the table).
    year : int, optional
        The year whose ranks are drawn and whose correlations are shown (default: the last year;
        the correlations are then averaged over all years).
    top : int
        Number of regions drawn on the right: the best by median rank across configurations.

    Returns
    -------
    matplotlib.figure.Figure
        Left: the configurations' mean correlation (diagonal 1); right: each top region's rank
        (y, 1 at the top) under each configuration (x).
    """
    cor = check_frame(correlation, "correlation", ("year", "config_a", "config_b", "coefficient", "value"))
    sc = check_frame(scores, "scores", ("config", "region", "year", "rank"))
    coef = coefficient or cor["coefficient"][0]
    cor = cor.filter(pl.col("coefficient") == coef)
    if cor.height == 0:
        raise InputError(f"coefficient {coef!r} is not in the correlation table.")
    configs = list(dict.fromkeys(sc["config"].cast(pl.String).to_list()))
    pos = {c: i for i, c in enumerate(configs)}
    k = len(configs)
    if year is not None:
        cor = cor.filter(pl.col("year") == year)
    mean = cor.group_by("config_a", "config_b").agg(pl.col("value").mean())
    mat = np.eye(k)
    seen = np.eye(k, dtype=bool)
    for a, b, v in mean.iter_rows():
        mat[pos[str(a)], pos[str(b)]] = v
        seen[pos[str(a)], pos[str(b)]] = True
    mat = np.where(seen, mat, mat.T)  # symmetric coefficients are stored once
    years = sc["year"].drop_nulls()
    pick = year if year is not None else (years.max() if years.len() else None)
    cell = sc if pick is None else sc.filter(pl.col("year") == pick)
    med = cell.group_by("region").agg(pl.col("rank").median().alias("m")).sort(["m", "region"])
    regions = med["region"].head(top).to_list()
    cmap = colors_for(cell["region"].unique().to_list(), colors)
    with style([*configs, *regions]):
        if fig is None:
            fig = new_figure((min(6.0 + 0.28 * k, 16.0), min(3.4 + 0.22 * k, 10.0)))
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.0, 1.2])
        im = ax1.imshow(mat, vmin=-1.0, vmax=1.0, cmap="RdBu_r")
        ax1.set_xticks(range(k), configs, rotation=90, fontsize=7)
        ax1.set_yticks(range(k), configs, fontsize=7)
        ax1.grid(False)
        ax1.set_title(f"{coef} between configurations" + (f", {year}" if year is not None else ""))
        fig.colorbar(im, ax=ax1, shrink=0.8)
        x = np.arange(k)
        for r in regions:
            d = cell.filter(pl.col("region") == r)
            rk = dict(zip(d["config"].cast(pl.String).to_list(), d["rank"].to_list()))
            ax2.plot(x, [rk.get(c, np.nan) for c in configs], marker="o", ms=3, lw=1, color=cmap[r], label=r)
        ax2.set_xticks(x, configs, rotation=90, fontsize=7)
        ax2.invert_yaxis()
        ax2.set_ylabel(RANK_LABEL)
        ax2.set_title(f"Top {len(regions)} regions by configuration" + (f", {pick}" if pick is not None else ""))
        ax2.legend(fontsize=7, ncols=1 if len(regions) <= 10 else 2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
