"""Indicator systems: a hierarchy of named dimensions whose leaves are directed indicators.

An *indicator system* is a hierarchy of named dimensions whose leaves are indicators with a
direction (``+`` benefit, ``-`` cost). Build one from a nested mapping, a TOML file
(:func:`read_system`) or a flat list of indicators; base weights split equally level by level
unless fixed shares are given.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .._config import WEIGHT_SUM_RTOL
from ..errors import InputError, SchemaError, format_keys
from ..io.read import read_toml
from .names import check_unique, clean_names, warn_cleaned

__all__ = ["Indicator", "Group", "IndicatorSystem", "read_system"]

_BENEFIT = {"+", "benefit", "positive", "max"}
_COST = {"-", "cost", "negative", "min"}
_LEAF_KEY_ORDER = ("direction", "label", "unit", "weight", "lower", "upper", "aggregate")
_LEAF_KEYS = set(_LEAF_KEY_ORDER)
_DIM_META = {"_weight", "_label"}


@dataclass(frozen=True)
class Indicator:
    """One leaf of an indicator system."""

    name: str
    direction: str  # "+" or "-"
    label: str | None = None
    unit: str | None = None
    weight: float | None = None  # fixed share within its parent dimension
    lower: float | None = None  # critical limits for the efficacy coefficient
    upper: float | None = None
    #: How the indicator aggregates over a group of regions: "sum", "mean" or
    #: "weighted_mean:<indicator>" (see :mod:`fastinno.data.aggregate`).
    aggregate: str | None = None


@dataclass(frozen=True)
class Group:
    """A dimension at any level of the hierarchy.

    ``indices`` are the positions (in system order) of every indicator below the dimension;
    ``parent`` is the index of the parent group in ``IndicatorSystem.groups`` (-1 = root);
    ``share`` is the dimension's base share of its parent's weight.
    """

    name: str
    path: tuple[str, ...]
    level: int
    parent: int
    indices: np.ndarray
    share: float
    label: str | None = None


@dataclass(frozen=True, eq=False)
class IndicatorSystem:
    """A hierarchy of dimensions -> (sub-dimensions ->) indicators.

    Build one with :meth:`from_dict`, :meth:`from_toml` / :func:`read_system`, or
    :meth:`flat`. Weights are split equally level by level unless fixed shares are given.
    """

    spec: dict
    indicator_list: tuple[Indicator, ...]
    groups: tuple[Group, ...]
    indicator_parent: np.ndarray
    indicator_share: np.ndarray
    implicit: bool = False  # True for a flat system (one implicit dimension)
    _weights: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]

    # ---- construction ------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> IndicatorSystem:
        """Build a system from the nested-mapping form.

        A dimension maps names to sub-mappings; a leaf maps an indicator name to ``"+"``/``"-"``
        or to a table ``{direction, label, unit, weight, lower, upper}``. A dimension may carry
        ``_weight`` (its fixed share of the parent) and ``_label``. A mapping whose values are
        all leaves is a flat system with one implicit dimension.
        """
        if isinstance(spec, IndicatorSystem):
            return spec
        if not isinstance(spec, Mapping) or not spec:
            raise SchemaError(
                "An indicator system must be a non-empty mapping such as "
                "{'input': {'rd_share': '+'}, 'environment': {'energy_per_gdp': '-'}}."
            )
        if "system" in spec and isinstance(spec["system"], Mapping) and len(spec) == 1:
            spec = spec["system"]
        changes: list[tuple[str, str, str]] = []
        spec = _clean_spec(spec, (), changes)
        warn_cleaned(changes, stacklevel=3)
        builder = _Builder()
        builder.parse_children(spec, path=(), parent=-1)
        implicit = not builder.groups
        return cls._from_builder(dict(spec), builder, implicit)

    @classmethod
    def flat(cls, directions: Mapping[str, str] | Sequence[str]) -> IndicatorSystem:
        """One implicit dimension: ``{indicator: "+"/"-"}`` or a list of benefit indicators."""
        if not isinstance(directions, Mapping):
            if isinstance(directions, (str, bytes)):
                raise SchemaError(f"A flat system needs a list of indicator names or a mapping; got {directions!r}.")
            names = [str(name) for name in directions]
            check_unique(names, "indicator")
            directions = {name: "+" for name in names}
        for key, val in directions.items():
            if isinstance(val, Mapping) and not _is_leaf_table(val):
                raise SchemaError(f"A flat system maps indicators to '+'/'-'; {key!r} is a dimension.")
        return cls.from_dict(directions)

    @classmethod
    def from_toml(cls, path: str | Path) -> IndicatorSystem:
        """Read a system from a TOML file (top level, or under a ``[system]`` table)."""
        return read_system(path)

    @classmethod
    def _from_builder(cls, spec: dict, b: _Builder, implicit: bool) -> IndicatorSystem:
        n = len(b.indicators)
        parent = np.array(b.indicator_parent, dtype=np.int64)
        share = np.array(b.indicator_share, dtype=np.float64)
        groups = tuple(
            Group(g["name"], g["path"], g["level"], g["parent"], np.array(sorted(g["indices"]), dtype=np.int64), g["share"], g["label"])
            for g in b.groups
        )
        # Base weights: product of shares down the tree.
        group_weight = np.empty(len(groups))
        for k, g in enumerate(groups):
            group_weight[k] = g.share * (group_weight[g.parent] if g.parent >= 0 else 1.0)
        w = np.array([share[j] * (group_weight[parent[j]] if parent[j] >= 0 else 1.0) for j in range(n)])
        w = w / w.sum()
        w.setflags(write=False)
        for g in groups:
            g.indices.setflags(write=False)
        parent.setflags(write=False)
        share.setflags(write=False)
        return cls(spec, tuple(b.indicators), groups, parent, share, implicit, w)

    # ---- views -------------------------------------------------------------------------
    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicator names in system (depth-first) order."""
        return tuple(i.name for i in self.indicator_list)

    @property
    def directions(self) -> tuple[str, ...]:
        return tuple(i.direction for i in self.indicator_list)

    @property
    def is_cost(self) -> np.ndarray:
        """Boolean mask, True for cost (``-``) indicators."""
        return np.array([i.direction == "-" for i in self.indicator_list], dtype=np.bool_)

    @property
    def labels(self) -> tuple[str | None, ...]:
        return tuple(i.label for i in self.indicator_list)

    @property
    def units(self) -> tuple[str | None, ...]:
        return tuple(i.unit for i in self.indicator_list)

    @property
    def limits(self) -> np.ndarray:
        """``(n_indicators, 2)`` critical [lower, upper] limits, NaN where not given."""
        return np.array(
            [[np.nan if i.lower is None else i.lower, np.nan if i.upper is None else i.upper] for i in self.indicator_list],
            dtype=np.float64,
        ).reshape(len(self.indicator_list), 2)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Top-level dimension names (empty for a flat system)."""
        return tuple(g.name for g in self.groups if g.level == 1)

    @property
    def n_indicators(self) -> int:
        return len(self.indicator_list)

    def __len__(self) -> int:
        return len(self.indicator_list)

    def __repr__(self) -> str:
        dims = ", ".join(self.dimensions) or "flat"
        return f"IndicatorSystem({self.n_indicators} indicators; dimensions: {dims})"

    def base_weights(self) -> np.ndarray:
        """Hierarchical equal weights (fixed shares override), summing to one. A new array."""
        return self._weights.copy()

    def group_weights(self, group: Group | str) -> np.ndarray:
        """Base weights of a group's indicators, renormalised to sum to one."""
        g = self.group(group) if isinstance(group, str) else group
        w = self._weights[g.indices]
        return w / w.sum()

    def group(self, name: str) -> Group:
        """The dimension called ``name`` (at any level)."""
        for g in self.groups:
            if g.name == name:
                return g
        raise SchemaError(
            f"Unknown dimension {name!r}; the system has {format_keys([g.name for g in self.groups]) or 'no dimensions'}."
        )

    def top_dimension_of(self, indicator: str) -> str | None:
        """Name of the top-level dimension holding ``indicator`` (None for a flat system)."""
        j = self.index_of(indicator)
        k = int(self.indicator_parent[j])
        while k >= 0 and self.groups[k].parent >= 0:
            k = self.groups[k].parent
        return self.groups[k].name if k >= 0 else None

    def dimension_of(self, indicator: str) -> str | None:
        """Name of the dimension directly above ``indicator`` (None at the root)."""
        k = int(self.indicator_parent[self.index_of(indicator)])
        return self.groups[k].name if k >= 0 else None

    def index_of(self, indicator: str) -> int:
        try:
            return self.indicators.index(indicator)
        except ValueError:
            raise SchemaError(
                f"Unknown indicator {indicator!r}; the system has {format_keys(self.indicators)}."
            ) from None

    def subset(self, indicators: Iterable[str]) -> IndicatorSystem:
        """A system with only ``indicators`` (system order kept, empty dimensions dropped).

        Fixed weights are kept where all siblings survive; otherwise the group falls back to
        equal shares so that the shares still sum to one.
        """
        keep = set(indicators)
        unknown = keep - set(self.indicators)
        if unknown:
            raise SchemaError(f"Unknown indicator(s) {format_keys(sorted(unknown))}; the system has {format_keys(self.indicators)}.")
        if not keep:
            raise SchemaError("Cannot select zero indicators.")
        spec = _prune(self.to_dict(), keep)
        if self.implicit:
            return IndicatorSystem.flat(spec)
        return IndicatorSystem.from_dict(spec)

    def to_dict(self) -> dict:
        """The nested-mapping form (round-trips through :meth:`from_dict`)."""
        def leaf(ind: Indicator) -> Any:
            extra = {k: getattr(ind, k) for k in _LEAF_KEY_ORDER[1:] if getattr(ind, k) is not None}
            return {"direction": ind.direction, **extra} if extra else ind.direction

        root: dict = {}
        nodes: dict[int, dict] = {}
        for k, g in enumerate(self.groups):
            d: dict = {}
            if g.label is not None:
                d["_label"] = g.label
            nodes[k] = d
        # Preserve depth-first order: walk indicators and groups in original spec order.
        order = _spec_order(self.spec)
        gi = {g.path: k for k, g in enumerate(self.groups)}
        ii = {i.name: i for i in self.indicator_list}
        for path, kind in order:
            container = root if len(path) == 1 else nodes[gi[path[:-1]]]
            if kind == "group":
                k = gi[path]
                if self._explicit_share(k) is not None:
                    nodes[k]["_weight"] = self._explicit_share(k)
                container[path[-1]] = nodes[k]
            else:
                container[path[-1]] = leaf(ii[path[-1]])
        return root

    def _explicit_share(self, k: int) -> float | None:
        node = self.spec
        for name in self.groups[k].path:
            node = node[name]
        return node.get("_weight") if isinstance(node, Mapping) else None

    def to_frame(self) -> pl.DataFrame:
        """One row per indicator: indicator, direction, dimension path, label, unit, weight."""
        dims = []
        for j in range(self.n_indicators):
            k = int(self.indicator_parent[j])
            dims.append("/".join(self.groups[k].path) if k >= 0 else "")
        cols = {"indicator": list(self.indicators), "direction": list(self.directions), "dimension": dims,
                "label": list(self.labels), "unit": list(self.units), "weight": self._weights.tolist()}
        return pl.DataFrame(cols, schema_overrides={"label": pl.String, "unit": pl.String})

    def describe(self) -> str:
        """The hierarchy as an indented text tree with directions and base weights."""
        lines: list[str] = []
        gi = {g.path: g for g in self.groups}
        ii = {i.name: (j, i) for j, i in enumerate(self.indicator_list)}
        for path, kind in _spec_order(self.spec):
            pad = "  " * (len(path) - 1)
            if kind == "group":
                g = gi[path]
                lines.append(f"{pad}{g.name} ({len(g.indices)} indicators, weight {self._weights[g.indices].sum():.4g})")
            else:
                j, ind = ii[path[-1]]
                extra = f" - {ind.label}" if ind.label else ""
                unit = f" [{ind.unit}]" if ind.unit else ""
                lines.append(f"{pad}{ind.direction} {ind.name}{extra}{unit} (weight {self._weights[j]:.4g})")
        return "\n".join(lines)


class _Builder:
    """Depth-first parser of the nested-mapping form with all the checks."""

    def __init__(self) -> None:
        self.indicators: list[Indicator] = []
        self.indicator_parent: list[int] = []
        self.indicator_share: list[float] = []
        self.groups: list[dict] = []
        self.names: dict[str, tuple[str, ...]] = {}

    def _claim(self, name: str, path: tuple[str, ...]) -> None:
        if not isinstance(name, str) or not name.strip():
            raise SchemaError(f"Empty or non-text name at {'/'.join(path[:-1]) or 'the top level'}: {name!r}.")
        if name in self.names:
            raise SchemaError(
                f"Duplicate name {name!r} in the indicator system (at {'/'.join(self.names[name])} and "
                f"{'/'.join(path)}): dimension and indicator names must be unique. Rename one."
            )
        self.names[name] = path

    def parse_children(self, mapping: Mapping, path: tuple[str, ...], parent: int) -> list[tuple[str, int, float | None]]:
        """Parse the children of one node; returns (kind, index, fixed share) per child."""
        children: list[tuple[str, int, float | None]] = []
        for key, val in mapping.items():
            if key in _DIM_META:
                continue
            if isinstance(key, str) and key.startswith("_"):
                where = "/".join(path) or "the top level"
                raise SchemaError(
                    f"Unknown key {key!r} in dimension {where!r}{_did_you_mean(key, _DIM_META)}; a dimension "
                    "takes '_weight' (its fixed share) and '_label' besides its indicators."
                )
            cpath = (*path, key)
            self._claim(key, cpath)
            if isinstance(val, str) or (isinstance(val, Mapping) and _is_leaf_table(val)):
                ind = _parse_leaf(key, val, cpath)
                self.indicators.append(ind)
                self.indicator_parent.append(parent)
                self.indicator_share.append(np.nan)
                children.append(("ind", len(self.indicators) - 1, ind.weight))
            elif isinstance(val, Mapping):
                if not any(k not in _DIM_META for k in val):
                    raise SchemaError(f"Dimension {'/'.join(cpath)!r} is empty: give it at least one indicator.")
                gweight = val.get("_weight")
                if gweight is not None and (not _is_number(gweight)):
                    raise SchemaError(f"_weight of dimension {'/'.join(cpath)!r} must be a number; got {gweight!r}.")
                label = val.get("_label")
                gidx = len(self.groups)
                self.groups.append({"name": key, "path": cpath, "level": len(cpath), "parent": parent, "indices": [], "share": np.nan, "label": label})
                first = len(self.indicators)
                self.parse_children(val, cpath, gidx)
                self.groups[gidx]["indices"] = list(range(first, len(self.indicators)))
                children.append(("grp", gidx, None if gweight is None else float(gweight)))
            else:
                raise SchemaError(
                    f"Indicator {'/'.join(cpath)!r} has direction {val!r}: use '+' (benefit) or '-' (cost), "
                    "or a table {direction = '+', label = ..., unit = ..., weight = ...}." + _key_hint(key)
                )
        if not children:
            where = "/".join(path) or "the top level"
            raise SchemaError(f"Dimension {where!r} is empty: give it at least one indicator.")
        shares = _resolve_shares([c[2] for c in children], "/".join(path) or "the top level")
        for (kind, idx, _), s in zip(children, shares):
            if kind == "ind":
                self.indicator_share[idx] = s
            else:
                self.groups[idx]["share"] = s
        return children


def _resolve_shares(fixed: list[float | None], where: str) -> list[float]:
    """Equal split, with fixed shares overriding; fixed shares must be >= 0 and sum to 1."""
    n = len(fixed)
    given = [f for f in fixed if f is not None]
    for f in given:
        if f < 0 or not math.isfinite(f):
            raise SchemaError(f"Weight {f:g} in {where!r} is negative or not finite: weights must be >= 0.")
    if not given:
        return [1.0 / n] * n
    total = sum(given)
    if len(given) == n:
        if abs(total - 1.0) > WEIGHT_SUM_RTOL * 1e3:
            raise SchemaError(
                f"Weights in {where!r} sum to {total:.6g}, not 1: fix them so that the shares within "
                "each dimension sum to one, or leave some out to share the remainder equally."
            )
        return [f / total for f in fixed]  # type: ignore[operator]
    if total > 1.0 + WEIGHT_SUM_RTOL * 1e3:
        raise SchemaError(
            f"Fixed weights in {where!r} sum to {total:.6g} > 1, leaving nothing for the "
            f"{n - len(given)} indicator(s) without a weight."
        )
    rest = (1.0 - total) / (n - len(given))
    return [rest if f is None else f for f in fixed]


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_leaf_table(val: Mapping) -> bool:
    """An indicator's table (not a dimension): it has a direction key or a misspelt one
    (``{dirction = "+"}``), or, with no entry that is an indicator with a direction, indicator keys
    with values no direction takes (``{label = "R&D / GDP"}``, ``{weight = 0.5}``)."""
    if "direction" in val:
        return True
    if any(isinstance(v, Mapping) for v in val.values()):
        return False
    keys = [k for k in val if isinstance(k, str)]
    if any(difflib.get_close_matches(k.strip().lower(), ["direction"], n=1, cutoff=0.75) for k in keys):
        return True
    if any(_is_direction(v) for k, v in val.items() if k not in _LEAF_KEYS):
        return False  # a dimension: other entries are indicators with a direction
    return any(k in _LEAF_KEYS for k in keys) and not all(_is_direction(v) for v in val.values())


def _is_direction(v: object) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in _BENEFIT | _COST
    return _is_number(v) and v in (1, -1)


def _key_hint(key: object) -> str:
    """A sentence for a dimension entry whose name looks like a misplaced key, else ``""``."""
    if not isinstance(key, str):
        return ""
    k = key.strip().lower()
    dim = difflib.get_close_matches("_" + k.lstrip("_"), sorted(_DIM_META), n=1, cutoff=0.75)
    leaf = difflib.get_close_matches(k, sorted(_LEAF_KEYS), n=1, cutoff=0.6)
    parts = [f"a dimension's {d[1:]} is {d!r}" for d in dim]
    parts += [f"an indicator's {f!r} goes in its table: name = {{direction = '+', {f} = ...}}" for f in leaf]
    return f" {key!r} looks like a key: " + "; ".join(parts) + "." if parts else ""


def _did_you_mean(key: object, allowed: set[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed key, or an empty string."""
    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key.strip().lower(), sorted(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _clean_spec(spec: Mapping, path: tuple[str, ...], changes: list) -> dict:
    """The nested mapping with dimension and indicator names cleaned (spaces, NFC)."""
    names = [k for k in spec if k not in _DIM_META]
    for k in names:
        if not isinstance(k, str):
            raise SchemaError(f"Empty or non-text name at {'/'.join(path) or 'the top level'}: {k!r}.")
    cleaned, changed = clean_names(names, "indicator or dimension")
    changes.extend(("name", a, b) for a, b in changed)
    new = dict(zip(names, cleaned))
    out: dict = {}
    for key, val in spec.items():
        if key in _DIM_META:
            out[key] = val
        elif isinstance(val, Mapping) and not _is_leaf_table(val):
            out[new[key]] = _clean_spec(val, (*path, new[key]), changes)
        else:
            out[new[key]] = val
    return out


def _parse_leaf(name: str, val: object, path: tuple[str, ...]) -> Indicator:
    table = {"direction": val} if isinstance(val, str) else dict(val)  # type: ignore[arg-type]
    unknown = [k for k in table if k not in _LEAF_KEYS]
    if unknown:
        hints = "".join(_did_you_mean(k, _LEAF_KEYS) for k in unknown[:5])
        raise SchemaError(
            f"Indicator {'/'.join(path)!r} has unknown key(s) {format_keys(unknown)}{hints}; an indicator "
            f"takes {format_keys(list(_LEAF_KEY_ORDER))}."
        )
    if "direction" not in table:
        raise SchemaError(f"Indicator {'/'.join(path)!r} has no direction: add direction = '+' or '-'.")
    raw = table["direction"]
    d = str(raw).strip().lower() if isinstance(raw, str) else raw if _is_number(raw) else None
    if d in _BENEFIT or d == 1:
        direction = "+"
    elif d in _COST or d == -1:
        direction = "-"
    else:
        raise SchemaError(
            f"Indicator {'/'.join(path)!r} has unknown direction {raw!r}: use '+' (benefit) or '-' (cost)."
            + (_key_hint(name) if isinstance(val, str) else "")
        )
    weight = table.get("weight")
    for key in ("weight", "lower", "upper"):
        if table.get(key) is not None and not _is_number(table[key]):
            raise SchemaError(f"{key} of indicator {'/'.join(path)!r} must be a number; got {table[key]!r}.")
        if table.get(key) is not None and not math.isfinite(table[key]):
            raise SchemaError(f"{key} of indicator {'/'.join(path)!r} must be finite; got {table[key]!r}.")
    for key in ("label", "unit", "aggregate"):
        if table.get(key) is not None and not isinstance(table[key], str):
            raise SchemaError(f"{key} of indicator {'/'.join(path)!r} must be text; got {table[key]!r}.")
    lower, upper = table.get("lower"), table.get("upper")
    if lower is not None and upper is not None and not lower < upper:
        raise SchemaError(f"Indicator {'/'.join(path)!r}: lower limit {lower} must be below upper limit {upper}.")
    return Indicator(
        name=name,
        direction=direction,
        label=table.get("label"),
        unit=table.get("unit"),
        weight=None if weight is None else float(weight),
        lower=None if lower is None else float(lower),
        upper=None if upper is None else float(upper),
        aggregate=table.get("aggregate"),
    )


def _spec_order(spec: Mapping, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for key, val in spec.items():
        if key in _DIM_META:
            continue
        p = (*path, key)
        if isinstance(val, Mapping) and not _is_leaf_table(val):
            out.append((p, "group"))
            out.extend(_spec_order(val, p))
        else:
            out.append((p, "ind"))
    return out


def _prune(spec: dict, keep: set[str]) -> dict:
    out: dict = {}
    for key, val in spec.items():
        if key in _DIM_META:
            continue
        if isinstance(val, Mapping) and not _is_leaf_table(val):
            sub = _prune(dict(val), keep)
            if sub:
                n_before = len([k for k in val if k not in _DIM_META])
                n_after = len(sub)
                if n_after == n_before:
                    for mk in _DIM_META:
                        if mk in val:
                            sub[mk] = val[mk]
                elif "_label" in val:
                    sub["_label"] = val["_label"]
                out[key] = sub
        elif key in keep:
            out[key] = val
    # Fixed weights that no longer cover the whole group would not sum to 1: drop them.
    leaves = [k for k, v in out.items() if k not in _DIM_META]
    n_orig = len([k for k in spec if k not in _DIM_META])
    if len(leaves) != n_orig:
        for k in leaves:
            v = out[k]
            if isinstance(v, Mapping) and _is_leaf_table(v) and "weight" in v:
                out[k] = {kk: vv for kk, vv in v.items() if kk != "weight"}
            elif isinstance(v, Mapping) and "_weight" in v:
                out[k] = {kk: vv for kk, vv in v.items() if kk != "_weight"}
    return out


def read_system(source: str | Path | Mapping[str, Any] | IndicatorSystem) -> IndicatorSystem:
    """Load an indicator system from a TOML file, a nested mapping, or pass one through.

    In TOML the system is the top level of the file or a ``[system]`` table::

        [input]
        rd_share = "+"
        rd_fte = { direction = "+", label = "R&D personnel", unit = "person-years" }

        [environment]
        energy_per_gdp = "-"
    """
    if isinstance(source, IndicatorSystem):
        return source
    if isinstance(source, Mapping):
        return IndicatorSystem.from_dict(source)
    data = read_toml(source, what="Indicator-system file", error=InputError)
    if "system" in data and isinstance(data["system"], Mapping):
        data = data["system"]
    return IndicatorSystem.from_dict(data)

