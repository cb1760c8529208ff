"""Reading a run folder: ``run.json`` and the saved tables."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import InputError

__all__ = ["read_run_info", "read_run_tables"]


def read_run_info(folder: str | os.PathLike) -> dict[str, Any]:
    """Load ``run.json`` of an output folder."""
    p = Path(folder) / "run.json"
    if not p.is_file():
        raise InputError(f"{str(folder)!r} has no run.json: it is not a fastinno run folder.")
    return json.loads(p.read_text(encoding="utf-8"))


def read_run_tables(folder: str | os.PathLike, info: Mapping[str, Any]) -> dict[str, pl.DataFrame]:
    """The tables ``run.json`` lists, from ``tables/<name>.parquet`` (or ``.csv`` when a run
    wrote only CSV)."""
    tables = {}
    for name in info.get("tables", []):
        p = Path(folder) / "tables" / f"{name}.parquet"
        if p.is_file():
            tables[name] = pl.read_parquet(p)
        elif p.with_suffix(".csv").is_file():
            tables[name] = pl.read_csv(p.with_suffix(".csv"), infer_schema_length=None)
        else:
            raise InputError(f"Table {name!r} listed in run.json is missing: {p} (nor .csv). "
                             "Re-run the pipeline or restore the file.")
    return tables
