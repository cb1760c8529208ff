"""Compiling and caching every kernel ahead: what ``fastinno warmup`` runs.

The bundled demo config with every step switched on and few draws (:data:`~fastinno.main_job.
steps.WARM_DRAWS`) runs once into a temporary folder, which compiles and caches (in numba's
on-disk cache) the kernels of the main job and of the commands built on the same functions
(``evaluate``, ``combine``, ``simulate``, ``bootstrap``, ``forecast``, ``dematel``). Running it
again only re-reads the cache.

Small inputs run the serial twin of each parallel kernel, or its numpy version where it has one
(:mod:`fastinno.kernels.twins`); the first pass forces the serial twins, so their numba code is
compiled too, and with ``parallel=True`` a second pass forces the parallel twins, which large
panels use.
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..kernels import twins
from .config import config_as_toml_tables, load_config, validate_config
from .run import run
from .steps import STEPS, WARM_DRAWS
from .warmup import EVERY_STEP, cache_location, mark_warm

__all__ = ["warmup_config", "warm_all"]

_STEP_LINE = re.compile(r"^\[(\d+)/(\d+)\]\s+(\S+)\s+([\d.]+) s")


def warmup_config() -> dict[str, Any]:
    """The normalised config ``fastinno warmup`` runs: the bundled demo config, every step of
    :data:`~fastinno.main_job.steps.STEPS` on (a step the demo leaves out runs with its
    defaults when those need no file), draws and replicates cut to ``WARM_DRAWS``, small PNG figures."""
    from .config import demo_config_path

    cfg = load_config(demo_config_path())
    raw = config_as_toml_tables(cfg)
    raw.pop("out", None)
    for s in STEPS:
        if s.name not in raw:
            try:
                validate_config({**raw, s.name: {}})
            except ConfigError:
                continue
            raw[s.name] = {}
    if "simulate" in raw and raw["simulate"].get("scheme") != "given":
        raw["simulate"]["draws"] = WARM_DRAWS
    if "bootstrap" in raw:
        raw["bootstrap"]["replicates"] = WARM_DRAWS
    if "dematel" in raw:  # its bootstrap kernels too
        raw["dematel"]["replicates"] = WARM_DRAWS
    raw["figures"] = {**raw.get("figures", {}), "format": "png", "dpi": 40}  # drawn, not looked at
    raw["output"] = {"excel": False, "csv": False, "copy_inputs": False}
    out = validate_config(raw)
    out["_config_file"] = None
    return out


def warm_all(echo: Callable[[str], None] | None = None, parallel: bool = True) -> dict[str, Any]:
    """Run :func:`warmup_config` into a temporary folder (removed afterwards), quietly, and
    record that every step's kernels are cached.

    Parameters
    ----------
    echo : callable, optional
        Receives one line per step (``"[2/8] ideal_solution   3.1 s"``) as it finishes.
    parallel : bool, default True
        Also compile the parallel twins of the kernels (a second pass with every twin forced
        parallel), which calls on large panels run; ``False`` compiles what small panels need.

    Returns
    -------
    dict
        ``steps`` (name -> seconds, the panel and the report included), ``seconds`` (total)
        and ``cache`` (the folder numba caches the kernels in).
    """
    echo = echo or (lambda _m: None)
    cfg = warmup_config()
    times: dict[str, float] = {}

    def step_line(msg: str) -> None:
        m = _STEP_LINE.match(msg)
        if m is None:  # warnings of the demo panel and the like: not the user's business here
            return
        times[m[3]] = times.get(m[3], 0.0) + float(m[4])
        echo(f"[{m[1]}/{m[2]}] {m[3]:<15} {float(m[4]):7.2f} s")

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fastinno-warmup-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with twins.forced("serial"):  # the numba kernels, also where small runs use numpy
            run(cfg, out=Path(tmp) / "run", progress=False, echo=step_line,
                command="fastinno warmup")
        if parallel:
            echo("Parallel variants (large panels):")
            with twins.forced("parallel"):
                run(cfg, out=Path(tmp) / "run-parallel", progress=False, echo=step_line,
                    command="fastinno warmup", jit_warmup=False)
    mark_warm([EVERY_STEP])
    return {"steps": times, "seconds": time.perf_counter() - t0, "cache": cache_location()}
