"""Expert surveys for DEMATEL: reading scores and factor tables, crisp score matrices.

A survey is read from a long table (``expert``, ``from``, ``to``, ``score``), one square matrix
per expert (CSV files, a folder, or Excel sheets), or an array, into a :class:`Survey` that keeps
the raw cells (codes, labels or numbers) until a scale is applied
(:mod:`fastinno.data.linguistic`) or, for crisp DEMATEL, :func:`crisp_matrices` reads them as
numbers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import FastinnoWarning, InputError, SchemaError, format_keys
from ..io.read import EXCEL_SUFFIXES, read_excel, read_table

__all__ = [
    "Survey",
    "read_survey",
    "read_factors",
    "align_factors",
    "array_factor_table",
    "crisp_matrices",
    "parse_cell",
]


@dataclass(frozen=True)
class Survey:
    """Expert scores as read, before any scale is applied.

    Attributes
    ----------
    experts : tuple[str, ...]
        Expert ids in order of appearance (file stem, sheet name or ``expert`` value).
    factors : tuple[str, ...]
        Factor codes in order of appearance.
    cells : np.ndarray
        object (n_experts, n_factors, n_factors): the raw score of expert k for the influence of
        factor i on factor j (int/float code, str label, or None when missing).
    source : str
        Where the survey came from.
    """

    experts: tuple
    factors: tuple
    cells: np.ndarray
    source: str = ""

    def reorder(self, factors: Sequence[str]) -> Survey:
        """The same survey with factors in the given order (same set)."""
        pos = [self.factors.index(f) for f in factors]
        cells = self.cells[:, pos, :][:, :, pos]
        return Survey(self.experts, tuple(factors), cells, self.source)


_LONG_COLUMNS = ("expert", "from", "to", "score")


def read_survey(source, *, sheet: str | None = None) -> Survey:
    """Read an expert survey.

    Parameters
    ----------
    source
        - a long table (``expert``, ``from``, ``to``, ``score``) as a CSV, Parquet or Excel
          file, or a polars DataFrame/LazyFrame;
        - a directory of CSV files, or a list of CSV paths, each one expert's square matrix with
          a header row of factor codes (and optionally a first column of row codes); the expert
          id is the file stem;
        - an Excel workbook with one sheet per expert (the same matrix layout; expert id = sheet
          name), or with one long-table sheet;
        - a single matrix CSV (one expert);
        - a numpy array (n_experts, n, n) or (n, n) of scores; factors C1..Cn, experts E1..EK.
    sheet : str, optional
        Excel only: read just this sheet as a long table.

    Returns
    -------
    Survey

    Raises
    ------
    SchemaError
        Missing columns, non-square matrices, factor sets differing between experts, duplicate
        or missing cells (named by expert and cell).
    """
    if isinstance(source, Survey):
        return source
    if isinstance(source, (pl.DataFrame, pl.LazyFrame)):
        df = source.collect() if isinstance(source, pl.LazyFrame) else source
        return _survey_from_long(df, "<DataFrame>")
    if isinstance(source, np.ndarray) or (
        isinstance(source, (list, tuple)) and source and not isinstance(source[0], (str, Path))
    ):
        return _survey_from_array(source)
    if isinstance(source, (list, tuple)):
        paths = [Path(p) for p in source]
        mats = [(p.stem, _read_matrix_csv(p)) for p in paths]
        return _survey_from_matrices(mats, ", ".join(str(p) for p in paths))
    path = Path(source)
    if not path.exists():
        raise SchemaError(f"Survey {str(path)!r} does not exist.")
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise SchemaError(
                f"Survey directory {str(path)!r} holds no .csv files (one matrix per expert)."
            )
        mats = [(p.stem, _read_matrix_csv(p)) for p in files]
        return _survey_from_matrices(mats, str(path))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        if sheet is not None:
            df = read_excel(path, sheet=sheet, what="Survey", strings=True)
            return _survey_from_long(df, f"{path}[{sheet}]")
        sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0)
        if len(sheets) == 1:
            ((name, df),) = sheets.items()
            if _has_long_columns(df):
                return _survey_from_long(df, str(path))
        mats = []
        for name, df in sheets.items():
            if _has_long_columns(df):
                raise SchemaError(
                    f"Workbook {str(path)!r}: sheet {name!r} is a long table but the workbook has "
                    f"{len(sheets)} sheets; pass sheet={name!r} or keep one sheet per expert."
                )
            mats.append((str(name), _matrix_from_frame(df, f"{path}[{name}]")))
        return _survey_from_matrices(mats, str(path))
    if suffix == ".parquet":
        return _survey_from_long(read_table(path, what="Survey"), str(path))
    if suffix in (".csv", ".txt", ".tsv"):
        df = read_table(path, what="Survey", strings=True)
        if _has_long_columns(df):
            return _survey_from_long(df, str(path))
        return _survey_from_matrices([(path.stem, _matrix_from_frame(df, str(path)))], str(path))
    raise SchemaError(
        f"Survey {str(path)!r}: unsupported file type {suffix!r}; use .csv, .parquet, .xlsx or a "
        "directory of per-expert .csv matrices."
    )


def _has_long_columns(df: pl.DataFrame) -> bool:
    cols = {c.strip().lower() for c in df.columns}
    return set(_LONG_COLUMNS) <= cols


def parse_cell(v):
    """Normalise one raw survey cell: None for missing, int for integral numbers, str stripped."""
    if v is None:
        return None
    if isinstance(v, str):
        s = v.strip()
        if s == "" or s.lower() in ("na", "nan", "null", "none"):
            return None
        try:
            f = float(s)
        except ValueError:
            return s
        v = f
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(v):
            return None
        return int(v) if float(v).is_integer() else float(v)
    return v


def _key(v):
    """An expert id or factor code as a string (integral numbers without '.0'); None if blank."""
    v = parse_cell(v) if not isinstance(v, str) else (v.strip() or None)
    return None if v is None else str(v)


def _survey_from_long(df: pl.DataFrame, where: str) -> Survey:
    rename = {c: c.strip().lower() for c in df.columns}
    df = df.rename(rename)
    missing = [c for c in _LONG_COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(
            f"Survey {where}: long table lacks column(s) {format_keys(missing)}; expected "
            f"{format_keys(_LONG_COLUMNS)} (or one square matrix per expert)."
        )
    experts_col = [_key(v) for v in df["expert"].to_list()]
    frm = [_key(v) for v in df["from"].to_list()]
    to = [_key(v) for v in df["to"].to_list()]
    scores = [parse_cell(v) for v in df["score"].to_list()]
    null_rows = [
        i + 1 for i, (e, f, t) in enumerate(zip(experts_col, frm, to)) if None in (e, f, t)
    ]
    if null_rows:
        raise SchemaError(
            f"Survey {where}: empty expert/from/to in data row(s) {format_keys(null_rows)}."
        )
    experts = list(dict.fromkeys(experts_col))
    factors = list(dict.fromkeys([*frm, *to]))
    # within a long table the codes may come as '1' / '1.0': keep strings as given
    e_pos = {e: i for i, e in enumerate(experts)}
    f_pos = {f: i for i, f in enumerate(factors)}
    n = len(factors)
    cells = np.full((len(experts), n, n), None, dtype=object)
    seen = np.zeros((len(experts), n, n), dtype=bool)
    dups = []
    for e, f, t, s in zip(experts_col, frm, to, scores):
        k, i, j = e_pos[e], f_pos[f], f_pos[t]
        if seen[k, i, j]:
            dups.append((e, f, t))
        seen[k, i, j] = True
        cells[k, i, j] = s
    if dups:
        raise SchemaError(
            f"Survey {where}: duplicate (expert, from, to) cell(s) {format_keys(dups)}; each "
            "expert scores each pair once."
        )
    # every expert must score the same factor set
    for k, e in enumerate(experts):
        used = seen[k].any(axis=1) | seen[k].any(axis=0)
        absent = [factors[i] for i in range(n) if not used[i]]
        if absent:
            raise SchemaError(
                f"Survey {where}: expert {e!r} scores no pair involving factor(s) "
                f"{format_keys(absent)}, which other experts score: every expert must score the "
                "same factor set."
            )
    return Survey(tuple(experts), tuple(factors), cells, where)


def _read_matrix_csv(path: Path):
    if not path.exists():
        raise SchemaError(f"Survey matrix {str(path)!r} does not exist.")
    df = read_table(path, what="Survey matrix", strings=True)
    return _matrix_from_frame(df, str(path))


def _matrix_from_frame(df: pl.DataFrame, where: str):
    """-> (factor codes, object (n, n) cells) from a matrix sheet with a header of codes."""
    cols = list(df.columns)
    first = cols[0] if cols else ""
    first_vals = (
        [str(v).strip() if v is not None else "" for v in df[first].to_list()] if cols else []
    )
    labelled = (
        first.strip().lower() in ("", "factor", "code", "from", "from/to", "from\\to")
        or first.startswith("__UNNAMED__")
        or (len(cols) == df.height + 1 and set(first_vals) == {c.strip() for c in cols[1:]})
    )
    if labelled:
        codes = [c.strip() for c in cols[1:]]
        rows = first_vals
    else:
        codes = [c.strip() for c in cols]
        rows = None
    n = len(codes)
    if df.height != n:
        raise SchemaError(
            f"Survey matrix {where} is not square: {df.height} row(s) for {n} factor column(s) "
            f"{format_keys(codes)}."
        )
    if len(set(codes)) != n:
        raise SchemaError(f"Survey matrix {where}: duplicate factor codes in the header.")
    data_cols = cols[1:] if labelled else cols
    cells = np.empty((n, n), dtype=object)
    for j, c in enumerate(data_cols):
        for i, v in enumerate(df[c].to_list()):
            cells[i, j] = parse_cell(v)
    if rows is not None:
        if rows != codes:
            if set(rows) != set(codes) or len(set(rows)) != n:
                raise SchemaError(
                    f"Survey matrix {where}: row codes {format_keys(rows)} differ from the header "
                    f"codes {format_keys(codes)}."
                )
            pos = [rows.index(c) for c in codes]
            cells = cells[pos, :]
    return codes, cells


def _survey_from_matrices(mats, where: str) -> Survey:
    experts = [m[0] for m in mats]
    if len(set(experts)) != len(experts):
        raise SchemaError(f"Survey {where}: duplicate expert ids {format_keys(experts)}.")
    factors = mats[0][1][0]
    out = []
    for name, (codes, cells) in mats:
        if set(codes) != set(factors):
            extra = [c for c in codes if c not in factors]
            lack = [c for c in factors if c not in codes]
            raise SchemaError(
                f"Survey {where}: expert {name!r} has factor set differing from expert "
                f"{experts[0]!r} (extra: {format_keys(extra) or 'none'}; missing: "
                f"{format_keys(lack) or 'none'})."
            )
        pos = [codes.index(f) for f in factors]
        out.append(cells[pos, :][:, pos])
    return Survey(tuple(experts), tuple(factors), np.stack(out), where)


def _survey_from_array(source) -> Survey:
    arr = np.asarray(source)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2]:
        raise SchemaError(
            f"Survey array must have shape (n_experts, n, n) or (n, n); got {np.shape(source)}."
        )
    k, n, _ = arr.shape
    if n < 2:
        raise SchemaError(f"Survey needs at least 2 factors; got {n}.")
    cells = np.empty(arr.shape, dtype=object)
    flat = arr.reshape(-1)
    cflat = cells.reshape(-1)
    for i in range(flat.size):
        cflat[i] = parse_cell(flat[i].item() if hasattr(flat[i], "item") else flat[i])
    return Survey(
        tuple(f"E{e + 1}" for e in range(k)), tuple(f"C{i + 1}" for i in range(n)), cells, "<array>"
    )


def read_factors(source) -> pl.DataFrame:
    """Read a factor table: ``code`` (required), ``name`` and ``group`` (optional).

    ``source`` is a CSV/Parquet/Excel path or a polars frame. Returns a frame with columns
    ``code``, ``name`` (code when absent), ``group`` (null when absent), all strings, in the
    table's order. Duplicate codes raise :class:`SchemaError`.
    """
    if isinstance(source, pl.LazyFrame):
        df = source.collect()
    elif isinstance(source, pl.DataFrame):
        df = source
    elif isinstance(source, Mapping):
        df = pl.DataFrame({"code": list(source), "name": [str(v) for v in source.values()]})
    elif isinstance(source, (list, tuple)):
        df = pl.DataFrame({"code": [str(c) for c in source]})
    else:
        path = Path(source)
        if not path.exists():
            raise SchemaError(f"Factor table {str(path)!r} does not exist.")
        df = read_table(path, what="Factor table", strings=True)
    df = df.rename({c: c.strip().lower() for c in df.columns})
    if "code" not in df.columns:
        raise SchemaError(
            f"Factor table lacks a 'code' column; has {format_keys(df.columns)}. Expected code, "
            "name, group."
        )
    codes = [str(c).strip() for c in df["code"].to_list()]
    dups = sorted({c for c in codes if codes.count(c) > 1})
    if dups:
        raise SchemaError(f"Factor table: duplicate code(s) {format_keys(dups)}.")
    names = (
        [str(v) if v is not None else c for v, c in zip(df["name"].to_list(), codes)]
        if "name" in df.columns
        else codes
    )
    groups = (
        [str(v) if v is not None else None for v in df["group"].to_list()]
        if "group" in df.columns
        else [None] * len(codes)
    )
    return pl.DataFrame(
        {"code": codes, "name": names, "group": groups},
        schema={"code": pl.String, "name": pl.String, "group": pl.String},
    )


def align_factors(survey: Survey, factors) -> tuple[Survey, pl.DataFrame]:
    """The survey in the factor table's order, and the table (code, name, group).

    ``factors`` is None (the survey's own codes and order) or anything :func:`read_factors`
    accepts; an array survey (codes C1..Cn) takes the table's codes in order.
    """
    if factors is None:
        table = pl.DataFrame(
            {
                "code": list(survey.factors),
                "name": list(survey.factors),
                "group": [None] * len(survey.factors),
            },
            schema={"code": pl.String, "name": pl.String, "group": pl.String},
        )
        return survey, table
    table = read_factors(factors)
    codes = table["code"].to_list()
    if (
        survey.source == "<array>"
        and len(codes) == len(survey.factors)
        and set(codes) != set(survey.factors)
    ):
        # an array has no factor codes of its own: the table names its rows in order
        survey = Survey(survey.experts, tuple(codes), survey.cells, survey.source)
    extra = [f for f in survey.factors if f not in codes]
    lack = [c for c in codes if c not in survey.factors]
    if extra or lack:
        raise SchemaError(
            "The factor table and the survey name different factors: "
            f"in the survey only: {format_keys(extra) or 'none'}; in the table only: "
            f"{format_keys(lack) or 'none'}."
        )
    return survey.reorder(codes), table


def array_factor_table(codes: tuple, factors):
    """Factor table for an array input, and the permutation of the array's factors (or None).

    Without ``factors`` the table lists the default codes C1..Cn. A table that uses those codes
    in another order gives a permutation; one with other codes names the rows in order.
    """
    n = len(codes)
    if factors is None:
        table = pl.DataFrame(
            {"code": list(codes), "name": list(codes), "group": [None] * n},
            schema={"code": pl.String, "name": pl.String, "group": pl.String},
        )
        return table, None
    table = read_factors(factors)
    tcodes = table["code"].to_list()
    if len(tcodes) != n:
        raise SchemaError(f"Factor table has {len(tcodes)} codes for {n} factors in the array.")
    if set(tcodes) == set(codes):
        return table, [codes.index(c) for c in tcodes]
    return table, None


def crisp_matrices(survey: Survey) -> np.ndarray:
    """Raw cells -> float64 (K, n, n) for plain DEMATEL; errors name expert and cell."""
    k, n, _ = survey.cells.shape
    out = np.zeros((k, n, n))
    bad, missing = [], []
    for e in range(k):
        for i in range(n):
            for j in range(n):
                v = survey.cells[e, i, j]
                if v is None:
                    if i != j:
                        missing.append(
                            (survey.experts[e], f"{survey.factors[i]} -> {survey.factors[j]}")
                        )
                    continue
                if isinstance(v, str) or not math.isfinite(float(v)) or float(v) < 0:
                    bad.append(
                        (survey.experts[e], f"{survey.factors[i]} -> {survey.factors[j]}", v)
                    )
                    continue
                out[e, i, j] = float(v)
    if missing:
        raise SchemaError(
            f"DEMATEL input {survey.source}: {len(missing)} missing value(s) at (matrix, from -> "
            f"to) {format_keys(missing)}."
        )
    if bad:
        raise InputError(
            f"DEMATEL input {survey.source}: {len(bad)} value(s) that are not finite non-negative "
            f"numbers at (matrix, from -> to, value) {format_keys(bad)}. Crisp DEMATEL needs "
            "numbers >= 0; use grey_dematel() for linguistic labels."
        )
    diag = [
        (survey.experts[e], survey.factors[i])
        for e in range(k)
        for i in range(n)
        if out[e, i, i] != 0
    ]
    if diag:
        warnings.warn(
            f"DEMATEL input {survey.source}: {len(diag)} non-zero diagonal value(s) at (matrix, "
            f"factor) {format_keys(diag)} were set to zero.",
            FastinnoWarning,
            stacklevel=3,
        )
        for e in range(k):
            np.fill_diagonal(out[e], 0.0)
    return out

