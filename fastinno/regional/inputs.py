"""The inputs every regional analysis shares: a scores table and a grouping of regions.

``scores`` is a polars frame with ``region``, ``year`` and the column to analyse, or any fastinno
result whose ``.scores`` holds them (a ``dimension`` column, as in the combined evaluation, is
narrowed to its ``"index"`` rows). ``groups`` is a frame (``region`` and a group column) or a
mapping region -> group.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..data.groups import group_labels
from ..errors import InputError, format_keys

__all__ = ["ScoreTable", "score_table", "group_labels"]


class ScoreTable:
    """A balanced region x year table of one numeric column.

    Attributes
    ----------
    regions : list of str, in first-seen order.
    years : int64 array, increasing.
    values : float64 array (n_regions, n_years).
    column : str, the analysed column's name.
    """

    def __init__(self, regions: list[str], years: np.ndarray, values: np.ndarray, column: str):
        self.regions = regions
        self.years = years
        self.values = values
        self.column = column

    def __repr__(self) -> str:
        return f"ScoreTable({self.column!r}: {len(self.regions)} regions x {len(self.years)} years)"


def score_table(scores: object, column: str = "index") -> ScoreTable:
    """Check ``scores`` and return its ``column`` as a balanced :class:`ScoreTable`.

    Raises :class:`InputError` naming what is wrong: a missing column (listing those present), a
    non-numeric or non-finite value, a duplicated (region, year), or a missing cell.
    """
    frame = getattr(scores, "scores", scores)
    if not isinstance(frame, pl.DataFrame):
        raise InputError(
            "scores must be a polars DataFrame with region, year and the analysed column, or a "
            f"fastinno result with .scores; got {type(scores).__name__}."
        )
    for need in ("region", "year", column):
        if need not in frame.columns:
            raise InputError(f"scores has no column {need!r}; its columns are {', '.join(frame.columns)}.")
    if "dimension" in frame.columns:
        frame = frame.filter(pl.col("dimension") == "index")
    if frame.height == 0:
        raise InputError("scores has no rows.")
    if not frame.schema[column].is_numeric():
        raise InputError(f"column {column!r} must be numeric; it is {frame.schema[column]}.")
    if not frame.schema["year"].is_integer():
        raise InputError(f"column 'year' must hold integer years; it is {frame.schema['year']}.")
    frame = frame.select(pl.col("region").cast(pl.String), "year", pl.col(column).cast(pl.Float64))
    dup = frame.filter(pl.struct("region", "year").is_duplicated())
    if dup.height:
        keys = list(dup.select("region", "year").unique(maintain_order=True).iter_rows())
        raise InputError(f"scores has {len(keys)} duplicated (region, year): {format_keys(keys)}.")
    bad = frame.filter(~pl.col(column).is_finite() | pl.col(column).is_null())
    if bad.height:
        keys = list(bad.select("region", "year").iter_rows())
        raise InputError(f"column {column!r} has {len(keys)} missing or non-finite value(s) at {format_keys(keys)}.")
    regions = frame["region"].unique(maintain_order=True).to_list()
    years = np.sort(frame["year"].unique().to_numpy()).astype(np.int64)
    if frame.height != len(regions) * len(years):
        have = set(frame.select("region", "year").iter_rows())
        missing = [(r, int(y)) for r in regions for y in years if (r, int(y)) not in have]
        raise InputError(f"scores is not balanced: {len(missing)} missing (region, year): {format_keys(missing)}.")
    wide = (
        frame.pivot(on="year", index="region", values=column, sort_columns=True)
        .select(["region", *[str(y) for y in years]])
    )
    order = {r: i for i, r in enumerate(wide["region"].to_list())}
    values = wide.drop("region").to_numpy().astype(np.float64)[[order[r] for r in regions]]
    return ScoreTable(regions, years, np.ascontiguousarray(values), column)
