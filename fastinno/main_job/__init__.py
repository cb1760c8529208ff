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

The steps are declared once, in :data:`fastinno.main_job.steps.STEPS`.
"""

from __future__ import annotations

from .config import config_as_toml_tables, demo_config_path, load_config, validate_config
from .provenance import read_run_info, sha256_file
from .run import RunResult, render_report, run
from .steps import STEPS, Step

__all__ = ["run", "RunResult", "load_config", "validate_config", "config_as_toml_tables",
           "demo_config_path", "render_report", "read_run_info", "sha256_file", "STEPS", "Step"]
