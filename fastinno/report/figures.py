"""The report's figures: what each one needs, how it is drawn and its caption.

A :class:`FigureSpec` is drawn when every table it needs is present and non-empty; its files are
``figures/<name>.<format>`` for each configured format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .. import plots
from .format import index_rows

__all__ = ["FigureSpec", "draw_figures", "INDEX_TRAJECTORIES", "INDEX_RANK_HEATMAP",
           "COMBINED_RANK_HEATMAP", "COMBINED_METHOD_AGREEMENT", "COMBINED_METHOD_WEIGHTS",
           "SIMULATE_RANK_STABILITY", "SIMULATE_RHO", "BOOTSTRAP_RANK_STABILITY", "BOOTSTRAP_RHO",
           "FORECAST", "DEMATEL_CAUSE_EFFECT"]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report.

    Attributes
    ----------
    name : str
        File stem under ``figures/``.
    needs : tuple of str
        Tables that must be present and non-empty.
    draw : callable
        ``draw(tables, figure_config) -> Figure``.
    caption : str
    """

    name: str
    needs: tuple[str, ...]
    draw: Callable[[Mapping[str, pl.DataFrame], Mapping[str, Any]], Any]
    caption: str


def _trajectories(t, figcfg):
    return plots.index_trajectories(t["index_scores"], top_n=figcfg.get("top_n"),
                                    columns=figcfg.get("trajectory_columns"))


def _index_heatmap(t, figcfg):
    return plots.rank_heatmap(t["index_scores"], column="index")


def _combined_heatmap(t, figcfg):
    s = index_rows(t["combined_scores"])
    if "rank" in s.columns:
        return plots.rank_heatmap(s, column="combined", rank="rank")
    return plots.rank_heatmap(s, column="combined")


def _method_agreement(t, figcfg):
    return plots.method_agreement(t["combined_compatibility"])


def _method_weights(t, figcfg):
    return plots.method_weights(t["combined_method_weights"])


def _stability(prefix):
    def draw(t, figcfg):
        return plots.rank_stability(t[f"{prefix}_summary"])

    return draw


def _rho(prefix):
    def draw(t, figcfg):
        rho = t.get(f"{prefix}_rho")
        if rho is not None and not {"year", "spearman_rho"} <= set(rho.columns):
            rho = None
        return plots.rho_distribution(t[f"{prefix}_agreement"], rho=rho)

    return draw


def _forecast(t, figcfg):
    fc = t["forecast"]
    col = fc["column"][0]
    fc = fc.filter(pl.col("column") == col)
    fit = t.get("forecast_fit")
    if fit is not None and "column" in fit.columns:
        fit = fit.filter(pl.col("column") == col)
    sel = figcfg.get("forecast_regions", 6)
    if isinstance(sel, list):
        return plots.forecast_fits(fc, fit, regions=sel)
    return plots.forecast_fits(fc, fit, max_regions=int(sel))


def _cause_effect(t, figcfg):
    ax = plots.cause_effect_diagram(t["dematel_factors"])
    fig = getattr(ax, "figure", ax)  # it returns the Axes
    legend = ax.get_legend() if hasattr(ax, "get_legend") else None
    if legend is not None:  # keep the quadrant labels free: legend below the axes
        handles, labels = ax.get_legend_handles_labels()
        legend.remove()
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=4,
                  frameon=False)
    return fig


INDEX_TRAJECTORIES = FigureSpec(
    "index_trajectories", ("index_scores",), _trajectories,
    "Index trajectories per region: overall index and each sub-index.")
INDEX_RANK_HEATMAP = FigureSpec(
    "index_rank_heatmap", ("index_scores",), _index_heatmap,
    "Rank of each region by the overall index in each year (1 = best).")
COMBINED_RANK_HEATMAP = FigureSpec(
    "combined_rank_heatmap", ("combined_scores",), _combined_heatmap,
    "Rank by the drift-degree combined score in each year.")
COMBINED_METHOD_AGREEMENT = FigureSpec(
    "combined_method_agreement", ("combined_compatibility",), _method_agreement,
    "Spearman correlation between the single methods' rankings (whole system, mean over years).")
COMBINED_METHOD_WEIGHTS = FigureSpec(
    "combined_method_weights", ("combined_method_weights",), _method_weights,
    "Drift-degree weight of each single method per year.")
SIMULATE_RANK_STABILITY = FigureSpec(
    "simulate_rank_stability", ("simulate_summary",), _stability("simulate"),
    "Median rank and 5-95 % interval under weight perturbation (last year), sorted; diamonds are "
    "the base ranks.")
SIMULATE_RHO = FigureSpec(
    "simulate_rho", ("simulate_agreement",), _rho("simulate"),
    "Spearman rho between each perturbed ranking and the base ranking.")
BOOTSTRAP_RANK_STABILITY = FigureSpec(
    "bootstrap_rank_stability", ("bootstrap_summary",), _stability("bootstrap"),
    "Median rank and 5-95 % interval over bootstrap replicates.")
BOOTSTRAP_RHO = FigureSpec(
    "bootstrap_rho", ("bootstrap_agreement",), _rho("bootstrap"),
    "Spearman rho between each bootstrap ranking and the base ranking.")
FORECAST = FigureSpec(
    "forecast", ("forecast",), _forecast,
    "GM(1,1) fit and forecast for selected regions; the accuracy grade (posterior variance ratio "
    "C, small error probability P) is in each legend.")
DEMATEL_CAUSE_EFFECT = FigureSpec(
    "dematel_cause_effect", ("dematel_factors",), _cause_effect,
    "Cause-effect diagram: prominence R + C against relation R - C; factors above the line are "
    "causes.")


def draw_figures(folder: Path, specs: Iterable[FigureSpec], tables: Mapping[str, pl.DataFrame],
                 figcfg: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Draw and save every figure whose tables are there.

    Returns
    -------
    written : list of str
        Paths relative to ``folder`` (``figures/<name>.<format>``).
    failures : dict
        Figure name -> why it was not drawn.
    """
    fdir = folder / "figures"
    fdir.mkdir(exist_ok=True)
    formats = list(figcfg.get("format") or ["png"])
    dpi = int(figcfg.get("dpi") or 150)
    written: list[str] = []
    failures: dict[str, str] = {}
    for spec in specs:
        if not all(n in tables and tables[n].height > 0 for n in spec.needs):
            continue
        try:
            fig = spec.draw(tables, figcfg)
        except (ImportError, AttributeError) as exc:
            failures[spec.name] = f"figure not drawn: {exc}"
            continue
        for fmt in formats:
            plots.save_figure(fig, fdir / f"{spec.name}.{fmt}", dpi=dpi)
            written.append(f"figures/{spec.name}.{fmt}")
    return written, failures
