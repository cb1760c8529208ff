"""The main job's regional analyses: the ``[groups]`` section and the ``[disparity]`` step.

``[groups]`` names a grouping of the regions: ``path`` (a table ``region, group[, more group
columns]``, relative to the config's folder) or an inline ``[groups.members]`` table
``group = [regions]``; ``column`` picks one grouping column of a table; ``aggregates = true``
(here or in ``[panel]``) adds one aggregate unit per group to the panel before the steps run
(:meth:`fastinno.Panel.with_aggregates`).

``[disparity]`` analyses a score of an earlier step (``source``): disparities with group
decompositions (:func:`fastinno.disparity`), sigma and beta convergence, score densities, an
optional Markov chain of score classes and, with ``spatial``, global and local Moran's I.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import ConfigError, format_keys
from ..regional.convergence import convergence
from ..regional.disparity import disparity
from ..regional.dynamics import density, markov
from ..regional.inputs import score_table
from ..regional.neighbours import aligned, neighbours
from ..regional.spatial import local_moran, moran
from .schema import check_type, check_unknown, resolve_path

__all__ = ["GROUP_KEYS", "DISPARITY_KEYS", "SOURCES", "check_groups", "load_groups", "aggregate_groups",
           "moran_points", "map_geometry", "disparity_options", "disparity_call", "disparity_tables",
           "check_disparity", "disparity_after", "warm_disparity"]

GROUP_KEYS = frozenset({"path", "members", "column", "aggregates"})
#: Keys of ``[disparity]`` the main job consumes itself (the others are fastinno.disparity's).
DISPARITY_KEYS = frozenset({"source", "convergence", "density", "markov", "spatial"})
SOURCES = {"ideal_solution": "index_scores", "combined": "combined_scores"}
_SPATIAL_KEYS = {"neighbours", "key", "contiguity", "permutations", "alpha"}
_MARKOV_KEYS = {"classes", "cuts", "spatial"}
_GEOJSON = (".geojson", ".json")


# -- [groups] ---------------------------------------------------------------------------------


def check_groups(raw: Any, base: Path, source: str) -> dict[str, Any] | None:
    """The normalised ``[groups]`` section (paths absolute, members as lists), or None."""
    if raw is None:
        return None
    check_type(raw, dict, "groups", "the top level", source, "a table")
    check_unknown(raw, GROUP_KEYS, "[groups]", source)
    g = dict(raw)
    if ("path" in g) == ("members" in g):
        raise ConfigError(f"[groups] in {source} needs exactly one of 'path' (a table region, group) or "
                          "'members' (an inline table: group = [regions]).")
    if "path" in g:
        check_type(g["path"], str, "path", "[groups]", source, "a file path (string)")
        g["path"] = resolve_path(g["path"], base)
    else:
        check_type(g["members"], dict, "members", "[groups]", source, "a table group = [regions]")
        for name, regions in g["members"].items():
            check_type(regions, list, f"members.{name}", "[groups]", source, "a list of region names")
        seen: dict[str, str] = {}
        twice = []
        for name, regions in g["members"].items():
            for r in regions:
                if str(r) in seen and seen[str(r)] != name:
                    twice.append(str(r))
                seen[str(r)] = name
        if twice:
            raise ConfigError(f"Key 'members' in [groups] of {source} puts {format_keys(twice)} in two groups.")
    if "column" in g:
        check_type(g["column"], str, "column", "[groups]", source, "a column name")
    check_type(g.setdefault("aggregates", False), bool, "aggregates", "[groups]", source, "true or false")
    return g


def load_groups(gcfg: Mapping[str, Any]) -> pl.DataFrame | dict[str, str]:
    """The grouping a normalised ``[groups]`` section names: a table or a region -> group mapping."""
    if "path" in gcfg:
        from ..io.read import read_table

        table = read_table(gcfg["path"], what="Groups table")
        if "region" not in table.columns or table.width < 2:
            raise ConfigError(f"Groups table {gcfg['path']!r} needs a 'region' column and a group column; "
                              f"it has {format_keys(table.columns)}.")
        return table.with_columns(pl.all().cast(pl.String))
    return {str(r): str(name) for name, regions in gcfg["members"].items() for r in regions}


def aggregate_groups(panel, cfg: Mapping[str, Any]):
    """``panel`` with the aggregate units of ``[groups]`` when ``aggregates = true`` (in
    ``[groups]`` or ``[panel]``), else ``panel``."""
    gcfg = cfg.get("groups")
    if not gcfg or not (gcfg.get("aggregates") or cfg["panel"].get("aggregates")):
        return panel
    return panel.with_aggregates(load_groups(gcfg), column=gcfg.get("column"))


def _region_groups(cfg: Mapping[str, Any], regions: list[str]) -> dict[str, str] | None:
    """Region -> group of the analysed regions (aggregate units left out), or None."""
    gcfg = cfg.get("groups")
    if not gcfg:
        return None
    from ..data.groups import group_labels

    groups = load_groups(gcfg)
    column = gcfg.get("column")
    if isinstance(groups, pl.DataFrame) and column is None and groups.width > 2:
        column = [c for c in groups.columns if c != "region"][0]
    return group_labels(groups, regions, column=column)


def _unit_names(cfg: Mapping[str, Any]) -> set[str]:
    """Names of the aggregate units the panel holds (every group label), else empty."""
    gcfg = cfg.get("groups")
    if not gcfg or not (gcfg.get("aggregates") or cfg["panel"].get("aggregates")):
        return set()
    groups = load_groups(gcfg)
    if isinstance(groups, pl.DataFrame):
        cols = [gcfg["column"]] if gcfg.get("column") else [c for c in groups.columns if c != "region"]
        return {v for c in cols for v in groups[c].drop_nulls().to_list()}
    return set(groups.values())


# -- helpers ----------------------------------------------------------------------------------


def moran_points(scores: object, nb: object, *, column: str = "index", local: pl.DataFrame | None = None
                 ) -> pl.DataFrame:
    """``region, year, z, lag`` (standardized score and its spatial lag; with ``local``, also its
    ``cluster``): the points of the Moran scatter."""
    table = score_table(scores, column)
    w = aligned(nb, table.regions)
    z, lag, _i = local_moran(table.values, w)
    n, m = z.shape
    out = pl.DataFrame({"region": np.tile(np.asarray(table.regions, dtype=object), m).tolist(),
                        "year": np.repeat(table.years, n), "z": z.T.ravel(), "lag": lag.T.ravel()},
                       schema={"region": pl.String, "year": pl.Int64, "z": pl.Float64, "lag": pl.Float64})
    if local is not None:
        out = out.join(local, on=["region", "year"], how="left", maintain_order="left")
    return out


def map_geometry(cfg: Mapping[str, Any]) -> tuple[str | None, str]:
    """``(geometry file, key)`` of the ``[map]`` section, when the config has one."""
    m = cfg.get("map")
    if isinstance(m, Mapping) and isinstance(m.get("geometry"), str):
        return m["geometry"], str(m.get("key", "code"))
    return None, "code"


# -- the step ---------------------------------------------------------------------------------


def _scores(ctx) -> pl.DataFrame:
    spec = ctx.cfg["steps"]["disparity"]
    src = spec.get("source", "ideal_solution")
    if SOURCES[src] not in ctx.tables:
        raise ConfigError(f"[disparity] analyses the scores of [{src}], which did not run.")
    scores = ctx.tables[SOURCES[src]]
    if "dimension" in scores.columns:
        scores = scores.filter(pl.col("dimension") == "index")
    units = _unit_names(ctx.cfg)
    if units:
        scores = scores.filter(~pl.col("region").is_in(sorted(units)))
    return scores


def disparity_options(ctx, opts: dict[str, Any]) -> dict[str, Any]:
    """fastinno.disparity's keywords (seed from the run) plus the step's own choices."""
    spec = ctx.cfg["steps"]["disparity"]
    kw = dict(opts)
    if kw.get("bootstrap"):
        kw.setdefault("seed", ctx.seed)
    kw["source"] = spec.get("source", "ideal_solution")
    kw.setdefault("column", "index" if kw["source"] == "ideal_solution" else "combined")
    for key in ("convergence", "density"):
        kw[key] = spec.get(key, True)
    if isinstance(spec.get("markov"), dict):
        kw["markov"] = dict(spec["markov"])
    sp = spec.get("spatial")
    if isinstance(sp, dict):
        sp = dict(sp)
        if "neighbours" not in sp:
            geometry, key = map_geometry(ctx.cfg)
            sp["neighbours"] = geometry
            sp.setdefault("key", key)
        sp.setdefault("key", "code")
        sp.setdefault("contiguity", "queen")
        sp.setdefault("permutations", 999)
        kw["spatial"] = sp
    return kw


def disparity_call(ctx, kw: dict[str, Any]) -> dict[str, Any]:
    """Every analysis the section asks for, by name."""
    scores = _scores(ctx)
    column = kw["column"]
    if column not in scores.columns:
        raise ConfigError(f"Key 'column' in [disparity] names {column!r}, which is not a column of the "
                          f"{kw['source']} scores; they have {format_keys(scores.columns)}.")
    api = {k: v for k, v in kw.items() if k not in DISPARITY_KEYS}
    regions = scores["region"].unique(maintain_order=True).to_list()
    groups = _region_groups(ctx.cfg, regions)
    out: dict[str, Any] = {"disparity": disparity(scores, groups=groups, **api)}
    if kw.get("convergence"):
        out["convergence"] = convergence(scores, column=column, groups=groups)
    if kw.get("density"):
        out["density"] = density(scores, column=column)
    sp = kw.get("spatial")
    nb = None
    if sp is not None:
        if sp.get("neighbours") is None:
            raise ConfigError("[disparity] spatial needs 'neighbours' (a GeoJSON file or a region, neighbour "
                              "table), or a [map] section with 'geometry'.")
        src = sp["neighbours"]
        if not str(src).lower().endswith(_GEOJSON):
            from ..io.read import read_table

            src = read_table(src, what="Neighbour table")
        nb = neighbours(src, key=sp["key"], contiguity=sp["contiguity"])
        res = moran(scores, column=column, neighbours=nb, permutations=sp["permutations"], seed=ctx.seed,
                    alpha=sp.get("alpha", 0.05))
        out["moran"] = res
        out["points"] = moran_points(scores, nb, column=column, local=res.local)
    mk = kw.get("markov")
    if mk is not None:
        spatial_chain = bool(mk.get("spatial")) and nb is not None
        out["markov"] = markov(scores, column=column, classes=mk.get("classes", 5), cuts=mk.get("cuts", "pooled"),
                               neighbours=nb if spatial_chain else None)
    return out


def disparity_tables(res: Mapping[str, Any], ctx) -> dict[str, pl.DataFrame]:
    """``disparity_<table>`` for every table of every analysis that ran."""
    out: dict[str, pl.DataFrame] = {}
    for name, df in res["disparity"].tables().items():
        out[f"disparity_{name}"] = df
    if "convergence" in res:
        for name, df in res["convergence"].tables().items():
            out[f"disparity_{name}"] = df
    if "density" in res:
        out["disparity_density"] = res["density"]
    if "moran" in res:
        out["disparity_moran"] = res["moran"].global_
        out["disparity_lisa"] = res["points"]
    if "markov" in res:
        for name, df in res["markov"].tables().items():
            out[f"disparity_markov_{name}"] = df
    return out


def check_disparity(name: str, spec: dict[str, Any], steps: Mapping[str, Any], source: str) -> None:
    """Source, flags, the markov and spatial tables."""
    where = "[disparity]"
    src = spec.setdefault("source", "ideal_solution")
    if src not in SOURCES:
        raise ConfigError(f"Key 'source' in {where} of {source} must be 'ideal_solution' or 'combined'; got {src!r}.")
    if src not in steps:
        raise ConfigError(f"[disparity] in {source} analyses the scores of [{src}], which is not in the config. "
                          "Add that section or change 'source'.")
    for key in ("convergence", "density"):
        check_type(spec.get(key, True), bool, key, where, source, "true or false")
    o = spec["options"]
    if "bootstrap" in o:
        check_type(o["bootstrap"], int, "bootstrap", where, source, "a number of replicates (>= 0)")
        if o["bootstrap"] < 0:
            raise ConfigError(f"Key 'bootstrap' in {where} of {source} must be >= 0; got {o['bootstrap']}.")
    if "measures" in o:
        from .. import _options
        from ..errors import InputError

        m = [o["measures"]] if isinstance(o["measures"], str) else o["measures"]
        check_type(m, list, "measures", where, source, "a list of measure names")
        try:
            o["measures"] = [_options.check("measure", x) for x in m]
        except InputError as exc:
            raise ConfigError(f"Key 'measures' in {where} of {source}: {exc}") from None
    mk = spec.get("markov")
    if mk is not None and mk is not False:
        mk = {} if mk is True else mk
        check_type(mk, dict, "markov", where, source, "a table such as {classes = 5}")
        check_unknown(mk, _MARKOV_KEYS, "[disparity] markov", source)
        k = mk.setdefault("classes", 5)
        check_type(k, int, "markov.classes", where, source, "an integer >= 2")
        if k < 2:
            raise ConfigError(f"Key 'markov.classes' in {where} of {source} must be >= 2; got {k}.")
        if mk.get("cuts", "pooled") not in ("pooled", "year"):
            raise ConfigError(f"Key 'markov.cuts' in {where} of {source} must be \"pooled\" or \"year\"; "
                              f"got {mk['cuts']!r}.")
        check_type(mk.get("spatial", False), bool, "markov.spatial", where, source, "true or false")
        spec["markov"] = mk
    sp = spec.get("spatial")
    if sp is not None and sp is not False:
        sp = {} if sp is True else sp
        check_type(sp, dict, "spatial", where, source, "a table such as {neighbours = \"regions.geojson\"}")
        check_unknown(sp, _SPATIAL_KEYS, "[disparity] spatial", source)
        if "neighbours" in sp:
            check_type(sp["neighbours"], str, "spatial.neighbours", where, source, "a file path (string)")
        if sp.get("contiguity", "queen") not in ("queen", "rook"):
            raise ConfigError(f"Key 'spatial.contiguity' in {where} of {source} must be \"queen\" or \"rook\"; "
                              f"got {sp['contiguity']!r}.")
        p = sp.get("permutations", 999)
        check_type(p, int, "spatial.permutations", where, source, "an integer >= 0")
        if p < 0:
            raise ConfigError(f"Key 'spatial.permutations' in {where} of {source} must be >= 0; got {p}.")
        a = sp.get("alpha", 0.05)
        check_type(a, (int, float), "spatial.alpha", where, source, "a number in (0, 1)")
        if not 0 < a < 1:
            raise ConfigError(f"Key 'spatial.alpha' in {where} of {source} must lie in (0, 1); got {a}.")
        spec["spatial"] = sp
    elif mk and mk.get("spatial"):
        raise ConfigError(f"Key 'markov.spatial' in {where} of {source} needs the 'spatial' table (the neighbours).")


def disparity_after(spec: Mapping[str, Any]) -> tuple[str, ...]:
    return (spec.get("source", "ideal_solution"),)


def warm_disparity(ctx, opts: dict[str, Any]) -> None:
    """Compile the inequality kernels on a small synthetic panel (two groups, two replicates)."""
    n, years = 6, np.arange(2000, 2003, dtype=np.int64)
    frame = pl.DataFrame({"region": np.repeat([f"r{i}" for i in range(n)], len(years)),
                          "year": np.tile(years, n),
                          "index": np.tile(np.arange(1.0, 1.0 + len(years)), n) * np.repeat(np.arange(1.0, n + 1), len(years))})
    groups = {f"r{i}": "a" if i < 3 else "b" for i in range(n)}
    disparity(frame, groups=groups, bootstrap=2)
