"""The step registry: every step of the main job declared once.

A :class:`Step` names its config section, the public function it calls, the keys its section may
hold besides that function's keywords, how its result becomes tables, how the report shows it
(its :class:`~fastinno.report.ReportPart`: section, figures, methods text) and how the warm-up
helper compiles its kernels. Config validation, running, ``run.json``, the figures and the report
all read :data:`STEPS`; adding a step means adding one entry here (and its report part).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from .. import _config
from ..errors import ConfigError, InputError, format_keys
from ..methods.combined import combined_evaluation
from ..methods.compare import compare_methods
from ..methods.dematel import grey_dematel
from ..methods.forecast import forecast
from ..methods.ideal_solution import hew_topsis
from ..regional.disparity import disparity
from ..report import parts
from ..report.sections import ReportPart
from ..robustness import bootstrap, simulate
from . import regional_step as rs
from .schema import check_type

__all__ = ["Context", "Step", "STEPS", "step", "load_panel", "api_parameters",
           "robustness_tables", "WARM_DRAWS"]

#: Draws / replicates of a warm-up call: one seeding block compiles the same kernel
#: specializations as a full run.
WARM_DRAWS = 64


@dataclass
class Context:
    """What a step sees: the normalised config, the panel, the seed and the tables so far."""

    cfg: dict[str, Any]
    panel: Any
    seed: int
    progress: bool
    results: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)


def load_panel(pcfg: Mapping[str, Any]):
    """The panel a normalised ``[panel]`` section describes (file or bundled dataset)."""
    if "dataset" in pcfg:
        from ..data import datasets

        panel = getattr(datasets, pcfg["dataset"])(missing=pcfg["missing"])
    else:
        from ..data.read_panel import read_panel
        from ..data.system import read_system

        kw = {k: pcfg[k] for k in ("layout", "region", "year", "indicator", "value", "sheet")
              if k in pcfg}
        system = read_system(pcfg["system"]) if "system" in pcfg else None
        panel = read_panel(pcfg["path"], system, missing=pcfg["missing"], **kw)
    sel = {k: pcfg[k] for k in ("regions", "years", "indicators") if k in pcfg}
    if sel:
        panel = panel.select(**sel)
    return panel


def api_parameters(func: Callable) -> set[str]:
    """Keyword names of ``func`` after its first (data) argument."""
    params = list(inspect.signature(func).parameters.values())
    return {p.name for p in params[1:] if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def _as_given(ctx: Context, opts: dict[str, Any]) -> dict[str, Any]:
    return opts


def _no_check(name: str, spec: dict[str, Any], steps: Mapping[str, Any], source: str) -> None:
    return None


def _ready(spec: Mapping[str, Any]) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Step:
    """One step of the main job.

    Attributes
    ----------
    name : str
        Its config section and its name in ``run.json``.
    api : callable
        The public function it calls.
    title : str
    report : ReportPart
        How the report shows it (section, figures, methods text).
    tables : callable
        ``tables(result, ctx) -> {name: DataFrame}``: what it writes to ``tables/``.
    call : callable
        ``call(ctx, options) -> result``; default ``api(panel, **options)``.
    options : callable
        ``options(ctx, section_options) -> dict``: the keywords the API is called with (defaults
        the main job fills in included); recorded in ``run.json``.
    own_keys : frozenset of str
        Section keys the main job consumes itself, kept beside the options (``enabled`` is
        always allowed).
    data_option : str or None
        The option holding the API's first argument when that is a file (not the panel); it
        is always resolved as a path.
    reserved : frozenset of str
        API keywords the main job sets (a config may not).
    path_options : tuple of str
        Options naming files: resolved against the config folder and hashed into ``run.json``
        (``"outer.inner"``: key ``inner`` of the table option ``outer``).
    check : callable
        ``check(name, spec, steps, source)``: step-specific config checks after the common ones.
    after : callable
        ``after(spec) -> step names`` whose tables this step needs first.
    warm : callable
        ``warm(ctx, options)``: a cheap call that compiles the step's kernels.
    warm_rank : int
        Order in which the warm-up helper compiles steps (heaviest compiles first).
    """

    name: str
    api: Callable[..., Any]
    title: str
    report: ReportPart
    tables: Callable[[Any, Context], dict[str, pl.DataFrame]]
    call: Callable[[Context, dict[str, Any]], Any] | None = None
    options: Callable[[Context, dict[str, Any]], dict[str, Any]] = _as_given
    own_keys: frozenset[str] = frozenset()
    data_option: str | None = None
    reserved: frozenset[str] = frozenset()
    path_options: tuple[str, ...] = ()
    check: Callable[[str, dict[str, Any], Mapping[str, Any], str], None] = _no_check
    after: Callable[[Mapping[str, Any]], tuple[str, ...]] = _ready
    warm: Callable[[Context, dict[str, Any]], None] | None = None
    warm_rank: int = 99

    @property
    def api_name(self) -> str:
        """``fastinno.<function>`` as recorded in ``run.json``."""
        return f"fastinno.{self.api.__name__}"

    def run(self, ctx: Context, opts: dict[str, Any]) -> dict[str, pl.DataFrame]:
        """Call the API, keep its result in ``ctx.results`` and return its tables."""
        kw = self.options(ctx, opts)
        res = self.call(ctx, kw) if self.call is not None else self.api(ctx.panel, **kw)
        ctx.results[self.name] = res
        return self.tables(res, ctx)


# -- ideal solution ---------------------------------------------------------------------------


def _index_tables(res, ctx: Context) -> dict[str, pl.DataFrame]:
    return {"index_scores": res.scores, "index_growth": res.growth, "index_weights": res.weights,
            "index_yoy": res.yoy}


def _warm_index(ctx: Context, opts: dict[str, Any]) -> None:
    hew_topsis(ctx.panel, **opts)


# -- combined evaluation ----------------------------------------------------------------------


def _combined_tables(res, ctx: Context) -> dict[str, pl.DataFrame]:
    return {"combined_scores": res.scores, "combined_method_weights": res.method_weights,
            "combined_compatibility": res.compatibility,
            "combined_indicator_weights": res.indicator_weights,
            "combined_kendall_w": res.kendall_w, "combined_excluded": res.excluded}


def _warm_combined(ctx: Context, opts: dict[str, Any]) -> None:
    combined_evaluation(ctx.panel, **opts)


# -- method comparison ------------------------------------------------------------------------

_COMPARE_TABLES = ("scores", "correlation", "agreement", "reversals", "stability")
_COMPARE_LISTS = {"methods": "method", "weights": "weights", "correlations": "correlation"}


def _compare_tables(res, ctx: Context) -> dict[str, pl.DataFrame]:
    return {f"compare_{name}": getattr(res, name) for name in _COMPARE_TABLES}


def _compare_options(ctx: Context, opts: dict[str, Any]) -> dict[str, Any]:
    """``normalize = "own"`` (or "own" in a list) is each method's own normalization (None)."""
    kw = dict(opts)
    norm = kw.get("normalize")
    if norm == "own":
        kw["normalize"] = None
    elif isinstance(norm, list):
        kw["normalize"] = [None if v == "own" else v for v in norm]
    return kw


def _check_compare(name: str, spec: dict[str, Any], steps: Mapping[str, Any], source: str) -> None:
    """Names of methods, weightings and correlations: known option values, registered."""
    from .. import _options as opt
    from ..methods import registry as reg

    tables = {"method": reg.METHODS, "weights": reg.WEIGHTINGS, "correlation": reg.CORRELATIONS}
    o = spec["options"]
    for key, kind in _COMPARE_LISTS.items():
        if key not in o:
            continue
        v = [o[key]] if isinstance(o[key], str) else o[key]
        check_type(v, list, key, f"[{name}]", source, f"a list of {kind} names")
        try:
            v = [opt.check(kind, x) for x in v]
        except InputError as exc:
            raise ConfigError(f"Key {key!r} in [{name}] of {source}: {exc}") from None
        missing = [x for x in v if x not in tables[kind]]
        if missing:
            raise ConfigError(f"Key {key!r} in [{name}] of {source} names {format_keys(missing)}, not "
                              f"available in this installation; registered: {format_keys(list(tables[kind]))}.")
        o[key] = v
    if "normalize" in o:
        v = [o["normalize"]] if isinstance(o["normalize"], str) else o["normalize"]
        check_type(v, list, "normalize", f"[{name}]", source, '"own", a normalization or a list of them')
        try:
            v = [x if x == "own" else opt.check("standardize", x, name="normalize") for x in v]
        except InputError as exc:
            raise ConfigError(f"Key 'normalize' in [{name}] of {source}: {exc} (or \"own\").") from None
        o["normalize"] = v if isinstance(o["normalize"], list) else v[0]
    if "by" in o and o["by"] not in ("year", "panel"):
        raise ConfigError(f"Key 'by' in [{name}] of {source} must be \"year\" or \"panel\"; got {o['by']!r}.")


def _warm_compare(ctx: Context, opts: dict[str, Any]) -> None:
    panel = ctx.panel.select(regions=list(ctx.panel.regions[:8]), years=list(ctx.panel.years[:2]))
    compare_methods(panel, **_compare_options(ctx, opts))


# -- robustness -------------------------------------------------------------------------------

_ROBUSTNESS_TABLES = ("summary", "agreement", "variance_shares", "weights", "outranks",
                      "acceptability", "growth")


def robustness_tables(res, prefix: str) -> dict[str, pl.DataFrame]:
    """The frames of a :class:`~fastinno.RobustnessResult` as ``<prefix>_<name>`` tables (the
    optional ones only when computed)."""
    out = {}
    for attr in _ROBUSTNESS_TABLES:
        df = getattr(res, attr)
        if df is not None:
            out[f"{prefix}_{attr}"] = df
    return out


def _robustness_options(ctx: Context, opts: dict[str, Any]) -> dict[str, Any]:
    kw = dict(opts)
    kw.setdefault("seed", ctx.seed)
    kw.setdefault("progress", ctx.progress)
    model = kw.get("model", "hew-topsis")
    if model in ("hew-topsis", "hew_topsis") and "model_options" not in kw:
        ideal = ctx.cfg["steps"].get("ideal_solution")
        if ideal and ideal["options"]:
            kw["model_options"] = dict(ideal["options"])
    return kw


def _bootstrap_options(ctx: Context, opts: dict[str, Any]) -> dict[str, Any]:
    """As for the Monte Carlo, and the headline index's weights unless the config names others:
    the bootstrap then evaluates the model behind the headline index (``fastinno.bootstrap``
    alone re-estimates entropy weights by default)."""
    kw = _robustness_options(ctx, opts)
    if kw.get("model", "hew-topsis") in ("hew-topsis", "hew_topsis"):
        mo = dict(kw.get("model_options") or {})
        if "weights" not in mo:
            ideal = (ctx.cfg["steps"].get("ideal_solution") or {}).get("options") or {}
            mo["weights"] = ideal.get("weights", "equal-hierarchical")
        kw["model_options"] = mo
    return kw


def _check_model(name: str, spec: dict[str, Any], steps: Mapping[str, Any], source: str) -> None:
    if "model" in spec["options"]:
        check_type(spec["options"]["model"], str, "model", f"[{name}]", source, "a model name")


def _warm_simulate(ctx: Context, opts: dict[str, Any]) -> None:
    kw = _robustness_options(ctx, opts)
    if kw.get("scheme") != "given":
        kw["draws"] = WARM_DRAWS
    simulate(ctx.panel, **kw)


def _warm_bootstrap(ctx: Context, opts: dict[str, Any]) -> None:
    kw = _bootstrap_options(ctx, opts)
    kw["replicates"] = WARM_DRAWS
    bootstrap(ctx.panel, **kw)


# -- forecast ---------------------------------------------------------------------------------

_FIT_COLUMNS = ("a", "b", "C", "P", "mean_relative_error", "grade", "class_ratio_ok")
_FORECAST_SOURCES = {"ideal_solution": "index_scores", "combined": "combined_scores"}


def _forecast_frames(res: Any, scores: pl.DataFrame, column: str
                     ) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Split ``fastinno.forecast``'s frame (region, year, kind, observed, value, fit columns) into
    ``(region, year, observed, fitted, forecast)`` and a per-region fit table."""
    if not isinstance(res, pl.DataFrame) or not {"region", "year", "kind", "value"} <= set(
            res.columns):
        raise InputError(
            "fastinno.forecast returned an unexpected result (expected a frame with region, "
            f"year, kind, value); got {type(res).__name__}."
        )
    df = res
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


def _forecast_scores(ctx: Context) -> pl.DataFrame:
    spec = ctx.cfg["steps"]["forecast"]
    src = spec.get("source", "ideal_solution")
    if _FORECAST_SOURCES[src] not in ctx.tables:
        raise ConfigError(f"[forecast] forecasts the scores of [{src}], which did not run.")
    scores = ctx.tables[_FORECAST_SOURCES[src]]
    if src == "combined" and "dimension" in scores.columns:
        scores = scores.filter(pl.col("dimension") == "index")
    regions = spec.get("regions")
    if regions:
        scores = scores.filter(pl.col("region").is_in(regions))
    return scores


def _forecast_options(ctx: Context, opts: dict[str, Any]) -> dict[str, Any]:
    spec = ctx.cfg["steps"]["forecast"]
    return {**opts, "by": "region", "columns": spec["columns"], "source": spec["source"],
            **({"regions": spec["regions"]} if spec.get("regions") else {})}


def _forecast_call(ctx: Context, kw: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """One ``fastinno.forecast`` frame per forecast column."""
    scores = _forecast_scores(ctx)
    opts = {k: v for k, v in kw.items() if k not in ("by", "columns", "source", "regions")}
    out = {}
    for col in kw["columns"]:
        if col not in scores.columns:
            raise ConfigError(f"Key 'columns' in [forecast] names {col!r}, which is not a column "
                              f"of the {kw['source']} scores; they have {format_keys(scores.columns)}.")
        out[col] = forecast(scores, column=col, by="region", **opts).forecasts
    return out


def _forecast_tables(res: Mapping[str, pl.DataFrame], ctx: Context) -> dict[str, pl.DataFrame]:
    scores = _forecast_scores(ctx)
    long_parts, fit_parts = [], []
    for col, frame in res.items():
        table, fit = _forecast_frames(frame, scores, col)
        long_parts.append(table.with_columns(pl.lit(col).alias("column")))
        if fit is not None:
            fit_parts.append(fit.with_columns(pl.lit(col).alias("column")))
    tables = {"forecast": pl.concat(long_parts).select(
        "column", "region", "year", "observed", "fitted", "forecast")}
    if fit_parts:
        fit = pl.concat(fit_parts, how="diagonal_relaxed")
        tables["forecast_fit"] = fit.select("column", *[c for c in fit.columns if c != "column"])
    return tables


def _check_forecast(name: str, spec: dict[str, Any], steps: Mapping[str, Any], source: str) -> None:
    cols = spec.get("columns", ["index"])
    if isinstance(cols, str):
        cols = [cols]
    check_type(cols, list, "columns", "[forecast]", source, "a list of index columns")
    spec["columns"] = cols
    src = spec.setdefault("source", "ideal_solution")
    if src not in _FORECAST_SOURCES:
        raise ConfigError(f"Key 'source' in [forecast] of {source} must be "
                          f"'ideal_solution' or 'combined'; got {src!r}.")
    if src not in steps:
        raise ConfigError(f"[forecast] in {source} forecasts the scores of [{src}], which is "
                          "not in the config. Add that section or change 'source'.")
    h = spec["options"].get("horizon", 3)
    check_type(h, int, "horizon", "[forecast]", source, "a positive integer")
    if not 1 <= h <= _config.FORECAST_MAX_HORIZON:
        raise ConfigError(f"Key 'horizon' in [forecast] of {source} must lie in 1..."
                          f"{_config.FORECAST_MAX_HORIZON}; got {h}.")
    spec["options"]["horizon"] = h


def _forecast_after(spec: Mapping[str, Any]) -> tuple[str, ...]:
    return (spec.get("source", "ideal_solution"),)


def _warm_forecast(ctx: Context, opts: dict[str, Any]) -> None:
    regions = list(ctx.panel.regions)
    years = list(ctx.panel.years)
    n = len(years)
    frame = pl.DataFrame({
        "region": np.repeat(regions, n),
        "year": np.tile(np.asarray(years, dtype=np.int64), len(regions)),
        "index": np.tile(1.0 + 0.05 * np.arange(n) + 0.01 * (np.arange(n) % 2), len(regions)),
    })
    forecast(frame, column="index", by="region", **opts)


# -- DEMATEL ----------------------------------------------------------------------------------


def _dematel_call(ctx: Context, kw: dict[str, Any]):
    """``grey_dematel(survey, ...)``, seeded from the run when it bootstraps."""
    opts = dict(kw)
    survey = opts.pop("survey")
    if opts.get("replicates") or opts.get("bootstrap"):
        opts.setdefault("seed", ctx.seed)
    return grey_dematel(survey, **opts)


def _dematel_tables(res, ctx: Context) -> dict[str, pl.DataFrame]:
    out = {"dematel_factors": res.factors, "dematel_relations": res.relations,
           "dematel_total_relation": res.total_relation}
    orderings = res.orderings
    if isinstance(orderings, pl.DataFrame):
        out["dematel_orderings"] = orderings
    elif isinstance(orderings, Mapping):
        out["dematel_orderings"] = pl.DataFrame(
            {"measure": list(orderings), "ordering": [str(v) for v in orderings.values()]})
    return out


def _check_dematel(name: str, spec: dict[str, Any], steps: Mapping[str, Any], source: str) -> None:
    if "survey" not in spec["options"]:
        raise ConfigError(f"[dematel] in {source} needs 'survey': the expert survey file "
                          "(long table or folder of per-expert matrices).")


def _warm_dematel(ctx: Context, opts: dict[str, Any]) -> None:
    opts = dict(opts)
    survey = opts.pop("survey")
    for key in ("replicates", "bootstrap"):
        if opts.get(key):
            opts[key] = WARM_DRAWS
    grey_dematel(survey, **opts)


# -- the registry -----------------------------------------------------------------------------

#: Every step, in execution and report order.
STEPS: tuple[Step, ...] = (
    Step("ideal_solution", hew_topsis, "Ideal-solution index (hierarchical equal-weight TOPSIS)",
         parts.IDEAL_SOLUTION, _index_tables, warm=_warm_index, warm_rank=5),
    Step("combined", combined_evaluation, "Combined evaluation (drift-degree)", parts.COMBINED,
         _combined_tables, warm=_warm_combined, warm_rank=0),
    Step("compare", compare_methods, "Method comparison", parts.COMPARE, _compare_tables,
         options=_compare_options, check=_check_compare, warm=_warm_compare, warm_rank=6),
    Step("simulate", simulate, "Robustness: weight Monte Carlo", parts.SIMULATE,
         lambda res, ctx: robustness_tables(res, "simulate"), options=_robustness_options,
         check=_check_model, warm=_warm_simulate, warm_rank=2),
    Step("bootstrap", bootstrap, "Robustness: bootstrap", parts.BOOTSTRAP,
         lambda res, ctx: robustness_tables(res, "bootstrap"), options=_bootstrap_options,
         check=_check_model, warm=_warm_bootstrap, warm_rank=3),
    Step("forecast", forecast, "GM(1,1) forecasts", parts.FORECAST, _forecast_tables,
         call=_forecast_call, options=_forecast_options,
         own_keys=frozenset({"columns", "source", "regions"}),
         reserved=frozenset({"column", "by", "year"}), check=_check_forecast,
         after=_forecast_after, warm=_warm_forecast, warm_rank=1),
    Step("dematel", grey_dematel, "Grey-DEMATEL key factors", parts.DEMATEL, _dematel_tables,
         call=_dematel_call, data_option="survey",
         path_options=("factors", "expert_weights", "scale"), check=_check_dematel,
         warm=_warm_dematel, warm_rank=4),
    Step("disparity", disparity, "Regional disparities, convergence and spatial structure", parts.DISPARITY,
         rs.disparity_tables, call=rs.disparity_call, options=rs.disparity_options,
         own_keys=rs.DISPARITY_KEYS, reserved=frozenset({"groups", "scores"}),
         path_options=("spatial.neighbours",), check=rs.check_disparity, after=rs.disparity_after,
         warm=rs.warm_disparity, warm_rank=7),
)

_BY_NAME = {s.name: s for s in STEPS}
if tuple(s.report for s in STEPS) != parts.DEFAULT_PARTS or any(
        s.name != s.report.key for s in STEPS):  # pragma: no cover - a registry edit gone wrong
    raise ImportError("fastinno.main_job.steps: STEPS and the report's DEFAULT_PARTS disagree")


def step(name: str) -> Step:
    """The registered step ``name``."""
    return _BY_NAME[name]

