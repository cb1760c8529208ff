"""Reading tables, TOML and GeoJSON: one reader for every input file fastinno takes.

Tables are read by suffix (CSV / TSV, Parquet, Excel); TOML through the standard library's
``tomllib`` (``tomli`` before Python 3.11); region polygons from GeoJSON (:func:`read_geojson`). Errors are :class:`~fastinno.errors.InputError`
subclasses that name the file. CSV and Excel headers are checked before any column is renamed:
a name that appears twice is an error, and a CSV whose header splits on another separator than
the one used says which separator it looks like.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import ConfigError, InputError, SchemaError, format_keys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
#: Field separators recognised in a CSV header, with the word messages use for them.
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SEPARATOR_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "space": " "}
_HEAD_BYTES = 1 << 20


def read_errors() -> tuple[type[BaseException], ...]:
    """Exceptions the table readers raise on a damaged or empty file (polars, the Excel engine,
    the file system), to be reported as an :class:`InputError` naming the file."""
    errors: tuple[type[BaseException], ...] = (pl.exceptions.PolarsError, OSError, ValueError)
    try:
        from fastexcel import FastExcelError
    except ImportError:  # pragma: no cover - Excel support not installed
        return errors
    return (*errors, FastExcelError)


def read_table(
    path: str | Path, *, what: str = "Table", strings: bool = False, separator: str | None = None
) -> pl.DataFrame:
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
    separator : str, optional
        CSV field separator; None: tab for ``.tsv``, else comma (see :func:`read_csv`).

    Raises
    ------
    InputError
        The file is missing, unreadable, or its suffix is not a table format.
    SchemaError
        A column name appears twice in the header.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} {str(p)!r} does not exist.")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(p)
        if suffix in EXCEL_SUFFIXES:
            return read_excel(p, what=what, strings=strings)
        if suffix in CSV_SUFFIXES:
            return read_csv(p, what=what, strings=strings, separator=separator)
    except InputError:
        raise
    except read_errors() as exc:
        raise InputError(f"{what} {str(p)!r} could not be read: {_reason(exc)}") from None
    raise InputError(f"{what} {str(p)!r}: unsupported file type {suffix!r}; use .csv, .parquet or .xlsx.")


def check_separator(separator: object) -> str | None:
    """A one-character CSV separator (``"tab"``, ``"\\t"``, ``"semicolon"``... accepted), or None."""
    if separator is None:
        return None
    if isinstance(separator, str):
        sep = _SEPARATOR_WORDS.get(separator.strip().lower(), separator) if len(separator) > 1 else separator
        if len(sep) == 1 and sep not in "\"\r\n":
            return sep
    raise InputError(f"separator must be one character such as ',', ';' or '\\t' (or 'tab'); got {separator!r}.")


def read_csv(
    path: str | Path,
    *,
    what: str = "Table",
    strings: bool = False,
    separator: str | None = None,
    null_values: list[str] | None = None,
) -> pl.DataFrame:
    """Read a CSV file whose header is checked first.

    Parameters
    ----------
    path : str or Path
    what : str
        How messages name the file.
    strings : bool
        Every column as text (no type inference; empty cells are null).
    separator : str, optional
        Field separator; None: tab for ``.tsv``, else comma. With None, a header with more
        semicolons (tabs, pipes) than commas outside quotes is an error saying so; with an explicit
        separator only a header that does not split at all is.
    null_values : list of str, optional
        Cells read as null (typed reading only; with ``strings`` the caller decides).

    Raises
    ------
    InputError
        Not UTF-8, empty, ragged rows, or the header looks separated by another character.
    SchemaError
        A column name appears twice (``"column 'x' appears twice"``), or a column with data has
        no name.
    """
    p = Path(path)
    given = check_separator(separator)
    sep = given or ("\t" if p.suffix.lower() == ".tsv" else ",")
    line = _header_line(p, what)
    other = _other_separator(line, sep, explicit=given is not None)
    if other is not None:
        raise InputError(
            f"{what} {str(p)!r} looks {SEPARATOR_NAMES[other]}-separated (its header {line[:60]!r} does "
            f"not split on {_show(sep)}): pass separator={other!r} (CLI --separator {_cli(other)})."
        )
    try:
        if not strings:
            df = pl.read_csv(p, separator=sep, infer_schema_length=None, null_values=null_values, try_parse_dates=False)
            header = _csv_header_fields(p, sep)
            if header is not None:
                _check_header(header, p, what)
            return df
        raw = pl.read_csv(p, separator=sep, has_header=False, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            raise
        raise InputError(f"Could not read {what.lower()} {str(p)!r}: {_reason(exc)}") from None
    if raw.height == 0:
        raise InputError(f"{what} {str(p)!r} is empty.")
    header = ["" if h is None else h for h in raw.row(0)]
    body = raw.slice(1)
    keep = [k for k, h in enumerate(header) if h.strip() or body.get_column(body.columns[k]).str.strip_chars().str.len_chars().max()]
    header = [header[k] for k in keep]
    _check_header(header, p, what)
    return body.select([pl.col(body.columns[k]).alias(h) for k, h in zip(keep, header)])


def read_excel(path: str | Path, *, sheet: str | int | None = None, what: str = "Table", strings: bool = False) -> pl.DataFrame:
    """Read one sheet of a workbook; the sheet and the header are checked first.

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        Sheet name, or 0-based index (0 = the first sheet, the default).
    what : str
        How messages name the file.
    strings : bool
        Every column as text.

    Raises
    ------
    InputError
        Unreadable workbook, or no such sheet (the message lists the sheets).
    SchemaError
        A column name appears twice in the header row.
    """
    import fastexcel

    p = Path(path)
    try:
        reader = fastexcel.read_excel(str(p))
        names = list(reader.sheet_names)
    except (fastexcel.FastExcelError, OSError) as exc:
        raise InputError(f"Could not read {what.lower()} {str(p)!r}: {_reason(exc)}") from None
    listing = f"the workbook has {len(names)} sheet(s): {format_keys(names)}"
    if sheet is None or (isinstance(sheet, int) and not isinstance(sheet, bool)):
        idx = 0 if sheet is None else int(sheet)
        if not 0 <= idx < len(names):
            raise InputError(f"Sheet {idx} does not exist in {str(p)!r}; {listing} (sheets are numbered from 0).")
        name = names[idx]
    elif isinstance(sheet, str):
        if sheet not in names:
            raise InputError(f"Sheet {sheet!r} does not exist in {str(p)!r}; {listing}.")
        name = sheet
    else:
        raise InputError(f"sheet must be a sheet name or a 0-based index; got {sheet!r}.")
    try:
        head = reader.load_sheet(name, header_row=None, n_rows=1).to_polars()
        header = [] if head.height == 0 else ["" if v is None else str(v) for v in head.row(0)]
        df = pl.read_excel(p, sheet_name=name, engine="calamine", **({"infer_schema_length": 0} if strings else {}))
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError, ValueError) as exc:
        raise InputError(f"Could not read sheet {name!r} of {str(p)!r}: {_reason(exc)}") from None
    _check_header([h for h in header if h.strip()], p, what)
    return df


def _check_header(header: list[str], p: Path, what: str) -> None:
    counts = Counter(header)
    dup = [h for h, c in counts.items() if c > 1]
    if dup:
        times = {2: "twice", 3: "three times"}
        parts = [f"column {h!r} appears {times.get(counts[h], f'{counts[h]} times')}" for h in dup[:5]]
        more = "" if len(dup) <= 5 else f" and {len(dup) - 5} more"
        raise SchemaError(f"{what} {str(p)!r}: {'; '.join(parts)}{more} in the header. Rename or drop the copies.")


def _header_line(p: Path, what: str) -> str:
    """The header (first record) of a CSV file as text, without BOM or line end."""
    try:
        with p.open("rb") as fh:
            data = fh.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise InputError(f"{what} {str(p)!r} does not exist.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(data) == _HEAD_BYTES and exc.start >= len(data) - 3:
            text = data[: exc.start].decode("utf-8")
        else:
            raise InputError(
                f"{what} {str(p)!r} is not UTF-8 text (byte {exc.start}): save it as UTF-8 (in Excel: "
                "'CSV UTF-8')."
            ) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{what} {str(p)!r} is empty.")
    quoted = False
    for k, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            return text[:k]
    return text


def _outside_quotes(line: str) -> str:
    return "".join(part for k, part in enumerate(line.split('"')) if k % 2 == 0)


def _other_separator(line: str, sep: str, explicit: bool) -> str | None:
    """The separator the header looks split by, when it is not ``sep``; else None."""
    bare = _outside_quotes(line)
    n_sep = bare.count(sep)
    best = max((c for c in SEPARATOR_NAMES if c != sep), key=bare.count)
    n_best = bare.count(best)
    if n_best == 0 or n_best <= n_sep or (explicit and n_sep > 0):
        return None
    return best


def _csv_header_fields(p: Path, sep: str) -> list[str] | None:
    import csv
    import io

    try:
        row = next(csv.reader(io.StringIO(_header_line(p, "Table")), delimiter=sep), None)
    except (csv.Error, InputError):
        return None
    return None if row is None else [h for h in row if h.strip()]


def _show(sep: str) -> str:
    return SEPARATOR_NAMES.get(sep, repr(sep)) + ("s" if sep in SEPARATOR_NAMES else "")


def _cli(sep: str) -> str:
    return "tab" if sep == "\t" else f"'{sep}'"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0].rstrip(".") if text else type(exc).__name__
    if "more fields" in str(exc):
        first += " (a row has more fields than the header: unquoted decimal commas? pass separator=';' or quote those cells)"
    return first + "."


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


@dataclass(frozen=True, eq=False)
class Geometry:
    """Region polygons read from a GeoJSON FeatureCollection (see :func:`read_geojson`).

    Attributes
    ----------
    keys : tuple of str
        Region name of each feature (its ``properties[key]`` as text), in file order; unique.
    polygons : tuple
        ``polygons[i]`` holds region ``keys[i]``'s polygons (one for a Polygon feature, one per
        part for a MultiPolygon); each polygon is a tuple of rings, the exterior first and its
        holes after it; each ring a float64 C-contiguous ``(n, 2)`` array of x, y positions
        (longitude, latitude for geographic data), as written in the file (GeoJSON rings repeat
        their first position last).
    key : str
        The property the names were read from.
    """

    keys: tuple[str, ...]
    polygons: tuple[tuple[tuple[np.ndarray, ...], ...], ...]
    key: str = "code"

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        n_poly = sum(len(p) for p in self.polygons)
        return f"Geometry({len(self.keys)} regions, {n_poly} polygons, key={self.key!r})"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` over every ring (NaN when there is no position)."""
        rings = [r for polys in self.polygons for poly in polys for r in poly if len(r)]
        if not rings:
            return (np.nan, np.nan, np.nan, np.nan)
        xy = np.concatenate(rings)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def read_geojson(source: str | Path | Mapping | Geometry, *, key: str = "code") -> Geometry:
    """Read the polygons of named regions from a GeoJSON FeatureCollection.

    Parameters
    ----------
    source : str, Path, dict or Geometry
        A GeoJSON file (UTF-8), or its already parsed dict; a :class:`Geometry` is returned as
        it is.
    key : str
        The feature property that names each region (``properties[key]``, read as text, so the
        number ``110101`` gives ``"110101"``).

    Returns
    -------
    Geometry
        The region names and their polygons (rings as float64 ``(n, 2)`` arrays), in file order.

    Raises
    ------
    InputError
        The file is missing, not UTF-8 or not JSON; the document is not a FeatureCollection or
        has no features; features lack the property ``key`` (the message lists the properties
        present); two features carry the same name (merge them into one MultiPolygon); a feature
        is not a Polygon or MultiPolygon, or its coordinates are malformed or not finite.
    """
    if isinstance(source, Geometry):
        return source
    doc, where = _load_geojson(source)
    if not isinstance(key, str) or not key:
        raise InputError(f"key must be the name of a feature property (a non-empty string); got {key!r}.")
    features = doc.get("features") if isinstance(doc, Mapping) else None
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise InputError(f"{where} must be a FeatureCollection with a 'features' list.")
    if not features:
        raise InputError(f"{where} has no features.")
    keys: list[str] = []
    polygons: list[tuple[tuple[np.ndarray, ...], ...]] = []
    no_key: list[int] = []
    for f, feat in enumerate(features):
        props = feat.get("properties") if isinstance(feat, Mapping) else None
        if not isinstance(props, Mapping) or props.get(key) is None:
            no_key.append(f)
            continue
        name = str(props[key])
        polygons.append(_polygons(feat.get("geometry"), name, where))
        keys.append(name)
    if no_key:
        have = sorted({str(k) for feat in features if isinstance(feat, Mapping)
                       for k in (feat.get("properties") or {})})
        raise InputError(f"{len(no_key)} feature(s) of {where} (positions {format_keys(no_key)}) have no property "
                         f"{key!r}; properties present: {', '.join(map(repr, have)) or 'none'}. "
                         "Pass key= naming the region code.")
    dups = sorted(r for r, c in Counter(keys).items() if c > 1)
    if dups:
        raise InputError(f"{len(dups)} region code(s) of {where} name several features: {format_keys(dups)}. "
                         "Merge them into one MultiPolygon feature each.")
    return Geometry(tuple(keys), tuple(polygons), key)


def _load_geojson(source: object) -> tuple[Any, str]:
    """The parsed document and how messages name it."""
    if isinstance(source, Mapping):
        return source, "the GeoJSON"
    if not isinstance(source, (str, Path)):
        raise InputError(f"A GeoJSON source is a file path or a parsed dict; got {type(source).__name__}.")
    p = Path(source)
    where = f"GeoJSON file {str(p)!r}"
    if not p.is_file():
        raise InputError(f"{where} does not exist.")
    try:
        return json.loads(p.read_text(encoding="utf-8-sig")), where
    except UnicodeDecodeError:
        raise InputError(f"{where} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON: {exc}.") from None


def _polygons(geometry: object, name: str, where: str) -> tuple[tuple[np.ndarray, ...], ...]:
    if not isinstance(geometry, Mapping) or "type" not in geometry:
        raise InputError(f"feature {name!r} of {where} has no geometry; each feature needs a Polygon or MultiPolygon.")
    gtype = geometry["type"]
    coords = geometry.get("coordinates")
    if gtype == "Polygon":
        parts = [coords]
    elif gtype == "MultiPolygon":
        parts = coords
    else:
        raise InputError(f"feature {name!r} of {where} is a {gtype}; only Polygon and MultiPolygon features "
                         "are read (regions need an area).")
    out = []
    try:
        for poly in parts:
            rings = []
            for ring in poly:
                a = np.asarray(ring, dtype=np.float64)
                if a.ndim != 2 or a.shape[1] < 2 or a.shape[0] < 1:
                    raise ValueError
                rings.append(np.ascontiguousarray(a[:, :2]))
            out.append(tuple(rings))
    except (TypeError, ValueError):
        raise InputError(f"feature {name!r} of {where} has malformed {gtype} coordinates "
                         "(expected rings of [x, y] positions).") from None
    if not all(np.isfinite(r).all() for poly in out for r in poly):
        raise InputError(f"feature {name!r} of {where} has non-finite coordinates.")
    return tuple(out)
