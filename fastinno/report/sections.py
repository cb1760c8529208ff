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

from .. import _config
from .figures import robustness_model
from .format import (
    MAX_ROWS,
    card,
    display_path,
    figure_html,
    fmt,
    index_rows,
    options_line,
    section,
    step_row,
    table_html,
)

__all__ = ["Page", "ReportPart", "summary", "low_base", "headline_order", "panel_section", "unavailable_note", "ideal_solution_section",
           "combined_section", "robustness_section", "forecast_section", "dematel_section", "compare_section",
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
    specs: Mapping[str, Any]
    formats: tuple[str, ...] = ("parquet",)

    def figs(self, names: list[str]) -> list[str]:
        """The ``<figure>`` of each drawn figure in ``names`` (primary format), its caption
        opening with the selection it shows."""
        out = []
        for n in names:
            rel = f"figures/{n}.{self.primary}"
            if rel in self.figures:
                spec = self.specs[n]
                out.append(figure_html(self.folder, rel, spec.caption_text(self.tables, self.info),
                                       dpi=self.dpi,
                                       selection=spec.selection(self.tables, self.info)))
        return out

    def table(self, df: pl.DataFrame, name: str | None, what: str | None = None, note: str = "",
              max_rows: int = MAX_ROWS) -> str:
        """:func:`table_html` linking ``tables/<name>`` in the formats the run wrote."""
        return table_html(df, source=_SRC + name if name else None, formats=self.formats,
                          what=what, note=note, max_rows=max_rows)

    def options(self, key: str) -> str:
        """The call line of step ``key``."""
        return options_line(step_row(self.info, key), self.info)


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


def low_base(t: Mapping[str, pl.DataFrame]) -> dict[str, list[str]]:
    """Region -> index columns whose growth starts or ends at a value below
    ``_config.GROWTH_LOW_BASE_SHARE`` of that year's largest value (their growth rates are
    ratios of near-zero numbers)."""
    scores, growth = t.get("index_scores"), t.get("index_growth")
    if scores is None or growth is None or not {"column", "first_year", "last_year"} <= set(
            growth.columns):
        return {}
    out: dict[str, list[str]] = {}
    share = _config.GROWTH_LOW_BASE_SHARE
    for col in growth["column"].unique(maintain_order=True).to_list():
        if col not in scores.columns:
            continue
        rel = scores.select("region", "year", (pl.col(col) / pl.col(col).max().over("year"))
                            .alias("rel"))
        g = growth.filter(pl.col("column") == col).select("region", "first_year", "last_year")
        ends = g.join(rel, left_on=["region", "first_year"], right_on=["region", "year"],
                      how="left").rename({"rel": "r0"}).join(
            rel, left_on=["region", "last_year"], right_on=["region", "year"], how="left")
        for r in ends.filter((pl.col("r0") < share) | (pl.col("rel") < share))["region"]:
            out.setdefault(r, []).append(col)
    return out


def _low_base_note(n: int) -> str:
    return (f"&dagger; {n:,} region(s) have an index below "
            f"{100 * _config.GROWTH_LOW_BASE_SHARE:g} % of that year's largest in the first or "
            "last year: their growth rates divide near-zero numbers and are not reliable (the "
            "compound rate and the mean year-on-year rate can even differ in sign).")


def headline_order(t: Mapping[str, pl.DataFrame]) -> dict[str, int] | None:
    """Region -> position by the headline index in its last year (best first): the overall
    index, else the combined score; ``None`` when neither is there."""
    if "index_scores" in t:
        s, col = t["index_scores"], "index"
    elif "combined_scores" in t:
        s, col = index_rows(t["combined_scores"]), "combined"
    else:
        return None
    last = s.filter(pl.col("year") == s["year"].max()).sort(col, descending=True,
                                                              nulls_last=True)
    return {r: i for i, r in enumerate(last["region"].to_list())}


def _by_headline(df: pl.DataFrame, order: Mapping[str, int] | None, *first: str) -> pl.DataFrame:
    if order is None or "region" not in df.columns:
        return df
    df = df.with_columns(pl.col("region").replace_strict(order, default=len(order),
                                                         return_dtype=pl.Int64).alias("_o"))
    return df.sort([*first, "_o"]).drop("_o")


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
        n = s.height
        top = [(r, fmt(v)) for r, v in s.select("region", col).head(k).iter_rows()]
        bottom = [(r, fmt(v)) for r, v in s.select("region", col).tail(k).iter_rows()]
        cards.append(card(f"Top regions, {last}", top, f"by {label}, of {n:,} regions"))
        cards.append(card(f"Bottom regions, {last}", bottom[::-1],
                          f"by {label}, lowest first, of {n:,} regions"))
    growth = t.get("index_growth")
    if growth is not None and "cagr" in growth.columns:
        g = growth.filter(pl.col("column") == "index") if "column" in growth.columns else growth
        low = [r for r, cols in low_base(t).items() if "index" in cols]
        g = g.filter(~pl.col("region").is_in(low)).sort("cagr", descending=True, nulls_last=True)
        yrs = ""
        if {"first_year", "last_year"} <= set(g.columns) and g.height:
            yrs = f"{g['first_year'][0]}-{g['last_year'][0]}"
        note = f"compound annual growth of the overall index {yrs}".strip()
        if low:
            note += (f"; {len(low):,} region(s) with an index below "
                     f"{100 * _config.GROWTH_LOW_BASE_SHARE:g} % of the year's largest left out")
        cards.append(card("Fastest growers", [(r, fmt(v, "cagr")) for r, v in
                                              g.select("region", "cagr").head(k).iter_rows()],
                          note))
    summ = t.get("simulate_summary")
    src = "weight perturbation"
    if summ is None:
        summ, src = t.get("bootstrap_summary"), "bootstrap"
    if summ is not None and {"rank_p05", "rank_p95"} <= set(summ.columns):
        last = summ["year"].max()
        s = summ.filter(pl.col("year") == last).with_columns(
            (pl.col("rank_p95") - pl.col("rank_p05")).alias("width"))
        keys = ["width", "median_rank"] if "median_rank" in s.columns else ["width"]
        most = s.sort(keys).head(k)
        least = s.sort(keys, descending=[True] + [False] * (len(keys) - 1)).head(k)

        def iv(row):
            return f"{fmt(row['rank_p05'], 'rank_p05')}&ndash;{fmt(row['rank_p95'], 'rank_p95')}"

        rounded = "5th-95th percentile ranks, rounded to whole ranks"
        cards.append(card(f"Most stable ranks, {last}",
                          [(r["region"], iv(r)) for r in most.iter_rows(named=True)],
                          f"narrowest rank interval under {src} ({rounded})"))
        cards.append(card(f"Least stable ranks, {last}",
                          [(r["region"], iv(r)) for r in least.iter_rows(named=True)],
                          f"widest rank interval under {src} ({rounded})"))
    fac = t.get("dematel_factors")
    if fac is not None and {"relation", "prominence"} <= set(fac.columns):
        causes = fac.filter(pl.col("relation") > 0).sort("prominence", descending=True).head(k)
        name_col = "name" if "name" in fac.columns else "code"
        items = []
        for r in causes.iter_rows(named=True):
            label_r = f"{r.get('code', '')} {r[name_col] or ''}".strip() if name_col == "name" \
                else str(r["code"])
            items.append((label_r, f"{r['prominence']:.2f} / {r['relation']:.2f}"))
        cards.append(card("Key cause factors", items,
                          "prominence R + C / relation R - C of the causes (R - C > 0), "
                          "highest prominence first"))
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


def _growth_table(page: Page, g: pl.DataFrame) -> str:
    """Overall CAGR and mean YoY, each sub-index's CAGR, a dagger on low-base growth."""
    low = low_base(page.tables)
    idx = g.filter(pl.col("column") == "index").sort("cagr", descending=True, nulls_last=True)
    subs = g.filter(pl.col("column") != "index")
    keep = [c for c in ("region", "cagr", "mean_yoy", "first_year", "last_year")
            if c in idx.columns]
    merged = idx.select(keep)
    if subs.height:
        wide = subs.pivot(on="column", index="region", values="cagr",
                          aggregate_function="first")
        wide = wide.rename({c: f"CAGR {c}" for c in wide.columns if c != "region"})
        merged = merged.join(wide, on="region", how="left")
    note = ""
    if low:
        merged = merged.with_columns(pl.col("region").replace_strict(
            {r: "† low base: " + ", ".join(cols) for r, cols in low.items()}, default=None,
            return_dtype=pl.String).alias("caveat"))
        note = _low_base_note(len(low))
    body = ["<h3>Growth</h3><p>Compound average annual growth rate (CAGR) of the overall index "
            "(<i>CAGR</i>) and of each sub-index (<i>CAGR &lt;name&gt;</i>), with the mean "
            "year-on-year rate of the overall index.</p>"]
    body.append(page.table(merged, "index_growth",
                           "regions, by CAGR of the overall index, highest first", note))
    return "".join(body)


def ideal_solution_section(page: Page, part: ReportPart) -> str:
    """Index figures (maps of the first and last year with a ``[map]`` section), last-year
    scores, growth and indicator weights."""
    t = page.tables
    if "index_scores" not in t:
        return ""
    s = t["index_scores"]
    last = s["year"].max()
    body = [page.options(part.key)]
    body += page.figs(["index_trajectories", "index_rank_bands", "index_rank_heatmap",
                       "index_map_first", "index_map_last"])
    body.append(f"<h3>Scores in {last}</h3>")
    body.append(page.table(_last_year_wide(s), "index_scores",
                           f"regions, by the {last} overall index, best first"))
    if "index_growth" in t:
        g = t["index_growth"]
        if "column" in g.columns and "cagr" in g.columns:
            body.append(_growth_table(page, g))
        else:
            body.append("<h3>Growth</h3>" + page.table(g, "index_growth"))
    if "index_weights" in t:
        body.append("<h3>Indicator weights</h3>")
        body.append(page.table(t["index_weights"], "index_weights", "indicators"))
    return section(part.section_id, part.title, body)


def combined_section(page: Page, part: ReportPart) -> str:
    """Method weights and agreement, exclusions, Kendall's W, last-year combined scores."""
    t = page.tables
    if "combined_scores" not in t:
        return ""
    cs = t["combined_scores"]
    body = [page.options(part.key)]
    body += page.figs(["combined_method_weights", "combined_method_agreement",
                       "combined_rank_bands", "combined_rank_heatmap"])
    mw = t.get("combined_method_weights")
    if mw is not None and {"year", "method", "weight"} <= set(mw.columns):
        m = mw.filter(pl.col("dimension") == "index") if "dimension" in mw.columns else mw
        wide = m.pivot(on="method", index="year", values="weight",
                       aggregate_function="first").sort("year")
        body.append("<h3>Method weights (whole system)</h3>")
        body.append(page.table(wide, "combined_method_weights", "years"))
    for extra, title in (("combined_excluded", "Methods excluded by the compatibility test"),
                         ("combined_kendall_w", "Kendall's W (whole system)")):
        if extra in t and t[extra].height:
            e = t[extra]
            if extra == "combined_kendall_w" and "dimension" in e.columns:
                e = e.filter(pl.col("dimension") == "index").drop("dimension")
            body.append(f"<h3>{title}</h3>" + page.table(e, extra, "rows"))
    last = cs["year"].max()
    cl = index_rows(cs).filter(pl.col("year") == last)
    order = f"regions, by the {last} combined score, best first"
    if "rank" in cl.columns:
        cl = cl.sort("rank")
        order = f"regions, by the {last} combined rank, best first"
    elif "combined" in cl.columns:
        cl = cl.sort("combined", descending=True, nulls_last=True)
    body.append(f"<h3>Combined scores in {last} (whole system)</h3>")
    body.append(page.table(cl.drop([c for c in ("year", "dimension") if c in cl.columns]),
                           "combined_scores", order))
    return section(part.section_id, part.title, body)


def _outside_band(t: Mapping[str, pl.DataFrame], prefix: str) -> str:
    """How often the headline index lies outside the step's 5-95 % index band (last year)."""
    s, scores = t.get(f"{prefix}_summary"), t.get("index_scores")
    if s is None or scores is None or not {"index_p05", "index_p95"} <= set(s.columns):
        return ""
    last = s["year"].max()
    j = s.filter(pl.col("year") == last).join(
        scores.filter(pl.col("year") == last).select("region", "index"), on="region")
    if not j.height:
        return ""
    out = j.filter((pl.col("index") < pl.col("index_p05")) | (pl.col("index") > pl.col("index_p95")))
    share = out.height / j.height
    text = (f"The headline index lies outside this step's 5-95 % index band for {out.height:,} of "
            f"{j.height:,} regions ({100 * share:.1f} %) in {last}.")
    if share > _config.BOOTSTRAP_OUTSIDE_SHARE:
        return (f'<div class="warn"><b>Note:</b> {text} The replicates are not centred on the '
                "headline index (each re-estimates the model stated above on a resample, which "
                "moves its ideal points and weights): read the bands as the spread of that model "
                "under resampling, not as confidence intervals around the headline index.</div>")
    return f'<p class="tnote">{text}</p>'


def robustness_section(page: Page, part: ReportPart) -> str:
    """Rank stability, agreement with the base ranking, intervals and the optional tables of a
    robustness step (tables ``<key>_summary``, ``<key>_agreement``, ...)."""
    t = page.tables
    prefix = part.key
    if f"{prefix}_summary" not in t and f"{prefix}_agreement" not in t:
        return ""
    body = [page.options(part.key),
            f'<p class="model">{html.escape(robustness_model(page.info, prefix))}</p>']
    body.append(_outside_band(t, prefix))
    body += page.figs([f"{prefix}_rank_stability", f"{prefix}_rho"])
    if f"{prefix}_agreement" in t:
        a = t[f"{prefix}_agreement"]
        body.append("<h3>Agreement with the base ranking per year</h3>")
        body.append(page.table(a.sort("year") if "year" in a.columns else a,
                               f"{prefix}_agreement", "years"))
    if f"{prefix}_summary" in t:
        s = t[f"{prefix}_summary"]
        what = "regions"
        if "year" in s.columns:
            last = s["year"].max()
            s = s.filter(pl.col("year") == last).drop("year")
            sort = [c for c in ("median_rank", "base_rank") if c in s.columns]
            if sort:
                s = s.sort(sort)
                what = f"regions, by median rank in {last}, best first"
            body.append(f"<h3>Rank and index intervals in {last}</h3>")
        # the most telling columns; the full table is linked
        keep = [c for c in ("region", "base_rank", "median_rank", "rank_p05", "rank_p95")
                if c in s.columns]
        keep += [c for c in s.columns if c.startswith("p_top_")]
        keep += [c for c in ("base_index", "index_p05", "index_p95") if c in s.columns]
        body.append(page.table(s.select(keep) if len(keep) > 3 else s, f"{prefix}_summary", what,
                               "Median and percentile ranks are rounded to whole ranks (the "
                               "full table has them unrounded)."))
    for extra, sub in (("weights", "Indicator weights across replicates"),
                       ("variance_shares", "Share of rank variance explained by each choice"),
                       ("outranks", "Probability that one region outranks another"),
                       ("acceptability", "Rank acceptability (share of draws at each rank)")):
        name = f"{prefix}_{extra}"
        if name in t and t[name].height:
            e = t[name]
            if "year" in e.columns and extra in ("outranks", "acceptability"):
                e = e.filter(pl.col("year") == e["year"].max())
            body.append(f"<h3>{sub}</h3>" + page.table(e, name, "rows"))
    return section(part.section_id, part.title, body)


def forecast_section(page: Page, part: ReportPart) -> str:
    """Forecast figure, fit accuracy and the forecast years, by the headline index."""
    t = page.tables
    if "forecast" not in t:
        return ""
    fc = t["forecast"]
    body = [page.options(part.key)]
    body += page.figs(["forecast"])
    fit = t.get("forecast_fit")
    single = fc["column"].n_unique() == 1 if "column" in fc.columns else False
    if single:
        fc = fc.drop("column")
        if fit is not None and "column" in fit.columns:
            fit = fit.drop("column")
    idx = ["region"] if single or "column" not in fc.columns else ["column", "region"]
    order = headline_order(t)
    first = [c for c in idx if c != "region"]
    what = "regions, by the headline index in its last year, best first"
    note = ""
    if fit is not None and "grade" in fit.columns:
        n_bad = fit.filter(pl.col("grade") == "unqualified").height
        if n_bad:
            note = (f"{n_bad:,} of {fit.height:,} fits are graded <i>unqualified</i> (C &gt; 0.65 "
                    "or P &lt; 0.7): their forecasts extrapolate a poor fit and are indicative "
                    "at most.")
        body.append("<h3>Fit accuracy</h3>")
        body.append(page.table(_by_headline(fit, order, *first), "forecast_fit", what, note))
    future = fc.filter(pl.col("forecast").is_not_null() & pl.col("observed").is_null())
    if future.height:
        wide = future.pivot(on="year", index=idx, values="forecast", aggregate_function="first")
        if fit is not None and "grade" in fit.columns:
            wide = wide.join(fit.select(*idx, "grade"), on=idx, how="left")
        body.append("<h3>Forecasts</h3>")
        body.append(page.table(_by_headline(wide, order, *first), "forecast", what, note))
    return section(part.section_id, part.title, body)


def dematel_section(page: Page, part: ReportPart) -> str:
    """Cause-effect diagram, factors, orderings and the influence map."""
    t = page.tables
    if "dematel_factors" not in t:
        return ""
    body = [page.options(part.key)]
    body += page.figs(["dematel_cause_effect"])
    f = t["dematel_factors"]
    what = "factors"
    if "prominence" in f.columns:
        f = f.sort("prominence", descending=True)
        what = "factors, by prominence R + C, highest first"
    body.append("<h3>Factors</h3>" + page.table(f, "dematel_factors", what))
    if "dematel_orderings" in t:
        body.append("<h3>Orderings</h3>" + page.table(t["dematel_orderings"],
                                                       "dematel_orderings", "orderings"))
    if "dematel_relations" in t:
        r = t["dematel_relations"]
        if "above_threshold" in r.columns:
            r = r.filter(pl.col("above_threshold")).drop("above_threshold")
        if "t" in r.columns:
            r = r.sort("t", descending=True)
        body.append("<h3>Influence map: relations above the threshold</h3>"
                    + page.table(r, "dematel_relations", "relations, strongest first",
                                 max_rows=20))
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
    inputs = pl.DataFrame(
        [{"role": i.get("role"), "path": display_path(str(i.get("path")), info),
          "bytes": i.get("bytes"), "sha256": i.get("sha256"), "copy": i.get("copy")}
         for i in info.get("inputs") or []],
        schema={"role": pl.String, "path": pl.String, "bytes": pl.Int64, "sha256": pl.String,
                "copy": pl.String})
    if inputs.height and inputs["copy"].null_count() == inputs.height:
        inputs = inputs.drop("copy")
    versions = pl.DataFrame({"package": list(info.get("versions", {})),
                             "version": list(info.get("versions", {}).values())},
                            schema={"package": pl.String, "version": pl.String})
    cfg = info.get("config_file")
    body = [f"<p>fastinno {html.escape(str(info.get('fastinno_version')))}, run "
            f"{html.escape(str(info.get('created')))}, seed <code>{info.get('seed')}</code>"
            + (f", command <code>{html.escape(info['command'])}</code>" if info.get("command")
               else "")
            + '. Every option is in <a href="run.json">run.json</a>; '
            "<code>fastinno.run(json.load(open('run.json'))['config'])</code> reproduces the run.</p>"]
    body.append("<h3>Steps</h3>" + table_html(steps))
    body.append("<h3>Timings</h3>" + table_html(extra))
    if inputs.height:
        folder = display_path(str(Path(cfg).parent), info) if cfg else ""
        folder = str(Path(cfg).parent) if folder == "." else folder
        where = (f" Paths are relative to the config file's folder "
                 f"(<code>{html.escape(folder)}</code>)" if cfg else "")
        body.append("<h3>Inputs</h3>" + table_html(
            inputs, note="Inputs are recorded by path and SHA-256 (<code>[output] copy_inputs = "
                         "true</code> copies them into <code>inputs/</code>)." + where
                         + ("." if where else "")))
    body.append("<h3>Package versions</h3>" + table_html(versions))
    return section("reproducibility", "Reproducibility", body)


def compare_section(page: Page, part: ReportPart) -> str:
    """Method comparison: the figure, agreement per year, the least similar configurations, the
    most order reversals and the least stable regions."""
    t = page.tables
    if "compare_agreement" not in t:
        return ""
    body = [page.options(part.key)]
    body += page.figs(["compare_methods"])
    a = t["compare_agreement"]
    body.append("<h3>Agreement per year</h3>")
    body.append(page.table(a, "compare_agreement", "years",
                           "Kendall's W across the configurations and the mean correlation of "
                           "every pair of them."))
    cor = t.get("compare_correlation")
    if cor is not None and cor.height:
        coef = cor["coefficient"][0]
        mean = (cor.filter(pl.col("coefficient") == coef).group_by("config_a", "config_b")
                .agg(pl.col("value").mean().alias(f"mean_{coef}")).sort(f"mean_{coef}"))
        body.append("<h3>Least similar configurations</h3>")
        body.append(page.table(mean, "compare_correlation", f"pairs of configurations, by mean {coef}"))
    rev = t.get("compare_reversals")
    if rev is not None and rev.height:
        r = (rev.group_by("config_a", "config_b").agg(pl.col("share").mean().alias("mean_share"))
             .sort("mean_share", descending=True))
        body.append("<h3>Order reversals</h3>")
        body.append(page.table(r, "compare_reversals", "pairs of configurations, most reversals first",
                               "Share of region pairs ordered the other way round, mean over years."))
    st = t.get("compare_stability")
    if st is not None and st.height:
        last = st["year"].max()
        s = st.filter(pl.col("year") == last) if last is not None else st
        s = s.drop("year").sort(["rank_range", "median_rank"], descending=[True, False])
        body.append(f"<h3>Least stable regions{f' in {last}' if last is not None else ''}</h3>")
        body.append(page.table(s, "compare_stability", "regions, widest rank range first"))
    return section(part.section_id, part.title, body)
