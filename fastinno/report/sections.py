"""The report's sections: the summary cards, the data, one section per step, reproducibility.

A step's section renderer is called as ``render(page, part)`` with the step's
:class:`ReportPart` (its ``key`` is the step's name in ``run.json`` and the prefix of its tables)
and returns its ``<section>``, or ``""`` when the step's tables are not there.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .format import card, figure_html, fmt, index_rows, options_line, section, step_row, table_html

__all__ = ["Page", "ReportPart", "summary", "panel_section", "unavailable_note", "ideal_solution_section",
           "combined_section", "robustness_section", "forecast_section", "dematel_section",
           "reproducibility_section"]

_SRC = "tables/"


@dataclass(frozen=True)
class Page:
    """What the section renderers draw from."""

    folder: Path
    tables: Mapping[str, pl.DataFrame]
    info: Mapping[str, Any]
    figures: list[str]
    primary: str
    dpi: int
    captions: Mapping[str, str]

    def figs(self, names: list[str]) -> list[str]:
        """The ``<figure>`` of each drawn figure in ``names`` (primary format)."""
        out = []
        for n in names:
            rel = f"figures/{n}.{self.primary}"
            if rel in self.figures:
                out.append(figure_html(self.folder, rel, self.captions[n], dpi=self.dpi))
        return out


@dataclass(frozen=True)
class ReportPart:
    """How the report shows one step.

    Attributes
    ----------
    key : str
        The step's name in ``run.json`` (and the prefix of its tables).
    section_id : str
        ``id`` of its ``<section>`` (the navigation target).
    nav : str
        Its label in the navigation bar.
    title : str
        Its section heading.
    section : callable
        ``section(page, part) -> str``.
    figures : tuple of FigureSpec
        The figures it draws, in drawing order.
    methods : callable or None
        ``methods(info, ran) -> str``, the methods text (``ran``: keys of the steps that ran);
        parts sharing one function get its text once.
    """

    key: str
    section_id: str
    nav: str
    title: str
    section: Callable[[Page, ReportPart], str]
    figures: tuple = ()
    methods: Callable[[Mapping[str, Any], set[str]], str] | None = None


def summary(t: Mapping[str, pl.DataFrame], k: int = 3) -> str:
    """Cards: top and bottom regions, fastest growers, most and least stable ranks, key causes."""
    cards = []
    scores = t.get("index_scores")
    label = "overall index"
    col = "index"
    if scores is None and "combined_scores" in t:
        scores = index_rows(t["combined_scores"])
        label, col = "combined score", "combined"
    if scores is not None and col in scores.columns:
        last = scores["year"].max()
        s = scores.filter(pl.col("year") == last).sort(col, descending=True, nulls_last=True)
        top = [(r, fmt(v)) for r, v in s.select("region", col).head(k).iter_rows()]
        bottom = [(r, fmt(v)) for r, v in s.select("region", col).tail(k).iter_rows()]
        cards.append(card(f"Top regions, {last}", top, f"by {label}"))
        cards.append(card(f"Bottom regions, {last}", bottom[::-1], f"by {label}, lowest first"))
    growth = t.get("index_growth")
    if growth is not None and "cagr" in growth.columns:
        g = growth.filter(pl.col("column") == "index") if "column" in growth.columns else growth
        g = g.sort("cagr", descending=True, nulls_last=True)
        yrs = ""
        if {"first_year", "last_year"} <= set(g.columns) and g.height:
            yrs = f"{g['first_year'][0]}-{g['last_year'][0]}"
        cards.append(card("Fastest growers", [(r, fmt(v, "cagr")) for r, v in
                                              g.select("region", "cagr").head(k).iter_rows()],
                          f"compound annual growth of the overall index {yrs}".strip()))
    summ = t.get("simulate_summary")
    if summ is None:
        summ = t.get("bootstrap_summary")
    if summ is not None and {"rank_p05", "rank_p95"} <= set(summ.columns):
        last = summ["year"].max()
        s = summ.filter(pl.col("year") == last).with_columns(
            (pl.col("rank_p95") - pl.col("rank_p05")).alias("width"))
        keys = ["width", "median_rank"] if "median_rank" in s.columns else ["width"]
        most = s.sort(keys).head(k)
        least = s.sort(keys, descending=[True] + [False] * (len(keys) - 1)).head(k)

        def iv(row):
            return f"{fmt(row['rank_p05'], 'rank')}&ndash;{fmt(row['rank_p95'], 'rank')}"

        cards.append(card(f"Most stable ranks, {last}",
                          [(r["region"], iv(r)) for r in most.iter_rows(named=True)],
                          "narrowest 5-95 % rank interval under perturbation"))
        cards.append(card(f"Least stable ranks, {last}",
                          [(r["region"], iv(r)) for r in least.iter_rows(named=True)],
                          "widest 5-95 % rank interval"))
    fac = t.get("dematel_factors")
    if fac is not None and {"relation", "prominence"} <= set(fac.columns):
        causes = fac.filter(pl.col("relation") > 0).sort("prominence", descending=True).head(k)
        name_col = "name" if "name" in fac.columns else "code"
        items = []
        for r in causes.iter_rows(named=True):
            label_r = f"{r.get('code', '')} {r[name_col] or ''}".strip() if name_col == "name" \
                else str(r["code"])
            items.append((label_r, f"R&minus;C {fmt(r['relation'])}"))
        cards.append(card("Key cause factors", items,
                          "causes (R - C > 0) with the highest prominence R + C"))
    if not cards:
        return ""
    return '<section id="summary"><h2>Summary</h2><div class="cards">' + "".join(cards) + \
        "</div></section>"


def panel_section(info: Mapping[str, Any]) -> str:
    """The data: panel size, dimensions, missing-value policy, regions."""
    p = info.get("panel", {})
    body = [f"<p>{len(p.get('regions', []))} regions &times; {len(p.get('years', []))} years "
            f"({min(p.get('years', [0]))}&ndash;{max(p.get('years', [0]))}) &times; "
            f"{len(p.get('indicators', []))} indicators"
            + (f" in {len(p['dimensions'])} dimensions ({html.escape(', '.join(p['dimensions']))})"
               if p.get("dimensions") else "") + ".</p>"]
    if p.get("report"):
        body.append("<p>Missing-value policy:</p><ul>" + "".join(
            f"<li>{html.escape(str(x))}</li>" for x in p["report"]) + "</ul>")
    if p.get("warnings") and not p.get("report"):
        body.append('<div class="warn">' + "<br>".join(html.escape(w) for w in p["warnings"])
                    + "</div>")
    body.append(f"<p>Regions: {html.escape(', '.join(map(str, p.get('regions', [])[:60])))}"
                + (" &hellip;" if len(p.get("regions", [])) > 60 else "") + "</p>")
    return section("panel", "Data", body)


def unavailable_note(info: Mapping[str, Any]) -> str:
    """A warning naming the steps ``run.json`` records as not run (``status`` unavailable)."""
    unavailable = [s for s in info.get("steps", []) if s.get("status") == "unavailable"]
    if not unavailable:
        return ""
    return ('<div class="warn"><b>Steps not run:</b> ' + "; ".join(
        f"{html.escape(s['step'])} ({html.escape(s.get('detail', ''))})" for s in unavailable)
        + "</div>")


def _last_year_wide(scores: pl.DataFrame) -> pl.DataFrame:
    last = scores["year"].max()
    s = scores.filter(pl.col("year") == last).drop("year")
    if "index" in s.columns:
        s = s.sort("index", descending=True).with_columns(
            pl.col("index").rank("min", descending=True).cast(pl.Int64).alias("rank"))
    return s


def ideal_solution_section(page: Page, part: ReportPart) -> str:
    """Index figures, last-year scores, growth and indicator weights."""
    t = page.tables
    if "index_scores" not in t:
        return ""
    s = t["index_scores"]
    body = [options_line(step_row(page.info, part.key))]
    body += page.figs(["index_trajectories", "index_rank_heatmap"])
    body.append(f"<h3>Scores in {s['year'].max()}</h3>")
    body.append(table_html(_last_year_wide(s), source=_SRC + "index_scores"))
    if "index_growth" in t:
        g = t["index_growth"]
        if "column" in g.columns and "cagr" in g.columns:
            idx = g.filter(pl.col("column") == "index").sort("cagr", descending=True)
            wide = g.pivot(on="column", index="region", values="cagr",
                           aggregate_function="first")
            cols = [c for c in wide.columns if c != "region"]
            wide = wide.rename({c: f"cagr_{c}" for c in cols})
            body.append("<h3>Growth</h3><p>Compound average annual growth rate (CAGR) of the "
                        "overall index and of each sub-index, with the mean year-on-year "
                        "rate of the overall index.</p>")
            keep = [c for c in ("region", "cagr", "mean_yoy", "first_year", "last_year")
                    if c in idx.columns]
            merged = idx.select(keep).join(wide, on="region", how="left")
            merged = merged.rename({c: c.replace("cagr_", "CAGR ") for c in merged.columns
                                    if c.startswith("cagr_")})
            body.append(table_html(merged, source=_SRC + "index_growth"))
        else:
            body.append("<h3>Growth</h3>" + table_html(g, source=_SRC + "index_growth"))
    if "index_weights" in t:
        body.append("<h3>Indicator weights</h3>")
        body.append(table_html(t["index_weights"], source=_SRC + "index_weights"))
    return section(part.section_id, part.title, body)


def combined_section(page: Page, part: ReportPart) -> str:
    """Method weights and agreement, exclusions, Kendall's W, last-year combined scores."""
    t = page.tables
    if "combined_scores" not in t:
        return ""
    cs = t["combined_scores"]
    body = [options_line(step_row(page.info, part.key))]
    body += page.figs(["combined_method_weights", "combined_method_agreement",
                       "combined_rank_heatmap"])
    mw = t.get("combined_method_weights")
    if mw is not None and {"year", "method", "weight"} <= set(mw.columns):
        m = mw.filter(pl.col("dimension") == "index") if "dimension" in mw.columns else mw
        wide = m.pivot(on="method", index="year", values="weight",
                       aggregate_function="first").sort("year")
        body.append("<h3>Method weights (whole system)</h3>")
        body.append(table_html(wide, source=_SRC + "combined_method_weights"))
    for extra, title in (("combined_excluded", "Methods excluded by the compatibility test"),
                         ("combined_kendall_w", "Kendall's W (whole system)")):
        if extra in t and t[extra].height:
            e = t[extra]
            if extra == "combined_kendall_w" and "dimension" in e.columns:
                e = e.filter(pl.col("dimension") == "index").drop("dimension")
            body.append(f"<h3>{title}</h3>" + table_html(e, source=_SRC + extra))
    last = cs["year"].max()
    cl = index_rows(cs).filter(pl.col("year") == last)
    if "rank" in cl.columns:
        cl = cl.sort("rank")
    body.append(f"<h3>Combined scores in {last} (whole system)</h3>")
    body.append(table_html(cl.drop([c for c in ("year", "dimension") if c in cl.columns]),
                           source=_SRC + "combined_scores"))
    return section(part.section_id, part.title, body)


def robustness_section(page: Page, part: ReportPart) -> str:
    """Rank stability, agreement with the base ranking, intervals and the optional tables of a
    robustness step (tables ``<key>_summary``, ``<key>_agreement``, ...)."""
    t = page.tables
    prefix = part.key
    if f"{prefix}_summary" not in t and f"{prefix}_agreement" not in t:
        return ""
    body = [options_line(step_row(page.info, part.key))]
    body += page.figs([f"{prefix}_rank_stability", f"{prefix}_rho"])
    if f"{prefix}_agreement" in t:
        body.append("<h3>Agreement with the base ranking per year</h3>")
        body.append(table_html(t[f"{prefix}_agreement"].sort("year")
                               if "year" in t[f"{prefix}_agreement"].columns
                               else t[f"{prefix}_agreement"],
                               source=_SRC + f"{prefix}_agreement"))
    if f"{prefix}_summary" in t:
        s = t[f"{prefix}_summary"]
        if "year" in s.columns:
            last = s["year"].max()
            s = s.filter(pl.col("year") == last).drop("year")
            sort = [c for c in ("median_rank", "base_rank") if c in s.columns]
            if sort:
                s = s.sort(sort)
            body.append(f"<h3>Rank and index intervals in {last}</h3>")
        # the most telling columns; the full table is linked
        keep = [c for c in ("region", "base_rank", "median_rank", "rank_p05", "rank_p95")
                if c in s.columns]
        keep += [c for c in s.columns if c.startswith("p_top_")]
        keep += [c for c in ("base_index", "index_p05", "index_p95") if c in s.columns]
        body.append(table_html(s.select(keep) if len(keep) > 3 else s,
                               source=_SRC + f"{prefix}_summary"))
    for extra, sub in (("weights", "Indicator weights across replicates"),
                       ("variance_shares", "Share of rank variance explained by each choice"),
                       ("outranks", "Probability that one region outranks another"),
                       ("acceptability", "Rank acceptability (share of draws at each rank)")):
        name = f"{prefix}_{extra}"
        if name in t and t[name].height:
            e = t[name]
            if "year" in e.columns and extra in ("outranks", "acceptability"):
                e = e.filter(pl.col("year") == e["year"].max())
            body.append(f"<h3>{sub}</h3>" + table_html(e, source=_SRC + name))
    return section(part.section_id, part.title, body)


def forecast_section(page: Page, part: ReportPart) -> str:
    """Forecast figure, fit accuracy and the forecast years."""
    t = page.tables
    if "forecast" not in t:
        return ""
    fc = t["forecast"]
    body = [options_line(step_row(page.info, part.key))]
    body += page.figs(["forecast"])
    fit = t.get("forecast_fit")
    single = fc["column"].n_unique() == 1 if "column" in fc.columns else False
    if single:
        fc = fc.drop("column")
        if fit is not None and "column" in fit.columns:
            fit = fit.drop("column")
    if fit is not None:
        body.append("<h3>Fit accuracy</h3>")
        body.append(table_html(fit, source=_SRC + "forecast_fit"))
    future = fc.filter(pl.col("forecast").is_not_null() & pl.col("observed").is_null())
    if future.height:
        idx = ["region"] if single else ["column", "region"]
        wide = future.pivot(on="year", index=idx, values="forecast",
                            aggregate_function="first")
        body.append("<h3>Forecasts</h3>")
        body.append(table_html(wide, source=_SRC + "forecast"))
    return section(part.section_id, part.title, body)


def dematel_section(page: Page, part: ReportPart) -> str:
    """Cause-effect diagram, factors, orderings and the influence map."""
    t = page.tables
    if "dematel_factors" not in t:
        return ""
    body = [options_line(step_row(page.info, part.key))]
    body += page.figs(["dematel_cause_effect"])
    f = t["dematel_factors"]
    if "prominence" in f.columns:
        f = f.sort("prominence", descending=True)
    body.append("<h3>Factors</h3>" + table_html(f, source=_SRC + "dematel_factors"))
    if "dematel_orderings" in t:
        body.append("<h3>Orderings</h3>" + table_html(t["dematel_orderings"],
                                                       source=_SRC + "dematel_orderings"))
    if "dematel_relations" in t:
        r = t["dematel_relations"]
        if "above_threshold" in r.columns:
            r = r.filter(pl.col("above_threshold")).drop("above_threshold")
        if "t" in r.columns:
            r = r.sort("t", descending=True)
        body.append("<h3>Influence map: relations above the threshold</h3>"
                    + table_html(r, max_rows=20, source=_SRC + "dematel_relations"))
    return section(part.section_id, part.title, body)


def reproducibility_section(info: Mapping[str, Any]) -> str:
    """Steps, timings, input hashes and package versions from ``run.json``."""
    rows = []
    for s in info.get("steps", []):
        rows.append({"step": s.get("step"), "status": s.get("status"),
                     "seconds": s.get("seconds"), "tables": ", ".join(s.get("tables", []))})
    steps = pl.DataFrame(rows, schema={"step": pl.String, "status": pl.String,
                                       "seconds": pl.Float64, "tables": pl.String})
    timings = info.get("timings", {})
    extra = pl.DataFrame({"phase": list(timings), "seconds": [float(v) for v in timings.values()]},
                         schema={"phase": pl.String, "seconds": pl.Float64})
    inputs = pl.DataFrame(info.get("inputs") or [],
                          schema={"role": pl.String, "path": pl.String, "bytes": pl.Int64,
                                  "sha256": pl.String})
    versions = pl.DataFrame({"package": list(info.get("versions", {})),
                             "version": list(info.get("versions", {}).values())},
                            schema={"package": pl.String, "version": pl.String})
    body = [f"<p>fastinno {html.escape(str(info.get('fastinno_version')))}, run "
            f"{html.escape(str(info.get('created')))}, seed <code>{info.get('seed')}</code>"
            + (f", command <code>{html.escape(info['command'])}</code>" if info.get("command")
               else "")
            + '. Every option is in <a href="run.json">run.json</a>; '
            "<code>fastinno.run(json.load(open('run.json'))['config'])</code> reproduces the run.</p>"]
    body.append("<h3>Steps</h3>" + table_html(steps))
    body.append("<h3>Timings</h3>" + table_html(extra))
    if inputs.height:
        body.append("<h3>Inputs</h3>" + table_html(inputs))
    body.append("<h3>Package versions</h3>" + table_html(versions))
    return section("reproducibility", "Reproducibility", body)
