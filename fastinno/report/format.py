"""HTML building blocks of the report: number formatting, tables, figures, cards and sections."""

from __future__ import annotations

import base64
import functools
import html
import json
import math
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

__all__ = ["MAX_ROWS", "fmt", "is_rank_quantile", "display_path", "head", "table_html", "figure_html", "card", "section",
           "options_line", "step_row", "step_option", "index_rows", "template", "fill"]

#: Rows shown of a table before the page links to the full file.
MAX_ROWS = 40

_PERCENT_COLS = {"cagr", "mean_yoy", "yoy"}
_HEAD_LABELS = {"cagr": "CAGR", "mean_yoy": "mean YoY", "spearman_rho": "Spearman &rho;", "p_value": "p",
                "R": "R", "C": "C", "P": "P", "gm_c": "C", "gm_p": "P"}


def is_rank_quantile(col: str) -> bool:
    """Whether ``col`` holds a rank quantile (median or percentile): shown as a whole rank."""
    return col in ("median_rank", "rank", "base_rank") or col.startswith("rank_p")


def _is_percent(col: str) -> bool:
    return col in _PERCENT_COLS or col.startswith("p_top_") or col.lower().startswith("cagr")


def fmt(v: Any, col: str = "") -> str:
    """A cell value as HTML: percentages, ranks, years and magnitudes each in their own style."""
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
        if is_rank_quantile(col):
            return f"{round(v):,}" if abs(v) >= 10000 else str(round(v))
        if "rank" in col and "shift" not in col:
            return str(int(v)) if v == int(v) else f"{v:.1f}"
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


def head(col: str) -> str:
    """A column name as a table header."""
    if col in _HEAD_LABELS:
        return _HEAD_LABELS[col]
    if col.startswith("p_top_"):
        return f"P(top {html.escape(col[6:])})"
    return html.escape(col.replace("_", " "))


def table_html(df: pl.DataFrame, *, max_rows: int = MAX_ROWS, source: str | None = None,
               caption: str | None = None, what: str | None = None,
               formats: tuple[str, ...] = ("parquet",), note: str = "") -> str:
    """A formatted HTML table (numbers right-aligned, at most ``max_rows`` rows).

    ``what`` names the rows and their order (e.g. ``"regions, by the 2017 index, best first"``):
    the note under the table then says ``All 15 regions, ...`` or ``First 40 of 2,800 regions,
    ...``. ``source`` (``tables/<name>``) links the full table in each of ``formats``; ``note`` is
    added as HTML.
    """
    n = df.height
    shown = df.head(max_rows)
    numeric = {c for c, t in df.schema.items() if t.is_numeric()}
    parts = ['<div class="tablewrap"><table class="t">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(
        f'<th class="{"num" if c in numeric else "txt"}">{head(c)}</th>' for c in df.columns
    ) + "</tr></thead><tbody>")
    long = {c for c, t in df.schema.items()
            if t == pl.String and (shown[c].str.len_chars().max() or 0) > 60}
    cls = {c: "num" if c in numeric else ("txt long" if c in long else "txt") for c in df.columns}
    for row in shown.iter_rows():
        parts.append("<tr>" + "".join(
            f'<td class="{cls[c]}">{fmt(v, c)}</td>' for c, v in zip(df.columns, row)
        ) + "</tr>")
    parts.append("</tbody></table></div>")
    notes = []
    if what:
        rows, _, order = what.partition(",")
        sel = f"First {max_rows:,} of {n:,} {rows}" if n > max_rows else f"All {n:,} {rows}"
        notes.append(f'<span class="sel">{html.escape(sel + ("," + order if order else ""))}'
                     "</span>.")
    elif n > max_rows:
        notes.append(f'<span class="sel">First {max_rows:,} of {n:,} rows</span>.')
    if note:
        notes.append(note)
    if source and formats:
        src = html.escape(source)
        links = " / ".join(f'<a href="{src}.{f}">{"" if i else src}.{f}</a>'
                           for i, f in enumerate(formats))
        notes.append(f"Full table: {links}.")
    if notes:
        parts.append(f'<p class="tnote">{" ".join(notes)}</p>')
    return "".join(parts)


def display_path(path: str, info: Mapping[str, Any]) -> str:
    """An input path as the report shows it: inside fastinno's bundled data as
    ``<fastinno data>/...``, else relative to the config file's folder when inside it, else as
    given."""
    p = Path(path)
    data = Path(__file__).resolve().parent.parent / "data"
    bases = [("<fastinno data>", data)]
    if info.get("config_file"):
        bases.append((".", Path(info["config_file"]).resolve().parent))
    for label, base in bases:
        try:
            rel = p.resolve().relative_to(base)
        except (ValueError, OSError):
            continue
        if label == ".":
            return rel.as_posix()
        return label if rel == Path(".") else f"{label}/{rel.as_posix()}"
    return str(path)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def figure_html(folder: Path, rel: str, caption: str, embed: bool = True, dpi: int = 150,
                selection: str = "") -> str:
    """A ``<figure>`` of ``folder / rel``: embedded as base64 (shown at 100 CSS px per inch of
    figure) with a link to the file; the caption opens with the ``selection`` it shows."""
    path = folder / rel
    size = ""
    if embed and path.exists():
        data = path.read_bytes()
        mime = "image/svg+xml" if rel.endswith(".svg") else "image/png"
        src = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        wh = _png_size(data)
        if wh:
            size = f' width="{round(wh[0] * 100 / dpi)}" height="{round(wh[1] * 100 / dpi)}"'
    else:
        src = html.escape(rel)
    sel = (f'<span class="sel">{html.escape(selection[:1].upper() + selection[1:])}.</span> '
           if selection else "")
    return (f'<figure><img src="{src}"{size} alt="{html.escape(caption)}">'
            f'<figcaption>{sel}{html.escape(caption)} <a href="{html.escape(rel)}">'
            f'{html.escape(Path(rel).name)}</a></figcaption></figure>')


def card(title: str, items: list[tuple[str, str]], note: str = "") -> str:
    """A summary card: a title, an ordered list of (label, HTML value) and a note."""
    lis = "".join(f"<li><div><span>{html.escape(a)}</span><b>{b}</b></div></li>"
                  for a, b in items)
    note_html = f'<p class="cnote">{html.escape(note)}</p>' if note else ""
    return f'<div class="card"><h3>{html.escape(title)}</h3><ol>{lis}</ol>{note_html}</div>'


def section(sid: str, title: str, body: list[str]) -> str:
    """A ``<section>`` with an id (the navigation target) and a heading."""
    return f'<section id="{sid}"><h2>{html.escape(title)}</h2>{"".join(body)}</section>'


def step_row(info: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The ``run.json`` entry of step ``name``, or ``None``."""
    for s in info.get("steps", []):
        if s.get("step") == name:
            return s
    return None


def step_option(info: Mapping[str, Any], step: str, key: str, default: Any) -> Any:
    """The option ``key`` a step ran with (from ``run.json``), else ``default``."""
    s = step_row(info, step)
    if s and key in (s.get("options") or {}):
        return s["options"][key]
    return default


def options_line(step: Mapping[str, Any] | None, info: Mapping[str, Any] | None = None) -> str:
    """The call a step made, with its options and time, as one line (input paths as
    :func:`display_path` shows them)."""
    if not step or not step.get("options"):
        return ""

    def val(v: Any) -> str:
        if info is not None and isinstance(v, str) and ("/" in v or "\\" in v) and Path(v).is_absolute():
            v = display_path(v, info)
        return html.escape(json.dumps(v, default=str, ensure_ascii=False))

    opts = ", ".join(f"{html.escape(str(k))}={val(v)}" for k, v in step["options"].items())
    secs = step.get("seconds")
    t = f" &middot; {secs:.2f} s" if isinstance(secs, (int, float)) else ""
    return f'<p class="opts"><code>{html.escape(step.get("api", ""))}({opts})</code>{t}</p>'


def index_rows(scores: pl.DataFrame) -> pl.DataFrame:
    """The whole-system rows of a score table that has a ``dimension`` column."""
    return scores.filter(pl.col("dimension") == "index") if "dimension" in scores.columns else scores


@functools.cache
def template(name: str) -> str:
    """The text of ``fastinno/report/templates/<name>`` (one trailing newline removed)."""
    text = (resources.files("fastinno.report") / "templates" / name).read_text(encoding="utf-8")
    return text[:-1] if text.endswith("\n") else text


def fill(name: str, **values: Any) -> str:
    """Template ``name`` with its ``${key}`` placeholders replaced by ``values``."""
    return string.Template(template(name)).substitute(values)
