"""Panels and indicator systems: polars I/O, validation, long <-> wide, the dense float64 cube.

An *indicator system* is a hierarchy of named dimensions whose leaves are indicators with a
direction (``+`` benefit, ``-`` cost). A *panel* is a region x year x indicator table checked
against a system and held as a C-contiguous ``(n_regions, n_years, n_indicators)`` array.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from ._config import WEIGHT_SUM_RTOL
from .errors import FastinnoWarning, InputError, SchemaError, format_keys

__all__ = ["Indicator", "Group", "IndicatorSystem", "Panel", "read_panel", "read_system"]

_BENEFIT = {"+", "benefit", "positive", "max"}
_COST = {"-", "cost", "negative", "min"}
_LEAF_KEYS = {"direction", "label", "unit", "weight", "lower", "upper"}
_DIM_META = {"_weight", "_label"}
#: Strings read as a missing cell (statistical yearbooks use several).
MISSING_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", ".", "..", "...", "-", "--", "\u2014", "\u2026")
MissingPolicy = Literal["error", "interpolate", "drop-indicator", "drop-region", "keep"]
_POLICIES = ("error", "interpolate", "drop-indicator", "drop-region", "keep")


# --------------------------------------------------------------------------------------------
# Indicator systems
# --------------------------------------------------------------------------------------------


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
        builder = _Builder()
        builder.parse_children(spec, path=(), parent=-1)
        implicit = not builder.groups
        return cls._from_builder(dict(spec), builder, implicit)

    @classmethod
    def flat(cls, directions: Mapping[str, str] | Sequence[str]) -> IndicatorSystem:
        """One implicit dimension: ``{indicator: "+"/"-"}`` or a list of benefit indicators."""
        if not isinstance(directions, Mapping):
            directions = {str(name): "+" for name in directions}
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
            extra = {k: getattr(ind, k) for k in ("label", "unit", "weight", "lower", "upper") if getattr(ind, k) is not None}
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
        return pl.DataFrame(
            {
                "indicator": list(self.indicators),
                "direction": list(self.directions),
                "dimension": dims,
                "label": list(self.labels),
                "unit": list(self.units),
                "weight": self._weights.tolist(),
            },
            schema_overrides={"label": pl.String, "unit": pl.String},
        )

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
                    "or a table {direction = '+', label = ..., unit = ..., weight = ...}."
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
    return "direction" in val and set(val).issubset(_LEAF_KEYS)


def _parse_leaf(name: str, val: object, path: tuple[str, ...]) -> Indicator:
    table = {"direction": val} if isinstance(val, str) else dict(val)  # type: ignore[arg-type]
    raw = table["direction"]
    d = str(raw).strip().lower() if isinstance(raw, str) else raw
    if d in _BENEFIT or d == 1:
        direction = "+"
    elif d in _COST or d == -1:
        direction = "-"
    else:
        raise SchemaError(
            f"Indicator {'/'.join(path)!r} has unknown direction {raw!r}: use '+' (benefit) or '-' (cost)."
        )
    weight = table.get("weight")
    for key in ("weight", "lower", "upper"):
        if table.get(key) is not None and not _is_number(table[key]):
            raise SchemaError(f"{key} of indicator {'/'.join(path)!r} must be a number; got {table[key]!r}.")
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
    path = Path(source)
    if not path.exists():
        raise InputError(f"Indicator-system file {str(path)!r} does not exist.")
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"Indicator-system file {str(path)!r} is not valid TOML: {exc}.") from None
    if "system" in data and isinstance(data["system"], Mapping):
        data = data["system"]
    return IndicatorSystem.from_dict(data)


# --------------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Panel:
    """A region x year x indicator panel checked against an indicator system.

    Attributes
    ----------
    cube : ndarray, shape (n_regions, n_years, n_indicators)
        C-contiguous float64, read-only (copy before modifying).
    regions, years, indicators : tuple
        Axis labels; years ascending, indicators in system order.
    system : IndicatorSystem
    report : tuple of str
        What a missing-value policy changed (empty when nothing was changed).
    """

    cube: np.ndarray
    regions: tuple[str, ...]
    years: tuple[int, ...]
    system: IndicatorSystem
    report: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        cube = np.ascontiguousarray(self.cube, dtype=np.float64)
        if cube.shape != (len(self.regions), len(self.years), self.system.n_indicators):
            raise InputError(
                f"cube has shape {cube.shape} but there are {len(self.regions)} regions, "
                f"{len(self.years)} years and {self.system.n_indicators} indicators."
            )
        if cube is self.cube and self.cube.flags.writeable:
            cube = cube.copy()
        cube.setflags(write=False)
        object.__setattr__(self, "cube", cube)
        object.__setattr__(self, "regions", tuple(str(r) for r in self.regions))
        object.__setattr__(self, "years", tuple(int(y) for y in self.years))

    @classmethod
    def from_array(cls, cube: np.ndarray, system: Any = None, *, regions: Sequence[str] | None = None, years: Sequence[int] | None = None) -> Panel:
        """Wrap a raw cube; ``system`` may be a system, a mapping, or None (all benefit)."""
        cube = np.asarray(cube, dtype=np.float64)
        if cube.ndim != 3:
            raise InputError(f"cube must be 3-D (regions, years, indicators); got shape {cube.shape}.")
        r, y, j = cube.shape
        if system is None:
            system = IndicatorSystem.flat([f"x{k + 1}" for k in range(j)])
        system = read_system(system)
        return cls(
            cube,
            tuple(regions) if regions is not None else tuple(f"R{k + 1}" for k in range(r)),
            tuple(years) if years is not None else tuple(range(1, y + 1)),
            system,
        )

    # ---- views -------------------------------------------------------------------------
    @property
    def indicators(self) -> tuple[str, ...]:
        return self.system.indicators

    @property
    def is_cost(self) -> np.ndarray:
        return self.system.is_cost

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.cube.shape  # type: ignore[return-value]

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def n_indicators(self) -> int:
        return self.system.n_indicators

    @property
    def missing_cells(self) -> list[tuple[str, int, str]]:
        """(region, year, indicator) of every NaN cell (only a ``missing="keep"`` panel has any)."""
        idx = np.argwhere(np.isnan(self.cube))
        return [(self.regions[r], self.years[t], self.indicators[j]) for r, t, j in idx]

    def is_complete(self) -> bool:
        return not np.isnan(self.cube).any()

    def require_complete(self, what: str = "This model") -> None:
        """Raise if the panel still has missing cells (possible only with ``missing="keep"``)."""
        cells = self.missing_cells
        if cells:
            raise SchemaError(
                f"{what} needs a complete panel, but {len(cells)} cell(s) are missing: "
                f"{format_keys(cells)}. Load it with missing='interpolate', 'drop-indicator' or 'drop-region'."
            )

    def __repr__(self) -> str:
        y = f"{self.years[0]}-{self.years[-1]}" if self.years else "-"
        return f"Panel({self.n_regions} regions x {self.n_years} years ({y}) x {self.n_indicators} indicators)"

    def select(
        self,
        regions: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        indicators: Sequence[str] | None = None,
    ) -> Panel:
        """A sub-panel; order follows the arguments for regions and years, system order for indicators."""
        ri = _positions("region", self.regions, regions)
        ti = _positions("year", self.years, years, convert=int)
        if ti is not None:
            ti = sorted(ti, key=lambda k: self.years[k])
        system = self.system
        ji = None
        if indicators is not None:
            system = self.system.subset(indicators)
            ji = [self.indicators.index(name) for name in system.indicators]
        cube = self.cube
        if ri is not None:
            cube = cube[ri]
        if ti is not None:
            cube = cube[:, ti]
        if ji is not None:
            cube = cube[:, :, ji]
        return Panel(
            np.array(cube, dtype=np.float64, order="C"),
            tuple(self.regions[k] for k in ri) if ri is not None else self.regions,
            tuple(self.years[k] for k in ti) if ti is not None else self.years,
            system,
            self.report,
        )

    def to_frame(self, layout: Literal["long", "wide"] = "long") -> pl.DataFrame:
        """The panel as a tidy long frame (region, year, indicator, value) or a wide one."""
        r, t, j = self.cube.shape
        if layout == "long":
            return pl.DataFrame(
                {
                    "region": np.repeat(np.array(self.regions, dtype=object), t * j).tolist(),
                    "year": np.tile(np.repeat(np.array(self.years, dtype=np.int64), j), r),
                    "indicator": np.tile(np.array(self.indicators, dtype=object), r * t).tolist(),
                    "value": self.cube.reshape(-1),
                },
                schema={"region": pl.String, "year": pl.Int64, "indicator": pl.String, "value": pl.Float64},
            ).with_columns(pl.col("value").fill_nan(None))
        if layout == "wide":
            flat = self.cube.reshape(r * t, j)
            cols: dict[str, Any] = {
                "region": pl.Series("region", np.repeat(np.array(self.regions, dtype=object), t).tolist(), dtype=pl.String),
                "year": pl.Series("year", np.tile(np.array(self.years, dtype=np.int64), r)),
            }
            for k, name in enumerate(self.indicators):
                cols[name] = pl.Series(name, flat[:, k]).fill_nan(None)
            return pl.DataFrame(cols)
        raise InputError(f"layout must be 'long' or 'wide'; got {layout!r}.")

    def summary(self) -> pl.DataFrame:
        """Per indicator: direction, dimension, missing count, min, mean, max."""
        flat = self.cube.reshape(-1, self.n_indicators)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mins = np.nanmin(flat, axis=0) if flat.size else np.array([])
            means = np.nanmean(flat, axis=0)
            maxs = np.nanmax(flat, axis=0)
        dims = [self.system.top_dimension_of(name) or "" for name in self.indicators]
        return pl.DataFrame(
            {
                "indicator": list(self.indicators),
                "direction": list(self.system.directions),
                "dimension": dims,
                "missing": np.isnan(flat).sum(axis=0).astype(np.int64),
                "min": mins,
                "mean": means,
                "max": maxs,
            }
        )


def _positions(what: str, have: Sequence, want: Sequence | None, convert=str) -> list[int] | None:
    if want is None:
        return None
    if isinstance(want, (str, int)):
        want = [want]
    index = {v: k for k, v in enumerate(have)}
    try:
        out = [index[convert(v)] for v in want]
    except (KeyError, ValueError, TypeError):
        unknown = [v for v in want if _safe(convert, v) not in index]
        raise SchemaError(f"Unknown {what}(s) {format_keys(unknown)}; the panel has {format_keys(list(have))}.") from None
    if len(set(out)) != len(out):
        raise SchemaError(f"{what.capitalize()}s selected more than once: {format_keys(sorted({v for v in want if list(want).count(v) > 1}, key=str))}.")
    if not out:
        raise SchemaError(f"Cannot select zero {what}s.")
    return out


def _safe(convert, v):
    try:
        return convert(v)
    except (ValueError, TypeError):
        return v


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


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
    for policy in policies:
        cube, regions, system, changed = _apply_missing(cube, regions, years, system, policy, last=policy is policies[-1])
        report.extend(changed)
    if any(not note.startswith("kept ") for note in report):
        warnings.warn("Missing-value policy changed the panel: " + "; ".join(report), FastinnoWarning, stacklevel=2)
    return Panel(cube, tuple(regions), tuple(years), system, tuple(report))


def _check_policies(missing: object) -> list[str]:
    seq = [missing] if isinstance(missing, str) else list(missing)  # type: ignore[call-overload]
    if isinstance(missing, str) and "," in missing:
        seq = [p.strip() for p in missing.split(",")]
    if not seq:
        raise InputError("missing must name at least one policy.")
    for p in seq:
        if p not in _POLICIES:
            raise InputError(
                f"Unknown missing-value policy {p!r}: use 'error', 'interpolate', 'drop-indicator', "
                "'drop-region' or 'keep' (or a sequence such as ('interpolate', 'drop-region'))."
            )
    return seq


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
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
                raise
            raise InputError(f"Could not read {str(path)!r}: {exc}".rstrip(".") + ".") from None
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
    if policy == "drop-region":
        bad = nan.any(axis=(1, 2))
        dropped = [regions[k] for k in np.flatnonzero(bad)]
        if bad.all():
            raise SchemaError(f"Every region has missing cells ({format_keys(dropped)}): 'drop-region' would leave nothing.")
        keep = np.flatnonzero(~bad)
        return cube[keep].copy(), [regions[k] for k in keep], system, [f"dropped {len(dropped)} region(s) with missing cells: {format_keys(dropped)}"]
    if policy == "drop-indicator":
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
