"""``report.html``: a self-contained page rendered from a run folder's saved tables.

:func:`render_report` reads ``run.json`` and ``tables/*.parquet`` (or takes them from the
pipeline directly), draws every figure into ``figures/`` and writes ``report.html`` with the
figures embedded (base64), so the page can be mailed on its own; the figure files stay beside it
for papers. ``fastinno report DIR`` calls it to re-render a folder.

Layout: a summary at the top (top and bottom regions, fastest growers, most and least stable
rankings, key cause factors), one section per step with its tables and figures, the methods with
every formula and its source, and the reproducibility record (options, seed, inputs with SHA-256,
package versions, timings).
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from .errors import InputError

__all__ = ["render_report", "FIGURES"]

_MAX_ROWS = 40


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------


def _last_year_rank_frame(scores: pl.DataFrame) -> pl.DataFrame:
    return scores.filter(pl.col("dimension") == "index") if "dimension" in scores.columns else scores


def _fig_trajectories(t, info, figcfg):
    from . import plots

    return plots.index_trajectories(t["index_scores"], top_n=figcfg.get("top_n"),
                                    columns=figcfg.get("trajectory_columns"))


def _fig_index_heatmap(t, info, figcfg):
    from . import plots

    return plots.rank_heatmap(t["index_scores"], column="index")


def _fig_combined_heatmap(t, info, figcfg):
    from . import plots

    s = _last_year_rank_frame(t["combined_scores"])
    if "rank" in s.columns:
        return plots.rank_heatmap(s, column="combined", rank="rank")
    return plots.rank_heatmap(s, column="combined")


def _fig_method_agreement(t, info, figcfg):
    from . import plots

    return plots.method_agreement(t["combined_compatibility"])


def _fig_method_weights(t, info, figcfg):
    from . import plots

    return plots.method_weights(t["combined_method_weights"])


def _stability(prefix):
    def f(t, info, figcfg):
        from . import plots

        return plots.rank_stability(t[f"{prefix}_summary"])

    return f


def _rho(prefix):
    def f(t, info, figcfg):
        from . import plots

        rho = t.get(f"{prefix}_rho")
        if rho is not None and not {"year", "rho"} <= set(rho.columns):
            rho = None
        return plots.rho_distribution(t[f"{prefix}_agreement"], rho=rho)

    return f


def _fig_forecast(t, info, figcfg):
    from . import plots

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


def _fig_cause_effect(t, info, figcfg):
    from . import plots_dematel

    ax = plots_dematel.cause_effect_diagram(t["dematel_factors"])
    fig = getattr(ax, "figure", ax)  # it returns the Axes
    legend = ax.get_legend() if hasattr(ax, "get_legend") else None
    if legend is not None:  # keep the quadrant labels free: legend below the axes
        handles, labels = ax.get_legend_handles_labels()
        legend.remove()
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=4,
                  frameon=False)
    return fig


#: figure name -> (tables it needs, function(tables, info, figure config) -> Figure, caption)
FIGURES: dict[str, tuple[tuple[str, ...], Callable, str]] = {
    "index_trajectories": (("index_scores",), _fig_trajectories,
                           "Index trajectories per region: overall index and each sub-index."),
    "index_rank_heatmap": (("index_scores",), _fig_index_heatmap,
                           "Rank of each region by the overall index in each year (1 = best)."),
    "combined_rank_heatmap": (("combined_scores",), _fig_combined_heatmap,
                              "Rank by the drift-degree combined score in each year."),
    "combined_method_agreement": (("combined_compatibility",), _fig_method_agreement,
                                  "Spearman correlation between the single methods' rankings "
                                  "(whole system, mean over years)."),
    "combined_method_weights": (("combined_method_weights",), _fig_method_weights,
                                "Drift-degree weight of each single method per year."),
    "simulate_rank_stability": (("simulate_summary",), _stability("simulate"),
                                "Median rank and 5-95 % interval under weight perturbation "
                                "(last year), sorted; diamonds are the base ranks."),
    "simulate_rho": (("simulate_agreement",), _rho("simulate"),
                     "Spearman rho between each perturbed ranking and the base ranking."),
    "bootstrap_rank_stability": (("bootstrap_summary",), _stability("bootstrap"),
                                 "Median rank and 5-95 % interval over bootstrap replicates."),
    "bootstrap_rho": (("bootstrap_agreement",), _rho("bootstrap"),
                      "Spearman rho between each bootstrap ranking and the base ranking."),
    "forecast": (("forecast",), _fig_forecast,
                 "GM(1,1) fit and forecast for selected regions; the accuracy grade (posterior "
                 "variance ratio C, small error probability P) is in each legend."),
    "dematel_cause_effect": (("dematel_factors",), _fig_cause_effect,
                             "Cause-effect diagram: prominence R + C against relation R - C; "
                             "factors above the line are causes."),
}


def _draw_figures(folder: Path, tables: Mapping[str, pl.DataFrame], info: Mapping[str, Any],
                  figcfg: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    from .plots import save_figure

    fdir = folder / "figures"
    fdir.mkdir(exist_ok=True)
    formats = list(figcfg.get("format") or ["png"])
    dpi = int(figcfg.get("dpi") or 150)
    written: list[str] = []
    failures: dict[str, str] = {}
    for name, (needs, func, _caption) in FIGURES.items():
        if not all(n in tables and tables[n].height > 0 for n in needs):
            continue
        try:
            fig = func(tables, info, figcfg)
        except (ImportError, AttributeError) as exc:
            failures[name] = f"figure not drawn: {exc}"
            continue
        for fmt in formats:
            save_figure(fig, fdir / f"{name}.{fmt}", dpi=dpi)
            written.append(f"figures/{name}.{fmt}")
    return written, failures


# --------------------------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------------------------

_PERCENT_COLS = {"cagr", "mean_yoy", "yoy"}


def _is_percent(col: str) -> bool:
    return col in _PERCENT_COLS or col.startswith("p_top_") or col.lower().startswith("cagr")


def _fmt(v: Any, col: str = "") -> str:
    if v is None:
        return '<span class="na">&ndash;</span>'
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v) if col == "year" or abs(v) < 10000 else f"{v:,}"
    if isinstance(v, float):
        if math.isnan(v):
            return '<span class="na">NaN</span>'
        if _is_percent(col):
            return f"{100 * v:.1f}&nbsp;%" if col.startswith("p_top_") else f"{100 * v:.2f}&nbsp;%"
        if "rank" in col:
            return str(int(v)) if v == int(v) else f"{v:.2f}"
        a = abs(v)
        if a >= 1e5:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:.1f}"
        if a >= 10:
            return f"{v:.2f}"
        if 0 < a < 1e-3:
            return f"{v:.2e}"
        return f"{v:.4f}"
    if isinstance(v, (list, tuple)):
        return html.escape(", ".join(map(str, v)))
    return html.escape(str(v))


def _head(col: str) -> str:
    labels = {"cagr": "CAGR", "mean_yoy": "mean YoY", "rho": "&rho;", "p_value": "p",
              "R": "R", "C": "C", "P": "P", "gm_c": "C", "gm_p": "P"}
    if col in labels:
        return labels[col]
    if col.startswith("p_top_"):
        return f"P(top {html.escape(col[6:])})"
    return html.escape(col.replace("_", " "))


def table_html(df: pl.DataFrame, *, max_rows: int = _MAX_ROWS, source: str | None = None,
               caption: str | None = None) -> str:
    """A formatted HTML table (numbers right-aligned, at most ``max_rows`` rows)."""
    n = df.height
    shown = df.head(max_rows)
    numeric = {c for c, t in df.schema.items() if t.is_numeric()}
    parts = ['<div class="tablewrap"><table class="t">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(
        f'<th class="{"num" if c in numeric else "txt"}">{_head(c)}</th>' for c in df.columns
    ) + "</tr></thead><tbody>")
    long = {c for c, t in df.schema.items()
            if t == pl.String and (shown[c].str.len_chars().max() or 0) > 60}
    cls = {c: "num" if c in numeric else ("txt long" if c in long else "txt") for c in df.columns}
    for row in shown.iter_rows():
        parts.append("<tr>" + "".join(
            f'<td class="{cls[c]}">{_fmt(v, c)}</td>' for c, v in zip(df.columns, row)
        ) + "</tr>")
    parts.append("</tbody></table></div>")
    note = []
    if n > max_rows:
        note.append(f"First {max_rows} of {n} rows.")
    if source:
        note.append(f'Full table: <a href="{html.escape(source)}.csv">{html.escape(source)}.csv</a>'
                    f' / <a href="{html.escape(source)}.parquet">.parquet</a>.')
    if note:
        parts.append(f'<p class="tnote">{" ".join(note)}</p>')
    return "".join(parts)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _figure_html(folder: Path, rel: str, caption: str, embed: bool = True, dpi: int = 150) -> str:
    path = folder / rel
    size = ""
    if embed and path.exists():
        data = path.read_bytes()
        mime = "image/svg+xml" if rel.endswith(".svg") else "image/png"
        src = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        wh = _png_size(data)
        if wh:  # show at 100 CSS px per inch of figure, whatever the dpi
            size = f' width="{round(wh[0] * 100 / dpi)}" height="{round(wh[1] * 100 / dpi)}"'
    else:
        src = html.escape(rel)
    return (f'<figure><img src="{src}"{size} alt="{html.escape(caption)}">'
            f'<figcaption>{html.escape(caption)} <a href="{html.escape(rel)}">'
            f'{html.escape(Path(rel).name)}</a></figcaption></figure>')


# --------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------


def _card(title: str, items: list[tuple[str, str]], note: str = "") -> str:
    lis = "".join(f"<li><div><span>{html.escape(a)}</span><b>{b}</b></div></li>"
                  for a, b in items)
    note_html = f'<p class="cnote">{html.escape(note)}</p>' if note else ""
    return f'<div class="card"><h3>{html.escape(title)}</h3><ol>{lis}</ol>{note_html}</div>'


def _summary(t: Mapping[str, pl.DataFrame], k: int = 3) -> str:
    cards = []
    scores = t.get("index_scores")
    label = "overall index"
    col = "index"
    if scores is None and "combined_scores" in t:
        scores = _last_year_rank_frame(t["combined_scores"])
        label, col = "combined score", "combined"
    if scores is not None and col in scores.columns:
        last = scores["year"].max()
        s = scores.filter(pl.col("year") == last).sort(col, descending=True, nulls_last=True)
        top = [(r, _fmt(v)) for r, v in s.select("region", col).head(k).iter_rows()]
        bottom = [(r, _fmt(v)) for r, v in s.select("region", col).tail(k).iter_rows()]
        cards.append(_card(f"Top regions, {last}", top, f"by {label}"))
        cards.append(_card(f"Bottom regions, {last}", bottom[::-1], f"by {label}, lowest first"))
    growth = t.get("index_growth")
    if growth is not None and "cagr" in growth.columns:
        g = growth.filter(pl.col("column") == "index") if "column" in growth.columns else growth
        g = g.sort("cagr", descending=True, nulls_last=True)
        yrs = ""
        if {"first_year", "last_year"} <= set(g.columns) and g.height:
            yrs = f"{g['first_year'][0]}-{g['last_year'][0]}"
        cards.append(_card("Fastest growers", [(r, _fmt(v, "cagr")) for r, v in
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
            return f"{_fmt(row['rank_p05'], 'rank')}&ndash;{_fmt(row['rank_p95'], 'rank')}"

        cards.append(_card(f"Most stable ranks, {last}",
                           [(r["region"], iv(r)) for r in most.iter_rows(named=True)],
                           "narrowest 5-95 % rank interval under perturbation"))
        cards.append(_card(f"Least stable ranks, {last}",
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
            items.append((label_r, f"R&minus;C {_fmt(r['relation'])}"))
        cards.append(_card("Key cause factors", items,
                           "causes (R - C > 0) with the highest prominence R + C"))
    if not cards:
        return ""
    return '<section id="summary"><h2>Summary</h2><div class="cards">' + "".join(cards) + \
        "</div></section>"


# --------------------------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------------------------


def _last_year_wide(scores: pl.DataFrame) -> pl.DataFrame:
    last = scores["year"].max()
    s = scores.filter(pl.col("year") == last).drop("year")
    if "index" in s.columns:
        s = s.sort("index", descending=True).with_columns(
            pl.col("index").rank("min", descending=True).cast(pl.Int64).alias("rank"))
    return s


def _section(sid: str, title: str, body: list[str]) -> str:
    return f'<section id="{sid}"><h2>{html.escape(title)}</h2>{"".join(body)}</section>'


def _figs_at(folder: Path, figures: list[str], names: list[str], primary: str,
             dpi: int = 150) -> list[str]:
    out = []
    for n in names:
        rel = f"figures/{n}.{primary}"
        if rel in figures:
            out.append(_figure_html(folder, rel, FIGURES[n][2], dpi=dpi))
    return out


def _step(info: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    for s in info.get("steps", []):
        if s.get("step") == name:
            return s
    return None


def _options_line(step: Mapping[str, Any] | None) -> str:
    if not step or not step.get("options"):
        return ""
    opts = ", ".join(f"{html.escape(str(k))}={html.escape(json.dumps(v, default=str))}"
                     for k, v in step["options"].items())
    secs = step.get("seconds")
    t = f" &middot; {secs:.2f} s" if isinstance(secs, (int, float)) else ""
    return f'<p class="opts"><code>{html.escape(step.get("api", ""))}({opts})</code>{t}</p>'


def _sections(folder: Path, t: Mapping[str, pl.DataFrame], info: Mapping[str, Any],
              figures: list[str], primary: str, dpi: int = 150) -> list[str]:
    out = []

    def _figs(folder, figures, names, primary):
        return _figs_at(folder, figures, names, primary, dpi)

    src = "tables/"
    # panel
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
    out.append(_section("panel", "Data", body))

    unavailable = [s for s in info.get("steps", []) if s.get("status") == "unavailable"]
    if unavailable:
        out.insert(0, '<div class="warn"><b>Steps not run:</b> ' + "; ".join(
            f"{html.escape(s['step'])} ({html.escape(s.get('detail', ''))})" for s in unavailable)
            + "</div>")

    if "index_scores" in t:
        s = t["index_scores"]
        body = [_options_line(_step(info, "ideal_solution"))]
        body += _figs(folder, figures, ["index_trajectories", "index_rank_heatmap"], primary)
        body.append(f"<h3>Scores in {s['year'].max()}</h3>")
        body.append(table_html(_last_year_wide(s), source=src + "index_scores"))
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
                body.append(table_html(merged, source=src + "index_growth"))
            else:
                body.append("<h3>Growth</h3>" + table_html(g, source=src + "index_growth"))
        if "index_weights" in t:
            body.append("<h3>Indicator weights</h3>")
            body.append(table_html(t["index_weights"], source=src + "index_weights"))
        out.append(_section("ideal-solution", "Ideal-solution index", body))

    if "combined_scores" in t:
        cs = t["combined_scores"]
        body = [_options_line(_step(info, "combined"))]
        body += _figs(folder, figures, ["combined_method_weights", "combined_method_agreement",
                                        "combined_rank_heatmap"], primary)
        mw = t.get("combined_method_weights")
        if mw is not None and {"year", "method", "weight"} <= set(mw.columns):
            m = mw.filter(pl.col("dimension") == "index") if "dimension" in mw.columns else mw
            wide = m.pivot(on="method", index="year", values="weight",
                           aggregate_function="first").sort("year")
            body.append("<h3>Method weights (whole system)</h3>")
            body.append(table_html(wide, source=src + "combined_method_weights"))
        for extra, title in (("combined_excluded", "Methods excluded by the compatibility test"),
                             ("combined_kendall_w", "Kendall's W (whole system)")):
            if extra in t and t[extra].height:
                e = t[extra]
                if extra == "combined_kendall_w" and "dimension" in e.columns:
                    e = e.filter(pl.col("dimension") == "index").drop("dimension")
                body.append(f"<h3>{title}</h3>" + table_html(e, source=src + extra))
        last = cs["year"].max()
        cl = _last_year_rank_frame(cs).filter(pl.col("year") == last)
        if "rank" in cl.columns:
            cl = cl.sort("rank")
        body.append(f"<h3>Combined scores in {last} (whole system)</h3>")
        body.append(table_html(cl.drop([c for c in ("year", "dimension") if c in cl.columns]),
                               source=src + "combined_scores"))
        out.append(_section("combined", "Combined evaluation", body))

    for prefix, title in (("simulate", "Robustness: weight Monte Carlo"),
                          ("bootstrap", "Robustness: bootstrap")):
        if f"{prefix}_summary" not in t and f"{prefix}_agreement" not in t:
            continue
        body = [_options_line(_step(info, prefix))]
        body += _figs(folder, figures, [f"{prefix}_rank_stability", f"{prefix}_rho"], primary)
        if f"{prefix}_agreement" in t:
            body.append("<h3>Agreement with the base ranking per year</h3>")
            body.append(table_html(t[f"{prefix}_agreement"].sort("year")
                                   if "year" in t[f"{prefix}_agreement"].columns
                                   else t[f"{prefix}_agreement"],
                                   source=src + f"{prefix}_agreement"))
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
                                   source=src + f"{prefix}_summary"))
        for extra, sub in (("weights", "Indicator weights across replicates"),
                           ("variance_shares", "Share of rank variance explained by each choice"),
                           ("outranks", "Probability that one region outranks another"),
                           ("acceptability", "Rank acceptability (share of draws at each rank)")):
            name = f"{prefix}_{extra}"
            if name in t and t[name].height:
                e = t[name]
                if "year" in e.columns and extra in ("outranks", "acceptability"):
                    e = e.filter(pl.col("year") == e["year"].max())
                body.append(f"<h3>{sub}</h3>" + table_html(e, source=src + name))
        out.append(_section(prefix, title, body))

    if "forecast" in t:
        fc = t["forecast"]
        body = [_options_line(_step(info, "forecast"))]
        body += _figs(folder, figures, ["forecast"], primary)
        fit = t.get("forecast_fit")
        single = fc["column"].n_unique() == 1 if "column" in fc.columns else False
        if single:
            fc = fc.drop("column")
            if fit is not None and "column" in fit.columns:
                fit = fit.drop("column")
        if fit is not None:
            body.append("<h3>Fit accuracy</h3>")
            body.append(table_html(fit, source=src + "forecast_fit"))
        future = fc.filter(pl.col("forecast").is_not_null() & pl.col("observed").is_null())
        if future.height:
            idx = ["region"] if single else ["column", "region"]
            wide = future.pivot(on="year", index=idx, values="forecast",
                                aggregate_function="first")
            body.append("<h3>Forecasts</h3>")
            body.append(table_html(wide, source=src + "forecast"))
        out.append(_section("forecast", "GM(1,1) forecasts", body))

    if "dematel_factors" in t:
        body = [_options_line(_step(info, "dematel"))]
        body += _figs(folder, figures, ["dematel_cause_effect"], primary)
        f = t["dematel_factors"]
        if "prominence" in f.columns:
            f = f.sort("prominence", descending=True)
        body.append("<h3>Factors</h3>" + table_html(f, source=src + "dematel_factors"))
        if "dematel_orderings" in t:
            body.append("<h3>Orderings</h3>" + table_html(t["dematel_orderings"],
                                                           source=src + "dematel_orderings"))
        if "dematel_relations" in t:
            r = t["dematel_relations"]
            if "above_threshold" in r.columns:
                r = r.filter(pl.col("above_threshold")).drop("above_threshold")
            if "t" in r.columns:
                r = r.sort("t", descending=True)
            body.append("<h3>Influence map: relations above the threshold</h3>"
                        + table_html(r, max_rows=20, source=src + "dematel_relations"))
        out.append(_section("dematel", "Grey-DEMATEL key factors", body))
    return out


# --------------------------------------------------------------------------------------------
# methods
# --------------------------------------------------------------------------------------------

WU = ("Wu, Wang, Chen, &ldquo;Comparative Evaluation of Scientific and Technological Innovation "
      "Levels in the Beijing-Tianjin-Hebei Region&rdquo;")
XIA = ("Xia, W.; Li, B.; Yin, S. (2020). &ldquo;Identification of Influencing Factors for "
       "Sustainable Development: Evaluation and Management of Regional Innovation Performance in "
       "Heilongjiang, China&rdquo;. <i>Sustainability</i> 12(7), 2739. "
       '<a href="https://doi.org/10.3390/su12072739">doi:10.3390/su12072739</a>')


def _opt(info, step, key, default):
    s = _step(info, step)
    if s and key in (s.get("options") or {}):
        return s["options"][key]
    return default


def _methods(info: Mapping[str, Any], t: Mapping[str, pl.DataFrame]) -> str:
    ran = {s["step"] for s in info.get("steps", []) if s.get("status") == "ok"}
    parts = ['<section id="methods"><h2>Methods</h2>',
             "<p>Conventions throughout: <i>k</i> indexes regions, <i>t</i> years, <i>j</i> "
             "indicators; rank 1 is the best region within its year; ranks of tied scores share "
             "the lowest rank in tables and the average rank in rank correlations; every random "
             f"step is seeded from the run's seed <code>{info.get('seed')}</code>.</p>"]
    if "ideal_solution" in ran:
        scope = _opt(info, "ideal_solution", "scope", "panel")
        std = _opt(info, "ideal_solution", "standardize", "max_ratio")
        form = _opt(info, "ideal_solution", "form", "ratio2")
        parts.append(f"""
<h3>Ideal-solution index (hierarchical equal-weight TOPSIS)</h3>
<p>Source: {WU}. Options used: standardization <code>{html.escape(str(std))}</code>, scope
<code>{html.escape(str(scope))}</code>, form <code>{html.escape(str(form))}</code>.</p>
<ul>
<li>Standardization of the raw value <i>c<sub>ktj</sub></i> (<code>max_ratio</code>, the paper's):
benefit <i>x</i> = <i>c</i> / max <i>c</i>; cost <i>x</i> = min <i>c</i> / <i>c</i>.
(<code>minmax</code>: (<i>c</i> &minus; min) / (max &minus; min), cost reversed.)
Max and min are taken over the scope: <code>panel</code> = all regions and years (indices comparable
across space and time), <code>region</code> = each region's own years, <code>year</code> = each year's
regions.</li>
<li>Ideal and anti-ideal points: <i>x</i><sup>&alpha;</sup><sub>j</sub> = max, <i>x</i><sup>&beta;</sup><sub>j</sub> = min
of the standardized values over the same scope.</li>
<li>Weighted distances: <i>d</i><sup>&plusmn;</sup><sub>kt</sub> = &radic;(&Sigma;<sub>j</sub> <i>w</i><sub>j</sub><sup>2</sup>
(<i>x</i><sub>ktj</sub> &minus; <i>x</i><sup>&alpha;/&beta;</sup><sub>j</sub>)<sup>2</sup>).</li>
<li>Index (<code>ratio2</code>, the paper's): <i>F</i> = 1 / (1 + (<i>d</i><sup>+</sup>/<i>d</i><sup>&minus;</sup>)<sup>2</sup>)
= <i>d</i><sup>&minus;2</sup> / (<i>d</i><sup>+2</sup> + <i>d</i><sup>&minus;2</sup>);
(<code>closeness</code>: <i>C</i> = <i>d</i><sup>&minus;</sup> / (<i>d</i><sup>+</sup> + <i>d</i><sup>&minus;</sup>)).
Edges: <i>d</i><sup>&minus;</sup> = 0 &lt; <i>d</i><sup>+</sup> gives 0, <i>d</i><sup>+</sup> = 0 &lt; <i>d</i><sup>&minus;</sup> gives 1.</li>
<li>Hierarchical equal weights: the weight is split equally at every level of the indicator system
(three dimensions &rarr; 1/3 each; three indicators in a dimension &rarr; 1/9 each); fixed weights override.</li>
<li>Sub-indices: the same model on each dimension's indicators alone, weights renormalised within
the dimension; columns are named after the dimensions.</li>
<li>Growth: compound average annual growth rate (<i>F</i><sub>last</sub> / <i>F</i><sub>first</sub>)<sup>1/(<i>n</i>&minus;1)</sup> &minus; 1
over the true year span, and the mean of the year-on-year rates.</li>
</ul>""")
    if "combined" in ran:
        alpha = _opt(info, "combined", "alpha", 0.05)
        rho = _opt(info, "combined", "rho", 0.5)
        parts.append(f"""
<h3>Combined evaluation</h3>
<p>Source: {XIA}, &sect;3.1.1 and Appendix A. Per year (cross-section) for the whole system and for
every dimension; compatibility level &alpha; = {html.escape(str(alpha))}, grey resolution coefficient
&rho; = {html.escape(str(rho))}.</p>
<ul>
<li>Efficacy coefficient: benefit <i>p</i> = (<i>v</i> &minus; &beta;) / (&alpha; &minus; &beta;), cost
<i>p</i> = (&alpha; &minus; <i>v</i>) / (&alpha; &minus; &beta;), with &alpha;, &beta; the observed max and min
(or critical limits from the indicator system).</li>
<li>Entropy weight method: <i>f</i><sub>ij</sub> = <i>p</i><sub>ij</sub> / &Sigma;<sub>i</sub> <i>p</i><sub>ij</sub>,
<i>h</i><sub>j</sub> = &minus;(1/ln <i>n</i>) &Sigma;<sub>i</sub> <i>f</i><sub>ij</sub> ln <i>f</i><sub>ij</sub> (0 ln 0 = 0),
<i>w</i><sub>j</sub> = (1 &minus; <i>h</i><sub>j</sub>) / (<i>m</i> &minus; &Sigma;<sub>j</sub> <i>h</i><sub>j</sub>); score &Sigma;<sub>j</sub> <i>w</i><sub>j</sub> <i>p</i><sub>ij</sub>.</li>
<li>Maximum deviation method: <i>w</i><sub>j</sub> &prop; &Sigma;<sub>i</sub>&Sigma;<sub>k</sub> |<i>v</i><sub>ij</sub> &minus; <i>v</i><sub>kj</sub>|,
score &Sigma;<sub>j</sub> <i>w</i><sub>j</sub> <i>v</i><sub>ij</sub> (pairwise sum computed from sorted values in O(<i>n</i> log <i>n</i>)).</li>
<li>TOPSIS on <i>r</i> = <i>w</i> &middot; <i>p</i> with column max/min as ideal/anti-ideal, closeness
<i>d</i><sup>&minus;</sup> / (<i>d</i><sup>+</sup> + <i>d</i><sup>&minus;</sup>).</li>
<li>Grey relational analysis: &xi;<sub>ij</sub> = (&Delta;<sub>min</sub> + &rho;&Delta;<sub>max</sub>) / (&Delta;<sub>ij</sub> + &rho;&Delta;<sub>max</sub>)
against the column ideal, &Delta;<sub>min</sub>, &Delta;<sub>max</sub> global; grade &Sigma;<sub>j</sub> <i>w</i><sub>j</sub> &xi;<sub>ij</sub>.</li>
<li>Compatibility test: Spearman &rho; between the methods' rankings with two-sided p-values (and
Kendall's <i>W</i>); methods whose correlations are not significant at &alpha; are excluded and reported.</li>
<li>Drift-degree combination: reference <i>&#363;</i> = mean of the compatible methods' scores;
<i>r</i><sub>j</sub> = Spearman(<i>u</i><sub>j</sub>, <i>&#363;</i>), drift <i>p</i><sub>j</sub> = 1 &minus; <i>r</i><sub>j</sub>,
<i>w</i><sub>j</sub> = (min <i>p</i> + max <i>p</i> &minus; <i>p</i><sub>j</sub>) / &Sigma;<sub>j</sub>(min <i>p</i> + max <i>p</i> &minus; <i>p</i><sub>j</sub>);
combined score &Sigma;<sub>j</sub> <i>w</i><sub>j</sub> <i>u</i><sub>ij</sub>. Equal drifts give equal weights.</li>
</ul>""")
    if "simulate" in ran or "bootstrap" in ran:
        draws = _opt(info, "simulate", "draws", None)
        scheme = _opt(info, "simulate", "scheme", "dirichlet")
        kappa = _opt(info, "simulate", "concentration", None)
        what = []
        if "simulate" in ran:
            what.append(f"{draws if draws is not None else 'the default number of'} weight draws, "
                        f"scheme <code>{html.escape(str(scheme))}</code>"
                        + (f", concentration &kappa; = {kappa}" if kappa is not None else ""))
        if "bootstrap" in ran:
            what.append(f"{_opt(info, 'bootstrap', 'replicates', 'the default number of')} "
                        "bootstrap replicates")
        if "simulate" in ran and _opt(info, "simulate", "model", "hew-topsis") == "combined":
            recomb = (_opt(info, "simulate", "model_options", None) or {}).get("recombine", "drift")
            model_text = (
                "The combined evaluation is recomputed for every draw: each single method's base-run "
                "indicator weights are multiplied by the draw's factors <i>w</i> / <i>w</i><sub>0</sub> and "
                "renormalised, and " + ("the compatibility test and drift-degree method weights are rerun "
                                        "on the draw's own scores" if recomb != "fixed" else
                                        "the base run's drift-degree method weights are kept") + "."
            )
        else:
            model_text = ("The ideal-solution model is recomputed for every draw with the same "
                          "standardization, scope and form.")
        parts.append(f"""
<h3>Robustness of the ranking</h3>
<p>{'; '.join(what)}. {model_text} Dirichlet draws are centred on the base weights:
<i>w</i> ~ Dir(&kappa; <i>w</i><sub>0</sub>), so E[<i>w</i>] = <i>w</i><sub>0</sub> and larger &kappa; means smaller
perturbations. Per region and year: mean, median and 5th/95th percentiles of the index and of the
rank, and P(rank &le; <i>k</i>); per year: Spearman &rho; between each draw's ranking and the base
ranking (mean, 5th percentile, minimum) and the mean absolute rank shift. Draws are seeded in fixed
blocks (<code>SeedSequence(seed, spawn_key=(block,))</code>), so results do not depend on chunking or
thread count. Practice follows the uncertainty analysis of the OECD/JRC <i>Handbook on Constructing
Composite Indicators</i> (2008).</p>""")
    if "forecast" in ran:
        h = _opt(info, "forecast", "horizon", 3)
        parts.append(f"""
<h3>GM(1,1) forecasts</h3>
<p>Grey model GM(1,1) (Deng, J. (1982), &ldquo;Control problems of grey systems&rdquo;, <i>Systems &amp;
Control Letters</i> 1(5), 288&ndash;294; used for short series in {XIA}). Horizon: {h} years.</p>
<ul>
<li>Accumulation <i>x</i><sup>(1)</sup>(<i>k</i>) = &Sigma;<sub>i&le;k</sub> <i>x</i><sup>(0)</sup>(<i>i</i>);
background <i>z</i>(<i>k</i>) = &frac12;(<i>x</i><sup>(1)</sup>(<i>k</i>) + <i>x</i><sup>(1)</sup>(<i>k</i>&minus;1));
least squares for (<i>a</i>, <i>b</i>) in <i>x</i><sup>(0)</sup>(<i>k</i>) + <i>a z</i>(<i>k</i>) = <i>b</i>.</li>
<li><i>x&#770;</i><sup>(1)</sup>(<i>k</i>+1) = (<i>x</i><sup>(0)</sup>(1) &minus; <i>b</i>/<i>a</i>) e<sup>&minus;<i>ak</i></sup> + <i>b</i>/<i>a</i>,
restored by differencing.</li>
<li>Accuracy: posterior variance ratio <i>C</i> = <i>S</i><sub>2</sub>/<i>S</i><sub>1</sub> (residual sd / data sd) and
small error probability <i>P</i> = P(|<i>e</i> &minus; <i>&emacr;</i>| &lt; 0.6745 <i>S</i><sub>1</sub>); grade good
(<i>C</i> &le; 0.35, <i>P</i> &ge; 0.95), qualified (&le; 0.5, &ge; 0.8), barely (&le; 0.65, &ge; 0.7), else unqualified.</li>
</ul>""")
    if "dematel" in ran:
        parts.append(f"""
<h3>Grey-DEMATEL</h3>
<p>Source: {XIA}, &sect;3.1.2 and Appendix B.</p>
<ul>
<li>Linguistic scores become grey numbers (paper's Table 1: N [0, 0], VL [0, 0.25], L [0.25, 0.5],
H [0.5, 0.75], VH [0.75, 1]); expert weights from the paper's Table 2 scale, whitened at the
interval midpoint and normalised to sum 1.</li>
<li>CFCS crisp values per expert: bounds normalised by the minimum lower and maximum upper bound
(&Delta; = max upper &minus; min lower), <i>Y</i> = (<i>l&#771;</i>(1 &minus; <i>l&#771;</i>) + <i>&#361;</i><i>&#361;</i>) / (1 &minus; <i>l&#771;</i> + <i>&#361;</i>),
<i>z</i> = min + <i>Y</i>&Delta;; <i>Z</i> = &Sigma;<sub>k</sub> &omega;<sub>k</sub> <i>Z</i><sup>k</sup> with a zero diagonal.</li>
<li><i>N</i> = <i>Z</i> / max row sum; total relation <i>T</i> = <i>N</i>(<i>I</i> &minus; <i>N</i>)<sup>&minus;1</sup> (LU solve).</li>
<li><i>R</i> = row sums (influence given), <i>C</i> = column sums (received); prominence <i>R</i> + <i>C</i>,
relation <i>R</i> &minus; <i>C</i>; factors with <i>R</i> &minus; <i>C</i> &gt; 0 are causes, the others effects.
The influence map keeps relations with <i>t</i><sub>ij</sub> above the threshold (mean of <i>T</i> by default).</li>
</ul>""")
    ds = (info.get("config") or {}).get("panel", {}).get("dataset")
    if ds == "six_triangles":
        parts.append(f"""
<h3>Data</h3>
<p>The bundled six-triangles panel: published evaluation scores of regional innovation performance
for 16 Chinese provinces, 2009&ndash;2017, by innovation subject (enterprise, university, research
institution) and measure (S&amp;T output, economic output, social effect), transcribed from
Appendix C (Tables A1&ndash;A2) of {XIA}. Jiangxi has no research-institution data and the 2011
Guangdong research-institution row is missing in the source; the missing-value policy above says
how they were handled.</p>""")
    parts.append("</section>")
    return "".join(parts)


def _reproducibility(info: Mapping[str, Any]) -> str:
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
    return _section("reproducibility", "Reproducibility", body)


_CSS = """
:root{--fg:#1d232a;--mut:#5b6670;--line:#dde3e8;--acc:#1f5f99;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:#fff}
header{background:linear-gradient(135deg,#123f68,#1f5f99);color:#fff;padding:28px 0 22px}
header .wrap p{margin:4px 0 0;opacity:.88}
.wrap{max-width:1120px;margin:0 auto;padding:0 28px}
h1{margin:0;font-size:28px;font-weight:650;letter-spacing:-.01em}
h2{font-size:22px;margin:40px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:24px 0 8px;color:#2b3640}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);z-index:2}
nav .wrap{display:flex;flex-wrap:wrap;gap:4px 18px;padding-top:9px;padding-bottom:9px}
nav a{color:var(--acc);text-decoration:none;font-size:14px}
nav a:hover{text-decoration:underline}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:14px}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.card h3{margin:0 0 6px;font-size:14px;text-transform:uppercase;letter-spacing:.04em;color:var(--mut)}
.card ol{margin:0;padding-left:20px}
.card li{margin:2px 0}
.card li>div{display:flex;justify-content:space-between;gap:10px}
.card li b{font-variant-numeric:tabular-nums;font-weight:600;white-space:nowrap}
.cnote{margin:6px 0 0;font-size:12px;color:var(--mut)}
figure{margin:18px 0 26px;text-align:center}
figure img{max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
figcaption{font-size:13px;color:var(--mut);margin-top:6px}
.tablewrap{overflow-x:auto;margin:6px 0}
table.t{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
table.t caption{text-align:left;color:var(--mut);padding-bottom:4px}
table.t th{background:var(--bg);border-bottom:2px solid var(--line);padding:5px 10px;
text-align:left;white-space:nowrap;font-weight:600}
table.t td{border-bottom:1px solid var(--line);padding:4px 10px;white-space:nowrap}
table.t tr:nth-child(even) td{background:#fbfcfd}
table.t .num{text-align:right}
table.t td.long{white-space:normal;min-width:320px;word-break:break-word}
.na{color:#9aa5ae}
.tnote,.opts{font-size:12.5px;color:var(--mut);margin:2px 0 10px}
.opts code{white-space:normal;word-break:break-word}
code{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:var(--bg);
padding:1px 4px;border-radius:3px}
.warn{background:#fff4e5;border:1px solid #f0c27b;border-radius:6px;padding:10px 14px;margin:16px 0}
#methods li{margin-bottom:6px}
footer{color:var(--mut);font-size:12.5px;margin:48px 0 32px;border-top:1px solid var(--line);
padding-top:12px}
@media print{nav{display:none}header{background:none;color:#000}}
"""


def render_report(folder: str | os.PathLike, *, info: Mapping[str, Any] | None = None,
                  tables: Mapping[str, pl.DataFrame] | None = None) -> list[str]:
    """Draw the figures and write ``report.html`` in a run folder; return the figure paths.

    Parameters
    ----------
    folder : path
        A run folder (``run.json`` and ``tables/``).
    info, tables : optional
        ``run.json`` content and the tables; read from the folder when not given.

    Returns
    -------
    list of str
        Figure paths relative to ``folder``.
    """
    folder = Path(folder)
    if info is None:
        from .pipeline import read_run_info

        info = read_run_info(folder)
    if tables is None:
        tables = {}
        for name in info.get("tables", []):
            p = folder / "tables" / f"{name}.parquet"
            if not p.is_file():
                raise InputError(f"Table {name!r} listed in run.json is missing: {p}. Re-run the "
                                 "pipeline or restore the file.")
            tables[name] = pl.read_parquet(p)
    figcfg = (info.get("config") or {}).get("figures") or {}
    figures, failures = _draw_figures(folder, tables, info, figcfg)
    primary = (figcfg.get("format") or ["png"])[0]
    title = html.escape(str(info.get("title") or "fastinno report"))
    body = [_summary(tables)]
    if failures:
        body.insert(0, '<div class="warn">' + "<br>".join(
            f"{html.escape(k)}: {html.escape(v)}" for k, v in failures.items()) + "</div>")
    body += _sections(folder, tables, info, figures, primary, int(figcfg.get("dpi") or 150))
    body.append(_methods(info, tables))
    body.append(_reproducibility(info))
    nav_items = [("summary", "Summary"), ("panel", "Data"), ("ideal-solution", "Index"),
                 ("combined", "Combined evaluation"), ("simulate", "Monte Carlo"),
                 ("bootstrap", "Bootstrap"), ("forecast", "Forecasts"),
                 ("dematel", "Key factors"), ("methods", "Methods"),
                 ("reproducibility", "Reproducibility")]
    joined = "".join(body)
    nav = "".join(f'<a href="#{i}">{n}</a>' for i, n in nav_items if f'id="{i}"' in joined)
    p = info.get("panel", {})
    sub = (f"{len(p.get('regions', []))} regions &middot; {len(p.get('years', []))} years &middot; "
           f"{len(p.get('indicators', []))} indicators &middot; seed {info.get('seed')} &middot; "
           f"fastinno {html.escape(str(info.get('fastinno_version')))} &middot; "
           f"{html.escape(str(info.get('created', ''))[:10])}")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f"<header><div class=\"wrap\"><h1>{title}</h1><p>{sub}</p></div></header>"
        f"<nav><div class=\"wrap\">{nav}</div></nav>"
        f"<main class=\"wrap\">{joined}"
        "<footer>Generated by fastinno. Tables are in <code>tables/</code> (CSV and Parquet), "
        "figures in <code>figures/</code>; re-render with <code>fastinno report DIR</code>."
        "</footer></main></body></html>\n"
    )
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".report.", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(tmp, folder / "report.html")
    return figures
