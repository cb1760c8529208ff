"""Writing outputs: the one atomic writer behind every file and folder fastinno creates.

Every output goes to a temporary file (or folder) beside its target and is then moved into
place with :func:`os.replace`, so a reader never sees a half-written file and a failed write
leaves nothing behind. Files get the permissions a plain ``open(path, "w")`` would give
(``0666`` less the process umask), folders ``0777`` less the umask. Nothing the user gave is
written over: a target that is one of the inputs is refused, and an existing target is
replaced only when the caller says so (``force``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import InputError

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Permission bits of a new output file: ``0o666`` less the umask."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """Permission bits of a new output folder: ``0o777`` less the umask."""
    return 0o777 & ~_umask()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(path: str | Path, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Raise :class:`InputError` if ``path`` is one of ``inputs`` or lies inside an input folder;
    return it as a ``Path``."""
    target = Path(path)
    resolved = target.resolve()
    for src in inputs:
        if src is None:
            continue
        source = Path(src).resolve()
        if _same_file(target, Path(src)) or resolved == source:
            raise InputError(
                f"Refusing to write {str(target)!r}: it is one of the inputs. Choose another output path."
            )
        if source.is_dir() and source in resolved.parents:
            raise InputError(
                f"Refusing to write {str(target)!r}: it is inside the input folder {str(src)!r}. "
                "Choose an output path outside it."
            )
    return target


def check_output(
    path: str | Path,
    *,
    suffixes: Iterable[str] | None = None,
    force: bool = False,
    inputs: Iterable[str | Path | None] = (),
    what: str = "Output",
) -> Path:
    """Check an output path before any work is done.

    The suffix must be one of ``suffixes`` (when given), the target must not be an input, an
    existing target needs ``force``, and the folder must exist (or be creatable) and be writable.
    Every message names the target, never a temporary file.
    """
    target = Path(path)
    if suffixes is not None:
        allowed = tuple(suffixes)
        if target.suffix.lower() not in allowed:
            raise InputError(
                f"{what} {str(target)!r}: unsupported file type {target.suffix or '(none)'!r}; "
                f"use {', '.join(allowed)}."
            )
    check_not_input(target, inputs)
    if target.suffix.lower() == ".xlsx":
        _require_xlsxwriter()
    if target.is_dir():
        raise InputError(f"{what} {str(target)!r} is a folder; give a file name.")
    if target.exists() and not force:
        raise InputError(
            f"{what} {str(target)!r} already exists; fastinno does not overwrite results. "
            "Choose another path or pass --force (force=True) to replace it."
        )
    check_writable(target, what.lower())
    return target


def check_writable(target: Path, what: str) -> None:
    """Raise unless ``target`` can be created: its nearest existing ancestor is a writable folder."""
    probe = target.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"Cannot write {what} {str(target)!r}: {str(probe)!r} is not a folder.")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"Cannot write {what} {str(target)!r}: folder {str(probe)!r} is not writable.")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The temporary file is removed on any error; the finished file gets :func:`file_mode`. An
    :class:`OSError` while writing becomes an :class:`InputError` naming ``path`` (never the
    temporary file).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"Cannot write {str(target)!r}: {exc.strerror or exc}.") from exc
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"Cannot write {str(target)!r}: {exc.strerror or type(exc).__name__}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | Path, data: bytes, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write ``data`` atomically to ``path``."""
    check_not_input(path, inputs)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write UTF-8 ``text`` atomically to ``path``."""
    return write_bytes(path, text.encode("utf-8"), inputs)


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


def write_json(path: str | Path, obj: Any, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write ``obj`` as indented UTF-8 JSON (numpy values and paths converted; NaN as null)."""
    text = json.dumps(_jsonable(obj), indent=2, ensure_ascii=False) + "\n"
    return write_text(path, text, inputs)


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Nested (list / struct) columns as JSON text, so the frame can be written as CSV."""
    nested = [c for c, t in df.schema.items() if t.is_nested()]
    if not nested:
        return df
    return df.with_columns(
        pl.col(c).map_elements(
            lambda v: json.dumps(v.to_list() if hasattr(v, "to_list") else v), return_dtype=pl.String
        )
        for c in nested
    )


def _require_xlsxwriter() -> None:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("Writing .xlsx needs xlsxwriter: pip install 'fastinno[excel]'.") from None


def _write_xlsx(df: pl.DataFrame, p: Path) -> None:
    write_excel_book({"table": df}, p)


def _writer(suffix: str) -> Callable[[pl.DataFrame, Path], None]:
    if suffix == ".csv":
        return lambda df, p: csv_safe(df).write_csv(p)
    if suffix == ".parquet":
        return lambda df, p: df.write_parquet(p)
    if suffix == ".json":
        return lambda df, p: df.write_json(p)
    if suffix == ".xlsx":
        return _write_xlsx
    raise InputError(f"unsupported file type {suffix or '(none)'!r}; use {', '.join(TABLE_SUFFIXES)}.")


def write_table(df: pl.DataFrame, path: str | Path, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write a frame atomically; the format follows the suffix (.csv, .parquet, .xlsx, .json)."""
    target = check_not_input(path, inputs)
    try:
        writer = _writer(target.suffix.lower())
    except InputError as exc:
        raise InputError(f"Output file {str(target)!r}: {exc}") from None
    with atomic_path(target) as tmp:
        writer(df, tmp)
    return target


def write_tables(
    tables: Mapping[str, pl.DataFrame], folder: str | Path, formats: Iterable[str] = ("csv", "parquet")
) -> list[str]:
    """Write each table as ``<folder>/<name>.<format>`` (atomically); return the names."""
    tdir = Path(folder)
    for name, df in tables.items():
        for ext in formats:
            write_table(df, tdir / f"{name}.{ext}")
    return list(tables)


def write_excel_book(
    tables: Mapping[str, pl.DataFrame], path: str | Path, inputs: Iterable[str | Path | None] = ()
) -> Path:
    """One .xlsx with a sheet per table (sheet names cut to Excel's 31 characters, made unique).

    NaN and infinite floats become empty cells; nested columns are written as JSON text.
    """
    _require_xlsxwriter()
    import xlsxwriter

    target = check_not_input(path, inputs)
    with atomic_path(target) as tmp:
        with xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True}) as wb:
            used: set[str] = set()
            for name, df in tables.items():
                sheet = name[:31]
                k = 1
                while sheet in used:
                    k += 1
                    sheet = f"{name[:28]}~{k}"
                used.add(sheet)
                floats = [c for c, t in df.schema.items() if t.is_float()]
                clean = csv_safe(df).with_columns(pl.col(c).fill_nan(None) for c in floats)
                clean.write_excel(workbook=wb, worksheet=sheet, autofit=True, float_precision=6)
    return target


def save_figure(fig_or_ax: Any, path: str | Path, *, dpi: int = 150, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Save a matplotlib figure (or the figure of an axes) atomically; format from the suffix.

    PNG files carry no "Software" metadata, so the same figure gives the same bytes.
    """
    fig = getattr(fig_or_ax, "figure", None) or fig_or_ax
    if not hasattr(fig, "savefig"):
        fig = fig_or_ax
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FIGURE_SUFFIXES:
        raise InputError(f"Figure {str(target)!r}: use a .png, .svg or .pdf file name.")
    check_not_input(target, inputs)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=suffix.lstrip("."), dpi=dpi,
                    metadata={"Software": None} if suffix == ".png" else None)
    return target


def check_new_folder(out: str | Path, force: bool) -> Path:
    """Raise unless ``out`` is free, or an existing folder that ``force`` allows replacing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"Output folder {str(out)!r} exists and is not a folder; choose a folder name.")
    if out.exists() and not force:
        raise InputError(
            f"Output folder {str(out)!r} already exists; fastinno never overwrites results. "
            "Choose another folder (--out) or pass --force to replace it."
        )
    check_writable(out, "output folder")
    return out


def temporary_folder(target: str | Path) -> Path:
    """A new empty folder beside ``target`` (mode :func:`folder_mode`) to build an output in."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    except OSError as exc:
        raise InputError(f"Cannot write {str(target)!r}: {exc.strerror or exc}.") from None
    os.chmod(tmp, folder_mode())
    return tmp


def publish_folder(tmp: str | Path, out: str | Path, force: bool) -> Path:
    """Move a finished temporary folder into place (atomic rename; a replaced folder is removed)."""
    tmp, out = Path(tmp), Path(out)
    check_new_folder(out, force)
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
    return out
