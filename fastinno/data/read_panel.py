"""Reading panels: polars I/O, long <-> wide, missing-value policies, the dense float64 cube.

:func:`read_panel` reads a region x year x indicator table (CSV, Parquet, Excel or a frame, long
or wide), checks it against an indicator system and applies a missing-value policy. Nothing is
guessed silently: a comma that is not a thousands separator, a year that is not a calendar year,
a header that splits on another separator or names a column twice are errors; names are cleaned
of surrounding spaces (Unicode NFC) with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from .. import _options
from ..errors import FastinnoWarning, InputError, SchemaError, format_keys
from ..io.read import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    SEPARATOR_NAMES,
    check_separator,
    read_csv,
    read_excel,
)
from .names import check_year_range, check_years, clean_name, clean_names, warn_cleaned
from .panel import Panel
from .system import IndicatorSystem, read_system

__all__ = ["read_panel", "MissingPolicy", "MISSING_TOKENS"]

#: Strings read as a missing cell (statistical yearbooks use several).
MISSING_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", ".", "..", "...", "-", "--", "\u2014", "\u2026")
MissingPolicy = Literal["error", "interpolate", "drop-indicator", "drop-region", "keep"]
#: A number with thousands separators, per decimal mark: 1,234 / -1,234,567.8 (or 1.234,5).
_GROUPED = {".": r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$", ",": r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"}
#: Text that is a number under either decimal mark (decides which text columns are indicators).
_NUMBER_LIKE = r"^[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?$"


def read_panel(
    source: str | Path | pl.DataFrame | pl.LazyFrame,
    system: IndicatorSystem | Mapping[str, Any] | str | Path | None = None,
    *,
    layout: Literal["auto", "long", "wide"] = "auto",
    region: str = "region",
    year: str = "year",
    indicator: str = "indicator",
    value: str = "value",
    missing: MissingPolicy | Sequence[str] = "error",
    sheet: str | int | None = None,
    decimal: Literal[".", ","] = ".",
    separator: str | None = None,
    year_range: tuple[int, int] | None = None,
) -> Panel:
    """Read a region x year x indicator panel and check it against an indicator system.

    Parameters
    ----------
    source
        A path (``.csv``, ``.tsv``, ``.txt``, ``.parquet``, ``.xlsx``), a polars DataFrame or
        LazyFrame.
    system
        An :class:`IndicatorSystem`, a nested mapping, a TOML path, or None: then every numeric
        column (wide) or every indicator name (long) is a benefit indicator in one implicit
        dimension, and a :class:`FastinnoWarning` says so.
    layout
        ``"long"`` (region, year, indicator, value), ``"wide"`` (region, year, one column per
        indicator) or ``"auto"``: long when the indicator and value columns exist.
    region, year, indicator, value
        Column names.
    missing
        ``"error"`` (default): missing cells are an error naming them. ``"interpolate"``: linear
        over years within a region, edges carried from the nearest year (a region with no value
        at all for an indicator stays an error). ``"drop-indicator"`` / ``"drop-region"``: drop
        what has gaps. ``"keep"``: keep NaN (for inspection; models refuse such panels). A
        sequence applies policies in order, e.g. ``("interpolate", "drop-region")`` fills gaps
        and then drops regions with nothing to fill from. Non-error policies warn and record
        what they changed in ``panel.report``.
    sheet
        Excel sheet name or 0-based index (0 = the first sheet, the default; Excel sources only).
    decimal
        Decimal mark of numbers stored as text: ``"."`` (default) or ``","`` (``"0,5"`` = 0.5).
        The other mark is read as a thousands separator only in the strict pattern ``1,234`` /
        ``1,234,567.8`` (``1.234,5`` with ``decimal=","``); any other cell holding it is an error
        naming the cell.
    separator
        CSV field separator (one character; ``"tab"`` accepted). None: tab for ``.tsv``, else
        comma, and a header that looks semicolon- (tab-, pipe-) separated is an error saying so.
    year_range
        ``(first, last)`` plausible calendar years, inclusive (default
        :data:`fastinno._config.YEAR_RANGE`, 1000-2999). Years outside are an error: they are
        most often YYYYMM or YYYYQ codes. Years that are exactly 1, 2, ..., T (the time index of
        :meth:`Panel.from_array`) are accepted too.

    Returns
    -------
    Panel

    Raises
    ------
    InputError, SchemaError
        Unreadable files, missing or duplicated columns, cells that are not numbers, implausible
        years, duplicate cells, names that clash once cleaned, and missing cells under
        ``missing="error"``; each message names the cells, columns or values concerned.
    """
    policies = _check_policies(missing)
    if decimal not in (".", ","):
        raise InputError(f"decimal must be '.' or ','; got {decimal!r}.")
    year_range = check_year_range(year_range)
    if layout not in ("auto", "long", "wide"):
        raise InputError(f"layout must be 'auto', 'long' or 'wide'; got {layout!r}.")
    df = _load_frame(source, sheet, check_separator(separator))
    df, renamed = _clean_columns(df)
    if layout == "auto":
        layout = "long" if (indicator in df.columns and value in df.columns) else "wide"
    _require_columns(df, [region, year] + ([indicator, value] if layout == "long" else []), layout)
    if system is not None:
        system = read_system(system)
    if df.height == 0:
        raise SchemaError("The panel has no rows.")

    region_s, merged = _names_column(df.get_column(region), region, "region")
    renamed += merged
    year_s = _integer_years(df.get_column(year), year, year_range)

    if layout == "long":
        ind_s, merged_ind = _names_column(df.get_column(indicator), indicator, "indicator")
        renamed += merged_ind
        names_in_data = ind_s.unique(maintain_order=True).to_list()
        if system is None:
            system = _implicit_system(names_in_data, f"long layout, column {indicator!r}")
        else:
            _check_indicator_sets(system, names_in_data)
        vals = _numeric_values(
            df.get_column(value), keys=lambda rows: [(region_s[i], year_s[i], ind_s[i]) for i in rows], what="value", decimal=decimal
        )
        cube, regions, years = _long_to_cube(region_s, year_s, ind_s, vals, system, renamed)
    else:
        others = [c for c in df.columns if c not in (region, year)]
        if system is None:
            numeric = [c for c in others if _is_indicator_column(df.get_column(c))]
            skipped = [c for c in others if c not in numeric]
            if not numeric:
                raise SchemaError(f"No numeric indicator columns besides {region!r} and {year!r}; columns: {format_keys(df.columns)}.")
            system = _implicit_system(numeric, "wide layout", skipped)
        else:
            _check_indicator_sets(system, others)
        cols = list(system.indicators)
        values = np.empty((df.height, len(cols)), dtype=np.float64)
        for k, name in enumerate(cols):
            values[:, k] = _numeric_values(
                df.get_column(name),
                keys=lambda rows, name=name: [(region_s[i], year_s[i], name) for i in rows],
                what=f"column {name!r}",
                decimal=decimal,
            )
        cube, regions, years = _wide_to_cube(region_s, year_s, values, system, renamed)
    warn_cleaned(renamed, stacklevel=3)

    report: list[str] = []
    for k, policy in enumerate(policies):
        cube, regions, system, changed = _apply_missing(cube, regions, years, system, policy, last=k == len(policies) - 1)
        report.extend(changed)
    if any(not note.startswith("kept ") for note in report):
        warnings.warn("Missing-value policy changed the panel: " + "; ".join(report), FastinnoWarning, stacklevel=2)
    return Panel(cube, tuple(regions), tuple(years), system, tuple(report))


def _check_policies(missing: object) -> list[str]:
    """The missing-value policies in order, canonical spelling (``drop_region``)."""
    if not isinstance(missing, (str, Sequence)):
        raise InputError(f"missing must be a policy name or a sequence of them; got {missing!r}.")
    seq = [missing] if isinstance(missing, str) else list(missing)
    if isinstance(missing, str) and "," in missing:
        seq = [p.strip() for p in missing.split(",")]
    if not seq:
        raise InputError("missing must name at least one policy.")
    out = []
    for p in seq:
        try:
            out.append(_options.option("missing").check(p, name="missing-value policy"))
        except InputError as exc:
            raise InputError(f"{exc} Several policies apply in order, e.g. ('interpolate', 'drop-region').") from None
    return out


def _load_frame(source: object, sheet: str | int | None, separator: str | None) -> pl.DataFrame:
    if isinstance(source, pl.LazyFrame):
        try:
            return source.collect()
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"Could not collect the LazyFrame: {exc}") from None
    if isinstance(source, pl.DataFrame):
        return source  # polars frames are immutable: nothing below modifies the caller's frame
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"Panel file {str(path)!r} does not exist.")
        suffix = path.suffix.lower()
        if suffix in CSV_SUFFIXES:
            df = read_csv(path, what="Panel", strings=True, separator=separator)
            tokens = list(MISSING_TOKENS)
            return df.with_columns(pl.when(pl.col(c).str.strip_chars().is_in(tokens)).then(None).otherwise(pl.col(c)).alias(c) for c in df.columns)
        if suffix in (".parquet", ".pq"):
            try:
                return pl.read_parquet(path)
            except (pl.exceptions.PolarsError, OSError) as exc:
                raise InputError(f"Could not read {str(path)!r}: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
        if suffix in EXCEL_SUFFIXES:
            return read_excel(path, sheet=sheet, what="Panel")
        raise InputError(f"Unsupported panel file type {suffix!r} ({str(path)!r}): use .csv, .parquet or .xlsx.")
    try:  # pandas and other frame libraries via the dataframe interchange protocol
        return pl.from_dataframe(source)  # type: ignore[arg-type]
    except Exception:
        raise InputError(
            f"source must be a path, a polars DataFrame or LazyFrame; got {type(source).__name__}."
        ) from None


def _clean_columns(df: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[str, str, str]]]:
    """Column names without surrounding spaces, in NFC; the changes as (what, before, after)."""
    cleaned, changes = clean_names(df.columns, "column")
    if changes:
        df = df.rename(dict(zip(df.columns, cleaned)))
    return df, [("column", a, b) for a, b in changes]


def _require_columns(df: pl.DataFrame, cols: list[str], layout: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        for sep, word in SEPARATOR_NAMES.items():
            if sep != "," and any(sep in c for c in df.columns):
                raise SchemaError(
                    f"Column(s) {format_keys(missing)} not found; the table has {format_keys(df.columns)}, which "
                    f"looks {word}-separated: pass separator={sep!r} (CLI --separator {'tab' if sep == chr(9) else repr(sep)})."
                )
        hint = (
            " For a long table pass indicator=..., value=... column names; for a wide one layout='wide'."
            if layout == "long"
            else " Pass region=..., year=... with your column names."
        )
        raise SchemaError(
            f"Column(s) {format_keys(missing)} not found ({layout} layout); the table has {format_keys(df.columns)}.{hint}"
        )


def _names_column(s: pl.Series, column: str, what: str) -> tuple[pl.Series, list[tuple[str, str, str]]]:
    """Region or indicator names as cleaned text; empty names are an error naming the rows."""
    if s.dtype.is_float():  # integer codes stored as floats (Excel): 110000.0 -> "110000"
        arr = s.to_numpy()
        if np.all(np.isnan(arr) | ((arr == np.round(arr)) & (np.abs(arr) < 2**53))):
            s = s.cast(pl.Int64, strict=False)
    if not (s.dtype in (pl.String, pl.Categorical, pl.Null) or isinstance(s.dtype, pl.Enum) or s.dtype.is_integer()):
        raise SchemaError(f"Column {column!r} holds {s.dtype} values; {what} names must be text (or integer codes).")
    s = s.cast(pl.String)
    labels = s.drop_nulls().unique(maintain_order=True).to_list()
    clean = {lab: clean_name(lab) for lab in labels}
    changes = [(what, a, b) for a, b in clean.items() if a != b and b]
    if any(a != b for a, b in clean.items()):
        s = s.replace_strict(list(clean), [v or None for v in clean.values()], default=None, return_dtype=pl.String)
    if s.null_count():
        rows = np.flatnonzero(s.is_null().to_numpy())
        raise SchemaError(f"Column {column!r} has empty {what} names in row(s) {format_keys(rows.tolist())}: fill or drop them.")
    return s, changes


def _integer_years(s: pl.Series, name: str, year_range: tuple[int, int]) -> np.ndarray:
    if s.null_count():
        rows = np.flatnonzero(s.is_null().to_numpy())
        raise SchemaError(f"Column {name!r} has empty years in row(s) {format_keys(rows.tolist())}: fill or drop them.")
    if s.dtype.is_numeric():
        arr = s.cast(pl.Float64).to_numpy()
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
    elif s.dtype in (pl.String, pl.Categorical) or isinstance(s.dtype, pl.Enum):
        cast = s.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        arr = cast.fill_null(np.nan).to_numpy()
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
    else:
        raise SchemaError(f"Column {name!r} holds {s.dtype} values; years must be integers (the calendar year, e.g. 2015).")
    if bad.size:
        seen = [s[int(i)] for i in bad]
        raise SchemaError(
            f"Years must be integers; column {name!r} has {format_keys(seen)} in row(s) "
            f"{format_keys(bad.tolist())}. Use the calendar year (e.g. 2015), not a date or a label."
        )
    check_years(arr, f"column {name!r}", year_range)
    return arr.astype(np.int64)


def _is_indicator_column(s: pl.Series) -> bool:
    """A numeric column, or a text column with at least one cell that reads as a number."""
    if s.dtype.is_numeric():
        return True
    if not (s.dtype in (pl.String, pl.Categorical) or isinstance(s.dtype, pl.Enum)):
        return False
    return bool(s.cast(pl.String).str.strip_chars().str.contains(_NUMBER_LIKE).any())


def _numeric_values(s: pl.Series, keys, what: str, decimal: str = ".") -> np.ndarray:
    """Float64 values with NaN for missing; cells that are not numbers are an error naming them."""
    if s.dtype == pl.Null:
        return np.full(s.len(), np.nan)
    if s.dtype == pl.Boolean:
        raise SchemaError(f"{what} is boolean; indicators must be numeric.")
    if s.dtype.is_numeric():
        arr = s.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    elif s.dtype in (pl.String, pl.Categorical) or isinstance(s.dtype, pl.Enum):
        arr = _parse_numbers(s.cast(pl.String), keys, what, decimal)
    else:
        raise SchemaError(f"{what} holds {s.dtype} values; indicators must be numbers.")
    inf = np.flatnonzero(np.isinf(arr))
    if inf.size:
        raise SchemaError(
            f"Infinite values in {what} at (region, year, indicator) {format_keys(keys(inf[:5].tolist()))}"
            f"{'' if inf.size <= 5 else f' and {inf.size - 5} more'}: replace them with finite numbers or blanks."
        )
    return arr


def _parse_numbers(s: pl.Series, keys, what: str, decimal: str) -> np.ndarray:
    """Text cells as numbers under ``decimal``; the other mark only as a strict thousands separator."""
    text = s.str.strip_chars()
    if text.len():
        text = text.set(text.is_in(list(MISSING_TOKENS)), None)
    if decimal == "." or not text.str.contains(r"[.,]").any():  # fast path: plain numbers
        cast = text.cast(pl.Float64, strict=False)
        if not (cast.is_null() & text.is_not_null()).any():
            return cast.to_numpy().astype(np.float64, copy=True)
    other = "," if decimal == "." else "."
    grouped = text.str.contains(_GROUPED[decimal]).fill_null(False)
    stray = text.str.contains(other, literal=True).fill_null(False) & ~grouped
    cleaned = text.str.replace_all(other, "", literal=True) if decimal == "." else text.str.replace_all(".", "", literal=True)
    cleaned = pl.select(pl.when(grouped).then(cleaned).otherwise(text)).to_series()
    if decimal == ",":
        cleaned = cleaned.str.replace_all(",", ".", literal=True)
    cast = cleaned.cast(pl.Float64, strict=False)
    cast = pl.select(pl.when(stray).then(None).otherwise(cast)).to_series()
    failed = (cast.is_null() & text.is_not_null()).to_numpy()
    marked = np.flatnonzero(failed & stray.to_numpy() & text.str.contains(_NUMBER_LIKE).fill_null(False).to_numpy())
    if marked.size:
        seen = [text[int(i)] for i in marked]
        where = f"{format_keys(seen)} at (region, year, indicator) {format_keys(keys(marked[:5].tolist()))}"
        more = "" if marked.size <= 5 else f" and {marked.size - 5} more"
        if decimal == ".":
            raise SchemaError(
                f"Cells with a comma in {what}: {where}{more}. A comma is read as a thousands separator "
                "only as in 1,234 or 1,234,567.8; for decimal commas (0,5 = 0.5) pass decimal=',' "
                "(CLI --decimal ',')."
            )
        raise SchemaError(
            f"Cells with a decimal point in {what} but decimal=',': {where}{more}. A point is read as a "
            "thousands separator only as in 1.234 or 1.234.567,8; pass decimal='.' if points are "
            "decimal marks."
        )
    bad = np.flatnonzero(failed)
    if bad.size:
        seen = [text[int(i)] for i in bad]
        raise SchemaError(
            f"Non-numeric cells in {what}: {format_keys(seen)} at (region, year, indicator) "
            f"{format_keys(keys(bad[:5].tolist()))}{'' if bad.size <= 5 else f' and {bad.size - 5} more'}. "
            "Fix or blank them (blank cells count as missing)."
        )
    return cast.to_numpy().astype(np.float64, copy=True)


def _implicit_system(names: list[str], where: str, skipped: list[str] | None = None) -> IndicatorSystem:
    msg = (
        f"No indicator system given: treating {len(names)} indicator(s) from the {where} as benefit "
        f"indicators in one dimension ({format_keys(names)})."
    )
    if skipped:
        msg += f" Non-numeric column(s) ignored: {format_keys(skipped)}."
    msg += " Pass system=... to set directions and dimensions."
    warnings.warn(msg, FastinnoWarning, stacklevel=3)
    return IndicatorSystem.flat(names)


def _check_indicator_sets(system: IndicatorSystem, in_data: list[str]) -> None:
    have = set(in_data)
    want = system.indicators
    not_in_data = [n for n in want if n not in have]
    if not_in_data:
        raise SchemaError(
            f"Indicator(s) {format_keys(not_in_data)} are in the system but not in the data: add them "
            "to the table or remove them from the system."
        )
    extra = [n for n in in_data if n not in set(want)]
    if extra:
        raise SchemaError(
            f"Indicator(s) {format_keys(extra)} are in the data but not in the system: add them to the "
            "system (with a direction) or drop them from the table."
        )


def _codes(s: pl.Series) -> tuple[np.ndarray, list]:
    """Integer codes in order of first appearance, and the labels."""
    labels = s.unique(maintain_order=True)
    codes = s.replace_strict(labels, pl.int_range(labels.len(), eager=True), return_dtype=pl.Int64).to_numpy()
    return codes, labels.to_list()


def _merged_note(renamed: list[tuple[str, str, str]]) -> str:
    merged = [(before, after) for what, before, after in renamed if what != "column"]
    if not merged:
        return ""
    return (
        f" Names that differ only in surrounding spaces or Unicode form were merged ({format_keys(merged)}): "
        "check whether they were meant as different rows."
    )


def _long_to_cube(region_s: pl.Series, year_s: np.ndarray, ind_s: pl.Series, vals: np.ndarray, system: IndicatorSystem, renamed: list):
    rcode, regions = _codes(region_s)
    years = np.unique(year_s)
    tcode = np.searchsorted(years, year_s)
    name_to_j = {n: k for k, n in enumerate(system.indicators)}
    icode_labels = ind_s.unique(maintain_order=True).to_list()
    icode_local, _ = _codes(ind_s)
    jmap = np.array([name_to_j[n] for n in icode_labels], dtype=np.int64)
    jcode = jmap[icode_local]
    n_r, n_t, n_j = len(regions), len(years), system.n_indicators
    flat = (rcode * n_t + tcode) * n_j + jcode
    counts = np.bincount(flat, minlength=n_r * n_t * n_j)
    dup = np.flatnonzero(counts > 1)
    if dup.size:
        keys = [(regions[f // (n_t * n_j)], int(years[(f // n_j) % n_t]), system.indicators[f % n_j]) for f in dup[:5]]
        raise SchemaError(
            f"Duplicate (region, year, indicator) rows: {format_keys(keys)}"
            f"{'' if dup.size <= 5 else f' and {dup.size - 5} more'}. Keep one row per cell (aggregate or drop duplicates)."
            + _merged_note(renamed)
        )
    cube = np.full(n_r * n_t * n_j, np.nan)
    cube[flat] = vals
    return cube.reshape(n_r, n_t, n_j), regions, [int(y) for y in years]


def _wide_to_cube(region_s: pl.Series, year_s: np.ndarray, values: np.ndarray, system: IndicatorSystem, renamed: list):
    rcode, regions = _codes(region_s)
    years = np.unique(year_s)
    tcode = np.searchsorted(years, year_s)
    n_r, n_t = len(regions), len(years)
    flat = rcode * n_t + tcode
    counts = np.bincount(flat, minlength=n_r * n_t)
    dup = np.flatnonzero(counts > 1)
    if dup.size:
        keys = [(regions[f // n_t], int(years[f % n_t])) for f in dup[:5]]
        raise SchemaError(
            f"Duplicate (region, year) rows: {format_keys(keys)}{'' if dup.size <= 5 else f' and {dup.size - 5} more'}. "
            "Keep one row per region and year." + _merged_note(renamed)
        )
    cube = np.full((n_r * n_t, system.n_indicators), np.nan)
    cube[flat] = values
    return cube.reshape(n_r, n_t, system.n_indicators), regions, [int(y) for y in years]


def _apply_missing(cube: np.ndarray, regions: list, years: list, system: IndicatorSystem, policy: str, last: bool):
    nan = np.isnan(cube)
    if not nan.any():
        return cube, regions, system, []
    cells = [(regions[r], years[t], system.indicators[j]) for r, t, j in np.argwhere(nan)]
    if policy == "error":
        raise SchemaError(
            f"{len(cells)} missing cell(s) (region, year, indicator): {format_keys(cells)}. "
            "Fill them, or load with missing='interpolate', 'drop-indicator' or 'drop-region'."
        )
    if policy == "keep":
        return cube, regions, system, [f"kept {len(cells)} missing cell(s) as NaN: {format_keys(cells)}"]
    if policy == "drop_region":
        bad = nan.any(axis=(1, 2))
        dropped = [regions[k] for k in np.flatnonzero(bad)]
        if bad.all():
            raise SchemaError(f"Every region has missing cells ({format_keys(dropped)}): 'drop-region' would leave nothing.")
        keep = np.flatnonzero(~bad)
        return cube[keep].copy(), [regions[k] for k in keep], system, [f"dropped {len(dropped)} region(s) with missing cells: {format_keys(dropped)}"]
    if policy == "drop_indicator":
        bad = nan.any(axis=(0, 1))
        dropped = [system.indicators[k] for k in np.flatnonzero(bad)]
        if bad.all():
            raise SchemaError(f"Every indicator has missing cells ({format_keys(dropped)}): 'drop-indicator' would leave nothing.")
        keep = np.flatnonzero(~bad)
        new_system = system.subset([system.indicators[k] for k in keep])
        return cube[:, :, keep].copy(), regions, new_system, [f"dropped {len(dropped)} indicator(s) with missing cells: {format_keys(dropped)}"]
    # interpolate: linear in the true year values, edges carried from the nearest observed year.
    out = cube.copy()
    yrs = np.asarray(years, dtype=np.float64)
    empty: list[tuple[str, str]] = []
    filled: list[tuple[str, int, str]] = []
    for r, j in zip(*np.nonzero(nan.any(axis=1))):
        series = out[r, :, j]
        ok = ~np.isnan(series)
        if not ok.any():
            empty.append((regions[r], system.indicators[j]))
            continue
        miss = ~ok
        series[miss] = np.interp(yrs[miss], yrs[ok], series[ok])
        filled.extend((regions[r], years[t], system.indicators[j]) for t in np.flatnonzero(miss))
    if empty and last:
        raise SchemaError(
            f"Cannot interpolate: {len(empty)} (region, indicator) series have no value in any year: "
            f"{format_keys(empty)}. Drop them with missing=('interpolate', 'drop-region') or "
            "('interpolate', 'drop-indicator'), or supply the data."
        )
    changed = [f"interpolated {len(filled)} cell(s): {format_keys(filled)}"] if filled else []
    return out, regions, system, changed
