"""Former location of the main job; it lives in :mod:`fastinno.main_job`."""

from __future__ import annotations

from .io.write import write_excel_book as write_excel
from .main_job import (
    STEPS,
    RunResult,
    config_as_toml_tables,
    demo_config_path,
    load_config,
    read_run_info,
    run,
    sha256_file,
    validate_config,
)

__all__ = ["run", "load_config", "validate_config", "RunResult", "demo_config_path", "STEPS",
           "read_run_info", "config_as_toml_tables", "sha256_file", "write_excel"]
