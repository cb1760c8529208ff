"""Linguistic scales and expert weights: survey labels -> grey numbers -> crisp weights.

A :class:`LinguisticScale` maps score codes or labels to grey intervals (the paper's Table 1 by
default, Xia, Li & Yin 2020; Bai & Sarkis 2013); :func:`grey_bounds` applies one to a survey.
:func:`expert_weights` reads expert weights as numbers, grey intervals or the labels of the
paper's Table 2.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import (
    ConfigError,
    DegenerateDataError,
    FastinnoWarning,
    InputError,
    SchemaError,
    format_keys,
)
from ..io.read import read_table, read_toml
from .survey import Survey, parse_cell

__all__ = [
    "LinguisticScale",
    "PAPER_SCALE",
    "SCALE_0_4",
    "WEIGHT_LABELS",
    "WEIGHT_ALIASES",
    "label_key",
    "linguistic_scale",
    "grey_bounds",
    "grey_bounds_array",
    "expert_weights",
]


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
    aliases : tuple[tuple[str, ...], ...]
        Further accepted spellings of each level (e.g. "Very low"); may be empty.

    Labels, names and aliases are matched ignoring case, spaces, hyphens and underscores
    ("Very High", "very-high" and "VERYHIGH" are one key); a key that would name two levels is
    an error (:meth:`lookup`), never a guess.
    """

    name: str
    codes: tuple
    labels: tuple
    names: tuple
    lower: tuple
    upper: tuple
    aliases: tuple = ()

    def describe(self) -> str:
        """One line: codes, labels and intervals."""
        parts = [
            f"{c}={lab} [{lo:g}, {up:g}]"
            for c, lab, lo, up in zip(self.codes, self.labels, self.lower, self.upper)
        ]
        return f"scale {self.name!r}: " + ", ".join(parts)

    def lookup(self) -> dict:
        """Map every accepted key (code as int; label, name and aliases by :func:`label_key`) to a
        level index.

        Raises
        ------
        ConfigError
            A key names two levels (e.g. a label equal to another level's name, or a label that
            reads as another level's code).
        """
        out: dict = {}
        owner: dict = {}
        for i, c in enumerate(self.codes):
            out[int(c)] = i
            owner[int(c)] = f"code {c}"
        aliases = self.aliases or ((),) * len(self.codes)
        for i, (lab, nm, extra) in enumerate(zip(self.labels, self.names, aliases)):
            for text in (lab, nm, *extra):
                if not text:
                    continue
                key = label_key(text)
                number = parse_cell(str(text))
                for k in (key, number if isinstance(number, int) else None):
                    if k is None:
                        continue
                    if k in out and out[k] != i:
                        raise ConfigError(
                            f"Scale {self.name!r} is ambiguous: {text!r} (level {self.labels[i]!r}) is also "
                            f"{owner[k]} (level {self.labels[out[k]]!r}). Give every level distinct codes, "
                            "labels and names."
                        )
                    out.setdefault(k, i)
                    owner.setdefault(k, repr(text))
        return out


_PAPER_LABELS = ("N", "VL", "L", "H", "VH")
_PAPER_NAMES = (
    "No influence",
    "Very low influence",
    "Low influence",
    "High influence",
    "Very high influence",
)
#: The paper's own spellings of Table 1 (besides the labels and the long names above).
_PAPER_ALIASES = (("No influence",), ("Very low",), ("Low",), ("High",), ("Very high",))
_PAPER_LOWER = (0.0, 0.0, 0.25, 0.5, 0.75)
_PAPER_UPPER = (0.0, 0.25, 0.5, 0.75, 1.0)

#: The paper's Table 1 (Xia et al. 2020; Bai & Sarkis 2013): codes 1-5.
PAPER_SCALE = LinguisticScale(
    "paper", (1, 2, 3, 4, 5), _PAPER_LABELS, _PAPER_NAMES, _PAPER_LOWER, _PAPER_UPPER, _PAPER_ALIASES
)
#: The same scale coded 0-4 (Bai & Sarkis 2013, the refvector cases).
SCALE_0_4 = LinguisticScale(
    "0-4", (0, 1, 2, 3, 4), _PAPER_LABELS, _PAPER_NAMES, _PAPER_LOWER, _PAPER_UPPER, _PAPER_ALIASES
)

#: Expert-weight labels of the paper's Table 2 -> grey interval (label, long name).
WEIGHT_LABELS: dict = {
    "NI": ("Not important", 0.0, 0.3),
    "LI": ("Less important", 0.3, 0.5),
    "I": ("Important", 0.4, 0.7),
    "MI": ("More important", 0.5, 0.9),
    "VI": ("Very important", 0.7, 1.0),
}
#: Further spellings of the expert-weight labels used in the paper's Table 2.
WEIGHT_ALIASES: dict = {
    "NI": ("No important", "Unimportant"),
    "LI": ("Little important",),
    "I": (),
    "MI": ("Much important",),
    "VI": (),
}


def label_key(text: str) -> str:
    """A label as matched: lower case without spaces, hyphens or underscores ("Very High" ->
    "veryhigh")."""
    return "".join(ch for ch in str(text).lower() if not ch.isspace() and ch not in "-_")


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
    data = read_toml(path, what="Scale file", error=ConfigError)
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
    scale = LinguisticScale(
        str(data.get("name", where)),
        tuple(codes),
        tuple(labels),
        tuple(names),
        tuple(lower),
        tuple(upper),
    )
    scale.lookup()  # ambiguous labels are an error now, not when a survey is scored
    return scale



def grey_bounds(survey: Survey, scale: LinguisticScale) -> tuple[np.ndarray, np.ndarray]:
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
                key = label_key(v) if isinstance(v, str) else v
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
        allowed = ", ".join(
            f"{c}/{lab}" + (f" ({nm})" if nm else "") for c, lab, nm in zip(scale.codes, scale.labels, scale.names)
        )
        raise InputError(
            f"Survey {survey.source}: {len(bad)} score(s) outside the scale {scale.name!r} at "
            f"(expert, from -> to, score) {format_keys(bad)}. Allowed (any case): {allowed}; pass "
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



def grey_bounds_array(arr: np.ndarray, scale: LinguisticScale):
    """Vectorised :func:`grey_bounds` for a numeric array of scale codes (K, n, n) or (n, n)."""
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
            (experts[e], f"{codes[i]} -> {codes[j]}", parse_cell(arr[e, i, j]))
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



_WEIGHT_LOOKUP = {
    label_key(text): (lo, up)
    for lab, (nm, lo, up) in WEIGHT_LABELS.items()
    for text in (lab, nm, *WEIGHT_ALIASES[lab])
}


def _white_weight(item, expert: str, alpha: float) -> float:
    if isinstance(item, str):
        key = label_key(item)
        if key in _WEIGHT_LOOKUP:
            lo, up = _WEIGHT_LOOKUP[key]
            return lo + alpha * (up - lo)
        try:
            return _finite(float(item.strip()), expert)
        except ValueError:
            names = ", ".join(f"{lab} ({nm})" for lab, (nm, _, _) in WEIGHT_LABELS.items())
            raise InputError(
                f"Expert {expert!r}: unknown weight label {item!r}; use a number, [lower, upper], "
                f"or one of {names} (any case)."
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


def _cell_number(v, expert: str) -> float:
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        raise InputError(f"Expert {expert!r}: grey weight bound {v!r} is not a number.") from None


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
    experts = [str(parse_cell(v)) for v in df["expert"].to_list()]
    if "weight" in df.columns:
        vals = [str(v) if v is not None else "" for v in df["weight"].to_list()]
    elif {"lower", "upper"} <= set(df.columns):
        vals = [[_cell_number(a, e), _cell_number(b, e)] for e, a, b in zip(experts, df["lower"].to_list(), df["upper"].to_list())]
    elif "label" in df.columns:
        vals = [str(v) for v in df["label"].to_list()]
    else:
        raise SchemaError(
            "Expert weight table needs a 'weight' (or 'label') column, or 'lower' and 'upper'; "
            f"has {format_keys(df.columns)}."
        )
    return dict(zip(experts, vals))

