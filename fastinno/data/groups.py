"""Groupings of regions: a table (region and one or more group columns) or a mapping.

Used by the aggregate units of a panel (:meth:`fastinno.Panel.with_aggregates`) and by every
regional analysis that compares groups.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ..errors import InputError, format_keys

__all__ = ["group_columns", "group_labels"]


def group_columns(groups: object) -> list[str]:
    """The grouping columns of a groups table (every column but ``region``); ``[]`` for a mapping."""
    if isinstance(groups, pl.DataFrame):
        return [c for c in groups.columns if c != "region"]
    return []


def group_labels(groups: object, regions: list[str], *, column: str | None = None,
                 ungrouped: str = "error") -> dict[str, str]:
    """Region -> group label for ``regions``.

    ``groups`` is a mapping or a frame with ``region`` and a group column (``column``, or the only
    other column). A region without a group is an error naming it, unless ``ungrouped="drop"``
    (it is then left out of the returned mapping). A group label naming a region twice with two
    groups is an error.
    """
    if isinstance(groups, Mapping):
        labels = {str(k): str(v) for k, v in groups.items()}
    elif isinstance(groups, pl.DataFrame):
        if "region" not in groups.columns:
            raise InputError(f"groups has no 'region' column; its columns are {', '.join(groups.columns)}.")
        others = [c for c in groups.columns if c != "region"]
        if column is None:
            if len(others) != 1:
                raise InputError(f"groups has several grouping columns ({', '.join(others)}): name one with column=.")
            column = others[0]
        if column not in groups.columns:
            raise InputError(f"groups has no column {column!r}; its columns are {', '.join(groups.columns)}.")
        pairs = groups.select(pl.col("region").cast(pl.String), pl.col(column).cast(pl.String)).unique()
        clash = pairs.filter(pl.col("region").is_duplicated())["region"].unique().to_list()
        if clash:
            raise InputError(f"groups gives several groups to {format_keys(sorted(clash))}.")
        if pairs[column].null_count():
            raise InputError(f"groups has an empty group label in column {column!r}.")
        labels = dict(pairs.iter_rows())
    else:
        raise InputError(f"groups must be a mapping region -> group or a polars DataFrame; got {type(groups).__name__}.")
    if ungrouped not in ("error", "drop"):
        raise InputError(f"Unknown ungrouped {ungrouped!r}: choose one of 'error', 'drop'.")
    missing = [r for r in regions if r not in labels]
    if missing and ungrouped == "error":
        raise InputError(
            f"{len(missing)} region(s) have no group: {format_keys(missing)}. Add them, or pass ungrouped='drop'."
        )
    return {r: labels[r] for r in regions if r in labels}
