"""The report's part of the regional analyses (the ``[disparity]`` step): its figures, its
section and its methods text."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from .. import plots
from .figures import FigureSpec
from .format import fill, section, step_option
from .sections import Page, ReportPart

__all__ = ["DISPARITY_FIGURES", "disparity_section", "disparity_methods", "lisa_geometry"]

_GEOJSON = (".geojson", ".json")


def _column(info: Mapping[str, Any]) -> str:
    return str(step_option(info, "disparity", "column", "index"))


def lisa_geometry(info: Mapping[str, Any]) -> tuple[str | None, str]:
    """``(geometry file, key)`` for the LISA map: the config's ``[map]`` geometry, else the
    step's neighbours file when it is GeoJSON; ``(None, "code")`` without either."""
    cfg = info.get("config") or {}
    m = cfg.get("map")
    if isinstance(m, Mapping) and isinstance(m.get("geometry"), str):
        return m["geometry"], str(m.get("key", "code"))
    sp = step_option(info, "disparity", "spatial", None) or {}
    nb = sp.get("neighbours") if isinstance(sp, Mapping) else None
    if isinstance(nb, str) and nb.lower().endswith(_GEOJSON):
        return nb, str(sp.get("key", "code"))
    return None, "code"


def _last(t: Mapping[str, pl.DataFrame], name: str):
    return t[name]["year"].max()


def _dagum(t, figcfg):
    return plots.dagum_contributions(t["disparity_dagum"])


def _theil(t, figcfg):
    return plots.theil_decomposition(t["disparity_theil"])


def _sigma(t, figcfg):
    return plots.sigma_convergence(t["disparity_sigma"])


def _density(t, figcfg, info):
    return plots.density_curves(t["disparity_density"], column=_column(info))


def _moran_scatter(t, figcfg, info):
    year = _last(t, "disparity_lisa")
    g = t["disparity_moran"].filter(pl.col("year") == year)
    i = float(g["moran_i"][0]) if g.height else None
    return plots.moran_scatter(t["disparity_lisa"], year=year, moran_i=i, column=_column(info))


def _markov(t, figcfg):
    return plots.markov_matrix(t["disparity_markov_transitions"])


def _lisa_map(t, figcfg, info):
    try:
        from ..plots.maps import cluster_map
    except ImportError:
        raise ImportError(_no_map_reason()) from None
    geometry, key = lisa_geometry(info)
    lisa = t["disparity_lisa"]
    year = lisa["year"].max()
    last = lisa.filter(pl.col("year") == year)
    clusters = dict(zip(last["region"].to_list(), last["cluster"].to_list()))
    return cluster_map(geometry, clusters, key=key, title=f"LISA clusters, {year}")


def _no_map_reason() -> str:
    import importlib.util

    if importlib.util.find_spec("fastinno.plots.maps") is None:
        return "The LISA cluster map is not drawn: it needs fastinno.plots.maps, which this installation lacks."
    return "The LISA cluster map could not be drawn from the geometry file."


def _has_geometry(t, info) -> bool:
    g, _key = lisa_geometry(info)
    return g is not None and Path(g).is_file() and "cluster" in t["disparity_lisa"].columns


def _years_sel(name: str):
    def sel(t, info):
        return f"all {t[name]['year'].n_unique()} years"

    return sel


def _groups_sel(t, info):
    s = t["disparity_sigma"]
    k = s.filter(pl.col("group") != "all")["group"].n_unique()
    return f"all regions{f' and each of {k} groups' if k else ''}, all {s['year'].n_unique()} years"


def _lisa_sel(t, info):
    lisa = t["disparity_lisa"]
    year = lisa["year"].max()
    return f"all {lisa.filter(pl.col('year') == year).height} regions, {year}"


DISPARITY_DAGUM = FigureSpec(
    "disparity_dagum", ("disparity_dagum",), _dagum,
    "Dagum decomposition of the Gini coefficient per year: the within-group part, the net "
    "between-group part and the transvariation (overlap between groups) add up to G (line).",
    _years_sel("disparity_dagum"))
DISPARITY_THEIL = FigureSpec(
    "disparity_theil", ("disparity_theil",), _theil,
    "Theil T per year and its within- and between-group parts (total = within + between).",
    _years_sel("disparity_theil"))
DISPARITY_SIGMA = FigureSpec(
    "disparity_sigma", ("disparity_sigma",), _sigma,
    "Sigma convergence: coefficient of variation of the scores per year; a falling curve means "
    "the regions draw closer.", _groups_sel)
DISPARITY_DENSITY = FigureSpec(
    "disparity_density", ("disparity_density",), _density,
    "Gaussian kernel density of the scores in every year (Silverman bandwidth), coloured by year.",
    _years_sel("disparity_density"), with_info=True)
DISPARITY_MORAN = FigureSpec(
    "disparity_moran_scatter", ("disparity_lisa", "disparity_moran"), _moran_scatter,
    "Moran scatter: each region's standardized score against the mean of its neighbours' (spatial "
    "lag); the slope of the line is Moran's I. Colours: significant LISA clusters (HH, LL, HL, LH).",
    _lisa_sel, with_info=True)
DISPARITY_LISA_MAP = FigureSpec(
    "disparity_lisa_map", ("disparity_lisa",), _lisa_map,
    "LISA clusters of the last year: high-high and low-low clusters, high-low and low-high "
    "outliers; ns = not significant.", _lisa_sel, when=_has_geometry, with_info=True)
DISPARITY_MARKOV = FigureSpec(
    "disparity_markov", ("disparity_markov_transitions",), _markov,
    "Markov transition probabilities between score classes from one year to the next (class 1 = "
    "lowest).", lambda t, info: f"all {t['disparity_markov_cuts']['class'].n_unique()} classes"
    if "disparity_markov_cuts" in t else "")

#: The figures of the regional part, in drawing order.
DISPARITY_FIGURES = (DISPARITY_DAGUM, DISPARITY_THEIL, DISPARITY_SIGMA, DISPARITY_DENSITY, DISPARITY_MORAN,
                     DISPARITY_LISA_MAP, DISPARITY_MARKOV)


def _overall_wide(o: pl.DataFrame) -> pl.DataFrame:
    return o.pivot(on="measure", index="year", values="value", aggregate_function="first").sort("year")


def disparity_section(page: Page, part: ReportPart) -> str:
    """Figures and the main tables: disparities per year, the decompositions, convergence,
    Moran's I and the LISA clusters, the Markov matrix."""
    t = page.tables
    if "disparity_overall" not in t:
        return ""
    body = [page.options(part.key)]
    body += page.figs([f.name for f in DISPARITY_FIGURES])
    lisa = t.get("disparity_lisa")
    if (lisa is not None and _has_geometry(t, page.info)
            and f"figures/{DISPARITY_LISA_MAP.name}.{page.primary}" not in page.figures):
        body.append(f'<div class="warn">{html.escape(_no_map_reason())}</div>')
    o = t["disparity_overall"]
    body.append("<h3>Disparities per year</h3>")
    note = ""
    if o["lower"].null_count() < o.height:
        note = "Bootstrap 95 % percentile intervals of every value are in the full table (lower, upper)."
    body.append(page.table(_overall_wide(o), "disparity_overall", "years", note))
    if "disparity_dagum" in t:
        d = t["disparity_dagum"].select("year", "gini", "within", "net_between", "transvariation",
                                        "within_share", "net_between_share", "transvariation_share")
        body.append("<h3>Dagum decomposition</h3>" + page.table(d, "disparity_dagum", "years"))
    if "disparity_theil" in t:
        body.append("<h3>Theil decomposition</h3>" + page.table(t["disparity_theil"], "disparity_theil", "years"))
    if "disparity_sigma_trend" in t:
        body.append("<h3>Sigma convergence: trend of the coefficient of variation</h3>"
                    + page.table(t["disparity_sigma_trend"], "disparity_sigma_trend", "groups",
                                 "A negative slope means the scores draw closer over the years."))
    if "disparity_beta" in t:
        body.append("<h3>Beta convergence</h3>"
                    + page.table(t["disparity_beta"], "disparity_beta", "groups and models",
                                 "beta &lt; 0: regions with low scores grow faster (catch-up); speed and "
                                 "half-life follow from beta."))
    if "disparity_moran" in t:
        body.append("<h3>Global Moran's I</h3>" + page.table(t["disparity_moran"], "disparity_moran", "years"))
    if lisa is not None and "cluster" in lisa.columns:
        year = lisa["year"].max()
        sig = (lisa.filter((pl.col("year") == year) & (pl.col("cluster") != "ns"))
               .select("region", "cluster", "local_i", "p_value").sort("cluster", "region"))
        body.append(f"<h3>Significant LISA clusters in {year}</h3>")
        body.append(page.table(sig, "disparity_lisa", "regions with a significant local Moran's I, by cluster")
                    if sig.height else "<p>No region has a significant local Moran's I in that year.</p>")
    tr = t.get("disparity_markov_transitions")
    if tr is not None and tr.height:
        idx = ["lag_class", "from_class"] if "lag_class" in tr.columns else ["from_class"]
        wide = (tr.with_columns(pl.format("to_{}", "to_class").alias("to"))
                .pivot(on="to", index=idx, values="probability", aggregate_function="first").sort(idx))
        body.append("<h3>Markov transition probabilities</h3>"
                    + page.table(wide, "disparity_markov_transitions", "origin classes"))
    return section(part.section_id, part.title, body)


def disparity_methods(info: Mapping[str, Any], ran: set[str]) -> str:
    """Inequality measures and decompositions, convergence, densities, Markov chains, Moran's I."""
    opts = (step_option(info, "disparity", "measures", None) or ["cv", "gini", "theil_t", "theil_l", "dagum"])
    boot = step_option(info, "disparity", "bootstrap", 0)
    sp = step_option(info, "disparity", "spatial", None) or {}
    mk = step_option(info, "disparity", "markov", None) or {}
    spatial = ""
    if sp:
        spatial = fill("methods/disparity_spatial.html",
                       contiguity=html.escape(str(sp.get("contiguity", "queen"))),
                       permutations=html.escape(str(sp.get("permutations", 999))),
                       alpha=html.escape(str(sp.get("alpha", 0.05))))
    markov_text = ""
    if mk:
        markov_text = fill("methods/disparity_markov.html", classes=html.escape(str(mk.get("classes", 5))),
                           cuts=html.escape(str(mk.get("cuts", "pooled"))),
                           spatial=" conditioned on the class of the neighbours' mean score (spatial Markov "
                                   "chain, Rey 2001)" if mk.get("spatial") else "")
    return fill("methods/disparity.html", column=html.escape(_column(info)),
                measures=", ".join(html.escape(str(m)) for m in opts),
                bootstrap=(f"{int(boot)} bootstrap replicates over regions, resampled within each group; "
                           "95 % percentile intervals" if boot else "no bootstrap"),
                spatial=spatial, markov=markov_text)
