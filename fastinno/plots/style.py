"""Shared look of fastinno's figures: the style, the region palette and figure helpers.

matplotlib is imported inside the functions (``import fastinno`` stays cheap) and figures are
built with the object-oriented API on the Agg canvas, never through pyplot's global state.

Colours are consistent across figures: :func:`region_colors` assigns each region a colour from
its name alone (sorted position for up to 20 regions, a stable hash beyond), so Beijing is the same
colour in the trajectories, the stability plot and the forecasts.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

import polars as pl

from ..errors import InputError, SchemaError, format_keys

__all__ = ["PALETTE", "RC", "INDEX_LABEL", "RANK_LABEL", "style", "new_figure", "new_axes",
           "figure_axes", "check_frame", "region_colors", "colors_for", "column_label"]

#: 20 distinguishable, saturated colours (legible as points and thin lines on white): matplotlib's
#: tab10, then the two darker shades of each tab20b hue.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#5254a3",
    "#8ca252", "#bd9e39", "#ad494a", "#a55194",
)

#: Sizes chosen to stay legible when a 7-inch-wide figure is printed at column width.
RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",
}

INDEX_LABEL = "Index"
RANK_LABEL = "Rank (1 = best)"


@contextmanager
def style():
    """Apply fastinno's matplotlib settings inside the block."""
    import matplotlib

    with matplotlib.rc_context(RC):
        yield


def new_figure(figsize: tuple[float, float]):
    """A new figure with constrained layout (not registered with pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def figure_axes(ax, figsize):
    """``(figure, ax)`` of a given axes, or of a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(figsize)
    return fig, fig.add_subplot()


def check_frame(df: Any, name: str, required: Iterable[str]) -> pl.DataFrame:
    """``df`` as a non-empty DataFrame with the ``required`` columns, else a clear error."""
    if isinstance(df, pl.LazyFrame):
        df = df.collect()
    if not isinstance(df, pl.DataFrame):
        raise InputError(f"{name} must be a polars DataFrame; got {type(df).__name__}.")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{name} lacks column(s) {format_keys(missing)}; it has {format_keys(df.columns)}. "
            "Pass the frame the matching result exposes."
        )
    if df.height == 0:
        raise InputError(f"{name} has no rows: nothing to plot.")
    return df


def region_colors(regions: Iterable[str]) -> dict[str, str]:
    """Map each region to a colour that depends only on the region set and its name.

    Up to 20 regions get distinct colours by sorted name; beyond that each region's colour comes
    from a stable hash of its name (CRC-32), so it is the same in every figure of a run.
    """
    names = sorted({str(r) for r in regions})
    if len(names) <= len(PALETTE):
        return {r: PALETTE[i] for i, r in enumerate(names)}
    return {r: PALETTE[zlib.crc32(r.encode()) % len(PALETTE)] for r in names}


def colors_for(regions: Iterable[str], colors: Mapping[str, str] | None) -> dict[str, str]:
    """:func:`region_colors` of ``regions``, overridden by the user's ``colors``."""
    regions = list(regions)
    if colors is None:
        return region_colors(regions)
    base = region_colors(regions)
    return {r: colors.get(r, base[r]) for r in base}


def column_label(column: str) -> str:
    """Axis or panel title of a score column."""
    if column == "index":
        return "Overall index"
    return column.replace("_", " ").capitalize()


def new_axes(figsize):
    """A new Agg figure (constrained layout) with one axes; return the axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()
