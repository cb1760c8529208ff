"""Reading tables and TOML: one reader for every input file fastinno takes.

Tables are read by suffix (CSV / TSV, Parquet, Excel); TOML through the standard library's
``tomllib`` (``tomli`` before Python 3.11). Errors are :class:`~fastinno.errors.InputError`
subclasses that name the file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import ConfigError, InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def read_errors() -> tuple[type[BaseException], ...]:
    """Exceptions the table readers raise on a damaged or empty file (polars, the Excel engine,
    the file system), to be reported as an :class:`InputError` naming the file."""
    errors: tuple[type[BaseException], ...] = (pl.exceptions.PolarsError, OSError, ValueError)
    try:
        from fastexcel import FastExcelError
    except ImportError:  # pragma: no cover - Excel support not installed
        return errors
    return (*errors, FastExcelError)


def read_table(path: str | Path, *, what: str = "Table", strings: bool = False) -> pl.DataFrame:
    """Read a CSV/TSV, Parquet or Excel table by its suffix (first sheet for Excel).

    Parameters
    ----------
    path : str or Path
        The file.
    what : str
        How messages name the file ("Survey", "Factor table", ...).
    strings : bool
        Read every CSV/Excel column as text, for callers that parse cells themselves
        (labels mixed with numbers).

    Raises
    ------
    InputError
        The file is missing or its suffix is not a table format.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} {str(p)!r} does not exist.")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(p)
        if suffix in EXCEL_SUFFIXES:
            return pl.read_excel(p, infer_schema_length=0) if strings else pl.read_excel(p)
        if suffix in (".csv", ".txt", ".tsv"):
            sep = "\t" if suffix == ".tsv" else ","
            if strings:
                return pl.read_csv(p, infer_schema=False, separator=sep)
            return pl.read_csv(p, separator=sep)
    except InputError:
        raise
    except read_errors() as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{what} {str(p)!r} could not be read: {reason.rstrip('.')}.") from exc
    raise InputError(f"{what} {str(p)!r}: unsupported file type {suffix!r}; use .csv, .parquet or .xlsx.")


def loads_toml(text: str, *, where: str = "TOML", error: type[InputError] = ConfigError) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes ``error`` naming ``where`` and the parser's reason."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{where} is not valid TOML: {exc}") from None


def read_toml(path: str | Path, *, what: str = "TOML file", error: type[InputError] = ConfigError) -> dict[str, Any]:
    """Read a TOML file (UTF-8).

    Raises
    ------
    InputError
        The file is missing (``InputError``) or not valid TOML (``error``, a ``ConfigError`` by
        default).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} {str(p)!r} does not exist.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} {str(p)!r} is not UTF-8 text.") from None
    return loads_toml(text, where=f"{what} {str(p)!r}", error=error)
