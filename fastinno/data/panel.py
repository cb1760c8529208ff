"""Panels: a region x year x indicator table checked against an indicator system.

A :class:`Panel` holds the data as a C-contiguous, read-only ``(n_regions, n_years,
n_indicators)`` float64 array with its axis labels; :func:`~fastinno.data.read_panel.read_panel`
builds one from a table.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from ..errors import FastinnoWarning, InputError, SchemaError, format_keys
from .names import check_unique, check_years, clean_names, warn_cleaned
from .system import IndicatorSystem, read_system

__all__ = ["Panel"]


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
        regions = tuple(str(r) for r in self.regions)
        years = _integer_years(self.years)
        check_unique(regions, "region")
        _check_increasing(years)
        if cube is self.cube and self.cube.flags.writeable:
            cube = cube.copy()
        cube.setflags(write=False)
        object.__setattr__(self, "cube", cube)
        object.__setattr__(self, "regions", regions)
        object.__setattr__(self, "years", years)

    @classmethod
    def from_array(
        cls,
        cube: np.ndarray,
        system: Any = None,
        *,
        regions: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        year_range: tuple[int, int] | None = None,
    ) -> Panel:
        """Wrap a raw cube (regions x years x indicators).

        Parameters
        ----------
        cube : array_like, shape (n_regions, n_years, n_indicators)
        system
            An :class:`IndicatorSystem`, a mapping, a sequence of indicator names (all benefit),
            or None (``x1``, ``x2``, ... all benefit).
        regions : sequence of str, optional
            Unique names (default ``R1``, ``R2``, ...); surrounding spaces are removed and
            Unicode NFC applied, with a warning.
        years : sequence of int, optional
            Unique calendar years within ``year_range`` (default 1000-2999); unsorted years are
            sorted, with the cube, and a warning. Default: ``1, 2, ..., n_years``, a time index
            (accepted when given too, though outside the range).

        Raises
        ------
        InputError, SchemaError
            Wrong shape, duplicate or clashing names, duplicate or implausible years.
        """
        cube = np.asarray(cube, dtype=np.float64)
        if cube.ndim != 3:
            raise InputError(f"cube must be 3-D (regions, years, indicators); got shape {cube.shape}.")
        r, y, j = cube.shape
        if system is None:
            system = IndicatorSystem.flat([f"x{k + 1}" for k in range(j)])
        elif isinstance(system, Sequence) and not isinstance(system, (str, bytes)):
            system = IndicatorSystem.flat(list(system))
        system = read_system(system)
        changes: list[tuple[str, str, str]] = []
        if regions is not None:
            if isinstance(regions, (str, bytes)) or not all(isinstance(v, str) for v in regions):
                raise InputError("regions must be a sequence of names (str).")
            cleaned, changed = clean_names(list(regions), "region")
            check_unique(cleaned, "region")
            regions = tuple(cleaned)
            changes += [("region", a, b) for a, b in changed]
        if years is not None:
            years = _integer_years(years)
            check_unique(years, "year")
            check_years(np.asarray(years, dtype=np.int64), "years", year_range)
            if len(years) == y and any(b < a for a, b in zip(years, years[1:])):
                order = np.argsort(np.asarray(years), kind="stable")
                warnings.warn(
                    f"years {format_keys(list(years))} were not in increasing order: sorted them and the "
                    "cube's year axis with them.",
                    FastinnoWarning,
                    stacklevel=2,
                )
                years = tuple(years[k] for k in order)
                cube = cube[:, order]
        warn_cleaned(changes, stacklevel=3)
        return cls(
            cube,
            regions if regions is not None else tuple(f"R{k + 1}" for k in range(r)),
            years if years is not None else tuple(range(1, y + 1)),
            system,
        )

    def with_aggregates(self, groups: object, *, column: str | None = None, ungrouped: str = "error") -> Panel:
        """This panel plus one aggregate unit per group, built from its members by each
        indicator's ``aggregate`` rule (see :func:`fastinno.data.aggregate.with_aggregates`)."""
        from .aggregate import with_aggregates

        return with_aggregates(self, groups, column=column, ungrouped=ungrouped)

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


def _integer_years(years: Sequence) -> tuple[int, ...]:
    """Years as Python ints; a non-integral value is an error."""
    if isinstance(years, (str, bytes)):
        raise InputError(f"years must be a sequence of integers; got {years!r}.")
    out = []
    for v in years:
        try:
            f = float(v)
            ok = not isinstance(v, (bool, np.bool_)) and math.isfinite(f) and f == int(f)
        except (TypeError, ValueError, OverflowError):
            ok = False
        if not ok:
            raise InputError(f"years must be integers (calendar years, e.g. 2015); got {v!r}.")
        out.append(int(v) if isinstance(v, (int, np.integer)) else int(f))
    return tuple(out)


def _check_increasing(years: tuple[int, ...]) -> None:
    check_unique(years, "year")
    if any(b < a for a, b in zip(years, years[1:])):
        raise InputError(
            f"years {format_keys(list(years))} are not increasing: a panel's years run forward "
            "(Panel.from_array sorts them)."
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
