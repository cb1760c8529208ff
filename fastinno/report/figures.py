"""The report's figures: what each one needs, how it is drawn and its caption.

A :class:`FigureSpec` is drawn when every table it needs is present and non-empty; its files are
``figures/<name>.<format>`` for each configured format. Maps are drawn when the config has a
``[map]`` section (the regions' GeoJSON).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .. import _config, plots
from ..errors import FastinnoWarning, InputError, format_keys
from ..io.read import Geometry, read_geojson
from ..plots import style as plot_style
from .format import index_rows

__all__ = ["FigureSpec", "draw_figures", "robustness_model", "INDEX_TRAJECTORIES",
           "INDEX_RANK_HEATMAP", "INDEX_RANK_BANDS", "COMBINED_RANK_HEATMAP", "COMBINED_RANK_BANDS", "COMBINED_METHOD_AGREEMENT", "COMBINED_METHOD_WEIGHTS",
           "SIMULATE_RANK_STABILITY", "SIMULATE_RHO", "BOOTSTRAP_RANK_STABILITY", "BOOTSTRAP_RHO",
           "FORECAST", "DEMATEL_CAUSE_EFFECT", "COMPARE_METHODS", "INDEX_MAP_FIRST", "INDEX_MAP_LAST",
           "map_geometry"]


def _no_selection(tables: Mapping[str, pl.DataFrame], info: Mapping[str, Any]) -> str:
    return ""


def _always(tables: Mapping[str, pl.DataFrame], info: Mapping[str, Any]) -> bool:
    return True


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
        ``draw(tables, figure_config) -> Figure``; ``figure_config`` is the config's
        ``[figures]`` section with its ``[map]`` section (or None) under ``"map"``.
    caption : str or callable
        What the figure shows, or ``caption(tables, info) -> str``.
    selection : callable
        ``selection(tables, info) -> str``: which regions (or methods, years, factors) it shows,
        e.g. ``"top 40 of 2,800 regions by median rank"``; it opens the caption.
    when : callable
        ``when(tables, info) -> bool``: whether to draw it (default always).
    with_info : bool
        ``draw`` takes ``run.json`` too: ``draw(tables, figure_config, info)`` (a figure that
        needs a step's options, e.g. the geometry file of a map).
    """

    name: str
    needs: tuple[str, ...]
    draw: Callable[[Mapping[str, pl.DataFrame], Mapping[str, Any]], Any]
    caption: str | Callable[[Mapping[str, pl.DataFrame], Mapping[str, Any]], str]
    selection: Callable[[Mapping[str, pl.DataFrame], Mapping[str, Any]], str] = _no_selection
    when: Callable[[Mapping[str, pl.DataFrame], Mapping[str, Any]], bool] = _always
    with_info: bool = False

    def caption_text(self, tables: Mapping[str, pl.DataFrame], info: Mapping[str, Any]) -> str:
        """The caption (without the selection)."""
        return self.caption(tables, info) if callable(self.caption) else self.caption


def _n(t: Mapping[str, pl.DataFrame], name: str, col: str = "region") -> int:
    return t[name][col].n_unique() if name in t and col in t[name].columns else 0


def _figcfg(info: Mapping[str, Any]) -> Mapping[str, Any]:
    return (info.get("config") or {}).get("figures") or {}


def _many(n: int) -> bool:
    return n > _config.REPORT_ALL_REGIONS_MAX


def _heatmap_selection(table: str, what: str):
    def sel(t, info):
        s = index_rows(t[table])
        n = _n(t, table)
        last = s["year"].max()
        if _many(n):
            k = _config.REPORT_TOP_BOTTOM
            return f"top {k} and bottom {k} of {n:,} regions by {what} rank in {last}"
        return f"all {n:,} regions"

    return sel


def _bands_selection(table: str):
    def sel(t, info):
        return f"all {_n(t, table):,} regions in 10 bands of last-year rank"

    return sel


def _many_regions(table: str):
    def when(t, info):
        return _many(_n(t, table))

    return when


def _trajectories_selection(t, info):
    n = _n(t, "index_scores")
    top_n = _figcfg(info).get("top_n")
    if top_n is None and n > 20:
        top_n = 10
    if top_n is None or top_n >= n:
        return f"all {n:,} regions"
    return (f"top {top_n} of {n:,} regions by each panel's last-year value, with the median and "
            "5-95 % band of all regions")


def _stability_selection(prefix: str):
    def sel(t, info):
        s = t[f"{prefix}_summary"]
        n = s.filter(pl.col("year") == s["year"].max()).height
        last = s["year"].max()
        if _many(n):
            return f"top {_config.REPORT_STABILITY_MAX} of {n:,} regions by median rank, {last}"
        return f"all {n:,} regions, {last}"

    return sel


def _rho_selection(prefix: str):
    def sel(t, info):
        a = t[f"{prefix}_agreement"]
        return f"all {a['year'].n_unique()} years"

    return sel


def robustness_model(info: Mapping[str, Any], prefix: str) -> str:
    """The model and weights a robustness step evaluated, from its options in ``run.json``."""
    opts = {}
    for s in info.get("steps", []):
        if s.get("step") == prefix:
            opts = s.get("options") or {}
    model = str(opts.get("model", "hew-topsis"))
    mo = dict(opts.get("model_options") or {})
    if model in ("hew-topsis", "hew_topsis"):
        default_w = "entropy" if prefix == "bootstrap" else None
        w = mo.pop("weights", default_w)
        if w is None or w == "equal-hierarchical":
            wtxt = "hierarchical equal weights (the headline index's)"
        elif isinstance(w, str):
            wtxt = f"{w} weights re-estimated on every replicate"
        else:
            wtxt = "the given fixed weights"
        if prefix == "simulate":
            wtxt = "Dirichlet draws around " + wtxt.replace(" (the headline index's)", "")
        extra = ", ".join(f"{k}={v}" for k, v in mo.items())
        return f"Model: ideal-solution index{f' ({extra})' if extra else ''}; weights: {wtxt}."
    if model == "combined":
        return "Model: the combined evaluation (drift-degree) recomputed per draw."
    return f"Model: {model}; options {mo}." if mo else f"Model: {model}."


def _stability_caption(prefix: str, what: str):
    def cap(t, info):
        return (f"Median rank and 5-95 % interval {what} (last year), sorted; diamonds are the "
                f"base ranks; rank quantiles are rounded to whole ranks in the tables. "
                + robustness_model(info, prefix))

    return cap


def _rho_caption(prefix: str, what: str):
    def cap(t, info):
        return f"Spearman rho between each {what} ranking and the base ranking. " + \
            robustness_model(info, prefix)

    return cap


def _forecast_selection(t, info):
    fc = t["forecast"]
    n = fc["region"].n_unique()
    col = fc["column"][0] if "column" in fc.columns else "index"
    sel = _figcfg(info).get("forecast_regions", 6)
    if isinstance(sel, list):
        return f"{len(sel)} of {n:,} regions named in [figures] forecast_regions"
    k = min(int(sel), n)
    if k >= n:
        return f"all {n:,} regions"
    return f"the {k} of {n:,} regions with the highest last observed {col}"


def _trajectories(t, figcfg):
    return plots.index_trajectories(t["index_scores"], top_n=figcfg.get("top_n"),
                                    columns=figcfg.get("trajectory_columns"))


def _index_heatmap(t, figcfg):
    return plots.rank_heatmap(t["index_scores"], column="index")


def _index_bands(t, figcfg):
    return plots.rank_bands(t["index_scores"], column="index")


def _combined_scores(t):
    s = index_rows(t["combined_scores"])
    return s, ("rank" if "rank" in s.columns else None)


def _combined_heatmap(t, figcfg):
    s, rank = _combined_scores(t)
    return plots.rank_heatmap(s, column="combined", rank=rank)


def _combined_bands(t, figcfg):
    s, rank = _combined_scores(t)
    return plots.rank_bands(s, column="combined", rank=rank)


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


def _compare(t, figcfg):
    from ..plots.compare import method_comparison

    return method_comparison(t["compare_correlation"], t["compare_scores"], top=figcfg.get("top_n") or 10)


def _compare_selection(t, info):
    s = t["compare_scores"]
    k = s["config"].n_unique()
    n = s["region"].n_unique()
    top = min(_figcfg(info).get("top_n") or 10, n)
    return f"all {k} configurations; the top {top} of {n:,} regions by median rank in {s['year'].max()}"


def _map_config(info: Mapping[str, Any]) -> Mapping[str, Any] | None:
    m = (info.get("config") or {}).get("map")
    return m if m and Path(m.get("geometry", "")).is_file() else None


@functools.lru_cache(maxsize=2)
def _geometry(path: str, key: str, stamp: tuple[int, int]) -> Geometry:
    return read_geojson(path, key=key)


def map_geometry(map_config: Mapping[str, Any]) -> Geometry:
    """The :class:`~fastinno.io.read.Geometry` of a ``[map]`` section (``geometry``, ``key``),
    read once per file version."""
    p = Path(map_config["geometry"])
    st = p.stat()
    return _geometry(str(p), str(map_config.get("key", "code")), (st.st_mtime_ns, st.st_size))


def _index_year(t: Mapping[str, pl.DataFrame], which: str) -> int:
    years = t["index_scores"]["year"]
    return int(years.min() if which == "first" else years.max())


def _map_when(which: str):
    def when(t, info):
        if _map_config(info) is None:
            return False
        return which == "last" or t["index_scores"]["year"].n_unique() > 1

    return when


def _index_map(which: str):
    def draw(t, figcfg):
        mcfg = figcfg["map"]
        geo = map_geometry(mcfg)
        s = t["index_scores"]
        year = _index_year(t, which)
        values = s.filter(pl.col("year") == year).select("region", pl.col("index").alias("value"))
        with warnings.catch_warnings():  # regions without a polygon: said in the caption
            warnings.simplefilter("ignore", FastinnoWarning)
            fig = plots.choropleth(geo, values, key=mcfg.get("key", "code"), title=f"Overall index, {year}",
                                   label="Overall index", missing="skip")
        # one colour scale for the first and the last year's maps
        both = s.filter(pl.col("year").is_in([s["year"].min(), s["year"].max()])
                        & pl.col("region").is_in(list(geo.keys)))["index"].drop_nulls().drop_nans()
        if both.len():
            lo, hi = float(both.min()), float(both.max())
            if hi > lo:
                for coll in fig.axes[0].collections:
                    coll.set_clim(lo, hi)
        return fig

    return draw


def _map_selection(which: str):
    def sel(t, info):
        geo = map_geometry(_map_config(info))
        year = _index_year(t, which)
        regions = t["index_scores"].filter(pl.col("year") == year)["region"].to_list()
        have = set(geo.keys)
        on = [r for r in regions if r in have]
        off = [r for r in regions if r not in have]
        text = f"{len(on):,} of {len(regions):,} regions, {year}"
        if off:
            text += (f" ({len(off):,} without a polygon in the GeoJSON under {geo.key!r}: "
                     f"{format_keys(off, limit=3)})")
        return text

    return sel


def _map_caption(t, info):
    shared = (" the first- and last-year maps share one colour scale;"
              if t["index_scores"]["year"].n_unique() > 1 else "")
    return (f"Overall index by region on the map of the [map] GeoJSON;{shared} regions of the map "
            "without a score are grey.")


COMPARE_METHODS = FigureSpec(
    "compare_methods", ("compare_correlation", "compare_scores"), _compare,
    "Left: mean rank correlation between every two configurations (method/weights/normalize) over "
    "the years. Right: the rank (1 = best) each configuration gives the leading regions.",
    _compare_selection)
INDEX_TRAJECTORIES = FigureSpec(
    "index_trajectories", ("index_scores",), _trajectories,
    "Index trajectories per region: overall index and each sub-index.", _trajectories_selection)
INDEX_MAP_FIRST = FigureSpec(
    "index_map_first", ("index_scores",), _index_map("first"), _map_caption, _map_selection("first"),
    _map_when("first"))
INDEX_MAP_LAST = FigureSpec(
    "index_map_last", ("index_scores",), _index_map("last"), _map_caption, _map_selection("last"),
    _map_when("last"))
INDEX_RANK_HEATMAP = FigureSpec(
    "index_rank_heatmap", ("index_scores",), _index_heatmap,
    "Rank of each region by the overall index in each year (1 = best).",
    _heatmap_selection("index_scores", "overall-index"))
INDEX_RANK_BANDS = FigureSpec(
    "index_rank_bands", ("index_scores",), _index_bands,
    "Distribution of the ranks by the overall index: median rank per year of the regions in each "
    "band of last-year rank, and each region's rank change from the first to the last year.",
    _bands_selection("index_scores"), _many_regions("index_scores"))
COMBINED_RANK_HEATMAP = FigureSpec(
    "combined_rank_heatmap", ("combined_scores",), _combined_heatmap,
    "Rank by the drift-degree combined score in each year (1 = best).",
    _heatmap_selection("combined_scores", "combined-score"))
COMBINED_RANK_BANDS = FigureSpec(
    "combined_rank_bands", ("combined_scores",), _combined_bands,
    "Distribution of the ranks by the combined score: median rank per year of each band of "
    "last-year rank, and the rank changes from the first to the last year.",
    _bands_selection("combined_scores"), _many_regions("combined_scores"))
COMBINED_METHOD_AGREEMENT = FigureSpec(
    "combined_method_agreement", ("combined_compatibility",), _method_agreement,
    "Spearman correlation between the single methods' rankings (whole system, mean over years).",
    lambda t, info: f"all {_n(t, 'combined_compatibility', 'method_a')} methods")
COMBINED_METHOD_WEIGHTS = FigureSpec(
    "combined_method_weights", ("combined_method_weights",), _method_weights,
    "Drift-degree weight of each single method per year.",
    lambda t, info: f"all {_n(t, 'combined_method_weights', 'method')} methods, all "
                    f"{_n(t, 'combined_method_weights', 'year')} years")
SIMULATE_RANK_STABILITY = FigureSpec(
    "simulate_rank_stability", ("simulate_summary",), _stability("simulate"),
    _stability_caption("simulate", "under weight perturbation"), _stability_selection("simulate"))
SIMULATE_RHO = FigureSpec(
    "simulate_rho", ("simulate_agreement",), _rho("simulate"),
    _rho_caption("simulate", "perturbed"), _rho_selection("simulate"))
BOOTSTRAP_RANK_STABILITY = FigureSpec(
    "bootstrap_rank_stability", ("bootstrap_summary",), _stability("bootstrap"),
    _stability_caption("bootstrap", "over bootstrap replicates"),
    _stability_selection("bootstrap"))
BOOTSTRAP_RHO = FigureSpec(
    "bootstrap_rho", ("bootstrap_agreement",), _rho("bootstrap"),
    _rho_caption("bootstrap", "bootstrap"), _rho_selection("bootstrap"))
FORECAST = FigureSpec(
    "forecast", ("forecast",), _forecast,
    "GM(1,1) fit and forecast; the accuracy grade (posterior variance ratio C, small error "
    "probability P) is in each legend.", _forecast_selection)
DEMATEL_CAUSE_EFFECT = FigureSpec(
    "dematel_cause_effect", ("dematel_factors",), _cause_effect,
    "Cause-effect diagram: prominence R + C against relation R - C; factors above the line are "
    "causes.", lambda t, info: f"all {t['dematel_factors'].height} factors")


def _labels(tables: Mapping[str, pl.DataFrame]) -> list[str]:
    """Region and factor names the figures may print."""
    out: list[str] = []
    for df in tables.values():
        for col in ("region", "name", "code"):
            if col in df.columns and df.schema[col] == pl.String:
                out += df[col].unique().head(5000).to_list()
    return [x for x in out if x]


def _dpi_for(fig, dpi: int) -> int:
    """``dpi``, lowered so that no side of the saved figure exceeds the report's limit."""
    w, h = fig.get_size_inches()
    limit = _config.REPORT_MAX_FIGURE_PX * 0.96  # "tight" bounding boxes may grow a little
    return max(20, min(dpi, int(limit / max(w, h, 1e-9))))


def draw_figures(folder: Path, specs: Iterable[FigureSpec], tables: Mapping[str, pl.DataFrame],
                 figcfg: Mapping[str, Any], info: Mapping[str, Any] | None = None,
                 worker: Any = None) -> tuple[list[str], dict[str, str]]:
    """Draw and save every figure whose tables are there (and whose ``when`` holds).

    No saved figure is more than ``_config.REPORT_MAX_FIGURE_PX`` pixels on a side (the dpi is
    lowered for a bigger one). Labels in Chinese, Japanese or Korean use an installed CJK font;
    without one, one :class:`~fastinno.errors.FastinnoWarning` says how to install one (and
    matplotlib's warning per missing character is silenced).

    With a ``worker`` (a :class:`~fastinno.report.figure_worker.FigureWorker`; the run folder's
    ``run.json`` and tables must be saved) every other figure is drawn in the worker process
    meanwhile; a figure it did not draw is drawn here. The files are the same either way.

    Returns
    -------
    written : list of str
        Paths relative to ``folder`` (``figures/<name>.<format>``), in the order of ``specs``.
    failures : dict
        Figure name -> why it was not drawn (a missing optional package, or inputs that do not
        fit, e.g. a ``[map]`` whose regions share no name with the panel).
    """
    fdir = folder / "figures"
    fdir.mkdir(exist_ok=True)
    info = info or {}
    if "map" not in figcfg:
        figcfg = {**figcfg, "map": (info.get("config") or {}).get("map")}
    formats = list(figcfg.get("format") or ["png"])
    dpi = int(figcfg.get("dpi") or 150)
    specs = [spec for spec in specs
             if all(n in tables and tables[n].height > 0 for n in spec.needs) and spec.when(tables, info)]
    theirs: list[FigureSpec] = []
    if worker is not None and len(specs) >= _config.REPORT_WORKER_MIN_FIGURES:
        if worker.draw(folder, [spec.name for spec in specs[1::2]]):
            theirs = specs[1::2]
    files: dict[str, list[str]] = {}
    failures: dict[str, str] = {}
    plot_style.check_fonts(_labels(tables))  # the one warning of a missing CJK font
    with warnings.catch_warnings(), plot_style.quiet_missing_glyphs():
        warnings.filterwarnings("ignore", message="Some labels have Chinese",
                                category=FastinnoWarning)

        def draw(todo: list[FigureSpec]) -> None:
            for spec in todo:
                try:
                    fig = spec.draw(tables, figcfg, info) if spec.with_info else spec.draw(tables, figcfg)
                except (ImportError, AttributeError, InputError) as exc:
                    failures[spec.name] = f"figure not drawn: {exc}"
                    continue
                files[spec.name] = []
                for fmt in formats:
                    plots.save_figure(fig, fdir / f"{spec.name}.{fmt}", dpi=_dpi_for(fig, dpi))
                    files[spec.name].append(f"figures/{spec.name}.{fmt}")

        their_names = {spec.name for spec in theirs}
        draw([spec for spec in specs if spec.name not in their_names])
        if theirs:
            reply = worker.collect()
            got, their_failures = reply if reply is not None else ([], {})
            failures.update(their_failures)
            for spec in theirs:
                mine = [f"figures/{spec.name}.{fmt}" for fmt in formats]
                if all(f in got for f in mine):
                    files[spec.name] = mine
            draw([spec for spec in theirs if spec.name not in files and spec.name not in failures])
    written = [f for spec in specs for f in files.get(spec.name, [])]
    return written, failures
