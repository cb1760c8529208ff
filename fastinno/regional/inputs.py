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
    for key in ("region", "year"):
        if frame[key].null_count():
            raise InputError(f"column {key!r} has {frame[key].null_count()} missing value(s): every row needs one.")
    # region codes in first-seen order and year codes in increasing order; one bincount of the
    # (region, year) cells finds duplicates and gaps, and the values land in place without a pivot
    regions = frame["region"].unique(maintain_order=True).to_list()
    rcode = frame["region"].cast(pl.Enum(regions)).to_physical().to_numpy().astype(np.int64)
    years, ycode = np.unique(frame["year"].to_numpy(), return_inverse=True)
    years = years.astype(np.int64)
    n_r, n_y = len(regions), len(years)
    key = rcode * n_y + ycode.astype(np.int64).ravel()
    count = np.bincount(key, minlength=n_r * n_y)
    if (count > 1).any():
        dup = count[key] > 1
        first = np.unique(key[dup], return_index=True)[1]
        rows = np.nonzero(dup)[0][np.sort(first)]
        keys = [(regions[rcode[i]], int(years[ycode[i]])) for i in rows]
        raise InputError(f"scores has {len(keys)} duplicated (region, year): {format_keys(keys)}.")
    raw = frame[column]
    vals = raw.to_numpy().astype(np.float64)
    bad = ~np.isfinite(vals)
    if raw.null_count() or bad.any():
        bad |= raw.is_null().to_numpy()
        keys = [(regions[rcode[i]], int(years[ycode[i]])) for i in np.nonzero(bad)[0]]
        raise InputError(f"column {column!r} has {len(keys)} missing or non-finite value(s) at {format_keys(keys)}.")
    if frame.height != n_r * n_y:
        cells = np.nonzero(count == 0)[0]
        missing = [(regions[c // n_y], int(years[c % n_y])) for c in cells]
        raise InputError(f"scores is not balanced: {len(missing)} missing (region, year): {format_keys(missing)}.")
    values = np.empty(n_r * n_y)
    values[key] = vals
    return ScoreTable(regions, years, values.reshape(n_r, n_y), column)

