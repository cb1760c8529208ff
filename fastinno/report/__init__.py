"""``report.html``: a self-contained page rendered from a run folder's saved tables.

:func:`render_report` reads ``run.json`` and ``tables/*.parquet`` (or takes them from the main
job directly), draws every figure into ``figures/`` and writes ``report.html`` with the figures
embedded, so the page can be mailed on its own. ``fastinno report DIR`` calls it to re-render a
folder.
"""

from __future__ import annotations

from .figures import FigureSpec
from .format import MAX_ROWS, fmt, table_html
from .parts import DEFAULT_PARTS
from .render import FIGURES, methods_html, render_report
from .run_folder import read_run_info, read_run_tables
from .sections import ReportPart

__all__ = ["render_report", "table_html", "fmt", "methods_html", "read_run_info",
           "read_run_tables", "FIGURES", "FigureSpec", "ReportPart", "DEFAULT_PARTS", "MAX_ROWS"]
