"""Which regions are neighbours: contiguity from GeoJSON polygons, or a table of pairs.

Contiguity is found by hashing rounded vertex coordinates, not by pairwise polygon tests: every
vertex becomes an integer key ``round(x / tolerance), round(y / tolerance)``; sorting the keys
groups the regions that share a vertex (queen) or a pair of consecutive vertices, i.e. an edge
(rook). The cost is O(V log V) in the total number of vertices V. This is the vertex / edge
definition of libpysal's ``Queen`` and ``Rook`` (Rey & Anselin 2007, PySAL); a vertex that only
touches another polygon's edge midway is not a contact.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl

from .. import _options as opts
from ..errors import FastinnoWarning, InputError, format_keys
from ..io.read import Geometry, read_geojson

__all__ = ["Neighbours", "neighbours", "aligned"]


class Neighbours:
    """Row-standardized spatial weights over named regions, in CSR form.

    Attributes
    ----------
    regions : list of str
    indptr : int64 (n + 1,); neighbours of region i are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : int64, neighbour positions, increasing within a row.
    weights : float64, ``1 / k_i`` for each of the k_i neighbours of region i (rows sum to 1;
        an island's empty row sums to 0).
    islands : list of str, the regions without a neighbour.
    """

    def __init__(self, regions: list[str], indptr: np.ndarray, indices: np.ndarray):
        self.regions = list(regions)
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int64)
        card = np.diff(self.indptr)
        self.cardinalities = card
        with np.errstate(divide="ignore"):
            self.weights = np.ascontiguousarray(np.repeat(1.0 / np.maximum(card, 1), card), dtype=np.float64)
        self.islands = [r for r, k in zip(self.regions, card) if k == 0]

    @property
    def n(self) -> int:
        return len(self.regions)

    def __repr__(self) -> str:
        mean = float(self.cardinalities.mean()) if self.n else 0.0
        return f"Neighbours({self.n} regions, {self.indices.size} links, {mean:.2f} neighbours on average, {len(self.islands)} islands)"

    def to_polars(self) -> pl.DataFrame:
        """``region``, ``neighbour``, ``weight``: one row per link."""
        rows = np.repeat(np.arange(self.n), self.cardinalities)
        names = np.asarray(self.regions, dtype=object)
        return pl.DataFrame({
            "region": names[rows].tolist(), "neighbour": names[self.indices].tolist(), "weight": self.weights,
        }, schema={"region": pl.String, "neighbour": pl.String, "weight": pl.Float64})

    def lists(self) -> dict[str, list[str]]:
        """region -> its neighbours' names."""
        return {r: [self.regions[j] for j in self.indices[self.indptr[i]:self.indptr[i + 1]]]
                for i, r in enumerate(self.regions)}

    def subset(self, regions: list[str]) -> Neighbours:
        """The weights among ``regions`` only, in that order (links to other regions dropped,
        rows re-standardized). Every name must be a region of these weights."""
        pos = {r: i for i, r in enumerate(self.regions)}
        missing = [r for r in regions if r not in pos]
        if missing:
            raise InputError(f"{len(missing)} region(s) have no neighbour information: {format_keys(missing)}. "
                             "Add them to the neighbour source.")
        old = np.array([pos[r] for r in regions], dtype=np.int64)
        new_of_old = np.full(self.n, -1, dtype=np.int64)
        new_of_old[old] = np.arange(len(regions))
        rows = np.repeat(np.arange(self.n), self.cardinalities)
        i, j = new_of_old[rows], new_of_old[self.indices]
        keep = (i >= 0) & (j >= 0)
        return _from_pairs(list(regions), i[keep], j[keep])


def aligned(source: object, regions: list[str]) -> Neighbours:
    """The neighbours of ``regions`` in that order, from a :class:`Neighbours` or any source
    :func:`neighbours` takes. Regions of the source absent from ``regions`` are left out (links to
    them dropped, rows re-standardized) with a warning, as are regions that become islands."""
    nb = source if isinstance(source, Neighbours) else neighbours(source)
    if nb.regions == list(regions):
        return nb
    extra = sorted(set(nb.regions) - set(regions))
    out = nb.subset(list(regions))
    if extra:
        new_islands = sorted(set(out.islands) - set(nb.islands))
        more = f"; {len(new_islands)} region(s) lose every neighbour: {format_keys(new_islands)}" if new_islands else ""
        warnings.warn(f"{len(extra)} region(s) of the neighbours are not in scores and were left out: "
                      f"{format_keys(extra)}; the weights are re-standardized without them{more}.",
                      FastinnoWarning, stacklevel=3)
    return out


def _from_pairs(regions: list[str], i: np.ndarray, j: np.ndarray) -> Neighbours:
    """CSR from (i, j) position pairs (duplicates and self pairs removed)."""
    n = len(regions)
    keep = i != j
    key = np.unique(i[keep].astype(np.int64) * max(n, 1) + j[keep].astype(np.int64))
    rows, cols = key // max(n, 1), key % max(n, 1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Neighbours(regions, indptr, cols)


def neighbours(source: object, *, key: str = "code", contiguity: str = "queen",
               tolerance: float = 1e-9) -> Neighbours:
    """Spatial neighbours of regions, row-standardized.

    Parameters
    ----------
    source : str, Path, dict, Geometry or polars.DataFrame
        A GeoJSON file or its parsed dict (a FeatureCollection of Polygon / MultiPolygon
        features; ``properties[key]`` names each region; read by
        :func:`fastinno.io.read.read_geojson`, which also gives a :class:`Geometry`), or a table with columns ``region`` and
        ``neighbour`` (one row per link; a null neighbour declares a region without any).
    key : str
        The feature property that names the region (GeoJSON only).
    contiguity : {"queen", "rook"}
        Queen: two regions are neighbours when they share at least one vertex; rook: when they
        share an edge, i.e. two consecutive vertices of a ring (GeoJSON only).
    tolerance : float
        Vertices are compared after rounding each coordinate to a multiple of ``tolerance``.

    Returns
    -------
    Neighbours
        Weights ``w_ij = 1 / k_i`` for the k_i neighbours of region i.

    Notes
    -----
    A table is made symmetric: a pair listed in one direction only also links back, with a
    :class:`~fastinno.errors.FastinnoWarning` naming such pairs. Regions without a neighbour
    (islands) are kept, with a warning naming them; their spatial lag is 0.
    """
    kind = opts.check("contiguity", contiguity)
    if isinstance(source, pl.DataFrame):
        out = _from_table(source)
    elif isinstance(source, (str, Path, Mapping, Geometry)):
        if not (isinstance(tolerance, (int, float)) and np.isfinite(tolerance) and tolerance > 0):
            raise InputError(f"tolerance must be a positive number; got {tolerance!r}.")
        out = _from_geojson(read_geojson(source, key=key), kind, tolerance)
    else:
        raise InputError("neighbours() takes a GeoJSON file or dict (or a Geometry read by read_geojson), or a "
                         f"polars DataFrame (region, neighbour); got {type(source).__name__}.")
    if out.islands:
        warnings.warn(f"{len(out.islands)} region(s) have no neighbour (islands): {format_keys(out.islands)}; "
                      "their spatial lag is 0.", FastinnoWarning, stacklevel=2)
    return out


def _from_table(table: pl.DataFrame) -> Neighbours:
    for col in ("region", "neighbour"):
        if col not in table.columns:
            raise InputError(f"the neighbour table has no column {col!r}; its columns are {', '.join(table.columns)}. "
                             "It needs one row per link: region, neighbour.")
    t = table.select(pl.col("region").cast(pl.String), pl.col("neighbour").cast(pl.String))
    if t["region"].null_count():
        raise InputError("the neighbour table has an empty region name.")
    regions = pl.concat([t["region"], t["neighbour"].drop_nulls()]).unique(maintain_order=True).to_list()
    pos = {r: i for i, r in enumerate(regions)}
    links = t.drop_nulls()
    selfs = links.filter(pl.col("region") == pl.col("neighbour"))["region"].to_list()
    if selfs:
        raise InputError(f"the neighbour table links {len(selfs)} region(s) to themselves: {format_keys(selfs)}. "
                         "Remove those rows.")
    i = np.array([pos[r] for r in links["region"].to_list()], dtype=np.int64)
    j = np.array([pos[r] for r in links["neighbour"].to_list()], dtype=np.int64)
    n = max(len(regions), 1)
    have = set((i * n + j).tolist())
    one_way = [(regions[a], regions[b]) for a, b in zip(i.tolist(), j.tolist()) if b * n + a not in have]
    if one_way:
        warnings.warn(f"the neighbour table lists {len(one_way)} link(s) in one direction only: "
                      f"{format_keys(one_way)}; they are made symmetric.", FastinnoWarning, stacklevel=3)
    return _from_pairs(regions, np.concatenate([i, j]), np.concatenate([j, i]))


def _from_geojson(geometry: Geometry, kind: str, tolerance: float) -> Neighbours:
    regions = list(geometry.keys)
    ring_arrays = [ring for polys in geometry.polygons for poly in polys for ring in poly]
    owner = [i for i, polys in enumerate(geometry.polygons) for poly in polys for _ in poly]
    if not ring_arrays:
        return _from_pairs(regions, np.empty(0, np.int64), np.empty(0, np.int64))
    lengths = np.array([len(r) for r in ring_arrays], dtype=np.int64)
    xy = np.concatenate(ring_arrays)
    grid = np.round(xy / tolerance)
    if np.abs(grid).max() >= 2.0**62:
        raise InputError(f"coordinates are too large for tolerance {tolerance}: choose a larger tolerance.")
    _, vertex = np.unique(grid.astype(np.int64), axis=0, return_inverse=True)
    vertex = vertex.ravel().astype(np.int64)
    region_of = np.repeat(np.asarray(owner, dtype=np.int64), lengths)
    if kind == "queen":
        keys, who = vertex, region_of
    else:
        # edges: consecutive vertices within a ring (GeoJSON rings repeat the first vertex last)
        ring_id = np.repeat(np.arange(len(lengths)), lengths)
        same = ring_id[1:] == ring_id[:-1]
        a, b = vertex[:-1][same], vertex[1:][same]
        who = region_of[1:][same]
        real = a != b
        lo, hi = np.minimum(a, b)[real], np.maximum(a, b)[real]
        keys = lo * (int(vertex.max()) + 1) + hi
        who = who[real]
    i, j = _shared(keys, who)
    return _from_pairs(regions, np.concatenate([i, j]), np.concatenate([j, i]))


def _shared(keys: np.ndarray, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of distinct owners that hold the same key (sort by key, compare runs)."""
    pair = np.unique(np.stack([keys, who], axis=1), axis=0)  # one row per (key, owner)
    k, o = pair[:, 0], pair[:, 1]
    out_i, out_j = [], []
    d = 1
    while d < len(k):
        same = k[d:] == k[:-d]
        if not same.any():
            break
        out_i.append(o[:-d][same])
        out_j.append(o[d:][same])
        d += 1
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)
