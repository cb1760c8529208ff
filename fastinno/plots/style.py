"""Shared look of fastinno's figures: the style, the region palette and figure helpers.

matplotlib is imported inside the functions (``import fastinno`` stays cheap) and figures are
built with the object-oriented API on the Agg canvas, never through pyplot's global state.

Colours are consistent across figures: :func:`region_colors` assigns each region a colour from
its name alone (sorted position for up to 20 regions, a stable hash beyond), so Beijing is the same
colour in the trajectories, the stability plot and the forecasts.
"""

from __future__ import annotations

import functools
import re
import warnings
import zlib
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

import polars as pl

from ..errors import FastinnoWarning, InputError, SchemaError, format_keys

__all__ = ["PALETTE", "line_style", "RC", "INDEX_LABEL", "RANK_LABEL", "CJK_FAMILIES", "style", "fonts",
           "cjk_font", "needs_cjk", "check_fonts", "quiet_missing_glyphs", "new_figure",
           "new_axes", "figure_axes", "check_frame", "region_colors", "colors_for",
           "column_label"]

#: 20 distinguishable, saturated colours (legible as points and thin lines on white): matplotlib's
#: tab10, then the two darker shades of each tab20b hue.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#5254a3",
    "#8ca252", "#bd9e39", "#ad494a", "#a55194",
)



def line_style(color: str) -> dict[str, Any]:
    """Line style of a region drawn in ``color``: the second ten colours of :data:`PALETTE`
    (darker shades of hues among the first ten) get dashed lines and square markers, so 20
    regions stay distinguishable."""
    pos = PALETTE.index(color) if color in PALETTE else 0
    return {"ls": "--", "marker": "s"} if pos >= 10 else {"ls": "-", "marker": "o"}


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


#: CJK font families looked for, in order of preference (matplotlib's names).
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans SC",
    "Source Han Sans SC", "Source Han Sans CN", "Source Han Sans", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB",
    "Arial Unicode MS",
)
#: Parts of font file names (lower case) of those families: fonts installed after matplotlib
#: built its font cache are found by file name and added.
_CJK_FILES = ("notosanscjk", "notosanssc", "sourcehansans", "wqy", "simhei", "msyh", "pingfang",
              "hiragino", "stheiti", "arialuni")
_CJK_CHARS = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
                        "\U00020000-\U0002fa1f]")
#: matplotlib's warning for a character no font of the text has.
_GLYPH_MISSING = r"Glyph \d+ .*missing from (current )?font"
CJK_HINT = ("install one (e.g. `apt-get install fonts-noto-cjk` on Debian/Ubuntu, Noto Sans CJK or "
            "Source Han Sans from their websites elsewhere) and start Python again")


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed CJK font family matplotlib can use, or ``None``.

    Looks through matplotlib's font list for :data:`CJK_FAMILIES`; a font installed after
    matplotlib built its font cache is found among the system's font files and added to it.
    """
    from matplotlib import font_manager as fm

    def known() -> str | None:
        names = {f.name for f in fm.fontManager.ttflist}
        return next((n for n in CJK_FAMILIES if n in names), None)

    name = known()
    if name is not None:
        return name
    try:
        files = fm.findSystemFonts()
    except Exception:  # pragma: no cover - an unusual font setup: no fallback
        return None
    for path in sorted(files):
        if any(h in path.replace("-", "").replace("_", "").lower() for h in _CJK_FILES):
            try:
                fm.fontManager.addfont(path)
            except Exception:  # pragma: no cover - an unreadable font file
                continue
    return known()


def needs_cjk(texts: Iterable[Any]) -> bool:
    """Whether any of ``texts`` has a Chinese, Japanese or Korean character."""
    return any(_CJK_CHARS.search(str(t)) for t in texts)


def check_fonts(texts: Iterable[Any]) -> bool:
    """Warn once (a :class:`FastinnoWarning` saying how to install one) when ``texts`` need a
    CJK font and none is installed; return whether they need one that is missing."""
    if not needs_cjk(texts) or cjk_font() is not None:
        return False
    warnings.warn("Some labels have Chinese, Japanese or Korean characters but no CJK font is "
                  f"installed, so figures show them as boxes: {CJK_HINT}.", FastinnoWarning,
                  stacklevel=3)
    # said once here: matplotlib's warning per missing character (at draw time) adds nothing
    warnings.filterwarnings("ignore", message=_GLYPH_MISSING, category=UserWarning)
    return True


@contextmanager
def quiet_missing_glyphs():
    """Silence matplotlib's per-character "Glyph ... missing from font" warnings inside the
    block (:func:`check_fonts` says it once instead)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_MISSING, category=UserWarning)
        yield


@contextmanager
def fonts(texts: Iterable[Any] = ()):
    """Inside the block, text falls back to an installed CJK font (when there is one) for
    characters the default font lacks; warn once when ``texts`` need one that is missing."""
    import matplotlib

    check_fonts(texts)
    fam = cjk_font()
    if fam is None:
        yield
        return
    family = matplotlib.rcParams["font.family"]
    family = [family] if isinstance(family, str) else list(family)
    with matplotlib.rc_context({"font.family": [*(f for f in family if f != fam), fam]}):
        yield


@contextmanager
def style(texts: Iterable[Any] = ()):
    """Apply fastinno's matplotlib settings inside the block (with the CJK font fallback of
    :func:`fonts` for ``texts``)."""
    import matplotlib

    with matplotlib.rc_context(RC), fonts(texts):
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
