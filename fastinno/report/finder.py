"""The report's "Find a region" box: every region's headline numbers embedded as JSON in the page
and a small plain-JavaScript search and sortable table (no network, no library).

Only the rows of one search (at most ``_config.REPORT_FINDER_ROWS``) become HTML, so the page
stays light with thousands of regions. ``report.html#q=Harbin`` opens the page with that search.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from typing import Any

import polars as pl

from .. import _config
from .format import index_rows, template

__all__ = ["finder_rows", "finder_section"]


def _last(df: pl.DataFrame) -> pl.DataFrame:
    return df.filter(pl.col("year") == df["year"].max())


def finder_rows(t: Mapping[str, pl.DataFrame]) -> tuple[list[dict[str, str]], list[list[Any]]]:
    """``(columns, rows)``: one row per region (headline rank order) with its index, rank,
    sub-indices, growth, rank interval and forecast; each column ``{key, label, kind}`` with kind
    ``text``, ``int``, ``num`` or ``pct``."""
    if "index_scores" in t:
        s, col, what = t["index_scores"], "index", "Index"
    elif "combined_scores" in t:
        s, col, what = index_rows(t["combined_scores"]), "combined", "Combined score"
    else:
        return [], []
    last = s["year"].max()
    base = _last(s).sort(col, descending=True, nulls_last=True).with_columns(
        pl.col(col).rank("min", descending=True).cast(pl.Int64).alias("_rank"))
    cols = [{"key": "region", "label": "Region", "kind": "text"},
            {"key": "_rank", "label": f"Rank {last}", "kind": "int"},
            {"key": col, "label": f"{what} {last}", "kind": "num"}]
    subs = [c for c in base.columns if c not in ("region", "year", col, "_rank", "rank",
                                                 "dimension") and base.schema[c].is_numeric()]
    cols += [{"key": c, "label": c.replace("_", " "), "kind": "num"} for c in subs]
    frame = base.select("region", "_rank", col, *subs)
    g = t.get("index_growth")
    if g is not None and "cagr" in g.columns:
        g = g.filter(pl.col("column") == "index") if "column" in g.columns else g
        frame = frame.join(g.select("region", pl.col("cagr").alias("_cagr")), on="region",
                           how="left")
        cols.append({"key": "_cagr", "label": "CAGR", "kind": "pct"})
    summ_name = "simulate_summary" if "simulate_summary" in t else "bootstrap_summary"
    summ = t.get(summ_name)
    if summ is not None and {"rank_p05", "rank_p95"} <= set(summ.columns):
        iv = _last(summ).select("region", pl.col("rank_p05").round(0).cast(pl.Int64).alias("_lo"),
                                pl.col("rank_p95").round(0).cast(pl.Int64).alias("_hi"))
        frame = frame.join(iv, on="region", how="left")
        src = "weights" if summ_name.startswith("simulate") else "bootstrap"
        cols += [{"key": "_lo", "label": f"Rank 5 % ({src})", "kind": "int"},
                 {"key": "_hi", "label": f"Rank 95 % ({src})", "kind": "int"}]
    fc = t.get("forecast")
    if fc is not None:
        if "column" in fc.columns:
            fc = fc.filter(pl.col("column") == fc["column"][0])
        fut = fc.filter(pl.col("forecast").is_not_null() & pl.col("observed").is_null())
        if fut.height:
            year = fut["year"].max()
            f = fut.filter(pl.col("year") == year).select("region", pl.col("forecast")
                                                           .alias("_fc"))
            frame = frame.join(f, on="region", how="left")
            cols.append({"key": "_fc", "label": f"Forecast {year}", "kind": "num"})
            fit = t.get("forecast_fit")
            if fit is not None and "grade" in fit.columns:
                if "column" in fit.columns:
                    fit = fit.filter(pl.col("column") == fit["column"][0])
                frame = frame.join(fit.select("region", pl.col("grade").alias("_grade")),
                                   on="region", how="left")
                cols.append({"key": "_grade", "label": "Fit grade", "kind": "text"})
    frame = frame.select([c["key"] for c in cols])
    rows = []
    for r in frame.iter_rows():
        rows.append([None if isinstance(v, float) and not math.isfinite(v) else
                     (round(v, 6) if isinstance(v, float) else v) for v in r])
    return cols, rows


def _json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` or comment opener)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def finder_section(t: Mapping[str, pl.DataFrame]) -> str:
    """The "Find a region" ``<section>`` (empty when there are no region scores)."""
    cols, rows = finder_rows(t)
    if not rows:
        return ""
    data = {"columns": cols, "rows": rows, "limit": _config.REPORT_FINDER_ROWS}
    n = len(rows)
    return (
        '<section id="find"><h2>Find a region</h2>'
        f"<p>Search all {n:,} regions by name (part of a name is enough); click a column heading "
        "to sort. The table shows at most "
        f"{_config.REPORT_FINDER_ROWS} regions at a time; with an empty box, the top "
        f"{min(10, n)} by rank. Rank intervals are rounded percentile ranks.</p>"
        '<p><input id="finder-q" type="search" placeholder="Region name" autocomplete="off" '
        'aria-label="Region name"> <span id="finder-count" class="tnote"></span></p>'
        '<div class="tablewrap"><table class="t" id="finder-table"><thead></thead>'
        "<tbody></tbody></table></div>"
        f'<script type="application/json" id="finder-data">{_json_for_script(data)}</script>'
        f"<script>{template('finder.js')}</script>"
        f'<noscript><p class="tnote">{html.escape("The search needs JavaScript; the tables below list the regions.")}</p></noscript>'
        "</section>"
    )
