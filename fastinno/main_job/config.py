"""The main job's config: reading (TOML or mapping), validation, normalisation and the way back
to the config-file schema (what ``run.json`` stores).

Every section except ``[panel]`` is optional; a step runs when its section is present and not
``enabled = false``. ``[map]`` (not a step) names the regions' GeoJSON for the report's maps. Options inside a step section are passed to the step's API function and
checked against its signature, so a misspelt key fails before anything runs. Relative paths are
resolved against the config file's folder (the working directory for a mapping).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError, format_keys
from ..io.read import loads_toml, read_geojson
from .regional_step import GROUP_KEYS, check_groups
from .schema import check_type, check_unknown, resolve_path
from .steps import STEPS, api_parameters

__all__ = ["load_config", "validate_config", "config_as_toml_tables", "demo_config_path",
           "FIGURE_FORMATS"]

_TOP_KEYS = {"title", "seed", "out", "panel", "groups", "figures", "output", "map", *(s.name for s in STEPS)}
_PANEL_KEYS = {
    "path", "dataset", "system", "missing", "layout", "region", "year", "indicator", "value",
    "sheet", "regions", "years", "indicators", "aggregates",
}
_DATASETS = ("six_triangles",)
_MISSING = ("error", "interpolate", "drop-indicator", "drop-region", "keep")
_FIGURE_KEYS = {"format", "dpi", "top_n", "forecast_regions", "trajectory_columns"}
_OUTPUT_KEYS = {"excel", "csv", "copy_inputs"}
_MAP_KEYS = {"geometry", "key"}
#: Figure file formats the main job writes.
FIGURE_FORMATS = ("png", "svg")


def demo_config_path() -> Path:
    """Path of the bundled demo config (``fastinno/data/demo.toml``)."""
    return Path(__file__).parent.parent / "data" / "demo.toml"


def load_config(source: str | os.PathLike | Mapping[str, Any]) -> dict[str, Any]:
    """Read and validate a config (TOML path or mapping); return the normalised config.

    Relative paths become absolute (config folder, or working directory for a mapping), defaults
    are filled in, and every key is checked. Raises :class:`fastinno.errors.ConfigError` naming the
    first bad key.
    """
    if isinstance(source, Mapping):
        raw = dict(source)
        if "steps" in raw and "panel" in raw:  # an already normalised config
            raw = config_as_toml_tables(raw)
        base = Path.cwd()
        name = "the config"
        cfg_file = None
    else:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"Config file {str(path)!r} does not exist. Check the path.")
        raw = loads_toml(path.read_text(encoding="utf-8"), where=path.name)
        base = path.resolve().parent
        name = path.name
        cfg_file = str(path.resolve())
    cfg = validate_config(raw, base=base, source=name)
    cfg["_config_file"] = cfg_file
    return cfg


def _panel(raw: Mapping[str, Any], base: Path, source: str) -> dict[str, Any]:
    if "panel" not in raw:
        raise ConfigError(f"{source} has no [panel] section: name a panel file (path = ...) "
                          "or a bundled dataset (dataset = \"six_triangles\").")
    panel = raw["panel"]
    check_type(panel, dict, "panel", "the top level", source, "a table")
    check_unknown(panel, _PANEL_KEYS, "[panel]", source)
    panel = dict(panel)
    if ("path" in panel) == ("dataset" in panel):
        raise ConfigError(f"[panel] in {source} needs exactly one of 'path' (a panel file) or "
                          "'dataset' (a bundled panel, e.g. \"six_triangles\").")
    if "dataset" in panel:
        if panel["dataset"] not in _DATASETS:
            raise ConfigError(f"Key 'dataset' in [panel] of {source} must be one of "
                              f"{format_keys(_DATASETS)}; got {panel['dataset']!r}.")
        extra = set(panel) - {"dataset", "missing", "regions", "years", "indicators", "aggregates"}
        if extra:
            raise ConfigError(f"Key {format_keys(sorted(extra))} in [panel] of {source} does not "
                              "apply to a bundled dataset (it brings its own file and system).")
    else:
        check_type(panel["path"], str, "path", "[panel]", source, "a file path (string)")
        panel["path"] = resolve_path(panel["path"], base)
    if "system" in panel:
        check_type(panel["system"], (str, dict), "system", "[panel]", source,
                   "a file path or an inline table")
        if isinstance(panel["system"], str):
            panel["system"] = resolve_path(panel["system"], base)
    missing = panel.setdefault("missing", "error")
    chain = [missing] if isinstance(missing, str) else missing
    if not isinstance(chain, list) or not chain or any(m not in _MISSING for m in chain):
        raise ConfigError(f"Key 'missing' in [panel] of {source} must be one of "
                          f"{format_keys(_MISSING)} or a list of them applied in order "
                          f"(e.g. [\"interpolate\", \"drop-region\"]); got {missing!r}.")
    for key in ("regions", "years", "indicators"):
        if key in panel:
            check_type(panel[key], list, key, "[panel]", source, "a list")
    if "aggregates" in panel:
        check_type(panel["aggregates"], bool, "aggregates", "[panel]", source, "true or false")
        if panel["aggregates"] and "groups" not in raw:
            raise ConfigError(f"Key 'aggregates' in [panel] of {source} needs a [groups] section naming "
                              "the groups (path = \"groups.csv\" or [groups.members]).")
    return panel


def _map(raw: Mapping[str, Any], base: Path, source: str) -> dict[str, str] | None:
    """``[map]``: the regions' GeoJSON (``geometry``, relative to the config's folder) and the
    feature property naming the regions (``key``, default ``"code"``); the file is read here, so
    a missing file, a file that is not GeoJSON or a missing property fails before any step."""
    if "map" not in raw:
        return None
    sec = raw["map"]
    check_type(sec, dict, "map", "the top level", source, "a table")
    check_unknown(sec, _MAP_KEYS, "[map]", source)
    if "geometry" not in sec:
        raise ConfigError(f"[map] in {source} needs 'geometry': the GeoJSON file of the regions' "
                          "polygons (relative to the config's folder).")
    check_type(sec["geometry"], str, "geometry", "[map]", source, "a GeoJSON file path (string)")
    key = sec.get("key", "code")
    check_type(key, str, "key", "[map]", source, "the feature property naming the regions (string)")
    path = resolve_path(sec["geometry"], base)
    if not Path(path).is_file():
        raise ConfigError(f"Key 'geometry' in [map] of {source}: GeoJSON file {path!r} does not "
                          "exist. Check the path (relative paths start at the config's folder).")
    try:
        read_geojson(path, key=key)
    except InputError as exc:
        raise ConfigError(f"[map] in {source} (key = {key!r}): {exc}") from None
    return {"geometry": path, "key": key}


def _steps(raw: Mapping[str, Any], base: Path, source: str) -> dict[str, dict[str, Any]]:
    steps: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        if step.name not in raw:
            continue
        where = f"[{step.name}]"
        sec = raw[step.name]
        if sec is True:
            sec = {}
        check_type(sec, dict, step.name, "the top level", source, "a table")
        sec = dict(sec)
        enabled = sec.pop("enabled", True)
        check_type(enabled, bool, "enabled", where, source, "true or false")
        if not enabled:
            continue
        own = {k: sec.pop(k) for k in list(sec) if k in step.own_keys}
        reserved = set(sec) & step.reserved
        if reserved:
            raise ConfigError(f"Key {format_keys(sorted(reserved))} in {where} of {source} is "
                              "set by the pipeline itself; remove it.")
        for key in (*((step.data_option,) if step.data_option else ()), *step.path_options):
            outer, _, inner = key.partition(".")
            holder = sec
            if inner:  # a key of a table option
                holder = own.get(outer, sec.get(outer))
                if not isinstance(holder, dict):
                    continue
                holder = dict(holder)
                (own if outer in own else sec)[outer] = holder
                key = inner
            v = holder.get(key)
            if isinstance(v, str) and ("/" in v or "." in Path(v).name or key == step.data_option):
                holder[key] = resolve_path(v, base)
        known = api_parameters(step.api) | step.own_keys | {"enabled"}
        if step.data_option:
            known.add(step.data_option)
        check_unknown(sec, known, where, source)
        steps[step.name] = {"options": sec, **own}
    for step in STEPS:
        if step.name in steps:
            step.check(step.name, steps[step.name], steps, source)
    return steps


def validate_config(
    raw: Mapping[str, Any], *, base: Path | None = None, source: str = "the config"
) -> dict[str, Any]:
    """Validate a raw config mapping and return a normalised copy (see :func:`load_config`)."""
    base = Path.cwd() if base is None else Path(base)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"The config must be a table (mapping); got {type(raw).__name__}.")
    raw = {k: v for k, v in raw.items() if k != "_config_file"}
    check_unknown(raw, _TOP_KEYS, "the top level", source)
    cfg: dict[str, Any] = {}
    cfg["title"] = str(raw.get("title", "fastinno run"))
    seed = raw.get("seed", 0)
    check_type(seed, int, "seed", "the top level", source, "a non-negative integer")
    if seed < 0:
        raise ConfigError(f"Key 'seed' in {source} must be a non-negative integer; got {seed}.")
    cfg["seed"] = seed
    out = raw.get("out")
    if out is not None:
        check_type(out, str, "out", "the top level", source, "a folder path (string)")
        out = resolve_path(out, base)
    cfg["out"] = out
    cfg["panel"] = _panel(raw, base, source)
    groups = check_groups(raw.get("groups"), base, source)
    if groups is not None:
        cfg["groups"] = groups
    cfg["steps"] = _steps(raw, base, source)
    cfg["map"] = _map(raw, base, source)

    figs = raw.get("figures", {})
    check_type(figs, dict, "figures", "the top level", source, "a table")
    check_unknown(figs, _FIGURE_KEYS, "[figures]", source)
    fmt = figs.get("format", "png")
    fmts = [fmt] if isinstance(fmt, str) else fmt
    check_type(fmts, list, "format", "[figures]", source, "\"png\", \"svg\" or a list of them")
    bad = [f for f in fmts if f not in FIGURE_FORMATS]
    if bad or not fmts:
        raise ConfigError(f"Key 'format' in [figures] of {source} must be \"png\", \"svg\" or a "
                          f"list of them; got {fmt!r}.")
    dpi = figs.get("dpi", 150)
    check_type(dpi, int, "dpi", "[figures]", source, "an integer")
    top_n = figs.get("top_n")
    if top_n is not None:
        check_type(top_n, int, "top_n", "[figures]", source, "a positive integer")
    fregs = figs.get("forecast_regions", 6)
    check_type(fregs, (int, list), "forecast_regions", "[figures]", source,
               "a number of regions or a list of region names")
    tcols = figs.get("trajectory_columns")
    if tcols is not None:
        check_type(tcols, list, "trajectory_columns", "[figures]", source, "a list of columns")
    cfg["figures"] = {"format": list(dict.fromkeys(fmts)), "dpi": dpi, "top_n": top_n,
                      "forecast_regions": fregs, "trajectory_columns": tcols}

    outp = raw.get("output", {})
    check_type(outp, dict, "output", "the top level", source, "a table")
    check_unknown(outp, _OUTPUT_KEYS, "[output]", source)
    flags = {}
    for key in ("excel", "csv", "copy_inputs"):
        flags[key] = outp.get(key, False)
        check_type(flags[key], bool, key, "[output]", source, "true or false")
    cfg["output"] = flags
    return cfg


def config_as_toml_tables(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised config back in the config-file schema (what ``run.json`` stores).

    ``validate_config(config_as_toml_tables(cfg))`` gives ``cfg`` again, so ``run.json["config"]``
    can be passed straight to :func:`~fastinno.main_job.run` to reproduce a run.
    """
    raw: dict[str, Any] = {"title": cfg["title"], "seed": cfg["seed"]}
    if cfg.get("out"):
        raw["out"] = cfg["out"]
    raw["panel"] = dict(cfg["panel"])
    if cfg.get("groups"):
        raw["groups"] = dict(cfg["groups"])
    for step, spec in cfg["steps"].items():
        sec = dict(spec["options"])
        sec.update({k: v for k, v in spec.items() if k != "options"})
        raw[step] = sec
    figs = {k: v for k, v in cfg["figures"].items() if v is not None}
    raw["figures"] = figs
    raw["output"] = dict(cfg["output"])
    if cfg.get("map"):
        raw["map"] = dict(cfg["map"])
    return raw

#: The keys of the config's sections that are not steps, by section (``""``: the top level).
SECTION_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(_TOP_KEYS - {"panel", "groups", "figures", "output", "map", *(s.name for s in STEPS)}),
    "panel": frozenset(_PANEL_KEYS), "groups": GROUP_KEYS, "figures": frozenset(_FIGURE_KEYS),
    "output": frozenset(_OUTPUT_KEYS), "map": frozenset(_MAP_KEYS)}
