"""Reading panels: polars I/O, long <-> wide, missing-value policies, the dense float64 cube.

:func:`read_panel` reads a region x year x indicator table (CSV, Parquet, Excel or a frame, long
or wide), checks it against an indicator system and applies a missing-value policy.
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
from ..io.read import read_errors
from .panel import Panel
from .system import IndicatorSystem, read_system

__all__ = ["read_panel", "MissingPolicy", "MISSING_TOKENS"]

#: Strings read as a missing cell (statistical yearbooks use several).
MISSING_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", ".", "..", "...", "-", "--", "\u2014", "\u2026")
MissingPolicy = Literal["error", "interpolate", "drop-indicator", "drop-region", "keep"]


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
) -> Panel:
    """Read a region x year x indicator panel and check it against an indicator system.

    Parameters
    ----------
    source
        A path (``.csv``, ``.parquet``, ``.xlsx``), a polars DataFrame or LazyFrame.
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
        Excel sheet name or index (Excel sources only).

    Returns
    -------
    Panel
    """
    policies = _check_policies(missing)
    df = _load_frame(source, sheet)
    if layout not in ("auto", "long", "wide"):
        raise InputError(f"layout must be 'auto', 'long' or 'wide'; got {layout!r}.")
    if layout == "auto":
        layout = "long" if (indicator in df.columns and value in df.columns) else "wide"
    _require_columns(df, [region, year] + ([indicator, value] if layout == "long" else []), layout)
    if system is not None:
        system = read_system(system)
    if df.height == 0:
        raise SchemaError("The panel has no rows.")

    region_s = df.get_column(region)
    if region_s.null_count():
        rows = np.flatnonzero(region_s.is_null().to_numpy())
        raise SchemaError(f"Column {region!r} has empty region names in row(s) {format_keys(rows.tolist())}: fill or drop them.")
    region_s = region_s.cast(pl.String)
    year_s = _integer_years(df.get_column(year), year)

    if layout == "long":
        ind_s = df.get_column(indicator)
        if ind_s.null_count():
            rows = np.flatnonzero(ind_s.is_null().to_numpy())
            raise SchemaError(f"Column {indicator!r} has empty indicator names in row(s) {format_keys(rows.tolist())}.")
        ind_s = ind_s.cast(pl.String)
        names_in_data = ind_s.unique(maintain_order=True).to_list()
        if system is None:
            system = _implicit_system(names_in_data, f"long layout, column {indicator!r}")
        else:
            _check_indicator_sets(system, names_in_data)
        vals = _numeric_values(df.get_column(value), keys=lambda rows: [(region_s[i], year_s[i], ind_s[i]) for i in rows], what="value")
        cube, regions, years = _long_to_cube(region_s, year_s, ind_s, vals, system)
    else:
        others = [c for c in df.columns if c not in (region, year)]
        if system is None:
            numeric = [c for c in others if df.schema[c].is_numeric()]
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
                df.get_column(name), keys=lambda rows, name=name: [(region_s[i], year_s[i], name) for i in rows], what=f"column {name!r}"
            )
        cube, regions, years = _wide_to_cube(region_s, year_s, values, system)

    report: list[str] = []
    for k, policy in enumerate(policies):
        cube, regions, system, changed = _apply_missing(cube, regions, years, system, policy, last=k == len(policies) - 1)
        report.extend(changed)
    if any(not note.startswith("kept ") for note in report):
        warnings.warn("Missing-value policy changed the panel: " + "; ".join(report), FastinnoWarning, stacklevel=2)
    return Panel(cube, tuple(regions), tuple(years), system, tuple(report))


def _check_policies(missing: object) -> list[str]:
    """The missing-value policies in order, canonical spelling (``drop_region``)."""
    seq = [missing] if isinstance(missing, str) else list(missing)  # type: ignore[call-overload]
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


def _load_frame(source: object, sheet: str | int | None) -> pl.DataFrame:
    if isinstance(source, pl.LazyFrame):
        return source.collect()
    if isinstance(source, pl.DataFrame):
        return source  # polars frames are immutable: nothing below modifies the caller's frame
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"Panel file {str(path)!r} does not exist.")
        suffix = path.suffix.lower()
        try:
            if suffix in (".csv", ".txt", ".tsv"):
                return pl.read_csv(
                    path,
                    separator="\t" if suffix == ".tsv" else ",",
                    infer_schema_length=None,
                    null_values=list(MISSING_TOKENS[1:]),
                    try_parse_dates=False,
                )
            if suffix in (".parquet", ".pq"):
                return pl.read_parquet(path)
            if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
                kwargs: dict[str, Any] = {}
                if isinstance(sheet, int):
                    kwargs["sheet_id"] = sheet + 1
                elif sheet is not None:
                    kwargs["sheet_name"] = sheet
                return pl.read_excel(path, engine="calamine", **kwargs)
        except read_errors() as exc:
            if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
                raise
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"Could not read {str(path)!r}: {reason}".rstrip(".") + ".") from None
        raise InputError(f"Unsupported panel file type {suffix!r} ({str(path)!r}): use .csv, .parquet or .xlsx.")
    try:  # pandas and other frame libraries via the dataframe interchange protocol
        return pl.from_dataframe(source)  # type: ignore[arg-type]
    except Exception:
        raise InputError(
            f"source must be a path, a polars DataFrame or LazyFrame; got {type(source).__name__}."
        ) from None


def _require_columns(df: pl.DataFrame, cols: list[str], layout: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        hint = (
            " For a long table pass indicator=..., value=... column names; for a wide one layout='wide'."
            if layout == "long"
            else " Pass region=..., year=... with your column names."
        )
        raise SchemaError(
            f"Column(s) {format_keys(missing)} not found ({layout} layout); the table has {format_keys(df.columns)}.{hint}"
        )


def _integer_years(s: pl.Series, name: str) -> np.ndarray:
    if s.null_count():
        rows = np.flatnonzero(s.is_null().to_numpy())
        raise SchemaError(f"Column {name!r} has empty years in row(s) {format_keys(rows.tolist())}: fill or drop them.")
    if s.dtype.is_integer():
        return s.cast(pl.Int64).to_numpy()
    if s.dtype.is_float():
        arr = s.to_numpy()
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
    else:
        cast = s.cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
        bad = np.flatnonzero(cast.is_null().to_numpy())
        arr = cast.to_numpy()
    if bad.size:
        seen = [s[int(i)] for i in bad]
        raise SchemaError(
            f"Years must be integers; column {name!r} has {format_keys(seen)} in row(s) "
            f"{format_keys(bad.tolist())}. Use the calendar year (e.g. 2015), not a date or a label."
        )
    return np.asarray(arr, dtype=np.int64)


def _numeric_values(s: pl.Series, keys, what: str) -> np.ndarray:
    """Float64 values with NaN for missing; non-numeric cells are an error naming them."""
    if s.dtype == pl.Null:
        return np.full(s.len(), np.nan)
    if s.dtype.is_numeric() or s.dtype == pl.Boolean:
        if s.dtype == pl.Boolean:
            raise SchemaError(f"{what} is boolean; indicators must be numeric.")
        arr = s.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    else:
        text = s.cast(pl.String).str.strip_chars()
        text = pl.Series(text).set(text.is_in(list(MISSING_TOKENS)), None) if text.len() else text
        cleaned = text.str.replace_all(",", "", literal=True)
        cast = cleaned.cast(pl.Float64, strict=False)
        bad = np.flatnonzero((cast.is_null() & text.is_not_null()).to_numpy())
        if bad.size:
            seen = [text[int(i)] for i in bad]
            raise SchemaError(
                f"Non-numeric cells in {what}: {format_keys(seen)} at (region, year, indicator) "
                f"{format_keys(keys(bad[:5].tolist()))}{'' if bad.size <= 5 else f' and {bad.size - 5} more'}. "
                "Fix or blank them (blank cells count as missing)."
            )
        arr = cast.to_numpy().astype(np.float64, copy=True)
    inf = np.flatnonzero(np.isinf(arr))
    if inf.size:
        raise SchemaError(
            f"Infinite values in {what} at (region, year, indicator) {format_keys(keys(inf[:5].tolist()))}"
            f"{'' if inf.size <= 5 else f' and {inf.size - 5} more'}: replace them with finite numbers or blanks."
        )
    return arr


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


def _long_to_cube(region_s: pl.Series, year_s: np.ndarray, ind_s: pl.Series, vals: np.ndarray, system: IndicatorSystem):
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
        )
    cube = np.full(n_r * n_t * n_j, np.nan)
    cube[flat] = vals
    return cube.reshape(n_r, n_t, n_j), regions, [int(y) for y in years]


def _wide_to_cube(region_s: pl.Series, year_s: np.ndarray, values: np.ndarray, system: IndicatorSystem):
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
            "Keep one row per region and year."
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
