"""``report.html``: the page of a run folder, rendered from its saved tables.

The page skeleton and its stylesheet are the files ``templates/page.html`` and
``templates/report.css``.
"""

from __future__ import annotations

import html
import os
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ..io.write import write_text
from .figures import draw_figures
from .finder import finder_section
from .format import template
from .methods_text import methods_section
from .parts import DEFAULT_PARTS
from .run_folder import read_run_info, read_run_tables
from .sections import (
    Page,
    ReportPart,
    panel_section,
    reproducibility_section,
    summary,
    unavailable_note,
)

__all__ = ["render_report", "methods_html", "FIGURES"]

#: Every figure the standard parts can draw, by name.
FIGURES = {spec.name: spec for part in DEFAULT_PARTS for spec in part.figures}


def methods_html(info: Mapping[str, Any], parts: Iterable[ReportPart] | None = None) -> str:
    """The methods section for the steps ``run.json`` (``info``) records as run."""
    return methods_section(info, DEFAULT_PARTS if parts is None else parts)


def _page(**values: str) -> str:
    # the template's lines are joined without line breaks: the page is one line after the doctype
    first, *rest = template("page.html").splitlines()
    return string.Template(first + "\n" + "".join(rest) + "\n").substitute(values)


def _table_formats(folder: Path, info: Mapping[str, Any]) -> tuple[str, ...]:
    """The formats the run folder has all its tables in (else those ``run.json`` records)."""
    names = list(info.get("tables") or [])
    tdir = folder / "tables"
    on_disk = tuple(f for f in ("parquet", "csv")
                    if names and all((tdir / f"{n}.{f}").is_file() for n in names))
    return on_disk or tuple((info.get("output") or {}).get("table_formats") or ("parquet",))


def render_report(folder: str | os.PathLike, *, info: Mapping[str, Any] | None = None,
                  tables: Mapping[str, pl.DataFrame] | None = None,
                  parts: Iterable[ReportPart] | None = None,
                  figures: list[str] | None = None, worker: Any = None) -> list[str]:
    """Draw the figures and write ``report.html`` in a run folder; return the figure paths.

    The page has a summary at the top (top and bottom regions, fastest growers, most and least
    stable rankings, key cause factors), one section per step with its tables and figures, the
    methods with every formula and its source, and the reproducibility record (options, seed,
    inputs with SHA-256, package versions, timings). Figures are embedded (base64), so the page
    can be mailed on its own; the figure files stay beside it under ``figures/``.

    Parameters
    ----------
    folder : path
        A run folder (``run.json`` and ``tables/``).
    info, tables : optional
        ``run.json`` content and the tables; read from the folder when not given.
    parts : sequence of ReportPart, optional
        How each step is shown, in page order; default :data:`~fastinno.report.parts.DEFAULT_PARTS`.
    figures : list of str, optional
        Figures already drawn into ``folder`` (paths as returned earlier): only the page is
        written again (e.g. with the final timings).
    worker : FigureWorker, optional
        A :class:`~fastinno.report.figure_worker.FigureWorker` that draws every other figure
        meanwhile (``run.json`` and the tables must be saved in ``folder``).

    Returns
    -------
    list of str
        Figure paths relative to ``folder``.
    """
    folder = Path(folder)
    parts = tuple(DEFAULT_PARTS if parts is None else parts)
    if info is None:
        info = read_run_info(folder)
    if tables is None:
        tables = read_run_tables(folder, info)
    figcfg = (info.get("config") or {}).get("figures") or {}
    specs = [spec for part in parts for spec in part.figures]
    failures: dict[str, str] = {}
    if figures is None:
        figures, failures = draw_figures(folder, specs, tables, figcfg, info, worker=worker)
    page = Page(folder=folder, tables=tables, info=info, figures=figures,
                primary=(figcfg.get("format") or ["png"])[0], dpi=int(figcfg.get("dpi") or 150),
                specs={spec.name: spec for spec in specs}, formats=_table_formats(folder, info))
    body = [summary(tables), finder_section(tables)]
    if failures:
        body.insert(0, '<div class="warn">' + "<br>".join(
            f"{html.escape(k)}: {html.escape(v)}" for k, v in failures.items()) + "</div>")
    body.append(unavailable_note(info))
    body.append(panel_section(info))
    body += [part.section(page, part) for part in parts]
    body.append(methods_section(info, parts))
    body.append(reproducibility_section(info))
    joined = "".join(body)
    nav_items = [("summary", "Summary"), ("find", "Find a region"), ("panel", "Data"),
                 *((part.section_id, part.nav) for part in parts),
                 ("methods", "Methods"), ("reproducibility", "Reproducibility")]
    nav = "".join(f'<a href="#{i}">{n}</a>' for i, n in nav_items if f'id="{i}"' in joined)
    p = info.get("panel", {})
    sub = (f"{len(p.get('regions', []))} regions &middot; {len(p.get('years', []))} years &middot; "
           f"{len(p.get('indicators', []))} indicators &middot; seed {info.get('seed')} &middot; "
           f"fastinno {html.escape(str(info.get('fastinno_version')))} &middot; "
           f"{html.escape(str(info.get('created', ''))[:10])}")
    title = html.escape(str(info.get("title") or "fastinno report"))
    write_text(folder / "report.html", _page(title=title, css="\n" + template("report.css") + "\n",
                                             subtitle=sub, nav=nav, body=joined,
                                             table_formats=" and ".join(
                                                 f.capitalize() if f == "parquet" else f.upper()
                                                 for f in page.formats)))
    return figures
