"""Running the main job: one config -> indices, combined evaluation, robustness, forecasts,
DEMATEL, tables, figures, ``run.json`` and ``report.html`` in one output folder.

The output folder is built in a temporary folder beside the target and renamed into place at the
end: a failed run leaves nothing behind, and an existing folder is never overwritten unless
``force=True``.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .._version import __version__
from ..errors import ConfigError, FastinnoWarning, InputError
from ..io.write import (
    check_new_folder,
    publish_folder,
    temporary_folder,
    write_excel_book,
    write_tables,
)
from ..report.figure_worker import FigureWorker, start_figure_worker
from ..report.render import render_report as _render
from ..validate import UNSET
from .config import FIGURE_FORMATS, config_as_toml_tables, load_config
from .provenance import (
    hash_inputs,
    platform_info,
    run_inputs,
    sha256_file,
    versions,
    write_run_info,
)
from .regional_step import aggregate_groups
from .steps import STEPS, Context, load_panel, step
from .warmup import Warmer, kernels_cold, mark_warm, next_step, warm_order

__all__ = ["run", "RunResult", "run_into", "render_report"]


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
        Every table written, by name (``tables/<name>.parquet``, and ``.csv`` on request).
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


def render_report(folder: str | os.PathLike, *, info: Mapping[str, Any] | None = None,
                  tables: Mapping[str, pl.DataFrame] | None = None,
                  figures: list[str] | None = None, worker: Any = None) -> list[str]:
    """Draw the figures and write ``report.html`` of a run folder with every registered step's
    report part (see :func:`fastinno.report.render_report`); return the figure paths."""
    return _render(folder, info=info, tables=tables, parts=[s.report for s in STEPS],
                   figures=figures, worker=worker)


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


def _copy_inputs(inputs: list[dict[str, Any]], into: Path) -> None:
    """Copy every input file into ``into/<role>/<name>`` and record the copy's path.

    Two different files of one role with the same name (files of the same name in different
    subfolders of an input folder) would collide: the later ones keep their name with the first
    8 hex digits of their SHA-256 before the suffix (``matrix.3f2a9c1d.csv``), so every copy is
    kept and the names do not depend on the machine. The same file twice is copied once.
    """
    used: dict[Path, str] = {}  # copy path -> sha256 of what it holds
    for item in inputs:
        src = Path(item["path"])
        folder = into / item["role"].replace(".", "_")
        digest = item.get("sha256") or sha256_file(src)
        dest = folder / src.name
        if dest in used and used[dest] != digest:
            dest = folder / f"{src.stem}.{digest[:8]}{src.suffix}"
            n = 1
            while dest in used and used[dest] != digest:  # same name and same 8 hex digits
                n += 1
                dest = folder / f"{src.stem}.{digest[:8]}-{n}{src.suffix}"
        if dest not in used:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            used[dest] = digest
        item["copy"] = dest.relative_to(into.parent).as_posix()


def _default_echo(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(
    config: str | os.PathLike | Mapping[str, Any],
    *,
    out: str | os.PathLike | None = None,
    force: bool = False,
    excel: bool | None = None,
    csv: bool | None = None,
    copy_inputs: bool | None = None,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
    skip_unavailable: object = UNSET,
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
        Output folder; overrides the config's ``out`` (which is relative to the config's
        folder). Default ``fastinno-run`` beside the config file (in the working directory for
        a mapping).
    force : bool
        Replace an existing output folder (the new one is built completely first).
    excel : bool, optional
        Also write ``tables.xlsx`` with one sheet per table; overrides ``[output] excel``.
    csv : bool, optional
        Also write every table as ``tables/<name>.csv``; overrides ``[output] csv``. Tables are
        always written as Parquet (``tables/<name>.parquet``: typed, compressed, read by polars,
        pandas, R's arrow, DuckDB); CSV is off by default because it is several times larger (a
        county-scale run: about 4x).
    copy_inputs : bool, optional
        Copy every input file (config, panel, indicator system, survey files) into ``inputs/``
        and write the panel as analysed (after the missing-value policy) as ``tables/panel``;
        overrides ``[output] copy_inputs``. By default the inputs are only recorded in
        ``run.json`` by path, size and SHA-256.
    progress : bool
        Print one line per step with its time (via ``echo``) and show progress bars on long steps.
    echo : callable, optional
        Where step lines go; default stderr.
    skip_unavailable
        Ignored, with a ``FutureWarning`` (every step is part of fastinno); will be removed.
    figure_format : str or list of str, optional
        ``"png"``, ``"svg"`` or both; overrides ``[figures] format``.
    jit_warmup : bool, optional
        Compile the later steps' numba kernels in a helper process while this one runs the
        first steps, so a cold start uses both cores (results are computed here either way and
        do not depend on it). Default: on for a cold start (neither an earlier run of these
        steps nor ``fastinno warmup`` has cached their kernels) on POSIX machines with 2+ cores and 2+ steps, unless the
        environment sets ``FASTINNO_JIT_WARMUP=0``. On 2+ cores a second process also draws
        every other report figure (the same files; ``FASTINNO_FIGURE_WORKER=0`` turns it off).
    command : str, optional
        Command line recorded in ``run.json``.

    Returns
    -------
    RunResult
    """
    if skip_unavailable is not UNSET:
        warnings.warn("run(skip_unavailable=...) does nothing (every step is part of fastinno) and "
                      "will be removed.", FutureWarning, stacklevel=2)
    t_start = time.perf_counter()
    say_report = echo is None and progress
    echo = echo or (_default_echo if progress else (lambda _msg: None))
    cfg = load_config(config)
    if figure_format is not None:
        fmts = [figure_format] if isinstance(figure_format, str) else list(figure_format)
        if not fmts or any(f not in FIGURE_FORMATS for f in fmts):
            raise ConfigError(f"figure_format must be 'png', 'svg' or a list of them; got "
                              f"{figure_format!r}.")
        cfg["figures"]["format"] = list(dict.fromkeys(fmts))
    if out is not None:
        target = Path(out)
    elif cfg["out"]:
        target = Path(cfg["out"])
    elif cfg.get("_config_file"):  # beside the config file
        target = Path(cfg["_config_file"]).parent / "fastinno-run"
    else:
        target = Path("fastinno-run")
    target = target.expanduser().resolve()
    cfg["out"] = str(target)
    for key, val in (("excel", excel), ("csv", csv), ("copy_inputs", copy_inputs)):
        if val is not None:
            cfg["output"][key] = bool(val)
    check_new_folder(target, force)
    for role, path in run_inputs(cfg):
        source = Path(path).expanduser().resolve()
        if source == target or target in source.parents:
            raise InputError(f"Output folder {str(target)!r} holds the {role} input {path!r}; fastinno never "
                             "replaces its inputs. Choose another output folder.")

    names = list(cfg["steps"])
    if jit_warmup is None:
        jit_warmup = (os.name == "posix" and (os.cpu_count() or 1) >= 2 and len(names) >= 2
                      and os.environ.get("FASTINNO_JIT_WARMUP", "1") != "0"
                      and kernels_cold(names))
    warm = warm_order(names)
    tmp = temporary_folder(target)
    warmer = Warmer(cfg, warm) if jit_warmup and warm else None
    figure_worker = start_figure_worker()
    try:
        info = run_into(tmp, cfg, echo=echo, progress=progress, command=command,
                        t_start=t_start, warmer=warmer, figure_worker=figure_worker)
        publish_folder(tmp, target, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if warmer is not None:
            warmer.close()
        if figure_worker is not None:
            figure_worker.close()
    mark_warm(names)  # these steps' kernels are compiled and cached now: later runs skip the helper
    tables = {name: pl.read_parquet(target / "tables" / f"{name}.parquet")
              for name in info["tables"]}  # Parquet is always written
    if say_report:
        echo(f"Report: {target / 'report.html'}")
    return RunResult(out=target, report=target / "report.html", tables=tables, info=info,
                     results=info.pop("_results", {}))


def run_into(folder: Path, cfg: dict[str, Any], *, echo: Callable[[str], None], progress: bool,
             command: str | None, t_start: float, warmer: Warmer | None = None,
             figure_worker: FigureWorker | None = None) -> dict[str, Any]:
    """Run every step of a normalised config and write the output files into ``folder``;
    return the ``run.json`` content (with the step results under ``"_results"``). A
    ``figure_worker`` draws half the report's figures in a second process."""
    timings: dict[str, float] = {}
    n_steps = 1 + len(cfg["steps"]) + 1

    def line(i: int, name: str, secs: float | None, detail: str = "") -> None:
        t = f"{secs:7.2f} s" if secs is not None else "        -"
        echo(f"[{i}/{n_steps}] {name:<15} {t}  {detail}".rstrip())

    t0 = time.perf_counter()
    panel_warnings: list[str] = []
    with _collect_warnings(panel_warnings):
        panel = aggregate_groups(load_panel(cfg["panel"]), cfg)
    timings["panel"] = time.perf_counter() - t0
    pdesc = (f"{len(panel.regions)} regions x {len(panel.years)} years x "
             f"{len(panel.indicators)} indicators")
    line(1, "panel", timings["panel"], pdesc)
    for w in panel_warnings:
        echo(f"      warning: {w}")
    ctx = Context(cfg=cfg, panel=panel, seed=cfg["seed"], progress=progress)
    copy_inputs = bool(cfg["output"].get("copy_inputs"))
    tables: dict[str, pl.DataFrame] = (
        {"panel": panel.to_frame(layout="long")} if copy_inputs else {})
    steps_info: list[dict[str, Any]] = [{"step": "panel", "status": "ok",
                                         "seconds": timings["panel"], "tables": list(tables),
                                         "detail": pdesc}]

    # Steps run in config order, except that while the warm-up helper is compiling a step's
    # kernels this process runs another ready step first (steps are independent apart from
    # forecast needing its source scores; every random step has its own seed, so the order
    # cannot change any result). Each step's line carries its number in the config order, so a
    # step has the same number in every run; run.json and tables follow the config order.
    pending = list(cfg["steps"])
    by_step: dict[str, dict[str, pl.DataFrame]] = {}
    step_rows: dict[str, dict[str, Any]] = {}
    number = {name: k for k, name in enumerate(cfg["steps"], 2)}
    while pending:
        name = next_step(pending, cfg, set(step_rows), warmer)
        pending.remove(name)
        st = step(name)
        t0 = time.perf_counter()
        if warmer is not None:
            warmer.before(name)
        opts = dict(cfg["steps"][name]["options"])
        ctx.tables = tables
        step_warnings: list[str] = []
        with _collect_warnings(step_warnings):
            new = st.run(ctx, opts)
        secs = time.perf_counter() - t0
        timings[name] = secs
        tables.update(new)
        by_step[name] = new
        line(number[name], name, secs, ", ".join(f"{k} ({v.height} rows)" for k, v in new.items()))
        for w in step_warnings:
            echo(f"      warning: {w}")
        step_rows[name] = {"step": name, "status": "ok", "seconds": secs, "api": st.api_name,
                           "options": st.options(ctx, opts), "tables": list(new),
                           "warnings": step_warnings}
    steps_info += [step_rows[s] for s in cfg["steps"]]
    tables = {"panel": tables["panel"]} if copy_inputs else {}
    for s in cfg["steps"]:
        tables.update(by_step.get(s, {}))
    timings = {k: timings[k] for k in ["panel", *cfg["steps"]] if k in timings}

    t0 = time.perf_counter()
    formats = ["parquet", *(["csv"] if cfg["output"].get("csv") else [])]
    write_tables(tables, folder / "tables", formats=formats)
    if cfg["output"]["excel"]:
        write_excel_book(tables, folder / "tables.xlsx")
    inputs = hash_inputs(run_inputs(cfg))
    if copy_inputs:
        _copy_inputs(inputs, folder / "inputs")
    timings["write_tables"] = time.perf_counter() - t0

    info: dict[str, Any] = {
        "fastinno_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "title": cfg["title"],
        "seed": cfg["seed"],
        "config_file": cfg.get("_config_file"),
        "config": config_as_toml_tables(cfg),
        "inputs": inputs,
        "output": {"table_formats": formats, "excel": bool(cfg["output"]["excel"]),
                   "copy_inputs": copy_inputs},
        "versions": versions(),
        "platform": platform_info(),
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
    write_run_info(folder, info)

    t0 = time.perf_counter()
    figs = render_report(folder, info=info, tables=tables, worker=figure_worker)
    # the page again with the report's own time and the total (the figures are drawn)
    timings["report"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start
    info["figures"] = figs
    info["timings"] = timings
    info["jit_warmup"] = warmer is not None
    render_report(folder, info=info, tables=tables, figures=figs)
    timings["report"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start
    line(n_steps, "report", timings["report"], f"{len(figs)} figures, report.html")
    write_run_info(folder, info)
    info["_results"] = ctx.results
    return info
