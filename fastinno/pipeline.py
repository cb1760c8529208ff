"""The main job: one TOML config -> indices, combined evaluation, robustness, forecasts, DEMATEL,
tables, figures, ``run.json`` and ``report.html`` in one output folder.

Config (TOML; every section except ``[panel]`` is optional, a step runs when its section is
present and not ``enabled = false``)::

    title = "My study"
    seed = 20200402
    out = "results"                 # output folder (relative to the config file)

    [panel]                         # either `path` (+ `system`) or `dataset`
    path = "panel.csv"              # CSV / Parquet / xlsx, long or wide
    system = "system.toml"          # indicator system (file or inline table)
    missing = "interpolate"         # error | interpolate | drop-indicator | drop-region
    # dataset = "six_triangles"     # the bundled panel instead of `path`

    [ideal_solution]                # fastinno.hew_topsis options
    scope = "panel"
    [combined]                      # fastinno.combined_evaluation options
    [simulate]                      # fastinno.simulate options (draws, scheme, ...)
    [bootstrap]                     # fastinno.bootstrap options
    [forecast]                      # fastinno.forecast: columns, horizon, source
    [dematel]                       # fastinno.grey_dematel: survey, factors, options
    [figures]                       # format = "png" | "svg" | ["png", "svg"], dpi, top_n, ...
    [output]                        # excel = true

Relative paths are resolved against the config file's folder (against the working directory for
a config given as a dict). Options inside a step section are passed to the step's API function
and checked against its signature, so a misspelt key fails before anything runs.

The output folder is built in a temporary folder beside the target and renamed into place at the
end: a failed run leaves nothing behind, and an existing folder is never overwritten unless
``force=True``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import inspect
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from . import __version__
from .errors import ConfigError, FastinnoWarning, InputError, format_keys

__all__ = ["run", "load_config", "validate_config", "RunResult", "demo_config_path", "STEPS",
           "read_run_info"]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# --------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------

#: Steps in execution order: config section -> (public API name, title).
STEPS: dict[str, tuple[str, str]] = {
    "ideal_solution": ("hew_topsis", "Ideal-solution index (hierarchical equal-weight TOPSIS)"),
    "combined": ("combined_evaluation", "Combined evaluation (drift-degree)"),
    "simulate": ("simulate", "Robustness: weight Monte Carlo"),
    "bootstrap": ("bootstrap", "Robustness: bootstrap"),
    "forecast": ("forecast", "GM(1,1) forecasts"),
    "dematel": ("grey_dematel", "Grey-DEMATEL key factors"),
}

_TOP_KEYS = {"title", "seed", "out", "panel", "figures", "output", *STEPS}

_PANEL_KEYS = {
    "path", "dataset", "system", "missing", "layout", "region", "year", "indicator", "value",
    "sheet", "regions", "years", "indicators",
}
_DATASETS = ("six_triangles",)
_MISSING = ("error", "interpolate", "drop-indicator", "drop-region", "keep")

#: Keys a step section may hold that the pipeline consumes itself (not passed to the API).
_PIPELINE_KEYS: dict[str, set[str]] = {
    "ideal_solution": {"enabled"},
    "combined": {"enabled"},
    "simulate": {"enabled"},
    "bootstrap": {"enabled"},
    "forecast": {"enabled", "columns", "source", "regions"},
    "dematel": {"enabled"},
}
#: API keywords the pipeline sets itself (a config may not override them).
_RESERVED: dict[str, set[str]] = {
    "forecast": {"column", "by", "year"},
    "dematel": {"survey"},
}

_FIGURE_KEYS = {"format", "dpi", "top_n", "forecast_regions", "trajectory_columns"}
_OUTPUT_KEYS = {"excel"}

#: Files a step option may name (hashed into run.json and resolved against the config folder).
_PATH_OPTIONS = {"dematel": ("survey", "factors", "expert_weights", "scale")}


def demo_config_path() -> Path:
    """Path of the bundled demo config (``fastinno/data/demo.toml``)."""
    return Path(__file__).parent / "data" / "demo.toml"


def _suggest(key: str, known) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _unknown(keys, known, where: str, source: str) -> None:
    bad = [k for k in keys if k not in known]
    if bad:
        raise ConfigError(
            f"Unknown key {format_keys(bad)} in {where} of {source}.{_suggest(str(bad[0]), known)} "
            f"Known keys: {format_keys(sorted(known), limit=40)}."
        )


def _check_type(value, types, key: str, where: str, source: str, what: str):
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        raise ConfigError(
            f"Key {key!r} in {where} of {source} must be {what}; got {value!r} "
            f"({type(value).__name__})."
        )
    return value


def _api(name: str):
    """The public fastinno function ``name``, or ``None`` when this installation lacks it."""
    import fastinno

    try:
        return getattr(fastinno, name)
    except (AttributeError, ImportError):
        return None


def _api_parameters(func) -> tuple[set[str], bool]:
    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
    names = {p.name for p in params[1:] if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    return names, var_kw


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
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path.name} is not valid TOML: {exc}.") from None
        base = path.resolve().parent
        name = path.name
        cfg_file = str(path.resolve())
    cfg = validate_config(raw, base=base, source=name)
    cfg["_config_file"] = cfg_file
    return cfg


def _resolve(value: str, base: Path) -> str:
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else (base / p).resolve())


def validate_config(
    raw: Mapping[str, Any], *, base: Path | None = None, source: str = "the config"
) -> dict[str, Any]:
    """Validate a raw config mapping and return a normalised copy (see :func:`load_config`)."""
    base = Path.cwd() if base is None else Path(base)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"The config must be a table (mapping); got {type(raw).__name__}.")
    raw = {k: v for k, v in raw.items() if k != "_config_file"}
    _unknown(raw, _TOP_KEYS, "the top level", source)
    cfg: dict[str, Any] = {}
    cfg["title"] = str(raw.get("title", "fastinno run"))
    seed = raw.get("seed", 0)
    _check_type(seed, int, "seed", "the top level", source, "a non-negative integer")
    if seed < 0:
        raise ConfigError(f"Key 'seed' in {source} must be a non-negative integer; got {seed}.")
    cfg["seed"] = seed
    out = raw.get("out")
    if out is not None:
        _check_type(out, str, "out", "the top level", source, "a folder path (string)")
        out = _resolve(out, base)
    cfg["out"] = out

    # [panel]
    if "panel" not in raw:
        raise ConfigError(f"{source} has no [panel] section: name a panel file (path = ...) "
                          "or a bundled dataset (dataset = \"six_triangles\").")
    panel = raw["panel"]
    _check_type(panel, dict, "panel", "the top level", source, "a table")
    _unknown(panel, _PANEL_KEYS, "[panel]", source)
    panel = dict(panel)
    if ("path" in panel) == ("dataset" in panel):
        raise ConfigError(f"[panel] in {source} needs exactly one of 'path' (a panel file) or "
                          "'dataset' (a bundled panel, e.g. \"six_triangles\").")
    if "dataset" in panel:
        if panel["dataset"] not in _DATASETS:
            raise ConfigError(f"Key 'dataset' in [panel] of {source} must be one of "
                              f"{format_keys(_DATASETS)}; got {panel['dataset']!r}.")
        extra = set(panel) - {"dataset", "missing", "regions", "years", "indicators"}
        if extra:
            raise ConfigError(f"Key {format_keys(sorted(extra))} in [panel] of {source} does not "
                              "apply to a bundled dataset (it brings its own file and system).")
    else:
        _check_type(panel["path"], str, "path", "[panel]", source, "a file path (string)")
        panel["path"] = _resolve(panel["path"], base)
    if "system" in panel:
        _check_type(panel["system"], (str, dict), "system", "[panel]", source,
                    "a file path or an inline table")
        if isinstance(panel["system"], str):
            panel["system"] = _resolve(panel["system"], base)
    missing = panel.setdefault("missing", "error")
    chain = [missing] if isinstance(missing, str) else missing
    if not isinstance(chain, list) or not chain or any(m not in _MISSING for m in chain):
        raise ConfigError(f"Key 'missing' in [panel] of {source} must be one of "
                          f"{format_keys(_MISSING)} or a list of them applied in order "
                          f"(e.g. [\"interpolate\", \"drop-region\"]); got {missing!r}.")
    for key in ("regions", "years", "indicators"):
        if key in panel:
            _check_type(panel[key], list, key, "[panel]", source, "a list")
    cfg["panel"] = panel

    # step sections
    steps: dict[str, dict[str, Any]] = {}
    for step, (api_name, _title) in STEPS.items():
        if step not in raw:
            continue
        sec = raw[step]
        if sec is True:
            sec = {}
        _check_type(sec, dict, step, "the top level", source, "a table")
        sec = dict(sec)
        enabled = sec.pop("enabled", True)
        _check_type(enabled, bool, "enabled", f"[{step}]", source, "true or false")
        if not enabled:
            continue
        pipeline = {k: sec.pop(k) for k in list(sec) if k in _PIPELINE_KEYS[step]}
        reserved = set(sec) & _RESERVED.get(step, set())
        if reserved and step != "dematel":
            raise ConfigError(f"Key {format_keys(sorted(reserved))} in [{step}] of {source} is "
                              "set by the pipeline itself; remove it.")
        if step == "dematel" and "survey" not in sec:
            raise ConfigError(f"[dematel] in {source} needs 'survey': the expert survey file "
                              "(long table or folder of per-expert matrices).")
        for key in _PATH_OPTIONS.get(step, ()):
            v = sec.get(key)
            if isinstance(v, str) and (("/" in v) or ("." in Path(v).name) or key == "survey"):
                if not (key == "scale" and v in ("paper", "0-4")):
                    sec[key] = _resolve(v, base)
        func = _api(api_name)
        if func is not None:
            params, var_kw = _api_parameters(func)
            if not var_kw:
                known = params | _PIPELINE_KEYS[step] | ({"survey"} if step == "dematel" else set())
                _unknown(sec, known, f"[{step}]", source)
        steps[step] = {"options": sec, **pipeline}
    fc = steps.get("forecast")
    if fc is not None:
        cols = fc.get("columns", ["index"])
        if isinstance(cols, str):
            cols = [cols]
        _check_type(cols, list, "columns", "[forecast]", source, "a list of index columns")
        fc["columns"] = cols
        src = fc.setdefault("source", "ideal_solution")
        if src not in ("ideal_solution", "combined"):
            raise ConfigError(f"Key 'source' in [forecast] of {source} must be "
                              f"'ideal_solution' or 'combined'; got {src!r}.")
        if src not in steps:
            raise ConfigError(f"[forecast] in {source} forecasts the scores of [{src}], which is "
                              "not in the config. Add that section or change 'source'.")
        h = fc["options"].get("horizon", 3)
        _check_type(h, int, "horizon", "[forecast]", source, "a positive integer")
        if h < 1:
            raise ConfigError(f"Key 'horizon' in [forecast] of {source} must be >= 1; got {h}.")
        fc["options"]["horizon"] = h
    for step in ("simulate", "bootstrap"):
        if step in steps and "model" in steps[step]["options"]:
            m = steps[step]["options"]["model"]
            _check_type(m, str, "model", f"[{step}]", source, "a model name")
    cfg["steps"] = steps

    figs = raw.get("figures", {})
    _check_type(figs, dict, "figures", "the top level", source, "a table")
    _unknown(figs, _FIGURE_KEYS, "[figures]", source)
    fmt = figs.get("format", "png")
    fmts = [fmt] if isinstance(fmt, str) else fmt
    _check_type(fmts, list, "format", "[figures]", source, "\"png\", \"svg\" or a list of them")
    bad = [f for f in fmts if f not in ("png", "svg")]
    if bad or not fmts:
        raise ConfigError(f"Key 'format' in [figures] of {source} must be \"png\", \"svg\" or a "
                          f"list of them; got {fmt!r}.")
    dpi = figs.get("dpi", 150)
    _check_type(dpi, int, "dpi", "[figures]", source, "an integer")
    top_n = figs.get("top_n")
    if top_n is not None:
        _check_type(top_n, int, "top_n", "[figures]", source, "a positive integer")
    fregs = figs.get("forecast_regions", 6)
    _check_type(fregs, (int, list), "forecast_regions", "[figures]", source,
                "a number of regions or a list of region names")
    tcols = figs.get("trajectory_columns")
    if tcols is not None:
        _check_type(tcols, list, "trajectory_columns", "[figures]", source, "a list of columns")
    cfg["figures"] = {"format": list(dict.fromkeys(fmts)), "dpi": dpi, "top_n": top_n,
                      "forecast_regions": fregs, "trajectory_columns": tcols}

    outp = raw.get("output", {})
    _check_type(outp, dict, "output", "the top level", source, "a table")
    _unknown(outp, _OUTPUT_KEYS, "[output]", source)
    excel = outp.get("excel", False)
    _check_type(excel, bool, "excel", "[output]", source, "true or false")
    cfg["output"] = {"excel": excel}
    return cfg


# --------------------------------------------------------------------------------------------
# output folder and files
# --------------------------------------------------------------------------------------------


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise InputError(
            f"Output folder {str(out)!r} already exists; fastinno never overwrites results. "
            "Choose another folder (--out) or pass --force to replace it."
        )
    if out.exists() and not out.is_dir():
        raise InputError(f"Output path {str(out)!r} exists and is not a folder.")


def _publish(tmp: Path, out: Path, force: bool) -> None:
    """Move the finished temporary folder into place (atomic rename; old folder removed)."""
    _check_target(out, force)
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
        os.rmdir(old)
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_tables(tables: Mapping[str, pl.DataFrame], folder: Path) -> list[str]:
    """Write each table as ``tables/<name>.csv`` and ``.parquet`` (atomically); return names."""
    tdir = Path(folder) / "tables"
    tdir.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        for ext in ("csv", "parquet"):
            target = tdir / f"{name}.{ext}"
            fd, tmp = tempfile.mkstemp(dir=tdir, prefix=f".{name}.", suffix=f".{ext}")
            os.close(fd)
            try:
                if ext == "csv":
                    _csv_safe(df).write_csv(tmp)
                else:
                    df.write_parquet(tmp)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    return list(tables)


def _csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    nested = [c for c, t in df.schema.items() if t.is_nested()]
    if not nested:
        return df
    return df.with_columns(
        pl.col(c).map_elements(lambda v: json.dumps(v.to_list() if hasattr(v, "to_list") else v),
                               return_dtype=pl.String)
        for c in nested
    )


def write_excel(tables: Mapping[str, pl.DataFrame], path: Path) -> None:
    """One .xlsx with a sheet per table (xlsxwriter; sheet names cut to Excel's 31 characters)."""
    try:
        import xlsxwriter
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("--excel needs the xlsxwriter package: pip install 'fastinno[excel]'.") from None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tables.", suffix=".xlsx")
    os.close(fd)
    try:
        with xlsxwriter.Workbook(tmp, {"nan_inf_to_errors": True}) as wb:
            used: set[str] = set()
            for name, df in tables.items():
                sheet = name[:31]
                i = 1
                while sheet in used:
                    sheet = f"{name[:28]}_{i}"
                    i += 1
                used.add(sheet)
                floats = [c for c, t in df.schema.items() if t.is_float()]
                clean = _csv_safe(df).with_columns(pl.col(c).fill_nan(None) for c in floats)
                clean.write_excel(workbook=wb, worksheet=sheet, autofit=True, float_precision=6)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _hash_inputs(paths: list[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    seen = set()
    for role, p in paths:
        pth = Path(p)
        files = sorted(f for f in pth.rglob("*") if f.is_file()) if pth.is_dir() else [pth]
        for f in files:
            key = (role, str(f))
            if key in seen or not f.exists():
                continue
            seen.add(key)
            out.append({"role": role, "path": str(f), "bytes": f.stat().st_size,
                        "sha256": sha256_file(f)})
    return out


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "fastinno": __version__}
    for pkg in ("numpy", "numba", "polars", "scipy", "matplotlib", "click", "tqdm", "pyarrow",
                "xlsxwriter", "llvmlite"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _jsonable(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and obj != obj:
        return None
    return obj


def read_run_info(folder: str | os.PathLike) -> dict[str, Any]:
    """Load ``run.json`` of an output folder."""
    p = Path(folder) / "run.json"
    if not p.is_file():
        raise InputError(f"{str(folder)!r} has no run.json: it is not a fastinno run folder.")
    return json.loads(p.read_text(encoding="utf-8"))


def _write_json(obj: Any, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".run.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(_jsonable(obj), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    cfg: dict[str, Any]
    panel: Any
    seed: int
    progress: bool
    results: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)


@contextmanager
def _collect_warnings(into: list[str]):
    """Record fastinno warnings (reported in run.json and the report); pass others on."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        if issubclass(w.category, FastinnoWarning):
            into.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _load_panel(pcfg: Mapping[str, Any]):
    if "dataset" in pcfg:
        from . import datasets

        panel = getattr(datasets, pcfg["dataset"])(missing=pcfg["missing"])
    else:
        from .panel import read_panel, read_system

        kw = {k: pcfg[k] for k in ("layout", "region", "year", "indicator", "value", "sheet")
              if k in pcfg}
        system = read_system(pcfg["system"]) if "system" in pcfg else None
        panel = read_panel(pcfg["path"], system, missing=pcfg["missing"], **kw)
    sel = {k: pcfg[k] for k in ("regions", "years", "indicators") if k in pcfg}
    if sel:
        panel = panel.select(**sel)
    return panel


def _frame_attr(obj: Any, name: str) -> pl.DataFrame | None:
    v = getattr(obj, name, None)
    if v is None:
        return None
    if isinstance(v, pl.LazyFrame):
        v = v.collect()
    if isinstance(v, pl.DataFrame):
        return v
    to_polars = getattr(v, "to_polars", None)
    if callable(to_polars):
        return to_polars()
    return None


def _model_options(ctx: _Context) -> dict[str, Any]:
    ideal = ctx.cfg["steps"].get("ideal_solution")
    return dict(ideal["options"]) if ideal else {}


def _step_ideal_solution(ctx: _Context, opts: dict[str, Any]) -> dict[str, pl.DataFrame]:
    res = _api("hew_topsis")(ctx.panel, **opts)
    ctx.results["ideal_solution"] = res
    out = {"index_scores": _frame_attr(res, "scores")}
    for attr, name in (("growth", "index_growth"), ("weights", "index_weights"),
                       ("yoy", "index_yoy")):
        df = _frame_attr(res, attr)
        if df is not None:
            out[name] = df
    return out


def _step_combined(ctx: _Context, opts: dict[str, Any]) -> dict[str, pl.DataFrame]:
    res = _api("combined_evaluation")(ctx.panel, **opts)
    ctx.results["combined"] = res
    out = {}
    for attr, name in (("scores", "combined_scores"), ("method_weights", "combined_method_weights"),
                       ("compatibility", "combined_compatibility"),
                       ("indicator_weights", "combined_indicator_weights"),
                       ("kendall_w", "combined_kendall_w"), ("excluded", "combined_excluded")):
        df = _frame_attr(res, attr)
        if df is not None:
            out[name] = df
    return out


def _robustness_options(ctx: _Context, opts: dict[str, Any], func) -> dict[str, Any]:
    params, var_kw = _api_parameters(func)
    kw = dict(opts)
    kw.setdefault("seed", ctx.seed)
    if "progress" in params or var_kw:
        kw.setdefault("progress", ctx.progress)
    model = kw.get("model", "hew-topsis")
    if model in ("hew-topsis", "hew_topsis") and "model_options" not in kw and (
        "model_options" in params or var_kw
    ):
        mo = _model_options(ctx)
        if mo:
            kw["model_options"] = mo
    return kw


def _robustness_tables(res: Any, prefix: str) -> dict[str, pl.DataFrame]:
    out = {}
    for attr in ("summary", "agreement", "variance_shares", "weights", "outranks",
                 "acceptability", "growth"):
        df = _frame_attr(res, attr)
        if df is not None:
            out[f"{prefix}_{attr}"] = df
    return out


def _step_simulate(ctx: _Context, opts: dict[str, Any]) -> dict[str, pl.DataFrame]:
    func = _api("simulate")
    res = func(ctx.panel, **_robustness_options(ctx, opts, func))
    ctx.results["simulate"] = res
    return _robustness_tables(res, "simulate")


def _step_bootstrap(ctx: _Context, opts: dict[str, Any]) -> dict[str, pl.DataFrame]:
    func = _api("bootstrap")
    res = func(ctx.panel, **_robustness_options(ctx, opts, func))
    ctx.results["bootstrap"] = res
    return _robustness_tables(res, "bootstrap")


_FIT_COLUMNS = ("a", "b", "C", "P", "mean_relative_error", "grade", "class_ratio_ok")


def _forecast_frames(res: Any, scores: pl.DataFrame, column: str) -> tuple[pl.DataFrame,
                                                                           pl.DataFrame | None]:
    """Split ``fastinno.forecast``'s frame (region, year, kind, observed, value, fit columns) into
    ``(region, year, observed, fitted, forecast)`` and a per-region fit table."""
    df = res if isinstance(res, pl.DataFrame) else _frame_attr(res, "frame")
    if df is None or not {"region", "year", "kind", "value"} <= set(df.columns):
        raise InputError(
            "fastinno.forecast returned an unexpected result (expected a frame with region, "
            f"year, kind, value); got {type(res).__name__}."
        )
    obs = scores.select("region", "year", pl.col(column).cast(pl.Float64).alias("observed"))
    vals = df.select(
        "region", "year",
        pl.when(pl.col("kind") == "fitted").then(pl.col("value")).alias("fitted"),
        pl.when(pl.col("kind") == "forecast").then(pl.col("value")).alias("forecast"),
    )
    table = (obs.join(vals, on=["region", "year"], how="full", coalesce=True)
             .select("region", "year", "observed", "fitted", "forecast"))
    order = {r: i for i, r in enumerate(dict.fromkeys(scores["region"].to_list()))}
    table = table.with_columns(
        pl.col("region").replace_strict(order, default=len(order)).alias("_o")
    ).sort("_o", "year").drop("_o")
    fit_cols = [c for c in _FIT_COLUMNS if c in df.columns]
    fit = df.select("region", *fit_cols).unique("region", maintain_order=True) if fit_cols else None
    return table, fit


def _step_forecast(ctx: _Context, opts: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    src = spec.get("source", "ideal_solution")
    if ("index_scores" if src == "ideal_solution" else "combined_scores") not in ctx.tables:
        raise ConfigError(f"[forecast] forecasts the scores of [{src}], which did not run.")
    if src == "ideal_solution":
        scores = ctx.tables["index_scores"]
    else:
        scores = ctx.tables["combined_scores"]
        if "dimension" in scores.columns:
            scores = scores.filter(pl.col("dimension") == "index")
    regions = spec.get("regions")
    if regions:
        scores = scores.filter(pl.col("region").is_in(regions))
    func = _api("forecast")
    tables: dict[str, pl.DataFrame] = {}
    long_parts, fit_parts = [], []
    for col in spec["columns"]:
        if col not in scores.columns:
            raise ConfigError(f"Key 'columns' in [forecast] names {col!r}, which is not a column "
                              f"of the {src} scores; they have {format_keys(scores.columns)}.")
        res = func(scores, column=col, by="region", **opts)
        table, fit = _forecast_frames(res, scores, col)
        long_parts.append(table.with_columns(pl.lit(col).alias("column")))
        if fit is not None:
            fit_parts.append(fit.with_columns(pl.lit(col).alias("column")))
        ctx.results.setdefault("forecast", {})[col] = res
    tables["forecast"] = pl.concat(long_parts).select(
        "column", "region", "year", "observed", "fitted", "forecast")
    if fit_parts:
        tables["forecast_fit"] = pl.concat(fit_parts, how="diagonal_relaxed")
        cols = tables["forecast_fit"].columns
        tables["forecast_fit"] = tables["forecast_fit"].select(
            "column", *[c for c in cols if c != "column"])
    return tables


def _step_dematel(ctx: _Context, opts: dict[str, Any]) -> dict[str, pl.DataFrame]:
    opts = dict(opts)
    survey = opts.pop("survey")
    func = _api("grey_dematel")
    params, var_kw = _api_parameters(func)
    if (opts.get("replicates") or opts.get("bootstrap")) and ("seed" in params or var_kw):
        opts.setdefault("seed", ctx.seed)
    res = func(survey, **opts)
    ctx.results["dematel"] = res
    out = {}
    for attr, name in (("factors", "dematel_factors"), ("relations", "dematel_relations"),
                       ("total_relation", "dematel_total_relation")):
        df = _frame_attr(res, attr)
        if df is not None:
            out[name] = df
    orderings = getattr(res, "orderings", None)
    if isinstance(orderings, pl.DataFrame):
        out["dematel_orderings"] = orderings
    elif isinstance(orderings, Mapping):
        out["dematel_orderings"] = pl.DataFrame(
            {"measure": list(orderings), "ordering": [str(v) for v in orderings.values()]})
    return out


_RUNNERS: dict[str, Callable] = {
    "ideal_solution": _step_ideal_solution,
    "combined": _step_combined,
    "simulate": _step_simulate,
    "bootstrap": _step_bootstrap,
    "dematel": _step_dematel,
}


# --------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` produced.

    Attributes
    ----------
    out : pathlib.Path
        The output folder.
    report : pathlib.Path
        ``out / "report.html"``.
    tables : dict[str, polars.DataFrame]
        Every table written, by name (``tables/<name>.csv`` and ``.parquet``).
    info : dict
        The content of ``run.json``.
    results : dict
        The result objects of each step (``IndexResult``, ``CombinedResult``, ...).
    """

    out: Path
    report: Path
    tables: dict[str, pl.DataFrame]
    info: dict[str, Any]
    results: dict[str, Any] = field(repr=False)


def _default_echo(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(
    config: str | os.PathLike | Mapping[str, Any],
    *,
    out: str | os.PathLike | None = None,
    force: bool = False,
    excel: bool | None = None,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
    skip_unavailable: bool = False,
    figure_format: str | list[str] | None = None,
    jit_warmup: bool | None = None,
    command: str | None = None,
) -> RunResult:
    """Run the main job described by ``config`` and write its output folder.

    Parameters
    ----------
    config : path or mapping
        A TOML config file or the equivalent mapping (e.g. ``run.json["config"]`` of an earlier
        run, which reproduces it).
    out : path, optional
        Output folder; overrides the config's ``out``. Default ``fastinno-run`` in the working
        directory.
    force : bool
        Replace an existing output folder (the new one is built completely first).
    excel : bool, optional
        Also write ``tables.xlsx`` with one sheet per table; overrides ``[output] excel``.
    progress : bool
        Print one line per step with its time (via ``echo``) and show progress bars on long steps.
    echo : callable, optional
        Where step lines go; default stderr.
    skip_unavailable : bool
        Record and announce a step whose API this installation lacks instead of raising
        :class:`~fastinno.errors.ConfigError`. Never silent: the step appears as ``unavailable``
        in the step lines, in ``run.json`` and in the report.
    figure_format : str or list of str, optional
        ``"png"``, ``"svg"`` or both; overrides ``[figures] format``.
    jit_warmup : bool, optional
        Compile the later steps' numba kernels in a helper process while this one runs the
        first steps, so a cold start uses both cores (results are computed here either way and
        do not depend on it). Default: on for a cold start (no earlier run of these steps has
        cached their kernels) on POSIX machines with 2+ cores and 2+ steps, unless the
        environment sets ``FASTINNO_JIT_WARMUP=0``.
    command : str, optional
        Command line recorded in ``run.json``.

    Returns
    -------
    RunResult
    """
    t_start = time.perf_counter()
    say_report = echo is None and progress
    echo = echo or (_default_echo if progress else (lambda _msg: None))
    cfg = load_config(config)
    if figure_format is not None:
        fmts = [figure_format] if isinstance(figure_format, str) else list(figure_format)
        if not fmts or any(f not in ("png", "svg") for f in fmts):
            raise ConfigError(f"figure_format must be 'png', 'svg' or a list of them; got "
                              f"{figure_format!r}.")
        cfg["figures"]["format"] = list(dict.fromkeys(fmts))
    target = Path(out) if out is not None else Path(cfg["out"] or "fastinno-run")
    target = target.expanduser().resolve()
    cfg["out"] = str(target)
    if excel is not None:
        cfg["output"]["excel"] = bool(excel)
    _check_target(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)

    unavailable = [s for s in cfg["steps"] if _api(STEPS[s][0]) is None]
    if unavailable and not skip_unavailable:
        raise ConfigError(
            "This installation of fastinno lacks the API for step(s) "
            f"{format_keys(unavailable)} ({format_keys(['fastinno.' + STEPS[s][0] for s in unavailable])}). "
            "Remove those sections or upgrade fastinno."
        )

    available = [s for s in cfg["steps"] if s not in unavailable]
    marker = _warm_marker(available)
    if jit_warmup is None:
        jit_warmup = (os.name == "posix" and (os.cpu_count() or 1) >= 2 and len(available) >= 2
                      and os.environ.get("FASTINNO_JIT_WARMUP", "1") != "0"
                      and not (marker is not None and marker.exists()))
    warm = [s for s in _WARM_PRIORITY if s in available[1:]]
    warmer = _Warmer(cfg, warm) if jit_warmup and warm else None
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        info = _run_into(tmp, cfg, echo=echo, progress=progress, unavailable=unavailable,
                         command=command, t_start=t_start, warmer=warmer)
        _publish(tmp, target, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if warmer is not None:
            warmer.close()
    if marker is not None and not marker.exists():
        try:  # these steps' kernels are compiled and cached now: later runs skip the helper
            marker.touch()
        except OSError:
            pass
    tables = {name: pl.read_parquet(target / "tables" / f"{name}.parquet")
              for name in info["tables"]}
    if say_report:
        echo(f"Report: {target / 'report.html'}")
    return RunResult(out=target, report=target / "report.html", tables=tables, info=info,
                     results=info.pop("_results", {}))


def _run_into(folder: Path, cfg: dict[str, Any], *, echo, progress: bool, unavailable: list[str],
              command: str | None, t_start: float, warmer: _Warmer | None = None
              ) -> dict[str, Any]:
    timings: dict[str, float] = {}
    steps_info: list[dict[str, Any]] = []
    n_steps = 1 + len(cfg["steps"]) + 1

    def line(i: int, name: str, secs: float | None, detail: str = "") -> None:
        t = f"{secs:7.2f} s" if secs is not None else "        -"
        echo(f"[{i}/{n_steps}] {name:<15} {t}  {detail}".rstrip())

    t0 = time.perf_counter()
    panel_warnings: list[str] = []
    with _collect_warnings(panel_warnings):
        panel = _load_panel(cfg["panel"])
    timings["panel"] = time.perf_counter() - t0
    pdesc = (f"{len(panel.regions)} regions x {len(panel.years)} years x "
             f"{len(panel.indicators)} indicators")
    line(1, "panel", timings["panel"], pdesc)
    for w in panel_warnings:
        echo(f"      warning: {w}")
    ctx = _Context(cfg=cfg, panel=panel, seed=cfg["seed"], progress=progress)
    tables: dict[str, pl.DataFrame] = {}
    tables["panel"] = panel.to_frame(layout="long")
    steps_info.append({"step": "panel", "status": "ok", "seconds": timings["panel"],
                       "tables": ["panel"], "detail": pdesc})

    # Steps run in config order, except that while the warm-up helper is compiling a step's
    # kernels this process runs another ready step first (steps are independent apart from
    # forecast needing its source scores; every random step has its own seed, so the order
    # cannot change any result). Lines, run.json and tables are reported in config order.
    pending = list(cfg["steps"])
    by_step: dict[str, dict[str, pl.DataFrame]] = {}
    step_rows: dict[str, dict[str, Any]] = {}
    i = 1
    while pending:
        step = _next_step(pending, cfg, set(step_rows), warmer)
        pending.remove(step)
        spec = cfg["steps"][step]
        i += 1
        api_name = STEPS[step][0]
        if step in unavailable:
            msg = f"UNAVAILABLE: this installation has no fastinno.{api_name}; step not run"
            line(i, step, None, msg)
            step_rows[step] = {"step": step, "status": "unavailable", "seconds": None,
                               "api": f"fastinno.{api_name}", "options": spec["options"],
                               "tables": [], "detail": msg}
            continue
        t0 = time.perf_counter()
        if warmer is not None:
            warmer.before(step)
        opts = dict(spec["options"])
        ctx.tables = tables
        step_warnings: list[str] = []
        with _collect_warnings(step_warnings):
            if step == "forecast":
                new = _step_forecast(ctx, opts, spec)
            else:
                new = _RUNNERS[step](ctx, opts)
        secs = time.perf_counter() - t0
        timings[step] = secs
        tables.update(new)
        by_step[step] = new
        detail = ", ".join(f"{k} ({v.height} rows)" for k, v in new.items())
        line(i, step, secs, detail)
        for w in step_warnings:
            echo(f"      warning: {w}")
        step_rows[step] = {"step": step, "status": "ok", "seconds": secs,
                           "api": f"fastinno.{api_name}",
                           "options": _effective_options(ctx, step, opts),
                           "tables": list(new), "warnings": step_warnings}
    steps_info += [step_rows[s] for s in cfg["steps"]]
    tables = {"panel": tables["panel"]}
    for s in cfg["steps"]:
        tables.update(by_step.get(s, {}))
    timings = {k: timings[k] for k in ["panel", *cfg["steps"]] if k in timings}

    t0 = time.perf_counter()
    write_tables(tables, folder)
    if cfg["output"]["excel"]:
        write_excel(tables, folder / "tables.xlsx")
    timings["write_tables"] = time.perf_counter() - t0

    inputs: list[tuple[str, str]] = []
    if cfg.get("_config_file"):
        inputs.append(("config", cfg["_config_file"]))
    pc = cfg["panel"]
    if "dataset" in pc:
        inputs.append(("panel", str(Path(__file__).parent / "data" / f"{pc['dataset']}.csv")))
    else:
        inputs.append(("panel", pc["path"]))
        if isinstance(pc.get("system"), str):
            inputs.append(("system", pc["system"]))
    for step, keys in _PATH_OPTIONS.items():
        if step in cfg["steps"]:
            for key in keys:
                v = cfg["steps"][step]["options"].get(key)
                if isinstance(v, str) and Path(v).exists():
                    inputs.append((f"{step}.{key}", v))

    info: dict[str, Any] = {
        "fastinno_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "title": cfg["title"],
        "seed": cfg["seed"],
        "config_file": cfg.get("_config_file"),
        "config": config_as_toml_tables(cfg),
        "inputs": _hash_inputs(inputs),
        "versions": _versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(),
                     "cpu_count": os.cpu_count(), "numba_threads": _numba_threads()},
        "panel": {"regions": list(panel.regions), "years": list(panel.years),
                  "indicators": list(panel.indicators),
                  "dimensions": list(getattr(panel.system, "dimensions", ()) or ()),
                  "report": list(getattr(panel, "report", ()) or ()),
                  "warnings": panel_warnings},
        "steps": steps_info,
        "tables": list(tables),
        "figures": [],
        "timings": timings,
    }
    _write_json(info, folder / "run.json")

    from .report import render_report

    t0 = time.perf_counter()
    figs = render_report(folder, info=info, tables=tables)
    timings["report"] = time.perf_counter() - t0
    line(n_steps, "report", timings["report"], f"{len(figs)} figures, report.html")
    timings["total"] = time.perf_counter() - t_start
    info["figures"] = figs
    info["timings"] = timings
    info["jit_warmup"] = warmer is not None
    _write_json(info, folder / "run.json")
    info["_results"] = ctx.results
    return info


# --------------------------------------------------------------------------------------------
# JIT warm-up helper process
# --------------------------------------------------------------------------------------------

_WARM_DRAWS = 64  # one seeding block: compiles the same kernel specializations as a full run
#: Order in which the helper warms steps: the heaviest compiles first.
_WARM_PRIORITY = ("combined", "dematel", "simulate", "bootstrap", "forecast", "ideal_solution")


class _Warmer:
    """A helper process that runs the later steps once on the same inputs (few draws) so their
    numba kernels are compiled and cached while this process works on the first steps.

    Protocol: the child reads one JSON line (config, step order) on stdin, prints ``start S`` /
    ``done S`` lines; this process sends ``skip S`` for a step it is about to run itself, and
    waits for a step the child is already compiling. Results never come from the child. A plain
    ``python -c`` subprocess (not multiprocessing) so a user's script is never re-imported.
    """

    def __init__(self, cfg: Mapping[str, Any], order: list[str]) -> None:
        import subprocess
        import threading

        self.state: dict[str, str] = {}
        self.dead = False
        self.cond = threading.Condition()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from fastinno.pipeline import _warm_main; _warm_main()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, bufsize=1,
            )
            self.proc.stdin.write(json.dumps({"config": _jsonable(config_as_toml_tables(cfg)),
                                              "order": order}, default=str) + "\n")
            self.proc.stdin.flush()
        except OSError:
            self.proc = None
            self.dead = True
            return
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.proc.stdout:
                parts = line.split()
                if len(parts) == 2:
                    with self.cond:
                        self.state[parts[1]] = parts[0]
                        self.cond.notify_all()
        except (OSError, ValueError):
            pass
        with self.cond:
            self.dead = True
            self.cond.notify_all()

    def busy(self, step: str) -> bool:
        """Whether the child is compiling ``step`` right now."""
        with self.cond:
            return not self.dead and self.state.get(step) == "start"

    def before(self, step: str, timeout: float = 900.0) -> None:
        """Called before running ``step`` here: wait if the child is compiling it, else claim it."""
        with self.cond:
            if self.dead:
                return
            if step not in self.state:
                try:
                    self.proc.stdin.write(f"skip {step}\n")
                    self.proc.stdin.flush()
                except (OSError, ValueError):
                    pass
                return
            self.cond.wait_for(lambda: self.state.get(step) == "done" or self.dead, timeout)

    def close(self) -> None:
        if self.proc is None:
            return
        import subprocess

        try:
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
                self.proc.wait()


def _warm_marker(steps: list[str]) -> Path | None:
    """A file in numba's cache folder for fastinno's kernels that exists once a run of these
    steps has compiled and cached them (keyed on the kernel sources' sizes and mtimes, the steps,
    and the numba, Python and fastinno versions); ``None`` when it cannot be located."""
    try:
        import pkgutil

        import numba
        from numba.core.dispatcher import Dispatcher

        from . import kernels

        kdir = Path(kernels.__path__[0])
        h = hashlib.sha256(f"{numba.__version__}|{sys.version}|{__version__}|"
                           f"{','.join(sorted(steps))}".encode())
        cache_dir = None
        for m in sorted(pkgutil.iter_modules(kernels.__path__), key=lambda m: m.name):
            st = (kdir / f"{m.name}.py").stat()
            h.update(f"{m.name}:{st.st_mtime_ns}:{st.st_size}".encode())
            if cache_dir is None:
                mod = __import__(f"fastinno.kernels.{m.name}", fromlist=["_"])
                for obj in vars(mod).values():
                    path = getattr(getattr(obj, "_cache", None), "_cache_path", None)
                    if isinstance(obj, Dispatcher) and path:
                        cache_dir = Path(path)
                        break
        if cache_dir is None:
            return None
        return cache_dir / f"fastinno-warm-{h.hexdigest()[:20]}.marker"
    except Exception:  # numba internals moved: no marker, the helper decides by default
        return None


def _warm_step(ctx: _Context, step: str) -> None:
    import numpy as np

    spec = ctx.cfg["steps"][step]
    opts = dict(spec["options"])
    if step == "simulate":
        func = _api("simulate")
        kw = _robustness_options(ctx, opts, func)
        if kw.get("scheme") != "given":
            kw["draws"] = _WARM_DRAWS
        func(ctx.panel, **kw)
    elif step == "bootstrap":
        func = _api("bootstrap")
        kw = _robustness_options(ctx, opts, func)
        kw["replicates"] = _WARM_DRAWS
        func(ctx.panel, **kw)
    elif step == "combined":
        _api("combined_evaluation")(ctx.panel, **opts)
    elif step == "dematel":
        survey = opts.pop("survey")
        for key in ("replicates", "bootstrap"):
            if opts.get(key):
                opts[key] = _WARM_DRAWS
        _api("grey_dematel")(survey, **opts)
    elif step == "forecast":
        regions = list(ctx.panel.regions)
        years = list(ctx.panel.years)
        n = len(years)
        frame = pl.DataFrame({
            "region": np.repeat(regions, n),
            "year": np.tile(np.asarray(years, dtype=np.int64), len(regions)),
            "index": np.tile(1.0 + 0.05 * np.arange(n) + 0.01 * (np.arange(n) % 2), len(regions)),
        })
        _api("forecast")(frame, column="index", by="region", **opts)
    elif step == "ideal_solution":
        _api("hew_topsis")(ctx.panel, **opts)


def _warm_main() -> None:  # pragma: no cover - runs in the helper process
    """Entry point of the warm-up helper process (see :class:`_Warmer`)."""
    import select

    warnings.simplefilter("ignore")
    spec = json.loads(sys.stdin.readline())
    out = sys.stdout
    devnull = open(os.devnull, "w")  # noqa: SIM115 - silence library output for the process life
    sys.stdout = sys.stderr = devnull
    skip: set[str] = set()

    def poll() -> None:
        while select.select([sys.stdin], [], [], 0)[0]:
            line = sys.stdin.readline()
            if not line:  # the main process closed the pipe: it is done
                os._exit(0)
            parts = line.split()
            if len(parts) == 2 and parts[0] == "skip":
                skip.add(parts[1])

    try:
        cfg = validate_config(spec["config"])
        panel = _load_panel(cfg["panel"])
    except Exception:
        return
    ctx = _Context(cfg=cfg, panel=panel, seed=cfg["seed"], progress=False)
    for step in spec["order"]:
        poll()
        if step in skip:
            continue
        print("start", step, file=out, flush=True)
        try:
            _warm_step(ctx, step)
        except Exception:
            pass
        print("done", step, file=out, flush=True)


def _next_step(pending: list[str], cfg: Mapping[str, Any], done: set[str],
               warmer: _Warmer | None) -> str:
    """The first pending step whose inputs are ready and that the warm-up helper is not
    compiling right now (else the first ready one: :meth:`_Warmer.before` then waits for it)."""

    def ready(s: str) -> bool:
        if s == "forecast":
            return cfg["steps"]["forecast"].get("source", "ideal_solution") in done
        return True

    candidates = [s for s in pending if ready(s)] or pending
    if warmer is not None:
        for s in candidates:
            if not warmer.busy(s):
                return s
    return candidates[0]


def _effective_options(ctx: _Context, step: str, opts: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the step's API was actually called with (defaults the pipeline
    filled in included)."""
    if step in ("simulate", "bootstrap"):
        func = _api(STEPS[step][0])
        return _robustness_options(ctx, opts, func)
    if step == "forecast":
        spec = ctx.cfg["steps"]["forecast"]
        return {**opts, "by": "region", "columns": spec["columns"], "source": spec["source"],
                **({"regions": spec["regions"]} if spec.get("regions") else {})}
    return opts


def _numba_threads() -> int | None:
    try:
        import numba

        return int(numba.get_num_threads())
    except Exception:  # pragma: no cover
        return None


def config_as_toml_tables(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised config back in the config-file schema (what ``run.json`` stores).

    ``validate_config(config_as_toml_tables(cfg))`` gives ``cfg`` again, so ``run.json["config"]``
    can be passed straight to :func:`run` to reproduce a run.
    """
    raw: dict[str, Any] = {"title": cfg["title"], "seed": cfg["seed"]}
    if cfg.get("out"):
        raw["out"] = cfg["out"]
    raw["panel"] = dict(cfg["panel"])
    for step, spec in cfg["steps"].items():
        sec = dict(spec["options"])
        sec.update({k: v for k, v in spec.items() if k != "options"})
        raw[step] = sec
    figs = {k: v for k, v in cfg["figures"].items() if v is not None}
    raw["figures"] = figs
    raw["output"] = dict(cfg["output"])
    return raw
