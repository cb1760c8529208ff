"""Atomic output: every file goes to a temporary file in the target directory, then os.replace.

Nothing the user gave is ever overwritten: writers refuse a target that is one of the inputs.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import polars as pl

from .errors import InputError

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def read_table(path: str | Path, *, what: str = "Table", strings: bool = False) -> pl.DataFrame:
    """Read a CSV/TSV, Parquet or Excel table by its suffix (first sheet for Excel).

    ``strings=True`` reads every CSV/Excel column as text, for callers that parse cells
    themselves (labels mixed with numbers). A missing file or unknown suffix is an
    :class:`InputError` that names ``what``.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} {str(p)!r} does not exist.")
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        return pl.read_parquet(p)
    if suffix in EXCEL_SUFFIXES:
        return pl.read_excel(p, infer_schema_length=0) if strings else pl.read_excel(p)
    if suffix in (".csv", ".txt", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        return pl.read_csv(p, infer_schema=False, separator=sep) if strings else pl.read_csv(p, separator=sep)
    raise InputError(f"{what} {str(p)!r}: unsupported file type {suffix!r}; use .csv, .parquet or .xlsx.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Raise if ``path`` is one of the ``inputs`` (the user's files are never overwritten)."""
    target = Path(path)
    for src in inputs:
        if src is not None and (_same_file(target, Path(src)) or target.resolve() == Path(src).resolve()):
            raise InputError(f"Refusing to write {str(target)!r}: it is one of the inputs. Choose another output path.")
    return target


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | Path, data: bytes, inputs: Iterable[str | Path] = ()) -> Path:
    """Write ``data`` atomically."""
    check_not_input(path, inputs)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str, inputs: Iterable[str | Path] = ()) -> Path:
    return write_bytes(path, text.encode("utf-8"), inputs)


def _writer(suffix: str) -> Callable[[pl.DataFrame, Path], None]:
    if suffix == ".csv":
        return lambda df, p: df.write_csv(p)
    if suffix == ".parquet":
        return lambda df, p: df.write_parquet(p)
    if suffix == ".json":
        return lambda df, p: df.write_json(p)
    if suffix == ".xlsx":
        def _xlsx(df: pl.DataFrame, p: Path) -> None:
            _require_xlsxwriter()
            df.write_excel(p, worksheet="table", autofit=True)
        return _xlsx
    raise InputError(f"Unsupported output type {suffix!r}: use {', '.join(TABLE_SUFFIXES)}.")


def _require_xlsxwriter() -> None:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("Writing .xlsx needs xlsxwriter: pip install 'fastinno[excel]'.") from None


def write_table(df: pl.DataFrame, path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Write a frame atomically; the format follows the suffix (.csv, .parquet, .xlsx, .json)."""
    target = check_not_input(path, inputs)
    writer = _writer(target.suffix.lower())
    with atomic_path(target) as tmp:
        writer(df, tmp)
    return target


def write_excel_book(tables: Mapping[str, pl.DataFrame], path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """One .xlsx with a sheet per table (sheet names cut to Excel's 31 characters)."""
    _require_xlsxwriter()
    import xlsxwriter

    target = check_not_input(path, inputs)
    with atomic_path(target) as tmp:
        with xlsxwriter.Workbook(str(tmp)) as wb:
            used: set[str] = set()
            for name, df in tables.items():
                sheet = name[:31]
                k = 1
                while sheet in used:
                    k += 1
                    sheet = f"{name[:28]}~{k}"
                used.add(sheet)
                df.write_excel(wb, worksheet=sheet, autofit=True)
    return target
