"""Grey-DEMATEL key-factor analysis from expert surveys, and plain (crisp) DEMATEL.

Steps (Xia, Li & Yin 2020, Sustainability 12(7):2739, section 3.1.2 and Appendix B; grey
aggregation after Bai & Sarkis 2013, IJPE 146(1):281-292):

1. read the survey (long table, one matrix per expert, one Excel sheet per expert, or an array);
2. map linguistic scores to grey numbers with a scale (the paper's Table 1 by default);
3. whiten each expert's grey matrix by CFCS (min/max scope "global" or "row");
4. weight experts (the paper's Table 2 labels, grey intervals, crisp numbers, or equal) and
   aggregate: Z = sum_k w_k Z^k, zero diagonal;
5. normalise N = Z / s (s = max row sum, or max of max row and column sums);
6. T = N (I - N)^{-1} by one LU solve;
7. R, C, R + C, R - C, roles, orderings, the influence map above a threshold.

An optional bootstrap over experts gives percentile intervals and the probability that each
factor is a cause.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from .. import _config
from .._random import block_seeds, check_seed
from ..errors import (
    ConfigError,
    DegenerateDataError,
    FastinnoWarning,
    InputError,
    SchemaError,
    SingularMatrixError,
    format_keys,
)
from ..io.read import EXCEL_SUFFIXES, read_table
from ..kernels import dematel as kd
from ..kernels import grey as kg
from ..results import DematelResult

__all__ = [
    "LinguisticScale",
    "Survey",
    "PAPER_SCALE",
    "SCALE_0_4",
    "WEIGHT_LABELS",
    "linguistic_scale",
    "read_survey",
    "read_factors",
    "expert_weights",
    "grey_dematel",
    "dematel",
]

# ----------------------------------------------------------------------------------------------
# Scales
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinguisticScale:
    """A linguistic scale: levels with an integer code, labels and a grey interval.

    Attributes
    ----------
    name : str
    codes : tuple[int, ...]
    labels : tuple[str, ...]
        Short label of each level (e.g. "VH").
    names : tuple[str, ...]
        Long name of each level (e.g. "Very high influence"); accepted as input too.
    lower, upper : tuple[float, ...]
        Grey interval of each level.
    """

    name: str
    codes: tuple
    labels: tuple
    names: tuple
    lower: tuple
    upper: tuple

    def describe(self) -> str:
        """One line: codes, labels and intervals."""
        parts = [
            f"{c}={lab} [{lo:g}, {up:g}]"
            for c, lab, lo, up in zip(self.codes, self.labels, self.lower, self.upper)
        ]
        return f"scale {self.name!r}: " + ", ".join(parts)

    def lookup(self) -> dict:
        """Map every accepted key (code as int, label and name lower-cased) to a level index."""
        out: dict = {}
        for i, (c, lab, nm) in enumerate(zip(self.codes, self.labels, self.names)):
            out[int(c)] = i
            out[str(lab).strip().lower()] = i
            if nm:
                out[str(nm).strip().lower()] = i
        return out


_PAPER_LABELS = ("N", "VL", "L", "H", "VH")
_PAPER_NAMES = (
    "No influence",
    "Very low influence",
    "Low influence",
    "High influence",
    "Very high influence",
)
_PAPER_LOWER = (0.0, 0.0, 0.25, 0.5, 0.75)
_PAPER_UPPER = (0.0, 0.25, 0.5, 0.75, 1.0)

#: The paper's Table 1 (Xia et al. 2020; Bai & Sarkis 2013): codes 1-5.
PAPER_SCALE = LinguisticScale(
    "paper", (1, 2, 3, 4, 5), _PAPER_LABELS, _PAPER_NAMES, _PAPER_LOWER, _PAPER_UPPER
)
#: The same scale coded 0-4 (Bai & Sarkis 2013, the refvector cases).
SCALE_0_4 = LinguisticScale(
    "0-4", (0, 1, 2, 3, 4), _PAPER_LABELS, _PAPER_NAMES, _PAPER_LOWER, _PAPER_UPPER
)

#: Expert-weight labels of the paper's Table 2 -> grey interval (label, long name).
WEIGHT_LABELS: dict = {
    "NI": ("Not important", 0.0, 0.3),
    "LI": ("Less important", 0.3, 0.5),
    "I": ("Important", 0.4, 0.7),
    "MI": ("More important", 0.5, 0.9),
    "VI": ("Very important", 0.7, 1.0),
}


def linguistic_scale(spec: str | Path | LinguisticScale | Mapping = "paper") -> LinguisticScale:
    """Resolve a scale specification.

    Parameters
    ----------
    spec : "paper" | "0-4" | path to a TOML file | mapping | LinguisticScale
        "paper": Table 1 of Xia et al. (2020), N [0,0], VL [0,0.25], L [0.25,0.5], H [0.5,0.75],
        VH [0.75,1] coded 1-5; "0-4": the same levels coded 0-4. A TOML file (or a mapping of the
        same shape) lists levels::

            name = "my scale"
            [[levels]]
            code = 0
            label = "N"
            name = "No influence"   # optional
            lower = 0.0
            upper = 0.0

    Returns
    -------
    LinguisticScale
    """
    if isinstance(spec, LinguisticScale):
        return spec
    if isinstance(spec, str) and spec.strip().lower() in ("paper", "table1", "1-5"):
        return PAPER_SCALE
    if isinstance(spec, str) and spec.strip().lower() in ("0-4", "0_4", "04"):
        return SCALE_0_4
    if isinstance(spec, Mapping):
        return _scale_from_mapping(dict(spec), "<mapping>")
    path = Path(spec)
    if not path.exists():
        raise ConfigError(
            f"Unknown scale {str(spec)!r}: use 'paper' (codes 1-5), '0-4', or the path of a TOML "
            "file with [[levels]] tables (code, label, lower, upper)."
        )
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Scale file {str(path)!r} is not valid TOML: {exc}.") from exc
    data.setdefault("name", path.stem)
    return _scale_from_mapping(data, str(path))


def _scale_from_mapping(data: dict, where: str) -> LinguisticScale:
    unknown = set(data) - {"name", "levels"}
    if unknown:
        raise ConfigError(
            f"Scale {where}: unknown key(s) {format_keys(sorted(unknown))}; expected 'name' and "
            "'levels'."
        )
    levels = data.get("levels")
    if not isinstance(levels, list) or not levels:
        raise ConfigError(
            f"Scale {where}: needs a non-empty [[levels]] array (code, label, lower, upper)."
        )
    codes, labels, names, lower, upper = [], [], [], [], []
    for i, lev in enumerate(levels):
        if not isinstance(lev, Mapping):
            raise ConfigError(f"Scale {where}: level {i + 1} is not a table.")
        bad = set(lev) - {"code", "label", "name", "lower", "upper"}
        if bad:
            raise ConfigError(
                f"Scale {where}: level {i + 1} has unknown key(s) {format_keys(sorted(bad))}."
            )
        for key in ("code", "lower", "upper"):
            if key not in lev:
                raise ConfigError(f"Scale {where}: level {i + 1} lacks {key!r}.")
        code = lev["code"]
        if isinstance(code, bool) or not isinstance(code, int):
            raise ConfigError(
                f"Scale {where}: level {i + 1} code must be an integer; got {code!r}."
            )
        lo, up = lev["lower"], lev["upper"]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lo, up)) or lo > up:
            raise ConfigError(
                f"Scale {where}: level {i + 1} needs finite lower <= upper; got [{lo}, {up}]."
            )
        if lo < 0:
            raise ConfigError(
                f"Scale {where}: level {i + 1} has a negative bound {lo}; influences are >= 0."
            )
        codes.append(code)
        labels.append(str(lev.get("label", code)))
        names.append(str(lev.get("name", "")))
        lower.append(float(lo))
        upper.append(float(up))
    if len(set(codes)) != len(codes):
        raise ConfigError(f"Scale {where}: duplicate level codes {codes}.")
    if len({s.lower() for s in labels}) != len(labels):
        raise ConfigError(f"Scale {where}: duplicate level labels {labels}.")
    return LinguisticScale(
        str(data.get("name", where)),
        tuple(codes),
        tuple(labels),
        tuple(names),
        tuple(lower),
        tuple(upper),
    )


# ----------------------------------------------------------------------------------------------
# Survey reading
# ----------------------------------------------------------------------------------------------


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
_EXCEL_SUFFIXES = EXCEL_SUFFIXES


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
    if suffix in _EXCEL_SUFFIXES:
        if sheet is not None:
            df = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0)
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
        return _survey_from_long(pl.read_parquet(path), str(path))
    if suffix in (".csv", ".txt", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        df = pl.read_csv(path, infer_schema=False, separator=sep)
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


def _cell(v):
    """Normalise one raw cell: None for missing, int for integral numbers, str stripped."""
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
    v = _cell(v) if not isinstance(v, str) else (v.strip() or None)
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
    scores = [_cell(v) for v in df["score"].to_list()]
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
    df = pl.read_csv(path, infer_schema=False)
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
            cells[i, j] = _cell(v)
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
        cflat[i] = _cell(flat[i].item() if hasattr(flat[i], "item") else flat[i])
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


def _apply_factor_table(survey: Survey, factors) -> tuple[Survey, pl.DataFrame]:
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


# ----------------------------------------------------------------------------------------------
# Scores -> grey numbers / crisp numbers
# ----------------------------------------------------------------------------------------------


def _grey_bounds(survey: Survey, scale: LinguisticScale) -> tuple[np.ndarray, np.ndarray]:
    """Map raw cells to grey bounds (K, n, n); errors name the expert and the cell."""
    lookup = scale.lookup()
    lo = np.asarray(scale.lower, dtype=np.float64)
    up = np.asarray(scale.upper, dtype=np.float64)
    k, n, _ = survey.cells.shape
    level = np.zeros((k, n, n), dtype=np.int64)
    bad, missing = [], []
    for e in range(k):
        for i in range(n):
            for j in range(n):
                v = survey.cells[e, i, j]
                if v is None:
                    if i == j:
                        level[e, i, j] = -1
                        continue
                    missing.append(
                        (survey.experts[e], f"{survey.factors[i]} -> {survey.factors[j]}")
                    )
                    continue
                key = v.strip().lower() if isinstance(v, str) else v
                idx = lookup.get(key) if isinstance(key, (str, int)) else None
                if idx is None:
                    bad.append(
                        (survey.experts[e], f"{survey.factors[i]} -> {survey.factors[j]}", v)
                    )
                    continue
                level[e, i, j] = idx
    if missing:
        raise SchemaError(
            f"Survey {survey.source}: {len(missing)} missing score(s) at (expert, from -> to) "
            f"{format_keys(missing)}. Every off-diagonal pair needs a score."
        )
    if bad:
        allowed = ", ".join(f"{c}/{lab}" for c, lab in zip(scale.codes, scale.labels))
        raise InputError(
            f"Survey {survey.source}: {len(bad)} score(s) outside the scale {scale.name!r} at "
            f"(expert, from -> to, score) {format_keys(bad)}. Allowed: {allowed}; pass "
            "scale='0-4' for 0-4 codes or a TOML scale file."
        )
    lower = lo[np.maximum(level, 0)]
    upper = up[np.maximum(level, 0)]
    # diagonal: missing -> zero influence; non-zero -> warning, set to zero
    diag_nonzero = []
    for e in range(k):
        for i in range(n):
            if level[e, i, i] == -1:
                lower[e, i, i] = upper[e, i, i] = 0.0
            elif lower[e, i, i] != 0.0 or upper[e, i, i] != 0.0:
                diag_nonzero.append((survey.experts[e], survey.factors[i]))
                lower[e, i, i] = upper[e, i, i] = 0.0
    if diag_nonzero:
        warnings.warn(
            f"Survey {survey.source}: {len(diag_nonzero)} non-zero self-influence score(s) at "
            f"(expert, factor) {format_keys(diag_nonzero)} were set to zero (a factor does not "
            "influence itself in DEMATEL).",
            FastinnoWarning,
            stacklevel=3,
        )
    return np.ascontiguousarray(lower), np.ascontiguousarray(upper)


def _numeric_array(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind in "biuf"


def _grey_bounds_array(arr: np.ndarray, scale: LinguisticScale):
    """Vectorised :func:`_grey_bounds` for a numeric array of scale codes (K, n, n) or (n, n)."""
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or arr.shape[1] < 2:
        raise SchemaError(
            f"Survey array must have shape (n_experts, n, n) or (n, n) with n >= 2; got "
            f"{arr.shape}."
        )
    k, n, _ = arr.shape
    experts = tuple(f"E{e + 1}" for e in range(k))
    codes = tuple(f"C{i + 1}" for i in range(n))
    order = np.argsort(np.asarray(scale.codes))
    sorted_codes = np.asarray(scale.codes, dtype=np.float64)[order]
    nan = np.isnan(arr)
    diag = np.eye(n, dtype=bool)[None]
    missing = nan & ~diag
    if missing.any():
        keys = [(experts[e], f"{codes[i]} -> {codes[j]}") for e, i, j in np.argwhere(missing)[:6]]
        raise SchemaError(
            f"Survey <array>: {int(missing.sum())} missing score(s) at (expert, from -> to) "
            f"{format_keys(keys)}. Every off-diagonal pair needs a score."
        )
    pos = np.clip(
        np.searchsorted(sorted_codes, np.where(nan, sorted_codes[0], arr)), 0, len(order) - 1
    )
    bad = ~nan & (sorted_codes[pos] != arr)
    if bad.any():
        keys = [
            (experts[e], f"{codes[i]} -> {codes[j]}", _cell(arr[e, i, j]))
            for e, i, j in np.argwhere(bad)[:6]
        ]
        allowed = ", ".join(f"{c}/{lab}" for c, lab in zip(scale.codes, scale.labels))
        raise InputError(
            f"Survey <array>: {int(bad.sum())} score(s) outside the scale {scale.name!r} at "
            f"(expert, from -> to, score) {format_keys(keys)}. Allowed: {allowed}; pass "
            "scale='0-4' for 0-4 codes or a TOML scale file."
        )
    level = order[pos]
    lower = np.asarray(scale.lower, dtype=np.float64)[level]
    upper = np.asarray(scale.upper, dtype=np.float64)[level]
    lower[nan] = 0.0
    upper[nan] = 0.0
    d_lo = np.einsum("kii->ki", lower)
    d_up = np.einsum("kii->ki", upper)
    nonzero = (d_lo != 0) | (d_up != 0)
    if nonzero.any():
        keys = [(experts[e], codes[i]) for e, i in np.argwhere(nonzero)]
        warnings.warn(
            f"Survey <array>: {len(keys)} non-zero self-influence score(s) at (expert, factor) "
            f"{format_keys(keys)} were set to zero (a factor does not influence itself in "
            "DEMATEL).",
            FastinnoWarning,
            stacklevel=3,
        )
        for e in range(k):
            np.fill_diagonal(lower[e], 0.0)
            np.fill_diagonal(upper[e], 0.0)
    return np.ascontiguousarray(lower), np.ascontiguousarray(upper), experts, codes


def _array_factor_table(codes: tuple, factors):
    """Factor table for an array input: default codes C1..Cn, or a table that either uses those
    codes in another order (-> permutation) or names the rows in order (-> renaming)."""
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


def _crisp_matrices(survey: Survey) -> np.ndarray:
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


# ----------------------------------------------------------------------------------------------
# Expert weights
# ----------------------------------------------------------------------------------------------


def expert_weights(spec, experts: Sequence[str], *, whitening: float = 0.5) -> np.ndarray:
    """Normalised expert weights (sum 1), one per expert in ``experts`` order.

    Parameters
    ----------
    spec
        None or "equal": 1/K each. A sequence (one item per expert, in survey order) or a
        mapping {expert: item}; items are crisp numbers, ``[lower, upper]`` grey intervals, or
        labels of the paper's Table 2 (NI [0,0.3], LI [0.3,0.5], I [0.4,0.7], MI [0.5,0.9],
        VI [0.7,1]; long names accepted). A path or frame: a table with ``expert`` and either
        ``weight`` (numbers or labels) or ``lower`` and ``upper``.
    experts : sequence of str
    whitening : float in [0, 1]
        Grey intervals are whitened to lower + whitening (upper - lower); 0.5 = midpoint
        (the paper's choice).

    Returns
    -------
    float64 (K,), all > 0, sum 1.
    """
    experts = list(experts)
    k = len(experts)
    if not 0.0 <= whitening <= 1.0:
        raise InputError(f"weight whitening must be in [0, 1]; got {whitening}.")
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "equal"):
        return np.full(k, 1.0 / k)
    if isinstance(spec, (str, Path)) or isinstance(spec, (pl.DataFrame, pl.LazyFrame)):
        spec = _weights_table(spec)
    if isinstance(spec, Mapping):
        keys = [str(x) for x in spec]
        extra = [x for x in keys if x not in experts]
        lack = [e for e in experts if e not in keys]
        if extra or lack:
            raise SchemaError(
                "Expert weights and survey name different experts: in the weights only: "
                f"{format_keys(extra) or 'none'}; in the survey only: {format_keys(lack) or 'none'}."
            )
        mapping = {str(x): v for x, v in spec.items()}
        items = [mapping[e] for e in experts]
    else:
        items = (
            list(np.asarray(spec, dtype=object))
            if isinstance(spec, np.ndarray) and spec.ndim == 1
            else list(spec)
        )
        if isinstance(spec, np.ndarray) and spec.ndim == 2:
            items = [list(r) for r in spec]
        if len(items) != k:
            raise InputError(
                f"Got {len(items)} expert weight(s) for {k} expert(s) {format_keys(experts)}."
            )
    w = np.array(
        [_white_weight(it, e, whitening) for it, e in zip(items, experts)], dtype=np.float64
    )
    if not np.all(w > 0):
        zero = [e for e, v in zip(experts, w) if not v > 0]
        raise DegenerateDataError(
            f"Expert weight(s) of {format_keys(zero)} are not positive; every expert needs a "
            "weight > 0 (drop the expert from the survey instead)."
        )
    return w / w.sum()


_weights_of = expert_weights  # the API functions have a parameter named expert_weights

_WEIGHT_LOOKUP = {
    **{lab.lower(): (lo, up) for lab, (_, lo, up) in WEIGHT_LABELS.items()},
    **{nm.lower(): (lo, up) for _, (nm, lo, up) in WEIGHT_LABELS.items()},
}


def _white_weight(item, expert: str, alpha: float) -> float:
    if isinstance(item, str):
        key = item.strip().lower()
        if key in _WEIGHT_LOOKUP:
            lo, up = _WEIGHT_LOOKUP[key]
            return lo + alpha * (up - lo)
        try:
            return _finite(float(key), expert)
        except ValueError:
            raise InputError(
                f"Expert {expert!r}: unknown weight label {item!r}; use a number, [lower, upper], "
                f"or one of {format_keys(list(WEIGHT_LABELS))}."
            ) from None
    if isinstance(item, (list, tuple, np.ndarray)):
        if len(item) != 2:
            raise InputError(
                f"Expert {expert!r}: a grey weight needs [lower, upper]; got {item!r}."
            )
        lo, up = (_finite(float(v), expert) for v in item)
        if lo > up or lo < 0:
            raise InputError(
                f"Expert {expert!r}: grey weight [{lo}, {up}] needs 0 <= lower <= upper."
            )
        return lo + alpha * (up - lo)
    try:
        return _finite(float(item), expert)
    except (TypeError, ValueError):
        raise InputError(f"Expert {expert!r}: cannot read weight {item!r}.") from None


def _finite(v: float, expert: str) -> float:
    if not math.isfinite(v) or v < 0:
        raise InputError(f"Expert {expert!r}: weight {v} must be finite and >= 0.")
    return v


def _weights_table(spec) -> dict:
    if isinstance(spec, pl.LazyFrame):
        df = spec.collect()
    elif isinstance(spec, pl.DataFrame):
        df = spec
    else:
        path = Path(spec)
        if not path.exists():
            raise SchemaError(
                f"Expert weights {str(spec)!r}: not a file and not 'equal'. Give a CSV with "
                "expert,weight (numbers or NI/LI/I/MI/VI) or expert,lower,upper."
            )
        df = read_table(path, what="Expert weights", strings=True)
    df = df.rename({c: c.strip().lower() for c in df.columns})
    if "expert" not in df.columns:
        raise SchemaError(
            f"Expert weight table lacks an 'expert' column; has {format_keys(df.columns)}."
        )
    experts = [str(_cell(v)) for v in df["expert"].to_list()]
    if "weight" in df.columns:
        vals = [str(v) if v is not None else "" for v in df["weight"].to_list()]
    elif {"lower", "upper"} <= set(df.columns):
        vals = [[float(a), float(b)] for a, b in zip(df["lower"].to_list(), df["upper"].to_list())]
    elif "label" in df.columns:
        vals = [str(v) for v in df["label"].to_list()]
    else:
        raise SchemaError(
            "Expert weight table needs a 'weight' (or 'label') column, or 'lower' and 'upper'; "
            f"has {format_keys(df.columns)}."
        )
    return dict(zip(experts, vals))


# ----------------------------------------------------------------------------------------------
# Core DEMATEL on an aggregated crisp matrix
# ----------------------------------------------------------------------------------------------

_NORMS = {"row": kd.NORM_ROW, "max": kd.NORM_MAX}
_SCOPES = {"global": kg.SCOPE_GLOBAL, "row": kg.SCOPE_ROW}
_AGGS = {"cfcs_then_mean": kd.AGG_CFCS_THEN_MEAN, "grey_mean_then_cfcs": kd.AGG_GREY_MEAN_THEN_CFCS}
_THRESHOLD_RE = re.compile(r"^\s*mean\s*(?:\+\s*([0-9]*\.?[0-9]+)\s*\*?\s*sd)?\s*$", re.I)


def _choice(name: str, value, choices: Mapping) -> int:
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name} must be one of {format_keys(list(choices))}; got {value!r}.")
    return choices[value]


def _threshold_value(t: np.ndarray, threshold) -> float:
    if isinstance(threshold, str):
        m = _THRESHOLD_RE.match(threshold)
        if not m:
            raise InputError(
                f"threshold must be 'mean', 'mean+<k>sd' (e.g. 'mean+1sd') or a number; got "
                f"{threshold!r}."
            )
        k = float(m.group(1)) if m.group(1) else 0.0
        return float(t.mean() + k * t.std())
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
        raise InputError(f"threshold must be 'mean', 'mean+<k>sd' or a number; got {threshold!r}.")
    if not math.isfinite(float(threshold)):
        raise InputError(f"threshold must be finite; got {threshold!r}.")
    return float(threshold)


def _ordering(codes: Sequence[str], values: np.ndarray) -> str:
    order = sorted(range(len(codes)), key=lambda i: (-values[i], i))
    out = [codes[order[0]]]
    for prev, cur in zip(order, order[1:]):
        same = abs(values[prev] - values[cur]) <= 1e-12 * max(1.0, abs(values[prev]))
        out.append(("= " if same else "> ") + codes[cur])
    return " ".join(out)


def _singular_error(n_mat: np.ndarray, normalization: str, detail: str) -> SingularMatrixError:
    rho = ""
    if n_mat.shape[0] <= 500:
        try:
            rho = f" (spectral radius of N = {np.max(np.abs(np.linalg.eigvals(n_mat))):.12g})"
        except np.linalg.LinAlgError:  # pragma: no cover
            rho = ""
    hint = (
        "normalization='max' divides by the larger of the max row and column sums and usually "
        "brings it below 1"
        if normalization == "row"
        else "the survey has a closed group of factors that pass all their influence among "
        "themselves; check those scores (a factor with no influence received or given from "
        "outside the group)"
    )
    return SingularMatrixError(
        f"DEMATEL cannot compute T = N (I - N)^-1: I - N is {detail}{rho}. This happens when the "
        f"spectral radius of N is (nearly) 1, e.g. with normalization={normalization!r} a group "
        f"of factors whose rows all reach the maximum row sum and influence only each other. Fix: "
        f"{hint}."
    )


def _total_relation(z: np.ndarray, norm_code: int, normalization: str):
    s = float(kd.normalization_scale(z, norm_code))
    if not s > 0:
        raise DegenerateDataError(
            "DEMATEL: every influence score is zero (the aggregated direct-relation matrix is all "
            "zeros), so there is nothing to normalise. Check the survey scores and scale."
        )
    n_mat = np.ascontiguousarray(z / s)
    try:
        t = kd.total_relation_matrix(n_mat)
    except np.linalg.LinAlgError:
        raise _singular_error(n_mat, normalization, "singular") from None
    cond = float(kd.condition_number_1(n_mat, t))
    if not np.isfinite(cond) or cond > _config.DEMATEL_COND_LIMIT or not np.all(np.isfinite(t)):
        raise _singular_error(
            n_mat, normalization, f"ill-conditioned (1-norm condition number {cond:.3g})"
        )
    if t.min() < -1e-9 * max(1.0, float(np.abs(t).max())):
        raise _singular_error(
            n_mat, normalization, "not invertible by the DEMATEL series (T has negative entries)"
        )
    return s, n_mat, t


def _build_result(
    z, norm_code, normalization, threshold, table, experts, weights, options, boot=None
) -> DematelResult:
    s, n_mat, t = _total_relation(z, norm_code, normalization)
    r, c, prom, rel = kd.influence_sums(t)
    codes = table["code"].to_list()
    thr = _threshold_value(t, threshold)
    factors = table.with_columns(
        pl.Series("R", r),
        pl.Series("C", c),
        pl.Series("prominence", prom),
        pl.Series("relation", rel),
        pl.Series("role", np.where(rel > 0, "cause", "effect")),
    )
    if boot is not None:
        factors = factors.with_columns(*boot)
    n = len(codes)
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    relations = pl.DataFrame(
        {
            "from": [codes[i] for i in ii],
            "to": [codes[j] for j in jj],
            "t": t[ii, jj],
            "above_threshold": t[ii, jj] > thr,
        },
        schema={"from": pl.String, "to": pl.String, "t": pl.Float64, "above_threshold": pl.Boolean},
    )
    total = pl.DataFrame({"factor": codes}).with_columns(
        [pl.Series(code, t[:, j]) for j, code in enumerate(codes)]
    )
    orderings = {
        "R": _ordering(codes, r),
        "C": _ordering(codes, c),
        "prominence": _ordering(codes, prom),
        "relation": _ordering(codes, rel),
    }
    options = {
        **options,
        "threshold": threshold,
        "threshold_value": thr,
        "normalization": normalization,
    }
    return DematelResult(
        total_relation=total,
        T=t,
        factors=factors,
        relations=relations,
        orderings=orderings,
        threshold=thr,
        direct=z,
        normalized=n_mat,
        scale_factor=s,
        experts=tuple(experts),
        expert_weights=weights,
        options=options,
    )


#: Resamples used by ``bootstrap=True``.
DEFAULT_BOOTSTRAP = 2000


def _check_bootstrap(n_boot) -> int:
    """bootstrap option -> number of resamples (True = DEFAULT_BOOTSTRAP, False/None = 0)."""
    if n_boot is None or n_boot is False:
        return 0
    if n_boot is True:
        return DEFAULT_BOOTSTRAP
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise InputError(
            f"bootstrap must be a non-negative integer (or True for {DEFAULT_BOOTSTRAP}); got "
            f"{n_boot!r}."
        )
    return int(n_boot)


def _bootstrap(a, b, w, agg, scope, norm_code, n_boot, seed, ci):
    """Run the expert bootstrap; return (polars columns, n_valid, seed used)."""
    if not 0 < ci < 1:
        raise InputError(f"ci must be in (0, 1); got {ci!r}.")
    if a.shape[0] < 2:
        raise InputError(
            f"The expert bootstrap needs at least 2 experts; the survey has {a.shape[0]}. Use "
            "bootstrap=0."
        )
    seed = check_seed(seed)
    block = _config.DRAW_BLOCK
    n_blocks = -(-int(n_boot) // block)
    seeds = block_seeds(seed, 0, n_blocks)
    _, mult, r, c = kd.bootstrap_distinct(a, b, w, agg, scope, norm_code, seeds, int(n_boot), block)
    # T >= 0 entrywise when rho(N) < 1, so R, C >= 0; anything else is a degenerate resample
    valid = np.isfinite(r).all(axis=1) & np.isfinite(c).all(axis=1)
    valid &= (r > -1e-9).all(axis=1) & (c > -1e-9).all(axis=1)
    n_valid = int(mult[valid].sum())
    if n_valid < n_boot:
        warnings.warn(
            f"{n_boot - n_valid} of {n_boot} bootstrap resamples had an all-zero or singular "
            "direct-relation matrix and were left out of the intervals.",
            FastinnoWarning,
            stacklevel=3,
        )
    if n_valid == 0:
        raise DegenerateDataError("Every bootstrap resample was degenerate; no intervals.")
    r, c, mult = r[valid], c[valid], mult[valid]
    q = [50 * (1 - ci), 50 * (1 + ci)]
    cols = []
    for name, v in (("R", r), ("C", c), ("prominence", r + c), ("relation", r - c)):
        lo, hi = kd.weighted_percentile(v, mult, q)
        cols += [pl.Series(f"{name}_lower", lo), pl.Series(f"{name}_upper", hi)]
    cols.append(pl.Series("p_cause", (mult[:, None] * ((r - c) > 0)).sum(axis=0) / n_valid))
    return cols, n_valid, seed


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def grey_dematel(
    survey,
    *,
    factors=None,
    scale="paper",
    expert_weights=None,
    cfcs_scope: Literal["global", "row"] = "global",
    aggregation: Literal["cfcs_then_mean", "grey_mean_then_cfcs"] = "cfcs_then_mean",
    normalization: Literal["row", "max"] = "row",
    threshold="mean",
    bootstrap: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
    weight_whitening: float = 0.5,
) -> DematelResult:
    """Grey-DEMATEL key-factor analysis of an expert survey.

    Parameters
    ----------
    survey
        Anything :func:`read_survey` accepts: a long table (expert, from, to, score) as a file or
        polars frame, per-expert matrix CSVs, an Excel workbook with one sheet per expert, or a
        numpy array (n_experts, n, n) of scale codes.
    factors : path or frame, optional
        Factor table (code, name, group); fixes the factor order.
    scale : "paper" | "0-4" | path to TOML | LinguisticScale
        Linguistic scale -> grey numbers (default: the paper's Table 1, codes 1-5 or labels
        N/VL/L/H/VH).
    expert_weights : optional
        None/"equal", a sequence or mapping of crisp numbers, [lower, upper] intervals or Table 2
        labels (NI/LI/I/MI/VI), or a weights table; see :func:`expert_weights`.
    cfcs_scope : "global" | "row"
        Min/max of the CFCS over each expert's whole matrix (default) or within each row.
    aggregation : "cfcs_then_mean" | "grey_mean_then_cfcs"
        CFCS per expert then the weighted mean (the paper's order, default), or the weighted
        mean of grey bounds then one CFCS.
    normalization : "row" | "max"
        s = max row sum (paper, default) or max(max row sum, max column sum).
    threshold : "mean" | "mean+<k>sd" | float
        Influence-map threshold on T: its mean (default), mean + k standard deviations
        (population sd over all n^2 entries), or a value.
    bootstrap : int or bool
        Number of expert resamples (0 = none; True = 2,000, the default size for intervals).
    seed : int, optional
        Seed of the bootstrap (drawn and reported in ``options["seed"]`` when None).
    ci : float
        Coverage of the percentile intervals (default 0.95).
    weight_whitening : float
        Grey expert weights are whitened to lower + weight_whitening (upper - lower).

    Returns
    -------
    DematelResult

    Notes
    -----
    CFCS: l~ = (l - mn)/D, u~ = (u - mn)/D, Y = (l~(1 - l~) + u~ u~)/(1 - l~ + u~),
    z = mn + Y D (Bai & Sarkis 2013). Z = sum_k w_k Z^k; N = Z / s; T = N (I - N)^{-1} solved as
    (I - N) X = I, T = X - I; R = T 1, C = 1^T T. Xia, Li & Yin (2020), section 3.1.2.
    Bootstrap: B resamples of experts with replacement, drawn in seed blocks (identical for any
    thread count). A resample's result depends only on how often each expert was drawn, so
    only the distinct resamples are solved (at most C(2K - 1, K), e.g. 462 for K = 6) and kept
    with their multiplicities: memory O(U (K + n)), independent of B for small panels of
    experts. Intervals are exact percentiles of the B resamples (numpy's linear interpolation)
    computed from the weighted distinct values; ``p_cause`` is the share of resamples with
    R - C > 0.
    """
    scope_code = _choice("cfcs_scope", cfcs_scope, _SCOPES)
    agg_code = _choice("aggregation", aggregation, _AGGS)
    norm_code = _choice("normalization", normalization, _NORMS)
    bootstrap = _check_bootstrap(bootstrap)
    sc = linguistic_scale(scale)
    if _numeric_array(survey):
        lower, upper, experts, codes = _grey_bounds_array(survey, sc)
        table, perm = _array_factor_table(codes, factors)
        if perm is not None:
            lower = np.ascontiguousarray(lower[:, perm][:, :, perm])
            upper = np.ascontiguousarray(upper[:, perm][:, :, perm])
        source = "<array>"
    else:
        sv = read_survey(survey)
        sv, table = _apply_factor_table(sv, factors)
        lower, upper = _grey_bounds(sv, sc)
        experts, source = sv.experts, sv.source
    w = _weights_of(expert_weights, experts, whitening=weight_whitening)
    if agg_code == kd.AGG_CFCS_THEN_MEAN:
        crisp = kg.cfcs_experts(lower, upper, scope_code)
        z = np.tensordot(w, crisp, axes=1)
        a_in, b_in = crisp, crisp
    else:
        lo = np.ascontiguousarray(np.tensordot(w, lower, axes=1))
        up = np.ascontiguousarray(np.tensordot(w, upper, axes=1))
        z = kg.cfcs_crisp(lo, up, scope_code)
        a_in, b_in = lower, upper
    z = np.ascontiguousarray(z)
    np.fill_diagonal(z, 0.0)
    options = {
        "method": "grey_dematel",
        "scale": sc.name,
        "cfcs_scope": cfcs_scope,
        "aggregation": aggregation,
        "weight_whitening": weight_whitening,
        "bootstrap": bootstrap,
        "ci": ci,
        "source": source,
    }
    boot = None
    if bootstrap:
        boot, n_valid, seed_used = _bootstrap(
            a_in, b_in, w, agg_code, scope_code, norm_code, bootstrap, seed, ci
        )
        options.update(seed=seed_used, n_valid_resamples=n_valid)
    return _build_result(z, norm_code, normalization, threshold, table, experts, w, options, boot)


def dematel(
    matrix_or_matrices,
    *,
    factors=None,
    weights=None,
    normalization: Literal["row", "max"] = "row",
    threshold="mean",
    bootstrap: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
) -> DematelResult:
    """Plain (crisp) DEMATEL on one or more direct-relation matrices.

    Parameters
    ----------
    matrix_or_matrices
        A numpy array (n, n) or (n_matrices, n, n), a list of arrays, or anything
        :func:`read_survey` accepts with numeric scores. Several matrices are averaged with
        ``weights`` (equal by default). Factor codes default to C1..Cn.
    factors : optional
        Factor table (code, name, group) or a list of codes.
    weights : optional
        Matrix weights, as for :func:`expert_weights`.
    normalization, threshold, bootstrap, seed, ci
        As in :func:`grey_dematel` (the bootstrap resamples matrices).

    Returns
    -------
    DematelResult

    Notes
    -----
    N = Z / s, T = N (I - N)^{-1} = (I - N)^{-1} - I via one LU solve, R = T 1, C = 1^T T,
    prominence R + C, relation R - C (Xia et al. 2020, section 3.1.2).
    """
    norm_code = _choice("normalization", normalization, _NORMS)
    bootstrap = _check_bootstrap(bootstrap)
    if (
        isinstance(matrix_or_matrices, (list, tuple))
        and matrix_or_matrices
        and isinstance(matrix_or_matrices[0], np.ndarray)
    ):
        matrix_or_matrices = np.stack([np.asarray(m) for m in matrix_or_matrices])
    if isinstance(matrix_or_matrices, np.ndarray) and matrix_or_matrices.dtype != object:
        arr = np.asarray(matrix_or_matrices, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or arr.shape[1] < 2:
            raise SchemaError(
                f"DEMATEL needs a square (n, n) matrix or a stack (k, n, n) with n >= 2; got shape "
                f"{np.shape(matrix_or_matrices)}."
            )
        if not np.all(np.isfinite(arr)) or (arr < 0).any():
            pos = np.argwhere(~np.isfinite(arr) | (arr < 0))[:5]
            raise InputError(
                f"DEMATEL matrices must be finite and >= 0; bad entries at (matrix, row, col) "
                f"{format_keys([tuple(int(v) for v in p) for p in pos])}."
            )
        k, n, _ = arr.shape
        experts = tuple(f"matrix{e + 1}" for e in range(k))
        codes = tuple(f"C{i + 1}" for i in range(n))
        diag = np.einsum("kii->ki", arr)
        if (diag != 0).any():
            bad = [(experts[e], codes[i]) for e, i in np.argwhere(diag != 0)]
            warnings.warn(
                f"DEMATEL input: {len(bad)} non-zero diagonal value(s) at (matrix, factor) "
                f"{format_keys(bad)} were set to zero.",
                FastinnoWarning,
                stacklevel=2,
            )
            arr = arr.copy()
            for e in range(k):
                np.fill_diagonal(arr[e], 0.0)
        table, perm = _array_factor_table(codes, factors)
        if perm is not None:
            arr = arr[:, perm][:, :, perm]
        source = "<array>"
    else:
        sv = read_survey(matrix_or_matrices)
        sv, table = _apply_factor_table(sv, factors)
        arr = _crisp_matrices(sv)
        experts = sv.experts
        source = sv.source
    arr = np.ascontiguousarray(arr)
    w = _weights_of(weights, experts)
    z = np.ascontiguousarray(np.tensordot(w, arr, axes=1)) if arr.shape[0] > 1 else arr[0].copy()
    options = {"method": "dematel", "bootstrap": bootstrap, "ci": ci, "source": source}
    boot = None
    if bootstrap:
        boot, n_valid, seed_used = _bootstrap(
            arr, arr, w, kd.AGG_CFCS_THEN_MEAN, 0, norm_code, bootstrap, seed, ci
        )
        options.update(seed=seed_used, n_valid_resamples=n_valid)
    return _build_result(z, norm_code, normalization, threshold, table, experts, w, options, boot)
